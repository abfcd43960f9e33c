// SPDX-License-Identifier: MIT
/*
 * Hands the conformance guest's pvpatch site table to pvbm, without
 * touching the backend: the images are linked with -Wl,--wrap=pv_vm_init,
 * so pvbm's pv_vm_init() call lands here first. We parse the manifest that
 * mkguest.py embedded (pvbm_guest_sites_start/_end, in the generated blob
 * file) with pv_patch_table_parse() and set cfg.patch_sites.
 *
 * CONF_VCPUS (default 1) is the VM's vCPU count: 4 for the SMP image,
 * whose guest starts its secondaries with PSCI CPU_ON.
 *
 * Built with CONF_FAULT=1 for the negative control: the core's test-only
 * emulator fault (PV_TEST_FAULTS, libpvcore/emulate.c: every emulated load
 * returns its value with bit 0 flipped) is switched on as well.
 */
#include <pvcore/pvcore.h>

extern const uint8_t pvbm_guest_sites_start[], pvbm_guest_sites_end[];
int __real_pv_vm_init(struct pv_vm *vm, const struct pv_vm_config *cfg);
int __wrap_pv_vm_init(struct pv_vm *vm, const struct pv_vm_config *cfg);

#ifndef CONF_VCPUS
#define CONF_VCPUS 1
#endif

#if CONF_FAULT
extern int pv_test_fault_emulate;
#endif

static struct pv_patch_table sites;

int __wrap_pv_vm_init(struct pv_vm *vm, const struct pv_vm_config *cfg)
{
	struct pv_vm_config c = *cfg;
	int err;

	err = pv_patch_table_parse(pvbm_guest_sites_start,
				   (size_t)(pvbm_guest_sites_end -
					    pvbm_guest_sites_start), &sites);
	if (err)
		return err; /* pvbm reports "pv_vm_init: <error>" and stops */
	c.patch_sites = &sites;
	c.num_vcpus = CONF_VCPUS;
#if CONF_FAULT
	pv_test_fault_emulate = 1;
#endif
	return __real_pv_vm_init(vm, &c);
}
