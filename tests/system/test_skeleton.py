# SPDX-License-Identifier: MIT
"""The walking skeleton: pvbm on QEMU sabrelite runs a tiny guest whose
MIDR read traps at host PL0 and is answered by pvcore's virtual CP15."""
import re

import pytest

import conftest

VIRTUAL_MIDR = 0x412FC09A  # Cortex-A9 r2p10, as on an i.MX6Q
QEMU_MIDR = 0x410FC090     # what QEMU's A9 really reports (r0p0)


def guest_midr(run):
    m = re.search(r"^guest: MIDR=0x([0-9a-fA-F]{8})$", run.log, re.M)
    assert m, "the guest never printed its MIDR"
    return int(m.group(1), 16)


def test_skeleton_prints_virtual_midr(boot):
    run = boot("pvbm-skeleton")
    assert not run.timed_out, "QEMU did not exit: the run hung"
    assert run.status == 0, f"QEMU exit status {run.status}, expected 0"
    # The host reads the real register: proves the two differ on this QEMU.
    host = re.search(r"pvbm: host MIDR 0x([0-9a-f]{8})", run.log)
    assert host and int(host.group(1), 16) == QEMU_MIDR
    assert guest_midr(run) == VIRTUAL_MIDR
    counts = run.trap_counts()
    assert counts.get("cp15-read", 0) >= 1, f"no CP15 read trap in {counts}"
    # Every character the guest printed (its lines, with their newlines)
    # was one console hypercall; PV_HC_EXIT, if the guest had to fall back
    # to it, is one more.
    printed = sum(len(line) + 1
                  for line in re.findall(r"^guest: .*$", run.log, re.M))
    fallback = "using PV_HC_EXIT" in run.log
    assert counts.get("hypercall", 0) == printed + fallback, counts
    assert re.search(r"pvbm: guest stopped \(reason \d+, code 0\)", run.log)


def test_fatal_guest_stops_with_status_and_trace(boot):
    run = boot("pvbm-fatal")
    assert not run.timed_out, "QEMU did not exit: a fatal guest must not hang"
    assert run.status not in (None, 0), "a fatal guest must fail the run"
    assert "guest: jumping into the void" in run.log
    assert "pvbm: FATAL:" in run.log
    assert "pvcore trap trace (oldest first):" in run.log
    assert re.search(r"pvbm: exit status [1-9]", run.log)


def test_missing_qemu_is_a_clear_failure(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.fail.Exception,
                       match="qemu-system-arm not found: run tools/bootstrap.sh"):
        conftest.qemu_command("x.elf")


def test_world_switch_preserves_guest_context(boot):
    """20000 MRC traps with host-tick preemption; the guest checks every
    register and flag after each round and exits non-zero on a mismatch."""
    run = boot("pvbm-switch")
    assert not run.timed_out, "QEMU did not exit: the run hung"
    assert "guest: switch ok" in run.log, "the guest saw corrupted state"
    assert run.status == 0, f"QEMU exit status {run.status}, expected 0"
    counts = run.trap_counts()
    assert counts.get("cp15-read") == 20000, counts
    # The host tick (1 kHz) must have preempted the guest many times, or
    # the IRQ path was not exercised.
    assert counts.get("host-irq", 0) >= 20, counts


def test_virtual_timer_interrupt_through_host_one_shot(boot):
    """The guest arms the virtual TWD over MMIO and polls the vGIC; the
    core asks the backend for a one-shot host timer, which must fire."""
    run = boot("pvbm-timer")
    assert not run.timed_out, "QEMU did not exit: the run hung"
    assert "guest: timer IRQ id=0x0000001d" in run.log  # PPI 29, the TWD
    assert run.status == 0, f"QEMU exit status {run.status}, expected 0"
    counts = run.trap_counts()
    assert counts.get("mmio-write", 0) >= 7, counts
    assert counts.get("mmio-read", 0) >= 2, counts
    m = re.search(r"pvbm: host timer: (\d+) ticks, (\d+) one-shot", run.log)
    assert m, "no host timer summary"
    assert int(m.group(2)) >= 1, "the backend's one-shot timer never fired"


def test_guest_mapping_the_vmm_window_is_refused(boot):
    """A guest section over 0xFFF00000 must stop the run with pvcore's
    PV_EWINDOW error, never let the guest read VMM memory."""
    run = boot("pvbm-window")
    assert not run.timed_out, "QEMU did not exit: the run hung"
    assert "guest: MMU on" in run.log, "the guest never turned its MMU on"
    assert "guest: read the VMM window" not in run.log
    assert "guest mapping overlaps the VMM window" in run.log
    assert run.status == 2, f"QEMU exit status {run.status}, expected 2"
    assert "pvcore trap trace (oldest first):" in run.log
