/* SPDX-License-Identifier: MIT */
/*
 * The Thumb decoder: a T16 and a T32 pattern table (ARM DDI 0406C A6).
 * T32 encodings are matched as hw1 << 16 | hw2. Thumb instructions carry
 * no condition of their own (conditional B is never ours): the IT state in
 * the CPSR supplies it, so @cond is always AL and pv_emulate() applies IT.
 */
#include "decode_internal.h"

#include "pv_internal.h"

/* ---- T16 ---- */

static int t16_cps(uint32_t w, struct pv_insn *out)
{
	out->op = (w & PV_BIT(4)) ? 3 : 2;
	out->imm = (w & 7u) << 6; /* A:I:F to the PSR positions */
	return 0; /* A:I:F = 000 is UNPREDICTABLE: a no-op, as QEMU */
}

static int t16_imm8(uint32_t w, struct pv_insn *out)
{
	out->imm = w & 0xffu;
	return 0;
}

static void set_dir(struct pv_insn *out, bool load)
{
	if (load) {
		out->flags |= PV_IF_LOAD;
		out->cls = PV_IC_LOAD;
	} else {
		out->cls = PV_IC_STORE;
	}
}

static int t16_ldr_lit(uint32_t w, struct pv_insn *out)
{
	out->rt = (uint8_t)PV_BITS(w, 10, 8);
	out->rn = 15;
	out->imm = (w & 0xffu) * 4;
	out->size = 4;
	out->flags |= PV_IF_INDEX | PV_IF_ADD | PV_IF_LOAD;
	return 0;
}

static int t16_ls_reg(uint32_t w, struct pv_insn *out)
{
	/* opB: STR STRH STRB LDRSB LDR LDRH LDRB LDRSH */
	static const uint8_t size[8] = { 4, 2, 1, 1, 4, 2, 1, 2 };
	unsigned opb = PV_BITS(w, 11, 9);

	out->rm = (uint8_t)PV_BITS(w, 8, 6);
	out->rn = (uint8_t)PV_BITS(w, 5, 3);
	out->rt = (uint8_t)PV_BITS(w, 2, 0);
	out->size = size[opb];
	out->flags |= PV_IF_INDEX | PV_IF_ADD | PV_IF_REG;
	set_dir(out, opb >= 3);
	if (opb == 3 || opb == 7)
		out->flags |= PV_IF_SIGNED;
	return 0;
}

static int t16_ls_imm(uint32_t w, struct pv_insn *out)
{
	unsigned major = PV_BITS(w, 15, 12);

	out->rn = (uint8_t)PV_BITS(w, 5, 3);
	out->rt = (uint8_t)PV_BITS(w, 2, 0);
	out->size = (major == 6 || major == 9) ? 4 : major == 7 ? 1 : 2;
	out->imm = PV_BITS(w, 10, 6) * out->size;
	if (major == 9) { /* SP-relative */
		out->rn = 13;
		out->rt = (uint8_t)PV_BITS(w, 10, 8);
		out->imm = (w & 0xffu) * 4;
	}
	out->flags |= PV_IF_INDEX | PV_IF_ADD;
	set_dir(out, w & PV_BIT(11));
	return 0;
}

static int t16_push_pop(uint32_t w, struct pv_insn *out)
{
	bool pop = w & PV_BIT(11);

	out->rn = 13;
	out->reglist = (uint16_t)(w & 0xffu);
	if (w & PV_BIT(8))
		out->reglist |= pop ? PV_BIT(15) : PV_BIT(14);
	out->flags |= PV_IF_WBACK | (pop ? PV_IF_ADD | PV_IF_LOAD : PV_IF_INDEX);
	out->cls = pop ? PV_IC_LDM : PV_IC_STM;
	return out->reglist ? 0 : PV_EUNDEF;
}

