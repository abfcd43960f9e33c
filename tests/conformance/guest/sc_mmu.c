// SPDX-License-Identifier: MIT
/*
 * MMU scenarios on the guest's own short-descriptor tables: every
 * descriptor size, TEX remap, the access flag, domains, every AP/APX
 * combination at PL1 and PL0, XN, translation/permission/alignment faults
 * with exact FSR and FAR, ATS address translation, TLB maintenance and
 * ASID switches. Under pvcore these exercise the guest walk and the shadow
 * tables; every fault is a guest-visible injection.
 */
#include "conf.h"

#define VA_SEC   0x40000000u
#define VA_SUPER 0x41000000u
#define VA_L2    0x42000000u
#define VA_HOLE  0x43000000u
#define VA_AP    0x44000000u /* + ap << 20 */
#define VA_ASID  0x45000000u
#define VA_XN    0x46000000u
#define VA_DOM   0x47000000u /* + dom << 20 */

static void base_on(void)
{
	mmu_base(L1_A);
}

SCENARIO(mmu_section, CV(C_CP15) | CV(C_DABT))
{
	base_on();
	fill(TEST_PA, 64, 0xa0a00000u);
	wr32(TEST_PA + 0xffffc, 0x5ec7104e);
	map_section(L1_A, VA_SEC, TEST_PA, MEM_NORMAL | S_AP(3));
	mmu_on(L1_A, 1);
	check("read VA+0", rd32(VA_SEC));
	check("read VA+0x44", rd32(VA_SEC + 0x44));
	check("read VA+0xffffc", rd32(VA_SEC + 0xffffc));
	wr32(VA_SEC + 8, 0x12345678);
	check("write VA, read PA", rd32(TEST_PA + 8));
	check("byte read", rd8(VA_SEC + 9));
	probe_report("next section unmapped", VA_SEC + 0x100000, false, false);
	mmu_off();
}

SCENARIO(mmu_supersection, CV(C_CP15))
{
	static const u32 off[] = { 0, 0x123450, 0x800000, 0xfffffc };

	base_on();
	for (unsigned i = 0; i < 4; i++)
		wr32(SUPER_PA + off[i], 0x50000000u + i);
	map_super(L1_A, VA_SUPER, SUPER_PA, MEM_NORMAL | S_AP(3));
	mmu_on(L1_A, 1);
	for (unsigned i = 0; i < 4; i++)
		check(nm("read offset #", i, ""), rd32(VA_SUPER + off[i]));
	wr32(VA_SUPER + 0x400000, 0xabcdef01);
	mmu_off();
	check("write through supersection", rd32(SUPER_PA + 0x400000));
}

SCENARIO(mmu_small_large, CV(C_CP15) | CV(C_DABT))
{
	u32 l2;

	base_on();
	l2 = l2_new();
	map_l2(L1_A, VA_L2, l2, 0);
	/* Four small pages mapped in reverse order. */
	for (u32 i = 0; i < 4; i++) {
		wr32(TEST_PA + 0x10000 + i * 0x1000, 0x5a000000u + i);
		map_small(l2, VA_L2 + i * 0x1000, TEST_PA + 0x13000 - i * 0x1000,
			  P_AP(3) | 0xcu);
	}
	/* A 64 KiB large page at VA_L2 + 0x10000. */
	wr32(TEST_PA + 0x20000, 0x1a000000);
	wr32(TEST_PA + 0x24000, 0x1a004000);
	wr32(TEST_PA + 0x2fffc, 0x1a00fffc);
	map_large(l2, VA_L2 + 0x10000, TEST_PA + 0x20000, (3u << 4) | 0xcu);
	mmu_on(L1_A, 1);
	for (u32 i = 0; i < 4; i++)
		check(nm("small page ", i, ""), rd32(VA_L2 + i * 0x1000));
	check("large +0", rd32(VA_L2 + 0x10000));
	check("large +0x4000", rd32(VA_L2 + 0x14000));
	check("large +0xfffc", rd32(VA_L2 + 0x1fffc));
	probe_report("empty small slot", VA_L2 + 0x5000, false, false);
	probe_report("empty small slot", VA_L2 + 0x5004, false, true);
	mmu_off();
}

