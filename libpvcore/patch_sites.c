/* SPDX-License-Identifier: MIT */
/*
 * pvpatch site tables: lookup of a trapping PC and validation of the
 * on-disk manifest the patcher writes (format in include/pvcore/patch.h).
 * The manifest is little-endian and read in place, which is right for the
 * little-endian hosts pvcore supports (Cortex-A9 LE, x86-64/arm64 tests).
 */
#include <pvcore/decode.h>
#include <pvcore/error.h>
#include <pvcore/patch.h>

#include "pv_internal.h"

/* Index of the first site whose va is >= @key (count if none). */
static uint32_t lower_bound(const struct pv_patch_table *t, uint32_t key)
{
	return (uint32_t)pv_bsearch_u32(t->sites, t->count, sizeof(t->sites[0]),
					offsetof(struct pv_patch_site, va), key,
					false);
}

static const struct pv_patch_site *find(const struct pv_patch_table *t,
				       uint32_t key)
{
	uint32_t i = lower_bound(t, key);

	return i < t->count && t->sites[i].va == key ? &t->sites[i] : NULL;
}

const struct pv_patch_site *pv_patch_lookup(const struct pv_patch_table *t,
					    pv_gva_t va)
{
	uint32_t key = pv_gva_val(va);
	const struct pv_patch_site *s;

	if (!t || !t->sites)
		return NULL;
	s = find(t, key);
	if (!s && t->load_alias && key - t->load_base < t->image_size)
		s = find(t, key - t->load_base + t->image_base);
	return s;
}

int pv_patch_table_set_load(struct pv_patch_table *t, pv_gpa_t load)
{
	uint64_t lo = pv_gpa_val(load);
	uint32_t first;

	if (!t || !t->image_size)
		return PV_EINVAL;
	if (lo + t->image_size > 0x100000000ull ||
	    (lo < (uint64_t)t->image_base + t->image_size &&
	     t->image_base < lo + t->image_size))
		return PV_ERANGE;
	/* A site listed inside the load range (an out-of-Image alias) would
	 * make a PC there mean two sites. */
	first = t->sites ? lower_bound(t, (uint32_t)lo) : t->count;
	if (first < t->count && t->sites[first].va - (uint32_t)lo < t->image_size)
		return PV_ERANGE;
	t->load_base = (uint32_t)lo;
	t->load_alias = true;
	return 0;
}

uint32_t pv_patch_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	/* Bitwise: the table would cost 1 KiB of the VMM for a one-off check. */
	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static bool site_ok(const struct pv_patch_site *s)
{
	unsigned cls;

	if (s->cls >= PV_IC_COUNT || (s->flags & ~PV_SITE_FLAGS_ALL))
		return false;
	if (!(s->flags & PV_SITE_THUMB)) {
		if (s->flags & PV_SITE_T16)
			return false;
		return (s->va & 3u) == 0 && pv_patch_is_marker_a32(s->patched, &cls) &&
		       cls == s->cls;
	}
	if (s->va & 1u)
		return false;
	if (s->flags & PV_SITE_T16)
		return s->patched <= 0xFFFFu && s->original <= 0xFFFFu &&
		       pv_patch_is_marker_t16((uint16_t)s->patched, &cls) &&
		       cls == s->cls;
	return pv_patch_is_marker_t32(s->patched, &cls) && cls == s->cls;
}

int pv_patch_table_parse(const void *blob, size_t len,
			 struct pv_patch_table *out)
{
	struct pv_patch_manifest_hdr h;
	const uint8_t *b = blob;
	const struct pv_patch_site *sites;
	const uint32_t *names;
	uint64_t need;
	uint32_t crc;
	static const uint8_t zero[4];

	if (!blob || !out || ((uintptr_t)blob & 3u))
		return PV_EINVAL;
	if (len < sizeof(h))
		return PV_ECORRUPT;
	pv_memcpy(&h, b, sizeof(h));
	if (h.magic != PV_PATCH_MAGIC || h.version != PV_PATCH_VERSION ||
	    h.hdr_size != sizeof(h) || h.entry_size != sizeof(struct pv_patch_site))
		return PV_ECORRUPT;
	/* 64-bit sum: a hostile count must not wrap around to a small size. */
	need = (uint64_t)sizeof(h) + (uint64_t)h.count * (sizeof(struct pv_patch_site) + 4u) +
	       h.strtab_size;
	if (need != len)
		return PV_ECORRUPT;
	if (h.strtab_size && b[len - 1] != 0)
		return PV_ECORRUPT;
	crc = pv_patch_crc32(0, b, offsetof(struct pv_patch_manifest_hdr, checksum));
	crc = pv_patch_crc32(crc, zero, 4);
	crc = pv_patch_crc32(crc, b + sizeof(h), len - sizeof(h));
	if (crc != h.checksum)
		return PV_ECORRUPT;
	sites = (const struct pv_patch_site *)(const void *)(b + sizeof(h));
	names = (const uint32_t *)(const void *)(sites + h.count);
	for (uint32_t i = 0; i < h.count; i++) {
		if (!site_ok(&sites[i]))
			return PV_ECORRUPT;
		if (i && sites[i].va <= sites[i - 1].va)
			return PV_ECORRUPT;
		if (names[i] >= h.strtab_size && h.strtab_size)
			return PV_ECORRUPT;
	}
	if ((uint64_t)h.image_base + h.image_size > 0x100000000ull)
		return PV_ECORRUPT;
	pv_memset(out, 0, sizeof(*out));
	out->sites = sites;
	out->count = h.count;
	out->image_base = h.image_base;
	out->image_size = h.image_size;
	return 0;
}
