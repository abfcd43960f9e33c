/* SPDX-License-Identifier: MIT */
/*
 * The trap dispatch: the single entry point through which every exception
 * taken from the guest reaches the library. Classify, decode, emulate or
 * inject, then deliver pending virtual interrupts and say what to do next.
 */
#include <pvcore/decode.h>
#include <pvcore/emulate.h>
#include <pvcore/error.h>
#include <pvcore/guest_mem.h>
#include <pvcore/hypercall.h>
#include <pvcore/patch.h>
#include <pvcore/psci.h>
#include <pvcore/vm.h>

#include "pv_internal.h"

static const char *const reason_names[PV_TR_COUNT] = {
	[PV_TR_CP15_READ] = "cp15-read",
	[PV_TR_CP15_WRITE] = "cp15-write",
	[PV_TR_CP14] = "cp14",
	[PV_TR_VFP_CTRL] = "vfp-ctrl",
	[PV_TR_PSR] = "psr",
	[PV_TR_EXC_RETURN] = "exc-return",
	[PV_TR_BANKED_LDM_STM] = "banked-ldm-stm",
	[PV_TR_LDRT_STRT] = "ldrt-strt",
	[PV_TR_WFI] = "wfi",
	[PV_TR_SVC] = "svc",
	[PV_TR_UNDEF_INJECT] = "undef-inject",
	[PV_TR_HYPERCALL] = "hypercall",
	[PV_TR_PSCI] = "psci",
	[PV_TR_SHADOW_FILL] = "shadow-fill",
	[PV_TR_GUEST_PABT] = "guest-pabt",
	[PV_TR_GUEST_DABT] = "guest-dabt",
	[PV_TR_MMIO_READ] = "mmio-read",
	[PV_TR_MMIO_WRITE] = "mmio-write",
	[PV_TR_HOST_IRQ] = "host-irq",
	[PV_TR_VIRQ] = "virq",
	[PV_TR_VFIQ] = "vfiq",
	[PV_TR_PATCHED] = "patched",
	[PV_TR_OTHER] = "other",
};

