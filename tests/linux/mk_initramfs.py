#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the busybox initramfs of the Linux guest as a newc cpio archive.

    mk_initramfs.py <busybox (static armhf)> <init script> <out.cpio> [<path>=<file>...]

Each <path>=<file> adds a file (mode 0755), e.g. bin/pvbench=<build>/pvbench
(bench/bench-linux.sh). <path>=<directory> adds that directory's tree under
<path> (directories 0755, files 0644, in sorted order; symlinks and special
files are refused), e.g. lib/modules/<version>=<module tree> (the
linux-modules system test). Parent directories an added path needs are
created (0755); without extra arguments the archive is as it always was.

Written directly (not with cpio(1)) so that /dev/console can be a device
node without root rights, and so that the archive is byte-reproducible
(fixed inode numbers, owners and times). The kernel needs /dev/console in
the initramfs: without it /init runs with no stdout.
"""
import os
import sys

S_IFDIR, S_IFREG, S_IFCHR = 0o040000, 0o100000, 0o020000


def entry(ino, name, mode, data=b"", rdev=(0, 0)):
    name_b = name.encode() + b"\0"
    hdr = "070701" + "".join("%08X" % v for v in (
        ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
        len(name_b), 0))
    out = hdr.encode() + name_b
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out


def tree(path, top):
    """The entries of directory @top under @path: @path itself, then its
    contents depth first in name order."""
    out = [(path, S_IFDIR | 0o755, b"", (0, 0))]
    for name in sorted(os.listdir(top)):
        full = os.path.join(top, name)
        if os.path.islink(full):
            sys.exit(f"mk_initramfs: {full}: symlinks are not supported")
        if os.path.isdir(full):
            out.extend(tree(f"{path}/{name}", full))
        elif os.path.isfile(full):
            out.append((f"{path}/{name}", S_IFREG | 0o644,
                        open(full, "rb").read(), (0, 0)))
        else:
            sys.exit(f"mk_initramfs: {full}: not a file or directory")
    return out


def main():
    if len(sys.argv) < 4 or any("=" not in a for a in sys.argv[4:]):
        sys.exit(__doc__)
    busybox = open(sys.argv[1], "rb").read()
    init = open(sys.argv[2], "rb").read()
    items = [
        ("dev", S_IFDIR | 0o755, b"", (0, 0)),
        ("dev/console", S_IFCHR | 0o600, b"", (5, 1)),
        ("dev/null", S_IFCHR | 0o666, b"", (1, 3)),
        ("proc", S_IFDIR | 0o755, b"", (0, 0)),
        ("sys", S_IFDIR | 0o755, b"", (0, 0)),
        ("bin", S_IFDIR | 0o755, b"", (0, 0)),
        ("sbin", S_IFDIR | 0o755, b"", (0, 0)),
        ("tmp", S_IFDIR | 0o1777, b"", (0, 0)),
        ("usr", S_IFDIR | 0o755, b"", (0, 0)),
        ("usr/bin", S_IFDIR | 0o755, b"", (0, 0)),
        ("usr/sbin", S_IFDIR | 0o755, b"", (0, 0)),
        ("bin/busybox", S_IFREG | 0o755, busybox, (0, 0)),
        ("init", S_IFREG | 0o755, init, (0, 0)),
    ]
    for extra in sys.argv[4:]:
        path, file = extra.split("=", 1)
        path = path.strip("/")
        have = {n for n, *_ in items}
        parts = path.split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            if d not in have:
                items.append((d, S_IFDIR | 0o755, b"", (0, 0)))
                have.add(d)
        if os.path.isdir(file):
            items.extend(tree(path, file)[path in have:])
        else:
            items.append((path, S_IFREG | 0o755, open(file, "rb").read(),
                          (0, 0)))
    out = b"".join(entry(i + 1, n, m, d, r) for i, (n, m, d, r)
                   in enumerate(items))
    out += entry(0, "TRAILER!!!", 0)
    out += b"\0" * (-len(out) % 512)
    with open(sys.argv[3], "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
