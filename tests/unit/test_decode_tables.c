/* SPDX-License-Identifier: MIT */
/*
 * Decoder table reachability (suite 'decode'). The A32, T16 and T32
 * decoders are ordered (mask, value) tables where the first match wins, so
 * a row that earlier rows cover is dead code and its encodings decode as
 * something else. Checking pairs is not enough: several earlier rows can
 * cover a row between them. So for every row j we search for a witness, a
 * word that matches row j and none of rows 0..j-1, exactly: each earlier
 * row that overlaps row j becomes a clause "some bit of its mask outside
 * row j's mask differs from its value", and a DPLL-style search over those
 * bits either satisfies all clauses or proves that none can be.
 *
 * Each witness is then decoded through the public decoder: the table
 * walker must pick row j for it, and among a few hundred witnesses (free
 * bits random, A32 conditions random) at least one must come out in row
 * j's class, so that no row is reachable only into an extractor's error.
 *
 * Intentionally unreachable rows: none. Every row of the four tables has a
 * witness; a row added behind a broader one makes this test fail.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include <pvcore/decode.h>

#include "decode_internal.h"

/* Where a table's words come from: what the dispatcher can send it. */
struct space {
	const char *name;
	enum pv_dec_table_id id;
	uint32_t domain;                   /* bits the table sees; others 0 */
	const struct pv_dec_pattern *excl; /* words sent to another table */
	size_t nexcl;
};

/* Outside cond = 1111: the conditional table's. */
static const struct pv_dec_pattern a32_not_uncond[] = {
	{ 0xf0000000, 0x00000000, 0, NULL }, { 0xf0000000, 0x10000000, 0, NULL },
	{ 0xf0000000, 0x20000000, 0, NULL }, { 0xf0000000, 0x30000000, 0, NULL },
	{ 0xf0000000, 0x40000000, 0, NULL }, { 0xf0000000, 0x50000000, 0, NULL },
	{ 0xf0000000, 0x60000000, 0, NULL }, { 0xf0000000, 0x70000000, 0, NULL },
	{ 0xf0000000, 0x80000000, 0, NULL }, { 0xf0000000, 0x90000000, 0, NULL },
	{ 0xf0000000, 0xa0000000, 0, NULL }, { 0xf0000000, 0xb0000000, 0, NULL },
	{ 0xf0000000, 0xc0000000, 0, NULL }, { 0xf0000000, 0xd0000000, 0, NULL },
	{ 0xf0000000, 0xe0000000, 0, NULL },
};

/* hw1<15:11> = 11101, 11110, 11111 start a 32-bit instruction. */
static const struct pv_dec_pattern t16_not_t32[] = {
	{ 0xf800, 0xe800, 0, NULL },
	{ 0xf000, 0xf000, 0, NULL },
};

static const struct pv_dec_pattern t32_not_t16[] = {
	{ 0xe0000000, 0x00000000, 0, NULL }, { 0xe0000000, 0x20000000, 0, NULL },
	{ 0xe0000000, 0x40000000, 0, NULL }, { 0xe0000000, 0x60000000, 0, NULL },
	{ 0xe0000000, 0x80000000, 0, NULL }, { 0xe0000000, 0xa0000000, 0, NULL },
	{ 0xe0000000, 0xc0000000, 0, NULL }, { 0xf8000000, 0xe0000000, 0, NULL },
};

static const struct space spaces[PV_DEC_NTABLES] = {
	{ "A32 cond", PV_DEC_A32_COND, 0x0fffffffu, NULL, 0 },
	{ "A32 uncond", PV_DEC_A32_UNCOND, 0xffffffffu, a32_not_uncond,
	  sizeof(a32_not_uncond) / sizeof(a32_not_uncond[0]) },
	{ "T16", PV_DEC_T16, 0x0000ffffu, t16_not_t32,
	  sizeof(t16_not_t32) / sizeof(t16_not_t32[0]) },
	{ "T32", PV_DEC_T32, 0xffffffffu, t32_not_t16,
	  sizeof(t32_not_t16) / sizeof(t32_not_t16[0]) },
};

/* ---- the reachability search ---- */

enum reach { REACH_YES, REACH_NO, REACH_BUDGET };

#define MAX_CLAUSES 128
#define NODE_BUDGET 1000000ul

