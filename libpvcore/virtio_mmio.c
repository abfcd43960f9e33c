/* SPDX-License-Identifier: MIT */
/*
 * The virtio-mmio transport (version 2) and split virtqueues; what is
 * supported and every rule the guest's rings are held to is documented in
 * libpvcore/virtio_mmio.h.
 */
#include <pvcore/error.h>
#include "virtio_mmio.h"

#include "pv_internal.h"

/* ---- guest-physical RAM --------------------------------------------------- */

/*
 * The host pointer for guest RAM at @gpa and, in *@chunk, how many of the
 * @len bytes from there lie in the same RAM region (at least 1); NULL if
 * @gpa is not RAM.
 */
static uint8_t *ram_chunk(const struct pv_memmap *map, uint64_t gpa,
			  uint64_t len, uint32_t *chunk)
{
	const struct pv_ram_region *r;
	uint64_t in_region;

	if (gpa >= (1ull << 32))
		return NULL;
	r = pv_memmap_find_ram(map, pv_gpa(gpa), 1);
	if (!r)
		return NULL;
	in_region = r->size - (gpa - pv_gpa_val(r->gpa));
	*chunk = (uint32_t)(len < in_region ? len : in_region);
	return (uint8_t *)pv_hva_ptr(r->hva) + (gpa - pv_gpa_val(r->gpa));
}

bool pv_virtio_ram_ok(const struct pv_memmap *map, uint64_t gpa, uint64_t len)
{
	uint32_t chunk;

	if (gpa >= (1ull << 32) || len > (1ull << 32))
		return false;
	if (!len)
		return ram_chunk(map, gpa, 1, &chunk) != NULL;
	/* Each step ends a region, so at most one step per region. */
	for (unsigned i = 0; i <= PV_MAX_RAM_REGIONS && len; i++) {
		if (!ram_chunk(map, gpa, len, &chunk))
			return false;
		gpa += chunk;
		len -= chunk;
	}
	return len == 0;
}

static int ram_copy(const struct pv_memmap *map, uint64_t gpa, uint8_t *host,
		    uint32_t len, bool to_guest)
{
	uint32_t chunk;
	uint8_t *p;

	if (!pv_virtio_ram_ok(map, gpa, len))
		return PV_ERANGE;
	while (len) {
		p = ram_chunk(map, gpa, len, &chunk);
		if (!p)
			return PV_ERANGE; /* unreachable: checked above */
		if (to_guest)
			pv_memcpy(p, host, chunk);
		else
			pv_memcpy(host, p, chunk);
		gpa += chunk;
		host += chunk;
		len -= chunk;
	}
	return 0;
}

int pv_virtio_ram_read(const struct pv_memmap *map, uint64_t gpa, void *dst,
		       uint32_t len)
{
	return ram_copy(map, gpa, dst, len, false);
}

int pv_virtio_ram_write(const struct pv_memmap *map, uint64_t gpa,
			const void *src, uint32_t len)
{
	return ram_copy(map, gpa, (uint8_t *)(uintptr_t)src, len, true);
}

/* ---- device state --------------------------------------------------------- */

static bool live(const struct pv_virtio *v)
{
	const uint32_t need = PV_VIRTIO_S_DRIVER_OK | PV_VIRTIO_S_FEATURES_OK;

	return v->model && !v->broken &&
	       (v->status & (need | PV_VIRTIO_S_FAILED)) == need;
}

uint64_t pv_virtio_features(const struct pv_virtio *v)
{
	return v->model->features | PV_VIRTIO_F_VERSION_1 |
	       PV_VIRTIO_F_INDIRECT_DESC;
}

static void update_line(struct pv_virtio *v)
{
	bool level = v->isr != 0;

	if (level == v->line)
		return;
	v->line = level;
	if (v->env.gic)
		(void)pv_gic_set_line(v->env.gic, 0, v->env.irq, level);
}

