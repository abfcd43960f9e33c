/* SPDX-License-Identifier: MIT */
/*
 * The fake backend's fast paths: pvcore/fastpath.h's contract in C, step
 * by step, as a backend's exception vectors carry it out (pvbm's are in
 * backends/baremetal/window.S). The unit tests compare them with the
 * core's own path; the pv-path fuzzer drives them with guest-written vCPU
 * pages.
 */
#ifndef PV_FAKE_FAST_H
#define PV_FAKE_FAST_H

#include <stdbool.h>
#include <stdint.h>

#include <pvcore/fastpath.h>

/**
 * struct fake_fast_host - the host CPU state a fast path reads and leaves
 * @sp, @lr: the host user-bank SP and LR (the guest's live ones)
 * @exc_lr, @spsr: the exception LR and SPSR going in
 * @pc, @cpsr, @ttbr0, @asid, @dacr: the return state going out
 * @tpidruro: the host TPIDRURO
 * @clean, @clean_arg: the backend's clean of a shadow table word a fast
 *                     path wrote (the prefill; window.S: DCCMVAU), or NULL
 */
struct fake_fast_host {
	uint32_t sp, lr, exc_lr, spsr;
	uint32_t pc, cpsr, ttbr0, asid, dacr;
	uint32_t tpidruro;
	void (*clean)(void *arg, volatile uint32_t *word);
	void *clean_arg;
};

/*
 * Each takes the backend's struct and the vCPU page (4 KiB, as the core
 * maps it), checks what the contract says and returns false without
 * writing anything when a check fails (the trap then goes to the core).
 */
bool fake_fast_svc(struct pv_fast *f, volatile uint32_t *page,
		   struct fake_fast_host *h);
bool fake_fast_eret(struct pv_fast *f, volatile uint32_t *page,
		    struct fake_fast_host *h);
bool fake_fast_xret(struct pv_fast *f, volatile uint32_t *page,
		    struct fake_fast_host *h);
/* "MCR p15, 0, Rt, c13, c0, 3" from the guest kernel (fastpath.h,
 * "TPIDRURO"); the caller counts it for pv_vcpu_fast_tpidruro(). */
void fake_fast_mcr_tpidruro(struct pv_fast *f, volatile uint32_t *page,
			    struct fake_fast_host *h, uint32_t value);

#endif /* PV_FAKE_FAST_H */
