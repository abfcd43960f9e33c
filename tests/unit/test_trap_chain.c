/* SPDX-License-Identifier: MIT */
/*
 * Context-register writes in one trap (libpvcore/trap_chain.c), against
 * the reference: the same code with one trap per MCR (chains off), a resume
 * after each trap, and the barriers and NOPs run by the harness as the CPU
 * would (only where the current regime lets the guest kernel execute).
 * Both runs start from the same state and must end with the same
 * registers, CPSR, PC, CP15 state, injected exception and shadow regime;
 * the chained run must take fewer traps where the code is a chain, and
 * exactly the reference's where it is not.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "fake_backend.h"
#include "mmu.h"
#include "trap_chain.h"

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;
static struct pv_vcpu *cpu;

#define CODE_VA 0xc0001000u
#define CODE_PA (FAKE_RAM_BASE + 0x1000u)
#define L1A (FAKE_RAM_BASE + 0x4000u) /* maps the code */
#define L1B (FAKE_RAM_BASE + 0x8000u) /* maps it too: another process */
#define L1C (FAKE_RAM_BASE + 0xc000u) /* maps nothing */
#define NOP 0xe320f000u
#define ISB 0xf57ff06fu
#define DSB 0xf57ff04fu
#define MAXW 12u

enum { C_EQ, C_NE, C_CS, C_CC, C_MI, C_PL, C_VS, C_VC, C_HI, C_LS, C_GE,
       C_LT, C_GT, C_LE, C_AL };

/* The context registers and a few others: CRn, CRm, opc2. */
enum { R_TTBR0, R_TTBR1, R_TTBCR, R_DACR, R_CTXID, R_TPIDRPRW, R_VBAR,
       R_COUNT };
static const unsigned regs[R_COUNT][3] = {
	{ 2, 0, 0 }, { 2, 0, 1 }, { 2, 0, 2 }, { 3, 0, 0 }, { 13, 0, 1 },
	{ 13, 0, 4 }, { 12, 0, 0 },
};

static uint32_t mcr(unsigned c, unsigned rt, unsigned reg)
{
	return (uint32_t)c << 28 | 0x0e000f10u | regs[reg][0] << 16 |
	       rt << 12 | regs[reg][2] << 5 | regs[reg][1];
}

static uint32_t mrc(unsigned c, unsigned rt, unsigned reg)
{
	return mcr(c, rt, reg) | 1u << 20;
}

static uint32_t *code(unsigned i)
{
	return (uint32_t *)fake_backend_ram(&fb, CODE_PA) + i;
}

static void map_code(uint32_t l1pa, bool on)
{
	uint32_t *l1 = fake_backend_ram(&fb, l1pa);

	memset(l1, 0, 0x4000);
	/* 0xc0000000 -> RAM base, a read/write section in domain 0 (AP=11:
	 * guest user mode reaches its MCRs too). */
	if (on)
		l1[0xc00] = FAKE_RAM_BASE | 3u << 10 | 2u;
}

static void setup(void)
{
	ck_assert_int_eq(fake_backend_setup(&fb, &cfg), 0);
	vm = calloc(1, sizeof(*vm));
	ck_assert_ptr_nonnull(vm);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	cpu = &vm->vcpu[0];
	map_code(L1A, true);
	map_code(L1B, true);
	map_code(L1C, false);
}

static void teardown(void)
{
	free(vm);
	fake_backend_teardown(&fb);
}

struct start {
	uint32_t r[15];
	uint32_t flags;
	uint32_t ttbr0, ttbr1, ttbcr, dacr, ctxid;
	bool irq_line, irq_unmasked, thumb;
};

struct outcome {
	uint32_t r[16], cpsr;
	struct pv_cp15 cp15;
	unsigned traps, injected;
	uint64_t chains, mcrs, misses;
	struct pv_shadow_space key;
	uint32_t host_dacr;
	bool fetch_fault;
};

static bool native(uint32_t w)
{
	return w == NOP || (w & 0xffffffc0u) == 0xf57ff040u;
}