/* DEVICE_NEEDS_RESET: tell the driver through a configuration interrupt. */
static int brk(struct pv_virtio *v, enum pv_virtio_break why)
{
	if (!v->broken) {
		v->broken = true;
		v->broken_why = (uint8_t)why;
		v->want_poll = false;
		v->stats.breaks++;
		v->isr |= PV_VIRTIO_INT_CONFIG;
		update_line(v);
	}
	return PV_ECORRUPT;
}

static void refresh(struct pv_virtio *v)
{
	uint8_t old[PV_VIRTIO_CONFIG_MAX];

	v->fresh = true;
	if (!v->model->refresh)
		return;
	pv_memcpy(old, v->config, sizeof(old));
	v->model->refresh(v);
	if (pv_memcmp(old, v->config, sizeof(old)))
		v->config_gen++;
}

/* Status = 0, or init: everything the driver set goes back to reset. */
static void device_reset(struct pv_virtio *v)
{
	v->status = 0;
	v->dev_feat_sel = v->drv_feat_sel = v->queue_sel = v->shm_sel = 0;
	v->driver_features = 0;
	v->isr = 0;
	v->broken = false;
	v->broken_why = PV_VIRTIO_OK;
	v->want_poll = false;
	pv_memset(v->q, 0, sizeof(v->q));
	update_line(v);
}

void pv_virtio_init(struct pv_virtio *v, const struct pv_virtio_model *model,
		    const struct pv_virtio_env *env)
{
	pv_memset(v, 0, sizeof(*v));
	v->model = model;
	v->env = *env;
	device_reset(v);
}

static struct pv_virtq *sel_queue(struct pv_virtio *v)
{
	return v->queue_sel < v->model->nqueues ? &v->q[v->queue_sel] : NULL;
}

/* A queue the driver may still configure: selected, valid, not ready. */
static struct pv_virtq *setup_queue(struct pv_virtio *v)
{
	struct pv_virtq *q = sel_queue(v);

	return q && !q->ready ? q : NULL;
}

static bool queue_valid(const struct pv_virtio *v, const struct pv_virtq *q)
{
	uint32_t n = q->num;

	return n && n <= PV_VIRTIO_QUEUE_MAX && !(n & (n - 1)) &&
	       !(q->desc & 15) && !(q->avail & 1) && !(q->used & 3) &&
	       pv_virtio_ram_ok(v->env.map, q->desc, (uint64_t)n * 16) &&
	       pv_virtio_ram_ok(v->env.map, q->avail, 4 + 2ull * n) &&
	       pv_virtio_ram_ok(v->env.map, q->used, 4 + 8ull * n);
}

static void serve_all(struct pv_virtio *v)
{
	for (unsigned i = 0; i < v->model->nqueues && live(v); i++)
		if (v->q[i].ready)
			v->model->queue(v, i);
	if (live(v) && v->model->poll)
		v->model->poll(v);
}

/* ---- registers ------------------------------------------------------------ */

static uint32_t rd_magic(struct pv_virtio *v)
{
	(void)v;
	return PV_VIRTIO_MAGIC;
}

static uint32_t rd_version(struct pv_virtio *v)
{
	(void)v;
	return 2;
}

static uint32_t rd_device_id(struct pv_virtio *v)
{
	return v->model->device_id;
}

static uint32_t rd_vendor(struct pv_virtio *v)
{
	(void)v;
	return PV_VIRTIO_VENDOR;
}

static uint32_t rd_dev_features(struct pv_virtio *v)
{
	uint64_t f = pv_virtio_features(v);

	return v->dev_feat_sel == 0 ? (uint32_t)f :
	       v->dev_feat_sel == 1 ? (uint32_t)(f >> 32) : 0;
}

/* Plain storage registers: the value written reads back. */
#define STORE(field)                                                           \
	static uint32_t rd_##field(struct pv_virtio *v)                       \
	{                                                                      \
		return v->field;                                               \
	}                                                                      \
	static void wr_##field(struct pv_virtio *v, uint32_t val)             \
	{                                                                      \
		v->field = val;                                                \
	}

