/* SPDX-License-Identifier: MIT */
/*
 * The vCPU page's contents: read back (as untrusted input) at each trap,
 * rewritten at each resume; and leaving a stub before a guest exception
 * (pvcore/pvpage.h has the rules).
 */
#include <pvcore/error.h>

#include "cp15.h"
#include "shadow.h"
#include "vm_state.h"
#include "vpage.h"

#include "pv_internal.h"

#define FIELD(p, off) ((p)[(off) / 4])

void pv_vpage_sync_in(struct pv_vcpu *vcpu)
{
	const volatile uint32_t *p;
	uint32_t cpsr, *spsr, dacr;

	if (!vcpu->vpage_live)
		return;
	p = pv_vpage_of(vcpu);
	/* Stubs change only I and F; every other bit stays the VMM's. */
	cpsr = FIELD(p, PV_VPAGE_CPSR);
	vcpu->cpsr = (vcpu->cpsr & ~PV_VPAGE_CPSR_WRITABLE) |
		     (cpsr & PV_VPAGE_CPSR_WRITABLE);
	/* Any value is a valid SPSR: exception returns validate it. */
	spsr = pv_vcpu_spsr(vcpu);
	if (spsr)
		*spsr = FIELD(p, PV_VPAGE_SPSR);
	if (vcpu->vpage_usr) {
		vcpu->bank_sp[PV_BANK_USR] = FIELD(p, PV_VPAGE_USR_SP);
		vcpu->bank_lr[PV_BANK_USR] = FIELD(p, PV_VPAGE_USR_LR);
	}
	/* Any value is a valid TPIDRURO: the kernel's own, or a stub's. */
	vcpu->cp15.tpidruro = FIELD(p, PV_VPAGE_TPIDRURO);
	dacr = FIELD(p, PV_VPAGE_DACR);
	if (dacr != vcpu->cp15.dacr) {
		/*
		 * Lazy PAN: the write the stub recorded takes effect now, as
		 * the DACR write it stands for. Only the guest kernel writes
		 * the page, so this holds in user mode too (after a backend's
		 * fast return to user mode took the kernel's last write along).
		 */
		vcpu->cp15.dacr = dacr;
		vcpu->mmu_dirty = true;
		pv_shadow_ctx_changed(vcpu, PV_SHADOW_CTX_DACR);
	}
}

void pv_vpage_sync_out(struct pv_vcpu *vcpu)
{
	volatile uint32_t *p;
	uint32_t *spsr, mode;

	if (!vcpu->vm->cfg.stubs)
		return;
	p = pv_vpage_of(vcpu);
	spsr = pv_vcpu_spsr(vcpu);
	FIELD(p, PV_VPAGE_CPSR) = vcpu->cpsr & ~PV_PSR_USER_MASK;
	FIELD(p, PV_VPAGE_PENDING) = (vcpu->irq_line ? PV_PSR_I : 0) |
				     (vcpu->fiq_line ? PV_PSR_F : 0);
	FIELD(p, PV_VPAGE_SPSR) = spsr ? *spsr : 0;
	FIELD(p, PV_VPAGE_TPIDRPRW) = vcpu->cp15.tpidrprw;
	FIELD(p, PV_VPAGE_SCTLR) = vcpu->cp15.sctlr;
	FIELD(p, PV_VPAGE_DACR) = vcpu->cp15.dacr;
	FIELD(p, PV_VPAGE_DFSR) = vcpu->cp15.dfsr;
	FIELD(p, PV_VPAGE_IFSR) = vcpu->cp15.ifsr;
	FIELD(p, PV_VPAGE_DFAR) = vcpu->cp15.dfar;
	FIELD(p, PV_VPAGE_IFAR) = vcpu->cp15.ifar;
	FIELD(p, PV_VPAGE_MAGIC) = PV_VPAGE_MAGIC_VALUE;
	FIELD(p, PV_VPAGE_TPIDRURO) = vcpu->cp15.tpidruro;
	/* A separate user bank: the current mode is neither USR/SYS nor FIQ
	 * (whose r8-r12 the LDM ^ stub would load natively). */
	mode = vcpu->cpsr & PV_PSR_M_MASK;
	vcpu->vpage_usr = mode != PV_MODE_FIQ && pv_mode_bank(mode) != PV_BANK_USR &&
			  pv_mode_bank(mode) != PV_BANK_COUNT;
	FIELD(p, PV_VPAGE_USR_BAD) = !vcpu->vpage_usr;
	if (vcpu->vpage_usr) {
		FIELD(p, PV_VPAGE_USR_SP) = vcpu->bank_sp[PV_BANK_USR];
		FIELD(p, PV_VPAGE_USR_LR) = vcpu->bank_lr[PV_BANK_USR];
	}
	if (!vcpu->vpage_live) {
		uint32_t midr, ctr, mpidr;

		/* Constants: the guest may scribble on them, only to its cost. */
		pv_cp15_id_regs(vcpu, &midr, &ctr, &mpidr);
		FIELD(p, PV_VPAGE_MIDR) = midr;
		FIELD(p, PV_VPAGE_CTR) = ctr;
		FIELD(p, PV_VPAGE_MPIDR) = mpidr;
	}
	vcpu->vpage_live = true;
}

