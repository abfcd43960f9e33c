/* SPDX-License-Identifier: MIT */
/*
 * Shadow engine against a reference model.
 *
 * Random guest tables (every descriptor kind) live in fake guest RAM. For
 * random VAs, access types and privileges, a simulated host CPU (this
 * file's own walker of the SHADOW table at host PL0 with the host DACR,
 * in front of a simulated host TLB that only the backend's invalidation
 * ops can clean) runs the access; on a host fault it calls
 * pv_shadow_fault() and retries, exactly like a backend. The outcome must
 * equal the reference: the guest walk (pv_mmu_translate) composed with
 * the memory map. Table changes followed by the maintenance the
 * architecture requires, TLB maintenance, TTBR/TTBCR/ASID/DACR/SCTLR/PRRR
 * changes and mode switches are interleaved.
 *
 * PV_SHADOW_CASES=<n> runs more accesses (default 1,000,000 over all
 * configurations); PV_SHADOW_SEED=<n> changes the seed.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "fake_backend.h"

/* A window of whole MiBs, the simplest case; the default ends below the
 * guest vector page (PV_DEFAULT_WINDOW_SIZE), tested separately. */
#define WHOLE_MIB_WINDOW 0x00100000u

/* ---- guest-physical layout ---- */
#define RAM0 FAKE_RAM_BASE          /* 16 MiB, host 0x40000000 */
#define RAM1 0x20000000u            /* 1.5 MiB, host not 1 MiB aligned */
#define RAM1_SIZE 0x180000u
#define RAM1_HPA 0x50004000u
#define MMIO 0x30000000u
#define MMIO_SIZE 0x100000u
#define HOLE 0x38000000u
#define L1A (RAM0 + 0x0000u)
#define L1B (RAM0 + 0x4000u)
#define L1C (RAM0 + 0x8000u) /* TTBR1 */
#define L2T (RAM0 + 0xc000u)
#define NL2 48

static struct fake_backend fb;
static struct pv_vm_config cfg;

static struct pv_vm *vm;
static struct pv_vcpu *v;    /* the vCPU that acts */
static unsigned nvcpus = 1;   /* vCPUs of the next setup_vm() */
static uint8_t *ram1;
static uint64_t rng;
static unsigned cur_asids[] = { 1, 2, 3, 4, 5 };

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)((rng >> 11) % n) : 0;
}

/* VA MiB indices the cases use: small, so entries collide and get reused. */
static const uint32_t va_mib[] = {
	0x000, 0x001, 0x002, 0x010, 0x011, 0x015, 0x01f, 0x100, 0x101,
	0x200, 0x201, 0x300, 0x3ff, 0x400, 0x7ff, 0x800, 0xbff, 0xc00,
	0xc01, 0xc0f, 0xffe, 0xfff,
};

static uint32_t *gptr(uint32_t gpa)
{
	return fake_backend_ram(&fb, gpa);
}

static int dummy_read(void *dev, uint32_t off, unsigned size, uint64_t *val)
{
	(void)dev; (void)off; (void)size;
	*val = 0;
	return 0;
}

static int dummy_write(void *dev, uint32_t off, unsigned size, uint64_t val)
{
	(void)dev; (void)off; (void)size; (void)val;
	return 0;
}

static const struct pv_mmio_ops dummy_mmio = { dummy_read, dummy_write };

/* ---- the simulated host: TLB model and shadow walker ---- */

struct tlbe {
	bool valid, global, r, w, x;
	uint32_t va, size;
	uint8_t asid, dom;
	uint64_t pa;
	uint32_t attr;
};
#define NTLB 16
static struct tlbe tlb[NTLB];
static unsigned tlb_inval_calls;

static void m_tlb_all(void *ctx)
{
	memset(tlb, 0, sizeof(tlb));
	fake_backend_ops.tlb_inval_all(ctx);
}

static void m_tlb_asid(void *ctx, uint8_t asid)
{
	for (unsigned i = 0; i < NTLB; i++)
		if (tlb[i].valid && !tlb[i].global && tlb[i].asid == asid)
			tlb[i].valid = false;
	fake_backend_ops.tlb_inval_asid(ctx, asid);
}

static void m_tlb_va(void *ctx, pv_gva_t va, uint8_t asid)
{
	uint32_t a = pv_gva_val(va);

	tlb_inval_calls++;
	for (unsigned i = 0; i < NTLB; i++)
		if (tlb[i].valid && (tlb[i].global || tlb[i].asid == asid) &&
		    a - tlb[i].va < tlb[i].size)
			tlb[i].valid = false;
	fake_backend_ops.tlb_inval_va(ctx, va, asid);
}

static struct pv_backend_ops model_ops;

/* Host-physical to our pointer: only the pool and the window are tables. */
static const uint32_t *hpa_table(uint64_t hpa)
{
	if (hpa >= fb.pool_hpa && hpa < fb.pool_hpa + FAKE_POOL_SIZE)
		return (const uint32_t *)(fb.pool + (hpa - fb.pool_hpa));
	return NULL;
}

enum hw_result { HW_OK, HW_FAULT, HW_BAD };

/* AP[2:0] at PL0 with host AFE = 0: read, write. */
static void pl0_perm(unsigned ap, bool *r, bool *w)
{
	*r = ap == 2 || ap == 3 || ap == 6 || ap == 7;
	*w = ap == 3;
}

/*
 * The hardware, independently of the engine: TLB, then the walk of the
 * shadow table at host PL0. Returns HW_BAD for things hardware would do
 * but the engine must never produce (host Manager domain, large pages in
 * the pool, an L2 table outside the pool).
 */
static enum hw_result hw_access(const struct pv_resume *rs, uint32_t va,
				unsigned acc, struct tlbe *out, const char **why)
{
	const uint32_t *l1, *l2;
	uint32_t d, e, ap, dom, root = (uint32_t)(pv_hpa_val(rs->ttbr0) & ~0x3fffull);
	struct tlbe t;

	for (unsigned i = 0; i < NTLB; i++) {
		if (tlb[i].valid && (tlb[i].global || tlb[i].asid == rs->asid) &&
		    va - tlb[i].va < tlb[i].size) {
			t = tlb[i];
			goto check;
		}
	}
	l1 = hpa_table(root);
	if (!l1) {
		*why = "TTBR0 outside the pool";
		return HW_BAD;
	}
	d = l1[va >> 20];
	memset(&t, 0, sizeof(t));
	t.asid = rs->asid;
	switch (d & 3) {
	case 0:
		return HW_FAULT;
	case 3:
		*why = "reserved L1 type";
		return HW_BAD;
	case 2:
		if (d & (1u << 18)) {
			*why = "supersection in shadow";
			return HW_BAD;
		}
		dom = (d >> 5) & 15;
		ap = ((d >> 15) & 1) << 2 | ((d >> 10) & 3);
		t.va = va & 0xfff00000u;
		t.size = 1u << 20;
		t.pa = d & 0xfff00000u;
		t.global = !(d & (1u << 17));
		t.x = !(d & (1u << 4));
		t.attr = ((d >> 12) & 7) << 3 | ((d >> 3) & 1) << 2 |
			 ((d >> 2) & 1) << 1 | ((d >> 16) & 1);
		break;
	default:
		dom = (d >> 5) & 15;
		l2 = hpa_table(d & 0xfffffc00u);
		if (!l2) {
			*why = "L2 table outside the pool";
			return HW_BAD;
		}
		e = l2[(va >> 12) & 0xff];
		if (!(e & 3))
			return HW_FAULT;
		if (!(e & 2)) {
			*why = "large page in shadow";
			return HW_BAD;
		}
		ap = ((e >> 9) & 1) << 2 | ((e >> 4) & 3);
		t.va = va & 0xfffff000u;
		t.size = 1u << 12;
		t.pa = e & 0xfffff000u;
		t.global = !(e & (1u << 11));
		t.x = !(e & 1);
		t.attr = ((e >> 6) & 7) << 3 | ((e >> 3) & 1) << 2 |
			 ((e >> 2) & 1) << 1 | ((e >> 10) & 1);
		break;
	}
	pl0_perm(ap, &t.r, &t.w);
	t.x = t.x && t.r;
	t.valid = true;
	t.dom = (uint8_t)dom;
	tlb[rnd(NTLB)] = t;
check:
	/* The TLB keeps the domain; the DACR applies at every access. */
	switch ((rs->dacr >> (2 * t.dom)) & 3) {
	case 0:
	case 2:
		return HW_FAULT;
	case 3:
		*why = "host Manager domain";
		return HW_BAD;
	}
	if (!t.r || ((acc & PV_ACC_WRITE) && !t.w) || ((acc & PV_ACC_EXEC) && !t.x))
		return HW_FAULT;
	*out = t;
	out->pa = t.pa + (va - t.va);
	return HW_OK;
}

/* ---- guest table generation ---- */

static uint32_t rand_pa(uint32_t align)
{
	switch (rnd(20)) {
	case 0: case 1: case 2:
		return (RAM1 + rnd(2 * 1024 * 1024)) & ~(align - 1);
	case 3: case 4:
		return MMIO & ~(align - 1);
	case 5:
		return HOLE & ~(align - 1);
	default:
		return (RAM0 + rnd(FAKE_RAM_SIZE)) & ~(align - 1);
	}
}

static uint32_t rand_ap(void)
{
	/* All eight, including the reserved 100; mostly ones that grant. */
	static const uint8_t pick[] = { 3, 3, 3, 2, 1, 7, 0, 4, 5, 6 };

	return pick[rnd(sizeof(pick))];
}

