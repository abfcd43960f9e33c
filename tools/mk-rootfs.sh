#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian guest's root filesystem and its stage-1 initramfs
# (docs/linux-guest.md, "Root filesystem").
#
#   tools/mk-rootfs.sh <guest pkgs dir> <patched module tree root> <out dir>
#
# <guest pkgs dir>  the layout of tools/fetch-armhf.sh (lists/, debs/,
#                   guest/): the kernel's modules come from guest/, the
#                   extra packages (dropbear and its libraries) are
#                   fetched into debs/ with apt-get download
# <patched module tree root>  the directory holding lib/modules/<version>
#                   (tools/mk-modules.sh's output)
# Writes <out dir>/rootfs.ext4 (ext4 with a journal, sparse, made by
# mke2fs -d: no root rights, no loop mount) and <out dir>/initramfs-disk.cpio
# (stage 1: tools/rootfs/init-stage1 and the modules that mounting the
# disk needs, patched and native).
#
# PV_ROOTFS_AUTHORIZED_KEYS=<file>  root's ~/.ssh/authorized_keys (dropbear)
# PV_ROOTFS_SIZE (default 512M)     the image's size (mke2fs syntax)
# SOURCE_DATE_EPOCH (default 1700000000)  every file's time in the image
# Cached: nothing is redone while <out dir>/rootfs.stamp matches the inputs.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: $0 <guest pkgs dir (lists/ debs/ guest/)> <patched module tree root> <out dir>"
pkgs=${1:?$usage}
tree=${2:?$usage}
out=${3:?$usage}
keys=${PV_ROOTFS_AUTHORIZED_KEYS:-}
size=${PV_ROOTFS_SIZE:-512M}
epoch=${SOURCE_DATE_EPOCH:-1700000000}
# One UUID for the filesystem and its directory hash seed: same inputs,
# same image.
uuid=7076636f-7265-4000-8000-000000000001
die() { echo "mk-rootfs: error: $*" >&2; exit 1; }
step() { echo "mk-rootfs: $*"; }

# Extra Debian packages: the ssh server. Their dependencies are resolved
# below with apt-cache, from the same private lists as fetch-armhf.sh.
extra=(dropbear-bin)

for t in mke2fs debugfs dpkg-deb apt-get apt-cache python3 qemu-arm; do
	command -v "$t" >/dev/null || PATH=$PATH:/sbin:/usr/sbin command -v "$t" >/dev/null ||
		die "$t not found: run tools/bootstrap.sh (e2fsprogs, dpkg, apt, python3, qemu-user)"
done
export PATH=$PATH:/sbin:/usr/sbin
[ -d "$pkgs/lists" ] && [ -d "$pkgs/debs" ] && [ -d "$pkgs/guest" ] ||
	die "'$pkgs' is not a tools/fetch-armhf.sh directory (lists/ debs/ guest/): run tools/fetch-armhf.sh <dir> first"
