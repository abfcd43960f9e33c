# SPDX-License-Identifier: MIT
"""Helpers for the QEMU system tests: boot a pvbm image on sabrelite.

The images come from the arm-none-eabi build named by PV_BAREMETAL_DIR
(meson option baremetal_dir). Every run has a timeout, and every failure
leaves the full serial log both in the pytest output and in a file under
the build directory (system-logs/<test>.log).
"""
import os
import pathlib
import re
import select
import shutil
import subprocess
import time

import pytest

QEMU = "qemu-system-arm"
BOOT_TIMEOUT = 60  # seconds; a healthy skeleton run takes well under 5


class Run:
    """One finished QEMU run: its exit status and the serial console."""

    def __init__(self, image, cmd, status, log, timed_out):
        self.image = image
        self.cmd = cmd
        self.status = status
        self.log = log
        self.timed_out = timed_out

    def trap_counts(self):
        """The host's trap-counter summary: {reason name: count}."""
        counts = {}
        for m in re.finditer(r"pvbm:\s+reason (\d+) (\S+) = (\d+)", self.log):
            counts[m.group(2)] = int(m.group(3))
        return counts


def image_path(name):
    root = os.environ.get("PV_BAREMETAL_DIR", "")
    if not root:
        pytest.fail("PV_BAREMETAL_DIR is not set: configure the native build "
                    "with -Dbaremetal_dir=<arm-none-eabi build dir>")
    path = pathlib.Path(root) / "tests" / "guest" / (name + ".elf")
    if not path.is_file():
        pytest.fail(f"bare-metal image {path} not found: build the cross "
                    f"build first (ninja -C {root})")
    return path


def qemu_command(image, extra=(), cpus=1):
    qemu = shutil.which(QEMU)
    if qemu is None:
        pytest.fail(f"{QEMU} not found: run tools/bootstrap.sh")
    # serial0 -> null, serial1 (UART2, the pvbm console) -> stdout.
    # icount makes the guest-instruction clock (and the trap counts)
    # deterministic; sleep=off skips idle time instead of waiting it out.
    # @cpus host cores: pvbm runs one vCPU on each when it has as many.
    return [qemu, "-M", "sabrelite", "-smp", str(cpus), "-m", "1G",
            "-display", "none", "-monitor", "none",
            "-serial", "null", "-serial", "stdio",
            "-icount", "shift=0,sleep=off",
            "-semihosting-config", "enable=on,target=native",
            "-kernel", str(image), *extra]


def run_qemu(name, timeout=BOOT_TIMEOUT, extra=()):
    """Boot image @name; never raises on guest failure, returns a Run."""
    image = image_path(name)
    cmd = qemu_command(image, extra)
    timed_out = False
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
        out, status = p.stdout, p.returncode
    except subprocess.TimeoutExpired as e:
        out, status, timed_out = e.stdout or b"", None, True
    log = out.decode("utf-8", "replace").replace("\r\n", "\n")
    return Run(image, cmd, status, log, timed_out)


def run_until(cmd, pattern, timeout):
    """Run @cmd; stop it at @pattern in its output (None: never), at its
    exit or at @timeout wall seconds. Returns (log, exit status, negative
    if it was killed, reached)."""
    q = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    buf, reached, deadline = b"", False, time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            r, _, _ = select.select([q.stdout], [], [], 1.0)
            if r:
                chunk = os.read(q.stdout.fileno(), 65536)
                if not chunk:
                    break
                buf += chunk
                if pattern is not None and pattern.encode() in buf:
                    reached = True
                    break
            elif q.poll() is not None:
                break
    finally:
        if q.poll() is None:
            q.kill()
        rest = q.communicate()[0] or b""
        buf += rest
    log = buf.decode("utf-8", "replace").replace("\r\n", "\n")
    return log, q.returncode, reached


def log_dir():
    # meson test runs from the build directory.
    d = pathlib.Path(os.environ.get("PV_LOG_DIR", os.getcwd())) / "system-logs"
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture
def boot(request):
    """boot(name) runs an image; the serial log is kept if the test fails."""
    runs = []

    def _boot(name, **kw):
        r = run_qemu(name, **kw)
        runs.append(r)
        return r

    yield _boot
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        for r in runs:
            path = log_dir() / f"{request.node.name}-{r.image.stem}.log"
            path.write_text(f"$ {' '.join(r.cmd)}\n"
                            f"# exit status: {r.status}"
                            f"{' (TIMEOUT)' if r.timed_out else ''}\n{r.log}")
            print(f"\n===== serial log of {r.image.name} "
                  f"(also in {path}) =====\n{r.log}\n===== end =====")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


# ---- Linux guests booted natively and under pvbm -------------------------
# Shared by test_linux_watchdog.py and test_linux_modules.py: the same
# kernel, initramfs and command line run once natively on vexpress-a9 with
# the virtual board's tree and once under pvbm on sabrelite.

def need_env(name, what):
    """The value of environment variable @name; fails the test if unset."""
    v = os.environ.get(name, "")
    if not v:
        pytest.fail(f"{name} is not set: {what}")
    return v


