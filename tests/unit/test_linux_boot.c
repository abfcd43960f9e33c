/* SPDX-License-Identifier: MIT */
/*
 * Booting a pvpatch'ed Linux guest (pvcore/linux.h): the tables checked
 * into the configuration, the pieces into guest RAM, vCPU 0's boot
 * registers, and every refusal leaving the configuration, RAM and
 * registers as they were. pvbm boots Debian's kernel through the same
 * calls (tests/system).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "fake_backend.h"
#include "table_files.h"

#define RAM0 FAKE_RAM_BASE
#define KVA 0xc0000000u
#define IMG_VA (KVA + 0x8000u)
#define IMG_GPA (RAM0 + 0x8000u)
#define IMG_SIZE 0x10000u
#define AREA_VA (KVA + 0x800000u)
#define AREA_SIZE 0x100000u
#define DTB_GPA (RAM0 + 0x03ff0000u % FAKE_RAM_SIZE)
#define INITRD_GPA (RAM0 + 0x00c00000u)
#define SITE_VA (IMG_VA + 0x100u)

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;
static uint32_t site_blob[64], stub_blob[64];
static uint8_t image[IMG_SIZE], dtb[0x800], initrd[0x3000];
static struct pv_linux_images im;
static struct pv_linux_tables lt;

static const struct pv_patch_site site = {
	SITE_VA, 0xf1080080u /* CPSIE I */, 0, PV_IC_CPS, 0,
};

/* One stub of the shape pvpatch emits for CPSIE (as test_vpage's). */
static const struct pv_stub stub = {
	SITE_VA, AREA_VA + 0x1000u, 16, 0, PV_STUB_CPSIE,
	{ 12, 15, PV_STUB_NO_EXIT, PV_STUB_NO_EXIT },
};

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7u);
}

/* The pieces: an Image with one site, its table, a DTB, an initramfs. */
static void setup(void)
{
	struct pv_patch_site s = site;

	ck_assert_int_eq(fake_backend_setup(&fb, &cfg), 0);
	s.patched = pv_patch_marker_a32(PV_IC_CPS);
	fill(image, sizeof(image), 1);
	fill(dtb, sizeof(dtb), 2);
	fill(initrd, sizeof(initrd), 3);
	im = (struct pv_linux_images){
		.image = image, .image_size = sizeof(image),
		.sites = site_blob,
		.sites_size = tf_site_file(site_blob, &s, 1, IMG_VA, IMG_SIZE),
		.dtb = dtb, .dtb_size = sizeof(dtb),
		.initrd = initrd, .initrd_size = sizeof(initrd),
		.kernel_gpa = pv_gpa(IMG_GPA), .dtb_gpa = pv_gpa(DTB_GPA),
		.initrd_gpa = pv_gpa(INITRD_GPA),
	};
	memset(&lt, 0, sizeof(lt));
	vm = calloc(1, sizeof(*vm));
	ck_assert_ptr_nonnull(vm);
}

static void teardown(void)
{
	free(vm);
	vm = NULL;
	fake_backend_teardown(&fb);
}

static void with_stubs(void)
{
	im.stubs = stub_blob;
	im.stubs_size = tf_stub_file(stub_blob, &stub, 1, AREA_VA, AREA_SIZE,
				     IMG_VA);
}

START_TEST(config_hands_the_checked_tables_over)
{
	const char *why = NULL;

	setup();
	with_stubs();
	ck_assert_int_eq(pv_linux_config(&lt, &im, &cfg, &why), 0);
	ck_assert_ptr_null(why);
	ck_assert_ptr_eq(cfg.patch_sites, &lt.sites);
	ck_assert_ptr_eq(cfg.stubs, &lt.stubs);
	ck_assert(lt.has_stubs);
	ck_assert_uint_eq(lt.sites.count, 1);
	/* The site is found at its link address and where the Image was
	 * loaded (the MMU-off PCs of head.S). */
	ck_assert_ptr_nonnull(pv_patch_lookup(cfg.patch_sites, pv_gva(SITE_VA)));
	ck_assert_ptr_nonnull(pv_patch_lookup(cfg.patch_sites,
					      pv_gva(SITE_VA - IMG_VA + IMG_GPA)));
	ck_assert_uint_eq(pv_gpa_val(lt.stubs.area_gpa),
			  AREA_VA - IMG_VA + IMG_GPA);
	teardown();

	/* Without stubs, @stubs stays as it was. */
	setup();
	ck_assert_int_eq(pv_linux_config(&lt, &im, &cfg, NULL), 0);
	ck_assert_ptr_eq(cfg.patch_sites, &lt.sites);
	ck_assert_ptr_null(cfg.stubs);
	ck_assert(!lt.has_stubs);
	teardown();
}
END_TEST

