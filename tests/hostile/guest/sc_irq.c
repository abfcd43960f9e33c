// SPDX-License-Identifier: MIT
/*
 * Interrupt storms through the virtual GIC and timers: SGIs the handler
 * sends to itself thousands of times, SGIs to CPUs that do not exist, the
 * private timer at its shortest period (one tick, 10 ns, auto-reload)
 * and the global-timer comparator with auto-increment 1. The VMM must
 * deliver every SGI exactly once and in order, nothing for absent CPUs,
 * keep the host's own tick running (the run ends inside pvbm's time
 * budget) and come out with a working GIC.
 */
#include "hostile.h"

void gic_setup(void)
{
	wr32(GICD_CTLR, 0);
	wr32(GICD_ICENABLE, 0xffffffffu);
	wr32(GICD_ICPEND, 0xffffffffu);
	for (u32 i = 0; i < 32; i += 4)
		wr32(GICD_PRIO + i, 0xa0a0a0a0u);
	wr32(GICC_PMR, 0xf0);
	wr32(GICC_BPR, 2);
	wr32(GICD_CTLR, 1);
	wr32(GICC_CTLR, 1);
}

unsigned gic_ack(void)
{
	return rd32(GICC_IAR);
}

void gic_eoi(unsigned iar)
{
	wr32(GICC_EOIR, iar);
}

void gic_off(void)
{
	wr32(TWD_CTRL, 0);
	wr32(TWD_ISR, 1);
	wr32(GT_CTRL, rd32(GT_CTRL) & 1u);
	wr32(GT_ISR, 1);
	wr32(GICD_ICENABLE, 0xffffffffu);
	wr32(GICD_ICPEND, 0xffffffffu);
	wr32(GICC_CTLR, 0);
	wr32(GICD_CTLR, 0);
}

static void enable(unsigned id)
{
	wr32(GICD_ISENABLE + (id / 32) * 4, 1u << (id % 32));
}

static void sgi_self(unsigned id)
{
	wr32(GICD_SGIR, (2u << 24) | id);
}

/* ---- a wake-up for WFI (sc_insn.c): the private timer, once ---- */

static volatile u32 wake_n;

static bool wake_hook(unsigned type, struct xframe *f)
{
	u32 iar = gic_ack();

	if ((iar & 0x3ff) == 29) {
		wr32(TWD_ISR, 1);
		wake_n++;
	}
	if ((iar & 0x3ff) < 1020)
		gic_eoi(iar);
	return true;
}

void wake_arm(u32 ticks)
{
	gic_setup();
	enable(29);
	wake_n = 0;
	x_hook[X_IRQ] = wake_hook;
	wr32(TWD_LOAD, ticks);
	wr32(TWD_CTRL, 0x5); /* enable, IRQ, one-shot */
}

u32 wake_disarm(void)
{
	gic_off();
	return wake_n;
}

/* ---- SGI storm ---- */

#define SGI_STORM 5000u

static volatile u32 sgi_n, sgi_bad, sgi_spurious;

static bool sgi_hook(unsigned type, struct xframe *f)
{
	u32 iar = gic_ack(), id = iar & 0x3ff;

	if (id >= 1020) {
		sgi_spurious++;
		return true;
	}
	/* In order, from CPU 0 (IAR[12:10]), one at a time. */
	if (id != sgi_n % 16 || (iar >> 10) != 0)
		sgi_bad++;
	sgi_n++;
	if (sgi_n < SGI_STORM)
		sgi_self(sgi_n % 16);
	gic_eoi(iar);
	return true;
}