STORE(dev_feat_sel)
STORE(drv_feat_sel)
STORE(queue_sel)

static uint32_t rd_drv_features(struct pv_virtio *v)
{
	return v->drv_feat_sel == 0 ? (uint32_t)v->driver_features :
	       v->drv_feat_sel == 1 ? (uint32_t)(v->driver_features >> 32) : 0;
}

/* Fixed once FEATURES_OK is set; only the two defined words exist. */
static void wr_drv_features(struct pv_virtio *v, uint32_t val)
{
	if ((v->status & PV_VIRTIO_S_FEATURES_OK) || v->drv_feat_sel > 1)
		return;
	if (v->drv_feat_sel == 0)
		v->driver_features = (v->driver_features & ~0xffffffffull) | val;
	else
		v->driver_features = (v->driver_features & 0xffffffffull) |
				     (uint64_t)val << 32;
}

static uint32_t rd_queue_num_max(struct pv_virtio *v)
{
	return sel_queue(v) ? PV_VIRTIO_QUEUE_MAX : 0;
}

static uint32_t rd_queue_num(struct pv_virtio *v)
{
	struct pv_virtq *q = sel_queue(v);

	return q ? q->num : 0;
}

static void wr_queue_num(struct pv_virtio *v, uint32_t val)
{
	struct pv_virtq *q = setup_queue(v);

	if (q)
		q->num = val;
}

static uint32_t rd_queue_ready(struct pv_virtio *v)
{
	struct pv_virtq *q = sel_queue(v);

	return q && q->ready;
}

/* Enabling a queue checks its size and rings once: the map never changes. */
static void wr_queue_ready(struct pv_virtio *v, uint32_t val)
{
	struct pv_virtq *q = sel_queue(v);

	if (!q)
		return;
	if (!(val & 1)) {
		q->ready = false;
		return;
	}
	if (q->ready || v->broken)
		return;
	if (!queue_valid(v, q)) {
		(void)brk(v, PV_VIRTIO_BAD_QUEUE);
		return;
	}
	q->ready = true;
	q->last_avail = 0;
	q->used_idx = 0;
}

static void wr_queue_notify(struct pv_virtio *v, uint32_t val)
{
	if (val >= v->model->nqueues || !live(v) || !v->q[val].ready) {
		v->stats.ignored_notify++;
		return;
	}
	v->model->queue(v, val);
}

static uint32_t rd_isr(struct pv_virtio *v) { return v->isr; }

static void wr_isr_ack(struct pv_virtio *v, uint32_t val)
{
	v->isr &= ~val;
	update_line(v);
}

static uint32_t rd_status(struct pv_virtio *v)
{
	return v->status | (v->broken ? PV_VIRTIO_S_NEEDS_RESET : 0);
}

static bool features_acceptable(const struct pv_virtio *v)
{
	return !(v->driver_features & ~pv_virtio_features(v)) &&
	       (v->driver_features & PV_VIRTIO_F_VERSION_1);
}

/*
 * 0 resets the device. Otherwise the driver's bits are taken as written,
 * but FEATURES_OK only sticks for an acceptable feature set (the driver
 * reads it back), and DRIVER_OK serves what is already queued.
 */
static void wr_status(struct pv_virtio *v, uint32_t val)
{
	bool was_live = live(v);

	if (!val) {
		device_reset(v);
		refresh(v);
		return;
	}
	val &= 0xffu & ~PV_VIRTIO_S_NEEDS_RESET;
	if ((val & ~v->status & PV_VIRTIO_S_FEATURES_OK) &&
	    !features_acceptable(v))
		val &= ~PV_VIRTIO_S_FEATURES_OK;
	v->status = val;
	if (!live(v))
		v->want_poll = false;
	else if (!was_live)
		serve_all(v);
}

