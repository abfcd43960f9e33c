/* SPDX-License-Identifier: MIT */
/*
 * The Cortex-A9 MPCore timers (TRM chapter 4) and the SCU. Besides the
 * register-level cases, two reference models step the hardware one
 * PERIPHCLK tick at a time, as the TRM describes it, and random register
 * writes and time steps are checked against them: counters, flags and
 * the deadline handed to the host timer must agree at every step.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "fake_backend.h"

#define T_LOAD 0x00
#define T_COUNTER 0x04
#define T_CTRL 0x08
#define T_ISR 0x0c
#define W_LOAD 0x20
#define W_COUNTER 0x24
#define W_CTRL 0x28
#define W_ISR 0x2c
#define W_RESET 0x30
#define W_DISABLE 0x34
#define G_LO 0x00
#define G_HI 0x04
#define G_CTRL 0x08
#define G_ISR 0x0c
#define G_CMP_LO 0x10
#define G_CMP_HI 0x14
#define G_INC 0x18

#define TICK PV_A9_PERIPHCLK_NS

static struct pv_gic gic;
static struct pv_vcpu vcpu;
static struct pv_a9_timers t;

static void setup(void)
{
	memset(&vcpu, 0, sizeof(vcpu));
	ck_assert_int_eq(pv_gic_init(&gic, 1, &vcpu), 0);
	static const uint16_t ppi[PV_A9_LINES] = {
		[PV_A9_LINE_TWD] = PV_BOARD_TWD_PPI,
		[PV_A9_LINE_WDT] = PV_BOARD_WDT_PPI,
		[PV_A9_LINE_GT] = PV_BOARD_GT_PPI,
	};

	ck_assert_int_eq(pv_a9_timers_init(&t, 1, &gic, ppi, 0), 0);
}

static void teardown(void)
{
	ck_assert_int_eq(pv_a9_timers_check(&t), 0);
	ck_assert_int_eq(pv_gic_check(&gic), 0);
}

static uint32_t twd_r(uint64_t now, uint32_t off)
{
	uint32_t v = 0xdeadbeef;

	ck_assert_int_eq(pv_a9_twd_read(&t, 0, now, off, 4, &v), 0);
	return v;
}

static void twd_w(uint64_t now, uint32_t off, uint32_t v)
{
	ck_assert_int_eq(pv_a9_twd_write(&t, 0, now, off, 4, v), 0);
}

static uint32_t gt_r(uint64_t now, uint32_t off)
{
	uint32_t v = 0xdeadbeef;

	ck_assert_int_eq(pv_a9_gt_read(&t, 0, now, off, 4, &v), 0);
	return v;
}

static void gt_w(uint64_t now, uint32_t off, uint32_t v)
{
	ck_assert_int_eq(pv_a9_gt_write(&t, 0, now, off, 4, v), 0);
}

START_TEST(twd_one_shot)
{
	twd_w(1000, T_LOAD, 100);
	twd_w(1000, T_CTRL, PV_TWD_CTRL_ENABLE | PV_TWD_CTRL_IRQ);
	ck_assert_uint_eq(pv_a9_timers_next_deadline(&t), 1000 + 100 * TICK);
	ck_assert_uint_eq(twd_r(1500, T_COUNTER), 50);
	ck_assert_uint_eq(twd_r(1999, T_ISR), 0);
	ck_assert(!pv_gic_is_pending(&gic, 0, PV_BOARD_TWD_PPI));
	pv_a9_timers_sync(&t, 2000);
	ck_assert_uint_eq(twd_r(2000, T_ISR), 1);
	ck_assert(pv_gic_is_pending(&gic, 0, PV_BOARD_TWD_PPI));
	/* Without auto-reload the counter stays at zero: no more events. */
	ck_assert_uint_eq(twd_r(50000, T_COUNTER), 0);
	twd_w(50000, T_ISR, 1);
	ck_assert_uint_eq(twd_r(90000, T_ISR), 0);
	ck_assert_uint_eq(pv_a9_timers_next_deadline(&t), PV_TIMER_NEVER);
	/* Writing 0 to the status register does not clear the flag. */
	twd_w(90000, T_COUNTER, 1);
	pv_a9_timers_sync(&t, 90000 + TICK);
	twd_w(90000 + TICK, T_ISR, 0);
	ck_assert_uint_eq(twd_r(90000 + TICK, T_ISR), 1);
}
END_TEST

