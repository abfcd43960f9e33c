// SPDX-License-Identifier: MIT
/*
 * pvbm: the bare-metal VMM. Brings the i.MX6Q up (MMU, caches, GIC,
 * timers, UART), builds one pv_vm around the embedded test guest and runs
 * it: every exception the guest takes arrives in pvbm_trap() through the
 * window trampoline and goes to pv_vcpu_handle_trap().
 */
#include <pvcore/board.h>
#include <pvcore/error.h>
#include <pvcore/patch.h>
#include <pvcore/vm.h>

#include "bm.h"
#include "ops.h"

_Static_assert(__builtin_offsetof(struct pvbm_frame, pc) == 60, "frame");
_Static_assert(__builtin_offsetof(struct pvbm_frame, g_ttbr0) == 100, "frame");
_Static_assert(__builtin_offsetof(struct pvbm_frame, g_align) == 104, "frame");
_Static_assert(sizeof(struct pvbm_frame) == 108, "frame");
_Static_assert(PVBM_GUEST_SIZE == PV_BOARD_RAM_SIZE, "guest RAM = the board's");

extern const uint8_t pvbm_guest_start[], pvbm_guest_end[];

/*
 * A Linux image (tools/mk-linux-image.sh) links in this descriptor; the
 * test-guest images do not, and then boot their .guest_blob as before.
 * All addresses are guest-physical and were chosen by the image builder,
 * which also wrote the initramfs location into the DTB's /chosen node.
 */
struct pvbm_linux_payload {
	uint32_t magic;            /* PVBM_LINUX_MAGIC */
	uint32_t kernel_gpa;       /* RAM base + TEXT_OFFSET of the Image */
	uint32_t dtb_gpa;
	uint32_t initrd_gpa;
	const uint8_t *image, *image_end;   /* the pvpatch'ed Image */
	const uint8_t *sites, *sites_end;   /* its site table (4-aligned) */
	const uint8_t *dtb, *dtb_end;
	const uint8_t *initrd, *initrd_end;
};
#define PVBM_LINUX_MAGIC 0x78756e4cu /* "Lnux" */
extern const struct pvbm_linux_payload pvbm_linux __attribute__((weak));
extern uint8_t pvbm_stack_vmm_top[];

#define PSR_MODE_MASK 0x1fu
#define PSR_USR 0x10u
#define PSR_T (1u << 5)
#define PSR_AIF (7u << 6)

/* Injected faults in a row at one PC that mean a fault loop. */
#define PVBM_LOOP_LIMIT 1000u
/* Guest time budget before the host watchdog stops it, in ticks. */
#ifndef PVBM_BUDGET_TICKS
#define PVBM_BUDGET_TICKS (PVBM_TICK_HZ * 60u)
#endif
/* A Linux boot runs much longer than a test guest: 10 guest minutes. */
#define PVBM_LINUX_BUDGET_TICKS (PVBM_TICK_HZ * 600u)
static uint64_t budget_ticks = PVBM_BUDGET_TICKS;
/* Linux: stop a fault loop early, while its cause is still in the
 * 64-entry trace ring. */
#define PVBM_LINUX_LOOP_LIMIT 32u
static uint32_t loop_limit = PVBM_LOOP_LIMIT;

static struct pv_vm vm;
/*
 * The site table pvcore gets for Linux: pvpatch's sites at their link
 * addresses (0xC0xxxxxx), with the Image's load address set so that the
 * core also finds them at guest-physical PCs (head.S with the MMU off, the
 * identity-mapped idmap code).
 */
static struct pv_patch_table linux_sites;
static uint32_t window_l1_desc[1];
static uint32_t routed[1024 / 32];
static uint32_t last_pc, last_far, same_pc_count;
static uint64_t oneshots;

void pvbm_route_set(unsigned irq, bool on)
{
	if (on)
		routed[irq / 32] |= 1u << (irq % 32);
	else
		routed[irq / 32] &= ~(1u << (irq % 32));
}

