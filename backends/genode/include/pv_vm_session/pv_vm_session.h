/*
 * \brief  The PV VM session: a guest context on a Cortex-A9 without
 *         virtualization extensions, for a user-level pvcore VMM
 *
 * SPDX-License-Identifier: MIT
 *
 * The interface between the pv_vmm component and the base-hw kernel
 * extension (docs/genode.md). One VM with one vCPU per session for now.
 *
 * Core serves it (src/core/pv_vm/session_component.h, the base-hw kernel
 * extension). The calls' order and checks are src/core/pv_vm/kernel_vm.c,
 * host-tested with the VMM's portable part (tests/unit/test_genode_vmm.c).
 *
 * The order of calls: attach_ram(), attach_pool() with a dataspace the
 * component allocated for pvcore's shadow pool, init_tables() with the
 * layout pvcore reports for it, then per
 * run: the component fills the run half of the state page
 * (pv_genode/vcpu_state.h) and calls run(); the kernel replays the table
 * log first (pv_genode/table_log.h), checks the run half, and runs the
 * guest context until its next exception, which it reports through the
 * exit signal with the exit half filled.
 */

#ifndef _INCLUDE__PV_VM_SESSION__PV_VM_SESSION_H_
#define _INCLUDE__PV_VM_SESSION__PV_VM_SESSION_H_

#include <base/rpc_args.h>
#include <base/signal.h>
#include <dataspace/capability.h>
#include <session/session.h>

namespace Pv_vm {

	using namespace Genode;

	struct Session;

	/**
	 * What the kernel decided for the VM, for pv_vm_config: its window
	 * (the MiB at 0xfff00000 that holds the kernel's vectors), the VM's
	 * host ASIDs, the walk attributes, and the physical addresses that
	 * shadow descriptors name.
	 */
	struct Geometry
	{
		uint32_t window_base;
		uint32_t window_size;
		uint32_t window_l1[2];  /* ceil(window_size / 1 MiB) used */
		uint8_t  asid_first;
		uint8_t  asid_last;
		uint32_t ttbr_attrs;
		uint64_t ram_phys;      /* of the attached RAM, 0 before */
		uint64_t copy_phys;     /* of the checked table copy, 0 before */
	};

	/**
	 * Where pvcore keeps its tables in the pool
	 * (pv_vm_shadow_layout(), pvcore/vm.h): checked by the kernel, not
	 * trusted.
	 */
	struct Layout
	{
		uint32_t roots_off, roots_size;
		uint32_t l2_off, l2_size;
		uint32_t part_l2;
	};

	enum class Result {
		OK,
		REFUSED,     /* the argument broke a check: nothing changed */
		BROKEN,      /* a log or run half was refused earlier: never runs */
		OUT_OF_RAM,  /* the session's quota does not cover the copy */
	};
}


struct Pv_vm::Session : Genode::Session
{
	static const char *service_name() { return "PV_VM"; }

	enum { CAP_QUOTA = 8 };

	virtual ~Session() { }

	/**
	 * The vCPU state page (struct pv_genode_vcpu_state)
	 */
	virtual Dataspace_capability state() = 0;

	/**
	 * The table log page (struct pv_genode_table_log)
	 */
	virtual Dataspace_capability table_log() = 0;

	/**
	 * The kernel's choices for this VM
	 */
	virtual Geometry geometry() = 0;

	/**
	 * Make @ram, one physically contiguous RAM dataspace of the
	 * component, the VM's guest RAM: the only frames a shadow
	 * descriptor may name besides the window's
	 */
	virtual Result attach_ram(Dataspace_capability ram) = 0;

	/**
	 * Take @pool, a RAM dataspace of the component (16 KiB aligned), as
	 * the shadow pool: the kernel allocates its copy of the pool's size
	 * from the session's quota, so that geometry() can report the copy's
	 * physical address, which pvcore's table links must name
	 */
	virtual Result attach_pool(Dataspace_capability pool) = 0;

	/**
	 * Create the checked copy of the tables, with pvcore's @layout of the
	 * attached pool (after pv_vm_init())
	 */
	virtual Result init_tables(Layout layout) = 0;

	/**
	 * Replay the table log into the copy and empty the log page
	 */
	virtual Result replay() = 0;

	/**
	 * Invalidate the instruction cache and branch predictor (the guest's
	 * ICIALLU, a loaded Image)
	 */
	virtual void icache_inval_all() = 0;

	/**
	 * Signal for each VM exit (the exit half of the state page is valid)
	 */
	virtual void exit_sigh(Signal_context_capability sigh) = 0;

	/**
	 * Replay the log, check the run half and run the vCPU until its next
	 * exception
	 */
	virtual Result run() = 0;

	/**
	 * Stop a running vCPU; it exits as for an interrupt. No effect on a
	 * vCPU that is not running (its exit may be on its way already).
	 */
	virtual void pause() = 0;


	/*********************
	 ** RPC declaration **
	 *********************/

	GENODE_RPC(Rpc_state, Dataspace_capability, state);
	GENODE_RPC(Rpc_table_log, Dataspace_capability, table_log);
	GENODE_RPC(Rpc_geometry, Geometry, geometry);
	GENODE_RPC(Rpc_attach_ram, Result, attach_ram, Dataspace_capability);
	GENODE_RPC(Rpc_attach_pool, Result, attach_pool, Dataspace_capability);
	GENODE_RPC(Rpc_init_tables, Result, init_tables, Layout);
	GENODE_RPC(Rpc_replay, Result, replay);
	GENODE_RPC(Rpc_icache_inval_all, void, icache_inval_all);
	GENODE_RPC(Rpc_exit_sigh, void, exit_sigh, Signal_context_capability);
	GENODE_RPC(Rpc_run, Result, run);
	GENODE_RPC(Rpc_pause, void, pause);

	GENODE_RPC_INTERFACE(Rpc_state, Rpc_table_log, Rpc_geometry,
	                     Rpc_attach_ram, Rpc_attach_pool, Rpc_init_tables,
	                     Rpc_replay,
	                     Rpc_icache_inval_all, Rpc_exit_sigh, Rpc_run,
	                     Rpc_pause);
};

#endif /* _INCLUDE__PV_VM_SESSION__PV_VM_SESSION_H_ */
