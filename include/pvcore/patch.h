/* SPDX-License-Identifier: MIT */
/**
 * DOC: pvpatch site tables
 *
 * pvpatch (tools/pvpatch) rewrites every sensitive instruction of a guest
 * kernel image into a permanently-undefined instruction that traps at PL0.
 * The VMM looks the trapping PC up in a &struct pv_patch_table and emulates
 * the ORIGINAL instruction recorded there (including its condition: the
 * trap word itself is always unconditional, because a conditional UDF may
 * behave as a NOP when its condition fails).
 *
 * Trap encodings (the "markers"; see docs/pvpatch.md for the collision
 * analysis against BUG(), kgdb, kprobes, uprobes and ptrace):
 *
 * - A32:     UDF #imm16 with cond AL, imm16 = 0x5A00 | cls
 *            word = 0xE7F000F0 | (imm16 >> 4) << 8 | (imm16 & 0xF)
 * - T32:     UDF.W #imm16, imm16 = 0x5A00 | cls
 *            hw1 = 0xF7F0 | imm16 >> 12, hw2 = 0xA000 | (imm16 & 0xFFF)
 * - T16:     UDF #imm8, imm8 = 0x80 | cls (cls < 0x40): 0xDE80..0xDEBF
 *
 * Those words only name a class: the table says what to emulate. Where
 * the original instruction fits, pvpatch writes a *self-describing* trap
 * word instead, which carries the instruction's operands, so a copied or
 * relocated word (a loadable module) needs no table entry. Same UDF
 * containers, other imm16 / imm8 values (see PV_SELF_*):
 *
 * - imm16 0x8000 | cond<<9 | R<<8 | mask<<4 | Rn         MSR <psr>_<mask>, Rn
 * - imm16 0xA000 | cond<<9 | op<<5 | R<<4 | Rd           op 0: MRS Rd, <psr>;
 *                                                        op 1: WFI; op 2: WFE
 * - imm16 0xC000 | imod<<9 | M<<8 | A<<7 | I<<6 | F<<5 | mode     CPS
 * - imm16 0xE000 | cond<<9 | op<<8 | imm8, A32 only      op 0: SUBS PC, LR,
 *                                                        #imm8; op 1: MOVS
 *                                                        PC, LR (imm8 0)
 * - T16 imm8 0xC0 | im<<3 | A<<2 | I<<1 | F (AIF != 0)   CPSIE/CPSID
 * - T16 imm8 0xD0: WFE, 0xD1: WFI
 *
 * In T32 words cond must be AL (the IT block conditions the trap as it
 * conditioned the original); in A32 words it is the original's condition
 * (the trap itself stays unconditional). pv_patch_self_encode() and
 * pv_patch_self_decode() convert; pv_patch_resolve() is what the trap
 * path uses.
 *
 * On-disk manifest ("site table" file, all fields little-endian):
 *
 * ====== ================================================================
 * offset content
 * ====== ================================================================
 * 0      &struct pv_patch_manifest_hdr (32 bytes)
 * 32     @count entries of &struct pv_patch_site (16 bytes each), strictly
 *        ascending by @va (so pv_patch_lookup() can bisect in place)
 * ...    @count uint32_t offsets into the string table: the name of the
 *        symbol containing each site (for reports; the VMM ignores them)
 * ...    string table of @strtab_size bytes, NUL-terminated names
 * ====== ================================================================
 *
 * @checksum is the CRC-32 (IEEE 802.3, reflected, as zlib's crc32()) of
 * the whole file with the 4 checksum bytes taken as zero.
 */
#ifndef PVCORE_PATCH_H
#define PVCORE_PATCH_H

#include <pvcore/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pv_patch_site {
	uint32_t va;       /* guest-virtual address of the patched word */
	uint32_t original; /* the instruction that was there (T32: hw1<<16|hw2) */
	uint32_t patched;  /* the trapping word now there (same layout) */
	uint16_t cls;      /* enum pv_insn_class */
	uint16_t flags;    /* PV_SITE_THUMB, ... */
};

#define PV_SITE_THUMB  (1u << 0) /* a Thumb site (T16 or T32) */
#define PV_SITE_T16    (1u << 1) /* a 16-bit Thumb site (with PV_SITE_THUMB) */
#define PV_SITE_ALIAS  (1u << 2) /* runtime alias (vector page, stubs, kuser
				  * helpers) of a site patched elsewhere in
				  * the image */
#define PV_SITE_FLAGS_ALL (PV_SITE_THUMB | PV_SITE_T16 | PV_SITE_ALIAS)

/**
 * struct pv_patch_table - the patched sites of one guest image
 * @sites: sorted by va
 * @count: number of sites
 * @image_base, @image_size: the Image's link range (from the manifest)
 * @load_base: guest-physical address the backend loaded the Image at, valid
 *        when @load_alias is set (pv_patch_table_set_load())
 * @load_alias: look a PC inside the load range up at its link address.
 *        Linux runs head.S with the MMU off and its identity-mapped code
 *        (cpu_resume, soft_restart) at physical addresses, so the same
 *        patched word traps at two addresses.
 */
