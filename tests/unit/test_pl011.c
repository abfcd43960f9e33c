/* SPDX-License-Identifier: MIT */
/*
 * The PL011 against the PrimeCell UART TRM (DDI 0183): identification,
 * reset values, register widths, FIFOs, the RX/TX/RT interrupts with
 * their trigger levels, and the sequence Linux's amba-pl011 uses, plus
 * the console through the board (memory map, host poll, backend input).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "fake_backend.h"

static struct fake_backend fb;
static struct pv_gic gic;
static struct pv_vcpu vcpu;
static struct pv_pl011 u;

#define UART_IRQ (32u + PV_BOARD_UART_SPI)

static void setup(void)
{
	struct pv_vm_config cfg;

	ck_assert_int_eq(fake_backend_setup(&fb, &cfg), 0);
	memset(&vcpu, 0, sizeof(vcpu));
	ck_assert_int_eq(pv_gic_init(&gic, 1, &vcpu), 0);
	pv_pl011_init(&u, &fake_backend_ops, &fb, &gic, UART_IRQ);
}

static void teardown(void)
{
	ck_assert_int_eq(pv_pl011_check(&u), 0);
	fake_backend_teardown(&fb);
}

static uint32_t rd(uint32_t off)
{
	uint32_t v = 0xdeadbeef;

	ck_assert_int_eq(pv_pl011_read(&u, off, 4, &v), 0);
	ck_assert_int_eq(pv_pl011_check(&u), 0);
	return v;
}

static void wr(uint32_t off, uint32_t v)
{
	ck_assert_int_eq(pv_pl011_write(&u, off, 4, v), 0);
	ck_assert_int_eq(pv_pl011_check(&u), 0);
}

static void input(const char *s)
{
	fb.input = (const uint8_t *)s;
	fb.input_len = strlen(s);
	fb.input_pos = 0;
}

/* What amba-pl011's startup leaves: FIFOs on, 8N1, RX and TX enabled. */
static void linux_startup(void)
{
	wr(PV_UART_IBRD, 13);
	wr(PV_UART_FBRD, 1);
	wr(PV_UART_LCRH, 0x70); /* WLEN 8, FEN */
	wr(PV_UART_CR, PV_UART_CR_UARTEN | PV_UART_CR_TXE | PV_UART_CR_RXE);
	wr(PV_UART_ICR, 0x7ff);
	wr(PV_UART_IMSC, PV_UART_INT_RX | PV_UART_INT_RT);
}

/* Distributor and CPU interface on, the UART's SPI enabled for CPU 0. */
static void gic_enable_uart(void)
{
	pv_gic_dist_write(&gic, 0x000, 4, 1);
	pv_gic_dist_write(&gic, 0x104, 4, 1u << (UART_IRQ - 32));
	pv_gic_dist_write(&gic, 0x800 + UART_IRQ, 1, 1);
	pv_gic_cpu_write(&gic, 0x00, 4, 1);
	pv_gic_cpu_write(&gic, 0x04, 4, 0xf0);
}

START_TEST(identification)
{
	/* UARTPeriphID0..3 = 0x11 0x10 0x04 0x00, UARTPCellID0..3 = B105F00D. */
	static const uint32_t want[8] = { 0x11, 0x10, 0x04, 0x00,
					  0x0d, 0xf0, 0x05, 0xb1 };

	for (unsigned i = 0; i < 8; i++)
		ck_assert_uint_eq(rd(0xfe0 + 4 * i), want[i]);
}
END_TEST

START_TEST(reset_values)
{
	ck_assert_uint_eq(rd(PV_UART_CR), 0x300);
	ck_assert_uint_eq(rd(PV_UART_IFLS), 0x12);
	ck_assert_uint_eq(rd(PV_UART_IMSC), 0);
	ck_assert_uint_eq(rd(PV_UART_RIS), 0);
	ck_assert_uint_eq(rd(PV_UART_LCRH), 0);
	ck_assert_uint_eq(rd(PV_UART_FR) & 0xf8, PV_UART_FR_TXFE | PV_UART_FR_RXFE);
	ck_assert_uint_eq(rd(PV_UART_DMACR), 0);
}
END_TEST

