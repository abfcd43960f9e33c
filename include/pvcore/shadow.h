/* SPDX-License-Identifier: MIT */
/**
 * DOC: the shadow page-table engine (owned by the shadow component)
 *
 * Placeholder interface until issue 5 lands; the names below are the
 * contract the trap path and CP15 use.
 */
#ifndef PVCORE_SHADOW_H
#define PVCORE_SHADOW_H

#include <pvcore/mmu.h>

struct pv_vcpu;
struct pv_vm;

/**
 * struct pv_pool - caller-supplied memory for shadow tables
 * @hva: where the core writes (16 KiB aligned)
 * @hpa: host-physical address of the same bytes (16 KiB aligned)
 * @size: bytes
 */
struct pv_pool {
	pv_hva_t hva;
	pv_hpa_t hpa;
	size_t size;
};

/* Outcome of pv_shadow_fault(). */
enum pv_shadow_outcome {
	PV_SHADOW_FILLED,      /* retry the instruction */
	PV_SHADOW_GUEST_FAULT, /* inject the fault in @fault */
	PV_SHADOW_MMIO,        /* the access targets a device: emulate it */
};

struct pv_shadow {
	uint32_t placeholder_root_index;
};

int pv_shadow_init(struct pv_vm *vm);

/**
 * pv_shadow_fault() - handle a host translation/permission fault of the guest
 * Return: 0 with *@outcome set; PV_EWINDOW if the guest mapping would cover
 * the VMM window; PV_ESTATE on internal inconsistency.
 */
int pv_shadow_fault(struct pv_vcpu *vcpu, pv_gva_t va, unsigned acc,
		    enum pv_shadow_outcome *outcome, struct pv_fault *fault);

#endif /* PVCORE_SHADOW_H */