START_TEST(twd_period_formula)
{
	/* TRM: period = (PRESCALER + 1) x (Load + 1) / PERIPHCLK. */
	const uint64_t period = 2 * 100 * TICK;
	uint64_t expect;

	twd_w(0, T_LOAD, 99);
	twd_w(0, T_CTRL, PV_TWD_CTRL_ENABLE | PV_TWD_CTRL_AUTO |
		       PV_TWD_CTRL_IRQ | 1u << 8);
	expect = 99 * 2 * TICK; /* first zero: Load ticks after the write */
	for (int i = 0; i < 50; i++) {
		uint64_t late = (uint64_t)(i * 37 % 1500);

		ck_assert_uint_eq(pv_a9_timers_next_deadline(&t), expect);
		/* The host timer fires late; the grid must not move. */
		pv_a9_timers_sync(&t, expect + late);
		ck_assert_uint_eq(twd_r(expect + late, T_ISR), 1);
		twd_w(expect + late, T_ISR, 1);
		expect += period;
	}
	/* One tick after a zero the counter holds Load again. */
	ck_assert_uint_eq(twd_r(expect + 2 * TICK, T_COUNTER), 99);
}
END_TEST

START_TEST(twd_irq_enable_gates_line_and_deadline)
{
	twd_w(0, T_LOAD, 10);
	twd_w(0, T_CTRL, PV_TWD_CTRL_ENABLE);
	ck_assert_uint_eq(pv_a9_timers_next_deadline(&t), PV_TIMER_NEVER);
	ck_assert_uint_eq(twd_r(1000, T_ISR), 1); /* the flag sets regardless */
	ck_assert(!t.line[0][0]);
	twd_w(1000, T_CTRL, PV_TWD_CTRL_ENABLE | PV_TWD_CTRL_IRQ);
	ck_assert(t.line[0][0]);
	ck_assert(pv_gic_is_pending(&gic, 0, PV_BOARD_TWD_PPI));
	/* Reserved control bits read as zero. */
	twd_w(1000, T_CTRL, 0xffffffff);
	ck_assert_uint_eq(twd_r(1000, T_CTRL), 0xff07);
}
END_TEST

START_TEST(twd_disabled_counter_holds)
{
	twd_w(0, T_LOAD, 500);
	twd_w(0, T_CTRL, PV_TWD_CTRL_ENABLE);
	twd_w(1000, T_CTRL, 0);
	ck_assert_uint_eq(twd_r(1000000, T_COUNTER), 400);
	twd_w(1000000, T_CTRL, PV_TWD_CTRL_ENABLE);
	ck_assert_uint_eq(twd_r(1000000 + 10 * TICK, T_COUNTER), 390);
	/* A new prescaler restarts the tick grid. */
	twd_w(1000000 + 10 * TICK, T_CTRL, PV_TWD_CTRL_ENABLE | 9u << 8);
	ck_assert_uint_eq(twd_r(1000000 + 10 * TICK + 95 * TICK, T_COUNTER), 381);
}
END_TEST

START_TEST(twd_long_run_large_prescaler)
{
	/* Three hours at prescaler 255: checks the soft 64-bit division. */
	const uint64_t per = 256 * TICK, three_h = 3ull * 3600 * 1000000000ull;

	twd_w(0, T_LOAD, 0xffffffffu);
	twd_w(0, T_CTRL, PV_TWD_CTRL_ENABLE | 255u << 8);
	ck_assert_uint_eq(twd_r(three_h, T_COUNTER), 0xffffffffu - three_h / per);
	gt_w(0, G_CTRL, PV_GT_CTRL_ENABLE | 255u << 8);
	ck_assert_uint_eq(gt_r(three_h, G_LO), (uint32_t)(three_h / per));
	/* Auto-reload over many periods: position within the period. */
	twd_w(three_h, T_LOAD, 12344);
	twd_w(three_h, T_CTRL, PV_TWD_CTRL_ENABLE | PV_TWD_CTRL_AUTO | 6u << 8);
	{
		uint64_t k = (2 * three_h) / (7 * TICK);          /* ticks elapsed */
		uint64_t r = (k - 12344) % 12345;                  /* after 1st zero */
		uint32_t want = r ? (uint32_t)(12344 - r + 1) : 0;

		ck_assert_uint_eq(twd_r(3 * three_h, T_COUNTER), want);
	}
}
END_TEST