const char *pv_trap_reason_name(enum pv_trap_reason reason)
{
	if ((unsigned)reason >= PV_TR_COUNT || !reason_names[reason])
		return "?";
	return reason_names[reason];
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

static void fatal(struct pv_vcpu *vcpu, struct pv_exit *exit, int err)
{
	exit->action = PV_ACTION_STOP;
	exit->reason = PV_STOP_FATAL;
	exit->code = err;
	vcpu->stop = PV_STOP_FATAL;
	vcpu->stop_code = err;
	pv_vm_dump_trace(vcpu->vm);
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
		      const struct pv_patch_site **site, struct pv_fault *fault)
{
	uint32_t pc = vcpu->r[15];
	uint64_t hw1, hw2, w;
	int err = 0;

	*thumb = (vcpu->cpsr & PV_PSR_T) != 0;
	*site = NULL;
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
	if (err)
		return err;
	*site = pv_patch_lookup(vcpu->vm->cfg.patch_sites, pv_gva(pc));
	if (*site && (*site)->patched == *word)
		*word = (*site)->original;
	else
		*site = NULL;
	return 0;
}

/*
 * Fetch, decode and emulate the instruction at r[15]. @mmio_reason is the
 * counter to use when the instruction is a memory access (data-abort MMIO
 * path); PV_TR_COUNT on the UNDEF/SVC path.
 */
static void emulate_at_pc(struct pv_vcpu *vcpu, enum pv_trap_kind kind,
			  enum pv_trap_reason mmio_reason, uint32_t info,
			  struct pv_exit *exit)
{
	const struct pv_patch_site *site;
	struct pv_fault fault;
	struct pv_insn insn;
	enum pv_trap_reason reason;
	uint32_t word = 0;
	bool thumb;
	int err;

	err = fetch_insn(vcpu, &word, &thumb, &site, &fault);
	if (err == PV_EFAULT) {
		/* The guest's own mapping no longer allows the fetch. */
		pv_vm_count_trap(vcpu->vm, vcpu, kind, PV_TR_GUEST_PABT, word,
				 fault.far);
		pv_vcpu_inject_abort(vcpu, true, fault.fsr, fault.far,
				     vcpu->r[15]);
		return;
	}
	if (err) {
		fatal(vcpu, exit, err);
		return;
	}
	err = decode_word(word, thumb, &insn);
	if (err == PV_EUNDEF || err == PV_ENOTOURS) {
		if (mmio_reason != PV_TR_COUNT) {
			/* A device access pvcore cannot emulate (e.g. NEON). */
			pv_vm_count_trap(vcpu->vm, vcpu, kind, mmio_reason,
					 word, info);
			fatal(vcpu, exit, err);
			return;
		}
		pv_vm_count_trap(vcpu->vm, vcpu, kind, PV_TR_UNDEF_INJECT, word,
				 info);
		pv_vcpu_take_exception(vcpu, PV_EXC_UNDEF, vcpu->r[15]);
		return;
	}
	if (err) {
		fatal(vcpu, exit, err);
		return;
	}
	reason = mmio_reason != PV_TR_COUNT ? mmio_reason :
					      insn_reason(vcpu, &insn);
	pv_vm_count_trap(vcpu->vm, vcpu, kind, reason, word, info);
	if (site)
		vcpu->vm->counters[PV_TR_PATCHED]++;
	pv_emulate(vcpu, &insn, exit);
}

static void handle_svc(struct pv_vcpu *vcpu, struct pv_exit *exit)
{
	uint32_t pc = vcpu->r[15];
	uint32_t len = (vcpu->cpsr & PV_PSR_T) ? 2 : 4;

	/* A patched site may use an SVC as its trapping word. */
	if (pv_patch_lookup(vcpu->vm->cfg.patch_sites, pv_gva(pc))) {
		emulate_at_pc(vcpu, PV_TRAP_SVC, PV_TR_COUNT, 0, exit);
		return;
	}
	pv_vm_count_trap(vcpu->vm, vcpu, PV_TRAP_SVC, PV_TR_SVC, 0, 0);
	pv_vcpu_take_exception(vcpu, PV_EXC_SVC, pc + len);
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

static void handle_abort(struct pv_vcpu *vcpu, const struct pv_trap *trap,
			 struct pv_exit *exit)
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
		pv_vm_count_trap(vcpu->vm, vcpu, trap->kind, PV_TR_GUEST_DABT,
				 0, trap->far);
		pv_vcpu_inject_abort(vcpu, false,
				     PV_FSR_FS(PV_FS_ALIGNMENT) |
					     (wnr ? PV_FSR_WNR : 0),
				     trap->far, vcpu->r[15]);
		return;
	}
	if (pabt && fs == PV_FS_DEBUG) {
		/*
		 * A BKPT the guest executed: the host debug logic raised it
		 * at PL0. The emulator turns it into the guest's own debug
		 * prefetch abort.
		 */
		emulate_at_pc(vcpu, trap->kind, PV_TR_COUNT, trap->far, exit);
		return;
	}
	if (!fs_is_mmu_fault(fs)) {
		pv_vm_count_trap(vcpu->vm, vcpu, trap->kind, PV_TR_OTHER, 0,
				 trap->far);
		fatal(vcpu, exit, PV_EBACKEND);
		return;
	}
	pv_memset(&fault, 0, sizeof(fault));
	err = pv_shadow_fault(vcpu, pv_gva(trap->far), acc, &outcome, &fault);
	if (err) {
		pv_vm_count_trap(vcpu->vm, vcpu, trap->kind, PV_TR_OTHER, 0,
				 trap->far);
		fatal(vcpu, exit, err);
		return;
	}
	switch (outcome) {
	case PV_SHADOW_FILLED:
		pv_vm_count_trap(vcpu->vm, vcpu, trap->kind, PV_TR_SHADOW_FILL,
				 0, trap->far);
		return;
	case PV_SHADOW_GUEST_FAULT:
		pv_vm_count_trap(vcpu->vm, vcpu, trap->kind,
				 fault.is_prefetch ? PV_TR_GUEST_PABT :
						     PV_TR_GUEST_DABT,
				 0, fault.far);
		pv_vcpu_inject_abort(vcpu, fault.is_prefetch, fault.fsr,
				     fault.far, vcpu->r[15]);
		return;
	case PV_SHADOW_MMIO:
		if (pabt) {
			/* Executing from a device: the bus answers with an abort. */
			pv_vm_count_trap(vcpu->vm, vcpu, trap->kind,
					 PV_TR_GUEST_PABT, 0, trap->far);
			pv_vcpu_inject_abort(vcpu, true,
					     PV_FSR_FS(PV_FS_SYNC_EXT),
					     trap->far, vcpu->r[15]);
			return;
		}
		emulate_at_pc(vcpu, trap->kind,
			      wnr ? PV_TR_MMIO_WRITE : PV_TR_MMIO_READ,
			      trap->far, exit);
		return;
	}
	fatal(vcpu, exit, PV_ESTATE);
}

/*
 * Deliver a pending unmasked virtual FIQ or IRQ. A pending interrupt ends
 * a WFI even while CPSR.I/F masks it, as on hardware (Linux idles with
 * interrupts masked).
 */
static void deliver_pending(struct pv_vcpu *vcpu, struct pv_exit *exit)
{
	if (exit->action == PV_ACTION_STOP)
		return;
	if (exit->action == PV_ACTION_WAIT)
		vcpu->wfi = true;
	if (vcpu->irq_line || vcpu->fiq_line)
		vcpu->wfi = false;
	exit->action = vcpu->wfi ? PV_ACTION_WAIT : PV_ACTION_RESUME;
	if (vcpu->fiq_line && !(vcpu->cpsr & PV_PSR_F)) {
		/* Its own counter: the conformance table confirms FIQs by it. */
		vcpu->vm->counters[PV_TR_VFIQ]++;
		pv_vcpu_take_exception(vcpu, PV_EXC_FIQ, vcpu->r[15]);
	} else if (vcpu->irq_line && !(vcpu->cpsr & PV_PSR_I)) {
		vcpu->vm->counters[PV_TR_VIRQ]++;
		pv_vcpu_take_exception(vcpu, PV_EXC_IRQ, vcpu->r[15]);
	}
}

