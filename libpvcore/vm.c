/* SPDX-License-Identifier: MIT */
/* The VM object: configuration checks, setup, trap counters and the trace ring. */
#include <pvcore/error.h>
#include <pvcore/vm.h>

#include "pv_internal.h"

static bool ops_complete(const struct pv_backend_ops *o)
{
	return o && o->tlb_inval_all && o->tlb_inval_asid && o->tlb_inval_va &&
	       o->cache_clean_range && o->icache_inval_all && o->now_ns &&
	       o->timer_set && o->console_write && o->console_read &&
	       o->irq_route;
}

static int check_config(const struct pv_vm_config *cfg)
{
	if (!ops_complete(cfg->ops))
		return PV_EINVAL;
	if (!cfg->ram_count || cfg->ram_count > PV_MAX_RAM_REGIONS)
		return PV_EINVAL;
	if (!cfg->num_vcpus || cfg->num_vcpus > PV_MAX_VCPUS)
		return PV_EINVAL;
	if (cfg->window_base & 0xfffffu || cfg->window_size & 0xfffu ||
	    !cfg->window_size || !cfg->window_l1 ||
	    (uint64_t)cfg->window_base + cfg->window_size > (1ull << 32))
		return PV_EINVAL;
	return 0;
}

int pv_vm_init(struct pv_vm *vm, const struct pv_vm_config *cfg)
{
	int err = check_config(cfg);

	if (err)
		return err;
	pv_memset(vm, 0, sizeof(*vm));
	vm->cfg = *cfg;
	for (unsigned i = 0; i < cfg->ram_count; i++) {
		err = pv_memmap_add_ram(&vm->map, &cfg->ram[i]);
		if (err)
			return err;
	}
	err = pv_devices_init(vm);
	if (err)
		return err;
	err = pv_shadow_init(vm);
	if (err)
		return err;
	for (unsigned i = 0; i < cfg->num_vcpus; i++) {
		vm->vcpu[i].vm = vm;
		vm->vcpu[i].id = i;
		pv_vcpu_reset(&vm->vcpu[i]);
	}
	return 0;
}

int pv_vm_load(struct pv_vm *vm, pv_gpa_t gpa, const void *data, size_t len)
{
	void *dst;

	if (len > UINT32_MAX)
		return PV_ERANGE;
	dst = pv_memmap_ram_hva(&vm->map, gpa, (uint32_t)len);
	if (!dst)
		return PV_ERANGE;
	pv_memcpy(dst, data, len);
	return 0;
}

void pv_vm_timer_expired(struct pv_vm *vm)
{
	pv_devices_timer_expired(vm);
}

int pv_vm_phys_irq(struct pv_vm *vm, unsigned host_irq, bool level)
{
	return pv_devices_phys_irq(vm, host_irq, level);
}

uint64_t pv_vm_trap_count(const struct pv_vm *vm, enum pv_trap_reason reason)
{
	if ((unsigned)reason >= PV_TR_COUNT)
		return 0;
	return vm->counters[reason];
}

void pv_vm_count_trap(struct pv_vm *vm, const struct pv_vcpu *vcpu,
		      enum pv_trap_kind kind, enum pv_trap_reason reason,
		      uint32_t insn, uint32_t info)
{
	struct pv_trace_entry *e = &vm->trace[vm->trace_next++ % PV_TRACE_ENTRIES];

	if ((unsigned)reason < PV_TR_COUNT)
		vm->counters[reason]++;
	e->pc = vcpu->r[15];
	e->insn = insn;
	e->cpsr = vcpu->cpsr;
	e->info = info;
	e->kind = (uint8_t)kind;
	e->reason = (uint8_t)reason;
	e->vcpu = (uint8_t)vcpu->id;
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

void pv_vm_dump_trace(const struct pv_vm *vm)
{
	const struct pv_backend_ops *ops = vm->cfg.ops;
	uint32_t first = vm->trace_next > PV_TRACE_ENTRIES ?
				 vm->trace_next - PV_TRACE_ENTRIES : 0;
	char line[160], *p, *end = line + sizeof(line) - 1;

	if (!ops || !ops->log)
		return;
	ops->log(vm->cfg.ctx, "pvcore trap trace (oldest first):");
	for (uint32_t i = first; i < vm->trace_next; i++) {
		const struct pv_trace_entry *e = &vm->trace[i % PV_TRACE_ENTRIES];

		p = put_str(line, end, "  ");
		p = put_str(p, end, pv_trap_reason_name(e->reason));
		p = put_str(p, end, " ");
		p = put_hex(p, end, "pc", e->pc, 8);
		p = put_hex(p, end, "insn", e->insn, 8);
		p = put_hex(p, end, "cpsr", e->cpsr, 8);
		p = put_hex(p, end, "info", e->info, 8);
		*p = '\0';
		ops->log(vm->cfg.ctx, line);
	}
	ops->log(vm->cfg.ctx, "pvcore trap counters:");
	for (unsigned r = 0; r < PV_TR_COUNT; r++) {
		if (!vm->counters[r])
			continue;
		p = put_str(line, end, "  ");
		p = put_str(p, end, pv_trap_reason_name((enum pv_trap_reason)r));
		p = put_str(p, end, " ");
		p = put_hex(p, end, "count", vm->counters[r], 16);
		*p = '\0';
		ops->log(vm->cfg.ctx, line);
	}
}