static void summary(void)
{
	pvbm_puts("pvbm: host timer: ");
	pvbm_put_dec(pvbm_ticks);
	pvbm_puts(" ticks, ");
	pvbm_put_dec(oneshots);
	pvbm_puts(" one-shot expiries\n");
	pvbm_puts("pvbm: trap counters:\n");
	for (unsigned r = 0; r < PV_TR_COUNT; r++) {
		uint64_t n = pv_vm_trap_count(&vm, (enum pv_trap_reason)r);

		if (!n)
			continue;
		pvbm_puts("pvbm:   reason ");
		pvbm_put_dec(r);
		pvbm_puts(" ");
		pvbm_puts(pv_trap_reason_name((enum pv_trap_reason)r));
		pvbm_puts(" = ");
		pvbm_put_dec(n);
		pvbm_puts("\n");
	}
}

static __attribute__((noreturn)) void fatal_stop(const char *why, int err,
						 int status, bool dump)
{
	pvbm_puts("pvbm: FATAL: ");
	pvbm_puts(why);
	if (err) {
		pvbm_puts(": ");
		pvbm_puts(pv_strerror(err));
		pvbm_puts(" (");
		pvbm_put_dec((uint64_t)-(int64_t)err);
		pvbm_puts(")");
	}
	pvbm_puts("\n");
	if (dump)
		pv_vm_dump_trace(&vm);
	else
		pvbm_log("(pvcore dumped its trap trace above)");
	summary();
	pvbm_puts("pvbm: exit status ");
	pvbm_put_dec((uint64_t)status);
	pvbm_puts("\n");
	pvbm_exit(status);
}

/* A stop decided by the backend: dump the trace ring ourselves. */
static __attribute__((noreturn)) void fatal(const char *why, int err,
					    int status)
{
	fatal_stop(why, err, status, true);
}

/* A trap that did not come from the guest: a bug in the VMM itself. */
static __attribute__((noreturn)) void host_exception(const struct pvbm_frame *f)
{
	static const char *const names[] = { "reset", "undef", "svc",
		"prefetch abort", "data abort", "irq", "fiq" };

	pvbm_puts("pvbm: HOST EXCEPTION: ");
	pvbm_puts(f->kind < 7 ? names[f->kind] : "?");
	pvbm_puts(" lr=");
	pvbm_put_hex(f->pc);
	pvbm_puts(" spsr=");
	pvbm_put_hex(f->cpsr);
	pvbm_puts(" dfsr=");
	pvbm_put_hex(PVBM_MRC(0, 5, 0, 0));
	pvbm_puts(" dfar=");
	pvbm_put_hex(PVBM_MRC(0, 6, 0, 0));
	pvbm_puts(" ifsr=");
	pvbm_put_hex(PVBM_MRC(0, 5, 0, 1));
	pvbm_puts(" ifar=");
	pvbm_put_hex(PVBM_MRC(0, 6, 0, 2));
	pvbm_puts("\n");
	fatal("exception taken inside the VMM", 0, PVBM_EXIT_HOST);
}

/* Acknowledge and service every pending host interrupt. */
static void service_irqs(void)
{
	for (;;) {
		unsigned iar = pvbm_gic_ack(), irq = iar & 0x3ff;
		bool fired = false;

		if (irq >= 1020)
			return;
		if (pvbm_timer_irq(irq, &fired)) {
			pvbm_gic_eoi(iar);
			if (fired) {
				oneshots++;
				pv_vm_timer_expired(&vm);
			}
			continue;
		}
		if (irq < 1024 && (routed[irq / 32] & (1u << (irq % 32)))) {
			/* Level lines stay masked until the core re-routes
			 * them, after the guest has dealt with the device. */
			pvbm_gic_enable(irq, false);
			pvbm_gic_eoi(iar);
			pv_vm_phys_irq(&vm, irq, true);
			continue;
		}
		pvbm_gic_enable(irq, false); /* spurious source: silence it */
		pvbm_gic_eoi(iar);
	}
}

static void check_budget(void)
{
	if (pvbm_ticks > budget_ticks)
		fatal("watchdog: guest time budget exhausted", 0,
		      PVBM_EXIT_WATCHDOG);
}

static uint64_t injected_faults(void)
{
	return pv_vm_trap_count(&vm, PV_TR_GUEST_PABT) +
	       pv_vm_trap_count(&vm, PV_TR_GUEST_DABT) +
	       pv_vm_trap_count(&vm, PV_TR_UNDEF_INJECT);
}

/*
 * A guest whose fault handler itself faults (unmapped vectors, say) would
 * spin forever in trap and inject. Count faults pvcore injected at one PC
 * and one fault address in a row; legitimate traps (MMIO polling,
 * hypercalls) never count. The address matters: a user loop that writes
 * to fresh pages (memset of a new buffer) faults at one PC many times,
 * each time on a new page, and the guest resolves every one.
 */
