# SPDX-License-Identifier: MIT
"""tools/insncount, the QEMU plugin that gives linux-smp its native
instruction counts: under qemu-arm (user mode), a program runs a loop of
a known number of instructions between two markers, and the plugin's
count between them must be that number (give or take the instructions
that share a translated block with a marker, which count whole)."""
import os
import pathlib
import re
import shutil
import subprocess

import pytest

import conftest

LOOPS = 60_000  # fits movw
PROGRAM = r"""
#include "insncount_mark.h"
int main(void)
{
	INSNCOUNT_MARK();
	/* Two instructions a round: subs, bne. */
	__asm__ volatile("movw r0, #%d\n"
			 "1: subs r0, r0, #1\n"
			 "bne 1b" ::: "r0", "cc");
	INSNCOUNT_MARK();
	return 0;
}
""" % LOOPS
MARK = re.compile(r"^insncount: marker (\d+) cpu (\d+) total (\d+) cpu0 (\d+)$",
                  re.M)


def test_counts_the_instructions_between_two_markers(tmp_path):
    plugin = conftest.need_env("PV_INSNCOUNT", "run through meson test")
    qemu = shutil.which("qemu-arm")
    cc = shutil.which("arm-linux-gnueabihf-gcc")
    if qemu is None or cc is None:
        pytest.fail("qemu-arm or arm-linux-gnueabihf-gcc missing: "
                    "run tools/bootstrap.sh")
    src = tmp_path / "loop.c"
    src.write_text(PROGRAM)
    inc = pathlib.Path(conftest.need_env("PV_SOURCE_ROOT", "")) / \
        "tests/linux/stress"
    exe = tmp_path / "loop"
    conftest.run_tool([cc, "-static", "-O2", "-marm", f"-I{inc}", "-o", exe,
                       src], "building the loop")
    log = tmp_path / "plugin.log"
    p = subprocess.run([qemu, "-d", "plugin", "-D", log, "-plugin", plugin,
                        exe], capture_output=True, timeout=120, check=False)
    assert p.returncode == 0, p.stderr
    text = log.read_text()
    marks = [(int(m.group(1)), int(m.group(3))) for m in MARK.finditer(text)]
    assert [k for k, _ in marks] == [1, 2], text
    between = marks[1][1] - marks[0][1]
    assert 2 * LOOPS - 2 <= between <= 2 * LOOPS + 32, \
        f"{between} instructions between the markers, expected ~{2 * LOOPS}"
    exit_total = re.search(r"^insncount: exit total (\d+)", text, re.M)
    assert exit_total and int(exit_total.group(1)) >= marks[1][1], text
