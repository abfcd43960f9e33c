// SPDX-License-Identifier: MIT
/*
 * The kernel extension's state of one PV VM (kernel_vm.h). No libc: core
 * compiles it.
 */
#include "kernel_vm.h"

#include <pvcore/error.h>

#define MIB 0x100000ull
#define PAGE 0x1000ull
#define FOUR_GIB 0x100000000ull

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Whether [pa, pa + len) touches a frame the window's descriptors map. */
static bool hits_window(const struct pv_genode_kvm_geometry *g, uint64_t pa,
			uint64_t len)
{
	uint32_t whole = g->window_size / MIB, part = g->window_size % MIB;

	for (uint32_t i = 0; i < whole + (part != 0); i++) {
		uint64_t base = g->window_l1[i] & 0xfff00000u;

		if (overlap(pa, len, base, i < whole ? MIB : part))
			return true;
	}
	return false;
}

int pv_genode_kvm_create(struct pv_genode_kvm *k,
			 const struct pv_genode_kvm_geometry *geo)
{
	if (!k || !geo)
		return PV_EINVAL;
	if ((geo->window_base % MIB) || !geo->window_size ||
	    (geo->window_size % PAGE) || geo->window_size > 2 * MIB ||
	    geo->window_base + (uint64_t)geo->window_size > FOUR_GIB)
		return PV_EINVAL;
	if (!geo->asid_first || geo->asid_last < geo->asid_first ||
	    (unsigned)(geo->asid_last - geo->asid_first) + 1 < PV_VM_MIN_ASIDS)
		return PV_EINVAL;
	*k = (struct pv_genode_kvm){ .geo = *geo, .phase = PV_GENODE_KVM_NEW };
	return 0;
}

int pv_genode_kvm_attach_ram(struct pv_genode_kvm *k, uint64_t pa,
			     uint64_t size)
{
	if (!k)
		return PV_EINVAL;
	if (k->phase != PV_GENODE_KVM_NEW)
		return PV_EBUSY;
	if (!size || (pa % PAGE) || (size % PAGE))
		return PV_EINVAL;
	if (pa + size > FOUR_GIB || hits_window(&k->geo, pa, size))
		return PV_ERANGE;
	k->ram.pa = pa;
	k->ram.size = size;
	k->phase = PV_GENODE_KVM_RAM;
	return 0;
}

int pv_genode_kvm_init_tables(struct pv_genode_kvm *k, const void *vmm_pool,
			      void *copy, uint64_t copy_pa, uint32_t pool_size,
			      const struct pv_shadow_layout *lay)
{
	int err;

	if (!k)
		return PV_EINVAL;
	if (k->phase != PV_GENODE_KVM_RAM)
		return PV_EBUSY;
	if (overlap(copy_pa, pool_size, k->ram.pa, k->ram.size) ||
	    hits_window(&k->geo, copy_pa, pool_size) ||
	    copy_pa + pool_size > FOUR_GIB)
		return PV_ERANGE;
	err = pv_genode_walker_init(&k->walker, vmm_pool, copy, copy_pa,
				    pool_size, lay, &k->ram, 1,
				    k->geo.window_base, k->geo.window_size,
				    k->geo.window_l1);
	if (err)
		return err;
	k->phase = PV_GENODE_KVM_READY;
	return 0;
}

/* The phase's answer to a replay or a run, before any work. */
static int ready(const struct pv_genode_kvm *k)
{
	if (!k)
		return PV_EINVAL;
	if (k->phase == PV_GENODE_KVM_BROKEN)
		return PV_ESTATE;
	return k->phase == PV_GENODE_KVM_READY ? 0 : PV_EBUSY;
}

int pv_genode_kvm_replay(struct pv_genode_kvm *k,
			 const struct pv_genode_table_log *log,
			 const struct pv_genode_tlb_ops *tlb, void *ctx)
{
	int err = ready(k);

	if (err)
		return err;
	err = pv_genode_walker_apply(&k->walker, log, tlb, ctx);
	if (err) {
		k->phase = PV_GENODE_KVM_BROKEN;
		return err;
	}
	k->replays++;
	return 0;
}

int pv_genode_kvm_run(struct pv_genode_kvm *k,
		      const struct pv_genode_table_log *log,
		      const struct pv_genode_tlb_ops *tlb, void *ctx,
		      const struct pv_genode_vcpu_state *state)
{
	int err = pv_genode_kvm_replay(k, log, tlb, ctx);

	if (err)
		return err;
	if (!state) {
		k->phase = PV_GENODE_KVM_BROKEN;
		return PV_EINVAL;
	}
	err = pv_genode_run_take(&k->walker, k->geo.asid_first,
				 k->geo.asid_last, k->geo.ttbr_attrs,
				 &state->run, &k->run);
	if (err) {
		k->phase = PV_GENODE_KVM_BROKEN;
		return err;
	}
	k->runs++;
	return 0;
}

void pv_genode_kvm_revoke(struct pv_genode_kvm *k)
{
	if (!k)
		return;
	if (k->walker.copy)
		for (uint32_t i = 0; i < k->walker.pool_size / 4; i++)
			k->walker.copy[i] = 0;
	k->walker.broken = true;
	k->phase = PV_GENODE_KVM_BROKEN;
}
