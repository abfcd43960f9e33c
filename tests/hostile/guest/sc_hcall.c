// SPDX-License-Identifier: MIT
/*
 * Hypercalls and PSCI as an attacker makes them: from user mode (UNDEF,
 * whatever r0 asks for: power off, exit, reset, console), unknown
 * function IDs (SMCCC NOT_SUPPORTED, -1), PSCI with garbage arguments
 * (INVALID_PARAMETERS, ALREADY_ON, ...), over both conduits, with a
 * non-zero immediate and from Thumb, and a flood of random calls. Every
 * call leaves r4-r11 alone.
 */
#include <pvcore/hypercall.h>

#include "hostile.h"

#define BUF (TEST_PA + 0x300000u)
#define NS 0xffffffffu          /* NOT_SUPPORTED */
#define INVAL 0xfffffffeu       /* INVALID_PARAMETERS */
#define ALREADY_ON 0xfffffffcu

u32 call_with_pattern(const u32 in[4], u32 out[4], u32 entry);

/* Conduits: hvc #0, smc #0, hvc #0xffff (ARM); hvc #0, smc #0 (T32). */
static const u32 conduit_word[] = { 0xe1400070u, 0xe1600070u, 0xe14fff7fu,
				    0xf7e08000u, 0xf7f08000u };
#define CONDUITS 5u

static u32 conduit_buf(unsigned c)
{
	volatile uint16_t *h = (volatile uint16_t *)BUF;

	if (c < 3) {
		wr32(BUF, conduit_word[c]);
		wr32(BUF + 4, 0xe12fff1eu); /* bx lr */
		sync_code(BUF, 8);
		return BUF;
	}
	h[0] = (uint16_t)(conduit_word[c] >> 16);
	h[1] = (uint16_t)conduit_word[c];
	h[2] = 0x4770; /* bx lr */
	sync_code(BUF, 8);
	return BUF | 1;
}

/* ---- from user mode: UNDEF, nothing happens ---- */

SCENARIO(hypercalls_from_user, 0)
{
	static const u32 ids[] = {
		0x84000008u /* SYSTEM_OFF */, 0x84000009u /* SYSTEM_RESET */,
		0x84000002u /* CPU_OFF */, 0x84000001u /* CPU_SUSPEND */,
		0x84000003u /* CPU_ON */, 0x84000000u /* PSCI_VERSION */,
		PV_HC_EXIT, PV_HC_CONSOLE_PUTC, PV_HC_TRACE_DUMP,
		PV_HC_TRAP_COUNT, 0,
	};

	for (unsigned c = 0; c < CONDUITS; c++) {
		u32 entry = conduit_buf(c);

		for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
			u32 v;

			x_reset();
			v = run_user((u32 (*)(u32))entry, ids[i]);
			expect_undef_at(nm("conduit ", c, nm(", id #", i, "")),
					BUF, M_USR);
			expect(nm("r0 untouched, conduit ", c, ""), v, ids[i]);
		}
	}
	expect("still in SVC", get_mode(), M_SVC);
}

/* ---- from the kernel: the answers ---- */

struct call {
	const char *what;
	u32 in[4];
	u32 r0;
};

static const struct call calls[] = {
	{ "PSCI_VERSION", { 0x84000000u, 7, 7, 7 }, 0x00010000u },
	{ "PSCI_FEATURES(garbage)", { 0x8400000au, 0xdeadbeefu, 0, 0 }, NS },
	{ "PSCI_FEATURES(MIGRATE)", { 0x8400000au, 0x84000005u, 0, 0 }, NS },
	{ "PSCI_FEATURES(CPU_ON)", { 0x8400000au, 0x84000003u, 0, 0 }, 0 },
	{ "CPU_ON(cpu 1, entry in the window)",
	  { 0x84000003u, 1, WIN_BASE, 0 }, INVAL },
	{ "CPU_ON(cpu 255)", { 0x84000003u, 0xff, RAM_BASE, 0 }, INVAL },
	{ "CPU_ON(aff1 = 1)", { 0x84000003u, 0x100, RAM_BASE, 0 }, INVAL },
	{ "CPU_ON(all ones)", { 0x84000003u, 0xffffffffu, 0xffffffffu, 0 },
	  INVAL },
	{ "CPU_ON(self)", { 0x84000003u, 0, WIN_BASE, 0 }, ALREADY_ON },
	{ "AFFINITY_INFO(cpu 0, level 0)", { 0x84000004u, 0, 0, 0 }, 0 },
	{ "AFFINITY_INFO(cpu 1)", { 0x84000004u, 1, 0, 0 }, INVAL },
	{ "AFFINITY_INFO(level 3)", { 0x84000004u, 0, 3, 0 }, INVAL },
	{ "AFFINITY_INFO(aff1 = 1, level 1)", { 0x84000004u, 0x100, 1, 0 },
	  INVAL },
	{ "CPU_SUSPEND(power-down state)", { 0x84000001u, 1u << 16, WIN_BASE,
					     0 }, INVAL },
	{ "MIGRATE", { 0x84000005u, 0, 0, 0 }, NS },
	{ "MIGRATE_INFO_TYPE", { 0x84000006u, 0, 0, 0 }, 2 },
	{ "MIGRATE_INFO_UP_CPU", { 0x84000007u, 0, 0, 0 }, NS },
	{ "PSCI 0x8400001f", { 0x8400001fu, 1, 2, 3 }, NS },
	{ "past PSCI 0x84000020", { 0x84000020u, 1, 2, 3 }, NS },
	{ "SMC64 CPU_ON", { 0xc4000003u, 0, RAM_BASE, 0 }, NS },
	{ "SMC64 SYSTEM_OFF", { 0xc4000008u, 0, 0, 0 }, NS },
	{ "SMCCC_VERSION", { 0x80000000u, 0, 0, 0 }, NS },
	{ "pvcore 0x85000000", { 0x85000000u, 0, 0, 0 }, NS },
	{ "pvcore 0x85000006", { 0x85000006u, 0, 0, 0 }, NS },
	{ "pvcore 0x850000ff", { 0x850000ffu, 0, 0, 0 }, NS },
	{ "pvcore 0x8500ffff", { 0x8500ffffu, 0, 0, 0 }, NS },
	{ "0x86000000", { 0x86000000u, 0, 0, 0 }, NS },
	{ "0", { 0, 0, 0, 0 }, NS },
	{ "0xffffffff", { 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu },
	  NS },
};

