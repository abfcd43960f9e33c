/* SPDX-License-Identifier: MIT */
/*
 * A program outside the tree: it sees only the installed API (pkg-config
 * pvcore, <pvcore/pvcore.h>) and links the installed libpvcore.so. It
 * brings its own minimal backend on malloc'ed memory, builds a VM in
 * caller storage and drives two guest instructions through
 * pv_vcpu_handle_trap(): an MRC of MIDR, then HVC #0 with PV_HC_EXIT.
 * tests/consumer/run.py builds and runs it.
 */
#include <pvcore/pvcore.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RAM_SIZE (1u << 20)
#define POOL_SIZE (1u << 20)

#define INSN_MRC_MIDR 0xee100f10u /* mrc p15, 0, r0, c0, c0, 0 */
#define INSN_HVC0 0xe1400070u     /* hvc #0 */
#define CORTEX_A9_R2P10 0x412fc09au

struct backend {
	unsigned char *ram;
	unsigned char *pool;
	uint32_t window_l1[1];
	uint64_t now;
	uint64_t deadline;
	unsigned tlb_ops, cache_cleans;
	size_t console_bytes;
};

static int failures;

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "consumer: %s:%d: check failed: %s\n", \
				__FILE__, __LINE__, #cond);                \
			failures++;                                        \
		}                                                          \
	} while (0)

static void b_tlb_all(void *ctx) { ((struct backend *)ctx)->tlb_ops++; }

static void b_tlb_asid(void *ctx, uint8_t asid)
{
	(void)asid;
	((struct backend *)ctx)->tlb_ops++;
}

static void b_tlb_va(void *ctx, pv_gva_t va, uint8_t asid)
{
	(void)va;
	(void)asid;
	((struct backend *)ctx)->tlb_ops++;
}

static void b_cache_clean(void *ctx, pv_hva_t va, size_t len)
{
	(void)va;
	(void)len;
	((struct backend *)ctx)->cache_cleans++;
}

static void b_icache(void *ctx) { (void)ctx; }

static uint64_t b_now(void *ctx) { return ((struct backend *)ctx)->now; }

static void b_timer_set(void *ctx, uint64_t deadline_ns)
{
	((struct backend *)ctx)->deadline = deadline_ns;
}

static void b_console_write(void *ctx, const uint8_t *buf, size_t len)
{
	((struct backend *)ctx)->console_bytes += len;
	fwrite(buf, 1, len, stdout);
}

static int b_console_read(void *ctx)
{
	(void)ctx;
	return -1;
}

static int b_irq_route(void *ctx, unsigned host_irq, bool enable)
{
	(void)ctx;
	(void)enable;
	return host_irq < 1024 ? 0 : PV_ERANGE;
}

static void b_log(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "pvcore: %s\n", line);
}

static const struct pv_backend_ops backend_ops = {
	.tlb_inval_all = b_tlb_all,
	.tlb_inval_asid = b_tlb_asid,
	.tlb_inval_va = b_tlb_va,
	.cache_clean_range = b_cache_clean,
	.icache_inval_all = b_icache,
	.now_ns = b_now,
	.timer_set = b_timer_set,
	.console_write = b_console_write,
	.console_read = b_console_read,
	.irq_route = b_irq_route,
	.log = b_log,
};

static pv_vm_storage_t vm_storage;

static void put_insn(struct backend *b, uint32_t gpa, uint32_t insn)
{
	memcpy(b->ram + (gpa - PV_BOARD_RAM_BASE), &insn, sizeof(insn));
}

/* The backend's half of one UNDEF trap at @pc. */
static int undef_trap(struct pv_vcpu *vcpu, uint32_t pc, struct pv_exit *exit)
{
	struct pv_trap trap = { .kind = PV_TRAP_UNDEF, .host_cpsr = 0x10 };

	pv_vcpu_regs(vcpu)[15] = pc;
	memset(exit, 0xa5, sizeof(*exit));
	return pv_vcpu_handle_trap(vcpu, &trap, exit);
}

