#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the Linux showcase image: pvbm + libpvcore + a pvpatch'ed Debian
# armmp kernel + the virtual board's DTB + a busybox initramfs, as one ELF
# that boots on qemu-system-arm -M sabrelite (docs/linux-guest.md).
#
#   tools/mk-linux-image.sh <arm-none build dir> <pvpatch binary> <guest pkgs dir> <out dir> [bootargs]
#
# <guest pkgs dir> is the layout of tools/fetch-armhf.sh (PV_GUEST_PKGS):
# boot/vmlinuz-*-armmp and bin/busybox (busybox-static). The result,
# <out dir>/pvbm-linux.elf (~25 MB), is built, never committed.
# PV_INITRAMFS_EXTRA="<path>=<file> ..." adds files to the initramfs, e.g.
# bin/pvbench=<arm-none>/tests/linux/bench/pvbench (bench/bench-linux.sh);
# <path>=<directory> adds a whole tree, e.g. lib/modules/<version>=<dir>
# (tests/system/test_linux_modules.py; tests/linux/mk_initramfs.py).
# PV_INITRAMFS=<cpio> takes that archive as it is instead (tools/pvrun:
# the root filesystem's stage 1); PV_INITRAMFS=none boots without one.
# PV_BOARD=virtio boots on the virtio board (dts/pvboard-virtio.dts: disk,
# network, entropy and console devices; pvbm's SD card and Ethernet behind
# them). PV_BUDGET_S sets pvbm's guest-time budget in guest seconds
# (default 600; "none" for an interactive guest or a soak). PV_KERNEL=<file>
# patches that kernel (zImage, Image or vmlinux ELF, as pvpatch takes them)
# instead of the package's (an Image with PV_SYSTEM_MAP=<its System.map>).
# The patched kernel is kept in <out dir> and
# reused while the kernel, pvpatch and the stub options are the same.
# PV_MEM_MIB (96..128, default 128) is the RAM the guest's device tree
# gives it: the virtual board backs 128 MiB below its devices at
# 0x1c000000, and the DTB and initramfs sit at 64 MiB.
# PV_VCPUS (1..4, default 1) is the number of CPUs the guest gets (the
# device tree's cpu nodes, brought up with PSCI); pvbm time-slices them on
# one host core. Several vCPUs need PV_STUBS=0 (one vCPU page per VM).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
armnone=${1:?usage: $0 <arm-none build dir> <pvpatch> <guest pkgs dir> <out dir> [bootargs]}
pvpatch=${2:?pvpatch binary missing}
pkgs=${3:?guest pkgs dir missing (PV_GUEST_PKGS; tools/fetch-armhf.sh)}
out=${4:?out dir missing}
bootargs=${5:-console=ttyAMA0 earlycon}
die() { echo "mk-linux-image: error: $*" >&2; exit 1; }

if [ -n "${PV_KERNEL:-}" ]; then
	vmlinuz=$PV_KERNEL
	[ -f "$vmlinuz" ] || die "PV_KERNEL: '$vmlinuz' not found"
else
	vmlinuz=$(ls "$pkgs"/boot/vmlinuz-*-armmp 2>/dev/null | sort | tail -n 1 || true)
	[ -n "$vmlinuz" ] || die "no boot/vmlinuz-*-armmp in '$pkgs': run tools/fetch-armhf.sh <dir> and pass <dir>/guest"
fi
[ -n "${PV_INITRAMFS:-}" ] || [ -f "$pkgs/bin/busybox" ] || die "no bin/busybox in '$pkgs' (busybox-static)"
[ -x "$pvpatch" ] || die "pvpatch '$pvpatch' not found: build the native build first"
libpvbm="$armnone/backends/baremetal/libpvbm.a"
libpvcore="$armnone/libpvcore/libpvcore.a"
for f in "$libpvbm" "$libpvcore"; do
	[ -f "$f" ] || die "$f not found: ninja -C $armnone"
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

# 1. Patch the kernel: Image + site table.
# PV_STUBS=0 keeps every sensitive site a trap (no stub area, no vCPU
# page); PV_STRICT_PAN=1 keeps the guest's DACR writes trapping;
# PV_FAST_PATHS=0 sends every trap through pvbm's C path.
# PV_KICKS=0: no host IPIs between pvbm's cores (run.c, pvbm_kick()); to
# measure what they are worth.
vcpus=${PV_VCPUS:-1}
case "$vcpus" in
[1-4]) ;;
*) die "PV_VCPUS '$vcpus': 1 to 4 vCPUs" ;;
esac
[ "$vcpus" = 1 ] || [ "${PV_STUBS:-}" = 0 ] ||
	die "PV_VCPUS=$vcpus needs PV_STUBS=0: pvpatch's stubs share one vCPU page"