/* Run from @st until the PC leaves the @n words at CODE_VA. */
static void run(bool chained, const struct start *st, unsigned n,
		struct outcome *o)
{
	struct pv_trap t = { PV_TRAP_UNDEF, 0, 0, 0 };
	uint64_t chains = pv_vm_event_count(vm, PV_EV_TRAP_CHAIN);
	uint64_t mcrs = pv_vm_event_count(vm, PV_EV_CHAIN_MCRS);
	struct pv_shadow *sh = &vm->shadow;
	struct pv_resume res;
	struct pv_walk w;
	struct pv_fault f;
	struct pv_exit ex;

	vm->cfg.no_trap_chains = !chained;
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_A | PV_PSR_F |
				       (st->irq_unmasked ? 0 : PV_PSR_I) |
				       (st->thumb ? PV_PSR_T : 0));
	cpu->cpsr |= st->flags & 0xf0000000u;
	memcpy(cpu->r, st->r, sizeof(st->r));
	cpu->r[15] = CODE_VA;
	cpu->cp15.ttbr0 = st->ttbr0;
	cpu->cp15.ttbr1 = st->ttbr1;
	cpu->cp15.ttbcr = st->ttbcr;
	cpu->cp15.dacr = st->dacr;
	cpu->cp15.contextidr = st->ctxid;
	cpu->cp15.sctlr |= PV_SCTLR_M;
	pv_shadow_flush_all(vm);
	pv_shadow_ctx_changed(cpu, PV_SHADOW_CTX_ALL);
	pv_vcpu_resume_state(cpu, &res);
	pv_vcpu_set_lines(cpu, st->irq_line, false);
	o->misses = sh->stats.space_misses;
	o->traps = o->injected = 0;
	o->fetch_fault = false;
	while (cpu->r[15] - CODE_VA < 4 * n &&
	       (cpu->cpsr & PV_PSR_M_MASK) == PV_MODE_SVC) {
		uint32_t word = *code((cpu->r[15] - CODE_VA) / 4);

		if (st->thumb || !native(word)) {
			t.host_cpsr = cpu->cpsr & PV_PSR_USER_MASK;
			ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
			ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
			pv_vcpu_resume_state(cpu, &res);
			o->injected |= 1u << ex.injected;
			o->traps++;
			continue;
		}
		/* The CPU fetches it through the current regime. */
		if (pv_mmu_translate(cpu, pv_gva(cpu->r[15]), PV_ACC_EXEC, &w,
				     &f)) {
			o->fetch_fault = true;
			break;
		}
		cpu->r[15] += 4;
	}
	pv_vcpu_set_lines(cpu, false, false);
	memcpy(o->r, cpu->r, sizeof(o->r));
	o->cpsr = cpu->cpsr;
	o->cp15 = cpu->cp15;
	o->chains = pv_vm_event_count(vm, PV_EV_TRAP_CHAIN) - chains;
	o->mcrs = pv_vm_event_count(vm, PV_EV_CHAIN_MCRS) - mcrs;
	o->misses = sh->stats.space_misses - o->misses;
	o->key = sh->space[sh->cur[0]];
	o->host_dacr = res.dacr;
}

#define ANY (-1) /* chained or not: the comparison alone decides */

/*
 * Both runs from @st; the guest must not see a difference. @want: the
 * chained run's traps, 0 for "the reference's" (no chain at all), or ANY.
 */