SCENARIO(mmu_translation_faults, CV(C_CP15) | CV(C_DABT))
{
	base_on();
	mmu_on(L1_A, 1);
	probe_report("hole", VA_HOLE + 0x1234, false, false);
	probe_report("hole", VA_HOLE + 0x5678, false, true);
	x_reset();
	check("ldrb odd address", probe_ldb(VA_HOLE + 0x333));
	check("ldrb fsr", last_x.fsr);
	check("ldrb far", last_x.far - VA_HOLE);
	mmu_off();
}

/* One AP value at one privilege: read and write (section or page). */
static void ap_pass(bool page, bool user)
{
	u32 l2 = 0;

	base_on();
	if (page) {
		l2 = l2_new();
		map_l2(L1_A, VA_AP, l2, 1);
	}
	for (u32 ap = 0; ap < 8; ap++) {
		if (ap == 4)
			continue; /* reserved encoding */
		wr32(TEST_PA + ap * 0x1000, 0xa9000000u + ap);
		if (page)
			map_small(l2, VA_AP + ap * 0x1000, TEST_PA + ap * 0x1000,
				  P_AP(ap) | 0xcu);
		else
			map_section(L1_A, VA_AP + (ap << 20), TEST_PA + ap * 0x1000,
				    MEM_NORMAL | S_AP(ap) | S_DOM(1));
	}
	mmu_on(L1_A, 1);
	for (u32 ap = 0; ap < 8; ap++) {
		u32 va = page ? VA_AP + ap * 0x1000 :
				VA_AP + (ap << 20) + ap * 0x1000;

		if (ap == 4)
			continue;
		probe_report(nm("ap", ap, ""), va, user, false);
		probe_report(nm("ap", ap, ""), va, user, true);
	}
	mmu_off();
}

SCENARIO(mmu_ap_section_pl1, CV(C_CP15) | CV(C_DABT))
{
	ap_pass(false, false);
}

SCENARIO(mmu_ap_section_pl0, CV(C_CP15) | CV(C_DABT) | CV(C_SVC))
{
	ap_pass(false, true);
}

SCENARIO(mmu_ap_page_pl1, CV(C_CP15) | CV(C_DABT))
{
	ap_pass(true, false);
}

SCENARIO(mmu_ap_page_pl0, CV(C_CP15) | CV(C_DABT) | CV(C_SVC))
{
	ap_pass(true, true);
}

SCENARIO(mmu_domains, CV(C_CP15) | CV(C_DABT))
{
	static const u32 dacr_val[] = { 0, 1, 3 };
	static const char *const dn[] = { "noaccess", "client", "manager" };
	u32 l2;

	base_on();
	/* Domain 2: a no-access (AP=0) section and a page table with an AP=0
	 * page; the DACR field decides. */
	wr32(TEST_PA + 0x30000, 0xd0d0d0d0);
	map_section(L1_A, VA_DOM, TEST_PA, MEM_NORMAL | S_AP(0) | S_DOM(2));
	l2 = l2_new();
	map_l2(L1_A, VA_DOM + 0x100000, l2, 2);
	map_small(l2, VA_DOM + 0x100000, TEST_PA + 0x30000, P_AP(0) | 0xcu);
	mmu_on(L1_A, 1);
	for (unsigned i = 0; i < 3; i++) {
		MCR(0, 3, 0, 0, 0x55555545u | dacr_val[i] << 4);
		isb();
		out_puts("# domain "); out_puts(dn[i]); out_puts("\n");
		probe_report(nm("section dom=", dacr_val[i], ""), VA_DOM + 0x30000,
			     false, false);
		probe_report(nm("page dom=", dacr_val[i], ""), VA_DOM + 0x100000,
			     false, false);
		probe_report(nm("page dom=", dacr_val[i], " user"),
			     VA_DOM + 0x100000, true, false);
	}
	MCR(0, 3, 0, 0, 0x55555555u);
	mmu_off();
}