START_TEST(register_widths)
{
	wr(PV_UART_IBRD, 0xffffffff);
	ck_assert_uint_eq(rd(PV_UART_IBRD), 0xffff);
	wr(PV_UART_FBRD, 0xffffffff);
	ck_assert_uint_eq(rd(PV_UART_FBRD), 0x3f);
	wr(PV_UART_LCRH, 0xffffffff);
	ck_assert_uint_eq(rd(PV_UART_LCRH), 0xff);
	wr(PV_UART_CR, 0xffffffff);
	ck_assert_uint_eq(rd(PV_UART_CR), 0xff87);
	wr(PV_UART_IFLS, 0xffffffff);
	ck_assert_uint_eq(rd(PV_UART_IFLS), 0x3f);
	wr(PV_UART_IMSC, 0xffffffff);
	ck_assert_uint_eq(rd(PV_UART_IMSC), 0x7ff);
	wr(PV_UART_DMACR, 0xffffffff);
	ck_assert_uint_eq(rd(PV_UART_DMACR), 7);
	wr(PV_UART_ILPR, 0x1ff);
	ck_assert_uint_eq(rd(PV_UART_ILPR), 0xff);
	/* RIS and MIS are read-only. */
	wr(PV_UART_RIS, 0x7ff);
	wr(PV_UART_MIS, 0x7ff);
	ck_assert_uint_eq(rd(PV_UART_RIS) & ~PV_UART_INT_TX, 0);
}
END_TEST

START_TEST(transmit_to_console)
{
	linux_startup();
	wr(PV_UART_DR, 'o');
	wr(PV_UART_DR, 0x100 | 'k'); /* only the low byte is data */
	ck_assert_uint_eq(fb.console_len, 2);
	ck_assert_mem_eq(fb.console, "ok", 2);
	ck_assert_uint_eq(rd(PV_UART_FR) & (PV_UART_FR_TXFF | PV_UART_FR_BUSY), 0);
	ck_assert_uint_eq(rd(PV_UART_FR) & PV_UART_FR_TXFE, PV_UART_FR_TXFE);
	/* Earlycon writes before the UART is enabled; nothing is dropped. */
	wr(PV_UART_CR, 0);
	wr(PV_UART_DR, '!');
	ck_assert_uint_eq(fb.console_len, 3);
}
END_TEST

START_TEST(tx_interrupt_semantics)
{
	linux_startup();
	/* Nothing written yet: no TX interrupt. */
	ck_assert_uint_eq(rd(PV_UART_RIS) & PV_UART_INT_TX, 0);
	/* Linux: fill the FIFO, then unmask TXIM if more is queued. */
	wr(PV_UART_DR, 'a');
	ck_assert_uint_eq(rd(PV_UART_RIS) & PV_UART_INT_TX, PV_UART_INT_TX);
	ck_assert(!vcpu.irq_line); /* masked */
	ck_assert_uint_eq(rd(PV_UART_MIS) & PV_UART_INT_TX, 0);
	gic_enable_uart();
	wr(PV_UART_IMSC, PV_UART_INT_RX | PV_UART_INT_RT | PV_UART_INT_TX);
	ck_assert_uint_eq(rd(PV_UART_MIS), PV_UART_INT_TX);
	ck_assert(vcpu.irq_line);
	/* The handler keeps writing while TXIS is set... */
	wr(PV_UART_DR, 'b');
	ck_assert_uint_eq(rd(PV_UART_MIS), PV_UART_INT_TX);
	/* ...and masks TXIM when the queue is empty: the line drops. */
	wr(PV_UART_IMSC, PV_UART_INT_RX | PV_UART_INT_RT);
	ck_assert(!vcpu.irq_line);
	/* ICR clears it. */
	wr(PV_UART_ICR, PV_UART_INT_TX);
	ck_assert_uint_eq(rd(PV_UART_RIS) & PV_UART_INT_TX, 0);
}
END_TEST

START_TEST(receive_fifo_and_flags)
{
	linux_startup();
	input("hello");
	ck_assert_uint_eq(rd(PV_UART_FR) & PV_UART_FR_RXFE, 0);
	for (const char *p = "hello"; *p; p++)
		ck_assert_uint_eq(rd(PV_UART_DR), (uint8_t)*p);
	ck_assert_uint_eq(rd(PV_UART_FR) & PV_UART_FR_RXFE, PV_UART_FR_RXFE);
	ck_assert_uint_eq(rd(PV_UART_RSR), 0);
}
END_TEST

