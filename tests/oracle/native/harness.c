// SPDX-License-Identifier: MIT
/*
 * The QEMU oracle's bare-metal harness (qemu-system-arm -M sabrelite).
 *
 * For each case index in [start, start + count) it regenerates the case
 * from the shared seed (oracle_gen.c), installs the initial state, runs
 * the instruction natively at PL1 (or PL0) and prints a digest of the
 * final state; with dump=1 it prints the whole final state instead. The
 * host comparer (tests/oracle/compare.c) does the same through libpvcore.
 *
 * Command line (semihosting SYS_GET_CMDLINE, from QEMU's -append):
 *   seed=<hex> start=<dec> count=<dec> dump=<0|1>
 * Output (semihosting SYS_WRITE0): "H <index> <hash> <hash>...\n" lines of
 * up to 16 digests, "D <index> <word>...\n" for dumps, then "END\n".
 */
#include <stddef.h>
#include <stdint.h>

#include "../oracle_gen.h"

/* i.MX6 A9 MPCore GIC. */
#define GICC 0x00a00100u
#define GICD 0x00a01000u
#define REG(a) (*(volatile uint32_t *)(uintptr_t)(a))

void orc_launch(const uint32_t *init, uint32_t *final);
static void exit_qemu(uint32_t status);
int main(void);

/* The compiler may emit these for struct copies. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;

	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

static uint32_t semihost(uint32_t op, const void *arg)
{
	register uint32_t r0 __asm__("r0") = op;
	register const void *r1 __asm__("r1") = arg;

	__asm__ volatile("svc 0x123456" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

static char out[512];
static unsigned out_len;

static void flush(void)
{
	if (out_len) {
		out[out_len] = 0;
		semihost(0x04, out); /* SYS_WRITE0 */
		out_len = 0;
	}
}

static void put(char ch)
{
	if (out_len >= sizeof(out) - 2)
		flush();
	out[out_len++] = ch;
}

static void put_hex(uint32_t v)
{
	for (int i = 28; i >= 0; i -= 4)
		put("0123456789abcdef"[(v >> i) & 0xfu]);
}

