// SPDX-License-Identifier: MIT
/* Page-table helpers for the MMU scenarios (short-descriptor format). */
#include "conf.h"

static u32 l2_next = L2_POOL;

void map_section(u32 l1, u32 va, u32 pa, u32 attrs)
{
	wr32(l1 + (va >> 20) * 4, (pa & 0xfff00000u) | attrs | S_SECT);
}

void map_super(u32 l1, u32 va, u32 pa, u32 attrs)
{
	for (u32 i = 0; i < 16; i++)
		wr32(l1 + ((va >> 20) + i) * 4,
		     (pa & 0xff000000u) | attrs | S_SUPER | S_SECT);
}

u32 l2_new(void)
{
	u32 t = l2_next;

	l2_next += 0x400u;
	if (l2_next >= TEST_PA)
		l2_next = L2_POOL;
	mem_zero((void *)t, 0x400u);
	return t;
}

void map_l2(u32 l1, u32 va, u32 l2, u32 dom)
{
	wr32(l1 + (va >> 20) * 4, (l2 & 0xfffffc00u) | ((dom & 15u) << 5) | 1u);
}

void map_small(u32 l2, u32 va, u32 pa, u32 attrs)
{
	wr32(l2 + ((va >> 12) & 0xffu) * 4, (pa & 0xfffff000u) | attrs | P_SMALL);
}

void map_large(u32 l2, u32 va, u32 pa, u32 attrs)
{
	for (u32 i = 0; i < 16; i++)
		wr32(l2 + (((va >> 12) & 0xf0u) + i) * 4,
		     (pa & 0xffff0000u) | attrs | P_LARGE);
}

/* Identity RAM (16 MiB from RAM_BASE, normal, full access so that user
 * code and stacks work), the MPCore page and both consoles (device,
 * PL1 only), all in domain 0. */
void mmu_base(u32 l1)
{
	mem_zero((void *)l1, 0x4000u);
	for (u32 i = 0; i < 16; i++)
		map_section(l1, RAM_BASE + (i << 20), RAM_BASE + (i << 20),
			    MEM_NORMAL | S_AP(3));
	map_section(l1, PERIPH, PERIPH, MEM_DEVICE | S_AP(1) | S_XN);
	map_section(l1, 0x02100000u, 0x02100000u, MEM_DEVICE | S_AP(1) | S_XN);
	map_section(l1, 0x1c000000u, 0x1c000000u, MEM_DEVICE | S_AP(1) | S_XN);
}

void tlb_flush(void)
{
	dsb();
	MCR(0, 8, 7, 0, 0); /* TLBIALL */
	MCR(0, 7, 5, 6, 0); /* BPIALL */
	dsb();
	isb();
}

void mmu_on(u32 l1, u32 asid)
{
	MCR(0, 2, 0, 2, 0);          /* TTBCR: N = 0 */
	MCR(0, 2, 0, 0, l1 | 0x4au); /* TTBR0: WB-WA walks, shareable */
	MCR(0, 13, 0, 1, asid);
	MCR(0, 3, 0, 0, 0x55555555u);
	tlb_flush();
	MCR(0, 1, 0, 0, MRC(0, 1, 0, 0) | 1u);
	isb();
}

void mmu_off(void)
{
	MCR(0, 1, 0, 0, MRC(0, 1, 0, 0) & ~1u);
	isb();
	tlb_flush();
}

void fill(u32 pa, u32 words, u32 seed)
{
	for (u32 i = 0; i < words; i++)
		wr32(pa + i * 4, seed ^ (i * 0x9e3779b9u));
}
