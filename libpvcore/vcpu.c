/* SPDX-License-Identifier: MIT */
/*
 * The guest CPU model: modes, register banking (live-view convention, see
 * vcpu.h), exception entry as ARM DDI 0406C B1.8 specifies it for a
 * Non-secure PL1 guest, the host context for resuming the guest, and the
 * virtual VFP control registers.
 */
#include "cp15.h"
#include <pvcore/error.h>
#include "vm_state.h"

#include "pv_internal.h"


/* Mode -> bank, indexed by M[3:0]; M[4] must be 1. PV_BANK_COUNT = invalid. */
const uint8_t pv_mode_bank_tab[16] = {
	[PV_MODE_USR & 0xf] = PV_BANK_USR,
	[PV_MODE_FIQ & 0xf] = PV_BANK_FIQ,
	[PV_MODE_IRQ & 0xf] = PV_BANK_IRQ,
	[PV_MODE_SVC & 0xf] = PV_BANK_SVC,
	[0x4] = PV_BANK_COUNT,
	[0x5] = PV_BANK_COUNT,
	/* Monitor belongs to the VMM: the guest is Non-secure. */
	[PV_MODE_MON & 0xf] = PV_BANK_COUNT,
	[PV_MODE_ABT & 0xf] = PV_BANK_ABT,
	[0x8] = PV_BANK_COUNT,
	[0x9] = PV_BANK_COUNT,
	[PV_MODE_HYP & 0xf] = PV_BANK_COUNT,
	[PV_MODE_UND & 0xf] = PV_BANK_UND,
	[0xc] = PV_BANK_COUNT,
	[0xd] = PV_BANK_COUNT,
	[0xe] = PV_BANK_COUNT,
	[PV_MODE_SYS & 0xf] = PV_BANK_USR,
};

bool pv_mode_is_valid(uint32_t mode)
{
	return pv_mode_bank(mode) != PV_BANK_COUNT;
}

static enum pv_bank cur_bank(const struct pv_vcpu *vcpu)
{
	enum pv_bank b = pv_mode_bank(vcpu->cpsr & PV_PSR_M_MASK);

	/* The CPSR never holds an invalid mode; be safe anyway. */
	return b == PV_BANK_COUNT ? PV_BANK_SVC : b;
}

void pv_vcpu_set_mode(struct pv_vcpu *vcpu, uint32_t mode)
{
	enum pv_bank ob = cur_bank(vcpu), nb = pv_mode_bank(mode);
	bool was_user = (vcpu->cpsr & PV_PSR_M_MASK) == PV_MODE_USR;

	if (nb == PV_BANK_COUNT)
		return;
	if (ob != nb) {
		vcpu->bank_sp[ob] = vcpu->r[13];
		vcpu->bank_lr[ob] = vcpu->r[14];
		vcpu->r[13] = vcpu->bank_sp[nb];
		vcpu->r[14] = vcpu->bank_lr[nb];
	}
	if ((ob == PV_BANK_FIQ) != (nb == PV_BANK_FIQ)) {
		/* r8..r12: the live set goes to its own store, the other comes in. */
		uint32_t *save = ob == PV_BANK_FIQ ? vcpu->fiq_r8_12 : vcpu->usr_r8_12;
		uint32_t *load = ob == PV_BANK_FIQ ? vcpu->usr_r8_12 : vcpu->fiq_r8_12;

		for (unsigned i = 0; i < 5; i++) {
			save[i] = vcpu->r[8 + i];
			vcpu->r[8 + i] = load[i];
		}
	}
	vcpu->cpsr = (vcpu->cpsr & ~PV_PSR_M_MASK) | (mode & PV_PSR_M_MASK);
	/* The shadow engine keeps one view per guest privilege level. */
	if (was_user != ((mode & PV_PSR_M_MASK) == PV_MODE_USR) && vcpu->vm)
		pv_shadow_ctx_changed(vcpu, PV_SHADOW_CTX_MODE);
}

static uint32_t *reg_slot(struct pv_vcpu *vcpu, uint32_t mode, unsigned n)
{
	enum pv_bank cb = cur_bank(vcpu), b = pv_mode_bank(mode);

	n &= 15;
	if (b == PV_BANK_COUNT || n < 8 || n == 15)
		return &vcpu->r[n];
	if (n <= 12) {
		if ((b == PV_BANK_FIQ) == (cb == PV_BANK_FIQ))
			return &vcpu->r[n];
		return b == PV_BANK_FIQ ? &vcpu->fiq_r8_12[n - 8] :
					  &vcpu->usr_r8_12[n - 8];
	}
	if (b == cb)
		return &vcpu->r[n];
	return n == 13 ? &vcpu->bank_sp[b] : &vcpu->bank_lr[b];
}

uint32_t pv_vcpu_get_reg_mode(const struct pv_vcpu *vcpu, uint32_t mode,
			      unsigned n)
{
	/* reg_slot() does not write; the cast keeps one lookup routine. */
	return *reg_slot((struct pv_vcpu *)vcpu, mode, n);
}

