/* SPDX-License-Identifier: MIT */
/**
 * DOC: the backend contract
 *
 * libpvcore never touches hardware. It never assumes it runs at PL1, owns
 * the MMU or may take an interrupt. Everything host-specific is asked of
 * the backend through this table of operations, which the backend fills in
 * and hands to pv_vm_init() together with an opaque context pointer.
 *
 * Two very different hosts must fit:
 *
 * - bare metal (backends/baremetal): the backend runs at PL1, owns the MMU
 *   and performs the world switch itself;
 * - Genode (backends/genode): the VMM is a user-level component that gets
 *   VM exits as register snapshots; a kernel performs the world switch onto
 *   the shadow table the VMM wrote.
 *
 * Memory is not asked for through callbacks: guest RAM backing and the
 * shadow-table pool are passed as regions in &struct pv_vm_config, because
 * the core needs both their host-virtual address (to read and write them)
 * and their host-physical address (to put into shadow descriptors).
 *
 * The translation root, ASID, DACR and VFP enable the guest must run with
 * are *pulled* by the backend with pv_vcpu_resume_state() right before it
 * returns to the guest, so the core never needs to run in the world-switch
 * path. TLB and cache maintenance, by contrast, must happen before the next
 * guest instruction and are pushed through the operations below.
 *
 * The run loop (vm.h), per vCPU:
 *
 * 1. the guest takes an exception; the backend stores r0..r15 into
 *    pv_vcpu_regs() (PC convention in &struct pv_trap);
 * 2. pv_vcpu_run_trap() (or pv_vcpu_handle_trap(), then while the answer
 *    is PV_ACTION_WAIT: sleep, report host events, pv_vcpu_poll());
 * 3. on PV_ACTION_STOP the vCPU is done; otherwise the backend loads
 *    r0..r15 and the &struct pv_resume state and returns to the guest.
 *
 * Threading: the library has no locks. All entry points of one VM must be
 * serialized by the backend (one host thread, or a lock around each call);
 * different VMs are independent. Every operation below is called from
 * inside a pvcore entry point, on the thread that called it, and none may
 * call back into pvcore. The one exception is the pv_wait_fn a backend
 * passes to pv_vcpu_run_trap(), which reports host events (vm.h).
 *
 * Several host cores: a backend may run the guest code of several vCPUs
 * at once, one per core, as long as it serializes the entry points (one
 * lock per VM; backends/baremetal/smp.c). Then:
 * - the TLB and cache operations below must reach every core that runs
 *   the VM (the Inner Shareable forms), since shadow entries are shared
 *   by the vCPUs of one address space;
 * - after @tlb_inval_all, which the core asks for when it starts reusing
 *   host ASIDs, every other core must also invalidate its own TLB before
 *   it next enters the guest: until its next trap it refills entries
 *   under an ASID that may now belong to another space;
 * - pv_vcpu_poll() and pv_vcpu_resume_state() are for a vCPU that is not
 *   running guest code: poll may enter an interrupt on it;
 * - the backend's own path between a trap and the return must not use
 *   LDREX/STREX (a STREX clears the core's local monitor, and a guest
 *   STREX that trapped is retried on it);
 * - a vCPU that another core's trap makes runnable (an SGI, CPU_ON, an
 *   interrupt routed to it) is named to @kick, so that its core need not
 *   wait for its own next host interrupt;
 * - the shadow engine never evicts an address space another vCPU is
 *   current in while the pool holds more spaces than there are vCPUs
 *   (one space per 128 KiB of the config's shadow_pool, at most 16).
 *
 * What the backend guarantees in turn: the guest only ever runs at host
 * PL0 on the shadow table pv_vcpu_resume_state() names, with that DACR and
 * ASID; every exception taken from it reaches pv_vcpu_handle_trap(); the
 * memory in the VM config (RAM backing, the shadow pool) is the VM's alone
 * while it exists.
 */
#ifndef PVCORE_BACKEND_H
#define PVCORE_BACKEND_H

#include <pvcore/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** PV_TIMER_NEVER - deadline value that cancels the one-shot timer. */
#define PV_TIMER_NEVER UINT64_MAX

/** PV_BLK_SECTOR_SIZE - the unit of the block operations, in bytes. */
#define PV_BLK_SECTOR_SIZE 512u

