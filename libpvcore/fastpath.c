/* SPDX-License-Identifier: MIT */
/*
 * The backend's system-call fast path (pvcore/fastpath.h): what the core
 * hands it at each resume, and taking back what it did at the next entry.
 */
#include <pvcore/error.h>
#include <pvcore/fastpath.h>
#include <pvcore/patch.h>
#include <pvcore/pvpage.h>

#include "a9_timers.h"
#include "fast.h"
#include "itlb.h"
#include "mmu.h"
#include "shadow.h"
#include "stats.h"
#include "vm_state.h"

#include "pv_internal.h"

#define OFF(f) __builtin_offsetof(struct pv_fast, f)
_Static_assert(OFF(flags) == PV_FAST_FLAGS, "fastpath.h");
_Static_assert(OFF(cpsr) == PV_FAST_CPSR, "fastpath.h");
_Static_assert(OFF(svc_vector) == PV_FAST_SVC_VECTOR, "fastpath.h");
_Static_assert(OFF(svc_psr) == PV_FAST_SVC_PSR, "fastpath.h");
_Static_assert(OFF(k_ttbr0) == PV_FAST_K_TTBR0, "fastpath.h");
_Static_assert(OFF(k_asid) == PV_FAST_K_ASID, "fastpath.h");
_Static_assert(OFF(u_ttbr0) == PV_FAST_U_TTBR0, "fastpath.h");
_Static_assert(OFF(u_asid) == PV_FAST_U_ASID, "fastpath.h");
_Static_assert(OFF(dacr) == PV_FAST_DACR, "fastpath.h");
_Static_assert(OFF(svc_sp) == PV_FAST_SVC_SP, "fastpath.h");
_Static_assert(OFF(svc_lr) == PV_FAST_SVC_LR, "fastpath.h");
_Static_assert(OFF(spsr_svc) == PV_FAST_SPSR_SVC, "fastpath.h");
_Static_assert(OFF(n_svc) == PV_FAST_N_SVC, "fastpath.h");
_Static_assert(OFF(n_eret) == PV_FAST_N_ERET, "fastpath.h");
_Static_assert(OFF(n_psr) == PV_FAST_N_PSR, "fastpath.h");
_Static_assert(OFF(gt_clock_ns) == PV_FAST_GT_CLOCK_NS, "fastpath.h");
_Static_assert(OFF(gt_va) == PV_FAST_GT_VA, "fastpath.h");
_Static_assert(OFF(gt_off_lo) == PV_FAST_GT_OFF_LO, "fastpath.h");
_Static_assert(OFF(gt_off_hi) == PV_FAST_GT_OFF_HI, "fastpath.h");
_Static_assert(OFF(n_gt) == PV_FAST_N_GT, "fastpath.h");
_Static_assert(OFF(fpexc) == PV_FAST_FPEXC, "fastpath.h");
_Static_assert(OFF(n_vfp) == PV_FAST_N_VFP, "fastpath.h");
_Static_assert(OFF(n_cp15w) == PV_FAST_N_CP15W, "fastpath.h");
_Static_assert(OFF(dacr_free) == PV_FAST_DACR_FREE, "fastpath.h");
_Static_assert(OFF(dacr_host_or) == PV_FAST_DACR_HOST_OR, "fastpath.h");
_Static_assert(OFF(ttbr1) == PV_FAST_TTBR1, "fastpath.h");
_Static_assert(OFF(n_cp15r) == PV_FAST_N_CP15R, "fastpath.h");
_Static_assert(OFF(xret_imask) == PV_FAST_XRET_IMASK, "fastpath.h");
_Static_assert(OFF(xret_sp) == PV_FAST_XRET_SP, "fastpath.h");
_Static_assert(OFF(xret_lr) == PV_FAST_XRET_LR, "fastpath.h");
_Static_assert(OFF(xret_spsr) == PV_FAST_XRET_SPSR, "fastpath.h");
_Static_assert(OFF(n_xret) == PV_FAST_N_XRET, "fastpath.h");
_Static_assert(OFF(ctx_ttbr0) == PV_FAST_CTX_TTBR0, "fastpath.h");
_Static_assert(OFF(ctx_contextidr) == PV_FAST_CTX_CONTEXTIDR, "fastpath.h");
_Static_assert(OFF(ctx_mask) == PV_FAST_CTX_MASK, "fastpath.h");
_Static_assert(OFF(ctx_space) == PV_FAST_CTX_SPACE, "fastpath.h");
_Static_assert(OFF(n_ctx) == PV_FAST_N_CTX, "fastpath.h");
_Static_assert(OFF(n_chain) == PV_FAST_N_CHAIN, "fastpath.h");
_Static_assert(OFF(tpidruro_k) == PV_FAST_TPIDRURO_K, "fastpath.h");
_Static_assert(OFF(ctx_tab) == PV_FAST_CTX_TAB, "fastpath.h");
_Static_assert(OFF(pf_pte) == PV_FAST_PF_PTE, "fastpath.h");
_Static_assert(OFF(pf_l1) == PV_FAST_PF_L1, "fastpath.h");
_Static_assert(OFF(pf_slot) == PV_FAST_PF_SLOT, "fastpath.h");
_Static_assert(OFF(pf_l1_val) == PV_FAST_PF_L1_VAL, "fastpath.h");
_Static_assert(OFF(pf_lo) == PV_FAST_PF_LO, "fastpath.h");
_Static_assert(OFF(pf_host_lo) == PV_FAST_PF_HOST_LO, "fastpath.h");
_Static_assert(OFF(pf_ram_gpa) == PV_FAST_PF_RAM_GPA, "fastpath.h");
_Static_assert(OFF(pf_ram_last) == PV_FAST_PF_RAM_LAST, "fastpath.h");
_Static_assert(OFF(pf_ram_off) == PV_FAST_PF_RAM_OFF, "fastpath.h");
_Static_assert(OFF(pf_u_ttbr0) == PV_FAST_PF_U_TTBR0, "fastpath.h");
_Static_assert(OFF(pf_dacr) == PV_FAST_PF_DACR, "fastpath.h");
_Static_assert(OFF(n_prefill) == PV_FAST_N_PREFILL, "fastpath.h");
#define EOFF(f) __builtin_offsetof(struct pv_fast_ctx, f)
_Static_assert(EOFF(key) == PV_FAST_CTX_E_KEY, "fastpath.h");
_Static_assert(EOFF(asid) == PV_FAST_CTX_E_ASID, "fastpath.h");
_Static_assert(EOFF(k_ttbr0) == PV_FAST_CTX_E_K_TTBR0, "fastpath.h");
_Static_assert(EOFF(k_asid) == PV_FAST_CTX_E_K_ASID, "fastpath.h");
_Static_assert(EOFF(u_ttbr0) == PV_FAST_CTX_E_U_TTBR0, "fastpath.h");
_Static_assert(EOFF(u_asid) == PV_FAST_CTX_E_U_ASID, "fastpath.h");
_Static_assert(EOFF(part_doms) == PV_FAST_CTX_E_PART_DOMS, "fastpath.h");
_Static_assert(EOFF(stamp) == PV_FAST_CTX_E_STAMP, "fastpath.h");
_Static_assert(EOFF(space) == PV_FAST_CTX_E_SPACE, "fastpath.h");
_Static_assert(EOFF(gt) == PV_FAST_CTX_E_GT, "fastpath.h");
_Static_assert(sizeof(struct pv_fast_ctx) == PV_FAST_CTX_E_SIZE, "fastpath.h");
_Static_assert(PV_BOARD_GT_OFFSET == 0x200u, "fastpath.h: the GT words");
_Static_assert(sizeof(struct pv_fast) == PV_FAST_SIZE, "fastpath.h");
/* The constants the assembly uses, from the core's own definitions. */
_Static_assert(PV_FAST_USER_BITS == PV_PSR_USER_MASK, "fastpath.h");
_Static_assert(PV_FAST_FLAG_BITS ==
		       (PV_PSR_NZCV | PV_PSR_Q | PV_PSR_GE_MASK), "fastpath.h");
