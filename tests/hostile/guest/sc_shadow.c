// SPDX-License-Identifier: MIT
/*
 * The shadow tables are invisible to the guest. It can neither see nor
 * reach them:
 *
 * - its CP15 translation registers read back what it wrote, never a
 *   shadow root; address translation (ATS1C*) answers guest-physical
 *   addresses with the guest's own permissions;
 * - page tables it places at host addresses (the shadow pool, the guest
 *   RAM backing) are nothing to it: the walk takes a synchronous external
 *   abort (FS 0b01100 first level, 0b01110 second level);
 * - its RAM holds nothing of the VMM's: a pattern written over every free
 *   byte of guest RAM reads back intact while the VMM fills and switches
 *   shadows underneath, and its page tables are never written;
 * - the window's host domain (15) is the guest's domain 15 too: the
 *   guest's DACR games with it (no access, manager, all manager, all no
 *   access) act on its own mappings only, never open the window.
 */
#include "hostile.h"

static u32 ats(unsigned op2, u32 va)
{
	/* ATS1CPR/CPW/CUR/CUW: c7, c8, op2 = 0..3; then PAR. */
	switch (op2) {
	case 0: MCR(0, 7, 8, 0, va); break;
	case 1: MCR(0, 7, 8, 1, va); break;
	case 2: MCR(0, 7, 8, 2, va); break;
	default: MCR(0, 7, 8, 3, va); break;
	}
	isb();
	return MRC(0, 7, 4, 0);
}

SCENARIO(shadow_invisible, 0)
{
	u32 l2;

	mmu_base(L1_A);
	map_section(L1_A, TEST_VA, TEST_PA, MEM_NORMAL | S_AP(3));
	l2 = l2_new();
	map_l2(L1_A, TEST_VA + 0x100000u, l2, 0);
	map_small(l2, TEST_VA + 0x100000u, TEST_PA + 0x5000u, P_AP(1) | 0xcu);
	mmu_on(L1_A, 0x37);
	MCR(0, 2, 0, 1, L1_B | 0x19u);
	MCR(0, 3, 0, 0, 0x55555557u);
	isb();
	expect("TTBR0 reads back the guest's table", MRC(0, 2, 0, 0),
	       L1_A | 0x4au);
	expect("TTBR1 reads back", MRC(0, 2, 0, 1), L1_B | 0x19u);
	expect("TTBCR reads back", MRC(0, 2, 0, 2), 0);
	expect("DACR reads back", MRC(0, 3, 0, 0), 0x55555557u);
	expect("CONTEXTIDR reads back", MRC(0, 13, 0, 1), 0x37);
	MCR(0, 3, 0, 0, 0x55555555u);
	isb();
	/* Touch both mappings (shadow fills), then translate them. */
	rd32(TEST_VA + 0x123);
	rd32(TEST_VA + 0x100000u);
	expect("ATS1CPR section: guest PA",
	       ats(0, TEST_VA + 0x12345u) & 0xfffff001u, TEST_PA + 0x12000u);
	expect("ATS1CUW section: guest PA",
	       ats(3, TEST_VA + 0x12345u) & 0xfffff001u, TEST_PA + 0x12000u);
	expect("ATS1CPR page: guest PA",
	       ats(0, TEST_VA + 0x100abcu) & 0xfffff001u, TEST_PA + 0x5000u);
	expect("ATS1CUR kernel-only page: fault, permission",
	       ats(2, TEST_VA + 0x100abcu) & 0x7fu, (FS_PERM_PG << 1) | 1u);
	expect("ATS1CPR of the window: fault, translation",
	       ats(0, WIN_BASE) & 0x7fu, (FS_TRANS_SEC << 1) | 1u);
	mmu_off();
}

/* Page tables at host addresses: the walk hits nothing. */
SCENARIO(shadow_tables_at_host_addresses, 0)
{
	static const u32 at[] = { H_POOL, H_POOL + 0x4000u, H_GUEST,
				  H_POOL_END - 0x4000u };
	u32 t0 = L1_B;

	/* TTBR1 (N = 4) maps guest RAM for the code; TTBR0 covers VA below
	 * 256 MiB and is what the attack moves around. */
	mmu_base(L1_A);
	for (u32 mb = 16; mb < 128; mb++)
		map_section(L1_A, RAM_BASE + (mb << 20), RAM_BASE + (mb << 20),
			    MEM_NORMAL | S_AP(3));
	MCR(0, 2, 0, 1, L1_A | 0x4au);
	mmu_on(L1_A, 1);
	MCR(0, 2, 0, 2, 4);
	MCR(0, 8, 7, 0, 0);
	isb();
	for (unsigned i = 0; i < 4; i++) {
		MCR(0, 2, 0, 0, at[i] | 0x4au);
		MCR(0, 8, 7, 0, 0);
		dsb();
		isb();
		out_puts("# TTBR0 at host PA ");
		out_hex(at[i]);
		out_puts("\n");
		expect_abort("first-level walk", 0x00100000u, K_LD, FS_WALK_L1);
		expect_abort("first-level walk", 0x00100000u, K_ST, FS_WALK_L1);
		expect_abort("first-level walk", 0x00300000u, U_LD, FS_WALK_L1);
	}
	/* An L1 in guest RAM whose page-table entry points at the pool. */
	mem_zero((void *)t0, 0x400u);
	for (unsigned i = 0; i < 4; i++) {
		map_l2(t0, 0x00100000u + (i << 20), at[i], 0);
	}
	MCR(0, 2, 0, 0, t0 | 0x4au);
	MCR(0, 8, 7, 0, 0);
	dsb();
	isb();
	for (unsigned i = 0; i < 4; i++) {
		expect_abort(nm("second-level walk #", i, ""),
			     0x00100000u + (i << 20), K_LD, FS_WALK_L2);
		expect_abort(nm("second-level walk #", i, ""),
			     0x00100000u + (i << 20), U_ST, FS_WALK_L2);
	}
	mmu_off();
	MCR(0, 2, 0, 2, 0);
}