int main(void)
{
	struct backend b = { .deadline = PV_TIMER_NEVER };
	struct pv_vm_config cfg;
	struct pv_vm *vm = pv_vm_of(&vm_storage);
	struct pv_vcpu *vcpu;
	struct pv_exit exit;
	struct pv_resume resume;
	uint32_t *r;
	int err;

	CHECK(pv_vm_storage_size() > 0);
	CHECK(pv_vm_storage_size() <= PV_VM_STORAGE_SIZE);
	CHECK(pv_board_check(&pv_board_default) == 0);
	CHECK(pv_board_find(&pv_board_default, PV_DEV_GIC_DIST) != NULL);
	CHECK(strcmp(pv_trap_reason_name(PV_TR_CP15_READ), "cp15-read") == 0);
	CHECK(pv_strerror(PV_EINVAL) != NULL);

	b.ram = aligned_alloc(1u << 20, RAM_SIZE);
	b.pool = aligned_alloc(16384, POOL_SIZE);
	if (!b.ram || !b.pool) {
		fprintf(stderr, "consumer: out of memory\n");
		return 1;
	}
	memset(b.ram, 0, RAM_SIZE);
	memset(b.pool, 0, POOL_SIZE);
	/* The VMM window: one PL1-only section (AP=01), as a backend maps it. */
	b.window_l1[0] = 0x3f800000u | (1u << 10) | 0x2u;

	memset(&cfg, 0, sizeof(cfg));
	cfg.ops = &backend_ops;
	cfg.ctx = &b;
	cfg.board = &pv_board_default;
	cfg.ram[0].gpa = pv_gpa(PV_BOARD_RAM_BASE);
	cfg.ram[0].size = RAM_SIZE;
	cfg.ram[0].hva = pv_hva_from_ptr(b.ram);
	cfg.ram[0].hpa = pv_hpa(0x40000000u);
	cfg.ram_count = 1;
	cfg.shadow_pool.hva = pv_hva_from_ptr(b.pool);
	cfg.shadow_pool.hpa = pv_hpa(0x3f000000u);
	cfg.shadow_pool.size = POOL_SIZE;
	cfg.window_base = PV_DEFAULT_WINDOW_BASE;
	cfg.window_size = PV_DEFAULT_WINDOW_SIZE;
	cfg.window_l1 = b.window_l1;
	cfg.num_vcpus = 1;

	err = pv_vm_init(vm, &cfg);
	if (err) {
		fprintf(stderr, "consumer: pv_vm_init: %s (%d)\n",
			pv_strerror(err), err);
		return 1;
	}
	vcpu = pv_vm_vcpu(vm, 0);
	CHECK(vcpu != NULL);
	CHECK(pv_vm_vcpu(vm, 1) == NULL);
	if (!vcpu)
		return 1;
	CHECK(pv_vcpu_id(vcpu) == 0);
	r = pv_vcpu_regs(vcpu);

	/* The guest: MRC of MIDR, then HVC #0 asking to exit with status 7. */
	put_insn(&b, PV_BOARD_RAM_BASE, INSN_MRC_MIDR);
	put_insn(&b, PV_BOARD_RAM_BASE + 4, INSN_HVC0);
	{
		/* pv_vm_load() of the same bytes must agree. */
		uint32_t words[2] = { INSN_MRC_MIDR, INSN_HVC0 };

		CHECK(pv_vm_load(vm, pv_gpa(PV_BOARD_RAM_BASE), words,
				 sizeof(words)) == 0);
		CHECK(pv_vm_load(vm, pv_gpa(PV_BOARD_RAM_BASE + RAM_SIZE - 4),
				 words, sizeof(words)) == PV_ERANGE);
	}

	r[0] = 0xdeadbeefu;
	err = undef_trap(vcpu, PV_BOARD_RAM_BASE, &exit);
	CHECK(err == 0);
	CHECK(exit.action == PV_ACTION_RESUME);
	CHECK(exit.reason == PV_TR_CP15_READ);
	CHECK(exit.insn == INSN_MRC_MIDR);
	CHECK(r[0] == CORTEX_A9_R2P10);
	CHECK(r[15] == PV_BOARD_RAM_BASE + 4);
	CHECK(pv_vm_trap_count(vm, PV_TR_CP15_READ) == 1);
	pv_vcpu_resume_state(vcpu, &resume);
	CHECK((resume.host_cpsr & 0x1fu) == 0x10u);

	r[0] = PV_HC_EXIT;
	r[1] = 7;
	err = undef_trap(vcpu, PV_BOARD_RAM_BASE + 4, &exit);
	CHECK(err == 0);
	CHECK(exit.action == PV_ACTION_STOP);
	CHECK(exit.stop == PV_STOP_HYPERCALL);
	CHECK(exit.code == 7);
	CHECK(exit.reason == PV_TR_HYPERCALL);
	CHECK(pv_vm_trap_count(vm, PV_TR_HYPERCALL) == 1);
	CHECK(pv_vm_trap_count(vm, PV_TR_CP15_READ) == 1);

	{
		struct pv_trace_entry t;

		CHECK(pv_vm_trace(vm, 0, &t) == 0);
		CHECK(t.reason == PV_TR_HYPERCALL);
		CHECK(pv_vm_trace(vm, 1, &t) == 0);
		CHECK(t.reason == PV_TR_CP15_READ && t.pc == PV_BOARD_RAM_BASE);
	}

	free(b.ram);
	free(b.pool);
	if (failures) {
		fprintf(stderr, "consumer: %d check(s) failed\n", failures);
		return 1;
	}
	printf("consumer: OK (MIDR 0x%08x, exit %d, VM storage %zu of %u bytes)\n",
	       (unsigned)CORTEX_A9_R2P10, (int)exit.code, pv_vm_storage_size(),
	       PV_VM_STORAGE_SIZE);
	return 0;
}
