// SPDX-License-Identifier: MIT
/*
 * Forged SPSRs and exception returns. The guest kernel loads SPSR with
 * modes it cannot enter (Hyp and Monitor belong to the VMM and the
 * Secure world; reserved encodings), ARM state with IT bits, Thumb with
 * and without IT state, odd and misaligned return addresses, J set, and
 * user mode with its A/I/F/E/GE/Q bits set, and returns with each form
 * (MOVS PC, SUBS PC, RFE, LDM ^). Whatever it forged:
 *
 * - it lands in a legal guest mode, never Hyp or Monitor (the host
 *   always resumes it in host USR: pvbm checks every resume);
 * - what the architecture defines holds: Thumb returns ignore PC[0], an
 *   IT state returned to in Thumb governs the next instruction, user mode
 *   keeps its flags and the mask bits it cannot change, CPSR.E is set
 *   from SCTLR.EE on the next exception;
 * - in ARM state no instruction is skipped because of IT bits;
 * - an RFE or exception-return LDM whose frame is in the window or
 *   nowhere takes the guest's data abort.
 */
#include "hostile.h"

u32 eret_try(u32 form, u32 spsr, u32 target, u32 mem);
extern const char eret_land[], eret_land_count[], eret_back[];
extern const char eret_land_t[], eret_land_it_t[];

static const char *const form_name[] = { "movs", "subs", "rfe", "ldm^",
	"unpatched movs", "unpatched subs", "unpatched rfe", "unpatched ldm^" };
static volatile u32 land_n, land_spsr, land_pc, land_r4, land_r5;
static volatile u32 pabt_n, pabt_fsr;
static u32 frame[4] __attribute__((aligned(8)));

static bool land_hook(unsigned type, struct xframe *f)
{
	bool t = (f->spsr >> 5) & 1;
	u32 imm = t ? *(volatile uint16_t *)last_x.pc & 0xff :
		      *(volatile u32 *)last_x.pc & 0xffffff;

	if (imm != 0xfe)
		return false;
	land_n++;
	land_spsr = f->spsr;
	land_pc = last_x.pc;
	land_r4 = f->r[4];
	land_r5 = f->r[5];
	f->pc = (u32)eret_back;
	f->spsr = 0x1d3;
	return true;
}

static bool pabt_hook(unsigned type, struct xframe *f)
{
	pabt_n++;
	pabt_fsr = last_x.fsr;
	return false; /* x_resume: on to the ARM landing pad */
}

static u32 try(unsigned form, u32 spsr, u32 target)
{
	u32 landed;

	x_reset();
	land_n = pabt_n = 0;
	land_spsr = land_pc = 0;
	x_hook[X_SVC] = land_hook;
	x_hook[X_PABT] = pabt_hook;
	x_resume = (u32)eret_land;
	landed = eret_try(form, spsr, target, (u32)frame);
	x_resume = 0;
	return landed && land_n == 1;
}

static void line(unsigned form, const char *what)
{
	out_puts("# ");
	out_puts(form_name[form]);
	out_puts(": ");
	out_puts(what);
	out_puts(": landed at ");
	out_hex(land_pc);
	out_puts(" cpsr ");
	out_hex(land_spsr);
	if (pabt_n) {
		out_puts(" after a prefetch abort, ifsr ");
		out_hex(pabt_fsr);
	}
	out_puts("\n");
}

/* Modes the guest cannot be in, with IRQs/FIQs masked as an attacker
 * would leave them. */
static const u32 bad_modes[] = { 0x1a /* Hyp */, 0x16 /* Monitor */, 0x00,
				 0x0f, 0x14, 0x15, 0x18, 0x19, 0x1c, 0x1d,
				 0x1e };

static void bad_mode_returns(unsigned form)
{
	for (unsigned i = 0; i < sizeof(bad_modes) / sizeof(bad_modes[0]); i++) {
		u32 m = bad_modes[i];
		u32 ok = try(form, 0x000001c0u | m, (u32)eret_land);

		line(form, nm("mode ", m, ""));
		expect(nm("landed, forged mode ", m, ""), ok, 1);
		expect_ok(nm("legal mode after mode ", m, ""),
			  mode_is_legal(land_spsr) && (land_spsr & 0x1f) != 0x1a &&
				  (land_spsr & 0x1f) != 0x16,
			  land_spsr & 0x1f);
		expect(nm("ARM state after mode ", m, ""),
		       land_spsr & (1u << 5), 0);
	}
}

