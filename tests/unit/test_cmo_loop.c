/* SPDX-License-Identifier: MIT */
/*
 * Cache and TLB maintenance loops in one trap (libpvcore/cmo_loop.c), against the
 * reference: the same loop with one trap per MCR (fusion off) and its
 * ordinary instructions run by a small interpreter written here from the
 * Arm ARM (the stand-in for the guest running them natively). Both runs
 * start from the same state and must end with the same registers, CPSR,
 * PC, set of host lines cleaned, I-cache invalidation and shadow pages
 * invalidated; the fused run
 * must take fewer traps where the loop is a recognised shape, and exactly
 * the reference's where it is not.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cmo_loop.h"
#include "core.h"
#include "fake_backend.h"

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;
static struct pv_vcpu *cpu;

#define CODE_PA (FAKE_RAM_BASE + 0x1000u)
#define NOP 0xe320f000u
#define LINES (FAKE_RAM_SIZE / 32u)

static uint32_t code_va; /* where the guest sees CODE_PA */

/* TLB loops: the pages from PROBE_VA are in the shadow before each run;
 * which of them are still there afterwards is what the loop invalidated. */
#define PROBE_VA 0xd0000000u
#define PROBE_PAGES 1024u
static uint8_t cleaned[LINES / 8];
static unsigned bad_cleans;
static bool probe_tlb; /* see PROBE_VA */

static void on_clean(void *arg, const uint8_t *p, size_t len)
{
	size_t off = (size_t)(p - fb.ram);

	(void)arg;
	/* The shadow engine cleaning its own tables (TLB loops' probes). */
	if (probe_tlb && p >= fb.pool && p < fb.pool + FAKE_POOL_SIZE)
		return;
	if (p < fb.ram || off % 32 || len % 32 || off + len > FAKE_RAM_SIZE) {
		bad_cleans++;
		return;
	}
	for (size_t l = off / 32; l < (off + len) / 32; l++)
		cleaned[l / 8] |= (uint8_t)(1u << (l % 8));
}

static void setup(void)
{
	ck_assert_int_eq(fake_backend_setup(&fb, &cfg), 0);
	vm = calloc(1, sizeof(*vm));
	ck_assert_ptr_nonnull(vm);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	cpu = &vm->vcpu[0];
	fb.on_clean = on_clean;
	code_va = CODE_PA;
	bad_cleans = 0;
	probe_tlb = false;
}

static void teardown(void)
{
	free(vm);
	fake_backend_teardown(&fb);
}

/* --- encodings ------------------------------------------------------------ */

enum { C_EQ, C_NE, C_CS, C_CC, C_MI, C_PL, C_VS, C_VC, C_HI, C_LS, C_GE,
       C_LT, C_GT, C_LE, C_AL };

/* MCR p15, 0, Rt, c7, CRm, opc2 */
static uint32_t mcr(unsigned c, unsigned rt, unsigned crm, unsigned opc2)
{
	return (uint32_t)c << 28 | 0x0e070f10u | rt << 12 | opc2 << 5 | crm;
}

static uint32_t dp_reg(unsigned c, uint32_t op, unsigned rd, unsigned rn,
		       unsigned rm)
{
	return (uint32_t)c << 28 | op | rn << 16 | rd << 12 | rm;
}

static uint32_t dp_imm(unsigned c, uint32_t op, unsigned rd, unsigned rn,
		       uint32_t imm12)
{
	return (uint32_t)c << 28 | op | 0x02000000u | rn << 16 | rd << 12 | imm12;
}

#define OP_ADD 0x00800000u
#define OP_SUBS 0x00500000u
#define OP_CMP 0x01500000u

static uint32_t b_to(unsigned c, uint32_t from, uint32_t to)
{
	return (uint32_t)c << 28 | 0x0a000000u | (((to - from - 8) >> 2) & 0xffffffu);
}

/* The CMOs by MVA: CRm, opc2. */
static const unsigned cmos[][2] = {
	{ 6, 1 }, { 10, 1 }, { 11, 1 }, { 14, 1 }, { 5, 1 },
};

/* --- the reference: ordinary instructions as the CPU runs them ---------- */

