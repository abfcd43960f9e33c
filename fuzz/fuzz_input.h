/* SPDX-License-Identifier: MIT */
/*
 * Consuming a libFuzzer input as a stream of little-endian fields. Past the
 * end every field reads as zero, so any input length is a valid program.
 */
#ifndef PV_FUZZ_INPUT_H
#define PV_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct fuzz_input {
	const uint8_t *p;
	size_t n;
};

/* The next @bytes (1..4) bytes as a little-endian number. */
static inline uint32_t fuzz_take(struct fuzz_input *in, unsigned bytes)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		v |= (uint32_t)(in->n ? *in->p : 0) << (8 * i);
		if (in->n) {
			in->p++;
			in->n--;
		}
	}
	return v;
}

#endif /* PV_FUZZ_INPUT_H */