static const u32 ret42[] = { 0xe3a0002au, 0xe12fff1eu }; /* mov r0,#42; bx lr */

SCENARIO(mmu_xn_pabt, CV(C_CP15) | CV(C_PABT))
{
	u32 l2;

	base_on();
	for (unsigned i = 0; i < 2; i++)
		wr32(TEST_PA + 0x40000 + i * 4, ret42[i]);
	dsb();
	MCR(0, 7, 5, 0, 0);
	map_section(L1_A, VA_XN, TEST_PA, MEM_NORMAL | S_AP(3));
	map_section(L1_A, VA_XN + 0x100000, TEST_PA, MEM_NORMAL | S_AP(3) | S_XN);
	l2 = l2_new();
	map_l2(L1_A, VA_XN + 0x200000, l2, 0);
	map_small(l2, VA_XN + 0x200000, TEST_PA + 0x40000, P_AP(3) | P_XN | 0xcu);
	map_small(l2, VA_XN + 0x201000, TEST_PA + 0x40000, P_AP(1) | 0xcu);
	mmu_on(L1_A, 1);
	MCR(0, 7, 5, 0, 0);
	isb();
	x_reset();
	check("exec ok", probe_exec(VA_XN + 0x40000));
	check("exec ok exceptions", x_count);
	x_reset();
	check("exec XN section", probe_exec(VA_XN + 0x140000));
	show_fault("XN section", VA_XN + 0x140000);
	x_reset();
	check("exec XN page", probe_exec(VA_XN + 0x200000));
	show_fault("XN page", VA_XN + 0x200000);
	x_reset();
	check("exec unmapped", probe_exec(VA_HOLE + 0x40));
	show_fault("unmapped", VA_HOLE + 0x40);
	x_reset();
	check("exec PL1-only page at PL1", probe_exec(VA_XN + 0x201000));
	check("exceptions", x_count);
	mmu_off();
}

static u32 user_exec(u32 addr)
{
	return probe_exec(addr);
}

SCENARIO(mmu_user_kernel_only, CV(C_CP15) | CV(C_PABT) | CV(C_DABT) | CV(C_SVC))
{
	u32 l2;

	base_on();
	for (unsigned i = 0; i < 2; i++)
		wr32(TEST_PA + 0x40000 + i * 4, ret42[i]);
	dsb();
	MCR(0, 7, 5, 0, 0);
	l2 = l2_new();
	map_l2(L1_A, VA_XN, l2, 0);
	map_small(l2, VA_XN + 0x1000, TEST_PA + 0x40000, P_AP(1) | 0xcu);
	map_small(l2, VA_XN + 0x2000, TEST_PA + 0x40000, P_AP(3) | 0xcu);
	mmu_on(L1_A, 1);
	x_reset();
	check("user exec user page", run_user(user_exec, VA_XN + 0x2000));
	x_reset();
	check("user exec kernel page", run_user(user_exec, VA_XN + 0x1000));
	show_fault("user exec kernel page", VA_XN + 0x1000);
	probe_report("user read kernel page", VA_XN + 0x1004, true, false);
	probe_report("user write kernel page", VA_XN + 0x1008, true, true);
	probe_report("kernel read kernel page", VA_XN + 0x1000, false, false);
	mmu_off();
}

