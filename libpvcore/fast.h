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
 * pv_fast_device_read() - the guest accessed the device at guest-physical
 * @gpa through @va on the core's path (@acc: PV_ACC_*). From a read with
 * the kernel's own privilege (not LDRT) the fast clock read learns the
 * page through which the kernel reads the global timer's counter: the same
 * physical page has other mappings (the GIC CPU interface's, the private
 * timers', the SCU's), and a read at one of those is no clock read.
 */
void pv_fast_device_read(struct pv_vcpu *vcpu, uint32_t va, unsigned acc,
			 uint64_t gpa);

/*
 * pv_fast_sync() - take back what the fast path did since the last fill:
 * the mode, the banked registers it moved and the traps it counted. First
 * thing in every entry point that may follow guest execution; clears the
 * flags.
 */
void pv_fast_sync(struct pv_vcpu *vcpu);

#endif /* PV_FAST_H */
