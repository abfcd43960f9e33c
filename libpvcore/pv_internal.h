/* SPDX-License-Identifier: MIT */
/*
 * Internal helpers shared by the core's components. Not installed.
 *
 * The core is freestanding: it uses these instead of libc so that it links
 * into a bare-metal host unchanged. The compiler may still emit calls to
 * memcpy/memset for struct copies; freestanding backends provide those.
 */
#ifndef PV_INTERNAL_H
#define PV_INTERNAL_H

#include <pvcore/types.h>

void *pv_memcpy(void *dst, const void *src, size_t n);
void *pv_memset(void *dst, int c, size_t n);
int pv_memcmp(const void *a, const void *b, size_t n);

#define PV_BIT(n) (1u << (n))
/* Bits [hi:lo] of x, as in the Arm ARM's x<hi:lo>. */
#define PV_BITS(x, hi, lo) (((uint32_t)(x) >> (lo)) & ((2u << ((hi) - (lo))) - 1u))

static inline uint32_t pv_ror32(uint32_t x, unsigned n)
{
	n &= 31;
	return n ? (x >> n) | (x << (32 - n)) : x;
}

#endif /* PV_INTERNAL_H */
