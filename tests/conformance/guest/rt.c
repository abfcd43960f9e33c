// SPDX-License-Identifier: MIT
/*
 * Conformance-guest runtime: transcript output, exception recording and
 * the scenario loop. Platform independent: only plat_*.c differ.
 */
#include "conf.h"

extern const struct scenario conf_sc_start[], conf_sc_end[];
extern const char run_user_ret[];

unsigned conf_checks;
static const char *cur_name = "init";
volatile struct xrec last_x;
volatile unsigned x_count;
xhook_t x_hook[8];
volatile u32 x_resume;
volatile u32 x_ret_form;
static unsigned x_guard;

void out_puts(const char *s)
{
	while (*s)
		plat_putc(*s++);
}

void out_hex(u32 v)
{
	out_puts("0x");
	for (int i = 7; i >= 0; i--)
		plat_putc("0123456789abcdef"[(v >> (4 * i)) & 0xf]);
}

void out_dec(u32 v)
{
	char b[12];
	int i = 11;

	b[i] = 0;
	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out_puts(&b[i]);
}

void check(const char *what, u32 value)
{
	out_puts(cur_name);
	out_puts(": ");
	out_puts(what);
	out_puts(" = ");
	out_hex(value);
	plat_putc('\n');
	conf_checks++;
}

void check_str(const char *what, const char *value)
{
	out_puts(cur_name);
	out_puts(": ");
	out_puts(what);
	out_puts(" = ");
	out_puts(value);
	plat_putc('\n');
	conf_checks++;
}