static int t16_ldm_stm(uint32_t w, struct pv_insn *out)
{
	bool load = w & PV_BIT(11);

	out->rn = (uint8_t)PV_BITS(w, 10, 8);
	out->reglist = (uint16_t)(w & 0xffu);
	out->flags |= PV_IF_ADD;
	if (load)
		out->flags |= PV_IF_LOAD;
	/* LDM writes back only when the base is not loaded. */
	if (!load || !(out->reglist & PV_BIT(out->rn)))
		out->flags |= PV_IF_WBACK;
	out->cls = load ? PV_IC_LDM : PV_IC_STM;
	return out->reglist ? 0 : PV_EUNDEF;
}

const struct pv_dec_pattern pv_dec_t16[] = {
	{ 0xffe8, 0xb660, PV_IC_CPS, t16_cps },
	{ 0xffff, 0xbf10, PV_IC_YIELD, NULL },
	{ 0xffff, 0xbf20, PV_IC_WFE, NULL },
	{ 0xffff, 0xbf30, PV_IC_WFI, NULL },
	{ 0xffff, 0xbf40, PV_IC_SEV, NULL },
	{ 0xff00, 0xdf00, PV_IC_SVC, t16_imm8 },
	{ 0xff00, 0xde00, PV_IC_UDF, t16_imm8 },
	{ 0xff00, 0xbe00, PV_IC_BKPT, t16_imm8 },
	{ 0xf800, 0x4800, PV_IC_LOAD, t16_ldr_lit },
	{ 0xf000, 0x5000, PV_IC_LOAD, t16_ls_reg },
	{ 0xe000, 0x6000, PV_IC_LOAD, t16_ls_imm },
	{ 0xf000, 0x8000, PV_IC_LOAD, t16_ls_imm },
	{ 0xf000, 0x9000, PV_IC_LOAD, t16_ls_imm },
	{ 0xf600, 0xb400, PV_IC_LDM, t16_push_pop },
	{ 0xf000, 0xc000, PV_IC_LDM, t16_ldm_stm },
};

const size_t pv_dec_t16_n = PV_ARRAY_SIZE(pv_dec_t16);

/* ---- T32 (w = hw1 << 16 | hw2) ---- */

/* T32 forbids SP and PC in most register fields (BadReg()). */
static bool bad_reg(unsigned r)
{
	return r == 13 || r == 15;
}

static int t_msr(uint32_t w, struct pv_insn *out)
{
	out->op = (uint8_t)PV_BITS(w, 11, 8);
	out->rm = pv_dec_r16(w);
	out->flags |= PV_IF_REG;
	if (w & PV_BIT(20))
		out->flags |= PV_IF_SPSR;
	return (out->rm == 13 || out->rm == 15) ? PV_EUNDEF : 0;
}

static int t_mrs(uint32_t w, struct pv_insn *out)
{
	out->rd = pv_dec_r8(w);
	if (w & PV_BIT(20))
		out->flags |= PV_IF_SPSR;
	return (out->rd == 13 || out->rd == 15) ? PV_EUNDEF : 0;
}

static int t_cps(uint32_t w, struct pv_insn *out)
{
	out->op = (uint8_t)PV_BITS(w, 10, 9);
	out->opc1 = (uint8_t)PV_BITS(w, 8, 8);
	out->imm = (w & 0xe0u) << 1;
	out->mode = (uint8_t)PV_BITS(w, 4, 0);
	return 0;
}

static int t_subs_pc_lr(uint32_t w, struct pv_insn *out)
{
	out->op = 2; /* SUB */
	out->rd = 15;
	out->rn = 14;
	out->imm = w & 0xffu;
	out->flags |= PV_IF_SETFLAGS;
	return 0;
}

static int t_smc(uint32_t w, struct pv_insn *out)
{
	out->imm = PV_BITS(w, 19, 16);
	return 0;
}

static int t_imm16(uint32_t w, struct pv_insn *out)
{
	out->imm = (PV_BITS(w, 19, 16) << 12) | (w & 0xfffu);
	return 0;
}

