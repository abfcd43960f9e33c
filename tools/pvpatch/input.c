/* SPDX-License-Identifier: MIT */
/*
 * Input side of libpvpatch: recognise the format, unpack a zImage
 * (zimage.c), lay an ELF out as the flat Image objcopy would, and collect
 * symbols from System.map, the ELF symbol table or the kernel's kallsyms.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pvpatch.h"

#define ZIMAGE_MAGIC 0x016F2818u
#define MAX_IMAGE PVP_MAX_IMAGE

int pvp_errf(struct pvp_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

int pvp_add_sym(struct pvp_image *img, uint32_t addr, uint32_t size, char type,
		int thumb, const char *name)
{
	struct pvp_sym *n;

	if ((img->nsyms & (img->nsyms + 1)) == 0 || img->nsyms == 0) {
		n = realloc(img->syms, (img->nsyms * 2 + 16) * sizeof(*n));
		if (!n)
			return PV_ENOMEM;
		img->syms = n;
	}
	n = &img->syms[img->nsyms];
	n->addr = addr;
	n->size = size;
	n->type = type;
	n->thumb = (uint8_t)!!thumb;
	n->name = strdup(name);
	if (!n->name)
		return PV_ENOMEM;
	img->nsyms++;
	return 0;
}

int pvp_add_mapsym(struct pvp_image *img, uint32_t addr, char kind)
{
	struct pvp_mapsym *n;

	if ((img->nmaps & (img->nmaps + 1)) == 0 || img->nmaps == 0) {
		n = realloc(img->maps, (img->nmaps * 2 + 16) * sizeof(*n));
		if (!n)
			return PV_ENOMEM;
		img->maps = n;
	}
	img->maps[img->nmaps].addr = addr;
	img->maps[img->nmaps].kind = kind;
	img->nmaps++;
	return 0;
}

static int sym_cmp(const void *a, const void *b)
{
	const struct pvp_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return strcmp(x->name, y->name); /* total order: deterministic output */
}

static int map_cmp(const void *a, const void *b)
{
	const struct pvp_mapsym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->kind - y->kind;
}

void pvp_sort_syms(struct pvp_image *img)
{
	if (img->nsyms)
		qsort(img->syms, img->nsyms, sizeof(*img->syms), sym_cmp);
	if (img->nmaps)
		qsort(img->maps, img->nmaps, sizeof(*img->maps), map_cmp);
}

const struct pvp_sym *pvp_find_sym(const struct pvp_image *img, const char *name)
{
	for (size_t i = 0; i < img->nsyms; i++)
		if (!strcmp(img->syms[i].name, name))
			return &img->syms[i];
	return NULL;
}

void pvp_image_free(struct pvp_image *img)
{
	for (size_t i = 0; i < img->nsyms; i++)
		free(img->syms[i].name);
	free(img->syms);
	free(img->maps);
	free(img->entries);
	free(img->data);
	memset(img, 0, sizeof(*img));
}

/* ---- System.map ------------------------------------------------------- */

int pvp_sysmap_parse(const char *text, size_t len, struct pvp_image *img,
		     struct pvp_err *e)
{
	size_t pos = 0, line = 0, good = 0;
	char name[256];

	while (pos < len) {
		const char *s = text + pos;
		size_t n = 0;
		unsigned long long v;
		char type, *end;
		int rc;

		while (pos + n < len && s[n] != '\n')
			n++;
		pos += n + 1;
		line++;
		if (n == 0)
			continue;
		/* "<hex> <type> <name>": parse in a bounded copy. */
		char buf[320];

		if (n >= sizeof(buf))
			return pvp_errf(e, PV_EINVAL, "System.map line %zu is too long", line);
		memcpy(buf, s, n);
		buf[n] = 0;
		v = strtoull(buf, &end, 16);
		/* A local symbol may have an empty name ("c02a5a10 t "): skip it. */
		if (end != buf && end[0] == ' ' && end[1] && end[2] == ' ' &&
		    end[3] == 0)
			continue;
		if (end == buf || *end != ' ' || !end[1] || end[2] != ' ' ||
		    sscanf(end + 3, "%255s", name) != 1)
			return pvp_errf(e, PV_EINVAL, "System.map line %zu is malformed: \"%.60s\"",
					line, buf);
		type = end[1];
		if (v > 0xFFFFFFFFull)
			continue; /* Debian's placeholder line (ffffffffffffffff B ...) */
		rc = pvp_add_sym(img, (uint32_t)v, 0, type, 0, name);
		if (rc)
			return rc;
		good++;
	}
	if (!good)
		return pvp_errf(e, PV_EINVAL,
				"System.map has no 32-bit symbols (Debian ships a placeholder; "
				"the real map is in linux-image-*-dbg). Omit --system-map to use "
				"the kernel's embedded kallsyms");
	img->symsrc = PVP_SYM_SYSTEM_MAP;
	return 0;
}

