/* SPDX-License-Identifier: MIT */
/**
 * DOC: the shadow page-table engine
 *
 * The guest's translation tables are never used by the hardware. The engine
 * keeps *shadow* tables in the real short-descriptor format, built lazily in
 * a caller-supplied pool, and treats them as a software TLB of the guest's
 * tables (see docs/shadow.md for the design and its numbers).
 *
 * - Guest kernel and guest user both run at host PL0, so every guest
 *   address space has two shadow roots ("views"): the kernel view, whose
 *   host-PL0 permissions are the guest's PL1 permissions, and the user view,
 *   with the guest's PL0 permissions. Each root has its own host ASID, so a
 *   guest mode switch just selects the other root: O(1), no flush.
 * - Host domain = guest domain, and the host DACR is derived from the guest
 *   DACR at resume time (no-access stays no-access, client and manager
 *   become client). A guest DACR write that toggles a domain between
 *   no-access and client (Linux CPU_SW_DOMAIN_PAN) costs O(1), no flush.
 *   Leaving Manager (entries were filled with Manager's full rights) or
 *   revoking a domain that the VMM window shares is the documented slow
 *   path: every cached shadow is flushed.
 * - Address spaces are cached by (TTBR0, TTBR1 when TTBCR.N > 0, TTBCR,
 *   ASID, and the vCPU's regime: Manager domains, denied window domains,
 *   SCTLR.AFE/TRE/EE, PRRR/NMRR under TRE), LRU-evicted inside the pool.
 *   vCPUs with the same key share roots. Exhaustion evicts; it never fails
 *   the guest.
 * - The VMM window's first-level descriptors (cfg.window_l1) sit in every
 *   root; a guest mapping that reaches into the window is PV_EWINDOW. A
 *   window whose size is not a MiB multiple (e.g. 0xfff00000 + 896 KiB,
 *   leaving Linux its vector page at 0xffff0000) ends in a section
 *   descriptor that the engine splits into 4 KiB pages in a per-root table
 *   it shares with the guest's pages of that MiB.
 * - Guest MMU off: a flat identity map of guest RAM (one more cached space).
 *
 * Host requirements: SCTLR.AFE = 0 and SCTLR.TRE = 0 on the host (shadow
 * descriptors use AP[0] as a permission bit and the TEX/C/B encodings
 * directly); the window descriptors grant no PL0 access. One host CPU runs
 * the VM's vCPUs (TLB maintenance goes through the local backend ops).
 */
#ifndef PVCORE_SHADOW_H
#define PVCORE_SHADOW_H

#include <pvcore/vm.h>

#include "mmu.h"

struct pv_fast;
struct pv_vcpu;
struct pv_vm;
struct pv_resume;


/* Smallest pool: one address space (two 16 KiB roots) plus metadata and a
 * few second-level tables. 256 KiB or more is recommended (docs/shadow.md). */
#define PV_SHADOW_POOL_MIN (64u * 1024u)

/* Outcome of pv_shadow_fault(). */
enum pv_shadow_outcome {
	PV_SHADOW_FILLED,      /* retry the instruction */
	PV_SHADOW_GUEST_FAULT, /* inject the fault in @fault */
	PV_SHADOW_MMIO,        /* the access targets a device: emulate it */
};

/* Bits for pv_shadow_ctx_changed(): which guest register was written. */
enum pv_shadow_ctx {
	PV_SHADOW_CTX_SCTLR = 1u << 0,
	PV_SHADOW_CTX_TTBR0 = 1u << 1,
	PV_SHADOW_CTX_TTBR1 = 1u << 2,
	PV_SHADOW_CTX_TTBCR = 1u << 3,
	PV_SHADOW_CTX_DACR = 1u << 4,
	PV_SHADOW_CTX_CONTEXTIDR = 1u << 5,
	PV_SHADOW_CTX_PRRR_NMRR = 1u << 6,
	PV_SHADOW_CTX_MODE = 1u << 7, /* guest privilege may have changed */
	PV_SHADOW_CTX_ALL = (1u << 8) - 1, /* a vCPU reset: everything */
};

