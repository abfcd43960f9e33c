/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the whole trap surface, with the fake backend.
 *
 * The input, read as a stream (fuzz_input.h; past its end every field is
 * zero):
 *
 * 1. a VM configuration: 1-4 vCPUs, the shadow pool (64 KiB: one address
 *    space and constant eviction, up to 512 KiB: four), one of four VMM
 *    windows (ending inside a MiB, a whole MiB in domain 0, two descriptors,
 *    a page-table descriptor), a second RAM bank with a host backing that
 *    is not 1 MiB aligned, the default board or pv_board_virtio (with the
 *    virtio console, block, network and entropy devices), a pvpatch site
 *    table, TTBR walk attributes, what the harness does when the guest
 *    changes its memory (see below), and whether the secondaries stay off
 *    as pv_vm_init() leaves them (until a PSCI CPU_ON step) or vCPU 0
 *    starts them with CPU_ON first;
 * 2. guest memory, from small generators the input drives: a Linux-like
 *    base mapping, "an L1 table of N random-but-plausible descriptors", "an
 *    L2 table of N page descriptors", "a page of instruction words picked
 *    from a list of interesting encodings" (CP15/CP14 moves, MRS/MSR, CPS,
 *    SRS/RFE, LDM/STM ^, SUBS PC, LDRT/STRT, WFI, HVC/SMC, VLD1/VLDR,
 *    LDREX/STREX, BKPT, UDF, loads and stores, pvpatch trap words, raw
 *    words), and raw words;
 * 3. the initial translation regime of each vCPU (written as the guest
 *    would, through pv_cp_write());
 * 4. up to MAX_STEPS steps, each on one vCPU: set its registers and CPSR
 *    mode (pv_vcpu_regs(), pv_vcpu_write_cpsr()), optionally store an
 *    instruction word at its PC, and deliver a trap of any kind through
 *    pv_vcpu_handle_trap() (or pv_vcpu_run_trap()) with an FSR and FAR from
 *    the input; or one of the shortcuts that make the fuzzer's life easier:
 *    an MMIO access (a load or store at the PC, r1 = FAR = a device
 *    register, a data abort), one interesting instruction executed with
 *    the trap the host would raise for it (UNDEF, SVC, or a debug prefetch
 *    abort for BKPT), a PSCI or pvcore call (SMC/HVC); or a host event: a
 *    timer expiry, console input, a physical interrupt, a poll; or a CP15
 *    write (pv_cp_write(), as the guest's MCR would).
 *
 * After every step, abort() unless:
 *
 * (a) isolation, checked independently of the engine: a walk of every
 *     shadow root in the pool, decoding the short descriptors here. Every
 *     valid mapping targets host backing of a guest RAM region
 *     (cfg.ram[i].hpa ..+size) or is one of the VMM window's own
 *     descriptors; no mapping reachable from host PL0 (AP[1] set) targets
 *     the pool or the window's memory; no host entry is global; every L1
 *     page-table descriptor points at a second-level table in the pool's
 *     table area; the window slots equal cfg.window_l1 and, for a window
 *     ending inside a MiB, its pages are the window section's own, PL1
 *     only; the backend was never handed a buffer outside guest RAM and
 *     the VM object (the fake backend's virtio operations check). Then
 *     pv_shadow_check_isolation() must return 0 too whenever its
 *     documented assumption holds (engine_check_applies(): no guest table
 *     changed without maintenance); it judges every space under its key
 *     and under each vCPU running there, whatever their DACRs and SCTLRs
 *     (issue 13, defect 2), and is re-run whenever anything it reads
 *     changed (engine_sig).
 * (b) well-formed vCPUs: CPSR.M valid on every vCPU; after an exit that
 *     resumes the guest, pv_vcpu_resume_state() gives a host CPSR in USR
 *     mode with A/I/F and J clear and no IT bits when T is clear, a TTBR0
 *     that is the root of a cached space in the pool with exactly the
 *     configured walk attributes, a host DACR with no Manager domain and
 *     the window's domains client.
 * (c) balanced pool accounting: the free list is acyclic, inside the pool
 *     and disjoint from the linked tables; linked + free + pinned tables =
 *     all tables; the engine's used count equals the linked count; no
 *     second-level table is linked twice; each linked table's metadata
 *     names the root and index that link it; every non-zero L1 entry is in
 *     its root's used bitmap; spaces not in use hold no entries.
 * (d) exit fields: action, stop and injected in range; a trap on a running
 *     vCPU reports and counts exactly one reason < PV_TR_COUNT; a trap on a
 *     stopped vCPU and a poll report PV_TR_COUNT and count nothing; action
 *     STOP if and only if the vCPU has a stop reason; code 0 unless
 *     stopped, negative for PV_STOP_FATAL, 0 for power-off and reset.
 *
 * When the guest's emulated stores (or the harness's own writes) change a
 * page one of its cached address spaces walks, the input chose what the
 * guest does: the TLB maintenance the architecture requires (TLBIALL,
 * done by the harness) or nothing (then the shadow may legally hold stale
 * entries and the engine's checker is skipped until the next full flush).
 *
 * FUZZ_VM_VERBOSE=1 prints each step (for reading a crash input).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvcore/decode.h>
#include <pvcore/error.h>
#include <pvcore/patch.h>

#include "core.h"
#include "fake_backend.h"
#include "run_check.h"
#include "table_check.h"
#include "table_log.h"
#include "vm_exit.h"
#include "fuzz_input.h"

#define MAX_STEPS 64

/* Guest-physical layout. RAM0 is 1 MiB with a 1 MiB-aligned host backing
 * (host sections possible), RAM1 64 KiB with one that is not. */
#define RAM0 0x10000000u
#define RAM0_SIZE 0x100000u
#define RAM1 0x10200000u
#define RAM1_SIZE 0x10000u
#define RAM1_OFF RAM0_SIZE  /* its backing follows RAM0's in fb.ram */
#define RAM1_HPA 0x47ff3000u
#define L1A (RAM0 + 0x0000u)
#define L1B (RAM0 + 0x4000u)
#define L2T (RAM0 + 0x8000u) /* 16 second-level tables of 1 KiB */
#define NL2 16u
#define CODE_ARM (RAM0 + 0xc000u)
#define CODE_THUMB (RAM0 + 0xd000u)
#define SITES_ARM (RAM0 + 0xe000u)
#define SITES_THUMB (RAM0 + 0xf000u)
#define VECTORS (RAM0 + 0x10000u)
#define DATA (RAM0 + 0x11000u)
#define KVA 0xc0000000u /* the base mapping puts RAM0 here */
#define UVA 0x00008000u /* and user pages here */
#define UART PV_BOARD_UART_BASE
#define PERIPH PV_BOARD_PERIPH_BASE

#define NPAGES ((RAM0_SIZE + RAM1_SIZE) / 4096u)

/* White-box: the engine's pool metadata (libpvcore/shadow.c). */
#define ROOT_META 1060u
#define M_USED (1u << 31)
#define M_OWNER(s, view, idx) ((s) << 13 | (view) << 12 | (idx))
#define M_OWNER_MASK 0x3ffffu

static struct fake_backend fb;
static struct pv_vm_config base_cfg, cfg;
static struct pv_vm *vm;
static bool verbose;

/* ---- configuration --------------------------------------------------- */

#define SEC(pa, dom, ap) ((pa) | (ap) << 10 | (dom) << 5 | 2u)
#define APX_SEC (1u << 15)

struct window_variant {
	uint32_t base, size;
	uint32_t l1[2];
};

/* Host descriptors of the window: PL1 only, as the backend must give. */
static const struct window_variant windows[4] = {
	{ PV_DEFAULT_WINDOW_BASE, PV_DEFAULT_WINDOW_SIZE,
	  { SEC(0x3f800000u, 15u, 1u), 0 } },
	{ 0xfff00000u, 0x100000u, { SEC(0x3f800000u, 0u, 1u), 0 } },
	{ 0xffe00000u, 0x1e0000u,
	  { SEC(0x3f800000u, 15u, 1u), SEC(0x3f900000u, 15u, 1u) | APX_SEC } },
	{ 0xffc00000u, 0x200000u,
	  { 0x3fa00000u | 1u << 5 | 1u, SEC(0x3fb00000u, 1u, 0u) } },
};

static uint32_t window_l1[2];

/* Host memory the window's descriptors cover: [lo, hi). */
struct range {
	uint64_t lo, hi;
};
static struct range win_mem[2];
static unsigned nwin_mem;

static struct pv_patch_site sites[32];
static struct pv_patch_table sites_table;
static unsigned nvcpus;
/* Secondaries stay off (as pv_vm_init() leaves them) until a CPU_ON step;
 * otherwise vCPU 0 starts them with CPU_ON before they are set up. */
static bool secondaries_off;
static bool maintain; /* the harness does the guest's TLB maintenance */

/* ---- guest memory and the change tracker ------------------------------ */

static uint8_t snap[RAM0_SIZE + RAM1_SIZE];
static uint8_t snapped[NPAGES];
static const uint8_t zero_page[4096];

/*
 * Comparisons for the oracles, of memory known to be valid (guest RAM, the
 * pool): plain word loops, without the ASan memcmp interceptor's range
 * checks, which cost more than the comparison (and without UBSan's
 * alignment checks, which keep the loop scalar; both are 8-byte aligned).
 * @n is a multiple of 8.
 */
__attribute__((no_sanitize("address", "undefined"))) static bool same_words(const void *a,
							       const void *b, size_t n)
{
	const uint64_t *x = a, *y = b;
	uint64_t d = 0;

	for (size_t i = 0; i < n / 8; i++)
		d |= x[i] ^ y[i];
	return !d;
}

__attribute__((no_sanitize("address", "undefined"))) static bool all_zero(const void *a, size_t n)
{
	const uint64_t *x = a;
	uint64_t d = 0;

	for (size_t i = 0; i < n / 8; i++)
		d |= x[i];
	return !d;
}

static uint8_t *page_ptr(unsigned p)
{
	return p < RAM0_SIZE / 4096u ? fb.ram + p * 4096u :
				       fb.ram + RAM1_OFF + (p - RAM0_SIZE / 4096u) * 4096u;
}

/* Host pointer to guest-physical @gpa..+@len, or NULL outside RAM. */
static uint8_t *gmem(uint32_t gpa, uint32_t len)
{
	if (gpa - RAM0 < RAM0_SIZE && len <= RAM0 + RAM0_SIZE - gpa)
		return fb.ram + (gpa - RAM0);
	if (gpa - RAM1 < RAM1_SIZE && len <= RAM1 + RAM1_SIZE - gpa)
		return fb.ram + RAM1_OFF + (gpa - RAM1);
	return NULL;
}

static uint8_t touched[NPAGES]; /* pages the harness wrote since the last look */
static unsigned page_of(uint32_t gpa);

static void put32(uint32_t gpa, uint32_t v)
{
	uint8_t *p = gmem(gpa & ~3u, 4);

	if (p) {
		memcpy(p, &v, 4);
		touched[page_of(gpa)] = 1;
	}
}

static void put16(uint32_t gpa, uint32_t v)
{
	uint8_t *p = gmem(gpa & ~1u, 2);
	uint16_t h = (uint16_t)v;

	if (p) {
		memcpy(p, &h, 2);
		touched[page_of(gpa)] = 1;
	}
}

static uint8_t changed[NPAGES];

/* The page index of guest-physical @gpa, or NPAGES outside RAM. */
static unsigned page_of(uint32_t gpa)
{
	if (gpa - RAM0 < RAM0_SIZE)
		return (gpa - RAM0) / 4096u;
	if (gpa - RAM1 < RAM1_SIZE)
		return RAM0_SIZE / 4096u + (gpa - RAM1) / 4096u;
	return NPAGES;
}

/*
 * Whether guest RAM differs from the last snapshot (the pages that do are
 * marked in changed[]); takes a new one. Looks at every page when @all (an
 * emulated store may have written anywhere), else at the pages the harness
 * wrote.
 */
static bool ram_changed(bool all)
{
	bool any = false;

	for (unsigned p = 0; p < NPAGES; p++) {
		const uint8_t *ref = snapped[p] ? snap + p * 4096u : zero_page;

		changed[p] = 0;
		if (!all && !touched[p])
			continue;
		touched[p] = 0;
		if (same_words(page_ptr(p), ref, 4096))
			continue;
		any = true;
		changed[p] = 1;
		memcpy(snap + p * 4096u, page_ptr(p), 4096);
		snapped[p] = 1;
	}
	return any;
}

/*
 * The pages a walk of a cached MMU-on address space reads: its L1 tables
 * and the second-level tables their entries link (in both byte orders,
 * SCTLR.EE). Kept until the set of cached spaces changes (a space miss) or
 * a table page changed.
 */
static uint8_t table_page[NPAGES];
static uint64_t table_pages_key = UINT64_MAX;

static void mark_range(uint32_t gpa, uint32_t len)
{
	for (uint32_t off = 0; off < len + (gpa & 0xfffu); off += 4096u) {
		unsigned p = page_of((gpa & ~0xfffu) + off);

		if (p < NPAGES)
			table_page[p] = 1;
	}
}

static void mark_l1_table(uint32_t base, unsigned n)
{
	uint32_t entries = 4096u >> n;

	mark_range(base, 4 * entries);
	for (uint32_t c = 0; c < entries; c += 64) {
		/* A table may straddle the end of RAM: the walk reads what is in it. */
		const uint32_t *l1 = (const uint32_t *)gmem(base + 4 * c, 256);

		if (!l1 || all_zero(l1, 256))
			continue;
		for (uint32_t i = 0; i < 64; i++) {
			uint32_t d = l1[i], e = __builtin_bswap32(d);

			if ((d & 3) == 1)
				mark_range(d & 0xfffffc00u, 1024);
			if ((e & 3) == 1)
				mark_range(e & 0xfffffc00u, 1024);
		}
	}
}

/* Whether a changed page is one a walk of a cached space reads: then the
 * shadow may hold entries the guest's tables no longer give. */
static bool tables_changed(void)
{
	const struct pv_shadow *sh = &vm->shadow;

	if (sh->stats.space_misses != table_pages_key) {
		memset(table_page, 0, sizeof(table_page));
		for (unsigned s = 0; s < sh->nspaces; s++) {
			const struct pv_shadow_space *sp = &sh->space[s];
			unsigned n = sp->ttbcr & 7;

			if (!sp->in_use || sp->flat)
				continue;
			mark_l1_table(sp->ttbr0 & (0xffffffffu << (14 - n)), n);
			if (n)
				mark_l1_table(sp->ttbr1 & 0xffffc000u, 0);
		}
		table_pages_key = sh->stats.space_misses;
	}
	for (unsigned p = 0; p < NPAGES; p++) {
		if (changed[p] && table_page[p]) {
			table_pages_key = UINT64_MAX; /* links may have moved */
			return true;
		}
	}
	return false;
}

/* ---- small generators -------------------------------------------------- */

static uint32_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift32; a zero seed is replaced */
	uint32_t x = rng_state ? rng_state : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rng_state = x;
	return x;
}

/* Interesting A32 words. */
static const uint32_t a32_words[] = {
	/* CP15 / CP14 */
	0xee100f10u, /* mrc p15, 0, r0, c0, c0, 0    MIDR */
	0xee110f10u, /* mrc SCTLR */
	0xee010f10u, /* mcr SCTLR */
	0xee020f10u, /* mcr TTBR0 */
	0xee020f30u, /* mcr TTBR1 */
	0xee020f50u, /* mcr TTBCR */
	0xee030f10u, /* mcr DACR */
	0xee0d0f30u, /* mcr CONTEXTIDR */
	0xee0d0f70u, /* mcr TPIDRURO */
	0xee0c0f10u, /* mcr VBAR */
	0xee010f50u, /* mcr CPACR */
	0xee0a0f12u, /* mcr PRRR */
	0xee0a0f32u, /* mcr NMRR */
	0xee080f17u, /* mcr TLBIALL */
	0xee080f37u, /* mcr TLBIMVA */
	0xee080f57u, /* mcr TLBIASID */
	0xee080f77u, /* mcr TLBIMVAA */
	0xee070f15u, /* mcr ICIALLU */
	0xee070f3au, /* mcr DCCMVAC */
	0xee070f18u, /* mcr ATS1CPR */
	0xee070f78u, /* mcr ATS1CUW */
	0xee170f14u, /* mrc PAR */
	0xee150f10u, /* mrc DFSR */
	0xee070f90u, /* mcr c7, c0, 4: legacy WFI */
	0xee190f1cu, /* mrc PMCR */
	0xec510f02u, /* mrrc p15, 0, r0, r1, c2 */
	0xee100e10u, /* mrc p14, 0, r0, c0, c0, 0 DBGDIDR */
	0xee000e15u, /* mcr p14 DBGDTRTX */
	/* VFP control */
	0xeef80a10u, /* vmrs r0, fpexc */
	0xeee80a10u, /* vmsr fpexc, r0 */
	0xeef00a10u, /* vmrs r0, fpsid */
	0xeef70a10u, /* vmrs r0, mvfr0 */
	0xeef10a10u, /* vmrs r0, fpscr */
	/* PSR */
	0xe10f0000u, /* mrs r0, cpsr */
	0xe14f0000u, /* mrs r0, spsr */
	0xe121f000u, /* msr cpsr_c, r0 */
	0xe12ff000u, /* msr cpsr_fsxc, r0 */
	0xe169f000u, /* msr spsr_fc, r0 */
	0xe321f0d3u, /* msr cpsr_c, #0xd3 */
	0xf10c0080u, /* cpsid i */
	0xf1080080u, /* cpsie i */
	0xf1020013u, /* cps #0x13 */
	0xf10e01dfu, /* cpsid aif, #0x1f */
	/* SRS / RFE / banked LDM/STM / exception returns */
	0xf96d0513u, /* srsdb sp!, #0x13 */
	0xf8bd0a00u, /* rfeia sp! */
	0xf8900a00u, /* rfeia r0 */
	0xe8fd8000u, /* ldm sp!, {pc}^ */
	0xe8dd7fffu, /* ldm sp, {r0-lr}^ */
	0xe8d00006u, /* ldm r0, {r1, r2}^ */
	0xe8c00006u, /* stm r0, {r1, r2}^ */
	0xe94d7fffu, /* stmdb sp, {r0-lr}^ */
	0xe25ef004u, /* subs pc, lr, #4 */
	0xe1b0f00eu, /* movs pc, lr */
	/* LDRT / STRT */
	0xe4b10004u, /* ldrt r0, [r1], #4 */
	0xe4a10004u, /* strt r0, [r1], #4 */
	0xe4f10001u, /* ldrbt */
	0xe4e10001u, /* strbt */
	0xe0f100b2u, /* ldrht r0, [r1], #2 */
	0xe0e100b2u, /* strht */
	/* hints, calls, breakpoints */
	0xe320f003u, /* wfi */
	0xe320f002u, /* wfe */
	0xe320f004u, /* sev */
	0xe320f001u, /* yield */
	0xef000000u, /* svc #0 */
	0xe1400070u, /* hvc #0 */
	0xe1600070u, /* smc #0 */
	0xe1200070u, /* bkpt #0 */
	0xe7f000f0u, /* udf #0 */
	0xe7f001f2u, /* udf #18: Linux BUG() */
	/* VFP/NEON memory */
	0xf421070fu, /* vld1.8 {d0}, [r1] */
	0xf401070fu, /* vst1.8 {d0}, [r1] */
	0xed910b00u, /* vldr d0, [r1] */
	0xed810b00u, /* vstr d0, [r1] */
	/* exclusives */
	0xe1910f9fu, /* ldrex r0, [r1] */
	0xe1812f90u, /* strex r2, r0, [r1] */
	0xe1b12f9fu, /* ldrexd r2, r3, [r1] */
	0xe1d10f9fu, /* ldrexb r0, [r1] */
	/* ordinary loads and stores (the MMIO path) */
	0xe5910000u, /* ldr r0, [r1] */
	0xe5810000u, /* str r0, [r1] */
	0xe5d10000u, /* ldrb r0, [r1] */
	0xe5c10000u, /* strb r0, [r1] */
	0xe1d100b0u, /* ldrh r0, [r1] */
	0xe1c100b0u, /* strh r0, [r1] */
	0xe1c100d0u, /* ldrd r0, r1, [r1] */
	0xe1c100f0u, /* strd r0, r1, [r1] */
	0xe8910005u, /* ldm r1, {r0, r2} */
	0xe8810005u, /* stm r1, {r0, r2} */
	0xe5b10004u, /* ldr r0, [r1, #4]! */
	0xe4910004u, /* ldr r0, [r1], #4 */
	0xe7910102u, /* ldr r0, [r1, r2, lsl #2] */
	0xe591f000u, /* ldr pc, [r1] */
	0xe1010090u, /* swp r0, r0, [r1] */
	0xe1d100d0u, /* ldrsb r0, [r1] */
	0xe5910003u, /* ldr r0, [r1, #3] */
	0xe891fffeu, /* ldm r1, {r1-pc} */
	/* ordinary */
	0xe12fff1eu, /* bx lr */
	0xe1a00000u, /* nop (mov r0, r0) */
	0xf57ff04fu, /* dsb sy */
	0xf5d1f000u, /* pld [r1] */
};

/* Interesting Thumb encodings: T32 as hw1 << 16 | hw2, T16 below 0x10000. */
static const uint32_t t_words[] = {
	0xf3ef8000u, /* mrs r0, cpsr */
	0xf3ff8000u, /* mrs r0, spsr */
	0xf3808900u, /* msr cpsr_fc, r0 */
	0xf3908f00u, /* msr spsr_fsxc, r0 */
	0xb672u,     /* cpsid i */
	0xb662u,     /* cpsie i */
	0xf3af8113u, /* cps #0x13 */
	0xf3de8f04u, /* subs pc, lr, #4 */
	0xe990c000u, /* rfeia r0 */
	0xe80dc013u, /* srsdb sp, #0x13 */
	0xf8510e00u, /* ldrt r0, [r1] */
	0xf8410e00u, /* strt r0, [r1] */
	0xbf30u,     /* wfi */
	0xbf20u,     /* wfe */
	0xdf00u,     /* svc #0 */
	0xbe00u,     /* bkpt #0 */
	0xde00u,     /* udf #0 */
	0xf7f0a000u, /* udf.w #0 */
	0xf7e08000u, /* hvc #0 */
	0xf7f08000u, /* smc #0 */
	0xee100f10u, /* mrc MIDR */
	0xee010f10u, /* mcr SCTLR */
	0xee080f17u, /* mcr TLBIALL */
	0xeef80a10u, /* vmrs r0, fpexc */
	0x6808u,     /* ldr r0, [r1] */
	0x6008u,     /* str r0, [r1] */
	0xc903u,     /* ldm r1, {r0, r1} */
	0xe8d1f000u, /* tbb [r1, r0] */
	0xe8510f00u, /* ldrex r0, [r1] */
	0xf921070fu, /* vld1.8 {d0}, [r1] */
	0xed910b00u, /* vldr d0, [r1] */
	0xe8bd8000u, /* pop.w {pc} */
	0x4770u,     /* bx lr */
};

/* Sensitive A32 and Thumb originals for pvpatch sites. */
static const uint32_t site_a32[] = {
	0xe10f0000u, 0xe14f0000u, 0xe121f000u, 0xe169f000u, 0xe321f0d3u,
	0xf10c0080u, 0xf1080080u, 0xf1020013u, 0xf96d0513u, 0xf8bd0a00u,
	0xe8fd8000u, 0xe8d00006u, 0xe8c00006u, 0xe25ef004u, 0xe1b0f00eu,
	0xe4b10004u, 0xe4a10004u, 0xe320f003u, 0xe320f002u, 0x010f0000u,
	0x1121f000u, 0xee110f10u,
};
static const uint32_t site_t32[] = {
	0xf3ef8000u, 0xf3ff8000u, 0xf3808900u, 0xf3908f00u, 0xf3af8113u,
	0xf3de8f04u, 0xe990c000u, 0xe80dc013u, 0xf8510e00u, 0xf8410e00u,
};
static const uint16_t site_t16[] = { 0xb672u, 0xb662u, 0xbf30u, 0xbf20u };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* An A32 word: from the list (sometimes with another condition or other
 * registers), a pvpatch marker, or raw. */
static uint32_t gen_a32(uint32_t r)
{
	uint32_t w;

	switch (r & 7) {
	case 6:
		return pv_patch_marker_a32((r >> 3) & 0x3f);
	case 7:
		return rnd();
	default:
		break;
	}
	w = a32_words[(r >> 3) % COUNT(a32_words)];
	if ((r >> 12 & 7) == 0 && w >> 28 == 0xe)
		w = (w & 0x0fffffffu) | (r >> 16 & 0xfu) << 28;
	if ((r >> 15 & 7) == 0)
		w ^= (r >> 20 & 0xfu) << 16 | (r >> 24 & 0xfu) << 12;
	return w;
}

static uint32_t gen_thumb(uint32_t r)
{
	switch (r & 7) {
	case 6:
		return r & 8 ? pv_patch_marker_t16((r >> 4) & 0x3f) :
			       pv_patch_marker_t32((r >> 4) & 0x3f);
	case 7:
		return rnd();
	default:
		return t_words[(r >> 3) % COUNT(t_words)];
	}
}

/* Store a Thumb encoding at @gpa: T32 as two halfwords. */
static void put_thumb(uint32_t gpa, uint32_t w)
{
	if (w > 0xffffu) {
		put16(gpa, w >> 16);
		put16(gpa + 2, w);
	} else {
		put16(gpa, w);
	}
}

static const uint16_t mibs[] = {
	0x000, 0x001, 0x00a, 0x100, 0x101, 0x102, 0x1c0, 0x7ff,
	0x800, 0xbff, 0xc00, 0xc01, 0xc02, 0xf00, 0xf01, 0xffc,
	0xffd, 0xffe, 0xfff,
};

/* Output MiBs a guest descriptor may name (guest-physical). */
static const uint16_t pa_mibs[] = {
	0x100, 0x100, 0x102, 0x101, 0x00a, 0x1c0, 0x3f0, 0x3f8, 0x400, 0x000,
};

static uint32_t plausible_l1(void)
{
	uint32_t r = rnd(), d, dom = (r >> 4) & 15;

	if ((r >> 8 & 3) == 0)
		dom = 0;
	switch (r & 7) {
	case 0:
	case 1:
	case 2: { /* section */
		uint32_t mib = r >> 10 & 7 ? pa_mibs[(r >> 13) % COUNT(pa_mibs)] :
					     rnd() >> 20;

		d = mib << 20 | dom << 5 | 2u;
		d |= rnd() & (3u << 10 | 1u << 15 | 7u << 12 | 3u << 2 |
			      1u << 4 | 1u << 16 | 1u << 17);
		return d;
	}
	case 3: /* supersection */
		d = (r & 0x100 ? 0x10000000u : rnd() & 0xff000000u) | 1u << 18 | 2u;
		d |= rnd() & (3u << 10 | 1u << 15 | 7u << 12 | 3u << 2 | 1u << 4 |
			      (r & 0x200 ? 0xfu << 20 | 0xfu << 5 : 0));
		return d;
	case 4:
	case 5: /* page table */
		if (r & 0x200)
			return (rnd() & 0x3ffc00u) | RAM0 | dom << 5 | 1u;
		return (L2T + ((r >> 10) % NL2) * 1024u) | dom << 5 | 1u;
	case 6:
		return 0;
	default:
		return rnd();
	}
}

static uint32_t plausible_l2(void)
{
	uint32_t r = rnd(), pa;

	switch (r & 7) {
	case 0: pa = RAM0 + (rnd() & 0xff000u); break;
	case 1: pa = DATA + (rnd() & 0xf000u); break;
	case 2: pa = RAM1 + (rnd() & 0xf000u); break;
	case 3: pa = r & 8 ? PERIPH + (rnd() & 0x1000u) : UART; break;
	case 4: pa = CODE_ARM + (rnd() & 0x3000u); break;
	case 5: return 0;
	case 6: return rnd();
	default: pa = rnd() & 0xfffff000u; break;
	}
	if (r & 0x10) /* large page: TEX[14:12], XN bit 15 */
		return (pa & 0xffff0000u) | (rnd() & (7u << 12 | 1u << 15 |
						      3u << 4 | 1u << 9 | 3u << 2 |
						      1u << 10 | 1u << 11)) | 1u;
	return pa | (rnd() & (7u << 6 | 3u << 4 | 1u << 9 | 3u << 2 | 1u << 10 |
			      1u << 11 | 1u)) | 2u;
}

/* A Linux-like starting point: RAM0 at KVA and identity, devices, the
 * vector page, user pages, a page table in the window's range. */
static void base_mapping(void)
{
	uint32_t *l1 = (uint32_t *)gmem(L1A, 16384), *l1b = (uint32_t *)gmem(L1B, 16384);
	uint32_t *l2;

	l1[0x100] = SEC(RAM0, 0u, 1u) | 1u << 3 | 1u << 2 | 1u << 12;
	l1[KVA >> 20] = SEC(RAM0, 0u, 1u) | 1u << 3 | 1u << 2 | 1u << 12;
	l1[(KVA >> 20) + 1] = L2T | 0u << 5 | 1u;             /* L2 #0 */
	l1[(KVA >> 20) + 2] = SEC(RAM1, 0u, 3u) | 1u << 17;   /* user RW, nG */
	l1[0xf00] = SEC(PERIPH, 0u, 1u) | 1u << 2 | 1u << 4;  /* device, XN */
	l1[0xf01] = SEC(UART & 0xfff00000u, 0u, 1u) | 1u << 2 | 1u << 4;
	l1[PERIPH >> 20] = SEC(PERIPH, 0u, 1u) | 1u << 2 | 1u << 4;
	l1[UART >> 20] = SEC(UART & 0xfff00000u, 0u, 1u) | 1u << 2 | 1u << 4;
	l1[0xfff] = (L2T + 1024u) | 1u;                       /* L2 #1 */
	l1[0xffe] = (L2T + 2048u) | 1u << 5 | 1u;             /* L2 #2 */
	l1[0x000] = (L2T + 3072u) | 1u << 5 | 1u;             /* L2 #3 */
	l1[0xffd] = SEC(RAM0, 0u, 1u);  /* inside the larger windows */
	l1[0xffc] = SEC(RAM0, 2u, 3u);
	/* L2 #0: kernel pages with mixed rights over RAM0's first 64 KiB */
	l2 = (uint32_t *)gmem(L2T, 1024);
	for (uint32_t j = 0; j < 16; j++)
		l2[j] = (RAM0 + j * 4096u) | (j & 3) << 4 | (j & 4 ? 1u << 9 : 0) |
			(j & 8 ? 1u : 0) | 2u | 1u << 11;
	/* L2 #1: 0xfff00000 (window range) and the vector page 0xffff0000 */
	l2 = (uint32_t *)gmem(L2T + 1024u, 1024);
	for (uint32_t j = 0; j < 16; j++) /* pages the window covers */
		l2[j] = l2[0xd0 + j] = (DATA + (j & 3) * 4096u) | ((j & 3) | 1u) << 4 | 2u;
	l2[0xe0] = (DATA + 8192u) | 3u << 4 | 2u;
	l2[0xf0] = VECTORS | 1u << 4 | 1u << 9 | 2u;
	l2[0xff] = (DATA + 12288u) | 2u << 4 | 2u;
	/* L2 #2: 0xffe00000, a large page and a device page */
	l2 = (uint32_t *)gmem(L2T + 2048u, 1024);
	for (uint32_t j = 0; j < 16; j++)
		l2[j] = (RAM0 & 0xffff0000u) | 1u << 4 | 1u;
	l2[0x20] = PERIPH | 1u << 4 | 1u << 2 | 3u;
	/* L2 #3: user pages at UVA, RAM1 and DATA, user RW / RO, nG */
	l2 = (uint32_t *)gmem(L2T + 3072u, 1024);
	for (uint32_t j = 0; j < 8; j++)
		l2[(UVA >> 12) + j] = (j & 1 ? RAM1 : DATA) + j * 4096u |
				      (j & 2 ? 2u : 3u) << 4 | 1u << 11 | 2u;
	/* The other table: user half of a TTBCR split, kernel half shared */
	memcpy(&l1b[0x800], &l1[0x800], 0x2000);
	l1b[0x000] = SEC(RAM1, 1u, 3u) | 1u << 17;
}

/* ---- inputs for registers, addresses, faults -------------------------- */

static const uint32_t ids[] = {
	PV_PSCI_VERSION, PV_PSCI_CPU_SUSPEND, PV_PSCI_CPU_OFF, PV_PSCI_CPU_ON,
	PV_PSCI_AFFINITY_INFO, PV_PSCI_MIGRATE_INFO_TYPE, PV_PSCI_SYSTEM_OFF,
	PV_PSCI_SYSTEM_RESET, PV_PSCI_FEATURES, 0xc4000003u, PV_HC_CONSOLE_PUTC,
	PV_HC_CONSOLE_GETC, PV_HC_EXIT, PV_HC_TRAP_COUNT, PV_HC_TRACE_DUMP,
	0x84000020u,
};

static const uint32_t dev_addrs[] = {
	PERIPH + PV_BOARD_SCU_OFFSET,  PERIPH + PV_BOARD_GICC_OFFSET,
	PERIPH + PV_BOARD_GT_OFFSET,   PERIPH + PV_BOARD_TWD_OFFSET,
	PERIPH + PV_BOARD_GICD_OFFSET, PERIPH + PV_BOARD_GICD_OFFSET + 0x100u,
	PERIPH + PV_BOARD_GICD_OFFSET + 0xf00u, UART,
	0xf0000000u + PV_BOARD_GICD_OFFSET, 0xf0100000u + (UART & 0xfffffu),
	/* the virtio-mmio transports of pv_board_virtio (else nothing) */
	PV_BOARD_VIRTIO_BASE, PV_BOARD_VIRTIO_BASE + PV_BOARD_VIRTIO_STRIDE,
	PV_BOARD_VIRTIO_BASE + 2 * PV_BOARD_VIRTIO_STRIDE,
	PV_BOARD_VIRTIO_BASE + 3 * PV_BOARD_VIRTIO_STRIDE,
};

/* A register value: raw, an address in RAM, the kernel map, a device, the
 * window, a small number, a call ID, a user address. */
static uint32_t reg_value(struct fuzz_input *in)
{
	uint32_t sel = fuzz_take(in, 1);

	switch (sel & 7) {
	case 0: return fuzz_take(in, 4);
	case 1: return RAM0 + (fuzz_take(in, 3) & 0xfffffu);
	case 2: return KVA + (fuzz_take(in, 3) & 0xfffffu);
	case 3: return dev_addrs[(sel >> 3) % COUNT(dev_addrs)] + (fuzz_take(in, 1) & 0xfcu);
	case 4: { /* in the window: often a page the base mapping maps */
		uint32_t x = fuzz_take(in, 2);

		return cfg.window_base + (x & 1 ? ((x >> 1 & 15) | (x & 0x20 ? 0xd0 : 0)) << 12 :
					  (x << 11 & 0x1ff000u)) + (sel >> 3 & 0xcu);
	}
	case 5: return sel >> 3;
	case 6: return ids[(sel >> 3) % COUNT(ids)];
	default: return UVA + (fuzz_take(in, 2) & 0x7ffcu);
	}
}

static uint32_t code_base(const struct pv_vcpu *v)
{
	return v->cp15.sctlr & PV_SCTLR_M ? KVA - RAM0 : 0;
}

/* A PC; sets *@thumb for the Thumb pages. */
static uint32_t pc_value(struct fuzz_input *in, const struct pv_vcpu *v, bool *thumb)
{
	uint32_t sel = fuzz_take(in, 1), x = fuzz_take(in, 2);

	*thumb = false;
	switch (sel & 7) {
	case 0: return code_base(v) + CODE_ARM + (x & 0xffcu);
	case 1: *thumb = true; return code_base(v) + CODE_THUMB + (x & 0xffeu);
	case 2: return (sel & 8 ? KVA - RAM0 : 0) + SITES_ARM + (x & 0x3cu);
	case 3: *thumb = true; return (sel & 8 ? KVA - RAM0 : 0) + SITES_THUMB + (x & 0x7eu);
	case 4: return (v->cp15.sctlr & PV_SCTLR_V ? 0xffff0000u : v->cp15.vbar) + (x & 0x1cu);
	case 5: return UVA + (x & 0x7ffcu);
	case 6: return cfg.window_base + ((uint32_t)x << 5 & 0x1ffffcu);
	default: return x | fuzz_take(in, 2) << 16;
	}
}

static const uint32_t modes[] = {
	PV_MODE_USR, PV_MODE_SVC, PV_MODE_SYS, PV_MODE_IRQ, PV_MODE_FIQ,
	PV_MODE_ABT, PV_MODE_UND, PV_MODE_MON, PV_MODE_HYP, 0x00, 0x15, PV_MODE_USR,
};

/* Host FS values: mostly the MMU faults a shadow fill resolves, sometimes
 * what a backend should never pass (external aborts: a fatal stop). */
static const uint8_t fault_fs[32] = {
	PV_FS_TRANSL_SECTION, PV_FS_TRANSL_PAGE, PV_FS_PERM_SECTION,
	PV_FS_PERM_PAGE, PV_FS_DOMAIN_SECTION, PV_FS_DOMAIN_PAGE,
	PV_FS_AF_SECTION, PV_FS_AF_PAGE, PV_FS_ICACHE_MAINT, PV_FS_ALIGNMENT,
	PV_FS_DEBUG, PV_FS_TRANSL_SECTION, PV_FS_TRANSL_PAGE, PV_FS_PERM_PAGE,
	PV_FS_TRANSL_SECTION, PV_FS_TRANSL_PAGE, PV_FS_PERM_SECTION,
	PV_FS_PERM_PAGE, PV_FS_DOMAIN_SECTION, PV_FS_DOMAIN_PAGE,
	PV_FS_TRANSL_SECTION, PV_FS_TRANSL_PAGE, PV_FS_PERM_SECTION,
	PV_FS_PERM_PAGE, PV_FS_TRANSL_SECTION, PV_FS_TRANSL_PAGE,
	PV_FS_ALIGNMENT, PV_FS_DEBUG, PV_FS_SYNC_EXT, PV_FS_EXT_WALK_L1,
	PV_FS_ASYNC_EXT, 0x1f,
};

/* ---- the independent isolation walk ---------------------------------- */

static void fail(const char *what, unsigned s, unsigned view, uint32_t idx,
		 uint32_t d)
{
	fprintf(stderr,
		"fuzz_vm: invariant broken: %s (space %u view %u index %#x "
		"descriptor %#x)\n",
		what, s, view, idx, d);
	abort();
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t lo, uint64_t hi)
{
	return a < hi && lo < a + alen;
}

static bool in_ram_backing(uint64_t pa, uint64_t len)
{
	for (unsigned i = 0; i < cfg.ram_count; i++) {
		uint64_t b = pv_hpa_val(cfg.ram[i].hpa);

		if (pa >= b && pa + len <= b + cfg.ram[i].size)
			return true;
	}
	return false;
}

/* One host leaf that is not the window's: guest RAM backing only. AP[1]
 * set means host PL0 may access it (host SCTLR.AFE = 0). */
static void check_leaf(uint64_t pa, uint64_t len, unsigned ap, bool ng,
		       unsigned s, unsigned view, uint32_t idx, uint32_t d)
{
	uint64_t pool = pv_hpa_val(cfg.shadow_pool.hpa);

	if (!in_ram_backing(pa, len))
		fail("mapping outside guest RAM backing", s, view, idx, d);
	if (ap & 2) {
		if (overlaps(pa, len, pool, pool + cfg.shadow_pool.size))
			fail("PL0-reachable mapping of the shadow pool", s, view, idx, d);
		for (unsigned i = 0; i < nwin_mem; i++)
			if (overlaps(pa, len, win_mem[i].lo, win_mem[i].hi))
				fail("PL0-reachable mapping of the window", s, view, idx, d);
	}
	if (!ng)
		fail("global host entry", s, view, idx, d);
}

static uint8_t l2_refs[1024];

/* The L2 slot a table descriptor names; aborts unless in the table area. */
static uint32_t l2_slot(uint32_t d, unsigned s, unsigned view, uint32_t idx)
{
	const struct pv_shadow *sh = &vm->shadow;
	uint64_t a = d & 0xfffffc00u;
	uint64_t base = pv_hpa_val(cfg.shadow_pool.hpa) + sh->l2_off;
	uint32_t slot;

	if (a < base || a >= base + (uint64_t)sh->nl2 * 1024u)
		fail("page-table descriptor outside the pool's table area", s,
		     view, idx, d);
	slot = (uint32_t)((a - base) / 1024u);
	if (l2_refs[slot]++)
		fail("second-level table linked twice", s, view, idx, d);
	return slot;
}

static const uint32_t *l2_ptr(uint32_t slot)
{
	return (const uint32_t *)((uint8_t *)pv_hva_ptr(cfg.shadow_pool.hva) +
				  vm->shadow.l2_off + 1024u * slot);
}

/* Guest entries of a second-level table; returns whether any is set. */
static bool check_l2(uint32_t slot, uint32_t j0, unsigned s, unsigned view,
		     uint32_t idx)
{
	const uint32_t *l2 = l2_ptr(slot);
	bool any = false;

	for (uint32_t j = j0; j < 256; j++) {
		uint32_t e = l2[j];

		if (!(e & 3))
			continue;
		any = true;
		if (e & 2) /* small page */
			check_leaf(e & 0xfffff000u, 0x1000, (e >> 4 & 3) | (e >> 7 & 4),
				   e & (1u << 11), s, view, idx << 8 | j, e);
		else /* large page */
			check_leaf(e & 0xffff0000u, 0x10000, (e >> 4 & 3) | (e >> 7 & 4),
				   e & (1u << 11), s, view, idx << 8 | j, e);
	}
	return any;
}

static const uint32_t *bitmap(unsigned s, unsigned view)
{
	return (const uint32_t *)((uint8_t *)pv_hva_ptr(cfg.shadow_pool.hva) +
				  vm->shadow.bitmap_off + (2 * s + view) * ROOT_META);
}

static uint32_t l2_meta(uint32_t slot)
{
	const uint32_t *m = (const uint32_t *)((uint8_t *)pv_hva_ptr(cfg.shadow_pool.hva) +
					       vm->shadow.l2meta_off);
	return m[slot];
}

/* (a) and (c): walk every root, count tables, balance the pool. */
static void check_pool(void)
{
	const struct pv_shadow *sh = &vm->shadow;
	uint32_t win_first = cfg.window_base >> 20, win_whole = cfg.window_size >> 20;
	bool partial = cfg.window_size & 0xfffffu;
	uint32_t part_idx = win_first + win_whole;
	uint32_t part_pages = (cfg.window_size & 0xfffffu) >> 12;
	uint32_t npinned = partial ? 2 * sh->nspaces : 0, linked = 0, nfree = 0;
	static uint8_t is_free[1024];
	uint8_t *pool = pv_hva_ptr(cfg.shadow_pool.hva);

	/* The pool layout itself. */
	if (!sh->nspaces || sh->nspaces > PV_SHADOW_MAX_SPACES ||
	    sh->bitmap_off < sh->nspaces * 32768u ||
	    sh->l2meta_off < sh->bitmap_off + sh->nspaces * 2 * ROOT_META ||
	    sh->l2_off < sh->l2meta_off + 4 * sh->nl2 || sh->l2_off & 1023u ||
	    sh->l2_off + (size_t)sh->nl2 * 1024u > cfg.shadow_pool.size ||
	    sh->nl2 > 1024 || npinned > sh->nl2)
		fail("pool layout", 0, 0, 0, 0);
	memset(l2_refs, 0, sh->nl2);
	for (unsigned s = 0; s < sh->nspaces; s++) {
		const struct pv_shadow_space *sp = &sh->space[s];

		for (unsigned view = 0; view < 2; view++) {
			uint32_t off = sp->root[view].l1_off;
			const uint32_t *l1 = (const uint32_t *)(pool + off);
			const uint32_t *bm = bitmap(s, view);

			if (off & 0x3fffu || off + 16384u > sh->bitmap_off)
				fail("root outside the root area", s, view, 0, off);
			for (uint32_t i = 0; i < win_whole; i++)
				if (l1[win_first + i] != window_l1[i])
					fail("window slot altered", s, view,
					     win_first + i, l1[win_first + i]);
			if (partial) {
				uint32_t d = l1[part_idx], w = window_l1[win_whole], slot;
				const uint32_t *l2;

				if ((d & 3) != 1 || (d >> 5 & 15) != (w >> 5 & 15))
					fail("window table unlinked", s, view, part_idx, d);
				slot = l2_slot(d, s, view, part_idx);
				l2 = l2_ptr(slot);
				for (uint32_t j = 0; j < part_pages; j++)
					if (!(l2[j] & 2) ||
					    (l2[j] & 0xfffff000u) != (w & 0xfff00000u) + (j << 12) ||
					    (l2[j] >> 4 & 2))
						fail("window page altered or PL0-reachable",
						     s, view, part_idx << 8 | j, l2[j]);
				if (check_l2(slot, part_pages, s, view, part_idx)) {
					if (!sp->in_use)
						fail("guest page in an unused space", s,
						     view, part_idx, d);
					if (!(bm[part_idx / 32] >> (part_idx % 32) & 1))
						fail("entry missing from the used bitmap",
						     s, view, part_idx, d);
				}
				if ((l2_meta(slot) & (M_USED | M_OWNER_MASK)) !=
				    (M_USED | M_OWNER(s, view, part_idx)))
					fail("window table metadata", s, view, part_idx,
					     l2_meta(slot));
			}
			for (uint32_t c = 0; c < 4096; c += 64) {
				if (all_zero(&l1[c], 256))
					continue;
				for (uint32_t i = c; i < c + 64; i++) {
					uint32_t d = l1[i], slot;

					if (!d || i - win_first < win_whole ||
					    (partial && i == part_idx))
						continue;
					if (!sp->in_use)
						fail("entry in an unused space", s, view, i, d);
					if (!(bm[i / 32] >> (i % 32) & 1))
						fail("entry missing from the used bitmap", s,
						     view, i, d);
					switch (d & 3) {
					case 0:
						fail("non-zero fault entry", s, view, i, d);
						break;
					case 1:
						slot = l2_slot(d, s, view, i);
						linked++;
						if ((l2_meta(slot) & (M_USED | M_OWNER_MASK)) !=
						    (M_USED | M_OWNER(s, view, i)))
							fail("L2 metadata names another owner",
							     s, view, i, l2_meta(slot));
						(void)check_l2(slot, 0, s, view, i);
						break;
					case 2:
						if (d & (1u << 18)) /* supersection */
							check_leaf((uint64_t)(d & 0xff000000u) |
									   (uint64_t)(d >> 20 & 15) << 32 |
									   (uint64_t)(d >> 5 & 15) << 36,
								   1u << 24,
								   (d >> 10 & 3) | (d >> 13 & 4),
								   d & (1u << 17), s, view, i, d);
						else
							check_leaf(d & 0xfff00000u, 1u << 20,
								   (d >> 10 & 3) | (d >> 13 & 4),
								   d & (1u << 17), s, view, i, d);
						break;
					default:
						fail("reserved first-level type", s, view, i, d);
					}
				}
			}
		}
	}
	/* (c) the free list and the totals. */
	memset(is_free, 0, sh->nl2);
	for (uint32_t slot = sh->l2_free; slot != UINT32_MAX; slot = l2_meta(slot)) {
		if (slot >= sh->nl2 || slot < npinned)
			fail("free list leaves the table area", 0, 0, slot, 0);
		if (is_free[slot]++)
			fail("free list has a cycle", 0, 0, slot, 0);
		if (l2_refs[slot])
			fail("a linked table is on the free list", 0, 0, slot, 0);
		nfree++;
	}
	if (linked != sh->l2_used || linked + nfree + npinned != sh->nl2)
		fail("pool accounting: linked + free + pinned != total", linked,
		     nfree, sh->l2_used, sh->nl2);
}

/* ---- the engine's own checker, where its assumptions hold ------------- */

static bool tables_stale;    /* guest memory changed without maintenance */
static uint64_t last_flushes;
static uint32_t ram_gen;      /* bumped when the guest's tables changed */

/*
 * pv_shadow_check_isolation() re-walks the guest under each space's key
 * and under the registers of every vCPU running in it, and assumes the
 * guest did the TLB maintenance the architecture requires after changing
 * its memory. So it applies when no guest memory changed since the last
 * full flush (or the harness did that maintenance).
 */
static bool engine_check_applies(void)
{
	return !tables_stale;
}

static void track_engine_state(struct pv_vcpu *v, bool stored)
{
	const struct pv_shadow_stats *st = &vm->shadow.stats;

	if (st->full_flushes != last_flushes) {
		last_flushes = st->full_flushes;
		tables_stale = false;
	}
	if (ram_changed(stored) && tables_changed()) {
		ram_gen++;
		if (maintain) {
			pv_shadow_tlbi(v, PV_TLBI_ALL, 0);
			last_flushes = st->full_flushes;
		} else {
			tables_stale = true;
		}
	}
}

/* ---- (b) and (d) -------------------------------------------------------- */

static void check_vcpus(void)
{
	for (unsigned i = 0; i < nvcpus; i++)
		if (!pv_mode_is_valid(vm->vcpu[i].cpsr & PV_PSR_M_MASK))
			fail("invalid guest CPSR.M", i, 0, 0, vm->vcpu[i].cpsr);
}

static void genode_run_check(struct pv_vcpu *v, const struct pv_resume *rs);

static void check_resume(struct pv_vcpu *v, const struct pv_resume *rs)
{
	const struct pv_shadow *sh = &vm->shadow;
	uint32_t c = rs->host_cpsr;
	uint64_t t = pv_hpa_val(rs->ttbr0), pool = pv_hpa_val(cfg.shadow_pool.hpa);
	bool root = false;

	if ((c & PV_PSR_M_MASK) != PV_MODE_USR ||
	    (c & (PV_PSR_A | PV_PSR_I | PV_PSR_F | PV_PSR_J)) ||
	    (!(c & PV_PSR_T) && (c & PV_PSR_IT_MASK)))
		fail("host CPSR not a plain USR context", v->id, 0, 0, c);
	if ((t & 0x3fffu) != cfg.ttbr_attrs || t < pool ||
	    t >= pool + cfg.shadow_pool.size)
		fail("resume TTBR0 outside the pool", v->id, 0, 0, (uint32_t)t);
	for (unsigned s = 0; s < sh->nspaces; s++)
		for (unsigned view = 0; view < 2; view++)
			if (sh->space[s].in_use &&
			    (t & ~0x3fffull) == pool + sh->space[s].root[view].l1_off)
				root = true;
	if (!root)
		fail("resume TTBR0 is not a root of a cached space", v->id, 0, 0,
		     (uint32_t)t);
	if (rs->dacr & rs->dacr >> 1 & 0x55555555u)
		fail("host DACR has a Manager domain", v->id, 0, 0, rs->dacr);
	if (rs->asid < (cfg.asid_first ? cfg.asid_first : 1) ||
	    rs->asid > (cfg.asid_last ? cfg.asid_last : 255))
		fail("host ASID outside the VM's range", v->id, 0, 0, rs->asid);
	for (unsigned i = 0; i < 2; i++)
		if (window_l1[i] & 3 && (rs->dacr >> 2 * (window_l1[i] >> 5 & 15) & 3) != 1)
			fail("window domain not client in the host DACR", v->id, 0, 0,
			     rs->dacr);
	genode_run_check(v, rs);
}

static uint64_t total_traps(void)
{
	uint64_t n = 0;

	for (unsigned r = 0; r < PV_TR_COUNT; r++)
		n += pv_vm_trap_count(vm, (enum pv_trap_reason)r);
	return n;
}

static void check_exit(const struct pv_vcpu *v, const struct pv_exit *ex,
		       bool counted, uint64_t before)
{
	uint64_t after = total_traps();

	if ((unsigned)ex->action > PV_ACTION_STOP ||
	    (unsigned)ex->stop > PV_STOP_CPU_OFF ||
	    (unsigned)ex->injected > PV_INJ_DABT)
		fail("exit field out of range", v->id, ex->action, ex->stop, ex->injected);
	if (counted) {
		if (ex->reason >= PV_TR_COUNT || after != before + 1)
			fail("a trap on a running vCPU not counted once", v->id,
			     ex->reason, (uint32_t)before, (uint32_t)after);
	} else if (ex->reason != PV_TR_COUNT || after != before) {
		fail("a poll or a stopped vCPU's trap counted", v->id, ex->reason, 0, 0);
	}
	if ((ex->action == PV_ACTION_STOP) != (ex->stop != PV_STOP_NONE) ||
	    ex->stop != v->stop)
		fail("action STOP without a stop reason or the reverse", v->id,
		     ex->action, ex->stop, v->stop);
	if (ex->action != PV_ACTION_STOP) {
		if (ex->code)
			fail("a stop code without a stop", v->id, ex->action, 0,
			     (uint32_t)ex->code);
	} else if (ex->stop == PV_STOP_FATAL) {
		if (ex->code >= 0)
			fail("a fatal stop without a PV_E* code", v->id, 0, 0,
			     (uint32_t)ex->code);
	} else if (ex->stop != PV_STOP_HYPERCALL && ex->code) {
		fail("a power-off or reset with a code", v->id, ex->stop, 0,
		     (uint32_t)ex->code);
	}
	if (ex->action == PV_ACTION_WAIT && !v->wfi)
		fail("WAIT for a vCPU that does not wait", v->id, 0, 0, 0);
}

static void after_exit(struct pv_vcpu *v, const struct pv_exit *ex)
{
	struct pv_resume rs;

	if (ex->action != PV_ACTION_RESUME)
		return;
	/* What the backend does next. */
	pv_vcpu_resume_state(v, &rs);
	check_resume(v, &rs);
}

/*
 * Everything pv_shadow_check_isolation() reads that can change: the pool
 * (every mutation of it is a fill, a full flush, an eviction, a reclaim, a
 * space miss or hit, or a guest TLB operation, each counted), each vCPU's
 * current space and the registers it walks with, and guest memory. Its
 * result cannot differ while this is unchanged, so it is re-run only when
 * it changed (every step with FUZZ_VM_ENGINE_EVERY_STEP=1, 15 times
 * slower).
 */
struct engine_sig {
	uint64_t fills, flushes, evictions, reclaims, misses, hits;
	uint32_t tlbi_gen, ram_gen;
	uint32_t sctlr[PV_MAX_VCPUS], dacr[PV_MAX_VCPUS], prrr[PV_MAX_VCPUS],
		nmrr[PV_MAX_VCPUS], contextidr[PV_MAX_VCPUS], cur[PV_MAX_VCPUS];
};

static struct engine_sig last_sig;
static bool sig_valid, every_step;

static bool engine_state_changed(void)
{
	const struct pv_shadow *sh = &vm->shadow;
	struct engine_sig now;

	memset(&now, 0, sizeof(now));
	now.fills = sh->stats.fills_page + sh->stats.fills_section;
	now.flushes = sh->stats.full_flushes;
	now.evictions = sh->stats.evictions;
	now.reclaims = sh->stats.l2_reclaims;
	now.misses = sh->stats.space_misses;
	now.hits = sh->stats.space_hits; /* a hit may drop partial-MiB pages */
	now.tlbi_gen = sh->tlbi_gen;
	now.ram_gen = ram_gen;
	for (unsigned i = 0; i < nvcpus; i++) {
		const struct pv_cp15 *c = &vm->vcpu[i].cp15;

		now.sctlr[i] = c->sctlr;
		now.dacr[i] = c->dacr;
		now.prrr[i] = c->prrr;
		now.nmrr[i] = c->nmrr;
		now.contextidr[i] = c->contextidr;
		now.cur[i] = sh->cur[i];
	}
	if (sig_valid && !every_step && !memcmp(&now, &last_sig, sizeof(now)))
		return false;
	last_sig = now;
	sig_valid = true;
	return true;
}

/*
 * The Genode kernel's checked copy of the tables (backends/genode,
 * docs/genode.md) as a further oracle: every table write and TLB
 * operation of the core goes to the VMM's log too, the kernel's replay
 * must accept all of it, and after each step the copy must equal the
 * pool's tables.
 */
static struct pv_backend_ops genode_ops;
static struct pv_genode_table_log glog;
static struct pv_genode_log_writer glw;
static struct pv_genode_walker gwalker;
static struct pv_shadow_layout glay;
static struct pv_genode_frames gframes[2];
static uint32_t *gcopy; /* FAKE_POOL_SIZE bytes, 16 KiB aligned */
static bool gready;

static void g_noop_all(void *ctx) { (void)ctx; }
static void g_noop_asid(void *ctx, uint8_t a) { (void)ctx; (void)a; }
static void g_noop_va(void *ctx, uint32_t va, uint8_t a)
{
	(void)ctx;
	(void)va;
	(void)a;
}

static const struct pv_genode_tlb_ops genode_tlb = { g_noop_all, g_noop_asid,
						     g_noop_va };

static void genode_replay(void *ctx)
{
	int err;

	(void)ctx;
	if (!gready)
		fail("the Genode log filled before the session existed", 0, 0, 0,
		     glog.count);
	err = pv_genode_walker_apply(&gwalker, &glog, &genode_tlb, NULL);
	if (err)
		fail("the Genode kernel refused the core's own table log", 0, 0, 0,
		     (uint32_t)-err);
}

static void g_clean(void *ctx, pv_hva_t va, size_t len)
{
	fake_backend_ops.cache_clean_range(ctx, va, len);
	pv_genode_log_clean(&glw, pv_hva_ptr(va), len);
}

static void g_tlb_all(void *ctx)
{
	fake_backend_ops.tlb_inval_all(ctx);
	pv_genode_log_tlb_all(&glw);
}

static void g_tlb_asid(void *ctx, uint8_t asid)
{
	fake_backend_ops.tlb_inval_asid(ctx, asid);
	pv_genode_log_tlb_asid(&glw, asid);
}

static void g_tlb_va(void *ctx, pv_gva_t va, uint8_t asid)
{
	fake_backend_ops.tlb_inval_va(ctx, va, asid);
	pv_genode_log_tlb_va(&glw, pv_gva_val(va), asid);
}

/* Before pv_vm_init(): the VMM's log on the pool the config names. */
static void genode_before_init(void)
{
	genode_ops = fake_backend_ops;
	genode_ops.cache_clean_range = g_clean;
	genode_ops.tlb_inval_all = g_tlb_all;
	genode_ops.tlb_inval_asid = g_tlb_asid;
	genode_ops.tlb_inval_va = g_tlb_va;
	cfg.ops = &genode_ops;
	gready = false;
	if (pv_genode_log_init(&glw, &glog, pv_hva_ptr(cfg.shadow_pool.hva),
			       cfg.shadow_pool.size, genode_replay, NULL))
		abort();
}

/* After it: the session, whose geometry check must accept the VM. */
static void genode_after_init(void)
{
	unsigned n = 0;

	if (!gcopy && !(gcopy = aligned_alloc(16384, FAKE_POOL_SIZE)))
		abort();
	for (unsigned i = 0; i < cfg.ram_count; i++)
		gframes[n++] = (struct pv_genode_frames){ pv_hpa_val(cfg.ram[i].hpa),
							  cfg.ram[i].size };
	if (pv_vm_shadow_layout(vm, &glay) ||
	    pv_genode_walker_init(&gwalker, pv_hva_ptr(cfg.shadow_pool.hva), gcopy,
				  pv_hpa_val(cfg.shadow_pool.hpa),
				  (uint32_t)cfg.shadow_pool.size, &glay, gframes, n,
				  cfg.window_base, cfg.window_size, cfg.window_l1))
		fail("the Genode kernel refused the VM's geometry", 0, 0, 0,
		     cfg.window_size);
	gready = true;
	pv_genode_log_flush(&glw);
}

/*
 * Every state pvcore resumes a vCPU with, as the Genode VMM hands it to the
 * kernel (vm_exit.c), passes the kernel's run check (run_check.c): the
 * kernel would never refuse to run what pvcore asks for, so a refusal is
 * a defect on one side or the other.
 */
static void genode_run_check(struct pv_vcpu *v, const struct pv_resume *rs)
{
	static struct pv_genode_vcpu_state state;
	struct pv_genode_run taken;
	int err;

	if (!gready)
		return;
	err = pv_genode_fill_run(v, rs, &state);
	if (err)
		fail("the Genode VMM could not hand over a resume state", v->id, 0,
		     0, (uint32_t)-err);
	err = pv_genode_run_take(&gwalker, cfg.asid_first ? cfg.asid_first : 1,
				 cfg.asid_last ? cfg.asid_last : 255,
				 cfg.ttbr_attrs, &state.run, &taken);
	if (err)
		fail("the Genode kernel refused a resume state of the core", v->id,
		     0, 0, (uint32_t)-err);
}

/* The run: the log replayed, the copy the same as the pool's tables.
 * Only after a step that logged something: without a record the copy
 * cannot move, and a write left out of the log is what the fake backend's
 * walker check (check_all()) catches. */
static void genode_check(unsigned id)
{
	const uint8_t *pool = pv_hva_ptr(cfg.shadow_pool.hva);
	const uint8_t *copy = (const uint8_t *)gcopy;
	static uint64_t compared;

	if (glw.records == compared)
		return;
	compared = glw.records;
	pv_genode_log_flush(&glw);
	if (memcmp(copy + glay.roots_off, pool + glay.roots_off, glay.roots_size) ||
	    memcmp(copy + glay.l2_off, pool + glay.l2_off, glay.l2_size))
		fail("the Genode kernel's copy differs from the core's tables", id,
		     0, 0, 0);
}

static void check_all(struct pv_vcpu *v, bool stored)
{
	long stale;
	int err;

	track_engine_state(v, stored);
	check_pool();
	check_vcpus();
	if (fb.bad_buffers) /* a virtio buffer outside guest RAM and the VM */
		fail("the backend was handed a buffer outside guest RAM", v->id, 0, 0,
		     fb.bad_buffers);
	/* ops->kick may only name a vCPU the VM has. */
	for (unsigned i = nvcpus; i < PV_MAX_VCPUS; i++)
		if (fb.kicks[i])
			fail("the backend was told to kick a vCPU the VM lacks", i,
			     0, 0, fb.kicks[i]);
	if (fb.bad_kicks)
		fail("the backend was told to kick a vCPU id out of range", v->id,
		     0, 0, fb.bad_kicks);
	genode_check(v->id);
	/* The walker sees what the engine wrote: every table byte cleaned
	 * (the contract a backend with a checked copy of the tables needs). */
	stale = fake_backend_walker_stale(&fb, vm);
	if (stale >= 0)
		fail("a shadow table byte was written and not cleaned", v->id, 0,
		     0, (uint32_t)stale);
	if (engine_check_applies() && engine_state_changed()) {
		err = pv_shadow_check_isolation(vm);
		if (err) {
			fprintf(stderr, "fuzz_vm: pv_shadow_check_isolation() = %d\n",
				err);
			abort();
		}
	}
}

/* ---- setup ----------------------------------------------------------- */

static int cp_write(struct pv_vcpu *v, unsigned crn, unsigned opc1,
		    unsigned crm, unsigned opc2, uint32_t val)
{
	struct pv_cp_access a = { .coproc = 15, .opc1 = (uint8_t)opc1,
				  .crn = (uint8_t)crn, .crm = (uint8_t)crm,
				  .opc2 = (uint8_t)opc2 };
	uint32_t vals[2] = { val, 0 };

	return pv_cp_write(v, &a, vals);
}

static const uint32_t dacrs[] = {
	0x55555555u, 0x00000015u, 0xffffffffu, 0x55555557u, 0x5555555du,
	0x40000015u, 0x00000001u, 0x55555551u,
};

/* The guest's own translation regime, as its boot code would write it. */
static void setup_vcpu(struct fuzz_input *in, struct pv_vcpu *v)
{
	uint32_t b = fuzz_take(in, 1), sctlr;

	if (!(b & 1)) {
		/* MMU off; vectors in RAM unless the guest leaves VBAR at 0 */
		if (!(b & 2))
			(void)cp_write(v, 12, 0, 0, 0, VECTORS);
		return;
	}
	(void)cp_write(v, 2, 0, 0, 0, (b & 2 ? L1B : L1A) | (b & 0x40 ? 0x4au : 0));
	(void)cp_write(v, 2, 0, 0, 1, L1B);
	(void)cp_write(v, 2, 0, 0, 2, b & 4 ? (b >> 3 & 7) : 0);
	(void)cp_write(v, 3, 0, 0, 0, b & 0x80 ? fuzz_take(in, 4) :
					  dacrs[(b >> 3) % COUNT(dacrs)]);
	(void)cp_write(v, 13, 0, 0, 1, fuzz_take(in, 1));
	b = fuzz_take(in, 1);
	sctlr = v->cp15.sctlr | PV_SCTLR_M;
	if (b & 1)
		sctlr |= PV_SCTLR_AFE;
	if (b & 2)
		sctlr |= PV_SCTLR_TRE;
	if (b & 4)
		sctlr |= PV_SCTLR_V;
	if (b & 8)
		sctlr |= PV_SCTLR_A;
	if (b & 0x10)
		sctlr |= PV_SCTLR_EE;
	if (b & 0x20)
		(void)cp_write(v, 12, 0, 0, 0, KVA + 0x10000u);
	(void)cp_write(v, 1, 0, 0, 0, sctlr);
	if (b & 0x40)
		pv_vcpu_write_cpsr(v, (v->cpsr & ~PV_PSR_M_MASK) | PV_MODE_USR);
}

static void gen_memory(struct fuzz_input *in)
{
	unsigned n = fuzz_take(in, 1) % 9;

	for (unsigned k = 0; k < n; k++) {
		uint32_t op = fuzz_take(in, 1), cnt = fuzz_take(in, 1);

		rng_state = fuzz_take(in, 4);
		switch (op & 7) {
		case 0:
		case 7: { /* an L1 table of N plausible descriptors */
			uint32_t *l1 = (uint32_t *)gmem(op & 8 ? L1B : L1A, 16384);

			for (uint32_t i = 0; i < cnt % 64 + 1; i++) {
				uint32_t r = rnd();
				uint32_t idx = r & 1 ? mibs[(r >> 1) % COUNT(mibs)] : r >> 20;

				l1[idx] = plausible_l1();
			}
			break;
		}
		case 1: { /* an L2 table of N plausible descriptors */
			uint32_t *l2 = (uint32_t *)gmem(L2T + (op >> 4) % NL2 * 1024u, 1024);

			for (uint32_t i = 0; i < cnt % 64 + 1; i++) {
				uint32_t r = rnd(), j = r & 1 ? (r >> 1 & 0xf0u) : r >> 24;
				uint32_t d = plausible_l2();

				if ((d & 3) == 1) /* a large page fills its 16 slots */
					for (uint32_t q = 0; q < 16; q++)
						l2[(j & 0xf0u) + q] = d;
				else
					l2[j] = d;
			}
			break;
		}
		case 2:
		case 6: { /* a page of instruction words */
			static const uint32_t pages[] = { CODE_ARM, CODE_THUMB, VECTORS,
							  DATA, CODE_ARM + 0x800u };
			uint32_t pg = pages[(op >> 3 & 7) % COUNT(pages)];
			bool thumb = pg == CODE_THUMB || (op & 0x80);

			for (uint32_t i = 0; i < 4096u / 4 && i < cnt * 4u + 4; i++) {
				if (thumb)
					put_thumb(pg + 4 * i, gen_thumb(rnd()));
				else
					put32(pg + 4 * i, gen_a32(rnd()));
			}
			break;
		}
		case 3: { /* raw words */
			uint32_t at = RAM0 + (rng_state & 0xffffcu);

			for (uint32_t i = 0; i < cnt % 16; i++)
				put32(at + 4 * i, fuzz_take(in, 4));
			break;
		}
		case 4:
			base_mapping();
			break;
		default: { /* case 5: entries all over the second-level tables */
			uint32_t *l2 = (uint32_t *)gmem(L2T, NL2 * 1024u);

			for (uint32_t i = 0; i < cnt; i++)
				l2[rnd() % (NL2 * 256u)] = plausible_l2();
			break;
		}
		}
	}
}

/* pvpatch sites at KVA (link) and RAM0 (load alias): A32, T32, T16. */
static void gen_sites(uint32_t seed)
{
	unsigned n = 0;

	rng_state = seed;
	for (uint32_t k = 0; k < 16; k++) {
		struct pv_insn insn;
		uint32_t w = site_a32[rnd() % COUNT(site_a32)];

		if (pv_decode_arm(w, &insn))
			insn.cls = PV_IC_UDF;
		sites[n] = (struct pv_patch_site){ KVA + 0xe000u + 4 * k, w,
			pv_patch_marker_a32(insn.cls), (uint16_t)insn.cls, 0 };
		put32(SITES_ARM + 4 * k, sites[n].patched);
		n++;
	}
	for (uint32_t k = 0; k < 8; k++) {
		struct pv_insn insn;
		uint32_t w = site_t32[rnd() % COUNT(site_t32)];

		if (pv_decode_thumb((uint16_t)(w >> 16), (uint16_t)w, &insn))
			insn.cls = PV_IC_UDF;
		sites[n] = (struct pv_patch_site){ KVA + 0xf000u + 4 * k, w,
			pv_patch_marker_t32(insn.cls), (uint16_t)insn.cls, PV_SITE_THUMB };
		put_thumb(SITES_THUMB + 4 * k, sites[n].patched);
		n++;
	}
	for (uint32_t k = 0; k < 8; k++) {
		struct pv_insn insn;
		uint16_t h = site_t16[rnd() % COUNT(site_t16)];

		if (pv_decode_thumb(h, 0, &insn))
			insn.cls = PV_IC_UDF;
		sites[n] = (struct pv_patch_site){ KVA + 0xf040u + 2 * k, h,
			pv_patch_marker_t16(insn.cls & 0x3f), (uint16_t)insn.cls,
			PV_SITE_THUMB | PV_SITE_T16 };
		put16(SITES_THUMB + 0x40 + 2 * k, sites[n].patched);
		n++;
	}
	sites_table = (struct pv_patch_table){ sites, n, KVA, RAM0_SIZE, 0, false };
	if (pv_patch_table_set_load(&sites_table, pv_gpa(RAM0)))
		abort();
}

static void setup_config(struct fuzz_input *in)
{
	uint32_t b = fuzz_take(in, 1), c = fuzz_take(in, 1);
	static const uint32_t pools[4] = { 64u << 10, 128u << 10, 256u << 10, 512u << 10 };
	const struct window_variant *w = &windows[b >> 3 & 3];

	cfg = base_cfg;
	nvcpus = (b & 3) + 1;
	cfg.num_vcpus = nvcpus;
	cfg.shadow_pool.size = pools[b >> 5 & 3];
	cfg.window_base = w->base;
	cfg.window_size = w->size;
	memcpy(window_l1, w->l1, sizeof(window_l1));
	cfg.window_l1 = window_l1;
	nwin_mem = 0;
	for (unsigned i = 0; i < 2; i++) {
		uint32_t d = window_l1[i];

		if ((d & 3) == 2)
			win_mem[nwin_mem++] = (struct range){ d & 0xfff00000u,
							       (uint64_t)(d & 0xfff00000u) + (1u << 20) };
		else if ((d & 3) == 1)
			win_mem[nwin_mem++] = (struct range){ d & 0xfffffc00u,
							       (uint64_t)(d & 0xfffffc00u) + 1024u };
	}
	cfg.ram_count = b & 4 ? 2 : 1;
	cfg.board = c & 8 ? &pv_board_virtio : NULL;
	cfg.ttbr_attrs = c & 1 ? 0x4au : 0;
	/* A range of host ASIDs of the VM's own, the smallest allowed. */
	if (c & 0x20) {
		static const uint8_t firsts[4] = { 1, 17, 100, 240 };

		cfg.asid_first = firsts[c >> 6 & 3];
		cfg.asid_last = (uint8_t)(cfg.asid_first + PV_VM_MIN_ASIDS - 1);
	}
	maintain = c & 2;
	secondaries_off = c & 0x10;
	cfg.patch_sites = NULL;
	if (c & 4) {
		gen_sites(fuzz_take(in, 4));
		cfg.patch_sites = &sites_table;
	}
}

/* ---- steps --------------------------------------------------------------- */

static void set_regs(struct fuzz_input *in, struct pv_vcpu *v, uint32_t flags)
{
	uint32_t *r = pv_vcpu_regs(v);

	if (flags & 1)
		for (unsigned i = 0; i < 4; i++)
			r[i] = reg_value(in);
	if (flags & 0x80) {
		uint32_t m = fuzz_take(in, 2);

		for (unsigned i = 4; i < 15; i++)
			if (m >> i & 1)
				r[i] = reg_value(in);
	}
	if (flags & 4) {
		uint32_t sel = fuzz_take(in, 1), mode = modes[sel % COUNT(modes)];

		if (sel >= 0xf0)
			mode = fuzz_take(in, 1) & 0x1f;
		/* The mode and the A/I/F masks, as an exception return would. */
		pv_vcpu_write_cpsr(v, (v->cpsr & ~(PV_PSR_M_MASK | PV_PSR_A | PV_PSR_I |
						  PV_PSR_F)) | mode |
					      (fuzz_take(in, 1) & 7u) << 6);
	}
}

/* Whether the instruction a trap decoded is one the emulator may store
 * with (to RAM when its address computes there). */
static bool may_store(uint32_t insn, bool thumb)
{
	struct pv_insn d;
	int err = !thumb       ? pv_decode_arm(insn, &d) :
		  insn > 0xffffu ? pv_decode_thumb((uint16_t)(insn >> 16), (uint16_t)insn, &d) :
				   pv_decode_thumb((uint16_t)insn, 0, &d);

	if (err)
		return false;
	switch (d.cls) {
	case PV_IC_STORE:
	case PV_IC_STM:
	case PV_IC_STM_USER:
	case PV_IC_SRS:
	case PV_IC_STREX:
	case PV_IC_LDRT_STRT:
		return true;
	default:
		return false;
	}
}

static const char *const kind_names[] = { "undef", "svc", "pabt", "dabt", "irq", "fiq" };

static void trap_step(struct fuzz_input *in, struct pv_vcpu *v,
		      enum pv_trap_kind kind)
{
	uint32_t flags = fuzz_take(in, 1), *r = pv_vcpu_regs(v);
	struct pv_trap t = { kind, 0, 0, 0 };
	struct pv_exit ex;
	struct pv_resume rs;
	bool thumb = (v->cpsr & PV_PSR_T) != 0, counted, run = false, stored = false;
	uint64_t before;
	int err;

	set_regs(in, v, flags);
	if (flags & 2)
		r[15] = pc_value(in, v, &thumb);
	if (flags & 0x10) {
		/* The guest wrote an instruction there (any page of its RAM). */
		uint32_t sel = fuzz_take(in, 2), pa = r[15];

		if (v->cp15.sctlr & PV_SCTLR_M && pa - KVA < RAM0_SIZE)
			pa = pa - KVA + RAM0;
		rng_state = sel * 0x9e3779b9u + 1;
		if (thumb)
			put_thumb(pa, sel & 0x8000 ? fuzz_take(in, 4) : gen_thumb(sel));
		else
			put32(pa, sel & 0x8000 ? fuzz_take(in, 4) : gen_a32(sel));
	}
	t.host_cpsr = flags & 0x40 ? fuzz_take(in, 4) : (thumb ? PV_PSR_T : 0) |
		(v->cpsr & PV_PSR_NZCV);
	if (kind == PV_TRAP_PABT || kind == PV_TRAP_DABT) {
		uint32_t fsel = fuzz_take(in, 1), asel = fuzz_take(in, 1);

		t.fsr = PV_FSR_FS(fault_fs[fsel & 31]);
		if (kind == PV_TRAP_DABT && fsel & 0x20)
			t.fsr |= PV_FSR_WNR;
		if ((fsel >> 6) == 3)
			t.fsr |= fuzz_take(in, 2) & 0x1ff0u;
		switch (asel & 3) {
		case 0: t.far = r[15]; break;
		case 1: t.far = r[1]; break;
		default: t.far = reg_value(in); break;
		}
		if (asel & 4)
			r[1] = t.far;
	}
	if (verbose)
		fprintf(stderr, "vcpu %u %s pc %#x cpsr %#x host %#x fsr %#x far %#x r0-3 %#x %#x %#x %#x\n",
			v->id, kind_names[kind], r[15], v->cpsr, t.host_cpsr,
			t.fsr, t.far, r[0], r[1], r[2], r[3]);
	counted = v->stop == PV_STOP_NONE && !pv_devices_reset_requested(&vm->dev);
	before = total_traps();
	if (flags & 0x20)
		run = fuzz_take(in, 1) & 1;
	if (run)
		err = pv_vcpu_run_trap(v, &t, NULL, NULL, &ex, &rs);
	else
		err = pv_vcpu_handle_trap(v, &t, &ex);
	if (err)
		fail("pv_vcpu_handle_trap failed", v->id, 0, 0, (uint32_t)err);
	if (verbose)
		fprintf(stderr, "  -> action %d reason %s injected %d stop %d code %d insn %#x"
			" (ifsr %#x dfsr %#x dfar %#x)\n",
			ex.action, pv_trap_reason_name(ex.reason), ex.injected,
			ex.stop, ex.code, ex.insn, v->cp15.ifsr, v->cp15.dfsr, v->cp15.dfar);
	check_exit(v, &ex, counted, before);
	if (ex.action == PV_ACTION_RESUME && run)
		check_resume(v, &rs); /* filled by pv_vcpu_run_trap() */
	after_exit(v, &ex);
	/* An emulated store may have written anywhere in guest memory (the
	 * harness's own writes are tracked where it makes them). */
	stored = ex.insn && may_store(ex.insn, ex.cpsr & PV_PSR_T);
	check_all(v, stored);
}

static void poll_step(struct pv_vcpu *v)
{
	struct pv_exit ex;
	uint64_t before = total_traps();

	if (pv_vcpu_poll(v, &ex))
		fail("pv_vcpu_poll failed", v->id, 0, 0, 0);
	if (verbose)
		fprintf(stderr, "  poll vcpu %u -> action %d stop %d\n", v->id,
			ex.action, ex.stop);
	check_exit(v, &ex, false, before);
	after_exit(v, &ex);
	check_all(v, false);
}

static void event_step(struct fuzz_input *in, struct pv_vcpu *v, unsigned kind)
{
	uint32_t b = fuzz_take(in, 1);

	switch (kind) {
	case 0: /* the backend's timer fired */
		if (b & 1 && fb.deadline != PV_TIMER_NEVER && fb.deadline > fb.now)
			fb.now = fb.deadline;
		else
			fb.now += (uint64_t)fuzz_take(in, 2) << (b >> 1 & 31);
		if (verbose)
			fprintf(stderr, "vcpu %u timer now %llu\n", v->id,
				(unsigned long long)fb.now);
		pv_vm_timer_expired(vm);
		break;
	case 1: { /* console input */
		size_t n = b % 16u;

		if (n > in->n)
			n = in->n;
		if (b & 0x80) { /* a network frame arrives instead */
			(void)fake_net_inject(&fb, in->p, n * 8u > in->n ? in->n : n * 8u);
		} else {
			fb.input = in->p;
			fb.input_len = n;
			fb.input_pos = 0;
		}
		in->p += n;
		in->n -= n;
		if (verbose)
			fprintf(stderr, "vcpu %u console %zu bytes\n", v->id, n);
		pv_vm_console_input(vm);
		break;
	}
	case 2: { /* a routed physical interrupt (or one that is not) */
		unsigned irq = 100u + b % 3u;
		int err = pv_vm_phys_irq(vm, irq, b & 4);

		if (verbose)
			fprintf(stderr, "vcpu %u phys irq %u level %u\n", v->id, irq,
				(b & 4) != 0);
		if (err != (irq == 102u ? PV_ERANGE : 0))
			fail("pv_vm_phys_irq result", v->id, irq, 0, (uint32_t)err);
		break;
	}
	default:
		break;
	}
	poll_step(v);
}

static const uint8_t cp_keys[][4] = {
	/* crn, opc1, crm, opc2 */
	{ 1, 0, 0, 0 },  { 2, 0, 0, 0 }, { 2, 0, 0, 1 }, { 2, 0, 0, 2 },
	{ 3, 0, 0, 0 },  { 13, 0, 0, 1 }, { 10, 0, 2, 0 }, { 10, 0, 2, 1 },
	{ 12, 0, 0, 0 }, { 8, 0, 7, 0 }, { 8, 0, 7, 1 }, { 8, 0, 7, 2 },
	{ 8, 0, 7, 3 },  { 1, 0, 0, 2 }, { 3, 0, 0, 0 }, { 8, 0, 3, 0 },
};

static void cp15_step(struct fuzz_input *in, struct pv_vcpu *v)
{
	uint32_t k = fuzz_take(in, 1) % COUNT(cp_keys), val = reg_value(in);
	int err;

	if (k == 1 || k == 2) /* TTBRs: mostly one of the guest's tables */
		val = (val & 3) == 1 ? L1A : (val & 3) == 2 ? L1B : val;
	if (k == 14) /* a PAN toggle of domain 1 */
		val = v->cp15.dacr ^ 4u;
	if (verbose)
		fprintf(stderr, "vcpu %u cp15 c%u,%u,c%u,%u <- %#x\n", v->id,
			cp_keys[k][0], cp_keys[k][1], cp_keys[k][2], cp_keys[k][3], val);
	err = cp_write(v, cp_keys[k][0], cp_keys[k][1], cp_keys[k][2], cp_keys[k][3], val);
	if (err && err != PV_EUNDEF && err != PV_CP_WAIT)
		fail("pv_cp_write result", v->id, k, val, (uint32_t)err);
	check_all(v, false);
}

/* A PSCI or pvcore call: the registers, an SMC/HVC word at the PC, UNDEF. */
static void call_step(struct fuzz_input *in, struct pv_vcpu *v)
{
	static const uint8_t no_flags[1];
	struct fuzz_input none = { no_flags, sizeof(no_flags) };
	uint32_t b = fuzz_take(in, 1), *r = pv_vcpu_regs(v);
	bool t;

	r[0] = ids[b % COUNT(ids)];
	r[1] = fuzz_take(in, 1) % 5u;
	r[2] = pc_value(in, v, &t) | (t ? 1u : 0u);
	r[3] = fuzz_take(in, 4);
	if (b & 0x80)
		pv_vcpu_write_cpsr(v, (v->cpsr & ~PV_PSR_M_MASK) | PV_MODE_SVC);
	r[15] = code_base(v) + CODE_ARM + 0xff8u;
	put32(CODE_ARM + 0xff8u, b & 0x40 ? 0xe1400070u : 0xe1600070u);
	v->cpsr &= ~PV_PSR_T; /* as the trap's host CPSR will say */
	trap_step(&none, v, PV_TRAP_UNDEF);
}

/* Loads and stores with base r1 and data r0 (A32, then Thumb). */
static const uint32_t mmio_a32[] = {
	0xe5910000u, 0xe5810000u, 0xe5d10000u, 0xe5c10000u, 0xe1d100b0u,
	0xe1c100b0u, 0xe1c100d0u, 0xe1c100f0u, 0xe8910005u, 0xe8810005u,
	0xe5b10004u, 0xe4910004u, 0xe1910f9fu, 0xe1812f90u, 0xe1d100d0u,
	0xe5910003u, 0xe4b10004u, 0xe4a10004u, 0xed910b00u, 0xe1010090u,
	0xe891fffeu, 0xe591f000u, 0xe8d00006u, 0xe8c10006u,
};
static const uint32_t mmio_thumb[] = {
	0x6808u, 0x6008u, 0x7808u, 0x7008u, 0x8808u, 0x8008u, 0xc903u,
	0xe8510f00u, 0xe8d1f000u, 0xf8510e00u, 0xf8410e00u, 0xed910b00u,
};

/* An access to a device register: the instruction at the PC, r1 = FAR. */
static void mmio_step(struct fuzz_input *in, struct pv_vcpu *v)
{
	uint32_t b = fuzz_take(in, 1), *r = pv_vcpu_regs(v);
	uint32_t addr = dev_addrs[b % COUNT(dev_addrs)] + (fuzz_take(in, 2) & 0xfffu);
	uint32_t w, slot = (fuzz_take(in, 1) & 0x3f) * 4u;
	bool thumb = b & 0x80;
	struct pv_insn insn;
	uint8_t prog[4] = { 0, 0, 0, 0 };
	struct fuzz_input sub = { prog, sizeof(prog) };

	if (addr >= 0xf0000000u) /* the kernel's aliases need the MMU */
		addr = (addr & 0xfffffu) | (addr >> 20 & 1 ? UART & 0xfff00000u : PERIPH);
	if (b & 0x40)
		addr &= ~3u;
	r[0] = fuzz_take(in, 4);
	r[1] = addr;
	r[2] = fuzz_take(in, 1);
	if (thumb) {
		w = mmio_thumb[fuzz_take(in, 1) % COUNT(mmio_thumb)];
		put_thumb(CODE_THUMB + 0x800u + slot, w);
		r[15] = code_base(v) + CODE_THUMB + 0x800u + slot;
		(void)pv_decode_thumb((uint16_t)(w > 0xffff ? w >> 16 : w), (uint16_t)w, &insn);
	} else {
		w = mmio_a32[fuzz_take(in, 1) % COUNT(mmio_a32)];
		put32(CODE_ARM + 0x800u + slot, w);
		r[15] = code_base(v) + CODE_ARM + 0x800u + slot;
		(void)pv_decode_arm(w, &insn);
	}
	if (b & 0x20)
		pv_vcpu_write_cpsr(v, (v->cpsr & ~PV_PSR_M_MASK) | PV_MODE_USR);
	/* No register changes from the step's own input: flags 0, then the
	 * FSR (a translation fault, WnR for stores) and FAR = r1. */
	prog[1] = (uint8_t)(insn.cls == PV_IC_STORE || insn.cls == PV_IC_STM ||
				    insn.cls == PV_IC_STREX || w == 0xe4a10004u ||
				    w == 0xf8410e00u ? 0x20 : 0);
	prog[2] = 1; /* FAR = r1 */
	v->cpsr = (v->cpsr & ~PV_PSR_T) | (thumb ? PV_PSR_T : 0);
	trap_step(&sub, v, PV_TRAP_DABT);
}

/* The guest executes one interesting instruction, trapping as the host
 * would: SVC, BKPT (a debug prefetch abort) or UNDEF. */
static void exec_step(struct fuzz_input *in, struct pv_vcpu *v)
{
	uint32_t b = fuzz_take(in, 1), *r = pv_vcpu_regs(v), w;
	uint32_t slot = (fuzz_take(in, 1) & 0x3f) * 4u;
	bool thumb = b & 0x80;
	uint8_t prog[4] = { 0, 0x0a, 0, 0 };
	struct fuzz_input sub = { prog, sizeof(prog) };
	enum pv_trap_kind kind = PV_TRAP_UNDEF;

	for (unsigned i = 0; i < 4; i++)
		r[i] = reg_value(in);
	if (thumb) {
		w = t_words[fuzz_take(in, 1) % COUNT(t_words)];
		put_thumb(CODE_THUMB + 0xc00u + slot, w);
		r[15] = code_base(v) + CODE_THUMB + 0xc00u + slot;
		if ((w & 0xff00u) == 0xdf00u && w <= 0xffffu)
			kind = PV_TRAP_SVC;
		else if ((w & 0xff00u) == 0xbe00u && w <= 0xffffu)
			kind = PV_TRAP_PABT;
	} else {
		w = a32_words[fuzz_take(in, 1) % COUNT(a32_words)];
		put32(CODE_ARM + 0xc00u + slot, w);
		r[15] = code_base(v) + CODE_ARM + 0xc00u + slot;
		if ((w & 0x0f000000u) == 0x0f000000u)
			kind = PV_TRAP_SVC;
		else if ((w & 0x0ff000f0u) == 0x01200070u)
			kind = PV_TRAP_PABT;
	}
	if (b & 0x40)
		pv_vcpu_write_cpsr(v, (v->cpsr & ~PV_PSR_M_MASK) |
					      (b & 0x20 ? PV_MODE_USR : PV_MODE_SVC));
	v->cpsr = (v->cpsr & ~PV_PSR_T) | (thumb ? PV_PSR_T : 0);
	/* For a BKPT: FSR debug event (fault_fs[10]), FAR = the PC. */
	trap_step(&sub, v, kind);
}

static void one_step(struct fuzz_input *in)
{
	uint32_t b = fuzz_take(in, 1);
	struct pv_vcpu *v = &vm->vcpu[(b >> 4) % nvcpus];

	switch (b & 15) {
	case 0:
	case 1:
	case 2: trap_step(in, v, PV_TRAP_UNDEF); break;
	case 3: trap_step(in, v, PV_TRAP_SVC); break;
	case 4: trap_step(in, v, PV_TRAP_PABT); break;
	case 5:
	case 6: trap_step(in, v, PV_TRAP_DABT); break;
	case 7: trap_step(in, v, b & 0x40 ? PV_TRAP_FIQ : PV_TRAP_IRQ); break;
	case 8: mmio_step(in, v); break;
	case 9: exec_step(in, v); break;
	case 10: event_step(in, v, 0); break;
	case 11: event_step(in, v, b & 0x40 ? 2 : 1); break;
	case 12: poll_step(v); break;
	case 13: cp15_step(in, v); break;
	case 14: call_step(in, v); break;
	default: exec_step(in, v); break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	if (!vm) {
		vm = calloc(1, sizeof(*vm));
		if (!vm || fake_backend_setup(&fb, &base_cfg))
			abort();
		base_cfg.ram[0].size = RAM0_SIZE;
		base_cfg.ram[1].gpa = pv_gpa(RAM1);
		base_cfg.ram[1].size = RAM1_SIZE;
		base_cfg.ram[1].hva = pv_hva_from_ptr(fb.ram + RAM1_OFF);
		base_cfg.ram[1].hpa = pv_hpa(RAM1_HPA);
		/* The only memory the virtio operations may be handed. */
		fb.dma_lo[0] = fb.ram;
		fb.dma_hi[0] = fb.ram + RAM0_SIZE + RAM1_SIZE;
		fb.dma_lo[1] = (const uint8_t *)vm;
		fb.dma_hi[1] = (const uint8_t *)vm + sizeof(*vm);
		verbose = getenv("FUZZ_VM_VERBOSE") != NULL;
		every_step = getenv("FUZZ_VM_ENGINE_EVERY_STEP") != NULL;
	}
	/* A fresh backend and guest memory. */
	memset(fb.ram, 0, RAM0_SIZE);
	memset(fb.ram + RAM1_OFF, 0, RAM1_SIZE);
	fb.now = 0;
	fb.deadline = PV_TIMER_NEVER;
	fb.console_len = 0;
	memset(fb.kicks, 0, sizeof(fb.kicks));
	fb.bad_kicks = 0;
	fb.input = NULL;
	fb.input_len = fb.input_pos = 0;
	memset(fb.irq_enabled, 0, sizeof(fb.irq_enabled));
	fb.bad_buffers = 0;
	fb.disk_sectors = 64;
	fb.reported = 0;
	memset(fb.disk, 0, 64 * PV_BLK_SECTOR_SIZE);
	fb.blk_fail = fb.net_send_fail = fb.net_recv_fail = fb.rng_fail = false;
	fb.rx_head = fb.rx_count = fb.ntx = 0;
	fb.rng_state = 0x9e3779b9u;

	setup_config(&in);
	gen_memory(&in);
	genode_before_init();
	if (pv_vm_init(vm, &cfg))
		abort();
	genode_after_init();
	if (pv_vm_map_phys_irq(vm, 100, 40) || pv_vm_map_phys_irq(vm, 101, 60))
		abort();
	for (unsigned i = 1; i < nvcpus && !secondaries_off; i++) {
		uint32_t *r = vm->vcpu[0].r;

		r[0] = PV_PSCI_CPU_ON;
		r[1] = i;
		r[2] = RAM0 + 0xc000u;
		r[3] = 0;
		(void)pv_psci_call(&vm->vcpu[0]);
		if (r[0] != PV_PSCI_RET_SUCCESS || vm->vcpu[i].stop != PV_STOP_NONE)
			fail("CPU_ON of a secondary at setup", i, r[0], 0, 0);
	}
	for (unsigned i = 0; i < nvcpus; i++) {
		vm->vcpu[i].r[15] = RAM0 + 0xc000u;
		setup_vcpu(&in, &vm->vcpu[i]);
	}
	/* The change tracker starts from memory as generated. */
	/* The generators write the tables, code and vector pages in place and
	 * everything else through put32()/put16(); the rest is still zero. */
	memset(snapped, 0, sizeof(snapped));
	memset(touched, 1, (VECTORS - RAM0) / 4096u + 1);
	(void)ram_changed(false);
	table_pages_key = UINT64_MAX;
	tables_stale = false;
	sig_valid = false;
	last_flushes = vm->shadow.stats.full_flushes;
	if (verbose)
		for (unsigned i = 0; i < nvcpus; i++)
			fprintf(stderr, "vcpu %u: sctlr %#x ttbr0 %#x ttbr1 %#x ttbcr %#x dacr %#x vbar %#x cpsr %#x\n",
				i, vm->vcpu[i].cp15.sctlr, vm->vcpu[i].cp15.ttbr0,
				vm->vcpu[i].cp15.ttbr1, vm->vcpu[i].cp15.ttbcr,
				vm->vcpu[i].cp15.dacr, vm->vcpu[i].cp15.vbar, vm->vcpu[i].cpsr);
	check_all(&vm->vcpu[0], false);
	for (unsigned steps = 0; in.n && steps < MAX_STEPS; steps++)
		one_step(&in);
	return 0;
}
