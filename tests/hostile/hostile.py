# SPDX-License-Identifier: MIT
"""The hostile suite's harness (docs/hostile.md): find the scenarios in the
guest ELF, boot one scenario per run of pvbm-hostile.elf, parse the result.

Runnable by hand:  python3 tests/hostile/hostile.py <arm-none build> [name...]
boots the named scenarios (default: all) and prints their verdicts.
"""
import concurrent.futures
import os
import pathlib
import re
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "system"))
import conftest  # noqa: E402  (tests/system: QEMU command line, Run)

IMG_DIR = pathlib.Path("tests") / "hostile" / "guest"
GUEST_ELF = "hostile-guest.elf"
IMAGE = "pvbm-hostile"
SELECT_MAGIC = struct.pack("<I", 0xC0F5E1EC)   # rt.c's conf_select
RUN_TIMEOUT = 90   # seconds per boot; the slowest scenario takes ~5


def image(build, name):
    p = pathlib.Path(build) / IMG_DIR / (name if name.endswith(".elf")
                                          else name + ".elf")
    if not p.is_file():
        raise FileNotFoundError(f"hostile image {p} not found: build the "
                                f"cross build first (ninja -C {build})")
    return p


def _sections(elf):
    if elf[:4] != b"\x7fELF" or elf[4] != 1 or elf[5] != 1:
        raise ValueError("not a little-endian ELF32 file")
    shoff, = struct.unpack_from("<I", elf, 0x20)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x2E)
    hdrs = [struct.unpack_from("<IIIIIIIIII", elf, shoff + i * shentsize)
            for i in range(shnum)]
    stroff = hdrs[shstrndx][4]
    out = {}
    for h in hdrs:
        name = elf[stroff + h[0]:elf.index(b"\0", stroff + h[0])].decode()
        out[name] = h  # name, type, flags, addr, offset, size, ...
    return out


def scenarios(build):
    """Scenario names in table order (the index rt.c selects by)."""
    elf = image(build, GUEST_ELF).read_bytes()
    secs = _sections(elf)

    def cstring(va):
        for h in secs.values():
            if h[1] == 1 and h[3] <= va < h[3] + h[5]:
                off = h[4] + va - h[3]
                return elf[off:elf.index(b"\0", off)].decode()
        raise ValueError(f"scenario name at {va:#x} not in the ELF")

    h = secs[".scenarios"]
    table = elf[h[4]:h[4] + h[5]]
    return [cstring(name) for name, _fn, _cover in
            struct.iter_unpack("<III", table)]


def select_copy(src, index, tmpdir):
    """A copy of image @src that runs scenario @index only."""
    data = bytearray(src.read_bytes())
    at = data.find(SELECT_MAGIC)
    if at < 0 or data.find(SELECT_MAGIC, at + 1) >= 0:
        raise RuntimeError(f"{src}: scenario-select block not found "
                           "exactly once")
    struct.pack_into("<II", data, at + 4, index, index)
    dst = pathlib.Path(tmpdir) / f"{src.stem}-{index}.elf"
    dst.write_bytes(bytes(data))
    return dst


class Result:
    """One boot of one scenario."""

    def __init__(self, name, run):
        self.name, self.run = name, run
        self.log, self.status = run.log, run.status
        m = re.search(rf"^hostile: {re.escape(name)} (PASS|FAIL)\b.*$",
                      self.log, re.M)
        self.verdict = m.group(1) if m else None
        self.verdict_line = m.group(0) if m else None
        self.fails = re.findall(r"^FAIL: .*$", self.log, re.M)
        self.canaries_intact = "pvbm: canaries intact" in self.log
        self.canary_fatal = re.findall(r"^pvbm: FATAL: canary .*$",
                                       self.log, re.M)
        self.host_exception = "pvbm: HOST EXCEPTION" in self.log
        self.stop_expected = re.search(r"^hostile: expect VM stop: (.*)$",
                                       self.log, re.M)

    def text(self):
        r = self.run
        return (f"$ {' '.join(str(c) for c in r.cmd)}\n# exit status: "
                f"{r.status}{' (TIMEOUT)' if r.timed_out else ''}\n{r.log}")


def boot(build, name, index, tmpdir, image_name=IMAGE):
    img = select_copy(image(build, image_name), index, tmpdir)
    return Result(name, _run(conftest.qemu_command(img), img))


def _run(cmd, img):
    timed_out = False
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=RUN_TIMEOUT)
        out, status = p.stdout, p.returncode
    except subprocess.TimeoutExpired as e:
        out, status, timed_out = e.stdout or b"", None, True
    log = out.decode("utf-8", "replace").replace("\r\n", "\n")
    return conftest.Run(img, cmd, status, log, timed_out)


def boot_all(build, names=None, image_name=IMAGE, jobs=None):
    """{name: Result} for @names (default: every scenario), @jobs at once."""
    table = scenarios(build)
    todo = [(n, table.index(n)) for n in (names or table)]
    jobs = jobs or int(os.environ.get("PV_HOSTILE_JOBS", "2"))
    with tempfile.TemporaryDirectory() as tmp, \
            concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        futs = {n: ex.submit(boot, build, n, i, tmp, image_name)
                for n, i in todo}
        return {n: f.result() for n, f in futs.items()}


def main():
    build = sys.argv[1]
    names = sys.argv[2:] or None
    for name, r in boot_all(build, names).items():
        print(f"{name:32} status {r.status} {r.verdict} "
              f"canaries {'ok' if r.canaries_intact else 'NOT OK'}")
        if os.environ.get("V"):
            print(r.log)


if __name__ == "__main__":
    main()
