// SPDX-License-Identifier: MIT
/*
 * SMP scenarios (issue 18), in the SMP images only: four CPUs, the
 * secondaries started natively by the SRC and under the VMM by PSCI
 * (plat_cpu_on()). CPU 0 prints every check. A secondary runs what CPU 0
 * posts in its mailbox and hands back one value, so the transcript never
 * depends on how the CPUs interleave. Secondaries keep IRQs masked and
 * take interrupts by reading GICC_IAR: the GIC's per-CPU state is what is
 * checked, not the exception entry (the one-CPU scenarios cover that).
 */
#include "conf.h"
#include "mpcore.h"

#define NCPU 4
#define SPIN 200000u           /* WFE rounds before a wait gives up */
#define NO_ANSWER 0xdeadc0deu  /* what a CPU that never answered "returns" */
#define SPURIOUS 1023u
#define SCU_CONFIG (PERIPH + 0x04u)
#define GICD_TYPER (GICD + 0x004u)
#define GICD_TARGETS (GICD + 0x800u)
#define TWD_COUNT (TWD + 0x04u)
#define PAGE_WB 0xcu             /* small page, write-back (C, B) */
#define TLBIALLIS(v) MCR(0, 8, 3, 0, v)
#define TLBIMVAIS(v) MCR(0, 8, 3, 1, v)
#define TLBIASIDIS(v) MCR(0, 8, 3, 2, v)
#define TLBIMVAAIS(v) MCR(0, 8, 3, 3, v)

extern const char conf_secondary_entry[];

/*
 * Every wait loop goes through WFE: natively it hands QEMU's round-robin
 * to the next CPU at once (a plain spin would keep it for a whole slice);
 * under the VMM it is a no-op trap, and pvbm's tick moves the core on.
 */
static inline void relax(void)
{
	__asm__ volatile(SENS(IC_WFE, "wfe") ::: "memory");
}

/* CPU 0 writes fn, arg and then posted; the secondary writes ret and then
 * done. A call is pending while posted and done differ. */
struct mailbox {
	u32 (*volatile fn)(u32);
	volatile u32 arg, ret, posted, done;
	volatile u32 starts; /* entries so far; the rest is the last one's */
	volatile u32 entry_cpsr, entry_sctlr, mpidr;
};
static struct mailbox mbox[NCPU];
/* Second results of a secondary's call (one call at a time). */
static volatile u32 extra[4];

void smp_secondary(unsigned cpu, u32 cpsr);
void smp_secondary(unsigned cpu, u32 cpsr)
{
	struct mailbox *m = &mbox[cpu & 3u];

	m->entry_cpsr = cpsr;
	m->entry_sctlr = MRC(0, 1, 0, 0);
	m->mpidr = MRC(0, 0, 0, 5);
	m->done = m->posted; /* a call posted before a restart is void */
	dsb();
	m->starts++;
	dsb();
	for (;;) {
		u32 seq = m->posted;

		if (seq == m->done) {
			relax();
			continue;
		}
		dsb();
		m->ret = m->fn(m->arg);
		dsb();
		m->done = seq;
		dsb();
	}
}

static void post(unsigned cpu, u32 (*fn)(u32), u32 arg)
{
	struct mailbox *m = &mbox[cpu];

	m->fn = fn;
	m->arg = arg;
	dsb();
	m->posted = m->posted + 1;
	dsb();
}

static u32 wait_answer(unsigned cpu)
{
	struct mailbox *m = &mbox[cpu];

	for (u32 n = 0; m->done != m->posted; n++) {
		if (n == SPIN)
			return NO_ANSWER;
		relax();
	}
	dsb();
	return m->ret;
}

/* fn(arg) on @cpu (CPU 0 calls it itself). */
static u32 run(unsigned cpu, u32 (*fn)(u32), u32 arg)
{
	if (!cpu)
		return fn(arg);
	post(cpu, fn, arg);
	return wait_answer(cpu);
}

static bool wait_start(unsigned cpu, u32 before)
{
	for (u32 n = 0; mbox[cpu].starts == before; n++) {
		if (n == SPIN)
			return false;
		relax();
	}
	dsb();
	return true;
}

