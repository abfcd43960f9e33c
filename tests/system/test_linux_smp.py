# SPDX-License-Identifier: MIT
"""Debian's armmp kernel with four CPUs (issue 18), the guest bringing them
up through PSCI: pvbm time-slices four vCPUs on one host core (-smp 1),
and runs one vCPU on each of four host cores (-smp 4).

The image is tools/mk-linux-image.sh with PV_VCPUS=4 (three more cpu nodes
in the virtual board's tree) and PV_STUBS=0 (pvpatch's stubs share one
vCPU page). /init runs tests/linux/stress/smpwork (kernel command line
pvrun=smpwork), built here with arm-linux-gnueabihf-gcc -static: one
pinned process per CPU hashing generated data, one pinned thread per CPU
adding with atomics and under a mutex, then CPU 3 unplugged and replugged
through sysfs and a process pinned to it hashing again; then
tests/linux/stress/pingpong: two processes on CPUs 1 and 2 passing a
counter through pipes, every turn one CPU waking another from idle.

Oracles:
- the same kernel and initramfs natively on -M sabrelite -smp 4 with
  Debian's imx6q-sabrelite.dtb (its SRC starts the secondaries): smpwork's
  lines must be the same;
- the first hash recomputed here in Python.

Native runs use MTTCG: with -icount and -smp 4, QEMU 7.2 never runs the
other CPUs' side of Linux's cross-CPU calls (CPU 0 soft-locks in
smp_call_function_many_cond(), from vfp_init()), and with -accel
tcg,thread=single the boot stops after "clk: Disabling unused clocks".
smpwork's output does not depend on timing. The native run and the
four-core run load tools/insncount, which counts guest instructions
between the programs' markers: the numbers in docs/performance.md, "Four
CPUs against native".
~2.5 min of wall time on QEMU (TCG). Logs:
<build>/system-logs/test_linux_smp-{native,vmm,vmm-4cores}.log and
.insncount.
"""
import os
import pathlib
import re

import pytest

import conftest

BOOTARGS = "console=ttyAMA0 earlycon pvrun=smpwork,pingpong"
# quiet: a kernel warning (MTTCG, slowed by the plugin: "hrtimer: interrupt
# took ...") once landed inside a smpwork line of the native run.
NATIVE_BOOTARGS = "console=ttymxc1 quiet pvrun=smpwork,pingpong"
CFLAGS = ["-static", "-O2", "-Wall", "-Wextra", "-Werror", "-marm",
          "-mcpu=cortex-a9", "-mfpu=neon", "-mfloat-abi=hard", "-pthread"]
VCPUS = 4
VMM_TIMEOUT = int(os.environ.get("PV_LINUX_TIMEOUT", "600"))  # wall s
NATIVE_TIMEOUT = 300
RESULT = re.compile(r"^(?:smpwork: .*|pingpong: .*|pvrun-exit .*|pvrun-done)$",
                    re.M)
PINGPONG = re.compile(r"^pingpong-time: ([0-9.]+) us per round trip$", re.M)
# tools/insncount's report at each marker: smpwork's 1-3, pingpong's 4-5.
MARK = re.compile(r"^insncount: marker (\d+) cpu \d+ total (\d+)", re.M)
MARKERS = 5


@pytest.fixture(scope="module")
def images():
    out = pathlib.Path(os.environ.get("PV_BUILD_ROOT", ".")) / "linux-smp"
    out.mkdir(parents=True, exist_ok=True)
    smpwork = conftest.guest_program(out, "linux/stress/smpwork.c", CFLAGS)
    pingpong = conftest.guest_program(out, "linux/stress/pingpong.c", CFLAGS)
    img = conftest.linux_images(out, BOOTARGS, [f"bin/smpwork={smpwork}",
                                                f"bin/pingpong={pingpong}"],
                                native_dtb=False,
                                image_env={"PV_VCPUS": str(VCPUS),
                                           "PV_STUBS": "0"})
    kernel = conftest.guest_kernel()
    kver = kernel.name[len("vmlinuz-"):]
    dtb = (pathlib.Path(conftest.need_env("PV_GUEST_PKGS", "")) /
           f"usr/lib/linux-image-{kver}/imx6q-sabrelite.dtb")
    if not dtb.is_file():
        pytest.fail(f"no {dtb}: the kernel package ships it")
    img["dtb"] = dtb
    return img


