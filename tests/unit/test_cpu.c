/* SPDX-License-Identifier: MIT */
/*
 * The vCPU: modes and banking against an independent register-file model,
 * exception entry from every mode against the Arm ARM tables (B1-7 and the
 * TakeXxxException pseudocode, transcribed here as data), VFP control
 * registers, resume state and the trap dispatch paths that do not need the
 * decoder.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp15.h"
#include <pvcore/hypercall.h>
#include <pvcore/patch.h>
#include "psci.h"

#include "core.h"
#include "fake_backend.h"

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;
static struct pv_vcpu *cpu;

static void setup(void)
{
	ck_assert_int_eq(fake_backend_setup(&fb, &cfg), 0);
	vm = calloc(1, sizeof(*vm));
	ck_assert_ptr_nonnull(vm);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	cpu = &vm->vcpu[0];
}

static void teardown(void)
{
	free(vm);
	fake_backend_teardown(&fb);
}

static const uint32_t all_modes[] = {
	PV_MODE_USR, PV_MODE_FIQ, PV_MODE_IRQ, PV_MODE_SVC,
	PV_MODE_ABT, PV_MODE_UND, PV_MODE_SYS,
};

/* --- modes --------------------------------------------------------------- */

START_TEST(mode_validity)
{
	for (uint32_t m = 0; m < 32; m++) {
		bool want = false;

		for (unsigned i = 0; i < PV_ARRAY_SIZE(all_modes); i++)
			want |= all_modes[i] == m;
		ck_assert_msg(pv_mode_is_valid(m) == want, "mode %#x", m);
		ck_assert_msg((pv_mode_bank(m) != PV_BANK_COUNT) == want,
			      "bank of %#x", m);
	}
	/* Monitor and Hyp are never guest modes (Non-secure, no Virt. Ext.). */
	ck_assert(!pv_mode_is_valid(PV_MODE_MON));
	ck_assert(!pv_mode_is_valid(PV_MODE_HYP));
	ck_assert_int_eq(pv_mode_bank(PV_MODE_SYS), pv_mode_bank(PV_MODE_USR));
	ck_assert_int_ne(pv_mode_bank(PV_MODE_FIQ), pv_mode_bank(PV_MODE_IRQ));
}
END_TEST

START_TEST(reset_state)
{
	ck_assert_uint_eq(cpu->cpsr, PV_MODE_SVC | PV_PSR_A | PV_PSR_I | PV_PSR_F);
	ck_assert_uint_eq(cpu->cp15.sctlr, 0x00c50078u);
	ck_assert_uint_eq(cpu->cp15.vbar, 0);
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(cpu->r[i], 0);
	ck_assert_ptr_eq(cpu->vm, vm);
	ck_assert_int_eq(pv_cp15_check_table(), 0);
}
END_TEST

/*
 * Independent model of the ARMv7 register file: which physical register
 * does (mode, n) name? Written from the Arm ARM figure B1-2, not from
 * vcpu.c's bank layout.
 */
static int phys_reg(uint32_t mode, unsigned n)
{
	static const uint32_t banked_sp_modes[] = {
		PV_MODE_FIQ, PV_MODE_IRQ, PV_MODE_SVC, PV_MODE_ABT, PV_MODE_UND,
	};

	if (n < 8 || n == 15)
		return (int)n;
	if (n <= 12)
		return mode == PV_MODE_FIQ ? (int)(16 + n - 8) : (int)n;
	for (unsigned i = 0; i < PV_ARRAY_SIZE(banked_sp_modes); i++)
		if (banked_sp_modes[i] == mode)
			return 21 + (int)i * 2 + (int)(n - 13);
	return (int)n; /* USR and SYS: r13, r14 themselves */
}

START_TEST(banking_round_trip)
{
	uint32_t model[40];

	/* Write every (mode, n) with a value unique to its physical register. */
	for (unsigned m = 0; m < PV_ARRAY_SIZE(all_modes); m++)
		for (unsigned n = 0; n < 15; n++) {
			int p = phys_reg(all_modes[m], n);

			model[p] = 0xa5000000u | (uint32_t)p << 8 | m;
			pv_vcpu_set_reg_mode(cpu, all_modes[m], n, model[p]);
		}
	/* Walk through every ordered pair of modes; every view must agree. */
	for (unsigned a = 0; a < PV_ARRAY_SIZE(all_modes); a++)
		for (unsigned b = 0; b < PV_ARRAY_SIZE(all_modes); b++) {
			pv_vcpu_set_mode(cpu, all_modes[a]);
			pv_vcpu_set_mode(cpu, all_modes[b]);
			ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, all_modes[b]);
			for (unsigned n = 0; n < 15; n++) {
				ck_assert_uint_eq(cpu->r[n],
						  model[phys_reg(all_modes[b], n)]);
				for (unsigned m = 0; m < PV_ARRAY_SIZE(all_modes); m++)
					ck_assert_uint_eq(
						pv_vcpu_get_reg_mode(cpu, all_modes[m], n),
						model[phys_reg(all_modes[m], n)]);
			}
		}
}
END_TEST

START_TEST(spsr_per_mode)
{
	for (unsigned m = 0; m < PV_ARRAY_SIZE(all_modes); m++) {
		pv_vcpu_set_mode(cpu, all_modes[m]);
		if (all_modes[m] == PV_MODE_USR || all_modes[m] == PV_MODE_SYS) {
			ck_assert_ptr_null(pv_vcpu_spsr(cpu));
			continue;
		}
		ck_assert_ptr_nonnull(pv_vcpu_spsr(cpu));
		*pv_vcpu_spsr(cpu) = 0x100 + m;
	}
	for (unsigned m = 0; m < PV_ARRAY_SIZE(all_modes); m++) {
		pv_vcpu_set_mode(cpu, all_modes[m]);
		if (pv_vcpu_spsr(cpu))
			ck_assert_uint_eq(*pv_vcpu_spsr(cpu), 0x100 + m);
	}
}
END_TEST

START_TEST(write_cpsr_banks_and_rejects_bad_modes)
{
	pv_vcpu_set_reg_mode(cpu, PV_MODE_IRQ, 13, 0x1234);
	pv_vcpu_write_cpsr(cpu, PV_MODE_IRQ | PV_PSR_Z | PV_PSR_I);
	ck_assert_uint_eq(cpu->cpsr, PV_MODE_IRQ | PV_PSR_Z | PV_PSR_I);
	ck_assert_uint_eq(cpu->r[13], 0x1234);
	/* Monitor, Hyp and reserved encodings: mode stays, other bits apply. */
	const uint32_t bad[] = { PV_MODE_MON, PV_MODE_HYP, 0x14, 0x15, 0x00, 0x0f };
	for (unsigned i = 0; i < PV_ARRAY_SIZE(bad); i++) {
		pv_vcpu_write_cpsr(cpu, bad[i] | PV_PSR_N);
		ck_assert_uint_eq(cpu->cpsr, PV_MODE_IRQ | PV_PSR_N);
		ck_assert_uint_eq(cpu->r[13], 0x1234);
	}
}
END_TEST

/* --- exception entry ------------------------------------------------------ */

/*
 * Arm ARM (DDI 0406C) table B1-7 "Offsets applied to Link value for
 * exceptions taken to PL1 modes" and B1.8: mode, LR offset (ARM, Thumb),
 * whether CPSR.A and CPSR.F get set. A Non-secure guest whose SCR has
 * AW = FW = 1 behaves like a CPU without the Security Extensions.
 */
static const struct {
	enum pv_exception exc;
	uint32_t mode;
	uint32_t lr_arm, lr_thumb;
	bool a, f;
	uint32_t offset;
} arm_arm[] = {
	{ PV_EXC_UNDEF, PV_MODE_UND, 4, 2, false, false, 0x04 },
	{ PV_EXC_SVC, PV_MODE_SVC, 0, 0, false, false, 0x08 },
	{ PV_EXC_PABT, PV_MODE_ABT, 4, 4, true, false, 0x0c },
	{ PV_EXC_DABT, PV_MODE_ABT, 8, 8, true, false, 0x10 },
	{ PV_EXC_IRQ, PV_MODE_IRQ, 4, 4, true, false, 0x18 },
	{ PV_EXC_FIQ, PV_MODE_FIQ, 4, 4, true, true, 0x1c },
};

