/*
 * \brief  The PV VM service of core on imx6q_sabrelite
 *
 * SPDX-License-Identifier: MIT
 *
 * base-hw calls platform_add_local_services() once at start-up; on this
 * board, selected by lib/mk/spec/arm_v7/core-hw-imx6q_sabrelite.mk, it
 * sets up the window every guest context shares (window.h) and registers
 * the PV_VM service (docs/genode.md).
 */

#include <base/heap.h>
#include <base/service.h>
#include <root/component.h>

/* core includes */
#include <core_service.h>
#include <map_local.h>
#include <platform.h>
#include <platform_services.h>
#include <vm_root.h>

#include "session_component.h"

namespace Pv_vm { class Root; }

extern ::uint32_t pv_window_bridge_ttbr0;


class Pv_vm::Root : public Root_component<Session_component>
{
	private:

		Ram_allocator        &_ram;
		Mapped_ram_allocator &_mapped_ram;
		Local_rm             &_local_rm;
		Window_info const    &_window;

		/* every session, for core's signal broker (Revoke_hook below) */
		Registry<Revoke> _sessions { };

	protected:

		Create_result _create_session(const char *args) override
		{
			auto asids = platform_specific().pd_id_alloc().alloc(ASID_BLOCK_LOG2);
			if (asids.failed()) {
				error("PV_VM: no block of ", 1u << ASID_BLOCK_LOG2, " ASIDs left");
				return Create_error::DENIED;
			}

			addr_t const first = asids.convert<addr_t>([] (addr_t a) { return a; },
			                                           [] (auto) { return 0UL; });

			/* a session whose set-up failed refuses every call (constructed()) */
			return _alloc_obj(_sessions, *ep(), session_resources_from_args(args),
			                  session_label_from_args(args),
			                  _ram, _mapped_ram, _local_rm, _window,
			                  asids).template convert<Create_result>(
				[&] (Session_component &s) -> Session_component & { return s; },
				[&] (Create_error e) -> Create_error {
					platform_specific().pd_id_alloc().free(first, ASID_BLOCK_LOG2);
					return e; });
		}

		void _upgrade_session(Session_component &s, const char *args) override
		{
			s.upgrade(ram_quota_from_args(args));
			s.upgrade(cap_quota_from_args(args));
		}

	public:

		Root(Rpc_entrypoint &ep, Allocator &md_alloc, Ram_allocator &ram,
		     Mapped_ram_allocator &mapped_ram, Local_rm &local_rm,
		     Window_info const &window)
		:
			Root_component<Session_component>(&ep, &md_alloc),
			_ram(ram), _mapped_ram(mapped_ram), _local_rm(local_rm),
			_window(window)
		{ }

		void revoke_signal_context(Signal_context_capability cap)
		{
			_sessions.for_each([&] (Revoke &r) { r.revoke_signal_context(cap); });
		}
};


/*
 * How core's signal broker tells us that a signal context goes.
 *
 * Before it frees a context, base-hw's signal broker calls
 * platform_specific().revoke, which passes the context on to the IRQ
 * root and to the one Vm_root, so that no kernel vCPU keeps a reference
 * to a freed kernel object (signal_broker.h, platform.h). That pointer is
 * typed for base-hw's VM root, and this board has no VM session of its
 * own. So the PV VM root is reached through a Vm_root that is never
 * announced as a service: its constructor registers it, and its
 * revoke_signal_context() is overridden to pass the context on.
 */
namespace Pv_vm { class Revoke_hook; }

class Pv_vm::Revoke_hook : public Core::Vm_root
{
	private:

		/* qualified: in Vm_root's scope, Root is Genode::Root */
		Pv_vm::Root &_root;

	public:

		Revoke_hook(Rpc_entrypoint &ep, Allocator &md_alloc, Ram_allocator &ram,
		            Mapped_ram_allocator &mapped_ram, Local_rm &local_rm,
		            Core::Trace::Source_registry &trace_sources, Pv_vm::Root &root)
		:
			Vm_root(ep, md_alloc, ram, mapped_ram, local_rm, trace_sources),
			_root(root)
		{ }

		void revoke_signal_context(Signal_context_capability cap) override {
			_root.revoke_signal_context(cap); }
};


/*
 * base-hw defines this in the vm_session_component.cc of the boards that
 * have a Vm_session; this board has none, and the hook above is never
 * announced, so no client reaches it.
 */
Core::Vm_root::Create_result Core::Vm_root::_create_session(const char *)
{
	return Create_error::DENIED;
}


namespace {

	using namespace Core;

