/* SPDX-License-Identifier: MIT */
/*
 * The marker of tools/insncount (a QEMU plugin that counts guest
 * instructions): `orr ip, ip, ip`, a no-op in A32 no compiler emits. The
 * plugin prints its counts each time a CPU executes it, so two markers
 * bracket the work to measure, natively and under pvbm alike. Build the
 * program with -marm: the plugin matches the A32 encoding only.
 */
#ifndef INSNCOUNT_MARK_H
#define INSNCOUNT_MARK_H

#define INSNCOUNT_MARK() __asm__ volatile("orr ip, ip, ip" ::: "memory")

#endif
