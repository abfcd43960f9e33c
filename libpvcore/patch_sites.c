/* SPDX-License-Identifier: MIT */
/* Look a trapping PC up in the pvpatch site table (sorted by address). */
#include <pvcore/patch.h>

const struct pv_patch_site *pv_patch_lookup(const struct pv_patch_table *t,
					    pv_gva_t va)
{
	uint32_t lo = 0, hi, key = pv_gva_val(va);

	if (!t || !t->sites)
		return NULL;
	hi = t->count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->sites[mid].va < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->count && t->sites[lo].va == key ? &t->sites[lo] : NULL;
}
