/* SPDX-License-Identifier: MIT */
/*
 * The VMM side of the hypercall ABI in <pvcore/hypercall.h> (hypercall.c):
 * the pvcore services and PSCI, reached through HVC or SMC from guest PL1.
 */
#ifndef PV_HYPERCALL_SVC_H
#define PV_HYPERCALL_SVC_H

#include "outcome.h"

struct pv_vcpu;

/**
 * pv_hypercall() - serve a guest HVC or SMC made at PL1
 * @vcpu: the vCPU; r0 holds the SMCCC function ID, r1..r3 the arguments
 *
 * Both conduits reach the same services: the pvcore IDs of hypercall.h,
 * and the PSCI ranges (forwarded to pv_psci_call()). Results go to r0..r3;
 * unknown IDs return PV_SMCCC_NOT_SUPPORTED in r0, as the SMC Calling
 * Convention requires. Does not touch r[15] (the emulator advances the
 * PC) and does not count the trap (the dispatcher does).
 *
 * Return: the outcome: STOP for PV_HC_EXIT (PV_STOP_HYPERCALL with the
 * guest's status) and for PSCI power-off and reset, WAIT for PSCI
 * CPU_SUSPEND, RESUME otherwise.
 */
struct pv_outcome pv_hypercall(struct pv_vcpu *vcpu);

#endif /* PV_HYPERCALL_SVC_H */