static bool t_cond(uint32_t psr, unsigned c)
{
	bool n = psr >> 31 & 1, z = psr >> 30 & 1, cy = psr >> 29 & 1,
	     v = psr >> 28 & 1;

	switch (c) {
	case C_EQ: return z;
	case C_NE: return !z;
	case C_CS: return cy;
	case C_CC: return !cy;
	case C_MI: return n;
	case C_PL: return !n;
	case C_VS: return v;
	case C_VC: return !v;
	case C_HI: return cy && !z;
	case C_LS: return !cy || z;
	case C_GE: return n == v;
	case C_LT: return n != v;
	case C_GT: return !z && n == v;
	case C_LE: return z || n != v;
	default: return true;
	}
}

static uint32_t *code(unsigned i)
{
	return (uint32_t *)fake_backend_ram(&fb, CODE_PA) + i;
}

/* ADD, SUB(S), CMP (register without shift, or immediate), B, NOP. */
static void native_step(void)
{
	uint32_t pc = cpu->r[15], w = *code((pc - code_va) / 4);
	uint32_t a, b, r, op = w >> 21 & 15;

	cpu->r[15] = pc + 4;
	if (!t_cond(cpu->cpsr, w >> 28) || w == NOP)
		return;
	if ((w & 0x0f000000u) == 0x0a000000u) {
		cpu->r[15] = pc + 8 + (uint32_t)(((int32_t)(w << 8)) >> 6);
		return;
	}
	ck_assert_msg((w & 0x0c000000u) == 0 &&
			      ((w & 0x02000000u) || (w & 0xff0u) == 0),
		      "interpreter: %#x", w);
	a = cpu->r[w >> 16 & 15];
	b = cpu->r[w & 15];
	if (w & 0x02000000u) { /* imm8 rotated right by 2 * rot */
		unsigned rot = 2 * (w >> 8 & 15);

		b = rot ? (w & 0xffu) >> rot | (w & 0xffu) << (32 - rot) :
			  w & 0xffu;
	}
	ck_assert_msg(op == 4 || op == 2 || op == 10, "op %u", op);
	r = op == 4 ? a + b : a - b;
	if (op != 4 && (w & (1u << 20))) {
		cpu->cpsr &= ~0xf0000000u;
		cpu->cpsr |= (r & 0x80000000u) | (r == 0 ? 1u << 30 : 0) |
			     (a >= b ? 1u << 29 : 0) |
			     ((((a ^ b) & (a ^ r)) >> 31) << 28);
	}
	if (op != 10)
		cpu->r[w >> 12 & 15] = r;
}

struct start {
	uint32_t r[16];
	uint32_t flags;
	bool irq_line, irq_unmasked;
};

struct outcome {
	uint32_t r[16];
	uint32_t cpsr;
	unsigned traps, icache;
	uint64_t loops, lines;
	uint8_t cleaned[LINES / 8];
	uint8_t kept[PROBE_PAGES / 8]; /* probed pages still in the shadow */
};

/* The kernel view's host entry for @va, from the shadow pool. */
static bool in_shadow(uint32_t va)
{
	struct pv_resume rs;
	const uint32_t *l1, *l2;
	uint32_t d;

	pv_shadow_resume(cpu, &rs);
	l1 = (const uint32_t *)(fb.pool +
				((pv_hpa_val(rs.ttbr0) & ~0x3fffull) - fb.pool_hpa));
	d = l1[va >> 20];
	if ((d & 3) != 1)
		return (d & 3) == 2;
	l2 = (const uint32_t *)(fb.pool + ((d & ~0x3ffu) - fb.pool_hpa));
	return l2[(va >> 12) & 0xffu] != 0;
}

static void probe_fill(void)
{
	enum pv_shadow_outcome oc;
	struct pv_fault f;

	for (uint32_t p = 0; p < PROBE_PAGES; p++) {
		ck_assert_int_eq(pv_shadow_fault(cpu, pv_gva(PROBE_VA + (p << 12)),
						 PV_ACC_READ, &oc, &f), 0);
		ck_assert_int_eq(oc, PV_SHADOW_FILLED);
		ck_assert(in_shadow(PROBE_VA + (p << 12)));
	}
}

static void probe_read(uint8_t *kept)
{
	memset(kept, 0, PROBE_PAGES / 8);
	for (uint32_t p = 0; p < PROBE_PAGES; p++)
		if (in_shadow(PROBE_VA + (p << 12)))
			kept[p / 8] |= (uint8_t)(1u << (p % 8));
}

