// SPDX-License-Identifier: MIT
/*
 * The backend operations (include/pvcore/backend.h) on the Cortex-A9.
 * Every TLB/cache operation ends with DSB (+ ISB where the next
 * instruction fetch or walk depends on it), because the core relies on
 * them having completed before the guest runs again.
 */
#include "bm.h"
#include "vmm.h"

/*
 * With guests on several cores (smp.c), a shadow entry one core changes
 * may sit in another core's TLB: the Inner Shareable forms reach them all.
 */
static void bp_inval(void)
{
	if (pvbm_ncores > 1)
		PVBM_MCR(0, 7, 1, 6, 0);  /* BPIALLIS */
	else
		PVBM_MCR(0, 7, 5, 6, 0);  /* BPIALL */
}

/*
 * Cores that must invalidate their own TLB before they next enter the
 * guest (pvbm_tlb_catch_up()). The core asks for a whole flush when it
 * starts reusing host ASIDs (libpvcore/shadow.c, root_asid()). A core
 * running guest code keeps refilling its TLB under its old ASID until its
 * next trap, after the broadcast: entries that would later match the same
 * ASID given to another space.
 */
static volatile uint32_t tlb_stale;

static void op_tlb_inval_all(void *ctx)
{
	(void)ctx;
	pvbm_dsb();
	if (pvbm_ncores > 1) {
		PVBM_MCR(0, 8, 3, 0, 0);  /* TLBIALLIS */
		tlb_stale = ((1u << pvbm_ncores) - 1) & ~(1u << pvbm_core_id());
	} else {
		PVBM_MCR(0, 8, 7, 0, 0);  /* TLBIALL */
	}
	bp_inval();
	pvbm_dsb();
	pvbm_isb();
}

void pvbm_tlb_catch_up(unsigned core)
{
	if (!(tlb_stale & (1u << core)))
		return;
	tlb_stale &= ~(1u << core);
	pvbm_dsb();
	PVBM_MCR(0, 8, 7, 0, 0);  /* TLBIALL, this core's */
	PVBM_MCR(0, 7, 5, 6, 0);  /* BPIALL */
	pvbm_dsb();
	pvbm_isb();
}

static void op_tlb_inval_asid(void *ctx, uint8_t asid)
{
	(void)ctx;
	pvbm_dsb();
	if (pvbm_ncores > 1)
		PVBM_MCR(0, 8, 3, 2, (uint32_t)asid); /* TLBIASIDIS */
	else
		PVBM_MCR(0, 8, 7, 2, (uint32_t)asid); /* TLBIASID */
	bp_inval();
	pvbm_dsb();
	pvbm_isb();
}

static void op_tlb_inval_va(void *ctx, pv_gva_t va, uint8_t asid)
{
	uint32_t mva = (pv_gva_val(va) & ~0xfffu) | asid;

	(void)ctx;
	pvbm_dsb();
	if (pvbm_ncores > 1)
		PVBM_MCR(0, 8, 3, 1, mva); /* TLBIMVAIS */
	else
		PVBM_MCR(0, 8, 7, 1, mva); /* TLBIMVA */
	bp_inval();
	pvbm_dsb();
	pvbm_isb();
}

/* Shadow descriptors: clean to the point of unification, where the A9's
 * table walker looks (it does not snoop L1 unless ID_MMFR3 says so). */
static void op_cache_clean_range(void *ctx, pv_hva_t va, size_t len)
{
	uintptr_t a = pv_hva_val(va) & ~(uintptr_t)31, end = pv_hva_val(va) + len;

	(void)ctx;
	for (; a < end; a += 32)
		PVBM_MCR(0, 7, 11, 1, (uint32_t)a); /* DCCMVAU */
	pvbm_dsb();
}

static void op_icache_inval_all(void *ctx)
{
	(void)ctx;
	if (pvbm_ncores > 1)
		PVBM_MCR(0, 7, 1, 0, 0);  /* ICIALLUIS */
	else
		PVBM_MCR(0, 7, 5, 0, 0);  /* ICIALLU */
	bp_inval();
	pvbm_dsb();
	pvbm_isb();
}

