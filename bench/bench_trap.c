/* SPDX-License-Identifier: MIT */
/*
 * Whole trap paths for callgrind: pv_vcpu_handle_trap() plus the
 * pv_vcpu_resume_state() the backend calls before returning to the guest,
 * i.e. everything the core does between the world switch out and back in.
 * The guest runs with its MMU on (one section of kernel text, as Linux),
 * so every instruction fetch is a guest walk. Each path runs BENCH_N
 * times in its own noinline bench_* function; bench/bench.sh divides
 * callgrind's inclusive count by BENCH_N. docs/cpu.md records the numbers.
 *
 * - bench_patched_mrs: `mrs r0, cpsr` patched by pvpatch (UNDEF trap, site
 *   lookup, read of the word at PC to confirm the site);
 * - bench_patched_msr_irq: `msr cpsr_c, r0` re-enabling IRQs, patched
 *   (Linux's local_irq_restore), with no interrupt pending;
 * - bench_mrc_ttbr0: `mrc p15, 0, r0, c2, c0, 0`, which traps by itself
 *   at host PL0;
 * - bench_mcr_dacr: the PAN toggle Linux's uaccess makes, `mcr p15, 0, r0,
 *   c3, c0, 0`, including the shadow context change;
 * - bench_svc_reflect: a guest user SVC reflected to the guest kernel's
 *   vector;
 * - bench_mmio_store: `str r1, [r2]` to a GIC priority register through a
 *   device section (data abort, walk, decode, device model);
 * - bench_eret_subs: `subs pc, lr, #0` patched, back to guest user mode;
 * - bench_dabt_user_fault: a guest user store to an address its tables do
 *   not map (a page fault): the shadow miss, the guest walk, the data
 *   abort injected into the guest kernel;
 * - bench_dabt_fill: a guest kernel store to a mapped address the shadow
 *   does not hold: the walk and the fill (each preceded by the TLBIMVA
 *   that drops the entry, about 150 instructions with one cached space).
 */
#include <stdio.h>
#include <stdlib.h>

#include <pvcore/patch.h>

#include "core.h"
#include "fake_backend.h"

#define BENCH_N 1000u

#define L1 (FAKE_RAM_BASE + 0x4000u)  /* guest L1 table */
#define TEXT_VA 0xc0000000u           /* one section of "kernel text" */
#define USER_VA 0x00010000u           /* a user page (section 0) */
#define DEV_VA 0xf0000000u            /* the private peripherals */
#define CODE (TEXT_VA + 0x1000u)

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;
static struct pv_vcpu *cpu;
static struct pv_patch_site sites[3];
static struct pv_patch_table table = { .sites = sites, .count = 3 };

static void put(uint32_t va, uint32_t word)
{
	*(uint32_t *)fake_backend_ram(&fb, va - TEXT_VA + FAKE_RAM_BASE) = word;
}

static void site(unsigned i, uint32_t va, uint32_t original, unsigned cls)
{
	sites[i].va = va;
	sites[i].original = original;
	sites[i].patched = pv_patch_marker_a32(cls);
	sites[i].cls = (uint16_t)cls;
	put(va, sites[i].patched);
}

static void setup(void)
{
	uint32_t *l1;

	if (fake_backend_setup(&fb, &cfg))
		abort();
	vm = calloc(1, sizeof(*vm));
	if (!vm || pv_vm_init(vm, &cfg))
		abort();
	cpu = &vm->vcpu[0];
	l1 = fake_backend_ram(&fb, L1);
	/* Kernel text: RAM, AP=01 (PL1 only), domain 0. */
	l1[TEXT_VA >> 20] = FAKE_RAM_BASE | 1u << 10 | 0xcu | 2u;
	/* A user section: AP=11, domain 1. */
	l1[USER_VA >> 20] = (FAKE_RAM_BASE + 0x100000u) | 3u << 10 | 1u << 5 | 2u;
	/* Device section over the private peripherals, XN, domain 0. */
	l1[DEV_VA >> 20] = (PV_BOARD_PERIPH_BASE & 0xfff00000u) | 1u << 10 |
			   1u << 4 | 2u | 4u;
	cpu->cp15.ttbr0 = L1;
	cpu->cp15.dacr = 0x5u; /* domains 0 and 1: client */
	cpu->cp15.sctlr |= PV_SCTLR_M;
	pv_shadow_ctx_changed(cpu, PV_SHADOW_CTX_SCTLR | PV_SHADOW_CTX_TTBR0 |
				   PV_SHADOW_CTX_DACR);
	site(0, CODE + 0x00, 0xe10f0000u, PV_IC_MRS);     /* mrs r0, cpsr */
	site(1, CODE + 0x10, 0xe121f000u, PV_IC_MSR);     /* msr cpsr_c, r0 */
	site(2, CODE + 0x20, 0xe25ef000u, PV_IC_DP_ERET); /* subs pc, lr, #0 */
	put(CODE + 0x30, 0xee120f10u); /* mrc p15, 0, r0, c2, c0, 0 */
	put(CODE + 0x40, 0xee030f10u); /* mcr p15, 0, r0, c3, c0, 0 */
	put(CODE + 0x50, 0xe5821000u); /* str r1, [r2] */
	vm->cfg.patch_sites = &table;
}