SCENARIO(mmu_access_flag, CV(C_CP15) | CV(C_DABT))
{
	u32 l2;

	base_on();
	wr32(TEST_PA, 0xaf000001);
	/* AFE: AP[0] becomes the access flag; AP[2:1] the permissions. */
	map_section(L1_A, VA_SEC, TEST_PA, MEM_NORMAL | S_AP(2));
	map_section(L1_A, VA_SEC + 0x100000, TEST_PA, MEM_NORMAL | S_AP(3));
	l2 = l2_new();
	map_l2(L1_A, VA_SEC + 0x200000, l2, 0);
	map_small(l2, VA_SEC + 0x200000, TEST_PA, P_AP(2) | 0xcu);
	map_small(l2, VA_SEC + 0x201000, TEST_PA, P_AP(3) | 0xcu);
	mmu_on(L1_A, 1);
	MCR(0, 1, 0, 0, MRC(0, 1, 0, 0) | (1u << 29));
	isb();
	tlb_flush();
	probe_report("section AF=0", VA_SEC, false, false);
	probe_report("section AF=1", VA_SEC + 0x100000, false, false);
	probe_report("page AF=0", VA_SEC + 0x200000, false, false);
	probe_report("page AF=1", VA_SEC + 0x201000, false, false);
	probe_report("page AF=1 user", VA_SEC + 0x201000, true, false);
	MCR(0, 1, 0, 0, MRC(0, 1, 0, 0) & ~(1u << 29));
	mmu_off();
}

SCENARIO(mmu_tex_remap, CV(C_CP15))
{
	base_on();
	wr32(TEST_PA, 0x7e3e3a00);
	MCR(0, 10, 2, 0, 0xff0a81a8u); /* Linux's PRRR */
	MCR(0, 10, 2, 1, 0x40e040e0u); /* and NMRR */
	/* TRE: TEX[0]:C:B index the remap registers; AP[0] still counts. */
	for (u32 idx = 0; idx < 8; idx++)
		map_section(L1_A, VA_SEC + (idx << 20), TEST_PA,
			    S_AP(3) | ((idx >> 2) & 1) << 12 | ((idx >> 1) & 1) << 3 |
			    (idx & 1) << 2);
	mmu_on(L1_A, 1);
	MCR(0, 1, 0, 0, MRC(0, 1, 0, 0) | (1u << 28));
	isb();
	tlb_flush();
	for (u32 idx = 0; idx < 8; idx++) {
		if (idx == 2 || idx == 3)
			continue; /* device/strongly-ordered: not RAM types */
		check(nm("remap index ", idx, " read"), rd32(VA_SEC + (idx << 20)));
	}
	wr32(VA_SEC + (7u << 20) + 4, 0x7e3e3a04);
	check("write through index 7", rd32(VA_SEC + 4));
	MCR(0, 1, 0, 0, MRC(0, 1, 0, 0) & ~(1u << 28));
	mmu_off();
}

static u32 ats(unsigned op, u32 va)
{
	switch (op) {
	case 0: MCR(0, 7, 8, 0, va); break; /* ATS1CPR */
	case 1: MCR(0, 7, 8, 1, va); break; /* ATS1CPW */
	case 2: MCR(0, 7, 8, 2, va); break; /* ATS1CUR */
	default: MCR(0, 7, 8, 3, va); break; /* ATS1CUW */
	}
	isb();
	return MRC(0, 7, 4, 0);
}

SCENARIO(mmu_ats_par, CV(C_CP15))
{
	static const char *const opn[] = { " PR", " PW", " UR", " UW" };
	static const u32 apv[] = { 1, 2, 3, 7 };
	u32 l2;

	base_on();
	for (unsigned i = 0; i < 4; i++)
		map_section(L1_A, VA_AP + (i << 20), TEST_PA + (i << 20),
			    MEM_NORMAL | S_AP(apv[i]));
	l2 = l2_new();
	map_l2(L1_A, VA_L2, l2, 0);
	map_small(l2, VA_L2 + 0x3000, TEST_PA + 0x7000, P_AP(2) | 0xcu);
	mmu_on(L1_A, 1);
	for (unsigned i = 0; i < 4; i++)
		for (unsigned op = 0; op < 4; op++) {
			u32 par = ats(op, VA_AP + (i << 20) + 0x1234);

			/* PA and F, or FS and F: attribute bits may differ. */
			check(nm("section ap=", apv[i], opn[op]),
			      par & 1 ? par & 0x7f : par & 0xfffff001u);
		}
	for (unsigned op = 0; op < 4; op++) {
		u32 par = ats(op, VA_L2 + 0x3abc);

		check(nm("page ap=", 2, opn[op]),
		      par & 1 ? par & 0x7f : par & 0xfffff001u);
	}
	check("hole PR", ats(0, VA_HOLE) & 0x7f);
	mmu_off();
}

