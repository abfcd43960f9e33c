/* SPDX-License-Identifier: MIT */
/**
 * DOC: cache and TLB maintenance loops in one trap
 *
 * Linux cleans and invalidates areas one cache line at a time, and TLB
 * ranges one page at a time, in loops such as
 *
 *	1: mcr  p15, 0, r0, c7, c14, 1   @ DCCIMVAC
 *	   add  r0, r0, r2
 *	   cmp  r0, r1
 *	   bcc  1b
 *
 * and every MCR traps (about 2,000 host instructions each). When the MCR
 * that trapped heads such a loop, pv_cmo_loop_run() decodes the loop's
 * other instructions from guest memory, checks them against a table of
 * shapes, computes the registers, flags and PC the loop ends with, and
 * only then commits: the maintenance of every line, the registers, flags
 * and PC. The guest sees what it would after one trap per iteration,
 * except that a virtual interrupt arriving meanwhile waits for the end of
 * the trap (docs/cpu.md, "Cache maintenance loops").
 *
 * Recognised (A32 only): the MCR (DCIMVAC, DCCMVAC, DCCMVAU, DCCIMVAC,
 * ICIMVAU, or a TLB invalidation by MVA: TLBIMVA, TLBIMVAA, ITLBIMVA,
 * DTLBIMVA and the inner-shareable forms; allowed at the vCPU's privilege),
 * then
 *
 *	add  rA, rA, rS | #imm      rA the MCR's register, step a multiple of
 *	                            32, 32..4096 (exactly 4096 for the TLB)
 *	cmp  rA, rB | #imm          or  subs rN, rN, rM | #imm
 *	b<c> <the MCR>              <c> not AL
 *
 * each of the four with the condition AL or <c> (v7_dma_inv_range has
 * mcrcc/addcc/cmpcc/bcc), no register r13 or r15, rS, rB and rM distinct
 * from the registers the loop writes. Every iteration must run its MCR and
 * its ADD (the iterations' lines are then rA, rA + step, ...), or nothing
 * is fused.
 */
#ifndef PVCORE_CMO_LOOP_H
#define PVCORE_CMO_LOOP_H

#include <pvcore/decode.h>

struct pv_vcpu;

/*
 * The bytes of lines (iterations times step) one trap maintains at most.
 * A longer loop stops after that many at its MCR, with the registers and
 * flags of that iteration's end; the guest's next run of the MCR traps
 * again and goes on. This bounds how long a pending virtual interrupt
 * waits: 2,048 lines at 32 bytes.
 */
#define PV_CMO_LOOP_MAX_BYTES 0x10000u

/*
 * The pages one trap invalidates at most in a TLB loop (1 MiB): each costs
 * the shadow engine a few instructions per cached space, so this bounds
 * the wait of a pending virtual interrupt as PV_CMO_LOOP_MAX_BYTES does.
 */
#define PV_TLB_LOOP_MAX_PAGES 256u

/**
 * pv_cmo_loop_run() - run the loop the MCR @mcr at r[15] heads, if it is one
 * @vcpu: the vCPU, at the trapped MCR (A32), no interrupt deliverable
 * @mcr: its decode
 *
 * Return: true if done: the maintenance, r[0..15] and CPSR.NZCV are as
 * after the iterations it ran (the whole loop, or PV_CMO_LOOP_MAX_BYTES
 * of it, ending at the MCR), and the events are counted. False with
 * nothing changed: the caller emulates the MCR alone.
 */
bool pv_cmo_loop_run(struct pv_vcpu *vcpu, const struct pv_insn *mcr);

#endif /* PVCORE_CMO_LOOP_H */
