/* SPDX-License-Identifier: MIT */
/*
 * The table log under Genode (issue 17; docs/genode.md, "Only the VM's
 * memory in the shadow tables"): pvcore's table writes and TLB operations,
 * logged by the VMM's side (backends/genode/src/server/pv_vmm/table_log.c)
 * and replayed by the kernel extension's checked copy
 * (src/core/pv_vm/table_check.c).
 *
 * - Driven by pvcore's shadow engine on random guest tables, every replay
 *   is accepted and leaves the copy equal to the VMM's tables, word for
 *   word (the fake backend's walker copy is the second oracle).
 * - A hostile VMM's log is refused: each kind of descriptor the kernel
 *   must never walk, and each malformed record, with the word not stored
 *   and the VM not run again.
 * - The run half of the vCPU state page (src/core/pv_vm/run_check.c):
 *   what pvcore resumes with is accepted after every step; a forged one is
 *   refused.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "fake_backend.h"
#include "run_check.h"
#include "table_check.h"
#include "table_log.h"
#include "vm_exit.h"

#define L1A (FAKE_RAM_BASE + 0x0000u)
#define L1B (FAKE_RAM_BASE + 0x4000u)
#define L2T (FAKE_RAM_BASE + 0x8000u)
#define NL2 16u

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_backend_ops ops;
static struct pv_vm *vm;
static struct pv_genode_table_log page;
static struct pv_genode_log_writer lw;
static struct pv_genode_walker w;
static struct pv_shadow_layout lay;
static uint32_t *copy;
static bool walker_ready;
static struct pv_genode_frames frames[1];
static unsigned k_all, k_asid, k_va; /* TLB operations the replays did */
static uint32_t rng;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* The VMM's backend operations: the fake backend's, and the log. */
static void g_clean(void *ctx, pv_hva_t va, size_t len)
{
	fake_backend_ops.cache_clean_range(ctx, va, len);
	pv_genode_log_clean(&lw, pv_hva_ptr(va), len);
}

static void g_tlb_all(void *ctx)
{
	fake_backend_ops.tlb_inval_all(ctx);
	pv_genode_log_tlb_all(&lw);
}

static void g_tlb_asid(void *ctx, uint8_t asid)
{
	fake_backend_ops.tlb_inval_asid(ctx, asid);
	pv_genode_log_tlb_asid(&lw, asid);
}

static void g_tlb_va(void *ctx, pv_gva_t va, uint8_t asid)
{
	fake_backend_ops.tlb_inval_va(ctx, va, asid);
	pv_genode_log_tlb_va(&lw, pv_gva_val(va), asid);
}

/* The kernel's TLB operations: counted. */
static void k_tlb_all(void *ctx) { (void)ctx; k_all++; }
static void k_tlb_asid(void *ctx, uint8_t a) { (void)ctx; (void)a; k_asid++; }
static void k_tlb_va(void *ctx, uint32_t va, uint8_t a)
{
	(void)ctx;
	(void)va;
	(void)a;
	k_va++;
}

static const struct pv_genode_tlb_ops kernel_tlb = { k_tlb_all, k_tlb_asid,
						     k_tlb_va };

/* The session's replay call, as main.cc makes it when the page fills. */
static void replay(void *ctx)
{
	(void)ctx;
	ck_assert(walker_ready);
	ck_assert_int_eq(pv_genode_walker_apply(&w, &page, &kernel_tlb, NULL), 0);
}

static uint8_t asid_first = 1, asid_last = 255; /* the next setup's */

static void setup_window(size_t pool_size, uint32_t window_size)
{
	ck_assert_int_eq(fake_backend_setup(&fb, &cfg), 0);
	cfg.asid_first = asid_first;
	cfg.asid_last = asid_last;
	ops = fake_backend_ops;
	ops.cache_clean_range = g_clean;
	ops.tlb_inval_all = g_tlb_all;
	ops.tlb_inval_asid = g_tlb_asid;
	ops.tlb_inval_va = g_tlb_va;
	cfg.ops = &ops;
	cfg.shadow_pool.size = pool_size;
	cfg.window_size = window_size;
	walker_ready = false;
	k_all = k_asid = k_va = 0;
	ck_assert_int_eq(pv_genode_log_init(&lw, &page, fb.pool, pool_size,
					    replay, NULL), 0);
	vm = calloc(1, sizeof(*vm));
	ck_assert_ptr_nonnull(vm);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	/* The session: the kernel checks the geometry, then replays init. */
	ck_assert_int_eq(pv_vm_shadow_layout(vm, &lay), 0);
	copy = aligned_alloc(16384, pool_size);
	ck_assert_ptr_nonnull(copy);
	memset(copy, 0xee, pool_size); /* walker_init clears it */
	frames[0].pa = fb.ram_hpa;
	frames[0].size = FAKE_RAM_SIZE;
	ck_assert_int_eq(pv_genode_walker_init(&w, fb.pool, copy, fb.pool_hpa,
					       (uint32_t)pool_size, &lay, frames, 1,
					       cfg.window_base, cfg.window_size,
					       cfg.window_l1), 0);
	walker_ready = true;
	pv_genode_log_flush(&lw);
}

