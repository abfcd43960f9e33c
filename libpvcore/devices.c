/* SPDX-License-Identifier: MIT */
/*
 * The virtual board: instantiates the device models the board descriptor
 * lists (board.h), and wires them to the memory map, the backend's clock,
 * one-shot timer, console and virtio data path, and host interrupts.
 */
#include <pvcore/board.h>
#include <pvcore/error.h>

#include "psci.h"
#include "vm_state.h"

#include "pv_internal.h"

static uint64_t now_ns(const struct pv_vm *vm)
{
	return vm->cfg.ops->now_ns(vm->cfg.ctx);
}

/* The accessing CPU; the trap path keeps the GIC's notion current. */
static unsigned cur_cpu(const struct pv_vm *vm)
{
	return vm->dev.gic.cur_cpu;
}

/*
 * A watchdog in watchdog mode that reached zero asserts the A9's
 * WDRESETREQ; on this board that resets the system. The request is
 * latched here; the trap dispatcher stops each vCPU with PV_STOP_RESET at
 * its next pv_vcpu_poll() or trap (pv_devices_reset_requested()).
 */
static void check_watchdog(struct pv_vm *vm)
{
	struct pv_devices *d = &vm->dev;
	const struct pv_backend_ops *ops = vm->cfg.ops;

	if (d->reset_request)
		return;
	for (unsigned cpu = 0; cpu < d->timers.ncpus; cpu++) {
		if (!d->timers.twd[cpu].reset_request)
			continue;
		d->reset_request = true;
		if (ops->log)
			ops->log(vm->cfg.ctx, "pvcore: guest watchdog expired: reset");
		return;
	}
}


static bool virtio_wants_poll(const struct pv_devices *d)
{
	for (unsigned i = 0; i < d->nvirtio; i++)
		if (pv_virtio_wants_poll(d->virtio[i]))
			return true;
	return false;
}

static void virtio_poll(struct pv_devices *d)
{
	for (unsigned i = 0; i < d->nvirtio; i++)
		pv_virtio_poll(d->virtio[i]);
}

/* Program the host one-shot with the earliest device deadline. */
static void rearm(struct pv_vm *vm, uint64_t now)
{
	struct pv_devices *d = &vm->dev;
	uint64_t next = pv_a9_timers_next_deadline(&d->timers);

	check_watchdog(vm);
	if (!pv_pl011_wants_poll(&d->uart))
		d->poll_at = PV_TIMER_NEVER;
	else if (d->poll_at == PV_TIMER_NEVER)
		d->poll_at = now + PV_PL011_POLL_NS;
	if (d->poll_at < next)
		next = d->poll_at;
	if (!virtio_wants_poll(d))
		d->vpoll_at = PV_TIMER_NEVER;
	else if (d->vpoll_at == PV_TIMER_NEVER)
		d->vpoll_at = now + PV_VIRTIO_POLL_NS;
	if (d->vpoll_at < next)
		next = d->vpoll_at;
	if (next != d->armed) {
		d->armed = next;
		vm->cfg.ops->timer_set(vm->cfg.ctx, next);
	}
}

/* ---- MMIO glue: the region's dev pointer is the VM ---------------------- */

static int scu_rd(void *dev, uint32_t off, unsigned size, uint64_t *val)
{
	struct pv_vm *vm = dev;
	uint32_t v;
	int err = pv_scu_read(&vm->dev.scu, off, size, &v);

	*val = v;
	return err;
}

static int scu_wr(void *dev, uint32_t off, unsigned size, uint64_t val)
{
	struct pv_vm *vm = dev;

	return pv_scu_write(&vm->dev.scu, off, size, (uint32_t)val);
}

static int twd_rd(void *dev, uint32_t off, unsigned size, uint64_t *val)
{
	struct pv_vm *vm = dev;
	uint64_t now = now_ns(vm);
	uint32_t v;
	int err = pv_a9_twd_read(&vm->dev.timers, cur_cpu(vm), now, off, size, &v);

	*val = v;
	rearm(vm, now);
	return err;
}

static int twd_wr(void *dev, uint32_t off, unsigned size, uint64_t val)
{
	struct pv_vm *vm = dev;
	uint64_t now = now_ns(vm);
	int err = pv_a9_twd_write(&vm->dev.timers, cur_cpu(vm), now, off, size,
				  (uint32_t)val);

	rearm(vm, now);
	return err;
}

static int gt_rd(void *dev, uint32_t off, unsigned size, uint64_t *val)
{
	struct pv_vm *vm = dev;
	uint64_t now = now_ns(vm);
	uint32_t v;
	int err = pv_a9_gt_read(&vm->dev.timers, cur_cpu(vm), now, off, size, &v);

	*val = v;
	rearm(vm, now);
	return err;
}