SCENARIO(hypercall_garbage, 0)
{
	u32 out[4], n;

	/* CPU_SUSPEND to a standby state with garbage entry and context:
	 * a WFI that a pending interrupt ends, even with IRQs masked. */
	for (unsigned c = 0; c < CONDUITS; c++) {
		const u32 q[4] = { 0x84000001u, 0x0000ffffu, WIN_BASE, 0xdeadu };

		x_reset();
		wake_arm(100000);
		call_with_pattern(q, out, conduit_buf(c));
		expect(nm("CPU_SUSPEND standby, woken: conduit ", c, ""), out[0], 0);
		expect(nm("CPU_SUSPEND: no IRQ taken (masked), conduit ", c, ""),
		       x_count, 0);
		wake_disarm();
	}

	for (unsigned c = 0; c < CONDUITS; c++) {
		u32 entry = conduit_buf(c);

		for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
			bool kept = !call_with_pattern(calls[i].in, out, entry);

			expect(nm(calls[i].what, NONUM, nm(", conduit ", c, "")),
			       out[0], calls[i].r0);
			expect(nm("r4-r11 kept, conduit ", c, ""), kept, 1);
		}
		/* The trap counters: any index past the end gives the
		 * number of counters in r0 and 0 in r1. */
		{
			const u32 q[4] = { PV_HC_TRAP_COUNT, 0xffffffffu, 5, 6 };

			call_with_pattern(q, out, entry);
			n = out[0];
			expect_ok(nm("TRAP_COUNT(~0): counters, conduit ", c, ""),
				  n > 10 && n < 100, n);
			expect(nm("TRAP_COUNT(~0): r1, conduit ", c, ""), out[1], 0);
		}
		{
			const u32 q[4] = { PV_HC_TRAP_COUNT, n, 5, 6 };

			call_with_pattern(q, out, entry);
			expect(nm("TRAP_COUNT(n): counters, conduit ", c, ""),
			       out[0], n);
		}
	}
}

/* ---- a flood of random calls ---- */

static u32 rng = 0x2545f491u;

static u32 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* Calls with an effect beyond the answer: print, stop, reset, wait. */
static bool harmful(u32 id, u32 r1)
{
	switch (id) {
	case PV_HC_CONSOLE_PUTC:
	case PV_HC_EXIT:
	case PV_HC_TRACE_DUMP:
	case 0x84000002u: /* CPU_OFF */
	case 0x84000008u: /* SYSTEM_OFF */
	case 0x84000009u: /* SYSTEM_RESET */
		return true;
	case 0x84000001u: /* CPU_SUSPEND: a standby state waits */
		return !(r1 & (1u << 16));
	default:
		return false;
	}
}

static bool known(u32 id)
{
	return (id >= 0x84000000u && id <= 0x8400000au && id != 0x84000005u &&
		id != 0x84000007u) ||
	       (id >= PV_HC_CONSOLE_PUTC && id <= PV_HC_TRACE_DUMP);
}

#define FLOOD 6000u

SCENARIO(hypercall_flood, 0)
{
	u32 in[4], out[4], bad_regs = 0, bad_ns = 0, done = 0;
	u32 entries[CONDUITS];

	/* One buffer per conduit, 16 bytes apart. */
	for (unsigned c = 0; c < CONDUITS; c++) {
		conduit_buf(c);
		copy_words(BUF + 0x100u + 16 * c, BUF, 4);
		entries[c] = (BUF + 0x100u + 16 * c) | (c >= 3);
	}
	sync_code(BUF + 0x100u, 16 * CONDUITS);
	for (u32 i = 0; i < FLOOD; i++) {
		u32 r = rnd(), c = rnd() % CONDUITS;

		switch (r & 3) {
		case 0: in[0] = 0x84000000u | (r >> 8 & 0x3f); break;
		case 1: in[0] = 0x85000000u | (r >> 8 & 0x3f); break;
		case 2: in[0] = 0xc4000000u | (r >> 8 & 0x3f); break;
		default: in[0] = rnd(); break;
		}
		in[1] = rnd();
		in[2] = (r & 0x100) ? WIN_BASE + (rnd() & 0xffffcu) : rnd();
		in[3] = rnd();
		if (harmful(in[0], in[1]))
			continue;
		if (call_with_pattern(in, out, entries[c]))
			bad_regs++;
		if (!known(in[0]) && out[0] != NS) {
			bad_ns++;
			out_puts("FAIL: id ");
			out_hex(in[0]);
			out_puts(" answered ");
			out_hex(out[0]);
			out_puts("\n");
		}
		done++;
	}
	out_puts("# calls made: ");
	out_dec(done);
	out_puts("\n");
	expect("calls that changed r4-r11", bad_regs, 0);
	expect("unknown IDs not answered NOT_SUPPORTED", bad_ns, 0);
	expect_ok("calls made", done > FLOOD / 2, done);
	expect("still in SVC", get_mode(), M_SVC);
}
