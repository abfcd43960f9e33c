/* SPDX-License-Identifier: MIT */
/* The virtual PL011 UART; behaviour documented in libpvcore/pl011.h. */
#include <pvcore/error.h>
#include "pl011.h"

#include "pv_internal.h"

/* PrimeCell identification at 0xfe0..0xffc: periph 0x00041011, cell B105F00D. */
static const uint8_t pl011_ids[8] = {
	0x11, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1,
};

#define CR_MASK 0xff87u
#define CR_RESET (PV_UART_CR_TXE | PV_UART_CR_RXE)
#define IFLS_RESET 0x12u
#define FR_MODEM (PV_UART_FR_CTS | PV_UART_FR_DSR | PV_UART_FR_DCD)

/* FIFO trigger levels in entries for IFLS codes 0..4 (1/8 .. 7/8 of 16). */
static const uint8_t trigger_levels[8] = { 2, 4, 8, 12, 14, 14, 14, 14 };

static unsigned depth(const struct pv_pl011 *u)
{
	return (u->lcr_h & PV_UART_LCRH_FEN) ? PV_PL011_FIFO : 1u;
}

static unsigned rx_trigger(const struct pv_pl011 *u)
{
	if (!(u->lcr_h & PV_UART_LCRH_FEN))
		return 1;
	return trigger_levels[(u->ifls >> 3) & 7];
}

static bool rx_enabled(const struct pv_pl011 *u)
{
	return (u->cr & (PV_UART_CR_UARTEN | PV_UART_CR_RXE)) ==
	       (PV_UART_CR_UARTEN | PV_UART_CR_RXE);
}

static void update(struct pv_pl011 *u)
{
	bool level;

	/* RXRIS follows the FIFO level; RTIS never outlives the data. */
	if (u->rx_count >= rx_trigger(u))
		u->ris |= PV_UART_INT_RX;
	else
		u->ris &= ~PV_UART_INT_RX;
	if (!u->rx_count)
		u->ris &= ~PV_UART_INT_RT;
	level = (u->ris & u->imsc) != 0;
	if (level != u->line) {
		u->line = level;
		if (u->gic)
			(void)pv_gic_set_line(u->gic, 0, u->irq, level);
	}
}

static void rx_push(struct pv_pl011 *u, uint8_t b)
{
	if (u->rx_count >= depth(u)) {
		u->rsr |= 1u << 3; /* overrun: the byte is lost, as in hardware */
		u->ris |= 1u << 10;
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % PV_PL011_FIFO] = b;
	u->rx_count++;
	u->rx_bytes++;
}

/* Pull console input while there is room; @timeout: time has passed. */
static void pull_input(struct pv_pl011 *u, bool timeout)
{
	bool got = false;

	if (!rx_enabled(u))
		return;
	while (u->rx_count < depth(u)) {
		int c = u->ops->console_read(u->ctx);

		if (c < 0)
			break;
		rx_push(u, (uint8_t)c);
		got = true;
	}
	if ((got || timeout) && u->rx_count)
		u->ris |= PV_UART_INT_RT;
}

void pv_pl011_init(struct pv_pl011 *u, const struct pv_backend_ops *ops,
		   void *ctx, struct pv_gic *gic, unsigned irq)
{
	pv_memset(u, 0, sizeof(*u));
	u->ops = ops;
	u->ctx = ctx;
	u->gic = gic;
	u->irq = irq;
	u->cr = CR_RESET;
	u->ifls = IFLS_RESET;
}

static uint32_t dr_read(struct pv_pl011 *u)
{
	uint32_t v = 0;

	pull_input(u, false);
	if (u->rx_count) {
		v = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % PV_PL011_FIFO;
		u->rx_count--;
		/* Refill behind the guest, so a pasted line keeps flowing. */
		pull_input(u, false);
	}
	return v;
}

static uint32_t fr_read(struct pv_pl011 *u)
{
	uint32_t v = FR_MODEM | PV_UART_FR_TXFE;

	pull_input(u, false);
	if (!u->rx_count)
		v |= PV_UART_FR_RXFE;
	if (u->rx_count >= depth(u))
		v |= PV_UART_FR_RXFF;
	return v;
}

