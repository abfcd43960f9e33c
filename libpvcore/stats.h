/* SPDX-License-Identifier: MIT */
/*
 * Trap counters, event counters and the trace ring of one VM (stats.c).
 * Below the dispatcher: trap.c counts each trap once through
 * pv_stats_trap(); events are counted where they happen.
 */
#ifndef PV_STATS_H
#define PV_STATS_H

#include <pvcore/vm.h>

/**
 * struct pv_stats - what a VM counts
 * @traps: per-reason trap counters (the counting rule is in vm.h)
 * @events: per-event counters
 * @trace: the last PV_TRACE_ENTRIES counted traps; @trace_next is the slot
 *         written next (it counts up without wrapping)
 */
struct pv_stats {
	uint64_t traps[PV_TR_COUNT];
	uint64_t events[PV_EV_COUNT];
	struct pv_trace_entry trace[PV_TRACE_ENTRIES];
	uint32_t trace_next;
};

/*
 * Count one handled trap under @reason; returns its slot in the trace ring
 * for the caller to fill (inline: this runs on every trap).
 */
static inline struct pv_trace_entry *pv_stats_trap(struct pv_stats *s,
						   enum pv_trap_reason reason)
{
	struct pv_trace_entry *e = &s->trace[s->trace_next++ % PV_TRACE_ENTRIES];

	s->traps[reason]++;
	e->reason = (uint8_t)reason;
	return e;
}

static inline void pv_stats_event(struct pv_stats *s, enum pv_event ev)
{
	s->events[ev]++;
}

/*
 * Counter @index in the guest-visible numbering of PV_HC_TRAP_COUNT:
 * the trap reasons first, then the events. Sets *@val and returns true for
 * an index below PV_STATS_COUNTERS.
 */
#define PV_STATS_COUNTERS (PV_TR_COUNT + PV_EV_COUNT)
bool pv_stats_counter(const struct pv_stats *s, uint32_t index, uint64_t *val);

/* Write the ring and the non-zero counters through @log, oldest first. */
void pv_stats_dump(const struct pv_stats *s, void (*log)(void *, const char *),
		   void *ctx);

#endif /* PV_STATS_H */
