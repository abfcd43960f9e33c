/* SPDX-License-Identifier: MIT */
/**
 * DOC: the backend's fast paths
 *
 * Two traps remain in a guest system call once pvpatch's stubs run (see
 * pvpage.h): the SVC from guest user mode and the kernel's return to user
 * mode (MOVS PC, LR in SVC mode); around them, Linux's vector stubs, its
 * clock and its context switches trap a few more times. A backend may take
 * these in a few dozen instructions of its exception vectors, without
 * calling the core, from a &struct pv_fast it owns and registers with
 * pv_vcpu_set_fast(). The core fills the struct at every
 * pv_vcpu_resume_state() with what the paths need, sets a flag only for
 * the paths whose preconditions hold, and takes the result back at the
 * start of its next entry point (the state moved, the traps counted), so
 * the C path stays the reference and nothing else sees a difference. The
 * struct must live where the backend's vector code reaches it, and where
 * the guest cannot (never in guest RAM or a page the guest maps); the
 * offsets below are for assembly, checked against the struct at build
 * time (libpvcore/fastpath.c). Every path is optional: a backend takes
 * the ones it implements and leaves the rest to the core.
 *
 * **Fast SVC** (an SVC taken from host USR while @flags has PV_FAST_SVC_OK
 * and @cpsr's mode is USR). With S = the host SPSR, P = the vCPU page
 * (pvpage.h) and F = this struct, in this order:
 *
 * 1. P.SPSR = (S & PV_FAST_USER_BITS) | F.cpsr;
 * 2. F.cpsr = (F.cpsr & ~(0x1f | J)) | SVC | I; P.CPSR = F.cpsr;
 * 3. P.USR_SP, P.USR_LR = the host user SP and LR; P.USR_BAD = 0;
 * 4. the host user SP = F.svc_sp, the host user LR = F.svc_lr = the host
 *    exception LR (the address after the SVC, in either instruction set);
 * 5. if @flags has PV_FAST_TLS_OK, the host TPIDRURO = F.tpidruro_k (a
 *    guess at the kernel's entry write, see below; P.TPIDRURO, the
 *    guest's register, does not change);
 * 6. return to host USR at F.svc_vector with CPSR = (S &
 *    PV_FAST_FLAG_BITS) | F.svc_psr, on F.k_ttbr0 and F.k_asid (the
 *    guest kernel's shadow view; the host DACR does not change);
 * 7. F.n_svc += 1.
 *
 * **Fast return** (an UNDEF at the word PV_FAST_ERET_WORD, ARM state, from
 * the guest kernel, while @flags has PV_FAST_ERET_OK and @cpsr's mode is
 * SVC). With X = P.SPSR, taken only if (X & PV_FAST_ERET_SPSR_MASK) ==
 * USR (no IT, J, E, A, I, F or reserved bits: a plain return to user
 * mode), and P.DACR differs from F.dacr only in fields of F.dacr_free,
 * each of them 00 or 01 in P.DACR (a lazy PAN toggle; anything else goes
 * to the core); in this order:
 *
 * 1. F.spsr_svc = X; F.svc_sp, F.svc_lr = the host user SP and LR;
 * 2. PC = F.svc_lr & ~1 if X.T, else & ~3;
 * 3. the host user SP and LR = P.USR_SP, P.USR_LR;
 * 4. F.cpsr = (F.cpsr & ~(0x1f | A | I | F)) | USR; P.CPSR = F.cpsr (the
 *    page's other fields are not read in user mode, and the core's next
 *    resume or fast SVC rewrites them);
 * 5. the host TPIDRURO = P.TPIDRURO (a PV_STUB_MCR_TLS stub left the
 *    user's value there);
 * 6. return to host USR at PC with CPSR = X, on F.u_ttbr0 and F.u_asid,
 *    with the host DACR (P.DACR & 0x55555555) | F.dacr_host_or (the core
 *    takes P.DACR as the guest's at its next trap, as for every stub
 *    write);
 * 7. F.n_eret += 1.
 *
 * **Fast stub return** (an UNDEF at the same word PV_FAST_ERET_WORD,
 * ARM state, from the guest kernel, while @flags has PV_FAST_XRET_OK and
 * @cpsr's mode is ABT, UND or IRQ: the "MOVS PC, LR" that ends Linux's
 * vector stubs and enters the SVC-mode handler). With X = P.SPSR, taken
 * only if (X & PV_FAST_XRET_SPSR_MASK) == SVC (no T, E, IT, J or
 * reserved bits; NZCVQ, GE, A, I and F are free), (X & F.xret_imask) ==
 * F.xret_imask (the return unmasks no interrupt line that is up) and
 * P.DACR == F.dacr (a DACR write to apply goes to the core); in this
 * order:
 *
 * 1. F.xret_spsr = X; F.xret_sp, F.xret_lr = the host user SP and LR (the
 *    old mode's bank);
 * 2. PC = F.xret_lr & ~3;
 * 3. the host user SP and LR = F.svc_sp, F.svc_lr; P.SPSR = F.spsr_svc;
 * 4. F.cpsr = X & ~PV_FAST_USER_BITS; P.CPSR = F.cpsr;
 * 5. return to host USR at PC with CPSR = (X & PV_FAST_FLAG_BITS) | USR,
 *    on the same shadow view and host DACR (both modes are the kernel's);
 * 6. F.n_xret += 1.
 *
 * **TPIDRURO** (pvpage.h). While the vCPU page is live, P.TPIDRURO is
 * the guest's register; the core reads it back at every trap and writes
 * it, and the host register, at every resume. F.tpidruro_k is the value
 * of the guest kernel's last TPIDRURO write that did not come from a stub
 * (the core fills it and takes it back at its sync). PV_FAST_TLS_OK is
 * set with PV_FAST_SVC_OK when the stub table has a PV_STUB_MCR_TPIDRURO
 * stub (pvpatch proved that the SVC vector's path reaches that write
 * before any read of the register) and the SVC vector is the high one,
 * 0xffff0008. A backend path that emulates a guest-kernel "MCR p15, 0,
 * Rt, c13, c0, 3" itself (see pv_vcpu_fast_tpidruro()) sets the host
 * register, P.TPIDRURO and F.tpidruro_k to Rt.
 *
 * **Prefill at the fast return.** After a guest user access faulted for
 * want of a guest PTE (the core injected a translation fault, page level),
 * the kernel usually writes the PTE and returns to the same access, which
 * would trap again for the shadow fill. The core leaves a hint for that
 * page, and the fast return may fill the shadow entry itself, as the
 * core's fill would. If F.pf_pte is non-zero, between steps 5 and 6 of
 * the fast return:
 *
 * a. F.pf_pte = 0 (a hint is good for one return);
 * b. F.u_ttbr0 == F.pf_u_ttbr0 (the same user view), P.DACR == F.pf_dacr,
 *    and, on the backend's own mappings: the word at F.pf_l1 equals
 *    F.pf_l1_val (the guest's L1 entry still points at the same table),
 *    and E, the word at F.pf_pte (the guest's PTE), has (E & 0xfff) ==
 *    F.pf_lo, and (E & ~0xfff) - F.pf_ram_gpa <= F.pf_ram_last (unsigned:
 *    the page is guest RAM), and the word at F.pf_slot (the shadow entry)
 *    is 0;
 * c. then the word at F.pf_slot = ((E & ~0xfff) + F.pf_ram_off) |
 *    F.pf_host_lo, cleaned to where the host's table walks read it, and
 *    F.n_prefill += 1.
 *
 * A check failing only skips the fill; the return goes on. The addresses
 * are the backend's (its pv_memmap_ram_hva() and shadow pool pointers),
 * low word first; the high words are zero on a 32-bit host. The core sets
 * a hint only while the page's host entry is empty and the guest's PTE
 * bits F.pf_lo are those of a page it filled in the same regime (the same
 * L1 entry bits, DACR, SCTLR, PRRR, NMRR) into the host bits F.pf_host_lo,
 * so the fill is the one its own path would make. Any entry into the core
 * drops the hint: only the fast paths may run between the core's resume
 * and the return, and none of them changes the shadow tables. (A backend
 * that runs vCPUs of one VM on several host CPUs must also keep the other
 * vCPUs' core entries from changing that shadow table meanwhile.) The
 * count goes to the shadow's fill statistics (no trap: the access runs).
 *
 * The paths chain: after it, @cpsr says SVC, so a fast return to user
 * mode (with F.svc_sp and F.svc_lr written back by it) or a core trap may
 * follow; the core takes the old mode's bank from the struct at its sync.
 *
 * **Fast PSR accesses** (an UNDEF at one of the self-describing words
 * PV_FAST_MRS_SPSR_WORD, PV_FAST_MRS_CPSR_WORD or PV_FAST_MSR_SPSR_WORD
 * with the register in bits [3:0], ARM state, from the guest kernel, while
 * @flags has PV_FAST_PSR_OK; the register must be r0-r12 or r14, and for
 * the SPSR forms @cpsr's mode must have an SPSR (not USR or SYS). Linux's
 * vector stubs run these from the vector page, out of reach of pvpatch's
 * stubs):
 *
 * - MRS Rd, SPSR: Rd = P.SPSR;
 * - MRS Rd, CPSR: Rd = (F.cpsr & ~(I | F | J)) | (P.CPSR & (I | F)) |
 *   (S & PV_FAST_MRS_HOST_BITS) (IT, J and T read as zero);
 * - MSR SPSR_fsxc, Rn: P.SPSR = Rn;
 *
 * then return to the next instruction and F.n_psr += 1.
 *
 * **Fast global-timer reads** (a data abort taken from the guest kernel in
 * ARM state, while @flags has PV_FAST_GT_OK: a translation fault on a read
 * (DFSR FS 0b00101 or 0b00111, WnR 0) with DFAR = F.gt_va + 0x200 or
 * + 0x204, the counter's low or high word, by "LDR Rt, [Rn, #+imm12]"
 * (cond AL, no writeback; Rt r0-r12 or r14) at the aborting PC). With C
 * the backend's clock counter (its now_ns is C * F.gt_clock_ns exactly),
 * V = C + (F.gt_off_hi << 32 | F.gt_off_lo): Rt = the word of V the
 * address names; return to the next instruction; F.n_gt += 1. The core
 * sets the flag only when the guest kernel reached that page as the
 * board's global timer through its own global mapping before, the one it
 * last read the counter through on the core's path if any (its
 * translation cache, valid until the next trap reaches the core; a fast
 * context switch sets it again for a space in which the core found it,
 * with no TLB maintenance since that reaches a global entry of that page
 * (TLBIALL, or by MVA at it), as a TLB may keep a translation), the
 * counter runs
 * and its period equals F.gt_clock_ns. The timer's interrupt lines move
 * at the next trap, as after any time that passes in the guest.
 *
 * **Fast FPEXC accesses** (an UNDEF at "VMSR FPEXC, Rt" or "VMRS Rt,
 * FPEXC", cond AL, ARM state, from the guest kernel, Rt r0-r12 or r14,
 * while @flags has PV_FAST_VFP_OK: CPACR grants cp10 and cp11 full access
 * and NSACR allows them, so the host VFP enable is FPEXC.EN in every
 * mode): VMSR sets F.fpexc = Rt & EN and the host FPEXC to it; VMRS sets
 * Rt = F.fpexc; then return to the next instruction and F.n_vfp += 1.
 * Linux writes FPEXC at every context switch (lazy VFP).
 *
 * **Fast branch-predictor invalidation** (an UNDEF at "MCR p15, 0, Rt, c7,
 * c5, 6" (BPIALL) or "c7, c1, 6" (BPIALLIS), cond AL, ARM state, from the
 * guest kernel, while @flags has PV_FAST_BP_OK): the core's emulation
 * does nothing (the guest's branch predictor is the host's, which keeps
 * its own), so return to the next instruction and F.n_cp15w += 1. Linux
 * issues one at every context switch.
 *
 * **Fast TTBR1 reads** (an UNDEF at "MRC p15, 0, Rt, c2, c0, 1", cond AL,
 * ARM state, from the guest kernel, Rt r0-r12 or r14, while @flags has
 * PV_FAST_TTBR1_OK): Rt = F.ttbr1, return to the next instruction,
 * F.n_cp15r += 1. Linux reads it at every context switch.
 *
 * **Fast context switches** (an UNDEF from the guest kernel in ARM state,
 * while @flags has PV_FAST_CTX_OK and @cpsr's mode is SVC; Linux switches
 * address spaces with these two sequences, each one trap on the core's
 * path):
 *
 * - a lone "MCR p15, 0, Rt, c2, c0, 0" (TTBR0): T = Rt, A = F.ctx_contextidr;
 * - "MCR p15, 0, Rt, c13, c0, 1" (CONTEXTIDR) followed by "ISB #option"
 *   and "MCR p15, 0, Rt2, c2, c0, 0", the three words in one 4 KiB page
 *   (the core's trap chain, trap_chain.h): A = Rt, T = Rt2;
 *
 * every MCR cond AL and its register r0-r12. Taken only if P.DACR differs
 * from F.dacr only in fields of F.dacr_free, each of them 00 or 01 in
 * P.DACR (as for the fast return), and an entry E of F.ctx_tab has
 * E.key == (T & F.ctx_mask), E.asid == (A & 0xff) | PV_FAST_CTX_VALID and
 * (E.part_doms & ~P.DACR) == 0; in this order:
 *
 * 1. F.ctx_ttbr0 = T; F.ctx_contextidr = A;
 * 2. F.k_ttbr0, F.k_asid, F.u_ttbr0, F.u_asid = E's; F.ctx_space = E.space;
 * 3. F.n_ctx += 1; E.stamp = F.n_ctx; for the chain, F.n_chain += 1;
 * 4. PV_FAST_GT_OK in @flags = E.gt (the core found the clock's page
 *    through that space's tables, and no TLB maintenance reached it since);
 * 5. return to host USR at the word after the last MCR, on E's kernel
 *    view (k_ttbr0, k_asid; the host DACR does not change).
 *
 * The table holds the cached shadow spaces of the current regime whose
 * two views have live ASIDs, at most one entry per space (entry i is
 * space i); the core fills it only when something it depends on changed.
 * The core's sync takes T and A as TTBR0 and CONTEXTIDR, the last switch's
 * space as the current one and, in stamp order, each used entry's space
 * as most recently used, as if each switch had been its own trap.
 *
 * Anything else (a flag clear, a check failing) is an ordinary trap for
 * the core; nothing of the above may have been written then. The counts
 * are those the core's path would have made: one "svc" trap per fast SVC,
 * one "exc-return" trap and one "patched" event per fast return or stub
 * return, one "psr"
 * trap and one "patched" event per fast PSR access, one "mmio-read" trap
 * per fast global-timer read, one "vfp-ctrl" trap per fast FPEXC access,
 * one "cp15-write" trap per fast BPIALL, one "cp15-read" trap per fast
 * TTBR1 read, one "cp15-write" trap per fast context switch (and per chain
 * one "trap-chain" event and two "chain-mcrs"); none enters the trace
 * ring. A backend whose own bookkeeping watches guest
 * user mode (a fault-loop watchdog) must treat non-zero counts as a visit
 * there (a stub return is not one). The flags are clear while the guest
 * waits or stopped, runs with the MMU off, in a mode other than USR, SVC,
 * ABT, UND or IRQ, or without a live vCPU page, and when either shadow
 * view lacks a live ASID, so the fast path never allocates one.
 * PV_FAST_SVC_OK and PV_FAST_ERET_OK are also clear while an interrupt
 * line is up; PV_FAST_XRET_OK is set only in ABT, UND or IRQ, with
 * @xret_imask naming the lines up (PSR I for IRQ, F for FIQ), and the SVC
 * bank and SPSR in @svc_sp, @svc_lr and @spsr_svc. PV_FAST_PSR_OK needs
 * only a live vCPU page; @cpsr is filled whenever the page is live.
 * PV_FAST_VFP_OK needs only what its paragraph says; PV_FAST_BP_OK and
 * PV_FAST_TTBR1_OK are set whenever a struct is registered.
 * PV_FAST_CTX_OK needs what PV_FAST_SVC_OK needs and trap chains on
 * (&struct pv_vm_config no_trap_chains clear).
 * PV_FAST_GT_OK needs what its paragraph says (no vCPU page) and a
 * non-zero @gt_clock_ns, which only the backend writes (after
 * pv_vcpu_set_fast()).
 */
