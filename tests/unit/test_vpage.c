/* SPDX-License-Identifier: MIT */
/*
 * The vCPU page and the pvpatch stub area (pvcore/pvpage.h): the stub
 * table parser, the VM configuration checks, the kernel-view mapping of
 * the area in the shadow engine, the page's sync at trap and resume,
 * leaving a stub before a guest exception, and trap words inside stubs.
 * The stub code itself is checked by tests/stubs (an execution oracle).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core.h"
#include "fake_backend.h"
#include "fake_fast.h"
#include "fast.h"
#include "a9_timers.h"
#include "vpage.h"
#include "table_files.h"

/* Guest layout: a Linux-like linear map KVA + x -> RAM0 + x. */
#define RAM0 FAKE_RAM_BASE
#define KVA 0xc0000000u
#define IMG_VA (KVA + 0x8000u)
#define IMG_GPA (RAM0 + 0x8000u)
#define AREA_VA (KVA + 0x800000u)
#define AREA_GPA (RAM0 + 0x800000u)
#define AREA_SIZE 0x100000u
#define L1 (RAM0 + 0x4000u)
#define USER_VA 0x00100000u
#define VPAGE_HPA 0x3e000000u
#define WIN_DOMAIN 15u
#define TO_PA(va) ((va) - KVA + RAM0)

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;
static struct pv_vcpu *v;
static uint32_t *vpage_mem;
static struct pv_stub_table stubs;
static struct pv_patch_table sites;
static uint32_t stub_blob[256];
static uint32_t site_blob[256];

/*
 * The stubs of the tests (the shapes pvpatch emits, stubs.c): a CPSIE
 * with its trap word at 11, an MRS CPSR, an MSR CPSR_c with its trap word
 * at 9, and an MRC in the second chunk.
 */
enum { S_CPSIE, S_MRS, S_MSR, S_MRC, NSTUBS };
static const struct pv_stub stub_defs[NSTUBS] = {
	[S_CPSIE] = { KVA + 0x10000u, AREA_VA + 0x1000u, 16, 0, PV_STUB_CPSIE,
		      { 12, 15, PV_STUB_NO_EXIT, PV_STUB_NO_EXIT } },
	[S_MRS] = { KVA + 0x10100u, AREA_VA + 0x1040u, 7, 1, PV_STUB_MRS_CPSR,
		    { 6, PV_STUB_NO_EXIT, PV_STUB_NO_EXIT, PV_STUB_NO_EXIT } },
	[S_MSR] = { KVA + 0x10200u, AREA_VA + 0x1080u, 12, 0, PV_STUB_MSR_CPSR_C,
		    { 10, PV_STUB_NO_EXIT, PV_STUB_NO_EXIT, PV_STUB_NO_EXIT } },
	[S_MRC] = { KVA + 0x10300u, AREA_VA + 0x3000u, 2, PV_STUB_NO_REG,
		    PV_STUB_MRC, { 1, PV_STUB_NO_EXIT, PV_STUB_NO_EXIT,
				   PV_STUB_NO_EXIT } },
};
#define CPSIE_TRAP 11u
#define MSR_TRAP 9u

/* With it, the table has the SVC entry's TPIDRURO stub (fast SVC guess). */
static bool with_tls_stub;
static const struct pv_stub tls_stub = {
	KVA + 0x10400u, AREA_VA + 0x3010u, 14, 0, PV_STUB_MCR_TPIDRURO,
	{ 9, 13, PV_STUB_NO_EXIT, PV_STUB_NO_EXIT }
};

/* ---- table files ---- */

/* A stub table file of @n stubs into @buf; returns its length. */
static size_t mk_stub_file(uint32_t *buf, const struct pv_stub *s, uint32_t n,
			   uint32_t area_va, uint32_t area_size)
{
	return tf_stub_file(buf, s, n, area_va, area_size, IMG_VA);
}

static void reseal(uint32_t *buf, size_t len)
{
	buf[offsetof(struct pv_stub_file_hdr, checksum) / 4] = 0;
	buf[offsetof(struct pv_stub_file_hdr, checksum) / 4] =
		pv_patch_crc32(0, buf, len);
}

/* A site table of @n sites for the test's Image. */
static size_t mk_site_file(uint32_t *buf, const struct pv_patch_site *s,
			   uint32_t n)
{
	return tf_site_file(buf, s, n, IMG_VA, 0x900000u);
}

/* ---- the VM ---- */

static uint32_t *gptr(uint32_t gpa)
{
	return fake_backend_ram(&fb, gpa);
}

static void base_cfg(void)
{
	size_t len;

	ck_assert_int_eq(fake_backend_setup(&fb, &cfg), 0);
	fb.window_l1[0] |= WIN_DOMAIN << 5;
	vpage_mem = aligned_alloc(4096, 4096);
	ck_assert_ptr_nonnull(vpage_mem);
	memset(vpage_mem, 0, 4096);
	if (with_tls_stub) {
		struct pv_stub all[NSTUBS + 1];

		memcpy(all, stub_defs, sizeof(stub_defs));
		all[NSTUBS] = tls_stub;
		len = mk_stub_file(stub_blob, all, NSTUBS + 1, AREA_VA, AREA_SIZE);
	} else {
		len = mk_stub_file(stub_blob, stub_defs, NSTUBS, AREA_VA, AREA_SIZE);
	}
	ck_assert_int_eq(pv_stub_table_parse(stub_blob, len, &stubs), 0);
	ck_assert_int_eq(pv_stub_table_set_load(&stubs, pv_gpa(IMG_GPA)), 0);
	ck_assert_uint_eq(pv_gpa_val(stubs.area_gpa), AREA_GPA);
	cfg.stubs = &stubs;
	cfg.vcpu_pages.hva = pv_hva_from_ptr(vpage_mem);
	cfg.vcpu_pages.hpa = pv_hpa(VPAGE_HPA);
	cfg.vcpu_pages.size = 4096;
	vm = calloc(1, sizeof(*vm));
	ck_assert_ptr_nonnull(vm);
}

static void free_vm(void)
{
	with_tls_stub = false;
	free(vm);
	free(vpage_mem);
	fake_backend_teardown(&fb);
	vm = NULL;
}

/*
 * A VM with the stub table; the guest kernel in SVC with its MMU on: L1
 * sections for the linear map (PL1 only, the area XN as Linux maps it)
 * and one user section.
 */
static void setup_vm(void)
{
	base_cfg();
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	v = &vm->vcpu[0];
	for (uint32_t i = 0; i < 16; i++)
		gptr(L1)[(KVA >> 20) + i] = (RAM0 + (i << 20)) | 1u << 10 |
					    ((KVA + (i << 20)) == AREA_VA ? 1u << 4 : 0) | 2;
	gptr(L1)[USER_VA >> 20] = (RAM0 + 0xf00000u) | 3u << 10 | 2;
	v->cp15.sctlr = PV_SCTLR_M;
	v->cp15.ttbr0 = L1;
	v->cp15.dacr = 0x55555555u;
	v->cp15.contextidr = 1;
	pv_vcpu_write_cpsr(v, PV_MODE_SVC | PV_PSR_I | PV_PSR_F);
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_ALL);
}

static void mmu_off(void)
{
	v->cp15.sctlr &= ~PV_SCTLR_M;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_ALL);
}

static void set_mode(uint32_t mode)
{
	pv_vcpu_write_cpsr(v, (v->cpsr & ~PV_PSR_M_MASK) | mode);
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_MODE);
}

static struct pv_trap mk_trap(enum pv_trap_kind kind, uint32_t host_cpsr)
{
	struct pv_trap t = { kind, host_cpsr, 0, 0 };

	return t;
}

static uint32_t *page_field(uint32_t off)
{
	return &vpage_mem[off / 4];
}

/* ---- the shadow tables as the host sees them ---- */

static uint32_t *pool_ptr(uint64_t hpa)
{
	ck_assert(hpa >= fb.pool_hpa && hpa < fb.pool_hpa + FAKE_POOL_SIZE);
	return (uint32_t *)(fb.pool + (hpa - fb.pool_hpa));
}

struct leaf {
	uint32_t *l1, *l2;  /* the entries, for corrupting them */
	uint32_t pa;
	unsigned ap, domain;
	bool xn;
};

/* The current root's small-page entry for @va; false if none. */
static bool shadow_leaf(uint32_t va, struct leaf *out)
{
	struct pv_resume rs;
	uint32_t *l1, d, e;

	pv_shadow_resume(v, &rs);
	l1 = pool_ptr(pv_hpa_val(rs.ttbr0) & ~0x3fffull);
	d = l1[va >> 20];
	if ((d & 3) != 1)
		return false;
	out->l1 = &l1[va >> 20];
	out->l2 = &pool_ptr(d & 0xfffffc00u)[(va >> 12) & 0xff];
	e = *out->l2;
	if ((e & 2) == 0)
		return false;
	out->pa = e & 0xfffff000u;
	out->ap = ((e >> 9) & 1) << 2 | ((e >> 4) & 3);
	out->xn = e & 1;
	out->domain = (d >> 5) & 15;
	return true;
}

static enum pv_shadow_outcome fault(uint32_t va, unsigned acc, struct pv_fault *f)
{
	enum pv_shadow_outcome oc = PV_SHADOW_FILLED;
	struct pv_fault dummy;

	ck_assert_int_eq(pv_shadow_fault(v, pv_gva(va), acc, &oc, f ? f : &dummy), 0);
	return oc;
}

/* ======================================================================== */
/* pv_stub_table_parse() and friends                                        */
/* ======================================================================== */

static uint32_t tbuf[1024];

/* Parse @n stubs after patching entry @k with @edit; the checksum resealed. */
static int parse_edited(const struct pv_stub *s, uint32_t n,
			void (*edit)(struct pv_stub *))
{
	struct pv_stub copy[8];
	struct pv_stub_table t;
	size_t len;

	memcpy(copy, s, n * sizeof(*s));
	if (edit)
		edit(&copy[n - 1]);
	len = mk_stub_file(tbuf, copy, n, AREA_VA, AREA_SIZE);
	return pv_stub_table_parse(tbuf, len, &t);
}

START_TEST(parse_valid)
{
	struct pv_stub_table t;
	size_t len = mk_stub_file(tbuf, stub_defs, NSTUBS, AREA_VA, AREA_SIZE);

	ck_assert_int_eq(pv_stub_table_parse(tbuf, len, &t), 0);
	ck_assert_uint_eq(t.count, NSTUBS);
	ck_assert_uint_eq(t.area_va, AREA_VA);
	ck_assert_uint_eq(t.area_size, AREA_SIZE);
	ck_assert_uint_eq(t.image_base, IMG_VA);
	ck_assert_uint_eq(pv_gpa_val(t.area_gpa), AREA_VA); /* until set_load */
	ck_assert_ptr_eq(t.stubs, (const void *)((uint8_t *)tbuf + 32));
	ck_assert_int_eq(pv_stub_table_set_load(&t, pv_gpa(IMG_GPA)), 0);
	ck_assert_uint_eq(pv_gpa_val(t.area_gpa), AREA_GPA);
	/* An empty table is valid too. */
	len = mk_stub_file(tbuf, stub_defs, 0, AREA_VA, AREA_SIZE);
	ck_assert_int_eq(pv_stub_table_parse(tbuf, len, &t), 0);
	ck_assert_uint_eq(t.count, 0);
	ck_assert_ptr_null(pv_stub_find(&t, pv_gva(AREA_VA + 0x1000u)));
}
END_TEST

static void hdr_check(size_t off, uint32_t val, unsigned bytes, bool reseal_it)
{
	struct pv_stub_table t;
	size_t len = mk_stub_file(tbuf, stub_defs, NSTUBS, AREA_VA, AREA_SIZE);

	memcpy((uint8_t *)tbuf + off, &val, bytes);
	if (reseal_it)
		reseal(tbuf, len);
	ck_assert_int_eq(pv_stub_table_parse(tbuf, len, &t), PV_ECORRUPT);
}

START_TEST(parse_rejects_header)
{
	struct pv_stub_table t;
	size_t len;

	hdr_check(offsetof(struct pv_stub_file_hdr, magic), 0x42545351u, 4, true);
	hdr_check(offsetof(struct pv_stub_file_hdr, version), 2, 2, true);
	hdr_check(offsetof(struct pv_stub_file_hdr, hdr_size), 36, 2, true);
	hdr_check(offsetof(struct pv_stub_file_hdr, entry_size), 20, 4, true);
	hdr_check(offsetof(struct pv_stub_file_hdr, count), NSTUBS + 1, 4, true);
	hdr_check(offsetof(struct pv_stub_file_hdr, count), NSTUBS - 1, 4, true);
	/*
	 * A count that wraps 32-bit arithmetic to the right length: 32 + c*16
	 * == len mod 2^32 for c = NSTUBS + 2^28.
	 */
	hdr_check(offsetof(struct pv_stub_file_hdr, count), NSTUBS + (1u << 28), 4, true);
	{
		/*
		 * The same, with the file at the end of a readable page: a
		 * parser that trusted the wrapped size would read on into the
		 * guard page.
		 */
		uint8_t *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint8_t *f;

		ck_assert(m != MAP_FAILED);
		ck_assert_int_eq(mprotect(m + 4096, 4096, PROT_NONE), 0);
		len = mk_stub_file(tbuf, stub_defs, NSTUBS, AREA_VA, AREA_SIZE);
		f = m + 4096 - len;
		memcpy(f, tbuf, len);
		((struct pv_stub_file_hdr *)(void *)f)->count = NSTUBS + (1u << 28);
		reseal((uint32_t *)(void *)f, len);
		ck_assert_int_eq(pv_stub_table_parse(f, len, &t), PV_ECORRUPT);
		munmap(m, 8192);
	}
	hdr_check(offsetof(struct pv_stub_file_hdr, area_va), AREA_VA + 0x1000u, 4, true);
	hdr_check(offsetof(struct pv_stub_file_hdr, area_size), 0, 4, true);
	hdr_check(offsetof(struct pv_stub_file_hdr, area_size), 0x1000u, 4, true);
	/* The area must end by 4 GiB. */
	len = mk_stub_file(tbuf, stub_defs, 0, 0xfff00000u, 0x200000u);
	ck_assert_int_eq(pv_stub_table_parse(tbuf, len, &t), PV_ECORRUPT);
	/* Checksum: any bit of the header or the entries. */
	hdr_check(offsetof(struct pv_stub_file_hdr, image_base), IMG_VA + 4, 4, false);
	hdr_check(offsetof(struct pv_stub_file_hdr, checksum), 0, 4, false);
	len = mk_stub_file(tbuf, stub_defs, NSTUBS, AREA_VA, AREA_SIZE);
	((uint8_t *)tbuf)[len - 1] ^= 0x80;
	ck_assert_int_eq(pv_stub_table_parse(tbuf, len, &t), PV_ECORRUPT);
	/* Short files and trailing bytes. */
	len = mk_stub_file(tbuf, stub_defs, NSTUBS, AREA_VA, AREA_SIZE);
	ck_assert_int_eq(pv_stub_table_parse(tbuf, 31, &t), PV_ECORRUPT);
	ck_assert_int_eq(pv_stub_table_parse(tbuf, len - 16, &t), PV_ECORRUPT);
	ck_assert_int_eq(pv_stub_table_parse(tbuf, len + 4, &t), PV_ECORRUPT);
	ck_assert_int_eq(pv_stub_table_parse(tbuf, 0, &t), PV_ECORRUPT);
}
END_TEST

static void e_outside(struct pv_stub *s) { s->stub = AREA_VA + AREA_SIZE + 0x1000u; }
static void e_below(struct pv_stub *s) { s->stub = AREA_VA - 0x1000u; }
static void e_slot(struct pv_stub *s) { s->stub = AREA_VA + 0x2100u; }
static void e_limit(struct pv_stub *s) { s->stub = AREA_VA + 0x3f00u - 4u; s->words = 2; }
static void e_limit_ok(struct pv_stub *s) { s->stub = AREA_VA + 0x3f00u - 8u; s->words = 2; }
static void e_misaligned(struct pv_stub *s) { s->stub += 2; }
static void e_overlap(struct pv_stub *s) { s->stub = AREA_VA + 0x1080u + 4u * 11u; }
static void e_touching(struct pv_stub *s) { s->stub = AREA_VA + 0x1080u + 4u * 12u; }
static void e_saved15(struct pv_stub *s) { s->saved = 15; }
static void e_saved14(struct pv_stub *s) { s->saved = 14; }
static void e_saved16(struct pv_stub *s) { s->saved = 16; }
static void e_exit_range(struct pv_stub *s) { s->exit[0] = (uint8_t)s->words; }
static void e_exit_none(struct pv_stub *s) { s->exit[0] = PV_STUB_NO_EXIT; }
static void e_exit2_range(struct pv_stub *s) { s->exit[2] = (uint8_t)s->words; }
static void e_exit_last(struct pv_stub *s) { s->exit[3] = (uint8_t)(s->words - 1); }
static void e_zero_words(struct pv_stub *s) { s->words = 0; }
static void e_many_words(struct pv_stub *s) { s->words = PV_STUB_MAX_WORDS + 1; }
static void e_kind(struct pv_stub *s) { s->kind = PV_STUB_KIND_COUNT; }

START_TEST(parse_rejects_entries)
{
	struct pv_stub_table t;

	ck_assert_int_eq(parse_edited(stub_defs, NSTUBS, NULL), 0);
	ck_assert_int_eq(parse_edited(stub_defs, NSTUBS, e_outside), PV_ECORRUPT);
	ck_assert_int_eq(parse_edited(stub_defs, NSTUBS, e_below), PV_ECORRUPT);
	ck_assert_int_eq(parse_edited(stub_defs, NSTUBS, e_slot), PV_ECORRUPT);
	ck_assert_int_eq(parse_edited(stub_defs, NSTUBS, e_limit), PV_ECORRUPT);
	ck_assert_int_eq(parse_edited(stub_defs, NSTUBS, e_limit_ok), 0);
	ck_assert_int_eq(parse_edited(stub_defs, NSTUBS, e_misaligned), PV_ECORRUPT);
	ck_assert_int_eq(parse_edited(stub_defs, NSTUBS, e_overlap), PV_ECORRUPT);
	ck_assert_int_eq(parse_edited(stub_defs, NSTUBS, e_touching), 0);
	{
		/* Unsorted without overlapping. */
		const struct pv_stub two[2] = { stub_defs[S_MRC], stub_defs[S_CPSIE] };

		ck_assert_int_eq(parse_edited(two, 2, NULL), PV_ECORRUPT);
		ck_assert_int_eq(parse_edited(two + 1, 1, NULL), 0);
	}
	ck_assert_int_eq(parse_edited(stub_defs, NSTUBS, e_saved15), PV_ECORRUPT);
	ck_assert_int_eq(parse_edited(stub_defs, NSTUBS, e_saved16), PV_ECORRUPT);
	ck_assert_int_eq(parse_edited(stub_defs, NSTUBS, e_saved14), 0);
	ck_assert_int_eq(parse_edited(stub_defs, NSTUBS, e_exit_range), PV_ECORRUPT);
	ck_assert_int_eq(parse_edited(stub_defs, NSTUBS, e_exit_none), PV_ECORRUPT);
	ck_assert_int_eq(parse_edited(stub_defs, NSTUBS, e_exit2_range), PV_ECORRUPT);
	ck_assert_int_eq(parse_edited(stub_defs, NSTUBS, e_exit_last), 0);
	ck_assert_int_eq(parse_edited(stub_defs, NSTUBS, e_zero_words), PV_ECORRUPT);
	ck_assert_int_eq(parse_edited(stub_defs, NSTUBS, e_many_words), PV_ECORRUPT);
	ck_assert_int_eq(parse_edited(stub_defs, NSTUBS, e_kind), PV_ECORRUPT);
	/* Arguments. */
	mk_stub_file(tbuf, stub_defs, NSTUBS, AREA_VA, AREA_SIZE);
	ck_assert_int_eq(pv_stub_table_parse(NULL, 96, &t), PV_EINVAL);
	ck_assert_int_eq(pv_stub_table_parse(tbuf, 96, NULL), PV_EINVAL);
	memmove((uint8_t *)tbuf + 2, tbuf, 32 + NSTUBS * 16);
	ck_assert_int_eq(pv_stub_table_parse((uint8_t *)tbuf + 2, 32 + NSTUBS * 16, &t),
			 PV_EINVAL);
}
END_TEST

START_TEST(set_load_errors)
{
	struct pv_stub_table t;
	size_t len = mk_stub_file(tbuf, stub_defs, NSTUBS, AREA_VA, AREA_SIZE);
	struct pv_stub_file_hdr *h = (struct pv_stub_file_hdr *)tbuf;

	ck_assert_int_eq(pv_stub_table_set_load(NULL, pv_gpa(IMG_GPA)), PV_EINVAL);
	ck_assert_int_eq(pv_stub_table_parse(tbuf, len, &t), 0);
	/* The area's GPA must be page aligned and end by 4 GiB. */
	ck_assert_int_eq(pv_stub_table_set_load(&t, pv_gpa(IMG_GPA + 0x10u)), PV_EINVAL);
	ck_assert_int_eq(pv_stub_table_set_load(&t, pv_gpa(0xff800000u)), PV_EINVAL);
	ck_assert_uint_eq(pv_gpa_val(t.area_gpa), AREA_VA); /* unchanged */
	ck_assert_int_eq(pv_stub_table_set_load(&t, pv_gpa(0xff700000u - 0x800000u + 0x8000u)), 0);
	/* An area below the Image. */
	h->image_base = AREA_VA + 0x1000u;
	reseal(tbuf, len);
	ck_assert_int_eq(pv_stub_table_parse(tbuf, len, &t), 0);
	ck_assert_int_eq(pv_stub_table_set_load(&t, pv_gpa(IMG_GPA)), PV_EINVAL);
}
END_TEST

