#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Trap maps: every trap of one iteration of a Linux workload under pvbm,
# with the guest instruction that trapped and the VMM instructions it cost,
# split into backend assembly, backend C and core, and the translation-
# register writes, cache/TLB maintenance and barriers on its path
# (docs/performance.md). Measured from QEMU, not from pvbm: each boot runs
# under gdb, which stops at the workload's timed loop and turns on QEMU's
# one-instruction translation blocks and exec log for a few iterations;
# bench/trapmap.py reads the log and maps the iteration with the fewest
# traps (one without a tick of the guest's timer).
#
#   bench/trapmap.sh <arm-none build dir> [workload...]   (default: getppid pagefault fork)
#
# Uses the images bench/bench-linux.sh left in PV_BENCH_OUT (run it first;
# `make bench` does), boots with the same -icount shift=0,sleep=off, skips
# the first iteration of the timed loop (PV_TRAPMAP_SKIP, default 1) and
# traces the next PV_TRAPMAP_ITERS (default 4). Kernel symbols come from
# /proc/kallsyms of a
# native boot of the same kernel. Output in PV_BENCH_OUT: trapmap-<w>.md
# (the map), trapmap-<w>.tsv and trapmap.tsv (all of them, for
# bench/report.py; copied to PV_TRAPMAP_TSV if set). A boot takes 5-10
# minutes of wall time (gdb checks every hit of the loop address).
# Environment: PV_BENCH_OUT, PV_GUEST_PKGS, PV_BENCH_JOBS, PV_BENCH_TIMEOUT
# as for bench-linux.sh; PV_TRAPMAP_KEEP=1 keeps the exec logs (hundreds
# of MB for fork).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: $0 <arm-none build dir> [workload...]}
shift
die() { echo "trapmap: error: $*" >&2; exit 1; }
[ -d "$build" ] || die "no build dir '$build'"
build=$(cd "$build" && pwd)
top=$(cd "$build/.." && pwd)
pkgs=${PV_GUEST_PKGS:-$top/armhf-pkgs/guest}
out=${PV_BENCH_OUT:-$build/linux-bench}
jobs=${PV_BENCH_JOBS:-1}
timeout_s=${PV_BENCH_TIMEOUT:-1800}
workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(getppid pagefault fork)
for t in qemu-system-arm gdb-multiarch arm-none-eabi-objdump arm-none-eabi-addr2line python3 timeout; do
	command -v $t >/dev/null || die "$t not found"
done
[ -d "$out" ] || die "no '$out': run bench/bench-linux.sh (make bench-linux) first"
out=$(cd "$out" && pwd)
pvbench=$build/tests/linux/bench/pvbench
vmlinuz=$(ls "$pkgs"/boot/vmlinuz-*-armmp 2>/dev/null | sort | tail -n 1 || true)
[ -n "$vmlinuz" ] || die "no Debian kernel in '$pkgs'"
pvpatch=${PV_PVPATCH:-$top/bench/tools/pvpatch/pvpatch}
[ -x "$pvpatch" ] || pvpatch=$top/host/tools/pvpatch/pvpatch
[ -x "$pvpatch" ] || die "no native pvpatch (set PV_PVPATCH)"
for w in "${workloads[@]}"; do
	img=$out/vmm-$w
	[ -f "$img/pvbm-linux.elf" ] || die "no $img/pvbm-linux.elf: run bench/bench-linux.sh with '$w' first"
	# The loop address comes from this pvbench: it must be the one in the image.
	python3 -c 'import sys; sys.exit(open(sys.argv[1],"rb").read() not in open(sys.argv[2],"rb").read())' \
		"$pvbench" "$img/initramfs.cpio" ||
		die "$pvbench is not the one in $img/initramfs.cpio: run bench/bench-linux.sh again"
