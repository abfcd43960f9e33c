/* SPDX-License-Identifier: MIT */
/*
 * The virtio-mmio devices against the virtio 1.2 specification, driven as
 * Linux's virtio_mmio, virtio_blk, virtio_net, virtio_console and
 * virtio-rng drivers drive them: reset, feature negotiation, queues in
 * guest RAM, requests, used-ring results, interrupts through the vGIC.
 * Then what a hostile guest can do to the rings: malformed chains, loops,
 * buffers outside RAM, huge lengths, wrong buffer directions, bad queue
 * sizes and ring addresses, notifications of unready queues. After every
 * register access the device invariants (pv_virtio_check()) hold, and the
 * fake backend never sees a buffer outside guest RAM or the VM object.
 *
 * The VM runs on pv_board_virtio with the fake backend (RAM disk, frame
 * queues, deterministic entropy).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "fake_backend.h"

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;

enum { CON, BLK, NET, RNG };

#define DEV_BASE(d) (PV_BOARD_VIRTIO_BASE + (d) * PV_BOARD_VIRTIO_STRIDE)
#define DEV_IRQ(d) (32u + PV_BOARD_VIRTIO_SPI + (d))
#define RAM_END (FAKE_RAM_BASE + FAKE_RAM_SIZE)
#define GICD (PV_BOARD_PERIPH_BASE + PV_BOARD_GICD_OFFSET)
#define GICC (PV_BOARD_PERIPH_BASE + PV_BOARD_GICC_OFFSET)

static struct pv_virtio *dev(unsigned d)
{
	struct pv_virtio *v[] = { &vm->dev.vcon.vdev, &vm->dev.vblk.vdev,
				  &vm->dev.vnet.vdev, &vm->dev.vrng.vdev };

	return v[d];
}

static void check_all(void)
{
	for (unsigned d = CON; d <= RNG; d++)
		ck_assert_int_eq(pv_virtio_check(dev(d)), 0);
	ck_assert_int_eq(pv_gic_check(&vm->dev.gic), 0);
	ck_assert_uint_eq(fb.bad_buffers, 0);
}

static void setup(void)
{
	ck_assert_int_eq(fake_backend_setup(&fb, &cfg), 0);
	cfg.board = &pv_board_virtio;
	vm = calloc(1, sizeof(*vm));
	ck_assert_ptr_nonnull(vm);
	fb.dma_lo[1] = (const uint8_t *)vm;
	fb.dma_hi[1] = (const uint8_t *)vm + sizeof(*vm);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	check_all();
}

static void teardown(void)
{
	check_all();
	free(vm);
	fake_backend_teardown(&fb);
}

/* ---- MMIO, as the trap path performs it --------------------------------- */

static uint32_t mr(unsigned d, uint32_t off)
{
	uint64_t v = 0xdeadbeef;

	ck_assert_int_eq(pv_memmap_read(&vm->map, pv_gpa(DEV_BASE(d) + off), 4, &v), 0);
	check_all();
	return (uint32_t)v;
}

static void mw(unsigned d, uint32_t off, uint32_t v)
{
	ck_assert_int_eq(pv_memmap_write(&vm->map, pv_gpa(DEV_BASE(d) + off), 4, v), 0);
	check_all();
}

static uint32_t status(unsigned d) { return mr(d, PV_VIRTIO_MMIO_STATUS); }

/* The GIC as Linux sets it up, with the four virtio SPIs enabled. */
static void gic_enable(void)
{
	pv_memmap_write(&vm->map, pv_gpa(GICD + 0x000), 4, 1);
	pv_memmap_write(&vm->map, pv_gpa(GICD + 0x104), 4,
			0xfu << (DEV_IRQ(0) - 32));
	for (unsigned d = CON; d <= RNG; d++)
		pv_memmap_write(&vm->map, pv_gpa(GICD + 0x800 + DEV_IRQ(d)), 1, 1);
	pv_memmap_write(&vm->map, pv_gpa(GICC + 0x00), 4, 1);
	pv_memmap_write(&vm->map, pv_gpa(GICC + 0x04), 4, 0xf0);
}

static bool irq_pending(unsigned d)
{
	return pv_gic_is_pending(&vm->dev.gic, 0, DEV_IRQ(d));
}

/* ---- guest RAM ------------------------------------------------------------ */

static uint8_t *ram(uint32_t gpa)
{
	uint8_t *p = fake_backend_ram(&fb, gpa);

	ck_assert_ptr_nonnull(p);
	return p;
}

static void put16(uint32_t gpa, uint16_t v) { memcpy(ram(gpa), &v, 2); }
static void put32(uint32_t gpa, uint32_t v) { memcpy(ram(gpa), &v, 4); }
static void put64(uint32_t gpa, uint64_t v) { memcpy(ram(gpa), &v, 8); }
static uint16_t get16(uint32_t gpa) { uint16_t v; memcpy(&v, ram(gpa), 2); return v; }
static uint32_t get32(uint32_t gpa) { uint32_t v; memcpy(&v, ram(gpa), 4); return v; }

static uint32_t heap;

/* Data buffers, bump-allocated above the rings. */
static uint32_t galloc(uint32_t len)
{
	uint32_t p = heap;

	heap += (len + 15) & ~15u;
	ck_assert_uint_lt(heap, RAM_END);
	return p;
}

/**
 * struct gq - the driver's view of one virtqueue
 */
struct gq {
	unsigned d, index;
	uint32_t num, desc, avail, used;
	uint16_t avail_idx, last_used;
	unsigned next_desc;
};

struct gbuf {
	uint32_t gpa, len;
	bool write;
};

static struct gq queues[4][2];

static void put_desc(const struct gq *q, unsigned i, uint64_t addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	uint32_t p = q->desc + 16 * i;

	put64(p, addr);
	put32(p + 8, len);
	put16(p + 12, flags);
	put16(p + 14, next);
}

/* Make @head available (avail ring entry, then the index). */
static void publish(struct gq *q, uint16_t head)
{
	put16(q->avail + 4 + 2 * (q->avail_idx % q->num), head);
	q->avail_idx++;
	put16(q->avail + 2, q->avail_idx);
}

static uint16_t add_chain(struct gq *q, const struct gbuf *b, unsigned n)
{
	uint16_t head = (uint16_t)(q->next_desc % q->num);

	for (unsigned i = 0; i < n; i++) {
		unsigned at = (q->next_desc + i) % q->num;
		unsigned nx = (q->next_desc + i + 1) % q->num;

		put_desc(q, at, b[i].gpa, b[i].len,
			 (b[i].write ? PV_VIRTQ_DESC_F_WRITE : 0) |
				 (i + 1 < n ? PV_VIRTQ_DESC_F_NEXT : 0),
			 (uint16_t)nx);
	}
	q->next_desc += n;
	publish(q, head);
	return head;
}

static void kick(struct gq *q)
{
	mw(q->d, PV_VIRTIO_MMIO_QUEUE_NOTIFY, q->index);
}

/* The next used element, or false if the device has not produced one. */
static bool get_used(struct gq *q, uint32_t *id, uint32_t *len)
{
	uint32_t e;

	if (get16(q->used + 2) == q->last_used)
		return false;
	e = q->used + 4 + 8 * (q->last_used % q->num);
	*id = get32(e);
	*len = get32(e + 4);
	q->last_used++;
	return true;
}

