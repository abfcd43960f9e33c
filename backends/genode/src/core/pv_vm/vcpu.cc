/*
 * \brief  The kernel's PV vCPU: a guest context at PL0 on a shadow root
 *
 * SPDX-License-Identifier: MIT
 *
 * Kernel::Vcpu for a Cortex-A9 without virtualization extensions
 * (docs/genode.md, "The world switch" and "VM exits"). It is scheduled
 * like base-hw's other vCPUs, in the background group. proceed() loads
 * the run half the PV VM session checked into this CPU's save area of the
 * window and enters the guest through window.S; every exception of the
 * guest comes back through window.S and base-hw's kernel entry to
 * exception(), which writes the state page's exit half, pauses the vCPU
 * and signals the VMM. Interrupts are the kernel's first.
 */

/* core includes */
#include <kernel/cpu.h>
#include <kernel/vcpu.h>

#include "window.h"
#include <pv_genode/vcpu_state.h>

using namespace Kernel;

static_assert(sizeof(pv_genode_run) == sizeof(Board::Vcpu_context::live),
              "board.h's copy of the run half");

extern "C" void vfp_load_fpu_context(void *);
extern "C" void vfp_save_fpu_context(void *);
namespace Kernel { void main_handle_kernel_entry(Genode::Cpu_state *); }

namespace {

	/* CP15 reads: read_<name>() for the registers the switch saves */
#define PV_CP15_READ(name, regs) \
	::uint32_t read_##name() { \
		::uint32_t v; \
		asm volatile ("mrc p15, 0, %0, " regs : "=r"(v)); \
		return v; }

	PV_CP15_READ(sctlr, "c1, c0, 0")
	PV_CP15_READ(dacr, "c3, c0, 0")
	PV_CP15_READ(ttbr0, "c2, c0, 0")
	PV_CP15_READ(cidr, "c13, c0, 1")
	PV_CP15_READ(ttbcr, "c2, c0, 2")
	PV_CP15_READ(tpidruro, "c13, c0, 3")
	PV_CP15_READ(tpidrurw, "c13, c0, 2")
	PV_CP15_READ(dfsr, "c5, c0, 0")
	PV_CP15_READ(dfar, "c6, c0, 0")
	PV_CP15_READ(ifsr, "c5, c0, 1")
	PV_CP15_READ(ifar, "c6, c0, 2")
#undef PV_CP15_READ

	enum : ::uint32_t { SCTLR_A = 1u << 1, SCTLR_V = 1u << 13,
	                  FPEXC_EN = 1u << 30 };

	pv_win_save &save_area(unsigned cpu) {
		return *(pv_win_save *)(PV_WIN_SAVE + cpu * PV_WIN_SAVE_SIZE); }
}


/* the bridge's TTBR0 value, set once by the PV VM root (platform_services.cc) */
::uint32_t pv_window_bridge_ttbr0;


Vcpu::Vcpu(Cpu &cpu, Board::Vcpu_state &state, Kernel::Signal_context &context,
           Identity &id)
:
	Kernel::Object { *this },
	Cpu_context(cpu, Scheduler::Group_id::BACKGROUND),
	_state(state), _context(context), _id(id), _vcpu_context(cpu)
{
	/* Paused until the session's first run(); no start-up exit: the
	 * VMM fills the first run half itself. */
	_state.page->magic   = PV_GENODE_STATE_MAGIC;
	_state.page->version = PV_GENODE_STATE_VERSION;
}


Vcpu::~Vcpu() { }


void Vcpu::exception(Genode::Cpu_state &)
{
	pv_win_save &s = save_area(_cpu().id().value);
	pv_genode_exit &e = _state.page->exit;

	for (unsigned i = 0; i < 13; i++)
		e.r[i] = s.r[i];
	e.sp        = s.r[13];
	e.lr        = s.r[14];
	e.exc_lr    = s.pc;
	e.spsr      = s.psr;
	e.exception = s.exc;
	e.tpidrurw  = s.tpidrurw;
	e.fsr = e.far = 0;
	switch (s.exc) {
	case PV_GENODE_EXC_DABT: e.fsr = read_dfsr(); e.far = read_dfar(); break;
	case PV_GENODE_EXC_PABT: e.fsr = read_ifsr(); e.far = read_ifar(); break;
	case PV_GENODE_EXC_IRQ:
	case PV_GENODE_EXC_FIQ:  _interrupt(); break;
	default: break;
	}

	_pause_vcpu();
	_context.submit(1);
}


