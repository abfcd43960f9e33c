/* SPDX-License-Identifier: MIT */
/*
 * The A32 decoder: two pattern tables (conditional space, cond != 1111,
 * and the unconditional space) with one field extractor per encoding
 * format. ARM DDI 0406C section A5 gives the encodings; docs/decode.md the
 * choices made for UNPREDICTABLE ones.
 */
#include "decode_internal.h"

#include "pv_internal.h"

/* The A32 rotated 8-bit immediate; the carry flag matters only if rot != 0. */
static uint32_t a32_expand_imm(uint32_t w, struct pv_insn *out)
{
	uint32_t rot = PV_BITS(w, 11, 8) * 2;

	if (rot)
		out->flags |= PV_IF_CARRY_IMM;
	return pv_ror32(w & 0xffu, rot);
}

int pv_dec_cp(uint32_t w, struct pv_insn *out)
{
	out->coproc = (uint8_t)PV_BITS(w, 11, 8);
	out->rt = pv_dec_r12(w);
	if (w & PV_BIT(20))
		out->flags |= PV_IF_LOAD;
	if (PV_BITS(w, 27, 24) == 0xe) { /* MCR/MRC */
		out->opc1 = (uint8_t)PV_BITS(w, 23, 21);
		out->crn = (uint8_t)PV_BITS(w, 19, 16);
		out->crm = (uint8_t)PV_BITS(w, 3, 0);
		out->opc2 = (uint8_t)PV_BITS(w, 7, 5);
		/* MCR from PC is UNPREDICTABLE; MRC to PC means APSR_nzcv. */
		if (out->rt == 15 && !(out->flags & PV_IF_LOAD))
			return PV_EUNDEF;
		return 0;
	}
	/* MCRR/MRRC */
	out->flags |= PV_IF_PAIR;
	out->rt2 = pv_dec_r16(w);
	out->opc1 = (uint8_t)PV_BITS(w, 7, 4);
	out->crm = (uint8_t)PV_BITS(w, 3, 0);
	if (out->rt == 15 || out->rt2 == 15 ||
	    ((out->flags & PV_IF_LOAD) && out->rt == out->rt2))
		return PV_EUNDEF;
	return 0;
}

/* Coprocessor space outside cp14/cp15 moves: VFP/NEON is not ours. */
int pv_dec_cp_other(uint32_t w, struct pv_insn *out)
{
	(void)out;
	return (PV_BITS(w, 11, 9) == 5) ? PV_ENOTOURS : PV_EUNDEF;
}

int pv_dec_vfp_sys(uint32_t w, struct pv_insn *out)
{
	out->coproc = 10;
	out->crn = (uint8_t)PV_BITS(w, 19, 16);
	out->rt = pv_dec_r12(w);
	if (w & PV_BIT(20))
		out->flags |= PV_IF_LOAD;
	/* Only "VMRS APSR_nzcv, FPSCR" may name PC. */
	if (out->rt == 15 && (!(out->flags & PV_IF_LOAD) || out->crn != 1))
		return PV_EUNDEF;
	return 0;
}

static int a_mrs(uint32_t w, struct pv_insn *out)
{
	out->rd = pv_dec_r12(w);
	if (w & PV_BIT(22))
		out->flags |= PV_IF_SPSR;
	return out->rd == 15 ? PV_EUNDEF : 0;
}

static int a_msr_reg(uint32_t w, struct pv_insn *out)
{
	out->op = (uint8_t)PV_BITS(w, 19, 16);
	out->rm = pv_dec_r0(w);
	out->flags |= PV_IF_REG;
	if (w & PV_BIT(22))
		out->flags |= PV_IF_SPSR;
	return out->rm == 15 ? PV_EUNDEF : 0;
}

static int a_msr_imm(uint32_t w, struct pv_insn *out)
{
	out->op = (uint8_t)PV_BITS(w, 19, 16);
	out->imm = a32_expand_imm(w, out);
	if (w & PV_BIT(22))
		out->flags |= PV_IF_SPSR;
	return 0;
}