/* One trap of @kind at @pc in @mode, resumed: the core's whole share. */
static void trap(enum pv_trap_kind kind, uint32_t pc, uint32_t fsr,
		 uint32_t far)
{
	struct pv_trap t = { kind, 0, fsr, far };
	struct pv_resume rs;
	struct pv_exit ex;

	cpu->r[15] = pc;
	if (pv_vcpu_handle_trap(cpu, &t, &ex) || ex.action != PV_ACTION_RESUME)
		abort();
	pv_vcpu_resume_state(cpu, &rs);
}

static void at_svc(void)
{
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I);
}

__attribute__((noinline)) static void bench_patched_mrs(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		trap(PV_TRAP_UNDEF, CODE + 0x00, 0, 0);
}

__attribute__((noinline)) static void bench_patched_msr_irq(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		cpu->r[0] = PV_MODE_SVC; /* I clear: IRQs back on */
		trap(PV_TRAP_UNDEF, CODE + 0x10, 0, 0);
		at_svc();
	}
}

__attribute__((noinline)) static void bench_mrc_ttbr0(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		trap(PV_TRAP_UNDEF, CODE + 0x30, 0, 0);
}

__attribute__((noinline)) static void bench_mcr_dacr(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		cpu->r[0] = (i & 1) ? 0x5u : 0x1u; /* domain 1 on and off */
		trap(PV_TRAP_UNDEF, CODE + 0x40, 0, 0);
	}
}

__attribute__((noinline)) static void bench_svc_reflect(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		pv_vcpu_write_cpsr(cpu, PV_MODE_USR);
		trap(PV_TRAP_SVC, USER_VA + 0x104, 0, 0);
	}
	at_svc();
}

__attribute__((noinline)) static void bench_mmio_store(unsigned n)
{
	uint32_t va = DEV_VA + (PV_BOARD_PERIPH_BASE & 0xfffffu) +
		      PV_BOARD_GICD_OFFSET + 0x400u;

	for (unsigned i = 0; i < n; i++) {
		cpu->r[1] = 0xa0a0a0a0u;
		cpu->r[2] = va;
		/* Host DFSR: translation fault (section), write. */
		trap(PV_TRAP_DABT, CODE + 0x50, 0x805u, va);
	}
}

__attribute__((noinline)) static void bench_eret_subs(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		cpu->spsr[PV_BANK_SVC] = PV_MODE_USR;
		pv_vcpu_set_reg_mode(cpu, PV_MODE_SVC, 14, USER_VA + 0x100);
		trap(PV_TRAP_UNDEF, CODE + 0x20, 0, 0);
		at_svc();
	}
}

/* `str r5, [r4]` in the user section. */
#define USER_CODE (USER_VA + 0x200u)
#define UNMAPPED_VA 0x00200000u

__attribute__((noinline)) static void bench_dabt_user_fault(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		pv_vcpu_write_cpsr(cpu, PV_MODE_USR);
		trap(PV_TRAP_DABT, USER_CODE, 0x805u, UNMAPPED_VA);
	}
}

__attribute__((noinline)) static void bench_dabt_fill(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		pv_shadow_tlbi(cpu, PV_TLBI_MVAA, USER_VA);
		trap(PV_TRAP_DABT, CODE + 0x50, 0x805u, USER_VA + 0x40);
		at_svc();
	}
}

int main(void)
{
	setup();
	at_svc();
	/* Warm up outside the measured functions: the first MMIO access
	 * and user SVC set state up once (shadow context, device). */
	trap(PV_TRAP_UNDEF, CODE + 0x00, 0, 0);
	at_svc();

	bench_patched_mrs(BENCH_N);
	bench_patched_msr_irq(BENCH_N);
	bench_mrc_ttbr0(BENCH_N);
	bench_mcr_dacr(BENCH_N);
	bench_svc_reflect(BENCH_N);
	bench_mmio_store(BENCH_N);
	bench_eret_subs(BENCH_N);
	*(uint32_t *)fake_backend_ram(&fb, FAKE_RAM_BASE + 0x100000u +
					       (USER_CODE - USER_VA)) = 0xe5845000u;
	cpu->r[4] = UNMAPPED_VA;
	trap(PV_TRAP_DABT, CODE + 0x50, 0x805u, USER_VA + 0x40); /* warm */
	at_svc();
	bench_dabt_user_fault(BENCH_N);
	at_svc();
	cpu->r[2] = USER_VA + 0x40;
	bench_dabt_fill(BENCH_N);
	printf("bench_trap: %u iterations per path; traps: patched %llu, "
	       "cp15 read %llu, cp15 write %llu, svc %llu, mmio write %llu, "
	       "exception return %llu\n", BENCH_N,
	       (unsigned long long)pv_vm_event_count(vm, PV_EV_PATCHED),
	       (unsigned long long)pv_vm_trap_count(vm, PV_TR_CP15_READ),
	       (unsigned long long)pv_vm_trap_count(vm, PV_TR_CP15_WRITE),
	       (unsigned long long)pv_vm_trap_count(vm, PV_TR_SVC),
	       (unsigned long long)pv_vm_trap_count(vm, PV_TR_MMIO_WRITE),
	       (unsigned long long)pv_vm_trap_count(vm, PV_TR_EXC_RETURN));
	free(vm);
	fake_backend_teardown(&fb);
	return 0;
}
