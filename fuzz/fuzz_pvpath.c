/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the paravirtual path (pvcore/pvpage.h,
 * pvcore/fastpath.h): a VM with a stub table, its vCPU page and a
 * registered fast-path struct, driven by a script of
 *
 * - traps of any kind from any PC: inside stubs (at every word, an exit or
 *   not), at their sites, in kernel code holding a chosen instruction word
 *   (TPIDRURO, DACR and TTBR0 writes, the self-describing return, a
 *   CPSIE trap word, anything), or in user code;
 * - guest-kernel writes of any value to any word of the vCPU page;
 * - the backend's fast paths (the fake backend's C version of the
 *   contract: SVC, return to user mode, stub return, TPIDRURO write), run
 *   whenever the flags the core left allow them;
 * - interrupt lines, polls and guest page-table entries (each followed by
 *   a TLBIALL, as the guest kernel would, but for a PTE written into an
 *   empty entry of the user L2 table: no TLB holds a fault, and the fast
 *   return's prefill takes such a PTE without one).
 *
 * After every step: no crash or sanitizer report; the vCPU's mode is
 * valid; every resume state is host USR with A, I and F clear (no IT
 * without T), with the guest's TPIDRURO, which the live page holds too;
 * pv_shadow_check_isolation() finds nothing; the fast struct's flags are
 * consistent (TLS_OK only with SVC_OK; SVC_OK and ERET_OK only with the
 * page live, no interrupt line up, and not in FIQ or SYS mode); and a fast path that ran leaves the host in USR with A, I and F
 * clear.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "fake_backend.h"
#include "fake_fast.h"
#include "fuzz_input.h"
#include "vpage.h"

#define RAM0 FAKE_RAM_BASE
#define KVA 0xc0000000u
#define IMG_VA (KVA + 0x8000u)
#define IMG_GPA (RAM0 + 0x8000u)
#define AREA_VA (KVA + 0x800000u)
#define AREA_SIZE 0x100000u
#define L1 (RAM0 + 0x4000u)
#define USER_VA 0x00100000u
#define PT_VA (USER_VA + 0x100000u) /* user pages through an L2 table */
#define PT_L2 (RAM0 + 0x28000u)
#define CODE_VA (KVA + 0x20000u)
#define VPAGE_HPA 0x3e000000u
#define WIN_DOMAIN 15u
#define TO_PA(va) ((va) - KVA + RAM0)
#define MAX_STEPS 96

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;
static uint32_t *vpage;
static struct pv_stub_table stubs;
static uint32_t stub_blob[128];
static struct pv_fast fast;
static struct fake_fast_host host;
static bool guest_kernel;
static bool verbose; /* FUZZ_PVPATH_VERBOSE: print every step */
static uint64_t checked_key; /* the shadow's counters at the last check */
static bool tables_dirty;    /* a guest table entry changed since then */

/* The shapes pvpatch emits (tools/pvpatch/stubs.c), one of each kind. */
#define X PV_STUB_NO_EXIT
static const struct pv_stub stub_defs[] = {
	{ KVA + 0x10000u, AREA_VA + 0x1000u, 16, 0, PV_STUB_CPSIE, { 12, 15, X, X } },
	{ KVA + 0x10100u, AREA_VA + 0x1040u, 7, 1, PV_STUB_MRS_CPSR, { 6, X, X, X } },
	{ KVA + 0x10200u, AREA_VA + 0x1080u, 12, 0, PV_STUB_MSR_CPSR_C, { 10, X, X, X } },
	{ KVA + 0x10280u, AREA_VA + 0x10b0u, 2, PV_STUB_NO_REG, PV_STUB_MCR_TLS, { 1, X, X, X } },
	{ KVA + 0x102c0u, AREA_VA + 0x10b8u, 23, 0, PV_STUB_LDM_USR, { 7, 22, X, X } },
	{ KVA + 0x10300u, AREA_VA + 0x3000u, 2, PV_STUB_NO_REG, PV_STUB_MRC, { 1, X, X, X } },
	{ KVA + 0x10400u, AREA_VA + 0x3010u, 14, 0, PV_STUB_MCR_TPIDRURO, { 9, 13, X, X } },
};
#undef X
#define NSTUBS (sizeof(stub_defs) / sizeof(stub_defs[0]))

/* Kernel instruction words worth trapping on. */
static const uint32_t words[] = {
	0xee0d1f70u,    /* mcr p15, 0, r1, c13, c0, 3: TPIDRURO */
	0xee031f10u,    /* mcr p15, 0, r1, c3, c0, 0: DACR */
	0xee021f10u,    /* mcr p15, 0, r1, c2, c0, 0: TTBR0 */
	0xee0d1f30u,    /* mcr p15, 0, r1, c13, c0, 1: CONTEXTIDR */
	0xee080f17u,    /* TLBIALL */
	PV_FAST_ERET_WORD,
	PV_FAST_MRS_SPSR_WORD | 1u,
	PV_FAST_MSR_SPSR_WORD | 1u,
	0xe1b0f00eu,    /* movs pc, lr (unpatched) */
	0xf1080080u,    /* cpsie i */
	0xe10f1000u,    /* mrs r1, cpsr */
	0xe320f003u,    /* wfi */
};

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_pvpath: invariant broken: %s\n", what);
	abort();
}

