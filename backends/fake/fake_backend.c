/* SPDX-License-Identifier: MIT */
#include "fake_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct fake_backend *fb_of(void *ctx) { return ctx; }

static void f_tlb_all(void *ctx) { fb_of(ctx)->tlb_all++; }

static void f_tlb_asid(void *ctx, uint8_t asid)
{
	fb_of(ctx)->tlb_asid++;
	fb_of(ctx)->last_asid = asid;
}

static void f_tlb_va(void *ctx, pv_gva_t va, uint8_t asid)
{
	fb_of(ctx)->tlb_va++;
	fb_of(ctx)->last_va = pv_gva_val(va);
	fb_of(ctx)->last_asid = asid;
}

/* The cleaned bytes inside the pool reach the walker's copy; no more. */
static void copy_to_walker(struct fake_backend *fb, const uint8_t *p, size_t len)
{
	uintptr_t lo = (uintptr_t)p, hi = lo + len;
	uintptr_t plo = (uintptr_t)fb->pool, phi = plo + FAKE_POOL_SIZE;

	if (lo < plo)
		lo = plo;
	if (hi > phi)
		hi = phi;
	if (lo < hi)
		memcpy(fb->walker + (lo - plo), (const void *)lo, hi - lo);
}

static void f_cache_clean(void *ctx, pv_hva_t va, size_t len)
{
	struct fake_backend *fb = fb_of(ctx);

	fb->cache_clean++;
	copy_to_walker(fb, pv_hva_ptr(va), len);
	if (fb->on_clean)
		fb->on_clean(fb->on_clean_arg, pv_hva_ptr(va), len);
}

static void f_icache(void *ctx) { fb_of(ctx)->icache_inval++; }
static uint64_t f_now(void *ctx) { return fb_of(ctx)->now; }

static void f_timer_set(void *ctx, uint64_t deadline)
{
	fb_of(ctx)->deadline = deadline;
	fb_of(ctx)->timer_sets++;
}

static void f_console_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct fake_backend *fb = fb_of(ctx);

	for (size_t i = 0; i < len && fb->console_len < FAKE_CONSOLE_MAX; i++)
		fb->console[fb->console_len++] = buf[i];
}

static int f_console_read(void *ctx)
{
	struct fake_backend *fb = fb_of(ctx);

	if (fb->input_pos >= fb->input_len)
		return -1;
	return fb->input[fb->input_pos++];
}

static int f_irq_route(void *ctx, unsigned irq, bool enable)
{
	if (irq >= 1024)
		return PV_ERANGE;
	fb_of(ctx)->irq_enabled[irq] = enable;
	return 0;
}

static void f_log(void *ctx, const char *line)
{
	fb_of(ctx)->log_lines++;
	if (getenv("PV_FAKE_LOG"))
		fprintf(stderr, "%s\n", line);
}

/* Is [p, p + len) in one of the ranges the core may hand out? */
static void check_buf(struct fake_backend *fb, const uint8_t *p, size_t len)
{
	for (unsigned i = 0; i < 2; i++)
		if (fb->dma_lo[i] && p >= fb->dma_lo[i] && p <= fb->dma_hi[i] &&
		    len <= (size_t)(fb->dma_hi[i] - p))
			return;
	fb->bad_buffers++;
}

static bool range_ok(uint64_t size, uint64_t sector, uint32_t count)
{
	return count && sector <= size && count <= size - sector;
}

/*
 * 0 for a range on the medium. The core must never ask beyond the
 * capacity it was told (a bad buffer); a medium that shrank since answers
 * PV_ERANGE, as the contract says.
 */
static int disk_range(struct fake_backend *fb, unsigned unit, uint64_t sector,
		      uint32_t count)
{
	if (unit != 0 || !range_ok(fb->reported, sector, count)) {
		fb->bad_buffers++;
		return PV_ERANGE;
	}
	return range_ok(fb->disk_sectors, sector, count) ? 0 : PV_ERANGE;
}

static int f_blk_read(void *ctx, unsigned unit, uint64_t sector, uint8_t *buf,
		      uint32_t count)
{
	struct fake_backend *fb = fb_of(ctx);

	fb->blk_reads++;
	check_buf(fb, buf, (size_t)count * PV_BLK_SECTOR_SIZE);
	if (disk_range(fb, unit, sector, count))
		return PV_ERANGE;
	if (fb->blk_fail)
		return PV_EBACKEND;
	memcpy(buf, fb->disk + sector * PV_BLK_SECTOR_SIZE,
	       (size_t)count * PV_BLK_SECTOR_SIZE);
	fb->sectors_read += count;
	return 0;
}