/*
 * Guest TLB maintenance, for pv_shadow_tlbi(). The inner-shareable forms
 * (TLBIALLIS, TLBIMVAIS, TLBIASIDIS, TLBIMVAAIS) and the instruction/data
 * forms (ITLBIALL, DTLBIMVA, ...) map onto the same four operations.
 */
enum pv_tlbi {
	PV_TLBI_ALL,  /* arg ignored */
	PV_TLBI_MVA,  /* arg = MVA[31:12] | ASID[7:0] */
	PV_TLBI_ASID, /* arg = ASID[7:0] */
	PV_TLBI_MVAA, /* arg = MVA[31:12], all ASIDs */
};

#define PV_SHADOW_MAX_SPACES 16
#define PV_SHADOW_MAX_VCPUS 4
#define PV_SHADOW_NO_SPACE 0xffu

/* The two shadow roots of an address space. */
enum pv_shadow_view {
	PV_VIEW_KERNEL,
	PV_VIEW_USER,
	PV_VIEW_COUNT,
};

/**
 * struct pv_shadow_root - one shadow first-level table
 * @l1_off: byte offset of its 16 KiB table in the pool
 * @asid: host ASID, valid while @asid_gen equals the engine's generation
 * @asid_gen: generation @asid was allocated in (0: none)
 */
struct pv_shadow_root {
	uint32_t l1_off;
	uint32_t asid_gen;
	uint8_t asid;
};

/**
 * struct pv_shadow_space - one cached guest address space
 * @ttbr0, @ttbr1, @ttbcr, @asid, @flat: the key (@flat: guest MMU off)
 * @dacr, @sctlr: the rest of the key, the part of the vCPU's regime that
 *        changes what a filled entry grants (vCPUs that differ in it never
 *        share roots): @dacr is 11 for a Manager domain, 00 for a window
 *        domain the guest denies, 01 for every other domain (the host DACR
 *        hides those the guest denies); @sctlr is SCTLR.AFE/TRE/EE, @prrr
 *        and @nmrr the memory-type remap when TRE is set (else 0). All 0
 *        when @flat.
 * @part_doms: DACR client bits of the domains of the guest's pages in the
 *        window's partial MiB (they carry the window's host domain, so the
 *        host DACR cannot hide them): a vCPU denying one does not run here
 * @in_use: the slot holds a space
 * @last_use: LRU tick
 * @root: the kernel and user views
 */
struct pv_shadow_space {
	uint32_t ttbr0, ttbr1, ttbcr;
	uint32_t dacr, sctlr, prrr, nmrr;
	uint32_t part_doms;
	uint8_t asid;
	bool flat, in_use;
	uint32_t last_use;
	struct pv_shadow_root root[PV_VIEW_COUNT];
};

/**
 * struct pv_shadow_stats - counters for docs and tests
 */
struct pv_shadow_stats {
	uint64_t fills_page, fills_section, guest_faults, mmio;
	uint64_t evictions, l2_reclaims, full_flushes, asid_rollovers;
	uint64_t space_misses, space_hits;
	uint64_t stub_fills; /* stub-area entries (vpage.h) */
	uint64_t global_copies; /* global-origin sections copied to a new space */
	uint64_t prefills; /* page fills a fast return made (in fills_page) */
};

/**
 * struct pv_shadow - the engine's state (inside &struct pv_vm)
 *
 * Pool layout: @nspaces x 2 roots of 16 KiB from offset 0, then the
 * per-root "used L1 index" bitmaps (512 bytes each), the per-L2 slot
 * metadata words and the per-L2 slot dirty-line masks (l2_dirty()), then
 * @nl2 second-level tables of 1 KiB from @l2_off. Only the roots and the
 * tables are walked (pv_vm_shadow_layout()).
 */
