/* SPDX-License-Identifier: MIT */
/**
 * DOC: booting a pvpatch'ed Linux guest
 *
 * What every backend does to start Linux, whatever its host: take the
 * pvpatch'ed Image with its site table (and stub table, if it was patched
 * with stubs), the device tree and the initramfs, check that they belong
 * together, hand the tables to pv_vm_init(), copy the pieces into guest
 * RAM and set vCPU 0 up as the ARM Linux boot protocol asks
 * (Documentation/arch/arm/booting.rst). pvbm's images and Genode's ROM
 * modules carry the same pieces; only where they come from differs.
 *
 * 1. pv_linux_config() before pv_vm_init(): the tables, checked, into the
 *    VM's configuration (the backend still provides the vCPU pages the
 *    stubs need, &pv_vm_config.vcpu_pages);
 * 2. pv_linux_load() after it: the pieces into RAM, vCPU 0's registers.
 */
#ifndef PVCORE_LINUX_H
#define PVCORE_LINUX_H

#include <pvcore/patch.h>
#include <pvcore/pvpage.h>
#include <pvcore/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pv_vm;
struct pv_vm_config;

/**
 * struct pv_linux_images - a Linux guest's pieces, in host memory
 * @image, @image_size: the pvpatch'ed Image (zImage's payload, not a
 *           zImage: pvpatch patches the uncompressed kernel)
 * @sites, @sites_size: its site table (pvpatch -o ... .sites; 4-byte
 *           aligned, read in place for the VM's lifetime)
 * @stubs, @stubs_size: its stub table, or NULL and 0 for a guest patched
 *           without stubs
 * @dtb, @dtb_size: the device tree, its /chosen node already naming the
 *           initramfs and the command line
 * @initrd, @initrd_size: the initramfs, or NULL and 0
 * @kernel_gpa, @dtb_gpa, @initrd_gpa: where each goes in guest RAM
 */
struct pv_linux_images {
	const void *image;
	size_t image_size;
	const void *sites;
	size_t sites_size;
	const void *stubs;
	size_t stubs_size;
	const void *dtb;
	size_t dtb_size;
	const void *initrd;
	size_t initrd_size;
	pv_gpa_t kernel_gpa, dtb_gpa, initrd_gpa;
};

/**
 * struct pv_linux_tables - the parsed tables, the caller's storage; must
 * outlive the VM (its configuration points into it)
 */
struct pv_linux_tables {
	struct pv_patch_table sites;
	struct pv_stub_table stubs;
	bool has_stubs;
};

/**
 * pv_linux_config() - check a guest's tables and put them into @cfg
 * @lt: storage for the parsed tables
 * @im: the pieces (only the tables, the Image's size and @kernel_gpa are
 *      read here)
 * @cfg: the configuration pv_vm_init() will get; its @num_vcpus must be
 *       final. Sets @patch_sites and, with stubs, @stubs; nothing else.
 * @why: if not NULL, on an error a static line saying what is wrong
 *
 * Decides everything before it changes @cfg: on an error @cfg is as it
 * was.
 *
 * Return: 0; PV_EINVAL for a NULL argument, no Image, a table that is
 * missing or not 4-byte aligned, or stubs with more than one vCPU (the
 * vCPU page is one per VM for now, vm.h); PV_ECORRUPT
 * for a site or stub table that does not parse, a site table made for an
 * Image of another size, or a stub table of another Image; PV_ERANGE if
 * the Image's load range overlaps its link range or a site
 * (pv_patch_table_set_load()), or the stub area would pass 4 GiB.
 */
int pv_linux_config(struct pv_linux_tables *lt,
		    const struct pv_linux_images *im, struct pv_vm_config *cfg,
		    const char **why);

/**
 * pv_linux_load() - copy the pieces into guest RAM and set vCPU 0 up
 * @vm: a VM initialized with the configuration pv_linux_config() filled
 * @im: the same pieces
 * @why: as for pv_linux_config()
 *
 * Checks that each piece lies inside one RAM region and that none overlaps
 * another before it copies anything. Then copies them, names each copy to
 * the backend's cache_clean_range() and calls its icache_inval_all()
 * (the Image was written through the data cache and is about to be
 * executed), and sets vCPU 0 as the boot protocol asks: r0 = 0, r1 = ~0
 * (no machine number: device-tree boot), r2 = @dtb_gpa, the PC at
 * @kernel_gpa; its reset state is already SVC mode with IRQ and FIQ masked
 * and the MMU and caches off.
 *
 * Return: 0; PV_EINVAL for a NULL argument or no Image or device tree;
 * PV_ERANGE if a piece is not inside one RAM region or two pieces overlap.
 * Nothing is copied or set on an error.
 */
int pv_linux_load(struct pv_vm *vm, const struct pv_linux_images *im,
		  const char **why);

#ifdef __cplusplus
}
#endif

#endif /* PVCORE_LINUX_H */
