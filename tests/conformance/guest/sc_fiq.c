// SPDX-License-Identifier: MIT
/*
 * FIQ scenarios. The guest runs Secure natively, so it owns the Secure
 * view of the A9 GIC (QEMU's has the Security Extensions, and pvcore's
 * vGIC models the same view): an interrupt in Group 0 (IGROUPR bit clear)
 * is signalled as FIQ when GICC_CTLR.FIQEn is set, as IRQ otherwise; a
 * Group 1 interrupt is always an IRQ. Covered: FIQ entry state (mode,
 * SPSR, return address, IAR, RPR) and the FIQ-banked r8-r12, FIQEn
 * routing both ways, FIQ preempting an IRQ handler and CPSR.F deferring
 * it, AckCtl, a timer PPI as FIQ waking WFI, and a FIQ taken from user
 * mode. Only order, identity and register values are printed.
 *
 * Every scenario leaves the GIC as the IRQ scenarios expect it: all
 * interrupts in Group 0 (the reset value), FIQEn clear, nothing pending
 * or active (SGIs cannot be cleared through ICPENDR, so each one sent is
 * acknowledged).
 *
 * Deliberately not exercised, because QEMU's GIC and the architecture
 * (which the vGIC follows) disagree:
 *  - GICD_SGIR.NSATT: QEMU pends an SGI whatever its group; a Secure write
 *    forwards it only if NSATT names the SGI's group. Every SGI here is
 *    sent with the NSATT of its own group.
 *  - a Group 1 interrupt with GICD_CTLR.EnableGrp1 clear: QEMU still
 *    lets IAR acknowledge it (AckCtl set); architecturally it is not
 *    forwarded (1023).
 *  - IAR with AckCtl clear and a Group 1 interrupt pending that cannot
 *    preempt the running priority: QEMU reads 1022, the vGIC 1023 (1022
 *    only for an interrupt that could be signalled).
 *  - EOI of a Group 1 interrupt with AckCtl clear (UNPREDICTABLE).
 *  - HPPIR while PMR masks the pending interrupt: QEMU reads 1023.
 */
#include "conf.h"
#include "mpcore.h"

/* Secure GICC_CTLR bits. */
#define EN_GRP0 (1u << 0)
#define EN_GRP1 (1u << 1)
#define ACKCTL  (1u << 2)
#define FIQEN   (1u << 3)
/*
 * IGROUPR0 bits that exist on an A9: SGIs and the wired PPIs 27..31.
 * The others are RAZ/WI on the vGIC (as on hardware) but stored by QEMU,
 * so only these are ever written.
 */
#define GRP_IMPL 0xf800ffffu
#define SGIR_NSATT (1u << 15)

/* What a handler saw, one entry per interrupt (or marker). */
struct ev {
	u32 kind;  /* X_IRQ, X_FIQ, or a marker >= 0x100 */
	u32 iar;
	u32 spsr;  /* of the interrupted code, bits [8:0] */
	u32 cpsr;  /* the handler's own, bits [8:0] */
	u32 rpr;   /* running priority after the acknowledge */
};
#define EV_MAX 12
#define M_IRQ_END 0x100  /* the IRQ handler is about to EOI */
#define M_BACK    0x101  /* back in the interrupted code */
static volatile struct ev evs[EV_MAX];
static volatile unsigned ev_n;
/* FIQ-banked r8-r12 as the FIQ handler found them, and what it leaves. */
static volatile u32 fiq_regs_seen[5];
static volatile u32 fiq_ret_raw;
static volatile u32 user_flag;
static volatile unsigned nest_round;

static void ev_add(u32 kind, u32 iar, u32 spsr)
{
	if (ev_n < EV_MAX) {
		evs[ev_n].kind = kind;
		evs[ev_n].iar = iar;
		evs[ev_n].spsr = spsr & 0x1ff;
		evs[ev_n].cpsr = get_cpsr() & 0x1ff;
		evs[ev_n].rpr = rd32(GICC_RPR);
		ev_n++;
	}
}

