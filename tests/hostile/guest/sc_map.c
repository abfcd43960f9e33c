// SPDX-License-Identifier: MIT
/*
 * The guest names host-physical addresses. Its page tables (section,
 * supersection, small and large page) map them as guest-physical
 * addresses, and its kernel and its user mode load, store and execute
 * there; with its MMU off it touches them directly. Guest-physical space
 * holds only the guest's RAM (0x10000000-0x17FFFFFF) and the virtual
 * board's devices, so:
 *
 * - the shadow pool, the guest RAM backing and the host's own devices
 *   (and the canary pages next to them) are nothing to the guest: every
 *   access is a synchronous external abort (DFSR/IFSR FS 0b01000) at the
 *   address the guest used;
 * - pvbm's image and the window backing sit at host addresses that are
 *   guest RAM addresses too: there the guest reaches its own RAM, never
 *   the host's (pvbm's canaries check the host side at the stop).
 */
#include "hostile.h"

enum kind { SECTION, SUPER, SMALL, LARGE, KINDS };
static const char *const kind_name[KINDS] = { "section", "supersection",
					      "small page", "large page" };

#define MAP_VA 0x40000000u /* one 16 MiB slot per mapping from here */

/* Map @pa with descriptor kind @k in slot @slot; returns the VA of @pa. */
static u32 map_kind(enum kind k, unsigned slot, u32 pa, bool device)
{
	u32 va = MAP_VA + slot * 0x01000000u, l2;
	u32 sattr = (device ? MEM_DEVICE : MEM_NORMAL) | S_AP(3);
	u32 pattr = P_AP(3) | (device ? 0x4u : 0xcu);

	switch (k) {
	case SECTION:
		map_section(L1_A, va, pa, sattr);
		return va + (pa & 0xfffffu);
	case SUPER:
		map_super(L1_A, va, pa, sattr);
		return va + (pa & 0xffffffu);
	case SMALL:
		l2 = l2_new();
		map_l2(L1_A, va, l2, 0);
		map_small(l2, va, pa, pattr);
		return va + (pa & 0xfffu);
	default:
		l2 = l2_new();
		map_l2(L1_A, va, l2, 0);
		map_large(l2, va, pa, (3u << 4) | (device ? 0x4u : 0xcu));
		return va + (pa & 0xffffu);
	}
}

static const enum how all_how[] = { K_LD, K_ST, U_LD, U_ST, K_EX, U_EX };

/* Every kind of mapping of every target, every access: external abort. */
static void nothing_there(const u32 *targets, unsigned n, bool device)
{
	u32 va[KINDS * 8];
	unsigned slot = 0;

	mmu_base(L1_A);
	for (unsigned t = 0; t < n; t++)
		for (unsigned k = 0; k < KINDS; k++, slot++)
			va[slot] = map_kind((enum kind)k, slot, targets[t], device);
	mmu_on(L1_A, 1);
	slot = 0;
	for (unsigned t = 0; t < n; t++) {
		for (unsigned k = 0; k < KINDS; k++, slot++) {
			out_puts("# ");
			out_puts(kind_name[k]);
			out_puts(" -> host PA ");
			out_hex(targets[t]);
			out_puts(" at VA ");
			out_hex(va[slot]);
			out_puts("\n");
			for (unsigned h = 0; h < 6; h++) {
				/* Devices are XN in every sane table, but the
				 * guest may say otherwise. */
				expect_abort(nm("target ", t, ""), va[slot],
					     all_how[h], FS_EXT);
			}
		}
	}
	mmu_off();
}

SCENARIO(map_shadow_pool, 0)
{
	static const u32 t[] = { H_POOL, H_POOL + 0x7ff000u,
				 H_POOL_END - 0x1000u, H_POOL - 0x1000u,
				 H_POOL_END };

	nothing_there(t, 5, false);
}

SCENARIO(map_guest_backing, 0)
{
	static const u32 t[] = { H_GUEST, H_GUEST + 0x4000000u,
				 H_GUEST_END - 0x1000u, H_GUEST - 0x1000u,
				 H_GUEST_END };

	nothing_there(t, 5, false);
}

SCENARIO(map_host_devices, 0)
{
	/* pvbm's console, the reset controller, a watchdog, the host GIC's
	 * distributor as the i.MX6Q has it is the guest's own (virtual)
	 * one, but the gaps of the MPCore block and the rest of its MiB are
	 * nothing. */
	static const u32 t[] = { H_UART2, H_SRC, H_WDOG1, PERIPH + 0x700u,
				 PERIPH + 0x2000u };

	nothing_there(t, 5, true);
}