/* ---- kallsyms --------------------------------------------------------- */

/*
 * Linux 6.1 with CONFIG_KALLSYMS_BASE_RELATIVE lays out, 4-byte aligned:
 * offsets[num] relative_base num names... markers[(num+255)/256]
 * token_table (256 NUL-terminated strings) token_index[256] (u16).
 * The token table is found through its single-character entries "0".."9"
 * (digits occur in symbol names, so they stand for themselves), then the
 * rest is walked backwards and every field is cross-checked.
 */
struct ksyms {
	size_t offsets, names, markers, ttab, tidx;
	uint32_t num, relbase;
};

static size_t align4(size_t x) { return (x + 3) & ~(size_t)3; }

/* Parse one compressed name at @p; returns the next position or 0. */
static size_t kname_len(const uint8_t *d, size_t size, size_t p, size_t *len)
{
	size_t l;

	if (p >= size)
		return 0;
	l = d[p++];
	if (l & 0x80) { /* 6.1+: two-byte ULEB128 length for long names */
		if (p >= size)
			return 0;
		l = (l & 0x7F) | (size_t)d[p++] << 7;
	}
	if (l == 0 || p + l > size)
		return 0;
	*len = l;
	return p + l;
}

/* Do @num names parse from @q + 4 with markers at @m? */
static bool kcheck(const uint8_t *d, size_t size, size_t q, uint32_t num, size_t m,
		   size_t mend)
{
	size_t pp = q + 4, len;
	uint32_t nmark = (num + 255) / 256;

	if (m < q + 4 || m + 4 * (size_t)nmark != mend || rd32(d + m) != 0)
		return false;
	for (uint32_t j = 0; j < num; j++) {
		if (j % 256 == 0 && rd32(d + m + 4 * (size_t)(j / 256)) != pp - (q + 4))
			return false;
		pp = kname_len(d, size, pp, &len);
		if (!pp || pp > m)
			return false;
	}
	return align4(pp) == m;
}

static int kallsyms_find(const uint8_t *d, size_t size, struct ksyms *k)
{
	static const char digits[] = "0\0" "1\0" "2\0" "3\0" "4\0" "5\0" "6\0" "7\0" "8\0" "9";
	const uint8_t *hit = d;

	while ((hit = memmem(hit, size - (size_t)(hit - d), digits, sizeof(digits))) != NULL) {
		size_t dpos = (size_t)(hit - d);
		int i;

		hit++;
		if (dpos == 0 || d[dpos - 1] != 0)
			continue;
		/* The index follows the table: find it by entry 0x30 -> "0". */
		for (size_t idx = align4(dpos); idx < dpos + 8192 && idx + 512 <= size; idx += 4) {
			size_t t, prev = 0;

			if (rd16(d + idx) != 0 || rd16(d + idx + 0x60) > dpos)
				continue;
			t = dpos - rd16(d + idx + 0x60);
			if ((t & 3) || t + rd16(d + idx + 510) >= idx)
				continue;
			for (i = 1; i < 256; i++) {
				size_t o = rd16(d + idx + 2 * (size_t)i);

				if (o <= prev || d[t + o - 1] != 0)
					break;
				prev = o;
			}
			if (i != 256 || !memchr(d + t + prev, 0, idx - (t + prev)))
				continue;
			/* Table found. kallsyms_num_syms, names, markers, then
			 * (6.2+, and backported to 6.1 stable) seqs_of_names,
			 * then the table. Try both layouts for each candidate. */
			for (size_t q = t - 8; q >= 8 && t - q < (32u << 20); q -= 4) {
				uint32_t num = rd32(d + q), nm = (num + 255) / 256;
				size_t mend;

				if (num < 16 || (size_t)num * 2 > t - q)
					continue;
				for (int seqs = 0; seqs < 2; seqs++) {
					size_t sq = seqs ? align4(3 * (size_t)num) : 0;

					if (sq + 4 * (size_t)nm > t - q)
						continue;
					mend = t - sq;
					if (!kcheck(d, size, q, num, mend - 4 * (size_t)nm, mend))
						continue;
					if (q < 8 + 4 * (size_t)num)
						continue;
					k->num = num;
					k->names = q + 4;
					k->markers = mend - 4 * (size_t)nm;
					k->ttab = t;
					k->tidx = idx;
					k->relbase = rd32(d + q - 4);
					k->offsets = q - 4 - (size_t)num * 4;
					return 0;
				}
			}
		}
	}
	return PV_ECORRUPT;
}