/* Linux's virtio_mmio probe and virtio core: reset .. FEATURES_OK. */
static uint64_t negotiate(unsigned d, uint64_t want)
{
	uint64_t offered;

	mw(d, PV_VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(status(d), 0);
	mw(d, PV_VIRTIO_MMIO_STATUS, PV_VIRTIO_S_ACKNOWLEDGE);
	mw(d, PV_VIRTIO_MMIO_STATUS, PV_VIRTIO_S_ACKNOWLEDGE | PV_VIRTIO_S_DRIVER);
	mw(d, PV_VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	offered = (uint64_t)mr(d, PV_VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	mw(d, PV_VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	offered |= mr(d, PV_VIRTIO_MMIO_DEVICE_FEATURES);
	want &= offered;
	mw(d, PV_VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	mw(d, PV_VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(want >> 32));
	mw(d, PV_VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	mw(d, PV_VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)want);
	mw(d, PV_VIRTIO_MMIO_STATUS, PV_VIRTIO_S_ACKNOWLEDGE | PV_VIRTIO_S_DRIVER |
				     PV_VIRTIO_S_FEATURES_OK);
	return offered;
}

static void setup_queue_at(struct gq *q, unsigned d, unsigned index,
			   uint32_t num, uint32_t desc, uint32_t avail,
			   uint32_t used)
{
	memset(q, 0, sizeof(*q));
	q->d = d;
	q->index = index;
	q->num = num;
	q->desc = desc;
	q->avail = avail;
	q->used = used;
	memset(ram(desc), 0, 16 * (num ? num : 1));
	memset(ram(avail), 0, 4 + 2 * num);
	memset(ram(used), 0, 4 + 8 * num);
	mw(d, PV_VIRTIO_MMIO_QUEUE_SEL, index);
	ck_assert_uint_eq(mr(d, PV_VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(mr(d, PV_VIRTIO_MMIO_QUEUE_NUM_MAX), PV_VIRTIO_QUEUE_MAX);
	mw(d, PV_VIRTIO_MMIO_QUEUE_NUM, num);
	mw(d, PV_VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
	mw(d, PV_VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	mw(d, PV_VIRTIO_MMIO_QUEUE_DRIVER_LOW, avail);
	mw(d, PV_VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
	mw(d, PV_VIRTIO_MMIO_QUEUE_DEVICE_LOW, used);
	mw(d, PV_VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
	mw(d, PV_VIRTIO_MMIO_QUEUE_READY, 1);
}

static struct gq *setup_queue(unsigned d, unsigned index, uint32_t num)
{
	uint32_t area = FAKE_RAM_BASE + 0x100000u + (d * 2 + index) * 0x4000u;
	struct gq *q = &queues[d][index];

	setup_queue_at(q, d, index, num, area, area + 0x1000, area + 0x2000);
	ck_assert_uint_eq(mr(d, PV_VIRTIO_MMIO_QUEUE_READY), 1);
	return q;
}

static void driver_ok(unsigned d)
{
	mw(d, PV_VIRTIO_MMIO_STATUS, PV_VIRTIO_S_ACKNOWLEDGE | PV_VIRTIO_S_DRIVER |
				     PV_VIRTIO_S_FEATURES_OK | PV_VIRTIO_S_DRIVER_OK);
}

/* The whole bring-up; the device's queues all of size @num. */
static void bring_up(unsigned d, uint32_t num, uint64_t want)
{
	negotiate(d, want);
	ck_assert_uint_ne(status(d) & PV_VIRTIO_S_FEATURES_OK, 0);
	for (unsigned i = 0; i < dev(d)->model->nqueues; i++)
		setup_queue(d, i, num);
	driver_ok(d);
	ck_assert_uint_eq(status(d) & PV_VIRTIO_S_NEEDS_RESET, 0);
}

#define LINUX_FEATURES (PV_VIRTIO_F_VERSION_1 | PV_VIRTIO_F_INDIRECT_DESC | 0xffffffu)

/* What Linux's interrupt handler does: read the status, acknowledge it. */
static uint32_t take_interrupt(unsigned d)
{
	uint32_t isr = mr(d, PV_VIRTIO_MMIO_INTERRUPT_STATUS);

	mw(d, PV_VIRTIO_MMIO_INTERRUPT_ACK, isr);
	return isr;
}

/* The device broke cleanly: NEEDS_RESET, a config interrupt, idle. */
static void assert_broken(unsigned d, enum pv_virtio_break why)
{
	ck_assert_uint_ne(status(d) & PV_VIRTIO_S_NEEDS_RESET, 0);
	ck_assert_uint_eq(dev(d)->broken_why, why);
	ck_assert_uint_ne(mr(d, PV_VIRTIO_MMIO_INTERRUPT_STATUS) & PV_VIRTIO_INT_CONFIG, 0);
	ck_assert(dev(d)->line);
}

static void unit_setup(void)
{
	setup();
	heap = FAKE_RAM_BASE + 0x400000u;
	gic_enable();
}

/* ==== transport ============================================================ */

START_TEST(identification)
{
	static const uint32_t ids[] = { 3, 2, 1, 4 };
	uint64_t v;

	for (unsigned d = CON; d <= RNG; d++) {
		ck_assert_uint_eq(mr(d, PV_VIRTIO_MMIO_MAGIC), 0x74726976);
		ck_assert_uint_eq(mr(d, PV_VIRTIO_MMIO_VERSION), 2);
		ck_assert_uint_eq(mr(d, PV_VIRTIO_MMIO_DEVICE_ID), ids[d]);
		ck_assert_uint_eq(mr(d, PV_VIRTIO_MMIO_VENDOR_ID), PV_VIRTIO_VENDOR);
		ck_assert_uint_eq(status(d), 0);
		ck_assert_uint_eq(mr(d, PV_VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffu);
		ck_assert_uint_eq(mr(d, PV_VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffffu);
		/* Queues beyond the device's: QueueNumMax 0. */
		mw(d, PV_VIRTIO_MMIO_QUEUE_SEL, dev(d)->model->nqueues);
		ck_assert_uint_eq(mr(d, PV_VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
		mw(d, PV_VIRTIO_MMIO_QUEUE_SEL, 0);
		ck_assert_uint_eq(mr(d, PV_VIRTIO_MMIO_QUEUE_NUM_MAX), PV_VIRTIO_QUEUE_MAX);
	}
	/* Control registers take aligned words only. */
	ck_assert_int_eq(pv_memmap_read(&vm->map, pv_gpa(DEV_BASE(BLK)), 1, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(pv_memmap_write(&vm->map, pv_gpa(DEV_BASE(BLK) + PV_VIRTIO_MMIO_STATUS), 2, 1), 0);
	ck_assert_uint_eq(status(BLK), 0);
	ck_assert_uint_eq(dev(BLK)->stats.bad_access, 2);
	/* Past the window: nothing there. */
	ck_assert_int_eq(pv_memmap_read(&vm->map, pv_gpa(DEV_BASE(RNG) + 0x200), 4, &v),
			 PV_EABORT);
	/* The default board has no virtio device at all. */
	for (unsigned t = PV_DEV_VIRTIO_CONSOLE; t <= PV_DEV_VIRTIO_RNG; t++)
		ck_assert_ptr_null(pv_board_find(&pv_board_default, t));
}
END_TEST

START_TEST(backend_asked_only_on_first_access)
{
	ck_assert_uint_eq(fb.blk_capacity_calls, 0);
	(void)mr(BLK, PV_VIRTIO_MMIO_MAGIC);
	ck_assert_uint_eq(fb.blk_capacity_calls, 1);
	(void)mr(BLK, PV_VIRTIO_MMIO_MAGIC);
	ck_assert_uint_eq(fb.blk_capacity_calls, 1);
	/* A reset asks again: the image may have changed between boots. */
	fb.disk_sectors = 100;
	mw(BLK, PV_VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(fb.blk_capacity_calls, 2);
	ck_assert_uint_eq(mr(BLK, PV_VIRTIO_CONFIG_BASE), 100);
}
END_TEST

START_TEST(vm_init_requires_the_ops)
{
	struct pv_backend_ops ops = fake_backend_ops;
	struct pv_vm_config c = cfg;

	c.ops = &ops;
	ops.blk_read = NULL;
	ck_assert_int_eq(pv_vm_init(vm, &c), PV_EINVAL);
	ops = fake_backend_ops;
	ops.blk_capacity = NULL;
	ck_assert_int_eq(pv_vm_init(vm, &c), PV_EINVAL);
	ops = fake_backend_ops;
	ops.net_mac = NULL;
	ck_assert_int_eq(pv_vm_init(vm, &c), PV_EINVAL);
	ops = fake_backend_ops;
	ops.net_recv = NULL;
	ck_assert_int_eq(pv_vm_init(vm, &c), PV_EINVAL);
	ops = fake_backend_ops;
	ops.rng_fill = NULL;
	ck_assert_int_eq(pv_vm_init(vm, &c), PV_EINVAL);
	/* None of them is needed without the devices. */
	memset(&ops.blk_read, 0,
	       sizeof(ops) - offsetof(struct pv_backend_ops, blk_read));
	c.board = &pv_board_default;
	ck_assert_int_eq(pv_vm_init(vm, &c), 0);
	c.board = &pv_board_virtio;
	ck_assert_int_eq(pv_vm_init(vm, &c), PV_EINVAL);
	/* The refusal asked nothing of the backend. */
	ck_assert_uint_eq(fb.blk_capacity_calls, 0);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
}
END_TEST

START_TEST(board_rules)
{
	struct pv_board b = pv_board_virtio;
	struct pv_board_device d[16];
	unsigned n = b.ndevices, blk = 0;

	ck_assert_int_eq(pv_board_check(&pv_board_virtio), 0);
	/* The default board plus the four devices, in order. */
	ck_assert_uint_eq(n, pv_board_default.ndevices + 4);
	ck_assert_mem_eq(pv_board_virtio.devices, pv_board_default.devices,
			 pv_board_default.ndevices * sizeof(d[0]));
	memcpy(d, b.devices, n * sizeof(d[0]));
	b.devices = d;
	for (unsigned i = 0; i < n; i++)
		if (d[i].type == PV_DEV_VIRTIO_BLK)
			blk = i;
	ck_assert_uint_eq(d[blk].base, PV_BOARD_VIRTIO_BASE + PV_BOARD_VIRTIO_STRIDE);
	ck_assert_uint_eq(d[blk].size, 0x200);
	ck_assert_uint_eq(d[blk].irq[0], 32 + PV_BOARD_VIRTIO_SPI + 1);
	/* A second block device, even with its own window and SPI, and a
	 * second network device. */
	d[n] = d[blk];
	d[n].base = 0x1c140000u;
	d[n].irq[0] = 60;
	b.ndevices = n + 1;
	ck_assert_int_eq(pv_board_check(&b), PV_EINVAL);
	d[n].type = PV_DEV_VIRTIO_NET;
	ck_assert_int_eq(pv_board_check(&b), PV_EINVAL);
	/* Moved there instead of the first one, it is fine. */
	b.ndevices = n;
	d[blk] = d[n];
	d[blk].type = PV_DEV_VIRTIO_BLK;
	ck_assert_int_eq(pv_board_check(&b), 0);
	/* A free but misaligned base, a wrong size, a PPI, a second
	 * interrupt, an interrupt another device drives. */
	d[blk].base = 0x1c140100u;
	ck_assert_int_eq(pv_board_check(&b), PV_EINVAL);
	d[blk].base = 0x1c140200u;
	ck_assert_int_eq(pv_board_check(&b), 0);
	d[blk].size = 0x1000;
	ck_assert_int_eq(pv_board_check(&b), PV_EINVAL);
	d[blk].size = 0x200;
	d[blk].irq[0] = 20;
	ck_assert_int_eq(pv_board_check(&b), PV_EINVAL);
	d[blk].irq[0] = 60;
	d[blk].irq[1] = 61;
	ck_assert_int_eq(pv_board_check(&b), PV_EINVAL);
	d[blk].irq[1] = 0;
	d[blk].irq[0] = 32 + PV_BOARD_UART_SPI;
	ck_assert_int_eq(pv_board_check(&b), PV_EINVAL);
	d[blk].irq[0] = 32 + PV_BOARD_VIRTIO_SPI + 2; /* the network's */
	ck_assert_int_eq(pv_board_check(&b), PV_EINVAL);
	memcpy(d, pv_board_virtio.devices, n * sizeof(d[0]));
	ck_assert_int_eq(pv_board_check(&b), 0);
	/* A device the board leaves out has no window and no state. */
	b.ndevices = n - 1; /* without the entropy device */
	cfg.board = &b;
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	ck_assert_ptr_null(vm->dev.vrng.vdev.model);
	ck_assert_ptr_null(pv_memmap_find_mmio(&vm->map, pv_gpa(DEV_BASE(RNG))));
	ck_assert_uint_eq(vm->dev.nvirtio, 3);
	cfg.board = &pv_board_virtio;
}
END_TEST

START_TEST(feature_negotiation)
{
	uint64_t offered;

	offered = negotiate(BLK, 0);
	ck_assert_uint_eq(offered, PV_VIRTIO_F_VERSION_1 | PV_VIRTIO_F_INDIRECT_DESC |
				   PV_VIRTIO_BLK_F_SEG_MAX | PV_VIRTIO_BLK_F_FLUSH);
	/* Without VERSION_1: no FEATURES_OK. */
	ck_assert_uint_eq(status(BLK) & PV_VIRTIO_S_FEATURES_OK, 0);
	/* A bit the device does not offer: no FEATURES_OK either. */
	negotiate(BLK, 0);
	mw(BLK, PV_VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	mw(BLK, PV_VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)PV_VIRTIO_F_EVENT_IDX);
	mw(BLK, PV_VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	mw(BLK, PV_VIRTIO_MMIO_DRIVER_FEATURES, 1);
	mw(BLK, PV_VIRTIO_MMIO_STATUS, 0xb);
	ck_assert_uint_eq(status(BLK), 0x3);
	/* Linux's set: accepted, and frozen once FEATURES_OK is set. */
	offered = negotiate(NET, LINUX_FEATURES);
	ck_assert_uint_eq(offered, PV_VIRTIO_F_VERSION_1 | PV_VIRTIO_F_INDIRECT_DESC |
				   PV_VIRTIO_NET_F_MAC);
	ck_assert_uint_eq(status(NET), 0xb);
	mw(NET, PV_VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	mw(NET, PV_VIRTIO_MMIO_DRIVER_FEATURES, 0);
	ck_assert_uint_eq(mr(NET, PV_VIRTIO_MMIO_DRIVER_FEATURES),
			  (uint32_t)(PV_VIRTIO_F_INDIRECT_DESC | PV_VIRTIO_NET_F_MAC));
	/* Feature words past the second read as zero. */
	mw(NET, PV_VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	ck_assert_uint_eq(mr(NET, PV_VIRTIO_MMIO_DEVICE_FEATURES), 0);
	/* Reset: everything the driver set is gone. */
	mw(NET, PV_VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(dev(NET)->driver_features, 0);
	ck_assert_uint_eq(status(NET), 0);
	/* The driver cannot set NEEDS_RESET itself. */
	mw(NET, PV_VIRTIO_MMIO_STATUS, 0xff);
	ck_assert_uint_eq(status(NET) & PV_VIRTIO_S_NEEDS_RESET, 0);
}
END_TEST

START_TEST(queue_setup_rules)
{
	static const struct {
		uint32_t num, desc, avail, used;
	} bad[] = {
		{ 3, 0x10100000, 0x10101000, 0x10102000 },      /* not a power of 2 */
		{ 0, 0x10100000, 0x10101000, 0x10102000 },      /* empty */
		{ 256, 0x10100000, 0x10101000, 0x10102000 },    /* above the maximum */
		{ 8, 0x10100008, 0x10101000, 0x10102000 },      /* desc unaligned */
		{ 8, 0x10100000, 0x10101001, 0x10102000 },      /* avail unaligned */
		{ 8, 0x10100000, 0x10101000, 0x10102002 },      /* used unaligned */
		{ 8, RAM_END - 0x40, 0x10101000, 0x10102000 },  /* desc past RAM */
		{ 8, 0x10100000, RAM_END - 4, 0x10102000 },     /* avail past RAM */
		{ 8, 0x10100000, 0x10101000, RAM_END - 8 },     /* used past RAM */
		{ 8, PV_BOARD_UART_BASE, 0x10101000, 0x10102000 }, /* a device */
	};
	struct gq q;

	for (unsigned i = 0; i < PV_ARRAY_SIZE(bad); i++) {
		negotiate(RNG, LINUX_FEATURES);
		mw(RNG, PV_VIRTIO_MMIO_QUEUE_SEL, 0);
		mw(RNG, PV_VIRTIO_MMIO_QUEUE_NUM, bad[i].num);
		mw(RNG, PV_VIRTIO_MMIO_QUEUE_DESC_LOW, bad[i].desc);
		mw(RNG, PV_VIRTIO_MMIO_QUEUE_DRIVER_LOW, bad[i].avail);
		mw(RNG, PV_VIRTIO_MMIO_QUEUE_DEVICE_LOW, bad[i].used);
		mw(RNG, PV_VIRTIO_MMIO_QUEUE_READY, 1);
		ck_assert_uint_eq(mr(RNG, PV_VIRTIO_MMIO_QUEUE_READY), 0);
		assert_broken(RNG, PV_VIRTIO_BAD_QUEUE);
		ck_assert(irq_pending(RNG));
	}
	/* A high address word puts a ring above 4 GiB: not RAM. */
	negotiate(RNG, LINUX_FEATURES);
	mw(RNG, PV_VIRTIO_MMIO_QUEUE_NUM, 8);
	mw(RNG, PV_VIRTIO_MMIO_QUEUE_DESC_LOW, 0x10100000);
	mw(RNG, PV_VIRTIO_MMIO_QUEUE_DESC_HIGH, 1);
	mw(RNG, PV_VIRTIO_MMIO_QUEUE_DRIVER_LOW, 0x10101000);
	mw(RNG, PV_VIRTIO_MMIO_QUEUE_DEVICE_LOW, 0x10102000);
	mw(RNG, PV_VIRTIO_MMIO_QUEUE_READY, 1);
	assert_broken(RNG, PV_VIRTIO_BAD_QUEUE);
	/* After a reset the same device works; a ready queue's registers
	 * are frozen until it is disabled. */
	negotiate(RNG, LINUX_FEATURES);
	setup_queue_at(&q, RNG, 0, 8, 0x10100000, 0x10101000, 0x10102000);
	ck_assert_uint_eq(mr(RNG, PV_VIRTIO_MMIO_QUEUE_READY), 1);
	mw(RNG, PV_VIRTIO_MMIO_QUEUE_NUM, 3);
	mw(RNG, PV_VIRTIO_MMIO_QUEUE_DESC_LOW, 0x8);
	ck_assert_uint_eq(mr(RNG, PV_VIRTIO_MMIO_QUEUE_NUM), 8);
	ck_assert_uint_eq(mr(RNG, PV_VIRTIO_MMIO_QUEUE_DESC_LOW), 0x10100000);
	mw(RNG, PV_VIRTIO_MMIO_QUEUE_READY, 0);
	ck_assert_uint_eq(mr(RNG, PV_VIRTIO_MMIO_QUEUE_READY), 0);
	mw(RNG, PV_VIRTIO_MMIO_QUEUE_NUM, 16);
	ck_assert_uint_eq(mr(RNG, PV_VIRTIO_MMIO_QUEUE_NUM), 16);
	ck_assert_uint_eq(status(RNG) & PV_VIRTIO_S_NEEDS_RESET, 0);
	/* Queue registers of a queue the device does not have: ignored. */
	mw(RNG, PV_VIRTIO_MMIO_QUEUE_SEL, 1);
	mw(RNG, PV_VIRTIO_MMIO_QUEUE_NUM, 8);
	mw(RNG, PV_VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(mr(RNG, PV_VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(status(RNG) & PV_VIRTIO_S_NEEDS_RESET, 0);
}
END_TEST

START_TEST(notify_ignored_unless_served)
{
	uint32_t buf = galloc(16), id, len;
	struct gq *q;

	negotiate(RNG, LINUX_FEATURES);
	q = setup_queue(RNG, 0, 8);
	add_chain(q, &(struct gbuf){ buf, 16, true }, 1);
	kick(q); /* before DRIVER_OK */
	mw(RNG, PV_VIRTIO_MMIO_QUEUE_NOTIFY, 1);    /* no such queue */
	mw(RNG, PV_VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffffu);
	ck_assert(!get_used(q, &id, &len));
	ck_assert_uint_eq(dev(RNG)->stats.ignored_notify, 3);
	/* DRIVER_OK serves what was queued before it. */
	driver_ok(RNG);
	ck_assert(get_used(q, &id, &len));
	ck_assert_uint_eq(len, 16);
	/* A disabled queue is not served. */
	mw(RNG, PV_VIRTIO_MMIO_QUEUE_READY, 0);
	add_chain(q, &(struct gbuf){ buf, 16, true }, 1);
	kick(q);
	ck_assert(!get_used(q, &id, &len));
	ck_assert_uint_eq(dev(RNG)->stats.ignored_notify, 4);
	/* FAILED stops the device too. */
	mw(RNG, PV_VIRTIO_MMIO_STATUS, status(RNG) | PV_VIRTIO_S_FAILED);
	kick(q);
	ck_assert_uint_eq(dev(RNG)->stats.ignored_notify, 5);
}
END_TEST

/* ==== block ================================================================ */

static uint32_t blk_hdr(uint32_t type, uint64_t sector)
{
	uint32_t h = galloc(16);

	put32(h, type);
	put32(h + 4, 0);
	put64(h + 8, sector);
	return h;
}

/* One request as Linux builds it: header, data, status. */
static uint8_t blk_rw(struct gq *q, uint32_t type, uint64_t sector,
		      uint32_t data, uint32_t len, uint32_t *used_len)
{
	uint32_t st = galloc(1), id;
	struct gbuf b[3] = {
		{ blk_hdr(type, sector), 16, false },
		{ data, len, type == PV_VIRTIO_BLK_T_IN || type == PV_VIRTIO_BLK_T_GET_ID },
		{ st, 1, true },
	};
	uint16_t head;

	*ram(st) = 0xee;
	if (len)
		head = add_chain(q, b, 3);
	else
		head = add_chain(q, (struct gbuf[]){ b[0], b[2] }, 2);
	kick(q);
	ck_assert(get_used(q, &id, used_len));
	ck_assert_uint_eq(id, head);
	return *ram(st);
}

START_TEST(blk_linux_flow)
{
	uint32_t wbuf = galloc(1024), rbuf = galloc(1024), len;
	uint64_t cap;
	struct gq *q;

	bring_up(BLK, 128, LINUX_FEATURES);
	/* virtio_cread64 of capacity: two words, under a stable generation. */
	cap = mr(BLK, PV_VIRTIO_CONFIG_BASE) |
	      (uint64_t)mr(BLK, PV_VIRTIO_CONFIG_BASE + 4) << 32;
	ck_assert_uint_eq(cap, FAKE_DISK_SECTORS);
	ck_assert_uint_eq(mr(BLK, PV_VIRTIO_CONFIG_BASE + 12), PV_VIRTIO_QUEUE_MAX - 2);
	ck_assert_uint_eq(mr(BLK, PV_VIRTIO_MMIO_CONFIG_GENERATION), 1);
	q = &queues[BLK][0];
	for (unsigned i = 0; i < 1024; i++)
		ram(wbuf)[i] = (uint8_t)(i * 7 + 3);
	ck_assert(!vm->vcpu[0].irq_line);
	ck_assert_uint_eq(blk_rw(q, PV_VIRTIO_BLK_T_OUT, 10, wbuf, 1024, &len),
			  PV_VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(len, 1);
	/* The interrupt reaches the vCPU through the vGIC. */
	ck_assert(irq_pending(BLK));
	ck_assert(vm->vcpu[0].irq_line);
	ck_assert_uint_eq(take_interrupt(BLK), PV_VIRTIO_INT_VRING);
	ck_assert(!irq_pending(BLK));
	ck_assert_mem_eq(fb.disk + 10 * 512, ram(wbuf), 1024);
	ck_assert_uint_eq(fb.writes_since_flush, 1);
	ck_assert_uint_eq(fb.blk_writes, 1); /* one call: contiguous */
	ck_assert_uint_eq(blk_rw(q, PV_VIRTIO_BLK_T_FLUSH, 0, 0, 0, &len),
			  PV_VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(fb.blk_flushes, 1);
	ck_assert_uint_eq(fb.writes_since_flush, 0);
	ck_assert_uint_eq(blk_rw(q, PV_VIRTIO_BLK_T_IN, 10, rbuf, 1024, &len),
			  PV_VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(len, 1025);
	ck_assert_mem_eq(ram(rbuf), ram(wbuf), 1024);
	ck_assert_uint_eq(vm->dev.vblk.reads, 1);
	/* The last sector of the disk is reachable, the next one is not. */
	ck_assert_uint_eq(blk_rw(q, PV_VIRTIO_BLK_T_IN, FAKE_DISK_SECTORS - 1,
				 rbuf, 512, &len), PV_VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(blk_rw(q, PV_VIRTIO_BLK_T_IN, FAKE_DISK_SECTORS - 1,
				 rbuf, 1024, &len), PV_VIRTIO_BLK_S_IOERR);
	/* Many requests in one notification, and the ring wraps. */
	for (unsigned round = 0; round < 3; round++) {
		uint32_t id;

		for (unsigned i = 0; i < 40; i++)
			add_chain(q, (struct gbuf[]){
					  { blk_hdr(PV_VIRTIO_BLK_T_IN, i), 16, false },
					  { rbuf, 512, true },
					  { galloc(1), 1, true } }, 3);
		kick(q);
		for (unsigned i = 0; i < 40; i++)
			ck_assert(get_used(q, &id, &len));
		ck_assert(!get_used(q, &id, &len));
	}
	ck_assert_uint_eq(dev(BLK)->stats.errors, 1);
}
END_TEST

START_TEST(blk_get_id_and_unsupported)
{
	uint32_t idbuf = galloc(32), len;
	struct gq *q;

	bring_up(BLK, 16, LINUX_FEATURES);
	q = &queues[BLK][0];
	memset(ram(idbuf), 0xaa, 32);
	ck_assert_uint_eq(blk_rw(q, PV_VIRTIO_BLK_T_GET_ID, 0, idbuf, 20, &len),
			  PV_VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(len, 21);
	ck_assert_mem_eq(ram(idbuf), "pvcore-blk0\0\0\0\0\0\0\0\0\0", 20);
	ck_assert_uint_eq(ram(idbuf)[20], 0xaa);
	ck_assert_uint_eq(blk_rw(q, 11 /* WRITE_ZEROES: not offered */, 0, 0, 0, &len),
			  PV_VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(blk_rw(q, 0x12345678, 0, 0, 0, &len),
			  PV_VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(status(BLK) & PV_VIRTIO_S_NEEDS_RESET, 0);
}
END_TEST

/*
 * ANY_LAYOUT: the header may share a buffer with the data, and data
 * buffers need not be whole sectors (the bounce buffer joins them).
 */
START_TEST(blk_any_layout)
{
	uint32_t out = galloc(16 + 1024), a = galloc(100), b = galloc(700),
		 c = galloc(224), st = galloc(4), id, len;
	struct gq *q;

	bring_up(BLK, 16, LINUX_FEATURES);
	q = &queues[BLK][0];
	put32(out, PV_VIRTIO_BLK_T_OUT);
	put32(out + 4, 0);
	put64(out + 8, 3);
	for (unsigned i = 0; i < 1024; i++)
		ram(out + 16)[i] = (uint8_t)(i ^ 0x5a);
	/* Header + two sectors in one readable buffer, split at 300. */
	add_chain(q, (struct gbuf[]){ { out, 300, false },
				      { out + 300, 740, false },
				      { st, 1, true } }, 3);
	kick(q);
	ck_assert(get_used(q, &id, &len));
	ck_assert_uint_eq(*ram(st), PV_VIRTIO_BLK_S_OK);
	ck_assert_mem_eq(fb.disk + 3 * 512, ram(out + 16), 1024);
	/* Read them back into 100 + 700 + 224 bytes, status in the last. */
	add_chain(q, (struct gbuf[]){ { blk_hdr(PV_VIRTIO_BLK_T_IN, 3), 16, false },
				      { a, 100, true }, { b, 700, true },
				      { c, 224, true }, { st, 1, true } }, 5);
	*ram(st) = 0xee;
	kick(q);
	ck_assert(get_used(q, &id, &len));
	ck_assert_uint_eq(len, 1025);
	ck_assert_uint_eq(*ram(st), PV_VIRTIO_BLK_S_OK);
	ck_assert_mem_eq(ram(a), ram(out + 16), 100);
	ck_assert_mem_eq(ram(b), ram(out + 116), 700);
	ck_assert_mem_eq(ram(c), ram(out + 816), 224);
	/* Status byte at the end of the data's own buffer. */
	add_chain(q, (struct gbuf[]){ { blk_hdr(PV_VIRTIO_BLK_T_IN, 4), 16, false },
				      { b, 513, true } }, 2);
	kick(q);
	ck_assert(get_used(q, &id, &len));
	ck_assert_uint_eq(len, 513);
	ck_assert_uint_eq(*ram(b + 512), PV_VIRTIO_BLK_S_OK);
	ck_assert_mem_eq(ram(b), fb.disk + 4 * 512, 512);
}
END_TEST

/* Requests the device refuses complete with IOERR; the device lives on. */
START_TEST(blk_request_errors)
{
	uint32_t data = galloc(2048), st = galloc(1), hdr, id, len;
	unsigned writes;
	struct gq *q;

	bring_up(BLK, 16, LINUX_FEATURES);
	q = &queues[BLK][0];
	/* Out of range, and a range that wraps around 2^64. */
	ck_assert_uint_eq(blk_rw(q, PV_VIRTIO_BLK_T_IN, FAKE_DISK_SECTORS, data, 512, &len),
			  PV_VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(blk_rw(q, PV_VIRTIO_BLK_T_OUT, UINT64_MAX, data, 1024, &len),
			  PV_VIRTIO_BLK_S_IOERR);
	/* Not whole sectors. */
	ck_assert_uint_eq(blk_rw(q, PV_VIRTIO_BLK_T_IN, 0, data, 100, &len),
			  PV_VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(len, 101);
	ck_assert_uint_eq(blk_rw(q, PV_VIRTIO_BLK_T_OUT, 0, data, 513, &len),
			  PV_VIRTIO_BLK_S_IOERR);
	/* Direction: a read whose data buffer is device-readable, a write
	 * whose data buffer is device-writable. */
	add_chain(q, (struct gbuf[]){ { blk_hdr(PV_VIRTIO_BLK_T_IN, 0), 16, false },
				      { data, 512, false }, { st, 1, true } }, 3);
	kick(q);
	ck_assert(get_used(q, &id, &len));
	ck_assert_uint_eq(*ram(st), PV_VIRTIO_BLK_S_IOERR);
	writes = fb.blk_writes;
	memset(fb.disk, 0x11, 512);
	add_chain(q, (struct gbuf[]){ { blk_hdr(PV_VIRTIO_BLK_T_OUT, 0), 16, false },
				      { data, 512, true }, { st, 1, true } }, 3);
	kick(q);
	ck_assert(get_used(q, &id, &len));
	ck_assert_uint_eq(*ram(st), PV_VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(fb.blk_writes, writes);
	ck_assert_uint_eq(fb.disk[0], 0x11);
	/* A header shorter than 16 bytes. */
	hdr = blk_hdr(PV_VIRTIO_BLK_T_IN, 0);
	add_chain(q, (struct gbuf[]){ { hdr, 8, false }, { st, 1, true } }, 2);
	kick(q);
	ck_assert(get_used(q, &id, &len));
	ck_assert_uint_eq(*ram(st), PV_VIRTIO_BLK_S_IOERR);
	/* No writable byte: no status, used length 0. */
	add_chain(q, (struct gbuf[]){ { hdr, 16, false } }, 1);
	kick(q);
	ck_assert(get_used(q, &id, &len));
	ck_assert_uint_eq(len, 0);
	/* The backend fails. */
	fb.blk_fail = true;
	ck_assert_uint_eq(blk_rw(q, PV_VIRTIO_BLK_T_IN, 0, data, 512, &len),
			  PV_VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(blk_rw(q, PV_VIRTIO_BLK_T_OUT, 0, data, 512, &len),
			  PV_VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(blk_rw(q, PV_VIRTIO_BLK_T_FLUSH, 0, 0, 0, &len),
			  PV_VIRTIO_BLK_S_IOERR);
	/* ... and through the bounce buffer. */
	add_chain(q, (struct gbuf[]){ { blk_hdr(PV_VIRTIO_BLK_T_IN, 0), 16, false },
				      { data, 100, true }, { data + 100, 412, true },
				      { st, 1, true } }, 4);
	kick(q);
	ck_assert(get_used(q, &id, &len));
	ck_assert_uint_eq(*ram(st), PV_VIRTIO_BLK_S_IOERR);
	fb.blk_fail = false;
	/* The medium shrank behind the guest's back: the backend refuses. */
	fb.disk_sectors = 2;
	ck_assert_uint_eq(blk_rw(q, PV_VIRTIO_BLK_T_IN, 2, data, 512, &len),
			  PV_VIRTIO_BLK_S_IOERR);
	fb.disk_sectors = FAKE_DISK_SECTORS;
	ck_assert_uint_eq(dev(BLK)->stats.errors, 13);
	ck_assert_uint_eq(status(BLK) & PV_VIRTIO_S_NEEDS_RESET, 0);
	ck_assert_uint_eq(blk_rw(q, PV_VIRTIO_BLK_T_IN, 0, data, 512, &len),
			  PV_VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(blk_indirect)
{
	uint32_t table = galloc(16 * 3), data = galloc(512), st = galloc(1);
	uint32_t hdr = blk_hdr(PV_VIRTIO_BLK_T_IN, 7), id, len;
	struct gq *q;

	memset(fb.disk + 7 * 512, 0x77, 512);
	bring_up(BLK, 8, LINUX_FEATURES);
	q = &queues[BLK][0];
	put64(table, hdr);
	put32(table + 8, 16);
	put16(table + 12, PV_VIRTQ_DESC_F_NEXT);
	put16(table + 14, 1);
	put64(table + 16, data);
	put32(table + 24, 512);
	put16(table + 28, PV_VIRTQ_DESC_F_NEXT | PV_VIRTQ_DESC_F_WRITE);
	put16(table + 30, 2);
	put64(table + 32, st);
	put32(table + 40, 1);
	put16(table + 44, PV_VIRTQ_DESC_F_WRITE);
	put_desc(q, 0, table, 48, PV_VIRTQ_DESC_F_INDIRECT, 0);
	publish(q, 0);
	kick(q);
	ck_assert(get_used(q, &id, &len));
	ck_assert_uint_eq(id, 0);
	ck_assert_uint_eq(len, 513);
	ck_assert_uint_eq(*ram(st), PV_VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(ram(data)[511], 0x77);
	/* Indirect without the feature: broken. */
	bring_up(BLK, 8, PV_VIRTIO_F_VERSION_1);
	q = &queues[BLK][0];
	put_desc(q, 0, table, 48, PV_VIRTQ_DESC_F_INDIRECT, 0);
	publish(q, 0);
	kick(q);
	assert_broken(BLK, PV_VIRTIO_BAD_INDIRECT);
}
END_TEST

/* ==== what a hostile driver does to the rings ============================== */

/*
 * Each case writes a bad chain at descriptor 0 of a fresh 8-entry block
 * queue, kicks, and must leave the device broken for the given reason,
 * with nothing read from outside guest RAM and nothing completed.
 */
struct bad_chain {
	const char *what;
	enum pv_virtio_break why;
	void (*build)(struct gq *q, uint32_t buf);
};

static void c_loop(struct gq *q, uint32_t buf)
{
	put_desc(q, 0, buf, 16, PV_VIRTQ_DESC_F_NEXT, 1);
	put_desc(q, 1, buf, 16, PV_VIRTQ_DESC_F_NEXT, 0);
	publish(q, 0);
}

static void c_self_loop(struct gq *q, uint32_t buf)
{
	put_desc(q, 0, buf, 16, PV_VIRTQ_DESC_F_NEXT, 0);
	publish(q, 0);
}

static void c_next_out(struct gq *q, uint32_t buf)
{
	put_desc(q, 0, buf, 16, PV_VIRTQ_DESC_F_NEXT, 8);
	publish(q, 0);
}

static void c_head_out(struct gq *q, uint32_t buf)
{
	put_desc(q, 0, buf, 16, 0, 0);
	publish(q, 9);
}

static void c_past_ram(struct gq *q, uint32_t buf)
{
	(void)buf;
	put_desc(q, 0, RAM_END - 4, 16, 0, 0);
	publish(q, 0);
}

static void c_below_ram(struct gq *q, uint32_t buf)
{
	(void)buf;
	put_desc(q, 0, FAKE_RAM_BASE - 8, 16, 0, 0);
	publish(q, 0);
}

static void c_above_4g(struct gq *q, uint32_t buf)
{
	put_desc(q, 0, (1ull << 32) + buf, 16, 0, 0);
	publish(q, 0);
}

static void c_huge_len(struct gq *q, uint32_t buf)
{
	put_desc(q, 0, buf, 0xffffffffu, PV_VIRTQ_DESC_F_WRITE, 0);
	publish(q, 0);
}

static void c_device_buffer(struct gq *q, uint32_t buf)
{
	(void)buf;
	put_desc(q, 0, DEV_BASE(BLK), 16, 0, 0);
	publish(q, 0);
}

static void c_read_after_write(struct gq *q, uint32_t buf)
{
	put_desc(q, 0, buf, 16, PV_VIRTQ_DESC_F_WRITE | PV_VIRTQ_DESC_F_NEXT, 1);
	put_desc(q, 1, buf, 16, 0, 0);
	publish(q, 0);
}

static void c_avail_ahead(struct gq *q, uint32_t buf)
{
	put_desc(q, 0, buf, 16, 0, 0);
	q->avail_idx = 9;
	put16(q->avail + 2, q->avail_idx);
}

static void c_indirect_next(struct gq *q, uint32_t buf)
{
	put_desc(q, 0, buf, 32, PV_VIRTQ_DESC_F_INDIRECT | PV_VIRTQ_DESC_F_NEXT, 1);
	put_desc(q, 1, buf, 16, 0, 0);
	publish(q, 0);
}

static void c_indirect_not_head(struct gq *q, uint32_t buf)
{
	put_desc(q, 0, buf, 16, PV_VIRTQ_DESC_F_NEXT, 1);
	put_desc(q, 1, buf, 32, PV_VIRTQ_DESC_F_INDIRECT, 0);
	publish(q, 0);
}

static void c_indirect_odd_len(struct gq *q, uint32_t buf)
{
	put_desc(q, 0, buf, 24, PV_VIRTQ_DESC_F_INDIRECT, 0);
	publish(q, 0);
}

static void c_indirect_empty(struct gq *q, uint32_t buf)
{
	put_desc(q, 0, buf, 0, PV_VIRTQ_DESC_F_INDIRECT, 0);
	publish(q, 0);
}

static void c_indirect_huge(struct gq *q, uint32_t buf)
{
	put_desc(q, 0, buf, 16 * (PV_VIRTIO_QUEUE_MAX + 1),
		 PV_VIRTQ_DESC_F_INDIRECT, 0);
	publish(q, 0);
}

static void c_indirect_past_ram(struct gq *q, uint32_t buf)
{
	(void)buf;
	put_desc(q, 0, RAM_END - 16, 32, PV_VIRTQ_DESC_F_INDIRECT, 0);
	publish(q, 0);
}

static void c_indirect_nested(struct gq *q, uint32_t buf)
{
	/* The table's one entry is itself indirect. */
	put64(buf, buf);
	put32(buf + 8, 16);
	put16(buf + 12, PV_VIRTQ_DESC_F_INDIRECT);
	put16(buf + 14, 0);
	put_desc(q, 0, buf, 16, PV_VIRTQ_DESC_F_INDIRECT, 0);
	publish(q, 0);
}

static void c_indirect_loop(struct gq *q, uint32_t buf)
{
	/* Two entries that point at each other. */
	for (unsigned i = 0; i < 2; i++) {
		put64(buf + 16 * i, buf + 0x100);
		put32(buf + 16 * i + 8, 4);
		put16(buf + 16 * i + 12, PV_VIRTQ_DESC_F_NEXT);
		put16(buf + 16 * i + 14, (uint16_t)(1 - i));
	}
	put_desc(q, 0, buf, 32, PV_VIRTQ_DESC_F_INDIRECT, 0);
	publish(q, 0);
}

static void c_indirect_next_out(struct gq *q, uint32_t buf)
{
	put64(buf, buf + 0x100);
	put32(buf + 8, 4);
	put16(buf + 12, PV_VIRTQ_DESC_F_NEXT);
	put16(buf + 14, 2); /* the table has 2 entries */
	put_desc(q, 0, buf, 32, PV_VIRTQ_DESC_F_INDIRECT, 0);
	publish(q, 0);
}

static const struct bad_chain bad_chains[] = {
	{ "loop", PV_VIRTIO_BAD_CHAIN, c_loop },
	{ "self loop", PV_VIRTIO_BAD_CHAIN, c_self_loop },
	{ "next out of table", PV_VIRTIO_BAD_INDEX, c_next_out },
	{ "head out of table", PV_VIRTIO_BAD_INDEX, c_head_out },
	{ "buffer past RAM", PV_VIRTIO_BAD_BUFFER, c_past_ram },
	{ "buffer below RAM", PV_VIRTIO_BAD_BUFFER, c_below_ram },
	{ "buffer above 4 GiB", PV_VIRTIO_BAD_BUFFER, c_above_4g },
	{ "huge length", PV_VIRTIO_BAD_BUFFER, c_huge_len },
	{ "buffer on a device", PV_VIRTIO_BAD_BUFFER, c_device_buffer },
	{ "readable after writable", PV_VIRTIO_BAD_ORDER, c_read_after_write },
	{ "avail index ahead", PV_VIRTIO_BAD_AVAIL, c_avail_ahead },
	{ "indirect with next", PV_VIRTIO_BAD_INDIRECT, c_indirect_next },
	{ "indirect not at head", PV_VIRTIO_BAD_INDIRECT, c_indirect_not_head },
	{ "indirect odd length", PV_VIRTIO_BAD_INDIRECT, c_indirect_odd_len },
	{ "indirect empty", PV_VIRTIO_BAD_INDIRECT, c_indirect_empty },
	{ "indirect too long", PV_VIRTIO_BAD_INDIRECT, c_indirect_huge },
	{ "indirect table past RAM", PV_VIRTIO_BAD_BUFFER, c_indirect_past_ram },
	{ "indirect nested", PV_VIRTIO_BAD_INDIRECT, c_indirect_nested },
	{ "indirect loop", PV_VIRTIO_BAD_CHAIN, c_indirect_loop },
	{ "indirect next out of table", PV_VIRTIO_BAD_INDEX, c_indirect_next_out },
};

START_TEST(malformed_chains_break_the_device)
{
	const struct bad_chain *c = &bad_chains[_i];
	uint32_t buf = galloc(0x200), id, len;
	unsigned reads = fb.blk_reads + fb.blk_writes;
	struct gq *q;

	bring_up(BLK, 8, LINUX_FEATURES);
	q = &queues[BLK][0];
	(void)take_interrupt(BLK);
	c->build(q, buf);
	kick(q);
	if (dev(BLK)->broken_why != c->why)
		ck_abort_msg("%s: broke with %u, want %u", c->what,
			     dev(BLK)->broken_why, c->why);
	assert_broken(BLK, c->why);
	ck_assert(irq_pending(BLK));
	ck_assert(!get_used(q, &id, &len));
	ck_assert_uint_eq(fb.blk_reads + fb.blk_writes, reads);
	/* Broken stays broken: notifications and DRIVER_OK do nothing. */
	kick(q);
	ck_assert_uint_eq(dev(BLK)->stats.ignored_notify, 1);
	mw(BLK, PV_VIRTIO_MMIO_STATUS, status(BLK) & ~PV_VIRTIO_S_NEEDS_RESET);
	ck_assert(!get_used(q, &id, &len));
	ck_assert_uint_eq(dev(BLK)->stats.breaks, 1);
	/* The config interrupt is acknowledged like any other. */
	ck_assert_uint_eq(take_interrupt(BLK), PV_VIRTIO_INT_CONFIG);
	ck_assert(!irq_pending(BLK));
	/* A reset brings the device back. */
	bring_up(BLK, 8, LINUX_FEATURES);
	ck_assert_uint_eq(blk_rw(&queues[BLK][0], PV_VIRTIO_BLK_T_IN, 0, buf,
				 512, &len), PV_VIRTIO_BLK_S_OK);
}
END_TEST

/* Longest legal chain: exactly the queue size; one more is a loop. */
START_TEST(chain_length_is_bounded_by_the_queue_size)
{
	uint32_t hdr = blk_hdr(PV_VIRTIO_BLK_T_IN, 0), data = galloc(512 * 6);
	uint32_t st = galloc(1), id, len;
	struct gbuf b[8];
	struct gq *q;

	bring_up(BLK, 8, LINUX_FEATURES);
	q = &queues[BLK][0];
	b[0] = (struct gbuf){ hdr, 16, false };
	for (unsigned i = 0; i < 6; i++)
		b[1 + i] = (struct gbuf){ data + 512 * i, 512, true };
	b[7] = (struct gbuf){ st, 1, true };
	add_chain(q, b, 8);
	kick(q);
	ck_assert(get_used(q, &id, &len));
	ck_assert_uint_eq(len, 6 * 512 + 1);
	ck_assert_uint_eq(*ram(st), PV_VIRTIO_BLK_S_OK);
	/* 8 descriptors whose last one points back to the first. */
	add_chain(q, b, 8);
	put16(q->desc + 16 * 7 + 12, PV_VIRTQ_DESC_F_WRITE | PV_VIRTQ_DESC_F_NEXT);
	put16(q->desc + 16 * 7 + 14, 0);
	kick(q);
	assert_broken(BLK, PV_VIRTIO_BAD_CHAIN);
}
END_TEST

START_TEST(no_interrupt_flag)
{
	uint32_t data = galloc(512), len;
	struct gq *q;

	bring_up(BLK, 8, LINUX_FEATURES);
	q = &queues[BLK][0];
	put16(q->avail, PV_VIRTQ_AVAIL_F_NO_INTERRUPT);
	ck_assert_uint_eq(blk_rw(q, PV_VIRTIO_BLK_T_IN, 0, data, 512, &len),
			  PV_VIRTIO_BLK_S_OK);
	ck_assert(!irq_pending(BLK));
	put16(q->avail, 0);
	ck_assert_uint_eq(blk_rw(q, PV_VIRTIO_BLK_T_IN, 0, data, 512, &len),
			  PV_VIRTIO_BLK_S_OK);
	ck_assert(irq_pending(BLK));
	/* A reset lowers the line. */
	mw(BLK, PV_VIRTIO_MMIO_STATUS, 0);
	ck_assert(!irq_pending(BLK));
}
END_TEST

/* ==== console ============================================================== */

/* Console input the fake backend hands out from now on. */
static void give_input(const char *text)
{
	fb.input = (const uint8_t *)text;
	fb.input_len = strlen(text);
	fb.input_pos = 0;
}

/* A guest listens on one console: while the PL011's receiver is on (its
 * tty open), input is the UART's and the virtio console's buffer waits. */
START_TEST(console_input_goes_to_the_listening_uart)
{
	uint32_t rx = galloc(8), id, len, v = 0;
	struct gq *rxq;
	uint64_t dr;

	bring_up(CON, 16, LINUX_FEATURES);
	rxq = &queues[CON][PV_VIRTIO_CONSOLE_RXQ];
	/* UARTEN | TXE | RXE, FIFO on. */
	ck_assert_int_eq(pv_pl011_write(&vm->dev.uart, PV_UART_LCRH, 4,
					PV_UART_LCRH_FEN), 0);
	ck_assert_int_eq(pv_pl011_write(&vm->dev.uart, PV_UART_CR, 4,
					PV_UART_CR_UARTEN | PV_UART_CR_TXE |
					PV_UART_CR_RXE), 0);
	/* Input waits when the guest posts (and kicks) a receive buffer. */
	give_input("abc");
	add_chain(rxq, (struct gbuf[]){ { rx, 8, true } }, 1);
	kick(rxq);
	ck_assert(!get_used(rxq, &id, &len));
	ck_assert_uint_eq(fb.input_pos, 0);
	pv_vm_console_input(vm);
	check_all();
	ck_assert(!get_used(rxq, &id, &len));
	ck_assert_uint_eq(fb.input_pos, 3);
	ck_assert_int_eq(pv_pl011_read(&vm->dev.uart, PV_UART_DR, 4, &v), 0);
	dr = v;
	ck_assert_uint_eq(dr & 0xff, 'a');
	/* The guest closes the UART's tty (receiver off): hvc0 listens. */
	ck_assert_int_eq(pv_pl011_write(&vm->dev.uart, PV_UART_CR, 4,
					PV_UART_CR_UARTEN | PV_UART_CR_TXE), 0);
	give_input("xy");
	pv_vm_console_input(vm);
	check_all();
	ck_assert(get_used(rxq, &id, &len));
	ck_assert_uint_eq(len, 2);
	ck_assert_mem_eq(ram(rx), "xy", 2);
}
END_TEST

START_TEST(console_output_and_input)
{
	uint32_t a = galloc(8), b = galloc(8), rx = galloc(8), id, len;
	struct gq *txq, *rxq;

	bring_up(CON, 16, LINUX_FEATURES);
	txq = &queues[CON][PV_VIRTIO_CONSOLE_TXQ];
	rxq = &queues[CON][PV_VIRTIO_CONSOLE_RXQ];
	memcpy(ram(a), "hello, ", 7);
	memcpy(ram(b), "world", 5);
	add_chain(txq, (struct gbuf[]){ { a, 7, false }, { b, 5, false } }, 2);
	kick(txq);
	ck_assert(get_used(txq, &id, &len));
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(fb.console_len, 12);
	ck_assert_mem_eq(fb.console, "hello, world", 12);
	/* A receive buffer and no input: it stays posted, the device polls. */
	ck_assert_uint_eq(fb.deadline, PV_TIMER_NEVER);
	add_chain(rxq, (struct gbuf[]){ { rx, 8, true } }, 1);
	kick(rxq);
	ck_assert(!get_used(rxq, &id, &len));
	ck_assert_uint_eq(fb.deadline, fb.now + PV_VIRTIO_POLL_NS);
	give_input("ls\n");
	fb.now = fb.deadline;
	pv_vm_timer_expired(vm);
	check_all();
	ck_assert(get_used(rxq, &id, &len));
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(ram(rx), "ls\n", 3);
	ck_assert(irq_pending(CON));
	/* Nothing posted: no more polling (the spent one-shot stays off). */
	ck_assert_uint_eq(vm->dev.vpoll_at, PV_TIMER_NEVER);
	ck_assert_uint_eq(vm->dev.armed, PV_TIMER_NEVER);
	/* The backend's input signal fills the buffer at once. */
	add_chain(rxq, (struct gbuf[]){ { rx, 2, true } }, 1);
	kick(rxq);
	give_input("xyz");
	pv_vm_console_input(vm);
	check_all();
	ck_assert(get_used(rxq, &id, &len));
	ck_assert_uint_eq(len, 2);
	ck_assert_mem_eq(ram(rx), "xy", 2);
	/* Wrong directions complete empty and touch nothing. */
	add_chain(txq, (struct gbuf[]){ { a, 7, false }, { b, 5, true } }, 2);
	kick(txq);
	ck_assert(get_used(txq, &id, &len));
	ck_assert_uint_eq(fb.console_len, 12);
	add_chain(rxq, (struct gbuf[]){ { a, 2, false }, { rx, 2, true } }, 2);
	kick(rxq);
	ck_assert(get_used(rxq, &id, &len));
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(fb.input_pos, 2); /* 'z' still waits */
	ck_assert_uint_eq(dev(CON)->stats.errors, 2);
}
END_TEST

/* ==== network ============================================================== */

static void make_frame(uint8_t *f, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)(seed + i * 13);
}

START_TEST(net_config_and_transmit)
{
	uint32_t hdr = galloc(12), frame = galloc(1600), one = galloc(12 + 60);
	uint32_t id, len;
	struct gq *txq;

	bring_up(NET, 32, LINUX_FEATURES);
	txq = &queues[NET][PV_VIRTIO_NET_TXQ];
	/* virtio_cread_bytes of the MAC: byte reads. */
	for (unsigned i = 0; i < 6; i++) {
		uint64_t v;

		ck_assert_int_eq(pv_memmap_read(&vm->map,
			pv_gpa(DEV_BASE(NET) + PV_VIRTIO_CONFIG_BASE + i), 1, &v), 0);
		ck_assert_uint_eq(v, fb.mac[i]);
	}
	/* Header and frame in separate buffers, the frame contiguous. */
	memset(ram(hdr), 0, 12);
	make_frame(ram(frame), 60, 1);
	add_chain(txq, (struct gbuf[]){ { hdr, 12, false }, { frame, 60, false } }, 2);
	/* Header and frame in one buffer. */
	make_frame(ram(one + 12), 60, 2);
	add_chain(txq, (struct gbuf[]){ { one, 72, false } }, 1);
	kick(txq);
	ck_assert(get_used(txq, &id, &len));
	ck_assert_uint_eq(len, 0);
	ck_assert(get_used(txq, &id, &len));
	ck_assert_uint_eq(fb.ntx, 2);
	ck_assert_uint_eq(fb.tx[0].len, 60);
	ck_assert_mem_eq(fb.tx[0].data, ram(frame), 60);
	ck_assert_mem_eq(fb.tx[1].data, ram(one + 12), 60);
	ck_assert(irq_pending(NET));
	/* A frame split across buffers (an skb with fragments): gathered. */
	add_chain(txq, (struct gbuf[]){ { one, 20, false }, { frame + 8, 30, false },
					{ frame + 100, 22, false } }, 3);
	kick(txq);
	ck_assert(get_used(txq, &id, &len));
	ck_assert_uint_eq(fb.ntx, 3);
	ck_assert_uint_eq(fb.tx[2].len, 60);
	ck_assert_mem_eq(fb.tx[2].data, ram(one + 12), 8);
	ck_assert_mem_eq(fb.tx[2].data + 8, ram(frame + 8), 30);
	ck_assert_mem_eq(fb.tx[2].data + 38, ram(frame + 100), 22);
	fb.ntx = 2;
	/* The longest frame goes, one byte more does not; nor does a runt,
	 * a chain with a writable buffer, or a frame the backend refuses. */
	make_frame(ram(frame), PV_NET_FRAME_MAX + 1, 3);
	add_chain(txq, (struct gbuf[]){ { hdr, 12, false },
					{ frame, PV_NET_FRAME_MAX, false } }, 2);
	add_chain(txq, (struct gbuf[]){ { hdr, 12, false },
					{ frame, PV_NET_FRAME_MAX + 1, false } }, 2);
	add_chain(txq, (struct gbuf[]){ { hdr, 12, false }, { frame, 13, false } }, 2);
	add_chain(txq, (struct gbuf[]){ { hdr, 6, false } }, 1);
	add_chain(txq, (struct gbuf[]){ { hdr, 12, false }, { frame, 60, false },
					{ frame + 100, 4, true } }, 3);
	kick(txq);
	ck_assert_uint_eq(fb.ntx, 3);
	ck_assert_uint_eq(fb.tx[2].len, PV_NET_FRAME_MAX);
	fb.net_send_fail = true;
	add_chain(txq, (struct gbuf[]){ { one, 72, false } }, 1);
	kick(txq);
	fb.net_send_fail = false;
	for (unsigned i = 0; i < 6; i++)
		ck_assert(get_used(txq, &id, &len));
	ck_assert(!get_used(txq, &id, &len));
	ck_assert_uint_eq(fb.ntx, 3);
	ck_assert_uint_eq(vm->dev.vnet.tx_errors, 5);
	ck_assert_uint_eq(vm->dev.vnet.tx_frames, 4);
}
END_TEST

START_TEST(net_receive)
{
	uint8_t f[FAKE_FRAME_MAX];
	uint32_t big = galloc(12 + PV_NET_FRAME_MAX), small = galloc(12 + 64);
	uint32_t id, len;
	struct gq *rxq;

	bring_up(NET, 32, LINUX_FEATURES);
	rxq = &queues[NET][PV_VIRTIO_NET_RXQ];
	/* A frame waits, but no buffer is posted: it stays with the backend. */
	make_frame(f, 100, 9);
	ck_assert_int_eq(fake_net_inject(&fb, f, 100), 0);
	pv_vm_console_input(vm);
	ck_assert_uint_eq(fb.rx_count, 1);
	ck_assert_uint_eq(fb.deadline, PV_TIMER_NEVER);
	/* Linux posts its buffers (one descriptor each) and kicks. */
	add_chain(rxq, (struct gbuf[]){ { big, 12 + PV_NET_FRAME_MAX, true } }, 1);
	add_chain(rxq, (struct gbuf[]){ { small, 12 + 64, true } }, 1);
	kick(rxq);
	ck_assert(get_used(rxq, &id, &len));
	ck_assert_uint_eq(len, 12 + 100);
	ck_assert_uint_eq(get16(big + 10), 1); /* num_buffers */
	ck_assert_uint_eq(ram(big)[0], 0);
	ck_assert_mem_eq(ram(big + 12), f, 100);
	ck_assert(irq_pending(NET));
	/* The small buffer waits for a frame: the device polls. */
	ck_assert(!get_used(rxq, &id, &len));
	ck_assert_uint_eq(fb.deadline, fb.now + PV_VIRTIO_POLL_NS);
	/* Too long for it: dropped, the buffer kept for the next one. A frame
	 * above PV_NET_FRAME_MAX the backend drops itself. */
	make_frame(f, 65, 1);
	fake_net_inject(&fb, f, 65);
	make_frame(f, 1600, 2);
	fake_net_inject(&fb, f, 1600);
	make_frame(f, 64, 3);
	fake_net_inject(&fb, f, 64);
	fb.now = fb.deadline;
	pv_vm_timer_expired(vm);
	check_all();
	ck_assert(get_used(rxq, &id, &len));
	ck_assert_uint_eq(len, 12 + 64);
	ck_assert_mem_eq(ram(small + 12), f, 64);
	ck_assert_uint_eq(vm->dev.vnet.rx_dropped, 1);
	ck_assert_uint_eq(fb.rx_too_long, 1);
	/* Nothing posted now: no polling. */
	ck_assert_uint_eq(vm->dev.vpoll_at, PV_TIMER_NEVER);
	ck_assert_uint_eq(vm->dev.armed, PV_TIMER_NEVER);
	/* A frame for a buffer posted later: delivered on the kick. */
	make_frame(f, 70, 4);
	fake_net_inject(&fb, f, 70);
	add_chain(rxq, (struct gbuf[]){ { big, 12 + 30, true },
					{ big + 42, 12 + PV_NET_FRAME_MAX - 42, true } }, 2);
	kick(rxq);
	ck_assert(get_used(rxq, &id, &len));
	ck_assert_uint_eq(len, 12 + 70);
	ck_assert_mem_eq(ram(big + 12), f, 70);
	/* A receive chain with a readable buffer completes empty. */
	fake_net_inject(&fb, f, 70);
	add_chain(rxq, (struct gbuf[]){ { small, 4, false }, { big, 100, true } }, 2);
	kick(rxq);
	ck_assert(get_used(rxq, &id, &len));
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(fb.rx_count, 1);
	/* A receive error: counted, the device stops asking. */
	fb.net_recv_fail = true;
	add_chain(rxq, (struct gbuf[]){ { big, 12 + PV_NET_FRAME_MAX, true } }, 1);
	kick(rxq);
	ck_assert(!get_used(rxq, &id, &len));
	ck_assert_uint_eq(vm->dev.vnet.rx_errors, 1);
	ck_assert_uint_eq(vm->dev.vpoll_at, PV_TIMER_NEVER);
	fb.net_recv_fail = false;
	/* A transmit notification also looks for input. */
	kick(&queues[NET][PV_VIRTIO_NET_TXQ]);
	ck_assert(get_used(rxq, &id, &len));
	ck_assert_uint_eq(len, 12 + 70);
}
END_TEST

/* One poll delivers at most a queue's worth; the rest waits for the next. */
START_TEST(net_receive_is_bounded_per_poll)
{
	uint8_t f[64];
	uint32_t buf = galloc(8 * 128), id, len;
	struct gq *rxq;

	bring_up(NET, 4, LINUX_FEATURES);
	rxq = &queues[NET][PV_VIRTIO_NET_RXQ];
	for (unsigned i = 0; i < 6; i++) {
		make_frame(f, 64, (uint8_t)i);
		ck_assert_int_eq(fake_net_inject(&fb, f, 64), 0);
	}
	for (unsigned i = 0; i < 4; i++)
		add_chain(rxq, (struct gbuf[]){ { buf + 128 * i, 128, true } }, 1);
	kick(rxq);
	for (unsigned i = 0; i < 4; i++)
		ck_assert(get_used(rxq, &id, &len));
	ck_assert(!get_used(rxq, &id, &len));
	ck_assert_uint_eq(fb.rx_count, 2);
	/* It stopped at the limit, so it looks again soon. */
	ck_assert_uint_eq(vm->dev.vpoll_at, fb.now + PV_VIRTIO_POLL_NS);
	for (unsigned i = 0; i < 4; i++)
		add_chain(rxq, (struct gbuf[]){ { buf + 128 * (4 + i), 128, true } }, 1);
	fb.now = vm->dev.vpoll_at;
	pv_vm_timer_expired(vm);
	check_all();
	ck_assert(get_used(rxq, &id, &len));
	ck_assert(get_used(rxq, &id, &len));
	ck_assert(!get_used(rxq, &id, &len));
	make_frame(f, 64, 5);
	ck_assert_mem_eq(ram(buf + 128 * 5 + 12), f, 64);
}
END_TEST

/* ==== entropy ============================================================== */

START_TEST(rng_fills_buffers)
{
	uint32_t a = galloc(40), b = galloc(24), id, len, state = fb.rng_state;
	uint8_t want[64];
	struct gq *q;

	bring_up(RNG, 8, LINUX_FEATURES);
	q = &queues[RNG][0];
	for (unsigned i = 0; i < 64; i++)
		want[i] = fake_rng_next(&state);
	add_chain(q, (struct gbuf[]){ { a, 40, true }, { b, 24, true } }, 2);
	kick(q);
	ck_assert(get_used(q, &id, &len));
	ck_assert_uint_eq(len, 64);
	ck_assert_mem_eq(ram(a), want, 40);
	ck_assert_mem_eq(ram(b), want + 40, 24);
	ck_assert(irq_pending(RNG));
	/* Readable buffers, or a failing source: length 0. */
	add_chain(q, (struct gbuf[]){ { a, 40, false } }, 1);
	kick(q);
	ck_assert(get_used(q, &id, &len));
	ck_assert_uint_eq(len, 0);
	fb.rng_fail = true;
	add_chain(q, (struct gbuf[]){ { a, 40, true } }, 1);
	kick(q);
	ck_assert(get_used(q, &id, &len));
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(dev(RNG)->stats.errors, 2);
	ck_assert_uint_eq(vm->dev.vrng.bytes, 64);
}
END_TEST

/* ==== guest-physical RAM helper ============================================ */

START_TEST(ram_helper_bounds)
{
	const struct pv_memmap *map = &vm->map;
	uint8_t b[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	ck_assert(pv_virtio_ram_ok(map, FAKE_RAM_BASE, FAKE_RAM_SIZE));
	ck_assert(!pv_virtio_ram_ok(map, FAKE_RAM_BASE, FAKE_RAM_SIZE + 1ull));
	ck_assert(!pv_virtio_ram_ok(map, FAKE_RAM_BASE - 1, 2));
	ck_assert(pv_virtio_ram_ok(map, RAM_END - 1, 1));
	ck_assert(!pv_virtio_ram_ok(map, RAM_END, 0));
	ck_assert(!pv_virtio_ram_ok(map, (1ull << 32) + FAKE_RAM_BASE, 1));
	ck_assert(!pv_virtio_ram_ok(map, UINT64_MAX, 2));
	ck_assert(!pv_virtio_ram_ok(map, PV_BOARD_UART_BASE, 4));
	ck_assert_int_eq(pv_virtio_ram_write(map, RAM_END - 4, b, 8), PV_ERANGE);
	ck_assert_uint_eq(ram(RAM_END - 4)[0], 0); /* nothing written */
	ck_assert_int_eq(pv_virtio_ram_write(map, RAM_END - 8, b, 8), 0);
	memset(b, 0, 8);
	ck_assert_int_eq(pv_virtio_ram_read(map, RAM_END - 8, b, 8), 0);
	ck_assert_uint_eq(b[7], 8);
}
END_TEST

/* Two adjacent RAM regions: a buffer may cross from one to the other. */
START_TEST(ram_helper_across_regions)
{
	uint8_t *second = aligned_alloc(4096, 0x10000);
	uint8_t b[16], out[16];
	struct pv_memmap *map = &vm->map;
	struct pv_vm_config c = cfg;

	ck_assert_ptr_nonnull(second);
	memset(second, 0, 0x10000);
	c.ram[1].gpa = pv_gpa(RAM_END);
	c.ram[1].size = 0x10000;
	c.ram[1].hva = pv_hva_from_ptr(second);
	c.ram[1].hpa = pv_hpa(0x50000000u);
	c.ram_count = 2;
	ck_assert_int_eq(pv_vm_init(vm, &c), 0);
	for (unsigned i = 0; i < 16; i++)
		b[i] = (uint8_t)(0xa0 + i);
	ck_assert(pv_virtio_ram_ok(map, RAM_END - 8, 16));
	ck_assert(!pv_virtio_ram_ok(map, RAM_END - 8, 0x10000 + 9));
	ck_assert_int_eq(pv_virtio_ram_write(map, RAM_END - 8, b, 16), 0);
	ck_assert_mem_eq(ram(RAM_END - 8), b, 8);
	ck_assert_mem_eq(second, b + 8, 8);
	ck_assert_int_eq(pv_virtio_ram_read(map, RAM_END - 8, out, 16), 0);
	ck_assert_mem_eq(out, b, 16);
	free(second);
}
END_TEST

/* ==== the guest's own loads and stores, through the trap path ============= */

/*
 * The four windows share one 4 KiB page: the trap path (and its cache of
 * device pages) must still dispatch each access by its full address, and
 * the unassigned rest of the page is an external abort.
 */
START_TEST(trap_path_reaches_each_window)
{
	struct pv_vcpu *v = &vm->vcpu[0];
	const uint32_t pc = FAKE_RAM_BASE + 0x8000;
	struct pv_trap trap = { 0 };
	struct pv_exit ex;
	static const struct {
		uint32_t insn, far, want;
		bool write;
	} steps[] = {
		{ 0xe5923000u, 0x000, 0x74726976u, false }, /* ldr r3, [r2] */
		{ 0xe5923008u, 0x008, 3, false },     /* console DeviceID */
		{ 0xe5923208u, 0x208, 2, false },     /* block */
		{ 0xe5923408u, 0x408, 1, false },     /* network */
		{ 0xe5923608u, 0x608, 4, false },     /* entropy */
		{ 0xe5821270u, 0x270, 1, true },      /* str r1, [r2, #0x270] */
		{ 0xe5923270u, 0x270, 1, false },     /* block Status */
	};

	/* r2 = the page the four windows share. */
	v->r[2] = DEV_BASE(CON);
	for (unsigned i = 0; i < PV_ARRAY_SIZE(steps); i++) {
		uint32_t at = pc + 4 * i;

		put32(at, steps[i].insn);
		v->r[15] = at;
		v->r[1] = 1;
		v->r[3] = 0xdead;
		trap.kind = PV_TRAP_DABT;
		trap.host_cpsr = PV_MODE_USR;
		trap.fsr = (steps[i].write ? 1u << 11 : 0) | 0x5;
		trap.far = v->r[2] + steps[i].far;
		ck_assert_int_eq(pv_vcpu_handle_trap(v, &trap, &ex), 0);
		ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
		ck_assert_int_eq(ex.injected, PV_INJ_NONE);
		ck_assert_uint_eq(v->r[15], at + 4);
		if (!steps[i].write)
			ck_assert_uint_eq(v->r[3], steps[i].want);
	}
	ck_assert_uint_eq(dev(BLK)->status, 1);
	ck_assert_uint_eq(dev(CON)->status, 0);
	ck_assert_uint_eq(dev(NET)->status, 0);
	/* Past the four windows, in the same page: nothing there. */
	put32(pc + 0x100, 0xe5923800u); /* ldr r3, [r2, #0x800] */
	v->r[15] = pc + 0x100;
	trap.fsr = 0x5;
	trap.far = v->r[2] + 0x800;
	ck_assert_int_eq(pv_vcpu_handle_trap(v, &trap, &ex), 0);
	ck_assert_int_eq(ex.injected, PV_INJ_DABT);
}
END_TEST

static Suite *virtio_suite(void)
{
	Suite *s = suite_create("virtio");
	TCase *t = tcase_create("transport");
	TCase *d = tcase_create("devices");
	TCase *h = tcase_create("hostile");

	tcase_add_checked_fixture(t, unit_setup, teardown);
	tcase_add_test(t, identification);
	tcase_add_test(t, backend_asked_only_on_first_access);
	tcase_add_test(t, vm_init_requires_the_ops);
	tcase_add_test(t, board_rules);
	tcase_add_test(t, feature_negotiation);
	tcase_add_test(t, queue_setup_rules);
	tcase_add_test(t, notify_ignored_unless_served);
	tcase_add_test(t, ram_helper_bounds);
	tcase_add_test(t, ram_helper_across_regions);
	tcase_add_test(t, trap_path_reaches_each_window);
	suite_add_tcase(s, t);
	tcase_add_checked_fixture(d, unit_setup, teardown);
	tcase_add_test(d, blk_linux_flow);
	tcase_add_test(d, blk_get_id_and_unsupported);
	tcase_add_test(d, blk_any_layout);
	tcase_add_test(d, blk_request_errors);
	tcase_add_test(d, blk_indirect);
	tcase_add_test(d, no_interrupt_flag);
	tcase_add_test(d, console_output_and_input);
	tcase_add_test(d, console_input_goes_to_the_listening_uart);
	tcase_add_test(d, net_config_and_transmit);
	tcase_add_test(d, net_receive);
	tcase_add_test(d, net_receive_is_bounded_per_poll);
	tcase_add_test(d, rng_fills_buffers);
	suite_add_tcase(s, d);
	tcase_add_checked_fixture(h, unit_setup, teardown);
	tcase_add_loop_test(h, malformed_chains_break_the_device, 0,
			    PV_ARRAY_SIZE(bad_chains));
	tcase_add_test(h, chain_length_is_bounded_by_the_queue_size);
	suite_add_tcase(s, h);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(virtio_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
