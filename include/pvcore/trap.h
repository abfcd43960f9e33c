/* SPDX-License-Identifier: MIT */
/**
 * DOC: the trap dispatch API, the single entry point for backends
 *
 * The backend catches an exception taken from the guest (which runs at host
 * PL0), copies the guest's r0..r15 into &pv_vcpu.r (PC convention in
 * vcpu.h), and calls pv_vcpu_handle_trap(). The library classifies the trap
 * (emulate an instruction, fill the shadow table, inject a guest fault,
 * dispatch MMIO, serve a hypercall or a patched instruction, deliver virtual
 * interrupts) and says what to do next in &struct pv_exit. Before returning
 * to the guest the backend copies r0..r15 back and applies
 * pv_vcpu_resume_state().
 */
#ifndef PVCORE_TRAP_H
#define PVCORE_TRAP_H

#include <pvcore/vcpu.h>

/** enum pv_trap_kind - the host exception that took the guest out. */
enum pv_trap_kind {
	PV_TRAP_UNDEF,
	PV_TRAP_SVC,
	PV_TRAP_PABT,
	PV_TRAP_DABT,
	PV_TRAP_IRQ, /* a host interrupt; the backend already serviced it */
	PV_TRAP_FIQ,
	PV_TRAP_KIND_COUNT,
};

/**
 * struct pv_trap - what the backend knows about the trap
 * @kind: the host exception type
 * @host_cpsr: the host SPSR of the exception mode, i.e. the guest's
 *             user-owned CPSR bits (flags, GE, IT, T, E) at the trap
 * @fsr: host DFSR (data abort) or IFSR (prefetch abort); else 0
 * @far: host DFAR or IFAR; else 0
 */
struct pv_trap {
	enum pv_trap_kind kind;
	uint32_t host_cpsr;
	uint32_t fsr;
	uint32_t far;
};

/** enum pv_action - what the backend does after a pvcore entry point. */
enum pv_action {
	PV_ACTION_RESUME, /* return to the guest */
	PV_ACTION_WAIT,   /* guest WFI: sleep until a host event, then call pv_vcpu_poll() */
	PV_ACTION_STOP,   /* the guest is finished; see reason and code */
};

/**
 * struct pv_exit - the library's answer
 * @action: what to do
 * @reason: for PV_ACTION_STOP, why
 * @code: for PV_ACTION_STOP, an exit status (PSCI) or negative PV_E* code
 */
struct pv_exit {
	enum pv_action action;
	enum pv_stop_reason reason;
	int32_t code;
};

/**
 * enum pv_trap_reason - per-reason trap counters, readable through the API.
 * Each handled trap increments exactly one reason.
 */
enum pv_trap_reason {
	PV_TR_CP15_READ,
	PV_TR_CP15_WRITE,
	PV_TR_CP14,
	PV_TR_VFP_CTRL,      /* VMRS/VMSR of FPEXC/FPSID/MVFR */
	PV_TR_PSR,           /* MRS/MSR/CPS */
	PV_TR_EXC_RETURN,    /* SUBS PC,LR / MOVS PC / LDM^ pc / RFE */
	PV_TR_BANKED_LDM_STM, /* LDM/STM ^ user registers, SRS */
	PV_TR_LDRT_STRT,
	PV_TR_WFI,
	PV_TR_SVC,           /* guest SVC reflected into the guest */
	PV_TR_UNDEF_INJECT,  /* genuine UNDEF reflected into the guest */
	PV_TR_HYPERCALL,
	PV_TR_PSCI,
	PV_TR_SHADOW_FILL,
	PV_TR_GUEST_PABT,
	PV_TR_GUEST_DABT,
	PV_TR_MMIO_READ,
	PV_TR_MMIO_WRITE,
	PV_TR_HOST_IRQ,
	PV_TR_VIRQ,          /* a virtual IRQ delivered to the guest */
	PV_TR_VFIQ,          /* a virtual FIQ delivered to the guest */
	PV_TR_PATCHED,       /* a pvpatch site (counted in addition to its class) */
	PV_TR_OTHER,
	PV_TR_COUNT,
};

/**
 * pv_vcpu_handle_trap() - handle one exception taken from the guest
 * @vcpu: the vCPU that was running; r[] holds the guest registers
 * @trap: what the backend knows
 * @exit: filled in with the next action
 *
 * Never leaves the vCPU half-updated: either the trap's effect is applied
 * completely (including a guest-visible fault injection) or the vCPU is
 * stopped with PV_STOP_FATAL and an error code in @exit->code.
 *
 * Return: 0 when @exit is valid; PV_EINVAL for a bad @trap->kind (the vCPU
 * is untouched).
 */
int pv_vcpu_handle_trap(struct pv_vcpu *vcpu, const struct pv_trap *trap,
			struct pv_exit *exit);

/**
 * pv_vcpu_poll() - deliver pending virtual interrupts after a wait or an
 * asynchronous event (timer expiry, console input, physical IRQ)
 * @vcpu: the vCPU
 * @exit: PV_ACTION_RESUME if the guest should run, PV_ACTION_WAIT if it
 *        still waits for an interrupt
 *
 * Return: 0.
 */
int pv_vcpu_poll(struct pv_vcpu *vcpu, struct pv_exit *exit);

/**
 * pv_trap_reason_name() - short stable name of a counter ("cp15-read", ...)
 *
 * Return: the name, or "?" for an out-of-range value.
 */
const char *pv_trap_reason_name(enum pv_trap_reason reason);

/**
 * pv_vcpu_hypercall() - serve a guest HVC or SMC (called by the emulator)
 * @vcpu: the vCPU; r0 holds the SMCCC function ID, r1..r3 the arguments
 * @is_smc: the guest used SMC (PSCI conduit) rather than HVC
 * @exit: set to PV_ACTION_STOP for PV_HC_EXIT and PSCI power-off/reset;
 *        left untouched otherwise
 *
 * Implements the pvcore IDs in hypercall.h and forwards the PSCI ranges
 * (0x84000000..0x8400001f, 0xc4000000..0xc400001f) to pv_psci_call().
 * Results go to r0..r3; unknown IDs return PV_SMCCC_NOT_SUPPORTED in r0,
 * as the SMC Calling Convention requires. Does not touch r[15]: the
 * emulator advances the PC past the HVC/SMC. Does not count the trap: the
 * trap path counts it (PV_TR_HYPERCALL or PV_TR_PSCI, chosen by r0).
 * PV_HC_TRAP_COUNT: r1 = reason; for a valid reason r0,r1 <- its count
 * (low, high word); for any other r1, r0 <- PV_TR_COUNT and r1 <- 0.
 */
void pv_vcpu_hypercall(struct pv_vcpu *vcpu, bool is_smc,
		       struct pv_exit *exit);

/**
 * pv_vcpu_set_lines() - drive the vCPU's virtual IRQ and FIQ inputs
 * @vcpu: the vCPU
 * @irq: level of the IRQ line
 * @fiq: level of the FIQ line
 *
 * Only records the levels (for the vGIC); delivery happens at the end of
 * the current pvcore entry point or at the next pv_vcpu_poll().
 */
void pv_vcpu_set_lines(struct pv_vcpu *vcpu, bool irq, bool fiq);

#endif /* PVCORE_TRAP_H */
