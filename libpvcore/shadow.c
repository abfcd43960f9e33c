/* SPDX-License-Identifier: MIT */
/*
 * Shadow page tables: a software TLB of the guest's short-descriptor tables
 * in the real hardware format. Design and numbers: docs/shadow.md.
 */
#include <pvcore/error.h>
#include <pvcore/fastpath.h>
#include "guest_mem.h"
#include "vm_state.h"
#include "vpage.h"

#include "pv_internal.h"

_Static_assert(PV_MAX_VCPUS <= PV_SHADOW_MAX_VCPUS, "per-vCPU shadow state");

#define L1_ENTRIES 4096u
#define L1_BYTES 16384u
#define L2_BYTES 1024u
/* Per-root metadata words: the used-L1 bitmap, then the 16 MiB "super"
 * bitmap (regions holding supersection fills), a summary word (bit k: the
 * global words 4k..4k+3 may be non-zero), then the global bitmap (L1 slots
 * holding a host section filled from a global guest section). */
#define BM_SUPER (L1_ENTRIES / 32)
#define BM_GSUM (BM_SUPER + 8)
#define BM_GLOBAL (BM_GSUM + 1)
#define ROOT_META (4u * (BM_GLOBAL + L1_ENTRIES / 32)) /* 1060 bytes */
#define SPACE_BYTES (2u * L1_BYTES)
#define NONE UINT32_MAX

/* Metadata word of an L2 slot in use. A free slot holds the next free one. */
#define M_USED PV_BIT(31)
#define M_SECTION PV_BIT(19) /* filled from a guest section or supersection */
#define M_OWNER(space, view, idx) ((space) << 13 | (view) << 12 | (idx))
#define M_OWNER_MASK 0x3ffffu
#define M_STUB PV_BIT(20) /* a pinned stub-area table, every space's */
/* Holds a page a TLBIASID must drop: of a non-global guest mapping, or of
 * a supersection (flush_root() drops its 16 MiB mark). */
#define M_NG PV_BIT(21)

#define SCTLR_M PV_BIT(0)
#define SCTLR_EE PV_BIT(25)
#define SCTLR_TRE PV_BIT(28)
#define SCTLR_AFE PV_BIT(29)
/* The SCTLR bits that change what a descriptor grants: part of the key. */
#define SCTLR_KEY (SCTLR_AFE | SCTLR_TRE | SCTLR_EE)

/* Host descriptor fields (short-descriptor, host TRE = AFE = 0). */
#define S_XN PV_BIT(4)
#define S_APX PV_BIT(15)
#define S_S PV_BIT(16)
#define S_NG PV_BIT(17)
#define P_APX PV_BIT(9)
#define P_S PV_BIT(10)
#define P_NG PV_BIT(11)

static uint8_t *pool(const struct pv_vm *vm, uint32_t off)
{
	return (uint8_t *)pv_hva_ptr(vm->cfg.shadow_pool.hva) + off;
}

static uint32_t *root_l1(const struct pv_vm *vm, const struct pv_shadow_root *rt)
{
	return (uint32_t *)pool(vm, rt->l1_off);
}

static uint32_t *root_bitmap(const struct pv_vm *vm, unsigned s, unsigned view)
{
	return (uint32_t *)pool(vm, vm->shadow.bitmap_off +
					    (2 * s + view) * ROOT_META);
}

static uint32_t *l2_meta(const struct pv_vm *vm, uint32_t slot)
{
	return (uint32_t *)pool(vm, vm->shadow.l2meta_off + 4 * slot);
}

/* Per L2 slot, bit k: line k (entries 8k..8k+7) may hold a non-zero entry.
 * A reused table is zeroed and cleaned only where it was written. */
static uint32_t *l2_dirty(const struct pv_vm *vm, uint32_t slot)
{
	return (uint32_t *)pool(vm, vm->shadow.l2meta_off +
					    4 * (vm->shadow.nl2 + slot));
}

static uint32_t *l2_table(const struct pv_vm *vm, uint32_t slot)
{
	return (uint32_t *)pool(vm, vm->shadow.l2_off + L2_BYTES * slot);
}

static uint64_t l2_hpa(const struct pv_vm *vm, uint32_t slot)
{
	return pv_hpa_val(vm->cfg.shadow_pool.hpa) + vm->shadow.l2_off +
	       (uint64_t)L2_BYTES * slot;
}

/* The L2 slot a page-table descriptor points to, or NONE if foreign. */
static uint32_t l2_slot_of(const struct pv_vm *vm, uint32_t desc)
{
	uint64_t base = pv_hpa_val(vm->cfg.shadow_pool.hpa) + vm->shadow.l2_off;
	uint64_t a = desc & 0xfffffc00u;

	if (a < base || a >= base + (uint64_t)vm->shadow.nl2 * L2_BYTES)
		return NONE;
	return (uint32_t)((a - base) / L2_BYTES);
}

/* A whole MiB of the VMM window: the backend's descriptor, never ours. */
static bool in_window(const struct pv_shadow *sh, uint32_t idx)
{
	return idx - sh->win_first < sh->win_count;
}

static bool is_part(const struct pv_shadow *sh, uint32_t idx)
{
	return idx == sh->win_part_idx;
}

/* One of the stub area's pinned tables: never freed, never the guest's. */
static bool is_stub_slot(const struct pv_shadow *sh, uint32_t slot)
{
	return slot - sh->stub_l2 < sh->stub_mibs;
}

/* The stub MiB @idx of a kernel view with the MMU on: its pinned table. */
static uint32_t stub_slot(const struct pv_vm *vm, unsigned view, bool flat,
			  uint32_t idx)
{
	const struct pv_shadow *sh = &vm->shadow;
	uint32_t mib;

	if (!sh->stub_mibs || flat || view != PV_VIEW_KERNEL)
		return NONE;
	mib = idx - (vm->cfg.stubs->area_va >> 20);
	return mib < sh->stub_mibs ? sh->stub_l2 + mib : NONE;
}

static void clean(struct pv_vm *vm, const void *p, size_t len)
{
	vm->cfg.ops->cache_clean_range(vm->cfg.ctx, pv_hva_from_ptr(p), len);
}

static bool asid_live(const struct pv_shadow *sh, const struct pv_shadow_root *rt)
{
	return rt->asid_gen == sh->asid_gen;
}

/* A space's key, roots, ASIDs or part_doms changed (pv_shadow_fast_ctx()). */
static void ctx_gen_bump(struct pv_shadow *sh)
{
	sh->ctx_gen = sh->ctx_gen + 1 ? sh->ctx_gen + 1 : 1;
}

static void tlb_va(struct pv_vm *vm, const struct pv_shadow_root *rt, uint32_t va)
{
	if (asid_live(&vm->shadow, rt))
		vm->cfg.ops->tlb_inval_va(vm->cfg.ctx, pv_gva(va), rt->asid);
}

static void tlb_asid(struct pv_vm *vm, const struct pv_shadow_root *rt)
{
	if (asid_live(&vm->shadow, rt))
		vm->cfg.ops->tlb_inval_asid(vm->cfg.ctx, rt->asid);
}

/* Page @j of the window's last, partial MiB: its section split up. */
static uint32_t win_page(const struct pv_vm *vm, uint32_t j)
{
	uint32_t s = vm->cfg.window_l1[vm->shadow.win_count];

	if (j >= vm->shadow.win_part_pages)
		return 0;
	return ((s & 0xfff00000u) + (j << 12)) | PV_BITS(s, 4, 4) |
	       PV_BITS(s, 3, 2) << 2 | PV_BITS(s, 11, 10) << 4 |
	       PV_BITS(s, 14, 12) << 6 | PV_BITS(s, 17, 15) << 9 | 2u;
}

static uint32_t win_l1_desc(const struct pv_vm *vm, unsigned s, unsigned view)
{
	uint32_t d = vm->cfg.window_l1[vm->shadow.win_count];

	return (uint32_t)l2_hpa(vm, 2 * s + view) | (d & 0x1e0u) | 1u;
}

/* Drop the guest's pages [j0, j1) from a pinned window table. */
static void clear_part(struct pv_vm *vm, const struct pv_shadow_root *rt,
		       uint32_t slot, uint32_t j0, uint32_t j1)
{
	uint32_t *l2 = l2_table(vm, slot);

	if (j0 == 0 && j1 == 256)
		*l2_meta(vm, slot) &= ~M_SECTION;
	if (j0 < vm->shadow.win_part_pages)
		j0 = vm->shadow.win_part_pages;
	for (uint32_t j = j0; j < j1; j++) {
		if (!l2[j])
			continue;
		l2[j] = 0;
		clean(vm, &l2[j], 4);
		tlb_va(vm, rt, vm->shadow.win_part_idx << 20 | j << 12);
	}
}

static uint8_t root_asid(struct pv_vm *vm, struct pv_shadow_root *rt)
{
	struct pv_shadow *sh = &vm->shadow;

	if (asid_live(sh, rt))
		return rt->asid;
	if (sh->next_asid > sh->asid_last) {
		/* Rollover: every older ASID may be reused from now on. */
		sh->asid_gen = sh->asid_gen + 1 ? sh->asid_gen + 1 : 1;
		sh->next_asid = sh->asid_first;
		sh->stats.asid_rollovers++;
		vm->cfg.ops->tlb_inval_all(vm->cfg.ctx);
	}
	rt->asid = (uint8_t)sh->next_asid++;
	rt->asid_gen = sh->asid_gen;
	ctx_gen_bump(sh);
	return rt->asid;
}

/*
 * Empty a table taken from the free list: the lines its previous owner
 * wrote, zeroed and cleaned (a walker that does not snoop the cache would
 * otherwise read that owner's descriptors through the entries left), and
 * no more: a fault on a fresh MiB mostly finds one line to clear, not 32.
 */
static void zero_dirty_lines(struct pv_vm *vm, uint32_t slot)
{
	uint32_t *l2 = l2_table(vm, slot), *dirty = l2_dirty(vm, slot);
	uint32_t bits = *dirty, lo, hi;

	if (!bits)
		return;
	lo = (uint32_t)__builtin_ctz(bits);
	hi = 32u - (uint32_t)__builtin_clz(bits);
	while (bits) {
		uint32_t k = (uint32_t)__builtin_ctz(bits);

		bits &= bits - 1;
		pv_zero_small(&l2[8 * k], 32);
	}
	*dirty = 0;
	/* One clean for the span: cleaning an unchanged line is harmless. */
	clean(vm, &l2[8 * lo], 32 * (hi - lo));
}

static void l2_free(struct pv_vm *vm, uint32_t slot)
{
	*l2_meta(vm, slot) = vm->shadow.l2_free;
	vm->shadow.l2_free = slot;
	vm->shadow.l2_used--;
}

