// SPDX-License-Identifier: MIT
/*
 * Hands the hostile guest's pvpatch site table to pvbm, as the
 * conformance images do (tests/conformance/native/pvbm_hook.c): the
 * images link with -Wl,--wrap=pv_vm_init, so pvbm's pv_vm_init() call
 * lands here first, after pvbm filled its host canaries. HOSTILE_HOOK
 * selects what else happens there:
 *
 *   0  nothing: the hostile suite proper
 *   1  the core's test-only emulator fault is switched on (PV_TEST_FAULTS:
 *      every emulated load returns bit 0 flipped), to show the scenarios'
 *      own checks catch a VMM that gets an emulated access wrong
 *   2  one word of the canary page below the shadow pool is overwritten,
 *   3  one word of pvbm's rodata is: the negative controls of the canary
 *      check, which must end those runs with "pvbm: FATAL: canary" and
 *      status 4 whatever the guest does
 */
#include <pvcore/pvcore.h>

#include "platform.h"

extern const uint8_t pvbm_guest_sites_start[], pvbm_guest_sites_end[];
int __real_pv_vm_init(struct pv_vm *vm, const struct pv_vm_config *cfg);
int __wrap_pv_vm_init(struct pv_vm *vm, const struct pv_vm_config *cfg);

#if HOSTILE_HOOK == 1
extern int pv_test_fault_emulate;
#endif
#if HOSTILE_HOOK == 3
static const uint32_t rodata_word = 0x600dc0deu; /* in .rodata */
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
#if HOSTILE_HOOK == 1
	pv_test_fault_emulate = 1;
#elif HOSTILE_HOOK == 2
	*(volatile uint32_t *)(pvbm_platform.pool_pa - 4096u + 0x40u) ^= 1u;
#elif HOSTILE_HOOK == 3
	*(volatile uint32_t *)&rodata_word ^= 0x100u;
#endif
	return __real_pv_vm_init(vm, &c);
}
