/* SPDX-License-Identifier: MIT */
/*
 * PSCI 1.0 as the VMM serves it, against ARM DEN 0022D: function IDs,
 * return codes, the power-state rules of CPU_ON / CPU_OFF /
 * AFFINITY_INFO, and the VM stops for SYSTEM_OFF and SYSTEM_RESET.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "psci.h"

#include "core.h"
#include "fake_backend.h"

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;
static struct pv_exit ex;
static struct pv_outcome out;

static void setup_n(unsigned n)
{
	ck_assert_int_eq(fake_backend_setup(&fb, &cfg), 0);
	cfg.num_vcpus = n;
	vm = calloc(1, sizeof(*vm));
	ck_assert_ptr_nonnull(vm);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	memset(&ex, 0, sizeof(ex));
	ex.action = PV_ACTION_RESUME;
	out = pv_out_resume();
}

static void setup1(void) { setup_n(1); }
static void setup2(void) { setup_n(2); }

static void teardown(void)
{
	free(vm);
	fake_backend_teardown(&fb);
}

/* Make the call on vCPU @id; return r0 as a signed PSCI result. */
static int32_t call(unsigned id, uint32_t fn, uint32_t a1, uint32_t a2,
		    uint32_t a3)
{
	struct pv_vcpu *v = &vm->vcpu[id];

	v->r[0] = fn;
	v->r[1] = a1;
	v->r[2] = a2;
	v->r[3] = a3;
	out = pv_psci_call(v);
	return (int32_t)v->r[0];
}

START_TEST(version_and_features)
{
	ck_assert_uint_eq((uint32_t)call(0, 0x84000000u, 0, 0, 0), 0x00010000u);
	/* PSCI_FEATURES: 0 for what is implemented, NOT_SUPPORTED else. */
	ck_assert_int_eq(call(0, 0x8400000au, 0x84000000u, 0, 0), 0);
	ck_assert_int_eq(call(0, 0x8400000au, 0x84000003u, 0, 0), 0);
	ck_assert_int_eq(call(0, 0x8400000au, 0x84000008u, 0, 0), 0);
	ck_assert_int_eq(call(0, 0x8400000au, 0x8400000au, 0, 0), 0);
	ck_assert_int_eq(call(0, 0x8400000au, 0x84000005u, 0, 0), -1); /* MIGRATE */
	ck_assert_int_eq(call(0, 0x8400000au, 0xc4000003u, 0, 0), -1); /* CPU_ON64 */
	ck_assert_int_eq(call(0, 0x8400000au, 0x12345678u, 0, 0), -1);
	ck_assert_int_eq(out.action, PV_ACTION_RESUME);
}
END_TEST

START_TEST(unsupported_and_foreign_ids)
{
	ck_assert_int_eq(call(0, 0x84000005u, 0, 0, 0), -1); /* MIGRATE */
	ck_assert_int_eq(call(0, 0x8400001fu, 0, 0, 0), -1);
	ck_assert_int_eq(call(0, 0xc4000003u, 0, 0, 0), -1); /* SMC64 */
	/* Outside the PSCI table: NOT_SUPPORTED, and the caller goes on. */
	ck_assert_int_eq(call(0, 0x85000001u, 0, 0, 0), -1);
	ck_assert_int_eq(call(0, 0x84000020u, 0, 0, 0), -1);
	ck_assert_int_eq(out.action, PV_ACTION_RESUME);
	ck_assert(pv_psci_is_call(0x84000000u));
	ck_assert(!pv_psci_is_call(0x83ffffffu));
}
END_TEST

START_TEST(migrate_info_type)
{
	ck_assert_int_eq(call(0, 0x84000006u, 0, 0, 0), 2);
}
END_TEST

START_TEST(system_off)
{
	call(0, 0x84000008u, 0, 0, 0);
	ck_assert_int_eq(out.action, PV_ACTION_STOP);
	ck_assert_int_eq(out.stop, PV_STOP_POWEROFF);
	ck_assert_int_eq(out.code, 0);
	/* The handler only reports: the dispatcher owns the run state. */
	ck_assert_int_eq(vm->vcpu[0].stop, PV_STOP_NONE);
}
END_TEST