static int f_blk_write(void *ctx, unsigned unit, uint64_t sector,
		       const uint8_t *buf, uint32_t count)
{
	struct fake_backend *fb = fb_of(ctx);

	fb->blk_writes++;
	check_buf(fb, buf, (size_t)count * PV_BLK_SECTOR_SIZE);
	if (disk_range(fb, unit, sector, count))
		return PV_ERANGE;
	if (fb->blk_fail)
		return PV_EBACKEND;
	memcpy(fb->disk + sector * PV_BLK_SECTOR_SIZE, buf,
	       (size_t)count * PV_BLK_SECTOR_SIZE);
	fb->sectors_written += count;
	fb->writes_since_flush++;
	return 0;
}

static int f_blk_flush(void *ctx, unsigned unit)
{
	struct fake_backend *fb = fb_of(ctx);

	fb->blk_flushes++;
	if (unit != 0 || fb->blk_fail)
		return PV_EBACKEND;
	fb->writes_since_flush = 0;
	return 0;
}

static uint64_t f_blk_capacity(void *ctx, unsigned unit)
{
	struct fake_backend *fb = fb_of(ctx);

	fb->blk_capacity_calls++;
	fb->reported = unit == 0 ? fb->disk_sectors : 0;
	return fb->reported;
}

static int f_net_send(void *ctx, const uint8_t *frame, size_t len)
{
	struct fake_backend *fb = fb_of(ctx);

	check_buf(fb, frame, len);
	if (len < 14 || len > PV_NET_FRAME_MAX)
		fb->bad_buffers++; /* the core promised 14..PV_NET_FRAME_MAX */
	if (fb->net_send_fail)
		return PV_EBACKEND;
	if (fb->ntx == FAKE_NET_FRAMES || len > FAKE_FRAME_MAX) {
		fb->tx_lost++;
		return PV_ENOMEM;
	}
	fb->tx[fb->ntx].len = len;
	memcpy(fb->tx[fb->ntx].data, frame, len);
	fb->ntx++;
	return 0;
}

static int f_net_recv(void *ctx, uint8_t *buf, size_t cap)
{
	struct fake_backend *fb = fb_of(ctx);

	check_buf(fb, buf, cap);
	if (fb->net_recv_fail)
		return PV_EBACKEND;
	while (fb->rx_count) {
		const struct fake_frame *f = &fb->rx[fb->rx_head];

		fb->rx_head = (fb->rx_head + 1) % FAKE_NET_FRAMES;
		fb->rx_count--;
		if (f->len > cap) {
			fb->rx_too_long++; /* dropped, never truncated */
			continue;
		}
		memcpy(buf, f->data, f->len);
		return (int)f->len;
	}
	return 0;
}

static void f_net_mac(void *ctx, uint8_t mac[6])
{
	memcpy(mac, fb_of(ctx)->mac, 6);
}

uint8_t fake_rng_next(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return (uint8_t)x;
}

static int f_rng_fill(void *ctx, uint8_t *buf, size_t len)
{
	struct fake_backend *fb = fb_of(ctx);

	check_buf(fb, buf, len);
	if (fb->rng_fail)
		return PV_EBACKEND;
	for (size_t i = 0; i < len; i++)
		buf[i] = fake_rng_next(&fb->rng_state);
	fb->rng_bytes += len;
	return 0;
}

int fake_net_inject(struct fake_backend *fb, const void *frame, size_t len)
{
	struct fake_frame *f;

	if (fb->rx_count == FAKE_NET_FRAMES || len > FAKE_FRAME_MAX)
		return -1;
	f = &fb->rx[(fb->rx_head + fb->rx_count) % FAKE_NET_FRAMES];
	f->len = len;
	memcpy(f->data, frame, len);
	fb->rx_count++;
	return 0;
}

static void f_kick(void *ctx, unsigned vcpu)
{
	struct fake_backend *fb = fb_of(ctx);

	if (vcpu < PV_MAX_VCPUS)
		fb->kicks[vcpu]++;
	else
		fb->bad_kicks++;
}

const struct pv_backend_ops fake_backend_ops = {
	.tlb_inval_all = f_tlb_all,
	.tlb_inval_asid = f_tlb_asid,
	.tlb_inval_va = f_tlb_va,
	.cache_clean_range = f_cache_clean,
	.icache_inval_all = f_icache,
	.now_ns = f_now,
	.timer_set = f_timer_set,
	.console_write = f_console_write,
	.console_read = f_console_read,
	.irq_route = f_irq_route,
	.log = f_log,
	.kick = f_kick,
	.blk_read = f_blk_read,
	.blk_write = f_blk_write,
	.blk_flush = f_blk_flush,
	.blk_capacity = f_blk_capacity,
	.net_send = f_net_send,
	.net_recv = f_net_recv,
	.net_mac = f_net_mac,
	.rng_fill = f_rng_fill,
};

