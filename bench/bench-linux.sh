#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# System workloads in the Linux guest, natively and under pvbm, in guest
# instructions (docs/performance.md; docs/linux-guest.md, "System
# workloads").
#
#   bench/bench-linux.sh <arm-none build dir> [workload[:iters]...]
#
# Workloads: getppid fork pipe mmap yield pagefault cpu (default: all of
# them), run by tests/linux/bench/pvbench.c from the initramfs (/init runs
# it when the kernel command line has the word pvbench). Every run boots
# the same Debian kernel with the same initramfs (so the same pvbench
# binary and iteration counts) twice, with -icount shift=0,sleep=off, where
# one nanosecond of CLOCK_MONOTONIC is one guest instruction:
#   native:  the kernel as Debian ships it on qemu-system-arm -M vexpress-a9,
#            128 MiB, with the virtual board's own device tree moved to
#            vexpress-a9's addresses and without PSCI (the transformation
#            of dts/native-vexpress-check.sh), and QEMU's A9 given the
#            virtual board's MIDR (r2p10, 0x412fc09a) so that Linux takes
#            the same clocksource (the A9 global timer, refused on QEMU's
#            r0p0) and the same CPU set-up as under pvbm;
#   pvcore:  the pvpatch'ed kernel under pvbm (tools/mk-linux-image.sh) on
#            -M sabrelite, the guest seeing dts/pvboard.dts and 128 MiB.
# Both use the same kernel command line. PV_BENCH_NATIVE=sabrelite selects
# the older baseline instead (-M sabrelite, 1 GiB, Debian's
# imx6q-sabrelite.dtb: other peripherals, another clocksource).
# Each workload gets a boot of its own, plus one boot ("none") that runs
# every workload's setup and warm-up but no timed loop: pvbm's power-off
# trap counters of a workload's boot minus those of "none", divided by the
# iterations, are its traps per iteration. The runs differ only in the
# initramfs file /pvbench.args (padded to one length), not in the kernel
# command line, which seeds the kernel's RNG: with one command line every
# boot is the same, instruction for instruction, up to the workload. The
# boot row is the printk time of "Run /init as init process" (sched_clock
# starts at time_init in both, so earlier code is not in either figure).
#
# Output: the serial logs, results.md (the Linux rows of bench/report.py's
# table) and linux.tsv (the raw numbers bench/report.py reads) in
# PV_BENCH_OUT; linux.tsv is also copied to PV_BENCH_TSV if that is set
# (`make bench-linux` sets it to build/bench/linux.tsv).
#
# Needs what `make demo` needs (the Debian packages: make pkgs; a built
# arm-none build dir) and a native pvpatch (PV_PVPATCH, else
# <build>/host/tools/pvpatch/pvpatch, else a private native build).
# Environment:
#   PV_GUEST_PKGS      guest packages (default <build>/armhf-pkgs/guest)
#   PV_BENCH_OUT       images, logs and results (default <arm-none>/linux-bench)
#   PV_BENCH_TSV       where to copy linux.tsv as well (default: nowhere)
#   PV_BENCH_NATIVE    vexpress (default) or sabrelite: the native baseline
#   PV_BENCH_JOBS      QEMU runs at a time (default 1); the numbers do not
#                      depend on it, as they count instructions
#   PV_BENCH_TIMEOUT   wall seconds per boot (default 1800)
# Not part of `make check`: a full run takes about 10 minutes of wall time
# with PV_BENCH_JOBS=2, 20 with 1.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: $0 <arm-none build dir> [workload[:iters]...]}
shift
die() { echo "bench-linux: error: $*" >&2; exit 1; }

