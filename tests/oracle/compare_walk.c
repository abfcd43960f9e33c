// SPDX-License-Identifier: MIT
/*
 * The QEMU oracle's guest-walk comparer (--walk, issue 5).
 *
 * Each walk case (oracle_gen.h) is a random short-descriptor regime and 16
 * VAs. The harness reports, per VA, the four ATS1C{PR,PW,UR,UW} PARs and
 * the outcome of five real accesses (LDR, LDRT, STR, STRT, BLX). This side
 * computes the same words from pvcore's guest walk: pv_mmu_par() for the
 * PARs and pv_mmu_translate() for the accesses, with the memory effects
 * the harness arranges (a per-PA load pattern, per-PA code, the last store
 * to each word) modelled here.
 *
 * Known QEMU deviations. QEMU 7.2's short-descriptor walk checks the
 * domain as soon as it has the first-level descriptor, and checks the
 * access flag only in a Client domain. The Arm ARM (DDI 0406C, the
 * TranslationTableWalkSD() and TranslateAddressV() pseudocode) fetches and
 * checks the second-level descriptor and the access flag inside the walk,
 * and calls CheckDomain() on the walk's result afterwards; the classic
 * fault-checking flowcharts (e.g. DDI 0198D section 3.5) likewise read the
 * page table entry before checking a page's domain. Two shapes of case
 * therefore differ, and pvcore follows the architecture:
 *   - AF: SCTLR.AFE = 1, AF = 0, domain No access or Manager. pvcore: an
 *     access-flag fault. QEMU: a domain fault, or (Manager) no fault;
 *   - L2: an invalid L2 entry under a No-access domain. pvcore: an L2
 *     translation fault. QEMU: a page domain fault;
 *   - XN: an instruction fetch from an execute-never mapping with AF = 0
 *     (SCTLR.AFE = 1) in a Client domain. pvcore: an access-flag fault,
 *     raised by the walk. QEMU: a permission fault (it tests XN first).
 * Unless --strict, a differing word is accepted only if it is exactly one
 * of these shapes; every accepted word is counted and printed.
 */
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "oracle_gen.h"

static struct orc_walk wk;

static const unsigned acc_flags[ORC_WALK_NACC] = {
	[ORC_A_LDR] = PV_ACC_READ,
	[ORC_A_LDRT] = PV_ACC_USER,
	[ORC_A_STR] = PV_ACC_WRITE,
	[ORC_A_STRT] = PV_ACC_WRITE | PV_ACC_USER,
	[ORC_A_EXEC] = PV_ACC_EXEC,
};
static const char *const acc_name[ORC_WALK_NACC] = { "LDR", "LDRT", "STR",
						     "STRT", "BLX" };

/* The harness's memory after its stores, in the order it makes them. */
struct store_log {
	unsigned n;
	uint32_t pa[2 * ORC_WALK_NVA], val[2 * ORC_WALK_NVA];
};

static void log_store(struct store_log *m, uint32_t pa, uint32_t v)
{
	for (unsigned k = 0; k < m->n; k++)
		if (m->pa[k] == pa) {
			m->val[k] = v;
			return;
		}
	m->pa[m->n] = pa;
	m->val[m->n++] = v;
}

static uint32_t logged(const struct store_log *m, uint32_t pa)
{
	for (unsigned k = 0; k < m->n; k++)
		if (m->pa[k] == pa)
			return m->val[k];
	return 0;
}

