// SPDX-License-Identifier: MIT
/*
 * The VMM window, 0xFFF00000-0xFFFDFFFF: pvbm's vectors, trampoline and
 * save area live there in every address space, PL1-only, so the guest
 * (at host PL0) can never reach them. What the guest sees instead:
 *
 * - a guest kernel that maps any part of the window and touches it stops
 *   the VM cleanly: PV_STOP_FATAL with PV_EWINDOW (docs/threat-model.md);
 *   these scenarios end in that stop, which test_hostile.py checks;
 * - where the guest maps nothing there, its accesses take its own
 *   translation fault (section 0b00101, or page 0b00111 when it has a
 *   page table for that MiB), from kernel and user mode alike, for loads,
 *   stores and instruction fetches;
 * - with the MMU off the range is guest-physical, where nothing exists:
 *   a synchronous external abort;
 * - the rest of the window's MiB (0xFFFE0000-0xFFFFFFFF: Linux's vector
 *   page and kuser helpers) is the guest's, with its own permissions and
 *   domains.
 */
#include "hostile.h"

static const enum how all_how[] = { K_LD, K_ST, U_LD, U_ST, K_EX, U_EX };
static const u32 win_addrs[] = { WIN_BASE, WIN_BASE + 0x4u, WIN_BASE + 0x200u,
				 WIN_BASE + 0x80000u, WIN_LAST,
				 WIN_LAST + 0xffcu };
#define N_WIN (sizeof(win_addrs) / sizeof(win_addrs[0]))

SCENARIO(window_map_section_stop, 0)
{
	mmu_base(L1_A);
	map_section(L1_A, WIN_BASE, TEST_PA, MEM_NORMAL | S_AP(1));
	mmu_on(L1_A, 1);
	expect_stop("kernel maps a section over the VMM window (PV_EWINDOW)");
	probe_ld(WIN_BASE + 0x100u);
	stop_missed();
}

SCENARIO(window_map_page_stop, 0)
{
	u32 l2 = l2_new();

	mmu_base(L1_A);
	map_l2(L1_A, WIN_BASE, l2, 0);
	map_small(l2, 0xffff0000u, TEST_PA, P_AP(1) | 0xcu);
	map_small(l2, WIN_LAST, TEST_PA + 0x1000u, P_AP(1) | 0xcu);
	mmu_on(L1_A, 1);
	/* The vector page next to it is the guest's: fine. */
	wr32(0xffff0000u, 0x7ec7002u);
	expect_stop("kernel maps the window's last page (PV_EWINDOW)");
	probe_st(WIN_LAST + 0x10u, 1);
	stop_missed();
}

SCENARIO(window_map_super_exec_stop, 0)
{
	mmu_base(L1_A);
	/* 0xFF000000-0xFFFFFFFF, 16 MiB of guest RAM from SUPER_PA. */
	map_super(L1_A, 0xff000000u, SUPER_PA, MEM_NORMAL | S_AP(1));
	mmu_on(L1_A, 1);
	expect_stop("kernel executes through a supersection over the window "
		    "(PV_EWINDOW)");
	probe_exec(WIN_BASE + 0x40000u);
	stop_missed();
}

SCENARIO(window_map_user_stop, 0)
{
	mmu_base(L1_A);
	map_section(L1_A, WIN_BASE, TEST_PA, MEM_NORMAL | S_AP(3));
	mmu_on(L1_A, 1);
	expect_stop("user touches the window through its kernel's mapping "
		    "(PV_EWINDOW)");
	run_user(user_probe_ld, WIN_BASE);
	stop_missed();
}

/*
 * The same refusal when the VMM itself makes the access on the guest's
 * behalf: a patched LDRT (emulated by pvcore) through the kernel's
 * mapping of the window. docs/threat-model.md: "guest mappings that
 * touch the window are refused (PV_EWINDOW)".
 */
SCENARIO(window_map_emulated_stop, 0)
{
	extern const char zoo_ldrt[];

	mmu_base(L1_A);
	map_section(L1_A, WIN_BASE, TEST_PA, MEM_NORMAL | S_AP(3));
	wr32(TEST_PA + 0x200u, 0x5ec7e7u);
	mmu_on(L1_A, 1);
	expect_stop("emulated LDRT through the kernel's mapping of the window "
		    "(PV_EWINDOW)");
	x_reset();
	out_puts("  LDRT through the window mapping returned ");
	out_hex(((u32 (*)(u32))zoo_ldrt)(WIN_BASE + 0x200u));
	out_puts(" with ");
	out_dec(x_count);
	out_puts(" exceptions\n");
	stop_missed();
}

/* The guest's exception vectors at the VMM's (VBAR = 0xFFF00000), where
 * the guest maps nothing: its first exception faults at its vector, and
 * so does that fault, forever. pvbm's watchdog ends the kernel fault
 * loop (status 3): the VMM never runs its own vector code for the guest. */
