/* SPDX-License-Identifier: MIT */
/*
 * Cache and TLB maintenance loops in one trap (cmo_loop.h): decode the
 * loop after the trapped MCR against a table of patterns and shapes, run
 * its register arithmetic in temporaries, then commit what one trap per
 * iteration would have left. Nothing before the commit has a side effect;
 * the commit cannot fail.
 */
#include "cmo_loop.h"

#include "cp15.h"
#include "emulate.h"
#include "itlb.h"
#include "shadow.h"
#include "stats.h"
#include "vm_state.h"

#include "pv_internal.h"

/* The ordinary instructions a loop may contain after its MCR. */
enum lop { LOP_ADD, LOP_CMP, LOP_SUBS, LOP_B };

struct lpat {
	uint32_t mask, match;
	uint8_t op;
	bool imm;
};

/* A32 encodings, condition field masked off; first match wins. */
static const struct lpat pats[] = {
	{ 0x0ff00ff0u, 0x00800000u, LOP_ADD, false },  /* ADD Rd, Rn, Rm */
	{ 0x0ff00000u, 0x02800000u, LOP_ADD, true },   /* ADD Rd, Rn, #c */
	{ 0x0ff0fff0u, 0x01500000u, LOP_CMP, false },  /* CMP Rn, Rm */
	{ 0x0ff0f000u, 0x03500000u, LOP_CMP, true },   /* CMP Rn, #c */
	{ 0x0ff00ff0u, 0x00500000u, LOP_SUBS, false }, /* SUBS Rd, Rn, Rm */
	{ 0x0ff00000u, 0x02500000u, LOP_SUBS, true },  /* SUBS Rd, Rn, #c */
	{ 0x0f000000u, 0x0a000000u, LOP_B, true },     /* B <label> */
};

/* The loop shapes: what follows the MCR, in order. */
#define LOOP_LEN 3
static const uint8_t shapes[][LOOP_LEN] = {
	{ LOP_ADD, LOP_CMP, LOP_B },  /* v7_*_range, v7_coherent_user_range */
	{ LOP_ADD, LOP_SUBS, LOP_B }, /* cpu_v7_dcache_clean_area */
};

/* One decoded loop instruction. @val: the immediate, or B's target. */
struct lins {
	uint8_t op, cond, rd, rn, rm;
	bool imm;
	uint32_t val;
};

static bool decode(uint32_t w, uint32_t pc, struct lins *o)
{
	unsigned i;

	o->cond = (uint8_t)(w >> 28);
	if (o->cond == 0xfu) /* the unconditional space: other instructions */
		return false;
	for (i = 0; i < PV_ARRAY_SIZE(pats); i++)
		if ((w & pats[i].mask) == pats[i].match)
			break;
	if (i == PV_ARRAY_SIZE(pats))
		return false;
	o->op = pats[i].op;
	o->imm = pats[i].imm;
	o->rd = (uint8_t)PV_BITS(w, 15, 12);
	o->rn = (uint8_t)PV_BITS(w, 19, 16);
	o->rm = (uint8_t)PV_BITS(w, 3, 0);
	if (o->op == LOP_B)
		o->val = pc + 8 + (uint32_t)((int32_t)(w << 8) >> 6);
	else
		o->val = pv_ror32(w & 0xffu, 2 * PV_BITS(w, 11, 8));
	return true;
}

/* r13 and r15 never take part: no stack or PC arithmetic in these loops. */
static bool plain(unsigned r)
{
	return r != 13 && r != 15;
}

/* A source operand the loop does not write: a register or the immediate. */
static bool operand(const struct pv_vcpu *vcpu, const struct lins *l,
		    unsigned w1, unsigned w2, uint32_t *v)
{
	if (l->imm) {
		*v = l->val;
		return true;
	}
	if (!plain(l->rm) || l->rm == w1 || l->rm == w2)
		return false;
	*v = vcpu->r[l->rm];
	return true;
}

/* NZCV of x - y, as CMP and SUBS set them. */
static uint32_t sub_flags(uint32_t x, uint32_t y)
{
	uint32_t r = x - y;

	return (r & PV_PSR_N) | (r ? 0 : PV_PSR_Z) | (x >= y ? PV_PSR_C : 0) |
	       ((((x ^ y) & (x ^ r)) >> 31) ? PV_PSR_V : 0);
}

