#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The native baseline's device tree (docs/performance.md): the virtual
# board's tree, dts/pvboard.dts, moved to QEMU vexpress-a9's addresses (A9
# MPCore peripherals at 0x1e000000, PL011 at 0x10009000, RAM at
# 0x60000000) and without PSCI (an SMC hangs without a monitor): the edit
# of dts/native-vexpress-check.sh. QEMU fills /chosen from -append and
# -initrd. Fails unless the result has the virtual board's devices, PSCI
# aside (compared with <virtual board dtb>, e.g. a bench image's linux.dtb).
#
#   bench/native-dtb.sh [--board virtio <virtio board dts>] <out.dtb> [<virtual board dtb>]
#
# --board virtio: the virtio board's tree (`mkdts --board virtio`, a file
# or - for stdin) instead. Its virtio-mmio nodes are checked and left out:
# QEMU's vexpress-a9 has four virtio-mmio transports (0x10013000 + n *
# 0x200, SPI 40 + n, hw/arm/vexpress.c) and writes their nodes into the
# tree it is given (/virtio_mmio@<addr>, edge-triggered, dma-coherent).
# It refuses a tree that already has a node of that name, and a copy
# under another name would describe each transport twice; so the native
# tree relies on QEMU's. `-device virtio-*-device` fill the transports.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: $0 [--board virtio <virtio board dts>] <out.dtb> [<virtual board dtb>]"
die() { echo "native-dtb: error: $*" >&2; exit 1; }
board=default
in=$src/dts/pvboard.dts
if [ "${1:-}" = --board ]; then
	[ "${2:-}" = virtio ] || die "--board takes 'virtio' (the default board needs no option); $usage"
	board=virtio
	in=${3:?$usage}
	shift 3
fi
out=${1:?$usage}
if [ $board = virtio ]; then
	tmp=$(mktemp)
	trap 'rm -f "$tmp"' EXIT
	cat "$in" > "$tmp" || die "cannot read the virtio board's tree '$in' (make it with: mkdts --board virtio -o <file>)"
	in=$tmp
	n=$(grep -c 'compatible = "virtio,mmio"' "$in" || true)
	[ "$n" -ge 1 ] || die "'$3' has no virtio,mmio node: pass the output of mkdts --board virtio"
	[ "$n" -le 4 ] || die "the virtio board has $n virtio devices; QEMU's vexpress-a9 has 4 transports"
fi
sed -e 's/0x00a0/0x1e00/g; s/@a0/@1e0/g; s/0x1c090000/0x10009000/' \
    -e 's/memory@10000000/memory@60000000/; s/<0x10000000 0x08000000>/<0x60000000 0x08000000>/' \
    -e '/enable-method/d' "$in" |
	python3 -c '
import re, sys
t = sys.stdin.read()
t = re.sub(r"\tpsci \{.*?\};\n", "", t, flags=re.S)
# The virtio board: its transports are QEMU'"'"'s (above).
t = re.sub(r"\n\n\t\t/\* virtio-\w+ \*/\n\t\tvirtio@[0-9a-f]+ \{.*?\n\t\t\};(?=\n)", "", t, flags=re.S)
print(t)' > "${out%.dtb}.dts"
if [ $board = virtio ] && grep -q 'virtio,mmio' "${out%.dtb}.dts"; then
	die "could not take the virtio nodes out of the tree (has mkdts changed their layout?): ${out%.dtb}.dts"
fi
dtc -q -I dts -O dtb -o "$out" "${out%.dtb}.dts"
if [ -n "${2:-}" ]; then
	compat() { dtc -q -I dtb -O dts "$1" | grep -o 'compatible = .*' | grep -v -e psci -e virtio,mmio | sort; }
	[ "$(compat "$out")" = "$(compat "$2")" ] || {
		echo "native-dtb: the native tree's devices differ from those of $2: ${out%.dtb}.dts" >&2
		exit 1
	}
fi