static void gen_l2_entry(uint32_t k, uint32_t j)
{
	uint32_t *l2 = gptr(L2T + k * 1024), ap = rand_ap(), e;

	switch (rnd(6)) {
	case 0:
		l2[j] = rnd(4) ? 0 : rnd(UINT32_MAX) & ~3u;
		return;
	case 1: /* large page: 16 copies */
		j &= ~15u;
		e = (rand_pa(0x10000) & 0xffff0000u) | rnd(2) << 15 |
		    rnd(8) << 12 | rnd(2) << 11 | rnd(2) << 10 | (ap >> 2) << 9 |
		    (ap & 3) << 4 | rnd(4) << 2 | 1;
		for (unsigned i = 0; i < 16; i++)
			l2[j + i] = e;
		return;
	default:
		l2[j] = (rand_pa(0x1000) & 0xfffff000u) | rnd(2) << 11 |
			rnd(2) << 10 | (ap >> 2) << 9 | rnd(8) << 6 |
			(ap & 3) << 4 | rnd(4) << 2 | 2 | rnd(2);
	}
}

static uint32_t table_of(unsigned t)
{
	return t == 0 ? L1A : t == 1 ? L1B : L1C;
}

/* Write a new random L1 descriptor; returns the first index of the range
 * it covers and sets *n to 1 or 16. */
static uint32_t gen_l1_entry(unsigned t, uint32_t idx, unsigned *n)
{
	uint32_t *l1 = gptr(table_of(t)), ap = rand_ap(), d;
	uint32_t common = rnd(16) << 5; /* domain (no domain for supersections) */

	*n = 1;
	common = (rnd(2) << 17 | rnd(2) << 16 | (ap >> 2) << 15 | rnd(8) << 12 |
		  (ap & 3) << 10 | rnd(2) << 4 | rnd(4) << 2) | (rnd(4) << 5);
	switch (rnd(12)) {
	case 0:
		d = rnd(3) ? 0 : 3;
		break;
	case 1: case 2: case 3: case 8: case 9: case 10: case 11:
		d = (rand_pa(0x100000) & 0xfff00000u) | common | 2;
		break;
	case 4:
		idx &= ~15u;
		*n = 16;
		if (rnd(8) == 0) /* above 4 GiB: nothing there */
			d = 0x01000000u | 1u << 20 | 1u << 18 | (common & ~0x1e0u) | 2;
		else
			d = (rand_pa(0x1000000) & 0xff000000u) | 1u << 18 |
			    (common & ~0x1e0u) | 2;
		for (unsigned i = 0; i < 16; i++)
			l1[idx + i] = d;
		return idx;
	default:
		d = (L2T + rnd(NL2) * 1024) | (rnd(4) << 5) | 1;
		break;
	}
	/* Replacing one entry of a supersection group breaks the group. */
	if ((l1[idx] & 0x40003u) == 0x40002u) {
		uint32_t g = idx & ~15u;

		for (unsigned i = 0; i < 16; i++)
			l1[g + i] = 0;
		l1[idx] = d;
		*n = 16;
		return g;
	}
	l1[idx] = d;
	return idx;
}

static void gen_tables(void)
{
	memset(gptr(L1A), 0, 0xc000 + NL2 * 1024);
	for (uint32_t k = 0; k < NL2; k++)
		for (uint32_t j = 0; j < 256; j++)
			gen_l2_entry(k, j);
	for (unsigned t = 0; t < 3; t++) {
		for (unsigned i = 0; i < PV_ARRAY_SIZE(va_mib); i++) {
			unsigned n;

			gen_l1_entry(t, va_mib[i], &n);
		}
	}
	/* Half the groups the same in both TTBR0 tables (a kernel half). */
	for (unsigned i = 0; i < PV_ARRAY_SIZE(va_mib); i++)
		if (rnd(2))
			memcpy(&gptr(L1B)[va_mib[i] & ~15u],
			       &gptr(L1A)[va_mib[i] & ~15u], 16 * 4);
	/* Random filler in data pages, including the MMU-off identity range. */
	for (uint32_t a = RAM0 + 0x100000; a < RAM0 + 0x110000; a += 4)
		*gptr(a) = rnd(UINT32_MAX);
}

/* ---- the reference and one case ---- */

static unsigned long cases, fills, guest_faults, mmios, windows, hits;
static unsigned long fs_hist[32];
static char fail_msg[512];

static bool report(const char *what, uint32_t va, unsigned acc)
{
	snprintf(fail_msg, sizeof(fail_msg),
		 "%s: case %lu va=%08x acc=%u mode=%02x sctlr=%08x ttbr0=%08x "
		 "ttbcr=%x dacr=%08x asid=%u",
		 what, cases, va, acc, v->cpsr & 0x1f, v->cp15.sctlr,
		 v->cp15.ttbr0, v->cp15.ttbcr, v->cp15.dacr,
		 v->cp15.contextidr & 0xff);
	if (getenv("PV_SHADOW_VERBOSE"))
		fprintf(stderr, "%s\n", fail_msg);
	return false;
}

/* Expected host attribute bits TEX:C:B:S for a reference walk. */
static uint32_t expect_attr(const struct pv_walk *w, bool flat)
{
	if (flat)
		return 1u << 3 | 1;
	switch (w->memtype) {
	case PV_MT_NORMAL:
		return (4u | w->outer) << 3 | (w->inner & 3u) << 1 | w->shareable;
	case PV_MT_DEVICE:
		return w->shareable ? 1u << 1 : 2u << 3;
	default:
		return 0;
	}
}

static bool one_access(uint32_t va, unsigned acc)
{
	struct pv_walk w;
	struct pv_fault rf, f;
	struct pv_resume rs;
	struct tlbe hit;
	enum pv_shadow_outcome oc;
	const char *why = "";
	const struct pv_ram_region *r;
	bool flat = !(v->cp15.sctlr & 1);
	int ref, err;
	uint64_t want_hpa = 0;
	enum { R_HIT, R_FAULT, R_MMIO, R_WINDOW } expect;

	cases++;
	ref = pv_mmu_translate(v, pv_gva(va), acc, &w, &rf);
	/* A guest mapping into the window is reported; with the MMU off the
	 * window's addresses are guest-physical ones with nothing behind. */
	if (ref == 0 && va - cfg.window_base < cfg.window_size && !flat) {
		expect = R_WINDOW;
	} else if (ref) {
		expect = R_FAULT;
	} else if ((r = pv_memmap_find_ram(&vm->map, w.pa, 1))) {
		expect = R_HIT;
		want_hpa = pv_hpa_val(r->hpa) + (pv_gpa_val(w.pa) - pv_gpa_val(r->gpa));
	} else if (!(acc & PV_ACC_EXEC) && pv_memmap_find_mmio(&vm->map, w.pa)) {
		expect = R_MMIO;
	} else {
		expect = R_FAULT;
		rf.fsr = PV_FSR_FS(PV_FS_SYNC_EXT) |
			 ((acc & PV_ACC_WRITE) && !(acc & PV_ACC_EXEC) ? PV_FSR_WNR : 0);
		rf.far = va;
		rf.is_prefetch = acc & PV_ACC_EXEC;
	}
	for (int tries = 0; tries < 4; tries++) {
		pv_shadow_resume(v, &rs);
		switch (hw_access(&rs, va, acc, &hit, &why)) {
		case HW_BAD:
			return report(why, va, acc);
		case HW_OK:
			if (expect != R_HIT) {
				if (getenv("PV_SHADOW_VERBOSE"))
					fprintf(stderr, "guest l1 %08x\n", gptr(v->cp15.ttbr0 & ~0x3fffu)[va >> 20]);
				if (getenv("PV_SHADOW_VERBOSE"))
					fprintf(stderr, "expect %d ref %d fsr %x hit va %08x size %x pa %llx r%d w%d x%d dom %u asid %u tries %d\n",
						expect, ref, rf.fsr | (gptr(v->cp15.ttbr0 & ~0x3fffu)[va >> 20] & 0) , hit.va, hit.size, (unsigned long long)hit.pa, hit.r, hit.w, hit.x, hit.dom, hit.asid, tries);
				return report("host access succeeds where the guest must not", va, acc);
			}
			if (hit.pa != want_hpa)
				return report("wrong host PA", va, acc);
			if (hit.attr != expect_attr(&w, flat))
				return report("wrong memory attributes", va, acc);
			hits++;
			return true;
		case HW_FAULT:
			break;
		}
		memset(&f, 0xa5, sizeof(f));
		err = pv_shadow_fault(v, pv_gva(va), acc, &oc, &f);
		if (err == PV_EWINDOW) {
			windows++;
			return expect == R_WINDOW || report("unexpected PV_EWINDOW", va, acc);
		}
		if (err)
			return report("pv_shadow_fault error", va, acc);
		if (oc == PV_SHADOW_FILLED) {
			fills++;
			continue;
		}
		if (oc == PV_SHADOW_MMIO) {
			mmios++;
			return expect == R_MMIO || report("unexpected MMIO", va, acc);
		}
		guest_faults++;
		fs_hist[(f.fsr & 0xf) | (f.fsr >> 6 & 0x10)]++;
		if (expect != R_FAULT)
			return report("unexpected guest fault", va, acc);
		if (f.fsr != rf.fsr || f.far != rf.far || f.is_prefetch != rf.is_prefetch)
			return report("wrong guest FSR/FAR", va, acc);
		return true;
	}
	return report("no progress after fills (stale host TLB?)", va, acc);
}

/* ---- maintenance after a table change ----
 *
 * Only what the architecture requires, so that an engine that invalidates
 * too little fails: one operation per old TLB entry, at a random address
 * inside it (a TLB entry for a 64 KiB, 1 MiB or 16 MiB mapping goes with
 * any MVA inside it), with one random ASID for a global entry and every
 * ASID for a non-global one.
 */