patch_args=()
if [ "${PV_STUBS:-1}" != 0 ]; then
	patch_args=(--stubs "$out/Image.stubs")
	[ "${PV_STRICT_PAN:-0}" = 0 ] || patch_args+=(--strict-pan)
fi
# PV_SYSTEM_MAP: the System.map of an Image given as PV_KERNEL;
# PV_KERNEL_FORMAT: pvpatch's --format (image: a raw Image, symbols from
# its embedded kallsyms).
if [ -n "${PV_KERNEL_FORMAT:-}" ]; then
	patch_args+=(--format "$PV_KERNEL_FORMAT")
fi
if [ -n "${PV_SYSTEM_MAP:-}" ]; then
	[ -f "$PV_SYSTEM_MAP" ] || die "PV_SYSTEM_MAP: '$PV_SYSTEM_MAP' not found"
	patch_args+=(--system-map "$PV_SYSTEM_MAP")
fi
patch_stamp=$( { sha256sum "$vmlinuz" "$pvpatch" ${PV_SYSTEM_MAP:+"$PV_SYSTEM_MAP"} | cut -d' ' -f1; echo "${patch_args[*]:-}"; } | sha256sum | cut -d' ' -f1)
if [ -f "$out/Image" ] && [ "$(cat "$out/patch.stamp" 2>/dev/null)" = "$patch_stamp" ]; then
	echo "mk-linux-image: the patched kernel in $out is current"
else
	rm -f "$out/Image" "$out/Image.sites" "$out/Image.stubs" "$out/patch.stamp"
	"$pvpatch" ${patch_args[@]+"${patch_args[@]}"} -o "$out/Image" --sites "$out/Image.sites" "$vmlinuz" \
		> "$out/pvpatch.log" 2>&1 || { cat "$out/pvpatch.log" >&2; die "pvpatch failed on $vmlinuz"; }
	[ -f "$out/Image.stubs" ] || : > "$out/Image.stubs"
	echo "$patch_stamp" > "$out/patch.stamp"
fi

# 2. Where things go in guest RAM (PV_BOARD_RAM_BASE 0x10000000, 128 MiB).
# The Image goes to RAM base + TEXT_OFFSET; its link address is in the
# site table header (image_base = PAGE_OFFSET 0xC0000000 + TEXT_OFFSET;
# Debian armmp has TEXT_OFFSET 0x208000 because of its Meson platforms).
image_base=$(od -An -tu4 -j16 -N4 "$out/Image.sites" | tr -d ' ')
ram_base=$((0x10000000))
kernel_gpa=$((ram_base + image_base - 0xC0000000))
dtb_gpa=$((ram_base + 0x03ff0000))
initrd_gpa=$((ram_base + 0x04000000))

# 3. The initramfs.
case "${PV_BOARD:-default}" in
default) board_dts=pvboard.dts board_flag=0 ;;
virtio) board_dts=pvboard-virtio.dts board_flag=2 ;;
*) die "PV_BOARD '${PV_BOARD}': the boards are default and virtio" ;;
esac
case "${PV_BUDGET_S:-0}" in
none) budget=0xffffffff ;;
[0-9]*) budget=$((${PV_BUDGET_S:-0} + 0)) ;;
*) die "PV_BUDGET_S '${PV_BUDGET_S}': guest seconds or none" ;;
esac
extra=()
for e in ${PV_INITRAMFS_EXTRA:-}; do
	[ -e "${e#*=}" ] || die "PV_INITRAMFS_EXTRA: '${e#*=}' not found"
	extra+=("$e")
done
if [ -z "${PV_INITRAMFS:-}" ]; then
	python3 "$src/tests/linux/mk_initramfs.py" "$pkgs/bin/busybox" \
		"$src/tests/linux/init" "$out/initramfs.cpio" ${extra[@]+"${extra[@]}"}
elif [ "$PV_INITRAMFS" = none ]; then
	: > "$out/initramfs.cpio"
else
	[ -f "$PV_INITRAMFS" ] || die "PV_INITRAMFS: '$PV_INITRAMFS' not found"
	cp "$PV_INITRAMFS" "$out/initramfs.cpio"
fi
initrd_size=$(stat -c %s "$out/initramfs.cpio")
initrd_chosen=
[ "$initrd_size" = 0 ] || initrd_chosen=$(printf 'linux,initrd-start = <0x%x>; linux,initrd-end = <0x%x>;' \
	"$initrd_gpa" "$((initrd_gpa + initrd_size))")

