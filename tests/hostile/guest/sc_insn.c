// SPDX-License-Identifier: MIT
/*
 * Instructions the guest is not supposed to run, or to run where it does:
 *
 * - user code jumps into the trap words of kernel sites (the runtime's own
 *   and a zoo of one site per class): pvcore emulates the original
 *   instruction with *user* privilege, so CPS and MSR CPSR_c change
 *   nothing, MRS shows user mode, and everything that needs a mode with
 *   an SPSR (MRS/MSR SPSR, SRS, RFE, LDM/STM ^, SUBS/MOVS PC) is UNDEF;
 *   a forged return frame never runs code with privilege;
 * - user code runs privileged and sensitive encodings directly: UNDEF
 *   where the architecture says so, and the kernel's system registers
 *   are unchanged afterwards;
 * - the guest kernel runs sensitive instructions left unpatched: they do
 *   what they do at PL0 (CPS, MSR CPSR_c: nothing) or trap and are
 *   emulated with the kernel's privilege (MRS/MSR SPSR, SRS, LDM/STM ^);
 * - UNDEFINED encodings (UDF, coprocessors the A9 lacks, CP15 encodings
 *   that do not exist, VFP/NEON with CPACR closed, ...) are UNDEF in the
 *   guest, from kernel and user, ARM and Thumb; BKPT is a debug abort;
 * - trap words planted where no site is, in any ISA, are plain UDF;
 * - the guest rewrites its patched sites: the VMM runs what memory holds
 *   now, never the original it remembers.
 */
#include "hostile.h"

#define BUF (TEST_PA + 0x300000u) /* code buffer, outside every site */

extern const char zoo_mrs[], zoo_mrs_spsr[], zoo_msr_c[], zoo_msr_spsr[];
extern const char zoo_cps[], zoo_cps_mode[], zoo_srs[], zoo_rfe[];
extern const char zoo_ldm_eret[], zoo_ldm_user[], zoo_stm_user[];
extern const char zoo_subs[], zoo_movs[], zoo_ldrt[], zoo_strt[];
extern const char zoo_wfi[], zoo_wfe[], zoo_self[], zoo_self_cps[];
extern const char zoo_escalated[], zoo_t16[], zoo_t32[];
extern const char run_user_ret[];

typedef u32 (*fn_t)(u32);

static volatile u32 escalated;

/* An SVC #0xFF or #0xFD from a privileged mode: user code got privilege.
 * Record it and unwind to run_user()'s caller. */
static bool escalation_hook(unsigned type, struct xframe *f)
{
	bool t = (f->spsr >> 5) & 1;
	u32 imm = t ? *(volatile uint16_t *)last_x.pc & 0xff :
		      *(volatile u32 *)last_x.pc & 0xffffff;

	if (imm != 0xff && imm != 0xfd)
		return false;
	escalated++;
	f->pc = (u32)run_user_ret;
	f->spsr = 0x1d3;
	return true;
}

static bool bkpt_hook(unsigned type, struct xframe *f)
{
	if ((last_x.fsr & 0x40f) != FS_DEBUG)
		return false;
	/* The instruction after the BKPT (LR = BKPT + 4 in both states). */
	f->pc = f->pad - ((f->spsr & (1u << 5)) ? 2 : 0);
	return true;
}

static void hooks(void)
{
	x_reset();
	x_hook[X_SVC] = escalation_hook;
	x_hook[X_PABT] = bkpt_hook;
}

/* ---- user code jumps into kernel sites ---- */

/* WFI: waits for an interrupt (the guest arms one), which is then taken
 * in user mode. */
enum want { NONE, UNDEF, WFI };

struct jump {
	const char *what;
	const char *site;
	enum want want;
};

static u32 frame[4] __attribute__((aligned(8)));

