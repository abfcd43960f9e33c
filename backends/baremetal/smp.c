// SPDX-License-Identifier: MIT
/*
 * The host's other cores (issue 18). With several vCPUs and at least as
 * many host cores, vCPU n runs on core n (run.c). Core 0 starts the others
 * with the i.MX6Q's System Reset Controller: the entry in SRC_GPR1 + 8n,
 * then the core's enable and reset bits in SRC_SCR. Each comes up in
 * start.S's pvbm_secondary_entry, turns on the MMU with core 0's table and
 * settings, and enters pvbm_core_main(): its vectors and frame, its GIC
 * CPU interface and tick, then its vCPU.
 *
 * The big lock. pvcore wants one entry point at a time per VM
 * (backend.h), and pvbm's own state (reports, watchdog, devices, the
 * time-slice scheduler) was written for one core, so every trap's C path
 * runs under one lock. Guest code runs in parallel on the cores; VMM work
 * is serialized. With one core the lock is never taken (bm.h).
 */
#include "bm.h"
#include "vmm.h"

#define P (&pvbm_platform)

#define SRC_SCR 0x00u
#define SRC_GPR1 0x20u
#define SCR_CORE_RESET(n) (1u << (14 + (n) - 1))
#define SCR_CORE_ENABLE(n) (1u << (22 + (n) - 1))
#define SCU_CTRL 0x00u
#define SCU_CONFIG 0x04u
#define SCU_ENABLE 1u
#define START_TIMEOUT_NS 1000000000ull

/* What start.S loads before the MMU is on, at these offsets. */
struct pvbm_core_boot {
	uint32_t ttbr0, dacr, sctlr, actlr;
};
_Static_assert(offsetof(struct pvbm_core_boot, dacr) == 4 &&
	       offsetof(struct pvbm_core_boot, sctlr) == 8 &&
	       offsetof(struct pvbm_core_boot, actlr) == 12,
	       "pvbm_core_boot: start.S loads these offsets");
struct pvbm_core_boot pvbm_core_boot;

unsigned pvbm_ncores = 1;
static volatile uint32_t core_ready[PVBM_MAX_CORES];
/* The core holding the lock, plus one (0: none): pvbm_lock()'s check. */
static volatile uint32_t lock_owner;
static uint32_t periph;
static unsigned host_cores = 1;

void pvbm_secondary_entry(void);
void pvbm_core_main(unsigned core);

unsigned pvbm_host_cores(uint32_t periph_base)
{
	periph = periph_base;
	host_cores = (pvbm_rd(periph + SCU_CONFIG) & 3u) + 1;
	return host_cores;
}

unsigned pvbm_core_id(void)
{
	return PVBM_MRC(0, 0, 0, 5) & 3u;
}

/*
 * The lock is Lamport's bakery: plain loads and stores with barriers, no
 * LDREX/STREX. A STREX clears the core's local monitor whatever its
 * address, and the guest's own LDREX/STREX pairs run on that monitor: a
 * guest STREX that faults (a shadow fill, a write-protected page) is
 * retried after the trap, on the monitor the trap's path left. The bakery
 * also serves cores in the order they asked, so a core that traps in a
 * tight loop cannot starve the others.
 *
 * Tickets are 64-bit: under contention that never lets up they only grow,
 * and a 32-bit one could wrap within hours. The bakery needs no atomic
 * access to them (a read that overlaps a write may see anything). Every
 * store a waiter may sleep on in WFE is followed by SEV.
 */
static volatile uint32_t choosing[PVBM_MAX_CORES];
static volatile uint64_t ticket[PVBM_MAX_CORES];

static inline void dmb(void)
{
	__asm__ volatile("dmb" ::: "memory");
}

/* Whether core @j's ticket comes before core @me's. */
static bool before(unsigned j, uint64_t tj, unsigned me, uint64_t tme)
{
	return tj < tme || (tj == tme && j < me);
}

