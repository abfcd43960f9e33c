#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turn the conformance guest ELF into a pvbm guest blob.

The guest records every sensitive instruction (DESIGN.md: CPS, MRS/MSR,
SRS, RFE, LDM/STM ^, SUBS PC, LDRT/STRT, WFI...) in the non-loaded section
.pv_sens as (address, class | 0x10000 for Thumb). This tool

1. extracts the flat binary (it is loaded at its link address, the first
   byte of guest RAM, by pvbm),
2. rewrites each recorded site into the pvpatch trap word of its ISA and
   class (include/pvcore/patch.h: A32 UDF #0x5Axx, T32 UDF.W, T16 UDF),
3. writes the site table in pvpatch's on-disk manifest format (patch.h),
4. writes an assembler file that embeds both: the binary in .guest_blob
   (pvbm.ld) and the manifest between pvbm_guest_sites_start/_end.

Usage: mkguest.py --objcopy OBJCOPY guest.elf out.S out.bin out.sites
"""
import argparse
import hashlib
import os
import re
import struct
import subprocess
import sys
import zlib

PV_PATCH_MAGIC = 0x54495350
A32_BASE, T32_BASE, T16_BASE = 0xE7F5A0F0, 0xF7F5AA00, 0xDE80
SITE_THUMB, SITE_T16 = 1, 2


def sections(elf):
    if elf[:4] != b"\x7fELF" or elf[4] != 1 or elf[5] != 1:
        sys.exit("mkguest: not a little-endian ELF32 file")
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


# Sensitive at PL0 (DESIGN.md section 4), as objdump spells them: an
# independent check that every one of them went through SENS.
SENSITIVE = re.compile(
    r"^\s*([0-9a-f]+):\s+(?:[0-9a-f]{4} [0-9a-f]{4}|[0-9a-f]{8}|[0-9a-f]{4})\s+"
    r"(?:(?:cps|cpsie|cpsid|mrs|msr|srs\w*|rfe\w*|wfi|wfe)(?:\.w|\.n|eq|ne|"
    r"cs|cc|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)*(?:\s|$)"
    r"|(?:ldr|str)(?:s?b|s?h)?t\w*\s"
    r"|\w+s(?:\.w)?\s+pc,"
    r"|(?:ldm|stm)\w*\s.*\^)")


def unrecorded_sites(objcopy, elf, sites):
    objdump = objcopy.replace("objcopy", "objdump")
    out = subprocess.run([objdump, "-d", elf], check=True, capture_output=True,
                         text=True).stdout
    missed = []
    for line in out.splitlines():
        m = SENSITIVE.match(line)
        if m and int(m.group(1), 16) not in sites:
            missed.append(line.strip())
    return missed


def marker_a32(cls):
    return A32_BASE | ((cls >> 4) & 0xF) << 8 | (cls & 0xF)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--objcopy", default="arm-none-eabi-objcopy")
    ap.add_argument("elf")
    ap.add_argument("out_s")
    ap.add_argument("out_bin")
    ap.add_argument("out_sites")
    a = ap.parse_args()

    elf = open(a.elf, "rb").read()
    secs = sections(elf)
    base = min(h[3] for n, h in secs.items() if h[2] & 2 and h[1] == 1)
    subprocess.run([a.objcopy, "-O", "binary", a.elf, a.out_bin], check=True)
    img = bytearray(open(a.out_bin, "rb").read())
    if ".pv_sens" not in secs:
        sys.exit("mkguest: no .pv_sens section: nothing recorded")
    h = secs[".pv_sens"]
    raw = elf[h[4]:h[4] + h[5]]
    sites = {}
    for va, cls in struct.iter_unpack("<II", raw):
        thumb = bool(cls & 0x10000)
        cls &= 0xFFFF
        va &= ~1
        off = va - base
        if not 0 <= off < len(img):
            sys.exit(f"mkguest: site {va:#x} outside the image")
        if thumb:
            hw1, hw2 = struct.unpack_from("<HH", img, off)
            if (hw1 >> 11) >= 0x1D:
                orig = hw1 << 16 | hw2
                mark = T32_BASE | cls
                struct.pack_into("<HH", img, off, mark >> 16, mark & 0xFFFF)
                flags = SITE_THUMB
            else:
                assert cls < 64
                orig, mark = hw1, T16_BASE | cls
                struct.pack_into("<H", img, off, mark)
                flags = SITE_THUMB | SITE_T16
        else:
            if va & 3:
                sys.exit(f"mkguest: misaligned ARM site {va:#x}")
            orig, = struct.unpack_from("<I", img, off)
            mark = marker_a32(cls)
            struct.pack_into("<I", img, off, mark)
            flags = 0
        if va in sites:
            sys.exit(f"mkguest: site {va:#x} recorded twice")
        sites[va] = (va, orig, mark, cls, flags)
    open(a.out_bin, "wb").write(img)
    missed = unrecorded_sites(a.objcopy, a.elf, sites)
    if missed:
        sys.exit("mkguest: sensitive instructions not recorded with SENS "
                 "(they would run unpatched under the VMM):\n  " +
                 "\n  ".join(missed))

    strtab = b"conformance\0"
    entries = b"".join(struct.pack("<IIIHH", *sites[v]) for v in sorted(sites))
    names = b"".join(struct.pack("<I", 0) for _ in sites)
    hdr = struct.pack("<IHHIIIIII", PV_PATCH_MAGIC, 1, 32, len(sites), 16,
                      base, len(img), len(strtab), 0)
    blob = bytearray(hdr + entries + names + strtab)
    struct.pack_into("<I", blob, 28, zlib.crc32(bytes(blob)) & 0xFFFFFFFF)
    open(a.out_sites, "wb").write(blob)

    binp, sitep = os.path.abspath(a.out_bin), os.path.abspath(a.out_sites)
    with open(a.out_s, "w") as f:
        # The digest makes the .S itself change with what it includes, so
        # that its object is rebuilt whenever the guest is.
        digest = hashlib.sha256(bytes(img) + bytes(blob)).hexdigest()
        f.write(f"""/* Generated by mkguest.py from {os.path.basename(a.elf)}:
 * {len(sites)} patched sites. Do not edit.
 * sha256 of the image and site table: {digest} */
	.section .guest_blob, "ax"
	.incbin "{binp}"
	.section .rodata.pvbm_guest_sites, "a"
	.balign 4
	.global pvbm_guest_sites_start, pvbm_guest_sites_end
pvbm_guest_sites_start:
	.incbin "{sitep}"
pvbm_guest_sites_end:
""")
    print(f"mkguest: {len(sites)} sites patched, image {len(img)} bytes")


if __name__ == "__main__":
    main()