pkgs=$(cd "$pkgs" && pwd)
patched=$(ls -d "$tree"/lib/modules/*-armmp 2>/dev/null | sort | tail -n 1 || true)
[ -n "$patched" ] && [ -f "$patched/modules.dep" ] ||
	die "no lib/modules/<version>/modules.dep under '$tree': run tools/mk-modules.sh <pvpatch> $pkgs <dir> (make modules)"
patched=$(cd "$patched" && pwd)
ver=$(basename "$patched")
native=$pkgs/guest/lib/modules/$ver
[ -d "$native/kernel" ] ||
	die "Debian's modules for $ver are not in $pkgs/guest: the module tree and the kernel package differ; rebuild the tree with tools/mk-modules.sh"
[ -z "$keys" ] || [ -f "$keys" ] || die "PV_ROOTFS_AUTHORIZED_KEYS: '$keys' not found"
mkdir -p "$out"
out=$(cd "$out" && pwd)

apt_armhf=(-q -oAPT::Architecture=armhf -oAPT::Architectures=armhf
           "-oDir::State::Lists=$pkgs/lists" -oDebug::NoLocking=1)
ls "$pkgs"/lists/*_main_binary-armhf_Packages* >/dev/null 2>&1 ||
	die "no armhf package index in $pkgs/lists: run tools/fetch-armhf.sh $pkgs"

# 1. The package set: busybox-static, the extra packages and what they
# depend on (virtual packages and alternatives apt lists in <> are left out:
# dropbear-bin's closure has none).
step "[1/7] resolving ${extra[*]} (armhf)"
mapfile -t debset < <(apt-cache "${apt_armhf[@]}" depends --recurse --no-recommends \
	--no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances "${extra[@]}" |
	grep -v '^ ' | grep -v '^<' | sort -u)
[ ${#debset[@]} -gt 0 ] || die "apt-cache could not resolve ${extra[*]} for armhf: is $pkgs/lists current? (rerun tools/fetch-armhf.sh)"
debset=(busybox-static "${debset[@]}")

# 2. Fetch what debs/ does not have yet.
missing=()
for p in "${debset[@]}"; do
	ls "$pkgs/debs/${p}"_*_armhf.deb >/dev/null 2>&1 ||
		ls "$pkgs/debs/${p}"_*_all.deb >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	step "[2/7] apt-get download ${missing[*]}"
	(cd "$pkgs/debs" && apt-get "${apt_armhf[@]}" download "${missing[@]}" >"$out/download.log" 2>&1) ||
		die "apt-get download (armhf) failed for ${missing[*]} (see $out/download.log): is the Debian archive reachable?"
else
	step "[2/7] all ${#debset[@]} packages in $pkgs/debs"
fi
debs=()
for p in "${debset[@]}"; do
	d=$(ls "$pkgs/debs/${p}"_*_armhf.deb "$pkgs/debs/${p}"_*_all.deb 2>/dev/null | sort -V | tail -n 1 || true)
	[ -n "$d" ] || die "no .deb for $p in $pkgs/debs after the download"
	debs+=("$d")
done

# The stamp: every input by name, size and time (the module trees), by
# content (the rest). Fast enough to compute on every call.
stamp=$( {
	(cd "$src" && find tools/mk-rootfs.sh tools/rootfs tests/linux/mk_initramfs.py \
		tools/pvpatch/moddep.py -type f -print0 | sort -z | xargs -0 sha256sum)
	[ -z "$keys" ] || echo "keys $(sha256sum < "$keys")"
	printf '%s\n' "${debs[@]##*/}" "$size" "$epoch" "$ver"
	(cd "$patched" && find . -type f -printf 'p %P %s %T@\n' | sort)
	(cd "$native" && find . -type f -printf 'n %P %s %T@\n' | sort)
} | sha256sum | cut -c1-64)
if [ -f "$out/rootfs.stamp" ] && [ "$(cat "$out/rootfs.stamp")" = "$stamp" ] &&
	[ -f "$out/rootfs.ext4" ] && [ -f "$out/initramfs-disk.cpio" ]; then
	step "up to date: $out/rootfs.ext4, $out/initramfs-disk.cpio (build ${stamp:0:16})"
	exit 0
fi
rm -f "$out/rootfs.stamp"
t0=$(date +%s)

# 3. The tree: packages, busybox's applets, the two module trees.
step "[3/7] unpacking ${#debs[@]} packages"
root=$out/rootfs.d
rm -rf "$root"
mkdir -p "$root"
for d in "${debs[@]}"; do
	dpkg-deb -x "$d" "$root" || die "dpkg-deb -x $d failed (a damaged download? delete it and rerun)"
done
# Documentation and translations are of no use in the guest.
rm -rf "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/lintian \
	"$root"/usr/share/locale "$root"/usr/share/bug "$root"/usr/share/bash-completion
[ -x "$root/bin/busybox" ] || die "busybox-static did not unpack to /bin/busybox"
# The applet list, from the armhf binary itself (through qemu-user).
applets=$(qemu-arm "$root/bin/busybox" --list-full) ||
	die "cannot run the armhf busybox with qemu-arm (qemu-user): run tools/bootstrap.sh"