/* Every secondary up (a scenario may be the first one the harness runs). */
static void smp_up(void)
{
	for (unsigned c = 1; c < NCPU; c++) {
		if (mbox[c].starts)
			continue;
		plat_cpu_on(c, (u32)conf_secondary_entry);
		(void)wait_start(c, 0);
	}
}

/* ---- what a CPU runs for CPU 0 (u32 fn(u32)) ---- */

struct wr {
	u32 addr, val;
};

static u32 sec_echo(u32 arg)
{
	return arg ^ MRC(0, 0, 0, 5);
}

static u32 sec_rd(u32 addr)
{
	return rd32(addr);
}

static u32 sec_wr(u32 p)
{
	const struct wr *w = (const struct wr *)p;

	wr32(w->addr, w->val);
	return 0;
}

static u32 wr_on(unsigned cpu, u32 addr, u32 val)
{
	struct wr w = { addr, val };

	return run(cpu, sec_wr, (u32)&w);
}

/* Acknowledge (and end) the highest pending interrupt; the raw IAR. */
static u32 sec_ack(u32 unused)
{
	u32 iar = rd32(GICC_IAR);

	(void)unused;
	if ((iar & 0x3ffu) != SPURIOUS)
		wr32(GICC_EOIR, iar);
	return iar;
}

/* This CPU's interface on (@on) or off, its banked SGI/PPI state reset:
 * priorities 0xa0, SGIs enabled, PPIs disabled, nothing pending. */
static u32 sec_iface(u32 on)
{
	u32 drained = 0;

	wr32(GICC_CTLR, 0);
	wr32(GICD_ICENABLE, 0xffff0000u);
	wr32(GICD_ISENABLE, 0x0000ffffu);
	wr32(GICD_ICPEND, 0xffffffffu);
	for (u32 i = 0; i < 32; i += 4)
		wr32(GICD_PRIO + i, 0xa0a0a0a0u);
	wr32(GICC_PMR, 0xf0u);
	wr32(GICC_CTLR, 1);
	/* SGIs cannot be cleared through ICPENDR on this GIC: take them. */
	while ((sec_ack(0) & 0x3ffu) != SPURIOUS && drained < 64)
		drained++;
	if (!on)
		wr32(GICC_CTLR, 0);
	return 0;
}

static void gic_all(bool on)
{
	if (on)
		wr32(GICD_CTLR, 1);
	for (unsigned c = 0; c < NCPU; c++)
		run(c, sec_iface, on);
	if (!on)
		wr32(GICD_CTLR, 0);
}

static u32 sec_sgi(u32 sgir)
{
	wr32(GICD_SGIR, sgir);
	return 0;
}

static u32 sec_twd_stop(u32 load)
{
	wr32(TWD_CTRL, 0);
	wr32(TWD_ISR, 1);
	wr32(TWD_LOAD, load);
	return 0;
}

/* Set just before a CPU sleeps in sec_wfi_ack(). */
static volatile u32 wfi_armed;

/* Sleep in WFI, IRQs masked, until an interrupt is pending; its IAR. */
static u32 sec_wfi_ack(u32 unused)
{
	u32 iar = SPURIOUS;

	(void)unused;
	dsb();
	wfi_armed = 1;
	dsb();
	for (u32 n = 0; n < 1000 && (iar & 0x3ffu) == SPURIOUS; n++) {
		__asm__ volatile(SENS(IC_WFI, "wfi") ::: "memory");
		iar = sec_ack(0);
	}
	wfi_armed = 0;
	return iar;
}

/* A one-shot private timer interrupt on this CPU, slept for in WFI. */
static u32 sec_twd_fire(u32 load)
{
	u32 iar;

	wr32(GICD_ISENABLE, 1u << 29);
	wr32(TWD_ISR, 1);
	wr32(TWD_LOAD, load);
	wr32(TWD_CTRL, 1u | 4u); /* enable, IRQ, one-shot */
	iar = sec_wfi_ack(0);
	extra[0] = rd32(TWD_ISR);
	extra[1] = rd32(TWD_COUNT);
	extra[2] = rd32(TWD_CTRL);
	wr32(TWD_ISR, 1);
	wr32(GICD_ICENABLE, 1u << 29);
	return iar;
}