static void check_fault_loop(uint32_t pc, uint32_t far, uint64_t faults_before)
{
	if (injected_faults() == faults_before)
		return;
	if (pc != last_pc || far != last_far) {
		last_pc = pc;
		last_far = far;
		same_pc_count = 0;
	} else if (++same_pc_count >= loop_limit) {
		fatal("watchdog: guest is stuck in a fault loop", 0,
		      PVBM_EXIT_WATCHDOG);
	}
}

static __attribute__((noreturn)) void stop(const struct pv_exit *e)
{
	switch (e->reason) {
	case PV_STOP_POWEROFF:
	case PV_STOP_HYPERCALL:
		summary();
		pvbm_puts("pvbm: guest stopped (reason ");
		pvbm_put_dec(e->reason);
		pvbm_puts(", code ");
		pvbm_put_dec((uint32_t)e->code);
		pvbm_puts(")\n");
		pvbm_exit(e->code == 0 ? PVBM_EXIT_OK : PVBM_EXIT_GUEST_ERR);
	case PV_STOP_RESET:
		fatal("guest asked for a reset, which pvbm does not support", 0,
		      PVBM_EXIT_GUEST_ERR);
	default:
		/* pvcore dumps the trace itself when it gives up. */
		fatal_stop("pvcore stopped the guest",
			   e->code < 0 ? e->code : 0, PVBM_EXIT_FATAL, false);
	}
}

/* The Non-secure SCTLR.A copy as last set (see pvbm_ns_sctlr_align()). */
static bool ns_align;

/* Fill the frame from the vCPU and the core's resume state. */
static void prepare_resume(struct pvbm_frame *f, struct pv_vcpu *v)
{
	struct pv_resume rs;

	pv_vcpu_resume_state(v, &rs);
	/* Never hand the guest a privileged host mode or masked interrupts
	 * (the host tick must get through). */
	if ((rs.host_cpsr & PSR_MODE_MASK) != PSR_USR)
		fatal("resume state is not host USR mode", PV_ESTATE,
		      PVBM_EXIT_FATAL);
	/* The VMM runs under the guest's DACR (window.S): its domain must
	 * stay Client there. */
	if (((rs.dacr >> (2 * PVBM_WINDOW_DOMAIN)) & 3u) != 1u)
		fatal("resume DACR does not keep the VMM domain Client",
		      PV_ESTATE, PVBM_EXIT_FATAL);
	if (!pv_hpa_val(rs.ttbr0))
		fatal("resume state has no shadow root", PV_ESTATE,
		      PVBM_EXIT_FATAL);
	for (unsigned i = 0; i < 13; i++)
		f->r[i] = v->r[i];
	f->usr_sp = v->r[13];
	f->usr_lr = v->r[14];
	f->pc = v->r[15];
	f->cpsr = rs.host_cpsr & ~PSR_AIF;
	f->g_ttbr0 = (uint32_t)pv_hpa_val(rs.ttbr0);
	f->g_asid = rs.asid;
	f->g_dacr = rs.dacr;
	f->g_align = rs.align_check;
	if (rs.align_check != ns_align) {
		pvbm_ns_sctlr_align(rs.align_check);
		ns_align = rs.align_check;
	}
	pvbm_vfp_set(rs.vfp_enable);
	/* The guest kernel reads TPIDRURO natively at PL0 (Linux keeps
	 * "current" there); its writes trap, so the host copy is refreshed
	 * on every return. TPIDRURW is never touched by pvbm: the host
	 * register is the guest's live copy. */
	PVBM_MCR(0, 13, 0, 3, rs.tpidruro);
}

/*
 * Linux guests: say where pvcore injected an UNDEF into the guest kernel
 * (the last trace entry), for the first few. A kernel probing a feature
 * does this on purpose; an instruction pvcore cannot emulate shows up here
 * too. UNDEFs in guest user mode are routine (lazy VFP enabling) and are
 * only counted.
 */
static bool log_undef;
static unsigned undef_logged;