[ -d "$build" ] || die "no build dir '$build' (meson setup --cross-file cross/arm-none-eabi.ini)"
build=$(cd "$build" && pwd)
top=$(cd "$build/.." && pwd)
pkgs=${PV_GUEST_PKGS:-$top/armhf-pkgs/guest}
out=${PV_BENCH_OUT:-$build/linux-bench}
jobs=${PV_BENCH_JOBS:-1}
timeout_s=${PV_BENCH_TIMEOUT:-1800}
baseline=${PV_BENCH_NATIVE:-vexpress}
workloads=("$@")
all=(getppid fork pipe mmap yield pagefault cpu)  # as in pvbench.c
[ ${#workloads[@]} -gt 0 ] || workloads=("${all[@]}")
for w in "${workloads[@]}"; do
	[[ $w =~ ^[a-z]+(:[1-9][0-9]*)?$ && " ${all[*]} " == *" ${w%%:*} "* ]] ||
		die "bad workload '$w': one of ${all[*]}, optionally with :<iterations>"
done
case $baseline in vexpress|sabrelite) ;; *) die "PV_BENCH_NATIVE: vexpress or sabrelite, not '$baseline'" ;; esac

for t in qemu-system-arm dtc arm-none-eabi-gcc python3 timeout; do
	command -v $t >/dev/null || die "$t not found: run tools/bootstrap.sh"
