/* SPDX-License-Identifier: MIT */
/*
 * Context-register writes in one trap (trap_chain.h): decode the words
 * after the trapped MCR against a table of patterns, stop at the first that
 * does not belong, then make the chain's writes in order. Nothing before
 * the commit has a side effect; the commit cannot fail.
 */
#include "trap_chain.h"

#include "cp15.h"
#include "emulate.h"
#include "itlb.h"
#include "stats.h"
#include "vm_state.h"

#include "pv_internal.h"

/* What a word after the trapped MCR may be. */
enum cop { COP_BARRIER, COP_MCR };

struct cpat {
	uint32_t mask, match;
	uint8_t op;
};

/* A32 encodings; first match wins. */
static const struct cpat pats[] = {
	{ 0xfffffff0u, 0xf57ff040u, COP_BARRIER }, /* DSB #option */
	{ 0xfffffff0u, 0xf57ff050u, COP_BARRIER }, /* DMB #option */
	{ 0xfffffff0u, 0xf57ff060u, COP_BARRIER }, /* ISB #option */
	/* MCR p15, 0, Rt, CRn, CRm, opc2 (condition masked off below) */
	{ 0x0ff00f10u, 0x0e000f10u, COP_MCR },
};

/*
 * The context registers (p15, opc1 0). @ends: a write changes how the
 * guest's instructions translate, and the look-ahead does not walk the new
 * regime, so it is the chain's last.
 */
struct creg {
	uint8_t crn, crm, opc2;
	bool ends;
};

static const struct creg cregs[] = {
	{ 2, 0, 0, true },   /* TTBR0 */
	{ 2, 0, 1, true },   /* TTBR1 */
	{ 2, 0, 2, true },   /* TTBCR */
	{ 3, 0, 0, true },   /* DACR */
	{ 13, 0, 1, false }, /* CONTEXTIDR: the ASID, no walk reads it */
};

static const struct creg *find_creg(unsigned opc1, unsigned crn, unsigned crm,
				    unsigned opc2)
{
	if (opc1 != 0)
		return NULL;
	for (unsigned i = 0; i < PV_ARRAY_SIZE(cregs); i++)
		if (cregs[i].crn == crn && cregs[i].crm == crm &&
		    cregs[i].opc2 == opc2)
			return &cregs[i];
	return NULL;
}

/**
 * struct step - one instruction of the chain, decoded
 * @reg: the register an MCR writes; NULL for a barrier
 * @pass: its condition holds (a failed MCR does nothing)
 * @val: the value it writes (Rt, which no step of a chain changes)
 */
struct step {
	const struct creg *reg;
	bool pass;
	uint32_t val;
};

/* Decode @w into @s: false if it does not belong in a chain. */
static bool decode(const struct pv_vcpu *vcpu, uint32_t w, struct step *s)
{
	unsigned i, cond = w >> 28;

	for (i = 0; i < PV_ARRAY_SIZE(pats); i++)
		if ((w & pats[i].mask) == pats[i].match)
			break;
	if (i == PV_ARRAY_SIZE(pats))
		return false;
	if (pats[i].op == COP_BARRIER) {
		s->reg = NULL;
		return true;
	}
	/* 1111: MCR2, another instruction; Rt r15 is UNPREDICTABLE. */
	if (cond == 0xfu || PV_BITS(w, 15, 12) == 15)
		return false;
	s->reg = find_creg(PV_BITS(w, 23, 21), PV_BITS(w, 19, 16),
			   PV_BITS(w, 3, 0), PV_BITS(w, 7, 5));
	if (!s->reg)
		return false;
	s->pass = pv_cond_passed(vcpu->cpsr, cond);
	s->val = vcpu->r[PV_BITS(w, 15, 12)];
	return true;
}

/* The writes, in order, as each MCR's own trap would make them. */
static void commit(struct pv_vcpu *vcpu, const struct step *s, unsigned n,
		   unsigned mcrs)
{
	struct pv_stats *st = &vcpu->vm->stats;

	for (unsigned k = 0; k < n; k++) {
		struct pv_cp_access acc = {
			.coproc = 15, .crn = s[k].reg ? s[k].reg->crn : 0,
		};
		uint32_t val[2] = { s[k].val, 0 };

		if (!s[k].reg || !s[k].pass)
			continue;
		acc.crm = s[k].reg->crm;
		acc.opc2 = s[k].reg->opc2;
		/* Cannot fail: every register of cregs[] is writable at PL1. */
		(void)pv_cp_write(vcpu, &acc, val);
	}
	vcpu->r[15] += 4 * n;
	st->events[PV_EV_TRAP_CHAIN]++;
	st->events[PV_EV_CHAIN_MCRS] += mcrs;
}

bool pv_trap_chain_run(struct pv_vcpu *vcpu, const struct pv_insn *mcr)
{
	struct step s[PV_TRAP_CHAIN_MAX];
	uint32_t pc = vcpu->r[15], cpsr = vcpu->cpsr, w;
	unsigned n = 1, mcrs = 1, k;

	/* Only CONTEXTIDR starts a chain: every other MCR leaves here first
	 * (the DACR and cache maintenance traps are far more frequent). */
	if (mcr->crn != 13 || mcr->opc2 != 1)
		return false;
	if (vcpu->vm->cfg.no_trap_chains || mcr->isa != PV_ISA_ARM ||
	    (cpsr & (PV_PSR_T | PV_PSR_J)) || mcr->cls != PV_IC_CP_MOVE ||
	    (mcr->flags & (PV_IF_LOAD | PV_IF_PAIR)) || mcr->coproc != 15 ||
	    mcr->rt == 15 || !pv_vcpu_is_privileged(vcpu) ||
	    !pv_cond_passed(cpsr, mcr->cond))
		return false;
	s[0].reg = find_creg(mcr->opc1, mcr->crn, mcr->crm, mcr->opc2);
	if (!s[0].reg || s[0].reg->ends)
		return false;
	/* One trap per instruction would deliver it after the first MCR. */
	if ((vcpu->fiq_line && !(cpsr & PV_PSR_F)) ||
	    (vcpu->irq_line && !(cpsr & PV_PSR_I)))
		return false;
	s[0].pass = true;
	s[0].val = vcpu->r[mcr->rt];
	/* The words after it, from RAM the guest may execute. */
	for (k = 1; k < PV_TRAP_CHAIN_MAX; k++) {
		if (!pv_itlb_fetch_word(vcpu, pc + 4 * k, &w) || !decode(vcpu, w, &s[k]))
			break;
		if (!s[k].reg)
			continue;
		n = k + 1;
		mcrs++;
		if (s[k].pass && s[k].reg->ends)
			break;
	}
	if (mcrs < 2)
		return false;
	commit(vcpu, s, n, mcrs);
	return true;
}
