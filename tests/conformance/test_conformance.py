# SPDX-License-Identifier: MIT
"""Native versus virtualized conformance (issue 7, meson suite 'conformance').

The same bare-metal guest (tests/conformance/guest) is booted natively at
PL1 on QEMU sabrelite and as a pvcore guest under pvbm; every scenario's
transcript must be identical. See docs/conformance.md.
"""
import os
import pathlib
import re
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import conformance as cf  # noqa: E402

MIN_SCENARIOS = 40
MIN_CHECKS = 300

# Scenarios known to differ under the VMM, with the reason. Each must still
# FAIL (test_expected_failures_still_fail), so this list cannot rot: when a
# fix lands, the suite fails until the entry is removed.
XFAIL = {
}


def log_dir():
    d = pathlib.Path(os.environ.get("PV_LOG_DIR", os.getcwd())) / "conformance-logs"
    d.mkdir(parents=True, exist_ok=True)
    return d


def src_root():
    return os.environ.get("PV_SOURCE_ROOT",
                          str(pathlib.Path(__file__).resolve().parents[2]))


@pytest.fixture(scope="module")
def build():
    b = os.environ.get("PV_BAREMETAL_DIR", "")
    if not b:
        pytest.fail("PV_BAREMETAL_DIR is not set: configure the native build "
                    "with -Dbaremetal_dir=<arm-none-eabi build dir>")
    try:
        for name in (cf.NATIVE, cf.VIRT, cf.FAULT):
            cf.image(b, name)
    except FileNotFoundError as e:
        pytest.fail(str(e))
    return b


class Results:
    pass


def save(name, runs):
    with open(log_dir() / name, "w") as f:
        for r in runs:
            f.write(f"$ {' '.join(r.cmd)}\n# exit status {r.status}"
                    f"{' (TIMEOUT)' if r.timed_out else ''}\n{r.log}\n")


@pytest.fixture(scope="module")
def results(build):
    r = Results()
    r.native, r.native_runs = cf.run_all(cf.image(build, cf.NATIVE))
    r.native2, _ = cf.run_all(cf.image(build, cf.NATIVE))
    r.virt, r.virt_runs = cf.run_all(cf.image(build, cf.VIRT))
    save("native.log", r.native_runs)
    save("pvcore.log", r.virt_runs)
    r.verdicts = cf.compare(r.native, r.virt)
    lines = []
    for name, (v, detail) in r.verdicts.items():
        tag = v + (" (expected)" if name in XFAIL and v != "PASS" else "")
        lines.append(f"{tag:18} {name:28} {len(r.native[name].lines):4} checks")
    summary = "\n".join(lines)
    (log_dir() / "summary.txt").write_text(summary + "\n")
    print("\n" + summary)
    return r


def test_native_transcript_complete_and_deterministic(results):
    run = results.native_runs[-1]
    assert len(results.native_runs) == 1 and run.status == 0 and run.ended, \
        f"the native run must finish cleanly (status {run.status}):\n{run.log[-2000:]}"
    bad = [n for n, s in results.native.items() if not s.complete]
    assert not bad, f"native scenarios incomplete: {bad}"
    checks = sum(len(s.lines) for s in results.native.values())
    assert len(results.native) >= MIN_SCENARIOS, len(results.native)
    assert checks >= MIN_CHECKS, checks
    # Two native boots print the same: a difference under the VMM is never
    # noise from the test itself.
    for name, s in results.native.items():
        assert results.native2[name].lines == s.lines, \
            f"native transcript of {name} is not deterministic:\n" + \
            cf.first_diff(s.lines, results.native2[name].lines)


def test_vmm_transcripts_match(results):
    fails = []
    for name, (v, detail) in results.verdicts.items():
        if v != "PASS" and name not in XFAIL:
            fails.append(f"--- {name}: {v}\n{detail}")
    assert not fails, (f"{len(fails)} scenario(s) differ between native and "
                       f"pvcore (logs in {log_dir()}):\n" + "\n".join(fails))