static const struct jump jumps[] = {
	{ "runtime MRS site (get_cpsr)", (const char *)get_cpsr, NONE },
	{ "runtime CPS site (irq_enable)", (const char *)irq_enable, NONE },
	{ "runtime MSR SPSR site (set_spsr)", (const char *)set_spsr, UNDEF },
	{ "runtime WFI site (wfi)", (const char *)wfi, WFI },
	{ "MRS CPSR", zoo_mrs, NONE },
	{ "MRS SPSR", zoo_mrs_spsr, UNDEF },
	{ "MSR CPSR_c #SVC", zoo_msr_c, NONE },
	{ "MSR SPSR", zoo_msr_spsr, UNDEF },
	{ "CPSID aif", zoo_cps, NONE },
	{ "CPS #SVC", zoo_cps_mode, NONE },
	{ "SRS", zoo_srs, UNDEF },
	{ "RFE to a forged SVC frame", zoo_rfe, UNDEF },
	{ "LDM ^ with PC, forged frame", zoo_ldm_eret, UNDEF },
	{ "LDM ^ user registers", zoo_ldm_user, UNDEF },
	{ "STM ^ user registers", zoo_stm_user, UNDEF },
	{ "SUBS PC, LR", zoo_subs, UNDEF },
	{ "MOVS PC, LR", zoo_movs, UNDEF },
	{ "WFI", zoo_wfi, WFI },
	{ "WFE", zoo_wfe, NONE },
};

SCENARIO(user_jumps_into_kernel_sites, 0)
{
	u32 v;

	frame[0] = (u32)zoo_escalated;
	frame[1] = 0x000001d3u; /* SVC, what RFE would load */
	frame[2] = (u32)zoo_escalated;
	for (unsigned i = 0; i < sizeof(jumps) / sizeof(jumps[0]); i++) {
		const struct jump *j = &jumps[i];

		hooks();
		escalated = 0;
		if (j->want == WFI)
			wake_arm(100000); /* 1 ms */
		v = run_user((fn_t)j->site, (u32)frame);
		if (j->want == WFI) {
			u32 woken = wake_disarm();

			expect(nm(j->what, NONUM, ": woken by the interrupt"),
			       woken, 1);
			expect(nm(j->what, NONUM, ": exceptions (the IRQ)"),
			       x_summary(), X_IRQ << 8 | 1);
			expect(nm(j->what, NONUM, ": IRQ taken from"),
			       last_x.spsr & 0x1f, M_USR);
		} else if (j->want == UNDEF) {
			expect_undef_at(j->what, (u32)j->site, M_USR);
		} else {
			out_puts("  ");
			out_puts(j->what);
			out_puts(" = ");
			out_dec(x_count);
			out_puts(" exceptions\n");
			expect(nm(j->what, NONUM, ": exceptions"), x_count, 0);
		}
		expect(nm(j->what, NONUM, ": ran with privilege"), escalated, 0);
		if (j->site == zoo_mrs || j->site == (const char *)get_cpsr)
			expect(nm(j->what, NONUM, ": mode it shows"), v & 0x1f,
			       M_USR);
	}
	expect("still in SVC", get_mode(), M_SVC);

	/* LDRT/STRT sites from user: user permissions, as from the kernel. */
	wr32(TEST_PA, 0x1d271d27u);
	hooks();
	expect("LDRT site from user", run_user((fn_t)zoo_ldrt, TEST_PA),
	       0x1d271d27u);
	run_user((fn_t)zoo_strt, TEST_PA + 4);
	expect("STRT site from user", rd32(TEST_PA + 4), 0x77);
	mmu_base(L1_A);
	map_section(L1_A, TEST_VA, TEST_PA, MEM_NORMAL | S_AP(1));
	mmu_on(L1_A, 1);
	hooks();
	x_resume = 0;
	run_user((fn_t)zoo_ldrt, TEST_VA);
	expect("LDRT site from user, kernel-only page: dabt", x_summary(),
	       X_DABT << 8 | 1);
	expect("LDRT site from user, kernel-only page: fsr",
	       last_x.fsr & FSR_MASK, FS_PERM_SEC);
	hooks();
	((fn_t)zoo_ldrt)(TEST_VA);
	expect("LDRT site from the kernel, kernel-only page: dabt", x_summary(),
	       X_DABT << 8 | 1);
	expect("LDRT site from the kernel, kernel-only page: fsr",
	       last_x.fsr & FSR_MASK, FS_PERM_SEC);
	mmu_off();

	/* The Thumb sites too. */
	hooks();
	run_user((fn_t)((u32)zoo_t16 | 1), 0);
	expect("T16 CPS site from user: exceptions", x_count, 0);
	hooks();
	v = run_user((fn_t)((u32)zoo_t32 | 1), 0);
	expect("T32 MRS site from user: exceptions", x_count, 0);
	expect("T32 MRS site from user: mode", v & 0x1f, M_USR);
}

