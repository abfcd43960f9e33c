/* SPDX-License-Identifier: MIT */
/*
 * The trap path's instruction-fetch translation cache (itlb.c). One per
 * vCPU, embedded in &struct pv_vcpu.
 */
#ifndef PV_ITLB_H
#define PV_ITLB_H

#include <pvcore/types.h>

#define PV_ITLB_ENTRIES 8u

/**
 * struct pv_itlb - the trap path's cache of instruction-fetch translations
 * @sctlr, @ttbr0, @ttbr1, @ttbcr, @contextidr, @tlbi_gen: the translation
 *        regime the entries belong to (a change empties the cache)
 * @ent: direct-mapped by VA[14:12]; @va_page has bit 0 set when valid
 * Holds no more than a TLB may: guest translations of RAM pages the guest
 * executed from, keyed by privilege and the domain's DACR field, dropped
 * by every TLB maintenance operation (pv_shadow.tlbi_gen).
 */
struct pv_itlb {
	uint32_t sctlr, ttbr0, ttbr1, ttbcr, contextidr, tlbi_gen;
	struct {
		uint32_t va_page;
		const uint8_t *page;
		uint8_t domain, dacr_field;
		bool privileged;
	} ent[PV_ITLB_ENTRIES];
};

struct pv_vcpu;

/*
 * pv_itlb_fetch() - host address of @size instruction bytes at guest @va,
 * or NULL when the caller must take the full guest_mem.c path (which also
 * reports faults).
 */
const uint8_t *pv_itlb_fetch(struct pv_vcpu *vcpu, uint32_t va, unsigned size);

#endif /* PV_ITLB_H */