int fake_backend_setup(struct fake_backend *fb, struct pv_vm_config *cfg)
{
	memset(fb, 0, sizeof(*fb));
	memset(cfg, 0, sizeof(*cfg));
	fb->ram = aligned_alloc(1u << 20, FAKE_RAM_SIZE);
	fb->pool = aligned_alloc(16384, FAKE_POOL_SIZE);
	fb->walker = calloc(1, FAKE_POOL_SIZE);
	fb->disk = calloc(FAKE_DISK_SECTORS, PV_BLK_SECTOR_SIZE);
	if (!fb->ram || !fb->pool || !fb->walker || !fb->disk) {
		fake_backend_teardown(fb);
		return -1;
	}
	memset(fb->ram, 0, FAKE_RAM_SIZE);
	memset(fb->pool, 0, FAKE_POOL_SIZE);
	fb->dma_lo[0] = fb->ram;
	fb->dma_hi[0] = fb->ram + FAKE_RAM_SIZE;
	fb->disk_sectors = FAKE_DISK_SECTORS;
	memcpy(fb->mac, (const uint8_t[6]){ 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
	       6);
	fb->rng_state = 0x9e3779b9u;
	/* Pretend physical layout, distinct from guest-physical on purpose. */
	fb->ram_hpa = 0x40000000u;
	fb->pool_hpa = 0x3f000000u;
	/* A PL1-only section (AP=01) for the window, as a backend would. */
	fb->window_l1[0] = 0x3f800000u | (1u << 10) | 0x2u;
	fb->deadline = PV_TIMER_NEVER;

	cfg->ops = &fake_backend_ops;
	cfg->ctx = fb;
	cfg->ram[0].gpa = pv_gpa(FAKE_RAM_BASE);
	cfg->ram[0].size = FAKE_RAM_SIZE;
	cfg->ram[0].hva = pv_hva_from_ptr(fb->ram);
	cfg->ram[0].hpa = pv_hpa(fb->ram_hpa);
	cfg->ram_count = 1;
	cfg->shadow_pool.hva = pv_hva_from_ptr(fb->pool);
	cfg->shadow_pool.hpa = pv_hpa(fb->pool_hpa);
	cfg->shadow_pool.size = FAKE_POOL_SIZE;
	cfg->window_base = PV_DEFAULT_WINDOW_BASE;
	cfg->window_size = PV_DEFAULT_WINDOW_SIZE;
	cfg->window_l1 = fb->window_l1;
	cfg->num_vcpus = 1;
	return 0;
}

void fake_backend_teardown(struct fake_backend *fb)
{
	free(fb->ram);
	free(fb->pool);
	free(fb->walker);
	free(fb->disk);
	fb->ram = fb->pool = fb->walker = fb->disk = NULL;
}

static long first_difference(const uint8_t *a, const uint8_t *b, uint32_t off,
			     uint32_t len)
{
	if (!memcmp(a + off, b + off, len))
		return -1;
	while (a[off] == b[off])
		off++;
	return off;
}

long fake_backend_walker_stale(const struct fake_backend *fb,
			       const struct pv_vm *vm)
{
	struct pv_shadow_layout lay;
	long at;

	if (pv_vm_shadow_layout(vm, &lay) ||
	    lay.roots_off + lay.roots_size > FAKE_POOL_SIZE ||
	    lay.l2_off + lay.l2_size > FAKE_POOL_SIZE)
		return 0; /* no layout to compare under: report the start */
	at = first_difference(fb->pool, fb->walker, lay.roots_off, lay.roots_size);
	if (at < 0)
		at = first_difference(fb->pool, fb->walker, lay.l2_off, lay.l2_size);
	return at;
}

void *fake_backend_ram(struct fake_backend *fb, uint32_t gpa)
{
	if (gpa < FAKE_RAM_BASE || gpa - FAKE_RAM_BASE >= FAKE_RAM_SIZE)
		return NULL;
	return fb->ram + (gpa - FAKE_RAM_BASE);
}

const struct pv_board *fake_backend_wide_board(void)
{
	static struct pv_board_device devices[8];
	static struct pv_board board;

	if (board.devices)
		return &board;
	board = pv_board_default;
	board.ram_size = 0x20000000u;
	if (board.ndevices > sizeof(devices) / sizeof(devices[0]))
		abort();
	memcpy(devices, board.devices, board.ndevices * sizeof(devices[0]));
	for (unsigned i = 0; i < board.ndevices; i++)
		if (devices[i].type == PV_DEV_PL011)
			devices[i].base = 0x3c000000u;
	board.devices = devices;
	if (pv_board_check(&board))
		abort();
	return &board;
}
