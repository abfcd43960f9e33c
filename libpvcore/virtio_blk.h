/* SPDX-License-Identifier: MIT */
/**
 * DOC: the virtio block device (device ID 2)
 *
 * One request queue. Requests: VIRTIO_BLK_T_IN (read), T_OUT (write),
 * T_FLUSH and T_GET_ID; any other type completes with
 * VIRTIO_BLK_S_UNSUPP. Features offered: VIRTIO_BLK_F_SEG_MAX (seg_max =
 * PV_VIRTIO_QUEUE_MAX - 2, so a request with its header and status fits a
 * chain) and VIRTIO_BLK_F_FLUSH (the guest runs a write-back cache and
 * flushes). Configuration: capacity (from the backend's blk_capacity, in
 * 512-byte sectors) and seg_max.
 *
 * The data goes straight between the guest's buffers and the backend
 * (blk_read/blk_write on the guest RAM the buffer occupies, as many whole
 * sectors per call as are contiguous); a sector split across buffers goes
 * through a one-sector bounce buffer. Layout is free (VIRTIO_F_VERSION_1
 * implies ANY_LAYOUT): the 16-byte header is the first 16 readable bytes,
 * the status the last writable byte.
 *
 * A request completes with VIRTIO_BLK_S_IOERR (the used length is then
 * the whole writable part, status included) when: its readable part is
 * shorter than the header; a read has readable data after the header or a
 * data length that is not whole sectors; a write has more than the status
 * byte writable or a data length that is not whole sectors; the range
 * runs past the capacity; or the backend fails. A chain with no writable
 * byte at all cannot carry a status: it completes with used length 0.
 */
#ifndef PVCORE_VIRTIO_BLK_H
#define PVCORE_VIRTIO_BLK_H

#include "virtio_mmio.h"

#define PV_VIRTIO_ID_BLOCK 2u
#define PV_VIRTIO_BLK_F_SEG_MAX (1u << 2)
#define PV_VIRTIO_BLK_F_FLUSH (1u << 9)

#define PV_VIRTIO_BLK_T_IN 0u
#define PV_VIRTIO_BLK_T_OUT 1u
#define PV_VIRTIO_BLK_T_FLUSH 4u
#define PV_VIRTIO_BLK_T_GET_ID 8u

#define PV_VIRTIO_BLK_S_OK 0u
#define PV_VIRTIO_BLK_S_IOERR 1u
#define PV_VIRTIO_BLK_S_UNSUPP 2u

#define PV_VIRTIO_BLK_HDR 16u
#define PV_VIRTIO_BLK_ID_BYTES 20u
/* The serial number T_GET_ID returns (NUL padded to 20 bytes). */
#define PV_VIRTIO_BLK_ID "pvcore-blk0"

/**
 * struct pv_virtio_blk - the block device
 * @vdev: the transport (first member)
 * @capacity: sectors, from the backend at the last refresh
 * @bounce: one sector split across guest buffers
 * @reads, @writes, @flushes: requests that reached the backend
 */
struct pv_virtio_blk {
	struct pv_virtio vdev;
	uint64_t capacity;
	uint8_t bounce[PV_BLK_SECTOR_SIZE];
	uint64_t reads, writes, flushes;
};

/**
 * pv_virtio_blk_init() - reset the block device and connect it
 * (backend unit 0)
 */
void pv_virtio_blk_init(struct pv_virtio_blk *b,
			const struct pv_virtio_env *env);

#endif /* PVCORE_VIRTIO_BLK_H */
