// SPDX-License-Identifier: MIT
/*
 * The NXP i.MX6Q as QEMU's sabrelite machine models it (-m 1G: host RAM at
 * 0x10000000-0x4FFFFFFF), and as pvbm uses it.
 *
 * Host physical memory:
 *   0x00000000-0x0FFFFFFF  devices (identity, Device, XN, PL1-only)
 *   0x10000000  1 MiB      backing of the VMM window (LMA of .window)
 *   0x10100000-            pvbm: text, data, bss, L1 tables, stacks
 *   0x20000000  16 MiB     shadow-table pool
 *   0x30000000  128 MiB    guest RAM backing (guest-physical 0x10000000)
 *   0x4FFFF000  4 KiB      the runner's entropy seed (entropy.c)
 */
#include "platform.h"

/*
 * PERIPHCLK: QEMU's A9 timers count every 10 ns (prescaler 0). A real
 * i.MX6Q at 792 MHz runs them at 396 MHz: build with
 * -DPVBM_PERIPH_HZ=396000000 there.
 */
#ifndef PVBM_PERIPH_HZ
#define PVBM_PERIPH_HZ 100000000u
#endif

const struct pvbm_platform pvbm_platform = {
	.name = "i.MX6Q",
	.uart_base = 0x021e8000u,      /* UART2: QEMU's second -serial */
	.periph_base = 0x00a00000u,    /* the i.MX6Q MPCore base */
	.src_base = 0x020d8000u,
	.periphclk_hz = PVBM_PERIPH_HZ,
	.tick_hz = 1000u,
	.irq_gtimer = 27u,
	.irq_twd = 29u,
	.ram_base = 0x10000000u,
	.ram_end = 0x50000000u,
	.window_pa = 0x10000000u,
	.image_pa = 0x10100000u,
	.pool_pa = 0x20000000u,
	.pool_size = 0x01000000u,
	.guest_pa = 0x30000000u,
	.guest_size = 0x08000000u,
	.window_va = 0xfff00000u,      /* PV_DEFAULT_WINDOW_BASE */
	.window_size = 0x000e0000u,    /* up to 0xFFFDFFFF, not the vectors */
	.window_domain = 15u,
	.vmm_dacr = 0x55555555u,       /* every domain Client */
	.ttbr_attrs = 0x6au,           /* IRGN/RGN WB-WA, S, NOS */
	.seed_pa = 0x4ffff000u,
};
