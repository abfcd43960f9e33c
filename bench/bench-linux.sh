#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# System workloads in the Linux guest, natively and under pvbm, in guest
# instructions (docs/linux-guest.md, "System workloads").
#
#   bench/bench-linux.sh <arm-none build dir> [workload[:iters]...]
#
# Workloads: getppid fork pipe mmap yield pagefault (default: all of them),
# run by tests/linux/bench/pvbench.c from the initramfs (/init runs it when
# the kernel command line has the word pvbench). Every run boots the same
# Debian kernel with the same initramfs (so the same pvbench binary and
# iteration counts) twice, with -icount shift=0,sleep=off, where one
# nanosecond of CLOCK_MONOTONIC is one guest instruction:
#   native:  qemu-system-arm -M sabrelite with the kernel as it is and the
#            i.MX6Q sabrelite DTB from the Debian package;
#   pvcore:  the pvpatch'ed kernel under pvbm (tools/mk-linux-image.sh).
# Each workload gets a boot of its own, plus one boot ("none") that runs
# every workload's setup and warm-up but no timed loop: pvbm's power-off
# trap counters of a workload's boot minus those of "none", divided by the
# iterations, are its traps per iteration. The runs differ only in the
# initramfs file /pvbench.args (padded to one length), not in the kernel
# command line, which seeds the kernel's RNG: with one command line every
# boot is the same, instruction for instruction, up to the workload.
#
# Needs what `make demo` needs (the Debian packages: make pkgs; a built
# arm-none build dir) and a native pvpatch (PV_PVPATCH, else
# <build>/host/tools/pvpatch/pvpatch, else a private native build).
# Environment:
#   PV_GUEST_PKGS      guest packages (default <build>/armhf-pkgs/guest)
#   PV_BENCH_OUT       images, logs and results (default <arm-none>/linux-bench)
#   PV_BENCH_JOBS      QEMU runs at a time (default 1); the numbers do not
#                      depend on it, as they count instructions
#   PV_BENCH_TIMEOUT   wall seconds per boot (default 1800)
# Not part of `make check`: a full run takes about 8 minutes of wall time
# with PV_BENCH_JOBS=2, 15 with 1.
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
workloads=("$@")
all=(getppid fork pipe mmap yield pagefault)  # as in pvbench.c
[ ${#workloads[@]} -gt 0 ] || workloads=("${all[@]}")
for w in "${workloads[@]}"; do
	[[ $w =~ ^[a-z]+(:[1-9][0-9]*)?$ && " ${all[*]} " == *" ${w%%:*} "* ]] ||
		die "bad workload '$w': one of ${all[*]}, optionally with :<iterations>"
done

for t in qemu-system-arm dtc arm-none-eabi-gcc python3 timeout; do
	command -v $t >/dev/null || die "$t not found: run tools/bootstrap.sh"
done
vmlinuz=$(ls "$pkgs"/boot/vmlinuz-*-armmp 2>/dev/null | sort | tail -n 1 || true)
[ -n "$vmlinuz" ] || die "no Debian kernel in '$pkgs': make pkgs, or set PV_GUEST_PKGS=<dir>/guest"
kver=${vmlinuz##*/vmlinuz-}
dtb=$pkgs/usr/lib/linux-image-$kver/imx6q-sabrelite.dtb
[ -f "$dtb" ] || die "no $dtb (the native run's device tree, from the kernel package)"
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
rm -f "$out"/*.log "$out"/*.status "$out"/*.pid
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

# One pvbm image per run; only /pvbench.args differs, so the DTBs must be
# identical. The native run of a workload boots the very same initramfs.
runs=(none "${workloads[@]}")
for r in "${runs[@]}"; do
	n=${r%%:*}
	printf '%-63s\n' "$r" > "$out/$n.args"
	PV_INITRAMFS_EXTRA="bin/pvbench=$pvbench pvbench.args=$out/$n.args" \
		"$src/tools/mk-linux-image.sh" "$build" "$pvpatch" "$pkgs" \
		"$out/vmm-$n" "console=ttyAMA0 earlycon pvbench" >/dev/null ||
		die "tools/mk-linux-image.sh failed for '$r'"
	cmp -s "$out/vmm-none/linux.dtb" "$out/vmm-$n/linux.dtb" ||
		die "the DTB of '$r' differs from that of 'none'"
done

icount=(-icount shift=0,sleep=off)
qemu=(qemu-system-arm -M sabrelite -smp 1 -m 1G -display none -monitor none
      -serial null -serial stdio)

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
	run "native-$n" "pvbench-exit" "${qemu[@]}" "${icount[@]}" -kernel "$vmlinuz" \
		-dtb "$dtb" -initrd "$out/vmm-$n/initramfs.cpio" \
		-append "console=ttymxc1 pvbench" &
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
	echo "bench-linux: pvcore $r" >&2
	run "vmm-$n" "" "${qemu[@]}" -semihosting-config enable=on,target=native \
		"${icount[@]}" -kernel "$out/vmm-$n/pvbm-linux.elf" &
done
wait
echo "bench-linux: all runs done in $((SECONDS - start_s)) s of wall time" >&2

# Check every run, then the table (python: 64-bit arithmetic and sorting).
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

python3 - "$out" "${runs[@]}" <<'PY' | tee "$out/results.md"
import re
import sys

out, runs = sys.argv[1], [r.split(":")[0] for r in sys.argv[2:]]


def parse(kind, run):
    log = open(f"{out}/{kind}-{run}.log", errors="replace").read()
    res = {m[1]: (int(m[2]), int(m[3])) for m in re.finditer(
        r"^pvbench: (\S+) iters=(\d+) ns=(\d+)", log, re.M)}
    # A two-process workload whose partner did not keep pace measured
    # something else (a yield that found no one to switch to).
    for m in re.finditer(r"^pvbench: (\S+) iters=(\d+) .*partner-iters=(\d+)",
                         log, re.M):
        if m[1] == run and abs(int(m[3]) - int(m[2])) > int(m[2]) // 100:
            print(f"bench-linux: warning: {kind} {run}: the partner process "
                  f"ran {m[3]} of {m[2]} iterations", file=sys.stderr)
    traps = {m[1]: int(m[2]) for m in re.finditer(
        r"^pvbm:\s+reason \d+ (\S+) = (\d+)", log, re.M)}
    return res, traps


base = parse("vmm", "none")[1]
print("| workload | iters | native ns/iter | pvcore ns/iter | ratio "
      "| traps/iter | extra ns/trap | main trap reasons per iter |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for w in runs[1:]:
    n_iters, n_ns = parse("native", w)[0][w]
    res, traps = parse("vmm", w)
    v_iters, v_ns = res[w]
    assert n_iters == v_iters and n_iters > 0, (w, n_iters, v_iters)
    per = {k: (traps.get(k, 0) - base.get(k, 0)) / v_iters
           for k in set(traps) | set(base)}
    # "patched" overlaps the per-class reasons: not in the total.
    total = sum(v for k, v in per.items() if k != "patched")
    top = sorted(((v, k) for k, v in per.items() if k != "patched"
                  and v >= 0.05), reverse=True)
    ratio = v_ns / n_ns
    # What a trap costs on average, if all the extra time is traps.
    per_trap = (v_ns - n_ns) / v_iters / total if total > 0 else 0
    print(f"| {w} | {n_iters} | {n_ns / n_iters:.1f} | {v_ns / v_iters:.1f} "
          f"| {ratio:.{2 if ratio < 10 else 1}f} | {total:.1f} "
          f"| {per_trap:.0f} | "
          + ", ".join(f"{k} {v:.2f}" for v, k in top) + " |")
PY
echo "bench-linux: logs and results.md in $out" >&2
