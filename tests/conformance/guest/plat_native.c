// SPDX-License-Identifier: MIT
/*
 * Platform layer for the native run: PL1 on QEMU sabrelite. Console: the
 * i.MX6 UART2 (0x021E8000, QEMU's second -serial). Exit: semihosting
 * SYS_EXIT_EXTENDED, so QEMU's exit status is the guest's.
 */
#include "conf.h"

#define UART 0x021e8000u
#define UTXD 0x40u
#define UCR1 0x80u
#define UCR2 0x84u
#define UTS  0xb4u

void plat_init(void)
{
	wr32(UART + UCR1, rd32(UART + UCR1) | 1u);                 /* UARTEN */
	wr32(UART + UCR2, rd32(UART + UCR2) | 1u | 2u | 4u | 0x20u | 0x4000u);
	out_puts("# platform: native sabrelite PL1\n");
}

void plat_putc(char c)
{
	if (c == '\n')
		plat_putc('\r');
	while (rd32(UART + UTS) & 0x10u) /* TXFULL */
		;
	wr32(UART + UTXD, (uint8_t)c);
}

void plat_scenario_done(const char *name)
{
	(void)name;
}

void plat_exit(int status)
{
	static u32 block[2];
	register u32 r0 __asm__("r0") = 0x20; /* SYS_EXIT_EXTENDED */
	register u32 r1 __asm__("r1") = (u32)block;

	block[0] = 0x20026; /* ADP_Stopped_ApplicationExit */
	block[1] = (u32)status;
	__asm__ volatile("svc 0x123456" : "+r"(r0) : "r"(r1) : "memory");
	for (;;)
		;
}