def counting(name):
    """QEMU options that load tools/insncount, its reports going to
    system-logs/test_linux_smp-<name>.insncount, and that file."""
    log = conftest.log_dir() / f"test_linux_smp-{name}.insncount"
    log.unlink(missing_ok=True)
    return ["-d", "plugin", "-D", str(log), "-plugin",
            conftest.need_env("PV_INSNCOUNT", "run through meson test")], log


def marks(log, show):
    """Guest instructions (all CPUs) at each marker, in marker order."""
    text = log.read_text() if log.exists() else ""
    m = [(int(k), int(n)) for k, n in MARK.findall(text)]
    assert [k for k, _ in m] == list(range(1, MARKERS + 1)), \
        f"insncount's markers in {log}: {text}" + show
    return [n for _, n in m]


def segments(m):
    """The stretches docs/performance.md counts: smpwork's parallel
    workload (hashing processes and threads on every CPU), all of smpwork
    (the unplug and replug too), and pingpong's timed round trips. Native
    pingpong counts are not comparable: under MTTCG the CPUs it runs on
    spin (Linux's wake-up waits for the other CPU's context switch with a
    plain loop) for as long as the host takes to run the other CPU."""
    return {"parallel workload": m[1] - m[0], "smpwork": m[2] - m[0],
            "pingpong": m[4] - m[3]}


def native_command(img, extra=()):
    return ["qemu-system-arm", "-M", "sabrelite", "-smp", str(VCPUS),
            "-m", "1G", "-display", "none", "-monitor", "none",
            "-serial", "null", "-serial", "stdio",
            "-kernel", str(img["kernel"]), "-dtb", str(img["dtb"]),
            "-initrd", str(img["initrd"]), "-append", NATIVE_BOOTARGS,
            *extra]


def fnv_xorshift(seed, words=1 << 20):
    """smpwork's hash_stream(), the first seed's oracle."""
    x = (seed * 2654435761 | 1) & 0xffffffff
    h = 0xcbf29ce484222325
    for _ in range(words):
        x ^= (x << 13) & 0xffffffff
        x ^= x >> 17
        x ^= (x << 5) & 0xffffffff
        for b in range(4):
            h = ((h ^ ((x >> (8 * b)) & 0xff)) * 0x100000001b3) & (2**64 - 1)
    return h


@pytest.fixture(scope="module")
def native_run(images):
    """The native run's result lines, and its instruction counts (QEMU's
    -icount does not run this natively; MTTCG with tools/insncount does)."""
    opts, count_log = counting("native")
    nlog, _, reached, nshow = conftest.boot_logged(
        "test_linux_smp", "native", native_command(images, opts),
        "pvrun-done", NATIVE_TIMEOUT)
    assert reached, "the native run did not finish" + nshow
    lines = RESULT.findall(nlog)
    assert f"smpwork: online={VCPUS}" in lines, nshow
    assert "smpwork: ok" in lines and "pvrun-exit smpwork 0" in lines, nshow
    return lines, segments(marks(count_log, nshow))


@pytest.fixture(scope="module")
def native(native_run):
    return native_run[0]


