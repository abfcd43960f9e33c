/* SPDX-License-Identifier: MIT */
/*
 * The trap path's translation caches (struct pv_itlb): instruction fetches
 * here, and the data accesses of emulated instructions (an LDM ^ of the
 * user registers on every return to user is 15 words, each a full walk).
 *
 * Every emulated instruction is first read at the guest PC, and a guest
 * walk plus a memory-map lookup were half of a patched trap's cost. The
 * cache holds the guest translation of recently trapping code pages, as a
 * hardware TLB may: an entry is used only under the regime it was walked
 * in (SCTLR, TTBRs, TTBCR, CONTEXTIDR), at the same privilege and with the
 * same DACR field for its domain, so its permission outcome is the walk's;
 * any guest TLB maintenance operation empties it. Guest writes to the
 * code itself are seen, because the cache keeps a pointer to the page,
 * never its contents. Only RAM pages are cached; anything else takes the
 * full path in guest_mem.c, which also reports the faults.
 */
#include "memmap.h"
#include "mmu.h"
#include "vm_state.h"

#include "pv_internal.h"

static bool regime_is(const struct pv_regime *r, const struct pv_cp15 *c)
{
	return r->sctlr == c->sctlr && r->ttbr0 == c->ttbr0 &&
	       r->ttbr1 == c->ttbr1 && r->ttbcr == c->ttbcr &&
	       r->contextidr == c->contextidr;
}

static void sync_regime(struct pv_vcpu *vcpu)
{
	struct pv_itlb *t = &vcpu->itlb;
	const struct pv_cp15 *c = &vcpu->cp15;
	uint32_t gen;

	if (regime_is(&t->regime, c) &&
	    t->tlbi_gen == vcpu->vm->shadow.tlbi_gen)
		return;
	/* Every trap after a guest TLB operation gets here: a new tag, not a
	 * clear of both caches (some 150 stores on the guest's trap path). */
	gen = t->gen + 1;
	if (!(uint16_t)gen) {
		pv_memset(t->ent, 0, sizeof(t->ent));
		pv_memset(t->dent, 0, sizeof(t->dent));
		gen++;
	}
	t->gen = gen;
	t->regime = (struct pv_regime){ c->sctlr, c->ttbr0, c->ttbr1, c->ttbcr,
					c->contextidr };
	t->tlbi_gen = vcpu->vm->shadow.tlbi_gen;
}

/* Filled in the current regime (see struct pv_itlb). */
static bool live(const struct pv_itlb *t, const struct pv_tlb_ent *e)
{
	return (e->va_page & 1u) && e->gen == (uint16_t)t->gen;
}

static uint32_t dacr_field(const struct pv_vcpu *vcpu, unsigned domain)
{
	return (vcpu->cp15.dacr >> (2 * domain)) & 3u;
}

/*
 * The host address of the @size bytes at guest-virtual @va for an
 * instruction fetch, or NULL when the caller must take the full path
 * (a miss on a page that is not RAM, a fault, or bytes crossing a page).
 */
const uint8_t *pv_itlb_fetch(struct pv_vcpu *vcpu, uint32_t va, unsigned size)
{
	struct pv_itlb *t = &vcpu->itlb;
	uint32_t page = va & 0xfffff000u;
	unsigned i = (va >> 12) % PV_ITLB_ENTRIES;
	bool priv = pv_vcpu_is_privileged(vcpu);
	const uint8_t *hva;
	struct pv_walk w;
	struct pv_fault f;

	/* Window addresses take the full path, which refuses them. */
	if ((va & 0xfffu) + size > 0x1000u ||
	    va - vcpu->vm->cfg.window_base < vcpu->vm->cfg.window_size)
		return NULL;
	sync_regime(vcpu);
	if (t->ent[i].va_page == (page | 1u) && live(t, &t->ent[i]) &&
	    t->ent[i].key == priv &&
	    dacr_field(vcpu, t->ent[i].domain) == t->ent[i].dacr_field)
		return t->ent[i].page + (va & 0xfffu);
	if (pv_mmu_translate(vcpu, pv_gva(va), PV_ACC_EXEC, &w, &f))
		return NULL;
	hva = pv_memmap_ram_hva(&vcpu->vm->map,
				pv_gpa(pv_gpa_val(w.pa) & ~(uint64_t)0xfff), 0x1000);
	if (!hva)
		return NULL;
	t->ent[i].va_page = page | 1u;
	t->ent[i].page = (uint8_t *)hva;
	t->ent[i].domain = w.domain;
	t->ent[i].dacr_field = (uint8_t)dacr_field(vcpu, w.domain);
	t->ent[i].key = priv;
	t->ent[i].gen = (uint16_t)t->gen;
	return hva + (va & 0xfffu);
}

