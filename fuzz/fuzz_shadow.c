/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: guest page tables plus a sequence of operations
 * (descriptor writes with the maintenance the architecture requires,
 * accesses at both privileges, CP15 writes, TLB maintenance, mode
 * switches), with the shadow isolation invariant asserted after every step.
 *
 * Input: a list of records, each an opcode byte followed by its operands.
 * Descriptor values come from the input unconstrained (any PA, any type),
 * except that page-table pointers are folded into the guest's L2 area so
 * that walks go somewhere interesting.
 *
 * Half the inputs run four vCPUs on the same tables, each operation on the
 * vCPU its opcode byte names: shared spaces, per-vCPU rights in them
 * (judge_vcpu()) and eviction that spares other vCPUs' current spaces.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "fake_backend.h"

/* A window of whole MiBs, the simplest case; the default ends below the
 * guest vector page (PV_DEFAULT_WINDOW_SIZE), tested separately. */
#define WHOLE_MIB_WINDOW 0x00100000u

#define L1A (FAKE_RAM_BASE + 0x0000u)
#define L1B (FAKE_RAM_BASE + 0x4000u)
#define L2T (FAKE_RAM_BASE + 0x8000u)
#define NL2 16
#define RAM1 0x20000000u
#define RAM1_SIZE 0x180000u

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm vm;
static uint8_t *ram1;

static const uint32_t mibs[16] = {
	0x000, 0x001, 0x00f, 0x100, 0x101, 0x200, 0x201, 0x7ff,
	0x800, 0xbff, 0xc00, 0xc01, 0xc0f, 0xfef, 0xffe, 0xfff,
};

struct in {
	const uint8_t *p;
	size_t n;
};

static uint32_t take(struct in *in, unsigned bytes)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		v = v << 8 | (in->n ? *in->p : 0);
		if (in->n) {
			in->p++;
			in->n--;
		}
	}
	return v;
}

static uint32_t *gptr(uint32_t gpa)
{
	return fake_backend_ram(&fb, gpa);
}

/* Whether entry @mib of the L1 table at @l1 is a page table at @l2. */
static bool links(uint32_t l1, uint32_t mib, uint32_t l2)
{
	uint32_t d = gptr(l1)[mib];

	return (d & 3) == 1 && (d & 0xfffffc00u) == l2;
}

static void check(const char *after)
{
	long stale;

	if (pv_shadow_check_isolation(&vm)) {
		fprintf(stderr, "isolation invariant broken after %s\n", after);
		abort();
	}
	/* Every table byte written is cleaned before the guest could run. */
	stale = fake_backend_walker_stale(&fb, &vm);
	if (stale >= 0) {
		fprintf(stderr, "pool offset %#lx written, not cleaned, after %s\n",
			(unsigned long)stale, after);
		abort();
	}
}

