// SPDX-License-Identifier: MIT
/*
 * The hostile guest's checks and access probes, on top of the conformance
 * runtime's exception recording (rt.c: last_x, x_count, x_resume).
 */
#include "hostile.h"

extern const char user_exit[];

unsigned hx_checks, hx_fails;

static const char *const xname[] = { "none", "und", "svc", "pabt", "dabt",
				     "hyp", "irq", "fiq" };

static void fail_line(const char *what, u32 got, u32 want)
{
	hx_fails++;
	out_puts("FAIL: ");
	out_puts(what);
	out_puts(" = ");
	out_hex(got);
	out_puts(", expected ");
	out_hex(want);
	out_puts("\n");
}

void expect(const char *what, u32 got, u32 want)
{
	hx_checks++;
	check(what, got);
	if (got != want)
		fail_line(what, got, want);
}

void expect_ok(const char *what, bool ok, u32 got)
{
	hx_checks++;
	check(what, got);
	if (!ok) {
		hx_fails++;
		out_puts("FAIL: ");
		out_puts(what);
		out_puts(" = ");
		out_hex(got);
		out_puts(" is not an allowed outcome\n");
	}
}

void expect_stop(const char *why)
{
	out_puts("hostile: expect VM stop: ");
	out_puts(why);
	out_puts("\n");
}

void stop_missed(void)
{
	hx_checks++;
	hx_fails++;
	out_puts("FAIL: the VM did not stop\n");
	plat_exit(1);
}

bool mode_is_legal(u32 mode)
{
	switch (mode & 0x1f) {
	case 0x10: case 0x11: case 0x12: case 0x13:
	case 0x17: case 0x1b: case 0x1f:
		return true;
	default:
		return false;
	}
}

u32 access_as(u32 addr, enum how how)
{
	u32 v = 0;

	x_reset();
	switch (how) {
	case K_LD:
		v = probe_ld(addr);
		break;
	case K_ST:
		v = probe_st(addr, 0x5a5a5a5au);
		break;
	case U_LD:
		v = run_user(user_probe_ld, addr);
		break;
	case U_ST:
		v = run_user(user_probe_st, addr);
		break;
	case K_EX:
		v = probe_exec(addr);
		break;
	case U_EX:
		/* A prefetch abort in user mode resumes at user_exit, whose
		 * SVC brings run_user() back. */
		x_resume = (u32)user_exit;
		v = run_user((u32 (*)(u32))addr, 0);
		x_resume = 0;
		break;
	}
	return v;
}

static const char *const how_name[] = { "kernel load", "kernel store",
	"user load", "user store", "kernel exec", "user exec" };

/* "<what> <how> = <exc> fsr <fsr> far <far> from <mode>" */
static void outcome_line(const char *what, enum how how)
{
	out_puts("  ");
	out_puts(what);
	out_puts(", ");
	out_puts(how_name[how]);
	out_puts(" = ");
	out_dec(x_count);
	out_puts(" ");
	out_puts(x_count ? xname[last_x.type & 7] : "none");
	if (x_count) {
		out_puts(" fsr ");
		out_hex(last_x.fsr);
		out_puts(" far ");
		out_hex(last_x.far);
		out_puts(" from mode ");
		out_hex(last_x.spsr & 0x1f);
	}
	out_puts("\n");
}

void expect_abort(const char *what, u32 addr, enum how how, u32 fs)
{
	bool store = how == K_ST || how == U_ST;
	bool exec = how == K_EX || how == U_EX;
	bool user = how == U_LD || how == U_ST || how == U_EX;
	u32 type = exec ? X_PABT : X_DABT;
	u32 fsr = fs | (store ? FSR_WNR : 0);

	access_as(addr, how);
	outcome_line(what, how);
	hx_checks++;
	if (x_count == 1 && last_x.type == type &&
	    (last_x.fsr & FSR_MASK) == fsr && last_x.far == addr &&
	    (last_x.spsr & 0x1f) == (user ? M_USR : M_SVC))
		return;
	hx_fails++;
	out_puts("FAIL: ");
	out_puts(what);
	out_puts(", ");
	out_puts(how_name[how]);
	out_puts(": expected 1 ");
	out_puts(xname[type]);
	out_puts(" fsr ");
	out_hex(fsr);
	out_puts(" far ");
	out_hex(addr);
	out_puts(" from mode ");
	out_hex(user ? M_USR : M_SVC);
	out_puts("\n");
}

u32 expect_no_fault(const char *what, u32 addr, enum how how)
{
	u32 v = access_as(addr, how);

	outcome_line(what, how);
	hx_checks++;
	if (x_count) {
		hx_fails++;
		out_puts("FAIL: ");
		out_puts(what);
		out_puts(": expected no exception\n");
	}
	return v;
}

void expect_undef_at(const char *what, u32 pc, u32 mode)
{
	hx_checks++;
	out_puts("  ");
	out_puts(what);
	out_puts(" = ");
	out_dec(x_count);
	out_puts(" ");
	out_puts(x_count ? xname[last_x.type & 7] : "none");
	out_puts(" at ");
	out_hex(last_x.pc);
	out_puts(" from mode ");
	out_hex(last_x.spsr & 0x1f);
	out_puts("\n");
	if (x_count == 1 && last_x.type == X_UND && last_x.pc == pc &&
	    (last_x.spsr & 0x1f) == mode)
		return;
	hx_fails++;
	out_puts("FAIL: ");
	out_puts(what);
	out_puts(": expected 1 und at ");
	out_hex(pc);
	out_puts(" from mode ");
	out_hex(mode);
	out_puts("\n");
}

u32 x_summary(void)
{
	return (x_count ? last_x.type : 0) << 8 | x_count;
}

void copy_words(u32 dst, u32 src, u32 words)
{
	for (u32 i = 0; i < words; i++)
		wr32(dst + 4 * i, rd32(src + 4 * i));
}

u32 sum_words(u32 addr, u32 words)
{
	u32 h = 0x811c9dc5u;

	for (u32 i = 0; i < words; i++)
		h = (h ^ rd32(addr + 4 * i)) * 0x01000193u;
	return h;
}

void sync_code(u32 addr, u32 len)
{
	for (u32 a = addr & ~31u; a < addr + len; a += 32)
		MCR(0, 7, 11, 1, a); /* DCCMVAU */
	dsb();
	MCR(0, 7, 5, 0, 0);          /* ICIALLU */
	MCR(0, 7, 5, 6, 0);          /* BPIALL */
	dsb();
	isb();
}

u32 get_mode(void)
{
	return get_cpsr() & 0x1f;
}
