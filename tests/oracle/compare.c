// SPDX-License-Identifier: MIT
/*
 * The QEMU oracle's host side: runs the bare-metal harness
 * (tests/oracle/native) on qemu-system-arm, runs the same generated cases
 * through libpvcore (decode + emulate, or the exception entry) on a vCPU
 * of a VM built on the fake backend, and compares the final states by
 * digest. For the first mismatches it reruns QEMU in dump mode and prints
 * the encoding, the initial state and both final states.
 *
 * usage: oracle-compare --elf <harness.elf> [--qemu <qemu-system-arm>]
 *        [--seed <hex>] [--cases <n>] [--start <n>] [--chunk <n>]
 *        [--show <index>] [--max-report <n>] [--features <hex>]
 *        [--inject-fault] [--walk [--strict]]
 *        [--expect-mismatch]
 * --walk compares guest walks (ATS1C* + PAR, and real accesses through
 * the same tables) instead of instructions (compare_walk.c); --strict
 * reports the known QEMU walk deviations as mismatches too.
 * PV_ORACLE_CASES overrides the default case count (100000).
 * --inject-fault corrupts the host result (a comparer self-test);
 * --core-fault (oracle-compare-tf only, built with PV_TEST_FAULTS) turns
 * on the core's test-only faults: the emulator's wrong loads and the
 * walk's ignored XN;
 * --expect-mismatch inverts the verdict, for negative controls.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvcore/pvcore.h>

#include "compare.h"
#include "core.h"
#include "fake_backend.h"
#include "oracle_gen.h"

static struct fake_backend fb;
struct pv_vm vm;
static const char *qemu = "qemu-system-arm";
static const char *elf;
bool inject;
#ifdef PV_TEST_FAULTS
/* libpvcore/emulate.c: flips bit 0 of every emulated load when set. */
extern int pv_test_fault_emulate;
/* libpvcore/mmu_walk.c: the walk ignores XN when set. */
extern int pv_test_fault_walk;
#endif
uint32_t feat = ORC_FEAT_ALL;

static const uint32_t bank_mode[ORC_NBANKS] = {
	PV_MODE_USR, PV_MODE_FIQ, PV_MODE_IRQ, PV_MODE_SVC, PV_MODE_ABT,
	PV_MODE_UND,
};

void put_mem(uint32_t addr, uint32_t v)
{
	uint8_t *p = fake_backend_ram(&fb, addr);

	memcpy(p, &v, 4);
}

static uint32_t get_mem(uint32_t addr)
{
	uint32_t v;

	memcpy(&v, fake_backend_ram(&fb, addr), 4);
	return v;
}

/* Host result of case @c into @out. Returns a short note on anything
 * unusual (decode refused the instruction), or NULL. */