/* SRS/RFE: hw1 bits 8:7 are 00 (DB) or 11 (IA). */
static void t_db_ia(uint32_t w, struct pv_insn *out)
{
	out->flags |= (w & PV_BIT(23)) ? PV_IF_ADD : PV_IF_INDEX;
	if (w & PV_BIT(21))
		out->flags |= PV_IF_WBACK;
}

static int t_srs(uint32_t w, struct pv_insn *out)
{
	t_db_ia(w, out);
	out->rn = 13;
	out->mode = (uint8_t)PV_BITS(w, 4, 0);
	return 0;
}

static int t_rfe(uint32_t w, struct pv_insn *out)
{
	t_db_ia(w, out);
	out->rn = pv_dec_r16(w);
	out->flags |= PV_IF_LOAD;
	return out->rn == 15 ? PV_EUNDEF : 0;
}

static int t_ldm(uint32_t w, struct pv_insn *out)
{
	bool load = w & PV_BIT(20);

	t_db_ia(w, out);
	out->rn = pv_dec_r16(w);
	out->reglist = (uint16_t)w;
	if (load)
		out->flags |= PV_IF_LOAD;
	out->cls = load ? PV_IC_LDM : PV_IC_STM;
	if (out->rn == 15 || out->reglist == 0 || (out->reglist & PV_BIT(13)))
		return PV_EUNDEF;
	if (!load && (out->reglist & PV_BIT(15)))
		return PV_EUNDEF;
	return 0;
}

static int t_ldrd(uint32_t w, struct pv_insn *out)
{
	bool load = w & PV_BIT(20);

	pv_dec_pu_w(w, out);
	out->rn = pv_dec_r16(w);
	out->rt = pv_dec_r12(w);
	out->rt2 = pv_dec_r8(w);
	out->imm = (w & 0xffu) * 4;
	out->size = 8;
	out->flags |= PV_IF_PAIR;
	set_dir(out, load);
	if (bad_reg(out->rt) || bad_reg(out->rt2) || (load && out->rt == out->rt2))
		return PV_EUNDEF;
	if (out->rn == 15 && (!load || (out->flags & PV_IF_WBACK)))
		return PV_EUNDEF;
	if ((out->flags & PV_IF_WBACK) &&
	    (out->rn == out->rt || out->rn == out->rt2))
		return PV_EUNDEF;
	return 0;
}

static int t_ldrex(uint32_t w, struct pv_insn *out)
{
	bool load = w & PV_BIT(20);
	unsigned sz = PV_BITS(w, 5, 4);

	out->rn = pv_dec_r16(w);
	out->rt = pv_dec_r12(w);
	out->flags |= PV_IF_INDEX | PV_IF_ADD;
	if (load)
		out->flags |= PV_IF_LOAD;
	if (!(w & PV_BIT(23))) { /* word: imm8 offset, STREX Rd in 11:8 */
		out->size = 4;
		out->imm = (w & 0xffu) * 4;
		out->rd = pv_dec_r8(w);
	} else {
		out->size = (uint8_t)(1u << sz);
		out->rd = pv_dec_r0(w);
		if (sz == 3) {
			out->flags |= PV_IF_PAIR;
			out->rt2 = pv_dec_r8(w);
			if (bad_reg(out->rt2) || (load && out->rt == out->rt2) ||
			    (!load && out->rd == out->rt2))
				return PV_EUNDEF;
		}
	}
	if (bad_reg(out->rt) || out->rn == 15)
		return PV_EUNDEF;
	if (!load && (bad_reg(out->rd) || out->rd == out->rn || out->rd == out->rt))
		return PV_EUNDEF;
	return 0;
}

