/* SPDX-License-Identifier: MIT */
/*
 * The guest context's window (docs/genode.md, "The world switch"): two
 * pages at 0xfff00000 that core maps for itself and that every shadow
 * root maps at the same address, PL1 only. Page 0 holds the code that
 * crosses between core's translation regime and a guest context's
 * (window.S, copied there at start-up); page 1 one save area per CPU.
 *
 * The save area's offsets are shared by window.S and vcpu.cc, so they are
 * plain defines, checked against the structure below in C++.
 */
#ifndef PV_GENODE_WINDOW_H
#define PV_GENODE_WINDOW_H

#define PV_WIN_BASE       0xfff00000
#define PV_WIN_SIZE       0x2000        /* code page + save page */
#define PV_WIN_SAVE       0xfff01000    /* the save areas */
#define PV_WIN_SAVE_SIZE  256           /* bytes per CPU */
#define PV_WIN_MAX_CPUS   16

/* struct pv_win_save: guest registers first (the order of LDM/STM ^). */
#define PV_WS_R0          0     /* r0-r12, sp_usr, lr_usr: 15 words */
#define PV_WS_PC          60    /* in: the guest's pc; out: the mode's LR */
#define PV_WS_PSR         64    /* in: its CPSR; out: the mode's SPSR */
#define PV_WS_EXC         68    /* out: enum pv_genode_exception */
#define PV_WS_TTBR0       72    /* in: the checked shadow root */
#define PV_WS_CIDR        76
#define PV_WS_DACR        80
#define PV_WS_TPIDRURO    84
#define PV_WS_TPIDRURW    88    /* in and out */
#define PV_WS_FPEXC       92
#define PV_WS_SCTLR       96    /* the guest context's: V clear, A as asked */
#define PV_WS_VBAR        100   /* the window's vector table */
#define PV_WS_BRIDGE      104   /* TTBR0 of the table that maps only the window */
#define PV_WS_H_SCTLR     108   /* core's, restored at the exit */
#define PV_WS_H_DACR      112
#define PV_WS_H_TPIDRURO  116
#define PV_WS_H_TPIDRURW  120
#define PV_WS_H_TTBCR     124
#define PV_WS_H_STACK     128   /* the kernel stack's top for this CPU */
#define PV_WS_FPU         132   /* where the exit saves the guest's VFP */
#define PV_WS_ENTRY       136   /* core: main_handle_kernel_entry */
#define PV_WS_FPU_SAVE    140   /* core: vfp_save_fpu_context */
#define PV_WS_BROKEN      144   /* out: nonzero if the window took an
                                   exception from PL1 (a kernel defect) */
#define PV_WS_H_TTBR0     148   /* core's TTBR0 and CONTEXTIDR as they were */
#define PV_WS_H_CIDR      152

/* Offsets in the code page (window.S's layout). */
#define PV_WIN_VECTORS    0x000
#define PV_WIN_ENTER      0x300

#ifndef __ASSEMBLER__
#include <stdint.h>

struct pv_win_save {
	uint32_t r[15];
	uint32_t pc, psr, exc;
	uint32_t ttbr0, cidr, dacr, tpidruro, tpidrurw, fpexc, sctlr, vbar;
	uint32_t bridge;
	uint32_t h_sctlr, h_dacr, h_tpidruro, h_tpidrurw, h_ttbcr, h_stack;
	uint32_t fpu, entry, fpu_save, broken;
	uint32_t h_ttbr0, h_cidr;
};

#ifdef __cplusplus
static_assert(__builtin_offsetof(pv_win_save, pc) == PV_WS_PC, "pc");
static_assert(__builtin_offsetof(pv_win_save, ttbr0) == PV_WS_TTBR0, "ttbr0");
static_assert(__builtin_offsetof(pv_win_save, bridge) == PV_WS_BRIDGE, "bridge");
static_assert(__builtin_offsetof(pv_win_save, h_stack) == PV_WS_H_STACK, "stack");
static_assert(__builtin_offsetof(pv_win_save, broken) == PV_WS_BROKEN, "broken");
static_assert(__builtin_offsetof(pv_win_save, h_cidr) == PV_WS_H_CIDR, "cidr");
static_assert(sizeof(pv_win_save) <= PV_WIN_SAVE_SIZE, "save area");
static_assert(PV_WIN_MAX_CPUS * PV_WIN_SAVE_SIZE <= 4096, "one page");
#endif

/* window.S: the blob copied into the window's code page */
#ifdef __cplusplus
extern "C" {
#endif
extern char pv_window_code_start[], pv_window_code_end[];
#ifdef __cplusplus
}
#endif
#endif /* !__ASSEMBLER__ */

#endif /* PV_GENODE_WINDOW_H */