/* The 64-bit ring addresses, each as two halves. */
#define QADDR(field, name)                                                     \
	static uint32_t rd_##name##_lo(struct pv_virtio *v)                   \
	{                                                                      \
		struct pv_virtq *q = sel_queue(v);                             \
		return q ? (uint32_t)q->field : 0;                             \
	}                                                                      \
	static uint32_t rd_##name##_hi(struct pv_virtio *v)                   \
	{                                                                      \
		struct pv_virtq *q = sel_queue(v);                             \
		return q ? (uint32_t)(q->field >> 32) : 0;                     \
	}                                                                      \
	static void wr_##name##_lo(struct pv_virtio *v, uint32_t val)         \
	{                                                                      \
		struct pv_virtq *q = setup_queue(v);                           \
		if (q)                                                         \
			q->field = (q->field & ~0xffffffffull) | val;          \
	}                                                                      \
	static void wr_##name##_hi(struct pv_virtio *v, uint32_t val)         \
	{                                                                      \
		struct pv_virtq *q = setup_queue(v);                           \
		if (q)                                                         \
			q->field = (q->field & 0xffffffffull) |                \
				   (uint64_t)val << 32;                        \
	}

QADDR(desc, desc)
QADDR(avail, driver)
QADDR(used, device)

STORE(shm_sel)

/* No shared memory regions: the length reads as all ones ("none"). */
static uint32_t rd_no_shm(struct pv_virtio *v)
{
	(void)v;
	return 0xffffffffu;
}

static uint32_t rd_config_gen(struct pv_virtio *v)
{
	return v->config_gen;
}

/**
 * struct reg - one 32-bit control register
 * @rd: its value (NULL: reads as zero)
 * @wr: the write (NULL: writes are ignored)
 */
struct reg {
	uint32_t (*rd)(struct pv_virtio *v);
	void (*wr)(struct pv_virtio *v, uint32_t val);
};

#define R(off) [(off) / 4]
static const struct reg regs[PV_VIRTIO_CONFIG_BASE / 4] = {
	R(PV_VIRTIO_MMIO_MAGIC) = { rd_magic, NULL },
	R(PV_VIRTIO_MMIO_VERSION) = { rd_version, NULL },
	R(PV_VIRTIO_MMIO_DEVICE_ID) = { rd_device_id, NULL },
	R(PV_VIRTIO_MMIO_VENDOR_ID) = { rd_vendor, NULL },
	R(PV_VIRTIO_MMIO_DEVICE_FEATURES) = { rd_dev_features, NULL },
	R(PV_VIRTIO_MMIO_DEVICE_FEATURES_SEL) = { rd_dev_feat_sel,
						  wr_dev_feat_sel },
	R(PV_VIRTIO_MMIO_DRIVER_FEATURES) = { rd_drv_features, wr_drv_features },
	R(PV_VIRTIO_MMIO_DRIVER_FEATURES_SEL) = { rd_drv_feat_sel,
						  wr_drv_feat_sel },
	R(PV_VIRTIO_MMIO_QUEUE_SEL) = { rd_queue_sel, wr_queue_sel },
	R(PV_VIRTIO_MMIO_QUEUE_NUM_MAX) = { rd_queue_num_max, NULL },
	R(PV_VIRTIO_MMIO_QUEUE_NUM) = { rd_queue_num, wr_queue_num },
	R(PV_VIRTIO_MMIO_QUEUE_READY) = { rd_queue_ready, wr_queue_ready },
	R(PV_VIRTIO_MMIO_QUEUE_NOTIFY) = { NULL, wr_queue_notify },
	R(PV_VIRTIO_MMIO_INTERRUPT_STATUS) = { rd_isr, NULL },
	R(PV_VIRTIO_MMIO_INTERRUPT_ACK) = { NULL, wr_isr_ack },
	R(PV_VIRTIO_MMIO_STATUS) = { rd_status, wr_status },
	R(PV_VIRTIO_MMIO_QUEUE_DESC_LOW) = { rd_desc_lo, wr_desc_lo },
	R(PV_VIRTIO_MMIO_QUEUE_DESC_HIGH) = { rd_desc_hi, wr_desc_hi },
	R(PV_VIRTIO_MMIO_QUEUE_DRIVER_LOW) = { rd_driver_lo, wr_driver_lo },
	R(PV_VIRTIO_MMIO_QUEUE_DRIVER_HIGH) = { rd_driver_hi, wr_driver_hi },
	R(PV_VIRTIO_MMIO_QUEUE_DEVICE_LOW) = { rd_device_lo, wr_device_lo },
	R(PV_VIRTIO_MMIO_QUEUE_DEVICE_HIGH) = { rd_device_hi, wr_device_hi },
	R(PV_VIRTIO_MMIO_SHM_SEL) = { rd_shm_sel, wr_shm_sel },
	R(PV_VIRTIO_MMIO_SHM_LEN_LOW) = { rd_no_shm, NULL },
	R(PV_VIRTIO_MMIO_SHM_LEN_HIGH) = { rd_no_shm, NULL },
	R(PV_VIRTIO_MMIO_SHM_BASE_LOW) = { rd_no_shm, NULL },
	R(PV_VIRTIO_MMIO_SHM_BASE_HIGH) = { rd_no_shm, NULL },
	R(PV_VIRTIO_MMIO_CONFIG_GENERATION) = { rd_config_gen, NULL },
};
#undef R