START_TEST(find)
{
	struct pv_stub_table t;
	size_t len = mk_stub_file(tbuf, stub_defs, NSTUBS, AREA_VA, AREA_SIZE);

	ck_assert_int_eq(pv_stub_table_parse(tbuf, len, &t), 0);
	for (unsigned i = 0; i < NSTUBS; i++) {
		const struct pv_stub *s = &stub_defs[i];

		ck_assert_ptr_eq(pv_stub_find(&t, pv_gva(s->stub)), &t.stubs[i]);
		ck_assert_ptr_eq(pv_stub_find(&t, pv_gva(s->stub + 4u * s->words - 4u)),
				 &t.stubs[i]);
		ck_assert_ptr_eq(pv_stub_find(&t, pv_gva(s->stub + 4u * s->words - 1u)),
				 &t.stubs[i]);
	}
	/* Between stubs, before the first, after the last, outside. */
	ck_assert_ptr_null(pv_stub_find(&t, pv_gva(AREA_VA + 0x1040u + 28u)));
	ck_assert_ptr_null(pv_stub_find(&t, pv_gva(AREA_VA + 0x1000u - 4u)));
	ck_assert_ptr_null(pv_stub_find(&t, pv_gva(AREA_VA + 0x3008u)));
	ck_assert_ptr_null(pv_stub_find(&t, pv_gva(AREA_VA)));
	ck_assert_ptr_null(pv_stub_find(&t, pv_gva(AREA_VA - 4u)));
	ck_assert_ptr_null(pv_stub_find(&t, pv_gva(AREA_VA + AREA_SIZE + 0x1000u)));
	ck_assert_ptr_null(pv_stub_find(&t, pv_gva(stub_defs[S_MRS].site)));
	ck_assert_ptr_null(pv_stub_find(NULL, pv_gva(AREA_VA + 0x1000u)));
}
END_TEST

/* ======================================================================== */
/* pv_vm_init() with a stub table                                           */
/* ======================================================================== */

static int init_with(void (*edit)(void))
{
	int err;

	base_cfg();
	if (edit)
		edit();
	err = pv_vm_init(vm, &cfg);
	free_vm();
	return err;
}

static struct pv_stub_table alt;

static void c_two_vcpus(void) { cfg.num_vcpus = 2; cfg.vcpu_pages.size = 8192; }
static void c_hpa_misaligned(void) { cfg.vcpu_pages.hpa = pv_hpa(VPAGE_HPA + 0x10u); }
static void c_hva_misaligned(void) { cfg.vcpu_pages.hva = pv_hva_from_ptr((uint8_t *)vpage_mem + 4); }
static void c_hva_null(void) { cfg.vcpu_pages.hva = pv_hva_from_ptr(NULL); }
static void c_too_small(void) { cfg.vcpu_pages.size = 4095; }
static void c_hpa_4g(void) { cfg.vcpu_pages.hpa = pv_hpa(0xfffff000ull + 0x1000u); }
static void c_over_ram(void) { cfg.vcpu_pages.hpa = pv_hpa(fb.ram_hpa + FAKE_RAM_SIZE - 0x1000u); }
static void c_over_pool(void) { cfg.vcpu_pages.hpa = pv_hpa(fb.pool_hpa + 0x3000u); }
static void c_next_to_pool(void) { cfg.vcpu_pages.hpa = pv_hpa(fb.pool_hpa + FAKE_POOL_SIZE); }

static void with_area(uint32_t area_va, uint32_t area_size, uint32_t image_gpa)
{
	size_t len = mk_stub_file(tbuf, stub_defs, 0, area_va, area_size);
	struct pv_stub_file_hdr *h = (struct pv_stub_file_hdr *)tbuf;

	/* Near the window the Image is too: keep the offset small. */
	if (area_va >= 0xf0000000u) {
		h->image_base = area_va - 0x100000u;
		reseal(tbuf, len);
	}
	ck_assert_int_eq(pv_stub_table_parse(tbuf, len, &alt), 0);
	ck_assert_int_eq(pv_stub_table_set_load(&alt, pv_gpa(image_gpa)), 0);
	cfg.stubs = &alt;
}

static void c_area_chunks(void) { with_area(AREA_VA, 0x2000u, IMG_GPA); }
static void c_area_half_mib(void) { with_area(AREA_VA + 0x80000u, AREA_SIZE, IMG_GPA); }
static void c_area_gpa_off(void) { with_area(AREA_VA, AREA_SIZE, IMG_GPA + 0x1000u); }
static void c_area_past_ram(void) { with_area(AREA_VA, AREA_SIZE, IMG_GPA + 0x800000u); }
static void c_area_straddles(void) { with_area(AREA_VA, 2 * AREA_SIZE, IMG_GPA + 0x700000u); }
static void c_area_last_mib(void) { with_area(AREA_VA, AREA_SIZE, IMG_GPA + 0x700000u); }
static void c_area_window(void) { with_area(0xfff00000u, AREA_SIZE, RAM0); }

START_TEST(init_checks)
{
	ck_assert_int_eq(init_with(NULL), 0);
	ck_assert_int_eq(init_with(c_two_vcpus), PV_EINVAL);
	ck_assert_int_eq(init_with(c_hpa_misaligned), PV_EINVAL);
	ck_assert_int_eq(init_with(c_hva_misaligned), PV_EINVAL);
	ck_assert_int_eq(init_with(c_hva_null), PV_EINVAL);
	ck_assert_int_eq(init_with(c_too_small), PV_EINVAL);
	ck_assert_int_eq(init_with(c_hpa_4g), PV_EINVAL);
	ck_assert_int_eq(init_with(c_over_ram), PV_EEXIST);
	ck_assert_int_eq(init_with(c_over_pool), PV_EEXIST);
	ck_assert_int_eq(init_with(c_next_to_pool), 0);
	ck_assert_int_eq(init_with(c_area_chunks), PV_EINVAL);
	ck_assert_int_eq(init_with(c_area_half_mib), PV_EINVAL);
	ck_assert_int_eq(init_with(c_area_gpa_off), PV_EINVAL);
	ck_assert_int_eq(init_with(c_area_past_ram), PV_EINVAL);
	ck_assert_int_eq(init_with(c_area_straddles), PV_EINVAL);
	ck_assert_int_eq(init_with(c_area_last_mib), 0);
	ck_assert_int_eq(init_with(c_area_window), PV_EINVAL);
}
END_TEST

/* ======================================================================== */
/* The shadow engine                                                        */
/* ======================================================================== */

START_TEST(shadow_kernel_view)
{
	struct leaf l;
	struct pv_fault f;
	uint64_t fills;

	setup_vm();
	/* Page slot: this vCPU's page, RW at host PL0, XN, window domain. */
	ck_assert_int_eq(fault(AREA_VA + PV_VPAGE_CPSR, PV_ACC_READ, NULL),
			 PV_SHADOW_FILLED);
	ck_assert(shadow_leaf(AREA_VA + PV_VPAGE_CPSR, &l));
	ck_assert_uint_eq(l.pa, VPAGE_HPA);
	ck_assert_uint_eq(l.ap, 3);
	ck_assert(l.xn);
	ck_assert_uint_eq(l.domain, WIN_DOMAIN);
	ck_assert_uint_eq(vm->shadow.stats.stub_fills, 1);
	/* Every chunk's slot maps the same (one vCPU) page. */
	ck_assert_int_eq(fault(AREA_VA + 0x2000u, PV_ACC_WRITE, NULL), PV_SHADOW_FILLED);
	ck_assert(shadow_leaf(AREA_VA + 0x2000u, &l));
	ck_assert_uint_eq(l.pa, VPAGE_HPA);
	ck_assert_uint_eq(l.ap, 3);
	/* Stub code: the area's guest RAM, read-only, executable. */
	ck_assert_int_eq(fault(AREA_VA + 0x1040u, PV_ACC_EXEC, NULL), PV_SHADOW_FILLED);
	ck_assert(shadow_leaf(AREA_VA + 0x1040u, &l));
	ck_assert_uint_eq(l.pa, fb.ram_hpa + 0x801000u);
	ck_assert_uint_eq(l.ap, 7);
	ck_assert(!l.xn);
	ck_assert_uint_eq(l.domain, WIN_DOMAIN);
	ck_assert_int_eq(fault(AREA_VA + 0x3000u, PV_ACC_READ, NULL), PV_SHADOW_FILLED);
	ck_assert(shadow_leaf(AREA_VA + 0x3000u, &l));
	ck_assert_uint_eq(l.pa, fb.ram_hpa + 0x803000u);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	/* Executing a page slot: a guest prefetch abort, no refill. */
	fills = vm->shadow.stats.stub_fills;
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(fault(AREA_VA + 0x10u, PV_ACC_EXEC, &f),
				 PV_SHADOW_GUEST_FAULT);
		ck_assert(f.is_prefetch);
		ck_assert_uint_eq(f.fsr & 0x40fu, PV_FS_PERM_PAGE);
		ck_assert_uint_eq(f.far, AREA_VA + 0x10u);
	}
	ck_assert_uint_eq(vm->shadow.stats.stub_fills, fills);
	/* Outside the area the guest's tables decide as before. */
	ck_assert_int_eq(fault(AREA_VA + AREA_SIZE, PV_ACC_READ, NULL), PV_SHADOW_FILLED);
	ck_assert_uint_eq(vm->shadow.stats.stub_fills, fills);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	free_vm();
}
END_TEST

/*
 * The guest kernel writing its stub code (its linear map says RW): a
 * guest permission fault, never a writable entry from the guest's tables,
 * which the isolation checker (rightly) rejects.
 */
START_TEST(shadow_kernel_write_to_stub_code)
{
	struct pv_fault f;
	struct leaf l;

	setup_vm();
	ck_assert_int_eq(fault(AREA_VA + 0x1294u, PV_ACC_WRITE, &f),
			 PV_SHADOW_GUEST_FAULT);
	ck_assert(!f.is_prefetch);
	ck_assert_uint_eq(f.fsr & 0x40fu, PV_FS_PERM_PAGE);
	ck_assert(f.fsr & PV_FSR_WNR);
	ck_assert_uint_eq(f.far, AREA_VA + 0x1294u);
	ck_assert(!shadow_leaf(AREA_VA + 0x1294u, &l) || l.ap == 7);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	/* Also after the code was filled for execution, and with the MMU off. */
	ck_assert_int_eq(fault(AREA_VA + 0x1294u, PV_ACC_EXEC, NULL), PV_SHADOW_FILLED);
	ck_assert_int_eq(fault(AREA_VA + 0x1294u, PV_ACC_WRITE, NULL),
			 PV_SHADOW_GUEST_FAULT);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	mmu_off();
	ck_assert_int_eq(fault(AREA_GPA + 0x1294u, PV_ACC_WRITE, NULL),
			 PV_SHADOW_GUEST_FAULT);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	free_vm();
}
END_TEST

START_TEST(shadow_prefetch_abort_in_slot_via_trap)
{
	struct pv_trap t = mk_trap(PV_TRAP_PABT, PV_MODE_USR);
	struct pv_exit ex;

	setup_vm();
	v->r[15] = AREA_VA + 0x20u;
	t.fsr = PV_FS_TRANSL_SECTION;
	t.far = AREA_VA + 0x20u;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &ex), 0);
	ck_assert_int_eq(ex.injected, PV_INJ_PABT);
	ck_assert_uint_eq(v->cpsr & PV_PSR_M_MASK, PV_MODE_ABT);
	ck_assert_uint_eq(v->cp15.ifar, AREA_VA + 0x20u);
	ck_assert_uint_eq(v->r[14], AREA_VA + 0x24u);
	free_vm();
}
END_TEST

START_TEST(shadow_user_view)
{
	struct pv_fault f;
	struct leaf l;

	setup_vm();
	set_mode(PV_MODE_USR);
	/* Kernel-only in the guest's tables: a guest permission fault. */
	ck_assert_int_eq(fault(AREA_VA + PV_VPAGE_CPSR, PV_ACC_READ, &f),
			 PV_SHADOW_GUEST_FAULT);
	ck_assert(!f.is_prefetch);
	ck_assert_uint_eq(f.fsr & 0x40fu, PV_FS_PERM_SECTION);
	ck_assert_int_eq(fault(AREA_VA + 0x1000u, PV_ACC_EXEC, &f),
			 PV_SHADOW_GUEST_FAULT);
	ck_assert_uint_eq(f.fsr & 0x40fu, PV_FS_PERM_SECTION);
	ck_assert_int_eq(fault(AREA_VA + 0x1000u, PV_ACC_READ, &f),
			 PV_SHADOW_GUEST_FAULT);
	ck_assert_uint_eq(vm->shadow.stats.stub_fills, 0);
	/* A guest that maps the area to its user: its RAM, not the page. */
	gptr(L1)[AREA_VA >> 20] = AREA_GPA | 3u << 10 | 2;
	pv_shadow_tlbi(v, PV_TLBI_ALL, 0);
	ck_assert_int_eq(fault(AREA_VA + PV_VPAGE_CPSR, PV_ACC_WRITE, NULL),
			 PV_SHADOW_FILLED);
	ck_assert_uint_eq(vm->shadow.stats.stub_fills, 0);
	if (shadow_leaf(AREA_VA + PV_VPAGE_CPSR, &l))
		ck_assert_uint_eq(l.pa, fb.ram_hpa + 0x800000u);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	/* And back in the kernel the override holds again. */
	set_mode(PV_MODE_SVC);
	ck_assert_int_eq(fault(AREA_VA + PV_VPAGE_CPSR, PV_ACC_READ, NULL),
			 PV_SHADOW_FILLED);
	ck_assert(shadow_leaf(AREA_VA + PV_VPAGE_CPSR, &l));
	ck_assert_uint_eq(l.pa, VPAGE_HPA);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	free_vm();
}
END_TEST

START_TEST(shadow_mmu_off)
{
	struct leaf l;
	struct pv_fault f;

	setup_vm();
	mmu_off();
	ck_assert_int_eq(fault(AREA_GPA + PV_VPAGE_DACR, PV_ACC_WRITE, NULL),
			 PV_SHADOW_FILLED);
	ck_assert_uint_eq(vm->shadow.stats.stub_fills, 1);
	if (shadow_leaf(AREA_GPA + PV_VPAGE_DACR, &l)) {
		ck_assert_uint_eq(l.pa, VPAGE_HPA);
		ck_assert_uint_eq(l.ap, 3);
		ck_assert(l.xn);
	}
	ck_assert_int_eq(fault(AREA_GPA + 0x1000u, PV_ACC_EXEC, NULL), PV_SHADOW_FILLED);
	ck_assert_uint_eq(vm->shadow.stats.stub_fills, 2);
	if (shadow_leaf(AREA_GPA + 0x1000u, &l)) {
		ck_assert_uint_eq(l.pa, fb.ram_hpa + 0x801000u);
		ck_assert_uint_eq(l.ap, 7);
		ck_assert(!l.xn);
	}
	ck_assert_int_eq(fault(AREA_GPA + 0x20u, PV_ACC_EXEC, &f), PV_SHADOW_GUEST_FAULT);
	ck_assert(f.is_prefetch);
	/* The area's VA means nothing with the MMU off. */
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	free_vm();
}
END_TEST

START_TEST(isolation_catches_stub_entries)
{
	struct leaf l;
	uint32_t saved;

	setup_vm();
	fault(AREA_VA + PV_VPAGE_SPSR, PV_ACC_WRITE, NULL);
	fault(AREA_VA + 0x1000u, PV_ACC_EXEC, NULL);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	/* A page slot pointing at guest RAM, or at the pool. */
	ck_assert(shadow_leaf(AREA_VA + PV_VPAGE_SPSR, &l));
	saved = *l.l2;
	*l.l2 = (saved & 0xfffu) | (uint32_t)(fb.ram_hpa + 0x800000u);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), PV_ECORRUPT);
	*l.l2 = (saved & 0xfffu) | (uint32_t)fb.pool_hpa;
	ck_assert_int_eq(pv_shadow_check_isolation(vm), PV_ECORRUPT);
	*l.l2 = saved & ~1u; /* executable */
	ck_assert_int_eq(pv_shadow_check_isolation(vm), PV_ECORRUPT);
	*l.l2 = saved | 1u << 9; /* read-only: not what the fill makes */
	ck_assert_int_eq(pv_shadow_check_isolation(vm), PV_ECORRUPT);
	*l.l2 = saved;
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	/* Stub code made writable, or pointing at other RAM. */
	ck_assert(shadow_leaf(AREA_VA + 0x1000u, &l));
	saved = *l.l2;
	*l.l2 = saved & ~(1u << 9); /* APX off: read/write */
	ck_assert_int_eq(pv_shadow_check_isolation(vm), PV_ECORRUPT);
	*l.l2 = (saved & 0xfffu) | (uint32_t)(fb.ram_hpa + 0x802000u);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), PV_ECORRUPT);
	*l.l2 = (saved & 0xfffu) | VPAGE_HPA;
	ck_assert_int_eq(pv_shadow_check_isolation(vm), PV_ECORRUPT);
	*l.l2 = saved;
	/* The wrong domain (the guest's own 0 is not the window's). */
	saved = *l.l1;
	*l.l1 = saved & ~(15u << 5);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), PV_ECORRUPT);
	*l.l1 = saved;
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	free_vm();
}
END_TEST

/* Another address space of the guest kernel: the same tables, a new ASID. */
static void other_space(uint32_t asid)
{
	v->cp15.contextidr = asid;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_CONTEXTIDR);
}

/*
 * The stub area is one set of tables for every space with the MMU on:
 * filled once, linked into each kernel view when the space is made, and
 * never freed, evicted or dropped by the guest's TLB maintenance (its
 * pages come from no guest table). The user view never links them.
 */
START_TEST(shadow_stub_tables_shared)
{
	struct leaf a, b;
	uint64_t fills;
	uint32_t l2_used;

	setup_vm();
	ck_assert_int_eq(fault(AREA_VA + 0x1040u, PV_ACC_EXEC, NULL), PV_SHADOW_FILLED);
	ck_assert_int_eq(fault(AREA_VA + 0x2000u + PV_VPAGE_CPSR, PV_ACC_READ, NULL),
			 PV_SHADOW_FILLED);
	ck_assert(shadow_leaf(AREA_VA + 0x1040u, &a));
	fills = vm->shadow.stats.stub_fills;
	/* A new space has both pages, with no fault: the same tables. */
	other_space(7);
	ck_assert(shadow_leaf(AREA_VA + 0x1040u, &b));
	ck_assert_ptr_eq(a.l2, b.l2);
	ck_assert_ptr_ne(a.l1, b.l1);
	ck_assert(shadow_leaf(AREA_VA + 0x2000u + PV_VPAGE_CPSR, &b));
	ck_assert_uint_eq(b.pa, VPAGE_HPA);
	ck_assert_uint_eq(vm->shadow.stats.stub_fills, fills);
	/* A page first touched here is there for the first space too. */
	ck_assert_int_eq(fault(AREA_VA + 0x3000u, PV_ACC_READ, NULL), PV_SHADOW_FILLED);
	other_space(1);
	ck_assert(shadow_leaf(AREA_VA + 0x3000u, &a));
	ck_assert_uint_eq(a.pa, fb.ram_hpa + 0x803000u);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	/* The guest's TLB maintenance there drops nothing. */
	pv_shadow_tlbi(v, PV_TLBI_MVA, AREA_VA + 0x1000u);
	pv_shadow_tlbi_range(v, AREA_VA, 256);
	ck_assert(shadow_leaf(AREA_VA + 0x1040u, &a));
	/* User mode: the user view has none of it. */
	set_mode(PV_MODE_USR);
	ck_assert(!shadow_leaf(AREA_VA + 0x1040u, &b));
	set_mode(PV_MODE_SVC);
	/* A full flush, then evictions of every space: the tables stay, out
	 * of the free list, and the pool's count is balanced. */
	pv_shadow_flush_all(vm);
	ck_assert(!shadow_leaf(AREA_VA + 0x1040u, &a));
	ck_assert_uint_eq(*a.l2 & 2u, 2u);
	l2_used = vm->shadow.l2_used;
	for (uint32_t asid = 10; asid < 10 + 2 * PV_SHADOW_MAX_SPACES; asid++) {
		other_space(asid);
		ck_assert(shadow_leaf(AREA_VA + 0x1040u, &b));
	}
	ck_assert_uint_gt(vm->shadow.stats.evictions, 0);
	ck_assert_uint_eq(vm->shadow.l2_used, l2_used);
	ck_assert_uint_lt(l2_used, vm->shadow.nl2);
	for (uint32_t i = vm->shadow.l2_free, n = 0; i != UINT32_MAX && n < 100000; n++) {
		ck_assert(i - vm->shadow.stub_l2 >= vm->shadow.stub_mibs);
		i = *(uint32_t *)(void *)(fb.pool + vm->shadow.l2meta_off + 4 * i);
	}
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	free_vm();
}
END_TEST