START_TEST(watchdog_modes)
{
	/* Timer mode: like the private timer, on PPI 30. */
	twd_w(0, W_LOAD, 5);
	twd_w(0, W_CTRL, PV_TWD_CTRL_ENABLE | PV_TWD_CTRL_IRQ);
	ck_assert_uint_eq(pv_a9_timers_next_deadline(&t), 5 * TICK);
	pv_a9_timers_sync(&t, 5 * TICK);
	ck_assert_uint_eq(twd_r(5 * TICK, W_ISR), 1);
	ck_assert(pv_gic_is_pending(&gic, 0, PV_BOARD_WDT_PPI));
	twd_w(5 * TICK, W_ISR, 1);
	/* Watchdog mode: expiry sets the reset status, no interrupt. */
	twd_w(100, W_LOAD, 5);
	twd_w(100, W_CTRL, PV_TWD_CTRL_ENABLE | PV_TWD_CTRL_WDMODE | PV_TWD_CTRL_IRQ);
	ck_assert_uint_eq(pv_a9_timers_next_deadline(&t), 100 + 5 * TICK);
	pv_a9_timers_sync(&t, 1000);
	ck_assert_uint_eq(twd_r(1000, W_RESET), 1);
	ck_assert_uint_eq(twd_r(1000, W_ISR), 0);
	ck_assert(t.twd[0].reset_request);
	twd_w(1000, W_RESET, 1);
	ck_assert_uint_eq(twd_r(1000, W_RESET), 0);
	/* Writing 0 to control does not leave watchdog mode... */
	twd_w(1000, W_CTRL, 0);
	ck_assert_uint_eq(twd_r(1000, W_CTRL), PV_TWD_CTRL_WDMODE);
	/* ...a broken sequence does not either... */
	twd_w(1000, W_DISABLE, 0x12345678);
	twd_w(1000, W_DISABLE, 0x1);
	twd_w(1000, W_DISABLE, 0x87654321);
	ck_assert_uint_eq(twd_r(1000, W_CTRL), PV_TWD_CTRL_WDMODE);
	/* ...the disable sequence does. */
	twd_w(1000, W_DISABLE, 0x12345678);
	twd_w(1000, W_DISABLE, 0x87654321);
	ck_assert_uint_eq(twd_r(1000, W_CTRL), 0);
}
END_TEST

START_TEST(global_timer_counts)
{
	gt_w(0, G_LO, 0xfffffff0u);
	gt_w(0, G_HI, 1);
	gt_w(0, G_CTRL, PV_GT_CTRL_ENABLE);
	ck_assert_uint_eq(gt_r(100, G_LO), 0xfffffffau);
	ck_assert_uint_eq(gt_r(100, G_HI), 1);
	ck_assert_uint_eq(gt_r(12345, G_LO), 1234 - 16);
	ck_assert_uint_eq(gt_r(12345, G_HI), 2); /* carried into the high word */
	/* Writes to the counter are ignored while it runs. */
	gt_w(2000, G_LO, 0);
	ck_assert_uint_eq(gt_r(2000, G_HI), 2);
	ck_assert_uint_eq(gt_r(2000, G_CTRL), PV_GT_CTRL_ENABLE);
	/* Monotonic: an earlier "now" does not move it back. */
	ck_assert_uint_eq(gt_r(1500, G_LO), gt_r(2000, G_LO));
	gt_w(0, G_CTRL, 0xffffffff);
	ck_assert_uint_eq(gt_r(2000, G_CTRL), 0xff0f);
}
END_TEST

START_TEST(global_timer_comparator)
{
	gt_w(0, G_CMP_LO, 1000);
	gt_w(0, G_CTRL, PV_GT_CTRL_ENABLE | PV_GT_CTRL_COMP | PV_GT_CTRL_IRQ);
	ck_assert_uint_eq(pv_a9_timers_next_deadline(&t), 1000 * TICK);
	ck_assert_uint_eq(gt_r(1000 * TICK - 1, G_ISR), 0);
	pv_a9_timers_sync(&t, 1000 * TICK);
	ck_assert_uint_eq(gt_r(1000 * TICK, G_ISR), 1);
	ck_assert(pv_gic_is_pending(&gic, 0, PV_BOARD_GT_PPI));
	/* One event per comparator value without auto-increment. */
	gt_w(1000 * TICK, G_ISR, 1);
	ck_assert_uint_eq(gt_r(5000 * TICK, G_ISR), 0);
	ck_assert_uint_eq(pv_a9_timers_next_deadline(&t), PV_TIMER_NEVER);
	/* A comparator already passed fires at once rather than never. */
	gt_w(5000 * TICK, G_CMP_LO, 10);
	ck_assert_uint_eq(gt_r(5000 * TICK, G_ISR), 1);
}
END_TEST