static const char *host_run(const struct orc_case *c, uint32_t *out)
{
	struct pv_vcpu *v = &vm.vcpu[0];
	const uint32_t *s = c->s;
	const char *note = NULL;
	uint32_t mode = s[ORC_W_CPSR] & PV_PSR_M_MASK, w[2];
	bool thumb = c->flags & ORC_F_THUMB;

	pv_vcpu_reset(v);
	v->cp15.sctlr = (v->cp15.sctlr | PV_SCTLR_A) & ~PV_SCTLR_V;
	v->cp15.vbar = ORC_VBAR;
	v->cp15.dfsr = s[ORC_W_DFSR];
	v->cp15.dfar = s[ORC_W_DFAR];
	v->cp15.ifsr = s[ORC_W_IFSR];
	v->cp15.ifar = s[ORC_W_IFAR];
	pv_vcpu_set_mode(v, mode);
	for (unsigned b = 0; b < ORC_NBANKS; b++) {
		pv_vcpu_set_reg_mode(v, bank_mode[b], 13, s[ORC_W_SP + b]);
		pv_vcpu_set_reg_mode(v, bank_mode[b], 14, s[ORC_W_LR + b]);
		v->spsr[b] = s[ORC_W_SPSR + b];
	}
	for (unsigned n = 0; n < 13; n++)
		pv_vcpu_set_reg_mode(v, PV_MODE_USR, n, s[ORC_W_R + n]);
	for (unsigned n = 8; n < 13; n++)
		pv_vcpu_set_reg_mode(v, PV_MODE_FIQ, n, s[ORC_W_FIQR + n - 8]);
	v->cpsr = s[ORC_W_CPSR];
	v->r[15] = s[ORC_W_PC];
	for (unsigned i = 0; i < ORC_BUF_WORDS; i++)
		put_mem(ORC_BUF_BASE + 4 * i, s[ORC_W_MEM + i]);
	for (unsigned i = 0; i < ORC_CODE_WORDS; i++)
		put_mem(ORC_CODE_BASE + 4 * i, orc_code_word(i));
	orc_slot_words(c, w);
	put_mem(ORC_SLOT, w[0]);
	put_mem(ORC_SLOT + 4, w[1]);

	if (c->flags & ORC_F_DIRECT) {
		pv_vcpu_take_exception(v, (enum pv_exception)c->exc, c->exc_ret);
	} else {
		struct pv_insn insn;
		int err;

		if (!thumb)
			err = pv_decode_arm(c->insn, &insn);
		else if (c->len == 2)
			err = pv_decode_thumb(c->insn & 0xffffu, ORC_SMC_T1, &insn);
		else
			err = pv_decode_thumb(c->insn >> 16, c->insn & 0xffffu, &insn);
		if (err) {
			static char buf[64];

			snprintf(buf, sizeof(buf), "decode returned %d (%s)", err,
				 pv_strerror(err));
			note = buf;
		} else {
			(void)pv_emulate(v, &insn);
		}
	}
	/* The landing SMC is UNDEFINED at PL0 (QEMU and hardware alike). */
	uint32_t pc = v->r[15];

	if ((v->cpsr & PV_PSR_M_MASK) == PV_MODE_USR &&
	    (pc == ORC_SLOT + c->len || pc == ORC_PAD_ARM || pc == ORC_PAD_THUMB))
		pv_vcpu_take_exception(v, PV_EXC_UNDEF, pc);

	for (unsigned n = 0; n < 13; n++)
		out[ORC_W_R + n] = pv_vcpu_get_reg_mode(v, PV_MODE_USR, n);
	for (unsigned n = 8; n < 13; n++)
		out[ORC_W_FIQR + n - 8] = pv_vcpu_get_reg_mode(v, PV_MODE_FIQ, n);
	for (unsigned b = 0; b < ORC_NBANKS; b++) {
		out[ORC_W_SP + b] = pv_vcpu_get_reg_mode(v, bank_mode[b], 13);
		out[ORC_W_LR + b] = pv_vcpu_get_reg_mode(v, bank_mode[b], 14);
		out[ORC_W_SPSR + b] = b ? v->spsr[b] : 0;
	}
	out[ORC_W_CPSR] = v->cpsr;
	out[ORC_W_PC] = v->r[15];
	out[ORC_W_DFSR] = v->cp15.dfsr;
	out[ORC_W_DFAR] = v->cp15.dfar;
	out[ORC_W_IFSR] = v->cp15.ifsr;
	out[ORC_W_IFAR] = v->cp15.ifar;
	if (c->flags & ORC_F_DIRECT)
		out[ORC_W_DFSR] = out[ORC_W_DFAR] = out[ORC_W_IFSR] =
			out[ORC_W_IFAR] = 0;
	for (unsigned i = 0; i < ORC_BUF_WORDS; i++)
		out[ORC_W_MEM + i] = get_mem(ORC_BUF_BASE + 4 * i);
	if (inject && c->cls == ORC_C_MSR)
		out[ORC_W_CPSR] ^= PV_PSR_C;
	return note;
}

/* ---- reporting ---- */

static const char *word_name(unsigned i, char *buf, size_t n)
{
	static const char *const bank[ORC_NBANKS] = { "usr", "fiq", "irq",
						      "svc", "abt", "und" };

	if (i < 13)
		snprintf(buf, n, "r%u", i);
	else if (i < ORC_W_SP)
		snprintf(buf, n, "r%u_fiq", i - ORC_W_FIQR + 8);
	else if (i < ORC_W_LR)
		snprintf(buf, n, "sp_%s", bank[i - ORC_W_SP]);
	else if (i < ORC_W_SPSR)
		snprintf(buf, n, "lr_%s", bank[i - ORC_W_LR]);
	else if (i < ORC_W_CPSR)
		snprintf(buf, n, "spsr_%s", bank[i - ORC_W_SPSR]);
	else if (i == ORC_W_CPSR)
		snprintf(buf, n, "cpsr");
	else if (i == ORC_W_PC)
		snprintf(buf, n, "pc");
	else if (i < ORC_W_MEM)
		snprintf(buf, n, "%s", (const char *[]){ "dfsr", "dfar", "ifsr",
							  "ifar" }[i - ORC_W_DFSR]);
	else
		snprintf(buf, n, "mem[%08x]", ORC_BUF_BASE + 4 * (i - ORC_W_MEM));
	return buf;
}

static void print_case(const struct orc_case *c)
{
	char nm[32];

	printf("case %u: class %s, %s, encoding %0*x (%u bytes)%s\n", c->index,
	       orc_class_name(c->cls), c->flags & ORC_F_THUMB ? "Thumb" : "ARM",
	       c->len == 2 ? 4 : 8, c->insn, c->len,
	       c->flags & ORC_F_DIRECT ? ", exception entry" : "");
	printf("  initial state:");
	for (unsigned i = 0; i < ORC_W_MEM; i++)
		printf("%s%s=%08x", i % 6 ? " " : "\n    ",
		       word_name(i, nm, sizeof(nm)), c->s[i]);
	printf("\n");
}

