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


def qemu_command(image, extra=()):
    qemu = shutil.which(QEMU)
    if qemu is None:
        pytest.fail(f"{QEMU} not found: run tools/bootstrap.sh")
    # serial0 -> null, serial1 (UART2, the pvbm console) -> stdout.
    # icount makes the guest-instruction clock (and the trap counts)
    # deterministic; sleep=off skips idle time instead of waiting it out.
    return [qemu, "-M", "sabrelite", "-smp", "1", "-m", "1G",
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