START_TEST(global_timer_auto_increment)
{
	gt_w(0, G_CMP_LO, 100);
	gt_w(0, G_INC, 250);
	gt_w(0, G_CTRL, PV_GT_CTRL_ENABLE | PV_GT_CTRL_COMP | PV_GT_CTRL_IRQ |
			PV_GT_CTRL_AUTOINC);
	for (uint64_t k = 0; k < 20; k++) {
		uint64_t due = (100 + 250 * k) * TICK;

		ck_assert_uint_eq(pv_a9_timers_next_deadline(&t), due);
		pv_a9_timers_sync(&t, due + 3 * TICK);
		ck_assert_uint_eq(gt_r(due + 3 * TICK, G_ISR), 1);
		ck_assert_uint_eq(gt_r(due + 3 * TICK, G_CMP_LO), 100 + 250 * (k + 1));
		gt_w(due + 3 * TICK, G_ISR, 1);
	}
	/* Far behind: the comparator catches up to just past the counter. */
	pv_a9_timers_sync(&t, 1000000 * TICK);
	ck_assert_uint_eq(gt_r(1000000 * TICK, G_CMP_LO),
			  100 + 250 * ((1000000 - 100) / 250 + 1));
}
END_TEST

/* ---- reference models: one PERIPHCLK tick at a time --------------------- */

struct ref_cd {
	uint32_t load, count, ctrl;
	bool isr;
	uint64_t next_tick; /* absolute ns of the next tick */
};

static uint64_t ref_tick(uint32_t ctrl)
{
	return (((ctrl >> 8) & 0xff) + 1ull) * TICK;
}

static void ref_cd_step(struct ref_cd *r)
{
	if (r->count > 0) {
		r->count--;
		if (!r->count)
			r->isr = true;
	} else if (r->ctrl & PV_TWD_CTRL_AUTO) {
		r->count = r->load;
		if (!r->count)
			r->isr = true;
	}
}

static void ref_cd_advance(struct ref_cd *r, uint64_t now)
{
	if (!(r->ctrl & PV_TWD_CTRL_ENABLE))
		return;
	while (r->next_tick <= now) {
		ref_cd_step(r);
		r->next_tick += ref_tick(r->ctrl);
	}
}

static uint64_t ref_cd_deadline(const struct ref_cd *r)
{
	struct ref_cd c = *r;

	if (!(c.ctrl & PV_TWD_CTRL_ENABLE) || !(c.ctrl & PV_TWD_CTRL_IRQ) || c.isr ||
	    (!c.count && !(c.ctrl & PV_TWD_CTRL_AUTO)))
		return PV_TIMER_NEVER;
	for (int i = 0; i < 100000; i++) {
		uint64_t at = c.next_tick;

		ref_cd_step(&c);
		if (c.isr)
			return at;
		c.next_tick += ref_tick(c.ctrl);
	}
	return PV_TIMER_NEVER;
}

static uint32_t rng_state;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

START_TEST(twd_matches_tick_reference)
{
	struct ref_cd r = { 0 };
	uint64_t now = 0;

	rng_state = 0x12345u + (uint32_t)_i;
	for (int step = 0; step < 3000; step++) {
		uint32_t op = rnd() % 8, v;

		now += rnd() % 400;
		ref_cd_advance(&r, now);
		switch (op) {
		case 0:
			v = rnd() % 40;
			twd_w(now, T_LOAD, v);
			r.load = r.count = v;
			r.next_tick = now + ref_tick(r.ctrl);
			break;
		case 1:
			v = rnd() % 40;
			twd_w(now, T_COUNTER, v);
			r.count = v;
			r.next_tick = now + ref_tick(r.ctrl);
			break;
		case 2:
			v = (rnd() & 7) | (rnd() % 3) << 8;
			if ((!(r.ctrl & 1) && (v & 1)) || ((r.ctrl ^ v) & 0xff00))
				r.next_tick = now + ref_tick(v);
			twd_w(now, T_CTRL, v);
			r.ctrl = v;
			break;
		case 3:
			twd_w(now, T_ISR, 1);
			r.isr = false;
			break;
		default:
			break;
		}
		ck_assert_uint_eq(twd_r(now, T_COUNTER), r.count);
		ck_assert_uint_eq(twd_r(now, T_ISR), r.isr);
		ck_assert_uint_eq(pv_a9_timers_next_deadline(&t), ref_cd_deadline(&r));
		ck_assert_int_eq(t.line[0][0], r.isr && (r.ctrl & PV_TWD_CTRL_IRQ));
		ck_assert_int_eq(pv_a9_timers_check(&t), 0);
	}
}
END_TEST

struct ref_gt {
	uint64_t count, cmp;
	uint32_t ctrl, inc;
	bool isr, fired;
	uint64_t next_tick;
};

