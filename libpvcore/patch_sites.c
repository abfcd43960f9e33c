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

/* ---- self-describing trap words (encoding in include/pvcore/patch.h) ---- */

#define SELF_TAG_MASK 0xE000u

static bool isa_ok(unsigned isa)
{
	return isa == 0 || isa == PV_SITE_THUMB ||
	       isa == (PV_SITE_THUMB | PV_SITE_T16);
}

/* The UDF container of @isa around @imm (imm16, or imm8 for T16). */
static uint32_t udf_word(unsigned isa, uint32_t imm)
{
	if (isa == 0)
		return 0xE7F000F0u | (imm >> 4) << 8 | (imm & 0xFu);
	if (isa & PV_SITE_T16)
		return 0xDE00u | (imm & 0xFFu);
	return 0xF7F0A000u | (imm >> 12) << 16 | (imm & 0xFFFu);
}

/* The immediate of a UDF word of @isa (imm16, or imm8 for T16), or false. */
static bool udf_imm(uint32_t w, unsigned isa, uint32_t *imm)
{
	if (isa == 0) {
		if ((w & 0xFFF000F0u) != 0xE7F000F0u)
			return false;
		*imm = (w >> 4 & 0xFFF0u) | (w & 0xFu);
	} else if (isa & PV_SITE_T16) {
		if ((w & 0xFFFFFF00u) != 0xDE00u)
			return false;
		*imm = w & 0xFFu;
	} else {
		if ((w & 0xFFF0F000u) != 0xF7F0A000u)
			return false;
		*imm = (w >> 4 & 0xF000u) | (w & 0xFFFu);
	}
	return true;
}

/* The decoder's class of @w in @isa, or PV_IC_NONE if it does not decode. */
static unsigned class_of(uint32_t w, unsigned isa)
{
	struct pv_insn in;
	int err;

	if (isa == 0)
		err = pv_decode_arm(w, &in);
	else if (isa & PV_SITE_T16)
		err = w > 0xFFFFu ? PV_EUNDEF : pv_decode_thumb((uint16_t)w, 0, &in);
	else
		err = pv_decode_thumb((uint16_t)(w >> 16), (uint16_t)w, &in);
	return err ? PV_IC_NONE : in.cls;
}

/*
 * The instruction the self-describing immediate @imm of @isa stands for,
 * built from its fields; false for a reserved immediate. The caller checks
 * that the result decodes to the class the form names.
 */
