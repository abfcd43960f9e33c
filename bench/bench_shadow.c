/* SPDX-License-Identifier: MIT */
/*
 * Shadow engine micro-benchmark, meant to run under callgrind (instruction
 * counts are deterministic; wall time is not measured):
 *
 *   valgrind --tool=callgrind --toggle-collect='bench_*' \
 *            --callgrind-out-file=cg.out build/<dir>/bench/bench_shadow
 *   callgrind_annotate --inclusive=yes cg.out | grep bench_
 *
 * Each bench_* function performs exactly one operation and is called
 * BENCH_N times; divide its inclusive Ir by BENCH_N. The program also
 * prints the memory per cached address space. Results: docs/shadow.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "fake_backend.h"

#define BENCH_N 1000
#define L1A (FAKE_RAM_BASE + 0x0000u)
#define L1B (FAKE_RAM_BASE + 0x4000u)
#define L2T (FAKE_RAM_BASE + 0x8000u)

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm vm;
static struct pv_vcpu *v;
static volatile uint32_t sink;

static void fault(uint32_t va, unsigned acc)
{
	enum pv_shadow_outcome oc;
	struct pv_fault f;

	if (pv_shadow_fault(v, pv_gva(va), acc, &oc, &f) || oc != PV_SHADOW_FILLED) {
		fprintf(stderr, "bench: unexpected outcome at %08x\n", va);
		exit(1);
	}
}

/* The sink stores keep the three fill wrappers from being folded. */
__attribute__((noinline)) static void bench_fill_4k(uint32_t va)
{
	fault(va, PV_ACC_WRITE);
	sink = 1;
}

__attribute__((noinline)) static void bench_fill_4k_new_l2(uint32_t va)
{
	fault(va, PV_ACC_WRITE);
	sink = 2;
}

__attribute__((noinline)) static void bench_fill_section(uint32_t va)
{
	fault(va, PV_ACC_WRITE);
	sink = 3;
}

__attribute__((noinline)) static void bench_mode_switch(void)
{
	struct pv_resume rs;

	v->cpsr ^= PV_MODE_USR ^ PV_MODE_SVC;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_MODE);
	pv_shadow_resume(v, &rs);
	sink = rs.asid;
}

__attribute__((noinline)) static void bench_dacr_write(void)
{
	struct pv_resume rs;

	v->cp15.dacr ^= 1u << 2; /* CPU_SW_DOMAIN_PAN: user domain on/off */
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_DACR);
	pv_shadow_resume(v, &rs);
	sink = rs.dacr;
}

__attribute__((noinline)) static void bench_tlbimva(uint32_t va)
{
	pv_shadow_tlbi(v, PV_TLBI_MVA, va | 1);
}

/* munmap's flush_tlb_range loop, fused by cmo_loop.c: @pages from @va. */
__attribute__((noinline)) static void bench_tlbi_range(uint32_t va, uint32_t pages)
{
	pv_shadow_tlbi_range(v, va, pages);
}

__attribute__((noinline)) static void bench_tlbiasid(void)
{
	pv_shadow_tlbi(v, PV_TLBI_ASID, 1);
}

__attribute__((noinline)) static void bench_context_switch(uint32_t ttbr0, uint32_t asid)
{
	struct pv_resume rs;

	v->cp15.ttbr0 = ttbr0;
	v->cp15.contextidr = asid;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_TTBR0 | PV_SHADOW_CTX_CONTEXTIDR);
	pv_shadow_resume(v, &rs);
	sink = rs.asid;
}

static uint32_t *g(uint32_t gpa)
{
	return fake_backend_ram(&fb, gpa);
}

/* A Linux-like space: user pages via L2 tables, kernel lowmem sections. */
static void populate(void)
{
	for (uint32_t i = 0; i < 8; i++) /* kernel: 8 MiB of sections, global */
		g(L1A)[0xc00 + i] = g(L1B)[0xc00 + i] =
			(FAKE_RAM_BASE + (i << 20)) | 1u << 10 | 1u << 16 | 7u << 12 | 0xe;
	for (uint32_t t = 0; t < 4; t++) { /* user: 4 MiB of small pages */
		g(L1A)[0x001 + t] = (L2T + t * 1024) | 1u << 5 | 1;
		g(L1B)[0x001 + t] = (L2T + t * 1024) | 1u << 5 | 1;
		for (uint32_t j = 0; j < 256; j++)
			g(L2T + t * 1024)[j] = (FAKE_RAM_BASE + 0x800000 + ((t * 256 + j) << 12)) |
					       1u << 11 | 3u << 4 | 1u << 6 | 0xe;
	}
}

