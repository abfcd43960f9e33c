/* SPDX-License-Identifier: MIT */
/*
 * The kernel's checked copy of a VM's shadow tables (table_check.h).
 */
#include "table_check.h"

#include <pvcore/error.h>

#define MIB 0x100000u
#define ROOT_BYTES 16384u
#define L2_BYTES 1024u

/* Short-descriptor fields the checks read (Arm ARM B3.5.1). */
#define TYPE(d) ((d) & 3u)
#define SUPERSECTION (1u << 18)
#define DOMAIN_BITS 0x1e0u

static bool in_frames(const struct pv_genode_walker *w, uint64_t pa,
		      uint64_t size)
{
	for (unsigned i = 0; i < w->nframes; i++) {
		const struct pv_genode_frames *f = &w->frames[i];

		if (pa >= f->pa && size <= f->size && pa - f->pa <= f->size - size)
			return true;
	}
	return false;
}

static uint64_t l2_base_pa(const struct pv_genode_walker *w)
{
	return w->copy_pa + w->lay.l2_off;
}

/* The link from root @r to its own window table. */
static uint32_t part_link(const struct pv_genode_walker *w, uint32_t r)
{
	return (uint32_t)(l2_base_pa(w) + (uint64_t)r * L2_BYTES) |
	       (w->window_l1[w->win_whole] & DOMAIN_BITS) | 1u;
}

/* Word @i of root @r may hold @d. */
static int check_root_word(const struct pv_genode_walker *w, uint32_t r,
			   uint32_t i, uint32_t d)
{
	uint64_t t;

	if (i >= w->win_first && i - w->win_first < w->win_whole)
		return d == w->window_l1[i - w->win_first] ? 0 : PV_EWINDOW;
	if (w->part_pages && i == w->win_first + w->win_whole)
		return d == part_link(w, r) ? 0 : PV_EWINDOW;
	switch (TYPE(d)) {
	case 0:
		return 0;
	case 1: /* a link: to a table of the copy, not a window table */
		t = (uint64_t)(d & ~0x3ffu);
		if (t < l2_base_pa(w) ||
		    t - l2_base_pa(w) >= w->lay.l2_size ||
		    (t - l2_base_pa(w)) / L2_BYTES < w->lay.part_l2)
			return PV_ERANGE;
		return 0;
	case 2:
		if (d & SUPERSECTION)
			return PV_ERANGE;
		return in_frames(w, d & 0xfff00000u, MIB) ? 0 : PV_ERANGE;
	default:
		return PV_ERANGE;
	}
}

/* Page @j of the partial window MiB as the kernel maps it: the section's
 * frame j with its memory attributes, PL1 only (AP 01). */
static uint32_t window_page(const struct pv_genode_walker *w, uint32_t j)
{
	uint32_t s = w->window_l1[w->win_whole];

	return ((s & 0xfff00000u) + (j << 12)) | (s & 0xcu) |
	       ((s >> 12) & 7u) << 6 | 1u << 4 | 2u;
}

/* Word @j of second-level table @t may hold @d. */
static int check_l2_word(const struct pv_genode_walker *w, uint32_t t,
			 uint32_t j, uint32_t d)
{
	if (t < w->lay.part_l2 && j < w->part_pages) {
		/* The window's page j, no PL0 access (AP[1:0] 00 or 01). */
		uint32_t frame = (w->window_l1[w->win_whole] & 0xfff00000u) + (j << 12);

		if (!(d & 2) || (d & 0xfffff000u) != frame || ((d >> 4) & 3u) > 1)
			return PV_EWINDOW;
		return 0;
	}
	switch (TYPE(d)) {
	case 0:
		return 0;
	case 1: /* a large page: pvcore writes none */
		return PV_ERANGE;
	default:
		return in_frames(w, d & 0xfffff000u, 0x1000u) ? 0 : PV_ERANGE;
	}
}

/* Word at pool offset @off: 1 if a table word (checked into @err), 0 if
 * bookkeeping the walker never reads. */
static int check_word(const struct pv_genode_walker *w, uint32_t off,
		      uint32_t d, int *err)
{
	const struct pv_shadow_layout *l = &w->lay;

	if (off - l->roots_off < l->roots_size && off >= l->roots_off) {
		uint32_t o = off - l->roots_off;

		*err = check_root_word(w, o / ROOT_BYTES, (o % ROOT_BYTES) / 4, d);
		return 1;
	}
	if (off >= l->l2_off && off - l->l2_off < l->l2_size) {
		uint32_t o = off - l->l2_off;

		*err = check_l2_word(w, o / L2_BYTES, (o % L2_BYTES) / 4, d);
		return 1;
	}
	return 0;
}

