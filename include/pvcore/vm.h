/* SPDX-License-Identifier: MIT */
/**
 * DOC: the VM and vCPU entry points
 *
 * Everything a backend calls lives in this header; what it must provide in
 * turn is in backend.h. A &struct pv_vm holds one guest: its vCPUs, memory
 * map, shadow tables and device models. The caller supplies its storage
 * (statically, on its stack or from its own allocator) and every pool the
 * VM uses; the library never allocates.
 *
 * The lifecycle:
 *
 * 1. fill a &struct pv_vm_config (memory, the VMM window, the virtual board
 *    from board.h, the backend operations) and call pv_vm_init();
 * 2. copy the guest in with pv_vm_load(), set its entry registers through
 *    pv_vcpu_regs();
 * 3. run the guest: enter it with the state pv_vcpu_resume_state() gives,
 *    and hand every exception it takes to pv_vcpu_handle_trap() (or to
 *    pv_vcpu_run_trap(), which also waits and fills the resume state);
 * 4. report host events in between: pv_vm_timer_expired(),
 *    pv_vm_phys_irq(), pv_vm_console_input(), then pv_vcpu_poll().
 *
 * Threading: one pvcore entry point at a time per VM (the backend
 * serializes them); see backend.h.
 */
#ifndef PVCORE_VM_H
#define PVCORE_VM_H

#include <pvcore/backend.h>
#include <pvcore/board.h>
#include <pvcore/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PV_MAX_VCPUS 4
#define PV_MAX_RAM_REGIONS 4
#define PV_TRACE_ENTRIES 64

/*
 * Default VMM window: 0xfff00000-0xfffdffff, which Linux/ARM leaves unused,
 * ending below the guest's own vector page and kuser helpers at 0xffff0000.
 */
#define PV_DEFAULT_WINDOW_BASE 0xfff00000u
#define PV_DEFAULT_WINDOW_SIZE 0x000e0000u

/**
 * struct pv_ram_region - guest RAM and its host backing
 * @gpa: guest-physical base (4 KiB aligned)
 * @size: bytes (4 KiB multiple)
 * @hva: where the VMM can access the backing
 * @hpa: host-physical base of the backing (contiguous), for shadow tables
 */
struct pv_ram_region {
	pv_gpa_t gpa;
	uint32_t size;
	pv_hva_t hva;
	pv_hpa_t hpa;
};

/**
 * struct pv_pool - caller-supplied memory the core carves up
 * @hva: host-virtual base (16 KiB aligned for the shadow pool)
 * @hpa: host-physical base of the same memory (below 4 GiB)
 * @size: bytes
 */
struct pv_pool {
	pv_hva_t hva;
	pv_hpa_t hpa;
	size_t size;
};

struct pv_patch_table;
struct pv_stub_table;

/**
 * PV_VM_MIN_ASIDS - the fewest host ASIDs a VM may be given: two per vCPU
 * (its space's two views) and as many again, so that one vCPU's resume
 * never takes ASIDs from under the others at once.
 */
#define PV_VM_MIN_ASIDS (4u * PV_MAX_VCPUS)

