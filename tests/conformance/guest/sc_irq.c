// SPDX-License-Identifier: MIT
/*
 * Interrupt scenarios through the Cortex-A9 MPCore GIC at the same
 * address natively and virtually (PV_BOARD_PERIPH_BASE): the private timer
 * (TWD, PPI 29), the global timer (PPI 27) and SGIs; priorities, PMR
 * masking, preemption and nesting, WFI wake-up, IRQs taken from user mode
 * and every exception-return form out of an IRQ. Only the order and the
 * identity of interrupts are printed, never times or counts.
 */
#include "conf.h"
#include "mpcore.h"

#define LOG_MAX 16
static volatile u32 irq_log[LOG_MAX];
static volatile unsigned irq_n;
static volatile u32 irq_rpr[LOG_MAX];
static volatile u32 irq_mode[LOG_MAX];
static volatile u32 nest_trigger;

void gic_setup(void)
{
	wr32(GICD_CTLR, 0);
	wr32(GICD_ICENABLE, 0xffffffffu);
	wr32(GICD_ICPEND, 0xffffffffu);
	for (u32 i = 0; i < 32; i += 4)
		wr32(GICD_PRIO + i, 0xa0a0a0a0u);
	wr32(GICC_PMR, 0xf0);
	wr32(GICC_BPR, 2);
	wr32(GICD_CTLR, 1);
	wr32(GICC_CTLR, 1);
	irq_n = 0;
	nest_trigger = 0;
}

unsigned gic_ack(void)
{
	return rd32(GICC_IAR);
}

void gic_eoi(unsigned iar)
{
	wr32(GICC_EOIR, iar);
}

/* Timers stopped and acknowledged, every interrupt disabled, GIC off. */
void gic_off(void)
{
	wr32(TWD_CTRL, 0);
	wr32(TWD_ISR, 1);
	wr32(GT_CTRL, rd32(GT_CTRL) & 1u);
	wr32(GT_ISR, 1);
	wr32(GICD_ICENABLE, 0xffffffffu);
	wr32(GICD_ICPEND, 0xffffffffu);
	wr32(GICC_CTLR, 0);
	wr32(GICD_CTLR, 0);
}

static void prio(unsigned id, uint8_t p)
{
	wr8(GICD_PRIO + id, p);
}

static void enable(unsigned id)
{
	wr32(GICD_ISENABLE + (id / 32) * 4, 1u << (id % 32));
}

static void sgi(unsigned id)
{
	wr32(GICD_SGIR, (2u << 24) | id); /* to this CPU only */
}

static void nested_body(void)
{
	/* Runs in SYS mode with IRQs on: a higher-priority SGI preempts. */
	sgi(9);
	for (volatile int i = 0; i < 100; i++)
		;
}

static bool irq_hook(unsigned type, struct xframe *f)
{
	u32 iar = gic_ack(), id = iar & 0x3ff;

	if (irq_n < LOG_MAX) {
		irq_rpr[irq_n] = rd32(GICC_RPR);
		irq_mode[irq_n] = f->spsr & 0x3f;
		irq_log[irq_n++] = iar;
	}
	if (id == 29)
		wr32(TWD_ISR, 1);
	if (id == 27) {
		/* The comparator keeps matching once passed: switch it off. */
		wr32(GT_CTRL, rd32(GT_CTRL) & ~6u);
		wr32(GT_ISR, 1);
	}
	if (id == 8 && nest_trigger) {
		run_sys_irq(nested_body);
		if (irq_n < LOG_MAX)
			irq_log[irq_n++] = 0x800 | 8; /* "8 ends" */
	}
	if (id < 1020)
		gic_eoi(iar);
	return true;
}

static void wait_irqs(unsigned n)
{
	for (unsigned spin = 0; irq_n < n && spin < 2000000u; spin++)
		;
}

static void show_log(void)
{
	check("irq count", irq_n);
	for (unsigned i = 0; i < irq_n && i < LOG_MAX; i++) {
		check(nm("irq ", i, " iar"), irq_log[i]);
		if (!(irq_log[i] & 0x800))
			check(nm("irq ", i, " interrupted mode"), irq_mode[i]);
	}
}

SCENARIO(irq_twd, CV(C_IRQ) | CV(C_MMIO) | CV(C_CPS) | CV(C_SRS))
{
	gic_setup();
	x_hook[X_IRQ] = irq_hook;
	enable(29);
	wr32(TWD_LOAD, 20000);
	check("TWD load readback", rd32(TWD_LOAD));
	wr32(TWD_CTRL, 1u | 4u); /* enable, IRQ enable, one shot */
	check("TWD ctrl readback", rd32(TWD_CTRL));
	irq_enable();
	wait_irqs(1);
	irq_disable();
	show_log();
	check("TWD isr after", rd32(TWD_ISR));
	check("TWD ctrl after", rd32(TWD_CTRL));
	gic_off();
}