static u32 sec_mmu_on(u32 l1)
{
	mmu_on(l1, 1);
	return 0;
}

static u32 sec_mmu_off(u32 unused)
{
	(void)unused;
	mmu_off();
	return 0;
}

static u32 sec_sctlr(u32 unused)
{
	(void)unused;
	return MRC(0, 1, 0, 0);
}

/* A load that may fault: the value, or 0xdeaddead and the fault in
 * extra[0] (FSR) and extra[1] (FAR - va). */
static u32 sec_ld(u32 va)
{
	u32 v;

	x_reset();
	v = probe_ld(va);
	extra[0] = x_count ? last_x.fsr : 0;
	extra[1] = x_count ? last_x.far - va : 0;
	x_reset();
	return v;
}

static u32 sec_off(u32 unused)
{
	(void)unused;
	plat_cpu_off();
}

/* ---- scenarios ---- */

static void show_entry(unsigned c)
{
	check(nm("cpu", c, " mpidr"), mbox[c].mpidr);
	check(nm("cpu", c, " entry mode"), mbox[c].entry_cpsr & 0x1fu);
	check(nm("cpu", c, " entry AIF"), mbox[c].entry_cpsr & 0x1c0u);
	check(nm("cpu", c, " entry T"), (mbox[c].entry_cpsr >> 5) & 1u);
	check(nm("cpu", c, " entry sctlr.M"), mbox[c].entry_sctlr & 1u);
}

SCENARIO(smp_boot, CV(C_CP15) | CV(C_MMIO) | CV(C_CPS) | CV(C_MRS))
{
	check("cpu0 mpidr", MRC(0, 0, 0, 5));
	check("scu cpus-1", rd32(SCU_CONFIG) & 3u);
	check("gicd typer cpus-1", (rd32(GICD_TYPER) >> 5) & 7u);
	for (unsigned c = 1; c < NCPU; c++) {
		bool up = mbox[c].starts;

		if (!up) {
			plat_cpu_on(c, (u32)conf_secondary_entry);
			up = wait_start(c, 0);
		}
		check(nm("cpu", c, " up"), up);
		show_entry(c);
		check(nm("cpu", c, " echo"), run(c, sec_echo, 0x1000u + c));
	}
}

SCENARIO(smp_sgi, CV(C_MMIO))
{
	smp_up();
	gic_all(true);
	/* CPU 0 to CPU 1, seen pending only in CPU 1's banked view. */
	wr32(GICD_SGIR, 1u << 17 | 5u);
	check("cpu1 hppir", run(1, sec_rd, GICC_HPPIR));
	check("cpu1 ispendr0", run(1, sec_rd, GICD_ISPEND) & 0xffffu);
	check("cpu0 ispendr0", rd32(GICD_ISPEND) & 0xffffu);
	check("cpu1 iar", run(1, sec_ack, 0));
	check("cpu1 iar again", run(1, sec_ack, 0));
	/* CPU 1 to CPU 0: the source in IAR. */
	run(1, sec_sgi, 1u << 16 | 7u);
	check("cpu0 iar from 1", sec_ack(0));
	/* Every CPU but the sender. */
	run(2, sec_sgi, 1u << 24 | 3u);
	for (unsigned c = 0; c < NCPU; c++)
		check(nm("others of 2: cpu", c, " iar"), run(c, sec_ack, 0));
	/* The sender only. */
	run(3, sec_sgi, 2u << 24 | 4u);
	for (unsigned c = 0; c < NCPU; c++)
		check(nm("self of 3: cpu", c, " iar"), run(c, sec_ack, 0));
	/* A target list of three. */
	wr32(GICD_SGIR, 0xeu << 16 | 8u);
	for (unsigned c = 0; c < NCPU; c++)
		check(nm("list 1-3: cpu", c, " iar"), run(c, sec_ack, 0));
	/* One SGI from two sources: pending per source, taken one by one. */
	wr32(GICD_SGIR, 1u << 17 | 6u);
	run(2, sec_sgi, 1u << 17 | 6u);
	check("two sources: cpu1 iar 1", run(1, sec_ack, 0));
	check("two sources: cpu1 iar 2", run(1, sec_ack, 0));
	check("two sources: cpu1 iar 3", run(1, sec_ack, 0));
	/*
	 * CPU 3's priority mask hides an SGI its banked priority puts below.
	 * (Not GICC_HPPIR meanwhile: QEMU reads 1023 while PMR masks the
	 * pending interrupt, the vGIC names it; one of QEMU's departures
	 * listed at the top of sc_fiq.c.)
	 */
	wr_on(3, GICD_PRIO + 8, 0xa0a0c0a0u); /* SGI 9 at 0xc0 on CPU 3 */
	wr_on(3, GICC_PMR, 0x80u);
	run(0, sec_sgi, 8u << 16 | 9u);
	check("masked: cpu3 iar", run(3, sec_ack, 0));
	wr_on(3, GICC_PMR, 0xf0u);
	check("unmasked: cpu3 iar", run(3, sec_ack, 0));
	gic_all(false);
}