/* The checker holds the shared tables to their place. */
START_TEST(isolation_catches_stub_tables_elsewhere)
{
	struct pv_resume rs;
	uint32_t link, saved, *ul1;
	struct leaf l;

	setup_vm();
	fault(AREA_VA + 0x1000u, PV_ACC_EXEC, NULL);
	ck_assert(shadow_leaf(AREA_VA + 0x1000u, &l));
	link = *l.l1;
	/* Linked at another MiB of the kernel view. */
	saved = l.l1[-1];
	l.l1[-1] = link;
	ck_assert_int_eq(pv_shadow_check_isolation(vm), PV_ECORRUPT);
	l.l1[-1] = saved;
	/* With another domain. */
	*l.l1 = link & ~(15u << 5);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), PV_ECORRUPT);
	*l.l1 = link;
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	/* In the user view, where user code would run the stubs. */
	set_mode(PV_MODE_USR);
	pv_shadow_resume(v, &rs);
	ul1 = pool_ptr(pv_hpa_val(rs.ttbr0) & ~0x3fffull);
	ck_assert_ptr_ne(ul1, l.l1 - (AREA_VA >> 20));
	saved = ul1[AREA_VA >> 20];
	ul1[AREA_VA >> 20] = link;
	ck_assert_int_eq(pv_shadow_check_isolation(vm), PV_ECORRUPT);
	ul1[AREA_VA >> 20] = saved;
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	free_vm();
}
END_TEST

/* ======================================================================== */
/* The page at resume and at the next trap                                  */
/* ======================================================================== */

START_TEST(sync_out_writes_the_page)
{
	struct pv_resume rs;

	setup_vm();
	pv_vcpu_write_cpsr(v, PV_MODE_SVC | PV_PSR_I | PV_PSR_A | PV_PSR_Z |
				      PV_PSR_C | PV_PSR_GE_MASK | PV_PSR_Q);
	*pv_vcpu_spsr(v) = 0x600001d3u;
	v->cp15.tpidrprw = 0x11111111u;
	v->cp15.dacr = 0x55555551u;
	v->cp15.dfsr = 0x805u;
	v->cp15.ifsr = 0x7u;
	v->cp15.dfar = 0xdeadbee0u;
	v->cp15.ifar = 0xc0123450u;
	v->cp15.tpidruro = 0x22222222u;
	pv_vcpu_set_lines(v, true, false);
	memset(vpage_mem, 0xa5, 4096);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(*page_field(PV_VPAGE_CPSR), PV_MODE_SVC | PV_PSR_I | PV_PSR_A);
	ck_assert_uint_eq(*page_field(PV_VPAGE_PENDING), PV_PSR_I);
	ck_assert_uint_eq(*page_field(PV_VPAGE_SPSR), 0x600001d3u);
	ck_assert_uint_eq(*page_field(PV_VPAGE_TPIDRPRW), 0x11111111u);
	ck_assert_uint_eq(*page_field(PV_VPAGE_SCTLR), v->cp15.sctlr);
	ck_assert_uint_eq(*page_field(PV_VPAGE_DACR), 0x55555551u);
	ck_assert_uint_eq(*page_field(PV_VPAGE_DFSR), 0x805u);
	ck_assert_uint_eq(*page_field(PV_VPAGE_IFSR), 0x7u);
	ck_assert_uint_eq(*page_field(PV_VPAGE_DFAR), 0xdeadbee0u);
	ck_assert_uint_eq(*page_field(PV_VPAGE_IFAR), 0xc0123450u);
	ck_assert_uint_eq(*page_field(PV_VPAGE_TPIDRURO), 0x22222222u);
	ck_assert_uint_eq(*page_field(PV_VPAGE_MAGIC), PV_VPAGE_MAGIC_VALUE);
	ck_assert_ptr_eq(pv_vpage_of(v), vpage_mem);
	/* The other lines and modes. */
	pv_vcpu_set_lines(v, false, true);
	set_mode(PV_MODE_SYS); /* no SPSR */
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(*page_field(PV_VPAGE_PENDING), PV_PSR_F);
	ck_assert_uint_eq(*page_field(PV_VPAGE_SPSR), 0);
	ck_assert_uint_eq(*page_field(PV_VPAGE_CPSR) & PV_PSR_M_MASK, PV_MODE_SYS);
	pv_vcpu_set_lines(v, true, true);
	set_mode(PV_MODE_IRQ);
	*pv_vcpu_spsr(v) = 0x1234u;
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(*page_field(PV_VPAGE_PENDING), PV_PSR_F | PV_PSR_I);
	ck_assert_uint_eq(*page_field(PV_VPAGE_SPSR), 0x1234u);
	free_vm();
}
END_TEST

static void fill_garbage(uint32_t seed)
{
	for (unsigned i = 0; i < 1024; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		vpage_mem[i] = seed;
	}
}

START_TEST(sync_in_takes_back_only_the_stub_fields)
{
	struct pv_trap t = mk_trap(PV_TRAP_IRQ, PV_MODE_USR | PV_PSR_N | PV_PSR_E);
	struct pv_resume rs, rs2;
	struct pv_exit ex;
	struct pv_cp15 before;
	uint32_t cpsr0;

	setup_vm();
	pv_vcpu_write_cpsr(v, PV_MODE_SVC | PV_PSR_I | PV_PSR_A);
	*pv_vcpu_spsr(v) = 0x10u;
	v->spsr[pv_mode_bank(PV_MODE_IRQ)] = 0x13u;
	v->cp15.tpidrprw = 0x1234u;
	pv_vcpu_set_lines(v, false, false);
	v->r[15] = 0xc0001000u;
	pv_vcpu_resume_state(v, &rs);
	before = v->cp15;
	cpsr0 = v->cpsr;
	/* Garbage in every field; CPSR: I clear, F set, mode/T/A/E wrong. */
	fill_garbage(12345);
	*page_field(PV_VPAGE_CPSR) = PV_MODE_USR | PV_PSR_F | PV_PSR_T | PV_PSR_E |
				     PV_PSR_J | PV_PSR_IT_MASK | 0xf8000000u;
	*page_field(PV_VPAGE_SPSR) = 0x600000d3u;
	*page_field(PV_VPAGE_DACR) = 0x55555551u; /* domain 1: no access */
	*page_field(PV_VPAGE_SCTLR) = 0;          /* would turn the MMU off */
	*page_field(PV_VPAGE_PENDING) = PV_PSR_I | PV_PSR_F;
	*page_field(PV_VPAGE_TPIDRURO) = 0x7777aaaau; /* any value: a stub's */
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &ex), 0);
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
	ck_assert_uint_eq(v->stop, PV_STOP_NONE);
	/* CPSR: I and F from the page, the user bits from the host, the rest kept. */
	ck_assert_uint_eq(v->cpsr, (cpsr0 & ~(PV_PSR_I | PV_PSR_USER_MASK)) |
					   PV_PSR_F | PV_PSR_N | PV_PSR_E);
	ck_assert_uint_eq(v->spsr[pv_mode_bank(PV_MODE_SVC)], 0x600000d3u);
	ck_assert_uint_eq(v->spsr[pv_mode_bank(PV_MODE_IRQ)], 0x13u);
	/* Nothing else: no interrupt from the page's pending word either. */
	ck_assert_uint_eq(v->r[15], 0xc0001000u);
	ck_assert_uint_eq(v->cp15.tpidrprw, before.tpidrprw);
	ck_assert_uint_eq(v->cp15.sctlr, before.sctlr);
	ck_assert_uint_eq(v->cp15.dfsr, before.dfsr);
	ck_assert_uint_eq(v->cp15.ifsr, before.ifsr);
	ck_assert_uint_eq(v->cp15.dfar, before.dfar);
	ck_assert_uint_eq(v->cp15.ifar, before.ifar);
	ck_assert_uint_eq(v->cp15.ttbr0, before.ttbr0);
	/* DACR: applied as a write, and the shadow's host DACR follows. */
	ck_assert_uint_eq(v->cp15.dacr, 0x55555551u);
	pv_vcpu_resume_state(v, &rs2);
	ck_assert_uint_eq((rs.dacr >> 2) & 3, 1);
	ck_assert_uint_eq((rs2.dacr >> 2) & 3, 0);
	ck_assert_uint_eq(*page_field(PV_VPAGE_DACR), 0x55555551u);
	ck_assert_uint_eq(*page_field(PV_VPAGE_SCTLR), before.sctlr);
	/* TPIDRURO: the guest's register, and the host's at the resume. */
	ck_assert_uint_eq(v->cp15.tpidruro, 0x7777aaaau);
	ck_assert_uint_eq(rs2.tpidruro, 0x7777aaaau);
	ck_assert_uint_eq(*page_field(PV_VPAGE_TPIDRURO), 0x7777aaaau);
	free_vm();
}
END_TEST

START_TEST(sync_in_dacr_reaches_the_shadow)
{
	struct pv_trap t = mk_trap(PV_TRAP_IRQ, PV_MODE_USR);
	struct pv_resume rs;
	struct pv_exit ex;
	struct pv_fault f;

	setup_vm();
	/* A kernel mapping in guest domain 1, filled while it is client. */
	gptr(L1)[0xc10] = (RAM0 + 0x100000u) | 1u << 5 | 1u << 10 | 2;
	ck_assert_int_eq(fault(0xc1000000u, PV_ACC_READ, NULL), PV_SHADOW_FILLED);
	pv_vcpu_resume_state(v, &rs);
	*page_field(PV_VPAGE_DACR) = 0x55555551u;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &ex), 0);
	/* The guest now gets a domain fault there. */
	ck_assert_int_eq(fault(0xc1000000u, PV_ACC_READ, &f), PV_SHADOW_GUEST_FAULT);
	ck_assert_uint_eq(f.fsr & 0x40fu, 0x9u); /* domain, section */
	free_vm();
}
END_TEST

/* Leaving a Manager domain drops the rights it granted (as a DACR write does). */
START_TEST(sync_in_dacr_leaves_manager)
{
	struct pv_trap t = mk_trap(PV_TRAP_IRQ, PV_MODE_USR);
	struct pv_resume rs;
	struct pv_exit ex;
	uint32_t *l1, d;

	setup_vm();
	/* Kernel read-only (APX, AP=01) in guest domain 1, which is Manager. */
	gptr(L1)[0xc10] = (RAM0 + 0x100000u) | 1u << 5 | 1u << 15 | 1u << 10 | 2;
	v->cp15.dacr = 0x55555555u | 3u << 2;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_DACR);
	ck_assert_int_eq(fault(0xc1000000u, PV_ACC_WRITE, NULL), PV_SHADOW_FILLED);
	pv_vcpu_resume_state(v, &rs);
	*page_field(PV_VPAGE_DACR) = 0x55555555u;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &ex), 0);
	ck_assert_uint_eq(v->cp15.dacr, 0x55555555u);
	pv_vcpu_resume_state(v, &rs);
	l1 = pool_ptr(pv_hpa_val(rs.ttbr0) & ~0x3fffull);
	d = l1[0xc10];
	if ((d & 3) == 2)
		ck_assert_msg((((d >> 15) & 1) << 2 | ((d >> 10) & 3)) != 3,
			      "still writable: %08x", d);
	else if ((d & 3) == 1)
		ck_assert_msg((pool_ptr(d & 0xfffffc00u)[0] & 0x230u) != 0x030u,
			      "still writable");
	ck_assert_int_eq(fault(0xc1000000u, PV_ACC_WRITE, NULL), PV_SHADOW_GUEST_FAULT);
	free_vm();
}
END_TEST

START_TEST(sync_in_before_first_resume_reads_nothing)
{
	struct pv_trap t = mk_trap(PV_TRAP_IRQ, PV_MODE_USR);
	struct pv_exit ex;
	uint32_t cpsr0;

	setup_vm();
	*pv_vcpu_spsr(v) = 0x10u;
	cpsr0 = v->cpsr;
	fill_garbage(99);
	*page_field(PV_VPAGE_CPSR) = PV_MODE_SVC;
	*page_field(PV_VPAGE_DACR) = 0;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &ex), 0);
	ck_assert_uint_eq(v->cpsr, cpsr0);
	ck_assert_uint_eq(*pv_vcpu_spsr(v), 0x10u);
	ck_assert_uint_eq(v->cp15.dacr, 0x55555555u);
	free_vm();
}
END_TEST

/* ======================================================================== */
/* Leaving a stub before a guest exception                                  */
/* ======================================================================== */

/* Resume (the page live), then an IRQ trap with the PC at @pc, I clear. */
static void irq_at(uint32_t pc)
{
	struct pv_trap t = mk_trap(PV_TRAP_IRQ, PV_MODE_USR);
	struct pv_resume rs;
	struct pv_exit ex;

	pv_vcpu_write_cpsr(v, PV_MODE_SVC | PV_PSR_I);
	pv_vcpu_set_lines(v, true, false);
	pv_vcpu_resume_state(v, &rs);
	/* The stub cleared I. */
	*page_field(PV_VPAGE_CPSR) &= ~PV_PSR_I;
	*page_field(PV_VPAGE_SCRATCH) = 0x5c5c5c5cu;
	v->r[15] = pc;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &ex), 0);
	ck_assert_uint_eq(v->cpsr & PV_PSR_M_MASK, PV_MODE_IRQ);
	ck_assert_uint_eq(v->r[15], 0x18);
}

START_TEST(leave_rolls_back)
{
	const struct pv_stub *s = &stub_defs[S_MRS];

	setup_vm();
	for (unsigned i = 1; i < s->words - 1u; i++) {
		set_mode(PV_MODE_SVC);
		v->r[1] = 0x0badf00du;
		v->r[0] = 0x00000a0au;
		irq_at(s->stub + 4u * i);
		ck_assert_uint_eq(v->r[14], s->site + 4u);
		ck_assert_uint_eq(v->r[1], 0x5c5c5c5cu);
		ck_assert_uint_eq(v->r[0], 0x00000a0au);
		ck_assert_uint_eq(*pv_vcpu_spsr(v) & PV_PSR_M_MASK, PV_MODE_SVC);
	}
	/* At its first instruction nothing was saved yet. */
	set_mode(PV_MODE_SVC);
	v->r[1] = 0x0badf00du;
	irq_at(s->stub);
	ck_assert_uint_eq(v->r[14], s->site + 4u);
	ck_assert_uint_eq(v->r[1], 0x0badf00du);
	free_vm();
}
END_TEST

START_TEST(leave_rolls_forward)
{
	const struct pv_stub *s = &stub_defs[S_CPSIE];

	setup_vm();
	for (unsigned k = 0; k < 2; k++) {
		set_mode(PV_MODE_SVC);
		v->r[0] = 0x0badf00du;
		irq_at(s->stub + 4u * s->exit[k]);
		ck_assert_uint_eq(v->r[14], s->site + 8u);
		ck_assert_uint_eq(v->r[0], 0x0badf00du);
	}
	/* A stub without a saved register rolls back without touching one. */
	s = &stub_defs[S_MRC];
	set_mode(PV_MODE_SVC);
	for (unsigned i = 0; i < 15; i++)
		v->r[i] = i;
	irq_at(s->stub);
	ck_assert_uint_eq(v->r[14], s->site + 4u);
	for (unsigned i = 0; i < 13; i++)
		ck_assert_uint_eq(v->r[i], i);
	free_vm();
}
END_TEST

START_TEST(leave_with_mmu_off)
{
	const struct pv_stub *s = &stub_defs[S_MRS];

	setup_vm();
	mmu_off();
	set_mode(PV_MODE_SVC);
	v->r[1] = 0x0badf00du;
	irq_at(TO_PA(s->stub) + 8u);
	ck_assert_uint_eq(v->r[14], TO_PA(s->site) + 4u);
	ck_assert_uint_eq(v->r[1], 0x5c5c5c5cu);
	set_mode(PV_MODE_SVC);
	irq_at(TO_PA(s->stub) + 4u * s->exit[0]);
	ck_assert_uint_eq(v->r[14], TO_PA(s->site) + 8u);
	/* The VA of a stub is nothing special with the MMU off. */
	set_mode(PV_MODE_SVC);
	v->r[1] = 0x0badf00du;
	irq_at(s->stub + 8u);
	ck_assert_uint_eq(v->r[14], s->stub + 12u);
	ck_assert_uint_eq(v->r[1], 0x0badf00du);
	free_vm();
}
END_TEST

START_TEST(leave_outside_stubs)
{
	static const uint32_t pcs[] = {
		AREA_VA + 0x1060u, /* between stubs */
		AREA_VA + 0x1f00u, AREA_VA + 0x10u, AREA_VA + 0x3008u,
		AREA_VA - 4u, AREA_VA + AREA_SIZE,
	};

	setup_vm();
	for (unsigned i = 0; i < PV_ARRAY_SIZE(pcs); i++) {
		set_mode(PV_MODE_SVC);
		v->r[0] = v->r[1] = 0x0badf00du;
		irq_at(pcs[i]);
		ck_assert_uint_eq(v->r[14], pcs[i] + 4u);
		ck_assert_uint_eq(v->r[0], 0x0badf00du);
		ck_assert_uint_eq(v->r[1], 0x0badf00du);
	}
	/* Thumb state: never a stub. */
	set_mode(PV_MODE_SVC);
	{
		struct pv_trap t = mk_trap(PV_TRAP_IRQ, PV_MODE_USR | PV_PSR_T);
		struct pv_resume rs;
		struct pv_exit ex;

		pv_vcpu_write_cpsr(v, PV_MODE_SVC | PV_PSR_T);
		pv_vcpu_set_lines(v, true, false);
		pv_vcpu_resume_state(v, &rs);
		v->r[15] = stub_defs[S_MRS].stub + 8u;
		ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &ex), 0);
		ck_assert_uint_eq(v->r[14], stub_defs[S_MRS].stub + 12u);
	}
	free_vm();
}
END_TEST

START_TEST(leave_before_abort)
{
	const struct pv_stub *s = &stub_defs[S_MRS];
	struct pv_trap t = mk_trap(PV_TRAP_DABT, PV_MODE_USR);
	struct pv_resume rs;
	struct pv_exit ex;

	setup_vm();
	/* A guest data abort (alignment) taken inside a stub. */
	pv_vcpu_resume_state(v, &rs);
	*page_field(PV_VPAGE_SCRATCH) = 0x77u;
	v->r[1] = 0x0badf00du;
	v->r[15] = s->stub + 12u;
	t.fsr = 0x1; /* alignment */
	t.far = 0xc0000001u;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &ex), 0);
	ck_assert_int_eq(ex.injected, PV_INJ_DABT);
	ck_assert_uint_eq(v->cpsr & PV_PSR_M_MASK, PV_MODE_ABT);
	ck_assert_uint_eq(v->r[14], s->site + 8u); /* data abort: +8 */
	ck_assert_uint_eq(v->r[1], 0x77u);
	free_vm();
}
END_TEST

/* ======================================================================== */
/* Trap words inside stubs                                                  */
/* ======================================================================== */

#define CPSIE_I 0xf1080080u
#define MSR_CPSR_C_R2 0xe121f002u

static void write_word(uint32_t va, uint32_t w)
{
	*gptr(TO_PA(va)) = w;
}

/* The alias sites pvpatch writes, with class-only trap words. */
static void stub_traps(bool with_table)
{
	struct pv_patch_site ss[2] = {
		{ stub_defs[S_CPSIE].stub + 4u * CPSIE_TRAP, CPSIE_I,
		  pv_patch_marker_a32(PV_IC_CPS), PV_IC_CPS, PV_SITE_ALIAS },
		{ stub_defs[S_MSR].stub + 4u * MSR_TRAP, MSR_CPSR_C_R2,
		  pv_patch_marker_a32(PV_IC_MSR), PV_IC_MSR, PV_SITE_ALIAS },
	};
	size_t len = mk_site_file(site_blob, ss, 2);

	ck_assert_int_eq(pv_patch_table_parse(site_blob, len, &sites), 0);
	if (with_table)
		cfg.patch_sites = &sites;
	write_word(ss[0].va, ss[0].patched);
	write_word(ss[1].va, ss[1].patched);
}

static void trap_vm(bool with_table)
{
	base_cfg();
	stub_traps(with_table);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	v = &vm->vcpu[0];
	/* The area XN in the guest's tables: the emulator's fetch must not care. */
	for (uint32_t i = 0; i < 16; i++)
		gptr(L1)[(KVA >> 20) + i] = (RAM0 + (i << 20)) | 1u << 10 |
					    ((KVA + (i << 20)) == AREA_VA ? 1u << 4 : 0) | 2;
	v->cp15.sctlr = PV_SCTLR_M;
	v->cp15.ttbr0 = L1;
	v->cp15.dacr = 0x55555555u;
	pv_vcpu_write_cpsr(v, PV_MODE_SVC | PV_PSR_I);
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_ALL);
}

START_TEST(trap_in_cpsie_stub_delivers_after_the_site)
{
	const struct pv_stub *s = &stub_defs[S_CPSIE];
	struct pv_trap t = mk_trap(PV_TRAP_UNDEF, PV_MODE_USR | PV_PSR_Z);
	struct pv_resume rs;
	struct pv_exit ex;

	trap_vm(true);
	pv_vcpu_set_lines(v, true, false);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(*page_field(PV_VPAGE_PENDING), PV_PSR_I);
	*page_field(PV_VPAGE_CPSR) &= ~PV_PSR_I; /* the stub's commit */
	v->r[0] = 0x1234u;                       /* restored before the trap */
	v->r[15] = s->stub + 4u * CPSIE_TRAP;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &ex), 0);
	ck_assert_int_eq(ex.reason, PV_TR_PSR);
	ck_assert_uint_eq(v->stop, PV_STOP_NONE);
	ck_assert_uint_eq(v->cpsr & PV_PSR_M_MASK, PV_MODE_IRQ);
	ck_assert_uint_eq(v->r[14], s->site + 8u);
	ck_assert_uint_eq(v->r[15], 0x18);
	ck_assert_uint_eq(*pv_vcpu_spsr(v), PV_MODE_SVC | PV_PSR_Z);
	ck_assert_uint_eq(v->r[0], 0x1234u);
	/* Nothing pending: on at the exit, in the stub. */
	set_mode(PV_MODE_SVC);
	pv_vcpu_write_cpsr(v, PV_MODE_SVC | PV_PSR_I);
	pv_vcpu_set_lines(v, false, false);
	pv_vcpu_resume_state(v, &rs);
	*page_field(PV_VPAGE_CPSR) &= ~PV_PSR_I;
	v->r[15] = s->stub + 4u * CPSIE_TRAP;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &ex), 0);
	ck_assert_uint_eq(v->cpsr & (PV_PSR_M_MASK | PV_PSR_I), PV_MODE_SVC);
	/* Only the branch back was left: straight on past the site. */
	ck_assert_uint_eq(v->r[15], s->site + 4u);
	free_vm();
}
END_TEST