void pv_vcpu_set_reg_mode(struct pv_vcpu *vcpu, uint32_t mode, unsigned n,
			  uint32_t value)
{
	*reg_slot(vcpu, mode, n) = value;
}

uint32_t *pv_vcpu_spsr(struct pv_vcpu *vcpu)
{
	enum pv_bank b = cur_bank(vcpu);

	return b == PV_BANK_USR ? NULL : &vcpu->spsr[b];
}

void pv_vcpu_write_cpsr(struct pv_vcpu *vcpu, uint32_t value)
{
	uint32_t mode = value & PV_PSR_M_MASK;

	if (!pv_mode_is_valid(mode))
		mode = vcpu->cpsr & PV_PSR_M_MASK;
	pv_vcpu_set_mode(vcpu, mode);
	vcpu->cpsr = (value & ~PV_PSR_M_MASK) | mode;
}

/*
 * Per exception: target mode, LR offset in ARM and Thumb state (ARM ARM
 * table B1-7) and whether A and F get set. I is always set.
 */
struct exc_info {
	uint8_t mode;
	uint8_t lr_arm, lr_thumb;
	bool set_a, set_f;
};

static bool exc_lookup(enum pv_exception exc, struct exc_info *out)
{
	static const struct exc_info tab[] = {
		[PV_EXC_RESET >> 2] = { PV_MODE_SVC, 0, 0, true, true },
		[PV_EXC_UNDEF >> 2] = { PV_MODE_UND, 4, 2, false, false },
		[PV_EXC_SVC >> 2] = { PV_MODE_SVC, 0, 0, false, false },
		[PV_EXC_PABT >> 2] = { PV_MODE_ABT, 4, 4, true, false },
		[PV_EXC_DABT >> 2] = { PV_MODE_ABT, 8, 8, true, false },
		[PV_EXC_IRQ >> 2] = { PV_MODE_IRQ, 4, 4, true, false },
		[PV_EXC_FIQ >> 2] = { PV_MODE_FIQ, 4, 4, true, true },
	};
	unsigned i = (unsigned)exc >> 2;

	if (((unsigned)exc & 3u) || i >= PV_ARRAY_SIZE(tab) || !tab[i].mode)
		return false;
	*out = tab[i];
	return true;
}

void pv_vcpu_take_exception(struct pv_vcpu *vcpu, enum pv_exception exc,
			    uint32_t return_addr)
{
	uint32_t old = vcpu->cpsr, sctlr = vcpu->cp15.sctlr, cpsr, base;
	struct exc_info e;

	if (!exc_lookup(exc, &e))
		e = (struct exc_info){ PV_MODE_UND, 4, 2, false, false };
	pv_vcpu_set_mode(vcpu, e.mode);
	vcpu->r[14] = return_addr + ((old & PV_PSR_T) ? e.lr_thumb : e.lr_arm);
	vcpu->spsr[pv_mode_bank(e.mode)] = old;

	cpsr = old & ~(PV_PSR_M_MASK | PV_PSR_IT_MASK | PV_PSR_J | PV_PSR_T |
		       PV_PSR_E);
	cpsr |= e.mode | PV_PSR_I;
	/*
	 * Non-secure state without the Virtualization Extensions: A and F are
	 * set only if SCR.AW / SCR.FW allow it. Our virtual firmware runs with
	 * SCR.AW = SCR.FW = 1 (PV_VIRT_SCR), so they are set as on a CPU
	 * without the Security Extensions.
	 */
	if (e.set_a && (PV_VIRT_SCR & PV_SCR_AW))
		cpsr |= PV_PSR_A;
	if (e.set_f && (PV_VIRT_SCR & PV_SCR_FW))
		cpsr |= PV_PSR_F;
	if (sctlr & PV_SCTLR_TE)
		cpsr |= PV_PSR_T;
	if (sctlr & PV_SCTLR_EE)
		cpsr |= PV_PSR_E;
	vcpu->cpsr = cpsr;

	base = (sctlr & PV_SCTLR_V) ? 0xffff0000u : (vcpu->cp15.vbar & ~0x1fu);
	vcpu->r[15] = base + (uint32_t)exc;
	vcpu->wfi = false;
}

void pv_vcpu_inject_abort(struct pv_vcpu *vcpu, bool is_prefetch,
			  uint32_t fsr, uint32_t far, uint32_t insn_addr)
{
	if (is_prefetch) {
		vcpu->cp15.ifsr = fsr;
		vcpu->cp15.ifar = far;
		pv_vcpu_take_exception(vcpu, PV_EXC_PABT, insn_addr);
	} else {
		vcpu->cp15.dfsr = fsr;
		vcpu->cp15.dfar = far;
		pv_vcpu_take_exception(vcpu, PV_EXC_DABT, insn_addr);
	}
}

