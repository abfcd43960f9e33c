/* SPDX-License-Identifier: MIT */
/*
 * Register addresses of the Cortex-A9 MPCore private peripherals the
 * interrupt scenarios use (sc_irq.c, sc_fiq.c): GIC distributor and CPU
 * interface, private timer (TWD), global timer. Bases are in conf.h.
 */
#ifndef CONF_MPCORE_H
#define CONF_MPCORE_H

#include "conf.h"

#define GICD_CTLR     (GICD + 0x000)
#define GICD_IGROUPR  (GICD + 0x080)
#define GICD_ISENABLE (GICD + 0x100)
#define GICD_ICENABLE (GICD + 0x180)
#define GICD_ISPEND   (GICD + 0x200)
#define GICD_ICPEND   (GICD + 0x280)
#define GICD_ISACTIVE (GICD + 0x300)
#define GICD_PRIO     (GICD + 0x400)
#define GICD_SGIR     (GICD + 0xf00)
#define GICC_CTLR     (GICC + 0x00)
#define GICC_PMR      (GICC + 0x04)
#define GICC_BPR      (GICC + 0x08)
#define GICC_IAR      (GICC + 0x0c)
#define GICC_EOIR     (GICC + 0x10)
#define GICC_RPR      (GICC + 0x14)
#define GICC_HPPIR    (GICC + 0x18)
#define TWD_LOAD      (TWD + 0x00)
#define TWD_CTRL      (TWD + 0x08)
#define TWD_ISR       (TWD + 0x0c)
#define GT_LO         (GT + 0x00)
#define GT_HI         (GT + 0x04)
#define GT_CTRL       (GT + 0x08)
#define GT_ISR        (GT + 0x0c)
#define GT_CMP_LO     (GT + 0x10)
#define GT_CMP_HI     (GT + 0x14)
#define GT_AUTOINC    (GT + 0x18)

/* sc_irq.c: the GIC torn down after an interrupt scenario (gic_setup(),
 * gic_ack() and gic_eoi() are in conf.h). */
void gic_off(void);

#endif /* CONF_MPCORE_H */
