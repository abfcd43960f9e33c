#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build and run the Genode backend (docs/genode.md) with Genode's own build
# system and run tool: backends/genode/run/pv_vmm.run (the guest to its
# shell) and run/pv_vm_revoke.run (core revokes the VMs of misbehaving
# VMMs) on base-hw for imx6q_sabrelite, i.e. qemu-system-arm -M sabrelite
# -smp 4.
#
#   GENODE_DIR=<genode> [GENODE_IMX_DIR=<genode-imx>] tools/genode-check.sh [run]
#   GENODE_DIR=<genode> ... tools/genode-check.sh build <target>...
#
# `run` (the default) runs the scenarios; `build` only builds the given
# Genode targets (e.g. "init timer server/pv_vmm") in the same build
# directory. `make genode-check GENODE_DIR=<genode>` is the same as `run`.
#
# Nothing is fetched here. The Genode tree (genodelabs/genode) and
# genode-imx, at matching commits, come from outside the project, and so do
# their tool-chain workarounds (DESIGN.md section 8), which stay local:
#   GENODE_DIR         the Genode tree (required)
#   GENODE_IMX_DIR     genode-imx (default: <genode>/repos/imx, else
#                      genode-imx next to <genode>)
#   PV_BUILD           pvcore's build root (default build, which git ignores)
#   GENODE_BUILD_DIR   the Genode build directory (default <PV_BUILD>/genode);
#                      made with Genode's
#                      tool/create_builddir, its etc/build.conf rewritten
#                      at each call
#   CROSS_DEV_PREFIX   default arm-none-eabi- (Debian's gcc-arm-none-eabi)
#   REQUIRED_GCC_VERSION  Genode's compiler-version gate; default: the
#                      version of ${CROSS_DEV_PREFIX}g++ (12.2.1 on Debian 12)
#   GENODE_JOBS        make's -j in the build directory (default: nproc)
#   GENODE_LOCAL_FIXES=1  apply the known local fix below to GENODE_DIR
#                      (default: explain and stop)
#   PV_GUEST_DIR       the guest's Image, Image.sites, linux.dtb and
#                      initramfs.cpio (default: made in <PV_BUILD>/genode-guest
#                      by tools/mk-linux-image.sh, with pvpatch's stubs
#                      unless PV_STUBS=0 (the
#                      command line is the run script's <config
#                      bootargs>), from PV_BAREMETAL_DIR (<PV_BUILD>/arm-none),
#                      PV_PVPATCH (<PV_BUILD>/host/tools/pvpatch/pvpatch) and
#                      PV_GUEST_PKGS (<PV_BUILD>/armhf-pkgs/guest): make build
#                      and make pkgs)
#   GENODE_TOOLCHAIN_DIR  the local tool-chain pieces (below)
#   PV_GENODE_TIMEOUT, PV_GENODE_QEMU_ARGS  see run/pv_vmm.run
#   PV_GENODE_RUNS     the run scripts, in order (default
#                      "pv_vmm pv_vm_revoke"; run/pv_vmm_bench.run, the
#                      guest's system workloads, on request)
#   PV_GENODE_BENCH    its workloads (see run/pv_vmm_bench.run)
#
# The PV VM service is core's, from this repository (backends/genode/src/
# core/pv_vm, selected by lib/mk/spec/arm_v7/core-hw-imx6q_sabrelite.mk).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
b=${PV_BUILD:-$src/build}
die() { echo "genode-check: error: $*" >&2; exit 1; }
say() { echo "genode-check: $*"; }

mode=${1:-run}
case "$mode" in
run) [ $# -le 1 ] || die "run takes no targets (use: build <target>...)" ;;
build) shift; [ $# -ge 1 ] || die "build: name the Genode targets, e.g. init timer server/pv_vmm" ;;
*) die "unknown mode '$mode': run, or build <target>..." ;;
esac

# 1. The Genode tree and genode-imx, from outside
[ -n "${GENODE_DIR:-}" ] || die "GENODE_DIR is not set: the Genode tree to build with
  (genodelabs/genode with genode-imx at a matching commit, fetched outside the
  project, docs/genode.md). This script fetches nothing."
[ -d "$GENODE_DIR" ] || die "GENODE_DIR '$GENODE_DIR' is not a directory"
GENODE_DIR=$(cd "$GENODE_DIR" && pwd)
for f in tool/create_builddir tool/run/run tool/builddir/build.mk repos/base-hw repos/base/lib/symbols/ld; do
	[ -e "$GENODE_DIR/$f" ] || die "GENODE_DIR '$GENODE_DIR' has no $f: not a Genode tree"
done
imx=${GENODE_IMX_DIR:-}
if [ -z "$imx" ]; then
	for d in "$GENODE_DIR/repos/imx" "$(dirname "$GENODE_DIR")/genode-imx"; do
		[ -d "$d" ] && { imx=$d; break; }
	done
