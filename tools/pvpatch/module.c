/* SPDX-License-Identifier: MIT */
/*
 * Loadable modules: patch a relocatable ELF (.ko, optionally .ko.xz)
 * offline, with self-describing trap words only (docs/pvpatch.md,
 * "Modules"). A module has no site table the VMM could place, since the
 * kernel decides where its sections go at load time; a self-describing word
 * means the same wherever it runs.
 *
 * The executable sections are laid out one after another in a flat
 * analysis Image; function and data symbols and the $a/$t/$d mapping
 * symbols are carried over, so pvp_analyze()'s recursive descent applies
 * unchanged. Relocations are evidence too:
 * - a word with a relocation against it is never rewritten;
 * - in the analysis copy (never in the output) each relocated branch is
 *   pointed at its real target when that is code of this module, else at a
 *   per-symbol stub outside the code (so a call to an external function
 *   that never returns is learnt as such, as in the kernel);
 * - __jump_table and __ex_table entries (absolute relocations) give the
 *   code only a runtime branch reaches;
 * - .alt.smp.init replacements are decoded: a sensitive one is refused.
 */
#include <lzma.h>
#include <stdlib.h>
#include <string.h>

#include "pvpatch.h"

#define MOD_BASE 0x40000000u /* analysis address of the first section */

#define SHT_SYMTAB 2
#define SHT_RELA 4
#define SHT_REL 9
#define SHF_ALLOC 2u
#define SHF_EXECINSTR 4u

#define R_ARM_PC24 1
#define R_ARM_ABS32 2
#define R_ARM_THM_CALL 10
#define R_ARM_CALL 28
#define R_ARM_JUMP24 29
#define R_ARM_THM_JUMP24 30
#define R_ARM_THM_JUMP19 51

struct msec {
	uint32_t off, size, type, flags, info, link, entsize, name;
	uint32_t va; /* analysis address, exec sections only (else 0) */
};

struct mrel {
	uint32_t sec, off, type, sym;
	int32_t addend;
	bool rela;
};

