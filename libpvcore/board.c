/* SPDX-License-Identifier: MIT */
/* The virtual board descriptors (the default board, the virtio board) and
 * their validation. */
#include <pvcore/board.h>
#include <pvcore/error.h>

#include "a9_timers.h"
#include "gic.h"
#include "pl011.h"
#include "scu.h"
#include "virtio_mmio.h"

#include "pv_internal.h"

_Static_assert(PV_A9_PERIPHCLK_HZ == PV_BOARD_PERIPHCLK_HZ,
	       "the timer model and the default board disagree on PERIPHCLK");

/* The default board's devices, shared by both descriptors. */
#define DEFAULT_DEVICES \
	{ PV_DEV_A9_SCU, "scu", PV_BOARD_PERIPH_BASE + PV_BOARD_SCU_OFFSET, \
	  PV_SCU_SIZE, { 0, 0 } }, \
	{ PV_DEV_GIC_CPU, "gicc", PV_BOARD_PERIPH_BASE + PV_BOARD_GICC_OFFSET, \
	  PV_GIC_CPU_SIZE, { 0, 0 } }, \
	{ PV_DEV_A9_GTIMER, "global-timer", \
	  PV_BOARD_PERIPH_BASE + PV_BOARD_GT_OFFSET, PV_A9_GT_SIZE, \
	  { PV_BOARD_GT_PPI, 0 } }, \
	{ PV_DEV_A9_TWD, "twd", PV_BOARD_PERIPH_BASE + PV_BOARD_TWD_OFFSET, \
	  PV_A9_TWD_SIZE, { PV_BOARD_TWD_PPI, PV_BOARD_WDT_PPI } }, \
	{ PV_DEV_GIC_DIST, "gicd", PV_BOARD_PERIPH_BASE + PV_BOARD_GICD_OFFSET, \
	  PV_GIC_DIST_SIZE, { 0, 0 } }, \
	{ PV_DEV_PL011, "pl011", PV_BOARD_UART_BASE, PV_PL011_SIZE, \
	  { PV_GIC_NR_PRIVATE + PV_BOARD_UART_SPI, 0 } },

static const struct pv_board_device default_devices[] = {
	DEFAULT_DEVICES
};

const struct pv_board pv_board_default = {
	.name = "pvcore virtual Cortex-A9 board",
	.compatible = "pvcore,virt-a9",
	.ram_base = PV_BOARD_RAM_BASE,
	.ram_size = PV_BOARD_RAM_SIZE,
	.periph_base = PV_BOARD_PERIPH_BASE,
	.periphclk_hz = PV_BOARD_PERIPHCLK_HZ,
	.devices = default_devices,
	.ndevices = PV_ARRAY_SIZE(default_devices),
};

#define VIRTIO_DEV(type, name, n)                                              \
	{ type, name, PV_BOARD_VIRTIO_BASE + (n) * PV_BOARD_VIRTIO_STRIDE,     \
	  PV_VIRTIO_MMIO_SIZE,                                                  \
	  { PV_GIC_NR_PRIVATE + PV_BOARD_VIRTIO_SPI + (n), 0 } }

static const struct pv_board_device virtio_devices[] = {
	DEFAULT_DEVICES
	VIRTIO_DEV(PV_DEV_VIRTIO_CONSOLE, "virtio-console", 0),
	VIRTIO_DEV(PV_DEV_VIRTIO_BLK, "virtio-blk", 1),
	VIRTIO_DEV(PV_DEV_VIRTIO_NET, "virtio-net", 2),
	VIRTIO_DEV(PV_DEV_VIRTIO_RNG, "virtio-rng", 3),
};

const struct pv_board pv_board_virtio = {
	.name = "pvcore virtual Cortex-A9 board with virtio",
	.compatible = "pvcore,virt-a9",
	.ram_base = PV_BOARD_RAM_BASE,
	.ram_size = PV_BOARD_RAM_SIZE,
	.periph_base = PV_BOARD_PERIPH_BASE,
	.periphclk_hz = PV_BOARD_PERIPHCLK_HZ,
	.devices = virtio_devices,
	.ndevices = PV_ARRAY_SIZE(virtio_devices),
};

/**
 * struct device_rule - what each device type requires
 * @size: its register window
 * @nirq: interrupt slots it uses
 * @ppi: those interrupts are PPIs (else SPIs)
 * @required: part of the MPCore: exactly one, at @offset from the
 *            peripheral base (the A9 TRM's private memory map, which CBAR
 *            implies); other types: at most one, anywhere
 * @offset: see @required
 * @align: the base must be a multiple of it, a power of two (1: unchecked)
 */
struct device_rule {
	uint32_t size;
	uint8_t nirq;
	bool ppi, required;
	uint32_t offset;
	uint32_t align;
};

