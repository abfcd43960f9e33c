/* SPDX-License-Identifier: MIT */
/* Trap and event counters, their names, and the trace ring. */
#include <pvcore/error.h>

#include "stats.h"
#include "vm_state.h"

static const char *const reason_names[PV_TR_COUNT] = {
	[PV_TR_CP15_READ] = "cp15-read",
	[PV_TR_CP15_WRITE] = "cp15-write",
	[PV_TR_CP14] = "cp14",
	[PV_TR_VFP_CTRL] = "vfp-ctrl",
	[PV_TR_PSR] = "psr",
	[PV_TR_EXC_RETURN] = "exc-return",
	[PV_TR_BANKED_LDM_STM] = "banked-ldm-stm",
	[PV_TR_LDRT_STRT] = "ldrt-strt",
	[PV_TR_WFI] = "wfi",
	[PV_TR_SVC] = "svc",
	[PV_TR_UNDEF_INJECT] = "undef-inject",
	[PV_TR_HYPERCALL] = "hypercall",
	[PV_TR_PSCI] = "psci",
	[PV_TR_SHADOW_FILL] = "shadow-fill",
	[PV_TR_GUEST_PABT] = "guest-pabt",
	[PV_TR_GUEST_DABT] = "guest-dabt",
	[PV_TR_MMIO_READ] = "mmio-read",
	[PV_TR_MMIO_WRITE] = "mmio-write",
	[PV_TR_HOST_IRQ] = "host-irq",
	[PV_TR_OTHER] = "other",
};

static const char *const event_names[PV_EV_COUNT] = {
	[PV_EV_VIRQ] = "virq",
	[PV_EV_VFIQ] = "vfiq",
	[PV_EV_PATCHED] = "patched",
	[PV_EV_CMO_LOOP] = "cmo-loop",
	[PV_EV_CMO_LINES] = "cmo-lines",
	[PV_EV_TRAP_CHAIN] = "trap-chain",
	[PV_EV_CHAIN_MCRS] = "chain-mcrs",
};

const char *pv_trap_reason_name(enum pv_trap_reason reason)
{
	if ((unsigned)reason >= PV_TR_COUNT || !reason_names[reason])
		return "?";
	return reason_names[reason];
}

const char *pv_event_name(enum pv_event event)
{
	if ((unsigned)event >= PV_EV_COUNT || !event_names[event])
		return "?";
	return event_names[event];
}

bool pv_stats_counter(const struct pv_stats *s, uint32_t index, uint64_t *val)
{
	if (index < PV_TR_COUNT)
		*val = s->traps[index];
	else if (index < PV_STATS_COUNTERS)
		*val = s->events[index - PV_TR_COUNT];
	else
		return false;
	return true;
}

uint64_t pv_vm_trap_count(const struct pv_vm *vm, enum pv_trap_reason reason)
{
	if ((unsigned)reason >= PV_TR_COUNT)
		return 0;
	return vm->stats.traps[reason];
}

uint64_t pv_vm_event_count(const struct pv_vm *vm, enum pv_event event)
{
	if ((unsigned)event >= PV_EV_COUNT)
		return 0;
	return vm->stats.events[event];
}

int pv_vm_trace(const struct pv_vm *vm, unsigned age,
		struct pv_trace_entry *out)
{
	const struct pv_stats *s = &vm->stats;

	if (age >= PV_TRACE_ENTRIES || age >= s->trace_next)
		return PV_ERANGE;
	*out = s->trace[(s->trace_next - 1 - age) % PV_TRACE_ENTRIES];
	return 0;
}

/* Formatting without libc: "name=0x%08x" pieces into a fixed line buffer. */
static char *put_str(char *p, char *end, const char *s)
{
	while (*s && p < end)
		*p++ = *s++;
	return p;
}

static char *put_hex(char *p, char *end, const char *name, uint64_t v,
		     unsigned digits)
{
	p = put_str(p, end, name);
	p = put_str(p, end, "=0x");
	for (unsigned i = digits; i-- && p < end;)
		*p++ = "0123456789abcdef"[(v >> (4 * i)) & 0xf];
	return put_str(p, end, " ");
}

static void dump_counter(void (*log)(void *, const char *), void *ctx,
			 const char *name, uint64_t n)
{
	char line[80], *p, *end = line + sizeof(line) - 1;

	p = put_str(line, end, "  ");
	p = put_str(p, end, name);
	p = put_str(p, end, " ");
	p = put_hex(p, end, "count", n, 16);
	*p = '\0';
	log(ctx, line);
}

void pv_stats_dump(const struct pv_stats *s, void (*log)(void *, const char *),
		   void *ctx)
{
	uint32_t first = s->trace_next > PV_TRACE_ENTRIES ?
				 s->trace_next - PV_TRACE_ENTRIES : 0;
	char line[160], *p, *end = line + sizeof(line) - 1;

	log(ctx, "pvcore trap trace (oldest first):");
	for (uint32_t i = first; i < s->trace_next; i++) {
		const struct pv_trace_entry *e = &s->trace[i % PV_TRACE_ENTRIES];

		p = put_str(line, end, "  ");
		p = put_str(p, end, pv_trap_reason_name(e->reason));
		p = put_str(p, end, " ");
		p = put_hex(p, end, "pc", e->pc, 8);
		p = put_hex(p, end, "insn", e->insn, 8);
		p = put_hex(p, end, "cpsr", e->cpsr, 8);
		p = put_hex(p, end, "info", e->info, 8);
		*p = '\0';
		log(ctx, line);
	}
	log(ctx, "pvcore trap counters:");
	for (unsigned r = 0; r < PV_TR_COUNT; r++)
		if (s->traps[r])
			dump_counter(log, ctx,
				     pv_trap_reason_name((enum pv_trap_reason)r),
				     s->traps[r]);
	for (unsigned ev = 0; ev < PV_EV_COUNT; ev++)
		if (s->events[ev])
			dump_counter(log, ctx, pv_event_name((enum pv_event)ev),
				     s->events[ev]);
}

void pv_vm_dump_trace(const struct pv_vm *vm)
{
	const struct pv_backend_ops *ops = vm->cfg.ops;

	if (ops && ops->log)
		pv_stats_dump(&vm->stats, ops->log, vm->cfg.ctx);
}
