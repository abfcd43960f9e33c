/* SPDX-License-Identifier: MIT */
/*
 * The guest's kernel command line from pv_vmm's <config> node: a copy of
 * the device tree ROM with /chosen's "bootargs" property set (docs/genode.md).
 * Portable C, host-tested (tests/unit/test_genode_fdt.c); pvbm bakes the
 * command line into its device tree at build time instead.
 */
#ifndef PV_VMM_FDT_CHOSEN_H
#define PV_VMM_FDT_CHOSEN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Linux/ARM's COMMAND_LINE_SIZE, with the NUL */
#define PV_GENODE_BOOTARGS_MAX 1024

/**
 * pv_genode_fdt_size() - the totalsize a flattened device tree's header
 * claims, or 0 if @dtb (of @size bytes) does not start with one
 */
size_t pv_genode_fdt_size(const void *dtb, size_t size);

/**
 * pv_genode_fdt_bootargs() - @dtb with /chosen's bootargs set to @args
 * @dtb, @size: a flattened device tree, version 17 (what dtc writes); its
 *              totalsize may be less than @size (a ROM's page padding)
 * @args: the command line, NUL-terminated: at most
 *        PV_GENODE_BOOTARGS_MAX - 1 printable ASCII characters
 * @out, @cap: where the new tree goes (not overlapping @dtb)
 * @out_size: its size, on success
 *
 * The whole tree is checked before a byte of @out is written: the header,
 * that each block lies inside the tree, every token of the structure
 * block, property names inside the strings block, and node nesting. The
 * new tree keeps every node and property, in order, and replaces the
 * /chosen node's own bootargs property, or adds one as its first
 * property. Its blocks are laid out as dtc lays them out: reservation
 * map, structure, strings.
 *
 * Return: 0; PV_EINVAL for a NULL argument or @args too long or not
 * printable; PV_ECORRUPT for a malformed tree or one without /chosen;
 * PV_ENOMEM if the new tree does not fit in @cap. @dtb is never written;
 * @out is left as it was on every error.
 */
int pv_genode_fdt_bootargs(const void *dtb, size_t size, const char *args,
			   void *out, size_t cap, size_t *out_size);

#ifdef __cplusplus
}
#endif

#endif /* PV_VMM_FDT_CHOSEN_H */
