#!/usr/bin/env bash
# Boot the demo guest under the bare-metal VMM on qemu-system-arm -M sabrelite.
#   tools/run-demo.sh <arm-none build dir> [image name]
# The VMM ends the run itself (semihosting exit) with the guest's status;
# the timeout only guards against a hang and is reported as one.
set -euo pipefail
build=${1:?usage: $0 <arm-none-build-dir> [image]}
image=${2:-${PV_DEMO_IMAGE:-pvbm-skeleton}}
elf="$build/tests/guest/$image.elf"
command -v qemu-system-arm >/dev/null ||
	{ echo "run-demo: error: qemu-system-arm not found: run tools/bootstrap.sh" >&2; exit 1; }
[ -f "$elf" ] || { echo "run-demo: error: $elf not found: build with ninja -C $build" >&2; exit 1; }
echo "run-demo: booting $elf on qemu-system-arm -M sabrelite (console on the second serial port)"
set +e
timeout --foreground 300 qemu-system-arm -M sabrelite -smp 1 -m 1G -display none \
	-monitor none -serial null -serial stdio \
	-semihosting-config enable=on,target=native -kernel "$elf"
rc=$?
set -e
if [ $rc = 124 ]; then
	echo "run-demo: error: the guest did not finish within 300 s (hang?)" >&2
else
	echo "run-demo: QEMU exited with status $rc"
fi
exit $rc
