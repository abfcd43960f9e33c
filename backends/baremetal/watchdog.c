// SPDX-License-Identifier: MIT
/*
 * The host watchdog: it ends a run that cannot end by itself, with status
 * PVBM_EXIT_WATCHDOG (3), in one of two ways.
 *
 * The time budget: the guest gets so many guest seconds (host ticks, which
 * run on guest time under QEMU -icount) and no more.
 *
 * The fault loop: a guest kernel whose fault handler itself faults
 * (unmapped vectors, say) would spin forever in trap and inject, and the
 * budget would take long to notice. The rule reads only what each trap's
 * &struct pv_exit says:
 *
 * - a fault counts if pvcore injected it (UNDEF, prefetch or data abort)
 *   while the guest was at PL1: a kernel fault;
 * - LOOP_LIMIT such faults in a row at one PC and one fault address are a
 *   loop; a kernel fault elsewhere starts the count again;
 * - any trap taken from guest user mode sets the count to zero: the guest
 *   got back to user mode, so it made progress (so does a visit there on
 *   window.S's fast paths, which make no exit: a loop of system calls
 *   that each fault in the kernel at one PC, on one bad user pointer, is
 *   progress). Faults in user mode never
 *   count: a process may fault at one PC as often as it likes (lazy VFP
 *   enabling traps the first VFP instruction after every context switch;
 *   a program may handle SIGSEGV in a loop), and its kernel sorts it out.
 *
 * The address matters: a kernel loop clearing fresh pages faults at one PC
 * many times, each time on a new page, and the guest resolves every one.
 * A kernel trap that injects nothing (an emulated instruction, MMIO, a
 * hypercall) neither counts nor resets: a fault handler that traps on its
 * way back to the faulting instruction is still a loop.
 */
#include "bm.h"
#include "vmm.h"

/*
 * Kernel faults in a row at one (pc, address). Small enough that the
 * loop's cause is still in pvcore's PV_TRACE_ENTRIES-entry trace ring
 * when the watchdog dumps it.
 */
#define LOOP_LIMIT 32u

static uint64_t budget_ticks;
static uint32_t loop_pc, loop_addr, loop_count;

void pvbm_watchdog_start(uint32_t budget_s)
{
	/* ~0: an interactive guest or a soak, which end by themselves. */
	budget_ticks = budget_s == 0xffffffffu ? UINT64_MAX :
		       (uint64_t)budget_s * pvbm_platform.tick_hz;
	loop_count = 0;
	pvbm_ticks = 0;
}

void pvbm_watchdog_budget(void)
{
	if (pvbm_ticks > budget_ticks)
		pvbm_fatal("watchdog: guest time budget exhausted", 0,
			   PVBM_EXIT_WATCHDOG);
}

void pvbm_watchdog_user_progress(void)
{
	loop_count = 0;
}

void pvbm_watchdog_exit(const struct pv_exit *e)
{
	if ((e->cpsr & PVBM_PSR_MODE_MASK) == PVBM_PSR_USR) {
		loop_count = 0;
		return;
	}
	if (e->injected != PV_INJ_UNDEF && e->injected != PV_INJ_PABT &&
	    e->injected != PV_INJ_DABT)
		return;
	if (loop_count && e->pc == loop_pc && e->addr == loop_addr) {
		if (++loop_count >= LOOP_LIMIT)
			pvbm_fatal("watchdog: guest is stuck in a fault loop", 0,
				   PVBM_EXIT_WATCHDOG);
		return;
	}
	loop_pc = e->pc;
	loop_addr = e->addr;
	loop_count = 1;
}
