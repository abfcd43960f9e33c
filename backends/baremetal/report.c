// SPDX-License-Identifier: MIT
/*
 * What pvbm says about a run: the summary when it ends, where guest-kernel
 * UNDEFs were injected, and why it gave up. Every end of a run passes
 * through here and leaves through pvbm_exit() with a status of vmm.h.
 *
 * The summary is a test contract (tests/system, tests/conformance parse
 * it): one line "pvbm:   reason <n> <name> = <count>" per non-zero trap
 * reason, then one per non-zero event with n = PV_TR_COUNT + the event's
 * index (the numbering of PV_HC_TRAP_COUNT), and for a clean stop
 * "pvbm: guest stopped (reason <stop>, code <code>)". Every end of a run,
 * clean or not, then checks the host canaries (canary.c): "pvbm: canaries
 * intact", or "pvbm: FATAL: canary ..." and status 4.
 */
#include "bm.h"
#include "vmm.h"

/* NULL until pv_vm_init() succeeded: a failed VM is not to be read. */
static struct pv_vm *vm;

void pvbm_report_attach(struct pv_vm *v)
{
	vm = v;
}

static void counter_line(unsigned n, const char *name, uint64_t count)
{
	pvbm_puts("pvbm:   reason ");
	pvbm_put_dec(n);
	pvbm_puts(" ");
	pvbm_puts(name);
	pvbm_puts(" = ");
	pvbm_put_dec(count);
	pvbm_puts("\n");
}

static void summary(void)
{
	pvbm_puts("pvbm: host timer: ");
	pvbm_put_dec(pvbm_ticks);
	pvbm_puts(" ticks, ");
	pvbm_put_dec(pvbm_irq_oneshots());
	pvbm_puts(" one-shot expiries\n");
	pvbm_enet_report();
	if (!vm)
		return;
	pvbm_puts("pvbm: window fast path: ");
	pvbm_put_dec(pvbm_fast_tpidruro);
	pvbm_puts(" TPIDRURO writes (counted as cp15-write below), ");
	pvbm_put_dec(pvbm_fast_svc);
	pvbm_puts(" system calls (svc), ");
	pvbm_put_dec(pvbm_fast_eret);
	pvbm_puts(" returns to user (exc-return), ");
	pvbm_put_dec(pvbm_fast_psr);
	pvbm_puts(" PSR accesses (psr), ");
	pvbm_put_dec(pvbm_fast_gt);
	pvbm_puts(" global-timer reads (mmio-read), ");
	pvbm_put_dec(pvbm_fast_vfp);
	pvbm_puts(" FPEXC accesses (vfp-ctrl), ");
	pvbm_put_dec(pvbm_fast_bp);
	pvbm_puts(" BPIALL (cp15-write), ");
	pvbm_put_dec(pvbm_fast_ttbr1);
	pvbm_puts(" TTBR1 reads (cp15-read), ");
	pvbm_put_dec(pvbm_fast_xret);
	pvbm_puts(" vector-stub returns (exc-return), ");
	pvbm_put_dec(pvbm_fast_prefill);
	pvbm_puts(" shadow entries prefilled by returns (no trap)\n");
	if (pvbm_kicks_sent) {
		pvbm_puts("pvbm: kicks between host cores: ");
		pvbm_put_dec(pvbm_kicks_sent);
		pvbm_puts(" sent, ");
		pvbm_put_dec(pvbm_kicks_taken);
		pvbm_puts(" taken\n");
	}
	if (pvbm_vcpu_switches) {
		pvbm_puts("pvbm: vCPU switches on the core: ");
		pvbm_put_dec(pvbm_vcpu_switches);
		pvbm_puts("\n");
	}
	pvbm_puts("pvbm: trap counters:\n");
	for (unsigned r = 0; r < PV_TR_COUNT; r++) {
		uint64_t n = pv_vm_trap_count(vm, (enum pv_trap_reason)r);

		if (n)
			counter_line(r, pv_trap_reason_name((enum pv_trap_reason)r),
				     n);
	}
	for (unsigned ev = 0; ev < PV_EV_COUNT; ev++) {
		uint64_t n = pv_vm_event_count(vm, (enum pv_event)ev);

		if (n)
			counter_line(PV_TR_COUNT + ev,
				     pv_event_name((enum pv_event)ev), n);
	}
}

/*
 * Host memory outside the guest must be as pvbm left it, whatever ended
 * the run: a change is a VMM bug (PVBM_EXIT_HOST).
 */
static int canaries(int status)
{
	return pvbm_canary_check() < 0 ? PVBM_EXIT_HOST : status;
}

/* @dump: whether to dump the trace ring (pvcore dumps it itself when it
 * gives up). */
static __attribute__((noreturn)) void give_up(const char *why, int err,
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
	if (vm && dump)
		pv_vm_dump_trace(vm);
	else if (vm)
		pvbm_log("(pvcore dumped its trap trace above)");
	summary();
	status = canaries(status);
	pvbm_puts("pvbm: exit status ");
	pvbm_put_dec((uint64_t)status);
	pvbm_puts("\n");
	pvbm_exit(status);
}

void pvbm_fatal(const char *why, int err, int status)
{
	give_up(why, err, status, true);
}

void pvbm_report_stop(const struct pv_exit *e)
{
	switch (e->stop) {
	case PV_STOP_POWEROFF:
	case PV_STOP_HYPERCALL:
		summary();
		pvbm_puts("pvbm: guest stopped (reason ");
		pvbm_put_dec(e->stop);
		pvbm_puts(", code ");
		pvbm_put_dec((uint32_t)e->code);
		pvbm_puts(")\n");
		if (pvbm_canary_check() < 0) {
			pvbm_puts("pvbm: exit status 4\n");
			pvbm_exit(PVBM_EXIT_HOST);
		}
		pvbm_exit(e->code == 0 ? PVBM_EXIT_OK : PVBM_EXIT_GUEST_ERR);
	case PV_STOP_RESET:
		pvbm_fatal("guest asked for a reset, which pvbm does not support",
			   0, PVBM_EXIT_GUEST_ERR);
	default:
		give_up("pvcore stopped the guest", e->code < 0 ? e->code : 0,
			PVBM_EXIT_FATAL, false);
	}
}

void pvbm_host_exception(const struct pvbm_frame *f)
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
	pvbm_fatal("exception taken inside the VMM", 0, PVBM_EXIT_HOST);
}

/*
 * Where pvcore injected an UNDEF into the guest kernel, for the first few.
 * A kernel probing a feature does this on purpose; an instruction pvcore
 * cannot emulate shows up here too. UNDEFs in guest user mode are routine
 * (lazy VFP enabling) and are only counted.
 */
#define UNDEF_REPORTS 64u

void pvbm_report_undef(const struct pv_exit *e)
{
	static unsigned reported;

	if ((e->cpsr & PVBM_PSR_MODE_MASK) == PVBM_PSR_USR ||
	    reported >= UNDEF_REPORTS)
		return;
	reported++;
	pvbm_puts("pvbm: UNDEF injected at pc ");
	pvbm_put_hex(e->pc);
	pvbm_puts(" insn ");
	pvbm_put_hex(e->insn);
	pvbm_puts(" cpsr ");
	pvbm_put_hex(e->cpsr);
	pvbm_puts("\n");
}