static void inval_old(uint32_t base, uint32_t size, bool global)
{
	uint32_t va = base + (rnd(size) & ~0xfffu);

	switch (rnd(8)) {
	case 0:
		pv_shadow_tlbi(v, PV_TLBI_ALL, 0);
		return;
	case 1:
	case 2:
		pv_shadow_tlbi(v, PV_TLBI_MVAA, va | rnd(256));
		return;
	case 3:
		if (!global) {
			for (unsigned i = 0; i < PV_ARRAY_SIZE(cur_asids); i++)
				pv_shadow_tlbi(v, PV_TLBI_ASID, cur_asids[i]);
			return;
		}
		/* fall through */
	case 4: {
		/* A flush_tlb_range() loop fused by cmo_loop.c: some pages
		 * around @va, every ASID. */
		uint32_t back = rnd(2) ? rnd(8) : rnd(300);

		pv_shadow_tlbi_range(v, (va - (back << 12)) | rnd(4096),
				     back + 1 + rnd(rnd(2) ? 8 : 300));
		return;
	}
	default:
		if (global) {
			pv_shadow_tlbi(v, PV_TLBI_MVA, va | rnd(256));
			return;
		}
		for (unsigned i = 0; i < PV_ARRAY_SIZE(cur_asids); i++)
			pv_shadow_tlbi(v, PV_TLBI_MVA, va | cur_asids[i]);
	}
}

/* Old L2 entries [j0, j1) of a table mapped at @mib. */
static void inval_old_l2(uint32_t mib, const uint32_t *old, const uint32_t *now,
			 uint32_t j0, uint32_t j1)
{
	for (uint32_t j = j0; j < j1; j++) {
		uint32_t e = old[j];

		if (now && now[j] == e)
			continue;
		if ((e & 3) == 1) { /* large: once for its 64 KiB */
			uint32_t g = j & ~15u;

			inval_old(mib | g << 12, 0x10000, !(e & (1u << 11)));
			j = g + 15;
		} else if (e & 2) {
			inval_old(mib | j << 12, 0x1000, !(e & (1u << 11)));
		}
	}
}

static void mutate_l2(void)
{
	uint32_t k = rnd(NL2), j = rnd(256), *l2 = gptr(L2T + k * 1024);
	uint32_t old[256];

	memcpy(old, l2, sizeof(old));
	gen_l2_entry(k, j);
	/* Every VA that maps through table k, in every guest L1 table. */
	for (unsigned t = 0; t < 3; t++) {
		const uint32_t *l1 = gptr(table_of(t));

		for (unsigned i = 0; i < PV_ARRAY_SIZE(va_mib); i++) {
			uint32_t d = l1[va_mib[i]];

			if ((d & 3) == 1 && (d & 0xfffffc00u) == L2T + k * 1024)
				inval_old_l2(va_mib[i] << 20, old, l2, j & ~15u,
					     (j & ~15u) + 16);
		}
	}
}

/* The TLB entries an old L1 descriptor at @idx may have produced. */
static void inval_old_l1(uint32_t idx, uint32_t d)
{
	switch (d & 3) {
	case 1:
		inval_old_l2(idx << 20, gptr(d & 0xfffffc00u), NULL, 0, 256);
		break;
	case 2:
		if (d & (1u << 18))
			inval_old((idx & ~15u) << 20, 0x1000000, !(d & (1u << 17)));
		else
			inval_old(idx << 20, 0x100000, !(d & (1u << 17)));
		break;
	}
}

/* The entries [first, first + n) of the 16-entry group @g of table @l1
 * changed from @old: invalidate what the old ones may have left. */
static void inval_old_group(const uint32_t *l1, uint32_t g, const uint32_t *old,
			    uint32_t first, unsigned n)
{
	bool super_done = false;

	for (uint32_t i = first; i < first + n; i++) {
		uint32_t d = old[i - g];

		if (d == l1[i])
			continue;
		if ((d & 0x40003u) == 0x40002u) {
			if (!super_done)
				inval_old_l1(i, d);
			super_done = true;
			continue;
		}
		inval_old_l1(i, d);
	}
}

static void mutate_l1(void)
{
	unsigned t = rnd(3), n;
	uint32_t idx = va_mib[rnd(PV_ARRAY_SIZE(va_mib))];
	uint32_t *l1 = gptr(table_of(t)), *o, old[16], first, g;

	if (idx == 0xfff)
		idx = 0xffe;
	g = idx & ~15u;
	memcpy(old, &l1[g], sizeof(old));
	first = gen_l1_entry(t, idx, &n);
	inval_old_group(l1, g, old, first, n);
	if (t == 2 || rnd(2))
		return;
	/* The same entries in the other TTBR0 table too (as Linux's kernel
	 * half is in every process's): spaces may share global sections. */
	o = gptr(table_of(t ^ 1));
	memcpy(old, &o[g], sizeof(old));
	memcpy(&o[g], &l1[g], sizeof(old));
	inval_old_group(o, g, old, g, 16);
}

static uint32_t rand_dacr(void)
{
	uint32_t d = 0;

	for (unsigned i = 0; i < 16; i++) {
		static const uint8_t pick[] = { 0, 1, 1, 1, 1, 1, 1, 1, 1, 3, 2 };

		d |= (uint32_t)pick[rnd(sizeof(pick))] << (2 * i);
	}
	return d;
}

static void change_regs(void)
{
	switch (rnd(12)) {
	case 0: /* PAN-style toggle of domain 1 (the fast path) */
	case 1:
		v->cp15.dacr ^= 1u << 2;
		pv_shadow_ctx_changed(v, PV_SHADOW_CTX_DACR);
		break;
	case 2:
		v->cp15.dacr = rand_dacr();
		pv_shadow_ctx_changed(v, PV_SHADOW_CTX_DACR);
		break;
	case 3:
		v->cp15.contextidr = cur_asids[rnd(PV_ARRAY_SIZE(cur_asids))];
		pv_shadow_ctx_changed(v, PV_SHADOW_CTX_CONTEXTIDR);
		break;
	case 4:
		v->cp15.ttbr0 = rnd(2) ? L1A : L1B;
		pv_shadow_ctx_changed(v, PV_SHADOW_CTX_TTBR0);
		break;
	case 5:
		v->cp15.ttbcr = rnd(3) | (rnd(16) == 0 ? 0x10 : 0) | (rnd(16) == 0 ? 0x20 : 0);
		pv_shadow_ctx_changed(v, PV_SHADOW_CTX_TTBCR);
		break;
	case 6: {
		/* MMU off is a rare state: most of the VA set is not RAM then. */
		uint32_t r = rnd(10);

		if (v->cp15.sctlr & PV_SCTLR_EE) /* big-endian tables: brief */
			v->cp15.sctlr &= ~PV_SCTLR_EE;
		else if (rnd(16) == 0)
			v->cp15.sctlr |= PV_SCTLR_EE;
		else if (!(v->cp15.sctlr & 1))
			v->cp15.sctlr |= r < 8 ? 1u : 0;
		else if (r < 2)
			v->cp15.sctlr &= ~1u;
		else if (r < 6)
			v->cp15.sctlr ^= 1u << 28; /* TRE */
		else if (r < 8 || (v->cp15.sctlr & 1u << 29))
			v->cp15.sctlr ^= 1u << 29; /* AFE */
		pv_shadow_ctx_changed(v, PV_SHADOW_CTX_SCTLR);
		break;
	}
	case 7:
		v->cp15.prrr = rnd(UINT32_MAX);
		v->cp15.nmrr = rnd(UINT32_MAX);
		pv_shadow_ctx_changed(v, PV_SHADOW_CTX_PRRR_NMRR);
		break;
	case 8:
		pv_shadow_tlbi(v, PV_TLBI_ASID, cur_asids[rnd(PV_ARRAY_SIZE(cur_asids))]);
		break;
	case 9:
		pv_shadow_tlbi(v, PV_TLBI_MVA, (va_mib[rnd(PV_ARRAY_SIZE(va_mib))] << 20) |
						  rnd(256) << 12 | cur_asids[rnd(5)]);
		break;
	default: /* guest mode switch */
		v->cpsr = (v->cpsr & ~0x1fu) | (rnd(2) ? PV_MODE_USR : PV_MODE_SVC);
		pv_shadow_ctx_changed(v, PV_SHADOW_CTX_MODE);
		break;
	}
}

static void setup_vm(size_t pool_size, uint32_t window_size)
{
	ck_assert_int_eq(fake_backend_setup(&fb, &cfg), 0);
	model_ops = fake_backend_ops;
	model_ops.tlb_inval_all = m_tlb_all;
	model_ops.tlb_inval_asid = m_tlb_asid;
	model_ops.tlb_inval_va = m_tlb_va;
	cfg.ops = &model_ops;
	cfg.shadow_pool.size = pool_size;
	cfg.window_size = window_size;
	ram1 = aligned_alloc(4096, RAM1_SIZE);
	ck_assert_ptr_nonnull(ram1);
	memset(ram1, 0, RAM1_SIZE);
	cfg.ram[1].gpa = pv_gpa(RAM1);
	cfg.ram[1].size = RAM1_SIZE;
	cfg.ram[1].hva = pv_hva_from_ptr(ram1);
	cfg.ram[1].hpa = pv_hpa(RAM1_HPA);
	cfg.ram_count = 2;
	cfg.board = fake_backend_wide_board();
	cfg.num_vcpus = nvcpus;
	vm = calloc(1, sizeof(*vm));
	ck_assert_ptr_nonnull(vm);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	ck_assert_int_eq(pv_memmap_add_mmio(&vm->map, pv_gpa(MMIO), MMIO_SIZE, 0,
					    &dummy_mmio, NULL, "dummy"), 0);
	memset(tlb, 0, sizeof(tlb));
	v = &vm->vcpu[0];
}

static void teardown_vm(void)
{
	nvcpus = 1;
	free(vm);
	free(ram1);
	fake_backend_teardown(&fb);
}

static unsigned long env_ul(const char *name, unsigned long dflt)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : dflt;
}

/*
 * With several vCPUs: they mostly run in one address space (threads of a
 * process), so after a change of it by one, usually all follow; DACR,
 * SCTLR and mode stay their own.
 */