/**
 * struct pv_vm_config - everything the backend decides
 * @ops: the backend operations (backend.h); all must be non-NULL except
 *       @log and the device data paths (blk_*, net_*, rng_fill), which a
 *       board without the matching virtio device may leave NULL
 * @ctx: passed back to every operation
 * @board: the virtual board (board.h): where its devices sit and which
 *         interrupts they raise. NULL means &pv_board_default.
 * @ram: guest RAM regions and their host backing; each must lie inside the
 *       board's RAM range and outside its devices
 * @ram_count: number of valid @ram entries (at least 1)
 * @shadow_pool: memory for shadow tables (16 KiB aligned)
 * @window_base: guest-virtual base of the VMM window (1 MiB aligned)
 * @window_size: its size (a 4 KiB multiple; one that is not a MiB multiple
 *               leaves the rest of the last MiB to the guest, e.g. Linux's
 *               vector page)
 * @window_l1: DIV_ROUND_UP(@window_size, 1 MiB) host first-level descriptors
 *             that map the VMM window (the last one a section if the size
 *             is not a MiB multiple); copied into every shadow root. They
 *             must grant no PL0 access (the guest runs at host PL0).
 * @asid_first, @asid_last: the host ASIDs the shadow tables may use, both
 *              included; 0 and 0 mean 1..255 (a backend whose other
 *              address spaces share the TLB gives the VM a range of its
 *              own; at least PV_VM_MIN_ASIDS of them)
 * @ttbr_attrs: walk attribute bits (IRGN/RGN/S/NOS) ORed into every TTBR0
 *              value handed back in &struct pv_resume
 * @num_vcpus: 1..PV_MAX_VCPUS
 * @patch_sites: pvpatch site table (patch.h) or NULL for an unpatched
 *               guest; it must stay valid for the VM's lifetime
 * @stubs: pvpatch stub table (pvpage.h) of a guest patched with stubs, or
 *         NULL; it must stay valid for the VM's lifetime. Its stub area
 *         must be whole MiBs of guest RAM outside the window, and
 *         @num_vcpus must be 1 for now (the per-vCPU mapping of the page
 *         slots is SMP work).
 * @vcpu_pages: with @stubs, @num_vcpus pages of 4 KiB (page-aligned host
 *              memory outside guest RAM and the shadow pool) that the core
 *              uses as the vCPU pages; the guest kernel can write them
 * @no_cmo_loops: true makes every cache-maintenance-by-MVA MCR of a guest
 *                loop a trap of its own; false (the default) lets the trap
 *                at the loop's MCR do the whole loop, at most
 *                PV_CMO_LOOP_MAX_BYTES per trap, as docs/cpu.md describes
 *                (the guest sees the same either way; tests compare them)
 * @no_trap_chains: true makes every context-register MCR of a guest
 *                  context switch (CONTEXTIDR, then TTBR0) a trap of its
 *                  own; false (the default) lets the trap at the first run
 *                  the barriers and context-register MCRs that follow it
 *                  (trap_chain.h, docs/cpu.md; the guest sees the same)
 */
struct pv_vm_config {
	const struct pv_backend_ops *ops;
	void *ctx;
	const struct pv_board *board;
	struct pv_ram_region ram[PV_MAX_RAM_REGIONS];
	unsigned ram_count;
	struct pv_pool shadow_pool;
	uint32_t window_base;
	uint32_t window_size;
	const uint32_t *window_l1;
	uint32_t ttbr_attrs;
	uint8_t asid_first, asid_last;
	unsigned num_vcpus;
	const struct pv_patch_table *patch_sites;
	const struct pv_stub_table *stubs;
	struct pv_pool vcpu_pages;
	bool no_cmo_loops;
	bool no_trap_chains;
};

/* ------------------------------------------------------------------------
 * The VM object
 * ------------------------------------------------------------------------ */

/** struct pv_vm - one virtual machine; opaque, see &pv_vm_storage_t. */
struct pv_vm;
/** struct pv_vcpu - one virtual CPU of a VM; opaque, see pv_vm_vcpu(). */
struct pv_vcpu;

/*
 * Bytes of caller storage one VM needs. The core checks at build time that
 * its VM fits; pv_vm_storage_size() gives the exact figure of this build.
 */
#define PV_VM_STORAGE_SIZE (96u * 1024u)

/**
 * typedef pv_vm_storage_t - storage for one VM, suitably aligned
 *
 * Declare one (static storage is usual: it is large), then pass
 * pv_vm_of(&storage) to pv_vm_init().
 */
typedef union pv_vm_storage {
	uint64_t align_;
	unsigned char bytes[PV_VM_STORAGE_SIZE];
} pv_vm_storage_t;

/** pv_vm_of() - the VM that lives in @storage. */
static inline struct pv_vm *pv_vm_of(pv_vm_storage_t *storage)
{
	return (struct pv_vm *)(void *)storage;
}