struct mod {
	const uint8_t *elf;
	size_t len;
	struct msec *sec;
	uint32_t nsec;
	const uint8_t *sym;  /* .symtab */
	uint32_t nsym;
	const char *str;     /* its string table */
	uint32_t strsz;
	const char *shstr;
	uint32_t shstrsz;
	struct mrel *rel;
	size_t nrel;
	uint32_t stubs;      /* analysis address of the per-symbol stubs */
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static const char *sec_name(const struct mod *m, uint32_t i)
{
	if (i >= m->nsec || m->sec[i].name >= m->shstrsz)
		return "?";
	return m->shstr + m->sec[i].name;
}

static bool sec_exec(const struct msec *s)
{
	return s->type == 1 /* PROGBITS */ && (s->flags & SHF_ALLOC) &&
	       (s->flags & SHF_EXECINSTR) && s->size;
}

/* Fields of symbol @i; false if out of range. */
static bool symbol(const struct mod *m, uint32_t i, uint32_t *value, uint16_t *shndx,
		   uint8_t *type, const char **name)
{
	const uint8_t *s;
	uint32_t nm;

	if (i >= m->nsym)
		return false;
	s = m->sym + (size_t)i * 16;
	nm = rd32(s);
	*value = rd32(s + 4);
	*type = s[12] & 15;
	*shndx = rd16(s + 14);
	*name = nm < m->strsz ? m->str + nm : "";
	return true;
}

/* ---- reading the ELF ----------------------------------------------------- */

static int parse(struct mod *m, struct pvp_err *e)
{
	const uint8_t *b = m->elf;
	uint32_t shoff, shentsize, shstrndx, symsec = 0;

	if (m->len < 52 || memcmp(b, "\177ELF", 4))
		return pvp_errf(e, PV_EINVAL, "not an ELF file");
	if (b[4] != 1 || b[5] != 1)
		return pvp_errf(e, PV_EINVAL, "not a 32-bit little-endian ELF");
	if (rd16(b + 16) != 1)
		return pvp_errf(e, PV_EINVAL, "not a relocatable object (ET_REL): not a module");
	if (rd16(b + 18) != 40)
		return pvp_errf(e, PV_EINVAL, "not an ARM object (e_machine %u)", rd16(b + 18));
	shoff = rd32(b + 32);
	shentsize = rd16(b + 46);
	m->nsec = rd16(b + 48);
	shstrndx = rd16(b + 50);
	if (shentsize < 40 || !m->nsec || shoff > m->len ||
	    (uint64_t)m->nsec * shentsize > m->len - shoff || shstrndx >= m->nsec)
		return pvp_errf(e, PV_ECORRUPT, "section header table truncated");
	m->sec = calloc(m->nsec, sizeof(*m->sec));
	if (!m->sec)
		return PV_ENOMEM;
	for (uint32_t i = 0; i < m->nsec; i++) {
		const uint8_t *h = b + shoff + (size_t)i * shentsize;
		struct msec *s = &m->sec[i];

		s->name = rd32(h);
		s->type = rd32(h + 4);
		s->flags = rd32(h + 8);
		s->off = rd32(h + 16);
		s->size = rd32(h + 20);
		s->link = rd32(h + 24);
		s->info = rd32(h + 28);
		s->entsize = rd32(h + 36);
		if (s->type != 8 /* NOBITS */ && s->type != 0 &&
		    ((uint64_t)s->off + s->size > m->len))
			return pvp_errf(e, PV_ECORRUPT, "section %u lies outside the file", i);
		if (s->type == SHT_SYMTAB)
			symsec = i;
	}
	m->shstr = (const char *)b + m->sec[shstrndx].off;
	m->shstrsz = m->sec[shstrndx].size;
	if (!m->shstrsz || m->shstr[m->shstrsz - 1])
		return pvp_errf(e, PV_ECORRUPT, "section name table is not terminated");
	if (!symsec || m->sec[symsec].link >= m->nsec)
		return pvp_errf(e, PV_EINVAL, "no symbol table (a stripped module cannot be "
				"analysed)");
	m->sym = b + m->sec[symsec].off;
	m->nsym = m->sec[symsec].size / 16;
	m->str = (const char *)b + m->sec[m->sec[symsec].link].off;
	m->strsz = m->sec[m->sec[symsec].link].size;
	if (!m->strsz || m->str[m->strsz - 1])
		return pvp_errf(e, PV_ECORRUPT, "symbol string table is not terminated");
	/* Relocations. */
	for (uint32_t i = 0; i < m->nsec; i++) {
		const struct msec *s = &m->sec[i];
		uint32_t ent = s->type == SHT_RELA ? 12 : 8;

		if (s->type != SHT_REL && s->type != SHT_RELA)
			continue;
		if (s->info >= m->nsec)
			return pvp_errf(e, PV_ECORRUPT, "relocation section %s names section %u",
					sec_name(m, i), s->info);
		struct mrel *n = realloc(m->rel, (m->nrel + s->size / ent + 1) * sizeof(*n));

		if (!n)
			return PV_ENOMEM;
		m->rel = n;
		for (uint32_t k = 0; k + ent <= s->size; k += ent) {
			const uint8_t *r = b + s->off + k;
			uint32_t info = rd32(r + 4);
			struct mrel *x = &m->rel[m->nrel++];

			x->sec = s->info;
			x->off = rd32(r);
			x->type = info & 0xFF;
			x->sym = info >> 8;
			x->rela = s->type == SHT_RELA;
			x->addend = x->rela ? (int32_t)rd32(r + 8) : 0;
			if (x->sym >= m->nsym)
				return pvp_errf(e, PV_ECORRUPT, "relocation against symbol %u of %u",
						x->sym, m->nsym);
		}
	}
	return 0;
}

/* ---- the analysis Image ---------------------------------------------------- */

/* Analysis address of symbol @i (with its addend @a), or 0 if not code here. */
static uint32_t sym_va(const struct mod *m, uint32_t i, int64_t a)
{
	uint32_t v;
	uint16_t sh;
	uint8_t t;
	const char *n;

	if (!symbol(m, i, &v, &sh, &t, &n) || sh == 0 || sh >= m->nsec ||
	    !m->sec[sh].va)
		return 0;
	if (t == 2 /* FUNC */)
		v &= ~1u;
	if ((int64_t)v + a < 0 || (int64_t)v + a >= m->sec[sh].size)
		return 0;
	return (uint32_t)((int64_t)m->sec[sh].va + v + a);
}

static uint8_t *img_at(struct pvp_image *img, uint32_t va)
{
	return img->data + (va - img->base);
}

/* In the analysis copy: make the branch at @p (ARM B/BL) go to @target. */
static void arm_branch_to(uint8_t *p, uint32_t pc, uint32_t target)
{
	uint32_t w = rd32(p);

	if ((w >> 28) == 0xF) /* BLX imm: to Thumb, whose ISA is unknown here */
		return;
	wr32(p, (w & 0xFF000000u) | (((target - (pc + 8)) >> 2) & 0xFFFFFFu));
}

/* In the analysis copy: a Thumb BL/B.W at @p goes to @target. */
static void thumb_branch_to(uint8_t *p, uint32_t pc, uint32_t target, bool cond)
{
	uint16_t h1 = rd16(p), h2 = rd16(p + 2);
	uint32_t off = target - (pc + 4);
	uint32_t s = off >> 31 & 1;

	if (cond) { /* B<c>.W T3: only to itself (range +-1 MiB) */
		wr16(p, (uint16_t)((h1 & 0xFBC0u) | 0x0400u | 0x3Fu));
		wr16(p + 2, (uint16_t)((h2 & 0xD000u) | 0x2800u | 0x7FEu));
		return;
	}
	uint32_t i1 = off >> 23 & 1, i2 = off >> 22 & 1;
	uint32_t j1 = !i1 ^ s, j2 = !i2 ^ s;

	wr16(p, (uint16_t)((h1 & 0xF800u) | s << 10 | (off >> 12 & 0x3FFu)));
	wr16(p + 2, (uint16_t)((h2 & 0xD000u) | j1 << 13 | j2 << 11 | (off >> 1 & 0x7FFu)));
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int add_entry(struct pvp_image *img, uint32_t va)
{
	uint32_t *n;

	if ((img->nentries & (img->nentries + 1)) == 0 || img->nentries == 0) {
		n = realloc(img->entries, (img->nentries * 2 + 16) * sizeof(*n));
		if (!n)
			return PV_ENOMEM;
		img->entries = n;
	}
	img->entries[img->nentries++] = va;
	return 0;
}

/* The absolute address a data word at @sec+@off is relocated to (REL/RELA). */
static uint32_t abs_target(const struct mod *m, const struct mrel *r)
{
	int64_t a = r->rela ? r->addend : (int32_t)rd32(m->elf + m->sec[r->sec].off + r->off);

	return sym_va(m, r->sym, a);
}

static int build_image(struct mod *m, struct pvp_image *img, struct pvp_err *e)
{
	uint32_t va = MOD_BASE, nexec = 0;
	int rc;

	memset(img, 0, sizeof(*img));
	for (uint32_t i = 0; i < m->nsec; i++) {
		if (!sec_exec(&m->sec[i]))
			continue;
		m->sec[i].va = va;
		va += (m->sec[i].size + 15) & ~15u;
		nexec++;
	}
	if (!nexec)
		return 0;
	m->stubs = va;
	img->base = MOD_BASE;
	img->size = (size_t)(va - MOD_BASE) + (size_t)m->nsym * 4;
	img->data = calloc(1, img->size);
	if (!img->data)
		return PV_ENOMEM;
	for (uint32_t i = 0; i < m->nsec; i++)
		if (m->sec[i].va)
			memcpy(img_at(img, m->sec[i].va), m->elf + m->sec[i].off, m->sec[i].size);
	/* Where $a starts (section << 32 | offset), to recognise BUG()'s
	 * "$d; .word UDF; $a": an instruction emitted as data, after which
	 * nothing falls through. Kept as data it would teach the noreturn
	 * learning that the call before it (often __gnu_mcount_nc) never
	 * returns; dropped, the flow stops at the UDF as for the kernel. */
	uint64_t *arm_at = calloc(m->nsym ? m->nsym : 1, sizeof(*arm_at));
	size_t narm = 0;

	if (!arm_at)
		return PV_ENOMEM;
	for (uint32_t i = 1; i < m->nsym; i++) {
		uint32_t v;
		uint16_t sh;
		uint8_t t;
		const char *n;

		if (symbol(m, i, &v, &sh, &t, &n) && n[0] == '$' && n[1] == 'a' &&
		    (n[2] == 0 || n[2] == '.'))
			arm_at[narm++] = (uint64_t)sh << 32 | v;
	}
	qsort(arm_at, narm, sizeof(*arm_at), u64_cmp);
	/* Symbols, as for a vmlinux ELF (input.c), at analysis addresses. */
	for (uint32_t i = 1; i < m->nsym; i++) {
		uint32_t v, size = rd32(m->sym + (size_t)i * 16 + 8);
		uint16_t sh;
		uint8_t t, bind = m->sym[(size_t)i * 16 + 12] >> 4;
		const char *n;
		char c;

		if (!symbol(m, i, &v, &sh, &t, &n) || sh == 0 || sh >= m->nsec ||
		    !m->sec[sh].va)
			continue;
		if (n[0] == '$' && (n[1] == 'a' || n[1] == 't' || n[1] == 'd') &&
		    (n[2] == 0 || n[2] == '.')) {
			uint64_t next = (uint64_t)sh << 32 | (v + 4);

			if (n[1] == 'd' && (uint64_t)v + 4 <= m->sec[sh].size &&
			    (rd32(m->elf + m->sec[sh].off + v) & 0xFFF000F0u) == 0xE7F000F0u &&
			    (v + 4 == m->sec[sh].size ||
			     bsearch(&next, arm_at, narm, sizeof(*arm_at), u64_cmp)))
				continue;
			rc = pvp_add_mapsym(img, m->sec[sh].va + v, n[1]);
			if (rc) {
				free(arm_at);
				return rc;
			}
			continue;
		}
		if (!n[0] || t == 3 /* SECTION */ || t == 4 /* FILE */)
			continue;
		c = t == 1 ? 'd' : 't';
		if (bind != 0)
			c = (char)(c - 'a' + 'A');
		rc = pvp_add_sym(img, m->sec[sh].va + (t == 2 ? v & ~1u : v), size, c,
				 t == 2 && (v & 1), n);
		if (rc) {
			free(arm_at);
			return rc;
		}
	}
	free(arm_at);
	img->symsrc = PVP_SYM_ELF;
	img->format = PVP_FMT_ELF;
	pvp_sort_syms(img);
	/* Branch relocations: real targets in this module, else a stub. */
	for (size_t k = 0; k < m->nrel; k++) {
		const struct mrel *r = &m->rel[k];
		const struct msec *s = &m->sec[r->sec];
		uint32_t pc = s->va + r->off, tgt, stub = m->stubs + 4 * r->sym;
		uint8_t *p;

		if (!s->va || (uint64_t)r->off + 4 > s->size)
			continue;
		p = img_at(img, pc);
		switch (r->type) {
		case R_ARM_PC24:
		case R_ARM_CALL:
		case R_ARM_JUMP24: {
			int64_t a = r->rela ? r->addend :
				    (int32_t)(rd32(p) << 8) >> 6;

			tgt = sym_va(m, r->sym, a + 8);
			arm_branch_to(p, pc, tgt ? tgt : stub);
			break;
		}
		case R_ARM_ABS32: {
			/* An address in code: a switch table after "ldr pc, [pc,
			 * rM, lsl #2]", a literal. Its analysis address, so the
			 * table is followed (0 when it is not code here). */
			int64_t a = r->rela ? r->addend : (int32_t)rd32(p);
			uint32_t v, thumb = 0;
			uint16_t sh;
			uint8_t t;
			const char *nm;

			if (symbol(m, r->sym, &v, &sh, &t, &nm) && t == 2)
				thumb = v & 1u;
			tgt = sym_va(m, r->sym, a);
			wr32(p, tgt ? tgt | thumb : 0);
			break;
		}
		case R_ARM_THM_CALL:
		case R_ARM_THM_JUMP24:
			thumb_branch_to(p, pc, stub, false);
			break;
		case R_ARM_THM_JUMP19:
			thumb_branch_to(p, pc, pc, true);
			break;
		default:
			break;
		}
	}
	/* Runtime-only entries: jump labels {code, target, key}, exception
	 * fixups {insn, fixup}. */
	for (size_t k = 0; k < m->nrel; k++) {
		const struct mrel *r = &m->rel[k];
		const char *sn = sec_name(m, r->sec);
		uint32_t t;

		if (r->type != R_ARM_ABS32)
			continue;
		if (!strcmp(sn, "__jump_table") && r->off % 12 < 8) {
			t = abs_target(m, r);
			if (t && (rc = add_entry(img, r->off % 12 == 0 ? t + 4 : t)))
				return rc;
		} else if (!strcmp(sn, "__ex_table") && r->off % 8 == 4) {
			t = abs_target(m, r);
			if (t && (rc = add_entry(img, t)))
				return rc;
		}
	}
	(void)e;
	return (int)nexec;
}

/* ---- patching ------------------------------------------------------------- */

/* The section holding analysis address @va. */
static uint32_t sec_of(const struct mod *m, uint32_t va)
{
	for (uint32_t i = 0; i < m->nsec; i++)
		if (m->sec[i].va && va >= m->sec[i].va && va - m->sec[i].va < m->sec[i].size)
			return i;
	return 0;
}

static bool reloc_in(const struct mod *m, uint32_t sec, uint32_t off, uint32_t len)
{
	for (size_t k = 0; k < m->nrel; k++)
		if (m->rel[k].sec == sec && m->rel[k].off + 4 > off && m->rel[k].off < off + len)
			return true;
	return false;
}

static int smp_alt_check(const struct mod *m, struct pvp_err *e)
{
	for (uint32_t i = 0; i < m->nsec; i++) {
		const struct msec *s = &m->sec[i];

		if (strcmp(sec_name(m, i), ".alt.smp.init"))
			continue;
		for (uint32_t k = 0; k + 8 <= s->size; k += 8) {
			struct pv_insn in;
			uint32_t rep = rd32(m->elf + s->off + k + 4);

			if (pv_decode_arm(rep, &in) == 0 &&
			    pv_insn_class_sensitive((enum pv_insn_class)in.cls))
				return pvp_errf(e, PV_EINVAL, ".alt.smp.init entry %u: the "
						"uniprocessor replacement 0x%08x is a sensitive "
						"%s", k / 8, rep,
						pv_insn_class_name((enum pv_insn_class)in.cls));
		}
	}
	return 0;
}

static int write_report(const struct mod *m, const struct pvp_image *img,
			const struct pvp_result *r, const char *name, char **rep,
			size_t *replen)
{
	uint32_t per[PV_IC_COUNT] = { 0 };
	FILE *f = open_memstream(rep, replen);

	if (!f)
		return PV_ENOMEM;
	fprintf(f, "# pvpatch module report: %s\n", name);
	fprintf(f, "# every site carries a self-describing trap word (no site table)\n");
	fprintf(f, "# section+offset          original   trap       isa class        symbol\n");
	for (size_t i = 0; i < r->nsites; i++) {
		const struct pvp_site *s = &r->sites[i];
		uint32_t sec = sec_of(m, s->va);
		const char *isa = !(s->flags & PV_SITE_THUMB) ? "a32" :
				  (s->flags & PV_SITE_T16) ? "t16" : "t32";
		char where[96];

		snprintf(where, sizeof(where), "%s+0x%x", sec_name(m, sec), s->va - m->sec[sec].va);
		fprintf(f, "%-24s 0x%08x 0x%08x %s %-12s %s\n", where, s->original, s->patched,
			isa, pv_insn_class_name((enum pv_insn_class)s->cls), s->sym ? s->sym : "?");
		per[s->cls]++;
	}
	for (size_t i = 0; i < r->nunsure; i++) {
		uint32_t sec = sec_of(m, r->unsure[i].va);

		fprintf(f, "# unsure %s+0x%x 0x%08x %s %s: %s\n", sec_name(m, sec),
			r->unsure[i].va - m->sec[sec].va, r->unsure[i].word,
			pv_insn_class_name((enum pv_insn_class)r->unsure[i].cls),
			r->unsure[i].sym, r->unsure[i].why);
	}
	for (int c = 0; c < PV_IC_COUNT; c++)
		if (per[c])
			fprintf(f, "total %-12s %u\n", pv_insn_class_name((enum pv_insn_class)c),
				per[c]);
	fprintf(f, "total %-12s %zu\n", "all", r->nsites);
	fprintf(f, "functions %zu, instructions reached %zu, unsure %zu\n", r->nfuncs,
		r->ncode, r->nunsure);
	(void)img;
	return fclose(f) ? PV_ENOMEM : 0;
}

int pvp_module_patch(const uint8_t *elf, size_t len, const char *name, int strict,
		     uint8_t **out, char **report, size_t *replen,
		     struct pvp_module_stats *st, struct pvp_err *e)
{
	struct mod m = { .elf = elf, .len = len };
	struct pvp_image img = { 0 };
	struct pvp_result r = { 0 };
	uint8_t *o = NULL;
	size_t nrefuse = 0;
	int rc;

	memset(st, 0, sizeof(*st));
	*out = NULL;
	*report = NULL;
	rc = parse(&m, e);
	if (!rc)
		rc = smp_alt_check(&m, e);
	if (rc)
		goto done;
	rc = build_image(&m, &img, e);
	if (rc < 0)
		goto done;
	if (rc > 0 && !img.nsyms) {
		/* Code without a single symbol: nothing proves where
		 * instructions start. Acceptable only if no word of it could
		 * be a sensitive instruction in either ISA. */
		for (size_t off = 0; off + 4 <= img.size; off += 2) {
			struct pv_insn in;
			uint32_t w = rd32(img.data + off);

			if ((!(off & 2) && pv_decode_arm(w, &in) == 0 &&
			     pv_insn_class_sensitive((enum pv_insn_class)in.cls)) ||
			    (pv_decode_thumb((uint16_t)w, (uint16_t)(w >> 16), &in) == 0 &&
			     pv_insn_class_sensitive((enum pv_insn_class)in.cls))) {
				rc = pvp_errf(e, PV_EINVAL, "executable code without symbols "
					      "holds a sensitive-looking word at +0x%zx",
					      off);
				goto done;
			}
		}
		rc = 0;
	} else if (rc > 0) {
		rc = pvp_analyze(&img, &r, e);
		if (rc)
			goto done;
	}
	/* Keep only sites that are safe to rewrite in a module. */
	size_t n = 0;

	for (size_t i = 0; i < r.nsites; i++) {
		struct pvp_site s = r.sites[i];
		uint32_t sec = sec_of(&m, s.va), len4 = (s.flags & PV_SITE_T16) ? 2 : 4;

		if (!sec || (s.flags & PV_SITE_ALIAS)) {
			rc = pvp_errf(e, PV_ECORRUPT, "site at analysis address 0x%08x is not in "
				      "a section", s.va);
			goto done;
		}
		if (reloc_in(&m, sec, s.va - m.sec[sec].va, len4)) {
			/* The loader will write this word: it is not an instruction
			 * the tool may rewrite. */
			st->relocated++;
			continue;
		}
		if (!pvp_is_self_word(s.patched, s.flags)) {
			if (nrefuse++ < 8)
				fprintf(stderr, "pvpatch: %s: %s+0x%x (%s): %s 0x%08x does not fit a "
					"self-describing trap word\n", name, sec_name(&m, sec),
					s.va - m.sec[sec].va, s.sym ? s.sym : "?",
					pv_insn_class_name((enum pv_insn_class)s.cls), s.original);
			continue;
		}
		r.sites[n++] = s;
	}
	r.nsites = n;
	st->sites = n;
	st->unsure = r.nunsure;
	st->functions = r.nfuncs;
	if (nrefuse) {
		st->refused = nrefuse;
		rc = pvp_errf(e, PV_EINVAL, "%zu sensitive instruction(s) do not fit a "
			      "self-describing trap word, and a module has no site table: "
			      "refused", nrefuse);
		goto done;
	}
	if (strict && r.nunsure) {
		rc = pvp_errf(e, PV_EINVAL, "%zu sensitive-looking words could not be "
			      "classified safely (--strict)", r.nunsure);
		goto done;
	}
	o = malloc(len ? len : 1);
	if (!o) {
		rc = PV_ENOMEM;
		goto done;
	}
	memcpy(o, elf, len);
	for (size_t i = 0; i < r.nsites; i++) {
		const struct pvp_site *s = &r.sites[i];
		uint32_t sec = sec_of(&m, s->va);
		uint8_t *p = o + m.sec[sec].off + (s->va - m.sec[sec].va);

		if (s->flags & PV_SITE_T16) {
			wr16(p, (uint16_t)s->patched);
		} else if (s->flags & PV_SITE_THUMB) {
			wr16(p, (uint16_t)(s->patched >> 16));
			wr16(p + 2, (uint16_t)s->patched);
		} else {
			wr32(p, s->patched);
		}
		st->per_class[s->cls]++;
	}
	rc = write_report(&m, &img, &r, name, report, replen);
	if (!rc)
		*out = o;
done:
	if (rc) {
		free(o);
		free(*report);
		*report = NULL;
	}
	pvp_result_free(&r);
	pvp_image_free(&img);
	free(m.sec);
	free(m.rel);
	return rc;
}

/* ---- .ko.xz ----------------------------------------------------------------- */

int pvp_xz_unpack(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen,
		  struct pvp_err *e)
{
	lzma_stream s = LZMA_STREAM_INIT;
	size_t cap = len * 4 + 4096;
	uint8_t *b = malloc(cap);
	lzma_ret ret;

	if (!b)
		return PV_ENOMEM;
	if (lzma_stream_decoder(&s, UINT64_MAX, 0) != LZMA_OK) {
		free(b);
		return PV_ENOMEM;
	}
	s.next_in = in;
	s.avail_in = len;
	s.next_out = b;
	s.avail_out = cap;
	for (;;) {
		ret = lzma_code(&s, LZMA_FINISH);
		if (ret == LZMA_STREAM_END)
			break;
		if (ret == LZMA_OK || ret == LZMA_BUF_ERROR) {
			if (s.avail_out == 0) {
				size_t used = cap;
				uint8_t *nb = realloc(b, cap * 2);

				if (!nb) {
					ret = LZMA_MEM_ERROR;
					break;
				}
				b = nb;
				s.next_out = b + used;
				s.avail_out = cap;
				cap *= 2;
				continue;
			}
		}
		break;
	}
	*outlen = (size_t)s.total_out;
	lzma_end(&s);
	if (ret != LZMA_STREAM_END) {
		free(b);
		return pvp_errf(e, PV_ECORRUPT, "corrupt or truncated XZ stream (liblzma "
				"error %d)", (int)ret);
	}
	*out = b;
	return 0;
}

int pvp_xz_pack(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen)
{
	/* CRC32 check and the default preset, as kmod and the kernel expect. */
	size_t cap = lzma_stream_buffer_bound(len), pos = 0;
	uint8_t *b = malloc(cap);

	if (!b)
		return PV_ENOMEM;
	if (lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in, len, b, &pos, cap) !=
	    LZMA_OK) {
		free(b);
		return PV_ENOMEM;
	}
	*out = b;
	*outlen = pos;
	return 0;
}

bool pvp_is_xz(const uint8_t *in, size_t len)
{
	return len >= 6 && !memcmp(in, "\3757zXZ", 6);
}

/* ---- the command line's module mode ------------------------------------------ */

static int read_file(const char *path, uint8_t **buf, size_t *len, struct pvp_err *e)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = NULL;

