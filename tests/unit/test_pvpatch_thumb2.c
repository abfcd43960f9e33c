/* SPDX-License-Identifier: MIT */
/*
 * Suite 'patch' (third file): Thumb-2 kernels (issue 15, deliverable 4),
 * each cause found on a real CONFIG_THUMB2_KERNEL build reproduced in one
 * synthetic Image + System.map (no ISA information, as with a zImage):
 *
 * - the ISA is detected from the function prologues;
 * - the A32 entry "adr r9, 1f + 1; bx r9" goes on in Thumb, and collection
 *   follows each instruction's own length through the switch;
 * - the vector table is B.W / LDR.W pc, and its stubs are Thumb;
 * - adr + ldrd reads a 64-bit constant whose halfwords look like pvpatch
 *   trap words (0xDE82);
 * - a TBH switch is as long as the cmp before it says, not as long as its
 *   smallest offset allows;
 * - "adr rX, table; ldr.w pc, [rX, rM, lsl #2]": the table is data, and
 *   each case a path;
 * - "bx pc" goes on in A32;
 * - a table of code pointers in text (sys_call_table) is data;
 * - __jump_table entries whose code is nop.w make their targets paths;
 * - SMP_ON_UP found by shape ends where .ARM.exidx begins.
 *
 * The real kernel is the system test tests/system/test_linux_thumb2.py.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <pvcore/decode.h>
#include <pvcore/patch.h>

#include "pvpatch.h"

#define BASE 0xC0008000u
#define SIZE 0x4000u
#define VEC 0x800u   /* the vector table's Image offset */
#define STUBS 0x820u /* the stubs page's (0xffff1000 at run time) */

#define T_PUSH_R4_LR 0xB510u
#define T_POP_R4_PC 0xBD10u
#define T_NOP 0xBF00u
#define T_BX_LR 0x4770u
#define T_CPSID_I 0xB672u
#define T_CPSIE_I 0xB662u
#define T_WFI 0xBF30u

static uint8_t im[SIZE];
static char map[16384];
static size_t maplen;

static void put16(uint32_t off, uint16_t h)
{
	im[off] = (uint8_t)h;
	im[off + 1] = (uint8_t)(h >> 8);
}

/* A T32 instruction: hw1 first in memory. */
static void put_t32(uint32_t off, uint32_t hw1_hw2)
{
	put16(off, (uint16_t)(hw1_hw2 >> 16));
	put16(off + 2, (uint16_t)hw1_hw2);
}

static void put32(uint32_t off, uint32_t w)
{
	put16(off, (uint16_t)w);
	put16(off + 2, (uint16_t)(w >> 16));
}

/* B.W (T4) from @from to @to, both addresses in one space. */
static uint32_t t_bw(uint32_t from, uint32_t to)
{
	uint32_t off = to - (from + 4), s = off >> 31, imm = off >> 1 & 0xFFFFFF;
	uint32_t j1 = !((imm >> 23 & 1) ^ s), j2 = !((imm >> 22 & 1) ^ s);

	return (0xF000u | s << 10 | (imm >> 11 & 0x3FF)) << 16 |
	       (0x9000u | j1 << 13 | j2 << 11 | (imm & 0x7FF));
}

/* T16 adr rD from the instruction at @from to @to. */
static uint16_t t_adr(unsigned rd, uint32_t from, uint32_t to)
{
	uint32_t d = to - ((from + 4) & ~3u);

	ck_assert_uint_eq(d & 3, 0);
	ck_assert_uint_lt(d / 4, 256);
	return (uint16_t)(0xA000u | rd << 8 | d / 4);
}

static void sym(uint32_t off, char type, const char *name)
{
	maplen += (size_t)snprintf(map + maplen, sizeof(map) - maplen, "%08x %c %s\n",
				   BASE + off, type, name);
}

static const struct pvp_site *site_at(const struct pvp_result *r, uint32_t va)
{
	for (size_t i = 0; i < r->nsites; i++)
		if (r->sites[i].va == va)
			return &r->sites[i];
	return NULL;
}

static bool unsure_at(const struct pvp_result *r, uint32_t va)
{
	for (size_t i = 0; i < r->nunsure; i++)
		if (r->unsure[i].va == va)
			return true;
	return false;
}

/* A small Thumb function at @off, named @prefix@i: push {r4, lr}; nop;
 * pop {r4, pc}; nop. */
static void thumb_fn(uint32_t off, const char *prefix, uint32_t i)
{
	char n[24];

	snprintf(n, sizeof(n), "%s%u", prefix, i);
	sym(off, 't', n);
	put16(off, T_PUSH_R4_LR);
	put16(off + 2, T_NOP);
	put16(off + 4, T_POP_R4_PC);
	put16(off + 6, T_NOP);
}