/* Run from @st until the PC leaves the loop (@n words at code_va). */
static void run(bool fused, const struct start *st, unsigned n,
		struct outcome *o)
{
	struct pv_trap t = { PV_TRAP_UNDEF, 0, 0, 0 };
	uint64_t loops = pv_vm_event_count(vm, PV_EV_CMO_LOOP);
	uint64_t lines = pv_vm_event_count(vm, PV_EV_CMO_LINES);
	unsigned icache = fb.icache_inval, steps = 0;
	struct pv_exit ex;

	vm->cfg.no_cmo_loops = !fused;
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_A | PV_PSR_F |
				       (st->irq_unmasked ? 0 : PV_PSR_I));
	cpu->cpsr |= st->flags & 0xf0000000u;
	memcpy(cpu->r, st->r, sizeof(cpu->r));
	cpu->r[15] = code_va;
	pv_vcpu_set_lines(cpu, st->irq_line, false);
	memset(cleaned, 0, sizeof(cleaned));
	if (probe_tlb)
		probe_fill();
	o->traps = 0;
	while (cpu->r[15] - code_va < 4 * n &&
	       (cpu->cpsr & PV_PSR_M_MASK) == PV_MODE_SVC) {
		ck_assert_uint_lt(++steps, 4000000);
		if (cpu->r[15] == code_va) {
			t.host_cpsr = cpu->cpsr & PV_PSR_USER_MASK;
			ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
			ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
			o->traps++;
		} else {
			native_step();
		}
	}
	pv_vcpu_set_lines(cpu, false, false);
	memcpy(o->r, cpu->r, sizeof(o->r));
	o->cpsr = cpu->cpsr;
	o->icache = fb.icache_inval - icache;
	o->loops = pv_vm_event_count(vm, PV_EV_CMO_LOOP) - loops;
	o->lines = pv_vm_event_count(vm, PV_EV_CMO_LINES) - lines;
	memcpy(o->cleaned, cleaned, sizeof(cleaned));
	if (probe_tlb)
		probe_read(o->kept);
}

/*
 * Both runs from @st; the guest must not see a difference. @want_fused:
 * the loop must be fused (fewer traps), else it must not be (same traps).
 */
static void compare(const struct start *st, unsigned n, bool want_fused,
		    const char *what)
{
	static struct outcome ref, got;

	run(false, st, n, &ref);
	run(true, st, n, &got);
	for (unsigned i = 0; i < 16; i++)
		ck_assert_msg(ref.r[i] == got.r[i], "%s: r%u %#x, fused %#x",
			      what, i, ref.r[i], got.r[i]);
	ck_assert_msg(ref.cpsr == got.cpsr, "%s: cpsr %#x, fused %#x", what,
		      ref.cpsr, got.cpsr);
	ck_assert_msg(memcmp(ref.cleaned, got.cleaned, sizeof(ref.cleaned)) == 0,
		      "%s: other lines cleaned", what);
	ck_assert_msg(!probe_tlb || memcmp(ref.kept, got.kept, sizeof(ref.kept)) == 0,
		      "%s: other pages invalidated", what);
	ck_assert_msg((ref.icache > 0) == (got.icache > 0), "%s: icache %u/%u",
		      what, ref.icache, got.icache);
	ck_assert_uint_eq(bad_cleans, 0);
	ck_assert_uint_eq(ref.loops, 0);
	if (want_fused) {
		ck_assert_msg(got.loops > 0 &&
				      (got.traps < ref.traps || ref.traps == 1),
			      "%s: not fused (%u traps, %u before)", what,
			      got.traps, ref.traps);
		/* Each trap counts once; cmo-lines are the MCRs it ran. */
		ck_assert_uint_eq(got.lines - got.loops + got.traps, ref.traps);
	} else {
		ck_assert_msg(got.loops == 0 && got.traps == ref.traps,
			      "%s: fused (%u traps, %u before)", what,
			      got.traps, ref.traps);
	}
}

/* --- random loops --------------------------------------------------------- */

static uint32_t rnd(void)
{
	return (uint32_t)random() << 16 ^ (uint32_t)random();
}

