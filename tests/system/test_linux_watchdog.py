# SPDX-License-Identifier: MIT
"""pvbm's fault-loop watchdog at the Linux level (issue 13; the bare-metal
half is tests/guest/test_watchdog.py).

A user process may fault at one PC as often as it likes, and the lazy VFP
switching of Linux makes the first VFP instruction after every context
switch UNDEF, at one PC in a loop. pvbm once stopped the whole VM after 32
such faults ("watchdog: guest is stuck in a fault loop", status 3).

The two programs of tests/linux/stress (faultloop: 3 x 1000 handled
SIGSEGV/SIGILL at one PC each, then 1000 read()s that fault in the kernel
at one PC and address and return EFAULT, with only pvbm's system-call
fast paths between two of them; vfppipe: a NEON consumer behind a pipe,
~3000 context switches) are built here with arm-linux-gnueabihf-gcc
-static, put into the initramfs (PV_INITRAMFS_EXTRA of
tools/mk-linux-image.sh) and run by /init (kernel command line
pvrun=faultloop,vfppipe), once natively on -M vexpress-a9 with the
virtual board's tree (bench/native-dtb.sh, as bench/bench-linux.sh does)
and once under pvbm on -M sabrelite. Their output must be the same, and
pvbm must end with status 0. ~3-8 min of wall time on QEMU (TCG).
Logs: <build>/system-logs/test_linux_watchdog-{native,vmm}.log.
"""
import os
import pathlib
import re

import pytest

import conftest

PROGRAMS = ("faultloop", "vfppipe")
BOOTARGS = "console=ttyAMA0 earlycon pvrun=" + ",".join(PROGRAMS)
CFLAGS = ["-static", "-O2", "-Wall", "-Wextra", "-Werror", "-marm",
          "-mcpu=cortex-a9", "-mfpu=neon", "-mfloat-abi=hard",
          # The producer of vfppipe must stay integer-only.
          "-fno-tree-vectorize"]
VMM_TIMEOUT = int(os.environ.get("PV_LINUX_TIMEOUT", "720"))  # wall s
NATIVE_TIMEOUT = 180
LOOP_MESSAGE = "watchdog: guest is stuck in a fault loop"
# What the programs print; kernel messages may come in between.
RESULT = re.compile(r"^(?:(?:faultloop|vfppipe): .*|pvrun-exit .*|pvrun-done)$",
                    re.M)


@pytest.fixture(scope="module")
def images():
    out = pathlib.Path(os.environ.get("PV_BUILD_ROOT", ".")) / "linux-watchdog"
    out.mkdir(parents=True, exist_ok=True)
    extra = []
    for prog in PROGRAMS:
        exe = conftest.guest_program(out, f"linux/stress/{prog}.c", CFLAGS)
        extra.append(f"bin/{prog}={exe}")
    return conftest.linux_images(out, BOOTARGS, extra)


def boot(name, cmd, pattern, timeout):
    return conftest.boot_logged("test_linux_watchdog", name, cmd, pattern,
                                timeout)


def results(log):
    return RESULT.findall(log)


def test_fault_loops_and_vfp_pipeline_run_as_natively(images):
    # The native kernel cannot power the board off: stop at the marker.
    nlog, _, reached, nshow = boot("native",
                                   conftest.native_command(images, BOOTARGS),
                                   "pvrun-done", NATIVE_TIMEOUT)
    assert reached, "the native run did not finish" + nshow
    native = results(nlog)
    for prog in PROGRAMS:
        assert f"pvrun-exit {prog} 0" in native, nshow
    m = re.search(r"^faultloop: segv faults=(\d+) ", nlog, re.M)
    n = re.search(r"^vfppipe: pipe chunks=(\d+) ", nlog, re.M)
    assert m and n, "no result lines in the native run" + nshow
    iters, chunks = int(m.group(1)), int(n.group(1))

    vlog, status, _, vshow = boot("vmm", conftest.qemu_command(images["vmm"]),
                                  None, VMM_TIMEOUT)
    assert status is not None and status >= 0, \
        f"QEMU did not finish within {VMM_TIMEOUT} s" + vshow
    assert LOOP_MESSAGE not in vlog, \
        "pvbm took a user process's faults for a fault loop" + vshow
    assert "pvbm: FATAL" not in vlog, vshow
    assert results(vlog) == native, \
        f"output differs from the native run: {native}" + vshow
    assert re.search(r"pvbm: guest stopped \(reason \d+, code 0\)", vlog), vshow
    assert status == 0, f"QEMU exit status {status}, expected 0" + vshow
    # The runs really had the faults: data aborts of segv and perm, UNDEFs
    # of ill and of the first NEON instruction after each switch.
    counts = conftest.pvbm_counts(vlog)
    assert counts.get("guest-dabt", 0) >= 2 * iters, f"{counts}" + vshow
    assert counts.get("undef-inject", 0) >= iters + chunks, f"{counts}" + vshow
    print(f"traps: guest-dabt {counts['guest-dabt']}, undef-inject "
          f"{counts['undef-inject']}, vfp-ctrl {counts.get('vfp-ctrl')}")
