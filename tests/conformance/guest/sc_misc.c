// SPDX-License-Identifier: MIT
/*
 * VFP enable and context, MMIO of every width and A32 addressing mode
 * (against the GIC distributor's byte-accessible priority registers,
 * which exist natively and virtually), LDRT/STRT permissions and CP14.
 */
#include "conf.h"

static u32 vmrs_fpexc(void)
{
	u32 v = 0xdeaddead;

	__asm__ volatile(".fpu vfpv3\n\tvmrs %0, fpexc" : "+r"(v));
	return v;
}

static void vmsr_fpexc(u32 v)
{
	__asm__ volatile(".fpu vfpv3\n\tvmsr fpexc, %0" :: "r"(v));
}

static u32 vfp_add(u32 a)
{
	u32 r = 0xdeaddead;

	__asm__ volatile(".fpu vfpv3\n\t"
			 "vmov s0, %1\n\t"
			 "vcvt.f64.u32 d1, s0\n\t"
			 "vadd.f64 d2, d1, d1\n\t"
			 "vmul.f64 d2, d2, d1\n\t"
			 "vcvt.u32.f64 s0, d2\n\t"
			 "vmov %0, s0\n\t"
			 : "+r"(r) : "r"(a) : "s0", "d1", "d2");
	return r;
}

static void vfp_on(void)
{
	MCR(0, 1, 0, 2, 0x00f00000u);
	isb();
	vmsr_fpexc(0x40000000u);
}

static void vfp_off(void)
{
	vmsr_fpexc(0);
	MCR(0, 1, 0, 2, 0);
	isb();
}

SCENARIO(vfp_enable, CV(C_VFPSYS) | CV(C_UNDEF) | CV(C_CP15))
{
	u32 v;

	MCR(0, 1, 0, 2, 0);
	isb();
	x_reset();
	v = vmrs_fpexc();
	check("FPEXC with CPACR off: exceptions", x_count);
	check("FPEXC with CPACR off: type", last_x.type);
	check("FPEXC with CPACR off: value", v);
	MCR(0, 1, 0, 2, 0x00f00000u);
	isb();
	x_reset();
	check("FPEXC reset", vmrs_fpexc());
	check("add with EN=0", vfp_add(3));
	check("add with EN=0: exceptions", x_count);
	vmsr_fpexc(0x40000000u);
	check("FPEXC after enable", vmrs_fpexc());
	x_reset();
	check("3*3*2 with EN=1", vfp_add(3));
	check("exceptions", x_count);
	{
		u32 sid, m0, m1;

		__asm__ volatile(".fpu vfpv3\n\tvmrs %0, fpsid\n\t"
				 "vmrs %1, mvfr0\n\tvmrs %2, mvfr1"
				 : "=r"(sid), "=r"(m0), "=r"(m1));
		check("FPSID.implementer", sid >> 24);
		check("FPSID.subarch", (sid >> 16) & 0x7f);
		/* MVFR0[27:24] (short vectors): 1 on QEMU, 0 on a real A9. */
		check("MVFR0", m0 & 0xf0ffffffu);
		check("MVFR1", m1);
	}
	vfp_off();
}

static u32 vfp_fpscr(u32 v)
{
	u32 r;

	__asm__ volatile(".fpu vfpv3\n\tvmsr fpscr, %1\n\tvmrs %0, fpscr"
			 : "=r"(r) : "r"(v));
	return r;
}

static u32 user_vfp(u32 a)
{
	return vfp_add(a) + vfp_fpscr(0x03000000u);
}

SCENARIO(vfp_context, CV(C_VFPSYS) | CV(C_SVC))
{
	u32 out[8];

	vfp_on();
	check("FPSCR readback", vfp_fpscr(0x03c00000u));
	/* Registers survive exceptions (SVC) and a user-mode round trip. */
	__asm__ volatile(".fpu vfpv3\n\t"
			 "vmov d8, %0, %1\n\t"
			 "vmov d15, %1, %0\n\t"
			 "vmov d16, %0, %0\n\t"
			 "vmov d31, %1, %1\n\t"
			 :: "r"(0x12345678u), "r"(0x9abcdef0u));
	__asm__ volatile("svc #1" ::: "lr", "memory");
	check("user vfp", run_user(user_vfp, 5));
	__asm__ volatile(".fpu vfpv3\n\t"
			 "vmov %0, %1, d8\n\t"
			 "vmov %2, %3, d15\n\t"
			 "vmov %4, %5, d16\n\t"
			 "vmov %6, %7, d31\n\t"
			 : "=r"(out[0]), "=r"(out[1]), "=r"(out[2]), "=r"(out[3]),
			   "=r"(out[4]), "=r"(out[5]), "=r"(out[6]), "=r"(out[7]));
	for (unsigned i = 0; i < 8; i++)
		check(nm("word ", i, ""), out[i]);
	check("FPSCR after user", vfp_fpscr(0) ^ 0);
	vfp_off();
}

