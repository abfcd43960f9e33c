/* SPDX-License-Identifier: MIT */
/*
 * The core's side of a backend fast path (pvcore/fastpath.h).
 */
#ifndef PV_FAST_H
#define PV_FAST_H

#include <pvcore/fastpath.h>

struct pv_vcpu;

/*
 * pv_fast_fill() - hand the registered fast path what it needs, or clear
 * its flags. Called last in pv_vcpu_resume_state(), after the vCPU page
 * and the shadow roots were brought up to date.
 */
void pv_fast_fill(struct pv_vcpu *vcpu);

/*
 * pv_fast_sync() - take back what the fast path did since the last fill:
 * the mode, the banked registers it moved and the traps it counted. First
 * thing in every entry point that may follow guest execution; clears the
 * flags.
 */
void pv_fast_sync(struct pv_vcpu *vcpu);

#endif /* PV_FAST_H */
