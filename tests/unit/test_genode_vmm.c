/* SPDX-License-Identifier: MIT */
/*
 * pv_vmm's backend (backends/genode/src/server/pv_vmm/vmm_backend.c): the
 * VM's configuration from what the PV VM session gave the component, and
 * pvcore's operations routed to the table log and to a stand-in for the
 * component's Genode sessions. The kernel's side is the real one
 * (table_check.c): every log the backend writes must replay into a copy
 * equal to the VMM's tables. And the kernel's state of the VM
 * (kernel_vm.c): the session's calls in order, what it refuses, and a VM
 * that stays broken once a log or a run half was refused.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "kernel_vm.h"
#include "table_check.h"
#include "table_files.h"
#include "vm_exit.h"
#include "vmm_backend.h"

#define RAM_PHYS 0x40000000ull
#define COPY_PHYS 0x4f000000ull
#define POOL_SIZE (256u * 1024u)
#define KVA 0xc0000000u
#define IMG_VA (KVA + 0x8000u)
#define IMG_SIZE 0x4000u

/* ---- a stand-in for the Timer, Terminal, Log and PV VM sessions ---- */

struct sessions {
	uint64_t now, deadline;
	unsigned timer_sets, icache, logs;
	uint8_t out[64];
	size_t out_len;
	const char *in;
	const char *last_log;
};

static uint64_t s_now(void *ctx) { return ((struct sessions *)ctx)->now; }

static void s_timer_set(void *ctx, uint64_t d)
{
	struct sessions *s = ctx;

	s->deadline = d;
	s->timer_sets++;
}

static void s_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct sessions *s = ctx;

	ck_assert_uint_le(s->out_len + len, sizeof(s->out));
	memcpy(s->out + s->out_len, buf, len);
	s->out_len += len;
}

static int s_read(void *ctx)
{
	struct sessions *s = ctx;

	return s->in && *s->in ? (uint8_t)*s->in++ : -1;
}

static void s_log(void *ctx, const char *line)
{
	struct sessions *s = ctx;

	s->logs++;
	s->last_log = line;
}

static void s_icache(void *ctx) { ((struct sessions *)ctx)->icache++; }

static struct sessions ses;
static struct pv_genode_host host;

/* ---- the component's memory and the kernel's side ---- */

static struct pv_genode_config conf;
static struct pv_genode_memory mem;
static struct pv_genode_table_log *log_page;
static struct pv_genode_vmm g;
static struct pv_vm_config cfg;
static struct pv_vm *vm;
static uint32_t window_l1[1];
static struct pv_genode_walker w;
static bool walker_ready;
static uint32_t *copy;
static struct pv_shadow_layout lay;
static struct pv_genode_frames frames[1];
static unsigned replays;

static void k_all(void *ctx) { (void)ctx; }
static void k_asid(void *ctx, uint8_t a) { (void)ctx; (void)a; }
static void k_va(void *ctx, uint32_t va, uint8_t a) { (void)ctx; (void)va; (void)a; }
static const struct pv_genode_tlb_ops kernel_tlb = { k_all, k_asid, k_va };

/* The session's replay call, as main.cc would make it. */
static void replay(void *ctx)
{
	(void)ctx;
	replays++;
	if (walker_ready)
		ck_assert_int_eq(pv_genode_walker_apply(&w, log_page, &kernel_tlb,
							NULL), 0);
}

static const char *no_attr(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return NULL;
}

static void setup(void)
{
	char why[128];

	memset(&ses, 0, sizeof(ses));
	host = (struct pv_genode_host){ s_now, s_timer_set, s_write, s_read,
					s_log, s_icache, &ses };
	ck_assert_int_eq(pv_genode_config_parse(no_attr, NULL, &conf, why,
						sizeof(why)), 0);
	log_page = aligned_alloc(4096, sizeof(*log_page));
	ck_assert_ptr_nonnull(log_page);
	/* A PL1-only section (AP=01) for the window, as the kernel's. */
	window_l1[0] = 0x3f800000u | 1u << 10 | 2u;
	mem = (struct pv_genode_memory){
		.ram = calloc(1, (size_t)conf.ram_mib << 20),
		.ram_size = (size_t)conf.ram_mib << 20,
		.ram_phys = RAM_PHYS,
		.pool = aligned_alloc(16384, POOL_SIZE),
		.pool_size = POOL_SIZE,
		.copy_phys = COPY_PHYS,
		.log_page = log_page,
		.window_base = PV_DEFAULT_WINDOW_BASE,
		.window_size = PV_DEFAULT_WINDOW_SIZE,
		.window_l1 = window_l1,
		.asid_first = 32, .asid_last = 63,
	};
	ck_assert_ptr_nonnull(mem.ram);
	ck_assert_ptr_nonnull(mem.pool);
	vm = calloc(1, sizeof(*vm));
	ck_assert_ptr_nonnull(vm);
	copy = aligned_alloc(16384, POOL_SIZE);
	ck_assert_ptr_nonnull(copy);
	walker_ready = false;
	replays = 0;
}

