/* SPDX-License-Identifier: MIT */
/*
 * Internal interfaces of the i.MX6Q bare-metal backend (pvbm). Not part of
 * the pvcore API. See docs/baremetal.md for the memory map and the world
 * switch.
 */
#ifndef PVBM_BM_H
#define PVBM_BM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Host physical memory map (sabrelite, -m 1G: RAM 0x10000000..) ---- */
#define PVBM_WINDOW_PA    0x10000000u /* 1 MiB backing the VMM window */
#define PVBM_IMAGE_PA     0x10100000u /* the rest of the host image */
#define PVBM_POOL_PA      0x20000000u /* shadow-table pool */
#define PVBM_POOL_SIZE    0x01000000u
#define PVBM_GUEST_PA     0x30000000u /* host backing of guest RAM */
#define PVBM_GUEST_SIZE   0x08000000u /* PV_BOARD_RAM_SIZE: 128 MiB */
#define PVBM_RAM_END      0x50000000u

/* ---- Devices ---- */
#define PVBM_UART_BASE    0x021e8000u /* i.MX6 UART2: QEMU's serial1 */
#define PVBM_PERIPH_BASE  0x00a00000u /* expected CBAR on i.MX6Q */
/* PERIPHCLK: QEMU's A9 timers tick every 10 ns (prescaler 0). */
#ifndef PVBM_PERIPH_HZ
#define PVBM_PERIPH_HZ    100000000u
#endif
#define PVBM_TICK_HZ      1000u
#define PVBM_IRQ_GTIMER   27u
#define PVBM_IRQ_TWD      29u

/* ---- The VMM window (guest-virtual and host-virtual alike) ---- */
#define PVBM_WINDOW_VA    0xfff00000u
#define PVBM_WINDOW_SIZE  0x000e0000u /* up to 0xFFFDFFFF, not the vectors */
#define PVBM_WINDOW_DOMAIN 15u /* a domain Linux does not use */
#define PVBM_VMM_DACR     0x55555555u /* every domain Client */
#define PVBM_TTBR_ATTRS   0x6au /* IRGN/RGN write-back write-allocate, S, NOS */

/* Exit statuses reported through semihosting (the test contract). */
#define PVBM_EXIT_OK        0
#define PVBM_EXIT_FATAL     2  /* pvcore stopped the guest: PV_STOP_FATAL */
#define PVBM_EXIT_WATCHDOG  3  /* guest stuck: fault loop or time budget */
#define PVBM_EXIT_HOST      4  /* host exception or setup failure: a VMM bug */
#define PVBM_EXIT_GUEST_ERR 5  /* guest powered off / exited with non-zero */

/* Host exception kinds as the window entry code stores them. */
enum pvbm_kind {
	PVBM_K_RESET, PVBM_K_UNDEF, PVBM_K_SVC, PVBM_K_PABT, PVBM_K_DABT,
	PVBM_K_IRQ, PVBM_K_FIQ,
};

/*
 * struct pvbm_frame - the per-CPU save area in the VMM window. Offsets are
 * used by window.S; keep the two in step (checked by _Static_assert).
 */
struct pvbm_frame {
	uint32_t r[13];      /*  0: r0..r12 */
	uint32_t usr_sp;     /* 52 */
	uint32_t usr_lr;     /* 56 */
	uint32_t pc;         /* 60: entry: exception LR; exit: return PC */
	uint32_t cpsr;       /* 64: entry: SPSR; exit: host CPSR (USR) */
	uint32_t kind;       /* 68: enum pvbm_kind */
	uint32_t ttbr_window;/* 72: TTBR0 of the window-only table */
	uint32_t ttbr_vmm;   /* 76: TTBR0 of the VMM's own table */
	uint32_t dacr_vmm;   /* 80 */
	uint32_t vmm_sp;     /* 84: SYS-mode stack for the C handler */
	uint32_t handler;    /* 88: address of pvbm_trap() */
	uint32_t g_asid;     /* 92: guest (shadow) ASID */
	uint32_t g_dacr;     /* 96 */
	uint32_t g_ttbr0;    /* 100 */
	uint32_t g_align;    /* 104: guest SCTLR.A, applied while it runs */
};

extern struct pvbm_frame pvbm_frame;      /* in the window */
extern const char pvbm_window_vectors[];  /* VBAR, in the window */
void pvbm_exit_to_guest(void);            /* window: never returns */
void pvbm_trap(struct pvbm_frame *f);     /* C side of the trap path */

/* start.S helpers */
void pvbm_dcache_inval_all(void);
void pvbm_vfp_set(bool enable);
void pvbm_wfi(void);
void pvbm_ns_sctlr_align(bool on);

/* CP15 accessors */
#define PVBM_MCR(op1, crn, crm, op2, v)                                      \
	__asm__ volatile("mcr p15, " #op1 ", %0, c" #crn ", c" #crm ", " #op2 \
			 :: "r"(v) : "memory")
#define PVBM_MRC(op1, crn, crm, op2)                                          \
	({ uint32_t v_;                                                       \
	   __asm__ volatile("mrc p15, " #op1 ", %0, c" #crn ", c" #crm ", " #op2 \
			    : "=r"(v_) :: "memory");                          \
	   v_; })
static inline void pvbm_dsb(void) { __asm__ volatile("dsb" ::: "memory"); }
static inline void pvbm_isb(void) { __asm__ volatile("isb" ::: "memory"); }

static inline uint32_t pvbm_rd(uint32_t a) { return *(volatile uint32_t *)a; }
static inline void pvbm_wr(uint32_t a, uint32_t v) { *(volatile uint32_t *)a = v; }

/* mmu.c */
void pvbm_mmu_init(void);
uint32_t pvbm_window_l1(void);
uint32_t pvbm_ttbr_vmm(void);
uint32_t pvbm_ttbr_window(void);

/* uart.c */
void pvbm_uart_init(void);
void pvbm_uart_putc(char c);
int pvbm_uart_getc(void);
void pvbm_puts(const char *s);          /* adds nothing; '\n' -> "\r\n" */
void pvbm_put_hex(uint32_t v);
void pvbm_put_dec(uint64_t v);
void pvbm_log(const char *s);           /* "pvbm: " + s + newline */

/* gic.c */
void pvbm_gic_init(uint32_t periph);
int pvbm_gic_enable(unsigned irq, bool enable);
unsigned pvbm_gic_ack(void);            /* 1023 if nothing pending */
void pvbm_gic_eoi(unsigned iar);
unsigned pvbm_gic_lines(void);

/* timer.c */
void pvbm_timer_init(uint32_t periph);
uint64_t pvbm_now_ns(void);
void pvbm_timer_set(uint64_t deadline_ns);
bool pvbm_timer_irq(unsigned irq, bool *oneshot_fired);
extern volatile uint64_t pvbm_ticks;

/* semihost.c */
__attribute__((noreturn)) void pvbm_exit(int status);

#endif /* PVBM_BM_H */
