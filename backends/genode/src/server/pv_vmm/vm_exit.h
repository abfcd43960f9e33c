/* SPDX-License-Identifier: MIT */
/*
 * pv_vmm's exit handling, the part of the Genode backend that is not
 * Genode glue (docs/genode.md): the vCPU state page (pv_genode/
 * vcpu_state.h) to and from pvcore, and one step of the exit loop on
 * pv_vcpu_run_trap(). Host-tested through the fake backend
 * (tests/unit/test_genode_exit.c); main.cc only waits for the exit signal,
 * calls these, and asks the kernel to run the vCPU.
 */
#ifndef PV_VMM_VM_EXIT_H
#define PV_VMM_VM_EXIT_H

#include <pvcore/pvcore.h>
#include <pv_genode/vcpu_state.h>

#ifdef __cplusplus
extern "C" {
#endif

/** enum pv_genode_next - what the exit loop does after a step */
enum pv_genode_next {
	PV_GENODE_RUN,   /* run the vCPU with the state page's run half */
	PV_GENODE_WAIT,  /* block until a host event, then pv_genode_poll() */
	PV_GENODE_STOP,  /* the vCPU stopped (&pv_exit.stop says why) */
};

/**
 * pv_genode_take_exit() - the exit half of @s into @vcpu and @t
 * @vcpu: the vCPU that exited (its registers are written)
 * @s: the state page, as the kernel wrote it
 * @t: filled in for pv_vcpu_handle_trap() or pv_vcpu_run_trap()
 *
 * Also records the guest's TPIDRURW, which the kernel switches per job.
 * Checks first, then changes @vcpu: on an error nothing is changed.
 *
 * Return: 0; PV_ESTATE if the page is not a version-1 state page or
 * reports an exit from another mode than USR (the guest context runs only
 * there: the kernel's fault, never the guest's); PV_EINVAL for an
 * exception the ABI does not have.
 */
int pv_genode_take_exit(struct pv_vcpu *vcpu,
			const struct pv_genode_vcpu_state *s,
			struct pv_trap *t);

/**
 * pv_genode_fill_run() - the run half of @s from @vcpu and @rs
 * @vcpu: the vCPU about to run (its registers are read)
 * @rs: from pv_vcpu_resume_state() or pv_vcpu_run_trap()
 * @s: the state page
 *
 * Return: 0; PV_ESTATE if @rs would run the guest in another mode than
 * USR (pvcore never asks that; the kernel would refuse it); PV_ERANGE if
 * the shadow root lies above 4 GiB (no LPAE: TTBR0 holds 32 bits). @s is
 * not changed on an error.
 */
int pv_genode_fill_run(struct pv_vcpu *vcpu, const struct pv_resume *rs,
		       struct pv_genode_vcpu_state *s);

/**
 * pv_genode_exit() - one step of the exit loop
 * @vcpu: the vCPU whose exit the kernel signalled
 * @s: its state page
 * @e: the core's answer (reason, action, stop)
 * @next: what to do now; with PV_GENODE_RUN the run half is filled
 *
 * pv_genode_take_exit(), pv_vcpu_run_trap() without a wait function (the
 * component waits in its entrypoint, for its timer, interrupt and
 * terminal signals), pv_genode_fill_run().
 *
 * Return: 0, or an error of the three; on an error *@next is
 * PV_GENODE_STOP and the VM must stop.
 */
int pv_genode_exit(struct pv_vcpu *vcpu, struct pv_genode_vcpu_state *s,
		   struct pv_exit *e, enum pv_genode_next *next);

/**
 * pv_genode_poll() - after a host event, for a vCPU that waits or is off
 * @vcpu: the vCPU (not running)
 * @s, @e, @next: as for pv_genode_exit()
 *
 * Return: 0, or an error of pv_genode_fill_run().
 */
int pv_genode_poll(struct pv_vcpu *vcpu, struct pv_genode_vcpu_state *s,
		   struct pv_exit *e, enum pv_genode_next *next);

#ifdef __cplusplus
}
#endif

#endif /* PV_VMM_VM_EXIT_H */