/* Edits of the pieces or the configuration pv_linux_config() refuses. */
static void e_no_image(void) { im.image = NULL; }
static void e_empty_image(void) { im.image_size = 0; }
static void e_sites_checksum(void) { site_blob[8] ^= 1u; }
static void e_sites_missing(void) { im.sites = NULL; }
static void e_other_image(void) { im.image_size -= 4; }
static void e_load_over_link(void) { im.kernel_gpa = pv_gpa(IMG_VA + 0x1000u); }
static void e_stubs_two_vcpus(void) { with_stubs(); cfg.num_vcpus = 2; }
static void e_stubs_checksum(void) { with_stubs(); stub_blob[4] ^= 1u; }
static void e_stubs_other_image(void)
{
	with_stubs();
	im.stubs_size = tf_stub_file(stub_blob, &stub, 1, AREA_VA, AREA_SIZE,
				     IMG_VA + 0x1000u);
}
static void e_stubs_past_4g(void)
{
	with_stubs();
	im.kernel_gpa = pv_gpa(0xff800000u);
}

static const struct {
	void (*edit)(void);
	int err;
	const char *why;
} config_refusals[] = {
	{ e_no_image, PV_EINVAL, "no Image" },
	{ e_empty_image, PV_EINVAL, "no Image" },
	{ e_sites_checksum, PV_ECORRUPT, "pvpatch site table rejected" },
	{ e_sites_missing, PV_EINVAL, "pvpatch site table rejected" },
	{ e_other_image, PV_ECORRUPT, "site table is not for this Image" },
	{ e_load_over_link, PV_ERANGE,
	  "Image load address overlaps its link addresses" },
	{ e_stubs_two_vcpus, PV_EINVAL,
	  "pvpatch stubs need one vCPU: patch the Image without stubs" },
	{ e_stubs_checksum, PV_ECORRUPT, "pvpatch stub table rejected" },
	{ e_stubs_other_image, PV_ECORRUPT, "stub table is not for this Image" },
	{ e_stubs_past_4g, PV_ERANGE, "stub area does not fit below 4 GiB" },
};

START_TEST(config_refuses_and_changes_nothing)
{
	unsigned i = (unsigned)_i;
	struct pv_vm_config before;
	const char *why = NULL;

	setup();
	config_refusals[i].edit();
	before = cfg;
	ck_assert_int_eq(pv_linux_config(&lt, &im, &cfg, &why),
			 config_refusals[i].err);
	ck_assert_str_eq(why, config_refusals[i].why);
	ck_assert_mem_eq(&cfg, &before, sizeof(cfg));
	teardown();
}
END_TEST

/* A VM configured through pv_linux_config(), without stubs. */
static void init_vm(void)
{
	setup();
	ck_assert_int_eq(pv_linux_config(&lt, &im, &cfg, NULL), 0);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
}

START_TEST(load_copies_the_pieces_and_sets_the_boot_registers)
{
	uint32_t *r;
	unsigned cleans, icache;
	const char *why = NULL;

	init_vm();
	r = pv_vcpu_regs(pv_vm_vcpu(vm, 0));
	cleans = fb.cache_clean;
	icache = fb.icache_inval;
	ck_assert_int_eq(pv_linux_load(vm, &im, &why), 0);
	ck_assert_ptr_null(why);
	ck_assert_mem_eq(fake_backend_ram(&fb, IMG_GPA), image, sizeof(image));
	ck_assert_mem_eq(fake_backend_ram(&fb, DTB_GPA), dtb, sizeof(dtb));
	ck_assert_mem_eq(fake_backend_ram(&fb, INITRD_GPA), initrd,
			 sizeof(initrd));
	ck_assert_uint_eq(fb.cache_clean - cleans, 3);
	ck_assert_uint_eq(fb.icache_inval - icache, 1);
	ck_assert_uint_eq(r[0], 0);
	ck_assert_uint_eq(r[1], 0xffffffffu);
	ck_assert_uint_eq(r[2], DTB_GPA);
	ck_assert_uint_eq(r[15], IMG_GPA);
	/* The boot protocol's state: SVC, IRQ and FIQ masked, MMU off. */
	ck_assert_uint_eq(vm->vcpu[0].cpsr & 0x1fu, PV_MODE_SVC);
	ck_assert(vm->vcpu[0].cpsr & PV_PSR_I);
	ck_assert(vm->vcpu[0].cpsr & PV_PSR_F);
	ck_assert(!(vm->vcpu[0].cp15.sctlr & PV_SCTLR_M));
	teardown();

	/* No initramfs: two pieces. */
	init_vm();
	im.initrd = NULL;
	im.initrd_size = 0;
	cleans = fb.cache_clean;
	ck_assert_int_eq(pv_linux_load(vm, &im, NULL), 0);
	ck_assert_uint_eq(fb.cache_clean - cleans, 2);
	ck_assert_uint_eq(*(uint8_t *)fake_backend_ram(&fb, INITRD_GPA), 0);
	teardown();
}
END_TEST