n=0
for a in $applets; do
	[ -e "$root/$a" ] || [ -L "$root/$a" ] && continue
	mkdir -p "$root/$(dirname "$a")"
	ln -s /bin/busybox "$root/$a"
	n=$((n + 1))
done
step "      busybox: $n applets linked"

step "[4/7] module trees: patched at /lib/modules/$ver, native at /usr/lib/pvcore/native-modules/$ver"
mkdir -p "$root/lib/modules" "$root/usr/lib/pvcore/native-modules"
cp -a "$patched" "$root/lib/modules/$ver"
cp -a "$native" "$root/usr/lib/pvcore/native-modules/$ver"
nm=$root/usr/lib/pvcore/native-modules/$ver
if command -v depmod >/dev/null; then
	depmod -b "$root/usr/lib/pvcore/native-modules/.." "$ver" 2>/dev/null ||
		python3 "$src/tools/pvpatch/moddep.py" "$nm" >/dev/null
else
	python3 "$src/tools/pvpatch/moddep.py" "$nm" >/dev/null
fi
for d in "$root/lib/modules/$ver" "$nm"; do
	[ -f "$d/modules.alias" ] || python3 "$src/tools/rootfs/modalias.py" "$d" >/dev/null
done
# Same names in both trees: stage 1 swaps one for the other with a bind mount.
cmp -s <(cut -d: -f1 "$root/lib/modules/$ver/modules.dep" | sort) \
	<(cut -d: -f1 "$nm/modules.dep" | sort) ||
	step "      note: the trees differ in their module lists (modules pvpatch refused are only native)"

# 5. /etc, the init scripts, root's home.
step "[5/7] configuration"
s=$src/tools/rootfs
mkdir -p "$root"/{etc/init.d,etc/udhcpc,etc/dropbear,proc,sys,dev,run,tmp,root/.ssh,var/log,usr/lib/pvcore,mnt}
for f in passwd group shadow shells hostname hosts nsswitch.conf profile fstab inittab \
	init.d/rcS init.d/rcK udhcpc/default.script; do
	cp "$s/etc/$f" "$root/etc/$f"
done
cp "$s/console" "$root/usr/lib/pvcore/console"
chmod 0755 "$root"/etc/init.d/rcS "$root"/etc/init.d/rcK "$root"/etc/udhcpc/default.script \
	"$root/usr/lib/pvcore/console"
chmod 0600 "$root/etc/shadow"
chmod 0700 "$root/root" "$root/root/.ssh" "$root/etc/dropbear"
chmod 1777 "$root/tmp"
ln -sfn /run "$root/var/run"
ln -sfn /run/resolv.conf "$root/etc/resolv.conf"
if [ -n "$keys" ]; then
	install -m 0600 "$keys" "$root/root/.ssh/authorized_keys"
fi
{
	echo "pvguest build ${stamp:0:16} (kernel $ver)"
	echo "digest $stamp"
	printf 'package %s\n' "${debs[@]##*/}"
} > "$root/etc/pvguest-build"

# Same time on every file: the image depends on its inputs only.
find "$root" -exec touch -h -d "@$epoch" {} +

# 6. The image. mke2fs -d copies owners and times from the tree; debugfs
# then sets what a non-root build cannot (owner root, device nodes) and
# the inode change times, which touch cannot set.
step "[6/7] mke2fs -t ext4 ($size, sparse)"
img=$out/rootfs.ext4
rm -f "$img" "$img.tmp"
export E2FSPROGS_FAKE_TIME=$epoch
mke2fs -q -F -t ext4 -L pvguest -U "$uuid" \
	-E root_owner=0:0,hash_seed=$uuid,lazy_itable_init=0,lazy_journal_init=0 \
	-d "$root" "$img.tmp" "$size" > "$out/mke2fs.log" 2>&1 ||
	die "mke2fs failed (see $out/mke2fs.log): e2fsprogs >= 1.43 needed for -d; a larger PV_ROOTFS_SIZE if it is full"
