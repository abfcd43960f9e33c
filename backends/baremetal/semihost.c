// SPDX-License-Identifier: MIT
/*
 * Ending the run: ARM semihosting SYS_EXIT_EXTENDED, so QEMU exits with
 * @status (needs -semihosting-config enable=on,target=native). On a board
 * without a debugger the SVC would be taken as a host exception, so after
 * it we simply park the CPU.
 */
#include "bm.h"

#define SYS_EXIT_EXTENDED 0x20
#define ADP_Stopped_ApplicationExit 0x20026

void pvbm_exit(int status)
{
	static uint32_t block[2];
	static bool exiting;
	register uint32_t r0 __asm__("r0") = SYS_EXIT_EXTENDED;
	register uint32_t r1 __asm__("r1") = (uint32_t)(uintptr_t)block;

	/* Without semihosting the SVC traps back into the VMM, whose fatal
	 * path lands here again: say why and park instead of recursing. */
	if (exiting) {
		pvbm_log("semihosting unavailable: run QEMU with "
			 "-semihosting-config enable=on,target=native");
		for (;;)
			pvbm_wfi();
	}
	exiting = true;
	block[0] = ADP_Stopped_ApplicationExit;
	block[1] = (uint32_t)status;
	__asm__ volatile("svc 0x123456" : "+r"(r0) : "r"(r1) : "memory");
	for (;;)
		pvbm_wfi();
}