/*
 * Empty one root. @retire drops its ASID (it is never reused before the
 * next rollover, which flushes the host TLB) instead of invalidating it.
 * @keep_global keeps the sections filled from global guest sections (a
 * guest TLBIASID does not affect global entries).
 */
static void flush_root(struct pv_vm *vm, unsigned s, unsigned view, bool retire,
		       bool keep_global)
{
	struct pv_shadow_root *rt = &vm->shadow.space[s].root[view];
	uint32_t *l1 = root_l1(vm, rt), *bm = root_bitmap(vm, s, view);
	uint32_t sum = 0, lo = L1_ENTRIES, hi = 0;
	bool any = false;

	for (unsigned w = 0; w < BM_GSUM; w++) {
		uint32_t bits = bm[w], keep;

		if (!bits)
			continue;
		if (w >= BM_SUPER) {
			bm[w] = 0; /* the 16 MiB "super" bits */
			continue;
		}
		/* Global-origin sections never come from a supersection, so
		 * the super bits may go while they stay. */
		keep = keep_global ? bm[BM_GLOBAL + w] : 0;
		bm[w] = bm[BM_GLOBAL + w] = keep;
		sum |= keep ? PV_BIT(w / 4) : 0;
		bits &= ~keep;
		any |= bits != 0;
		while (bits) {
			uint32_t idx = w * 32 + (uint32_t)__builtin_ctz(bits);
			uint32_t slot;

			bits &= bits - 1;
			if (is_part(&vm->shadow, idx)) {
				/* The pinned window table stays; the guest's go. */
				clear_part(vm, rt, 2 * s + view, 0, 256);
				continue;
			}
			if ((l1[idx] & 3) == 1) {
				slot = l2_slot_of(vm, l1[idx]);
				/*
				 * A TLBIASID leaves global entries: tables of
				 * global pages only, and the stub area's,
				 * stay linked (Linux's vmap stacks and
				 * modules after fork's flush_tlb_mm()).
				 */
				if (keep_global && slot != NONE &&
				    (is_stub_slot(&vm->shadow, slot) ||
				     !(*l2_meta(vm, slot) & M_NG))) {
					bm[w] |= PV_BIT(idx % 32);
					continue;
				}
				if (slot != NONE && !is_stub_slot(&vm->shadow, slot))
					l2_free(vm, slot);
			}
			l1[idx] = 0;
			lo = idx < lo ? idx : lo;
			hi = idx + 1;
		}
	}
	bm[BM_GSUM] = sum;
	if (!any)
		return;
	/* The span of entries unlinked, not all 16 KiB: a TLBIASID after
	 * fork and every eviction come here (a partial MiB cleans itself). */
	if (lo < hi)
		clean(vm, &l1[lo], 4 * (hi - lo));
	if (retire) {
		rt->asid_gen = 0;
		ctx_gen_bump(&vm->shadow);
	} else {
		tlb_asid(vm, rt);
	}
}

static void flush_space(struct pv_vm *vm, unsigned s, bool retire,
			bool keep_global)
{
	flush_root(vm, s, PV_VIEW_KERNEL, retire, keep_global);
	flush_root(vm, s, PV_VIEW_USER, retire, keep_global);
	vm->shadow.space[s].part_doms = 0;
}

void pv_shadow_flush_all(struct pv_vm *vm)
{
	for (unsigned s = 0; s < vm->shadow.nspaces; s++)
		if (vm->shadow.space[s].in_use)
			flush_space(vm, s, false, false);
	vm->shadow.mgr_filled = 0;
	vm->shadow.win_guest_doms = 0;
	vm->shadow.stats.full_flushes++;
}

static void evict_space(struct pv_vm *vm, unsigned s)
{
	struct pv_shadow *sh = &vm->shadow;

	flush_space(vm, s, true, false);
	sh->space[s].root[0].asid_gen = sh->space[s].root[1].asid_gen = 0;
	sh->space[s].in_use = false;
	ctx_gen_bump(sh);
	for (unsigned v = 0; v < PV_SHADOW_MAX_VCPUS; v++)
		if (sh->cur[v] == s)
			sh->cur[v] = PV_SHADOW_NO_SPACE;
	sh->stats.evictions++;
}

/* How many vCPUs space @s is the current one of. */
static unsigned space_users(const struct pv_shadow *sh, unsigned s)
{
	unsigned n = 0;

	for (unsigned v = 0; v < PV_SHADOW_MAX_VCPUS; v++)
		n += sh->cur[v] == s;
	return n;
}

static bool space_is_current(const struct pv_shadow *sh, unsigned s)
{
	return space_users(sh, s) != 0;
}

/*
 * The least recently used space other than @keep, or NONE. Spaces another
 * vCPU is current in go last: a backend may run that vCPU on another host
 * core right now, on this space's roots, and an evicted root is refilled
 * for another space (backend.h, "Threading"). Only when every other space
 * is someone's current one (a pool of fewer spaces than vCPUs) is one of
 * them taken.
 */
static uint32_t lru_victim(const struct pv_shadow *sh, unsigned keep)
{
	uint32_t best = NONE;

	for (unsigned pass = 0; pass < 2 && best == NONE; pass++) {
		for (unsigned s = 0; s < sh->nspaces; s++) {
			if (s == keep || !sh->space[s].in_use ||
			    (!pass && space_is_current(sh, s)))
				continue;
			if (best == NONE ||
			    sh->space[s].last_use < sh->space[best].last_use)
				best = s;
		}
	}
	return best;
}

/* Pop a zeroed L2 slot, evicting when empty. Never fails. */
static uint32_t l2_alloc(struct pv_vm *vm, unsigned cur)
{
	struct pv_shadow *sh = &vm->shadow;
	uint32_t slot, victim;

	while (sh->l2_free == NONE) {
		victim = lru_victim(sh, cur);
		if (victim == NONE) {
			/*
			 * Only the current space holds tables: start it over.
			 * Its ASID is retired (no TLB maintenance) unless
			 * another vCPU runs in it too: that one may be running
			 * on another host core under the old ASID until its
			 * next trap, and the guest's later TLB maintenance
			 * would reach only the new one. Then the ASID stays
			 * and is invalidated.
			 */
			flush_space(vm, cur, space_users(sh, cur) < 2, false);
			sh->stats.l2_reclaims++;
		} else {
			evict_space(vm, victim);
		}
	}
	slot = sh->l2_free;
	sh->l2_free = *l2_meta(vm, slot);
	sh->l2_used++;
	zero_dirty_lines(vm, slot);
	return slot;
}

/* Bit 2d set where domain d is Manager (0b11). */
static uint32_t manager_bits(uint32_t dacr)
{
	return dacr & dacr >> 1 & 0x55555555u;
}

/*
 * The key's DACR for a guest DACR. A fill in a Manager domain has Manager's
 * rights, and the window's domains are client in every host DACR, so vCPUs
 * may share roots only if they agree on both; every other domain reads as
 * client (its fills used the AP bits; the host DACR hides what a vCPU
 * denies). Linux never uses Manager nor the window's domain: one key.
 */
static uint32_t key_dacr(const struct pv_shadow *sh, uint32_t dacr)
{
	uint32_t m = manager_bits(dacr);

	return m | m << 1 | (0x55555555u & ~sh->win_dom_mask) |
	       (dacr & sh->win_dom_mask);
}

static void key_of(const struct pv_vcpu *v, struct pv_shadow_space *k)
{
	unsigned n = v->cp15.ttbcr & 7;

	k->flat = !(v->cp15.sctlr & SCTLR_M);
	k->ttbr0 = k->flat ? 0 : v->cp15.ttbr0 & (0xffffffffu << (14 - n));
	k->ttbr1 = k->flat || !n ? 0 : v->cp15.ttbr1 & 0xffffc000u;
	k->ttbcr = k->flat ? 0 : v->cp15.ttbcr & 0x37u;
	k->asid = k->flat ? 0 : (uint8_t)v->cp15.contextidr;
	/* MMU off: no descriptor, so no regime to tell apart. */
	k->dacr = k->flat ? 0 : key_dacr(&v->vm->shadow, v->cp15.dacr);
	k->sctlr = k->flat ? 0 : v->cp15.sctlr & SCTLR_KEY;
	k->prrr = k->sctlr & SCTLR_TRE ? v->cp15.prrr : 0;
	k->nmrr = k->sctlr & SCTLR_TRE ? v->cp15.nmrr : 0;
}

static bool same_key(const struct pv_shadow_space *a,
		     const struct pv_shadow_space *b)
{
	return a->flat == b->flat && a->ttbr0 == b->ttbr0 &&
	       a->ttbr1 == b->ttbr1 && a->ttbcr == b->ttbcr &&
	       a->asid == b->asid && a->dacr == b->dacr && a->sctlr == b->sctlr &&
	       a->prrr == b->prrr && a->nmrr == b->nmrr;
}

/* The same key but for TTBR0 and the ASID: a fill reads a descriptor alike. */
static bool same_regime(const struct pv_shadow_space *a,
			const struct pv_shadow_space *b)
{
	return !a->flat && !b->flat && a->ttbr1 == b->ttbr1 &&
	       a->ttbcr == b->ttbcr && a->dacr == b->dacr &&
	       a->sctlr == b->sctlr && a->prrr == b->prrr && a->nmrr == b->nmrr;
}

/* Host pointer to @sp's guest TTBR0 table (16 KiB >> N), or NULL. */
static const uint32_t *ttbr0_table(const struct pv_vm *vm,
				   const struct pv_shadow_space *sp)
{
	return pv_memmap_ram_hva(&vm->map, pv_gpa(sp->ttbr0),
				 L1_BYTES >> (sp->ttbcr & 7));
}

/*
 * Copy into the new, empty root (@s, @view) the global-origin sections of
 * root (@d, @view) whose guest L1 descriptor is the same word in both
 * spaces' tables (@mine, @theirs: the TTBR0 tables, below index @lim; the
 * TTBR1 table is the same one). A fill here would make the very same host
 * descriptor (same descriptor, regime and view), and a global TLB entry may
 * serve any ASID and TTBR0 anyway. The copies are global-origin too: they
 * die with their origin on TLBIALL or TLBI by MVA, which reach every space.
 */