static void teardown(void)
{
	free(mem.ram);
	free(mem.pool);
	free(log_page);
	free(copy);
	free(vm);
}

/* The VM up, and the kernel's session created on its geometry. */
static void vm_up(void)
{
	char why[128];

	ck_assert_int_eq(pv_genode_vmm_config(&g, &conf, &mem, &host, replay,
					      NULL, &cfg, why, sizeof(why)), 0);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	ck_assert_int_eq(pv_vm_shadow_layout(vm, &lay), 0);
	frames[0].pa = RAM_PHYS;
	frames[0].size = (uint64_t)conf.ram_mib << 20;
	ck_assert_int_eq(pv_genode_walker_init(&w, mem.pool, copy, COPY_PHYS,
					       POOL_SIZE, &lay, frames, 1,
					       mem.window_base, mem.window_size,
					       mem.window_l1), 0);
	walker_ready = true;
	pv_genode_log_flush(&g.log);
}

static bool copy_equals_pool(void)
{
	const uint8_t *pool = mem.pool, *c = (const uint8_t *)copy;

	return !memcmp(c + lay.roots_off, pool + lay.roots_off, lay.roots_size) &&
	       !memcmp(c + lay.l2_off, pool + lay.l2_off, lay.l2_size);
}

START_TEST(config_describes_what_the_session_gave)
{
	setup();
	vm_up();
	ck_assert_ptr_eq(cfg.ops, &pv_genode_backend_ops);
	ck_assert_ptr_eq(cfg.ctx, &g);
	ck_assert_ptr_eq(cfg.board, &pv_board_default);
	ck_assert_uint_eq(cfg.ram_count, 1);
	ck_assert_uint_eq(pv_gpa_val(cfg.ram[0].gpa), pv_board_default.ram_base);
	ck_assert_uint_eq(cfg.ram[0].size, conf.ram_mib << 20);
	ck_assert_uint_eq(pv_hpa_val(cfg.ram[0].hpa), RAM_PHYS);
	ck_assert_ptr_eq(pv_hva_ptr(cfg.ram[0].hva), mem.ram);
	/* pvcore writes its own pool and names the kernel's copy. */
	ck_assert_ptr_eq(pv_hva_ptr(cfg.shadow_pool.hva), mem.pool);
	ck_assert_uint_eq(pv_hpa_val(cfg.shadow_pool.hpa), COPY_PHYS);
	ck_assert_uint_eq(cfg.asid_first, 32);
	ck_assert_uint_eq(cfg.asid_last, 63);
	ck_assert_uint_eq(cfg.num_vcpus, conf.vcpus);
	/* A dataspace of the guest's RAM alone has no vCPU page. */
	ck_assert_uint_eq(cfg.vcpu_pages.size, 0);
	/* pv_vm_init()'s clean of the whole pool went to the log, and the
	 * kernel accepted its replay: the copy is the VMM's tables. */
	ck_assert_uint_ge(replays, 1);
	ck_assert_uint_eq(log_page->count, 0);
	ck_assert(!w.broken);
	ck_assert(copy_equals_pool());
	teardown();
}
END_TEST

/* The guest kernel's linear map, and vCPU 0 on it with the MMU on. */
static struct pv_vcpu *guest_mmu_on(void)
{
	struct pv_vcpu *v = pv_vm_vcpu(vm, 0);
	uint32_t *l1 = (uint32_t *)((uint8_t *)mem.ram + 0x4000u);

	for (uint32_t i = 0; i < 8; i++)
		l1[(KVA >> 20) + i] = (pv_board_default.ram_base + (i << 20)) |
				      1u << 10 | 2u;
	v->cp15.sctlr = PV_SCTLR_M;
	v->cp15.ttbr0 = pv_board_default.ram_base + 0x4000u;
	v->cp15.dacr = 0x55555555u;
	v->cp15.contextidr = 1;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_ALL);
	return v;
}

/* A guest kernel mapping filled by pvcore reaches the copy, checked. */
START_TEST(fills_reach_the_kernels_copy)
{
	struct pv_vcpu *v;
	struct pv_resume rs;
	enum pv_shadow_outcome oc;
	struct pv_fault f;
	uint64_t before;

	setup();
	vm_up();
	v = guest_mmu_on();
	before = g.log.records;
	for (uint32_t i = 0; i < 8; i++)
		ck_assert_int_eq(pv_shadow_fault(v, pv_gva(KVA + (i << 20) + 0x40u),
						 PV_ACC_READ, &oc, &f), 0);
	ck_assert_uint_gt(g.log.records, before);
	pv_vcpu_resume_state(v, &rs);
	pv_genode_log_flush(&g.log);
	ck_assert(!w.broken);
	ck_assert(copy_equals_pool());
	/* The root the vCPU resumes on is in the copy, at the copy's address,
	 * and names the guest's RAM by its physical address. */
	ck_assert_uint_ge(pv_hpa_val(rs.ttbr0) & ~0x3fffull, COPY_PHYS);
	ck_assert_uint_lt(pv_hpa_val(rs.ttbr0) & ~0x3fffull, COPY_PHYS + POOL_SIZE);
	ck_assert_uint_eq(copy[(pv_hpa_val(rs.ttbr0) - COPY_PHYS + 4u * (KVA >> 20)) / 4] &
			  0xfff00000u, RAM_PHYS);
	ck_assert_uint_ge(rs.asid, 32);
	ck_assert_uint_le(rs.asid, 63);
	teardown();
}
END_TEST