# 4. The DTB: the virtual board plus /chosen for this boot.
# The stub area (after the kernel's _end) is the VMM's: Linux must not
# allocate it (a reserved-memory node: the board's tree comes first).
reserved=
if [ -s "$out/Image.stubs" ]; then
	area_va=$(od -An -tu4 -j16 -N4 "$out/Image.stubs" | tr -d ' ')
	area_size=$(od -An -tu4 -j20 -N4 "$out/Image.stubs" | tr -d ' ')
	area_gpa=$((kernel_gpa + area_va - image_base))
	[ $((area_gpa + area_size)) -le "$dtb_gpa" ] ||
		die "the stub area (0x$(printf %x "$area_gpa"), $area_size bytes) overlaps the DTB at 0x$(printf %x "$dtb_gpa")"
	reserved=$(printf 'reserved-memory { #address-cells = <1>; #size-cells = <1>; ranges; pvstubs@%x { reg = <0x%x 0x%x>; }; };' \
		"$area_gpa" "$area_gpa" "$area_size")
fi

mem_mib=${PV_MEM_MIB:-128}
case "$mem_mib" in
''|*[!0-9]*) die "PV_MEM_MIB '$mem_mib': a number of MiB" ;;
esac
[ "$mem_mib" -ge 96 ] && [ "$mem_mib" -le 128 ] ||
	die "PV_MEM_MIB $mem_mib: the virtual board gives a guest 96 to 128 MiB (docs/linux-guest.md)"
[ $((initrd_gpa + initrd_size)) -le $((ram_base + mem_mib * 1048576)) ] ||
	die "the initramfs ($initrd_size bytes at 0x$(printf %x "$initrd_gpa")) does not fit in $mem_mib MiB of guest RAM"

# One vCPU keeps the board's tree as it is (its bytes seed the guest's RNG).
cpus=
if [ "$vcpus" -gt 1 ]; then
	cpus="cpus { "
	for ((c = 1; c < vcpus; c++)); do
		cpus+="cpu@$c { device_type = \"cpu\"; compatible = \"arm,cortex-a9\"; reg = <$c>; enable-method = \"psci\"; }; "
	done
	cpus+="};"
fi

cat > "$out/linux.dts" <<DTS
/include/ "$src/dts/$board_dts"
/ {
	memory@10000000 { reg = <0x10000000 $(printf 0x%x $((mem_mib * 1048576)))>; };
	$cpus
	$reserved
	chosen {
		bootargs = "$bootargs";
		$initrd_chosen
	};
};
DTS
dtc -q -I dts -O dtb -o "$out/linux.dtb" "$out/linux.dts"

# PVBM_LINUX_NO_FAST_PATHS 1, PVBM_LINUX_VIRTIO 2, PVBM_LINUX_NO_KICKS 4
# (payload.c)
flags=$board_flag
[ "${PV_FAST_PATHS:-1}" != 0 ] || flags=$((flags | 1))
[ "${PV_KICKS:-1}" != 0 ] || flags=$((flags | 4))

# 5. The payload descriptor (struct pvbm_linux_payload in backends/baremetal/payload.c) and link.
cat > "$out/linux_payload.S" <<ASM
	.section .rodata.pvbm_linux, "a"
	.balign 4
	.global pvbm_linux
pvbm_linux:
	.word 0x78756e4c, $kernel_gpa, $dtb_gpa, $initrd_gpa
	.word image, image_end, sites, sites_end
	.word dtb, dtb_end, initrd, initrd_end
	.word stubs, stubs_end
	.word $flags
	.word $budget
	.word $vcpus
	.section .rodata.pvbm_linux_data, "a"
	.balign 4096
image:	.incbin "$out/Image"
image_end:
	.balign 4
sites:	.incbin "$out/Image.sites"
sites_end:
	.balign 4
dtb:	.incbin "$out/linux.dtb"
dtb_end:
	.balign 4
initrd:	.incbin "$out/initramfs.cpio"
initrd_end:
	.balign 4
stubs:	.incbin "$out/Image.stubs"
stubs_end:
ASM
arm-none-eabi-gcc -nostdlib -static -T "$src/backends/baremetal/pvbm.ld" \
	-mcpu=cortex-a9 -marm -mfloat-abi=soft -Wl,--no-warn-rwx-segments \
	-Wl,--build-id=none -o "$out/pvbm-linux.elf" "$out/linux_payload.S" \
	-Wl,--whole-archive "$libpvbm" "$libpvcore" -Wl,--no-whole-archive -lgcc
printf 'mk-linux-image: %s (kernel at 0x%x, DTB at 0x%x, initramfs %d bytes at 0x%x)\n' \
	"$out/pvbm-linux.elf" "$kernel_gpa" "$dtb_gpa" "$initrd_size" "$initrd_gpa"