static void copy_root(struct pv_vm *vm, unsigned s, unsigned d, unsigned view,
		      const uint32_t *mine, const uint32_t *theirs, uint32_t lim)
{
	struct pv_shadow *sh = &vm->shadow;
	uint32_t *to = root_l1(vm, &sh->space[s].root[view]);
	const uint32_t *from = root_l1(vm, &sh->space[d].root[view]);
	uint32_t *tbm = root_bitmap(vm, s, view);
	const uint32_t *fbm = root_bitmap(vm, d, view);
	uint32_t lo = L1_ENTRIES, hi = 0, sum = fbm[BM_GSUM];

	while (sum) {
		uint32_t k = (uint32_t)__builtin_ctz(sum);

		sum &= sum - 1;
		for (uint32_t w = 4 * k; w < 4 * k + 4; w++) {
			uint32_t bits = fbm[BM_GLOBAL + w] & ~tbm[w];

			while (bits) {
				uint32_t idx = w * 32 + (uint32_t)__builtin_ctz(bits);

				bits &= bits - 1;
				/* (Marks are only on sections: checked anyway,
				 * as a table would link another root's L2.) */
				if ((from[idx] & 0x40003u) != 2 ||
				    (idx < lim && (!mine || !theirs ||
						   mine[idx] != theirs[idx])))
					continue;
				to[idx] = from[idx];
				tbm[w] |= PV_BIT(idx % 32);
				tbm[BM_GLOBAL + w] |= PV_BIT(idx % 32);
				tbm[BM_GSUM] |= PV_BIT(k);
				lo = idx < lo ? idx : lo;
				hi = idx + 1;
				sh->stats.global_copies++;
			}
		}
	}
	/* The root's ASID is fresh (evict_space retired the old one): no
	 * host TLB entry to break, one clean for the run. */
	if (hi)
		clean(vm, &to[lo], 4 * (hi - lo));
}

/* A new space (@s, empty) takes the global-origin sections of the cached
 * spaces of its regime. */
static void copy_globals(struct pv_vm *vm, unsigned s)
{
	struct pv_shadow *sh = &vm->shadow;
	const struct pv_shadow_space *sp = &sh->space[s];
	const uint32_t *mine = ttbr0_table(vm, sp);
	uint32_t lim = L1_ENTRIES >> (sp->ttbcr & 7);

	for (unsigned d = 0; d < sh->nspaces; d++) {
		const struct pv_shadow_space *dp = &sh->space[d];
		const uint32_t *theirs;

		if (d == s || !dp->in_use || !same_regime(sp, dp))
			continue;
		theirs = ttbr0_table(vm, dp);
		copy_root(vm, s, d, PV_VIEW_KERNEL, mine, theirs, lim);
		copy_root(vm, s, d, PV_VIEW_USER, mine, theirs, lim);
	}
}

/*
 * @v may keep running in @sp after a DACR, SCTLR or PRRR/NMRR write: same
 * regime, and no guest page of the partial window MiB in a domain @v
 * denies (those carry the window's host domain, always client).
 */
static bool regime_fits(const struct pv_vcpu *v, const struct pv_shadow_space *sp)
{
	bool tre = v->cp15.sctlr & SCTLR_TRE;

	if (sp->flat)
		return true;
	return sp->dacr == key_dacr(&v->vm->shadow, v->cp15.dacr) &&
	       sp->sctlr == (v->cp15.sctlr & SCTLR_KEY) &&
	       sp->prrr == (tre ? v->cp15.prrr : 0) &&
	       sp->nmrr == (tre ? v->cp15.nmrr : 0) &&
	       !(sp->part_doms & ~v->cp15.dacr & 0x55555555u);
}

static void link_stubs(struct pv_vm *vm, unsigned s);

/* The cached space for @v's current regime, created on a miss. */
static unsigned current_space(struct pv_vcpu *v)
{
	struct pv_vm *vm = v->vm;
	struct pv_shadow *sh = &vm->shadow;
	struct pv_shadow_space k, *sp;
	unsigned s, free_slot = PV_SHADOW_NO_SPACE;
	uint32_t victim;

	if (sh->cur[v->id] != PV_SHADOW_NO_SPACE)
		return sh->cur[v->id];
	key_of(v, &k);
	for (s = 0; s < sh->nspaces; s++) {
		sp = &sh->space[s];
		if (!sp->in_use) {
			if (free_slot == PV_SHADOW_NO_SPACE)
				free_slot = s;
			continue;
		}
		if (same_key(sp, &k))
			break;
	}
	if (s < sh->nspaces) {
		sh->stats.space_hits++;
		sp = &sh->space[s];
		if (sp->part_doms & ~v->cp15.dacr & 0x55555555u) {
			/* Another vCPU's pages in the partial window MiB, in a
			 * domain this one denies: they go (refilled on demand). */
			clear_part(vm, &sp->root[PV_VIEW_KERNEL], 2 * s, 0, 256);
			clear_part(vm, &sp->root[PV_VIEW_USER], 2 * s + 1, 0, 256);
			sp->part_doms = 0;
		}
	} else {
		sh->stats.space_misses++;
		s = free_slot;
		if (s == PV_SHADOW_NO_SPACE) {
			victim = lru_victim(sh, PV_SHADOW_NO_SPACE);
			s = victim; /* nspaces >= 1 and all in use */
			evict_space(vm, s);
		}
		sp = &sh->space[s];
		sp->ttbr0 = k.ttbr0;
		sp->ttbr1 = k.ttbr1;
		sp->ttbcr = k.ttbcr;
		sp->asid = k.asid;
		sp->flat = k.flat;
		sp->dacr = k.dacr;
		sp->sctlr = k.sctlr;
		sp->prrr = k.prrr;
		sp->nmrr = k.nmrr;
		sp->part_doms = 0;
		sp->in_use = true;
		copy_globals(vm, s);
		if (!sp->flat && sh->stub_mibs)
			link_stubs(vm, s);
	}
	sh->space[s].last_use = ++sh->tick;
	sh->cur[v->id] = (uint8_t)s;
	return s;
}

static unsigned view_of(const struct pv_vcpu *v, unsigned s)
{
	if (v->vm->shadow.space[s].flat || pv_vcpu_is_privileged(v))
		return PV_VIEW_KERNEL;
	return PV_VIEW_USER;
}

/* Host DACR: client where the guest has client or manager, else no access;
 * the window's domains always client (its descriptors deny PL0 anyway). */
static uint32_t host_dacr(const struct pv_vcpu *v, unsigned s)
{
	if (v->vm->shadow.space[s].flat)
		return 0x55555555u;
	return (v->cp15.dacr & 0x55555555u) | v->vm->shadow.win_dom_mask;
}

void pv_shadow_resume(struct pv_vcpu *vcpu, struct pv_resume *out)
{
	struct pv_vm *vm = vcpu->vm;
	unsigned s = current_space(vcpu);
	struct pv_shadow_root *rt = &vm->shadow.space[s].root[view_of(vcpu, s)];

	out->ttbr0 = pv_hpa((pv_hpa_val(vm->cfg.shadow_pool.hpa) + rt->l1_off) |
			    vm->cfg.ttbr_attrs);
	out->asid = root_asid(vm, rt);
	out->dacr = host_dacr(vcpu, s);
}

/* Host memory attributes (TEX, C, B, S) for a guest walk result. */
struct attrs {
	uint32_t tex, c, b, s;
};

static struct attrs host_attrs(const struct pv_walk *w, bool flat)
{
	struct attrs a = { 0, 0, 0, 0 };

	if (flat) {
		/* MMU off: Normal non-cacheable, so instruction fetch is fine. */
		a.tex = 1;
		a.s = 1;
	} else if (w->memtype == PV_MT_NORMAL) {
		a.tex = 4u | (w->outer & 3u);
		a.c = (w->inner >> 1) & 1u;
		a.b = w->inner & 1u;
		a.s = w->shareable;
	} else if (w->memtype == PV_MT_DEVICE) {
		if (w->shareable)
			a.b = 1;
		else
			a.tex = 2;
	}
	return a;
}

struct fill {
	uint32_t va, idx;
	uint64_t hpa;     /* host PA of the 4 KiB page (or 1 MiB block) */
	bool section;     /* install a host section */
	bool from_section, from_super;
	bool global;      /* from a global guest section (not a supersection) */
	bool ng;          /* a TLBIASID drops it (M_NG) */
	bool write, xn;
	unsigned domain;
	struct attrs at;
};

static void mark_used(struct pv_vm *vm, unsigned s, unsigned view,
		      const struct fill *f)
{
	uint32_t *bm = root_bitmap(vm, s, view);

	bm[f->idx / 32] |= PV_BIT(f->idx % 32);
	if (f->from_super)
		bm[BM_SUPER + f->idx / 512] |= PV_BIT((f->idx / 16) % 32);
	/* Only a host section may be global-origin (not a table of pages). */
	if (f->section && f->global) {
		bm[BM_GLOBAL + f->idx / 32] |= PV_BIT(f->idx % 32);
		bm[BM_GSUM] |= PV_BIT(f->idx / 128);
	} else
		bm[BM_GLOBAL + f->idx / 32] &= ~PV_BIT(f->idx % 32);
}

/* Replace a live descriptor: break, invalidate, make. */
static void put_desc(struct pv_vm *vm, const struct pv_shadow_root *rt,
		     uint32_t *slot, uint32_t desc, uint32_t va)
{
	if (*slot) {
		*slot = 0;
		clean(vm, slot, 4);
		tlb_va(vm, rt, va);
	}
	*slot = desc;
	clean(vm, slot, 4);
}

static void fill_section(struct pv_vm *vm, unsigned s, unsigned view,
			 const struct fill *f)
{
	struct pv_shadow_root *rt = &vm->shadow.space[s].root[view];
	uint32_t d = (uint32_t)f->hpa | f->at.tex << 12 | f->at.c << 3 |
		     f->at.b << 2 | f->domain << 5 | 3u << 10 | S_NG | 2u;

	if (!f->write)
		d |= S_APX;
	if (f->xn)
		d |= S_XN;
	if (f->at.s)
		d |= S_S;
	put_desc(vm, rt, &root_l1(vm, rt)[f->idx], d, f->va);
	mark_used(vm, s, view, f);
	vm->shadow.stats.fills_section++;
}

/* The host small-page descriptor for @f. */
static uint32_t page_desc(const struct fill *f)
{
	uint32_t d = (uint32_t)f->hpa | f->at.tex << 6 | f->at.c << 3 |
		     f->at.b << 2 | 3u << 4 | P_NG | 2u;

	if (!f->write)
		d |= P_APX;
	if (f->xn)
		d |= 1u;
	if (f->at.s)
		d |= P_S;
	return d;
}