START_TEST(operations_reach_the_sessions_and_the_log)
{
	static const uint8_t hello[] = "hello";
	const struct pv_genode_log_rec *r;
	uint32_t n;

	setup();
	vm_up();
	ses.now = 12345;
	ck_assert_uint_eq(cfg.ops->now_ns(cfg.ctx), 12345);
	cfg.ops->timer_set(cfg.ctx, 99999);
	ck_assert_uint_eq(ses.deadline, 99999);
	ck_assert_uint_eq(ses.timer_sets, 1);
	cfg.ops->console_write(cfg.ctx, hello, 5);
	ck_assert_uint_eq(ses.out_len, 5);
	ck_assert_mem_eq(ses.out, hello, 5);
	ck_assert_uint_eq(g.console_bytes, 5);
	ses.in = "x";
	ck_assert_int_eq(cfg.ops->console_read(cfg.ctx), 'x');
	ck_assert_int_eq(cfg.ops->console_read(cfg.ctx), -1);
	cfg.ops->log(cfg.ctx, "a line");
	ck_assert_uint_eq(ses.logs, 1);
	ck_assert_str_eq(ses.last_log, "a line");
	cfg.ops->icache_inval_all(cfg.ctx);
	ck_assert_uint_eq(ses.icache, 1);
	ck_assert_int_eq(cfg.ops->irq_route(cfg.ctx, 40, true), PV_EBACKEND);
	ck_assert_ptr_null(cfg.ops->kick);

	/* The TLB is the kernel's: records, in order. */
	n = log_page->count;
	cfg.ops->tlb_inval_va(cfg.ctx, pv_gva(0xc0001234u), 33);
	cfg.ops->tlb_inval_asid(cfg.ctx, 34);
	cfg.ops->tlb_inval_all(cfg.ctx);
	ck_assert_uint_eq(log_page->count, n + 3);
	r = &log_page->rec[n];
	ck_assert_uint_eq(r[0].op, PV_GENODE_LOG_TLB_VA);
	ck_assert_uint_eq(r[0].a, 0xc0001000u);
	ck_assert_uint_eq(r[0].b, 33);
	ck_assert_uint_eq(r[1].op, PV_GENODE_LOG_TLB_ASID);
	ck_assert_uint_eq(r[1].a, 34);
	ck_assert_uint_eq(r[2].op, PV_GENODE_LOG_TLB_ALL);
	/* A clean of guest RAM (a loaded Image) is not the log's. */
	cfg.ops->cache_clean_range(cfg.ctx, pv_hva_from_ptr(mem.ram), 4096);
	ck_assert_uint_eq(log_page->count, n + 3);
	/* One of the pool is. */
	cfg.ops->cache_clean_range(cfg.ctx, pv_hva_from_ptr(mem.pool), 4);
	ck_assert_uint_eq(log_page->count, n + 4);
	ck_assert_uint_eq(log_page->rec[n + 3].op, PV_GENODE_LOG_TABLES);
	teardown();
}
END_TEST

/* pvcore's Linux boot through this backend: the pieces go to RAM, the
 * kernel's instruction cache is invalidated, nothing goes to the log. */
START_TEST(linux_boot_through_the_backend)
{
	static uint32_t site_blob[16];
	static uint8_t image[IMG_SIZE], dtb[256];
	struct pv_linux_tables lt;
	struct pv_linux_images im;
	uint32_t base = pv_board_default.ram_base, count;

	setup();
	memset(image, 0x5a, sizeof(image));
	memset(dtb, 0xd7, sizeof(dtb));
	im = (struct pv_linux_images){
		.image = image, .image_size = sizeof(image),
		.sites = site_blob,
		.sites_size = tf_site_file(site_blob, NULL, 0, IMG_VA, IMG_SIZE),
		.dtb = dtb, .dtb_size = sizeof(dtb),
		.kernel_gpa = pv_gpa(base + 0x8000u),
		.dtb_gpa = pv_gpa(base + 0x03ff0000u),
	};
	ck_assert_int_eq(pv_genode_vmm_config(&g, &conf, &mem, &host, replay,
					      NULL, &cfg, NULL, 0), 0);
	ck_assert_int_eq(pv_linux_config(&lt, &im, &cfg, NULL), 0);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	pv_genode_log_flush(&g.log);
	count = log_page->count;
	ck_assert_int_eq(pv_linux_load(vm, &im, NULL), 0);
	ck_assert_uint_eq(ses.icache, 1);
	ck_assert_uint_eq(log_page->count, count);
	ck_assert_mem_eq((uint8_t *)mem.ram + 0x8000u, image, sizeof(image));
	ck_assert_mem_eq((uint8_t *)mem.ram + 0x03ff0000u, dtb, sizeof(dtb));
	ck_assert_uint_eq(pv_vcpu_regs(pv_vm_vcpu(vm, 0))[15], base + 0x8000u);
	teardown();
}
END_TEST