/* @k distinct registers among r0-r12, r14. */
static void pick_regs(unsigned *r, unsigned k)
{
	for (unsigned i = 0; i < k; i++) {
		bool dup;

		do {
			r[i] = rnd() % 14;
			if (r[i] == 13)
				r[i] = 14;
			dup = false;
			for (unsigned j = 0; j < i; j++)
				dup |= r[j] == r[i];
		} while (dup);
	}
}

static void random_start(struct start *st)
{
	for (unsigned i = 0; i < 16; i++)
		st->r[i] = rnd();
	st->flags = rnd() & 0xf0000000u;
	st->irq_line = st->irq_unmasked = false;
}

/* An address near guest RAM: inside, or running off either end. */
static uint32_t random_base(void)
{
	uint32_t b = FAKE_RAM_BASE - 0x20000u + rnd() % (FAKE_RAM_SIZE + 0x40000u);

	return rnd() % 2 ? b & ~31u : b;
}

/* add/cmp/b<c>: the shape of v7_*_range (and, all mcrcc, v7_dma_inv_range). */
START_TEST(cmp_loops_match_single_steps)
{
	static const unsigned conds[] = { C_CC, C_NE, C_LS, C_LT };

	srandom(1000 + (unsigned)_i);
	for (unsigned it = 0; it < 40; it++) {
		const unsigned *cmo = cmos[rnd() % PV_ARRAY_SIZE(cmos)];
		unsigned c = conds[rnd() % PV_ARRAY_SIZE(conds)], r[3];
		uint32_t step = rnd() % 4 ? 32 : 32u << (rnd() % 8);
		uint32_t len = 1 + rnd() % (rnd() % 4 ? 0x4000u : 0x30000u);
		bool imm = rnd() % 4 == 0, allcond = c == C_CC && rnd() % 2;
		unsigned mc = allcond ? C_CC : C_AL;
		struct start st;

		pick_regs(r, 3);
		random_start(&st);
		st.r[r[0]] = random_base();
		st.r[r[1]] = step;
		/* NE ends only on an exact hit: a whole number of steps. */
		st.r[r[2]] = st.r[r[0]] +
			     (c == C_NE ? (len + step - 1) / step * step : len);
		if (allcond)
			st.flags &= ~(1u << 29); /* the lo of the cmp before */
		*code(0) = mcr(mc, r[0], cmo[0], cmo[1]);
		*code(1) = imm && step <= 0x80 ? dp_imm(mc, OP_ADD, r[0], r[0], step) :
						 dp_reg(mc, OP_ADD, r[0], r[0], r[1]);
		*code(2) = dp_reg(mc, OP_CMP, 0, r[0], r[2]);
		*code(3) = b_to(c, code_va + 12, code_va);
		*code(4) = NOP;
		/* LT: no signed wrap between base and bound. */
		if (c == C_LT && (int32_t)st.r[r[2]] < (int32_t)st.r[r[0]])
			continue;
		compare(&st, 5, true, "cmp loop");
	}
}
END_TEST

/* add/subs/b<c>: the shape of cpu_v7_dcache_clean_area. */
START_TEST(subs_loops_match_single_steps)
{
	static const unsigned conds[] = { C_HI, C_NE, C_GT };

	srandom(2000 + (unsigned)_i);
	for (unsigned it = 0; it < 40; it++) {
		const unsigned *cmo = cmos[rnd() % PV_ARRAY_SIZE(cmos)];
		unsigned c = conds[rnd() % PV_ARRAY_SIZE(conds)], r[3];
		uint32_t step = rnd() % 4 ? 32 : 32u << (rnd() % 8);
		uint32_t n = 1 + rnd() % (rnd() % 4 ? 200u : 3000u);
		bool imm = rnd() % 3 == 0 && step <= 0x80;
		struct start st;

		pick_regs(r, 3);
		random_start(&st);
		st.r[r[0]] = random_base();
		st.r[r[1]] = n * step;
		st.r[r[2]] = step;
		*code(0) = mcr(C_AL, r[0], cmo[0], cmo[1]);
		*code(1) = imm ? dp_imm(C_AL, OP_ADD, r[0], r[0], step) :
				 dp_reg(C_AL, OP_ADD, r[0], r[0], r[2]);
		*code(2) = imm ? dp_imm(C_AL, OP_SUBS, r[1], r[1], step) :
				 dp_reg(C_AL, OP_SUBS, r[1], r[1], r[2]);
		*code(3) = b_to(c, code_va + 12, code_va);
		*code(4) = NOP;
		compare(&st, 5, true, "subs loop");
	}
}
END_TEST

