// SPDX-License-Identifier: MIT
/*
 * Thumb-2 scenarios: trapping CP15 accesses, SVC/UNDEF/BKPT offsets,
 * sensitive instructions in 16- and 32-bit Thumb encodings, IT blocks
 * around trapping and patched instructions (condition true and false),
 * data aborts with the right skip length, Thumb exception returns, Thumb
 * user code and Thumb MMIO addressing modes.
 */
#include "conf.h"

#define THUMB __attribute__((target("thumb"), noinline))

static THUMB u32 t_cp15(u32 v)
{
	u32 r;

	__asm__ volatile("mcr p15, 0, %1, c13, c0, 4\n\t"
			 "mrc p15, 0, %0, c13, c0, 4" : "=r"(r) : "r"(v));
	return r;
}

SCENARIO(thumb_cp15, CV(C_CP15) | CV(C_THUMB))
{
	check("TPIDRPRW via thumb", t_cp15(0x7b7b0001u));
	check("TPIDRPRW via thumb pointer",
	      ((u32 (*)(u32))((u32)t_cp15 | 1))(0x42) == 0x42);
}

static THUMB u32 t_svc(void)
{
	u32 a;

	__asm__ volatile("ldr %0, =1f\n\t"
			 "svc #0x33\n1:" : "=r"(a) :: "lr", "memory");
	return a;
}

static THUMB u32 t_udf16(void)
{
	u32 a;

	__asm__ volatile("ldr %0, =1f\n1:\tudf #0x12" : "=r"(a) :: "memory");
	return a;
}

static THUMB u32 t_udf32(void)
{
	u32 a;

	__asm__ volatile("ldr %0, =1f\n1:\tudf.w #0x1234" : "=r"(a) :: "memory");
	return a;
}

static THUMB u32 t_bkpt(void)
{
	u32 a;

	__asm__ volatile("ldr %0, =1f\n1:\tbkpt #0x21" : "=r"(a) :: "memory");
	return a;
}

static bool bkpt_skip(unsigned type, struct xframe *f)
{
	if ((last_x.fsr & 0x40f) != 0x2)
		return false;
	f->pc = f->pad - 2; /* LR = BKPT + 4 in Thumb too; next = +2 */
	return true;
}

static void show_tx(const char *what, u32 label)
{
	label &= ~1u;
	check(nm(what, NONUM, " count"), x_count);
	check(nm(what, NONUM, " type"), last_x.type);
	check(nm(what, NONUM, " insn - label"), last_x.pc - label);
	check(nm(what, NONUM, " lr - label"), last_x.lr_raw - label);
	check(nm(what, NONUM, " spsr.T"), (last_x.spsr >> 5) & 1);
	check(nm(what, NONUM, " spsr.mode"), last_x.spsr & 0x1f);
}

SCENARIO(thumb_exceptions, CV(C_SVC) | CV(C_UNDEF) | CV(C_PABT) | CV(C_THUMB))
{
	u32 l;

	x_reset();
	l = t_svc();
	show_tx("svc", l - 2);
	x_reset();
	l = t_udf16();
	show_tx("udf16", l);
	x_reset();
	l = t_udf32();
	show_tx("udf32", l);
	x_reset();
	x_hook[X_PABT] = bkpt_skip;
	l = t_bkpt();
	show_tx("bkpt", l);
	check("bkpt ifsr.fs", last_x.fsr & 0x40f);
}

static THUMB u32 t_it(u32 c)
{
	u32 a = 0, b = 0, d = 0, e = 0;

	__asm__ volatile(
		"cmp %4, #1\n\t"
		"ite eq\n\t"
		"mrceq p15, 0, %0, c13, c0, 4\n\t"  /* trapping, in IT */
		"movne %0, #7\n\t"
		"itt ne\n\t"
		"mrcne p15, 0, %1, c13, c0, 4\n\t"
		"addne %1, %1, #1\n\t"
		"it eq\n\t"
		SENS_T(IC_MRS, "mrseq %2, cpsr")    /* patched, in IT */
		"ite ne\n\t"
		SENS_T(IC_MRS, "mrsne %3, cpsr")
		"movweq %3, #0x1111\n\t"
		: "+r"(a), "+r"(b), "+r"(d), "+r"(e) : "r"(c) : "cc");
	return (a & 0xffff) << 16 ^ (b & 0xff) << 8 ^ (d & 0x1f) << 4 ^ (e & 0x1f) ^
	       (e & 0xffff0000u);
}