static void follow_space(void)
{
	if (nvcpus < 2 || rnd(4) == 0)
		return;
	for (unsigned i = 0; i < nvcpus; i++) {
		struct pv_vcpu *o = &vm->vcpu[i];

		o->cp15.ttbr0 = v->cp15.ttbr0;
		o->cp15.ttbcr = v->cp15.ttbcr;
		o->cp15.contextidr = v->cp15.contextidr;
		pv_shadow_ctx_changed(o, PV_SHADOW_CTX_TTBR0 | PV_SHADOW_CTX_TTBCR |
						 PV_SHADOW_CTX_CONTEXTIDR);
	}
}

/*
 * pv_shadow_tlbi_range() must leave the shadow exactly as invalidating its
 * pages one by one does (only tlbi_gen counts once): both from one state.
 */
static uint8_t snap_pool[FAKE_POOL_SIZE], ref_pool[FAKE_POOL_SIZE];
static struct pv_shadow snap_sh, ref_sh;
static unsigned long range_checks;

static void range_vs_pages(void)
{
	uint32_t va = (va_mib[rnd(PV_ARRAY_SIZE(va_mib))] << 20) + (rnd(256) << 12);
	uint32_t pages = 1 + (rnd(4) ? rnd(40) : rnd(1200));

	if (rnd(2)) /* end at a 64 KiB group boundary, where ranges join */
		pages = ((pages + 15) & ~15u) - ((va >> 12) & 15u);
	size_t len = cfg.shadow_pool.size;

	if (rnd(2))
		va -= rnd(2) ? 0x100000u : 0x1000000u; /* from the MiB below */
	memcpy(snap_pool, fb.pool, len);
	memcpy(&snap_sh, &vm->shadow, sizeof(snap_sh));
	for (uint32_t k = 0; k < pages; k++)
		pv_shadow_tlbi(v, rnd(2) ? PV_TLBI_MVAA : PV_TLBI_MVA,
			       (va + (k << 12)) | rnd(256));
	memcpy(ref_pool, fb.pool, len);
	memcpy(&ref_sh, &vm->shadow, sizeof(ref_sh));
	memcpy(fb.pool, snap_pool, len);
	memcpy(&vm->shadow, &snap_sh, sizeof(snap_sh));
	pv_shadow_tlbi_range(v, va | rnd(4096), pages);
	ref_sh.tlbi_gen = snap_sh.tlbi_gen + 1;
	ck_assert_uint_eq(vm->shadow.tlbi_gen, ref_sh.tlbi_gen);
	/* (ck_assert per word would cost a libcheck mark point each) */
	if (memcmp(ref_pool, fb.pool, len)) {
		size_t i = 0;

		while (memcmp(ref_pool + i, fb.pool + i, 4) == 0)
			i += 4;
		ck_abort_msg("range %#x+%u pages: pool word %#zx %#x, one by one %#x",
			     va, pages, i, *(uint32_t *)(fb.pool + i),
			     *(uint32_t *)(ref_pool + i));
	}
	ck_assert_msg(memcmp(&ref_sh, &vm->shadow, sizeof(ref_sh)) == 0,
		      "range %#x+%u pages: shadow state differs", va, pages);
	range_checks++;
}

/* One configuration: @n accesses with everything else interleaved, on
 * nvcpus vCPUs (one acts at a time, each access judged by its own walk). */
static void run_model(size_t pool_size, uint32_t window_size, unsigned long n,
		      uint64_t seed)
{
	unsigned long end, steps = 0;
	uint32_t sctlr;

	setup_vm(pool_size, window_size);
	rng = seed | 1;
	gen_tables();
	sctlr = 1 | (rnd(4) ? 0 : 1u << 29);
	for (unsigned i = 0; i < nvcpus; i++) {
		v = &vm->vcpu[i];
		v->cp15.sctlr = sctlr;
		v->cp15.ttbr0 = L1A;
		v->cp15.ttbr1 = L1C;
		v->cp15.dacr = 0x55555555u;
		v->cp15.contextidr = 1;
		pv_shadow_ctx_changed(v, ~0u);
	}
	v = &vm->vcpu[0];
	cases = fills = guest_faults = mmios = windows = hits = range_checks = 0;
	memset(fs_hist, 0, sizeof(fs_hist));
	end = n;
	while (cases < end) {
		uint32_t r;

		if (nvcpus > 1 && rnd(8) == 0)
			v = &vm->vcpu[rnd(nvcpus)];
		r = rnd(100);
		if (r < 88) {
			uint32_t mib = va_mib[rnd(PV_ARRAY_SIZE(va_mib))];
			uint32_t va = mib << 20 |
				      (rnd(2) ? rnd(16) << 12 : rnd(256) << 12) | rnd(4096);

			/* The guest's pages next to a partial window. */
			if (mib == 0xfff && rnd(2))
				va = 0xfffe0000u | rnd(0x20000);
			static const unsigned accs[] = { PV_ACC_READ, PV_ACC_WRITE, PV_ACC_EXEC };

			if (!one_access(va & ~3u, accs[rnd(3)]))
				break;
		} else if (r < 93) {
			change_regs();
			follow_space();
		} else if (r < 97) {
			mutate_l2();
		} else if (r < 98) {
			mutate_l1();
		} else if (rnd(4)) {
			pv_shadow_tlbi(v, PV_TLBI_MVAA, va_mib[rnd(PV_ARRAY_SIZE(va_mib))] << 20);
		} else {
			range_vs_pages();
		}
		if ((steps & 7) == 7 && fake_backend_walker_stale(&fb, vm) >= 0) {
			snprintf(fail_msg, sizeof(fail_msg),
				 "pool offset %#lx written and not cleaned",
				 (unsigned long)fake_backend_walker_stale(&fb, vm));
			break;
		}
		if ((++steps & 7) == 0 && pv_shadow_check_isolation(vm)) {
			report("isolation invariant", 0, 0);
			for (unsigned q = 0; q < vm->shadow.nspaces * 2; q++)
				fprintf(stderr, "root %u win %08x\n", q,
					((uint32_t *)(fb.pool + vm->shadow.space[q / 2].root[q % 2].l1_off))[0xfff]);
			break;
		}
	}
	if (cases < end) {
		fprintf(stderr, "seed %llu: %s\n", (unsigned long long)seed, fail_msg);
		teardown_vm();
		ck_abort_msg("%s", fail_msg);
	}
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	fprintf(stderr,
		"shadow model pool=%zuK vcpus=%u: %lu cases, %lu hits, %lu fills, %lu guest faults, "
		"%lu mmio, %lu window, %lu range checks; evictions %llu, l2 reclaims %llu, "
		"rollovers %llu, flushes %llu, global copies %llu\n",
		pool_size / 1024, nvcpus, cases, hits, fills, guest_faults, mmios, windows,
		range_checks,
		(unsigned long long)vm->shadow.stats.evictions,
		(unsigned long long)vm->shadow.stats.l2_reclaims,
		(unsigned long long)vm->shadow.stats.asid_rollovers,
		(unsigned long long)vm->shadow.stats.full_flushes,
		(unsigned long long)vm->shadow.stats.global_copies);
	if (getenv("PV_SHADOW_VERBOSE"))
		for (unsigned i = 0; i < 32; i++)
			if (fs_hist[i])
				fprintf(stderr, "  guest FS %02x: %lu\n", i, fs_hist[i]);
	teardown_vm();
}

START_TEST(model_small_pool)
{
	/* One space and few L2 tables: eviction and reclaim all the time. */
	run_model(PV_SHADOW_POOL_MIN, WHOLE_MIB_WINDOW,
		  env_ul("PV_SHADOW_CASES", 1000000) / 3, env_ul("PV_SHADOW_SEED", 1));
}
END_TEST

START_TEST(model_full_pool)
{
	run_model(FAKE_POOL_SIZE, WHOLE_MIB_WINDOW,
		  env_ul("PV_SHADOW_CASES", 1000000) / 3,
		  env_ul("PV_SHADOW_SEED", 1) + 77);
}
END_TEST

START_TEST(model_partial_window)
{
	/* 896 KiB window: the guest owns 0xfffe0000-0xffffffff (vectors). */
	run_model(256 * 1024, 0xe0000, env_ul("PV_SHADOW_CASES", 1000000) -
					       2 * (env_ul("PV_SHADOW_CASES", 1000000) / 3),
		  env_ul("PV_SHADOW_SEED", 1) + 1234);
}
END_TEST

START_TEST(model_two_vcpus)
{
	/* Issue 13, defect 2: vCPUs sharing spaces under their own DACR and
	 * SCTLR; the partial window's MiB holds guest pages. */
	nvcpus = 2;
	run_model(512 * 1024, 0xe0000, env_ul("PV_SHADOW_CASES", 1000000) / 4,
		  env_ul("PV_SHADOW_SEED", 1) + 4321);
}
END_TEST

/* ---- directed tests ---- */

static uint32_t small_rw(uint32_t pa)
{
	return pa | 3u << 4 | 1u << 11 | 2;
}

static void basic_vm(void)
{
	setup_vm(FAKE_POOL_SIZE, WHOLE_MIB_WINDOW);
	rng = 99;
	memset(gptr(L1A), 0, 0x10000);
	v->cp15.sctlr = 1;
	v->cp15.ttbr0 = L1A;
	v->cp15.dacr = 0x55555555u;
	v->cp15.contextidr = 1;
	pv_shadow_ctx_changed(v, ~0u);
}

