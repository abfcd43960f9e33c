/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the virtio-mmio devices (console, block, network,
 * entropy) of pv_board_virtio, with the fake backend.
 *
 * Guest RAM is 64 KiB at guest-physical FAKE_RAM_BASE, in an mmap()ed
 * block with an inaccessible (PROT_NONE) page on each side: a host access
 * just outside guest RAM faults at once, whatever ASan knows. The input is
 * a script (fuzz_input.h; past its end every field reads as zero). Each
 * step starts with an op byte; bits 0..3 select the kind, bits 4..5 the
 * device (0 console, 1 block, 2 network, 3 entropy), bit 6 the queue:
 *
 *  0 MMIO write: register byte r (< 0xa0: control register (r % 64) * 4,
 *    32 bits; < 0xc0: a control offset of any alignment, size
 *    1 << (r % 3); else configuration byte + 1 byte, size 1 << (r % 3)),
 *    value 4
 *  1 MMIO read: the same addressing
 *  2 guest RAM: offset 2, length 1 (% 32 + 1), then the bytes
 *  3 the Linux bring-up: reset, features (byte: bit 0 drops INDIRECT, bit 1
 *    drops VERSION_1, bit 2 adds an unoffered bit), FEATURES_OK, every
 *    queue of size 1 << (byte % 8) (byte & 0x80: raw QueueNum) at a page
 *    (byte % 16) of RAM, then DRIVER_OK
 *  4 a descriptor in the selected queue's table: index 1, address mode 1
 *    (0: RAM base + 2 bytes; 1: RAM end - 1 byte; 2: raw 4 bytes; 3: raw
 *    4 + high 1), length (mode bit 2: 4 bytes, else 2), flags 1, next 1
 *  5 publish a head: head 1; op bit 7: then move the available index by a
 *    further byte (a driver running ahead)
 *  6 notify the selected queue (op bit 7: a raw 4-byte value)
 *  7 host: sub-op byte: frame of length 2 bytes % 2048, console input,
 *    time passes (host timer served when due), pv_vm_console_input(),
 *    backend failure switches, capacity change
 *  8 the guest's interrupt handler: InterruptStatus, then InterruptACK
 *  9 the GIC: IAR, then EOIR
 *
 * After every step, abort() unless every device passes pv_virtio_check()
 * (registers in range, ready queues valid and inside RAM, no request left
 * in flight, interrupt line == InterruptStatus != 0, negotiated features
 * offered), every buffer of the request each device decoded last lies in
 * guest RAM, the GIC passes pv_gic_check(), the fake backend was never
 * handed a buffer outside guest RAM or the VM object (bad_buffers, which
 * also counts a block range beyond the capacity and a frame length outside
 * 14..PV_NET_FRAME_MAX), the armed host deadline is the backend's, and a
 * broken device shows DEVICE_NEEDS_RESET.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core.h"
#include "fake_backend.h"
#include "fuzz_input.h"

#define RAM_SIZE 0x10000u
#define RAM_END (FAKE_RAM_BASE + RAM_SIZE)
#define PAGE 0x1000u
#define MAX_STEPS 256

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;
static uint8_t *ram;

static const uint8_t console_bytes[] = "root\nls -l /\n";

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_virtio: invariant broken: %s\n", what);
	abort();
}

static struct pv_virtio *dev(unsigned d)
{
	struct pv_virtio *v[] = { &vm->dev.vcon.vdev, &vm->dev.vblk.vdev,
				  &vm->dev.vnet.vdev, &vm->dev.vrng.vdev };

	return v[d & 3];
}

static uint32_t base(unsigned d)
{
	return PV_BOARD_VIRTIO_BASE + (d & 3) * PV_BOARD_VIRTIO_STRIDE;
}

static void mw(unsigned d, uint32_t off, unsigned size, uint32_t v)
{
	(void)pv_memmap_write(&vm->map, pv_gpa(base(d) + off), size, v);
}

static uint32_t mr(unsigned d, uint32_t off)
{
	uint64_t v = 0;

	(void)pv_memmap_read(&vm->map, pv_gpa(base(d) + off), 4, &v);
	return (uint32_t)v;
}

