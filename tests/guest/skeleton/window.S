/* SPDX-License-Identifier: MIT */
/*
 * A guest that maps the VMM window. It turns its MMU on with an identity
 * section for its own RAM and a second section at 0xFFF00000, the VMM
 * window, then reads through the latter. pvcore must refuse the mapping
 * (PV_EWINDOW) and the host must stop the run with a clear error, a
 * non-zero status and a trace dump; the guest must never see the VMM.
 */
#include "guest.h"

#define L1_PA   (PV_BOARD_RAM_BASE + 0x100000)	/* 16 KiB aligned */
/* Section, AP=011 (full access), TEX=001 C B (write-back), domain 0. */
#define SECT    ((3 << 10) | (1 << 12) | (1 << 3) | (1 << 2) | 2)

	.section .guest_blob, "ax"
guest_entry:
	PUTS	hello
	movw	r4, #(L1_PA & 0xffff)
	movt	r4, #(L1_PA >> 16)
	mov	r0, #0
	mov	r1, #0
1:	str	r0, [r4, r1]
	add	r1, r1, #4
	cmp	r1, #0x4000
	blo	1b
	movw	r0, #(SECT & 0xffff)
	movt	r0, #(PV_BOARD_RAM_BASE >> 16)
	str	r0, [r4, #((PV_BOARD_RAM_BASE >> 20) * 4)]	/* identity */
	movw	r1, #0x3ffc
	str	r0, [r4, r1]			/* 0xFFF00000 -> guest RAM */
	movw	r0, #0x5555
	movt	r0, #0x5555
	mcr	p15, 0, r0, c3, c0, 0		/* DACR: all Client */
	mov	r0, #0
	mcr	p15, 0, r0, c2, c0, 2		/* TTBCR */
	mcr	p15, 0, r4, c2, c0, 0		/* TTBR0 */
	mrc	p15, 0, r0, c1, c0, 0
	orr	r0, r0, #1
	mcr	p15, 0, r0, c1, c0, 0		/* SCTLR.M */
	isb
	PUTS	mmu_on
	movw	r0, #0x0000
	movt	r0, #0xfff0
	ldr	r5, [r0]			/* into the VMM window */
	PUTS	survived
	PUTHEX	r5
	PUTS	newline
	HC_ID	PV_HC_EXIT
	mov	r1, #1
	hvc	#0
	b	.

hello:	.asciz	"guest: mapping the VMM window\n"
mmu_on:	.asciz	"guest: MMU on\n"
survived: .asciz "guest: read the VMM window: 0x"
newline: .asciz	"\n"
	.align	2
