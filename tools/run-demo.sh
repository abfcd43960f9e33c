#!/usr/bin/env bash
# Boot the demo guest under the bare-metal VMM on qemu-system-arm -M sabrelite.
#   tools/run-demo.sh <arm-none build dir> [image name]
#
# Default: the showcase, Debian's armmp kernel patched by pvpatch with a
# busybox initramfs (docs/linux-guest.md), built on the fly by
# tools/mk-linux-image.sh. It needs the Debian packages (make pkgs, or
# PV_GUEST_PKGS=<dir>/guest) and a native pvpatch (PV_PVPATCH, else
# <build>/host/tools/pvpatch/pvpatch, else a private native build). If they
# are missing, or with image name pvbm-<x> (e.g. pvbm-skeleton), it boots
# that tiny test guest from <arm-none build>/tests/guest instead.
#
# PV_DEMO_SHELL=1 asks the guest's /init for an interactive shell after its
# commands (it powers off when the shell exits). PV_DEMO_TIMEOUT (seconds,
# default 1800 for Linux, 300 otherwise) guards against a hang.
# The VMM ends the run itself (semihosting exit) with the guest's status.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: $0 <arm-none-build-dir> [image]}
image=${2:-${PV_DEMO_IMAGE:-linux}}
command -v qemu-system-arm >/dev/null ||
	{ echo "run-demo: error: qemu-system-arm not found: run tools/bootstrap.sh" >&2; exit 1; }
top=$(cd "$build/.." && pwd)
timeout_s=${PV_DEMO_TIMEOUT:-300}

linux_image() {
	local pkgs=${PV_GUEST_PKGS:-$top/armhf-pkgs/guest}
	local pvpatch=${PV_PVPATCH:-$top/host/tools/pvpatch/pvpatch}
	if ! ls "$pkgs"/boot/vmlinuz-*-armmp >/dev/null 2>&1; then
		echo "run-demo: no Debian kernel in $pkgs (make pkgs, or set PV_GUEST_PKGS)" >&2
		return 1
	fi
	if [ ! -x "$pvpatch" ]; then
		echo "run-demo: building pvpatch in $top/demo-tools" >&2
		{ [ -f "$top/demo-tools/build.ninja" ] ||
			meson setup "$top/demo-tools" "$src" -Db_coverage=false >/dev/null; } &&
			ninja -C "$top/demo-tools" tools/pvpatch/pvpatch >/dev/null || return 1
		pvpatch=$top/demo-tools/tools/pvpatch/pvpatch
	fi
	local args="console=ttyAMA0 earlycon"
	[ "${PV_DEMO_SHELL:-0}" = 1 ] && args="$args pvshell"
	"$src/tools/mk-linux-image.sh" "$build" "$pvpatch" "$pkgs" \
		"$build/linux-guest" "$args" >&2 || return 1
	echo "$build/linux-guest/pvbm-linux.elf"
}

elf=
icount=()
if [ "$image" = linux ]; then
	if elf=$(linux_image); then
		timeout_s=${PV_DEMO_TIMEOUT:-1800}
		# Guest time = instructions: under QEMU's real-time clock the
		# emulated VMM is so slow that timer interrupts swamp the guest
		# (a real-time run made no progress past the first user-mode
		# VFP instruction). sleep=off makes idle time virtual too, so a
		# run is deterministic (the trap counters repeat exactly); an
		# interactive shell keeps real-time idling for its input.
		if [ "${PV_DEMO_SHELL:-0}" = 1 ]; then
			icount=(-icount shift=0)
		else
			icount=(-icount shift=0,sleep=off)
		fi
		echo "run-demo: booting Debian's armmp kernel (pvpatch'ed) as a pvcore guest;"
		echo "run-demo: under emulation in QEMU this takes minutes (docs/linux-guest.md)"
	else
		echo "run-demo: the Linux guest is not available; falling back to pvbm-skeleton" >&2
		image=pvbm-skeleton
		elf=
	fi
fi
if [ -z "$elf" ]; then
	elf="$build/tests/guest/$image.elf"
	[ -f "$elf" ] || { echo "run-demo: error: $elf not found: build with ninja -C $build" >&2; exit 1; }
fi
echo "run-demo: booting $elf on qemu-system-arm -M sabrelite (console on the second serial port)"
set +e
timeout --foreground "$timeout_s" qemu-system-arm -M sabrelite -smp 1 -m 1G -display none \
	-monitor none -serial null -serial mon:stdio \
	-semihosting-config enable=on,target=native ${icount[@]+"${icount[@]}"} -kernel "$elf"
rc=$?
set -e
if [ $rc = 124 ]; then
	echo "run-demo: error: the guest did not finish within $timeout_s s (hang?)" >&2
else
	echo "run-demo: QEMU exited with status $rc"
fi
exit $rc
