/* SPDX-License-Identifier: MIT */
/**
 * DOC: the guest-physical memory map and the MMIO bus
 *
 * Guest-physical space consists of RAM regions, which are backed by host
 * memory the backend provides, and MMIO regions, which belong to device
 * models. Anything else is an external abort for the guest, as on the real
 * SoC, and is counted.
 *
 * Device models see only offsets into their own region. An access of 8, 16
 * or 32 bits goes to the device as one call; a 64-bit access (LDRD/STRD,
 * LDM/STM pairs) is passed as one call only if the region sets
 * PV_MMIO_ALLOW_64, and is otherwise split into two 32-bit calls, low word
 * first.
 */
#ifndef PVCORE_MEMMAP_H
#define PVCORE_MEMMAP_H

#include <pvcore/vm.h>

#define PV_MAX_MMIO_REGIONS 24


/**
 * struct pv_mmio_ops - a device model's register interface
 * @read: read @size bytes (1, 2, 4, or 8 with PV_MMIO_ALLOW_64) at @offset
 *        into *@val. Return 0, or PV_EABORT for a slave error that the guest
 *        should see as an external abort.
 * @write: write @val. Same return values.
 */
struct pv_mmio_ops {
	int (*read)(void *dev, uint32_t offset, unsigned size, uint64_t *val);
	int (*write)(void *dev, uint32_t offset, unsigned size, uint64_t val);
};

#define PV_MMIO_ALLOW_64 (1u << 0)

struct pv_mmio_region {
	pv_gpa_t base;
	uint32_t size;
	unsigned flags;
	const struct pv_mmio_ops *ops;
	void *dev;
	const char *name;
};

/**
 * struct pv_memmap - guest-physical layout of one VM
 * @unassigned: accesses that hit neither RAM nor a device
 */
struct pv_memmap {
	struct pv_ram_region ram[PV_MAX_RAM_REGIONS];
	unsigned nram;
	struct pv_mmio_region mmio[PV_MAX_MMIO_REGIONS];
	unsigned nmmio;
	uint64_t unassigned;
};

/**
 * pv_memmap_add_ram() - add a RAM region
 *
 * Return: 0; PV_EINVAL if unaligned or empty or the host backing is NULL;
 * PV_EEXIST if it overlaps an existing region; PV_ENOMEM if the table is full.
 */
int pv_memmap_add_ram(struct pv_memmap *map, const struct pv_ram_region *r);

/**
 * pv_memmap_add_mmio() - register a device's register window
 *
 * Return: 0; PV_EINVAL for an empty region or missing ops; PV_EEXIST on
 * overlap; PV_ENOMEM if the table is full.
 */
int pv_memmap_add_mmio(struct pv_memmap *map, pv_gpa_t base, uint32_t size,
		       unsigned flags, const struct pv_mmio_ops *ops, void *dev,
		       const char *name);

/**
 * pv_memmap_find_ram() - the RAM region that holds [@gpa, @gpa + @len)
 *
 * Return: the region, or NULL if the range is not entirely inside one.
 */
const struct pv_ram_region *pv_memmap_find_ram(const struct pv_memmap *map,
					       pv_gpa_t gpa, uint32_t len);

/**
 * pv_memmap_ram_hva() - host pointer for guest RAM [@gpa, @gpa + @len)
 *
 * Return: the pointer, or NULL if the range is not entirely in one region.
 */
void *pv_memmap_ram_hva(const struct pv_memmap *map, pv_gpa_t gpa,
			uint32_t len);

/** pv_memmap_find_mmio() - the device region holding @gpa, or NULL. */
const struct pv_mmio_region *pv_memmap_find_mmio(const struct pv_memmap *map,
						 pv_gpa_t gpa);

/**
 * pv_memmap_read() - a guest-physical load (RAM or device)
 * @size: 1, 2, 4 or 8; the access must not cross a region boundary
 *
 * Little-endian. Return: 0; PV_EABORT when nothing is mapped there or the
 * device reported a slave error (counted in @map->unassigned for the former);
 * PV_EINVAL for a bad size.
 */
int pv_memmap_read(struct pv_memmap *map, pv_gpa_t gpa, unsigned size,
		   uint64_t *val);

/** pv_memmap_write() - a guest-physical store; see pv_memmap_read(). */
int pv_memmap_write(struct pv_memmap *map, pv_gpa_t gpa, unsigned size,
		    uint64_t val);

#endif /* PVCORE_MEMMAP_H */