SCENARIO(window_vbar_loop_stop, 0)
{
	mmu_base(L1_A);
	mmu_on(L1_A, 1);
	expect_stop("guest VBAR at the VMM's vectors: kernel fault loop "
		    "(watchdog)");
	MCR(0, 12, 0, 0, WIN_BASE);
	isb();
	__asm__ volatile("udf #0x77" ::: "memory");
	stop_missed();
}

SCENARIO(window_unmapped_mmu_on, 0)
{
	mmu_base(L1_A);
	mmu_on(L1_A, 1);
	for (unsigned i = 0; i < N_WIN; i++)
		for (unsigned h = 0; h < 6; h++)
			expect_abort(nm("window +", win_addrs[i] - WIN_BASE, ""),
				     win_addrs[i], all_how[h], FS_TRANS_SEC);
	mmu_off();
}

SCENARIO(window_mmu_off, 0)
{
	for (unsigned i = 0; i < N_WIN; i++)
		for (unsigned h = 0; h < 6; h++)
			expect_abort(nm("window +", win_addrs[i] - WIN_BASE, ""),
				     win_addrs[i], all_how[h], FS_EXT);
	/* Past the window, the vector page's address: nothing there either. */
	for (unsigned h = 0; h < 6; h++) {
		expect_abort("0xfffe0000", 0xfffe0000u, all_how[h], FS_EXT);
		expect_abort("0xffff0000", 0xffff0000u, all_how[h], FS_EXT);
	}
}

static void set_dacr_dom3(u32 v)
{
	MCR(0, 3, 0, 0, (0x55555555u & ~(3u << 6)) | (v << 6));
	isb();
}

/*
 * The window's MiB, shared: the guest's page table for it maps the
 * vector page (user RW), a kernel-only page and the first page after the
 * window, all in domain 3. The window pages stay untouchable; the
 * guest's pages obey its AP bits and its DACR, including changes of it.
 */
SCENARIO(window_neighbour_pages, 0)
{
	const u32 vec = 0xffff0000u, kpg = 0xffff1000u, after = 0xfffe0000u;
	u32 l2 = l2_new();

	mmu_base(L1_A);
	map_l2(L1_A, WIN_BASE, l2, 3);
	map_small(l2, vec, TEST_PA + 0x10000u, P_AP(3) | 0xcu);
	map_small(l2, kpg, TEST_PA + 0x11000u, P_AP(1) | 0xcu);
	map_small(l2, after, TEST_PA + 0x12000u, P_AP(3) | 0xcu);
	wr32(TEST_PA + 0x10000u, 0x0ec70000u);
	wr32(TEST_PA + 0x11000u, 0x0ec71000u);
	wr32(TEST_PA + 0x12000u, 0x0ec72000u);
	mmu_on(L1_A, 1);

	expect("vector page, kernel",
	       expect_no_fault("vector page", vec, K_LD), 0x0ec70000u);
	expect("vector page, user",
	       expect_no_fault("vector page", vec, U_LD), 0x0ec70000u);
	expect_no_fault("vector page", vec + 4, U_ST);
	expect("user store reached the guest's page", rd32(TEST_PA + 0x10004u),
	       0xdeaddeadu);
	expect("kernel-only page, kernel",
	       expect_no_fault("kernel-only page", kpg, K_LD), 0x0ec71000u);
	expect_abort("kernel-only page", kpg, U_LD, FS_PERM_PG);
	expect_abort("kernel-only page", kpg, U_ST, FS_PERM_PG);
	expect("first page after the window",
	       expect_no_fault("after the window", after, U_LD), 0x0ec72000u);
	for (unsigned i = 0; i < N_WIN; i++)
		for (unsigned h = 0; h < 6; h++)
			expect_abort(nm("window +", win_addrs[i] - WIN_BASE, ""),
				     win_addrs[i], all_how[h], FS_TRANS_PG);

	/* Domain 3 no access: the guest's pages fault with a domain fault. */
	set_dacr_dom3(0);
	expect_abort("vector page, domain no access", vec, K_LD, FS_DOM_PG);
	expect_abort("vector page, domain no access", vec, U_ST, FS_DOM_PG);
	expect_abort("after window, domain no access", after, U_LD, FS_DOM_PG);
	/* Manager: AP is not checked, the kernel-only page is user RW. */
	set_dacr_dom3(3);
	expect("kernel-only page, user, manager",
	       expect_no_fault("kernel-only page, manager", kpg, U_LD),
	       0x0ec71000u);
	expect_no_fault("kernel-only page, manager", kpg + 8, U_ST);
	/* Client again: the permission is back. */
	set_dacr_dom3(1);
	expect_abort("kernel-only page, client again", kpg, U_LD, FS_PERM_PG);
	expect_abort("kernel-only page, client again", kpg, U_ST, FS_PERM_PG);
	for (unsigned h = 0; h < 6; h++)
		expect_abort("window base, after the DACR games", WIN_BASE,
			     all_how[h], FS_TRANS_PG);
	mmu_off();
}
