/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the tiny bare-metal guests (assembler). Guests are
 * position-independent: the host loads them at PV_BOARD_RAM_BASE and
 * enters them in guest SVC mode with the guest MMU off.
 */
#include <pvcore/hypercall.h>

/* The virtual board's numbers (PV_BOARD_*); its C part is guarded. */
#include <pvcore/board.h>

	.syntax unified
	.arm
	.arch_extension virt
	.arch_extension sec

#define PSCI_SYSTEM_OFF 0x84000008

/* r0 = function ID (clobbers r0). */
	.macro	HC_ID id
	movw	r0, #((\id) & 0xffff)
	movt	r0, #((\id) >> 16)
	.endm

/* Print the NUL-terminated string at label \str. Clobbers r0, r1, r2. */
	.macro	PUTS str
	adrl	r2, \str
1001:	ldrb	r1, [r2], #1
	cmp	r1, #0
	beq	1002f
	HC_ID	PV_HC_CONSOLE_PUTC
	hvc	#0
	b	1001b
1002:
	.endm

/* Print \reg as 8 hex digits. Clobbers r0, r1, r2, r3. */
	.macro	PUTHEX reg
	mov	r3, \reg
	mov	r2, #28
1003:	lsr	r1, r3, r2
	and	r1, r1, #0xf
	cmp	r1, #10
	addlo	r1, r1, #'0'
	addhs	r1, r1, #('a' - 10)
	HC_ID	PV_HC_CONSOLE_PUTC
	hvc	#0
	subs	r2, r2, #4
	bge	1003b
	.endm