SCENARIO(smp_gic_banked, CV(C_MMIO))
{
	smp_up();
	gic_all(true);
	for (unsigned c = 0; c < NCPU; c++) {
		wr_on(c, GICD_ICENABLE, 0xffffffffu);
		wr_on(c, GICD_ISENABLE, 1u << (27 + 2 * (c & 1)) | 1u << c |
					1u << (8 + c));
		wr_on(c, GICD_PRIO, 0x10203040u + c * 0x08080808u);
		wr_on(c, GICD_PRIO + 28, 0x40302010u + c * 0x08080808u);
	}
	/* Read back after every CPU wrote: no CPU saw another's. */
	for (unsigned c = 0; c < NCPU; c++) {
		check(nm("cpu", c, " isenabler0"), run(c, sec_rd, GICD_ISENABLE));
		check(nm("cpu", c, " ipriorityr0"), run(c, sec_rd, GICD_PRIO));
		check(nm("cpu", c, " ipriorityr7"), run(c, sec_rd, GICD_PRIO + 28));
		check(nm("cpu", c, " itargetsr0"), run(c, sec_rd, GICD_TARGETS));
		check(nm("cpu", c, " itargetsr7"), run(c, sec_rd, GICD_TARGETS + 28));
	}
	/* The SPIs' registers are one for all. */
	wr_on(1, GICD_ISENABLE + 4, 0x5u);
	wr_on(2, GICD_TARGETS + 32, 0x04020108u);
	for (unsigned c = 0; c < NCPU; c++) {
		check(nm("cpu", c, " isenabler1"), run(c, sec_rd, GICD_ISENABLE + 4));
		check(nm("cpu", c, " itargetsr8"), run(c, sec_rd, GICD_TARGETS + 32));
	}
	wr_on(3, GICD_ICENABLE + 4, 0xffffffffu);
	wr_on(3, GICD_TARGETS + 32, 0x01010101u);
	check("cpu0 isenabler1 after", rd32(GICD_ISENABLE + 4));
	check("cpu0 itargetsr8 after", rd32(GICD_TARGETS + 32));
	gic_all(false);
}

SCENARIO(smp_twd, CV(C_MMIO))
{
	smp_up();
	for (unsigned c = 0; c < NCPU; c++)
		run(c, sec_twd_stop, 0x10000u * (c + 1));
	for (unsigned c = 0; c < NCPU; c++)
		check(nm("cpu", c, " twd load"), run(c, sec_rd, TWD_LOAD));
	/* CPU 2's timer interrupts CPU 2, no other. */
	gic_all(true);
	check("cpu2 twd iar", run(2, sec_twd_fire, 0x400u));
	check("cpu2 twd isr", extra[0]);
	check("cpu2 twd count", extra[1]);
	check("cpu2 twd ctrl", extra[2]);
	for (unsigned c = 0; c < NCPU; c++) {
		if (c == 2)
			continue;
		check(nm("cpu", c, " twd isr"), run(c, sec_rd, TWD_ISR));
		check(nm("cpu", c, " iar"), run(c, sec_ack, 0));
	}
	for (unsigned c = 0; c < NCPU; c++)
		run(c, sec_twd_stop, 0);
	gic_all(false);
}

