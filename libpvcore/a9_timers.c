/* SPDX-License-Identifier: MIT */
/*
 * Cortex-A9 MPCore private timer, watchdog and global timer, computed from
 * the backend's monotonic clock (see libpvcore/a9_timers.h).
 */
#include <pvcore/backend.h>
#include <pvcore/error.h>

#include "a9_timers.h"

#include "pv_internal.h"

#define TWD_CTRL_MASK (PV_TWD_CTRL_ENABLE | PV_TWD_CTRL_AUTO | PV_TWD_CTRL_IRQ | \
		       PV_TWD_CTRL_PRESCALER)
#define WDT_CTRL_MASK (TWD_CTRL_MASK | PV_TWD_CTRL_WDMODE)
#define GT_SHARED (PV_GT_CTRL_ENABLE | PV_GT_CTRL_PRESCALER)
#define GT_BANKED (PV_GT_CTRL_COMP | PV_GT_CTRL_IRQ | PV_GT_CTRL_AUTOINC)
/* Far-away deadlines are capped: waking up early is harmless, overflow not. */
#define MAX_DEADLINE_TICKS (1ull << 32)


static unsigned clz64(uint64_t v)
{
	uint32_t hi = (uint32_t)(v >> 32);

	/* 32-bit clz only: the 64-bit builtin may call into libgcc. */
	if (hi)
		return (unsigned)__builtin_clz(hi);
	return 32u + (unsigned)__builtin_clz((uint32_t)v);
}

/*
 * n / d by binary long division. The core must not depend on libgcc's
 * __aeabi_uldivmod and the Cortex-A9 has no divide instruction; the
 * dividends here are usually small (time since the last look).
 */
static uint64_t udiv64(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0, r = 0;

	if (n < d) {
		if (rem)
			*rem = n;
		return 0;
	}
	for (int i = 63 - (int)clz64(n); i >= 0; i--) {
		r = (r << 1) | ((n >> i) & 1u);
		if (r >= d) {
			r -= d;
			q |= 1ull << i;
		}
	}
	if (rem)
		*rem = r;
	return q;
}

static uint64_t tick_ns(uint32_t ctrl)
{
	return (uint64_t)(((ctrl >> 8) & 0xffu) + 1u) * PV_A9_PERIPHCLK_NS;
}

/* ---- down-counters ------------------------------------------------------------ */

/*
 * Advance @c to @now. Each tick a non-zero counter decrements; reaching
 * zero is the event. At zero, auto-reload loads Load on the next tick
 * (period (Load+1) ticks); otherwise the counter stays at zero.
 * Return: whether the counter reached zero in the interval.
 */
static bool cd_advance(struct pv_a9_countdown *c, uint64_t now)
{
	uint64_t per, k, r, p, q;
	bool event = false;

	if (!(c->ctrl & PV_TWD_CTRL_ENABLE) || now <= c->base_ns)
		return false;
	per = tick_ns(c->ctrl);
	k = udiv64(now - c->base_ns, per, NULL);
	if (!k)
		return false;
	c->base_ns += k * per;
	if (!(c->ctrl & PV_TWD_CTRL_AUTO)) {
		if (!c->count)
			return false;
		if (k >= c->count) {
			c->count = 0;
			return true;
		}
		c->count -= (uint32_t)k;
		return false;
	}
	if (c->count) {
		if (k < c->count) {
			c->count -= (uint32_t)k;
			return false;
		}
		event = true;
		r = k - c->count;
	} else {
		r = k;
	}
	/* r ticks after a zero: whole reload periods, then the remainder. */
	q = udiv64(r, (uint64_t)c->load + 1, &p);
	if (q)
		event = true;
	c->count = p ? (uint32_t)((uint64_t)c->load - p + 1) : 0;
	return event;
}

static uint64_t cd_deadline(const struct pv_a9_countdown *c)
{
	uint64_t idx;

	if (c->count)
		idx = c->count;
	else if (c->ctrl & PV_TWD_CTRL_AUTO)
		idx = (uint64_t)c->load + 1;
	else
		return PV_TIMER_NEVER;
	return c->base_ns + idx * tick_ns(c->ctrl);
}

static void twd_advance(struct pv_a9_twd *w, uint64_t now)
{
	if (cd_advance(&w->timer, now))
		w->timer.isr = 1;
	if (cd_advance(&w->wdt, now)) {
		if (w->wdt.ctrl & PV_TWD_CTRL_WDMODE) {
			w->reset_status = 1;
			w->reset_request = true;
		} else {
			w->wdt.isr = 1;
		}
	}
}

/* ---- global timer ---------------------------------------------------------------- */

