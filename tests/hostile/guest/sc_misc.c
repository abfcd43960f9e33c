// SPDX-License-Identifier: MIT
/*
 * What else a guest can turn against the VMM's own assumptions:
 *
 * - strict alignment (SCTLR.A = 1), which pvbm applies to host PL0 while
 *   the guest runs: every unaligned access, native, emulated or to a
 *   device, is the guest's alignment fault (FS 0b00001), and the VMM,
 *   built for unaligned accesses, keeps working between them;
 * - the VMM's instruction fetch cache: code the guest remaps under the
 *   same virtual address (TLBIMVA, a TTBR0 switch, an ASID switch) is
 *   decoded as it is now;
 * - big-endian data (SETEND BE, native at PL0): native, emulated and MMIO
 *   loads all swap bytes, exceptions are taken little-endian (SCTLR.EE)
 *   and return to big-endian;
 * - ARM semihosting calls (SVC 0x123456, Thumb SVC 0xAB, BKPT 0xAB) from
 *   the guest, kernel or user: plain SVCs and breakpoints for the guest,
 *   never a call into QEMU (which would print or exit for it);
 * - timers programmed at the ends of their ranges: 64-bit counter
 *   wrap-around, the largest prescaler and load, comparators in the
 *   past; nothing fires early, the past fires once, and the host's own
 *   one-shot timer survives it.
 */
#include "hostile.h"

extern const char zoo_ldrt[], zoo_strt[];

/* One access each, so that an abort skips exactly it (rt.c). */
#define ACCESS(name, insn)                                                   \
	static u32 name(u32 a)                                               \
	{                                                                    \
		u32 v = 0xdeaddeadu;                                         \
		__asm__ volatile(insn : "+r"(v) : "r"(a)                     \
				 : "r2", "r3", "memory");                    \
		return v;                                                    \
	}
ACCESS(ld32u, "ldr %0, [%1]")
ACCESS(ld16u, "ldrh %0, [%1]")
ACCESS(st32u, "str %1, [%1]")
ACCESS(ldm2, "ldm %1, {r2, r3}")
ACCESS(ldrd_at, "ldrd r2, r3, [%1]")

static void align_fault(const char *what, u32 (*fn)(u32), u32 a, bool user,
			bool store)
{
	x_reset();
	if (user)
		run_user(fn, a);
	else
		fn(a);
	hx_checks++;
	out_puts("  ");
	out_puts(what);
	out_puts(user ? " (user) = " : " (kernel) = ");
	out_dec(x_count);
	out_puts(" exc, fsr ");
	out_hex(last_x.fsr);
	out_puts(" far ");
	out_hex(last_x.far);
	out_puts("\n");
	if (x_count == 1 && last_x.type == X_DABT &&
	    (last_x.fsr & FSR_MASK) == (FS_ALIGN | (store ? FSR_WNR : 0)) &&
	    last_x.far == a &&
	    (last_x.spsr & 0x1f) == (user ? M_USR : M_SVC))
		return;
	hx_fails++;
	out_puts("FAIL: expected one alignment fault at ");
	out_hex(a);
	out_puts("\n");
}

static void set_align(bool on)
{
	u32 s = MRC(0, 1, 0, 0);

	MCR(0, 1, 0, 0, on ? s | 2u : s & ~2u);
	isb();
}

