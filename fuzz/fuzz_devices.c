/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the board's device models. The input is a script of
 * operations on one freshly initialised VM: MMIO reads and writes (any
 * size, any offset) to the SCU, GIC, timers and PL011 through the memory
 * map, time steps with host-timer expiry, virtual and physical interrupt
 * lines, console input, and IAR/EOI handshakes. After every operation the
 * device invariants must hold:
 *
 * - no crash, no sanitizer report;
 * - pv_gic_check(), pv_a9_timers_check(), pv_pl011_check() pass: no
 *   out-of-range state, every interrupt output equals what the registers
 *   say, and the vCPU's irq/fiq lines equal the GIC's outputs;
 * - the host timer is never left armed in the past, and a due deadline is
 *   always served: after expiry the next deadline lies in the future;
 * - the global timer counter never runs backwards while it is enabled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "fake_backend.h"
#include "fuzz_input.h"

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;


static const struct {
	uint32_t base, size;
} windows[] = {
	{ PV_BOARD_PERIPH_BASE + PV_BOARD_SCU_OFFSET, 0x100 },
	{ PV_BOARD_PERIPH_BASE + PV_BOARD_GICC_OFFSET, 0x100 },
	{ PV_BOARD_PERIPH_BASE + PV_BOARD_GT_OFFSET, 0x100 },
	{ PV_BOARD_PERIPH_BASE + PV_BOARD_TWD_OFFSET, 0x100 },
	{ PV_BOARD_PERIPH_BASE + PV_BOARD_GICD_OFFSET, 0x1000 },
	{ PV_BOARD_UART_BASE, 0x1000 },
};

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_devices: invariant broken: %s\n", what);
	abort();
}

static void check(uint64_t *gt_last)
{
	const struct pv_devices *d = &vm->dev;

	if (pv_gic_check(&d->gic))
		fail("gic");
	if (pv_a9_timers_check(&d->timers))
		fail("timers");
	if (pv_pl011_check(&d->uart))
		fail("pl011");
	if (d->armed != PV_TIMER_NEVER && fb.deadline != d->armed)
		fail("host timer differs from the armed deadline");
	if (d->timers.gt_ctrl & PV_GT_CTRL_ENABLE) {
		/* Forward modulo 2^64: the 64-bit counter wraps as the A9's
		 * does. UINT64_MAX: it was stopped (and writable) before. */
		if (*gt_last != UINT64_MAX &&
		    d->timers.gt_count - *gt_last > (1ull << 63))
			fail("global timer ran backwards");
		*gt_last = d->timers.gt_count;
	} else {
		*gt_last = UINT64_MAX;
	}
}

static const uint8_t console_bytes[] = "pvcore fuzz input line\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input r = { data, size };
	uint64_t gt_last = UINT64_MAX;

	if (!vm) {
		if (fake_backend_setup(&fb, &cfg))
			abort();
		vm = calloc(1, sizeof(*vm));
		if (!vm)
			abort();
	}
	fb.now = 1000;
	fb.deadline = PV_TIMER_NEVER;
	fb.timer_sets = 0;
	fb.console_len = 0;
	fb.input = console_bytes;
	fb.input_len = 0;
	fb.input_pos = 0;
	cfg.num_vcpus = 1 + (size ? data[0] % PV_MAX_VCPUS : 0);
	if (pv_vm_init(vm, &cfg))
		abort();
	while (r.n) {
		uint32_t op = fuzz_take(&r, 1), w, off, v;
		unsigned sz;
		uint64_t val;

		switch (op % 8) {
		case 0: /* MMIO write */
		case 1: /* MMIO read */
			w = fuzz_take(&r, 1) % PV_ARRAY_SIZE(windows);
			off = fuzz_take(&r, 2) % windows[w].size;
			sz = 1u << (fuzz_take(&r, 1) % 3);
			off &= ~(sz - 1);
			v = fuzz_take(&r, 4);
			vm->dev.gic.cur_cpu = (op >> 4) % vm->cfg.num_vcpus;
			if (op % 8 == 0)
				(void)pv_memmap_write(&vm->map, pv_gpa(windows[w].base + off), sz, v);
			else
				(void)pv_memmap_read(&vm->map, pv_gpa(windows[w].base + off), sz, &val);
			vm->dev.gic.cur_cpu = 0;
			break;
		case 2: /* time passes; serve the host timer when due */
			fb.now += (uint64_t)fuzz_take(&r, 2) << (fuzz_take(&r, 1) % 24);
			if (fb.deadline != PV_TIMER_NEVER && fb.now >= fb.deadline) {
				pv_vm_timer_expired(vm);
				if (vm->dev.armed != PV_TIMER_NEVER && vm->dev.armed <= fb.now)
					fail("deadline in the past after expiry");
			}
			break;
		case 3: /* a virtual line */
			(void)pv_gic_set_line(&vm->dev.gic, fuzz_take(&r, 1) % 3,
					      fuzz_take(&r, 1) % (PV_GIC_NR_IRQS + 4), op & 0x80);
			break;
		case 4: /* console input */
			fb.input_len = fuzz_take(&r, 1) % sizeof(console_bytes);
			fb.input_pos = 0;
			pv_vm_console_input(vm);
			break;
		case 5: /* physical interrupts */
			v = fuzz_take(&r, 1);
			if (op & 0x80)
				(void)pv_vm_map_phys_irq(vm, v % 8, fuzz_take(&r, 1) % 70);
			else
				(void)pv_vm_phys_irq(vm, v % 8, op & 0x40);
			break;
		case 6: /* what a guest IRQ handler does: IAR then EOI */
			w = PV_BOARD_PERIPH_BASE + PV_BOARD_GICC_OFFSET;
			(void)pv_memmap_read(&vm->map, pv_gpa(w + 0x0c), 4, &val);
			if (op & 0x80)
				(void)pv_memmap_write(&vm->map, pv_gpa(w + 0x10), 4, val);
			break;
		default: /* a forced expiry, as a backend with a coarse timer */
			pv_vm_timer_expired(vm);
			break;
		}
		check(&gt_last);
	}
	return 0;
}
