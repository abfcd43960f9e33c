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
through sysfs and a process pinned to it hashing again.

Oracles:
- the same kernel and initramfs natively on -M sabrelite -smp 4 with
  Debian's imx6q-sabrelite.dtb (its SRC starts the secondaries): smpwork's
  lines must be the same;
- the first hash recomputed here in Python.

Native runs without -icount: QEMU 7.2 with -icount and -smp 4 printed
nothing in 100 s here. smpwork's output does not depend on timing.
~2 min of wall time on QEMU (TCG). Logs:
<build>/system-logs/test_linux_smp-{native,vmm}.log.
"""
import os
import pathlib
import re

import pytest

import conftest

BOOTARGS = "console=ttyAMA0 earlycon pvrun=smpwork"
NATIVE_BOOTARGS = "console=ttymxc1 pvrun=smpwork"
CFLAGS = ["-static", "-O2", "-Wall", "-Wextra", "-Werror", "-marm",
          "-mcpu=cortex-a9", "-mfpu=neon", "-mfloat-abi=hard", "-pthread"]
VCPUS = 4
VMM_TIMEOUT = int(os.environ.get("PV_LINUX_TIMEOUT", "600"))  # wall s
NATIVE_TIMEOUT = 300
RESULT = re.compile(r"^(?:smpwork: .*|pvrun-exit .*|pvrun-done)$", re.M)


@pytest.fixture(scope="module")
def images():
    out = pathlib.Path(os.environ.get("PV_BUILD_ROOT", ".")) / "linux-smp"
    out.mkdir(parents=True, exist_ok=True)
    smpwork = conftest.guest_program(out, "linux/stress/smpwork.c", CFLAGS)
    img = conftest.linux_images(out, BOOTARGS, [f"bin/smpwork={smpwork}"],
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


def native_command(img):
    return ["qemu-system-arm", "-M", "sabrelite", "-smp", str(VCPUS),
            "-m", "1G", "-display", "none", "-monitor", "none",
            "-serial", "null", "-serial", "stdio",
            "-kernel", str(img["kernel"]), "-dtb", str(img["dtb"]),
            "-initrd", str(img["initrd"]), "-append", NATIVE_BOOTARGS]


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
def native(images):
    nlog, _, reached, nshow = conftest.boot_logged(
        "test_linux_smp", "native", native_command(images), "pvrun-done",
        NATIVE_TIMEOUT)
    assert reached, "the native run did not finish" + nshow
    lines = RESULT.findall(nlog)
    assert f"smpwork: online={VCPUS}" in lines, nshow
    assert "smpwork: ok" in lines and "pvrun-exit smpwork 0" in lines, nshow
    return lines


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


def test_four_cpus_on_four_host_cores(images, native):
    """One vCPU per host core: the guest's CPUs really run in parallel,
    pvbm serializing only its own C path (backends/baremetal/smp.c)."""
    vlog, status, _, vshow = conftest.boot_logged(
        "test_linux_smp", "vmm-4cores",
        conftest.qemu_command(images["vmm"], cpus=VCPUS), None, VMM_TIMEOUT)
    assert f"pvbm: {VCPUS} host cores, one vCPU each" in vlog, vshow
    counts = check_vmm_run(vlog, status, vshow, native)
    assert not re.search(r"^pvbm: vCPU switches", vlog, re.M), vshow
    print(f"four host cores: psci {counts['psci']}, wfi {counts.get('wfi')}")


def test_four_cpus_run_the_parallel_workload_as_natively(images, native):
    vlog, status, _, vshow = conftest.boot_logged(
        "test_linux_smp", "vmm", conftest.qemu_command(images["vmm"]), None,
        VMM_TIMEOUT)
    assert f"pvbm: {VCPUS} vCPUs, time-sliced on this core" in vlog, vshow
    counts = check_vmm_run(vlog, status, vshow, native)
    # The core really was shared.
    sw = re.search(r"^pvbm: vCPU switches on the core: (\d+)$", vlog, re.M)
    assert sw and int(sw.group(1)) > 0, vshow
    print(f"vCPU switches {sw.group(1)}, psci {counts['psci']}, "
          f"wfi {counts.get('wfi')}")