SCENARIO(strict_alignment, 0)
{
	const u32 a = TEST_PA + 0x101u;

	mmu_base(L1_A);
	map_section(L1_A, TEST_VA, GICD & 0xfff00000u, MEM_DEVICE | S_AP(1));
	mmu_on(L1_A, 1);
	/* LDM and LDRD want word alignment whatever SCTLR.A says. */
	align_fault("ldm, A=0", ldm2, a + 1, false, false);
	align_fault("ldm, A=0", ldm2, a + 1, true, false);
	align_fault("ldrd, A=0", ldrd_at, a + 1, false, false);
	set_align(true);
	for (unsigned user = 0; user < 2; user++) {
		align_fault("ldr", ld32u, a, user, false);
		align_fault("ldrh", ld16u, a, user, false);
		align_fault("str", st32u, a, user, true);
		align_fault("ldm", ldm2, a + 1, user, false);
		align_fault("ldrd", ldrd_at, a + 1, user, false);
		/* Emulated: the LDRT/STRT sites. */
		align_fault("ldrt site", (u32 (*)(u32))zoo_ldrt, a, user, false);
		align_fault("strt site", (u32 (*)(u32))zoo_strt, a, user, true);
	}
	/* A device access: the host's own alignment check answers first. */
	align_fault("ldr, GIC", ld32u, TEST_VA + (GICD & 0xfffffu) + 0x401u,
		    false, false);
	/* Aligned accesses, traps and hypercalls all still work. */
	x_reset();
	expect("aligned ldr", ld32u(TEST_PA + 0x100u), rd32(TEST_PA + 0x100u));
	expect("ldrd at a word", (ldrd_at(TEST_PA + 0x104u), x_count), 0);
	expect("MIDR (an emulated MRC) with A=1", MRC(0, 0, 0, 0), 0x412fc09au);
	expect("SCTLR.A reads back", MRC(0, 1, 0, 0) & 2u, 2u);
	set_align(false);
	x_reset();
	ld32u(a);
	expect("A=0 again: unaligned ldr works", x_count, 0);
	mmu_off();
}

/* ---- the VMM's fetch cache against remapped code ---- */

#define CODE_VA 0x50000000u
#define P1 (TEST_PA + 0x10000u)
#define P2 (TEST_PA + 0x11000u)

static void code_page(u32 pa, u32 insn)
{
	wr32(pa, insn);
	wr32(pa + 4, 0xe12fff1eu); /* bx lr */
	sync_code(pa, 8);
}

SCENARIO(fetch_cache_remap, 0)
{
	typedef u32 (*fn_t)(u32);
	u32 l2 = l2_new();

	code_page(P1, 0xee100f10u); /* mrc MIDR: traps, decoded by pvcore */
	code_page(P2, 0xee1d0f90u); /* mrc TPIDRPRW */
	MCR(0, 13, 0, 4, 0x7e57c0deu);
	mmu_base(L1_A);
	mmu_base(L1_B);
	map_l2(L1_A, CODE_VA, l2, 0);
	map_small(l2, CODE_VA, P1, P_AP(1) | P_NG | 0xcu);
	map_section(L1_B, CODE_VA, P2 & 0xfff00000u, MEM_NORMAL | S_AP(1) |
		    S_NG);
	mmu_on(L1_A, 1);
	expect("VA -> P1: MIDR", ((fn_t)CODE_VA)(0), 0x412fc09au);
	/* Remap with TLBIMVA: the other instruction. */
	map_small(l2, CODE_VA, P2, P_AP(1) | P_NG | 0xcu);
	dsb();
	MCR(0, 8, 7, 1, CODE_VA | 1);
	MCR(0, 7, 5, 0, 0);
	dsb();
	isb();
	expect("remapped -> P2: TPIDRPRW", ((fn_t)CODE_VA)(0), 0x7e57c0deu);
	map_small(l2, CODE_VA, P1, P_AP(1) | P_NG | 0xcu);
	dsb();
	MCR(0, 8, 7, 0, 0);
	MCR(0, 7, 5, 0, 0);
	dsb();
	isb();
	expect("back -> P1: MIDR", ((fn_t)CODE_VA)(0), 0x412fc09au);
	/* Another table, another ASID, same VA: P2 (+ its offset). */
	MCR(0, 13, 0, 1, 0);
	isb();
	MCR(0, 2, 0, 0, L1_B | 0x4au);
	isb();
	MCR(0, 13, 0, 1, 2);
	isb();
	expect("TTBR0/ASID switch -> P2",
	       ((fn_t)(CODE_VA + (P2 & 0xfffffu)))(0), 0x7e57c0deu);
	expect("TTBR0/ASID switch: P1's offset is P1 here",
	       ((fn_t)(CODE_VA + (P1 & 0xfffffu)))(0), 0x412fc09au);
	MCR(0, 13, 0, 1, 0);
	isb();
	MCR(0, 2, 0, 0, L1_A | 0x4au);
	isb();
	MCR(0, 13, 0, 1, 1);
	isb();
	expect("switched back -> P1", ((fn_t)CODE_VA)(0), 0x412fc09au);
	/* The code rewritten in place, with the maintenance it needs. */
	code_page(P1, 0xee1d0f90u);
	expect("rewritten in place -> TPIDRPRW", ((fn_t)CODE_VA)(0), 0x7e57c0deu);

	/*
	 * A trapping T32 MRC across a page boundary whose pages are not
	 * physically contiguous: its second halfword comes from the page
	 * mapped next, not from the physically next one (which holds the
	 * halfword of an MRC of MIDR instead).
	 */
	{
		volatile uint16_t *a = (volatile uint16_t *)(P1 + 0xffeu);
		volatile uint16_t *b = (volatile uint16_t *)(P2 + 0x3000u);
		volatile uint16_t *wrong = (volatile uint16_t *)(P1 + 0x1000u);

		*a = 0xee1d;           /* mrc p15, 0, r0, c13, c0, 4 (T32) */
		b[0] = 0x0f90;
		b[1] = 0x4770;         /* bx lr */
		wrong[0] = 0x0f10;     /* ... c0, c0, 0 (MIDR) */
		wrong[1] = 0x4770;
		sync_code(P1 + 0xffeu, 2);
		sync_code(P2 + 0x3000u, 4);
		sync_code(P1 + 0x1000u, 4);
		map_small(l2, CODE_VA, P1, P_AP(1) | P_NG | 0xcu);
		map_small(l2, CODE_VA + 0x1000u, P2 + 0x3000u,
			  P_AP(1) | P_NG | 0xcu);
		dsb();
		MCR(0, 8, 7, 0, 0);
		MCR(0, 7, 5, 0, 0);
		dsb();
		isb();
		expect("T32 MRC across two pages: its own second halfword",
		       ((fn_t)((CODE_VA + 0xffeu) | 1))(0), 0x7e57c0deu);
	}
	mmu_off();
}

