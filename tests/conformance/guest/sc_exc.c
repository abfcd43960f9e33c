// SPDX-License-Identifier: MIT
/*
 * Exception scenarios: SVC from PL1 and PL0, UNDEF, BKPT, abort LR
 * offsets, every exception-return form (LDM^, RFE, SUBS PC/LR, MOVS PC/LR)
 * and explicit SRS/RFE. Under pvcore each guest exception is an injection
 * and each return a patched, emulated instruction.
 */
#include "conf.h"

SCENARIO(exc_svc_pl1, CV(C_SVC) | CV(C_SRS) | CV(C_LDMERET))
{
	u32 r0 = 0x11, r1 = 0x22, r2 = 0x33, r3 = 0x44;

	x_reset();
	__asm__ volatile("svc #0x42" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)
			 :: "lr", "memory", "cc");
	check("svc count", x_count);
	check("svc type", last_x.type);
	check("svc spsr.mode", last_x.spsr & 0x1f);
	check("svc imm", *(volatile u32 *)last_x.pc & 0xffffff);
	check("lr - insn", last_x.lr_raw - last_x.pc);
	check("regs preserved", r0 ^ r1 ^ r2 ^ r3);
}

static u32 user_svc(u32 a)
{
	register u32 r0 __asm__("r0") = a;
	register u32 r7 __asm__("r7") = 0x77;

	__asm__ volatile("svc #0x123" : "+r"(r0), "+r"(r7) :: "lr", "memory");
	return r0 + r7;
}

SCENARIO(exc_svc_pl0, CV(C_SVC) | CV(C_DPERET) | CV(C_LDMU))
{
	x_reset();
	check("user result", run_user(user_svc, 0x1000));
	show_x("user svc", (u32)user_svc);
	check("user svc imm", *(volatile u32 *)last_x.pc & 0xffffff);
	check("lr - insn", last_x.lr_raw - last_x.pc);
}

static bool svc_hook(unsigned type, struct xframe *f)
{
	f->r[0] = 0x600d0000u | (f->r[0] & 0xff);
	f->spsr = (f->spsr & 0x0fffffffu) | 0x60000000u; /* Z, C */
	f->pc = f->pad;
	return true;
}

SCENARIO(exc_return_forms, CV(C_SVC) | CV(C_RFE) | CV(C_DPERET) | CV(C_LDMERET) | CV(C_MSR) | CV(C_MRS))
{
	static const char *const fn[] = { "ldm^", "rfe", "subs", "movs" };

	for (u32 form = 0; form < 4; form++) {
		u32 out[10];

		x_reset();
		x_ret_form = form;
		x_hook[X_SVC] = svc_hook;
		__asm__ volatile(
			"mov r3, %0\n\t"
			"push {r4-r11}\n\t"
			"mov r0, %1\n\t"
			"ldr r4, =0x44444444\n\tldr r5, =0x55555555\n\t"
			"ldr r6, =0x66666666\n\tldr r7, =0x77777777\n\t"
			"ldr r8, =0x88888888\n\tldr r9, =0x99999999\n\t"
			"ldr r10, =0xaaaaaaaa\n\tldr r11, =0xbbbbbbbb\n\t"
			SENS(IC_MSR, "msr cpsr_f, #0x90000000")
			"svc #7\n\t"
			SENS(IC_MRS, "mrs r1, cpsr")
			"stm r3, {r0, r1, r4-r11}\n\t"
			"pop {r4-r11}\n\t"
			:: "r"(out), "r"(form) : "r0", "r1", "r3", "lr", "memory", "cc");
		check(nm(fn[form], NONUM, " r0 from handler"), out[0]);
		check(nm(fn[form], NONUM, " cpsr after"), out[1] & 0xf80f01ffu);
		u32 x = 0;
		for (int i = 2; i < 10; i++)
			x ^= out[i] * (u32)i;
		check(nm(fn[form], NONUM, " r4-r11 hash"), x);
		check(nm(fn[form], NONUM, " count"), x_count);
	}
}

SCENARIO(exc_undef_arm, CV(C_UNDEF) | CV(C_LDMERET))
{
	u32 v = 1;

	x_reset();
	__asm__ volatile("udf #0x1234\n\tadd %0, %0, #1" : "+r"(v));
	check("udf count", x_count);
	check("udf type", last_x.type);
	check("udf spsr.mode", last_x.spsr & 0x1f);
	check("udf lr - insn", last_x.lr_raw - last_x.pc);
	check("udf word", *(volatile u32 *)last_x.pc);
	check("continued", v);
	/* An undefined data-processing space encoding (cond AL). */
	x_reset();
	__asm__ volatile(".word 0xe7f123f4\n\tadd %0, %0, #1" : "+r"(v));
	check("second udf count", x_count);
	check("continued twice", v);
}

static u32 user_undef(u32 a)
{
	__asm__ volatile("udf #0x77" ::: "memory");
	return a + 1;
}

SCENARIO(exc_undef_user, CV(C_UNDEF))
{
	x_reset();
	check("user result", run_user(user_undef, 5));
	show_x("user udf", (u32)user_undef);
}