static int a_cps(uint32_t w, struct pv_insn *out)
{
	out->op = (uint8_t)PV_BITS(w, 19, 18);
	out->opc1 = (uint8_t)PV_BITS(w, 17, 17);
	out->imm = w & 0x1c0u; /* A:I:F sit at the PSR positions */
	out->mode = (uint8_t)PV_BITS(w, 4, 0);
	/* imod 01 / "change nothing" are UNPREDICTABLE: QEMU (and we) do
	 * what the fields say, i.e. imod<1> = 0 changes no mask bit. */
	return 0;
}

static int a_srs(uint32_t w, struct pv_insn *out)
{
	pv_dec_pu_w(w, out);
	out->mode = (uint8_t)PV_BITS(w, 4, 0);
	out->rn = 13;
	return 0;
}

static int a_rfe(uint32_t w, struct pv_insn *out)
{
	pv_dec_pu_w(w, out);
	out->rn = pv_dec_r16(w);
	out->flags |= PV_IF_LOAD;
	return out->rn == 15 ? PV_EUNDEF : 0;
}

static int a_ldm(uint32_t w, struct pv_insn *out)
{
	bool load = w & PV_BIT(20), user = w & PV_BIT(22);

	pv_dec_pu_w(w, out);
	out->rn = pv_dec_r16(w);
	out->reglist = (uint16_t)w;
	if (load)
		out->flags |= PV_IF_LOAD;
	if (user) {
		out->flags |= PV_IF_USER;
		if (load && (w & PV_BIT(15)))
			out->cls = PV_IC_LDM_ERET;
		else
			out->cls = load ? PV_IC_LDM_USER : PV_IC_STM_USER;
	} else {
		out->cls = load ? PV_IC_LDM : PV_IC_STM;
	}
	/* UNPREDICTABLE: PC base, empty list, write-back with user regs. */
	if (out->rn == 15 || out->reglist == 0)
		return PV_EUNDEF;
	if (user && out->cls != PV_IC_LDM_ERET && (out->flags & PV_IF_WBACK))
		return PV_EUNDEF;
	return 0;
}

static int a_dp_eret(uint32_t w, struct pv_insn *out)
{
	out->op = (uint8_t)PV_BITS(w, 24, 21);
	/* TST/TEQ/CMP/CMN with Rd=PC (the old "P" forms) never eret. */
	if ((out->op & 0xc) == 0x8)
		return PV_ENOTOURS;
	out->flags |= PV_IF_SETFLAGS;
	out->rd = 15;
	out->rn = pv_dec_r16(w);
	/* MOV/MVN have Rn as (0); QEMU's decoder (and we) refuse others. */
	if ((out->op == 0xd || out->op == 0xf) && out->rn != 0)
		return PV_EUNDEF;
	if (w & PV_BIT(25)) {
		out->imm = a32_expand_imm(w, out);
		return 0;
	}
	out->flags |= PV_IF_REG;
	out->rm = pv_dec_r0(w);
	out->shift_type = (uint8_t)PV_BITS(w, 6, 5);
	if (w & PV_BIT(4)) {
		out->flags |= PV_IF_REGSHIFT;
		out->rs = pv_dec_r8(w);
	} else {
		out->shift_imm = (uint8_t)PV_BITS(w, 11, 7);
	}
	return 0;
}

static int a_svc(uint32_t w, struct pv_insn *out)
{
	out->imm = w & 0xffffffu;
	return 0;
}

/* BKPT, HVC, UDF: imm12:imm4; SMC: imm4. */
static int a_imm16(uint32_t w, struct pv_insn *out)
{
	out->imm = (PV_BITS(w, 19, 8) << 4) | (w & 0xfu);
	return 0;
}

/* BKPT, HVC, UDF are UNPREDICTABLE with a condition other than AL. */
static int a_imm16_al(uint32_t w, struct pv_insn *out)
{
	if (out->cond != 14)
		return PV_EUNDEF;
	return a_imm16(w, out);
}