/* ---- the kernel's state of the VM (kernel_vm.c) ---- */

#define TTBR_ATTRS 0x4au /* IRGN, RGN: the kernel's walk attributes */

static struct pv_genode_kvm kvm;
static unsigned kvm_replays;

static void kvm_replay(void *ctx)
{
	(void)ctx;
	kvm_replays++;
	ck_assert_int_eq(pv_genode_kvm_replay(&kvm, log_page, &kernel_tlb, NULL), 0);
}

static struct pv_genode_kvm_geometry geometry(void)
{
	struct pv_genode_kvm_geometry geo = {
		.window_base = mem.window_base, .window_size = mem.window_size,
		.window_l1 = { window_l1[0] },
		.asid_first = mem.asid_first, .asid_last = mem.asid_last,
		.ttbr_attrs = TTBR_ATTRS,
	};

	return geo;
}

/* A new VM with the RAM attached: the session's first two calls. */
static void kvm_ram(void)
{
	struct pv_genode_kvm_geometry geo = geometry();

	ck_assert_int_eq(pv_genode_kvm_create(&kvm, &geo), 0);
	ck_assert_int_eq(pv_genode_kvm_attach_ram(&kvm, RAM_PHYS,
						  (uint64_t)conf.ram_mib << 20), 0);
}

/*
 * After the RAM: the VMM's VM on the session, and the kernel's answer to
 * its table layout.
 */
static int kvm_tables(void)
{
	ck_assert_int_eq(pv_genode_vmm_config(&g, &conf, &mem, &host, kvm_replay,
					      NULL, &cfg, NULL, 0), 0);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	ck_assert_int_eq(pv_vm_shadow_layout(vm, &lay), 0);
	return pv_genode_kvm_init_tables(&kvm, mem.pool, copy, COPY_PHYS,
					 POOL_SIZE, &lay);
}

/* The session's calls in the order pv_vmm makes them. */
static void kvm_up(void)
{
	kvm_ram();
	ck_assert_int_eq(kvm_tables(), 0);
	pv_genode_log_flush(&g.log);
	ck_assert_uint_eq(kvm.phase, PV_GENODE_KVM_READY);
}

START_TEST(kernel_runs_what_pvcore_resumes)
{
	static struct pv_genode_vcpu_state state;
	struct pv_vcpu *v;
	struct pv_resume rs;
	enum pv_shadow_outcome oc;
	struct pv_fault f;

	setup();
	kvm_up();
	v = guest_mmu_on();
	for (unsigned round = 0; round < 3; round++) {
		for (uint32_t i = 0; i < 8; i++)
			ck_assert_int_eq(pv_shadow_fault(v, pv_gva(KVA + (i << 20) +
								   round * 0x1000u),
							 PV_ACC_READ, &oc, &f), 0);
		/* A switch of the guest's privilege: the other view. */
		pv_vcpu_write_cpsr(v, round & 1 ? PV_MODE_SVC : PV_MODE_USR);
		pv_vcpu_resume_state(v, &rs);
		ck_assert_int_eq(pv_genode_fill_run(v, &rs, &state), 0);
		ck_assert_int_eq(pv_genode_kvm_run(&kvm, log_page, &kernel_tlb, NULL,
						   &state), 0);
		/* The registers the kernel loads: pvcore's, with the kernel's
		 * own walk attributes on the root. */
		ck_assert_uint_eq(kvm.run.ttbr0 & ~0x3fffu,
				  (uint32_t)pv_hpa_val(rs.ttbr0) & ~0x3fffu);
		ck_assert_uint_eq(kvm.run.ttbr0 & 0x3fffu, TTBR_ATTRS);
		ck_assert_uint_eq(kvm.run.contextidr, rs.asid);
		ck_assert_uint_eq(kvm.run.dacr, rs.dacr);
		ck_assert_uint_eq(kvm.run.pc, pv_vcpu_regs(v)[15]);
		ck_assert(copy_equals_pool());
	}
	ck_assert_uint_eq(kvm.runs, 3);
	ck_assert_uint_ge(kvm.replays, 4);
	teardown();
}
END_TEST