static void wr_guest(uint32_t gpa, uint32_t w)
{
	memcpy(fake_backend_ram(&fb, gpa), &w, 4);
}

static void file_hdr(void)
{
	struct pv_stub_file_hdr h = {
		.magic = PV_STUB_MAGIC, .version = PV_STUB_VERSION,
		.hdr_size = sizeof(h), .count = NSTUBS,
		.entry_size = sizeof(struct pv_stub), .area_va = AREA_VA,
		.area_size = AREA_SIZE, .image_base = IMG_VA,
	};
	size_t len = sizeof(h) + sizeof(stub_defs);

	memset(stub_blob, 0, sizeof(stub_blob));
	memcpy(stub_blob, &h, sizeof(h));
	memcpy((uint8_t *)stub_blob + sizeof(h), stub_defs, sizeof(stub_defs));
	stub_blob[offsetof(struct pv_stub_file_hdr, checksum) / 4] =
		pv_patch_crc32(0, stub_blob, len);
	if (pv_stub_table_parse(stub_blob, len, &stubs) ||
	    pv_stub_table_set_load(&stubs, pv_gpa(IMG_GPA)))
		fail("stub table");
}

/*
 * The engine's own isolation walk is the expensive check: run it when the
 * shadow can have changed (a fill, an eviction, a flush, a new space) or
 * the guest's tables did.
 */
static void isolation(void)
{
	const struct pv_shadow_stats *s = &vm->shadow.stats;

	/* Every table word written, by the core or a fast path, cleaned. */
	if (fake_backend_walker_stale(&fb, vm) >= 0)
		fail("a shadow table word was written and not cleaned");
	uint64_t key = s->fills_page + s->fills_section + s->stub_fills +
		       s->evictions + s->l2_reclaims + s->full_flushes +
		       s->asid_rollovers + s->space_misses + s->global_copies;

	if (key == checked_key && !tables_dirty)
		return;
	checked_key = key;
	tables_dirty = false;
	if (pv_shadow_check_isolation(vm))
		fail("isolation");
}

/* The backend's clean after a fast path's table write. */
static void clean_word(void *arg, volatile uint32_t *word)
{
	(void)arg;
	fake_backend_ops.cache_clean_range(&fb, pv_hva_from_ptr((void *)word), 4);
}