/* ---- raw instructions from a buffer: [insn, bx lr] ---- */

static fn_t arm_buf(u32 insn)
{
	wr32(BUF, insn);
	wr32(BUF + 4, 0xe12fff1eu);
	sync_code(BUF, 8);
	return (fn_t)BUF;
}

static fn_t thumb_buf(u32 insn, bool wide)
{
	volatile uint16_t *h = (volatile uint16_t *)BUF;

	if (wide) {
		h[0] = (uint16_t)(insn >> 16);
		h[1] = (uint16_t)insn;
		h[2] = 0x4770; /* bx lr */
	} else {
		h[0] = (uint16_t)insn;
		h[1] = 0x4770;
	}
	sync_code(BUF, 8);
	return (fn_t)(BUF | 1);
}

enum xres { RES_NONE, RES_UNDEF, RES_BKPT };

struct raw {
	const char *what;
	u32 insn;
	enum xres user, kernel;
};

static void raw_check(const struct raw *r, bool user, enum xres want, fn_t f)
{
	u32 mode = user ? M_USR : M_SVC;

	hooks();
	escalated = 0;
	if (user)
		run_user(f, 0);
	else
		f(0);
	switch (want) {
	case RES_UNDEF:
		expect_undef_at(r->what, BUF, mode);
		break;
	case RES_BKPT:
		expect(nm(r->what, NONUM, ": debug abort"), x_summary(),
		       X_PABT << 8 | 1);
		expect(nm(r->what, NONUM, ": ifsr"), last_x.fsr & 0x40f,
		       FS_DEBUG);
		expect(nm(r->what, NONUM, ": at"), last_x.pc, BUF);
		break;
	default:
		expect(nm(r->what, NONUM, ": exceptions"), x_count, 0);
		break;
	}
	expect(nm(r->what, NONUM, ": ran with privilege"), escalated, 0);
}

/* User code, privileged or sensitive, not patched (nothing patches user
 * code). */
static const struct raw user_raw[] = {
	{ "cpsid aif", 0xf10c01c0u, RES_NONE, 0 },
	{ "cps #0x1f", 0xf102001fu, RES_NONE, 0 },
	{ "msr cpsr_c, #0xd3", 0xe321f0d3u, RES_NONE, 0 },
	{ "msr cpsr_fsxc, r0", 0xe12ff000u, RES_NONE, 0 },
	{ "mrs r0, spsr", 0xe14f0000u, RES_UNDEF, 0 },
	{ "msr spsr_fsxc, r0", 0xe16ff000u, RES_UNDEF, 0 },
	{ "srsdb sp!, #0x13", 0xf96d0513u, RES_UNDEF, 0 },
	{ "rfeia r0", 0xf8900a00u, RES_UNDEF, 0 },
	{ "ldm r0, {r1, pc}^", 0xe8d08002u, RES_UNDEF, 0 },
	{ "ldm r0, {r1, r2}^", 0xe8d00006u, RES_UNDEF, 0 },
	{ "stm r0, {r1, r2}^", 0xe8c00006u, RES_UNDEF, 0 },
	{ "subs pc, lr, #0", 0xe25ef000u, RES_UNDEF, 0 },
	{ "movs pc, lr", 0xe1b0f00eu, RES_UNDEF, 0 },
	{ "mcr SCTLR", 0xee010f10u, RES_UNDEF, 0 },
	{ "mrc SCTLR", 0xee110f10u, RES_UNDEF, 0 },
	{ "mrc TTBR0", 0xee120f10u, RES_UNDEF, 0 },
	{ "mcr TTBR0", 0xee020f10u, RES_UNDEF, 0 },
	{ "mcr DACR", 0xee030f10u, RES_UNDEF, 0 },
	{ "mcr TLBIALL", 0xee080f17u, RES_UNDEF, 0 },
	{ "mcr VBAR", 0xee0c0f10u, RES_UNDEF, 0 },
	{ "mcr CONTEXTIDR", 0xee0d0f30u, RES_UNDEF, 0 },
	{ "mcr TPIDRURO", 0xee0d0f70u, RES_UNDEF, 0 },
	{ "mrc MIDR", 0xee100f10u, RES_UNDEF, 0 },
	{ "vmrs r0, fpexc", 0xeef80a10u, RES_UNDEF, 0 },
	{ "vmsr fpexc, r0", 0xeee80a10u, RES_UNDEF, 0 },
	{ "mcr CPACR", 0xee010f50u, RES_UNDEF, 0 },
	{ "mcr p14 DBGDSCRext", 0xee000e52u, RES_UNDEF, 0 },
	{ "wfi", 0xe320f003u, RES_NONE, 0 },
	{ "wfe", 0xe320f002u, RES_NONE, 0 },
	{ "mrc TPIDRURO (user-readable)", 0xee1d0f70u, RES_NONE, 0 },
	{ "mcr TPIDRURW (user-writable)", 0xee0d0f50u, RES_NONE, 0 },
	{ "bkpt", 0xe1200070u, RES_BKPT, 0 },
	{ "mrc PMCCNTR (PMUSERENR.EN = 0)", 0xee190f1du, RES_UNDEF, 0 },
	{ "mcr PMCR", 0xee090f1cu, RES_UNDEF, 0 },
	{ "mrrc CNTVCT (no generic timer)", 0xec510f1eu, RES_UNDEF, 0 },
};