/**
 * pv_vm_storage_size() - bytes the VM object of this build really uses
 *
 * Return: a value no larger than PV_VM_STORAGE_SIZE.
 */
size_t pv_vm_storage_size(void);

/**
 * pv_vm_init() - validate @cfg and build a VM in @vm
 * @vm: caller storage (pv_vm_of()); fully overwritten
 * @cfg: the configuration; copied, but the board, the window descriptors
 *       and the site table it points to must outlive the VM
 *
 * Checks the virtual CPU's CP15 table, resets every vCPU, registers RAM and
 * the board's devices, and prepares the shadow engine. vCPU 0 may run;
 * the others are off (PV_STOP_CPU_OFF) until the guest starts them with
 * PSCI CPU_ON. On failure @vm is unusable and nothing was asked of the
 * backend but now_ns().
 *
 * Return: 0; PV_EINVAL for a missing operation, a bad window, a vCPU count
 * out of range, an unusable board descriptor, a misaligned shadow pool, an
 * ASID range that holds ASID 0 or fewer than PV_VM_MIN_ASIDS, or
 * a stub table with more than one vCPU, misaligned or missing vCPU pages,
 * or a stub area that is not whole MiBs of guest RAM outside the window;
 * PV_EEXIST for overlapping RAM regions, a RAM region that overlaps a
 * board device, or vCPU pages that overlap guest RAM or the shadow pool; PV_ERANGE for a RAM region outside the board's RAM range;
 * PV_EWINDOW if guest RAM overlaps the VMM window's addresses (a guest
 * running with its MMU off could not reach that RAM); PV_ENOMEM when the
 * shadow pool is too small for even one address space; PV_ESTATE if the
 * CP15 register table is not sorted or has duplicates (a build defect).
 */
int pv_vm_init(struct pv_vm *vm, const struct pv_vm_config *cfg);

/**
 * pv_vm_load() - copy an image into guest RAM
 * @vm: the VM
 * @gpa: destination guest-physical address
 * @data: the bytes
 * @len: their number
 *
 * Return: 0; PV_ERANGE if the destination is not entirely inside one RAM
 * region (nothing is copied).
 */
int pv_vm_load(struct pv_vm *vm, pv_gpa_t gpa, const void *data, size_t len);

/**
 * pv_vm_vcpu() - vCPU number @id of @vm
 *
 * Return: the vCPU, or NULL if @id is not below the configured count.
 */
struct pv_vcpu *pv_vm_vcpu(struct pv_vm *vm, unsigned id);

/**
 * pv_vm_timer_expired() - the backend's one-shot timer fired
 *
 * Updates the virtual timers and re-arms the host timer. Call
 * pv_vcpu_poll() afterwards to deliver a resulting interrupt.
 */
void pv_vm_timer_expired(struct pv_vm *vm);

/**
 * pv_vm_console_input() - the backend has host input waiting
 *
 * Moves what fits into the virtual UART's receive FIFO (raising its
 * interrupt), and lets the virtio console and network devices, if the
 * board has them, look for input and frames. Call pv_vcpu_poll()
 * afterwards.
 */
void pv_vm_console_input(struct pv_vm *vm);

/**
 * pv_vm_map_phys_irq() - route host interrupt @host_irq to virtual
 * interrupt ID @virq
 * @vm: the VM
 * @host_irq: the backend's interrupt number
 * @virq: a GIC interrupt ID, 16..PV_GIC_NR_IRQS-1 (board.h), that no board
 *        device uses
 *
 * Asks the backend to deliver @host_irq (ops->irq_route) and records the
 * route only if that succeeded. The backend then reports level changes
 * with pv_vm_phys_irq().
 *
 * Return: 0; PV_ERANGE for an out-of-range @virq; PV_EBUSY if @virq
 * belongs to a board device or another route; PV_EEXIST if @host_irq is
 * already routed; PV_ENOMEM if no route slot is free; the backend's error
 * from irq_route.
 */
int pv_vm_map_phys_irq(struct pv_vm *vm, unsigned host_irq, unsigned virq);

