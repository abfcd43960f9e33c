/* SPDX-License-Identifier: MIT */
/**
 * DOC: guest translation (the guest's own MMU, as the architecture defines it)
 *
 * pv_mmu_translate() walks the *guest's* short-descriptor tables exactly as
 * a Cortex-A9 would, and is the single reference for every other user:
 * the shadow fill, LDRT/STRT emulation, ATS1C* and the instruction fetch on
 * the trap path. The shadow engine (shadow.h) caches its results.
 */
#ifndef PVCORE_MMU_H
#define PVCORE_MMU_H

#include <pvcore/types.h>

struct pv_vcpu;

/* Access flags for pv_mmu_translate() and the guest memory accessors. */
enum pv_access {
	PV_ACC_READ = 0,
	PV_ACC_WRITE = 1u << 0,
	PV_ACC_EXEC = 1u << 1,
	/* Check PL0 permission even if the vCPU is privileged (LDRT, ATS1CU*). */
	PV_ACC_USER = 1u << 2,
	/* Cache maintenance by MVA: faults but never permission faults. */
	PV_ACC_CMO = 1u << 3,
};

/* Memory types after TEX remap / TEX decoding. */
enum pv_memtype {
	PV_MT_STRONGLY_ORDERED,
	PV_MT_DEVICE,
	PV_MT_NORMAL,
};

/* Short-descriptor fault status encodings (FS[4:0] split as FS[4],FS[3:0]). */
#define PV_FSR_FS(fs) ((((fs) & 0x10u) << 6) | ((fs) & 0xfu))
#define PV_FSR_WNR (1u << 11)
#define PV_FSR_EXT (1u << 12)
#define PV_FS_ALIGNMENT 0x01
#define PV_FS_DEBUG 0x02
#define PV_FS_AF_SECTION 0x03
#define PV_FS_AF_PAGE 0x06
#define PV_FS_ICACHE_MAINT 0x04
#define PV_FS_TRANSL_SECTION 0x05
#define PV_FS_TRANSL_PAGE 0x07
#define PV_FS_SYNC_EXT 0x08
#define PV_FS_DOMAIN_SECTION 0x09
#define PV_FS_DOMAIN_PAGE 0x0b
#define PV_FS_EXT_WALK_L1 0x0c
#define PV_FS_EXT_WALK_L2 0x0e
#define PV_FS_PERM_SECTION 0x0d
#define PV_FS_PERM_PAGE 0x0f
#define PV_FS_ASYNC_EXT 0x16

/**
 * struct pv_fault - a fault the guest must see
 * @fsr: DFSR/IFSR value (short-descriptor format, including WnR for data)
 * @far: DFAR/IFAR value
 * @is_prefetch: true for prefetch aborts (report in IFSR/IFAR)
 */
struct pv_fault {
	uint32_t fsr;
	uint32_t far;
	bool is_prefetch;
	/* With FS = PV_FS_TRANSL_PAGE only: the host address at which the
	 * walk read its L1 entry, that entry, and the empty L2 entry's. */
	const void *l1_hva, *l2_hva;
	uint32_t l1_desc;
};

/**
 * struct pv_walk - a successful guest translation
 * @pa: guest-physical address of the byte at the translated VA
 * @page_size: size of the mapping that matched: 4K, 64K, 1M or 16M
 * @memtype: memory type
 * @inner, @outer: cacheability (0 NC, 1 WBWA, 2 WT, 3 WB) for Normal memory
 * @shareable: S bit after remap
 * @ng: not-global, so @asid matters
 * @asid: the ASID that was current (CONTEXTIDR[7:0])
 * @domain: the domain field of the first-level descriptor
 * @xn: execute-never
 * @ap: AP[2:0] as the descriptor gave it (APX << 2 | AP[1:0])
 * @pl1_read, @pl1_write, @pl0_read, @pl0_write: the effective permissions
 *         after the domain check for both privilege levels, so the shadow
 *         engine can derive both guest-kernel and guest-user views.
 * @manager: the domain is Manager (no permission checks).
 */