static void gt_advance(struct pv_a9_timers *t, uint64_t now)
{
	uint64_t per, k;

	if (!(t->gt_ctrl & PV_GT_CTRL_ENABLE) || now <= t->gt_base_ns)
		return;
	per = tick_ns(t->gt_ctrl);
	k = udiv64(now - t->gt_base_ns, per, NULL);
	t->gt_count += k;
	t->gt_base_ns += k * per;
	t->gt_base_tick += k;
}

/* A new base time: its tick, rounded up (once per enable or prescaler). */
static void gt_rebase(struct pv_a9_timers *t, uint64_t now)
{
	uint64_t per = tick_ns(t->gt_ctrl), rem;

	t->gt_base_ns = now;
	t->gt_base_tick = udiv64(now, per, &rem) + (rem != 0);
}

bool pv_a9_gt_linear(const struct pv_a9_timers *t, uint32_t *tick_ns_out,
		     uint64_t *off)
{
	/*
	 * count(T * per) = gt_count + floor((T * per - base) / per)
	 *                = gt_count + T - ceil(base / per).
	 */
	if (!(t->gt_ctrl & PV_GT_CTRL_ENABLE))
		return false;
	*tick_ns_out = (uint32_t)tick_ns(t->gt_ctrl);
	*off = t->gt_count - t->gt_base_tick;
	return true;
}

/*
 * The comparator fires when the counter reaches it (>=, so a comparator
 * the counter already passed fires at once instead of after 2^64 ticks).
 * With auto-increment it moves on by as many increments as the hardware
 * would have added had it been looking at every tick.
 */
static void gt_compare(struct pv_a9_timers *t)
{
	for (unsigned cpu = 0; cpu < t->ncpus; cpu++) {
		struct pv_a9_gt_cpu *g = &t->gt[cpu];
		uint64_t n;

		if (!(g->ctrl & PV_GT_CTRL_COMP) || g->fired ||
		    t->gt_count < g->comparator)
			continue;
		g->isr = 1;
		if ((g->ctrl & PV_GT_CTRL_AUTOINC) && g->autoinc) {
			n = udiv64(t->gt_count - g->comparator, g->autoinc, NULL) + 1;
			g->comparator += n * g->autoinc;
		} else {
			g->fired = true;
		}
	}
}

static uint64_t gt_deadline(const struct pv_a9_timers *t, unsigned cpu)
{
	const struct pv_a9_gt_cpu *g = &t->gt[cpu];
	uint64_t diff;

	if (!(t->gt_ctrl & PV_GT_CTRL_ENABLE) || !(g->ctrl & PV_GT_CTRL_COMP) ||
	    !(g->ctrl & PV_GT_CTRL_IRQ) || g->isr || g->fired ||
	    g->comparator <= t->gt_count)
		return PV_TIMER_NEVER;
	diff = g->comparator - t->gt_count;
	if (diff > MAX_DEADLINE_TICKS)
		diff = MAX_DEADLINE_TICKS;
	return t->gt_base_ns + diff * tick_ns(t->gt_ctrl);
}

/* ---- outputs, sync, deadlines ------------------------------------------------------ */

static void want_lines(const struct pv_a9_timers *t, unsigned cpu, bool out[PV_A9_LINES])
{
	const struct pv_a9_twd *w = &t->twd[cpu];

	out[PV_A9_LINE_TWD] = w->timer.isr && (w->timer.ctrl & PV_TWD_CTRL_IRQ);
	out[PV_A9_LINE_WDT] = w->wdt.isr && (w->wdt.ctrl & PV_TWD_CTRL_IRQ) &&
			!(w->wdt.ctrl & PV_TWD_CTRL_WDMODE);
	out[PV_A9_LINE_GT] = t->gt[cpu].isr && (t->gt[cpu].ctrl & PV_GT_CTRL_IRQ);
}

static void update_lines(struct pv_a9_timers *t)
{
	for (unsigned cpu = 0; cpu < t->ncpus; cpu++) {
		bool want[PV_A9_LINES];

		want_lines(t, cpu, want);
		for (unsigned l = 0; l < PV_A9_LINES; l++) {
			if (want[l] == t->line[cpu][l])
				continue;
			t->line[cpu][l] = want[l];
			if (t->gic)
				(void)pv_gic_set_line(t->gic, cpu, t->ppi[l], want[l]);
		}
	}
}

static void advance_all(struct pv_a9_timers *t, uint64_t now)
{
	for (unsigned cpu = 0; cpu < t->ncpus; cpu++)
		twd_advance(&t->twd[cpu], now);
	gt_advance(t, now);
	gt_compare(t);
}

void pv_a9_timers_sync(struct pv_a9_timers *t, uint64_t now)
{
	advance_all(t, now);
	update_lines(t);
}

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

