/* SPDX-License-Identifier: MIT */
/**
 * DOC: the virtio-mmio transport and split virtqueues
 *
 * One &struct pv_virtio is one virtio 1.x device behind the MMIO transport
 * of register layout version 2 (virtio 1.2, section 4.2.2): the 0x100
 * bytes of control registers below, then the device's configuration space
 * at 0x100. The device type (console, block, network, entropy) is a
 * &struct pv_virtio_model: its ID, queues, feature bits and the function
 * that serves a queue. The transport owns everything the types share:
 * status and reset, feature negotiation, queue setup, the split
 * virtqueues (descriptor table, available ring, used ring), the interrupt
 * status and the interrupt line into the virtual GIC.
 *
 * Features: VIRTIO_F_VERSION_1 is offered and required (a driver that
 * does not accept it never gets FEATURES_OK); VIRTIO_RING_F_INDIRECT_DESC
 * is offered (an indirect table only as the head of a chain, not nested,
 * at most PV_VIRTIO_QUEUE_MAX entries). Not offered: EVENT_IDX (the device
 * interrupts after every batch unless the driver set
 * VIRTQ_AVAIL_F_NO_INTERRUPT, and never suppresses notifications), the
 * packed ring, ACCESS_PLATFORM, shared memory regions (SHMLen reads
 * all-ones, "no region").
 *
 * DMA is guest-physical: every descriptor, ring and buffer address is a
 * guest-physical address, reached only through the VM's memory map as
 * guest RAM (pv_virtio_ram_read()/pv_virtio_ram_write(), bounds-checked
 * against the RAM regions, never a device region and never a
 * guest-virtual address).
 *
 * The guest controls the rings, so everything read from them is checked
 * before it is used (decode and validate, then commit):
 *
 * - queue setup (QueueReady = 1): QueueNum a power of two, 1 ..
 *   PV_VIRTIO_QUEUE_MAX; descriptor table 16-byte, available ring 2-byte,
 *   used ring 4-byte aligned; all three inside guest RAM. Otherwise the
 *   queue stays not ready and the device is broken (below). Queue
 *   registers written while the queue is ready are ignored.
 * - every chain: head and next indices below the queue size (the table
 *   size for an indirect table), at most queue-size descriptors (table
 *   size in an indirect table; either bound also ends a loop), no
 *   device-readable descriptor after a device-writable one, every buffer
 *   entirely inside guest RAM, an INDIRECT flag only on the head, only
 *   when negotiated, never together with NEXT, with a table length a
 *   non-zero multiple of 16;
 * - the available index never runs more than the queue size ahead of the
 *   device.
 *
 * A violation of these is a *broken device*: the device sets
 * DEVICE_NEEDS_RESET in Status, raises a configuration-change interrupt,
 * and serves nothing more until the driver resets it (Status = 0). What a
 * well-formed chain asks for is the device type's business: a request it
 * cannot perform (wrong buffer direction, bad length, out-of-range
 * sector, backend error) completes with an error the guest sees
 * (VIRTIO_BLK_S_IOERR, or used length 0). Notifications of a queue that
 * is not ready, out of range, or arrive before DRIVER_OK are ignored
 * (DRIVER_OK serves every queue once).
 *
 * Time: one notification serves at most queue-size requests of at most
 * PV_VIRTIO_QUEUE_MAX descriptors each. Every request completes before the
 * notification returns (no request is ever in flight), so for a ready
 * queue the device's used index always equals its next available index.
 *
 * Register accesses: control registers (0x000..0x0ff) take aligned 32-bit
 * accesses; others read as zero and are ignored on write (counted in
 * @stats.bad_access). The configuration space takes 8-, 16- and 32-bit
 * reads; it is read-only (writes are ignored).
 */
#ifndef PVCORE_VIRTIO_MMIO_H
#define PVCORE_VIRTIO_MMIO_H

#include <pvcore/backend.h>
#include "gic.h"
#include "memmap.h"

#define PV_VIRTIO_MMIO_SIZE 0x200u
#define PV_VIRTIO_MAX_QUEUES 2u
#define PV_VIRTIO_QUEUE_MAX 128u   /* QueueNumMax of every queue */
#define PV_VIRTIO_CONFIG_MAX 32u   /* bytes of configuration space */
#define PV_VIRTIO_CONFIG_BASE 0x100u
/* How often a device waiting for host input (network, console) polls. */
#define PV_VIRTIO_POLL_NS 1000000u

/* The "virt" magic, and the vendor ID pvcore reports ("pvco"). */
#define PV_VIRTIO_MAGIC 0x74726976u
#define PV_VIRTIO_VENDOR 0x6f637670u

