/* SPDX-License-Identifier: MIT */
/* The three memory primitives the freestanding core needs. */
#include "pv_internal.h"

/* Word accesses through this type may alias anything. */
typedef uint32_t __attribute__((may_alias)) word_t;

/*
 * Word at a time when both sides are aligned: every trap clears a decoded
 * instruction and a walk result, and a byte loop costs ~3 instructions a
 * byte on the Cortex-A9.
 */
void *pv_memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (!(((uintptr_t)d | (uintptr_t)s) & 3u))
		for (; n >= 4; n -= 4, d += 4, s += 4)
			*(word_t *)(void *)d = *(const word_t *)(const void *)s;
	while (n--)
		*d++ = *s++;
	return dst;
}

void *pv_memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	word_t w = (uint8_t)c * 0x01010101u;

	if (!((uintptr_t)d & 3u)) {
		/* Four words a turn: a new 1 KiB shadow L2 table is cleared on
		 * every fill that needs one. */
		for (; n >= 16; n -= 16, d += 16) {
			((word_t *)(void *)d)[0] = w;
			((word_t *)(void *)d)[1] = w;
			((word_t *)(void *)d)[2] = w;
			((word_t *)(void *)d)[3] = w;
		}
		for (; n >= 4; n -= 4, d += 4)
			*(word_t *)(void *)d = w;
	}
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int pv_memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}
