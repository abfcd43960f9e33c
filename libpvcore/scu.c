/* SPDX-License-Identifier: MIT */
/* The Cortex-A9 SCU registers (Cortex-A9 MPCore TRM, 2.2). */
#include "scu.h"

#include "pv_internal.h"

void pv_scu_init(struct pv_scu *scu, unsigned ncpus)
{
	pv_memset(scu, 0, sizeof(*scu));
	scu->ncpus = ncpus ? (ncpus > 4 ? 4 : ncpus) : 1;
	scu->filter_start = 0x00100000u;
	scu->filter_end = 0xffe00000u;
}

static uint32_t config(const struct pv_scu *scu)
{
	uint32_t cpus = (1u << scu->ncpus) - 1;

	/* [1:0] CPUs - 1, [7:4] CPUs in SMP mode, [15:8] 32 KiB tag RAMs. */
	return (scu->ncpus - 1) | cpus << 4 | (0x55u & ((1u << (2 * scu->ncpus)) - 1)) << 8;
}

int pv_scu_read(struct pv_scu *scu, uint32_t offset, unsigned size,
		uint32_t *val)
{
	uint32_t v = 0;

	switch (offset & ~3u) {
	case 0x00: v = scu->ctrl; break;
	case 0x04: v = config(scu); break;
	case 0x08: v = scu->power; break;
	case 0x40: v = scu->filter_start; break;
	case 0x44: v = scu->filter_end; break;
	case 0x50: v = scu->sac; break;
	case 0x54: v = scu->snsac; break;
	default: break; /* 0x0c Invalidate All is write-only */
	}
	*val = pv_mmio_lane(v, offset, size);
	return 0;
}

int pv_scu_write(struct pv_scu *scu, uint32_t offset, unsigned size,
		 uint32_t val)
{
	uint32_t cpumask = (1u << scu->ncpus) - 1;

	/* Linux writes its own power status byte with a byte store. */
	if (size == 1 && (offset & ~3u) == 0x08) {
		unsigned sh = 8 * (offset & 3);

		if ((offset & 3) < scu->ncpus)
			scu->power = (scu->power & ~(0x3u << sh)) | (val & 3u) << sh;
		return 0;
	}
	if (size != 4)
		return 0;
	switch (offset) {
	case 0x00: scu->ctrl = val & 0x7fu; break;
	case 0x08:
		scu->power = val & (scu->ncpus >= 4 ? 0x03030303u :
				    0x03030303u & ((1u << (8 * scu->ncpus)) - 1));
		break;
	case 0x0c: break; /* Invalidate All: no tag RAMs to invalidate */
	case 0x40: scu->filter_start = val & 0xfff00000u; break;
	case 0x44: scu->filter_end = val & 0xfff00000u; break;
	case 0x50: scu->sac = val & cpumask; break;
	case 0x54: scu->snsac = val & 0xfffu; break;
	default: break;
	}
	return 0;
}