/* pvcore's words for walk case @w (layout: oracle_gen.h ORC_WALK_OUT). */
static void host_walk(const struct orc_walk *w, uint32_t *out)
{
	struct pv_vcpu *v = &vm.vcpu[0];
	static uint32_t store_pa[ORC_WALK_NVA][ORC_WALK_NACC];
	struct store_log mem = { 0 };

	put_mem(ORC_L1_0 + 0x400, orc_walk_desc_word(w, ORC_HARNESS_SECTION));
	put_mem(ORC_L1_1 + 0x400, orc_walk_desc_word(w, ORC_HARNESS_SECTION));
	for (uint32_t i = 0; i < w->nw; i++)
		put_mem(w->waddr[i], orc_walk_desc_word(w, w->wval[i]));
	pv_vcpu_reset(v);
	v->cp15.sctlr = (v->cp15.sctlr & ~ORC_WALK_SCTLR_BITS) |
			w->sctlr_bits | PV_SCTLR_M | PV_SCTLR_A;
	v->cp15.ttbr0 = w->ttbr0;
	v->cp15.ttbr1 = w->ttbr1;
	v->cp15.ttbcr = w->ttbcr;
	v->cp15.dacr = w->dacr;
	for (unsigned i = 0; i < ORC_WALK_NVA; i++)
		for (unsigned op = 0; op < 4; op++)
			out[4 * i + op] = orc_par_mask(
				pv_mmu_par(v, pv_gva(w->va[i]), op & 1u, op >> 1));

	for (unsigned i = 0; i < ORC_WALK_NVA; i++)
		for (unsigned a = 0; a < ORC_WALK_NACC; a++) {
			uint32_t va = orc_walk_acc_va(a, w->va[i]), *o;
			struct pv_walk res;
			struct pv_fault f;
			uint64_t ignored;
			uint32_t pa;

			o = &out[ORC_WALK_OUT(i, a)];
			o[0] = ORC_ST_SKIP;
			o[1] = 0;
			if (!orc_walk_plan(out[4 * i + orc_walk_ats_op(a)], va,
					   &ignored))
				continue;
			if (pv_mmu_translate(v, pv_gva(va), acc_flags[a], &res, &f)) {
				o[0] = ORC_ST_ABORT | orc_walk_fsr(f.fsr, !f.is_prefetch);
				o[1] = f.far;
				continue;
			}
			o[0] = 0;
			pa = (uint32_t)pv_gpa_val(res.pa);
			if (a <= ORC_A_LDRT)
				o[1] = orc_walk_pattern(pa);
			else if (a == ORC_A_EXEC)
				o[1] = pa;
			store_pa[i][a] = pa;
		}
	/* Stores run after everything else, VA by VA, STR before STRT. */
	for (unsigned i = 0; i < ORC_WALK_NVA; i++)
		for (unsigned a = ORC_A_STR; a <= ORC_A_STRT; a++)
			if (!out[ORC_WALK_OUT(i, a)])
				log_store(&mem, store_pa[i][a], orc_walk_tag(i, a));
	for (unsigned i = 0; i < ORC_WALK_NVA; i++)
		for (unsigned a = ORC_A_STR; a <= ORC_A_STRT; a++)
			if (!out[ORC_WALK_OUT(i, a)])
				out[ORC_WALK_OUT(i, a) + 1] =
					logged(&mem, store_pa[i][a]);
	if (inject)
		out[0] ^= 1u << 12;
	for (uint32_t i = 0; i < w->nw; i++)
		put_mem(w->waddr[i], 0);
}

/* ---- the known QEMU deviations ---- */

static uint32_t desc_at(const struct orc_walk *w, uint32_t addr)
{
	if (addr == ORC_L1_0 + 0x400 || addr == ORC_L1_1 + 0x400)
		return ORC_HARNESS_SECTION;
	for (uint32_t i = 0; i < w->nw; i++)
		if (w->waddr[i] == addr)
			return w->wval[i];
	return 0;
}

/* The fault status code (FS[4:0]) of a masked PAR or an outcome status,
 * or -1 for no fault. */
static int par_fs(uint32_t par)
{
	return (par & 1u) ? (int)((par >> 1 & 0xfu) | (par >> 5 & 1u) << 4) : -1;
}

static int status_fs(uint32_t st)
{
	if (!(st & ORC_ST_ABORT) || st == ORC_ST_SKIP)
		return -1;
	return (int)((st & 0xfu) | (st >> 6 & 0x10u));
}

enum deviation { DEV_NONE, DEV_AF, DEV_L2, DEV_XN, DEV_COUNT };

/*
 * Which deviation shape @va's translation has, if any, and the FS codes
 * it gives: @host_fs what pvcore (the architecture) must report, @qemu_fs
 * what QEMU reports (-1: no fault).
 */
static enum deviation deviation_of(const struct orc_walk *w, uint32_t va,
				   bool exec, int *host_fs, int *qemu_fs)
{
	uint32_t l1a = orc_walk_l1_addr(va, w->ttbcr & 7u), l1, l2 = 0;
	uint32_t desc, dom, d;
	bool afe = w->sctlr_bits & PV_SCTLR_AFE, page, xn;

	/* PD0/PD1: the walk of that half is disabled, a plain fault. */
	if (w->ttbcr & (l1a < ORC_L1_1 ? 1u << 4 : 1u << 5))
		return DEV_NONE;
	l1 = desc_at(w, l1a);
	if ((l1 & 3u) == 1u) {
		page = true;
		l2 = desc_at(w, (l1 & 0xfffffc00u) | ((va >> 12) & 0xffu) << 2);
		desc = l2;
		dom = l1 >> 5 & 15u;
	} else if ((l1 & 3u) == 2u) {
		page = false;
		desc = l1;
		dom = (l1 & (1u << 18)) ? 0 : l1 >> 5 & 15u;
	} else {
		return DEV_NONE;
	}
	d = w->dacr >> (2 * dom) & 3u;
	if (page && !(l2 & 3u)) {
		if (d != 0 && d != 2)
			return DEV_NONE;
		*host_fs = 0x7;
		*qemu_fs = 0xb;
		return DEV_L2;
	}
	if (!afe || (desc & (page ? 1u << 4 : 1u << 10)))
		return DEV_NONE;
	*host_fs = page ? 0x6 : 0x3;
	if (d != 1) {
		*qemu_fs = d == 3 ? -1 : (page ? 0xb : 0x9);
		return DEV_AF;
	}
	/* XN: small page bit 0, large page bit 15, section bit 4. */
	xn = page ? ((desc & 2u) ? desc & 1u : desc >> 15 & 1u) : desc >> 4 & 1u;
	if (!exec || !xn)
		return DEV_NONE;
	*qemu_fs = page ? 0xf : 0xd;
	return DEV_XN;
}

