/* SPDX-License-Identifier: MIT */
/*
 * The fake backend: a complete &struct pv_backend_ops on ordinary host
 * memory, for unit tests and fuzzers. It records what the core asked of it
 * (TLB maintenance, timer deadlines, console bytes) so tests can assert on
 * the contract, and lets tests drive time and console input.
 *
 * The virtio data path: a RAM disk of @disk_sectors sectors with call and
 * flush counters (unit 0 only), two frame queues for the network (frames
 * waiting for the guest, frames the guest sent), a deterministic
 * xorshift32 entropy source, and failure switches for each. Every buffer
 * the core hands to these operations is checked against the ranges in
 * @dma_lo/@dma_hi (guest RAM; tests add the VM object, where the core
 * keeps its bounce buffers); one outside them counts in @bad_buffers.
 */
#ifndef PV_FAKE_BACKEND_H
#define PV_FAKE_BACKEND_H

#include <pvcore/pvcore.h>

#define FAKE_RAM_BASE PV_BOARD_RAM_BASE
#define FAKE_RAM_SIZE (16u << 20)
#define FAKE_POOL_SIZE (1u << 20)
#define FAKE_CONSOLE_MAX 4096
#define FAKE_DISK_SECTORS 256u   /* 128 KiB */
#define FAKE_NET_FRAMES 16u
#define FAKE_FRAME_MAX 2048u     /* larger than PV_NET_FRAME_MAX on purpose */

struct fake_frame {
	size_t len;
	uint8_t data[FAKE_FRAME_MAX];
};

struct fake_backend {
	/* Memory handed to the core. */
	uint8_t *ram;      /* FAKE_RAM_SIZE bytes, guest-physical FAKE_RAM_BASE */
	uint8_t *pool;     /* FAKE_POOL_SIZE bytes, 16 KiB aligned */
	/* What the table walker sees: a copy of the pool that only
	 * cache_clean_range() updates, byte for byte (the contract in
	 * backend.h; fake_backend_walker_stale() compares). */
	uint8_t *walker;
	uint32_t window_l1[1];
	/* Pretend host-physical bases of the above. */
	uint64_t ram_hpa, pool_hpa;
	/* Recorded calls. */
	unsigned tlb_all, tlb_asid, tlb_va, cache_clean, icache_inval;
	/* Optional: told each cache_clean_range() call (tests that compare
	 * the lines cleaned). */
	void (*on_clean)(void *arg, const uint8_t *p, size_t len);
	void *on_clean_arg;
	uint8_t last_asid;
	uint32_t last_va;
	uint64_t now;       /* ns, advanced by tests */
	uint64_t deadline;  /* last timer_set() value */
	unsigned timer_sets;
	uint8_t console[FAKE_CONSOLE_MAX];
	size_t console_len;
	const uint8_t *input;
	size_t input_len, input_pos;
	bool irq_enabled[1024];
	unsigned log_lines;
	unsigned kicks[PV_MAX_VCPUS]; /* kick() calls per vCPU */
	unsigned bad_kicks;           /* kick() of a vCPU the VM lacks */
	/* Buffers the virtio operations may be given: [0] guest RAM (set up
	 * here), [1] free for the test (the VM object). */
	const uint8_t *dma_lo[2], *dma_hi[2];
	unsigned bad_buffers;
	/* Block unit 0: a RAM disk. */
	uint8_t *disk;          /* FAKE_DISK_SECTORS * 512 bytes */
	uint64_t disk_sectors;  /* the medium's size; at most FAKE_DISK_SECTORS */
	uint64_t reported;      /* what blk_capacity last answered */
	unsigned blk_reads, blk_writes, blk_flushes, blk_capacity_calls;
	uint64_t sectors_read, sectors_written;
	unsigned writes_since_flush;
	bool blk_fail;          /* read/write/flush return PV_EBACKEND */
	/* Network. */
	uint8_t mac[6];
	struct fake_frame rx[FAKE_NET_FRAMES]; /* waiting for the guest */
	unsigned rx_head, rx_count;
	unsigned rx_too_long;   /* frames net_recv dropped as too long */
	struct fake_frame tx[FAKE_NET_FRAMES]; /* sent by the guest */
	unsigned ntx, tx_lost;
	bool net_send_fail, net_recv_fail;
	/* Entropy. */
	uint32_t rng_state;
	uint64_t rng_bytes;
	bool rng_fail;
};

extern const struct pv_backend_ops fake_backend_ops;

/**
 * fake_backend_setup() - allocate memory and fill a VM config for it
 * Return: 0, or -1 if host allocation failed.
 */
int fake_backend_setup(struct fake_backend *fb, struct pv_vm_config *cfg);

/** fake_backend_teardown() - free what setup allocated. */
void fake_backend_teardown(struct fake_backend *fb);

/**
 * fake_backend_wide_board() - the default board with a RAM range of
 * 0x10000000..0x2fffffff (for tests that add a second RAM bank above the
 * first) and its UART moved out of that range, to 0x3c000000
 */
const struct pv_board *fake_backend_wide_board(void);

/**
 * fake_backend_walker_stale() - the first table byte of @vm's pool that the
 * core wrote but did not clean (where the walker's copy differs), as an
 * offset into the pool; -1 if the walker sees every table as the core
 * left it. Call it where the guest would next run: after an entry point.
 */
long fake_backend_walker_stale(const struct fake_backend *fb,
			       const struct pv_vm *vm);

/** fake_backend_ram() - host pointer to guest-physical @gpa (in fake RAM). */
void *fake_backend_ram(struct fake_backend *fb, uint32_t gpa);

/**
 * fake_net_inject() - queue a frame for the guest (its length may exceed
 * PV_NET_FRAME_MAX up to FAKE_FRAME_MAX, to test the drop rule)
 * Return: 0, or -1 if the queue is full or the frame too large.
 */
int fake_net_inject(struct fake_backend *fb, const void *frame, size_t len);

/** fake_rng_next() - the byte the entropy source gives after @state. */
uint8_t fake_rng_next(uint32_t *state);

#endif /* PV_FAKE_BACKEND_H */