/**
 * PV_NET_FRAME_MAX - the longest Ethernet frame the network operations
 * carry: 1500 bytes of payload, the 14-byte header and one VLAN tag, no
 * frame check sequence.
 */
#define PV_NET_FRAME_MAX 1518u

struct pv_backend_ops {
	/**
	 * @tlb_inval_all: invalidate every host TLB entry that may hold a
	 * shadow translation (all non-global entries suffice).
	 */
	void (*tlb_inval_all)(void *ctx);
	/**
	 * @tlb_inval_asid: invalidate host TLB entries tagged with host @asid.
	 */
	void (*tlb_inval_asid)(void *ctx, uint8_t asid);
	/**
	 * @tlb_inval_va: invalidate the host TLB entry for the page holding
	 * guest-virtual @va under host @asid.
	 */
	void (*tlb_inval_va)(void *ctx, pv_gva_t va, uint8_t asid);
	/**
	 * @cache_clean_range: make @len bytes at host-virtual @va, which the
	 * core just wrote (shadow descriptors), visible to the host's table
	 * walker. May be a no-op where the walker is coherent.
	 *
	 * The core names every byte of the tables it writes (the ranges of
	 * pv_vm_shadow_layout()) here, before the entry point that wrote it
	 * returns, and all of them once in pv_vm_init(). So a backend may
	 * keep the tables the walker reads as its own copy, updated only from
	 * the ranges named here, and check each descriptor as it copies it
	 * (docs/genode.md); the fake backend's copy tests that no write is
	 * left out.
	 */
	void (*cache_clean_range)(void *ctx, pv_hva_t va, size_t len);
	/**
	 * @icache_inval_all: invalidate the host instruction cache and branch
	 * predictor, after the guest asked for it (ICIALLU and friends).
	 */
	void (*icache_inval_all)(void *ctx);
	/**
	 * @now_ns: monotonic host time in nanoseconds. Must never go back.
	 */
	uint64_t (*now_ns)(void *ctx);
	/**
	 * @timer_set: arm the host one-shot timer for absolute @deadline_ns on
	 * the @now_ns clock, replacing any earlier deadline. PV_TIMER_NEVER
	 * cancels it. On expiry the backend calls pv_vm_timer_expired().
	 */
	void (*timer_set)(void *ctx, uint64_t deadline_ns);
	/**
	 * @console_write: emit @len bytes of guest console output.
	 */
	void (*console_write)(void *ctx, const uint8_t *buf, size_t len);
	/**
	 * @console_read: return the next console input byte (0..255), or -1
	 * if none is waiting. Must not block.
	 */
	int (*console_read)(void *ctx);
	/**
	 * @irq_route: enable (@enable true) or disable delivery of host
	 * interrupt @host_irq to the VMM. The backend later reports the line
	 * with pv_vm_phys_irq(). Returns 0 or PV_EBACKEND / PV_ERANGE.
	 */
	int (*irq_route)(void *ctx, unsigned host_irq, bool enable);
	/**
	 * @log: optional (may be NULL). A diagnostic line from the core, for
	 * example the trap-trace dump. Not guest output.
	 */
	void (*log)(void *ctx, const char *line);
	/**
	 * @kick: optional (may be NULL). vCPU @vcpu has a new reason to run:
	 * its IRQ or FIQ input rose (an SGI from another vCPU, a device or
	 * timer interrupt routed to it), or PSCI CPU_ON started it. A backend
	 * that runs vCPUs on several host cores makes @vcpu's core notice
	 * now, with a host IPI: out of its wait, or out of guest code into
	 * pv_vcpu_poll(). Without it that core notices at its next own host
	 * interrupt. Called from inside pvcore entry points, so under the
	 * backend's VM lock; may name the calling core's own vCPU (nothing to
	 * do then). Must not block or call back into pvcore.
	 */
	void (*kick)(void *ctx, unsigned vcpu);

	/*
	 * The virtio devices' data path. Each group is needed only when the
	 * board (pv_vm_config.board) has that device, and may be NULL
	 * otherwise; pv_vm_init() refuses (PV_EINVAL) a board with a virtio
	 * device whose operations are missing. The virtio console has no
	 * operations of its own: it writes through @console_write and reads
	 * through @console_read, the stream the PL011 uses (input goes to
	 * the PL011 while the guest has its receiver on, else to the virtio
	 * console).
	 *
	 * Buffers: @buf and @frame point into guest RAM (the guest's own
	 * buffer, as DMA would reach it) or into a bounce buffer inside the
	 * VM object, and are valid only during the call; the backend must
	 * not keep them. A buffer never extends beyond guest RAM or the
	 * bounce buffer. None of these may block for long: they run inside
	 * the trap of the guest's queue notification (or inside a poll).
	 */