/* The device's first register access asks the backend for its config. */
static void touch(struct pv_virtio *v)
{
	if (!v->fresh)
		refresh(v);
}

static uint32_t config_read(const struct pv_virtio *v, uint32_t off,
			    unsigned size)
{
	uint32_t val = 0;

	for (unsigned i = 0; i < size && i < 4; i++)
		if (off + i < v->model->config_size &&
		    off + i < PV_VIRTIO_CONFIG_MAX)
			val |= (uint32_t)v->config[off + i] << (8 * i);
	return val;
}

int pv_virtio_read(struct pv_virtio *v, uint32_t offset, unsigned size,
		   uint32_t *val)
{
	const struct reg *r;

	*val = 0;
	touch(v);
	if (offset >= PV_VIRTIO_CONFIG_BASE) {
		if (offset < PV_VIRTIO_MMIO_SIZE)
			*val = config_read(v, offset - PV_VIRTIO_CONFIG_BASE, size);
		return 0;
	}
	if (size != 4 || (offset & 3)) {
		v->stats.bad_access++;
		return 0;
	}
	r = &regs[offset / 4];
	if (r->rd)
		*val = r->rd(v);
	return 0;
}

int pv_virtio_write(struct pv_virtio *v, uint32_t offset, unsigned size,
		    uint32_t val)
{
	const struct reg *r;

	touch(v);
	if (offset >= PV_VIRTIO_CONFIG_BASE)
		return 0; /* the configuration spaces are read-only */
	if (size != 4 || (offset & 3)) {
		v->stats.bad_access++;
		return 0;
	}
	r = &regs[offset / 4];
	if (r->wr)
		r->wr(v, val);
	return 0;
}

/* ---- virtqueues ----------------------------------------------------------- */

/**
 * struct desc - one descriptor, decoded from its 16 guest bytes
 */
struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static bool read_desc(const struct pv_virtio *v, uint64_t table, uint32_t i,
		      struct desc *d)
{
	uint8_t b[PV_VIRTQ_DESC_SIZE];

	if (pv_virtio_ram_read(v->env.map, table + (uint64_t)i * 16, b,
			       sizeof(b)))
		return false;
	d->addr = pv_le64(b);
	d->len = pv_le32(b + 8);
	d->flags = pv_le16(b + 12);
	d->next = pv_le16(b + 14);
	return true;
}

