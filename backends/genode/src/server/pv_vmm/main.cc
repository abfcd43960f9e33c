/*
 * \brief  pv_vmm: a pvcore VMM as a Genode component (docs/genode.md)
 *
 * SPDX-License-Identifier: MIT
 *
 * Genode glue only: the configuration ROM and the guest's ROM modules, the
 * PV VM session, Timer and Terminal sessions, and the signal handlers of
 * the exit loop. Everything else is portable C, host-tested:
 * vmm_config.c (the <config> node), vmm_backend.c (pvcore's operations,
 * the VM's configuration), vm_exit.c (the state page and the loop's
 * step), table_log.c, and pvcore itself (pvcore/linux.h boots the guest).
 *
 * Run with run/pv_vmm.run (tools/genode-check.sh), against core's PV VM
 * service (src/core/pv_vm).
 *
 * For run/pv_vm_revoke.run, <config fault="..." fault_at="N"> makes it
 * misbehave at its Nth exit, as a hostile VMM might, to show that core
 * revokes the VM: "free_exit_context" frees the exit signal context,
 * "free_ram" the guest's RAM dataspace, "free_pool" the shadow pool's.
 * It then asks core to run the vCPU, which must be refused (also after a
 * new exit context), and exits with 3; with 4 if core ran it.
 */

#include <base/attached_dataspace.h>
#include <base/attached_ram_dataspace.h>
#include <base/attached_rom_dataspace.h>
#include <base/component.h>
#include <base/log.h>
#include <base/signal.h>
#include <pv_vm_session/connection.h>
#include <terminal_session/connection.h>
#include <timer_session/connection.h>
#include <util/reconstructible.h>

#include <pvcore/pvcore.h>
#include "vm_exit.h"
#include "vmm_backend.h"
#include "vmm_config.h"

namespace Pv_vmm {

	using namespace Genode;

	struct Main;

	/* pvcore's shadow pool: 16 spaces (backend.h) of 128 KiB */
	enum { POOL_SIZE = 2048 * 1024 };

	/* The VM object: large, so not on the stack (pvcore/vm.h). */
	static pv_vm_storage_t vm_storage;
}


struct Pv_vmm::Main
{
	/* noncopyable */
	Main(Main const &);
	Main &operator = (Main const &);

	Env &_env;

	Attached_rom_dataspace _config_rom { _env, "config" };

	pv_genode_config _conf { };
	char             _why[128] { };

	/* One vCPU: the state page, the table log, the VM's RAM and pool. */
	Constructible<Pv_vm::Connection>      _session { };
	Constructible<Attached_dataspace>     _state_ds { };
	Constructible<Attached_dataspace>     _log_ds { };
	Constructible<Attached_ram_dataspace> _ram { };
	/* pvcore wants it 16 KiB aligned. A region map attaches a dataspace
	 * at its natural alignment, as far as its backing store is as
	 * aligned (core's region_map_component.cc); pv_vm_init() refuses it,
	 * with a clear error, where that was less than 16 KiB. */
	Constructible<Attached_ram_dataspace> _pool { };   /* fault="free_pool" frees it */

	/* The guest's pieces; the site and stub tables are read in place. */
	Constructible<Attached_ram_dataspace> _dtb_copy { };  /* with <config bootargs> */
	Constructible<Attached_rom_dataspace> _kernel { }, _sites { }, _stubs { },
	                                      _dtb { }, _initrd { };

	Timer::Connection    _timer    { _env };
	Terminal::Connection _terminal { _env };

	/* constructible: fault="free_exit_context" frees it */
	Constructible<Signal_handler<Main>> _exit_handler { };
	Signal_handler<Main> _fault_handler { _env.ep(), *this, &Main::_handle_fault };
	Signal_handler<Main> _timer_handler { _env.ep(), *this, &Main::_handle_timer };
	Signal_handler<Main> _input_handler { _env.ep(), *this, &Main::_handle_input };

