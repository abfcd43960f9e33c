/* SPDX-License-Identifier: MIT */
/*
 * The VMM's side of the table log (pv_genode/table_log.h): the backend
 * operations pvcore calls for its tables and the host TLB become records,
 * in order, for the kernel to replay (src/core/pv_vm/table_check.c).
 */
#ifndef PV_GENODE_TABLE_LOG_WRITER_H
#define PV_GENODE_TABLE_LOG_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include <pv_genode/table_log.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Hands the full page to the kernel (in main.cc, the session's call that
 * replays it); the writer empties the page when it returns. */
typedef void (*pv_genode_log_flush_fn)(void *ctx);

struct pv_genode_log_writer {
	struct pv_genode_table_log *page;
	const uint8_t *pool;
	size_t pool_size;
	pv_genode_log_flush_fn flush;
	void *flush_ctx;
	uint64_t records, flushes; /* counters */
};

/**
 * pv_genode_log_init() - an empty log on @page for the pool at @pool
 *
 * Return: 0; -1 for a NULL pointer or a zero-sized pool.
 */
int pv_genode_log_init(struct pv_genode_log_writer *lw,
		       struct pv_genode_table_log *page, const void *pool,
		       size_t pool_size, pv_genode_log_flush_fn flush, void *ctx);

/**
 * pv_genode_log_clean() - pvcore cleaned @len bytes at @p
 *
 * The part inside the pool becomes a record, merged with the last one if
 * that was a range it continues or overlaps; bytes outside the pool (the
 * guest's own cache maintenance) are not the log's.
 */
void pv_genode_log_clean(struct pv_genode_log_writer *lw, const void *p,
			 size_t len);

/** pv_genode_log_tlb_all() - a record: invalidate all non-global entries. */
void pv_genode_log_tlb_all(struct pv_genode_log_writer *lw);

/** pv_genode_log_tlb_asid() - a record: invalidate host ASID @asid. */
void pv_genode_log_tlb_asid(struct pv_genode_log_writer *lw, uint8_t asid);

/** pv_genode_log_tlb_va() - a record: invalidate @va's page under @asid. */
void pv_genode_log_tlb_va(struct pv_genode_log_writer *lw, uint32_t va,
			  uint8_t asid);

/** pv_genode_log_flush() - hand what is logged to the kernel (before a run). */
void pv_genode_log_flush(struct pv_genode_log_writer *lw);

#ifdef __cplusplus
}
#endif

#endif
