/* SPDX-License-Identifier: MIT */
/*
 * The trap path's translation caches (itlb.c): one for instruction fetches
 * and one for the data accesses the emulator makes (LDM/STM ^, SRS/RFE,
 * LDRT/STRT, emulated loads and stores). One set per vCPU, embedded in
 * &struct pv_vcpu.
 */
#ifndef PV_ITLB_H
#define PV_ITLB_H

#include <pvcore/decode.h>
#include <pvcore/types.h>

#define PV_ITLB_ENTRIES 8u
#define PV_DTLB_ENTRIES 16u

/**
 * struct pv_tlb_ent - one cached guest translation of a RAM page
 * @va_page: the page's guest-virtual address, bit 0 set when valid
 * @page: host address of the page if it is RAM; NULL for a device page
 * @gpa_page: its guest-physical address (data entries)
 * @domain: its guest domain; @dacr_field: that domain's DACR field then
 * @key: what the walk checked: bit 0 privileged, bit 1 write
 * @global: the guest's mapping is global (a TLBIASID leaves it)
 * @gen: the low 16 bits of &pv_itlb.gen when filled: an entry of an older
 *       regime is dead without being cleared
 */
struct pv_tlb_ent {
	uint32_t va_page;
	uint8_t *page;
	uint64_t gpa_page;
	uint8_t domain, dacr_field, key, global;
	uint16_t gen;
};

/* The registers that select a translation regime. */
struct pv_regime {
	uint32_t sctlr, ttbr0, ttbr1, ttbcr, contextidr;
};

/**
 * struct pv_itlb - the trap path's caches of guest translations
 * @regime, @tlbi_gen: the translation regime the entries belong to (a
 *        change empties both caches, by a new @gen; they are cleared for
 *        real only when its low 16 bits, the entries' tags, wrap)
 * @gen: counts those changes (never 0 once the caches were used)
 * @ent: instruction fetches, direct-mapped by VA[14:12]
 * @dent: data accesses, direct-mapped by VA[15:12] and the write bit
 * Holds no more than a TLB may: guest translations of RAM pages the guest
 * executed from or accessed, each used only for the privilege and access
 * kind its walk checked and while its domain's DACR field is unchanged,
 * dropped by every TLB maintenance operation (pv_shadow.tlbi_gen).
 */
struct pv_itlb {
	struct pv_regime regime;
	uint32_t tlbi_gen, gen;
	struct pv_tlb_ent ent[PV_ITLB_ENTRIES];
	struct pv_tlb_ent dent[PV_DTLB_ENTRIES];
};

#define PV_DECODED_ENTRIES 32u

/**
 * struct pv_decoded - the trap path's cache of decoded instructions
 * @ent: direct-mapped by the PC; an entry is used only when the word the
 *       guest memory holds at that PC now is @fetched, in the same
 *       instruction set and privilege (@priv: self-describing trap words
 *       and the load alias are the guest kernel's), so rewritten code is
 *       decoded again
 * Each entry keeps what trap.c derived from (@pc, @fetched): the pvpatch
 * site's original word or the fetched one (@word, @patched), and the
 * decoder's result (@err, @insn). Both are pure functions of the key: the
 * site table does not change while the VM exists.
 */
struct pv_decoded_ent {
	uint32_t pc, fetched, word;
	int8_t err;
	bool thumb, priv, patched, valid;
	struct pv_insn insn;
};

struct pv_decoded {
	struct pv_decoded_ent ent[PV_DECODED_ENTRIES];
};

struct pv_vcpu;

/*
 * pv_itlb_fetch() - host address of @size instruction bytes at guest @va,
 * or NULL when the caller must take the full guest_mem.c path (which also
 * reports faults).
 */
const uint8_t *pv_itlb_fetch(struct pv_vcpu *vcpu, uint32_t va, unsigned size);

/*
 * pv_itlb_fetch_word() - the A32 word at guest @va as an instruction fetch
 * would read it (little-endian), through pv_itlb_fetch(); false where that
 * returns NULL. For the trap path's look-ahead at the words after a trap.
 */
bool pv_itlb_fetch_word(struct pv_vcpu *vcpu, uint32_t va, uint32_t *w);

/*
 * pv_dtlb_find() - the cached translation for a data access of @size
 * bytes at guest @va with PV_ACC_* @acc (READ/WRITE, optionally USER), or
 * NULL on a miss. Never walks: a miss takes the full path, which then calls
 * pv_dtlb_fill(). A hit with a NULL @page is a device page: the access
 * goes to the memory map at @gpa_page.
 */
const struct pv_tlb_ent *pv_dtlb_find(struct pv_vcpu *vcpu, uint32_t va,
				      unsigned size, unsigned acc);

/*
 * pv_dtlb_fill() - remember that the data access @acc at @va, which the
 * guest walk allowed in @domain, reaches guest-physical @gpa: RAM at host
 * @page, or a device when @page is NULL; @global: the mapping was global.
 * Ignored inside the VMM window.
 */
void pv_dtlb_fill(struct pv_vcpu *vcpu, uint32_t va, unsigned acc,
		  unsigned domain, bool global, uint8_t *page, uint64_t gpa);

/*
 * pv_dtlb_kernel_device() - the entry through which the guest kernel's
 * loads reach the device page at guest-physical @gpa_page under the
 * current regime by a global mapping, as the cache holds it (tried at
 * @hint's slot first).
 * Return: the entry, or NULL.
 */
const struct pv_tlb_ent *pv_dtlb_kernel_device(struct pv_vcpu *vcpu,
					       uint64_t gpa_page, uint32_t hint);

/**
 * struct pv_tlb_keep - a global data entry and the regime it was found in
 * @ent: the entry (@ent.va_page bit 0 clear: nothing kept)
 * @regime: the regime's registers then
 */
struct pv_tlb_keep {
	struct pv_tlb_ent ent;
	struct pv_regime regime;
};

/*
 * pv_dtlb_keep() - remember @e, a live global entry of the current regime.
 * pv_dtlb_restore() - put it back in the cache if the regime's registers
 * and its domain's DACR field are those it was found with. Guest TLB
 * maintenance empties the cache; the caller knows whether that
 * maintenance reached the entry's page (a TLB keeps a global entry that
 * it did not). Return: true if the entry is in the cache again.
 */
void pv_dtlb_keep(struct pv_vcpu *vcpu, const struct pv_tlb_ent *e,
		  struct pv_tlb_keep *k);
bool pv_dtlb_restore(struct pv_vcpu *vcpu, const struct pv_tlb_keep *k);

#endif /* PV_ITLB_H */