/* Offsets of what the checks look at. */
static uint32_t o_mrs, o_msr, o_cpsie, o_stub_mrs, o_stub_subs, o_pool, o_case0, o_case1,
	o_decoy, o_pcase, o_arm_cpsid, o_table, o_jl_target;

/* The fixture. */
static void build(void)
{
	uint32_t o;

	memset(im, 0, sizeof(im));
	maplen = 0;
	/* stext: A32 "add r9, pc, #1; bx r9", then Thumb. */
	sym(0, 'T', "_text");
	sym(0, 'T', "stext");
	put32(0x000, 0xE28F9001u);
	put32(0x004, 0xE12FFF19u);
	o_mrs = 0x008;
	put_t32(0x008, 0xF3EF8900u);         /* mrs r9, CPSR */
	put_t32(0x00c, 0xF0890900u | 0x1A);  /* eor.w r9, r9, #26 */
	put16(0x010, 0xD100);                /* bne.n +4 (to 0x016) */
	put_t32(0x012, 0xF4497980u);         /* orr.w r9, r9, #256 */
	o_msr = 0x016;
	put_t32(0x016, 0xF3898100u);         /* msr CPSR_c, r9 */
	put16(0x01a, T_NOP);
	o_cpsie = 0x01c;                     /* 2 past a word: a fixed step */
	put16(0x01c, T_CPSIE_I);             /* of 4 would skip it */
	put16(0x01e, T_BX_LR);

	/* Twenty Thumb functions: the prologues tell the ISA. */
	for (uint32_t i = 0; i < 20; i++)
		thumb_fn(0x100 + 8 * i, "fill", i);

	/* adr r7, K; ldrd r6, r7, [r7]; bx lr; K: a 64-bit constant. */
	o = 0x200;
	sym(o, 't', "t_consts");
	o_pool = 0x208;
	put16(o, t_adr(7, o, o_pool));
	put_t32(o + 2, 0xE9D76700u);         /* ldrd r6, r7, [r7] */
	put16(o + 6, T_BX_LR);
	put32(o_pool, 0xD7B634DBu);          /* NSEC_PER_SEC's reciprocal: */
	put32(o_pool + 4, 0x431BDE82u);      /* 0xDE82 is a trap marker */

	/* cmp r0, #1; bhi.n out; tbh [pc, r0, lsl #1]; two cases. The
	 * halfword after the table would, read as a third entry, lead to a
	 * cpsid that nothing reaches. */
	o = 0x240;
	sym(o, 't', "t_switch");
	put16(o, 0x2801);                    /* cmp r0, #1 */
	put16(o + 2, 0xD80B);                /* bhi.n +22 (to 0x25c) */
	put_t32(o + 4, 0xE8DFF010u);         /* tbh [pc, r0, lsl #1] */
	o_case0 = 0x250;
	o_case1 = 0x254;
	put16(o + 8, (uint16_t)((o_case0 - (o + 8)) / 2));
	put16(o + 10, (uint16_t)((o_case1 - (o + 8)) / 2));
	o_decoy = 0x258;
	put16(o + 12, (uint16_t)((o_decoy - (o + 8)) / 2)); /* not an entry */
	put16(o + 14, T_NOP);
	put16(o_case0, T_WFI);
	put16(o_case0 + 2, T_BX_LR);
	put16(o_case1, T_CPSIE_I);
	put16(o_case1 + 2, T_BX_LR);
	put16(o_decoy, T_CPSID_I);           /* reached by nothing */
	put16(o_decoy + 2, T_BX_LR);
	put16(0x25c, T_BX_LR);               /* out */

	/* adr r2, T; ldr.w pc, [r2, r3, lsl #2]; T: two case addresses. */
	o = 0x280;
	sym(o, 't', "t_ptrswitch");
	o_table = 0x288;
	put16(o, t_adr(2, o, o_table));
	put_t32(o + 2, 0xF852F023u);         /* ldr.w pc, [r2, r3, lsl #2] */
	put16(o + 6, T_NOP);
	o_pcase = 0x290;
	put32(o_table, BASE + o_pcase + 1);
	put32(o_table + 4, BASE + 0x25c + 1);
	put16(o_pcase, T_CPSID_I);
	put16(o_pcase + 2, T_BX_LR);

	/* bx pc; nop; then A32: cpsid i; bx lr. */
	o = 0x2a0;
	sym(o, 't', "t_bxpc");
	put16(o, 0x4778);
	put16(o + 2, T_NOP);
	o_arm_cpsid = o + 4;
	put32(o + 4, 0xF10C0080u);
	put32(o + 8, 0xE12FFF1Eu);

	/* sys_call_table: code pointers whose halfwords decode as a trap
	 * marker (0xDE81) and as cpsid i. */
	o = 0x2c0;
	sym(o, 't', "sys_call_table");
	put32(o, BASE + 0x5E81);             /* 0xC000DE81 */
	put32(o + 4, BASE + 0x100 + 1);
	put32(o + 8, 0xC000B673u);

	/* Jump labels: four functions whose nop.w a static key turns into a
	 * branch to a block nothing else reaches. */
	for (uint32_t i = 0; i < 4; i++) {
		char n[16];

		o = 0x300 + 16 * i;
		snprintf(n, sizeof(n), "t_jl%u", i);
		sym(o, 't', n);
		put16(o, T_PUSH_R4_LR);
		put_t32(o + 2, 0xF3AF8000u);      /* nop.w */
		put16(o + 6, T_POP_R4_PC);
		put16(o + 8, T_CPSID_I);          /* the key's target */
		put16(o + 10, T_POP_R4_PC);
		put32(0x900 + 12 * i, BASE + o + 2);
		put32(0x900 + 12 * i + 4, BASE + o + 8);
		put32(0x900 + 12 * i + 8, BASE + 0x1000);
	}
	o_jl_target = 0x308;
	sym(0x380, 'T', "_etext");
	/* (t_smp, below, sits at 0x370.) */

	/* Thumb vectors: B.W to the stubs, LDR.W pc at word 2. */
	sym(VEC, 'A', "__vectors_start");
	sym(STUBS, 'A', "__stubs_start");
	sym(STUBS + 0x80, 'A', "__stubs_end");
	for (uint32_t i = 0; i < 8; i++) {
		uint32_t va = 0xFFFF0000u + 4 * i;

		if (i == 2)
			put_t32(VEC + 8, 0xF8DFF000u | (0xFFFF1000u - (va + 4)));
		else
			put_t32(VEC + 4 * i, t_bw(va, 0xFFFF1020u));
	}
	put32(STUBS, BASE + 0x100 + 1);       /* vector_swi's address */
	o_stub_mrs = STUBS + 0x20;
	put_t32(o_stub_mrs, 0xF3FF8E00u);     /* mrs lr, SPSR */
	o_stub_subs = o_stub_mrs + 4;
	put_t32(o_stub_subs, 0xF3DE8F04u);    /* subs pc, lr, #4 */

	/* SMP_ON_UP, found by shape (no __smpalt symbols): twelve entries
	 * for a dmb ish, whose replacements are nop.w, a T16 bx lr padded
	 * with a nop, and a flags word of the proc_info tables; then
	 * .ARM.exidx-like {prel31, unwind word} pairs, which must not be
	 * taken for more entries. */
	o = 0x370;
	sym(o, 't', "t_smp");
	put_t32(o, 0xF3BF8F5Bu);             /* dmb ish */
	put16(o + 4, T_BX_LR);
	for (uint32_t i = 0; i < 12; i++) {
		uint32_t e = 0xA00 + 8 * i;

		put32(e, o - e);
		put32(e + 4, i == 5 ? 0xBF004770u : i == 7 ? 0xD0091010u : 0x8000F3AFu);
	}
	sym(0xB00, 'D', "some_data");
	for (uint32_t i = 0; i < 12; i++) {
		uint32_t e = 0xA60 + 8 * i, f = 0xC00 + 8 * i; /* init text */

		thumb_fn(f, "t_init", i);
		put32(e, f - e);                  /* prel31, forward */
		put32(e + 4, i % 3 == 2 ? 1 : 0x80B0B0B0u);
	}
	sym(0xC60, 'D', "more_data");
}

