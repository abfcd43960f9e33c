/* SPDX-License-Identifier: MIT */
/* The virtio block device; behaviour documented in libpvcore/virtio_blk.h. */
#include <pvcore/error.h>
#include "virtio_blk.h"

#include "pv_internal.h"

#define BLK_UNIT 0u
#define SECTOR PV_BLK_SECTOR_SIZE

static struct pv_virtio_blk *blk_of(struct pv_virtio *v)
{
	return (struct pv_virtio_blk *)(void *)((char *)v -
		offsetof(struct pv_virtio_blk, vdev));
}

/* Configuration: capacity (le64 at 0), seg_max (le32 at 12). */
static void blk_refresh(struct pv_virtio *v)
{
	struct pv_virtio_blk *b = blk_of(v);

	b->capacity = v->env.ops->blk_capacity(v->env.ctx, BLK_UNIT);
	pv_memset(v->config, 0, sizeof(v->config));
	pv_put_le64(v->config, b->capacity);
	pv_put_le32(v->config + 12, PV_VIRTIO_QUEUE_MAX - 2);
}

static bool in_range(const struct pv_virtio_blk *b, uint64_t sector,
		     uint64_t count)
{
	return sector <= b->capacity && count <= b->capacity - sector;
}

/*
 * Move @count sectors between the disk at @sector and the request's data
 * (@write: the readable part after the header, to the disk; else the
 * writable part, from the disk). Whole sectors that are contiguous in
 * guest RAM go in one backend call; a sector split across buffers goes
 * through the bounce buffer.
 */
static uint8_t transfer(struct pv_virtio_blk *b, const struct pv_virtio_req *req,
			bool write, uint64_t sector, uint64_t count)
{
	const struct pv_backend_ops *ops = b->vdev.env.ops;
	void *ctx = b->vdev.env.ctx;
	struct pv_virtio_iter it;
	uint32_t n, fill = 0, take, k;
	uint8_t *p;
	int err;

	pv_virtio_iter_init(&it, req, !write, write ? PV_VIRTIO_BLK_HDR : 0,
			    count * SECTOR);
	while ((p = pv_virtio_iter_peek(&b->vdev, &it, &n))) {
		if (!fill && n >= SECTOR) {
			k = n / SECTOR;
			err = write ? ops->blk_write(ctx, BLK_UNIT, sector, p, k)
				    : ops->blk_read(ctx, BLK_UNIT, sector, p, k);
			if (err)
				return PV_VIRTIO_BLK_S_IOERR;
			sector += k;
			pv_virtio_iter_advance(&it, k * SECTOR);
			continue;
		}
		if (!write && !fill &&
		    ops->blk_read(ctx, BLK_UNIT, sector, b->bounce, 1))
			return PV_VIRTIO_BLK_S_IOERR;
		take = SECTOR - fill < n ? SECTOR - fill : n;
		if (write)
			pv_memcpy(b->bounce + fill, p, take);
		else
			pv_memcpy(p, b->bounce + fill, take);
		fill += take;
		pv_virtio_iter_advance(&it, take);
		if (fill < SECTOR)
			continue;
		if (write && ops->blk_write(ctx, BLK_UNIT, sector, b->bounce, 1))
			return PV_VIRTIO_BLK_S_IOERR;
		sector++;
		fill = 0;
	}
	/* The lengths were checked: the walk ends on a sector boundary. */
	return it.left || fill ? PV_VIRTIO_BLK_S_IOERR : PV_VIRTIO_BLK_S_OK;
}

static uint8_t blk_in(struct pv_virtio_blk *b, const struct pv_virtio_req *req,
		      uint64_t sector)
{
	uint64_t data = req->write_len - 1;

	if (req->read_len != PV_VIRTIO_BLK_HDR || data % SECTOR ||
	    !in_range(b, sector, data / SECTOR))
		return PV_VIRTIO_BLK_S_IOERR;
	b->reads++;
	return transfer(b, req, false, sector, data / SECTOR);
}

