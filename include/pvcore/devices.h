/* SPDX-License-Identifier: MIT */
/**
 * DOC: the virtual board's device models (owned by the platform component)
 *
 * &struct pv_devices aggregates every device of the board in board.h and
 * dts/pvboard.dts: the Cortex-A9 MPCore peripherals (SCU, GIC, global
 * timer, private timer and watchdog), the PL011 UART and the PSCI power
 * state. pv_vm embeds it, so the device state needs no heap.
 *
 * Time: all virtual timers share the backend's single one-shot timer.
 * After every access that can move a deadline, and after each expiry, the
 * platform programs ops->timer_set() with the earliest deadline of all
 * devices (PV_TIMER_NEVER when none), calling the backend only when that
 * value changes. The UART adds a poll deadline (PV_PL011_POLL_NS) while
 * the guest listens for input, for backends that cannot signal it.
 *
 * Physical interrupts: pv_devices_map_phys_irq() connects a host
 * interrupt to a virtual GIC line (an SPI, or a PPI of CPU 0); the backend
 * then reports level changes with pv_vm_phys_irq().
 */
#ifndef PVCORE_DEVICES_H
#define PVCORE_DEVICES_H

#include <pvcore/a9_timers.h>
#include <pvcore/gic.h>
#include <pvcore/pl011.h>
#include <pvcore/scu.h>
#include <pvcore/types.h>

struct pv_vm;

#define PV_MAX_PHYS_IRQS 16

/** struct pv_irq_map - one host interrupt routed to a virtual line. */
struct pv_irq_map {
	uint16_t host_irq;
	uint16_t virq;
};

/**
 * struct pv_devices - every device model of the virtual board
 * @gic: the interrupt controller
 * @timers: TWD and global timer
 * @uart: the PL011
 * @scu: the Snoop Control Unit
 * @phys: host-to-virtual interrupt routes; @nphys valid entries
 * @psci_on: bit n set while vCPU n is powered on (PSCI view)
 * @armed: the deadline last given to ops->timer_set()
 * @poll_at: when the UART next looks for console input, or PV_TIMER_NEVER
 * @wdt_reported: a watchdog reset request was turned into PV_STOP_RESET
 */
struct pv_devices {
	struct pv_gic gic;
	struct pv_a9_timers timers;
	struct pv_pl011 uart;
	struct pv_scu scu;
	struct pv_irq_map phys[PV_MAX_PHYS_IRQS];
	unsigned nphys;
	uint8_t psci_on;
	uint64_t armed;
	uint64_t poll_at;
	bool wdt_reported;
};

/**
 * pv_devices_init() - reset every device model and register it on the VM's
 * memory map.
 * @vm: the VM; vm->cfg must be valid (the backend ops are used)
 *
 * Return: 0; PV_EINVAL for a vCPU count the GIC cannot serve; the memmap
 * errors (PV_EEXIST, PV_ENOMEM) on a layout clash.
 */
int pv_devices_init(struct pv_vm *vm);

/**
 * pv_devices_timer_expired() - the backend's one-shot timer fired:
 * advance the timers, poll console input and re-arm the host timer.
 */
void pv_devices_timer_expired(struct pv_vm *vm);

/**
 * pv_devices_console_input() - the backend has console input waiting:
 * move what fits into the UART's RX FIFO (and raise its interrupt). Call
 * pv_vcpu_poll() afterwards.
 */
void pv_devices_console_input(struct pv_vm *vm);

/**
 * pv_devices_map_phys_irq() - route host interrupt @host_irq to the
 * virtual interrupt ID @virq
 * @vm: the VM
 * @host_irq: the backend's interrupt number
 * @virq: a GIC interrupt ID, 16..PV_GIC_NR_IRQS-1, not used by a board
 *        device (UART SPI, timer PPIs)
 *
 * Asks the backend to deliver @host_irq (ops->irq_route) and records the
 * route only if that succeeded.
 *
 * Return: 0; PV_ERANGE for an out-of-range @virq; PV_EBUSY if @virq
 * belongs to a board device or another route; PV_EEXIST if @host_irq is
 * already routed; PV_ENOMEM if PV_MAX_PHYS_IRQS routes exist; the
 * backend's error from irq_route.
 */
int pv_devices_map_phys_irq(struct pv_vm *vm, unsigned host_irq,
			    unsigned virq);

/**
 * pv_devices_phys_irq() - a routed physical interrupt changed level
 * Return: 0; PV_ERANGE if @host_irq is not mapped.
 */
int pv_devices_phys_irq(struct pv_vm *vm, unsigned host_irq, bool level);

#endif /* PVCORE_DEVICES_H */
