# SPDX-License-Identifier: MIT
"""pvpatch --module on real Debian armmp modules (issue 15, deliverable 3).

Oracles that share no code with the tool:
- arm-none-eabi-objdump disassembles each module's executable sections; its
  cpsid/cpsie/mrs/msr/wfi/wfe count in code ($a) equals pvpatch's sites;
- the patched module differs from the original exactly at the reported
  sites, inside executable sections, at words no relocation touches
  (readelf -r), and each new word decodes here (an independent decoder of
  the self-describing encoding, include/pvcore/patch.h) to the original,
  and by the appended signature it loses when it has sites;
- refusals: not a module, already patched, a sensitive instruction that
  does not fit a self-describing word (MSR immediate planted into a real
  module); no output file is left behind. .ko.xz round-trips through lzma.
Needs PV_GUEST_PKGS (tools/fetch-armhf.sh) and PV_PVPATCH (set by meson).
"""
import lzma
import os
import pathlib
import re
import struct
import subprocess

import pytest

MODULES = ["drivers/virtio/virtio_mmio.ko", "drivers/block/virtio_blk.ko",
           "drivers/net/virtio_net.ko", "fs/ext4/ext4.ko", "fs/jbd2/jbd2.ko",
           "net/sunrpc/sunrpc.ko", "drivers/block/loop.ko",
           "drivers/block/zram/zram.ko"]


def _moddir():
    root = os.environ.get("PV_GUEST_PKGS", "")
    dirs = sorted(pathlib.Path(root).glob("lib/modules/*-armmp")) if root else []
    if not dirs:
        pytest.fail("PV_GUEST_PKGS has no lib/modules/*-armmp: run tools/fetch-armhf.sh")
    return dirs[-1] / "kernel"