START_TEST(kernel_takes_the_calls_in_order_only)
{
	struct pv_genode_kvm_geometry geo;
	static struct pv_genode_vcpu_state state;

	setup();
	geo = geometry();
	ck_assert_int_eq(pv_genode_kvm_create(&kvm, &geo), 0);
	ck_assert_int_eq(pv_genode_kvm_replay(&kvm, log_page, &kernel_tlb, NULL),
			 PV_EBUSY);
	ck_assert_int_eq(pv_genode_kvm_run(&kvm, log_page, &kernel_tlb, NULL,
					   &state), PV_EBUSY);
	ck_assert_int_eq(pv_genode_kvm_init_tables(&kvm, mem.pool, copy, COPY_PHYS,
						   POOL_SIZE, &lay), PV_EBUSY);
	ck_assert_uint_eq(kvm.phase, PV_GENODE_KVM_NEW);
	ck_assert_int_eq(pv_genode_kvm_attach_ram(&kvm, RAM_PHYS, 1u << 26), 0);
	ck_assert_int_eq(pv_genode_kvm_attach_ram(&kvm, RAM_PHYS, 1u << 26),
			 PV_EBUSY);
	ck_assert_int_eq(pv_genode_kvm_run(&kvm, log_page, &kernel_tlb, NULL,
					   &state), PV_EBUSY);
	ck_assert_uint_eq(kvm.phase, PV_GENODE_KVM_RAM);
	teardown();

	setup();
	kvm_up();
	ck_assert_int_eq(pv_genode_kvm_init_tables(&kvm, mem.pool, copy, COPY_PHYS,
						   POOL_SIZE, &lay), PV_EBUSY);
	ck_assert_uint_eq(kvm.phase, PV_GENODE_KVM_READY);
	teardown();
}
END_TEST

START_TEST(kernel_refuses_a_bad_geometry_ram_or_copy)
{
	struct pv_genode_kvm_geometry geo;
	uint32_t win_frame;

	setup();
	geo = geometry();
	geo.window_base += 0x1000u;
	ck_assert_int_eq(pv_genode_kvm_create(&kvm, &geo), PV_EINVAL);
	geo = geometry();
	geo.window_size = 0;
	ck_assert_int_eq(pv_genode_kvm_create(&kvm, &geo), PV_EINVAL);
	geo.window_size = 0x300000u;
	ck_assert_int_eq(pv_genode_kvm_create(&kvm, &geo), PV_EINVAL);
	geo.window_size = 0x800u;
	ck_assert_int_eq(pv_genode_kvm_create(&kvm, &geo), PV_EINVAL);
	geo = geometry();
	geo.asid_first = 0;
	ck_assert_int_eq(pv_genode_kvm_create(&kvm, &geo), PV_EINVAL);
	geo = geometry();
	geo.asid_last = (uint8_t)(geo.asid_first + PV_VM_MIN_ASIDS - 2);
	ck_assert_int_eq(pv_genode_kvm_create(&kvm, &geo), PV_EINVAL);
	geo.asid_last++;
	ck_assert_int_eq(pv_genode_kvm_create(&kvm, &geo), 0);

	ck_assert_int_eq(pv_genode_kvm_attach_ram(&kvm, RAM_PHYS, 0), PV_EINVAL);
	ck_assert_int_eq(pv_genode_kvm_attach_ram(&kvm, RAM_PHYS + 4, 1u << 20),
			 PV_EINVAL);
	ck_assert_int_eq(pv_genode_kvm_attach_ram(&kvm, 0xfff00000ull, 2u << 20),
			 PV_ERANGE);
	/* RAM over the window's own frame: a guest page there would be the
	 * kernel's vectors. */
	win_frame = window_l1[0] & 0xfff00000u;
	ck_assert_int_eq(pv_genode_kvm_attach_ram(&kvm, win_frame - 0x1000u,
						  0x2000u), PV_ERANGE);
	ck_assert_int_eq(pv_genode_kvm_attach_ram(&kvm, win_frame +
						  mem.window_size - 0x1000u,
						  0x1000u), PV_ERANGE);
	ck_assert_uint_eq(kvm.phase, PV_GENODE_KVM_NEW);
	/* The rest of a partial window's MiB is not the window's. */
	ck_assert_int_eq(pv_genode_kvm_attach_ram(&kvm, win_frame +
						  mem.window_size, 0x1000u), 0);
	teardown();

	/* A copy of the tables inside the VM's RAM: the guest would write
	 * its own tables. */
	setup();
	kvm_ram();
	ck_assert_int_eq(pv_genode_vmm_config(&g, &conf, &mem, &host, replay,
					      NULL, &cfg, NULL, 0), 0);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	ck_assert_int_eq(pv_vm_shadow_layout(vm, &lay), 0);
	ck_assert_int_eq(pv_genode_kvm_init_tables(&kvm, mem.pool, copy,
						   RAM_PHYS + 0x100000u, POOL_SIZE,
						   &lay), PV_ERANGE);
	ck_assert_int_eq(pv_genode_kvm_init_tables(&kvm, mem.pool, copy,
						   RAM_PHYS - 0x4000u, POOL_SIZE,
						   &lay), PV_ERANGE);
	ck_assert_int_eq(pv_genode_kvm_init_tables(&kvm, mem.pool, copy,
						   win_frame, POOL_SIZE, &lay),
			 PV_ERANGE);
	ck_assert_uint_eq(kvm.phase, PV_GENODE_KVM_RAM);
	ck_assert_int_eq(pv_genode_kvm_init_tables(&kvm, mem.pool, copy, COPY_PHYS,
						   POOL_SIZE, &lay), 0);
	teardown();
}
END_TEST

