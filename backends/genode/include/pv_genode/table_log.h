/* SPDX-License-Identifier: MIT */
/*
 * The table log: how the pv_vmm component's shadow tables reach the table
 * walker under Genode (docs/genode.md, "Only the VM's memory in the shadow
 * tables").
 *
 * The VMM runs pvcore on a shadow pool in its own memory. The walker never
 * reads that pool: it reads the kernel's copy of the pool's table ranges
 * (pv_vm_shadow_layout()). pvcore names every table byte it writes to
 * cache_clean_range() (backend.h); the VMM turns each such range, and each
 * TLB operation, into a record of this page, in order. At the next run (or
 * when the page is full) the kernel replays the records: it copies each
 * range word by word from the VMM's pool into its copy, checking every
 * descriptor (backends/genode/src/core/pv_vm/table_check.c), and performs
 * the TLB operations where they stand.
 *
 * One page per VM, written by the VMM, read by the kernel. Plain 32-bit
 * words at fixed offsets (asserted below).
 */
#ifndef PV_GENODE_TABLE_LOG_H
#define PV_GENODE_TABLE_LOG_H

#include <stddef.h>
#include <stdint.h>

#include <pv_genode/abi.h>

#define PV_GENODE_LOG_MAGIC 0x4c477670u   /* "pvGL" */
#define PV_GENODE_LOG_VERSION 1u

/* PV_GENODE_LOG_*: a record's op. */
enum pv_genode_log_op {
	PV_GENODE_LOG_TABLES = 1,   /* @a: pool offset, @b: bytes */
	PV_GENODE_LOG_TLB_ALL = 2,  /* every non-global entry */
	PV_GENODE_LOG_TLB_ASID = 3, /* @a: host ASID */
	PV_GENODE_LOG_TLB_VA = 4,   /* @a: guest-virtual page, @b: host ASID */
};

struct pv_genode_log_rec {
	uint32_t op;
	uint32_t a, b;
	uint32_t reserved; /* 0 */
};

#define PV_GENODE_LOG_RECS 255u

struct pv_genode_table_log {
	uint32_t magic;
	uint32_t version;
	uint32_t count;      /* records in use, at most PV_GENODE_LOG_RECS */
	uint32_t reserved;   /* 0 */
	struct pv_genode_log_rec rec[PV_GENODE_LOG_RECS];
};

PV_GENODE_ASSERT(sizeof(struct pv_genode_log_rec) == 16, "record size");
PV_GENODE_ASSERT(offsetof(struct pv_genode_table_log, count) == 8, "count");
PV_GENODE_ASSERT(offsetof(struct pv_genode_table_log, rec) == 16, "records");
PV_GENODE_ASSERT(sizeof(struct pv_genode_table_log) == 4096, "one page");

#endif
