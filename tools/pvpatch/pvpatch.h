/* SPDX-License-Identifier: MIT */
/*
 * libpvpatch: the logic of the pvpatch tool (see docs/pvpatch.md).
 *
 * Pipeline: pvp_load() turns a zImage / Image (+ System.map) / vmlinux ELF
 * into a flat Image with symbols; pvp_analyze() separates code from data
 * and finds the sensitive instructions; pvp_apply() rewrites them into
 * trap words; pvp_manifest_build() serialises the site table; the CLI
 * writes both outputs atomically. Every function returns 0 or a negative
 * PV_E* code and fills a human-readable message in &struct pvp_err.
 */
#ifndef PVPATCH_H
#define PVPATCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <pvcore/decode.h>
#include <pvcore/error.h>
#include <pvcore/patch.h>
#include <pvcore/pvpage.h>

struct pvp_err {
	char msg[512];
};

/* The largest Image pvpatch unpacks or lays out: larger than any 32-bit
 * ARM kernel, and the memory bound of every decompressor. */
#define PVP_MAX_IMAGE (256u << 20)

enum pvp_format { PVP_FMT_AUTO, PVP_FMT_ZIMAGE, PVP_FMT_IMAGE, PVP_FMT_ELF };

/* Where the symbols came from. */
enum pvp_symsrc { PVP_SYM_NONE, PVP_SYM_SYSTEM_MAP, PVP_SYM_KALLSYMS,
		  PVP_SYM_ELF, PVP_SYM_API };

/* A symbol: @type is System.map's letter ('t', 'T', 'W', 'd', ...). */
struct pvp_sym {
	uint32_t addr;
	uint32_t size;  /* 0 when unknown (System.map, kallsyms) */
	char type;
	uint8_t thumb;  /* code at @addr is Thumb (ELF st_value bit 0) */
	char *name;
};

/* An ELF mapping symbol: $a (ARM), $t (Thumb) or $d (data) from @addr on. */
struct pvp_mapsym {
	uint32_t addr;
	char kind;
};

struct pvp_image {
	uint8_t *data;  /* the flat Image (owned) */
	size_t size;
	uint32_t base;  /* guest-virtual address of data[0] */
	struct pvp_sym *syms; /* sorted by addr, then name */
	size_t nsyms;
	struct pvp_mapsym *maps; /* sorted by addr */
	size_t nmaps;
	enum pvp_symsrc symsrc;
	enum pvp_format format; /* what the input turned out to be */
	const char *payload;    /* zImage: the payload's compressor ("XZ", ...) */
	size_t payload_off;     /* zImage: where that payload starts */
	int thumb_default; /* treat functions without ISA info as Thumb: set
			    * by pvp_load() when Thumb prologues dominate
			    * (no ELF), or by the caller (--thumb) */
	uint32_t prologues_a32, prologues_t32; /* sampled function starts that
						* look like either ISA (no ELF) */
	int table_only;    /* write class markers only, no self-describing words */
	uint32_t *entries; /* extra code entries (bit 0: Thumb), e.g. a module's
			    * jump-label targets; owned, may be NULL */
	size_t nentries;
};

/* One patched (or alias) site. */
struct pvp_site {
	uint32_t va;       /* where the VMM sees it trap */
	uint32_t off;      /* byte offset in the Image */
	uint32_t original;
	uint32_t patched;
	uint16_t cls;
	uint16_t flags;    /* PV_SITE_* */
	const char *sym;   /* containing symbol (points into pvp_image) */
};

/* A sensitive-looking word the tool would not patch, and why. */
struct pvp_unsure {
	uint32_t va;
	uint32_t word;
	uint16_t cls;
	uint16_t thumb;
	const char *sym;
	const char *why;
};