/* A loop longer than PV_CMO_LOOP_MAX_BYTES: several traps, same result. */
START_TEST(long_loop_resumes_at_the_mcr)
{
	struct start st;
	static struct outcome o;

	random_start(&st);
	st.r[0] = FAKE_RAM_BASE + 0x10000u;
	st.r[1] = st.r[0] + 5 * PV_CMO_LOOP_MAX_BYTES + 96;
	st.r[2] = 32;
	*code(0) = mcr(C_AL, 0, 14, 1);
	*code(1) = dp_reg(C_AL, OP_ADD, 0, 0, 2);
	*code(2) = dp_reg(C_AL, OP_CMP, 0, 0, 1);
	*code(3) = b_to(C_CC, code_va + 12, code_va);
	*code(4) = NOP;
	compare(&st, 5, true, "long loop");
	run(true, &st, 5, &o);
	ck_assert_uint_eq(o.traps, 6);
	ck_assert_uint_eq(o.loops, 6);
	ck_assert_uint_eq(o.lines, (5 * PV_CMO_LOOP_MAX_BYTES + 96) / 32);
}
END_TEST

/* Guest MMU on with the L1 table at @l1pa, domain 0 a client; the code
 * (CODE_PA) at 0xc0001000, which the table must map. */
static void guest_mmu_on(uint32_t l1pa)
{
	cpu->cp15.ttbr0 = l1pa;
	cpu->cp15.dacr = 1u;
	cpu->cp15.sctlr |= PV_SCTLR_M;
	pv_shadow_ctx_changed(cpu, PV_SHADOW_CTX_SCTLR | PV_SHADOW_CTX_TTBR0 |
				   PV_SHADOW_CTX_DACR);
	code_va = 0xc0001000u;
}

/* With the guest MMU on: sections, small pages, holes, a non-RAM page. */
START_TEST(translation_holes_are_skipped_alike)
{
	const uint32_t l1pa = FAKE_RAM_BASE + 0x4000u, l2pa = FAKE_RAM_BASE + 0x8000u;
	uint32_t *l1 = fake_backend_ram(&fb, l1pa), *l2 = fake_backend_ram(&fb, l2pa);
	struct start st;

	memset(l1, 0, 0x4000);
	/* Code: 0xc0000000 -> RAM base, kernel read/write (AP=01). */
	l1[0xc00] = FAKE_RAM_BASE | 1u << 10 | 2u;
	/* 0xd0000000: a section of RAM; 0xd0100000: pages; 0xd0200000: none;
	 * 0xd0300000: RAM again. */
	l1[0xd00] = (FAKE_RAM_BASE + 0x200000u) | 1u << 10 | 2u;
	l1[0xd01] = l2pa | 1u;
	l1[0xd03] = (FAKE_RAM_BASE + 0x500000u) | 1u << 10 | 2u;
	for (unsigned i = 0; i < 256; i++) {
		if (i % 3 == 1)
			continue; /* translation fault */
		l2[i] = ((i % 7 == 5 ? 0x01000000u : FAKE_RAM_BASE + 0x300000u) +
			 (i << 12)) | 1u << 4 | 2u;
	}
	guest_mmu_on(l1pa);
	srandom(3000);
	for (unsigned it = 0; it < 20; it++) {
		random_start(&st);
		st.r[4] = 0xd0000000u + rnd() % 0x400000u;
		st.r[5] = st.r[4] + rnd() % 0x40000u;
		st.r[6] = it % 4 ? 32 : 4096;
		*code(0) = mcr(C_AL, 4, 10, 1);
		*code(1) = dp_reg(C_AL, OP_ADD, 4, 4, 6);
		*code(2) = dp_reg(C_AL, OP_CMP, 0, 4, 5);
		*code(3) = b_to(C_CC, code_va + 12, code_va);
		*code(4) = NOP;
		compare(&st, 5, true, "mmu on");
	}
}
END_TEST

/* MCR p15, 0, Rt, c8, CRm, opc2: TLB maintenance. */
static uint32_t mcr_tlb(unsigned c, unsigned rt, unsigned crm, unsigned opc2)
{
	return (uint32_t)c << 28 | 0x0e080f10u | rt << 12 | opc2 << 5 | crm;
}