_Static_assert(PV_FAST_ERET_SPSR_MASK ==
		       (PV_PSR_M_MASK | PV_PSR_F | PV_PSR_I | PV_PSR_A |
			PV_PSR_E | PV_PSR_IT_MASK | PV_PSR_J | 0x00F00000u),
	       "fastpath.h");
_Static_assert(PV_FAST_XRET_SPSR_MASK ==
		       (PV_PSR_M_MASK | PV_PSR_T | PV_PSR_E | PV_PSR_IT_MASK |
			PV_PSR_J | 0x00F00000u),
	       "fastpath.h");
_Static_assert(PV_FAST_ERET_WORD ==
		       (0xE7F000F0u |
			((PV_SELF_ERET | 0xEu << 9 | PV_SELF_ERET_MOVS << 8) >> 4)
				<< 8),
	       "fastpath.h");

/* The self-describing words, as the fast paths read them (A32, cond AL). */
_Static_assert(PV_FAST_MRS_SPSR_WORD ==
		       (0xE7F000F0u | ((PV_SELF_MISC | 0xEu << 9 |
					PV_SELF_MISC_MRS << 5 | 1u << 4) >> 4) << 8),
	       "fastpath.h");
_Static_assert(PV_FAST_MRS_CPSR_WORD ==
		       (0xE7F000F0u | ((PV_SELF_MISC | 0xEu << 9 |
					PV_SELF_MISC_MRS << 5) >> 4) << 8),
	       "fastpath.h");