int pvp_kallsyms_extract(struct pvp_image *img, struct pvp_err *e)
{
	struct ksyms k;
	const uint8_t *d = img->data;
	size_t p;
	int rc;

	if (kallsyms_find(d, img->size, &k))
		return pvp_errf(e, PV_ECORRUPT,
				"no System.map given and no kallsyms tables found in the image "
				"(kernel built without CONFIG_KALLSYMS, or not a 6.1-style layout)");
	p = k.names;
	for (uint32_t i = 0; i < k.num; i++) {
		char name[1024];
		size_t len, n = 0, q;

		q = kname_len(d, img->size, p, &len);
		for (size_t j = p + (q - p - len); j < q; j++) {
			const char *tok = (const char *)d + k.ttab + rd16(d + k.tidx + 2 * d[j]);

			while (*tok && n < sizeof(name) - 1)
				name[n++] = *tok++;
		}
		name[n] = 0;
		p = q;
		if (n < 2)
			return pvp_errf(e, PV_ECORRUPT, "kallsyms entry %u is empty", i);
		uint32_t addr = k.relbase + rd32(d + k.offsets + 4 * (size_t)i);

		rc = pvp_add_sym(img, addr, 0, name[0], 0, name + 1);
		if (rc)
			return rc;
	}
	img->symsrc = PVP_SYM_KALLSYMS;
	return 0;
}

/* ---- zImage ----------------------------------------------------------- */

static int load_zimage(const uint8_t *in, size_t len, struct pvp_image *img,
		       struct pvp_err *e)
{
	/* zimage.c: every compressor Linux offers ARM, through its library. */
	return pvp_zimage_unpack(in, len, &img->data, &img->size, &img->payload,
				 &img->payload_off, e);
}

/* ---- ELF -------------------------------------------------------------- */

static int load_elf(const uint8_t *in, size_t len, struct pvp_image *img,
		    struct pvp_err *e)
{
	uint32_t phoff, shoff, minpa = 0xFFFFFFFFu, maxpa = 0, basev = 0;
	uint16_t phnum, shnum, phentsz, shentsz;
	int rc;