done
pids=()
cleanup() { local p; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Kernel symbols: /proc/kallsyms of the same kernel, booted natively.
ks=$out/kallsyms.txt
if [ ! -s "$ks" ] || [ "$ks" -ot "$vmlinuz" ]; then
	echo "trapmap: kernel symbols from a native boot" >&2
	"$src/bench/native-dtb.sh" "$out/trapmap-native.dtb"
	cat > "$out/trapmap-ks-init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox echo kallsyms-begin
/bin/busybox grep -i ' [tw] ' /proc/kallsyms
/bin/busybox echo kallsyms-end
INIT
	python3 "$src/tests/linux/mk_initramfs.py" "$pkgs/bin/busybox" \
		"$out/trapmap-ks-init" "$out/trapmap-ks.cpio"
	timeout 600 qemu-system-arm -M vexpress-a9 -smp 1 -m 128M -display none \
		-monitor none -serial stdio -global cortex-a9-arm-cpu.midr=0x412fc09a \
		-kernel "$vmlinuz" -dtb "$out/trapmap-native.dtb" \
		-initrd "$out/trapmap-ks.cpio" -append "console=ttyAMA0 quiet" \
		</dev/null > "$out/trapmap-ks.log" 2>&1 &
	pids+=($!)
	while kill -0 ${pids[-1]} 2>/dev/null && ! grep -aq kallsyms-end "$out/trapmap-ks.log"; do
		sleep 1
	done
	kill ${pids[-1]} 2>/dev/null || true
	wait ${pids[-1]} 2>/dev/null || true
	sed -n '/kallsyms-begin/,/kallsyms-end/p' "$out/trapmap-ks.log" | tr -d '\r' |
		grep -E '^[0-9a-f]{8} ' > "$ks.tmp" || true
	[ "$(wc -l < "$ks.tmp")" -gt 10000 ] || die "no kernel symbols from the native boot: $out/trapmap-ks.log"
	mv "$ks.tmp" "$ks"
fi

# trace <workload>: one gdb-driven boot, then the analysis.
trace() {
	# Runs in a subshell of its own (&): qpid is global there, for the trap.
	local w=$1 img=$out/vmm-$1 pc word port t=$SECONDS rc=0
	read -r pc word < <(python3 "$src/bench/trapmap.py" loopend "$pvbench" "$w")
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	rm -f "$out/trapmap-$w.exec"
	timeout "$timeout_s" qemu-system-arm -M sabrelite -smp 1 -m 1G -display none \
		-monitor none -serial null -serial file:"$out/trapmap-$w.log" \
		-semihosting-config enable=on,target=native -icount shift=0,sleep=off \
		-kernel "$img/pvbm-linux.elf" -S -gdb tcp:127.0.0.1:$port \
		-D "$out/trapmap-$w.exec" </dev/null > "$out/trapmap-$w.qemu" 2>&1 &
	qpid=$!
	trap 'kill $qpid 2>/dev/null || true' EXIT
	sleep 1
	TM_PC=$pc TM_WORD=$word TM_TARGET=127.0.0.1:$port \
	TM_SKIP=${PV_TRAPMAP_SKIP:-1} TM_ITERS=${PV_TRAPMAP_ITERS:-4} \
		timeout "$timeout_s" gdb-multiarch -batch -nx -x "$src/bench/trapmap-gdb.py" \
		"$img/pvbm-linux.elf" > "$out/trapmap-$w.gdb" 2>&1 || rc=$?
	kill $qpid 2>/dev/null || true
	wait $qpid 2>/dev/null || true
	if [ $rc != 0 ] || ! grep -q "^trapmap-gdb: traced" "$out/trapmap-$w.gdb"; then
		echo "trapmap: error: the traced boot of '$w' failed (gdb status $rc): $out/trapmap-$w.gdb" >&2
		return 1
	fi
	"$pvpatch" --print "$img/Image.sites" > "$out/trapmap-$w.sites"
	python3 "$src/bench/trapmap.py" analyze --workload "$w" --loopend "$pc" \
		--exec "$out/trapmap-$w.exec" --elf "$img/pvbm-linux.elf" \
		--kallsyms "$ks" --image "$img/Image" --sites "$out/trapmap-$w.sites" \
		--pvpatch-log "$img/pvpatch.log" --pvbench "$pvbench" \
		--tsv "$out/trapmap-$w.tsv" --md "$out/trapmap-$w.md" > /dev/null || return 1
	[ "${PV_TRAPMAP_KEEP:-0}" = 1 ] || rm -f "$out/trapmap-$w.exec"
	echo "trapmap: $w: $out/trapmap-$w.md ($((SECONDS - t)) s)" >&2
}

fail=0
for w in "${workloads[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || fail=1; done
	echo "trapmap: tracing $w" >&2
	trace "$w" &
done
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || fail=1; done
[ $fail = 0 ] || exit 1
for w in "${workloads[@]}"; do
	cat "$out/trapmap-$w.tsv"
done > "$out/trapmap.tsv"
[ -z "${PV_TRAPMAP_TSV:-}" ] || cp "$out/trapmap.tsv" "$PV_TRAPMAP_TSV"
for w in "${workloads[@]}"; do
	echo "== $w"
	cat "$out/trapmap-$w.md"
done