static void check_entry(unsigned i)
{
	/* i: exception x source mode x Thumb x SCTLR variant. */
	unsigned e = i % PV_ARRAY_SIZE(arm_arm);
	unsigned m = i / PV_ARRAY_SIZE(arm_arm) % PV_ARRAY_SIZE(all_modes);
	unsigned var = i / PV_ARRAY_SIZE(arm_arm) / PV_ARRAY_SIZE(all_modes);
	bool thumb = var & 1, te = var & 2, ee = var & 4, hivec = var & 8;
	uint32_t src = all_modes[m], pc = 0xc0123450u, ret, old;
	uint32_t other_sp;

	pv_vcpu_write_cpsr(cpu, src);
	for (unsigned n = 0; n < 15; n++)
		cpu->r[n] = 0x100 + n;
	/* Source: flags, GE, IT, J, T, E and clear masks, to see what changes. */
	old = src | PV_PSR_N | PV_PSR_C | PV_PSR_Q | (0x5u << 16) |
	      (0x2u << 25) | (0x11u << 10) | PV_PSR_E;
	if (thumb)
		old |= PV_PSR_T;
	cpu->cpsr = old;
	cpu->cp15.sctlr = 0x00c50078u | (te ? PV_SCTLR_TE : 0) |
			  (ee ? PV_SCTLR_EE : 0) | (hivec ? PV_SCTLR_V : 0);
	cpu->cp15.vbar = 0x80004000u;
	other_sp = pv_vcpu_get_reg_mode(cpu, arm_arm[e].mode, 13);
	ret = (arm_arm[e].exc == PV_EXC_SVC) ? pc + (thumb ? 2 : 4) : pc;
	cpu->r[15] = pc;

	pv_vcpu_take_exception(cpu, arm_arm[e].exc, ret);

	uint32_t want_cpsr = (old & (PV_PSR_NZCV | PV_PSR_Q | PV_PSR_GE_MASK |
				     PV_PSR_A | PV_PSR_F)) |
			     arm_arm[e].mode | PV_PSR_I |
			     (arm_arm[e].a ? PV_PSR_A : 0) |
			     (arm_arm[e].f ? PV_PSR_F : 0) |
			     (te ? PV_PSR_T : 0) | (ee ? PV_PSR_E : 0);
	ck_assert_uint_eq(cpu->cpsr, want_cpsr);
	ck_assert_uint_eq(*pv_vcpu_spsr(cpu), old);
	ck_assert_uint_eq(cpu->r[14],
			  ret + (thumb ? arm_arm[e].lr_thumb : arm_arm[e].lr_arm));
	ck_assert_uint_eq(cpu->r[15], (hivec ? 0xffff0000u : 0x80004000u) +
					      arm_arm[e].offset);
	/* The target's own banked SP is live, unless it is the source's. */
	if (pv_mode_bank(src) != pv_mode_bank(arm_arm[e].mode))
		ck_assert_uint_eq(cpu->r[13], other_sp);
	/* r0..r7 are untouched, and the source mode's r13 is preserved. */
	for (unsigned n = 0; n < 8; n++)
		ck_assert_uint_eq(cpu->r[n], 0x100 + n);
	if (pv_mode_bank(src) != pv_mode_bank(arm_arm[e].mode))
		ck_assert_uint_eq(pv_vcpu_get_reg_mode(cpu, src, 13), 0x100 + 13);
}

#define N_ENTRY_CASES (PV_ARRAY_SIZE(arm_arm) * PV_ARRAY_SIZE(all_modes) * 16)

START_TEST(exception_entry_every_mode)
{
	for (unsigned i = 0; i < N_ENTRY_CASES; i++) {
		pv_vcpu_reset(cpu);
		check_entry(i);
	}
}
END_TEST

START_TEST(exception_keeps_masks_set)
{
	/* A and F are only ever set by entry, never cleared. */
	cpu->cpsr = PV_MODE_SVC | PV_PSR_A | PV_PSR_F;
	pv_vcpu_take_exception(cpu, PV_EXC_SVC, 0x100);
	ck_assert_uint_eq(cpu->cpsr & (PV_PSR_A | PV_PSR_F | PV_PSR_I),
			  PV_PSR_A | PV_PSR_F | PV_PSR_I);
	/* VBAR low bits are not part of the base. */
	cpu->cp15.vbar = 0x12345660u;
	pv_vcpu_take_exception(cpu, PV_EXC_IRQ, 0x100);
	ck_assert_uint_eq(cpu->r[15], 0x12345660u + 0x18);
}
END_TEST

START_TEST(inject_abort_sets_fault_registers)
{
	cpu->cpsr = PV_MODE_USR;
	pv_vcpu_inject_abort(cpu, false, 0x80d, 0xdead0000u, 0x8000);
	ck_assert_uint_eq(cpu->cp15.dfsr, 0x80d);
	ck_assert_uint_eq(cpu->cp15.dfar, 0xdead0000u);
	ck_assert_uint_eq(cpu->cp15.ifsr, 0);
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_ABT);
	ck_assert_uint_eq(cpu->r[14], 0x8008);
	ck_assert_uint_eq(cpu->r[15], 0x10);
	pv_vcpu_inject_abort(cpu, true, 0x7, 0xbeef0000u, 0x9000);
	ck_assert_uint_eq(cpu->cp15.ifsr, 0x7);
	ck_assert_uint_eq(cpu->cp15.ifar, 0xbeef0000u);
	ck_assert_uint_eq(cpu->cp15.dfsr, 0x80d);
	ck_assert_uint_eq(cpu->r[14], 0x9004);
	ck_assert_uint_eq(cpu->r[15], 0x0c);
	ck_assert_uint_eq(*pv_vcpu_spsr(cpu) & PV_PSR_M_MASK, PV_MODE_ABT);
}
END_TEST

/* --- VFP and resume ---------------------------------------------------- */

START_TEST(vfp_enable_matrix)
{
	/* CPACR cp10/cp11 field value x FPEXC.EN x privilege. */
	static const uint32_t fields[] = { 0, 1, 2, 3 };

	for (unsigned f = 0; f < 4; f++)
		for (unsigned en = 0; en < 2; en++)
			for (unsigned priv = 0; priv < 2; priv++) {
				struct pv_resume rs;
				bool want = en && (fields[f] == 3 ||
						   (fields[f] == 1 && priv));

				cpu->cp15.cpacr = fields[f] << 20 | fields[f] << 22;
				cpu->vfp.fpexc = en ? PV_FPEXC_EN : 0;
				pv_vcpu_write_cpsr(cpu, priv ? PV_MODE_SVC : PV_MODE_USR);
				pv_vcpu_resume_state(cpu, &rs);
				ck_assert_msg(rs.vfp_enable == want,
					      "cpacr %u en %u priv %u", f, en, priv);
			}
	/* cp10 and cp11 disagreeing is treated as no access. */
	cpu->cp15.cpacr = 3u << 20;
	cpu->vfp.fpexc = PV_FPEXC_EN;
	ck_assert(!pv_vcpu_vfp_enabled(cpu));
}
END_TEST

START_TEST(vfp_sysregs)
{
	uint32_t v = 0;

	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC);
	/* CPACR denies cp10/11 at reset: everything UNDEFINED. */
	ck_assert_int_eq(pv_vfp_sysreg_read(cpu, PV_VFP_FPSID, &v), PV_EUNDEF);
	cpu->cp15.cpacr = 0x00f00000u;
	ck_assert_int_eq(pv_vfp_sysreg_read(cpu, PV_VFP_FPSID, &v), 0);
	ck_assert_uint_eq(v, 0x41033094u);
	ck_assert_int_eq(pv_vfp_sysreg_read(cpu, PV_VFP_MVFR0, &v), 0);
	ck_assert_uint_eq(v, 0x10110222u);
	ck_assert_int_eq(pv_vfp_sysreg_read(cpu, PV_VFP_MVFR1, &v), 0);
	ck_assert_uint_eq(v, 0x01111111u);
	/* FPSCR needs FPEXC.EN. */
	ck_assert_int_eq(pv_vfp_sysreg_read(cpu, PV_VFP_FPSCR, &v), PV_EUNDEF);
	v = 0xffffffffu;
	ck_assert_int_eq(pv_vfp_sysreg_write(cpu, PV_VFP_FPEXC, &v), 0);
	ck_assert_uint_eq(cpu->vfp.fpexc, PV_FPEXC_EN); /* EX etc. RAZ/WI */
	ck_assert_int_eq(pv_vfp_sysreg_write(cpu, PV_VFP_FPSCR, &v), 0);
	ck_assert_uint_eq(cpu->vfp.fpscr, 0xfff7009fu);
	/* MVFRs are read-only, FPINST does not exist on the A9. */
	ck_assert_int_eq(pv_vfp_sysreg_write(cpu, PV_VFP_MVFR0, &v), PV_EUNDEF);
	ck_assert_int_eq(pv_vfp_sysreg_read(cpu, PV_VFP_FPINST, &v), PV_EUNDEF);
	ck_assert_int_eq(pv_vfp_sysreg_read(cpu, PV_VFP_FPINST2, &v), PV_EUNDEF);
	/* PL0: only FPSCR. */
	pv_vcpu_write_cpsr(cpu, PV_MODE_USR);
	ck_assert_int_eq(pv_vfp_sysreg_read(cpu, PV_VFP_FPEXC, &v), PV_EUNDEF);
	ck_assert_int_eq(pv_vfp_sysreg_read(cpu, PV_VFP_FPSCR, &v), 0);
	cpu->cp15.cpacr = 0x00500000u; /* PL1 only */
	ck_assert_int_eq(pv_vfp_sysreg_read(cpu, PV_VFP_FPSCR, &v), PV_EUNDEF);
}
END_TEST

