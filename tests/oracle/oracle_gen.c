/* SPDX-License-Identifier: MIT */
/*
 * Deterministic case generation for the QEMU oracle (see oracle_gen.h).
 *
 * Every encoding is drawn at random inside one class's pattern, with the
 * operands constrained so that the instruction is architecturally
 * defined (no UNPREDICTABLE register combinations), touches only the data
 * buffer or the code page, and, if it branches or returns from an
 * exception, lands on one of the harness's landing pads.
 */
#include "oracle_gen.h"

#define M_USR 0x10u
#define M_FIQ 0x11u
#define M_IRQ 0x12u
#define M_SVC 0x13u
#define M_ABT 0x17u
#define M_UND 0x1bu
#define M_SYS 0x1fu

#define PSR_T (1u << 5)
#define PSR_C (1u << 29)

static const char *const class_names[ORC_NCLASSES] = {
	[ORC_C_MRS] = "mrs",
	[ORC_C_MSR] = "msr",
	[ORC_C_CPS] = "cps",
	[ORC_C_SRS] = "srs",
	[ORC_C_RFE] = "rfe",
	[ORC_C_LDM_USER] = "ldm-user",
	[ORC_C_STM_USER] = "stm-user",
	[ORC_C_LDM_ERET] = "ldm-eret",
	[ORC_C_DP_ERET] = "dp-eret",
	[ORC_C_LDRT] = "ldrt-strt",
	[ORC_C_LDST] = "load-store",
	[ORC_C_LDST_LIT] = "load-literal",
	[ORC_C_LDRD] = "ldrd-strd",
	[ORC_C_LDM] = "ldm-stm",
	[ORC_C_EXCL] = "ldrex-strex",
	[ORC_C_EXC_UDF] = "exc-undef",
	[ORC_C_EXC_SVC] = "exc-svc",
	[ORC_C_EXC_BKPT] = "exc-pabt-bkpt",
	[ORC_C_EXC_DABT] = "exc-dabt-align",
	[ORC_C_EXC_IRQ] = "exc-irq",
	[ORC_C_EXC_FIQ] = "exc-fiq",
};

const char *orc_class_name(unsigned cls)
{
	return cls < ORC_NCLASSES ? class_names[cls] : "?";
}

/* ---- PRNG: splitmix-style, 32-bit, the same on every compiler ---- */

struct rng {
	uint32_t s;
};

static uint32_t rnd(struct rng *g)
{
	uint32_t z = (g->s += 0x9e3779b9u);

	z = (z ^ (z >> 16)) * 0x85ebca6bu;
	z = (z ^ (z >> 13)) * 0xc2b2ae35u;
	return z ^ (z >> 16);
}

/* Uniform in [0, n), n > 0 (the tiny modulo bias does not matter). */
static uint32_t below(struct rng *g, uint32_t n)
{
	return rnd(g) % n;
}

static bool coin(struct rng *g)
{
	return rnd(g) & 1u;
}

/* QEMU's sabrelite handles an SMC whose r0 is a PSCI function ID itself
 * instead of taking it to Monitor mode; keep such values out of the
 * state so the landing SMC always reaches the harness. */
static uint32_t no_psci(uint32_t w)
{
	if ((w & 0xbfffff00u) == 0x84000000u || (w & 0xfffffff0u) == 0x95c1ba50u)
		w ^= 0x01000000u;
	return w;
}

static uint32_t ror32(uint32_t x, unsigned n)
{
	n &= 31;
	return n ? (x >> n) | (x << (32 - n)) : x;
}

unsigned orc_bank_of(uint32_t mode)
{
	switch (mode & 0x1fu) {
	case M_FIQ: return ORC_B_FIQ;
	case M_IRQ: return ORC_B_IRQ;
	case M_SVC: return ORC_B_SVC;
	case M_ABT: return ORC_B_ABT;
	case M_UND: return ORC_B_UND;
	default: return ORC_B_USR;
	}
}

/* Register @n as mode @mode sees it, inside state @s. */
static uint32_t *reg_of(uint32_t *s, uint32_t mode, unsigned n)
{
	unsigned b = orc_bank_of(mode);

	if (n == 13)
		return &s[ORC_W_SP + b];
	if (n == 14)
		return &s[ORC_W_LR + b];
	if (n >= 8 && b == ORC_B_FIQ)
		return &s[ORC_W_FIQR + n - 8];
	return &s[ORC_W_R + n];
}

static uint32_t cur_mode(const struct orc_case *c)
{
	return c->s[ORC_W_CPSR] & 0x1fu;
}

static void set_reg(struct orc_case *c, unsigned n, uint32_t v)
{
	*reg_of(c->s, cur_mode(c), n) = v;
}

static uint32_t get_reg(struct orc_case *c, unsigned n)
{
	return *reg_of(c->s, cur_mode(c), n);
}

/* ---- mode sets ---- */

static const uint32_t modes_all[] = { M_USR, M_FIQ, M_IRQ, M_SVC, M_ABT,
				      M_UND, M_SYS };
static const uint32_t modes_priv[] = { M_FIQ, M_IRQ, M_SVC, M_ABT, M_UND,
				       M_SYS };
static const uint32_t modes_spsr[] = { M_FIQ, M_IRQ, M_SVC, M_ABT, M_UND };

#define PICK(g, arr) ((arr)[below((g), sizeof(arr) / sizeof((arr)[0]))])

/* A PSR value an exception return may load: a valid mode (never Monitor
 * or Hyp), random flags, masks and state bits, no IT or J bits. */
/* Features of the current orc_generate() call (ORC_FEAT_*). */
static uint32_t feat;

static uint32_t sane_psr(struct rng *g, bool thumb)
{
	uint32_t v = rnd(g) & (0xf8000000u | 0x000f0000u | 0x1c0u);

	if ((rnd(g) & 7u) == 0 && (feat & ORC_FEAT_BIGEND))
		v |= 1u << 9; /* E: big-endian data, now and then */
	if (thumb)
		v |= PSR_T;
	return v | PICK(g, modes_all);
}

/* Address of a landing pad for a return to a state with T = @thumb. */
static uint32_t pad_for(bool thumb)
{
	return thumb ? ORC_PAD_THUMB : ORC_PAD_ARM;
}

/* A random register 0..@max not in @avoid (bitmask). */
static unsigned reg_not(struct rng *g, unsigned max, uint32_t avoid)
{
	for (;;) {
		unsigned r = below(g, max + 1);

		if (!(avoid & (1u << r)))
			return r;
	}
}

/* A word-aligned address in the buffer leaving room for @nbytes. */
static uint32_t buf_addr(struct rng *g, unsigned nbytes, unsigned align)
{
	uint32_t off = below(g, ORC_BUF_WORDS * 4 - nbytes + 1);

	off &= ~(align - 1u);
	return ORC_BUF_BASE + off;
}

/* Plant a word the instruction will load, in the byte order CPSR.E
 * gives its data accesses. */
static void set_mem(struct orc_case *c, uint32_t addr, uint32_t v)
{
	if (c->s[ORC_W_CPSR] & (1u << 9))
		v = v >> 24 | (v >> 8 & 0xff00u) | (v << 8 & 0xff0000u) | v << 24;
	c->s[ORC_W_MEM + (addr - ORC_BUF_BASE) / 4] = v;
}

