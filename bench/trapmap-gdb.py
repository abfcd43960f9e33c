# SPDX-License-Identifier: MIT
# gdb script of bench/trapmap.sh (gdb-multiarch -batch -x): attach to a
# QEMU started with -S, stop at the branch that closes an iteration of the
# workload's timed loop (TM_PC, in guest user mode, where the word is
# TM_WORD: other processes run other code at that address), let TM_SKIP
# iterations pass, then log TM_ITERS iterations with one instruction per
# translation block and QEMU's exec log on, and kill QEMU. A hit with the
# registers of the previous one is the same iteration again (an interrupt
# came just before the branch), not a new one.
import os

import gdb

pc = int(os.environ["TM_PC"], 0)
word = int(os.environ["TM_WORD"], 0)
skip = int(os.environ.get("TM_SKIP", "1"))
iters = int(os.environ.get("TM_ITERS", "1"))
gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("target remote " + os.environ["TM_TARGET"])


class LoopEnd(gdb.Breakpoint):
    def stop(self):
        try:
            if int(gdb.parse_and_eval("$cpsr")) & 0x1f != 0x10:
                return False
            w = int(gdb.parse_and_eval("*(unsigned int *)%d" % pc))
            return w & 0xffffffff == word
        except gdb.error:
            return False


def regs():
    return tuple(int(gdb.parse_and_eval("$r%d" % i)) for i in range(13))


LoopEnd("*%#x" % pc)
hits, last = 0, None
while True:
    gdb.execute("continue")
    now = regs()
    if now == last:
        continue
    last = now
    hits += 1
    if hits == skip + 1:
        gdb.execute("monitor singlestep on")
        gdb.execute("monitor log exec,nochain")
    if hits == skip + 1 + iters:
        gdb.execute("monitor log none")
        break
print("trapmap-gdb: traced %d iteration(s) after %d" % (iters, skip))
gdb.execute("kill")
