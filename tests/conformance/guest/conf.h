/* SPDX-License-Identifier: MIT */
/*
 * The conformance-guest runtime: output, checks, exception recording,
 * user-mode calls, page tables. Scenarios (sc_*.c) see only this header;
 * the console and the exit are the platform layer (plat_native.c,
 * plat_virt.c), one file per platform.
 *
 * Transcript format (docs/conformance.md): one line per check,
 * "<scenario>: <what> = <value>". Lines starting with '#' are platform
 * notes and are not compared.
 */
#ifndef CONF_H
#define CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint32_t u32;

/* ---- fixed addresses (identical in both runs) ---- */
#define RAM_BASE      0x10000000u
#define STACK_BASE    0x10100000u /* 512 KiB of stacks (start.S) */
#define SVC_STACK_TOP 0x10110000u
#define ABT_STACK_TOP 0x10118000u
#define UND_STACK_TOP 0x10120000u
#define IRQ_STACK_TOP 0x10128000u
#define FIQ_STACK_TOP 0x10130000u
#define SYS_STACK_TOP 0x10140000u
#define USR_STACK_TOP 0x10150000u
#define L1_A          0x10200000u /* 16 KiB L1 tables */
#define L1_B          0x10204000u
#define L2_POOL       0x10210000u /* 1 KiB L2 tables */
#define TEST_PA       0x10400000u /* test pages, 4 MiB */
#define SUPER_PA      0x11000000u /* a 16 MiB supersection target */
#define TEST_VA       0x40000000u /* scenario mappings live above this */
#define PERIPH        0x00a00000u
#define GICC          (PERIPH + 0x100u)
#define GT            (PERIPH + 0x200u)
#define TWD           (PERIPH + 0x600u)
#define GICD          (PERIPH + 0x1000u)

/* ---- enum pv_insn_class numbers used in site records (checked in rt.c
 * against include/pvcore/decode.h) ---- */
#define IC_CPS 4
#define IC_MRS 5
#define IC_MSR 6
#define IC_SRS 7
#define IC_RFE 8
#define IC_LDM_USER 9
#define IC_LDM_ERET 10
#define IC_STM_USER 11
#define IC_DP_ERET 12
#define IC_LDRT 13
#define IC_WFI 14
#define IC_WFE 15
#define SITE_THUMB 0x10000

#define XSTR_(x) #x
#define XSTR(x) XSTR_(x)
/*
 * SENS(cls, "insn"): a sensitive instruction (DESIGN.md table). Natively
 * it runs as written; mkguest.py rewrites each recorded site into the
 * pvpatch trap word for the VMM build and emits the site table.
 */
#define SENS(cls, insn)                                                    \
	"999: " insn "\n\t.pushsection .pv_sens, \"\"\n\t.word 999b, "     \
	XSTR(cls) "\n\t.popsection\n\t"
#define SENS_T(cls, insn)                                                  \
	"999: " insn "\n\t.pushsection .pv_sens, \"\"\n\t.word 999b, "     \
	XSTR(cls) "+0x10000\n\t.popsection\n\t"

/* ---- coverage bits (DESIGN.md trapping classes and exception types) ---- */
enum cov {
	C_CP15, C_CP14, C_VFPSYS, C_SMC, C_HVC, C_CPS, C_MRS, C_MSR, C_SRS,
	C_RFE, C_LDMU, C_LDMERET, C_STMU, C_DPERET, C_LDRT, C_WFI, C_WFE,
	C_UNDEF, C_SVC, C_PABT, C_DABT, C_IRQ, C_FIQ, C_MMIO, C_THUMB,
	C_COUNT
};
/* NZCV as bits 3..0 without MRS (sensitive: it would need a SENS site);
 * an asm fragment for inline assembly after the flags are set. */
#define NZCV(r)                                                            \
	"\n\tmov " r ", #0\n\torrmi " r ", " r ", #8\n\t"                 \
	"orreq " r ", " r ", #4\n\torrcs " r ", " r ", #2\n\t"              \
	"orrvs " r ", " r ", #1"

#define CV(x) (1u << (x))