START_TEST(kernel_only_page_is_denied_to_guest_user)
{
	struct pv_resume rs;
	struct tlbe hit;
	const char *why;
	enum pv_shadow_outcome oc;
	struct pv_fault f;

	basic_vm();
	/* Section VA 0xc0000000 -> RAM0+1M, AP=001 (PL1 only), domain 0. */
	gptr(L1A)[0xc00] = (RAM0 + 0x100000) | 1u << 10 | 2;
	v->cpsr = PV_MODE_SVC;
	ck_assert(one_access(0xc0000010, PV_ACC_WRITE));
	pv_shadow_resume(v, &rs);
	ck_assert_int_eq(hw_access(&rs, 0xc0000010, PV_ACC_WRITE, &hit, &why), HW_OK);
	v->cpsr = PV_MODE_USR;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_MODE);
	pv_shadow_resume(v, &rs);
	ck_assert_int_eq(hw_access(&rs, 0xc0000010, PV_ACC_READ, &hit, &why), HW_FAULT);
	ck_assert_int_eq(pv_shadow_fault(v, pv_gva(0xc0000010), PV_ACC_READ, &oc, &f), 0);
	ck_assert_int_eq(oc, PV_SHADOW_GUEST_FAULT);
	ck_assert_uint_eq(f.fsr, PV_FS_PERM_SECTION);
	ck_assert_uint_eq(f.far, 0xc0000010);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	teardown_vm();
}
END_TEST

START_TEST(pan_dacr_toggle_is_o1)
{
	struct pv_resume rs;
	uint64_t flushes;
	unsigned cleans;

	basic_vm();
	gptr(L1A)[0x001] = (RAM0 + 0x200000) | 1u << 5 | 3u << 10 | 2; /* domain 1 */
	v->cpsr = PV_MODE_SVC;
	ck_assert(one_access(0x00100000, PV_ACC_WRITE));
	flushes = vm->shadow.stats.full_flushes;
	cleans = fb.cache_clean;
	for (int i = 0; i < 100; i++) {
		v->cp15.dacr ^= 1u << 2;
		pv_shadow_ctx_changed(v, PV_SHADOW_CTX_DACR);
		pv_shadow_resume(v, &rs);
		ck_assert_uint_eq((rs.dacr >> 2) & 3, (v->cp15.dacr >> 2) & 3);
		ck_assert(one_access(0x00100000, PV_ACC_READ));
	}
	ck_assert_uint_eq(vm->shadow.stats.full_flushes, flushes);
	ck_assert_uint_eq(fb.cache_clean, cleans); /* nothing was refilled */
	teardown_vm();
}
END_TEST

START_TEST(manager_exit_flushes)
{
	basic_vm();
	/* AP=010: user read-only; Manager lets the user write. */
	gptr(L1A)[0x002] = (RAM0 + 0x300000) | 2u << 5 | 2u << 10 | 2;
	v->cpsr = PV_MODE_USR;
	v->cp15.dacr = 0x55555555u | 3u << 4;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_DACR | PV_SHADOW_CTX_MODE);
	ck_assert(one_access(0x00200000, PV_ACC_WRITE));
	v->cp15.dacr = 0x55555555u;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_DACR);
	ck_assert(one_access(0x00200000, PV_ACC_WRITE)); /* now a guest fault */
	ck_assert_uint_ge(vm->shadow.stats.full_flushes, 1);
	teardown_vm();
}
END_TEST

/* Two vCPUs in the address space of basic_vm(), both in user mode. */
static void two_vcpus_pool(size_t pool_size, uint32_t window_size)
{
	nvcpus = 2;
	setup_vm(pool_size, window_size);
	rng = 99;
	memset(gptr(L1A), 0, 0x10000);
	for (unsigned i = 0; i < 2; i++) {
		v = &vm->vcpu[i];
		v->cp15.sctlr = 1;
		v->cp15.ttbr0 = L1A;
		v->cp15.dacr = 0x55555555u;
		v->cp15.contextidr = 1;
		v->cpsr = PV_MODE_USR;
		pv_shadow_ctx_changed(v, ~0u);
	}
}

static void two_vcpus(uint32_t window_size)
{
	two_vcpus_pool(FAKE_POOL_SIZE, window_size);
}

/* vCPU @id writes DACR @dacr. */
static void set_dacr(unsigned id, uint32_t dacr)
{
	v = &vm->vcpu[id];
	v->cp15.dacr = dacr;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_DACR);
}

/*
 * Issue 13, defect 2: vCPU 0 has domain 2 as Manager, so its user code may
 * write a PL1-only page and the fill grants that. For vCPU 1, in the same
 * address space with domain 2 client, the page is kernel-only: its user
 * code must get neither a host mapping nor write access.
 */
START_TEST(manager_fill_stays_with_its_vcpu)
{
	struct pv_resume rs;
	struct tlbe hit;
	const char *why;
	uint64_t flushes;

	two_vcpus(WHOLE_MIB_WINDOW);
	gptr(L1A)[0x002] = (RAM0 + 0x300000) | 2u << 5 | 1u << 10 | 2; /* PL1 RW */
	set_dacr(0, 0x55555555u | 3u << 4);
	ck_assert(one_access(0x00200000, PV_ACC_WRITE));
	flushes = vm->shadow.stats.full_flushes;
	v = &vm->vcpu[1];
	pv_shadow_resume(v, &rs);
	ck_assert_int_eq(hw_access(&rs, 0x00200000, PV_ACC_WRITE, &hit, &why), HW_FAULT);
	ck_assert(one_access(0x00200000, PV_ACC_WRITE)); /* its permission fault */
	ck_assert(one_access(0x00200000, PV_ACC_READ));
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	/* Each keeps its own rights, without flushing the other's. */
	v = &vm->vcpu[0];
	ck_assert(one_access(0x00200000, PV_ACC_WRITE));
	ck_assert_uint_eq(vm->shadow.stats.full_flushes, flushes);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	/* vCPU 1 takes Manager too: now it shares vCPU 0's roots. */
	set_dacr(1, 0x55555555u | 3u << 4);
	pv_shadow_resume(v, &rs);
	ck_assert_uint_eq(vm->shadow.cur[1], vm->shadow.cur[0]);
	ck_assert(one_access(0x00200000, PV_ACC_WRITE));
	teardown_vm();
}
END_TEST

/*
 * Issue 13, defect 2: the guest's pages in the last, partial MiB of the
 * window sit in a pinned table with the window's host domain, always
 * client. vCPU 1 never granted domain 3 (vCPU 0 did and filled its vector
 * page): it must get the guest's domain fault, however the two alternate.
 */
START_TEST(partial_window_page_needs_the_vcpus_own_domain)
{
	struct pv_resume rs;
	struct tlbe hit;
	const char *why;

	two_vcpus(0xe0000);
	gptr(L1A)[0xfff] = L2T | 3u << 5 | 1;
	gptr(L2T)[0xf0] = small_rw(RAM0 + 0x5000);
	set_dacr(1, 0x55555555u & ~(3u << 6));
	for (int round = 0; round < 2; round++) {
		v = &vm->vcpu[0];
		ck_assert(one_access(0xffff0004, PV_ACC_READ));
		ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
		v = &vm->vcpu[1];
		pv_shadow_resume(v, &rs);
		ck_assert_int_eq(hw_access(&rs, 0xffff0004, PV_ACC_READ, &hit, &why),
				 HW_FAULT);
		ck_assert(one_access(0xffff0004, PV_ACC_READ)); /* domain fault */
		ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	}
	/* The checker judges each vCPU by its own DACR: vCPU 1 forced into
	 * the space that holds vCPU 0's page is a violation. */
	v = &vm->vcpu[0];
	ck_assert(one_access(0xffff0004, PV_ACC_READ));
	vm->shadow.cur[1] = vm->shadow.cur[0];
	ck_assert_int_eq(pv_shadow_check_isolation(vm), PV_ECORRUPT);
	vm->shadow.cur[1] = PV_SHADOW_NO_SPACE;
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	teardown_vm();
}
END_TEST

/*
 * Issue 13, defect 2: the window's domain (0 here) is client in every host
 * DACR. vCPU 1 denies it; what vCPU 0 filled in it is not for vCPU 1.
 */
START_TEST(window_domain_fill_needs_the_vcpus_own_grant)
{
	struct pv_resume rs;
	struct tlbe hit;
	const char *why;

	two_vcpus(WHOLE_MIB_WINDOW);
	gptr(L1A)[0x001] = (RAM0 + 0x200000) | 3u << 10 | 2; /* domain 0 */
	set_dacr(1, 0x55555554u);
	v = &vm->vcpu[0];
	ck_assert(one_access(0x00100000, PV_ACC_WRITE));
	v = &vm->vcpu[1];
	pv_shadow_resume(v, &rs);
	ck_assert_int_eq(hw_access(&rs, 0x00100000, PV_ACC_READ, &hit, &why), HW_FAULT);
	ck_assert(one_access(0x00100000, PV_ACC_READ)); /* domain fault */
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	teardown_vm();
}
END_TEST

START_TEST(tlb_range_reaches_every_host_entry)
{
	/* 32 user pages of one guest table, all in the (model) host TLB at
	 * some point; half remapped, then one range invalidation: no access
	 * may still reach an old page, however many one table lost. */
	basic_vm();
	gptr(L1A)[0x001] = (RAM0 + 0x10000) | 1;
	for (uint32_t j = 0; j < 32; j++)
		gptr(RAM0 + 0x10000)[j] = small_rw(RAM0 + 0x100000 + (j << 12));
	v->cpsr = PV_MODE_USR;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_MODE);
	for (uint32_t j = 0; j < 32; j++)
		ck_assert(one_access(0x00100000 + (j << 12), PV_ACC_WRITE));
	for (uint32_t j = 16; j < 32; j++)
		gptr(RAM0 + 0x10000)[j] = small_rw(RAM0 + 0x200000 + (j << 12));
	pv_shadow_tlbi_range(v, 0x00100000, 32);
	for (uint32_t j = 0; j < 32; j++)
		ck_assert_msg(one_access(0x00100000 + (j << 12), PV_ACC_READ),
			      "%s", fail_msg);
	/* Few entries in one table: host invalidations by MVA, each page. */
	for (uint32_t j = 40; j < 44; j++) {
		gptr(RAM0 + 0x10000)[j] = small_rw(RAM0 + 0x100000 + (j << 12));
		ck_assert(one_access(0x00100000 + (j << 12), PV_ACC_WRITE));
	}
	for (uint32_t j = 40; j < 44; j++)
		gptr(RAM0 + 0x10000)[j] = small_rw(RAM0 + 0x200000 + (j << 12));
	pv_shadow_tlbi_range(v, 0x00100000 + (40 << 12), 4);
	for (uint32_t j = 40; j < 44; j++)
		ck_assert_msg(one_access(0x00100000 + (j << 12), PV_ACC_READ),
			      "%s", fail_msg);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	teardown_vm();
}
END_TEST