static u32 ldm_at(u32 a)
{
	u32 r;

	__asm__ volatile("ldr r0, =0xdeaddead\n\tmov r1, #0\n\t"
			 "mov r2, %1\n\tldm r2, {r0, r1}\n\tadd %0, r0, r1"
			 : "=r"(r) : "r"(a) : "r0", "r1", "r2", "memory");
	return r;
}

SCENARIO(mmu_alignment, CV(C_CP15) | CV(C_DABT))
{
	wr32(TEST_PA, 0x33221100);
	wr32(TEST_PA + 4, 0x77665544);
	check("unaligned ldr, A=0", probe_ld(TEST_PA + 1));
	x_reset();
	ldm_at(TEST_PA + 2);
	check("unaligned ldm, A=0 faults", x_count);
	check("unaligned ldm fsr", last_x.fsr);
	check("unaligned ldm far", last_x.far - TEST_PA);
	MCR(0, 1, 0, 0, MRC(0, 1, 0, 0) | 2u);
	isb();
	probe_report("unaligned ldr, A=1", TEST_PA + 1, false, false);
	probe_report("unaligned str, A=1", TEST_PA + 2, false, true);
	check("aligned ldr, A=1", probe_ld(TEST_PA + 4));
	MCR(0, 1, 0, 0, MRC(0, 1, 0, 0) & ~2u);
	isb();
}

SCENARIO(tlb_maintenance, CV(C_CP15))
{
	u32 l2;

	base_on();
	wr32(TEST_PA + 0x1000, 0x71b00001);
	wr32(TEST_PA + 0x2000, 0x71b00002);
	wr32(TEST_PA + 0x3000, 0x71b00003);
	wr32(TEST_PA + 0x4000, 0x71b00004);
	l2 = l2_new();
	map_l2(L1_A, VA_L2, l2, 0);
	map_small(l2, VA_L2, TEST_PA + 0x1000, P_AP(3) | 0xcu);
	mmu_on(L1_A, 5);
	check("before", rd32(VA_L2));
	/*
	 * Non-global from here to the TLBIASID: it removes only non-global
	 * entries of its ASID. A global entry may stay cached after it (a
	 * Cortex-A9's TLB and pvcore's shadow keep it; QEMU drops every
	 * entry), so reading one would not be a defined result.
	 */
	map_small(l2, VA_L2, TEST_PA + 0x2000, P_AP(3) | 0xcu | P_NG);
	dsb();
	MCR(0, 8, 7, 1, VA_L2 | 5); /* TLBIMVA */
	dsb(); isb();
	check("after TLBIMVA", rd32(VA_L2));
	map_small(l2, VA_L2, TEST_PA + 0x3000, P_AP(3) | 0xcu | P_NG);
	dsb();
	MCR(0, 8, 7, 2, 5);         /* TLBIASID */
	dsb(); isb();
	check("after TLBIASID", rd32(VA_L2));
	map_small(l2, VA_L2, TEST_PA + 0x4000, P_AP(3) | 0xcu);
	dsb();
	MCR(0, 8, 7, 3, VA_L2);     /* TLBIMVAA */
	dsb(); isb();
	check("after TLBIMVAA", rd32(VA_L2));
	map_small(l2, VA_L2, 0, 0);
	dsb();
	MCR(0, 8, 3, 0, 0);         /* TLBIALLIS */
	dsb(); isb();
	probe_report("after unmap + TLBIALLIS", VA_L2, false, false);
	map_small(l2, VA_L2, TEST_PA + 0x1000, P_AP(3) | 0xcu);
	dsb();
	MCR(0, 8, 7, 0, 0);         /* TLBIALL */
	dsb(); isb();
	check("after TLBIALL", rd32(VA_L2));
	mmu_off();
}