struct search {
	const struct pv_dec_pattern *cl[MAX_CLAUSES]; /* must not match */
	size_t ncl;
	uint32_t *rng;          /* NULL: literals in bit order */
	unsigned long nodes;
};

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static unsigned popcount32(uint32_t x)
{
	unsigned n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

/*
 * Extend the assignment (@known bits set to @val) until no clause row can
 * match. Picks the open clause with the fewest free bits; each branch makes
 * one of them differ, and a failed branch fixes that bit to the row's
 * value for the branches after it, so no assignment is searched twice.
 */
static enum reach dfs(struct search *s, uint32_t known, uint32_t val,
		      uint32_t *out, uint32_t *out_known)
{
	const struct pv_dec_pattern *best = NULL;
	uint32_t best_open = 0, lits[32];
	unsigned best_n = 33, n = 0, start;

	if (++s->nodes > NODE_BUDGET)
		return REACH_BUDGET;
	for (size_t i = 0; i < s->ncl; i++) {
		const struct pv_dec_pattern *c = s->cl[i];
		uint32_t open = c->mask & ~known;
		unsigned k;

		if ((val ^ c->value) & c->mask & known)
			continue; /* already differs: cannot match */
		k = popcount32(open);
		if (k == 0)
			return REACH_NO; /* matches whatever the free bits are */
		if (k < best_n) {
			best = c;
			best_open = open;
			best_n = k;
		}
	}
	if (!best) {
		*out = val;
		*out_known = known;
		return REACH_YES;
	}
	for (uint32_t b = best_open; b; b &= b - 1)
		lits[n++] = b & (~b + 1u);
	start = s->rng ? xorshift(s->rng) % n : 0;
	for (unsigned k = 0; k < n; k++) {
		uint32_t lit = lits[(start + k) % n];
		enum reach r = dfs(s, known | lit,
				   (val & ~lit) | (~best->value & lit), out,
				   out_known);

		if (r != REACH_NO)
			return r;
		known |= lit;
		val = (val & ~lit) | (best->value & lit);
	}
	return REACH_NO;
}

/*
 * Is row @j of @tab reachable in @sp? On REACH_YES, *@w is a witness: in
 * the domain, outside the exclusions, matching row @j and no row before
 * it. The bits no clause needed are random (or 0 without @rng). On
 * REACH_NO, *@cover is the earlier row that covers row @j on its own, or
 * -1 when only several together do.
 */
static enum reach reach_row(const struct pv_dec_pattern *tab, size_t j,
			    const struct space *sp, uint32_t *rng, uint32_t *w,
			    long *cover)
{
	const struct pv_dec_pattern *row = &tab[j];
	uint32_t known = row->mask | ~sp->domain, val = row->value, fixed;
	struct search s = { .ncl = 0, .rng = rng, .nodes = 0 };
	enum reach r;

	*cover = -1;
	/* A value bit outside the mask (or the domain) never matches. */
	if (row->value & ~row->mask || row->value & ~sp->domain)
		return REACH_NO;
	for (size_t i = 0; i < sp->nexcl + j; i++) {
		const struct pv_dec_pattern *c =
			i < sp->nexcl ? &sp->excl[i] : &tab[i - sp->nexcl];

		if ((val ^ c->value) & c->mask & known)
			continue; /* disjoint from row j */
		if (!(c->mask & ~known)) {
			if (i >= sp->nexcl)
				*cover = (long)(i - sp->nexcl);
			return REACH_NO;
		}
		ck_assert_uint_lt(s.ncl, MAX_CLAUSES);
		s.cl[s.ncl++] = c;
	}
	r = dfs(&s, known, val, w, &fixed);
	if (r == REACH_YES && rng)
		*w |= xorshift(rng) & ~fixed;
	return r;
}

/* ---- the real tables ---- */

#define TRIES 256

/* Decode table-space word @tw as the dispatcher would receive it. */
static int decode_as(enum pv_dec_table_id id, uint32_t tw, uint32_t *rng,
		     struct pv_insn *in)
{
	switch (id) {
	case PV_DEC_A32_COND: /* any condition but 1111 */
		return pv_decode_arm((xorshift(rng) % 15u) << 28 | tw, in);
	case PV_DEC_A32_UNCOND:
		return pv_decode_arm(tw, in);
	case PV_DEC_T16: /* the second halfword must not matter */
		return pv_decode_thumb((uint16_t)tw, (uint16_t)xorshift(rng), in);
	default:
		return pv_decode_thumb((uint16_t)(tw >> 16), (uint16_t)tw, in);
	}
}

START_TEST(every_row_reachable)
{
	const struct space *sp = &spaces[_i];
	size_t n;
	const struct pv_dec_pattern *tab = pv_dec_table_rows(sp->id, &n);
	unsigned hits_min = TRIES;

	ck_assert_ptr_nonnull(tab);
	ck_assert_uint_gt(n, 0);
	for (size_t j = 0; j < n; j++) {
		uint32_t rng = 0x9e3779b9u ^ (uint32_t)(j * 7919u + _i), w;
		unsigned hits = 0;
		long cover;
		enum reach r = reach_row(tab, j, sp, NULL, &w, &cover);

		ck_assert_msg(r != REACH_BUDGET, "%s row %zu: search budget",
			      sp->name, j);
		ck_assert_msg(r == REACH_YES || cover < 0,
			      "%s row %zu {%08x, %08x} is unreachable: row %ld "
			      "covers it", sp->name, j, tab[j].mask, tab[j].value,
			      cover);
		ck_assert_msg(r == REACH_YES,
			      "%s row %zu {%08x, %08x} is unreachable: earlier "
			      "rows cover it together", sp->name, j, tab[j].mask,
			      tab[j].value);
		for (unsigned t = 0; t < TRIES; t++) {
			struct pv_insn in;

			ck_assert_int_eq(reach_row(tab, j, sp, &rng, &w, &cover),
					 REACH_YES);
			ck_assert_msg(pv_dec_match(tab, n, w) == j,
				      "%s row %zu: witness %08x walks to row %zu",
				      sp->name, j, w, pv_dec_match(tab, n, w));
			(void)decode_as(sp->id, w, &rng, &in);
			/* The dispatcher sent it to this table. */
			ck_assert_uint_eq(in.len, sp->id == PV_DEC_T16 ? 2 : 4);
			ck_assert_uint_eq(in.isa, sp->id <= PV_DEC_A32_UNCOND ?
					  PV_ISA_ARM : PV_ISA_THUMB);
			hits += in.cls == tab[j].cls;
		}
		ck_assert_msg(hits > 0,
			      "%s row %zu {%08x, %08x}: %u witnesses, none decodes "
			      "as %s", sp->name, j, tab[j].mask, tab[j].value, TRIES,
			      pv_insn_class_name((enum pv_insn_class)tab[j].cls));
		if (hits < hits_min)
			hits_min = hits;
	}
	printf("%s: %zu rows, all reachable; each decodes to its class in "
	       ">= %u of %u witnesses\n", sp->name, n, hits_min, TRIES);
}
END_TEST

START_TEST(accessor_bounds)
{
	size_t n = 1;

	ck_assert_ptr_null(pv_dec_table_rows(PV_DEC_NTABLES, &n));
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* ---- the search must be able to say no ---- */

static const struct space tiny = { "tiny", PV_DEC_T16, 0xffu, NULL, 0 };

/* Expect exactly the rows in @dead (a bit set) to be unreachable. */
static void expect_dead(const struct pv_dec_pattern *tab, size_t n,
			const struct space *sp, uint64_t dead)
{
	for (size_t j = 0; j < n; j++) {
		uint32_t w, rng = 1;
		long cover;
		enum reach r = reach_row(tab, j, sp, NULL, &w, &cover);

		ck_assert_int_ne(r, REACH_BUDGET);
		ck_assert_msg((r == REACH_NO) == !!(dead >> j & 1),
			      "row %zu: %s", j, r == REACH_NO ? "dead" : "live");
		if (r == REACH_YES) {
			ck_assert_uint_eq(pv_dec_match(tab, n, w), j);
			ck_assert_int_eq(reach_row(tab, j, sp, &rng, &w, &cover),
					 REACH_YES);
			ck_assert_uint_eq(pv_dec_match(tab, n, w), j);
			ck_assert_uint_eq(w & ~sp->domain, 0);
		}
	}
}

START_TEST(shadowed_rows_are_reported)
{
	/* Row 1 lies inside row 0. */
	static const struct pv_dec_pattern whole[] = {
		{ 0xf0, 0x10, PV_IC_NONE, NULL },
		{ 0xff, 0x12, PV_IC_SVC, NULL },
	};
	/* Rows 0 and 1 split row 2 between them; neither covers it alone. */
	static const struct pv_dec_pattern split[] = {
		{ 0x03, 0x01, PV_IC_NONE, NULL },
		{ 0x03, 0x03, PV_IC_NONE, NULL },
		{ 0x01, 0x01, PV_IC_SVC, NULL },
	};
	/* Almost split: 0x07 escapes row 1, so row 2 lives. */
	static const struct pv_dec_pattern almost[] = {
		{ 0x03, 0x01, PV_IC_NONE, NULL },
		{ 0x06, 0x02, PV_IC_NONE, NULL },
		{ 0x01, 0x01, PV_IC_SVC, NULL },
	};
	/*
	 * Only the catch-all row 5 is dead, and no row covers it alone: a
	 * word escaping rows 0-4 needs bit 0 set (row 0), then bits 1, 2
	 * and 3 clear (rows 2-4), which row 1 matches.
	 */
	static const struct pv_dec_pattern deep[] = {
		{ 0x01, 0x00, PV_IC_NONE, NULL },
		{ 0x0e, 0x00, PV_IC_NONE, NULL },
		{ 0x03, 0x03, PV_IC_NONE, NULL },
		{ 0x05, 0x05, PV_IC_NONE, NULL },
		{ 0x09, 0x09, PV_IC_NONE, NULL },
		{ 0x00, 0x00, PV_IC_SVC, NULL },
	};
	/* A value bit outside the mask never matches. */
	static const struct pv_dec_pattern bad[] = {
		{ 0x0f, 0x11, PV_IC_SVC, NULL },
	};
	long cover;
	uint32_t w;

	expect_dead(whole, 2, &tiny, 1u << 1);
	ck_assert_int_eq(reach_row(whole, 1, &tiny, NULL, &w, &cover), REACH_NO);
	ck_assert_int_eq(cover, 0);
	expect_dead(split, 3, &tiny, 1u << 2);
	ck_assert_int_eq(reach_row(split, 2, &tiny, NULL, &w, &cover), REACH_NO);
	ck_assert_int_eq(cover, -1);
	expect_dead(almost, 3, &tiny, 0);
	expect_dead(deep, 6, &tiny, 1u << 5);
	expect_dead(bad, 1, &tiny, 1u << 0);
}
END_TEST

/* The search's answer for a T16-space row, by trying all 2^16 words. */
static bool reach_exhaustive16(const struct pv_dec_pattern *tab, size_t n,
			       size_t j)
{
	for (uint32_t h = 0; h < 0x10000; h++)
		if ((h >> 11) < 0x1du && pv_dec_match(tab, n, h) == j)
			return true;
	return false;
}

/* A broad row slipped in front of the real T16 table is caught. */
START_TEST(shadowing_in_a_real_table_is_caught)
{
	struct pv_dec_pattern t[64];
	size_t n, dead = 0;
	const struct pv_dec_pattern *tab = pv_dec_table_rows(PV_DEC_T16, &n);

	ck_assert_uint_lt(n, 64);
	t[0] = (struct pv_dec_pattern){ 0xf000, 0xb000, PV_IC_NONE, NULL };
	for (size_t j = 0; j < n; j++)
		t[j + 1] = tab[j];
	for (size_t j = 1; j <= n; j++) {
		uint32_t w;
		long cover;
		bool in_b = (tab[j - 1].mask & 0xf000) == 0xf000 &&
			    (tab[j - 1].value & 0xf000) == 0xb000;
		enum reach r = reach_row(t, j, &spaces[PV_DEC_T16], NULL, &w,
					 &cover);

		/* Exactly the rows inside 1011 xxxx xxxx xxxx die. */
		ck_assert_msg((r == REACH_NO) == in_b, "T16 row %zu", j - 1);
		ck_assert_int_eq(r == REACH_YES, reach_exhaustive16(t, n + 1, j));
		ck_assert_int_eq(reach_exhaustive16(tab, n, j - 1), 1);
		dead += r == REACH_NO;
	}
	ck_assert_uint_eq(dead, 7); /* CPS, 4 hints, BKPT, PUSH/POP */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("decode_tables");
	TCase *tc = tcase_create("decode_tables");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, every_row_reachable, 0, PV_DEC_NTABLES);
	tcase_add_test(tc, accessor_bounds);
	tcase_add_test(tc, shadowed_rows_are_reported);
	tcase_add_test(tc, shadowing_in_a_real_table_is_caught);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