static bool bkpt_hook(unsigned type, struct xframe *f)
{
	if ((last_x.fsr & 0x40f) != 0x2)
		return false;
	f->pc = f->pad; /* LR = BKPT + 4: the next instruction */
	return true;
}

SCENARIO(exc_bkpt, CV(C_PABT))
{
	u32 v = 0;

	x_reset();
	x_hook[X_PABT] = bkpt_hook;
	__asm__ volatile("bkpt #0x17\n\tadd %0, %0, #3" : "+r"(v) :: "memory");
	check("bkpt count", x_count);
	check("bkpt type", last_x.type);
	check("bkpt ifsr.fs", last_x.fsr & 0x40f);
	check("bkpt spsr.mode", last_x.spsr & 0x1f);
	check("bkpt lr - insn", last_x.lr_raw - last_x.pc);
	check("continued", v);
}

SCENARIO(exc_abort_offsets, CV(C_DABT))
{
	const u32 hole = 0x43000000u;

	mmu_base(L1_A);
	mmu_on(L1_A, 1);
	x_reset();
	probe_ld(hole + 2);
	check("dabt count", x_count);
	if (x_count) {
		check("dabt lr - insn", last_x.lr_raw - last_x.pc);
		check("dabt insn is the probe", *(volatile u32 *)last_x.pc);
		check("dabt dfsr", last_x.fsr);
		check("dabt dfar", last_x.far - hole);
	}
	x_reset();
	probe_st(hole + 6, 0);
	check("write dabt count", x_count);
	if (x_count) {
		check("write dabt dfsr (WnR)", last_x.fsr);
		check("write dabt dfar", last_x.far - hole);
	}
	mmu_off();
}

/* Explicit SRS to another mode's stack, then RFE from a prepared frame. */
SCENARIO(exc_srs_rfe_explicit, CV(C_SRS) | CV(C_RFE) | CV(C_CPS) | CV(C_MSR))
{
	static volatile u32 area[8];
	u32 sp_after, spsr_saved;
	u32 res;

	for (int i = 0; i < 8; i++)
		area[i] = 0;
	__asm__ volatile(
		"mov r4, lr\n\t"
		"ldr r5, =0x800001d3\n\t"
		SENS(IC_MSR, "msr spsr_fsxc, r5")
		"adr lr, 1f\n\t"
		SENS(IC_CPS, "cps #0x1f")
		"mov r5, sp\n\t"
		"mov sp, %2\n\t"
		SENS(IC_CPS, "cps #0x13")
		SENS(IC_SRS, "srsdb sp!, #0x1f")
		SENS(IC_CPS, "cps #0x1f")
		"mov %0, sp\n\t"
		"mov sp, r5\n\t"
		SENS(IC_CPS, "cps #0x13")
		"1: mov lr, r4\n\t"
		SENS(IC_MRS, "mrs %1, spsr")
		: "=&r"(sp_after), "=&r"(spsr_saved)
		: "r"(&area[4]) : "r4", "r5", "memory");
	check("SRS wrote SPSR", area[3]);
	check("SRS wrote LR (nonzero)", area[2] != 0);
	check("SYS sp decremented by", (u32)&area[4] - sp_after);
	check("SVC SPSR kept", spsr_saved);
	/* RFE: jump to label 2 with CPSR = SVC, flags NZ... from memory. */
	__asm__ volatile(
		"adr r0, 2f\n\t"
		"str r0, [%1]\n\t"
		"ldr r0, =0xc00001d3\n\t"
		"str r0, [%1, #4]\n\t"
		"mov r0, %1\n\t"
		SENS(IC_RFE, "rfeia r0!")
		"mov %0, #0\n\t"
		"b 3f\n\t"
		"2: mov %0, r0\n\t"
		SENS(IC_MRS, "mrs r0, cpsr")
		"str r0, [%1, #8]\n\t"
		"3:\n\t"
		: "=&r"(res) : "r"(&area[0]) : "r0", "memory", "cc");
	check("RFE writeback", res - (u32)&area[0]);
	check("RFE cpsr", area[2] & 0xf80f01ffu);
}

/* An abort taken inside an SVC handler: banked LR/SPSR of each mode. */
static volatile u32 nested[6];

static bool svc_nest_hook(unsigned type, struct xframe *f)
{
	u32 v = probe_ld(0x43000040u); /* unmapped: DABT from SVC mode */

	nested[0] = v;
	nested[1] = last_x.type;
	nested[2] = last_x.spsr & 0x1f;
	nested[3] = last_x.fsr;
	nested[4] = last_x.far;
	nested[5] = x_count;
	f->r[0] = 0x5e5e;
	return true;
}

SCENARIO(exc_nested_abort, CV(C_SVC) | CV(C_DABT))
{
	register u32 r0 __asm__("r0") = 1;

	mmu_base(L1_A);
	mmu_on(L1_A, 1);
	x_reset();
	x_hook[X_SVC] = svc_nest_hook;
	__asm__ volatile("svc #9" : "+r"(r0) :: "lr", "memory");
	check("svc result", r0);
	check("nested load", nested[0]);
	check("nested type", nested[1]);
	check("nested spsr.mode", nested[2]);
	check("nested dfsr", nested[3]);
	check("nested dfar", nested[4]);
	check("exceptions", nested[5]);
	mmu_off();
}