START_TEST(asid_rollover_invalidates_host_tlb)
{
	basic_vm();
	gptr(L1A)[0x000] = (RAM0 + 0x100000) | 3u << 10 | 1u << 17 | 2;
	v->cpsr = PV_MODE_USR;
	/* More address spaces than the cache holds: each miss re-keys a slot
	 * and retires its ASIDs, so 255 run out. */
	for (unsigned i = 0; i < 400; i++) {
		v->cp15.contextidr = i & 0xff;
		pv_shadow_ctx_changed(v, PV_SHADOW_CTX_CONTEXTIDR);
		ck_assert(one_access(0x00000100, PV_ACC_READ));
	}
	ck_assert_uint_ge(vm->shadow.stats.asid_rollovers, 1);
	ck_assert_uint_ge(fb.tlb_all, 1);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	teardown_vm();
}
END_TEST

START_TEST(window_mapping_is_reported)
{
	enum pv_shadow_outcome oc;
	struct pv_fault f;
	struct pv_resume rs;
	const uint32_t *l1;

	basic_vm();
	gptr(L1A)[0xfff] = (RAM0 + 0x100000) | 3u << 10 | 2;
	ck_assert_int_eq(pv_shadow_fault(v, pv_gva(0xfff00000), PV_ACC_READ, &oc, &f),
			 PV_EWINDOW);
	pv_shadow_resume(v, &rs);
	l1 = hpa_table(pv_hpa_val(rs.ttbr0) & ~0x3fffull);
	ck_assert_uint_eq(l1[0xfff], fb.window_l1[0]);
	gptr(L1A)[0xfff] = 0;
	ck_assert_int_eq(pv_shadow_fault(v, pv_gva(0xfff00000), PV_ACC_READ, &oc, &f), 0);
	ck_assert_int_eq(oc, PV_SHADOW_GUEST_FAULT);
	ck_assert_uint_eq(f.fsr, PV_FS_TRANSL_SECTION);
	teardown_vm();
}
END_TEST

START_TEST(partial_window_leaves_the_vector_page_to_the_guest)
{
	enum pv_shadow_outcome oc;
	struct pv_fault f;
	struct pv_resume rs;
	struct tlbe hit;
	const char *why;

	setup_vm(FAKE_POOL_SIZE, 0xe0000);
	memset(gptr(L1A), 0, 0x10000);
	v->cp15.sctlr = 1;
	v->cp15.ttbr0 = L1A;
	v->cp15.dacr = 0x55555555u;
	v->cp15.contextidr = 1;
	v->cpsr = PV_MODE_USR;
	pv_shadow_ctx_changed(v, ~0u);
	/* Linux-style: an L2 table for the top MiB, vectors at 0xffff0000. */
	gptr(L1A)[0xfff] = L2T | 3u << 5 | 1;
	gptr(L2T)[0xf0] = small_rw(RAM0 + 0x5000);
	gptr(L2T)[0x00] = small_rw(RAM0 + 0x6000);
	ck_assert(one_access(0xffff0004, PV_ACC_EXEC));
	pv_shadow_resume(v, &rs);
	ck_assert_int_eq(hw_access(&rs, 0xffff0004, PV_ACC_READ, &hit, &why), HW_OK);
	ck_assert_uint_eq(hit.pa, fb.ram_hpa + 0x5004);
	/* The VMM's part of the MiB stays the VMM's. */
	ck_assert_int_eq(pv_shadow_fault(v, pv_gva(0xfff00000), PV_ACC_READ, &oc, &f),
			 PV_EWINDOW);
	ck_assert_int_eq(hw_access(&rs, 0xfff00000, PV_ACC_READ, &hit, &why), HW_FAULT);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	/* TLBIMVA drops the guest's page, not the window's. */
	pv_shadow_tlbi(v, PV_TLBI_MVAA, 0xffff0000);
	memset(tlb, 0, sizeof(tlb));
	ck_assert_int_eq(hw_access(&rs, 0xffff0004, PV_ACC_READ, &hit, &why), HW_FAULT);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	teardown_vm();
}
END_TEST

START_TEST(isolation_checker_catches_a_widened_entry)
{
	struct pv_resume rs;
	uint32_t *l1, good;

	basic_vm();
	gptr(L1A)[0xc00] = (RAM0 + 0x100000) | 2u << 10 | 2; /* user RO */
	v->cpsr = PV_MODE_USR;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_MODE);
	ck_assert(one_access(0xc0000000, PV_ACC_READ));
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	pv_shadow_resume(v, &rs);
	l1 = (uint32_t *)hpa_table(pv_hpa_val(rs.ttbr0) & ~0x3fffull);
	good = l1[0xc00];
	l1[0xc00] &= ~(1u << 15); /* APX off: user read/write */
	ck_assert_int_eq(pv_shadow_check_isolation(vm), PV_ECORRUPT);
	l1[0xc00] = (uint32_t)fb.pool_hpa | 3u << 10 | 1u << 17 | 2; /* maps the pool */
	ck_assert_int_eq(pv_shadow_check_isolation(vm), PV_ECORRUPT);
	l1[0xc00] = good; /* (0 would leave the engine's global mark astray) */
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	teardown_vm();
}
END_TEST

/* The current root's L1 entry @idx (resumes the vCPU). */
static uint32_t shadow_l1(uint32_t idx)
{
	struct pv_resume rs;

	pv_shadow_resume(v, &rs);
	return hpa_table(pv_hpa_val(rs.ttbr0) & ~0x3fffull)[idx];
}

static void set_ttbr0(uint32_t ttbr0, uint32_t asid)
{
	v->cp15.ttbr0 = ttbr0;
	v->cp15.contextidr = asid;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_TTBR0 | PV_SHADOW_CTX_CONTEXTIDR);
}

/*
 * The window's pages in its last, partial MiB are the host's: the checker
 * knows each one, address and attributes, in every root that links them.
 */
START_TEST(isolation_checker_catches_a_moved_window_page)
{
	static const uint32_t changes[] = { 0x1000u, 1u << 5, 1u };
	uint32_t *l2, pages, last;

	two_vcpus(0xe0000);
	v = &vm->vcpu[0];
	gptr(L1A)[0xfff] = L2T | 1;
	gptr(L2T)[0xf0] = small_rw(RAM0 + 0x5000);
	ck_assert(one_access(0xffff0004, PV_ACC_READ));
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	pages = vm->shadow.win_part_pages;
	ck_assert_uint_gt(pages, 1);
	l2 = (uint32_t *)hpa_table(shadow_l1(vm->shadow.win_part_idx) & 0xfffffc00u);
	last = pages - 1;
	for (unsigned c = 0; c < sizeof(changes) / sizeof(changes[0]); c++) {
		for (uint32_t j = 0; j <= last; j += last) {
			uint32_t good = l2[j];

			l2[j] ^= changes[c];
			ck_assert_int_eq(pv_shadow_check_isolation(vm), PV_ECORRUPT);
			l2[j] = good;
			ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
		}
	}
	teardown_vm();
}
END_TEST

/*
 * Several host cores (backend.h): vCPU 1 may be running on another core,
 * on the roots of its current space. However many address spaces vCPU 0
 * goes through, that space is not evicted: same root, same host ASID,
 * its entry still there.
 */
/* A pool holding an earlier VM's bytes: pv_vm_init() hands the walker
 * empty tables, every one of them, not only those it uses at once. */
START_TEST(init_shows_the_walker_empty_tables)
{
	struct pv_shadow_layout lay;

	ck_assert_int_eq(fake_backend_setup(&fb, &cfg), 0);
	memset(fb.pool, 0xa5, FAKE_POOL_SIZE);
	vm = calloc(1, sizeof(*vm));
	ck_assert_ptr_nonnull(vm);
	ck_assert_int_eq(pv_vm_shadow_layout(vm, NULL), PV_EINVAL);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	ck_assert_int_eq(pv_vm_shadow_layout(vm, &lay), 0);
	ck_assert_uint_eq(lay.roots_off, 0);
	ck_assert_uint_eq(lay.roots_size, vm->shadow.nspaces * 32768u);
	ck_assert_uint_ge(lay.l2_off, lay.roots_size);
	ck_assert_uint_eq(lay.l2_off % 1024u, 0);
	ck_assert_uint_eq(lay.l2_size, vm->shadow.nl2 * 1024u);
	ck_assert_uint_le(lay.l2_off + lay.l2_size, FAKE_POOL_SIZE);
	ck_assert_uint_eq(lay.part_l2, 2 * vm->shadow.nspaces); /* default window */
	ck_assert_int_eq(fake_backend_walker_stale(&fb, vm), -1);
	free(vm);
	fake_backend_teardown(&fb);
}
END_TEST

/* A backend that gives the VM its own range of host ASIDs gets only those,
 * across rollovers; a range holding ASID 0, or too small, is refused. */