struct pv_shadow {
	struct pv_shadow_space space[PV_SHADOW_MAX_SPACES];
	unsigned nspaces;
	uint32_t bitmap_off, l2meta_off, l2_off;
	unsigned nl2;
	uint32_t l2_free; /* head of the free list, or UINT32_MAX */
	uint32_t l2_used;
	uint32_t tick;
	uint32_t asid_gen;
	uint32_t tlbi_gen; /* bumped by every guest TLB maintenance operation */
	/* Per vCPU, the page of a global kernel mapping its fast paths keep
	 * (the clock's, fastpath.c), and a generation bumped only by the
	 * guest TLB maintenance that reaches one of them: TLBIALL, or by MVA
	 * at that page (a TLBIASID leaves global entries). */
	uint32_t clock_va[PV_SHADOW_MAX_VCPUS], clock_gen;
	unsigned next_asid;
	unsigned asid_first, asid_last; /* the config's range, defaults applied */
	uint32_t win_first, win_count; /* whole-MiB L1 indices of the window */
	uint32_t win_dom_mask;         /* DACR client bits of window domains */
	/* A window that ends inside a MiB: that L1 slot is a pinned L2 table
	 * per root (slot 2 * space + view), the first @win_part_pages pages the
	 * VMM's, the rest the guest's. @win_part_idx is UINT32_MAX if none. */
	uint32_t win_part_idx, win_part_pages;
	uint32_t win_guest_doms;       /* DACR client bits of guest fills there */
	/* The stub area's second-level tables (vpage.h), one per MiB from
	 * slot @stub_l2, pinned and linked into the kernel view of every
	 * space with its MMU on: the area maps the same in all of them. */
	uint32_t stub_l2, stub_mibs;
	uint8_t cur[PV_SHADOW_MAX_VCPUS];
	uint32_t last_dacr[PV_SHADOW_MAX_VCPUS];
	uint32_t last_sctlr[PV_SHADOW_MAX_VCPUS];
	uint32_t mgr_filled; /* domains with entries filled while Manager */
	/* Bumped (never 0) when a cached space's key, roots, ASIDs or
	 * part_doms change: the fast context-switch tables are rebuilt. */
	uint32_t ctx_gen;
	struct pv_shadow_stats stats;
};

/**
 * pv_shadow_init() - carve the pool and install the window in every root
 * @vm: the VM; @vm->cfg is set
 *
 * Called by pv_vm_init(). Asks nothing of the backend.
 *
 * Return: 0; PV_EINVAL if the pool is misaligned, the pool or a RAM
 * backing lies above 4 GiB host-physical, a window section grants PL0
 * access, or a window ending inside a MiB does not end in a section;
 * PV_ENOMEM if the pool is smaller than PV_SHADOW_POOL_MIN.
 */
int pv_shadow_init(struct pv_vm *vm);

/**
 * pv_shadow_fault() - handle a host translation/permission/domain fault
 * @vcpu: the vCPU that faulted (its current guest privilege applies)
 * @va: the faulting guest-virtual address (host DFAR/IFAR)
 * @acc: PV_ACC_READ, PV_ACC_WRITE or PV_ACC_EXEC for the access
 * @outcome: set on success
 * @fault: set when *@outcome is PV_SHADOW_GUEST_FAULT: the exact DFSR/IFSR
 *         and DFAR/IFAR the guest must see
 *
 * Walks the guest tables. A guest fault is returned as such; a RAM target
 * is filled into the view of the current privilege (a host section when
 * the guest section and a 1 MiB-aligned host backing allow, 4 KiB pages
 * otherwise) and the instruction is retried; a device target is MMIO (an
 * instruction fetch from a device, or a target with nothing behind it, is
 * an external abort for the guest). Evicts when the pool is full.
 *
 * Return: 0 with *@outcome set; PV_EWINDOW if the guest maps the faulting
 * address inside the VMM window; PV_ESTATE on internal inconsistency.
 */