done
vmlinuz=$(ls "$pkgs"/boot/vmlinuz-*-armmp 2>/dev/null | sort | tail -n 1 || true)
[ -n "$vmlinuz" ] || die "no Debian kernel in '$pkgs': make pkgs, or set PV_GUEST_PKGS=<dir>/guest"
kver=${vmlinuz##*/vmlinuz-}
pvbench=$build/tests/linux/bench/pvbench
[ -f "$pvbench" ] || die "$pvbench not found: ninja -C $build"
pvpatch=${PV_PVPATCH:-$top/host/tools/pvpatch/pvpatch}
if [ ! -x "$pvpatch" ]; then
	echo "bench-linux: building pvpatch in $top/demo-tools" >&2
	{ [ -f "$top/demo-tools/build.ninja" ] ||
		meson setup "$top/demo-tools" "$src" -Db_coverage=false >/dev/null; } &&
		ninja -C "$top/demo-tools" tools/pvpatch/pvpatch >/dev/null ||
		die "could not build pvpatch (set PV_PVPATCH)"
	pvpatch=$top/demo-tools/tools/pvpatch/pvpatch
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/*.log "$out"/*.status "$out"/*.pid "$out"/linux.tsv "$out"/results.md
# timeout(1) gives QEMU a process group of its own, so an interrupted
# script must stop the runs itself.
cleanup() {
	local f
	for f in "$out"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
		rm -f "$f"
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# What the images are built from (the tree may change while QEMU runs).
commit=$(git -C "$src" describe --always --dirty 2>/dev/null || echo unknown)
dirty=$(git -C "$src" status --porcelain -- libpvcore include backends tools/pvpatch 2>/dev/null |
	awk '{print $2}' | tr '\n' ' ')
built=$(date -u +%Y-%m-%dT%H:%MZ)

# One pvbm image per run; only /pvbench.args differs, so the DTBs must be
# identical. The native run of a workload boots the very same initramfs.
bootargs="console=ttyAMA0 earlycon pvbench"
runs=(none "${workloads[@]}")
for r in "${runs[@]}"; do
	n=${r%%:*}
	printf '%-63s\n' "$r" > "$out/$n.args"
	PV_INITRAMFS_EXTRA="bin/pvbench=$pvbench pvbench.args=$out/$n.args" \
		"$src/tools/mk-linux-image.sh" "$build" "$pvpatch" "$pkgs" \
		"$out/vmm-$n" "$bootargs" >/dev/null ||
		die "tools/mk-linux-image.sh failed for '$r'"
	cmp -s "$out/vmm-none/linux.dtb" "$out/vmm-$n/linux.dtb" ||
		die "the DTB of '$r' differs from that of 'none'"
done

# The native machine. vexpress: the virtual board's tree at vexpress-a9's
# addresses, without PSCI, checked to list the virtual board's devices
# (bench/native-dtb.sh). QEMU sets /chosen (bootargs, initrd) from -append
# and -initrd.
icount=(-icount shift=0,sleep=off)
if [ "$baseline" = vexpress ]; then
	"$src/bench/native-dtb.sh" "$out/native.dtb" "$out/vmm-none/linux.dtb" ||
		die "no native device tree"
	native_dtb=$out/native.dtb
	native_qemu=(qemu-system-arm -M vexpress-a9 -smp 1 -m 128M -display none
		-monitor none -serial stdio -global cortex-a9-arm-cpu.midr=0x412fc09a)
	native_append=$bootargs
else
	native_dtb=$pkgs/usr/lib/linux-image-$kver/imx6q-sabrelite.dtb
	[ -f "$native_dtb" ] || die "no $native_dtb (the sabrelite baseline's device tree, from the kernel package)"
	native_qemu=(qemu-system-arm -M sabrelite -smp 1 -m 1G -display none
		-monitor none -serial null -serial stdio)
	native_append="console=ttymxc1 pvbench"
fi
vmm_qemu=(qemu-system-arm -M sabrelite -smp 1 -m 1G -display none -monitor none
	-serial null -serial stdio -semihosting-config enable=on,target=native)

# run <name> <stop marker or ''> qemu args...: boot with a wall-clock
# timeout; stop QEMU at the marker (the native kernel halts, it cannot
# power the board off). Writes <name>.log and <name>.status.
run() {
	local name=$1 marker=$2 log=$out/$1.log pid rc t=$SECONDS
	shift 2
	echo "\$ $*" > "$log"
	timeout "$timeout_s" "$@" </dev/null >>"$log" 2>&1 &
	pid=$!
	echo $pid > "$out/$name.pid"
	if [ -n "$marker" ]; then
		while kill -0 $pid 2>/dev/null; do
			grep -aq "$marker" "$log" && { kill $pid 2>/dev/null || true; break; }
			sleep 1
		done
	fi
	rc=0
	wait $pid || rc=$?
	if [ -n "$marker" ] && grep -aq "$marker" "$log"; then
		rc=0
	fi
	rm -f "$out/$name.pid"
	echo $rc > "$out/$name.status"
	echo "bench-linux: $name: status $rc after $((SECONDS - t)) s" >&2
}

start_s=$SECONDS
for r in "${runs[@]}"; do
	n=${r%%:*}
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
	echo "bench-linux: native $r" >&2
	run "native-$n" "pvbench-exit" "${native_qemu[@]}" "${icount[@]}" \
		-kernel "$vmlinuz" -dtb "$native_dtb" \
		-initrd "$out/vmm-$n/initramfs.cpio" -append "$native_append" &
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
	echo "bench-linux: pvcore $r" >&2
	run "vmm-$n" "" "${vmm_qemu[@]}" "${icount[@]}" \
		-kernel "$out/vmm-$n/pvbm-linux.elf" &
done
wait
wall_s=$((SECONDS - start_s))
echo "bench-linux: all runs done in $wall_s s of wall time" >&2

# Check every run.
fail=0
for r in "${runs[@]}"; do
	for kind in native vmm; do
		f=$out/$kind-${r%%:*}
		rc=$(cat "$f.status")
		if [ "$rc" = 124 ]; then
			echo "bench-linux: error: $kind run '$r' did not finish within $timeout_s s (hang?): $f.log" >&2
			fail=1
		elif [ "$rc" != 0 ] || ! grep -aq "^pvbench-exit 0" "$f.log"; then
			echo "bench-linux: error: $kind run '$r' failed (QEMU status $rc): $f.log" >&2
			grep -a "pvbench\|pvbm: FATAL\|Kernel panic" "$f.log" | tail -n 5 >&2 || true
			fail=1
		fi
	done
done
[ $fail = 0 ] || exit 1

# linux.tsv: what bench/report.py reads (its format is described there).
{
	printf 'meta\tcommit\t%s\n' "$commit"
	printf 'meta\tdirty\t%s\n' "$dirty"
	printf 'meta\tbuilt\t%s\n' "$built"
	printf 'meta\tkernel\t%s\n' "$kver"
	printf 'meta\tqemu\t%s\n' "$(qemu-system-arm --version | head -n 1)"
	printf 'meta\tbaseline\t%s\n' "$baseline"
	printf 'meta\tnative-cmd\t%s\n' "$(head -n 1 "$out/native-none.log" | sed "s|$out/||g; s|$pkgs/||g; s|^\\$ ||")"
	printf 'meta\tvmm-cmd\t%s\n' "$(head -n 1 "$out/vmm-none.log" | sed "s|$out/||g; s|^\\$ ||")"
	printf 'meta\twall-s\t%s\n' "$wall_s"
	printf 'meta\tjobs\t%s\n' "$jobs"
} > "$out/linux.tsv"
python3 - "$out" "${runs[@]}" >> "$out/linux.tsv" <<'PY'
import re
import sys

out, runs = sys.argv[1], [r.split(":")[0] for r in sys.argv[2:]]
EVENTS = {"virq", "vfiq", "patched", "cmo-loop", "cmo-lines", "trap-chain",
          "chain-mcrs"}  # after the reasons


def log(kind, run):
    return open(f"{out}/{kind}-{run}.log", errors="replace").read()


boot = {}
for run in runs:
    for kind in ("native", "vmm"):
        text = log(kind, run)
        m = re.search(r"^\[\s*(\d+)\.(\d{6})\] Run /init as init process",
                      text, re.M)
        if m:
            ns = int(m[1]) * 10**9 + int(m[2]) * 1000
            print(f"boot\t{kind}\t{run}\t{ns}")
            boot.setdefault(kind, set()).add(ns)
        m = re.search(r"^pvbench: clocksource (\S+)", text, re.M)
        if m and run == "none":
            print(f"clocksource\t{kind}\t{m[1]}")
for kind, values in boot.items():
    if len(values) > 1:
        print(f"bench-linux: warning: {kind} boots reach Run /init at "
              f"different times: {sorted(values)}", file=sys.stderr)

for run in runs[1:]:
    row = {}
    for kind in ("native", "vmm"):
        text = log(kind, run)
        m = re.search(rf"^pvbench: {run} iters=(\d+) ns=(\d+)(.*)$", text,
                      re.M)
        if not m:
            sys.exit(f"bench-linux: no result line for {run} in {kind}")
        p = re.search(r"partner-iters=(\d+)", m[3])
        row[kind] = (int(m[1]), int(m[2]), p[1] if p else "-")
        # A two-process workload whose partner did not keep pace measured
        # something else (a yield that found no one to switch to).
        if p and abs(int(p[1]) - int(m[1])) > int(m[1]) // 100:
            print(f"bench-linux: warning: {kind} {run}: the partner "
                  f"process ran {p[1]} of {m[1]} iterations",
                  file=sys.stderr)
    assert row["native"][0] == row["vmm"][0] > 0, (run, row)
    print(f"work\t{run}\t{row['native'][0]}\t{row['native'][1]}\t"
          f"{row['vmm'][1]}\t{row['native'][2]}\t{row['vmm'][2]}")

for run in runs:
    text = log("vmm", run)
    for m in re.finditer(r"^pvbm:\s+reason (\d+) (\S+) = (\d+)", text, re.M):
        kind = "event" if m[2] in EVENTS else "trap"
        print(f"{kind}\t{run}\t{m[2]}\t{m[3]}")
    m = re.search(r"^pvbm: host timer: (\d+) ticks, (\d+) one-shot", text,
                  re.M)
    if m:
        print(f"hosttimer\t{run}\t{m[1]}\t{m[2]}")
PY
[ -z "${PV_BENCH_TSV:-}" ] || { mkdir -p "$(dirname "$PV_BENCH_TSV")"; cp "$out/linux.tsv" "$PV_BENCH_TSV"; }
python3 "$src/bench/report.py" --linux "$out/linux.tsv" --md "$out/results.md"
echo "bench-linux: logs, linux.tsv and results.md in $out" >&2