SCENARIO(smp_wfi_wake, CV(C_MMIO) | CV(C_WFI))
{
	smp_up();
	gic_all(true);
	/* CPU 1 sleeps until CPU 0's SGI; no answer means it never woke. */
	wfi_armed = 0;
	post(1, sec_wfi_ack, 0);
	for (u32 n = 0; !wfi_armed && n < SPIN; n++)
		relax();
	wr32(GICD_SGIR, 1u << 17 | 11u);
	check("cpu1 woken by", wait_answer(1));
	/* And CPU 0 by CPU 3's. */
	run(3, sec_sgi, 1u << 16 | 12u);
	check("cpu0 woken by", sec_wfi_ack(0));
	gic_all(false);
}

/* The test page's PTE at TEST_VA; the caller's TLBI follows. */
static void remap(u32 l2, u32 pa, u32 attrs)
{
	map_small(l2, TEST_VA, pa, attrs);
	dsb();
}

SCENARIO(smp_tlb, CV(C_CP15) | CV(C_DABT))
{
	const u32 rw = PAGE_WB | P_AP(3) | P_NG;
	u32 l2;

	smp_up();
	fill(TEST_PA, 1, 0xa1a1a1a1u);
	fill(TEST_PA + 0x1000, 1, 0xb2b2b2b2u);
	fill(TEST_PA + 0x2000, 1, 0xc3c3c3c3u);
	mmu_base(L1_A);
	l2 = l2_new();
	map_l2(L1_A, TEST_VA, l2, 0);
	remap(l2, TEST_PA, rw);
	mmu_on(L1_A, 1);
	run(1, sec_mmu_on, L1_A);
	check("cpu1 first", run(1, sec_ld, TEST_VA));

	remap(l2, TEST_PA + 0x1000, rw);
	TLBIMVAIS(TEST_VA | 1u);
	dsb();
	isb();
	check("cpu1 after TLBIMVAIS", run(1, sec_ld, TEST_VA));
	check("cpu0 after TLBIMVAIS", rd32(TEST_VA));

	remap(l2, TEST_PA + 0x2000, rw);
	TLBIASIDIS(1u);
	dsb();
	isb();
	check("cpu1 after TLBIASIDIS", run(1, sec_ld, TEST_VA));

	remap(l2, TEST_PA, rw);
	TLBIALLIS(0);
	dsb();
	isb();
	check("cpu1 after TLBIALLIS", run(1, sec_ld, TEST_VA));

	remap(l2, TEST_PA + 0x1000, rw);
	TLBIMVAAIS(TEST_VA);
	dsb();
	isb();
	check("cpu1 after TLBIMVAAIS", run(1, sec_ld, TEST_VA));

	/* Access taken away: CPU 1 faults on its next load. */
	remap(l2, TEST_PA + 0x1000, PAGE_WB | P_AP(0) | P_NG);
	TLBIMVAIS(TEST_VA | 1u);
	dsb();
	isb();
	check("cpu1 no access", run(1, sec_ld, TEST_VA));
	check("cpu1 no access fsr", extra[0]);
	check("cpu1 no access far-va", extra[1]);

	run(1, sec_mmu_off, 0);
	mmu_off();
}

SCENARIO(smp_off_on, CV(C_CP15))
{
	u32 before;

	smp_up();
	mmu_base(L1_A);
	run(1, sec_mmu_on, L1_A);
	check("cpu1 sctlr.M before", run(1, sec_sctlr, 0) & 1u);
	before = mbox[1].starts;
	post(1, sec_off, 0);
	check("cpu1 off", plat_cpu_wait_off(1));
	check("cpu1 never answered", mbox[1].done != mbox[1].posted);
	plat_cpu_on(1, (u32)conf_secondary_entry);
	check("cpu1 restarted", wait_start(1, before));
	show_entry(1);
	check("cpu1 echo", run(1, sec_echo, 0x77u));
	/* MMU off again: CPU 1 sees memory as it is, not through old tables. */
	fill(TEST_PA, 1, 0xd4d4d4d4u);
	check("cpu1 flat load", run(1, sec_ld, TEST_PA));
}