START_TEST(kernel_vm_stays_broken)
{
	static struct pv_genode_vcpu_state state;
	struct pv_vcpu *v;
	struct pv_resume rs;

	/* A forged log. */
	setup();
	kvm_up();
	log_page->magic ^= 1u;
	ck_assert_int_ne(pv_genode_kvm_replay(&kvm, log_page, &kernel_tlb, NULL), 0);
	ck_assert_uint_eq(kvm.phase, PV_GENODE_KVM_BROKEN);
	log_page->magic ^= 1u;
	ck_assert_int_eq(pv_genode_kvm_replay(&kvm, log_page, &kernel_tlb, NULL),
			 PV_ESTATE);
	ck_assert_int_eq(pv_genode_kvm_run(&kvm, log_page, &kernel_tlb, NULL,
					   &state), PV_ESTATE);
	teardown();

	/* A forged run half: the guest context in SVC mode. */
	setup();
	kvm_up();
	v = guest_mmu_on();
	pv_vcpu_resume_state(v, &rs);
	ck_assert_int_eq(pv_genode_fill_run(v, &rs, &state), 0);
	state.run.cpsr = (state.run.cpsr & ~0x1fu) | PV_MODE_SVC;
	ck_assert_int_eq(pv_genode_kvm_run(&kvm, log_page, &kernel_tlb, NULL,
					   &state), PV_ESTATE);
	ck_assert_uint_eq(kvm.phase, PV_GENODE_KVM_BROKEN);
	ck_assert_uint_eq(kvm.runs, 0);
	ck_assert_int_eq(pv_genode_fill_run(v, &rs, &state), 0);
	ck_assert_int_eq(pv_genode_kvm_run(&kvm, log_page, &kernel_tlb, NULL,
					   &state), PV_ESTATE);
	teardown();
}
END_TEST

/*
 * The VMM frees its RAM dataspace under a VM that ran: the session revokes
 * it. No word of the copy names anything any more, and the VM never runs
 * again. Before the tables exist, the VM is refused them.
 */
START_TEST(kernel_revokes_a_vm_whose_ram_goes)
{
	static struct pv_genode_vcpu_state state;
	struct pv_vcpu *v;
	struct pv_resume rs;
	enum pv_shadow_outcome oc;
	struct pv_fault f;
	uint32_t nonzero = 0;

	setup();
	kvm_up();
	v = guest_mmu_on();
	for (uint32_t i = 0; i < 8; i++)
		ck_assert_int_eq(pv_shadow_fault(v, pv_gva(KVA + (i << 20)),
						 PV_ACC_READ, &oc, &f), 0);
	pv_vcpu_resume_state(v, &rs);
	ck_assert_int_eq(pv_genode_fill_run(v, &rs, &state), 0);
	ck_assert_int_eq(pv_genode_kvm_run(&kvm, log_page, &kernel_tlb, NULL,
					   &state), 0);
	for (uint32_t i = 0; i < POOL_SIZE / 4; i++)
		nonzero += ((uint32_t *)copy)[i] != 0;
	ck_assert_uint_gt(nonzero, 8);   /* the windows, the fills */

	pv_genode_kvm_revoke(&kvm);
	for (uint32_t i = 0; i < POOL_SIZE / 4; i++)
		ck_assert_uint_eq(((uint32_t *)copy)[i], 0);
	ck_assert_uint_eq(kvm.phase, PV_GENODE_KVM_BROKEN);
	ck_assert(!pv_genode_walker_root_ok(&kvm.walker, kvm.run.ttbr0));
	ck_assert_int_eq(pv_genode_kvm_run(&kvm, log_page, &kernel_tlb, NULL,
					   &state), PV_ESTATE);
	ck_assert_int_eq(pv_genode_kvm_replay(&kvm, log_page, &kernel_tlb, NULL),
			 PV_ESTATE);
	pv_genode_kvm_revoke(&kvm);      /* again: nothing changes */
	ck_assert_uint_eq(kvm.phase, PV_GENODE_KVM_BROKEN);
	teardown();

	/* With only the RAM attached: no tables afterwards. */
	setup();
	kvm_ram();
	pv_genode_kvm_revoke(&kvm);
	ck_assert_int_ne(kvm_tables(), 0);
	ck_assert_uint_eq(kvm.phase, PV_GENODE_KVM_BROKEN);
	teardown();
}
END_TEST