const char *nm(const char *a, u32 n, const char *b)
{
	static char buf[80];
	char num[12];
	unsigned i = 0, k = 11;
	u32 n0 = n;

	num[k] = 0;
	do {
		num[--k] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (*a && i < 40)
		buf[i++] = *a++;
	for (const char *s = &num[k]; *s && n0 != NONUM; )
		buf[i++] = *s++;
	while (*b && i < 79)
		buf[i++] = *b++;
	buf[i] = 0;
	return buf;
}

void probe_report(const char *label, u32 addr, bool user, bool store)
{
	char l[48];
	unsigned i = 0;
	u32 v;

	while (*label && i < 36)
		l[i++] = *label++;
	l[i] = 0;
	x_reset();
	if (store)
		v = user ? run_user(user_probe_st, addr) : probe_st(addr, 0x5a5a5a5a);
	else
		v = user ? run_user(user_probe_ld, addr) : probe_ld(addr);
	/* A skipped (faulting) access is told by the exception count. */
	if (x_count)
		v = 0xdeaddeadu;
	else if (store)
		v = 0;
	check(nm(l, NONUM, store ? " st" : " ld") , v);
	if (x_count) {
		check(nm(l, NONUM, store ? " st.fsr" : " ld.fsr"), last_x.fsr);
		check(nm(l, NONUM, store ? " st.far-addr" : " ld.far-addr"),
		      last_x.far - addr);
		check(nm(l, NONUM, store ? " st.mode" : " ld.mode"),
		      last_x.spsr & 0x1f);
	}
}

void mem_zero(void *p, size_t n)
{
	volatile uint8_t *b = p;

	while (n--)
		*b++ = 0;
}

static __attribute__((noreturn)) void die(const char *why)
{
	out_puts("FATAL in ");
	out_puts(cur_name);
	out_puts(": ");
	out_puts(why);
	out_puts("\n");
	plat_exit(1);
}

u32 insn_len(u32 pc, bool thumb)
{
	uint16_t hw;

	if (!thumb)
		return 4;
	hw = *(volatile uint16_t *)pc;
	return (hw >> 11) >= 0x1d ? 4 : 2;
}

void x_reset(void)
{
	mem_zero((void *)&last_x, sizeof(last_x));
	x_count = 0;
	x_resume = 0;
	x_ret_form = 0;
	for (unsigned i = 0; i < 8; i++)
		x_hook[i] = 0;
}

/* The trapping instruction's address for each type (the exception LR
 * minus the architectural offset). */
static u32 insn_addr(unsigned type, const struct xframe *f)
{
	bool t = (f->spsr >> 5) & 1;

	switch (type) {
	case X_UND:
	case X_SVC:
		return f->pad - (t ? 2 : 4);
	case X_PABT:
		return f->pad - 4;
	case X_DABT:
		return f->pad - 8;
	default:
		return f->pc;
	}
}

void x_dispatch(unsigned type, struct xframe *f);
void x_dispatch(unsigned type, struct xframe *f)
{
	bool t = (f->spsr >> 5) & 1;
	u32 at = insn_addr(type, f);

	if (++x_guard > 20000)
		die("exception storm");
	/* The way back from run_user(): SVC #0xff from USR mode. */
	if (type == X_SVC && (f->spsr & 0x1f) == 0x10) {
		u32 imm = t ? (*(volatile uint16_t *)at & 0xff) :
			      (*(volatile u32 *)at & 0xffffff);
		if (imm == 0xff) {
			f->pc = (u32)run_user_ret;
			f->spsr = 0x1d3;
			return;
		}
	}
	x_count++;
	last_x.type = type;
	last_x.pc = at;
	last_x.spsr = f->spsr;
	last_x.lr_raw = f->pad;
	last_x.fsr = last_x.far = 0;
	if (type == X_DABT) {
		last_x.fsr = MRC(0, 5, 0, 0);
		last_x.far = MRC(0, 6, 0, 0);
	} else if (type == X_PABT) {
		last_x.fsr = MRC(0, 5, 0, 1);
		last_x.far = MRC(0, 6, 0, 2);
	}
	if (x_hook[type] && x_hook[type](type, f))
		return;
	switch (type) {
	case X_UND:
	case X_SVC:
		f->pc = at + insn_len(at, t);
		return;
	case X_PABT:
	case X_DABT:
		if (x_resume) {
			f->pc = x_resume;
			f->spsr &= ~0x20u;
			if (x_resume & 1) {
				f->pc &= ~1u;
				f->spsr |= 0x20u;
			}
			return;
		}
		if (type == X_PABT)
			die("prefetch abort without a resume point");
		f->pc = at + insn_len(at, t);
		return;
	default:
		die("unexpected interrupt");
	}
}

static const char *const xnames[] = { "none", "und", "svc", "pabt", "dabt",
				      "hyp", "irq", "fiq" };

static void cat_check(const char *what, const char *suffix, u32 v)
{
	char buf[64];
	unsigned i = 0;

	while (*what && i < 40)
		buf[i++] = *what++;
	while (*suffix && i < 63)
		buf[i++] = *suffix++;
	buf[i] = 0;
	check(buf, v);
}

void show_x(const char *what, u32 base)
{
	char buf[64];
	unsigned i = 0;
	const char *s = what;

	while (*s && i < 40)
		buf[i++] = *s++;
	for (s = ".type"; *s; )
		buf[i++] = *s++;
	buf[i] = 0;
	check_str(buf, x_count ? xnames[last_x.type & 7] : "none");
	if (!x_count)
		return;
	cat_check(what, ".pc", last_x.pc - base);
	cat_check(what, ".spsr.mode", last_x.spsr & 0x1f);
	cat_check(what, ".spsr.T", (last_x.spsr >> 5) & 1);
}

void show_fault(const char *what, u32 expect_far)
{
	show_x(what, 0);
	if (!x_count)
		return;
	cat_check(what, ".fsr", last_x.fsr);
	cat_check(what, ".far-expected", last_x.far - expect_far);
}

/* Back to a known state between scenarios. */
static void cleanup(void)
{
	u32 sctlr;

	__asm__ volatile(SENS(IC_CPS, "cpsid aif") ::: "memory");
	sctlr = MRC(0, 1, 0, 0);
	sctlr &= ~((1u << 0) | (1u << 1) | (1u << 28) | (1u << 29));
	MCR(0, 1, 0, 0, sctlr);
	isb();
	MCR(0, 3, 0, 0, 0x55555555u);
	MCR(0, 2, 0, 2, 0);
	MCR(0, 12, 0, 0, (u32)conf_vectors);
	MCR(0, 8, 7, 0, 0);
	dsb();
	isb();
	x_reset();
}

/*
 * Which scenarios to run, by index: the harness patches this block in a
 * copy of the image (found by its magic) to resume after a scenario that
 * crashed the VMM, or to run a subset (the negative control).
 */
struct conf_select {
	u32 magic, first, last;
};
volatile struct conf_select conf_select
	__attribute__((used, aligned(4))) = { 0xc0f5e1ecu, 0, 0xffffffffu };

void conf_main(void);
void conf_main(void)
{
	unsigned n = 0, idx = 0;

	plat_init();
	out_puts("# conformance guest: start\n");
	for (const struct scenario *s = conf_sc_start; s < conf_sc_end;
	     s++, idx++) {
		unsigned before = conf_checks;

		if (idx < conf_select.first || idx > conf_select.last)
			continue;
		cur_name = s->name;
		x_guard = 0;
		out_puts("== ");
		out_dec(idx);
		out_puts(" ");
		out_puts(s->name);
		out_puts(" cover=");
		out_hex(s->cover);
		plat_putc('\n');
		cleanup();
		s->fn();
		cleanup();
		out_puts("-- ");
		out_puts(s->name);
		out_puts(" checks=");
		out_dec(conf_checks - before);
		plat_putc('\n');
		plat_scenario_done(s->name);
		n++;
	}
	cur_name = "end";
	out_puts("END scenarios=");
	out_dec(n);
	out_puts(" checks=");
	out_dec(conf_checks);
	plat_putc('\n');
	plat_exit(0);
}