/* An indirect table may be the whole chain: one head descriptor only. */
static int enter_indirect(struct pv_virtio *v, const struct desc *d,
			  bool nested, unsigned walked, uint64_t *table,
			  uint32_t *size)
{
	if (nested || walked != 1 || (d->flags & PV_VIRTQ_DESC_F_NEXT) ||
	    !(v->driver_features & PV_VIRTIO_F_INDIRECT_DESC) || !d->len ||
	    d->len % PV_VIRTQ_DESC_SIZE ||
	    d->len / PV_VIRTQ_DESC_SIZE > PV_VIRTIO_QUEUE_MAX)
		return brk(v, PV_VIRTIO_BAD_INDIRECT);
	if (!pv_virtio_ram_ok(v->env.map, d->addr, d->len))
		return brk(v, PV_VIRTIO_BAD_BUFFER);
	*table = d->addr;
	*size = d->len / PV_VIRTQ_DESC_SIZE;
	return 0;
}

/* Record one buffer; readable ones must all come before writable ones. */
static int add_buffer(struct pv_virtio *v, struct pv_virtio_req *req,
		      const struct desc *d, bool *seen_write)
{
	bool w = (d->flags & PV_VIRTQ_DESC_F_WRITE) != 0;
	struct pv_virtio_seg *s;

	if (!w && *seen_write)
		return brk(v, PV_VIRTIO_BAD_ORDER);
	*seen_write |= w;
	if (!d->len)
		return 0; /* nothing to reach, nothing to check */
	if (!pv_virtio_ram_ok(v->env.map, d->addr, d->len))
		return brk(v, PV_VIRTIO_BAD_BUFFER);
	s = &req->seg[req->nread + req->nwrite];
	s->gpa = (uint32_t)d->addr;
	s->len = d->len;
	if (w) {
		req->nwrite++;
		req->write_len += d->len;
	} else {
		req->nread++;
		req->read_len += d->len;
	}
	return 0;
}

/*
 * Decode the chain at @head into @req. Every table holds at most
 * PV_VIRTIO_QUEUE_MAX descriptors and no table is walked for more
 * descriptors than it holds, so the walk is bounded and a loop ends it.
 */
static int walk(struct pv_virtio *v, const struct pv_virtq *q, uint16_t head,
		struct pv_virtio_req *req)
{
	uint64_t table = q->desc;
	uint32_t size = q->num, idx = head;
	unsigned walked = 0;
	bool indirect = false, seen_write = false;
	struct desc d;
	int err;