def check_vmm_run(vlog, status, vshow, native):
    """What both VMM runs must show: the workload as natively, hotplug
    through PSCI, the first hash as Python computes it, a clean stop."""
    assert status is not None and status >= 0, \
        f"QEMU did not finish within {VMM_TIMEOUT} s" + vshow
    assert "pvbm: FATAL" not in vlog, vshow
    assert f"smp: Brought up 1 node, {VCPUS} CPUs" in vlog, vshow
    assert "CPU3 killed." in vlog, "the unplug did not reach PSCI" + vshow
    assert RESULT.findall(vlog) == native, \
        f"output differs from the native run: {native}" + vshow
    assert re.search(r"pvbm: guest stopped \(reason 1, code 0\)", vlog), vshow
    assert "pvbm: canaries intact" in vlog, vshow
    assert status == 0, f"QEMU exit status {status}, expected 0" + vshow
    m = re.search(r"^smpwork: hash seed=1 cpu=0 ran-on=0 ([0-9a-f]{16}) ",
                  vlog, re.M)
    assert m and int(m.group(1), 16) == fnv_xorshift(1), vshow
    # PSCI for three CPU_ONs, the unplug's CPU_OFF and AFFINITY_INFO, and
    # the replug's CPU_ON.
    counts = conftest.pvbm_counts(vlog)
    assert counts.get("psci", 0) >= 6, f"{counts}" + vshow
    return counts


def test_four_cpus_on_four_host_cores(images, native, native_run):
    """One vCPU per host core: the guest's CPUs really run in parallel,
    pvbm serializing only its own C path (backends/baremetal/smp.c), and
    waking another vCPU's core with a host IPI (run.c, pvbm_kick())."""
    opts, count_log = counting("vmm-4cores")
    vlog, status, _, vshow = conftest.boot_logged(
        "test_linux_smp", "vmm-4cores",
        conftest.qemu_command(images["vmm"], opts, cpus=VCPUS), None,
        VMM_TIMEOUT)
    assert f"pvbm: {VCPUS} host cores, one vCPU each" in vlog, vshow
    counts = check_vmm_run(vlog, status, vshow, native)
    assert not re.search(r"^pvbm: vCPU switches", vlog, re.M), vshow
    # Cross-CPU wake-ups went by host IPI (the core's kick), not by waiting
    # for the target core's tick: Linux's IPIs and CPU_ONs make many.
    k = re.search(r"^pvbm: kicks between host cores: (\d+) sent, (\d+) taken$",
                  vlog, re.M)
    assert k and int(k.group(1)) >= 100 and int(k.group(2)) >= 100, \
        "no host IPIs between the cores" + vshow
    init = re.search(r"^\[\s*([0-9.]+)\] Run /init", vlog, re.M)
    pp = PINGPONG.search(vlog)
    print(f"four host cores: psci {counts['psci']}, wfi {counts.get('wfi')}, "
          f"kicks {k.group(1)} sent {k.group(2)} taken, "
          f"Run /init at {init.group(1) if init else '?'} s, "
          f"pingpong {pp.group(1) if pp else '?'} us per round trip")
    # Guest instructions, all CPUs, against the native run (the numbers in
    # docs/performance.md, "Four CPUs against native").
    for what, n in segments(marks(count_log, vshow)).items():
        base = native_run[1][what]
        print(f"{what}: native {base:,}, four host cores {n:,}"
              + ("" if what == "pingpong" else f", {n / base:.2f}x"))


def test_four_cpus_run_the_parallel_workload_as_natively(images, native):
    vlog, status, _, vshow = conftest.boot_logged(
        "test_linux_smp", "vmm", conftest.qemu_command(images["vmm"]), None,
        VMM_TIMEOUT)
    assert f"pvbm: {VCPUS} vCPUs, time-sliced on this core" in vlog, vshow
    counts = check_vmm_run(vlog, status, vshow, native)
    # The core really was shared.
    sw = re.search(r"^pvbm: vCPU switches on the core: (\d+)$", vlog, re.M)
    assert sw and int(sw.group(1)) > 0, vshow
    pp = PINGPONG.search(vlog)
    print(f"vCPU switches {sw.group(1)}, psci {counts['psci']}, "
          f"wfi {counts.get('wfi')}, "
          f"pingpong {pp.group(1) if pp else '?'} us per round trip")
