/*
 * \brief  The imx6q_sabrelite board for core, with a PV vCPU
 *
 * SPDX-License-Identifier: MIT
 *
 * This project's board header for base-hw's core (docs/genode.md, "How the
 * extension plugs into core"). It is found before genode-imx's because
 * backends/genode comes first in etc/build.conf. The board's devices are
 * genode-imx's (Hw::Imx6q_sabrelite_board); what differs is the vCPU:
 * instead of base-hw's empty one, the state a PV guest context needs
 * (src/core/pv_vm/vcpu.cc).
 */

#ifndef _PV_VM__CORE__IMX6Q_SABRELITE__BOARD_H_
#define _PV_VM__CORE__IMX6Q_SABRELITE__BOARD_H_

#include <hw/spec/arm/imx6q_sabrelite_board.h>

#include <spec/arm/cortex_a9_cpu.h>
#include <spec/arm/cortex_a9_global_timer.h>
#include <spec/arm/gicv2.h>

namespace Kernel { class Cpu; }

/*
 * pv_genode/vcpu_state.h, a C header, is not included here: every file of
 * core includes this one, and the C library's size_t and uint32_t are not
 * Genode's. vcpu.cc checks that the sizes agree.
 */
struct pv_genode_vcpu_state;
struct pv_genode_run;

namespace Genode { struct Vcpu_state { }; }

namespace Board {

	using namespace Hw::Imx6q_sabrelite_board;

	using L2_cache = Hw::Pl310;
	L2_cache &l2_cache();

	enum {
		/* the global timer counts at half the 792 MHz core clock */
		CORTEX_A9_GLOBAL_TIMER_CLK = 396000000,
		CORTEX_A9_GLOBAL_TIMER_DIV = 100,
	};

	/*
	 * What core's PV VM session hands the kernel's vCPU: the state page
	 * it shares with the VMM (the exit half is the kernel's to write) and
	 * the run half the session checked (kernel_vm.c), which the vCPU
	 * takes over only while it is not running.
	 */
	struct Vcpu_state
	{
		pv_genode_vcpu_state *page;
		pv_genode_run const  *checked;
	};

	/* The vCPU's own: its loaded run half and its VFP registers. */
	struct Vcpu_context
	{
		enum { RUN_WORDS = 23 };

		/* a struct pv_genode_run */
		alignas(8) Genode::uint32_t live[RUN_WORDS] { };

		/* FPSCR and d0-d31, in vfp_save_fpu_context()'s layout */
		alignas(8) Genode::uint32_t fpu[1 + 64] { };

		Vcpu_context(Kernel::Cpu &) { }
	};
}

#endif /* _PV_VM__CORE__IMX6Q_SABRELITE__BOARD_H_ */
