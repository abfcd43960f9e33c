/* SPDX-License-Identifier: MIT */
/**
 * DOC: the Cortex-A9 MPCore timers: private timer, watchdog, global timer
 *
 * All three count PERIPHCLK, which the virtual board runs at
 * PV_A9_PERIPHCLK_HZ (100 MHz, one tick per 10 ns; the device tree's
 * fixed clock says the same). Counters are derived from the backend's
 * monotonic now_ns() clock, not from how often the host timer fires: each
 * counter keeps the value it had at an instant @base_ns and the state at
 * any later time is computed from the elapsed ticks, with @base_ns moved
 * forward by whole ticks only. So a late host timer never loses or adds a
 * tick, and a periodic timer's expiries stay on the exact grid
 * (Load+1) x (Prescaler+1) ticks apart (Cortex-A9 MPCore TRM, 4.1).
 *
 * Interrupt status flags are sticky, as in hardware, so several expiries
 * between two looks collapse into one flag. The interrupt outputs (PPI 29
 * private timer, 30 watchdog, 27 global timer) are high while the flag and
 * the IRQ enable are both set; the GIC configures those PPIs as edge
 * triggered, exactly as the A9 wires them.
 *
 * Time only moves when pv_a9_timers_sync() (or an access) is called with a
 * later @now; pv_a9_timers_next_deadline() gives the earliest instant at
 * which a flag could be set, for the backend's one-shot timer.
 *
 * Watchdog: timer mode is complete; in watchdog mode reaching zero sets
 * the reset status flag (offset 0x30) and @reset_request, which the
 * platform turns into a system reset (every vCPU stops with
 * PV_STOP_RESET) and a line in the backend log.
 */
#ifndef PVCORE_A9_TIMERS_H
#define PVCORE_A9_TIMERS_H

#include "gic.h"

#define PV_A9_PERIPHCLK_HZ 100000000u
#define PV_A9_PERIPHCLK_NS 10u

#define PV_A9_TWD_SIZE 0x100u
#define PV_A9_GT_SIZE 0x100u

/* Private timer / watchdog control bits (TRM 4.2.3, 4.3.3). */
#define PV_TWD_CTRL_ENABLE (1u << 0)
#define PV_TWD_CTRL_AUTO (1u << 1)
#define PV_TWD_CTRL_IRQ (1u << 2)
#define PV_TWD_CTRL_WDMODE (1u << 3) /* watchdog control only */
#define PV_TWD_CTRL_PRESCALER (0xffu << 8)

/* Global timer control bits (TRM 4.4.3). */
#define PV_GT_CTRL_ENABLE (1u << 0)
#define PV_GT_CTRL_COMP (1u << 1)
#define PV_GT_CTRL_IRQ (1u << 2)
#define PV_GT_CTRL_AUTOINC (1u << 3)
#define PV_GT_CTRL_PRESCALER (0xffu << 8)

/**
 * struct pv_a9_countdown - a down-counter: the private timer or watchdog
 * @load: Load register
 * @ctrl: Control register
 * @isr: Interrupt Status (bit 0, the event flag)
 * @count: the counter value at @base_ns
 * @base_ns: the instant @count holds at; always a whole number of ticks
 *           after the instant the counter last started or was written
 */
struct pv_a9_countdown {
	uint32_t load, ctrl, isr;
	uint32_t count;
	uint64_t base_ns;
};

/**
 * struct pv_a9_twd - one CPU's private timer and watchdog
 * @reset_status: Watchdog Reset Status register (bit 0)
 * @disable_seq: progress of the 0x12345678, 0x87654321 disable sequence
 * @reset_request: the watchdog expired in watchdog mode (sticky)
 */
struct pv_a9_twd {
	struct pv_a9_countdown timer, wdt;
	uint32_t reset_status;
	unsigned disable_seq;
	bool reset_request;
};

/**
 * struct pv_a9_gt_cpu - one CPU's banked global-timer comparator
 * @ctrl: the banked control bits (COMP, IRQ, AUTOINC)
 * @isr: event flag
 * @comparator, @autoinc: Comparator and Auto-increment registers
 * @fired: the event for the current comparator value has happened (without
 *         auto-increment it happens once, on "counter reaches comparator")
 */
struct pv_a9_gt_cpu {
	uint32_t ctrl, isr;
	uint64_t comparator;
	uint32_t autoinc;
	bool fired;
};

