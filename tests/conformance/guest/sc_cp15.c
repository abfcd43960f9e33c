// SPDX-License-Identifier: MIT
/*
 * CP15 scenarios: identification properties that must agree, write/readback
 * masks of the PL1 registers, PL0 access rules. MRC/MCR trap at host PL0,
 * so every access here is emulated by pvcore's virtual CP15.
 */
#include "conf.h"

SCENARIO(cp15_id, CV(C_CP15))
{
	u32 midr = MRC(0, 0, 0, 0), mpidr = MRC(0, 0, 0, 5);

	/* MIDR's revision is deliberately r2p10 under pvcore, r0p0 in QEMU:
	 * compare implementer, architecture and part only. */
	check("MIDR.implementer", midr >> 24);
	check("MIDR.arch", (midr >> 16) & 0xf);
	check("MIDR.part", (midr >> 4) & 0xfff);
	check("MPIDR.mp-format", mpidr >> 30);
	check("MPIDR.aff0", mpidr & 0xff);
	/* PFR0[11:8] (Jazelle) is 0 on QEMU, 2 on a real A9: not compared. */
	check("ID_PFR0.arm-thumb-tee", MRC(0, 0, 1, 0) & 0xf0ffu);
	check("ID_MMFR0.vmsa", MRC(0, 0, 1, 4) & 0xf);
	check("ID_ISAR0", MRC(0, 0, 2, 0));
	check("ID_ISAR1", MRC(0, 0, 2, 1));
	check("ID_ISAR2", MRC(0, 0, 2, 2));
	check("ID_ISAR3", MRC(0, 0, 2, 3));
	check("ID_ISAR4", MRC(0, 0, 2, 4));
	check("CTR.format", MRC(0, 0, 0, 1) >> 29);
	check("CLIDR.ctype1", MRC(1, 0, 0, 1) & 7);
}

SCENARIO(cp15_sctlr, CV(C_CP15))
{
	u32 s0 = MRC(0, 1, 0, 0), s1, s2;
	/* Bits a guest may toggle without side effects here: A, Z, I, C. */
	static const u32 bits[] = { 1u << 1, 1u << 11, 1u << 12, 1u << 2 };
	static const char *const names[] = { "A", "Z", "I", "C" };

	check("SCTLR.M", s0 & 1);
	check("SCTLR.V", (s0 >> 13) & 1);
	check("SCTLR.TE", (s0 >> 30) & 1);
	check("SCTLR.EE", (s0 >> 25) & 1);
	for (unsigned i = 0; i < 4; i++) {
		char what[24] = "set X";

		what[4] = names[i][0];
		MCR(0, 1, 0, 0, s0 | bits[i]);
		isb();
		s1 = MRC(0, 1, 0, 0);
		MCR(0, 1, 0, 0, s0 & ~bits[i]);
		isb();
		s2 = MRC(0, 1, 0, 0);
		check(what, ((s1 & bits[i]) != 0) << 1 | ((s2 & bits[i]) != 0));
	}
	MCR(0, 1, 0, 0, s0);
	isb();
}

SCENARIO(cp15_ttbr, CV(C_CP15))
{
	static const u32 pat[] = { 0x10200000u, 0x1020004au, 0xffffc07fu,
				   0x00004000u };

	for (unsigned i = 0; i < 4; i++) {
		MCR(0, 2, 0, 0, pat[i]);
		check("TTBR0 readback", MRC(0, 2, 0, 0));
		MCR(0, 2, 0, 1, pat[i] ^ 0x00004000u);
		check("TTBR1 readback", MRC(0, 2, 0, 1));
	}
	for (u32 n = 0; n < 8; n++) {
		MCR(0, 2, 0, 2, n);
		check("TTBCR readback", MRC(0, 2, 0, 2));
	}
	MCR(0, 2, 0, 2, 0);
	MCR(0, 2, 0, 0, 0);
	MCR(0, 2, 0, 1, 0);
}

