/* SPDX-License-Identifier: MIT */
/*
 * The kernel's check of a vCPU's run half (run_check.h).
 */
#include "run_check.h"

#include <pvcore/error.h>

/* CPSR fields (Arm ARM B1.3.3). */
#define PSR_MODE_MASK 0x1fu
#define PSR_USR 0x10u
#define PSR_AIF (7u << 6)
#define PSR_T (1u << 5)
#define PSR_J (1u << 24)
#define PSR_IT ((3u << 25) | (0x3fu << 10))
#define PSR_RESERVED (0xfu << 20)

int pv_genode_run_take(const struct pv_genode_walker *w, uint8_t asid_first,
		       uint8_t asid_last, uint32_t ttbr_attrs,
		       const struct pv_genode_run *from, struct pv_genode_run *to)
{
	const volatile uint32_t *src = (const volatile uint32_t *)from;
	uint32_t *dst = (uint32_t *)to;
	uint32_t c;

	if (!w || !from || !to)
		return PV_EINVAL;
	/* Once, word by word: checks and load see the same values. */
	for (unsigned i = 0; i < sizeof(*to) / 4; i++)
		dst[i] = src[i];
	c = to->cpsr;
	if ((c & PSR_MODE_MASK) != PSR_USR || (c & (PSR_AIF | PSR_J | PSR_RESERVED)) ||
	    (!(c & PSR_T) && (c & PSR_IT)))
		return PV_ESTATE;
	if (!pv_genode_walker_root_ok(w, to->ttbr0))
		return PV_ERANGE;
	to->ttbr0 = (to->ttbr0 & ~0x3fffu) | (ttbr_attrs & 0x3fffu);
	if (to->contextidr < asid_first || to->contextidr > asid_last)
		return PV_ERANGE;
	if (to->dacr & (to->dacr >> 1) & 0x55555555u)
		return PV_EWINDOW;
	if (to->flags & ~(PV_GENODE_RUN_VFP | PV_GENODE_RUN_ALIGN))
		return PV_ECORRUPT;
	return 0;
}
