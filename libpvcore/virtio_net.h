/* SPDX-License-Identifier: MIT */
/**
 * DOC: the virtio network device (device ID 1)
 *
 * One receive queue (0) and one transmit queue (1), no control queue.
 * Features offered: VIRTIO_NET_F_MAC only (the configuration space holds
 * the MAC the backend's net_mac gives); no checksum offload, no GSO, no
 * mergeable receive buffers, so every frame is at most PV_NET_FRAME_MAX
 * bytes and every packet is preceded by the 12-byte virtio_net_hdr of
 * VIRTIO_F_VERSION_1 (all zero but num_buffers = 1 on receive; ignored on
 * transmit).
 *
 * Transmit (queue 1 notified): the readable part is header + frame; the
 * frame goes to net_send straight from guest RAM when it is contiguous
 * there, else through a PV_NET_FRAME_MAX bounce buffer. A chain with
 * writable buffers, or a frame shorter than 14 or longer than
 * PV_NET_FRAME_MAX bytes, is not sent (counted as an error); every
 * transmit completes with used length 0.
 *
 * Receive: a frame is pulled from net_recv (into the bounce buffer) only
 * when a receive buffer is posted, then copied behind the header. A frame
 * longer than the buffer is dropped (@rx_dropped) and the buffer kept for
 * the next frame; a receive chain with readable buffers completes empty
 * (used length 0, an error). The device pulls on its receive-queue
 * notification, after serving the transmit queue, on the platform's poll
 * while it waits for frames with buffers posted (pv_virtio_wants_poll()),
 * and when the backend signals input.
 */
#ifndef PVCORE_VIRTIO_NET_H
#define PVCORE_VIRTIO_NET_H

#include "virtio_mmio.h"

#define PV_VIRTIO_ID_NET 1u
#define PV_VIRTIO_NET_F_MAC (1u << 5)
#define PV_VIRTIO_NET_HDR 12u
#define PV_VIRTIO_NET_RXQ 0u
#define PV_VIRTIO_NET_TXQ 1u
#define PV_VIRTIO_NET_ETH_MIN 14u

/**
 * struct pv_virtio_net - the network device
 * @vdev: the transport (first member)
 * @frame: bounce buffer for one frame
 * @tx_frames, @tx_errors: frames sent; frames refused or failed
 * @rx_frames, @rx_dropped, @rx_errors: frames delivered; frames too long
 *        for the posted buffer; net_recv failures
 */
struct pv_virtio_net {
	struct pv_virtio vdev;
	uint8_t frame[PV_NET_FRAME_MAX];
	uint64_t tx_frames, tx_errors;
	uint64_t rx_frames, rx_dropped, rx_errors;
};

/** pv_virtio_net_init() - reset the network device and connect it */
void pv_virtio_net_init(struct pv_virtio_net *n,
			const struct pv_virtio_env *env);

#endif /* PVCORE_VIRTIO_NET_H */