	if (!f)
		return pvp_errf(e, PV_EBACKEND, "cannot open %s", path);
	for (;;) {
		uint8_t *nb = realloc(b, cap);

		if (!nb) {
			free(b);
			fclose(f);
			return PV_ENOMEM;
		}
		b = nb;
		n += fread(b + n, 1, cap - n, f);
		if (n < cap)
			break;
		cap *= 2;
	}
	if (ferror(f)) {
		free(b);
		fclose(f);
		return pvp_errf(e, PV_EBACKEND, "cannot read %s", path);
	}
	fclose(f);
	*buf = b;
	*len = n;
	return 0;
}

/*
 * The length of @m (@len bytes) without its appended module signature
 * (scripts/sign-file: signature, struct module_signature with sig_len
 * big-endian in its last 4 bytes, then the marker), @len if it has none;
 * 0 if the marker is there but the rest does not fit.
 */
size_t pvp_module_unsigned_len(const uint8_t *m, size_t len)
{
	static const char marker[] = "~Module signature appended~\n";
	const size_t mlen = sizeof(marker) - 1, info = 12;
	size_t sig;

	if (len < mlen || memcmp(m + len - mlen, marker, mlen) != 0)
		return len;
	if (len < mlen + info)
		return 0;
	sig = (size_t)m[len - mlen - 4] << 24 | (size_t)m[len - mlen - 3] << 16 |
	      (size_t)m[len - mlen - 2] << 8 | m[len - mlen - 1];
	if (sig > len - mlen - info)
		return 0;
	return len - mlen - info - sig;
}