/*
 * High vectors (SCTLR.V, as Linux uses them): the guest's vector page at
 * 0xFFFF0000 shares its MiB with the VMM window. Every exception the
 * VMM injects must go there, from kernel and user mode, and VBAR's
 * low bits are RES0.
 */
static u32 u_udf(u32 a)
{
	__asm__ volatile("udf #0x6" ::: "memory");
	return a;
}

#define VEC_PAGE 0xffff0000u
#define VEC_PA   (TEST_PA + 0x20000u)

SCENARIO(guest_high_vectors, 0)
{
	u32 l2 = l2_new();

	/* 0xFFFF0000: ldr pc, [pc, #24] x 8, then the runtime's vectors. */
	for (u32 i = 0; i < 8; i++) {
		wr32(VEC_PA + 4 * i, 0xe59ff018u);
		wr32(VEC_PA + 0x20u + 4 * i, (u32)conf_vectors + 4 * i);
	}
	sync_code(VEC_PA, 0x40);
	mmu_base(L1_A);
	map_l2(L1_A, WIN_BASE, l2, 0);
	map_small(l2, VEC_PAGE, VEC_PA, P_AP(1) | 0xcu);
	mmu_on(L1_A, 1);
	MCR(0, 12, 0, 0, (u32)conf_vectors | 0x1fu);
	expect("VBAR: bits [4:0] RES0", MRC(0, 12, 0, 0), (u32)conf_vectors);
	MCR(0, 12, 0, 0, 0x1000u); /* low vectors elsewhere: must not be used */
	MCR(0, 1, 0, 0, MRC(0, 1, 0, 0) | (1u << 13));
	isb();
	x_reset();
	__asm__ volatile("udf #0x5" ::: "memory");
	expect("UNDEF through the high vectors", x_summary(), X_UND << 8 | 1);
	x_reset();
	run_user(u_udf, 0); /* and back with an SVC, through them too */
	expect("user UNDEF through the high vectors", x_summary(),
	       X_UND << 8 | 1);
	expect("user UNDEF: from", last_x.spsr & 0x1f, M_USR);
	expect_abort("user load of the kernel's vector page", VEC_PAGE, U_LD,
		     FS_PERM_PG);
	expect_abort("data abort through the high vectors", WIN_BASE + 0x40u,
		     K_LD, FS_TRANS_PG);
	expect_abort("prefetch abort through the high vectors", WIN_BASE,
		     U_EX, FS_TRANS_PG);
	MCR(0, 1, 0, 0, MRC(0, 1, 0, 0) & ~(1u << 13));
	MCR(0, 12, 0, 0, (u32)conf_vectors);
	isb();
	mmu_off();
}