int pv_pl011_read(struct pv_pl011 *u, uint32_t offset, unsigned size,
		  uint32_t *val)
{
	uint32_t v = 0;

	(void)size;
	switch (offset) {
	case PV_UART_DR: v = dr_read(u); break;
	case PV_UART_RSR: v = u->rsr; break;
	case PV_UART_FR: v = fr_read(u); break;
	case PV_UART_ILPR: v = u->ilpr; break;
	case PV_UART_IBRD: v = u->ibrd; break;
	case PV_UART_FBRD: v = u->fbrd; break;
	case PV_UART_LCRH: v = u->lcr_h; break;
	case PV_UART_CR: v = u->cr; break;
	case PV_UART_IFLS: v = u->ifls; break;
	case PV_UART_IMSC: v = u->imsc; break;
	case PV_UART_RIS: v = u->ris; break;
	case PV_UART_MIS: v = u->ris & u->imsc; break;
	case PV_UART_DMACR: v = u->dmacr; break;
	default:
		if (offset >= 0xfe0 && offset < 0x1000 && !(offset & 3))
			v = pl011_ids[(offset - 0xfe0) / 4];
		break;
	}
	update(u);
	*val = v;
	return 0;
}

static void dr_write(struct pv_pl011 *u, uint8_t b)
{
	if (u->cr & PV_UART_CR_LBE) {
		rx_push(u, b);
		u->ris |= PV_UART_INT_RT;
	} else {
		u->ops->console_write(u->ctx, &b, 1);
	}
	u->tx_bytes++;
	/* The byte left the FIFO at once: it drained through the trigger. */
	u->ris |= PV_UART_INT_TX;
}

int pv_pl011_write(struct pv_pl011 *u, uint32_t offset, unsigned size,
		   uint32_t val)
{
	(void)size;
	switch (offset) {
	case PV_UART_DR: dr_write(u, (uint8_t)val); break;
	case PV_UART_RSR: u->rsr = 0; break; /* ECR: any write clears */
	case PV_UART_ILPR: u->ilpr = val & 0xffu; break;
	case PV_UART_IBRD: u->ibrd = val & 0xffffu; break;
	case PV_UART_FBRD: u->fbrd = val & 0x3fu; break;
	case PV_UART_LCRH:
		/* Switching FIFO mode flushes the FIFO on the real part. */
		if ((u->lcr_h ^ val) & PV_UART_LCRH_FEN)
			u->rx_count = 0;
		u->lcr_h = val & 0xffu;
		break;
	case PV_UART_CR: u->cr = val & CR_MASK; break;
	case PV_UART_IFLS: u->ifls = val & 0x3fu; break;
	case PV_UART_IMSC: u->imsc = val & PV_UART_INT_ALL; break;
	case PV_UART_ICR: u->ris &= ~val; break;
	case PV_UART_DMACR: u->dmacr = val & 7u; break;
	default: break;
	}
	update(u);
	return 0;
}

void pv_pl011_poll(struct pv_pl011 *u)
{
	pull_input(u, true);
	update(u);
}

bool pv_pl011_rx_enabled(const struct pv_pl011 *u)
{
	return rx_enabled(u);
}

bool pv_pl011_wants_poll(const struct pv_pl011 *u)
{
	return rx_enabled(u) && (u->imsc & (PV_UART_INT_RX | PV_UART_INT_RT)) &&
	       u->rx_count < depth(u);
}

int pv_pl011_check(const struct pv_pl011 *u)
{
	if (u->rx_head >= PV_PL011_FIFO || u->rx_count > depth(u) ||
	    u->cr & ~CR_MASK || u->imsc & ~PV_UART_INT_ALL ||
	    u->ris & ~PV_UART_INT_ALL || u->ifls & ~0x3fu)
		return PV_ESTATE;
	if (u->line != ((u->ris & u->imsc) != 0))
		return PV_ESTATE;
	if (!!(u->ris & PV_UART_INT_RX) != (u->rx_count >= rx_trigger(u)))
		return PV_ESTATE;
	if ((u->ris & PV_UART_INT_RT) && !u->rx_count)
		return PV_ESTATE;
	return 0;
}
