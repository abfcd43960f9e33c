/* SPDX-License-Identifier: MIT */
/*
 * The guest walk, case by case, against expectations written from the Arm
 * ARM (DDI 0406C, B3.5-B3.8, B3.12, B4.1.52/B4.1.96 for the FSR, B4.1.112
 * for the PAR): descriptor formats, the TTBCR.N split, domains, AP/APX
 * with and without AFE, XN, TEX remap, the fault status encodings and
 * their priorities. The QEMU oracle (tests/oracle) checks the same walk
 * on random tables.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "fake_backend.h"

#define L1 (FAKE_RAM_BASE + 0x0000u)
#define L1HI (FAKE_RAM_BASE + 0x4000u)
#define L2 (FAKE_RAM_BASE + 0x8000u)
#define DATA (FAKE_RAM_BASE + 0x100000u)

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;
static struct pv_vcpu *v;

static void setup(void)
{
	ck_assert_int_eq(fake_backend_setup(&fb, &cfg), 0);
	vm = calloc(1, sizeof(*vm));
	ck_assert_ptr_nonnull(vm);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	v = &vm->vcpu[0];
	v->cp15.sctlr = 1;
	v->cp15.ttbr0 = L1;
	v->cp15.ttbr1 = L1HI;
	v->cp15.dacr = 0x55555555u;
	v->cpsr = PV_MODE_SVC;
}

static void teardown(void)
{
	free(vm);
	fake_backend_teardown(&fb);
}

static uint32_t *g(uint32_t gpa)
{
	return fake_backend_ram(&fb, gpa);
}

/* Section descriptor: base, AP[2:0], domain. */
static uint32_t sect(uint32_t base, unsigned ap, unsigned dom)
{
	return base | (ap >> 2) << 15 | (ap & 3) << 10 | dom << 5 | 2;
}

static uint32_t small(uint32_t base, unsigned ap)
{
	return base | (ap >> 2) << 9 | (ap & 3) << 4 | 2;
}

static int tr(uint32_t va, unsigned acc, struct pv_walk *w, struct pv_fault *f)
{
	memset(f, 0xee, sizeof(*f));
	return pv_mmu_translate(v, pv_gva(va), acc, w, f);
}

START_TEST(mmu_off_is_flat_and_unchecked)
{
	struct pv_walk w;
	struct pv_fault f;

	v->cp15.sctlr = 0;
	v->cpsr = PV_MODE_USR;
	ck_assert_int_eq(tr(0x87654321, PV_ACC_WRITE, &w, &f), 0);
	ck_assert_uint_eq(pv_gpa_val(w.pa), 0x87654321);
	ck_assert_int_eq(w.memtype, PV_MT_STRONGLY_ORDERED);
}
END_TEST

/*
 * AP[2:0] with AFE = 0 (B3.7.1, table B3-8): PL1 read, PL1 write, PL0
 * read, PL0 write.
 */
static const bool ap_table[8][4] = {
	{ 0, 0, 0, 0 }, { 1, 1, 0, 0 }, { 1, 1, 1, 0 }, { 1, 1, 1, 1 },
	{ 0, 0, 0, 0 }, { 1, 0, 0, 0 }, { 1, 0, 1, 0 }, { 1, 0, 1, 0 },
};

START_TEST(section_ap_both_privileges)
{
	struct pv_walk w;
	struct pv_fault f;
	unsigned ap = (unsigned)_i;

	g(L1)[0x400] = sect(DATA, ap, 3);
	for (unsigned user = 0; user < 2; user++) {
		for (unsigned wr = 0; wr < 2; wr++) {
			bool ok = ap_table[ap][2 * user + wr];
			unsigned acc = (wr ? PV_ACC_WRITE : 0) | (user ? PV_ACC_USER : 0);
			int err = tr(0x40012344, acc, &w, &f);

			ck_assert_int_eq(err, ok ? 0 : PV_EFAULT);
			if (ok) {
				ck_assert_uint_eq(pv_gpa_val(w.pa), DATA + 0x12344);
				ck_assert_uint_eq(w.page_size, 0x100000);
				ck_assert_uint_eq(w.domain, 3);
			} else {
				/* Permission fault, section: FS 01101, domain 3. */
				ck_assert_uint_eq(f.fsr, 0x0d | 3u << 4 | (wr ? 1u << 11 : 0));
				ck_assert_uint_eq(f.far, 0x40012344);
				ck_assert(!f.is_prefetch);
			}
		}
	}
}
END_TEST