int pv_shadow_fault(struct pv_vcpu *vcpu, pv_gva_t va, unsigned acc,
		    enum pv_shadow_outcome *outcome, struct pv_fault *fault);

/**
 * pv_shadow_resume() - the shadow context the guest must run with
 * @vcpu: the vCPU about to run
 * @out: ->ttbr0 (host-physical root of the shadow for the current guest
 *       address space and privilege, ORed with cfg.ttbr_attrs), ->asid and
 *       ->dacr are set; other fields are left alone.
 *
 * Looks the address space up in the cache (creating or evicting one if
 * needed) and allocates a host ASID if the root has none in the current
 * generation (a rollover invalidates the host TLB through the backend).
 * Called by pv_vcpu_resume_state(). Cannot fail.
 */
void pv_shadow_resume(struct pv_vcpu *vcpu, struct pv_resume *out);

/**
 * pv_shadow_fast_views() - the host roots of both views of the vCPU's
 * current space, for a backend fast path that switches between them
 * @vcpu: the vCPU, right after pv_shadow_resume()
 * @ttbr0: filled per view (PV_VIEW_*), as &struct pv_resume's ttbr0
 * @asid: filled per view
 *
 * Return: false (nothing filled, nothing allocated) when the space is flat
 * or a view has no live ASID.
 */
bool pv_shadow_fast_views(struct pv_vcpu *vcpu, uint32_t ttbr0[PV_VIEW_COUNT],
			  uint32_t asid[PV_VIEW_COUNT]);

/**
 * pv_shadow_fast_asids() - give both views of the vCPU's current space a
 * live host ASID, so that a fast path may switch to either (a space the
 * guest kernel only passes through, as Linux's reserved TTBR0 during a
 * context switch, never resumes its user view)
 * @vcpu: the vCPU, right after pv_shadow_resume()
 */
void pv_shadow_fast_asids(struct pv_vcpu *vcpu);

/**
 * pv_shadow_fast_ctx() - publish the cached spaces a fast context switch
 * may select (pvcore/fastpath.h)
 * @vcpu: the vCPU, right after a pv_shadow_fast_views() that succeeded
 * @f: its backend struct
 * @clock_ok: the fast global-timer read's clock conditions hold
 * @gt: PV_FAST_GT_OK if it may run in the current space now, else 0
 *
 * Rebuilds @f's table when a space changed since it was built or the
 * regime is another, then enters the current space; sets @f's ctx_mask.
 * An entry offers the clock's fast read only while @clock_ok held at
 * every fill since the core found the page in that space, with no guest
 * TLB maintenance and the same page address. Allocates nothing.
 */
void pv_shadow_fast_ctx(struct pv_vcpu *vcpu, struct pv_fast *f,
			bool clock_ok, uint32_t gt);

/**
 * pv_shadow_fast_ctx_same() - nothing pv_shadow_fast_ctx() and
 * pv_shadow_fast_asids() would do: the vCPU resumes in the space of the
 * last full fill, and no space, TLB maintenance or clock state changed
 * since (most C-path traps; a page fault takes two)
 * @vcpu: the vCPU, right after pv_shadow_resume()
 * @f: its backend struct
 * @clock_ok, @gt: as for pv_shadow_fast_ctx()
 */
bool pv_shadow_fast_ctx_same(const struct pv_vcpu *vcpu,
			     const struct pv_fast *f, bool clock_ok, uint32_t gt);

/**
 * pv_shadow_fast_ctx_sync() - take back the fast context switches since
 * the last fill: the current space and the spaces' recency, as the core's
 * own lookups would have left them
 * @vcpu: the vCPU
 * @f: its backend struct, with n_ctx > 0
 */
