// SPDX-License-Identifier: MIT
/*
 * pv_vmm's exit handling (vm_exit.h): the state page to and from pvcore.
 */
#include "vm_exit.h"

#define PSR_MODE_MASK 0x1fu
#define PSR_USR 0x10u
#define PSR_AIF (7u << 6)

static const enum pv_trap_kind kinds[] = {
	[PV_GENODE_EXC_UNDEF] = PV_TRAP_UNDEF, [PV_GENODE_EXC_SVC] = PV_TRAP_SVC,
	[PV_GENODE_EXC_PABT] = PV_TRAP_PABT,   [PV_GENODE_EXC_DABT] = PV_TRAP_DABT,
	[PV_GENODE_EXC_IRQ] = PV_TRAP_IRQ,     [PV_GENODE_EXC_FIQ] = PV_TRAP_FIQ,
};

int pv_genode_take_exit(struct pv_vcpu *vcpu,
			const struct pv_genode_vcpu_state *s,
			struct pv_trap *t)
{
	const struct pv_genode_exit *x = &s->exit;
	uint32_t *r = pv_vcpu_regs(vcpu);
	enum pv_trap_kind kind;

	if (s->magic != PV_GENODE_STATE_MAGIC ||
	    s->version != PV_GENODE_STATE_VERSION ||
	    (x->spsr & PSR_MODE_MASK) != PSR_USR)
		return PV_ESTATE;
	if (x->exception == 0 ||
	    x->exception >= sizeof(kinds) / sizeof(kinds[0]))
		return PV_EINVAL;
	kind = kinds[x->exception];
	for (unsigned i = 0; i < 13; i++)
		r[i] = x->r[i];
	r[13] = x->sp;
	r[14] = x->lr;
	r[15] = pv_trap_pc(kind, x->exc_lr, x->spsr);
	pv_vcpu_set_tpidrurw(vcpu, x->tpidrurw);
	t->kind = kind;
	t->host_cpsr = x->spsr;
	/* Only aborts have a fault status; a stale one must not reach the
	 * core with another exception. */
	t->fsr = kind == PV_TRAP_DABT || kind == PV_TRAP_PABT ? x->fsr : 0;
	t->far = kind == PV_TRAP_DABT || kind == PV_TRAP_PABT ? x->far : 0;
	return 0;
}

int pv_genode_fill_run(struct pv_vcpu *vcpu, const struct pv_resume *rs,
		       struct pv_genode_vcpu_state *s)
{
	struct pv_genode_run *run = &s->run;
	const uint32_t *r = pv_vcpu_regs(vcpu);
	uint64_t ttbr0 = pv_hpa_val(rs->ttbr0);

	if ((rs->host_cpsr & PSR_MODE_MASK) != PSR_USR)
		return PV_ESTATE;
	if (ttbr0 >> 32)
		return PV_ERANGE;
	for (unsigned i = 0; i < 13; i++)
		run->r[i] = r[i];
	run->sp = r[13];
	run->lr = r[14];
	run->pc = r[15];
	/* The host interrupts must reach the kernel while the guest runs. */
	run->cpsr = rs->host_cpsr & ~PSR_AIF;
	run->ttbr0 = (uint32_t)ttbr0;
	run->contextidr = rs->asid;
	run->dacr = rs->dacr;
	run->tpidruro = rs->tpidruro;
	run->tpidrurw = rs->tpidrurw;
	run->flags = (rs->vfp_enable ? PV_GENODE_RUN_VFP : 0) |
		     (rs->align_check ? PV_GENODE_RUN_ALIGN : 0);
	return 0;
}

static int next_step(struct pv_vcpu *vcpu, struct pv_genode_vcpu_state *s,
		     const struct pv_exit *e, const struct pv_resume *rs,
		     enum pv_genode_next *next)
{
	int err;

	*next = PV_GENODE_STOP;
	switch (e->action) {
	case PV_ACTION_RESUME:
		err = pv_genode_fill_run(vcpu, rs, s);
		if (err)
			return err;
		*next = PV_GENODE_RUN;
		return 0;
	case PV_ACTION_WAIT:
		*next = PV_GENODE_WAIT;
		return 0;
	default:
		return 0;
	}
}

int pv_genode_exit(struct pv_vcpu *vcpu, struct pv_genode_vcpu_state *s,
		   struct pv_exit *e, enum pv_genode_next *next)
{
	struct pv_trap t;
	struct pv_resume rs;
	int err;

	*next = PV_GENODE_STOP;
	err = pv_genode_take_exit(vcpu, s, &t);
	if (!err)
		err = pv_vcpu_run_trap(vcpu, &t, NULL, NULL, e, &rs);
	if (err)
		return err;
	return next_step(vcpu, s, e, &rs, next);
}

int pv_genode_poll(struct pv_vcpu *vcpu, struct pv_genode_vcpu_state *s,
		   struct pv_exit *e, enum pv_genode_next *next)
{
	struct pv_resume rs;
	int err;

	*next = PV_GENODE_STOP;
	err = pv_vcpu_poll(vcpu, e);
	if (err)
		return err;
	if (e->action == PV_ACTION_RESUME)
		pv_vcpu_resume_state(vcpu, &rs);
	return next_step(vcpu, s, e, &rs, next);
}