START_TEST(resume_state_host_cpsr)
{
	struct pv_resume rs;
	uint32_t user = PV_PSR_NZCV | PV_PSR_Q | PV_PSR_GE_MASK | PV_PSR_IT_MASK |
			PV_PSR_T | PV_PSR_E;

	cpu->cpsr = 0xffffffffu & ~PV_PSR_M_MASK;
	cpu->cpsr |= PV_MODE_SVC;
	pv_vcpu_resume_state(cpu, &rs);
	ck_assert_uint_eq(rs.host_cpsr, PV_MODE_USR | user);
	/* Never the guest's masks or J. */
	ck_assert_uint_eq(rs.host_cpsr & (PV_PSR_A | PV_PSR_I | PV_PSR_F | PV_PSR_J), 0);
	cpu->cp15.tpidruro = 0x1111;
	cpu->cp15.tpidrurw = 0x2222;
	pv_vcpu_resume_state(cpu, &rs);
	ck_assert_uint_eq(rs.tpidruro, 0x1111);
	ck_assert_uint_eq(rs.tpidrurw, 0x2222);
	ck_assert(!rs.align_check);
	/* The guest's SCTLR.A, written as the guest writes it, reaches the host. */
	{
		const struct pv_cp_access sctlr = { 15, 0, 1, 0, 0, false, false };
		uint32_t v[2] = { cpu->cp15.sctlr | PV_SCTLR_A, 0 };

		ck_assert_int_eq(pv_cp_write(cpu, &sctlr, v), 0);
		pv_vcpu_resume_state(cpu, &rs);
		ck_assert(rs.align_check);
		v[0] &= ~PV_SCTLR_A;
		ck_assert_int_eq(pv_cp_write(cpu, &sctlr, v), 0);
		pv_vcpu_resume_state(cpu, &rs);
		ck_assert(!rs.align_check);
	}
}
END_TEST

/* --- trap dispatch (paths that need no decoder) --------------------------- */

static struct pv_trap mk_trap(enum pv_trap_kind kind, uint32_t host_cpsr,
			      uint32_t fsr, uint32_t far)
{
	struct pv_trap t = { kind, host_cpsr, fsr, far };

	return t;
}

START_TEST(trap_rejects_bad_kind)
{
	struct pv_trap t = mk_trap(PV_TRAP_KIND_COUNT, 0, 0, 0);
	struct pv_exit ex;
	struct pv_vcpu before = *cpu;

	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), PV_EINVAL);
	ck_assert_int_eq(memcmp(&before, cpu, sizeof(before)), 0);
}
END_TEST

START_TEST(trap_svc_reflects)
{
	struct pv_trap t;
	struct pv_exit ex;

	pv_vcpu_write_cpsr(cpu, PV_MODE_USR);
	cpu->r[15] = 0x10008000u;
	/* The host SPSR carries the user bits: they land in the guest CPSR. */
	t = mk_trap(PV_TRAP_SVC, PV_MODE_USR | PV_PSR_Z | PV_PSR_C, 0, 0);
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_SVC);
	ck_assert_uint_eq(cpu->r[14], 0x10008004u);
	ck_assert_uint_eq(cpu->r[15], 0x08);
	ck_assert_uint_eq(*pv_vcpu_spsr(cpu), PV_MODE_USR | PV_PSR_Z | PV_PSR_C);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_SVC), 1);
	/* Thumb SVC: the return address is 2 bytes on. */
	pv_vcpu_write_cpsr(cpu, PV_MODE_USR | PV_PSR_T);
	cpu->r[15] = 0x10008000u;
	t = mk_trap(PV_TRAP_SVC, PV_MODE_USR | PV_PSR_T, 0, 0);
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
	ck_assert_uint_eq(cpu->r[14], 0x10008002u);
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_T, 0);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_SVC), 2);
}
END_TEST

START_TEST(trap_undef_of_vfp_insn_injects_undef)
{
	struct pv_trap t;
	struct pv_exit ex;
	struct pv_trace_entry te;
	uint32_t *ram = fake_backend_ram(&fb, FAKE_RAM_BASE + 0x100);

	/* VADD.F32 s0, s0, s0 with the VFP disabled: the guest's own UNDEF. */
	ram[0] = 0xee300a00u;
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I);
	cpu->r[15] = FAKE_RAM_BASE + 0x100;
	t = mk_trap(PV_TRAP_UNDEF, PV_MODE_USR, 0, 0);
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_UND);
	ck_assert_uint_eq(cpu->r[14], FAKE_RAM_BASE + 0x104);
	ck_assert_uint_eq(cpu->r[15], 0x04);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_UNDEF_INJECT), 1);
	ck_assert_int_eq(pv_vm_trace(vm, 0, &te), 0);
	ck_assert_uint_eq(te.insn, 0xee300a00u);
	/* The exit tells the backend what happened, without the counters. */
	ck_assert_int_eq(ex.reason, PV_TR_UNDEF_INJECT);
	ck_assert_int_eq(ex.injected, PV_INJ_UNDEF);
	ck_assert_uint_eq(ex.pc, FAKE_RAM_BASE + 0x100);
	ck_assert_uint_eq(ex.insn, 0xee300a00u);
	ck_assert_uint_eq(ex.cpsr & PV_PSR_M_MASK, PV_MODE_SVC);
}
END_TEST

START_TEST(trap_undef_fetch_fault_is_prefetch_abort)
{
	struct pv_trap t = mk_trap(PV_TRAP_UNDEF, PV_MODE_USR, 0, 0);
	struct pv_exit ex;

	/* MMU off, PC outside RAM and devices: the fetch is an external abort. */
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC);
	cpu->r[15] = 0x08000000u;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_ABT);
	ck_assert_uint_eq(cpu->cp15.ifar, 0x08000000u);
	ck_assert_uint_eq(cpu->cp15.ifsr & 0x40fu, PV_FS_SYNC_EXT);
	ck_assert_uint_eq(cpu->r[14], 0x08000004u);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_GUEST_PABT), 1);
}
END_TEST

START_TEST(trap_dabt_alignment_is_guests)
{
	struct pv_trap t = mk_trap(PV_TRAP_DABT, PV_MODE_USR,
				   PV_FSR_FS(PV_FS_ALIGNMENT) | PV_FSR_WNR,
				   0x10000001u);
	struct pv_exit ex;

	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC);
	cpu->r[15] = 0x10000200u;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_ABT);
	ck_assert_uint_eq(cpu->cp15.dfsr, PV_FS_ALIGNMENT | PV_FSR_WNR);
	ck_assert_uint_eq(cpu->cp15.dfar, 0x10000001u);
	ck_assert_uint_eq(cpu->r[14], 0x10000208u);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_GUEST_DABT), 1);
}
END_TEST

START_TEST(trap_dabt_shadow_fill_resumes)
{
	struct pv_trap t = mk_trap(PV_TRAP_DABT, PV_MODE_USR,
				   PV_FSR_FS(PV_FS_TRANSL_SECTION), 0x10001000u);
	struct pv_exit ex;
	uint32_t cpsr;

	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC);
	cpsr = cpu->cpsr;
	cpu->r[15] = 0x10000200u;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
	/* A fill retries the instruction: nothing guest-visible changes. */
	ck_assert_uint_eq(cpu->r[15], 0x10000200u);
	ck_assert_uint_eq(cpu->cpsr, cpsr);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_SHADOW_FILL), 1);
}
END_TEST

START_TEST(trap_unknown_host_fault_is_fatal)
{
	struct pv_trap t = mk_trap(PV_TRAP_DABT, PV_MODE_USR,
				   PV_FSR_FS(PV_FS_DEBUG), 0x10001000u);
	struct pv_exit ex;

	cpu->r[15] = 0x10000200u;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_STOP);
	ck_assert_int_eq(ex.stop, PV_STOP_FATAL);
	ck_assert_int_eq(ex.code, PV_EBACKEND);
	ck_assert_uint_gt(fb.log_lines, 0); /* the trace was dumped */
	/* A stopped vCPU stays stopped. */
	t = mk_trap(PV_TRAP_SVC, PV_MODE_USR, 0, 0);
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_STOP);
	ck_assert_int_eq(ex.code, PV_EBACKEND);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_SVC), 0);
}
END_TEST

