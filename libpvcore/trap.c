/* SPDX-License-Identifier: MIT */
/* STUB (issue 4 replaces): trap dispatch. */
#include <pvcore/error.h>
#include <pvcore/vm.h>

int pv_vcpu_handle_trap(struct pv_vcpu *vcpu, const struct pv_trap *trap, struct pv_exit *exit)
{
	(void)vcpu;
	if ((unsigned)trap->kind >= PV_TRAP_KIND_COUNT)
		return PV_EINVAL;
	exit->action = PV_ACTION_STOP;
	exit->reason = PV_STOP_FATAL;
	exit->code = PV_ENOSYS;
	return 0;
}

int pv_vcpu_poll(struct pv_vcpu *vcpu, struct pv_exit *exit) { (void)vcpu; exit->action = PV_ACTION_RESUME; return 0; }
const char *pv_trap_reason_name(enum pv_trap_reason reason) { (void)reason; return "?"; }