	pv_genode_host        _host { };
	pv_genode_vmm         _backend { };
	pv_vm_config          _cfg { };
	pv_linux_tables       _tables { };
	pv_vm                *_vm   { pv_vm_of(&vm_storage) };
	pv_vcpu              *_vcpu { nullptr };
	pv_genode_vcpu_state *_state { nullptr };
	bool                  _waiting { false };
	bool                  _tables_ready { false };
	uint64_t              _exits { 0 };

	/* <config fault fault_at>: run/pv_vm_revoke.run */
	enum class Fault { NONE, FREE_EXIT_CONTEXT, FREE_RAM, FREE_POOL };
	Fault                 _fault    { Fault::NONE };
	uint64_t              _fault_at { 0 };
	bool                  _faulted  { false };

	/* Terminal input, read in pieces (one RPC per piece, not per byte). */
	uint8_t _in[64] { };
	::size_t  _in_len { 0 }, _in_pos { 0 };

	/* ---- the sessions as pvcore's host functions (vmm_backend.h) ---- */

	static Main &_main(void *ctx) { return *static_cast<Main *>(ctx); }

	static uint64_t _now_ns(void *ctx) {
		return _main(ctx)._timer.elapsed_us() * 1000; }

	static void _timer_set(void *ctx, uint64_t deadline_ns)
	{
		Main &m = _main(ctx);

		/* No cancel: a spurious expiry is harmless, pvcore checks. */
		if (deadline_ns == PV_TIMER_NEVER)
			return;
		uint64_t const now = _now_ns(ctx);
		uint64_t const us  = deadline_ns > now ? (deadline_ns - now) / 1000 : 0;
		m._timer.trigger_once(us ? us : 1);
	}

	static void _console_write(void *ctx, uint8_t const *buf, ::size_t len)
	{
		Main &m = _main(ctx);

		while (len) {
			::size_t const n = m._terminal.write(buf, len);
			if (!n)
				break;
			buf += n;
			len -= n;
		}
	}

	static int _console_read(void *ctx)
	{
		Main &m = _main(ctx);

		if (m._in_pos == m._in_len) {
			m._in_pos = 0;
			m._in_len = m._terminal.avail()
			          ? m._terminal.read(m._in, sizeof(m._in)) : 0;
		}
		return m._in_pos < m._in_len ? m._in[m._in_pos++] : -1;
	}

	static void _log(void *, char const *line) { Genode::log(Cstring(line)); }

	static void _icache_inval_all(void *ctx) {
		_main(ctx)._session->icache_inval_all(); }

	/*
	 * The table log is full: the kernel replays it now. Before the
	 * kernel has its copy, the page is dropped: the records are
	 * pv_vm_init()'s, and the copy starts as pv_vm_init() leaves the
	 * pool (table_check.c), so there is nothing to replay yet.
	 */
	static void _replay(void *ctx)
	{
		if (!_main(ctx)._tables_ready)
			return;
		if (_main(ctx)._session->replay() != Pv_vm::Result::OK)
			_main(ctx)._fail("the kernel refused the shadow tables", PV_ESTATE);
	}

	/* ---- set-up ---- */

	[[noreturn]] void _fail(char const *what, int err)
	{
		error("pv_vmm: ", what, ": ", Cstring(pv_strerror(err)));
		_env.parent().exit(1);
		sleep_forever();
	}

	struct Attr_reader
	{
		/* One character more than the longest value (bootargs) may
		 * have: a longer one reaches the parser too long, not cut. */
		using Value = String<PV_GENODE_BOOTARGS_MAX + 1>;

		Node const &node;
		Value value { };

		/* valid until the next call, as pv_genode_attr_fn allows */
		static char const *read(void *ctx, char const *name)
		{
			Attr_reader &r = *static_cast<Attr_reader *>(ctx);

			if (!r.node.has_attribute(name))
				return nullptr;
			r.value = r.node.attribute_value(name, Value());
			return r.value.string();
		}
	};