START_TEST(page_ap_and_xn_prefetch)
{
	struct pv_walk w;
	struct pv_fault f;

	g(L1)[0x001] = L2 | 5u << 5 | 1;
	g(L2)[0x23] = small(DATA + 0x5000, 3) | 1; /* XN */
	ck_assert_int_eq(tr(0x00123abc, PV_ACC_READ, &w, &f), 0);
	ck_assert_uint_eq(pv_gpa_val(w.pa), DATA + 0x5abc);
	ck_assert_uint_eq(w.page_size, 0x1000);
	ck_assert_int_eq(tr(0x00123abc, PV_ACC_EXEC, &w, &f), PV_EFAULT);
	/* Permission fault, page: FS 01111, in the IFSR (no WnR). */
	ck_assert_uint_eq(f.fsr, 0x0f | 5u << 4);
	ck_assert(f.is_prefetch);
}
END_TEST

/* SCTLR.EE = 1: the walk reads its descriptors big-endian. */
START_TEST(big_endian_tables_under_sctlr_ee)
{
	struct pv_walk w;
	struct pv_fault f;

	g(L1)[0x001] = __builtin_bswap32(L2 | 5u << 5 | 1);
	g(L2)[0x23] = __builtin_bswap32(small(DATA + 0x5000, 3));
	g(L1)[0x002] = __builtin_bswap32(sect(DATA, 3, 0));
	v->cp15.sctlr |= PV_SCTLR_EE;
	ck_assert_int_eq(tr(0x00123abc, PV_ACC_READ, &w, &f), 0);
	ck_assert_uint_eq(pv_gpa_val(w.pa), DATA + 0x5abc);
	ck_assert_int_eq(tr(0x00234567, PV_ACC_WRITE, &w, &f), 0);
	ck_assert_uint_eq(pv_gpa_val(w.pa), DATA + 0x34567);
	/* The same words read little-endian are other descriptors: the
	 * section, byte-reversed, ends in 0x10: type 00, a fault. */
	v->cp15.sctlr &= ~PV_SCTLR_EE;
	ck_assert_int_eq(tr(0x00234567, PV_ACC_READ, &w, &f), PV_EFAULT);
	ck_assert_uint_eq(f.fsr & 0x40f, 0x5);
}
END_TEST

START_TEST(large_page_replicated_and_xn_bit15)
{
	struct pv_walk w;
	struct pv_fault f;
	uint32_t d = (DATA + 0x30000) | 1u << 15 | 3u << 4 | 1;

	g(L1)[0x002] = L2 | 1;
	for (unsigned i = 0; i < 16; i++)
		g(L2)[0x40 + i] = d;
	ck_assert_int_eq(tr(0x0024fff0, PV_ACC_WRITE, &w, &f), 0);
	ck_assert_uint_eq(pv_gpa_val(w.pa), DATA + 0x3fff0);
	ck_assert_uint_eq(w.page_size, 0x10000);
	ck_assert(w.xn);
	ck_assert_int_eq(tr(0x0024fff0, PV_ACC_EXEC, &w, &f), PV_EFAULT);
	ck_assert_uint_eq(f.fsr, 0x0f);
}
END_TEST

START_TEST(supersection_extended_address_domain0)
{
	struct pv_walk w;
	struct pv_fault f;
	/* PA[31:24]=0x12, PA[35:32]=0x3 (bits 23:20), PA[39:36]=0x5 (bits 8:5). */
	uint32_t d = 0x12000000u | 0x3u << 20 | 0x5u << 5 | 1u << 18 | 3u << 10 | 2;

	for (unsigned i = 0; i < 16; i++)
		g(L1)[0x120 + i] = d;
	v->cp15.dacr = 1; /* only domain 0 is client */
	ck_assert_int_eq(tr(0x12abcdef, PV_ACC_READ, &w, &f), 0);
	ck_assert_uint_eq(pv_gpa_val(w.pa), 0x5312abcdefull);
	ck_assert_uint_eq(w.page_size, 0x1000000);
	ck_assert_uint_eq(w.domain, 0);
}
END_TEST