uint64_t pv_a9_timers_next_deadline(const struct pv_a9_timers *t)
{
	uint64_t d = PV_TIMER_NEVER;

	for (unsigned cpu = 0; cpu < t->ncpus; cpu++) {
		const struct pv_a9_twd *w = &t->twd[cpu];
		const struct pv_a9_countdown *c = &w->timer;

		if ((c->ctrl & PV_TWD_CTRL_ENABLE) && (c->ctrl & PV_TWD_CTRL_IRQ) &&
		    !c->isr)
			d = min64(d, cd_deadline(c));
		c = &w->wdt;
		if ((c->ctrl & PV_TWD_CTRL_ENABLE) &&
		    ((c->ctrl & PV_TWD_CTRL_WDMODE) ? !w->reset_status :
		     ((c->ctrl & PV_TWD_CTRL_IRQ) && !c->isr)))
			d = min64(d, cd_deadline(c));
		d = min64(d, gt_deadline(t, cpu));
	}
	return d;
}

int pv_a9_timers_init(struct pv_a9_timers *t, unsigned ncpus,
		      struct pv_gic *gic, const uint16_t ppi[PV_A9_LINES],
		      uint64_t now)
{
	for (unsigned l = 0; l < PV_A9_LINES; l++)
		if (ppi[l] < 16 || ppi[l] > 31)
			return PV_EINVAL;
	if (!ncpus || ncpus > PV_GIC_MAX_CPUS)
		return PV_EINVAL;
	pv_memset(t, 0, sizeof(*t));
	t->ncpus = ncpus;
	t->gic = gic;
	for (unsigned l = 0; l < PV_A9_LINES; l++)
		t->ppi[l] = ppi[l];
	gt_rebase(t, now);
	for (unsigned cpu = 0; cpu < ncpus; cpu++) {
		t->twd[cpu].timer.base_ns = now;
		t->twd[cpu].wdt.base_ns = now;
	}
	return 0;
}

/* ---- private timer and watchdog registers --------------------------------------------- */

static void cd_write_ctrl(struct pv_a9_countdown *c, uint32_t v, uint32_t mask,
			  uint64_t now)
{
	uint32_t old = c->ctrl;

	c->ctrl = v & mask;
	/* Starting, or a new prescaler, begins a new tick grid. */
	if ((!(old & PV_TWD_CTRL_ENABLE) && (c->ctrl & PV_TWD_CTRL_ENABLE)) ||
	    (old ^ c->ctrl) & PV_TWD_CTRL_PRESCALER)
		c->base_ns = now;
}

static void cd_write_count(struct pv_a9_countdown *c, uint32_t v, uint64_t now)
{
	c->count = v;
	c->base_ns = now;
}

int pv_a9_twd_read(struct pv_a9_timers *t, unsigned cpu, uint64_t now,
		   uint32_t offset, unsigned size, uint32_t *val)
{
	struct pv_a9_twd *w;
	uint32_t v = 0;

	if (cpu >= t->ncpus)
		return PV_ERANGE;
	w = &t->twd[cpu];
	pv_a9_timers_sync(t, now);
	if (size != 4) {
		*val = 0;
		return 0;
	}
	switch (offset) {
	case 0x00: v = w->timer.load; break;
	case 0x04: v = w->timer.count; break;
	case 0x08: v = w->timer.ctrl; break;
	case 0x0c: v = w->timer.isr; break;
	case 0x20: v = w->wdt.load; break;
	case 0x24: v = w->wdt.count; break;
	case 0x28: v = w->wdt.ctrl; break;
	case 0x2c: v = w->wdt.isr; break;
	case 0x30: v = w->reset_status; break;
	default: break; /* 0x34 (disable) is write-only */
	}
	*val = v;
	return 0;
}

int pv_a9_twd_write(struct pv_a9_timers *t, unsigned cpu, uint64_t now,
		    uint32_t offset, unsigned size, uint32_t val)
{
	struct pv_a9_twd *w;

	if (cpu >= t->ncpus)
		return PV_ERANGE;
	w = &t->twd[cpu];
	advance_all(t, now);
	if (size == 4) {
		switch (offset) {
		case 0x00:
			w->timer.load = val;
			cd_write_count(&w->timer, val, now);
			break;
		case 0x04: cd_write_count(&w->timer, val, now); break;
		case 0x08: cd_write_ctrl(&w->timer, val, TWD_CTRL_MASK, now); break;
		case 0x0c: w->timer.isr &= ~val & 1u; break;
		case 0x20:
			w->wdt.load = val;
			cd_write_count(&w->wdt, val, now);
			break;
		case 0x24: cd_write_count(&w->wdt, val, now); break;
		case 0x28:
			/* Watchdog mode is left only through the disable sequence. */
			cd_write_ctrl(&w->wdt, val | (w->wdt.ctrl & PV_TWD_CTRL_WDMODE),
				      WDT_CTRL_MASK, now);
			break;
		case 0x2c: w->wdt.isr &= ~val & 1u; break;
		case 0x30: w->reset_status &= ~val & 1u; break;
		case 0x34:
			if (val == 0x12345678u) {
				w->disable_seq = 1;
			} else {
				if (val == 0x87654321u && w->disable_seq == 1)
					w->wdt.ctrl &= ~PV_TWD_CTRL_WDMODE;
				w->disable_seq = 0;
			}
			break;
		default: break;
		}
	}
	update_lines(t);
	return 0;
}