static void analyse(struct pvp_image *img, struct pvp_result *r)
{
	struct pvp_err e = { "" };

	ck_assert_msg(pvp_load(im, SIZE, PVP_FMT_IMAGE, map, maplen, img, &e) == 0, "%s",
		      e.msg);
	ck_assert_msg(pvp_analyze(img, r, &e) == 0, "%s", e.msg);
	for (size_t i = 0; i < r->nunsure; i++)
		fprintf(stderr, "unsure 0x%08x 0x%08x %s: %s\n", r->unsure[i].va,
			r->unsure[i].word, r->unsure[i].sym, r->unsure[i].why);
}

/* Every test starts from the fixture, analysed; teardown frees it. */
static struct pvp_image img;
static struct pvp_result r;

static void setup(void)
{
	build();
	analyse(&img, &r);
}

static void teardown(void)
{
	pvp_result_free(&r);
	pvp_image_free(&img);
}

/* A Thumb site of class @cls at Image offset @off. */
static void want_site(const struct pvp_result *r, uint32_t off, enum pv_insn_class cls,
		      bool thumb)
{
	const struct pvp_site *s = site_at(r, BASE + off);

	ck_assert_msg(s, "no site at +0x%x", off);
	ck_assert_msg(s->cls == cls, "+0x%x: class %s, want %s", off,
		      pv_insn_class_name(s->cls), pv_insn_class_name(cls));
	ck_assert_msg(!!(s->flags & PV_SITE_THUMB) == thumb, "+0x%x: wrong ISA", off);
}