static void compare(const struct start *st, unsigned n, int want,
		    const char *what)
{
	static struct outcome ref, got;

	run(false, st, n, &ref);
	run(true, st, n, &got);
	for (unsigned i = 0; i < 16; i++)
		ck_assert_msg(ref.r[i] == got.r[i], "%s: r%u %#x, chained %#x",
			      what, i, ref.r[i], got.r[i]);
	ck_assert_msg(ref.cpsr == got.cpsr, "%s: cpsr %#x, chained %#x", what,
		      ref.cpsr, got.cpsr);
	ck_assert_msg(memcmp(&ref.cp15, &got.cp15, sizeof(ref.cp15)) == 0,
		      "%s: CP15 differs (ttbr0 %#x/%#x ctxid %#x/%#x dacr "
		      "%#x/%#x ttbcr %#x/%#x)", what, ref.cp15.ttbr0,
		      got.cp15.ttbr0, ref.cp15.contextidr, got.cp15.contextidr,
		      ref.cp15.dacr, got.cp15.dacr, ref.cp15.ttbcr,
		      got.cp15.ttbcr);
	ck_assert_msg(ref.injected == got.injected, "%s: injected %#x/%#x",
		      what, ref.injected, got.injected);
	ck_assert_msg(ref.fetch_fault == got.fetch_fault, "%s: fetch fault",
		      what);
	/* The regime the guest resumes in, and its host DACR. */
	ck_assert_msg(ref.key.ttbr0 == got.key.ttbr0 &&
			      ref.key.ttbr1 == got.key.ttbr1 &&
			      ref.key.ttbcr == got.key.ttbcr &&
			      ref.key.asid == got.key.asid &&
			      ref.key.dacr == got.key.dacr &&
			      ref.key.flat == got.key.flat &&
			      ref.host_dacr == got.host_dacr,
		      "%s: shadow space differs", what);
	ck_assert_uint_eq(ref.chains, 0);
	ck_assert_msg(got.misses <= ref.misses, "%s: misses %u/%u", what,
		      (unsigned)got.misses, (unsigned)ref.misses);
	/* Each chained MCR but the trapped one is a trap not taken. */
	ck_assert_msg(got.traps + got.mcrs - got.chains == ref.traps,
		      "%s: %u traps, %u chains of %u MCRs, %u before", what,
		      got.traps, (unsigned)got.chains, (unsigned)got.mcrs,
		      ref.traps);
	if (want > 0)
		ck_assert_msg(got.traps == (unsigned)want && got.chains > 0,
			      "%s: %u traps (%u before), want %u", what,
			      got.traps, ref.traps, want);
	else if (want == 0)
		ck_assert_msg(got.chains == 0 && got.traps == ref.traps,
			      "%s: chained (%u traps, %u before)", what,
			      got.traps, ref.traps);
}

/* --- Linux -------------------------------------------------------------- */

/* cpu_v7_switch_mm's registers: r0 the new TTBR0, r1 the new ASID. */
static void linux_start(struct start *st)
{
	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < 15; i++)
		st->r[i] = 0x1000u * i + 7;
	st->r[0] = L1B | 0x6a;
	st->r[1] = 0x42;
	st->ttbr0 = L1A | 0x6a;
	st->ttbr1 = L1A | 0x6a;
	st->dacr = 0x51;
	st->ctxid = 0x17;
}

static void linux_code(void)
{
	*code(0) = DSB;
	*code(1) = mcr(C_AL, 1, R_CTXID);
	*code(2) = ISB;
	*code(3) = mcr(C_AL, 0, R_TTBR0);
	*code(4) = ISB;
	*code(5) = NOP; /* bx lr */
}

START_TEST(linux_switch_mm_is_one_trap)
{
	struct start st;
	static struct outcome o;

	linux_start(&st);
	linux_code();
	compare(&st, 6, 1, "cpu_v7_switch_mm");
	/* The chain ends at the TTBR0 write: the ISB after it runs. */
	run(true, &st, 6, &o);
	ck_assert_uint_eq(o.chains, 1);
	ck_assert_uint_eq(o.mcrs, 2);
	ck_assert_uint_eq(o.cp15.ttbr0, L1B | 0x6a);
	ck_assert_uint_eq(o.cp15.contextidr, 0x42);
	ck_assert_uint_eq(o.r[15], CODE_VA + 24);
	/* No space for {old TTBR0, new ASID}: one miss, the new regime's
	 * (on a fresh VM each, so that no space is cached yet). */
	teardown();
	setup();
	linux_code();
	run(true, &st, 6, &o);
	ck_assert_uint_eq(o.misses, 1);
	teardown();
	setup();
	linux_code();
	run(false, &st, 6, &o);
	ck_assert_uint_eq(o.misses, 2);
	/* The reserved-TTBR0 write of check_and_switch_context: alone. */
	*code(1) = mrc(C_AL, 3, R_TTBR1);
	*code(2) = mcr(C_AL, 3, R_TTBR0);
	*code(3) = ISB;
	*code(4) = NOP;
	compare(&st, 5, 0, "cpu_set_reserved_ttbr0");
}
END_TEST