/**
 * pv_vm_phys_irq() - a physical interrupt routed to the VM changed level
 *
 * Return: 0; PV_ERANGE if @host_irq is not routed (pv_vm_map_phys_irq()).
 */
int pv_vm_phys_irq(struct pv_vm *vm, unsigned host_irq, bool level);

/* ------------------------------------------------------------------------
 * Traps
 * ------------------------------------------------------------------------ */

/** enum pv_trap_kind - the host exception that took the guest out. */
enum pv_trap_kind {
	PV_TRAP_UNDEF,
	PV_TRAP_SVC,
	PV_TRAP_PABT,
	PV_TRAP_DABT,
	PV_TRAP_IRQ, /* a host interrupt; the backend already serviced it */
	PV_TRAP_FIQ,
	PV_TRAP_KIND_COUNT,
};

/**
 * struct pv_trap - what the backend knows about the trap
 * @kind: the host exception type
 * @host_cpsr: the host SPSR of the exception mode, i.e. the guest's
 *             user-owned CPSR bits (flags, GE, IT, T, E) at the trap
 * @fsr: host DFSR (data abort) or IFSR (prefetch abort); else 0
 * @far: host DFAR or IFAR; else 0
 *
 * The guest's r0..r15 go into pv_vcpu_regs() before the call. r15 is the
 * address of the instruction that trapped (UNDEF, SVC, prefetch and data
 * abort), or of the next instruction to execute (IRQ, FIQ), never the
 * pipeline-offset value.
 */
struct pv_trap {
	enum pv_trap_kind kind;
	uint32_t host_cpsr;
	uint32_t fsr;
	uint32_t far;
};

/**
 * pv_trap_pc() - the guest's r15 for &struct pv_trap, from the return
 * address the exception left in its mode's LR
 * @kind: the host exception (PV_TRAP_KIND_COUNT and above give @exc_lr)
 * @exc_lr: LR_<mode> at the exception's entry
 * @host_cpsr: its SPSR; T tells which instruction set UNDEF and SVC
 *             interrupted
 *
 * Every backend's exception entry needs this table (Arm ARM B1.8.3: the
 * LR offsets per exception and instruction set), so the core keeps it.
 *
 * Return: the trapping instruction's address for UNDEF, SVC and the
 * aborts, the next instruction's for IRQ and FIQ. Cannot fail.
 */
uint32_t pv_trap_pc(enum pv_trap_kind kind, uint32_t exc_lr,
		    uint32_t host_cpsr);

/**
 * enum pv_trap_reason - what a handled trap was
 *
 * The counting rule: every pv_vcpu_handle_trap() call on a running vCPU
 * that returns 0 counts exactly one of these reasons, the one it reports
 * in &pv_exit.reason. A trap that reaches a stopped vCPU is not counted.
 */
enum pv_trap_reason {
	PV_TR_CP15_READ,
	PV_TR_CP15_WRITE,
	PV_TR_CP14,
	PV_TR_VFP_CTRL,      /* VMRS/VMSR of FPEXC/FPSID/MVFR */
	PV_TR_PSR,           /* MRS/MSR/CPS */
	PV_TR_EXC_RETURN,    /* SUBS PC,LR / MOVS PC / LDM^ pc / RFE */
	PV_TR_BANKED_LDM_STM, /* LDM/STM ^ user registers, SRS */
	PV_TR_LDRT_STRT,
	PV_TR_WFI,
	PV_TR_SVC,           /* guest SVC reflected into the guest */
	PV_TR_UNDEF_INJECT,  /* genuine UNDEF reflected into the guest */
	PV_TR_HYPERCALL,
	PV_TR_PSCI,
	PV_TR_SHADOW_FILL,
	PV_TR_GUEST_PABT,
	PV_TR_GUEST_DABT,
	PV_TR_MMIO_READ,
	PV_TR_MMIO_WRITE,
	PV_TR_HOST_IRQ,
	PV_TR_OTHER,         /* none of the above, e.g. a fatal host fault */
	PV_TR_COUNT,
};