struct pvp_result {
	struct pvp_site *sites;   /* sorted by va */
	size_t nsites;
	struct pvp_unsure *unsure;
	size_t nunsure;
	size_t nfuncs;            /* function symbols analysed */
	size_t ndatalabels;       /* text symbols that start with data, not code */
	size_t njump;             /* jump-label entries found (__jump_table) */
	size_t nextable;          /* exception-table entries found (__ex_table) */
	size_t nconflict;         /* reached by a fallthrough but proved data */
	size_t nfptr;             /* data words pointing at a push prologue */
	size_t nunsymbolled;      /* functions found by their ftrace prologue */
	size_t ncode;             /* instructions reached by flow */
	size_t ndata;             /* words proved to be data */
	uint32_t per_class[PV_IC_COUNT]; /* primary (non-alias) sites */
	uint32_t vectors_off, stubs_off, kuser_off, kuser_size; /* 0 if absent */
	int smpalt_checked;       /* .alt.smp.init replacements checked */
	uint32_t smpalt_entries;
	uint32_t smpalt_on_sites; /* SMP_ON_UP targets that are patched sites */
	uint32_t alt[64][2];      /* .alt.smp.init spans (Image offsets) */
	int nalt;
	uint8_t *arm_words;       /* per Image word: 1 if reached as A32 code
				   * and not proved data (stubs.c uses it) */
	uint32_t tls_entry;       /* VA of the SVC path's TPIDRURO write, or 0:
				   * pvp_stubs_build() looks for it */
};

/**
 * pvp_load() - build a flat Image with symbols from the input bytes
 * @in, @len: the input file (zImage, raw Image or ELF)
 * @fmt: PVP_FMT_AUTO to detect
 * @sysmap, @sysmap_len: System.map text, or NULL to use the ELF symbol
 *        table or the kernel's own kallsyms tables
 * Return: 0, PV_ECORRUPT (truncated/corrupt/mismatching input),
 * PV_EINVAL (unknown format, placeholder System.map), PV_ENOMEM.
 */
int pvp_load(const uint8_t *in, size_t len, enum pvp_format fmt,
	     const char *sysmap, size_t sysmap_len, struct pvp_image *img,
	     struct pvp_err *e);

/** pvp_image_free() - release what pvp_load() allocated. */
void pvp_image_free(struct pvp_image *img);

/**
 * pvp_sysmap_parse() - parse System.map text into @img's symbol list
 * Return: 0, PV_EINVAL (no usable symbols), PV_ENOMEM.
 */
int pvp_sysmap_parse(const char *text, size_t len, struct pvp_image *img,
		     struct pvp_err *e);

/**
 * pvp_kallsyms_extract() - recover the symbol table from the kernel's own
 * kallsyms tables inside the Image (6.1 layout, base-relative offsets).
 * Return: 0, PV_ECORRUPT (no consistent tables found), PV_ENOMEM.
 */
int pvp_kallsyms_extract(struct pvp_image *img, struct pvp_err *e);

/** pvp_add_sym() - append a symbol (tests and loaders); call pvp_sort_syms(). */
int pvp_add_sym(struct pvp_image *img, uint32_t addr, uint32_t size, char type,
		int thumb, const char *name);
/** pvp_add_mapsym() - append a mapping symbol. */
int pvp_add_mapsym(struct pvp_image *img, uint32_t addr, char kind);
void pvp_sort_syms(struct pvp_image *img);
/** pvp_find_sym() - the symbol named @name, or NULL. */
const struct pvp_sym *pvp_find_sym(const struct pvp_image *img, const char *name);

/**
 * pvp_analyze() - separate code from data and find every site
 * Return: 0; PV_EEXIST if the image already carries pvpatch markers;
 * PV_ECORRUPT if the symbols do not fit the image; PV_ENOMEM.
 */
int pvp_analyze(const struct pvp_image *img, struct pvp_result *r,
		struct pvp_err *e);

/**
 * pvp_trap_word() - the trap word for a site: the self-describing word
 * (pv_patch_self_encode()) where @raw fits one and @img does not ask for
 * table_only, else the class marker of the site's ISA.
 */