/* Register offsets (version 2 layout). */
#define PV_VIRTIO_MMIO_MAGIC 0x000u
#define PV_VIRTIO_MMIO_VERSION 0x004u
#define PV_VIRTIO_MMIO_DEVICE_ID 0x008u
#define PV_VIRTIO_MMIO_VENDOR_ID 0x00cu
#define PV_VIRTIO_MMIO_DEVICE_FEATURES 0x010u
#define PV_VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014u
#define PV_VIRTIO_MMIO_DRIVER_FEATURES 0x020u
#define PV_VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024u
#define PV_VIRTIO_MMIO_QUEUE_SEL 0x030u
#define PV_VIRTIO_MMIO_QUEUE_NUM_MAX 0x034u
#define PV_VIRTIO_MMIO_QUEUE_NUM 0x038u
#define PV_VIRTIO_MMIO_QUEUE_READY 0x044u
#define PV_VIRTIO_MMIO_QUEUE_NOTIFY 0x050u
#define PV_VIRTIO_MMIO_INTERRUPT_STATUS 0x060u
#define PV_VIRTIO_MMIO_INTERRUPT_ACK 0x064u
#define PV_VIRTIO_MMIO_STATUS 0x070u
#define PV_VIRTIO_MMIO_QUEUE_DESC_LOW 0x080u
#define PV_VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084u
#define PV_VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090u
#define PV_VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094u
#define PV_VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0u
#define PV_VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4u
#define PV_VIRTIO_MMIO_SHM_SEL 0x0acu
#define PV_VIRTIO_MMIO_SHM_LEN_LOW 0x0b0u
#define PV_VIRTIO_MMIO_SHM_LEN_HIGH 0x0b4u
#define PV_VIRTIO_MMIO_SHM_BASE_LOW 0x0b8u
#define PV_VIRTIO_MMIO_SHM_BASE_HIGH 0x0bcu
#define PV_VIRTIO_MMIO_CONFIG_GENERATION 0x0fcu

/* Device status bits. */
#define PV_VIRTIO_S_ACKNOWLEDGE 0x01u
#define PV_VIRTIO_S_DRIVER 0x02u
#define PV_VIRTIO_S_DRIVER_OK 0x04u
#define PV_VIRTIO_S_FEATURES_OK 0x08u
#define PV_VIRTIO_S_NEEDS_RESET 0x40u
#define PV_VIRTIO_S_FAILED 0x80u

/* InterruptStatus bits. */
#define PV_VIRTIO_INT_VRING 0x1u
#define PV_VIRTIO_INT_CONFIG 0x2u

/* Transport feature bits. */
#define PV_VIRTIO_F_INDIRECT_DESC (1ull << 28)
#define PV_VIRTIO_F_EVENT_IDX (1ull << 29)
#define PV_VIRTIO_F_VERSION_1 (1ull << 32)

/* Split virtqueue layout. */
#define PV_VIRTQ_DESC_F_NEXT 1u
#define PV_VIRTQ_DESC_F_WRITE 2u
#define PV_VIRTQ_DESC_F_INDIRECT 4u
#define PV_VIRTQ_AVAIL_F_NO_INTERRUPT 1u
#define PV_VIRTQ_DESC_SIZE 16u

/* Why a device broke (@broken_why), for tests and diagnostics. */
enum pv_virtio_break {
	PV_VIRTIO_OK,
	PV_VIRTIO_BAD_QUEUE,     /* QueueReady with a bad size or ring address */
	PV_VIRTIO_BAD_AVAIL,     /* avail index ran ahead by more than the size */
	PV_VIRTIO_BAD_INDEX,     /* head or next index out of the table */
	PV_VIRTIO_BAD_CHAIN,     /* chain longer than the queue size (a loop) */
	PV_VIRTIO_BAD_BUFFER,    /* a buffer or table not inside guest RAM */
	PV_VIRTIO_BAD_ORDER,     /* a readable descriptor after a writable one */
	PV_VIRTIO_BAD_INDIRECT,  /* an indirect descriptor where none may be */
	PV_VIRTIO_BAD_RING,      /* a ring access outside guest RAM */
};

/**
 * struct pv_virtq - one split virtqueue as the driver set it up
 * @desc, @avail, @used: guest-physical addresses of the descriptor table,
 *        the available (driver) ring and the used (device) ring
 * @num: QueueNum as written; valid (checked) while @ready
 * @ready: QueueReady
 * @last_avail: the next available-ring slot the device will take
 * @used_idx: the device's used index (what it last wrote to used->idx)
 */