static void fill_page(struct pv_vm *vm, unsigned s, unsigned view,
		      const struct fill *f)
{
	struct pv_shadow_root *rt = &vm->shadow.space[s].root[view];
	uint32_t *l1 = root_l1(vm, rt), *l2, slot, d, old;

	if ((l1[f->idx] & 3) == 1 && !is_part(&vm->shadow, f->idx) &&
	    PV_BITS(l1[f->idx], 8, 5) != f->domain) {
		/* The guest changed the L1 domain: the old pages may go. */
		slot = l2_slot_of(vm, l1[f->idx]);
		if (slot != NONE)
			l2_free(vm, slot);
		l1[f->idx] = 0;
		clean(vm, &l1[f->idx], 4);
		tlb_asid(vm, rt);
	}
	if ((l1[f->idx] & 3) != 1) {
		slot = l2_alloc(vm, s);
		/* l2_alloc() may have emptied this very root: re-read. */
		old = l1[f->idx];
		*l2_meta(vm, slot) = M_USED | M_OWNER(s, view, f->idx) |
				     (f->from_section ? M_SECTION : 0) |
				     (f->ng ? M_NG : 0);
		d = (uint32_t)l2_hpa(vm, slot) | f->domain << 5 | 1u;
		put_desc(vm, rt, &l1[f->idx], d, old ? f->va : 0);
	} else {
		slot = l2_slot_of(vm, l1[f->idx]);
		if (slot == NONE)
			return;
		if (f->from_section)
			*l2_meta(vm, slot) |= M_SECTION;
		if (f->ng)
			*l2_meta(vm, slot) |= M_NG;
	}
	l2 = l2_table(vm, slot);
	*l2_dirty(vm, slot) |= PV_BIT(((f->va >> 12) & 0xff) / 8);
	put_desc(vm, rt, &l2[(f->va >> 12) & 0xff], page_desc(f), f->va);
	mark_used(vm, s, view, f);
	vm->shadow.stats.fills_page++;
}


static int guest_fault(struct pv_vm *vm, enum pv_shadow_outcome *outcome)
{
	vm->shadow.stats.guest_faults++;
	*outcome = PV_SHADOW_GUEST_FAULT;
	return 0;
}

/*
 * A guest page of domain @d went into space @s's partial window MiB, where
 * it carries the window's host domain: the other vCPUs running in @s that
 * deny @d select the space again, which drops it for them.
 */
static void part_filled(struct pv_vm *vm, unsigned s, unsigned d)
{
	struct pv_shadow *sh = &vm->shadow;

	if (!(sh->space[s].part_doms & PV_BIT(2 * d)))
		ctx_gen_bump(sh);
	sh->space[s].part_doms |= PV_BIT(2 * d);
	for (unsigned i = 0; i < vm->cfg.num_vcpus && i < PV_SHADOW_MAX_VCPUS; i++)
		if (sh->cur[i] == s && !(vm->vcpu[i].cp15.dacr & PV_BIT(2 * d)))
			sh->cur[i] = PV_SHADOW_NO_SPACE;
}

/* The window's host domain: client in every host DACR. */
static unsigned win_domain(const struct pv_vm *vm)
{
	return PV_BITS(vm->cfg.window_l1[0], 8, 5);
}

/* Link the stub area's pinned tables into space @s's kernel view. */
static void link_stubs(struct pv_vm *vm, unsigned s)
{
	struct pv_shadow *sh = &vm->shadow;
	struct pv_shadow_root *rt = &sh->space[s].root[PV_VIEW_KERNEL];
	uint32_t *l1 = root_l1(vm, rt), first = vm->cfg.stubs->area_va >> 20;
	struct fill f;

	PV_ZERO_STRUCT(&f);
	for (uint32_t m = 0; m < sh->stub_mibs; m++) {
		uint32_t d = (uint32_t)l2_hpa(vm, sh->stub_l2 + m) |
			     win_domain(vm) << 5 | 1u;

		f.idx = first + m;
		if (l1[f.idx] == d)
			continue;
		/* Only empty before: no other entry uses a stub MiB there. */
		put_desc(vm, rt, &l1[f.idx], d, l1[f.idx] ? f.idx << 20 : 0);
		mark_used(vm, s, PV_VIEW_KERNEL, &f);
	}
}

/*
 * The stub area in the guest-kernel view (vpage.h): stub code read-only
 * and executable, page slots this vCPU's page, read-write and XN, in the
 * window's domain, whatever the guest's tables say (its linear map has the
 * area XN). The area is whole MiBs, so no guest entry shares these L1
 * slots. Returns false when the guest's tables decide instead.
 */
static bool fill_stub_area(struct pv_vcpu *vcpu, uint32_t va, unsigned acc,
			   enum pv_shadow_outcome *outcome,
			   struct pv_fault *fault)
{
	struct pv_vm *vm = vcpu->vm;
	enum pv_vpage_map m;
	struct pv_walk w;
	struct fill f;
	uint64_t hpa, gpa;
	uint32_t slot;
	unsigned s;

	m = pv_vpage_lookup(vcpu, va, 0, &hpa, &gpa);
	if (m == PV_VPAGE_MAP_NONE)
		return false;
	if ((m == PV_VPAGE_MAP_PAGE && (acc & PV_ACC_EXEC)) ||
	    (m == PV_VPAGE_MAP_CODE && (acc & PV_ACC_WRITE))) {
		/*
		 * Refilling would fault again: the page is never code, the
		 * code never writable (the guest's RW linear map must not
		 * decide it: check_stub_leaf() rejects that entry).
		 */
		fault->fsr = PV_FSR_FS(PV_FS_PERM_PAGE) |
			     ((acc & PV_ACC_WRITE) ? PV_FSR_WNR : 0);
		fault->far = va;
		fault->is_prefetch = (acc & PV_ACC_EXEC) != 0;
		guest_fault(vm, outcome);
		return true;
	}
	s = current_space(vcpu);
	PV_ZERO_STRUCT(&w);
	w.memtype = PV_MT_NORMAL;
	w.inner = w.outer = 1; /* write-back, write-allocate */
	PV_ZERO_STRUCT(&f);
	f.va = va;
	f.idx = va >> 20;
	f.domain = win_domain(vm);
	f.write = m == PV_VPAGE_MAP_PAGE;
	f.xn = m == PV_VPAGE_MAP_PAGE;
	f.at = host_attrs(&w, false);
	f.hpa = hpa;
	slot = stub_slot(vm, view_of(vcpu, s), vm->shadow.space[s].flat, f.idx);
	if (slot != NONE) {
		/* Every space's: filled once, linked where it is missing. */
		uint32_t *e = &l2_table(vm, slot)[(va >> 12) & 0xff];

		if (!*e) {
			*e = page_desc(&f);
			clean(vm, e, 4);
		}
		link_stubs(vm, s);
	} else {
		fill_page(vm, s, view_of(vcpu, s), &f);
	}
	vm->shadow.stats.stub_fills++;
	*outcome = PV_SHADOW_FILLED;
	return true;
}

/*
 * The fast return's prefill (fastpath.h, "Prefill"). A user-view fill of
 * a small page teaches the template: which host bits a guest PTE with
 * these low bits gets under this regime. Every input of those bits is in
 * the key (the PTE's low bits, the L1 entry's low bits, DACR, SCTLR,
 * PRRR, NMRR) or fixed by the checks (user view, MMU on, Client domain,
 * little-endian walks, outside the window's MiB); the PTE's address bits
 * only pick the host page, inside the one RAM region learnt.
 */
static void prefill_learn(struct pv_vcpu *v, const struct pv_walk *w,
			  const struct pv_ram_region *r, uint32_t host)
{
	struct pv_prefill *p = &v->pf, n;
	uint64_t gpa = pv_gpa_val(r->gpa);

	if (w->manager || w->page_size != 0x1000 || !(w->l2_desc & 2) ||
	    (v->cp15.sctlr & SCTLR_EE) || r->size < 0x1000 ||
	    gpa + r->size > 0x100000000ull) {
		p->tmpl = false;
		return;
	}
	n.lo = w->l2_desc & 0xfffu;
	n.host_lo = host & 0xfffu;
	n.l1_lo = w->l1_desc & 0x3ffu;
	n.dacr = v->cp15.dacr;
	n.sctlr = v->cp15.sctlr & (SCTLR_KEY | SCTLR_M);
	n.prrr = v->cp15.prrr;
	n.nmrr = v->cp15.nmrr;
	n.ram_gpa = (uint32_t)gpa;
	n.ram_last = r->size - 0x1000u;
	n.ram_off = (uint32_t)(pv_hpa_val(r->hpa) - gpa);
	/* Mostly the same as last time: then the backend's copy stands. */
	if (p->tmpl && n.lo == p->lo && n.host_lo == p->host_lo &&
	    n.l1_lo == p->l1_lo && n.dacr == p->dacr && n.sctlr == p->sctlr &&
	    n.prrr == p->prrr && n.nmrr == p->nmrr &&
	    n.ram_gpa == p->ram_gpa && n.ram_last == p->ram_last &&
	    n.ram_off == p->ram_off)
		return;
	p->lo = n.lo;
	p->host_lo = n.host_lo;
	p->l1_lo = n.l1_lo;
	p->dacr = n.dacr;
	p->sctlr = n.sctlr;
	p->prrr = n.prrr;
	p->nmrr = n.nmrr;
	p->ram_gpa = n.ram_gpa;
	p->ram_last = n.ram_last;
	p->ram_off = n.ram_off;
	p->tmpl = true;
	p->sent = false;
}

/*
 * After a guest translation fault at page level from user mode: a hint
 * for the next resume if the retried access would be a page fill of the
 * current space's user view into an empty entry of a table this very
 * root owns, under the template's regime.
 */
static void prefill_hint(struct pv_vcpu *v, uint32_t va,
			 const struct pv_fault *flt)
{
	struct pv_vm *vm = v->vm;
	struct pv_shadow *sh = &vm->shadow;
	struct pv_prefill *p = &v->pf;
	unsigned s = sh->cur[v->id], idx = va >> 20;
	uint32_t sd, slot, meta, *e;
	const uint32_t *bm;

	if (!p->tmpl || !v->fast ||
	    (flt->fsr & ~(PV_FSR_WNR | 0xf0u)) !=
		    PV_FSR_FS(PV_FS_TRANSL_PAGE) ||
	    s == PV_SHADOW_NO_SPACE || sh->space[s].flat ||
	    pv_vcpu_is_privileged(v) || is_part(sh, idx) ||
	    va - vm->cfg.window_base < vm->cfg.window_size ||
	    v->cp15.dacr != p->dacr ||
	    (v->cp15.sctlr & (SCTLR_KEY | SCTLR_M)) != p->sctlr ||
	    v->cp15.prrr != p->prrr || v->cp15.nmrr != p->nmrr ||
	    (flt->l1_desc & 0x3ffu) != p->l1_lo)
		return;
	sd = root_l1(vm, &sh->space[s].root[PV_VIEW_USER])[idx];
	if ((sd & 3) != 1 || PV_BITS(sd, 8, 5) != PV_BITS(flt->l1_desc, 8, 5))
		return;
	slot = l2_slot_of(vm, sd);
	if (slot == NONE)
		return;
	meta = *l2_meta(vm, slot);
	bm = root_bitmap(vm, s, PV_VIEW_USER);
	/* What fill_page() would leave unchanged: owner, flags, bitmaps. */
	if ((meta & (M_USED | M_STUB | M_OWNER_MASK)) !=
		    (M_USED | M_OWNER(s, PV_VIEW_USER, idx)) ||
	    ((p->lo & P_NG) && !(meta & M_NG)) ||
	    !(bm[idx / 32] & PV_BIT(idx % 32)) ||
	    (bm[BM_GLOBAL + idx / 32] & PV_BIT(idx % 32)))
		return;
	e = &l2_table(vm, slot)[(va >> 12) & 0xff];
	if (*e)
		return;
	/* The fast return may fill it: its line counts as written. */
	*l2_dirty(vm, slot) |= PV_BIT(((va >> 12) & 0xff) / 8);
	p->pte = (uintptr_t)flt->l2_hva;
	p->l1 = (uintptr_t)flt->l1_hva;
	p->slot = (uintptr_t)e;
	p->l1_val = flt->l1_desc;
	p->space = s; /* its user view is the fast return's F.u_ttbr0 */
	p->hint = true;
}

