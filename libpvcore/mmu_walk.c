/* SPDX-License-Identifier: MIT */
/* STUB (issue 5 replaces): guest translation. MMU off only. */
#include <pvcore/error.h>
#include <pvcore/mmu.h>
#include <pvcore/vcpu.h>

#include "pv_internal.h"

int pv_mmu_translate(struct pv_vcpu *vcpu, pv_gva_t va, unsigned acc, struct pv_walk *out, struct pv_fault *fault)
{
	(void)vcpu; (void)acc; (void)fault;
	pv_memset(out, 0, sizeof(*out));
	out->pa = pv_gpa(pv_gva_val(va));
	out->page_size = 4096;
	out->pl1_read = out->pl1_write = out->pl0_read = out->pl0_write = true;
	return 0;
}