SCENARIO(cp15_dacr_ctx, CV(C_CP15))
{
	static const u32 pat[] = { 0, 0xffffffffu, 0x55555555u, 0x12345678u };

	for (unsigned i = 0; i < 4; i++) {
		MCR(0, 3, 0, 0, pat[i]);
		check("DACR", MRC(0, 3, 0, 0));
	}
	MCR(0, 3, 0, 0, 0x55555555u);
	MCR(0, 13, 0, 1, 0x1234ab);
	check("CONTEXTIDR", MRC(0, 13, 0, 1));
	MCR(0, 13, 0, 1, 0);
	MCR(0, 13, 0, 2, 0xcafef00d);
	check("TPIDRURW", MRC(0, 13, 0, 2));
	MCR(0, 13, 0, 3, 0x0badf00d);
	check("TPIDRURO", MRC(0, 13, 0, 3));
	MCR(0, 13, 0, 4, 0x600df00d);
	check("TPIDRPRW", MRC(0, 13, 0, 4));
}

SCENARIO(cp15_vbar_cpacr, CV(C_CP15))
{
	MCR(0, 12, 0, 0, 0x10012345u);
	check("VBAR low bits RES0", MRC(0, 12, 0, 0));
	MCR(0, 12, 0, 0, (u32)conf_vectors);
	MCR(0, 1, 0, 2, 0x00f00000u);
	isb();
	check("CPACR cp10/11 full", MRC(0, 1, 0, 2) & 0x00f00000u);
	MCR(0, 1, 0, 2, 0x00500000u);
	isb();
	check("CPACR cp10/11 PL1", MRC(0, 1, 0, 2) & 0x00f00000u);
	MCR(0, 1, 0, 2, 0);
	isb();
	check("CPACR none", MRC(0, 1, 0, 2) & 0x00f00000u);
}

SCENARIO(cp15_prrr_nmrr, CV(C_CP15))
{
	MCR(0, 10, 2, 0, 0xff0a81a8u);
	MCR(0, 10, 2, 1, 0x40e040e0u);
	check("PRRR", MRC(0, 10, 2, 0));
	check("NMRR", MRC(0, 10, 2, 1));
}

SCENARIO(cp15_cache_maint, CV(C_CP15))
{
	volatile u32 *p = (volatile u32 *)(TEST_PA + 0x100);

	*p = 0x11112222;
	MCR(0, 7, 10, 1, (u32)p);   /* DCCMVAC */
	MCR(0, 7, 14, 1, (u32)p);   /* DCCIMVAC */
	MCR(0, 7, 5, 0, 0);         /* ICIALLU */
	MCR(0, 7, 5, 6, 0);         /* BPIALL */
	MCR(0, 7, 10, 4, 0);        /* CP15DSB */
	MCR(0, 7, 5, 4, 0);         /* CP15ISB */
	dsb();
	check("data survives clean+invalidate", *p);
	check("exceptions", x_count);
}

/*
 * Linux's per-line maintenance loops (libpvcore/cmo_loop.c runs them in
 * one trap): the registers and flags they end with, and the data.
 */
static u32 cmo_cmp_loop(u32 a, u32 end, u32 *flags)
{
	u32 step = 32, f;

	__asm__ volatile("1: mcr p15, 0, %0, c7, c14, 1\n\t" /* DCCIMVAC */
			 "add %0, %0, %2\n\t"
			 "cmp %0, %3\n\t"
			 "bcc 1b\n\t"
			 NZCV("%1")
			 : "+r"(a), "=&r"(f)
			 : "r"(step), "r"(end)
			 : "cc", "memory");
	*flags = f;
	return a;
}

static u32 cmo_subs_loop(u32 a, u32 *n, u32 *flags)
{
	u32 step = 32, left = *n, f;

	__asm__ volatile("1: mcr p15, 0, %0, c7, c10, 1\n\t" /* DCCMVAC */
			 "add %0, %0, %3\n\t"
			 "subs %1, %1, %3\n\t"
			 "bhi 1b\n\t"
			 NZCV("%2")
			 : "+r"(a), "+r"(left), "=&r"(f)
			 : "r"(step)
			 : "cc", "memory");
	*n = left;
	*flags = f;
	return a;
}