/**
 * struct plan - what the loop comes to, before anything is committed
 * @kind: the MCR's maintenance
 * @ra, @rn: the registers the loop writes (@rn 16 in the CMP shape)
 * @base, @step: the first iteration's MVA and the step
 * @max: the iterations one trap runs at most
 * @iters: the iterations run, each with its MCR
 * @a, @n, @nzcv, @pc: rA, rN, the flags and the PC after them
 */
struct plan {
	enum pv_cmo kind;
	unsigned ra, rn;
	uint32_t base, step, max, iters;
	uint32_t a, n, nzcv, pc;
};

/* Decode and check the loop at @pc against @shape; fill @p's registers. */
static bool match(struct pv_vcpu *vcpu, const struct pv_insn *mcr,
		  const uint8_t *shape, const struct lins *l, struct plan *p,
		  uint32_t *bound)
{
	uint32_t pc = vcpu->r[15];
	unsigned c = l[2].cond;

	for (unsigned k = 0; k < LOOP_LEN; k++)
		if (l[k].op != shape[k])
			return false;
	/* A counted loop: back to the MCR under one condition, not AL. */
	if (l[2].val != pc || c == 0xeu)
		return false;
	if ((mcr->cond != 0xeu && mcr->cond != c) ||
	    (l[0].cond != 0xeu && l[0].cond != c) ||
	    (l[1].cond != 0xeu && l[1].cond != c))
		return false;
	p->ra = mcr->rt;
	p->rn = 16;
	if (l[0].rd != p->ra || l[0].rn != p->ra)
		return false;
	if (l[1].op == LOP_CMP) {
		if (l[1].rn != p->ra)
			return false;
	} else {
		p->rn = l[1].rn;
		if (l[1].rd != p->rn || !plain(p->rn) || p->rn == p->ra)
			return false;
	}
	return operand(vcpu, &l[0], p->ra, p->rn, &p->step) &&
	       operand(vcpu, &l[1], p->ra, p->rn, bound);
}

/*
 * Run the loop's arithmetic from the vCPU's registers: false if some
 * iteration would skip its MCR or its ADD (a shape this file does not
 * model), else the end state in @p.
 */
static bool simulate(const struct pv_vcpu *vcpu, const struct pv_insn *mcr,
		     const struct lins *l, uint32_t bound, struct plan *p)
{
	uint32_t a = vcpu->r[p->ra], n = p->rn < 16 ? vcpu->r[p->rn] : 0;
	uint32_t f = vcpu->cpsr & PV_PSR_NZCV;

	p->base = a;
	p->iters = 0;
	for (;;) {
		if (!pv_cond_passed(f, mcr->cond) ||
		    !pv_cond_passed(f, l[0].cond))
			return false;
		p->iters++;
		a += p->step;
		if (pv_cond_passed(f, l[1].cond)) {
			if (l[1].op == LOP_CMP) {
				f = sub_flags(a, bound);
			} else {
				f = sub_flags(n, bound);
				n -= bound;
			}
		}
		if (!pv_cond_passed(f, l[2].cond)) {
			p->pc = vcpu->r[15] + 4 * (LOOP_LEN + 1);
			break;
		}
		if (p->iters == p->max) {
			p->pc = vcpu->r[15]; /* the next trap goes on */
			break;
		}
	}
	p->a = a;
	p->n = n;
	p->nzcv = f;
	return true;
}

/* Clean the host lines behind @iters lines from @va, @step apart. */
static void clean_lines(struct pv_vcpu *vcpu, uint32_t va, uint32_t step,
			uint32_t iters)
{
	const struct pv_backend_ops *ops = vcpu->vm->cfg.ops;
	uint32_t blk = 0, blk_size = 0;
	uint8_t *run = NULL, *hva;
	size_t run_len = 0;
	struct pv_fault f;
	struct pv_walk w;
	bool ok = false;

	if (!ops || !ops->cache_clean_range)
		return;
	for (uint32_t k = 0; k < iters; k++, va += step) {
		/* One walk per mapping: every line of it translates alike. */
		if (va - blk >= blk_size) {
			ok = !pv_mmu_translate(vcpu, pv_gva(va), PV_ACC_CMO, &w,
					       &f);
			/* A fault is the same for the whole 4 KiB page. */
			blk_size = ok && w.page_size >= 0x1000u ? w.page_size :
								  0x1000u;
			blk = va & ~(blk_size - 1);
		}
		/* As wr_dcache_mva(): a line that is not guest RAM is skipped. */
		hva = ok ? pv_cp15_dcache_line(vcpu, &w, va) : NULL;
		if (!hva)
			continue;
		if (run && hva == run + run_len) {
			run_len += 32;
			continue;
		}
		if (run)
			ops->cache_clean_range(vcpu->vm->cfg.ctx,
					       pv_hva_from_ptr(run), run_len);
		run = hva;
		run_len = 32;
	}
	if (run)
		ops->cache_clean_range(vcpu->vm->cfg.ctx, pv_hva_from_ptr(run),
				       run_len);
}

