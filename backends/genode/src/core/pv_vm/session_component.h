/*
 * \brief  Core's PV VM session: glue around kernel_vm.c
 *
 * SPDX-License-Identifier: MIT
 *
 * The service behind pv_vm_session/pv_vm_session.h. What is checked, and
 * in which order, is kernel_vm.c (host-tested); this file only finds the
 * dataspaces' frames, allocates the kernel's copy of the tables from the
 * session's quota, and creates and runs the kernel's vCPU (vcpu.cc).
 */

#ifndef _PV_VM__SESSION_COMPONENT_H_
#define _PV_VM__SESSION_COMPONENT_H_

#include <base/registry.h>
#include <base/session_object.h>
#include <dataspace/capability.h>
#include <util/reconstructible.h>

/* core includes */
#include <core_ram.h>
#include <dataspace_component.h>
#include <guest_memory.h>
#include <kernel/vcpu.h>
#include <object.h>
#include <revoke.h>

#include <pv_vm_session/pv_vm_session.h>
#include <pvcore/error.h>
#include "kernel_vm.h"
#include "window.h"

namespace Pv_vm {

	using namespace Core;

	class Session_component;

	/* What the root decided once for every VM (platform_services.cc). */
	struct Window_info
	{
		Genode::uint32_t base, size;
		Genode::uint32_t l1[2];
		uint64_t phys;         /* of its two frames */
		Genode::uint32_t ttbr_attrs;
	};

	static constexpr unsigned ASID_BLOCK_LOG2 = 4;  /* 16: PV_VM_MIN_ASIDS */
}


