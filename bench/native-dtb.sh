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
#   bench/native-dtb.sh <out.dtb> [<virtual board dtb>]
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: $0 <out.dtb> [<virtual board dtb>]}
sed -e 's/0x00a0/0x1e00/g; s/@a0/@1e0/g; s/0x1c090000/0x10009000/' \
    -e 's/memory@10000000/memory@60000000/; s/<0x10000000 0x08000000>/<0x60000000 0x08000000>/' \
    -e '/enable-method/d' "$src/dts/pvboard.dts" |
	python3 -c 'import re,sys; print(re.sub(r"\tpsci \{.*?\};\n", "", sys.stdin.read(), flags=re.S))' \
	> "${out%.dtb}.dts"
dtc -q -I dts -O dtb -o "$out" "${out%.dtb}.dts"
if [ -n "${2:-}" ]; then
	compat() { dtc -q -I dtb -O dts "$1" | grep -o 'compatible = .*' | grep -v psci | sort; }
	[ "$(compat "$out")" = "$(compat "$2")" ] || {
		echo "native-dtb: the native tree's devices differ from those of $2: ${out%.dtb}.dts" >&2
		exit 1
	}
fi