/*
 * pvbm's image and the window backing: host addresses that are guest RAM
 * addresses too. Through every kind of mapping the guest reads its own
 * RAM there and its writes land in its own RAM.
 */
SCENARIO(map_host_image_alias, 0)
{
	static const u32 t[] = { H_IMAGE, H_WINDOW, H_WINDOW + 0xdf000u,
				 H_IMAGE + 0x3f000u };
	u32 va[KINDS * 4];
	unsigned slot = 0;

	/* The deep end of the SVC stack (0x10100000) and free pages of the
	 * guest's first MiB: fill them with a pattern of their own. */
	fill(H_IMAGE, 1024, 0x11110000u);
	fill(H_WINDOW + 0xdf000u, 1024, 0x22220000u);
	fill(H_IMAGE + 0x3f000u, 1024, 0x33330000u);
	mmu_base(L1_A);
	for (unsigned t_ = 0; t_ < 4; t_++)
		for (unsigned k = 0; k < KINDS; k++, slot++)
			va[slot] = map_kind((enum kind)k, slot, t[t_], false);
	mmu_on(L1_A, 1);
	slot = 0;
	for (unsigned i = 0; i < 4; i++) {
		for (unsigned k = 0; k < KINDS; k++, slot++) {
			u32 v = va[slot], pa = t[i];

			out_puts("# ");
			out_puts(kind_name[k]);
			out_puts(" -> PA ");
			out_hex(pa);
			out_puts("\n");
			expect(nm("alias ", i, " reads own RAM (sum)"),
			       sum_words(v, 1024), sum_words(pa, 1024));
			expect_no_fault(nm("alias ", i, ""), v, K_LD);
			expect(nm("alias ", i, " user load"),
			       expect_no_fault(nm("alias ", i, ""), v + 4, U_LD),
			       rd32(pa + 4));
			if (pa == H_WINDOW)
				continue; /* the guest's own code: no stores */
			wr32(v + 8, 0x5eed0000u + slot);
			expect(nm("alias ", i, " store lands in own RAM"),
			       rd32(pa + 8), 0x5eed0000u + slot);
			expect_no_fault(nm("alias ", i, ""), v + 12, U_ST);
			expect(nm("alias ", i, " user store lands in own RAM"),
			       rd32(pa + 12), 0xdeaddeadu);
		}
	}
	mmu_off();
}

/* With the MMU off the guest's addresses are guest-physical. */
SCENARIO(mmu_off_host_addresses, 0)
{
	static const u32 t[] = { H_POOL, H_POOL - 0x1000u, H_POOL_END,
				 H_GUEST, H_GUEST - 0x1000u, H_GUEST_END,
				 H_UART2, H_SRC, PERIPH + 0x300u, RAM_END,
				 0x0ffff000u };

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		for (unsigned h = 0; h < 6; h++)
			expect_abort(nm("host PA #", i, ""), t[i], all_how[h],
				     FS_EXT);
	fill(H_IMAGE + 0x1000u, 16, 0x44440000u);
	expect(nm("pvbm text PA is own RAM", NONUM, ""),
	       expect_no_fault("H_IMAGE+0x1000", H_IMAGE + 0x1000u, U_LD),
	       0x44440000u);
}

/*
 * The edges of guest RAM: multi-word, doubleword and unaligned accesses,
 * native and emulated, that start in the last (first) guest page and run
 * into nothing. The part outside must abort; the host pages right after
 * and before the backing are pvbm's canaries.
 */
static u32 stm4(u32 a)
{
	__asm__ volatile("mov r4, #1\n\tmov r5, #2\n\tmov r6, #3\n\tmov r7, #4\n\t"
			 "stm %0, {r4-r7}" :: "r"(a) : "r4", "r5", "r6", "r7",
			 "memory");
	return 0;
}

static u32 ldm4(u32 a)
{
	u32 s;

	__asm__ volatile("mov r4, #0\n\tmov r5, #0\n\tmov r6, #0\n\tmov r7, #0\n\t"
			 "ldm %1, {r4-r7}\n\tadd %0, r4, r7"
			 : "=r"(s) : "r"(a) : "r4", "r5", "r6", "r7", "memory");
	return s;
}

static u32 stmdb4(u32 a)
{
	__asm__ volatile("mov r4, #5\n\tmov r5, #6\n\tmov r6, #7\n\tmov r7, #8\n\t"
			 "stmdb %0, {r4-r7}" :: "r"(a)
			 : "r4", "r5", "r6", "r7", "memory");
	return 0;
}