/* What the backend does after a core entry point: load the resume state. */
static void resume(struct pv_vcpu *v)
{
	struct pv_resume rs;
	uint32_t mode = v->cpsr & PV_PSR_M_MASK;

	pv_vcpu_resume_state(v, &rs);
	if ((rs.host_cpsr & PV_PSR_M_MASK) != PV_MODE_USR ||
	    (rs.host_cpsr & (PV_PSR_A | PV_PSR_I | PV_PSR_F)))
		fail("resume CPSR is not host USR with A, I and F clear");
	if (!(rs.host_cpsr & PV_PSR_T) && (rs.host_cpsr & PV_PSR_IT_MASK))
		fail("resume CPSR has IT bits without T");
	if (!pv_mode_is_valid(mode))
		fail("invalid guest mode");
	if (rs.tpidruro != v->cp15.tpidruro)
		fail("resume TPIDRURO is not the guest's");
	if (v->vpage_live && vpage[PV_VPAGE_TPIDRURO / 4] != v->cp15.tpidruro)
		fail("the page's TPIDRURO is not the guest's");
	isolation();
	if ((fast.flags & PV_FAST_TLS_OK) && !(fast.flags & PV_FAST_SVC_OK))
		fail("TLS_OK without SVC_OK");
	if ((fast.flags & (PV_FAST_SVC_OK | PV_FAST_ERET_OK)) &&
	    ((mode != PV_MODE_USR && mode != PV_MODE_SVC && mode != PV_MODE_ABT &&
	      mode != PV_MODE_UND && mode != PV_MODE_IRQ) || !v->vpage_live ||
	     v->irq_line || v->fiq_line))
		fail("SVC/ERET flags in FIQ or SYS, without the page, or with a line up");
	host.sp = v->r[13];
	host.lr = v->r[14];
	host.pc = v->r[15];
	host.cpsr = rs.host_cpsr;
	host.ttbr0 = (uint32_t)pv_hpa_val(rs.ttbr0);
	host.asid = rs.asid;
	host.dacr = rs.dacr;
	host.tpidruro = rs.tpidruro;
	guest_kernel = rs.guest_kernel;
}

static void after_fast(void)
{
	if ((host.cpsr & PV_PSR_M_MASK) != PV_MODE_USR ||
	    (host.cpsr & (PV_PSR_A | PV_PSR_I | PV_PSR_F)))
		fail("a fast path left the host outside USR or masked");
}

static void trap(struct pv_vcpu *v, enum pv_trap_kind kind, uint32_t fsr, uint32_t far)
{
	struct pv_trap t = { kind, host.cpsr, fsr, far };
	struct pv_exit ex;

	v->r[13] = host.sp;
	v->r[14] = host.lr;
	v->r[15] = host.pc;
	if (pv_vcpu_handle_trap(v, &t, &ex))
		fail("handle_trap failed");
	if ((unsigned)ex.action > PV_ACTION_STOP)
		fail("exit action out of range");
	v->stop = PV_STOP_NONE;
	v->wfi = false;
	resume(v);
}

static uint32_t pick_pc(struct fuzz_input *in)
{
	uint32_t sel = fuzz_take(in, 1), x = fuzz_take(in, 2);
	const struct pv_stub *s = &stub_defs[x % NSTUBS];

	switch (sel % 6) {
	case 0: /* a word of a stub */
		return s->stub + 4u * ((x >> 4) % s->words);
	case 1:
		return s->site;
	case 2: /* kernel code with a chosen word */
		wr_guest(TO_PA(CODE_VA + 4u * (x & 63u)),
			 (sel & 0x80) ? words[(x >> 6) % (sizeof(words) / 4)] :
					fuzz_take(in, 4));
		return CODE_VA + 4u * (x & 63u);
	case 3:
		return USER_VA + 4u * (x & 0xffu);
	case 4:
		return x & 1 ? AREA_VA + (x & 0xffffcu) : KVA + (x << 2);
	default:
		return host.pc;
	}
}

