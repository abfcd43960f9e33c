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

/*
 * The System Reset Controller: core N's entry in GPR(2N+1), its argument
 * after it; SCR's enable bit (22 + N - 1) starts it when it goes 0 to 1,
 * with the core's reset bit (14 + N - 1), and clearing it stops the core.
 */
#define SRC_SCR 0x020d8000u
#define SRC_GPR1 (SRC_SCR + 0x20u)
#define SCR_ENABLE(cpu) (1u << (22 + (cpu) - 1))
#define SCR_RESET(cpu) (1u << (14 + (cpu) - 1))
#define OFF_SPIN 200000u

/* A core cannot clear its own enable bit safely: it asks CPU 0 to. */
static volatile u32 off_request[4];

void plat_cpu_on(unsigned cpu, u32 entry)
{
	wr32(SRC_GPR1 + 8 * cpu, entry);
	wr32(SRC_GPR1 + 8 * cpu + 4, 0);
	dsb();
	wr32(SRC_SCR, rd32(SRC_SCR) | SCR_ENABLE(cpu) | SCR_RESET(cpu));
}

void plat_cpu_off(void)
{
	off_request[MRC(0, 0, 0, 5) & 3u] = 1;
	dsb();
	for (;;)
		__asm__ volatile(SENS(IC_WFI, "wfi") ::: "memory");
}

bool plat_cpu_wait_off(unsigned cpu)
{
	for (u32 n = 0; !off_request[cpu]; n++) {
		if (n == OFF_SPIN)
			return false;
		__asm__ volatile("wfe" ::: "memory"); /* QEMU: the next CPU */
	}
	off_request[cpu] = 0;
	wr32(SRC_SCR, rd32(SRC_SCR) & ~SCR_ENABLE(cpu));
	return true;
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