struct sysregs {
	u32 sctlr, ttbr0, ttbcr, dacr, vbar, ctxid, tpidruro, tpidrprw;
};

static void read_sysregs(struct sysregs *s)
{
	s->sctlr = MRC(0, 1, 0, 0);
	s->ttbr0 = MRC(0, 2, 0, 0);
	s->ttbcr = MRC(0, 2, 0, 2);
	s->dacr = MRC(0, 3, 0, 0);
	s->vbar = MRC(0, 12, 0, 0);
	s->ctxid = MRC(0, 13, 0, 1);
	s->tpidruro = MRC(0, 13, 0, 3);
	s->tpidrprw = MRC(0, 13, 0, 4);
}

SCENARIO(user_privileged_insns, 0)
{
	struct sysregs before, after;

	MCR(0, 13, 0, 3, 0x7070d0d0u);
	MCR(0, 13, 0, 1, 0x42u);
	read_sysregs(&before);
	for (unsigned i = 0; i < sizeof(user_raw) / sizeof(user_raw[0]); i++)
		raw_check(&user_raw[i], true, user_raw[i].user,
			  arm_buf(user_raw[i].insn));
	read_sysregs(&after);
	expect("SCTLR unchanged", after.sctlr, before.sctlr);
	expect("TTBR0 unchanged", after.ttbr0, before.ttbr0);
	expect("TTBCR unchanged", after.ttbcr, before.ttbcr);
	expect("DACR unchanged", after.dacr, before.dacr);
	expect("VBAR unchanged", after.vbar, before.vbar);
	expect("CONTEXTIDR unchanged", after.ctxid, before.ctxid);
	expect("TPIDRURO unchanged", after.tpidruro, before.tpidruro);
	expect("TPIDRPRW unchanged", after.tpidrprw, before.tpidrprw);
	expect("user reads TPIDRURO", run_user(arm_buf(0xee1d0f70u), 0),
	       0x7070d0d0u);
	expect("still in SVC", get_mode(), M_SVC);
}

/* ---- UNDEFINED encodings, kernel and user, ARM and Thumb ---- */

