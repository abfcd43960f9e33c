// SPDX-License-Identifier: MIT
/*
 * Running the guest. Every exception it takes arrives in pvbm_trap()
 * through the window trampoline (window.S): the registers go into the
 * vCPU, pv_vcpu_run_trap() handles the trap (and, while the guest waits,
 * calls wait_for_event()), the watchdog and the reports look at the exit,
 * and the frame is loaded with the state the guest resumes with.
 *
 * Several vCPUs are time-sliced on this one core: the core answers
 * PV_ACTION_WAIT instead of waiting, and at a wait, a stop by CPU_OFF or
 * a host tick the next vCPU that pv_vcpu_poll() lets run takes the core
 * (schedule()). What the guest owns in host registers moves with it: the
 * VFP/NEON file, TPIDRURW and the exclusive monitor.
 */
#include "bm.h"
#include "vmm.h"

#define PSR_T (1u << 5)
#define PSR_AIF (7u << 6)

static struct pv_vm *vm;
static struct pv_vcpu *vcpu;     /* the one on the core */
static uint32_t *regs;           /* pv_vcpu_regs(vcpu) */
static unsigned nvcpus;
static uint64_t slice_start;     /* pvbm_ticks when vcpu took the core */
/* The VFP/NEON file of each vCPU while another one runs. */
static struct pvbm_vfp vfp_regs[PV_MAX_VCPUS];
uint64_t pvbm_vcpu_switches;
static bool report_undefs;
static bool fast_paths;          /* window.S's fast paths may run */
uint64_t pvbm_fast_tpidruro;     /* TPIDRURO writes they handled */
uint64_t pvbm_fast_svc, pvbm_fast_eret; /* system calls and returns */
uint64_t pvbm_fast_psr;          /* PSR accesses of the vector stubs */
uint64_t pvbm_fast_gt;           /* global-timer counter reads */
uint64_t pvbm_fast_vfp;          /* FPEXC accesses */
uint64_t pvbm_fast_bp;           /* BPIALL(IS) */
uint64_t pvbm_fast_ttbr1;        /* TTBR1 reads */
uint64_t pvbm_fast_xret;         /* vector-stub returns into SVC mode */
uint64_t pvbm_fast_prefill;      /* shadow entries the returns filled */
/* The Non-secure SCTLR.A copy as last set (see pvbm_ns_sctlr_align()). */
static bool ns_align;

static const enum pv_trap_kind kind_map[] = {
	[PVBM_K_UNDEF] = PV_TRAP_UNDEF, [PVBM_K_SVC] = PV_TRAP_SVC,
	[PVBM_K_PABT] = PV_TRAP_PABT,   [PVBM_K_DABT] = PV_TRAP_DABT,
	[PVBM_K_IRQ] = PV_TRAP_IRQ,     [PVBM_K_FIQ] = PV_TRAP_FIQ,
};

/*
 * pv_wait_fn: the guest waits for an interrupt. Sleep until a host one is
 * pending (WFI wakes on it although the VMM runs with IRQs masked),
 * service it (which reports the VM's events to the core), and keep the
 * time budget: a guest waiting for an interrupt that never comes ends
 * here. pvbm_fatal() does not return into the core.
 */
static void wait_for_event(void *ctx)
{
	pvbm_wfi();
	pvbm_irq_service(ctx);
	pvbm_watchdog_budget();
}

/* Hand the core to vCPU @next: what the guest keeps in host registers. */
static void switch_to(struct pv_vcpu *next)
{
	unsigned from = pv_vcpu_id(vcpu), to = pv_vcpu_id(next);

	slice_start = pvbm_ticks;
	if (next == vcpu)
		return;
	pv_vcpu_set_tpidrurw(vcpu, PVBM_MRC(0, 13, 0, 2));
	pvbm_vfp_save(&vfp_regs[from]);
	pvbm_vfp_load(&vfp_regs[to]);
	/* A LDREX of one vCPU must not pair with a STREX of the next. */
	__asm__ volatile("clrex" ::: "memory");
	vcpu = next;
	regs = pv_vcpu_regs(vcpu);
	pvbm_vcpu_switches++;
}

