/* SPDX-License-Identifier: MIT */
/**
 * DOC: the virtual board's device models
 *
 * &struct pv_devices holds every device model the board descriptor
 * (pv_vm_config.board, board.h) instantiates: the Cortex-A9 MPCore
 * peripherals (SCU, GIC, global timer, private timer and watchdog), the
 * PL011 UART, the virtio-mmio devices (console, block, network, entropy;
 * each present only if the board lists it) and the PSCI power state.
 * pv_vm embeds it, so the device state needs no heap.
 *
 * Time: all virtual timers share the backend's single one-shot timer.
 * After every access that can move a deadline, and after each expiry, the
 * platform programs ops->timer_set() with the earliest deadline of all
 * devices (PV_TIMER_NEVER when none), calling the backend only when that
 * value changes. The UART adds a poll deadline (PV_PL011_POLL_NS) while
 * the guest listens for input, and the virtio devices one
 * (PV_VIRTIO_POLL_NS) while they wait for host input with a receive
 * buffer posted (network frames, console bytes), for backends that cannot
 * signal it. pv_vm_console_input() (the backend's "input is waiting")
 * polls the UART and every virtio device.
 *
 * Physical interrupts: pv_vm_map_phys_irq() (vm.h) connects a host
 * interrupt to a virtual GIC line (an SPI, or a PPI of CPU 0); the backend
 * then reports level changes with pv_vm_phys_irq().
 */
#ifndef PVCORE_DEVICES_H
#define PVCORE_DEVICES_H

#include "a9_timers.h"
#include "gic.h"
#include "pl011.h"
#include "scu.h"
#include "virtio_blk.h"
#include "virtio_console.h"
#include "virtio_net.h"
#include "virtio_rng.h"
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
 * @reset_request: the guest's watchdog asked for a board reset
 * @vcon, @vblk, @vnet, @vrng: the virtio devices; a device the board does
 *        not list has a NULL @vdev.model and no MMIO window
 * @virtio: the virtio devices the board lists, @nvirtio of them
 * @vpoll_at: when the virtio devices next look for host input, or
 *            PV_TIMER_NEVER
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
	bool reset_request;
	struct pv_virtio_console vcon;
	struct pv_virtio_blk vblk;
	struct pv_virtio_net vnet;
	struct pv_virtio_rng vrng;
	struct pv_virtio *virtio[4];
	unsigned nvirtio;
	uint64_t vpoll_at;
};

/**
 * pv_devices_init() - instantiate the board's device models and register
 * them on the VM's memory map
 * @vm: the VM; vm->cfg must be valid, with a board (the backend ops are
 *      used)
 *
 * Return: 0; PV_EINVAL for a board that fails pv_board_check() or a vCPU
 * count the GIC cannot serve; the memmap errors (PV_EEXIST, PV_ENOMEM) on
 * a layout clash.
 */
int pv_devices_init(struct pv_vm *vm);

/**
 * pv_devices_timer_expired() - the backend's one-shot timer fired:
 * advance the timers, poll console input and re-arm the host timer.
 */
void pv_devices_timer_expired(struct pv_vm *vm);

/**
 * pv_devices_reset_requested() - whether the guest's watchdog asked for a
 * board reset (latched until the VM is rebuilt); inline, for the trap path
 */
static inline bool pv_devices_reset_requested(const struct pv_devices *d)
{
	return d->reset_request;
}

#endif /* PVCORE_DEVICES_H */