START_TEST(trap_in_msr_stub_changes_mode)
{
	const struct pv_stub *s = &stub_defs[S_MSR];
	struct pv_trap t = mk_trap(PV_TRAP_UNDEF, PV_MODE_USR);
	struct pv_resume rs;
	struct pv_exit ex;

	trap_vm(true);
	pv_vcpu_resume_state(v, &rs);
	v->r[2] = PV_MODE_IRQ | PV_PSR_I | PV_PSR_F;
	v->r[15] = s->stub + 4u * MSR_TRAP;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &ex), 0);
	ck_assert_int_eq(ex.reason, PV_TR_PSR);
	ck_assert_uint_eq(v->stop, PV_STOP_NONE);
	ck_assert_uint_eq(v->cpsr & (PV_PSR_M_MASK | PV_PSR_I | PV_PSR_F),
			  PV_MODE_IRQ | PV_PSR_I | PV_PSR_F);
	/* Past the site: the new mode may not be one whose view maps stubs. */
	ck_assert_uint_eq(v->r[15], s->site + 4u);
	/* The next resume describes the new mode. */
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(*page_field(PV_VPAGE_CPSR) & PV_PSR_M_MASK, PV_MODE_IRQ);
	free_vm();
}
END_TEST

START_TEST(trap_in_stub_without_table_is_the_guests)
{
	const struct pv_stub *s = &stub_defs[S_MSR];
	struct pv_trap t = mk_trap(PV_TRAP_UNDEF, PV_MODE_USR);
	struct pv_resume rs;
	struct pv_exit ex;

	/* A class-only word nobody describes is an UNDEF for the guest. */
	trap_vm(false);
	pv_vcpu_resume_state(v, &rs);
	v->r[2] = PV_MODE_IRQ | PV_PSR_I | PV_PSR_F;
	v->r[15] = s->stub + 4u * MSR_TRAP;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &ex), 0);
	ck_assert_int_eq(ex.injected, PV_INJ_UNDEF);
	ck_assert_uint_eq(v->cpsr & PV_PSR_M_MASK, PV_MODE_UND);
	free_vm();
}
END_TEST

START_TEST(trap_self_describing_in_stub)
{
	const struct pv_stub *s = &stub_defs[S_CPSIE];
	struct pv_trap t = mk_trap(PV_TRAP_UNDEF, PV_MODE_USR);
	struct pv_resume rs;
	struct pv_exit ex;
	uint32_t w;

	trap_vm(false);
	ck_assert_int_eq(pv_patch_self_encode(CPSIE_I, 0, &w), 0);
	write_word(s->stub + 4u * CPSIE_TRAP, w);
	pv_vcpu_set_lines(v, true, false);
	pv_vcpu_resume_state(v, &rs);
	*page_field(PV_VPAGE_CPSR) &= ~PV_PSR_I;
	v->r[15] = s->stub + 4u * CPSIE_TRAP;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &ex), 0);
	ck_assert_uint_eq(v->cpsr & PV_PSR_M_MASK, PV_MODE_IRQ);
	ck_assert_uint_eq(v->r[14], s->site + 8u);
	free_vm();
}
END_TEST

/* ======================================================================== */
/* A hostile guest kernel                                                   */
/* ======================================================================== */

static uint32_t hrng = 0x2545f491u;

static uint32_t hrand(void)
{
	hrng ^= hrng << 13;
	hrng ^= hrng >> 17;
	hrng ^= hrng << 5;
	return hrng;
}

static bool mode_valid(uint32_t m)
{
	static const uint32_t modes[] = { PV_MODE_USR, PV_MODE_FIQ, PV_MODE_IRQ,
					  PV_MODE_SVC, PV_MODE_ABT, PV_MODE_UND,
					  PV_MODE_SYS };

	for (unsigned i = 0; i < PV_ARRAY_SIZE(modes); i++)
		if (m == modes[i])
			return true;
	return false;
}

START_TEST(hostile_page_contents)
{
	static const enum pv_trap_kind kinds[] = { PV_TRAP_IRQ, PV_TRAP_UNDEF,
						   PV_TRAP_DABT, PV_TRAP_UNDEF };
	struct pv_resume rs;
	struct pv_exit ex;

	trap_vm(true);
	for (unsigned n = 0; n < 3000; n++) {
		struct pv_trap t = mk_trap(kinds[hrand() % 4], hrand());
		const struct pv_stub *s = &stub_defs[hrand() % NSTUBS];

		pv_vcpu_resume_state(v, &rs);
		for (unsigned i = 0; i < 1024; i++)
			vpage_mem[i] = (hrand() & 1) ? hrand() : vpage_mem[i] ^ (1u << (hrand() & 31));
		pv_vcpu_set_lines(v, hrand() & 1, (hrand() & 7) == 0);
		switch (hrand() % 4) {
		case 0: v->r[15] = s->stub + 4u * (hrand() % s->words); break;
		case 1: v->r[15] = AREA_VA + (hrand() & 0xffffcu); break;
		case 2: v->r[15] = s->site; break;
		default: break;
		}
		if (!(v->cp15.sctlr & PV_SCTLR_M) || (v->cpsr & PV_PSR_T))
			v->r[15] &= ~3u;
		t.fsr = PV_FS_TRANSL_SECTION;
		t.far = (hrand() & 1) ? AREA_VA + (hrand() & 0xfffffu) : hrand();
		ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &ex), 0);
		if (v->stop != PV_STOP_NONE && v->stop != PV_STOP_FATAL)
			break;
		ck_assert_msg(mode_valid(v->cpsr & PV_PSR_M_MASK), "mode %x",
			      v->cpsr & PV_PSR_M_MASK);
		/* Kernel and user accesses to the area in between. */
		{
			uint32_t va = AREA_VA + (hrand() & 0xffffcu);
			unsigned acc = (unsigned[]){ PV_ACC_READ, PV_ACC_WRITE, PV_ACC_EXEC }[hrand() % 3];
			enum pv_shadow_outcome oc = fault(va, acc, NULL);

			ck_assert_msg(pv_shadow_check_isolation(vm) == 0,
				      "isolation after %u: va %08x acc %u outcome %d mode %x kind %d",
				      n, va, acc, oc, v->cpsr & 0x1f, t.kind);
		}
		if (v->stop == PV_STOP_FATAL)
			ck_abort_msg("stopped fatally at %u: %d", n, v->stop_code);
	}
	free_vm();
}
END_TEST

/* ======================================================================== */
/* The backend fast path (pvcore/fastpath.h)                                */
/* ======================================================================== */

static struct pv_fast fast;

/* fastpath.h's paths as a backend carries them out (backends/fake). */
static bool model_svc(struct fake_fast_host *h)
{
	return fake_fast_svc(&fast, vpage_mem, h);
}

static bool model_eret(struct fake_fast_host *h)
{
	return fake_fast_eret(&fast, vpage_mem, h);
}

static bool model_xret(struct fake_fast_host *h)
{
	return fake_fast_xret(&fast, vpage_mem, h);
}

/* What a registered struct gets in the common case (no VFP, no timer). */
#define FAST_ALL (PV_FAST_SVC_OK | PV_FAST_ERET_OK | PV_FAST_PSR_OK | PV_FAST_BP_OK | \
		  PV_FAST_TTBR1_OK | PV_FAST_CTX_OK)
#define KSP 0xc0f00000u
#define KLR 0xc0012344u
#define USP 0x001ff000u
#define ULR 0x00100abcu
#define UPC (USER_VA + 0x100u)
#define ERET_VA (KVA + 0x20000u)

/*
 * The guest kernel has run once (both shadow views hold live ASIDs) and
 * is back in user mode at UPC, ARM or (@thumb) Thumb, with flags set.
 */
static void user_state(bool thumb, bool with_fast)
{
	struct pv_resume rs;

	setup_vm();
	if (with_fast)
		ck_assert_int_eq(pv_vcpu_set_fast(v, &fast), 0);
	v->r[13] = KSP;
	v->r[14] = KLR;
	*pv_vcpu_spsr(v) = 0x600001d3u;
	v->cp15.vbar = 0xc0008000u;
	pv_vcpu_resume_state(v, &rs);
	set_mode(PV_MODE_USR);
	v->cpsr &= ~(PV_PSR_I | PV_PSR_F);
	v->cpsr |= PV_PSR_Z | PV_PSR_C | (5u << 16) | (thumb ? PV_PSR_T : 0);
	v->r[13] = USP;
	v->r[14] = ULR;
	v->r[15] = UPC;
	v->r[0] = 64; /* the system call number, for the look of it */
	gptr(TO_PA(ERET_VA))[0] = PV_FAST_ERET_WORD;
	pv_vcpu_resume_state(v, &rs);
}

/* What a test compares between the core's path and the fast one. */
struct seen {
	uint32_t cpsr, r13, r14, r15;
	uint32_t spsr_svc, bank[4];
	uint32_t other[9]; /* SP, LR, SPSR of ABT, UND, IRQ when not live */
	uint32_t page[5];
	uint32_t ttbr0, asid, host_cpsr, host_dacr, dacr;
	uint64_t n_svc, n_eret, n_patched, n_psr;
};

static void record(struct seen *o)
{
	struct pv_resume rs;

	pv_vcpu_resume_state(v, &rs);
	memset(o, 0, sizeof(*o));
	o->cpsr = v->cpsr;
	o->r13 = v->r[13];
	o->r14 = v->r[14];
	o->r15 = v->r[15];
	o->spsr_svc = v->spsr[PV_BANK_SVC];
	/* The banks of the mode that is not live. */
	if ((v->cpsr & 0x1f) == PV_MODE_USR) {
		o->bank[0] = v->bank_sp[PV_BANK_SVC];
		o->bank[1] = v->bank_lr[PV_BANK_SVC];
	} else {
		o->bank[2] = v->bank_sp[PV_BANK_USR];
		o->bank[3] = v->bank_lr[PV_BANK_USR];
	}
	for (int i = 0; i < 3; i++) {
		static const enum pv_bank b[3] = { PV_BANK_ABT, PV_BANK_UND, PV_BANK_IRQ };

		if (pv_mode_bank(v->cpsr & 0x1f) == b[i])
			continue;
		o->other[3 * i] = v->bank_sp[b[i]];
		o->other[3 * i + 1] = v->bank_lr[b[i]];
		o->other[3 * i + 2] = v->spsr[b[i]];
	}
	o->page[0] = *page_field(PV_VPAGE_CPSR);
	o->page[1] = *page_field(PV_VPAGE_SPSR);
	o->page[2] = *page_field(PV_VPAGE_USR_SP);
	o->page[3] = *page_field(PV_VPAGE_USR_LR);
	o->page[4] = *page_field(PV_VPAGE_USR_BAD);
	o->ttbr0 = (uint32_t)pv_hpa_val(rs.ttbr0);
	o->asid = rs.asid;
	o->host_cpsr = rs.host_cpsr;
	o->host_dacr = rs.dacr;
	o->dacr = v->cp15.dacr;
	o->n_svc = vm->stats.traps[PV_TR_SVC];
	o->n_eret = vm->stats.traps[PV_TR_EXC_RETURN];
	o->n_patched = vm->stats.events[PV_EV_PATCHED];
	o->n_psr = vm->stats.traps[PV_TR_PSR];
}

static void same(const struct seen *a, const struct seen *b, const char *what)
{
	ck_assert_msg(a->cpsr == b->cpsr, "%s: cpsr %08x %08x", what, a->cpsr, b->cpsr);
	ck_assert_msg(a->r13 == b->r13 && a->r14 == b->r14 && a->r15 == b->r15,
		      "%s: sp/lr/pc %08x %08x %08x against %08x %08x %08x", what,
		      a->r13, a->r14, a->r15, b->r13, b->r14, b->r15);
	ck_assert_msg(a->spsr_svc == b->spsr_svc, "%s: spsr_svc %08x %08x", what,
		      a->spsr_svc, b->spsr_svc);
	ck_assert_msg(!memcmp(a->bank, b->bank, sizeof(a->bank)), "%s: banks", what);
	for (int i = 0; i < 9; i++)
		ck_assert_msg(a->other[i] == b->other[i], "%s: bank word %d: %08x %08x",
			      what, i, a->other[i], b->other[i]);
	for (int i = 0; i < 5; i++)
		ck_assert_msg(a->page[i] == b->page[i], "%s: page field %d: %08x %08x",
			      what, i, a->page[i], b->page[i]);
	ck_assert_msg(a->ttbr0 == b->ttbr0 && a->asid == b->asid &&
			      a->host_cpsr == b->host_cpsr,
		      "%s: resume %08x/%u/%08x against %08x/%u/%08x", what, a->ttbr0,
		      a->asid, a->host_cpsr, b->ttbr0, b->asid, b->host_cpsr);
	ck_assert_msg(a->host_dacr == b->host_dacr && a->dacr == b->dacr,
		      "%s: DACR %08x/%08x against %08x/%08x", what, a->host_dacr,
		      a->dacr, b->host_dacr, b->dacr);
	ck_assert_msg(a->n_svc == b->n_svc && a->n_eret == b->n_eret &&
			      a->n_patched == b->n_patched && a->n_psr == b->n_psr,
		      "%s: counts", what);
}

/* The kernel's exit path left this in the page (stub writes). */
static void kernel_prepares_return(uint32_t spsr)
{
	*page_field(PV_VPAGE_DACR) = 0x55555555u; /* uaccess_enable */
	*page_field(PV_VPAGE_SPSR) = spsr;
	*page_field(PV_VPAGE_USR_SP) = USP - 0x40u;
	*page_field(PV_VPAGE_USR_LR) = ULR + 8u;
	*page_field(PV_VPAGE_CPSR) |= PV_PSR_I; /* cpsid i */
}

/*
 * The kernel closed user access on entry (a lazy PAN stub write) and then
 * trapped to the core for something else, which applied it.
 */
static void host_irq_after(const struct fake_fast_host *h);
static void kernel_traps_with_user_access_off(void)
{
	struct fake_fast_host h = { .sp = v->r[13], .lr = v->r[14], .pc = v->r[15],
			  .cpsr = PV_MODE_USR };
	struct pv_resume rs;

	*page_field(PV_VPAGE_DACR) = 0x55555551u;
	host_irq_after(&h);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(v->cp15.dacr, 0x55555551u);
}

/* A host trap the backend takes after the fast path ran: the core syncs. */
static void host_irq_after(const struct fake_fast_host *h)
{
	struct pv_trap t = mk_trap(PV_TRAP_IRQ, h->cpsr);
	struct pv_exit e;

	v->r[13] = h->sp;
	v->r[14] = h->lr;
	v->r[15] = h->pc;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
	ck_assert_int_eq(e.action, PV_ACTION_RESUME);
	vm->stats.traps[PV_TR_HOST_IRQ]--; /* not part of the comparison */
}

/*
 * The oracle is the core's own path: the same system call and return,
 * once through pv_vcpu_handle_trap() and once through the fast path's
 * contract followed by an unrelated trap, leave the same vCPU, page,
 * resume state and counters. ARM and Thumb user code; returns to ARM and
 * Thumb.
 */
START_TEST(fast_svc_and_return_match_the_core)
{
	bool thumb = _i & 1, ret_thumb = _i & 2, pan = _i & 4;
	uint32_t ret_spsr = PV_MODE_USR | PV_PSR_N | (3u << 16) |
			    (ret_thumb ? PV_PSR_T : 0);
	struct seen a, b, a2, b2;
	struct pv_trap t;
	struct pv_exit e;
	struct fake_fast_host h;

	/* The core's path. */
	user_state(thumb, false);
	t = mk_trap(PV_TRAP_SVC, PV_MODE_USR | PV_PSR_Z | PV_PSR_C | (5u << 16) |
				  (thumb ? PV_PSR_T : 0));
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
	ck_assert_int_eq(e.injected, PV_INJ_SVC);
	record(&a);
	ck_assert_uint_eq(a.r15, 0xc0008008u);
	ck_assert_uint_eq(a.r14, UPC + (thumb ? 2 : 4));
	if (pan)
		kernel_traps_with_user_access_off();
	kernel_prepares_return(ret_spsr);
	v->r[15] = ERET_VA;
	t = mk_trap(PV_TRAP_UNDEF, PV_MODE_USR);
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
	ck_assert_int_eq(e.reason, PV_TR_EXC_RETURN);
	record(&a2);
	free_vm();

	/* The fast path. */
	user_state(thumb, true);
	ck_assert_uint_eq(fast.flags, FAST_ALL);
	h = (struct fake_fast_host){ .sp = USP, .lr = ULR, .exc_lr = UPC + (thumb ? 2 : 4) };
	h.spsr = PV_MODE_USR | PV_PSR_Z | PV_PSR_C | (5u << 16) |
		 (thumb ? PV_PSR_T : 0);
	ck_assert(model_svc(&h));
	host_irq_after(&h);
	record(&b);
	same(&a, &b, "svc");
	ck_assert_uint_eq(fast.n_svc, 0); /* taken back */
	ck_assert_uint_eq(fast.flags, FAST_ALL);
	if (pan) {
		kernel_traps_with_user_access_off();
		ck_assert_uint_eq(fast.dacr, 0x55555551u);
	}
	kernel_prepares_return(ret_spsr);
	h.pc = ERET_VA + 4; /* unused: the return goes to LR */
	ck_assert(model_eret(&h));
	host_irq_after(&h);
	record(&b2);
	same(&a2, &b2, "return");
	ck_assert_uint_eq(h.dacr, b2.host_dacr);
	/* Both ways in a row without the core in between. */
	ck_assert(model_svc(&(struct fake_fast_host){ .sp = 1, .lr = 2, .exc_lr = UPC + 4,
					    .spsr = PV_MODE_USR }));
	free_vm();
}
END_TEST

/* TPIDRURO values: Linux's "current" of two tasks, and two TLS words. */
#define CUR 0xc2a3b400u
#define NEXT 0xc2a3c800u
#define TLS0 0xb6f01234u
#define TLS1 0xb6f05678u

/* A kernel "mcr p15, 0, r1, c13, c0, 3" that the core emulates. */
static void kernel_mcr_tpidruro(uint32_t val)
{
	struct pv_trap t = mk_trap(PV_TRAP_UNDEF, PV_MODE_USR);
	struct pv_exit e;
	uint32_t pc = v->r[15], r1 = v->r[1];

	write_word(KVA + 0x20100u, 0xee0d1f70u);
	v->r[1] = val;
	v->r[15] = KVA + 0x20100u;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
	ck_assert_uint_eq(v->r[15], KVA + 0x20104u);
	v->r[15] = pc;
	v->r[1] = r1;
}

/* A trap reaches the core: its view, and the host register it resumes with. */
static void core_sees_tpidruro(const struct fake_fast_host *h, uint32_t mode, uint32_t val)
{
	struct pv_resume rs;

	host_irq_after(h);
	ck_assert_uint_eq(v->cpsr & PV_PSR_M_MASK, mode);
	ck_assert_uint_eq(v->cp15.tpidruro, val);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(rs.tpidruro, val);
}

/*
 * A system call with the SVC entry's TPIDRURO stub: the fast SVC loads
 * the kernel's last value into the host register, the entry stub finds it
 * there and commits, the exit stub leaves the user's TLS in the page and
 * the fast return loads it. No TPIDRURO write traps, and the core's view
 * at its next trap is the architectural one. A core trap between the SVC
 * and the entry write undoes the guess.
 */