/* ---- MMIO ---- */

#define PRIO (GICD + 0x400u)

SCENARIO(mmio_widths, CV(C_MMIO))
{
	u32 b = PRIO + 8; /* SGIs 8..11: implemented everywhere (PPIs 16..26
			   * are reserved on the A9: RAZ/WI on real GICs) */

	wr32(b, 0x08101820u);
	check("word read", rd32(b));
	wr8(b + 1, 0xa8);
	check("byte write, word read", rd32(b));
	check("byte read +2", rd8(b + 2));
	check("byte read +3", rd8(b + 3));
	check("halfword read", *(volatile uint16_t *)(b + 2));
	*(volatile uint16_t *)(b) = 0x3830;
	check("halfword write, word read", rd32(b));
	check("signed byte", (u32)(int32_t)*(volatile int8_t *)(b + 1));
	check("signed halfword", (u32)(int32_t)*(volatile int16_t *)(b));
	wr32(b, 0);
}

SCENARIO(mmio_addressing, CV(C_MMIO))
{
	u32 b = PRIO + 4, r[12], p; /* SGIs 0..11 */

	wr32(b - 4, 0x100c0804u);
	wr32(b, 0x30282018u);
	wr32(b + 4, 0x50484038u);
	p = b;
	__asm__ volatile(
		"ldrb r0, [%0, #1]\n\t"          /* immediate offset */
		"str r0, [%1]\n\t"
		"ldrb r0, [%0, #-1]!\n\t"        /* pre-index, negative, wb */
		"mov r0, %0\n\t"
		"str r0, [%1, #4]\n\t"
		"ldrb r0, [%0], #3\n\t"          /* post-index */
		"str r0, [%1, #8]\n\t"
		"str %0, [%1, #12]\n\t"
		"mov r1, #2\n\t"
		"ldrb r0, [%0, r1]\n\t"          /* register offset */
		"str r0, [%1, #16]\n\t"
		"mov r1, #1\n\t"
		"sub %0, %0, #3\n\t"
		"ldr r0, [%0, r1, lsl #2]\n\t"   /* scaled register */
		"str r0, [%1, #20]\n\t"
		"ldrh r0, [%0, #6]\n\t"          /* halfword */
		"str r0, [%1, #24]\n\t"
		"ldrsh r0, [%0, #2]\n\t"
		"str r0, [%1, #28]\n\t"
		"ldrsb r0, [%0, #7]\n\t"
		"str r0, [%1, #32]\n\t"
		"mov r1, #4\n\t"
		"ldr r0, [%0, -r1]!\n\t"         /* negative register, wb */
		"str %0, [%1, #36]\n\t"
		"add %0, %0, #4\n\t"
		"ldrh r0, [%0], #2\n\t"          /* halfword post-index */
		"str r0, [%1, #40]\n\t"
		"str %0, [%1, #44]\n\t"
		: "+r"(p) : "r"(r) : "r0", "r1", "memory");
	check("imm offset", r[0]);
	check("pre-index wb base", r[1] - b);
	check("post-index value", r[2]);
	check("post-index wb base", r[3] - b);
	check("reg offset", r[4]);
	check("scaled reg", r[5]);
	check("ldrh", r[6]);
	check("ldrsh", r[7]);
	check("ldrsb", r[8]);
	check("neg reg wb base", r[9] - b);
	check("ldrh post value", r[10]);
	check("ldrh post base", r[11] - b);
}

