/* SPDX-License-Identifier: MIT */
/**
 * DOC: the virtual CP15/CP14
 *
 * A sorted constant table keyed by (coproc, opc1, CRn, CRm, opc2), in the
 * style of KVM's sys_regs.c, checked for order and duplicates at init.
 */
#ifndef PVCORE_CP15_H
#define PVCORE_CP15_H

#include <pvcore/types.h>

struct pv_vcpu;

/** The virtual MIDR: Cortex-A9 r2p10, as on an i.MX6Q. */
#define PV_A9_MIDR 0x412fc09au

/**
 * struct pv_cp_access - one MCR/MRC (or one half of MCRR/MRRC)
 * @coproc: 14 or 15
 * @opc1, @crn, @crm, @opc2: the register key (crn = 0 for 64-bit accesses)
 * @is_64: MCRR/MRRC
 * @is_read: MRC/MRRC
 */
struct pv_cp_access {
	uint8_t coproc, opc1, crn, crm, opc2;
	bool is_64, is_read;
};

/**
 * pv_cp_read() - guest reads a coprocessor register
 * @vcpu: the vCPU (its privilege decides PL0 accessibility)
 * @acc: the register key; @acc->is_read must be true
 * @val: the value (for 64-bit accesses, low word in val[0], high in val[1])
 *
 * Return: 0; PV_EUNDEF if the real CPU would make the access UNDEFINED.
 */
int pv_cp_read(struct pv_vcpu *vcpu, const struct pv_cp_access *acc,
	       uint32_t val[2]);

/**
 * pv_cp15_id_regs() - MIDR, CTR and MPIDR as @vcpu reads them (constants
 * the vCPU page carries for the stubs)
 */
void pv_cp15_id_regs(const struct pv_vcpu *vcpu, uint32_t *midr,
		     uint32_t *ctr, uint32_t *mpidr);

/* pv_cp_write() result: the write was the legacy CP15 wait-for-interrupt. */
#define PV_CP_WAIT 1

/**
 * pv_cp_write() - guest writes a coprocessor register, with side effects
 * (shadow invalidation, TLB/cache maintenance, VFP enable).
 *
 * Return: 0; PV_CP_WAIT for the legacy WFI operation (c7, c0, 4), after
 * which the vCPU waits for an interrupt; PV_EUNDEF as for pv_cp_read().
 */
int pv_cp_write(struct pv_vcpu *vcpu, const struct pv_cp_access *acc,
		const uint32_t val[2]);

/** enum pv_cmo - what a CP15 write does as cache maintenance by MVA. */
enum pv_cmo {
	PV_CMO_NONE,   /* not a maintenance operation by MVA (or UNDEFINED now) */
	PV_CMO_DCACHE, /* DCIMVAC, DCCMVAC, DCCMVAU, DCCIMVAC: clean the line */
	PV_CMO_ICACHE, /* ICIMVAU: the whole host I-cache, the value unused */
	PV_CMO_TLB,    /* a TLB invalidation by MVA, one ASID or all: the page
			* in every ASID (pv_shadow_tlbi()) */
};

/**
 * pv_cp_cmo() - whether an MCR to @acc, allowed at @vcpu's privilege now,
 * is a cache or TLB maintenance operation by MVA, and which kind (cmo_loop.c)
 * Return: PV_CMO_NONE for anything else, including an UNDEFINED access.
 */
enum pv_cmo pv_cp_cmo(const struct pv_vcpu *vcpu,
		      const struct pv_cp_access *acc);

struct pv_walk;
/**
 * pv_cp15_dcache_line() - the host line a D-cache operation by MVA on @va
 * cleans, given @w, a successful PV_ACC_CMO translation of an address in
 * the same @w->page_size block as @va; NULL if it is not guest RAM (the
 * operation then does nothing, as wr_dcache_mva() for one line)
 */
uint8_t *pv_cp15_dcache_line(struct pv_vcpu *vcpu, const struct pv_walk *w,
			     uint32_t va);

/**
 * pv_cp15_check_table() - verify the register table is sorted and unique
 *
 * pv_vm_init() runs it and refuses to build a VM on a bad table.
 *
 * Return: 0, or PV_ESTATE naming nothing (a build defect).
 */
int pv_cp15_check_table(void);

/**
 * pv_cp15_reset() - set every stateful CP15/CP14 register of @vcpu to its
 * Cortex-A9 reset value (as the Non-secure guest sees it after firmware).
 * Called by pv_vcpu_reset().
 */
void pv_cp15_reset(struct pv_vcpu *vcpu);

/**
 * pv_cp_reg_name() - the name of the register @acc addresses ("SCTLR", ...)
 * Return: a static string, or NULL if the table has no such register (an
 * access to it is UNDEFINED). For diagnostics and the coverage test.
 */
const char *pv_cp_reg_name(const struct pv_cp_access *acc);

#endif /* PVCORE_CP15_H */