/**
 * enum pv_event - things counted where they happen, beside the traps
 *
 * An event is not a trap: it happens inside a trap or a poll, and one
 * trap may have several or none.
 *
 * A trap at an MCR that heads a cache-maintenance loop and runs several
 * of its iterations (cmo_loop.h) is still one trap, counted under its
 * reason (cp15-write); it counts one PV_EV_CMO_LOOP and, in
 * PV_EV_CMO_LINES, every iteration it ran, its own MCR included. So
 * cmo-lines minus cmo-loop is the number of traps the loops did not take.
 *
 * Likewise a trap at a context-register MCR that runs the barriers and
 * MCRs after it (trap_chain.h) counts one PV_EV_TRAP_CHAIN and, in
 * PV_EV_CHAIN_MCRS, the MCRs it ran, its own included: chain-mcrs minus
 * trap-chain is the number of traps the chains did not take.
 */
enum pv_event {
	PV_EV_VIRQ,     /* a virtual IRQ delivered to the guest */
	PV_EV_VFIQ,     /* a virtual FIQ delivered to the guest */
	PV_EV_PATCHED,  /* a trap at a pvpatch site emulated its original */
	PV_EV_CMO_LOOP, /* a trap ran a cache-maintenance loop (or a part) */
	PV_EV_CMO_LINES, /* the iterations those traps ran */
	PV_EV_TRAP_CHAIN, /* a trap ran a chain of context-register writes */
	PV_EV_CHAIN_MCRS, /* the MCRs those traps ran */
	PV_EV_COUNT,
};

/** enum pv_action - what the backend does after a pvcore entry point. */
enum pv_action {
	PV_ACTION_RESUME, /* return to the guest */
	PV_ACTION_WAIT,   /* guest WFI: sleep until a host event, then call pv_vcpu_poll() */
	PV_ACTION_STOP,   /* the vCPU is finished; see stop and code */
};

/** enum pv_stop_reason - why a vCPU stopped running. */
enum pv_stop_reason {
	PV_STOP_NONE = 0,
	PV_STOP_POWEROFF,   /* PSCI SYSTEM_OFF: the whole VM is off */
	PV_STOP_RESET,      /* PSCI SYSTEM_RESET, or the guest's watchdog */
	PV_STOP_FATAL,      /* the VMM gave up; see the code and the trace */
	PV_STOP_HYPERCALL,  /* the guest asked the backend to stop (PV_HC_EXIT) */
	/*
	 * This vCPU only is off: PSCI CPU_OFF, or a secondary that no CPU_ON
	 * has started yet (every vCPU but 0 after pv_vm_init()). The VM goes
	 * on; pv_vcpu_poll() says PV_ACTION_RESUME once another vCPU's
	 * CPU_ON has started it. Every other reason ends the VM.
	 */
	PV_STOP_CPU_OFF,
};

/** enum pv_injected - the guest exception a trap raised, if any. */
enum pv_injected {
	PV_INJ_NONE,
	PV_INJ_UNDEF,  /* an Undefined Instruction exception */
	PV_INJ_SVC,    /* the guest's own SVC, reflected to its vector */
	PV_INJ_PABT,   /* a prefetch abort (IFSR/IFAR set) */
	PV_INJ_DABT,   /* a data abort (DFSR/DFAR set) */
};

/**
 * struct pv_exit - the library's answer to a trap or a poll
 * @action: what to do next
 * @reason: what the trap was counted as; PV_TR_COUNT after a poll or for a
 *          trap on a stopped vCPU
 * @injected: the guest exception the trap raised, PV_INJ_NONE if none (a
 *            virtual interrupt delivered afterwards is not reported here)
 * @pc: the guest PC the trap was taken at (r15 as the backend gave it)
 * @cpsr: the guest CPSR at the trap, mode bits included
 * @insn: the instruction the trap decoded (T32 as hw1 << 16 | hw2, the
 *        original one at a pvpatch site); 0 if none was
 * @addr: the fault address of an abort (host FAR), else 0
 * @stop: for PV_ACTION_STOP, why
 * @code: for PV_ACTION_STOP, an exit status (PV_HC_EXIT) or a negative
 *        PV_E* code (PV_STOP_FATAL); else 0
 */