SCENARIO(mmio_stores_multi, CV(C_MMIO))
{
	u32 b = PRIO, out[4], p = b; /* SGIs 0..15 */

	__asm__ volatile(
		"ldr r0, =0x10101010\n\t"
		"ldr r1, =0x20202020\n\t"
		"strd r0, r1, [%0]\n\t"          /* doubleword */
		"ldr r2, =0x30303030\n\t"
		"ldr r3, =0x40404040\n\t"
		"stm %0, {r0-r3}\n\t"            /* multiple */
		"ldrd r0, r1, [%0, #8]\n\t"
		"stm %1, {r0, r1}\n\t"
		"mov r2, #0x88\n\t"
		"strb r2, [%0, #5]!\n\t"         /* byte store, pre wb */
		"strh r2, [%0, #-1]\n\t"         /* halfword store, negative */
		"str %0, [%1, #8]\n\t"
		: "+r"(p) : "r"(out) : "r0", "r1", "r2", "r3", "memory");
	check("ldrd lo", out[0]);
	check("ldrd hi", out[1]);
	check("strb wb base", out[2] - b);
	check("word 0 after", rd32(b));
	check("word 1 after", rd32(b + 4));
	{
		u32 v[4];

		__asm__ volatile("ldm %0, {r0-r3}\n\tstm %1, {r0-r3}"
				 :: "r"(b), "r"(v) : "r0", "r1", "r2", "r3", "memory");
		for (unsigned i = 0; i < 4; i++)
			check(nm("ldm word ", i, ""), v[i]);
	}
	for (unsigned i = 0; i < 4; i++)
		wr32(b + 4 * i, 0);
}

/* ---- LDRT/STRT ---- */

#define VA_T 0x48000000u

static u32 ldrbt(u32 a)
{
	u32 r = 0xdeaddead;

	__asm__ volatile(SENS(IC_LDRT, "ldrbt %0, [%1], #1") : "+r"(r), "+r"(a) :: "memory");
	return r;
}

static u32 ldrht(u32 a)
{
	u32 r = 0xdeaddead;

	__asm__ volatile(SENS(IC_LDRT, "ldrht %0, [%1], #2") : "+r"(r), "+r"(a) :: "memory");
	return r;
}

static u32 strbt(u32 a, u32 v)
{
	__asm__ volatile(SENS(IC_LDRT, "strbt %1, [%0], #1") : "+r"(a) : "r"(v) : "memory");
	return a;
}

SCENARIO(ldrt_strt, CV(C_LDRT) | CV(C_DABT))
{
	u32 l2;

	mmu_base(L1_A);
	for (u32 ap = 1; ap <= 3; ap++)
		wr32(TEST_PA + ap * 0x1000, 0x1d700000u + ap * 0x111);
	l2 = l2_new();
	map_l2(L1_A, VA_T, l2, 0);
	for (u32 ap = 1; ap <= 3; ap++)
		map_small(l2, VA_T + ap * 0x1000, TEST_PA + ap * 0x1000,
			  P_AP(ap) | 0xcu);
	mmu_on(L1_A, 1);
	for (u32 ap = 1; ap <= 3; ap++) {
		u32 va = VA_T + ap * 0x1000;

		x_reset();
		check(nm("ap", ap, " ldr (PL1)"), probe_ld(va));
		x_reset();
		check(nm("ap", ap, " ldrt"), probe_ldrt(va));
		check(nm("ap", ap, " ldrt faults"), x_count);
		if (x_count) {
			check(nm("ap", ap, " ldrt fsr"), last_x.fsr);
			check(nm("ap", ap, " ldrt far"), last_x.far - va);
			check(nm("ap", ap, " ldrt mode"), last_x.spsr & 0x1f);
		}
		x_reset();
		probe_strt(va + 4, 0x57000000u + ap);
		check(nm("ap", ap, " strt faults"), x_count);
		if (x_count)
			check(nm("ap", ap, " strt fsr"), last_x.fsr);
		check(nm("ap", ap, " word after strt"), rd32(va + 4));
		x_reset();
		check(nm("ap", ap, " ldrbt"), ldrbt(va + 1));
		check(nm("ap", ap, " ldrht"), ldrht(va + 2));
		check(nm("ap", ap, " strbt wb"), strbt(va + 8, 0x99) - va);
		check(nm("ap", ap, " byte faults"), x_count);
	}
	mmu_off();
}

/* ---- CP14 ---- */

SCENARIO(cp14_teehbr, CV(C_CP14))
{
	u32 v = 0;

	x_reset();
	__asm__ volatile("mcr p14, 6, %0, c1, c0, 0" :: "r"(0x10203040u));
	__asm__ volatile("mrc p14, 6, %0, c1, c0, 0" : "=r"(v));
	check("TEEHBR readback", v);
	__asm__ volatile("mrc p14, 6, %0, c0, c0, 0" : "=r"(v));
	check("TEECR", v);
	check("exceptions", x_count);
	__asm__ volatile("mrc p14, 0, %0, c0, c0, 0" : "=r"(v));
	check("DBGDIDR read exceptions", x_count);
}