	/* base-hw's cached normal memory, shareable (Hw::Page_table_descriptor) */
	enum : Genode::uint32_t {
		SECTION_MEM = (5u << 12) | (1u << 2) | (1u << 16),  /* TEX 101, B, S */
		PAGE_MEM    = (5u << 6)  | (1u << 2) | (1u << 10),
		SECTION_PL1_RW = 1u << 10,   /* AP[1:0] = 01 */
		PAGE_PL1_RW    = 1u << 4,
	};

	/*
	 * The window's two frames at a MiB-aligned physical address (pvcore
	 * derives the pages of a partial window MiB from one section
	 * descriptor), the code copied in, and the bridge table that maps only
	 * them. Returns false, having logged why, if core cannot provide them.
	 */
	bool set_up_window(Mapped_ram_allocator &mapped_ram, Pv_vm::Window_info &w)
	{
		Genode::size_t const code_size = Genode::size_t(pv_window_code_end - pv_window_code_start);
		if (code_size > 4096) {
			error("PV_VM: window code of ", code_size, " bytes");
			return false;
		}

		bool ok = false;
		mapped_ram.alloc(PV_WIN_SIZE, Align { .log2 = 20 }).with_result(
			[&] (Mapped_ram_allocator::Allocation &a) {
				a.deallocate = false;
				memcpy(a.ptr(), pv_window_code_start, code_size);
				Board::Cpu::cache_coherent_region(a.virt, 4096);
				ok = map_local(a.phys, PV_WIN_BASE, 1, PAGE_FLAGS_KERN_TEXT) &&
				     map_local(a.phys + 4096, PV_WIN_SAVE, 1, PAGE_FLAGS_KERN_DATA);
				w.phys = a.phys;
			},
			[&] (auto) { error("PV_VM: no MiB-aligned frames for the window"); });
		if (!ok)
			return false;

		/* the bridge: an L1 table and one L2 table, the window only */
		ok = false;
		mapped_ram.alloc(16384 + 1024, Align { .log2 = 14 }).with_result(
			[&] (Mapped_ram_allocator::Allocation &a) {
				a.deallocate = false;
				Genode::uint32_t *l1 = (Genode::uint32_t *)a.ptr();
				Genode::uint32_t *l2 = l1 + 4096;
				l2[0] = Genode::uint32_t(w.phys) | PAGE_MEM | PAGE_PL1_RW | 2u;
				l2[1] = Genode::uint32_t(w.phys + 4096) | PAGE_MEM | PAGE_PL1_RW | 2u;
				l1[PV_WIN_BASE >> 20] = Genode::uint32_t(a.phys + 16384) | 1u;
				Board::Cpu::cache_clean_data_region(a.virt, 16384 + 1024);
				pv_window_bridge_ttbr0 = Genode::uint32_t(Board::Cpu::Ttbr::init(a.phys));
				ok = true;
			},
			[&] (auto) { error("PV_VM: no memory for the bridge table"); });
		if (!ok)
			return false;

		w.base       = PV_WIN_BASE;
		w.size       = PV_WIN_SIZE;
		w.l1[0]      = Genode::uint32_t(w.phys) | SECTION_MEM | SECTION_PL1_RW | 2u;
		w.l1[1]      = 0;
		w.ttbr_attrs = Genode::uint32_t(Board::Cpu::Ttbr::init(0)) & 0x7fu;

		/* the code page reaches every CPU's instruction fetch */
		asm volatile ("mcr p15, 0, %0, c7, c1, 0; mcr p15, 0, %0, c7, c1, 6;"
		              "dsb; isb" :: "r"(0) : "memory");
		return true;
	}
}


void Core::platform_add_local_services(Runtime &, Rpc_entrypoint &ep,
                                       Sliced_heap &sliced_heap,
                                       Registry<Service> &services,
                                       Trace::Source_registry &trace_sources,
                                       Ram_allocator &core_ram,
                                       Mapped_ram_allocator &mapped_ram,
                                       Local_rm &local_rm,
                                       Range_allocator &)
{
	static Pv_vm::Window_info window { };
	if (!set_up_window(mapped_ram, window)) {
		error("PV_VM: no service");
		return;
	}

	static Pv_vm::Root root(ep, sliced_heap, core_ram, mapped_ram, local_rm, window);
	static Pv_vm::Revoke_hook revoke_hook(ep, sliced_heap, core_ram, mapped_ram,
	                                      local_rm, trace_sources, root);
	static Core_service<Pv_vm::Session_component> service(services, root);
	log("PV_VM: window at ", Hex(window.base), " (frames ", Hex(window.phys),
	    "), ", 1u << Pv_vm::ASID_BLOCK_LOG2, " ASIDs per VM");
}