/**
 * struct pv_a9_timers - all MPCore timers of the VM
 * @twd: per-CPU private timers and watchdogs
 * @gt_ctrl: the shared global-timer bits (ENABLE, PRESCALER)
 * @gt_count: the global counter at @gt_base_ns
 * @gt_base_tick: @gt_base_ns in counter ticks, rounded up (kept with it:
 *                pv_a9_gt_linear() must not divide)
 * @gt: per-CPU comparators
 * @gic: where the interrupt outputs go (may be NULL in tests)
 * @ncpus: number of CPUs
 * @line: the last interrupt output levels, [cpu][0 timer, 1 watchdog, 2 GT]
 */
/* The timers' interrupt outputs, each a PPI of every CPU. */
enum pv_a9_line { PV_A9_LINE_TWD, PV_A9_LINE_WDT, PV_A9_LINE_GT, PV_A9_LINES };

struct pv_a9_timers {
	struct pv_a9_twd twd[PV_GIC_MAX_CPUS];
	uint32_t gt_ctrl;
	uint64_t gt_count, gt_base_ns, gt_base_tick;
	struct pv_a9_gt_cpu gt[PV_GIC_MAX_CPUS];
	struct pv_gic *gic;
	unsigned ncpus;
	uint16_t ppi[PV_A9_LINES];   /* interrupt ID of each line (the board's) */
	bool line[PV_GIC_MAX_CPUS][PV_A9_LINES];
};

/**
 * pv_a9_timers_init() - reset the timers
 * @t: storage, fully overwritten
 * @ncpus: 1..PV_GIC_MAX_CPUS
 * @gic: the GIC that receives the PPIs, or NULL
 * @ppi: the interrupt ID of each line (enum pv_a9_line), from the board
 * @now: the current time (ns)
 *
 * Return: 0; PV_EINVAL for a bad @ncpus or an ID that is not a PPI.
 */
int pv_a9_timers_init(struct pv_a9_timers *t, unsigned ncpus,
		      struct pv_gic *gic, const uint16_t ppi[PV_A9_LINES],
		      uint64_t now);

/**
 * pv_a9_timers_sync() - advance every timer to @now and update the
 * interrupt outputs. @now earlier than a previous call is treated as no
 * time passing.
 */
void pv_a9_timers_sync(struct pv_a9_timers *t, uint64_t now);

/**
 * pv_a9_timers_next_deadline() - the earliest instant (ns) at which an
 * enabled interrupt, or a watchdog reset, becomes due
 *
 * Only meaningful right after pv_a9_timers_sync() or an access.
 * Return: the instant, or PV_TIMER_NEVER (UINT64_MAX).
 */
uint64_t pv_a9_timers_next_deadline(const struct pv_a9_timers *t);

/**
 * pv_a9_twd_read() - read a private timer / watchdog register
 * @t: the timers
 * @cpu: the accessing CPU (its banked TWD)
 * @now: the current time (ns)
 * @offset: byte offset in the 0x100-byte frame
 * @size: access size; only 4 is meaningful, others read 0
 * @val: the value
 * Return: 0; PV_ERANGE for a @cpu out of range.
 */
int pv_a9_twd_read(struct pv_a9_timers *t, unsigned cpu, uint64_t now,
		   uint32_t offset, unsigned size, uint32_t *val);

/** pv_a9_twd_write() - write a TWD register; see pv_a9_twd_read(). */
int pv_a9_twd_write(struct pv_a9_timers *t, unsigned cpu, uint64_t now,
		    uint32_t offset, unsigned size, uint32_t val);

/** pv_a9_gt_read() - read a global timer register; see pv_a9_twd_read(). */
int pv_a9_gt_read(struct pv_a9_timers *t, unsigned cpu, uint64_t now,
		  uint32_t offset, unsigned size, uint32_t *val);

/**
 * pv_a9_gt_linear() - the global counter as a function of time
 * @t: the timers
 * @tick_ns: set to the counter's period in ns
 * @off: set so that, for every time T * *@tick_ns (T an integer) not
 *       before the last look at the timers, the counter reads T + *@off
 *
 * For a backend fast path whose clock counts in steps of *@tick_ns.
 * Return: false (nothing set) while the counter is stopped.
 */
bool pv_a9_gt_linear(const struct pv_a9_timers *t, uint32_t *tick_ns,
		     uint64_t *off);

/** pv_a9_gt_write() - write a global timer register. */
int pv_a9_gt_write(struct pv_a9_timers *t, unsigned cpu, uint64_t now,
		   uint32_t offset, unsigned size, uint32_t val);

/**
 * pv_a9_timers_check() - verify invariants (fuzzing and tests)
 * Return: 0; PV_ESTATE if a register holds reserved bits or an output
 * disagrees with its flag and enable.
 */
int pv_a9_timers_check(const struct pv_a9_timers *t);

#endif /* PVCORE_A9_TIMERS_H */
