/* SPDX-License-Identifier: MIT */
/**
 * DOC: the virtual PL011 UART
 *
 * An ARM PrimeCell UART (PL011 r1p0, peripheral ID 0x00041011, so Linux's
 * amba-pl011 driver uses 16-entry FIFOs) on the backend's console.
 *
 * Transmit: a byte written to DR goes straight to the backend's
 * console_write, so the TX FIFO is always empty, BUSY is never set and no
 * byte is lost even before the guest enables the UART (earlycon writes
 * before anyone set UARTEN). Each DR write moves the TX FIFO through its
 * trigger level on the way back to empty, which is the event that sets
 * TXRIS on the real part; TXRIS then stays set until ICR clears it or the
 * next write. That is the behaviour Linux's interrupt-driven transmit
 * relies on: it fills the FIFO, unmasks TXIM only if more data is queued,
 * and keeps refilling while TXIS is asserted.
 *
 * Receive: bytes are pulled from console_read into the RX FIFO, never more
 * than it holds (the backend keeps the rest, so there is no overrun), and
 * only while UARTEN and RXE are set: when the guest reads DR or FR, and
 * when the platform polls (host timer, backend input notification).
 * RXRIS follows the FIFO level against the IFLS trigger; RTIS (receive
 * timeout) is raised when new bytes arrive or a poll finds the FIFO still
 * non-empty, and drops when the FIFO empties. With LCR_H.FEN clear the
 * FIFOs are one entry deep. CR.LBE loops transmitted bytes back into the
 * RX FIFO. Modem-status lines read as connected (CTS, DSR, DCD).
 *
 * The interrupt output (RIS & IMSC != 0) drives one GIC line, level.
 */
#ifndef PVCORE_PL011_H
#define PVCORE_PL011_H

#include <pvcore/backend.h>
#include "gic.h"

#define PV_PL011_SIZE 0x1000u
#define PV_PL011_FIFO 16u
/* How often to look for console input while the guest listens for it. */
#define PV_PL011_POLL_NS 10000000u

/* Register offsets. */
#define PV_UART_DR 0x000u
#define PV_UART_RSR 0x004u
#define PV_UART_FR 0x018u
#define PV_UART_ILPR 0x020u
#define PV_UART_IBRD 0x024u
#define PV_UART_FBRD 0x028u
#define PV_UART_LCRH 0x02cu
#define PV_UART_CR 0x030u
#define PV_UART_IFLS 0x034u
#define PV_UART_IMSC 0x038u
#define PV_UART_RIS 0x03cu
#define PV_UART_MIS 0x040u
#define PV_UART_ICR 0x044u
#define PV_UART_DMACR 0x048u

/* FR bits. */
#define PV_UART_FR_CTS (1u << 0)
#define PV_UART_FR_DSR (1u << 1)
#define PV_UART_FR_DCD (1u << 2)
#define PV_UART_FR_BUSY (1u << 3)
#define PV_UART_FR_RXFE (1u << 4)
#define PV_UART_FR_TXFF (1u << 5)
#define PV_UART_FR_RXFF (1u << 6)
#define PV_UART_FR_TXFE (1u << 7)
/* CR bits. */
#define PV_UART_CR_UARTEN (1u << 0)
#define PV_UART_CR_LBE (1u << 7)
#define PV_UART_CR_TXE (1u << 8)
#define PV_UART_CR_RXE (1u << 9)
/* LCR_H bits. */
#define PV_UART_LCRH_FEN (1u << 4)
/* Interrupt bits (IMSC, RIS, MIS, ICR). */
#define PV_UART_INT_RX (1u << 4)
#define PV_UART_INT_TX (1u << 5)
#define PV_UART_INT_RT (1u << 6)
#define PV_UART_INT_ALL 0x7ffu

/**
 * struct pv_pl011 - one UART
 * @rx: the receive FIFO ring; @rx_head the oldest entry, @rx_count entries
 * @rsr, @ilpr, @ibrd, @fbrd, @lcr_h, @cr, @ifls, @imsc, @ris, @dmacr:
 *       the registers of the same names
 * @ops, @ctx: the backend console
 * @gic, @irq: the interrupt line this UART drives (@gic may be NULL)
 * @line: the output level last driven
 * @tx_bytes, @rx_bytes: statistics
 */
struct pv_pl011 {
	uint8_t rx[PV_PL011_FIFO];
	unsigned rx_head, rx_count;
	uint32_t rsr, ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, dmacr;
	const struct pv_backend_ops *ops;
	void *ctx;
	struct pv_gic *gic;
	unsigned irq;
	bool line;
	uint64_t tx_bytes, rx_bytes;
};

/**
 * pv_pl011_init() - reset the UART
 * @u: storage, fully overwritten
 * @ops: backend operations (console_write, console_read are used)
 * @ctx: their context
 * @gic: the GIC, or NULL
 * @irq: the interrupt ID it drives (an SPI)
 */
void pv_pl011_init(struct pv_pl011 *u, const struct pv_backend_ops *ops,
		   void *ctx, struct pv_gic *gic, unsigned irq);

/**
 * pv_pl011_read() - read a register
 * @u: the UART
 * @offset: byte offset in the 4 KiB frame
 * @size: 1, 2 or 4; registers are read whole and zero-extended, as the
 *        APB interface does
 * @val: the value; reading DR pops the RX FIFO
 * Return: 0.
 */
int pv_pl011_read(struct pv_pl011 *u, uint32_t offset, unsigned size,
		  uint32_t *val);

/** pv_pl011_write() - write a register; see pv_pl011_read(). Return: 0. */
int pv_pl011_write(struct pv_pl011 *u, uint32_t offset, unsigned size,
		   uint32_t val);

/**
 * pv_pl011_poll() - pull waiting console input into the RX FIFO
 * @u: the UART
 *
 * Called on host timer expiry and when the backend signals input. Time
 * has passed, so a FIFO that still holds data raises the receive timeout.
 */
void pv_pl011_poll(struct pv_pl011 *u);

/**
 * pv_pl011_rx_enabled() - whether the guest has the receiver on (UARTEN
 * and RXE): Linux turns it on while the UART's tty is open, and only then
 * does the UART take console input (the virtio console gets it otherwise).
 */
bool pv_pl011_rx_enabled(const struct pv_pl011 *u);

/**
 * pv_pl011_wants_poll() - whether periodic input polling is useful: the
 * receiver is enabled, an RX interrupt is unmasked and the FIFO has room.
 */
bool pv_pl011_wants_poll(const struct pv_pl011 *u);

/**
 * pv_pl011_check() - verify invariants (fuzzing and tests)
 * Return: 0; PV_ESTATE on an out-of-range FIFO index or register, or an
 * output line that disagrees with RIS & IMSC.
 */
int pv_pl011_check(const struct pv_pl011 *u);

#endif /* PVCORE_PL011_H */
