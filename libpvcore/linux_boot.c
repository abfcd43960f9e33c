// SPDX-License-Identifier: MIT
/*
 * Starting a pvpatch'ed Linux guest (pvcore/linux.h): the checks and the
 * boot protocol every backend needs, whatever carries the pieces.
 */
#include "core.h"
#include "pv_internal.h"

#include <pvcore/linux.h>

static int fail(const char **why, const char *line, int err)
{
	if (why)
		*why = line;
	return err;
}

int pv_linux_config(struct pv_linux_tables *lt,
		    const struct pv_linux_images *im, struct pv_vm_config *cfg,
		    const char **why)
{
	struct pv_patch_table sites;
	struct pv_stub_table stubs;
	bool has_stubs;
	int err;

	if (!lt || !im || !cfg || !im->image || !im->image_size)
		return fail(why, "no Image", PV_EINVAL);
	err = pv_patch_table_parse(im->sites, im->sites_size, &sites);
	if (err)
		return fail(why, "pvpatch site table rejected", err);
	if (sites.image_size != im->image_size)
		return fail(why, "site table is not for this Image", PV_ECORRUPT);
	err = pv_patch_table_set_load(&sites, im->kernel_gpa);
	if (err)
		return fail(why, "Image load address overlaps its link addresses",
			    err);
	has_stubs = im->stubs_size != 0;
	if (has_stubs) {
		/* The stubs' vCPU page is one per VM for now (vm.h). */
		if (cfg->num_vcpus > 1)
			return fail(why, "pvpatch stubs need one vCPU: patch "
				    "the Image without stubs", PV_EINVAL);
		err = pv_stub_table_parse(im->stubs, im->stubs_size, &stubs);
		if (err)
			return fail(why, "pvpatch stub table rejected", err);
		if (stubs.image_base != sites.image_base)
			return fail(why, "stub table is not for this Image",
				    PV_ECORRUPT);
		err = pv_stub_table_set_load(&stubs, im->kernel_gpa);
		if (err)
			return fail(why, "stub area does not fit below 4 GiB",
				    PV_ERANGE);
	}

	lt->sites = sites;
	lt->has_stubs = has_stubs;
	cfg->patch_sites = &lt->sites;
	if (has_stubs) {
		lt->stubs = stubs;
		cfg->stubs = &lt->stubs;
	}
	return 0;
}

struct piece {
	const void *data;
	uint64_t gpa, len;
	const char *outside;
};

static bool overlap(const struct piece *a, const struct piece *b)
{
	return a->gpa < b->gpa + b->len && b->gpa < a->gpa + a->len;
}

int pv_linux_load(struct pv_vm *vm, const struct pv_linux_images *im,
		  const char **why)
{
	struct piece p[3];
	unsigned n = 0;
	uint32_t *r;

	if (!vm || !im || !im->image || !im->image_size || !im->dtb ||
	    !im->dtb_size)
		return fail(why, "no Image or no device tree", PV_EINVAL);
	p[n++] = (struct piece){ im->image, pv_gpa_val(im->kernel_gpa),
				 im->image_size, "Image not inside guest RAM" };
	p[n++] = (struct piece){ im->dtb, pv_gpa_val(im->dtb_gpa),
				 im->dtb_size, "device tree not inside guest RAM" };
	if (im->initrd_size)
		p[n++] = (struct piece){ im->initrd, pv_gpa_val(im->initrd_gpa),
					 im->initrd_size,
					 "initramfs not inside guest RAM" };
	for (unsigned i = 0; i < n; i++) {
		if (!p[i].data || p[i].len > UINT32_MAX ||
		    !pv_memmap_find_ram(&vm->map, pv_gpa(p[i].gpa),
					(uint32_t)p[i].len))
			return fail(why, p[i].outside, PV_ERANGE);
		for (unsigned j = 0; j < i; j++)
			if (overlap(&p[i], &p[j]))
				return fail(why, "the guest's pieces overlap",
					    PV_ERANGE);
	}

	for (unsigned i = 0; i < n; i++) {
		void *dst = pv_memmap_ram_hva(&vm->map, pv_gpa(p[i].gpa),
					      (uint32_t)p[i].len);

		pv_memcpy(dst, p[i].data, (size_t)p[i].len);
		vm->cfg.ops->cache_clean_range(vm->cfg.ctx, pv_hva_from_ptr(dst),
					       (size_t)p[i].len);
	}
	vm->cfg.ops->icache_inval_all(vm->cfg.ctx);
	r = pv_vcpu_regs(&vm->vcpu[0]);
	r[0] = 0;
	r[1] = 0xffffffffu;
	r[2] = (uint32_t)pv_gpa_val(im->dtb_gpa);
	r[15] = (uint32_t)pv_gpa_val(im->kernel_gpa);
	return 0;
}