START_TEST(system_reset)
{
	call(0, 0x84000009u, 0, 0, 0);
	ck_assert_int_eq(out.action, PV_ACTION_STOP);
	ck_assert_int_eq(out.stop, PV_STOP_RESET);
	ck_assert_int_eq(out.code, 0);
}
END_TEST

START_TEST(cpu_suspend_standby_waits)
{
	ck_assert_int_eq(call(0, 0x84000001u, 0, 0, 0), 0);
	ck_assert_int_eq(out.action, PV_ACTION_WAIT);
	out.action = PV_ACTION_RESUME;
	/* No power-down states exist on this board. */
	ck_assert_int_eq(call(0, 0x84000001u, 1u << 16, 0x10008000u, 0), -2);
	ck_assert_int_eq(out.action, PV_ACTION_RESUME);
}
END_TEST

START_TEST(affinity_info_single)
{
	ck_assert_int_eq(call(0, 0x84000004u, 0, 0, 0), PV_PSCI_AFF_ON);
	ck_assert_int_eq(call(0, 0x84000004u, 1, 0, 0), -2); /* no CPU 1 */
	ck_assert_int_eq(call(0, 0x84000004u, 0x100, 0, 0), -2); /* Aff1 = 1 */
	ck_assert_int_eq(call(0, 0x84000004u, 0, 1, 0), PV_PSCI_AFF_ON);
	ck_assert_int_eq(call(0, 0x84000004u, 0, 3, 0), -2);
	/* CPU_ON of an absent CPU. */
	ck_assert_int_eq(call(0, 0x84000003u, 1, 0x10008000u, 0), -2);
	ck_assert_int_eq(call(0, 0x84000003u, 0, 0x10008000u, 0), -4); /* ALREADY_ON */
}
END_TEST

