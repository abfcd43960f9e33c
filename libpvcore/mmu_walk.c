/* SPDX-License-Identifier: MIT */
/*
 * The guest's own MMU: a VMSAv7 short-descriptor walk (no LPAE, no PXN, as on
 * a Cortex-A9), following the order of the Arm ARM pseudocode: walk
 * (external abort, translation, access flag), then domain, then permission
 * (XN included). Manager domains skip the permission check.
 */
#include <pvcore/error.h>
#include "guest_mem.h"
#include "memmap.h"
#include "mmu.h"
#include "vcpu.h"
#include "vm_state.h"
#include "vpage.h"

#include "pv_internal.h"

#define SCTLR_M PV_BIT(0)
#define SCTLR_EE PV_BIT(25)
#define SCTLR_TRE PV_BIT(28)
#define SCTLR_AFE PV_BIT(29)

/* One fault: status, level-dependent encoding chosen by the caller. */
static int fail(struct pv_fault *f, uint32_t va, unsigned acc, unsigned fs,
		unsigned domain)
{
	bool ifetch = (acc & PV_ACC_EXEC) != 0;

	f->fsr = PV_FSR_FS(fs) | ((domain & 0xfu) << 4);
	if (!ifetch && (acc & PV_ACC_WRITE))
		f->fsr |= PV_FSR_WNR;
	f->far = va;
	f->is_prefetch = ifetch;
	return PV_EFAULT;
}

#ifdef PV_TEST_FAULTS
/* Test-only: the walk ignores XN, a fault that only real instruction
 * fetches reveal (ATS does not check XN); the walk oracle must catch it. */
int pv_test_fault_walk;
#endif

/* SCTLR.EE sets the endianness of translation table walks as well as
 * CPSR.E on exception entry. */
static const void *read_desc(const struct pv_memmap *map, uint32_t pa,
			     bool be, uint32_t *d)
{
	const uint8_t *p = pv_memmap_ram_hva(map, pv_gpa(pa), 4);

	if (!p)
		return NULL;
	if (be)
		*d = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		     (uint32_t)p[2] << 8 | (uint32_t)p[3];
	else
		*d = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return p;
}

/*
 * Permissions per AP[2:0] with AFE = 0, as bits: PL1 read, PL1 write, PL0
 * read, PL0 write. 100 is reserved: no access.
 */
enum { P1R = 1, P1W = 2, P0R = 4, P0W = 8 };
static const uint8_t ap_full[8] = {
	0, P1R | P1W, P1R | P1W | P0R, P1R | P1W | P0R | P0W,
	0, P1R, P1R | P0R, P1R | P0R,
};
/* AFE = 1: the simplified model, AP[2:1] only. */
static const uint8_t ap_simple[4] = {
	P1R | P1W, P1R | P1W | P0R | P0W, P1R, P1R | P0R,
};

/* TEX[2:0]:C:B with TRE = 0 (B3.8.2), for TEX[2] == 0. */
struct mt {
	uint8_t type, inner, outer, shareable; /* shareable: 0 from S, 1 yes, 2 no */
};
static const struct mt tex_table[16] = {
	/* TEX=000 */ { PV_MT_STRONGLY_ORDERED, 0, 0, 1 }, { PV_MT_DEVICE, 0, 0, 1 },
			{ PV_MT_NORMAL, 2, 2, 0 }, { PV_MT_NORMAL, 3, 3, 0 },
	/* TEX=001 */ { PV_MT_NORMAL, 0, 0, 0 }, { PV_MT_NORMAL, 0, 0, 0 },
			{ PV_MT_NORMAL, 0, 0, 0 }, { PV_MT_NORMAL, 1, 1, 0 },
	/* TEX=010 */ { PV_MT_DEVICE, 0, 0, 2 }, { PV_MT_DEVICE, 0, 0, 2 },
			{ PV_MT_DEVICE, 0, 0, 2 }, { PV_MT_DEVICE, 0, 0, 2 },
	/* TEX=011 (reserved) */ { PV_MT_NORMAL, 0, 0, 0 }, { PV_MT_NORMAL, 0, 0, 0 },
			{ PV_MT_NORMAL, 0, 0, 0 }, { PV_MT_NORMAL, 0, 0, 0 },
};