void pv_vcpu_reset(struct pv_vcpu *vcpu)
{
	struct pv_vm *vm = vcpu->vm;
	unsigned id = vcpu->id;
	struct pv_fast *fast = vcpu->fast;
	uint32_t allow = vcpu->fast_allow;

	pv_memset(vcpu, 0, sizeof(*vcpu));
	vcpu->vm = vm;
	vcpu->id = id;
	/* The backend's registration outlives a reset (PSCI CPU_ON). */
	vcpu->fast = fast;
	vcpu->fast_allow = allow;
	vcpu->cpsr = PV_MODE_SVC | PV_PSR_A | PV_PSR_I | PV_PSR_F;
	pv_cp15_reset(vcpu);
	vcpu->mmu_dirty = true;
}

/* --- VFP ---------------------------------------------------------------- */

/* CPACR.cp10/cp11 access: 0 denied, 1 PL1 only, 3 full. cp11 must match. */
static bool vfp_cpacr_allows(const struct pv_vcpu *vcpu)
{
	uint32_t cp10 = PV_BITS(vcpu->cp15.cpacr, 21, 20);
	uint32_t cp11 = PV_BITS(vcpu->cp15.cpacr, 23, 22);

	/* A cp10/cp11 mismatch is UNPREDICTABLE; treat it as no access. */
	if (cp10 != cp11 || cp10 == 0 || cp10 == 2)
		return false;
	if (!(vcpu->cp15.nsacr & PV_NSACR_CP10_11))
		return false;
	return cp10 == 3 || pv_vcpu_is_privileged(vcpu);
}

bool pv_vcpu_vfp_enabled(const struct pv_vcpu *vcpu)
{
	return vfp_cpacr_allows(vcpu) && (vcpu->vfp.fpexc & PV_FPEXC_EN);
}

int pv_vfp_sysreg_read(struct pv_vcpu *vcpu, unsigned reg, uint32_t *val)
{
	if (!vfp_cpacr_allows(vcpu))
		return PV_EUNDEF;
	/* Only FPSCR is accessible at PL0; it also needs FPEXC.EN. */
	if (reg == PV_VFP_FPSCR) {
		if (!(vcpu->vfp.fpexc & PV_FPEXC_EN))
			return PV_EUNDEF;
		*val = vcpu->vfp.fpscr;
		return 0;
	}
	if (!pv_vcpu_is_privileged(vcpu))
		return PV_EUNDEF;
	switch (reg) {
	case PV_VFP_FPSID:
		*val = PV_A9_FPSID;
		return 0;
	case PV_VFP_MVFR0:
		*val = PV_A9_MVFR0;
		return 0;
	case PV_VFP_MVFR1:
		*val = PV_A9_MVFR1;
		return 0;
	case PV_VFP_FPEXC:
		*val = vcpu->vfp.fpexc;
		return 0;
	default:
		/* FPINST/FPINST2 do not exist: the A9 never traps VFP exceptions. */
		return PV_EUNDEF;
	}
}

int pv_vfp_sysreg_write(struct pv_vcpu *vcpu, unsigned reg, uint32_t *val)
{
	if (!vfp_cpacr_allows(vcpu))
		return PV_EUNDEF;
	if (reg == PV_VFP_FPSCR) {
		if (!(vcpu->vfp.fpexc & PV_FPEXC_EN))
			return PV_EUNDEF;
		vcpu->vfp.fpscr = *val & PV_FPSCR_MASK;
		return 0;
	}
	if (!pv_vcpu_is_privileged(vcpu))
		return PV_EUNDEF;
	switch (reg) {
	case PV_VFP_FPSID:
		/* Writes to FPSID are ignored (it is read-only on VFPv3). */
		return 0;
	case PV_VFP_FPEXC:
		/* EX is RAZ/WI on the A9 (no asynchronous VFP exceptions). */
		vcpu->vfp.fpexc = *val & PV_FPEXC_EN;
		return 0;
	default:
		/* MVFR0/1 are read-only: VMSR to them is UNDEFINED. */
		return PV_EUNDEF;
	}
}

/* --- interrupt inputs ----------------------------------------------------- */

void pv_vcpu_kick(struct pv_vcpu *vcpu)
{
	const struct pv_backend_ops *ops = vcpu->vm ? vcpu->vm->cfg.ops : NULL;

	if (ops && ops->kick)
		ops->kick(vcpu->vm->cfg.ctx, vcpu->id);
}

void pv_vcpu_set_lines(struct pv_vcpu *vcpu, bool irq, bool fiq)
{
	/* Only a rising input is news to a core that sleeps or runs guest
	 * code: a level already high was seen when it rose. */
	bool rose = (irq && !vcpu->irq_line) || (fiq && !vcpu->fiq_line);

	vcpu->irq_line = irq;
	vcpu->fiq_line = fiq;
	if (rose)
		pv_vcpu_kick(vcpu);
}
