/* SPDX-License-Identifier: MIT */
/**
 * DOC: the virtual board's device models (owned by the platform component)
 *
 * Placeholder until issue 6 lands. pv_vm embeds &struct pv_devices, so the
 * device state needs no heap.
 */
#ifndef PVCORE_DEVICES_H
#define PVCORE_DEVICES_H

#include <pvcore/types.h>

struct pv_vm;

struct pv_devices {
	uint32_t placeholder;
};

/**
 * pv_devices_init() - reset every device model and register it on the VM's
 * memory map.
 * Return: 0; the memmap errors on a layout clash.
 */
int pv_devices_init(struct pv_vm *vm);

/** pv_devices_timer_expired() - the backend's one-shot timer fired. */
void pv_devices_timer_expired(struct pv_vm *vm);

/**
 * pv_devices_phys_irq() - a routed physical interrupt changed level
 * Return: 0; PV_ERANGE if @host_irq is not mapped.
 */
int pv_devices_phys_irq(struct pv_vm *vm, unsigned host_irq, bool level);

#endif /* PVCORE_DEVICES_H */