START_TEST(fast_tpidruro_guess_and_deferred_tls)
{
	struct pv_resume rs;
	struct fake_fast_host h;
	uint64_t w0;

	with_tls_stub = true;
	setup_vm();
	ck_assert_int_eq(pv_vcpu_set_fast(v, &fast), 0);
	v->cp15.sctlr |= PV_SCTLR_V; /* Linux's high vectors */
	v->r[13] = KSP;
	v->r[14] = KLR;
	*pv_vcpu_spsr(v) = 0x600001d3u;
	kernel_mcr_tpidruro(CUR); /* __switch_to's set_current() */
	ck_assert_uint_eq(v->cp15.tpidruro, CUR);
	ck_assert_uint_eq(v->tpidruro_k, CUR);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.tpidruro_k, CUR);
	ck_assert_uint_eq(*page_field(PV_VPAGE_TPIDRURO), CUR);
	/* In user mode with its TLS. */
	set_mode(PV_MODE_USR);
	v->cpsr &= ~(PV_PSR_I | PV_PSR_F);
	v->r[13] = USP;
	v->r[14] = ULR;
	v->r[15] = UPC;
	v->cp15.tpidruro = TLS0;
	gptr(TO_PA(ERET_VA))[0] = PV_FAST_ERET_WORD;
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(rs.tpidruro, TLS0);
	ck_assert_uint_eq(fast.flags, FAST_ALL | PV_FAST_TLS_OK);
	ck_assert_uint_eq(fast.tpidruro_k, CUR);
	w0 = vm->stats.traps[PV_TR_CP15_WRITE];

	h = (struct fake_fast_host){ .sp = USP, .lr = ULR, .exc_lr = UPC + 4,
			   .spsr = PV_MODE_USR, .tpidruro = TLS0 };
	ck_assert(model_svc(&h));
	ck_assert_uint_eq(h.tpidruro, CUR);
	*page_field(PV_VPAGE_TPIDRURO) = CUR;  /* the entry stub: equal, commit */
	*page_field(PV_VPAGE_TPIDRURO) = TLS1; /* the exit stub */
	kernel_prepares_return(PV_MODE_USR);
	ck_assert(model_eret(&h));
	ck_assert_uint_eq(h.tpidruro, TLS1);
	core_sees_tpidruro(&h, PV_MODE_USR, TLS1);
	ck_assert_uint_eq(fast.tpidruro_k, CUR);
	ck_assert_uint_eq(vm->stats.traps[PV_TR_CP15_WRITE], w0);

	/* A core trap before the entry write: the guest's TLS comes back. */
	h.sp = USP;
	h.lr = ULR;
	h.exc_lr = UPC + 4;
	h.spsr = PV_MODE_USR;
	h.tpidruro = TLS1;
	ck_assert(model_svc(&h));
	ck_assert_uint_eq(h.tpidruro, CUR);
	core_sees_tpidruro(&h, PV_MODE_SVC, TLS1);

	/* The backend's fast MCR (another task): the guess follows. */
	fake_fast_mcr_tpidruro(&fast, vpage_mem, &h, NEXT);
	pv_vcpu_fast_tpidruro(v, h.tpidruro, 1);
	core_sees_tpidruro(&h, PV_MODE_SVC, NEXT);
	ck_assert_uint_eq(v->tpidruro_k, NEXT);
	ck_assert_uint_eq(vm->stats.traps[PV_TR_CP15_WRITE], w0 + 1);
	ck_assert_uint_eq(fast.tpidruro_k, NEXT);

	/* Low vectors: pvpatch's proof started at the high ones. */
	set_mode(PV_MODE_USR);
	v->cp15.sctlr &= ~PV_SCTLR_V;
	pv_vcpu_resume_state(v, &rs);
	ck_assert(fast.flags & PV_FAST_SVC_OK);
	ck_assert(!(fast.flags & PV_FAST_TLS_OK));
	free_vm();

	/* No entry stub in the table: no guess. */
	user_state(false, true);
	v->cp15.sctlr |= PV_SCTLR_V;
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags, FAST_ALL);
	free_vm();
}
END_TEST

/*
 * The compare stub decides on the host register, which a resume reloads
 * with the guest's value (undoing the fast SVC's guess): a trap that
 * leaves the PC inside it restarts it from its site (a roll forward at an
 * exit), and only its own MCR is emulated there. Without that, a host
 * interrupt between its MRC and its commit left Linux running its system
 * call with the user's TLS as "current" (a linux-modules run, CI).
 */
START_TEST(trap_in_tpidruro_stub_restarts_it)
{
	const uint32_t at = tls_stub.stub, site = tls_stub.site;
	struct pv_resume rs;
	struct fake_fast_host h;

	with_tls_stub = true;
	setup_vm();
	ck_assert_int_eq(pv_vcpu_set_fast(v, &fast), 0);
	v->cp15.sctlr |= PV_SCTLR_V;
	v->cp15.tpidruro = TLS0;
	pv_vcpu_resume_state(v, &rs);
	/* A host interrupt after its MRC saw the guess, before the commit. */
	*page_field(PV_VPAGE_SCRATCH) = 0xabcu;  /* r0, saved at word 0 */
	v->r[0] = 0x111u;                        /* what the stub made of it */
	h = (struct fake_fast_host){ .sp = v->r[13], .lr = v->r[14],
				     .pc = at + 4u * 11, .cpsr = PV_MODE_USR };
	host_irq_after(&h);
	ck_assert_uint_eq(v->r[15], site);
	ck_assert_uint_eq(v->r[0], 0xabcu);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(rs.tpidruro, TLS0);    /* the guess is gone ... */
	ck_assert_uint_eq(*page_field(PV_VPAGE_TPIDRURO), TLS0); /* ... uncommitted */
	/* At an exit: past the site. */
	h.pc = at + 4u * 13;
	host_irq_after(&h);
	ck_assert_uint_eq(v->r[15], site + 4u);
	/* An interrupt before its MCR ran: back to the site, nothing emulated. */
	h.pc = at + 4u * 8;
	host_irq_after(&h);
	ck_assert_uint_eq(v->r[15], site);
	ck_assert_uint_eq(v->cp15.tpidruro, TLS0);
	/* Its MCR itself: emulated, then on past the site. */
	{
		struct pv_trap t = mk_trap(PV_TRAP_UNDEF, PV_MODE_USR);
		struct pv_exit e;

		write_word(at + 4u * 8, 0xee0d1f70u); /* mcr p15, 0, r1, c13, c0, 3 */
		pv_vcpu_resume_state(v, &rs);
		v->r[1] = CUR;
		v->r[15] = at + 4u * 8;
		ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
		ck_assert_uint_eq(v->r[15], site + 4u);
		ck_assert_uint_eq(v->cp15.tpidruro, CUR);
		ck_assert_uint_eq(v->tpidruro_k, CUR);
	}
	/* Other stubs keep their PC (a masked interrupt in a CPSIE stub). */
	h.pc = stub_defs[S_CPSIE].stub + 4u * 3;
	host_irq_after(&h);
	ck_assert_uint_eq(v->r[15], stub_defs[S_CPSIE].stub + 4u * 3);
	free_vm();
}
END_TEST

/*
 * The state at the end of one of Linux's vector stubs: the core took the
 * exception from user mode into @mode (LR and SPSR set, I and A masked),
 * the stub loaded the handler's address into LR and wrote SPSR = @x (an
 * SVC PSR) through its fast MSR. SVC's bank holds the kernel stack.
 */
#define XSP 0xc0a00000u  /* the stub's own stack */
#define XLR 0xc0010007u  /* the handler, low bits for the "& ~3" */
static const uint32_t xret_modes[3] = { PV_MODE_ABT, PV_MODE_UND, PV_MODE_IRQ };

static void stub_state(uint32_t mode, bool with_fast, bool irq, uint32_t x)
{
	struct pv_resume rs;

	user_state(false, with_fast);
	v->bank_sp[PV_BANK_SVC] = KSP - 0x100u;
	v->bank_lr[PV_BANK_SVC] = KLR + 0x10u;
	v->spsr[PV_BANK_SVC] = 0x20000013u;
	pv_vcpu_set_lines(v, irq, false);
	pv_vcpu_take_exception(v, mode == PV_MODE_ABT ? PV_EXC_DABT :
				  mode == PV_MODE_UND ? PV_EXC_UNDEF : PV_EXC_IRQ,
			       v->r[15]);
	ck_assert_uint_eq(v->cpsr & 0x1f, mode);
	v->r[13] = XSP;
	pv_vcpu_resume_state(v, &rs);
	v->r[14] = XLR;
	v->r[0] = XSP;
	*page_field(PV_VPAGE_SPSR) = x;
	v->r[15] = ERET_VA;
}

/*
 * The stub return, through the core and through the contract, from ABT,
 * UND and IRQ: alone (@_i / 3 == 0), chained with the fast return to user
 * mode without the core in between (1), and with the IRQ line up and the
 * return keeping I masked (2).
 */
START_TEST(fast_stub_return_matches_the_core)
{
	uint32_t mode = xret_modes[_i % 3], variant = (uint32_t)_i / 3;
	bool irq = variant == 2, chain = variant == 1;
	/* What "mrs r0, cpsr; eor r0, r0, #(mode ^ SVC)" makes of the entry's
	 * CPSR, with the stub's flags. */
	uint32_t x = PV_PSR_Z | PV_PSR_C | PV_MODE_SVC | PV_PSR_I |
		     (mode != PV_MODE_UND ? PV_PSR_A : 0);
	uint32_t host = PV_MODE_USR | PV_PSR_N | (6u << 16);
	uint32_t ret_spsr = PV_MODE_USR | PV_PSR_V | (3u << 16);
	struct seen a, b;
	struct pv_trap t = mk_trap(PV_TRAP_UNDEF, host);
	struct pv_exit e;
	struct fake_fast_host h;

	/* The core's path. */
	stub_state(mode, false, irq, x);
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
	ck_assert_int_eq(e.reason, PV_TR_EXC_RETURN);
	ck_assert_int_eq(e.injected, PV_INJ_NONE);
	ck_assert_uint_eq(v->r[15], XLR & ~3u);
	ck_assert_uint_eq(v->cpsr, x);
	if (chain) {
		kernel_prepares_return(ret_spsr);
		v->r[15] = ERET_VA;
		t = mk_trap(PV_TRAP_UNDEF, host);
		ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
		ck_assert_int_eq(e.reason, PV_TR_EXC_RETURN);
	}
	record(&a);
	free_vm();

	/* The fast path. */
	stub_state(mode, true, irq, x);
	ck_assert_uint_eq(fast.flags & (PV_FAST_XRET_OK | PV_FAST_ERET_OK | PV_FAST_SVC_OK),
			  PV_FAST_XRET_OK | (irq ? 0 : PV_FAST_ERET_OK | PV_FAST_SVC_OK));
	ck_assert_uint_eq(fast.xret_imask, irq ? PV_PSR_I : 0);
	h = (struct fake_fast_host){ .sp = XSP, .lr = XLR, .cpsr = host };
	ck_assert(model_xret(&h));
	ck_assert_uint_eq(h.pc, XLR & ~3u);
	/* Once: the mode is SVC now. */
	ck_assert(!model_xret(&(struct fake_fast_host){ 0 }));
	if (chain) {
		kernel_prepares_return(ret_spsr);
		ck_assert(model_eret(&h));
	} else {
		ck_assert(!model_eret(&h)); /* SPSR_svc says SVC, or a line up */
	}
	host_irq_after(&h);
	record(&b);
	same(&a, &b, chain ? "stub return and return" : "stub return");
	ck_assert_uint_eq(fast.n_xret, 0); /* taken back */
	free_vm();
}
END_TEST

/*
 * The fast return's prefill (fastpath.h, "Prefill"). A user page in a
 * guest L2 table is filled once (the template), a user write to the next
 * page faults for want of a PTE (the hint), the kernel writes the PTE and
 * returns through the stub return and the fast return of the contract.
 * Variant 0: the prefill writes the shadow entry the core's own fill
 * writes for the retried access (compared word for word), the isolation
 * check passes, and the count reaches the statistics. Each other variant
 * breaks one condition, and the entry stays empty for the core to fill:
 * (1) other PTE bits (read-only), (2) a page outside guest RAM, (3) a new
 * L1 entry, (4) a core trap in between, (5) another user view, (6) a
 * hint for another DACR; (7) a fault under an L1 entry with other bits
 * than the template's leaves no hint.
 */
#define PF_VA 0x00300000u
#define PF_L2 (RAM0 + 0xd00000u)
#define PF_PAGE (RAM0 + 0xd10000u)
#define PF_LO 0xc7eu /* small page, AP 11, TEX 001 C B (WBWA), S, nG */

/* The user mapping of PF_VA and a read of its first page: a fill, which
 * teaches the prefill its template; no hint yet. */
static void teach_template(void)
{
	struct pv_trap t = mk_trap(PV_TRAP_DABT, PV_MODE_USR | PV_PSR_N);
	struct pv_resume rs;
	struct pv_exit e;

	user_state(false, true);
	gptr(L1)[PF_VA >> 20] = PF_L2 | 1u;
	gptr(PF_L2)[0] = PF_PAGE | PF_LO;
	gptr(PF_L2)[1] = 0;
	t.fsr = 0x5u;
	t.far = PF_VA + 0x10u;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
	ck_assert_int_eq(e.reason, PV_TR_SHADOW_FILL);
	ck_assert(v->pf.tmpl);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.pf_pte[0] | fast.pf_pte[1], 0);
}

/*
 * A user write to page @n of PF_VA faults (a hint is left, the template
 * taught before), the kernel writes its PTE and returns through the stub
 * return and the fast return, which fills the shadow entry.
 */
static void fault_then_prefill(uint32_t n)
{
	uint32_t host = PV_MODE_USR | PV_PSR_N;
	struct pv_trap t = mk_trap(PV_TRAP_DABT, host);
	struct fake_fast_host h;
	struct pv_resume rs;
	struct pv_exit e;

	t.fsr = 0x805u;
	t.far = PF_VA + n * 0x1000u + 4u;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
	ck_assert_int_eq(e.injected, PV_INJ_DABT);
	v->r[13] = XSP;
	pv_vcpu_resume_state(v, &rs);
	gptr(PF_L2)[n] = (PF_PAGE + n * 0x1000u) | PF_LO;
	v->r[14] = XLR;
	*page_field(PV_VPAGE_SPSR) = PV_PSR_Z | PV_MODE_SVC | PV_PSR_I | PV_PSR_A;
	h = (struct fake_fast_host){ .sp = XSP, .lr = XLR, .cpsr = host };
	ck_assert(model_xret(&h));
	kernel_prepares_return(PV_MODE_USR);
	ck_assert(model_eret(&h));
	ck_assert_uint_eq(fast.n_prefill, 1);
	host_irq_after(&h);
}

START_TEST(fast_prefill_after_page_fault)
{
	uint32_t x = PV_PSR_Z | PV_MODE_SVC | PV_PSR_I | PV_PSR_A;
	uint32_t host = PV_MODE_USR | PV_PSR_N, u_ttbr0, made, core;
	struct pv_trap t = mk_trap(PV_TRAP_DABT, host);
	struct fake_fast_host h;
	struct pv_resume rs;
	struct leaf lf;
	struct pv_exit e;

	teach_template();
	/* The write to the next: the guest's translation fault. */
	t = mk_trap(PV_TRAP_DABT, host);
	t.fsr = 0x805u;
	t.far = PF_VA + 0x1004u;
	if (_i == 7) {
		/* In a MiB whose L1 entry has other bits (domain 1), with a
		 * shadow table: filled there, then the template learnt again
		 * in the first MiB, which does not cover the second. */
		gptr(L1)[(PF_VA >> 20) + 1] = (PF_L2 + 0x800u) | 1u << 5 | 1u;
		gptr(PF_L2 + 0x800u)[0] = PF_PAGE | PF_LO;
		gptr(PF_L2)[2] = (PF_PAGE + 0x2000u) | PF_LO;
		for (unsigned k = 0; k < 2; k++) {
			struct pv_trap rd = mk_trap(PV_TRAP_DABT, host);

			rd.fsr = 0x5u;
			rd.far = k ? PF_VA + 0x2000u : PF_VA + 0x100000u;
			ck_assert_int_eq(pv_vcpu_handle_trap(v, &rd, &e), 0);
			ck_assert_int_eq(e.reason, PV_TR_SHADOW_FILL);
			pv_vcpu_resume_state(v, &rs);
		}
		t.far += 0x100000u;
		ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
		ck_assert_int_eq(e.injected, PV_INJ_DABT);
		pv_vcpu_resume_state(v, &rs);
		ck_assert_uint_eq(fast.pf_pte[0] | fast.pf_pte[1], 0);
		free_vm();
		return;
	}
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
	ck_assert_int_eq(e.injected, PV_INJ_DABT);
	ck_assert_uint_eq(v->cpsr & 0x1f, PV_MODE_ABT);
	v->r[13] = XSP;
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_ne(fast.pf_pte[0] | fast.pf_pte[1], 0);
	ck_assert(!v->pf.hint); /* handed over */
	u_ttbr0 = fast.u_ttbr0;

	/* The kernel's handler. */
	switch (_i) {
	case 1: gptr(PF_L2)[1] = (PF_PAGE + 0x1000u) | PF_LO | 0x200u; break;
	case 2: gptr(PF_L2)[1] = 0xfff00000u | PF_LO; break;
	case 3:
		/* A copy of the table (the first page too: no TLB
		 * maintenance, so the shadow may keep that one), and in the
		 * old one a PTE the prefill must not take. */
		gptr(PF_L2)[1] = (PF_PAGE + 0x2000u) | PF_LO;
		gptr(PF_L2 + 0x400u)[0] = PF_PAGE | PF_LO;
		gptr(PF_L2 + 0x400u)[1] = (PF_PAGE + 0x1000u) | PF_LO;
		gptr(L1)[PF_VA >> 20] = (PF_L2 + 0x400u) | 1u;
		break;
	default: gptr(PF_L2)[1] = (PF_PAGE + 0x1000u) | PF_LO; break;
	}
	v->r[14] = XLR;
	*page_field(PV_VPAGE_SPSR) = x;
	h = (struct fake_fast_host){ .sp = XSP, .lr = XLR, .cpsr = host };
	ck_assert(model_xret(&h));
	kernel_prepares_return(PV_MODE_USR);
	if (_i == 4) {
		host_irq_after(&h);
		/* Dropped at the core's entry, and not given again. */
		ck_assert_uint_eq(fast.pf_pte[0] | fast.pf_pte[1], 0);
		pv_vcpu_resume_state(v, &rs);
		ck_assert_uint_eq(fast.pf_pte[0] | fast.pf_pte[1], 0);
	}
	if (_i == 5)
		fast.u_ttbr0 ^= 0x4000u;
	if (_i == 6)
		fast.pf_dacr ^= 0x4u; /* a template for another DACR */
	ck_assert(model_eret(&h));
	fast.u_ttbr0 = u_ttbr0;
	ck_assert_uint_eq(fast.pf_pte[0] | fast.pf_pte[1], 0); /* one go */
	ck_assert_uint_eq(fast.n_prefill, _i == 0);
	host_irq_after(&h);
	ck_assert_uint_eq(v->cpsr & 0x1f, PV_MODE_USR);
	ck_assert_uint_eq(vm->shadow.stats.prefills, _i == 0);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	made = shadow_leaf(PF_VA + 0x1000u, &lf) ? *lf.l2 : 0;
	ck_assert_msg((made != 0) == (_i == 0), "variant %d: entry %08x", _i, made);

	/* The core's path for the retried write: the same entry, or the
	 * fill (or fault) it makes itself. */
	if (made)
		*lf.l2 = 0;
	t = mk_trap(PV_TRAP_DABT, host);
	t.fsr = 0x807u;
	t.far = PF_VA + 0x1004u;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
	core = shadow_leaf(PF_VA + 0x1000u, &lf) ? *lf.l2 : 0;
	if (_i == 0)
		ck_assert_msg(core == made, "prefill %08x, core %08x", made, core);
	if (_i == 2)
		ck_assert_int_eq(e.injected, PV_INJ_DABT); /* external abort */
	else
		ck_assert_msg(core != 0 || e.injected == PV_INJ_DABT,
			      "variant %d: no fill, no abort", _i);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	if (_i == 0) {
		/* Another fault, the template unchanged: the struct still
		 * holds it, and the prefill maps the new page alike. */
		pv_vcpu_resume_state(v, &rs);
		fault_then_prefill(3);
		ck_assert(shadow_leaf(PF_VA + 0x3000u, &lf));
		ck_assert_uint_eq(*lf.l2, (made & 0xfffu) +
					  (made & ~0xfffu) + 0x2000u);
		ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	}
	free_vm();
}
END_TEST

/*
 * A prefilled entry in a line of its table that no core fill wrote: when
 * the table is freed and taken again for another MiB, that line is
 * cleared too (the hint marked it as written, shadow.c l2_dirty()), and
 * the walker sees it cleared.
 */
START_TEST(prefilled_line_is_cleared_when_the_table_is_reused)
{
	uint32_t host = PV_MODE_USR | PV_PSR_N, slot_pa;
	struct pv_trap t;
	struct leaf lf;
	struct pv_exit e;

	teach_template();
	/* Page 9, in the table's second line. */
	fault_then_prefill(9);
	ck_assert(shadow_leaf(PF_VA + 0x9000u, &lf));
	slot_pa = *lf.l1 & ~0x3ffu;
	/* The guest unmaps the MiB; its table goes back to the free list. */
	gptr(L1)[PF_VA >> 20] = 0;
	pv_shadow_tlbi(v, PV_TLBI_ALL, 0);
	/* Another MiB, one page at index 0: the same table, taken again. */
	gptr(L1)[(PF_VA >> 20) + 2] = (PF_L2 + 0x400u) | 1u;
	gptr(PF_L2 + 0x400u)[0] = PF_PAGE | PF_LO;
	t = mk_trap(PV_TRAP_DABT, host);
	t.fsr = 0x5u;
	t.far = PF_VA + 0x200010u;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
	ck_assert_int_eq(e.reason, PV_TR_SHADOW_FILL);
	ck_assert(shadow_leaf(PF_VA + 0x200000u, &lf));
	ck_assert_uint_eq(*lf.l1 & ~0x3ffu, slot_pa);
	ck_assert(!shadow_leaf(PF_VA + 0x209000u, &lf));
	ck_assert_uint_eq(*lf.l2, 0);
	ck_assert_int_eq(pv_shadow_check_isolation(vm), 0);
	ck_assert_int_eq(fake_backend_walker_stale(&fb, vm), -1);
	free_vm();
}
END_TEST

/*
 * Each check of the stub return refuses, writing nothing, and the core
 * then takes the trap: another mode, a flag clear, a guest-written SPSR
 * that names another mode or holds T, E, J, IT or reserved bits, one that
 * unmasks a line that is up, a DACR write to apply. Random SPSRs: only
 * SVC ones with the free bits pass, and the host CPSR is always USR with
 * the flag bits alone.
 */