static int t_ls(uint32_t w, struct pv_insn *out)
{
	bool s = w & PV_BIT(24), l = w & PV_BIT(20);
	unsigned size = PV_BITS(w, 22, 21), op2;

	if (s && !l)
		return PV_ENOTOURS; /* Advanced SIMD element/structure load/store */
	if (size == 3 || (s && size == 2))
		return PV_EUNDEF; /* no LDRSW, no 64-bit single load */
	out->rn = pv_dec_r16(w);
	out->rt = pv_dec_r12(w);
	out->size = (uint8_t)(1u << size);
	set_dir(out, l);
	if (s)
		out->flags |= PV_IF_SIGNED;
	if (out->rn == 15) {
		/* Literal: U is bit 23, no write-back. */
		out->flags |= PV_IF_INDEX;
		if (w & PV_BIT(23))
			out->flags |= PV_IF_ADD;
		out->imm = w & 0xfffu;
		if (!l)
			return PV_EUNDEF;
	} else if (w & PV_BIT(23)) {
		out->flags |= PV_IF_INDEX | PV_IF_ADD;
		out->imm = w & 0xfffu;
	} else if (PV_BITS(w, 11, 6) == 0) {
		out->flags |= PV_IF_INDEX | PV_IF_ADD | PV_IF_REG;
		out->rm = pv_dec_r0(w);
		out->shift_imm = (uint8_t)PV_BITS(w, 5, 4);
		if (out->rm == 13 || out->rm == 15)
			return PV_EUNDEF;
	} else {
		op2 = PV_BITS(w, 11, 8);
		out->imm = w & 0xffu;
		if (op2 == 0xe) {
			out->flags |= PV_IF_INDEX | PV_IF_ADD | PV_IF_USER;
			out->cls = PV_IC_LDRT_STRT;
		} else if (op2 == 0xc) {
			out->flags |= PV_IF_INDEX;
		} else if ((op2 & 0x9) == 0x9) {
			out->flags |= PV_IF_WBACK;
			if (op2 & 4)
				out->flags |= PV_IF_INDEX;
			if (op2 & 2)
				out->flags |= PV_IF_ADD;
		} else {
			return PV_EUNDEF;
		}
	}
	if (out->rt == 15) {
		/* PLD/PLI and the unallocated memory hints are not ours. */
		if (l && out->size < 4)
			return PV_ENOTOURS;
		if (!l || out->cls == PV_IC_LDRT_STRT)
			return PV_EUNDEF;
	}
	if ((out->flags & PV_IF_WBACK) && out->rn == out->rt)
		return PV_EUNDEF;
	return 0;
}

