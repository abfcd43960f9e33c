/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the vCPU: the trap dispatch, the CP15/CP14 table,
 * the VFP control registers, hypercalls and exception entry. The input is
 * a script of operations on one freshly initialised VM (MMU off, so every
 * instruction word the script stores in RAM is fetched as is):
 *
 * - a trap of any kind with any host CPSR/FSR/FAR, the PC in RAM (with an
 *   instruction word stored there), outside RAM, or misaligned;
 * - a coprocessor access with any key and value, at PL0 or PL1;
 * - VMRS/VMSR of any VFP register number;
 * - a hypercall with any r0..r3;
 * - an exception entry, a CPSR write, interrupt lines and a poll.
 *
 * After every operation: no crash or sanitizer report; CPSR.M is a valid
 * guest mode; a trap of a valid kind returns 0 and its exit action is in
 * range; the CP15 table stays sorted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp15.h"

#include "core.h"
#include "fake_backend.h"
#include "fuzz_input.h"

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;


static void fail(const char *what)
{
	fprintf(stderr, "fuzz_trap: invariant broken: %s\n", what);
	abort();
}

static void check(const struct pv_vcpu *cpu)
{
	if (!pv_mode_is_valid(cpu->cpsr & PV_PSR_M_MASK))
		fail("invalid CPSR.M");
}

static void op_trap(struct fuzz_input *r, struct pv_vcpu *cpu)
{
	struct pv_trap t;
	struct pv_exit ex;
	uint32_t sel = fuzz_take(r, 1), word = fuzz_take(r, 4), pc = fuzz_take(r, 4);
	int err;

	t.kind = (enum pv_trap_kind)(sel % (PV_TRAP_KIND_COUNT + 1));
	t.host_cpsr = fuzz_take(r, 4);
	t.fsr = fuzz_take(r, 2);
	t.far = fuzz_take(r, 4);
	/* Mostly a PC inside RAM, where the word under test is stored. */
	if (!(sel & 0x80)) {
		pc = FAKE_RAM_BASE + (pc & 0xfffcu); /* the cleared low 64 KiB */
		memcpy(fake_backend_ram(&fb, pc), &word, 4);
		if (sel & 0x40)
			t.far = pc;
	}
	cpu->r[15] = pc;
	err = pv_vcpu_handle_trap(cpu, &t, &ex);
	if (t.kind == PV_TRAP_KIND_COUNT) {
		if (err != PV_EINVAL)
			fail("bad kind accepted");
		return;
	}
	if (err)
		fail("handle_trap failed");
	if ((unsigned)ex.action > PV_ACTION_STOP)
		fail("exit action out of range");
	/* Let the next operations run the vCPU again. */
	cpu->stop = PV_STOP_NONE;
}

static void op_cp(struct fuzz_input *r, struct pv_vcpu *cpu)
{
	uint32_t k = fuzz_take(r, 4), val[2] = { fuzz_take(r, 4), fuzz_take(r, 4) };
	struct pv_cp_access a = {
		.coproc = (k & 1) ? 15 : 14,
		.opc1 = (uint8_t)((k >> 1) & 0xf),
		.crn = (uint8_t)((k >> 5) & 0xf),
		.crm = (uint8_t)((k >> 9) & 0xf),
		.opc2 = (uint8_t)((k >> 13) & 7),
		.is_64 = (k >> 16) & 1,
		.is_read = (k >> 17) & 1,
	};
	const char *name = pv_cp_reg_name(&a);
	int err = a.is_read ? pv_cp_read(cpu, &a, val) : pv_cp_write(cpu, &a, val);

	/* PV_CP_WAIT: the legacy CP15 WFI (c7, c0, 4) asks the caller to
	 * wait for an interrupt (cp15.h); the seed cp15_legacy_wfi. */
	if (err && err != PV_EUNDEF && err != PV_CP_WAIT)
		fail("unexpected cp error");
	if (!err && !name)
		fail("an access succeeded on a register with no name");
}

static void op_vfp(struct fuzz_input *r, struct pv_vcpu *cpu)
{
	uint32_t sel = fuzz_take(r, 1), v = fuzz_take(r, 4);
	int err = (sel & 0x80) ? pv_vfp_sysreg_write(cpu, sel & 0xf, &v) :
				 pv_vfp_sysreg_read(cpu, sel & 0xf, &v);

	if (err && err != PV_EUNDEF)
		fail("unexpected vfp error");
}

static void op_hypercall(struct fuzz_input *r, struct pv_vcpu *cpu)
{
	uint32_t sel = fuzz_take(r, 1);
	static const uint32_t ids[] = { 0x85000001u, 0x85000002u, 0x85000003u,
					0x85000004u, 0x85000005u, 0x84000000u,
					0x84000008u, 0xc4000003u };

	cpu->r[0] = (sel & 0x80) ? fuzz_take(r, 4) : ids[sel % PV_ARRAY_SIZE(ids)];
	cpu->r[1] = fuzz_take(r, 4);
	cpu->r[2] = fuzz_take(r, 4);
	cpu->r[3] = fuzz_take(r, 4);
	(void)pv_hypercall(cpu);
}

static void op_state(struct fuzz_input *r, struct pv_vcpu *cpu)
{
	uint32_t sel = fuzz_take(r, 1), v = fuzz_take(r, 4);
	struct pv_exit ex;
	struct pv_resume rs;

	switch (sel % 6) {
	case 0:
		pv_vcpu_write_cpsr(cpu, v);
		break;
	case 1:
		pv_vcpu_take_exception(cpu, (enum pv_exception)(v & 0x1f), fuzz_take(r, 4));
		break;
	case 2:
		pv_vcpu_set_lines(cpu, v & 1, v & 2);
		pv_vcpu_poll(cpu, &ex);
		break;
	case 3:
		pv_vcpu_set_reg_mode(cpu, v & 0x1f, (v >> 8) & 15, fuzz_take(r, 4));
		break;
	case 4:
		pv_vcpu_resume_state(cpu, &rs);
		if (rs.host_cpsr & (PV_PSR_A | PV_PSR_I | PV_PSR_F) ||
		    (rs.host_cpsr & PV_PSR_M_MASK) != PV_MODE_USR)
			fail("host CPSR not a plain USR context");
		break;
	default:
		cpu->wfi = v & 1;
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input r = { data, size };
	struct pv_vcpu *cpu;

	if (!vm) {
		vm = calloc(1, sizeof(*vm));
		if (!vm || fake_backend_setup(&fb, &cfg))
			abort();
	}
	memset(fb.ram, 0, 1u << 16); /* the low RAM the scripts use most */
	if (pv_vm_init(vm, &cfg))
		abort();
	cpu = &vm->vcpu[0];
	cpu->cp15.cpacr = fuzz_take(&r, 4);
	pv_vcpu_write_cpsr(cpu, fuzz_take(&r, 4));
	for (unsigned steps = 0; r.n && steps < 64; steps++) {
		switch (fuzz_take(&r, 1) % 5) {
		case 0:
			op_trap(&r, cpu);
			break;
		case 1:
			op_cp(&r, cpu);
			break;
		case 2:
			op_vfp(&r, cpu);
			break;
		case 3:
			op_hypercall(&r, cpu);
			break;
		default:
			op_state(&r, cpu);
			break;
		}
		check(cpu);
	}
	if (pv_cp15_check_table())
		fail("table order");
	return 0;
}
