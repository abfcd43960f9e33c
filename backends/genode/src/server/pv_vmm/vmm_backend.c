// SPDX-License-Identifier: MIT
/*
 * pv_vmm's backend for pvcore (vmm_backend.h). No libc, as vmm_config.c.
 */
#include "vmm_backend.h"

static struct pv_genode_vmm *vmm_of(void *ctx)
{
	return (struct pv_genode_vmm *)ctx;
}

/* The TLB is the kernel's: each operation is a record, in order. */
static void op_tlb_inval_all(void *ctx)
{
	pv_genode_log_tlb_all(&vmm_of(ctx)->log);
}

static void op_tlb_inval_asid(void *ctx, uint8_t asid)
{
	pv_genode_log_tlb_asid(&vmm_of(ctx)->log, asid);
}

static void op_tlb_inval_va(void *ctx, pv_gva_t va, uint8_t asid)
{
	pv_genode_log_tlb_va(&vmm_of(ctx)->log, pv_gva_val(va), asid);
}

/*
 * pvcore names every table byte it writes here (backend.h), so this is
 * where the kernel learns which words of its copy to replay. Ranges in
 * guest RAM (a loaded Image) are not the log's; the kernel cleans the
 * RAM dataspace itself before the first run.
 */
static void op_cache_clean_range(void *ctx, pv_hva_t va, size_t len)
{
	pv_genode_log_clean(&vmm_of(ctx)->log, pv_hva_ptr(va), len);
}

static void op_icache_inval_all(void *ctx)
{
	const struct pv_genode_host *h = vmm_of(ctx)->host;

	h->icache_inval_all(h->ctx);
}

static uint64_t op_now_ns(void *ctx)
{
	const struct pv_genode_host *h = vmm_of(ctx)->host;

	return h->now_ns(h->ctx);
}

static void op_timer_set(void *ctx, uint64_t deadline_ns)
{
	const struct pv_genode_host *h = vmm_of(ctx)->host;

	h->timer_set(h->ctx, deadline_ns);
}

static void op_console_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct pv_genode_vmm *g = vmm_of(ctx);

	g->console_bytes += len;
	g->host->console_write(g->host->ctx, buf, len);
}

static int op_console_read(void *ctx)
{
	const struct pv_genode_host *h = vmm_of(ctx)->host;

	return h->console_read(h->ctx);
}

/*
 * No host interrupt reaches the guest directly under Genode: the devices
 * it sees are pvcore's models, fed by the component's sessions.
 */
static int op_irq_route(void *ctx, unsigned host_irq, bool enable)
{
	(void)ctx;
	(void)host_irq;
	(void)enable;
	return PV_EBACKEND;
}

static void op_log(void *ctx, const char *line)
{
	const struct pv_genode_host *h = vmm_of(ctx)->host;

	h->log(h->ctx, line);
}

const struct pv_backend_ops pv_genode_backend_ops = {
	.tlb_inval_all = op_tlb_inval_all,
	.tlb_inval_asid = op_tlb_inval_asid,
	.tlb_inval_va = op_tlb_inval_va,
	.cache_clean_range = op_cache_clean_range,
	.icache_inval_all = op_icache_inval_all,
	.now_ns = op_now_ns,
	.timer_set = op_timer_set,
	.console_write = op_console_write,
	.console_read = op_console_read,
	.irq_route = op_irq_route,
	.log = op_log,
	/* One vCPU for now (docs/genode.md): no other core to kick. */
	.kick = NULL,
};

/* @why as vmm_config.c writes it: one line, cut at its end. */
static int fail(char *why, size_t why_len, const char *line, int err)
{
	size_t i = 0;

	if (why_len) {
		while (line[i] && i + 1 < why_len) {
			why[i] = line[i];
			i++;
		}
		why[i] = 0;
	}
	return err;
}

static bool host_complete(const struct pv_genode_host *h)
{
	return h->now_ns && h->timer_set && h->console_write &&
	       h->console_read && h->log && h->icache_inval_all;
}

int pv_genode_vmm_config(struct pv_genode_vmm *g,
			 const struct pv_genode_config *c,
			 const struct pv_genode_memory *m,
			 const struct pv_genode_host *host,
			 pv_genode_log_flush_fn flush, void *flush_ctx,
			 struct pv_vm_config *cfg, char *why, size_t why_len)
{
	const struct pv_board *board;
	struct pv_genode_log_writer log;
	uint64_t ram_bytes;

	if (!g || !c || !m || !host || !flush || !cfg)
		return fail(why, why_len, "missing argument", PV_EINVAL);
	if (!host_complete(host))
		return fail(why, why_len, "a host session function is missing",
			    PV_EINVAL);
	if (c->virtio_board)
		/* The virtio devices need Block and Nic sessions: not built. */
		return fail(why, why_len,
			    "board=\"virtio\" needs Block and Nic sessions, "
			    "which pv_vmm does not have yet", PV_EINVAL);
	board = &pv_board_default;
	ram_bytes = (uint64_t)c->ram_mib << 20;
	if (!m->ram || m->ram_size < ram_bytes)
		return fail(why, why_len, "RAM dataspace smaller than ram_mib",
			    PV_ERANGE);
	if (m->ram_phys + ram_bytes > 0x100000000ull)
		return fail(why, why_len, "RAM dataspace above 4 GiB", PV_ERANGE);
	if (m->copy_phys + m->pool_size > 0x100000000ull)
		return fail(why, why_len, "table copy above 4 GiB", PV_ERANGE);
	if (pv_genode_log_init(&log, m->log_page, m->pool, m->pool_size, flush,
			       flush_ctx))
		return fail(why, why_len, "no log page or no shadow pool",
			    PV_EINVAL);

	g->log = log;
	g->host = host;
	g->console_bytes = 0;
	*cfg = (struct pv_vm_config){
		.ops = &pv_genode_backend_ops,
		.ctx = g,
		.board = board,
		.ram = { {
			.gpa = pv_gpa(board->ram_base),
			.size = (uint32_t)ram_bytes,
			.hva = pv_hva_from_ptr(m->ram),
			.hpa = pv_hpa(m->ram_phys),
		} },
		.ram_count = 1,
		.shadow_pool = {
			.hva = pv_hva_from_ptr(m->pool),
			.hpa = pv_hpa(m->copy_phys),
			.size = m->pool_size,
		},
		.window_base = m->window_base,
		.window_size = m->window_size,
		.window_l1 = m->window_l1,
		.ttbr_attrs = m->ttbr_attrs,
		.asid_first = m->asid_first,
		.asid_last = m->asid_last,
		.num_vcpus = c->vcpus,
	};
	/*
	 * The page past the guest's RAM, if the dataspace has it, is the
	 * vCPU page of a guest patched with stubs: the kernel's check takes
	 * it as the VM's own frame, and the guest's RAM never overlaps it.
	 */
	if (m->ram_size - ram_bytes >= 4096) {
		cfg->vcpu_pages.hva = pv_hva_from_ptr((uint8_t *)m->ram + ram_bytes);
		cfg->vcpu_pages.hpa = pv_hpa(m->ram_phys + ram_bytes);
		cfg->vcpu_pages.size = 4096;
	}
	return 0;
}