static void memtype(const struct pv_mmu_regs *r, unsigned tex, unsigned c,
		    unsigned b, bool s, struct pv_walk *w)
{
	if (r->sctlr & SCTLR_TRE) {
		unsigned n = (tex & 1) << 2 | c << 1 | b;
		unsigned tr = PV_BITS(r->prrr, 2 * n + 1, 2 * n);

		w->inner = w->outer = 0;
		if (tr == 2) {
			w->memtype = PV_MT_NORMAL;
			w->inner = (uint8_t)PV_BITS(r->nmrr, 2 * n + 1, 2 * n);
			w->outer = (uint8_t)PV_BITS(r->nmrr, 2 * n + 17, 2 * n + 16);
			w->shareable = PV_BITS(r->prrr, s ? 19 : 18, s ? 19 : 18);
		} else if (tr == 1) {
			w->memtype = PV_MT_DEVICE;
			w->shareable = PV_BITS(r->prrr, s ? 17 : 16, s ? 17 : 16);
		} else {
			/* 00, and the reserved 11, are Strongly-ordered. */
			w->memtype = PV_MT_STRONGLY_ORDERED;
			w->shareable = true;
		}
		return;
	}
	if (tex & 4) {
		w->memtype = PV_MT_NORMAL;
		w->outer = (uint8_t)(tex & 3);
		w->inner = (uint8_t)(c << 1 | b);
		w->shareable = s;
		return;
	}
	const struct mt *m = &tex_table[(tex & 3) << 2 | c << 1 | b];

	w->memtype = (enum pv_memtype)m->type;
	w->inner = m->inner;
	w->outer = m->outer;
	w->shareable = m->shareable == 1 || (m->shareable == 0 && s);
}

void pv_mmu_regs_from_vcpu(const struct pv_vcpu *vcpu, struct pv_mmu_regs *r)
{
	r->sctlr = vcpu->cp15.sctlr;
	r->ttbr0 = vcpu->cp15.ttbr0;
	r->ttbr1 = vcpu->cp15.ttbr1;
	r->ttbcr = vcpu->cp15.ttbcr;
	r->dacr = vcpu->cp15.dacr;
	r->prrr = vcpu->cp15.prrr;
	r->nmrr = vcpu->cp15.nmrr;
	r->contextidr = vcpu->cp15.contextidr;
	r->privileged = pv_vcpu_is_privileged(vcpu);
}

int pv_mmu_walk(const struct pv_mmu_regs *r, const struct pv_memmap *map,
		pv_gva_t gva, unsigned acc, struct pv_walk *w,
		struct pv_fault *f)
{
	uint32_t va = pv_gva_val(gva), l1, l2 = 0, table, desc_ap;
	const void *l1_at, *l2_at;
	unsigned n = r->ttbcr & 7, domain = 0, dom, tex, c, b, perms;
	bool s, is_page, priv, af, xn, be = r->sctlr & SCTLR_EE;