	void _read_config()
	{
		Node const node = _config_rom.node();
		Attr_reader reader { node };

		int const err = pv_genode_config_parse(Attr_reader::read, &reader,
		                                       &_conf, _why, sizeof(_why));
		if (err)
			_fail(_why, err);

		using Name = String<32>;
		Name const fault = node.attribute_value("fault", Name());
		if (fault == "free_exit_context") _fault = Fault::FREE_EXIT_CONTEXT;
		else if (fault == "free_ram")     _fault = Fault::FREE_RAM;
		else if (fault == "free_pool")    _fault = Fault::FREE_POOL;
		else if (fault != "")             _fail("fault: free_exit_context, free_ram or free_pool", PV_EINVAL);
		_fault_at = node.attribute_value("fault_at", 1UL);
		if (_fault != Fault::NONE && _fault_at == 0)
			_fail("fault_at: the exit to misbehave at, from 1", PV_EINVAL);
	}

	void _rom(Constructible<Attached_rom_dataspace> &rom, char const *name)
	{
		if (name[0])
			rom.construct(_env, name);
	}

	static void _piece(Constructible<Attached_rom_dataspace> &rom,
	                   void const *&data, ::size_t &size)
	{
		data = rom.constructed() ? rom->local_addr<void const>() : nullptr;
		size = rom.constructed() ? rom->size() : 0;
	}

	/* The Image's link address, from its site table's header. */
	uint32_t _image_base()
	{
		if (_sites->size() < sizeof(pv_patch_manifest_hdr))
			_fail("site table too short", PV_ECORRUPT);
		return _sites->local_addr<pv_patch_manifest_hdr const>()->image_base;
	}

