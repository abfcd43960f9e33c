/* SPDX-License-Identifier: MIT */
/*
 * World-switch torture guest. Each round fills r0..r10, SP, LR and the
 * NZCV flags with round-specific patterns, spins (so the host tick can
 * preempt it anywhere), traps with an MRC of MIDR into r12, and checks
 * that every register and flag came back intact and that r12 holds the
 * virtual MIDR. Both the UNDEF path and the host-IRQ path save and
 * restore the whole user context, so a slip in either shows up here.
 * r11 is the only scratch register.
 */
#include "guest.h"

#define ROUNDS 20000
#define SPIN 2000

	.section .guest_blob, "ax"
guest_entry:
	PUTS	hello
	mov	r0, #0
round:
	add	r0, r0, #1
	add	r1, r0, #0x10000000
	add	r2, r0, #0x20000000
	add	r3, r0, #0x30000000
	add	r4, r0, #0x40000000
	add	r5, r0, #0x50000000
	add	r6, r0, #0x60000000
	add	r7, r0, #0x70000000
	add	r8, r0, #0x80000000
	add	r9, r0, #0x90000000
	add	r10, r0, #0xa0000000
	add	lr, r0, #0xc0000000
	add	sp, r0, #0xd0000000
	movw	r11, #SPIN
1:	subs	r11, r11, #1
	bne	1b
	lsl	r11, r0, #28
	msr	APSR_nzcvq, r11
	mrc	p15, 0, r12, c0, c0, 0	/* traps */
	mrs	r11, APSR
	and	r11, r11, #0xf0000000
	sub	r11, r11, r0, lsl #28
	cmp	r11, #0
	bne	bad_flags
	ldr	r11, =0x412fc09a
	cmp	r12, r11
	bne	bad_midr
	.irp	n, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
	sub	r11, r\n, r0
	cmp	r11, #(\n << 28)
	bne	bad_reg
	.endr
	sub	r11, lr, r0
	cmp	r11, #0xc0000000
	bne	bad_reg
	sub	r11, sp, r0
	cmp	r11, #0xd0000000
	bne	bad_reg
	movw	r11, #ROUNDS
	cmp	r0, r11
	blo	round

	PUTS	ok
	HC_ID	PV_HC_EXIT
	mov	r1, #0
	hvc	#0
	b	.

bad_flags:
	PUTS	msg_flags
	b	fail
bad_midr:
	PUTS	msg_midr
	b	fail
bad_reg:
	PUTS	msg_reg
fail:
	HC_ID	PV_HC_EXIT
	mov	r1, #1
	hvc	#0
	b	.

	.ltorg
hello:	.asciz	"guest: world-switch torture, 20000 rounds\n"
ok:	.asciz	"guest: switch ok\n"
msg_flags: .asciz "guest: switch FAIL: flags corrupted\n"
msg_midr: .asciz "guest: switch FAIL: wrong MIDR\n"
msg_reg: .asciz	"guest: switch FAIL: register corrupted\n"
	.align	2
