/* SPDX-License-Identifier: MIT */
/*
 * Device micro-paths for callgrind (instruction counts are deterministic).
 * Each path runs BENCH_N times inside its own noinline function, so
 *
 *   valgrind --tool=callgrind --toggle-collect=<function> bench_devices
 *
 * reports the instructions of exactly that loop; divide by BENCH_N.
 * docs/devices.md records the numbers. Paths (all through the memory map,
 * i.e. what the trap path does after decoding the load or store):
 *
 * - bench_iar_eoi: a guest IRQ handler's GIC handshake: read GICC_IAR,
 *   write GICC_EOIR, with a level SPI that stays asserted;
 * - bench_twd_next_event: Linux's twd_set_next_event(): read the TWD
 *   control register, write the counter, write the control register, each
 *   with its clock read and host timer re-arm;
 * - bench_timer_expiry: the host timer fires (pv_vm_timer_expired) and the
 *   guest clears the TWD event flag.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core.h"
#include "fake_backend.h"

#define BENCH_N 10000u

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;

static const uint32_t gicd = PV_BOARD_PERIPH_BASE + PV_BOARD_GICD_OFFSET;
static const uint32_t gicc = PV_BOARD_PERIPH_BASE + PV_BOARD_GICC_OFFSET;
static const uint32_t twd = PV_BOARD_PERIPH_BASE + PV_BOARD_TWD_OFFSET;

static void w32(uint32_t gpa, uint32_t v)
{
	if (pv_memmap_write(&vm->map, pv_gpa(gpa), 4, v))
		abort();
}

static uint32_t r32(uint32_t gpa)
{
	uint64_t v;

	if (pv_memmap_read(&vm->map, pv_gpa(gpa), 4, &v))
		abort();
	return (uint32_t)v;
}

__attribute__((noinline)) static uint32_t bench_iar_eoi(unsigned n)
{
	uint32_t sum = 0;

	for (unsigned i = 0; i < n; i++) {
		uint32_t iar = r32(gicc + 0x0c);

		sum += iar;
		w32(gicc + 0x10, iar);
	}
	return sum;
}

__attribute__((noinline)) static void bench_twd_next_event(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint32_t ctrl = r32(twd + 0x08);

		fb.now += 1000;
		w32(twd + 0x04, 5000 + (i & 255));
		w32(twd + 0x08, ctrl | PV_TWD_CTRL_ENABLE | PV_TWD_CTRL_IRQ);
	}
}

__attribute__((noinline)) static void bench_timer_expiry(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		fb.now = fb.deadline;
		pv_vm_timer_expired(vm);
		w32(twd + 0x0c, 1);
	}
}

int main(void)
{
	uint32_t sum;

	if (fake_backend_setup(&fb, &cfg))
		return 1;
	vm = calloc(1, sizeof(*vm));
	if (!vm || pv_vm_init(vm, &cfg))
		return 1;
	/* Linux's GIC setup, and SPI 5 (the UART's line) held high. */
	w32(gicd + 0x000, 1);
	w32(gicc + 0x000, 1);
	w32(gicc + 0x004, 0xf0);
	w32(gicd + 0x104, 1u << PV_BOARD_UART_SPI);
	w32(gicd + 0x800 + 32 + PV_BOARD_UART_SPI, 1);
	pv_gic_set_line(&vm->dev.gic, 0, 32 + PV_BOARD_UART_SPI, true);
	sum = bench_iar_eoi(BENCH_N);
	if (sum != BENCH_N * (32 + PV_BOARD_UART_SPI))
		return 1;
	bench_twd_next_event(BENCH_N);
	/* A periodic TWD tick for the expiry path. */
	w32(twd + 0x00, 9999);
	w32(twd + 0x08, PV_TWD_CTRL_ENABLE | PV_TWD_CTRL_AUTO | PV_TWD_CTRL_IRQ);
	bench_timer_expiry(BENCH_N);
	printf("bench devices: %u iterations each of bench_iar_eoi, "
	       "bench_twd_next_event, bench_timer_expiry "
	       "(use callgrind --toggle-collect=<name>, divide by %u)\n",
	       BENCH_N, BENCH_N);
	free(vm);
	fake_backend_teardown(&fb);
	return 0;
}
