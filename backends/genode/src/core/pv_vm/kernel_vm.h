/* SPDX-License-Identifier: MIT */
/*
 * The kernel extension's state of one PV VM (docs/genode.md): the PV VM
 * session's calls (pv_vm_session/pv_vm_session.h), in order and checked,
 * over the checked copy of the tables (table_check.h) and the check of the
 * run half (run_check.h).
 *
 * Portable C with no Genode dependency, so that the host tests drive it
 * with what pvcore and the VMM's backend really produce
 * (tests/unit/test_genode_vmm.c); core's session component is to be thin
 * glue around it (RPC, dataspaces, the kernel's vCPU job).
 *
 * The order: pv_genode_kvm_create() with the kernel's geometry, then
 * attach_ram() once, init_tables() once, then replay() and run() as often
 * as the VMM likes. A refused log or run half breaks the VM for good: the
 * kernel never runs it again, and says so to every later call.
 */
#ifndef PV_GENODE_KERNEL_VM_H
#define PV_GENODE_KERNEL_VM_H

#include <stdint.h>

#include <pv_genode/table_log.h>
#include <pv_genode/vcpu_state.h>
#include "run_check.h"
#include "table_check.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct pv_genode_kvm_geometry - what the kernel decided for the VM
 * @window_base, @window_size: the kernel's window (the MiB that holds its
 *     vectors and the guest context's entry code)
 * @window_l1: its first-level descriptors (ceil(@window_size / 1 MiB))
 * @asid_first, @asid_last: the VM's host ASIDs
 * @ttbr_attrs: the kernel's walk attributes for TTBR0
 */
struct pv_genode_kvm_geometry {
	uint32_t window_base, window_size;
	uint32_t window_l1[2];
	uint8_t asid_first, asid_last;
	uint32_t ttbr_attrs;
};

enum pv_genode_kvm_phase {
	PV_GENODE_KVM_NEW,     /* created: the RAM is next */
	PV_GENODE_KVM_RAM,     /* RAM attached: the tables are next */
	PV_GENODE_KVM_READY,   /* replays and runs */
	PV_GENODE_KVM_BROKEN,  /* a log or run half was refused: never runs */
};

struct pv_genode_kvm {
	struct pv_genode_kvm_geometry geo;
	enum pv_genode_kvm_phase phase;
	struct pv_genode_frames ram;  /* the one frame range the VM may map */
	struct pv_genode_walker walker;
	struct pv_genode_run run;     /* the checked copy the kernel loads */
	uint64_t replays, runs;
};

/**
 * pv_genode_kvm_create() - a new VM with the kernel's geometry
 *
 * Return: 0; PV_EINVAL for a NULL argument, a window that is not MiB
 * aligned, empty, not a 4 KiB multiple, longer than two MiBs or past
 * 4 GiB, or an ASID range with 0 in it or fewer than PV_VM_MIN_ASIDS.
 */
int pv_genode_kvm_create(struct pv_genode_kvm *k,
			 const struct pv_genode_kvm_geometry *geo);

/**
 * pv_genode_kvm_attach_ram() - the VM's RAM: the frames its tables may name
 * @pa, @size: a physically contiguous range (the RAM dataspace)
 *
 * Return: 0; PV_EBUSY unless the VM is new (once only); PV_EINVAL for an
 * empty range or one not in whole 4 KiB pages; PV_ERANGE for a range past
 * 4 GiB or overlapping the window's frames (a guest page there would be
 * the kernel's vectors). Nothing changes on an error.
 */
int pv_genode_kvm_attach_ram(struct pv_genode_kvm *k, uint64_t pa,
			     uint64_t size);

/**
 * pv_genode_kvm_init_tables() - the checked copy for the VMM's pool
 * @vmm_pool: the VMM's pool as the kernel reads it
 * @copy, @copy_pa: @pool_size bytes of kernel memory, 16 KiB aligned
 * @lay: pv_vm_shadow_layout() as the VMM reported it (checked)
 *
 * Return: 0; PV_EBUSY unless the RAM is attached and the tables are not
 * (once only); PV_ERANGE if the copy overlaps the VM's RAM or the
 * window's frames (the guest could then write its own tables); an error
 * of pv_genode_walker_init() for the geometry. Nothing changes on an
 * error.
 */
int pv_genode_kvm_init_tables(struct pv_genode_kvm *k, const void *vmm_pool,
			      void *copy, uint64_t copy_pa, uint32_t pool_size,
			      const struct pv_shadow_layout *lay);

/**
 * pv_genode_kvm_replay() - replay the VMM's table log into the copy
 *
 * Return: 0; PV_EBUSY before the tables; PV_ESTATE for a broken VM; an
 * error of pv_genode_walker_apply(), which breaks the VM.
 */
int pv_genode_kvm_replay(struct pv_genode_kvm *k,
			 const struct pv_genode_table_log *log,
			 const struct pv_genode_tlb_ops *tlb, void *ctx);

/**
 * pv_genode_kvm_run() - the log replayed, then the run half taken
 * @state: the vCPU state page (VMM memory: its run half read once)
 *
 * On success @k's run holds the checked registers the kernel loads.
 *
 * Return: 0; as pv_genode_kvm_replay(); an error of
 * pv_genode_run_take(), which breaks the VM.
 */
int pv_genode_kvm_run(struct pv_genode_kvm *k,
		      const struct pv_genode_table_log *log,
		      const struct pv_genode_tlb_ops *tlb, void *ctx,
		      const struct pv_genode_vcpu_state *state);

/**
 * pv_genode_kvm_revoke() - the VM's RAM is going away: never run again
 *
 * For the session when the RAM dataspace it attached is freed under it
 * (its frames go back to core and to whoever gets them next), and when
 * its exit signal context is (the kernel vCPU, with the guest's VFP
 * registers, is destroyed first). Breaks the
 * VM and clears every word of the checked copy, so that no table the MMU
 * walks names those frames any more; the caller then invalidates the VM's
 * ASIDs in the TLBs. Idempotent; harmless in any phase.
 */
void pv_genode_kvm_revoke(struct pv_genode_kvm *k);

#ifdef __cplusplus
}
#endif

#endif /* PV_GENODE_KERNEL_VM_H */
