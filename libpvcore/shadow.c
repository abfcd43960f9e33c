/* SPDX-License-Identifier: MIT */
/* STUB (issue 5 replaces): shadow page tables. */
#include <pvcore/error.h>
#include <pvcore/vm.h>

int pv_shadow_init(struct pv_vm *vm) { (void)vm; return 0; }
int pv_shadow_fault(struct pv_vcpu *vcpu, pv_gva_t va, unsigned acc, enum pv_shadow_outcome *o, struct pv_fault *f) { (void)vcpu; (void)va; (void)acc; (void)f; *o = PV_SHADOW_MMIO; return PV_ENOSYS; }
