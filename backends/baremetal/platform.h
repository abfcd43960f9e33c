/* SPDX-License-Identifier: MIT */
/*
 * The host platform pvbm runs on, as one constant descriptor: where its
 * console and MPCore peripherals are, how its timers tick, how host RAM is
 * split between pvbm, the shadow-table pool and the guest's RAM backing,
 * and where the VMM window sits. Bring-up (main.c) and the drivers read
 * &pvbm_platform; nothing else repeats its numbers.
 *
 * Two places cannot read a C object and keep literal numbers: the linker
 * script (pvbm.ld: image, window and pool addresses), which main.c checks
 * against this descriptor at boot, and window.S, which only needs the
 * frame offsets of frame.h.
 *
 * Not to be confused with the *virtual* board the guest sees
 * (&pv_board_default, <pvcore/board.h>): that one lives in the core.
 */
#ifndef PVBM_PLATFORM_H
#define PVBM_PLATFORM_H

#include <stdint.h>

/**
 * struct pvbm_platform - one host platform
 * @name: for the banner
 * @uart_base: the console UART (polled)
 * @periph_base: where the A9 MPCore peripherals must be (CBAR); used when
 *               CBAR reads 0, warned about when it differs
 * @src_base: the System Reset Controller, which starts the other cores
 *            (smp.c)
 * @periphclk_hz: PERIPHCLK of the A9 global and private timers
 * @tick_hz: the host tick (private timer): watchdog and preemption
 * @irq_gtimer: interrupt ID of the global timer (the core's one-shot)
 * @irq_twd: interrupt ID of the private timer (the host tick)
 * @ram_base: start of host RAM; everything below is devices
 * @ram_end: end of the host RAM pvbm maps
 * @window_pa: 1 MiB of host RAM backing the VMM window (LMA of .window)
 * @image_pa: where pvbm itself is linked (text, data, tables, stacks)
 * @pool_pa: the shadow-table pool (pv_vm_config.shadow_pool)
 * @pool_size: its size
 * @guest_pa: host backing of guest RAM
 * @guest_size: its size; the virtual board's RAM must fit in it
 * @window_va: the VMM window, guest- and host-virtual (1 MiB aligned)
 * @window_size: its size: the rest of that MiB is the guest's (Linux's
 *               vector page and kuser helpers at 0xFFFF0000)
 * @window_domain: the domain of every VMM mapping, a domain Linux does not
 *                 use; pvcore keeps it Client in every guest DACR
 * @vmm_dacr: the DACR the VMM boots with
 * @ttbr_attrs: table-walk attributes ORed into every TTBR0 value
 * @seed_pa: a page of host RAM, outside everything above, where the
 *           runner may leave the entropy seed (entropy.c)
 */
struct pvbm_platform {
	const char *name;
	uint32_t uart_base;
	uint32_t periph_base;
	uint32_t src_base;
	uint32_t periphclk_hz;
	uint32_t tick_hz;
	uint16_t irq_gtimer;
	uint16_t irq_twd;
	uint32_t ram_base;
	uint32_t ram_end;
	uint32_t window_pa;
	uint32_t image_pa;
	uint32_t pool_pa;
	uint32_t pool_size;
	uint32_t guest_pa;
	uint32_t guest_size;
	uint32_t window_va;
	uint32_t window_size;
	uint32_t window_domain;
	uint32_t vmm_dacr;
	uint32_t ttbr_attrs;
	uint32_t seed_pa;
};

/* The one platform of this build (platform_imx6q.c). */
extern const struct pvbm_platform pvbm_platform;

#endif /* PVBM_PLATFORM_H */
