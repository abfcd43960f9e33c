/* SPDX-License-Identifier: MIT */
/* The VM object: configuration checks, setup, and the backend's accessors. */
#include <pvcore/error.h>

#include "cp15.h"
#include "vm_state.h"
#include "vpage.h"

#include "pv_internal.h"

_Static_assert(sizeof(struct pv_vm) <= PV_VM_STORAGE_SIZE,
	       "struct pv_vm outgrew PV_VM_STORAGE_SIZE");
_Static_assert(_Alignof(struct pv_vm) <= _Alignof(pv_vm_storage_t),
	       "struct pv_vm needs more alignment than pv_vm_storage_t");

size_t pv_vm_storage_size(void)
{
	return sizeof(struct pv_vm);
}

static bool ops_complete(const struct pv_backend_ops *o)
{
	return o && o->tlb_inval_all && o->tlb_inval_asid && o->tlb_inval_va &&
	       o->cache_clean_range && o->icache_inval_all && o->now_ns &&
	       o->timer_set && o->console_write && o->console_read &&
	       o->irq_route;
}

/* The operations a board device needs beyond the always-required ones. */
static bool device_ops_complete(enum pv_device_type type,
				const struct pv_backend_ops *o)
{
	switch (type) {
	case PV_DEV_VIRTIO_BLK:
		return o->blk_read && o->blk_write && o->blk_flush &&
		       o->blk_capacity;
	case PV_DEV_VIRTIO_NET:
		return o->net_send && o->net_recv && o->net_mac;
	case PV_DEV_VIRTIO_RNG:
		return o->rng_fill;
	default: /* the virtio console uses console_write/console_read */
		return true;
	}
}

static bool board_ops_complete(const struct pv_board *b,
			       const struct pv_backend_ops *o)
{
	for (unsigned i = 0; i < b->ndevices; i++)
		if (!device_ops_complete(b->devices[i].type, o))
			return false;
	return true;
}


/*
 * Guest RAM must sit inside the board's RAM range, clear of its devices,
 * and clear of the window's addresses: with its MMU off the guest reaches
 * guest-physical addresses at the same virtual addresses, and the window
 * covers those in every shadow table.
 */
static int check_ram(const struct pv_vm_config *cfg,
		     const struct pv_ram_region *r)
{
	const struct pv_board *b = cfg->board;
	uint64_t base = pv_gpa_val(r->gpa);

	if (!r->size || (base | r->size) & 0xfffu)
		return PV_EINVAL;
	if (base < b->ram_base ||
	    base + r->size > (uint64_t)b->ram_base + b->ram_size)
		return PV_ERANGE;
	for (unsigned i = 0; i < b->ndevices; i++)
		if (pv_ranges_overlap(base, r->size, b->devices[i].base,
			    b->devices[i].size))
			return PV_EEXIST;
	if (pv_ranges_overlap(base, r->size, cfg->window_base, cfg->window_size))
		return PV_EWINDOW;
	return 0;
}

static int check_config(const struct pv_vm_config *cfg)
{
	int err;

	if (!ops_complete(cfg->ops))
		return PV_EINVAL;
	if (!cfg->ram_count || cfg->ram_count > PV_MAX_RAM_REGIONS)
		return PV_EINVAL;
	if (!cfg->num_vcpus || cfg->num_vcpus > PV_MAX_VCPUS)
		return PV_EINVAL;
	if (cfg->window_base & 0xfffffu || cfg->window_size & 0xfffu ||
	    !cfg->window_size || !cfg->window_l1 ||
	    (uint64_t)cfg->window_base + cfg->window_size > (1ull << 32))
		return PV_EINVAL;
	if (pv_board_check(cfg->board) ||
	    !board_ops_complete(cfg->board, cfg->ops))
		return PV_EINVAL;
	for (unsigned i = 0; i < cfg->ram_count; i++) {
		err = check_ram(cfg, &cfg->ram[i]);
		if (err)
			return err;
	}
	/* A CP15 table out of order would make lookups miss registers. */
	return pv_cp15_check_table();
}

int pv_vm_init(struct pv_vm *vm, const struct pv_vm_config *cfg)
{
	struct pv_vm_config c = *cfg;
	int err;

	if (!c.board)
		c.board = &pv_board_default;
	err = check_config(&c);
	if (err)
		return err;
	pv_memset(vm, 0, sizeof(*vm));
	vm->cfg = c;
	for (unsigned i = 0; i < c.ram_count; i++) {
		err = pv_memmap_add_ram(&vm->map, &c.ram[i]);
		if (err)
			return err;
	}
	err = pv_devices_init(vm);
	if (err)
		return err;
	err = pv_vpage_check_config(vm);
	if (err)
		return err;
	err = pv_shadow_init(vm);
	if (err)
		return err;
	for (unsigned i = 0; i < c.num_vcpus; i++) {
		vm->vcpu[i].vm = vm;
		vm->vcpu[i].id = i;
		pv_vcpu_reset(&vm->vcpu[i]);
		/* Secondaries are off until a CPU_ON (pv_psci_reset()). */
		if (i)
			vm->vcpu[i].stop = PV_STOP_CPU_OFF;
	}
	return 0;
}

int pv_vm_load(struct pv_vm *vm, pv_gpa_t gpa, const void *data, size_t len)
{
	void *dst;

	if (len > UINT32_MAX)
		return PV_ERANGE;
	dst = pv_memmap_ram_hva(&vm->map, gpa, (uint32_t)len);
	if (!dst)
		return PV_ERANGE;
	pv_memcpy(dst, data, len);
	return 0;
}

struct pv_vcpu *pv_vm_vcpu(struct pv_vm *vm, unsigned id)
{
	return id < vm->cfg.num_vcpus ? &vm->vcpu[id] : NULL;
}

void pv_vm_timer_expired(struct pv_vm *vm)
{
	pv_devices_timer_expired(vm);
}