static const struct raw undefs[] = {
	{ "udf #0", 0xe7f000f0u, RES_UNDEF, RES_UNDEF },
	{ "udf #0xfffe", 0xe7ffdefeu, RES_UNDEF, RES_UNDEF },
	{ "unconditional space 0xff000000", 0xff000000u, RES_UNDEF, RES_UNDEF },
	{ "cdp p0", 0xee000000u, RES_UNDEF, RES_UNDEF },
	{ "mcr p0", 0xee000010u, RES_UNDEF, RES_UNDEF },
	{ "mrc p7", 0xee100710u, RES_UNDEF, RES_UNDEF },
	{ "mcrr p0", 0xec400010u, RES_UNDEF, RES_UNDEF },
	{ "ldc p1", 0xed900100u, RES_UNDEF, RES_UNDEF },
	{ "cdp2 p3", 0xfe000300u, RES_UNDEF, RES_UNDEF },
	{ "mcr p15 MIDR (read-only)", 0xee000f10u, RES_UNDEF, RES_UNDEF },
	{ "mrc p15 op1=3 c0", 0xee700f10u, RES_UNDEF, RES_UNDEF },
	{ "mcrr p15 opc1=5 c2 (LPAE TTBR)", 0xec410f52u, RES_UNDEF, RES_UNDEF },
	{ "ldc p15", 0xed900f00u, RES_UNDEF, RES_UNDEF },
	{ "vadd.f32, CPACR closed", 0xee300a00u, RES_UNDEF, RES_UNDEF },
	{ "vadd.i32 q0, CPACR closed", 0xf2200840u, RES_UNDEF, RES_UNDEF },
	{ "vldr d0, CPACR closed", 0xed900b00u, RES_UNDEF, RES_UNDEF },
	{ "bkpt #0x1234", 0xe1212374u, RES_BKPT, RES_BKPT },
};

static const struct raw undefs_t16[] = {
	{ "T16 udf #0", 0xde00u, RES_UNDEF, RES_UNDEF },
	{ "T16 udf #0xff", 0xdeffu, RES_UNDEF, RES_UNDEF },
	{ "T16 bkpt", 0xbe11u, RES_BKPT, RES_BKPT },
};

static const struct raw undefs_t32[] = {
	{ "T32 udf.w", 0xf7f0a000u, RES_UNDEF, RES_UNDEF },
	{ "T32 mcr p0", 0xee000010u, RES_UNDEF, RES_UNDEF },
	{ "T32 mrc p15 op1=3", 0xee700f10u, RES_UNDEF, RES_UNDEF },
	{ "T32 vadd.f32, CPACR closed", 0xee300a00u, RES_UNDEF, RES_UNDEF },
};

SCENARIO(undefined_encodings, 0)
{
	MCR(0, 1, 0, 2, 0); /* CPACR: cp10/cp11 closed */
	isb();
	for (unsigned i = 0; i < sizeof(undefs) / sizeof(undefs[0]); i++) {
		const struct raw *r = &undefs[i];

		raw_check(r, false, r->kernel, arm_buf(r->insn));
		raw_check(r, true, r->user, arm_buf(r->insn));
	}
	for (unsigned i = 0; i < sizeof(undefs_t16) / sizeof(undefs_t16[0]); i++) {
		const struct raw *r = &undefs_t16[i];

		raw_check(r, false, r->kernel, thumb_buf(r->insn, false));
		raw_check(r, true, r->user, thumb_buf(r->insn, false));
	}
	for (unsigned i = 0; i < sizeof(undefs_t32) / sizeof(undefs_t32[0]); i++) {
		const struct raw *r = &undefs_t32[i];

		raw_check(r, false, r->kernel, thumb_buf(r->insn, true));
		raw_check(r, true, r->user, thumb_buf(r->insn, true));
	}
	expect("still in SVC", get_mode(), M_SVC);
}

/* ---- the kernel's own sensitive instructions, left unpatched ---- */

static u32 run_raw_r0(u32 insn, u32 r0)
{
	hooks();
	return arm_buf(insn)(r0);
}