/* Rn, Rt and P/U/W of a single load/store; P = 0 always writes back. */
static void a_ls_addr(uint32_t w, struct pv_insn *out)
{
	out->rn = pv_dec_r16(w);
	out->rt = pv_dec_r12(w);
	if (w & PV_BIT(23))
		out->flags |= PV_IF_ADD;
	if (w & PV_BIT(24))
		out->flags |= PV_IF_INDEX;
	if (!(w & PV_BIT(24)) || (w & PV_BIT(21)))
		out->flags |= PV_IF_WBACK;
}

/* The class of a single load/store: P = 0, W = 1 is the unprivileged form. */
static int a_ls_class(uint32_t w, struct pv_insn *out)
{
	if ((w & (PV_BIT(24) | PV_BIT(21))) == PV_BIT(21)) {
		out->cls = PV_IC_LDRT_STRT;
		out->flags |= PV_IF_USER;
	} else {
		out->cls = (out->flags & PV_IF_LOAD) ? PV_IC_LOAD : PV_IC_STORE;
	}
	/* Write-back to PC or to the transferred register: UNPREDICTABLE. */
	if ((out->flags & PV_IF_WBACK) && (out->rn == 15 || out->rn == out->rt))
		return PV_EUNDEF;
	return 0;
}

/* LDR/STR/LDRB/STRB, immediate and register offsets, and their T forms. */
static int a_ls_word(uint32_t w, struct pv_insn *out)
{
	a_ls_addr(w, out);
	out->size = (w & PV_BIT(22)) ? 1 : 4;
	if (w & PV_BIT(20))
		out->flags |= PV_IF_LOAD;
	if (w & PV_BIT(25)) {
		out->flags |= PV_IF_REG;
		out->rm = pv_dec_r0(w);
		out->shift_type = (uint8_t)PV_BITS(w, 6, 5);
		out->shift_imm = (uint8_t)PV_BITS(w, 11, 7);
		if (out->rm == 15)
			return PV_EUNDEF;
	} else {
		out->imm = w & 0xfffu;
	}
	if (a_ls_class(w, out))
		return PV_EUNDEF;
	/* Byte accesses to or from PC are UNPREDICTABLE. */
	if (out->rt == 15 && out->size == 1)
		return PV_EUNDEF;
	return 0;
}

/* LDRH/STRH/LDRSB/LDRSH/LDRD/STRD and the H/SB/SH T forms. */
static int a_ls_extra(uint32_t w, struct pv_insn *out)
{
	bool p = w & PV_BIT(24), wb = w & PV_BIT(21), l = w & PV_BIT(20);
	unsigned op2 = PV_BITS(w, 6, 5);

	a_ls_addr(w, out);
	if (w & PV_BIT(22)) {
		out->imm = (PV_BITS(w, 11, 8) << 4) | (w & 0xfu);
	} else {
		out->flags |= PV_IF_REG;
		out->rm = pv_dec_r0(w);
		if (PV_BITS(w, 11, 8) != 0 || out->rm == 15)
			return PV_EUNDEF;
	}
	if (!l && op2 != 1) {
		/* LDRD (op2 = 2) / STRD (op2 = 3) */
		if (!p && wb)
			return PV_EUNDEF;
		out->size = 8;
		out->flags |= PV_IF_PAIR;
		out->rt2 = (uint8_t)((out->rt + 1) & 15);
		if (op2 == 2)
			out->flags |= PV_IF_LOAD;
		out->cls = op2 == 2 ? PV_IC_LOAD : PV_IC_STORE;
		if ((out->rt & 1) || out->rt == 14)
			return PV_EUNDEF;
		if ((out->flags & PV_IF_WBACK) &&
		    (out->rn == 15 || out->rn == out->rt || out->rn == out->rt2))
			return PV_EUNDEF;
		if (op2 == 2 && (out->flags & PV_IF_REG) &&
		    (out->rm == out->rt || out->rm == out->rt2))
			return PV_EUNDEF;
		return 0;
	}
	out->size = op2 == 2 ? 1 : 2;
	if (l)
		out->flags |= PV_IF_LOAD;
	if (l && op2 != 1)
		out->flags |= PV_IF_SIGNED;
	if (a_ls_class(w, out))
		return PV_EUNDEF;
	return out->rt == 15 ? PV_EUNDEF : 0;
}

