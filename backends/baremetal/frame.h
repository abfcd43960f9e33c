/* SPDX-License-Identifier: MIT */
/*
 * The per-CPU save area in the VMM window, shared by window.S (which only
 * sees these offsets) and the C trap path (which sees the struct). The
 * static assertions keep the two in step.
 */
#ifndef PVBM_FRAME_H
#define PVBM_FRAME_H

#include <pvcore/fastpath.h>

#define PVBM_F_R0       0   /* r0..r12 */
#define PVBM_F_USR_SP   52  /* USR SP, LR: stored with stm ^ */
#define PVBM_F_PC       60  /* entry: exception LR; exit: return PC */
#define PVBM_F_CPSR     64  /* entry: SPSR; exit: host CPSR (USR) */
#define PVBM_F_KIND     68  /* enum pvbm_kind */
#define PVBM_F_TTBR_W   72  /* TTBR0 of the window-only table */
#define PVBM_F_TTBR_V   76  /* TTBR0 of the VMM's own table */
#define PVBM_F_DACR_V   80
#define PVBM_F_VMM_SP   84  /* SYS-mode stack for the C handler */
#define PVBM_F_HANDLER  88  /* address of pvbm_trap() */
#define PVBM_F_G_ASID   92  /* guest (shadow) ASID */
#define PVBM_F_G_DACR   96
#define PVBM_F_G_TTBR   100
#define PVBM_F_G_ALIGN  104 /* guest SCTLR.A, applied while it runs */
#define PVBM_F_FAST_ON  108 /* the UNDEF fast path may run (guest kernel) */
#define PVBM_F_FAST_CNT 112 /* TPIDRURO writes it handled since the last
			     * C trap (the value is the CPU's register) */
#define PVBM_F_FAST     116 /* struct pv_fast: the SVC and return paths */
#define PVBM_F_GT_HOST  (PVBM_F_FAST + PV_FAST_SIZE) /* the host counter */
#define PVBM_FRAME_SIZE (PVBM_F_GT_HOST + 4)
/* Host cores pvbm can use (the i.MX6Q has four): one frame each. */
#define PVBM_MAX_CORES  4

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

/* Host exception kinds as the window entry code stores them. */
enum pvbm_kind {
	PVBM_K_RESET, PVBM_K_UNDEF, PVBM_K_SVC, PVBM_K_PABT, PVBM_K_DABT,
	PVBM_K_IRQ, PVBM_K_FIQ,
};

struct pvbm_frame {
	uint32_t r[13];
	uint32_t usr_sp;
	uint32_t usr_lr;
	uint32_t pc;
	uint32_t cpsr;
	uint32_t kind;
	uint32_t ttbr_window;
	uint32_t ttbr_vmm;
	uint32_t dacr_vmm;
	uint32_t vmm_sp;
	uint32_t handler;
	uint32_t g_asid;
	uint32_t g_dacr;
	uint32_t g_ttbr0;
	uint32_t g_align;
	uint32_t fast_on;
	uint32_t fast_cnt;
	struct pv_fast fast;
	uint32_t gt_host;
};

_Static_assert(offsetof(struct pvbm_frame, r) == PVBM_F_R0, "frame");
_Static_assert(offsetof(struct pvbm_frame, usr_sp) == PVBM_F_USR_SP, "frame");
_Static_assert(offsetof(struct pvbm_frame, pc) == PVBM_F_PC, "frame");
_Static_assert(offsetof(struct pvbm_frame, cpsr) == PVBM_F_CPSR, "frame");
_Static_assert(offsetof(struct pvbm_frame, kind) == PVBM_F_KIND, "frame");
_Static_assert(offsetof(struct pvbm_frame, ttbr_window) == PVBM_F_TTBR_W,
	       "frame");
_Static_assert(offsetof(struct pvbm_frame, ttbr_vmm) == PVBM_F_TTBR_V, "frame");
_Static_assert(offsetof(struct pvbm_frame, dacr_vmm) == PVBM_F_DACR_V, "frame");
_Static_assert(offsetof(struct pvbm_frame, vmm_sp) == PVBM_F_VMM_SP, "frame");
_Static_assert(offsetof(struct pvbm_frame, handler) == PVBM_F_HANDLER, "frame");
_Static_assert(offsetof(struct pvbm_frame, g_asid) == PVBM_F_G_ASID, "frame");
_Static_assert(offsetof(struct pvbm_frame, g_dacr) == PVBM_F_G_DACR, "frame");
_Static_assert(offsetof(struct pvbm_frame, g_ttbr0) == PVBM_F_G_TTBR, "frame");
_Static_assert(offsetof(struct pvbm_frame, g_align) == PVBM_F_G_ALIGN, "frame");
_Static_assert(offsetof(struct pvbm_frame, fast_on) == PVBM_F_FAST_ON, "frame");
_Static_assert(offsetof(struct pvbm_frame, fast_cnt) == PVBM_F_FAST_CNT, "frame");
_Static_assert(offsetof(struct pvbm_frame, fast) == PVBM_F_FAST, "frame");
_Static_assert(offsetof(struct pvbm_frame, gt_host) == PVBM_F_GT_HOST, "frame");
_Static_assert(sizeof(struct pvbm_frame) == PVBM_FRAME_SIZE, "frame");

/* In the window, one per host core: each core's exception modes have
 * its own as their SP (pvbm_vectors_init()). */
extern struct pvbm_frame pvbm_frames[PVBM_MAX_CORES];
extern uint8_t pvbm_vcpu_page[4096];      /* in the window, page-aligned */
extern const char pvbm_window_vectors[];  /* VBAR, in the window */
/* Load the guest context from this core's frame and return to host USR
 * mode (in SYS mode, interrupts masked). */
__attribute__((noreturn)) void pvbm_exit_to_guest(void);
/* The C side of every exception: window.S calls it on the VMM stack. */
void pvbm_trap(struct pvbm_frame *f);
#endif /* __ASSEMBLER__ */

#endif /* PVBM_FRAME_H */