def run_tool(cmd, what, timeout=300, env=None):
    """Run a build step; fails the test with its output if it fails."""
    p = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=timeout, env=env)
    out = p.stdout.decode(errors="replace")
    assert p.returncode == 0, f"{what} failed:\n{out}"
    return out


def guest_program(out, source, cflags):
    """Build tests/<source> (a C file) for the armhf guest with
    arm-linux-gnueabihf-gcc @cflags into @out/<its stem>; returns that
    path."""
    src = pathlib.Path(need_env("PV_SOURCE_ROOT", "run through meson test"))
    cc = shutil.which("arm-linux-gnueabihf-gcc")
    if cc is None:
        pytest.fail("arm-linux-gnueabihf-gcc not found: run tools/bootstrap.sh")
    exe = pathlib.Path(out) / pathlib.Path(source).stem
    run_tool([cc, *cflags, "-o", exe, src / "tests" / source],
             f"building {exe.name}")
    return exe


def guest_kernel():
    """The Debian armmp kernel under PV_GUEST_PKGS (tools/fetch-armhf.sh)."""
    pkgs = pathlib.Path(need_env("PV_GUEST_PKGS", "configure the native "
                                 "build with -Dguest_pkgs=<dir>/guest"))
    kernels = sorted(pkgs.glob("boot/vmlinuz-*-armmp"))
    if not kernels:
        pytest.fail(f"no boot/vmlinuz-*-armmp under PV_GUEST_PKGS={pkgs}: "
                    "run tools/fetch-armhf.sh")
    return kernels[-1]


def linux_images(out, bootargs, extra=(), native_dtb=True, kernel=None,
                 image_env=None):
    """tools/mk-linux-image.sh into @out with @bootargs and the initramfs
    additions @extra ("<path>=<file or dir>", PV_INITRAMFS_EXTRA), then the
    native tree (bench/native-dtb.sh). @kernel: a zImage to patch and boot
    instead of Debian's (PV_KERNEL). @image_env: more of the script's
    variables (PV_VCPUS, PV_STUBS, ...). Returns {vmm, kernel, dtb,
    initrd}: pvbm's image and what the native run boots."""
    src = pathlib.Path(need_env("PV_SOURCE_ROOT", "run through meson test"))
    pkgs = need_env("PV_GUEST_PKGS", "configure the native build with "
                    "-Dguest_pkgs=<dir>/guest")
    armnone = need_env("PV_BAREMETAL_DIR", "configure with -Dbaremetal_dir")
    pvpatch = need_env("PV_PVPATCH", "run through meson test")
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PV_INITRAMFS_EXTRA=" ".join(extra),
               **(image_env or {}))
    if kernel is None:
        kernel = guest_kernel()
    else:
        env["PV_KERNEL"] = str(kernel)
    run_tool([src / "tools/mk-linux-image.sh", armnone, pvpatch, pkgs, out,
              bootargs], "tools/mk-linux-image.sh", env=env)
    if native_dtb:
        # The native machine's tree: the virtual board's at vexpress
        # addresses.
        run_tool([src / "bench/native-dtb.sh", out / "native.dtb",
                  out / "linux.dtb"], "bench/native-dtb.sh")
    return {"vmm": out / "pvbm-linux.elf", "kernel": kernel,
            "dtb": out / "native.dtb", "initrd": out / "initramfs.cpio"}


def native_command(img, bootargs):
    """The same kernel, initramfs and command line on vexpress-a9, with the
    virtual board's MIDR (as bench/bench-linux.sh runs its baseline)."""
    return ["qemu-system-arm", "-M", "vexpress-a9", "-smp", "1", "-m", "128M",
            "-display", "none", "-monitor", "none", "-serial", "stdio",
            "-global", "cortex-a9-arm-cpu.midr=0x412fc09a",
            "-icount", "shift=0,sleep=off", "-kernel", str(img["kernel"]),
            "-dtb", str(img["dtb"]), "-initrd", str(img["initrd"]),
            "-append", bootargs]


def boot_logged(test, name, cmd, pattern, timeout):
    """run_until(), the log kept in system-logs/<test>-<name>.log. Returns
    (log, status, reached, the log for an assertion message)."""
    t = time.monotonic()
    log, status, reached = run_until(cmd, pattern, timeout)
    wall = time.monotonic() - t
    path = log_dir() / f"{test}-{name}.log"
    text = (f"$ {' '.join(cmd)}\n# exit status: {status}, "
            f"{wall:.0f} s wall\n{log}")
    path.write_text(text)
    print(f"{name}: status {status}, {wall:.0f} s wall, log {path}")
    return log, status, reached, f"\n--- {name} serial log ({path}) ---\n{text}"


def pvbm_counts(log):
    """pvbm's summary counters: {trap reason or event name: count}."""
    return {m.group(1): int(m.group(2)) for m in
            re.finditer(r"pvbm:\s+reason \d+ (\S+) = (\d+)", log)}
