/* SPDX-License-Identifier: MIT */
/*
 * cp15_probe: ask the virtual CP15/CP14 whether it accepts coprocessor
 * accesses, for tests/system/test_cp15_coverage.py.
 *
 * stdin, one access per line:   <cp> <opc1> <crn> <crm> <opc2> <r|w>
 *                          or:  <cp> <opc1> 64 <crm> 0 <r|w>   (MCRR/MRRC)
 * stdout, one answer per line:  ok <register name>   or   undef
 *
 * Accesses are made from guest PL1 (SVC mode) on a freshly reset vCPU of a
 * fake-backend VM; writes use the value 0. Exit status 2 on bad input.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cp15.h"

#include "core.h"
#include "fake_backend.h"

int main(void)
{
	static struct fake_backend fb;
	static struct pv_vm_config cfg;
	struct pv_vm *vm = calloc(1, sizeof(*vm));
	unsigned cp, o1, n, m, o2;
	char dir, line[128];

	if (!vm || fake_backend_setup(&fb, &cfg) || pv_vm_init(vm, &cfg)) {
		fprintf(stderr, "cp15_probe: VM setup failed\n");
		return 1;
	}
	if (pv_cp15_check_table()) {
		fprintf(stderr, "cp15_probe: CP15 table is not sorted\n");
		return 1;
	}
	while (fgets(line, sizeof(line), stdin)) {
		struct pv_vcpu *cpu = &vm->vcpu[0];
		struct pv_cp_access a;
		uint32_t val[2] = { 0, 0 };
		const char *name;
		int err;

		if (sscanf(line, "%u %u %u %u %u %c", &cp, &o1, &n, &m, &o2,
			   &dir) != 6 || (dir != 'r' && dir != 'w')) {
			fprintf(stderr, "cp15_probe: bad line: %s", line);
			return 2;
		}
		pv_vcpu_reset(cpu);
		pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I | PV_PSR_F);
		a.coproc = (uint8_t)cp;
		a.opc1 = (uint8_t)o1;
		a.is_64 = n == 64;
		a.crn = a.is_64 ? 0 : (uint8_t)n;
		a.crm = (uint8_t)m;
		a.opc2 = (uint8_t)o2;
		a.is_read = dir == 'r';
		err = a.is_read ? pv_cp_read(cpu, &a, val) :
				  pv_cp_write(cpu, &a, val);
		name = pv_cp_reg_name(&a);
		if (err >= 0) /* PV_CP_WAIT: the legacy WFI, accepted */
			printf("ok %s\n", name ? name : "?");
		else
			printf("undef\n");
	}
	free(vm);
	fake_backend_teardown(&fb);
	return 0;
}
