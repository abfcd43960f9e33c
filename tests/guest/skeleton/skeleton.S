/* SPDX-License-Identifier: MIT */
/*
 * The walking-skeleton guest. It reads MIDR (MRC p15: UNDEF at host PL0,
 * emulated by pvcore's virtual CP15), prints it through the console
 * hypercall (HVC: UNDEF on the A9, served by pvcore) and powers off with
 * PSCI SYSTEM_OFF over SMC, or PV_HC_EXIT if PSCI is not available.
 * A correct run prints the *virtual* Cortex-A9 r2p10 MIDR 0x412fc09a,
 * not QEMU's r0p0 0x410fc090.
 */
#include "guest.h"

	.section .guest_blob, "ax"
guest_entry:
	mrc	p15, 0, r4, c0, c0, 0	/* MIDR */
	PUTS	hello
	PUTHEX	r4
	PUTS	newline
	movw	r0, #(PSCI_SYSTEM_OFF & 0xffff)
	movt	r0, #(PSCI_SYSTEM_OFF >> 16)
	smc	#0
	/* Only reached while PSCI is not served: stop through pvcore's own
	 * exit hypercall instead. */
	PUTS	fell
	HC_ID	PV_HC_EXIT
	mov	r1, #0
	hvc	#0
	b	.

hello:	.asciz	"guest: MIDR=0x"
newline: .asciz	"\n"
fell:	.asciz	"guest: PSCI SYSTEM_OFF returned, using PV_HC_EXIT\n"
	.align	2