int pv_shadow_fault(struct pv_vcpu *vcpu, pv_gva_t gva, unsigned acc,
		    enum pv_shadow_outcome *outcome, struct pv_fault *fault)
{
	struct pv_vm *vm = vcpu->vm;
	struct pv_shadow *sh = &vm->shadow;
	const struct pv_ram_region *r;
	struct pv_mmu_regs regs;
	struct pv_walk w;
	struct fill f;
	uint32_t va = pv_gva_val(gva);
	uint64_t pa, blk;
	unsigned s, view;
	bool flat;

	if (vcpu->id >= PV_SHADOW_MAX_VCPUS || !sh->nspaces)
		return PV_ESTATE;
	acc &= PV_ACC_WRITE | PV_ACC_EXEC;
	if (vm->cfg.stubs && fill_stub_area(vcpu, va, acc, outcome, fault))
		return 0;
	pv_mmu_regs_from_vcpu(vcpu, &regs);
	if (pv_mmu_walk(&regs, &vm->map, gva, acc, &w, fault)) {
		prefill_hint(vcpu, va, fault);
		return guest_fault(vm, outcome);
	}
	pa = pv_gpa_val(w.pa);
	r = pv_memmap_find_ram(&vm->map, pv_gpa(pa & ~0xfffull), 0x1000);
	if (va - vm->cfg.window_base < vm->cfg.window_size) {
		/*
		 * A guest mapping into the window is a reported error. With the
		 * MMU off there is no mapping: the access goes to guest-physical
		 * @va, where pv_vm_init() put no RAM, so it is a device access
		 * or an external abort like any other address.
		 */
		if (vcpu->cp15.sctlr & SCTLR_M)
			return PV_EWINDOW;
		r = NULL;
	}
	if (!r) {
		if (!(acc & PV_ACC_EXEC) && pv_memmap_find_mmio(&vm->map, w.pa)) {
			sh->stats.mmio++;
			*outcome = PV_SHADOW_MMIO;
			return 0;
		}
		/* Nothing there, or a fetch from a device: external abort. */
		fault->fsr = PV_FSR_FS(PV_FS_SYNC_EXT) |
			     ((acc & PV_ACC_WRITE) && !(acc & PV_ACC_EXEC) ?
				      PV_FSR_WNR : 0);
		fault->far = va;
		fault->is_prefetch = (acc & PV_ACC_EXEC) != 0;
		return guest_fault(vm, outcome);
	}
	s = current_space(vcpu);
	view = view_of(vcpu, s);
	flat = sh->space[s].flat;
	PV_ZERO_STRUCT(&f);
	f.va = va;
	f.idx = va >> 20;
	f.domain = flat ? 0 : w.domain;
	f.from_super = !flat && w.page_size == 0x1000000;
	f.from_section = !flat && w.page_size >= 0x100000;
	f.global = !flat && !w.ng && w.page_size == 0x100000;
	f.ng = flat || w.ng || f.from_super;
	f.write = view == PV_VIEW_KERNEL ? w.pl1_write : w.pl0_write;
	f.xn = !flat && w.xn && !w.manager; /* Manager ignores XN */
	f.at = host_attrs(&w, flat);
	if (w.manager && !flat)
		sh->mgr_filled |= PV_BIT(2 * w.domain);
	if (is_part(sh, f.idx)) {
		/* Shares the window's host domain: the guest's domain is
		 * enforced by flushing when the guest revokes it, and for
		 * the other vCPUs that deny it by part_filled(). */
		sh->win_guest_doms |= PV_BIT(2 * f.domain);
		if (!flat)
			part_filled(vm, s, f.domain);
		f.domain = PV_BITS(vm->cfg.window_l1[sh->win_count], 8, 5);
	}
	blk = pa & ~0xfffffull;
	if ((flat || w.page_size >= 0x100000) && !is_part(sh, f.idx) &&
	    (root_l1(vm, &sh->space[s].root[view])[f.idx] & 3) != 1 &&
	    pv_memmap_find_ram(&vm->map, pv_gpa(blk), 0x100000) == r &&
	    !((pv_hpa_val(r->hpa) + (blk - pv_gpa_val(r->gpa))) & 0xfffff)) {
		f.section = true;
		f.hpa = pv_hpa_val(r->hpa) + (blk - pv_gpa_val(r->gpa));
		fill_section(vm, s, view, &f);
	} else {
		f.hpa = pv_hpa_val(r->hpa) + ((pa & ~0xfffull) - pv_gpa_val(r->gpa));
		fill_page(vm, s, view, &f);
		if (view == PV_VIEW_USER && !flat && !is_part(sh, f.idx))
			prefill_learn(vcpu, &w, r, page_desc(&f));
	}
	*outcome = PV_SHADOW_FILLED;
	return 0;
}

/* Unlink whatever L1 entry @idx holds in @rt (@bm: its bitmaps). */
static void drop_l1(struct pv_vm *vm, const struct pv_shadow_root *rt,
		    uint32_t *l1, uint32_t *bm, uint32_t idx)
{
	uint32_t d = l1[idx], slot;

	if (!d)
		return;
	bm[BM_GLOBAL + idx / 32] &= ~PV_BIT(idx % 32);
	l1[idx] = 0;
	clean(vm, &l1[idx], 4);
	if ((d & 3) == 1) {
		slot = l2_slot_of(vm, d);
		if (slot != NONE && !is_stub_slot(&vm->shadow, slot))
			l2_free(vm, slot);
		tlb_asid(vm, rt);
	} else {
		tlb_va(vm, rt, idx << 20);
	}
}

/* Past this many entries of one table, one host TLB invalidation by ASID
 * (every shadow entry is nG) is cheaper than one by MVA per entry. */
#define TLB_VA_MAX 8u

/* Clear the entries [j0, j1) of a guest L2 table and their host TLB entries:
 * the table cleaned first, so that no walk can refill from stale memory. */
static void clear_l2(struct pv_vm *vm, const struct pv_shadow_root *rt,
		     uint32_t slot, uint32_t idx, uint32_t j0, uint32_t j1)
{
	uint32_t *l2 = l2_table(vm, slot), lo = j1, hi = j0, n = 0;
	uint8_t js[TLB_VA_MAX];

	for (uint32_t j = j0; j < j1; j++) {
		if (!l2[j])
			continue;
		l2[j] = 0;
		if (n < TLB_VA_MAX)
			js[n] = (uint8_t)j;
		lo = j < lo ? j : lo;
		hi = j + 1;
		n++;
	}
	if (!n)
		return;
	/* One clean for the run: cleaning an unchanged line is harmless. */
	clean(vm, &l2[lo], 4 * (hi - lo));
	if (n > TLB_VA_MAX) {
		tlb_asid(vm, rt);
		return;
	}
	for (uint32_t k = 0; k < n; k++)
		tlb_va(vm, rt, (idx << 20) | ((uint32_t)js[k] << 12));
}

/*
 * Invalidate the pages [j0, j1) of MiB @idx in one root, covering the
 * largest guest mapping each shadow entry can have come from: 16 MiB if a
 * supersection was filled in that region, 1 MiB for a (shadow or guest)
 * section, else the 64 KiB groups a guest large page would span. The
 * result is that of invalidating the pages one by one.
 */
static void inval_root(struct pv_vm *vm, unsigned s, unsigned view,
		       uint32_t idx, uint32_t j0, uint32_t j1)
{
	struct pv_shadow *sh = &vm->shadow;
	struct pv_shadow_root *rt = &sh->space[s].root[view];
	uint32_t *l1 = root_l1(vm, rt), *bm = root_bitmap(vm, s, view);
	uint32_t *sw, sbit, slot, d;
	uint32_t g0 = j0 & 0xf0u, g1 = ((j1 - 1) & 0xf0u) + 16;

	sw = &bm[BM_SUPER + idx / 512];
	sbit = PV_BIT((idx / 16) % 32);
	if (*sw & sbit) {
		/* Even for an MVA in the window: a supersection spans it. The
		 * rest of the group is then empty: no page of it needs more. */
		*sw &= ~sbit;
		for (uint32_t i = idx & ~15u; i < (idx & ~15u) + 16; i++) {
			if (is_part(sh, i))
				clear_part(vm, rt, 2 * s + view, 0, 256);
			else if (!in_window(sh, i))
				drop_l1(vm, rt, l1, bm, i);
		}
		return;
	}
	if (in_window(sh, idx))
		return; /* the VMM's own entry, never the guest's */
	if (is_part(sh, idx)) {
		slot = 2 * s + view;
		if (*l2_meta(vm, slot) & M_SECTION)
			clear_part(vm, rt, slot, 0, 256);
		else
			clear_part(vm, rt, slot, g0, g1);
		return;
	}
	d = l1[idx];
	if ((d & 3) == 2) {
		drop_l1(vm, rt, l1, bm, idx);
		return;
	}
	if ((d & 3) != 1)
		return;
	slot = l2_slot_of(vm, d);
	/* The stub area's pages come from no guest table: nothing to drop. */
	if (slot == NONE || is_stub_slot(sh, slot))
		return;
	if (*l2_meta(vm, slot) & M_SECTION) {
		drop_l1(vm, rt, l1, bm, idx);
		return;
	}
	clear_l2(vm, rt, slot, idx, g0, g1);
}

/* By MVA, every ASID: @pages pages from @va (4 KiB aligned), both views of
 * every space, since global entries live in each. */
static void inval_range(struct pv_vm *vm, uint32_t va, uint32_t pages)
{
	struct pv_shadow *sh = &vm->shadow;

	while (pages) {
		uint32_t idx = va >> 20, j0 = (va >> 12) & 0xffu;
		uint32_t n = 256 - j0 < pages ? 256 - j0 : pages;

		for (unsigned s = 0; s < sh->nspaces; s++) {
			const struct pv_shadow_space *sp = &sh->space[s];

			/* The flat space caches no guest descriptor. */
			if (!sp->in_use || sp->flat)
				continue;
			inval_root(vm, s, PV_VIEW_KERNEL, idx, j0, j0 + n);
			inval_root(vm, s, PV_VIEW_USER, idx, j0, j0 + n);
		}
		pages -= n;
		va += n << 12; /* wraps past 4 GiB as the guest's loop would */
	}
}

