/* SPDX-License-Identifier: MIT */
/*
 * Suite 'patch': which TPIDRURO writes pvp_stubs_build() turns into stubs
 * (pvcore/pvpage.h, "TPIDRURO"). A write may reach the host register late
 * only where nothing reads it before the return to user mode
 * (PV_STUB_MCR_TLS), or, for the SVC entry's write, where nothing reads it
 * between the SVC vector and the write (PV_STUB_MCR_TPIDRURO). Each case
 * is a small synthetic Image in the shape of Linux 6.1's entry code
 * (restore_user_regs, vector_swi); a write the scan cannot prove stays a
 * trap.
 *
 * Encodings (checked with arm-none-eabi-objdump) are next to their use.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <pvcore/fastpath.h>
#include <pvcore/patch.h>
#include <pvcore/pvpage.h>

#include "pvpatch.h"

#define BASE 0xC0008000u
#define SIZE 0x8000u
#define CODE 0x100u                /* Image offset of the code under test */
#define VEC_OFF 0x4000u            /* the vector page's copy */
#define STUBS_OFF 0x5000u          /* the stubs page's copy */

#define MCR_TLS(rt)  (0xEE0D0F70u | (rt) << 12) /* mcr p15, 0, rt, c13, c0, 3 */
#define MRC_TLS(rt)  (0xEE1D0F70u | (rt) << 12) /* mrc p15, 0, rt, c13, c0, 3 */
#define MRC_PRW(rt)  (0xEE1D0F90u | (rt) << 12) /* mrc p15, 0, rt, c13, c0, 4 */
#define LDR_R1_R1    0xE5911054u /* ldr r1, [r1, #84] */
#define MOV_R1_55    0xE3A01055u /* mov r1, #85 */
#define MCR_DACR_R1  0xEE031F10u /* mcr p15, 0, r1, c3, c0, 0 */
#define MOV_R2_SP    0xE1A0200Du /* mov r2, sp */
#define TST_R1       0xE311008Fu /* tst r1, #143 */
#define MSR_SPSR_R1  0xE16FF001u /* msr SPSR_fsxc, r1 */
#define STREX        0xE1821F92u /* strex r1, r2, [r2] */
#define LDMDB_USER   0xE9527FFFu /* ldmdb r2, {r0-lr}^ */
#define MOVS_PC_LR   0xE1B0F00Eu /* movs pc, lr */
#define BUG_WORD     0xE7F001F2u /* BUG(): udf #18 */
#define NOP          0xE320F000u
#define BX_LR        0xE12FFF1Eu
#define LDR_PC       0xE59DF000u /* ldr pc, [sp] */
#define SVC0         0xEF000000u
#define BL_FWD       0xEB000010u /* bl .+0x48 */
#define STMIA_SP     0xE88D1FFFu /* stm sp, {r0-ip} */
#define STMDB_USER   0xE9486000u /* stmdb r8, {sp, lr}^ */
#define MRS_SPSR_R8  0xE14F8000u /* mrs r8, SPSR */
#define LDR_SL       0xE79AA00Cu /* ldr sl, [sl, ip] */

static uint8_t im[SIZE];
static struct pvp_image img;
static struct pvp_result res;
static struct pvp_stub_stats st;
static const struct pv_stub *stubs;
static uint32_t nstubs;

static void wr(uint32_t off, uint32_t w)
{
	memcpy(im + off, &w, 4);
}

static uint32_t b_to(uint32_t cond, uint32_t from_off, uint32_t to_off)
{
	return cond << 28 | 0x0A000000u | (((to_off - from_off - 8u) >> 2) & 0xFFFFFFu);
}

/* A fresh Image: NOPs everywhere, every word A32 code, no sites. */
static void reset(void)
{
	memset(&res, 0, sizeof(res));
	for (uint32_t off = 0; off < SIZE; off += 4)
		wr(off, NOP);
	res.arm_words = calloc(SIZE / 4, 1);
	res.sites = calloc(64, sizeof(*res.sites));
	ck_assert_ptr_nonnull(res.arm_words);
	ck_assert_ptr_nonnull(res.sites);
	memset(res.arm_words, 1, SIZE / 4);
}

/* A site pvp_apply() would have written: its trap word at @off. */
static void site(uint32_t off, uint32_t original, unsigned cls)
{
	struct pvp_site *s = &res.sites[res.nsites++];

	s->va = BASE + off;
	s->off = off;
	s->original = original;
	s->cls = (uint16_t)cls;
	if (pv_patch_self_encode(original, 0, &s->patched))
		s->patched = pv_patch_marker_a32(s->cls);
	res.per_class[cls]++;
	wr(off, s->patched);
}