static int a_ldrex(uint32_t w, struct pv_insn *out)
{
	static const uint8_t size[4] = { 4, 8, 1, 2 };
	unsigned sz = PV_BITS(w, 22, 21);

	out->rn = pv_dec_r16(w);
	out->size = size[sz];
	out->flags |= PV_IF_INDEX | PV_IF_ADD;
	if (w & PV_BIT(20)) {
		out->flags |= PV_IF_LOAD;
		out->rt = pv_dec_r12(w);
	} else {
		out->rd = pv_dec_r12(w);
		out->rt = pv_dec_r0(w);
		if (out->rd == 15 || out->rd == out->rn || out->rd == out->rt)
			return PV_EUNDEF;
	}
	if (out->size == 8) {
		out->flags |= PV_IF_PAIR;
		out->rt2 = (uint8_t)((out->rt + 1) & 15);
		if ((out->rt & 1) || out->rt == 14 ||
		    (!(out->flags & PV_IF_LOAD) && out->rd == out->rt2))
			return PV_EUNDEF;
	}
	return (out->rt == 15 || out->rn == 15) ? PV_EUNDEF : 0;
}

#define COND_MASK 0x0fffffffu

/* Conditional space; bits 31:28 are the condition and never matched. */
const struct pv_dec_pattern pv_dec_a32_cond[] = {
	/* Miscellaneous (A5.2.12), op2 = 000: MRS/MSR, banked forms UNDEF. */
	{ 0x0fbf0fff, 0x010f0000, PV_IC_MRS, a_mrs },
	{ 0x0fb000f0, 0x01000000, PV_IC_UNDEF, NULL },
	{ 0x0fb0fff0, 0x0120f000, PV_IC_MSR, a_msr_reg },
	{ 0x0fb000f0, 0x01200000, PV_IC_UNDEF, NULL },
	/*
	 * The coprocessor moves next: with MRS/MSR they are the most frequent
	 * traps under Linux, the table is scanned in order, and no other row
	 * matches their bits 27:24 (1110, 1100).
	 */
	{ 0x0fe00fff, 0x0ee00a10, PV_IC_VFP_SYS, pv_dec_vfp_sys },
	{ 0x0f000e10, 0x0e000e10, PV_IC_CP_MOVE, pv_dec_cp },
	{ 0x0fe00e00, 0x0c400e00, PV_IC_CP_MOVE, pv_dec_cp },
	/* op2 = 111: BKPT, HVC, SMC (op 00 unallocated on v7). */
	{ 0x0ff000f0, 0x01200070, PV_IC_BKPT, a_imm16_al },
	{ 0x0ff000f0, 0x01400070, PV_IC_HVC, a_imm16_al },
	{ 0x0ffffff0, 0x01600070, PV_IC_SMC, a_imm16 },
	{ 0x0f9000f0, 0x01000070, PV_IC_UNDEF, NULL },
	/* op2 = 110: ERET is ARMv7VE only. */
	{ 0x0f9000f0, 0x01000060, PV_IC_UNDEF, NULL },
	/* Hints and MSR immediate (A5.2.11). */
	{ 0x0ffff0ff, 0x0320f001, PV_IC_YIELD, NULL },
	{ 0x0ffff0ff, 0x0320f002, PV_IC_WFE, NULL },
	{ 0x0ffff0ff, 0x0320f003, PV_IC_WFI, NULL },
	{ 0x0ffff0ff, 0x0320f004, PV_IC_SEV, NULL },
	{ 0x0ffff000, 0x0320f000, PV_IC_NONE, NULL },  /* NOP, DBG, reserved hints */
	{ 0x0fb0f000, 0x0320f000, PV_IC_MSR, a_msr_imm },
	{ 0x0fb00000, 0x03200000, PV_IC_UNDEF, NULL },
	/* Exclusives, swap and the rest of the multiply space. */
	{ 0x0f900fff, 0x01900f9f, PV_IC_LDREX, a_ldrex },
	{ 0x0f900ff0, 0x01800f90, PV_IC_STREX, a_ldrex },
	{ 0x0f8000f0, 0x01800090, PV_IC_UNDEF, NULL },
	{ 0x0e0000f0, 0x00000090, PV_IC_NONE, NULL },  /* MUL*, SWP (not emulated) */
	/* Extra load/store (op2 != 00; ordering above removes op2 = 00). */
	{ 0x0e000090, 0x00000090, PV_IC_LOAD, a_ls_extra },
	/* Data processing, S = 1, Rd = PC: exception return. */
	{ 0x0e10f000, 0x0210f000, PV_IC_DP_ERET, a_dp_eret },
	{ 0x0e10f010, 0x0010f000, PV_IC_DP_ERET, a_dp_eret },
	{ 0x0e10f090, 0x0010f010, PV_IC_DP_ERET, a_dp_eret },
	/* Single load/store; media instructions share 011 with bit 4 set. */
	{ 0x0e000000, 0x04000000, PV_IC_LOAD, a_ls_word },
	{ 0x0e000010, 0x06000000, PV_IC_LOAD, a_ls_word },
	{ 0x0ff000f0, 0x07f000f0, PV_IC_UDF, a_imm16_al },
	/* Block transfer. */
	{ 0x0e000000, 0x08000000, PV_IC_LDM, a_ldm },
	{ 0x0f000000, 0x0f000000, PV_IC_SVC, a_svc },
	/* The rest of the coprocessor space (moves are at the top). */
	{ 0x0e000000, 0x0c000000, PV_IC_UNDEF, pv_dec_cp_other },
	{ 0x0f000000, 0x0e000000, PV_IC_UNDEF, pv_dec_cp_other },
};