fi
[ -n "$imx" ] || die "no genode-imx: set GENODE_IMX_DIR (the imx6q_sabrelite board support)"
[ -f "$imx/src/include/hw/spec/arm/imx6q_sabrelite_board.h" ] && [ -d "$imx/board/imx6q_sabrelite" ] ||
	die "GENODE_IMX_DIR '$imx' has no imx6q_sabrelite board: not genode-imx"
imx=$(cd "$imx" && pwd)

# 2. Tools
cross=${CROSS_DEV_PREFIX:-arm-none-eabi-}
command -v "${cross}g++" >/dev/null || die "${cross}g++ not found (Debian: gcc-arm-none-eabi, libstdc++-arm-none-eabi-newlib)"
gcc_version=${REQUIRED_GCC_VERSION:-$("${cross}g++" -dumpfullversion)}
if [ "$mode" = run ]; then
	command -v expect >/dev/null || die "expect not found: Genode's run tool is an expect script (Debian: expect)"
	command -v qemu-system-arm >/dev/null || die "qemu-system-arm not found (Debian: qemu-system-arm)"
fi

# 3. The known local fix (DESIGN.md section 8): with this tool chain size_t
# is an unsigned int, so the sized operator delete is _ZdlPvj, which
# Genode's dynamic linker does not export: every C++ component that deletes
# through a base class fails to link (pv_vmm does). It is a change to the
# Genode tree, kept out of this project: made here only when asked.
symbols=$GENODE_DIR/repos/base/lib/symbols/ld
if ! grep -qx '_ZdlPvj W' "$symbols"; then
	if [ "${GENODE_LOCAL_FIXES:-0}" = 1 ]; then
		grep -qx '_ZdlPvm W' "$symbols" ||
			die "$symbols has no '_ZdlPvm W' line to add '_ZdlPvj W' after: fix it by hand"
		sed -i '/^_ZdlPvm W$/a _ZdlPvj W' "$symbols"
		say "GENODE_LOCAL_FIXES=1: added '_ZdlPvj W' after '_ZdlPvm W' in $symbols"
	else
		cat >&2 <<EOF
genode-check: error: $symbols lacks the line '_ZdlPvj W'.
  With ${cross}g++, size_t is an unsigned int, so 'operator delete(void *,
  size_t)' is _ZdlPvj, which Genode's dynamic linker does not export, and
  linking pv_vmm (any C++ component) fails with an undefined reference to
  'operator delete(void*, unsigned int)'. The fix is one line in the Genode
  tree, next to '_ZdlPvm W', and stays local (DESIGN.md section 8). Add it by
  hand, or run again with GENODE_LOCAL_FIXES=1 to have it added to
  $GENODE_DIR.
  (Linking core and ld.lib.so with this tool chain may need the other local
  workarounds of DESIGN.md section 8 too; they are not checked here.)
EOF
		exit 2
	fi
fi

# The other local workarounds of DESIGN.md section 8: Debian's newlib
# tool chain has no libgcc_eh.a, and its libsupc++ and unwinder are not
# position independent, which ld.lib.so needs. GENODE_TOOLCHAIN_DIR names a
# directory prepared outside the project (docs/genode.md, "The real run"):
# libsupc++.a and libgcc_eh.a built with -fPIC from Debian's gcc-12-source,
# and libgcc.a without its unwinder (which libgcc_eh.a holds).
tc_vars=()
if [ -n "${GENODE_TOOLCHAIN_DIR:-}" ]; then
	tc=$(cd "$GENODE_TOOLCHAIN_DIR" && pwd) || die "GENODE_TOOLCHAIN_DIR '$GENODE_TOOLCHAIN_DIR' is not a directory"
	for f in libsupc++.a libgcc_eh.a libgcc.a; do
		[ -f "$tc/$f" ] || die "GENODE_TOOLCHAIN_DIR '$tc' has no $f (docs/genode.md, \"The real run\")"
	done
	tc_vars=(LD_LIBGCC="$tc/libgcc.a" LIBGCC="$tc/libgcc.a" CUSTOM_CXX_LIB="$tc/cxxlib")
	# what Genode's cxx.mk asks the compiler for, answered from $tc
	cat > "$tc/cxxlib" <<EOF
#!/bin/sh
# written by pvcore's tools/genode-check.sh: Genode's cxx library from $tc
for a; do
	case \$a in
	-print-file-name=libsupc++.a) echo $tc/libsupc++.a; exit 0;;
	-print-file-name=libgcc_eh.a) echo $tc/libgcc_eh.a; exit 0;;
	esac
done
exec ${cross}g++ "\$@"
EOF
	chmod +x "$tc/cxxlib"