/*
 * Several vCPUs: give the core to the next one (round robin from the
 * current one, which comes last) that pv_vcpu_poll() lets run, and fill
 * @rs for it. With none, sleep until a host event and ask again. A vCPU
 * stopped for another reason than CPU_OFF ends the VM.
 */
static void schedule(struct pv_resume *rs)
{
	unsigned cur = pv_vcpu_id(vcpu);
	struct pv_exit e;

	for (;;) {
		bool any_on = false;

		for (unsigned k = 1; k <= nvcpus; k++) {
			struct pv_vcpu *v = pv_vm_vcpu(vm, (cur + k) % nvcpus);

			pv_vcpu_poll(v, &e);
			if (e.action == PV_ACTION_STOP && e.stop != PV_STOP_CPU_OFF)
				pvbm_report_stop(&e);
			any_on |= e.action != PV_ACTION_STOP;
			if (e.action == PV_ACTION_RESUME) {
				switch_to(v);
				pv_vcpu_resume_state(v, rs);
				return;
			}
		}
		if (!any_on)
			pvbm_fatal("every vCPU is off (PSCI CPU_OFF)", 0,
				   PVBM_EXIT_GUEST_ERR);
		wait_for_event(vm);
	}
}

/* Fill the frame from the vCPU and the state the guest resumes with. */
static void load_frame(struct pvbm_frame *f, const struct pv_resume *rs)
{
	/* Never hand the guest a privileged host mode or masked interrupts
	 * (the host tick must get through). */
	if ((rs->host_cpsr & PVBM_PSR_MODE_MASK) != PVBM_PSR_USR)
		pvbm_fatal("resume state is not host USR mode", PV_ESTATE,
			   PVBM_EXIT_FATAL);
	/* The VMM runs under the guest's DACR (window.S): its domain must
	 * stay Client there. */
	if (((rs->dacr >> (2 * pvbm_platform.window_domain)) & 3u) != 1u)
		pvbm_fatal("resume DACR does not keep the VMM domain Client",
			   PV_ESTATE, PVBM_EXIT_FATAL);
	if (!pv_hpa_val(rs->ttbr0))
		pvbm_fatal("resume state has no shadow root", PV_ESTATE,
			   PVBM_EXIT_FATAL);
	for (unsigned i = 0; i < 13; i++)
		f->r[i] = regs[i];
	f->usr_sp = regs[13];
	f->usr_lr = regs[14];
	f->pc = regs[15];
	f->cpsr = rs->host_cpsr & ~PSR_AIF;
	f->g_ttbr0 = (uint32_t)pv_hpa_val(rs->ttbr0);
	f->g_asid = rs->asid;
	f->g_dacr = rs->dacr;
	f->g_align = rs->align_check;
	if (rs->align_check != ns_align) {
		pvbm_ns_sctlr_align(rs->align_check);
		ns_align = rs->align_check;
	}
	pvbm_vfp_set(rs->vfp_enable);
	/* The guest kernel reads TPIDRURO natively at PL0 (Linux keeps
	 * "current" there); its writes trap, so the host copy is refreshed
	 * on every return. The host TPIDRURW is the running vCPU's live
	 * copy: with one vCPU pvbm never touches it, with several it moves
	 * with the vCPU (switch_to() stores it back). */
	PVBM_MCR(0, 13, 0, 3, rs->tpidruro);
	if (nvcpus > 1)
		PVBM_MCR(0, 13, 0, 2, rs->tpidrurw);
	f->fast_on = rs->guest_kernel && fast_paths;
}