static void show_evs(void)
{
	static const char *const kinds[] = { "irq", "fiq", "irq-end", "back" };

	check("events", ev_n);
	for (unsigned i = 0; i < ev_n && i < EV_MAX; i++) {
		u32 k = evs[i].kind;
		const char *s = k == X_IRQ ? kinds[0] : k == X_FIQ ? kinds[1] :
				k == M_IRQ_END ? kinds[2] : kinds[3];

		check_str(nm("ev ", i, " kind"), s);
		if (k == X_IRQ || k == X_FIQ) {
			check(nm("ev ", i, " iar"), evs[i].iar);
			check(nm("ev ", i, " interrupted spsr"), evs[i].spsr);
		}
		check(nm("ev ", i, " cpsr"), evs[i].cpsr);
		check(nm("ev ", i, " rpr"), evs[i].rpr);
	}
}

static void wait_evs(unsigned n)
{
	for (unsigned spin = 0; ev_n < n && spin < 2000000u; spin++)
		;
}

static void settle(void)
{
	for (volatile int i = 0; i < 2000; i++)
		;
}

static void fiq_on(void)
{
	__asm__ volatile(SENS(IC_CPS, "cpsie f") ::: "memory");
}

static void fiq_off(void)
{
	__asm__ volatile(SENS(IC_CPS, "cpsid f") ::: "memory");
}

static void if_on(void)
{
	__asm__ volatile(SENS(IC_CPS, "cpsie if") ::: "memory");
}

static void if_off(void)
{
	__asm__ volatile(SENS(IC_CPS, "cpsid if") ::: "memory");
}

static void prio(unsigned id, uint8_t p)
{
	wr8(GICD_PRIO + id, p);
}

static void enable(unsigned id)
{
	wr32(GICD_ISENABLE + (id / 32) * 4, 1u << (id % 32));
}

/* An SGI to this CPU, with the NSATT of its group (see the top). */
static void sgi(unsigned id)
{
	u32 grp1 = (rd32(GICD_IGROUPR) >> id) & 1;

	wr32(GICD_SGIR, (2u << 24) | (grp1 ? SGIR_NSATT : 0) | id);
}

/* gic_setup() (sc_irq.c), then the groups (bit set = Group 1) and CTLRs. */
static void fiq_gic_setup(u32 grp1, u32 cpu_ctlr)
{
	gic_setup();
	wr32(GICD_IGROUPR, grp1 & GRP_IMPL);
	wr32(GICD_CTLR, 3);  /* EnableGrp0 | EnableGrp1 */
	wr32(GICC_CTLR, cpu_ctlr);
	ev_n = 0;
	nest_round = 0;
	user_flag = 0;
}

/* Back to what the IRQ scenarios expect: Group 0 everywhere, FIQEn off. */
static void fiq_gic_off(void)
{
	wr32(GICD_IGROUPR, 0);
	gic_off();
}

static void quiet_timers(u32 id)
{
	if (id == 29)
		wr32(TWD_ISR, 1);
	if (id == 27) {
		/* The comparator keeps matching once passed: switch it off. */
		wr32(GT_CTRL, rd32(GT_CTRL) & ~6u);
		wr32(GT_ISR, 1);
	}
}

/* IRQ and FIQ alike: acknowledge, log, quiet the source, EOI. */
static bool log_hook(unsigned type, struct xframe *f)
{
	u32 iar = gic_ack();

	ev_add(type, iar, f->spsr);
	quiet_timers(iar & 0x3ff);
	if ((iar & 0x3ff) < 1020)
		gic_eoi(iar);
	return true;
}

/* ---- FIQ entry state and the banked r8-r12 ---------------------------- */

/*
 * u32 fiq_bank_probe(u32 out[10]): give the FIQ bank's r8-r12 and the
 * SVC (shared) r8-r12 distinct values, open CPSR.F with a FIQ pending so
 * that it is taken right there, then store the shared r8-r12 (out[0..4])
 * and the FIQ bank's (out[5..9]) as the handler left them.
 */
