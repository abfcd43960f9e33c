/* SPDX-License-Identifier: MIT */
/*
 * pvbm's VMM side: the modules that know the VM, each with one job.
 *
 *   main.c      bring-up (CPU, MMU, vectors, GIC, timers) and the VM config
 *   payload.c   what the guest is: a Linux payload or the embedded test
 *               guest; loading it and its boot registers
 *   run.c       the trap entry pvbm_trap() and the world-switch state
 *   irq.c       host interrupts: which belong to the VM, servicing them
 *   watchdog.c  the guest time budget and the fault-loop rule
 *   report.c    the summary at a stop, UNDEF reports, fatal messages
 *   canary.c    host memory outside the guest, checked at every stop
 *   ops.c       the backend operations pvcore calls (backend.h)
 *
 * They use the public pvcore API only (<pvcore/pvcore.h>).
 */
#ifndef PVBM_VMM_H
#define PVBM_VMM_H

#include <pvcore/pvcore.h>

#include "frame.h"

/* Exit statuses reported through semihosting (the test contract). */
#define PVBM_EXIT_OK        0
#define PVBM_EXIT_FATAL     2  /* pvcore stopped the guest: PV_STOP_FATAL */
#define PVBM_EXIT_WATCHDOG  3  /* guest stuck: fault loop or time budget */
#define PVBM_EXIT_HOST      4  /* host exception or setup failure: a VMM bug */
#define PVBM_EXIT_GUEST_ERR 5  /* guest powered off / exited with non-zero */

/* Guest CPSR mode bits (ARM DDI 0406C B1.3.1). */
#define PVBM_PSR_MODE_MASK 0x1fu
#define PVBM_PSR_USR 0x10u

/* ops.c */
extern const struct pv_backend_ops pvbm_ops;

/* irq.c */
/* Give host line @irq to the VM (or take it back); ops.c's irq_route. */
int pvbm_irq_route(unsigned irq, bool on);
/* Acknowledge and service every pending host interrupt; report the VM's
 * to @vm (NULL before the VM exists). */
void pvbm_irq_service(struct pv_vm *vm);
/* How many times the core's one-shot timer fired. */
uint64_t pvbm_irq_oneshots(void);

/* run.c: what window.S's fast paths handled (for the report): TPIDRURO
 * writes, system calls entered, returns to user mode, PSR accesses,
 * global-timer reads, FPEXC accesses, branch-predictor invalidations,
 * TTBR1 reads. */
extern uint64_t pvbm_fast_tpidruro, pvbm_fast_svc, pvbm_fast_eret;
extern uint64_t pvbm_fast_psr, pvbm_fast_gt, pvbm_fast_vfp, pvbm_fast_bp;
extern uint64_t pvbm_fast_ttbr1;
extern uint64_t pvbm_fast_xret;
extern uint64_t pvbm_fast_prefill;
extern uint64_t pvbm_vcpu_switches; /* run.c: vCPUs taking the core */
extern uint64_t pvbm_kicks_sent;    /* run.c: SGIs to another vCPU's core */
extern uint64_t pvbm_kicks_taken;   /* irq.c: ... and taken there */
/* ops.c: under the lock, before core @core enters the guest: its own TLB
 * flush if host ASIDs were reused since it last entered. */
void pvbm_tlb_catch_up(unsigned core);
/* run.c: the core's kick (backend.h) for vCPU @id. */
void pvbm_kick(unsigned id);

/* payload.c */
/**
 * struct pvbm_payload - the guest this image carries, once loaded
 * @entry: guest-physical PC to enter at (the vCPU's other boot registers
 *         are already set)
 * @budget_s: guest seconds before the watchdog stops the run (~0: never)
 * @report_undefs: say where UNDEFs were injected into the guest kernel
 * @no_fast_paths: window.S's fast paths off (the C path for every trap)
 * @no_kicks: no host IPIs between cores (a vCPU's core notices news from
 *            another core at its own next tick), for measuring them
 */
struct pvbm_payload {
	uint32_t entry;
	uint32_t budget_s;
	bool report_undefs;
	bool no_fast_paths;
	bool no_kicks;
};
/* Before pv_vm_init(): the payload's pvpatch site table into @cfg. */
void pvbm_payload_config(struct pv_vm_config *cfg);
/* After it: copy the guest into @ram of @vm and set its boot registers. */
void pvbm_payload_load(struct pv_vm *vm, const struct pv_ram_region *ram,
		       struct pvbm_payload *out);

/* run.c */
/* main.c: this core's exception stacks (its frame in the window), VBAR. */
void pvbm_vectors_init(unsigned core);
/* run.c: another host core runs vCPU @core (smp.c, after its setup). */
__attribute__((noreturn)) void pvbm_run_core(unsigned core);
/* Enter the guest; every exception it takes comes back to pvbm_trap(). */
__attribute__((noreturn)) void pvbm_run(struct pv_vm *vm,
					const struct pvbm_payload *p);

/* watchdog.c */
/* Start the guest-time budget of @budget_s guest seconds (~0: none). */
void pvbm_watchdog_start(uint32_t budget_s);
/* Stop the run (status 3) if the budget is used up. */
void pvbm_watchdog_budget(void);
/* The fault-loop rule, fed with every trap's exit; may stop the run. */
void pvbm_watchdog_exit(const struct pv_exit *e);
/* The guest visited user mode on a fast path since the last trap. */
void pvbm_watchdog_user_progress(void);

/* canary.c */
/* Fill the canary pages and checksum pvbm's read-only image; PV_ERANGE if
 * the platform's layout leaves no room for them. */
int pvbm_canary_init(void);
/* Check them: 1 intact (says so), -1 changed (says where), 0 not set up. */
int pvbm_canary_check(void);

/* report.c */
/* The VM the reports describe, once pv_vm_init() built it. */
void pvbm_report_attach(struct pv_vm *vm);
/* The backend gives up: message, trace dump, summary, exit @status. */
__attribute__((noreturn)) void pvbm_fatal(const char *why, int err,
					  int status);
/* The vCPU stopped (PV_ACTION_STOP): summary and the exit status. */
__attribute__((noreturn)) void pvbm_report_stop(const struct pv_exit *e);
/* An exception taken inside the VMM itself. */
__attribute__((noreturn)) void pvbm_host_exception(const struct pvbm_frame *f);
/* pvcore injected an UNDEF: say where if it was the guest kernel's. */
void pvbm_report_undef(const struct pv_exit *e);

#endif /* PVBM_VMM_H */