	if (len < 52 || in[4] != 1 || in[5] != 1)
		return pvp_errf(e, PV_EINVAL, "ELF: only 32-bit little-endian is supported");
	if (rd16(in + 18) != 40)
		return pvp_errf(e, PV_EINVAL, "ELF: machine %u is not ARM", rd16(in + 18));
	phoff = rd32(in + 28);
	shoff = rd32(in + 32);
	phentsz = rd16(in + 42);
	phnum = rd16(in + 44);
	shentsz = rd16(in + 46);
	shnum = rd16(in + 48);
	if (phentsz < 32 || (uint64_t)phoff + (uint64_t)phnum * phentsz > len)
		return pvp_errf(e, PV_ECORRUPT, "ELF: program headers lie outside the file");
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < phnum; i++) {
			const uint8_t *ph = in + phoff + (size_t)i * phentsz;
			uint32_t off = rd32(ph + 4), va = rd32(ph + 8), pa = rd32(ph + 12);
			uint32_t fsz = rd32(ph + 16);

			if (rd32(ph) != 1 || fsz == 0)
				continue;
			if ((uint64_t)off + fsz > len)
				return pvp_errf(e, PV_ECORRUPT, "ELF: segment %u is truncated", i);
			if (pass == 0) {
				if (pa < minpa) {
					minpa = pa;
					basev = va;
				}
				if ((uint64_t)pa + fsz > maxpa)
					maxpa = pa + fsz;
			} else {
				memcpy(img->data + (pa - minpa), in + off, fsz);
			}
		}
		if (pass == 0) {
			if (maxpa <= minpa || maxpa - minpa > MAX_IMAGE)
				return pvp_errf(e, PV_ECORRUPT, "ELF: no loadable segments");
			img->size = maxpa - minpa;
			img->data = calloc(1, img->size);
			if (!img->data)
				return PV_ENOMEM;
			img->base = basev;
		}
	}
	/* Symbols from .symtab. */
	if (shentsz < 40 || (uint64_t)shoff + (uint64_t)shnum * shentsz > len)
		return pvp_errf(e, PV_ECORRUPT, "ELF: section headers lie outside the file");
	for (unsigned i = 0; i < shnum; i++) {
		const uint8_t *sh = in + shoff + (size_t)i * shentsz;
		uint32_t off = rd32(sh + 16), sz = rd32(sh + 20), link = rd32(sh + 24);
		uint32_t ent = rd32(sh + 36);
		const uint8_t *str;
		uint32_t stroff, strsz;

		if (rd32(sh + 4) != 2 /* SHT_SYMTAB */)
			continue;
		if (ent < 16 || (uint64_t)off + sz > len || link >= shnum)
			return pvp_errf(e, PV_ECORRUPT, "ELF: bad symbol table");
		stroff = rd32(in + shoff + (size_t)link * shentsz + 16);
		strsz = rd32(in + shoff + (size_t)link * shentsz + 20);
		if ((uint64_t)stroff + strsz > len || strsz == 0 || in[stroff + strsz - 1])
			return pvp_errf(e, PV_ECORRUPT, "ELF: bad string table");
		str = in + stroff;
		for (uint32_t s = 1; s < sz / ent; s++) {
			const uint8_t *st = in + off + (size_t)s * ent;
			uint32_t nm = rd32(st), val = rd32(st + 4), size = rd32(st + 8);
			uint8_t info = st[12], bind = info >> 4, typ = info & 15;
			uint16_t shndx = rd16(st + 14);
			const char *name;
			char t;

			if (nm >= strsz || shndx == 0)
				continue;
			name = (const char *)str + nm;
			if (name[0] == '$' && (name[1] == 'a' || name[1] == 't' || name[1] == 'd') &&
			    (name[2] == 0 || name[2] == '.')) {
				rc = pvp_add_mapsym(img, val, name[1]);
				if (rc)
					return rc;
				continue;
			}
			if (!name[0] || typ == 4 /* FILE */ || typ == 3 /* SECTION */)
				continue;
			/* Typed as nm and System.map do: by the section. A
			 * FUNC in a data section (Rockchip's resume code in
			 * .data, run by the boot ROM at its physical address)
			 * is data to Linux, as in System.map and kallsyms. */
			uint32_t fl = shndx < shnum ?
				rd32(in + shoff + (size_t)shndx * shentsz + 8) : 0;

			if (typ == 1 /* OBJECT */)
				t = 'd';
			else if (shndx == 0xFFF1)
				t = 'a';
			else
				t = (fl & 4 /* SHF_EXECINSTR */) ? 't' : 'd';
			if (bind != 0)
				t = (char)toupper(t);
			rc = pvp_add_sym(img, typ == 2 ? val & ~1u : val, size, t,
					 typ == 2 && (val & 1), name);
			if (rc)
				return rc;
		}
	}
	img->symsrc = PVP_SYM_ELF;
	return 0;
}

/* ---- top level -------------------------------------------------------- */

/* Does @w start like an A32 function (a push, push {lr} for ftrace, a
 * stack adjust, mov ip, sp, a return, a branch)? */
static bool a32_prologue(uint32_t w)
{
	return (w & 0xFFFF0000u) == 0xE92D0000u || w == 0xE52DE004u ||
	       (w & 0xFFFFF000u) == 0xE24DD000u || w == 0xE12FFF1Eu ||
	       w == 0xE1A0C00Du || (w & 0x0F000000u) == 0x0A000000u;
}

/* Does the halfword pair @w (first halfword in bits 0-15) start like a
 * Thumb function: push {.., lr}, push.w {.., lr}, sub sp, bx lr, a b/b.w? */
static bool t32_prologue(uint32_t w)
{
	uint16_t h1 = (uint16_t)w, h2 = (uint16_t)(w >> 16);

	return (h1 & 0xFF00) == 0xB500 || (h1 == 0xE92D && (h2 & 0x4000)) ||
	       (h1 & 0xFF80) == 0xB080 || h1 == 0x4770 || (h1 & 0xF800) == 0xE000 ||
	       ((h1 & 0xF800) == 0xF000 && (h2 & 0xD000) == 0x9000);
}

