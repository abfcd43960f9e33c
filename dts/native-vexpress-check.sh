#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Native plausibility check of dts/pvboard.dts (not part of `meson test`):
# move the board's addresses to QEMU vexpress-a9's (same A9 MPCore
# peripherals), drop the PSCI node (SMC hangs without a monitor) and boot
# the unmodified Debian armmp kernel on it. Passing means the generic DT
# machine, earlycon, the PL011 console, the GIC and the TWD tick all work
# from this tree; the run ends at "Unable to mount root fs" (no initrd).
# Usage: dts/native-vexpress-check.sh <guest-pkgs-dir>   (tools/fetch-armhf.sh)
set -euo pipefail
pkgs=${1:-${PV_GUEST_PKGS:-}}
[ -n "$pkgs" ] || { echo "usage: $0 <guest-pkgs-dir> (or PV_GUEST_PKGS)" >&2; exit 2; }
kernel=$(ls "$pkgs"/boot/vmlinuz-*-armmp 2>/dev/null | head -1)
[ -f "$kernel" ] || { echo "FAIL: no vmlinuz-*-armmp under $pkgs/boot" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -e 's/0x00a0/0x1e00/g; s/@a0/@1e0/g; s/0x1c090000/0x10009000/' \
    -e 's/memory@10000000/memory@60000000/; s/<0x10000000 0x08000000>/<0x60000000 0x08000000>/' \
    -e '/enable-method/d' "$here/pvboard.dts" |
	python3 -c 'import re,sys; print(re.sub(r"\tpsci \{.*?\};\n", "", sys.stdin.read(), flags=re.S))' \
	> "$tmp/vexpress.dts"
dtc -q -I dts -O dtb -o "$tmp/vexpress.dtb" "$tmp/vexpress.dts"
# The generic machine cannot reboot, so stop QEMU once the panic shows.
timeout 120 qemu-system-arm -M vexpress-a9 -m 128 -nographic -no-reboot \
	-kernel "$kernel" -dtb "$tmp/vexpress.dtb" \
	-append "console=ttyAMA0 earlycon" > "$tmp/log" 2>&1 &
qemu=$!
for _ in $(seq 240); do
	grep -q "Unable to mount root fs" "$tmp/log" && break
	kill -0 $qemu 2>/dev/null || break
	sleep 0.5
done
kill $qemu 2>/dev/null || true
wait $qemu 2>/dev/null || true
for want in "Machine model: pvcore virtual Cortex-A9 board" "earlycon: pl11" \
	    "ttyAMA0 at MMIO" "Calibrating delay loop" "Unable to mount root fs"; do
	grep -q "$want" "$tmp/log" || { echo "FAIL: no \"$want\" in the boot log" >&2; tail -20 "$tmp/log" >&2; exit 1; }
done
echo "PASS: Debian armmp boots natively on the pvboard tree (vexpress addresses)"