START_TEST(translation_faults_and_reserved_type)
{
	struct pv_walk w;
	struct pv_fault f;

	g(L1)[0x003] = 0;
	ck_assert_int_eq(tr(0x00300000, PV_ACC_WRITE, &w, &f), PV_EFAULT);
	ck_assert_uint_eq(f.fsr, 0x05 | 1u << 11);
	g(L1)[0x003] = 3; /* reserved without PXN/LPAE */
	ck_assert_int_eq(tr(0x00300000, PV_ACC_READ, &w, &f), PV_EFAULT);
	ck_assert_uint_eq(f.fsr, 0x05);
	g(L1)[0x003] = L2 | 7u << 5 | 1;
	g(L2)[0] = 0;
	ck_assert_int_eq(tr(0x00300000, PV_ACC_READ, &w, &f), PV_EFAULT);
	ck_assert_uint_eq(f.fsr, 0x07 | 7u << 4); /* page, domain valid */
}
END_TEST

START_TEST(domain_faults_and_priority)
{
	struct pv_walk w;
	struct pv_fault f;

	v->cp15.dacr = 0x55555555u & ~(3u << 8); /* domain 4 no access */
	g(L1)[0x004] = sect(DATA, 3, 4);
	ck_assert_int_eq(tr(0x00400000, PV_ACC_READ, &w, &f), PV_EFAULT);
	ck_assert_uint_eq(f.fsr, 0x09 | 4u << 4);
	/* Page: the domain is checked after the L2 fetch... */
	g(L1)[0x004] = L2 | 4u << 5 | 1;
	g(L2)[0] = small(DATA, 3);
	ck_assert_int_eq(tr(0x00400000, PV_ACC_READ, &w, &f), PV_EFAULT);
	ck_assert_uint_eq(f.fsr, 0x0b | 4u << 4);
	/* ...so an invalid L2 entry is a translation fault first. */
	g(L2)[0] = 0;
	ck_assert_int_eq(tr(0x00400000, PV_ACC_READ, &w, &f), PV_EFAULT);
	ck_assert_uint_eq(f.fsr, 0x07 | 4u << 4);
	/* Reserved DACR value 10 behaves as no access. */
	v->cp15.dacr |= 2u << 8;
	g(L1)[0x004] = sect(DATA, 3, 4);
	ck_assert_int_eq(tr(0x00400000, PV_ACC_READ, &w, &f), PV_EFAULT);
	ck_assert_uint_eq(f.fsr, 0x09 | 4u << 4);
	/* Cache maintenance by MVA takes no domain fault. */
	ck_assert_int_eq(tr(0x00400000, PV_ACC_CMO, &w, &f), 0);
}
END_TEST

START_TEST(manager_ignores_ap_and_xn)
{
	struct pv_walk w;
	struct pv_fault f;

	v->cp15.dacr = 3u << 4; /* domain 2 manager */
	v->cpsr = PV_MODE_USR;
	g(L1)[0x005] = sect(DATA, 0, 2) | 1u << 4;
	ck_assert_int_eq(tr(0x00500000, PV_ACC_WRITE, &w, &f), 0);
	ck_assert_int_eq(tr(0x00500000, PV_ACC_EXEC, &w, &f), 0);
	ck_assert(w.manager && w.pl0_write);
}
END_TEST

START_TEST(afe_access_flag_and_simplified_ap)
{
	struct pv_walk w;
	struct pv_fault f;

	v->cp15.sctlr |= 1u << 29;
	g(L1)[0x006] = sect(DATA, 2, 1); /* AP[0] = 0: access flag clear */
	ck_assert_int_eq(tr(0x00600000, PV_ACC_READ, &w, &f), PV_EFAULT);
	ck_assert_uint_eq(f.fsr, 0x03 | 1u << 4);
	/* The access flag is part of the walk: before the domain check. */
	v->cp15.dacr = 0;
	ck_assert_int_eq(tr(0x00600000, PV_ACC_READ, &w, &f), PV_EFAULT);
	ck_assert_uint_eq(f.fsr, 0x03 | 1u << 4);
	v->cp15.dacr = 0x55555555u;
	g(L1)[0x006] = L2 | 1u << 5 | 1;
	g(L2)[0] = small(DATA, 6); /* AF = 0 */
	ck_assert_int_eq(tr(0x00600000, PV_ACC_READ, &w, &f), PV_EFAULT);
	ck_assert_uint_eq(f.fsr, 0x06 | 1u << 4);
	/* AP[2:1] = 01: read/write at any level; 11: read-only. */
	g(L2)[0] = small(DATA, 3);
	v->cpsr = PV_MODE_USR;
	ck_assert_int_eq(tr(0x00600000, PV_ACC_WRITE, &w, &f), 0);
	g(L2)[0] = small(DATA, 7);
	ck_assert_int_eq(tr(0x00600000, PV_ACC_WRITE, &w, &f), PV_EFAULT);
	ck_assert_uint_eq(f.fsr, 0x0f | 1u << 4 | 1u << 11);
	/* AP[2:1] = 00: PL1 only. */
	g(L2)[0] = small(DATA, 1);
	ck_assert_int_eq(tr(0x00600000, PV_ACC_READ, &w, &f), PV_EFAULT);
	v->cpsr = PV_MODE_SVC;
	ck_assert_int_eq(tr(0x00600000, PV_ACC_WRITE, &w, &f), 0);
}
END_TEST