def test_expected_failures_still_fail(results):
    for name, why in XFAIL.items():
        assert name in results.verdicts, f"XFAIL entry {name} is not a scenario"
        v, _ = results.verdicts[name]
        assert v != "PASS", (f"{name} now passes under the VMM: remove it from "
                             f"XFAIL in {__file__} (it was: {why})")


def test_vmm_run_powers_off_through_psci(results):
    last = results.virt_runs[-1]
    assert last.ended, "the last VMM run did not reach the end of the scenarios"
    assert last.status == 0, f"QEMU exit status {last.status} after SYSTEM_OFF"
    counts = last.host_counts()
    assert counts.get("psci", 0) >= 1, f"no PSCI call counted: {counts}"
    assert "pvbm: guest stopped (reason" in last.log


def test_coverage_table(results):
    table, per_col = cf.coverage_table(results.native, results.virt, src_root(),
                                       results.virt_runs[-1].host_counts())
    (log_dir() / "coverage.txt").write_text(table + "\n")
    print("\n" + table)
    missing = [c for c, s in per_col.items() if not s and c not in cf.UNCOVERABLE]
    assert not missing, f"columns no scenario exercises: {missing}"
    for c, why in cf.UNCOVERABLE.items():
        print(f"not coverable: {c}: {why}")


def test_negative_control_fault_is_caught(results, build):
    """pvcore built with PV_TEST_FAULTS and the emulator's load fault on
    (every emulated load has bit 0 flipped) must make the comparison fail,
    on scenarios that pass with the healthy core."""
    # MMIO scenarios without interrupts (a corrupted IAR read would leave
    # an interrupt unacknowledged until pvbm's watchdog), one boot each.
    mmio = cf.COV_COLS.index("MMIO")
    irqs = (1 << cf.COV_COLS.index("IRQ")) | (1 << cf.COV_COLS.index("FIQ"))
    chosen = [n for n, s in results.native.items()
              if s.cover >> mmio & 1 and not s.cover & irqs and
              results.verdicts[n][0] == "PASS"]
    assert chosen, "no passing MMIO scenario to run the negative control on"
    virt, runs = {}, []
    for n in chosen:
        i = results.native[n].idx
        v, r = cf.run_all(cf.image(build, cf.FAULT), i, i)
        virt.update(v)
        runs += r
    save("pvcore-fault.log", runs)
    sub = {n: results.native[n] for n in chosen}
    verdicts = cf.compare(sub, virt)
    caught = {n: d for n, (v, d) in verdicts.items() if v != "PASS"}
    print(f"\nnegative control: {len(caught)}/{len(chosen)} scenarios differ")
    for n, d in list(caught.items())[:1]:
        print(f"{n}:\n{d}")
    assert caught, "the injected emulator fault went unnoticed"


# The SMP pair (guest/sc_smp.c, issue 18).
MIN_SMP_SCENARIOS = 7
MIN_SMP_CHECKS = 100


@pytest.fixture(scope="module")
def smp(build):
    for name in (cf.SMP_NATIVE, cf.SMP_VIRT):
        try:
            cf.image(build, name)
        except FileNotFoundError as e:
            pytest.fail(str(e))
    r = Results()
    img = cf.image(build, cf.SMP_NATIVE)
    r.native, r.native_runs = cf.run_all(img, cpus=cf.SMP_NATIVE_CPUS)
    r.native2, _ = cf.run_all(img, cpus=cf.SMP_NATIVE_CPUS)
    r.virt, r.virt_runs = cf.run_all(cf.image(build, cf.SMP_VIRT))
    # The same image on four host cores: pvbm runs a vCPU on each.
    r.virt4, r.virt4_runs = cf.run_all(cf.image(build, cf.SMP_VIRT),
                                       cpus=cf.SMP_NATIVE_CPUS)
    save("native-smp.log", r.native_runs)
    save("pvcore-smp.log", r.virt_runs)
    save("pvcore-smp-4cores.log", r.virt4_runs)
    r.verdicts = cf.compare(r.native, r.virt)
    r.verdicts4 = cf.compare(r.native, r.virt4)
    print("\n" + "\n".join(f"{v:8} {r.verdicts4[n][0]:8} {n:28} "
                            f"{len(r.native[n].lines):4} checks"
                            for n, (v, _) in r.verdicts.items()))
    return r


