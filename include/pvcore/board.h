/* SPDX-License-Identifier: MIT */
/**
 * DOC: the virtual board, as one descriptor
 *
 * A &struct pv_board says everything about the machine the guest sees:
 * its RAM range, each device's type, base, size and interrupts, and the
 * MPCore peripheral base that CP15 CBAR reports. The VM instantiates its
 * device models from it (pv_vm_config.board) and nothing in the core
 * repeats its numbers. dts/pvboard.dts is generated from
 * &pv_board_default (tools/mkdts), and a test proves that the committed
 * tree is what the descriptor says.
 *
 * The PV_BOARD_* macros are the default board's numbers for code that
 * cannot read a C descriptor: assembly test guests and the default
 * descriptor's own initializer.
 */
#ifndef PVCORE_BOARD_H
#define PVCORE_BOARD_H

#ifdef __cplusplus
extern "C" {
#endif

/* The default board (pv_board_default); assembly may include these. */
#define PV_BOARD_RAM_BASE 0x10000000u
#define PV_BOARD_RAM_SIZE 0x08000000u    /* below the UART at 0x1c090000 */
#define PV_BOARD_PERIPH_BASE 0x00a00000u /* A9 MPCore, as on the i.MX6Q */
#define PV_BOARD_SCU_OFFSET 0x0000u
#define PV_BOARD_GICC_OFFSET 0x0100u
#define PV_BOARD_GT_OFFSET 0x0200u
#define PV_BOARD_TWD_OFFSET 0x0600u
#define PV_BOARD_GICD_OFFSET 0x1000u
#define PV_BOARD_UART_BASE 0x1c090000u   /* where vexpress has UART0 */
#define PV_BOARD_UART_SPI 5u  /* GIC SPI number; interrupt ID 37 */
#define PV_BOARD_GT_PPI 27u   /* interrupt ID of the global timer */
#define PV_BOARD_TWD_PPI 29u  /* interrupt ID of the private timer */
#define PV_BOARD_WDT_PPI 30u  /* interrupt ID of the private watchdog */
#define PV_BOARD_PERIPHCLK_HZ 100000000u /* one timer tick per 10 ns */

/*
 * pv_board_virtio: the default board plus one virtio-mmio transport of
 * each kind (console, block, network, entropy, in that order), 0x200
 * apart from PV_BOARD_VIRTIO_BASE, where QEMU's vexpress (A15 memory map)
 * puts its virtio-mmio transports, each raising one SPI from
 * PV_BOARD_VIRTIO_SPI up. vexpress uses SPIs 40..43; this GIC implements
 * SPIs 0..31 only (PV_GIC_NR_IRQS), hence 16..19 (interrupt IDs 48..51).
 */
#define PV_BOARD_VIRTIO_BASE 0x1c130000u
#define PV_BOARD_VIRTIO_STRIDE 0x200u
#define PV_BOARD_VIRTIO_SPI 16u

/* Interrupt IDs the virtual GIC (a Cortex-A9 MPCore GIC) implements. */
#define PV_GIC_NR_IRQS 64u

#ifndef __ASSEMBLER__

#include <pvcore/types.h>

/** enum pv_device_type - the device models a board can instantiate. */
enum pv_device_type {
	PV_DEV_A9_SCU,       /* Snoop Control Unit */
	PV_DEV_GIC_CPU,      /* GIC CPU interface (banked per vCPU) */
	PV_DEV_GIC_DIST,     /* GIC distributor */
	PV_DEV_A9_GTIMER,    /* global timer; irq[0] its PPI */
	PV_DEV_A9_TWD,       /* private timer and watchdog; irq[0], irq[1] PPIs */
	PV_DEV_PL011,        /* PL011 UART; irq[0] its interrupt ID */
	/*
	 * virtio-mmio transports (virtio 1.x, register layout version 2), a
	 * 0x200-byte window (0x200 aligned) each; irq[0] is the SPI they
	 * raise. The data path goes through the backend operations of the
	 * same name (backend.h), which pv_vm_init() requires when the board
	 * has the device.
	 */
	PV_DEV_VIRTIO_CONSOLE, /* virtio console (device ID 3) */
	PV_DEV_VIRTIO_BLK,     /* virtio block (device ID 2), backend unit 0 */
	PV_DEV_VIRTIO_NET,     /* virtio network (device ID 1) */
	PV_DEV_VIRTIO_RNG,     /* virtio entropy (device ID 4) */
	PV_DEV_TYPE_COUNT,
};

/**
 * struct pv_board_device - one device of the board
 * @type: which model
 * @name: short name for reports and the device tree node
 * @base: guest-physical base (4 KiB aligned unless the model says less)
 * @size: bytes of its register window; must match the model's size
 * @irq: interrupt IDs it raises (GIC IDs: 16..31 PPIs, 32.. SPIs), 0 when
 *       unused; the meaning of each slot is the type's (see above)
 */
struct pv_board_device {
	enum pv_device_type type;
	const char *name;
	uint32_t base;
	uint32_t size;
	uint16_t irq[2];
};

/**
 * struct pv_board - one virtual board
 * @name: model string (device tree "model")
 * @compatible: device tree top-level "compatible"
 * @ram_base: guest-physical start of the RAM range the guest is told of
 * @ram_size: its size; each configured RAM region lies inside it
 * @periph_base: the MPCore private peripheral base, read through CBAR
 * @periphclk_hz: the MPCore timers' PERIPHCLK; the timer model runs at
 *                PV_BOARD_PERIPHCLK_HZ only
 * @devices: the devices; exactly one of each MPCore type (SCU, GIC CPU
 *           interface, distributor, global timer, TWD), at most one PL011
 *           and at most one virtio device of each type
 * @ndevices: number of @devices
 */
struct pv_board {
	const char *name;
	const char *compatible;
	uint32_t ram_base;
	uint32_t ram_size;
	uint32_t periph_base;
	uint32_t periphclk_hz;
	const struct pv_board_device *devices;
	unsigned ndevices;
};

/**
 * pv_board_default - the board pvcore presents unless told otherwise: a
 * Cortex-A9 MPCore at the i.MX6Q address and a PL011, the set Linux's
 * generic DT machine boots on (dts/pvboard.dts).
 */
extern const struct pv_board pv_board_default;

/**
 * pv_board_virtio - &pv_board_default plus one virtio-mmio device of each
 * type (console, block, network, entropy) at PV_BOARD_VIRTIO_BASE +
 * n * PV_BOARD_VIRTIO_STRIDE, raising SPI PV_BOARD_VIRTIO_SPI + n (n = 0..3
 * in that order). A VM on this board needs the block, network and entropy
 * backend operations (backend.h). `mkdts --board virtio` prints its
 * device tree.
 */
extern const struct pv_board pv_board_virtio;

/**
 * pv_board_find() - the first device of @type on @board
 *
 * Return: the device, or NULL if the board has none.
 */
const struct pv_board_device *pv_board_find(const struct pv_board *board,
					    enum pv_device_type type);

/**
 * pv_board_check() - validate a board descriptor
 *
 * Return: 0; PV_EINVAL if a required MPCore device is missing, doubled or
 * not at its offset from @periph_base (the Cortex-A9 private memory map:
 * SCU +0, GIC CPU interface +0x100, global timer +0x200, TWD +0x600,
 * distributor +0x1000; @periph_base 8 KiB aligned), a device's size is not
 * its model's, @periphclk_hz is not PV_BOARD_PERIPHCLK_HZ, an interrupt ID is out of range for
 * its kind (PPI slots take 16..31, the UART and the virtio devices
 * 32..PV_GIC_NR_IRQS-1), two devices share an interrupt ID, a virtio
 * device's base is not 0x200 aligned, a PL011 or a virtio type appears
 * twice, two devices overlap each other or the RAM range, or the RAM
 * range is empty or not 1 MiB aligned.
 */
int pv_board_check(const struct pv_board *board);

#endif /* !__ASSEMBLER__ */
#ifdef __cplusplus
}
#endif

#endif /* PVCORE_BOARD_H */