int pv_vcpu_handle_trap(struct pv_vcpu *vcpu, const struct pv_trap *trap,
			struct pv_exit *exit)
{
	if ((unsigned)trap->kind >= PV_TRAP_KIND_COUNT)
		return PV_EINVAL;
	exit->action = PV_ACTION_RESUME;
	exit->reason = PV_STOP_NONE;
	exit->code = 0;
	if (vcpu->stop != PV_STOP_NONE) {
		exit->action = PV_ACTION_STOP;
		exit->reason = vcpu->stop;
		exit->code = vcpu->stop_code;
		return 0;
	}
	/* The host SPSR holds the guest's user-owned bits at the trap. */
	vcpu->cpsr = (vcpu->cpsr & ~PV_PSR_USER_MASK) |
		     (trap->host_cpsr & PV_PSR_USER_MASK);
	switch (trap->kind) {
	case PV_TRAP_UNDEF:
		emulate_at_pc(vcpu, trap->kind, PV_TR_COUNT, 0, exit);
		break;
	case PV_TRAP_SVC:
		handle_svc(vcpu, exit);
		break;
	case PV_TRAP_PABT:
	case PV_TRAP_DABT:
		handle_abort(vcpu, trap, exit);
		break;
	case PV_TRAP_IRQ:
	case PV_TRAP_FIQ:
		pv_vm_count_trap(vcpu->vm, vcpu, trap->kind, PV_TR_HOST_IRQ, 0,
				 0);
		break;
	default:
		break;
	}
	if (exit->action == PV_ACTION_STOP && vcpu->stop == PV_STOP_NONE) {
		vcpu->stop = exit->reason;
		vcpu->stop_code = exit->code;
	}
	deliver_pending(vcpu, exit);
	return 0;
}

int pv_vcpu_poll(struct pv_vcpu *vcpu, struct pv_exit *exit)
{
	exit->reason = PV_STOP_NONE;
	exit->code = 0;
	if (vcpu->stop != PV_STOP_NONE) {
		exit->action = PV_ACTION_STOP;
		exit->reason = vcpu->stop;
		exit->code = vcpu->stop_code;
		return 0;
	}
	exit->action = vcpu->wfi ? PV_ACTION_WAIT : PV_ACTION_RESUME;
	deliver_pending(vcpu, exit);
	return 0;
}

void pv_vcpu_set_lines(struct pv_vcpu *vcpu, bool irq, bool fiq)
{
	vcpu->irq_line = irq;
	vcpu->fiq_line = fiq;
}

void pv_vcpu_hypercall(struct pv_vcpu *vcpu, bool is_smc,
		       struct pv_exit *exit)
{
	const struct pv_vm *vm = vcpu->vm;
	const struct pv_backend_ops *ops = vm->cfg.ops;
	uint32_t id = vcpu->r[0];
	uint8_t byte;
	int err;

	(void)is_smc; /* both conduits reach the same services */
	if (pv_psci_is_call(id)) {
		err = pv_psci_call(vcpu, exit);
		if (err < 0)
			fatal(vcpu, exit, err);
		return;
	}
	switch (id) {
	case PV_HC_CONSOLE_PUTC:
		byte = (uint8_t)vcpu->r[1];
		ops->console_write(vm->cfg.ctx, &byte, 1);
		vcpu->r[0] = 0;
		break;
	case PV_HC_CONSOLE_GETC:
		vcpu->r[0] = (uint32_t)ops->console_read(vm->cfg.ctx);
		break;
	case PV_HC_EXIT:
		exit->action = PV_ACTION_STOP;
		exit->reason = PV_STOP_HYPERCALL;
		exit->code = (int32_t)vcpu->r[1];
		vcpu->stop = PV_STOP_HYPERCALL;
		vcpu->stop_code = exit->code;
		vcpu->r[0] = 0;
		break;
	case PV_HC_TRAP_COUNT:
		if (vcpu->r[1] < PV_TR_COUNT) {
			uint64_t n = vm->counters[vcpu->r[1]];

			vcpu->r[0] = (uint32_t)n;
			vcpu->r[1] = (uint32_t)(n >> 32);
		} else {
			vcpu->r[0] = PV_TR_COUNT;
			vcpu->r[1] = 0;
		}
		break;
	case PV_HC_TRACE_DUMP:
		pv_vm_dump_trace(vm);
		vcpu->r[0] = 0;
		break;
	default:
		vcpu->r[0] = PV_SMCCC_NOT_SUPPORTED;
		break;
	}
}