/* The TLB invalidations by MVA: CRm, opc2 (TLBIMVAIS, TLBIMVAAIS,
 * ITLBIMVA, DTLBIMVA, TLBIMVA, TLBIMVAA). */
static const unsigned tlbis[][2] = {
	{ 3, 1 }, { 3, 3 }, { 5, 1 }, { 6, 1 }, { 7, 1 }, { 7, 3 },
};

/* Guest MMU on: code at 0xc0000000; 4 MiB to probe at PROBE_VA, three of
 * its MiBs in pages, one a section. */
static void tlb_setup(void)
{
	const uint32_t l1pa = FAKE_RAM_BASE + 0x4000u, l2pa = FAKE_RAM_BASE + 0x8000u;
	uint32_t *l1 = fake_backend_ram(&fb, l1pa), *l2 = fake_backend_ram(&fb, l2pa);

	memset(l1, 0, 0x4000);
	l1[0xc00] = FAKE_RAM_BASE | 1u << 10 | 2u;
	for (unsigned m = 0; m < 4; m++) {
		if (m == 2) {
			l1[(PROBE_VA >> 20) + m] =
				(FAKE_RAM_BASE + 0x400000u) | 1u << 10 | 2u;
			continue;
		}
		l1[(PROBE_VA >> 20) + m] = (l2pa + 0x400u * m) | 1u;
		for (unsigned i = 0; i < 256; i++)
			l2[256 * m + i] = (FAKE_RAM_BASE + 0x200000u +
					   (m << 20) + (i << 12)) | 1u << 4 | 2u;
	}
	guest_mmu_on(l1pa);
	probe_tlb = true;
}

/* Linux's flush_tlb_range loop: mcr; add rA, #PAGE_SZ; cmp rA, rEnd; blo. */
START_TEST(tlb_loops_match_single_steps)
{
	srandom(4000 + (unsigned)_i);
	tlb_setup();
	for (unsigned it = 0; it < 12; it++) {
		const unsigned *op = tlbis[rnd() % PV_ARRAY_SIZE(tlbis)];
		uint32_t pages = 1 + rnd() % (rnd() % 3 ? 40u : 700u), r[3];
		bool imm = rnd() % 2;
		struct start st;

		pick_regs(r, 3);
		random_start(&st);
		/* MVA and ASID, starting in or just below the probed pages. */
		st.r[r[0]] = (PROBE_VA - 0x8000u + (rnd() % 0x400000u & ~0xfffu)) |
			     (rnd() & 0xffu);
		st.r[r[1]] = 0x1000u;
		st.r[r[2]] = (st.r[r[0]] & ~0xfffu) + (pages << 12);
		*code(0) = mcr_tlb(C_AL, r[0], op[0], op[1]);
		*code(1) = imm ? dp_imm(C_AL, OP_ADD, r[0], r[0], 0xa01u) :
				 dp_reg(C_AL, OP_ADD, r[0], r[0], r[1]);
		*code(2) = dp_reg(C_AL, OP_CMP, 0, r[0], r[2]);
		*code(3) = b_to(C_CC, code_va + 12, code_va);
		*code(4) = NOP;
		compare(&st, 5, true, "tlb loop");
	}
}
END_TEST

/* More than PV_TLB_LOOP_MAX_PAGES pages: one trap per that many. */
START_TEST(long_tlb_loop_resumes_at_the_mcr)
{
	static struct outcome o;
	struct start st;

	tlb_setup();
	srandom(4200);
	random_start(&st);
	st.r[0] = PROBE_VA | 7;
	st.r[1] = PROBE_VA + ((2 * PV_TLB_LOOP_MAX_PAGES + 88) << 12);
	st.r[2] = 0x1000u;
	*code(0) = mcr_tlb(C_AL, 0, 3, 1);
	*code(1) = dp_reg(C_AL, OP_ADD, 0, 0, 2);
	*code(2) = dp_reg(C_AL, OP_CMP, 0, 0, 1);
	*code(3) = b_to(C_CC, code_va + 12, code_va);
	*code(4) = NOP;
	compare(&st, 5, true, "long tlb loop");
	run(true, &st, 5, &o);
	ck_assert_uint_eq(o.traps, 3);
	ck_assert_uint_eq(o.loops, 3);
	ck_assert_uint_eq(o.lines, 2 * PV_TLB_LOOP_MAX_PAGES + 88);
}
END_TEST

