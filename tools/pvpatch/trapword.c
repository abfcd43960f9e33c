/* SPDX-License-Identifier: MIT */
/* Which trap word a site gets: self-describing where the original fits
 * (include/pvcore/patch.h), else the class marker the table indexes. */
#include "pvpatch.h"

uint32_t pvp_trap_word(const struct pvp_image *img, uint32_t raw, uint16_t flags,
		       unsigned cls)
{
	unsigned isa = flags & PV_SITE_ISA_MASK;
	uint32_t w;

	if (!img->table_only && pv_patch_self_encode(raw, isa, &w) == 0)
		return w;
	if (!(flags & PV_SITE_THUMB))
		return pv_patch_marker_a32(cls);
	if (flags & PV_SITE_T16)
		return pv_patch_marker_t16(cls);
	return pv_patch_marker_t32(cls);
}

bool pvp_is_self_word(uint32_t raw, uint16_t flags)
{
	struct pv_patch_site s;

	return pv_patch_self_decode(raw, flags & PV_SITE_ISA_MASK, &s) == 0;
}
