// SPDX-License-Identifier: MIT
/*
 * Exhausting the shadow pool (16 MiB: 128 cached address spaces and their
 * L2 tables, host ASIDs 1-255): thousands of guest address spaces, ASIDs
 * reused with and without their TLB maintenance, and spaces whose page
 * tables need more L2 shadows than the pool holds. The pool evicts and
 * reclaims; every space must still see exactly its own mappings, and
 * the guest's own tables are never written by the VMM.
 */
#include "hostile.h"

#define NSPACES   4096u
#define T0_BASE   0x11000000u /* 1 KiB TTBR0 tables (TTBCR.N = 4) */
#define L2S_BASE  0x11400000u /* one L2 table per space */
#define DATA_BASE 0x12000000u /* one 4 KiB page per space */
#define SHARED    0x13000000u /* one section, the same in every space */
#define VA_OWN    0x00100000u /* each space's own page */
#define VA_SHARED 0x00200000u
#define MAGIC     0x5ace0000u

/* TTBR1: identity sections for all guest RAM and the devices (global). */
static void ttbr1_table(void)
{
	mem_zero((void *)L1_B, 0x4000u);
	for (u32 mb = 0; mb < 128; mb++)
		map_section(L1_B, RAM_BASE + (mb << 20), RAM_BASE + (mb << 20),
			    MEM_NORMAL | S_AP(3));
	map_section(L1_B, 0x1c000000u, 0x1c000000u, MEM_DEVICE | S_AP(1) | S_XN);
}

static void build_spaces(void)
{
	for (u32 i = 0; i < NSPACES; i++) {
		u32 t0 = T0_BASE + i * 0x400u, l2 = L2S_BASE + i * 0x400u;

		mem_zero((void *)t0, 0x400u);
		mem_zero((void *)l2, 0x400u);
		map_l2(t0, VA_OWN, l2, 0);
		map_small(l2, VA_OWN, DATA_BASE + i * 0x1000u,
			  P_AP(3) | P_NG | 0xcu);
		map_section(t0, VA_SHARED, SHARED, MEM_NORMAL | S_AP(3) | S_NG);
		wr32(DATA_BASE + i * 0x1000u, MAGIC ^ i);
		wr32(DATA_BASE + i * 0x1000u + 4, 0);
	}
	for (u32 k = 0; k < 256; k++)
		wr32(SHARED + 4 * k, 0x54a0000u + k);
}

/* Linux's switch: reserved ASID 0, TTBR0, then the new ASID. */
static void switch_to(u32 i, u32 asid, bool flush)
{
	MCR(0, 13, 0, 1, 0);
	isb();
	MCR(0, 2, 0, 0, (T0_BASE + i * 0x400u) | 0x4au);
	isb();
	if (flush) {
		MCR(0, 8, 7, 2, asid); /* TLBIASID */
		dsb();
		isb();
	}
	MCR(0, 13, 0, 1, asid);
	isb();
}

static unsigned bad_own, bad_written, bad_shared;

static void visit(u32 i, u32 pass)
{
	if (rd32(VA_OWN) != (MAGIC ^ i)) {
		if (bad_own++ < 4) {
			out_puts("FAIL: space ");
			out_dec(i);
			out_puts(" reads ");
			out_hex(rd32(VA_OWN));
			out_puts("\n");
		}
	}
	if (rd32(VA_OWN + 4) != (pass ? (0x0ddba11u ^ i) : 0))
		bad_written++;
	wr32(VA_OWN + 4, 0x0ddba11u ^ i);
	if (rd32(VA_SHARED + 4 * (i & 0xff)) != 0x54a0000u + (i & 0xff))
		bad_shared++;
}

SCENARIO(pool_address_spaces, 0)
{
	u32 sum0, sum1;

	ttbr1_table();
	build_spaces();
	sum0 = sum_words(T0_BASE, (0x800000u) / 4);
	MCR(0, 2, 0, 2, 4);                 /* TTBCR.N = 4 */
	MCR(0, 2, 0, 1, L1_B | 0x4au);      /* TTBR1 */
	MCR(0, 3, 0, 0, 0x55555555u);
	switch_to(0, 1, true);
	MCR(0, 8, 7, 0, 0);
	dsb();
	MCR(0, 1, 0, 0, MRC(0, 1, 0, 0) | 1u);
	isb();
	bad_own = bad_written = bad_shared = 0;
	/* Two passes over 4096 spaces; ASIDs 1-254 reused with TLBIASID. */
	for (u32 pass = 0; pass < 2; pass++) {
		for (u32 i = 0; i < NSPACES; i++) {
			switch_to(i, 1 + i % 254, true);
			visit(i, pass);
		}
	}
	expect("spaces that saw another's page", bad_own, 0);
	expect("spaces that lost their own write", bad_written, 0);
	expect("spaces with a wrong shared section", bad_shared, 0);

	/* A hot set of 8 spaces with ASIDs of their own, 4000 switches. */
	MCR(0, 8, 7, 0, 0);
	dsb();
	isb();
	bad_own = bad_written = bad_shared = 0;
	for (u32 n = 0; n < 4000; n++) {
		u32 i = (n * 5) % 8;

		switch_to(i, 200 + i, false);
		visit(i, 1);
	}
	expect("hot set: wrong pages", bad_own + bad_written + bad_shared, 0);

	/* Back to one flat regime: the guest's tables are as it wrote them. */
	mmu_off();
	MCR(0, 2, 0, 2, 0);
	for (u32 i = 0; i < NSPACES; i++)
		wr32(DATA_BASE + i * 0x1000u + 4, 0);
	sum1 = sum_words(T0_BASE, (0x800000u) / 4);
	expect("guest page tables unchanged by the VMM", sum1, sum0);
}