START_TEST(ttbcr_split_and_pd_bits)
{
	struct pv_walk w;
	struct pv_fault f;
	/* N = 2: TTBR0 covers 0..1 GiB with a 4 KiB table. */
	uint32_t t0 = FAKE_RAM_BASE + 0x3000;

	v->cp15.ttbcr = 2;
	v->cp15.ttbr0 = t0 | 0x59; /* walk attributes in the low bits */
	g(t0)[0x3ff] = sect(DATA, 3, 0);
	g(L1HI)[0x400] = sect(DATA + 0x200000, 3, 0);
	ck_assert_int_eq(tr(0x3ff00010, PV_ACC_READ, &w, &f), 0);
	ck_assert_uint_eq(pv_gpa_val(w.pa), DATA + 0x10);
	ck_assert_int_eq(tr(0x40000010, PV_ACC_READ, &w, &f), 0);
	ck_assert_uint_eq(pv_gpa_val(w.pa), DATA + 0x200010);
	v->cp15.ttbcr = 2 | 1u << 5; /* PD1 */
	ck_assert_int_eq(tr(0x40000010, PV_ACC_READ, &w, &f), PV_EFAULT);
	ck_assert_uint_eq(f.fsr, 0x05);
	ck_assert_int_eq(tr(0x3ff00010, PV_ACC_READ, &w, &f), 0);
	v->cp15.ttbcr = 2 | 1u << 4; /* PD0 */
	ck_assert_int_eq(tr(0x3ff00010, PV_ACC_READ, &w, &f), PV_EFAULT);
	ck_assert_uint_eq(f.fsr, 0x05);
}
END_TEST

START_TEST(external_abort_on_walk)
{
	struct pv_walk w;
	struct pv_fault f;

	v->cp15.ttbr0 = 0x08000000; /* no RAM there */
	ck_assert_int_eq(tr(0x00000000, PV_ACC_WRITE, &w, &f), PV_EFAULT);
	ck_assert_uint_eq(f.fsr, 0x0c | 1u << 11);
	v->cp15.ttbr0 = L1;
	g(L1)[0x007] = 0x08000000u | 6u << 5 | 1;
	ck_assert_int_eq(tr(0x00700000, PV_ACC_EXEC, &w, &f), PV_EFAULT);
	ck_assert_uint_eq(f.fsr, 0x0e | 6u << 4);
	ck_assert(f.is_prefetch);
}
END_TEST

