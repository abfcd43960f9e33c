/* SPDX-License-Identifier: MIT */
/*
 * The fault-loop watchdog's two sides, one guest built twice
 * (tests/guest/meson.build):
 *
 * LOOP_IN_USER=1 (pvbm-undef-loop-user): guest *user* mode runs a VFP
 *   instruction while the guest kernel keeps VFP disabled (FPEXC.EN = 0),
 *   as Linux does for lazy VFP switching. Every try is an UNDEF pvcore
 *   injects at the same PC; the kernel's UNDEF handler counts it and
 *   returns to the instruction, and enables VFP at the 100th. The
 *   instruction then runs, user mode calls SVC, and the kernel checks the
 *   count and exits with status 0. pvbm must not call this a fault loop:
 *   faults taken in user mode never count.
 *
 * LOOP_IN_USER=0 (pvbm-undef-loop-kernel): the same instruction in guest
 *   *kernel* mode, and a handler that never enables VFP: a real fault
 *   loop. pvbm's watchdog must stop it (status 3) after its limit of
 *   injected faults in a row at one PC, long before the time budget.
 *
 * The kernel runs unpatched at host PL0: MSR SPSR, MOVS PC and SUBS PC
 * trap and pvcore emulates them; HVC (console, exit) only works from the
 * kernel, never from user mode.
 */
#include "guest.h"

#define ENABLE_AFTER 100	/* user UNDEFs before the handler enables VFP */
#define FPEXC_EN (1 << 30)
#define PSR_USR_IF 0xd0		/* USR mode, IRQ and FIQ masked */

	.section .guest_blob, "ax"
	.fpu	vfpv3
guest_entry:
	PUTS	hello
	adr	r0, vectors
	mcr	p15, 0, r0, c12, c0, 0	/* VBAR */
	mov	r0, #(0xf << 20)
	mcr	p15, 0, r0, c1, c0, 2	/* CPACR: cp10, cp11 full access */
	mov	r0, #0
	vmsr	fpexc, r0		/* VFP off: the next VFP insn UNDEFs */
	mov	r4, #0			/* UNDEFs taken at vfp_insn */
#if LOOP_IN_USER
	mov	r0, #PSR_USR_IF
	msr	spsr_cxsf, r0
	adr	lr, vfp_insn
	movs	pc, lr			/* to user mode, at vfp_insn */
#endif
vfp_insn:
	vadd.f64 d0, d0, d0		/* the one faulting PC */
	svc	#0			/* done (user); kernel: never here */
	b	.

/* Guest kernel mode only from here on. */
undef_handler:
	add	r4, r4, #1
#if LOOP_IN_USER
	cmp	r4, #ENABLE_AFTER
	moveq	r0, #FPEXC_EN
	vmsreq	fpexc, r0		/* fixed: the next try runs */
#endif
	subs	pc, lr, #4		/* retry the instruction */

svc_handler:
	mrs	r5, spsr
	and	r5, r5, #0x1f
	cmp	r5, #0x10
	bne	fail			/* the SVC must come from user mode */
	cmp	r4, #ENABLE_AFTER
	bne	fail
	PUTS	done
	PUTHEX	r4
	PUTS	newline
	HC_ID	PV_HC_EXIT
	mov	r1, #0
	hvc	#0
	b	.

fail:
	PUTS	msg_fail
	PUTHEX	r4
	PUTS	newline
	HC_ID	PV_HC_EXIT
	mov	r1, #1
	hvc	#0
	b	.

unexpected:
	PUTS	msg_unexpected
	b	fail

	.align	5
vectors:
	b	unexpected		/* reset */
	b	undef_handler
	b	svc_handler
	b	unexpected		/* prefetch abort */
	b	unexpected		/* data abort */
	b	unexpected
	b	unexpected		/* IRQ */
	b	unexpected		/* FIQ */

#if LOOP_IN_USER
hello:	.asciz	"guest: VFP in user mode, disabled until UNDEF 100\n"
#else
hello:	.asciz	"guest: VFP in kernel mode, disabled for good\n"
#endif
done:	.asciz	"guest: VFP ran after UNDEFs: 0x"
msg_fail: .asciz "guest: FAIL, UNDEFs: 0x"
msg_unexpected: .asciz "guest: unexpected exception\n"
newline: .asciz	"\n"
	.align	2