static void setup(void)
{
	setup_window(256u * 1024u, PV_DEFAULT_WINDOW_SIZE);
}

static void teardown(void)
{
	free(vm);
	free(copy);
	fake_backend_teardown(&fb);
}

/* First pool offset where the kernel's copy differs from the VMM's tables
 * in the table ranges, or -1. */
static long copy_differs(void)
{
	const uint32_t *pool = (const uint32_t *)fb.pool;

	if (!memcmp(copy, pool, lay.roots_size) &&
	    !memcmp((const uint8_t *)copy + lay.l2_off, fb.pool + lay.l2_off,
		    lay.l2_size))
		return -1;
	for (uint32_t o = lay.roots_off; o < lay.roots_off + lay.roots_size; o += 4)
		if (copy[o / 4] != pool[o / 4])
			return o;
	for (uint32_t o = lay.l2_off; o < lay.l2_off + lay.l2_size; o += 4)
		if (copy[o / 4] != pool[o / 4])
			return o;
	return -1;
}

static uint32_t *gptr(uint32_t gpa)
{
	uint32_t *p = fake_backend_ram(&fb, gpa);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* A plausible guest descriptor: mostly RAM, sometimes not, any rights. */
static uint32_t guest_l1(void)
{
	uint32_t r = rnd(), mib = r % 24u;

	switch ((r >> 8) % 4) {
	case 0:
		return 0;
	case 1:
		return (L2T + (r >> 12) % NL2 * 1024u) | ((r >> 20) & 0x1e0u) | 1u;
	default:
		return ((FAKE_RAM_BASE >> 20) + mib) << 20 | ((r >> 16) & 0xfdecu) | 2u;
	}
}

static uint32_t guest_l2(void)
{
	uint32_t r = rnd();

	if ((r & 7) == 0)
		return 0;
	return (FAKE_RAM_BASE + (r >> 8) % (20u << 8) * 0x1000u) |
	       ((r >> 3) & 0xff0u & ~0x200u) | 2u | (r >> 31);
}

static void guest_tables(void)
{
	static const uint32_t mibs[] = { 0x000, 0x001, 0x100, 0x7ff, 0xc00,
					 0xc01, 0xfef, 0xffe, 0xfff };

	for (unsigned i = 0; i < PV_ARRAY_SIZE(mibs); i++) {
		gptr(L1A)[mibs[i]] = guest_l1();
		gptr(L1B)[mibs[i]] = guest_l1();
	}
	for (uint32_t k = 0; k < NL2 * 256u; k++)
		gptr(L2T)[k] = guest_l2();
}

/* One step of a guest kernel's life on the shadow engine. */
static void step(struct pv_vcpu *v)
{
	static const uint32_t mibs[] = { 0x000, 0x001, 0x100, 0x7ff, 0xc00,
					 0xc01, 0xfef, 0xffe, 0xfff };
	static const unsigned accs[] = { PV_ACC_READ, PV_ACC_WRITE, PV_ACC_EXEC };
	uint32_t r = rnd(), mib = mibs[(r >> 4) % PV_ARRAY_SIZE(mibs)];
	enum pv_shadow_outcome oc;
	struct pv_fault f;

	switch (r % 16) {
	case 0: /* an L1 entry changes, then TLBIALL */
		gptr(r & 0x100 ? L1B : L1A)[mib] = guest_l1();
		pv_shadow_tlbi(v, PV_TLBI_ALL, 0);
		break;
	case 1: { /* an L2 entry changes, then TLBIMVAA of each MiB's page */
		uint32_t k = (r >> 8) % (NL2 * 256u);

		gptr(L2T)[k] = guest_l2();
		for (unsigned i = 0; i < PV_ARRAY_SIZE(mibs); i++)
			pv_shadow_tlbi(v, PV_TLBI_MVAA, mibs[i] << 20 | (k % 256u) << 12);
		break;
	}
	case 2: /* a context switch */
		v->cp15.ttbr0 = r & 0x100 ? L1B : L1A;
		v->cp15.contextidr = (r >> 12) % 6u;
		pv_shadow_ctx_changed(v, PV_SHADOW_CTX_TTBR0 | PV_SHADOW_CTX_CONTEXTIDR);
		break;
	case 3: /* user or kernel */
		v->cpsr = (v->cpsr & ~0x1fu) | (r & 0x100 ? PV_MODE_USR : PV_MODE_SVC);
		pv_shadow_ctx_changed(v, PV_SHADOW_CTX_MODE);
		break;
	case 4: /* a DACR change */
		v->cp15.dacr = r & 0x100 ? 0x55555555u : 0x55555557u;
		pv_shadow_ctx_changed(v, PV_SHADOW_CTX_DACR);
		break;
	case 5: /* TLBIASID */
		pv_shadow_tlbi(v, PV_TLBI_ASID, (r >> 12) % 6u);
		break;
	default: { /* an access */
		uint32_t va = mib << 20 | ((r >> 8) & 0xfffffu);

		ck_assert_int_ne(pv_shadow_fault(v, pv_gva(va & ~3u),
						 accs[(r >> 28) % 3], &oc, &f),
				 PV_ESTATE);
		break;
	}
	}
}

/* The run: the log replayed, the copy equal to the VMM's tables, the root
 * the vCPU resumes on one the kernel accepts. */
static void run_and_compare(struct pv_vcpu *v, unsigned n)
{
	static struct pv_genode_vcpu_state st;
	struct pv_genode_run loaded;
	struct pv_resume rs;
	long at;

	pv_vcpu_resume_state(v, &rs);
	ck_assert_int_eq(pv_genode_fill_run(v, &rs, &st), 0);
	ck_assert_int_eq(pv_genode_run_take(&w, asid_first, asid_last, 0x4au,
					    &st.run, &loaded), 0);
	ck_assert_uint_eq(loaded.ttbr0, ((uint32_t)pv_hpa_val(rs.ttbr0) & ~0x3fffu) | 0x4au);
	pv_genode_log_flush(&lw);
	at = copy_differs();
	ck_assert_msg(at < 0, "step %u: copy differs at pool offset %#lx", n,
		      (unsigned long)at);
	ck_assert_int_eq(fake_backend_walker_stale(&fb, vm), -1);
	ck_assert(pv_genode_walker_root_ok(&w, (uint32_t)pv_hpa_val(rs.ttbr0)));
}

static void drive(unsigned steps, uint32_t seed)
{
	struct pv_vcpu *v = &vm->vcpu[0];
	uint64_t words, flushes;

	rng = seed;
	guest_tables();
	v->cp15.sctlr = 1;
	v->cp15.ttbr0 = L1A;
	v->cp15.ttbr1 = L1B;
	v->cp15.dacr = 0x55555555u;
	v->cp15.contextidr = 1;
	v->cpsr = PV_MODE_SVC;
	pv_shadow_ctx_changed(v, ~0u);
	run_and_compare(v, 0);
	words = w.words;
	for (unsigned n = 1; n <= steps; n++) {
		step(v);
		run_and_compare(v, n);
	}
	flushes = lw.flushes;
	ck_assert_uint_gt(w.words, words);   /* the replays did copy */
	ck_assert_uint_gt(flushes, steps / 8);
	ck_assert_uint_gt(k_va + k_asid + k_all, 0);
	ck_assert(!w.broken);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
}

START_TEST(copy_follows_pvcore_partial_window)
{
	setup();
	drive(20000, 0x2545f491u);
	ck_assert_uint_gt(lay.part_l2, 0);
	ck_assert_uint_gt(vm->shadow.stats.evictions + vm->shadow.stats.full_flushes, 0);
	teardown();
}
END_TEST

START_TEST(copy_follows_pvcore_whole_window_small_pool)
{
	asid_first = 60; /* the VM's own host ASIDs, the fewest allowed */
	asid_last = 60 + PV_VM_MIN_ASIDS - 1;
	setup_window(PV_SHADOW_POOL_MIN, 0x100000u);
	asid_first = 1;
	asid_last = 255;
	ck_assert_uint_eq(lay.part_l2, 0);
	drive(20000, 0x9e3779b9u);
	ck_assert_uint_gt(vm->shadow.stats.asid_rollovers, 0);
	teardown();
}
END_TEST

/* ---- a hostile VMM ------------------------------------------------------ */

static uint32_t root_off(uint32_t r, uint32_t idx)
{
	return lay.roots_off + r * 16384u + 4 * idx;
}

static uint32_t l2_off(uint32_t t, uint32_t j)
{
	return lay.l2_off + t * 1024u + 4 * j;
}

static uint32_t l2_pa(uint32_t t)
{
	return (uint32_t)fb.pool_hpa + lay.l2_off + t * 1024u;
}

/* The VMM writes @value at pool offset @off behind pvcore's back and logs
 * it: the kernel answers @expect; a refused word is not in the copy, and
 * the VM is not run again. */
static void forged(uint32_t off, uint32_t value, int expect)
{
	uint32_t before = copy[off / 4];
	int err;

	((uint32_t *)fb.pool)[off / 4] = value;
	pv_genode_log_clean(&lw, fb.pool + off, 4);
	err = pv_genode_walker_apply(&w, &page, &kernel_tlb, NULL);
	page.count = 0;
	ck_assert_msg(err == expect, "word %#x at %#x: %d, expected %d", value,
		      off, err, expect);
	if (expect) {
		ck_assert_uint_eq(copy[off / 4], before);
		ck_assert(w.broken);
		ck_assert_int_eq(pv_genode_walker_apply(&w, &page, &kernel_tlb, NULL),
				 PV_EBUSY);
		ck_assert(!pv_genode_walker_root_ok(&w, (uint32_t)fb.pool_hpa));
	} else {
		ck_assert_uint_eq(copy[off / 4], value);
	}
}

static const uint32_t ram_section = 0x40300000u | 3u << 10 | 2u;

START_TEST(refuses_sections_outside_the_frames)
{
	setup();
	forged(root_off(0, 0x100), ram_section, 0); /* the control */
	forged(root_off(0, 0x101), 0x3f800000u | 1u << 10 | 2u, PV_ERANGE);
	teardown();
	setup();
	/* The last MiB of RAM, and the first one past it. */
	forged(root_off(1, 0x102), (0x40000000u + FAKE_RAM_SIZE - 0x100000u) | 2u, 0);
	forged(root_off(1, 0x103), (0x40000000u + FAKE_RAM_SIZE) | 2u, PV_ERANGE);
	teardown();
	setup();
	forged(root_off(0, 0x104), ram_section | 1u << 18, PV_ERANGE); /* super */
	teardown();
	setup();
	forged(root_off(0, 0x105), ram_section | 3u, PV_ERANGE); /* reserved type */
	teardown();
}
END_TEST

START_TEST(refuses_links_outside_the_tables)
{
	setup();
	forged(root_off(0, 0x100), l2_pa(lay.part_l2) | 1u, 0); /* the control */
	forged(root_off(0, 0x101), l2_pa(0) | 1u, PV_ERANGE);   /* a window table */
	teardown();
	setup();
	forged(root_off(0, 0x101), (uint32_t)fb.pool_hpa | 1u, PV_ERANGE); /* a root */
	teardown();
	setup();
	forged(root_off(0, 0x101), (l2_pa(0) + lay.l2_size) | 1u, PV_ERANGE);
	teardown();
	setup();
	forged(root_off(0, 0x101), 0x40000000u | 1u, PV_ERANGE); /* guest RAM */
	teardown();
}
END_TEST

START_TEST(refuses_window_changes)
{
	uint32_t link;

	setup();
	link = copy[root_off(2, 0xfff) / 4];
	ck_assert_uint_eq(link & ~0x3ffu, l2_pa(2)); /* prefilled, then replayed */
	forged(root_off(2, 0xfff), link, 0);
	forged(root_off(2, 0xfff), 0, PV_EWINDOW);
	teardown();
	setup();
	forged(root_off(2, 0xfff), l2_pa(3) | (link & 0x1e0u) | 1u, PV_EWINDOW);
	teardown();
	setup();
	forged(root_off(2, 0xfff), l2_pa(2) | 0x1e0u | 1u, PV_EWINDOW); /* domain */
	teardown();
	setup();
	/* Window page 5: another frame, then its own frame open to PL0. */
	forged(l2_off(2, 5), copy[l2_off(2, 5) / 4], 0);
	forged(l2_off(2, 5), copy[l2_off(2, 5) / 4] + 0x1000u, PV_EWINDOW);
	teardown();
	setup();
	forged(l2_off(2, 5), copy[l2_off(2, 5) / 4] | 3u << 4, PV_EWINDOW);
	teardown();
	setup();
	/* Past the window's end the table is the guest's. */
	forged(l2_off(2, 0xe0), 0x40005000u | 3u << 4 | 2u, 0);
	forged(l2_off(2, 0xe1), 0x3f8e1000u | 3u << 4 | 2u, PV_ERANGE);
	teardown();
	setup_window(256u * 1024u, 0x100000u);
	forged(root_off(0, 0xfff), cfg.window_l1[0], 0);
	forged(root_off(0, 0xfff), ram_section, PV_EWINDOW);
	teardown();
}
END_TEST

START_TEST(refuses_pages_outside_the_frames)
{
	uint32_t t;

	setup();
	t = lay.part_l2 + 1;
	forged(l2_off(t, 7), 0x40fff000u | 3u << 4 | 2u, 0); /* RAM's last page */
	forged(l2_off(t, 8), 0x41000000u | 3u << 4 | 2u, PV_ERANGE);
	teardown();
	setup();
	forged(l2_off(lay.part_l2, 9), 0x40010000u | 1u, PV_ERANGE); /* large */
	teardown();
}
END_TEST

START_TEST(bookkeeping_is_never_copied)
{
	uint32_t off;

	setup();
	off = lay.roots_off + lay.roots_size; /* the first bitmap word */
	ck_assert_uint_lt(off, lay.l2_off);
	((uint32_t *)fb.pool)[off / 4] ^= 0x3f800c02u;
	pv_genode_log_clean(&lw, fb.pool + off, 8);
	ck_assert_int_eq(pv_genode_walker_apply(&w, &page, &kernel_tlb, NULL), 0);
	page.count = 0;
	ck_assert_uint_eq(copy[off / 4], 0);
	((uint32_t *)fb.pool)[off / 4] ^= 0x3f800c02u;
	teardown();
}
END_TEST

/* A record as the VMM writes it, raw. */
static void forged_rec(uint32_t op, uint32_t a, uint32_t b, uint32_t reserved,
		       int expect)
{
	setup();
	page.count = 1;
	page.rec[0].op = op;
	page.rec[0].a = a;
	page.rec[0].b = b;
	page.rec[0].reserved = reserved;
	ck_assert_int_eq(pv_genode_walker_apply(&w, &page, &kernel_tlb, NULL), expect);
	ck_assert(w.broken == (expect != 0));
	teardown();
}

START_TEST(refuses_malformed_records)
{
	forged_rec(PV_GENODE_LOG_TABLES, 0, 4, 0, 0);
	forged_rec(PV_GENODE_LOG_TABLES, 256u * 1024u - 4, 4, 0, 0);
	forged_rec(PV_GENODE_LOG_TABLES, 256u * 1024u - 4, 8, 0, PV_ECORRUPT);
	forged_rec(PV_GENODE_LOG_TABLES, 0xfffffff0u, 0x20, 0, PV_ECORRUPT);
	forged_rec(PV_GENODE_LOG_TABLES, 0, 4, 1, PV_ECORRUPT);
	forged_rec(PV_GENODE_LOG_TLB_ASID, 0x100, 0, 0, PV_ECORRUPT);
	forged_rec(PV_GENODE_LOG_TLB_VA, 0x1000, 0x100, 0, PV_ECORRUPT);
	forged_rec(PV_GENODE_LOG_TLB_VA, 0x1000, 0xff, 0, 0);
	forged_rec(0, 0, 0, 0, PV_ECORRUPT);
	forged_rec(5, 0, 0, 0, PV_ECORRUPT);

	setup();
	page.count = PV_GENODE_LOG_RECS + 1;
	ck_assert_int_eq(pv_genode_walker_apply(&w, &page, &kernel_tlb, NULL),
			 PV_ECORRUPT);
	teardown();
	setup();
	page.magic ^= 1;
	ck_assert_int_eq(pv_genode_walker_apply(&w, &page, &kernel_tlb, NULL),
			 PV_ECORRUPT);
	teardown();
	setup();
	page.version = 2;
	ck_assert_int_eq(pv_genode_walker_apply(&w, &page, &kernel_tlb, NULL),
			 PV_ECORRUPT);
	ck_assert_int_eq(pv_genode_walker_apply(NULL, &page, &kernel_tlb, NULL),
			 PV_EINVAL);
	teardown();
}
END_TEST

START_TEST(init_checks_the_geometry)
{
	struct pv_shadow_layout bad;
	struct pv_genode_walker w2;

	setup();
#define INIT(l, base, size) \
	pv_genode_walker_init(&w2, fb.pool, copy, fb.pool_hpa, 256u * 1024u, (l), \
			      frames, 1, (base), (size), cfg.window_l1)
	ck_assert_int_eq(INIT(&lay, cfg.window_base, cfg.window_size), 0);
	bad = lay;
	bad.roots_off = 16384;
	ck_assert_int_eq(INIT(&bad, cfg.window_base, cfg.window_size), PV_EINVAL);
	bad = lay;
	bad.l2_off = lay.roots_size - 1024; /* tables over the roots */
	ck_assert_int_eq(INIT(&bad, cfg.window_base, cfg.window_size), PV_EINVAL);
	bad = lay;
	bad.l2_size = 256u * 1024u - lay.l2_off + 1024; /* past the pool */
	ck_assert_int_eq(INIT(&bad, cfg.window_base, cfg.window_size), PV_EINVAL);
	bad = lay;
	bad.part_l2 = 0; /* disagrees with a partial window */
	ck_assert_int_eq(INIT(&bad, cfg.window_base, cfg.window_size), PV_EINVAL);
	ck_assert_int_eq(INIT(&lay, cfg.window_base + 0x1000, cfg.window_size),
			 PV_EINVAL);
	ck_assert_int_eq(INIT(&lay, cfg.window_base, 0x100000u), PV_EINVAL);
	ck_assert_int_eq(pv_genode_walker_init(&w2, fb.pool, copy, fb.pool_hpa + 4096,
					       256u * 1024u, &lay, frames, 1,
					       cfg.window_base, cfg.window_size,
					       cfg.window_l1), PV_EINVAL);
#undef INIT
	teardown();
}
END_TEST

/*
 * The independent oracle: walk the copy as the MMU would, from every root,
 * at every MiB. What PL0 can reach must be the VM's RAM; the window's MiB
 * must be a table whose first pages are the window's frames, closed to
 * PL0. It knows nothing of the checker's rules per word.
 */
static const char *walk_copy(void)
{
	const uint64_t ram = fb.ram_hpa, ram_end = ram + FAKE_RAM_SIZE;
	const uint32_t win = 0xfff, win_pages = PV_DEFAULT_WINDOW_SIZE >> 12;
	const uint64_t tables = fb.pool_hpa + lay.l2_off;

	for (uint32_t r = 0; r < lay.roots_size / 16384u; r++) {
		const uint32_t *root = copy + (lay.roots_off + r * 16384u) / 4;

		for (uint32_t i = 0; i < 4096; i++) {
			uint32_t d = root[i];
			uint64_t pa;

			if ((d & 3) == 0) {
				if (i == win)
					return "the window's MiB is unmapped";
				continue;
			}
			if ((d & 3) == 3)
				return "a reserved L1 type";
			if ((d & 3) == 2) {
				pa = d & (d & 1u << 18 ? 0xff000000u : 0xfff00000u);
				if (i == win)
					return "the window's MiB is a section";
				if (pa < ram || pa + (d & 1u << 18 ? 16u : 1u) * 0x100000u > ram_end)
					return "a section outside RAM";
				continue;
			}
			pa = d & ~0x3ffu;
			if (pa < tables || pa + 1024 > tables + lay.l2_size)
				return "a table outside the copy's tables";
			const uint32_t *l2 = copy + (pa - fb.pool_hpa) / 4;

			for (uint32_t j = 0; j < 256; j++) {
				uint32_t e = l2[j];
				uint64_t size = (e & 3) == 1 ? 0x10000u : 0x1000u;

				if (!(e & 3)) {
					if (i == win && j < win_pages)
						return "a window page unmapped";
					continue;
				}
				pa = (e & 3) == 1 ? e & 0xffff0000u : e & 0xfffff000u;
				if (i == win && j < win_pages) {
					if (pa != 0x3f800000u + j * 0x1000u || size != 0x1000u)
						return "a window page moved";
					if (((e >> 4) & 3) > 1)
						return "a window page open to PL0";
					continue;
				}
				if (pa < ram || pa + size > ram_end)
					return "a page outside RAM";
			}
		}
	}
	return NULL;
}

/* A word a hostile VMM might write, from a mix of near misses. */
static uint32_t hostile_word(uint32_t root, uint32_t t_of_root, uint32_t j)
{
	uint32_t r = rnd(), ntables = lay.l2_size / 1024u;

	switch (r % 12) {
	case 0: /* a section, sometimes past RAM */
		return (0x40000000u + (r >> 8) % 20u * 0x100000u) | ((r >> 4) & 0xc0cu) | 2u;
	case 1: /* the window's frame, as a section or a page */
		return r & 1 << 4 ? 0x3f800c02u : 0x3f800000u | ((r >> 8) & 0xff) << 12 | 0x32u;
	case 2: /* a link to any table, one past them, or a root */
		return (uint32_t)(l2_pa(0) + (r >> 8) % (ntables + 2) * 1024u) | (r & 0x1e0u) | 1u;
	case 3:
		return ((uint32_t)fb.pool_hpa + (r >> 8) % 4u * 16384u) | 1u;
	case 4: /* a page, sometimes past RAM */
		return (0x40000000u + (r >> 8) % (20u << 8) * 0x1000u) | ((r >> 2) & 0xff0u) | 2u;
	case 5: /* a window page, any AP, often at its own index */
		return (0x3f800000u + (r & 1 << 7 ? j : (r >> 8) % 256u) * 0x1000u) |
		       ((r >> 2) & 0x30u) | 2u;
	case 6: /* a large page */
		return (0x40000000u + (r >> 16) % 256u * 0x10000u) | 1u;
	case 7: /* the right link of this root's window MiB, or another's */
		return l2_pa(r & 1 ? t_of_root : (r >> 8) % 4u) | (copy[root_off(root, 0xfff) / 4] & 0x1e0u) | 1u;
	case 8:
		return 0;
	case 9: /* a supersection */
		return 0x40000000u | 1u << 18 | 2u;
	default:
		return r;
	}
}

START_TEST(random_hostile_words_never_open_more_than_ram)
{
	unsigned accepted = 0, refused = 0;
	uint32_t nroots, ntables;
	const char *why;

	setup();
	rng = 0x51ed270bu;
	nroots = lay.roots_size / 16384u;
	ntables = lay.l2_size / 1024u;
	ck_assert_ptr_null(walk_copy());
	for (unsigned n = 0; n < 3000; n++) {
		uint32_t r = rnd(), root = r % nroots, off, value, before;
		int err;

		if (r & 1 << 8) /* a root's word: its window MiB often */
			off = root_off(root, r & 1 << 9 ? 0xfff : (r >> 12) % 4096u);
		else if (r & 1 << 10) /* a window table's word, low pages often */
			off = l2_off(root, r & 1 << 11 ? (r >> 12) % 0xe0u : (r >> 12) % 256u);
		else
			off = l2_off((r >> 12) % ntables, (r >> 20) % 256u);
		value = hostile_word(root, root, (off % 1024u) / 4);
		before = copy[off / 4];
		((uint32_t *)fb.pool)[off / 4] = value;
		pv_genode_log_clean(&lw, fb.pool + off, 4);
		err = pv_genode_walker_apply(&w, &page, &kernel_tlb, NULL);
		page.count = 0;
		if (err) {
			ck_assert_msg(copy[off / 4] == before, "refused %#x stored", value);
			refused++;
			/* A new session for the next try: the copy anew. */
			ck_assert_int_eq(pv_genode_walker_init(&w, fb.pool, copy, fb.pool_hpa,
							       256u * 1024u, &lay, frames, 1,
							       cfg.window_base, cfg.window_size,
							       cfg.window_l1), 0);
		} else {
			ck_assert_uint_eq(copy[off / 4], value);
			accepted++;
		}
		why = walk_copy();
		ck_assert_msg(why == NULL, "step %u, word %#x at %#x: %s", n, value,
			      off, why);
	}
	ck_assert_uint_gt(accepted, 300);
	ck_assert_uint_gt(refused, 300);
	teardown();
}
END_TEST

/* ---- the run half --------------------------------------------------------- */

START_TEST(refuses_forged_run_halves)
{
	static struct pv_genode_vcpu_state st;
	struct pv_genode_run good, r;
	struct pv_resume rs;
	struct pv_vcpu *v;

	setup();
	v = &vm->vcpu[0];
	v->cp15.sctlr = 1;
	v->cp15.ttbr0 = L1A;
	v->cp15.dacr = 0x55555555u;
	v->cp15.contextidr = 3;
	v->cpsr = PV_MODE_SVC;
	pv_shadow_ctx_changed(v, ~0u);
	pv_vcpu_resume_state(v, &rs);
	pv_genode_log_flush(&lw);
	ck_assert_int_eq(pv_genode_fill_run(v, &rs, &st), 0);
	good = st.run;
#define TAKE(lo, hi) pv_genode_run_take(&w, (lo), (hi), 0, &st.run, &r)
#define FORGE(field, value, expect)                                         \
	do {                                                                \
		st.run = good;                                              \
		st.run.field = (value);                                     \
		ck_assert_int_eq(TAKE(1, 255), (expect));                   \
	} while (0)
	ck_assert_int_eq(TAKE(1, 255), 0);
	ck_assert_uint_eq(r.pc, good.pc);
	ck_assert_int_eq(TAKE(good.contextidr + 1, 255), PV_ERANGE);
	ck_assert_int_eq(TAKE(1, good.contextidr - 1), PV_ERANGE);
	FORGE(cpsr, good.cpsr | 0x1f, PV_ESTATE);            /* SYS */
	FORGE(cpsr, (good.cpsr & ~0x1fu) | 0x13, PV_ESTATE); /* SVC */
	FORGE(cpsr, good.cpsr | 1u << 7, PV_ESTATE);         /* IRQs masked */
	FORGE(cpsr, good.cpsr | 1u << 24, PV_ESTATE);        /* Jazelle */
	FORGE(cpsr, (good.cpsr & ~(1u << 5)) | 1u << 10, PV_ESTATE); /* IT, ARM */
	FORGE(cpsr, good.cpsr | 1u << 20, PV_ESTATE);        /* reserved */
	FORGE(cpsr, good.cpsr | 1u << 5 | 1u << 10, 0);      /* IT in Thumb */
	FORGE(ttbr0, (uint32_t)fb.pool_hpa + lay.roots_size, PV_ERANGE); /* a table */
	FORGE(ttbr0, (uint32_t)fb.pool_hpa - 0x4000u, PV_ERANGE);
	FORGE(ttbr0, 0x40000000u, PV_ERANGE);                /* guest RAM */
	FORGE(ttbr0, (uint32_t)fb.pool_hpa + 0x4000u, 0);    /* another root */
	FORGE(contextidr, 0x103, PV_ERANGE);
	FORGE(dacr, good.dacr | 3u << 6, PV_EWINDOW);        /* Manager */
	FORGE(flags, 1u << 2, PV_ECORRUPT);
	FORGE(flags, PV_GENODE_RUN_VFP | PV_GENODE_RUN_ALIGN, 0);
	FORGE(pc, 0xffff0000u, 0);                          /* the guest's business */
	/* A broken walker runs nothing. */
	st.run = good;
	w.broken = true;
	ck_assert_int_eq(TAKE(1, 255), PV_ERANGE);
	ck_assert_int_eq(pv_genode_run_take(NULL, 1, 255, 0, &st.run, &r), PV_EINVAL);
#undef FORGE
#undef TAKE
	teardown();
}
END_TEST

/* ---- the VMM's writer ---------------------------------------------------- */

static void no_flush(void *ctx)
{
	(void)ctx;
	ck_abort_msg("flushed with room in the page");
}

START_TEST(writer_merges_runs_and_keeps_tlb_order)
{
	/* The pool, with memory on both sides that is not the pool's. */
	static uint8_t mem[64 + 8192 + 64];
	uint8_t *pool = mem + 64;
	const size_t size = 8192;
	static struct pv_genode_table_log pg;
	struct pv_genode_log_writer lw2;

	ck_assert_int_eq(pv_genode_log_init(&lw2, &pg, pool, size, no_flush, NULL), 0);
	pv_genode_log_clean(&lw2, pool + 16, 4);
	pv_genode_log_clean(&lw2, pool + 20, 8);  /* continues it */
	pv_genode_log_clean(&lw2, pool + 12, 8);  /* overlaps its start */
	ck_assert_uint_eq(pg.count, 1);
	ck_assert_uint_eq(pg.rec[0].a, 12);
	ck_assert_uint_eq(pg.rec[0].b, 16);
	pv_genode_log_tlb_va(&lw2, 0xc0001234u, 7);
	pv_genode_log_clean(&lw2, pool + 28, 4);  /* after a TLB record: new */
	ck_assert_uint_eq(pg.count, 3);
	ck_assert_uint_eq(pg.rec[1].op, PV_GENODE_LOG_TLB_VA);
	ck_assert_uint_eq(pg.rec[1].a, 0xc0001000u);
	ck_assert_uint_eq(pg.rec[1].b, 7);
	pv_genode_log_clean(&lw2, pool + 100, 4); /* a gap: new */
	ck_assert_uint_eq(pg.count, 4);
	/* Outside the pool: the guest's own cache maintenance, not logged;
	 * across its end: the part inside. */
	pv_genode_log_clean(&lw2, pool + size, 64);
	pv_genode_log_clean(&lw2, mem, 32);
	ck_assert_uint_eq(pg.count, 4);
	pv_genode_log_clean(&lw2, pool + size - 4, 64);
	ck_assert_uint_eq(pg.count, 5);
	ck_assert_uint_eq(pg.rec[4].a, size - 4);
	ck_assert_uint_eq(pg.rec[4].b, 4);
}
END_TEST

static unsigned flush_calls;
static uint32_t count_at_flush;

static void count_flush(void *ctx)
{
	(void)ctx;
	flush_calls++;
	count_at_flush = page.count;
}

START_TEST(writer_flushes_a_full_page)
{
	static uint8_t pool[4096];

	flush_calls = 0;
	ck_assert_int_eq(pv_genode_log_init(&lw, &page, pool, sizeof(pool),
					    count_flush, NULL), 0);
	for (unsigned i = 0; i < PV_GENODE_LOG_RECS; i++)
		pv_genode_log_tlb_asid(&lw, (uint8_t)i);
	ck_assert_uint_eq(flush_calls, 0);
	pv_genode_log_tlb_all(&lw);
	ck_assert_uint_eq(flush_calls, 1);
	ck_assert_uint_eq(count_at_flush, PV_GENODE_LOG_RECS);
	ck_assert_uint_eq(page.count, 1);
	ck_assert_uint_eq(page.rec[0].op, PV_GENODE_LOG_TLB_ALL);
	pv_genode_log_flush(&lw);
	ck_assert_uint_eq(flush_calls, 2);
	pv_genode_log_flush(&lw); /* empty: no call */
	ck_assert_uint_eq(flush_calls, 2);
	ck_assert_uint_eq(lw.records, PV_GENODE_LOG_RECS + 1);
	ck_assert_int_eq(pv_genode_log_init(&lw, NULL, pool, 1, count_flush, NULL), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("genode_tables");
	TCase *tc = tcase_create("tables");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, copy_follows_pvcore_partial_window);
	tcase_add_test(tc, copy_follows_pvcore_whole_window_small_pool);
	tcase_add_test(tc, refuses_sections_outside_the_frames);
	tcase_add_test(tc, refuses_links_outside_the_tables);
	tcase_add_test(tc, refuses_window_changes);
	tcase_add_test(tc, refuses_pages_outside_the_frames);
	tcase_add_test(tc, bookkeeping_is_never_copied);
	tcase_add_test(tc, refuses_malformed_records);
	tcase_add_test(tc, init_checks_the_geometry);
	tcase_add_test(tc, refuses_forged_run_halves);
	tcase_add_test(tc, random_hostile_words_never_open_more_than_ram);
	tcase_add_test(tc, writer_merges_runs_and_keeps_tlb_order);
	tcase_add_test(tc, writer_flushes_a_full_page);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