/* Invalidation by MVA of @pages pages from @va: does it reach a clock_va? */
static void clock_reached(struct pv_vm *vm, uint32_t va, uint32_t pages)
{
	struct pv_shadow *sh = &vm->shadow;

	for (unsigned i = 0; i < vm->cfg.num_vcpus && i < PV_SHADOW_MAX_VCPUS; i++) {
		/* Modulo 2^32, as the guest's loop wraps. */
		if (((sh->clock_va[i] - va) >> 12) < pages) {
			sh->clock_gen++;
			return;
		}
	}
}

void pv_shadow_tlbi(struct pv_vcpu *vcpu, enum pv_tlbi op, uint32_t arg)
{
	struct pv_vm *vm = vcpu->vm;
	struct pv_shadow *sh = &vm->shadow;

	sh->tlbi_gen++; /* empties every vCPU's fetch cache (itlb.c) */
	if (op == PV_TLBI_ALL) {
		sh->clock_gen++;
		pv_shadow_flush_all(vm);
		return;
	}
	if (op != PV_TLBI_ASID) {
		clock_reached(vm, arg & 0xfffff000u, 1);
		inval_range(vm, arg & 0xfffff000u, 1);
		return;
	}
	for (unsigned s = 0; s < sh->nspaces; s++) {
		const struct pv_shadow_space *sp = &sh->space[s];

		if (sp->in_use && !sp->flat && sp->asid == (uint8_t)arg)
			flush_space(vm, s, false, true);
	}
}

void pv_shadow_tlbi_range(struct pv_vcpu *vcpu, uint32_t va, uint32_t pages)
{
	vcpu->vm->shadow.tlbi_gen++;
	clock_reached(vcpu->vm, va & 0xfffff000u, pages);
	inval_range(vcpu->vm, va & 0xfffff000u, pages);
}

void pv_shadow_ctx_changed(struct pv_vcpu *vcpu, unsigned what)
{
	struct pv_shadow *sh = &vcpu->vm->shadow;
	unsigned id = vcpu->id;
	uint32_t old, now, lost;

	if (id >= PV_SHADOW_MAX_VCPUS)
		return;
	if (what & PV_SHADOW_CTX_DACR) {
		old = sh->last_dacr[id];
		now = vcpu->cp15.dacr;
		sh->last_dacr[id] = now;
		/* Accessible (client/manager) in bit 0 of each field. */
		lost = old & ~now & 0x55555555u &
		       (sh->win_dom_mask | sh->win_guest_doms);
		if (lost || (manager_bits(old) & ~manager_bits(now) &
			     sh->mgr_filled))
			pv_shadow_flush_all(vcpu->vm);
	}
	if (what & PV_SHADOW_CTX_SCTLR) {
		old = sh->last_sctlr[id];
		now = vcpu->cp15.sctlr;
		sh->last_sctlr[id] = now;
		/* These change how every descriptor reads (EE: the table
		 * endianness); a flush is always a permitted TLB behaviour. */
		if ((old ^ now) & (SCTLR_AFE | SCTLR_TRE | SCTLR_EE))
			pv_shadow_flush_all(vcpu->vm);
		if ((old ^ now) & SCTLR_M)
			sh->cur[id] = PV_SHADOW_NO_SPACE;
	}
	if ((what & PV_SHADOW_CTX_PRRR_NMRR) && (vcpu->cp15.sctlr & SCTLR_TRE))
		pv_shadow_flush_all(vcpu->vm);
	if (what & (PV_SHADOW_CTX_TTBR0 | PV_SHADOW_CTX_TTBR1 |
		    PV_SHADOW_CTX_TTBCR | PV_SHADOW_CTX_CONTEXTIDR))
		sh->cur[id] = PV_SHADOW_NO_SPACE;
	/* A new rights regime is another space: other vCPUs may share this
	 * one (a PAN toggle keeps it: the host DACR does that work). */
	if ((what & (PV_SHADOW_CTX_DACR | PV_SHADOW_CTX_SCTLR |
		     PV_SHADOW_CTX_PRRR_NMRR)) &&
	    sh->cur[id] != PV_SHADOW_NO_SPACE &&
	    !regime_fits(vcpu, &sh->space[sh->cur[id]]))
		sh->cur[id] = PV_SHADOW_NO_SPACE;
	/* PV_SHADOW_CTX_MODE: the view is chosen at resume; nothing to do. */
}

int pv_shadow_init(struct pv_vm *vm)
{
	struct pv_shadow *sh = &vm->shadow;
	const struct pv_vm_config *cfg = &vm->cfg;
	size_t size = cfg->shadow_pool.size;
	uint32_t d, off, npinned;

	pv_memset(sh, 0, sizeof(*sh));
	if ((pv_hva_val(cfg->shadow_pool.hva) | pv_hpa_val(cfg->shadow_pool.hpa)) &
	    0x3fffu)
		return PV_EINVAL;
	if (size < PV_SHADOW_POOL_MIN)
		return PV_ENOMEM;
	/* Short descriptors hold 32-bit output addresses. */
	if (pv_hpa_val(cfg->shadow_pool.hpa) + size > (1ull << 32))
		return PV_EINVAL;
	for (unsigned i = 0; i < cfg->ram_count && i < PV_MAX_RAM_REGIONS; i++)
		if (pv_hpa_val(cfg->ram[i].hpa) + cfg->ram[i].size > (1ull << 32))
			return PV_EINVAL;
	if (size > 0x40000000u)
		size = 0x40000000u;
	sh->asid_first = cfg->asid_first;
	sh->asid_last = cfg->asid_last;
	if (!sh->asid_first && !sh->asid_last) {
		sh->asid_first = 1;
		sh->asid_last = 255;
	}
	/* ASID 0 stays the host's, as it always has. */
	if (!sh->asid_first || sh->asid_last < sh->asid_first ||
	    sh->asid_last - sh->asid_first + 1u < PV_VM_MIN_ASIDS)
		return PV_EINVAL;
	sh->win_first = cfg->window_base >> 20;
	sh->win_count = cfg->window_size >> 20;
	sh->win_part_idx = NONE;
	if (cfg->window_size & 0xfffu)
		return PV_EINVAL;
	if (cfg->window_size & 0xfffffu) {
		d = cfg->window_l1[sh->win_count];
		/* The partial MiB is split into pages: it must be a section. */
		if ((d & 0x40003u) != 2)
			return PV_EINVAL;
		sh->win_part_idx = sh->win_first + sh->win_count;
		sh->win_part_pages = (cfg->window_size & 0xfffffu) >> 12;
	}
	for (uint32_t i = 0; i < sh->win_count + (sh->win_part_idx != NONE); i++) {
		d = cfg->window_l1[i];
		/* A section must deny PL0 (AP[1:0] 00 or 01). */
		if ((d & 3) == 3 || ((d & 3) == 2 && PV_BITS(d, 11, 10) > 1))
			return PV_EINVAL;
		if (d & 3)
			sh->win_dom_mask |= PV_BIT(2 * PV_BITS(d, 8, 5));
	}
	sh->nspaces = (unsigned)(size / (128u * 1024u));
	if (sh->nspaces > PV_SHADOW_MAX_SPACES)
		sh->nspaces = PV_SHADOW_MAX_SPACES;
	if (!sh->nspaces)
		sh->nspaces = 1;
	sh->bitmap_off = sh->nspaces * SPACE_BYTES;
	sh->l2meta_off = sh->bitmap_off + sh->nspaces * 2 * ROOT_META;
	/* Two words per slot: its metadata, then its dirty lines. */
	sh->nl2 = (unsigned)((size - sh->l2meta_off) / (L2_BYTES + 8));
	while (sh->nl2 &&
	       ((sh->l2meta_off + 8 * sh->nl2 + L2_BYTES - 1) & ~(L2_BYTES - 1)) +
			       (size_t)sh->nl2 * L2_BYTES > size)
		sh->nl2--;
	npinned = sh->win_part_idx != NONE ? 2 * sh->nspaces : 0;
	sh->stub_l2 = npinned;
	sh->stub_mibs = cfg->stubs ? cfg->stubs->area_size >> 20 : 0;
	if (sh->nl2 < npinned + sh->stub_mibs + 4)
		return PV_ENOMEM;
	sh->l2_off = (sh->l2meta_off + 8 * sh->nl2 + L2_BYTES - 1) & ~(L2_BYTES - 1);
	/* All of it, tables too: from here on the walker sees each table
	 * byte as the core last cleaned it (backend.h), from a clean start. */
	pv_memset(pool(vm, 0), 0, sh->l2_off + (size_t)sh->nl2 * L2_BYTES);
	sh->l2_free = NONE;
	for (uint32_t i = sh->nl2; i-- > npinned + sh->stub_mibs;) {
		*l2_meta(vm, i) = sh->l2_free;
		sh->l2_free = i;
	}
	for (uint32_t m = 0; m < sh->stub_mibs; m++) {
		pv_memset(l2_table(vm, sh->stub_l2 + m), 0, L2_BYTES);
		clean(vm, l2_table(vm, sh->stub_l2 + m), L2_BYTES);
		*l2_meta(vm, sh->stub_l2 + m) = M_USED | M_STUB;
	}
	for (unsigned s = 0; s < sh->nspaces; s++) {
		for (unsigned v = 0; v < PV_VIEW_COUNT; v++) {
			off = s * SPACE_BYTES + v * L1_BYTES;
			sh->space[s].root[v].l1_off = off;
			pv_memcpy(pool(vm, off) + 4 * sh->win_first,
				  cfg->window_l1, 4 * sh->win_count);
			if (!npinned)
				continue;
			for (uint32_t j = 0; j < 256; j++)
				l2_table(vm, 2 * s + v)[j] = win_page(vm, j);
			*l2_meta(vm, 2 * s + v) =
				M_USED | M_OWNER(s, v, sh->win_part_idx);
			((uint32_t *)pool(vm, off))[sh->win_part_idx] =
				win_l1_desc(vm, s, v);
			clean(vm, l2_table(vm, 2 * s + v), L2_BYTES);
		}
	}
	for (unsigned v = 0; v < PV_SHADOW_MAX_VCPUS; v++) {
		sh->cur[v] = PV_SHADOW_NO_SPACE;
		sh->last_sctlr[v] = 0;
	}
	sh->asid_gen = 1;
	sh->ctx_gen = 1; /* a vCPU's 0 means no table yet */
	sh->next_asid = sh->asid_first;
	clean(vm, pool(vm, 0), sh->l2meta_off);
	clean(vm, l2_table(vm, 0), (size_t)sh->nl2 * L2_BYTES);
	return 0;
}

/* ---- the isolation invariant ---- */