static u32 cmo_cc_loop(u32 a, u32 end, u32 *flags)
{
	u32 step = 32, f;

	__asm__ volatile("cmp %0, %3\n\t"
			 "1: mcrcc p15, 0, %0, c7, c6, 1\n\t" /* DCIMVAC */
			 "addcc %0, %0, %2\n\t"
			 "cmpcc %0, %3\n\t"
			 "bcc 1b\n\t"
			 NZCV("%1")
			 : "+r"(a), "=&r"(f)
			 : "r"(step), "r"(end)
			 : "cc", "memory");
	*flags = f;
	return a;
}

static u32 cmo_icache_loop(u32 a, u32 end)
{
	u32 step = 32;

	__asm__ volatile("1: mcr p15, 0, %0, c7, c5, 1\n\t" /* ICIMVAU */
			 "add %0, %0, %1\n\t"
			 "cmp %0, %2\n\t"
			 "bcc 1b"
			 : "+r"(a)
			 : "r"(step), "r"(end)
			 : "cc", "memory");
	return a;
}

SCENARIO(cp15_cmo_loops, CV(C_CP15))
{
	volatile u32 *p = (volatile u32 *)(TEST_PA + 0x1000);
	u32 base = TEST_PA + 0x1000, sum = 0, f = 0, n;

	for (u32 i = 0; i < 0x5000 / 4; i++)
		p[i] = 0x5a000000u + i * 0x9e37u;
	/* Longer than one trap's 64 KiB: the loop goes on at the MCR. */
	check("cmp loop end", cmo_cmp_loop(base + 4, base + 0x10124, &f));
	check("cmp loop flags", f);
	check("cmp loop, one line", cmo_cmp_loop(base, base + 1, &f));
	check("cmp loop, one line, flags", f);
	n = 0x3000;
	check("subs loop end", cmo_subs_loop(base, &n, &f));
	check("subs loop count", n);
	check("subs loop flags", f);
	check("cc loop end", cmo_cc_loop(base + 0x20, base + 0x4010, &f));
	check("cc loop flags", f);
	check("cc loop, empty", cmo_cc_loop(base + 0x40, base + 0x40, &f));
	check("cc loop, empty, flags", f);
	check("icache loop end", cmo_icache_loop(base, base + 0x800));
	for (u32 i = 0; i < 0x5000 / 4; i++)
		sum = sum * 31 + p[i];
	check("data survives", sum);
	check("exceptions", x_count);
}

/*
 * A context switch's writes (cpu_v7_switch_mm; libpvcore/trap_chain.c runs
 * them in one trap), conditional forms, and a TTBR0 write first (which ends
 * any chain). The MMU is off here, so the values are only read back.
 */
static void ctx_switch(u32 ttbr, u32 asid)
{
	__asm__ volatile("dsb\n\t"
			 "mcr p15, 0, %1, c13, c0, 1\n\t" /* CONTEXTIDR */
			 "isb\n\t"
			 "mcr p15, 0, %0, c2, c0, 0\n\t"  /* TTBR0 */
			 "isb"
			 :: "r"(ttbr), "r"(asid) : "memory");
}

static void ctx_switch_cond(u32 ttbr, u32 asid, u32 z)
{
	__asm__ volatile("cmp %2, #0\n\t"
			 "mcr p15, 0, %1, c13, c0, 1\n\t"
			 "mcrne p15, 0, %1, c13, c0, 1\n\t"
			 "dmb\n\t"
			 "mcreq p15, 0, %0, c2, c0, 0\n\t"
			 "mcrne p15, 0, %0, c2, c0, 1\n\t" /* TTBR1 */
			 :: "r"(ttbr), "r"(asid), "r"(z) : "cc", "memory");
}

static void ttbr_then_ctx(u32 ttbr, u32 asid)
{
	__asm__ volatile("mcr p15, 0, %0, c2, c0, 0\n\t"
			 "isb\n\t"
			 "mcr p15, 0, %1, c13, c0, 1\n\t"
			 "mcr p15, 0, %0, c3, c0, 0\n\t"  /* DACR */
			 "isb"
			 :: "r"(ttbr), "r"(asid) : "memory");
}