_Static_assert(PV_FAST_MSR_SPSR_WORD ==
		       (0xE7F000F0u |
			((PV_SELF_MSR | 0xEu << 9 | 1u << 8 | 0xFu << 4) >> 4) << 8),
	       "fastpath.h");
_Static_assert(PV_FAST_MRS_HOST_BITS ==
		       (PV_PSR_NZCV | PV_PSR_Q | PV_PSR_GE_MASK | PV_PSR_E),
	       "fastpath.h");

/*
 * What the site table lets the fast paths do (see pv_vcpu_set_fast()):
 * they take a word for what it says, the core takes a matching table
 * entry first.
 */
static uint32_t sites_allow(const struct pv_patch_table *t)
{
	uint32_t ok = PV_FAST_SVC_OK | PV_FAST_ERET_OK | PV_FAST_PSR_OK |
		      PV_FAST_GT_OK | PV_FAST_VFP_OK | PV_FAST_BP_OK |
		      PV_FAST_TTBR1_OK | PV_FAST_XRET_OK | PV_FAST_CTX_OK;
	struct pv_patch_site self;
	struct pv_insn in;

	for (uint32_t i = 0; t && t->sites && i < t->count; i++) {
		const struct pv_patch_site *s = &t->sites[i];

		if (s->flags & PV_SITE_THUMB)
			continue; /* an A32 fast path never sees a Thumb word */
		if (pv_decode_arm(s->patched, &in) == 0 && in.cls == PV_IC_SVC)
			ok &= ~(uint32_t)PV_FAST_SVC_OK;
		if (pv_patch_self_decode(s->patched, 0, &self) == 0 &&
		    self.original != s->original)
			ok &= ~(uint32_t)(PV_FAST_ERET_OK | PV_FAST_XRET_OK |
					  PV_FAST_PSR_OK);
	}
	return ok;
}

/*
 * The fast SVC's TPIDRURO guess is safe only where pvpatch proved that
 * the SVC path writes the register before reading it: its entry stub.
 */
static uint32_t stubs_allow(const struct pv_stub_table *t)
{
	for (uint32_t i = 0; t && i < t->count; i++)
		if (t->stubs[i].kind == PV_STUB_MCR_TPIDRURO)
			return PV_FAST_TLS_OK;
	return 0;
}

int pv_vcpu_set_fast(struct pv_vcpu *vcpu, struct pv_fast *fast)
{
	const struct pv_vm_config *cfg = &vcpu->vm->cfg;
	uint64_t at = (uintptr_t)fast;

	if (at & 3u)
		return PV_EINVAL;
	/* The guest must never reach the struct it would steer the VMM by. */
	for (unsigned i = 0; fast && i < cfg->ram_count; i++)
		if (pv_ranges_overlap(at, sizeof(*fast),
				      pv_hva_val(cfg->ram[i].hva), cfg->ram[i].size))
			return PV_EINVAL;
	if (fast && cfg->stubs &&
	    pv_ranges_overlap(at, sizeof(*fast), pv_hva_val(cfg->vcpu_pages.hva),
			      cfg->vcpu_pages.size))
		return PV_EINVAL; /* the vCPU pages are guest-kernel-writable */
	vcpu->fast = fast;
	vcpu->fast_allow = sites_allow(cfg->patch_sites) | stubs_allow(cfg->stubs);
	vcpu->fast_ctx_gen = 0; /* the struct's table is rebuilt */
	vcpu->pf.sent = false;  /* and the prefill's template sent again */
	if (fast)
		pv_memset(fast, 0, sizeof(*fast));
	return 0;
}

