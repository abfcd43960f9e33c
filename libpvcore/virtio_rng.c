/* SPDX-License-Identifier: MIT */
/* The virtio entropy device; behaviour documented in libpvcore/virtio_rng.h. */
#include <pvcore/error.h>
#include "virtio_rng.h"

#include "pv_internal.h"

static struct pv_virtio_rng *rng_of(struct pv_virtio *v)
{
	return (struct pv_virtio_rng *)(void *)((char *)v -
		offsetof(struct pv_virtio_rng, vdev));
}

static int64_t rng_request(struct pv_virtio *v, const struct pv_virtio_req *req)
{
	struct pv_virtio_iter it;
	uint32_t n;
	uint8_t *p;

	if (req->nread) {
		pv_virtio_count_error(v);
		return 0;
	}
	pv_virtio_iter_init(&it, req, true, 0, req->write_len);
	while ((p = pv_virtio_iter_peek(v, &it, &n))) {
		if (v->env.ops->rng_fill(v->env.ctx, p, n)) {
			pv_virtio_count_error(v);
			return 0;
		}
		pv_virtio_iter_advance(&it, n);
	}
	rng_of(v)->bytes += req->write_len;
	return (int64_t)req->write_len;
}

static void rng_queue(struct pv_virtio *v, unsigned q)
{
	(void)pv_virtio_serve(v, q, rng_request);
}

static const struct pv_virtio_model rng_model = {
	.device_id = PV_VIRTIO_ID_RNG,
	.nqueues = 1,
	.features = 0,
	.config_size = 0,
	.refresh = NULL,
	.queue = rng_queue,
	.poll = NULL,
};

void pv_virtio_rng_init(struct pv_virtio_rng *r,
			const struct pv_virtio_env *env)
{
	pv_virtio_init(&r->vdev, &rng_model, env);
	r->bytes = 0;
}
