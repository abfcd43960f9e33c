// SPDX-License-Identifier: MIT
/*
 * The guest an image carries, and getting it into guest RAM.
 *
 * A Linux image (tools/mk-linux-image.sh) links in a &struct
 * pvbm_linux_payload: a pvpatch'ed Image, its site table, a DTB and an
 * initramfs. The test-guest images do not; they carry a small
 * position-independent program in .guest_blob instead (tests/guest, the
 * conformance guest), loaded at the start of guest RAM.
 */
#include "bm.h"
#include "vmm.h"

/* Guest seconds before the watchdog stops a test guest, and Linux. */
#define TEST_BUDGET_S 60u
#define LINUX_BUDGET_S 600u

/*
 * Built by tools/mk-linux-image.sh (linux_payload.S, same layout). All
 * addresses are guest-physical and were chosen by the image builder,
 * which also wrote the initramfs location into the DTB's /chosen node.
 */
struct pvbm_linux_payload {
	uint32_t magic;            /* PVBM_LINUX_MAGIC */
	uint32_t kernel_gpa;       /* RAM base + TEXT_OFFSET of the Image */
	uint32_t dtb_gpa;
	uint32_t initrd_gpa;
	const uint8_t *image, *image_end;   /* the pvpatch'ed Image */
	const uint8_t *sites, *sites_end;   /* its site table (4-aligned) */
	const uint8_t *dtb, *dtb_end;
	const uint8_t *initrd, *initrd_end;
	const uint8_t *stubs, *stubs_end;   /* its stub table, or empty */
	uint32_t flags;                     /* PVBM_LINUX_* */
	uint32_t budget_s;  /* guest seconds; 0 the default, ~0 none */
	uint32_t vcpus;     /* 1..PV_MAX_VCPUS (0: one); run.c places them */
};
#define PVBM_LINUX_NO_FAST_PATHS 1u
/* The virtio board (pv_board_virtio): disk, network, entropy, console. */
#define PVBM_LINUX_VIRTIO 2u
/* No host IPIs between cores (run.c, pvbm_kick()): for measuring them. */
#define PVBM_LINUX_NO_KICKS 4u
#define PVBM_LINUX_NO_BUDGET 0xffffffffu
#define PVBM_LINUX_MAGIC 0x78756e4cu /* "Lnux" */
extern const struct pvbm_linux_payload pvbm_linux __attribute__((weak));

/* The embedded test guest (pvbm.ld). */
extern const uint8_t pvbm_guest_start[], pvbm_guest_end[];

/*
 * The checked site and stub tables pvcore gets for Linux (pvcore/linux.h):
 * the site table also finds the sites at guest-physical PCs (head.S with
 * the MMU off, the identity-mapped idmap code). They must outlive the VM.
 *
 * With pvpatch's stubs the vCPU page (pvcore/pvpage.h) is guest-kernel-
 * writable memory, so it has a 4 KiB page of its own (pvbm_vcpu_page, in
 * the window, where window.S's fast paths reach it); pvcore maps it into
 * the guest-kernel view only.
 */
static struct pv_linux_tables linux_tables;

/* The payload's pieces as pvcore/linux.h takes them. */
static void linux_images(struct pv_linux_images *im)
{
	const struct pvbm_linux_payload *p = &pvbm_linux;

	*im = (struct pv_linux_images){
		.image = p->image,
		.image_size = (size_t)(p->image_end - p->image),
		.sites = p->sites,
		.sites_size = (size_t)(p->sites_end - p->sites),
		.stubs = p->stubs,
		.stubs_size = (size_t)(p->stubs_end - p->stubs),
		.dtb = p->dtb,
		.dtb_size = (size_t)(p->dtb_end - p->dtb),
		.initrd = p->initrd,
		.initrd_size = (size_t)(p->initrd_end - p->initrd),
		.kernel_gpa = pv_gpa(p->kernel_gpa),
		.dtb_gpa = pv_gpa(p->dtb_gpa),
		.initrd_gpa = pv_gpa(p->initrd_gpa),
	};
}

static bool is_linux(void)
{
	return &pvbm_linux != NULL;
}

