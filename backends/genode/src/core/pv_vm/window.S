/* SPDX-License-Identifier: MIT */
/*
 * The window's code page (docs/genode.md, "The world switch"; window.h):
 * the only code that runs while a guest context's shadow root is in
 * TTBR0. Copied to the window's first frame at start-up, so it must be
 * position independent: branches only, every address it needs comes from
 * the CPU's save area (window.h), which the kernel fills before each run.
 *
 * Both directions cross through the bridge, a table that maps only the
 * window: a translation of core's lower half is never tagged with a
 * guest ASID, and no guest translation with core's ASID 0.
 */
#include "window.h"

.set MODE_USR, 0x10
.set MODE_FIQ, 0x11
.set MODE_IRQ, 0x12
.set MODE_SVC, 0x13
.set MODE_ABT, 0x17
.set MODE_UND, 0x1b

/* enum pv_genode_exception (pv_genode/vcpu_state.h) */
.set EXC_UNDEF, 1
.set EXC_SVC,   2
.set EXC_PABT,  3
.set EXC_DABT,  4
.set EXC_IRQ,   5
.set EXC_FIQ,   6

/* base-hw's Cpu_state frame below the kernel stack's top */
.set FRAME_SIZE, 0x150
.set FRAME_IP,   15 * 4
.set FRAME_PSR,  16 * 4
.set FRAME_EXC,  17 * 4

.fpu vfpv3
.arm
.section .rodata.pv_window, "a"
.p2align 5
.global pv_window_code_start
pv_window_code_start:

/* PV_WIN_VECTORS: VBAR while a guest context runs (SCTLR.V clear) */
	b	.		/* reset: never taken */
	b	und_entry
	b	svc_entry
	b	pabt_entry
	b	dabt_entry
	b	.		/* reserved */
	b	irq_entry
	b	fiq_entry

/*
 * Every exception mode's SP points at this CPU's save area (set at entry).
 * The guest's registers go there first: nothing else is mapped in the
 * shadow regime. An exception from PL1 here is a kernel defect, never
 * the guest's doing: it is marked and the CPU stops.
 */