START_TEST(fast_stub_return_refusals)
{
	static const uint32_t bad_x[] = {
		PV_MODE_USR, PV_MODE_FIQ, PV_MODE_IRQ, PV_MODE_ABT, PV_MODE_UND,
		PV_MODE_SYS, 0x16u /* MON */, 0x1au /* HYP */, 0x03u, 0x00u,
		PV_MODE_SVC | PV_PSR_T, PV_MODE_SVC | PV_PSR_E, PV_MODE_SVC | PV_PSR_J,
		PV_MODE_SVC | (1u << 25), PV_MODE_SVC | (1u << 10), PV_MODE_SVC | (1u << 20),
		PV_MODE_SVC | (1u << 23),
	};
	uint32_t good = PV_MODE_SVC | PV_PSR_I | PV_PSR_A | PV_PSR_F |
			PV_FAST_FLAG_BITS;
	struct pv_fast keep;
	uint32_t page[32];
	struct fake_fast_host h = { .sp = XSP, .lr = XLR }, h0;
	struct pv_resume rs;

#define UNTOUCHED()                                                             \
	do {                                                                    \
		ck_assert(!memcmp(&keep, &fast, sizeof(fast)));                 \
		ck_assert(!memcmp(page, page_field(PV_VPAGE_FIELDS), sizeof(page))); \
		ck_assert(!memcmp(&h0, &h, sizeof(h)));                         \
	} while (0)
#define REFUSED()                                                               \
	do {                                                                    \
		keep = fast;                                                    \
		memcpy(page, page_field(PV_VPAGE_FIELDS), sizeof(page));       \
		h0 = h;                                                         \
		ck_assert(!model_xret(&h));                                     \
		UNTOUCHED();                                                    \
	} while (0)

	for (unsigned m = 0; m < 3; m++) {
		stub_state(xret_modes[m], true, false, good);
		for (size_t i = 0; i < PV_ARRAY_SIZE(bad_x); i++) {
			*page_field(PV_VPAGE_SPSR) = bad_x[i] | PV_PSR_I;
			REFUSED();
		}
		/* The core takes one of them: an illegal mode stays ABT/UND/IRQ. */
		{
			struct pv_trap t = mk_trap(PV_TRAP_UNDEF, PV_MODE_USR);
			struct pv_exit e;

			*page_field(PV_VPAGE_SPSR) = 0x1au | PV_PSR_I;
			ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
			ck_assert_uint_eq(v->cpsr & 0x1f, xret_modes[m]);
			pv_vcpu_resume_state(v, &rs);
			ck_assert_uint_eq(fast.flags & PV_FAST_XRET_OK, PV_FAST_XRET_OK);
		}
		/* A DACR write to apply. */
		*page_field(PV_VPAGE_SPSR) = good;
		*page_field(PV_VPAGE_DACR) ^= 3u;
		REFUSED();
		*page_field(PV_VPAGE_DACR) ^= 3u;
		/* The flag clear. */
		fast.flags &= ~(uint32_t)PV_FAST_XRET_OK;
		REFUSED();
		fast.flags |= PV_FAST_XRET_OK;
		/* Random SPSRs. */
		for (int n = 0; n < 4000; n++) {
			uint32_t x = hrand();

			if (n & 1) /* mostly SVC, few other bits */
				x = (x & hrand() & hrand() & ~0x1fu) | PV_MODE_SVC;
			*page_field(PV_VPAGE_SPSR) = x;
			keep = fast;
			if ((x & 0x1f) != PV_MODE_SVC ||
			    (x & (PV_PSR_T | PV_PSR_E | PV_PSR_J | PV_PSR_IT_MASK | 0x00F00000u))) {
				REFUSED();
				continue;
			}
			ck_assert(model_xret(&h));
			ck_assert_uint_eq(h.cpsr, (x & PV_FAST_FLAG_BITS) | PV_MODE_USR);
			ck_assert_uint_eq(fast.cpsr, x & (0x1c0u | 0x1fu));
			/* Back to the stub: the core's state did not move. */
			fast = keep;
			fast.n_xret = 0;
			h = (struct fake_fast_host){ .sp = XSP, .lr = XLR };
		}
		free_vm();
	}
	/* Modes without the path: SVC and SYS (never set), FIQ (r8-r12). */
	{
		static const uint32_t modes[] = { PV_MODE_FIQ, PV_MODE_SYS, PV_MODE_SVC,
						  PV_MODE_USR };

		for (size_t i = 0; i < PV_ARRAY_SIZE(modes); i++) {
			user_state(false, true);
			set_mode(modes[i]);
			pv_vcpu_resume_state(v, &rs);
			ck_assert_uint_eq(fast.flags & PV_FAST_XRET_OK, 0);
			/* A struct claiming the path there is refused by the model too. */
			*page_field(PV_VPAGE_SPSR) = good;
			fast.flags |= PV_FAST_XRET_OK;
			REFUSED();
			free_vm();
		}
	}
	/* A line up that the return would unmask: no fast path; the core
	 * delivers the interrupt right after the return. */
	stub_state(PV_MODE_IRQ, true, true, PV_MODE_SVC);
	REFUSED();
	{
		struct pv_trap t = mk_trap(PV_TRAP_UNDEF, PV_MODE_USR);
		struct pv_exit e;

		ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
		ck_assert_uint_eq(v->cpsr & 0x1f, PV_MODE_IRQ); /* taken again */
		ck_assert_uint_eq(v->spsr[PV_BANK_IRQ] & 0x1f, PV_MODE_SVC);
	}
	free_vm();
	/* FIQ line up: F must stay set. */
	stub_state(PV_MODE_ABT, true, false, PV_MODE_SVC | PV_PSR_I);
	pv_vcpu_set_lines(v, false, true);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & (PV_FAST_XRET_OK | PV_FAST_ERET_OK),
			  PV_FAST_XRET_OK);
	ck_assert_uint_eq(fast.xret_imask, PV_PSR_F);
	*page_field(PV_VPAGE_SPSR) = PV_MODE_SVC | PV_PSR_I; /* the stub's again */
	REFUSED();
	*page_field(PV_VPAGE_SPSR) |= PV_PSR_F;
	ck_assert(model_xret(&h));
	free_vm();
#undef REFUSED
#undef UNTOUCHED
}
END_TEST

/* fastpath.h's PSR accesses, as a backend writes them; @regs: r0-r14. */
static bool model_psr(uint32_t word, uint32_t host_spsr, uint32_t *regs)
{
	uint32_t r = word & 0xf, base = word & ~0xfu, mode = fast.cpsr & 0x1f;
	bool spsr_form = base != PV_FAST_MRS_CPSR_WORD;

	if (!(fast.flags & PV_FAST_PSR_OK) || r == 13 || r == 15 ||
	    (spsr_form && (mode == PV_MODE_USR || mode == PV_MODE_SYS)))
		return false;
	if (base == PV_FAST_MRS_SPSR_WORD)
		regs[r] = *page_field(PV_VPAGE_SPSR);
	else if (base == PV_FAST_MRS_CPSR_WORD)
		regs[r] = (fast.cpsr & ~(PV_PSR_I | PV_PSR_F | PV_PSR_J)) |
			  (*page_field(PV_VPAGE_CPSR) & (PV_PSR_I | PV_PSR_F)) |
			  (host_spsr & PV_FAST_MRS_HOST_BITS);
	else if (base == PV_FAST_MSR_SPSR_WORD)
		*page_field(PV_VPAGE_SPSR) = regs[r];
	else
		return false;
	fast.n_psr++;
	return true;
}

/*
 * The PSR accesses of Linux's vector stubs (IRQ mode, the page written by
 * the kernel's own stubs before), through the core and through the fast
 * path, for every register they allow; and the refusals.
 */
START_TEST(fast_psr_matches_the_core)
{
	static const uint32_t words[] = { PV_FAST_MRS_SPSR_WORD, PV_FAST_MRS_CPSR_WORD,
					  PV_FAST_MSR_SPSR_WORD };
	uint32_t host = PV_MODE_USR | PV_PSR_N | PV_PSR_V | (9u << 16) | PV_PSR_E;

	for (unsigned w = 0; w < 3; w++) {
		for (uint32_t r = 0; r < 15; r++) {
			uint32_t word = words[w] | r, a[16], b[16];
			struct pv_trap t = mk_trap(PV_TRAP_UNDEF, host);
			struct pv_exit e;
			struct seen sa, sb;
			struct fake_fast_host h;

			for (int pass = 0; pass < 2; pass++) {
				struct pv_resume rs;
				uint32_t *out = pass ? b : a;

				user_state(false, pass == 1);
				set_mode(PV_MODE_IRQ);
				*pv_vcpu_spsr(v) = 0x600000d0u;
				for (unsigned i = 0; i < 15; i++)
					v->r[i] = 0x1000u * i + 0x10u;
				v->r[15] = ERET_VA;
				gptr(TO_PA(ERET_VA))[0] = word;
				pv_vcpu_resume_state(v, &rs);
				/* The kernel's stubs changed I and the SPSR since. */
				*page_field(PV_VPAGE_CPSR) |= PV_PSR_F;
				*page_field(PV_VPAGE_SPSR) = 0x800001f0u;
				if (!pass) {
					ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
					ck_assert_int_eq(e.reason, PV_TR_PSR);
					record(&sa);
				} else {
					ck_assert_uint_eq(fast.flags & PV_FAST_PSR_OK,
							  PV_FAST_PSR_OK);
					ck_assert_msg(model_psr(word, host, v->r) == (r != 13),
						      "word %08x", word);
					if (r == 13) {
						/* sp: the core's job; the same trap then. */
						ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
					} else {
						h = (struct fake_fast_host){ .sp = v->r[13], .lr = v->r[14],
								   .pc = ERET_VA + 4,
								   .cpsr = host };
						host_irq_after(&h);
					}
					record(&sb);
				}
				memcpy(out, v->r, sizeof(a));
				free_vm();
			}
			ck_assert_msg(!memcmp(a, b, sizeof(a)), "word %08x: registers", word);
			same(&sa, &sb, "psr");
		}
	}
	/* No SPSR in SYS (the core makes it UNDEF); none for a closed flag. */
	user_state(false, true);
	set_mode(PV_MODE_SYS);
	{
		struct pv_resume rs;
		uint32_t regs[16] = { 0 };

		pv_vcpu_resume_state(v, &rs);
		ck_assert(!model_psr(PV_FAST_MRS_SPSR_WORD, host, regs));
		ck_assert(!model_psr(PV_FAST_MSR_SPSR_WORD | 1, host, regs));
		ck_assert(model_psr(PV_FAST_MRS_CPSR_WORD | 1, host, regs));
		ck_assert_uint_eq(regs[1] & 0x1f, PV_MODE_SYS);
		fast.flags &= ~(uint32_t)PV_FAST_PSR_OK;
		ck_assert(!model_psr(PV_FAST_MRS_CPSR_WORD | 1, host, regs));
	}
	free_vm();
}
END_TEST

/* Each condition that keeps the fast paths off, and the checks that stay. */
START_TEST(fast_flags_off)
{
	struct pv_resume rs;
	struct fake_fast_host h;

	user_state(false, true);
	/* An interrupt line up. */
	pv_vcpu_set_lines(v, false, true);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags, PV_FAST_PSR_OK | PV_FAST_BP_OK | PV_FAST_TTBR1_OK);
	pv_vcpu_set_lines(v, false, false);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags, FAST_ALL);
	/* Another mode: a vector stub's may return fast. */
	set_mode(PV_MODE_IRQ);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags, FAST_ALL | PV_FAST_XRET_OK);
	set_mode(PV_MODE_SYS);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags, PV_FAST_PSR_OK | PV_FAST_BP_OK | PV_FAST_TTBR1_OK);
	set_mode(PV_MODE_SVC);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags, FAST_ALL);
	/* A VFP enable that differs between the modes (CPACR PL1 only). */
	v->cp15.cpacr = 0x00500000u;
	v->vfp.fpexc = PV_FPEXC_EN;
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags, PV_FAST_PSR_OK | PV_FAST_BP_OK | PV_FAST_TTBR1_OK);
	v->cp15.cpacr = 0x00f00000u;
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags, FAST_ALL | PV_FAST_VFP_OK);
	/* Trap chains off: no fast context switch either. */
	vm->cfg.no_trap_chains = true;
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags, (FAST_ALL | PV_FAST_VFP_OK) & ~(uint32_t)PV_FAST_CTX_OK);
	vm->cfg.no_trap_chains = false;
	/* The guest's return that the fast path leaves to the core. */
	h = (struct fake_fast_host){ .sp = KSP, .lr = ULR };
	*page_field(PV_VPAGE_SPSR) = PV_MODE_USR | PV_PSR_I;
	ck_assert(!model_eret(&h));
	*page_field(PV_VPAGE_SPSR) = PV_MODE_SVC;
	ck_assert(!model_eret(&h));
	*page_field(PV_VPAGE_SPSR) = PV_MODE_USR | (1u << 25); /* IT */
	ck_assert(!model_eret(&h));
	*page_field(PV_VPAGE_SPSR) = PV_MODE_USR;
	*page_field(PV_VPAGE_DACR) ^= 3u; /* a lazy PAN write to apply */
	ck_assert(!model_eret(&h));
	*page_field(PV_VPAGE_DACR) ^= 3u;
	ck_assert(model_eret(&h));
	/* MMU off: no views to switch. */
	mmu_off();
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags, PV_FAST_PSR_OK | PV_FAST_VFP_OK | PV_FAST_BP_OK |
				      PV_FAST_TTBR1_OK);
	/* The struct inside guest RAM, or misaligned, is refused. */
	ck_assert_int_eq(pv_vcpu_set_fast(v, (struct pv_fast *)(void *)gptr(RAM0 + 0x100u)),
			 PV_EINVAL);
	ck_assert_int_eq(pv_vcpu_set_fast(v, (struct pv_fast *)(void *)((char *)&fast + 2)),
			 PV_EINVAL);
	ck_assert_int_eq(pv_vcpu_set_fast(v, (struct pv_fast *)(void *)(vpage_mem + 100)),
			 PV_EINVAL);
	/* Unregistered: nothing is written. */
	ck_assert_int_eq(pv_vcpu_set_fast(v, NULL), 0);
	fast.flags = 0x5a;
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags, 0x5a);
	free_vm();
}
END_TEST

/*
 * A site table that gives an SVC as a trap word, or the fast return's
 * word another meaning, turns that path off: the core would not take
 * them as the fast path does.
 */
START_TEST(fast_sites_turn_paths_off)
{
	static const struct pv_patch_site svc_site[] = {
		{ KVA + 0x10000u, 0xE10F0000u, 0xEF000000u, PV_IC_MRS, 0 },
	};
	static const struct pv_patch_site eret_site[] = {
		{ KVA + 0x10000u, 0xE1B0F00Fu, PV_FAST_ERET_WORD, PV_IC_DP_ERET, 0 },
	};
	static const struct pv_patch_site fine_site[] = {
		{ KVA + 0x10000u, 0xE1B0F00Eu, PV_FAST_ERET_WORD, PV_IC_DP_ERET, 0 },
	};
	static const struct { const struct pv_patch_site *s; uint32_t want; } c[] = {
		{ svc_site, FAST_ALL & ~(uint32_t)PV_FAST_SVC_OK },
		{ eret_site, PV_FAST_SVC_OK | PV_FAST_BP_OK | PV_FAST_TTBR1_OK |
				     PV_FAST_CTX_OK },
		{ fine_site, FAST_ALL },
	};

	for (size_t i = 0; i < PV_ARRAY_SIZE(c); i++) {
		struct pv_resume rs;

		user_state(false, false);
		/* Built by hand: the manifest parser refuses an SVC trap word,
		 * but a backend may hand the core any table. */
		sites = (struct pv_patch_table){ .sites = c[i].s, .count = 1,
						 .image_base = IMG_VA,
						 .image_size = 0x900000u };
		vm->cfg.patch_sites = &sites;
		ck_assert_int_eq(pv_vcpu_set_fast(v, &fast), 0);
		pv_vcpu_resume_state(v, &rs);
		ck_assert_uint_eq(fast.flags, c[i].want);
		free_vm();
	}
}
END_TEST

/*
 * The fast global-timer read: after the guest kernel read the counter
 * through the core once (which caches its mapping of the device page),
 * the core offers the page and the offset, and clock + offset is what the
 * core's own read gives at any later whole tick, low and high word; the
 * flag stays off for a stopped counter, another period, no cached mapping
 * or a backend without a clock.
 */
#define GT_KVA 0xf0000000u

/* A kernel load at @base + @off of the MPCore page, through the core. */
static uint32_t kernel_read_at(uint32_t base, uint32_t off)
{
	struct pv_trap t = { PV_TRAP_DABT, PV_MODE_USR, 0x7u, base + off };
	struct pv_exit e;

	gptr(TO_PA(ERET_VA))[0] = 0xe5912000u | off; /* ldr r2, [r1, #off] */
	v->r[1] = base;
	v->r[2] = 0xdeadbeefu;
	v->r[15] = ERET_VA;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
	ck_assert_int_eq(e.reason, PV_TR_MMIO_READ);
	ck_assert_uint_eq(v->r[15], ERET_VA + 4);
	return v->r[2];
}

static uint32_t kernel_gt_read(uint32_t off)
{
	return kernel_read_at(GT_KVA, off);
}

/* Another address space, as a context switch makes it. */
static void next_context(void)
{
	v->cp15.contextidr++;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_CONTEXTIDR);
}

START_TEST(fast_gt_read_matches_the_core)
{
	struct pv_resume rs;
	uint64_t off;

	user_state(false, true);
	set_mode(PV_MODE_SVC);
	/* The MPCore page, device memory, kernel only: where Linux maps it. */
	gptr(L1)[GT_KVA >> 20] = (vm->cfg.board->periph_base & 0xfff00000u) |
				 1u << 10 | 1u << 2 | 2;
	fb.now = 123456789u; /* no whole tick: the base must round up */
	ck_assert_int_eq(pv_a9_gt_write(&vm->dev.timers, 0, fb.now, 8, 4, 1), 0);
	fast.gt_clock_ns = PV_A9_PERIPHCLK_NS;
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0); /* not seen yet */
	fb.now = 200000000u;
	(void)kernel_gt_read(0x200);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	ck_assert_uint_eq(fast.gt_va, GT_KVA + (vm->cfg.board->periph_base & 0xff000u));
	off = (uint64_t)fast.gt_off_hi << 32 | fast.gt_off_lo;
	for (uint64_t T = 20000000u; T < 20000000u + (1u << 20); T += 77777u) {
		fb.now = T * PV_A9_PERIPHCLK_NS;
		ck_assert_uint_eq(kernel_gt_read(0x200), (uint32_t)(T + off));
		ck_assert_uint_eq(kernel_gt_read(0x204), (uint32_t)((T + off) >> 32));
		pv_vcpu_resume_state(v, &rs);
		ck_assert_uint_eq((uint64_t)fast.gt_off_hi << 32 | fast.gt_off_lo, off);
	}
	/* Counted as the core counts its reads. */
	fast.n_gt = 3;
	{
		uint64_t before = vm->stats.traps[PV_TR_MMIO_READ];
		struct fake_fast_host h = { .sp = v->r[13], .lr = v->r[14], .pc = v->r[15],
				  .cpsr = PV_MODE_USR };

		host_irq_after(&h);
		ck_assert_uint_eq(vm->stats.traps[PV_TR_MMIO_READ], before + 3);
	}
	/* Another period (prescaler 1), no clock, a stopped counter. */
	ck_assert_int_eq(pv_a9_gt_write(&vm->dev.timers, 0, fb.now, 8, 4, 0x101), 0);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0);
	ck_assert_int_eq(pv_a9_gt_write(&vm->dev.timers, 0, fb.now, 8, 4, 1), 0);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	fast.gt_clock_ns = 0;
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0);
	fast.gt_clock_ns = PV_A9_PERIPHCLK_NS;
	ck_assert_int_eq(pv_a9_gt_write(&vm->dev.timers, 0, fb.now, 8, 4, 0), 0);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0);
	ck_assert_int_eq(pv_a9_gt_write(&vm->dev.timers, 0, fb.now, 8, 4, 1), 0);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	/*
	 * Guest TLB maintenance that reaches the clock's global entry
	 * (TLBIALL, by MVA at its page, a range over it) turns the flag off
	 * until the kernel reads the clock through the core again.
	 */
	pv_shadow_tlbi(v, PV_TLBI_ALL, 0);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0);
	(void)kernel_gt_read(0x200);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	pv_shadow_tlbi(v, PV_TLBI_MVA, fast.gt_va | 5u);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0);
	(void)kernel_gt_read(0x200);
	pv_shadow_tlbi(v, PV_TLBI_MVAA, fast.gt_va);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0);
	(void)kernel_gt_read(0x200);
	/* A range that wraps past 4 GiB onto the page. */
	pv_shadow_tlbi_range(v, fast.gt_va - 0x3000u, 4);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0);
	(void)kernel_gt_read(0x200);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	/*
	 * What cannot reach it leaves the flag: a TLBIASID (the mapping is
	 * global), pages next to it, a range that ends just before it. The
	 * regime's cache is empty after each; the core walks once.
	 */
	pv_shadow_tlbi(v, PV_TLBI_ASID, v->cp15.contextidr & 0xffu);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	pv_shadow_tlbi(v, PV_TLBI_MVA, fast.gt_va + 0x1000u);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	pv_shadow_tlbi(v, PV_TLBI_MVAA, fast.gt_va - 0x1000u);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	pv_shadow_tlbi_range(v, fast.gt_va - 0x3000u, 3);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	/*
	 * Without a walk: the entry found before comes back in the same
	 * regime, as a TLB keeps a global entry (the guest unmapped the page
	 * but invalidated elsewhere); not in another regime, nor when its
	 * domain's DACR field changed.
	 */
	gptr(L1)[GT_KVA >> 20] = 0;
	pv_shadow_tlbi(v, PV_TLBI_ASID, v->cp15.contextidr & 0xffu);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	v->cp15.dacr ^= 3u; /* domain 0: client -> manager */
	pv_shadow_tlbi(v, PV_TLBI_ASID, v->cp15.contextidr & 0xffu);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0);
	v->cp15.dacr ^= 3u;
	pv_shadow_tlbi(v, PV_TLBI_ASID, v->cp15.contextidr & 0xffu);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	v->cp15.contextidr ^= 0x100u; /* same ASID, another PROCID */
	pv_shadow_tlbi(v, PV_TLBI_ASID, v->cp15.contextidr & 0xffu);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0);
	v->cp15.contextidr ^= 0x100u;
	gptr(L1)[GT_KVA >> 20] = (vm->cfg.board->periph_base & 0xfff00000u) |
				 1u << 10 | 1u << 2 | 2;
	pv_shadow_tlbi(v, PV_TLBI_ALL, 0);
	(void)kernel_gt_read(0x200);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	/* A non-global mapping of the page: the core's reads, never fast. */
	gptr(L1)[GT_KVA >> 20] |= 1u << 17;
	pv_shadow_tlbi(v, PV_TLBI_ALL, 0);
	(void)kernel_gt_read(0x200);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0);
	next_context();
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0); /* nor walked */
	gptr(L1)[GT_KVA >> 20] &= ~(1u << 17);
	pv_shadow_tlbi(v, PV_TLBI_ALL, 0);
	(void)kernel_gt_read(0x200);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	/* Made non-global behind the core's back: the next regime's walk
	 * does not take it. */
	gptr(L1)[GT_KVA >> 20] |= 1u << 17;
	next_context();
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0);
	gptr(L1)[GT_KVA >> 20] &= ~(1u << 17);
	next_context();
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	/*
	 * A context switch (another CONTEXTIDR) empties it too; then the core
	 * walks the address once (in the guest kernel) and finds it while the
	 * guest still maps the page there.
	 */
	set_mode(PV_MODE_USR);
	next_context();
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0); /* no walk for user */
	set_mode(PV_MODE_SVC);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	ck_assert_uint_eq(fast.gt_va, GT_KVA + (vm->cfg.board->periph_base & 0xff000u));
	gptr(L1)[GT_KVA >> 20] = 0; /* unmapped */
	next_context();
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0);
	/* Mapped again, but in the same regime: one walk per regime only. */
	gptr(L1)[GT_KVA >> 20] = (vm->cfg.board->periph_base & 0xfff00000u) |
				 1u << 10 | 1u << 2 | 2;
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0);
	next_context();
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	/* Mapped elsewhere (RAM): the walk does not take it. */
	gptr(L1)[GT_KVA >> 20] = RAM0 | 1u << 10 | 2;
	next_context();
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0);
	free_vm();
}
END_TEST