static void access(struct pv_vcpu *v, uint32_t va, unsigned acc)
{
	enum pv_shadow_outcome oc;
	struct pv_fault f;
	struct pv_resume rs;
	int err;

	err = pv_shadow_fault(v, pv_gva(va), acc, &oc, &f);
	if (err && err != PV_EWINDOW) {
		fprintf(stderr, "pv_shadow_fault: %d\n", err);
		abort();
	}
	pv_shadow_resume(v, &rs);
	if ((pv_hpa_val(rs.ttbr0) & ~0x3fffull) < fb.pool_hpa ||
	    (pv_hpa_val(rs.ttbr0) & ~0x3fffull) >= fb.pool_hpa + FAKE_POOL_SIZE ||
	    ((rs.dacr & (rs.dacr >> 1)) & 0x55555555u))
		abort(); /* root outside the pool, or a host Manager domain */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct in in = { data, size };
	struct pv_vcpu *v;
	static const struct pv_mmio_ops none;

	if (!ready) {
		if (fake_backend_setup(&fb, &cfg))
			abort();
		ram1 = calloc(1, RAM1_SIZE);
		cfg.ram[1].gpa = pv_gpa(RAM1);
		cfg.ram[1].size = RAM1_SIZE;
		cfg.ram[1].hva = pv_hva_from_ptr(ram1);
		cfg.ram[1].hpa = pv_hpa(0x50004000u);
		cfg.ram_count = 2;
		cfg.board = fake_backend_wide_board();
		ready = true;
	}
	/* A small pool half the time: eviction and reclaim paths. */
	cfg.shadow_pool.size = size && (data[0] & 1) ? PV_SHADOW_POOL_MIN : 256u * 1024u;
	/* And a window that leaves the top 128 KiB of its MiB to the guest. */
	cfg.window_size = size && (data[0] & 2) ? 0xe0000u : WHOLE_MIB_WINDOW;
	cfg.num_vcpus = size && (data[0] & 4) ? PV_MAX_VCPUS : 1;
	memset(gptr(L1A), 0, 0x8000 + NL2 * 1024);
	if (pv_vm_init(&vm, &cfg))
		abort();
	(void)none;
	for (unsigned i = 0; i < cfg.num_vcpus; i++) {
		v = &vm.vcpu[i];
		v->cp15.sctlr = 1;
		v->cp15.ttbr0 = L1A;
		v->cp15.ttbr1 = L1B;
		v->cp15.dacr = 0x55555555u;
		v->cp15.contextidr = 1;
		pv_shadow_ctx_changed(v, ~0u);
	}
	check("init");
	while (in.n) {
		unsigned opb = take(&in, 1), op = opb % 8;
		uint32_t a, b;

		v = &vm.vcpu[(opb >> 3) % cfg.num_vcpus];

		switch (op) {
		case 0: { /* L1 descriptor write, then TLBIALL */
			a = take(&in, 1);
			b = take(&in, 4);
			if ((b & 3) == 1)
				b = (L2T + (b >> 10) % NL2 * 1024) | (b & 0x1e0u) | 1;
			gptr(a & 0x80 ? L1B : L1A)[mibs[a & 15]] = b;
			pv_shadow_tlbi(v, PV_TLBI_ALL, 0);
			check("L1 write");
			break;
		}
		case 1: { /* L2 descriptor write, then TLBIMVAA over its 64 KiB */
			uint32_t t;

			a = take(&in, 2);
			b = take(&in, 4);
			t = L2T + (a >> 8) % NL2 * 1024;
			gptr(t)[a & 0xff] = b;
			/*
			 * In every MiB an L1 entry links to the table: TLB entries
			 * of the others cannot come from it (each L1 write above
			 * ends with TLBIALL), so this is all the maintenance the
			 * architecture asks for.
			 */
			for (unsigned i = 0; i < 16; i++) {
				if (!links(L1A, mibs[i], t) && !links(L1B, mibs[i], t))
					continue;
				for (uint32_t p = 0; p < 16; p++)
					pv_shadow_tlbi(v, PV_TLBI_MVAA,
						       mibs[i] << 20 | ((a & 0xf0u) + p) << 12);
			}
			check("L2 write");
			break;
		}
		case 2:
		case 3: { /* an access */
			static const unsigned accs[4] = { PV_ACC_READ, PV_ACC_WRITE,
							  PV_ACC_EXEC, PV_ACC_READ };
			a = take(&in, 1);
			b = take(&in, 2);
			access(v, (a & 0x40 ? 0xfffe0000u : mibs[a & 15] << 20) | b << 4,
			       accs[(a >> 4) & 3]);
			check("access");
			break;
		}
		case 4: { /* CP15 write */
			static const unsigned what[8] = {
				PV_SHADOW_CTX_SCTLR, PV_SHADOW_CTX_TTBR0,
				PV_SHADOW_CTX_TTBR1, PV_SHADOW_CTX_TTBCR,
				PV_SHADOW_CTX_DACR, PV_SHADOW_CTX_CONTEXTIDR,
				PV_SHADOW_CTX_PRRR_NMRR, PV_SHADOW_CTX_DACR,
			};
			a = take(&in, 1) % 8;
			b = take(&in, 4);
			switch (a) {
			case 0: v->cp15.sctlr = b & (1u | 1u << 28 | 1u << 29); break;
			case 1: v->cp15.ttbr0 = b & 1 ? L1A : L1B; break;
			case 2: v->cp15.ttbr1 = b & 1 ? L1A : L1B; break;
			case 3: v->cp15.ttbcr = b & 0x37; break;
			case 4: v->cp15.dacr = b; break;
			case 5: v->cp15.contextidr = b; break;
			case 6: v->cp15.prrr = b; v->cp15.nmrr = ~b; break;
			default: v->cp15.dacr ^= 1u << 2; break; /* PAN toggle */
			}
			pv_shadow_ctx_changed(v, what[a]);
			check("CP15 write");
			break;
		}
		case 5: /* TLB maintenance */
			a = take(&in, 1) % 4;
			b = take(&in, 4);
			pv_shadow_tlbi(v, (enum pv_tlbi)a, b);
			check("TLBI");
			break;
		default: /* guest mode switch */
			v->cpsr = (v->cpsr & ~0x1fu) |
				  (take(&in, 1) & 1 ? PV_MODE_USR : PV_MODE_SVC);
			pv_shadow_ctx_changed(v, PV_SHADOW_CTX_MODE);
			check("mode switch");
			break;
		}
	}
	return 0;
}