START_TEST(irq_delivery_and_masking)
{
	struct pv_trap t = mk_trap(PV_TRAP_IRQ, PV_MODE_USR, 0, 0);
	struct pv_exit ex;

	/* Masked: the host IRQ is counted, nothing delivered. */
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I);
	cpu->r[15] = 0x10000300u;
	pv_vcpu_set_lines(cpu, true, false);
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
	ck_assert_uint_eq(cpu->r[15], 0x10000300u);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_HOST_IRQ), 1);
	ck_assert_uint_eq(pv_vm_event_count(vm, PV_EV_VIRQ), 0);
	/* Unmasked: IRQ entry with LR = next instruction + 4. */
	cpu->cpsr &= ~PV_PSR_I;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_IRQ);
	ck_assert_uint_eq(cpu->r[14], 0x10000304u);
	ck_assert_uint_eq(cpu->r[15], 0x18);
	ck_assert_uint_eq(pv_vm_event_count(vm, PV_EV_VIRQ), 1);
	/* FIQ wins over IRQ, and is counted as a FIQ, not as an IRQ. */
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC);
	cpu->r[15] = 0x10000400u;
	pv_vcpu_set_lines(cpu, true, true);
	ck_assert_uint_eq(pv_vm_event_count(vm, PV_EV_VFIQ), 0);
	ck_assert_int_eq(pv_vcpu_poll(cpu, &ex), 0);
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_FIQ);
	ck_assert_uint_eq(cpu->cpsr & (PV_PSR_F | PV_PSR_I), PV_PSR_F | PV_PSR_I);
	ck_assert_uint_eq(cpu->r[14], 0x10000404u);
	ck_assert_uint_eq(cpu->r[15], 0x1c);
	ck_assert_uint_eq(pv_vm_event_count(vm, PV_EV_VFIQ), 1);
	ck_assert_uint_eq(pv_vm_event_count(vm, PV_EV_VIRQ), 1);
	ck_assert_str_eq(pv_event_name(PV_EV_VFIQ), "vfiq");
}
END_TEST

START_TEST(wfi_wait_and_wake)
{
	struct pv_exit ex;

	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I);
	cpu->r[15] = 0x10000500u;
	cpu->wfi = true;
	ck_assert_int_eq(pv_vcpu_poll(cpu, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_WAIT);
	/* A masked interrupt still ends WFI (Linux idles with IRQs masked). */
	pv_vcpu_set_lines(cpu, true, false);
	ck_assert_int_eq(pv_vcpu_poll(cpu, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
	ck_assert(!cpu->wfi);
	ck_assert_uint_eq(cpu->r[15], 0x10000500u);
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_SVC);
	/* The same for a masked FIQ. */
	cpu->cpsr |= PV_PSR_F;
	cpu->wfi = true;
	pv_vcpu_set_lines(cpu, false, true);
	ck_assert_int_eq(pv_vcpu_poll(cpu, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
	ck_assert(!cpu->wfi);
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_SVC);
	/* Nothing pending and no WFI: run. */
	pv_vcpu_set_lines(cpu, false, false);
	ck_assert_int_eq(pv_vcpu_poll(cpu, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
}
END_TEST

START_TEST(hypercalls)
{
	struct pv_outcome ex = pv_out_resume();
	static const uint8_t in[] = { 'q' };

	cpu->r[0] = PV_HC_CONSOLE_PUTC;
	cpu->r[1] = 0x141; /* only the low byte counts */
	ex = pv_hypercall(cpu);
	ck_assert_uint_eq(cpu->r[0], 0);
	ck_assert_uint_eq(fb.console_len, 1);
	ck_assert_uint_eq(fb.console[0], 'A');

	cpu->r[0] = PV_HC_CONSOLE_GETC;
	ex = pv_hypercall(cpu);
	ck_assert_uint_eq(cpu->r[0], 0xffffffffu);
	fb.input = in;
	fb.input_len = 1;
	cpu->r[0] = PV_HC_CONSOLE_GETC;
	ex = pv_hypercall(cpu);
	ck_assert_uint_eq(cpu->r[0], 'q');

	vm->stats.traps[PV_TR_WFI] = 0x123456789ull;
	vm->stats.events[PV_EV_VFIQ] = 7;
	cpu->r[0] = PV_HC_TRAP_COUNT;
	cpu->r[1] = PV_TR_WFI;
	ex = pv_hypercall(cpu);
	ck_assert_uint_eq(cpu->r[0], 0x23456789u);
	ck_assert_uint_eq(cpu->r[1], 0x1);
	cpu->r[0] = PV_HC_TRAP_COUNT;
	cpu->r[1] = 0xffffffffu;
	ex = pv_hypercall(cpu);
	ck_assert_uint_eq(cpu->r[0], PV_TR_COUNT + PV_EV_COUNT);
	/* The events follow the trap reasons. */
	cpu->r[0] = PV_HC_TRAP_COUNT;
	cpu->r[1] = PV_TR_COUNT + PV_EV_VFIQ;
	ex = pv_hypercall(cpu);
	ck_assert_uint_eq(cpu->r[0], 7);
	ck_assert_uint_eq(cpu->r[1], 0);

	cpu->r[0] = 0x85000fffu;
	ex = pv_hypercall(cpu);
	ck_assert_uint_eq(cpu->r[0], PV_SMCCC_NOT_SUPPORTED);
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME);

	cpu->r[0] = PV_HC_TRACE_DUMP;
	ex = pv_hypercall(cpu);
	ck_assert_uint_gt(fb.log_lines, 0);

	cpu->r[0] = PV_HC_EXIT;
	cpu->r[1] = 42;
	ex = pv_hypercall(cpu);
	ck_assert_int_eq(ex.action, PV_ACTION_STOP);
	ck_assert_int_eq(ex.stop, PV_STOP_HYPERCALL);
	ck_assert_int_eq(ex.code, 42);
	/* Reported, not applied: the dispatcher owns the run state. */
	ck_assert_int_eq(cpu->stop, PV_STOP_NONE);
}
END_TEST

/* End to end through the decoder and emulator (issue 3). */
static void run_undef(uint32_t pc, uint32_t word, struct pv_exit *ex)
{
	struct pv_trap t = mk_trap(PV_TRAP_UNDEF, cpu->cpsr & PV_PSR_USER_MASK, 0, 0);
	uint32_t *ram = fake_backend_ram(&fb, pc);

	*ram = word;
	cpu->r[15] = pc;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, ex), 0);
}

START_TEST(trap_emulates_cp15_and_counts)
{
	struct pv_exit ex;

	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I);
	run_undef(FAKE_RAM_BASE + 0x200, 0xee100f10u, &ex); /* mrc p15,0,r0,c0,c0,0 */
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
	ck_assert_uint_eq(cpu->r[0], PV_A9_MIDR);
	ck_assert_uint_eq(cpu->r[15], FAKE_RAM_BASE + 0x204);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_CP15_READ), 1);
	cpu->r[3] = 0x55555551u;
	run_undef(FAKE_RAM_BASE + 0x204, 0xee033f10u, &ex); /* mcr p15,0,r3,c3,c0,0 */
	ck_assert_uint_eq(cpu->cp15.dacr, 0x55555551u);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_CP15_WRITE), 1);
	/* mrc p14,0,r1,c0,c0,0 (DBGDIDR) counts as CP14. */
	run_undef(FAKE_RAM_BASE + 0x208, 0xee101e10u, &ex);
	ck_assert_uint_eq(cpu->r[1], 0x3513102au);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_CP14), 1);
	/* An UNDEFINED register (SCR from Non-secure) injects UNDEF. */
	run_undef(FAKE_RAM_BASE + 0x20c, 0xee110f11u, &ex); /* mrc p15,0,r0,c1,c1,0 */
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_UND);
	ck_assert_uint_eq(cpu->r[14], FAKE_RAM_BASE + 0x210);
}
END_TEST

START_TEST(trap_patched_site_uses_original)
{
	static struct pv_patch_site site;
	static struct pv_patch_table table = { .sites = &site, .count = 1 };
	struct pv_exit ex;

	site.va = FAKE_RAM_BASE + 0x300;
	site.original = 0xee100f10u; /* mrc p15,0,r0,c0,c0,0 */
	site.patched = 0xe7f5a0f3u;  /* whatever the patcher wrote */
	site.cls = PV_IC_CP_MOVE;
	vm->cfg.patch_sites = &table;
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC);
	run_undef(site.va, site.patched, &ex);
	ck_assert_uint_eq(cpu->r[0], PV_A9_MIDR);
	ck_assert_uint_eq(cpu->r[15], site.va + 4);
	ck_assert_uint_eq(pv_vm_event_count(vm, PV_EV_PATCHED), 1);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_CP15_READ), 1);
	/*
	 * The guest since rewrote the site (freed init text, ftrace): a
	 * different UNDEF there is the guest's own, not the old original.
	 */
	cpu->r[0] = 0;
	run_undef(site.va, 0xe7f001f2u, &ex); /* BUG()'s udf */
	ck_assert_uint_eq(cpu->r[0], 0);
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_UND);
	ck_assert_uint_eq(pv_vm_event_count(vm, PV_EV_PATCHED), 1);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_UNDEF_INJECT), 1);
}
END_TEST