static bool hpa_in_ram(const struct pv_vm *vm, uint64_t hpa, uint64_t len,
		       uint64_t *gpa)
{
	for (unsigned i = 0; i < vm->map.nram; i++) {
		const struct pv_ram_region *r = &vm->map.ram[i];
		uint64_t base = pv_hpa_val(r->hpa);

		if (hpa >= base && hpa + len <= base + r->size) {
			*gpa = pv_gpa_val(r->gpa) + (hpa - base);
			return true;
		}
	}
	return false;
}

static bool overlaps_pool(const struct pv_vm *vm, uint64_t hpa, uint64_t len)
{
	return pv_ranges_overlap(hpa, len, pv_hpa_val(vm->cfg.shadow_pool.hpa),
				 vm->cfg.shadow_pool.size);
}

static int bad(const struct pv_vm *vm, const char *why)
{
	if (vm->cfg.ops && vm->cfg.ops->log)
		vm->cfg.ops->log(vm->cfg.ctx, why);
	return PV_ECORRUPT;
}

/* The stub area's base in a space: its VA, or its PA in the flat one. */
static uint32_t stub_base(const struct pv_vm *vm, bool flat)
{
	const struct pv_stub_table *t = vm->cfg.stubs;

	return flat ? (uint32_t)pv_gpa_val(t->area_gpa) : t->area_va;
}

/*
 * A kernel-view entry at offset @off of the stub area: exactly what
 * fill_stub_area() puts there.
 */
static int check_stub_leaf(const struct pv_vm *vm, uint32_t off, uint64_t hpa,
			   uint64_t len, unsigned ap, bool xn, unsigned domain,
			   bool flat)
{
	const struct pv_stub_table *t = vm->cfg.stubs;
	uint64_t want, gpa;
	bool slot;

	off &= ~0xfffu;
	slot = (off & (PV_STUB_CHUNK - 1)) < PV_STUB_CODE_OFF;
	if (len != 0x1000 || (!flat && domain != win_domain(vm)))
		return bad(vm, "shadow: stub-area entry of the wrong shape");
	if (slot) {
		/* One vCPU (vpage.c): its page, read-write, never code. */
		want = pv_hpa_val(vm->cfg.vcpu_pages.hpa);
		if (hpa != want || ap != 3 || !xn)
			return bad(vm, "shadow: page slot maps something else");
		return 0;
	}
	if (!hpa_in_ram(vm, hpa, len, &gpa) ||
	    gpa != pv_gpa_val(t->area_gpa) + off || ap != 7)
		return bad(vm, "shadow: stub code maps something else");
	return 0;
}

/*
 * One valid shadow mapping at @va of @len bytes: it must map RAM backing
 * that the guest itself maps there, with no wider rights than the view's
 * privilege has in the guest.
 */
static int check_leaf(const struct pv_vm *vm, const struct pv_mmu_regs *regs,
		      uint32_t va, uint64_t hpa, uint64_t len, bool ng,
		      unsigned ap, bool xn, unsigned domain, bool flat,
		      bool any_domain)
{
	struct pv_walk w;
	struct pv_fault f;
	uint64_t gpa;
	bool pl0_r = ap == 3 || ap == 7 || ap == 2 || ap == 6;
	bool pl0_w = ap == 3;
	unsigned hd;

	if (!ng)
		return bad(vm, "shadow: global host entry");
	if (regs->privileged && vm->cfg.stubs &&
	    va - stub_base(vm, flat) < vm->cfg.stubs->area_size)
		return check_stub_leaf(vm, va - stub_base(vm, flat), hpa, len,
				       ap, xn, domain, flat);
	if (!hpa_in_ram(vm, hpa, len, &gpa) || overlaps_pool(vm, hpa, len))
		return bad(vm, "shadow: entry maps outside guest RAM backing");
	if (flat) {
		if (gpa != va)
			return bad(vm, "shadow: flat entry not identity");
		return 0;
	}
	hd = PV_BITS((regs->dacr & 0x55555555u) | vm->shadow.win_dom_mask,
		     2 * domain + 1, 2 * domain);
	if (!hd || !pl0_r)
		return 0; /* unreachable from host PL0 */
	if (pv_mmu_walk(regs, &vm->map, pv_gva(va), PV_ACC_READ, &w, &f) ||
	    pv_gpa_val(w.pa) != gpa || (!any_domain && w.domain != domain))
		return bad(vm, "shadow: readable entry the guest does not map so");
	if (pl0_w && pv_mmu_walk(regs, &vm->map, pv_gva(va), PV_ACC_WRITE, &w, &f))
		return bad(vm, "shadow: writable entry the guest denies");
	if (!xn && pv_mmu_walk(regs, &vm->map, pv_gva(va), PV_ACC_EXEC, &w, &f))
		return bad(vm, "shadow: executable entry the guest denies");
	return 0;
}

/* @v's regime in space @s (its tables, its MMU state). */
static void space_regs(const struct pv_vm *vm, const struct pv_vcpu *v,
		       unsigned s, struct pv_mmu_regs *r)
{
	const struct pv_shadow_space *sp = &vm->shadow.space[s];

	pv_mmu_regs_from_vcpu(v, r);
	r->sctlr = sp->flat ? r->sctlr & ~SCTLR_M : r->sctlr | SCTLR_M;
	r->ttbr0 = sp->ttbr0;
	r->ttbr1 = sp->ttbr1;
	r->ttbcr = sp->ttbcr;
	r->contextidr = (r->contextidr & ~0xffu) | sp->asid;
}

/*
 * A slot marked global-origin holds a used host section that the guest's
 * tables give as a global section (copies and TLBIASID keep only those).
 */
static int check_global(const struct pv_vm *vm, const struct pv_mmu_regs *rg,
			const struct pv_shadow_space *sp, const uint32_t *bm,
			uint32_t i, uint32_t d)
{
	struct pv_mmu_regs regs;
	struct pv_walk w;
	struct pv_fault f;

	/* Most entries have no mark: nothing to copy (the fuzzers run this
	 * for every L1 entry of every root after each step). */
	if (!(bm[BM_GLOBAL + i / 32] & PV_BIT(i % 32)))
		return 0;
	regs = *rg;
	if (!sp->in_use || sp->flat || in_window(&vm->shadow, i) ||
	    is_part(&vm->shadow, i) || (d & 0x40003u) != 2 ||
	    !(bm[i / 32] & PV_BIT(i % 32)) || !(bm[BM_GSUM] & PV_BIT(i / 128)))
		return bad(vm, "shadow: global-origin mark on no section");
	regs.dacr = 0xffffffffu; /* the descriptor, whatever the domain */
	if (pv_mmu_walk(&regs, &vm->map, pv_gva(i << 20), PV_ACC_READ, &w, &f) ||
	    w.ng || w.page_size != 0x100000)
		return bad(vm, "shadow: global-origin section the guest has not global");
	return 0;
}

/*
 * Whether any of the 32 L1 entries at @p (a block: 8-byte aligned) is set.
 * Read in pairs and unrolled: the fuzzers run the isolation walk after
 * every step, and under ASan and coverage tracing this scan was most of
 * their time (a check per load, a traced compare per loop test).
 */
static bool any_set32(const uint32_t *p)
{
	typedef uint64_t __attribute__((may_alias)) pair_t;
	const pair_t *q = (const pair_t *)(const void *)p;
	uint64_t or = 0;

#pragma GCC unroll 16
	for (unsigned k = 0; k < 16; k++)
		or |= q[k];
	return or != 0;
}

/* Whether L1 entries @i .. @i + 31 hold a window MiB or the partial one. */
static bool block_has_window(const struct pv_shadow *sh, uint32_t i)
{
	return (sh->win_count && sh->win_first < i + 32 &&
		i < sh->win_first + sh->win_count) ||
	       sh->win_part_idx - i < 32;
}

/* Judge one root under @rg: what a vCPU with that regime can reach. */
static int check_root(const struct pv_vm *vm, unsigned s, unsigned view,
		      const struct pv_mmu_regs *rg)
{
	const struct pv_shadow *sh = &vm->shadow;
	const struct pv_shadow_space *sp = &sh->space[s];
	const uint32_t *l1 = root_l1(vm, &sp->root[view]);
	const uint32_t *bm = root_bitmap(vm, s, view);
	struct pv_mmu_regs regs = *rg;
	int err;

	regs.privileged = view == PV_VIEW_KERNEL;
	for (uint32_t i = 0; i < L1_ENTRIES; i++) {
		uint32_t d = l1[i];

		/*
		 * 32 empty entries, none marked global, none the window's: no
		 * judgement to make. Tested on the entries themselves, not on
		 * the engine's bitmap of used ones (the fuzzers run this walk
		 * after every step; one test of the block is far cheaper).
		 */
		if (!(i % 32) && !bm[BM_GLOBAL + i / 32] &&
		    !block_has_window(sh, i) && !any_set32(&l1[i])) {
			i += 31;
			continue;
		}

		err = check_global(vm, &regs, sp, bm, i, d);
		if (err)
			return err;

		if (in_window(sh, i)) {
			if (d != vm->cfg.window_l1[i - sh->win_first])
				return bad(vm, "shadow: window slot altered");
			continue;
		}
		if (is_part(sh, i)) {
			const uint32_t *l2 = l2_table(vm, 2 * s + view);
			/* The window's pages differ only in their address. */
			const uint32_t w0 = win_page(vm, 0);

			if (d != win_l1_desc(vm, s, view))
				return bad(vm, "shadow: window table unlinked");
			for (uint32_t j = 0; j < 256; j++) {
				uint32_t e = l2[j];

				if (j < sh->win_part_pages) {
					if (e != w0 + (j << 12))
						return bad(vm, "shadow: window page altered");
					continue;
				}
				if (!e)
					continue;
				if (!sp->in_use || !(e & 2))
					return bad(vm, "shadow: stray page in window table");
				err = check_leaf(vm, &regs, i << 20 | j << 12,
						 e & 0xfffff000u, 0x1000, e & P_NG,
						 PV_BITS(e, 9, 9) << 2 | PV_BITS(e, 5, 4),
						 e & 1, PV_BITS(d, 8, 5), sp->flat, true);
				if (err)
					return err;
			}
			continue;
		}
		if (!d)
			continue;
		if (!sp->in_use || (sp->flat && view == PV_VIEW_USER))
			return bad(vm, "shadow: entry in an unused root");
		if ((d & 3) == 2) {
			if (d & PV_BIT(18))
				return bad(vm, "shadow: supersection");
			err = check_leaf(vm, &regs, i << 20, d & 0xfff00000u,
					 0x100000, d & S_NG,
					 PV_BITS(d, 15, 15) << 2 | PV_BITS(d, 11, 10),
					 d & S_XN, PV_BITS(d, 8, 5), sp->flat, false);
			if (err)
				return err;
			continue;
		}
		if ((d & 3) != 1)
			return bad(vm, "shadow: reserved L1 type");
		uint32_t slot = l2_slot_of(vm, d);

		if (slot != NONE && is_stub_slot(sh, slot)) {
			/* Shared, but only at its own MiB of a kernel view. */
			if (slot != stub_slot(vm, view, sp->flat, i) ||
			    d != ((uint32_t)l2_hpa(vm, slot) | win_domain(vm) << 5 | 1u))
				return bad(vm, "shadow: stub table linked elsewhere");
		} else if (slot == NONE || (d & 0x3ffu & ~0x1e1u) ||
			   (*l2_meta(vm, slot) & (M_USED | M_OWNER_MASK)) !=
				   (M_USED | M_OWNER(s, view, i))) {
			return bad(vm, "shadow: L2 table not owned by this root");
		}
		const uint32_t *l2 = l2_table(vm, slot);

		for (uint32_t j = 0; j < 256; j++) {
			uint32_t e = l2[j];

			if (!e)
				continue;
			if (!(e & 2))
				return bad(vm, "shadow: large page");
			err = check_leaf(vm, &regs, i << 20 | j << 12,
					 e & 0xfffff000u, 0x1000, e & P_NG,
					 PV_BITS(e, 9, 9) << 2 | PV_BITS(e, 5, 4),
					 e & 1, PV_BITS(d, 8, 5), sp->flat, false);
			if (err)
				return err;
		}
	}
	return 0;
}

