/* SPDX-License-Identifier: MIT */
/*
 * Internal to the decode component: the pattern table format shared by the
 * A32, T16 and T32 decoders (decode_arm.c, decode_thumb.c).
 *
 * A table is an ordered list of (mask, value) patterns, in the spirit of
 * QEMU's decodetree: the first pattern with (word & mask) == value wins,
 * which sets the class and runs the pattern's field extractor. Extractors
 * only read bits and check the encoding's constraints; they never branch
 * into other encodings, so the table order alone says which pattern
 * shadows which.
 */
#ifndef PV_DECODE_INTERNAL_H
#define PV_DECODE_INTERNAL_H

#include <pvcore/decode.h>
#include <pvcore/error.h>

#include "pv_internal.h"

/* Returns 0, PV_EUNDEF or PV_ENOTOURS; fills the operand fields. */
typedef int (*pv_dec_fn)(uint32_t w, struct pv_insn *out);

struct pv_dec_pattern {
	uint32_t mask, value;
	uint8_t cls;      /* enum pv_insn_class set before @fn runs */
	pv_dec_fn fn;     /* NULL: no operands */
};

/* The row pv_dec_table() runs for @w: the first that matches, @n if none. */
static inline size_t pv_dec_match(const struct pv_dec_pattern *tab, size_t n,
				  uint32_t w)
{
	size_t i = 0;

	while (i < n && (w & tab[i].mask) != tab[i].value)
		i++;
	return i;
}

/* Run @tab over @w; no match gives PV_ENOTOURS. Sets out->cls. */
int pv_dec_table(const struct pv_dec_pattern *tab, size_t n, uint32_t w,
		 struct pv_insn *out);

/*
 * The decoders' tables, for white-box tests (tests/unit/test_decode_tables.c
 * proves every row reachable). The A32 conditional table is matched with
 * bits 31:28 cleared; T32 rows match hw1 << 16 | hw2.
 */
enum pv_dec_table_id {
	PV_DEC_A32_COND,
	PV_DEC_A32_UNCOND,
	PV_DEC_T16,
	PV_DEC_T32,
	PV_DEC_NTABLES,
};

extern const struct pv_dec_pattern pv_dec_a32_cond[], pv_dec_a32_uncond[],
	pv_dec_t16[], pv_dec_t32[];
extern const size_t pv_dec_a32_cond_n, pv_dec_a32_uncond_n, pv_dec_t16_n,
	pv_dec_t32_n;

/*
 * Inline so that only its users (tests) reference all four tables: in
 * decode_common.c it would make that file call up into both decoders.
 */
static inline const struct pv_dec_pattern *
pv_dec_table_rows(enum pv_dec_table_id which, size_t *n)
{
	static const struct {
		const struct pv_dec_pattern *rows;
		const size_t *n;
	} tabs[PV_DEC_NTABLES] = {
		[PV_DEC_A32_COND] = { pv_dec_a32_cond, &pv_dec_a32_cond_n },
		[PV_DEC_A32_UNCOND] = { pv_dec_a32_uncond,
					&pv_dec_a32_uncond_n },
		[PV_DEC_T16] = { pv_dec_t16, &pv_dec_t16_n },
		[PV_DEC_T32] = { pv_dec_t32, &pv_dec_t32_n },
	};

	if ((unsigned)which >= PV_DEC_NTABLES) {
		*n = 0;
		return NULL;
	}
	*n = *tabs[which].n;
	return tabs[which].rows;
}

/* Extractors shared by the decoders. */
int pv_dec_undef(uint32_t w, struct pv_insn *out);
int pv_dec_notours(uint32_t w, struct pv_insn *out);
/*
 * Coprocessor formats. A32 and T32 (as hw1 << 16 | hw2) place every field
 * of MCR/MRC/MCRR/MRRC/VMRS/VMSR at the same bit positions, so one
 * extractor serves both (defined in decode_arm.c).
 */
int pv_dec_cp(uint32_t w, struct pv_insn *out);
int pv_dec_cp_other(uint32_t w, struct pv_insn *out);
int pv_dec_vfp_sys(uint32_t w, struct pv_insn *out);

/*
 * The 4-bit register fields, named by position because A32 and T32 (as
 * hw1 << 16 | hw2) put different roles there: 19:16 is Rn, 15:12 Rt or Rd,
 * 11:8 Rs (A32) or Rt2/Rd (T32), 3:0 Rm or Rt (A32 STREX).
 */
static inline uint8_t pv_dec_r16(uint32_t w)
{
	return (uint8_t)PV_BITS(w, 19, 16);
}

static inline uint8_t pv_dec_r12(uint32_t w)
{
	return (uint8_t)PV_BITS(w, 15, 12);
}

static inline uint8_t pv_dec_r8(uint32_t w)
{
	return (uint8_t)PV_BITS(w, 11, 8);
}

static inline uint8_t pv_dec_r0(uint32_t w)
{
	return (uint8_t)PV_BITS(w, 3, 0);
}

/* P (index), U (add) and W (write-back) at 24, 23, 21: A32 and T32 LDRD. */
static inline void pv_dec_pu_w(uint32_t w, struct pv_insn *out)
{
	if (w & PV_BIT(24))
		out->flags |= PV_IF_INDEX;
	if (w & PV_BIT(23))
		out->flags |= PV_IF_ADD;
	if (w & PV_BIT(21))
		out->flags |= PV_IF_WBACK;
}

static inline unsigned pv_dec_popcount16(uint32_t x)
{
	unsigned n = 0;

	for (x &= 0xffffu; x; x &= x - 1)
		n++;
	return n;
}

#endif /* PV_DECODE_INTERNAL_H */
