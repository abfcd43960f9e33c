/* SPDX-License-Identifier: MIT */
/*
 * The i.MX6Q host as pvbm's drivers see it: CPU helpers and the drivers
 * (MMU, UART, GIC, timers, semihosting). Not part of the pvcore API; the
 * drivers know nothing of the VM (that is vmm.h). Numbers come from the
 * platform descriptor (platform.h). See docs/baremetal.md.
 */
#ifndef PVBM_BM_H
#define PVBM_BM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform.h"

/* cpu.S */
void pvbm_dcache_inval_all(void);
void pvbm_vfp_set(bool enable);
void pvbm_wfi(void);
/* The host VFP/NEON register file: d0-d31, then FPSCR (cpu.S's layout). */
struct pvbm_vfp {
	uint64_t d[32];
	uint32_t fpscr;
};
_Static_assert(sizeof(((struct pvbm_vfp *)0)->d) == 64 * 4,
	       "pvbm_vfp: cpu.S stores 64 words of d0-d31 before FPSCR");
void pvbm_vfp_save(struct pvbm_vfp *regs);
void pvbm_vfp_load(const struct pvbm_vfp *regs);
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

/* mmu.c: the VMM's own tables, and the window's first-level descriptor */
void pvbm_mmu_init(void);
uint32_t pvbm_window_l1(void);
uint32_t pvbm_ttbr_vmm(void);
uint32_t pvbm_ttbr_window(void);

/* uart.c */
void pvbm_uart_init(void);
void pvbm_uart_putc(char c);
int pvbm_uart_getc(void);
bool pvbm_uart_rx_ready(void);         /* a byte waits; nothing consumed */
void pvbm_puts(const char *s);          /* adds nothing; '\n' -> "\r\n" */
void pvbm_put_hex(uint32_t v);
void pvbm_put_dec(uint64_t v);
void pvbm_log(const char *s);           /* "pvbm: " + s + newline */

/* gic.c */
void pvbm_gic_init(uint32_t periph);
void pvbm_gic_init_cpu(void);           /* another core's CPU interface */
int pvbm_gic_enable(unsigned irq, bool enable);
unsigned pvbm_gic_ack(void);            /* 1023 if nothing pending */
/* SGI @sgi to host core @core (a kick: wakes it, or takes it out of the
 * guest into pvbm_irq_service()). */
void pvbm_gic_send_sgi(unsigned core, unsigned sgi);
#define PVBM_SGI_KICK 1u
void pvbm_gic_eoi(unsigned iar);
unsigned pvbm_gic_lines(void);

/* timer.c */
void pvbm_timer_init(uint32_t periph);
void pvbm_timer_init_cpu(void);         /* another core's tick */
/* The global-timer counter behind pvbm_now_ns() (its two words at the
 * result, identity-mapped in the VMM's table) and ns per count, 0 if
 * that is not a whole number. */
uint32_t pvbm_timer_counter(uint32_t *ns_per_count);
uint64_t pvbm_now_ns(void);
void pvbm_timer_set(uint64_t deadline_ns);
bool pvbm_timer_irq(unsigned irq, bool *oneshot_fired);
extern volatile uint64_t pvbm_ticks;

/*
 * sdhc.c: block storage on the first i.MX6 uSDHC that holds a card (QEMU:
 * -drive if=none,id=d0,file=IMG,format=raw -device sd-card,drive=d0).
 * Polled; every call returns when the card is done or has failed.
 * pvbm_sd_init(): 0, or a negative PV_E* code when no controller has a
 * card or the card does not answer (storage then stays absent: capacity 0).
 * pvbm_sd_read/write(): @count 512-byte sectors at @sector; 0 or a
 * negative PV_E* code (PV_EBACKEND: the card or controller reported an
 * error; PV_ERANGE: beyond the card). pvbm_sd_flush(): 0 once every
 * completed write is on the medium.
 */
int pvbm_sd_init(void);
uint64_t pvbm_sd_sectors(void);
int pvbm_sd_read(uint64_t sector, uint8_t *buf, uint32_t count);
int pvbm_sd_write(uint64_t sector, const uint8_t *buf, uint32_t count);
int pvbm_sd_flush(void);

/*
 * enet.c: the i.MX6 Ethernet controller (ENET at 0x02188000; QEMU:
 * -nic user,model=imx.enet,...), polled, no interrupts.
 * pvbm_enet_init(): 0 or a negative PV_E* code; writes the controller's
 * MAC address to @mac (a fixed locally administered one if the controller
 * has none or does not answer). pvbm_enet_send(): queue one frame
 * (14..1514 bytes, no FCS); 0, or PV_ENOMEM when the transmit ring is
 * full, PV_EBACKEND when the controller is absent or failed, PV_EINVAL
 * for a length out of range. pvbm_enet_recv(): the next
 * received frame's length (copied to @buf), 0 if none, negative PV_E* on
 * error; a frame longer than @cap is dropped, never truncated.
 */
int pvbm_enet_init(uint8_t mac[6]);
int pvbm_enet_send(const uint8_t *frame, size_t len);
int pvbm_enet_recv(uint8_t *buf, size_t cap);
void pvbm_enet_report(void);            /* one line of counters, if used */

/* entropy.c: @len bytes of the seeded keystream (0; cannot fail). */
int pvbm_entropy_fill(uint8_t *buf, size_t len);

/*
 * smp.c: the other host cores, and the lock that serializes the VMM's C
 * path while several cores run guests. pvbm_host_cores(): the SCU's core
 * count (call it once, at bring-up). pvbm_cores_start(): start cores
 * 1..@n-1 and return true, or false if the host has fewer than @n (or @n
 * is 1); it stops the run if a core does not come up. From then on
 * pvbm_ncores is @n, TLB maintenance is broadcast and pvbm_lock() takes
 * the lock (a no-op with one core).
 */
unsigned pvbm_host_cores(uint32_t periph);
unsigned pvbm_core_id(void);
bool pvbm_cores_start(unsigned n);
void pvbm_lock_cores(void);
void pvbm_unlock_cores(void);
extern unsigned pvbm_ncores;

/* Inline so that one core's trap path pays a test, not two calls. */
static inline void pvbm_lock(void)
{
	if (pvbm_ncores > 1)
		pvbm_lock_cores();
}

static inline void pvbm_unlock(void)
{
	if (pvbm_ncores > 1)
		pvbm_unlock_cores();
}

/* semihost.c */
__attribute__((noreturn)) void pvbm_exit(int status);

#endif /* PVBM_BM_H */
