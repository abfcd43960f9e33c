/* SPDX-License-Identifier: MIT */
/*
 * The fake backend: a complete &struct pv_backend_ops on ordinary host
 * memory, for unit tests and fuzzers. It records what the core asked of it
 * (TLB maintenance, timer deadlines, console bytes) so tests can assert on
 * the contract, and lets tests drive time and console input.
 */
#ifndef PV_FAKE_BACKEND_H
#define PV_FAKE_BACKEND_H

#include <pvcore/pvcore.h>

#define FAKE_RAM_BASE PV_BOARD_RAM_BASE
#define FAKE_RAM_SIZE (16u << 20)
#define FAKE_POOL_SIZE (1u << 20)
#define FAKE_CONSOLE_MAX 4096

struct fake_backend {
	/* Memory handed to the core. */
	uint8_t *ram;      /* FAKE_RAM_SIZE bytes, guest-physical FAKE_RAM_BASE */
	uint8_t *pool;     /* FAKE_POOL_SIZE bytes, 16 KiB aligned */
	uint32_t window_l1[1];
	/* Pretend host-physical bases of the above. */
	uint64_t ram_hpa, pool_hpa;
	/* Recorded calls. */
	unsigned tlb_all, tlb_asid, tlb_va, cache_clean, icache_inval;
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

/** fake_backend_ram() - host pointer to guest-physical @gpa (in fake RAM). */
void *fake_backend_ram(struct fake_backend *fb, uint32_t gpa);

#endif /* PV_FAKE_BACKEND_H */
