/* SPDX-License-Identifier: MIT */
/*
 * How a handler below the trap dispatcher finished. Handlers (the
 * emulator, PSCI, the hypercalls) return one of these and change no
 * run state themselves: pv_vcpu_handle_trap() alone turns the outcome
 * into the vCPU's wait or stop state and into &struct pv_exit.
 */
#ifndef PV_OUTCOME_H
#define PV_OUTCOME_H

#include <pvcore/vm.h>

/**
 * struct pv_outcome - a handler's result
 * @action: RESUME, WAIT (WFI, CPU_SUSPEND) or STOP
 * @stop: for STOP, why
 * @code: for STOP, the exit status or negative PV_E* code
 * @injected: the guest exception the handler raised, if any
 */
struct pv_outcome {
	enum pv_action action;
	enum pv_stop_reason stop;
	int32_t code;
	enum pv_injected injected;
};

static inline struct pv_outcome pv_out_resume(void)
{
	struct pv_outcome o = { PV_ACTION_RESUME, PV_STOP_NONE, 0, PV_INJ_NONE };
	return o;
}

static inline struct pv_outcome pv_out_wait(void)
{
	struct pv_outcome o = { PV_ACTION_WAIT, PV_STOP_NONE, 0, PV_INJ_NONE };
	return o;
}

static inline struct pv_outcome pv_out_stop(enum pv_stop_reason why,
					    int32_t code)
{
	struct pv_outcome o = { PV_ACTION_STOP, why, code, PV_INJ_NONE };
	return o;
}

/* The VMM gives up on this vCPU: @err is a negative PV_E* code. */
static inline struct pv_outcome pv_out_fatal(int err)
{
	return pv_out_stop(PV_STOP_FATAL, err);
}

#endif /* PV_OUTCOME_H */