/* Validate the tables before pv_vm_init(), which takes them in cfg. */
void pvbm_payload_config(struct pv_vm_config *cfg)
{
	const struct pvbm_linux_payload *p = &pvbm_linux;
	struct pv_linux_images im;
	const char *why;
	int err;

	if (!is_linux())
		return;
	if (p->magic != PVBM_LINUX_MAGIC)
		pvbm_fatal("linux payload descriptor is corrupt", 0,
			   PVBM_EXIT_HOST);
	if (p->vcpus > PV_MAX_VCPUS)
		pvbm_fatal("linux payload asks for more vCPUs than pvcore has",
			   PV_ERANGE, PVBM_EXIT_HOST);
	if (p->vcpus > 1) {
		cfg->num_vcpus = p->vcpus;
		pvbm_puts("pvbm: ");
		pvbm_put_dec(p->vcpus);
		pvbm_puts(" vCPUs\n");
	}
	linux_images(&im);
	err = pv_linux_config(&linux_tables, &im, cfg, &why);
	if (err)
		pvbm_fatal(why, err, PVBM_EXIT_HOST);
	if (p->flags & PVBM_LINUX_VIRTIO) {
		/* Same RAM and MPCore as the default board: vm_config's
		 * checks still hold. */
		cfg->board = &pv_board_virtio;
		pvbm_puts("pvbm: virtual board with virtio disk, network, "
			  "entropy and console\n");
	}
	pvbm_puts("pvbm: pvpatch site table: ");
	pvbm_put_dec(linux_tables.sites.count);
	pvbm_puts(" sites, also at their load addresses from ");
	pvbm_put_hex(p->kernel_gpa);
	pvbm_puts("\n");
	if (!linux_tables.has_stubs)
		return;
	cfg->vcpu_pages.hva = pv_hva_from_ptr(pvbm_vcpu_page);
	cfg->vcpu_pages.hpa = pv_hpa((uintptr_t)pvbm_vcpu_page -
				     pvbm_platform.window_va +
				     pvbm_platform.window_pa);
	cfg->vcpu_pages.size = sizeof(pvbm_vcpu_page);
	pvbm_puts("pvbm: pvpatch stubs: ");
	pvbm_put_dec(linux_tables.stubs.count);
	pvbm_puts(" in the stub area at ");
	pvbm_put_hex(linux_tables.stubs.area_va);
	pvbm_puts(", vCPU page at ");
	pvbm_put_hex((uint32_t)pv_hpa_val(cfg->vcpu_pages.hpa));
	pvbm_puts("\n");
}

/* One piece of the guest, loaded: what it is, its size and address. */
static void say_loaded(const char *what, size_t len, uint32_t gpa)
{
	pvbm_puts("pvbm: ");
	pvbm_puts(what);
	pvbm_puts(": ");
	pvbm_put_dec(len);
	pvbm_puts(" bytes at ");
	pvbm_put_hex(gpa);
	pvbm_puts("\n");
}

/*
 * Load Image, DTB and initramfs and set vCPU 0 up per the ARM Linux boot
 * protocol (pv_linux_load()).
 */
static void linux_load(struct pv_vm *vm, struct pvbm_payload *out)
{
	const struct pvbm_linux_payload *p = &pvbm_linux;
	struct pv_linux_images im;
	const char *why;
	int err;

	linux_images(&im);
	err = pv_linux_load(vm, &im, &why);
	if (err)
		pvbm_fatal(why, err, PVBM_EXIT_HOST);
	say_loaded("linux Image", im.image_size, p->kernel_gpa);
	say_loaded("linux DTB", im.dtb_size, p->dtb_gpa);
	if (im.initrd_size)
		say_loaded("linux initramfs", im.initrd_size, p->initrd_gpa);
	out->entry = p->kernel_gpa;
	out->budget_s = p->budget_s ? p->budget_s : LINUX_BUDGET_S;
	out->report_undefs = true;
	out->no_fast_paths = (p->flags & PVBM_LINUX_NO_FAST_PATHS) != 0;
	if (out->no_fast_paths)
		pvbm_puts("pvbm: fast paths off\n");
	out->no_kicks = (p->flags & PVBM_LINUX_NO_KICKS) != 0;
	if (out->no_kicks)
		pvbm_puts("pvbm: kicks between host cores off\n");
	pvbm_puts("pvbm: entering linux at ");
	pvbm_put_hex(out->entry);
	pvbm_puts(" (r2 = DTB) in host USR mode\n");
}

/* The test guest: its blob at the start of guest RAM, entered there. */
static void test_guest_load(struct pv_vm *vm, const struct pv_ram_region *ram,
			    struct pvbm_payload *out)
{
	size_t len = (size_t)(pvbm_guest_end - pvbm_guest_start);
	uint32_t base = (uint32_t)pv_gpa_val(ram->gpa);
	int err = pv_vm_load(vm, ram->gpa, pvbm_guest_start, len);

	if (err)
		pvbm_fatal("pv_vm_load", err, PVBM_EXIT_HOST);
	pvbm_ops.cache_clean_range(vm, ram->hva, len);
	pvbm_ops.icache_inval_all(vm);
	out->entry = base;
	out->budget_s = TEST_BUDGET_S;
	out->report_undefs = false;
	out->no_fast_paths = false;
	out->no_kicks = false;
	pvbm_puts("pvbm: guest loaded, ");
	pvbm_put_dec((uint64_t)len);
	pvbm_puts(" bytes at ");
	pvbm_put_hex(base);
	pvbm_puts("; entering it in host USR mode\n");
}

void pvbm_payload_load(struct pv_vm *vm, const struct pv_ram_region *ram,
		       struct pvbm_payload *out)
{
	if (is_linux())
		linux_load(vm, out);
	else
		test_guest_load(vm, ram, out);
}
