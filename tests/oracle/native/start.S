/* SPDX-License-Identifier: MIT */
/*
 * The oracle harness's entry, its Monitor-mode vectors, and the two halves
 * of one case: orc_launch() loads a complete initial state (every bank,
 * every SPSR, the CPSR through an exception return) and jumps to the slot;
 * the landing SMC that follows the slot (or the pad an exception return
 * targets, or the vector an exception takes) enters Monitor mode, whose
 * bank is not part of the compared state, and orc_capture saves everything
 * before returning to C as if orc_launch() had returned.
 *
 * QEMU starts a -kernel ELF in Secure SVC mode with A/I/F masked, so every
 * mode including Monitor is reachable with CPS.
 */
	.syntax unified
	.arm

	/* Offsets of the state words (oracle_gen.h, ORC_W_* times 4). */
	.equ W_FIQR, 13 * 4
	.equ W_SP, 18 * 4
	.equ W_LR, 24 * 4
	.equ W_SPSR, 30 * 4
	.equ W_CPSR, 36 * 4
	.equ W_PC, 37 * 4
	.equ W_DFSR, 38 * 4
	.equ W_DFAR, 39 * 4
	.equ W_IFSR, 40 * 4
	.equ W_IFAR, 41 * 4

	.section .text.start, "ax"
	.global _start
_start:
	ldr	sp, =__stack_top
	ldr	r0, =__bss_start
	ldr	r1, =__bss_end
	mov	r2, #0
1:	cmp	r0, r1
	strlo	r2, [r0], #4
	blo	1b
	ldr	r0, =mon_vectors
	mcr	p15, 0, r0, c12, c0, 1	/* MVBAR */
	bl	main
2:	b	2b

	.text
	.balign 32
mon_vectors:
	b	.
	b	.
	b	orc_capture		/* SMC */
	b	.
	b	.
	b	.
	b	.
	b	.

.macro LOADBANK mode, b
	cps	#\mode
	ldr	sp, [r0, #W_SP + 4 * \b]
	ldr	lr, [r0, #W_LR + 4 * \b]
	ldr	r2, [r0, #W_SPSR + 4 * \b]
	msr	spsr_fsxc, r2
.endm

.macro SAVEBANK mode, b
	cps	#\mode
	str	sp, [r0, #W_SP + 4 * \b]
	str	lr, [r0, #W_LR + 4 * \b]
	mrs	r2, spsr
	str	r2, [r0, #W_SPSR + 4 * \b]
.endm

	/* void orc_launch(const uint32_t *init, uint32_t *final) */
	.global orc_launch
orc_launch:
	push	{r4-r12, lr}
	ldr	r2, =orc_saved_sp
	str	sp, [r2]
	ldr	r2, =orc_final
	str	r1, [r2]
	ldr	r2, [r0, #W_DFSR]
	mcr	p15, 0, r2, c5, c0, 0
	ldr	r2, [r0, #W_DFAR]
	mcr	p15, 0, r2, c6, c0, 0
	ldr	r2, [r0, #W_IFSR]
	mcr	p15, 0, r2, c5, c0, 1
	ldr	r2, [r0, #W_IFAR]
	mcr	p15, 0, r2, c6, c0, 2
	cps	#0x1f
	ldr	sp, [r0, #W_SP]
	ldr	lr, [r0, #W_LR]
	LOADBANK 0x11, 1
	add	r2, r0, #W_FIQR
	ldm	r2, {r8-r12}
	LOADBANK 0x12, 2
	LOADBANK 0x13, 3
	LOADBANK 0x17, 4
	LOADBANK 0x1b, 5
	cps	#0x16
	ldr	r2, [r0, #W_CPSR]
	msr	spsr_fsxc, r2
	ldr	lr, [r0, #W_PC]
	clrex
	mov	sp, r0
	ldm	sp, {r0-r12}
	movs	pc, lr

	/* Monitor mode, from the landing SMC. LR_mon is the SMC's address
	 * plus 4, SPSR_mon the CPSR the case ended with. */
orc_capture:
	ldr	sp, =orc_final
	ldr	sp, [sp]
	stmia	sp, {r0-r12}
	mov	r0, sp
	mrs	r1, spsr
	str	r1, [r0, #W_CPSR]
	str	lr, [r0, #W_PC]
	mrc	p15, 0, r2, c5, c0, 0
	str	r2, [r0, #W_DFSR]
	mrc	p15, 0, r2, c6, c0, 0
	str	r2, [r0, #W_DFAR]
	mrc	p15, 0, r2, c5, c0, 1
	str	r2, [r0, #W_IFSR]
	mrc	p15, 0, r2, c6, c0, 2
	str	r2, [r0, #W_IFAR]
	cps	#0x1f
	str	sp, [r0, #W_SP]
	str	lr, [r0, #W_LR]
	SAVEBANK 0x11, 1
	add	r3, r0, #W_FIQR
	stm	r3, {r8-r12}
	SAVEBANK 0x12, 2
	SAVEBANK 0x13, 3
	SAVEBANK 0x17, 4
	SAVEBANK 0x1b, 5
	ldr	r2, =orc_saved_sp
	ldr	sp, [r2]
	pop	{r4-r12, pc}

	.bss
	.balign 4
orc_saved_sp:
	.space 4
orc_final:
	.space 4