struct pv_exit {
	enum pv_action action;
	enum pv_trap_reason reason;
	enum pv_injected injected;
	uint32_t pc;
	uint32_t cpsr;
	uint32_t insn;
	uint32_t addr;
	enum pv_stop_reason stop;
	int32_t code;
};

/**
 * pv_vcpu_regs() - the guest's r0..r15, as its current mode sees them
 *
 * The backend copies the guest registers in here before a trap and out
 * after it. The pointer stays valid for the VM's lifetime.
 *
 * Return: an array of 16 words.
 */
uint32_t *pv_vcpu_regs(struct pv_vcpu *vcpu);

/** pv_vcpu_id() - the vCPU's index, also its MPIDR affinity level 0. */
unsigned pv_vcpu_id(const struct pv_vcpu *vcpu);

/**
 * pv_vcpu_handle_trap() - handle one exception taken from the guest
 * @vcpu: the vCPU that was running; pv_vcpu_regs() holds its registers
 * @trap: what the backend knows
 * @exit: filled in: the next action and what happened
 *
 * Classifies the trap (emulate an instruction, fill the shadow table,
 * inject a guest fault, dispatch MMIO, serve a hypercall or a patched
 * instruction), counts it once, then delivers a pending unmasked virtual
 * interrupt. Never leaves the vCPU half-updated: either the trap's effect
 * is applied completely (including a guest-visible fault injection) or the
 * vCPU stops with PV_STOP_FATAL and a PV_E* code in @exit->code.
 *
 * Return: 0 when @exit is valid; PV_EINVAL for a bad @trap->kind (nothing
 * is touched).
 */
int pv_vcpu_handle_trap(struct pv_vcpu *vcpu, const struct pv_trap *trap,
			struct pv_exit *exit);

/**
 * pv_vcpu_poll() - deliver pending virtual interrupts after a wait or an
 * asynchronous event (timer expiry, console input, physical IRQ)
 * @vcpu: the vCPU
 * @exit: PV_ACTION_RESUME if the guest should run, PV_ACTION_WAIT if it
 *        still waits for an interrupt, PV_ACTION_STOP if it stopped (for
 *        example the guest's watchdog reset the board meanwhile);
 *        @exit->reason is PV_TR_COUNT
 *
 * Only for a vCPU that is not running guest code on another host core:
 * delivering an interrupt enters the exception on the vCPU's state.
 *
 * Return: 0.
 */
int pv_vcpu_poll(struct pv_vcpu *vcpu, struct pv_exit *exit);

/**
 * struct pv_resume - what the guest must run with, pulled by the backend
 * @host_cpsr: the CPSR for the host return: USR mode, A/I/F clear, and the
 *             guest's NZCVQ, GE, IT, T and E bits
 * @ttbr0: host-physical address of the shadow L1 table, with the walk
 *         attribute bits the backend asked for in the VM config
 * @asid: the host ASID to put into CONTEXTIDR
 * @dacr: the host DACR
 * @vfp_enable: whether the host may let the guest execute VFP/NEON
 * @tpidruro: the guest's TPIDRURO. The guest (kernel included, since it
 *            runs at host PL0) reads it without trapping, so the backend
 *            MUST load it into the host TPIDRURO before every return to the
 *            guest (Linux keeps "current" there); guest writes trap, or
 *            go through pvpatch's stubs and the fast paths, which keep
 *            the register as pvcore/fastpath.h ("TPIDRURO") says.
 * @tpidrurw: the guest's TPIDRURW. The host register is the guest's live
 *            copy: a backend that never touches it may ignore this; one
 *            that uses or switches it must store the host value back after
 *            each trap (see pv_vcpu_set_tpidrurw()) and load this before
 *            resuming.
 * @align_check: the guest's SCTLR.A. Alignment checking of a PL0 access
 *            follows the host's SCTLR.A, so the backend sets the host bit
 *            to this while the guest runs.
 * @guest_kernel: the guest runs at PL1. A backend fast path for an
 *            instruction only the guest kernel may execute (see
 *            pv_vcpu_fast_tpidruro()) applies only while this is set.
 */
