// SPDX-License-Identifier: MIT
/*
 * The host's own translation tables (short-descriptor, sections only).
 *
 * vmm_l1: what the VMM runs on. Devices and host RAM are identity-mapped,
 *         PL1-only and non-global: they are tagged with the reserved host
 *         ASID 0, so no VMM entry can ever hit while a guest ASID is live.
 *         The window section is global, like in every shadow root.
 * win_l1: only the window. TTBR0 points here for the instant in which the
 *         ASID changes (see window.S).
 */
#include "bm.h"

#define P (&pvbm_platform)

/* Short-descriptor section bits (ARM DDI 0406C B3.5.1). */
#define SEC         0x2u
#define SEC_B       (1u << 2)
#define SEC_C       (1u << 3)
#define SEC_XN      (1u << 4)
#define SEC_DOM(d)  ((uint32_t)(d) << 5)
#define SEC_AP_PL1  (1u << 10)          /* AP[2:0] = 001: PL1 RW, PL0 none */
#define SEC_TEX(t)  ((uint32_t)(t) << 12)
#define SEC_S       (1u << 16)
#define SEC_NG      (1u << 17)

/* Normal memory, inner/outer write-back write-allocate, shareable. */
#define ATTR_RAM    (SEC_TEX(1) | SEC_C | SEC_B | SEC_S)
/* Shareable Device. */
#define ATTR_DEV    (SEC_B | SEC_XN)

static uint32_t vmm_l1[4096] __attribute__((aligned(16384)));
static uint32_t win_l1[4096] __attribute__((aligned(16384)));

uint32_t pvbm_window_l1(void)
{
	return P->window_pa | SEC | ATTR_RAM | SEC_AP_PL1 |
	       SEC_DOM(P->window_domain);
}

uint32_t pvbm_ttbr_vmm(void)
{
	return (uint32_t)(uintptr_t)vmm_l1 | P->ttbr_attrs;
}

uint32_t pvbm_ttbr_window(void)
{
	return (uint32_t)(uintptr_t)win_l1 | P->ttbr_attrs;
}

void pvbm_mmu_init(void)
{
	uint32_t mb, sctlr;

	for (mb = 0; mb < 4096; mb++) {
		uint32_t pa = mb << 20, d = 0;

		/* The window's domain, which pvcore keeps Client in every
		 * guest DACR: the VMM then runs under the guest's DACR and
		 * the trampoline need not switch it (on QEMU every DACR
		 * write flushes the whole soft TLB). */
		if (pa < P->ram_base)
			d = pa | SEC | ATTR_DEV | SEC_AP_PL1 | SEC_NG;
		else if (pa < P->ram_end)
			d = pa | SEC | ATTR_RAM | SEC_AP_PL1 | SEC_NG;
		if (d)
			d |= SEC_DOM(P->window_domain);
		vmm_l1[mb] = d;
		win_l1[mb] = 0;
	}
	vmm_l1[P->window_va >> 20] = pvbm_window_l1();
	win_l1[P->window_va >> 20] = pvbm_window_l1();

	/* Caches are still off: the tables went straight to memory. */
	pvbm_dcache_inval_all();
	PVBM_MCR(0, 7, 5, 0, 0);        /* ICIALLU */
	PVBM_MCR(0, 8, 7, 0, 0);        /* TLBIALL */
	PVBM_MCR(0, 7, 5, 6, 0);        /* BPIALL */
	pvbm_dsb();
	PVBM_MCR(0, 2, 0, 2, 0);        /* TTBCR: N=0, TTBR0 walks everything */
	PVBM_MCR(0, 2, 0, 0, pvbm_ttbr_vmm());
	PVBM_MCR(0, 13, 0, 1, 0);       /* CONTEXTIDR: host ASID 0 */
	PVBM_MCR(0, 3, 0, 0, P->vmm_dacr);
	/* ACTLR.SMP: take part in coherency (needed for caches on the A9). */
	PVBM_MCR(0, 1, 0, 1, PVBM_MRC(0, 1, 0, 1) | (1u << 6));
	pvbm_isb();
	sctlr = PVBM_MRC(0, 1, 0, 0);
	sctlr &= ~((1u << 1) | (1u << 13) | (1u << 28) | (1u << 29) |
		   (1u << 30));         /* A, V (use VBAR), TRE, AFE, TE */
	sctlr |= (1u << 0) | (1u << 2) | (1u << 11) | (1u << 12); /* M C Z I */
	PVBM_MCR(0, 1, 0, 0, sctlr);
	pvbm_isb();
}