static uint64_t op_now_ns(void *ctx)
{
	(void)ctx;
	return pvbm_now_ns();
}

static void op_timer_set(void *ctx, uint64_t deadline_ns)
{
	(void)ctx;
	pvbm_timer_set(deadline_ns);
}

static void op_console_write(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	while (len--)
		pvbm_uart_putc((char)*buf++);
}

static int op_console_read(void *ctx)
{
	(void)ctx;
	return pvbm_uart_getc();
}

static int op_irq_route(void *ctx, unsigned host_irq, bool enable)
{
	(void)ctx;
	return pvbm_irq_route(host_irq, enable);
}

static void op_log(void *ctx, const char *line)
{
	(void)ctx;
	pvbm_log(line);
}

static int op_rng_fill(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	return pvbm_entropy_fill(buf, len);
}

/*
 * The network: the ENET, brought up at the core's first question (the
 * guest's first access to its network device), never at boot. A
 * controller that does not answer stays down: send and receive fail with
 * PV_EBACKEND, and the MAC is the driver's fixed fallback.
 */
static int net_status = 1;              /* 1: not tried yet */
static uint8_t net_mac_addr[6];

static int net_up(void)
{
	if (net_status > 0)
		net_status = pvbm_enet_init(net_mac_addr);
	return net_status;
}

static int op_net_send(void *ctx, const uint8_t *frame, size_t len)
{
	(void)ctx;
	return net_up() < 0 ? PV_EBACKEND : pvbm_enet_send(frame, len);
}

static int op_net_recv(void *ctx, uint8_t *buf, size_t cap)
{
	(void)ctx;
	return net_up() < 0 ? PV_EBACKEND : pvbm_enet_recv(buf, cap);
}

static void op_net_mac(void *ctx, uint8_t mac[6])
{
	(void)ctx;
	net_up();
	for (unsigned i = 0; i < 6; i++)
		mac[i] = net_mac_addr[i];
}

/*
 * Storage: unit 0 is the SD card (sdhc.c), brought up at the core's first
 * capacity question, the guest's first look at its disk, so a VM that
 * never touches the disk never waits for the card. A card that is absent
 * or fails stays absent: capacity 0, and every request fails.
 */
static enum { SD_UNPROBED, SD_READY, SD_ABSENT } sd_state;

static bool sd_ready(void)
{
	if (sd_state == SD_UNPROBED)
		sd_state = pvbm_sd_init() ? SD_ABSENT : SD_READY;
	return sd_state == SD_READY;
}

static int op_blk_read(void *ctx, unsigned unit, uint64_t sector,
		       uint8_t *buf, uint32_t count)
{
	(void)ctx;
	if (unit != 0)
		return PV_ERANGE;
	return sd_ready() ? pvbm_sd_read(sector, buf, count) : PV_EBACKEND;
}

static int op_blk_write(void *ctx, unsigned unit, uint64_t sector,
			const uint8_t *buf, uint32_t count)
{
	(void)ctx;
	if (unit != 0)
		return PV_ERANGE;
	return sd_ready() ? pvbm_sd_write(sector, buf, count) : PV_EBACKEND;
}

static int op_blk_flush(void *ctx, unsigned unit)
{
	(void)ctx;
	if (unit != 0)
		return PV_ERANGE;
	return sd_ready() ? pvbm_sd_flush() : PV_EBACKEND;
}

static uint64_t op_blk_capacity(void *ctx, unsigned unit)
{
	(void)ctx;
	return unit == 0 && sd_ready() ? pvbm_sd_sectors() : 0;
}

static void op_kick(void *ctx, unsigned vcpu)
{
	(void)ctx;
	pvbm_kick(vcpu);
}

const struct pv_backend_ops pvbm_ops = {
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
	.kick = op_kick,
	.rng_fill = op_rng_fill,
	.net_send = op_net_send,
	.net_recv = op_net_recv,
	.net_mac = op_net_mac,
	.blk_read = op_blk_read,
	.blk_write = op_blk_write,
	.blk_flush = op_blk_flush,
	.blk_capacity = op_blk_capacity,
};
