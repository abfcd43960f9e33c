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
#include <pvcore/pvpage.h>

#include "frame.h"

	.syntax unified
	.arm
	.fpu	vfpv3

#define SCTLR_A   (1 << 1)
#define PSR_J     (1 << 24)
#define PSR_T     (1 << 5)
#define PSR_I     (1 << 7)
#define PSR_F     (1 << 6)
#define MODE_USR  0x10
#define MODE_SVC  0x13
#define MODE_IRQ  0x12
#define MODE_ABT  0x17
#define MODE_UND  0x1b
#define MODE_SYS  0x1f
#define PSR_AIF   0x1c0
/* A field of the frame's struct pv_fast (pvcore/fastpath.h). */
#define FF(field) (PVBM_F_FAST + PV_FAST_##field)
/* A field of the vCPU page, from its first field (an ARM immediate). */
#define VP(field) (PV_VPAGE_##field - PV_VPAGE_FIELDS)

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
 * Every exception mode's SP points at this core's frame (pvbm_frames[],
 * set up by pvbm_vectors_init()):
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
ent_svc:	b	fast_svc
ent_pabt:	SAVE 3
ent_dabt:	b	fast_dabt
ent_irq:	SAVE 5
ent_fiq:	SAVE 6

/*
 * Switch to a shadow view whose ASID and TTBR0 are at frame offsets
 * \asid and \ttbr, through the window-only table as common_entry does.
 * The exception return that follows is the last context synchronization
 * (no ISB). Clobbers \tmp.
 */
	.macro	SWITCH_VIEW asid, ttbr, tmp
	ldr	\tmp, [sp, #PVBM_F_TTBR_W]
	mcr	p15, 0, \tmp, c2, c0, 0
	isb
	ldr	\tmp, [sp, #\asid]
	mcr	p15, 0, \tmp, c13, c0, 1
	isb
	ldr	\tmp, [sp, #\ttbr]
	mcr	p15, 0, \tmp, c2, c0, 0
	.endm

/*
 * Switch to the VMM's own table, with the reserved ASID 0, through the
 * window-only table as common_entry does (SWITCH_VIEW goes back the same
 * way). Clobbers \tmp.
 */
	.macro	SWITCH_VMM tmp
	ldr	\tmp, [sp, #PVBM_F_TTBR_W]
	mcr	p15, 0, \tmp, c2, c0, 0
	isb
	mov	\tmp, #0
	mcr	p15, 0, \tmp, c13, c0, 1
	isb
	ldr	\tmp, [sp, #PVBM_F_TTBR_V]
	mcr	p15, 0, \tmp, c2, c0, 0
	isb
	.endm

/*
 * The SVC fast path (pvcore/fastpath.h has the contract, step by step):
 * a system call from guest user mode enters the guest kernel's SVC vector
 * without the C path, while the core's flags allow it. The checks come
 * first and write nothing; the slow path continues from the registers
 * saved here.
 */
fast_svc:
	stmia	sp, {r0-r12}
	ldr	r0, [sp, #FF(FLAGS)]
	tst	r0, #PV_FAST_SVC_OK
	beq	1f
	ldr	r1, [sp, #FF(CPSR)]
	and	r2, r1, #0x1f
	cmp	r2, #MODE_USR
	bne	1f
	mrs	r0, spsr
	tst	r0, #0x0f		/* from host USR (the guest), not the VMM */
	bne	1f
	ldr	r3, =pvbm_vcpu_page + PV_VPAGE_FIELDS
	ldr	r2, =PV_FAST_USER_BITS
	and	r2, r0, r2
	orr	r2, r2, r1
	str	r2, [r3, #VP(SPSR)]
	bic	r1, r1, #0x1f
	bic	r1, r1, #PSR_J
	orr	r1, r1, #(MODE_SVC | 0x80)	/* SVC, I set */
	str	r1, [sp, #FF(CPSR)]
	str	r1, [r3, #VP(CPSR)]
	str	r1, [sp, #PVBM_F_FAST_ON]	/* non-zero: the guest kernel runs */
	add	r2, r3, #VP(USR_SP)
	stmia	r2, {sp, lr}^		/* the user bank, for the stubs */
	mov	r2, #0
	str	r2, [r3, #VP(USR_BAD)]
	str	lr, [sp, #FF(SVC_LR)]	/* LR_svc: the address after the SVC */
	add	r2, sp, #FF(SVC_SP)
	ldmia	r2, {sp, lr}^
	nop
	ldr	r2, =PV_FAST_FLAG_BITS
	and	r0, r0, r2
	ldr	r2, [sp, #FF(SVC_PSR)]
	orr	r0, r0, r2
	msr	spsr_cxsf, r0
	ldr	r0, [sp, #FF(FLAGS)]
	tst	r0, #PV_FAST_TLS_OK	/* the kernel's entry write, guessed */
	ldrne	r0, [sp, #FF(TPIDRURO_K)]
	mcrne	p15, 0, r0, c13, c0, 3
	SWITCH_VIEW FF(K_ASID), FF(K_TTBR0), r0
	ldr	r0, [sp, #FF(N_SVC)]
	add	r0, r0, #1
	str	r0, [sp, #FF(N_SVC)]
	ldr	lr, [sp, #FF(SVC_VECTOR)]
	ldmia	sp, {r0-r3}
	movs	pc, lr
1:	SAVE_REST 2			/* r0-r12 are already saved */

/*
 * The global-timer fast path (pvcore/fastpath.h): the guest kernel's
 * "LDR Rt, [Rn, #imm]" of the virtual counter's low or high word, which
 * Linux's clocksource and sched_clock read three times per look. The host
 * counter is read on the VMM's table (switched to and back as
 * common_entry and pvbm_exit_to_guest do); the core's offset makes it the
 * virtual one.
 */
fast_dabt:
	stmia	sp, {r0-r12}
	ldr	r0, [sp, #FF(FLAGS)]
	tst	r0, #PV_FAST_GT_OK
	beq	slow_dabt
	ldr	r0, [sp, #PVBM_F_FAST_ON]
	cmp	r0, #0
	beq	slow_dabt
	mrs	r0, spsr
	tst	r0, #PSR_T
	bne	slow_dabt
	mrc	p15, 0, r1, c5, c0, 0		/* DFSR */
	ldr	r2, =0xc0d			/* WnR, FS[4], FS[3:2], FS[0] */
	and	r2, r1, r2
	cmp	r2, #5				/* a read's translation fault */
	bne	slow_dabt
	mrc	p15, 0, r1, c6, c0, 0		/* DFAR */
	ldr	r2, [sp, #FF(GT_VA)]
	sub	r9, r1, r2
	cmp	r9, #0x200			/* the counter's low word */
	cmpne	r9, #0x204			/* or its high word */
	bne	slow_dabt
	ldr	r0, [lr, #-8]			/* the load, just fetched */
	lsr	r3, r0, #20
	sub	r3, r3, #0xe00
	cmp	r3, #0x59			/* LDR (imm, P U, no W), cond AL */
	bne	slow_dabt
	ubfx	r3, r0, #12, #4			/* Rt */
	cmp	r3, #13
	cmpne	r3, #15
	beq	slow_dabt
	mrc	p15, 0, r7, c2, c0, 0		/* the guest's TTBR0 and ASID */
	mrc	p15, 0, r8, c13, c0, 1
	SWITCH_VMM r0
	ldr	r0, [sp, #PVBM_F_GT_HOST]
1:	ldr	r4, [r0, #4]			/* the halves are not latched */
	ldr	r5, [r0]
	ldr	r6, [r0, #4]
	cmp	r4, r6
	bne	1b
	ldr	r0, [sp, #PVBM_F_TTBR_W]
	mcr	p15, 0, r0, c2, c0, 0
	isb
	mcr	p15, 0, r8, c13, c0, 1
	isb
	mcr	p15, 0, r7, c2, c0, 0
	ldr	r0, [sp, #FF(GT_OFF_LO)]
	ldr	r1, [sp, #FF(GT_OFF_HI)]
	adds	r5, r5, r0
	adc	r4, r4, r1
	cmp	r9, #0x200
	moveq	r1, r5
	movne	r1, r4
	cmp	r3, #14
	strne	r1, [sp, r3, lsl #2]
	streq	r1, [sp, #(PVBM_F_USR_SP + 4)]
	addeq	r2, sp, #(PVBM_F_USR_SP + 4)
	ldmeq	r2, {lr}^			/* the guest's LR is the host user LR */
	nop
	ldr	r2, [sp, #FF(N_GT)]
	add	r2, r2, #1
	str	r2, [sp, #FF(N_GT)]
	ldmia	sp, {r0-r12}
	subs	pc, lr, #4			/* the next instruction */
slow_dabt:
	SAVE_REST 4			/* r0-r12 are already saved */

/*
 * The UNDEF fast paths, from the guest kernel only (the C side sets
 * FAST_ON while the guest runs at PL1), ARM state, read at LR - 4 through
 * the guest's mapping, which has just fetched it:
 *
 * - "MCR p15, 0, Rt, c13, c0, 3" (cond AL, Rt < r13), which Linux runs at
 *   every kernel entry and exit and context switch where no stub took it:
 *   host TPIDRURO, the vCPU page's TPIDRURO and the struct's tpidruro_k
 *   := Rt, PC += 4, counted for pv_vcpu_fast_tpidruro();
 * - the self-describing MOVS PC, LR (PV_FAST_ERET_WORD): the return to
 *   user mode of pvcore/fastpath.h from SVC, or its stub return into SVC
 *   from ABT, UND or IRQ, when the core's flags allow it;
 * - the self-describing MRS Rd, SPSR / MRS Rd, CPSR / MSR SPSR_fsxc, Rn
 *   of Linux's vector stubs (fastpath.h's PSR accesses);
 * - VMSR FPEXC, Rt and VMRS Rt, FPEXC of Linux's lazy VFP switching;
 * - BPIALL and BPIALLIS, which the core's emulation ignores;
 * - MRC of TTBR1, which Linux reads at every context switch;
 * - the address-space switches of Linux's context switch: a lone MCR of
 *   TTBR0, and MCR CONTEXTIDR; ISB; MCR TTBR0 (fastpath.h).
 *
 * Anything else goes the slow way, from the registers saved here.
 */
fast_undef:
	stmia	sp, {r0-r12}
	ldr	r0, [sp, #PVBM_F_FAST_ON]
	cmp	r0, #0
	beq	slow_undef
	mrs	r0, spsr
	tst	r0, #PSR_T
	bne	slow_undef
	ldr	r0, [lr, #-4]
	bic	r1, r0, #0xf000		/* Rt */
	ldr	r2, =0xee0d0f70
	cmp	r1, r2
	beq	fast_tpidruro
	ldr	r2, =PV_FAST_ERET_WORD
	cmp	r0, r2
	beq	fast_eret
	ldr	r2, =PV_FAST_BPIALL_WORD
	cmp	r1, r2
	ldrne	r2, =PV_FAST_BPIALLIS_WORD
	cmpne	r1, r2
	beq	fast_bpiall
	ldr	r2, =PV_FAST_MRC_TTBR1_WORD
	cmp	r1, r2
	beq	fast_mrc_ttbr1
	ldr	r2, =PV_FAST_VMSR_FPEXC_WORD
	cmp	r1, r2
	beq	fast_vmsr_fpexc
	ldr	r2, =PV_FAST_VMRS_FPEXC_WORD
	cmp	r1, r2
	beq	fast_vmrs_fpexc
	bic	r1, r0, #0xf		/* the register field */
	ldr	r2, =PV_FAST_MRS_SPSR_WORD
	cmp	r1, r2
	beq	fast_mrs_spsr
	ldr	r2, =PV_FAST_MRS_CPSR_WORD
	cmp	r1, r2
	beq	fast_mrs_cpsr
	ldr	r2, =PV_FAST_MSR_SPSR_WORD
	cmp	r1, r2
	beq	fast_msr_spsr
	bic	r1, r0, #0xf000		/* Rt, again: after the vector stubs' */
	ldr	r2, =PV_FAST_MCR_CONTEXTIDR_WORD
	cmp	r1, r2
	beq	fast_contextidr
	ldr	r2, =PV_FAST_MCR_TTBR0_WORD
	cmp	r1, r2
	beq	fast_ttbr0
slow_undef:
	SAVE_REST 1			/* r0-r12 are already saved */

fast_tpidruro:
	ubfx	r1, r0, #12, #4
	cmp	r1, #13
	bhs	slow_undef
	ldr	r1, [sp, r1, lsl #2]
	mcr	p15, 0, r1, c13, c0, 3	/* run.c reads it back at the next trap */
	ldr	r2, =pvbm_vcpu_page + PV_VPAGE_FIELDS
	str	r1, [r2, #VP(TPIDRURO)]	/* the guest's, while the page is live */
	str	r1, [sp, #FF(TPIDRURO_K)] /* the fast SVC's next guess */
	ldr	r2, [sp, #PVBM_F_FAST_CNT]
	add	r2, r2, #1
	str	r2, [sp, #PVBM_F_FAST_CNT]
	ldmia	sp, {r0-r3}
	movs	pc, lr

fast_eret:
	ldr	r0, [sp, #FF(FLAGS)]
	ldr	r1, [sp, #FF(CPSR)]
	and	r2, r1, #0x1f
	cmp	r2, #MODE_SVC
	bne	fast_xret
	tst	r0, #PV_FAST_ERET_OK
	beq	slow_undef
	ldr	r3, =pvbm_vcpu_page + PV_VPAGE_FIELDS
	ldr	r0, [r3, #VP(SPSR)]	/* guest-written: checked */
	ldr	r2, =PV_FAST_ERET_SPSR_MASK
	and	r2, r0, r2
	cmp	r2, #MODE_USR
	bne	slow_undef
	ldr	r7, [r3, #VP(DACR)]		/* a lazy PAN toggle is fine: */
	ldr	r4, [sp, #FF(DACR)]
	eor	r4, r7, r4
	ldr	r5, [sp, #FF(DACR_FREE)]
	bics	r4, r4, r5		/* only in the free fields */
	bne	slow_undef
	and	r4, r7, r5
	ldr	r6, =0xaaaaaaaa
	tst	r4, r6			/* each of them 00 or 01 */
	bne	slow_undef
	str	r0, [sp, #FF(SPSR_SVC)]
	add	r2, sp, #FF(SVC_SP)
	stmia	r2, {sp, lr}^		/* the SVC bank goes to the struct */
	ldr	lr, [sp, #FF(SVC_LR)]
	tst	r0, #PSR_T
	bicne	lr, lr, #1
	biceq	lr, lr, #3
	add	r2, r3, #VP(USR_SP)
	ldmia	r2, {sp, lr}^		/* the user bank the stubs left */
	nop
	msr	spsr_cxsf, r0
	bic	r1, r1, #PSR_AIF
	bic	r1, r1, #0x1f
	orr	r1, r1, #MODE_USR
	str	r1, [sp, #FF(CPSR)]
	str	r1, [r3, #VP(CPSR)]	/* I and F: sync_in reads them in USR */
	mov	r2, #0
	str	r2, [sp, #PVBM_F_FAST_ON]
	ldr	r4, =0x55555555		/* the host DACR for it */
	and	r2, r7, r4
	ldr	r4, [sp, #FF(DACR_HOST_OR)]
	orr	r2, r2, r4
	mrc	p15, 0, r4, c3, c0, 0
	cmp	r2, r4
	mcrne	p15, 0, r2, c3, c0, 0	/* only on a change: cheap on QEMU */
	ldr	r2, [r3, #VP(TPIDRURO)]	/* the user's TLS a stub left */
	mcr	p15, 0, r2, c13, c0, 3
	ldr	r2, [sp, #FF(PF_PTE)]
	cmp	r2, #0
	bne	fast_prefill
fast_eret_view:
	SWITCH_VIEW FF(U_ASID), FF(U_TTBR0), r2
	ldr	r2, [sp, #FF(N_ERET)]
	add	r2, r2, #1
	str	r2, [sp, #FF(N_ERET)]
	ldmia	sp, {r0-r7}
	movs	pc, lr

/*
 * The fast return's prefill (pvcore/fastpath.h): the shadow entry of the
 * page whose fault the guest kernel has just handled, on the VMM's table
 * (switched to as common_entry does; fast_eret_view switches to the user
 * view from there). r2 = F.pf_pte, r7 = P.DACR; r0-r7 are free, r8-r12
 * and lr must be kept.
 */
fast_prefill:
	mov	r4, #0
	str	r4, [sp, #FF(PF_PTE)]		/* a hint is good for one return */
	ldr	r4, [sp, #FF(PF_U_TTBR0)]
	ldr	r5, [sp, #FF(U_TTBR0)]
	cmp	r4, r5
	ldreq	r4, [sp, #FF(PF_DACR)]
	cmpeq	r4, r7
	bne	fast_eret_view
	SWITCH_VMM r4
	ldr	r4, [sp, #FF(PF_L1)]
	ldr	r4, [r4]			/* the guest's L1 entry */
	ldr	r5, [sp, #FF(PF_L1_VAL)]
	cmp	r4, r5
	bne	fast_eret_view
	ldr	r4, [r2]			/* the guest's PTE */
	ubfx	r5, r4, #0, #12
	ldr	r6, [sp, #FF(PF_LO)]
	cmp	r5, r6
	bne	fast_eret_view
	bfc	r4, #0, #12
	ldr	r5, [sp, #FF(PF_RAM_GPA)]
	sub	r5, r4, r5
	ldr	r6, [sp, #FF(PF_RAM_LAST)]
	cmp	r5, r6
	bhi	fast_eret_view			/* not guest RAM */
	ldr	r2, [sp, #FF(PF_SLOT)]
	ldr	r5, [r2]
	cmp	r5, #0
	bne	fast_eret_view
	ldr	r5, [sp, #FF(PF_RAM_OFF)]
	add	r4, r4, r5
	ldr	r5, [sp, #FF(PF_HOST_LO)]
	orr	r4, r4, r5
	str	r4, [r2]
	mcr	p15, 0, r2, c7, c11, 1		/* DCCMVAU, as the core's fills */
	dsb
	ldr	r4, [sp, #FF(N_PREFILL)]
	add	r4, r4, #1
	str	r4, [sp, #FF(N_PREFILL)]
	b	fast_eret_view

/*
 * The stub return (pvcore/fastpath.h): the MOVS PC, LR that ends Linux's
 * vector stubs, from ABT, UND or IRQ into SVC, on the same kernel view.
 * r0 = the flags, r2 = the mode. Only X's flag bits reach the host CPSR,
 * whose mode is always USR; X's mode must be SVC, so the guest gets no
 * other mode either.
 */
fast_xret:
	tst	r0, #PV_FAST_XRET_OK
	beq	slow_undef
	cmp	r2, #MODE_ABT
	cmpne	r2, #MODE_UND
	cmpne	r2, #MODE_IRQ
	bne	slow_undef
	ldr	r3, =pvbm_vcpu_page + PV_VPAGE_FIELDS
	ldr	r0, [r3, #VP(SPSR)]	/* guest-written: checked */
	ldr	r2, =PV_FAST_XRET_SPSR_MASK
	and	r2, r0, r2
	cmp	r2, #MODE_SVC
	bne	slow_undef
	ldr	r2, [sp, #FF(XRET_IMASK)]
	bics	r2, r2, r0		/* a line up that the return unmasks */
	bne	slow_undef
	ldr	r2, [r3, #VP(DACR)]
	ldr	r4, [sp, #FF(DACR)]
	cmp	r2, r4			/* a DACR write to apply: the core's */
	bne	slow_undef
	str	r0, [sp, #FF(XRET_SPSR)]
	add	r2, sp, #FF(XRET_SP)
	stmia	r2, {sp, lr}^		/* the old mode's bank goes to the struct */
	ldr	lr, [sp, #FF(XRET_LR)]
	bic	lr, lr, #3		/* ARM: X.T is clear */
	add	r2, sp, #FF(SVC_SP)
	ldmia	r2, {sp, lr}^		/* SVC's bank, from the fill */
	nop
	ldr	r2, [sp, #FF(SPSR_SVC)]
	str	r2, [r3, #VP(SPSR)]	/* the page holds the current mode's */
	ldr	r2, =PV_FAST_USER_BITS
	bic	r1, r0, r2
	str	r1, [sp, #FF(CPSR)]
	str	r1, [r3, #VP(CPSR)]
	ldr	r2, =PV_FAST_FLAG_BITS
	and	r0, r0, r2
	orr	r0, r0, #MODE_USR
	msr	spsr_cxsf, r0
	ldr	r2, [sp, #FF(N_XRET)]
	add	r2, r2, #1
	str	r2, [sp, #FF(N_XRET)]
	ldmia	sp, {r0-r4}
	movs	pc, lr

/*
 * The PSR and FPEXC accesses: r0 = the word. Checks first (the register
 * field, the flag, for the SPSR forms a mode with an SPSR); they end in
 * reg_out (r1 into the guest register numbered r0) or count_out, which
 * count one at the frame offset in r4.
 */
	.macro	REG_CHECK lsb, flag
	ldr	r2, [sp, #FF(FLAGS)]
	tst	r2, #\flag
	beq	slow_undef
	ubfx	r0, r0, #\lsb, #4
	cmp	r0, #13
	beq	slow_undef		/* sp or pc: the core's */
	cmp	r0, #15
	beq	slow_undef
	.endm

	.macro	SPSR_CHECK
	ldr	r2, [sp, #FF(CPSR)]
	and	r2, r2, #0x1f
	cmp	r2, #MODE_USR
	cmpne	r2, #MODE_SYS
	beq	slow_undef
	.endm

/* r1 = the guest register numbered r0 (r0-r12 or r14). */
	.macro	REG_IN
	cmp	r0, #14
	ldrne	r1, [sp, r0, lsl #2]
	addeq	r2, sp, #(PVBM_F_USR_SP + 4)
	stmeq	r2, {lr}^		/* the guest's LR is the host user LR */
	nop
	ldreq	r1, [sp, #(PVBM_F_USR_SP + 4)]
	.endm

fast_mrs_spsr:
	REG_CHECK 0, PV_FAST_PSR_OK
	SPSR_CHECK
	ldr	r3, =pvbm_vcpu_page + PV_VPAGE_FIELDS
	ldr	r1, [r3, #VP(SPSR)]
	mov	r4, #FF(N_PSR)
	b	reg_out

fast_mrs_cpsr:
	REG_CHECK 0, PV_FAST_PSR_OK
	ldr	r3, =pvbm_vcpu_page + PV_VPAGE_FIELDS
	ldr	r1, [r3, #VP(CPSR)]
	and	r1, r1, #(PSR_I | PSR_F)	/* the stubs' I and F */
	ldr	r2, [sp, #FF(CPSR)]
	bic	r2, r2, #(PSR_I | PSR_F)
	bic	r2, r2, #PSR_J
	orr	r1, r1, r2
	mrs	r2, spsr
	ldr	r3, =PV_FAST_MRS_HOST_BITS
	and	r2, r2, r3
	orr	r1, r1, r2
	mov	r4, #FF(N_PSR)
	b	reg_out

fast_msr_spsr:
	REG_CHECK 0, PV_FAST_PSR_OK
	SPSR_CHECK
	REG_IN
	ldr	r3, =pvbm_vcpu_page + PV_VPAGE_FIELDS
	str	r1, [r3, #VP(SPSR)]
	mov	r4, #FF(N_PSR)
	b	count_out

fast_vmrs_fpexc:
	REG_CHECK 12, PV_FAST_VFP_OK
	ldr	r1, [sp, #FF(FPEXC)]
	mov	r4, #FF(N_VFP)
	b	reg_out

fast_vmsr_fpexc:
	REG_CHECK 12, PV_FAST_VFP_OK
	REG_IN
	and	r1, r1, #0x40000000	/* EN: the rest is RAZ/WI on the A9 */
	vmsr	fpexc, r1
	str	r1, [sp, #FF(FPEXC)]
	mov	r4, #FF(N_VFP)
	b	count_out

fast_mrc_ttbr1:
	REG_CHECK 12, PV_FAST_TTBR1_OK
	ldr	r1, [sp, #FF(TTBR1)]
	mov	r4, #FF(N_CP15R)
	b	reg_out

fast_bpiall:
	ldr	r2, [sp, #FF(FLAGS)]
	tst	r2, #PV_FAST_BP_OK
	beq	slow_undef
	mov	r4, #FF(N_CP15W)
	b	count_out

/*
 * The context switches (fastpath.h): r0 = the MCR, r2 = the new TTBR0,
 * r3 = the new CONTEXTIDR, r8 = 1 for the three-word chain, else 0. The
 * chain's other two words are read through the guest's mapping like the
 * first, from the same page, which has just been fetched.
 */
fast_ttbr0:
	ubfx	r4, r0, #12, #4
	cmp	r4, #13
	bhs	slow_undef		/* sp, lr, pc: the core's */
	ldr	r2, [sp, r4, lsl #2]
	ldr	r3, [sp, #FF(CTX_CONTEXTIDR)]
	mov	r8, #0
	b	fast_ctx

fast_contextidr:
	ubfx	r4, r0, #12, #4
	cmp	r4, #13
	bhs	slow_undef
	ldr	r3, [sp, r4, lsl #2]
	sub	r4, lr, #4
	ubfx	r4, r4, #0, #12
	movw	r5, #0xff4
	cmp	r4, r5			/* the chain ends in this page */
	bhi	slow_undef
	ldr	r5, [lr]
	bic	r5, r5, #0xf
	ldr	r6, =PV_FAST_ISB_WORD
	cmp	r5, r6
	bne	slow_undef
	ldr	r5, [lr, #4]
	bic	r6, r5, #0xf000
	ldr	r7, =PV_FAST_MCR_TTBR0_WORD
	cmp	r6, r7
	bne	slow_undef
	ubfx	r5, r5, #12, #4
	cmp	r5, #13
	bhs	slow_undef
	ldr	r2, [sp, r5, lsl #2]
	mov	r8, #1
fast_ctx:
	ldr	r4, [sp, #FF(FLAGS)]
	tst	r4, #PV_FAST_CTX_OK
	beq	slow_undef
	ldr	r4, [sp, #FF(CPSR)]
	and	r4, r4, #0x1f
	cmp	r4, #MODE_SVC
	bne	slow_undef
	ldr	r9, =pvbm_vcpu_page + PV_VPAGE_FIELDS
	ldr	r7, [r9, #VP(DACR)]	/* guest-written: a lazy PAN toggle is */
	ldr	r4, [sp, #FF(DACR)]	/* all it may differ by */
	eor	r4, r7, r4
	ldr	r5, [sp, #FF(DACR_FREE)]
	bics	r4, r4, r5
	bne	slow_undef
	and	r4, r7, r5
	ldr	r6, =0xaaaaaaaa
	tst	r4, r6
	bne	slow_undef
	ldr	r4, [sp, #FF(CTX_MASK)]
	and	r4, r2, r4		/* the key */
	and	r5, r3, #0xff
	orr	r5, r5, #PV_FAST_CTX_VALID
	add	r6, sp, #FF(CTX_TAB)
	mov	r10, #PV_FAST_CTX_N
1:	ldr	r11, [r6, #PV_FAST_CTX_E_KEY]
	cmp	r11, r4
	ldreq	r11, [r6, #PV_FAST_CTX_E_ASID]
	cmpeq	r11, r5
	beq	2f
	add	r6, r6, #PV_FAST_CTX_E_SIZE
	subs	r10, r10, #1
	bne	1b
	b	slow_undef		/* not cached: the core's */
2:	ldr	r11, [r6, #PV_FAST_CTX_E_PART_DOMS]
	bics	r11, r11, r7		/* a denied domain in the window's MiB */
	bne	slow_undef
	str	r2, [sp, #FF(CTX_TTBR0)]
	str	r3, [sp, #FF(CTX_CONTEXTIDR)]
	ldr	r4, [r6, #PV_FAST_CTX_E_K_TTBR0]
	str	r4, [sp, #FF(K_TTBR0)]
	ldr	r4, [r6, #PV_FAST_CTX_E_K_ASID]
	str	r4, [sp, #FF(K_ASID)]
	ldr	r4, [r6, #PV_FAST_CTX_E_U_TTBR0]
	str	r4, [sp, #FF(U_TTBR0)]
	ldr	r4, [r6, #PV_FAST_CTX_E_U_ASID]
	str	r4, [sp, #FF(U_ASID)]
	ldr	r4, [r6, #PV_FAST_CTX_E_SPACE]
	str	r4, [sp, #FF(CTX_SPACE)]
	ldr	r4, [sp, #FF(N_CTX)]
	add	r4, r4, #1
	str	r4, [sp, #FF(N_CTX)]
	str	r4, [r6, #PV_FAST_CTX_E_STAMP]
	ldr	r4, [sp, #FF(N_CHAIN)]
	add	r4, r4, r8
	str	r4, [sp, #FF(N_CHAIN)]
	ldr	r4, [sp, #FF(FLAGS)]
	ldr	r5, [r6, #PV_FAST_CTX_E_GT]
	bic	r4, r4, #PV_FAST_GT_OK	/* as the new space's tables have it */
	orr	r4, r4, r5
	str	r4, [sp, #FF(FLAGS)]
	SWITCH_VIEW FF(K_ASID), FF(K_TTBR0), r4
	add	lr, lr, r8, lsl #3	/* past the chain's ISB and MCR */
	ldmia	sp, {r0-r12}
	movs	pc, lr

reg_out:
	cmp	r0, #14
	strne	r1, [sp, r0, lsl #2]
	streq	r1, [sp, #(PVBM_F_USR_SP + 4)]
	addeq	r2, sp, #(PVBM_F_USR_SP + 4)
	ldmeq	r2, {lr}^		/* the guest's LR is the host user LR */
	nop
count_out:
	ldr	r2, [sp, r4]
	add	r2, r2, #1
	str	r2, [sp, r4]
	ldmia	sp, {r0-r12}
	movs	pc, lr

common_entry:
	mov	r2, sp			/* this core's frame */
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
	blx	r3			/* pvbm_trap(frame) */
	/* fall through: resume the guest with what pvbm_trap left in the frame */

/*
 * pvbm_exit_to_guest - load the guest context from this core's frame and return
 * to host USR mode. Called in SYS mode with interrupts masked.
 */
	.global pvbm_exit_to_guest
pvbm_exit_to_guest:
	cpsid	aif
	cps	#0x13			/* SVC: any mode with an SPSR will do */
	mov	r0, sp			/* its SP is this core's frame */
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
	.global pvbm_frames
pvbm_frames:
	.space	PVBM_FRAME_SIZE * PVBM_MAX_CORES

/*
 * The vCPU page (pvcore/pvpage.h): here so that the fast paths reach it
 * through the window. A page of its own: the guest kernel writes it.
 */
	.section .window.page, "aw"
	.align	12
	.global pvbm_vcpu_page
pvbm_vcpu_page:
	.space	4096
