#!/usr/bin/env bash
# Long libFuzzer campaigns over the fuzz_* targets of a fuzz build (not part
# of `make check`, which only replays the corpora). docs/fuzzing.md records
# the campaigns that were run with it.
#
#   scripts/fuzz-long.sh <fuzz-build-dir> [seconds]     each target for N s
#   FUZZ_RUNS=10000000 scripts/fuzz-long.sh <dir>        each for N executions
#
# Environment:
#   FUZZ_RUNS=n       stop each target after n executions (-runs=n; the
#                     replay of the corpus counts) instead of after seconds
#   FUZZ_TARGETS=".." the targets to run (names without fuzz_), default all
#   FUZZ_MERGE=1      merge what a campaign found into fuzz/corpus/<name>/
#                     (-merge=1: only inputs with new coverage are added)
#
# One target at a time, one process each (no -jobs). New inputs go to
# <dir>/fuzz-long/<name>/new, never straight into the committed corpus;
# crashes, timeouts and leaks to <dir>/fuzz-long/<name>/ (and the script
# exits 1). Ends with one line per target: executions, seconds, exec/s,
# coverage (libFuzzer's cov/ft), new inputs, and the result.
set -uo pipefail
build=${1:?usage: $0 <fuzz-build-dir> [seconds]}
secs=${2:-600}
runs=${FUZZ_RUNS:-}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
targets=${FUZZ_TARGETS:-}
if [ -z "$targets" ]; then
	for exe in "$build"/fuzz/fuzz_*; do
		[ -x "$exe" ] && [ -f "$exe" ] || continue
		n=$(basename "$exe")
		targets="$targets ${n#fuzz_}"
	done
fi

if [ -n "$runs" ]; then
	limit=(-runs="$runs")
	what="$runs executions"
else
	limit=(-max_total_time="$secs")
	what="${secs} s"
fi
echo "fuzz-long: $(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$root" rev-parse --short HEAD 2>/dev/null)$(git -C "$root" diff --quiet 2>/dev/null || echo '+changes'), $(nproc) CPUs, $what per target"

status=0
summary=()
for name in $targets; do
	exe=$build/fuzz/fuzz_$name
	corpus=$root/fuzz/corpus/$name
	work=$build/fuzz-long/$name
	if [ ! -x "$exe" ]; then
		echo "fuzz-long: no $exe" >&2
		status=1
		continue
	fi
	mkdir -p "$corpus"
	rm -rf "$work"
	mkdir -p "$work/new"
	before=$(find "$corpus" -type f | wc -l)
	echo "== fuzz_$name: $what, corpus $before files"
	t0=$(date +%s.%N)
	"$exe" "${limit[@]}" -print_final_stats=1 -timeout=30 -error_exitcode=1 \
		-artifact_prefix="$work/" "$work/new" "$corpus" >"$work/log" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
	cov=$(grep -E '^#[0-9]+' "$work/log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' | tr -d ':')
	found=$(find "$work/new" -type f | wc -l)
	arts=$(find "$work" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' \
		-o -name 'leak-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) | wc -l)
	secs_run=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')
	rate=$(awk -v n="${execs:-0}" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
	if [ "$rc" -ne 0 ] || [ "$arts" -ne 0 ]; then
		result="FINDING (exit $rc, $arts artifacts in $work)"
		status=1
		tail -40 "$work/log"
	else
		result=ok
		if [ "${FUZZ_MERGE:-0}" = 1 ] && [ "$found" -gt 0 ]; then
			"$exe" -merge=1 "$corpus" "$work/new" >"$work/merge.log" 2>&1 ||
				{ result="merge failed"; status=1; }
			result="$result, merged $(( $(find "$corpus" -type f | wc -l) - before )) into the corpus"
		fi
	fi
	line=$(printf '%-8s %12s execs %8s s %8s exec/s  %-18s %6s new inputs  %s' \
		"$name" "${execs:-?}" "$secs_run" "$rate" "${cov:-?}" "$found" "$result")
	echo "$line"
	summary+=("$line")
done
echo "== summary"
printf '%s\n' "${summary[@]}"
exit $status
