// SPDX-License-Identifier: MIT
/*
 * Entropy for the guest's virtio-rng: a ChaCha20 keystream (RFC 8439's
 * block function) keyed by a seed the runner puts into host RAM before
 * the CPU starts (QEMU: -device loader,file=SEED,addr=<seed_pa>,
 * force-raw=on; tools/pvrun does it with 32 bytes of the host's
 * /dev/urandom behind the magic "PVSEED01").
 *
 * QEMU's sabrelite models no hardware random number generator, and a real
 * i.MX6Q's (the CAAM's RNG4) needs a driver pvbm does not have; so the
 * quality of the guest's entropy is the runner's seed. Without one the
 * key comes from the global timer, which under -icount is deterministic:
 * pvbm says so, and the guest still boots (Linux then just waits less
 * well-founded for its CRNG).
 *
 * The seed page is wiped once read, so that nothing later in the run
 * (a report, a dump) can show the key.
 */
#include "bm.h"
#include "vmm.h"

#define SEED_MAGIC0 0x45535650u /* "PVSE" */
#define SEED_MAGIC1 0x31304445u /* "ED01" */

static uint32_t key[8];
static uint64_t block_counter;
static uint8_t stream[64];
static unsigned stream_left;
static bool keyed;

static inline uint32_t rotl(uint32_t v, unsigned n)
{
	return v << n | v >> (32 - n);
}

#define QUARTER(a, b, c, d)                                   \
	do {                                                  \
		a += b; d = rotl(d ^ a, 16);                  \
		c += d; b = rotl(b ^ c, 12);                  \
		a += b; d = rotl(d ^ a, 8);                   \
		c += d; b = rotl(b ^ c, 7);                   \
	} while (0)

/* One 64-byte block for the current key and counter (nonce 0). */
static void chacha20_block(uint8_t out[64])
{
	uint32_t in[16] = {
		0x61707865u, 0x3320646eu, 0x79622d32u, 0x6b206574u,
		key[0], key[1], key[2], key[3], key[4], key[5], key[6], key[7],
		(uint32_t)block_counter, (uint32_t)(block_counter >> 32), 0, 0,
	};
	uint32_t x[16];
	unsigned i;

	for (i = 0; i < 16; i++)
		x[i] = in[i];
	for (i = 0; i < 10; i++) {
		QUARTER(x[0], x[4], x[8], x[12]);
		QUARTER(x[1], x[5], x[9], x[13]);
		QUARTER(x[2], x[6], x[10], x[14]);
		QUARTER(x[3], x[7], x[11], x[15]);
		QUARTER(x[0], x[5], x[10], x[15]);
		QUARTER(x[1], x[6], x[11], x[12]);
		QUARTER(x[2], x[7], x[8], x[13]);
		QUARTER(x[3], x[4], x[9], x[14]);
	}
	for (i = 0; i < 16; i++) {
		uint32_t v = x[i] + in[i];

		out[4 * i] = (uint8_t)v;
		out[4 * i + 1] = (uint8_t)(v >> 8);
		out[4 * i + 2] = (uint8_t)(v >> 16);
		out[4 * i + 3] = (uint8_t)(v >> 24);
	}
	block_counter++;
}

static void entropy_key(void)
{
	volatile uint32_t *seed = (volatile uint32_t *)pvbm_platform.seed_pa;
	unsigned i;

	if (seed[0] == SEED_MAGIC0 && seed[1] == SEED_MAGIC1) {
		for (i = 0; i < 8; i++)
			key[i] = seed[2 + i];
		for (i = 0; i < 10; i++)
			seed[i] = 0;
		pvbm_log("entropy: keyed from the runner's seed");
	} else {
		uint64_t t = pvbm_now_ns();

		for (i = 0; i < 8; i++)
			key[i] = (uint32_t)(t >> (i & 1 ? 32 : 0)) ^
				 (0x9e3779b9u * (i + 1));
		pvbm_log("entropy: warning: no seed from the runner; keyed "
			 "from the timer (predictable)");
	}
	keyed = true;
}

int pvbm_entropy_fill(uint8_t *buf, size_t len)
{
	if (!keyed)
		entropy_key();
	while (len) {
		size_t n;

		if (!stream_left) {
			chacha20_block(stream);
			stream_left = sizeof(stream);
		}
		n = len < stream_left ? len : stream_left;
		for (size_t i = 0; i < n; i++) {
			*buf++ = stream[sizeof(stream) - stream_left];
			/* Bytes handed out are never handed out again. */
			stream[sizeof(stream) - stream_left] = 0;
			stream_left--;
		}
		len -= n;
	}
	return 0;
}
