// SPDX-License-Identifier: MIT
/*
 * The real Cortex-A9 MPCore GIC (PL390 class): distributor at periph+0x1000,
 * CPU interface at periph+0x100 (banked per core, as are the SGI/PPI
 * registers). Every line group 0 / IRQ; SPIs go to core 0.
 */
#include "bm.h"

#define GICD_CTLR        0x000
#define GICD_TYPER       0x004
#define GICD_ISENABLER   0x100
#define GICD_ICENABLER   0x180
#define GICD_ICPENDR     0x280
#define GICD_IPRIORITYR  0x400
#define GICD_ITARGETSR   0x800
#define GICD_ICFGR       0xc00
#define GICD_SGIR        0xf00
#define GICC_CTLR        0x00
#define GICC_PMR         0x04
#define GICC_BPR         0x08
#define GICC_IAR         0x0c
#define GICC_EOIR        0x10

static uint32_t gicd, gicc;
static unsigned nlines;

void pvbm_gic_init(uint32_t periph)
{
	gicd = periph + 0x1000;
	gicc = periph + 0x100;
	nlines = 32 * ((pvbm_rd(gicd + GICD_TYPER) & 0x1f) + 1);
	if (nlines > 1020)
		nlines = 1020;

	pvbm_wr(gicd + GICD_CTLR, 0);
	for (unsigned i = 0; i < nlines; i += 32) {
		pvbm_wr(gicd + GICD_ICENABLER + i / 8, 0xffffffffu);
		pvbm_wr(gicd + GICD_ICPENDR + i / 8, 0xffffffffu);
	}
	for (unsigned i = 0; i < nlines; i += 4) {
		pvbm_wr(gicd + GICD_IPRIORITYR + i, 0xa0a0a0a0u);
		if (i >= 32) /* SPIs: to CPU0; SGI/PPI targets are read-only */
			pvbm_wr(gicd + GICD_ITARGETSR + i, 0x01010101u);
	}
	pvbm_wr(gicd + GICD_CTLR, 1);
	pvbm_gic_init_cpu();
}

/* The calling core's banked SGI/PPI state and its CPU interface. */
void pvbm_gic_init_cpu(void)
{
	pvbm_wr(gicd + GICD_ICENABLER, 0xffffffffu);
	pvbm_wr(gicd + GICD_ICPENDR, 0xffffffffu);
	for (unsigned i = 0; i < 32; i += 4)
		pvbm_wr(gicd + GICD_IPRIORITYR + i, 0xa0a0a0a0u);
	/* The A9's SGIs are always enabled; this is for GICs where not. */
	pvbm_wr(gicd + GICD_ISENABLER, 1u << PVBM_SGI_KICK);
	pvbm_wr(gicc + GICC_PMR, 0xf0);
	pvbm_wr(gicc + GICC_BPR, 0);
	pvbm_wr(gicc + GICC_CTLR, 1);
}

unsigned pvbm_gic_lines(void)
{
	return nlines;
}

int pvbm_gic_enable(unsigned irq, bool enable)
{
	if (irq >= nlines)
		return -1;
	pvbm_wr(gicd + (enable ? GICD_ISENABLER : GICD_ICENABLER) + 4 * (irq / 32),
		1u << (irq % 32));
	return 0;
}

void pvbm_gic_send_sgi(unsigned core, unsigned sgi)
{
	/* Target list filter 0: exactly the cores in the list. The stores
	 * before it (the VM state the woken core reads) are ordered by the
	 * lock's release, which comes before the core can take it. */
	__asm__ volatile("dsb" ::: "memory");
	pvbm_wr(gicd + GICD_SGIR, (1u << (16 + core)) | (sgi & 0xfu));
}

unsigned pvbm_gic_ack(void)
{
	return pvbm_rd(gicc + GICC_IAR);
}

void pvbm_gic_eoi(unsigned iar)
{
	pvbm_wr(gicc + GICC_EOIR, iar);
}
