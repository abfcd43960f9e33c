// SPDX-License-Identifier: MIT
/*
 * Running the guest. Every exception it takes arrives in pvbm_trap()
 * through the window trampoline (window.S): the registers go into the
 * vCPU, pv_vcpu_run_trap() handles the trap (and, while the guest waits,
 * calls wait_for_event()), the watchdog and the reports look at the exit,
 * and the frame is loaded with the state the guest resumes with.
 *
 * Several vCPUs, as many host cores: vCPU n runs on core n (smp.c starts
 * them), each trap's C path under pvbm_lock(). A core whose vCPU waits or
 * is off sleeps in WFI until a host interrupt and asks pv_vcpu_poll()
 * again (core_wait()). When a trap on one core gives another core's vCPU
 * news (an SGI, an interrupt routed to it, CPU_ON), the core's kick sends
 * that core SGI PVBM_SGI_KICK (pvbm_kick()): it wakes, or leaves the
 * guest, at once instead of at its next 1 kHz tick.
 *
 * Several vCPUs, fewer host cores: they are time-sliced on core 0. The
 * core answers PV_ACTION_WAIT instead of waiting, and at a wait, a stop
 * by CPU_OFF or a host tick the next vCPU that pv_vcpu_poll() lets run
 * takes the core (schedule()). What the guest owns in host registers
 * moves with it: the VFP/NEON file, TPIDRURW and the exclusive monitor.
 */
#include "bm.h"
#include "vmm.h"

#define PSR_AIF (7u << 6)

/* What each host core runs. */
struct core {
	struct pv_vcpu *vcpu;    /* the one on the core */
	uint32_t *regs;          /* pv_vcpu_regs(vcpu) */
	uint64_t slice_start;    /* pvbm_ticks when vcpu took the core */
	bool ns_align;           /* the Non-secure SCTLR.A as last set */
	bool off;                /* its vCPU is off (one vCPU per core) */
};

static struct pv_vm *vm;
static struct core cores[PVBM_MAX_CORES];
static unsigned nvcpus;
static bool timeslice;           /* several vCPUs on core 0 */
/* The VFP/NEON file of each vCPU while another one runs. */
static struct pvbm_vfp vfp_regs[PV_MAX_VCPUS];
uint64_t pvbm_vcpu_switches;
uint64_t pvbm_kicks_sent;
static bool report_undefs;
static bool fast_paths;          /* window.S's fast paths may run */
static bool kicks = true;        /* pvbm_kick() sends host IPIs */
uint64_t pvbm_fast_tpidruro;     /* TPIDRURO writes they handled */
uint64_t pvbm_fast_svc, pvbm_fast_eret; /* system calls and returns */
uint64_t pvbm_fast_psr;          /* PSR accesses of the vector stubs */
uint64_t pvbm_fast_gt;           /* global-timer counter reads */
uint64_t pvbm_fast_vfp;          /* FPEXC accesses */
uint64_t pvbm_fast_bp;           /* BPIALL(IS) */
uint64_t pvbm_fast_ttbr1;        /* TTBR1 reads */
uint64_t pvbm_fast_xret;         /* vector-stub returns into SVC mode */
uint64_t pvbm_fast_prefill;      /* shadow entries the returns filled */

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

/* Hand core @c to vCPU @next: what the guest keeps in host registers. */
static void switch_to(struct core *c, struct pv_vcpu *next)
{
	unsigned from = pv_vcpu_id(c->vcpu), to = pv_vcpu_id(next);

	c->slice_start = pvbm_ticks;
	if (next == c->vcpu)
		return;
	pv_vcpu_set_tpidrurw(c->vcpu, PVBM_MRC(0, 13, 0, 2));
	pvbm_vfp_save(&vfp_regs[from]);
	pvbm_vfp_load(&vfp_regs[to]);
	/* A LDREX of one vCPU must not pair with a STREX of the next. */
	__asm__ volatile("clrex" ::: "memory");
	c->vcpu = next;
	c->regs = pv_vcpu_regs(next);
	pvbm_vcpu_switches++;
}

/*
 * Several vCPUs: give the core to the next one (round robin from the
 * current one, which comes last) that pv_vcpu_poll() lets run, and fill
 * @rs for it. With none, sleep until a host event and ask again. A vCPU
 * stopped for another reason than CPU_OFF ends the VM.
 */
