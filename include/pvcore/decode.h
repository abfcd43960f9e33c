/* SPDX-License-Identifier: MIT */
/**
 * DOC: the instruction decoder, for the VMM and for tools (pvpatch)
 *
 * Decoding is total and side-effect free: every A32 word and every T16/T32
 * encoding yields either a decoded &struct pv_insn or PV_ENOTOURS /
 * PV_EUNDEF. Emulation (emulate.h) applies a decoded instruction and cannot
 * fail.
 */
#ifndef PVCORE_DECODE_H
#define PVCORE_DECODE_H

#include <pvcore/types.h>

#ifdef __cplusplus
extern "C" {
#endif

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

/* Operand flags (&pv_insn.flags). */
#define PV_IF_INDEX (1u << 0)   /* P: offset applied before the access (LDM: "before") */
#define PV_IF_ADD (1u << 1)     /* U: offset added (LDM: increment) */
#define PV_IF_WBACK (1u << 2)   /* W: base register written back */
#define PV_IF_LOAD (1u << 3)    /* direction: load / read (MRC, VMRS, LDM) */
#define PV_IF_SIGNED (1u << 4)  /* loads: sign-extend the value */
#define PV_IF_REG (1u << 5)     /* offset / operand 2 is register @rm */
#define PV_IF_REGSHIFT (1u << 6) /* DP operand 2 shifted by register @rs */
#define PV_IF_SPSR (1u << 7)    /* MRS/MSR: SPSR rather than CPSR */
#define PV_IF_USER (1u << 8)    /* LDRT/STRT (unprivileged access), LDM/STM ^ */
#define PV_IF_PAIR (1u << 9)    /* @rt2 is used (LDRD/STRD, MCRR/MRRC, *EXD) */
#define PV_IF_SETFLAGS (1u << 10) /* S bit of data processing */
#define PV_IF_CARRY_IMM (1u << 11) /* A32 modified immediate with rotation != 0 */

/* Shift types (&pv_insn.shift_type), as encoded. */
enum pv_shift { PV_SHIFT_LSL, PV_SHIFT_LSR, PV_SHIFT_ASR, PV_SHIFT_ROR };

/**
 * struct pv_insn - a decoded instruction. @cls, @raw, @len, @cond and @isa
 * are stable; the operand fields below mean, per class:
 *
 * - CP_MOVE: @coproc, @opc1, @crn, @crm, @opc2, @rt (and @rt2 with
 *   PV_IF_PAIR for MCRR/MRRC), PV_IF_LOAD for MRC/MRRC.
 * - VFP_SYS: @crn is the VFP register number (PV_VFP_*), @rt; PV_IF_LOAD
 *   for VMRS. @rt == 15 for VMRS APSR_nzcv, FPSCR.
 * - CPS: @op = imod (2 enable, 3 disable, 0 none), @imm = A:I:F as the
 *   PSR bits (PV_PSR_A|I|F), @mode with @opc1 = 1 when the mode changes.
 * - MRS: @rd, PV_IF_SPSR.  MSR: @op = field mask (f s x c = bits 3..0),
 *   PV_IF_SPSR, either PV_IF_REG with @rm or @imm.
 * - SRS: @mode, PV_IF_INDEX/ADD/WBACK.  RFE: @rn and the same flags.
 * - LDM/STM (plain, _USER, _ERET): @rn, @reglist, PV_IF_INDEX/ADD/WBACK;
 *   PV_IF_USER for the ^ forms.
 * - DP_ERET: @op = the A32 data-processing opcode (0..15), @rn, @rd (15),
 *   operand 2 is @imm (with PV_IF_CARRY_IMM when rotated), or @rm shifted
 *   by @shift_type/@shift_imm, or (PV_IF_REGSHIFT) by register @rs.
 * - LOAD/STORE/LDRT_STRT/LDREX/STREX: @size (1, 2, 4 or 8 bytes), @rt,
 *   @rt2 (PV_IF_PAIR), @rn, offset @imm or (PV_IF_REG) @rm shifted left/
 *   right by @shift_type/@shift_imm, PV_IF_INDEX/ADD/WBACK/SIGNED/LOAD;
 *   @rd is the STREX status register. A PC-relative (literal) access has
 *   @rn == 15; the base then reads as Align(PC, 4).
 * - SVC/BKPT/UDF/SMC/HVC: @imm is the comment field.
 * - WFI/WFE/SEV/YIELD/NONE/UNDEF: no operands.
 */
struct pv_insn {
	uint32_t raw;  /* A32 word, or T32 as hw1 << 16 | hw2, or T16 */
	uint8_t len;   /* 2 or 4 */
	uint8_t cond;  /* 0..14; 14 (AL) when unconditional */
	uint8_t isa;   /* enum pv_isa */
	uint8_t cls;   /* enum pv_insn_class */
	uint8_t rd, rn, rt, rt2, rm, rs;
	uint8_t op;
	uint8_t size;
	uint8_t shift_type, shift_imm;
	uint8_t coproc, opc1, crn, crm, opc2;
	uint8_t mode;
	uint16_t flags;   /* PV_IF_* */
	uint16_t reglist;
	uint32_t imm;
};

/** pv_insn_class_sensitive() - true if @cls must be patched to trap at PL0. */
bool pv_insn_class_sensitive(enum pv_insn_class cls);

/** pv_insn_class_name() - short stable name ("cps", "ldm-eret", ...). */
const char *pv_insn_class_name(enum pv_insn_class cls);

/**
 * pv_decode_arm() - decode one A32 instruction
 * @word: the instruction
 * @out: filled in; on PV_ENOTOURS/PV_EUNDEF only @raw, @len, @isa, @cond
 *       and @cls (PV_IC_NONE / PV_IC_UNDEF) are meaningful
 *
 * Table-driven (pattern/mask, first match wins) and side-effect free.
 * UNPREDICTABLE encodings are either decoded as a Cortex-A9/QEMU executes
 * them or reported as PV_EUNDEF; docs/decode.md lists each choice.
 *
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

#ifdef __cplusplus
}
#endif

#endif /* PVCORE_DECODE_H */