/* --- random sequences --------------------------------------------------- */

static uint32_t rnd(void)
{
	return (uint32_t)random() << 16 ^ (uint32_t)random();
}

/*
 * Registers by what they hold: r0-r3 translation tables (L1C maps
 * nothing), r4-r6 ASIDs, r7-r8 DACRs, r9 a TTBCR, r10-r14 anything.
 */
static void random_start(struct start *st)
{
	static const uint32_t tables[] = { L1A, L1B, L1C | 0x6a, L1B | 0x59 };
	static const uint32_t dacrs[] = { 0x51, 1, 0x55555555u, 3, 0, 0x15 };
	static const uint32_t ttbcrs[] = { 0, 1, 2, 0x10, 0x20, 0xffffffffu };

	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < 15; i++)
		st->r[i] = rnd();
	for (unsigned i = 0; i < 4; i++)
		st->r[i] = tables[rnd() % 4];
	st->r[7] = dacrs[rnd() % PV_ARRAY_SIZE(dacrs)];
	st->r[8] = dacrs[rnd() % PV_ARRAY_SIZE(dacrs)];
	st->r[9] = ttbcrs[rnd() % PV_ARRAY_SIZE(ttbcrs)];
	st->flags = rnd() & 0xf0000000u;
	st->ttbr0 = L1A;
	st->ttbr1 = rnd() % 2 ? L1A : L1B;
	st->ttbcr = rnd() % 4 ? 0 : 1;
	st->dacr = rnd() % 2 ? 0x51 : 0x55555555u;
	st->ctxid = rnd() & 0xffu;
}

static unsigned rt_for(unsigned reg)
{
	if (rnd() % 8 == 0)
		return rnd() % 15;
	switch (reg) {
	case R_TTBR0:
	case R_TTBR1: return rnd() % 4;
	case R_CTXID: return 4 + rnd() % 3;
	case R_DACR: return 7 + rnd() % 2;
	case R_TTBCR: return 9;
	default: return 10 + rnd() % 5;
	}
}

static unsigned random_cond(void)
{
	return rnd() % 3 ? C_AL : rnd() % 15;
}

static uint32_t random_word(void)
{
	unsigned k = rnd() % 16;

	if (k < 5)
		return 0xf57ff040u | (rnd() % 3) << 4 | (rnd() & 15u);
	if (k < 12) {
		unsigned reg = k < 9 ? R_CTXID : rnd() % R_COUNT;

		return mcr(random_cond(), rt_for(reg), reg);
	}
	if (k < 13)
		return mrc(C_AL, 10, rnd() % 5);
	if (k < 14)
		return mcr(C_AL, 15, R_CTXID); /* Rt r15: not chained */
	return NOP;
}

START_TEST(random_sequences_match_single_steps)
{
	unsigned chained = 0;

	srandom(4000 + (unsigned)_i);
	for (unsigned it = 0; it < 400; it++) {
		uint64_t before = pv_vm_event_count(vm, PV_EV_TRAP_CHAIN);
		unsigned n = 2 + rnd() % (MAXW - 2);
		struct start st;

		random_start(&st);
		*code(0) = rnd() % 4 ? mcr(rnd() % 5 ? C_AL : random_cond(),
					   rt_for(R_CTXID), R_CTXID) :
				       random_word();
		for (unsigned i = 1; i < n; i++)
			*code(i) = random_word();
		*code(n) = NOP;
		compare(&st, n + 1, ANY, "random");
		chained += pv_vm_event_count(vm, PV_EV_TRAP_CHAIN) != before;
	}
	/* The generator must exercise chains, not only their absence. */
	ck_assert_uint_gt(chained, 40);
}
END_TEST

