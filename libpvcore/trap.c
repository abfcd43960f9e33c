/* SPDX-License-Identifier: MIT */
/*
 * The trap dispatcher: the single entry point through which every
 * exception taken from the guest reaches the library, and the only place
 * that changes a vCPU's run state (wait, stop), counts a trap and fills
 * &struct pv_exit.
 *
 * Each handler below produces one &struct trap_result: its outcome plus
 * what to count and report. pv_vcpu_handle_trap() then counts it, settles
 * the run state, delivers a pending virtual interrupt and answers.
 */
#include <pvcore/decode.h>
#include <pvcore/error.h>
#include <pvcore/patch.h>

#include "cmo_loop.h"
#include "emulate.h"
#include "fast.h"
#include "guest_mem.h"
#include "itlb.h"
#include "psci.h"
#include "shadow.h"
#include "stats.h"
#include "trap_chain.h"
#include "vm_state.h"
#include "vpage.h"

#include "pv_internal.h"

/**
 * struct trap_result - what handling one trap came to
 * @out: the outcome for the run loop (and the injected exception)
 * @reason: the counter the trap is counted under
 * @insn: the instruction decoded, 0 if none
 * @info: the fault address of an abort, else 0
 * @patched: the instruction came from a pvpatch site
 */
struct trap_result {
	struct pv_outcome out;
	enum pv_trap_reason reason;
	uint32_t insn;
	uint32_t info;
	bool patched;
};

/*
 * The handlers fill the dispatcher's one &struct trap_result in place
 * (through these), once per trap: no result struct is copied around.
 */
static void result(struct trap_result *r, enum pv_trap_reason reason,
		   uint32_t insn, uint32_t info)
{
	r->out.action = PV_ACTION_RESUME;
	r->out.stop = PV_STOP_NONE;
	r->out.code = 0;
	r->out.injected = PV_INJ_NONE;
	r->reason = reason;
	r->insn = insn;
	r->info = info;
	r->patched = false;
}

static void fatal(struct trap_result *r, enum pv_trap_reason reason,
		  uint32_t insn, uint32_t info, int err)
{
	result(r, reason, insn, info);
	r->out = pv_out_fatal(err);
}

static void injected(struct trap_result *r, enum pv_trap_reason reason,
		     enum pv_injected what, uint32_t insn, uint32_t info)
{
	result(r, reason, insn, info);
	r->out.injected = what;
}

/* A guest abort: set its FSR/FAR and enter its vector. */
static void inject_abort(struct trap_result *r, struct pv_vcpu *vcpu,
			 bool prefetch, uint32_t fsr, uint32_t far)
{
	pv_vpage_leave_stub(vcpu);
	pv_vcpu_inject_abort(vcpu, prefetch, fsr, far, vcpu->r[15]);
	injected(r, prefetch ? PV_TR_GUEST_PABT : PV_TR_GUEST_DABT,
		 prefetch ? PV_INJ_PABT : PV_INJ_DABT, 0, far);
}

/* Trap reason of an instruction class met on the UNDEF/SVC path. */
static const uint8_t class_reason[PV_IC_COUNT] = {
	[PV_IC_NONE] = PV_TR_OTHER,
	[PV_IC_UNDEF] = PV_TR_UNDEF_INJECT,
	[PV_IC_CP_MOVE] = PV_TR_CP15_READ, /* refined by coproc and L below */
	[PV_IC_VFP_SYS] = PV_TR_VFP_CTRL,
	[PV_IC_CPS] = PV_TR_PSR,
	[PV_IC_MRS] = PV_TR_PSR,
	[PV_IC_MSR] = PV_TR_PSR,
	[PV_IC_SRS] = PV_TR_BANKED_LDM_STM,
	[PV_IC_RFE] = PV_TR_EXC_RETURN,
	[PV_IC_LDM_USER] = PV_TR_BANKED_LDM_STM,
	[PV_IC_LDM_ERET] = PV_TR_EXC_RETURN,
	[PV_IC_STM_USER] = PV_TR_BANKED_LDM_STM,
	[PV_IC_DP_ERET] = PV_TR_EXC_RETURN,
	[PV_IC_LDRT_STRT] = PV_TR_LDRT_STRT,
	[PV_IC_WFI] = PV_TR_WFI,
	[PV_IC_WFE] = PV_TR_WFI,
	[PV_IC_SEV] = PV_TR_OTHER,
	[PV_IC_YIELD] = PV_TR_OTHER,
	[PV_IC_SVC] = PV_TR_SVC,
	[PV_IC_BKPT] = PV_TR_GUEST_PABT, /* a debug event: prefetch abort */
	[PV_IC_UDF] = PV_TR_UNDEF_INJECT,
	[PV_IC_SMC] = PV_TR_HYPERCALL, /* refined by r0 below */
	[PV_IC_HVC] = PV_TR_HYPERCALL,
	[PV_IC_LOAD] = PV_TR_OTHER,
	[PV_IC_STORE] = PV_TR_OTHER,
	[PV_IC_LDM] = PV_TR_OTHER,
	[PV_IC_STM] = PV_TR_OTHER,
	[PV_IC_LDREX] = PV_TR_OTHER,
	[PV_IC_STREX] = PV_TR_OTHER,
};