uint32_t pvp_trap_word(const struct pvp_image *img, uint32_t raw, uint16_t flags,
		       unsigned cls);

/** pvp_is_self_word() - @raw (in the ISA of @flags) is a self-describing trap. */
bool pvp_is_self_word(uint32_t raw, uint16_t flags);

/** pvp_apply() - write the trap words of @r's primary sites into @img. */
void pvp_apply(struct pvp_image *img, const struct pvp_result *r);

void pvp_result_free(struct pvp_result *r);

/**
 * struct pvp_stub_stats - what pvp_stubs_build() did
 * @per_kind: stubs per enum pv_stub_kind
 * @stubs: their total
 * @skipped_range: candidates a branch could not reach (±32 MiB)
 * @skipped_excluded: candidates in code Linux copies or runs elsewhere
 * @elided: page-table cache cleans made NOPs (stubs.c, is_pte_clean())
 * @tls_unproved: TPIDRURO writes left to trap: no proof that nothing
 *                reads the register before the return to user mode
 *                (PV_STUB_MCR_TLS) or, for the SVC path's, after the SVC
 * @area_va, @area_size: the stub area
 */
struct pvp_stub_stats {
	uint32_t per_kind[PV_STUB_KIND_COUNT];
	uint32_t stubs, skipped_range, skipped_excluded;
	uint32_t elided, tls_unproved;
	uint32_t area_va, area_size;
};

/**
 * pvp_stubs_build() - turn the hot sites of @r into branches to stubs
 * @img: the Image after pvp_apply(); it grows by the stub area (placed at
 *       the first MiB boundary after the kernel's _end)
 * @r: its sites; stubbed sites leave the table, each stub's trap word
 *     joins it as an alias site
 * @lazy_pan: also stub DACR writes (lazy PAN, docs/pv-path.md)
 *
 * TPIDRURO writes become stubs only where a scan of the code proves it
 * safe (pvcore/pvpage.h, "TPIDRURO"): a PV_STUB_MCR_TLS where every path
 * from the write reaches the return to user mode (or another write, or
 * an UNDEF the VMM takes) without reading the register, a branch out or
 * a call; a PV_STUB_MCR_TPIDRURO at the first write on the straight-line
 * path from the high vectors' SVC entry, with no read before it
 * (@r->tls_entry if set).
 * @kernel_end: the kernel's _end when the symbols lack it (from
 *              pvp_zimage_kernel_end()), else 0
 * @blob, @len: the stub table file (pvcore/pvpage.h), malloc'd
 * @st: counts for the report
 *
 * Return: 0; PV_EINVAL when the kernel's end is unknown; PV_ENOMEM.
 */
int pvp_stubs_build(struct pvp_image *img, struct pvp_result *r, int lazy_pan,
		    uint32_t kernel_end, uint8_t **blob, size_t *len,
		    struct pvp_stub_stats *st, struct pvp_err *e);

/**
 * pvp_zimage_unpack() - find and unpack the compressed Image in a zImage
 * @z, @len: the zImage
 * @out, @outlen: the Image, malloc'd
 * @format, @offset: the payload's compressor ("gzip", "XZ", "LZMA", "LZO",
 *                   "LZ4", "zstd") and file offset; either may be NULL
 *
 * The payload is the one stream that ends at the size trailer (whose place
 * the header's KLSZ table gives, or, in zImages without it, that follows
 * the stream), unpacks to the trailer's count (at most PVP_MAX_IMAGE) and
 * starts like an ARM kernel. See zimage.c.
 * Return: 0; PV_EINVAL (not a zImage, no supported payload); PV_ECORRUPT
 * (truncated or corrupt payload, size mismatch, two payloads qualify);
 * PV_ENOMEM.
 */
int pvp_zimage_unpack(const uint8_t *z, size_t len, uint8_t **out, size_t *outlen,
		      const char **format, size_t *offset, struct pvp_err *e);