static bool self_build(uint32_t imm, unsigned isa, uint32_t *orig)
{
	uint32_t cond = imm >> 9 & 0xFu, tag = imm & SELF_TAG_MASK;

	if (isa & PV_SITE_T16) {
		if ((imm & 0xF0u) == PV_SELF_T16_CPS && (imm & 7u))
			*orig = 0xB660u | (imm >> 3 & 1u) << 4 | (imm & 7u);
		else if (imm == PV_SELF_T16_WFE)
			*orig = 0xBF20u;
		else if (imm == PV_SELF_T16_WFI)
			*orig = 0xBF30u;
		else
			return false;
		return true;
	}
	if (tag == PV_SELF_CPS) {
		if (imm & 0x1800u)
			return false;
		/* imod, M, A:I:F and mode sit at the same bits of the T32 hw2. */
		*orig = isa ? 0xF3AF8000u | (imm & 0x7FFu) :
			      0xF1000000u | (imm >> 9 & 3u) << 18 |
				      (imm >> 8 & 1u) << 17 | (imm >> 5 & 7u) << 6 |
				      (imm & 0x1Fu);
		return true;
	}
	if (tag != PV_SELF_MSR && tag != PV_SELF_MISC && tag != PV_SELF_ERET)
		return false;
	if (cond == 0xFu || (isa && cond != 0xEu))
		return false;
	if (tag == PV_SELF_ERET) {
		/* A32 only: Thumb's SUBS PC, LR is rare and has no MOVS form. */
		if (isa)
			return false;
		if ((imm >> 8 & 1u) == PV_SELF_ERET_SUBS)
			*orig = cond << 28 | 0x025EF000u | (imm & 0xFFu);
		else if (imm & 0xFFu)
			return false;
		else
			*orig = cond << 28 | 0x01B0F00Eu;
		return true;
	}
	if (tag == PV_SELF_MSR) {
		uint32_t r = imm >> 8 & 1u, mask = imm >> 4 & 0xFu, rn = imm & 0xFu;

		*orig = isa ? 0xF3808000u | r << 20 | rn << 16 | mask << 8 :
			      cond << 28 | 0x0120F000u | r << 22 | mask << 16 | rn;
		return true;
	}
	switch (imm >> 5 & 0xFu) {
	case PV_SELF_MISC_MRS: {
		uint32_t r = imm >> 4 & 1u, rd = imm & 0xFu;

		*orig = isa ? 0xF3EF8000u | r << 20 | rd << 8 :
			      cond << 28 | 0x010F0000u | r << 22 | rd << 12;
		return true;
	}
	case PV_SELF_MISC_WFI:
	case PV_SELF_MISC_WFE:
		if (imm & 0x1Fu)
			return false;
		*orig = (isa ? 0xF3AF8000u : cond << 28 | 0x0320F000u) |
			((imm >> 5 & 0xFu) == PV_SELF_MISC_WFI ? 3u : 2u);
		return true;
	default:
		return false;
	}
}

/* The self-describing immediate for @w of class @cls in @isa, or false. */
static bool self_fields(uint32_t w, unsigned isa, unsigned cls, uint32_t *imm)
{
	uint32_t cond = isa ? 0xEu : w >> 28;

	if (isa & PV_SITE_T16) {
		if (cls == PV_IC_CPS && (w & 0xFFE8u) == 0xB660u)
			*imm = PV_SELF_T16_CPS | (w >> 4 & 1u) << 3 | (w & 7u);
		else if (cls == PV_IC_WFE && w == 0xBF20u)
			*imm = PV_SELF_T16_WFE;
		else if (cls == PV_IC_WFI && w == 0xBF30u)
			*imm = PV_SELF_T16_WFI;
		else
			return false;
		return true;
	}
	switch (cls) {
	case PV_IC_CPS:
		if (isa) {
			if ((w & 0xFFFFF800u) != 0xF3AF8000u)
				return false;
			*imm = PV_SELF_CPS | (w & 0x7FFu);
		} else {
			if ((w & 0xFFF1FE20u) != 0xF1000000u)
				return false;
			*imm = PV_SELF_CPS | (w >> 18 & 3u) << 9 | (w >> 17 & 1u) << 8 |
			       (w >> 6 & 7u) << 5 | (w & 0x1Fu);
		}
		return true;
	case PV_IC_MRS:
		if (isa ? (w & 0xFFEFF0FFu) != 0xF3EF8000u :
			  (w & 0x0FBF0FFFu) != 0x010F0000u)
			return false;
		*imm = PV_SELF_MISC | cond << 9 | PV_SELF_MISC_MRS << 5 |
		       (w >> (isa ? 20 : 22) & 1u) << 4 | (w >> (isa ? 8 : 12) & 0xFu);
		return true;
	case PV_IC_MSR:
		if (isa) {
			if ((w & 0xFFE0F0FFu) != 0xF3808000u)
				return false;
			*imm = PV_SELF_MSR | cond << 9 | (w >> 20 & 1u) << 8 |
			       (w >> 8 & 0xFu) << 4 | (w >> 16 & 0xFu);
		} else {
			if ((w & 0x0FB0FFF0u) != 0x0120F000u)
				return false;
			*imm = PV_SELF_MSR | cond << 9 | (w >> 22 & 1u) << 8 |
			       (w >> 16 & 0xFu) << 4 | (w & 0xFu);
		}
		return true;
	case PV_IC_DP_ERET:
		/* The two forms Linux returns to user mode with (entry-header.S). */
		if (isa)
			return false;
		if ((w & 0x0FFFFF00u) == 0x025EF000u)
			*imm = PV_SELF_ERET | cond << 9 | PV_SELF_ERET_SUBS << 8 |
			       (w & 0xFFu);
		else if ((w & 0x0FFFFFFFu) == 0x01B0F00Eu)
			*imm = PV_SELF_ERET | cond << 9 | PV_SELF_ERET_MOVS << 8;
		else
			return false;
		return true;
	case PV_IC_WFI:
	case PV_IC_WFE:
		if (isa ? (w & 0xFFFFFFFEu) != 0xF3AF8002u :
			  (w & 0x0FFFFFFEu) != 0x0320F002u)
			return false;
		*imm = PV_SELF_MISC | cond << 9 |
		       (cls == PV_IC_WFI ? PV_SELF_MISC_WFI : PV_SELF_MISC_WFE) << 5;
		return true;
	default:
		return false;
	}
}

