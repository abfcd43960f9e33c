#!/usr/bin/env bash
# Deterministic micro-benchmarks (callgrind instruction counts, never time):
#   bench/bench.sh <host build dir without coverage>
# Each bench program runs every operation BENCH_N times inside a function
# named bench_<operation>; callgrind counts only inside those functions
# (--toggle-collect) and the inclusive count is divided by the iteration
# count the program prints. The decoder's benchmark has its own driver.
# The numbers are recorded in docs/decode.md, docs/shadow.md, docs/devices.md,
# docs/cpu.md (whole trap paths) and docs/performance.md (`make bench`).
# Besides the human output, the same numbers go as tab-separated lines to
# PV_BENCH_TSV (default <build>/host.tsv), which bench/report.py reads:
#   meta <key> <value> | host <program> <operation> <instructions>
#   | decode <case> <instructions>
set -euo pipefail
build=${1:?usage: $0 <host-build-dir>}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v valgrind >/dev/null || { echo "bench: valgrind not found: run tools/bootstrap.sh" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
tsv=${PV_BENCH_TSV:-$build/host.tsv}
cc=$(sed -n 's/^C compiler for the host machine: //p' "$build/meson-logs/meson-log.txt" 2>/dev/null | tail -n 1)
{
	printf 'meta\tcommit\t%s\n' "$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"
	printf 'meta\tcc\t%s\n' "${cc:-$(cc --version | head -n 1)}"
} > "$out/host.tsv"

# program : iterations per bench_ function (BENCH_N in its source)
for entry in bench_shadow:1000 bench_devices:10000 bench_trap:1000; do
	prog=${entry%%:*}; n=${entry##*:}
	exe="$build/bench/$prog"
	[ -x "$exe" ] || { echo "bench: $exe missing (ninja -C $build)" >&2; exit 1; }
	echo "== $prog: instructions per operation (inclusive Ir / $n)"
	valgrind --tool=callgrind --toggle-collect='bench_*' \
		--callgrind-out-file="$out/$prog.cg" "$exe" >"$out/$prog.txt" 2>&1 ||
		{ cat "$out/$prog.txt" >&2; exit 1; }
	callgrind_annotate --inclusive=yes --threshold=100 "$out/$prog.cg" 2>/dev/null |
		awk -v n="$n" -v prog="$prog" -v tsv="$out/host.tsv" '{
			for (i = 2; i <= NF; i++) if ($i ~ /\.c:bench_/) {
				ir = $1; gsub(",", "", ir); fn = $i
				sub(/^.*:/, "", fn); sub(/\..*$/, "", fn)
				printf "  %-28s %8d\n", fn, ir / n
				printf "host\t%s\t%s\t%d\n", prog, fn, ir / n >> tsv
			} }'
done
echo "== decode + emulate per class"
/usr/bin/python3 "$root/bench/bench_decode.py" "$build/bench/decode_bench" 1000 |
	tee "$out/decode.md"
awk -F' *[|] *' '$3 ~ /^[0-9]+$/ { printf "decode\t%s\t%s\n", $2, $3 }' \
	"$out/decode.md" >> "$out/host.tsv"
mkdir -p "$(dirname "$tsv")"
cp "$out/host.tsv" "$tsv"
echo "bench: $tsv written" >&2