cmds=$out/debugfs.cmds
{
	(cd "$root" && find . -mindepth 1 -printf '%P\n') | sort | while IFS= read -r p; do
		echo "sif \"/$p\" ctime @$epoch"
		[ "$(id -u)" = 0 ] || { echo "sif \"/$p\" uid 0"; echo "sif \"/$p\" gid 0"; }
	done
	echo "sif / ctime @$epoch"
	# Nodes for an init that starts before devtmpfs is mounted.
	echo "cd /dev"
	echo "mknod console c 5 1"
	echo "mknod null c 1 3"
	echo "cd /"
	echo "sif /dev/console mode 020600"
	echo "sif /dev/null mode 020666"
	for f in /dev/console /dev/null; do
		echo "sif $f ctime @$epoch"; echo "sif $f mtime @$epoch"; echo "sif $f atime @$epoch"
		echo "sif $f uid 0"; echo "sif $f gid 0"
	done
} > "$cmds"
debugfs -w -f "$cmds" "$img.tmp" > "$out/debugfs.log" 2>&1 ||
	die "debugfs (owners, times, device nodes) failed: see $out/debugfs.log"
grep -v '^debugfs' "$out/debugfs.log" | grep -q -v '^Allocated inode' &&
	die "debugfs reported errors: see $out/debugfs.log"
e2fsck -fn "$img.tmp" > "$out/e2fsck.log" 2>&1 ||
	die "the new image does not pass e2fsck -fn (see $out/e2fsck.log)"
mv "$img.tmp" "$img"

# 7. Stage 1: its /init and the modules mounting the disk needs, with
# their dependencies (from the patched tree's modules.dep), in both sets.
step "[7/7] stage-1 initramfs"
st=$out/stage1
rm -rf "$st"
mkdir -p "$st/patched" "$st/native"
need=(kernel/drivers/virtio/virtio_mmio.ko kernel/drivers/block/virtio_blk.ko
      kernel/crypto/crc32c_generic.ko kernel/fs/ext4/ext4.ko)
for m in "${need[@]}"; do
	grep -q "^$m:" "$patched/modules.dep" ||
		die "$m is not in the patched tree (refused by pvpatch? see $(dirname "$(dirname "$patched")")/../refused.txt)"
done
mapfile -t lines < <(awk -F: -v want="${need[*]}" '
	BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) top[w[i]] = 1 }
	{ dep[$1] = $2 }
	END {
		for (m in top) { keep[m] = 1; k = split(dep[m], d, " "); for (i = 1; i <= k; i++) keep[d[i]] = 1 }
		for (m in keep) print m ":" dep[m]
	}' "$patched/modules.dep" | sort)
for set in patched native; do
	from=$patched
	[ $set = native ] && from=$native
	for l in "${lines[@]}"; do
		m=${l%%:*}
		mkdir -p "$st/$set/$(dirname "$m")"
		cp "$from/$m" "$st/$set/$m"
	done
	printf '%s\n' "${lines[@]}" > "$st/$set/modules.dep"
	# The kernel asks modprobe for "crypto-crc32c" when ext4 mounts.
	grep -E '^alias (crypto-)?crc32c(-generic)? crc32c_generic$' \
		"$root/lib/modules/$ver/modules.alias" > "$st/$set/modules.alias" || true
done
bb=$root/bin/busybox
python3 "$src/tests/linux/mk_initramfs.py" "$bb" "$src/tools/rootfs/init-stage1" \
	"$out/initramfs-disk.cpio.tmp" "lib/modules/$ver=$st/patched" \
	"usr/lib/pvcore/native-modules/$ver=$st/native" ||
	die "mk_initramfs.py failed"
mv "$out/initramfs-disk.cpio.tmp" "$out/initramfs-disk.cpio"

echo "$stamp" > "$out/rootfs.stamp"
used=$(du -sm "$root" | cut -f1)
step "done in $(($(date +%s) - t0)) s: $img ($size, ${used} MiB of files; $(du -m "$img" | cut -f1) MiB on the host disk)," \
	"$out/initramfs-disk.cpio ($(($(stat -c %s "$out/initramfs-disk.cpio") / 1024)) KiB); build ${stamp:0:16}"