/*
 * The stub the PC is in, as the stub table sees it (with the MMU off the
 * stub runs at its physical copy: @shift maps that back), and the index
 * of its instruction at the PC.
 */
static const struct pv_stub *stub_at_pc(const struct pv_vcpu *vcpu,
					uint32_t *shift, uint32_t *idx)
{
	const struct pv_stub_table *t = vcpu->vm->cfg.stubs;
	const struct pv_stub *s;
	uint32_t va;

	if (!t || (vcpu->cpsr & PV_PSR_T))
		return NULL;
	*shift = t->area_va - pv_vpage_area_base(vcpu);
	va = vcpu->r[15] + *shift;
	if (va - t->area_va >= t->area_size)
		return NULL;
	s = pv_stub_find(t, pv_gva(va));
	if (s)
		*idx = (va - s->stub) / 4;
	return s;
}

static bool is_exit(const struct pv_stub *s, uint32_t idx)
{
	for (unsigned k = 0; k < 4; k++)
		if (s->exit[k] == idx)
			return true;
	return false;
}

/* Roll @s (at word @i, @shift from its table address) back or forward. */
static void leave(struct pv_vcpu *vcpu, const struct pv_stub *s,
		  uint32_t shift, uint32_t i)
{
	if (is_exit(s, i)) {
		/* Done but for its branch back. */
		vcpu->r[15] = s->site + 4 - shift;
		return;
	}
	/*
	 * Started: its register is in the scratch word (restoring it again
	 * after the stub restored it is harmless: nothing else wrote the
	 * word since). The site runs again; every stub commits idempotently.
	 */
	if (i && s->saved != PV_STUB_NO_REG && vcpu->vpage_live)
		vcpu->r[s->saved] = FIELD(pv_vpage_of(vcpu), PV_VPAGE_SCRATCH);
	vcpu->r[15] = s->site - shift;
}

void pv_vpage_leave_stub(struct pv_vcpu *vcpu)
{
	uint32_t shift, i;
	const struct pv_stub *s = stub_at_pc(vcpu, &shift, &i);

	if (s)
		leave(vcpu, s, shift, i);
}

void pv_vpage_after_trap(struct pv_vcpu *vcpu, bool emulated)
{
	uint32_t shift, i;
	const struct pv_stub *s = stub_at_pc(vcpu, &shift, &i);

	if (!s)
		return;
	if (s->kind == PV_STUB_MCR_TPIDRURO)
		leave(vcpu, s, shift, i);
	else if (emulated && is_exit(s, i))
		vcpu->r[15] = s->site + 4 - shift;
}