/*
 * 64 address spaces, each with 256 L2 tables (VA 0x40000000-0x4FFFFFFF,
 * one page per MiB): more L2 shadows than the pool has. Space s sees the
 * MiB m through the guest's L2 table (m + s) % 256.
 */
#define L1S_BASE  0x11000000u /* 64 x 16 KiB */
#define GL2_BASE  0x11400000u /* 256 x 1 KiB, shared */
#define PAGES     0x12000000u /* 256 pages */
#define CHURN_VA  0x40000000u
#define NCHURN    64u

static unsigned churn_bad;

static void churn_visit(u32 s)
{
	MCR(0, 13, 0, 1, 0);
	isb();
	MCR(0, 2, 0, 0, (L1S_BASE + s * 0x4000u) | 0x4au);
	isb();
	MCR(0, 13, 0, 1, 1 + s);
	isb();
	for (u32 m = 0; m < 256; m++) {
		u32 want = 0xc4c40000u | ((m + s) % 256);

		if (rd32(CHURN_VA + (m << 20) + 0x10) != want && churn_bad++ < 4) {
			out_puts("FAIL: space ");
			out_dec(s);
			out_puts(" MiB ");
			out_dec(m);
			out_puts(" reads ");
			out_hex(rd32(CHURN_VA + (m << 20) + 0x10));
			out_puts("\n");
		}
	}
}

SCENARIO(pool_l2_exhaustion, 0)
{
	u32 sum0;

	for (u32 t = 0; t < 256; t++) {
		u32 l2 = GL2_BASE + t * 0x400u;

		mem_zero((void *)l2, 0x400u);
		wr32(PAGES + t * 0x1000u + 0x10, 0xc4c40000u | t);
	}
	for (u32 s = 0; s < NCHURN; s++) {
		u32 l1 = L1S_BASE + s * 0x4000u;

		mmu_base(l1);
		for (u32 mb = 16; mb < 128; mb++)
			map_section(l1, RAM_BASE + (mb << 20), RAM_BASE + (mb << 20),
				    MEM_NORMAL | S_AP(3));
		for (u32 m = 0; m < 256; m++)
			map_l2(l1, CHURN_VA + (m << 20),
			       GL2_BASE + ((m + s) % 256) * 0x400u, 0);
	}
	/* Guest L2 table t maps the first page of whatever MiB uses it to
	 * page t. */
	for (u32 t = 0; t < 256; t++)
		map_small(GL2_BASE + t * 0x400u, 0, PAGES + t * 0x1000u,
			  P_AP(3) | P_NG | 0xcu);
	sum0 = sum_words(L1S_BASE, 0x440000u / 4);
	mmu_on(L1S_BASE, 1);
	churn_bad = 0;
	for (u32 s = 0; s < NCHURN; s++)
		churn_visit(s);
	for (u32 s = NCHURN; s-- > 0;)
		churn_visit(s);
	expect("L2 churn: wrong pages", churn_bad, 0);

	/* Remap through TLBIMVA: space 0, MiB m now shows page (m + 1). */
	churn_visit(0);
	for (u32 m = 0; m < 256; m += 8) {
		u32 va = CHURN_VA + (m << 20);

		/* Point L1 entry m of space 0 at the next L2 table. */
		map_l2(L1S_BASE, va, GL2_BASE + ((m + 1) % 256) * 0x400u, 0);
		dsb();
		MCR(0, 8, 7, 1, va | 1); /* TLBIMVA, ASID 1 */
		dsb();
		isb();
		expect_ok(nm("after TLBIMVA, MiB ", m, ""),
			  rd32(va + 0x10) == (0xc4c40000u | ((m + 1) % 256)),
			  rd32(va + 0x10));
	}
	/* And back, with a flood of whole-TLB invalidations in between. */
	for (u32 m = 0; m < 256; m += 8)
		map_l2(L1S_BASE, CHURN_VA + (m << 20), GL2_BASE + m * 0x400u, 0);
	dsb();
	for (u32 n = 0; n < 2000; n++)
		MCR(0, 8, 7, 0, 0);
	dsb();
	isb();
	churn_bad = 0;
	churn_visit(0);
	expect("after TLBIALL: space 0 as built", churn_bad, 0);
	mmu_off();
	expect("guest page tables unchanged by the VMM",
	       sum_words(L1S_BASE, 0x440000u / 4), sum0);
}