static void ref_gt_compare(struct ref_gt *g)
{
	/* TRM: the comparator fires when the counter reaches it. */
	while ((g->ctrl & PV_GT_CTRL_COMP) && !g->fired && g->count >= g->cmp) {
		g->isr = true;
		if ((g->ctrl & PV_GT_CTRL_AUTOINC) && g->inc)
			g->cmp += g->inc;
		else
			g->fired = true;
	}
}

static void ref_gt_advance(struct ref_gt *g, uint64_t now)
{
	if (!(g->ctrl & PV_GT_CTRL_ENABLE))
		return;
	while (g->next_tick <= now) {
		g->count++;
		ref_gt_compare(g);
		g->next_tick += ref_tick(g->ctrl);
	}
}

/*
 * pv_a9_gt_linear() against the model's own reads: at the next few whole
 * ticks after @now (a backend clock that counts ticks), the counter of a
 * copy of the timers reads T + off, the base time being anything.
 */
static void gt_linear_agrees(uint64_t now, bool enabled)
{
	uint32_t tick = 0;
	uint64_t off = 0;

	if (!pv_a9_gt_linear(&t, &tick, &off)) {
		ck_assert(!enabled);
		return;
	}
	ck_assert(enabled);
	ck_assert_uint_eq(tick, ((t.gt_ctrl >> 8 & 0xff) + 1) * PV_A9_PERIPHCLK_NS);
	for (uint64_t T = (now + tick - 1) / tick, k = 0; k < 3; k++, T += 1 + k * 7) {
		struct pv_a9_timers u = t;
		uint32_t lo, hi;

		u.gic = NULL;
		ck_assert_int_eq(pv_a9_gt_read(&u, 0, T * tick, G_LO, 4, &lo), 0);
		ck_assert_int_eq(pv_a9_gt_read(&u, 0, T * tick, G_HI, 4, &hi), 0);
		ck_assert_msg(((uint64_t)hi << 32 | lo) == T + off,
			      "T %llu: counter %llu, linear %llu", (unsigned long long)T,
			      (unsigned long long)((uint64_t)hi << 32 | lo),
			      (unsigned long long)(T + off));
	}
}

START_TEST(gt_matches_tick_reference)
{
	struct ref_gt g = { 0 };
	uint64_t now = 0;

	rng_state = 0x9e3779b9u + (uint32_t)_i;
	for (int step = 0; step < 3000; step++) {
		uint32_t op = rnd() % 8, v;

		now += rnd() % 400;
		ref_gt_advance(&g, now);
		switch (op) {
		case 0:
			v = (uint32_t)g.count + rnd() % 60;
			gt_w(now, G_CMP_LO, v);
			g.cmp = (g.cmp & ~0xffffffffull) | v;
			g.fired = false;
			break;
		case 1:
			v = rnd() % 30;
			gt_w(now, G_INC, v);
			g.inc = v;
			break;
		case 2:
			v = (rnd() & 0xf) | (rnd() % 3) << 8;
			if ((!(g.ctrl & 1) && (v & 1)) || ((g.ctrl ^ v) & 0xff00))
				g.next_tick = now + ref_tick(v);
			if ((g.ctrl ^ v) & 0xe)
				g.fired = false;
			gt_w(now, G_CTRL, v);
			g.ctrl = v;
			break;
		case 3:
			gt_w(now, G_ISR, 1);
			g.isr = false;
			break;
		case 4:
			v = rnd() % 100;
			gt_w(now, G_LO, v);
			if (!(g.ctrl & PV_GT_CTRL_ENABLE))
				g.count = (g.count & ~0xffffffffull) | v;
			break;
		default:
			break;
		}
		ref_gt_compare(&g);
		gt_linear_agrees(now, (g.ctrl & PV_GT_CTRL_ENABLE) != 0);
		ck_assert_uint_eq(gt_r(now, G_LO), (uint32_t)g.count);
		ck_assert_uint_eq(gt_r(now, G_CMP_LO), (uint32_t)g.cmp);
		ck_assert_uint_eq(gt_r(now, G_ISR), g.isr);
		ck_assert_int_eq(t.line[0][2], g.isr && (g.ctrl & PV_GT_CTRL_IRQ));
		/* The deadline is the tick at which the counter reaches it. */
		if ((g.ctrl & 7) == 7 && !g.isr && !g.fired && g.cmp > g.count)
			ck_assert_uint_eq(pv_a9_timers_next_deadline(&t),
					  g.next_tick + (g.cmp - g.count - 1) * ref_tick(g.ctrl));
	}
}
END_TEST

/* ---- the SCU ------------------------------------------------------------------ */

