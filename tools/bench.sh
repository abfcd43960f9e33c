#!/usr/bin/env bash
# Deterministic micro-benchmarks: run every bench_* program of the host build
# under callgrind and print its instruction counts. The programs print the
# per-operation numbers themselves using client requests-free loops; the
# total "Ir" below is the callgrind total for the whole run.
set -euo pipefail
build=${1:?usage: $0 <host-build-dir>}
found=0
for exe in $(find "$build" -type f -name 'bench_*' -perm -u+x | sort); do
	found=1
	echo "== $(basename "$exe")"
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$exe" 2>&1 |
		grep -E '^(bench|==[0-9]+== Collected)' || true
done
[ $found = 1 ] || { echo "bench: no bench_* programs in $build" >&2; exit 1; }
