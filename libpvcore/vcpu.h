/* SPDX-License-Identifier: MIT */
/**
 * DOC: the virtual CPU
 *
 * One struct holds the architectural state of one guest ARMv7-A processor:
 * the decoder, the emulator, the exception model, the virtual CP15 and the
 * shadow engine all read and write this same struct.
 *
 * Register banking follows the "live view" convention: r[0..15] always hold
 * what the guest's *current* mode sees. The banks of the other modes sit in
 * the bank arrays and are swapped in by pv_vcpu_set_mode(). This is what a
 * backend naturally has after a trap (the host USR registers are the guest's
 * current view), so the trap path copies nothing it does not need.
 *
 * Program counter convention at a trap: r[15] is the address of the
 * instruction that trapped (UNDEF, SVC, prefetch and data abort), or of the
 * next instruction to execute (IRQ, FIQ). It is never the pipeline-offset
 * value; the decoder adds +8/+4 itself where PC is an operand.
 *
 * Security Extensions: the virtual CPU presents them (ID_PFR1.Security = 1,
 * as a real Cortex-A9) and the guest runs in the Non-secure state at PL1.
 * Monitor mode belongs to the "firmware", which is the VMM: SMC is the PSCI
 * conduit. Secure-only registers (SCR, MVBAR, ...) are UNDEFINED to the
 * guest exactly as on Non-secure hardware. The Virtualization Extensions
 * are absent (ID_PFR1.Virtualization = 0); HVC is accepted as the pvcore
 * hypercall instruction, a documented deviation.
 */
#ifndef PVCORE_VCPU_H
#define PVCORE_VCPU_H

#include <pvcore/vm.h>

#include "itlb.h"

/* CPSR/SPSR fields (ARM DDI 0406C B1.3.3). */
#define PV_PSR_N (1u << 31)
#define PV_PSR_Z (1u << 30)
#define PV_PSR_C (1u << 29)
#define PV_PSR_V (1u << 28)
#define PV_PSR_Q (1u << 27)
#define PV_PSR_IT_LO_MASK (3u << 25)   /* IT[1:0] */
#define PV_PSR_J (1u << 24)
#define PV_PSR_GE_MASK (0xfu << 16)
#define PV_PSR_IT_HI_MASK (0x3fu << 10) /* IT[7:2] */
#define PV_PSR_E (1u << 9)
#define PV_PSR_A (1u << 8)
#define PV_PSR_I (1u << 7)
#define PV_PSR_F (1u << 6)
#define PV_PSR_T (1u << 5)
#define PV_PSR_M_MASK 0x1fu
#define PV_PSR_NZCV (PV_PSR_N | PV_PSR_Z | PV_PSR_C | PV_PSR_V)
#define PV_PSR_IT_MASK (PV_PSR_IT_LO_MASK | PV_PSR_IT_HI_MASK)
/* The bits that unprivileged code owns and the host CPSR carries for us. */
#define PV_PSR_USER_MASK                                                      \
	(PV_PSR_NZCV | PV_PSR_Q | PV_PSR_GE_MASK | PV_PSR_IT_MASK | PV_PSR_T | \
	 PV_PSR_E)

/* SCTLR bits the CPU model uses (ARM DDI 0406C B4.1.130). */
#define PV_SCTLR_M (1u << 0)
#define PV_SCTLR_A (1u << 1)
#define PV_SCTLR_C (1u << 2)
#define PV_SCTLR_Z (1u << 11)
#define PV_SCTLR_I (1u << 12)
#define PV_SCTLR_V (1u << 13)
#define PV_SCTLR_EE (1u << 25)
#define PV_SCTLR_TRE (1u << 28)
#define PV_SCTLR_AFE (1u << 29)
#define PV_SCTLR_TE (1u << 30)

/*
 * The Secure Configuration Register our virtual "firmware" runs the guest
 * with. It is never visible to the guest (SCR is Secure-only) but decides
 * the Non-secure A/F rules: NS=1, FW=1, AW=1, so the Non-secure guest may
 * mask FIQs and asynchronous aborts and exception entry sets A/F exactly as
 * on a CPU without the Security Extensions. IRQ/FIQ/EA are not routed to
 * Monitor mode.
 */