START_TEST(cpu_on_starts_secondary)
{
	struct pv_vcpu *s = &vm->vcpu[1];
	struct pv_exit ex;

	ck_assert_int_eq(call(0, 0x84000004u, 1, 0, 0), PV_PSCI_AFF_OFF);
	/* Off from the start: a backend polling it must not run it. */
	ck_assert_int_eq(pv_vcpu_poll(s, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_STOP);
	ck_assert_int_eq(ex.stop, PV_STOP_CPU_OFF);
	/* An SGI for CPU 1 already pending when it starts must reach it. */
	pv_gic_dist_write(&vm->dev.gic, 0x000, 4, 1);
	vm->dev.gic.cur_cpu = 1;
	pv_gic_cpu_write(&vm->dev.gic, 0x000, 4, 1);
	pv_gic_cpu_write(&vm->dev.gic, 0x004, 4, 0xf0);
	vm->dev.gic.cur_cpu = 0;
	pv_gic_dist_write(&vm->dev.gic, 0xf00, 4, (2u << 16) | 1); /* to CPU 1 */
	/* Dirty the secondary so the reset is visible. */
	s->r[5] = 0x55;
	s->cpsr = 0x10;
	ck_assert_int_eq(call(0, 0x84000003u, 1, 0x10008001u, 0xc0ffee), 0);
	ck_assert_int_eq(out.action, PV_ACTION_RESUME); /* the caller goes on */
	ck_assert_uint_eq(s->r[15], 0x10008000u);
	ck_assert_uint_eq(s->r[0], 0xc0ffee);
	ck_assert_uint_eq(s->r[5], 0);
	ck_assert(s->cpsr & PV_PSR_T); /* bit 0 of the entry: Thumb */
	ck_assert_uint_eq(s->cpsr & PV_PSR_M_MASK, PV_MODE_SVC);
	ck_assert_uint_eq(s->cpsr & (PV_PSR_A | PV_PSR_I | PV_PSR_F),
			  PV_PSR_A | PV_PSR_I | PV_PSR_F);
	ck_assert_uint_eq(s->cp15.sctlr & PV_SCTLR_M, 0);
	ck_assert_ptr_eq(s->vm, vm);
	ck_assert_uint_eq(s->id, 1);
	ck_assert_int_eq(s->stop, PV_STOP_NONE);
	ck_assert_int_eq(pv_vcpu_poll(s, &ex), 0);
	ck_assert_int_ne(ex.action, PV_ACTION_STOP);
	ck_assert(s->irq_line);
	ck_assert_int_eq(pv_gic_check(&vm->dev.gic), 0);
	ck_assert_int_eq(call(0, 0x84000004u, 1, 0, 0), PV_PSCI_AFF_ON);
	ck_assert_int_eq(call(0, 0x84000003u, 1, 0x10008000u, 0), -4);
	/* The secondary turns itself off; CPU 0 sees it. */
	call(1, 0x84000002u, 0, 0, 0);
	ck_assert_int_eq(out.action, PV_ACTION_STOP);
	ck_assert_int_eq(out.stop, PV_STOP_CPU_OFF);
	out.action = PV_ACTION_RESUME;
	ck_assert_int_eq(call(0, 0x84000004u, 1, 0, 0), PV_PSCI_AFF_OFF);
	ck_assert_int_eq(vm->vcpu[0].stop, PV_STOP_NONE);
	/* And can be started again, in ARM state this time. */
	ck_assert_int_eq(call(0, 0x84000003u, 1, 0x10009000u, 7), 0);
	ck_assert_uint_eq(s->r[15], 0x10009000u);
	ck_assert(!(s->cpsr & PV_PSR_T));
	ck_assert_int_eq(s->stop, PV_STOP_NONE);
}
END_TEST

/*
 * The backend's kick (backend.h): told when a vCPU gets a new reason to
 * run, and only then, so that a backend with a core per vCPU can wake
 * that core with a host IPI.
 */
START_TEST(kick_names_the_vcpu_made_runnable)
{
	struct pv_gic *g = &vm->dev.gic;
	uint32_t iar;

	memset(fb.kicks, 0, sizeof(fb.kicks));
	ck_assert_int_eq(call(0, 0x84000003u, 1, 0x10008000u, 0), 0);
	ck_assert_uint_ge(fb.kicks[1], 1);  /* CPU_ON: its core may sleep */
	ck_assert_uint_eq(fb.kicks[0], 0);
	pv_gic_dist_write(g, 0x000, 4, 1);
	for (unsigned c = 0; c < 2; c++) {
		g->cur_cpu = c;
		pv_gic_cpu_write(g, 0x000, 4, 1);
		pv_gic_cpu_write(g, 0x004, 4, 0xf0);
	}
	memset(fb.kicks, 0, sizeof(fb.kicks));
	g->cur_cpu = 0;
	pv_gic_dist_write(g, 0xf00, 4, (2u << 16) | 3); /* SGI 3 to CPU 1 */
	ck_assert_uint_eq(fb.kicks[1], 1);
	ck_assert_uint_eq(fb.kicks[0], 0);
	/* Its line is already high: no news, no second kick. */
	pv_gic_dist_write(g, 0xf00, 4, (2u << 16) | 4);
	ck_assert_uint_eq(fb.kicks[1], 1);
	/* CPU 1 takes and ends both (ending SGI 3 lets SGI 4 signal: a rise
	 * on CPU 1's own core, which the backend ignores); the next SGI is
	 * news again. */
	g->cur_cpu = 1;
	for (unsigned i = 0; i < 2; i++) {
		pv_gic_cpu_read(g, 0x00c, 4, &iar);
		ck_assert_uint_eq(iar & 0x3ff, 3 + i);
		pv_gic_cpu_write(g, 0x010, 4, iar);
	}
	ck_assert_uint_eq(fb.kicks[1], 2);
	ck_assert(!vm->vcpu[1].irq_line);
	g->cur_cpu = 0;
	pv_gic_dist_write(g, 0xf00, 4, (2u << 16) | 3);
	ck_assert_uint_eq(fb.kicks[1], 3);
	/* "All but me" from CPU 1 reaches CPU 0 only. */
	g->cur_cpu = 1;
	pv_gic_dist_write(g, 0xf00, 4, (1u << 24) | 5);
	ck_assert_uint_eq(fb.kicks[0], 1);
	ck_assert_uint_eq(fb.kicks[1], 3);
	ck_assert_uint_eq(fb.bad_kicks, 0);
}
END_TEST

/* ---- end to end: the guest's instructions through the trap path ---------- */

static void put_insn(uint32_t gpa, uint32_t insn)
{
	uint8_t *p = fake_backend_ram(&fb, gpa);

	ck_assert_ptr_nonnull(p);
	memcpy(p, &insn, 4);
}

START_TEST(trap_path_smc_and_mmio)
{
	struct pv_vcpu *v = &vm->vcpu[0];
	struct pv_trap trap = { 0 };
	const uint32_t pc = PV_BOARD_RAM_BASE + 0x8000;

	/* MMU off: guest-virtual is guest-physical. str r1, [r2] to the UART. */
	put_insn(pc, 0xe5821000u);
	v->r[15] = pc;
	v->r[1] = 'Z';
	v->r[2] = PV_BOARD_UART_BASE;
	trap.kind = PV_TRAP_DABT;
	trap.host_cpsr = PV_MODE_USR;
	trap.fsr = (1u << 11) | 0x5; /* write, section translation fault */
	trap.far = PV_BOARD_UART_BASE;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &trap, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
	ck_assert_uint_eq(fb.console_len, 1);
	ck_assert_uint_eq(fb.console[0], 'Z');
	ck_assert_uint_eq(v->r[15], pc + 4);
	/* ldr r3, [r2, #0xfe0]: the PL011 peripheral ID. */
	put_insn(pc + 4, 0xe5923fe0u);
	trap.fsr = 0x5;
	trap.far = PV_BOARD_UART_BASE + 0xfe0;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &trap, &ex), 0);
	ck_assert_uint_eq(v->r[3], 0x11);
	ck_assert_uint_eq(v->r[15], pc + 8);
	/* hvc #0 is the other conduit: PSCI_VERSION. */
	put_insn(pc + 8, 0xe1400070u);
	v->r[0] = PV_PSCI_VERSION;
	trap.kind = PV_TRAP_UNDEF;
	trap.fsr = trap.far = 0;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &trap, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
	ck_assert_uint_eq(v->r[0], PV_PSCI_VERSION_1_0);
	ck_assert_uint_eq(v->r[15], pc + 12);
	/* smc #0 with r0 = SYSTEM_OFF: the VM stops cleanly. */
	put_insn(pc + 12, 0xe1600070u);
	v->r[0] = PV_PSCI_SYSTEM_OFF;
	trap.kind = PV_TRAP_UNDEF;
	trap.fsr = trap.far = 0;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &trap, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_STOP);
	ck_assert_int_eq(ex.stop, PV_STOP_POWEROFF);
	ck_assert_int_eq(ex.code, 0);
	ck_assert_int_eq(ex.reason, PV_TR_PSCI);
	ck_assert_int_eq(v->stop, PV_STOP_POWEROFF);
	/* A stopped vCPU stays stopped, and its traps are not counted. */
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &trap, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_STOP);
	ck_assert_int_eq(ex.reason, PV_TR_COUNT);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_PSCI), 2);
}
END_TEST