/*
 * A self-describing trap word (patch.h) is emulated exactly as the table
 * site of the same original: for every form pvpatch writes, in A32, T32
 * and T16, from several privileged modes and flag states (conditions
 * passing and failing), the registers, PSRs, PC, the run state and the
 * counters come out the same. From guest user mode a self-describing word
 * is the guest's own UNDEF.
 */
struct run_snap {
	uint32_t r[16], cpsr, spsr[PV_BANK_COUNT], bank_sp[PV_BANK_COUNT];
	uint32_t bank_lr[PV_BANK_COUNT], usr_r8_12[5], fiq_r8_12[5];
	bool wfi;
	struct pv_exit ex;
	uint64_t patched;
};

static void run_word(uint32_t pc, uint32_t word, unsigned isa, struct run_snap *o)
{
	struct pv_trap t = mk_trap(PV_TRAP_UNDEF, cpu->cpsr & PV_PSR_USER_MASK, 0, 0);
	uint8_t *ram = (uint8_t *)fake_backend_ram(&fb, pc);
	uint64_t before = pv_vm_event_count(vm, PV_EV_PATCHED);

	if (isa == 0 || (isa & PV_SITE_T16)) {
		for (int i = 0; i < ((isa & PV_SITE_T16) ? 2 : 4); i++)
			ram[i] = (uint8_t)(word >> (8 * i));
	} else {
		ram[0] = (uint8_t)(word >> 16);
		ram[1] = (uint8_t)(word >> 24);
		ram[2] = (uint8_t)word;
		ram[3] = (uint8_t)(word >> 8);
	}
	memset(&cpu->decoded, 0, sizeof(cpu->decoded));
	cpu->r[15] = pc;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &o->ex), 0);
	memcpy(o->r, cpu->r, sizeof(o->r));
	o->cpsr = cpu->cpsr;
	memcpy(o->spsr, cpu->spsr, sizeof(o->spsr));
	memcpy(o->bank_sp, cpu->bank_sp, sizeof(o->bank_sp));
	memcpy(o->bank_lr, cpu->bank_lr, sizeof(o->bank_lr));
	memcpy(o->usr_r8_12, cpu->usr_r8_12, sizeof(o->usr_r8_12));
	memcpy(o->fiq_r8_12, cpu->fiq_r8_12, sizeof(o->fiq_r8_12));
	o->wfi = cpu->wfi;
	o->patched = pv_vm_event_count(vm, PV_EV_PATCHED) - before;
}

START_TEST(trap_self_words_emulate_as_table_sites)
{
	static const struct { uint32_t orig; unsigned isa; } forms[] = {
		{ 0xF10C0080u, 0 }, { 0xF1080080u, 0 }, { 0xF10C01C0u, 0 },
		{ 0xF1080040u, 0 }, { 0xF1020013u, 0 }, { 0xF10E009Fu, 0 },
		{ 0xE10F0000u, 0 }, { 0xE14F5000u, 0 }, { 0x110F1000u, 0 },
		{ 0x014FE000u, 0 }, { 0xE121F002u, 0 }, { 0xE12FF003u, 0 },
		{ 0xE16FF004u, 0 }, { 0xE128F001u, 0 }, { 0x1121F002u, 0 },
		{ 0xA169F00Cu, 0 }, { 0xE320F003u, 0 }, { 0xE320F002u, 0 },
		{ 0x1320F003u, 0 }, { 0x0320F002u, 0 },
		{ 0xF3AF8640u, PV_SITE_THUMB }, { 0xF3AF8460u, PV_SITE_THUMB },
		{ 0xF3AF8113u, PV_SITE_THUMB }, { 0xF3EF8000u, PV_SITE_THUMB },
		{ 0xF3FF8100u, PV_SITE_THUMB }, { 0xF3828100u, PV_SITE_THUMB },
		{ 0xF3938F00u, PV_SITE_THUMB }, { 0xF3AF8003u, PV_SITE_THUMB },
		{ 0xF3AF8002u, PV_SITE_THUMB },
		{ 0xB672u, PV_SITE_THUMB | PV_SITE_T16 },
		{ 0xB662u, PV_SITE_THUMB | PV_SITE_T16 },
		{ 0xB677u, PV_SITE_THUMB | PV_SITE_T16 },
		{ 0xBF30u, PV_SITE_THUMB | PV_SITE_T16 },
		{ 0xBF20u, PV_SITE_THUMB | PV_SITE_T16 },
	};
	static const uint32_t states[] = {
		PV_MODE_SVC | PV_PSR_I, PV_MODE_SVC | PV_PSR_Z | PV_PSR_A,
		PV_MODE_IRQ | PV_PSR_I | PV_PSR_F | PV_PSR_N | PV_PSR_C,
		PV_MODE_SYS | PV_PSR_V, PV_MODE_ABT | PV_PSR_Z | PV_PSR_C,
	};
	static struct pv_patch_site site;
	static struct pv_patch_table table = { .sites = &site, .count = 1 };
	const uint32_t pc = FAKE_RAM_BASE + 0x400;
	struct run_snap a, b;
	struct pv_vcpu saved;
	unsigned compared = 0;

	for (size_t f = 0; f < PV_ARRAY_SIZE(forms); f++) {
		unsigned isa = forms[f].isa;
		uint32_t self;
		struct pv_insn in;
		int rc = (isa == 0) ? pv_decode_arm(forms[f].orig, &in) :
			 (isa & PV_SITE_T16) ? pv_decode_thumb((uint16_t)forms[f].orig, 0, &in) :
			 pv_decode_thumb((uint16_t)(forms[f].orig >> 16),
					 (uint16_t)forms[f].orig, &in);

		ck_assert_int_eq(rc, 0);
		ck_assert_int_eq(pv_patch_self_encode(forms[f].orig, isa, &self), 0);
		site = (struct pv_patch_site){ pc, forms[f].orig,
			isa == 0 ? pv_patch_marker_a32(in.cls) :
			(isa & PV_SITE_T16) ? pv_patch_marker_t16(in.cls) :
			pv_patch_marker_t32(in.cls), in.cls, (uint16_t)isa };
		for (size_t k = 0; k < PV_ARRAY_SIZE(states); k++) {
			pv_vcpu_write_cpsr(cpu, states[k] | (isa ? PV_PSR_T : 0));
			for (int i = 0; i < 15; i++)
				cpu->r[i] = (i & 1) ? 0x600001D3u : 0x90000112u + 0x10000u * (uint32_t)i;
			if (pv_vcpu_spsr(cpu))
				*pv_vcpu_spsr(cpu) = 0x20000010u | (uint32_t)k;
			cpu->wfi = false;
			saved = *cpu;
			vm->cfg.patch_sites = &table;
			run_word(pc, site.patched, isa, &a);
			*cpu = saved;
			vm->cfg.patch_sites = NULL;
			run_word(pc, self, isa, &b);
			*cpu = saved;
			ck_assert_msg(a.patched == 1 && b.patched == 1,
				      "form 0x%08x: not taken as a site", forms[f].orig);
			ck_assert_msg(!memcmp(a.r, b.r, sizeof(a.r)) && a.cpsr == b.cpsr &&
				      !memcmp(a.spsr, b.spsr, sizeof(a.spsr)) &&
				      !memcmp(a.bank_sp, b.bank_sp, sizeof(a.bank_sp)) &&
				      !memcmp(a.bank_lr, b.bank_lr, sizeof(a.bank_lr)) &&
				      !memcmp(a.usr_r8_12, b.usr_r8_12, sizeof(a.usr_r8_12)) &&
				      !memcmp(a.fiq_r8_12, b.fiq_r8_12, sizeof(a.fiq_r8_12)) &&
				      a.wfi == b.wfi, "form 0x%08x state %zu differs",
				      forms[f].orig, k);
			ck_assert_int_eq(a.ex.action, b.ex.action);
			ck_assert_int_eq(a.ex.reason, b.ex.reason);
			ck_assert_int_eq(a.ex.injected, b.ex.injected);
			ck_assert_uint_eq(a.ex.insn, b.ex.insn);
			/* The instruction ran (or its condition failed): PC moved
			 * on. Only an SPSR access from System mode (no SPSR there)
			 * is UNDEFINED, in both runs alike. */
			if (a.ex.injected == PV_INJ_NONE)
				ck_assert_uint_eq(a.r[15] & ~1u, pc + in.len);
			else
				ck_assert_msg((states[k] & PV_PSR_M_MASK) == PV_MODE_SYS &&
					      (in.flags & PV_IF_SPSR),
					      "form 0x%08x state %zu: injected %d", forms[f].orig,
					      k, a.ex.injected);
			compared++;
		}
		/* Guest user mode: the word is the process's own UNDEF. */
		pv_vcpu_write_cpsr(cpu, PV_MODE_USR | (isa ? PV_PSR_T : 0));
		vm->cfg.patch_sites = NULL;
		run_word(pc, self, isa, &b);
		ck_assert_int_eq(b.ex.injected, PV_INJ_UNDEF);
		ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_UND);
		ck_assert_uint_eq(b.patched, 0);
	}
	ck_assert_uint_eq(compared, PV_ARRAY_SIZE(forms) * PV_ARRAY_SIZE(states));
	/* A Thumb table site executed in ARM state is not that site. */
	site = (struct pv_patch_site){ pc, 0xB672u, pv_patch_marker_t16(PV_IC_CPS),
				       PV_IC_CPS, PV_SITE_THUMB | PV_SITE_T16 };
	vm->cfg.patch_sites = &table;
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC);
	run_word(pc, site.patched, 0, &a);
	ck_assert_int_eq(a.ex.injected, PV_INJ_UNDEF);
	ck_assert_uint_eq(a.patched, 0);
	vm->cfg.patch_sites = NULL;
}
END_TEST