/* Linux 6.1's restore_user_regs from @off: the TLS write at @off + 8. */
static uint32_t exit_path(uint32_t off)
{
	wr(off, MRC_TLS(1));
	wr(off + 4, LDR_R1_R1);
	wr(off + 8, MCR_TLS(1));
	wr(off + 12, MOV_R1_55);
	wr(off + 16, MCR_DACR_R1);
	wr(off + 20, MOV_R2_SP);
	wr(off + 24, TST_R1);
	wr(off + 28, b_to(0x1, off + 28, off + 56)); /* bne BUG */
	site(off + 32, MSR_SPSR_R1, PV_IC_MSR);
	wr(off + 36, STREX);
	site(off + 40, LDMDB_USER, PV_IC_LDM_USER);
	wr(off + 44, NOP);
	site(off + 48, MOVS_PC_LR, PV_IC_DP_ERET);
	wr(off + 56, BUG_WORD);
	return off + 8;
}

/* Build, and keep the stub table's entries. */
static void build(void)
{
	struct pvp_err e = { "" };
	struct pv_stub_file_hdr h;
	uint8_t *blob = NULL;
	size_t len = 0;

	img.base = BASE;
	img.size = SIZE;
	img.data = malloc(SIZE);
	ck_assert_ptr_nonnull(img.data);
	memcpy(img.data, im, SIZE);
	img.syms = NULL;
	img.nsyms = 0;
	ck_assert_int_eq(pvp_stubs_build(&img, &res, 1, BASE + SIZE, &blob, &len, &st, &e), 0);
	memcpy(&h, blob, sizeof(h));
	nstubs = h.count;
	stubs = (const struct pv_stub *)(blob + sizeof(h));
}

static void done(void)
{
	free((void *)((const uint8_t *)stubs - sizeof(struct pv_stub_file_hdr)));
	free(img.data);
	pvp_result_free(&res);
	memset(&img, 0, sizeof(img));
}

/* The kind of the stub at @off's site, or -1 when it stayed as it was. */
static int kind_at(uint32_t off)
{
	for (uint32_t i = 0; i < nstubs; i++)
		if (stubs[i].site == BASE + off)
			return stubs[i].kind;
	return -1;
}

START_TEST(exit_write_deferred)
{
	uint32_t at;

	reset();
	at = exit_path(CODE);
	build();
	ck_assert_int_eq(kind_at(at), PV_STUB_MCR_TLS);
	ck_assert_uint_eq(st.per_kind[PV_STUB_MCR_TLS], 1);
	ck_assert_uint_eq(st.tls_unproved, 0);
	/* It stores Rt into the page and goes back: no register saved. */
	for (uint32_t i = 0; i < nstubs; i++)
		if (stubs[i].kind == PV_STUB_MCR_TLS) {
			ck_assert_uint_eq(stubs[i].words, 2);
			ck_assert_uint_eq(stubs[i].saved, PV_STUB_NO_REG);
		}
	done();
}
END_TEST

/*
 * What stops the proof after the write: a read of the register, a call,
 * a computed branch, an SVC, a load of the PC, a path too long, a read
 * behind a conditional branch, a read that Linux's SMP_ON_UP patching
 * would write there.
 */
static void plant(int which, uint32_t at)
{
	switch (which) {
	case 0: wr(at + 16, MRC_TLS(3)); break;      /* read before the return */
	case 1: wr(at + 16, BL_FWD); break;           /* a call */
	case 2: wr(at + 16, BX_LR); break;            /* a computed branch */
	case 3: wr(at + 16, SVC0); break;
	case 4: wr(at + 16, LDR_PC); break;
	case 5: wr(at + 48, MRC_TLS(0)); break;      /* on the BUG branch's side */
	case 6:                                       /* the return out of reach */
		res.nsites--;                          /* drop the return's site */
		res.per_class[PV_IC_DP_ERET]--;
		wr(at + 40, b_to(0xE, at + 40, at + 40 + 0x800));
		break;
	case 7:                                       /* SMP_ON_UP writes a read */
		wr(0x7000, (BASE + at + 16) - (BASE + 0x7000));
		wr(0x7004, MRC_TLS(2));
		res.alt[0][0] = 0x7000;
		res.alt[0][1] = 0x7008;
		res.nalt = 1;
		break;
	case 8: res.arm_words[(at + 16) / 4] = 0; break; /* not code */
	default: break;
	}
}

