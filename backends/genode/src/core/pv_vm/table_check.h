/* SPDX-License-Identifier: MIT */
/*
 * The kernel's side of the table log (pv_genode/table_log.h): the tables
 * the walker reads under a guest context, kept by the base-hw kernel
 * extension as a checked copy of the VMM's (docs/genode.md, "Only the VM's
 * memory in the shadow tables").
 *
 * Portable C with no Genode dependency, so that the host tests run it on
 * what pvcore really writes (tests/unit/test_genode_tables.c); core
 * compiles the same file. The VMM is not trusted: every word it names is
 * read once from its pool, checked, and only then stored in the copy, so
 * the copy holds checked words only, whatever the VMM does meanwhile.
 *
 * What a word of the copy may be:
 * - in a root, at a whole window MiB: exactly the window's descriptor;
 *   at a partial window MiB: exactly the link to that root's own window
 *   table (&struct pv_shadow_layout, @part_l2), with the window's domain;
 *   elsewhere: a fault entry, a section inside a frame range, or a link to
 *   one of the other second-level tables of the copy;
 * - in a second-level table: in a root's window table, below the window's
 *   end, the window's own page denied to PL0; elsewhere a fault entry or a
 *   small page inside a frame range.
 * No supersections, no large pages, no reserved types: pvcore writes none.
 */
#ifndef PV_GENODE_TABLE_CHECK_H
#define PV_GENODE_TABLE_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include <pvcore/vm.h>
#include <pv_genode/table_log.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A range of host-physical frames the VM was given (RAM, vCPU pages). */
struct pv_genode_frames {
	uint64_t pa;
	uint64_t size;
};

/* The TLB operations of the log, as the kernel performs them. */
struct pv_genode_tlb_ops {
	void (*all)(void *ctx);
	void (*asid)(void *ctx, uint8_t asid);
	void (*va)(void *ctx, uint32_t va, uint8_t asid);
};

struct pv_genode_walker {
	/* Fixed by pv_genode_walker_init() (the session's creation). */
	const volatile uint32_t *vmm_pool; /* the VMM's pool, read only */
	uint32_t *copy;          /* the walker's tables, @pool_size bytes */
	uint64_t copy_pa;        /* physical address of @copy (16 KiB aligned) */
	uint32_t pool_size;
	struct pv_shadow_layout lay;
	const struct pv_genode_frames *frames;
	unsigned nframes;
	uint32_t win_first;      /* L1 index of the window's first MiB */
	unsigned win_whole;      /* whole MiBs of the window */
	const uint32_t *window_l1; /* win_whole + (part_pages != 0) entries */
	uint32_t part_pages;     /* window pages of its last MiB, or 0 */
	/* State. */
	bool broken;             /* a log was refused: never run the VM again */
	uint32_t words;          /* words copied, for the counters */
};

/**
 * pv_genode_walker_init() - check a VM's table geometry and set up @w
 * @w:        the walker, filled in
 * @vmm_pool: the VMM's shadow pool as the kernel reads it
 * @copy:     @pool_size bytes of kernel memory at physical @copy_pa, zeroed
 *            here (what pv_vm_init() leaves in the VMM's tables)
 * @lay:      pv_vm_shadow_layout() of the VMM's VM: checked, not trusted
 * @frames, @nframes: the frame ranges the VM may map
 * @window_base, @window_size, @window_l1: as in &struct pv_vm_config, the
 *            kernel's own window
 *
 * Return: 0; PV_EINVAL for a NULL pointer, a misaligned or zero-sized
 * pool, a layout whose ranges overlap, leave the pool or disagree with the
 * window (@part_l2), a window not MiB aligned or without a frame.
 */
int pv_genode_walker_init(struct pv_genode_walker *w, const void *vmm_pool,
			  void *copy, uint64_t copy_pa, uint32_t pool_size,
			  const struct pv_shadow_layout *lay,
			  const struct pv_genode_frames *frames, unsigned nframes,
			  uint32_t window_base, uint32_t window_size,
			  const uint32_t *window_l1);

/**
 * pv_genode_walker_apply() - replay the VMM's table log into the copy
 * @w:   the walker
 * @log: the log page (VMM memory: read once per field)
 * @tlb: the TLB operations, called where their records stand
 * @ctx: passed to them
 *
 * Records are replayed in order, each table word checked before it is
 * stored. The words of a range that fall outside the table ranges (the
 * core's bookkeeping) are not copied: the walker never reads them.
 *
 * Return: 0; on a refusal the walker is broken (the kernel must not run
 * the VM on the copy again, though every word in it was checked):
 * PV_EINVAL for NULL arguments; PV_EBUSY if already broken; PV_ECORRUPT
 * for a bad magic, version, count, op or reserved word, or a range outside
 * the pool; PV_EWINDOW for a window entry altered; PV_ERANGE for a
 * descriptor naming a frame outside @frames or a table outside the copy,
 * or a type pvcore never writes.
 */
int pv_genode_walker_apply(struct pv_genode_walker *w,
			   const struct pv_genode_table_log *log,
			   const struct pv_genode_tlb_ops *tlb, void *ctx);

/**
 * pv_genode_walker_root_ok() - whether @ttbr0 names a root of the copy
 *
 * The run half of the vCPU state page names the root the guest runs on;
 * the kernel loads it only if this says yes (walk attributes in the low
 * bits are the kernel's own, ignored here).
 */
bool pv_genode_walker_root_ok(const struct pv_genode_walker *w, uint32_t ttbr0);

#ifdef __cplusplus
}
#endif

#endif