void pv_shadow_fast_ctx_sync(struct pv_vcpu *vcpu, struct pv_fast *f);

/**
 * pv_shadow_fast_dacr() - the DACR fields a backend fast path may change
 * itself (between 00 and 01): those whose change the engine would only
 * apply as a host DACR, with no flush and no other space
 * @vcpu: the vCPU
 * @host_or: set to what the host DACR adds to the guest's client bits
 *
 * Return: a mask of whole 2-bit fields.
 */
uint32_t pv_shadow_fast_dacr(const struct pv_vcpu *vcpu, uint32_t *host_or);

/**
 * pv_shadow_ctx_changed() - the guest wrote translation-regime state
 * @vcpu: the vCPU, whose cp15 fields already hold the new values
 * @what: PV_SHADOW_CTX_* bits
 *
 * TTBR0/1, TTBCR, CONTEXTIDR and SCTLR.M select another cached address
 * space at the next resume (O(1) here). DACR and MODE are O(1) except the
 * slow DACR path described above. SCTLR.AFE/TRE changes and PRRR/NMRR
 * writes while TRE is set change how every descriptor reads: all shadows
 * are flushed. Cannot fail.
 */
void pv_shadow_ctx_changed(struct pv_vcpu *vcpu, unsigned what);

/**
 * pv_shadow_tlbi() - guest TLB maintenance
 * @vcpu: the vCPU that issued it
 * @op: the operation
 * @arg: its register operand (see &enum pv_tlbi)
 *
 * Invalidates at least every shadow entry the architecture says may be
 * stale: by MVA, in every cached space (global guest entries are copied
 * into each space), covering the whole 64 KiB / 1 MiB / 16 MiB guest
 * mapping the shadow entry may have come from. Host TLB entries go
 * through the backend ops. Cannot fail.
 */
void pv_shadow_tlbi(struct pv_vcpu *vcpu, enum pv_tlbi op, uint32_t arg);

/**
 * pv_shadow_tlbi_range() - TLB invalidation by MVA of consecutive pages
 * @vcpu: the vCPU that issued it
 * @va: the first page's MVA (bits [11:0] ignored)
 * @pages: how many 4 KiB pages, from @va upwards (wrapping at 4 GiB)
 *
 * The same as @pages calls of pv_shadow_tlbi() with PV_TLBI_MVA or
 * PV_TLBI_MVAA (which invalidate alike: every ASID), one page apart, in
 * one pass over each cached space per MiB (cmo_loop.c's fused loops of
 * Linux's flush_tlb_range). Cannot fail.
 */
void pv_shadow_tlbi_range(struct pv_vcpu *vcpu, uint32_t va, uint32_t pages);

/**
 * pv_shadow_flush_all() - drop every shadow entry of every cached space.
 * Keeps the cache keys; the next accesses refill. Cannot fail.
 */
void pv_shadow_flush_all(struct pv_vm *vm);

/**
 * pv_shadow_check_isolation() - verify the isolation invariant
 * @vm: the VM
 *
 * Walks every valid entry of every shadow root: the window slots hold
 * exactly cfg.window_l1; every other entry maps only host backing of guest
 * RAM (never the pool, never MMIO or VMM memory), with host-PL0 rights no
 * wider than the guest's own for that view, address space and VA; second-
 * level tables lie inside the pool and belong to the root that links them.
 * Rights are checked by re-walking the guest under the space's key (its
 * DACR, SCTLR bits and remap registers), and
 * again under the DACR and SCTLR of every vCPU whose current space it is:
 * what that vCPU reaches through its host DACR must be within its own
 * rights. This part assumes the guest did the TLB maintenance the
 * architecture requires after changing its tables.
 *
 * Return: 0; PV_ECORRUPT naming nothing (tests print the first bad entry
 * through the backend log).
 */
int pv_shadow_check_isolation(const struct pv_vm *vm);

#endif /* PVCORE_SHADOW_H */