/*
 * Hardening: a vCPU turned off and on again must not keep the address
 * space it ran in before (MMU on, a DACR it no longer has); it restarts
 * in the flat MMU-off space, whose domain its host DACR grants.
 */
START_TEST(cpu_on_leaves_the_old_address_space)
{
	struct pv_vcpu *s = &vm->vcpu[1];
	struct pv_resume before, after;
	uint32_t *l1 = fake_backend_ram(&fb, FAKE_RAM_BASE + 0x4000);

	ck_assert_int_eq(call(0, 0x84000003u, 1, 0x10008000u, 0), 0);
	/* The secondary turns its MMU on: one section, domain 3, client. */
	l1[FAKE_RAM_BASE >> 20] = FAKE_RAM_BASE | (3u << 5) | (3u << 10) | 2u;
	s->cp15.ttbr0 = FAKE_RAM_BASE + 0x4000;
	s->cp15.dacr = 1u << 6;
	s->cp15.sctlr |= PV_SCTLR_M;
	pv_shadow_ctx_changed(s, PV_SHADOW_CTX_SCTLR | PV_SHADOW_CTX_TTBR0 |
				      PV_SHADOW_CTX_DACR);
	pv_vcpu_resume_state(s, &before);
	ck_assert_uint_ne(vm->shadow.cur[1], PV_SHADOW_NO_SPACE);
	ck_assert(!vm->shadow.space[vm->shadow.cur[1]].flat);
	/* Off, and on again: reset state, MMU off, DACR 0. */
	call(1, 0x84000002u, 0, 0, 0);
	ck_assert_int_eq(call(0, 0x84000003u, 1, 0x10009000u, 0), 0);
	ck_assert_uint_eq(s->cp15.sctlr & PV_SCTLR_M, 0);
	ck_assert_uint_eq(vm->shadow.cur[1], PV_SHADOW_NO_SPACE);
	pv_vcpu_resume_state(s, &after);
	ck_assert(vm->shadow.space[vm->shadow.cur[1]].flat);
	ck_assert_uint_ne(pv_hpa_val(after.ttbr0), pv_hpa_val(before.ttbr0));
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
}
END_TEST