#define PV_SCR_NS (1u << 0)
#define PV_SCR_FW (1u << 4)
#define PV_SCR_AW (1u << 5)
#define PV_VIRT_SCR (PV_SCR_NS | PV_SCR_FW | PV_SCR_AW)
/* NSACR as the firmware leaves it: cp10/cp11 usable from Non-secure. */
#define PV_NSACR_CP10_11 (3u << 10)
#define PV_VIRT_NSACR PV_NSACR_CP10_11

/* VMRS/VMSR register numbers (the "reg" field of the encoding). */
#define PV_VFP_FPSID 0u
#define PV_VFP_FPSCR 1u
#define PV_VFP_MVFR1 6u
#define PV_VFP_MVFR0 7u
#define PV_VFP_FPEXC 8u
#define PV_VFP_FPINST 9u
#define PV_VFP_FPINST2 10u
#define PV_FPEXC_EN (1u << 30)
/* FPSCR bits the A9 keeps: flags, QC, AHP, DN, FZ, RMode, Stride, Len,
 * IDC and the cumulative flags. The trap enables are RAZ/WI on the A9. */
#define PV_FPSCR_MASK 0xfff7009fu
/* Cortex-A9 r2 FPU/NEON identification (A9 FPU and NEON TRMs). */
#define PV_A9_FPSID 0x41033094u
#define PV_A9_MVFR0 0x10110222u
#define PV_A9_MVFR1 0x01111111u

enum pv_mode {
	PV_MODE_USR = 0x10,
	PV_MODE_FIQ = 0x11,
	PV_MODE_IRQ = 0x12,
	PV_MODE_SVC = 0x13,
	PV_MODE_MON = 0x16,
	PV_MODE_ABT = 0x17,
	PV_MODE_HYP = 0x1a, /* never valid for the guest: no Virtualization Ext. */
	PV_MODE_UND = 0x1b,
	PV_MODE_SYS = 0x1f,
};

/* Register banks. USR and SYS share PV_BANK_USR. */
enum pv_bank {
	PV_BANK_USR,
	PV_BANK_FIQ,
	PV_BANK_IRQ,
	PV_BANK_SVC,
	PV_BANK_ABT,
	PV_BANK_UND,
	PV_BANK_MON,
	PV_BANK_COUNT,
};

/**
 * struct pv_cp15 - the guest-visible system control registers.
 *
 * Only registers with state live here; constant ID registers come from the
 * CP15 table in libpvcore/cp15.c. Writers must go through pv_cp_write()
 * (or the emulator) so that side effects (shadow invalidation, VFP enable)
 * happen; tests may read fields directly.
 */
struct pv_cp15 {
	uint32_t sctlr, actlr, cpacr;
	uint32_t ttbr0, ttbr1, ttbcr, dacr;
	uint32_t dfsr, ifsr, adfsr, aifsr, dfar, ifar;
	uint32_t par;
	uint32_t prrr, nmrr;
	uint32_t vbar;
	uint32_t fcseidr, contextidr;
	uint32_t tpidrurw, tpidruro, tpidrprw;
	uint32_t csselr;
	uint32_t nsacr;
	/* Cortex-A9 implementation-defined registers Linux/U-Boot touch. */
	uint32_t a9_diag, a9_power_ctrl, a9_tlb_lockdown;
	/* Performance monitors (present, as on the A9; see cp15.c). */
	uint32_t pmcr, pmcntenset, pmovsr, pmselr, pmuserenr, pmintenset;
	uint32_t pmccntr, pmxevtyper[6], pmxevcntr[6];
	/* CP14 debug registers that have state. */
	uint32_t dbgdscr, dbgdtrtx, dbgdtrrx;
	uint32_t dbgvcr;
	uint32_t dbgbvr[6], dbgbcr[6]; /* 6 breakpoints, as an A9 */
	uint32_t dbgwvr[4], dbgwcr[4]; /* 4 watchpoints */
	uint32_t teecr, teehbr;        /* ThumbEE (CP14 opc1 6) */
	/* Host time (backend now_ns) at which @pmccntr was last brought up to date. */
	uint64_t pmccnt_stamp;
	/* Fractional PMCCNTR ticks when PMCR.D divides by 64. */
	uint32_t pmccnt_frac;
};

