/* SPDX-License-Identifier: MIT */
/*
 * Virtual-timer guest: programs the virtual GIC and the virtual private
 * timer (TWD) through MMIO, then waits (native WFI: it sleeps until the
 * next host interrupt) and polls the virtual GICC_IAR until the timer's
 * interrupt 29 is pending. IRQs stay masked in the guest CPSR (an
 * unpatched guest cannot unmask them at PL0), so nothing is injected; the
 * path under test is MMIO emulation, the vGIC, the virtual timer, and the
 * backend's one-shot timer (global-timer comparator) and
 * pv_vm_timer_expired().
 */
#include "guest.h"

#define TWD_TICKS 200000	/* 2 ms at the virtual 100 MHz PERIPHCLK */

	.section .guest_blob, "ax"
guest_entry:
	PUTS	hello
	movw	r4, #(PV_BOARD_PERIPH_BASE & 0xffff)
	movt	r4, #(PV_BOARD_PERIPH_BASE >> 16)
	add	r5, r4, #PV_BOARD_GICD_OFFSET
	add	r6, r4, #PV_BOARD_GICC_OFFSET
	add	r7, r4, #PV_BOARD_TWD_OFFSET

	mov	r0, #1
	str	r0, [r5, #0x000]	/* GICD_CTLR */
	ldr	r0, =0xa0a0a0a0
	str	r0, [r5, #0x41c]	/* IPRIORITYR 28..31 */
	mov	r0, #(1 << PV_BOARD_TWD_PPI)
	str	r0, [r5, #0x100]	/* ISENABLER0 */
	mov	r0, #0xf0
	str	r0, [r6, #0x04]		/* GICC_PMR */
	mov	r0, #1
	str	r0, [r6, #0x00]		/* GICC_CTLR */

	ldr	r0, =TWD_TICKS
	str	r0, [r7, #0x00]		/* TWD load */
	mov	r0, #5
	str	r0, [r7, #0x08]		/* enable, IRQ, one-shot */

	mov	r8, #0			/* IAR polls */
wait:
	wfi
	add	r8, r8, #1
	ldr	r9, [r6, #0x0c]		/* GICC_IAR */
	ubfx	r10, r9, #0, #10
	movw	r11, #1023
	cmp	r10, r11
	beq	wait
	cmp	r10, #PV_BOARD_TWD_PPI
	bne	wrong
	mov	r0, #1
	str	r0, [r7, #0x0c]		/* TWD interrupt status: clear */
	str	r9, [r6, #0x10]		/* GICC_EOIR */
	ldr	r0, [r7, #0x04]		/* TWD counter: one-shot, stopped at 0 */
	cmp	r0, #0
	bne	wrong_count
	PUTS	got
	PUTHEX	r10
	PUTS	newline
	HC_ID	PV_HC_EXIT
	mov	r1, #0
	hvc	#0
	b	.

wrong:
	PUTS	msg_wrong
	PUTHEX	r10
	PUTS	newline
	b	fail
wrong_count:
	PUTS	msg_count
fail:
	HC_ID	PV_HC_EXIT
	mov	r1, #1
	hvc	#0
	b	.

	.ltorg
hello:	.asciz	"guest: arming the virtual TWD\n"
got:	.asciz	"guest: timer IRQ id=0x"
newline: .asciz	"\n"
msg_wrong: .asciz "guest: timer FAIL: unexpected interrupt id=0x"
msg_count: .asciz "guest: timer FAIL: TWD counter not at 0\n"
	.align	2