START_TEST(receive_never_overruns)
{
	linux_startup();
	input("0123456789abcdefghijklmnop");
	pv_pl011_poll(&u);
	/* 16 entries taken, the rest waits in the backend. */
	ck_assert_uint_eq(fb.input_pos, PV_PL011_FIFO);
	ck_assert_uint_eq(rd(PV_UART_FR) & PV_UART_FR_RXFF, PV_UART_FR_RXFF);
	ck_assert(!pv_pl011_wants_poll(&u));
	/* Reading refills behind the guest; every byte arrives in order. */
	for (const char *p = "0123456789abcdefghijklmnop"; *p; p++)
		ck_assert_uint_eq(rd(PV_UART_DR), (uint8_t)*p);
	ck_assert_uint_eq(rd(PV_UART_RSR), 0);
	ck_assert_uint_eq(rd(PV_UART_RIS) & (1u << 10), 0); /* no OE */
}
END_TEST

START_TEST(rx_trigger_levels)
{
	static const unsigned level[5] = { 2, 4, 8, 12, 14 };

	for (unsigned sel = 0; sel < 5; sel++) {
		char buf[17];

		pv_pl011_init(&u, &fake_backend_ops, &fb, &gic, UART_IRQ);
		linux_startup();
		wr(PV_UART_IFLS, sel << 3);
		memset(buf, 'x', 16);
		buf[level[sel] - 1] = 0;
		input(buf);
		pv_pl011_poll(&u);
		ck_assert_uint_eq(rd(PV_UART_RIS) & PV_UART_INT_RX, 0);
		ck_assert_uint_eq(rd(PV_UART_RIS) & PV_UART_INT_RT, PV_UART_INT_RT);
		input("y");
		pv_pl011_poll(&u);
		ck_assert_uint_eq(rd(PV_UART_RIS) & PV_UART_INT_RX, PV_UART_INT_RX);
		/* Reading below the level clears RXRIS; emptying clears RTIS. */
		(void)rd(PV_UART_DR);
		ck_assert_uint_eq(rd(PV_UART_RIS) & PV_UART_INT_RX, 0);
		for (unsigned i = 1; i < level[sel]; i++)
			(void)rd(PV_UART_DR);
		ck_assert_uint_eq(rd(PV_UART_RIS) & PV_UART_INT_RT, 0);
	}
}
END_TEST

START_TEST(receive_timeout_after_icr)
{
	linux_startup();
	input("ab");
	pv_pl011_poll(&u);
	wr(PV_UART_ICR, PV_UART_INT_RT);
	ck_assert_uint_eq(rd(PV_UART_RIS) & PV_UART_INT_RT, 0);
	/* Time passes with data still waiting: the timeout fires again. */
	pv_pl011_poll(&u);
	ck_assert_uint_eq(rd(PV_UART_RIS) & PV_UART_INT_RT, PV_UART_INT_RT);
}
END_TEST

START_TEST(receiver_disabled_takes_nothing)
{
	input("z");
	pv_pl011_poll(&u); /* reset: UARTEN clear */
	ck_assert_uint_eq(fb.input_pos, 0);
	wr(PV_UART_CR, PV_UART_CR_UARTEN | PV_UART_CR_TXE);
	pv_pl011_poll(&u);
	ck_assert_uint_eq(fb.input_pos, 0);
	ck_assert_uint_eq(rd(PV_UART_FR) & PV_UART_FR_RXFE, PV_UART_FR_RXFE);
}
END_TEST

START_TEST(fifo_disabled_is_one_deep)
{
	wr(PV_UART_CR, PV_UART_CR_UARTEN | PV_UART_CR_TXE | PV_UART_CR_RXE);
	input("pq");
	pv_pl011_poll(&u);
	ck_assert_uint_eq(fb.input_pos, 1);
	ck_assert_uint_eq(rd(PV_UART_FR) & PV_UART_FR_RXFF, PV_UART_FR_RXFF);
	/* Character mode: one byte reaches the trigger. */
	ck_assert_uint_eq(rd(PV_UART_RIS) & PV_UART_INT_RX, PV_UART_INT_RX);
	ck_assert_uint_eq(rd(PV_UART_DR), 'p');
	ck_assert_uint_eq(rd(PV_UART_DR), 'q');
}
END_TEST

START_TEST(loopback)
{
	linux_startup();
	wr(PV_UART_CR, PV_UART_CR_UARTEN | PV_UART_CR_TXE | PV_UART_CR_RXE |
		       PV_UART_CR_LBE);
	wr(PV_UART_DR, 'L');
	ck_assert_uint_eq(fb.console_len, 0);
	ck_assert_uint_eq(rd(PV_UART_DR), 'L');
}
END_TEST