static void print_states(const struct orc_case *c, const uint32_t *native,
			 const uint32_t *host)
{
	char nm[32];

	print_case(c);
	printf("  %-14s %-10s %-10s %-10s\n", "word", "initial", "native",
	       "pvcore");
	for (unsigned i = 0; i < ORC_NWORDS; i++) {
		bool diff = native && native[i] != host[i];

		if (i >= ORC_W_MEM && !diff && host[i] == c->s[i] &&
		    (!native || native[i] == c->s[i]))
			continue;
		if (native)
			printf("  %-14s %08x   %08x   %08x%s\n",
			       word_name(i, nm, sizeof(nm)), c->s[i], native[i],
			       host[i], diff ? "   <-- MISMATCH" : "");
		else
			printf("  %-14s %08x   -          %08x\n",
			       word_name(i, nm, sizeof(nm)), c->s[i], host[i]);
	}
}

/* ---- running QEMU ---- */

static bool walk_mode;

FILE *run_qemu(uint32_t seed, uint32_t start, uint32_t count, bool dump)
{
	char cmd[1024];

	/* Semihosting output goes to QEMU's stderr. */
	snprintf(cmd, sizeof(cmd),
		 "timeout %u %s -M sabrelite -smp 1 -nographic -monitor none "
		 "-serial null -serial null "
		 "-semihosting-config enable=on,target=native -kernel '%s' "
		 "-append 'seed=%x start=%u count=%u dump=%u feat=%x walk=%u' "
		 "2>&1 >/dev/null",
		 60 + count / 1000, qemu, elf, seed, start, count, dump ? 1u : 0u,
		 feat, walk_mode ? 1u : 0u);
	return popen(cmd, "r");
}

static bool dump_native(uint32_t seed, uint32_t idx, uint32_t *out)
{
	FILE *f = run_qemu(seed, idx, 1, true);
	char *line = NULL;
	size_t cap = 0;
	bool ok = false;

	if (!f)
		return false;
	while (getline(&line, &cap, f) > 0) {
		char *p = line;
		unsigned long i;

		if (strncmp(p, "D ", 2))
			continue;
		strtoul(p + 2, &p, 10);
		for (i = 0; i < ORC_NWORDS; i++)
			out[i] = (uint32_t)strtoul(p, &p, 16);
		ok = true;
	}
	free(line);
	pclose(f);
	return ok;
}

