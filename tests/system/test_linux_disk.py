# SPDX-License-Identifier: MIT
"""The `linux` suite: Debian's armmp kernel on the Debian root filesystem
(tools/mk-rootfs.sh) with virtio disk, network and entropy, booted by
tools/pvrun under pvbm on sabrelite and natively on vexpress-a9
(issue 16, deliverable 5; docs/linux-guest.md).

One guest script (SCRIPT) prints deterministic "check:" lines; the VMM run
and the native run must print the same ones, and each must say what a
correct system says. On top of that, under the VMM:

- the host reaches the guest's ssh server through a forwarded loopback
  port, and the guest fetches a file from an HTTP server this test starts
  on the host's loopback (QEMU user-mode network, restrict=on: nothing
  else is reachable);
- a file written and synced in the first boot is there, intact, in a
  second boot of the same disk (nothing lost), and `e2fsck -fn` finds the
  disk clean after both;
- `sleep 1` lasts one guest second, the timer and UART interrupt counts
  rise, dmesg has no Oops/BUG/WARNING;
- a guest killed in the middle of writing (QEMU stopped from outside)
  leaves a disk that `e2fsck -fy` repairs, with the data it had synced
  intact.

The disks are copies of the built root filesystem with sysprobe
(tests/linux/disk/sysprobe.c) and the test's ssh key written in by
debugfs. Logs: <build>/system-logs/test_linux_disk-*.log.
"""
import hashlib
import http.server
import os
import pathlib
import re
import select
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

import conftest

TIMEOUT = int(os.environ.get("PV_LINUX_TIMEOUT", "900"))  # wall s per boot
PAYLOAD = bytes((i * 7 + (i >> 8)) & 0xff for i in range(300_000))
CFLAGS = ["-static", "-O2", "-Wall", "-Wextra", "-Werror", "-marm",
          "-mcpu=cortex-a9", "-mfpu=neon", "-mfloat-abi=hard"]

# Runs in the guest after the root filesystem is up (the pvrun.sh
# convention): every line that matters starts with "check: ".
SCRIPT = r"""
stty -echo  # the test types into the console below: no echo amid the lines
c() { echo "check: $*"; }
c model "$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2 | tr -s ' ')"
c part "$(grep -m1 '^CPU part' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')"
c root "$(awk '$2 == "/" {print $1, $3}' /proc/mounts | grep -v rootfs)"
irqs() { awk -v p="$1" '$0 ~ p {s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; print s; exit}' /proc/interrupts; }
t0=$(irqs 'twd|arch_timer|timer'); u0=$(irqs 'uart-pl011|ttyAMA')
echo "pvguest: console input, please"
a=$(cut -d' ' -f1 /proc/uptime); sleep 1; b=$(cut -d' ' -f1 /proc/uptime)
# The typed line may come later on a loaded host: wait for it (60 s).
n=0; while [ "$(irqs 'uart-pl011|ttyAMA')" -le "$u0" ] && [ $n -lt 60 ]; do sleep 1; n=$((n+1)); done
t1=$(irqs 'twd|arch_timer|timer'); u1=$(irqs 'uart-pl011|ttyAMA')
c timer-irqs-rise $([ "$t1" -gt "$t0" ] && echo yes || echo "no $t0 $t1")
c uart-irqs-rise $([ "$u1" -gt "$u0" ] && echo yes || echo "no $u0 $u1")
c sleep-1 $(awk -v a=$a -v b=$b 'BEGIN {d = b - a; print (d >= 0.99 && d < 1.5) ? "ok" : "off " d}')
c generated "$(seq 1 20000 | awk '{s = (s * 31 + $1) % 1000003} END {print s}') $(seq 1 50000 | md5sum | cut -d' ' -f1)"
/usr/bin/sysprobe | sed 's/^/check: /'
c net "$(ip -4 addr show eth0 | awk '/inet / {print $2}')"
if wget -q -O /tmp/payload http://10.0.2.100:8080/payload; then
	c download "$(md5sum < /tmp/payload | cut -d' ' -f1)"
else
	c download failed
fi
c modprobe "$(modprobe dummy && grep -c '^dummy ' /proc/modules)"
c rng "$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null || cat /sys/devices/virtual/misc/hw_random/rng_current)"
c dmesg-bad "$(dmesg | grep -cE 'Oops|BUG:|WARNING:|Internal error')"
"""
# The first VMM boot also leaves a file behind and waits for the host's
# ssh session; the second checks the file.
PERSIST = r"""
dd if=/dev/urandom of=/root/persist bs=1k count=256 2>/dev/null
md5sum /root/persist | cut -d' ' -f1 > /root/persist.md5; sync
echo "pvguest: ready for ssh"
n=0; while [ ! -f /tmp/ssh-done ] && [ $n -lt 600 ]; do sleep 1; n=$((n+1)); done
c ssh-session "$([ -f /tmp/ssh-done ] && cat /tmp/ssh-done || echo none)"
c persist-written "$(cat /root/persist.md5)"
"""
REBOOT = r"""
c persist-after-reboot "$(md5sum /root/persist | cut -d' ' -f1) $(cat /root/persist.md5)"
"""
# Syncs one file, then writes without end until the test kills QEMU.
KILLED = r"""
dd if=/dev/urandom of=/root/synced bs=1k count=512 2>/dev/null
md5sum /root/synced | cut -d' ' -f1 > /root/synced.md5; sync
echo "pvguest: synced"
i=0; while :; do dd if=/dev/urandom of=/root/churn.$((i % 4)) bs=64k count=16 2>/dev/null; i=$((i+1)); done
"""
CHECK = re.compile(r"^check: (.*)$", re.M)


