/* SPDX-License-Identifier: MIT */
/**
 * DOC: PSCI 1.0 firmware service (the VMM is the guest's firmware)
 *
 * The guest runs in the Non-secure state at PL1 and the VMM plays the
 * Secure monitor: SMC (and HVC, which traps as UNDEF without the
 * Virtualization Extensions) with a PSCI function ID in r0 reaches
 * pv_psci_call(). Arguments are in r1..r3, the result goes to r0, as the
 * SMC Calling Convention (ARM DEN 0028) and PSCI (ARM DEN 0022D) specify.
 *
 * Implemented (SMC32 IDs): PSCI_VERSION (reports 1.0), CPU_SUSPEND
 * (standby only: a WFI), CPU_OFF, CPU_ON, AFFINITY_INFO, MIGRATE_INFO_TYPE
 * (2: Trusted OS not present), SYSTEM_OFF, SYSTEM_RESET, PSCI_FEATURES.
 * Everything else, including every SMC64 ID, returns NOT_SUPPORTED.
 */
#ifndef PVCORE_PSCI_H
#define PVCORE_PSCI_H

#include "outcome.h"

/* Function IDs, SMC32 calling convention (PSCI DEN 0022D, table 5.1). */
#define PV_PSCI_VERSION 0x84000000u
#define PV_PSCI_CPU_SUSPEND 0x84000001u
#define PV_PSCI_CPU_OFF 0x84000002u
#define PV_PSCI_CPU_ON 0x84000003u
#define PV_PSCI_AFFINITY_INFO 0x84000004u
#define PV_PSCI_MIGRATE 0x84000005u
#define PV_PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PV_PSCI_MIGRATE_INFO_UP_CPU 0x84000007u
#define PV_PSCI_SYSTEM_OFF 0x84000008u
#define PV_PSCI_SYSTEM_RESET 0x84000009u
#define PV_PSCI_FEATURES 0x8400000au
#define PV_PSCI_CPU_FREEZE 0x8400000bu
#define PV_PSCI_CPU_DEFAULT_SUSPEND 0x8400000cu
#define PV_PSCI_NODE_HW_STATE 0x8400000du
#define PV_PSCI_SYSTEM_SUSPEND 0x8400000eu
#define PV_PSCI_SET_SUSPEND_MODE 0x8400000fu
#define PV_PSCI_STAT_RESIDENCY 0x84000010u
#define PV_PSCI_STAT_COUNT 0x84000011u
/* The SMC32 and SMC64 PSCI function-ID ranges. */
#define PV_PSCI_FN32_FIRST 0x84000000u
#define PV_PSCI_FN32_LAST 0x8400001fu
#define PV_PSCI_FN64_FIRST 0xc4000000u
#define PV_PSCI_FN64_LAST 0xc400001fu

/* Return codes (negative, as signed 32-bit values in r0). */
#define PV_PSCI_RET_SUCCESS 0
#define PV_PSCI_RET_NOT_SUPPORTED (-1)
#define PV_PSCI_RET_INVALID_PARAMS (-2)
#define PV_PSCI_RET_DENIED (-3)
#define PV_PSCI_RET_ALREADY_ON (-4)
#define PV_PSCI_RET_ON_PENDING (-5)
#define PV_PSCI_RET_INTERNAL_FAILURE (-6)
#define PV_PSCI_RET_NOT_PRESENT (-7)
#define PV_PSCI_RET_DISABLED (-8)
#define PV_PSCI_RET_INVALID_ADDRESS (-9)

/* PSCI_VERSION result: major in [31:16], minor in [15:0]. */
#define PV_PSCI_VERSION_1_0 0x00010000u

/* AFFINITY_INFO results. */
#define PV_PSCI_AFF_ON 0
#define PV_PSCI_AFF_OFF 1
#define PV_PSCI_AFF_ON_PENDING 2

/**
 * pv_psci_is_call() - whether @fn (the guest's r0) is a PSCI function ID
 * @fn: the function ID
 *
 * Return: true for the SMC32 and SMC64 PSCI ranges. The trap path uses it
 * to tell PSCI from the pvcore hypercalls on the HVC conduit.
 */
static inline bool pv_psci_is_call(uint32_t fn)
{
	return (fn >= PV_PSCI_FN32_FIRST && fn <= PV_PSCI_FN32_LAST) ||
	       (fn >= PV_PSCI_FN64_FIRST && fn <= PV_PSCI_FN64_LAST);
}

struct pv_vcpu;

/**
 * pv_psci_call() - serve one PSCI call made by @vcpu
 * @vcpu: the calling vCPU: function ID in r[0], arguments in r[1..3]. The
 *        caller has already advanced the PC past the SMC/HVC.
 *
 * r[0] receives the PSCI result (a PV_PSCI_RET_* code or the function's
 * value; NOT_SUPPORTED for an ID outside the table). CPU_ON of another
 * vCPU resets it (pv_vcpu_reset(): its stop and wait state clear), sets
 * its PC to the entry point (bit 0 selects Thumb), r0 to the context ID,
 * SVC mode with A/I/F masked, MMU and caches off.
 *
 * Return: the caller's outcome: STOP for SYSTEM_OFF and CPU_OFF
 * (PV_STOP_POWEROFF, code 0) and SYSTEM_RESET (PV_STOP_RESET, code 0);
 * WAIT for CPU_SUSPEND standby; RESUME otherwise.
 */
struct pv_outcome pv_psci_call(struct pv_vcpu *vcpu);

struct pv_vm;

/**
 * pv_psci_reset() - PSCI power state at VM start: vCPU 0 on, the others
 * off until CPU_ON. Called by pv_devices_init().
 */
void pv_psci_reset(struct pv_vm *vm);

#endif /* PVCORE_PSCI_H */
