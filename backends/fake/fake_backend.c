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

static void f_cache_clean(void *ctx, pv_hva_t va, size_t len)
{
	(void)va;
	(void)len;
	fb_of(ctx)->cache_clean++;
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
};

int fake_backend_setup(struct fake_backend *fb, struct pv_vm_config *cfg)
{
	memset(fb, 0, sizeof(*fb));
	memset(cfg, 0, sizeof(*cfg));
	fb->ram = aligned_alloc(1u << 20, FAKE_RAM_SIZE);
	fb->pool = aligned_alloc(16384, FAKE_POOL_SIZE);
	if (!fb->ram || !fb->pool) {
		fake_backend_teardown(fb);
		return -1;
	}
	memset(fb->ram, 0, FAKE_RAM_SIZE);
	memset(fb->pool, 0, FAKE_POOL_SIZE);
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
	fb->ram = fb->pool = NULL;
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