static uint8_t *ram_at(uint64_t gpa, uint32_t len)
{
	if (gpa < FAKE_RAM_BASE || gpa + len > RAM_END)
		return NULL;
	return ram + (gpa - FAKE_RAM_BASE);
}

/* Every buffer of the request the device decoded last is guest RAM. */
static void check_request(const struct pv_virtio_req *r)
{
	if (r->nread + r->nwrite > PV_VIRTIO_QUEUE_MAX)
		fail("request with more buffers than a chain may have");
	for (unsigned i = 0; i < (unsigned)r->nread + r->nwrite; i++)
		if (!ram_at(r->seg[i].gpa, r->seg[i].len))
			fail("request buffer outside guest RAM");
}

static void check(void)
{
	for (unsigned d = 0; d < 4; d++) {
		const struct pv_virtio *v = dev(d);

		if (pv_virtio_check(v))
			fail("virtio device state");
		check_request(&v->req);
		if (v->broken && !(mr(d, PV_VIRTIO_MMIO_STATUS) &
				   PV_VIRTIO_S_NEEDS_RESET))
			fail("broken device without NEEDS_RESET");
	}
	if (pv_gic_check(&vm->dev.gic))
		fail("gic");
	if (fb.bad_buffers)
		fail("backend got a buffer outside guest RAM or a bad range");
	if (vm->dev.armed != PV_TIMER_NEVER && fb.deadline != vm->dev.armed)
		fail("host timer differs from the armed deadline");
}