START_TEST(scu_registers)
{
	struct pv_scu scu;
	uint32_t v;

	pv_scu_init(&scu, 1);
	ck_assert_int_eq(pv_scu_read(&scu, 0x04, 4, &v), 0);
	ck_assert_uint_eq(v & 3, 0);          /* one CPU */
	ck_assert_uint_eq((v >> 4) & 0xf, 1); /* in SMP mode */
	pv_scu_init(&scu, 4);
	pv_scu_read(&scu, 0x04, 4, &v);
	ck_assert_uint_eq(v & 3, 3);
	ck_assert_uint_eq((v >> 4) & 0xf, 0xf);
	pv_scu_write(&scu, 0x00, 4, 1);
	pv_scu_read(&scu, 0x00, 4, &v);
	ck_assert_uint_eq(v, 1);
	/* Power status: a byte per CPU, two bits each. */
	pv_scu_write(&scu, 0x0a, 1, 3);
	pv_scu_read(&scu, 0x08, 4, &v);
	ck_assert_uint_eq(v, 0x00030000);
	pv_scu_write(&scu, 0x08, 4, 0xffffffff);
	pv_scu_read(&scu, 0x08, 4, &v);
	ck_assert_uint_eq(v, 0x03030303);
	pv_scu_init(&scu, 1);
	pv_scu_write(&scu, 0x09, 1, 3); /* no CPU 1 */
	pv_scu_read(&scu, 0x08, 4, &v);
	ck_assert_uint_eq(v, 0);
	pv_scu_write(&scu, 0x0c, 4, 0xffff); /* invalidate all: accepted */
	pv_scu_read(&scu, 0x0c, 4, &v);
	ck_assert_uint_eq(v, 0);
}
END_TEST

/* ---- through the board: memory map, host timer ---------------------------- */

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;

static void vm_setup(void)
{
	ck_assert_int_eq(fake_backend_setup(&fb, &cfg), 0);
	fb.now = 1000000;
	vm = calloc(1, sizeof(*vm));
	ck_assert_ptr_nonnull(vm);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
}

static void vm_teardown(void)
{
	free(vm);
	fake_backend_teardown(&fb);
}

static void mw(uint32_t gpa, uint32_t v)
{
	ck_assert_int_eq(pv_memmap_write(&vm->map, pv_gpa(gpa), 4, v), 0);
}

static uint32_t mr(uint32_t gpa)
{
	uint64_t v = 0;

	ck_assert_int_eq(pv_memmap_read(&vm->map, pv_gpa(gpa), 4, &v), 0);
	return (uint32_t)v;
}

START_TEST(board_twd_drives_host_timer_and_irq)
{
	const uint32_t twd = PV_BOARD_PERIPH_BASE + PV_BOARD_TWD_OFFSET;
	const uint32_t d = PV_BOARD_PERIPH_BASE + PV_BOARD_GICD_OFFSET;
	const uint32_t c = PV_BOARD_PERIPH_BASE + PV_BOARD_GICC_OFFSET;
	unsigned sets;

	ck_assert_uint_eq(fb.deadline, PV_TIMER_NEVER);
	mw(d + 0x000, 1);
	mw(d + 0x100, 1u << PV_BOARD_TWD_PPI);
	mw(c + 0x000, 1);
	mw(c + 0x004, 0xf0);
	/* Linux twd_set_periodic: load, then control. */
	mw(twd + T_LOAD, 999);
	mw(twd + T_CTRL, PV_TWD_CTRL_ENABLE | PV_TWD_CTRL_AUTO | PV_TWD_CTRL_IRQ);
	ck_assert_uint_eq(fb.deadline, 1000000 + 999 * TICK);
	sets = fb.timer_sets;
	/* Reads that change nothing do not reprogram the host timer. */
	(void)mr(twd + T_COUNTER);
	ck_assert_uint_eq(fb.timer_sets, sets);
	fb.now = fb.deadline;
	pv_vm_timer_expired(vm);
	ck_assert(vm->vcpu[0].irq_line);
	/* Flag set, nothing due: the spent one-shot is not re-armed. */
	ck_assert_uint_eq(fb.timer_sets, sets);
	ck_assert_uint_eq(mr(c + 0x00c), PV_BOARD_TWD_PPI);
	mw(twd + T_ISR, 1);
	mw(c + 0x010, PV_BOARD_TWD_PPI);
	ck_assert(!vm->vcpu[0].irq_line);
	/* The next tick stays on the grid. */
	ck_assert_uint_eq(fb.deadline, 1000000 + (999 + 1000) * TICK);
}
END_TEST