/*
 * A guest patched with stubs (pvcore/pvpage.h): the RAM dataspace's page
 * past the guest's RAM is its vCPU page, and the kernel's check takes the
 * stub area's page slot, which maps it, as a frame of the VM's own. With
 * the kernel given the guest's RAM alone, the same fill is refused.
 */
#define AREA_VA (KVA + 0x700000u)

static int kvm_replay_err;

static void kvm_replay_noted(void *ctx)
{
	int err;

	(void)ctx;
	err = pv_genode_kvm_replay(&kvm, log_page, &kernel_tlb, NULL);
	if (!kvm_replay_err)
		kvm_replay_err = err;
}

static bool copy_maps_page(uint64_t pa)
{
	for (uint32_t i = 0; i < POOL_SIZE / 4; i++)
		if ((copy[i] & 2u) && (copy[i] & 0xfffff000u) == pa)
			return true;
	return false;
}

static void stubs_vm_up(uint64_t kernel_ram_bytes)
{
	static const struct pv_stub mrs = {
		KVA + 0x10100u, AREA_VA + 0x1040u, 7, 1, PV_STUB_MRS_CPSR,
		{ 6, PV_STUB_NO_EXIT, PV_STUB_NO_EXIT, PV_STUB_NO_EXIT }
	};
	static uint32_t stub_blob[32];
	static struct pv_stub_table stubs;
	uint64_t ram_bytes = (uint64_t)conf.ram_mib << 20;
	struct pv_genode_kvm_geometry geo = geometry();
	enum pv_shadow_outcome oc;
	struct pv_fault f;
	struct pv_vcpu *v;
	size_t len;

	free(mem.ram);
	mem.ram = aligned_alloc(4096, ram_bytes + 4096);
	ck_assert_ptr_nonnull(mem.ram);
	memset(mem.ram, 0, ram_bytes + 4096);
	mem.ram_size = ram_bytes + 4096;
	ck_assert_int_eq(pv_genode_kvm_create(&kvm, &geo), 0);
	ck_assert_int_eq(pv_genode_kvm_attach_ram(&kvm, RAM_PHYS, kernel_ram_bytes), 0);
	kvm_replay_err = 0;
	ck_assert_int_eq(pv_genode_vmm_config(&g, &conf, &mem, &host,
					      kvm_replay_noted, NULL, &cfg,
					      NULL, 0), 0);
	ck_assert_ptr_eq(pv_hva_ptr(cfg.vcpu_pages.hva), (uint8_t *)mem.ram + ram_bytes);
	ck_assert_uint_eq(pv_hpa_val(cfg.vcpu_pages.hpa), RAM_PHYS + ram_bytes);
	ck_assert_uint_eq(cfg.vcpu_pages.size, 4096);
	ck_assert_uint_eq(cfg.ram[0].size, ram_bytes);

	len = tf_stub_file(stub_blob, &mrs, 1, AREA_VA, 0x100000u, IMG_VA);
	ck_assert_int_eq(pv_stub_table_parse(stub_blob, len, &stubs), 0);
	ck_assert_int_eq(pv_stub_table_set_load(&stubs,
		pv_gpa(pv_board_default.ram_base + (IMG_VA - KVA))), 0);
	cfg.stubs = &stubs;
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	ck_assert_int_eq(pv_vm_shadow_layout(vm, &lay), 0);
	ck_assert_int_eq(pv_genode_kvm_init_tables(&kvm, mem.pool, copy, COPY_PHYS,
						   POOL_SIZE, &lay), 0);
	pv_genode_log_flush(&g.log);
	ck_assert_int_eq(kvm_replay_err, 0);

	/* The guest kernel reads its vCPU page through the area's slot. */
	v = guest_mmu_on();
	pv_vcpu_write_cpsr(v, PV_MODE_SVC | PV_PSR_I | PV_PSR_F);
	ck_assert_int_eq(pv_shadow_fault(v, pv_gva(AREA_VA + PV_VPAGE_CPSR),
					 PV_ACC_READ, &oc, &f), 0);
	ck_assert_int_eq(oc, PV_SHADOW_FILLED);
	ck_assert_uint_eq(vm->shadow.stats.stub_fills, 1);
	pv_genode_log_flush(&g.log);
}