	void _set_up()
	{
		_read_config();
		_rom(_kernel, _conf.kernel);
		_rom(_sites, _conf.sites);
		_rom(_stubs, _conf.stubs);
		_rom(_dtb, _conf.dtb);
		_rom(_initrd, _conf.initrd);

		pv_linux_images im { };
		_piece(_kernel, im.image, im.image_size);
		_piece(_sites, im.sites, im.sites_size);
		_piece(_stubs, im.stubs, im.stubs_size);
		_piece(_dtb, im.dtb, im.dtb_size);
		_piece(_initrd, im.initrd, im.initrd_size);
		/* ROM modules come in whole pages: the pieces' own sizes */
		pv_genode_trim_roms(&im);

		/* <config bootargs="..."/>: the guest's command line in /chosen */
		if (_conf.has_bootargs) {
			::size_t const cap = im.dtb_size + PV_GENODE_BOOTARGS_MAX + 64;
			::size_t n = 0;

			_dtb_copy.construct(_env.ram(), _env.rm(), cap);
			int const err = pv_genode_fdt_bootargs(im.dtb, im.dtb_size,
			                                       _conf.bootargs,
			                                       _dtb_copy->local_addr<void>(),
			                                       cap, &n);
			if (err)
				_fail("the device tree's /chosen takes no bootargs", err);
			im.dtb      = _dtb_copy->local_addr<void const>();
			im.dtb_size = n;
		}

		pv_genode_layout place { };
		int err = pv_genode_place(&_conf, _image_base(), im.image_size,
		                          im.dtb_size, im.initrd_size, &place,
		                          _why, sizeof(_why));
		if (err)
			_fail(_why, err);
		im.kernel_gpa = pv_gpa(place.kernel);
		im.dtb_gpa    = pv_gpa(place.dtb);
		im.initrd_gpa = pv_gpa(place.initrd);

		/* The session pays for the kernel's copy of the tables. */
		_session.construct(_env, POOL_SIZE + 64*1024);
		_state_ds.construct(_env.rm(), _session->state());
		_log_ds.construct(_env.rm(), _session->table_log());
		/* a page more: the vCPU page of a guest with stubs (vmm_backend.h) */
		_ram.construct(_env.ram(), _env.rm(), (::size_t(_conf.ram_mib) << 20) + 4096);
		if (_session->attach_ram(_ram->cap()) != Pv_vm::Result::OK)
			_fail("the kernel refused the RAM dataspace", PV_EINVAL);
		_pool.construct(_env.ram(), _env.rm(), POOL_SIZE);
		if (_session->attach_pool(_pool->cap()) != Pv_vm::Result::OK)
			_fail("the kernel refused the shadow pool", PV_EINVAL);
		_state = _state_ds->local_addr<pv_genode_vcpu_state>();

		Pv_vm::Geometry const geo = _session->geometry();
		_host = pv_genode_host { _now_ns, _timer_set, _console_write,
		                         _console_read, _log, _icache_inval_all, this };
		pv_genode_memory const mem {
			.ram        = _ram->local_addr<void>(),
			.ram_size   = _ram->size(),
			.ram_phys   = geo.ram_phys,
			.pool       = _pool->local_addr<void>(),
			.pool_size  = _pool->size(),
			.copy_phys  = geo.copy_phys,
			.log_page   = _log_ds->local_addr<pv_genode_table_log>(),
			.window_base = geo.window_base,
			.window_size = geo.window_size,
			.window_l1  = geo.window_l1,
			.asid_first = geo.asid_first,
			.asid_last  = geo.asid_last,
			.ttbr_attrs = geo.ttbr_attrs,
		};
		err = pv_genode_vmm_config(&_backend, &_conf, &mem, &_host, _replay,
		                           this, &_cfg, _why, sizeof(_why));
		if (err)
			_fail(_why, err);

		char const *why = "";
		err = pv_linux_config(&_tables, &im, &_cfg, &why);
		if (err)
			_fail(why, err);

		err = pv_vm_init(_vm, &_cfg);
		if (err)
			_fail("pv_vm_init", err);

		pv_shadow_layout lay { };
		err = pv_vm_shadow_layout(_vm, &lay);
		if (err)
			_fail("pv_vm_shadow_layout", err);
		if (_session->init_tables(Pv_vm::Layout {
		        lay.roots_off, lay.roots_size, lay.l2_off, lay.l2_size,
		        lay.part_l2 }) != Pv_vm::Result::OK)
			_fail("the kernel refused the table layout", PV_EINVAL);
		_tables_ready = true;
		pv_genode_log_flush(&_backend.log);

		err = pv_linux_load(_vm, &im, &why);
		if (err)
			_fail(why, err);
		_vcpu = pv_vm_vcpu(_vm, 0);

		_exit_handler.construct(_env.ep(), *this, &Main::_handle_exit);
		_session->exit_sigh(*_exit_handler);
		_timer.sigh(_timer_handler);
		_terminal.read_avail_sigh(_input_handler);

		log("pv_vmm: ", _conf.ram_mib, " MiB, kernel ", Cstring(_conf.kernel),
		    " at ", Hex(place.kernel), ", ", _tables.sites.count, " sites");

		pv_resume rs { };
		pv_vcpu_resume_state(_vcpu, &rs);
		err = pv_genode_fill_run(_vcpu, &rs, _state);
		if (err)
			_fail("first run", err);
		_run();
	}

	/* ---- the exit loop ---- */

	void _run()
	{
		_waiting = false;
		pv_genode_log_flush(&_backend.log);
		if (_session->run() != Pv_vm::Result::OK)
			_fail("the kernel refused to run the vCPU", PV_ESTATE);
	}

	void _after(pv_exit const &e, pv_genode_next next)
	{
		switch (next) {
		case PV_GENODE_RUN:  _run(); return;
		case PV_GENODE_WAIT: _waiting = true; return;
		case PV_GENODE_STOP: break;
		}
		log("pv_vmm: guest stopped (reason ", unsigned(e.stop), ", code ",
		    e.code, ") after ", _exits, " exits");
		_report();
		_env.parent().exit(e.stop == PV_STOP_POWEROFF ? 0 : 2);
	}

