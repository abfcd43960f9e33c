// SPDX-License-Identifier: MIT
/*
 * CPS/MRS/MSR semantics at PL1 and PL0, banked registers of every mode,
 * banked SPSRs, user-register LDM/STM ^ and S-form PC writes. All of these
 * are sensitive (DESIGN.md) and patched for the VMM run.
 */
#include "conf.h"

static const u32 modes[] = { 0x11, 0x12, 0x13, 0x17, 0x1b, 0x1f };

SCENARIO(psr_cps_modes, CV(C_CPS) | CV(C_MRS))
{
	for (unsigned i = 0; i < 6; i++) {
		u32 v;

		__asm__ volatile(
			"mov r1, %1\n\t"
			"adr r2, 1f\n\t"
			"add r2, r2, r1, lsl #3\n\t"
			"sub r2, r2, #0x88\n\t"
			"bx r2\n\t"
			"1:\n\t"
			SENS(IC_CPS, "cps #0x11") "b 2f\n\t"
			SENS(IC_CPS, "cps #0x12") "b 2f\n\t"
			SENS(IC_CPS, "cps #0x13") "b 2f\n\t"
			"nop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\t"
			SENS(IC_CPS, "cps #0x17") "b 2f\n\t"
			"nop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\t"
			SENS(IC_CPS, "cps #0x1b") "b 2f\n\t"
			"nop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\t"
			SENS(IC_CPS, "cps #0x1f") "b 2f\n\t"
			"2:\n\t"
			SENS(IC_MRS, "mrs %0, cpsr")
			SENS(IC_CPS, "cps #0x13")
			: "=r"(v) : "r"(modes[i]) : "r1", "r2", "memory");
		check(nm("mode after cps #", modes[i], ""), v & 0x1ff);
	}
}

SCENARIO(psr_cps_masks, CV(C_CPS) | CV(C_MRS))
{
	u32 v[6];

	__asm__ volatile(
		SENS(IC_CPS, "cpsie aif")
		SENS(IC_MRS, "mrs r0, cpsr") "str r0, [%0]\n\t"
		SENS(IC_CPS, "cpsid i")
		SENS(IC_MRS, "mrs r0, cpsr") "str r0, [%0, #4]\n\t"
		SENS(IC_CPS, "cpsid f")
		SENS(IC_MRS, "mrs r0, cpsr") "str r0, [%0, #8]\n\t"
		SENS(IC_CPS, "cpsie i")
		SENS(IC_MRS, "mrs r0, cpsr") "str r0, [%0, #12]\n\t"
		SENS(IC_CPS, "cpsid a, #0x1f")
		SENS(IC_MRS, "mrs r0, cpsr") "str r0, [%0, #16]\n\t"
		SENS(IC_CPS, "cpsid aif, #0x13")
		SENS(IC_MRS, "mrs r0, cpsr") "str r0, [%0, #20]\n\t"
		:: "r"(v) : "r0", "memory");
	for (unsigned i = 0; i < 6; i++)
		check(nm("step ", i, " A I F mode"), v[i] & 0x1df);
}

SCENARIO(psr_msr_fields, CV(C_MSR) | CV(C_MRS))
{
	u32 v[6];

	__asm__ volatile(
		SENS(IC_MSR, "msr cpsr_f, #0xf8000000")
		SENS(IC_MRS, "mrs r0, cpsr") "str r0, [%0]\n\t"
		"ldr r1, =0x500f0000\n\t"
		SENS(IC_MSR, "msr cpsr_fs, r1")
		SENS(IC_MRS, "mrs r0, cpsr") "str r0, [%0, #4]\n\t"
		SENS(IC_MSR, "msr cpsr_c, #0xdf")
		SENS(IC_MRS, "mrs r0, cpsr") "str r0, [%0, #8]\n\t"
		SENS(IC_MSR, "msr cpsr_c, #0xd3")
		SENS(IC_MRS, "mrs r0, cpsr") "str r0, [%0, #12]\n\t"
		"ldr r1, =0x200001d3\n\t"
		SENS(IC_MSR, "msr cpsr_fsxc, r1")
		SENS(IC_MRS, "mrs r0, cpsr") "str r0, [%0, #16]\n\t"
		"mov r1, #0\n\t"
		SENS(IC_MSR, "msr apsr_nzcvq, r1")
		SENS(IC_MRS, "mrs r0, apsr") "str r0, [%0, #20]\n\t"
		:: "r"(v) : "r0", "r1", "memory", "cc");
	for (unsigned i = 0; i < 6; i++)
		check(nm("step ", i, " cpsr"), v[i] & 0xf80f01ffu);
}

