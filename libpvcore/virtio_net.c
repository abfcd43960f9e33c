/* SPDX-License-Identifier: MIT */
/* The virtio network device; behaviour documented in libpvcore/virtio_net.h. */
#include <pvcore/error.h>
#include "virtio_net.h"

#include "pv_internal.h"

static struct pv_virtio_net *net_of(struct pv_virtio *v)
{
	return (struct pv_virtio_net *)(void *)((char *)v -
		offsetof(struct pv_virtio_net, vdev));
}

/* Configuration: the MAC (6 bytes at 0). */
static void net_refresh(struct pv_virtio *v)
{
	pv_memset(v->config, 0, sizeof(v->config));
	v->env.ops->net_mac(v->env.ctx, v->config);
}

static int64_t net_tx(struct pv_virtio *v, const struct pv_virtio_req *req)
{
	struct pv_virtio_net *n = net_of(v);
	uint64_t len = req->read_len - PV_VIRTIO_NET_HDR;
	struct pv_virtio_iter it;
	const uint8_t *frame;
	uint32_t chunk;

	if (req->nwrite || req->read_len < PV_VIRTIO_NET_HDR ||
	    len < PV_VIRTIO_NET_ETH_MIN || len > PV_NET_FRAME_MAX) {
		n->tx_errors++;
		pv_virtio_count_error(v);
		return 0;
	}
	/* Contiguous in guest RAM: no copy. */
	pv_virtio_iter_init(&it, req, false, PV_VIRTIO_NET_HDR, len);
	frame = pv_virtio_iter_peek(v, &it, &chunk);
	if (!frame || chunk != len) {
		pv_virtio_copy_from(v, req, PV_VIRTIO_NET_HDR, n->frame, len);
		frame = n->frame;
	}
	if (v->env.ops->net_send(v->env.ctx, frame, (size_t)len)) {
		n->tx_errors++;
		pv_virtio_count_error(v);
		return 0;
	}
	n->tx_frames++;
	return 0;
}

/* One receive buffer: the next frame that fits it, behind the header. */
static int64_t net_rx(struct pv_virtio *v, const struct pv_virtio_req *req)
{
	struct pv_virtio_net *n = net_of(v);
	uint8_t hdr[PV_VIRTIO_NET_HDR] = { 0 };
	int len;

	if (req->nread || req->write_len < PV_VIRTIO_NET_HDR) {
		pv_virtio_count_error(v);
		return 0;
	}
	for (unsigned i = 0; i < PV_VIRTIO_QUEUE_MAX; i++) {
		len = v->env.ops->net_recv(v->env.ctx, n->frame,
					   PV_NET_FRAME_MAX);
		if (len == 0) {
			v->want_poll = true;
			return PV_VIRTIO_AGAIN;
		}
		if (len < 0) {
			n->rx_errors++;
			return PV_VIRTIO_AGAIN;
		}
		if ((uint64_t)len <= req->write_len - PV_VIRTIO_NET_HDR &&
		    len <= (int)PV_NET_FRAME_MAX)
			break;
		n->rx_dropped++;
		len = 0;
	}
	if (!len) {
		v->want_poll = true; /* frames keep coming: look again soon */
		return PV_VIRTIO_AGAIN;
	}
	pv_put_le16(hdr + 10, 1); /* num_buffers */
	pv_virtio_copy_to(v, req, 0, hdr, sizeof(hdr));
	pv_virtio_copy_to(v, req, PV_VIRTIO_NET_HDR, n->frame, (uint64_t)len);
	n->rx_frames++;
	return PV_VIRTIO_NET_HDR + len;
}

static void receive(struct pv_virtio *v)
{
	v->want_poll = false;
	if (pv_virtio_serve(v, PV_VIRTIO_NET_RXQ, net_rx) == PV_VIRTIO_LIMIT)
		v->want_poll = true;
}

static void net_queue(struct pv_virtio *v, unsigned q)
{
	if (q == PV_VIRTIO_NET_TXQ)
		(void)pv_virtio_serve(v, q, net_tx);
	receive(v);
}

static const struct pv_virtio_model net_model = {
	.device_id = PV_VIRTIO_ID_NET,
	.nqueues = 2,
	.features = PV_VIRTIO_NET_F_MAC,
	.config_size = 6,
	.refresh = net_refresh,
	.queue = net_queue,
	.poll = receive,
};

void pv_virtio_net_init(struct pv_virtio_net *n,
			const struct pv_virtio_env *env)
{
	pv_virtio_init(&n->vdev, &net_model, env);
	n->tx_frames = n->tx_errors = 0;
	n->rx_frames = n->rx_dropped = n->rx_errors = 0;
}