/* Unconditional space (cond = 1111). */
const struct pv_dec_pattern pv_dec_a32_uncond[] = {
	{ 0xfff1fe20, 0xf1000000, PV_IC_CPS, a_cps },
	{ 0xfe5fffe0, 0xf84d0500, PV_IC_SRS, a_srs },
	{ 0xfe50ffff, 0xf8100a00, PV_IC_RFE, a_rfe },
	{ 0xfe500000, 0xf8400000, PV_IC_UNDEF, NULL }, /* SRS/RFE space */
	{ 0xfe500000, 0xf8100000, PV_IC_UNDEF, NULL },
	/* MCR2/MRC2/MCRR2/MRRC2/LDC2/STC2/CDP2: no such coprocessors. */
	{ 0xfe000000, 0xfc000000, PV_IC_UNDEF, NULL },
	{ 0xff000000, 0xfe000000, PV_IC_UNDEF, NULL },
};

const size_t pv_dec_a32_cond_n = PV_ARRAY_SIZE(pv_dec_a32_cond);
const size_t pv_dec_a32_uncond_n = PV_ARRAY_SIZE(pv_dec_a32_uncond);

int pv_decode_arm(uint32_t word, struct pv_insn *out)
{
	PV_ZERO_STRUCT(out);
	out->raw = word;
	out->len = 4;
	out->isa = PV_ISA_ARM;
	out->cond = (uint8_t)(word >> 28);
	if (out->cond == 0xf) {
		out->cond = 14;
		return pv_dec_table(pv_dec_a32_uncond,
				    PV_ARRAY_SIZE(pv_dec_a32_uncond), word, out);
	}
	return pv_dec_table(pv_dec_a32_cond, PV_ARRAY_SIZE(pv_dec_a32_cond),
			    word & COND_MASK, out);
}