static int gt_wr(void *dev, uint32_t off, unsigned size, uint64_t val)
{
	struct pv_vm *vm = dev;
	uint64_t now = now_ns(vm);
	int err = pv_a9_gt_write(&vm->dev.timers, cur_cpu(vm), now, off, size,
				 (uint32_t)val);

	rearm(vm, now);
	return err;
}

static int uart_rd(void *dev, uint32_t off, unsigned size, uint64_t *val)
{
	struct pv_vm *vm = dev;
	uint32_t v;
	int err = pv_pl011_read(&vm->dev.uart, off, size, &v);

	*val = v;
	rearm(vm, now_ns(vm));
	return err;
}

static int uart_wr(void *dev, uint32_t off, unsigned size, uint64_t val)
{
	struct pv_vm *vm = dev;
	int err = pv_pl011_write(&vm->dev.uart, off, size, (uint32_t)val);

	rearm(vm, now_ns(vm));
	return err;
}

/* A virtio window's dev pointer is its device; the owner is the VM. */
static int virtio_rd(void *dev, uint32_t off, unsigned size, uint64_t *val)
{
	uint32_t v;
	int err = pv_virtio_read(dev, off, size, &v);

	*val = v;
	return err;
}

static int virtio_wr(void *dev, uint32_t off, unsigned size, uint64_t val)
{
	struct pv_virtio *v = dev;
	struct pv_vm *vm = v->env.owner;
	int err = pv_virtio_write(v, off, size, (uint32_t)val);

	rearm(vm, now_ns(vm));
	return err;
}

static const struct pv_mmio_ops scu_ops = { scu_rd, scu_wr };
static const struct pv_mmio_ops twd_ops = { twd_rd, twd_wr };
static const struct pv_mmio_ops gt_ops = { gt_rd, gt_wr };
static const struct pv_mmio_ops uart_ops = { uart_rd, uart_wr };
static const struct pv_mmio_ops virtio_ops = { virtio_rd, virtio_wr };

/* The model and register interface of each device type. */
static const struct pv_mmio_ops *const type_ops[PV_DEV_TYPE_COUNT] = {
	[PV_DEV_A9_SCU] = &scu_ops,
	[PV_DEV_GIC_CPU] = &pv_gic_cpu_mmio_ops,
	[PV_DEV_GIC_DIST] = &pv_gic_dist_mmio_ops,
	[PV_DEV_A9_GTIMER] = &gt_ops,
	[PV_DEV_A9_TWD] = &twd_ops,
	[PV_DEV_PL011] = &uart_ops,
	[PV_DEV_VIRTIO_CONSOLE] = &virtio_ops,
	[PV_DEV_VIRTIO_BLK] = &virtio_ops,
	[PV_DEV_VIRTIO_NET] = &virtio_ops,
	[PV_DEV_VIRTIO_RNG] = &virtio_ops,
};

/*
 * Instantiate the virtio device of @dev's type; return it, or NULL if
 * @dev is no virtio device.
 */
static struct pv_virtio *virtio_init(struct pv_vm *vm,
				     const struct pv_board_device *dev)
{
	struct pv_devices *d = &vm->dev;
	const struct pv_virtio_env env = {
		.map = &vm->map,
		.ops = vm->cfg.ops,
		.ctx = vm->cfg.ctx,
		.gic = &d->gic,
		.irq = dev->irq[0],
		.owner = vm,
	};

	switch (dev->type) {
	case PV_DEV_VIRTIO_CONSOLE:
		/* A wired PL011 has the input while its receiver is on. */
		pv_virtio_console_init(&d->vcon, &env,
				       pv_board_find(vm->cfg.board, PV_DEV_PL011)
				       ? &d->uart : NULL);
		return &d->vcon.vdev;
	case PV_DEV_VIRTIO_BLK:
		pv_virtio_blk_init(&d->vblk, &env);
		return &d->vblk.vdev;
	case PV_DEV_VIRTIO_NET:
		pv_virtio_net_init(&d->vnet, &env);
		return &d->vnet.vdev;
	case PV_DEV_VIRTIO_RNG:
		pv_virtio_rng_init(&d->vrng, &env);
		return &d->vrng.vdev;
	default:
		return NULL;
	}
}