/* Whether output word @k of case @w differs only as a known deviation. */
static enum deviation accepted(const struct orc_walk *w, unsigned k,
			       const uint32_t *native, const uint32_t *host)
{
	unsigned i, a = 0;
	int hfs, qfs, h, q;
	enum deviation dev;
	bool par = k < ORC_WALK_NPAR;

	if (par) {
		i = k / 4;
	} else {
		i = (k - ORC_WALK_NPAR) / (2 * ORC_WALK_NACC);
		a = (k - ORC_WALK_NPAR) / 2 % ORC_WALK_NACC;
		k = ORC_WALK_OUT(i, a); /* judge the pair by its status */
	}
	dev = deviation_of(w, par ? w->va[i] : orc_walk_acc_va(a, w->va[i]),
			   !par && a == ORC_A_EXEC, &hfs, &qfs);
	if (dev == DEV_NONE)
		return DEV_NONE;
	h = par ? par_fs(host[k]) : status_fs(host[k]);
	q = par ? par_fs(native[k]) : status_fs(native[k]);
	if (h != hfs || q != qfs)
		return DEV_NONE;
	/* A fault word must be exactly the expected one, nothing more. */
	if (par && host[k] != (1u | (uint32_t)(hfs & 0xf) << 1 |
			       (uint32_t)(hfs >> 4) << 5))
		return DEV_NONE;
	return dev;
}

/* ---- reporting ---- */

static void print_walk(uint32_t idx, const struct orc_walk *w,
		       const uint32_t *native, const uint32_t *host)
{
	static const char *const opn[4] = { "PR", "PW", "UR", "UW" };

	printf("walk case %u: TTBR0=%08x TTBR1=%08x TTBCR=%08x DACR=%08x "
	       "SCTLR+=%08x (M, A set)\n", idx, w->ttbr0, w->ttbr1,
	       w->ttbcr, w->dacr, w->sctlr_bits);
	printf("  descriptors written (plus the harness section %08x at "
	       "%08x and %08x):\n", ORC_HARNESS_SECTION, ORC_L1_0 + 0x400,
	       ORC_L1_1 + 0x400);
	for (uint32_t i = 0; i < w->nw; i++)
		printf("    [%08x] = %08x\n", w->waddr[i], w->wval[i]);
	printf("  %-10s %-5s %-19s %-19s\n", "va", "op", "native", "pvcore");
	for (unsigned i = 0; i < ORC_WALK_NVA; i++) {
		for (unsigned op = 0; op < 4; op++) {
			unsigned k = 4 * i + op;
			bool diff = native && native[k] != host[k];

			printf("  %08x   ATS%s %08x            %08x%s\n", w->va[i],
			       opn[op], native ? native[k] : 0, host[k],
			       diff ? (accepted(w, k, native, host)
					       ? "            (QEMU deviation)"
					       : "            <-- MISMATCH")
				    : "");
		}
		for (unsigned a = 0; a < ORC_WALK_NACC; a++) {
			unsigned k = ORC_WALK_OUT(i, a);
			bool diff = native && (native[k] != host[k] ||
					       native[k + 1] != host[k + 1]);

			printf("  %08x   %-5s %08x %08x   %08x %08x%s\n",
			       orc_walk_acc_va(a, w->va[i]), acc_name[a],
			       native ? native[k] : 0, native ? native[k + 1] : 0,
			       host[k], host[k + 1],
			       diff ? (accepted(w, k, native, host)
					       ? "   (QEMU deviation)"
					       : "   <-- MISMATCH")
				    : "");
		}
	}
	printf("  (accesses: status 0 done, ffffffff skipped, 8xxxxxxx abort "
	       "with FSR bits then FAR; values: loaded pattern, stored tag "
	       "found in memory, or the PA the BLX landed on)\n");
}