SCENARIO(cp15_ctx_chains, CV(C_CP15))
{
	u32 dacr = MRC(0, 3, 0, 0);

	ctx_switch(0x1020406au, 0x42);
	check("switch TTBR0", MRC(0, 2, 0, 0));
	check("switch CONTEXTIDR", MRC(0, 13, 0, 1));
	for (u32 z = 0; z < 2; z++) {
		ctx_switch_cond(0x10208059u + z * 0x4000u, 0x1230 + z, z);
		check("cond TTBR0", MRC(0, 2, 0, 0));
		check("cond TTBR1", MRC(0, 2, 0, 1));
		check("cond CONTEXTIDR", MRC(0, 13, 0, 1));
	}
	ttbr_then_ctx(0x55555555u, 0x77);
	check("TTBR0 first", MRC(0, 2, 0, 0));
	check("then CONTEXTIDR", MRC(0, 13, 0, 1));
	check("then DACR", MRC(0, 3, 0, 0));
	MCR(0, 3, 0, 0, dacr);
	MCR(0, 13, 0, 1, 0);
	MCR(0, 2, 0, 0, 0);
	MCR(0, 2, 0, 1, 0);
	isb();
	check("exceptions", x_count);
}

static u32 user_mrc_sctlr(u32 a)
{
	(void)a;
	return MRC(0, 1, 0, 0);
}

static u32 user_tpidr(u32 v)
{
	u32 uro, urw;

	__asm__ volatile("mcr p15, 0, %0, c13, c0, 2" :: "r"(v));
	__asm__ volatile("mrc p15, 0, %0, c13, c0, 2" : "=r"(urw));
	__asm__ volatile("mrc p15, 0, %0, c13, c0, 3" : "=r"(uro));
	return urw ^ uro;
}

static u32 user_write_tpidruro(u32 v)
{
	__asm__ volatile("mcr p15, 0, %0, c13, c0, 3" :: "r"(v));
	return 0;
}

SCENARIO(cp15_pl0_rules, CV(C_CP15) | CV(C_UNDEF) | CV(C_SVC))
{
	x_reset();
	run_user(user_mrc_sctlr, 0);
	show_x("user MRC SCTLR", (u32)user_mrc_sctlr);
	MCR(0, 13, 0, 3, 0x5a5a0000u);
	x_reset();
	check("user TPIDRURW^TPIDRURO", run_user(user_tpidr, 0x0000a5a5u));
	check("user TPIDR exceptions", x_count);
	check("TPIDRURW from PL1", MRC(0, 13, 0, 2));
	x_reset();
	run_user(user_write_tpidruro, 0x77);
	show_x("user MCR TPIDRURO", (u32)user_write_tpidruro);
	check("TPIDRURO unchanged", MRC(0, 13, 0, 3));
}

SCENARIO(cp15_undef_regs, CV(C_CP15) | CV(C_UNDEF))
{
	u32 v = 0x1234;

	/* A CRn/opc1 combination that is not implemented: UNDEFINED. */
	x_reset();
	__asm__ volatile("mrc p15, 7, %0, c15, c15, 7" : "+r"(v));
	check("unimplemented MRC exceptions", x_count);
	check("unimplemented MRC type", last_x.type);
	check("unimplemented MRC value kept", v);
	/* Coprocessor 7 does not exist. */
	x_reset();
	__asm__ volatile("mrc p7, 0, %0, c0, c0, 0" : "+r"(v));
	check("cp7 MRC exceptions", x_count);
	check("cp7 MRC type", last_x.type);
	/* MIDR is read-only: MCR is UNDEFINED or ignored; the value stays. */
	x_reset();
	MCR(0, 0, 0, 0, 0);
	check("MIDR write exception", x_count);
	check("MIDR.part after write", (MRC(0, 0, 0, 0) >> 4) & 0xfff);
}