SCENARIO(unpatched_kernel_sensitive, 0)
{
	u32 cpsr0, v, l2;

	cpsr0 = get_cpsr();
	/* At PL0, CPS and the control field of MSR CPSR do nothing. */
	run_raw_r0(0xf10e01c0u /* cpsie aif */, 0);
	expect("cpsie aif: exceptions", x_count, 0);
	expect("cpsie aif: guest CPSR control bits unchanged",
	       get_cpsr() & 0x1ffu, cpsr0 & 0x1ffu);
	run_raw_r0(0xf102001fu /* cps #0x1f */, 0);
	expect("cps #0x1f: exceptions", x_count, 0);
	expect("cps #0x1f: still SVC", get_mode(), M_SVC);
	run_raw_r0(0xe321f01fu /* msr cpsr_c, #0x1f */, 0);
	expect("msr cpsr_c: exceptions", x_count, 0);
	expect("msr cpsr_c: still SVC", get_mode(), M_SVC);
	run_raw_r0(0xe128f000u /* msr cpsr_f, r0 */, 0x90000000u);
	expect("msr cpsr_f: exceptions", x_count, 0);
	/* MRS CPSR at PL0 sees the host's user mode, or is emulated. */
	v = run_raw_r0(0xe10f0000u /* mrs r0, cpsr */, 0);
	expect("mrs cpsr: exceptions", x_count, 0);
	expect_ok("mrs cpsr: USR (host PL0) or SVC (emulated)",
		  (v & 0x1f) == M_USR || (v & 0x1f) == M_SVC, v & 0x1f);

	/* The SPSR forms are UNPREDICTABLE at PL0: the host traps them and
	 * pvcore runs them as the guest kernel's. */
	set_spsr(0x300001d7u);
	v = run_raw_r0(0xe14f0000u /* mrs r0, spsr */, 0);
	expect("mrs spsr: exceptions", x_count, 0);
	expect("mrs spsr: the guest's SPSR_svc", v, 0x300001d7u);
	run_raw_r0(0xe16ff000u /* msr spsr_fsxc, r0 */, 0x800001dbu);
	expect("msr spsr: exceptions", x_count, 0);
	expect("msr spsr: the guest's SPSR_svc", get_spsr(), 0x800001dbu);

	/* SRS to SYS mode's stack, no write-back: [0x1013fff8] = LR, SPSR. */
	wr32(SYS_STACK_TOP - 8, 0);
	wr32(SYS_STACK_TOP - 4, 0);
	run_raw_r0(0xf94d051fu /* srsdb sp, #0x1f */, 0);
	expect("srsdb sp, #SYS: exceptions", x_count, 0);
	expect("srsdb sp, #SYS: wrote SPSR_svc", rd32(SYS_STACK_TOP - 4),
	       0x800001dbu);
	expect_ok("srsdb sp, #SYS: wrote LR (non-zero)",
		  rd32(SYS_STACK_TOP - 8) != 0, rd32(SYS_STACK_TOP - 8));

	/* STM/LDM ^: the user registers. */
	frame[0] = 0x0badc0deu;
	frame[1] = 0x0badf00du;
	v = run_user((fn_t)zoo_mrs, 0); /* leaves user regs in a known state */
	__asm__ volatile("mov r0, %0\n\t"
			 ".word 0xe8d06000\n\t" /* ldm r0, {sp, lr}^ */
			 "nop\n\t"
			 "add r0, r0, #8\n\t"
			 ".word 0xe8c06000\n\t" /* stm r0, {sp, lr}^ */
			 :: "r"(frame) : "r0", "memory");
	expect("ldm/stm ^ user SP round trip", frame[2], 0x0badc0deu);
	expect("ldm/stm ^ user LR round trip", frame[3], 0x0badf00du);

	/* WFI and WFE run natively at PL0: they come back (the host tick). */
	run_raw_r0(0xe320f003u, 0);
	expect("wfi: exceptions", x_count, 0);
	run_raw_r0(0xe320f002u, 0);
	expect("wfe: exceptions", x_count, 0);

	/* LDRT at PL0 is a plain load: on a kernel-only page the guest
	 * kernel gets its own data (or the fault it should have got), never
	 * anything else. */
	wr32(TEST_PA + 0x100u, 0x1d7e1d7eu);
	mmu_base(L1_A);
	l2 = l2_new();
	map_l2(L1_A, TEST_VA, l2, 0);
	map_small(l2, TEST_VA, TEST_PA, P_AP(1) | 0xcu);
	mmu_on(L1_A, 1);
	v = run_raw_r0(0xe4b00000u /* ldrt r0, [r0] */, TEST_VA + 0x100u);
	expect_ok("unpatched ldrt on a kernel-only page: own data or a "
		  "permission fault",
		  (x_count == 0 && v == 0x1d7e1d7eu) ||
			  (x_count == 1 && last_x.type == X_DABT &&
			   (last_x.fsr & 0x40f) == FS_PERM_PG),
		  v);
	mmu_off();
	expect("still in SVC", get_mode(), M_SVC);
	(void)v;
}

/* ---- trap words where no site is ---- */