static void report_undef(void)
{
	const struct pv_trace_entry *t =
		&vm.trace[(vm.trace_next - 1) % PV_TRACE_ENTRIES];

	if ((t->cpsr & PSR_MODE_MASK) == PSR_USR || undef_logged++ >= 64)
		return;
	pvbm_puts("pvbm: UNDEF injected at pc ");
	pvbm_put_hex(t->pc);
	pvbm_puts(" insn ");
	pvbm_put_hex(t->insn);
	pvbm_puts(" cpsr ");
	pvbm_put_hex(t->cpsr);
	pvbm_puts("\n");
}

static const enum pv_trap_kind kind_map[] = {
	[PVBM_K_UNDEF] = PV_TRAP_UNDEF, [PVBM_K_SVC] = PV_TRAP_SVC,
	[PVBM_K_PABT] = PV_TRAP_PABT,   [PVBM_K_DABT] = PV_TRAP_DABT,
	[PVBM_K_IRQ] = PV_TRAP_IRQ,     [PVBM_K_FIQ] = PV_TRAP_FIQ,
};

void pvbm_trap(struct pvbm_frame *f)
{
	struct pv_vcpu *v = &vm.vcpu[0];
	struct pv_trap t = { 0 };
	struct pv_exit e;
	uint32_t lr = f->pc, thumb = f->cpsr & PSR_T, pc;
	uint64_t faults, undefs = pv_vm_trap_count(&vm, PV_TR_UNDEF_INJECT);
	int err;

	if ((f->cpsr & PSR_MODE_MASK) != PSR_USR || f->kind == PVBM_K_RESET ||
	    f->kind == PVBM_K_FIQ)
		host_exception(f);

	for (unsigned i = 0; i < 13; i++)
		v->r[i] = f->r[i];
	v->r[13] = f->usr_sp;
	v->r[14] = f->usr_lr;
	/* pvcore's PC convention (vcpu.h): the trapping instruction for
	 * synchronous exceptions, the next one for interrupts. */
	switch (f->kind) {
	case PVBM_K_UNDEF:
	case PVBM_K_SVC:
		v->r[15] = lr - (thumb ? 2 : 4);
		break;
	case PVBM_K_DABT:
		v->r[15] = lr - 8;
		t.fsr = PVBM_MRC(0, 5, 0, 0);
		t.far = PVBM_MRC(0, 6, 0, 0);
		break;
	case PVBM_K_PABT:
		v->r[15] = lr - 4;
		t.fsr = PVBM_MRC(0, 5, 0, 1);
		t.far = PVBM_MRC(0, 6, 0, 2);
		break;
	default: /* IRQ */
		v->r[15] = lr - 4;
		service_irqs();
		break;
	}
	t.kind = kind_map[f->kind];
	t.host_cpsr = f->cpsr;

	check_budget();
	pc = v->r[15];
	faults = injected_faults();
	err = pv_vcpu_handle_trap(v, &t, &e);
	if (err)
		fatal("pv_vcpu_handle_trap refused the trap", err, PVBM_EXIT_FATAL);
	check_fault_loop(pc, t.far, faults);
	if (log_undef && pv_vm_trap_count(&vm, PV_TR_UNDEF_INJECT) != undefs)
		report_undef();
	while (e.action == PV_ACTION_WAIT) {
		pvbm_wfi();      /* wakes on a pending IRQ even while masked */
		service_irqs();
		check_budget();
		pv_vcpu_poll(v, &e);
	}
	if (e.action == PV_ACTION_STOP)
		stop(&e);
	prepare_resume(f, v);
}

/* Copy one payload piece into guest RAM and make it visible to fetches. */
static void load_piece(const char *what, uint32_t gpa, const uint8_t *start,
		       const uint8_t *end)
{
	size_t len = (size_t)(end - start);
	int err = pv_vm_load(&vm, pv_gpa(gpa), start, len);

	if (err)
		fatal(what, err, PVBM_EXIT_HOST);
	pvbm_ops.cache_clean_range(&vm, pv_hva(PVBM_GUEST_PA +
					       (gpa - PV_BOARD_RAM_BASE)), len);
	pvbm_puts("pvbm: ");
	pvbm_puts(what);
	pvbm_puts(": ");
	pvbm_put_dec(len);
	pvbm_puts(" bytes at ");
	pvbm_put_hex(gpa);
	pvbm_puts("\n");
}