START_TEST(tex_decoding_without_and_with_remap)
{
	struct pv_walk w;
	struct pv_fault f;

	/* TEX=101 C=1 B=0: Normal, outer WBWA (01), inner WT (10). */
	g(L1)[0x008] = sect(DATA, 3, 0) | 5u << 12 | 1u << 3 | 1u << 16;
	ck_assert_int_eq(tr(0x00800000, PV_ACC_READ, &w, &f), 0);
	ck_assert_int_eq(w.memtype, PV_MT_NORMAL);
	ck_assert_uint_eq(w.outer, 1);
	ck_assert_uint_eq(w.inner, 2);
	ck_assert(w.shareable);
	/* TEX=000 C=0 B=1: shareable Device; TEX=010 C=0 B=0: non-shareable. */
	g(L1)[0x008] = sect(DATA, 3, 0) | 1u << 2;
	ck_assert_int_eq(tr(0x00800000, PV_ACC_READ, &w, &f), 0);
	ck_assert_int_eq(w.memtype, PV_MT_DEVICE);
	ck_assert(w.shareable);
	g(L1)[0x008] = sect(DATA, 3, 0) | 2u << 12;
	ck_assert_int_eq(tr(0x00800000, PV_ACC_READ, &w, &f), 0);
	ck_assert_int_eq(w.memtype, PV_MT_DEVICE);
	ck_assert(!w.shareable);
	/* TRE=1: index TEX[0]:C:B = 0b101 -> PRRR.TR5, NMRR.IR5/OR5. */
	v->cp15.sctlr |= 1u << 28;
	v->cp15.prrr = 2u << 10 | 1u << 19; /* TR5 normal, NS1 shareable */
	v->cp15.nmrr = 3u << 10 | 1u << 26; /* IR5 WB, OR5 WBWA */
	g(L1)[0x008] = sect(DATA, 3, 0) | 1u << 12 | 1u << 2 | 1u << 16;
	ck_assert_int_eq(tr(0x00800000, PV_ACC_READ, &w, &f), 0);
	ck_assert_int_eq(w.memtype, PV_MT_NORMAL);
	ck_assert_uint_eq(w.inner, 3);
	ck_assert_uint_eq(w.outer, 1);
	ck_assert(w.shareable);
	v->cp15.prrr = 1u << 10 | 1u << 17; /* TR5 device, DS1 */
	ck_assert_int_eq(tr(0x00800000, PV_ACC_READ, &w, &f), 0);
	ck_assert_int_eq(w.memtype, PV_MT_DEVICE);
	ck_assert(w.shareable);
}
END_TEST

START_TEST(user_flag_checks_pl0_from_pl1)
{
	struct pv_walk w;
	struct pv_fault f;

	g(L1)[0x009] = sect(DATA, 1, 0); /* PL1 only */
	ck_assert_int_eq(tr(0x00900000, PV_ACC_WRITE, &w, &f), 0);
	ck_assert_int_eq(tr(0x00900000, PV_ACC_WRITE | PV_ACC_USER, &w, &f), PV_EFAULT);
	ck_assert_uint_eq(f.fsr, 0x0d | 1u << 11);
}
END_TEST

START_TEST(par_success_and_fault_formats)
{
	uint32_t par;

	g(L1)[0x00a] = sect(DATA, 2, 0) | 7u << 12 | 1u << 3 | 1u << 2 | 1u << 16;
	par = pv_mmu_par(v, pv_gva(0x00a12345), false, true);
	/* PA[31:12], Inner WB (111) in [6:4], Outer WB (11) in [3:2], SH. */
	ck_assert_uint_eq(par, (DATA + 0x12000) | 7u << 4 | 3u << 2 | 1u << 7);
	/* PL0 write to AP=010: permission fault, section -> F=1, FS in [6:1]. */
	par = pv_mmu_par(v, pv_gva(0x00a12345), true, true);
	ck_assert_uint_eq(par, 1u | 0x0du << 1);
	/* A level-1 external abort on the walk (01100): bits [6:1] = 001100. */
	v->cp15.ttbr0 = 0x08000000;
	par = pv_mmu_par(v, pv_gva(0), false, false);
	ck_assert_uint_eq(par, 1u | 0x0cu << 1);
}
END_TEST

static Suite *walk_suite(void)
{
	Suite *s = suite_create("mmu_walk");
	TCase *tc = tcase_create("walk");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, mmu_off_is_flat_and_unchecked);
	tcase_add_loop_test(tc, section_ap_both_privileges, 0, 8);
	tcase_add_test(tc, page_ap_and_xn_prefetch);
	tcase_add_test(tc, big_endian_tables_under_sctlr_ee);
	tcase_add_test(tc, large_page_replicated_and_xn_bit15);
	tcase_add_test(tc, supersection_extended_address_domain0);
	tcase_add_test(tc, translation_faults_and_reserved_type);
	tcase_add_test(tc, domain_faults_and_priority);
	tcase_add_test(tc, manager_ignores_ap_and_xn);
	tcase_add_test(tc, afe_access_flag_and_simplified_ap);
	tcase_add_test(tc, ttbcr_split_and_pd_bits);
	tcase_add_test(tc, external_abort_on_walk);
	tcase_add_test(tc, tex_decoding_without_and_with_remap);
	tcase_add_test(tc, user_flag_checks_pl0_from_pl1);
	tcase_add_test(tc, par_success_and_fault_formats);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(walk_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
