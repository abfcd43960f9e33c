/* SPDX-License-Identifier: MIT */
/*
 * The vCPU page and the stub area inside the core (see pvcore/pvpage.h for
 * the layout and the rules, docs/pv-path.md for the design).
 */
#ifndef PV_VPAGE_H
#define PV_VPAGE_H

#include <pvcore/pvpage.h>

#include "mmu.h"

struct pv_vcpu;
struct pv_vm;

/* What the guest-kernel view maps at a stub-area address. */
enum pv_vpage_map {
	PV_VPAGE_MAP_NONE, /* not the stub area: the guest's tables decide */
	PV_VPAGE_MAP_CODE, /* stub code: guest RAM, read-only, executable */
	PV_VPAGE_MAP_PAGE, /* a page slot: this vCPU's page, read-write, XN */
};

/*
 * Check the stub table and the vCPU pages of @vm's configuration.
 * Return: 0; PV_EINVAL or PV_EEXIST (pages overlap RAM, pool or window).
 */
int pv_vpage_check_config(const struct pv_vm *vm);

/* Where the stub area is for @vcpu now: its VA, or its PA with the MMU off. */
uint32_t pv_vpage_area_base(const struct pv_vcpu *vcpu);

/*
 * Whether @va is in the stub area as the current vCPU sees it (guest-kernel
 * access; with the MMU off at the area's physical address), and what backs it: @hpa (host-physical page) and, for
 * code, @gpa (guest-physical page).
 */
enum pv_vpage_map pv_vpage_lookup(const struct pv_vcpu *vcpu, uint32_t va,
				  unsigned acc, uint64_t *hpa, uint64_t *gpa);

/* A translation for the emulator's own fetches from stub code. */
bool pv_vpage_translate(const struct pv_vcpu *vcpu, uint32_t va, unsigned acc,
			struct pv_walk *out);

/* At a trap: take back what stubs may have changed (untrusted). */
void pv_vpage_sync_in(struct pv_vcpu *vcpu);

/* At a resume: write the page from the vCPU. */
void pv_vpage_sync_out(struct pv_vcpu *vcpu);

/*
 * Before entering a guest exception: never with the PC inside a stub.
 * Roll the stub back to its site, or forward past it.
 */
void pv_vpage_leave_stub(struct pv_vcpu *vcpu);

/*
 * After a trap that leaves the PC inside a stub (one lookup for both):
 * - @emulated (a trap word inside it was emulated): if only the stub's
 *   branch back remains, go straight to the site's successor (the
 *   emulation may have left guest-kernel mode, whose view alone maps the
 *   stub);
 * - a PV_STUB_MCR_TPIDRURO stub decided on the host TPIDRURO, which this
 *   resume reloads with the guest's value (undoing the fast SVC's guess),
 *   so it starts again from its site (or, at an exit, goes past it), as
 *   pv_vpage_leave_stub() does.
 */
void pv_vpage_after_trap(struct pv_vcpu *vcpu, bool emulated);

/* Host address of @vcpu's page (NULL without stubs). */
uint32_t *pv_vpage_of(const struct pv_vcpu *vcpu);

#endif /* PV_VPAGE_H */