struct pv_virtq {
	uint64_t desc, avail, used;
	uint32_t num;
	bool ready;
	uint16_t last_avail;
	uint16_t used_idx;
};

/** struct pv_virtio_seg - one buffer of a chain, inside guest RAM. */
struct pv_virtio_seg {
	uint32_t gpa;
	uint32_t len;
};

/**
 * struct pv_virtio_req - one request: a validated descriptor chain
 * @head: the head descriptor index (the used-ring ID)
 * @queue: the queue it came from
 * @nread: device-readable segments, @seg[0 .. @nread)
 * @nwrite: device-writable segments, @seg[@nread .. @nread + @nwrite)
 * @read_len, @write_len: their total lengths in bytes
 * @seg: the non-empty buffers of the chain, in order
 */
struct pv_virtio_req {
	uint16_t head;
	uint16_t queue;
	uint16_t nread, nwrite;
	uint64_t read_len, write_len;
	struct pv_virtio_seg seg[PV_VIRTIO_QUEUE_MAX];
};

/**
 * struct pv_virtio_iter - a walk over part of a request's buffers
 * @req: the request
 * @seg: the current segment, @end one past the last of the part
 * @off: the offset inside @seg
 * @left: bytes still to walk
 */
struct pv_virtio_iter {
	const struct pv_virtio_req *req;
	unsigned seg, end;
	uint32_t off;
	uint64_t left;
};

struct pv_virtio;

/**
 * struct pv_virtio_model - what makes a device a console, a disk, ...
 * @device_id: the virtio device ID (DeviceID register)
 * @nqueues: its virtqueues, 1..PV_VIRTIO_MAX_QUEUES
 * @features: device-specific feature bits offered (the transport adds
 *            VERSION_1 and INDIRECT_DESC)
 * @config_size: bytes of configuration space (at most
 *               PV_VIRTIO_CONFIG_MAX); the rest reads as zero
 * @refresh: fill @v->config (the backend is asked here: capacity, MAC) and
 *           reset the type's own state; called at the guest's first access
 *           and at every device reset. May be NULL.
 * @queue: serve queue @q (0 .. @nqueues - 1): the driver notified it, or
 *         DRIVER_OK was set; only called on a live device with the queue
 *         ready
 * @poll: look for host input (only on a live device); may be NULL
 */
struct pv_virtio_model {
	uint32_t device_id;
	unsigned nqueues;
	uint64_t features;
	uint32_t config_size;
	void (*refresh)(struct pv_virtio *v);
	void (*queue)(struct pv_virtio *v, unsigned q);
	void (*poll)(struct pv_virtio *v);
};

/**
 * struct pv_virtio_env - what the platform connects a device to
 * @map: the VM's memory map (guest RAM for DMA)
 * @ops, @ctx: the backend
 * @gic: the interrupt controller, or NULL (then only @line changes)
 * @irq: the interrupt ID the device drives (an SPI), level-sensitive
 * @owner: opaque, for the platform's MMIO glue (devices.c: the VM)
 */
struct pv_virtio_env {
	struct pv_memmap *map;
	const struct pv_backend_ops *ops;
	void *ctx;
	struct pv_gic *gic;
	unsigned irq;
	void *owner;
};

/**
 * struct pv_virtio_stats - what happened, for tests and reports
 * @requests: chains taken from the available rings
 * @errors: requests completed with an error (IOERR, used length 0)
 * @ignored_notify: notifications of a queue that could not be served
 * @bad_access: control-register accesses that were not 32-bit aligned
 * @breaks: times the device went to DEVICE_NEEDS_RESET
 */
struct pv_virtio_stats {
	uint64_t requests, errors, ignored_notify, bad_access, breaks;
};

/**
 * struct pv_virtio - one virtio-mmio device
 * @model: its type; NULL when the board has no such device
 * @env: what it is connected to
 * @status: Status as the driver wrote it (NEEDS_RESET is @broken)
 * @dev_feat_sel, @drv_feat_sel, @queue_sel: the select registers
 * @driver_features: what the driver accepted (fixed once FEATURES_OK)
 * @isr: InterruptStatus (PV_VIRTIO_INT_*)
 * @config_gen: ConfigGeneration
 * @shm_sel: SHMSel
 * @broken: DEVICE_NEEDS_RESET: nothing is served until a reset
 * @broken_why: the first violation (enum pv_virtio_break)
 * @fresh: @model->refresh has run since init or the last reset
 * @line: the interrupt output last driven (@isr != 0)
 * @want_poll: the type waits for host input with a buffer posted
 * @q: the queues
 * @config: the configuration space image
 * @req: scratch for the request being served
 * @stats: counters
 */