bool pv_itlb_fetch_word(struct pv_vcpu *vcpu, uint32_t va, uint32_t *w)
{
	const uint8_t *p = pv_itlb_fetch(vcpu, va, 4);

	if (!p)
		return false;
	*w = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	     (uint32_t)p[3] << 24;
	return true;
}

/* What a data walk checked: the effective privilege and the access kind. */
static uint8_t data_key(const struct pv_vcpu *vcpu, unsigned acc)
{
	bool priv = !(acc & PV_ACC_USER) && pv_vcpu_is_privileged(vcpu);

	return (uint8_t)(priv | ((acc & PV_ACC_WRITE) ? 2u : 0u));
}

static unsigned data_slot(uint32_t va, unsigned acc)
{
	return ((va >> 12) ^ ((acc & PV_ACC_WRITE) ? 1u : 0u)) % PV_DTLB_ENTRIES;
}

const struct pv_tlb_ent *pv_dtlb_find(struct pv_vcpu *vcpu, uint32_t va,
				      unsigned size, unsigned acc)
{
	struct pv_itlb *t = &vcpu->itlb;
	const struct pv_tlb_ent *e = &t->dent[data_slot(va, acc)];

	/* Only plain loads and stores: no fetches, no maintenance by VA. */
	if ((acc & ~(unsigned)(PV_ACC_WRITE | PV_ACC_USER)) ||
	    (va & 0xfffu) + size > 0x1000u)
		return NULL;
	sync_regime(vcpu);
	if (e->va_page != ((va & 0xfffff000u) | 1u) || !live(t, e) ||
	    e->key != data_key(vcpu, acc) ||
	    dacr_field(vcpu, e->domain) != e->dacr_field)
		return NULL;
	return e;
}

void pv_dtlb_fill(struct pv_vcpu *vcpu, uint32_t va, unsigned acc,
		  unsigned domain, bool global, uint8_t *page, uint64_t gpa)
{
	struct pv_itlb *t = &vcpu->itlb;
	struct pv_tlb_ent *e = &t->dent[data_slot(va, acc)];
	const struct pv_vm_config *cfg = &vcpu->vm->cfg;

	/*
	 * Nothing in the VMM window's range: the trap path reports a guest
	 * mapping there (PV_EWINDOW) and must keep seeing it.
	 */
	if ((acc & ~(unsigned)(PV_ACC_WRITE | PV_ACC_USER)) ||
	    va - cfg->window_base < cfg->window_size)
		return;
	sync_regime(vcpu);
	e->va_page = (va & 0xfffff000u) | 1u;
	e->page = page;
	e->gpa_page = gpa & ~(uint64_t)0xfff;
	e->domain = (uint8_t)domain;
	e->dacr_field = (uint8_t)dacr_field(vcpu, domain);
	e->key = data_key(vcpu, acc);
	e->global = global;
	e->gen = (uint16_t)t->gen;
}

/* A privileged read that reached the device page @gpa_page through a
 * global mapping, still valid. */
static bool kernel_device_ent(const struct pv_vcpu *vcpu,
			      const struct pv_tlb_ent *e, uint64_t gpa_page)
{
	return live(&vcpu->itlb, e) && !e->page && e->gpa_page == gpa_page &&
	       e->key == 1u && e->global &&
	       dacr_field(vcpu, e->domain) == e->dacr_field;
}

const struct pv_tlb_ent *pv_dtlb_kernel_device(struct pv_vcpu *vcpu,
					       uint64_t gpa_page, uint32_t hint)
{
	struct pv_itlb *t = &vcpu->itlb;
	unsigned first = data_slot(hint, PV_ACC_READ);

	sync_regime(vcpu);
	/* The hint's slot first: the mapping seldom moves. */
	for (unsigned n = 0; n < PV_DTLB_ENTRIES; n++) {
		const struct pv_tlb_ent *e = &t->dent[(first + n) % PV_DTLB_ENTRIES];

		if (kernel_device_ent(vcpu, e, gpa_page))
			return e;
	}
	return NULL;
}

void pv_dtlb_keep(struct pv_vcpu *vcpu, const struct pv_tlb_ent *e,
		  struct pv_tlb_keep *k)
{
	k->ent = *e;
	k->regime = vcpu->itlb.regime;
}

bool pv_dtlb_restore(struct pv_vcpu *vcpu, const struct pv_tlb_keep *k)
{
	struct pv_itlb *t = &vcpu->itlb;
	struct pv_tlb_ent *e;

	if (!(k->ent.va_page & 1u) || !k->ent.global ||
	    !regime_is(&k->regime, &vcpu->cp15) ||
	    dacr_field(vcpu, k->ent.domain) != k->ent.dacr_field)
		return false;
	sync_regime(vcpu);
	e = &t->dent[data_slot(k->ent.va_page, k->ent.key & 2u ? PV_ACC_WRITE : 0)];
	*e = k->ent;
	e->gen = (uint16_t)t->gen;
	return true;
}