static void step(struct fuzz_input *in, struct pv_vcpu *v)
{
	static const enum pv_trap_kind kinds[] = {
		PV_TRAP_UNDEF, PV_TRAP_IRQ, PV_TRAP_DABT, PV_TRAP_PABT, PV_TRAP_SVC,
		PV_TRAP_UNDEF, PV_TRAP_IRQ,
	};
	uint32_t op = fuzz_take(in, 1), val;

	if (verbose)
		fprintf(stderr, "op %u: cpsr %08x pc %08x tpidruro %08x flags %x\n",
			op % 11, v->cpsr, v->r[15], v->cp15.tpidruro, fast.flags);
	switch (op % 11) {
	case 0: case 1: {
		enum pv_trap_kind k = kinds[fuzz_take(in, 1) % 7];

		host.pc = pick_pc(in);
		host.cpsr = PV_MODE_USR | (fuzz_take(in, 4) & (PV_PSR_NZCV | PV_PSR_Q |
							     PV_PSR_GE_MASK | PV_PSR_T));
		val = fuzz_take(in, 4);
		if (verbose)
			fprintf(stderr, "  trap %d at %08x host cpsr %08x\n", k, host.pc, host.cpsr);
		trap(v, k, 0x805u | (val & 0x80fu),
		     (val >> 28) == 7 ? PT_VA + (val & 0xfffffu) : val);
		break;
	}
	case 2: { /* the guest kernel writes its page */
		uint32_t at = fuzz_take(in, 1);

		val = fuzz_take(in, 4);
		if (at & 0x80)
			vpage[(PV_VPAGE_FIELDS + 4u * (at % 19u)) / 4] = val;
		else
			vpage[(fuzz_take(in, 2) & 0xffcu) / 4] = val;
		break;
	}
	case 3:
		host.spsr = host.cpsr;
		host.exc_lr = host.pc + ((host.cpsr & PV_PSR_T) ? 2 : 4);
		if (fake_fast_svc(&fast, vpage, &host))
			after_fast();
		break;
	case 4:
		if (fake_fast_eret(&fast, vpage, &host)) {
			if (verbose && fast.n_prefill)
				fprintf(stderr, "  fast return, prefilled\n");
			after_fast();
		}
		break;
	case 5:
		if (fake_fast_xret(&fast, vpage, &host))
			after_fast();
		break;
	case 6: /* the backend's TPIDRURO path, then the core counts it */
		if (!guest_kernel)
			break;
		fake_fast_mcr_tpidruro(&fast, vpage, &host, fuzz_take(in, 4));
		pv_vcpu_fast_tpidruro(v, host.tpidruro, 1);
		break;
	case 7:
		val = fuzz_take(in, 1);
		pv_vcpu_set_lines(v, val & 1, val & 2);
		break;
	case 8: {
		struct pv_exit ex;

		pv_vcpu_poll(v, &ex);
		v->stop = PV_STOP_NONE;
		v->wfi = false;
		resume(v);
		break;
	}
	case 10: { /* a PTE of the user table (the fast return's prefill) */
		uint32_t e = fuzz_take(in, 4), at = PT_L2 + 4u * fuzz_take(in, 1);
		uint32_t old;

		memcpy(&old, fake_backend_ram(&fb, at), 4);
		/* Mostly guest RAM, with any attribute bits; else anywhere. */
		if (!(e & 0x80000000u))
			e = (RAM0 + (e & 0x00fff000u)) | (e & 0xfffu);
		wr_guest(at, e);
		if (verbose)
			fprintf(stderr, "  PTE at %08x = %08x (was %08x)\n", at, e, old);
		/* An empty entry needs no TLB maintenance (no TLB holds a
		 * fault), which is what the prefill relies on; others do. */
		if (old)
			pv_shadow_tlbi(v, PV_TLBI_ALL, 0);
		tables_dirty = true;
		break;
	}
	default: { /* a guest L1 entry of the kernel, the area or user */
		static const uint32_t mib[] = { KVA >> 20, AREA_VA >> 20, USER_VA >> 20,
						(CODE_VA >> 20) };
		uint32_t e = fuzz_take(in, 4), i = fuzz_take(in, 1) % 4;

		wr_guest(L1 + 4u * mib[i], (e & 0x000fffeeu) | (RAM0 & 0xfff00000u) | 2u);
		if (verbose)
			fprintf(stderr, "  L1[%03x] = %08x\n", mib[i],
				(e & 0x000fffeeu) | (RAM0 & 0xfff00000u) | 2u);
		/* and its TLB maintenance: stale entries are the architecture's
		 * to allow, and the engine's checker compares with the tables */
		pv_shadow_tlbi(v, PV_TLBI_ALL, 0);
		tables_dirty = true;
		break;
	}
	}
	if (!pv_mode_is_valid(v->cpsr & PV_PSR_M_MASK))
		fail("invalid guest mode after a step");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct pv_vcpu *v;
	uint32_t setup = fuzz_take(&in, 4);

	if (!vm) {
		vpage = aligned_alloc(4096, 4096);
		vm = calloc(1, sizeof(*vm));
		if (!vpage || !vm || fake_backend_setup(&fb, &cfg))
			fail("set-up");
		verbose = getenv("FUZZ_PVPATH_VERBOSE") != NULL;
		fb.window_l1[0] |= WIN_DOMAIN << 5;
		file_hdr();
		cfg.stubs = &stubs;
		cfg.vcpu_pages.hva = pv_hva_from_ptr(vpage);
		cfg.vcpu_pages.hpa = pv_hpa(VPAGE_HPA);
		cfg.vcpu_pages.size = 4096;
	}
	/* What the steps write: the tables, the code page, the stub area. */
	memset(fake_backend_ram(&fb, RAM0), 0, 0x30000u);
	memset(fake_backend_ram(&fb, TO_PA(AREA_VA)), 0, 0x4000u);
	memset(vpage, 0, 4096);
	memset(&host, 0, sizeof(host));
	host.clean = clean_word;
	checked_key = UINT64_MAX;
	if (pv_vm_init(vm, &cfg))
		fail("vm init");
	v = &vm->vcpu[0];
	if (pv_vcpu_set_fast(v, &fast))
		fail("set_fast");
	/* Linux's linear map in sections (the area XN), one user section. */
	for (uint32_t i = 0; i < 16; i++)
		wr_guest(L1 + 4u * ((KVA >> 20) + i), (RAM0 + (i << 20)) | 1u << 10 |
			 ((KVA + (i << 20)) == AREA_VA ? 1u << 4 : 0) | 2u);
	wr_guest(L1 + 4u * (USER_VA >> 20), (RAM0 + 0xf00000u) | 3u << 10 | 2u);
	wr_guest(L1 + 4u * (PT_VA >> 20), PT_L2 | 1u);
	v->cp15.sctlr = PV_SCTLR_M | ((setup & 1) ? PV_SCTLR_V : 0);
	v->cp15.ttbr0 = L1;
	v->cp15.dacr = (setup & 2) ? 0x55555555u : 0x55555551u;
	v->cp15.contextidr = (setup >> 8) & 0xff;
	v->cp15.tpidruro = setup;
	pv_vcpu_write_cpsr(v, ((setup & 4) ? PV_MODE_USR : PV_MODE_SVC) |
				      PV_PSR_I | PV_PSR_F);
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_ALL);
	v->r[13] = 0xc0f00000u;
	v->r[14] = USER_VA + 0x40u;
	v->r[15] = (setup & 4) ? USER_VA : CODE_VA;
	wr_guest(TO_PA(CODE_VA + 0x100u), PV_FAST_ERET_WORD);
	resume(v);
	for (unsigned n = 0; n < MAX_STEPS && in.n; n++)
		step(&in, v);
	tables_dirty = true;
	isolation();
	return 0;
}