static void l_no_dtb(void) { im.dtb = NULL; }
static void l_empty_dtb(void) { im.dtb_size = 0; }
static void l_image_past_ram(void)
{
	im.kernel_gpa = pv_gpa(RAM0 + FAKE_RAM_SIZE - IMG_SIZE + 4u);
}
static void l_dtb_below_ram(void) { im.dtb_gpa = pv_gpa(RAM0 - 0x100u); }
static void l_initrd_past_ram(void) { im.initrd_gpa = pv_gpa(RAM0 + FAKE_RAM_SIZE); }
static void l_initrd_no_data(void) { im.initrd = NULL; }
static void l_dtb_in_image(void) { im.dtb_gpa = pv_gpa(IMG_GPA + IMG_SIZE - 4u); }
static void l_initrd_over_dtb(void) { im.initrd_gpa = pv_gpa(DTB_GPA - 0x100u); }
static void l_huge_initrd(void) { im.initrd_size = SIZE_MAX; } /* 4 GiB - 1 on 32-bit hosts */

static const struct {
	void (*edit)(void);
	int err;
	const char *why;
} load_refusals[] = {
	{ l_no_dtb, PV_EINVAL, "no Image or no device tree" },
	{ l_empty_dtb, PV_EINVAL, "no Image or no device tree" },
	{ l_image_past_ram, PV_ERANGE, "Image not inside guest RAM" },
	{ l_dtb_below_ram, PV_ERANGE, "device tree not inside guest RAM" },
	{ l_initrd_past_ram, PV_ERANGE, "initramfs not inside guest RAM" },
	{ l_initrd_no_data, PV_ERANGE, "initramfs not inside guest RAM" },
	{ l_dtb_in_image, PV_ERANGE, "the guest's pieces overlap" },
	{ l_initrd_over_dtb, PV_ERANGE, "the guest's pieces overlap" },
	{ l_huge_initrd, PV_ERANGE, "initramfs not inside guest RAM" },
};

START_TEST(load_refuses_and_changes_nothing)
{
	unsigned i = (unsigned)_i;
	uint32_t regs[16];
	unsigned cleans, icache;
	const char *why = NULL;
	static const uint8_t zero[0x100];

	init_vm();
	memcpy(regs, pv_vcpu_regs(pv_vm_vcpu(vm, 0)), sizeof(regs));
	cleans = fb.cache_clean;
	icache = fb.icache_inval;
	load_refusals[i].edit();
	ck_assert_int_eq(pv_linux_load(vm, &im, &why), load_refusals[i].err);
	ck_assert_str_eq(why, load_refusals[i].why);
	ck_assert_mem_eq(pv_vcpu_regs(pv_vm_vcpu(vm, 0)), regs, sizeof(regs));
	ck_assert_uint_eq(fb.cache_clean, cleans);
	ck_assert_uint_eq(fb.icache_inval, icache);
	/* Not a byte copied: the first piece's place is still empty. */
	ck_assert_mem_eq(fake_backend_ram(&fb, IMG_GPA), zero, sizeof(zero));
	teardown();
}
END_TEST

START_TEST(null_arguments_are_refused)
{
	setup();
	ck_assert_int_eq(pv_linux_config(NULL, &im, &cfg, NULL), PV_EINVAL);
	ck_assert_int_eq(pv_linux_config(&lt, NULL, &cfg, NULL), PV_EINVAL);
	ck_assert_int_eq(pv_linux_config(&lt, &im, NULL, NULL), PV_EINVAL);
	ck_assert_int_eq(pv_linux_load(NULL, &im, NULL), PV_EINVAL);
	ck_assert_int_eq(pv_linux_load(vm, NULL, NULL), PV_EINVAL);
	teardown();
}
END_TEST

static Suite *linux_boot_suite(void)
{
	Suite *s = suite_create("linux_boot");
	TCase *tc = tcase_create("linux_boot");

	tcase_add_test(tc, config_hands_the_checked_tables_over);
	tcase_add_loop_test(tc, config_refuses_and_changes_nothing, 0,
			    sizeof(config_refusals) / sizeof(config_refusals[0]));
	tcase_add_test(tc, load_copies_the_pieces_and_sets_the_boot_registers);
	tcase_add_loop_test(tc, load_refuses_and_changes_nothing, 0,
			    sizeof(load_refusals) / sizeof(load_refusals[0]));
	tcase_add_test(tc, null_arguments_are_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(linux_boot_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