START_TEST(exit_write_unproved)
{
	uint32_t at;

	reset();
	at = exit_path(CODE);
	plant(_i, at);
	build();
	ck_assert_msg(kind_at(at) == -1, "case %d: stubbed as %d", _i, kind_at(at));
	ck_assert_uint_eq(st.tls_unproved, 1);
	ck_assert_uint_eq(st.per_kind[PV_STUB_MCR_TLS], 0);
	done();
}
END_TEST

/* A later write ends the obligation; a backward loop is followed. */
START_TEST(exit_write_paths)
{
	uint32_t at;

	reset();
	at = exit_path(CODE);
	wr(at + 16, MCR_TLS(4)); /* overwritten again: fine */
	wr(at + 20, MRC_TLS(5)); /* ... and read after that: fine */
	build();
	ck_assert_int_eq(kind_at(at), PV_STUB_MCR_TLS);
	done();

	/* An unconditional branch over a read lands on the return. */
	reset();
	at = exit_path(CODE);
	wr(at + 4, b_to(0xE, at + 4, at + 12));
	wr(at + 8, MRC_TLS(0));
	build();
	ck_assert_int_eq(kind_at(at), PV_STUB_MCR_TLS);
	done();

	/* A loop that never returns exhausts the budget: not proved. */
	reset();
	at = exit_path(CODE);
	wr(at + 12, b_to(0xE, at + 12, at + 4));
	build();
	ck_assert_int_eq(kind_at(at), -1);
	done();
}
END_TEST

/*
 * The SVC entry: the high vectors' "ldr pc, [pc, #0xff0]" reads the stubs
 * page's first word, vector_swi's address. Linux 6.1 saves the registers,
 * reads TPIDRPRW for the per-CPU __entry_task and writes TPIDRURO.
 */
static uint32_t entry_path(uint32_t off)
{
	wr(VEC_OFF + 8, 0xE59FFFF0u);                  /* ldr pc, [pc, #0xff0] */
	wr(STUBS_OFF, BASE + off);
	res.vectors_off = VEC_OFF;
	res.stubs_off = STUBS_OFF;
	wr(off, STMIA_SP);
	site(off + 4, STMDB_USER, PV_IC_STM_USER);
	site(off + 8, MRS_SPSR_R8, PV_IC_MRS);
	wr(off + 12, MRC_PRW(10));
	wr(off + 16, LDR_SL);
	wr(off + 20, MCR_TLS(10));
	wr(off + 24, MRC_TLS(9)); /* get_thread_info: after the write */
	wr(off + 28, BX_LR);
	return off + 20;
}

START_TEST(entry_write_compared)
{
	uint32_t at;

	reset();
	at = entry_path(0x1000);
	build();
	ck_assert_uint_eq(res.tls_entry, BASE + at);
	ck_assert_int_eq(kind_at(at), PV_STUB_MCR_TPIDRURO);
	for (uint32_t i = 0; i < nstubs; i++)
		if (stubs[i].kind == PV_STUB_MCR_TPIDRURO)
			ck_assert_uint_eq(stubs[i].saved, 0); /* Rt is r10 */
	done();
}
END_TEST

/* Anything but straight-line code without a read before the write. */
START_TEST(entry_write_unproved)
{
	uint32_t at;

	reset();
	at = entry_path(0x1000);
	switch (_i) {
	case 0: wr(at - 8, MRC_TLS(3)); break;            /* a read first */
	case 1: wr(at - 8, b_to(0x0, at - 8, at + 8)); break; /* a branch */
	case 2: wr(VEC_OFF + 8, 0xEA000000u); break;       /* b, not ldr pc */
	case 3: wr(STUBS_OFF, BASE + 0x1002u); break;      /* a Thumb target */
	case 4: wr(at, MCR_TLS(10) & 0x0FFFFFFFu); break;   /* conditional (EQ) */
	case 5: res.stubs_off = 0; res.vectors_off = 0; break; /* no vectors */
	default: break;
	}
	build();
	ck_assert_msg(res.tls_entry == 0, "case %d: entry %08x", _i, res.tls_entry);
	ck_assert_uint_eq(st.per_kind[PV_STUB_MCR_TPIDRURO], 0);
	done();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("pvpatch-tls");
	TCase *tc = tcase_create("tls");

	tcase_add_test(tc, exit_write_deferred);
	tcase_add_loop_test(tc, exit_write_unproved, 0, 9);
	tcase_add_test(tc, exit_write_paths);
	tcase_add_test(tc, entry_write_compared);
	tcase_add_loop_test(tc, entry_write_unproved, 0, 6);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
