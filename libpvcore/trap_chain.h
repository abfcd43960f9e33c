/* SPDX-License-Identifier: MIT */
/**
 * DOC: context-register writes in one trap
 *
 * A Linux context switch (cpu_v7_switch_mm) ends with
 *
 *	mcr  p15, 0, r1, c13, c0, 1   @ CONTEXTIDR
 *	isb
 *	mcr  p15, 0, r0, c2, c0, 0    @ TTBR0
 *	isb
 *
 * and each MCR traps. Between the two the vCPU runs, for one ISB, in a
 * regime (the old TTBR0 with the new ASID) that the resume must find or
 * build a shadow space for. When the MCR that trapped writes CONTEXTIDR,
 * pv_trap_chain_run() decodes the words after it from guest memory:
 * barriers (DSB, DMB, ISB, any option) and further MCRs to the context
 * registers run in the same trap, and the resume sees only the last
 * regime. Everything is decoded and checked before anything is written;
 * then the writes are made in order, each as its own trap would make it.
 *
 * The rule (A32 only, the vCPU at PL1, no interrupt deliverable):
 *
 * - the chain's MCRs write CONTEXTIDR, TTBR0, TTBR1, TTBCR or DACR, with a
 *   register other than r15, any condition (read from CPSR, which nothing
 *   in a chain changes; a failed one does nothing, as its trap would);
 * - a write to TTBR0, TTBR1, TTBCR or DACR ends the chain: the words after
 *   it must be fetched through the new translation, which the look-ahead
 *   does not walk. CONTEXTIDR changes no walk, only the ASID;
 * - anything else ends the chain before it (the first word that is not a
 *   barrier or such an MCR: a pvpatch trap word, a branch, an MCR to
 *   another register, a Thumb or unconditional-space coprocessor form);
 * - at most PV_TRAP_CHAIN_MAX instructions, the trapped one included, and
 *   the chain ends at its last MCR (a barrier after it runs natively);
 * - a chain is run only if it has two MCRs or more: else the trapped MCR
 *   is emulated alone.
 */
#ifndef PVCORE_TRAP_CHAIN_H
#define PVCORE_TRAP_CHAIN_H

#include <pvcore/decode.h>

struct pv_vcpu;

/* Instructions one chain runs at most, its trapped MCR included. */
#define PV_TRAP_CHAIN_MAX 4u

/**
 * pv_trap_chain_run() - run the chain of context-register writes that the
 * MCR @mcr at r[15] starts, if there is one
 * @vcpu: the vCPU, at the trapped, unpatched MCR
 * @mcr: its decode
 *
 * Return: true if done: the CP15 writes (with their shadow and translation
 * cache effects) are made in order and r[15] is past the chain's last
 * MCR; PV_EV_TRAP_CHAIN and PV_EV_CHAIN_MCRS are counted. False with
 * nothing changed: the caller emulates the MCR alone.
 */
bool pv_trap_chain_run(struct pv_vcpu *vcpu, const struct pv_insn *mcr);

#endif /* PVCORE_TRAP_CHAIN_H */