struct pv_patch_table {
	const struct pv_patch_site *sites;
	uint32_t count;
	uint32_t image_base, image_size;
	uint32_t load_base;
	bool load_alias;
};

#define PV_PATCH_MAGIC   0x54495350u /* "PSIT" in file byte order */
#define PV_PATCH_VERSION 1u

/**
 * struct pv_patch_manifest_hdr - header of an on-disk site table
 * @magic: PV_PATCH_MAGIC
 * @version: PV_PATCH_VERSION
 * @hdr_size: sizeof(struct pv_patch_manifest_hdr), 32
 * @count: number of sites
 * @entry_size: sizeof(struct pv_patch_site), 16
 * @image_base: guest-virtual address of byte 0 of the patched Image
 * @image_size: size in bytes of the patched Image
 * @strtab_size: size of the trailing string table
 * @checksum: CRC-32 of the file with this field as zero
 */
struct pv_patch_manifest_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t hdr_size;
	uint32_t count;
	uint32_t entry_size;
	uint32_t image_base;
	uint32_t image_size;
	uint32_t strtab_size;
	uint32_t checksum;
};

#define PV_PATCH_A32_BASE  0xE7F5A0F0u /* UDF #0x5A00, cond AL */
#define PV_PATCH_T32_BASE  0xF7F5AA00u /* UDF.W #0x5A00 */
#define PV_PATCH_T16_BASE  0xDE80u     /* UDF #0x80 */

/** pv_patch_marker_a32() - the A32 trap word for class @cls (< 256). */
static inline uint32_t pv_patch_marker_a32(unsigned cls)
{
	return PV_PATCH_A32_BASE | ((cls >> 4) & 0xFu) << 8 | (cls & 0xFu);
}

/** pv_patch_marker_t32() - the T32 trap (hw1<<16|hw2) for class @cls (< 256). */
static inline uint32_t pv_patch_marker_t32(unsigned cls)
{
	return PV_PATCH_T32_BASE | (cls & 0xFFu);
}

/** pv_patch_marker_t16() - the T16 trap halfword for class @cls (< 64). */
static inline uint16_t pv_patch_marker_t16(unsigned cls)
{
	return (uint16_t)(PV_PATCH_T16_BASE | (cls & 0x3Fu));
}

/**
 * pv_patch_is_marker_a32() - true if @w is a pvpatch A32 trap word.
 * The class is returned in *@cls when @cls is not NULL.
 */
static inline bool pv_patch_is_marker_a32(uint32_t w, unsigned *cls)
{
	if ((w & 0xFFFFF0F0u) != PV_PATCH_A32_BASE)
		return false;
	if (cls)
		*cls = (w >> 4 & 0xF0u) | (w & 0xFu);
	return true;
}

/** pv_patch_is_marker_t32() - true if @w (hw1<<16|hw2) is a T32 trap. */
static inline bool pv_patch_is_marker_t32(uint32_t w, unsigned *cls)
{
	if ((w & 0xFFFFFF00u) != PV_PATCH_T32_BASE)
		return false;
	if (cls)
		*cls = w & 0xFFu;
	return true;
}

/** pv_patch_is_marker_t16() - true if @hw is a T16 trap halfword. */
static inline bool pv_patch_is_marker_t16(uint16_t hw, unsigned *cls)
{
	if ((hw & 0xFFC0u) != PV_PATCH_T16_BASE)
		return false;
	if (cls)
		*cls = hw & 0x3Fu;
	return true;
}

/* Self-describing trap words: the imm16 (A32 UDF, T32 UDF.W) forms. */
#define PV_SELF_MSR      0x8000u /* | cond<<9 | R<<8 | mask<<4 | Rn */
#define PV_SELF_MISC     0xA000u /* | cond<<9 | op<<5 | R<<4 | Rd */
#define PV_SELF_CPS      0xC000u /* | imod<<9 | M<<8 | A:I:F<<5 | mode */
#define PV_SELF_ERET     0xE000u /* | cond<<9 | op<<8 | imm8 (A32 only) */
#define PV_SELF_MISC_MRS 0u
#define PV_SELF_MISC_WFI 1u
#define PV_SELF_MISC_WFE 2u
#define PV_SELF_ERET_SUBS 0u     /* SUBS PC, LR, #imm8 */
#define PV_SELF_ERET_MOVS 1u     /* MOVS PC, LR (imm8 0) */
/* ... and the T16 UDF imm8 forms. */
#define PV_SELF_T16_CPS  0xC0u   /* | im<<3 | A<<2 | I<<1 | F */
#define PV_SELF_T16_WFE  0xD0u
#define PV_SELF_T16_WFI  0xD1u

/* The instruction set of a trap word, as the PV_SITE_* ISA flags say it. */
#define PV_SITE_ISA_MASK (PV_SITE_THUMB | PV_SITE_T16)