.macro guest_exit exc
	stm	sp, {r0-r14}^
	nop
	str	lr, [sp, #PV_WS_PC]
	mrs	r0, spsr
	str	r0, [sp, #PV_WS_PSR]
	mov	r1, #\exc
	str	r1, [sp, #PV_WS_EXC]
	and	r0, r0, #0x1f
	cmp	r0, #MODE_USR
	bne	broken
	mov	r0, sp
	cpsid	aif, #MODE_SVC
	b	exit_common
.endm

und_entry:	guest_exit EXC_UNDEF
svc_entry:	guest_exit EXC_SVC
pabt_entry:	guest_exit EXC_PABT
dabt_entry:	guest_exit EXC_DABT
irq_entry:	guest_exit EXC_IRQ
fiq_entry:	guest_exit EXC_FIQ

broken:
	str	r1, [sp, #PV_WS_BROKEN]
	b	.

/*
 * r0: the save area, SVC mode, all exceptions masked. Back to exactly the
 * translation regime the vCPU was entered from, so that base-hw's own
 * bookkeeping of the active address space (Cpu::active()) stays true.
 */
exit_common:
	mrc	p15, 0, r1, c13, c0, 2		/* the guest's TPIDRURW */
	str	r1, [r0, #PV_WS_TPIDRURW]

	/* core's regime, through the bridge */
	ldr	r1, [r0, #PV_WS_BRIDGE]
	mcr	p15, 0, r1, c2, c0, 0		/* TTBR0 */
	isb
	ldr	r1, [r0, #PV_WS_H_TTBCR]
	mcr	p15, 0, r1, c2, c0, 2		/* TTBCR: core's half again */
	isb
	mov	r1, #0
	mcr	p15, 0, r1, c13, c0, 1		/* CONTEXTIDR 0: global only */
	isb
	ldr	r1, [r0, #PV_WS_H_TTBR0]
	mcr	p15, 0, r1, c2, c0, 0		/* TTBR0 as it was before the run */
	isb
	ldr	r1, [r0, #PV_WS_H_CIDR]
	mcr	p15, 0, r1, c13, c0, 1		/* and its ASID */
	isb
	mov	r1, #0
	mcr	p15, 0, r1, c7, c5, 6		/* BPIALL */
	ldr	r1, [r0, #PV_WS_H_DACR]
	mcr	p15, 0, r1, c3, c0, 0
	ldr	r1, [r0, #PV_WS_H_SCTLR]
	mcr	p15, 0, r1, c1, c0, 0		/* SCTLR.V: core's vectors */
	ldr	r1, [r0, #PV_WS_H_TPIDRURO]
	mcr	p15, 0, r1, c13, c0, 3
	ldr	r1, [r0, #PV_WS_H_TPIDRURW]
	mcr	p15, 0, r1, c13, c0, 2
	isb

	/* the guest's VFP registers into its vCPU, as base-hw's entry does */
	mov	r1, #0x40000000
	vmsr	fpexc, r1
	ldr	sp, [r0, #PV_WS_H_STACK]
	sub	sp, sp, #FRAME_SIZE
	mov	r4, r0
	ldr	r0, [r4, #PV_WS_FPU]
	ldr	r1, [r4, #PV_WS_FPU_SAVE]
	blx	r1
	clrex

	/* the frame base-hw's kernel entry expects; the registers stay in
	 * the save area, where the vCPU's exception() takes them */
	ldr	r1, [r4, #PV_WS_EXC]
	add	r1, r1, #1			/* Genode::Cpu_state's numbering */
	str	r1, [sp, #FRAME_EXC]
	ldr	r1, [r4, #PV_WS_PC]
	str	r1, [sp, #FRAME_IP]
	ldr	r1, [r4, #PV_WS_PSR]
	str	r1, [sp, #FRAME_PSR]
	mov	r0, sp
	ldr	r1, [r4, #PV_WS_ENTRY]
	bx	r1

.org PV_WIN_ENTER
/*
 * void enter(struct pv_win_save *save): SVC mode, exceptions masked,
 * every field of @save filled and checked, the guest's VFP registers
 * loaded. Does not return: the guest's next exception comes back through
 * the vectors above.
 */
	cps	#MODE_UND
	mov	sp, r0
	cps	#MODE_ABT
	mov	sp, r0
	cps	#MODE_IRQ
	mov	sp, r0
	cps	#MODE_FIQ
	mov	sp, r0
	cps	#MODE_SVC
	mov	sp, r0

	ldr	r1, [r0, #PV_WS_VBAR]
	mcr	p15, 0, r1, c12, c0, 0		/* VBAR: the vectors above */
	ldr	r1, [r0, #PV_WS_SCTLR]
	mcr	p15, 0, r1, c1, c0, 0		/* V clear, A as the guest asks */
	isb

	/* the guest's regime, through the bridge */
	ldr	r1, [r0, #PV_WS_BRIDGE]
	mcr	p15, 0, r1, c2, c0, 0
	isb
	mov	r1, #0
	mcr	p15, 0, r1, c2, c0, 2		/* TTBCR.N = 0: all of it in TTBR0 */
	isb
	ldr	r1, [r0, #PV_WS_CIDR]
	mcr	p15, 0, r1, c13, c0, 1
	isb
	ldr	r1, [r0, #PV_WS_TTBR0]
	mcr	p15, 0, r1, c2, c0, 0
	mov	r1, #0
	mcr	p15, 0, r1, c7, c5, 6		/* BPIALL */
	isb

	/* only the window is mapped now: the guest's domains are safe to set */
	ldr	r1, [r0, #PV_WS_DACR]
	mcr	p15, 0, r1, c3, c0, 0
	ldr	r1, [r0, #PV_WS_TPIDRURO]
	mcr	p15, 0, r1, c13, c0, 3
	ldr	r1, [r0, #PV_WS_TPIDRURW]
	mcr	p15, 0, r1, c13, c0, 2
	isb
	ldr	r1, [r0, #PV_WS_FPEXC]
	vmsr	fpexc, r1

	ldr	lr, [r0, #PV_WS_PC]
	ldr	r1, [r0, #PV_WS_PSR]
	msr	spsr_cxsf, r1
	ldm	sp, {r0-r14}^
	nop
	movs	pc, lr

.global pv_window_code_end
pv_window_code_end:
