/* SPDX-License-Identifier: MIT */
/*
 * The layout of &struct pv_vm, private to the core (and to white-box
 * tests). Backends see the VM only through <pvcore/vm.h>.
 */
#ifndef PV_VM_STATE_H
#define PV_VM_STATE_H

#include <pvcore/vm.h>

#include "devices.h"
#include "memmap.h"
#include "shadow.h"
#include "stats.h"
#include "vcpu.h"

/**
 * struct pv_vm - one virtual machine
 * @cfg: the configuration, copied at init (@cfg.board is never NULL here)
 * @map: guest-physical memory map
 * @shadow: shadow page-table engine state
 * @dev: device models, instantiated from @cfg.board
 * @vcpu: the vCPUs; the first @cfg.num_vcpus are in use
 * @stats: trap and event counters, trace ring
 *
 * Concurrency: all of it, every vCPU included, belongs to whoever holds
 * the backend's VM lock (backend.h: one pvcore entry point at a time per
 * VM). Host cores running guest code at the same time never read it
 * without the lock; what crosses between them goes through the backend:
 * a vCPU with news is named to ops->kick, under the lock, and its own
 * core then polls it (pv_vcpu_poll(), only for a vCPU that is not running
 * guest code). The one part a core reads without the lock is the
 * &struct pv_fast of the vCPU it runs (fastpath.h): its fast paths may
 * run only while no other core can take the lock for that vCPU's space
 * (pvbm registers it only for a VM of one vCPU; docs/smp.md).
 */
struct pv_vm {
	struct pv_vm_config cfg;
	struct pv_memmap map;
	struct pv_shadow shadow;
	struct pv_devices dev;
	struct pv_vcpu vcpu[PV_MAX_VCPUS];
	struct pv_stats stats;
};

#endif /* PV_VM_STATE_H */