u32 fiq_bank_probe(u32 *out);
extern const char fiq_probe_ret[];
__asm__(".pushsection .text\n\t"
	".balign 4\n\t"
	".global fiq_bank_probe, fiq_probe_ret\n\t"
	".type fiq_bank_probe, %function\n"
	"fiq_bank_probe:\n\t"
	"push {r4-r11, lr}\n\t"
	"mov r4, r0\n\t"
	SENS(IC_CPS, "cps #0x11")
	"ldr r8, =0xf1000008\n\t"
	"ldr r9, =0xf1000009\n\t"
	"ldr r10, =0xf100000a\n\t"
	"ldr r11, =0xf100000b\n\t"
	"ldr r12, =0xf100000c\n\t"
	SENS(IC_CPS, "cps #0x13")
	"ldr r8, =0x5c000008\n\t"
	"ldr r9, =0x5c000009\n\t"
	"ldr r10, =0x5c00000a\n\t"
	"ldr r11, =0x5c00000b\n\t"
	"ldr r12, =0x5c00000c\n\t"
	SENS(IC_CPS, "cpsie f")
	"fiq_probe_ret:\n\t"
	"nop\n\t"
	SENS(IC_CPS, "cpsid f")
	"stmia r4!, {r8-r12}\n\t"
	SENS(IC_CPS, "cps #0x11")
	"stmia r4!, {r8-r12}\n\t"
	SENS(IC_CPS, "cps #0x13")
	"pop {r4-r11, pc}\n\t"
	".ltorg\n\t"
	".size fiq_bank_probe, . - fiq_bank_probe\n\t"
	".popsection");

static bool bank_hook(unsigned type, struct xframe *f)
{
	for (unsigned i = 0; i < 5; i++) {
		fiq_regs_seen[i] = f->r[8 + i];
		/* Returned through the frame: the FIQ bank keeps these. */
		f->r[8 + i] = 0xf2000008u + i;
	}
	fiq_ret_raw = f->pad;
	return log_hook(type, f);
}

SCENARIO(fiq_sgi_entry, CV(C_FIQ) | CV(C_MMIO) | CV(C_CPS) | CV(C_MRS))
{
	u32 out[10];

	fiq_gic_setup(~(1u << 1), EN_GRP0 | EN_GRP1 | ACKCTL | FIQEN);
	check("GICD_CTLR", rd32(GICD_CTLR));
	check("GICC_CTLR", rd32(GICC_CTLR));
	check("IGROUPR0", rd32(GICD_IGROUPR));
	x_hook[X_FIQ] = bank_hook;
	prio(1, 0x60);
	/* CPSR.F (and I) masked: the FIQ stays pending. */
	sgi(1);
	settle();
	check("taken while F masked", ev_n);
	check("ISPENDR0 SGIs", rd32(GICD_ISPEND) & 0xffff);
	check("HPPIR", rd32(GICC_HPPIR));
	fiq_bank_probe(out);
	show_evs();
	check("return pc - label", last_x.pc - (u32)fiq_probe_ret);
	check("lr_fiq - label", fiq_ret_raw - (u32)fiq_probe_ret);
	for (unsigned i = 0; i < 5; i++)
		check(nm("handler r", 8 + i, " (FIQ bank)"), fiq_regs_seen[i]);
	for (unsigned i = 0; i < 5; i++)
		check(nm("after r", 8 + i, " (interrupted)"), out[i]);
	for (unsigned i = 0; i < 5; i++)
		check(nm("after r", 8 + i, "_fiq"), out[5 + i]);
	check("ISACTIVER0 after", rd32(GICD_ISACTIVE) & 0xffff);
	check("RPR after", rd32(GICC_RPR));
	fiq_gic_off();
}

/* ---- FIQEn routes Group 0 only -------------------------------------- */

SCENARIO(fiq_fiqen_routing, CV(C_FIQ) | CV(C_IRQ) | CV(C_MMIO) | CV(C_CPS))
{
	/* SGI 2 in Group 0, SGI 3 in Group 1. */
	fiq_gic_setup(1u << 3, EN_GRP0 | EN_GRP1 | ACKCTL);
	x_hook[X_IRQ] = log_hook;
	x_hook[X_FIQ] = log_hook;
	/* FIQEn clear: Group 0 is an IRQ, F does not let it in. */
	sgi(2);
	fiq_on();
	settle();
	fiq_off();
	check("FIQEn=0, F open: taken", ev_n);
	irq_enable();
	wait_evs(1);
	irq_disable();
	/* FIQEn set: the same interrupt is now a FIQ; I does not let it in. */
	wr32(GICC_CTLR, EN_GRP0 | EN_GRP1 | ACKCTL | FIQEN);
	check("GICC_CTLR with FIQEn", rd32(GICC_CTLR));
	sgi(2);
	irq_enable();
	settle();
	irq_disable();
	check("FIQEn=1, I open: taken", ev_n);
	fiq_on();
	wait_evs(2);
	fiq_off();
	/* Pending as a FIQ, then FIQEn cleared: it turns into an IRQ. */
	sgi(2);
	wr32(GICC_CTLR, EN_GRP0 | EN_GRP1 | ACKCTL);
	fiq_on();
	settle();
	fiq_off();
	check("FIQEn cleared while pending, F open: taken", ev_n);
	irq_enable();
	wait_evs(3);
	irq_disable();
	/* Group 1 is an IRQ even with FIQEn set. */
	wr32(GICC_CTLR, EN_GRP0 | EN_GRP1 | ACKCTL | FIQEN);
	sgi(3);
	fiq_on();
	settle();
	fiq_off();
	check("Group 1, FIQEn=1, F open: taken", ev_n);
	irq_enable();
	wait_evs(4);
	irq_disable();
	show_evs();
	fiq_gic_off();
}

