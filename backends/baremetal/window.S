/* SPDX-License-Identifier: MIT */
/*
 * The VMM window: exception vectors, the world-switch trampoline and the
 * per-CPU save area. Linked at 0xFFF00000 and mapped there, PL1-only and
 * global, in the VMM's table and (through cfg.window_l1) in every shadow
 * root, so an exception taken from the guest lands here whatever TTBR0
 * holds. Nothing in here may touch memory outside the window before the
 * switch to the VMM table, or after the switch back to the shadow root.
 *
 * Address-space switch, both ways (see docs/baremetal.md):
 *   TTBR0 <- window-only table; CONTEXTIDR <- new ASID; TTBR0 <- new table
 * so that no speculative walk can tag one side's non-global entries with
 * the other side's ASID.
 */
#include "frame.h"

	.syntax unified
	.arm

#define SCTLR_A   (1 << 1)

	.section .window.vectors, "ax"
	.align	5
	.global pvbm_window_vectors
pvbm_window_vectors:
	b	ent_reset
	b	ent_undef
	b	ent_svc
	b	ent_pabt
	b	ent_dabt
	b	ent_reset	/* unused */
	b	ent_irq
	b	ent_fiq

	.section .window.text, "ax"
/*
 * Every exception mode's SP points at pvbm_frame (main.c sets that up):
 * save the interrupted USR context there. A trap taken while the VMM
 * itself runs lands here too; the C side sees SPSR.M != USR and stops.
 */
	.macro	SAVE kind
	stmia	sp, {r0-r12}
	SAVE_REST \kind
	.endm

/* The rest of SAVE, once r0-r12 are in the frame (r0 is then scratch). */
	.macro	SAVE_REST kind
	add	r0, sp, #PVBM_F_USR_SP
	stmia	r0, {sp, lr}^
	str	lr, [sp, #PVBM_F_PC]
	mrs	r0, spsr
	str	r0, [sp, #PVBM_F_CPSR]
	mov	r0, #\kind
	b	common_entry
	.endm

ent_reset:	SAVE 0
ent_undef:	b	fast_undef
ent_svc:	SAVE 2
ent_pabt:	SAVE 3
ent_dabt:	SAVE 4
ent_irq:	SAVE 5
ent_fiq:	SAVE 6

/*
 * The UNDEF fast path (docs/pv-path.md): the guest kernel's
 * "MCR p15, 0, Rt, c13, c0, 3" (ARM, cond AL, Rt < r13), which Linux runs
 * at every kernel entry and exit. It does what pvcore's C path does (host
 * TPIDRURO := Rt, PC += 4) and counts it for pv_vcpu_fast_tpidruro(); the
 * C side sets FAST_ON only while the guest runs at PL1. The instruction is
 * read at LR - 4 through the guest's mapping, which has just fetched it.
 * Anything else goes the slow way, from the registers it saved.
 */
fast_undef:
	stmia	sp, {r0-r12}
	ldr	r0, [sp, #PVBM_F_FAST_ON]
	cmp	r0, #0
	beq	1f
	mrs	r0, spsr
	tst	r0, #0x20		/* Thumb */
	bne	1f
	ldr	r0, [lr, #-4]
	bic	r1, r0, #0xf000		/* Rt */
	ldr	r2, =0xee0d0f70
	cmp	r1, r2
	bne	1f
	ubfx	r1, r0, #12, #4
	cmp	r1, #13
	bhs	1f
	ldr	r1, [sp, r1, lsl #2]
	mcr	p15, 0, r1, c13, c0, 3
	str	r1, [sp, #PVBM_F_FAST_VAL]
	ldr	r2, [sp, #PVBM_F_FAST_CNT]
	add	r2, r2, #1
	str	r2, [sp, #PVBM_F_FAST_CNT]
	ldmia	sp, {r0-r3}
	movs	pc, lr
1:	SAVE_REST 1			/* r0-r12 are already saved */

common_entry:
	ldr	r2, =pvbm_frame
	str	r0, [r2, #PVBM_F_KIND]
	/* The guest's SCTLR.A may be on; the VMM's C code is built for
	 * unaligned accesses, so it runs with alignment checking off. */
	mrc	p15, 0, r0, c1, c0, 0
	tst	r0, #SCTLR_A
	bicne	r0, r0, #SCTLR_A
	mcrne	p15, 0, r0, c1, c0, 0
	isb
	ldr	r0, [r2, #PVBM_F_TTBR_W]
	mcr	p15, 0, r0, c2, c0, 0	/* TTBR0: window only */
	isb
	mov	r0, #0
	mcr	p15, 0, r0, c13, c0, 1	/* CONTEXTIDR: reserved VMM ASID 0 */
	isb
	ldr	r0, [r2, #PVBM_F_TTBR_V]
	mcr	p15, 0, r0, c2, c0, 0	/* TTBR0: the VMM's table */
	/* DACR stays the guest's: every VMM mapping is in the window's
	 * domain, which is Client in every guest DACR (run.c, load_frame()
	 * checks). */
	isb
	cps	#0x1f			/* SYS: I/F stay masked */
	ldr	sp, [r2, #PVBM_F_VMM_SP]
	mov	r0, r2
	ldr	r3, [r2, #PVBM_F_HANDLER]
	blx	r3			/* pvbm_trap(&pvbm_frame) */
	/* fall through: resume the guest with what pvbm_trap left in the frame */

/*
 * pvbm_exit_to_guest - load the guest context from pvbm_frame and return
 * to host USR mode. Called in SYS mode with interrupts masked.
 */
	.global pvbm_exit_to_guest
pvbm_exit_to_guest:
	cpsid	aif
	cps	#0x13			/* SVC: any mode with an SPSR will do */
	ldr	r0, =pvbm_frame
	ldr	r1, [r0, #PVBM_F_TTBR_W]
	mcr	p15, 0, r1, c2, c0, 0
	isb
	ldr	r1, [r0, #PVBM_F_G_ASID]
	mcr	p15, 0, r1, c13, c0, 1
	isb
	ldr	r1, [r0, #PVBM_F_G_DACR]
	mrc	p15, 0, r2, c3, c0, 0
	cmp	r1, r2
	mcrne	p15, 0, r1, c3, c0, 0	/* only on a change: cheap on QEMU */
	ldr	r1, [r0, #PVBM_F_G_TTBR]
	mcr	p15, 0, r1, c2, c0, 0
	/* Host PL0 alignment checking follows SCTLR.A: the guest's own bit.
	 * Only aligned loads run from here to the return. */
	ldr	r1, [r0, #PVBM_F_G_ALIGN]
	cmp	r1, #0
	mrcne	p15, 0, r2, c1, c0, 0
	orrne	r2, r2, #SCTLR_A
	mcrne	p15, 0, r2, c1, c0, 0
	isb
	ldr	r1, [r0, #PVBM_F_CPSR]
	msr	spsr_cxsf, r1
	ldr	lr, [r0, #PVBM_F_PC]
	add	r1, r0, #PVBM_F_USR_SP
	ldmia	r1, {sp, lr}^
	nop
	ldmia	r0, {r0-r12}
	movs	pc, lr

	.ltorg

	.section .window.data, "aw"
	.align	3
	.global pvbm_frame
pvbm_frame:
	.space	PVBM_FRAME_SIZE
