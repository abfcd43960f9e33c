/* SPDX-License-Identifier: MIT */
/* The virtio console; behaviour documented in libpvcore/virtio_console.h. */
#include <pvcore/error.h>
#include "virtio_console.h"

#include "pv_internal.h"

static struct pv_virtio_console *con_of(struct pv_virtio *v)
{
	return (struct pv_virtio_console *)(void *)((char *)v -
		offsetof(struct pv_virtio_console, vdev));
}

static int64_t con_tx(struct pv_virtio *v, const struct pv_virtio_req *req)
{
	struct pv_virtio_iter it;
	uint32_t n;
	uint8_t *p;

	if (req->nwrite) {
		pv_virtio_count_error(v);
		return 0;
	}
	pv_virtio_iter_init(&it, req, false, 0, req->read_len);
	while ((p = pv_virtio_iter_peek(v, &it, &n))) {
		v->env.ops->console_write(v->env.ctx, p, n);
		con_of(v)->tx_bytes += n;
		pv_virtio_iter_advance(&it, n);
	}
	return 0;
}

/* Fill one receive buffer with what input is waiting. */
static int64_t con_rx(struct pv_virtio *v, const struct pv_virtio_req *req)
{
	struct pv_virtio_iter it;
	uint64_t got = 0;
	uint32_t n, i;
	uint8_t *p;
	int c = 0;

	if (req->nread) {
		pv_virtio_count_error(v);
		return 0;
	}
	/* The UART listens: leave the buffer posted and look again later,
	 * for the guest may close that tty and listen here. */
	if (con_of(v)->uart && pv_pl011_rx_enabled(con_of(v)->uart)) {
		v->want_poll = true;
		return PV_VIRTIO_AGAIN;
	}
	pv_virtio_iter_init(&it, req, true, 0, req->write_len);
	while (c >= 0 && (p = pv_virtio_iter_peek(v, &it, &n))) {
		for (i = 0; i < n; i++) {
			c = v->env.ops->console_read(v->env.ctx);
			if (c < 0)
				break;
			p[i] = (uint8_t)c;
		}
		pv_virtio_iter_advance(&it, i);
		got += i;
	}
	if (!got) {
		v->want_poll = true;
		return PV_VIRTIO_AGAIN;
	}
	con_of(v)->rx_bytes += got;
	return (int64_t)got;
}

static void receive(struct pv_virtio *v)
{
	v->want_poll = false;
	(void)pv_virtio_serve(v, PV_VIRTIO_CONSOLE_RXQ, con_rx);
}

static void con_queue(struct pv_virtio *v, unsigned q)
{
	if (q == PV_VIRTIO_CONSOLE_TXQ)
		(void)pv_virtio_serve(v, q, con_tx);
	else
		receive(v);
}

static const struct pv_virtio_model con_model = {
	.device_id = PV_VIRTIO_ID_CONSOLE,
	.nqueues = 2,
	.features = 0,
	.config_size = 0,
	.refresh = NULL,
	.queue = con_queue,
	.poll = receive,
};

void pv_virtio_console_init(struct pv_virtio_console *c,
			    const struct pv_virtio_env *env,
			    const struct pv_pl011 *uart)
{
	pv_virtio_init(&c->vdev, &con_model, env);
	c->tx_bytes = c->rx_bytes = 0;
	c->uart = uart;
}