elif [ "$mode" = run ] && [ ! -f "$("${cross}gcc" -print-file-name=libgcc_eh.a)" ]; then
	die "${cross}gcc has no libgcc_eh.a, which Genode's cxx library links into
  ld.lib.so, and its libsupc++ is not position independent: set
  GENODE_TOOLCHAIN_DIR to the local tool-chain directory of docs/genode.md
  (\"The real run\"; DESIGN.md section 8)"
fi

# 4. The build directory: Genode's own, etc/build.conf ours
bd=${GENODE_BUILD_DIR:-$b/genode}
mkdir -p "$(dirname "$bd")"
bd=$(cd "$(dirname "$bd")" && pwd)/$(basename "$bd")
if [ ! -f "$bd/etc/build.conf" ]; then
	[ ! -e "$bd" ] || [ -z "$(ls -A "$bd")" ] ||
		die "GENODE_BUILD_DIR '$bd' exists and is not a Genode build directory"
	rmdir "$bd" 2>/dev/null || true
	"$GENODE_DIR/tool/create_builddir" arm_v7a BUILD_DIR="$bd" >/dev/null
fi
mk=$(readlink -f "$bd/Makefile" || true)
[ "$mk" = "$(readlink -f "$GENODE_DIR/tool/builddir/build.mk")" ] ||
	die "GENODE_BUILD_DIR '$bd' belongs to another Genode tree ($mk): remove it or choose another"
jobs=${GENODE_JOBS:-$(nproc)}
cat > "$bd/etc/build.conf" <<EOF
# Genode build configuration for pvcore's Genode backend, written by
# tools/genode-check.sh at each call (edits here are lost). By hand:
#   make -C $bd run/pv_vmm KERNEL=hw BOARD=imx6q_sabrelite \\
#       CROSS_DEV_PREFIX=$cross REQUIRED_GCC_VERSION=$gcc_version
GENODE_DIR  := $GENODE_DIR
BASE_DIR    := \$(GENODE_DIR)/repos/base
CONTRIB_DIR := \$(GENODE_DIR)/contrib

KERNEL ?= hw
BOARD  ?= imx6q_sabrelite

MAKE += -j$jobs

RUN_OPT += --include boot_dir/\$(KERNEL)
RUN_OPT += --include power_on/qemu --include log/qemu

REPOSITORIES += \$(GENODE_DIR)/repos/base-\$(KERNEL)
REPOSITORIES += \$(GENODE_DIR)/repos/base
REPOSITORIES += \$(GENODE_DIR)/repos/os
# pvcore's Genode backend, before genode-imx: the first repository that has
# a library's .mk wins, and the backend replaces genode-imx's core library
# lib/mk/spec/arm_v7/core-hw-imx6q_sabrelite.mk (docs/genode.md).
REPOSITORIES += $src/backends/genode
REPOSITORIES += $imx
EOF

make_genode() {
	make -C "$bd" "$@" KERNEL=hw BOARD=imx6q_sabrelite \
		CROSS_DEV_PREFIX="$cross" REQUIRED_GCC_VERSION="$gcc_version" \
		"${tc_vars[@]}"
}

if [ "$mode" = build ]; then
	say "building $* in $bd"
	make_genode "$@"
	exit 0
fi

# 5. The guest, from pvcore's own build
if [ -z "${PV_GUEST_DIR:-}" ]; then
	armnone=${PV_BAREMETAL_DIR:-$b/arm-none}
	pvpatch=${PV_PVPATCH:-$b/host/tools/pvpatch/pvpatch}
	pkgs=${PV_GUEST_PKGS:-$b/armhf-pkgs/guest}
	[ -x "$pvpatch" ] || die "no pvpatch at '$pvpatch': make build (or set PV_PVPATCH, or PV_GUEST_DIR)"
	[ -f "$armnone/libpvcore/libpvcore.a" ] || die "no arm-none build at '$armnone': make build (or set PV_BAREMETAL_DIR)"
	ls "$pkgs"/boot/vmlinuz-*-armmp >/dev/null 2>&1 || die "no Debian kernel in '$pkgs': make pkgs (or set PV_GUEST_PKGS)"
	PV_GUEST_DIR=$b/genode-guest
	stubs=${PV_STUBS:-1}
	say "making the guest in $PV_GUEST_DIR (PV_STUBS=$stubs)"
	# pvbench in the initramfs for run/pv_vmm_bench.run; /init runs it
	# only when the command line asks (tests/linux/init)
	pvbench=$armnone/tests/linux/bench/pvbench
	[ -f "$pvbench" ] || die "no $pvbench: ninja -C $armnone"
	PV_INITRAMFS_EXTRA="bin/pvbench=$pvbench" \
	PV_STUBS=$stubs PV_VCPUS=1 "$src/tools/mk-linux-image.sh" "$armnone" "$pvpatch" "$pkgs" \
		"$PV_GUEST_DIR"
fi
[ -d "$PV_GUEST_DIR" ] || die "PV_GUEST_DIR '$PV_GUEST_DIR' is not a directory"
PV_GUEST_DIR=$(cd "$PV_GUEST_DIR" && pwd)
export PV_GUEST_DIR

for r in ${PV_GENODE_RUNS:-pv_vmm pv_vm_revoke}; do
	[ -f "$src/backends/genode/run/$r.run" ] || die "PV_GENODE_RUNS: no run/$r.run"
	say "running run/$r in $bd (guest from $PV_GUEST_DIR)"
	make_genode "run/$r"
done