/**
 * struct pv_vfp - guest VFPv3-D32 / NEON state.
 *
 * The registers themselves normally stay live in the host VFP while the
 * guest runs; the core only virtualizes the control registers and tells the
 * backend (via pv_vcpu_resume_state()) whether the host VFP may be enabled.
 * Backends that cannot leave the VFP live (Genode) save d[] and fpscr here.
 */
struct pv_vfp {
	uint64_t d[32];
	uint32_t fpscr;
	uint32_t fpexc, fpinst, fpinst2;
};

/** enum pv_exception - guest exception types, with their vector offsets. */
enum pv_exception {
	PV_EXC_RESET = 0x00,
	PV_EXC_UNDEF = 0x04,
	PV_EXC_SVC = 0x08,
	PV_EXC_PABT = 0x0c,
	PV_EXC_DABT = 0x10,
	PV_EXC_IRQ = 0x18,
	PV_EXC_FIQ = 0x1c,
};

/**
 * struct pv_vcpu - one virtual ARMv7-A processor.
 * @r: current-mode view of r0..r15 (see the PC convention above).
 * @cpsr: the complete virtual CPSR, including the privileged bits.
 * @spsr: SPSR per bank; [PV_BANK_USR] is unused.
 * @bank_sp, @bank_lr: r13/r14 of the banks that are *not* current.
 * @usr_r8_12, @fiq_r8_12: r8..r12 of the non-current of the two sets.
 * @cp15: system control state.
 * @vfp: VFP/NEON state.
 * @irq_line, @fiq_line: the virtual interrupt inputs, driven by the vGIC.
 * @wfi: true while the guest waits for an interrupt.
 * @stop: why the vCPU stopped, PV_STOP_NONE while it runs.
 * @stop_code: detail for @stop (exit status, error code).
 *
 * Run state: @wfi and @stop are set only by the trap dispatcher (trap.c),
 * from the outcome its handlers return, and cleared by pv_vcpu_reset()
 * and by the dispatcher when an interrupt ends a wait.
 * @vm: the owning VM.
 * @id: index of this vCPU, also its MPIDR affinity 0.
 */
struct pv_vcpu {
	uint32_t r[16];
	uint32_t cpsr;
	uint32_t spsr[PV_BANK_COUNT];
	uint32_t bank_sp[PV_BANK_COUNT];
	uint32_t bank_lr[PV_BANK_COUNT];
	uint32_t usr_r8_12[5];
	uint32_t fiq_r8_12[5];
	struct pv_cp15 cp15;
	struct pv_vfp vfp;
	bool irq_line, fiq_line;
	bool wfi;
	enum pv_stop_reason stop;
	int32_t stop_code;
	struct pv_vm *vm;
	unsigned id;
	/* Set by the emulator when the guest's translation context changed. */
	bool mmu_dirty;
	/*
	 * Local exclusive monitor for the LDREX/STREX the emulator executes
	 * (MMIO; RAM exclusives run on the host's monitor). Open when
	 * @excl_valid is false; pv_vcpu_reset() opens it.
	 */
	bool excl_valid;
	uint32_t excl_addr;
	/* The vCPU page holds what the last resume wrote (vpage.c), and
	 * whether it held the user bank's SP and LR then. */
	bool vpage_live, vpage_usr;
	/* The backend's fast path (fastpath.c), and what the site table
	 * allows it (PV_FAST_*_OK). */
	struct pv_fast *fast;
	uint32_t fast_allow;
	/* The translation regime (itlb.gen) in which fastpath.c last looked
	 * for the kernel's mapping of the global timer itself, and the
	 * shadow's clock_gen in which it last had that mapping. */
	uint32_t fast_gt_gen, fast_gt_tlbi;
	/* The page through which the kernel last read the global timer's
	 * counter on the core's path (0: not yet). */
	uint32_t fast_gt_seen;
	/* That mapping's cache entry and regime (kept in fast_gt_tlbi's
	 * clock_gen): TLB maintenance that did not reach it leaves it usable
	 * without a walk. */
	struct pv_tlb_keep fast_gt_keep;
	/* The guest kernel's last TPIDRURO write that no stub made: the fast
	 * SVC's guess at its entry write (fastpath.h, "TPIDRURO"). */
	uint32_t tpidruro_k;
	/*
	 * The fast return's prefill (fastpath.h, "Prefill", shadow.c): the
	 * template, from the last user-view page fill (the guest PTE's low
	 * bits, the host entry's, and the regime they held in), and the hint
	 * a guest page fault leaves for the next resume.
	 */
	struct pv_prefill {
		bool tmpl, hint;
		bool sent; /* the struct pv_fast holds this template */
		uint32_t lo, host_lo, l1_lo, dacr, sctlr, prrr, nmrr;
		uint32_t ram_gpa, ram_last, ram_off;
		uintptr_t pte, l1, slot;
		uint32_t l1_val;
		unsigned space;
	} pf;
	/* The shadow's ctx_gen when the fast context-switch table was built
	 * (0: never), and the space whose regime it serves. */
	uint32_t fast_ctx_gen;
	unsigned fast_ctx_ref, fast_ctx_last;
	/* ... and the shadow's clock_gen and the clock's page its entries'
	 * PV_FAST_GT_OK were found in. */
	uint32_t fast_ctx_tlbi, fast_ctx_gt_va;
	struct pv_itlb itlb;
	struct pv_decoded decoded;
};

