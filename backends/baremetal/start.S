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