	PV_ZERO_STRUCT(w);
	w->asid = (uint8_t)r->contextidr;
	if (!(r->sctlr & SCTLR_M)) {
		/* MMU off: flat, Strongly-ordered data, no permission checks. */
		w->pa = pv_gpa(va);
		w->page_size = 0x1000;
		w->memtype = PV_MT_STRONGLY_ORDERED;
		w->shareable = true;
		w->ap = 3;
		w->pl1_read = w->pl1_write = w->pl0_read = w->pl0_write = true;
		w->manager = true;
		return 0;
	}
	if (n && (va >> (32 - n)) != 0) {
		if (r->ttbcr & PV_BIT(5)) /* PD1 */
			return fail(f, va, acc, PV_FS_TRANSL_SECTION, 0);
		table = (r->ttbr1 & 0xffffc000u) | ((va >> 18) & 0x3ffcu);
	} else {
		if (r->ttbcr & PV_BIT(4)) /* PD0 */
			return fail(f, va, acc, PV_FS_TRANSL_SECTION, 0);
		/* TTBR0 base is bits [31:14-N], the index VA[31-N:20]. */
		table = (r->ttbr0 & (0xffffffffu << (14 - n))) |
			((va >> 18) & (0x3ffcu >> n) & ~3u);
	}
	l1_at = read_desc(map, table, be, &l1);
	if (!l1_at)
		return fail(f, va, acc, PV_FS_EXT_WALK_L1, 0);
	w->l1_desc = l1;
	switch (l1 & 3) {
	case 1: /* page table */
		is_page = true;
		domain = PV_BITS(l1, 8, 5);
		table = (l1 & 0xfffffc00u) | ((va >> 10) & 0x3fcu);
		l2_at = read_desc(map, table, be, &l2);
		if (!l2_at)
			return fail(f, va, acc, PV_FS_EXT_WALK_L2, domain);
		if (!(l2 & 3)) {
			f->l1_hva = l1_at;
			f->l2_hva = l2_at;
			f->l1_desc = l1;
			return fail(f, va, acc, PV_FS_TRANSL_PAGE, domain);
		}
		w->l2_desc = l2;
		if (l2 & 2) { /* small page */
			w->pa = pv_gpa((l2 & 0xfffff000u) | (va & 0xfffu));
			w->page_size = 0x1000;
			w->xn = l2 & 1;
			tex = PV_BITS(l2, 8, 6);
		} else { /* large page */
			w->pa = pv_gpa((l2 & 0xffff0000u) | (va & 0xffffu));
			w->page_size = 0x10000;
			w->xn = PV_BITS(l2, 15, 15);
			tex = PV_BITS(l2, 14, 12);
		}
		c = PV_BITS(l2, 3, 3);
		b = PV_BITS(l2, 2, 2);
		desc_ap = PV_BITS(l2, 9, 9) << 2 | PV_BITS(l2, 5, 4);
		s = PV_BITS(l2, 10, 10);
		w->ng = PV_BITS(l2, 11, 11);
		break;
	case 2:
		is_page = false;
		if (l1 & PV_BIT(18)) { /* supersection: domain 0, PA[39:32] */
			w->pa = pv_gpa((uint64_t)PV_BITS(l1, 8, 5) << 36 |
				       (uint64_t)PV_BITS(l1, 23, 20) << 32 |
				       (l1 & 0xff000000u) | (va & 0xffffffu));
			w->page_size = 0x1000000;
		} else {
			domain = PV_BITS(l1, 8, 5);
			w->pa = pv_gpa((l1 & 0xfff00000u) | (va & 0xfffffu));
			w->page_size = 0x100000;
		}
		w->xn = PV_BITS(l1, 4, 4);
		tex = PV_BITS(l1, 14, 12);
		c = PV_BITS(l1, 3, 3);
		b = PV_BITS(l1, 2, 2);
		desc_ap = PV_BITS(l1, 15, 15) << 2 | PV_BITS(l1, 11, 10);
		s = PV_BITS(l1, 16, 16);
		w->ng = PV_BITS(l1, 17, 17);
		break;
	default: /* 00 fault; 11 reserved without PXN/LPAE */
		return fail(f, va, acc, PV_FS_TRANSL_SECTION, 0);
	}
	w->domain = (uint8_t)domain;
	w->ap = (uint8_t)desc_ap;
	memtype(r, tex, c, b, s, w);