SCENARIO(fake_trap_words, 0)
{
	for (u32 cls = 0; cls < 20; cls++) {
		u32 w = 0xe7f5a0f0u | ((cls >> 4) & 0xfu) << 8 | (cls & 0xfu);
		const struct raw r = { nm("A32 trap word, class ", cls, ""), w,
				       RES_UNDEF, RES_UNDEF };

		raw_check(&r, false, RES_UNDEF, arm_buf(w));
		raw_check(&r, true, RES_UNDEF, arm_buf(w));
	}
	for (u32 cls = 0; cls < 20; cls++) {
		const struct raw r16 = { nm("T16 trap word, class ", cls, ""),
					 0xde80u | cls, RES_UNDEF, RES_UNDEF };
		const struct raw r32 = { nm("T32 trap word, class ", cls, ""),
					 0xf7f5aa00u | cls, RES_UNDEF, RES_UNDEF };

		raw_check(&r16, false, RES_UNDEF, thumb_buf(r16.insn, false));
		raw_check(&r16, true, RES_UNDEF, thumb_buf(r16.insn, false));
		raw_check(&r32, false, RES_UNDEF, thumb_buf(r32.insn, true));
		raw_check(&r32, true, RES_UNDEF, thumb_buf(r32.insn, true));
	}
	expect("still in SVC", get_mode(), M_SVC);
}

/* ---- the guest rewrites its patched sites ---- */

static u32 patch_site(const char *site, u32 word)
{
	u32 old = rd32((u32)site);

	wr32((u32)site, word);
	sync_code((u32)site, 4);
	return old;
}