static void schedule(struct core *c, struct pv_resume *rs)
{
	unsigned cur = pv_vcpu_id(c->vcpu);
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
				switch_to(c, v);
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

/*
 * Whether every core's vCPU is off. Each core records its own when it
 * polls; a vCPU recorded off cannot be running, so asking pv_vcpu_poll()
 * again is safe, and catches a CPU_ON its core has not seen yet.
 */
static bool all_off(void)
{
	struct pv_exit e;

	for (unsigned i = 0; i < nvcpus; i++) {
		if (!cores[i].off)
			return false;
		pv_vcpu_poll(cores[i].vcpu, &e);
		if (e.action != PV_ACTION_STOP) {
			cores[i].off = false;
			return false;
		}
	}
	return true;
}

/*
 * One vCPU per core: until core @c's vCPU may run, sleep with the lock
 * released; then fill @rs. Called and returns with the lock held. A stop
 * other than CPU_OFF ends the VM, and so does every vCPU being off.
 * Only this core polls its vCPU: pv_vcpu_poll() may enter an interrupt
 * on the vCPU, which must not be running on another core meanwhile.
 */
static void core_wait(struct core *c, struct pv_resume *rs)
{
	struct pv_exit e;

	for (;;) {
		pv_vcpu_poll(c->vcpu, &e);
		c->off = e.action == PV_ACTION_STOP;
		if (e.action == PV_ACTION_RESUME)
			break;
		if (e.action == PV_ACTION_STOP && e.stop != PV_STOP_CPU_OFF)
			pvbm_report_stop(&e);
		if (c->off && all_off())
			pvbm_fatal("every vCPU is off (PSCI CPU_OFF)", 0,
				   PVBM_EXIT_GUEST_ERR);
		/* A kick sent between the unlock and the WFI stays pending
		 * and ends the WFI at once. */
		pvbm_unlock();
		pvbm_wfi();
		pvbm_lock();
		pvbm_irq_service(vm);
		pvbm_watchdog_budget();
	}
	pv_vcpu_resume_state(c->vcpu, rs);
}

/* Fill the frame from the vCPU and the state the guest resumes with. */
static void load_frame(struct pvbm_frame *f, struct core *c,
		       const struct pv_resume *rs)
{
	const uint32_t *regs = c->regs;

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
	if (rs->align_check != c->ns_align) {
		pvbm_ns_sctlr_align(rs->align_check);
		c->ns_align = rs->align_check;
	}
	pvbm_vfp_set(rs->vfp_enable);
	/* The guest kernel reads TPIDRURO natively at PL0 (Linux keeps
	 * "current" there); its writes trap, so the host copy is refreshed
	 * on every return. The host TPIDRURW is the running vCPU's live
	 * copy: with a core per vCPU pvbm never touches it, time-sliced it
	 * moves with the vCPU (switch_to() stores it back). */
	PVBM_MCR(0, 13, 0, 3, rs->tpidruro);
	if (timeslice)
		PVBM_MCR(0, 13, 0, 2, rs->tpidrurw);
	f->fast_on = rs->guest_kernel && fast_paths;
	if (pvbm_ncores > 1)
		pvbm_tlb_catch_up((unsigned)(c - cores));
}

void pvbm_trap(struct pvbm_frame *f)
{
	struct core *c = &cores[f - pvbm_frames];
	struct pv_vcpu *vcpu;
	uint32_t *regs;
	struct pv_trap t = { 0 };
	struct pv_exit e;
	struct pv_resume rs;
	uint32_t lr = f->pc;
	int err;

	/* Before the lock: an exception in the VMM may come with it held. */
	if ((f->cpsr & PVBM_PSR_MODE_MASK) != PVBM_PSR_USR ||
	    f->kind == PVBM_K_RESET || f->kind == PVBM_K_FIQ)
		pvbm_host_exception(f);
	pvbm_lock();
	vcpu = c->vcpu;
	regs = c->regs;
	/* Time-sliced, the host TPIDRURW is loaded at every resume: what the
	 * guest wrote there since (at PL0, without a trap) goes back first. */
	if (timeslice)
		pv_vcpu_set_tpidrurw(vcpu, PVBM_MRC(0, 13, 0, 2));
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
	t.kind = kind_map[f->kind];
	t.host_cpsr = f->cpsr;
	regs[15] = pv_trap_pc(t.kind, lr, f->cpsr);
	switch (f->kind) {
	case PVBM_K_DABT:
		t.fsr = PVBM_MRC(0, 5, 0, 0);
		t.far = PVBM_MRC(0, 6, 0, 0);
		break;
	case PVBM_K_PABT:
		t.fsr = PVBM_MRC(0, 5, 0, 1);
		t.far = PVBM_MRC(0, 6, 0, 2);
		break;
	case PVBM_K_IRQ:
		pvbm_irq_service(vm);
		break;
	default:
		break;
	}

	pvbm_watchdog_budget();
	err = pv_vcpu_run_trap(vcpu, &t, nvcpus > 1 ? NULL : wait_for_event,
			       vm, &e, &rs);
	if (err)
		pvbm_fatal("pv_vcpu_run_trap refused the trap", err,
			   PVBM_EXIT_FATAL);
	pvbm_watchdog_exit(&e);
	if (e.injected == PV_INJ_UNDEF && report_undefs)
		pvbm_report_undef(&e);
	if (timeslice) {
		if (e.action == PV_ACTION_STOP && e.stop != PV_STOP_CPU_OFF)
			pvbm_report_stop(&e);
		/* A wait, a CPU_OFF, or a tick since this vCPU took the core. */
		if (e.action != PV_ACTION_RESUME || pvbm_ticks != c->slice_start)
			schedule(c, &rs);
	} else if (nvcpus > 1) {
		if (e.action != PV_ACTION_RESUME)
			core_wait(c, &rs);
	} else if (e.action != PV_ACTION_RESUME) {
		pvbm_report_stop(&e);
	}
	load_frame(f, c, &rs);
	pvbm_unlock();
}

void pvbm_kick(unsigned id)
{
	/* Time-sliced, every vCPU is this core's: the next schedule() sees
	 * the news. */
	if (!kicks || timeslice || pvbm_ncores < 2 || id >= nvcpus ||
	    id == pvbm_core_id())
		return;
	pvbm_gic_send_sgi(id, PVBM_SGI_KICK);
	pvbm_kicks_sent++;
}

void pvbm_run_core(unsigned core)
{
	struct core *c = &cores[core];
	struct pv_resume rs;

	pvbm_lock();
	core_wait(c, &rs);
	load_frame(&pvbm_frames[core], c, &rs);
	pvbm_unlock();
	pvbm_exit_to_guest();
}

void pvbm_run(struct pv_vm *v, const struct pvbm_payload *p)
{
	struct core *c = &cores[0];
	struct pv_resume rs;

	vm = v;
	while (pv_vm_vcpu(vm, nvcpus))
		nvcpus++;
	/* vCPU n on core n; time-sliced, all of them start on core 0. */
	for (unsigned i = 0; i < nvcpus && i < PVBM_MAX_CORES; i++) {
		cores[i].vcpu = pv_vm_vcpu(vm, i);
		cores[i].regs = pv_vcpu_regs(cores[i].vcpu);
	}
	report_undefs = p->report_undefs;
	kicks = !p->no_kicks;
	/* The window has one struct, and its paths assume one vCPU. */
	fast_paths = !p->no_fast_paths && nvcpus == 1;
	if (fast_paths) {
		struct pvbm_frame *f = &pvbm_frames[0];
		int err = pv_vcpu_set_fast(c->vcpu, &f->fast);

		if (err)
			pvbm_fatal("pv_vcpu_set_fast refused the window's struct",
				   err, PVBM_EXIT_HOST);
		/* The guest's global-timer reads come from the host counter
		 * that pvbm_now_ns() reads, when its ns per count are exact. */
		f->gt_host = pvbm_timer_counter(&f->fast.gt_clock_ns);
	}
	c->regs[15] = p->entry;
	pvbm_watchdog_start(p->budget_s);
	timeslice = nvcpus > 1 && !pvbm_cores_start(nvcpus);
	if (timeslice) {
		pvbm_puts("pvbm: ");
		pvbm_put_dec(nvcpus);
		pvbm_puts(" vCPUs, time-sliced on this core\n");
	}
	pvbm_lock();
	pv_vcpu_resume_state(c->vcpu, &rs);
	load_frame(&pvbm_frames[0], c, &rs);
	pvbm_unlock();
	pvbm_exit_to_guest();
}