def _sha(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    src = pathlib.Path(conftest.need_env("PV_SOURCE_ROOT",
                                         "run through meson test"))
    armnone = pathlib.Path(conftest.need_env("PV_BAREMETAL_DIR",
                                             "configure with -Dbaremetal_dir"))
    build = armnone.parent
    work = tmp_path_factory.mktemp("linux-disk")
    conftest.guest_program(work, "linux/disk/sysprobe.c", CFLAGS)
    # pvrun builds (or finds cached) the module tree and root filesystem.
    conftest.run_tool([src / "tools/pvrun", "--build", build, "--prepare"],
                      "pvrun --prepare", timeout=2400)
    rootfs = build / "rootfs/rootfs.ext4"
    key = work / "id_ed25519"
    conftest.run_tool(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                       key], "ssh-keygen")
    disks = {}
    for name in ("vmm", "native", "kill"):
        d = work / f"{name}.ext4"
        shutil.copyfile(rootfs, d)
        cmds = (f"write {work / 'sysprobe'} /usr/bin/sysprobe\n"
                f"sif /usr/bin/sysprobe mode 0100755\n"
                f"mkdir /root/.ssh\n"
                f"write {key}.pub /root/.ssh/authorized_keys\n"
                f"sif /root/.ssh/authorized_keys mode 0100600\n")
        p = subprocess.run(["debugfs", "-w", "-f", "-", str(d)], input=cmds,
                           text=True, capture_output=True)
        assert p.returncode == 0, p.stderr
        disks[name] = d
    (work / "payload").write_bytes(PAYLOAD)
    handler = lambda *a, **kw: _Quiet(*a, directory=str(work), **kw)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield {"src": src, "build": build, "disks": disks, "key": key,
           "http": httpd.server_address[1], "work": work}
    httpd.shutdown()


def _pvrun(env, name, script, native=False, on_line=None, disk=None):
    """pvrun --cmd; @on_line(line, port) sees every console line and may
    return a number of seconds after which the run is killed (QEMU with
    it: pvrun runs in a session of its own). Returns (status, log)."""
    ssh_port = _free_port()
    cmd = [env["src"] / "tools/pvrun", "--build", env["build"],
           "--disk", env["disks"][disk or ("native" if native else "vmm")],
           "--guestfwd", f"8080:{env['http']}",
           "--hostfwd", f"{ssh_port}:22", "--timeout", str(TIMEOUT),
           "--cmd", script] + (["--native"] if native else [])
    t = time.monotonic()
    q = subprocess.Popen([str(c) for c in cmd], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)
    buf, kill_at = b"", None
    while True:
        if kill_at is not None and time.monotonic() > kill_at:
            os.killpg(q.pid, signal.SIGKILL)
            break
        r, _, _ = select.select([q.stdout], [], [], 1.0)
        if r:
            chunk = os.read(q.stdout.fileno(), 65536)
            if not chunk:
                break
            start = buf.rfind(b"\n") + 1
            buf += chunk
            end = buf.rfind(b"\n") + 1
            if end > start:
                for line in buf[start:end].decode(errors="replace").splitlines():
                    if "pvguest: console input, please" in line:
                        # The UART's receive interrupts: typed input.
                        q.stdin.write(b"typed\n")
                        q.stdin.flush()
                    after = on_line(line, ssh_port) if on_line else None
                    if after is not None and kill_at is None:
                        kill_at = time.monotonic() + after
        elif q.poll() is not None:
            break
    status = q.wait()
    log = buf.decode("utf-8", "replace").replace("\r", "")
    path = conftest.log_dir() / f"test_linux_disk-{name}.log"
    path.write_text(f"$ {' '.join(str(c) for c in cmd)}\n# status {status}, "
                    f"{time.monotonic() - t:.0f} s wall\n{log}")
    print(f"{name}: status {status}, {time.monotonic() - t:.0f} s, log {path}")
    return status, log


def _checks(log):
    return CHECK.findall(log)