struct pv_virtio {
	const struct pv_virtio_model *model;
	struct pv_virtio_env env;
	uint32_t status;
	uint32_t dev_feat_sel, drv_feat_sel, queue_sel;
	uint64_t driver_features;
	uint32_t isr;
	uint32_t config_gen;
	uint32_t shm_sel;
	bool broken;
	uint8_t broken_why;
	bool fresh;
	bool line;
	bool want_poll;
	struct pv_virtq q[PV_VIRTIO_MAX_QUEUES];
	uint8_t config[PV_VIRTIO_CONFIG_MAX];
	struct pv_virtio_req req;
	struct pv_virtio_stats stats;
};

/* ---- for the platform (devices.c) -------------------------------------- */

/**
 * pv_virtio_init() - reset a device and connect it
 * @v: storage, fully overwritten
 * @model: the device type
 * @env: its connections (copied)
 *
 * Asks nothing of the backend: the type's @refresh runs at the guest's
 * first register access.
 */
void pv_virtio_init(struct pv_virtio *v, const struct pv_virtio_model *model,
		    const struct pv_virtio_env *env);

/**
 * pv_virtio_read() - read a register or configuration space
 * @v: the device
 * @offset: byte offset in the 0x200-byte window
 * @size: 1, 2 or 4
 * @val: the value (zero for unimplemented or badly sized accesses)
 * Return: 0.
 */
int pv_virtio_read(struct pv_virtio *v, uint32_t offset, unsigned size,
		   uint32_t *val);

/**
 * pv_virtio_write() - write a register; see pv_virtio_read(). A write to
 * QueueNotify serves the queue before it returns. Return: 0.
 */
int pv_virtio_write(struct pv_virtio *v, uint32_t offset, unsigned size,
		    uint32_t val);

/**
 * pv_virtio_poll() - let a live device look for host input (network
 * frames, console bytes) for the buffers the guest posted
 */
void pv_virtio_poll(struct pv_virtio *v);

/**
 * pv_virtio_wants_poll() - whether the device waits for host input with a
 * receive buffer posted (the platform then polls it every
 * PV_VIRTIO_POLL_NS)
 */
bool pv_virtio_wants_poll(const struct pv_virtio *v);

/**
 * pv_virtio_check() - verify invariants (fuzzing and tests)
 *
 * Return: 0; PV_ESTATE if a register is out of range, a ready queue has
 * an invalid size or ring address, a ready queue has a request in flight
 * (used index != next available index), the interrupt line disagrees with
 * InterruptStatus, negotiated features exceed the offered ones, or the
 * status bits are inconsistent.
 */
int pv_virtio_check(const struct pv_virtio *v);

/* ---- for the device types (virtio_*.c) --------------------------------- */

/** pv_virtio_features() - every feature bit the device offers. */
uint64_t pv_virtio_features(const struct pv_virtio *v);

/**
 * pv_virtio_pop() - take the next request of queue @q
 * @v: a live device with @q ready
 * @q: the queue
 * @req: filled with the validated chain (normally &v->req)
 *
 * Return: 1 with @req filled; 0 if the available ring is empty (or the
 * device is not live); PV_ECORRUPT if the chain or the ring breaks a rule
 * above (the device is then broken, DEVICE_NEEDS_RESET).
 */
int pv_virtio_pop(struct pv_virtio *v, unsigned q, struct pv_virtio_req *req);

/* What a request handler of pv_virtio_serve() returns to give the request
 * back untouched and stop (a receive queue with no input waiting). */
#define PV_VIRTIO_AGAIN (-1)

/**
 * typedef pv_virtio_handler - perform one request
 * Return: the bytes written into its writable buffers (the used length),
 * or PV_VIRTIO_AGAIN.
 */
typedef int64_t (*pv_virtio_handler)(struct pv_virtio *v,
				     const struct pv_virtio_req *req);

/** enum pv_virtio_served - why pv_virtio_serve() stopped */
enum pv_virtio_served {
	PV_VIRTIO_EMPTY,   /* the available ring is empty */
	PV_VIRTIO_STOPPED, /* the handler returned PV_VIRTIO_AGAIN */
	PV_VIRTIO_LIMIT,   /* queue-size requests were served */
	PV_VIRTIO_BROKEN,  /* the device broke (or is not live) */
};

/**
 * pv_virtio_serve() - serve queue @q: pop, perform with @fn, push, for at
 * most queue-size requests, then interrupt the guest if anything completed
 *
 * Return: why it stopped.
 */