void pvbm_lock_cores(void)
{
	unsigned me = pvbm_core_id(), n = pvbm_ncores;
	uint64_t mine = 0;

	if (lock_owner == me + 1)
		pvbm_fatal("pvbm_lock: this core holds it already", 0,
			   PVBM_EXIT_HOST);
	choosing[me] = 1;
	dmb();
	for (unsigned j = 0; j < n; j++)
		if (ticket[j] > mine)
			mine = ticket[j];
	ticket[me] = ++mine;
	dmb();
	choosing[me] = 0;
	pvbm_dsb();
	__asm__ volatile("sev" ::: "memory");
	for (unsigned j = 0; j < n; j++) {
		if (j == me)
			continue;
		while (choosing[j])
			__asm__ volatile("wfe" ::: "memory");
		dmb();
		for (;;) {
			uint64_t tj = ticket[j];

			if (!tj || !before(j, tj, me, mine))
				break;
			__asm__ volatile("wfe" ::: "memory");
		}
	}
	dmb();
	lock_owner = me + 1;
}

void pvbm_unlock_cores(void)
{
	lock_owner = 0;
	dmb();
	ticket[pvbm_core_id()] = 0;
	pvbm_dsb();
	__asm__ volatile("sev" ::: "memory");
}

/* Clean [p, p + len) to the point of coherency: read with the MMU off. */
static void clean_to_poc(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)31, end = (uintptr_t)p + len;

	for (; a < end; a += 32)
		PVBM_MCR(0, 7, 10, 1, (uint32_t)a); /* DCCMVAC */
	pvbm_dsb();
}

bool pvbm_cores_start(unsigned n)
{
	uint32_t src = P->src_base, scr;
	uint64_t deadline;

	if (n < 2 || n > host_cores || n > PVBM_MAX_CORES)
		return false;
	/* From here on TLB maintenance must reach every core (ops.c). */
	pvbm_ncores = n;
	pvbm_wr(periph + SCU_CTRL, pvbm_rd(periph + SCU_CTRL) | SCU_ENABLE);
	pvbm_core_boot.ttbr0 = PVBM_MRC(0, 2, 0, 0);
	pvbm_core_boot.dacr = PVBM_MRC(0, 3, 0, 0);
	pvbm_core_boot.sctlr = PVBM_MRC(0, 1, 0, 0);
	pvbm_core_boot.actlr = PVBM_MRC(0, 1, 0, 1);
	clean_to_poc(&pvbm_core_boot, sizeof(pvbm_core_boot));
	scr = pvbm_rd(src + SRC_SCR);
	for (unsigned c = 1; c < n; c++) {
		pvbm_wr(src + SRC_GPR1 + 8 * c,
			(uint32_t)(uintptr_t)pvbm_secondary_entry);
		pvbm_wr(src + SRC_GPR1 + 8 * c + 4, 0);
		scr |= SCR_CORE_ENABLE(c) | SCR_CORE_RESET(c);
	}
	pvbm_dsb();
	pvbm_wr(src + SRC_SCR, scr);
	deadline = pvbm_now_ns() + START_TIMEOUT_NS;
	for (unsigned c = 1; c < n; c++)
		while (!core_ready[c])
			if (pvbm_now_ns() > deadline)
				pvbm_fatal("a host core did not come up (SRC)",
					   0, PVBM_EXIT_HOST);
	pvbm_puts("pvbm: ");
	pvbm_put_dec(n);
	pvbm_puts(" host cores, one vCPU each\n");
	return true;
}

void pvbm_core_main(unsigned core)
{
	/* CPACR: cp10/cp11 full access, so FPEXC.EN alone gates the guest
	 * (as core 0 does in pvbm_main()). */
	PVBM_MCR(0, 1, 0, 2, PVBM_MRC(0, 1, 0, 2) | (0xfu << 20));
	pvbm_isb();
	pvbm_vfp_set(false);
	pvbm_vectors_init(core);
	pvbm_gic_init_cpu();
	pvbm_timer_init_cpu();
	pvbm_dsb();
	core_ready[core] = 1;
	pvbm_run_core(core);
}