/* How many of (up to 512 sampled) function symbols start like A32 code
 * (@thumb: like Thumb code) if data[0] sits at @base? */
static uint32_t base_score(const struct pvp_image *img, uint32_t base, bool thumb)
{
	uint32_t score = 0;
	size_t step = img->nsyms / 512 + 1;

	for (size_t i = 0; i < img->nsyms; i += step) {
		const struct pvp_sym *s = &img->syms[i];
		uint32_t w;

		if ((s->type != 't' && s->type != 'T') || s->addr < base ||
		    s->addr - base + 4 > img->size)
			continue;
		w = rd32(img->data + (s->addr - base));
		if (thumb ? t32_prologue(w) : a32_prologue(w))
			score++;
	}
	return score;
}

static int set_base(struct pvp_image *img, struct pvp_err *e)
{
	const struct pvp_sym *s = pvp_find_sym(img, "_text");
	uint32_t lo, best = 0, bestb = 0;

	if (s) {
		img->base = s->addr;
		return 0;
	}
	/* kallsyms starts at _stext, not at _text (.head.text comes first):
	 * find the 4 KiB-aligned placement under which function symbols
	 * start with typical prologues. */
	if (!img->nsyms)
		return pvp_errf(e, PV_ECORRUPT, "no symbols: cannot place the Image");
	lo = img->syms[0].addr & ~0xFFFu;
	for (uint32_t d = 0; d <= (32u << 20) && d <= lo; d += 0x1000) {
		uint32_t sc = base_score(img, lo - d, false) + base_score(img, lo - d, true);

		if (sc > best) {
			best = sc;
			bestb = lo - d;
		}
	}
	if (best < 16)
		return pvp_errf(e, PV_ECORRUPT, "cannot place the Image: no base address "
				"makes the symbols point at code (symbols do not match?)");
	img->base = bestb;
	/*
	 * kallsyms has no symbol for .head.text, yet its code (head.S: the
	 * CPU mode checks, page-table setup, MMU enable) runs in the guest and
	 * holds sensitive instructions. The boot protocol enters the Image at
	 * byte 0, where head.S puts stext, so analysis starts there too.
	 */
	if (!pvp_find_sym(img, "stext") && img->syms[0].addr > bestb) {
		int rc = pvp_add_sym(img, bestb, 0, 'T', 0, "stext");

		if (rc)
			return pvp_errf(e, rc, "out of memory");
		pvp_sort_syms(img);
	}
	return 0;
}

/*
 * Without an ELF nothing says which instruction set the functions use: a
 * Thumb-2 kernel (CONFIG_THUMB2_KERNEL) is told apart by its prologues.
 * Its few A32 pieces (the entry, the kuser helpers) are analyze.c's.
 */
static void detect_isa(struct pvp_image *img)
{
	img->prologues_a32 = base_score(img, img->base, false);
	img->prologues_t32 = base_score(img, img->base, true);
	if (img->prologues_t32 > 2 * img->prologues_a32 && img->prologues_t32 >= 16)
		img->thumb_default = 1;
}

/*
 * kallsyms addresses are kallsyms_relative_base plus an offset, and the
 * Image is placed where its function symbols start with prologues: if the
 * base was altered by a multiple of 4 KiB, symbols and placement move
 * together and still agree with each other. The Image's own absolute
 * pointers (ops tables, literal pools, exception and jump tables) do not
 * move: with the right base many words equal a function's address, with a
 * base off by d they equal addresses d away. Compare the count at the
 * chosen base with those 4 and 8 KiB away (the noise level).
 */