/* The shifter: value of Rm shifted by an immediate (DecodeImmShift). */
static uint32_t shift_imm(uint32_t v, unsigned type, unsigned imm5, bool carry)
{
	switch (type) {
	case 0: return v << imm5;
	case 1: return imm5 ? v >> imm5 : 0;
	case 2: return imm5 ? (uint32_t)((int32_t)v >> imm5)
			    : ((v & 0x80000000u) ? 0xffffffffu : 0);
	default:
		return imm5 ? ror32(v, imm5)
			    : (v >> 1) | ((uint32_t)carry << 31);
	}
}

/* ---- state ---- */

static void random_state(struct rng *g, struct orc_case *c, uint32_t mode,
			 bool thumb)
{
	for (unsigned i = 0; i < ORC_W_MEM; i++)
		c->s[i] = no_psci(rnd(g));
	for (unsigned i = 0; i < ORC_BUF_WORDS; i++)
		c->s[ORC_W_MEM + i] = no_psci(rnd(g));
	c->s[ORC_W_SPSR + ORC_B_USR] = 0;
	for (unsigned b = ORC_B_FIQ; b < ORC_NBANKS; b++)
		c->s[ORC_W_SPSR + b] = sane_psr(g, coin(g));
	c->s[ORC_W_CPSR] = (sane_psr(g, thumb) & ~0x1fu) | mode;
	c->s[ORC_W_PC] = ORC_SLOT;
	c->s[ORC_W_DFSR] = c->s[ORC_W_DFAR] = 0;
	c->s[ORC_W_IFSR] = c->s[ORC_W_IFAR] = 0;
}

/* ARM condition: mostly AL, else any of the 14 others. */
static uint32_t arm_cond(struct rng *g)
{
	return coin(g) ? 0xeu : below(g, 15);
}

/* Thumb: put the instruction last in an IT block (or in none). */
static void thumb_it(struct rng *g, struct orc_case *c)
{
	if (coin(g)) {
		uint32_t it = (below(g, 15) << 4) | 0x8u;

		c->s[ORC_W_CPSR] |= ((it & 3u) << 25) | ((it >> 2) << 10);
	}
}

/* ---- generators, one per class and ISA ---- */

static void gen_mrs(struct rng *g, struct orc_case *c, bool t)
{
	bool spsr = coin(g);
	uint32_t mode = spsr ? PICK(g, modes_spsr) : PICK(g, modes_priv);

	random_state(g, c, mode, t);
	if (t) {
		unsigned rd = reg_not(g, 12, 0);

		c->insn = (spsr ? 0xf3ff8000u : 0xf3ef8000u) | rd << 8;
		thumb_it(g, c);
	} else {
		c->insn = arm_cond(g) << 28 | 0x010f0000u | (uint32_t)spsr << 22 |
			  reg_not(g, 14, 0) << 12;
	}
}

/* A value MSR may write: for CPSR keep IT/J/T/reserved clear and the mode
 * valid when the control field is written; for SPSR keep it sane too. */
static uint32_t msr_value(struct rng *g, bool spsr)
{
	uint32_t v = rnd(g) & ~0x07f0fc20u; /* no IT, J, reserved, T */

	v &= ~0x1fu;
	v |= PICK(g, modes_all);
	if (spsr && coin(g))
		v = sane_psr(g, coin(g));
	return v;
}

static void gen_msr(struct rng *g, struct orc_case *c, bool t)
{
	bool spsr = coin(g);
	uint32_t mode = spsr ? PICK(g, modes_spsr) : PICK(g, modes_all);
	uint32_t mask = 1 + below(g, 15);
	bool imm = !t && coin(g);

	random_state(g, c, mode, t);
	if (imm) {
		uint32_t rot, imm8, v;

		/* Draw (rot, imm8) until the value obeys msr_value()'s rules. */
		for (;;) {
			rot = below(g, 16);
			imm8 = rnd(g) & 0xffu;
			if (mask & 1u) {
				rot = 0;
				imm8 = (imm8 & 0xc0u) | PICK(g, modes_all);
			}
			v = ror32(imm8, 2 * rot);
			if (!(v & 0x07f0fc20u))
				break;
		}
		c->insn = arm_cond(g) << 28 | 0x0320f000u | (uint32_t)spsr << 22 |
			  mask << 16 | rot << 8 | imm8;
		return;
	}
	unsigned rn = reg_not(g, t ? 12 : 14, 0);

	set_reg(c, rn, msr_value(g, spsr));
	if (t) {
		c->insn = (0xf3808000u | (uint32_t)spsr << 20 | rn << 16 |
			   mask << 8);
		thumb_it(g, c);
	} else {
		c->insn = arm_cond(g) << 28 | 0x0120f000u | (uint32_t)spsr << 22 |
			  mask << 16 | rn;
	}
}

static void gen_cps(struct rng *g, struct orc_case *c, bool t)
{
	uint32_t mode = PICK(g, modes_all);
	uint32_t imod, m, aif, tmode;

	random_state(g, c, mode, t);
	/* imod 00 with M=1 (mode only), 10 enable, 11 disable. */
	switch (below(g, 3)) {
	case 0: imod = 0; m = 1; break;
	case 1: imod = 2; m = coin(g); break;
	default: imod = 3; m = coin(g); break;
	}
	aif = imod ? 1 + below(g, 7) : 0;
	tmode = m ? PICK(g, modes_all) : 0;
	if (t && !m && coin(g)) {
		/* T16 CPS: im = imod<0>. */
		c->insn = 0xb660u | (imod & 1u) << 4 | aif;
		c->len = 2;
		return;
	}
	if (t)
		c->insn = 0xf3af8000u | imod << 9 | m << 8 | aif << 5 | tmode;
	else
		c->insn = 0xf1000000u | imod << 18 | m << 17 | aif << 6 | tmode;
}

static void gen_srs(struct rng *g, struct orc_case *c, bool t)
{
	uint32_t mode = PICK(g, modes_spsr);
	uint32_t tmode = PICK(g, modes_all);
	unsigned pu = t ? (coin(g) ? 2u : 1u) : below(g, 4); /* P:U */
	bool w = coin(g);
	uint32_t ea, sp;

	random_state(g, c, mode, t);
	ea = buf_addr(g, 8, 4);
	switch (pu) {
	case 0: sp = ea + 4; break; /* DA */
	case 1: sp = ea; break;     /* IA */
	case 2: sp = ea + 8; break; /* DB */
	default: sp = ea - 4; break; /* IB */
	}
	*reg_of(c->s, tmode, 13) = sp;
	if (t) {
		c->insn = (pu == 2 ? 0xe80dc000u : 0xe98dc000u) | (uint32_t)w << 21 |
			  tmode;
		thumb_it(g, c);
	} else {
		c->insn = 0xf84d0500u | pu << 23 | (uint32_t)w << 21 | tmode;
	}
}