int pv_patch_self_encode(uint32_t original, unsigned isa, uint32_t *trap)
{
	uint32_t imm, back;
	unsigned cls;

	if (!trap || !isa_ok(isa))
		return PV_EINVAL;
	cls = class_of(original, isa);
	/* Only what the decoder itself calls the class, and only where the
	 * fields give back every bit of the original. */
	if (!self_fields(original, isa, cls, &imm) || !self_build(imm, isa, &back) ||
	    back != original)
		return PV_ENOTOURS;
	*trap = udf_word(isa, imm);
	return 0;
}

int pv_patch_self_decode(uint32_t trap, unsigned isa, struct pv_patch_site *out)
{
	uint32_t imm, orig, again;
	unsigned cls;

	if (!out || !isa_ok(isa))
		return PV_EINVAL;
	if (!udf_imm(trap, isa, &imm) || !self_build(imm, isa, &orig))
		return PV_ENOTOURS;
	cls = class_of(orig, isa);
	/* The one canonical word per instruction (the inverse of encode). */
	if (!self_fields(orig, isa, cls, &again) || again != imm)
		return PV_ENOTOURS;
	out->va = 0;
	out->original = orig;
	out->patched = trap;
	out->cls = (uint16_t)cls;
	out->flags = (uint16_t)isa;
	return 0;
}

const struct pv_patch_site *pv_patch_resolve(const struct pv_patch_table *t,
					     pv_gva_t pc, uint32_t fetched,
					     unsigned isa, bool privileged,
					     struct pv_patch_site *scratch)
{
	uint32_t key = pv_gva_val(pc);
	const struct pv_patch_site *s = NULL;

	if (t && t->sites) {
		s = find(t, key);
		/* The load alias is the kernel's own (MMU off, identity map);
		 * a user process at that address gets no kernel site. */
		if (!s && privileged && t->load_alias &&
		    key - t->load_base < t->image_size)
			s = find(t, key - t->load_base + t->image_base);
		if (s && (s->patched != fetched ||
			  (s->flags & PV_SITE_ISA_MASK) != isa))
			s = NULL;
	}
	if (s)
		return s;
	if (!privileged || !scratch || pv_patch_self_decode(fetched, isa, scratch))
		return NULL;
	scratch->va = key;
	return scratch;
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
	struct pv_patch_site self;
	unsigned cls;

	if (s->cls < PV_IC_COUNT && !(s->flags & ~PV_SITE_FLAGS_ALL) &&
	    isa_ok(s->flags & PV_SITE_ISA_MASK) &&
	    pv_patch_self_decode(s->patched, s->flags & PV_SITE_ISA_MASK,
				 &self) == 0)
		return (s->va & ((s->flags & PV_SITE_THUMB) ? 1u : 3u)) == 0 &&
		       self.original == s->original && self.cls == s->cls;

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