/* Guest RAM with an inaccessible page on each side. */
static void setup_once(void)
{
	uint8_t *block;

	if (fake_backend_setup(&fb, &cfg))
		abort();
	block = mmap(NULL, RAM_SIZE + 2 * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (block == MAP_FAILED)
		abort();
	if (mprotect(block, PAGE, PROT_NONE) ||
	    mprotect(block + PAGE + RAM_SIZE, PAGE, PROT_NONE))
		abort();
	ram = block + PAGE;
	cfg.board = &pv_board_virtio;
	cfg.ram[0].size = RAM_SIZE;
	cfg.ram[0].hva = pv_hva_from_ptr(ram);
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		abort();
	fb.dma_lo[0] = ram;
	fb.dma_hi[0] = ram + RAM_SIZE;
	fb.dma_lo[1] = (const uint8_t *)vm;
	fb.dma_hi[1] = (const uint8_t *)vm + sizeof(*vm);
}

static void reset_backend(void)
{
	fb.now = 1000;
	fb.deadline = PV_TIMER_NEVER;
	fb.console_len = 0;
	fb.input = console_bytes;
	fb.input_len = fb.input_pos = 0;
	fb.bad_buffers = 0;
	fb.disk_sectors = 64;
	fb.reported = 0;
	memset(fb.disk, 0, 64 * PV_BLK_SECTOR_SIZE);
	fb.blk_fail = fb.net_send_fail = fb.net_recv_fail = fb.rng_fail = false;
	fb.rx_head = fb.rx_count = fb.ntx = 0;
	fb.rng_state = 0x9e3779b9u;
}

static uint32_t reg_offset(struct fuzz_input *in, unsigned *size)
{
	uint32_t r = fuzz_take(in, 1);

	if (r < 0xa0) {
		*size = 4;
		return (r % 0x40) * 4;
	}
	if (r < 0xc0) { /* a narrow or unaligned control access */
		*size = 1u << (r % 3);
		return (r * 4 + (r & 3)) % PV_VIRTIO_CONFIG_BASE;
	}
	*size = 1u << (r % 3);
	return PV_VIRTIO_CONFIG_BASE + fuzz_take(in, 1);
}

/* Linux's probe: reset, features, queues, DRIVER_OK. */
static void bring_up(unsigned d, struct fuzz_input *in)
{
	uint32_t fsel = fuzz_take(in, 1), ncode = fuzz_take(in, 1);
	uint32_t page = fuzz_take(in, 1) % (RAM_SIZE / PAGE);
	uint64_t f = pv_virtio_features(dev(d));
	uint32_t num = ncode & 0x80 ? ncode & 0x7f : 1u << (ncode % 8);

	if (fsel & 1)
		f &= ~PV_VIRTIO_F_INDIRECT_DESC;
	if (fsel & 2)
		f &= ~PV_VIRTIO_F_VERSION_1;
	if (fsel & 4)
		f |= PV_VIRTIO_F_EVENT_IDX;
	mw(d, PV_VIRTIO_MMIO_STATUS, 4, 0);
	mw(d, PV_VIRTIO_MMIO_STATUS, 4, 3);
	mw(d, PV_VIRTIO_MMIO_DRIVER_FEATURES_SEL, 4, 1);
	mw(d, PV_VIRTIO_MMIO_DRIVER_FEATURES, 4, (uint32_t)(f >> 32));
	mw(d, PV_VIRTIO_MMIO_DRIVER_FEATURES_SEL, 4, 0);
	mw(d, PV_VIRTIO_MMIO_DRIVER_FEATURES, 4, (uint32_t)f);
	mw(d, PV_VIRTIO_MMIO_STATUS, 4, 0xb);
	for (unsigned q = 0; q < PV_VIRTIO_MAX_QUEUES; q++) {
		uint32_t at = FAKE_RAM_BASE + ((page + q) % (RAM_SIZE / PAGE)) * PAGE;
		uint32_t avail = at + 16 * (num & 0xff);
		uint32_t used = (avail + 4 + 2 * (num & 0xff) + 3) & ~3u;

		memset(ram + (at - FAKE_RAM_BASE), 0,
		       at + PAGE <= RAM_END ? PAGE : RAM_END - at);
		mw(d, PV_VIRTIO_MMIO_QUEUE_SEL, 4, q);
		mw(d, PV_VIRTIO_MMIO_QUEUE_NUM, 4, num);
		mw(d, PV_VIRTIO_MMIO_QUEUE_DESC_LOW, 4, at);
		mw(d, PV_VIRTIO_MMIO_QUEUE_DRIVER_LOW, 4, avail);
		mw(d, PV_VIRTIO_MMIO_QUEUE_DEVICE_LOW, 4, used);
		mw(d, PV_VIRTIO_MMIO_QUEUE_READY, 4, 1);
	}
	mw(d, PV_VIRTIO_MMIO_STATUS, 4, 0xf);
}

static void put_desc(unsigned d, unsigned qi, struct fuzz_input *in)
{
	const struct pv_virtq *q = &dev(d)->q[qi];
	uint32_t idx = fuzz_take(in, 1), mode = fuzz_take(in, 1);
	uint64_t addr;
	uint32_t len, flags, next;
	uint8_t *p;

	switch (mode & 3) {
	case 0: addr = FAKE_RAM_BASE + fuzz_take(in, 2); break;
	case 1: addr = RAM_END - fuzz_take(in, 1); break;
	case 2: addr = fuzz_take(in, 4); break;
	default:
		addr = fuzz_take(in, 4);
		addr |= (uint64_t)fuzz_take(in, 1) << 32;
		break;
	}
	len = mode & 4 ? fuzz_take(in, 4) : fuzz_take(in, 2);
	flags = fuzz_take(in, 1) & 7;
	next = fuzz_take(in, 1);
	if (!q->num || q->num > 0x10000)
		return;
	p = ram_at(q->desc + 16ull * (idx % q->num), 16);
	if (!p)
		return;
	pv_put_le64(p, addr);
	pv_put_le32(p + 8, len);
	pv_put_le16(p + 12, (uint16_t)flags);
	pv_put_le16(p + 14, (uint16_t)next);
}

static void publish(unsigned d, unsigned qi, bool jump, struct fuzz_input *in)
{
	const struct pv_virtq *q = &dev(d)->q[qi];
	uint32_t head = fuzz_take(in, 1), more = jump ? fuzz_take(in, 1) : 0;
	uint8_t *idx, *slot;
	uint16_t i;

	if (!q->num || q->num > 0x10000 || !(idx = ram_at(q->avail + 2, 2)))
		return;
	i = pv_le16(idx);
	slot = ram_at(q->avail + 4 + 2ull * (i % q->num), 2);
	if (slot)
		pv_put_le16(slot, (uint16_t)head);
	pv_put_le16(idx, (uint16_t)(i + 1 + more));
}

static void host_event(struct fuzz_input *in)
{
	static uint8_t frame[FAKE_FRAME_MAX];
	uint32_t sub = fuzz_take(in, 1), v;

	switch (sub % 8) {
	case 0:
		v = fuzz_take(in, 2) % FAKE_FRAME_MAX;
		for (uint32_t i = 0; i < v; i++)
			frame[i] = (uint8_t)(i * 31 + sub);
		(void)fake_net_inject(&fb, frame, v);
		break;
	case 1:
		fb.input_len = fuzz_take(in, 1) % sizeof(console_bytes);
		fb.input_pos = 0;
		break;
	case 2:
		fb.now += (uint64_t)fuzz_take(in, 2) << (fuzz_take(in, 1) % 24);
		if (fb.deadline != PV_TIMER_NEVER && fb.now >= fb.deadline) {
			pv_vm_timer_expired(vm);
			if (vm->dev.armed != PV_TIMER_NEVER && vm->dev.armed <= fb.now)
				fail("deadline in the past after expiry");
		}
		break;
	case 3:
		pv_vm_console_input(vm);
		break;
	case 4:
		fb.blk_fail = !fb.blk_fail;
		break;
	case 5:
		if (sub & 0x80)
			fb.net_recv_fail = !fb.net_recv_fail;
		else
			fb.net_send_fail = !fb.net_send_fail;
		break;
	case 6:
		fb.rng_fail = !fb.rng_fail;
		break;
	default:
		fb.disk_sectors = fuzz_take(in, 1) % 65;
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	const uint32_t gicc = PV_BOARD_PERIPH_BASE + PV_BOARD_GICC_OFFSET;
	const uint32_t gicd = PV_BOARD_PERIPH_BASE + PV_BOARD_GICD_OFFSET;

	if (!vm)
		setup_once();
	reset_backend();
	memset(ram, 0, RAM_SIZE);
	if (pv_vm_init(vm, &cfg))
		abort();
	/* Linux's GIC setup: the virtio SPIs enabled for CPU 0. */
	(void)pv_memmap_write(&vm->map, pv_gpa(gicd), 4, 1);
	(void)pv_memmap_write(&vm->map, pv_gpa(gicd + 0x104), 4, 0xfu << 16);
	(void)pv_memmap_write(&vm->map, pv_gpa(gicc), 4, 1);
	(void)pv_memmap_write(&vm->map, pv_gpa(gicc + 4), 4, 0xf0);
	check();
	for (unsigned step = 0; in.n && step < MAX_STEPS; step++) {
		uint32_t op = fuzz_take(&in, 1), off, v, len;
		unsigned d = (op >> 4) & 3, q = (op >> 6) & 1, sz;
		uint64_t val;

		switch (op % 16 % 10) {
		case 0:
			off = reg_offset(&in, &sz);
			mw(d, off, sz, fuzz_take(&in, 4));
			break;
		case 1:
			off = reg_offset(&in, &sz);
			(void)pv_memmap_read(&vm->map, pv_gpa(base(d) + off), sz, &val);
			break;
		case 2:
			off = fuzz_take(&in, 2) % RAM_SIZE;
			len = fuzz_take(&in, 1) % 32 + 1;
			for (uint32_t i = 0; i < len; i++) {
				v = fuzz_take(&in, 1);
				if (off + i < RAM_SIZE)
					ram[off + i] = (uint8_t)v;
			}
			break;
		case 3:
			bring_up(d, &in);
			break;
		case 4:
			put_desc(d, q, &in);
			break;
		case 5:
			publish(d, q, op & 0x80, &in);
			break;
		case 6:
			mw(d, PV_VIRTIO_MMIO_QUEUE_NOTIFY, 4,
			   op & 0x80 ? fuzz_take(&in, 4) : q);
			break;
		case 7:
			host_event(&in);
			break;
		case 8:
			v = mr(d, PV_VIRTIO_MMIO_INTERRUPT_STATUS);
			mw(d, PV_VIRTIO_MMIO_INTERRUPT_ACK, 4, v);
			break;
		default:
			(void)pv_memmap_read(&vm->map, pv_gpa(gicc + 0x0c), 4, &val);
			(void)pv_memmap_write(&vm->map, pv_gpa(gicc + 0x10), 4, val);
			break;
		}
		check();
	}
	return 0;
}
