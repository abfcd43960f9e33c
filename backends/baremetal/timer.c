// SPDX-License-Identifier: MIT
/*
 * Host time. The A9 global timer (periph+0x200) is the monotonic clock and
 * its comparator the one-shot timer the core asks for; the private timer
 * (periph+0x600) gives the host a periodic tick (watchdog, accounting).
 */
#include "bm.h"

#define P (&pvbm_platform)

#define GT_CNT_LO   0x00
#define GT_CNT_HI   0x04
#define GT_CTRL     0x08
#define GT_STATUS   0x0c
#define GT_CMP_LO   0x10
#define GT_CMP_HI   0x14
#define GT_EN       (1u << 0)
#define GT_CMP_EN   (1u << 1)
#define GT_IRQ_EN   (1u << 2)

#define TWD_LOAD    0x00
#define TWD_CTRL    0x08
#define TWD_STATUS  0x0c

static uint32_t gt, twd;
/* Nanoseconds per global-timer tick when that is a whole number (10 at
 * the i.MX6's 100 MHz): every trap that touches a timer asks for the time,
 * and the exact division costs three 64-bit libgcc divisions. */
static uint32_t ns_per_tick;
volatile uint64_t pvbm_ticks;

void pvbm_timer_init(uint32_t periph)
{
	gt = periph + 0x200;
	twd = periph + 0x600;
	if (1000000000u % P->periphclk_hz == 0)
		ns_per_tick = 1000000000u / P->periphclk_hz;
	pvbm_wr(gt + GT_CTRL, 0);
	pvbm_wr(gt + GT_CNT_LO, 0);
	pvbm_wr(gt + GT_CNT_HI, 0);
	pvbm_wr(gt + GT_STATUS, 1);
	pvbm_wr(gt + GT_CTRL, GT_EN);

	pvbm_timer_init_cpu();
}

/*
 * The calling core's tick (its private timer) and its global-timer
 * comparator interrupt: both banked per core. Only core 0's tick counts
 * in pvbm_ticks; the others' wake their core and preempt its guest.
 */
void pvbm_timer_init_cpu(void)
{
	pvbm_wr(twd + TWD_CTRL, 0);
	pvbm_wr(twd + TWD_STATUS, 1);
	pvbm_wr(twd + TWD_LOAD, P->periphclk_hz / P->tick_hz - 1);
	pvbm_wr(twd + TWD_CTRL, 7); /* enable, auto-reload, IRQ */
	pvbm_gic_enable(P->irq_twd, true);
	pvbm_gic_enable(P->irq_gtimer, true);
}

uint32_t pvbm_timer_counter(uint32_t *ns_per_count)
{
	*ns_per_count = ns_per_tick;
	return gt;
}

static uint64_t gt_count(void)
{
	uint32_t hi, lo, hi2;

	do { /* the two halves are not latched together */
		hi = pvbm_rd(gt + GT_CNT_HI);
		lo = pvbm_rd(gt + GT_CNT_LO);
		hi2 = pvbm_rd(gt + GT_CNT_HI);
	} while (hi != hi2);
	return (uint64_t)hi << 32 | lo;
}

uint64_t pvbm_now_ns(void)
{
	uint64_t c = gt_count(), hz = P->periphclk_hz;

	if (ns_per_tick)
		return c * ns_per_tick;
	return c / hz * 1000000000ull + c % hz * 1000000000ull / hz;
}

/*
 * The comparator is the calling core's (banked): with several cores, a
 * deadline replaced on another core may still fire here once, which the
 * core takes as an early pv_vm_timer_expired() and re-arms.
 */
void pvbm_timer_set(uint64_t deadline_ns)
{
	uint64_t t, hz = P->periphclk_hz;

	/* The comparator must be disabled while it is rewritten. */
	pvbm_wr(gt + GT_CTRL, GT_EN);
	pvbm_wr(gt + GT_STATUS, 1);
	if (deadline_ns == UINT64_MAX)
		return;
	t = deadline_ns / 1000000000ull * hz +
	    deadline_ns % 1000000000ull * hz / 1000000000ull;
	pvbm_wr(gt + GT_CMP_LO, (uint32_t)t);
	pvbm_wr(gt + GT_CMP_HI, (uint32_t)(t >> 32));
	pvbm_wr(gt + GT_CTRL, GT_EN | GT_CMP_EN | GT_IRQ_EN);
}

/* Service one of our timer interrupts. Return false if @irq is not ours. */
bool pvbm_timer_irq(unsigned irq, bool *oneshot_fired)
{
	if (irq == P->irq_twd) {
		pvbm_wr(twd + TWD_STATUS, 1);
		if (pvbm_ncores < 2 || !pvbm_core_id())
			pvbm_ticks++;
		return true;
	}
	if (irq == P->irq_gtimer) {
		/* One shot: disarm, so the level drops and stays low. */
		pvbm_wr(gt + GT_CTRL, GT_EN);
		pvbm_wr(gt + GT_STATUS, 1);
		*oneshot_fired = true;
		return true;
	}
	return false;
}