def run(*args):
    tool = os.environ.get("PV_PVPATCH", "")
    return subprocess.run([tool, *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def self_original(isa, p):
    """The instruction a self-describing A32 word stands for, or None."""
    assert isa == "a32"
    if p & 0xFFF000F0 != 0xE7F000F0:
        return None
    imm = (p >> 4 & 0xFFF0) | (p & 0xF)
    tag, cond = imm >> 13, imm >> 9 & 15
    if tag == 0b100:
        return (cond << 28 | 0x0120F000 | (imm >> 8 & 1) << 22
                | (imm >> 4 & 15) << 16 | (imm & 15))
    if tag == 0b101:
        op = imm >> 5 & 15
        if op == 0:
            return cond << 28 | 0x010F0000 | (imm >> 4 & 1) << 22 | (imm & 15) << 12
        return cond << 28 | 0x0320F000 | (3 if op == 1 else 2)
    if tag == 0b110:
        return (0xF1000000 | (imm >> 9 & 3) << 18 | (imm >> 8 & 1) << 17
                | (imm >> 5 & 7) << 6 | (imm & 31))
    return None


def sections(data):
    shoff, = struct.unpack_from("<I", data, 32)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 46)
    hdrs = [struct.unpack_from("<IIIIII", data, shoff + i * shentsize)
            for i in range(shnum)]
    stroff = hdrs[shstrndx][4]
    out = {}
    for name, typ, flags, _addr, off, size in hdrs:
        nm = data[stroff + name:data.index(b"\0", stroff + name)].decode()
        out[nm] = (typ, flags, off, size)
    return out


def objdump_sensitive(path):
    """(section, offset) of each cps/mrs/msr/wfi/wfe objdump shows in code."""
    res = subprocess.run(["arm-none-eabi-objdump", "-d", str(path)],
                         capture_output=True, text=True, check=True).stdout
    found, sec = set(), None
    for line in res.splitlines():
        m = re.match(r"^Disassembly of section (\S+):", line)
        if m:
            sec = m[1]
            continue
        m = re.match(r"^\s+([0-9a-f]+):\s+([0-9a-f]{8})\s+(\S+)", line)
        if m and re.match(r"^(cpsi[de]|cps|mrs|msr|wfi|wfe)", m[3]):
            found.add((sec, int(m[1], 16)))
    return found


def relocated_words(path):
    res = subprocess.run(["arm-none-eabi-readelf", "-rW", str(path)],
                         capture_output=True, text=True, check=True).stdout
    words, sec = set(), None
    for line in res.splitlines():
        m = re.match(r"^Relocation section '\.rel(\S+)'", line)
        if m:
            sec = m[1]
            continue
        m = re.match(r"^([0-9a-f]{8})\s+[0-9a-f]{8}\s+R_ARM", line)
        if m and sec:
            words.add((sec, int(m[1], 16) & ~3))
    return words


def report_sites(text):
    rows = []
    for line in text.splitlines():
        m = re.match(r"^(\S+)\+0x([0-9a-f]+)\s+0x([0-9a-f]{8}) 0x([0-9a-f]{8}) (\S+) (\S+)",
                     line)
        if m:
            rows.append((m[1], int(m[2], 16), int(m[3], 16), int(m[4], 16), m[5], m[6]))
    return rows


@pytest.mark.parametrize("mod", MODULES)
def test_module_patched_exactly_at_sites(mod, tmp_path):
    src = _moddir() / mod
    out, rep = tmp_path / "m.ko", tmp_path / "m.txt"
    res = run("--module", "-o", out, "--report", rep, src)
    assert res.returncode == 0, res.stderr
    print(res.stdout)
    orig, new = src.read_bytes(), out.read_bytes()
    rows = report_sites(rep.read_text())
    # A rewritten module loses its appended signature (the kernel refuses
    # one that does not verify); one without sites stays as it was.
    marker = b"~Module signature appended~\n"
    assert orig.endswith(marker)
    siglen = struct.unpack_from(">I", orig, len(orig) - len(marker) - 4)[0]
    unsigned = len(orig) - len(marker) - 12 - siglen
    assert len(new) == (unsigned if rows else len(orig))
    secs = sections(orig)
    assert "unsure" not in rep.read_text().replace("unsure 0", "")
    expect = bytearray(orig)
    relocs = relocated_words(src)
    for sec, off, o, p, isa, _cls in rows:
        typ, flags, foff, size = secs[sec]
        assert flags & 6 == 6 and off + 4 <= size          # alloc + exec
        assert struct.unpack_from("<I", orig, foff + off)[0] == o
        assert self_original(isa, p) == o, (sec, hex(off), hex(o), hex(p))
        assert (sec, off) not in relocs
        struct.pack_into("<I", expect, foff + off, p)
    assert bytes(expect[:len(new)]) == new
    # objdump's view of the code: the same sensitive words, no more.
    assert {(s, o) for s, o, *_ in rows} == objdump_sensitive(src)
    # Patched twice: refused (a module without sites is unchanged).
    if not rows:
        return
    again = run("--module", "-o", tmp_path / "again.ko", out)
    assert again.returncode != 0 and "already patched" in again.stderr
    assert not (tmp_path / "again.ko").exists()


def test_module_xz_round_trip(tmp_path):
    src = _moddir() / "drivers/net/virtio_net.ko"
    xz = tmp_path / "virtio_net.ko.xz"
    xz.write_bytes(lzma.compress(src.read_bytes(), check=lzma.CHECK_CRC32))
    assert run("--module", "-o", tmp_path / "p.ko.xz", xz).returncode == 0
    assert run("--module", "-o", tmp_path / "p.ko", src).returncode == 0
    assert lzma.decompress((tmp_path / "p.ko.xz").read_bytes()) == \
        (tmp_path / "p.ko").read_bytes()


def test_module_refusals(tmp_path):
    src = _moddir() / "drivers/net/virtio_net.ko"
    out = tmp_path / "o.ko"
    # Not a module: the kernel zImage, a truncated module.
    vml = sorted(pathlib.Path(os.environ["PV_GUEST_PKGS"]).glob("boot/vmlinuz-*"))[-1]
    res = run("--module", "-o", out, vml)
    assert res.returncode != 0 and "not an ELF" in res.stderr
    (tmp_path / "t.ko").write_bytes(src.read_bytes()[:4096])
    res = run("--module", "-o", out, tmp_path / "t.ko")
    assert res.returncode != 0 and "truncated" in res.stderr or "outside" in res.stderr
    # An MSR immediate where a real msr CPSR_c, rN is: no self-describing
    # form exists, and a module has no table: refused, nothing written.
    rows = report_sites(run("--module", "-o", out, "--report", tmp_path / "r", src)
                        .returncode == 0 and (tmp_path / "r").read_text())
    sec, off, o, *_ = next(r for r in rows if r[5] == "msr")
    data = bytearray(src.read_bytes())
    struct.pack_into("<I", data, sections(bytes(data))[sec][2] + off,
                     (o & 0xF0000000) | 0x0321F0D3)      # msr CPSR_c, #0xd3
    (tmp_path / "bad.ko").write_bytes(data)
    out.unlink()
    res = run("--module", "-o", out, tmp_path / "bad.ko")
    assert res.returncode != 0
    assert "does not fit a self-describing trap word" in res.stderr, res.stderr
    assert not out.exists()
