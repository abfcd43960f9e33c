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
import importlib.util
import os
import sys

# The .modinfo reader of tools/pvpatch/moddep.py.
_spec = importlib.util.spec_from_file_location(
    "moddep", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "..", "pvpatch", "moddep.py"))
moddep = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(moddep)


def aliases(data):
    """(module name or None, [aliases]) from a module's .modinfo."""
    items = moddep.modinfo_items(data)
    names = [v for k, v in items if k == "name"]
    return (names[0] if names else None), [v for k, v in items if k == "alias"]


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