void Vcpu::proceed()
{
	Board::Vcpu_context &c = _vcpu_context;
	pv_genode_run const &r = *(pv_genode_run const *)c.live;
	pv_win_save &s = save_area(_cpu().id().value);

	for (unsigned i = 0; i < 13; i++)
		s.r[i] = r.r[i];
	s.r[13]    = r.sp;
	s.r[14]    = r.lr;
	s.pc       = r.pc;
	s.psr      = r.cpsr;
	s.ttbr0    = r.ttbr0;
	s.cidr     = r.contextidr;
	s.dacr     = r.dacr;
	s.tpidruro = r.tpidruro;
	s.tpidrurw = r.tpidrurw;
	s.fpexc    = (r.flags & PV_GENODE_RUN_VFP) ? ::uint32_t(FPEXC_EN) : 0u;

	::uint32_t const sctlr = read_sctlr();
	s.h_sctlr    = sctlr;
	s.sctlr      = (sctlr & ~(SCTLR_V | SCTLR_A)) |
	               ((r.flags & PV_GENODE_RUN_ALIGN) ? ::uint32_t(SCTLR_A) : 0u);
	s.vbar       = PV_WIN_BASE + PV_WIN_VECTORS;
	s.bridge     = pv_window_bridge_ttbr0;
	s.h_dacr     = read_dacr();
	s.h_tpidruro = read_tpidruro();
	s.h_tpidrurw = read_tpidrurw();
	s.h_ttbcr    = read_ttbcr();
	s.h_ttbr0    = read_ttbr0();
	s.h_cidr     = read_cidr();
	s.h_stack    = (::uint32_t)_cpu().stack_start();
	s.fpu        = (::uint32_t)c.fpu;
	s.entry      = (::uint32_t)&Kernel::main_handle_kernel_entry;
	s.fpu_save   = (::uint32_t)&vfp_save_fpu_context;

	/* FPEXC.EN is set at every kernel entry, so the load works */
	vfp_load_fpu_context(c.fpu);

	using Enter = void (*)(pv_win_save *);
	Enter const enter = (Enter)(PV_WIN_BASE + PV_WIN_ENTER);
	enter(&s);
	__builtin_unreachable();
}


void Vcpu::run()
{
	/* Take the checked run half only while the vCPU cannot be using the
	 * old one: a VMM that calls run() twice changes nothing under it. */
	if (_scheduled == ACTIVE)
		return;
	*(pv_genode_run *)_vcpu_context.live = *_state.checked;
	Cpu_context::_activate();
	_scheduled = ACTIVE;
}


void Vcpu::pause()
{
	if (_scheduled != ACTIVE)
		return;
	if (_cpu().id() != Cpu::executing_id()) {
		Genode::error("PV vCPU: pause from another CPU ignored");
		return;
	}

	/*
	 * Active but not executing (this CPU runs the caller): the guest has
	 * not entered since run(), so its registers are the loaded run half.
	 * It exits as for an interrupt taken at its first instruction.
	 */
	pv_genode_run const &r = *(pv_genode_run const *)_vcpu_context.live;
	pv_genode_exit &e = _state.page->exit;

	for (unsigned i = 0; i < 13; i++)
		e.r[i] = r.r[i];
	e.sp        = r.sp;
	e.lr        = r.lr;
	e.exc_lr    = r.pc + 4;
	e.spsr      = r.cpsr;
	e.exception = PV_GENODE_EXC_IRQ;
	e.fsr = e.far = 0;
	e.tpidrurw  = r.tpidrurw;

	_pause_vcpu();
	_context.submit(1);
}
