/* SPDX-License-Identifier: MIT */
/* STUB (issue 6 replaces): device models. */
#include <pvcore/error.h>
#include <pvcore/vm.h>

int pv_devices_init(struct pv_vm *vm) { (void)vm; return 0; }
void pv_devices_timer_expired(struct pv_vm *vm) { (void)vm; }
int pv_devices_phys_irq(struct pv_vm *vm, unsigned host_irq, bool level) { (void)vm; (void)host_irq; (void)level; return PV_ERANGE; }
