#!/usr/bin/env bash
# Install every Debian 12 package pvcore needs. Idempotent and
# non-interactive: packages already present are not touched, and apt is
# only called when something is missing. Run as root (CI and the quick start
# do), or with sudo available.
set -euo pipefail

packages=(
	make meson ninja-build pkg-config check      # build + libcheck
	g++                                          # the headers from C++ (tests/consumer)
	gcc-arm-none-eabi libnewlib-arm-none-eabi    # Cortex-A9 bare metal
	gcc-arm-linux-gnueabihf libc6-dev-armhf-cross # unit-arm
	qemu-system-arm qemu-user                    # system tests, unit-arm
	device-tree-compiler                         # dts/pvboard.dts
	gcovr                                        # coverage report
	python3 python3-pytest                       # system tests
	e2fsprogs                                    # mkfs.ext4, debugfs, fsck (linux-modules, mk-rootfs)
	openssh-client                               # ssh into the guest, ssh-keygen (mk-rootfs)
	clang libclang-rt-14-dev                     # libFuzzer
	liblzma-dev zlib1g-dev liblzo2-dev liblz4-dev libzstd-dev # pvpatch (zImage payloads)
	xz-utils gzip lzop lz4 zstd                  # test zImages of every format
	valgrind                                     # callgrind benchmarks
	gdb-multiarch cpio                           # debugging, initramfs
	binutils-arm-none-eabi                       # objdump cross-checks
	flex bison bc                                # the Thumb-2 test kernel (mk-thumb2-kernel)
	expect libstdc++-arm-none-eabi-newlib        # Genode's run tool and C++ (make genode-check)
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "bootstrap: all ${#packages[@]} packages present"; exit 0; }

sudo=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || {
		echo "bootstrap: error: missing packages (${missing[*]}) and not root; rerun as root" >&2
		exit 1
	}
	sudo=sudo
fi
command -v apt-get >/dev/null || { echo "bootstrap: error: apt-get not found; pvcore's scripts target Debian 12" >&2; exit 1; }

echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A mirror caught mid-sync fails one index; retry before giving up.
for try in 1 2 3; do
	$sudo apt-get update -q >/dev/null 2>&1 && break
	echo "bootstrap: apt-get update failed (try $try), retrying" >&2
	sleep $((try * 5))
done
$sudo apt-get install -y -q "${missing[@]}" ||
	{ echo "bootstrap: error: apt-get install failed for: ${missing[*]}" >&2; exit 1; }
echo "bootstrap: done"