static void usage(void)
{
	fprintf(stderr, "usage: oracle-compare --elf <harness.elf> [--qemu <bin>]"
		" [--seed <hex>] [--cases <n>] [--start <n>] [--chunk <n>]"
		" [--show <index>] [--max-report <n>] [--features <hex>]"
		" [--inject-fault] [--walk [--strict]]"
		" [--expect-mismatch]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct orc_case c;
	static uint32_t host[ORC_NWORDS], native[ORC_NWORDS];
	struct pv_vm_config cfg;
	uint32_t seed = 0x5eed0001u, start = 0, cases = 100000, chunk = 20000;
	unsigned long count[ORC_NCLASSES][2] = { { 0 } };
	unsigned long bad[ORC_NCLASSES][2] = { { 0 } };
	unsigned long total = 0, mismatches = 0, max_report = 5, reported = 0;
	long show = -1;
	bool expect_mismatch = false, strict = false;
	const char *env = getenv("PV_ORACLE_CASES");

	if (env && *env)
		cases = (uint32_t)strtoul(env, NULL, 0);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--inject-fault")) {
			inject = true;
			continue;
		}
		if (!strcmp(a, "--core-fault")) {
#ifdef PV_TEST_FAULTS
			pv_test_fault_emulate = 1;
			pv_test_fault_walk = 1;
			continue;
#else
			fprintf(stderr, "oracle: --core-fault needs the "
				"PV_TEST_FAULTS build (oracle-compare-tf)\n");
			return 2;
#endif
		}
		if (!strcmp(a, "--walk")) {
			walk_mode = true;
			continue;
		}
		if (!strcmp(a, "--strict")) {
			strict = true;
			continue;
		}
		if (!strcmp(a, "--expect-mismatch")) {
			expect_mismatch = true;
			continue;
		}
		if (!val)
			usage();
		i++;
		if (!strcmp(a, "--elf"))
			elf = val;
		else if (!strcmp(a, "--qemu"))
			qemu = val;
		else if (!strcmp(a, "--seed"))
			seed = (uint32_t)strtoul(val, NULL, 16);
		else if (!strcmp(a, "--cases"))
			cases = (uint32_t)strtoul(val, NULL, 0);
		else if (!strcmp(a, "--start"))
			start = (uint32_t)strtoul(val, NULL, 0);
		else if (!strcmp(a, "--features"))
			feat = (uint32_t)strtoul(val, NULL, 16);
		else if (!strcmp(a, "--chunk"))
			chunk = (uint32_t)strtoul(val, NULL, 0);
		else if (!strcmp(a, "--show"))
			show = strtol(val, NULL, 0);
		else if (!strcmp(a, "--max-report"))
			max_report = strtoul(val, NULL, 0);
		else
			usage();
	}
	if (fake_backend_setup(&fb, &cfg) || pv_vm_init(&vm, &cfg)) {
		fprintf(stderr, "oracle: cannot build the VM\n");
		return 1;
	}
	if (walk_mode) {
		struct walk_options wo = { seed, start, cases, chunk, max_report,
					   strict };
		long r;

		if (!elf)
			usage();
		if (show >= 0) {
			walk_show(&wo, (uint32_t)show);
			return 0;
		}
		printf("oracle: seed %08x, features %x, walk cases %u..%u, "
		       "harness %s\n", seed, feat, start, start + cases - 1, elf);
		r = walk_compare(&wo);
		fake_backend_teardown(&fb);
		if (expect_mismatch) {
			printf("oracle: negative control: %s\n",
			       r > 0 ? "mismatches detected as expected (PASS)"
				     : "NO mismatch detected (FAIL)");
			return r > 0 ? 0 : 1;
		}
		return r == 0 ? 0 : 1;
	}
	if (show >= 0) {
		const char *note;

		orc_generate(seed, (uint32_t)show, feat, &c);
		note = host_run(&c, host);
		if (note)
			printf("pvcore: %s\n", note);
		if (elf && dump_native(seed, (uint32_t)show, native))
			print_states(&c, native, host);
		else
			print_states(&c, NULL, host);
		return 0;
	}
	if (!elf)
		usage();
	printf("oracle: seed %08x, features %x, instruction cases %u..%u, "
	       "harness %s\n", seed, feat, start, start + cases - 1, elf);
	for (uint32_t base = start; base < start + cases; base += chunk) {
		uint32_t n = start + cases - base < chunk ? start + cases - base
							   : chunk;
		uint32_t next = base;
		FILE *f = run_qemu(seed, base, n, false);
		char *line = NULL;
		size_t cap = 0;

		if (!f) {
			perror("oracle: popen");
			return 1;
		}
		while (getline(&line, &cap, f) > 0) {
			char *p = line;
			uint32_t idx;

			if (strncmp(p, "H ", 2))
				continue;
			idx = (uint32_t)strtoul(p + 2, &p, 10);
			if (idx != next) {
				fprintf(stderr, "oracle: harness sent case %u, expected %u\n",
					idx, next);
				return 1;
			}
			for (;;) {
				char *e;
				uint32_t h = (uint32_t)strtoul(p, &e, 16);
				const char *note;
				bool thumb;

				if (e == p)
					break;
				p = e;
				orc_generate(seed, next, feat, &c);
				note = host_run(&c, host);
				thumb = c.flags & ORC_F_THUMB;
				count[c.cls][thumb]++;
				total++;
				if (orc_hash(host) != h || note) {
					mismatches++;
					bad[c.cls][thumb]++;
					if (reported < max_report) {
						reported++;
						printf("\nMISMATCH (seed %08x, case %u)%s%s\n",
						       seed, next, note ? ": pvcore " : "",
						       note ? note : "");
						if (dump_native(seed, next, native))
							print_states(&c, native, host);
						else
							print_states(&c, NULL, host);
					}
				}
				next++;
			}
		}
		free(line);
		pclose(f);
		if (next != base + n) {
			fprintf(stderr,
				"oracle: the harness stopped after case %u of %u..%u "
				"(hung or crashed on case %u; try --show %u)\n",
				next ? next - 1 : 0, base, base + n - 1, next, next);
			mismatches++;
			break;
		}
	}
	printf("\noracle: per-class cases (ARM / Thumb) and mismatches\n");
	for (unsigned k = 0; k < ORC_NCLASSES; k++)
		printf("  %-16s %7lu / %-7lu  mismatches %lu / %lu\n",
		       orc_class_name(k), count[k][0], count[k][1], bad[k][0],
		       bad[k][1]);
	printf("oracle: %lu cases, %lu mismatches\n", total, mismatches);
	fake_backend_teardown(&fb);
	if (expect_mismatch) {
		printf("oracle: negative control: %s\n",
		       mismatches ? "mismatches detected as expected (PASS)"
				  : "NO mismatch detected (FAIL)");
		return mismatches ? 0 : 1;
	}
	return mismatches || total < cases ? 1 : 0;
}