static u32 strd_at(u32 a)
{
	__asm__ volatile("mov r2, #9\n\tmov r3, #10\n\tstrd r2, r3, [%0]"
			 :: "r"(a) : "r2", "r3", "memory");
	return 0;
}

static u32 str_unaligned(u32 a)
{
	__asm__ volatile("str %0, [%0]" :: "r"(a) : "memory");
	return 0;
}

/* Emulated: LDM/STM with user registers (patched sites) and STRT. */
static u32 stm_user4(u32 a)
{
	__asm__ volatile(SENS(IC_STM_USER, "stm %0, {r4-r7}^")
			 :: "r"(a) : "memory");
	return 0;
}

static u32 strt_at(u32 a)
{
	__asm__ volatile(SENS(IC_LDRT, "strt %1, [%0]") :: "r"(a), "r"(~a)
			 : "memory");
	return 0;
}

struct edge {
	const char *what;
	u32 (*fn)(u32);
	u32 addr;     /* where it starts */
	u32 far;      /* the first address outside guest RAM it reaches */
	bool store, user_ok, unaligned;
};

/*
 * @mmu_off: the guest's data accesses are then Strongly-ordered, where an
 * unaligned access may also take an alignment fault at its start.
 */
static void edge_case(const struct edge *e, bool user, bool mmu_off)
{
	x_reset();
	if (user)
		run_user(e->fn, e->addr);
	else
		e->fn(e->addr);
	hx_checks++;
	out_puts("  ");
	out_puts(e->what);
	out_puts(user ? " (user)" : " (kernel)");
	out_puts(" = ");
	out_dec(x_count);
	out_puts(" exc, type ");
	out_dec(last_x.type);
	out_puts(" fsr ");
	out_hex(last_x.fsr);
	out_puts(" far ");
	out_hex(last_x.far);
	out_puts("\n");
	/* The abort is external, at an address outside RAM within the
	 * access (an unaligned or multi-word access may report any of its
	 * faulting parts). */
	if (x_count == 1 && last_x.type == X_DABT &&
	    (last_x.fsr & FSR_MASK) == (FS_EXT | (e->store ? FSR_WNR : 0)) &&
	    last_x.far - e->far < 16)
		return;
	if (mmu_off && e->unaligned && x_count == 1 && last_x.type == X_DABT &&
	    (last_x.fsr & FSR_MASK) == (FS_ALIGN | (e->store ? FSR_WNR : 0)) &&
	    last_x.far == e->addr)
		return;
	hx_fails++;
	out_puts("FAIL: expected one external abort at ");
	out_hex(e->far);
	out_puts("\n");
}

static const struct edge edges_off[] = {
	{ "stm across the end", stm4, RAM_END - 8, RAM_END, true, true, false },
	{ "ldm across the end", ldm4, RAM_END - 12, RAM_END, false, true,
	  false },
	{ "stmdb across the start", stmdb4, RAM_BASE + 8, RAM_BASE - 8, true,
	  true, false },
	{ "strd across the end", strd_at, RAM_END - 4, RAM_END, true, true,
	  false },
	{ "unaligned str across the end", str_unaligned, RAM_END - 2, RAM_END,
	  true, true, true },
	{ "stm^ (emulated) across the end", stm_user4, RAM_END - 8, RAM_END,
	  true, false, false },
	{ "strt (emulated) across the end", strt_at, RAM_END - 2, RAM_END,
	  true, false, true },
};

SCENARIO(ram_edges, 0)
{
	for (unsigned i = 0; i < sizeof(edges_off) / sizeof(edges_off[0]); i++) {
		edge_case(&edges_off[i], false, true);
		if (edges_off[i].user_ok)
			edge_case(&edges_off[i], true, true);
	}
	/* The same through a mapping that makes the edge contiguous in VA:
	 * VA 0x50000000 is the last guest page, 0x50001000 nothing. */
	{
		u32 l2 = l2_new();
		struct edge e;

		mmu_base(L1_A);
		map_l2(L1_A, 0x50000000u, l2, 0);
		map_small(l2, 0x50000000u, RAM_END - 0x1000u, P_AP(3) | 0xcu);
		map_small(l2, 0x50001000u, RAM_END, P_AP(3) | 0xcu);
		mmu_on(L1_A, 1);
		for (unsigned i = 0; i < sizeof(edges_off) / sizeof(edges_off[0]);
		     i++) {
			if (edges_off[i].addr < RAM_END - 0x1000u)
				continue;
			e = edges_off[i];
			e.addr = e.addr - RAM_END + 0x50001000u;
			e.far = 0x50001000u;
			edge_case(&e, false, false);
			if (e.user_ok)
				edge_case(&e, true, false);
		}
		mmu_off();
	}
}