/**
 * pv_patch_self_encode() - the self-describing trap word for @original
 * @original: the sensitive instruction (A32 word, T32 hw1<<16|hw2, T16)
 * @isa: 0 (A32), PV_SITE_THUMB (T32) or PV_SITE_THUMB | PV_SITE_T16 (T16)
 * @trap: the trap word on success (same layout as @original)
 *
 * Fits: CPS (all forms pv_decode_*() accepts), MRS Rd, CPSR/SPSR and MSR
 * <psr>_<fields>, Rn (the canonical encodings, Rd/Rn not PC), WFI, WFE,
 * with any condition in A32. Anything else (MSR immediate, SRS, RFE,
 * LDM/STM ^, exception returns, LDRT/STRT, banked MRS/MSR) stays a
 * table-indexed site.
 *
 * Return: 0; PV_EINVAL if @isa or @trap is bad; PV_ENOTOURS if @original
 * does not fit a self-describing word.
 */
int pv_patch_self_encode(uint32_t original, unsigned isa, uint32_t *trap);

/**
 * pv_patch_self_decode() - what a self-describing trap word stands for
 * @trap: the word fetched (layout as for pv_patch_self_encode())
 * @isa: the instruction set it was fetched in (as for pv_patch_self_encode())
 * @out: on success {va 0, original, patched = @trap, cls, flags = @isa}
 *
 * Only the canonical word pv_patch_self_encode() writes is accepted
 * (reserved bits zero, T32 cond AL), so decode and encode are inverse.
 *
 * Return: 0; PV_EINVAL if @isa or @out is bad; PV_ENOTOURS if @trap is not
 * a self-describing word of @isa (@out is then unchanged).
 */
int pv_patch_self_decode(uint32_t trap, unsigned isa, struct pv_patch_site *out);

/**
 * pv_patch_resolve() - the site a trapping word stands for, as the trap
 * path decides it
 * @t: the guest kernel's site table, or NULL
 * @pc: where the word trapped
 * @fetched: the word guest memory holds at @pc (layout as above)
 * @isa: the instruction set the guest executed it in (PV_SITE_ISA_MASK)
 * @privileged: the guest was in a privileged mode (its kernel)
 * @scratch: storage for a self-described site
 *
 * 1. A table entry at @pc (from a privileged mode also through the load
 *    alias, pv_patch_table_set_load()) is authoritative when it still
 *    matches: memory holds its trap word and @isa is its instruction set.
 * 2. Else, from a privileged mode only, a self-describing word of @isa is
 *    decoded into @scratch.
 * 3. Else NULL: the word is the guest's own (an UNDEF as on hardware).
 *
 * Return: the table entry, @scratch, or NULL (also if @scratch is NULL
 * and no entry matches).
 */
const struct pv_patch_site *pv_patch_resolve(const struct pv_patch_table *t,
					     pv_gva_t pc, uint32_t fetched,
					     unsigned isa, bool privileged,
					     struct pv_patch_site *scratch);

/**
 * pv_patch_lookup() - the site at guest-virtual @va, or NULL.
 * @t: a table with sites sorted by va (as pv_patch_table_parse() checks)
 * A @va inside the load range of a table with @load_alias set is looked
 * up at the matching link address.
 */
const struct pv_patch_site *pv_patch_lookup(const struct pv_patch_table *t,
					    pv_gva_t va);

/**
 * pv_patch_crc32() - CRC-32 (zlib polynomial) of @len bytes, continuing
 * from @crc (start with 0). Used for the manifest checksum.
 */
uint32_t pv_patch_crc32(uint32_t crc, const void *buf, size_t len);

/**
 * pv_patch_table_parse() - validate an on-disk manifest and point a table
 * at its entries, in place (no copy, no heap)
 * @blob: the manifest bytes; must stay alive and unchanged while @out is
 *        used, and be 4-byte aligned (entries are read in place)
 * @len: size of @blob in bytes
 * @out: filled on success only
 *
 * Checks the magic, version, header and entry sizes, that the sizes add up
 * to @len exactly, the checksum, that entries are strictly ascending by va,
 * that each class is below PV_IC_COUNT, that flags are known, that every
 * patched word is a pvpatch marker of its ISA carrying the entry's class,
 * and that every name offset lies inside the string table. An entry may
 * also hold a self-describing word (pv_patch_self_decode()) of its ISA, if
 * that word decodes to exactly the entry's original and class.
 *
 * Return: 0; PV_EINVAL if an argument is NULL or @blob is misaligned;
 * PV_ECORRUPT if any check fails.
 */
int pv_patch_table_parse(const void *blob, size_t len,
			 struct pv_patch_table *out);

/**
 * pv_patch_table_set_load() - tell the table where the Image was loaded
 * @t: a parsed table (its @image_base and @image_size are set)
 * @load: guest-physical address of byte 0 of the loaded Image
 *
 * From then on pv_patch_lookup() also finds each site at @load + (its va -
 * image_base), the address the guest executes it at while the MMU is off
 * or in an identity mapping.
 *
 * Return: 0; PV_EINVAL if @t is NULL or has no image range; PV_ERANGE if
 * the load range wraps around 4 GiB, overlaps the link range, or holds a
 * listed site (an alias outside the Image): a PC there would name two
 * sites. @t is unchanged on error.
 */
int pv_patch_table_set_load(struct pv_patch_table *t, pv_gpa_t load);

#ifdef __cplusplus
}
#endif

#endif /* PVCORE_PATCH_H */