struct pv_walk {
	pv_gpa_t pa;
	uint32_t page_size;
	enum pv_memtype memtype;
	uint8_t inner, outer;
	bool shareable, ng;
	uint8_t asid;
	uint8_t domain;
	bool xn;
	uint8_t ap;
	bool pl1_read, pl1_write, pl0_read, pl0_write;
	bool manager;
	uint32_t l1_desc, l2_desc; /* the descriptors read (0: none) */
};

/**
 * pv_mmu_translate() - translate a guest-virtual address as the guest MMU would
 * @vcpu: the vCPU whose CP15 state (SCTLR, TTBRs, TTBCR, DACR, PRRR/NMRR,
 *        CONTEXTIDR) defines the translation regime
 * @va: the guest-virtual address
 * @acc: PV_ACC_* flags; privilege is the vCPU's unless PV_ACC_USER
 * @out: filled in on success
 * @fault: filled in when the result is PV_EFAULT
 *
 * Reads guest page tables through the VM's memory map. A table walk that
 * hits neither RAM nor a device is reported as a synchronous external abort
 * on translation, as the hardware would.
 *
 * Return: 0; PV_EFAULT with @fault set (translation, access-flag, domain,
 * permission, alignment or external-abort-on-walk fault).
 */
int pv_mmu_translate(struct pv_vcpu *vcpu, pv_gva_t va, unsigned acc,
		     struct pv_walk *out, struct pv_fault *fault);

/**
 * struct pv_mmu_regs - the translation regime, separated from the vCPU
 * @sctlr, @ttbr0, @ttbr1, @ttbcr, @dacr, @prrr, @nmrr, @contextidr: the
 *        guest CP15 values
 * @privileged: the access is made at PL1 (PV_ACC_USER still forces PL0)
 *
 * Lets the shadow engine and its isolation checker re-walk an address
 * space that is not the vCPU's current one.
 */
struct pv_mmu_regs {
	uint32_t sctlr, ttbr0, ttbr1, ttbcr, dacr, prrr, nmrr, contextidr;
	bool privileged;
};

struct pv_memmap;

/**
 * pv_mmu_regs_from_vcpu() - capture @vcpu's translation regime in @r.
 */
void pv_mmu_regs_from_vcpu(const struct pv_vcpu *vcpu, struct pv_mmu_regs *r);

/**
 * pv_mmu_walk() - pv_mmu_translate() on explicit registers
 * @r: the regime
 * @map: guest-physical memory (tables are read from RAM only)
 * @va, @acc, @out, @fault: as for pv_mmu_translate()
 *
 * Return: 0; PV_EFAULT with @fault set.
 */
int pv_mmu_walk(const struct pv_mmu_regs *r, const struct pv_memmap *map,
		pv_gva_t va, unsigned acc, struct pv_walk *out,
		struct pv_fault *fault);

/**
 * pv_mmu_par() - the PAR value an ATS1C{PR,PW,UR,UW} produces
 * @vcpu: the vCPU
 * @va: the address operand
 * @write: the PW/UW forms
 * @user: the UR/UW forms (PL0 permission check)
 *
 * Short-descriptor PAR format. Success: PA[31:12], SS, Outer[3:2],
 * Inner[6:4], SH[7], NOS[10]; NS[9] reads 0 (UNKNOWN for Non-secure
 * walks). For a supersection PA[39:32] is in bits [23:16]. Abort: bit 0
 * set and FS in bits [6:1] (DFSR bits 12, 10, 3:0). Does not fault the
 * guest and does not touch the shadow tables. Cannot fail.
 *
 * Return: the PAR value.
 */
uint32_t pv_mmu_par(struct pv_vcpu *vcpu, pv_gva_t va, bool write, bool user);

#endif /* PVCORE_MMU_H */