/**
 * pv_vcpu_kick() - tell the backend that @vcpu has a new reason to run
 * @vcpu: the vCPU (its ops->kick, if the backend has one, is called)
 */
void pv_vcpu_kick(struct pv_vcpu *vcpu);

/**
 * pv_vcpu_set_lines() - drive the vCPU's virtual IRQ and FIQ inputs
 * @vcpu: the vCPU
 * @irq: level of the IRQ line
 * @fiq: level of the FIQ line
 *
 * Only records the levels (the vGIC calls it); delivery happens at the end
 * of the current pvcore entry point or at the next pv_vcpu_poll(). A
 * rising line kicks the vCPU (pv_vcpu_kick()).
 */
void pv_vcpu_set_lines(struct pv_vcpu *vcpu, bool irq, bool fiq);

/**
 * pv_mode_bank() - the register bank a mode uses
 * @mode: a CPSR.M value
 *
 * Return: the bank, or PV_BANK_COUNT if @mode is not a valid guest mode.
 * Inline: the trap paths ask several times per trap.
 */
extern const uint8_t pv_mode_bank_tab[16];
static inline enum pv_bank pv_mode_bank(uint32_t mode)
{
	if ((mode & ~0xfu) != 0x10u)
		return PV_BANK_COUNT;
	return (enum pv_bank)pv_mode_bank_tab[mode & 0xf];
}

/**
 * pv_mode_is_valid() - whether @mode may appear in the guest CPSR.M.
 * HYP and the reserved encodings are invalid for this CPU.
 */
bool pv_mode_is_valid(uint32_t mode);

/**
 * pv_vcpu_reset() - put @vcpu into the architectural reset state
 * @vcpu: the vCPU; @vcpu->vm and @vcpu->id must already be set.
 *
 * SVC mode, A/I/F masked, ARM state, MMU and caches off, CP15 at reset
 * values, all general-purpose registers zero.
 */
void pv_vcpu_reset(struct pv_vcpu *vcpu);

/**
 * pv_vcpu_set_mode() - switch the live register view to @mode's bank
 * @vcpu: the vCPU
 * @mode: the new CPSR.M, which must satisfy pv_mode_is_valid()
 *
 * Swaps r8..r14 as the banks require and writes CPSR.M. Touches nothing
 * else (no SPSR copy, no mask changes): that is the caller's business.
 */
void pv_vcpu_set_mode(struct pv_vcpu *vcpu, uint32_t mode);

/**
 * pv_vcpu_get_reg_mode() - read register @n as mode @mode would see it
 * @vcpu: the vCPU
 * @mode: a valid mode (not necessarily the current one)
 * @n: 0..14
 *
 * Used by LDM/STM with ^ (user registers) and SRS.
 */
uint32_t pv_vcpu_get_reg_mode(const struct pv_vcpu *vcpu, uint32_t mode,
			      unsigned n);

/** pv_vcpu_set_reg_mode() - write register @n of @mode's bank. */
void pv_vcpu_set_reg_mode(struct pv_vcpu *vcpu, uint32_t mode, unsigned n,
			  uint32_t value);

/**
 * pv_vcpu_spsr() - pointer to the SPSR of the current mode
 *
 * Return: NULL in USR and SYS mode, which have no SPSR.
 */