/*
 * The trap path caches instruction-fetch translations (libpvcore/itlb.c).
 * It may keep no more than a TLB: new code in the same page is seen at
 * once, a remapping after TLB maintenance, and a change of privilege or of
 * the domain's access right is checked again.
 */
START_TEST(trap_fetch_cache_follows_the_architecture)
{
	const uint32_t l1 = FAKE_RAM_BASE + 0x4000u, va = 0xc0000100u;
	const uint32_t pa_a = FAKE_RAM_BASE + 0x100000u;
	const uint32_t pa_b = FAKE_RAM_BASE + 0x200000u;
	uint32_t *t = fake_backend_ram(&fb, l1);
	struct pv_trap tr = mk_trap(PV_TRAP_UNDEF, 0, 0, 0);
	struct pv_exit ex;

	/* Kernel-only section (AP=01), domain 0. */
	t[va >> 20] = pa_a | 1u << 10 | 2u;
	*(uint32_t *)fake_backend_ram(&fb, pa_a + 0x100) = 0xee100f10u; /* mrc ->r0 */
	*(uint32_t *)fake_backend_ram(&fb, pa_b + 0x100) = 0xee102f10u; /* mrc ->r2 */
	cpu->cp15.ttbr0 = l1;
	cpu->cp15.dacr = 1u;
	cpu->cp15.sctlr |= PV_SCTLR_M;
	pv_shadow_ctx_changed(cpu, PV_SHADOW_CTX_SCTLR | PV_SHADOW_CTX_TTBR0 |
				   PV_SHADOW_CTX_DACR);
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I);
	cpu->r[15] = va;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &tr, &ex), 0);
	ck_assert_uint_eq(cpu->r[0], PV_A9_MIDR);

	/* New code in the cached page. */
	*(uint32_t *)fake_backend_ram(&fb, pa_a + 0x100) = 0xee101f10u; /* ->r1 */
	cpu->r[15] = va;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &tr, &ex), 0);
	ck_assert_uint_eq(cpu->r[1], PV_A9_MIDR);

	/* Remapped, then TLBIMVA: the new page's instruction runs. */
	t[va >> 20] = pa_b | 1u << 10 | 2u;
	pv_shadow_tlbi(cpu, PV_TLBI_MVA, va);
	cpu->r[15] = va;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &tr, &ex), 0);
	ck_assert_uint_eq(cpu->r[2], PV_A9_MIDR);

	/* Same page from guest user mode: a permission fault, not a hit. */
	pv_vcpu_write_cpsr(cpu, PV_MODE_USR);
	cpu->r[15] = va;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &tr, &ex), 0);
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_ABT);
	ck_assert_uint_eq(cpu->cp15.ifsr & 0x40f, PV_FS_PERM_SECTION);
	ck_assert_uint_eq(cpu->cp15.ifar, va);

	/* Back in the kernel, with domain 0 made No access: a domain fault. */
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I);
	cpu->cp15.dacr = 0;
	pv_shadow_ctx_changed(cpu, PV_SHADOW_CTX_DACR);
	cpu->r[15] = va;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &tr, &ex), 0);
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_ABT);
	ck_assert_uint_eq(cpu->cp15.ifsr & 0x40f, PV_FS_DOMAIN_SECTION);
}
END_TEST

/*
 * The emulator's data accesses are cached too (libpvcore/itlb.c), under the
 * same rules as a TLB: a remapping is seen after TLB maintenance, and an
 * entry serves only the privilege and access kind its walk checked, while
 * its domain's DACR field is unchanged.
 */
START_TEST(data_access_cache_follows_the_architecture)
{
	const uint32_t l1 = FAKE_RAM_BASE + 0x4000u, va = 0xc0100040u;
	const uint32_t pa_a = FAKE_RAM_BASE + 0x300000u;
	const uint32_t pa_b = FAKE_RAM_BASE + 0x400000u;
	uint32_t *t = fake_backend_ram(&fb, l1);
	struct pv_fault f;
	uint64_t v;

	/* Kernel-only read/write section (AP=01), domain 0. */
	t[va >> 20] = pa_a | 1u << 10 | 2u;
	*(uint32_t *)fake_backend_ram(&fb, pa_a + 0x40) = 0xaaaa0001u;
	*(uint32_t *)fake_backend_ram(&fb, pa_b + 0x40) = 0xbbbb0002u;
	cpu->cp15.ttbr0 = l1;
	cpu->cp15.dacr = 1u;
	cpu->cp15.sctlr |= PV_SCTLR_M;
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I);
	ck_assert_int_eq(pv_guest_read(cpu, pv_gva(va), 4, PV_ACC_READ, &v, &f), 0);
	ck_assert_uint_eq(v, 0xaaaa0001u);
	ck_assert_int_eq(pv_guest_write(cpu, pv_gva(va + 4), 4, PV_ACC_WRITE,
					0x1234u, &f), 0);
	ck_assert_uint_eq(*(uint32_t *)fake_backend_ram(&fb, pa_a + 0x44), 0x1234u);

	/* Remapped, then TLBIMVA: the new page answers. */
	t[va >> 20] = pa_b | 1u << 10 | 2u;
	pv_shadow_tlbi(cpu, PV_TLBI_MVA, va);
	ck_assert_int_eq(pv_guest_read(cpu, pv_gva(va), 4, PV_ACC_READ, &v, &f), 0);
	ck_assert_uint_eq(v, 0xbbbb0002u);

	/* The same page as an LDRT would see it: a permission fault. */
	ck_assert_int_eq(pv_guest_read(cpu, pv_gva(va), 4,
				       PV_ACC_READ | PV_ACC_USER, &v, &f),
			 PV_EFAULT);
	ck_assert_uint_eq(f.fsr & 0x40f, PV_FS_PERM_SECTION);

	/* Read-only at PL1 (APX=1, AP=01): a cached read is no licence to write. */
	t[va >> 20] = pa_b | 1u << 15 | 1u << 10 | 2u;
	pv_shadow_tlbi(cpu, PV_TLBI_MVA, va);
	ck_assert_int_eq(pv_guest_read(cpu, pv_gva(va), 4, PV_ACC_READ, &v, &f), 0);
	ck_assert_int_eq(pv_guest_write(cpu, pv_gva(va), 4, PV_ACC_WRITE, 1, &f),
			 PV_EFAULT);
	ck_assert_uint_eq(f.fsr & 0x40f, PV_FS_PERM_SECTION);
	ck_assert_uint_eq(f.fsr & PV_FSR_WNR, PV_FSR_WNR);

	/* Domain 0 made No access: the cached read is refused. */
	cpu->cp15.dacr = 0;
	ck_assert_int_eq(pv_guest_read(cpu, pv_gva(va), 4, PV_ACC_READ, &v, &f),
			 PV_EFAULT);
	ck_assert_uint_eq(f.fsr & 0x40f, PV_FS_DOMAIN_SECTION);

	/*
	 * Entries are tagged with 16 bits of the regime count: after the
	 * remapping and its TLBIMVA, 65,536 more regimes bring the old tag
	 * back, and the old entry must not come back with it.
	 */
	cpu->cp15.dacr = 1u;
	t[va >> 20] = pa_a | 1u << 10 | 2u;
	pv_shadow_tlbi(cpu, PV_TLBI_MVA, va);
	ck_assert_int_eq(pv_guest_read(cpu, pv_gva(va), 4, PV_ACC_READ, &v, &f), 0);
	ck_assert_uint_eq(v, 0xaaaa0001u);
	t[va >> 20] = pa_b | 1u << 10 | 2u;
	for (unsigned i = 0; i < 65536; i++) {
		pv_shadow_tlbi(cpu, PV_TLBI_MVA, i ? va + 0x1000u : va);
		ck_assert_int_eq(pv_guest_read(cpu, pv_gva(va + 0x1000u), 4,
					       PV_ACC_READ, &v, &f), 0);
	}
	ck_assert_int_eq(pv_guest_read(cpu, pv_gva(va), 4, PV_ACC_READ, &v, &f), 0);
	ck_assert_uint_eq(v, 0xbbbb0002u);
}
END_TEST

