# SPDX-License-Identifier: MIT
"""The showcase: Debian's unmodified armmp kernel, patched by pvpatch,
boots as a guest of pvbm on qemu-system-arm -M sabrelite, with a busybox
initramfs (docs/linux-guest.md).

The image (pvbm + pvcore + patched Image + site table + DTB + initramfs,
~22 MB) is built here by tools/mk-linux-image.sh from the Debian packages
named by PV_GUEST_PKGS; it is never committed.

Today the guest reaches userspace: /init prints "pvcore-guest-userspace-ok",
runs a few commands and powers off (PSCI SYSTEM_OFF), and pvbm ends the
run with status 0 and its trap counters. That takes ~1.5-2.5 min of wall
time on QEMU (TCG), so the run has a 600 s timeout. For a quick check,
PV_LINUX_MILESTONE=<text> stops the run as soon as <text> shows up
(e.g. "Calibrating delay loop", ~1 min) and only checks the early boot.
On failure the full serial log is printed and written to
<build>/system-logs/test_linux_boot-<test>.log.
"""
import os
import pathlib
import re
import subprocess

import pytest

import conftest

# Furthest milestone reached reliably today (see docs/linux-guest.md).
USERSPACE = "pvcore-guest-userspace-ok"
MILESTONE = os.environ.get("PV_LINUX_MILESTONE", "")
TIMEOUT = int(os.environ.get("PV_LINUX_TIMEOUT", "600"))  # wall seconds
VIRTUAL_MIDR = "412fc09a"  # QEMU's A9 itself says 410fc090


def _env(name, what):
    v = os.environ.get(name, "")
    if not v:
        pytest.fail(f"{name} is not set: {what}")
    return v


@pytest.fixture(scope="module")
def linux_image():
    src = pathlib.Path(_env("PV_SOURCE_ROOT", "run through meson test"))
    pkgs = _env("PV_GUEST_PKGS", "configure the native build with "
                "-Dguest_pkgs=<dir>/guest (tools/fetch-armhf.sh <dir>)")
    if not list(pathlib.Path(pkgs).glob("boot/vmlinuz-*-armmp")):
        pytest.fail(f"no boot/vmlinuz-*-armmp under PV_GUEST_PKGS={pkgs}: "
                    "run tools/fetch-armhf.sh")
    armnone = _env("PV_BAREMETAL_DIR", "configure with -Dbaremetal_dir")
    pvpatch = _env("PV_PVPATCH", "run through meson test")
    out = pathlib.Path(os.environ.get("PV_BUILD_ROOT", ".")) / "linux-guest"
    p = subprocess.run([str(src / "tools/mk-linux-image.sh"), armnone,
                        pvpatch, pkgs, str(out)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=300)
    assert p.returncode == 0, p.stdout.decode(errors="replace")
    return out / "pvbm-linux.elf"


def boot_until(image, pattern, timeout):
    """Boot @image; stop at @pattern, at QEMU's exit or at @timeout.
    Returns (log, status or None, reached, command)."""
    cmd = conftest.qemu_command(image)
    log, status, reached = conftest.run_until(cmd, pattern, timeout)
    return log, status, reached, cmd


def keep_log(name, cmd, log, status):
    path = conftest.log_dir() / f"test_linux_boot-{name}.log"
    path.write_text(f"$ {' '.join(cmd)}\n# exit status: {status}\n{log}")
    print(f"\n===== serial log (also in {path}) =====\n{log}\n===== end =====")
    return path


def check_early_boot(log):
    assert "pvbm: pvpatch site table:" in log, "pvbm did not take the sites"
    assert "Booting Linux on physical CPU" in log, "no kernel output"
    # The kernel saw pvcore's virtual CPU, not QEMU's.
    m = re.search(r"CPU: ARMv7 Processor \[([0-9a-f]{8})\]", log)
    assert m and m.group(1) == VIRTUAL_MIDR, "guest did not see the vMIDR"
    assert "Machine model: pvcore virtual Cortex-A9 board" in log
    assert "pvbm: FATAL" not in log, "the VMM stopped the guest"


def trap_counts(log):
    return {m.group(1): int(m.group(2)) for m in
            re.finditer(r"pvbm:\s+reason \d+ (\S+) = (\d+)", log)}


def test_linux_boots_to_userspace(linux_image):
    # Without a milestone, run until pvbm ends the run (or the timeout).
    pattern = MILESTONE or "\0no such output\0"
    log, status, reached, cmd = boot_until(linux_image, pattern, TIMEOUT)
    ok = False
    try:
        check_early_boot(log)
        if MILESTONE:
            assert reached, (f"milestone {MILESTONE!r} not reached within "
                             f"{TIMEOUT} s (QEMU status {status})")
            ok = True
            return
        assert status is not None, f"QEMU did not finish within {TIMEOUT} s"
        for marker in ("Freeing unused kernel image", "Run /init as init",
                       USERSPACE, "pvcore-guest-commands-done",
                       "reboot: Power down"):
            assert marker in log, f"the boot never got to {marker!r}"
        # busybox ran real commands: uname and the kernel's own view.
        assert re.search(r"^Linux \S+ 6\.1\.\S*armmp", log, re.M)
        twd = re.search(r"^\s*\d+:\s+(\d+)\s+GIC-0\s+29\s.*twd", log, re.M)
        assert twd and int(twd.group(1)) > 0, "no virtual timer interrupts"
        # A clean PSCI SYSTEM_OFF: pvbm's summary, then status 0.
        assert re.search(r"pvbm: guest stopped \(reason \d+, code 0\)", log)
        assert status == 0, f"QEMU exit status {status}, expected 0"
        counts = trap_counts(log)
        for reason in ("patched", "psr", "cp15-write", "shadow-fill", "psci",
                       "virq", "mmio-write"):
            assert counts.get(reason, 0) > 0, f"no {reason} traps: {counts}"
        ok = True
    finally:
        if not ok:
            keep_log("userspace", cmd, log, status)
