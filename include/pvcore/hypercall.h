/* SPDX-License-Identifier: MIT */
/**
 * DOC: the pvcore hypercall ABI
 *
 * A guest calls the VMM with "HVC #0" (which traps as UNDEF on a CPU
 * without the Virtualization Extensions) or through a patched site. The
 * convention follows the SMC Calling Convention: r0 holds a function ID,
 * r1..r3 the arguments, and results come back in r0..r3. PSCI function IDs
 * (0x84000000..0x8400001f) are PSCI over the HVC conduit; the IDs below use
 * SMCCC owner 5 (Standard Hypervisor Service), fast, 32-bit.
 */
#ifndef PVCORE_HYPERCALL_H
#define PVCORE_HYPERCALL_H

#ifdef __cplusplus
extern "C" {
#endif

#define PV_HC_BASE 0x85000000u
/* r1 = byte. Writes one byte to the console. r0 <- 0. */
#define PV_HC_CONSOLE_PUTC (PV_HC_BASE + 0x01)
/* r0 <- next console byte or -1. */
#define PV_HC_CONSOLE_GETC (PV_HC_BASE + 0x02)
/* r1 = status. Stops the VM (PV_STOP_HYPERCALL, code = status). */
#define PV_HC_EXIT (PV_HC_BASE + 0x03)
/*
 * r1 = counter index -> r0,r1 = its count (low, high word). Indices number
 * the trap reasons of <pvcore/vm.h> (enum pv_trap_reason) first, then its
 * events (enum pv_event) from PV_TR_COUNT on. For any other r1:
 * r0 <- the number of counters, r1 <- 0.
 */
#define PV_HC_TRAP_COUNT (PV_HC_BASE + 0x04)
/* Dumps the trap trace ring through the backend log. */
#define PV_HC_TRACE_DUMP (PV_HC_BASE + 0x05)

/* SMCCC: unknown function. */
#define PV_SMCCC_NOT_SUPPORTED 0xffffffffu

#ifdef __cplusplus
}
#endif

#endif /* PVCORE_HYPERCALL_H */