const struct pv_dec_pattern pv_dec_t32[] = {
	/* Hints and CPS (A6.3.4 "Change Processor State, and hints"). */
	{ 0xffffffff, 0xf3af8001, PV_IC_YIELD, NULL },
	{ 0xffffffff, 0xf3af8002, PV_IC_WFE, NULL },
	{ 0xffffffff, 0xf3af8003, PV_IC_WFI, NULL },
	{ 0xffffffff, 0xf3af8004, PV_IC_SEV, NULL },
	{ 0xffffff00, 0xf3af8000, PV_IC_NONE, NULL },
	{ 0xfffff800, 0xf3af8000, PV_IC_CPS, t_cps },
	/* MSR/MRS; banked (ARMv7VE) forms and SBZ violations UNDEF. */
	{ 0xffe0f0ff, 0xf3808000, PV_IC_MSR, t_msr },
	{ 0xffe0d000, 0xf3808000, PV_IC_UNDEF, NULL },
	{ 0xffeff0ff, 0xf3ef8000, PV_IC_MRS, t_mrs },
	{ 0xffe0d000, 0xf3e08000, PV_IC_UNDEF, NULL },
	/* SUBS PC, LR, #imm8 (ERET is the #0 form). */
	{ 0xffffff00, 0xf3de8f00, PV_IC_DP_ERET, t_subs_pc_lr },
	{ 0xfff0d000, 0xf3d08000, PV_IC_UNDEF, NULL },
	{ 0xfff0ffff, 0xf7f08000, PV_IC_SMC, t_smc },
	{ 0xfff0f000, 0xf7f08000, PV_IC_UNDEF, NULL }, /* SMC, (0) bits set */
	{ 0xfff0f000, 0xf7e08000, PV_IC_HVC, t_imm16 },
	{ 0xfff0f000, 0xf7f0a000, PV_IC_UDF, t_imm16 },
	/* SRS/RFE and the rest of their space. */
	{ 0xffdfffe0, 0xe80dc000, PV_IC_SRS, t_srs },
	{ 0xffdfffe0, 0xe98dc000, PV_IC_SRS, t_srs },
	{ 0xffd0ffff, 0xe810c000, PV_IC_RFE, t_rfe },
	{ 0xffd0ffff, 0xe990c000, PV_IC_RFE, t_rfe },
	{ 0xffc00000, 0xe8000000, PV_IC_UNDEF, NULL },
	{ 0xffc00000, 0xe9800000, PV_IC_UNDEF, NULL },
	/* Exclusives and table branches. */
	{ 0xfff00f00, 0xe8500f00, PV_IC_LDREX, t_ldrex },
	{ 0xfff00000, 0xe8400000, PV_IC_STREX, t_ldrex },
	{ 0xfff0ffe0, 0xe8d0f000, PV_IC_NONE, NULL }, /* TBB/TBH */
	{ 0xfff00fef, 0xe8d00f4f, PV_IC_LDREX, t_ldrex },
	{ 0xfff000ff, 0xe8d0007f, PV_IC_LDREX, t_ldrex },
	{ 0xfff00fe0, 0xe8c00f40, PV_IC_STREX, t_ldrex },
	{ 0xfff000f0, 0xe8c00070, PV_IC_STREX, t_ldrex },
	{ 0xffe00000, 0xe8c00000, PV_IC_UNDEF, NULL },
	{ 0xffe00000, 0xe8400000, PV_IC_UNDEF, NULL },
	/* LDRD/STRD immediate and literal. */
	{ 0xff400000, 0xe9400000, PV_IC_LOAD, t_ldrd },
	{ 0xff600000, 0xe8600000, PV_IC_LOAD, t_ldrd },
	/* LDM/STM (IA, DB). */
	{ 0xffc00000, 0xe8800000, PV_IC_LDM, t_ldm },
	{ 0xffc00000, 0xe9000000, PV_IC_LDM, t_ldm },
	/* Coprocessor. */
	{ 0xffe00fff, 0xeee00a10, PV_IC_VFP_SYS, pv_dec_vfp_sys },
	{ 0xff000e10, 0xee000e10, PV_IC_CP_MOVE, pv_dec_cp },
	{ 0xffe00e00, 0xec400e00, PV_IC_CP_MOVE, pv_dec_cp },
	{ 0xef000e10, 0xee000e10, PV_IC_UNDEF, NULL }, /* MCR2/MRC2 */
	{ 0xefe00e00, 0xec400e00, PV_IC_UNDEF, NULL }, /* MCRR2/MRRC2 */
	{ 0xee000000, 0xec000000, PV_IC_UNDEF, pv_dec_cp_other },
	{ 0xef000000, 0xee000000, PV_IC_UNDEF, pv_dec_cp_other },
	/* Single load/store (A6.3.7-A6.3.10). */
	{ 0xfe000000, 0xf8000000, PV_IC_LOAD, t_ls },
};

const size_t pv_dec_t32_n = PV_ARRAY_SIZE(pv_dec_t32);

int pv_decode_thumb(uint16_t hw1, uint16_t hw2, struct pv_insn *out)
{
	PV_ZERO_STRUCT(out);
	out->isa = PV_ISA_THUMB;
	out->cond = 14;
	if ((hw1 >> 11) < 0x1du) {
		out->raw = hw1;
		out->len = 2;
		return pv_dec_table(pv_dec_t16, PV_ARRAY_SIZE(pv_dec_t16), hw1,
				    out);
	}
	out->raw = (uint32_t)hw1 << 16 | hw2;
	out->len = 4;
	return pv_dec_table(pv_dec_t32, PV_ARRAY_SIZE(pv_dec_t32), out->raw,
			    out);
}