/* ---- FIQ preempting an IRQ handler, and CPSR.F deferring it ---------- */

static bool nest_irq_hook(unsigned type, struct xframe *f)
{
	u32 iar = gic_ack();

	ev_add(type, iar, f->spsr);
	if ((iar & 0x3ff) == 4) {
		/* Round 1 runs with F clear (inherited), round 2 with F set. */
		sgi(5);
		settle();
		ev_add(M_IRQ_END, 0, 0);
		gic_eoi(iar);
	}
	return true;
}

SCENARIO(fiq_nesting, CV(C_FIQ) | CV(C_IRQ) | CV(C_MMIO) | CV(C_CPS))
{
	/* SGI 4: Group 1 IRQ, priority 0xc0; SGI 5: Group 0 FIQ, 0x40. */
	fiq_gic_setup(1u << 4, EN_GRP0 | EN_GRP1 | ACKCTL | FIQEN);
	x_hook[X_IRQ] = nest_irq_hook;
	x_hook[X_FIQ] = log_hook;
	prio(4, 0xc0);
	prio(5, 0x40);
	/* I and F open: the FIQ preempts the IRQ handler. */
	if_on();
	sgi(4);
	wait_evs(3);
	if_off();
	check("round 1 events", ev_n);
	/* Only I open: the FIQ waits until the interrupted code opens F. */
	irq_enable();
	sgi(4);
	wait_evs(5);
	irq_disable();
	ev_add(M_BACK, 0, 0);
	check("HPPIR with F masked", rd32(GICC_HPPIR));
	fiq_on();
	wait_evs(7);
	fiq_off();
	show_evs();
	check("RPR after", rd32(GICC_RPR));
	fiq_gic_off();
}

/* ---- AckCtl: what the Secure side sees of a Group 1 interrupt -------- */

SCENARIO(fiq_ackctl, CV(C_MMIO))
{
	/* Polled, I and F masked. SGI 6 Group 1 (0xa0), SGI 7 Group 0 (0x80). */
	fiq_gic_setup(1u << 6, EN_GRP0 | EN_GRP1);
	prio(7, 0x80);
	sgi(6);
	check("AckCtl=0, Group 1 pending: HPPIR", rd32(GICC_HPPIR));
	check("AckCtl=0, Group 1 pending: IAR", rd32(GICC_IAR));
	check("still pending", rd32(GICD_ISPEND) & 0xffff);
	check("RPR", rd32(GICC_RPR));
	sgi(7);
	{
		u32 iar = rd32(GICC_IAR);

		check("Group 0 above it: IAR", iar);
		check("RPR while 7 active", rd32(GICC_RPR));
		gic_eoi(iar);
	}
	check("again: IAR", rd32(GICC_IAR));
	wr32(GICC_CTLR, EN_GRP0 | EN_GRP1 | ACKCTL);
	check("GICC_CTLR", rd32(GICC_CTLR));
	{
		u32 iar = rd32(GICC_IAR);

		check("AckCtl=1: IAR", iar);
		check("RPR while 6 active", rd32(GICC_RPR));
		gic_eoi(iar);
	}
	check("nothing left: IAR", rd32(GICC_IAR));
	check("pending after", rd32(GICD_ISPEND) & 0xffff);
	check("active after", rd32(GICD_ISACTIVE) & 0xffff);
	fiq_gic_off();
}