static int check_link_address(const struct pvp_image *img, struct pvp_err *e)
{
	static const int32_t delta[] = { 0, -8192, -4096, 4096, 8192 };
	uint32_t lo = 0xFFFFFFFFu, hi = 0, hits[5] = { 0 }, noise = 0;
	uint8_t *bits;

	for (size_t i = 0; i < img->nsyms; i++) {
		const struct pvp_sym *s = &img->syms[i];

		if ((s->type == 't' || s->type == 'T' || s->type == 'W') && !(s->addr & 3)) {
			lo = s->addr < lo ? s->addr : lo;
			hi = s->addr > hi ? s->addr : hi;
		}
	}
	if (lo > hi || hi - lo > MAX_IMAGE)
		return 0;
	bits = calloc((hi - lo) / 32 + 1, 1);
	if (!bits)
		return PV_ENOMEM;
	for (size_t i = 0; i < img->nsyms; i++) {
		const struct pvp_sym *s = &img->syms[i];

		if ((s->type == 't' || s->type == 'T' || s->type == 'W') && !(s->addr & 3))
			bits[(s->addr - lo) / 32] |= (uint8_t)(1u << ((s->addr - lo) / 4 % 8));
	}
	for (size_t o = 0; o + 4 <= img->size; o += 4) {
		uint32_t w = rd32(img->data + o);

		for (int k = 0; k < 5; k++) {
			uint32_t v = w - (uint32_t)delta[k];

			/* A Thumb kernel's code pointers carry bit 0. */
			if (img->thumb_default && (v & 3) == 1)
				v &= ~1u;
			if (!(v & 3) && v >= lo && v <= hi &&
			    (bits[(v - lo) / 32] >> ((v - lo) / 4 % 8) & 1))
				hits[k]++;
		}
	}
	free(bits);
	for (int k = 1; k < 5; k++)
		noise = hits[k] > noise ? hits[k] : noise;
	if (getenv("PVPATCH_DEBUG"))
		fprintf(stderr, "link address check: %u words point at functions, "
			"%u at most with the base 4/8 KiB off\n", hits[0], noise);
	if (hits[0] < 16 || hits[0] < 4 * noise)
		return pvp_errf(e, PV_ECORRUPT,
				"the kallsyms tables place the Image at 0x%08x, but the "
				"Image's own pointers disagree (%u words point at functions "
				"there, %u with the base 4/8 KiB off): kallsyms_relative_base "
				"was altered or the tables belong to another build",
				img->base, hits[0], noise);
	return 0;
}

int pvp_load(const uint8_t *in, size_t len, enum pvp_format fmt,
	     const char *sysmap, size_t sysmap_len, struct pvp_image *img,
	     struct pvp_err *e)
{
	int rc;

	memset(img, 0, sizeof(*img));
	if (!in || len < 64) {
		return pvp_errf(e, PV_ECORRUPT, "input is empty or truncated (%zu bytes)", len);
	}
	if (fmt == PVP_FMT_AUTO) {
		if (!memcmp(in, "\177ELF", 4))
			fmt = PVP_FMT_ELF;
		else if (rd32(in + 0x24) == ZIMAGE_MAGIC)
			fmt = PVP_FMT_ZIMAGE;
		else if (!sysmap)
			return pvp_errf(e, PV_EINVAL, "unknown input format: not ELF, not a "
					"zImage; for a raw Image give --format image "
					"(its embedded kallsyms) or --system-map");
		else
			fmt = PVP_FMT_IMAGE;
	}
	img->format = fmt;
	switch (fmt) {
	case PVP_FMT_ELF:
		if (memcmp(in, "\177ELF", 4))
			return pvp_errf(e, PV_EINVAL, "--format elf but no ELF magic");
		rc = load_elf(in, len, img, e);
		break;
	case PVP_FMT_ZIMAGE:
		rc = load_zimage(in, len, img, e);
		break;
	case PVP_FMT_IMAGE:
		img->data = malloc(len);
		if (!img->data)
			return PV_ENOMEM;
		memcpy(img->data, in, len);
		img->size = len;
		rc = 0;
		break;
	default:
		return pvp_errf(e, PV_EINVAL, "unknown format");
	}
	if (rc)
		goto fail;
	if (sysmap) {
		/* A given System.map replaces whatever the input carried. */
		for (size_t i = 0; i < img->nsyms; i++)
			free(img->syms[i].name);
		img->nsyms = 0;
		rc = pvp_sysmap_parse(sysmap, sysmap_len, img, e);
	} else if (fmt != PVP_FMT_ELF) {
		rc = pvp_kallsyms_extract(img, e);
	}
	if (rc)
		goto fail;
	pvp_sort_syms(img);
	if (fmt != PVP_FMT_ELF)
		rc = set_base(img, e);
	if (!rc && fmt != PVP_FMT_ELF)
		detect_isa(img);
	if (!rc && img->symsrc == PVP_SYM_KALLSYMS)
		rc = check_link_address(img, e);
	if (rc)
		goto fail;
	return 0;
fail:
	pvp_image_free(img);
	return rc;
}