	/* pvcore's counters, as pvbm prints them (docs/genode.md compares) */
	void _report()
	{
		log("pv_vmm: trap counters:");
		for (unsigned r = 0; r < PV_TR_COUNT; r++) {
			uint64_t const n = pv_vm_trap_count(_vm, pv_trap_reason(r));
			if (n)
				log("pv_vmm:   ", Cstring(pv_trap_reason_name(pv_trap_reason(r))),
				    " ", n);
		}
		for (unsigned ev = 0; ev < PV_EV_COUNT; ev++) {
			uint64_t const n = pv_vm_event_count(_vm, pv_event(ev));
			if (n)
				log("pv_vmm:   ", Cstring(pv_event_name(pv_event(ev))), " ", n);
		}
	}

	void _handle_exit()
	{
		if (_faulted)
			return;
		if (_fault != Fault::NONE && _exits + 1 == _fault_at) {
			/* the vCPU is paused; misbehave outside this handler,
			 * which must not free its own signal context */
			_faulted = true;
			Signal_transmitter(_fault_handler).submit();
			return;
		}

		pv_exit e { };
		pv_genode_next next = PV_GENODE_STOP;
		int const err = pv_genode_exit(_vcpu, _state, &e, &next);

		if (err)
			_fail("VM exit", err);

		/* a heartbeat in the log: the run is alive, and where */
		if ((++_exits & ((1u << 18) - 1)) == 0)
			log("pv_vmm: ", _exits, " exits, last at pc ",
			    Hex(_state->exit.exc_lr), " (exception ",
			    _state->exit.exception, ")");
		_after(e, next);
	}

	/*
	 * A host event for the guest: a waiting vCPU is polled now; a running
	 * one is made to exit, so that pvcore delivers the virtual interrupt
	 * at that exit and not at whatever host interrupt comes next.
	 */
	void _poll()
	{
		if (!_waiting) {
			_session->pause();
			return;
		}
		pv_exit e { };
		pv_genode_next next = PV_GENODE_STOP;
		int const err = pv_genode_poll(_vcpu, _state, &e, &next);

		if (err)
			_fail("poll", err);
		_after(e, next);
	}

	/*
	 * The fault: from here on the VM's memory may be gone, so nothing but
	 * the session is touched. Core must refuse to run the vCPU.
	 */
	void _handle_fault()
	{
		auto run_refused = [&] (char const *when) {
			if (_session->run() == Pv_vm::Result::OK) {
				error("pv_vmm: core ran the vCPU ", when);
				_env.parent().exit(4);
				sleep_forever();
			}
			log("pv_vmm: run refused ", when);
		};

		if (_fault == Fault::FREE_EXIT_CONTEXT) {
			_exit_handler.destruct();
			log("pv_vmm: fault: exit signal context freed at exit ", _exits + 1);
			run_refused("without an exit context");
			_exit_handler.construct(_env.ep(), *this, &Main::_handle_exit);
			_session->exit_sigh(*_exit_handler);
			run_refused("after a new exit context");
		} else if (_fault == Fault::FREE_RAM) {
			_ram.destruct();
			log("pv_vmm: fault: guest RAM freed at exit ", _exits + 1);
			run_refused("without the guest's RAM");
		} else {
			_pool.destruct();
			log("pv_vmm: fault: shadow pool freed at exit ", _exits + 1);
			run_refused("without the shadow pool");
		}
		_env.parent().exit(3);
		sleep_forever();
	}

	void _handle_timer()
	{
		if (_faulted)
			return;
		pv_vm_timer_expired(_vm);
		_poll();
	}

	void _handle_input()
	{
		if (_faulted)
			return;
		pv_vm_console_input(_vm);
		_poll();
	}

	Main(Env &env) : _env(env) { _set_up(); }
};


void Component::construct(Genode::Env &env)
{
	static Pv_vmm::Main main(env);
}