/*
 * A device page the emulator reached before skips the guest walk on its
 * next trap; the shortcut obeys the same TLB rules: another privilege, a
 * revoked domain or a remapping after TLB maintenance takes the full path.
 */
START_TEST(mmio_shortcut_follows_the_architecture)
{
	const uint32_t l1 = FAKE_RAM_BASE + 0x4000u, va = 0xf0000000u;
	const uint32_t uart = PV_BOARD_UART_BASE & 0xfff00000u;
	uint32_t *t = fake_backend_ram(&fb, l1);
	uint32_t *code = fake_backend_ram(&fb, FAKE_RAM_BASE + 0x600);
	struct pv_trap tr = mk_trap(PV_TRAP_DABT, PV_MODE_USR,
				    PV_FSR_FS(PV_FS_TRANSL_SECTION),
				    va + (PV_BOARD_UART_BASE & 0xfffffu) + 0xfe0);
	struct pv_exit ex;

	/* The code runs flat below; the device section is kernel-only. */
	t[FAKE_RAM_BASE >> 20] = FAKE_RAM_BASE | 3u << 10 | 2u;
	t[va >> 20] = uart | 1u << 10 | 2u;
	code[0] = 0xe5923000u; /* ldr r3, [r2] */
	cpu->cp15.ttbr0 = l1;
	cpu->cp15.dacr = 1u;
	cpu->cp15.sctlr |= PV_SCTLR_M;
	pv_shadow_ctx_changed(cpu, PV_SHADOW_CTX_SCTLR | PV_SHADOW_CTX_TTBR0 |
				   PV_SHADOW_CTX_DACR);
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I);
	for (int i = 0; i < 2; i++) { /* the slow path, then the shortcut */
		cpu->r[2] = tr.far;
		cpu->r[3] = 0;
		cpu->r[15] = FAKE_RAM_BASE + 0x600;
		ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &tr, &ex), 0);
		ck_assert_int_eq(ex.reason, PV_TR_MMIO_READ);
		ck_assert_uint_eq(cpu->r[3], 0x11); /* PL011 PeriphID0 */
	}
	/* Only the first trap asked the shadow engine (it counts MMIO). */
	ck_assert_uint_eq(vm->shadow.stats.mmio, 1);
	/* From guest user mode: the kernel-only page is a permission fault. */
	pv_vcpu_write_cpsr(cpu, PV_MODE_USR);
	cpu->r[15] = FAKE_RAM_BASE + 0x600;
	tr.fsr = PV_FSR_FS(PV_FS_PERM_SECTION);
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &tr, &ex), 0);
	ck_assert_int_eq(ex.injected, PV_INJ_DABT);
	ck_assert_uint_eq(cpu->cp15.dfsr & 0x40f, PV_FS_PERM_SECTION);
	/* Domain revoked: a domain fault, not an emulated read. */
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I);
	cpu->cp15.dacr = 0;
	pv_shadow_ctx_changed(cpu, PV_SHADOW_CTX_DACR);
	cpu->r[15] = FAKE_RAM_BASE + 0x600;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &tr, &ex), 0);
	ck_assert_int_eq(ex.injected, PV_INJ_DABT);
	ck_assert_uint_eq(cpu->cp15.dfsr & 0x40f, PV_FS_DOMAIN_SECTION);
	/* Remapped to RAM after TLBIMVA: a shadow fill, no device access. */
	cpu->cp15.dacr = 1u;
	pv_shadow_ctx_changed(cpu, PV_SHADOW_CTX_DACR);
	t[va >> 20] = (FAKE_RAM_BASE + 0x500000u) | 1u << 10 | 2u;
	pv_shadow_tlbi(cpu, PV_TLBI_MVA, va);
	cpu->r[15] = FAKE_RAM_BASE + 0x600;
	tr.fsr = PV_FSR_FS(PV_FS_TRANSL_SECTION);
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &tr, &ex), 0);
	ck_assert_int_eq(ex.reason, PV_TR_SHADOW_FILL);
}
END_TEST

/*
 * The trap path caches decoded instructions by PC and the word memory holds
 * there: new code at the same PC, and the same bytes in the other
 * instruction set, are decoded again.
 */
START_TEST(decoded_cache_follows_the_code)
{
	const uint32_t pc = FAKE_RAM_BASE + 0x700;
	struct pv_exit ex;

	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I);
	run_undef(pc, 0xee100f10u, &ex);  /* mrc p15,0,r0,c0,c0,0 (MIDR) */
	ck_assert_uint_eq(cpu->r[0], PV_A9_MIDR);
	run_undef(pc, 0xee103f30u, &ex);  /* mrc p15,0,r3,c0,c0,1 (CTR) */
	ck_assert_uint_eq(ex.insn, 0xee103f30u);
	ck_assert_uint_ne(cpu->r[3], 0);
	cpu->r[0] = cpu->r[3] = 0;
	run_undef(pc, 0xee100f10u, &ex);
	ck_assert_uint_eq(cpu->r[0], PV_A9_MIDR);
	ck_assert_uint_eq(cpu->r[3], 0);
	/* The same bytes in Thumb state: 0x0f10 is a T16 LSR, not ours. */
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I | PV_PSR_T);
	cpu->r[0] = 0;
	run_undef(pc, 0xee100f10u, &ex);
	ck_assert_int_eq(ex.injected, PV_INJ_UNDEF);
	ck_assert_uint_eq(cpu->r[0], 0);
}
END_TEST

/*
 * Hardening (found by the hostile suite): an emulated access through a guest
 * mapping of the VMM window stops the VM as a native one does, instead of
 * reaching the RAM the guest mapped there.
 */
START_TEST(emulated_access_through_window_mapping_stops)
{
	const uint32_t l1 = FAKE_RAM_BASE + 0x4000u;
	const uint32_t va = PV_DEFAULT_WINDOW_BASE + 0x200;
	uint32_t *t = fake_backend_ram(&fb, l1);
	struct pv_exit ex;

	t[FAKE_RAM_BASE >> 20] = FAKE_RAM_BASE | 3u << 10 | 2u;
	t[va >> 20] = (FAKE_RAM_BASE + 0x400000u) | 3u << 10 | 2u;
	cpu->cp15.ttbr0 = l1;
	cpu->cp15.dacr = 1u;
	cpu->cp15.sctlr |= PV_SCTLR_M;
	pv_shadow_ctx_changed(cpu, PV_SHADOW_CTX_SCTLR | PV_SHADOW_CTX_TTBR0 |
				   PV_SHADOW_CTX_DACR);
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I);
	cpu->r[0] = va;
	cpu->r[1] = 0x1234;
	run_undef(FAKE_RAM_BASE + 0x800, 0xe4b01000u, &ex); /* ldrt r1, [r0] */
	ck_assert_int_eq(ex.action, PV_ACTION_STOP);
	ck_assert_int_eq(ex.stop, PV_STOP_FATAL);
	ck_assert_int_eq(ex.code, PV_EWINDOW);
	ck_assert_uint_eq(cpu->r[1], 0x1234); /* nothing committed */
}
END_TEST

/* A guest process must not reach the hypercalls or PSCI: UNDEF at PL0. */
START_TEST(trap_hvc_smc_from_user_are_undefined)
{
	static const uint32_t words[] = { 0xe1400070u, 0xe1600070u }; /* hvc, smc */
	struct pv_exit ex;

	for (unsigned i = 0; i < 2; i++) {
		pv_vcpu_write_cpsr(cpu, PV_MODE_USR);
		cpu->r[0] = i ? PV_PSCI_SYSTEM_OFF : PV_HC_EXIT;
		cpu->r[1] = 7;
		run_undef(FAKE_RAM_BASE + 0x500 + 4 * i, words[i], &ex);
		ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
		ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_UND);
		ck_assert_uint_eq(cpu->r[14], FAKE_RAM_BASE + 0x504 + 4 * i);
		ck_assert_int_eq(cpu->stop, PV_STOP_NONE);
	}
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_UNDEF_INJECT), 2);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_HYPERCALL), 0);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_PSCI), 0);
}
END_TEST

START_TEST(trap_wfi_and_hvc_exit)
{
	struct pv_exit ex;

	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I);
	run_undef(FAKE_RAM_BASE + 0x400, 0xe320f003u, &ex); /* wfi */
	ck_assert_int_eq(ex.action, PV_ACTION_WAIT);
	ck_assert(cpu->wfi);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_WFI), 1);
	pv_vcpu_set_lines(cpu, true, false);
	ck_assert_int_eq(pv_vcpu_poll(cpu, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
	pv_vcpu_set_lines(cpu, false, false);
	cpu->r[0] = PV_HC_EXIT;
	cpu->r[1] = 7;
	run_undef(FAKE_RAM_BASE + 0x404, 0xe1400070u, &ex); /* hvc #0 */
	ck_assert_int_eq(ex.action, PV_ACTION_STOP);
	ck_assert_int_eq(ex.stop, PV_STOP_HYPERCALL);
	ck_assert_int_eq(ex.code, 7);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_HYPERCALL), 1);
}
END_TEST

