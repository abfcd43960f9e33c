/* SPDX-License-Identifier: MIT */
/**
 * DOC: the Cortex-A9 Snoop Control Unit, as far as software looks at it
 *
 * Linux reads the configuration register for the core count and writes
 * the control and CPU power status registers; U-Boot and bare-metal
 * guests use Invalidate All. There are no caches to keep coherent here, so
 * the registers only hold their values. Frame at periphbase + 0x00.
 */
#ifndef PVCORE_SCU_H
#define PVCORE_SCU_H

#include <pvcore/types.h>

#define PV_SCU_SIZE 0x100u

/**
 * struct pv_scu - SCU registers
 * @ctrl: Control (bit 0 SCU enable, plus the A9's option bits [6:1])
 * @power: CPU Power Status, two bits per CPU
 * @filter_start, @filter_end: address filtering (reset: the whole space
 *                             above 1 MiB is filtered to port 0)
 * @sac, @snsac: access control registers
 * @ncpus: CPUs reported in the configuration register
 */
struct pv_scu {
	uint32_t ctrl, power, filter_start, filter_end, sac, snsac;
	unsigned ncpus;
};

/** pv_scu_init() - reset the SCU for @ncpus (1..4) CPUs. */
void pv_scu_init(struct pv_scu *scu, unsigned ncpus);

/**
 * pv_scu_read() - read an SCU register (word; the power status register
 * also byte-wide). Reserved offsets read as zero.
 * Return: 0.
 */
int pv_scu_read(struct pv_scu *scu, uint32_t offset, unsigned size,
		uint32_t *val);

/** pv_scu_write() - write an SCU register. Return: 0. */
int pv_scu_write(struct pv_scu *scu, uint32_t offset, unsigned size,
		 uint32_t val);

#endif /* PVCORE_SCU_H */