uint32_t *pv_vcpu_spsr(struct pv_vcpu *vcpu);

/**
 * pv_vcpu_write_cpsr() - write the CPSR as an exception return or MSR would
 * @vcpu: the vCPU
 * @value: the new CPSR value, already masked by the caller's rules
 *
 * Changes mode (banking registers) when CPSR.M changes. An invalid mode in
 * @value is handled as a Cortex-A9 does: the mode field is left unchanged.
 */
void pv_vcpu_write_cpsr(struct pv_vcpu *vcpu, uint32_t value);

/**
 * pv_vcpu_take_exception() - enter a guest exception as the hardware would
 * @vcpu: the vCPU
 * @exc: the exception type
 * @return_addr: preferred return address (the value before the LR offset
 *               is applied: the faulting instruction for aborts and UNDEF,
 *               the next instruction for SVC, IRQ and FIQ)
 *
 * Sets the target mode's LR and SPSR, the CPSR (mode, A/I/F, T from
 * SCTLR.TE, E from SCTLR.EE, IT cleared, J cleared) and the PC (VBAR or
 * high vectors). Fault status registers are set by the caller beforehand.
 * This cannot fail.
 */
void pv_vcpu_take_exception(struct pv_vcpu *vcpu, enum pv_exception exc,
			    uint32_t return_addr);

/**
 * pv_vcpu_inject_abort() - raise a guest data or prefetch abort
 * @vcpu: the vCPU
 * @is_prefetch: prefetch abort (IFSR/IFAR) rather than data abort (DFSR/DFAR)
 * @fsr: the fault status value as the architecture encodes it
 * @far: the faulting address
 * @insn_addr: address of the instruction that faulted
 */
void pv_vcpu_inject_abort(struct pv_vcpu *vcpu, bool is_prefetch,
			  uint32_t fsr, uint32_t far, uint32_t insn_addr);

/**
 * pv_vcpu_is_privileged() - whether the guest currently runs at PL1.
 */
static inline bool pv_vcpu_is_privileged(const struct pv_vcpu *vcpu)
{
	return (vcpu->cpsr & PV_PSR_M_MASK) != PV_MODE_USR;
}


/**
 * pv_vcpu_vfp_enabled() - whether the guest, at its current privilege, may
 * execute VFP/NEON instructions: virtual FPEXC.EN set and CPACR cp10/cp11
 * granting access to the current PL (NSACR permitting).
 */
bool pv_vcpu_vfp_enabled(const struct pv_vcpu *vcpu);

/**
 * pv_vfp_sysreg_read() - emulate VMRS from a VFP system register
 * @vcpu: the vCPU (privilege and CPACR/FPEXC decide access)
 * @reg: the encoding's reg field: PV_VFP_FPSID, _FPSCR, _MVFR0/1, _FPEXC...
 * @val: the value read
 *
 * Used by the emulator for VMRS, which traps at PL0 for everything but an
 * enabled FPSCR. FPSCR reads the saved @vcpu->vfp.fpscr (backends that keep
 * the VFP live never trap on it).
 *
 * Return: 0; PV_EUNDEF when the access is UNDEFINED as on a Non-secure A9
 * (CPACR denies cp10/cp11, FPSCR with FPEXC.EN clear, any register but
 * FPSCR from PL0, FPINST/FPINST2 and unknown registers).
 */
int pv_vfp_sysreg_read(struct pv_vcpu *vcpu, unsigned reg, uint32_t *val);

/**
 * pv_vfp_sysreg_write() - emulate VMSR to a VFP system register
 * @vcpu: the vCPU
 * @reg: as for pv_vfp_sysreg_read()
 * @val: the value to write (pointer for symmetry with the read; not changed)
 *
 * FPEXC keeps only EN (EX is RAZ/WI on the A9); FPSID writes are ignored.
 * A change of FPEXC.EN takes effect through pv_vcpu_resume_state().
 *
 * Return: 0; PV_EUNDEF as for pv_vfp_sysreg_read(), and for MVFR0/MVFR1.
 */
int pv_vfp_sysreg_write(struct pv_vcpu *vcpu, unsigned reg, uint32_t *val);

#endif /* PVCORE_VCPU_H */