	for (;;) {
		if (walked++ >= size)
			return brk(v, PV_VIRTIO_BAD_CHAIN);
		if (!read_desc(v, table, idx, &d))
			return brk(v, PV_VIRTIO_BAD_RING);
		if (d.flags & PV_VIRTQ_DESC_F_INDIRECT) {
			err = enter_indirect(v, &d, indirect, walked, &table,
					     &size);
			if (err)
				return err;
			indirect = true;
			walked = 0;
			idx = 0;
			continue;
		}
		err = add_buffer(v, req, &d, &seen_write);
		if (err)
			return err;
		if (!(d.flags & PV_VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= size)
			return brk(v, PV_VIRTIO_BAD_INDEX);
		idx = d.next;
	}
}

int pv_virtio_pop(struct pv_virtio *v, unsigned qi, struct pv_virtio_req *req)
{
	struct pv_virtq *q;
	uint8_t b[2];
	uint16_t avail_idx, pending, head;
	uint32_t slot;
	int err;

	if (!live(v) || qi >= v->model->nqueues || !v->q[qi].ready)
		return 0;
	q = &v->q[qi];
	if (pv_virtio_ram_read(v->env.map, q->avail + 2, b, 2))
		return brk(v, PV_VIRTIO_BAD_RING);
	avail_idx = pv_le16(b);
	pending = (uint16_t)(avail_idx - q->last_avail);
	if (!pending)
		return 0;
	if (pending > q->num)
		return brk(v, PV_VIRTIO_BAD_AVAIL);
	/* The ring entries are read after the index that published them. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	slot = q->last_avail & (q->num - 1); /* num is a power of two */
	if (pv_virtio_ram_read(v->env.map, q->avail + 4 + 2u * slot, b, 2))
		return brk(v, PV_VIRTIO_BAD_RING);
	head = pv_le16(b);
	if (head >= q->num)
		return brk(v, PV_VIRTIO_BAD_INDEX);
	req->head = head;
	req->queue = (uint16_t)qi;
	req->nread = req->nwrite = 0;
	req->read_len = req->write_len = 0;
	err = walk(v, q, head, req);
	if (err)
		return err;
	q->last_avail++;
	v->stats.requests++;
	return 1;
}

void pv_virtio_unpop(struct pv_virtio *v, const struct pv_virtio_req *req)
{
	v->q[req->queue].last_avail--;
	v->stats.requests--;
}

int pv_virtio_push(struct pv_virtio *v, const struct pv_virtio_req *req,
		   uint32_t len)
{
	struct pv_virtq *q = &v->q[req->queue];
	uint32_t slot = q->used_idx & (q->num - 1);
	uint8_t e[8];

	if (len > req->write_len)
		len = (uint32_t)req->write_len;
	pv_put_le32(e, req->head);
	pv_put_le32(e + 4, len);
	if (pv_virtio_ram_write(v->env.map, q->used + 4 + 8u * slot, e, 8))
		return brk(v, PV_VIRTIO_BAD_RING);
	q->used_idx++;
	/* The element is visible before the index that publishes it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	pv_put_le16(e, q->used_idx);
	if (pv_virtio_ram_write(v->env.map, q->used + 2, e, 2))
		return brk(v, PV_VIRTIO_BAD_RING);
	return 0;
}

void pv_virtio_notify_guest(struct pv_virtio *v, unsigned qi)
{
	uint8_t b[2];

	if (pv_virtio_ram_read(v->env.map, v->q[qi].avail, b, 2)) {
		(void)brk(v, PV_VIRTIO_BAD_RING);
		return;
	}
	if (pv_le16(b) & PV_VIRTQ_AVAIL_F_NO_INTERRUPT)
		return;
	v->isr |= PV_VIRTIO_INT_VRING;
	update_line(v);
}

void pv_virtio_count_error(struct pv_virtio *v)
{
	v->stats.errors++;
}

enum pv_virtio_served pv_virtio_serve(struct pv_virtio *v, unsigned qi,
				      pv_virtio_handler fn)
{
	enum pv_virtio_served why = PV_VIRTIO_LIMIT;
	unsigned done = 0;
	int64_t len;
	int got;

	if (!live(v) || qi >= v->model->nqueues || !v->q[qi].ready)
		return PV_VIRTIO_BROKEN;
	for (uint32_t n = 0; n < v->q[qi].num; n++) {
		got = pv_virtio_pop(v, qi, &v->req);
		if (got <= 0) {
			why = got ? PV_VIRTIO_BROKEN : PV_VIRTIO_EMPTY;
			break;
		}
		len = fn(v, &v->req);
		if (len < 0) {
			pv_virtio_unpop(v, &v->req);
			why = PV_VIRTIO_STOPPED;
			break;
		}
		if (pv_virtio_push(v, &v->req,
				   len > UINT32_MAX ? UINT32_MAX : (uint32_t)len)) {
			why = PV_VIRTIO_BROKEN;
			break;
		}
		done++;
	}
	if (done && !v->broken)
		pv_virtio_notify_guest(v, qi);
	return v->broken ? PV_VIRTIO_BROKEN : why;
}

/* ---- request buffers ------------------------------------------------------ */

void pv_virtio_iter_init(struct pv_virtio_iter *it,
			 const struct pv_virtio_req *req, bool writable,
			 uint64_t skip, uint64_t len)
{
	uint64_t total = writable ? req->write_len : req->read_len;

	it->req = req;
	it->seg = writable ? req->nread : 0;
	it->end = writable ? (unsigned)req->nread + req->nwrite : req->nread;
	it->off = 0;
	if (skip > total)
		skip = total;
	it->left = len < total - skip ? len : total - skip;
	while (skip && it->seg < it->end) {
		uint32_t l = req->seg[it->seg].len;

		if (skip < l) {
			it->off = (uint32_t)skip;
			break;
		}
		skip -= l;
		it->seg++;
	}
}

uint8_t *pv_virtio_iter_peek(const struct pv_virtio *v,
			     const struct pv_virtio_iter *it, uint32_t *len)
{
	const struct pv_virtio_seg *s;
	unsigned seg = it->seg;
	uint32_t off = it->off;
	uint64_t n;

	while (seg < it->end && off >= it->req->seg[seg].len) {
		seg++;
		off = 0;
	}
	if (!it->left || seg >= it->end)
		return NULL;
	s = &it->req->seg[seg];
	n = s->len - off;
	if (n > it->left)
		n = it->left;
	return ram_chunk(v->env.map, (uint64_t)s->gpa + off, n, len);
}

void pv_virtio_iter_advance(struct pv_virtio_iter *it, uint32_t n)
{
	while (it->seg < it->end && it->off >= it->req->seg[it->seg].len) {
		it->seg++;
		it->off = 0;
	}
	if (n > it->left)
		n = (uint32_t)it->left;
	it->off += n;
	it->left -= n;
}

static uint64_t copy(const struct pv_virtio *v, const struct pv_virtio_req *req,
		     bool to_guest, uint64_t skip, uint8_t *host, uint64_t len)
{
	struct pv_virtio_iter it;
	uint64_t done = 0;
	uint32_t n;
	uint8_t *p;

	pv_virtio_iter_init(&it, req, to_guest, skip, len);
	while ((p = pv_virtio_iter_peek(v, &it, &n))) {
		if (to_guest)
			pv_memcpy(p, host + done, n);
		else
			pv_memcpy(host + done, p, n);
		pv_virtio_iter_advance(&it, n);
		done += n;
	}
	return done;
}

uint64_t pv_virtio_copy_from(const struct pv_virtio *v,
			     const struct pv_virtio_req *req, uint64_t skip,
			     void *dst, uint64_t len)
{
	return copy(v, req, false, skip, dst, len);
}

uint64_t pv_virtio_copy_to(const struct pv_virtio *v,
			   const struct pv_virtio_req *req, uint64_t skip,
			   const void *src, uint64_t len)
{
	return copy(v, req, true, skip, (uint8_t *)(uintptr_t)src, len);
}

/* ---- the platform's side -------------------------------------------------- */

void pv_virtio_poll(struct pv_virtio *v)
{
	if (live(v) && v->model->poll)
		v->model->poll(v);
}

bool pv_virtio_wants_poll(const struct pv_virtio *v)
{
	return v->want_poll && live(v);
}

int pv_virtio_check(const struct pv_virtio *v)
{
	if (!v->model)
		return 0;
	if (v->model->nqueues < 1 || v->model->nqueues > PV_VIRTIO_MAX_QUEUES ||
	    v->model->config_size > PV_VIRTIO_CONFIG_MAX)
		return PV_ESTATE;
	if (v->isr & ~(PV_VIRTIO_INT_VRING | PV_VIRTIO_INT_CONFIG) ||
	    v->line != (v->isr != 0))
		return PV_ESTATE;
	if (v->status & ~0xffu || v->status & PV_VIRTIO_S_NEEDS_RESET ||
	    v->broken != (v->broken_why != PV_VIRTIO_OK))
		return PV_ESTATE;
	if ((v->status & PV_VIRTIO_S_FEATURES_OK) && !features_acceptable(v))
		return PV_ESTATE;
	if (v->want_poll && !v->model->poll)
		return PV_ESTATE;
	for (unsigned i = 0; i < PV_VIRTIO_MAX_QUEUES; i++) {
		const struct pv_virtq *q = &v->q[i];

		if (i >= v->model->nqueues && (q->ready || q->num || q->desc ||
					       q->avail || q->used))
			return PV_ESTATE;
		if (!q->ready)
			continue;
		if (!queue_valid(v, q))
			return PV_ESTATE;
		if (!v->broken && q->used_idx != q->last_avail)
			return PV_ESTATE;
	}
	return 0;
}
