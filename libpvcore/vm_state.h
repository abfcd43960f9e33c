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