/*
 * After a context switch the translation cache starts empty, and the
 * first read of the clock in the new regime would take the core's path.
 * Once per regime, from the guest kernel, walk the address the kernel
 * used before (a speculative walk, as a TLB may make: the walker reads
 * only RAM) and cache it if it still reaches the MPCore page by a global
 * mapping. Not after TLB maintenance that reached that page (the shadow's
 * clock_gen): then the kernel's next read goes through the core. Other
 * maintenance leaves it: a TLBIASID keeps global entries, and fork's
 * flush_tlb_mm() would otherwise send every clock read of the new
 * process's first switches through the core.
 */
static bool gt_walk(struct pv_vcpu *vcpu, uint32_t va, uint64_t page)
{
	struct pv_walk w;
	struct pv_fault flt;

	if (!va || !pv_vcpu_is_privileged(vcpu) ||
	    vcpu->fast_gt_gen == vcpu->itlb.gen ||
	    vcpu->fast_gt_tlbi != vcpu->vm->shadow.clock_gen)
		return false;
	vcpu->fast_gt_gen = vcpu->itlb.gen;
	if (pv_mmu_translate(vcpu, pv_gva(va), PV_ACC_READ, &w, &flt) ||
	    (pv_gpa_val(w.pa) & ~(uint64_t)0xfff) != page || w.ng)
		return false;
	pv_dtlb_fill(vcpu, va, PV_ACC_READ, w.domain, true, NULL,
		     pv_gpa_val(w.pa));
	return true;
}

/*
 * The cache's entry for the clock's page at @want, once the kernel has
 * read the counter through the core (pv_fast_device_read()); before, any.
 */
static const struct pv_tlb_ent *gt_find(struct pv_vcpu *vcpu, uint64_t page,
					uint32_t want)
{
	const struct pv_tlb_ent *e = pv_dtlb_kernel_device(vcpu, page, want);

	if (e && vcpu->fast_gt_seen && (e->va_page & ~1u) != vcpu->fast_gt_seen)
		return NULL;
	return e;
}

void pv_fast_device_read(struct pv_vcpu *vcpu, uint32_t va, unsigned acc,
			 uint64_t gpa)
{
	uint64_t counter = (vcpu->vm->cfg.board->periph_base & ~0xfffull) +
			   0x200u;

	if (!(acc & (PV_ACC_WRITE | PV_ACC_USER)) && (gpa & ~7ull) == counter &&
	    pv_vcpu_is_privileged(vcpu))
		vcpu->fast_gt_seen = va & ~0xfffu;
}

/*
 * The global timer for the fast read: the kernel's own mapping of its
 * page, from the translation cache, and the counter as clock + offset.
 */