def test_smp_native_transcript_complete_and_deterministic(smp):
    run = smp.native_runs[-1]
    assert len(smp.native_runs) == 1 and run.status == 0 and run.ended, \
        f"the native SMP run must finish cleanly (status {run.status}):\n{run.log[-2000:]}"
    assert all(s.complete for s in smp.native.values())
    assert len(smp.native) >= MIN_SMP_SCENARIOS, len(smp.native)
    assert sum(len(s.lines) for s in smp.native.values()) >= MIN_SMP_CHECKS
    # Every secondary came up and answered: a native run that timed out
    # would print the same "no answer" values under the VMM and pass.
    boot = smp.native["smp_boot"].lines
    for c in range(1, cf.SMP_NATIVE_CPUS):
        assert f"smp_boot: cpu{c} up = 0x00000001" in boot, boot
    assert not [l for s in smp.native.values() for l in s.lines
                if l.endswith("0xdeadc0de")], "a native CPU never answered"
    for name, s in smp.native.items():
        assert smp.native2[name].lines == s.lines, \
            f"native SMP transcript of {name} is not deterministic:\n" + \
            cf.first_diff(s.lines, smp.native2[name].lines)


def test_smp_vmm_transcripts_match(smp):
    fails = [f"--- {n}: {v}\n{d}" for n, (v, d) in smp.verdicts.items()
             if v != "PASS"]
    assert not fails, (f"{len(fails)} SMP scenario(s) differ between native "
                       f"and pvcore (logs in {log_dir()}):\n" + "\n".join(fails))


def test_smp_vmm_on_four_host_cores_matches(smp):
    last = smp.virt4_runs[-1]
    assert "pvbm: 4 host cores, one vCPU each" in last.log, last.log[-2000:]
    assert len(smp.virt4_runs) == 1 and last.ended and last.status == 0, \
        f"the four-core VMM run must finish in one boot:\n{last.log[-2000:]}"
    fails = [f"--- {n}: {v}\n{d}" for n, (v, d) in smp.verdicts4.items()
             if v != "PASS"]
    assert not fails, (f"{len(fails)} SMP scenario(s) differ between native "
                       f"and pvcore on four host cores:\n" + "\n".join(fails))


def test_smp_vmm_ran_four_vcpus(smp):
    last = smp.virt_runs[-1]
    assert len(smp.virt_runs) == 1 and last.ended and last.status == 0, \
        f"the VMM SMP run must finish in one boot:\n{last.log[-2000:]}"
    m = re.search(r"pvbm: vCPU switches on the core: (\d+)", last.log)
    assert m and int(m.group(1)) > 0, "pvbm did not switch vCPUs"
    # Three CPU_ON at boot, CPU_OFF, AFFINITY_INFO and CPU_ON again in
    # smp_off_on, SYSTEM_OFF.
    assert last.host_counts().get("psci", 0) >= 7, last.host_counts()


def test_harness_diff_reports_first_difference():
    nat = cf.parse("== 0 a cover=0x1\na: x = 0x1\na: y = 0x2\n-- a checks=2\n"
                   "== 1 b cover=0x1\nb: z = 0x3\n-- b checks=1\n")
    vm = cf.parse("== 0 a cover=0x1\na: x = 0x1\na: y = 0x9\n-- a checks=2\n"
                  "== 1 b cover=0x1\nb: z = 0x3\n")
    v = cf.compare(nat, vm)
    assert v["a"][0] == "DIFF" and "- native: a: y = 0x2" in v["a"][1] \
        and "+ pvcore: a: y = 0x9" in v["a"][1]
    assert v["b"][0] == "CRASH"
    assert cf.compare(nat, {})["a"][0] == "MISSING"
