/* SPDX-License-Identifier: MIT */
/**
 * DOC: the VM object and its configuration
 *
 * A &struct pv_vm holds everything one guest needs: its vCPUs, memory map,
 * shadow engine and devices. The caller allocates it (statically, on its
 * stack or from its own allocator); the library never allocates.
 */
#ifndef PVCORE_VM_H
#define PVCORE_VM_H

#include <pvcore/backend.h>
#include <pvcore/devices.h>
#include <pvcore/memmap.h>
#include <pvcore/shadow.h>
#include <pvcore/trap.h>
#include <pvcore/vcpu.h>

#define PV_MAX_VCPUS 4
#define PV_TRACE_ENTRIES 64

/*
 * Default VMM window: 0xfff00000-0xfffdffff, which Linux/ARM leaves unused,
 * ending below the guest's own vector page and kuser helpers at 0xffff0000.
 */
#define PV_DEFAULT_WINDOW_BASE 0xfff00000u
#define PV_DEFAULT_WINDOW_SIZE 0x000e0000u

/**
 * struct pv_vm_config - everything the backend decides
 * @ops: the backend operations (backend.h); all must be non-NULL but @log
 * @ctx: passed back to every operation
 * @ram: guest RAM regions and their host backing
 * @ram_count: number of valid @ram entries (at least 1)
 * @shadow_pool: memory for shadow tables
 * @window_base: guest-virtual base of the VMM window (1 MiB aligned)
 * @window_size: its size (a 4 KiB multiple; see shadow.h for a size that
 *               is not a MiB multiple, which leaves the rest of the last MiB
 *               to the guest, e.g. Linux's vector page)
 * @window_l1: DIV_ROUND_UP(@window_size, 1 MiB) host first-level descriptors
 *             that map the VMM window (the last one a section if the size
 *             is not a MiB multiple); copied into every shadow root. They
 *             must grant no PL0 access (the guest runs at host PL0).
 * @ttbr_attrs: walk attribute bits (IRGN/RGN/S/NOS) ORed into every TTBR0
 *              value handed back in &struct pv_resume
 * @num_vcpus: 1..PV_MAX_VCPUS
 * @patch_sites: pvpatch site table (patch.h) or NULL for an unpatched guest
 */
struct pv_patch_table;

struct pv_vm_config {
	const struct pv_backend_ops *ops;
	void *ctx;
	struct pv_ram_region ram[PV_MAX_RAM_REGIONS];
	unsigned ram_count;
	struct pv_pool shadow_pool;
	uint32_t window_base;
	uint32_t window_size;
	const uint32_t *window_l1;
	uint32_t ttbr_attrs;
	unsigned num_vcpus;
	const struct pv_patch_table *patch_sites;
};

/** struct pv_trace_entry - one trap, for the post-mortem ring. */
struct pv_trace_entry {
	uint32_t pc;
	uint32_t insn;
	uint32_t cpsr;
	uint32_t info; /* FAR for aborts, else 0 */
	uint8_t kind;  /* enum pv_trap_kind */
	uint8_t reason; /* enum pv_trap_reason */
	uint8_t vcpu;
};

/**
 * struct pv_vm - one virtual machine
 * @cfg: the configuration, copied at init
 * @map: guest-physical memory map
 * @shadow: shadow page-table engine state
 * @dev: device models
 * @vcpu: the vCPUs
 * @counters: per-reason trap counters
 * @trace: ring of the last PV_TRACE_ENTRIES traps; @trace_next is the slot
 *         to write next (it counts up without wrapping)
 */
struct pv_vm {
	struct pv_vm_config cfg;
	struct pv_memmap map;
	struct pv_shadow shadow;
	struct pv_devices dev;
	struct pv_vcpu vcpu[PV_MAX_VCPUS];
	uint64_t counters[PV_TR_COUNT];
	struct pv_trace_entry trace[PV_TRACE_ENTRIES];
	uint32_t trace_next;
};

/**
 * pv_vm_init() - validate @cfg and build a VM in @vm
 * @vm: caller-owned storage; fully overwritten
 * @cfg: the configuration
 *
 * Resets every vCPU (pv_vcpu_reset()), registers RAM and the board's
 * devices, and prepares the shadow engine. On failure @vm is unusable and
 * nothing was asked of the backend.
 *
 * Return: 0; PV_EINVAL for a missing operation, a bad window or a vCPU
 * count out of range; PV_EEXIST for overlapping RAM; PV_ENOMEM when the
 * shadow pool is too small for even one address space; PV_EWINDOW if RAM
 * and the window overlap in guest-physical identity terms (MMU-off guests
 * would need them).
 */
int pv_vm_init(struct pv_vm *vm, const struct pv_vm_config *cfg);

/**
 * pv_vm_load() - copy an image into guest RAM
 * @vm: the VM
 * @gpa: destination guest-physical address
 * @data: the bytes
 * @len: their number
 *
 * Return: 0; PV_ERANGE if the destination is not entirely inside one RAM
 * region (nothing is copied).
 */
int pv_vm_load(struct pv_vm *vm, pv_gpa_t gpa, const void *data, size_t len);

/**
 * pv_vm_timer_expired() - the backend's one-shot timer fired.
 * Updates the virtual timers and re-arms the host timer. Call
 * pv_vcpu_poll() afterwards to deliver a resulting interrupt.
 */
void pv_vm_timer_expired(struct pv_vm *vm);

/**
 * pv_vm_phys_irq() - a physical interrupt routed to the VM changed level
 * Return: 0; PV_ERANGE if @host_irq is not mapped to a virtual line.
 */
int pv_vm_phys_irq(struct pv_vm *vm, unsigned host_irq, bool level);

/**
 * pv_vm_trap_count() - read one per-reason trap counter
 * Return: the count, or 0 for an out-of-range @reason.
 */
uint64_t pv_vm_trap_count(const struct pv_vm *vm, enum pv_trap_reason reason);

/**
 * pv_vm_count_trap() - record one handled trap: bump @reason's counter and
 * append to the trace ring. Used by the trap path.
 */
void pv_vm_count_trap(struct pv_vm *vm, const struct pv_vcpu *vcpu,
		      enum pv_trap_kind kind, enum pv_trap_reason reason,
		      uint32_t insn, uint32_t info);

/**
 * pv_vm_dump_trace() - write the trace ring and the trap counters through
 * the backend's log operation, oldest entry first. Does nothing if the
 * backend has no log.
 */
void pv_vm_dump_trace(const struct pv_vm *vm);

#endif /* PVCORE_VM_H */
