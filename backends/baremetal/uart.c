// SPDX-License-Identifier: MIT
/*
 * i.MX6 UART (UART2, which QEMU's sabrelite wires to the second -serial).
 * Polled in both directions: the boot loader (or QEMU) owns the baud rate;
 * we only make sure the UART, transmitter and receiver are enabled.
 */
#include "bm.h"

#define URXD  0x00
#define UTXD  0x40
#define UCR1  0x80
#define UCR2  0x84
#define UTS   0xb4
#define URXD_CHARRDY (1u << 15)
#define UCR1_UARTEN  (1u << 0)
#define UCR2_SRST    (1u << 0)   /* active low: 1 = not in reset */
#define UCR2_RXEN    (1u << 1)
#define UCR2_TXEN    (1u << 2)
#define UCR2_WS      (1u << 5)   /* 8-bit words */
#define UCR2_IRTS    (1u << 14)
#define UTS_TXFULL   (1u << 4)
#define UTS_RXEMPTY  (1u << 5)

#define REG(o) (pvbm_platform.uart_base + (o))

void pvbm_uart_init(void)
{
	pvbm_wr(REG(UCR1), pvbm_rd(REG(UCR1)) | UCR1_UARTEN);
	pvbm_wr(REG(UCR2), pvbm_rd(REG(UCR2)) | UCR2_SRST | UCR2_RXEN |
				   UCR2_TXEN | UCR2_WS | UCR2_IRTS);
}

void pvbm_uart_putc(char c)
{
	while (pvbm_rd(REG(UTS)) & UTS_TXFULL)
		;
	pvbm_wr(REG(UTXD), (uint8_t)c);
}

int pvbm_uart_getc(void)
{
	uint32_t v;

	if (pvbm_rd(REG(UTS)) & UTS_RXEMPTY)
		return -1;
	v = pvbm_rd(REG(URXD));
	return (v & URXD_CHARRDY) ? (int)(v & 0xff) : -1;
}

bool pvbm_uart_rx_ready(void)
{
	return !(pvbm_rd(REG(UTS)) & UTS_RXEMPTY);
}

void pvbm_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			pvbm_uart_putc('\r');
		pvbm_uart_putc(*s);
	}
}

void pvbm_put_hex(uint32_t v)
{
	pvbm_puts("0x");
	for (int i = 7; i >= 0; i--)
		pvbm_uart_putc("0123456789abcdef"[(v >> (4 * i)) & 0xf]);
}

void pvbm_put_dec(uint64_t v)
{
	char buf[21];
	int i = 20;

	buf[i] = '\0';
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	pvbm_puts(&buf[i]);
}

void pvbm_log(const char *s)
{
	pvbm_puts("pvbm: ");
	pvbm_puts(s);
	pvbm_puts("\n");
}
