# SPDX-License-Identifier: MIT
"""zImage payloads of every compressor Linux offers ARM (issue 15, item 4).

From Debian's XZ armmp zImage, the Image is recompressed with gzip, XZ,
LZMA, LZO, LZ4 (legacy frame) and zstd and put back behind the same
decompressor, with the header's end and the KLSZ table's size-trailer
offset moved to match (the result has the layout of a Linux build; its
decompressor would not boot it, pvpatch only reads it). pvpatch must give
byte-identical Images and site tables for every format. Then the refusals:
a payload cut short or damaged (named by format), magic numbers and a
complete stream in the decompressor's data that must not be taken, and two
payloads where the header has no table to choose.

Python's zlib/lzma make gzip, XZ and LZMA; lzop, lz4 and zstd come from
tools/bootstrap.sh. Needs PV_GUEST_PKGS and PV_PVPATCH (set by meson).
"""
import gzip
import lzma
import random
import shutil
import struct
import subprocess

import pytest

from test_pvpatch_debian import _pkgs, run

FORMATS = ["gzip", "XZ", "LZMA", "LZO", "LZ4", "zstd"]
u32 = lambda b, o: struct.unpack_from("<I", b, o)[0]


def _cli(argv, data, tmp):
    if not shutil.which(argv[0]):
        pytest.fail(f"{argv[0]} is not installed: run tools/bootstrap.sh")
    src = tmp / "Image.raw"
    src.write_bytes(data)
    return subprocess.run(argv + [str(src)], capture_output=True, check=True,
                          timeout=120).stdout


def compress(fmt, img, tmp):
    """The piggy_data a Linux build would make (fast levels: same formats)."""
    size = struct.pack("<I", len(img))
    if fmt == "gzip":  # gzip's own ISIZE is the trailer
        return gzip.compress(img, compresslevel=1, mtime=0)
    if fmt == "XZ":  # like scripts/xz_wrap.sh: CRC32, the ARM BCJ filter
        return lzma.compress(img, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32,
                             filters=[{"id": lzma.FILTER_ARM},
                                      {"id": lzma.FILTER_LZMA2, "preset": 0}]) + size
    if fmt == "LZMA":
        return lzma.compress(img, format=lzma.FORMAT_ALONE, preset=0) + size
    if fmt == "LZO":
        return _cli(["lzop", "-c", "-1"], img, tmp) + size
    if fmt == "LZ4":
        return _cli(["lz4", "-l", "-c", "-1", "-q"], img, tmp) + size
    if fmt == "zstd":
        return _cli(["zstd", "-c", "-1", "-q"], img, tmp) + size
    raise AssertionError(fmt)


class Z:
    """The Debian zImage cut into decompressor, piggy and tail."""

    def __init__(self, data):
        self.data = data
        assert u32(data, 0x34) == 0x45454545, "no table pointer at 0x34"
        self.table = u32(data, 0x38)
        assert u32(data, self.table + 4) == 0x5A534C4B, "no KLSZ table"
        self.trailer = u32(data, self.table + 8)
        # The XZ stream that ends exactly at the trailer is the payload.
        pos = -1
        while True:
            pos = data.find(b"\xfd7zXZ\x00", pos + 1)
            assert pos >= 0, "no XZ payload ending at the size trailer"
            d = lzma.LZMADecompressor()
            try:
                img = d.decompress(data[pos:self.trailer + 4])
            except lzma.LZMAError:
                continue
            if d.eof and d.unused_data == data[self.trailer:self.trailer + 4]:
                break
        self.start, self.image = pos, img
        assert u32(data, self.trailer) == len(img)

    def build(self, piggy, *, decoy=b"", table=True, size_in_piggy=True):
        """A zImage with @piggy (stream + size word) after the decompressor
        and @decoy; the header's end and table follow the move."""
        head = bytearray(self.data[:self.start] + decoy)
        tail = self.data[self.trailer + 4:]
        z = head + piggy + tail
        delta = len(z) - len(self.data)
        struct.pack_into("<I", z, 0x2C, u32(self.data, 0x2C) + delta)
        struct.pack_into("<I", z, self.table + 8, len(head) + len(piggy) - 4)
        if not table:
            struct.pack_into("<I", z, 0x34, 0)
        return bytes(z)


@pytest.fixture(scope="module")
def zimg():
    return Z(_pkgs().read_bytes())


@pytest.fixture(scope="module")
def reference(zimg, tmp_path_factory):
    out = tmp_path_factory.mktemp("ref")
    res = run("-o", out / "Image", "--sites", out / "sites", _pkgs())
    assert res.returncode == 0, res.stderr
    assert "zImage payload: XZ at 0x%x" % zimg.start in res.stdout, res.stdout
    return (out / "Image").read_bytes(), (out / "sites").read_bytes()