static void commit(struct pv_vcpu *vcpu, const struct plan *p)
{
	const struct pv_backend_ops *ops = vcpu->vm->cfg.ops;
	struct pv_stats *st = &vcpu->vm->stats;

	if (p->kind == PV_CMO_DCACHE)
		clean_lines(vcpu, p->base, p->step, p->iters);
	else if (p->kind == PV_CMO_TLB)
		pv_shadow_tlbi_range(vcpu, p->base, p->iters);
	else if (ops && ops->icache_inval_all)
		ops->icache_inval_all(vcpu->vm->cfg.ctx);
	vcpu->r[p->ra] = p->a;
	if (p->rn < 16)
		vcpu->r[p->rn] = p->n;
	vcpu->cpsr = (vcpu->cpsr & ~PV_PSR_NZCV) | p->nzcv;
	vcpu->r[15] = p->pc;
	st->events[PV_EV_CMO_LOOP]++;
	st->events[PV_EV_CMO_LINES] += p->iters;
}

bool pv_cmo_loop_run(struct pv_vcpu *vcpu, const struct pv_insn *mcr)
{
	struct pv_cp_access acc = {
		.coproc = mcr->coproc, .opc1 = mcr->opc1, .crn = mcr->crn,
		.crm = mcr->crm, .opc2 = mcr->opc2,
	};
	uint32_t pc = vcpu->r[15], cpsr = vcpu->cpsr, bound = 0, w;
	struct lins l[LOOP_LEN];
	struct plan p;
	unsigned s;

	/* Every maintenance-by-MVA operation is in c7 (caches) or c8 (TLB):
	 * other writes (DACR, TTBR0, CONTEXTIDR) leave here first. */
	if (mcr->coproc != 15 || (mcr->crn != 7 && mcr->crn != 8))
		return false;
	if (vcpu->vm->cfg.no_cmo_loops || mcr->isa != PV_ISA_ARM ||
	    (cpsr & (PV_PSR_T | PV_PSR_J)) || mcr->cls != PV_IC_CP_MOVE ||
	    (mcr->flags & (PV_IF_LOAD | PV_IF_PAIR)) || !plain(mcr->rt))
		return false;
	/* One trap per iteration would deliver it after the first MCR. */
	if ((vcpu->fiq_line && !(cpsr & PV_PSR_F)) ||
	    (vcpu->irq_line && !(cpsr & PV_PSR_I)))
		return false;
	p.kind = pv_cp_cmo(vcpu, &acc);
	if (p.kind == PV_CMO_NONE || !pv_cond_passed(cpsr, mcr->cond))
		return false;
	/* The loop's code, from RAM the guest may execute (no device reads). */
	for (unsigned k = 0; k < LOOP_LEN; k++) {
		uint32_t at = pc + 4 * (k + 1);

		if (!pv_itlb_fetch_word(vcpu, at, &w) || !decode(w, at, &l[k]))
			return false;
	}
	for (s = 0; s < PV_ARRAY_SIZE(shapes); s++)
		if (match(vcpu, mcr, shapes[s], l, &p, &bound))
			break;
	if (s == PV_ARRAY_SIZE(shapes))
		return false;
	/* Lines of 32 bytes up to a page; a TLB loop goes page by page. */
	if (p.kind == PV_CMO_TLB) {
		if (p.step != 0x1000u)
			return false;
		p.max = PV_TLB_LOOP_MAX_PAGES;
	} else {
		if (p.step % 32u || p.step < 32u || p.step > 0x1000u)
			return false;
		p.max = PV_CMO_LOOP_MAX_BYTES / p.step;
	}
	if (!simulate(vcpu, mcr, l, bound, &p))
		return false;
	commit(vcpu, &p);
	return true;
}
