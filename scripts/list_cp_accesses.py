#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""List every MCR/MRC/MCRR/MRRC access to CP14/CP15 in an ARM Linux kernel.

    scripts/list_cp_accesses.py <vmlinuz or Image> [--vma 0xc0008000] [--map System.map]

The kernel may be a zImage (the XZ-compressed Image is found by its stream
magic and unpacked with Python's lzma) or a raw Image. The Image is
disassembled as flat ARM code with arm-none-eabi-objdump. A flat binary
mixes code with read-only data, so the listing keeps only 64 KiB chunks
that look like code (fewer than 2 % of the words disassemble as
UNDEFINED/UNPREDICTABLE; read-only data runs at 5-50 %), and drops the
MCR2/MRC2 (cond = 1111) forms, which are not CP14/CP15 accesses on ARMv7.

Output: one line per distinct access, "cp opc1 crn crm opc2 r|w count
first_address" (crn = 64 for MCRR/MRRC), sorted.
"""
import argparse
import collections
import lzma
import re
import shutil
import subprocess
import sys

XZ_MAGIC = b"\xfd7zXZ\x00"
DEFAULT_VMA = 0xC0008000  # PAGE_OFFSET + TEXT_OFFSET of the armmp kernels
CHUNK_SHIFT = 16
CODE_MAX_BAD = 0.02

_REG = r"(?:r\d+|sl|fp|ip|sp|lr|pc|APSR_nzcv)"
_CONDS = "eq|ne|cs|cc|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al|hs|lo"
_INSN = re.compile(
    r"^\s*([0-9a-f]+):\s+[0-9a-f]{8}\s+(mcrr|mrrc|mcr|mrc)(2?)(?:" + _CONDS +
    r")?\s+(1[45]), (\d+), (" + _REG + r"), (?:(" + _REG + r"), )?cr(\d+)"
    r"(?:, cr(\d+))?(?:, \{(\d+)\})?")
_LINE = re.compile(r"^\s*([0-9a-f]+):\s+[0-9a-f]{8}\s")


def extract_image(blob):
    """The decompressed Image from a zImage, or @blob itself if it is one."""
    pos = 0
    while True:
        i = blob.find(XZ_MAGIC, pos)
        if i < 0:
            break
        try:
            # The decompressor's own copy of the magic fails; the payload
            # decodes (trailing size words are ignored by the decompressor).
            return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(blob[i:])
        except lzma.LZMAError:
            pos = i + 1
    if blob[0x24:0x28] == b"\x18\x28\x6f\x01":
        raise ValueError("zImage without an XZ payload (unsupported compression)")
    return blob


def load_address(system_map):
    """_text from a System.map, or None if the map has no such symbol."""
    try:
        with open(system_map) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[2] == "_text":
                    return int(parts[0], 16)
    except OSError:
        pass
    return None


def list_accesses(image_path, vma):
    objdump = shutil.which("arm-none-eabi-objdump")
    if objdump is None:
        raise RuntimeError("arm-none-eabi-objdump not found")
    proc = subprocess.Popen(
        [objdump, "-D", "-b", "binary", "-marm", f"--adjust-vma={vma:#x}",
         image_path], stdout=subprocess.PIPE, text=True, bufsize=1 << 20)
    total = collections.Counter()
    bad = collections.Counter()
    found = []
    for line in proc.stdout:
        m = _LINE.match(line)
        if not m:
            continue
        chunk = int(m.group(1), 16) >> CHUNK_SHIFT
        total[chunk] += 1
        if "UNDEFINED" in line or "UNPREDICTABLE" in line:
            bad[chunk] += 1
        if "mcr" not in line and "mrc" not in line:
            continue
        im = _INSN.match(line)
        if not im:
            continue
        addr, op, two, cp, opc1, _rt, _rt2, crn, crm, opc2 = im.groups()
        if two:
            continue
        if op in ("mcrr", "mrrc"):
            key = (int(cp), int(opc1), 64, int(crn), 0)
        else:
            key = (int(cp), int(opc1), int(crn), int(crm), int(opc2 or 0))
        found.append((key + ("r" if op.startswith("mr") else "w",),
                      int(addr, 16), chunk))
    if proc.wait() != 0:
        raise RuntimeError("objdump failed")
    code = {c for c in total if bad[c] < CODE_MAX_BAD * total[c]}
    accesses = {}
    for key, addr, chunk in found:
        if chunk not in code:
            continue
        n, first = accesses.get(key, (0, addr))
        accesses[key] = (n + 1, min(first, addr))
    return accesses, len(code), len(total)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kernel")
    ap.add_argument("--vma", type=lambda s: int(s, 0), default=None)
    ap.add_argument("--map", default=None, help="System.map (for _text)")
    ap.add_argument("--image-out", default=None,
                    help="where to write the extracted Image")
    args = ap.parse_args()
    vma = args.vma or (args.map and load_address(args.map)) or DEFAULT_VMA
    with open(args.kernel, "rb") as f:
        image = extract_image(f.read())
    out = args.image_out or "/tmp/list_cp_accesses.Image"
    with open(out, "wb") as f:
        f.write(image)
    accesses, ncode, nchunks = list_accesses(out, vma)
    print(f"# {len(accesses)} distinct accesses, {ncode}/{nchunks} code chunks, "
          f"vma {vma:#x}", file=sys.stderr)
    for key in sorted(accesses):
        n, first = accesses[key]
        print(*key, n, f"{first:#010x}")


if __name__ == "__main__":
    main()