static uint32_t gt_fill(struct pv_vcpu *vcpu, struct pv_fast *f,
			bool *clock_ok)
{
	struct pv_vm *vm = vcpu->vm;
	const struct pv_tlb_ent *e;
	uint32_t tick, va, want;
	uint64_t off;

	uint64_t page = vm->cfg.board->periph_base & ~0xfffu;

	*clock_ok = false;
	if (!f->gt_clock_ns ||
	    !pv_a9_gt_linear(&vm->dev.timers, &tick, &off) ||
	    tick != f->gt_clock_ns)
		return 0;
	/* Current whenever the clock is: a fast context switch may turn the
	 * path on again without the core. */
	*clock_ok = true;
	f->gt_off_lo = (uint32_t)off;
	f->gt_off_hi = (uint32_t)(off >> 32);
	want = vcpu->fast_gt_seen ? vcpu->fast_gt_seen : f->gt_va;
	e = gt_find(vcpu, page, want);
	/* Guest TLB maintenance elsewhere (munmap(), fork) empties the
	 * cache: the entry found before comes back, without a walk. */
	if (!e && vcpu->fast_gt_tlbi == vm->shadow.clock_gen &&
	    pv_dtlb_restore(vcpu, &vcpu->fast_gt_keep))
		e = gt_find(vcpu, page, want);
	if (!e && gt_walk(vcpu, want, page))
		e = gt_find(vcpu, page, want);
	if (!e)
		return 0;
	/* Most fills find the entry kept already: no copy then. */
	if (vcpu->fast_gt_tlbi != vm->shadow.clock_gen ||
	    vcpu->fast_gt_keep.ent.va_page != e->va_page ||
	    vcpu->fast_gt_keep.ent.gen != e->gen)
		pv_dtlb_keep(vcpu, e, &vcpu->fast_gt_keep);
	va = e->va_page & ~1u;
	/* The page TLB maintenance must reach to turn this off (ids are
	 * below PV_MAX_VCPUS <= PV_SHADOW_MAX_VCPUS, shadow.c). */
	vm->shadow.clock_va[vcpu->id] = va;
	vcpu->fast_gt_tlbi = vm->shadow.clock_gen;
	f->gt_va = va;
	return PV_FAST_GT_OK;
}

/* FPEXC: only while CPACR and NSACR make FPEXC.EN the whole host enable. */
static uint32_t vfp_fill(struct pv_vcpu *vcpu, struct pv_fast *f)
{
	if ((vcpu->cp15.cpacr & 0x00f00000u) != 0x00f00000u ||
	    !(vcpu->cp15.nsacr & PV_NSACR_CP10_11))
		return 0;
	f->fpexc = vcpu->vfp.fpexc;
	return PV_FAST_VFP_OK;
}

/* The modes a fast stub return leaves: banked SP and LR, no FIQ r8-r12. */
static bool xret_mode(uint32_t mode)
{
	return mode == PV_MODE_ABT || mode == PV_MODE_UND || mode == PV_MODE_IRQ;
}

/* Two words, low first, as fastpath.h gives the hint's addresses. */
static void put_addr(uint32_t w[2], uintptr_t a)
{
	w[0] = (uint32_t)a;
	w[1] = (uint32_t)((uint64_t)a >> 32);
}

static void prefill_fill(struct pv_vcpu *vcpu, struct pv_fast *f)
{
	struct pv_prefill *p = &vcpu->pf;

	/* The template's words stay in the struct until it changes. */
	if (!p->sent) {
		f->pf_lo = p->lo;
		f->pf_host_lo = p->host_lo;
		f->pf_ram_gpa = p->ram_gpa;
		f->pf_ram_last = p->ram_last;
		f->pf_ram_off = p->ram_off;
		f->pf_dacr = p->dacr;
		p->sent = true;
	}
	put_addr(f->pf_l1, p->l1);
	put_addr(f->pf_slot, p->slot);
	f->pf_l1_val = p->l1_val;
	f->pf_u_ttbr0 = f->u_ttbr0; /* the current space's, checked below */
	put_addr(f->pf_pte, p->pte); /* last: it says the rest is there */
}