/* Validate the site table before pv_vm_init(), which takes it in cfg. */
static void linux_sites_parse(struct pv_vm_config *cfg)
{
	const struct pvbm_linux_payload *p = &pvbm_linux;
	int err;

	if (p->magic != PVBM_LINUX_MAGIC)
		fatal("linux payload descriptor is corrupt", 0, PVBM_EXIT_HOST);
	err = pv_patch_table_parse(p->sites, (size_t)(p->sites_end - p->sites),
				   &linux_sites);
	if (err)
		fatal("pvpatch site table rejected", err, PVBM_EXIT_HOST);
	if (linux_sites.image_size != (uint32_t)(p->image_end - p->image))
		fatal("site table is not for this Image", 0, PVBM_EXIT_HOST);
	err = pv_patch_table_set_load(&linux_sites, pv_gpa(p->kernel_gpa));
	if (err)
		fatal("Image load address overlaps its link addresses", err,
		      PVBM_EXIT_HOST);
	cfg->patch_sites = &linux_sites;
	pvbm_puts("pvbm: pvpatch site table: ");
	pvbm_put_dec(linux_sites.count);
	pvbm_puts(" sites, also at their load addresses from ");
	pvbm_put_hex(p->kernel_gpa);
	pvbm_puts("\n");
}

/*
 * Load Image, DTB and initramfs and set the vCPU up per the ARM Linux boot
 * protocol (Documentation/arch/arm/booting.rst): SVC mode, IRQ/FIQ masked,
 * MMU and caches off (the reset state of pv_vcpu_reset()), r0 = 0,
 * r1 = ~0 (no machine number: DT boot), r2 = DTB address.
 */
static uint32_t linux_load(struct pv_vcpu *v)
{
	const struct pvbm_linux_payload *p = &pvbm_linux;

	load_piece("linux Image", p->kernel_gpa, p->image, p->image_end);
	load_piece("linux DTB", p->dtb_gpa, p->dtb, p->dtb_end);
	if (p->initrd_end != p->initrd)
		load_piece("linux initramfs", p->initrd_gpa, p->initrd,
			   p->initrd_end);
	pvbm_ops.icache_inval_all(&vm);
	v->r[0] = 0;
	v->r[1] = 0xffffffffu;
	v->r[2] = p->dtb_gpa;
	return p->kernel_gpa;
}

static void check_cpu(uint32_t *periph)
{
	uint32_t midr = PVBM_MRC(0, 0, 0, 0), cbar = PVBM_MRC(4, 15, 0, 0);

	pvbm_puts("pvbm: host MIDR ");
	pvbm_put_hex(midr);
	pvbm_puts(", CBAR ");
	pvbm_put_hex(cbar);
	pvbm_puts("\n");
	*periph = cbar & 0xffffe000u;
	/* QEMU's sabrelite leaves CBAR at 0; the i.MX6Q address is fixed. */
	if (!*periph) {
		*periph = PVBM_PERIPH_BASE;
		pvbm_log("CBAR reads 0: using the i.MX6Q MPCore base 0x00a00000");
	} else if (*periph != PVBM_PERIPH_BASE) {
		pvbm_log("warning: MPCore peripherals not at the i.MX6Q address");
	}
}