START_TEST(asids_stay_in_the_configured_range)
{
	static const uint8_t bad[][2] = { { 0, 20 }, { 10, 9 }, { 1, 15 },
					  { 200, 0 }, { 241, 255 } };
	struct pv_resume rs;
	unsigned seen_lo = 255, seen_hi = 0;

	for (unsigned k = 0; k < PV_ARRAY_SIZE(bad); k++) {
		ck_assert_int_eq(fake_backend_setup(&fb, &cfg), 0);
		cfg.asid_first = bad[k][0];
		cfg.asid_last = bad[k][1];
		vm = calloc(1, sizeof(*vm));
		ck_assert_ptr_nonnull(vm);
		ck_assert_int_eq(pv_vm_init(vm, &cfg), PV_EINVAL);
		free(vm);
		fake_backend_teardown(&fb);
	}
	ck_assert_int_eq(fake_backend_setup(&fb, &cfg), 0);
	cfg.asid_first = 240;
	cfg.asid_last = 255; /* exactly PV_VM_MIN_ASIDS */
	vm = calloc(1, sizeof(*vm));
	ck_assert_ptr_nonnull(vm);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	v = &vm->vcpu[0];
	memset(gptr(L1A), 0, 0x4000);
	gptr(L1A)[0x001] = (RAM0 + 0x200000) | 3u << 10 | 2;
	v->cp15.sctlr = 1;
	v->cp15.ttbr0 = L1A;
	v->cp15.dacr = 0x55555555u;
	for (uint32_t n = 0; n < 200; n++) {
		/* A new guest ASID each time: a new cached space, new roots. */
		v->cpsr = n & 1 ? PV_MODE_USR : PV_MODE_SVC;
		v->cp15.contextidr = n % 256u;
		pv_shadow_ctx_changed(v, ~0u);
		pv_shadow_resume(v, &rs);
		seen_lo = rs.asid < seen_lo ? rs.asid : seen_lo;
		seen_hi = rs.asid > seen_hi ? rs.asid : seen_hi;
	}
	ck_assert_uint_eq(seen_lo, 240);
	ck_assert_uint_eq(seen_hi, 255);
	ck_assert_uint_gt(vm->shadow.stats.asid_rollovers, 5);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	free(vm);
	fake_backend_teardown(&fb);
}
END_TEST

/* The pool slot of the L2 table a shadow L1 descriptor links, or none. */
static uint32_t l2_slot_of_shadow(uint32_t d)
{
	uint64_t base = fb.pool_hpa + vm->shadow.l2_off;

	if ((d & 3) != 1 || (d & ~0x3ffu) < base)
		return UINT32_MAX;
	return (uint32_t)(((d & ~0x3ffu) - base) / 1024u);
}

/*
 * A second-level table freed by one MiB and reused by another reaches the
 * walker empty: zeroed and cleaned, not only zeroed (a walker that does not
 * snoop the cache would still see the first MiB's page at its old index).
 */
START_TEST(reused_l2_table_reaches_the_walker_empty)
{
	uint32_t slot;

	basic_vm();
	ck_assert_int_eq(fake_backend_walker_stale(&fb, vm), -1);
	gptr(L1A)[0x001] = L2T | 1;
	gptr(L2T)[5] = small_rw(RAM0 + 0x300000);
	v->cpsr = PV_MODE_SVC;
	ck_assert(one_access(0x00105000, PV_ACC_WRITE));
	slot = l2_slot_of_shadow(shadow_l1(0x001));
	ck_assert_uint_ne(slot, UINT32_MAX);
	ck_assert_int_eq(fake_backend_walker_stale(&fb, vm), -1);
	/* The guest unmaps the MiB: its table goes back to the free list. */
	gptr(L1A)[0x001] = 0;
	pv_shadow_tlbi(v, PV_TLBI_ALL, 0);
	ck_assert_uint_eq(shadow_l1(0x001), 0);
	/* And maps another page elsewhere: the same table, from empty. */
	gptr(L1A)[0x002] = (L2T + 0x400) | 1;
	gptr(L2T + 0x400)[6] = small_rw(RAM0 + 0x400000);
	ck_assert(one_access(0x00206000, PV_ACC_READ));
	ck_assert_uint_eq(l2_slot_of_shadow(shadow_l1(0x002)), slot);
	ck_assert_int_eq(fake_backend_walker_stale(&fb, vm), -1);
	teardown_vm();
}
END_TEST

START_TEST(eviction_spares_another_vcpus_space)
{
	struct pv_resume rs1, rs;
	unsigned s1;
	uint32_t e1;

	two_vcpus(WHOLE_MIB_WINDOW);
	gptr(L1A)[0x000] = (RAM0 + 0x100000) | 3u << 10 | 1u << 17 | 2;
	v = &vm->vcpu[1];
	ck_assert(one_access(0x00000100, PV_ACC_READ));
	pv_shadow_resume(v, &rs1);
	e1 = shadow_l1(0);
	ck_assert_uint_ne(e1, 0);
	s1 = vm->shadow.cur[1];
	v = &vm->vcpu[0];
	for (unsigned i = 2; i < 40; i++) {
		set_ttbr0(L1A, i);
		ck_assert(one_access(0x00000100, PV_ACC_READ));
	}
	ck_assert_uint_gt(vm->shadow.stats.evictions, 0);
	ck_assert_uint_eq(vm->shadow.cur[1], s1);
	v = &vm->vcpu[1];
	pv_shadow_resume(v, &rs);
	ck_assert_uint_eq(pv_hpa_val(rs.ttbr0), pv_hpa_val(rs1.ttbr0));
	ck_assert_uint_eq(rs.asid, rs1.asid);
	ck_assert_uint_eq(shadow_l1(0), e1);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	teardown_vm();
}
END_TEST

/*
 * Several host cores: vCPU 0 runs out of L2 tables in the space vCPU 1
 * runs in too (one process, two threads). The space starts over, but
 * keeps its host ASID: vCPU 1 may be running on another core under it
 * until its next trap, and a TLB invalidation the guest asks for later
 * names the space's ASID, which must be the one vCPU 1 runs under.
 */
START_TEST(reclaim_keeps_a_shared_spaces_asid)
{
	struct pv_resume rs1, rs;
	uint64_t reclaims;

	two_vcpus_pool(PV_SHADOW_POOL_MIN, WHOLE_MIB_WINDOW);
	/* 64 MiB of 4 KiB pages, each MiB needing a shadow L2 table. */
	gptr(L2T)[0] = (RAM0 + 0x100000) | 3u << 4 | 2;
	for (unsigned i = 0; i < 64; i++)
		gptr(L1A)[0x100 + i] = L2T | 1;
	v = &vm->vcpu[1];
	ck_assert(one_access(0x10000000, PV_ACC_READ));
	pv_shadow_resume(v, &rs1);
	reclaims = vm->shadow.stats.l2_reclaims; /* 0 */
	v = &vm->vcpu[0];
	for (unsigned i = 1; i < 64; i++)
		ck_assert(one_access((0x100u + i) << 20, PV_ACC_READ));
	ck_assert_uint_gt(vm->shadow.stats.l2_reclaims, reclaims);
	ck_assert_uint_eq(vm->shadow.cur[0], vm->shadow.cur[1]);
	for (unsigned i = 0; i < 2; i++) {
		v = &vm->vcpu[i];
		pv_shadow_resume(v, &rs);
		ck_assert_uint_eq(rs.asid, rs1.asid);
		ck_assert_uint_eq(pv_hpa_val(rs.ttbr0), pv_hpa_val(rs1.ttbr0));
	}
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	teardown_vm();
}
END_TEST

/*
 * Two guest address spaces with the same kernel half (L1A and L1B): a
 * global section kernel RW at 0xc00, a non-global one at 0xc01, and at
 * 0xc02 a global section that differs between the tables.
 */
static void kernel_half_vm(void)
{
	basic_vm();
	memset(gptr(L1B), 0, 0x4000);
	for (unsigned t = 0; t < 2; t++) {
		uint32_t *l1 = gptr(table_of(t));

		l1[0xc00] = (RAM0 + 0x100000) | 1u << 10 | 2;
		l1[0xc01] = (RAM0 + 0x200000) | 1u << 17 | 1u << 10 | 2;
		l1[0xc02] = (RAM0 + 0x300000 + t * 0x100000) | 1u << 10 | 2;
	}
	v->cpsr = PV_MODE_SVC;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_MODE);
	for (uint32_t idx = 0xc00; idx < 0xc03; idx++)
		ck_assert(one_access(idx << 20 | 0x10, PV_ACC_WRITE));
}

START_TEST(global_section_is_shared_with_a_new_space)
{
	uint64_t fills, copies;

	kernel_half_vm();
	fills = vm->shadow.stats.fills_section;
	copies = vm->shadow.stats.global_copies;
	set_ttbr0(L1B, 2);
	/* Present at once: the very entry space A's fill made. */
	ck_assert_uint_ne(shadow_l1(0xc00), 0);
	ck_assert_uint_eq(vm->shadow.stats.global_copies, copies + 1);
	ck_assert(one_access(0xc0000010, PV_ACC_WRITE));
	ck_assert_uint_eq(vm->shadow.stats.fills_section, fills);
	/* Not the non-global one, nor a global one B's table gives otherwise
	 * (one_access checks B's own PA). */
	ck_assert_uint_eq(shadow_l1(0xc01), 0);
	ck_assert_uint_eq(shadow_l1(0xc02), 0);
	ck_assert(one_access(0xc0100010, PV_ACC_WRITE));
	ck_assert(one_access(0xc0200010, PV_ACC_WRITE));
	ck_assert_uint_eq(vm->shadow.stats.fills_section, fills + 2);
	/* A new ASID on the same table takes both global ones. */
	set_ttbr0(L1B, 3);
	ck_assert_uint_ne(shadow_l1(0xc00), 0);
	ck_assert_uint_ne(shadow_l1(0xc02), 0);
	ck_assert_uint_eq(shadow_l1(0xc01), 0);
	ck_assert(one_access(0xc0200010, PV_ACC_WRITE));
	ck_assert_uint_eq(vm->shadow.stats.fills_section, fills + 2);
	/* The kernel view's entries are not the user view's. */
	v->cpsr = PV_MODE_USR;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_MODE);
	ck_assert_uint_eq(shadow_l1(0xc00), 0);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	teardown_vm();
}
END_TEST

