/* SPDX-License-Identifier: MIT */
/*
 * pv_vmm's backend for pvcore (docs/genode.md): the operations pvcore asks
 * of a host, and the VM's configuration from what the component was given.
 *
 * - The shadow tables' cleans and the TLB operations become records of the
 *   table log (table_log.h), which the kernel replays into its checked copy
 *   before the next run: under Genode the VMM never touches the MMU.
 * - Time, the console and diagnostics go to the component's Genode
 *   sessions (Timer, Terminal, Log) through &struct pv_genode_host, which
 *   main.cc fills with thin wrappers. The instruction cache is the
 *   kernel's, reached through the PV VM session.
 *
 * Host-tested with a stand-in for the sessions
 * (tests/unit/test_genode_exit.c); nothing here is Genode API.
 */
#ifndef PV_VMM_VMM_BACKEND_H
#define PV_VMM_VMM_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include <pvcore/pvcore.h>

#include "table_log.h"
#include "vmm_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct pv_genode_host - the component's sessions, as plain functions
 * @now_ns: the Timer session's monotonic time
 * @timer_set: its one-shot timeout at an absolute time (PV_TIMER_NEVER:
 *             none); on expiry main.cc calls pv_vm_timer_expired()
 * @console_write, @console_read: the Terminal session (read must not
 *             block: -1 when nothing waits)
 * @log: the Log session, for pvcore's diagnostic lines
 * @icache_inval_all: the PV VM session's call (the kernel's cache)
 * @ctx: passed to each
 */
struct pv_genode_host {
	uint64_t (*now_ns)(void *ctx);
	void (*timer_set)(void *ctx, uint64_t deadline_ns);
	void (*console_write)(void *ctx, const uint8_t *buf, size_t len);
	int (*console_read)(void *ctx);
	void (*log)(void *ctx, const char *line);
	void (*icache_inval_all)(void *ctx);
	void *ctx;
};

/**
 * struct pv_genode_memory - what the PV VM session gave the component
 * @ram: the VM's RAM dataspace as the component attached it
 * @ram_size: its size: at least the configuration's ram_mib; with a page
 *            more, that page is the vCPU page of a guest patched with
 *            stubs (pvcore/pvpage.h), a frame of the VM's own that the
 *            kernel's table check accepts
 * @ram_phys: its physical address (one contiguous dataspace)
 * @pool: the component's own memory for pvcore's shadow pool, 16 KiB
 *        aligned; the walker never reads it
 * @pool_size: its size
 * @copy_phys: physical address of the kernel's checked copy of the pool,
 *             the address every shadow descriptor and TTBR0 names
 * @log_page: the table log page, shared with the kernel
 * @window_base, @window_size: the kernel's window (docs/genode.md)
 * @window_l1: its first-level descriptors, as the kernel reported them
 * @asid_first, @asid_last: the VM's host ASIDs
 * @ttbr_attrs: the kernel's walk attributes for TTBR0
 */
struct pv_genode_memory {
	void *ram;
	size_t ram_size;
	uint64_t ram_phys;
	void *pool;
	size_t pool_size;
	uint64_t copy_phys;
	struct pv_genode_table_log *log_page;
	uint32_t window_base, window_size;
	const uint32_t *window_l1;
	uint8_t asid_first, asid_last;
	uint32_t ttbr_attrs;
};

/**
 * struct pv_genode_vmm - the backend's state; the @ctx of its operations
 * @log: the table log's writer
 * @host: the sessions
 * @console_bytes: guest console output so far (the component's report)
 */
struct pv_genode_vmm {
	struct pv_genode_log_writer log;
	const struct pv_genode_host *host;
	uint64_t console_bytes;
};

/** pv_genode_backend_ops - pvcore's operations on a &struct pv_genode_vmm. */
extern const struct pv_backend_ops pv_genode_backend_ops;

/**
 * pv_genode_vmm_config() - the VM's configuration from what the component
 * has
 * @g: the backend's state (set up here)
 * @c: the checked <config> (vmm_config.h)
 * @m: the memory and the kernel's geometry
 * @host: the sessions (every function set)
 * @flush, @flush_ctx: hand a full log page to the kernel (table_log.h)
 * @cfg: filled in: the operations and @g, the board, one RAM region at
 *       the board's RAM base, the shadow pool (local memory, the copy's
 *       physical address), the window, the ASIDs, the vCPUs, and the
 *       vCPU page if @m's RAM has a page more than the RAM configured.
 *       The Linux tables are pv_linux_config()'s to add.
 * @why, @why_len: on an error, a line saying what is wrong
 *
 * Return: 0; PV_EINVAL for a NULL argument or a host function missing;
 * PV_ERANGE if the RAM dataspace is smaller than the configured RAM, or
 * it or the copy lies above 4 GiB (no LPAE). The geometry's other checks
 * are pv_vm_init()'s. Nothing in @cfg or @g is changed on an error.
 */
int pv_genode_vmm_config(struct pv_genode_vmm *g,
			 const struct pv_genode_config *c,
			 const struct pv_genode_memory *m,
			 const struct pv_genode_host *host,
			 pv_genode_log_flush_fn flush, void *flush_ctx,
			 struct pv_vm_config *cfg, char *why, size_t why_len);

#ifdef __cplusplus
}
#endif

#endif /* PV_VMM_VMM_BACKEND_H */
