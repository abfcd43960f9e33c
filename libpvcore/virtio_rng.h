/* SPDX-License-Identifier: MIT */
/**
 * DOC: the virtio entropy device (device ID 4)
 *
 * One request queue, no features, no configuration. Each request's
 * writable buffers are filled by the backend's rng_fill, straight in
 * guest RAM, and complete with their whole length. A chain with readable
 * buffers, or a failing rng_fill, completes with used length 0 (counted
 * as an error).
 */
#ifndef PVCORE_VIRTIO_RNG_H
#define PVCORE_VIRTIO_RNG_H

#include "virtio_mmio.h"

#define PV_VIRTIO_ID_RNG 4u

/**
 * struct pv_virtio_rng - the entropy device
 * @vdev: the transport (first member)
 * @bytes: bytes of entropy delivered
 */
struct pv_virtio_rng {
	struct pv_virtio vdev;
	uint64_t bytes;
};

/** pv_virtio_rng_init() - reset the entropy device and connect it */
void pv_virtio_rng_init(struct pv_virtio_rng *r,
			const struct pv_virtio_env *env);

#endif /* PVCORE_VIRTIO_RNG_H */