SCENARIO(selfmod_sites, 0)
{
	const u32 mrs_word = rd32((u32)zoo_self);   /* the MRS trap word */
	const u32 cps_word = rd32((u32)zoo_self_cps);
	u32 v;

	hooks();
	expect("site as built: emulated MRS shows SVC",
	       ((fn_t)zoo_self)(0) & 0x1f, M_SVC);
	expect("site as built: exceptions", x_count, 0);

	/* A plain instruction over the trap word: it runs, not the MRS. */
	patch_site(zoo_self, 0xe3a00007u); /* mov r0, #7 */
	hooks();
	expect("rewritten to mov r0, #7", ((fn_t)zoo_self)(0), 7);
	expect("rewritten: exceptions", x_count, 0);

	/* Another class's trap word: no site of that class here, so UDF. */
	patch_site(zoo_self, cps_word);
	hooks();
	v = ((fn_t)zoo_self)(0x1234);
	expect_undef_at("CPS trap word at the MRS site", (u32)zoo_self, M_SVC);
	expect("CPS trap word at the MRS site: r0 untouched", v, 0x1234);

	/* Its own trap word again: emulated again. */
	patch_site(zoo_self, mrs_word);
	hooks();
	expect("trap word restored: MRS again", ((fn_t)zoo_self)(0) & 0x1f,
	       M_SVC);
	expect("trap word restored: exceptions", x_count, 0);

	/* An SVC and a BKPT over the trap word: the guest's own exceptions
	 * at the site, nothing emulated. */
	patch_site(zoo_self, 0xef000042u); /* svc #0x42 */
	hooks();
	v = run_user((fn_t)zoo_self, 0x55); /* an SVC in SVC mode eats LR */
	expect("SVC over the site: one guest SVC", x_summary(), X_SVC << 8 | 1);
	expect("SVC over the site: from user", last_x.spsr & 0x1f, M_USR);
	expect("SVC over the site: at the site", last_x.pc, (u32)zoo_self);
	expect("SVC over the site: r0 untouched", v, 0x55);
	patch_site(zoo_self, 0xe1200171u); /* bkpt #0x11 */
	hooks();
	((fn_t)zoo_self)(0);
	expect("BKPT over the site: a debug abort", x_summary(), X_PABT << 8 | 1);
	expect("BKPT over the site: ifsr", last_x.fsr & 0x40f, FS_DEBUG);

	/* The original instruction itself, unpatched: it runs at PL0. */
	patch_site(zoo_self, 0xe10f0000u); /* mrs r0, cpsr */
	hooks();
	v = ((fn_t)zoo_self)(0);
	expect("original MRS, unpatched: exceptions", x_count, 0);
	expect_ok("original MRS, unpatched: USR (PL0) or SVC",
		  (v & 0x1f) == M_USR || (v & 0x1f) == M_SVC, v & 0x1f);
	patch_site(zoo_self, mrs_word);

	/* The MRS trap word copied off its site: a plain UDF there. */
	hooks();
	v = arm_buf(mrs_word)(0x4321);
	expect_undef_at("MRS trap word off its site", BUF, M_SVC);
	expect("MRS trap word off its site: r0 untouched", v, 0x4321);
	hooks();
	run_user(arm_buf(mrs_word), 0);
	expect_undef_at("MRS trap word off its site, user", BUF, M_USR);

	/* Thumb: the T32 site with its second halfword changed to another
	 * class's, and the T16 site with a T16 NOP. */
	{
		volatile uint16_t *t32 = (volatile uint16_t *)zoo_t32;
		volatile uint16_t *t16 = (volatile uint16_t *)zoo_t16;
		uint16_t hw2 = t32[1], hw = t16[0];

		t32[1] = (uint16_t)((hw2 & 0xff00u) | 0x04u);
		sync_code((u32)zoo_t32, 4);
		hooks();
		v = ((fn_t)((u32)zoo_t32 | 1))(0x77);
		expect_undef_at("T32 site, other class's trap word",
				(u32)zoo_t32, M_SVC);
		expect("T32 site, other class: r0 untouched", v, 0x77);
		t32[1] = hw2;
		t16[0] = 0xbf00u; /* nop */
		sync_code((u32)zoo_t16, 4);
		hooks();
		((fn_t)((u32)zoo_t16 | 1))(0);
		expect("T16 site rewritten to a NOP: exceptions", x_count, 0);
		t16[0] = hw;
		sync_code((u32)zoo_t32, 4);
		sync_code((u32)zoo_t16, 4);
		hooks();
		expect("T32 site restored", ((fn_t)((u32)zoo_t32 | 1))(0) & 0x1f,
		       M_SVC);
		expect("T32 site restored: exceptions", x_count, 0);
	}

	/*
	 * Rewrite a site through a second mapping of its page, with the VMM
	 * having just fetched it through the first: it must see the new
	 * word, not a stale copy.
	 */
	{
		u32 alias = TEST_VA + ((u32)zoo_self & 0xfffffu);

		mmu_base(L1_A);
		map_section(L1_A, TEST_VA, (u32)zoo_self & 0xfff00000u,
			    MEM_NORMAL | S_AP(1));
		mmu_on(L1_A, 1);
		hooks();
		expect("MMU on: emulated MRS", ((fn_t)zoo_self)(0) & 0x1f, M_SVC);
		wr32(alias, 0xe3a00009u); /* mov r0, #9 */
		sync_code(alias, 4);
		sync_code((u32)zoo_self, 4);
		hooks();
		expect("rewritten through an alias", ((fn_t)zoo_self)(0), 9);
		wr32(alias, mrs_word);
		sync_code(alias, 4);
		sync_code((u32)zoo_self, 4);
		hooks();
		expect("restored through an alias", ((fn_t)zoo_self)(0) & 0x1f,
		       M_SVC);
		mmu_off();
	}
}

/* ---- user code faulting at one PC, many times ---- */

static u32 u_fault_loop(u32 hole)
{
	u32 n = 0;

	for (u32 i = 0; i < 300; i++) {
		u32 v = 0;

		/* One load at one PC and one address: aborts, is skipped. */
		__asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(hole) : "memory");
		__asm__ volatile("udf #0x42" ::: "memory");
		n++;
	}
	return n;
}

/*
 * 300 data aborts and 300 UNDEFs at one PC each, in user mode, which
 * its kernel handles every time: the VM must not take it for a kernel
 * fault loop (pvbm's watchdog counts guest-kernel faults only).
 */
SCENARIO(user_fault_loop, 0)
{
	u32 n;

	mmu_base(L1_A);
	mmu_on(L1_A, 1);
	x_reset();
	n = run_user(u_fault_loop, 0x43000000u);
	expect("user loop iterations", n, 300);
	expect("user faults taken", x_count, 600);
	expect("last one: an UNDEF from user", last_x.type << 8 |
	       (last_x.spsr & 0x1f), X_UND << 8 | M_USR);
	mmu_off();
}