/* ---- global timer registers --------------------------------------------------------------- */

int pv_a9_gt_read(struct pv_a9_timers *t, unsigned cpu, uint64_t now,
		  uint32_t offset, unsigned size, uint32_t *val)
{
	struct pv_a9_gt_cpu *g;
	uint32_t v = 0;

	if (cpu >= t->ncpus)
		return PV_ERANGE;
	g = &t->gt[cpu];
	pv_a9_timers_sync(t, now);
	if (size != 4) {
		*val = 0;
		return 0;
	}
	switch (offset) {
	case 0x00: v = (uint32_t)t->gt_count; break;
	case 0x04: v = (uint32_t)(t->gt_count >> 32); break;
	case 0x08: v = t->gt_ctrl | g->ctrl; break;
	case 0x0c: v = g->isr; break;
	case 0x10: v = (uint32_t)g->comparator; break;
	case 0x14: v = (uint32_t)(g->comparator >> 32); break;
	case 0x18: v = g->autoinc; break;
	default: break;
	}
	*val = v;
	return 0;
}

static uint64_t set_half(uint64_t old, bool high, uint32_t v)
{
	return high ? (old & 0xffffffffu) | (uint64_t)v << 32
		    : (old & ~0xffffffffull) | v;
}

int pv_a9_gt_write(struct pv_a9_timers *t, unsigned cpu, uint64_t now,
		   uint32_t offset, unsigned size, uint32_t val)
{
	struct pv_a9_gt_cpu *g;
	uint32_t old;

	if (cpu >= t->ncpus)
		return PV_ERANGE;
	g = &t->gt[cpu];
	advance_all(t, now);
	if (size == 4) {
		switch (offset) {
		case 0x00:
		case 0x04:
			/* The counter is writable only while the timer is stopped. */
			if (!(t->gt_ctrl & PV_GT_CTRL_ENABLE))
				t->gt_count = set_half(t->gt_count, offset == 4, val);
			break;
		case 0x08:
			old = t->gt_ctrl;
			t->gt_ctrl = val & GT_SHARED;
			if ((g->ctrl ^ val) & GT_BANKED)
				g->fired = false;
			g->ctrl = val & GT_BANKED;
			if ((!(old & PV_GT_CTRL_ENABLE) &&
			     (t->gt_ctrl & PV_GT_CTRL_ENABLE)) ||
			    (old ^ t->gt_ctrl) & PV_GT_CTRL_PRESCALER)
				gt_rebase(t, now);
			break;
		case 0x0c: g->isr &= ~val & 1u; break;
		case 0x10:
		case 0x14:
			g->comparator = set_half(g->comparator, offset == 0x14, val);
			g->fired = false;
			break;
		case 0x18: g->autoinc = val; break;
		default: break;
		}
	}
	gt_compare(t);
	update_lines(t);
	return 0;
}

int pv_a9_timers_check(const struct pv_a9_timers *t)
{
	if (!t->ncpus || t->ncpus > PV_GIC_MAX_CPUS || t->gt_ctrl & ~GT_SHARED)
		return PV_ESTATE;
	for (unsigned cpu = 0; cpu < t->ncpus; cpu++) {
		const struct pv_a9_twd *w = &t->twd[cpu];
		const struct pv_a9_gt_cpu *g = &t->gt[cpu];
		bool want[PV_A9_LINES];

		if (w->timer.ctrl & ~TWD_CTRL_MASK || w->wdt.ctrl & ~WDT_CTRL_MASK ||
		    w->timer.isr > 1 || w->wdt.isr > 1 || w->reset_status > 1 ||
		    g->ctrl & ~GT_BANKED || g->isr > 1)
			return PV_ESTATE;
		want_lines(t, cpu, want);
		for (unsigned l = 0; l < PV_A9_LINES; l++)
			if (want[l] != t->line[cpu][l])
				return PV_ESTATE;
	}
	return 0;
}