/*
 * Hardening: a trap is served with the trapping vCPU's banked GIC CPU
 * interface, not CPU 0's (ldr r3, [r2] of GICC_CTLR on each vCPU).
 */
START_TEST(trap_uses_the_vcpus_own_gic_interface)
{
	const uint32_t gicc = PV_BOARD_PERIPH_BASE + PV_BOARD_GICC_OFFSET;
	const uint32_t pc = PV_BOARD_RAM_BASE + 0x9000;
	struct pv_trap trap = { 0 };

	put_insn(pc, 0xe5923000u);
	vm->dev.gic.cur_cpu = 0;
	pv_gic_cpu_write(&vm->dev.gic, 0x000, 4, 1); /* CPU 0: CTLR.Enable */
	ck_assert_int_eq(call(0, 0x84000003u, 1, pc, 0), 0);
	trap.kind = PV_TRAP_DABT;
	trap.host_cpsr = PV_MODE_USR;
	trap.fsr = 0x5;
	trap.far = gicc;
	for (unsigned id = 0; id < 2; id++) {
		struct pv_vcpu *v = &vm->vcpu[id];

		v->r[2] = gicc;
		v->r[3] = 0xdead;
		v->r[15] = pc;
		ck_assert_int_eq(pv_vcpu_handle_trap(v, &trap, &ex), 0);
		ck_assert_int_eq(ex.reason, PV_TR_MMIO_READ);
		ck_assert_uint_eq(v->r[3], id == 0 ? 1u : 0u);
	}
}
END_TEST

static Suite *psci_suite(void)
{
	Suite *s = suite_create("psci");
	TCase *t = tcase_create("up");
	TCase *t2 = tcase_create("smp");

	tcase_add_checked_fixture(t, setup1, teardown);
	tcase_add_test(t, version_and_features);
	tcase_add_test(t, unsupported_and_foreign_ids);
	tcase_add_test(t, migrate_info_type);
	tcase_add_test(t, system_off);
	tcase_add_test(t, system_reset);
	tcase_add_test(t, cpu_suspend_standby_waits);
	tcase_add_test(t, affinity_info_single);
	tcase_add_test(t, trap_path_smc_and_mmio);
	suite_add_tcase(s, t);
	tcase_add_checked_fixture(t2, setup2, teardown);
	tcase_add_test(t2, cpu_on_starts_secondary);
	tcase_add_test(t2, kick_names_the_vcpu_made_runnable);
	tcase_add_test(t2, cpu_on_leaves_the_old_address_space);
	tcase_add_test(t2, trap_uses_the_vcpus_own_gic_interface);
	suite_add_tcase(s, t2);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(psci_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