void pvbm_trap(struct pvbm_frame *f)
{
	struct pv_trap t = { 0 };
	struct pv_exit e;
	struct pv_resume rs;
	uint32_t lr = f->pc;
	int err;

	if ((f->cpsr & PVBM_PSR_MODE_MASK) != PVBM_PSR_USR ||
	    f->kind == PVBM_K_RESET || f->kind == PVBM_K_FIQ)
		pvbm_host_exception(f);
	/* What window.S's fast path did since the last trap came here. */
	if (f->fast_cnt)
		pv_vcpu_fast_tpidruro(vcpu, PVBM_MRC(0, 13, 0, 3), f->fast_cnt);
	pvbm_fast_tpidruro += f->fast_cnt;
	f->fast_cnt = 0;
	/* The core takes the fast counts itself (fastpath.h). */
	pvbm_fast_psr += f->fast.n_psr;
	pvbm_fast_gt += f->fast.n_gt;
	pvbm_fast_vfp += f->fast.n_vfp;
	pvbm_fast_bp += f->fast.n_cp15w;
	pvbm_fast_ttbr1 += f->fast.n_cp15r;
	pvbm_fast_xret += f->fast.n_xret; /* kernel to kernel: no user visit */
	pvbm_fast_prefill += f->fast.n_prefill;
	if (f->fast.n_svc | f->fast.n_eret) {
		pvbm_fast_svc += f->fast.n_svc;
		pvbm_fast_eret += f->fast.n_eret;
		pvbm_watchdog_user_progress();
	}

	for (unsigned i = 0; i < 13; i++)
		regs[i] = f->r[i];
	regs[13] = f->usr_sp;
	regs[14] = f->usr_lr;
	/* pvcore's PC convention (struct pv_trap): the trapping instruction
	 * for synchronous exceptions, the next one for interrupts. */
	switch (f->kind) {
	case PVBM_K_UNDEF:
	case PVBM_K_SVC:
		regs[15] = lr - ((f->cpsr & PSR_T) ? 2 : 4);
		break;
	case PVBM_K_DABT:
		regs[15] = lr - 8;
		t.fsr = PVBM_MRC(0, 5, 0, 0);
		t.far = PVBM_MRC(0, 6, 0, 0);
		break;
	case PVBM_K_PABT:
		regs[15] = lr - 4;
		t.fsr = PVBM_MRC(0, 5, 0, 1);
		t.far = PVBM_MRC(0, 6, 0, 2);
		break;
	default: /* IRQ */
		regs[15] = lr - 4;
		pvbm_irq_service(vm);
		break;
	}
	t.kind = kind_map[f->kind];
	t.host_cpsr = f->cpsr;

	pvbm_watchdog_budget();
	err = pv_vcpu_run_trap(vcpu, &t, nvcpus > 1 ? NULL : wait_for_event,
			       vm, &e, &rs);
	if (err)
		pvbm_fatal("pv_vcpu_run_trap refused the trap", err,
			   PVBM_EXIT_FATAL);
	pvbm_watchdog_exit(&e);
	if (e.injected == PV_INJ_UNDEF && report_undefs)
		pvbm_report_undef(&e);
	if (nvcpus > 1) {
		if (e.action == PV_ACTION_STOP && e.stop != PV_STOP_CPU_OFF)
			pvbm_report_stop(&e);
		/* A wait, a CPU_OFF, or a tick since this vCPU took the core. */
		if (e.action != PV_ACTION_RESUME || pvbm_ticks != slice_start)
			schedule(&rs);
	} else if (e.action != PV_ACTION_RESUME) {
		pvbm_report_stop(&e);
	}
	load_frame(f, &rs);
}

void pvbm_run(struct pv_vm *v, const struct pvbm_payload *p)
{
	struct pv_resume rs;

	vm = v;
	vcpu = pv_vm_vcpu(vm, 0);
	regs = pv_vcpu_regs(vcpu);
	while (pv_vm_vcpu(vm, nvcpus))
		nvcpus++;
	report_undefs = p->report_undefs;
	/* The window has one struct, and its paths assume one vCPU. */
	fast_paths = !p->no_fast_paths && nvcpus == 1;
	if (fast_paths) {
		int err = pv_vcpu_set_fast(vcpu, &pvbm_frame.fast);

		if (err)
			pvbm_fatal("pv_vcpu_set_fast refused the window's struct",
				   err, PVBM_EXIT_HOST);
		/* The guest's global-timer reads come from the host counter
		 * that pvbm_now_ns() reads, when its ns per count are exact. */
		pvbm_frame.gt_host = pvbm_timer_counter(&pvbm_frame.fast.gt_clock_ns);
	}
	regs[15] = p->entry;
	pvbm_watchdog_start(p->budget_s);
	pv_vcpu_resume_state(vcpu, &rs);
	load_frame(&pvbm_frame, &rs);
	pvbm_exit_to_guest();
}
