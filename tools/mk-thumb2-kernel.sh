#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the Thumb-2 test kernel (issue 15; docs/pvpatch.md, "Thumb-2
# kernels"): Debian's linux-source-6.1 with vexpress_defconfig and
# tools/thumb2-kernel.config, cross-compiled with arm-linux-gnueabihf-gcc.
#
#   tools/mk-thumb2-kernel.sh <out dir>
#
# <out dir> gets zImage, Image, System.map and vmlinux (symbols and
# mapping symbols, no debug info). The
# result is reused while the source package and the config fragment are
# the same (~6-10 min on 2 cores otherwise). The source comes from Debian's
# archive through apt (tools/bootstrap.sh has run apt-get update); nothing
# here is committed.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: $0 <out dir>}
die() { echo "mk-thumb2-kernel: error: $*" >&2; exit 1; }
command -v arm-linux-gnueabihf-gcc >/dev/null || die "arm-linux-gnueabihf-gcc not found: run tools/bootstrap.sh"
for t in flex bison bc; do
	command -v $t >/dev/null || die "$t not found: run tools/bootstrap.sh"
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
frag="$src/tools/thumb2-kernel.config"

# 1. The source package, fetched once (its version moves with Debian).
deb=$(ls "$out"/linux-source-6.1_*_all.deb 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$deb" ]; then
	# The package lists may predate the package's current version: one
	# apt-get update (as root) before giving up.
	if ! (cd "$out" && apt-get download linux-source-6.1 >/dev/null 2>"$out/apt.log"); then
		[ "$(id -u)" = 0 ] && apt-get update -q >/dev/null 2>&1 &&
			(cd "$out" && apt-get download linux-source-6.1 >/dev/null 2>"$out/apt.log") ||
			{ cat "$out/apt.log" >&2; die "apt-get download linux-source-6.1 failed"; }
	fi
	deb=$(ls "$out"/linux-source-6.1_*_all.deb | sort -V | tail -n 1)
fi
stamp=$( { sha256sum "$deb" "$frag" "$0" | cut -d' ' -f1; arm-linux-gnueabihf-gcc --version | head -n 1; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$out/build.stamp" 2>/dev/null)" = "$stamp" ] &&
   [ -f "$out/zImage" ] && [ -f "$out/vmlinux" ]; then
	echo "mk-thumb2-kernel: $out is current ($(basename "$deb"))"
	exit 0
fi
rm -f "$out/build.stamp" "$out/zImage" "$out/Image" "$out/System.map" "$out/vmlinux"

# 2. Unpack into a fresh tree.
tree="$out/linux"
rm -rf "$tree" "$out/unpack"
mkdir -p "$out/unpack"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$out/unpack" --wildcards '*/linux-source-6.1.tar.xz'
tar -xJf "$out/unpack/usr/src/linux-source-6.1.tar.xz" -C "$out/unpack"
mv "$out/unpack/linux-source-6.1" "$tree"
rm -rf "$out/unpack"

# 3. Configure: vexpress_defconfig + the fragment; every line of the
# fragment must have survived Kconfig.
kmake() { make -C "$tree" -s ARCH=arm CROSS_COMPILE=arm-linux-gnueabihf- "$@"; }
kmake vexpress_defconfig
(cd "$tree" && ARCH=arm scripts/kconfig/merge_config.sh -m -O "$tree" .config "$frag" >/dev/null)
kmake olddefconfig
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qx "$line" "$tree/.config" || die "config: '$line' did not survive Kconfig" ;;
	"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *}
		! grep -q "^$sym=" "$tree/.config" || die "config: $sym is still set" ;;
	esac
done < "$frag"

# 4. Build.
jobs=$(nproc 2>/dev/null || echo 2)
echo "mk-thumb2-kernel: building $(basename "$deb") with $jobs jobs (log: $out/build.log)"
kmake -j"$jobs" zImage > "$out/build.log" 2>&1 ||
	{ tail -n 40 "$out/build.log" >&2; die "the kernel build failed"; }
cp "$tree/arch/arm/boot/zImage" "$tree/arch/arm/boot/Image" "$tree/System.map" "$out/"
arm-linux-gnueabihf-objcopy --strip-debug "$tree/vmlinux" "$out/vmlinux"
rm -rf "$tree"
echo "$stamp" > "$out/build.stamp"
echo "mk-thumb2-kernel: $out/zImage ($(stat -c %s "$out/zImage") bytes)"