START_TEST(isa_detected_from_prologues)
{
	ck_assert_int_eq(img.thumb_default, 1);
	ck_assert_uint_ge(img.prologues_t32, 16);
}
END_TEST

START_TEST(a32_entry_goes_on_in_thumb)
{
	want_site(&r, o_mrs, PV_IC_MRS, true);
	want_site(&r, o_msr, PV_IC_MSR, true);
	want_site(&r, o_cpsie, PV_IC_CPS, true);
}
END_TEST

START_TEST(thumb_vectors_and_stubs)
{
	ck_assert_uint_eq(r.vectors_off, VEC);
	ck_assert_uint_eq(r.stubs_off, STUBS);
	want_site(&r, o_stub_mrs, PV_IC_MRS, true);
	want_site(&r, o_stub_subs, PV_IC_DP_ERET, true);
	/* ... and at their run-time addresses. */
	ck_assert_ptr_nonnull(site_at(&r, 0xFFFF1020u));
	ck_assert_ptr_nonnull(site_at(&r, 0xFFFF1024u));
}
END_TEST

/* (The fixture analysed without "already patched" at 0xDE82.) */
START_TEST(adr_ldrd_constant_is_data)
{
	ck_assert_ptr_null(site_at(&r, BASE + o_pool + 4));
	ck_assert(!unsure_at(&r, BASE + o_pool + 4));
}
END_TEST

START_TEST(tbh_table_bounded_by_cmp)
{
	want_site(&r, o_case0, PV_IC_WFI, true);
	want_site(&r, o_case1, PV_IC_CPS, true);
	ck_assert_ptr_null(site_at(&r, BASE + o_decoy));
	ck_assert(unsure_at(&r, BASE + o_decoy));
}
END_TEST

START_TEST(adr_ldr_pc_table)
{
	want_site(&r, o_pcase, PV_IC_CPS, true);
	/* The table's halfwords are not decoded. */
	ck_assert_ptr_null(site_at(&r, BASE + o_table));
	ck_assert_ptr_null(site_at(&r, BASE + o_table + 2));
}
END_TEST

START_TEST(bx_pc_goes_on_in_a32)
{
	want_site(&r, o_arm_cpsid, PV_IC_CPS, false);
}
END_TEST

/* (The fixture analysed without "already patched" at 0xDE81.) */
START_TEST(pointer_table_in_text_is_data)
{
	ck_assert_uint_ge(r.ndatalabels, 1);
	for (uint32_t o = 0x2c0; o < 0x2cc; o += 2)
		ck_assert_msg(!site_at(&r, BASE + o) && !unsure_at(&r, BASE + o), "+0x%x", o);
}
END_TEST

START_TEST(thumb_jump_labels)
{
	ck_assert_uint_eq(r.njump, 4);
	for (uint32_t i = 0; i < 4; i++)
		want_site(&r, o_jl_target + 16 * i, PV_IC_CPS, true);
	/* Only the decoy is left over. */
	ck_assert_uint_eq(r.nunsure, 1);
}
END_TEST

START_TEST(smpalt_by_shape_not_exidx)
{
	ck_assert_int_eq(r.smpalt_checked, 1);
	ck_assert_uint_eq(r.smpalt_entries, 12);
	/* The same with EXIDX_CANTUNWIND first. */
	teardown();
	put32(0xA60 + 4, 1);
	analyse(&img, &r);
	ck_assert_uint_eq(r.smpalt_entries, 12);
}
END_TEST

static Suite *thumb2_suite(void)
{
	Suite *s = suite_create("patch-thumb2");
	TCase *tc = tcase_create("pvpatch-thumb2");

	tcase_add_checked_fixture(tc, setup, teardown);

	tcase_add_test(tc, isa_detected_from_prologues);
	tcase_add_test(tc, a32_entry_goes_on_in_thumb);
	tcase_add_test(tc, thumb_vectors_and_stubs);
	tcase_add_test(tc, adr_ldrd_constant_is_data);
	tcase_add_test(tc, tbh_table_bounded_by_cmp);
	tcase_add_test(tc, adr_ldr_pc_table);
	tcase_add_test(tc, bx_pc_goes_on_in_a32);
	tcase_add_test(tc, pointer_table_in_text_is_data);
	tcase_add_test(tc, thumb_jump_labels);
	tcase_add_test(tc, smpalt_by_shape_not_exidx);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(thumb2_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
