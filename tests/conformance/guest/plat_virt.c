// SPDX-License-Identifier: MIT
/*
 * Platform layer for the run under the VMM (pvbm). Console: the pvcore
 * console hypercall (HVC #0, r0 = PV_HC_CONSOLE_PUTC). Exit: PSCI
 * SYSTEM_OFF over SMC, which pvbm turns into a QEMU exit (status 0), or
 * PV_HC_EXIT with the status for a failing run. After each scenario the
 * VMM's trap counters are read (PV_HC_TRAP_COUNT) and their deltas printed
 * as '#' lines, which the harness uses for the coverage table and does not
 * compare.
 */
#include <pvcore/hypercall.h>

#include "conf.h"

#define PSCI_SYSTEM_OFF 0x84000008u
#define MAX_REASONS 32u

static u32 last_count[MAX_REASONS];

static u32 hvc(u32 fn, u32 a1, u32 *r1out)
{
	register u32 r0 __asm__("r0") = fn;
	register u32 r1 __asm__("r1") = a1;

	__asm__ volatile(".arch_extension virt\n\thvc #0"
			 : "+r"(r0), "+r"(r1) :: "r2", "r3", "memory");
	if (r1out)
		*r1out = r1;
	return r0;
}

static void snapshot(bool print)
{
	u32 n = hvc(PV_HC_TRAP_COUNT, 0xffffffffu, 0);

	if (n > MAX_REASONS)
		n = MAX_REASONS;
	for (u32 r = 0; r < n; r++) {
		u32 hi, lo = hvc(PV_HC_TRAP_COUNT, r, &hi);

		if (print && lo != last_count[r]) {
			out_puts("#trap ");
			out_dec(r);
			out_puts(" ");
			out_dec(lo - last_count[r]);
			plat_putc('\n');
		}
		last_count[r] = lo;
	}
}

void plat_init(void)
{
	out_puts("# platform: pvcore guest (pvbm)\n");
	snapshot(false);
}

void plat_putc(char c)
{
	hvc(PV_HC_CONSOLE_PUTC, (uint8_t)c, 0);
}

void plat_scenario_done(const char *name)
{
	(void)name;
	snapshot(true);
}

/* PSCI 0.2 over SMC (the numbers of libpvcore/psci.h). */
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_AFFINITY_INFO 0x84000004u
#define AFFINITY_OFF 1u
#define OFF_POLLS 1000000u

static u32 psci(u32 fn, u32 a1, u32 a2, u32 a3)
{
	register u32 r0 __asm__("r0") = fn;
	register u32 r1 __asm__("r1") = a1;
	register u32 r2 __asm__("r2") = a2;
	register u32 r3 __asm__("r3") = a3;

	__asm__ volatile("smc #0" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)
			 :: "memory");
	return r0;
}

void plat_cpu_on(unsigned cpu, u32 entry)
{
	/* The affinity is MPIDR's Aff0 on this one-cluster board. */
	psci(PSCI_CPU_ON, cpu, entry, 0);
}

void plat_cpu_off(void)
{
	psci(PSCI_CPU_OFF, 0, 0, 0);
	for (;;)
		;
}

bool plat_cpu_wait_off(unsigned cpu)
{
	for (u32 n = 0; n < OFF_POLLS; n++)
		if (psci(PSCI_AFFINITY_INFO, cpu, 0, 0) == AFFINITY_OFF)
			return true;
	return false;
}

void plat_exit(int status)
{
	register u32 r0 __asm__("r0") = PSCI_SYSTEM_OFF;
	register u32 r1 __asm__("r1");

	if (status == 0)
		__asm__ volatile("smc #0" : "+r"(r0) :: "memory");
	r0 = PV_HC_EXIT;
	r1 = (u32)status;
	__asm__ volatile(".arch_extension virt\n\thvc #0"
			 : "+r"(r0) : "r"(r1) : "memory");
	for (;;)
		;
}
