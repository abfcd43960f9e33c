// SPDX-License-Identifier: MIT
/*
 * Platform layer of the hostile guest under pvbm: the console is the
 * pvcore console hypercall, the end PSCI SYSTEM_OFF (status 0) if every
 * check passed, else PV_HC_EXIT with status 1 (pvbm: exit status 5). One
 * verdict line per scenario, which tests/hostile/test_hostile.py reads:
 *   hostile: <name> PASS (<n> checks)
 *   hostile: <name> FAIL (<m> of <n> checks failed)
 */
#include <pvcore/hypercall.h>

#include "hostile.h"

#define PSCI_SYSTEM_OFF 0x84000008u

static unsigned failed_scenarios;

void plat_init(void)
{
	out_puts("# hostile guest (pvbm)\n");
}

void plat_putc(char c)
{
	register u32 r0 __asm__("r0") = PV_HC_CONSOLE_PUTC;
	register u32 r1 __asm__("r1") = (uint8_t)c;

	__asm__ volatile(".arch_extension virt\n\thvc #0"
			 : "+r"(r0), "+r"(r1) :: "r2", "r3", "memory");
}

void plat_scenario_done(const char *name)
{
	out_puts("hostile: ");
	out_puts(name);
	if (hx_fails || !hx_checks) {
		failed_scenarios++;
		out_puts(" FAIL (");
		out_dec(hx_fails);
		out_puts(" of ");
		out_dec(hx_checks);
		out_puts(" checks failed)\n");
	} else {
		out_puts(" PASS (");
		out_dec(hx_checks);
		out_puts(" checks)\n");
	}
	hx_checks = hx_fails = 0;
}

void plat_exit(int status)
{
	register u32 r0 __asm__("r0") = PSCI_SYSTEM_OFF;
	register u32 r1 __asm__("r1");

	if (status == 0 && !failed_scenarios && !hx_fails)
		__asm__ volatile("smc #0" : "+r"(r0) :: "memory");
	r0 = PV_HC_EXIT;
	r1 = status ? (u32)status : 1u;
	__asm__ volatile(".arch_extension virt\n\thvc #0"
			 : "+r"(r0) : "r"(r1) : "memory");
	for (;;)
		;
}
