#!/usr/bin/env bash
# Long libFuzzer campaigns: every fuzz_* target in the fuzz build, each for
# $2 seconds, growing its corpus under fuzz/corpus/<name>/ (commit what is
# new and small). Not part of `make check`, which only replays the corpora.
set -euo pipefail
build=${1:?usage: $0 <fuzz-build-dir> [seconds]}
secs=${2:-600}
root=$(cd "$(dirname "$0")/.." && pwd)
status=0
for exe in "$build"/fuzz/fuzz_*; do
	[ -x "$exe" ] || continue
	name=$(basename "$exe"); name=${name#fuzz_}
	mkdir -p "$root/fuzz/corpus/$name"
	echo "== fuzz $name for ${secs}s"
	"$exe" -max_total_time="$secs" -print_final_stats=1 "$root/fuzz/corpus/$name" || status=1
done
exit $status