#ifndef PVCORE_FASTPATH_H
#define PVCORE_FASTPATH_H

#ifdef __cplusplus
extern "C" {
#endif

#define PV_FAST_FLAGS      0  /* PV_FAST_*_OK: the paths that may run now */
#define PV_FAST_CPSR       4  /* the virtual CPSR without the user bits */
#define PV_FAST_SVC_VECTOR 8  /* the guest's SVC vector address */
#define PV_FAST_SVC_PSR    12 /* USR, and T and E as exception entry sets */
#define PV_FAST_K_TTBR0    16 /* host TTBR0 and ASID of the kernel view */
#define PV_FAST_K_ASID     20
#define PV_FAST_U_TTBR0    24 /* ... and of the user view */
#define PV_FAST_U_ASID     28
#define PV_FAST_DACR       32 /* the guest DACR the core applied */
#define PV_FAST_SVC_SP     36 /* SVC-mode SP, LR and SPSR while in USR */
#define PV_FAST_SVC_LR     40
#define PV_FAST_SPSR_SVC   44
#define PV_FAST_N_SVC      48 /* fast SVCs since the core last synced */
#define PV_FAST_N_ERET     52 /* fast returns since then */
#define PV_FAST_N_PSR      56 /* fast PSR accesses since then */
#define PV_FAST_GT_CLOCK_NS 60 /* backend: ns per count of its clock, or 0 */
#define PV_FAST_GT_VA      64 /* the kernel's page of the global timer */
#define PV_FAST_GT_OFF_LO  68 /* counter = clock count + this, 64-bit */
#define PV_FAST_GT_OFF_HI  72
#define PV_FAST_N_GT       76 /* fast global-timer reads since then */
#define PV_FAST_FPEXC      80 /* the guest's FPEXC */
#define PV_FAST_N_VFP      84 /* fast FPEXC accesses since then */
#define PV_FAST_N_CP15W    88 /* fast BPIALLs since then */
#define PV_FAST_DACR_FREE  92 /* DACR fields the return may toggle */
#define PV_FAST_DACR_HOST_OR 96 /* host DACR = guest client bits | this */
#define PV_FAST_TTBR1      100 /* the guest's TTBR1 */
#define PV_FAST_N_CP15R    104 /* fast TTBR1 reads since then */
#define PV_FAST_XRET_IMASK 108 /* PSR I/F: the lines up, to stay masked */
#define PV_FAST_XRET_SP    112 /* the old mode's SP, LR, SPSR after a */
#define PV_FAST_XRET_LR    116 /* fast stub return */
#define PV_FAST_XRET_SPSR  120
#define PV_FAST_N_XRET     124 /* fast stub returns since then */
#define PV_FAST_CTX_TTBR0  128 /* the guest's TTBR0 and CONTEXTIDR */
#define PV_FAST_CTX_CONTEXTIDR 132
#define PV_FAST_CTX_MASK   136 /* TTBR0 bits a space's key keeps */
#define PV_FAST_CTX_SPACE  140 /* the space the last fast switch chose */
#define PV_FAST_N_CTX      144 /* fast context switches since then */
#define PV_FAST_N_CHAIN    148 /* ... of which CONTEXTIDR chains */
#define PV_FAST_TPIDRURO_K 152 /* the kernel's TPIDRURO: the fast SVC's guess */
#define PV_FAST_CTX_TAB    160 /* PV_FAST_CTX_N entries */
#define PV_FAST_CTX_N      16
/* The prefill hint, after the table (each address: low word, high word). */
#define PV_FAST_PF         (PV_FAST_CTX_TAB + PV_FAST_CTX_N * PV_FAST_CTX_E_SIZE)
#define PV_FAST_PF_PTE     (PV_FAST_PF + 0)  /* the guest PTE's word, or 0 */
#define PV_FAST_PF_L1      (PV_FAST_PF + 8)  /* the guest L1 entry's word */
#define PV_FAST_PF_SLOT    (PV_FAST_PF + 16) /* the shadow entry's word */
#define PV_FAST_PF_L1_VAL  (PV_FAST_PF + 24) /* that L1 entry, unchanged */
#define PV_FAST_PF_LO      (PV_FAST_PF + 28) /* the PTE's low 12 bits */
#define PV_FAST_PF_HOST_LO (PV_FAST_PF + 32) /* the host entry's, for them */
#define PV_FAST_PF_RAM_GPA (PV_FAST_PF + 36) /* guest RAM: first page */
#define PV_FAST_PF_RAM_LAST (PV_FAST_PF + 40) /* and last page, from it */
#define PV_FAST_PF_RAM_OFF (PV_FAST_PF + 44) /* host PA - guest PA there */
#define PV_FAST_PF_U_TTBR0 (PV_FAST_PF + 48) /* the user view it is for */
#define PV_FAST_PF_DACR    (PV_FAST_PF + 52) /* the guest DACR it is for */
#define PV_FAST_N_PREFILL  (PV_FAST_PF + 56) /* prefills since the sync */
#define PV_FAST_SIZE       (PV_FAST_PF + 60)

/* An entry of the context-switch table (struct pv_fast_ctx). */
#define PV_FAST_CTX_E_KEY       0  /* guest TTBR0 & ctx_mask */
#define PV_FAST_CTX_E_ASID      4  /* the ASID | PV_FAST_CTX_VALID */
#define PV_FAST_CTX_E_K_TTBR0   8  /* the space's host roots and ASIDs */
#define PV_FAST_CTX_E_K_ASID    12
#define PV_FAST_CTX_E_U_TTBR0   16
#define PV_FAST_CTX_E_U_ASID    20
#define PV_FAST_CTX_E_PART_DOMS 24 /* DACR bits the guest must grant */
#define PV_FAST_CTX_E_STAMP     28 /* F.n_ctx at its last use, or 0 */
#define PV_FAST_CTX_E_SPACE     32
#define PV_FAST_CTX_E_GT        36 /* PV_FAST_GT_OK, or 0 */
#define PV_FAST_CTX_E_SIZE      40
#define PV_FAST_CTX_VALID       0x100

#define PV_FAST_SVC_OK  1
#define PV_FAST_ERET_OK 2
#define PV_FAST_PSR_OK  4
#define PV_FAST_GT_OK   8
#define PV_FAST_VFP_OK  16
#define PV_FAST_BP_OK   32
#define PV_FAST_TTBR1_OK 64
#define PV_FAST_XRET_OK 128
#define PV_FAST_CTX_OK  256
#define PV_FAST_TLS_OK  512

/* The self-describing trap word of "MOVS PC, LR" (patch.h, PV_SELF_ERET). */
#define PV_FAST_ERET_WORD 0xE7FFD0F0
/* The self-describing MRS Rd, SPSR / MRS Rd, CPSR / MSR SPSR_fsxc, Rn
 * (cond AL), with the register in bits [3:0] clear. */
#define PV_FAST_MRS_SPSR_WORD 0xE7FBC1F0
#define PV_FAST_MRS_CPSR_WORD 0xE7FBC0F0
#define PV_FAST_MSR_SPSR_WORD 0xE7F9DFF0
/* VMSR FPEXC, Rt and VMRS Rt, FPEXC (cond AL), with Rt (bits [15:12])
 * clear. */
#define PV_FAST_VMSR_FPEXC_WORD 0xEEE80A10
#define PV_FAST_VMRS_FPEXC_WORD 0xEEF80A10
/* BPIALL and BPIALLIS (MCR p15, 0, Rt, c7, c5/c1, 6, cond AL), with Rt
 * (bits [15:12]) clear. */
#define PV_FAST_BPIALL_WORD   0xEE070FD5
#define PV_FAST_BPIALLIS_WORD 0xEE070FD1
/* MRC p15, 0, Rt, c2, c0, 1 (TTBR1, cond AL), with Rt (bits [15:12])
 * clear. */
#define PV_FAST_MRC_TTBR1_WORD 0xEE120F30
/* MCR p15, 0, Rt, c2, c0, 0 (TTBR0) and MCR p15, 0, Rt, c13, c0, 1
 * (CONTEXTIDR), cond AL, with Rt (bits [15:12]) clear; ISB #option with
 * the option (bits [3:0]) clear. */
#define PV_FAST_MCR_TTBR0_WORD 0xEE020F10
#define PV_FAST_MCR_CONTEXTIDR_WORD 0xEE0D0F30
#define PV_FAST_ISB_WORD 0xF57FF060
/* CPSR bits MRS takes from the host SPSR: NZCVQ, GE and E. */
#define PV_FAST_MRS_HOST_BITS 0xF80F0200
/* SPSR bits that must read as USR alone for a fast return. */
#define PV_FAST_ERET_SPSR_MASK 0x07F0FFDF
/* SPSR bits that must read as SVC alone for a fast stub return: the
 * mode, T, E, IT, J and the reserved bits (NZCVQ, GE, A, I, F are free). */
#define PV_FAST_XRET_SPSR_MASK 0x07F0FE3F
/* PSR bits the guest's user code owns: NZCVQ, GE, IT, T, E. */
#define PV_FAST_USER_BITS 0xFE0FFE20
/* ... of which an exception entry keeps NZCVQ and GE. */
#define PV_FAST_FLAG_BITS 0xF80F0000

#ifndef __ASSEMBLER__
#include <pvcore/types.h>

struct pv_vcpu;

/**
 * struct pv_fast_ctx - a cached address space a fast context switch may
 * select (see the DOC section above)
 */
struct pv_fast_ctx {
	uint32_t key, asid;
	uint32_t k_ttbr0, k_asid, u_ttbr0, u_asid;
	uint32_t part_doms, stamp, space, gt;
};

/**
 * struct pv_fast - the state a backend's fast path reads and writes
 *
 * See the DOC section above for who writes which field when. Every field
 * is a plain word, so backend assembly can use the PV_FAST_* offsets.
 */
struct pv_fast {
	uint32_t flags;
	uint32_t cpsr;
	uint32_t svc_vector;
	uint32_t svc_psr;
	uint32_t k_ttbr0, k_asid;
	uint32_t u_ttbr0, u_asid;
	uint32_t dacr;
	uint32_t svc_sp, svc_lr, spsr_svc;
	uint32_t n_svc, n_eret, n_psr;
	uint32_t gt_clock_ns, gt_va, gt_off_lo, gt_off_hi, n_gt;
	uint32_t fpexc, n_vfp, n_cp15w;
	uint32_t dacr_free, dacr_host_or;
	uint32_t ttbr1, n_cp15r;
	uint32_t xret_imask, xret_sp, xret_lr, xret_spsr, n_xret;
	uint32_t ctx_ttbr0, ctx_contextidr, ctx_mask, ctx_space;
	uint32_t n_ctx, n_chain, tpidruro_k, ctx_pad;
	struct pv_fast_ctx ctx_tab[PV_FAST_CTX_N];
	uint32_t pf_pte[2], pf_l1[2], pf_slot[2];
	uint32_t pf_l1_val, pf_lo, pf_host_lo;
	uint32_t pf_ram_gpa, pf_ram_last, pf_ram_off;
	uint32_t pf_u_ttbr0, pf_dacr, n_prefill;
};

/**
 * pv_vcpu_set_fast() - register (or, with NULL, drop) a backend fast path
 * @vcpu: the vCPU
 * @fast: the backend's struct, word-aligned, outside guest RAM and the
 *        vCPU pages; the core
 *        clears it and keeps the pointer until the next call (a vCPU reset
 *        keeps it too)
 *
 * The fast SVC stays off for good if a pvpatch site uses an SVC as its
 * trap word (the core's path would emulate that site), the fast return,
 * stub return and PSR accesses if a site gives a self-describing word another meaning
 * than the word itself says.
 *
 * Return: 0; PV_EINVAL if @fast is not word-aligned or lies where the
 * guest can write (guest RAM, the vCPU pages).
 */
int pv_vcpu_set_fast(struct pv_vcpu *vcpu, struct pv_fast *fast);
#endif /* __ASSEMBLER__ */

#ifdef __cplusplus
}
#endif

#endif /* PVCORE_FASTPATH_H */