@pytest.fixture(scope="module")
def runs(env):
    ssh_out = {}

    def ssh(port):
        p = subprocess.run(
            ["ssh", "-i", str(env["key"]), "-p", str(port),
             "-o", "StrictHostKeyChecking=no",
             "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
             "-o", "ConnectTimeout=120", "root@127.0.0.1",
             "uname -m > /tmp/ssh-done; cat /tmp/ssh-done"],
            capture_output=True, text=True, timeout=600)
        ssh_out["rc"], ssh_out["out"] = p.returncode, p.stdout + p.stderr

    def ssh_when_ready(line, port):
        # In a thread: the console must keep draining meanwhile.
        if "pvguest: ready for ssh" in line and "thread" not in ssh_out:
            ssh_out["thread"] = threading.Thread(target=ssh, args=(port,))
            ssh_out["thread"].start()

    vmm = _pvrun(env, "vmm", SCRIPT + PERSIST, on_line=ssh_when_ready)
    if "thread" in ssh_out:
        ssh_out.pop("thread").join()
    vmm2 = _pvrun(env, "vmm-reboot", "c() { echo \"check: $*\"; }" + REBOOT)
    native = _pvrun(env, "native", SCRIPT, native=True)
    fsck = subprocess.run(["e2fsck", "-fn", str(env["disks"]["vmm"])],
                          capture_output=True, text=True)
    killed = _pvrun(env, "vmm-killed", KILLED, disk="kill",
                    on_line=lambda line, port:
                    5 if line.startswith("pvguest: synced") else None)
    return {"vmm": vmm, "vmm2": vmm2, "native": native, "ssh": ssh_out,
            "fsck": fsck, "killed": killed}


def _check(log, name):
    for c in _checks(log):
        if c.split(" ", 1)[0] == name:
            return c.split(" ", 1)[1] if " " in c else ""
    return None


def test_vmm_and_native_print_the_same_checks(runs):
    (vs, vlog), (ns, nlog) = runs["vmm"], runs["native"]
    assert vs == 0, f"pvrun under the VMM: status {vs}"
    assert ns == 0, f"pvrun --native: status {ns}"
    only = {"net", "ssh-session", "persist-written"}
    v = [c for c in _checks(vlog) if c.split(" ")[0] not in only]
    n = [c for c in _checks(nlog) if c.split(" ")[0] not in only]
    assert len(n) >= 16, f"the native run printed too few checks: {n}"
    assert v == n


def test_the_guest_is_a_working_system(runs):
    log = runs["vmm"][1]
    assert _check(log, "part") == "0xc09"                  # Cortex-A9
    assert _check(log, "root").startswith("/dev/vda ext4")
    assert _check(log, "timer-irqs-rise") == "yes"
    assert _check(log, "uart-irqs-rise") == "yes"
    assert _check(log, "sleep-1") == "ok"
    assert _check(log, "sysprobe:") == "ok"
    assert _check(log, "download") == hashlib.md5(PAYLOAD).hexdigest()
    assert _check(log, "modprobe") == "1"
    assert _check(log, "rng") == "virtio_rng.0"
    assert _check(log, "dmesg-bad") == "0"
    assert _check(log, "net") == "10.0.2.15/24"
    assert conftest.pvbm_counts(log), "no pvbm trap summary at power-off"


def test_host_reaches_the_guest_over_ssh(runs):
    assert runs["ssh"].get("rc") == 0, runs["ssh"]
    assert "armv7l" in runs["ssh"]["out"]
    assert _check(runs["vmm"][1], "ssh-session") == "armv7l"


def test_synced_data_survives_a_reboot_and_the_disk_is_clean(runs):
    written = _check(runs["vmm"][1], "persist-written")
    assert written and re.fullmatch(r"[0-9a-f]{32}", written)
    status, log = runs["vmm2"]
    assert status == 0
    assert _check(log, "persist-after-reboot") == f"{written} {written}"
    assert runs["fsck"].returncode == 0, runs["fsck"].stdout


def _debugfs_cat(disk, path):
    p = subprocess.run(["debugfs", "-R", f"cat {path}", str(disk)],
                       capture_output=True)
    return p.stdout


def test_a_guest_killed_mid_write_loses_no_synced_data(runs, env):
    status, log = runs["killed"]
    assert "pvguest: synced" in log, "the guest never synced its file"
    assert "pvrun-exit" not in log, "the guest was not killed mid-write"
    disk = env["disks"]["kill"]
    fix = subprocess.run(["e2fsck", "-fy", str(disk)], capture_output=True,
                         text=True)
    # 0: clean (the journal replayed); 1: errors corrected.
    assert fix.returncode in (0, 1), fix.stdout + fix.stderr
    again = subprocess.run(["e2fsck", "-fn", str(disk)], capture_output=True,
                           text=True)
    assert again.returncode == 0, again.stdout
    want = _debugfs_cat(disk, "/root/synced.md5").decode().strip()
    data = _debugfs_cat(disk, "/root/synced")
    assert len(data) == 512 * 1024
    assert hashlib.md5(data).hexdigest() == want