/* ---- timers at the ends of their ranges ---- */

static volatile u32 t_irqs;

static bool count_hook(unsigned type, struct xframe *f)
{
	u32 iar = gic_ack(), id = iar & 0x3ff;

	if (id == 27) {
		wr32(GT_CTRL, rd32(GT_CTRL) & ~6u);
		wr32(GT_ISR, 1);
	} else if (id == 29) {
		wr32(TWD_CTRL, 0);
		wr32(TWD_ISR, 1);
	}
	if (id < 1020) {
		t_irqs++;
		gic_eoi(iar);
	}
	return true;
}

static void spin(u32 n)
{
	irq_enable();
	for (volatile u32 i = 0; i < n; i++)
		;
	irq_disable();
}


SCENARIO(timer_extremes, 0)
{
	x_reset();
	gic_setup();
	wr32(GICD_ISENABLE, (1u << 27) | (1u << 29));
	x_hook[X_IRQ] = count_hook;

	/* Not due for 2^20 ticks of 2.56 us (prescaler 255): not early. */
	t_irqs = 0;
	wr32(GT_CTRL, 0);
	wr32(GT_LO, 0);
	wr32(GT_HI, 0);
	wr32(GT_CMP_LO, 0x00100000u);
	wr32(GT_CMP_HI, 0);
	wr32(GT_CTRL, 0xff07u); /* prescaler 255, timer, comparator, IRQ */
	spin(20000);
	expect("comparator 2^20 ticks ahead: interrupts", t_irqs, 0);
	/* Comparator at the top: never due. */
	t_irqs = 0;
	wr32(GT_CTRL, 0);
	wr32(GT_CMP_LO, 0xffffffffu);
	wr32(GT_CMP_HI, 0xffffffffu);
	wr32(GT_CTRL, 0xff07u);
	spin(20000);
	expect("comparator 2^64-1: interrupts", t_irqs, 0);
	/* The A9 compares with >=: a comparator the counter has passed,
	 * also one "after" a wrap-around still to come, fires once, at once. */
	t_irqs = 0;
	wr32(GT_CTRL, 0);
	wr32(GT_LO, 0x1000u);
	wr32(GT_HI, 0x10u);
	wr32(GT_CMP_LO, 0x10u);
	wr32(GT_CMP_HI, 0);
	wr32(GT_CTRL, 0x0007u);
	spin(20000);
	expect("comparator in the past: interrupts", t_irqs, 1);
	t_irqs = 0;
	wr32(GT_CTRL, 0);
	wr32(GT_LO, 0xfffffff0u);
	wr32(GT_HI, 0xffffffffu);
	wr32(GT_CMP_LO, 0x10u);
	wr32(GT_CMP_HI, 0);
	wr32(GT_CTRL, 0xff07u);
	spin(20000);
	expect("counter about to wrap, comparator small: interrupts", t_irqs, 1);
	wr32(GT_CTRL, 0);

	/* TWD: the longest period (load 2^32-1, prescaler 255: ~3 hours). */
	t_irqs = 0;
	wr32(TWD_LOAD, 0xffffffffu);
	wr32(TWD_CTRL, 0xff07u);
	spin(20000);
	expect("TWD longest period: interrupts", t_irqs, 0);
	expect_ok("TWD counts down from the top",
		  rd32(TWD + 4) > 0xfff00000u, rd32(TWD + 4));
	/* Counter rewritten to 1 with the timer running: due at once. */
	wr32(TWD + 4, 1);
	spin(20000);
	expect("TWD counter set to 1: interrupts", t_irqs, 1);
	gic_off();
}

/* ---- big-endian data ---- */

void be_probe(u32 out[6], u32 ram, u32 mmio);

static u32 bswap(u32 v)
{
	return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) |
	       (v << 24);
}

