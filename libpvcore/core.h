/* SPDX-License-Identifier: MIT */
/*
 * Every component header of the core, for white-box users that live in
 * this repository (unit tests, fuzzers, benchmarks, the oracle comparer).
 * Never installed; backends and tools use <pvcore/pvcore.h> only.
 */
#ifndef PV_CORE_H
#define PV_CORE_H

#include <pvcore/pvcore.h>

#include "a9_timers.h"
#include "cp15.h"
#include "devices.h"
#include "emulate.h"
#include "gic.h"
#include "guest_mem.h"
#include "hypercall_svc.h"
#include "itlb.h"
#include "memmap.h"
#include "mmu.h"
#include "outcome.h"
#include "pl011.h"
#include "psci.h"
#include "scu.h"
#include "shadow.h"
#include "stats.h"
#include "vcpu.h"
#include "virtio_blk.h"
#include "virtio_console.h"
#include "virtio_mmio.h"
#include "virtio_net.h"
#include "virtio_rng.h"
#include "vm_state.h"

#endif /* PV_CORE_H */
