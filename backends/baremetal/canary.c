// SPDX-License-Identifier: MIT
/*
 * Host canaries: evidence that the guest changed no host memory outside
 * its RAM. At boot pvbm fills one page of host RAM right outside each
 * region the VM may reach (below and above the shadow pool and the guest
 * RAM backing) and the VMM window's last page, which nothing uses, with a
 * pattern of their own addresses, and takes a checksum of its read-only
 * image (text, rodata and the embedded guest). Every stop of the run
 * checks them again (report.c): a shadow mapping, an emulated access or a
 * device model that wrote where it must not shows up there, whatever else
 * the run reported. The pages come from the platform descriptor's layout.
 */
#include "bm.h"
#include "vmm.h"

#define P (&pvbm_platform)
#define PAGE 4096u
#define PATTERN 0xca4a4e57u

extern const char pvbm_image_start[], pvbm_image_end[];
extern const char pvbm_window_start[], pvbm_window_end[];
extern const uint8_t pvbm_guest_end[];

struct canary {
	const char *what;
	uint32_t pa;
};

#define NPAGES 5u
static struct canary pages[NPAGES];
static unsigned npages;
static uint32_t image_sum;

/*
 * FNV-1a over the words from the image start to the end of the guest blob
 * (whole words only: .data may start in the blob's last word); any single
 * changed word changes the sum.
 */
static uint32_t image_checksum(void)
{
	const volatile uint32_t *w = (const volatile uint32_t *)pvbm_image_start;
	const volatile uint32_t *end = (const volatile uint32_t *)
		((uintptr_t)pvbm_guest_end & ~(uintptr_t)3);
	uint32_t h = 0x811c9dc5u;

	while (w < end)
		h = (h ^ *w++) * 0x01000193u;
	return h;
}

/* Host RAM outside pvbm's own image only. */
static bool usable(uint32_t pa)
{
	return pa >= P->ram_base && pa + PAGE <= P->ram_end &&
	       (pa >= (uintptr_t)pvbm_image_end || pa + PAGE <= P->image_pa);
}

static void add(const char *what, uint32_t pa)
{
	volatile uint32_t *p = (volatile uint32_t *)pa;

	pages[npages].what = what;
	pages[npages++].pa = pa;
	for (unsigned i = 0; i < PAGE / 4; i++)
		p[i] = (pa + 4 * i) ^ PATTERN;
}

int pvbm_canary_init(void)
{
	uint32_t win_used = (uint32_t)(pvbm_window_end - pvbm_window_start);
	static const char *const what[NPAGES] = {
		"below the shadow pool", "above the shadow pool",
		"below the guest RAM backing", "above the guest RAM backing",
		"in the VMM window's last page",
	};
	const uint32_t pa[NPAGES] = {
		P->pool_pa - PAGE, P->pool_pa + P->pool_size,
		P->guest_pa - PAGE, P->guest_pa + P->guest_size,
		P->window_pa + P->window_size - PAGE,
	};

	if (win_used > P->window_size - PAGE)
		return PV_ERANGE;
	for (unsigned c = 0; c < NPAGES; c++)
		if (!usable(pa[c]))
			return PV_ERANGE;
	for (unsigned c = 0; c < NPAGES; c++)
		add(what[c], pa[c]);
	image_sum = image_checksum();
	return 0;
}

int pvbm_canary_check(void)
{
	uint32_t sum;

	if (!npages)
		return 0;
	for (unsigned c = 0; c < npages; c++) {
		const volatile uint32_t *p = (const volatile uint32_t *)pages[c].pa;

		for (unsigned i = 0; i < PAGE / 4; i++) {
			uint32_t want = (pages[c].pa + 4 * i) ^ PATTERN;

			if (p[i] == want)
				continue;
			pvbm_puts("pvbm: FATAL: canary ");
			pvbm_puts(pages[c].what);
			pvbm_puts(" changed at ");
			pvbm_put_hex(pages[c].pa + 4 * i);
			pvbm_puts(": ");
			pvbm_put_hex(p[i]);
			pvbm_puts(" instead of ");
			pvbm_put_hex(want);
			pvbm_puts("\n");
			return -1;
		}
	}
	sum = image_checksum();
	if (sum != image_sum) {
		pvbm_puts("pvbm: FATAL: canary checksum of pvbm's text and "
			  "rodata changed: ");
		pvbm_put_hex(sum);
		pvbm_puts(" instead of ");
		pvbm_put_hex(image_sum);
		pvbm_puts("\n");
		return -1;
	}
	pvbm_log("canaries intact");
	return 1;
}