	/* The access flag is part of the walk: checked before the domain. */
	af = !(r->sctlr & SCTLR_AFE) || (desc_ap & 1);
	if (!af)
		return fail(f, va, acc,
			    is_page ? PV_FS_AF_PAGE : PV_FS_AF_SECTION, domain);

	dom = PV_BITS(r->dacr, 2 * domain + 1, 2 * domain);
	if ((dom == 0 || dom == 2) && !(acc & PV_ACC_CMO))
		return fail(f, va, acc,
			    is_page ? PV_FS_DOMAIN_PAGE : PV_FS_DOMAIN_SECTION,
			    domain);
	if (dom == 3) {
		w->manager = true;
		w->pl1_read = w->pl1_write = w->pl0_read = w->pl0_write = true;
		return 0;
	}
	perms = (r->sctlr & SCTLR_AFE) ? ap_simple[desc_ap >> 1] :
					 ap_full[desc_ap];
	if (dom == 0 || dom == 2)
		perms = 0; /* CMO on a no-access domain: walk result only */
	w->pl1_read = perms & P1R;
	w->pl1_write = perms & P1W;
	w->pl0_read = perms & P0R;
	w->pl0_write = perms & P0W;
	if (acc & PV_ACC_CMO)
		return 0;
	priv = r->privileged && !(acc & PV_ACC_USER);
	xn = w->xn;
#ifdef PV_TEST_FAULTS
	if (pv_test_fault_walk)
		xn = false;
#endif
	if (!(priv ? w->pl1_read : w->pl0_read) ||
	    ((acc & PV_ACC_WRITE) && !(priv ? w->pl1_write : w->pl0_write)) ||
	    ((acc & PV_ACC_EXEC) && xn))
		return fail(f, va, acc,
			    is_page ? PV_FS_PERM_PAGE : PV_FS_PERM_SECTION,
			    domain);
	return 0;
}

int pv_mmu_translate(struct pv_vcpu *vcpu, pv_gva_t va, unsigned acc,
		     struct pv_walk *out, struct pv_fault *fault)
{
	struct pv_mmu_regs r;

	/* Stub code: mapped for the guest kernel whatever its tables say. */
	if (pv_vpage_translate(vcpu, pv_gva_val(va), acc, out))
		return 0;
	pv_mmu_regs_from_vcpu(vcpu, &r);
	return pv_mmu_walk(&r, &vcpu->vm->map, va, acc, out, fault);
}

/* PAR Inner[2:0] per memory type / inner cacheability (B4.1.112). */
static uint32_t par_inner(const struct pv_walk *w)
{
	static const uint8_t normal[4] = { 0, 5, 6, 7 };

	if (w->memtype == PV_MT_STRONGLY_ORDERED)
		return 1;
	if (w->memtype == PV_MT_DEVICE)
		return 3;
	return normal[w->inner & 3];
}

uint32_t pv_mmu_par(struct pv_vcpu *vcpu, pv_gva_t va, bool write, bool user)
{
	struct pv_walk w;
	struct pv_fault f;
	uint64_t pa;
	uint32_t par;

	if (pv_mmu_translate(vcpu, va, (write ? PV_ACC_WRITE : 0) |
				      (user ? PV_ACC_USER : 0), &w, &f))
		return 1u | PV_BITS(f.fsr, 3, 0) << 1 | PV_BITS(f.fsr, 10, 10) << 5 |
		       PV_BITS(f.fsr, 12, 12) << 6;
	pa = pv_gpa_val(w.pa);
	if (w.page_size == 0x1000000)
		par = ((uint32_t)pa & 0xff000000u) |
		      (uint32_t)((pa >> 32) & 0xff) << 16 | PV_BIT(1);
	else
		par = (uint32_t)pa & 0xfffff000u;
	par |= par_inner(&w) << 4;
	if (w.memtype == PV_MT_NORMAL)
		par |= (uint32_t)(w.outer & 3) << 2;
	if (w.shareable)
		par |= PV_BIT(7);
	return par;
}
