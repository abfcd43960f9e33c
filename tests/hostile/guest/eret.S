/* SPDX-License-Identifier: MIT */
/*
 * Forged exception returns (sc_eret.c): eret_try() loads SPSR, then
 * returns to a landing pad with one of the four exception-return forms,
 * all patched sites. Each landing pad ends in SVC #0xFE, which
 * sc_eret.c's hook catches to record the state the guest landed in and
 * to come back to eret_back in SVC mode.
 */
	.syntax unified
	.arm
	.arch armv7-a

#define SENS(cls, ...) 999: __VA_ARGS__ ; .pushsection .pv_sens, "" ; \
	.word 999b, cls ; .popsection
#define IC_MSR 6
#define IC_RFE 8
#define IC_LDM_ERET 10
#define IC_DP_ERET 12

	.text
/*
 * u32 eret_try(u32 form, u32 spsr, u32 target, u32 *mem): 1 if it landed
 * (the hook came back), 0 if the return itself faulted and was skipped.
 * Forms 0-3 are patched sites; 4-7 the same instructions left unpatched
 * (UNPREDICTABLE at host PL0: the host must trap them, and pvcore then
 * runs them with the guest's privilege).
 */
	.global	eret_try
eret_try:
	push	{r4-r11, lr}
	ldr	r12, =eret_sp
	str	sp, [r12]
	mov	r4, #0
	mov	r5, #0
	SENS(IC_MSR, msr spsr_fsxc, r1)
	cmp	r0, #1
	beq	1f
	cmp	r0, #2
	beq	2f
	cmp	r0, #3
	beq	3f
	cmp	r0, #4
	beq	4f
	cmp	r0, #5
	beq	5f
	cmp	r0, #6
	beq	6f
	cmp	r0, #7
	beq	7f
	mov	lr, r2
	SENS(IC_DP_ERET, movs pc, lr)
	b	eret_noland
1:	add	lr, r2, #4
	SENS(IC_DP_ERET, subs pc, lr, #4)
	b	eret_noland
2:	cmp	r3, #0x18000000		/* a frame in guest RAM: fill it */
	strlo	r2, [r3]
	strlo	r1, [r3, #4]
	SENS(IC_RFE, rfeia r3)
	b	eret_noland
3:	cmp	r3, #0x18000000
	strlo	r2, [r3]
	SENS(IC_LDM_ERET, ldm r3, {pc}^)
	b	eret_noland
4:	mov	lr, r2
	.word	0xe1b0f00e		/* movs pc, lr */
	b	eret_noland
5:	add	lr, r2, #4
	.word	0xe25ef004		/* subs pc, lr, #4 */
	b	eret_noland
6:	cmp	r3, #0x18000000
	strlo	r2, [r3]
	strlo	r1, [r3, #4]
	.word	0xf8930a00		/* rfeia r3 */
	b	eret_noland
7:	cmp	r3, #0x18000000
	strlo	r2, [r3]
	.word	0xe8d38000		/* ldm r3, {pc}^ */
	b	eret_noland
eret_noland:
	mov	r0, #0
	b	eret_out

	.global	eret_land, eret_back, eret_land_count
	.balign	4
eret_land:
	svc	#0xfe
	b	.
eret_land_count:		/* T=0 with IT bits: all four must run */
	add	r4, r4, #1
	add	r4, r4, #1
	add	r4, r4, #1
	add	r4, r4, #1
	svc	#0xfe
	b	.
eret_back:			/* the SVC hook returns here, in SVC mode */
	mov	r0, #1
eret_out:
	ldr	r12, =eret_sp
	ldr	sp, [r12]
	pop	{r4-r11, pc}

	.thumb
	.global	eret_land_t, eret_land_it_t
	.balign	4
eret_land_t:
	svc	#0xfe
	b	.
	.balign	4
eret_land_it_t:
	/* Entered inside an IT block of one instruction (SPSR.IT): the first
	 * 16-bit ADD is conditional, the second is not. */
	.hword	0x3401			/* adds r4, #1 (add<c> in IT) */
	.hword	0x3501			/* adds r5, #1 */
	svc	#0xfe
	b	.
	.arm

	.ltorg
	.data
	.balign	4
eret_sp:	.word 0