/*
 * Linux maps the MPCore page more than once (the GIC CPU interface, the
 * timers, the SCU each ioremap it). The fast read is offered for the page
 * through which the kernel read the counter on the core's path, not for
 * another mapping that the translation cache happens to hold.
 */
#define GIC_KVA 0xf0100000u

START_TEST(fast_gt_read_follows_the_counters_mapping)
{
	struct pv_resume rs;
	uint32_t mpcore, in_mib;

	user_state(false, true);
	set_mode(PV_MODE_SVC);
	mpcore = vm->cfg.board->periph_base & 0xfff00000u;
	in_mib = vm->cfg.board->periph_base & 0xff000u;
	gptr(L1)[GT_KVA >> 20] = mpcore | 1u << 10 | 1u << 2 | 2;
	gptr(L1)[GIC_KVA >> 20] = mpcore | 1u << 10 | 1u << 2 | 2;
	ck_assert_int_eq(pv_a9_gt_write(&vm->dev.timers, 0, fb.now, 8, 4, 1), 0);
	fast.gt_clock_ns = PV_A9_PERIPHCLK_NS;
	/* Before any counter read, any mapping of the page will do. */
	(void)kernel_read_at(GIC_KVA + in_mib, 0x100);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	ck_assert_uint_eq(fast.gt_va, GIC_KVA + in_mib);
	/* The counter read through the core names the page. */
	(void)kernel_read_at(GT_KVA + in_mib, 0x200);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	ck_assert_uint_eq(fast.gt_va, GT_KVA + in_mib);
	/* The counter through the other mapping, a cache hit (the GIC read
	 * before it filled the entry): that page. */
	(void)kernel_read_at(GIC_KVA + in_mib, 0x100);
	(void)kernel_read_at(GIC_KVA + in_mib, 0x200);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.gt_va, GIC_KVA + in_mib);
	(void)kernel_read_at(GT_KVA + in_mib, 0x204);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.gt_va, GT_KVA + in_mib);
	/* In a new regime only the GIC's mapping is cached: the core walks
	 * the counter's instead of taking it. */
	next_context();
	(void)kernel_read_at(GIC_KVA + in_mib, 0x100);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	ck_assert_uint_eq(fast.gt_va, GT_KVA + in_mib);
	/* The counter's mapping gone: no fast read rather than the GIC's. */
	gptr(L1)[GT_KVA >> 20] = 0;
	next_context();
	(void)kernel_read_at(GIC_KVA + in_mib, 0x100);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0);
	/* Nor does the kernel's LDRT of the counter through a mapping user
	 * code may read (an unprivileged access). */
	gptr(L1)[GT_KVA >> 20] = mpcore | 1u << 10 | 1u << 2 | 2;
	gptr(L1)[GIC_KVA >> 20] = mpcore | 3u << 10 | 1u << 2 | 2;
	(void)kernel_read_at(GT_KVA + in_mib, 0x200);
	ck_assert_uint_eq(v->fast_gt_seen, GT_KVA + in_mib);
	{
		struct pv_trap t = { PV_TRAP_DABT, PV_MODE_USR, 0x7u,
				     GIC_KVA + in_mib + 0x200 };
		struct pv_exit e;

		gptr(TO_PA(ERET_VA))[0] = 0xe4b12000u; /* ldrt r2, [r1], #0 */
		v->r[1] = GIC_KVA + in_mib + 0x200;
		v->r[15] = ERET_VA;
		ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
		ck_assert_uint_eq(v->r[15], ERET_VA + 4);
	}
	ck_assert_uint_eq(v->fast_gt_seen, GT_KVA + in_mib);
	/* User reads teach nothing. */
	set_mode(PV_MODE_USR);
	pv_fast_device_read(v, GIC_KVA + in_mib, PV_ACC_READ,
			    vm->cfg.board->periph_base + 0x200);
	ck_assert_uint_eq(v->fast_gt_seen, GT_KVA + in_mib);
	free_vm();
}
END_TEST

/*
 * FPEXC writes and reads of Linux's lazy VFP switching, through the core
 * and through fastpath.h's contract; the flag needs full CPACR access.
 */
START_TEST(fast_fpexc_matches_the_core)
{
	static const uint32_t vals[] = { 0xffffffffu, 0, PV_FPEXC_EN, 0x3fffffffu };
	uint32_t host = PV_MODE_USR;

	for (unsigned k = 0; k < PV_ARRAY_SIZE(vals); k++) {
		for (uint32_t rt = 0; rt < 15; rt++) {
			uint32_t wr = PV_FAST_VMSR_FPEXC_WORD | rt << 12;
			uint32_t rd = PV_FAST_VMRS_FPEXC_WORD | ((rt + 5) % 15) << 12;
			uint32_t regs[2][16], fpexc[2], n[2];
			bool en[2];

			for (int pass = 0; pass < 2; pass++) {
				struct pv_trap t = mk_trap(PV_TRAP_UNDEF, host);
				struct pv_resume rs;
				struct pv_exit e;

				user_state(false, pass == 1);
				set_mode(PV_MODE_SVC);
				v->cp15.cpacr = 0x00f00000u;
				for (unsigned i = 0; i < 15; i++)
					v->r[i] = vals[k] ^ (i * 0x01010101u);
				pv_vcpu_resume_state(v, &rs);
				for (int w = 0; w < 2; w++) {
					uint32_t word = w ? rd : wr;

					if (!pass) {
						gptr(TO_PA(ERET_VA))[0] = word;
						v->r[15] = ERET_VA;
						ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
						ck_assert_int_eq(e.reason, PV_TR_VFP_CTRL);
						pv_vcpu_resume_state(v, &rs);
						continue;
					}
					ck_assert_uint_eq(fast.flags & PV_FAST_VFP_OK,
							  PV_FAST_VFP_OK);
					unsigned r = (word >> 12) & 15;

					if (r == 13) {
						/* sp: the core's (the flags then fill again) */
						gptr(TO_PA(ERET_VA))[0] = word;
						v->r[15] = ERET_VA;
						ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
						pv_vcpu_resume_state(v, &rs);
						continue;
					}
					if (w) {
						v->r[r] = fast.fpexc;
					} else {
						fast.fpexc = v->r[r] & PV_FPEXC_EN;
					}
					fast.n_vfp++;
					v->r[15] = ERET_VA + 4;
				}
				if (pass) {
					struct fake_fast_host h = { .sp = v->r[13], .lr = v->r[14],
							  .pc = v->r[15], .cpsr = host };

					host_irq_after(&h);
					pv_vcpu_resume_state(v, &rs);
				}
				memcpy(regs[pass], v->r, sizeof(regs[pass]));
				fpexc[pass] = v->vfp.fpexc;
				n[pass] = (uint32_t)vm->stats.traps[PV_TR_VFP_CTRL];
				en[pass] = rs.vfp_enable;
				free_vm();
			}
			ck_assert_msg(!memcmp(regs[0], regs[1], sizeof(regs[0])),
				      "rt %u: registers", rt);
			ck_assert_uint_eq(fpexc[0], fpexc[1]);
			ck_assert_uint_eq(n[0], n[1]);
			ck_assert_int_eq(en[0], en[1]);
		}
	}
	/* CPACR PL1-only or no access, or NSACR without cp10/11: no flag. */
	user_state(false, true);
	{
		static const uint32_t cpacr[] = { 0x00500000u, 0, 0x00700000u };
		struct pv_resume rs;

		for (size_t i = 0; i < PV_ARRAY_SIZE(cpacr); i++) {
			v->cp15.cpacr = cpacr[i];
			pv_vcpu_resume_state(v, &rs);
			ck_assert_uint_eq(fast.flags & PV_FAST_VFP_OK, 0);
		}
		v->cp15.cpacr = 0x00f00000u;
		v->cp15.nsacr = 0;
		pv_vcpu_resume_state(v, &rs);
		ck_assert_uint_eq(fast.flags & PV_FAST_VFP_OK, 0);
	}
	free_vm();
}
END_TEST

/*
 * BPIALL and BPIALLIS: the core's own path changes nothing but the PC and
 * the cp15-write count (the fast path's whole contract); the flag is set
 * whenever a struct is registered.
 */
START_TEST(fast_bpiall_is_what_the_core_does)
{
	static const uint32_t words[] = { PV_FAST_BPIALL_WORD | 3u << 12,
					  PV_FAST_BPIALLIS_WORD };

	for (size_t k = 0; k < PV_ARRAY_SIZE(words); k++) {
		struct pv_trap t = mk_trap(PV_TRAP_UNDEF, PV_MODE_USR);
		struct pv_vcpu before;
		struct pv_resume rs;
		struct pv_exit e;
		uint64_t n;

		user_state(false, true);
		set_mode(PV_MODE_SVC);
		pv_vcpu_resume_state(v, &rs);
		ck_assert_uint_eq(fast.flags & PV_FAST_BP_OK, PV_FAST_BP_OK);
		gptr(TO_PA(ERET_VA))[0] = words[k];
		v->r[15] = ERET_VA;
		before = *v;
		t.host_cpsr = PV_MODE_USR | (v->cpsr & PV_PSR_USER_MASK);
		n = vm->stats.traps[PV_TR_CP15_WRITE];
		ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
		ck_assert_int_eq(e.reason, PV_TR_CP15_WRITE);
		ck_assert_int_eq(e.injected, PV_INJ_NONE);
		ck_assert_uint_eq(v->r[15], ERET_VA + 4);
		ck_assert_uint_eq(vm->stats.traps[PV_TR_CP15_WRITE], n + 1);
		ck_assert(!memcmp(v->r, before.r, 15 * sizeof(v->r[0])));
		ck_assert_uint_eq(v->cpsr, before.cpsr);
		ck_assert(!memcmp(&v->cp15, &before.cp15, sizeof(v->cp15)));
		/* The fast path's count reaches the same counter. */
		pv_vcpu_resume_state(v, &rs);
		fast.n_cp15w = 2;
		{
			struct fake_fast_host h = { .sp = v->r[13], .lr = v->r[14],
					  .pc = v->r[15], .cpsr = PV_MODE_USR };

			host_irq_after(&h);
		}
		ck_assert_uint_eq(vm->stats.traps[PV_TR_CP15_WRITE], n + 3);
		free_vm();
	}
}
END_TEST

/* TTBR1 reads: the core's path against the contract, every register. */
START_TEST(fast_ttbr1_read_matches_the_core)
{
	for (uint32_t rt = 0; rt < 15; rt++) {
		uint32_t word = PV_FAST_MRC_TTBR1_WORD | rt << 12, regs[2][16];
		uint64_t n[2];

		for (int pass = 0; pass < 2; pass++) {
			struct pv_trap t = mk_trap(PV_TRAP_UNDEF, PV_MODE_USR);
			struct pv_resume rs;
			struct pv_exit e;

			user_state(false, pass == 1);
			set_mode(PV_MODE_SVC);
			v->cp15.ttbr1 = 0x12344000u | 0x6au;
			for (unsigned i = 0; i < 15; i++)
				v->r[i] = 0xabcd0000u + i;
			pv_vcpu_resume_state(v, &rs);
			if (!pass || rt == 13) {
				gptr(TO_PA(ERET_VA))[0] = word;
				v->r[15] = ERET_VA;
				ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
				ck_assert_int_eq(e.reason, PV_TR_CP15_READ);
			} else {
				struct fake_fast_host h;

				ck_assert_uint_eq(fast.flags & PV_FAST_TTBR1_OK,
						  PV_FAST_TTBR1_OK);
				v->r[rt] = fast.ttbr1;
				fast.n_cp15r++;
				h = (struct fake_fast_host){ .sp = v->r[13], .lr = v->r[14],
						   .pc = ERET_VA + 4, .cpsr = PV_MODE_USR };
				host_irq_after(&h);
			}
			memcpy(regs[pass], v->r, sizeof(regs[pass]));
			n[pass] = vm->stats.traps[PV_TR_CP15_READ];
			free_vm();
		}
		ck_assert_msg(!memcmp(regs[0], regs[1], sizeof(regs[0])), "rt %u", rt);
		ck_assert_uint_eq(n[0], n[1]);
	}
}
END_TEST

/* ---- fast context switches ---- */

/*
 * Linux's address-space switch: a lone TTBR0 write (the reserved tables
 * of check_and_switch_context()) and the CONTEXTIDR; ISB; TTBR0 chain of
 * cpu_v7_switch_mm(). Tables: the user's L1, another task's, and a
 * kernel-only one, all with the same linear map.
 */
#define CTX_VA (KVA + 0x30000u)
#define L1B (RAM0 + 0x400000u)
#define L1S (RAM0 + 0x404000u)
#define MCR_TTBR0(rt) (PV_FAST_MCR_TTBR0_WORD | (rt) << 12)
#define MCR_CTX(rt) (PV_FAST_MCR_CONTEXTIDR_WORD | (rt) << 12)
#define ISB_SY (PV_FAST_ISB_WORD | 0xfu)

/* fastpath.h's fast context switch, as a backend writes it. */
static bool model_ctx(struct fake_fast_host *h, uint32_t pc)
{
	struct pv_fast *f = &fast;
	uint32_t w = gptr(TO_PA(pc))[0], d = *page_field(PV_VPAGE_DACR), t, a;
	unsigned rt = (w >> 12) & 15, chain = 0, i;
	struct pv_fast_ctx *e = NULL;

	if (rt >= 13)
		return false;
	if ((w & 0xffff0fffu) == PV_FAST_MCR_TTBR0_WORD) {
		t = v->r[rt];
		a = f->ctx_contextidr;
	} else if ((w & 0xffff0fffu) == PV_FAST_MCR_CONTEXTIDR_WORD) {
		uint32_t w1, w2;

		if ((pc & 0xfffu) > 0xff4u)
			return false;
		w1 = gptr(TO_PA(pc))[1];
		w2 = gptr(TO_PA(pc))[2];
		if ((w1 & ~0xfu) != PV_FAST_ISB_WORD ||
		    (w2 & 0xffff0fffu) != PV_FAST_MCR_TTBR0_WORD ||
		    ((w2 >> 12) & 15) >= 13)
			return false;
		a = v->r[rt];
		t = v->r[(w2 >> 12) & 15];
		chain = 1;
	} else {
		return false;
	}
	if (!(f->flags & PV_FAST_CTX_OK) || (f->cpsr & 0x1f) != PV_MODE_SVC ||
	    ((d ^ f->dacr) & ~f->dacr_free) || (d & f->dacr_free & 0xaaaaaaaau))
		return false;
	for (i = 0; i < PV_FAST_CTX_N && !e; i++)
		if (f->ctx_tab[i].key == (t & f->ctx_mask) &&
		    f->ctx_tab[i].asid == ((a & 0xffu) | PV_FAST_CTX_VALID))
			e = &f->ctx_tab[i];
	if (!e || (e->part_doms & ~d))
		return false;
	f->ctx_ttbr0 = t;
	f->ctx_contextidr = a;
	f->k_ttbr0 = e->k_ttbr0;
	f->k_asid = e->k_asid;
	f->u_ttbr0 = e->u_ttbr0;
	f->u_asid = e->u_asid;
	f->ctx_space = e->space;
	e->stamp = ++f->n_ctx;
	f->n_chain += chain;
	f->flags = (f->flags & ~(uint32_t)PV_FAST_GT_OK) | e->gt;
	h->pc = pc + 4 + 8 * chain;
	h->ttbr0 = e->k_ttbr0;
	h->asid = e->k_asid;
	return true;
}

/*
 * The guest kernel in SVC mode, with three L1 tables and the switch code
 * at CTX_VA: [0] TTBR0 := r4 alone, [1..3] CONTEXTIDR := r1; ISB;
 * TTBR0 := r0 (the words a test changes come after).
 */
static void ctx_state(bool with_fast)
{
	struct pv_resume rs;
	uint32_t *code;

	user_state(false, with_fast);
	memcpy(gptr(L1B), gptr(L1), 16384);
	memcpy(gptr(L1S), gptr(L1), 16384);
	gptr(L1S)[USER_VA >> 20] = 0;
	gptr(L1B)[USER_VA >> 20] = (RAM0 + 0xe00000u) | 3u << 10 | 2;
	code = gptr(TO_PA(CTX_VA));
	code[0] = MCR_TTBR0(4);
	code[1] = MCR_CTX(1);
	code[2] = ISB_SY;
	code[3] = MCR_TTBR0(0);
	set_mode(PV_MODE_SVC);
	pv_vcpu_resume_state(v, &rs);
}

/* The core's own path for the switch at @pc. */
static void core_ctx(uint32_t pc)
{
	struct pv_trap t = mk_trap(PV_TRAP_UNDEF, PV_MODE_USR);
	struct pv_resume rs;
	struct pv_exit e;

	v->r[15] = pc;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &t, &e), 0);
	ck_assert_int_eq(e.action, PV_ACTION_RESUME);
	ck_assert_int_eq(e.reason, PV_TR_CP15_WRITE);
	pv_vcpu_resume_state(v, &rs);
}

/* A core entry after the fast paths ran (a host interrupt), and the
 * resume that follows it. */
static void sync_now(void)
{
	struct fake_fast_host h = { .sp = v->r[13], .lr = v->r[14], .pc = v->r[15],
			  .cpsr = PV_MODE_USR };
	struct pv_resume rs;

	host_irq_after(&h);
	pv_vcpu_resume_state(v, &rs);
}

/* Linux's switch to (@ttbr0, @asid) through the reserved tables, by the
 * core's path, or by the fast one where it takes them (counted). */
static unsigned switch_to(uint32_t ttbr0, uint32_t asid, bool try_fast)
{
	unsigned fast_ones = 0;
	struct fake_fast_host h;

	v->r[4] = L1S | 0x6au;
	v->r[0] = ttbr0 | 0x6au;
	v->r[1] = asid | 0x1200u; /* a PROCID too */
	h = (struct fake_fast_host){ .sp = v->r[13], .lr = v->r[14] };
	if (try_fast && model_ctx(&h, CTX_VA)) {
		fast_ones++;
		v->r[15] = h.pc;
	} else {
		core_ctx(CTX_VA);
	}
	ck_assert_uint_eq(v->r[15], CTX_VA + 4);
	if (try_fast && model_ctx(&h, CTX_VA + 4)) {
		fast_ones++;
		v->r[15] = h.pc;
	} else {
		core_ctx(CTX_VA + 4);
	}
	ck_assert_uint_eq(v->r[15], CTX_VA + 16);
	return fast_ones;
}

/* What the core keeps of a switch, beyond struct seen. */
struct ctx_seen {
	struct seen s;
	uint32_t ttbr0, contextidr, tick, cur;
	uint32_t last_use[PV_SHADOW_MAX_SPACES];
	uint64_t cp15w, chains, chain_mcrs, hits, misses;
};

static void ctx_record(struct ctx_seen *o)
{
	const struct pv_shadow *sh = &vm->shadow;

	record(&o->s);
	o->ttbr0 = v->cp15.ttbr0;
	o->contextidr = v->cp15.contextidr;
	o->tick = sh->tick;
	o->cur = sh->cur[0];
	for (unsigned i = 0; i < PV_SHADOW_MAX_SPACES; i++)
		o->last_use[i] = sh->space[i].in_use ? sh->space[i].last_use : 0;
	o->cp15w = vm->stats.traps[PV_TR_CP15_WRITE];
	o->chains = vm->stats.events[PV_EV_TRAP_CHAIN];
	o->chain_mcrs = vm->stats.events[PV_EV_CHAIN_MCRS];
	o->hits = sh->stats.space_hits;
	o->misses = sh->stats.space_misses;
}