int pv_genode_walker_init(struct pv_genode_walker *w, const void *vmm_pool,
			  void *copy, uint64_t copy_pa, uint32_t pool_size,
			  const struct pv_shadow_layout *lay,
			  const struct pv_genode_frames *frames, unsigned nframes,
			  uint32_t window_base, uint32_t window_size,
			  const uint32_t *window_l1)
{
	uint32_t nroots, whole, part;

	if (!w || !vmm_pool || !copy || !lay || !frames || !nframes || !window_l1)
		return PV_EINVAL;
	if (!pool_size || (pool_size & 3u) || (copy_pa & (ROOT_BYTES - 1)) ||
	    ((uintptr_t)vmm_pool & 3u) || ((uintptr_t)copy & 3u))
		return PV_EINVAL;
	/* The layout: roots first, then tables, both inside the pool. */
	if (lay->roots_off || !lay->roots_size || lay->roots_size % ROOT_BYTES ||
	    lay->roots_size > pool_size || lay->l2_off < lay->roots_size ||
	    lay->l2_off % L2_BYTES || !lay->l2_size || lay->l2_size % L2_BYTES ||
	    lay->l2_off > pool_size || lay->l2_size > pool_size - lay->l2_off)
		return PV_EINVAL;
	if ((window_base & (MIB - 1)) || !window_size || (window_size & 0xfffu) ||
	    window_size > 0u - window_base)
		return PV_EINVAL;
	nroots = lay->roots_size / ROOT_BYTES;
	whole = window_size / MIB;
	part = (window_size % MIB) / 0x1000u;
	if (lay->part_l2 != (part ? nroots : 0) ||
	    lay->part_l2 > lay->l2_size / L2_BYTES)
		return PV_EINVAL;
	if (part && (window_l1[whole] & 3u) != 2)
		return PV_EINVAL; /* the partial MiB is split from a section */

	w->vmm_pool = vmm_pool;
	w->copy = copy;
	w->copy_pa = copy_pa;
	w->pool_size = pool_size;
	w->lay = *lay;
	w->frames = frames;
	w->nframes = nframes;
	w->win_first = window_base / MIB;
	w->win_whole = whole;
	w->window_l1 = window_l1;
	w->part_pages = part;
	w->broken = false;
	w->words = 0;
	for (uint32_t i = 0; i < pool_size / 4; i++)
		w->copy[i] = 0;
	/* The window in every root from the start, before any log: a root
	 * without it would take the guest's next exception nowhere. */
	for (uint32_t r = 0; r < nroots; r++) {
		uint32_t *root = w->copy + (lay->roots_off + r * ROOT_BYTES) / 4;

		for (uint32_t k = 0; k < whole; k++)
			root[w->win_first + k] = window_l1[k];
		if (!part)
			continue;
		root[w->win_first + whole] = part_link(w, r);
		for (uint32_t j = 0; j < part; j++)
			w->copy[(lay->l2_off + r * L2_BYTES) / 4 + j] = window_page(w, j);
	}
	return 0;
}

static int refuse(struct pv_genode_walker *w, int err)
{
	w->broken = true;
	return err;
}

static int apply_tables(struct pv_genode_walker *w, uint32_t off, uint32_t len)
{
	uint32_t end;
	int err;

	if (off > w->pool_size || len > w->pool_size - off)
		return PV_ECORRUPT;
	end = (off + len + 3u) & ~3u;
	if (end > w->pool_size)
		end = w->pool_size & ~3u;
	for (uint32_t o = off & ~3u; o < end; o += 4) {
		/* Read once: the VMM may be writing it right now. */
		uint32_t d = w->vmm_pool[o / 4];

		if (!check_word(w, o, d, &err))
			continue;
		if (err)
			return err;
		w->copy[o / 4] = d;
		w->words++;
	}
	return 0;
}

int pv_genode_walker_apply(struct pv_genode_walker *w,
			   const struct pv_genode_table_log *log,
			   const struct pv_genode_tlb_ops *tlb, void *ctx)
{
	const volatile struct pv_genode_table_log *vl = log;
	uint32_t count;
	int err;

	if (!w || !log || !tlb || !tlb->all || !tlb->asid || !tlb->va)
		return PV_EINVAL;
	if (w->broken)
		return PV_EBUSY;
	count = vl->count;
	if (vl->magic != PV_GENODE_LOG_MAGIC || vl->version != PV_GENODE_LOG_VERSION ||
	    count > PV_GENODE_LOG_RECS || vl->reserved)
		return refuse(w, PV_ECORRUPT);
	for (uint32_t k = 0; k < count; k++) {
		uint32_t op = vl->rec[k].op, a = vl->rec[k].a, b = vl->rec[k].b;

		if (vl->rec[k].reserved)
			return refuse(w, PV_ECORRUPT);
		switch (op) {
		case PV_GENODE_LOG_TABLES:
			err = apply_tables(w, a, b);
			if (err)
				return refuse(w, err);
			break;
		case PV_GENODE_LOG_TLB_ALL:
			tlb->all(ctx);
			break;
		case PV_GENODE_LOG_TLB_ASID:
			if (a > 0xffu)
				return refuse(w, PV_ECORRUPT);
			tlb->asid(ctx, (uint8_t)a);
			break;
		case PV_GENODE_LOG_TLB_VA:
			if (b > 0xffu)
				return refuse(w, PV_ECORRUPT);
			tlb->va(ctx, a & ~0xfffu, (uint8_t)b);
			break;
		default:
			return refuse(w, PV_ECORRUPT);
		}
	}
	return 0;
}

bool pv_genode_walker_root_ok(const struct pv_genode_walker *w, uint32_t ttbr0)
{
	uint64_t root = ttbr0 & ~(uint32_t)(ROOT_BYTES - 1);

	return w && !w->broken && root >= w->copy_pa + w->lay.roots_off &&
	       root - (w->copy_pa + w->lay.roots_off) < w->lay.roots_size;
}
