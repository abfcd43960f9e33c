/* SPDX-License-Identifier: MIT */
/*
 * The kernel's check of the run half of a vCPU state page
 * (pv_genode/vcpu_state.h) before it loads it into a guest context.
 *
 * The VMM writes the run half and is not trusted: the kernel copies it
 * once into its own memory, checks the copy and loads only the copy. What
 * must hold, or the guest would run with more than PL0 on the VM's own
 * tables: USR mode, A/I/F clear (the host's interrupts reach the kernel),
 * no Jazelle, no IT state outside Thumb, the reserved bits clear; TTBR0 a
 * root of the kernel's checked copy of the tables (table_check.h), loaded
 * with the kernel's own walk attributes; an ASID of the VM's range; no
 * Manager domain in the DACR (a Manager domain bypasses the access bits,
 * and the window's pages are PL1-only by their access bits); only known
 * flags. The registers, PC, TPIDRURO/URW are the guest's business.
 */
#ifndef PV_GENODE_RUN_CHECK_H
#define PV_GENODE_RUN_CHECK_H

#include <stdint.h>

#include <pv_genode/vcpu_state.h>
#include "table_check.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * pv_genode_run_take() - copy the VMM's run half once and check the copy
 * @w:          the VM's checked tables (the roots TTBR0 may name)
 * @asid_first, @asid_last: the host ASIDs the kernel gave the VM
 * @ttbr_attrs: the kernel's walk attributes, put into the copy's TTBR0
 * @from:       the run half in the state page (VMM memory)
 * @to:         the kernel's copy, what it loads; written even on an error
 *
 * Return: 0; PV_EINVAL for a NULL argument; PV_ESTATE for a CPSR that is
 * not a plain USR context; PV_ERANGE for a TTBR0 that is not a root of
 * the copy (or a broken walker) or an ASID outside the range; PV_EWINDOW
 * for a Manager domain; PV_ECORRUPT for unknown flags.
 */
int pv_genode_run_take(const struct pv_genode_walker *w, uint8_t asid_first,
		       uint8_t asid_last, uint32_t ttbr_attrs,
		       const struct pv_genode_run *from, struct pv_genode_run *to);

#ifdef __cplusplus
}
#endif

#endif
