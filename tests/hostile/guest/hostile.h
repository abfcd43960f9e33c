/* SPDX-License-Identifier: MIT */
/*
 * The hostile guest: scenarios that attack the VMM (docs/hostile.md). It
 * runs on the conformance guest's runtime (conf.h: vectors, run_user(),
 * probes, MMU helpers, SCENARIO()), but checks itself: every scenario
 * states the architecturally correct outcome of each attack and reports
 * a mismatch as "FAIL: ...". plat_hostile.c prints one verdict per
 * scenario ("hostile: <name> PASS (<n> checks)" or "... FAIL (...)").
 */
#ifndef HOSTILE_H
#define HOSTILE_H

#include "conf.h"
#include "mpcore.h"

/* ---- host-physical addresses of the i.MX6Q host (pvbm, platform_imx6q.c),
 * which the guest names as guest-physical addresses ---- */
#define H_WINDOW     0x10000000u /* backing of the VMM window */
#define H_IMAGE      0x10100000u /* pvbm's text */
#define H_POOL       0x20000000u /* shadow-table pool, 16 MiB */
#define H_POOL_END   0x21000000u
#define H_GUEST      0x30000000u /* guest RAM backing, 128 MiB */
#define H_GUEST_END  0x38000000u
#define H_UART2      0x021e8000u /* pvbm's console */
#define H_SRC        0x020d8000u /* system reset controller */
#define H_WDOG1      0x020bc000u
#define WIN_BASE     0xfff00000u /* the VMM window, 0xFFF00000-0xFFFDFFFF */
#define WIN_LAST     0xfffdf000u
#define RAM_END      0x18000000u /* end of guest RAM (128 MiB) */

/* Fault status (short-descriptor DFSR/IFSR): FS[4] at bit 10, WnR. */
#define FSR_MASK     0xc0fu
#define FS_ALIGN     0x001u
#define FS_DEBUG     0x002u
#define FS_TRANS_SEC 0x005u
#define FS_TRANS_PG  0x007u
#define FS_EXT       0x008u
#define FS_WALK_L1   0x00cu /* external abort on the walk, first level */
#define FS_WALK_L2   0x00eu
#define FS_DOM_SEC   0x009u
#define FS_DOM_PG    0x00bu
#define FS_PERM_SEC  0x00du
#define FS_PERM_PG   0x00fu
#define FSR_WNR      0x800u

#define M_USR 0x10u
#define M_SVC 0x13u

/* ---- checks (probe.c) ---- */
extern unsigned hx_checks, hx_fails;
/* One check: prints "<scenario>: <what> = <got>"; a mismatch also prints
 * "FAIL: <what> = <got>, expected <want>". */
void expect(const char *what, u32 got, u32 want);
/* A check with no single expected value: @ok says whether @got is right. */
void expect_ok(const char *what, bool ok, u32 got);
/* A scenario that must end in a VM stop: says so before the attack, and
 * fails if the guest gets past it. */
void expect_stop(const char *why);
__attribute__((noreturn)) void stop_missed(void);
bool mode_is_legal(u32 mode);

/* ---- accesses with their outcome (probe.c) ---- */
enum how { K_LD, K_ST, U_LD, U_ST, K_EX, U_EX };
/* Make one access; its exception (if any) is in last_x / x_count. */
u32 access_as(u32 addr, enum how how);
/* The access must take exactly one abort of status @fs at @addr. */
void expect_abort(const char *what, u32 addr, enum how how, u32 fs);
/* The access must complete; for loads, return the value read. */
u32 expect_no_fault(const char *what, u32 addr, enum how how);
/* The next instruction at @pc raised exactly one UNDEF from @mode. */
void expect_undef_at(const char *what, u32 pc, u32 mode);
/* The last exception (count, type) as one word for checks: type << 8 | n. */
u32 x_summary(void);

/* ---- small helpers ---- */
void copy_words(u32 dst, u32 src, u32 words);
u32 sum_words(u32 addr, u32 words);
void sync_code(u32 addr, u32 len); /* D-cache clean + I-cache invalidate */
u32 get_mode(void);                /* patched MRS CPSR & 0x1f */

/* ---- a one-shot wake-up for WFI (sc_irq.c): the private timer after
 * @ticks (10 ns each); its IRQ is acknowledged by a hook ---- */
void wake_arm(u32 ticks);
u32 wake_disarm(void); /* returns how many wake-ups were taken */

/* The guest's exception hooks, for scenarios that take over a vector. */
#define HOOK(type, fn) (x_hook[(type)] = (fn))

#endif /* HOSTILE_H */