static uint8_t blk_out(struct pv_virtio_blk *b, const struct pv_virtio_req *req,
		       uint64_t sector)
{
	uint64_t data = req->read_len - PV_VIRTIO_BLK_HDR;

	if (req->write_len != 1 || data % SECTOR ||
	    !in_range(b, sector, data / SECTOR))
		return PV_VIRTIO_BLK_S_IOERR;
	b->writes++;
	return transfer(b, req, true, sector, data / SECTOR);
}

static uint8_t blk_flush(struct pv_virtio_blk *b,
			 const struct pv_virtio_req *req, uint64_t sector)
{
	(void)req;
	(void)sector;
	b->flushes++;
	return b->vdev.env.ops->blk_flush(b->vdev.env.ctx, BLK_UNIT) ?
		       PV_VIRTIO_BLK_S_IOERR : PV_VIRTIO_BLK_S_OK;
}

static uint8_t blk_get_id(struct pv_virtio_blk *b,
			  const struct pv_virtio_req *req, uint64_t sector)
{
	uint8_t id[PV_VIRTIO_BLK_ID_BYTES] = PV_VIRTIO_BLK_ID;
	uint64_t data = req->write_len - 1;

	(void)sector;
	pv_virtio_copy_to(&b->vdev, req, 0, id,
			  data < sizeof(id) ? data : sizeof(id));
	return PV_VIRTIO_BLK_S_OK;
}

/**
 * struct blk_op - one request type
 * @type: VIRTIO_BLK_T_*
 * @run: perform it; returns the status byte
 */
struct blk_op {
	uint32_t type;
	uint8_t (*run)(struct pv_virtio_blk *b, const struct pv_virtio_req *req,
		       uint64_t sector);
};

static const struct blk_op blk_ops[] = {
	{ PV_VIRTIO_BLK_T_IN, blk_in },
	{ PV_VIRTIO_BLK_T_OUT, blk_out },
	{ PV_VIRTIO_BLK_T_FLUSH, blk_flush },
	{ PV_VIRTIO_BLK_T_GET_ID, blk_get_id },
};

static int64_t blk_request(struct pv_virtio *v, const struct pv_virtio_req *req)
{
	struct pv_virtio_blk *b = blk_of(v);
	uint8_t hdr[PV_VIRTIO_BLK_HDR];
	uint8_t status = PV_VIRTIO_BLK_S_IOERR;

	if (!req->write_len) {
		pv_virtio_count_error(v); /* nowhere to put a status */
		return 0;
	}
	if (req->read_len >= PV_VIRTIO_BLK_HDR) {
		uint32_t type;

		pv_virtio_copy_from(v, req, 0, hdr, sizeof(hdr));
		type = pv_le32(hdr);
		status = PV_VIRTIO_BLK_S_UNSUPP;
		for (unsigned i = 0; i < PV_ARRAY_SIZE(blk_ops); i++)
			if (blk_ops[i].type == type)
				status = blk_ops[i].run(b, req, pv_le64(hdr + 8));
	}
	if (status != PV_VIRTIO_BLK_S_OK)
		pv_virtio_count_error(v);
	pv_virtio_copy_to(v, req, req->write_len - 1, &status, 1);
	return (int64_t)req->write_len;
}

static void blk_queue(struct pv_virtio *v, unsigned q)
{
	(void)pv_virtio_serve(v, q, blk_request);
}

static const struct pv_virtio_model blk_model = {
	.device_id = PV_VIRTIO_ID_BLOCK,
	.nqueues = 1,
	.features = PV_VIRTIO_BLK_F_SEG_MAX | PV_VIRTIO_BLK_F_FLUSH,
	.config_size = 16,
	.refresh = blk_refresh,
	.queue = blk_queue,
	.poll = NULL,
};

void pv_virtio_blk_init(struct pv_virtio_blk *b,
			const struct pv_virtio_env *env)
{
	pv_virtio_init(&b->vdev, &blk_model, env);
	b->capacity = 0;
	b->reads = b->writes = b->flushes = 0;
}