/**
 * pvp_zimage_kernel_end() - the decompressed kernel's _end, from the
 * zImage header's table (its BSS size) and the Image @img it holds
 * Return: 0; PV_EINVAL if @z is not a zImage with that table;
 * PV_ECORRUPT for an implausible size.
 */
int pvp_zimage_kernel_end(const uint8_t *z, size_t len, const struct pvp_image *img,
			  uint32_t *end);

/** pvp_stub_kind_name() - a short name for enum pv_stub_kind @kind. */
const char *pvp_stub_kind_name(int kind);

/**
 * pvp_manifest_build() - serialise @r as an on-disk site table (patch.h)
 * @out, @outlen: a malloc'd buffer on success
 * Return: 0, PV_ENOMEM.
 */
int pvp_manifest_build(const struct pvp_image *img, const struct pvp_result *r,
		       uint8_t **out, size_t *outlen);

/**
 * pvp_manifest_print() - print every site (address, original, class,
 * symbol) and the per-class totals of a site table file
 * Return: 0 or PV_ECORRUPT (the table fails pv_patch_table_parse()).
 */
int pvp_manifest_print(const uint8_t *blob, size_t len, FILE *f);

/**
 * pvp_write_atomic() - write @len bytes to @path via a temporary file in
 * the same directory, fsync and rename, so @path is either the old file or
 * the complete new one
 * Return: 0 or PV_EBACKEND (I/O error; the temporary file is removed).
 */
int pvp_write_atomic(const char *path, const void *buf, size_t len,
		     struct pvp_err *e);

/* ---- loadable modules (module.c) ---- */

struct pvp_module_stats {
	size_t functions;   /* function symbols analysed */
	size_t sites;       /* words rewritten (all self-describing) */
	size_t unsure;      /* sensitive-looking words not reached (reported) */
	size_t relocated;   /* sensitive-looking words under a relocation (kept) */
	size_t refused;     /* sensitive instructions that do not fit a
			     * self-describing word (the module is refused) */
	uint32_t per_class[PV_IC_COUNT];
};

/**
 * pvp_module_patch() - patch a relocatable ARM ELF (a .ko) in memory
 * @elf, @len: the module (uncompressed)
 * @name: for messages and the report
 * @strict: refuse if any word could not be classified safely
 * @out: a malloc'd copy of @elf with the sites rewritten (@len bytes)
 * @report, @replen: a malloc'd text report (one line per site)
 * @st: counts, filled also on refusal
 * Return: 0; PV_EINVAL (not an ARM ET_REL, no symbol table, a sensitive
 * instruction that does not fit a self-describing word, a sensitive
 * .alt.smp.init replacement, --strict with unsure words); PV_ECORRUPT
 * (malformed ELF); PV_EEXIST (already patched); PV_ENOMEM. Nothing is
 * returned in @out/@report on error.
 */
int pvp_module_patch(const uint8_t *elf, size_t len, const char *name, int strict,
		     uint8_t **out, char **report, size_t *replen,
		     struct pvp_module_stats *st, struct pvp_err *e);

/**
 * pvp_module_unsigned_len() - @len without @m's appended module signature
 * ("~Module signature appended~"), @len if unsigned, 0 if malformed.
 * `pvpatch --module` drops the signature of a module it rewrote: Linux
 * refuses a module whose signature does not verify even when signatures
 * are not enforced (an unsigned one loads and taints the kernel, 'E').
 */
size_t pvp_module_unsigned_len(const uint8_t *m, size_t len);

/** pvp_module_cli() - `pvpatch --module`: read, patch, write; exit status. */
int pvp_module_cli(const char *in, const char *out, const char *report, int strict);

/** XZ containers for .ko.xz: detect, unpack, pack (CRC32 check). */
bool pvp_is_xz(const uint8_t *in, size_t len);
int pvp_xz_unpack(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen,
		  struct pvp_err *e);
int pvp_xz_pack(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen);

/** pvp_errf() - format a message into @e and return @code. */
int pvp_errf(struct pvp_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* PVPATCH_H */