START_TEST(rx_interrupt_reaches_vcpu)
{
	gic_enable_uart();
	linux_startup();
	ck_assert(!vcpu.irq_line);
	input("x");
	pv_pl011_poll(&u);
	ck_assert(vcpu.irq_line);
	ck_assert_uint_eq(rd(PV_UART_MIS), PV_UART_INT_RT);
	(void)rd(PV_UART_DR);
	ck_assert(!vcpu.irq_line);
}
END_TEST

/* ---- through the board ------------------------------------------------------ */

static struct pv_vm_config vcfg;
static struct pv_vm *vm;

static void vm_setup(void)
{
	ck_assert_int_eq(fake_backend_setup(&fb, &vcfg), 0);
	vm = calloc(1, sizeof(*vm));
	ck_assert_ptr_nonnull(vm);
	ck_assert_int_eq(pv_vm_init(vm, &vcfg), 0);
}

static void vm_teardown(void)
{
	free(vm);
	fake_backend_teardown(&fb);
}

static void mw(uint32_t off, uint32_t v)
{
	ck_assert_int_eq(pv_memmap_write(&vm->map, pv_gpa(PV_BOARD_UART_BASE + off), 4, v), 0);
}

static uint32_t mr(uint32_t off)
{
	uint64_t v = 0;

	ck_assert_int_eq(pv_memmap_read(&vm->map, pv_gpa(PV_BOARD_UART_BASE + off), 4, &v), 0);
	return (uint32_t)v;
}

START_TEST(board_console)
{
	uint64_t v;

	/* Byte stores work too (earlycon uses strb on some configurations). */
	ck_assert_int_eq(pv_memmap_write(&vm->map, pv_gpa(PV_BOARD_UART_BASE), 1, 'A'), 0);
	mw(PV_UART_DR, 'B');
	ck_assert_mem_eq(fb.console, "AB", 2);
	ck_assert_uint_eq(mr(0xfe0), 0x11);
	/* Past the frame: nothing there. */
	ck_assert_int_eq(pv_memmap_read(&vm->map, pv_gpa(PV_BOARD_UART_BASE + 0x1000), 4, &v),
			 PV_EABORT);
}
END_TEST

START_TEST(board_input_by_poll_and_signal)
{
	mw(PV_UART_LCRH, 0x70);
	mw(PV_UART_CR, 0x301);
	ck_assert_uint_eq(fb.deadline, PV_TIMER_NEVER); /* nobody listens yet */
	mw(PV_UART_IMSC, PV_UART_INT_RX | PV_UART_INT_RT);
	ck_assert_uint_eq(fb.deadline, fb.now + PV_PL011_POLL_NS);
	input("k");
	fb.now = fb.deadline;
	pv_vm_timer_expired(vm);
	ck_assert_uint_eq(vm->dev.uart.rx_count, 1);
	ck_assert_uint_eq(mr(PV_UART_MIS), PV_UART_INT_RT);
	ck_assert_uint_eq(mr(PV_UART_DR), 'k');
	/* Backend signal: no waiting for the poll. */
	input("j");
	pv_vm_console_input(vm);
	ck_assert_uint_eq(vm->dev.uart.rx_count, 1);
	ck_assert_uint_eq(mr(PV_UART_DR), 'j');
	/* Masking RX stops the polling. */
	mw(PV_UART_IMSC, 0);
	ck_assert_uint_eq(fb.deadline, PV_TIMER_NEVER);
}
END_TEST

static Suite *pl011_suite(void)
{
	Suite *s = suite_create("pl011");
	TCase *t = tcase_create("uart");
	TCase *b = tcase_create("board");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, identification);
	tcase_add_test(t, reset_values);
	tcase_add_test(t, register_widths);
	tcase_add_test(t, transmit_to_console);
	tcase_add_test(t, tx_interrupt_semantics);
	tcase_add_test(t, receive_fifo_and_flags);
	tcase_add_test(t, receive_never_overruns);
	tcase_add_test(t, rx_trigger_levels);
	tcase_add_test(t, receive_timeout_after_icr);
	tcase_add_test(t, receiver_disabled_takes_nothing);
	tcase_add_test(t, fifo_disabled_is_one_deep);
	tcase_add_test(t, loopback);
	tcase_add_test(t, rx_interrupt_reaches_vcpu);
	suite_add_tcase(s, t);
	tcase_add_checked_fixture(b, vm_setup, vm_teardown);
	tcase_add_test(b, board_console);
	tcase_add_test(b, board_input_by_poll_and_signal);
	suite_add_tcase(s, b);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pl011_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
