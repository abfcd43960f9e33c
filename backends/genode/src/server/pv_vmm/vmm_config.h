/* SPDX-License-Identifier: MIT */
/*
 * pv_vmm's configuration (docs/genode.md): the attributes of its <config>
 * node, checked, and where the guest's images go in its RAM. main.cc
 * reads the node through Genode's Xml_node and hands the attributes here
 * one by one; the host tests hand them from a table
 * (tests/unit/test_genode_exit.c).
 *
 *   <config ram_mib="128" vcpus="1" board="default"
 *           kernel="Image" sites="Image.sites" stubs="Image.stubs"
 *           dtb="linux.dtb" initrd="initramfs.cpio"/>
 *
 * The images are ROM modules of those names, made by
 * tools/mk-linux-image.sh as for pvbm (the patched Image, its site and
 * stub tables, the device tree with the command line in /chosen, the
 * initramfs). An empty stubs or initrd attribute means none.
 */
#ifndef PV_VMM_VMM_CONFIG_H
#define PV_VMM_VMM_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include <pvcore/pvcore.h>
#include "fdt_chosen.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PV_GENODE_NAME_MAX 64   /* a ROM module name, with its NUL */

/**
 * struct pv_genode_config - the checked configuration
 * @ram_mib: guest RAM in MiB, 96..128 (the virtual board's range,
 *           docs/linux-guest.md), default 128
 * @vcpus: 1..PV_MAX_VCPUS, default 1
 * @virtio_board: pv_board_virtio() instead of pv_board_default()
 * @kernel, @sites, @dtb: ROM module names (defaults "Image",
 *           "Image.sites", "linux.dtb")
 * @stubs, @initrd: ROM module names, or "" for none (defaults "")
 * @has_bootargs, @bootargs: the kernel command line the device tree's
 *           /chosen gets (fdt_chosen.h), if the node sets one; else the
 *           device tree's own stays
 */
struct pv_genode_config {
	uint32_t ram_mib;
	unsigned vcpus;
	bool virtio_board;
	char kernel[PV_GENODE_NAME_MAX], sites[PV_GENODE_NAME_MAX];
	char stubs[PV_GENODE_NAME_MAX], dtb[PV_GENODE_NAME_MAX];
	char initrd[PV_GENODE_NAME_MAX];
	bool has_bootargs;
	char bootargs[PV_GENODE_BOOTARGS_MAX];
};

/**
 * typedef pv_genode_attr_fn - the value of attribute @name, or NULL if
 * the node does not have it; the string need only stay valid until the
 * next call (the parser uses each value before it asks for another)
 */
typedef const char *(*pv_genode_attr_fn)(void *ctx, const char *name);

/**
 * pv_genode_config_parse() - check the <config> node's attributes
 * @attr: reads one attribute
 * @ctx: passed to @attr
 * @out: the configuration, defaults where an attribute is absent
 * @why: on an error, a line naming the attribute and what is wrong
 * @why_len: size of @why (may be 0)
 *
 * Return: 0; PV_EINVAL for a value that is not a decimal number in range,
 * a board other than "default" and "virtio", a name longer than
 * PV_GENODE_NAME_MAX - 1 or with other characters than letters, digits,
 * '.', '_' and '-', an empty kernel, sites or dtb, stubs with more
 * than one vCPU (the vCPU page is one per VM, docs/smp.md), or bootargs
 * longer than PV_GENODE_BOOTARGS_MAX - 1 or with a character that is not
 * printable ASCII.
 */
int pv_genode_config_parse(pv_genode_attr_fn attr, void *ctx,
			   struct pv_genode_config *out, char *why,
			   size_t why_len);

/**
 * struct pv_genode_layout - guest-physical addresses of the images, as
 * tools/mk-linux-image.sh places them for pvbm
 * @kernel: RAM base + the Image's TEXT_OFFSET
 * @dtb: RAM base + 0x03ff0000 (64 KiB below the initramfs)
 * @initrd: RAM base + 0x04000000
 */
struct pv_genode_layout {
	uint32_t kernel, dtb, initrd;
};

/**
 * pv_genode_place() - where the images go, and whether they fit
 * @cfg: the configuration (its RAM size)
 * @image_base: the Image's link address (the site table's image_base,
 *              PAGE_OFFSET 0xC0000000 + TEXT_OFFSET)
 * @kernel_size, @dtb_size, @initrd_size: the images' sizes in bytes
 * @out: filled in
 * @why, @why_len: as for pv_genode_config_parse()
 *
 * Return: 0; PV_ERANGE if the Image's link address is not inside the
 * guest's first 32 MiB above PAGE_OFFSET, or the Image runs into the
 * device tree, the device tree is over 64 KiB, or the initramfs does not
 * fit in the guest's RAM.
 */
int pv_genode_place(const struct pv_genode_config *cfg, uint32_t image_base,
		    size_t kernel_size, size_t dtb_size, size_t initrd_size,
		    struct pv_genode_layout *out, char *why, size_t why_len);

/**
 * pv_genode_trim_roms() - the pieces' own sizes, from their headers
 * @im: the pieces as their ROM modules gave them
 *
 * A ROM dataspace is a whole number of pages, so a piece arrives with
 * zeros after its end, which pvcore's exact checks refuse. The site table
 * says its own size (its header, entries, name offsets and string table)
 * and the Image's; the stub table's header and entries are its size; a
 * flattened device tree says its totalsize. A size is
 * only ever made smaller: a header that claims more than the ROM holds
 * leaves the size as it was, for pv_linux_config() to refuse. The
 * initramfs is left as it is (Linux skips its zero padding).
 */
void pv_genode_trim_roms(struct pv_linux_images *im);

#ifdef __cplusplus
}
#endif

#endif /* PV_VMM_VMM_CONFIG_H */