SCENARIO(bigendian_data, 0)
{
	u32 out[6], typer;

	gic_setup();
	typer = rd32(GICD + 4);
	wr32(TEST_PA, 0x11223344u);
	x_reset();
	be_probe(out, TEST_PA, GICD + 4);
	expect("BE native load", out[1], 0x44332211u);
	expect("BE emulated LDRT", out[2], 0x44332211u);
	expect("BE MMIO load", out[3], bswap(typer));
	expect("E set while big-endian", out[4] & (1u << 9), 1u << 9);
	expect("SVC taken (little-endian handler)", x_summary(), X_SVC << 8 | 1);
	expect("SVC handler saw E in SPSR", last_x.spsr & (1u << 9), 1u << 9);
	expect("BE again after the return", out[5], 0x44332211u);
	expect("E still set after the return", out[0] & (1u << 9), 1u << 9);
	expect("E clear again", get_cpsr() & (1u << 9), 0);
	gic_off();
}

/* ---- semihosting ---- */

static const char escape_msg[] = "hostile: SEMIHOSTING ESCAPE\n";
static const u32 exit_block[2] = { 0x20026u, 0 }; /* ApplicationExit, 0 */

static u32 sh_arm(u32 op)
{
	register u32 r0 __asm__("r0") = op;
	register u32 r1 __asm__("r1") = op == 0x18u ? (u32)exit_block :
					(u32)escape_msg;

	/* From SVC mode the SVC itself overwrites LR. */
	__asm__ volatile("svc #0x123456" : "+r"(r0) : "r"(r1) : "lr", "memory");
	return r0;
}

static __attribute__((target("thumb"), noinline)) u32 sh_thumb(u32 op)
{
	register u32 r0 __asm__("r0") = op;
	register u32 r1 __asm__("r1") = op == 0x18u ? (u32)exit_block :
					(u32)escape_msg;

	__asm__ volatile("svc #0xab" : "+r"(r0) : "r"(r1) : "lr", "memory");
	return r0;
}

static __attribute__((target("thumb"), noinline)) u32 sh_bkpt(u32 op)
{
	register u32 r0 __asm__("r0") = op;
	register u32 r1 __asm__("r1") = (u32)escape_msg;

	__asm__ volatile("bkpt #0xab" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

static bool bkpt_next(unsigned type, struct xframe *f)
{
	if ((last_x.fsr & 0x40f) != FS_DEBUG)
		return false;
	f->pc = f->pad - ((f->spsr & (1u << 5)) ? 2 : 0);
	return true;
}

SCENARIO(semihosting_calls, 0)
{
	static const u32 ops[] = { 0x04u /* SYS_WRITE0 */, 0x18u /* SYS_EXIT */ };
	u32 (*const fns[])(u32) = { sh_arm, (u32 (*)(u32))((u32)sh_thumb | 1) };
	static const char *const fn_name[] = { "ARM svc 0x123456",
					       "Thumb svc 0xab" };

	for (unsigned f = 0; f < 2; f++) {
		for (unsigned o = 0; o < 2; o++) {
			x_reset();
			expect(nm(fn_name[f], NONUM, ", kernel: r0 kept"),
			       fns[f](ops[o]), ops[o]);
			expect(nm(fn_name[f], NONUM, ", kernel: a guest SVC"),
			       x_summary(), X_SVC << 8 | 1);
			x_reset();
			expect(nm(fn_name[f], NONUM, ", user: r0 kept"),
			       run_user(fns[f], ops[o]), ops[o]);
			expect(nm(fn_name[f], NONUM, ", user: a guest SVC"),
			       x_summary(), X_SVC << 8 | 1);
			expect(nm(fn_name[f], NONUM, ", user: from"),
			       last_x.spsr & 0x1f, M_USR);
		}
	}
	for (unsigned user = 0; user < 2; user++) {
		u32 (*fn)(u32) = (u32 (*)(u32))((u32)sh_bkpt | 1);

		x_reset();
		x_hook[X_PABT] = bkpt_next;
		if (user)
			run_user(fn, 0x04u);
		else
			fn(0x04u);
		expect(nm("Thumb bkpt 0xab: a debug abort, user=", user, ""),
		       x_summary(), X_PABT << 8 | 1);
		expect(nm("Thumb bkpt 0xab: ifsr, user=", user, ""),
		       last_x.fsr & 0x40f, FS_DEBUG);
	}
}