static u32 user_psr(u32 a)
{
	u32 v[4];

	__asm__ volatile(
		SENS(IC_MSR, "msr cpsr_c, #0xd3")   /* ignored at PL0 */
		SENS(IC_MRS, "mrs r0, cpsr") "str r0, [%0]\n\t"
		SENS(IC_CPS, "cpsid i")             /* a NOP at PL0 */
		SENS(IC_CPS, "cps #0x13")
		SENS(IC_MRS, "mrs r0, cpsr") "str r0, [%0, #4]\n\t"
		SENS(IC_MSR, "msr cpsr_fsxc, #0x40000000")
		SENS(IC_MRS, "mrs r0, cpsr") "str r0, [%0, #8]\n\t"
		SENS(IC_MSR, "msr apsr_nzcvqg, %1")
		SENS(IC_MRS, "mrs r0, apsr") "str r0, [%0, #12]\n\t"
		:: "r"(v), "r"(a) : "r0", "memory", "cc");
	return (v[0] & 0x1df) << 20 ^ (v[1] & 0x1df) << 8 ^ v[2] >> 28 ^
	       (v[3] & 0xf80f0000u);
}

SCENARIO(psr_user_mode, CV(C_MSR) | CV(C_MRS) | CV(C_CPS) | CV(C_SVC))
{
	x_reset();
	check("user mrs/msr/cps digest", run_user(user_psr, 0xa0050000u));
	check("exceptions", x_count);
}

SCENARIO(psr_banked_regs, CV(C_CPS) | CV(C_STMU) | CV(C_LDMU))
{
	u32 out[16], usr[2];
	register u32 *po __asm__("r1") = out;

	/* Write r13/r14 of every mode (and r8-r12 of FIQ) with distinct values,
	 * then read them all back. */
	__asm__ volatile(
		"push {r4-r12}\n\t"
		"mov r4, sp\n\tmov r5, lr\n\t"
		SENS(IC_CPS, "cps #0x11")
		"mov r6, sp\n\tmov r7, lr\n\t"
		"ldr sp, =0x11110013\n\tldr lr, =0x11110014\n\t"
		"ldr r8, =0x11110008\n\tldr r9, =0x11110009\n\t"
		"ldr r10, =0x1111000a\n\tldr r11, =0x1111000b\n\t"
		"ldr r12, =0x1111000c\n\t"
		SENS(IC_CPS, "cps #0x12")
		"ldr r8, =0x12120008\n\t"      /* the non-FIQ r8 */
		"mov r2, sp\n\tmov r3, lr\n\t"
		"ldr sp, =0x12120013\n\tldr lr, =0x12120014\n\t"
		SENS(IC_CPS, "cps #0x11")
		"str r8, [%0, #0]\n\tstr r9, [%0, #4]\n\tstr r10, [%0, #8]\n\t"
		"str r11, [%0, #12]\n\tstr r12, [%0, #16]\n\tstr sp, [%0, #20]\n\t"
		"str lr, [%0, #24]\n\t"
		"mov sp, r6\n\tmov lr, r7\n\t"
		SENS(IC_CPS, "cps #0x12")
		"str r8, [%0, #28]\n\tstr sp, [%0, #32]\n\tstr lr, [%0, #36]\n\t"
		"mov sp, r2\n\tmov lr, r3\n\t"
		SENS(IC_CPS, "cps #0x13")
		"sub r2, sp, r4\n\t"
		"str r2, [%0, #40]\n\t"
		"mov sp, r4\n\tmov lr, r5\n\t"
		"pop {r4-r12}\n\t"
		:: "r"(po) : "r2", "r3", "memory");
	check("fiq r8", out[0]);
	check("fiq r9", out[1]);
	check("fiq r10", out[2]);
	check("fiq r11", out[3]);
	check("fiq r12", out[4]);
	check("fiq sp", out[5]);
	check("fiq lr", out[6]);
	check("irq r8 (shared)", out[7]);
	check("irq sp", out[8]);
	check("irq lr", out[9]);
	check("svc sp unchanged (delta)", out[10]);
	/* User registers from SVC: STM ^ / LDM ^ (and through SYS mode). */
	usr[0] = 0x10100013u;
	usr[1] = 0x10100014u;
	__asm__ volatile(
		"sub sp, sp, #8\n\t"
		"mov r4, sp\n\t"
		SENS(IC_STM_USER, "stm r4, {sp, lr}^")   /* save user sp/lr */
		"nop\n\t"
		SENS(IC_LDM_USER, "ldm %0, {sp, lr}^")
		"nop\n\t"
		SENS(IC_CPS, "cps #0x1f")
		"mov r5, sp\n\tstr r5, [%0]\n\tstr lr, [%0, #4]\n\t"
		SENS(IC_CPS, "cps #0x13")
		SENS(IC_LDM_USER, "ldm r4, {sp, lr}^")
		"nop\n\t"
		"add sp, sp, #8\n\t"
		:: "r"(usr) : "r4", "r5", "memory");
	check("user sp via SYS", usr[0]);
	check("user lr via SYS", usr[1]);
}