class Pv_vm::Session_component : public  Session_object<Pv_vm::Session>,
                                  public  Revoke,
                                  private Region_map_detach
{
	private:

		/* in the root's registry: core's signal broker reaches it there */
		Registry<Revoke>::Element _revoke_elem;

		Rpc_entrypoint &_ep;
		Local_rm       &_local_rm;

		Accounted_ram_allocator        _ram;
		Accounted_mapped_ram_allocator _mapped_ram;

		/* a page the VMM maps and core reads and writes */
		struct Page
		{
			Ram_allocator::Result ds;
			Local_rm::Attachment::Attempt at;

			Page(Accounted_ram_allocator &ram, Local_rm &rm)
			:
				ds(ram.try_alloc(4096, CACHED)),
				at(ds.convert<Local_rm::Attachment::Attempt>(
					[&] (Ram::Allocation &a) {
						Region_map::Attr attr { };
						attr.writeable = true;
						return rm.attach(a.cap, attr); },
					[] (auto) {
						return Region_map::Attach_error::INVALID_DATASPACE; }))
			{ }

			void *ptr()
			{
				return at.convert<void *>(
					[] (Local_rm::Attachment &a) { return a.ptr; },
					[] (auto) { return (void *)nullptr; });
			}

			Dataspace_capability cap()
			{
				return ds.convert<Dataspace_capability>(
					[] (Ram::Allocation &a) { return a.cap; },
					[] (auto) { return Dataspace_capability(); });
			}
		};

		Page _state_page { _ram, _local_rm };
		Page _log_page   { _ram, _local_rm };

		Window_info const &_window;
		addr_t             _asid_first;
		bool               _asids_ok;

		pv_genode_kvm      _kvm { };
		bool               _created { false };

		/* the kernel's copy of the tables, and the VMM's pool as core reads it */
		Accounted_mapped_ram_allocator::Result _copy {
			Accounted_mapped_ram_allocator::Error::DENIED };
		Local_rm::Result _pool { Region_map::Attach_error::INVALID_DATASPACE };
		bool             _tables { false };
		Genode::addr_t   _copy_phys { 0 }, _copy_virt { 0 };
		Genode::size_t   _pool_size { 0 };
		void const      *_pool_ptr { nullptr };

		/*
		 * The RAM and pool dataspaces as core's region bookkeeping sees
		 * them (RAM at 0, the pool at POOL_REGION): when the owner frees
		 * one, core detaches it from here (detach_at()), and the VM is
		 * revoked before the frames go to anyone else.
		 */
		static constexpr addr_t POOL_REGION = 0xf0000000;
		Guest_memory _memory { _ep, *this, _ram, _local_rm };
		bool         _ram_attached { false };
		bool         _closing { false };   /* the session's own end, not a revocation */

		void _revoke(char const *why);

		/* Region_map_detach: core's calls when the RAM dataspace goes */
		void detach_at(addr_t at) override {
			_memory.detach_at(at, [&] (addr_t, Genode::size_t) {
				_revoke("the VM's RAM or shadow pool was freed under it"); }); }
		void reserve_and_flush(addr_t at) override {
			_memory.reserve_and_flush(at, [&] (addr_t, Genode::size_t) {
				_revoke("the VM's RAM or shadow pool was freed under it"); }); }
		void unmap_region(addr_t, Genode::size_t) override { }

		Board::Vcpu_state                  _hw_state { nullptr, nullptr };
		Kernel_object<Kernel::Vcpu>        _kobj { };
		Kernel::Vcpu::Identity             _id { 0UL, nullptr };
		Signal_context_capability          _sigh { };

		static void _tlb_all(void *) {
			asm volatile ("mcr p15, 0, %0, c8, c3, 0; dsb; isb" :: "r"(0) : "memory"); }

		static void _tlb_asid(void *, uint8_t asid) {
			asm volatile ("mcr p15, 0, %0, c8, c3, 2; dsb; isb" :: "r"(Genode::uint32_t(asid)) : "memory"); }

		static void _tlb_va(void *, Genode::uint32_t va, uint8_t asid) {
			asm volatile ("mcr p15, 0, %0, c8, c3, 1; dsb; isb"
			              :: "r"((va & ~0xfffu) | asid) : "memory"); }

		static constexpr pv_genode_tlb_ops _tlb { _tlb_all, _tlb_asid, _tlb_va };

		/* @fn(phys, size) for a RAM dataspace of the caller's, if it is one */
		bool _with_ram_ds(Dataspace_capability cap, auto const &fn)
		{
			bool found = false;
			_ep.apply(cap, [&] (Dataspace_component *ds) {
				if (!ds || ds->io_mem() || ds->managed())
					return;
				found = true;
				fn(ds->phys_addr(), ds->size());
			});
			return found;
		}

		static Pv_vm::Result _result(int err)
		{
			switch (err) {
			case 0:             return Pv_vm::Result::OK;
			case PV_ESTATE:     return Pv_vm::Result::BROKEN;
			default:            return Pv_vm::Result::REFUSED;
			}
		}

	public:

		Session_component(Session_component const &) = delete;
		Session_component &operator = (Session_component const &) = delete;

		Session_component(Registry<Revoke> &revoke_registry,
		                  Rpc_entrypoint &ep, Resources const &resources,
		                  Label const &label,
		                  Ram_allocator &ram, Mapped_ram_allocator &mapped_ram,
		                  Local_rm &local_rm, Window_info const &window,
		                  Attempt<addr_t, Bit_array_base::Error> asids)
		:
			Session_object(ep, resources, label),
			_revoke_elem(revoke_registry, *this),
			_ep(ep), _local_rm(local_rm),
			_ram(ram, _ram_quota_guard(), _cap_quota_guard()),
			_mapped_ram(mapped_ram, _ram_quota_guard()),
			_window(window),
			_asid_first(asids.convert<addr_t>([] (addr_t a) { return a; },
			                                  [] (auto) { return 0UL; })),
			_asids_ok(asids.ok())
		{
			pv_genode_kvm_geometry const geo {
				.window_base = window.base, .window_size = window.size,
				.window_l1   = { window.l1[0], window.l1[1] },
				.asid_first  = uint8_t(_asid_first),
				.asid_last   = uint8_t(_asid_first + (1u << ASID_BLOCK_LOG2) - 1),
				.ttbr_attrs  = window.ttbr_attrs,
			};
			_created = _asids_ok && _state_page.ptr() && _log_page.ptr() &&
			           pv_genode_kvm_create(&_kvm, &geo) == 0;
			if (_created) {
				_hw_state.page    = (pv_genode_vcpu_state *)_state_page.ptr();
				_hw_state.checked = &_kvm.run;
				_hw_state.page->magic   = PV_GENODE_STATE_MAGIC;
				_hw_state.page->version = PV_GENODE_STATE_VERSION;
			}
		}

		~Session_component();

		/*
		 * Revoke: core's signal broker frees @cap. If it is the exit
		 * context, the kernel vCPU, which submits to it, goes first.
		 */
		void revoke_signal_context(Signal_context_capability cap) override;

		bool constructed() const { return _created; }

		addr_t asid_first() const { return _asid_first; }
		bool   asids_ok()   const { return _asids_ok; }


		/****************************
		 ** PV VM session interface **
		 ****************************/

		Dataspace_capability state() override { return _state_page.cap(); }

		Dataspace_capability table_log() override { return _log_page.cap(); }

		Geometry geometry() override
		{
			Geometry g { };
			g.window_base  = _kvm.geo.window_base;
			g.window_size  = _kvm.geo.window_size;
			g.window_l1[0] = _kvm.geo.window_l1[0];
			g.window_l1[1] = _kvm.geo.window_l1[1];
			g.asid_first   = _kvm.geo.asid_first;
			g.asid_last    = _kvm.geo.asid_last;
			g.ttbr_attrs   = _kvm.geo.ttbr_attrs;
			g.ram_phys     = _kvm.phase != PV_GENODE_KVM_NEW ? _kvm.ram.pa : 0;
			g.copy_phys    = _copy_phys;
			return g;
		}

		Pv_vm::Result attach_ram(Dataspace_capability ram) override
		{
			if (!_created || _ram_attached)
				return Pv_vm::Result::REFUSED;

			/* RAM only: no device memory, nothing the VMM may not write */
			bool ram_ds = false;
			_with_ram_ds(ram, [&] (addr_t, Genode::size_t) { ram_ds = true; });
			if (!ram_ds)
				return Pv_vm::Result::REFUSED;

			int err = PV_EINVAL;
			Vm_session::Attach_attr attr { };
			attr.writeable  = true;
			attr.executable = true;
			auto attached = _memory.attach(ram, 0, attr,
				[&] (addr_t at, addr_t pa, Genode::size_t size, bool, bool write,
				     Cache) -> Vm_session::Attach_result {
					if (!write)
						return Vm_session::Attach_error::INVALID_DATASPACE;
					err = pv_genode_kvm_attach_ram(&_kvm, pa, size);
					if (err)
						return Vm_session::Attach_error::INVALID_DATASPACE;
					return Region_map::Range(at, size); });
			if (attached.failed()) {
				/* a refused dataspace leaves no region behind */
				_memory.detach(0, 4096, [] (addr_t, Genode::size_t) { });
				return _result(err ? err : PV_EINVAL);
			}
			_ram_attached = true;
			return Pv_vm::Result::OK;
		}

		Pv_vm::Result attach_pool(Dataspace_capability pool) override;

		Pv_vm::Result init_tables(Layout layout) override;

		Pv_vm::Result replay() override
		{
			if (!_created)
				return Pv_vm::Result::REFUSED;
			int const err = pv_genode_kvm_replay(&_kvm,
				(pv_genode_table_log const *)_log_page.ptr(), &_tlb, nullptr);
			if (err)
				Genode::warning("PV_VM: table log refused (", err, "), the VM is broken");
			return _result(err);
		}

		void icache_inval_all() override
		{
			/* ICIALLUIS and BPIALLIS: every CPU the vCPU may run on */
			asm volatile ("mcr p15, 0, %0, c7, c1, 0; mcr p15, 0, %0, c7, c1, 6;"
			              "dsb; isb" :: "r"(0) : "memory");
		}

		void exit_sigh(Signal_context_capability sigh) override;

		Pv_vm::Result run() override;

		void pause() override;
};

#endif /* _PV_VM__SESSION_COMPONENT_H_ */