void pvbm_main(void);
void pvbm_main(void)
{
	struct pv_vm_config cfg = { 0 };
	uint32_t periph;
	uint64_t t0;
	int err;

	pvbm_uart_init();
	pvbm_puts("\npvbm: pvcore bare-metal host, i.MX6Q\n");
	check_cpu(&periph);

	/* CPACR: cp10/cp11 full access, so FPEXC.EN alone gates the guest. */
	PVBM_MCR(0, 1, 0, 2, PVBM_MRC(0, 1, 0, 2) | (0xfu << 20));
	pvbm_isb();
	pvbm_vfp_set(false);

	pvbm_mmu_init();
	pvbm_log("MMU and caches on");

	/* Exception modes save straight into the window frame. */
	pvbm_frame.ttbr_window = pvbm_ttbr_window();
	pvbm_frame.ttbr_vmm = pvbm_ttbr_vmm();
	pvbm_frame.dacr_vmm = PVBM_VMM_DACR;
	pvbm_frame.vmm_sp = (uint32_t)(uintptr_t)pvbm_stack_vmm_top;
	pvbm_frame.handler = (uint32_t)(uintptr_t)pvbm_trap;
	__asm__ volatile(
		"mrs r1, cpsr\n"
		"cps #0x1b\n mov sp, %0\n"
		"cps #0x17\n mov sp, %0\n"
		"cps #0x12\n mov sp, %0\n"
		"cps #0x11\n mov sp, %0\n"
		"cps #0x13\n mov sp, %0\n"
		"msr cpsr_c, r1\n"
		:: "r"(&pvbm_frame) : "r1", "memory");
	PVBM_MCR(0, 12, 0, 0, (uint32_t)(uintptr_t)pvbm_window_vectors);
	pvbm_isb();
	pvbm_log("vectors in the VMM window");

	pvbm_gic_init(periph);
	pvbm_timer_init(periph);
	/* Prove the tick: wait for two. IRQs stay masked in the VMM (the
	 * window only takes them from the guest); WFI still wakes on a
	 * pending one, and the GIC is polled. */
	t0 = pvbm_now_ns();
	while (pvbm_ticks < 2) {
		pvbm_wfi();
		service_irqs();
	}
	pvbm_puts("pvbm: GIC ");
	pvbm_put_dec(pvbm_gic_lines());
	pvbm_puts(" lines, host tick ok (2 ticks in ");
	pvbm_put_dec((pvbm_now_ns() - t0) / 1000);
	pvbm_puts(" us)\n");

	window_l1_desc[0] = pvbm_window_l1();
	cfg.ops = &pvbm_ops;
	cfg.ctx = &vm;
	cfg.ram[0].gpa = pv_gpa(PV_BOARD_RAM_BASE);
	cfg.ram[0].size = PVBM_GUEST_SIZE;
	cfg.ram[0].hva = pv_hva(PVBM_GUEST_PA);
	cfg.ram[0].hpa = pv_hpa(PVBM_GUEST_PA);
	cfg.ram_count = 1;
	cfg.shadow_pool.hva = pv_hva(PVBM_POOL_PA);
	cfg.shadow_pool.hpa = pv_hpa(PVBM_POOL_PA);
	cfg.shadow_pool.size = PVBM_POOL_SIZE;
	cfg.window_base = PVBM_WINDOW_VA;
	/* 0xFFF00000-0xFFFDFFFF only: the rest of that MiB holds Linux's
	 * vector page and kuser helpers (0xFFFF0000), which pvcore fills
	 * page by page next to the window's pages. */
	cfg.window_size = PVBM_WINDOW_SIZE;
	cfg.window_l1 = window_l1_desc;
	cfg.ttbr_attrs = PVBM_TTBR_ATTRS;
	cfg.num_vcpus = 1;
	if (&pvbm_linux)
		linux_sites_parse(&cfg);
	err = pv_vm_init(&vm, &cfg);
	if (err)
		fatal("pv_vm_init", err, PVBM_EXIT_HOST);
	if (&pvbm_linux) {
		uint32_t entry = linux_load(&vm.vcpu[0]);

		pvbm_puts("pvbm: entering linux at ");
		pvbm_put_hex(entry);
		pvbm_puts(" (r2 = DTB) in host USR mode\n");
		vm.vcpu[0].r[15] = entry;
		budget_ticks = PVBM_LINUX_BUDGET_TICKS;
		loop_limit = PVBM_LINUX_LOOP_LIMIT;
		log_undef = true;
		pvbm_ticks = 0;
		prepare_resume(&pvbm_frame, &vm.vcpu[0]);
		pvbm_exit_to_guest();
	}
	err = pv_vm_load(&vm, pv_gpa(PV_BOARD_RAM_BASE), pvbm_guest_start,
			 (size_t)(pvbm_guest_end - pvbm_guest_start));
	if (err)
		fatal("pv_vm_load", err, PVBM_EXIT_HOST);
	/* The loader wrote through the data cache; the guest fetches it. */
	pvbm_ops.cache_clean_range(&vm, pv_hva(PVBM_GUEST_PA),
				   (size_t)(pvbm_guest_end - pvbm_guest_start));
	pvbm_ops.icache_inval_all(&vm);
	pvbm_puts("pvbm: guest loaded, ");
	pvbm_put_dec((uint64_t)(pvbm_guest_end - pvbm_guest_start));
	pvbm_puts(" bytes at ");
	pvbm_put_hex(PV_BOARD_RAM_BASE);
	pvbm_puts("; entering it in host USR mode\n");

	vm.vcpu[0].r[15] = PV_BOARD_RAM_BASE;
	pvbm_ticks = 0;
	prepare_resume(&pvbm_frame, &vm.vcpu[0]);
	pvbm_exit_to_guest();
}