static void state_returns(unsigned form)
{
	u32 ok;

	/* ARM state with IT bits (UNPREDICTABLE): no instruction skipped. */
	ok = try(form, 0x000001d3u | (0x3fu << 10) | (3u << 25),
		 (u32)eret_land_count);
	line(form, "T=0 with IT bits");
	expect("T=0 IT: landed", ok, 1);
	expect("T=0 IT: all four ADDs ran", land_r4, 4);
	expect("T=0 IT: ARM state", land_spsr & (1u << 5), 0);
	expect_ok("T=0 IT: legal mode", mode_is_legal(land_spsr), land_spsr);

	/* Thumb with PC[0] set and clear: both at the pad. */
	for (u32 odd = 0; odd < 2; odd++) {
		ok = try(form, 0x000001f3u, (u32)eret_land_t | odd);
		line(form, odd ? "thumb, odd pc" : "thumb, even pc");
		expect(nm("thumb landed, pc[0]=", odd, ""), ok, 1);
		expect(nm("thumb pad, pc[0]=", odd, ""), land_pc,
		       (u32)eret_land_t);
		expect(nm("thumb state, pc[0]=", odd, ""),
		       land_spsr & (1u << 5), 1u << 5);
	}

	/* Thumb into an IT block of one EQ instruction (ITSTATE 0x08). */
	for (u32 z = 0; z < 2; z++) {
		ok = try(form, 0x000001f3u | (1u << 11) | (z << 30),
			 (u32)eret_land_it_t);
		line(form, z ? "thumb IT EQ, Z=1" : "thumb IT EQ, Z=0");
		expect(nm("IT landed, Z=", z, ""), ok, 1);
		expect(nm("IT: conditional add ran, Z=", z, ""), land_r4, z);
		expect(nm("IT: next add ran, Z=", z, ""), land_r5, 1);
		expect(nm("IT: block over, Z=", z, ""),
		       land_spsr & (0xfc00u | (3u << 25)), 0);
	}

	/* ARM state, PC[1] set (UNPREDICTABLE): the pad, or a prefetch
	 * abort the guest can handle; never a host problem. */
	ok = try(form, 0x000001d3u, (u32)eret_land | 2u);
	line(form, "ARM, pc[1] set");
	expect("ARM pc[1]: landed", ok, 1);
	expect_ok("ARM pc[1]: legal mode", mode_is_legal(land_spsr), land_spsr);
	expect_ok("ARM pc[1]: at the pad or after an alignment abort",
		  land_pc == (u32)eret_land &&
			  (pabt_n == 0 || (pabt_n == 1 &&
					   (pabt_fsr & 0x40f) == FS_ALIGN)),
		  land_pc);

	/* J set: A9's Jazelle is trivial; ARM (T=0) or Thumb/ThumbEE (T=1). */
	ok = try(form, 0x010001d3u, (u32)eret_land);
	line(form, "J=1 T=0");
	expect("J=1 T=0: landed at the ARM pad", ok && land_pc == (u32)eret_land,
	       1);
	ok = try(form, 0x010001f3u, (u32)eret_land_t);
	line(form, "J=1 T=1");
	expect("J=1 T=1: landed at the Thumb pad",
	       ok && land_pc == (u32)eret_land_t, 1);

	/* User mode with every flag and mask bit, and big-endian data. */
	ok = try(form, 0xf80f03d0u, (u32)eret_land);
	line(form, "user, flags/GE/E/A/I/F set");
	expect("user: landed", ok, 1);
	expect("user: mode", land_spsr & 0x1f, M_USR);
	expect("user: NZCVQ, GE, E, A, I, F kept", land_spsr & 0xf80f03c0u,
	       0xf80f03c0u);
}

SCENARIO(eret_forged_modes, 0)
{
	for (unsigned form = 0; form < 4; form++)
		bad_mode_returns(form);
}

SCENARIO(eret_forged_state, 0)
{
	for (unsigned form = 0; form < 4; form++)
		state_returns(form);
}

/* The same four forms left unpatched in the guest kernel. */
SCENARIO(eret_unpatched, 0)
{
	for (unsigned form = 4; form < 8; form++) {
		bad_mode_returns(form);
		state_returns(form);
	}
}

/* RFE and LDM ^ read their frame through the emulator: a frame in the
 * window, or in nothing, is the guest's own data abort. */
SCENARIO(eret_frame_in_window, 0)
{
	static const u32 at[] = { WIN_BASE, WIN_BASE + 0x100u, WIN_LAST };

	static const unsigned forms[] = { 2, 3, 6, 7 };

	mmu_base(L1_A);
	mmu_on(L1_A, 1);
	for (unsigned f = 0; f < 4; f++) {
		unsigned form = forms[f];

		for (unsigned i = 0; i < 3; i++) {
			x_reset();
			expect(nm("frame in the window, landed #", i, ""),
			       eret_try(form, 0x1d3u, (u32)eret_land, at[i]), 0);
			expect(nm("frame in the window, dabt #", i, ""),
			       x_summary(), X_DABT << 8 | 1);
			expect(nm("frame in the window, fsr #", i, ""),
			       last_x.fsr & FSR_MASK, FS_TRANS_SEC);
			expect(nm("frame in the window, far #", i, ""),
			       last_x.far, at[i]);
		}
	}
	/* Returning *into* the window, where the VMM's vectors are: the
	 * guest's own prefetch abort there, then on to the landing pad. */
	for (unsigned form = 0; form < 8; form++) {
		for (unsigned user = 0; user < 2; user++) {
			u32 ok = try(form, user ? 0x10u : 0x1d3u, WIN_BASE + 4 * form);

			line(form, user ? "user return into the window" :
					  "kernel return into the window");
			expect(nm("into the window: landed, form ", form, ""), ok, 1);
			expect(nm("into the window: one prefetch abort, form ", form,
				  ""), pabt_n, 1);
			expect(nm("into the window: ifsr, form ", form, ""),
			       pabt_fsr & FSR_MASK, FS_TRANS_SEC);
			expect(nm("into the window: mode, form ", form, ""),
			       land_spsr & 0x1f, user ? M_USR : M_SVC);
		}
	}
	mmu_off();
	for (unsigned form = 0; form < 8; form++) {
		u32 ok = try(form, 0x1d3u, WIN_BASE + 0x100u);

		expect(nm("MMU off, into the window: landed, form ", form, ""), ok,
		       1);
		expect(nm("MMU off, into the window: external abort, form ", form,
			  ""), pabt_n << 8 | (pabt_fsr & FSR_MASK), 1u << 8 | FS_EXT);
	}
	for (unsigned f = 0; f < 4; f++) {
		unsigned form = forms[f];

		x_reset();
		expect("MMU off, frame in the window: landed",
		       eret_try(form, 0x1d3u, (u32)eret_land, WIN_BASE), 0);
		expect("MMU off, frame in the window: dabt", x_summary(),
		       X_DABT << 8 | 1);
		expect("MMU off, frame in the window: fsr",
		       last_x.fsr & FSR_MASK, FS_EXT);
	}
}