static void gen_rfe(struct rng *g, struct orc_case *c, bool t)
{
	uint32_t mode = PICK(g, modes_priv);
	unsigned pu = t ? (coin(g) ? 2u : 1u) : below(g, 4);
	bool w = coin(g);
	unsigned rn = reg_not(g, 14, 0);
	uint32_t ea, base, psr;
	bool rt = coin(g);

	random_state(g, c, mode, t);
	ea = buf_addr(g, 8, 4);
	switch (pu) {
	case 0: base = ea + 4; break;
	case 1: base = ea; break;
	case 2: base = ea + 8; break;
	default: base = ea - 4; break;
	}
	set_reg(c, rn, base);
	psr = sane_psr(g, rt);
	set_mem(c, ea, pad_for(rt));
	set_mem(c, ea + 4, psr);
	if (t) {
		rn = reg_not(g, 12, 0);
		set_reg(c, rn, base);
		c->insn = (pu == 2 ? 0xe810c000u : 0xe990c000u) | (uint32_t)w << 21 |
			  rn << 16;
		thumb_it(g, c);
	} else {
		c->insn = 0xf8100a00u | pu << 23 | (uint32_t)w << 21 | rn << 16;
	}
}

/* Start address of an n-register block transfer for P:U and base. */
static uint32_t block_base(uint32_t start, unsigned pu, unsigned n)
{
	switch (pu) {
	case 0: return start + 4 * n - 4; /* DA */
	case 1: return start;             /* IA */
	case 2: return start + 4 * n;     /* DB */
	default: return start - 4;        /* IB */
	}
}