void pv_fast_fill(struct pv_vcpu *vcpu)
{
	struct pv_fast *f = vcpu->fast;
	uint32_t mode = vcpu->cpsr & PV_PSR_M_MASK, sctlr = vcpu->cp15.sctlr;
	uint32_t ttbr0[PV_VIEW_COUNT], asid[PV_VIEW_COUNT], ok, gt;
	bool lines = vcpu->irq_line || vcpu->fiq_line, clock_ok, ctx, same;
	bool hint;

	/* A hint is for the resume right after the fault that left it. */
	hint = vcpu->pf.hint;
	vcpu->pf.hint = false;
	if (!f)
		return;
	f->pf_pte[0] = f->pf_pte[1] = 0;
	f->n_prefill = 0;
	f->n_svc = f->n_eret = f->n_psr = f->n_gt = f->n_vfp = f->n_cp15w = 0;
	f->n_cp15r = f->n_xret = f->n_ctx = f->n_chain = 0;
	f->ttbr1 = vcpu->cp15.ttbr1;
	f->tpidruro_k = vcpu->tpidruro_k;
	/* The timer, FPEXC, BPIALL and TTBR1 need no vCPU page, no stubs. */
	gt = gt_fill(vcpu, f, &clock_ok);
	f->flags = vcpu->fast_allow & (gt | vfp_fill(vcpu, f) |
				       PV_FAST_BP_OK | PV_FAST_TTBR1_OK);
	if (!vcpu->vpage_live)
		return;
	/* The PSR accesses need the page and the mode, nothing else. */
	f->cpsr = vcpu->cpsr & ~PV_PSR_USER_MASK;
	f->flags |= vcpu->fast_allow & PV_FAST_PSR_OK;
	if (vcpu->wfi || vcpu->stop != PV_STOP_NONE ||
	    (mode != PV_MODE_USR && mode != PV_MODE_SVC && !xret_mode(mode)))
		return;
	/* A line up: only a stub return that keeps it masked (checked there). */
	if (lines && !xret_mode(mode))
		return;
	/*
	 * The host VFP enable must not depend on the mode the paths switch:
	 * it does only with CPACR.cp10 "PL1 only" (Linux grants full access).
	 */
	if (PV_BITS(vcpu->cp15.cpacr, 21, 20) == 1)
		return;
	ctx = !lines && !vcpu->vm->cfg.no_trap_chains &&
	      (vcpu->fast_allow & PV_FAST_CTX_OK);
	same = ctx && pv_shadow_fast_ctx_same(vcpu, f, clock_ok,
					      vcpu->fast_allow & gt);
	/* A context switch may reach a space whose user view never ran. */
	if (ctx && !same)
		pv_shadow_fast_asids(vcpu);
	if (!pv_shadow_fast_views(vcpu, ttbr0, asid))
		return;
	f->svc_vector = ((sctlr & PV_SCTLR_V) ? 0xffff0000u :
						 (vcpu->cp15.vbar & ~0x1fu)) +
			PV_EXC_SVC;
	f->svc_psr = PV_MODE_USR | ((sctlr & PV_SCTLR_TE) ? PV_PSR_T : 0) |
		     ((sctlr & PV_SCTLR_EE) ? PV_PSR_E : 0);
	f->k_ttbr0 = ttbr0[PV_VIEW_KERNEL];
	f->k_asid = asid[PV_VIEW_KERNEL];
	f->u_ttbr0 = ttbr0[PV_VIEW_USER];
	f->u_asid = asid[PV_VIEW_USER];
	f->dacr = vcpu->cp15.dacr;
	f->dacr_free = pv_shadow_fast_dacr(vcpu, &f->dacr_host_or);
	ok = lines ? 0 : PV_FAST_SVC_OK | PV_FAST_ERET_OK;
	/* pvpatch proved the guess safe from the high vectors' SVC. */
	if (!lines && f->svc_vector == 0xffff0000u + PV_EXC_SVC)
		ok |= PV_FAST_TLS_OK;
	if (ctx) {
		f->ctx_ttbr0 = vcpu->cp15.ttbr0;
		f->ctx_contextidr = vcpu->cp15.contextidr;
		if (!same)
			pv_shadow_fast_ctx(vcpu, f, clock_ok,
					   vcpu->fast_allow & gt);
		ok |= PV_FAST_CTX_OK;
	}
	if (mode != PV_MODE_SVC) {
		f->svc_sp = vcpu->bank_sp[PV_BANK_SVC];
		f->svc_lr = vcpu->bank_lr[PV_BANK_SVC];
		f->spsr_svc = vcpu->spsr[PV_BANK_SVC];
	}
	/*
	 * The core's return keeps J and the reserved bits of the old CPSR,
	 * the fast one clears them: never set, but only then the same.
	 */
	if (xret_mode(mode) && !(vcpu->cpsr & (PV_PSR_J | 0x00F00000u))) {
		f->xret_imask = (vcpu->irq_line ? PV_PSR_I : 0) |
				(vcpu->fiq_line ? PV_PSR_F : 0);
		ok |= PV_FAST_XRET_OK;
	}
	f->flags |= vcpu->fast_allow & ok;
	if (hint && (f->flags & PV_FAST_ERET_OK) &&
	    vcpu->vm->shadow.cur[vcpu->id] == vcpu->pf.space)
		prefill_fill(vcpu, f);
}

