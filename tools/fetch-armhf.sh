#!/usr/bin/env bash
# Fetch the Debian armhf packages the project needs, without touching the
# host's apt configuration: a private lists directory and apt-get download.
#
#   tools/fetch-armhf.sh <outdir>
#
# <outdir>/root     check + subunit (static libs and headers) for unit-arm
# <outdir>/guest    linux-image-*-armmp (resolved through the linux-image-armmp
#                   metapackage) and busybox-static, extracted
# <outdir>/debs     the .deb files (kept as a cache; reruns are cheap)
#
# Idempotent: a stamp file records what was extracted.
set -euo pipefail

out=${1:?usage: $0 <outdir>}
mkdir -p "$out"
out=$(cd "$out" && pwd)
lists="$out/lists"
debs="$out/debs"
mkdir -p "$lists/partial" "$debs"

apt_armhf=(-q -oAPT::Architecture=armhf -oAPT::Architectures=armhf
           "-oDir::State::Lists=$lists" -oDebug::NoLocking=1)

die() { echo "fetch-armhf: error: $*" >&2; exit 1; }

command -v apt-get >/dev/null || die "apt-get not found: this script needs Debian 12"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"

if [ -f "$out/.stamp" ] && [ -d "$out/root/usr/include" ] && [ -d "$out/guest/boot" ]; then
	exit 0
fi

# A mirror caught mid-sync makes 'update' fail for one suite while the main
# index arrived fine; retry, then go on if the main index is there.
ok=0
for try in 1 2 3; do
	if apt-get "${apt_armhf[@]}" update >"$out/update.log" 2>&1; then ok=1; break; fi
	sleep $((try * 5))
done
if [ $ok = 0 ]; then
	ls "$lists"/*_main_binary-armhf_Packages* >/dev/null 2>&1 ||
		die "apt-get update for armhf failed (see $out/update.log); is the Debian archive reachable?"
	echo "fetch-armhf: warning: apt-get update reported errors; using the indexes that arrived" >&2
fi

# Resolve the kernel through the metapackage: its exact version moves.
kpkg=$(apt-cache "${apt_armhf[@]}" depends linux-image-armmp 2>/dev/null |
	awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$kpkg" ] || die "could not resolve linux-image-armmp to a kernel package"

pkgs=(check libsubunit-dev libsubunit0 busybox-static "$kpkg")
(cd "$debs" && for p in "${pkgs[@]}"; do
	ls "${p}"_*_armhf.deb >/dev/null 2>&1 || apt-get "${apt_armhf[@]}" download "$p" >/dev/null 2>&1 ||
		die "apt-get download $p (armhf) failed"
done)

rm -rf "$out/root" "$out/guest"
mkdir -p "$out/root" "$out/guest"
for p in check libsubunit-dev libsubunit0; do
	dpkg-deb -x "$(ls "$debs/${p}"_*_armhf.deb | head -1)" "$out/root"
done
for p in busybox-static "$kpkg"; do
	dpkg-deb -x "$(ls "$debs/${p}"_*_armhf.deb | head -1)" "$out/guest"
done
echo "$kpkg" > "$out/guest/KERNEL_PACKAGE"
ls "$out/guest/boot"/vmlinuz-* >/dev/null 2>&1 || die "kernel package $kpkg has no /boot/vmlinuz"
touch "$out/.stamp"
echo "fetch-armhf: $kpkg, busybox-static, check (armhf) in $out"