/* The Linux sequence under every condition code and flag setting. */
START_TEST(conditional_forms)
{
	struct start st;

	for (unsigned c = 0; c < 15; c++) {
		for (unsigned fl = 0; fl < 16; fl++) {
			linux_start(&st);
			linux_code();
			st.flags = fl << 28;
			*code(3) = mcr(c, 0, R_TTBR0);
			compare(&st, 6, 1, "mcr<c> TTBR0");
			*code(1) = mcr(c, 1, R_CTXID);
			*code(3) = mcr(C_AL, 0, R_TTBR0);
			/* A failed head is the emulator's NOP: no chain. */
			compare(&st, 6, pv_cond_passed(st.flags, c) ? 1 : 0,
				"mcr<c> CONTEXTIDR");
		}
	}
}
END_TEST

/* --- what must not be chained ----------------------------------------- */

START_TEST(variants_are_single_stepped)
{
	static struct pv_patch_site site;
	static struct pv_patch_table table = { .sites = &site, .count = 1 };
	struct start st;

	linux_start(&st);
	linux_code();
	compare(&st, 6, 1, "baseline");
	/* A NOP between the two MCRs. */
	linux_code();
	*code(2) = NOP;
	compare(&st, 6, 0, "nop between");
	/* Another register between them, and another after the head. */
	linux_code();
	*code(2) = mcr(C_AL, 10, R_TPIDRPRW);
	compare(&st, 6, 0, "TPIDRPRW between");
	linux_code();
	*code(3) = mcr(C_AL, 10, R_VBAR);
	compare(&st, 6, 0, "VBAR after");
	/* A read of TTBR0 is not a write. */
	linux_code();
	*code(3) = mrc(C_AL, 0, R_TTBR0);
	compare(&st, 6, 0, "mrc TTBR0");
	/* The head is TTBR0: it ends any chain at once. */
	linux_code();
	*code(1) = mcr(C_AL, 0, R_TTBR0);
	*code(3) = mcr(C_AL, 1, R_CTXID);
	compare(&st, 6, 0, "TTBR0 first");
	/* Rt r15, and an MCR2 (unconditional space). */
	linux_code();
	*code(3) = mcr(C_AL, 15, R_TTBR0);
	compare(&st, 6, 0, "rt pc");
	linux_code();
	*code(3) = mcr(0xf, 0, R_TTBR0);
	compare(&st, 6, 0, "mcr2");
	/* Beyond the cap: the fifth instruction waits for its own trap. */
	linux_code();
	*code(2) = mcr(C_AL, 4, R_CTXID);
	*code(3) = mcr(C_AL, 5, R_CTXID);
	*code(4) = ISB;
	*code(5) = mcr(C_AL, 0, R_TTBR0);
	*code(6) = NOP;
	compare(&st, 7, 2, "cap");
	/* A patched site as the second MCR: its trap word is not an MCR. */
	linux_code();
	site.va = CODE_VA + 12;
	site.original = mcr(C_AL, 0, R_TTBR0);
	site.patched = pv_patch_marker_a32(PV_IC_CP_MOVE);
	site.cls = PV_IC_CP_MOVE;
	*code(3) = site.patched;
	vm->cfg.patch_sites = &table;
	compare(&st, 6, 0, "patched TTBR0");
	vm->cfg.patch_sites = NULL;
}
END_TEST

/*
 * After a TTBR0 write the next words are fetched through the new tables,
 * which the look-ahead does not walk: here they map nothing, so the next
 * trap's fetch faults, chained or not.
 */
START_TEST(fetch_after_ttbr0_uses_the_new_regime)
{
	struct start st;
	static struct outcome o;

	linux_start(&st);
	linux_code();
	st.r[0] = L1C;
	*code(5) = mcr(C_AL, 4, R_CTXID);
	*code(6) = NOP;
	compare(&st, 7, 1, "unmapped after TTBR0");
	run(true, &st, 7, &o);
	ck_assert(o.fetch_fault);
	/* And with the CONTEXTIDR right after it: a prefetch abort. */
	*code(4) = mcr(C_AL, 4, R_CTXID);
	compare(&st, 7, 2, "ctxid after TTBR0");
	run(true, &st, 7, &o);
	ck_assert_uint_eq(o.cpsr & PV_PSR_M_MASK, PV_MODE_ABT);
}
END_TEST

