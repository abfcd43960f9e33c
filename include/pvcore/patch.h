/* SPDX-License-Identifier: MIT */
/**
 * DOC: pvpatch site tables (owned by the patcher component)
 *
 * Placeholder until issue 8 lands: the VMM looks a trapping PC up in this
 * table and emulates the original instruction recorded there.
 */
#ifndef PVCORE_PATCH_H
#define PVCORE_PATCH_H

#include <pvcore/types.h>

struct pv_patch_site {
	uint32_t va;       /* guest-virtual address of the patched word */
	uint32_t original; /* the instruction that was there */
	uint32_t patched;  /* the trapping word now there */
	uint16_t cls;      /* enum pv_insn_class */
	uint16_t flags;    /* PV_SITE_THUMB, ... */
};

#define PV_SITE_THUMB (1u << 0)

struct pv_patch_table {
	const struct pv_patch_site *sites; /* sorted by va */
	uint32_t count;
};

/**
 * pv_patch_lookup() - the site at guest-virtual @va, or NULL.
 */
const struct pv_patch_site *pv_patch_lookup(const struct pv_patch_table *t,
					    pv_gva_t va);

#endif /* PVCORE_PATCH_H */