enum pv_virtio_served pv_virtio_serve(struct pv_virtio *v, unsigned q,
				      pv_virtio_handler fn);

/**
 * pv_virtio_unpop() - give back the request pv_virtio_pop() just took,
 * untouched (a receive queue with no frame to put in it)
 */
void pv_virtio_unpop(struct pv_virtio *v, const struct pv_virtio_req *req);

/**
 * pv_virtio_push() - complete @req: used ring entry (@req->head, @len),
 * then the used index
 * @v: the device
 * @req: a request from pv_virtio_pop()
 * @len: bytes the device wrote into the writable buffers (at most
 *       @req->write_len)
 *
 * Return: 0; PV_ECORRUPT if the used ring is no longer reachable (the
 * device is then broken).
 */
int pv_virtio_push(struct pv_virtio *v, const struct pv_virtio_req *req,
		   uint32_t len);

/**
 * pv_virtio_notify_guest() - after a batch of pushes on queue @q: set the
 * used-buffer interrupt unless the driver suppressed it
 * (VIRTQ_AVAIL_F_NO_INTERRUPT)
 */
void pv_virtio_notify_guest(struct pv_virtio *v, unsigned q);

/**
 * pv_virtio_count_error() - count a request completed with an error
 */
void pv_virtio_count_error(struct pv_virtio *v);

/**
 * pv_virtio_iter_init() - walk the readable (@writable false) or writable
 * part of @req, skipping its first @skip bytes, for at most @len bytes
 */
void pv_virtio_iter_init(struct pv_virtio_iter *it,
			 const struct pv_virtio_req *req, bool writable,
			 uint64_t skip, uint64_t len);

/**
 * pv_virtio_iter_peek() - the next chunk of the walk
 * @v: the device (its memory map)
 * @it: the walk
 * @len: set to the chunk's length: contiguous in guest RAM and in host
 *       memory, non-zero, at most @it->left
 *
 * Return: a host pointer to the chunk, or NULL when the walk is over (or,
 * defensively, the buffer is no longer in guest RAM).
 */
uint8_t *pv_virtio_iter_peek(const struct pv_virtio *v,
			     const struct pv_virtio_iter *it, uint32_t *len);

/** pv_virtio_iter_advance() - consume @n bytes (at most the peeked length). */
void pv_virtio_iter_advance(struct pv_virtio_iter *it, uint32_t n);

/**
 * pv_virtio_copy_from() - copy up to @len bytes of the readable part of
 * @req, from byte @skip on, to @dst
 * Return: the number of bytes copied.
 */
uint64_t pv_virtio_copy_from(const struct pv_virtio *v,
			     const struct pv_virtio_req *req, uint64_t skip,
			     void *dst, uint64_t len);

/**
 * pv_virtio_copy_to() - copy @len bytes from @src into the writable part
 * of @req, at byte @skip on
 * Return: the number of bytes copied.
 */
uint64_t pv_virtio_copy_to(const struct pv_virtio *v,
			   const struct pv_virtio_req *req, uint64_t skip,
			   const void *src, uint64_t len);

/* ---- guest-physical RAM access ----------------------------------------- */

/**
 * pv_virtio_ram_ok() - whether [@gpa, @gpa + @len) is guest RAM (possibly
 * across adjacent RAM regions); an empty range is RAM if @gpa is
 */
bool pv_virtio_ram_ok(const struct pv_memmap *map, uint64_t gpa, uint64_t len);

/**
 * pv_virtio_ram_read() - copy guest-physical RAM to @dst
 * Return: 0; PV_ERANGE if the range is not entirely guest RAM (nothing is
 * copied).
 */
int pv_virtio_ram_read(const struct pv_memmap *map, uint64_t gpa, void *dst,
		       uint32_t len);

/** pv_virtio_ram_write() - copy @src into guest-physical RAM; see above. */
int pv_virtio_ram_write(const struct pv_memmap *map, uint64_t gpa,
			const void *src, uint32_t len);

/* Little-endian fields of guest data. */
static inline uint16_t pv_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t pv_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t pv_le64(const uint8_t *p)
{
	return pv_le32(p) | (uint64_t)pv_le32(p + 4) << 32;
}

static inline void pv_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void pv_put_le32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void pv_put_le64(uint8_t *p, uint64_t v)
{
	pv_put_le32(p, (uint32_t)v);
	pv_put_le32(p + 4, (uint32_t)(v >> 32));
}

#endif /* PVCORE_VIRTIO_MMIO_H */