static void put_dec(uint32_t v)
{
	char b[12];
	int n = 0;

	do {
		b[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		put(b[--n]);
}

static void put_str(const char *s)
{
	while (*s)
		put(*s++);
}

static uint32_t parse(const char *cmd, const char *key, uint32_t def, bool hex)
{
	for (const char *p = cmd; *p; p++) {
		const char *k = key, *q = p;

		while (*k && *q == *k) {
			k++;
			q++;
		}
		if (*k || *q != '=' || (p != cmd && p[-1] != ' '))
			continue;
		uint32_t v = 0;

		for (q++; *q && *q != ' '; q++) {
			uint32_t d = (*q >= 'a') ? (uint32_t)(*q - 'a' + 10)
						 : (uint32_t)(*q - '0');
			v = v * (hex ? 16 : 10) + d;
		}
		return v;
	}
	return def;
}

static struct orc_case cs;
static struct orc_walk wk;

/* Write the translation regime to the Secure (current) and, from Monitor
 * mode with SCR.NS set, the Non-secure banks: QEMU 7.2 takes some Secure
 * PL0 state from the Non-secure bank (see docs/oracle.md). */
static void set_regime(const uint32_t r[5])
{
	__asm__ volatile(
		"ldr r2, [%0, #0]\n\tmcr p15, 0, r2, c2, c0, 0\n\t"
		"ldr r2, [%0, #4]\n\tmcr p15, 0, r2, c2, c0, 1\n\t"
		"ldr r2, [%0, #8]\n\tmcr p15, 0, r2, c2, c0, 2\n\t"
		"ldr r2, [%0, #12]\n\tmcr p15, 0, r2, c3, c0, 0\n\t"
		"ldr r2, [%0, #16]\n\tmcr p15, 0, r2, c1, c0, 0\n\tisb\n\t"
		"mrs r3, cpsr\n\tcps #0x16\n\t"
		"mrc p15, 0, r4, c1, c1, 0\n\torr r4, r4, #1\n\t"
		"mcr p15, 0, r4, c1, c1, 0\n\tisb\n\t"
		"ldr r2, [%0, #0]\n\tmcr p15, 0, r2, c2, c0, 0\n\t"
		"ldr r2, [%0, #4]\n\tmcr p15, 0, r2, c2, c0, 1\n\t"
		"ldr r2, [%0, #8]\n\tmcr p15, 0, r2, c2, c0, 2\n\t"
		"ldr r2, [%0, #12]\n\tmcr p15, 0, r2, c3, c0, 0\n\t"
		"ldr r2, [%0, #16]\n\tmcr p15, 0, r2, c1, c0, 0\n\t"
		"bic r4, r4, #1\n\tmcr p15, 0, r4, c1, c1, 0\n\tisb\n\t"
		"msr cpsr_c, r3\n\t"
		"mov r2, #0\n\tmcr p15, 0, r2, c8, c7, 0\n\tdsb\n\tisb"
		: : "r"(r) : "r2", "r3", "r4", "memory");
}

static uint32_t ats(uint32_t va, unsigned op)
{
	uint32_t par;

	switch (op) {
	case 0: __asm__ volatile("mcr p15, 0, %0, c7, c8, 0" : : "r"(va)); break;
	case 1: __asm__ volatile("mcr p15, 0, %0, c7, c8, 1" : : "r"(va)); break;
	case 2: __asm__ volatile("mcr p15, 0, %0, c7, c8, 2" : : "r"(va)); break;
	default: __asm__ volatile("mcr p15, 0, %0, c7, c8, 3" : : "r"(va)); break;
	}
	__asm__ volatile("isb\n\tmrc p15, 0, %0, c7, c4, 0" : "=r"(par));
	return par;
}

extern volatile uint32_t orc_walk_fault[2];
uint32_t orc_walk_access(unsigned acc, uint32_t va, uint32_t val);
void orc_walk_vectors_on(void);

static void mmu_on(const struct orc_walk *w, uint32_t sctlr)
{
	uint32_t r[5] = { w->ttbr0, w->ttbr1, w->ttbcr, w->dacr,
			  (sctlr & ~ORC_WALK_SCTLR_BITS) | w->sctlr_bits | 1u };

	set_regime(r);
}

static void mmu_off(const struct orc_walk *w, uint32_t sctlr)
{
	uint32_t r[5] = { w->ttbr0, w->ttbr1, w->ttbcr, w->dacr, sctlr };

	set_regime(r);
}

/* Make the planned accesses of kinds [a0, a1], in VA order. */
static void walk_accesses(const struct orc_walk *w, uint32_t *out,
			  const bool go[][ORC_WALK_NACC], unsigned a0,
			  unsigned a1)
{
	for (unsigned i = 0; i < ORC_WALK_NVA; i++)
		for (unsigned a = a0; a <= a1; a++) {
			uint32_t *o = &out[ORC_WALK_OUT(i, a)];

			if (!go[i][a])
				continue;
			o[1] = orc_walk_access(a, orc_walk_acc_va(a, w->va[i]),
					       orc_walk_tag(i, a));
			o[0] = orc_walk_fault[0];
			/* Keep the bits both sides define; an unexpected
			 * exception (0xff000000) stays as it is. */
			if (o[0] && o[0] != 0xff000000u)
				o[0] = ORC_ST_ABORT |
				       orc_walk_fsr(o[0], a != ORC_A_EXEC);
			if (o[0])
				o[1] = orc_walk_fault[1];
			else if (a >= ORC_A_STR && a <= ORC_A_STRT)
				o[1] = 0; /* filled from memory afterwards */
		}
}

/*
 * Walk mode: ATS1C{PR,PW,UR,UW} of every generated address, then the real
 * accesses their results allow (oracle_gen.h), in three phases with the
 * MMU off in between to prepare and inspect physical memory: loads of a
 * per-PA pattern, BLX into per-PA code, stores of per-access tags.
 */
static void run_walks(uint32_t seed, uint32_t start, uint32_t count,
		      uint32_t feat, uint32_t sctlr)
{
	static uint32_t out[ORC_WALK_NOUT];
	static uint64_t pa[ORC_WALK_NVA][ORC_WALK_NACC];
	static bool go[ORC_WALK_NVA][ORC_WALK_NACC];
	volatile uint32_t *t;

	orc_walk_vectors_on();
	for (t = (volatile uint32_t *)ORC_L1_0;
	     t < (volatile uint32_t *)(ORC_L2_POOL + 1024 * ORC_L2_COUNT); t++)
		*t = 0;
	for (uint32_t idx = start; idx < start + count; idx++) {
		uint32_t hs;

		orc_walk_generate(seed, idx, feat, &wk);
		hs = orc_walk_desc_word(&wk, ORC_HARNESS_SECTION);
		*(volatile uint32_t *)(ORC_L1_0 + 0x400) = hs;
		*(volatile uint32_t *)(ORC_L1_1 + 0x400) = hs;
		for (uint32_t i = 0; i < wk.nw; i++)
			*(volatile uint32_t *)wk.waddr[i] =
				orc_walk_desc_word(&wk, wk.wval[i]);
		mmu_on(&wk, sctlr);
		for (unsigned i = 0; i < ORC_WALK_NVA; i++)
			for (unsigned op = 0; op < 4; op++)
				out[4 * i + op] = orc_par_mask(ats(wk.va[i], op));
		mmu_off(&wk, sctlr);

		for (unsigned i = 0; i < ORC_WALK_NVA; i++)
			for (unsigned a = 0; a < ORC_WALK_NACC; a++) {
				uint32_t par = out[4 * i + orc_walk_ats_op(a)];
				uint32_t *o = &out[ORC_WALK_OUT(i, a)];

				go[i][a] = orc_walk_plan(
					par, orc_walk_acc_va(a, wk.va[i]), &pa[i][a]);
				o[0] = go[i][a] ? 0 : ORC_ST_SKIP;
				o[1] = 0;
				if (!go[i][a] || (par & 1u))
					continue;
				if (a <= ORC_A_LDRT)
					*(volatile uint32_t *)(uint32_t)pa[i][a] =
						orc_walk_pattern((uint32_t)pa[i][a]);
			}
		mmu_on(&wk, sctlr);
		walk_accesses(&wk, out, go, ORC_A_LDR, ORC_A_LDRT);
		mmu_off(&wk, sctlr);

		for (unsigned i = 0; i < ORC_WALK_NVA; i++) {
			uint32_t code[3];

			if (!go[i][ORC_A_EXEC] ||
			    (out[4 * i + orc_walk_ats_op(ORC_A_EXEC)] & 1u))
				continue;
			orc_walk_code((uint32_t)pa[i][ORC_A_EXEC], code);
			for (unsigned k = 0; k < 3; k++)
				((volatile uint32_t *)(uint32_t)pa[i][ORC_A_EXEC])[k] =
					code[k];
		}
		__asm__ volatile("mcr p15, 0, %0, c7, c5, 0\n\tdsb\n\tisb"
				 : : "r"(0) : "memory"); /* ICIALLU */
		mmu_on(&wk, sctlr);
		walk_accesses(&wk, out, go, ORC_A_EXEC, ORC_A_EXEC);
		walk_accesses(&wk, out, go, ORC_A_STR, ORC_A_STRT);
		mmu_off(&wk, sctlr);
		for (unsigned i = 0; i < ORC_WALK_NVA; i++)
			for (unsigned a = ORC_A_STR; a <= ORC_A_STRT; a++) {
				uint32_t *o = &out[ORC_WALK_OUT(i, a)];

				if (go[i][a] && !o[0])
					o[1] = *(volatile uint32_t *)(uint32_t)pa[i][a];
			}

		/* Tables back to empty. */
		for (uint32_t i = 0; i < wk.nw; i++)
			*(volatile uint32_t *)wk.waddr[i] = 0;
		put_str("D ");
		put_dec(idx);
		for (unsigned i = 0; i < ORC_WALK_NOUT; i++) {
			put(' ');
			put_hex(out[i]);
		}
		put('\n');
	}
	put_str("END\n");
	flush();
	exit_qemu(0);
}
static uint32_t final[ORC_NWORDS];
static char cmdline[256];

static void exit_qemu(uint32_t status)
{
	static uint32_t block[2];

	block[0] = 0x20026; /* ADP_Stopped_ApplicationExit */
	block[1] = status;
	semihost(0x20, block); /* SYS_EXIT_EXTENDED */
}

int main(void)
{
	volatile uint32_t *code = (volatile uint32_t *)ORC_CODE_BASE;
	volatile uint32_t *buf = (volatile uint32_t *)ORC_BUF_BASE;
	struct {
		char *p;
		uint32_t len;
	} cl = { cmdline, sizeof(cmdline) - 1 };
	uint32_t seed, start, count, dump, sctlr, feat;

	if (semihost(0x15, &cl) != 0) /* SYS_GET_CMDLINE */
		cmdline[0] = 0;
	seed = parse(cmdline, "seed", 1, true);
	start = parse(cmdline, "start", 0, false);
	count = parse(cmdline, "count", 1000, false);
	dump = parse(cmdline, "dump", 0, false);
	feat = parse(cmdline, "feat", ORC_FEAT_ALL, true);

	for (unsigned i = 0; i < ORC_CODE_WORDS; i++)
		code[i] = orc_code_word(i);
	/* Vectors in the code page; alignment faults on (SCTLR.A), so the
	 * misaligned-access cases abort the same way everywhere. */
	__asm__ volatile("mcr p15, 0, %0, c12, c0, 0" : : "r"(ORC_VBAR));
	__asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(sctlr));
	sctlr = (sctlr | 2u) & ~(1u << 13);
	__asm__ volatile("mcr p15, 0, %0, c1, c0, 0; isb" : : "r"(sctlr));
	/* QEMU 7.2 takes Secure PL0's SCTLR from the Non-secure bank; write
	 * that copy too (from Monitor mode with SCR.NS set) so that PL0
	 * accesses see SCTLR.A as the architecture says they should. */
	__asm__ volatile("mrs r3, cpsr\n\tcps #0x16\n\t"
			 "mrc p15, 0, r2, c1, c1, 0\n\torr r2, r2, #1\n\t"
			 "mcr p15, 0, r2, c1, c1, 0\n\tisb\n\t"
			 "mcr p15, 0, %0, c1, c0, 0\n\t"
			 "bic r2, r2, #1\n\tmcr p15, 0, r2, c1, c1, 0\n\tisb\n\t"
			 "msr cpsr_c, r3"
			 : : "r"(sctlr) : "r2", "r3", "memory");
	/* GIC (it has the Security Extensions): SGI 0 in Group 1 signals
	 * IRQ, SGI 1 in Group 0 signals FIQ (FIQEn); AckCtl lets the Secure
	 * side acknowledge both. */
	REG(GICD + 0x000) = 3;
	REG(GICD + 0x080) = 1;
	REG(GICD + 0x100) = 3;
	REG(GICC + 0x004) = 0xf0;
	REG(GICC + 0x000) = 0xf;

	if (parse(cmdline, "walk", 0, false))
		run_walks(seed, start, count, feat, sctlr);
	put_str("ORACLE seed=");
	put_hex(seed);
	put('\n');
	for (uint32_t idx = start; idx < start + count; idx++) {
		uint32_t w[2];

		orc_generate(seed, idx, feat, &cs);
		for (unsigned i = 0; i < ORC_BUF_WORDS; i++)
			buf[i] = cs.s[ORC_W_MEM + i];
		orc_slot_words(&cs, w);
		code[0] = w[0];
		code[1] = w[1];
		if (cs.flags & ORC_F_IRQ)
			REG(GICD + 0xf00) = 2u << 24; /* SGI 0 to this CPU */
		if (cs.flags & ORC_F_FIQ)
			REG(GICD + 0xf00) = 2u << 24 | 1u; /* SGI 1 */
		orc_launch(cs.s, final);
		if (cs.flags & (ORC_F_IRQ | ORC_F_FIQ)) {
			uint32_t iar = REG(GICC + 0x00c);

			REG(GICC + 0x010) = iar;
		}
		final[ORC_W_PC] -= 4; /* LR_mon: the landing SMC + 4 */
		final[ORC_W_SPSR + ORC_B_USR] = 0;
		for (unsigned i = 0; i < ORC_BUF_WORDS; i++)
			final[ORC_W_MEM + i] = buf[i];
		if (cs.flags & ORC_F_DIRECT)
			final[ORC_W_DFSR] = final[ORC_W_DFAR] =
				final[ORC_W_IFSR] = final[ORC_W_IFAR] = 0;
		if (dump) {
			put_str("D ");
			put_dec(idx);
			for (unsigned i = 0; i < ORC_NWORDS; i++) {
				put(' ');
				put_hex(final[i]);
			}
			put('\n');
		} else {
			if ((idx - start) % 16 == 0) {
				if (idx != start)
					put('\n');
				put_str("H ");
				put_dec(idx);
			}
			put(' ');
			put_hex(orc_hash(final));
		}
	}
	put_str("\nEND\n");
	flush();
	exit_qemu(0);
	return 0;
}
