/* SPDX-License-Identifier: MIT */
/*
 * The VMM's side of the table log (table_log.h).
 */
#include "table_log.h"

int pv_genode_log_init(struct pv_genode_log_writer *lw,
		       struct pv_genode_table_log *page, const void *pool,
		       size_t pool_size, pv_genode_log_flush_fn flush, void *ctx)
{
	if (!lw || !page || !pool || !pool_size || !flush)
		return -1;
	lw->page = page;
	lw->pool = pool;
	lw->pool_size = pool_size;
	lw->flush = flush;
	lw->flush_ctx = ctx;
	lw->records = lw->flushes = 0;
	page->magic = PV_GENODE_LOG_MAGIC;
	page->version = PV_GENODE_LOG_VERSION;
	page->count = 0;
	page->reserved = 0;
	return 0;
}

void pv_genode_log_flush(struct pv_genode_log_writer *lw)
{
	if (!lw->page->count)
		return;
	lw->flush(lw->flush_ctx);
	lw->flushes++;
	lw->page->count = 0;
}

static void put(struct pv_genode_log_writer *lw, uint32_t op, uint32_t a,
		uint32_t b)
{
	struct pv_genode_log_rec *r;

	if (lw->page->count == PV_GENODE_LOG_RECS)
		pv_genode_log_flush(lw);
	r = &lw->page->rec[lw->page->count];
	r->op = op;
	r->a = a;
	r->b = b;
	r->reserved = 0;
	lw->page->count++;
	lw->records++;
}

void pv_genode_log_clean(struct pv_genode_log_writer *lw, const void *p,
			 size_t len)
{
	uintptr_t lo = (uintptr_t)p, hi = lo + len;
	uintptr_t plo = (uintptr_t)lw->pool, phi = plo + lw->pool_size;
	uint32_t off, end;
	struct pv_genode_log_rec *last;

	if (lo < plo)
		lo = plo;
	if (hi > phi)
		hi = phi;
	if (lo >= hi)
		return;
	off = (uint32_t)(lo - plo);
	end = (uint32_t)(hi - plo);
	/* Table writes come in runs: one record for a run, while no TLB
	 * record stands between (the order of the two matters). */
	if (lw->page->count) {
		last = &lw->page->rec[lw->page->count - 1];
		if (last->op == PV_GENODE_LOG_TABLES && off <= last->a + last->b &&
		    end >= last->a) {
			uint32_t lo2 = off < last->a ? off : last->a;
			uint32_t hi2 = end > last->a + last->b ? end : last->a + last->b;

			last->a = lo2;
			last->b = hi2 - lo2;
			return;
		}
	}
	put(lw, PV_GENODE_LOG_TABLES, off, end - off);
}

void pv_genode_log_tlb_all(struct pv_genode_log_writer *lw)
{
	put(lw, PV_GENODE_LOG_TLB_ALL, 0, 0);
}

void pv_genode_log_tlb_asid(struct pv_genode_log_writer *lw, uint8_t asid)
{
	put(lw, PV_GENODE_LOG_TLB_ASID, asid, 0);
}

void pv_genode_log_tlb_va(struct pv_genode_log_writer *lw, uint32_t va,
			  uint8_t asid)
{
	put(lw, PV_GENODE_LOG_TLB_VA, va & ~0xfffu, asid);
}