struct pv_resume {
	uint32_t host_cpsr;
	pv_hpa_t ttbr0;
	uint8_t asid;
	uint32_t dacr;
	bool vfp_enable;
	uint32_t tpidruro, tpidrurw;
	bool align_check;
	bool guest_kernel;
};

/**
 * pv_vcpu_resume_state() - fill @out with the host context for the guest
 * @vcpu: the vCPU about to run
 * @out: filled in
 *
 * Call right before returning to the guest, after any pvcore entry point.
 * Cannot fail.
 */
void pv_vcpu_resume_state(struct pv_vcpu *vcpu, struct pv_resume *out);

/**
 * pv_vcpu_fast_tpidruro() - account for TPIDRURO writes a backend handled
 * @vcpu: the vCPU
 * @value: the value the last of them wrote
 * @count: how many there were since the vCPU last trapped to the core
 *
 * Linux writes TPIDRURO at every kernel entry and exit. A backend may
 * handle a guest-kernel "MCR p15, 0, Rt, c13, c0, 3" (ARM state, cond AL,
 * Rt below r13) without the core, while the last &struct pv_resume said
 * @guest_kernel: load Rt into the host TPIDRURO, step the PC by 4 and
 * return to the guest. It then calls this before its next trap reaches
 * the core, which records @value as the guest's TPIDRURO and counts @count
 * cp15-write traps, as its own path would have (none enter the trace).
 * While the vCPU page is live the core takes the guest's TPIDRURO from
 * the page instead, so such a path must store Rt there as well, and as
 * &struct pv_fast's tpidruro_k when a fast path is registered
 * (pvcore/fastpath.h, "TPIDRURO").
 * Nothing else may differ from the core's emulation: the C path is the
 * reference. Does nothing when @count is 0.
 */
void pv_vcpu_fast_tpidruro(struct pv_vcpu *vcpu, uint32_t value,
			   uint32_t count);

/**
 * pv_vcpu_set_tpidrurw() - record the guest's TPIDRURW as the host held it
 *
 * Only for backends that switch the host TPIDRURW away from the guest's
 * value (see &struct pv_resume).
 */
void pv_vcpu_set_tpidrurw(struct pv_vcpu *vcpu, uint32_t value);

/**
 * typedef pv_wait_fn - sleep until a host event arrives, and report it
 * @ctx: the backend's context
 *
 * Called by pv_vcpu_run_trap() while the guest waits for an interrupt.
 * It blocks until something happens on the host (an interrupt, a timer, a
 * signal) and reports what happened with pv_vm_timer_expired(),
 * pv_vm_phys_irq() or pv_vm_console_input(); those are the only pvcore
 * calls it may make. Returning without an event is allowed (it is called
 * again).
 */
typedef void (*pv_wait_fn)(void *ctx);

/**
 * pv_vcpu_run_trap() - the reference run-loop step of a backend
 * @vcpu: the vCPU that trapped
 * @trap: the trap, as for pv_vcpu_handle_trap()
 * @wait: called while the guest waits (guest WFI); NULL returns
 *        PV_ACTION_WAIT to the caller instead
 * @wait_ctx: passed to @wait
 * @exit: the final answer: PV_ACTION_RESUME or PV_ACTION_STOP (or
 *        PV_ACTION_WAIT when @wait is NULL); @exit->reason etc. describe
 *        the trap itself
 * @resume: filled with pv_vcpu_resume_state() when the answer is
 *        PV_ACTION_RESUME
 *
 * pv_vcpu_handle_trap(), then, while the guest waits, @wait and
 * pv_vcpu_poll(), then pv_vcpu_resume_state(): the whole loop body a
 * backend needs between catching an exception and returning to the guest.
 *
 * Return: 0; PV_EINVAL as pv_vcpu_handle_trap().
 */