/* Read one "D <idx> <words>" line into @out; returns the index or -1. */
static long parse_dump(char *line, uint32_t *out)
{
	char *p = line, *e;
	long idx;

	if (strncmp(p, "D ", 2))
		return -1;
	idx = strtol(p + 2, &p, 10);
	for (unsigned i = 0; i < ORC_WALK_NOUT; i++, p = e) {
		out[i] = (uint32_t)strtoul(p, &e, 16);
		if (e == p)
			return -1;
	}
	return idx;
}

void walk_show(const struct walk_options *o, uint32_t idx)
{
	static uint32_t host[ORC_WALK_NOUT], native[ORC_WALK_NOUT];
	FILE *f = run_qemu(o->seed, idx, 1, true);
	char *line = NULL;
	size_t cap = 0;
	bool got = false;

	while (f && getline(&line, &cap, f) > 0)
		if (parse_dump(line, native) == (long)idx)
			got = true;
	free(line);
	if (f)
		pclose(f);
	orc_walk_generate(o->seed, idx, feat, &wk);
	host_walk(&wk, host);
	print_walk(idx, &wk, got ? native : NULL, host);
}

long walk_compare(const struct walk_options *o)
{
	static uint32_t host[ORC_WALK_NOUT], native[ORC_WALK_NOUT];
	unsigned long total = 0, bad = 0, reported = 0;
	unsigned long pars[2] = { 0 }, acc[ORC_WALK_NACC][3] = { { 0 } };
	unsigned long dev[DEV_COUNT] = { 0 };

	for (uint32_t base = o->start; base < o->start + o->cases;
	     base += o->chunk) {
		uint32_t n = o->start + o->cases - base < o->chunk
				     ? o->start + o->cases - base
				     : o->chunk;
		uint32_t next = base;
		FILE *f = run_qemu(o->seed, base, n, true);
		char *line = NULL;
		size_t cap = 0;

		if (!f)
			return -1;
		while (getline(&line, &cap, f) > 0) {
			long idx = parse_dump(line, native);
			bool mismatch = false;

			if (idx < 0)
				continue;
			if (idx != (long)next)
				break;
			orc_walk_generate(o->seed, next, feat, &wk);
			host_walk(&wk, host);
			for (unsigned k = 0; k < ORC_WALK_NPAR; k++)
				pars[host[k] & 1u]++;
			for (unsigned i = 0; i < ORC_WALK_NVA; i++)
				for (unsigned a = 0; a < ORC_WALK_NACC; a++) {
					uint32_t st = host[ORC_WALK_OUT(i, a)];

					acc[a][st == ORC_ST_SKIP ? 2 : st ? 1 : 0]++;
				}
			for (unsigned k = 0; k < ORC_WALK_NOUT; k++) {
				enum deviation d;

				if (native[k] == host[k])
					continue;
				d = o->strict ? DEV_NONE
					      : accepted(&wk, k, native, host);
				dev[d]++;
				if (d == DEV_NONE)
					mismatch = true;
			}
			total++;
			if (mismatch) {
				bad++;
				if (reported++ < o->max_report) {
					printf("\nMISMATCH (seed %08x, walk case %u)\n",
					       o->seed, next);
					print_walk(next, &wk, native, host);
				}
			}
			next++;
		}
		free(line);
		pclose(f);
		if (next != base + n) {
			fprintf(stderr, "oracle: the harness stopped at walk case %u "
				"(try --show %u)\n", next, next);
			return -1;
		}
	}
	printf("\noracle: guest walk: %lu cases; %lu ATS1C{PR,PW,UR,UW} "
	       "(pvcore: %lu translated, %lu aborted)\n",
	       total, pars[0] + pars[1], pars[0], pars[1]);
	printf("oracle: real accesses (pvcore: done / aborted / skipped as "
	       "outside the sink):\n");
	for (unsigned a = 0; a < ORC_WALK_NACC; a++)
		printf("  %-5s %9lu / %9lu / %9lu\n", acc_name[a], acc[a][0],
		       acc[a][1], acc[a][2]);
	printf("oracle: differing words accepted as known QEMU deviations: "
	       "%lu access flag checked after the domain, %lu L2 entry read "
	       "after the domain check, %lu XN checked before the access "
	       "flag%s\n", dev[DEV_AF], dev[DEV_L2], dev[DEV_XN],
	       o->strict ? " (--strict: none accepted)" : "");
	printf("oracle: %lu mismatching cases (%lu differing words)\n", bad,
	       dev[DEV_NONE]);
	return total < o->cases ? -1 : (long)bad;
}