/* A TLB loop that does not go page by page is one trap per MCR. */
START_TEST(tlb_loops_of_other_steps_are_single_stepped)
{
	struct start st;

	tlb_setup();
	srandom(4100);
	for (unsigned k = 0; k < 3; k++) {
		static const uint32_t steps[] = { 32, 0x800, 0x2000 };

		random_start(&st);
		st.r[0] = PROBE_VA + 0x3000u;
		st.r[1] = st.r[0] + 16 * steps[k];
		st.r[2] = steps[k];
		*code(0) = mcr_tlb(C_AL, 0, 7, 1);
		*code(1) = dp_reg(C_AL, OP_ADD, 0, 0, 2);
		*code(2) = dp_reg(C_AL, OP_CMP, 0, 0, 1);
		*code(3) = b_to(C_CC, code_va + 12, code_va);
		*code(4) = NOP;
		compare(&st, 5, false, "tlb step");
	}
	/* Not by MVA: TLBIASID, TLBIALL. */
	st.r[2] = 0x1000u;
	*code(0) = mcr_tlb(C_AL, 0, 7, 2);
	compare(&st, 5, false, "TLBIASID");
	*code(0) = mcr_tlb(C_AL, 0, 7, 0);
	compare(&st, 5, false, "TLBIALL");
}
END_TEST

/* --- what must not be fused ------------------------------------------------ */

static void neg_setup(struct start *st)
{
	random_start(st);
	st->r[0] = FAKE_RAM_BASE + 0x20000u;
	st->r[1] = st->r[0] + 0x800;
	st->r[2] = 32;
	st->r[3] = st->r[0];
	*code(0) = mcr(C_AL, 0, 14, 1);
	*code(1) = dp_reg(C_AL, OP_ADD, 0, 0, 2);
	*code(2) = dp_reg(C_AL, OP_CMP, 0, 0, 1);
	*code(3) = b_to(C_CC, code_va + 12, code_va);
	*code(4) = NOP;
}

START_TEST(variants_are_single_stepped)
{
	struct start st;

	/* The baseline is fused. */
	neg_setup(&st);
	compare(&st, 5, true, "baseline");
	/* ADD of another register than the MCR's. */
	neg_setup(&st);
	*code(0) = mcr(C_AL, 3, 14, 1);
	compare(&st, 5, false, "other register");
	/* CMP of another register. */
	neg_setup(&st);
	*code(2) = dp_reg(C_AL, OP_CMP, 0, 3, 1);
	st.r[1] = st.r[3];
	compare(&st, 5, false, "cmp of another register");
	/* Steps that are not whole lines, or too large. */
	neg_setup(&st);
	st.r[2] = 48;
	compare(&st, 5, false, "step 48");
	neg_setup(&st);
	st.r[2] = 16;
	compare(&st, 5, false, "step 16");
	neg_setup(&st);
	st.r[2] = 8192;
	st.r[1] = st.r[0] + 0x10000;
	compare(&st, 5, false, "step 8192");
	/* A branch back to the ADD, not the MCR. */
	neg_setup(&st);
	*code(3) = b_to(C_CC, code_va + 12, code_va + 4);
	compare(&st, 5, false, "branch elsewhere");
	/* An unconditional branch: no counted loop (here one that leaves). */
	neg_setup(&st);
	*code(3) = b_to(C_AL, code_va + 12, code_va + 16);
	compare(&st, 5, false, "unconditional branch");
	/* An MCR under another condition than the branch's. */
	neg_setup(&st);
	st.flags = 1u << 30; /* Z: mcreq runs the first time */
	*code(0) = mcr(C_EQ, 0, 14, 1);
	compare(&st, 5, false, "mcreq ... bcc");
	/* Not a cache operation by MVA: DCCSW, ICIALLU, TLBIMVA. */
	neg_setup(&st);
	*code(0) = mcr(C_AL, 0, 10, 2);
	compare(&st, 5, false, "DCCSW");
	neg_setup(&st);
	*code(0) = mcr(C_AL, 0, 5, 0);
	compare(&st, 5, false, "ICIALLU");
	/* SP as a loop register. */
	neg_setup(&st);
	*code(0) = mcr(C_AL, 13, 14, 1);
	*code(1) = dp_reg(C_AL, OP_ADD, 13, 13, 2);
	*code(2) = dp_reg(C_AL, OP_CMP, 0, 13, 1);
	st.r[13] = st.r[0];
	compare(&st, 5, false, "sp");
	/* ADDS, and an ADD with a shifted register. */
	neg_setup(&st);
	*code(1) = dp_reg(C_AL, OP_ADD | (1u << 20), 0, 0, 2);
	compare(&st, 5, false, "adds");
	/* SUBS of the MCR's own register. */
	neg_setup(&st);
	*code(2) = dp_reg(C_AL, OP_SUBS, 0, 0, 1);
	st.r[1] = 0;
	compare(&st, 5, false, "subs of rA");
}
END_TEST