static int check_space(const struct pv_vm *vm, unsigned s,
		       const struct pv_mmu_regs *rg)
{
	int err;

	for (unsigned v = 0; v < PV_VIEW_COUNT; v++) {
		err = check_root(vm, s, v, rg);
		if (err)
			return err;
	}
	return 0;
}

/* vCPU @i runs in space @s, and no earlier vCPU there has its regime. */
static bool judge_vcpu(const struct pv_vm *vm, unsigned s, unsigned i)
{
	const struct pv_vcpu *v = &vm->vcpu[i];

	if (vm->shadow.cur[i] != s)
		return false;
	for (unsigned j = 0; j < i; j++)
		if (vm->shadow.cur[j] == s &&
		    vm->vcpu[j].cp15.dacr == v->cp15.dacr &&
		    !((vm->vcpu[j].cp15.sctlr ^ v->cp15.sctlr) & SCTLR_KEY))
			return false;
	return true;
}

int pv_shadow_check_isolation(const struct pv_vm *vm)
{
	const struct pv_shadow *sh = &vm->shadow;
	const struct pv_shadow_space *sp;
	struct pv_mmu_regs regs;
	int err;

	if (sh->l2_used > sh->nl2)
		return bad(vm, "shadow: L2 accounting");
	for (unsigned s = 0; s < sh->nspaces; s++) {
		sp = &sh->space[s];
		/* Under the key: what any vCPU selecting the space may reach. */
		space_regs(vm, &vm->vcpu[0], s, &regs);
		regs.sctlr = (regs.sctlr & ~SCTLR_KEY) | sp->sctlr;
		regs.dacr = sp->dacr;
		regs.prrr = sp->prrr;
		regs.nmrr = sp->nmrr;
		err = check_space(vm, s, &regs);
		if (err)
			return err;
		if (!sp->in_use || sp->flat)
			continue;
		/* Under the own registers of each vCPU running here, whatever
		 * the key says: nothing it reaches may exceed its rights. */
		for (unsigned i = 0; i < vm->cfg.num_vcpus && i < PV_SHADOW_MAX_VCPUS; i++) {
			if (!judge_vcpu(vm, s, i))
				continue;
			space_regs(vm, &vm->vcpu[i], s, &regs);
			err = check_space(vm, s, &regs);
			if (err)
				return err;
		}
	}
	return 0;
}

int pv_vm_shadow_layout(const struct pv_vm *vm, struct pv_shadow_layout *out)
{
	if (!vm || !out)
		return PV_EINVAL;
	out->roots_off = 0;
	out->roots_size = vm->shadow.nspaces * SPACE_BYTES;
	out->l2_off = vm->shadow.l2_off;
	out->l2_size = vm->shadow.nl2 * L2_BYTES;
	/* Table 2 * space + view: pv_shadow_init(), win_l1_desc(). */
	out->part_l2 = vm->shadow.win_part_idx != NONE ? 2 * vm->shadow.nspaces : 0;
	return 0;
}

bool pv_shadow_fast_views(struct pv_vcpu *vcpu, uint32_t ttbr0[PV_VIEW_COUNT],
			  uint32_t asid[PV_VIEW_COUNT])
{
	struct pv_vm *vm = vcpu->vm;
	struct pv_shadow *sh = &vm->shadow;
	unsigned s = sh->cur[vcpu->id];

	/* Only the space the last resume chose: no lookup, no allocation. */
	if (s == PV_SHADOW_NO_SPACE || sh->space[s].flat)
		return false;
	for (unsigned v = 0; v < PV_VIEW_COUNT; v++) {
		const struct pv_shadow_root *rt = &sh->space[s].root[v];

		if (!asid_live(sh, rt))
			return false;
		ttbr0[v] = (uint32_t)((pv_hpa_val(vm->cfg.shadow_pool.hpa) +
				       rt->l1_off) | vm->cfg.ttbr_attrs);
		asid[v] = rt->asid;
	}
	return true;
}

_Static_assert(PV_SHADOW_MAX_SPACES <= PV_FAST_CTX_N,
	       "fastpath.h: one context-switch entry per space");

void pv_shadow_fast_asids(struct pv_vcpu *vcpu)
{
	struct pv_vm *vm = vcpu->vm;
	unsigned s = vm->shadow.cur[vcpu->id];

	if (s == PV_SHADOW_NO_SPACE || vm->shadow.space[s].flat)
		return;
	for (unsigned v = 0; v < PV_VIEW_COUNT; v++)
		if (!asid_live(&vm->shadow, &vm->shadow.space[s].root[v]))
			(void)root_asid(vm, &vm->shadow.space[s].root[v]);
}

bool pv_shadow_fast_ctx_same(const struct pv_vcpu *vcpu,
			     const struct pv_fast *f, bool clock_ok, uint32_t gt)
{
	const struct pv_shadow *sh = &vcpu->vm->shadow;
	unsigned s = sh->cur[vcpu->id];

	/* Any change to a space's roots or ASIDs bumps ctx_gen. */
	return vcpu->fast_ctx_gen == sh->ctx_gen && vcpu->fast_ctx_last == s &&
	       s < PV_FAST_CTX_N && vcpu->fast_ctx_tlbi == sh->clock_gen &&
	       clock_ok && vcpu->fast_ctx_gt_va == f->gt_va &&
	       f->ctx_tab[s].gt == gt && (f->ctx_tab[s].asid & PV_FAST_CTX_VALID);
}

void pv_shadow_fast_ctx(struct pv_vcpu *vcpu, struct pv_fast *f,
			bool clock_ok, uint32_t gt)
{
	struct pv_vm *vm = vcpu->vm;
	struct pv_shadow *sh = &vm->shadow;
	unsigned s = sh->cur[vcpu->id], ref = vcpu->fast_ctx_ref;
	const struct pv_shadow_space *sp = &sh->space[s];
	struct pv_fast_ctx *e = &f->ctx_tab[s];

	vcpu->fast_ctx_last = s;
	/*
	 * Every entry is a space of the regime it was built in, with the
	 * roots and ASIDs it had then: any change to them bumps ctx_gen.
	 */
	if (vcpu->fast_ctx_gen != sh->ctx_gen || ref >= sh->nspaces ||
	    !same_regime(sp, &sh->space[ref])) {
		for (unsigned i = 0; i < PV_FAST_CTX_N; i++)
			f->ctx_tab[i].asid = 0;
		vcpu->fast_ctx_gen = sh->ctx_gen;
		vcpu->fast_ctx_ref = s;
	}
	f->ctx_mask = 0xffffffffu << (14 - (vcpu->cp15.ttbcr & 7));
	/* The clock's page as each space's own tables reached it: as a TLB
	 * may keep it, until TLB maintenance reaches that global entry. */
	if (!clock_ok || vcpu->fast_ctx_tlbi != sh->clock_gen ||
	    vcpu->fast_ctx_gt_va != f->gt_va) {
		for (unsigned i = 0; i < PV_FAST_CTX_N; i++)
			f->ctx_tab[i].gt = 0;
		vcpu->fast_ctx_tlbi = sh->clock_gen;
		vcpu->fast_ctx_gt_va = f->gt_va;
	}
	e->gt = clock_ok ? gt : 0;
	if (e->asid & PV_FAST_CTX_VALID)
		return;
	e->key = sp->ttbr0;
	e->asid = sp->asid | PV_FAST_CTX_VALID;
	e->k_ttbr0 = f->k_ttbr0;
	e->k_asid = f->k_asid;
	e->u_ttbr0 = f->u_ttbr0;
	e->u_asid = f->u_asid;
	e->part_doms = sp->part_doms;
	e->stamp = 0;
	e->space = s;
}

void pv_shadow_fast_ctx_sync(struct pv_vcpu *vcpu, struct pv_fast *f)
{
	struct pv_shadow *sh = &vcpu->vm->shadow;

	/* Each switch was a lookup that hit: its space most recently used. */
	for (unsigned i = 0; i < PV_FAST_CTX_N; i++) {
		struct pv_fast_ctx *e = &f->ctx_tab[i];

		if (!e->stamp)
			continue;
		if (e->stamp <= f->n_ctx && e->space == i && i < sh->nspaces)
			sh->space[i].last_use = sh->tick + e->stamp;
		e->stamp = 0;
	}
	sh->tick += f->n_ctx;
	sh->stats.space_hits += f->n_ctx;
	if (f->ctx_space < sh->nspaces && sh->space[f->ctx_space].in_use)
		sh->cur[vcpu->id] = (uint8_t)f->ctx_space;
	else
		sh->cur[vcpu->id] = PV_SHADOW_NO_SPACE;
}

uint32_t pv_shadow_fast_dacr(const struct pv_vcpu *vcpu, uint32_t *host_or)
{
	const struct pv_shadow *sh = &vcpu->vm->shadow;
	uint32_t fixed = sh->win_dom_mask | sh->win_guest_doms, d = vcpu->cp15.dacr;
	/* Client bits of the domains now Manager (11) or reserved (10). */
	uint32_t not_plain = (d >> 1) & 0x55555555u;

	*host_or = sh->win_dom_mask;
	/*
	 * Free: domains whose field only selects client or no access for the
	 * host DACR, as lazy PAN toggles Linux's user domain. Not the
	 * window's domains and not the guest's in the window's partial MiB
	 * (losing them flushes), not a Manager (its fills carry full rights).
	 */
	return (~(fixed | not_plain) & 0x55555555u) * 3u;
}
