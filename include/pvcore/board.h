/* SPDX-License-Identifier: MIT */
/**
 * DOC: the virtual board
 *
 * The guest-physical layout of the board pvcore presents. It mirrors the
 * device tree in dts/pvboard.dts; a test checks that the two agree. The
 * MPCore peripheral base is the i.MX6Q one, so CBAR reads as on the real
 * SoC; the PL011 sits where vexpress has its UART0.
 */
#ifndef PVCORE_BOARD_H
#define PVCORE_BOARD_H

#define PV_BOARD_RAM_BASE 0x10000000u
/* What the device tree declares; must stay below the UART at 0x1c090000. */
#define PV_BOARD_RAM_SIZE 0x08000000u
#define PV_BOARD_PERIPH_BASE 0x00a00000u /* A9 MPCore: SCU, GIC, timers */
#define PV_BOARD_SCU_OFFSET 0x0000u
#define PV_BOARD_GICC_OFFSET 0x0100u
#define PV_BOARD_GT_OFFSET 0x0200u
#define PV_BOARD_TWD_OFFSET 0x0600u
#define PV_BOARD_GICD_OFFSET 0x1000u
#define PV_BOARD_UART_BASE 0x1c090000u
#define PV_BOARD_UART_SPI 5u  /* GIC SPI number; interrupt ID 37 */
#define PV_BOARD_GT_PPI 27u   /* interrupt ID of the global timer */
#define PV_BOARD_TWD_PPI 29u  /* interrupt ID of the private timer */
#define PV_BOARD_WDT_PPI 30u  /* interrupt ID of the private watchdog */

#endif /* PVCORE_BOARD_H */
