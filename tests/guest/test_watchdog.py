# SPDX-License-Identifier: MIT
"""pvbm's fault-loop watchdog (backends/baremetal/watchdog.c).

Guest *user* mode may fault at one PC as often as it likes: lazy VFP
enabling traps the first VFP instruction after every context switch, and
a process may handle SIGSEGV in a loop. Only injected faults taken in the
guest *kernel* count, and they must still end a real loop with status 3.
Both images run tests/guest/skeleton/undef_loop.S.

Run through meson (suite 'pvbm' of the arm-none build), or directly with
PV_BAREMETAL_DIR=<arm-none build dir>.
"""
import os
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "system"))
import conftest  # noqa: E402  (tests/system: QEMU command line, image lookup)

WATCHDOG_STATUS = 3
LOOP_MESSAGE = "pvbm: FATAL: watchdog: guest is stuck in a fault loop"


def boot(name):
    run = conftest.run_qemu(name)
    log = (f"$ {' '.join(run.cmd)}\n# exit status: {run.status}"
           f"{' (TIMEOUT)' if run.timed_out else ''}\n{run.log}")
    path = conftest.log_dir() / f"test_watchdog-{name}.log"
    path.write_text(log)
    return run, f"\n--- serial log ({path}) ---\n{log}"


def test_user_mode_undef_loop_is_not_a_fault_loop():
    run, log = boot("pvbm-undef-loop-user")
    assert not run.timed_out, "QEMU did not exit" + log
    assert LOOP_MESSAGE not in run.log, \
        "user-mode UNDEFs were taken for a fault loop" + log
    assert "guest: VFP ran after UNDEFs: 0x00000064" in run.log, log
    assert run.status == 0, f"exit status {run.status}, expected 0" + log
    counts = run.trap_counts()
    # All 100 at one PC, in user mode; more than any loop limit.
    assert counts.get("undef-inject") == 100, f"{counts}" + log
    assert re.search(r"pvbm: guest stopped \(reason \d+, code 0\)", run.log)


def test_kernel_mode_undef_loop_is_stopped():
    run, log = boot("pvbm-undef-loop-kernel")
    assert not run.timed_out, "QEMU did not exit" + log
    assert run.status == WATCHDOG_STATUS, \
        f"exit status {run.status}, expected {WATCHDOG_STATUS}" + log
    assert LOOP_MESSAGE in run.log, "not stopped as a fault loop" + log
    assert "pvcore trap trace (oldest first):" in run.log, log
    counts = run.trap_counts()
    # Stopped by the loop rule, long before the guest's own limit of 100
    # (the time budget would have let it reach 100 and exit).
    assert 0 < counts.get("undef-inject", 0) < 100, f"{counts}" + log


def test_kernel_fault_loop_on_an_unmapped_vector_is_stopped():
    """pvbm-fatal jumps into the void at guest PL1; the prefetch abort's
    vector is unmapped too, so the aborts repeat at one PC and address."""
    run, log = boot("pvbm-fatal")
    assert not run.timed_out, "QEMU did not exit" + log
    assert run.status == WATCHDOG_STATUS, \
        f"exit status {run.status}, expected {WATCHDOG_STATUS}" + log
    assert LOOP_MESSAGE in run.log, log
