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

/* Whether [a, a + alen) and [b, b + blen) share a byte (64-bit: no wrap). */
static inline bool pv_ranges_overlap(uint64_t a, uint64_t alen, uint64_t b,
				     uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * Clear a small struct with word stores the compiler unrolls: the structs
 * every trap clears (a decoded instruction, a walk result) must not cost
 * a call to a byte loop. @n is a constant multiple of 4, @p 4-aligned.
 */
typedef uint32_t __attribute__((may_alias)) pv_word_alias_t;

static inline void pv_zero_small(void *p, size_t n)
{
	pv_word_alias_t *w = p;

	for (size_t i = 0; i < n / 4; i++)
		w[i] = 0;
}

#define PV_ZERO_STRUCT(ptr)                                                   \
	do {                                                                  \
		_Static_assert(sizeof(*(ptr)) % 4 == 0 &&                     \
				       sizeof(*(ptr)) <= 64,                  \
			       "pv_zero_small: a small word-sized struct");   \
		pv_zero_small((ptr), sizeof(*(ptr)));                         \
	} while (0)

#define PV_BIT(n) (1u << (n))
/* Bits [hi:lo] of x, as in the Arm ARM's x<hi:lo>. */
#define PV_BITS(x, hi, lo) (((uint32_t)(x) >> (lo)) & ((2u << ((hi) - (lo))) - 1u))

static inline uint32_t pv_ror32(uint32_t x, unsigned n)
{
	n &= 31;
	return n ? (x >> n) | (x << (32 - n)) : x;
}

/*
 * What a @size-byte read at byte @offset returns from a 32-bit device
 * register holding @reg: the addressed lane (a 4-byte read, all of it).
 */
static inline uint32_t pv_mmio_lane(uint32_t reg, uint32_t offset,
				    unsigned size)
{
	if (size >= 4)
		return reg;
	return (reg >> (8 * (offset & 3))) & ((1u << (8 * size)) - 1u);
}

/*
 * Binary search over @n records of @stride bytes, sorted by the uint32_t
 * at byte @key_off of each (use offsetof). Returns the index of the first
 * record whose key is >= @key, or > @key if @after; @n if there is none.
 */
static inline size_t pv_bsearch_u32(const void *base, size_t n, size_t stride,
				    size_t key_off, uint32_t key, bool after)
{
	const char *keys = (const char *)base + key_off;
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const void *rec = keys + mid * stride;
		uint32_t k = *(const uint32_t *)rec;

		if (k < key || (after && k == key))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#endif /* PV_INTERNAL_H */
