/* SPDX-License-Identifier: MIT */
/* Guest-physical memory map: RAM backing and the MMIO bus. */
#include <pvcore/error.h>
#include "memmap.h"

#include "pv_internal.h"


static bool map_overlaps(const struct pv_memmap *map, uint64_t base,
			 uint64_t size)
{
	for (unsigned i = 0; i < map->nram; i++)
		if (pv_ranges_overlap(base, size, pv_gpa_val(map->ram[i].gpa),
				   map->ram[i].size))
			return true;
	for (unsigned i = 0; i < map->nmmio; i++)
		if (pv_ranges_overlap(base, size, pv_gpa_val(map->mmio[i].base),
				   map->mmio[i].size))
			return true;
	return false;
}

int pv_memmap_add_ram(struct pv_memmap *map, const struct pv_ram_region *r)
{
	uint64_t base = pv_gpa_val(r->gpa);

	if (!r->size || (base | r->size) & 0xfffu || !pv_hva_val(r->hva) ||
	    pv_hpa_val(r->hpa) & 0xfffu || base + r->size > (1ull << 32))
		return PV_EINVAL;
	if (map_overlaps(map, base, r->size))
		return PV_EEXIST;
	if (map->nram == PV_MAX_RAM_REGIONS)
		return PV_ENOMEM;
	map->ram[map->nram++] = *r;
	return 0;
}

int pv_memmap_add_mmio(struct pv_memmap *map, pv_gpa_t base, uint32_t size,
		       unsigned flags, const struct pv_mmio_ops *ops, void *dev,
		       const char *name)
{
	struct pv_mmio_region *m;

	if (!size || !ops || !ops->read || !ops->write ||
	    pv_gpa_val(base) + size > (1ull << 32))
		return PV_EINVAL;
	if (map_overlaps(map, pv_gpa_val(base), size))
		return PV_EEXIST;
	if (map->nmmio == PV_MAX_MMIO_REGIONS)
		return PV_ENOMEM;
	m = &map->mmio[map->nmmio++];
	m->base = base;
	m->size = size;
	m->flags = flags;
	m->ops = ops;
	m->dev = dev;
	m->name = name;
	return 0;
}

const struct pv_ram_region *pv_memmap_find_ram(const struct pv_memmap *map,
					       pv_gpa_t gpa, uint32_t len)
{
	uint64_t a = pv_gpa_val(gpa);

	for (unsigned i = 0; i < map->nram; i++) {
		const struct pv_ram_region *r = &map->ram[i];
		uint64_t base = pv_gpa_val(r->gpa);

		if (a >= base && a - base < r->size && len <= r->size - (a - base))
			return r;
	}
	return NULL;
}

void *pv_memmap_ram_hva(const struct pv_memmap *map, pv_gpa_t gpa,
			uint32_t len)
{
	const struct pv_ram_region *r = pv_memmap_find_ram(map, gpa, len);

	if (!r)
		return NULL;
	return (uint8_t *)pv_hva_ptr(r->hva) + (pv_gpa_val(gpa) - pv_gpa_val(r->gpa));
}

const struct pv_mmio_region *pv_memmap_find_mmio(const struct pv_memmap *map,
						 pv_gpa_t gpa)
{
	uint64_t a = pv_gpa_val(gpa);

	for (unsigned i = 0; i < map->nmmio; i++) {
		const struct pv_mmio_region *m = &map->mmio[i];
		uint64_t base = pv_gpa_val(m->base);

		if (a >= base && a - base < m->size)
			return &map->mmio[i];
	}
	return NULL;
}

static bool size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* A 64-bit access to a device without PV_MMIO_ALLOW_64 becomes two 32-bit ones. */
static int mmio_access(const struct pv_mmio_region *m, pv_gpa_t gpa,
		       unsigned size, uint64_t *val, bool write)
{
	uint32_t off = (uint32_t)(pv_gpa_val(gpa) - pv_gpa_val(m->base));
	uint64_t lo, hi;
	int err;

	if (size > m->size - off)
		return PV_EABORT;
	if (size < 8 || (m->flags & PV_MMIO_ALLOW_64))
		return write ? m->ops->write(m->dev, off, size, *val)
			     : m->ops->read(m->dev, off, size, val);
	if (write) {
		err = m->ops->write(m->dev, off, 4, *val & 0xffffffffu);
		return err ? err : m->ops->write(m->dev, off + 4, 4, *val >> 32);
	}
	err = m->ops->read(m->dev, off, 4, &lo);
	if (!err)
		err = m->ops->read(m->dev, off + 4, 4, &hi);
	if (!err)
		*val = (lo & 0xffffffffu) | (hi << 32);
	return err;
}

int pv_memmap_read(struct pv_memmap *map, pv_gpa_t gpa, unsigned size,
		   uint64_t *val)
{
	const struct pv_mmio_region *m;
	const uint8_t *p;

	if (!size_ok(size))
		return PV_EINVAL;
	p = pv_memmap_ram_hva(map, gpa, size);
	if (p) {
		uint64_t v = 0;

		for (unsigned i = 0; i < size; i++)
			v |= (uint64_t)p[i] << (8 * i);
		*val = v;
		return 0;
	}
	m = pv_memmap_find_mmio(map, gpa);
	if (m)
		return mmio_access(m, gpa, size, val, false);
	map->unassigned++;
	return PV_EABORT;
}

int pv_memmap_write(struct pv_memmap *map, pv_gpa_t gpa, unsigned size,
		    uint64_t val)
{
	const struct pv_mmio_region *m;
	uint8_t *p;

	if (!size_ok(size))
		return PV_EINVAL;
	p = pv_memmap_ram_hva(map, gpa, size);
	if (p) {
		for (unsigned i = 0; i < size; i++)
			p[i] = (uint8_t)(val >> (8 * i));
		return 0;
	}
	m = pv_memmap_find_mmio(map, gpa);
	if (m)
		return mmio_access(m, gpa, size, &val, true);
	map->unassigned++;
	return PV_EABORT;
}
