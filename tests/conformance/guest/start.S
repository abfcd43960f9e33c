/* SPDX-License-Identifier: MIT */
/*
 * Conformance guest: entry, exception vectors, exception entry/return in
 * every architectural form, user-mode calls and fault probes. Every
 * sensitive instruction goes through SENS so that mkguest.py can patch it
 * for the VMM build (natively it runs as written).
 */
	.syntax unified
	.arm
	.arch armv7-a
	.arch_extension sec

/* A sensitive instruction: recorded in .pv_sens for mkguest.py. */
#define SENS(cls, ...) 999: __VA_ARGS__ ; .pushsection .pv_sens, "" ; \
	.word 999b, cls ; .popsection

#define IC_CPS 4
#define IC_MRS 5
#define IC_MSR 6
#define IC_SRS 7
#define IC_RFE 8
#define IC_LDM_USER 9
#define IC_LDM_ERET 10
#define IC_STM_USER 11
#define IC_DP_ERET 12
#define IC_LDRT 13
#define IC_WFI 14

	.section .text.entry, "ax"
	.global	_start
_start:
	SENS(IC_CPS, cpsid aif, #0x17	/* ABT */)
	ldr	sp, =0x10118000
	SENS(IC_CPS, cps #0x1b		/* UND */)
	ldr	sp, =0x10120000
	SENS(IC_CPS, cps #0x12		/* IRQ */)
	ldr	sp, =0x10128000
	SENS(IC_CPS, cps #0x11		/* FIQ */)
	ldr	sp, =0x10130000
	SENS(IC_CPS, cps #0x1f		/* SYS (and USR) */)
	ldr	sp, =0x10140000
	SENS(IC_CPS, cps #0x13		/* SVC */)
	ldr	sp, =0x10110000
	/* .bss */
	ldr	r0, =conf_bss_start
	ldr	r1, =conf_bss_end
	mov	r2, #0
1:	cmp	r0, r1
	strlo	r2, [r0], #4
	blo	1b
	ldr	r0, =conf_vectors
	mcr	p15, 0, r0, c12, c0, 0		/* VBAR */
	isb
	bl	conf_main
	b	.

	.text
	.balign	32
	.global	conf_vectors
conf_vectors:
	b	.			/* reset: never taken */
	b	vec_und
	b	vec_svc
	b	vec_pabt
	b	vec_dabt
	b	.
	b	vec_irq
	b	vec_fiq

/*
 * Frame (16 words, struct xframe): r0-r12, pad, return pc, spsr.
 * Manual entry (MRS SPSR + STR) for UND/PABT/DABT/FIQ, SRS entry for
 * SVC/IRQ. lr_raw (the unadjusted LR) is kept in the pad word.
 */
	.macro ENTRY_MANUAL adj, type
	sub	sp, sp, #8
	sub	lr, lr, #\adj
	str	lr, [sp]
	SENS(IC_MRS, mrs lr, spsr)
	str	lr, [sp, #4]
	ldr	lr, [sp]
	add	lr, lr, #\adj
	push	{r0-r12, lr}
	mov	r0, #\type
	b	x_common
	.endm

	.macro ENTRY_SRS adj, type, mode
	sub	lr, lr, #\adj
	SENS(IC_SRS, srsdb sp!, #\mode)
	add	lr, lr, #\adj
	push	{r0-r12, lr}
	mov	r0, #\type
	b	x_common
	.endm

vec_und:	ENTRY_MANUAL 0, 1
vec_svc:	ENTRY_SRS 0, 2, 0x13
vec_pabt:	ENTRY_MANUAL 4, 3
vec_dabt:	ENTRY_MANUAL 8, 4
vec_irq:	ENTRY_SRS 4, 6, 0x12
vec_fiq:	ENTRY_MANUAL 4, 7

x_common:
	mov	r1, sp
	bl	x_dispatch
	ldr	r0, =x_ret_form
	ldr	r0, [r0]
	cmp	r0, #1
	beq	ret_rfe
	cmp	r0, #2
	beq	ret_subs
	cmp	r0, #3
	beq	ret_movs
ret_ldm:	/* LDM {..,pc}^ */
	ldr	r0, [sp, #60]
	SENS(IC_MSR, msr spsr_fsxc, r0)
	ldr	r0, [sp, #56]
	str	r0, [sp, #52]
	mov	lr, sp
	add	sp, sp, #64
	SENS(IC_LDM_ERET, ldmia lr, {r0-r12, pc}^)
ret_rfe:	/* RFE */
	pop	{r0-r12, lr}
	SENS(IC_RFE, rfeia sp!)
ret_subs:	/* SUBS PC, LR, #imm */
	ldr	r0, [sp, #60]
	SENS(IC_MSR, msr spsr_fsxc, r0)
	ldr	lr, [sp, #56]
	add	lr, lr, #4
	pop	{r0-r12}
	add	sp, sp, #12
	SENS(IC_DP_ERET, subs pc, lr, #4)
ret_movs:	/* MOVS PC, LR */
	ldr	r0, [sp, #60]
	SENS(IC_MSR, msr spsr_fsxc, r0)
	ldr	lr, [sp, #56]
	pop	{r0-r12}
	add	sp, sp, #12
	SENS(IC_DP_ERET, movs pc, lr)

/*
 * u32 run_user(u32 (*fn)(u32), u32 arg): call fn(arg) in USR mode (ARM or
 * Thumb by bit 0 of fn), on the user stack. fn returns to user_exit, whose
 * SVC #0xff brings us back here through x_dispatch (see rt.c).
 */
	.global	run_user
run_user:
	push	{r4-r11, lr}
	ldr	r2, =run_user_sp
	str	sp, [r2]
	ldr	r2, =user_regs
	ldr	r3, =0x10150000
	ldr	r4, =user_exit
	stm	r2, {r3, r4}
	SENS(IC_LDM_USER, ldm r2, {sp, lr}^	/* user sp, lr */)
	nop
	mov	lr, r0
	mov	r0, r1
	mov	r3, #0x10
	tst	lr, #1
	orrne	r3, r3, #0x20
	SENS(IC_MSR, msr spsr_fsxc, r3)
	SENS(IC_DP_ERET, movs pc, lr)
	.global	run_user_ret
run_user_ret:	/* SVC mode again; r0 = fn's result */
	ldr	r2, =run_user_sp
	ldr	sp, [r2]
	pop	{r4-r11, pc}

	.global	user_exit
user_exit:
	svc	#0xff
	b	.

/* Fault probes: exactly one instruction can fault; a fault is skipped by
 * x_dispatch and leaves the marker in r0. */
	.global	probe_ld, probe_ldb, probe_st, probe_ldrt, probe_strt
	.global	probe_exec, user_probe_ld, user_probe_st
probe_ld:
user_probe_ld:
	mov	r1, r0
	ldr	r0, =0xdeaddead
	.global	probe_ld_insn
probe_ld_insn:
	ldr	r0, [r1]
	bx	lr
probe_ldb:
	mov	r1, r0
	ldr	r0, =0xdeaddead
	ldrb	r0, [r1]
	bx	lr
probe_st:
	mov	r2, r0
	ldr	r0, =0xdeaddead
	.global	probe_st_insn
probe_st_insn:
	str	r1, [r2]
	mov	r0, #0
	bx	lr
user_probe_st:
	mov	r2, r0
	ldr	r0, =0xdeaddead
	str	r0, [r2]
	mov	r0, #0
	bx	lr
probe_ldrt:
	mov	r1, r0
	ldr	r0, =0xdeaddead
	.global	probe_ldrt_insn
probe_ldrt_insn:
	SENS(IC_LDRT, ldrt r0, [r1])
	bx	lr
probe_strt:
	mov	r2, r0
	ldr	r0, =0xdeaddead
	SENS(IC_LDRT, strt r1, [r2])
	mov	r0, #0
	bx	lr
probe_exec:	/* the callee's pabt resumes at probe_exec_ret via x_resume */
	push	{r4, lr}
	ldr	r1, =x_resume
	ldr	r2, =probe_exec_ret
	str	r2, [r1]
	mov	r4, r0
	ldr	r0, =0xdeaddead
	blx	r4
	.global	probe_exec_ret
probe_exec_ret:
	ldr	r1, =x_resume
	mov	r2, #0
	str	r2, [r1]
	pop	{r4, pc}

/* PSR helpers */
	.global	get_cpsr, get_spsr, set_spsr, irq_enable
	.global	irq_disable, wfi, run_sys_irq
get_cpsr:
	SENS(IC_MRS, mrs r0, cpsr)
	bx	lr
get_spsr:
	SENS(IC_MRS, mrs r0, spsr)
	bx	lr
set_spsr:
	SENS(IC_MSR, msr spsr_fsxc, r0)
	bx	lr
irq_enable:
	SENS(IC_CPS, cpsie i)
	bx	lr
irq_disable:
	SENS(IC_CPS, cpsid i)
	bx	lr
wfi:
	dsb
	SENS(IC_WFI, wfi)
	bx	lr
/* void run_sys_irq(fn): from IRQ mode, run fn in SYS mode with IRQs on
 * (the nesting pattern: lr_irq stays free for a nested IRQ). */
run_sys_irq:
	push	{r4, lr}
	SENS(IC_CPS, cps #0x1f)
	mov	r4, sp
	ldr	sp, =0x10140000
	push	{r4, lr}
	SENS(IC_CPS, cpsie i)
	blx	r0
	SENS(IC_CPS, cpsid i)
	pop	{r4, lr}
	mov	sp, r4
	SENS(IC_CPS, cps #0x12)
	pop	{r4, pc}

	.data
	.balign	8
run_user_sp:	.word 0
user_regs:	.word 0, 0