static unsigned popcount(uint32_t v)
{
	unsigned n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

/* The ARM block transfers with '^' and the ordinary LDM/STM. */
static void gen_arm_block(struct rng *g, struct orc_case *c, unsigned cls)
{
	uint32_t mode;
	uint32_t list, start;
	unsigned pu = below(g, 4), rn, n, l, s = 0, w = 0;
	bool with_pc = false;

	switch (cls) {
	case ORC_C_LDM_USER: mode = PICK(g, modes_spsr); l = 1; s = 1; break;
	case ORC_C_STM_USER: mode = PICK(g, modes_spsr); l = 0; s = 1; break;
	case ORC_C_LDM_ERET:
		mode = PICK(g, modes_spsr); l = 1; s = 1; with_pc = true;
		break;
	default: mode = PICK(g, modes_all); l = coin(g); with_pc = l && coin(g);
		break;
	}
	random_state(g, c, mode, false);
	rn = reg_not(g, 14, 0);
	list = rnd(g) & 0x7fffu;
	if (s && cls != ORC_C_LDM_ERET)
		w = 0; /* the user-register forms have no write-back */
	else
		w = coin(g);
	if (w)
		list &= ~(1u << rn); /* base in list with write-back: UNPRED */
	if (with_pc)
		list |= 1u << 15;
	if (!list)
		list = 1u << reg_not(g, 14, 1u << rn);
	n = popcount(list);
	start = buf_addr(g, 4 * n, 4);
	set_reg(c, rn, block_base(start, pu, n));
	if (with_pc) {
		bool rt;

		if (cls == ORC_C_LDM_ERET) {
			uint32_t *spsr = &c->s[ORC_W_SPSR + orc_bank_of(mode)];

			rt = coin(g);
			*spsr = sane_psr(g, rt);
			set_mem(c, start + 4 * n - 4, pad_for(rt));
		} else {
			/* Interworking load: bit 0 picks the state. */
			rt = coin(g);
			set_mem(c, start + 4 * n - 4, pad_for(rt) | rt);
		}
	}
	c->insn = arm_cond(g) << 28 | 0x08000000u | pu << 23 | s << 22 | w << 21 |
		  l << 20 | rn << 16 | list;
}

static void gen_dp_eret(struct rng *g, struct orc_case *c, bool t)
{
	/* Only SUBS and MOVS: QEMU 7.2 implements the exception return for
	 * these two alone and treats ADDS/RSBS/ADCS/SBCS/RSCS/EORS/MVNS PC
	 * as ordinary flag-setting branches (see docs/oracle.md). */
	static const uint32_t ops[] = { 2, 13 };
	uint32_t mode = PICK(g, modes_spsr);
	uint32_t op = PICK(g, ops), target, op2, rnv = 0, cf;
	unsigned rn, rm = 0, type = 0, imm5 = 0, rot = 0, imm8 = 0;
	bool rt = coin(g), imm;

	random_state(g, c, mode, t);
	c->s[ORC_W_SPSR + orc_bank_of(mode)] = sane_psr(g, rt);
	target = pad_for(rt);
	if (t) {
		/* SUBS PC, LR, #imm8: the only T32 form. */
		imm8 = rnd(g) & 0xffu;
		set_reg(c, 14, target + imm8);
		c->insn = 0xf3de8f00u | imm8;
		thumb_it(g, c);
		return;
	}
	cf = (c->s[ORC_W_CPSR] & PSR_C) ? 1u : 0u;
	imm = op != 13 && op != 15 && coin(g);
	rn = reg_not(g, 14, 0);
	if (imm) {
		rot = below(g, 16);
		imm8 = rnd(g) & 0xffu;
		op2 = ror32(imm8, 2 * rot);
	} else {
		rm = reg_not(g, 14, 1u << rn);
		if (op == 13 || op == 15) {
			/* MOV/MVN: invert the shift so op2 hits the target. */
			uint32_t want = op == 13 ? target : ~target;

			type = coin(g) ? 0u : 3u;
			imm5 = type ? 1 + below(g, 31) : 0;
			set_reg(c, rm, type ? ror32(want, 32 - imm5) : want);
		} else {
			type = below(g, 4);
			imm5 = below(g, 32);
		}
		op2 = shift_imm(get_reg(c, rm), type, imm5, cf);
	}
	switch (op) {
	case 1: rnv = target ^ op2; break;
	case 2: rnv = target + op2; break;
	case 3: rnv = op2 - target; break;
	case 4: rnv = target - op2; break;
	case 5: rnv = target - op2 - cf; break;
	case 6: rnv = target + op2 + 1 - cf; break;
	case 7: rnv = op2 - target - 1 + cf; break;
	default: break;
	}
	if (op != 13 && op != 15)
		set_reg(c, rn, rnv);
	else
		rn = 0; /* MOV/MVN: Rn is (0) */
	c->insn = arm_cond(g) << 28 | (uint32_t)imm << 25 | op << 21 | 1u << 20 |
		  rn << 16 | 0xf000u;
	if (imm)
		c->insn |= rot << 8 | imm8;
	else
		c->insn |= imm5 << 7 | type << 5 | rm;
}

/* Access sizes of the single loads/stores. */
enum { SZ_W, SZ_B, SZ_H, SZ_SB, SZ_SH };

static unsigned sz_bytes(unsigned sz)
{
	return sz == SZ_W ? 4 : (sz == SZ_H || sz == SZ_SH) ? 2 : 1;
}

/* An effective address in the buffer for an access of @bytes, aligned
 * unless @misalign. */
static uint32_t ea_for(struct rng *g, unsigned bytes, bool misalign)
{
	uint32_t ea = buf_addr(g, 8, bytes);

	if (misalign && bytes > 1)
		ea += 1 + below(g, bytes - 1);
	return ea;
}

/*
 * ARM single load/store, every addressing mode. @unpriv selects the T
 * forms (post-indexed, user access). @misalign makes the address
 * unaligned (the data abort class, with SCTLR.A set).
 */
static void gen_arm_ldst(struct rng *g, struct orc_case *c, bool unpriv,
			 bool misalign)
{
	uint32_t mode = PICK(g, modes_all);
	unsigned l = coin(g), sz = l ? below(g, 5) : below(g, 3);
	unsigned p = unpriv ? 0 : coin(g), u = coin(g);
	unsigned w = unpriv ? 1 : (p ? coin(g) : 0);
	bool wback = !p || w, regf = coin(g);
	unsigned rt, rn, rm = 0, type = 0, imm5 = 0;
	uint32_t ea, off, imm = 0;

	if (misalign)
		sz = coin(g) ? SZ_W : SZ_H;
	random_state(g, c, mode, false);
	rt = reg_not(g, 14, 0);
	rn = reg_not(g, 14, wback ? 1u << rt : 0);
	ea = ea_for(g, sz_bytes(sz), misalign);
	if (regf) {
		rm = reg_not(g, 14, (1u << rn));
		if (sz == SZ_W || sz == SZ_B) {
			type = below(g, 4);
			imm5 = below(g, 32);
		}
		off = shift_imm(get_reg(c, rm), type, imm5,
				(c->s[ORC_W_CPSR] & PSR_C) != 0);
	} else {
		imm = rnd(g) & ((sz == SZ_W || sz == SZ_B) ? 0xfffu : 0xffu);
		off = imm;
	}
	set_reg(c, rn, p ? (u ? ea - off : ea + off) : ea);
	if (sz == SZ_W || sz == SZ_B) {
		c->insn = arm_cond(g) << 28 | 0x04000000u | (uint32_t)regf << 25 |
			  p << 24 | u << 23 | (uint32_t)(sz == SZ_B) << 22 | w << 21 |
			  l << 20 | rn << 16 | rt << 12;
		c->insn |= regf ? (imm5 << 7 | type << 5 | rm) : imm;
	} else {
		uint32_t op2 = sz == SZ_H ? 1u : sz == SZ_SB ? 2u : 3u;

		c->insn = arm_cond(g) << 28 | p << 24 | u << 23 |
			  (uint32_t)!regf << 22 | w << 21 | l << 20 | rn << 16 |
			  rt << 12 | 0x90u | op2 << 5;
		c->insn |= regf ? rm : ((imm & 0xf0u) << 4 | (imm & 0xfu));
	}
	if (misalign)
		c->insn = (c->insn & 0x0fffffffu) | 0xe0000000u;
}

/* ARM literal loads: LDR/LDRB/LDRH/LDRSB/LDRSH/LDRD (Rn = PC). */
static void gen_arm_lit(struct rng *g, struct orc_case *c)
{
	unsigned sz = below(g, 6), rt, u = coin(g);
	unsigned bytes = sz == 5 ? 8 : sz_bytes(sz);
	uint32_t base = ORC_SLOT + 8, ea, imm;
	unsigned maxoff = (sz == SZ_W || sz == SZ_B) ? 0xfffu : 0xffu;

	random_state(g, c, PICK(g, modes_all), false);
	/* Up: into the code page; down: into the data buffer. */
	do {
		if (u)
			imm = below(g, (maxoff < 1016 - bytes ? maxoff : 1016 - bytes) + 1);
		else
			imm = 8 + bytes + below(g, (maxoff < 1024 ? maxoff : 1024) - 8 - bytes + 1);
		imm &= ~(bytes > 4 ? 3u : bytes - 1u);
		ea = u ? base + imm : base - imm;
	} while (!u && ea < ORC_BUF_BASE);
	if (sz == 5) {
		rt = 2 * below(g, 7);
		c->insn = arm_cond(g) << 28 | 0x014f00d0u | u << 23 | rt << 12 |
			  (imm & 0xf0u) << 4 | (imm & 0xfu);
		return;
	}
	rt = reg_not(g, 14, 0);
	if (sz == SZ_W || sz == SZ_B) {
		c->insn = arm_cond(g) << 28 | 0x051f0000u | u << 23 |
			  (uint32_t)(sz == SZ_B) << 22 | rt << 12 | imm;
	} else {
		uint32_t op2 = sz == SZ_H ? 1u : sz == SZ_SB ? 2u : 3u;

		c->insn = arm_cond(g) << 28 | 0x015f0090u | u << 23 | rt << 12 |
			  op2 << 5 | (imm & 0xf0u) << 4 | (imm & 0xfu);
	}
}

/* ARM LDRD/STRD, immediate and register offsets, every index mode. */
static void gen_arm_ldrd(struct rng *g, struct orc_case *c)
{
	unsigned l = coin(g), p = coin(g), u = coin(g), w = p ? coin(g) : 0;
	bool wback = !p || w, regf = coin(g);
	unsigned rt = 2 * below(g, 7), rn, rm = 0;
	uint32_t avoid = 3u << rt, ea, off, imm = 0;

	random_state(g, c, PICK(g, modes_all), false);
	rn = reg_not(g, 14, wback || l ? avoid : 0);
	ea = ea_for(g, 4, false);
	if (regf) {
		rm = reg_not(g, 14, avoid | 1u << rn);
		off = get_reg(c, rm);
	} else {
		imm = rnd(g) & 0xffu;
		off = imm;
	}
	set_reg(c, rn, p ? (u ? ea - off : ea + off) : ea);
	c->insn = arm_cond(g) << 28 | p << 24 | u << 23 | (uint32_t)!regf << 22 |
		  w << 21 | rn << 16 | rt << 12 | 0xd0u | (uint32_t)!l << 5;
	c->insn |= regf ? rm : ((imm & 0xf0u) << 4 | (imm & 0xfu));
}

/* ARM LDREX/STREX in all sizes. The exclusive monitor is open (cleared)
 * at every launch, so a STREX fails and stores nothing. */
static void gen_arm_excl(struct rng *g, struct orc_case *c)
{
	static const unsigned bytes[4] = { 4, 8, 1, 2 }; /* op 00,01,10,11 */
	unsigned op = below(g, 4), l = coin(g), rn, rt, rd;
	uint32_t avoid;

	if (!(feat & ORC_FEAT_STREX))
		l = 1;

	random_state(g, c, PICK(g, modes_all), false);
	rt = op == 1 ? 2 * below(g, 7) : reg_not(g, 14, 0);
	avoid = op == 1 ? 3u << rt : 1u << rt;
	rn = reg_not(g, 14, l ? 0 : avoid);
	set_reg(c, rn, ea_for(g, bytes[op], false) & ~(bytes[op] - 1u));
	if (l) {
		c->insn = arm_cond(g) << 28 | 0x01900f9fu | op << 21 | rn << 16 |
			  rt << 12;
	} else {
		rd = reg_not(g, 14, avoid | 1u << rn);
		c->insn = arm_cond(g) << 28 | 0x01800f90u | op << 21 | rn << 16 |
			  rd << 12 | rt;
	}
}

/* T32 LDRT family: Rn + imm8, no write-back. */
static void gen_t32_ldrt(struct rng *g, struct orc_case *c)
{
	static const uint32_t ops[] = { 0xf800u, 0xf820u, 0xf840u, 0xf810u,
					0xf830u, 0xf850u, 0xf910u, 0xf930u };
	static const unsigned bytes[] = { 1, 2, 4, 1, 2, 4, 1, 2 };
	unsigned k = below(g, 8), rn, rt;
	uint32_t imm8 = rnd(g) & 0xffu, ea;

	random_state(g, c, PICK(g, modes_all), true);
	rt = reg_not(g, 12, 0);
	rn = reg_not(g, 14, 1u << 13) ;
	ea = ea_for(g, bytes[k], false);
	set_reg(c, rn, ea - imm8);
	c->insn = (ops[k] | rn) << 16 | rt << 12 | 0xe00u | imm8;
	thumb_it(g, c);
}

/* T16 and T32 ordinary loads and stores. */
static void gen_thumb_ldst(struct rng *g, struct orc_case *c)
{
	/* T32 size/sign opcodes (hw1 bits 8..4 without L): STRB, STRH, STR */
	static const uint32_t t32[] = { 0xf800u, 0xf820u, 0xf840u, 0xf810u,
					0xf830u, 0xf850u, 0xf910u, 0xf930u };
	static const unsigned bytes[] = { 1, 2, 4, 1, 2, 4, 1, 2 };
	unsigned form = below(g, 6), k = below(g, 8), rt, rn, rm;
	uint32_t ea;

	random_state(g, c, PICK(g, modes_all), true);
	thumb_it(g, c);
	switch (form) {
	case 0: { /* T16 imm5: STR/LDR, STRB/LDRB, STRH/LDRH */
		unsigned op = below(g, 3), l = coin(g), imm5 = below(g, 32);
		unsigned sc = op == 0 ? 4 : op == 1 ? 1 : 2;
		static const uint32_t base[] = { 0x6000u, 0x7000u, 0x8000u };

		rt = below(g, 8);
		rn = below(g, 8);
		ea = buf_addr(g, 4 * 32, 4) + imm5 * sc;
		set_reg(c, rn, ea - imm5 * sc);
		c->insn = base[op] | l << 11 | imm5 << 6 | rn << 3 | rt;
		c->len = 2;
		return;
	}
	case 1: { /* T16 register offset */
		static const unsigned b16[] = { 4, 2, 1, 1, 4, 2, 1, 2 };
		unsigned op = below(g, 8);

		rt = below(g, 8);
		rn = below(g, 8);
		rm = below(g, 8);
		if (rm == rn)
			rm = (rm + 1) & 7u;
		ea = ea_for(g, b16[op], false);
		set_reg(c, rn, ea - get_reg(c, rm));
		c->insn = 0x5000u | op << 9 | rm << 6 | rn << 3 | rt;
		c->len = 2;
		return;
	}
	case 2: { /* T16 SP-relative word */
		unsigned l = coin(g), imm8 = rnd(g) & 0xffu;

		rt = below(g, 8);
		ea = buf_addr(g, 4, 4);
		set_reg(c, 13, ea - 4 * imm8);
		c->insn = 0x9000u | l << 11 | rt << 8 | imm8;
		c->len = 2;
		return;
	}
	case 3: { /* T32 imm12 */
		uint32_t imm12 = rnd(g) & 0xfffu;

		rt = reg_not(g, 12, 0);
		rn = reg_not(g, 14, 0);
		ea = ea_for(g, bytes[k], false);
		set_reg(c, rn, ea - imm12);
		c->insn = (t32[k] | 0x80u | rn) << 16 | rt << 12 | imm12;
		return;
	}
	case 4: { /* T32 imm8 with P/U/W: offset, pre- and post-indexed */
		static const uint32_t puw[] = { 4, 5, 7, 1, 3 }; /* no 110, 000 */
		uint32_t f = PICK(g, puw), imm8 = rnd(g) & 0xffu;
		bool p = f & 4u, u = f & 2u;

		rt = reg_not(g, 12, 0);
		rn = reg_not(g, 14, 1u << rt);
		ea = ea_for(g, bytes[k], false);
		set_reg(c, rn, p ? (u ? ea - imm8 : ea + imm8) : ea);
		c->insn = (t32[k] | rn) << 16 | rt << 12 | 0x800u | f << 8 | imm8;
		return;
	}
	default: { /* T32 register, LSL #0..3 */
		unsigned sh = below(g, 4);

		rt = reg_not(g, 12, 0);
		rm = reg_not(g, 12, 0);
		rn = reg_not(g, 14, 1u << rm);
		ea = ea_for(g, bytes[k], false);
		set_reg(c, rn, ea - (get_reg(c, rm) << sh));
		c->insn = (t32[k] | rn) << 16 | rt << 12 | sh << 4 | rm;
		return;
	}
	}
}

/* T16/T32 literal loads. */
static void gen_thumb_lit(struct rng *g, struct orc_case *c)
{
	unsigned rt;

	random_state(g, c, PICK(g, modes_all), true);
	thumb_it(g, c);
	if (coin(g)) {
		/* T16 LDR literal: Align(PC, 4) + imm8 * 4, in the code page. */
		rt = below(g, 8);
		c->insn = 0x4800u | rt << 8 | below(g, 200);
		c->len = 2;
		return;
	}
	/* T32 LDR{,B,H,SB,SH}.W literal, up into the code page or down
	 * into the buffer. */
	static const uint32_t ops[] = { 0xf85fu, 0xf81fu, 0xf83fu, 0xf91fu,
					0xf93fu };
	unsigned k = below(g, 5), u = coin(g);
	uint32_t imm = u ? below(g, 1000) : 8 + below(g, 1010);

	imm &= ~3u;
	rt = reg_not(g, 12, 0);
	c->insn = (ops[k] | u << 7) << 16 | rt << 12 | imm;
}

/* T32 LDRD/STRD. */
static void gen_thumb_ldrd(struct rng *g, struct orc_case *c)
{
	static const uint32_t puw[] = { 4, 5, 6, 7, 1, 3 };
	uint32_t f = PICK(g, puw), imm8 = rnd(g) & 0xffu, off, ea;
	bool p = f & 4u, u = f & 2u, w = f & 1u;
	unsigned l = coin(g), rt, rt2, rn;

	random_state(g, c, PICK(g, modes_all), true);
	thumb_it(g, c);
	rt = reg_not(g, 12, 0);
	rt2 = reg_not(g, 12, l ? 1u << rt : 0);
	rn = reg_not(g, 14, w ? (1u << rt | 1u << rt2) : 0);
	off = imm8 * 4;
	ea = buf_addr(g, 8, 4);
	set_reg(c, rn, p ? (u ? ea - off : ea + off) : ea);
	c->insn = (0xe840u | (uint32_t)p << 8 | (uint32_t)u << 7 | (uint32_t)w << 5 |
		   l << 4 | rn) << 16 | rt << 12 | rt2 << 8 | imm8;
}

/* T16 LDM/STM/PUSH/POP and T32 LDM/STM. */
static void gen_thumb_block(struct rng *g, struct orc_case *c)
{
	unsigned form = below(g, 4), rn, n;
	uint32_t list, start;

	random_state(g, c, PICK(g, modes_all), true);
	thumb_it(g, c);
	switch (form) {
	case 0: /* T16 LDM/STM Rn!, {r0-r7} */
		rn = below(g, 8);
		list = (rnd(g) & 0xffu) | 1u << below(g, 8);
		if (!coin(g)) { /* STM: base, if listed, must be lowest */
			list &= ~(1u << rn);
			if (!list)
				list = 1u << ((rn + 1) & 7u);
			n = popcount(list);
			start = buf_addr(g, 4 * n, 4);
			set_reg(c, rn, start);
			c->insn = 0xc000u | rn << 8 | list;
		} else {
			n = popcount(list);
			start = buf_addr(g, 4 * n, 4);
			set_reg(c, rn, start);
			c->insn = 0xc800u | rn << 8 | list;
		}
		c->len = 2;
		return;
	case 1: { /* PUSH/POP, maybe with LR/PC */
		bool pop = coin(g), x = coin(g);

		list = rnd(g) & 0xffu;
		if (!list && !x)
			list = 1;
		n = popcount(list) + x;
		start = buf_addr(g, 4 * n, 4);
		if (pop) {
			set_reg(c, 13, start);
			if (x) {
				bool rt = coin(g);

				set_mem(c, start + 4 * n - 4, pad_for(rt) | rt);
			}
			c->insn = 0xbc00u | (uint32_t)x << 8 | list;
		} else {
			set_reg(c, 13, start + 4 * n);
			c->insn = 0xb400u | (uint32_t)x << 8 | list;
		}
		c->len = 2;
		return;
	}
	default: { /* T32 LDM/STM IA or DB */
		bool db = form == 3, l = coin(g), w = coin(g);

		rn = reg_not(g, 12, 0);
		list = rnd(g) & 0x1fffu;
		if (l && coin(g))
			list |= coin(g) ? 1u << 15 : 1u << 14;
		else if (!l && coin(g))
			list |= 1u << 14;
		if (w)
			list &= ~(1u << rn);
		while (popcount(list) < 2)
			list |= 1u << reg_not(g, 12, w ? 1u << rn : 0);
		n = popcount(list);
		start = buf_addr(g, 4 * n, 4);
		set_reg(c, rn, db ? start + 4 * n : start);
		if (list & (1u << 15)) {
			bool rt = coin(g);

			set_mem(c, start + 4 * n - 4, pad_for(rt) | rt);
		}
		c->insn = (db ? 0xe9000000u : 0xe8800000u) | (uint32_t)w << 21 |
			  (uint32_t)l << 20 | rn << 16 | list;
		return;
	}
	}
}

/* T32 LDREX/STREX, all sizes. */
static void gen_thumb_excl(struct rng *g, struct orc_case *c)
{
	unsigned k = below(g, 4), l = coin(g), rn, rt, rt2 = 15, rd = 15;
	static const unsigned bytes[4] = { 4, 1, 2, 8 };
	uint32_t avoid, imm8 = 0;

	if (!(feat & ORC_FEAT_STREX))
		l = 1;

	random_state(g, c, PICK(g, modes_all), true);
	thumb_it(g, c);
	rt = reg_not(g, 12, 0);
	avoid = 1u << rt;
	if (k == 3) {
		rt2 = reg_not(g, 12, avoid);
		avoid |= 1u << rt2;
	}
	rn = reg_not(g, 14, 0); /* SP is a fine base */
	if (!l)
		while (avoid & (1u << rn))
			rn = reg_not(g, 14, avoid);
	if (!l)
		rd = reg_not(g, 12, avoid | 1u << rn);
	if (k == 0)
		imm8 = below(g, 64);
	set_reg(c, rn, (ea_for(g, bytes[k], false) & ~(bytes[k] - 1u)) -
			       imm8 * 4);
	if (k == 0)
		c->insn = (l ? 0xe8500f00u : 0xe8400000u | rd << 8) | rn << 16 |
			  rt << 12 | imm8;
	else
		c->insn = (l ? 0xe8d0000fu : 0xe8c00000u | rd) | rn << 16 |
			  rt << 12 | (k == 3 ? rt2 : 15u) << 8 |
			  (k == 1 ? 0x40u : k == 2 ? 0x50u : 0x70u);
}

/* Exception entry cases: the instruction itself raises the exception. */
static void gen_exc(struct rng *g, struct orc_case *c, unsigned cls, bool t)
{
	random_state(g, c, PICK(g, modes_all), t);
	c->flags |= ORC_F_DIRECT;
	switch (cls) {
	case ORC_C_EXC_UDF:
		c->exc = 0x04;
		c->exc_ret = ORC_SLOT;
		if (!t) {
			c->insn = 0xe7f000f0u | (rnd(g) & 0xfffu) << 8 | (rnd(g) & 0xfu);
		} else if (coin(g)) {
			c->insn = 0xde00u | (rnd(g) & 0xffu);
			c->len = 2;
		} else {
			c->insn = 0xf7f0a000u | (rnd(g) & 0xfu) << 16 | (rnd(g) & 0xfffu);
		}
		break;
	case ORC_C_EXC_SVC: {
		uint32_t imm = rnd(g) & (t ? 0xffu : 0xffffffu);

		if (imm == (t ? 0xabu : 0x123456u)) /* semihosting */
			imm ^= 1;
		c->exc = 0x08;
		c->insn = t ? 0xdf00u | imm : 0xef000000u | imm;
		c->len = t ? 2 : 4;
		c->exc_ret = ORC_SLOT + c->len;
		break;
	}
	case ORC_C_EXC_BKPT: {
		uint32_t imm = rnd(g) & 0xffffu;

		c->exc = 0x0c;
		c->exc_ret = ORC_SLOT;
		if (t) {
			c->insn = 0xbe00u | (imm & 0xffu);
			c->len = 2;
		} else {
			c->insn = 0xe1200070u | (imm >> 4) << 8 | (imm & 0xfu);
		}
		break;
	}
	case ORC_C_EXC_IRQ:
	case ORC_C_EXC_FIQ:
		/* The pending SGI is taken at the launch's exception return,
		 * before the slot executes; the slot holds a NOP. */
		c->flags |= cls == ORC_C_EXC_IRQ ? ORC_F_IRQ : ORC_F_FIQ;
		c->exc = cls == ORC_C_EXC_IRQ ? 0x18 : 0x1c;
		c->exc_ret = ORC_SLOT;
		c->s[ORC_W_CPSR] &= cls == ORC_C_EXC_IRQ ? ~(1u << 7) : ~(1u << 6);
		if (t) {
			c->insn = 0xbf00u;
			c->len = 2;
		} else {
			c->insn = 0xe320f000u;
		}
		break;
	default:
		break;
	}
}

void orc_generate(uint32_t seed, uint32_t index, uint32_t features,
		  struct orc_case *c)
{
	struct rng g = { seed ^ (index * 0x2545f491u) };
	unsigned cls;
	bool t;

	feat = features;
	rnd(&g);
	cls = below(&g, ORC_NCLASSES);
	t = coin(&g);
	c->index = index;
	c->cls = cls;
	c->flags = 0;
	c->len = 4;
	c->exc = c->exc_ret = 0;
	switch (cls) {
	case ORC_C_MRS: gen_mrs(&g, c, t); break;
	case ORC_C_MSR: gen_msr(&g, c, t); break;
	case ORC_C_CPS: gen_cps(&g, c, t); break;
	case ORC_C_SRS: gen_srs(&g, c, t); break;
	case ORC_C_RFE: gen_rfe(&g, c, t); break;
	case ORC_C_LDM_USER:
	case ORC_C_STM_USER:
	case ORC_C_LDM_ERET:
		t = false;
		gen_arm_block(&g, c, cls);
		break;
	case ORC_C_DP_ERET: gen_dp_eret(&g, c, t); break;
	case ORC_C_LDRT:
		if (t)
			gen_t32_ldrt(&g, c);
		else
			gen_arm_ldst(&g, c, true, false);
		break;
	case ORC_C_LDST:
		if (t)
			gen_thumb_ldst(&g, c);
		else
			gen_arm_ldst(&g, c, false, false);
		break;
	case ORC_C_LDST_LIT:
		if (t)
			gen_thumb_lit(&g, c);
		else
			gen_arm_lit(&g, c);
		break;
	case ORC_C_LDRD:
		if (t)
			gen_thumb_ldrd(&g, c);
		else
			gen_arm_ldrd(&g, c);
		break;
	case ORC_C_LDM:
		if (t)
			gen_thumb_block(&g, c);
		else
			gen_arm_block(&g, c, cls);
		break;
	case ORC_C_EXCL:
		if (t)
			gen_thumb_excl(&g, c);
		else
			gen_arm_excl(&g, c);
		break;
	case ORC_C_EXC_DABT:
		t = false;
		gen_arm_ldst(&g, c, false, true);
		break;
	default: gen_exc(&g, c, cls, t); break;
	}
	if (t)
		c->flags |= ORC_F_THUMB;
	/* The CPSR's T bit always matches the ISA of the slot. */
	if (!t)
		c->s[ORC_W_CPSR] &= ~(PSR_T | 0x0600fc00u);
	else
		c->s[ORC_W_CPSR] |= PSR_T;
	if (t && c->len == 4 && (c->insn >> 27) < 0x1du)
		c->len = 2; /* defensive: a T16 pattern is never 4 bytes */
}

uint32_t orc_code_word(unsigned i)
{
	uint32_t a = ORC_CODE_BASE + 4 * i;

	if (a == ORC_PAD_ARM)
		return ORC_SMC_ARM;
	if (a == ORC_PAD_THUMB)
		return ORC_SMC_T2 << 16 | ORC_SMC_T1;
	if (a >= ORC_VBAR && a < ORC_VBAR + 32)
		return ORC_SMC_ARM;
	/* Filler: distinct permanently-undefined words. */
	return 0xe7f000f0u | (i & 0xfffu) << 8;
}

void orc_slot_words(const struct orc_case *c, uint32_t w[2])
{
	if (!(c->flags & ORC_F_THUMB)) {
		w[0] = c->insn;
		w[1] = ORC_SMC_ARM;
	} else if (c->len == 2) {
		w[0] = ORC_SMC_T1 << 16 | (c->insn & 0xffffu);
		w[1] = (orc_code_word(1) & 0xffff0000u) | ORC_SMC_T2;
	} else {
		w[0] = (c->insn & 0xffffu) << 16 | c->insn >> 16;
		w[1] = ORC_SMC_T2 << 16 | ORC_SMC_T1;
	}
}

uint32_t orc_hash(const uint32_t *s)
{
	return orc_hash_words(s, ORC_NWORDS);
}

uint32_t orc_hash_words(const uint32_t *s, unsigned n)
{
	uint32_t h = 0x811c9dc5u;

	for (unsigned i = 0; i < n; i++) {
		uint32_t v = s[i];

		for (unsigned b = 0; b < 4; b++) {
			h ^= (v >> (8 * b)) & 0xffu;
			h *= 0x01000193u;
		}
	}
	return h;
}

/* ---- guest walk cases ---- */

uint32_t orc_par_mask(uint32_t par)
{
	return par & ((par & 1u) ? 0x7fu : 0xfffff003u);
}

uint32_t orc_walk_desc_word(const struct orc_walk *w, uint32_t v)
{
	if (!(w->sctlr_bits & (1u << 25)))
		return v;
	return v >> 24 | (v >> 8 & 0xff00u) | (v << 8 & 0xff0000u) | v << 24;
}

unsigned orc_walk_ats_op(unsigned a)
{
	static const uint8_t op[ORC_WALK_NACC] = { 0, 2, 1, 3, 0 };

	return op[a];
}

uint32_t orc_walk_acc_va(unsigned a, uint32_t va)
{
	/* The exec block (12 bytes of code) never crosses a 4 KiB page. */
	return a == ORC_A_EXEC ? va & ~15u : va & ~3u;
}

bool orc_walk_plan(uint32_t par, uint32_t va, uint64_t *pa)
{
	if (par & 1u)
		return true;
	if (par & 2u) /* supersection: PA[39:32] in PAR[23:16] */
		*pa = (uint64_t)((par >> 16) & 0xffu) << 32 |
		      (par & 0xff000000u) | (va & 0xffffffu);
	else
		*pa = (par & 0xfffff000u) | (va & 0xfffu);
	return *pa >= ORC_SINK_BASE && *pa < ORC_SINK_BASE + ORC_SINK_SIZE;
}

uint32_t orc_walk_pattern(uint32_t pa)
{
	return (pa * 0x9e3779b1u) ^ 0x5ca1ab1eu;
}

uint32_t orc_walk_tag(unsigned i, unsigned a)
{
	return 0x7a900000u | i << 4 | a;
}

void orc_walk_code(uint32_t pa, uint32_t w[3])
{
	w[0] = 0xe3000000u | (pa >> 12 & 0xfu) << 16 | (pa & 0xfffu); /* MOVW r0 */
	w[1] = 0xe3400000u | (pa >> 28 << 16) | (pa >> 16 & 0xfffu); /* MOVT r0 */
	w[2] = 0xe12fff1eu; /* BX LR */
}

uint32_t orc_walk_fsr(uint32_t fsr, bool data)
{
	uint32_t fs = (fsr >> 6 & 0x10u) | (fsr & 0xfu);
	uint32_t keep = 0x140fu | (data ? 0x800u : 0);

	/* L2 translation 7, access flag 3/6, domain 9/b, permission d/f. */
	if (data && (fs == 0x7 || fs == 0x3 || fs == 0x6 || fs == 0x9 ||
		     fs == 0xb || fs == 0xd || fs == 0xf))
		keep |= 0xf0u;
	return fsr & keep;
}

/* An output address for a mapping of @size bytes: in the sink half of the
 * time, so that real accesses reach it. */
static uint32_t walk_out_pa(struct rng *g, uint32_t size)
{
	uint32_t pa = rnd(g);

	if (coin(g))
		pa = ORC_SINK_BASE | (pa & (ORC_SINK_SIZE - 1));
	return pa & ~(size - 1);
}

static uint32_t walk_find(const struct orc_walk *w, uint32_t addr)
{
	for (uint32_t i = 0; i < w->nw; i++)
		if (w->waddr[i] == addr)
			return i;
	return ORC_WALK_MAXW;
}

static void walk_put(struct orc_walk *w, uint32_t addr, uint32_t val)
{
	if (w->nw < ORC_WALK_MAXW) {
		w->waddr[w->nw] = addr;
		w->wval[w->nw++] = val;
	}
}

/* Access permission bits APX:AP, avoiding the reserved 100 unless the
 * access flag model (AFE) gives AP[0] another meaning. */
static uint32_t walk_ap(struct rng *g, bool afe)
{
	for (;;) {
		uint32_t a = below(g, 8);

		if (afe || a != 4)
			return a;
	}
}

uint32_t orc_walk_l1_addr(uint32_t va, uint32_t n)
{
	if (n == 0 || (va >> (32 - n)) == 0)
		return ORC_L1_0 + ((va << n) >> (n + 20)) * 4;
	return ORC_L1_1 + (va >> 20) * 4;
}

void orc_walk_generate(uint32_t seed, uint32_t index, uint32_t features,
		       struct orc_walk *w)
{
	struct rng g = { seed ^ 0x3c6ef372u ^ (index * 0x9e3779b1u) };
	uint32_t n, l2_used = 0;
	bool afe, harness_ttbr0;

	rnd(&g);
	n = below(&g, 8);
	harness_ttbr0 = n <= 3;
	w->ttbcr = n;
	if (below(&g, 8) == 0 && !harness_ttbr0)
		w->ttbcr |= 1u << 4; /* PD0: TTBR0 walks fault */
	if (below(&g, 8) == 0 && harness_ttbr0)
		w->ttbcr |= 1u << 5; /* PD1 */
	w->ttbr0 = ORC_L1_0 | (rnd(&g) & 0x7fu);
	w->ttbr1 = ORC_L1_1 | (rnd(&g) & 0x7fu);
	w->dacr = 0;
	for (unsigned d = 0; d < 15; d++) {
		static const uint32_t dv[3] = { 0, 1, 3 };

		w->dacr |= dv[below(&g, 3)] << (2 * d);
	}
	w->dacr |= 1u << 30; /* domain 15: client, the harness section */
	afe = coin(&g) && (features & ORC_FEAT_AFE);
	w->sctlr_bits = (afe ? 1u << 29 : 0) | (coin(&g) ? 1u << 28 : 0);
	if ((features & ORC_FEAT_EE) && below(&g, 4) == 0)
		w->sctlr_bits |= 1u << 25;
	w->nw = 0;

	for (unsigned i = 0; i < ORC_WALK_NVA; i++) {
		uint32_t va, l1a, l1, k;

		do {
			if (i && coin(&g)) {
				va = w->va[below(&g, i)];
				va = coin(&g) ? (va & 0xfffff000u) | (rnd(&g) & 0xfffu)
					      : (va & 0xfff00000u) | (rnd(&g) & 0xfffffu);
			} else {
				va = rnd(&g);
			}
		} while ((va >> 20) == 0x100u);
		w->va[i] = va;
		l1a = orc_walk_l1_addr(va, n);
		k = walk_find(w, l1a);
		if (k == ORC_WALK_MAXW) {
			uint32_t kind = below(&g, 10), ap = walk_ap(&g, afe);
			uint32_t attr = (rnd(&g) & 0x7000u) | (rnd(&g) & 0x3001cu);

			attr |= (ap & 3u) << 10 | (ap >> 2) << 15;
			if (kind < 1) { /* fault, ignored bits random */
				l1 = rnd(&g) & ~3u;
			} else if (kind < 2) { /* reserved: faults on an A9 */
				l1 = rnd(&g) | 3u;
			} else if (kind < 6 && l2_used < ORC_L2_COUNT) {
				l1 = (ORC_L2_POOL + 1024 * l2_used++) | below(&g, 16) << 5 |
				     (rnd(&g) & 8u) | 1u;
			} else if (kind < 8) { /* section */
				l1 = walk_out_pa(&g, 0x100000u) | attr | below(&g, 16) << 5 |
				     (rnd(&g) & (1u << 19)) | 2u;
			} else { /* supersection: 16 identical entries */
				uint32_t base = l1a & ~63u;
				bool clash = false;

				for (unsigned j = 0; j < 16; j++)
					clash |= walk_find(w, base + 4 * j) != ORC_WALK_MAXW;
				l1 = walk_out_pa(&g, 0x1000000u) | attr | (1u << 18) | 2u;
				/* Never over the harness's own entry (index 0x100). */
				if (clash || ((l1a & 0x3fffu) >> 2 & ~15u) == 0x100u) {
					l1 = 0;
				} else {
					for (unsigned j = 0; j < 16; j++)
						if (base + 4 * j != l1a)
							walk_put(w, base + 4 * j, l1);
				}
			}
			walk_put(w, l1a, l1);
		} else {
			l1 = w->wval[k];
		}
		if ((l1 & 3u) != 1u)
			continue;
		uint32_t l2a = (l1 & 0xfffffc00u) + ((va >> 12) & 0xffu) * 4;

		if (walk_find(w, l2a) != ORC_WALK_MAXW)
			continue;
		uint32_t kind = below(&g, 8), ap = walk_ap(&g, afe), l2;
		uint32_t common = (rnd(&g) & 0xc0cu) | (ap & 3u) << 4 |
				  (ap >> 2) << 9;

		/* Without ORC_FEAT_L2DOM, keep L2 entries valid when the L1
		 * domain is No access (QEMU and pvcore order those faults
		 * differently, see docs/oracle.md). */
		if (!(features & ORC_FEAT_L2DOM) &&
		    !((w->dacr >> (2 * ((l1 >> 5) & 15u))) & 3u) && kind < 1)
			kind = 3;
		if (kind < 1) {
			l2 = rnd(&g) & ~3u;
		} else if (kind < 3) { /* large page: 16 identical entries */
			uint32_t base = l2a & ~63u;
			bool clash = false;

			for (unsigned j = 0; j < 16; j++)
				clash |= walk_find(w, base + 4 * j) != ORC_WALK_MAXW;
			l2 = walk_out_pa(&g, 0x10000u) | (rnd(&g) & 0xf000u) | common | 1u;
			if (clash) /* a small page instead */
				l2 = (l2 & 0xffff0ffcu) | 2u;
			else
				for (unsigned j = 0; j < 16; j++)
					if (base + 4 * j != l2a)
						walk_put(w, base + 4 * j, l2);
		} else {
			l2 = walk_out_pa(&g, 0x1000u) | (rnd(&g) & 0x1c0u) | common |
			     2u | (rnd(&g) & 1u);
		}
		walk_put(w, l2a, l2);
	}
}