/* ---- timer PPIs as FIQs, waking WFI ---------------------------------- */

SCENARIO(fiq_timer_wfi, CV(C_FIQ) | CV(C_WFI) | CV(C_MMIO) | CV(C_CPS))
{
	u32 lo, hi;

	/* Everything Group 0; FIQEn: both timers are FIQs. */
	fiq_gic_setup(0, EN_GRP0 | EN_GRP1 | ACKCTL | FIQEN);
	x_hook[X_FIQ] = log_hook;
	x_hook[X_IRQ] = log_hook;
	enable(29);
	enable(27);
	/* I and F masked: WFI still wakes on the pending FIQ. */
	wr32(TWD_LOAD, 50000);
	wr32(TWD_CTRL, 1u | 4u); /* enable, IRQ enable, one shot */
	wfi();
	check("TWD: woke with F masked, taken", ev_n);
	check("TWD: HPPIR after wake", rd32(GICC_HPPIR));
	fiq_on();
	wait_evs(1);
	fiq_off();
	/*
	 * F open: the global timer's FIQ ends the WFI and is taken. Far
	 * enough out that it cannot fire before the WFI (nothing would wake
	 * it then); WFI costs no time under -icount sleep=off.
	 */
	wr32(GT_CTRL, 1);
	do {	/* a consistent 64-bit count, and the carry into the high word */
		hi = rd32(GT_HI);
		lo = rd32(GT_LO);
	} while (rd32(GT_HI) != hi);
	wr32(GT_CMP_LO, lo + 200000);
	wr32(GT_CMP_HI, hi + (lo + 200000 < lo));
	wr32(GT_CTRL, 1u | 2u | 4u); /* timer, comparator, IRQ */
	fiq_on();
	wfi();
	wait_evs(2);
	fiq_off();
	show_evs();
	check("GT isr after", rd32(GT_ISR));
	check("TWD isr after", rd32(TWD_ISR));
	fiq_gic_off();
}

/* ---- a FIQ taken from user mode -------------------------------------- */

/*
 * u32 fiq_user_spin(u32 *flag), run in USR mode: sets r8-r12, spins until
 * the FIQ handler sets *flag, returns r8 + ... + r12 (the FIQ must not
 * have touched the user's r8-r12).
 */
u32 fiq_user_spin(u32 flag);
__asm__(".pushsection .text\n\t"
	".balign 4\n\t"
	".global fiq_user_spin\n\t"
	".type fiq_user_spin, %function\n"
	"fiq_user_spin:\n\t"
	"push {r4-r11, lr}\n\t"
	"ldr r8, =0x00100008\n\t"
	"ldr r9, =0x00200009\n\t"
	"ldr r10, =0x0040000a\n\t"
	"ldr r11, =0x0080000b\n\t"
	"ldr r12, =0x0100000c\n\t"
	"1: ldr r1, [r0]\n\t"
	"cmp r1, #0\n\t"
	"beq 1b\n\t"
	"add r0, r8, r9\n\t"
	"add r0, r0, r10\n\t"
	"add r0, r0, r11\n\t"
	"add r0, r0, r12\n\t"
	"pop {r4-r11, pc}\n\t"
	".ltorg\n\t"
	".size fiq_user_spin, . - fiq_user_spin\n\t"
	".popsection");

static bool user_fiq_hook(unsigned type, struct xframe *f)
{
	/* Dirty the FIQ bank: the user's r8-r12 must not see it. */
	f->r[8] = f->r[9] = f->r[10] = f->r[11] = f->r[12] = 0xbad0f1f0u;
	log_hook(type, f);
	user_flag = 1;
	return true;
}

SCENARIO(fiq_from_user, CV(C_FIQ) | CV(C_SVC) | CV(C_MMIO))
{
	fiq_gic_setup(0, EN_GRP0 | EN_GRP1 | ACKCTL | FIQEN);
	x_hook[X_FIQ] = user_fiq_hook;
	enable(29);
	wr32(TWD_LOAD, 20000);
	wr32(TWD_CTRL, 1u | 4u);
	/* run_user enters USR mode with I and F clear (SPSR = 0x10). */
	check("user result", run_user(fiq_user_spin, (u32)&user_flag));
	show_evs();
	fiq_gic_off();
}
