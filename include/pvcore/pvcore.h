/* SPDX-License-Identifier: MIT */
/**
 * DOC: pvcore - run an ARMv7-A guest on an ARMv7-A CPU without
 * virtualization extensions
 *
 * Include this one header. It is the whole installed API:
 *
 * - types.h     guest-virtual, guest-physical and host address types;
 * - error.h     the PV_E* codes and pv_strerror();
 * - backend.h   what a backend provides (the operations) and guarantees;
 * - board.h     the virtual board descriptor;
 * - vm.h        the VM and vCPU entry points a backend calls;
 * - patch.h     pvpatch site tables;
 * - pvpage.h    the pvpatch stub area and the vCPU page;
 * - linux.h     a pvpatch'ed Linux guest checked and loaded;
 * - fastpath.h  the backend's system-call fast path;
 * - decode.h    the instruction decoder, for tools;
 * - hypercall.h the guest-side hypercall ABI.
 *
 * See README.md for the architecture.
 */
#ifndef PVCORE_PVCORE_H
#define PVCORE_PVCORE_H

#define PVCORE_VERSION_MAJOR 0
#define PVCORE_VERSION_MINOR 2

#include <pvcore/types.h>
#include <pvcore/error.h>
#include <pvcore/backend.h>
#include <pvcore/board.h>
#include <pvcore/vm.h>
#include <pvcore/patch.h>
#include <pvcore/pvpage.h>
#include <pvcore/linux.h>
#include <pvcore/fastpath.h>
#include <pvcore/decode.h>
#include <pvcore/hypercall.h>

#endif /* PVCORE_PVCORE_H */