/* A deliverable virtual IRQ: taken after the first MCR, as one trap each. */
START_TEST(pending_interrupt_is_not_delayed)
{
	struct start st;

	neg_setup(&st);
	st.irq_line = st.irq_unmasked = true;
	compare(&st, 5, false, "irq pending");
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_IRQ);
	ck_assert_uint_eq(cpu->r[14], code_va + 4 + 4);
	/* Masked, it waits either way: the loop is fused. */
	neg_setup(&st);
	st.irq_line = true;
	compare(&st, 5, true, "irq masked");
}
END_TEST

/* From guest user mode the MCR is UNDEFINED: the UNDEF, not a loop. */
START_TEST(user_mode_and_thumb_are_single_stepped)
{
	struct pv_trap t = { PV_TRAP_UNDEF, 0, 0, 0 };
	struct pv_exit ex;
	struct start st;
	uint16_t *h = (uint16_t *)(void *)code(0);

	neg_setup(&st);
	pv_vcpu_write_cpsr(cpu, PV_MODE_USR);
	memcpy(cpu->r, st.r, sizeof(cpu->r));
	cpu->r[15] = code_va;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
	ck_assert_int_eq(ex.injected, PV_INJ_UNDEF);
	ck_assert_uint_eq(pv_vm_event_count(vm, PV_EV_CMO_LOOP), 0);

	/* Thumb: mcr p15,0,r0,c7,c14,1; add r0, r2; cmp r0, r1; bcc.n 1b */
	h[0] = 0xee07;
	h[1] = 0x0f3e;
	h[2] = 0x4410;
	h[3] = 0x4288;
	h[4] = 0xd3fa;
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I | PV_PSR_T);
	memcpy(cpu->r, st.r, sizeof(cpu->r));
	cpu->r[15] = code_va;
	t.host_cpsr = cpu->cpsr & PV_PSR_USER_MASK;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
	ck_assert_int_eq(ex.reason, PV_TR_CP15_WRITE);
	ck_assert_uint_eq(cpu->r[15], code_va + 4);
	ck_assert_uint_eq(cpu->r[0], st.r[0]);
	ck_assert_uint_eq(pv_vm_event_count(vm, PV_EV_CMO_LOOP), 0);
}
END_TEST

/* The names pvbm and the benchmarks print. */
START_TEST(event_names)
{
	ck_assert_str_eq(pv_event_name(PV_EV_CMO_LOOP), "cmo-loop");
	ck_assert_str_eq(pv_event_name(PV_EV_CMO_LINES), "cmo-lines");
}
END_TEST

static Suite *cmo_suite(void)
{
	Suite *s = suite_create("cmo_loop");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, cmp_loops_match_single_steps, 0, 4);
	tcase_add_loop_test(tc, subs_loops_match_single_steps, 0, 4);
	tcase_add_test(tc, long_loop_resumes_at_the_mcr);
	tcase_add_loop_test(tc, tlb_loops_match_single_steps, 0, 3);
	tcase_add_test(tc, long_tlb_loop_resumes_at_the_mcr);
	tcase_add_test(tc, tlb_loops_of_other_steps_are_single_stepped);
	tcase_add_test(tc, translation_holes_are_skipped_alike);
	tcase_add_test(tc, variants_are_single_stepped);
	tcase_add_test(tc, pending_interrupt_is_not_delayed);
	tcase_add_test(tc, user_mode_and_thumb_are_single_stepped);
	tcase_add_test(tc, event_names);
	tcase_set_timeout(tc, 600);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cmo_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