SCENARIO(psr_spsr_banked, CV(C_CPS) | CV(C_MSR) | CV(C_MRS))
{
	static const u32 val[] = { 0x800001d1u, 0x400001d2u, 0x200001d3u,
				   0x100001d7u, 0x080001dbu };
	u32 out[5];

	__asm__ volatile(
		"ldm %1, {r0-r4}\n\t"
		SENS(IC_CPS, "cps #0x11") SENS(IC_MSR, "msr spsr_fsxc, r0")
		SENS(IC_CPS, "cps #0x12") SENS(IC_MSR, "msr spsr_fsxc, r1")
		SENS(IC_CPS, "cps #0x17") SENS(IC_MSR, "msr spsr_fsxc, r3")
		SENS(IC_CPS, "cps #0x1b") SENS(IC_MSR, "msr spsr_fsxc, r4")
		SENS(IC_CPS, "cps #0x13") SENS(IC_MSR, "msr spsr_fsxc, r2")
		SENS(IC_CPS, "cps #0x11") SENS(IC_MRS, "mrs r0, spsr")
		SENS(IC_CPS, "cps #0x12") SENS(IC_MRS, "mrs r1, spsr")
		SENS(IC_CPS, "cps #0x17") SENS(IC_MRS, "mrs r3, spsr")
		SENS(IC_CPS, "cps #0x1b") SENS(IC_MRS, "mrs r4, spsr")
		SENS(IC_CPS, "cps #0x13") SENS(IC_MRS, "mrs r2, spsr")
		"stm %0, {r0-r4}\n\t"
		:: "r"(out), "r"(val) : "r0", "r1", "r2", "r3", "r4", "memory");
	check("fiq spsr", out[0]);
	check("irq spsr", out[1]);
	check("svc spsr", out[2]);
	check("abt spsr", out[3]);
	check("und spsr", out[4]);
	/* SPSR field writes: only the selected bytes change. */
	__asm__ volatile(
		"ldr r0, =0x000001d3\n\t"
		SENS(IC_MSR, "msr spsr_fsxc, r0")
		"ldr r0, =0xf0ffffff\n\t"
		SENS(IC_MSR, "msr spsr_f, r0")
		SENS(IC_MRS, "mrs r0, spsr")
		"str r0, [%0]\n\t"
		"ldr r0, =0xffffff1f\n\t"
		SENS(IC_MSR, "msr spsr_c, r0")
		SENS(IC_MRS, "mrs r0, spsr")
		"str r0, [%0, #4]\n\t"
		:: "r"(out) : "r0", "memory");
	check("spsr_f write", out[0]);
	check("spsr_c write", out[1]);
}

/* S-form data-processing writes to PC at PL1 (copy SPSR to CPSR). */
SCENARIO(psr_dp_eret, CV(C_DPERET) | CV(C_MSR) | CV(C_MRS))
{
	static const char *const fn[] = { "movs", "subs", "adds", "ands" };

	for (unsigned form = 0; form < 4; form++) {
		u32 cpsr, r0v;

		__asm__ volatile(
			"mov r4, lr\n\t"
			"ldr r0, =0x300001d3\n\t"
			SENS(IC_MSR, "msr spsr_fsxc, r0")
			"adr lr, 5f\n\t"
			"mov r0, #0\n\t"
			"cmp %2, #1\n\t"
			"beq 2f\n\t"
			"cmp %2, #2\n\t"
			"beq 3f\n\t"
			"cmp %2, #3\n\t"
			"beq 4f\n\t"
			SENS(IC_DP_ERET, "movs pc, lr")
			"2: add lr, lr, #12\n\t"
			SENS(IC_DP_ERET, "subs pc, lr, #12")
			"3: sub lr, lr, #16\n\t"
			SENS(IC_DP_ERET, "adds pc, lr, #16")
			"4: mvn r0, #0\n\t"
			SENS(IC_DP_ERET, "ands pc, lr, r0")
			"mov r0, #1\n\t"
			"5: mov %1, r0\n\t"
			SENS(IC_MRS, "mrs %0, cpsr")
			"mov lr, r4\n\t"
			: "=&r"(cpsr), "=&r"(r0v) : "r"(form) : "r0", "r4", "memory", "cc");
		/* QEMU 7.2 leaves the flags of ADDS/ANDS PC (not SUBS/MOVS)
		 * computed by the instruction instead of SPSR's: compare only
		 * the mode and mask bits for those (docs/conformance.md). */
		check(nm(fn[form], NONUM, " cpsr"),
		      cpsr & (form < 2 ? 0xf80f01ffu : 0x1ffu));
		check(nm(fn[form], NONUM, " landed"), r0v);
	}
}
