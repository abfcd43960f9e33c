/* SPDX-License-Identifier: MIT */
/*
 * Benchmark helper (not a test): decode + emulate one representative
 * instruction per class N times on a fake-backend VM, for callgrind
 * (bench.py runs it per class and subtracts the "baseline" run, which
 * does the same loop without decode/emulate).
 *
 * Usage: decode_bench <case|baseline> <iterations>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulate.h"

#include "core.h"
#include "fake_backend.h"

struct bcase {
	const char *name;
	bool thumb;
	uint32_t w;   /* A32 word, or hw1 << 16 | hw2 */
	uint32_t mode;
};

static const struct bcase cases[] = {
	{ "mrc-midr", false, 0xee100f10, PV_MODE_SVC },
	{ "mcr-tpidrprw", false, 0xee0d2f90, PV_MODE_SVC },
	{ "vmrs-fpexc", false, 0xeef81a10, PV_MODE_SVC },
	{ "cpsid-i", false, 0xf10c0080, PV_MODE_SVC },
	{ "mrs-cpsr", false, 0xe10f0000, PV_MODE_SVC },
	{ "msr-cpsr_c", false, 0xe121f001, PV_MODE_SVC },
	{ "srsdb", false, 0xf96d0513, PV_MODE_IRQ },
	{ "rfeia", false, 0xf8b00a00, PV_MODE_SVC },
	{ "ldm-eret", false, 0xe8b08001, PV_MODE_SVC },
	{ "ldm-user", false, 0xe8d06000, PV_MODE_SVC },
	{ "stm-user", false, 0xe8c06000, PV_MODE_SVC },
	{ "subs-pc-lr", false, 0xe25ef004, PV_MODE_IRQ },
	{ "ldrt", false, 0xe4b12004, PV_MODE_SVC },
	{ "wfi", false, 0xe320f003, PV_MODE_SVC },
	{ "svc", false, 0xef000000, PV_MODE_SVC },
	{ "hvc", false, 0xe1400070, PV_MODE_SVC },
	{ "ldr-imm", false, 0xe5912004, PV_MODE_SVC },
	{ "str-reg", false, 0xe7812003, PV_MODE_SVC },
	{ "ldrd", false, 0xe1c120d0, PV_MODE_SVC },
	{ "ldm-4", false, 0xe891003c, PV_MODE_SVC },
	{ "ldrex", false, 0xe1912f9f, PV_MODE_SVC },
	{ "t16-ldr", true, 0x68480000, PV_MODE_SVC },
	{ "t32-ldr", true, 0xf8d12004, PV_MODE_SVC },
	{ "t32-mrc", true, 0xee100f10, PV_MODE_SVC },
};

int main(int argc, char **argv)
{
	static struct fake_backend fb;
	static struct pv_vm_config cfg;
	const struct bcase *c = NULL;
	struct pv_vm *vm;
	struct pv_vcpu *v;
	struct pv_insn insn;
	long n;

	if (argc != 3)
		return 2;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
		if (!strcmp(argv[1], cases[k].name))
			c = &cases[k];
	if (!c && strcmp(argv[1], "baseline")) {
		for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
			printf("%s\n", cases[k].name);
		return 2;
	}
	n = atol(argv[2]);
	if (fake_backend_setup(&fb, &cfg))
		return 1;
	vm = calloc(1, sizeof(*vm));
	if (!vm || pv_vm_init(vm, &cfg))
		return 1;
	v = &vm->vcpu[0];
	for (long k = 0; k < n; k++) {
		/* The state every iteration starts from. */
		pv_vcpu_write_cpsr(v, (c ? c->mode : PV_MODE_SVC) | PV_PSR_I |
				   (c && c->thumb ? PV_PSR_T : 0));
		for (unsigned r = 0; r < 13; r++)
			v->r[r] = FAKE_RAM_BASE + 0x8000u;
		v->r[13] = FAKE_RAM_BASE + 0x9000u;
		v->r[14] = FAKE_RAM_BASE + 0x2000u;
		v->r[15] = FAKE_RAM_BASE + 0x1000u;
		if (pv_vcpu_spsr(v))
			*pv_vcpu_spsr(v) = PV_MODE_SVC;
		if (!c)
			continue;
		if (c->thumb)
			pv_decode_thumb((uint16_t)(c->w >> 16), (uint16_t)c->w,
					&insn);
		else
			pv_decode_arm(c->w, &insn);
		(void)pv_emulate(v, &insn);
	}
	printf("%s pc=%08x\n", argv[1], v->r[15]);
	free(vm);
	fake_backend_teardown(&fb);
	return 0;
}