SCENARIO(irq_global_timer, CV(C_IRQ) | CV(C_MMIO))
{
	u32 lo;

	gic_setup();
	x_hook[X_IRQ] = irq_hook;
	enable(27);
	wr32(GT_CTRL, 1);
	lo = rd32(GT_LO);
	wr32(GT_CMP_LO, lo + 30000);
	wr32(GT_CMP_HI, rd32(GT_HI));
	check("GT cmp lo readback delta", rd32(GT_CMP_LO) - lo);
	wr32(GT_AUTOINC, 0x1234);
	check("GT autoinc readback", rd32(GT_AUTOINC));
	wr32(GT_CTRL, 1u | 2u | 4u); /* timer, comparator, IRQ */
	check("GT ctrl readback", rd32(GT_CTRL) & 0xf);
	irq_enable();
	wait_irqs(1);
	irq_disable();
	show_log();
	check("GT isr after", rd32(GT_ISR));
	gic_off();
}

SCENARIO(irq_sgi_priority, CV(C_IRQ) | CV(C_MMIO))
{
	gic_setup();
	x_hook[X_IRQ] = irq_hook;
	prio(5, 0xa0);
	prio(6, 0x40);
	prio(7, 0x80);
	for (unsigned i = 5; i <= 7; i++)
		enable(i);
	/* All three pend while masked; then highest priority first. */
	sgi(5);
	sgi(7);
	sgi(6);
	dsb();
	check("HPPIR while masked", rd32(GICC_HPPIR) & 0x3ff);
	irq_enable();
	wait_irqs(3);
	irq_disable();
	show_log();
	for (unsigned i = 0; i < irq_n; i++)
		check(nm("irq ", i, " running priority"), irq_rpr[i]);
	check("RPR idle", rd32(GICC_RPR));
	gic_off();
}

SCENARIO(irq_pmr_mask, CV(C_IRQ) | CV(C_MMIO))
{
	gic_setup();
	x_hook[X_IRQ] = irq_hook;
	prio(3, 0xc0);
	enable(3);
	wr32(GICC_PMR, 0x80);
	check("PMR readback", rd32(GICC_PMR));
	irq_enable();
	sgi(3);
	wait_irqs(1);
	check("taken below PMR", irq_n);
	wr32(GICC_PMR, 0xf0);
	wait_irqs(1);
	irq_disable();
	show_log();
	gic_off();
}

SCENARIO(irq_nesting, CV(C_IRQ) | CV(C_CPS) | CV(C_MMIO))
{
	gic_setup();
	x_hook[X_IRQ] = irq_hook;
	prio(8, 0xc0);
	prio(9, 0x40);
	enable(8);
	enable(9);
	nest_trigger = 1;
	irq_enable();
	sgi(8);
	wait_irqs(3);
	irq_disable();
	show_log();
	for (unsigned i = 0; i < irq_n && i < 2; i++)
		check(nm("irq ", i, " running priority"), irq_rpr[i]);
	gic_off();
}

SCENARIO(irq_ret_forms, CV(C_IRQ) | CV(C_RFE) | CV(C_DPERET) | CV(C_LDMERET))
{
	gic_setup();
	x_hook[X_IRQ] = irq_hook;
	enable(4);
	for (u32 form = 0; form < 4; form++) {
		x_ret_form = form;
		irq_enable();
		sgi(4);
		wait_irqs(form + 1);
		irq_disable();
	}
	x_ret_form = 0;
	show_log();
	gic_off();
}

SCENARIO(wfi_wakeup, CV(C_WFI) | CV(C_IRQ) | CV(C_MMIO))
{
	gic_setup();
	x_hook[X_IRQ] = irq_hook;
	enable(29);
	wr32(TWD_LOAD, 50000);
	wr32(TWD_CTRL, 1u | 4u);
	/* IRQs masked in the CPSR: WFI still wakes on the pending IRQ. */
	wfi();
	check("woke with irqs masked, taken", irq_n);
	check("HPPIR after wake", rd32(GICC_HPPIR) & 0x3ff);
	irq_enable();
	wait_irqs(1);
	irq_disable();
	show_log();
	/* And with IRQs enabled: WFI returns after the handler ran. */
	wr32(TWD_LOAD, 50000);
	wr32(TWD_CTRL, 1u | 4u);
	irq_enable();
	wfi();
	wait_irqs(2);
	irq_disable();
	check("second wake count", irq_n);
	gic_off();
}

static volatile u32 user_flag;

static u32 user_spin(u32 n)
{
	while (!user_flag)
		;
	return n + 1;
}

static bool irq_flag_hook(unsigned type, struct xframe *f)
{
	irq_hook(type, f);
	user_flag = 1;
	return true;
}

SCENARIO(irq_from_user, CV(C_IRQ) | CV(C_SVC) | CV(C_MMIO))
{
	gic_setup();
	x_hook[X_IRQ] = irq_flag_hook;
	user_flag = 0;
	enable(29);
	wr32(TWD_LOAD, 20000);
	wr32(TWD_CTRL, 1u | 4u);
	/* run_user enters USR mode with IRQs enabled (SPSR = 0x10). */
	check("user result", run_user(user_spin, 41));
	show_log();
	gic_off();
}

SCENARIO(wfe_sev, CV(C_WFE))
{
	u32 v = 0;

	__asm__ volatile("sev\n\t"
			 SENS(IC_WFE, "wfe")
			 "add %0, %0, #1\n\t" : "+r"(v) :: "memory");
	check("wfe after sev returned", v);
}
