/* SPDX-License-Identifier: MIT */
/*
 * CPU helpers in assembly, for the drivers and the run loop: cache
 * invalidation before the MMU is on, the guest's VFP gate, the Non-secure
 * SCTLR.A copy, WFI. Leaf functions: they call nothing.
 */
	.syntax unified
	.arm
	.fpu vfpv3

	.text
/* Invalidate the L1 data cache by set/way (ARMv7 CCSIDR walk), before the
 * MMU and caches are turned on: the reset contents are UNKNOWN on hardware. */
	.global pvbm_dcache_inval_all
pvbm_dcache_inval_all:
	push	{r4-r7, lr}
	mov	r0, #0
	mcr	p15, 2, r0, c0, c0, 0	/* CSSELR: L1 data */
	isb
	mrc	p15, 1, r0, c0, c0, 0	/* CCSIDR */
	and	r1, r0, #7
	add	r1, r1, #4		/* log2(line bytes) */
	ubfx	r2, r0, #3, #10		/* ways - 1 */
	ubfx	r3, r0, #13, #15	/* sets - 1 */
	clz	r4, r2			/* way shift */
1:	mov	r5, r2			/* way */
2:	lsl	r6, r5, r4
	lsl	r7, r3, r1
	orr	r6, r6, r7
	mcr	p15, 0, r6, c7, c6, 2	/* DCISW */
	subs	r5, r5, #1
	bge	2b
	subs	r3, r3, #1
	bge	1b
	dsb
	pop	{r4-r7, pc}

/* FPEXC.EN: whether the guest may run VFP/NEON (CPACR is opened at boot). */
	.global pvbm_vfp_set
pvbm_vfp_set:
	cmp	r0, #0
	movne	r0, #0x40000000
	vmsr	fpexc, r0
	bx	lr

/*
 * The guest's VFP/NEON register file lives in the host registers while a
 * vCPU runs; time-slicing several vCPUs on one core (run.c) saves it at a
 * switch. r0: a struct pvbm_vfp (bm.h): d0-d31, 64 words, then FPSCR.
 * FPEXC.EN is opened for the copy and put back as it was (the guest's
 * FPEXC is the core's).
 */
	.global pvbm_vfp_save
pvbm_vfp_save:
	vmrs	r2, fpexc
	orr	r1, r2, #0x40000000
	vmsr	fpexc, r1
	vstmia	r0!, {d0-d15}
	vstmia	r0!, {d16-d31}
	vmrs	r1, fpscr
	str	r1, [r0]
	vmsr	fpexc, r2
	bx	lr

	.global pvbm_vfp_load
pvbm_vfp_load:
	vmrs	r2, fpexc
	orr	r1, r2, #0x40000000
	vmsr	fpexc, r1
	vldmia	r0!, {d0-d15}
	vldmia	r0!, {d16-d31}
	ldr	r1, [r0]
	vmsr	fpscr, r1
	vmsr	fpexc, r2
	bx	lr

/*
 * Set the Non-secure SCTLR.A copy to r0 (bool). pvbm runs Secure, and so
 * does the guest at PL0, whose alignment checking the architecture takes
 * from the Secure SCTLR (window.S sets it). QEMU 7.2 takes it from the
 * Non-secure copy for Secure PL0, so both are kept equal. Only Monitor mode
 * may flip SCR.NS to reach the other copy; all else is restored.
 */
	.global pvbm_ns_sctlr_align
pvbm_ns_sctlr_align:
	mrs	r2, cpsr
	cps	#0x16			/* Monitor */
	mrc	p15, 0, r1, c1, c1, 0	/* SCR */
	orr	r3, r1, #1		/* NS: banked CP15 now the NS copies */
	mcr	p15, 0, r3, c1, c1, 0
	isb
	mrc	p15, 0, r3, c1, c0, 0
	cmp	r0, #0
	biceq	r3, r3, #2
	orrne	r3, r3, #2
	mcr	p15, 0, r3, c1, c0, 0
	mcr	p15, 0, r1, c1, c1, 0	/* SCR back: Secure */
	isb
	msr	cpsr_c, r2
	bx	lr

	.global pvbm_wfi
pvbm_wfi:
	dsb
	wfi
	bx	lr
