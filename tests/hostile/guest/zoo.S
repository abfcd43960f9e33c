/* SPDX-License-Identifier: MIT */
/*
 * A zoo of patched sites, one per sensitive class, each callable as a
 * function (site; bx lr) so that guest user code can jump into trap words
 * at kernel-site addresses (sc_insn.c), and sites the guest rewrites
 * (selfmod_*). zoo_escalated is where a forged frame would send the CPU
 * if an emulated return ran with the kernel's privilege.
 */
	.syntax unified
	.arm
	.arch armv7-a

#define SENS(cls, ...) 999: __VA_ARGS__ ; .pushsection .pv_sens, "" ; \
	.word 999b, cls ; .popsection
#define SENS_T(cls, ...) 999: __VA_ARGS__ ; .pushsection .pv_sens, "" ; \
	.word 999b, cls + 0x10000 ; .popsection
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
#define IC_WFE 15

	.macro	ZOO name
	.global	\name
	.balign	8
\name:
	.endm

	.text
ZOO zoo_mrs
	SENS(IC_MRS, mrs r0, cpsr)
	bx	lr
ZOO zoo_mrs_spsr
	SENS(IC_MRS, mrs r0, spsr)
	bx	lr
ZOO zoo_msr_c
	SENS(IC_MSR, msr cpsr_c, #0xd3)
	bx	lr
ZOO zoo_msr_spsr
	SENS(IC_MSR, msr spsr_fsxc, r0)
	bx	lr
ZOO zoo_cps
	SENS(IC_CPS, cpsid aif)
	bx	lr
ZOO zoo_cps_mode
	SENS(IC_CPS, cps #0x13)
	bx	lr
ZOO zoo_srs
	SENS(IC_SRS, srsdb sp!, #0x13)
	bx	lr
ZOO zoo_rfe
	SENS(IC_RFE, rfeia r0)
	bx	lr
ZOO zoo_ldm_eret
	SENS(IC_LDM_ERET, ldmia r0, {r1, pc}^)
	bx	lr
ZOO zoo_ldm_user
	SENS(IC_LDM_USER, ldmia r0, {r1, r2}^)
	bx	lr
ZOO zoo_stm_user
	SENS(IC_STM_USER, stmia r0, {r1, r2}^)
	bx	lr
ZOO zoo_subs
	SENS(IC_DP_ERET, subs pc, lr, #0)
	bx	lr
ZOO zoo_movs
	SENS(IC_DP_ERET, movs pc, lr)
	bx	lr
ZOO zoo_ldrt
	SENS(IC_LDRT, ldrt r1, [r0])
	mov	r0, r1
	bx	lr
ZOO zoo_strt
	mov	r1, #0x77
	SENS(IC_LDRT, strt r1, [r0])
	bx	lr
ZOO zoo_wfi
	SENS(IC_WFI, wfi)
	bx	lr
ZOO zoo_wfe
	SENS(IC_WFE, wfe)
	bx	lr
/* Rewritten at run time by selfmod_sites; restored at its end. */
ZOO zoo_self
	SENS(IC_MRS, mrs r0, cpsr)
	bx	lr
ZOO zoo_self_cps
	SENS(IC_CPS, cpsie a)
	bx	lr
/* Where a forged return frame points: it must never be reached with
 * privilege from user code. */
ZOO zoo_escalated
	svc	#0xfd
	b	.

	.thumb
	.balign	8
	.global	zoo_t16, zoo_t32
zoo_t16:	/* 16-bit Thumb site (CPS) */
	SENS_T(IC_CPS, cpsie a)
	bx	lr
	.balign	8
zoo_t32:	/* 32-bit Thumb site (MRS) */
	SENS_T(IC_MRS, mrs r0, cpsr)
	bx	lr
	.arm

/*
 * u32 call_with_pattern(const u32 in[4], u32 out[4], u32 entry): call
 * @entry (a hypercall in a code buffer, ARM or Thumb by bit 0) with
 * r0-r3 = @in and a pattern in r4-r11; store r0-r3 to @out. Returns 0 if
 * r4-r11 came back intact (SMCCC: the callee preserves them), else 1.
 */
	.global	call_with_pattern
call_with_pattern:
	push	{r4-r11, lr}
	push	{r1}
	mov	r12, r2
	ldm	r0, {r0-r3}
	ldr	r4, =0x44440004
	ldr	r5, =0x55550005
	ldr	r6, =0x66660006
	ldr	r7, =0x77770007
	ldr	r8, =0x88880008
	ldr	r9, =0x99990009
	ldr	r10, =0xaaaa000a
	ldr	r11, =0xbbbb000b
	blx	r12
	pop	{r12}
	stm	r12, {r0-r3}
	mov	r0, #0
	ldr	r1, =0x44440004
	cmp	r4, r1
	movne	r0, #1
	ldr	r1, =0x55550005
	cmp	r5, r1
	movne	r0, #1
	ldr	r1, =0x66660006
	cmp	r6, r1
	movne	r0, #1
	ldr	r1, =0x77770007
	cmp	r7, r1
	movne	r0, #1
	ldr	r1, =0x88880008
	cmp	r8, r1
	movne	r0, #1
	ldr	r1, =0x99990009
	cmp	r9, r1
	movne	r0, #1
	ldr	r1, =0xaaaa000a
	cmp	r10, r1
	movne	r0, #1
	ldr	r1, =0xbbbb000b
	cmp	r11, r1
	movne	r0, #1
	pop	{r4-r11, pc}
	.ltorg

/*
 * void be_probe(u32 out[6], u32 ram, u32 mmio): with CPSR.E set (SETEND
 * BE, which runs natively at PL0), load [ram] natively and with LDRT
 * (emulated), [mmio] (emulated MMIO), read CPSR (patched MRS), take an
 * SVC (entered little-endian, SCTLR.EE = 0, and returned from), load
 * [ram] and read CPSR again; SETEND LE, then out[] = { CPSR after,
 * native, LDRT, MMIO, CPSR before, native after }.
 */
	.global	be_probe
be_probe:
	push	{r4-r8, lr}
	setend	be
	ldr	r4, [r1]
	SENS(IC_LDRT, ldrt r5, [r1])
	ldr	r6, [r2]
	SENS(IC_MRS, mrs r7, cpsr)
	svc	#0xfc
	ldr	r8, [r1]
	SENS(IC_MRS, mrs r3, cpsr)
	setend	le
	stm	r0, {r3-r8}
	pop	{r4-r8, pc}