	/**
	 * @blk_read: read @count (>= 1) sectors of PV_BLK_SECTOR_SIZE bytes
	 * from sector @sector of block device @unit (0: the board's one
	 * PV_DEV_VIRTIO_BLK) into @buf. The core checked the range against
	 * @blk_capacity, so @sector + @count <= capacity. Return: 0, or a
	 * negative PV_E* code (PV_EBACKEND for an I/O error, PV_ERANGE for a
	 * range the medium no longer has); the guest's request then
	 * completes with VIRTIO_BLK_S_IOERR.
	 */
	int (*blk_read)(void *ctx, unsigned unit, uint64_t sector, uint8_t *buf,
			uint32_t count);
	/**
	 * @blk_write: write @count sectors from @buf to @sector of @unit; as
	 * @blk_read. The data need not be durable before @blk_flush.
	 * Return: 0, or a negative PV_E* code (PV_EBACKEND), which the guest
	 * sees as VIRTIO_BLK_S_IOERR.
	 */
	int (*blk_write)(void *ctx, unsigned unit, uint64_t sector,
			 const uint8_t *buf, uint32_t count);
	/**
	 * @blk_flush: make every write to @unit that completed before this
	 * call durable (the guest's VIRTIO_BLK_T_FLUSH; the device offers
	 * VIRTIO_BLK_F_FLUSH, so the guest runs with a write-back cache).
	 * Return: 0 once the data is durable, or a negative PV_E* code
	 * (PV_EBACKEND), which the guest sees as VIRTIO_BLK_S_IOERR.
	 */
	int (*blk_flush)(void *ctx, unsigned unit);
	/**
	 * @blk_capacity: the size of @unit in sectors; 0 for no medium
	 * (every read and write then fails). Asked at the guest's first
	 * access to the device and at every device reset, never during
	 * pv_vm_init(). Cannot fail.
	 */
	uint64_t (*blk_capacity)(void *ctx, unsigned unit);
	/**
	 * @net_send: transmit one Ethernet frame of @len bytes (14 ..
	 * PV_NET_FRAME_MAX, no FCS) from the guest's network device (the
	 * board's PV_DEV_VIRTIO_NET). Return: 0 when the frame was sent or
	 * queued, or a negative PV_E* code (PV_EBACKEND, PV_ENOMEM for a full
	 * queue): the frame is dropped and counted, as a real link drops it.
	 */
	int (*net_send)(void *ctx, const uint8_t *frame, size_t len);
	/**
	 * @net_recv: non-blocking. Copy the next frame waiting for the guest
	 * into @buf (@cap is PV_NET_FRAME_MAX) and remove it from the
	 * backend's queue. A longer frame must be dropped by the backend,
	 * never truncated. The core asks only when the guest has a receive
	 * buffer posted: on the guest's receive-queue notification, after
	 * each transmit notification, every millisecond of host
	 * timer while the guest waits for frames, and when the backend calls
	 * pv_vm_console_input() (which reports any host input, network
	 * included, and is the way to avoid the poll latency).
	 * Return: the frame's length (1..@cap), 0 if no frame is waiting, or
	 * a negative PV_E* code (PV_EBACKEND) for a receive error (counted;
	 * the core stops asking until the next event).
	 */
	int (*net_recv)(void *ctx, uint8_t *buf, size_t cap);
	/**
	 * @net_mac: the guest network device's MAC address, into @mac
	 * (its configuration space, VIRTIO_NET_F_MAC). Asked at the guest's
	 * first access to the device and at every device reset. Cannot fail.
	 */
	void (*net_mac)(void *ctx, uint8_t mac[6]);
	/**
	 * @rng_fill: fill @buf with @len (>= 1) bytes of entropy for the
	 * guest's entropy device (the board's PV_DEV_VIRTIO_RNG). Return: 0,
	 * or a negative PV_E* code (PV_EBACKEND): the guest's request then
	 * completes with no data (length 0).
	 */
	int (*rng_fill)(void *ctx, uint8_t *buf, size_t len);
};

#ifdef __cplusplus
}
#endif

#endif /* PVCORE_BACKEND_H */
