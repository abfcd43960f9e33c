/* SPDX-License-Identifier: MIT */
/* The pvcore hypercalls (include/pvcore/hypercall.h), and PSCI dispatch. */
#include <pvcore/hypercall.h>

#include "hypercall_svc.h"
#include "psci.h"
#include "stats.h"
#include "vm_state.h"

struct pv_outcome pv_hypercall(struct pv_vcpu *vcpu)
{
	struct pv_vm *vm = vcpu->vm;
	const struct pv_backend_ops *ops = vm->cfg.ops;
	uint32_t id = vcpu->r[0];
	uint64_t n;
	uint8_t byte;

	if (pv_psci_is_call(id))
		return pv_psci_call(vcpu);
	switch (id) {
	case PV_HC_CONSOLE_PUTC:
		byte = (uint8_t)vcpu->r[1];
		ops->console_write(vm->cfg.ctx, &byte, 1);
		vcpu->r[0] = 0;
		break;
	case PV_HC_CONSOLE_GETC:
		vcpu->r[0] = (uint32_t)ops->console_read(vm->cfg.ctx);
		break;
	case PV_HC_EXIT:
		vcpu->r[0] = 0;
		return pv_out_stop(PV_STOP_HYPERCALL, (int32_t)vcpu->r[1]);
	case PV_HC_TRAP_COUNT:
		if (pv_stats_counter(&vm->stats, vcpu->r[1], &n)) {
			vcpu->r[0] = (uint32_t)n;
			vcpu->r[1] = (uint32_t)(n >> 32);
		} else {
			vcpu->r[0] = PV_STATS_COUNTERS;
			vcpu->r[1] = 0;
		}
		break;
	case PV_HC_TRACE_DUMP:
		pv_vm_dump_trace(vm);
		vcpu->r[0] = 0;
		break;
	default:
		vcpu->r[0] = PV_SMCCC_NOT_SUPPORTED;
		break;
	}
	return pv_out_resume();
}