static const struct device_rule rules[PV_DEV_TYPE_COUNT] = {
	[PV_DEV_A9_SCU] = { PV_SCU_SIZE, 0, false, true, 0x0000, 1 },
	[PV_DEV_GIC_CPU] = { PV_GIC_CPU_SIZE, 0, false, true, 0x0100, 1 },
	[PV_DEV_GIC_DIST] = { PV_GIC_DIST_SIZE, 0, false, true, 0x1000, 1 },
	[PV_DEV_A9_GTIMER] = { PV_A9_GT_SIZE, 1, true, true, 0x0200, 1 },
	[PV_DEV_A9_TWD] = { PV_A9_TWD_SIZE, 2, true, true, 0x0600, 1 },
	[PV_DEV_PL011] = { PV_PL011_SIZE, 1, false, false, 0, 1 },
	[PV_DEV_VIRTIO_CONSOLE] = { PV_VIRTIO_MMIO_SIZE, 1, false, false, 0,
				    PV_VIRTIO_MMIO_SIZE },
	[PV_DEV_VIRTIO_BLK] = { PV_VIRTIO_MMIO_SIZE, 1, false, false, 0,
				PV_VIRTIO_MMIO_SIZE },
	[PV_DEV_VIRTIO_NET] = { PV_VIRTIO_MMIO_SIZE, 1, false, false, 0,
				PV_VIRTIO_MMIO_SIZE },
	[PV_DEV_VIRTIO_RNG] = { PV_VIRTIO_MMIO_SIZE, 1, false, false, 0,
				PV_VIRTIO_MMIO_SIZE },
};

const struct pv_board_device *pv_board_find(const struct pv_board *board,
					    enum pv_device_type type)
{
	for (unsigned i = 0; i < board->ndevices; i++)
		if (board->devices[i].type == type)
			return &board->devices[i];
	return NULL;
}


static bool irq_ok(const struct device_rule *r, unsigned irq)
{
	if (r->ppi)
		return irq >= PV_GIC_NR_SGIS && irq < PV_GIC_NR_PRIVATE;
	return irq >= PV_GIC_NR_PRIVATE && irq < PV_GIC_NR_IRQS;
}

/* Two devices that drive one interrupt ID would fight over its level. */
static bool share_irq(const struct pv_board_device *a,
		      const struct pv_board_device *b)
{
	for (unsigned k = 0; k < PV_ARRAY_SIZE(a->irq); k++)
		for (unsigned l = 0; l < PV_ARRAY_SIZE(b->irq); l++)
			if (a->irq[k] && a->irq[k] == b->irq[l])
				return true;
	return false;
}

static int check_device(const struct pv_board *b, unsigned i,
			unsigned count[PV_DEV_TYPE_COUNT])
{
	const struct pv_board_device *d = &b->devices[i];
	const struct device_rule *r;

	if ((unsigned)d->type >= PV_DEV_TYPE_COUNT || !d->name)
		return PV_EINVAL;
	r = &rules[d->type];
	if (d->size != r->size || (uint64_t)d->base + d->size > (1ull << 32) ||
	    ++count[d->type] > 1 || (d->base & (r->align - 1)) ||
	    (r->required && d->base != b->periph_base + r->offset))
		return PV_EINVAL;
	for (unsigned k = 0; k < PV_ARRAY_SIZE(d->irq); k++)
		if (k < r->nirq ? !irq_ok(r, d->irq[k]) : d->irq[k] != 0)
			return PV_EINVAL;
	if (pv_ranges_overlap(d->base, d->size, b->ram_base, b->ram_size))
		return PV_EINVAL;
	for (unsigned j = 0; j < i; j++)
		if (pv_ranges_overlap(d->base, d->size, b->devices[j].base,
			    b->devices[j].size) ||
		    share_irq(d, &b->devices[j]))
			return PV_EINVAL;
	return 0;
}

int pv_board_check(const struct pv_board *board)
{
	unsigned count[PV_DEV_TYPE_COUNT] = { 0 };
	int err;

	if (!board || !board->devices || !board->ram_size ||
	    (board->ram_base | board->ram_size) & 0xfffffu ||
	    board->periph_base & 0x1fffu ||
	    board->periphclk_hz != PV_A9_PERIPHCLK_HZ ||
	    (uint64_t)board->ram_base + board->ram_size > (1ull << 32))
		return PV_EINVAL;
	for (unsigned i = 0; i < board->ndevices; i++) {
		err = check_device(board, i, count);
		if (err)
			return err;
	}
	for (unsigned t = 0; t < PV_DEV_TYPE_COUNT; t++)
		if (rules[t].required && count[t] != 1)
			return PV_EINVAL;
	return 0;
}
