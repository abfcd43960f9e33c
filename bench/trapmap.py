#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Trap maps of Linux workloads under pvbm from a QEMU execution trace.

bench/trapmap.sh runs one pvbm boot per workload under gdb, and for a few
iterations of the workload's timed loop turns on QEMU's one-instruction
translation blocks and its exec log, so the log has one line per executed
instruction, guest and VMM alike. This script finds the loop, splits the
log into iterations at the loop's closing branch and turns the iteration
with the fewest traps (one without a tick of the guest's timer) into its
trap map. Each stop at the breakpoint makes QEMU (-icount sleep=off) warp
virtual time to the next timer deadline, so each traced iteration starts
with a host timer interrupt that the workload would not have taken there;
that trap is left out and mentioned.

    trapmap.py loopend <pvbench ELF> <workload>
        prints the address and word of the backward branch that closes an
        iteration of the workload's timed loop (in w_<workload>(), between
        the calls that read the clock, the one with the lowest target: the
        outermost loop). A branch never faults, so a hit there is a new
        iteration (an instruction that faults, such as the page fault
        loop's store, runs again after the fault).
    trapmap.py analyze --workload W --exec LOG --loopend ADDR --elf PVBM_ELF
        --kallsyms FILE --image Image --sites SITES_PRINT --pvpatch-log LOG
        --pvbench ELF [--tsv OUT] [--md OUT]

A trap is the VMM's stretch of the log from an exception vector of the
window (0xfff00000..0xfff0001f) to the window's return to the guest (the
`movs pc, lr` of pvbm_exit_to_guest, or the exception return that ends
one of window.S's fast paths), inclusive; everything else is guest code. Each VMM instruction is attributed by the source file of the
function that contains it (DWARF, addr2line): backends/baremetal/*.S is
backend assembly, backends/baremetal/*.c backend C, libpvcore/* the core,
anything else (libgcc) "other". Instructions of interest are decoded from
the image: MCR writes to TTBR0/TTBR1/TTBCR, DACR, CONTEXTIDR and SCTLR
(translation-register writes), MCR to c7/c8 (cache, branch predictor and
TLB maintenance) and DSB/DMB/ISB (barriers). A conditional one is listed
apart: the log shows that it was reached, not that its condition held.

Output lines (TSV):
  tm-iter <workload> <guest instr> <vmm instr> <traps> <asm> <backend C>
          <core> <other> <xlat writes> <xlat writes, conditional>
          <maintenance ops> <barriers>
  tm-trap <workload> <n> <guest pc> <where> <instruction> <vector>
          <guest instr before> <vmm instr> <asm> <backend C> <core> <other>
          <xlat writes> <xlat conditional> <maintenance> <barriers>
"""
import argparse
import bisect
import collections
import re
import struct
import subprocess
import sys
import tempfile

WINDOW = (0xfff00000, 0xfffe0000)
VECTORS = {0x00: "reset", 0x04: "undef", 0x08: "svc", 0x0c: "pabt",
           0x10: "dabt", 0x14: "unused", 0x18: "irq", 0x1c: "fiq"}
TOOL = "arm-none-eabi-"


def run(*cmd, stdin=None):
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True,
                          check=True).stdout


class Elf:
    """Words at virtual addresses of an ELF32 little-endian file."""

    def __init__(self, path):
        self.data = open(path, "rb").read()
        d = self.data
        assert d[:4] == b"\x7fELF" and d[4] == 1 and d[5] == 1, path
        phoff, = struct.unpack_from("<I", d, 0x1c)
        phentsize, phnum = struct.unpack_from("<HH", d, 0x2a)
        self.segs = []
        for i in range(phnum):
            ptype, off, vaddr, _, filesz = struct.unpack_from(
                "<IIIII", d, phoff + i * phentsize)
            if ptype == 1 and filesz:
                self.segs.append((vaddr, off, filesz))

    def word(self, va):
        for vaddr, off, size in self.segs:
            if vaddr <= va and va + 4 <= vaddr + size:
                return struct.unpack_from("<I", self.data,
                                          off + va - vaddr)[0]
        return None


def symbols(path, nm=TOOL + "nm"):
    """Sorted (address, name) of the code symbols of an ELF."""
    out = []
    for line in run(nm, "-n", "--defined-only", path).splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in "tTwW" and not p[2].startswith("$"):
            out.append((int(p[0], 16), p[2]))
    return out


class Symtab:
    def __init__(self, syms):
        self.addr = [a for a, _ in syms]
        self.name = [n for _, n in syms]

    def find(self, pc):
        i = bisect.bisect_right(self.addr, pc) - 1
        if i < 0:
            return None, 0
        return self.name[i], pc - self.addr[i]


def loopend(pvbench, workload):
    dis = run(TOOL + "objdump", "-d", pvbench)
    m = re.search(rf"^[0-9a-f]+ <w_{workload}>:\n(.*?)\n\n", dis,
                  re.M | re.S)
    if not m:
        sys.exit(f"trapmap: no w_{workload} in {pvbench}")
    after, ends = None, []
    for line in m[1].splitlines():
        p = re.match(r"\s*([0-9a-f]+):\s+([0-9a-f]{8})\s+(\S+)\s+(.*)", line)
        if not p:
            continue
        addr, op, args = int(p[1], 16), p[3], p[4]
        timer = op == "bl" and re.search(r"<(now_ns|start|stop)>", args)
        if after is None:
            if timer:
                after = addr
            continue
        if timer:
            break
        t = re.match(r"([0-9a-f]+) <", args)
        if op.startswith("b") and t and after < int(t[1], 16) < addr:
            ends.append((int(t[1], 16), addr, int(p[2], 16)))
    if not ends:
        sys.exit(f"trapmap: no timed loop found in w_{workload}")
    _, addr, word = min(ends)   # the outermost loop: the lowest target
    return addr, word


def classify_word(w):
    """(kind, conditional) of one VMM instruction word, kind one of
    xlat, maint, barrier or None."""
    cond = (w >> 28) != 0xe
    if w & 0xfffffff0 in (0xf57ff040, 0xf57ff050, 0xf57ff060):
        return "barrier", False                 # DSB, DMB, ISB
    if (w >> 28) != 0xf and (w & 0x0f100f10) == 0x0e000f10:   # MCR p15
        crn, opc1 = (w >> 16) & 15, (w >> 21) & 7
        opc2, crm = (w >> 5) & 7, w & 15
        if opc1 == 0 and crn == 7 and ((crm == 10 and opc2 in (4, 5)) or
                                       (crm == 5 and opc2 == 4)):
            return "barrier", cond              # CP15 DSB/DMB/ISB
        if opc1 == 0 and (crn in (2, 3) or (crn == 13 and opc2 == 1) or
                          (crn == 1 and crm == 0 and opc2 == 0)):
            return "xlat", cond
        if opc1 == 0 and crn in (7, 8):
            return "maint", cond
    return None, False


def insn_class(text, vector, pc):
    """A coarse class of a trapping instruction, for the summary."""
    if vector in ("irq", "fiq"):
        return "interrupt (host)"
    if vector == "svc":
        return "SVC"
    if vector == "dabt":
        return ("data abort, kernel (MMIO, shadow fill)" if pc >= 0xc0000000
                else "data abort, user (fault, shadow fill)")
    if vector == "pabt":
        return "prefetch abort"
    if "SMP_ON_UP" in text:
        return "SMP_ON_UP site (UP alternative written at boot)"
    t = text.replace(" (patched)", "")
    cp = re.match(r"(mrc|mcr)\w* 15, (\d), \w+, cr(\d+), cr(\d+), \{(\d)\}", t)
    if cp:
        op, opc1, crn, crm, opc2 = cp[1], cp[2], int(cp[3]), int(cp[4]), int(cp[5])
        name = {(13, 0, 4): "TPIDRPRW", (13, 0, 3): "TPIDRURO",
                (13, 0, 1): "CONTEXTIDR", (3, 0, 0): "DACR", (1, 0, 0): "SCTLR",
                (2, 0, 0): "TTBR0", (2, 0, 1): "TTBR1", (5, 0, 0): "DFSR",
                (5, 0, 1): "IFSR", (6, 0, 0): "DFAR", (6, 0, 2): "IFAR"}.get(
                    (crn, crm, opc2))
        if name:
            return f"{op} {name}"
        if op == "mcr" and crn == 7:
            return "mcr cache/branch-predictor maintenance"
        if op == "mcr" and crn == 8:
            return "mcr TLB maintenance"
        return f"{op} CP15 c{crn}"
    if re.match(r"(cpsid|cpsie|mrs \w+, CPSR|msr CPSR)", t):
        return "IRQ mask: cps, mrs/msr CPSR"
    if re.match(r"(mrs \w+, SPSR|msr SPSR)", t):
        return "mrs/msr SPSR"
    if re.match(r"(ldm|stm)\w*\s.*\^$", t):
        return "LDM/STM ^ (user registers)"
    if re.match(r"(movs pc|subs pc|rfe)", t):
        return "exception return"
    if re.match(r"(vmrs|vmsr)", t):
        return "VFP control (vmrs/vmsr)"
    return "other"


def disassemble(words):
    """{word: text} through objdump."""
    words = sorted(set(words))
    if not words:
        return {}
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(b"".join(struct.pack("<I", w) for w in words))
        f.flush()
        out = run(TOOL + "objdump", "-D", "-b", "binary", "-marm", "-EL",
                  f.name)
    res = {}
    for line in out.splitlines():
        p = re.match(r"\s*([0-9a-f]+):\s+([0-9a-f]{8})\s+(.*)", line)
        if p:
            text = re.sub(r"\s+", " ", p[3].split(";")[0].split("@")[0])
            res[int(p[2], 16)] = text.strip()
    return res


def analyze(a):
    elf = Elf(a.elf)
    vsyms = symbols(a.elf)
    vtab = Symtab(vsyms)
    # Source file of each VMM function, from its first address.
    files = run(TOOL + "addr2line", "-e", a.elf,
                stdin="".join(f"{x:#x}\n" for x, _ in vsyms)).splitlines()
    origin = {}
    for (addr, name), path in zip(vsyms, files):
        path = path.split(":")[0]
        if "backends/baremetal/" in path:
            origin[name] = "asm" if path.endswith(".S") else "bc"
        elif "libpvcore/" in path:
            origin[name] = "core"
        else:
            origin[name] = "other"
    exit_pc = None
    for addr, name in vsyms:
        if name == "pvbm_exit_to_guest":
            va = addr
            while va < addr + 0x200:
                if elf.word(va) == 0xe1b0f00e:         # movs pc, lr
                    exit_pc = va
                    break
                va += 4
    if exit_pc is None:
        sys.exit("trapmap: no movs pc, lr in pvbm_exit_to_guest")
    # The fast paths (docs/pv-path.md) return from the window themselves:
    # every exception return in the window's code ends a trap.
    exit_pcs = {exit_pc}
    for addr, name in vsyms:
        if WINDOW[0] <= addr < WINDOW[1]:
            va = addr
            while va < addr + 0x800:
                w = elf.word(va)
                if w is None:
                    break
                if w == 0xe1b0f00e or (w & 0xfffff000) == 0xe25ef000:
                    exit_pcs.add(va)
                va += 4

    ksyms = []
    for line in open(a.kallsyms, errors="replace"):
        p = line.split()
        if len(p) >= 3 and p[1] in "tTwW":
            ksyms.append((int(p[0], 16), p[2]))
    ktab = Symtab(sorted(ksyms))
    utab = Symtab(symbols(a.pvbench))
    pvbench = Elf(a.pvbench)
    sites, image_base = {}, 0xc0208000
    for line in open(a.sites):
        m = re.match(r"# pvpatch site table .* image (0x[0-9a-f]+)", line)
        if m:
            image_base = int(m[1], 16)
        p = line.split()
        if len(p) >= 5 and p[0].startswith("0x"):
            sites[int(p[0], 16)] = int(p[1], 16)
    image = open(a.image, "rb").read()
    vec_off = stub_off = None
    m = re.search(r"vectors at Image\+(0x[0-9a-f]+), stubs at "
                  r"Image\+(0x[0-9a-f]+)", open(a.pvpatch_log).read())
    if m:
        vec_off, stub_off = int(m[1], 16), int(m[2], 16)

    def guest_word(pc):
        if pc in sites:
            return sites[pc]
        off = None
        if pc >= 0xffff1000 and stub_off is not None and pc < 0xffff2000:
            off = stub_off + pc - 0xffff1000
        elif pc >= 0xffff0000 and vec_off is not None and pc < 0xffff1000:
            off = vec_off + pc - 0xffff0000
        elif image_base <= pc < image_base + len(image):
            off = pc - image_base
        if off is not None and off + 4 <= len(image):
            return struct.unpack_from("<I", image, off)[0]
        if pc < 0xc0000000:
            return pvbench.word(pc)
        return None

    def where(pc):
        # kallsyms has no symbols for the vector page (its vectors and
        # stubs, linked at 0xffff0000 and 0xffff1000).
        if pc >= 0xffff1000:
            return f"vector stubs+{pc - 0xffff1000:#x}"
        if pc >= 0xffff0000:
            return f"vectors+{pc - 0xffff0000:#x}"
        if pc >= 0xc0000000:
            name, off = ktab.find(pc)
        else:
            name, off = utab.find(pc)
            name = f"user {name}" if name else None
        return f"{name}+{off:#x}" if name else f"{pc:#x}"

    pcs = []
    pat = re.compile(r"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/")
    for line in open(a.exec, errors="replace"):
        m = pat.match(line)
        if m:
            pcs.append(int(m[1], 16))
    if not pcs:
        sys.exit(f"trapmap: no exec trace lines in {a.exec}")

    # Iterations: the trace starts with the loop's closing branch (where
    # gdb stopped) and holds one such line per iteration; an iteration is
    # that line up to the next one. A trap is never split: a closing
    # branch inside the VMM's stretch cannot occur (VMM addresses differ).
    iters, cur, last_guest, guest_run = [], None, None, 0
    for pc in pcs:
        if cur is None and pc == a.loopend:
            iters.append(dict(traps=[], guest=0))
        if not iters:
            continue            # nothing before the first closing branch
        it = iters[-1]
        if cur is None and WINDOW[0] <= pc < WINDOW[0] + 0x20:
            cur = dict(pc=last_guest, vector=VECTORS[pc - WINDOW[0]],
                       before=guest_run, vmm=0,
                       cls=collections.Counter(), kinds=collections.Counter())
        if cur is not None:
            cur["vmm"] += 1
            if WINDOW[0] <= pc < WINDOW[1]:
                cur["cls"]["asm"] += 1
            else:
                name, _ = vtab.find(pc)
                cur["cls"][origin.get(name, "other")] += 1
            w = elf.word(pc)
            if w is not None:
                kind, cond = classify_word(w)
                if kind:
                    cur["kinds"][kind + ("-cond" if cond else "")] += 1
            if pc in exit_pcs:
                it["traps"].append(cur)
                cur, guest_run = None, 0
        else:
            it["guest"] += 1
            guest_run += 1
            last_guest = pc
    if cur is not None:
        sys.exit("trapmap: the trace ends inside the VMM")
    if not iters:
        sys.exit(f"trapmap: the loop's closing branch {a.loopend:#x} is "
                 f"not in the trace")
    # Each stop at the breakpoint makes QEMU (-icount sleep=off) warp
    # virtual time to the next timer deadline, so every iteration starts
    # with a host timer interrupt taken right after the closing branch,
    # which the workload would not have taken there: it is dropped. The
    # warp can also bring the guest's own timer tick into an iteration.
    # The iteration shown: the one with the fewest traps (the first of
    # them), i.e. one without a tick of the guest's timer.
    artifacts = 0
    for it in iters:
        t = it["traps"]
        if t and t[0]["vector"] in ("irq", "fiq") and t[0]["pc"] == a.loopend:
            t.pop(0)
            artifacts += 1

    def nirq(it):
        return sum(t["vector"] in ("irq", "fiq") for t in it["traps"])
    pick = min(range(len(iters)), key=lambda k: (len(iters[k]["traps"]), k))
    traps, guest_total = iters[pick]["traps"], iters[pick]["guest"]
    census = "; ".join(
        f"{len(x['traps'])} traps" + (f", {nirq(x)} interrupts" if nirq(x)
                                      else "") for x in iters)
    census += (f"; not counted: the host timer interrupt that the stop at "
               f"the breakpoint injects at the start of {artifacts} of them"
               if artifacts else "")

    words = {t["pc"]: guest_word(t["pc"]) for t in traps if t["pc"]}
    text = disassemble([w for w in words.values() if w is not None])

    def insn(t):
        if t["vector"] in ("irq", "fiq"):
            return "(interrupt)"
        w = words.get(t["pc"])
        s = text.get(w, "?") if w is not None else "?"
        if t["pc"] in sites:
            s += " (patched)"
        elif t["vector"] == "undef" and w in (0xe320f000, 0xe1a00000):
            # Linux rewrites .alt.smp.init sites at boot (SMP_ON_UP): the
            # Image's nop is then the UP alternative, which trapped.
            s += " in the Image; rewritten at boot (SMP_ON_UP)"
        if t["vector"] == "pabt":
            s = f"fetch abort after {s}"
        return s

    keys = ["asm", "bc", "core", "other"]
    kinds = ["xlat", "xlat-cond", "maint", "barrier"]
    rows = []
    for i, t in enumerate(traps, 1):
        rows.append([a.workload, i, f"{t['pc']:#x}" if t["pc"] else "?",
                     where(t["pc"]) if t["pc"] else "?", insn(t),
                     t["vector"], t["before"], t["vmm"]]
                    + [t["cls"][k] for k in keys]
                    + [t["kinds"][k] + (t["kinds"]["maint-cond"]
                                        if k == "maint" else 0)
                       + (t["kinds"]["barrier-cond"] if k == "barrier"
                          else 0) for k in kinds])
    vmm = sum(t["vmm"] for t in traps)
    tot = [sum(r[8 + j] for r in rows) for j in range(8)]
    row = ["tm-iter", a.workload, guest_total, vmm, len(traps)] + tot
    lines = ["\t".join(map(str, row))] + \
        ["\t".join(map(str, ["tm-trap"] + r)) for r in rows]
    if a.tsv:
        with open(a.tsv, "w") as f:
            f.write("\n".join(lines) + "\n")

    md = [f"Trap map of one `{a.workload}` iteration: {guest_total:,} guest "
          f"instructions, {len(traps)} traps, {vmm:,} VMM instructions "
          f"(backend assembly {tot[0]:,}, backend C {tot[1]:,}, core "
          f"{tot[2]:,}, other {tot[3]:,}); translation-register writes "
          f"{tot[4]} (+{tot[5]} conditional), cache/TLB maintenance "
          f"{tot[6]}, barriers {tot[7]}. Iteration {pick + 1} of the "
          f"{len(iters)} traced ({census}).", ""]
    classes = collections.Counter()
    cvmm = collections.Counter()
    for r, t in zip(rows, traps):
        c = insn_class(r[4], r[5], t["pc"] or 0)
        classes[c] += 1
        cvmm[c] += r[7]
    md.append("| trap class | traps | VMM instr | share |")
    md.append("|---|---:|---:|---:|")
    for c, n in sorted(cvmm.items(), key=lambda kv: -kv[1]):
        md.append(f"| {c} | {classes[c]} | {n:,} | {100 * n / max(vmm, 1):.0f} % |")
    md.append("")
    if len(traps) <= 60:
        md.append("| # | guest code | instruction | vector | guest instr "
                  "before | VMM instr | asm / C / core / other | xlat "
                  "writes (+cond) / maint / barriers |")
        md.append("|---:|---|---|---|---:|---:|---|---|")
        for r in rows:
            md.append(f"| {r[1]} | `{r[3]}` | `{r[4]}` | {r[5]} | {r[6]} "
                      f"| {r[7]:,} | {r[8]} / {r[9]} / {r[10]} / {r[11]} "
                      f"| {r[12]} (+{r[13]}) / {r[14]} / {r[15]} |")
    else:
        groups = collections.OrderedDict()
        for r in rows:
            fn = r[3].split("+")[0]
            g = groups.setdefault((fn, r[4], r[5]), [0, 0, 0, 0, 0, 0])
            g[0] += 1
            g[1] += r[7]
            g[2] += r[8]
            g[3] += r[9]
            g[4] += r[10]
            g[5] += r[11]
        md.append("| guest function | instruction | vector | traps | VMM "
                  "instr | per trap | asm / C / core / other |")
        md.append("|---|---|---|---:|---:|---:|---|")
        ranked = sorted(groups.items(), key=lambda kv: -kv[1][1])
        if len(ranked) > 40:
            rest = [sum(g[i] for _, g in ranked[40:]) for i in range(6)]
            ranked = ranked[:40] + [(("(the other sites)", "", ""), rest)]
        for (fn, ins, vec), g in ranked:
            md.append(f"| `{fn}` | `{ins}` | {vec} | {g[0]} | {g[1]:,} "
                      f"| {g[1] / g[0]:,.0f} | {g[2]} / {g[3]} / {g[4]} / "
                      f"{g[5]} |")
    if a.md:
        with open(a.md, "w") as f:
            f.write("\n".join(md) + "\n")
    print("\n".join(md))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "loopend":
        if len(sys.argv) != 4:
            sys.exit(__doc__)
        addr, word = loopend(sys.argv[2], sys.argv[3])
        print(f"{addr:#x} {word:#010x}")
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["analyze"])
    for opt in ("workload", "exec", "elf", "kallsyms", "image", "sites",
                "pvpatch-log", "pvbench"):
        ap.add_argument("--" + opt, required=True)
    ap.add_argument("--loopend", required=True, type=lambda x: int(x, 0))
    ap.add_argument("--tsv")
    ap.add_argument("--md")
    analyze(ap.parse_args())


if __name__ == "__main__":
    main()