/* A deliverable virtual IRQ: taken after the first MCR, as one trap each. */
START_TEST(pending_interrupt_is_not_delayed)
{
	struct start st;

	linux_start(&st);
	linux_code();
	st.irq_line = st.irq_unmasked = true;
	compare(&st, 6, 0, "irq pending");
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_IRQ);
	ck_assert_uint_eq(cpu->r[14], CODE_VA + 8 + 4);
	/* Masked, it waits either way: chained. */
	st.irq_unmasked = false;
	compare(&st, 6, 1, "irq masked");
}
END_TEST

/* From guest user mode the MCR is UNDEFINED; Thumb is not chained. */
START_TEST(user_mode_and_thumb_are_single_stepped)
{
	struct pv_trap t = { PV_TRAP_UNDEF, 0, 0, 0 };
	uint16_t *h = (uint16_t *)(void *)code(0);
	struct pv_exit ex;
	struct start st;

	linux_start(&st);
	*code(0) = mcr(C_AL, 1, R_CTXID);
	*code(1) = ISB;
	*code(2) = mcr(C_AL, 0, R_TTBR0);
	cpu->cp15.ttbr0 = st.ttbr0;
	cpu->cp15.dacr = st.dacr;
	cpu->cp15.sctlr |= PV_SCTLR_M;
	pv_shadow_ctx_changed(cpu, PV_SHADOW_CTX_ALL);
	pv_vcpu_write_cpsr(cpu, PV_MODE_USR);
	memcpy(cpu->r, st.r, sizeof(st.r));
	cpu->r[15] = CODE_VA;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
	ck_assert_int_eq(ex.injected, PV_INJ_UNDEF);
	ck_assert_uint_eq(pv_vm_event_count(vm, PV_EV_TRAP_CHAIN), 0);

	/* mcr p15,0,r1,c13,c0,1; isb; mcr p15,0,r0,c2,c0,0 in T32 */
	h[0] = 0xee0d;
	h[1] = 0x1f30;
	h[2] = 0xf3bf;
	h[3] = 0x8f6f;
	h[4] = 0xee02;
	h[5] = 0x0f10;
	h[6] = 0xbf00;
	h[7] = 0xbf00;
	st.thumb = true;
	{
		static struct outcome o;

		run(true, &st, 1, &o);
	}
	ck_assert_uint_eq(cpu->r[15], CODE_VA + 4);
	ck_assert_uint_eq(cpu->cp15.contextidr, 0x42);
	ck_assert_uint_eq(cpu->cp15.ttbr0, st.ttbr0);
	ck_assert_uint_eq(pv_vm_event_count(vm, PV_EV_TRAP_CHAIN), 0);
}
END_TEST

/* The names pvbm and the benchmarks print. */
START_TEST(event_names)
{
	ck_assert_str_eq(pv_event_name(PV_EV_TRAP_CHAIN), "trap-chain");
	ck_assert_str_eq(pv_event_name(PV_EV_CHAIN_MCRS), "chain-mcrs");
}
END_TEST

static Suite *chain_suite(void)
{
	Suite *s = suite_create("trap_chain");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, linux_switch_mm_is_one_trap);
	tcase_add_loop_test(tc, random_sequences_match_single_steps, 0, 4);
	tcase_add_test(tc, conditional_forms);
	tcase_add_test(tc, variants_are_single_stepped);
	tcase_add_test(tc, fetch_after_ttbr0_uses_the_new_regime);
	tcase_add_test(tc, pending_interrupt_is_not_delayed);
	tcase_add_test(tc, user_mode_and_thumb_are_single_stepped);
	tcase_add_test(tc, event_names);
	tcase_set_timeout(tc, 600);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(chain_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