SCENARIO(asid_switch, CV(C_CP15))
{
	mmu_base(L1_A);
	mmu_base(L1_B);
	wr32(TEST_PA + 0x50, 0xa51d0001);
	wr32(TEST_PA + 0x100050, 0xa51d0002);
	wr32(TEST_PA + 0x200050, 0x610ba100);
	map_section(L1_A, VA_ASID, TEST_PA, MEM_NORMAL | S_AP(3) | S_NG);
	map_section(L1_B, VA_ASID, TEST_PA + 0x100000, MEM_NORMAL | S_AP(3) | S_NG);
	map_section(L1_A, VA_ASID + 0x100000, TEST_PA + 0x200000, MEM_NORMAL | S_AP(3));
	map_section(L1_B, VA_ASID + 0x100000, TEST_PA + 0x200000, MEM_NORMAL | S_AP(3));
	mmu_on(L1_A, 1);
	check("asid 1 first", rd32(VA_ASID + 0x50));
	for (unsigned round = 0; round < 3; round++) {
		/* ASID change, then table (nG entries of both stay cached). */
		MCR(0, 13, 0, 1, 2);
		isb();
		MCR(0, 2, 0, 0, L1_B | 0x4au);
		isb();
		check(nm("round ", round, " asid 2 nG"), rd32(VA_ASID + 0x50));
		check(nm("round ", round, " asid 2 global"), rd32(VA_ASID + 0x100050));
		MCR(0, 13, 0, 1, 1);
		isb();
		MCR(0, 2, 0, 0, L1_A | 0x4au);
		isb();
		check(nm("round ", round, " asid 1 nG"), rd32(VA_ASID + 0x50));
	}
	check("CONTEXTIDR", MRC(0, 13, 0, 1));
	mmu_off();
}

SCENARIO(ttbcr_split, CV(C_CP15) | CV(C_DABT))
{
	mmu_base(L1_A);
	mem_zero((void *)L1_B, 0x4000);
	wr32(TEST_PA + 0x80, 0x77b70000);
	wr32(TEST_PA + 0x100080, 0x77b71001);
	/* Both tables map VA_SEC, differently: N=2 selects TTBR1's. */
	map_section(L1_A, VA_SEC, TEST_PA, MEM_NORMAL | S_AP(3));
	map_section(L1_B, VA_SEC, TEST_PA + 0x100000, MEM_NORMAL | S_AP(3));
	mmu_on(L1_A, 1);
	check("N=0 reads TTBR0 table", rd32(VA_SEC + 0x80));
	MCR(0, 2, 0, 1, L1_B | 0x4au);
	MCR(0, 2, 0, 2, 2);
	tlb_flush();
	check("N=2 reads TTBR1 table", rd32(VA_SEC + 0x80));
	check("N=2 low half still TTBR0", rd32(TEST_PA + 0x100080));
	/* PD1: walks through TTBR1 disabled -> translation fault. */
	MCR(0, 2, 0, 2, 2 | (1u << 5));
	tlb_flush();
	probe_report("PD1 set", VA_SEC + 0x80, false, false);
	MCR(0, 2, 0, 2, 0);
	tlb_flush();
	mmu_off();
}

/*
 * Invalid to valid without TLB maintenance: a translation fault is never
 * cached, so the new entry must be seen at once (Linux relies on this; a
 * shadow that cached the miss would fault again).
 */
SCENARIO(mmu_invalid_to_valid, CV(C_CP15) | CV(C_DABT))
{
	u32 l2;

	base_on();
	wr32(TEST_PA + 0x90000, 0x1e7a11d0);
	l2 = l2_new();
	map_l2(L1_A, VA_L2, l2, 0);
	mmu_on(L1_A, 3);
	probe_report("section before", VA_SEC + 0x90000, false, false);
	probe_report("page before", VA_L2 + 0x9000, false, false);
	map_section(L1_A, VA_SEC, TEST_PA, MEM_NORMAL | S_AP(3));
	map_small(l2, VA_L2 + 0x9000, TEST_PA + 0x90000, P_AP(3) | 0xcu);
	dsb();
	isb();
	probe_report("section after", VA_SEC + 0x90000, false, false);
	probe_report("page after", VA_L2 + 0x9000, false, false);
	probe_report("user page after", VA_L2 + 0x9000, true, false);
	mmu_off();
}