static enum pv_trap_reason insn_reason(const struct pv_vcpu *vcpu,
				       const struct pv_insn *insn)
{
	enum pv_trap_reason r = PV_TR_OTHER;

	if (insn->cls < PV_IC_COUNT)
		r = (enum pv_trap_reason)class_reason[insn->cls];
	if (insn->cls == PV_IC_CP_MOVE) {
		/*
		 * A32 MCR/MRC/MCRR/MRRC and T32 (hw1 << 16 | hw2) put L at
		 * bit 20 and the coprocessor number at bits [11:8] alike.
		 */
		if (PV_BITS(insn->raw, 11, 8) == 14)
			r = PV_TR_CP14;
		else
			r = (insn->raw & PV_BIT(20)) ? PV_TR_CP15_READ :
						       PV_TR_CP15_WRITE;
	} else if (insn->cls == PV_IC_SMC || insn->cls == PV_IC_HVC) {
		/* From guest user mode both are UNDEFINED (emulate.c). */
		if (!pv_vcpu_is_privileged(vcpu))
			r = PV_TR_UNDEF_INJECT;
		else
			r = pv_psci_is_call(vcpu->r[0]) ? PV_TR_PSCI :
							  PV_TR_HYPERCALL;
	}
	return r;
}

/* Thumb: a first halfword 0b11101/0b11110/0b11111 starts a 32-bit encoding. */
static bool thumb_is_32(uint32_t hw1)
{
	return (hw1 >> 11) >= 0x1du;
}

static int decode_word(uint32_t word, bool thumb, struct pv_insn *insn)
{
	if (!thumb)
		return pv_decode_arm(word, insn);
	if (word > 0xffffu)
		return pv_decode_thumb((uint16_t)(word >> 16), (uint16_t)word,
				       insn);
	return pv_decode_thumb((uint16_t)word, 0, insn);
}