int pv_devices_init(struct pv_vm *vm)
{
	struct pv_devices *d = &vm->dev;
	const struct pv_vm_config *cfg = &vm->cfg;
	const struct pv_board *b = cfg->board;
	const struct pv_board_device *twd, *gt, *uart;
	uint16_t ppi[PV_A9_LINES];
	uint64_t now = cfg->ops->now_ns(cfg->ctx);
	int err;

	pv_memset(d, 0, sizeof(*d));
	if (pv_board_check(b))
		return PV_EINVAL;
	twd = pv_board_find(b, PV_DEV_A9_TWD);
	gt = pv_board_find(b, PV_DEV_A9_GTIMER);
	uart = pv_board_find(b, PV_DEV_PL011);
	ppi[PV_A9_LINE_TWD] = twd->irq[0];
	ppi[PV_A9_LINE_WDT] = twd->irq[1];
	ppi[PV_A9_LINE_GT] = gt->irq[0];
	err = pv_gic_init(&d->gic, cfg->num_vcpus, vm->vcpu);
	if (err)
		return err;
	err = pv_a9_timers_init(&d->timers, cfg->num_vcpus, &d->gic, ppi, now);
	if (err)
		return err;
	/* A board without a UART still has the model, unwired. */
	pv_pl011_init(&d->uart, cfg->ops, cfg->ctx, uart ? &d->gic : NULL,
		      uart ? uart->irq[0] : 0);
	pv_scu_init(&d->scu, cfg->num_vcpus);
	pv_psci_reset(vm);
	d->armed = PV_TIMER_NEVER;
	d->poll_at = PV_TIMER_NEVER;
	d->vpoll_at = PV_TIMER_NEVER;
	for (unsigned i = 0; i < b->ndevices; i++) {
		const struct pv_board_device *dev = &b->devices[i];
		bool gic = dev->type == PV_DEV_GIC_CPU ||
			   dev->type == PV_DEV_GIC_DIST;
		struct pv_virtio *v = virtio_init(vm, dev);
		void *model = gic ? (void *)&d->gic : v ? (void *)v : (void *)vm;

		/* pv_board_check() allows one device of each virtio type. */
		if (v && d->nvirtio < PV_ARRAY_SIZE(d->virtio))
			d->virtio[d->nvirtio++] = v;
		err = pv_memmap_add_mmio(&vm->map, pv_gpa(dev->base), dev->size,
					 0, type_ops[dev->type], model,
					 dev->name);
		if (err)
			return err;
	}
	return 0;
}

void pv_devices_timer_expired(struct pv_vm *vm)
{
	struct pv_devices *d = &vm->dev;
	uint64_t now = now_ns(vm);

	d->armed = PV_TIMER_NEVER; /* the one-shot is spent */
	pv_a9_timers_sync(&d->timers, now);
	if (d->poll_at != PV_TIMER_NEVER && now >= d->poll_at) {
		d->poll_at = PV_TIMER_NEVER;
		pv_pl011_poll(&d->uart);
	}
	if (d->vpoll_at != PV_TIMER_NEVER && now >= d->vpoll_at) {
		d->vpoll_at = PV_TIMER_NEVER;
		virtio_poll(d);
	}
	rearm(vm, now);
}

/* Any host input: console bytes for the UART and the virtio console,
 * frames for the virtio network device. */
void pv_vm_console_input(struct pv_vm *vm)
{
	pv_pl011_poll(&vm->dev.uart);
	virtio_poll(&vm->dev);
	rearm(vm, now_ns(vm));
}

/* Interrupt IDs the board's own devices drive. */
static bool virq_is_board(const struct pv_board *b, unsigned virq)
{
	for (unsigned i = 0; i < b->ndevices; i++)
		for (unsigned k = 0; k < PV_ARRAY_SIZE(b->devices[i].irq); k++)
			if (b->devices[i].irq[k] == virq)
				return true;
	return false;
}

int pv_vm_map_phys_irq(struct pv_vm *vm, unsigned host_irq, unsigned virq)
{
	struct pv_devices *d = &vm->dev;
	int err;

	if (virq < PV_GIC_NR_SGIS || virq >= PV_GIC_NR_IRQS ||
	    host_irq > UINT16_MAX)
		return PV_ERANGE;
	if (virq_is_board(vm->cfg.board, virq))
		return PV_EBUSY;
	for (unsigned i = 0; i < d->nphys; i++) {
		if (d->phys[i].host_irq == host_irq)
			return PV_EEXIST;
		if (d->phys[i].virq == virq)
			return PV_EBUSY;
	}
	if (d->nphys == PV_MAX_PHYS_IRQS)
		return PV_ENOMEM;
	err = vm->cfg.ops->irq_route(vm->cfg.ctx, host_irq, true);
	if (err)
		return err;
	d->phys[d->nphys].host_irq = (uint16_t)host_irq;
	d->phys[d->nphys].virq = (uint16_t)virq;
	d->nphys++;
	return 0;
}

int pv_vm_phys_irq(struct pv_vm *vm, unsigned host_irq, bool level)
{
	struct pv_devices *d = &vm->dev;

	for (unsigned i = 0; i < d->nphys; i++)
		if (d->phys[i].host_irq == host_irq)
			return pv_gic_set_line(&d->gic, 0, d->phys[i].virq, level);
	return PV_ERANGE;
}
