#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A pvpatch'ed module tree for a Debian armmp kernel package
# (docs/pvpatch.md, "Modules").
#
#   tools/mk-modules.sh <pvpatch> <guest pkgs dir | linux-image .deb> <out dir>
#
# Every kernel/**/*.ko[.xz] of lib/modules/<version> is patched with
# `pvpatch --module` into <out dir>/lib/modules/<version>/ (same path), with
# its report under <out dir>/reports/. A module pvpatch refuses is left out
# of the tree (it would run sensitive instructions unpatched) and listed in
# <out dir>/refused.txt with the reason. modules.order and modules.builtin*
# are copied; modules.dep is written by depmod when the host has it, else
# by tools/pvpatch/moddep.py (busybox modprobe reads only modules.dep).
# PV_MODULES_JOBS (default 2) modules are patched at a time.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
pvpatch=${1:?usage: $0 <pvpatch> <guest pkgs dir | linux-image .deb> <out dir>}
pkg=${2:?guest pkgs dir or kernel .deb missing}
out=${3:?out dir missing}
die() { echo "mk-modules: error: $*" >&2; exit 1; }
[ -x "$pvpatch" ] || die "pvpatch '$pvpatch' not found: build the native build first"
pvpatch=$(cd "$(dirname "$pvpatch")" && pwd)/$(basename "$pvpatch")

if [ -f "$pkg" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	dpkg-deb -x "$pkg" "$tmp" || die "cannot unpack $pkg"
	pkg=$tmp
fi
moddir=$(ls -d "$pkg"/lib/modules/*-armmp 2>/dev/null | sort | tail -n 1 || true)
[ -n "$moddir" ] || die "no lib/modules/*-armmp in '$pkg'"
ver=$(basename "$moddir")
rm -rf "$out/lib/modules/$ver" "$out/reports"
mkdir -p "$out/lib/modules/$ver" "$out/reports"
out=$(cd "$out" && pwd)
dst="$out/lib/modules/$ver"

export pvpatch moddir dst out
(cd "$moddir" && find kernel -name '*.ko' -o -name '*.ko.xz') | sort |
	xargs -P "${PV_MODULES_JOBS:-2}" -n 16 sh -c '
	for m; do
		mkdir -p "$(dirname "$dst/$m")" "$(dirname "$out/reports/$m")"
		if "$pvpatch" --module -o "$dst/$m" --report "$out/reports/$m.txt" \
			"$moddir/$m" > "$out/reports/$m.log" 2>&1; then
			echo "ok $m" >> "$out/reports/status.$$"
		else
			echo "refused $m: $(grep -v "^libgcov" "$out/reports/$m.log" | tail -n 1)" \
				>> "$out/reports/status.$$"
		fi
	done' sh
cat "$out"/reports/status.* | sort > "$out/status.txt"
rm -f "$out"/reports/status.*
grep '^refused' "$out/status.txt" > "$out/refused.txt" || true
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -f "$moddir/$f" ] && cp "$moddir/$f" "$dst/"
done
if command -v depmod > /dev/null; then
	depmod -b "$out" "$ver"
else
	python3 "$src/tools/pvpatch/moddep.py" "$dst"
fi
nmod=$(grep -c '^ok' "$out/status.txt" || true)
nref=$(grep -c . "$out/refused.txt" || true)
sites=$(find "$out/reports" -name '*.txt' -exec cat {} + |
	awk '$1 == "total" && $2 == "all" { s += $3 } END { print s + 0 }')
echo "mk-modules: $dst: $nmod modules patched ($sites self-describing sites), $nref refused (see $out/refused.txt)"