START_TEST(board_earliest_deadline_wins)
{
	const uint32_t twd = PV_BOARD_PERIPH_BASE + PV_BOARD_TWD_OFFSET;
	const uint32_t gt = PV_BOARD_PERIPH_BASE + PV_BOARD_GT_OFFSET;

	mw(gt + G_CMP_LO, 5000);
	mw(gt + G_CTRL, PV_GT_CTRL_ENABLE | PV_GT_CTRL_COMP | PV_GT_CTRL_IRQ);
	ck_assert_uint_eq(fb.deadline, 1000000 + 5000 * TICK);
	mw(twd + T_LOAD, 300);
	mw(twd + T_CTRL, PV_TWD_CTRL_ENABLE | PV_TWD_CTRL_IRQ);
	ck_assert_uint_eq(fb.deadline, 1000000 + 300 * TICK);
	fb.now += 300 * TICK;
	pv_vm_timer_expired(vm);
	ck_assert_uint_eq(fb.deadline, 1000000 + 5000 * TICK);
	mw(gt + G_CTRL, PV_GT_CTRL_ENABLE);
	ck_assert_uint_eq(fb.deadline, PV_TIMER_NEVER);
	/* The SCU answers too: one CPU. */
	ck_assert_uint_eq(mr(PV_BOARD_PERIPH_BASE + 4) & 3, 0);
}
END_TEST

START_TEST(board_watchdog_resets_the_system)
{
	const uint32_t twd = PV_BOARD_PERIPH_BASE + PV_BOARD_TWD_OFFSET;
	struct pv_exit ex;

	mw(twd + W_LOAD, 100);
	mw(twd + W_CTRL, PV_TWD_CTRL_ENABLE | PV_TWD_CTRL_WDMODE);
	ck_assert_uint_eq(fb.deadline, 1000000 + 100 * TICK);
	/* Linux's mpcore_wdt pets it: reloading moves the deadline. */
	fb.now += 50 * TICK;
	mw(twd + W_LOAD, 100);
	ck_assert_uint_eq(fb.deadline, 1000000 + 150 * TICK);
	ck_assert_int_eq(vm->vcpu[0].stop, PV_STOP_NONE);
	fb.now = fb.deadline;
	pv_vm_timer_expired(vm);
	ck_assert_uint_eq(mr(twd + W_RESET), 1);
	/* Latched by the board; the vCPU stops at its next entry point. */
	ck_assert(pv_devices_reset_requested(&vm->dev));
	ck_assert_int_eq(pv_vcpu_poll(&vm->vcpu[0], &ex), 0);
	ck_assert_int_eq(vm->vcpu[0].stop, PV_STOP_RESET);
	ck_assert_int_eq(ex.action, PV_ACTION_STOP);
	ck_assert_int_eq(ex.stop, PV_STOP_RESET);
	ck_assert_uint_eq(fb.log_lines, 1);
}
END_TEST

