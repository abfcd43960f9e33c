#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""modules.alias for a module tree, for hosts without kmod's depmod.

    modalias.py <lib/modules/VERSION dir>

Writes "alias <alias> <module>" lines from every module's .modinfo
`alias=` fields, in depmod's format. busybox modprobe reads the file when
a name is not a module, so that the kernel's own requests (for example
"crypto-crc32c" when ext4 mounts a filesystem with metadata_csum) find
their module. Modules are ELF32 .ko or .ko.xz.
"""
import lzma
import os
import struct
import sys


def aliases(data):
    """(module name or None, [aliases]) from a module's .modinfo."""
    if data[:6] == b"\xfd7zXZ\x00":
        data = lzma.decompress(data)
    if data[:4] != b"\x7fELF" or data[4] != 1:
        raise ValueError("not an ELF32 module")
    shoff, = struct.unpack_from("<I", data, 32)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 46)
    sections = [struct.unpack_from("<IIIIII", data, shoff + i * shentsize)
                for i in range(shnum)]
    names = sections[shstrndx][4]
    for name_off, _t, _f, _a, off, size in sections:
        end = data.index(b"\0", names + name_off)
        if data[names + name_off:end] != b".modinfo":
            continue
        name, found = None, []
        for item in data[off:off + size].split(b"\0"):
            key, eq, value = item.partition(b"=")
            if not eq:
                continue
            if key == b"alias":
                found.append(value.decode())
            elif key == b"name" and name is None:
                name = value.decode()
        return name, found
    return None, []


def main(root):
    lines = []
    for d, _, files in sorted(os.walk(os.path.join(root, "kernel"))):
        for f in sorted(files):
            if not (f.endswith(".ko") or f.endswith(".ko.xz")):
                continue
            with open(os.path.join(d, f), "rb") as fh:
                name, found = aliases(fh.read())
            name = (name or f.split(".ko")[0]).replace("-", "_")
            lines.extend(f"alias {a} {name}" for a in found)
    with open(os.path.join(root, "modules.alias"), "w") as fh:
        fh.write("# Aliases extracted from modules' modinfo (modalias.py)\n")
        fh.write("".join(line + "\n" for line in lines))
    print(f"modalias: {len(lines)} aliases in {root}/modules.alias")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