int pv_vcpu_run_trap(struct pv_vcpu *vcpu, const struct pv_trap *trap,
		     pv_wait_fn wait, void *wait_ctx, struct pv_exit *exit,
		     struct pv_resume *resume);

/**
 * struct pv_shadow_layout - the parts of the shadow pool a table walker reads
 * @roots_off: offset of the first-level tables in the pool
 * @roots_size: their bytes (16 KiB each, 16 KiB aligned)
 * @l2_off: offset of the second-level tables
 * @l2_size: their bytes (1 KiB each, 1 KiB aligned)
 * @part_l2: with a window that ends inside a MiB (@window_size not a MiB
 *           multiple), the first @part_l2 second-level tables are the
 *           roots' tables of that MiB, table k for the root at
 *           @roots_off + k * 16 KiB: their first pages are the window's,
 *           the rest the guest's. 0 for a window of whole MiBs.
 *
 * The rest of the pool is the core's bookkeeping: no descriptor the core
 * writes names it, so a backend need not show it to the table walker. A
 * backend whose walker reads a copy of the tables (one it checks before
 * the guest runs on it, docs/genode.md) copies these two ranges, as
 * @cache_clean_range names their bytes (backend.h).
 */
struct pv_shadow_layout {
	uint32_t roots_off, roots_size;
	uint32_t l2_off, l2_size;
	uint32_t part_l2;
};

/**
 * pv_vm_shadow_layout() - where the tables lie in @vm's shadow pool
 *
 * Fixed from pv_vm_init() on.
 *
 * Return: 0; PV_EINVAL if @vm or @out is NULL.
 */
int pv_vm_shadow_layout(const struct pv_vm *vm, struct pv_shadow_layout *out);

/* ------------------------------------------------------------------------
 * Counters and the trace ring
 * ------------------------------------------------------------------------ */

/**
 * pv_vm_trap_count() - how many traps were counted under @reason
 *
 * Return: the count, or 0 for an out-of-range @reason.
 */
uint64_t pv_vm_trap_count(const struct pv_vm *vm, enum pv_trap_reason reason);

/**
 * pv_vm_event_count() - how many times @event happened
 *
 * Return: the count, or 0 for an out-of-range @event.
 */
uint64_t pv_vm_event_count(const struct pv_vm *vm, enum pv_event event);

/**
 * pv_trap_reason_name() - short stable name of a reason ("cp15-read", ...)
 *
 * Return: the name, or "?" for an out-of-range value.
 */
const char *pv_trap_reason_name(enum pv_trap_reason reason);

/**
 * pv_event_name() - short stable name of an event ("virq", ...)
 *
 * Return: the name, or "?" for an out-of-range value.
 */
const char *pv_event_name(enum pv_event event);

/** struct pv_trace_entry - one counted trap, for post-mortem reports. */
struct pv_trace_entry {
	uint32_t pc;
	uint32_t insn;
	uint32_t cpsr;
	uint32_t info;  /* the fault address of an abort, else 0 */
	uint8_t kind;   /* enum pv_trap_kind */
	uint8_t reason; /* enum pv_trap_reason */
	uint8_t vcpu;
};

/**
 * pv_vm_trace() - one of the last PV_TRACE_ENTRIES counted traps
 * @vm: the VM
 * @age: 0 for the newest, 1 for the one before, ...
 * @out: filled in
 *
 * Return: 0; PV_ERANGE if fewer than @age + 1 traps are in the ring.
 */
int pv_vm_trace(const struct pv_vm *vm, unsigned age,
		struct pv_trace_entry *out);

/**
 * pv_vm_dump_trace() - write the trace ring and the counters through the
 * backend's log operation, oldest entry first. Does nothing if the backend
 * has no log.
 */
void pv_vm_dump_trace(const struct pv_vm *vm);

#ifdef __cplusplus
}
#endif

#endif /* PVCORE_VM_H */