static THUMB u32 t_it_svc(u32 c)
{
	u32 r = 0;

	__asm__ volatile("cmp %1, #0\n\t"
			 "itt ne\n\t"
			 "movne %0, #5\n\t"
			 "svcne #0x44\n\t"
			 "add %0, %0, #1\n\t"
			 : "+r"(r) : "r"(c) : "cc", "lr", "memory");
	return r;
}

static THUMB u32 t_it_ldrt(u32 addr, u32 c)
{
	u32 r = 3;

	__asm__ volatile("cmp %2, #0\n\t"
			 "it ne\n\t"
			 SENS_T(IC_LDRT, "ldrtne %0, [%1]")
			 : "+r"(r) : "r"(addr), "r"(c) : "cc", "memory");
	return r;
}

SCENARIO(thumb_it_blocks, CV(C_CP15) | CV(C_MRS) | CV(C_SVC) | CV(C_LDRT) | CV(C_THUMB))
{
	MCR(0, 13, 0, 4, 0xabcd0010u);
	x_reset();
	check("it eq taken", t_it(1));
	check("it ne taken", t_it(0));
	check("exceptions", x_count);
	x_reset();
	check("svc in it, executed", t_it_svc(1));
	check("svc count", x_count);
	x_reset();
	check("svc in it, skipped", t_it_svc(0));
	check("svc count", x_count);
	wr32(TEST_PA, 0x1d71d700);
	check("ldrt in it, executed", t_it_ldrt(TEST_PA, 1));
	check("ldrt in it, skipped", t_it_ldrt(TEST_PA, 0));
}

static THUMB u32 t_loads(u32 a)
{
	u32 r0 = 0xdeaddead, r1 = 0xdeaddead;

	__asm__ volatile("ldr %0, [%2]\n\t"           /* T16 */
			 "ldr.w %1, [%2, #0x100]\n\t" /* T32 */
			 : "+l"(r0), "+r"(r1) : "l"(a) : "memory");
	return (r0 == 0xdeaddead) << 1 | (r1 == 0xdeaddead);
}

SCENARIO(thumb_dabt, CV(C_DABT) | CV(C_THUMB))
{
	/* Translation faults (MMU on, nothing mapped at 0x43000000). */
	mmu_base(L1_A);
	mmu_on(L1_A, 1);
	x_reset();
	check("both skipped", t_loads(0x43000010u));
	check("faults", x_count);
	check("last dfsr", last_x.fsr);
	check("last dfar", last_x.far - 0x43000010u);
	check("last lr - insn", last_x.lr_raw - last_x.pc);
	check("last spsr.T", (last_x.spsr >> 5) & 1);
	mmu_off();
}

static THUMB u32 t_user(u32 a)
{
	u32 r = a;

	__asm__ volatile("svc #0x55\n\t"
			 "mrc p15, 0, %0, c1, c0, 0\n\t" /* UNDEF at PL0 */
			 "adds %0, %0, #1\n\t"
			 : "+r"(r) :: "lr", "memory", "cc");
	return r;
}

SCENARIO(thumb_user, CV(C_SVC) | CV(C_UNDEF) | CV(C_THUMB))
{
	x_reset();
	check("user thumb result", run_user((u32 (*)(u32))((u32)t_user | 1), 9));
	check("exceptions", x_count);
	check("last type", last_x.type);
	check("last spsr", last_x.spsr & 0xff);
	check("last lr - insn", last_x.lr_raw - last_x.pc);
}

