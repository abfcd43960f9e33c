/* SPDX-License-Identifier: MIT */
/*
 * The oracle comparer's shared pieces: the VM on the fake backend, the
 * QEMU runner, and the options both comparers (instructions in compare.c,
 * guest walks in compare_walk.c) read.
 */
#ifndef ORACLE_COMPARE_H
#define ORACLE_COMPARE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pvcore/pvcore.h>

#include "core.h"

extern struct pv_vm vm;
extern bool inject;    /* --inject-fault: corrupt the host result */
extern uint32_t feat;  /* --features */

void put_mem(uint32_t addr, uint32_t v);
/* Run the harness on cases [start, start + count); its semihosting
 * output as a stream (NULL if QEMU cannot be started). */
FILE *run_qemu(uint32_t seed, uint32_t start, uint32_t count, bool dump);

/* Guest walk mode (compare_walk.c). */
struct walk_options {
	uint32_t seed, start, cases, chunk;
	unsigned long max_report;
	bool strict; /* report the known QEMU deviations as mismatches */
};
/* Compare the walk cases; returns the mismatches, or -1 if the harness
 * stopped early. */
long walk_compare(const struct walk_options *o);
/* Print walk case @idx, natively (if QEMU runs) and through pvcore. */
void walk_show(const struct walk_options *o, uint32_t idx);

#endif /* ORACLE_COMPARE_H */
