#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The soak (issue 16; not part of `make check`): Debian on its root
# filesystem under pvbm, running tests/linux/soak/soak.sh -- disk,
# network, processes and timers, every result checked -- for SOAK_SECONDS
# of wall-clock time (default 600) once the guest is up, on a fresh copy
# of the root filesystem; then `e2fsck -fn` of that disk must be clean.
# The guest stops after the round in which this script starts serving
# /stop.
#
#   scripts/soak.sh [build dir] [pvrun options...]     (make soak)
#
# The network stays on this machine: an HTTP server on the host's
# loopback, reached from the guest through pvrun's guestfwd. The log is
# <build>/soak/soak.log.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
shift || true
out=$build/soak
mkdir -p "$out"
log=$out/soak.log
rm -f "$log"
die() { echo "soak: error: $*" >&2; exit 1; }

"$src/tools/pvrun" --build "$build" --prepare || die "pvrun --prepare failed"
cp --sparse=always "$build/rootfs/rootfs.ext4" "$out/disk.ext4"
head -c 1048576 /dev/urandom > "$out/payload"
md5=$(md5sum < "$out/payload" | cut -d' ' -f1)
port_file=$out/http.port
rm -f "$port_file"
python3 - "$out" "$port_file" <<'PY' &
import functools, http.server, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
h = functools.partial(Quiet, directory=sys.argv[1])
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
open(sys.argv[2], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
[ -s "$port_file" ] || die "the loopback HTTP server did not start"

secs=${SOAK_SECONDS:-600}
rm -f "$out/stop"
script="echo $md5 > /run/soak.md5; $(cat "$src/tests/linux/soak/soak.sh")"
# The clock starts at the guest's first round (boot excluded).
( while ! grep -qa "^soak: round 1 " "$log" 2>/dev/null; do sleep 2; done
  sleep "$secs"; : > "$out/stop" ) &
timer=$!
trap 'kill $server $timer 2>/dev/null || true' EXIT
t0=$(date +%s)
set +e
"$src/tools/pvrun" --build "$build" --disk "$out/disk.ext4" \
	--guestfwd "8080:$(cat "$port_file")" --timeout $((secs + 3600)) \
	--cmd "$script" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
wall=$(( $(date +%s) - t0 ))
fsck_out=$(e2fsck -fn "$out/disk.ext4" 2>&1) && fsck=clean || fsck="NOT clean"
echo "$fsck_out" >> "$log"
summary=$(grep -a "^soak: done:" "$log" | tail -n 1 || true)
echo "soak: pvrun status $rc, ${wall} s wall, ${summary:-no summary line}, e2fsck: $fsck" | tee -a "$log"
[ "$rc" = 0 ] && [ "$fsck" = clean ] && [ -n "$summary" ]
