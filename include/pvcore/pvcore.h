/* SPDX-License-Identifier: MIT */
/**
 * DOC: pvcore - run an ARMv7-A guest on an ARMv7-A CPU without
 * virtualization extensions
 *
 * Include this one header. See README.md for the architecture and the
 * backend contract (backend.h).
 */
#ifndef PVCORE_PVCORE_H
#define PVCORE_PVCORE_H

#define PVCORE_VERSION_MAJOR 0
#define PVCORE_VERSION_MINOR 1

#include <pvcore/types.h>
#include <pvcore/error.h>
#include <pvcore/backend.h>
#include <pvcore/board.h>
#include <pvcore/memmap.h>
#include <pvcore/mmu.h>
#include <pvcore/guest_mem.h>
#include <pvcore/vcpu.h>
#include <pvcore/cp15.h>
#include <pvcore/trap.h>
#include <pvcore/hypercall.h>
#include <pvcore/decode.h>
#include <pvcore/emulate.h>
#include <pvcore/shadow.h>
#include <pvcore/devices.h>
#include <pvcore/vm.h>

#endif /* PVCORE_PVCORE_H */
