# SPDX-License-Identifier: MIT
# The guest side of scripts/soak.sh (run by tools/pvrun --cmd): a mixed
# workload -- disk writes with sync and read-back, downloads from the
# host's loopback HTTP server, fork+exec bursts, a pipe, timers -- checking
# every result, round after round until the host serves /stop (the host
# keeps the wall-clock time: under -icount a busy guest second is many
# wall seconds). Prints one line per round and a summary; exits with the
# number of failed checks (0 = clean).
fail=0
round=0
up() { cut -d. -f1 /proc/uptime; }
bad() { echo "soak: round $round: FAILED: $*"; fail=$((fail + 1)); }
want=$(cat /run/soak.md5 2>/dev/null)
start=$(up)
while ! wget -q -O /dev/null http://10.0.2.100:8080/stop 2>/dev/null; do
	round=$((round + 1))
	# disk: 2 MiB of fresh data, synced, dropped from the page cache,
	# read back from the disk
	dd if=/dev/urandom of=/root/soak.bin bs=64k count=32 2>/dev/null || bad "dd"
	a=$(md5sum < /root/soak.bin); sync
	echo 3 > /proc/sys/vm/drop_caches
	b=$(md5sum < /root/soak.bin)
	[ "$a" = "$b" ] || bad "disk read-back differs"
	# network: the host's payload, checksummed
	if wget -q -O /tmp/soak.net http://10.0.2.100:8080/payload; then
		[ "$(md5sum < /tmp/soak.net | cut -d' ' -f1)" = "$want" ] || bad "download checksum"
	else
		bad "download"
	fi
	# processes: 20 fork+exec, and a pipe through two of them
	i=0; while [ $i -lt 20 ]; do /bin/true || bad "exec"; i=$((i + 1)); done
	n=$(seq 1 5000 | sort -rn | head -n 1)
	[ "$n" = 5000 ] || bad "pipe ($n)"
	# timers: a short sleep lasts at least its time
	t0=$(cut -d' ' -f1 /proc/uptime); sleep 0.2; t1=$(cut -d' ' -f1 /proc/uptime)
	awk -v a="$t0" -v b="$t1" 'BEGIN {exit !(b - a >= 0.19)}' || bad "sleep 0.2 took $t0 -> $t1"
	rm -f /tmp/soak.net
	echo "soak: round $round at $(( $(up) - start )) s, failures $fail"
done
dmesg | grep -E 'Oops|BUG:|WARNING:|Internal error|I/O error|EXT4-fs error' && bad "kernel messages"
rm -f /root/soak.bin; sync
echo "soak: done: rounds=$round seconds=$(( $(up) - start )) failures=$fail"
exit $fail