#define SCRIB_START 0x10400000u
#define SCRIB_END   RAM_END

static u32 scribble(u32 va, u32 seed, bool check)
{
	u32 bad = 0;

	for (u32 a = va; a < va + (SCRIB_END - SCRIB_START); a += 64) {
		u32 w = ((a - va) * 0x9e3779b9u) ^ seed;

		if (!check) {
			__asm__ volatile("mov r4, %1\n\tmov r5, %1\n\t"
					 "mov r6, %1\n\tmov r7, %1\n\t"
					 "stm %0, {r4-r7}\n\t"
					 "add r8, %0, #48\n\tstm r8, {r4-r7}"
					 :: "r"(a), "r"(w)
					 : "r4", "r5", "r6", "r7", "r8", "memory");
		} else if (rd32(a) != w || rd32(a + 60) != w) {
			bad++;
		}
	}
	return bad;
}

SCENARIO(shadow_ram_scribble, 0)
{
	const u32 alias = 0x80000000u; /* RAM again, 128 MiB up */

	/* Identity and an alias of all of guest RAM. */
	mmu_base(L1_A);
	for (u32 mb = 0; mb < 128; mb++) {
		map_section(L1_A, RAM_BASE + (mb << 20), RAM_BASE + (mb << 20),
			    MEM_NORMAL | S_AP(3));
		map_section(L1_A, alias + (mb << 20), RAM_BASE + (mb << 20),
			    MEM_NORMAL | S_AP(3));
	}
	mmu_on(L1_A, 1);
	scribble(alias + (SCRIB_START - RAM_BASE), 0x600d5eedu, false);
	/* Make the VMM work: other address spaces, fills, TLB flushes. */
	for (u32 n = 0; n < 300; n++) {
		MCR(0, 13, 0, 1, 1 + n % 200);
		isb();
		rd32(RAM_BASE + ((n * 0x13579u) & 0x7fffffcu));
		if (!(n % 50))
			MCR(0, 8, 7, 0, 0);
	}
	MCR(0, 13, 0, 1, 1);
	isb();
	expect("words not as written (identity)",
	       scribble(SCRIB_START, 0x600d5eedu, true), 0);
	mmu_off();
	expect("words not as written (MMU off)",
	       scribble(SCRIB_START, 0x600d5eedu, true), 0);
}

static void dacr(u32 v)
{
	MCR(0, 3, 0, 0, v);
	isb();
}

SCENARIO(dacr_window_domain, 0)
{
	static const enum how all_how[] = { K_LD, K_ST, U_LD, U_ST, K_EX, U_EX };
	const u32 d15 = TEST_VA, d15_ro = TEST_VA + 0x100000u;

	mmu_base(L1_A);
	/* The guest's own mappings in domain 15, the VMM's host domain. */
	map_section(L1_A, d15, TEST_PA, MEM_NORMAL | S_AP(3) | S_DOM(15));
	map_section(L1_A, d15_ro, TEST_PA, MEM_NORMAL | S_AP(0) | S_DOM(15));
	wr32(TEST_PA, 0xd15d15u);
	mmu_on(L1_A, 1);

	expect("domain 15 client: user read",
	       expect_no_fault("d15 AP=3", d15, U_LD), 0xd15d15u);
	expect_abort("d15 AP=0, client", d15_ro, K_LD, FS_PERM_SEC);
	dacr(0x15555555u); /* domain 15 no access */
	expect_abort("d15, no access", d15, K_LD, FS_DOM_SEC);
	expect_abort("d15, no access", d15, U_ST, FS_DOM_SEC);
	dacr(0xd5555555u); /* domain 15 manager */
	expect("d15 AP=0, manager: kernel read",
	       expect_no_fault("d15 AP=0, manager", d15_ro, K_LD), 0xd15d15u);
	expect("d15 AP=0, manager: user read",
	       expect_no_fault("d15 AP=0, manager", d15_ro, U_LD), 0xd15d15u);
	dacr(0x55555555u);
	expect_abort("d15 AP=0, client again", d15_ro, U_LD, FS_PERM_SEC);

	/* Whatever the DACR says, the window stays the guest's unmapped
	 * range. */
	dacr(0xffffffffu);
	for (unsigned h = 0; h < 6; h++)
		expect_abort("window, all manager", WIN_BASE + 0x100u,
			     all_how[h], FS_TRANS_SEC);
	dacr(0x00000001u); /* all no access but the guest's own domain 0 */
	for (unsigned h = 0; h < 6; h++)
		expect_abort("window, no access but domain 0", WIN_BASE + 0x100u,
			     all_how[h], FS_TRANS_SEC);
	expect_abort("d15 under that DACR", d15, K_LD, FS_DOM_SEC);
	dacr(0x55555555u);
	mmu_off();
}
