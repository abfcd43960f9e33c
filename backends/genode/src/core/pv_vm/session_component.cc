/*
 * \brief  Core's PV VM session: the calls that allocate or reach the kernel
 *
 * SPDX-License-Identifier: MIT
 */

/* core includes */
#include <platform.h>

#include "session_component.h"

using Pv_vm::Session_component;


/*
 * The RAM or pool dataspace, or the exit signal context, is going: no
 * table of the VM may name the RAM's frames, no replay may read the
 * pool's, and no kernel vCPU may submit to the context, after this
 * returns. The vCPU is not running (it runs only on CPU 0, where this
 * entrypoint runs now), so clearing the copy and invalidating the VM's
 * ASIDs is enough; the VM never runs again.
 */
void Session_component::_revoke(char const *why)
{
	if (_kobj.constructed())
		Kernel::vcpu_pause(Capability_space::capid(_kobj.cap()));
	pv_genode_kvm_revoke(&_kvm);
	if (_asids_ok)
		for (unsigned i = 0; i < (1u << ASID_BLOCK_LOG2); i++)
			_tlb_asid(nullptr, uint8_t(_asid_first + i));
	if (!_closing)
		Genode::warning("PV_VM: ", label(), ": ", why, ": revoked");
}


/*
 * The kernel vCPU holds the context by reference (kernel/vcpu.h), as
 * base-hw's own vCPUs do; it is destroyed before the context is. Its
 * VFP registers go with it, so the VM is revoked too: a VMM that frees
 * its exit context ends its VM, and exit_sigh() cannot bring it back.
 */
void Session_component::revoke_signal_context(Genode::Signal_context_capability cap)
{
	if (!_sigh.valid() || cap != _sigh)
		return;

	_sigh = Genode::Signal_context_capability();
	_revoke("the VM's exit signal context was freed");
	if (_kobj.constructed())
		_kobj.destruct();
}


Session_component::~Session_component()
{
	_closing = true;

	/* the vCPU first: nothing may run on the copy or the ASIDs after */
	if (_kobj.constructed())
		_kobj.destruct();

	if (_asids_ok) {
		for (unsigned i = 0; i < (1u << ASID_BLOCK_LOG2); i++)
			_tlb_asid(nullptr, uint8_t(_asid_first + i));
		platform_specific().pd_id_alloc().free(_asid_first, ASID_BLOCK_LOG2);
	}
}


Pv_vm::Result Session_component::attach_pool(Genode::Dataspace_capability pool)
{
	if (!_created || _pool_ptr)
		return Pv_vm::Result::REFUSED;

	Genode::size_t pool_size = 0;
	if (!_with_ram_ds(pool, [&] (addr_t, Genode::size_t size) { pool_size = size; }) ||
	    !pool_size || pool_size > (64u << 20))
		return Pv_vm::Result::REFUSED;

	/* the copy: physically contiguous, 16 KiB aligned, paid by the session */
	_copy = _mapped_ram.alloc(pool_size, Align { .log2 = 14 });
	bool out_of_ram = false;
	_copy.with_result(
		[&] (Accounted_mapped_ram_allocator::Allocation &a) {
			_copy_phys = a.phys; _copy_virt = addr_t(a.ptr()); },
		[&] (Accounted_mapped_ram_allocator::Error e) {
			out_of_ram = (e == Accounted_mapped_ram_allocator::Error::OUT_OF_RAM); });
	if (!_copy_virt)
		return out_of_ram ? Pv_vm::Result::OUT_OF_RAM : Pv_vm::Result::REFUSED;

	/* the VMM's pool, which the replay reads word by word */
	Region_map::Attr attr { };
	attr.writeable = false;
	_pool = _local_rm.attach(pool, attr);
	_pool_ptr = _pool.convert<void const *>(
		[] (Local_rm::Attachment &a) { return (void const *)a.ptr; },
		[] (auto) { return (void const *)nullptr; });

	/*
	 * Core's own mapping of the pool is not told when the VMM frees it:
	 * the pool is registered with the same bookkeeping as the RAM, at an
	 * address of its own, so that its end revokes the VM too and the
	 * replay never reads frames that are someone else's by then.
	 */
	bool tracked = false;
	if (_pool_ptr) {
		Vm_session::Attach_attr pattr { };
		tracked = _memory.attach(pool, POOL_REGION, pattr,
			[&] (addr_t at, addr_t, Genode::size_t size, bool, bool, Cache)
			-> Vm_session::Attach_result { return Region_map::Range(at, size); }).ok();
	}
	if (!tracked) {
		_pool = Region_map::Attach_error::INVALID_DATASPACE;
		_pool_ptr = nullptr;
		_copy = Accounted_mapped_ram_allocator::Error::DENIED;
		_copy_phys = _copy_virt = 0;
		return Pv_vm::Result::REFUSED;
	}
	_pool_size = pool_size;
	return Pv_vm::Result::OK;
}


Pv_vm::Result Session_component::init_tables(Pv_vm::Layout layout)
{
	if (!_created || !_pool_ptr || _tables)
		return Pv_vm::Result::REFUSED;

	pv_shadow_layout const lay {
		.roots_off = layout.roots_off, .roots_size = layout.roots_size,
		.l2_off    = layout.l2_off,    .l2_size    = layout.l2_size,
		.part_l2   = layout.part_l2,
	};
	int const err = pv_genode_kvm_init_tables(&_kvm, _pool_ptr, (void *)_copy_virt,
	                                          _copy_phys, Genode::uint32_t(_pool_size),
	                                          &lay);
	if (err) {
		Genode::warning("PV_VM: table layout refused (", err, ")");
		return _result(err);
	}
	_tables = true;
	return Pv_vm::Result::OK;
}


void Session_component::exit_sigh(Genode::Signal_context_capability sigh)
{
	if (!_created || !sigh.valid() || _kobj.constructed() ||
	    _kvm.phase == PV_GENODE_KVM_BROKEN)
		return;

	_sigh = sigh;
	/* CPU 0, where core's entrypoint runs: pause() works only there */
	_kobj.create(0u, (void *)&_hw_state, Capability_space::capid(sigh), _id);
}


Pv_vm::Result Session_component::run()
{
	if (!_kobj.constructed())
		return Pv_vm::Result::REFUSED;

	int const err = pv_genode_kvm_run(&_kvm,
		(pv_genode_table_log const *)_log_page.ptr(), &_tlb, nullptr,
		(pv_genode_vcpu_state const *)_state_page.ptr());
	if (err) {
		Genode::warning("PV_VM: run refused (", err, "), the VM is broken");
		return _result(err);
	}

	Kernel::vcpu_run(Capability_space::capid(_kobj.cap()));
	return Pv_vm::Result::OK;
}


void Session_component::pause()
{
	if (_kobj.constructed())
		Kernel::vcpu_pause(Capability_space::capid(_kobj.cap()));
}