void pv_fast_sync(struct pv_vcpu *vcpu)
{
	struct pv_fast *f = vcpu->fast;
	struct pv_stats *st = &vcpu->vm->stats;
	uint32_t now;

	if (!f)
		return;
	f->flags = 0; /* until the next resume fills it again */
	f->pf_pte[0] = f->pf_pte[1] = 0; /* the core may change the shadow */
	vcpu->tpidruro_k = f->tpidruro_k;
	if (f->n_prefill) {
		vcpu->vm->shadow.stats.fills_page += f->n_prefill;
		vcpu->vm->shadow.stats.prefills += f->n_prefill;
		f->n_prefill = 0;
	}
	if (f->n_psr | f->n_gt | f->n_vfp | f->n_cp15w | f->n_cp15r) {
		st->traps[PV_TR_CP15_WRITE] += f->n_cp15w;
		st->traps[PV_TR_CP15_READ] += f->n_cp15r;
		st->traps[PV_TR_PSR] += f->n_psr;
		st->events[PV_EV_PATCHED] += f->n_psr;
		st->traps[PV_TR_MMIO_READ] += f->n_gt;
		st->traps[PV_TR_VFP_CTRL] += f->n_vfp;
		if (f->n_vfp)
			vcpu->vfp.fpexc = f->fpexc & PV_FPEXC_EN;
		f->n_psr = f->n_gt = f->n_vfp = f->n_cp15w = f->n_cp15r = 0;
	}
	if (f->n_ctx) {
		/* The MCRs the switches stood for, then the space they chose. */
		vcpu->cp15.ttbr0 = f->ctx_ttbr0;
		vcpu->cp15.contextidr = f->ctx_contextidr;
		pv_shadow_fast_ctx_sync(vcpu, f);
		st->traps[PV_TR_CP15_WRITE] += f->n_ctx;
		st->events[PV_EV_TRAP_CHAIN] += f->n_chain;
		st->events[PV_EV_CHAIN_MCRS] += 2u * f->n_chain;
		f->n_ctx = f->n_chain = 0;
	}
	if (!(f->n_svc | f->n_eret | f->n_xret))
		return;
	/*
	 * A stub return left the mode the core last saw (ABT, UND or IRQ:
	 * the fill set the flag only there) for SVC: that mode's bank and
	 * SPSR are in the struct.
	 */
	if (f->n_xret && xret_mode(vcpu->cpsr & PV_PSR_M_MASK)) {
		enum pv_bank b = pv_mode_bank(vcpu->cpsr & PV_PSR_M_MASK);

		vcpu->bank_sp[b] = f->xret_sp;
		vcpu->bank_lr[b] = f->xret_lr;
		vcpu->spsr[b] = f->xret_spsr;
	}
	/*
	 * The paths end in USR or SVC. In USR the SVC bank is in the struct;
	 * in SVC the user bank and SPSR_svc are in the vCPU page, which
	 * pv_vpage_sync_in() reads next. The live registers are the
	 * backend's, as after any trap.
	 */
	now = (f->cpsr & PV_PSR_M_MASK) == PV_MODE_SVC ? PV_MODE_SVC :
							 PV_MODE_USR;
	if (now == PV_MODE_USR) {
		vcpu->bank_sp[PV_BANK_SVC] = f->svc_sp;
		vcpu->bank_lr[PV_BANK_SVC] = f->svc_lr;
		vcpu->spsr[PV_BANK_SVC] = f->spsr_svc;
	}
	vcpu->cpsr = (vcpu->cpsr & PV_PSR_USER_MASK) |
		     ((f->cpsr & ~(PV_PSR_USER_MASK | PV_PSR_M_MASK)) | now);
	vcpu->vpage_usr = now == PV_MODE_SVC;
	st->traps[PV_TR_SVC] += f->n_svc;
	st->traps[PV_TR_EXC_RETURN] += f->n_eret + f->n_xret;
	st->events[PV_EV_PATCHED] += f->n_eret + f->n_xret;
	f->n_svc = f->n_eret = f->n_xret = 0;
}
