/* SPDX-License-Identifier: MIT */
/*
 * Where a secondary CPU of the SMP conformance guest starts (natively from
 * the SRC, under the VMM from PSCI CPU_ON): its own stacks, the guest's
 * vectors, then smp_secondary(cpu, cpsr at entry) in sc_smp.c.
 *
 * Stacks: CPU n (1..3) owns the 32 KiB below 0x10148000 + n * 0x8000,
 * above CPU 0's (start.S, conf.h): SVC the top 16 KiB, IRQ 8 KiB, ABT and
 * UND 4 KiB each.
 */
	.syntax unified
	.arm
	.arch armv7-a

/* A sensitive instruction: recorded in .pv_sens for mkguest.py (start.S). */
#define SENS(cls, ...) 999: __VA_ARGS__ ; .pushsection .pv_sens, "" ; \
	.word 999b, cls ; .popsection
#define IC_CPS 4
#define IC_MRS 5

	.text
	.global	conf_secondary_entry
conf_secondary_entry:
	SENS(IC_MRS, mrs r6, cpsr)		/* before we change it */
	mrc	p15, 0, r4, c0, c0, 5		/* MPIDR: Aff0 is the CPU */
	and	r4, r4, #3
	ldr	r5, =0x10148000
	add	r5, r5, r4, lsl #15		/* this CPU's stack top */
	SENS(IC_CPS, cpsid aif, #0x12)		/* IRQ */
	sub	sp, r5, #0x4000
	SENS(IC_CPS, cps #0x17)			/* ABT */
	sub	sp, r5, #0x6000
	SENS(IC_CPS, cps #0x1b)			/* UND */
	sub	sp, r5, #0x7000
	SENS(IC_CPS, cps #0x13)			/* SVC */
	mov	sp, r5
	ldr	r0, =conf_vectors
	mcr	p15, 0, r0, c12, c0, 0		/* VBAR */
	isb
	mov	r0, r4
	mov	r1, r6
	bl	smp_secondary
	b	.
