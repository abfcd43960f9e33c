// SPDX-License-Identifier: MIT
/*
 * Host interrupts: who owns each line, and servicing them. The two timer
 * PPIs are pvbm's (the host tick, and the global-timer comparator that is
 * the core's one-shot timer), and so is SGI PVBM_SGI_KICK (another core
 * telling this one that its vCPU has news); a line the core routed to the VM
 * (irq_route, through ops.c) is the guest's; anything else is spurious
 * and gets silenced.
 */
#include "bm.h"
#include "vmm.h"

#define NR_LINES 1024u

static uint32_t routed[NR_LINES / 32];
static uint64_t oneshots;
uint64_t pvbm_kicks_taken;

int pvbm_irq_route(unsigned irq, bool on)
{
	/* Our own timers are not the VM's to take. */
	if (irq == pvbm_platform.irq_twd || irq == pvbm_platform.irq_gtimer)
		return PV_EBACKEND;
	if (irq >= NR_LINES || pvbm_gic_enable(irq, on))
		return PV_ERANGE;
	if (on)
		routed[irq / 32] |= 1u << (irq % 32);
	else
		routed[irq / 32] &= ~(1u << (irq % 32));
	return 0;
}

void pvbm_irq_service(struct pv_vm *vm)
{
	for (;;) {
		unsigned iar = pvbm_gic_ack(), irq = iar & 0x3ff;
		bool fired = false;

		if (irq >= 1020)
			break;
		/* A kick from another core (run.c): being here is its point;
		 * the caller polls its vCPU next. */
		if (irq == PVBM_SGI_KICK) {
			pvbm_gic_eoi(iar);
			pvbm_kicks_taken++;
			continue;
		}
		if (pvbm_timer_irq(irq, &fired)) {
			pvbm_gic_eoi(iar);
			if (fired) {
				oneshots++;
				if (vm)
					pv_vm_timer_expired(vm);
			}
			continue;
		}
		if (vm && (routed[irq / 32] & (1u << (irq % 32)))) {
			/* Level lines stay masked until the core re-routes
			 * them, after the guest has dealt with the device. */
			pvbm_gic_enable(irq, false);
			pvbm_gic_eoi(iar);
			pv_vm_phys_irq(vm, irq, true);
			continue;
		}
		pvbm_gic_enable(irq, false); /* spurious source: silence it */
		pvbm_gic_eoi(iar);
	}
	/*
	 * The console UART is polled (no line of its own): tell the core
	 * when a byte waits, at every host interrupt (the 1 kHz tick at
	 * least), or typed input would wait for the guest's next own reason
	 * to look, which a tickless idle guest may not have for seconds.
	 */
	if (vm && pvbm_uart_rx_ready())
		pv_vm_console_input(vm);
}

uint64_t pvbm_irq_oneshots(void)
{
	return oneshots;
}