struct scenario {
	const char *name;
	void (*fn)(void);
	u32 cover;
};
#define SCENARIO(id, covermask)                                            \
	static void sc_##id(void);                                          \
	static const struct scenario sc_rec_##id                            \
		__attribute__((section(".scenarios"), used)) = {            \
			#id, sc_##id, (covermask) };                        \
	static void sc_##id(void)

/* ---- platform layer ---- */
void plat_init(void);
void plat_putc(char c);
void plat_scenario_done(const char *name);
__attribute__((noreturn)) void plat_exit(int status);
/*
 * Several CPUs (the SMP images only: sc_smp.c, smp_entry.S). Natively the
 * i.MX6Q's System Reset Controller starts and stops cores; under the VMM
 * PSCI does. The scenarios see only these three.
 */
/* Start CPU @cpu (1..3) at @entry, SVC mode, MMU off. */
void plat_cpu_on(unsigned cpu, u32 entry);
/* On a secondary: turn this CPU off. */
__attribute__((noreturn)) void plat_cpu_off(void);
/* On CPU 0: wait until @cpu is off after its plat_cpu_off(); false on a
 * timeout. */
bool plat_cpu_wait_off(unsigned cpu);

/* ---- output and checks ---- */
void out_puts(const char *s);
void out_hex(u32 v);
void out_dec(u32 v);
void check(const char *what, u32 value);
void check_str(const char *what, const char *value);
/* "<a><n><b>" in a static buffer (for check names built in loops). */
const char *nm(const char *a, u32 n, const char *b);
#define NONUM 0xffffffffu
/* Load and store probes with the result and fault (FSR, FAR - addr). */
void probe_report(const char *label, u32 addr, bool user, bool store);
extern unsigned conf_checks;

/* ---- exceptions ---- */
enum { X_NONE, X_UND, X_SVC, X_PABT, X_DABT, X_HYP, X_IRQ, X_FIQ };
struct xframe {
	u32 r[13];
	u32 pad;
	u32 pc;   /* preferred return address (SUBS/RFE target) */
	u32 spsr;
};
struct xrec {
	u32 type, pc, spsr, fsr, far, lr_raw;
};
extern volatile struct xrec last_x;
extern volatile unsigned x_count;
/* Hook per type; return true if it dealt with the frame itself. */
typedef bool (*xhook_t)(unsigned type, struct xframe *f);
extern xhook_t x_hook[8];
extern volatile u32 x_resume;   /* if set, the next fault returns here */
extern volatile u32 x_ret_form; /* 0 LDM^, 1 RFE, 2 SUBS, 3 MOVS */
void x_reset(void);
/* Print the last exception: type, return pc relative to @base, mode. */
void show_x(const char *what, u32 base);
void show_fault(const char *what, u32 expect_far);
u32 insn_len(u32 pc, bool thumb);

/* ---- asm helpers (start.S, helpers.S) ---- */
u32 run_user(u32 (*fn)(u32), u32 arg); /* calls fn(arg) in USR mode */
u32 probe_ld(u32 addr);   /* returns 0xdeaddead if the load faulted */
u32 probe_st(u32 addr, u32 v); /* returns 0 ok, 0xdeaddead if faulted */
u32 probe_ldb(u32 addr);
u32 probe_ldrt(u32 addr);
u32 probe_strt(u32 addr, u32 v);
u32 probe_exec(u32 addr); /* blx addr; returns r0 of the callee */
u32 user_probe_ld(u32 addr);
u32 user_probe_st(u32 addr);
u32 get_cpsr(void);
u32 get_spsr(void);
void set_spsr(u32 v);
void irq_enable(void);
void irq_disable(void);
void wfi(void);
extern const char conf_vectors[];
void run_sys_irq(void (*fn)(void));

#define MRC(op1, crn, crm, op2)                                            \
	({ u32 v_;                                                          \
	   __asm__ volatile("mrc p15, " #op1 ", %0, c" #crn ", c" #crm      \
			    ", " #op2 : "=r"(v_) :: "memory");              \
	   v_; })
#define MCR(op1, crn, crm, op2, v)                                         \
	__asm__ volatile("mcr p15, " #op1 ", %0, c" #crn ", c" #crm ", " #op2 \
			 :: "r"((u32)(v)) : "memory")
static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void dsb(void) { __asm__ volatile("dsb" ::: "memory"); }
static inline u32 rd32(u32 a) { return *(volatile u32 *)a; }
static inline void wr32(u32 a, u32 v) { *(volatile u32 *)a = v; }
static inline uint8_t rd8(u32 a) { return *(volatile uint8_t *)a; }
static inline void wr8(u32 a, uint8_t v) { *(volatile uint8_t *)a = v; }

/* ---- MMU helpers (mmu.c) ---- */
/* Section descriptor bits. */
#define S_SECT     0x2u
#define S_B        (1u << 2)
#define S_C        (1u << 3)
#define S_XN       (1u << 4)
#define S_DOM(d)   ((u32)(d) << 5)
#define S_AP(ap)   ((((u32)(ap) & 3u) << 10) | ((((u32)(ap) >> 2) & 1u) << 15))
#define S_TEX(t)   ((u32)(t) << 12)
#define S_S        (1u << 16)
#define S_NG       (1u << 17)
#define S_SUPER    (1u << 18)
/* Small-page descriptor bits. */
#define P_SMALL    0x2u
#define P_XN       0x1u
#define P_LARGE    0x1u
#define P_AP(ap)   ((((u32)(ap) & 3u) << 4) | ((((u32)(ap) >> 2) & 1u) << 9))
#define P_NG       (1u << 11)
#define MEM_NORMAL (S_C | S_B | S_TEX(1)) /* WB WA */
#define MEM_DEVICE (S_B)                  /* shareable device */

void mmu_base(u32 l1);            /* identity RAM + devices, domain 0 */
void mmu_on(u32 l1, u32 asid);    /* TTBR0/CONTEXTIDR/DACR, SCTLR.M */
void mmu_off(void);
void map_section(u32 l1, u32 va, u32 pa, u32 attrs);
void map_super(u32 l1, u32 va, u32 pa, u32 attrs);
u32 l2_new(void);                 /* a zeroed L2 table */
void map_l2(u32 l1, u32 va, u32 l2, u32 dom);
void map_small(u32 l2, u32 va, u32 pa, u32 attrs);
void map_large(u32 l2, u32 va, u32 pa, u32 attrs);
void tlb_flush(void);
void fill(u32 pa, u32 words, u32 seed);
void mem_zero(void *p, size_t n);

/* ---- GIC/timer helpers (sc_irq.c) ---- */
void gic_setup(void);
unsigned gic_ack(void);
void gic_eoi(unsigned iar);

#endif /* CONF_H */