START_TEST(board_tick_is_delivered_as_irq_exception)
{
	const uint32_t twd = PV_BOARD_PERIPH_BASE + PV_BOARD_TWD_OFFSET;
	const uint32_t d = PV_BOARD_PERIPH_BASE + PV_BOARD_GICD_OFFSET;
	const uint32_t c = PV_BOARD_PERIPH_BASE + PV_BOARD_GICC_OFFSET;
	struct pv_vcpu *v = &vm->vcpu[0];
	struct pv_exit ex;

	mw(d + 0x000, 1);
	mw(d + 0x100, 1u << PV_BOARD_TWD_PPI);
	mw(c + 0x000, 1);
	mw(c + 0x004, 0xf0);
	mw(twd + T_LOAD, 100);
	mw(twd + T_CTRL, PV_TWD_CTRL_ENABLE | PV_TWD_CTRL_IRQ);
	/* The guest idles in WFI with IRQs masked, as Linux does. */
	v->r[15] = PV_BOARD_RAM_BASE + 0x100;
	v->wfi = true;
	fb.now = fb.deadline - 1;
	pv_vm_timer_expired(vm);
	ck_assert_int_eq(pv_vcpu_poll(v, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_WAIT); /* not yet due */
	fb.now = fb.deadline;
	pv_vm_timer_expired(vm);
	ck_assert_int_eq(pv_vcpu_poll(v, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME); /* WFI ends, I still set */
	ck_assert_uint_eq(v->cpsr & PV_PSR_M_MASK, PV_MODE_SVC);
	/* Unmasked: the IRQ exception is taken at the vector. */
	v->cpsr &= ~PV_PSR_I;
	ck_assert_int_eq(pv_vcpu_poll(v, &ex), 0);
	ck_assert_uint_eq(v->cpsr & PV_PSR_M_MASK, PV_MODE_IRQ);
	ck_assert_uint_eq(v->r[15], 0x18);
	ck_assert_uint_eq(mr(c + 0x00c), PV_BOARD_TWD_PPI);
}
END_TEST

/* The backend's wait: time passes until the host timer fires, reported. */
static unsigned waits;

static void wait_for_timer(void *ctx)
{
	struct pv_vm *w = ctx;

	waits++;
	fb.now = fb.deadline;
	pv_vm_timer_expired(w);
}

/*
 * The run-loop helper: a guest WFI with IRQs unmasked waits (the backend's
 * wait function runs) until the tick, which is taken at the IRQ vector,
 * and the resume state is filled; without a wait function the caller is
 * told to wait.
 */
START_TEST(run_trap_waits_and_delivers_the_tick)
{
	const uint32_t twd = PV_BOARD_PERIPH_BASE + PV_BOARD_TWD_OFFSET;
	const uint32_t d = PV_BOARD_PERIPH_BASE + PV_BOARD_GICD_OFFSET;
	const uint32_t c = PV_BOARD_PERIPH_BASE + PV_BOARD_GICC_OFFSET;
	const uint32_t pc = PV_BOARD_RAM_BASE + 0x100;
	struct pv_vcpu *v = &vm->vcpu[0];
	struct pv_trap t = { PV_TRAP_UNDEF, PV_MODE_USR, 0, 0 };
	struct pv_resume rs;
	struct pv_exit ex;

	ck_assert_int_eq(pv_vm_load(vm, pv_gpa(pc), &(uint32_t){ 0xe320f003u }, 4),
			 0); /* wfi */
	mw(d + 0x000, 1);
	mw(d + 0x100, 1u << PV_BOARD_TWD_PPI);
	mw(c + 0x000, 1);
	mw(c + 0x004, 0xf0);
	mw(twd + T_LOAD, 100);
	mw(twd + T_CTRL, PV_TWD_CTRL_ENABLE | PV_TWD_CTRL_IRQ);
	pv_vcpu_write_cpsr(v, PV_MODE_SVC);
	/* No wait function: the caller is told to wait. */
	v->r[15] = pc;
	ck_assert_int_eq(pv_vcpu_run_trap(v, &t, NULL, NULL, &ex, &rs), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_WAIT);
	ck_assert_int_eq(ex.reason, PV_TR_WFI);
	/* With one: it runs until the tick, which is delivered. */
	v->wfi = false;
	v->r[15] = pc;
	waits = 0;
	ck_assert_int_eq(pv_vcpu_run_trap(v, &t, wait_for_timer, vm, &ex, &rs), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
	ck_assert_int_eq(ex.reason, PV_TR_WFI);
	ck_assert_uint_eq(waits, 1);
	ck_assert_uint_eq(v->cpsr & PV_PSR_M_MASK, PV_MODE_IRQ);
	ck_assert_uint_eq(v->r[15], 0x18);
	ck_assert_uint_eq(v->r[14], pc + 8); /* the WFI completed: next + 4 */
	ck_assert_uint_eq(rs.host_cpsr & PV_PSR_M_MASK, PV_MODE_USR);
	ck_assert_uint_ne(pv_hpa_val(rs.ttbr0), 0);
	ck_assert_uint_eq(pv_vm_event_count(vm, PV_EV_VIRQ), 1);
}
END_TEST

static Suite *timers_suite(void)
{
	Suite *s = suite_create("timers");
	TCase *tc = tcase_create("a9");
	TCase *b = tcase_create("board");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, twd_one_shot);
	tcase_add_test(tc, twd_period_formula);
	tcase_add_test(tc, twd_irq_enable_gates_line_and_deadline);
	tcase_add_test(tc, twd_disabled_counter_holds);
	tcase_add_test(tc, twd_long_run_large_prescaler);
	tcase_add_test(tc, watchdog_modes);
	tcase_add_test(tc, global_timer_counts);
	tcase_add_test(tc, global_timer_comparator);
	tcase_add_test(tc, global_timer_auto_increment);
	tcase_add_loop_test(tc, twd_matches_tick_reference, 0, 4);
	tcase_add_loop_test(tc, gt_matches_tick_reference, 0, 4);
	tcase_add_test(tc, scu_registers);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(b, vm_setup, vm_teardown);
	tcase_add_test(b, board_twd_drives_host_timer_and_irq);
	tcase_add_test(b, board_earliest_deadline_wins);
	tcase_add_test(b, board_watchdog_resets_the_system);
	tcase_add_test(b, board_tick_is_delivered_as_irq_exception);
	tcase_add_test(b, run_trap_waits_and_delivers_the_tick);
	suite_add_tcase(s, b);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(timers_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