@pytest.fixture(scope="module")
def piggies(zimg, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("piggy")
    return {f: compress(f, zimg.image, tmp) for f in FORMATS}


def patch(tmp, zbytes, name="zImage"):
    (tmp / name).write_bytes(zbytes)
    res = run("-o", tmp / "Image", "--sites", tmp / "sites", tmp / name)
    return res


def assert_same(res, tmp, reference):
    assert res.returncode == 0, res.stderr
    assert (tmp / "Image").read_bytes() == reference[0]
    assert (tmp / "sites").read_bytes() == reference[1]


def assert_refused(res, tmp, *words):
    assert res.returncode != 0, res.stdout
    assert not (tmp / "Image").exists() and not (tmp / "sites").exists()
    for w in words:
        assert w in res.stderr, (w, res.stderr)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_gives_the_same_image_and_sites(fmt, zimg, piggies, reference,
                                                     tmp_path):
    res = patch(tmp_path, zimg.build(piggies[fmt]))
    assert_same(res, tmp_path, reference)
    assert f"zImage payload: {fmt} at 0x{zimg.start:x}" in res.stdout, res.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_payload_cut_short_is_named(fmt, zimg, piggies, tmp_path):
    # The header stays consistent (the table points at the new trailer):
    # only the stream lacks its second half.
    p = piggies[fmt]
    half = p[:len(p) // 2]
    cut = half if fmt == "gzip" else half + p[-4:]
    res = patch(tmp_path, zimg.build(cut))
    assert_refused(res, tmp_path, f"the {fmt} payload at 0x{zimg.start:x} is truncated")


# The damage: 64 bytes of 0xFF mid-stream. LZ4's legacy frame has no
# checksum, so there the second block's size is spoiled instead (a literal
# run damaged in place would unpack, undetectably, to the right size; the
# kernel's own decompressor could not tell either).
@pytest.mark.parametrize("fmt", FORMATS)
def test_payload_damaged_is_named(fmt, zimg, piggies, tmp_path):
    p = bytearray(piggies[fmt])
    if fmt == "LZ4":
        struct.pack_into("<I", p, 8 + u32(p, 4), 0x7FFFFFFF)
    else:
        mid = len(p) // 2
        p[mid:mid + 64] = b"\xff" * 64
    res = patch(tmp_path, zimg.build(bytes(p)))
    assert_refused(res, tmp_path, f"zImage: ")
    # Either the library's verdict or the size check: both name the format.
    assert (f"zImage: {fmt} payload corrupt" in res.stderr or
            f"the {fmt} payload at 0x{zimg.start:x} unpacks to" in res.stderr), res.stderr


def test_file_cut_short(zimg, tmp_path):
    res = patch(tmp_path, zimg.data[:len(zimg.data) // 2])
    assert_refused(res, tmp_path, "truncated")


def decoys(zimg):
    """Every format's magic followed by noise, and a complete gzip stream of
    ARM code with its size word: all in the decompressor's data."""
    rnd = random.Random(15)
    magics = [b"\x1f\x8b\x08\x00", b"\xfd7zXZ\x00", b"\x5d\x00\x00\x80\x00" + b"\xff" * 8,
              b"\x89LZO\x00\r\n\x1a\n", b"\x02\x21\x4c\x18", b"\x28\xb5\x2f\xfd"]
    out = b"".join(m + bytes(rnd.randrange(256) for _ in range(512)) for m in magics)
    fake = struct.pack("<I", 0xE1A00000) * 4096  # 16 KiB of "mov r0, r0"
    return out + gzip.compress(fake, mtime=0) + b"\0" * 64


def test_decoys_in_the_decompressor_are_not_taken(zimg, reference, tmp_path):
    xz = zimg.data[zimg.start:zimg.trailer + 4]
    res = patch(tmp_path, zimg.build(xz, decoy=decoys(zimg)))
    assert_same(res, tmp_path, reference)


def test_without_the_table_the_trailer_still_decides(zimg, reference, tmp_path):
    # Older zImages have no KLSZ table: the stream whose next word is its
    # size wins; noise behind magic numbers still cannot.
    rnd = random.Random(1)
    noise = b"".join(m + bytes(rnd.randrange(256) for _ in range(256))
                     for m in (b"\xfd7zXZ\x00", b"\x02\x21\x4c\x18", b"\x1f\x8b\x08\x00"))
    xz = zimg.data[zimg.start:zimg.trailer + 4]
    res = patch(tmp_path, zimg.build(xz, decoy=noise, table=False))
    assert_same(res, tmp_path, reference)


def test_two_payloads_without_a_table_are_refused(zimg, piggies, tmp_path):
    xz = zimg.data[zimg.start:zimg.trailer + 4]
    res = patch(tmp_path, zimg.build(xz, decoy=piggies["LZ4"], table=False))
    assert_refused(res, tmp_path, "two payloads", "LZ4 at 0x", "XZ at 0x")


def test_unsupported_compressor_is_named(zimg, tmp_path):
    import bz2
    piggy = bz2.compress(zimg.image, 1) + struct.pack("<I", len(zimg.image))
    res = patch(tmp_path, zimg.build(piggy))
    assert_refused(res, tmp_path, "no gzip, XZ, LZMA, LZO, LZ4 or zstd payload")
