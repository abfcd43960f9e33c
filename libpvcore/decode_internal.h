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

/* Returns 0, PV_EUNDEF or PV_ENOTOURS; fills the operand fields. */
typedef int (*pv_dec_fn)(uint32_t w, struct pv_insn *out);

struct pv_dec_pattern {
	uint32_t mask, value;
	uint8_t cls;      /* enum pv_insn_class set before @fn runs */
	pv_dec_fn fn;     /* NULL: no operands */
};

/* Run @tab over @w; no match gives PV_ENOTOURS. Sets out->cls. */
int pv_dec_table(const struct pv_dec_pattern *tab, size_t n, uint32_t w,
		 struct pv_insn *out);

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

static inline unsigned pv_dec_popcount16(uint32_t x)
{
	unsigned n = 0;

	for (x &= 0xffffu; x; x &= x - 1)
		n++;
	return n;
}

#endif /* PV_DECODE_INTERNAL_H */