/* The instruction at @pc from the fetch cache (itlb.c), if it has it. */
static bool fetch_cached(struct pv_vcpu *vcpu, uint32_t pc, bool thumb,
			 uint32_t *word)
{
	const uint8_t *p = pv_itlb_fetch(vcpu, pc, thumb ? 2 : 4), *q;

	if (!p)
		return false;
	if (!thumb) {
		*word = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
			(uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		return true;
	}
	*word = (uint32_t)p[0] | (uint32_t)p[1] << 8;
	if (!thumb_is_32(*word))
		return true;
	/* The second halfword may lie on the next page. */
	q = pv_itlb_fetch(vcpu, pc + 2, 2);
	if (!q)
		return false;
	*word = *word << 16 | (uint32_t)q[0] | (uint32_t)q[1] << 8;
	return true;
}

/*
 * The instruction at r[15] as the guest sees it. Thumb 32-bit encodings
 * come back as hw1 << 16 | hw2. A pvpatch site gives back its original
 * word, but only while memory still holds the trap word the patcher wrote:
 * code the guest rewrote or freed since (init text, ftrace) is decoded as
 * it now is rather than emulated as something it no longer is.
 */
static int fetch_insn(struct pv_vcpu *vcpu, uint32_t *word, bool *thumb,
		      struct pv_fault *fault)
{
	uint32_t pc = vcpu->r[15];
	uint64_t hw1, hw2, w;
	int err = 0;

	*thumb = (vcpu->cpsr & PV_PSR_T) != 0;
	if (fetch_cached(vcpu, pc, *thumb, word)) {
		/* served by the cache */
	} else if (!*thumb) {
		err = pv_guest_read(vcpu, pv_gva(pc), 4, PV_ACC_EXEC, &w, fault);
		*word = (uint32_t)w;
	} else {
		err = pv_guest_read(vcpu, pv_gva(pc), 2, PV_ACC_EXEC, &hw1,
				    fault);
		*word = (uint32_t)hw1;
		if (!err && thumb_is_32(*word)) {
			err = pv_guest_read(vcpu, pv_gva(pc + 2), 2,
					    PV_ACC_EXEC, &hw2, fault);
			*word = (*word << 16) | (uint32_t)(hw2 & 0xffffu);
		}
	}
	return err;
}

/*
 * The instruction @fetched at @pc stands for: a pvpatch site gives back its
 * original word, but only while memory still holds the trap word the
 * patcher wrote, in the instruction set it was written for (code the guest
 * rewrote or freed since, init text or ftrace, is decoded as it now is);
 * from the guest kernel a self-describing trap word gives back the
 * instruction it encodes (pv_patch_resolve()). Then decode it. Both steps are cached
 * per vCPU (struct pv_decoded): a hit costs a compare, not a binary
 * search and a table walk.
 */
static const struct pv_insn *decode_at(struct pv_vcpu *vcpu, uint32_t pc,
				       uint32_t fetched, bool thumb,
				       uint32_t *word, bool *patched, int *err)
{
	unsigned i = ((pc >> 1) ^ (pc >> 7)) % PV_DECODED_ENTRIES;
	const struct pv_patch_site *site;
	struct pv_patch_site self;
	struct pv_decoded_ent *e = &vcpu->decoded.ent[i];
	bool priv = pv_vcpu_is_privileged(vcpu);
	unsigned isa = !thumb ? 0u :
		       fetched > 0xffffu ? PV_SITE_THUMB :
					   PV_SITE_THUMB | PV_SITE_T16;

	if (!e->valid || e->pc != pc || e->fetched != fetched ||
	    e->thumb != thumb || e->priv != priv) {
		/* A table site, or a self-describing trap word (patch.h). */
		site = pv_patch_resolve(vcpu->vm->cfg.patch_sites, pv_gva(pc),
					fetched, isa, priv, &self);
		e->patched = site != NULL;
		e->word = site ? site->original : fetched;
		e->err = (int8_t)decode_word(e->word, thumb, &e->insn);
		e->pc = pc;
		e->fetched = fetched;
		e->thumb = thumb;
		e->priv = priv;
		e->valid = true;
	}
	*word = e->word;
	*patched = e->patched;
	*err = e->err;
	return &e->insn;
}

/*
 * Fetch, decode and emulate the instruction at r[15]. @mmio_reason is the
 * counter to use when the instruction is a memory access (data-abort MMIO
 * path); PV_TR_COUNT on the UNDEF/SVC path.
 */
static void emulate_at_pc(struct trap_result *r, struct pv_vcpu *vcpu,
			  enum pv_trap_reason mmio_reason, uint32_t info)
{
	const struct pv_insn *insn;
	struct pv_fault fault;
	uint32_t fetched = 0, word;
	bool thumb, patched;
	int err;

	err = fetch_insn(vcpu, &fetched, &thumb, &fault);
	word = fetched;
	if (err == PV_EFAULT) {
		/* The guest's own mapping no longer allows the fetch. */
		inject_abort(r, vcpu, true, fault.fsr, fault.far);
		r->insn = word;
		return;
	}
	if (err) {
		fatal(r, PV_TR_OTHER, word, info, err);
		return;
	}
	insn = decode_at(vcpu, vcpu->r[15], fetched, thumb, &word, &patched,
			 &err);
	if (err == PV_EUNDEF || err == PV_ENOTOURS) {
		/*
		 * A device access pvcore cannot emulate (VFP/NEON, TBB, an
		 * UNPREDICTABLE form). From guest user mode the device answers
		 * with an external abort (its kernel sees a SIGBUS case, the VM
		 * runs on); from the guest kernel the VM stops with the reason.
		 */
		if (mmio_reason != PV_TR_COUNT && pv_vcpu_is_privileged(vcpu)) {
			fatal(r, mmio_reason, word, info, err);
		} else if (mmio_reason != PV_TR_COUNT) {
			inject_abort(r, vcpu, false,
				     PV_FSR_FS(PV_FS_SYNC_EXT) |
					     (mmio_reason == PV_TR_MMIO_WRITE ?
						      PV_FSR_WNR : 0),
				     info);
			r->reason = mmio_reason;
			r->insn = word;
		} else {
			pv_vcpu_take_exception(vcpu, PV_EXC_UNDEF, vcpu->r[15]);
			injected(r, PV_TR_UNDEF_INJECT, PV_INJ_UNDEF, word, info);
		}
		return;
	}
	if (err) {
		fatal(r, PV_TR_OTHER, word, info, err);
		return;
	}
	r->reason = mmio_reason != PV_TR_COUNT ? mmio_reason :
						 insn_reason(vcpu, insn);
	r->insn = word;
	r->info = info;
	r->patched = patched;
	/*
	 * A raw MCR may head more work for this one trap: a cache or TLB
	 * maintenance loop, or a context switch's writes after CONTEXTIDR.
	 */
	if (insn->cls == PV_IC_CP_MOVE && !patched &&
	    mmio_reason == PV_TR_COUNT &&
	    (pv_cmo_loop_run(vcpu, insn) || pv_trap_chain_run(vcpu, insn))) {
		r->out = pv_out_resume();
		return;
	}
	r->out = pv_emulate(vcpu, insn);
}

static void handle_svc(struct trap_result *r, struct pv_vcpu *vcpu)
{
	uint32_t pc = vcpu->r[15];
	uint32_t len = (vcpu->cpsr & PV_PSR_T) ? 2 : 4;

	/* A patched site may use an SVC as its trapping word. */
	if (pv_patch_lookup(vcpu->vm->cfg.patch_sites, pv_gva(pc))) {
		emulate_at_pc(r, vcpu, PV_TR_COUNT, 0);
		return;
	}
	pv_vcpu_take_exception(vcpu, PV_EXC_SVC, pc + len);
	injected(r, PV_TR_SVC, PV_INJ_SVC, 0, 0);
}

/* Host short-descriptor FS values that a shadow fill may resolve. */
static bool fs_is_mmu_fault(uint32_t fs)
{
	switch (fs) {
	case PV_FS_AF_SECTION:
	case PV_FS_AF_PAGE:
	case PV_FS_ICACHE_MAINT:
	case PV_FS_TRANSL_SECTION:
	case PV_FS_TRANSL_PAGE:
	case PV_FS_DOMAIN_SECTION:
	case PV_FS_DOMAIN_PAGE:
	case PV_FS_PERM_SECTION:
	case PV_FS_PERM_PAGE:
		return true;
	default:
		return false;
	}
}

static void handle_abort(struct trap_result *r, struct pv_vcpu *vcpu,
			 const struct pv_trap *trap)
{
	bool pabt = trap->kind == PV_TRAP_PABT;
	bool wnr = !pabt && (trap->fsr & PV_FSR_WNR);
	uint32_t fs = ((trap->fsr >> 6) & 0x10u) | (trap->fsr & 0xfu);
	unsigned acc = pabt ? PV_ACC_EXEC : (wnr ? PV_ACC_WRITE : PV_ACC_READ);
	enum pv_shadow_outcome outcome;
	struct pv_fault fault;
	int err;

	if (!pabt && fs == PV_FS_ALIGNMENT) {
		/*
		 * The host checks alignment as the guest's SCTLR.A asks (and
		 * always for LDM/STRD etc.): the fault is the guest's own.
		 */
		inject_abort(r, vcpu, false,
			     PV_FSR_FS(PV_FS_ALIGNMENT) | (wnr ? PV_FSR_WNR : 0),
			     trap->far);
		return;
	}
	if (pabt && fs == PV_FS_DEBUG) {
		/*
		 * A BKPT the guest executed: the host debug logic raised it
		 * at PL0. The emulator turns it into the guest's own debug
		 * prefetch abort.
		 */
		emulate_at_pc(r, vcpu, PV_TR_COUNT, trap->far);
		return;
	}
	if (!fs_is_mmu_fault(fs)) {
		fatal(r, PV_TR_OTHER, 0, trap->far, PV_EBACKEND);
		return;
	}
	/*
	 * A device page the emulator reached before under the same rules (the
	 * data cache of itlb.c): the walk would say MMIO again, so skip it.
	 * The access width is not known yet; a byte at FAR is in the page.
	 */
	if (!pabt) {
		const struct pv_tlb_ent *e = pv_dtlb_find(vcpu, trap->far, 1, acc);

		if (e && !e->page) {
			emulate_at_pc(r, vcpu,
				      wnr ? PV_TR_MMIO_WRITE : PV_TR_MMIO_READ,
				      trap->far);
			return;
		}
	}
	fault.fsr = fault.far = 0;
	fault.is_prefetch = false;
	err = pv_shadow_fault(vcpu, pv_gva(trap->far), acc, &outcome, &fault);
	if (err) {
		fatal(r, PV_TR_OTHER, 0, trap->far, err);
		return;
	}
	switch (outcome) {
	case PV_SHADOW_FILLED:
		result(r, PV_TR_SHADOW_FILL, 0, trap->far);
		return;
	case PV_SHADOW_GUEST_FAULT:
		inject_abort(r, vcpu, fault.is_prefetch, fault.fsr, fault.far);
		return;
	case PV_SHADOW_MMIO:
		/* Executing from a device: the bus answers with an abort. */
		if (pabt)
			inject_abort(r, vcpu, true, PV_FSR_FS(PV_FS_SYNC_EXT),
				     trap->far);
		else
			emulate_at_pc(r, vcpu,
				      wnr ? PV_TR_MMIO_WRITE : PV_TR_MMIO_READ,
				      trap->far);
		return;
	}
	fatal(r, PV_TR_OTHER, 0, trap->far, PV_ESTATE);
}

static void dispatch(struct trap_result *r, struct pv_vcpu *vcpu,
		     const struct pv_trap *trap)
{
	switch (trap->kind) {
	case PV_TRAP_UNDEF:
		emulate_at_pc(r, vcpu, PV_TR_COUNT, 0);
		break;
	case PV_TRAP_SVC:
		handle_svc(r, vcpu);
		break;
	case PV_TRAP_PABT:
	case PV_TRAP_DABT:
		handle_abort(r, vcpu, trap);
		break;
	default: /* IRQ, FIQ: the backend serviced the host interrupt */
		result(r, PV_TR_HOST_IRQ, 0, 0);
		break;
	}
}

/* ---- run state ---------------------------------------------------------- */

static void set_stop(struct pv_vcpu *vcpu, enum pv_stop_reason why,
		     int32_t code)
{
	vcpu->stop = why;
	vcpu->stop_code = code;
	vcpu->wfi = false;
}

/* A board reset (the guest's watchdog) stops every vCPU at its next entry. */
static void check_board_reset(struct pv_vcpu *vcpu)
{
	if (vcpu->stop == PV_STOP_NONE &&
	    pv_devices_reset_requested(&vcpu->vm->dev))
		set_stop(vcpu, PV_STOP_RESET, 0);
}

/* Apply a handler's outcome to the run state: the one writer of it. */
static void settle(struct pv_vcpu *vcpu, const struct pv_outcome *out)
{
	if (out->action == PV_ACTION_STOP)
		set_stop(vcpu, out->stop, out->code);
	else if (out->action == PV_ACTION_WAIT)
		vcpu->wfi = true;
	check_board_reset(vcpu);
}

/*
 * Deliver a pending unmasked virtual FIQ or IRQ and say what comes next. A
 * pending interrupt ends a WFI even while CPSR.I/F masks it, as on
 * hardware (Linux idles with interrupts masked).
 */
static enum pv_action deliver_pending(struct pv_vcpu *vcpu)
{
	struct pv_stats *stats = &vcpu->vm->stats;

	if (vcpu->stop != PV_STOP_NONE)
		return PV_ACTION_STOP;
	if (vcpu->irq_line || vcpu->fiq_line)
		vcpu->wfi = false;
	if (vcpu->fiq_line && !(vcpu->cpsr & PV_PSR_F)) {
		pv_stats_event(stats, PV_EV_VFIQ);
		pv_vpage_leave_stub(vcpu);
		pv_vcpu_take_exception(vcpu, PV_EXC_FIQ, vcpu->r[15]);
	} else if (vcpu->irq_line && !(vcpu->cpsr & PV_PSR_I)) {
		pv_stats_event(stats, PV_EV_VIRQ);
		pv_vpage_leave_stub(vcpu);
		pv_vcpu_take_exception(vcpu, PV_EXC_IRQ, vcpu->r[15]);
	}
	return vcpu->wfi ? PV_ACTION_WAIT : PV_ACTION_RESUME;
}

/* The answer's run-state fields. */
static void answer(const struct pv_vcpu *vcpu, enum pv_action action,
		   struct pv_exit *exit)
{
	exit->action = action;
	exit->stop = vcpu->stop;
	exit->code = action == PV_ACTION_STOP ? vcpu->stop_code : 0;
}

/* What an entry point reports before (or without) handling a trap. */
static void begin_exit(const struct pv_vcpu *vcpu, struct pv_exit *exit)
{
	exit->reason = PV_TR_COUNT;
	exit->injected = PV_INJ_NONE;
	exit->pc = vcpu->r[15];
	exit->cpsr = vcpu->cpsr;
	exit->insn = 0;
	exit->addr = 0;
}

int pv_vcpu_handle_trap(struct pv_vcpu *vcpu, const struct pv_trap *trap,
			struct pv_exit *exit)
{
	struct pv_trace_entry *e;
	struct trap_result r;

	if ((unsigned)trap->kind >= PV_TRAP_KIND_COUNT)
		return PV_EINVAL;
	/* What a backend fast path did since the last resume, first. */
	pv_fast_sync(vcpu);
	check_board_reset(vcpu);
	if (vcpu->stop != PV_STOP_NONE) {
		begin_exit(vcpu, exit);
		answer(vcpu, PV_ACTION_STOP, exit);
		return 0;
	}
	/* The host SPSR holds the guest's user-owned bits at the trap. */
	vcpu->cpsr = (vcpu->cpsr & ~PV_PSR_USER_MASK) |
		     (trap->host_cpsr & PV_PSR_USER_MASK);
	/* And the vCPU page what the guest's stubs changed since. */
	pv_vpage_sync_in(vcpu);
	begin_exit(vcpu, exit);
	/* Banked GIC CPU interface and private timers: this vCPU's. */
	vcpu->vm->dev.gic.cur_cpu = vcpu->id;

	dispatch(&r, vcpu, trap);

	e = pv_stats_trap(&vcpu->vm->stats, r.reason);
	e->pc = exit->pc;
	e->insn = r.insn;
	e->cpsr = exit->cpsr;
	e->info = r.info;
	e->kind = (uint8_t)trap->kind;
	e->vcpu = (uint8_t)vcpu->id;
	if (r.patched)
		pv_stats_event(&vcpu->vm->stats, PV_EV_PATCHED);
	settle(vcpu, &r.out);
	pv_vpage_after_trap(vcpu, r.patched);
	if (vcpu->stop == PV_STOP_FATAL)
		pv_vm_dump_trace(vcpu->vm);

	exit->reason = r.reason;
	exit->injected = r.out.injected;
	exit->insn = r.insn;
	exit->addr = r.info;
	answer(vcpu, deliver_pending(vcpu), exit);
	return 0;
}

int pv_vcpu_poll(struct pv_vcpu *vcpu, struct pv_exit *exit)
{
	pv_fast_sync(vcpu);
	begin_exit(vcpu, exit);
	check_board_reset(vcpu);
	answer(vcpu, deliver_pending(vcpu), exit);
	return 0;
}

int pv_vcpu_run_trap(struct pv_vcpu *vcpu, const struct pv_trap *trap,
		     pv_wait_fn wait, void *wait_ctx, struct pv_exit *exit,
		     struct pv_resume *resume)
{
	struct pv_exit polled;
	int err = pv_vcpu_handle_trap(vcpu, trap, exit);

	if (err)
		return err;
	while (exit->action == PV_ACTION_WAIT && wait) {
		wait(wait_ctx);
		pv_vcpu_poll(vcpu, &polled);
		exit->action = polled.action;
		exit->stop = polled.stop;
		exit->code = polled.code;
	}
	if (exit->action == PV_ACTION_RESUME)
		pv_vcpu_resume_state(vcpu, resume);
	return 0;
}

/* ---- the vCPU as the backend sees it ------------------------------------ */

uint32_t *pv_vcpu_regs(struct pv_vcpu *vcpu)
{
	return vcpu->r;
}

unsigned pv_vcpu_id(const struct pv_vcpu *vcpu)
{
	return vcpu->id;
}

void pv_vcpu_resume_state(struct pv_vcpu *vcpu, struct pv_resume *out)
{
	/* Every field is written: no memset on this per-trap path. */
	out->host_cpsr = PV_MODE_USR | (vcpu->cpsr & PV_PSR_USER_MASK);
	/*
	 * IT bits with T clear are UNPREDICTABLE on ARMv7: an exception return
	 * the guest forged must not hand the host CPU such a state.
	 */
	if (!(out->host_cpsr & PV_PSR_T))
		out->host_cpsr &= ~PV_PSR_IT_MASK;
	pv_shadow_resume(vcpu, out);
	pv_vpage_sync_out(vcpu);
	out->vfp_enable = pv_vcpu_vfp_enabled(vcpu);
	out->tpidruro = vcpu->cp15.tpidruro;
	out->tpidrurw = vcpu->cp15.tpidrurw;
	out->align_check = (vcpu->cp15.sctlr & PV_SCTLR_A) != 0;
	out->guest_kernel = pv_vcpu_is_privileged(vcpu);
	pv_fast_fill(vcpu);
}

void pv_vcpu_fast_tpidruro(struct pv_vcpu *vcpu, uint32_t value,
			   uint32_t count)
{
	if (!count)
		return;
	vcpu->cp15.tpidruro = value;
	vcpu->vm->stats.traps[PV_TR_CP15_WRITE] += count;
}

void pv_vcpu_set_tpidrurw(struct pv_vcpu *vcpu, uint32_t value)
{
	vcpu->cp15.tpidrurw = value;
}

uint32_t pv_trap_pc(enum pv_trap_kind kind, uint32_t exc_lr,
		    uint32_t host_cpsr)
{
	/* LR past the trapping instruction: by its size (UNDEF, SVC), by a
	 * fixed 4 (prefetch abort) or 8 (data abort); past the next one to
	 * execute by 4 (IRQ, FIQ). */
	static const uint8_t arm[PV_TRAP_KIND_COUNT] = {
		[PV_TRAP_UNDEF] = 4, [PV_TRAP_SVC] = 4, [PV_TRAP_PABT] = 4,
		[PV_TRAP_DABT] = 8, [PV_TRAP_IRQ] = 4, [PV_TRAP_FIQ] = 4,
	};
	static const uint8_t thumb[PV_TRAP_KIND_COUNT] = {
		[PV_TRAP_UNDEF] = 2, [PV_TRAP_SVC] = 2, [PV_TRAP_PABT] = 4,
		[PV_TRAP_DABT] = 8, [PV_TRAP_IRQ] = 4, [PV_TRAP_FIQ] = 4,
	};

	if ((unsigned)kind >= PV_TRAP_KIND_COUNT)
		return exc_lr;
	return exc_lr - (host_cpsr & PV_PSR_T ? thumb : arm)[kind];
}
