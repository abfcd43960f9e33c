/* SPDX-License-Identifier: MIT */
/*
 * pvcore/fastpath.h's fast SVC, return to user mode, stub return and
 * TPIDRURO write, in C (see fake_fast.h). Only the public headers: the
 * PSR bits are spelled out here as a backend's assembly spells them.
 */
#include <pvcore/pvpage.h>

#include "fake_fast.h"

#define MODE_MASK 0x1fu
#define MODE_USR 0x10u
#define MODE_IRQ 0x12u
#define MODE_SVC 0x13u
#define MODE_ABT 0x17u
#define MODE_UND 0x1bu
#define PSR_T (1u << 5)
#define PSR_F (1u << 6)
#define PSR_I (1u << 7)
#define PSR_A (1u << 8)
#define PSR_J (1u << 24)

#define P(field) page[PV_VPAGE_##field / 4]

bool fake_fast_svc(struct pv_fast *f, volatile uint32_t *page,
		   struct fake_fast_host *h)
{
	if (!(f->flags & PV_FAST_SVC_OK) || (f->cpsr & MODE_MASK) != MODE_USR ||
	    (h->spsr & MODE_MASK) != MODE_USR)
		return false;
	P(SPSR) = (h->spsr & PV_FAST_USER_BITS) | f->cpsr;
	f->cpsr = (f->cpsr & ~(MODE_MASK | PSR_J)) | MODE_SVC | PSR_I;
	P(CPSR) = f->cpsr;
	P(USR_SP) = h->sp;
	P(USR_LR) = h->lr;
	P(USR_BAD) = 0;
	f->svc_lr = h->exc_lr;
	h->sp = f->svc_sp;
	h->lr = f->svc_lr;
	if (f->flags & PV_FAST_TLS_OK)
		h->tpidruro = f->tpidruro_k;
	h->pc = f->svc_vector;
	h->cpsr = (h->spsr & PV_FAST_FLAG_BITS) | f->svc_psr;
	h->ttbr0 = f->k_ttbr0;
	h->asid = f->k_asid;
	f->n_svc++;
	return true;
}

/* A hint's address as fastpath.h gives it: two words, low first. */
static volatile uint32_t *addr(const uint32_t w[2])
{
	return (volatile uint32_t *)(uintptr_t)((uint64_t)w[1] << 32 | w[0]);
}

/* fastpath.h, "Prefill at the fast return", steps a to c. */
static void prefill(struct pv_fast *f, uint32_t dacr, struct fake_fast_host *h)
{
	volatile uint32_t *pte = addr(f->pf_pte), *slot = addr(f->pf_slot);
	uint32_t e;

	if (!pte)
		return;
	f->pf_pte[0] = f->pf_pte[1] = 0;
	if (f->u_ttbr0 != f->pf_u_ttbr0 || dacr != f->pf_dacr ||
	    *addr(f->pf_l1) != f->pf_l1_val)
		return;
	e = *pte;
	if ((e & 0xfffu) != f->pf_lo ||
	    (e & ~0xfffu) - f->pf_ram_gpa > f->pf_ram_last || *slot)
		return;
	*slot = ((e & ~0xfffu) + f->pf_ram_off) | f->pf_host_lo;
	if (h->clean)
		h->clean(h->clean_arg, slot);
	f->n_prefill++;
}

bool fake_fast_eret(struct pv_fast *f, volatile uint32_t *page,
		    struct fake_fast_host *h)
{
	uint32_t x = P(SPSR), d = P(DACR);

	if (!(f->flags & PV_FAST_ERET_OK) || (f->cpsr & MODE_MASK) != MODE_SVC ||
	    (x & PV_FAST_ERET_SPSR_MASK) != MODE_USR ||
	    ((d ^ f->dacr) & ~f->dacr_free) || (d & f->dacr_free & 0xaaaaaaaau))
		return false;
	h->dacr = (d & 0x55555555u) | f->dacr_host_or;
	f->spsr_svc = x;
	f->svc_sp = h->sp;
	f->svc_lr = h->lr;
	h->pc = f->svc_lr & ((x & PSR_T) ? ~1u : ~3u);
	h->sp = P(USR_SP);
	h->lr = P(USR_LR);
	f->cpsr = (f->cpsr & ~(MODE_MASK | PSR_A | PSR_I | PSR_F)) | MODE_USR;
	P(CPSR) = f->cpsr;
	h->tpidruro = P(TPIDRURO);
	prefill(f, d, h);
	h->cpsr = x;
	h->ttbr0 = f->u_ttbr0;
	h->asid = f->u_asid;
	f->n_eret++;
	return true;
}

bool fake_fast_xret(struct pv_fast *f, volatile uint32_t *page,
		    struct fake_fast_host *h)
{
	uint32_t x = P(SPSR), mode = f->cpsr & MODE_MASK;

	if (!(f->flags & PV_FAST_XRET_OK) ||
	    (mode != MODE_ABT && mode != MODE_UND && mode != MODE_IRQ) ||
	    (x & PV_FAST_XRET_SPSR_MASK) != MODE_SVC ||
	    (x & f->xret_imask) != f->xret_imask || P(DACR) != f->dacr)
		return false;
	f->xret_spsr = x;
	f->xret_sp = h->sp;
	f->xret_lr = h->lr;
	h->pc = f->xret_lr & ~3u;
	h->sp = f->svc_sp;
	h->lr = f->svc_lr;
	P(SPSR) = f->spsr_svc;
	f->cpsr = x & ~PV_FAST_USER_BITS;
	P(CPSR) = f->cpsr;
	h->cpsr = (x & PV_FAST_FLAG_BITS) | MODE_USR;
	f->n_xret++;
	return true;
}

void fake_fast_mcr_tpidruro(struct pv_fast *f, volatile uint32_t *page,
			    struct fake_fast_host *h, uint32_t value)
{
	h->tpidruro = value;
	P(TPIDRURO) = value;
	f->tpidruro_k = value;
}
