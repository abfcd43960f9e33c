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

/*
 * Walk mode: one access through the generated tables, with aborts caught.
 * uint32_t orc_walk_access(unsigned acc, uint32_t va, uint32_t val)
 * acc (enum orc_acc): 0 LDR, 1 LDRT, 2 STR, 3 STRT, 4 BLX va. Returns the
 * loaded value (or the callee's r0). An abort leaves ORC_ST_ABORT | FSR
 * and the FAR in orc_walk_fault[] and resumes after the access.
 */
	.global orc_walk_access
orc_walk_access:
	push	{r4, lr}
	ldr	r3, =orc_walk_fault
	mov	r4, #0
	str	r4, [r3]
	str	r4, [r3, #4]
	ldr	r3, =walk_resume
	adr	r4, 9f
	str	r4, [r3]
	cmp	r0, #1
	blo	0f
	beq	1f
	cmp	r0, #3
	blo	2f
	beq	3f
	blx	r1
	b	9f
0:	ldr	r0, [r1]
	b	9f
1:	ldrt	r0, [r1]
	b	9f
2:	str	r2, [r1]
	b	9f
3:	strt	r2, [r1]
9:	pop	{r4, pc}

	/* void orc_walk_vectors_on(void): VBAR and the ABT/UND stacks. */
	.global orc_walk_vectors_on
orc_walk_vectors_on:
	ldr	r0, =walk_vectors
	mcr	p15, 0, r0, c12, c0, 0
	mrs	r1, cpsr
	cps	#0x17
	ldr	sp, =walk_abt_stack_top
	cps	#0x1b
	ldr	sp, =walk_und_stack_top
	msr	cpsr_c, r1
	isb
	bx	lr

	.balign 32
walk_vectors:
	b	.
	b	walk_und
	b	walk_und	/* SVC: semihosting never gets here */
	b	walk_pabt
	b	walk_dabt
	b	.
	b	.
	b	.

walk_dabt:
	setend	le		/* SCTLR.EE cases enter big-endian */
	push	{r0, r1}
	mrc	p15, 0, r0, c5, c0, 0
	mrc	p15, 0, r1, c6, c0, 0
	b	walk_abort
walk_pabt:
	setend	le		/* SCTLR.EE cases enter big-endian */
	push	{r0, r1}
	mrc	p15, 0, r0, c5, c0, 1
	mrc	p15, 0, r1, c6, c0, 2
	b	walk_abort
walk_und:	/* never expected: reported as an impossible FSR */
	setend	le		/* SCTLR.EE cases enter big-endian */
	push	{r0, r1}
	mov	r0, #0x7f000000
	mov	r1, lr
walk_abort:
	orr	r0, r0, #0x80000000
	ldr	lr, =orc_walk_fault
	stm	lr, {r0, r1}
	pop	{r0, r1}
	ldr	lr, =walk_resume
	ldr	lr, [lr]
	movs	pc, lr

	.bss
	.balign 4
	.global orc_walk_fault
orc_walk_fault:
	.space 8
walk_resume:
	.space 4
	.balign 8
	.space 256
walk_abt_stack_top:
	.space 256
walk_und_stack_top:
orc_saved_sp:
	.space 4
orc_final:
	.space 4