START_TEST(tlbiasid_keeps_global_sections_tlbi_mva_does_not)
{
	uint64_t fills;

	kernel_half_vm();
	set_ttbr0(L1B, 2);
	ck_assert(one_access(0xc0000010, PV_ACC_WRITE));
	fills = vm->shadow.stats.fills_section;
	pv_shadow_tlbi(v, PV_TLBI_ASID, 2);
	ck_assert_uint_ne(shadow_l1(0xc00), 0);
	set_ttbr0(L1A, 1);
	pv_shadow_tlbi(v, PV_TLBI_ASID, 1);
	ck_assert_uint_ne(shadow_l1(0xc00), 0);
	ck_assert_uint_ne(shadow_l1(0xc02), 0);
	ck_assert_uint_eq(shadow_l1(0xc01), 0); /* non-global: gone */
	ck_assert(one_access(0xc0000010, PV_ACC_WRITE));
	ck_assert_uint_eq(vm->shadow.stats.fills_section, fills);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	/* By MVA, whatever the ASID: gone from every space. */
	pv_shadow_tlbi(v, PV_TLBI_MVA, 0xc0080000u | 7);
	ck_assert_uint_eq(shadow_l1(0xc00), 0);
	set_ttbr0(L1B, 2);
	ck_assert_uint_eq(shadow_l1(0xc00), 0);
	/* And a new space has nothing to copy it from. */
	set_ttbr0(L1B, 4);
	ck_assert_uint_eq(shadow_l1(0xc00), 0);
	ck_assert(one_access(0xc0000010, PV_ACC_WRITE));
	ck_assert_uint_eq(vm->shadow.stats.fills_section, fills + 1);
	/* TLBIALL too. */
	pv_shadow_tlbi(v, PV_TLBI_ALL, 0);
	set_ttbr0(L1A, 5);
	ck_assert_uint_eq(shadow_l1(0xc00), 0);
	teardown_vm();
}
END_TEST

/*
 * A TLBIASID leaves a table of global pages linked (Linux's vmap stacks
 * after fork's flush_tlb_mm()), drops one holding a non-global page, and
 * invalidation by MVA still reaches what it kept.
 */
START_TEST(tlbiasid_keeps_tables_of_global_pages)
{
	uint32_t *l1, *l2g, *l2n;
	uint64_t fills;

	basic_vm();
	l1 = gptr(L1A);
	l2g = gptr(L2T);
	l2n = gptr(L2T + 0x400);
	memset(l2g, 0, 0x800);
	l2g[0] = (RAM0 + 0x500000) | 1u << 4 | 2;            /* global */
	l2n[0] = (RAM0 + 0x501000) | 1u << 11 | 1u << 4 | 2; /* non-global */
	l1[0xc10] = L2T | 1;
	l1[0xc11] = (L2T + 0x400) | 1;
	v->cpsr = PV_MODE_SVC;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_MODE);
	ck_assert(one_access(0xc1000010, PV_ACC_WRITE));
	ck_assert(one_access(0xc1100010, PV_ACC_WRITE));
	fills = vm->shadow.stats.fills_page;
	pv_shadow_tlbi(v, PV_TLBI_ASID, 1);
	ck_assert_uint_ne(shadow_l1(0xc10), 0);
	ck_assert_uint_eq(shadow_l1(0xc11), 0);
	ck_assert(one_access(0xc1000010, PV_ACC_WRITE));
	ck_assert_uint_eq(vm->shadow.stats.fills_page, fills);
	ck_assert(one_access(0xc1100010, PV_ACC_WRITE));
	ck_assert_uint_eq(vm->shadow.stats.fills_page, fills + 1);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	/* By MVA, what was kept goes: the guest moved the page. */
	l2g[0] = (RAM0 + 0x503000) | 1u << 4 | 2;
	pv_shadow_tlbi(v, PV_TLBI_MVA, 0xc1000000u | 1);
	ck_assert(one_access(0xc1000010, PV_ACC_WRITE)); /* checks the new PA */
	ck_assert_uint_eq(vm->shadow.stats.fills_page, fills + 2);
	/* A non-global page joins the kept table: the next TLBIASID drops
	 * the table. */
	l2g[1] = (RAM0 + 0x502000) | 1u << 11 | 1u << 4 | 2;
	ck_assert(one_access(0xc1001010, PV_ACC_WRITE));
	pv_shadow_tlbi(v, PV_TLBI_ASID, 1);
	ck_assert_uint_eq(shadow_l1(0xc10), 0);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	teardown_vm();
}
END_TEST

/*
 * The clock's generation (fastpath.c keeps each vCPU's fast clock read
 * until it moves): only maintenance that reaches a watched page, any
 * vCPU's, or TLBIALL moves it.
 */
START_TEST(clock_gen_moves_only_for_the_watched_pages)
{
	struct pv_shadow *sh;
	uint32_t g;

	nvcpus = 2;
	basic_vm();
	sh = &vm->shadow;
	sh->clock_va[0] = 0xf0a00000u;
	sh->clock_va[1] = 0xf0b00000u;
	g = sh->clock_gen;
	pv_shadow_tlbi(v, PV_TLBI_ASID, 1);
	pv_shadow_tlbi(v, PV_TLBI_MVA, 0xf0a01000u | 1);
	pv_shadow_tlbi(v, PV_TLBI_MVAA, 0xf0aff000u);
	pv_shadow_tlbi_range(v, 0xf0b01000u, 200);
	/* All of the address space but the two pages, wrapping. */
	pv_shadow_tlbi_range(v, 0xf0b01000u, 0xffeffu);
	ck_assert_uint_eq(sh->clock_gen, g);
	pv_shadow_tlbi(v, PV_TLBI_MVA, 0xf0b00abcu);      /* vCPU 1's page */
	ck_assert_uint_eq(sh->clock_gen, g + 1);
	pv_shadow_tlbi(v, PV_TLBI_MVAA, 0xf0a00000u);
	ck_assert_uint_eq(sh->clock_gen, g + 2);
	pv_shadow_tlbi_range(v, 0xf0aff000u, 2);          /* onto vCPU 1's */
	ck_assert_uint_eq(sh->clock_gen, g + 3);
	pv_shadow_tlbi_range(v, 0xfffff000u, 0xf0a01u);   /* one page short */
	ck_assert_uint_eq(sh->clock_gen, g + 3);
	pv_shadow_tlbi_range(v, 0xfffff000u, 0xf0a02u);   /* past 4 GiB onto vCPU 0's */
	ck_assert_uint_eq(sh->clock_gen, g + 4);
	pv_shadow_tlbi(v, PV_TLBI_ALL, 0);
	ck_assert_uint_eq(sh->clock_gen, g + 5);
	teardown_vm();
	nvcpus = 1;
}
END_TEST

START_TEST(no_global_copy_across_regimes)
{
	kernel_half_vm();
	/* A Manager domain (another key DACR): no copy. */
	v->cp15.dacr = 0x55555555u | 3u << 30;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_DACR);
	set_ttbr0(L1B, 2);
	ck_assert_uint_eq(shadow_l1(0xc00), 0);
	/* Another TTBCR: none either. */
	v->cp15.dacr = 0x55555555u;
	v->cp15.ttbcr = 1;
	v->cp15.ttbr1 = L1C;
	memcpy(gptr(L1C), gptr(L1A), 0x4000);
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_DACR | PV_SHADOW_CTX_TTBCR);
	ck_assert_uint_eq(shadow_l1(0xc00), 0);
	/* A's regime again: copied. */
	v->cp15.ttbcr = 0;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_TTBCR);
	ck_assert_uint_ne(shadow_l1(0xc00), 0); /* the same regime again */
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	teardown_vm();
}
END_TEST

static Suite *shadow_suite(void)
{
	Suite *s = suite_create("shadow");
	TCase *tc = tcase_create("directed");
	TCase *model = tcase_create("model");

	tcase_add_test(tc, kernel_only_page_is_denied_to_guest_user);
	tcase_add_test(tc, reused_l2_table_reaches_the_walker_empty);
	tcase_add_test(tc, init_shows_the_walker_empty_tables);
	tcase_add_test(tc, asids_stay_in_the_configured_range);
	tcase_add_test(tc, pan_dacr_toggle_is_o1);
	tcase_add_test(tc, manager_exit_flushes);
	tcase_add_test(tc, manager_fill_stays_with_its_vcpu);
	tcase_add_test(tc, partial_window_page_needs_the_vcpus_own_domain);
	tcase_add_test(tc, window_domain_fill_needs_the_vcpus_own_grant);
	tcase_add_test(tc, asid_rollover_invalidates_host_tlb);
	tcase_add_test(tc, tlb_range_reaches_every_host_entry);
	tcase_add_test(tc, window_mapping_is_reported);
	tcase_add_test(tc, partial_window_leaves_the_vector_page_to_the_guest);
	tcase_add_test(tc, isolation_checker_catches_a_widened_entry);
	tcase_add_test(tc, isolation_checker_catches_a_moved_window_page);
	tcase_add_test(tc, global_section_is_shared_with_a_new_space);
	tcase_add_test(tc, tlbiasid_keeps_global_sections_tlbi_mva_does_not);
	tcase_add_test(tc, tlbiasid_keeps_tables_of_global_pages);
	tcase_add_test(tc, clock_gen_moves_only_for_the_watched_pages);
	tcase_add_test(tc, no_global_copy_across_regimes);
	tcase_add_test(tc, eviction_spares_another_vcpus_space);
	tcase_add_test(tc, reclaim_keeps_a_shared_spaces_asid);
	suite_add_tcase(s, tc);
	tcase_set_timeout(model, 300);
	tcase_add_test(model, model_small_pool);
	tcase_add_test(model, model_full_pool);
	tcase_add_test(model, model_partial_window);
	tcase_add_test(model, model_two_vcpus);
	suite_add_tcase(s, model);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(shadow_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