static THUMB void t_psr(u32 *v)
{
	__asm__ volatile(
		SENS_T(IC_CPS, "cpsie i")
		SENS_T(IC_MRS, "mrs r1, cpsr") "str r1, [%0]\n\t"
		SENS_T(IC_CPS, "cpsid i")
		SENS_T(IC_MRS, "mrs r1, cpsr") "str r1, [%0, #4]\n\t"
		SENS_T(IC_CPS, "cps #0x1f")
		SENS_T(IC_MRS, "mrs r1, cpsr") "str r1, [%0, #8]\n\t"
		SENS_T(IC_CPS, "cps #0x13")
		"mov r1, #0xa0000000\n\t"
		SENS_T(IC_MSR, "msr cpsr_f, r1")
		SENS_T(IC_MRS, "mrs r1, cpsr") "str r1, [%0, #12]\n\t"
		"ldr r1, =0x400001d3\n\t"
		SENS_T(IC_MSR, "msr spsr_fsxc, r1")
		SENS_T(IC_MRS, "mrs r1, spsr") "str r1, [%0, #16]\n\t"
		:: "r"(v) : "r1", "memory", "cc");
}

SCENARIO(thumb_psr, CV(C_CPS) | CV(C_MRS) | CV(C_MSR) | CV(C_THUMB))
{
	u32 v[5];

	t_psr(v);
	for (unsigned i = 0; i < 4; i++)
		check(nm("step ", i, " cpsr"), v[i] & 0xf80f01ffu);
	check("spsr", v[4]);
}

/* Thumb exception return: SUBS PC, LR and RFE, back into Thumb code. */
static THUMB u32 t_eret(u32 *area)
{
	u32 r = 0;

	__asm__ volatile(
		"mov r3, lr\n\t"
		"ldr r2, =0x800001f3\n\t"          /* SVC, T, N */
		SENS_T(IC_MSR, "msr spsr_fsxc, r2")
		"adr lr, 1f\n\t"
		SENS_T(IC_DP_ERET, "subs pc, lr, #0")
		"nop\n\t"
		".balign 4\n"
		"1:\tadds %0, %0, #1\n\t"        /* flags now from here on */
		SENS_T(IC_MRS, "mrs r2, cpsr")
		"str r2, [%1, #8]\n\t"
		"adr r2, 2f\n\t"
		"str r2, [%1]\n\t"
		"ldr r2, =0x200001f3\n\t"
		"str r2, [%1, #4]\n\t"
		SENS_T(IC_RFE, "rfeia %1")
		"nop\n\t"
		".balign 4\n"
		"2:\tadds %0, %0, #2\n\t"
		"mov lr, r3\n\t"
		: "+l"(r) : "r"(area) : "r2", "r3", "memory", "cc");
	return r;
}

SCENARIO(thumb_eret, CV(C_DPERET) | CV(C_RFE) | CV(C_THUMB))
{
	static u32 area[4];

	check("landed twice", t_eret(area));
	check("cpsr after subs (T, mode)", area[2] & 0x3f);
}

static THUMB u32 t_mmio(u32 base)
{
	u32 acc = 0, t, p = base;

	__asm__ volatile(
		"movs %1, #0x48\n\t"
		"strb %1, [%2, #1]\n\t"          /* T16 imm */
		"ldrb %1, [%2, #1]\n\t"
		"add %0, %0, %1\n\t"
		"movs %1, #0x50\n\t"
		"strb.w %1, [%2, #2]\n\t"        /* T32 imm12 */
		"ldrsb.w %1, [%2, #3]\n\t"
		"add %0, %0, %1\n\t"
		"ldrh %1, [%2, #2]\n\t"          /* T16 halfword */
		"add %0, %0, %1, lsl #4\n\t"
		"ldr %1, [%2]\n\t"               /* T16 word */
		"eor %0, %0, %1\n\t"
		"ldrb %1, [%2, #1]!\n\t"         /* T32 pre-index writeback */
		"add %0, %0, %1\n\t"
		"ldrb %1, [%2], #-1\n\t"         /* T32 post-index */
		"add %0, %0, %2\n\t"
		"movs %1, #1\n\t"
		"ldrb %1, [%2, %1]\n\t"          /* register offset */
		"add %0, %0, %1\n\t"
		: "+r"(acc), "=&l"(t), "+l"(p) :: "memory");
	return acc - base;
}

SCENARIO(thumb_mmio, CV(C_MMIO) | CV(C_THUMB))
{
	wr32(GICD + 0x400 + 12, 0xc8c0b8b0u); /* SGI 12..15 priorities */
	check("thumb mmio digest", t_mmio(GICD + 0x400 + 12));
	check("priority word after", rd32(GICD + 0x400 + 12));
}