int pvp_module_cli(const char *in, const char *out, const char *report, int strict)
{
	struct pvp_err e = { "" };
	struct pvp_module_stats st;
	uint8_t *raw = NULL, *elf = NULL, *patched = NULL, *packed = NULL;
	size_t rawlen = 0, elflen = 0, replen = 0, packedlen = 0;
	char *rep = NULL;
	bool xz;
	int rc;

	rc = read_file(in, &raw, &rawlen, &e);
	if (rc)
		goto fail;
	xz = pvp_is_xz(raw, rawlen);
	if (xz) {
		rc = pvp_xz_unpack(raw, rawlen, &elf, &elflen, &e);
		if (rc)
			goto fail;
	} else {
		elf = raw;
		elflen = rawlen;
		raw = NULL;
	}
	rc = pvp_module_patch(elf, elflen, in, strict, &patched, &rep, &replen, &st, &e);
	if (rc)
		goto fail;
	if (st.sites) {
		/* A rewritten module's signature no longer matches, and the
		 * kernel refuses a module whose signature fails to verify even
		 * without CONFIG_MODULE_SIG_FORCE (only an unsigned one loads,
		 * tainting the kernel): drop it. */
		size_t ulen = pvp_module_unsigned_len(patched, elflen);

		if (!ulen) {
			rc = pvp_errf(&e, PV_ECORRUPT, "malformed appended module signature");
			goto fail;
		}
		if (ulen != elflen)
			printf("pvpatch: %s: module signature (%zu bytes) dropped: it no "
			       "longer matches\n", in, elflen - ulen);
		elflen = ulen;
	}
	if (xz && (rc = pvp_xz_pack(patched, elflen, &packed, &packedlen)) != 0)
		goto fail;
	rc = pvp_write_atomic(out, xz ? packed : patched, xz ? packedlen : elflen, &e);
	if (!rc && report) {
		rc = pvp_write_atomic(report, rep, replen, &e);
		if (rc)
			remove(out); /* a module without its report: nothing half-done */
	}
	if (rc)
		goto fail;
	printf("pvpatch: %s: %zu functions, %zu sites (all self-describing), %zu unsure, "
	       "%zu words under relocations left alone\n", in, st.functions, st.sites,
	       st.unsure, st.relocated);
	for (int c = 0; c < PV_IC_COUNT; c++)
		if (st.per_class[c])
			printf("class %-12s %u\n", pv_insn_class_name((enum pv_insn_class)c),
			       st.per_class[c]);
	goto out;
fail:
	fprintf(stderr, "pvpatch: %s: %s\n", in, e.msg[0] ? e.msg : pv_strerror(rc));
out:
	free(raw);
	free(elf);
	free(patched);
	free(packed);
	free(rep);
	return rc ? 1 : 0;
}
