/* SPDX-License-Identifier: MIT */
/*
 * Boot entry of the bare-metal host: QEMU (or a boot loader) jumps here at
 * PL1 with the MMU off. Set up a stack for every mode, clear .bss, enter C.
 */
	.syntax unified
	.arm

	.section .text.boot, "ax"
	.global _start
_start:
	cpsid	aif
	/* Every exception mode gets a boot stack until the window takes
	 * over (pvbm_main() then points them at the window save area). */
	ldr	r0, =pvbm_stack_boot_top
	cps	#0x1b		/* UND */
	sub	sp, r0, #0x3000
	cps	#0x17		/* ABT */
	sub	sp, r0, #0x2800
	cps	#0x12		/* IRQ */
	sub	sp, r0, #0x2000
	cps	#0x11		/* FIQ */
	sub	sp, r0, #0x1800
	cps	#0x1f		/* SYS: the VMM's C code runs here */
	ldr	sp, =pvbm_stack_vmm_top
	cps	#0x13		/* SVC */
	mov	sp, r0
	/* .bss */
	ldr	r0, =pvbm_bss_start
	ldr	r1, =pvbm_bss_end
	mov	r2, #0
1:	cmp	r0, r1
	strlo	r2, [r0], #4
	blo	1b
	cps	#0x1f
	bl	pvbm_main
	/* pvbm_main never returns; if it does, stop with a host error. */
	mov	r0, #4
	bl	pvbm_exit
2:	b	2b

/*
 * Where another host core starts (smp.c releases it through the SRC): MMU
 * off, any mode. Its stacks are the 64 KiB of pvbm_stack_cores that are
 * its own; the MMU comes on with core 0's table and settings
 * (pvbm_core_boot, cleaned to memory for us), then pvbm_core_main(core).
 */
	.text
	.global pvbm_secondary_entry
pvbm_secondary_entry:
	cpsid	aif
	mrc	p15, 0, r4, c0, c0, 5	/* MPIDR: Aff0 is the core */
	and	r4, r4, #3
	ldr	r5, =pvbm_stack_cores
	add	r5, r5, r4, lsl #16	/* core n's top: n * 64 KiB up */
	cps	#0x13
	sub	sp, r5, #0xc000		/* SVC: the lowest 16 KiB */
	cps	#0x1f
	mov	sp, r5			/* SYS: the C stack above it */
	bl	pvbm_dcache_inval_all
	mov	r0, #0
	mcr	p15, 0, r0, c7, c5, 0	/* ICIALLU */
	mcr	p15, 0, r0, c8, c7, 0	/* TLBIALL */
	mcr	p15, 0, r0, c7, c5, 6	/* BPIALL */
	dsb
	ldr	r6, =pvbm_core_boot
	mcr	p15, 0, r0, c2, c0, 2	/* TTBCR: N=0 */
	mcr	p15, 0, r0, c13, c0, 1	/* CONTEXTIDR: host ASID 0 */
	ldr	r1, [r6, #0]
	mcr	p15, 0, r1, c2, c0, 0	/* TTBR0 */
	ldr	r1, [r6, #4]
	mcr	p15, 0, r1, c3, c0, 0	/* DACR */
	ldr	r1, [r6, #12]
	mcr	p15, 0, r1, c1, c0, 1	/* ACTLR: SMP, as core 0 */
	isb
	ldr	r1, [r6, #8]
	mcr	p15, 0, r1, c1, c0, 0	/* SCTLR: MMU and caches on */
	isb
	mov	r0, r4
	bl	pvbm_core_main
	mov	r0, #4
	bl	pvbm_exit
3:	b	3b