START_TEST(trap_smc_psci_system_off)
{
	struct pv_exit ex;

	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I);
	cpu->r[0] = PV_PSCI_VERSION;
	run_undef(FAKE_RAM_BASE + 0x600, 0xe1600070u, &ex); /* smc #0 */
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
	ck_assert_uint_ne(cpu->r[0], PV_SMCCC_NOT_SUPPORTED);
	ck_assert_uint_eq(cpu->r[15], FAKE_RAM_BASE + 0x604);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_PSCI), 1);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_HYPERCALL), 0);
	cpu->r[0] = PV_PSCI_SYSTEM_OFF;
	run_undef(FAKE_RAM_BASE + 0x604, 0xe1600070u, &ex);
	ck_assert_int_eq(ex.action, PV_ACTION_STOP);
	ck_assert_int_eq(ex.stop, PV_STOP_POWEROFF);
	ck_assert_int_eq(cpu->stop, PV_STOP_POWEROFF);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_PSCI), 2);
}
END_TEST

START_TEST(trap_bkpt_debug_event)
{
	struct pv_trap t = mk_trap(PV_TRAP_PABT, PV_MODE_USR,
				   PV_FSR_FS(PV_FS_DEBUG), FAKE_RAM_BASE + 0x500);
	struct pv_exit ex;
	uint32_t *ram = fake_backend_ram(&fb, FAKE_RAM_BASE + 0x500);

	*ram = 0xe1200070u; /* bkpt #0 */
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC);
	cpu->r[15] = FAKE_RAM_BASE + 0x500;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_ABT);
	ck_assert_uint_eq(cpu->cp15.ifsr, PV_FS_DEBUG);
	ck_assert_uint_eq(cpu->r[14], FAKE_RAM_BASE + 0x504);
	ck_assert_uint_eq(cpu->r[15], 0x0c);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_GUEST_PABT), 1);
}
END_TEST

START_TEST(reason_names_unique)
{
	for (int r = 0; r < PV_TR_COUNT; r++) {
		const char *a = pv_trap_reason_name((enum pv_trap_reason)r);

		ck_assert_str_ne(a, "?");
		for (int q = 0; q < r; q++)
			ck_assert_str_ne(a, pv_trap_reason_name((enum pv_trap_reason)q));
	}
	ck_assert_str_eq(pv_trap_reason_name(PV_TR_COUNT), "?");
	ck_assert_str_eq(pv_trap_reason_name(PV_TR_CP15_READ), "cp15-read");
}
END_TEST

/*
 * Hardening: a device access pvcore cannot emulate (here VLD1 to the UART)
 * is an external abort for guest user code, and stops the VM only when the
 * guest kernel makes it.
 */
START_TEST(unemulatable_mmio_from_user_is_an_external_abort)
{
	uint32_t *ram = fake_backend_ram(&fb, FAKE_RAM_BASE + 0x200);
	struct pv_trap t = mk_trap(PV_TRAP_DABT, PV_MODE_USR,
				   PV_FSR_FS(PV_FS_TRANSL_SECTION),
				   PV_BOARD_UART_BASE);
	struct pv_exit ex;

	ram[0] = 0xf420070fu; /* vld1.8 {d0}, [r0] */
	pv_vcpu_write_cpsr(cpu, PV_MODE_USR);
	cpu->r[0] = PV_BOARD_UART_BASE;
	cpu->r[15] = FAKE_RAM_BASE + 0x200;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
	ck_assert_int_eq(ex.injected, PV_INJ_DABT);
	ck_assert_int_eq(ex.reason, PV_TR_MMIO_READ);
	ck_assert_uint_eq(cpu->cp15.dfsr, PV_FSR_FS(PV_FS_SYNC_EXT));
	ck_assert_uint_eq(cpu->cp15.dfar, PV_BOARD_UART_BASE);
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_ABT);
	/* The same access from the guest kernel: a clean stop. */
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I);
	cpu->r[15] = FAKE_RAM_BASE + 0x200;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_STOP);
	ck_assert_int_eq(ex.stop, PV_STOP_FATAL);
}
END_TEST

/* Hardening: with the MMU off the window's addresses are just unbacked. */
START_TEST(mmu_off_access_in_window_range_is_an_external_abort)
{
	uint32_t *ram = fake_backend_ram(&fb, FAKE_RAM_BASE + 0x300);
	struct pv_trap t = mk_trap(PV_TRAP_DABT, PV_MODE_USR,
				   PV_FSR_FS(PV_FS_TRANSL_SECTION) | PV_FSR_WNR,
				   PV_DEFAULT_WINDOW_BASE + 0x10);
	struct pv_exit ex;

	ram[0] = 0xe5801000u; /* str r1, [r0] */
	cpu->r[0] = PV_DEFAULT_WINDOW_BASE + 0x10;
	cpu->r[15] = FAKE_RAM_BASE + 0x300;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
	ck_assert_int_eq(ex.injected, PV_INJ_DABT);
	ck_assert_uint_eq(cpu->cp15.dfsr,
			  PV_FSR_FS(PV_FS_SYNC_EXT) | PV_FSR_WNR);
	ck_assert_uint_eq(cpu->cp15.dfar, PV_DEFAULT_WINDOW_BASE + 0x10);
}
END_TEST

/* Hardening: IT bits with T clear never reach the host CPSR. */
START_TEST(resume_never_has_it_bits_in_arm_state)
{
	struct pv_resume rs;

	pv_vcpu_write_cpsr(cpu, PV_MODE_USR | PV_PSR_IT_MASK | PV_PSR_Z);
	pv_vcpu_resume_state(cpu, &rs);
	ck_assert_uint_eq(rs.host_cpsr & PV_PSR_IT_MASK, 0);
	ck_assert_uint_eq(rs.host_cpsr & PV_PSR_Z, PV_PSR_Z);
	pv_vcpu_write_cpsr(cpu, PV_MODE_USR | PV_PSR_T | (1u << 12));
	pv_vcpu_resume_state(cpu, &rs);
	ck_assert_uint_eq(rs.host_cpsr & PV_PSR_IT_MASK, 1u << 12);
	ck_assert_uint_eq(rs.host_cpsr & PV_PSR_M_MASK, PV_MODE_USR);
}
END_TEST

static Suite *cpu_suite(void)
{
	Suite *s = suite_create("cpu");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, mode_validity);
	tcase_add_test(tc, reset_state);
	tcase_add_test(tc, banking_round_trip);
	tcase_add_test(tc, spsr_per_mode);
	tcase_add_test(tc, write_cpsr_banks_and_rejects_bad_modes);
	tcase_add_test(tc, exception_entry_every_mode);
	tcase_add_test(tc, exception_keeps_masks_set);
	tcase_add_test(tc, inject_abort_sets_fault_registers);
	tcase_add_test(tc, vfp_enable_matrix);
	tcase_add_test(tc, vfp_sysregs);
	tcase_add_test(tc, resume_state_host_cpsr);
	tcase_add_test(tc, trap_rejects_bad_kind);
	tcase_add_test(tc, trap_svc_reflects);
	tcase_add_test(tc, trap_undef_of_vfp_insn_injects_undef);
	tcase_add_test(tc, trap_undef_fetch_fault_is_prefetch_abort);
	tcase_add_test(tc, trap_dabt_alignment_is_guests);
	tcase_add_test(tc, trap_dabt_shadow_fill_resumes);
	tcase_add_test(tc, trap_unknown_host_fault_is_fatal);
	tcase_add_test(tc, irq_delivery_and_masking);
	tcase_add_test(tc, wfi_wait_and_wake);
	tcase_add_test(tc, hypercalls);
	tcase_add_test(tc, trap_emulates_cp15_and_counts);
	tcase_add_test(tc, trap_patched_site_uses_original);
	tcase_add_test(tc, trap_self_words_emulate_as_table_sites);
	tcase_add_test(tc, trap_fetch_cache_follows_the_architecture);
	tcase_add_test(tc, trap_wfi_and_hvc_exit);
	tcase_add_test(tc, trap_hvc_smc_from_user_are_undefined);
	tcase_add_test(tc, trap_smc_psci_system_off);
	tcase_add_test(tc, trap_bkpt_debug_event);
	tcase_add_test(tc, reason_names_unique);
	tcase_add_test(tc, data_access_cache_follows_the_architecture);
	tcase_add_test(tc, mmio_shortcut_follows_the_architecture);
	tcase_add_test(tc, decoded_cache_follows_the_code);
	tcase_add_test(tc, emulated_access_through_window_mapping_stops);
	tcase_add_test(tc, unemulatable_mmio_from_user_is_an_external_abort);
	tcase_add_test(tc, mmu_off_access_in_window_range_is_an_external_abort);
	tcase_add_test(tc, resume_never_has_it_bits_in_arm_state);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cpu_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