static void ctx_same(const struct ctx_seen *a, const struct ctx_seen *b,
		     const char *what)
{
	same(&a->s, &b->s, what);
	ck_assert_msg(a->ttbr0 == b->ttbr0 && a->contextidr == b->contextidr,
		      "%s: TTBR0/CONTEXTIDR %08x/%08x against %08x/%08x", what,
		      a->ttbr0, a->contextidr, b->ttbr0, b->contextidr);
	ck_assert_msg(a->cur == b->cur && a->tick == b->tick,
		      "%s: space %u tick %u against %u %u", what, a->cur, a->tick,
		      b->cur, b->tick);
	for (unsigned i = 0; i < PV_SHADOW_MAX_SPACES; i++)
		ck_assert_msg(a->last_use[i] == b->last_use[i],
			      "%s: space %u last used %u against %u", what, i,
			      a->last_use[i], b->last_use[i]);
	ck_assert_msg(a->cp15w == b->cp15w && a->chains == b->chains &&
			      a->chain_mcrs == b->chain_mcrs,
		      "%s: counts %llu/%llu/%llu against %llu/%llu/%llu", what,
		      (unsigned long long)a->cp15w, (unsigned long long)a->chains,
		      (unsigned long long)a->chain_mcrs,
		      (unsigned long long)b->cp15w, (unsigned long long)b->chains,
		      (unsigned long long)b->chain_mcrs);
	ck_assert_msg(a->hits == b->hits && a->misses == b->misses,
		      "%s: lookups %llu/%llu against %llu/%llu", what,
		      (unsigned long long)a->hits, (unsigned long long)a->misses,
		      (unsigned long long)b->hits, (unsigned long long)b->misses);
}

/*
 * The oracle is the core's own path: the same switches back and forth,
 * each MCR its own trap, against the fast path's contract with one core
 * entry at the end (@_i: how many switches; odd ones end in the other
 * task). Two rounds warm the cached spaces first, through the core, in
 * both runs; the fast run must then take every switch.
 */
START_TEST(fast_ctx_switch_matches_the_core)
{
	static const uint32_t task[2][2] = { { L1, 1 }, { L1B, 2 } };
	unsigned rounds = (unsigned)_i + 1, taken = 0;
	struct ctx_seen a, b;
	struct fake_fast_host h;

	for (int pass = 0; pass < 2; pass++) {
		ctx_state(pass == 1);
		for (unsigned k = 0; k < 4; k++)
			switch_to(task[(k + 1) % 2][0], task[(k + 1) % 2][1], false);
		/* The fast run's sync must start from the same counters. */
		for (unsigned k = 0; k < rounds; k++)
			taken += switch_to(task[(k + 1) % 2][0],
					   task[(k + 1) % 2][1], pass == 1);
		if (pass == 1) {
			ck_assert_uint_eq(taken, 2 * rounds);
			ck_assert_uint_eq(fast.n_ctx, 2 * rounds);
			ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0);
		}
		h = (struct fake_fast_host){ .sp = v->r[13], .lr = v->r[14], .pc = v->r[15],
				   .cpsr = PV_MODE_USR };
		host_irq_after(&h);
		ctx_record(pass ? &b : &a);
		if (pass) {
			ck_assert_uint_eq(fast.n_ctx, 0);
			ck_assert_uint_eq(fast.flags & PV_FAST_CTX_OK, PV_FAST_CTX_OK);
			/* The resume's views are the last switch's, fast or not. */
			ck_assert_uint_eq(fast.k_ttbr0, b.s.ttbr0);
			ck_assert_uint_eq(fast.k_asid, b.s.asid);
		}
		/* Host ASIDs are the engine's own numbering, which the fast
		 * path's extra allocations change; the roots must agree. */
		(pass ? &b : &a)->s.asid = 0;
		free_vm();
	}
	ctx_same(&a, &b, "switches");
}
END_TEST

/* What the fast context switch leaves to the core. */
START_TEST(fast_ctx_switch_refusals)
{
	struct fake_fast_host h = { 0 };
	uint32_t *code;

	ctx_state(true);
	for (unsigned k = 0; k < 4; k++)
		switch_to(k % 2 ? L1 : L1B, k % 2 ? 1 : 2, false);
	code = gptr(TO_PA(CTX_VA));
	v->r[4] = L1S | 0x6au;
	v->r[0] = L1B | 0x6au;
	v->r[1] = 2;
	ck_assert(model_ctx(&h, CTX_VA + 4)); /* the baseline is taken */
	v->r[15] = h.pc;
	sync_now();
	/* An address space the core has not cached. */
	v->r[0] = (RAM0 + 0x408000u) | 0x6au;
	ck_assert(!model_ctx(&h, CTX_VA + 4));
	v->r[0] = L1B | 0x6au;
	v->r[1] = 3;
	ck_assert(!model_ctx(&h, CTX_VA + 4));
	v->r[1] = 2;
	/* sp, lr or pc as a register; no ISB; a conditional MCR. */
	code[1] = MCR_CTX(13);
	ck_assert(!model_ctx(&h, CTX_VA + 4));
	code[1] = MCR_CTX(1);
	code[3] = MCR_TTBR0(14);
	ck_assert(!model_ctx(&h, CTX_VA + 4));
	code[3] = MCR_TTBR0(0);
	code[2] = 0xf57ff04fu; /* DSB: the core chains it, the fast path not */
	ck_assert(!model_ctx(&h, CTX_VA + 4));
	code[2] = ISB_SY;
	code[3] = MCR_TTBR0(0) & 0x0fffffffu; /* EQ */
	ck_assert(!model_ctx(&h, CTX_VA + 4));
	code[3] = MCR_TTBR0(0);
	/* A DACR write to apply (not a lazy PAN toggle). */
	*page_field(PV_VPAGE_DACR) ^= 0xc0000000u;
	ck_assert(!model_ctx(&h, CTX_VA + 4));
	*page_field(PV_VPAGE_DACR) ^= 0xc0000000u;
	/* Not SVC; the flag clear. */
	fast.cpsr = (fast.cpsr & ~0x1fu) | PV_MODE_IRQ;
	ck_assert(!model_ctx(&h, CTX_VA + 4));
	fast.cpsr = (fast.cpsr & ~0x1fu) | PV_MODE_SVC;
	fast.flags &= ~(uint32_t)PV_FAST_CTX_OK;
	ck_assert(!model_ctx(&h, CTX_VA + 4));
	fast.flags |= PV_FAST_CTX_OK;
	ck_assert(model_ctx(&h, CTX_VA + 4));
	/* A chain across a page boundary: the core's. */
	code = gptr(TO_PA(CTX_VA + 0xff8u));
	code[0] = MCR_CTX(1);
	code[1] = ISB_SY;
	code[2] = MCR_TTBR0(0);
	ck_assert(!model_ctx(&h, CTX_VA + 0xff8u));
	free_vm();
}
END_TEST

/*
 * The clock's fast read across a fast switch: on in a space whose own
 * tables the core found the page through (each, here, by its walk once
 * per regime), off after TLB maintenance until the core finds it again,
 * and off everywhere while the clock does not run.
 */
START_TEST(fast_ctx_switch_carries_the_clock)
{
	uint32_t gt_l1;
	struct fake_fast_host h = { 0 };
	unsigned on = 0;

	ctx_state(true);
	gt_l1 = (vm->cfg.board->periph_base & 0xfff00000u) | 1u << 10 | 1u << 2 | 2;
	gptr(L1)[GT_KVA >> 20] = gt_l1;
	gptr(L1B)[GT_KVA >> 20] = gt_l1;
	gptr(L1S)[GT_KVA >> 20] = gt_l1;
	fb.now = 200000000u;
	ck_assert_int_eq(pv_a9_gt_write(&vm->dev.timers, 0, fb.now, 8, 4, 1), 0);
	fast.gt_clock_ns = PV_A9_PERIPHCLK_NS;
	(void)kernel_gt_read(0x200);
	v->r[15] = CTX_VA;
	sync_now(); /* the core learns the page's address */
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	for (unsigned k = 0; k < 4; k++)
		switch_to(k % 2 ? L1 : L1B, k % 2 ? 1 : 2, false);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	for (unsigned i = 0; i < PV_FAST_CTX_N; i++)
		on += fast.ctx_tab[i].gt != 0;
	ck_assert_uint_eq(on, 4);
	/* The counter stops: off in every entry; on again one space at a
	 * time as the core finds the page in each. */
	ck_assert_int_eq(pv_a9_gt_write(&vm->dev.timers, 0, fb.now, 8, 4, 0), 0);
	sync_now();
	for (unsigned i = 0; i < PV_FAST_CTX_N; i++)
		ck_assert_uint_eq(fast.ctx_tab[i].gt, 0);
	ck_assert_int_eq(pv_a9_gt_write(&vm->dev.timers, 0, fb.now, 8, 4, 1), 0);
	for (unsigned k = 0; k < 4; k++)
		switch_to(k % 2 ? L1 : L1B, k % 2 ? 1 : 2, false);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	/* Fast, to B: the flag follows the space. */
	ck_assert_uint_eq(switch_to(L1B, 2, true), 2);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	/* B's tables lose the page, without TLB maintenance: a TLB may keep
	 * the translation, and the entry does. */
	gptr(L1B)[GT_KVA >> 20] = 0;
	ck_assert_uint_eq(switch_to(L1, 1, true), 2);
	sync_now();
	ck_assert_uint_eq(switch_to(L1B, 2, true), 2);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	/* TLB maintenance: every entry loses it, and B's tables no longer
	 * have the page for the core to find. */
	pv_shadow_tlbi(v, PV_TLBI_ALL, 0);
	sync_now();
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0);
	ck_assert(model_ctx(&h, CTX_VA)); /* to the reserved tables */
	v->r[15] = h.pc;
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0);
	/* The core reads it in the reserved tables' space: on there again. */
	(void)kernel_gt_read(0x200);
	v->r[15] = CTX_VA + 4;
	sync_now();
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	on = 0;
	for (unsigned i = 0; i < PV_FAST_CTX_N; i++)
		on += fast.ctx_tab[i].gt != 0;
	ck_assert_uint_eq(on, 1);
	/*
	 * Back on in A and both reserved spaces, off in B (whose tables lost
	 * the page); then TLB maintenance while in B, where nothing else
	 * changes: the others must lose it all the same.
	 */
	switch_to(L1, 1, false);
	(void)kernel_gt_read(0x200);
	v->r[15] = CTX_VA + 4;
	sync_now();
	switch_to(L1B, 2, false);
	switch_to(L1, 1, false);
	switch_to(L1B, 2, false);
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, 0);
	on = 0;
	for (unsigned i = 0; i < PV_FAST_CTX_N; i++)
		on += fast.ctx_tab[i].gt != 0;
	ck_assert_uint_ge(on, 2);
	pv_shadow_tlbi(v, PV_TLBI_ALL, 0);
	sync_now();
	for (unsigned i = 0; i < PV_FAST_CTX_N; i++)
		ck_assert_uint_eq(fast.ctx_tab[i].gt, 0);
	free_vm();
}
END_TEST

/*
 * Each valid entry of the table names a cached space of the current
 * regime with its key and the roots and live ASIDs it has now. Checked
 * after every resume of a long run of switches among more address spaces
 * than the pool caches (evictions, ASID rollovers).
 */
static void ctx_table_is_true(void)
{
	const struct pv_shadow *sh = &vm->shadow;
	const struct pv_shadow_space *cur = &sh->space[sh->cur[0]];

	/* A table the flag does not offer is never read. */
	if (!(fast.flags & PV_FAST_CTX_OK))
		return;
	ck_assert_uint_lt(sh->cur[0], sh->nspaces);
	for (unsigned i = 0; i < PV_FAST_CTX_N; i++) {
		const struct pv_fast_ctx *e = &fast.ctx_tab[i];
		const struct pv_shadow_space *sp = &sh->space[i];
		uint32_t want[PV_VIEW_COUNT][2];

		if (!(e->asid & PV_FAST_CTX_VALID))
			continue;
		ck_assert_uint_lt(i, sh->nspaces);
		ck_assert(sp->in_use);
		ck_assert_uint_eq(e->space, i);
		ck_assert_uint_eq(e->key, sp->ttbr0);
		ck_assert_uint_eq(e->asid & 0xffu, sp->asid);
		ck_assert_uint_eq(e->part_doms & ~sp->part_doms & 0x55555555u, 0);
		ck_assert_uint_eq(sp->part_doms & ~e->part_doms, 0);
		ck_assert(sp->ttbr1 == cur->ttbr1 && sp->ttbcr == cur->ttbcr &&
			  sp->dacr == cur->dacr && sp->sctlr == cur->sctlr);
		for (unsigned w = 0; w < PV_VIEW_COUNT; w++) {
			const struct pv_shadow_root *rt = &sp->root[w];

			ck_assert_uint_eq(rt->asid_gen, sh->asid_gen);
			want[w][0] = (uint32_t)((pv_hpa_val(vm->cfg.shadow_pool.hpa) +
						 rt->l1_off) | vm->cfg.ttbr_attrs);
			want[w][1] = rt->asid;
		}
		ck_assert_uint_eq(e->k_ttbr0, want[PV_VIEW_KERNEL][0]);
		ck_assert_uint_eq(e->k_asid, want[PV_VIEW_KERNEL][1]);
		ck_assert_uint_eq(e->u_ttbr0, want[PV_VIEW_USER][0]);
		ck_assert_uint_eq(e->u_asid, want[PV_VIEW_USER][1]);
	}
}

START_TEST(fast_ctx_table_follows_the_spaces)
{
	uint32_t seed = 0x9e3779b9u;
	unsigned taken = 0, most = 0;

	ctx_state(true);
	for (unsigned k = 1; k < 24; k++)
		memcpy(gptr(RAM0 + 0x410000u + 0x4000u * k), gptr(L1), 16384);
	for (unsigned n = 0; n < 1500; n++) {
		unsigned k;

		seed = seed * 1103515245u + 12345u;
		/* 24 tasks, the first three far more often (a hot set). */
		k = (seed >> 16) % 32;
		k = k < 24 ? k : k % 3;
		/* Each task's own L1 (the same contents), ASIDs wrap at 256. */
		taken += switch_to(k ? RAM0 + 0x410000u + 0x4000u * k : L1,
				   (k * 37u + 1u) & 0xffu, true);
		ctx_table_is_true();
		if (n % 3 == 0) {
			sync_now();
			ctx_table_is_true();
		}
		for (unsigned i = 0, valid = 0; i < PV_FAST_CTX_N; i++) {
			valid += !!(fast.ctx_tab[i].asid & PV_FAST_CTX_VALID);
			most = valid > most ? valid : most;
		}
	}
	/* Mostly misses (48 spaces for 16), but the hot set is taken. */
	ck_assert_uint_gt(taken, 50);
	ck_assert_uint_gt(vm->shadow.stats.evictions, 100);
	ck_assert_uint_gt(vm->shadow.stats.asid_rollovers, 0);
	ck_assert_uint_ge(most, 4);
	free_vm();
}
END_TEST

/*
 * The table is rebuilt when a space changes while the vCPU stays in its
 * own: here its first page in the window's partial MiB (the vector page),
 * which adds a domain the new DACR must grant to reach that space.
 */
START_TEST(fast_ctx_table_rebuilt_in_place)
{
	uint32_t vec = (RAM0 + 0xd00000u) | 1u << 10 | 2; /* domain 0 */

	uint32_t gt_l1;

	ctx_state(true);
	gt_l1 = (vm->cfg.board->periph_base & 0xfff00000u) | 1u << 10 | 1u << 2 | 2;
	gptr(L1)[0xfff] = vec;
	gptr(L1B)[0xfff] = vec;
	gptr(L1S)[0xfff] = vec;
	gptr(L1)[GT_KVA >> 20] = gt_l1;
	/* A running clock, which the core has not found yet. */
	fb.now = 200000000u;
	ck_assert_int_eq(pv_a9_gt_write(&vm->dev.timers, 0, fb.now, 8, 4, 1), 0);
	fast.gt_clock_ns = PV_A9_PERIPHCLK_NS;
	for (unsigned k = 0; k < 4; k++)
		switch_to(k % 2 ? L1 : L1B, k % 2 ? 1 : 2, false);
	ck_assert_uint_eq(fast.ctx_tab[vm->shadow.cur[0]].part_doms, 0);
	ck_assert_uint_eq(fast.ctx_tab[vm->shadow.cur[0]].gt, 0);
	/* Found through the core: the entry learns it in place. */
	(void)kernel_gt_read(0x200);
	v->r[15] = CTX_VA + 16;
	sync_now();
	ck_assert_uint_eq(fast.flags & PV_FAST_GT_OK, PV_FAST_GT_OK);
	ck_assert_uint_eq(fast.ctx_tab[vm->shadow.cur[0]].gt, PV_FAST_GT_OK);
	sync_now();
	ck_assert_int_eq(fault(0xffff0000u, PV_ACC_READ, NULL), PV_SHADOW_FILLED);
	ck_assert_uint_ne(vm->shadow.space[vm->shadow.cur[0]].part_doms, 0);
	v->r[15] = CTX_VA + 16;
	sync_now();
	ck_assert_uint_eq(fast.flags & PV_FAST_CTX_OK, PV_FAST_CTX_OK);
	ck_assert_uint_eq(fast.ctx_tab[vm->shadow.cur[0]].part_doms,
			  vm->shadow.space[vm->shadow.cur[0]].part_doms);
	ctx_table_is_true();
	free_vm();
}
END_TEST

static Suite *vpage_suite(void)
{
	Suite *s = suite_create("vpage");
	TCase *p = tcase_create("table");
	TCase *c = tcase_create("config");
	TCase *sh = tcase_create("shadow");
	TCase *sy = tcase_create("sync");
	TCase *lv = tcase_create("leave");
	TCase *tr = tcase_create("trap");
	TCase *h = tcase_create("hostile");
	TCase *fp = tcase_create("fastpath");

	tcase_add_test(p, parse_valid);
	tcase_add_test(p, parse_rejects_header);
	tcase_add_test(p, parse_rejects_entries);
	tcase_add_test(p, set_load_errors);
	tcase_add_test(p, find);
	suite_add_tcase(s, p);
	tcase_add_test(c, init_checks);
	suite_add_tcase(s, c);
	tcase_add_test(sh, shadow_kernel_view);
	tcase_add_test(sh, shadow_kernel_write_to_stub_code);
	tcase_add_test(sh, shadow_prefetch_abort_in_slot_via_trap);
	tcase_add_test(sh, shadow_user_view);
	tcase_add_test(sh, shadow_mmu_off);
	tcase_add_test(sh, isolation_catches_stub_entries);
	tcase_add_test(sh, shadow_stub_tables_shared);
	tcase_add_test(sh, isolation_catches_stub_tables_elsewhere);
	suite_add_tcase(s, sh);
	tcase_add_test(sy, sync_out_writes_the_page);
	tcase_add_test(sy, sync_in_takes_back_only_the_stub_fields);
	tcase_add_test(sy, sync_in_dacr_reaches_the_shadow);
	tcase_add_test(sy, sync_in_dacr_leaves_manager);
	tcase_add_test(sy, sync_in_before_first_resume_reads_nothing);
	suite_add_tcase(s, sy);
	tcase_add_test(lv, leave_rolls_back);
	tcase_add_test(lv, leave_rolls_forward);
	tcase_add_test(lv, leave_with_mmu_off);
	tcase_add_test(lv, leave_outside_stubs);
	tcase_add_test(lv, leave_before_abort);
	suite_add_tcase(s, lv);
	tcase_add_test(tr, trap_in_cpsie_stub_delivers_after_the_site);
	tcase_add_test(tr, trap_in_msr_stub_changes_mode);
	tcase_add_test(tr, trap_in_stub_without_table_is_the_guests);
	tcase_add_test(tr, trap_self_describing_in_stub);
	suite_add_tcase(s, tr);
	tcase_add_loop_test(fp, fast_svc_and_return_match_the_core, 0, 8);
	tcase_add_loop_test(fp, fast_stub_return_matches_the_core, 0, 9);
	tcase_add_test(fp, fast_tpidruro_guess_and_deferred_tls);
	tcase_add_test(fp, trap_in_tpidruro_stub_restarts_it);
	tcase_add_test(fp, fast_stub_return_refusals);
	tcase_add_loop_test(fp, fast_prefill_after_page_fault, 0, 8);
	tcase_add_test(fp, prefilled_line_is_cleared_when_the_table_is_reused);
	tcase_add_test(fp, fast_psr_matches_the_core);
	tcase_add_test(fp, fast_flags_off);
	tcase_add_test(fp, fast_gt_read_matches_the_core);
	tcase_add_test(fp, fast_gt_read_follows_the_counters_mapping);
	tcase_add_test(fp, fast_fpexc_matches_the_core);
	tcase_add_test(fp, fast_bpiall_is_what_the_core_does);
	tcase_add_test(fp, fast_ttbr1_read_matches_the_core);
	tcase_add_test(fp, fast_sites_turn_paths_off);
	tcase_add_loop_test(fp, fast_ctx_switch_matches_the_core, 0, 4);
	tcase_add_test(fp, fast_ctx_switch_refusals);
	tcase_add_test(fp, fast_ctx_switch_carries_the_clock);
	tcase_add_test(fp, fast_ctx_table_follows_the_spaces);
	tcase_add_test(fp, fast_ctx_table_rebuilt_in_place);
	suite_add_tcase(s, fp);
	tcase_set_timeout(h, 120);
	tcase_add_test(h, hostile_page_contents);
	suite_add_tcase(s, h);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(vpage_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
