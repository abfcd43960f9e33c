/* SPDX-License-Identifier: MIT */
/*
 * The vCPU state page: what the base-hw kernel extension and the pv_vmm
 * component exchange (docs/genode.md, "VM exits"). One page per vCPU,
 * shared between core and the VMM, in the style of base-hw's Vcpu_state.
 *
 * - At a VM exit the kernel writes @exit: the registers of the guest
 *   context as its exception vector saved them, the exception, and for
 *   aborts the fault status and address. Nothing else.
 * - The VMM answers in @run (backends/genode/src/server/pv_vmm/vm_exit.c
 *   translates both halves to and from pvcore), and asks the kernel to
 *   run the vCPU. The kernel checks @run before it loads it: USR mode,
 *   A/I/F clear, a TTBR0 naming one of the VM's shadow roots, the window's
 *   domain Client in the DACR. It trusts nothing the VMM wrote.
 *
 * Plain 32-bit words at fixed offsets (asserted below), so the kernel's
 * assembly and C++ and the VMM's C agree without sharing a compiler.
 */
#ifndef PV_GENODE_VCPU_STATE_H
#define PV_GENODE_VCPU_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <pv_genode/abi.h>

#define PV_GENODE_STATE_MAGIC 0x53477670u   /* "pvGS" */
#define PV_GENODE_STATE_VERSION 1u

/* The exception that ended the guest context's run, as the vector saw it. */
enum pv_genode_exception {
	PV_GENODE_EXC_UNDEF = 1,
	PV_GENODE_EXC_SVC = 2,
	PV_GENODE_EXC_PABT = 3,
	PV_GENODE_EXC_DABT = 4,
	PV_GENODE_EXC_IRQ = 5,    /* the kernel handled the interrupt itself */
	PV_GENODE_EXC_FIQ = 6,
};

/* Written by the kernel at each exit. */
struct pv_genode_exit {
	uint32_t r[13];
	uint32_t sp, lr;        /* the guest's r13 and r14 (USR bank) */
	uint32_t exc_lr;        /* LR of the exception mode, unadjusted */
	uint32_t spsr;          /* the guest context's CPSR at the exception */
	uint32_t exception;     /* enum pv_genode_exception */
	uint32_t fsr, far;      /* DFSR/DFAR or IFSR/IFAR for aborts, else 0 */
	uint32_t tpidrurw;      /* as the guest left it (PL0 writes it freely) */
};

/* PV_GENODE_RUN_*: &struct pv_genode_run's flags. */
#define PV_GENODE_RUN_VFP   (1u << 0)  /* FPEXC.EN while the guest runs */
#define PV_GENODE_RUN_ALIGN (1u << 1)  /* SCTLR.A while the guest runs */

/* Written by the VMM before each run; checked by the kernel. */
struct pv_genode_run {
	uint32_t r[13];
	uint32_t sp, lr, pc;
	uint32_t cpsr;          /* USR mode, A/I/F clear */
	uint32_t ttbr0;         /* shadow root | walk attributes */
	uint32_t contextidr;    /* the host ASID */
	uint32_t dacr;
	uint32_t tpidruro, tpidrurw;
	uint32_t flags;         /* PV_GENODE_RUN_* */
};

struct pv_genode_vcpu_state {
	uint32_t magic;         /* PV_GENODE_STATE_MAGIC, set by the kernel */
	uint32_t version;       /* PV_GENODE_STATE_VERSION */
	struct pv_genode_exit exit;
	struct pv_genode_run run;
};

/* The offsets the kernel's vector code uses. */
PV_GENODE_ASSERT(offsetof(struct pv_genode_vcpu_state, exit) == 8, "exit");
PV_GENODE_ASSERT(offsetof(struct pv_genode_exit, exc_lr) == 60, "exc_lr");
PV_GENODE_ASSERT(offsetof(struct pv_genode_exit, tpidrurw) == 80, "tpidrurw");
PV_GENODE_ASSERT(offsetof(struct pv_genode_vcpu_state, run) == 92, "run");
PV_GENODE_ASSERT(offsetof(struct pv_genode_run, cpsr) == 64, "run.cpsr");
PV_GENODE_ASSERT(sizeof(struct pv_genode_vcpu_state) == 184, "one page holds it");

#endif /* PV_GENODE_VCPU_STATE_H */
