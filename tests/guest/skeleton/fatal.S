/* SPDX-License-Identifier: MIT */
/*
 * A guest that goes wrong: it jumps to a guest-physical address where
 * nothing exists (the guest MMU is off). The host must end the run with a
 * non-zero status and a trap-trace dump, never hang.
 */
#include "guest.h"

	.section .guest_blob, "ax"
guest_entry:
	PUTS	hello
	movw	r0, #0x0000
	movt	r0, #0x8000		/* 0x80000000: no RAM, no device */
	bx	r0

hello:	.asciz	"guest: jumping into the void\n"
	.align	2