/*
 * Linux's flush_tlb_range loop (libpvcore/cmo_loop.c runs it in one trap,
 * at most 256 pages a trap): pages remapped inside the range read their
 * new targets afterwards; the loop's register and flags are as natively.
 * Pages outside the range are not remapped (whether they stay cached is
 * the TLB's choice).
 */
#define VA_TLBR 0x49000000u
#define TLBR_PAGES 40u

static u32 tlb_range_loop(u32 a, u32 end, u32 *flags)
{
	u32 f;

	__asm__ volatile("dsb\n\t"
			 "1: mcr p15, 0, %0, c8, c3, 1\n\t" /* TLBIMVAIS */
			 "add %0, %0, #4096\n\t"
			 "cmp %0, %2\n\t"
			 "blo 1b\n\t"
			 "dsb\n\t"
			 "isb\n\t"
			 NZCV("%1")
			 : "+r"(a), "=&r"(f)
			 : "r"(end)
			 : "cc", "memory");
	*flags = f;
	return a;
}

static u32 tlb_range_loop_all(u32 a, u32 end)
{
	u32 step = 4096;

	__asm__ volatile("dsb\n\t"
			 "1: mcr p15, 0, %0, c8, c7, 3\n\t" /* TLBIMVAA */
			 "add %0, %0, %1\n\t"
			 "cmp %0, %2\n\t"
			 "bcc 1b\n\t"
			 "dsb\n\t"
			 "isb"
			 : "+r"(a)
			 : "r"(step), "r"(end)
			 : "cc", "memory");
	return a;
}

static u32 tlbr_sum(void)
{
	u32 sum = 0;

	for (u32 i = 0; i < TLBR_PAGES; i++)
		sum = sum * 31 + rd32(VA_TLBR + (i << 12) + 4 * i);
	return sum;
}

static void tlbr_map(u32 l2, u32 i, u32 set)
{
	map_small(l2, VA_TLBR + (i << 12), TEST_PA + 0x100000u * set + (i << 12),
		  P_AP(3) | P_NG | 0xcu);
}

SCENARIO(tlb_range_loops, CV(C_CP15))
{
	u32 l2, f = 0;

	base_on();
	for (u32 set = 1; set <= 3; set++)
		for (u32 i = 0; i < TLBR_PAGES; i++)
			wr32(TEST_PA + 0x100000u * set + (i << 12) + 4 * i,
			     0x7100000u * set + i);
	l2 = l2_new();
	map_l2(L1_A, VA_TLBR, l2, 0);
	for (u32 i = 0; i < TLBR_PAGES; i++)
		tlbr_map(l2, i, 1);
	mmu_on(L1_A, 7);
	check("set 1", tlbr_sum());
	/* Pages 3..32 to set 2, then the loop over exactly those (ASID 7);
	 * page 32 starts a 64 KiB group, which the VMM invalidates whole. */
	for (u32 i = 3; i < 33; i++)
		tlbr_map(l2, i, 2);
	check("loop end",
	      tlb_range_loop(VA_TLBR + (3 << 12) + 7, VA_TLBR + (33 << 12), &f));
	check("loop flags", f);
	for (u32 i = 3; i < 33; i++)
		check(nm("page #", i, " after the loop"),
		      rd32(VA_TLBR + (i << 12) + 4 * i));
	/* All 40 to set 3; a 700-page loop around them: several traps. */
	for (u32 i = 0; i < TLBR_PAGES; i++)
		tlbr_map(l2, i, 3);
	check("long loop end",
	      tlb_range_loop_all(VA_TLBR - 0x180000u, VA_TLBR - 0x180000u + (700u << 12)));
	check("set 3", tlbr_sum());
	mmu_off();
}
