#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""modules.dep for a module tree without kmod's depmod on the host.

    moddep.py <lib/modules/VERSION dir>

Reads each module's `depends=` (and `name=`) from its .modinfo section and
writes modules.dep in depmod's format: "kernel/a/b.ko: kernel/c.ko ...",
the full set of modules it needs, each listed after the modules that need
it (so the last one is loaded first, as modprobe does). .ko.xz is read
through Python's lzma. Written for the patched tree of tools/mk-modules.sh.
"""
import lzma
import os
import struct
import sys


def modinfo_items(data):
    """Every key=value of a module's .modinfo, in order (keys such as
    alias repeat); tools/rootfs/modalias.py uses it too."""
    if data[:6] == b"\xfd7zXZ\x00":
        data = lzma.decompress(data)
    if data[:4] != b"\x7fELF" or data[4] != 1:
        raise ValueError("not an ELF32 module")
    shoff, = struct.unpack_from("<I", data, 32)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 46)
    secs = [struct.unpack_from("<IIIIII", data, shoff + i * shentsize)
            for i in range(shnum)]
    stroff = secs[shstrndx][4]
    for name, _typ, _fl, _addr, off, size in secs:
        end = data.index(b"\0", stroff + name)
        if data[stroff + name:end] == b".modinfo":
            return [(k.decode(), v.decode()) for k, eq, v in
                    (item.partition(b"=")
                     for item in data[off:off + size].split(b"\0")) if eq]
    return []


def modinfo(data):
    """The first value of each .modinfo key."""
    fields = {}
    for k, v in modinfo_items(data):
        fields.setdefault(k, v)
    return fields


def main(root):
    paths = {}
    deps = {}
    for d, _, files in os.walk(os.path.join(root, "kernel")):
        for f in files:
            if f.endswith(".ko") or f.endswith(".ko.xz"):
                full = os.path.join(d, f)
                rel = os.path.relpath(full, root)
                with open(full, "rb") as fh:
                    info = modinfo(fh.read())
                name = info.get("name") or f.split(".ko")[0]
                name = name.replace("-", "_")
                paths[name] = rel
                deps[name] = [x.replace("-", "_")
                              for x in info.get("depends", "").split(",") if x]
    out = []
    missing = set()
    for name in sorted(paths, key=lambda n: paths[n]):
        order = []

        def visit(n, seen):
            for dep in deps.get(n, []):
                if dep not in paths:
                    missing.add((name, dep))
                    continue
                if dep in seen:
                    continue
                seen.add(dep)
                if dep in order:
                    order.remove(dep)
                order.append(dep)
                visit(dep, seen)
                seen.discard(dep)
        visit(name, set())
        out.append(paths[name] + ":" +
                   "".join(" " + paths[d] for d in order))
    with open(os.path.join(root, "modules.dep"), "w") as fh:
        fh.write("\n".join(out) + "\n")
    for name, dep in sorted(missing):
        print(f"moddep: {name} needs {dep}, which is not in the tree",
              file=sys.stderr)
    print(f"moddep: {len(paths)} modules, {len(missing)} missing dependencies")


if __name__ == "__main__":
    main(sys.argv[1])