int main(void)
{
	struct pv_resume rs;
	unsigned n;

	if (fake_backend_setup(&fb, &cfg) || pv_vm_init(&vm, &cfg))
		return 1;
	v = &vm.vcpu[0];
	populate();
	v->cp15.sctlr = 1;
	v->cp15.ttbr0 = L1A;
	v->cp15.dacr = 0x55555555u;
	v->cp15.contextidr = 1;
	v->cpsr = PV_MODE_SVC;
	pv_shadow_ctx_changed(v, ~0u);
	pv_shadow_resume(v, &rs);

	/* 4 KiB fill into an existing L2 table: refill one page each time. */
	fault(0x00100000, PV_ACC_WRITE);
	for (n = 0; n < BENCH_N; n++) {
		pv_shadow_tlbi(v, PV_TLBI_MVAA, 0x00101000);
		bench_fill_4k(0x00101000);
	}
	/* 4 KiB fill that needs a new L2 table. */
	for (n = 0; n < BENCH_N; n++) {
		pv_shadow_tlbi(v, PV_TLBI_ASID, 1);
		bench_fill_4k_new_l2(0x00200000);
	}
	/* Section fill. */
	for (n = 0; n < BENCH_N; n++) {
		pv_shadow_tlbi(v, PV_TLBI_MVAA, 0xc0300000);
		bench_fill_section(0xc0300000);
	}
	for (n = 0; n < BENCH_N; n++)
		bench_mode_switch();
	for (n = 0; n < BENCH_N; n++)
		bench_dacr_write();

	/* Eight cached spaces (the 1 MiB pool's maximum), partly filled. */
	for (uint32_t asid = 1; asid <= 8; asid++) {
		bench_context_switch(asid & 1 ? L1A : L1B, asid);
		for (uint32_t va = 0x00100000; va < 0x00500000; va += 0x10000)
			fault(va, PV_ACC_WRITE);
		for (uint32_t va = 0xc0000000; va < 0xc0800000; va += 0x100000)
			fault(va, PV_ACC_WRITE);
	}
	bench_context_switch(L1A, 1);
	for (n = 0; n < BENCH_N; n++)
		bench_tlbimva(0x00100000 + ((n % 64) << 16));
	/* 256 pages (1 MiB, the most one trap runs), 16 of them cached. */
	for (n = 0; n < BENCH_N; n++) {
		for (uint32_t va = 0x00200000; va < 0x00300000; va += 0x10000)
			fault(va, PV_ACC_WRITE);
		bench_tlbi_range(0x00200000, 256);
	}
	for (n = 0; n < BENCH_N; n++) {
		for (uint32_t va = 0x00100000; va < 0x00500000; va += 0x40000)
			fault(va, PV_ACC_WRITE);
		for (uint32_t va = 0xc0000000; va < 0xc0400000; va += 0x100000)
			fault(va, PV_ACC_WRITE);
		bench_tlbiasid(); /* 16 pages in 4 tables + 4 sections */
	}
	for (n = 0; n < BENCH_N; n++)
		bench_context_switch(n & 1 ? L1B : L1A, n & 1 ? 2 : 1);

	printf("pool %u KiB: %u cached spaces, %u L2 tables; per space: "
	       "2 x 16 KiB roots + %u B metadata + 1 KiB per L2 table in use "
	       "(%u in use now)\n",
	       (unsigned)(cfg.shadow_pool.size / 1024), vm.shadow.nspaces,
	       vm.shadow.nl2, 2 * 576u, vm.shadow.l2_used);
	printf("stats: fills_page %llu fills_section %llu evictions %llu\n",
	       (unsigned long long)vm.shadow.stats.fills_page,
	       (unsigned long long)vm.shadow.stats.fills_section,
	       (unsigned long long)vm.shadow.stats.evictions);
	fake_backend_teardown(&fb);
	return 0;
}