SCENARIO(irq_sgi_storm, 0)
{
	x_reset();
	gic_setup();
	for (unsigned id = 0; id < 16; id++)
		enable(id);
	sgi_n = sgi_bad = sgi_spurious = 0;
	x_hook[X_IRQ] = sgi_hook;
	sgi_self(0);
	irq_enable();
	for (u32 spin = 0; sgi_n < SGI_STORM && spin < 50000000u; spin++)
		;
	irq_disable();
	expect("SGIs taken", sgi_n, SGI_STORM);
	expect("SGIs out of order or from another CPU", sgi_bad, 0);
	expect("spurious acknowledges", sgi_spurious, 0);

	/* To CPUs 1-7, which do not exist, and to "all but me": nothing. */
	sgi_n = 0;
	wr32(GICD_SGIR, (0xfeu << 16) | 3);
	wr32(GICD_SGIR, (1u << 24) | 4);
	wr32(GICD_SGIR, (0u << 24) | (0u << 16) | 5); /* empty target list */
	irq_enable();
	for (volatile u32 spin = 0; spin < 200000u; spin++)
		;
	irq_disable();
	expect("SGIs to absent CPUs delivered", sgi_n, 0);
	expect("nothing pending", rd32(GICC_HPPIR) & 0x3ff, 1023);

	/* The GIC still works: one SGI, polled. */
	sgi_self(9);
	{
		u32 iar = gic_ack();

		expect("polled SGI 9 after the storm", iar & 0x3ff, 9);
		gic_eoi(iar);
	}
	gic_off();
}

/* ---- timer storms ---- */

#define TIMER_STORM 3000u

static volatile u32 tmr_n, tmr_other;

static bool timer_hook(unsigned type, struct xframe *f)
{
	u32 iar = gic_ack(), id = iar & 0x3ff;

	if (id == 29) {
		wr32(TWD_ISR, 1);
		if (++tmr_n >= TIMER_STORM)
			wr32(TWD_CTRL, 0);
	} else if (id == 27) {
		wr32(GT_ISR, 1);
		if (++tmr_n >= TIMER_STORM)
			wr32(GT_CTRL, rd32(GT_CTRL) & 1u);
	} else if (id < 1020) {
		tmr_other++;
	}
	if (id < 1020)
		gic_eoi(iar);
	return true;
}

static u32 storm(void)
{
	u32 progress = 0;

	irq_enable();
	for (u32 spin = 0; tmr_n < TIMER_STORM && spin < 50000000u; spin++)
		progress++;
	irq_disable();
	return progress;
}

/* The handler stops the timer at the last one; one more edge may already
 * be latched in the GIC by then. */
static void storm_count(const char *what)
{
	expect_ok(what, tmr_n == TIMER_STORM || tmr_n == TIMER_STORM + 1, tmr_n);
}

SCENARIO(irq_timer_storm, 0)
{
	x_reset();
	gic_setup();
	enable(29);
	enable(27);
	x_hook[X_IRQ] = timer_hook;

	/* Private timer: load 0, auto-reload, prescaler 0: every tick. */
	tmr_n = tmr_other = 0;
	wr32(TWD_LOAD, 0);
	wr32(TWD_CTRL, 0x7);
	storm();
	storm_count("TWD period 1: interrupts");
	wr32(TWD_LOAD, 1);
	tmr_n = 0;
	wr32(TWD_CTRL, 0x7);
	storm();
	storm_count("TWD load 1: interrupts");

	/* Global timer comparator, auto-increment 1 tick. */
	tmr_n = 0;
	wr32(GT_CTRL, 0);
	wr32(GT_LO, 0);
	wr32(GT_HI, 0);
	wr32(GT_CMP_LO, 1);
	wr32(GT_CMP_HI, 0);
	wr32(GT_AUTOINC, 1);
	wr32(GT_CTRL, 0xf); /* timer, comparator, IRQ, auto-increment */
	storm();
	storm_count("global timer auto-increment 1: interrupts");
	expect("other interrupts", tmr_other, 0);
	gic_off();

	/* Both quiet again: nothing pending. */
	gic_setup();
	for (volatile u32 spin = 0; spin < 100000u; spin++)
		;
	expect("nothing pending after the storm", rd32(GICC_HPPIR) & 0x3ff,
	       1023);
	gic_off();
}
