/* SPDX-License-Identifier: MIT */
/**
 * DOC: the instruction decoder (owned by the decode component)
 *
 * Decoding is total and side-effect free: every A32 word and every T16/T32
 * encoding yields either a decoded &struct pv_insn or PV_ENOTOURS /
 * PV_EUNDEF. Emulation (emulate.h) applies a decoded instruction and cannot
 * fail.
 */
#ifndef PVCORE_DECODE_H
#define PVCORE_DECODE_H

#include <pvcore/types.h>

enum pv_isa { PV_ISA_ARM, PV_ISA_THUMB };

/**
 * enum pv_insn_class - what a decoded instruction is, for the trap path and
 * for the patcher. "Sensitive" classes (see pv_insn_class_sensitive()) do
 * not trap at PL0 but behave differently there, so pvpatch rewrites them.
 */
enum pv_insn_class {
	PV_IC_NONE,      /* not one of ours (ordinary instruction) */
	PV_IC_UNDEF,     /* UNDEFINED at PL1 */
	PV_IC_CP_MOVE,   /* MCR/MRC/MCRR/MRRC to CP14/CP15 (traps at PL0) */
	PV_IC_VFP_SYS,   /* VMRS/VMSR (FPEXC and friends trap at PL0) */
	PV_IC_CPS,       /* sensitive */
	PV_IC_MRS,       /* MRS CPSR/SPSR, sensitive */
	PV_IC_MSR,       /* MSR CPSR/SPSR imm/reg, sensitive */
	PV_IC_SRS,       /* sensitive */
	PV_IC_RFE,       /* sensitive */
	PV_IC_LDM_USER,  /* LDM ^ without PC: user registers, sensitive */
	PV_IC_LDM_ERET,  /* LDM ^ with PC: exception return, sensitive */
	PV_IC_STM_USER,  /* STM ^: user registers, sensitive */
	PV_IC_DP_ERET,   /* S-form data processing with Rd=PC, sensitive */
	PV_IC_LDRT_STRT, /* LDRT/STRT/B/H/SB/SH, sensitive */
	PV_IC_WFI,       /* sensitive (executes natively at PL0) */
	PV_IC_WFE,       /* sensitive */
	PV_IC_SEV,
	PV_IC_YIELD,
	PV_IC_SVC,
	PV_IC_BKPT,
	PV_IC_UDF,       /* permanently undefined (UDF / BUG()) */
	PV_IC_SMC,
	PV_IC_HVC,
	PV_IC_LOAD,      /* LDR/LDRB/LDRH/LDRSB/LDRSH/LDRD, any mode */
	PV_IC_STORE,
	PV_IC_LDM,       /* ordinary LDM/POP */
	PV_IC_STM,
	PV_IC_LDREX,
	PV_IC_STREX,
	PV_IC_COUNT,
};

/**
 * struct pv_insn - a decoded instruction. The decode component defines the
 * operand fields; @cls, @raw, @len, @cond and @isa are stable.
 */
struct pv_insn {
	uint32_t raw;  /* A32 word, or T32 as hw1 << 16 | hw2, or T16 */
	uint8_t len;   /* 2 or 4 */
	uint8_t cond;  /* 0..14; 14 (AL) when unconditional */
	uint8_t isa;   /* enum pv_isa */
	uint8_t cls;   /* enum pv_insn_class */
};

/** pv_insn_class_sensitive() - true if @cls must be patched to trap at PL0. */
bool pv_insn_class_sensitive(enum pv_insn_class cls);

/** pv_insn_class_name() - short stable name ("cps", "ldm-eret", ...). */
const char *pv_insn_class_name(enum pv_insn_class cls);

/**
 * pv_decode_arm() - decode one A32 instruction
 * Return: 0, PV_ENOTOURS (an ordinary instruction pvcore never emulates) or
 * PV_EUNDEF (UNDEFINED at PL1).
 */
int pv_decode_arm(uint32_t word, struct pv_insn *out);

/**
 * pv_decode_thumb() - decode one T16 or T32 instruction
 * @hw1: the first halfword
 * @hw2: the second halfword (ignored for T16)
 * Return: as pv_decode_arm(); out->len is 2 or 4.
 */
int pv_decode_thumb(uint16_t hw1, uint16_t hw2, struct pv_insn *out);

#endif /* PVCORE_DECODE_H */