START_TEST(stubs_vcpu_page_is_past_the_guests_ram)
{
	uint64_t ram_bytes;

	setup();
	ram_bytes = (uint64_t)conf.ram_mib << 20;
	stubs_vm_up(ram_bytes + 4096);
	ck_assert_int_eq(kvm_replay_err, 0);
	ck_assert_uint_eq(kvm.phase, PV_GENODE_KVM_READY);
	ck_assert(copy_equals_pool());
	ck_assert(copy_maps_page(RAM_PHYS + ram_bytes));
	teardown();

	/* The kernel told of the guest's RAM only: the page is not the VM's. */
	setup();
	stubs_vm_up(ram_bytes);
	ck_assert_int_eq(kvm_replay_err, PV_ERANGE);
	ck_assert_uint_eq(kvm.phase, PV_GENODE_KVM_BROKEN);
	ck_assert(!copy_maps_page(RAM_PHYS + ram_bytes));
	teardown();
}
END_TEST

/* Edits pv_genode_vmm_config() refuses. */
static const struct pv_genode_host *use_host;
static bool no_flush_fn;

static void e_no_timer(void) { host.timer_set = NULL; }
static void e_no_icache(void) { host.icache_inval_all = NULL; }
static void e_no_host(void) { use_host = NULL; }
static void e_no_flush(void) { no_flush_fn = true; }
static void e_virtio(void) { conf.virtio_board = true; }
static void e_small_ram(void) { mem.ram_size = ((size_t)conf.ram_mib << 20) - 4096u; }
static void e_no_ram(void) { free(mem.ram); mem.ram = NULL; }
static void e_ram_high(void) { mem.ram_phys = 0xf9000000ull; }
static void e_copy_high(void) { mem.copy_phys = 0xfffc0000ull + 0x10000u; }
static void e_no_log(void) { mem.log_page = NULL; }
static void e_no_pool(void) { mem.pool_size = 0; }

static const struct {
	void (*edit)(void);
	int err;
	const char *why;
} refusals[] = {
	{ e_no_timer, PV_EINVAL, "a host session function is missing" },
	{ e_no_icache, PV_EINVAL, "a host session function is missing" },
	{ e_no_host, PV_EINVAL, "missing argument" },
	{ e_no_flush, PV_EINVAL, "missing argument" },
	{ e_virtio, PV_EINVAL, "board=\"virtio\" needs Block and Nic sessions, "
			       "which pv_vmm does not have yet" },
	{ e_small_ram, PV_ERANGE, "RAM dataspace smaller than ram_mib" },
	{ e_no_ram, PV_ERANGE, "RAM dataspace smaller than ram_mib" },
	{ e_ram_high, PV_ERANGE, "RAM dataspace above 4 GiB" },
	{ e_copy_high, PV_ERANGE, "table copy above 4 GiB" },
	{ e_no_log, PV_EINVAL, "no log page or no shadow pool" },
	{ e_no_pool, PV_EINVAL, "no log page or no shadow pool" },
};

START_TEST(config_refuses_and_changes_nothing)
{
	unsigned i = (unsigned)_i;
	struct pv_vm_config before_cfg;
	struct pv_genode_vmm before_g;
	char why[128];

	setup();
	use_host = &host;
	no_flush_fn = false;
	refusals[i].edit();
	memset(&cfg, 0xa5, sizeof(cfg));
	memset(&g, 0x5a, sizeof(g));
	before_cfg = cfg;
	before_g = g;
	memset(log_page, 0x33, sizeof(*log_page));
	ck_assert_int_eq(pv_genode_vmm_config(&g, &conf, &mem, use_host,
					      no_flush_fn ? NULL : replay, NULL,
					      &cfg, why, sizeof(why)),
			 refusals[i].err);
	ck_assert_str_eq(why, refusals[i].why);
	ck_assert_mem_eq(&cfg, &before_cfg, sizeof(cfg));
	ck_assert_mem_eq(&g, &before_g, sizeof(g));
	ck_assert_uint_eq(log_page->magic, 0x33333333u);
	teardown();
}
END_TEST

static Suite *genode_vmm_suite(void)
{
	Suite *s = suite_create("genode_vmm");
	TCase *tc = tcase_create("genode_vmm");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, config_describes_what_the_session_gave);
	tcase_add_test(tc, fills_reach_the_kernels_copy);
	tcase_add_test(tc, operations_reach_the_sessions_and_the_log);
	tcase_add_test(tc, linux_boot_through_the_backend);
	tcase_add_test(tc, kernel_runs_what_pvcore_resumes);
	tcase_add_test(tc, kernel_takes_the_calls_in_order_only);
	tcase_add_test(tc, kernel_refuses_a_bad_geometry_ram_or_copy);
	tcase_add_test(tc, kernel_vm_stays_broken);
	tcase_add_test(tc, kernel_revokes_a_vm_whose_ram_goes);
	tcase_add_test(tc, stubs_vcpu_page_is_past_the_guests_ram);
	tcase_add_loop_test(tc, config_refuses_and_changes_nothing, 0,
			    sizeof(refusals) / sizeof(refusals[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(genode_vmm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
