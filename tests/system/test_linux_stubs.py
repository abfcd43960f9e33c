# SPDX-License-Identifier: MIT
"""pvpatch's stubs, the vCPU page and pvbm's fast path must not change what
the guest sees (docs/pv-path.md): the same Debian kernel and initramfs,
with stubs and fast paths (the default) and without both (PV_STUBS=0
PV_FAST_PATHS=0), boot to the same console transcript under pvbm, while
the stubs take the hot sensitive instructions off the trap path.

Allowed differences, each checked rather than ignored: the kernel's
"Memory:" line reserves exactly the stub area more; interrupt counts in
/proc/interrupts depend on timing (guest time is instruction-counted, and
the VMM runs fewer instructions), and so does where the lines of
asynchronous work fall: the audit line, and "Freeing initrd memory" (the
initramfs is unpacked by a worker beside the initcalls). Those lines must
be the same lines in both runs, in any place.
"""
import os
import pathlib
import re
import subprocess

import pytest

import conftest

TIMEOUT = int(os.environ.get("PV_LINUX_TIMEOUT", "600"))


def _env(name):
    v = os.environ.get(name, "")
    if not v:
        pytest.fail(f"{name} is not set: run through meson test")
    return v


def build(stubs):
    src = pathlib.Path(_env("PV_SOURCE_ROOT"))
    out = (pathlib.Path(os.environ.get("PV_BUILD_ROOT", ".")) /
           f"linux-guest-stubs{stubs}")
    env = dict(os.environ, PV_STUBS=str(stubs), PV_FAST_PATHS=str(stubs))
    p = subprocess.run([str(src / "tools/mk-linux-image.sh"),
                        _env("PV_BAREMETAL_DIR"), _env("PV_PVPATCH"),
                        _env("PV_GUEST_PKGS"), str(out)], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=300)
    assert p.returncode == 0, p.stdout.decode(errors="replace")
    return out


def boot(out):
    cmd = conftest.qemu_command(out / "pvbm-linux.elf")
    log, status, _ = conftest.run_until(cmd, None, TIMEOUT)
    # Kept for every run: a difference below is read from the two logs.
    path = conftest.log_dir() / f"test_linux_stubs-{out.name}.log"
    path.write_text(log)
    if status != 0:
        pytest.fail(f"{out.name}: QEMU status {status} (log in {path})")
    return log


# Printed by work that runs beside the boot's initcalls: where such a line
# falls depends on guest time (kernel 6.1.0-50 moves the initrd's, -57 not).
FLOATING = ("audit: ", "Freeing initrd memory: ")


def console(log):
    """The guest's console, timestamps off, timing-dependent lines apart:
    (lines in order, the floating lines sorted, the "Memory:" line)."""
    lines, floating, memory = [], [], None
    for line in log.splitlines():
        if line.startswith(("pvbm:", "run-demo")):
            continue
        line = re.sub(r"^\[\s*\d+\.\d+\] ", "", line)
        if line.startswith("Memory: "):
            memory = line
            continue
        if line.startswith(FLOATING):
            # The audit record carries its own guest timestamp.
            floating.append(re.sub(r"audit\(\d+\.\d+:", "audit(T:", line))
            continue
        # /proc/interrupts: the counts are timing, the lines are not.
        line = re.sub(r"^(\s*\d+:\s+)\d+", r"\1N", line)
        lines.append(line)
    return lines, sorted(floating), memory


def traps(log):
    return {m.group(1): int(m.group(2)) for m in
            re.finditer(r"pvbm:\s+reason \d+ (\S+) = (\d+)", log)}


def reserved_kib(memory):
    m = re.search(r"(\d+)K reserved", memory or "")
    assert m, f"no reserved figure in {memory!r}"
    return int(m.group(1))


def test_stubs_keep_the_transcript():
    with_stubs, without = build(1), build(0)
    area = (with_stubs / "Image.stubs").read_bytes()
    assert len(area) > 32, "pvpatch wrote no stub table"
    assert (without / "Image.stubs").stat().st_size == 0
    area_kib = int.from_bytes(area[20:24], "little") // 1024

    log_s, log_n = boot(with_stubs), boot(without)
    assert "pvbm: pvpatch stubs:" in log_s
    assert "pvbm: pvpatch stubs:" not in log_n
    assert "pvbm: fast paths off" in log_n
    fast = re.search(r"window fast path: (\d+) TPIDRURO", log_s)
    assert fast and int(fast.group(1)) > 0, "the fast path never ran"
    assert "window fast path: 0 TPIDRURO" in log_n
    # The fast return's prefill (the page fault's retried access) ran on
    # the real kernel, and not with the fast paths off.
    pre = re.search(r"(\d+) shadow entries prefilled by returns", log_s)
    assert pre and int(pre.group(1)) > 0, "no prefill in a Linux boot"
    assert ", 0 shadow entries prefilled by returns" in log_n
    (cons_s, float_s, mem_s) = console(log_s)
    (cons_n, float_n, mem_n) = console(log_n)
    assert "pvcore-guest-commands-done" in cons_n
    assert any(f.startswith("Freeing initrd memory: ") for f in float_n)
    assert float_s == float_n, (float_s, float_n)
    assert cons_s == cons_n, "\n".join(
        f"{a!r} != {b!r}" for a, b in zip(cons_s, cons_n) if a != b) or \
        f"{len(cons_s)} != {len(cons_n)} lines"
    assert reserved_kib(mem_s) - reserved_kib(mem_n) == area_kib

    t_s, t_n = traps(log_s), traps(log_n)
    # What the stubs are for: PSR and CP15-read traps mostly gone.
    assert t_s.get("psr", 0) * 20 < t_n["psr"], (t_s, t_n)
    assert t_s.get("cp15-read", 0) * 20 < t_n["cp15-read"], (t_s, t_n)
    assert t_s.get("banked-ldm-stm", 0) * 20 < t_n["banked-ldm-stm"], (t_s, t_n)
