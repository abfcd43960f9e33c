/* SPDX-License-Identifier: MIT */
/*
 * Suite 'patch' (second file): the classification rules and input-path
 * fixes of issue 15, each on a small synthetic fixture.
 *
 * - adr + load: a constant read through "add rX, pc, #imm; ldrd/ldm/ldr
 *   [rX]" is data (Debian: update_sd_lb_stats, sha224_base_init, ...).
 * - a function without a symbol (a weak default the linker overrode) is
 *   found by its ftrace prologue after a path end (cpu_idle_poll_ctrl).
 * - SMP_ON_UP by shape: entries with conditional and data targets belong
 *   to the table; the .pv_table after it does not.
 * - kallsyms with an altered kallsyms_relative_base is refused.
 * - vmlinux ELF: BUG() words under $d, the *_lma symbols of the vectors
 *   and stubs, FUNC symbols in data sections, and the bytes after a sized
 *   function; the ELF and the Image + System.map views give equal sites.
 *
 * Encodings (checked with arm-none-eabi-objdump) are next to their use.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <pvcore/decode.h>
#include <pvcore/patch.h>

#include "pvpatch.h"

#define BASE 0xC0008000u
#define SIZE 0x4000u

#define PUSH_LR    0xE52DE004u /* push {lr} */
#define PUSH_R4_LR 0xE92D4010u /* push {r4, lr} */
#define POP_R4_PC  0xE8BD8010u /* pop {r4, pc} */
#define BX_LR      0xE12FFF1Eu /* bx lr */
#define NOP        0xE320F000u /* nop */
#define CPSID_I    0xF10C0080u /* cpsid i */
#define CPSIE_I    0xF1080080u /* cpsie i */
#define BUG_WORD   0xE7F001F2u /* BUG(): udf #18 */

static uint8_t im[SIZE];
static char map[16384];
static size_t maplen;

static void put32(uint32_t off, uint32_t w)
{
	for (int i = 0; i < 4; i++)
		im[off + i] = (uint8_t)(w >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* bl/b from image offset @from to @to. */
static uint32_t bl(uint32_t from, uint32_t to)
{
	return 0xEB000000u | (((to - from - 8) >> 2) & 0xFFFFFFu);
}

static uint32_t b(uint32_t from, uint32_t to)
{
	return 0xEA000000u | (((to - from - 8) >> 2) & 0xFFFFFFu);
}

/* add rD, pc, #(to - from - 8), which must be < 256. */
static uint32_t adr(unsigned rd, uint32_t from, uint32_t to)
{
	ck_assert_uint_lt(to - from - 8, 256);
	return 0xE28F0000u | rd << 12 | (to - from - 8);
}

static void reset(void)
{
	memset(im, 0, sizeof(im));
	maplen = 0;
}

static void sym(uint32_t off, char type, const char *name)
{
	maplen += (size_t)snprintf(map + maplen, sizeof(map) - maplen, "%08x %c %s\n",
				   BASE + off, type, name);
}

/* Sixteen ordinary functions (a System.map must look like one). */
static void filler(uint32_t off)
{
	for (int i = 0; i < 16; i++) {
		char n[16];

		snprintf(n, sizeof(n), "fill%d", i);
		sym(off + 16u * (uint32_t)i, 't', n);
		put32(off + 16u * (uint32_t)i, PUSH_R4_LR);
		put32(off + 16u * (uint32_t)i + 4, NOP);
		put32(off + 16u * (uint32_t)i + 8, POP_R4_PC);
	}
}

static const struct pvp_site *site_at(const struct pvp_result *r, uint32_t va)
{
	for (size_t i = 0; i < r->nsites; i++)
		if (r->sites[i].va == va)
			return &r->sites[i];
	return NULL;
}

static void analyse_map(struct pvp_image *img, struct pvp_result *r)
{
	struct pvp_err e = { "" };

	ck_assert_msg(pvp_load(im, SIZE, PVP_FMT_IMAGE, map, maplen, img, &e) == 0, "%s",
		      e.msg);
	ck_assert_msg(pvp_analyze(img, r, &e) == 0, "%s", e.msg);
}

static void dump_unsure(const struct pvp_result *r)
{
	for (size_t i = 0; i < r->nunsure; i++)
		fprintf(stderr, "unsure 0x%08x 0x%08x %s: %s\n", r->unsure[i].va,
			r->unsure[i].word, r->unsure[i].sym, r->unsure[i].why);
}

/*
 * GCC loads 64-bit constants as "add rX, pc, #off; ldrd rA, rB, [rX]" and
 * cci_port_not_found reads its table with adr + ldm and adr + ldr: the
 * words read are data even though no PC-relative load names them.
 */
START_TEST(adr_load_target_is_data)
{
	struct pvp_image img;
	struct pvp_result r;
	uint32_t f = 0x400, k1, k2, k3;

	reset();
	sym(0, 'T', "_text");
	filler(0x100);
	sym(f, 't', "consts");
	put32(f + 0, PUSH_R4_LR);
	/* f+4: add r9, pc, #..; ldrd r8, r9, [r9] */
	put32(f + 8, 0xE1C980D0u);
	/* f+12: add r0, pc, #..; ldm r0, {r1, r2} */
	put32(f + 16, 0xE8900006u);
	/* f+20: add r1, pc, #..; ldr r0, [r1] */
	put32(f + 24, 0xE5910000u);
	put32(f + 28, POP_R4_PC);
	put32(f + 32, NOP); /* alignment padding for the ldrd */
	k1 = f + 40;        /* 8-aligned */
	k2 = k1 + 8;
	k3 = k2 + 8;
	put32(f + 4, adr(9, f + 4, k1));
	put32(f + 12, adr(0, f + 12, k2));
	put32(f + 20, adr(1, f + 20, k3));
	put32(k1, 0x3886594Bu);     /* the 64-bit constant of update_sd_lb_stats */
	put32(k1 + 4, 0x346DC5D6u); /* strbtcc: looks like ldrt-strt */
	put32(k2, 0xE8DD1FFFu);     /* ldm sp, {r0-ip}^ look-alike */
	put32(k2 + 4, CPSID_I);
	put32(k3, 0xE4B10004u);     /* ldrt look-alike */
	sym(k3 + 4, 't', "after");
	put32(k3 + 4, BX_LR);
	sym(k3 + 8, 'T', "_etext");
	analyse_map(&img, &r);
	dump_unsure(&r);
	ck_assert_uint_eq(r.nunsure, 0);
	ck_assert_uint_eq(r.nsites, 0);
	pvp_result_free(&r);
	pvp_image_free(&img);

	/* The same words also reached by flow: neither wins, they are
	 * reported (the cpsid and the ldrt after it). */
	put32(f + 28, NOP);
	put32(f + 32, b(f + 32, k2 + 4)); /* jumps onto the cpsid in the table */
	analyse_map(&img, &r);
	ck_assert_uint_eq(r.nunsure, 2);
	ck_assert_uint_eq(r.unsure[0].va, BASE + k2 + 4);
	ck_assert_uint_eq(r.unsure[1].va, BASE + k3);
	ck_assert_ptr_nonnull(strstr(r.unsure[0].why, "adr"));
	ck_assert_ptr_null(site_at(&r, BASE + k2 + 4));
	pvp_result_free(&r);
	pvp_image_free(&img);
}
END_TEST

/*
 * A weak default that a strong definition overrode keeps its code but
 * loses its symbol (Debian: the generic arch_cpu_idle() after
 * cpu_idle_poll_ctrl). Its ftrace prologue right after a path end makes
 * it a function; the same bytes after something that is not a path end
 * stay unreached and reported.
 */
START_TEST(unsymbolled_function_after_path_end)
{
	struct pvp_image img;
	struct pvp_result r;
	const uint32_t mc = 0x80, f = 0x400, g = f + 12;

	reset();
	sym(0, 'T', "_text");
	sym(mc, 'T', "__gnu_mcount_nc");
	put32(mc, BX_LR);
	filler(0x100);
	sym(f, 'T', "poll_ctrl");
	put32(f, PUSH_LR);
	put32(f + 4, bl(f + 4, mc));
	put32(f + 8, BX_LR);
	/* No symbol from here: two weak defaults. */
	put32(g, PUSH_LR);
	put32(g + 4, bl(g + 4, mc));
	put32(g + 8, CPSIE_I);
	put32(g + 12, BX_LR);
	put32(g + 16, PUSH_LR);
	put32(g + 20, bl(g + 20, mc));
	put32(g + 24, CPSID_I);
	put32(g + 28, BX_LR);
	sym(g + 32, 't', "do_idle");
	put32(g + 32, BX_LR);
	sym(g + 36, 'T', "_etext");
	analyse_map(&img, &r);
	dump_unsure(&r);
	ck_assert_uint_eq(r.nunsure, 0);
	ck_assert_uint_eq(r.nunsymbolled, 2);
	ck_assert_ptr_nonnull(site_at(&r, BASE + g + 8));
	ck_assert_ptr_nonnull(site_at(&r, BASE + g + 24));
	pvp_result_free(&r);
	pvp_image_free(&img);

	/* After a word that does not end a path (here: a data word the flow
	 * never reaches), the prologue proves nothing. */
	put32(f + 8, 0x12345678u);
	put32(f + 4, b(f + 4, g + 32));
	analyse_map(&img, &r);
	ck_assert_uint_eq(r.nunsymbolled, 0);
	ck_assert_uint_eq(r.nunsure, 2);
	ck_assert_ptr_null(site_at(&r, BASE + g + 8));
	pvp_result_free(&r);
	pvp_image_free(&img);
}
END_TEST

/*
 * SMP_ON_UP without __smpalt_begin/_end (kallsyms): the table is found by
 * shape. Real entries may target a conditional instruction (wfemi in the
 * rwlocks) or data (MMU flags in a proc_info table); the .pv_table that
 * follows is a run of 4-byte offsets which, read in pairs, looks like
 * entries too.
 */
START_TEST(smpalt_by_shape_exact_extent)
{
	struct pvp_image img;
	struct pvp_result r;
	const uint32_t text = 0x400, obj = 0x800, alt = 0x2000;
	uint32_t p = alt, pv;

	reset();
	sym(0, 'T', "_text");
	filler(0x100);
	sym(text, 't', "locks");
	for (uint32_t i = 0; i < 24; i++)
		put32(text + 4 * i, 0xF590F000u | i); /* pldw [r0, #i]: SMP */
	put32(text + 0x60, 0x4320F002u);            /* wfemi: a site */
	put32(text + 0x64, BX_LR);
	sym(obj, 'r', "proc_info");
	put32(obj, 0x11C0Eu);
	sym(obj + 4, 'T', "_etext");
	/* Zero padding before the table: (0, 0) is no entry (it would
	 * target itself). */
	for (uint32_t i = 0; i < 10; i++, p += 8) {
		put32(p, text + 4 * i - p);
		put32(p + 4, 0xF5D0F000u);           /* UP: pld */
	}
	put32(p, text + 0x60 - p);                   /* the conditional target */
	put32(p + 4, NOP);
	p += 8;
	put32(p, obj - p);                           /* a data target */
	put32(p + 4, 0xC0Eu);
	p += 8;
	for (uint32_t i = 10; i < 20; i++, p += 8) {
		put32(p, text + 4 * i - p);
		put32(p + 4, 0xF5D0F000u);
	}
	/* .pv_table: 4-byte offsets to text instructions. */
	for (pv = p; pv < p + 64; pv += 4)
		put32(pv, text + 4 * ((pv - p) / 4) - pv);
	analyse_map(&img, &r);
	ck_assert(r.smpalt_checked);
	ck_assert_uint_eq(r.smpalt_entries, 22);
	ck_assert_uint_eq(r.smpalt_on_sites, 1);
	ck_assert_ptr_nonnull(site_at(&r, BASE + text + 0x60));
	pvp_result_free(&r);
	pvp_image_free(&img);
}
END_TEST

/* ---- kallsyms --------------------------------------------------------- */

/*
 * Writes 6.1-style base-relative kallsyms tables at @at for the symbols
 * (type, name, image offset): offsets, relative_base, num, names (one
 * token per character), markers, token_table, token_index.
 */
struct ks { char type; const char *name; uint32_t off; };

static uint32_t write_kallsyms(uint32_t at, const struct ks *s, uint32_t n, uint32_t relbase)
{
	uint32_t p = at, names, mark, tt;

	for (uint32_t i = 0; i < n; i++, p += 4)
		put32(p, BASE + s[i].off - relbase);
	put32(p, relbase);
	put32(p + 4, n);
	names = p += 8;
	for (uint32_t i = 0; i < n; i++) {
		size_t l = strlen(s[i].name);

		im[p++] = (uint8_t)(l + 1);
		im[p++] = (uint8_t)s[i].type;
		memcpy(im + p, s[i].name, l);
		p += (uint32_t)l;
	}
	mark = (p + 3) & ~3u;
	put32(mark, 0); /* one marker: names[0] at offset 0 */
	(void)names;
	tt = mark + 4;
	/* token i is the one-character string i (token 0: "~"). */
	for (uint32_t i = 0; i < 256; i++) {
		im[tt + 2 * i] = (uint8_t)(i ? i : '~');
		im[tt + 2 * i + 1] = 0;
	}
	for (uint32_t i = 0; i < 256; i++) {
		im[tt + 512 + 2 * i] = (uint8_t)(2 * i);
		im[tt + 512 + 2 * i + 1] = (uint8_t)((2 * i) >> 8);
	}
	return tt + 1024;
}

/*
 * An Image whose only symbols are its kallsyms: 20 functions and an ops
 * table pointing at them. With kallsyms_relative_base moved by 4 KiB the
 * symbols and the placement move together; the Image's own pointers do
 * not, and the load is refused instead of placing the Image 4 KiB off.
 */
START_TEST(kallsyms_altered_relative_base_refused)
{
	struct ks s[24];
	char names[24][16];
	struct pvp_image img;
	struct pvp_result r;
	struct pvp_err e = { "" };
	uint32_t n = 0, end;

	reset();
	for (uint32_t i = 0; i < 20; i++, n++) {
		uint32_t o = 0x100 + 16 * i;

		snprintf(names[n], sizeof(names[n]), "func%02u", i);
		s[n] = (struct ks){ 'T', names[n], o };
		put32(o, PUSH_R4_LR);
		put32(o + 4, i == 3 ? CPSID_I : NOP);
		put32(o + 8, POP_R4_PC);
		put32(0x800 + 4 * i, BASE + o); /* the ops table */
	}
	s[n++] = (struct ks){ 'T', "_etext", 0x100 + 16 * 20 };
	end = write_kallsyms(0x1000, s, n, BASE + 0x100);
	ck_assert_uint_lt(end, SIZE);
	ck_assert_msg(pvp_load(im, SIZE, PVP_FMT_IMAGE, NULL, 0, &img, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(img.symsrc, PVP_SYM_KALLSYMS);
	ck_assert_uint_eq(img.base, BASE);
	ck_assert_int_eq(pvp_analyze(&img, &r, &e), 0);
	ck_assert_ptr_nonnull(site_at(&r, BASE + 0x100 + 16 * 3 + 4));
	pvp_result_free(&r);
	pvp_image_free(&img);

	/* relative_base + 0x1000 (offsets unchanged). */
	write_kallsyms(0x1000, s, n, BASE + 0x100);
	put32(0x1000 + 4 * n, BASE + 0x1100);
	ck_assert_int_eq(pvp_load(im, SIZE, PVP_FMT_IMAGE, NULL, 0, &img, &e), PV_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(e.msg, "kallsyms_relative_base"));
}
END_TEST

/* ---- ELF -------------------------------------------------------------- */

struct esec {
	const char *name;
	uint32_t type, flags, addr, pa, off, size; /* off: in im[] */
};

struct esym {
	const char *name;
	uint32_t value, size;
	uint8_t info;   /* bind << 4 | type */
	uint16_t shndx; /* section index (1-based), or 0xFFF1 */
};

#define FUNC_G 0x12
#define FUNC_L 0x02
#define NOTYPE_L 0x00
#define NOTYPE_G 0x10

static uint8_t elf[65536];

static void e32(uint32_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		elf[off + i] = (uint8_t)(v >> (8 * i));
}

static void e16(uint32_t off, uint16_t v)
{
	elf[off] = (uint8_t)v;
	elf[off + 1] = (uint8_t)(v >> 8);
}

/* A minimal 32-bit ARM vmlinux: one PT_LOAD per section, a symbol table. */
static size_t elf_build(const struct esec *sec, unsigned nsec, const struct esym *sy,
			unsigned nsym)
{
	uint32_t ph = 52, p, shstr, str, symtab, sh;
	uint32_t shname[16], nsh = nsec + 4;

	memset(elf, 0, sizeof(elf));
	memcpy(elf, "\177ELF\1\1\1", 7);
	e16(16, 2);
	e16(18, 40);
	e32(20, 1);
	e32(28, ph);
	e16(40, 52);
	e16(42, 32);
	e16(44, (uint16_t)nsec);
	e16(46, 40);
	e16(48, (uint16_t)nsh);
	e16(50, (uint16_t)(nsh - 1));
	p = ph + 32 * nsec;
	for (unsigned i = 0; i < nsec; i++) {
		uint32_t q = ph + 32 * i;

		p = (p + 3) & ~3u;
		memcpy(elf + p, im + sec[i].off, sec[i].size);
		e32(q, 1);
		e32(q + 4, p);
		e32(q + 8, sec[i].addr);
		e32(q + 12, sec[i].pa);
		e32(q + 16, sec[i].size);
		e32(q + 20, sec[i].size);
		e32(q + 24, 7);
		shname[i] = p; /* reuse: file offset of the section */
		p += sec[i].size;
	}
	/* String table of symbol names. */
	str = p;
	elf[p++] = 0;
	uint32_t nameoff[64];

	for (unsigned i = 0; i < nsym; i++) {
		nameoff[i] = p - str;
		memcpy(elf + p, sy[i].name, strlen(sy[i].name) + 1);
		p += (uint32_t)strlen(sy[i].name) + 1;
	}
	uint32_t strsz = p - str;

	p = (p + 3) & ~3u;
	symtab = p;
	p += 16; /* null symbol */
	for (unsigned i = 0; i < nsym; i++, p += 16) {
		e32(p, nameoff[i]);
		e32(p + 4, sy[i].value);
		e32(p + 8, sy[i].size);
		elf[p + 12] = sy[i].info;
		e16(p + 14, sy[i].shndx);
	}
	uint32_t symsz = p - symtab;

	shstr = p;
	elf[p++] = 0;
	uint32_t shn[20];

	for (unsigned i = 0; i < nsec; i++) {
		shn[i] = p - shstr;
		memcpy(elf + p, sec[i].name, strlen(sec[i].name) + 1);
		p += (uint32_t)strlen(sec[i].name) + 1;
	}
	static const char *const extra[] = { ".symtab", ".strtab", ".shstrtab" };

	for (unsigned i = 0; i < 3; i++) {
		shn[nsec + i] = p - shstr;
		memcpy(elf + p, extra[i], strlen(extra[i]) + 1);
		p += (uint32_t)strlen(extra[i]) + 1;
	}
	uint32_t shstrsz = p - shstr;

	p = (p + 3) & ~3u;
	sh = p;
	e32(32, sh);
	p += 40; /* null section */
	for (unsigned i = 0; i < nsec; i++, p += 40) {
		e32(p, shn[i]);
		e32(p + 4, sec[i].type);
		e32(p + 8, sec[i].flags);
		e32(p + 12, sec[i].addr);
		e32(p + 16, shname[i]);
		e32(p + 20, sec[i].size);
	}
	e32(p, shn[nsec]);
	e32(p + 4, 2); /* SHT_SYMTAB */
	e32(p + 16, symtab);
	e32(p + 20, symsz);
	e32(p + 24, nsec + 2); /* link: .strtab */
	e32(p + 36, 16);
	p += 40;
	e32(p, shn[nsec + 1]);
	e32(p + 4, 3);
	e32(p + 16, str);
	e32(p + 20, strsz);
	p += 40;
	e32(p, shn[nsec + 2]);
	e32(p + 4, 3);
	e32(p + 16, shstr);
	e32(p + 20, shstrsz);
	p += 40;
	ck_assert_uint_lt(p, sizeof(elf));
	return p;
}

/* The System.map nm would print for the same symbols. */
static void map_from(const struct esec *sec, const struct esym *sy, unsigned nsym)
{
	maplen = 0;
	for (unsigned i = 0; i < nsym; i++) {
		char t;

		if (sy[i].name[0] == '$')
			continue;
		if (sy[i].shndx == 0xFFF1)
			t = 'a';
		else
			t = (sec[sy[i].shndx - 1].flags & 4) ? 't' : 'd';
		if (sy[i].info >> 4)
			t = (char)(t - 'a' + 'A');
		maplen += (size_t)snprintf(map + maplen, sizeof(map) - maplen, "%08x %c %s\n",
					   sy[i].value, t, sy[i].name);
	}
}

/*
 * The vmlinux of Debian's -dbg package, in small. Without the fixes the
 * ELF path patched 2 000 of 6 400 sites:
 * - BUG() is ".word 0xe7f001f2" under a $d mapping symbol; a call followed
 *   by it taught that the callee (there: __gnu_mcount_nc, called by every
 *   function) never returns (f1, f3; f6 where the $d also holds a literal);
 * - __vectors_lma/__stubs_lma are text symbols at the stubs' load address
 *   whose range took the $d of the preceding section, so the stubs were
 *   data;
 * - the bytes after a sized function (a weak default without symbol) were
 *   no range at all.
 * And a FUNC in .data (Rockchip's resume code) is data, as System.map says.
 */
START_TEST(elf_path_matches_system_map_path)
{
	struct pvp_image ie, im2;
	struct pvp_result re, rm;
	struct pvp_err e = { "" };
	const uint32_t mc = 0x100, helper = 0x110, f1 = 0x120, f2 = 0x130, f3 = 0x140;
	const uint32_t f4 = 0x160, weak = f4 + 12, f5 = weak + 16, pool = 0x1F0;
	const uint32_t vec = 0x1000, stubs = 0x1020, dat = 0x2000, f6 = 0x1C0;
	size_t len;

	reset();
	put32(mc, BX_LR);
	put32(helper, PUSH_R4_LR);
	put32(helper + 4, POP_R4_PC);
	/* f1: push {r4, lr}; bl helper; BUG(); pop {r4, pc} */
	put32(f1, PUSH_R4_LR);
	put32(f1 + 4, bl(f1 + 4, helper));
	put32(f1 + 8, BUG_WORD);
	put32(f1 + 12, POP_R4_PC);
	/* f2: push {r4, lr}; bl helper; cpsid i; pop {r4, pc} */
	put32(f2, PUSH_R4_LR);
	put32(f2 + 4, bl(f2 + 4, helper));
	put32(f2 + 8, CPSID_I);
	put32(f2 + 12, POP_R4_PC);
	/* f3: bl helper; BUG(); BUG(); (one $d of 8 bytes) then more code */
	put32(f3, PUSH_R4_LR);
	put32(f3 + 4, bl(f3 + 4, helper));
	put32(f3 + 8, BUG_WORD);
	put32(f3 + 12, BUG_WORD);
	put32(f3 + 16, POP_R4_PC);
	/* f6: bl helper; then BUG() and a literal under one $d */
	put32(f6, PUSH_R4_LR);
	put32(f6 + 4, 0xE59F0004u);    /* ldr r0, [pc, #4] */
	put32(f6 + 8, bl(f6 + 8, helper));
	put32(f6 + 12, BUG_WORD);
	put32(f6 + 16, 0xE10F0000u);   /* the literal: mrs look-alike */
	/* f4 (size 12) and a symbol-less weak default after it */
	put32(f4, PUSH_LR);
	put32(f4 + 4, bl(f4 + 4, mc));
	put32(f4 + 8, BX_LR);
	put32(weak, PUSH_LR);
	put32(weak + 4, bl(weak + 4, mc));
	put32(weak + 8, CPSIE_I);
	put32(weak + 12, BX_LR);
	put32(f5, 0xE59F0000u | (pool - (f5 + 8))); /* ldr r0, [pc, #..] */
	put32(f5 + 4, BX_LR);
	/* its literal pool at the end of .text, under $d */
	put32(pool, 0xE10F0000u);
	/* vectors: seven b to the stubs page and ldr pc, [pc, #0xff0] */
	for (uint32_t i = 0; i < 8; i++)
		put32(vec + 4 * i, 0xEA000000u | ((0xFFFF1004u - (0xFFFF0000u + 4 * i + 8)) >> 2));
	put32(vec + 8, 0xE59FFFF0u);
	put32(stubs, BASE + f5);      /* .word vector_swi */
	put32(stubs + 4, 0xE14FE000u); /* mrs lr, SPSR */
	put32(stubs + 8, 0xE16FF000u); /* msr SPSR_fsxc, r0 */
	put32(stubs + 12, 0xE1B0F00Eu); /* movs pc, lr */
	/* .data: an object, then resume code run by firmware */
	put32(dat, 0x11111111u);
	put32(dat + 4, 0xE321F0D3u);   /* msr CPSR_c, #0xd3 */
	put32(dat + 8, 0xE1A0F000u);

	const struct esec sec[] = {
		{ ".text", 1, 6, BASE, BASE, 0, 0x200 },
		{ ".vectors", 1, 6, 0xFFFF0000u, BASE + vec, vec, 32 },
		{ ".stubs", 1, 6, 0xFFFF1000u, BASE + stubs, stubs, 16 },
		{ ".data", 1, 3, BASE + dat, BASE + dat, dat, 16 },
	};
	const struct esym sy[] = {
		{ "_text", BASE, 0, NOTYPE_G, 1 },
		{ "$a", BASE + mc, 0, NOTYPE_L, 1 },
		{ "__gnu_mcount_nc", BASE + mc, 4, FUNC_G, 1 },
		{ "helper", BASE + helper, 8, FUNC_G, 1 },
		{ "f1", BASE + f1, 16, FUNC_G, 1 },
		{ "$d", BASE + f1 + 8, 0, NOTYPE_L, 1 },
		{ "$a", BASE + f1 + 12, 0, NOTYPE_L, 1 },
		{ "f2", BASE + f2, 16, FUNC_G, 1 },
		{ "f3", BASE + f3, 20, FUNC_G, 1 },
		{ "$d", BASE + f3 + 8, 0, NOTYPE_L, 1 },
		{ "$a", BASE + f3 + 16, 0, NOTYPE_L, 1 },
		{ "f4", BASE + f4, 12, FUNC_G, 1 },
		{ "f5", BASE + f5, 8, FUNC_G, 1 },
		{ "f6", BASE + f6, 20, FUNC_G, 1 },
		{ "$d", BASE + f6 + 12, 0, NOTYPE_L, 1 },
		{ "$d", BASE + pool, 0, NOTYPE_L, 1 },
		{ "_etext", BASE + 0x200, 0, NOTYPE_G, 1 },
		{ "__vectors_start", BASE + vec, 0, NOTYPE_G, 0xFFF1 },
		{ "__vectors_lma", BASE + vec, 0, NOTYPE_G, 2 },
		{ "__stubs_start", BASE + stubs, 0, NOTYPE_G, 0xFFF1 },
		{ "__stubs_lma", BASE + stubs, 0, NOTYPE_G, 3 },
		{ "__stubs_end", BASE + stubs + 16, 0, NOTYPE_G, 0xFFF1 },
		{ "$a", 0xFFFF0000u, 0, NOTYPE_L, 2 },
		{ "$d", 0xFFFF1000u, 0, NOTYPE_L, 3 },
		{ "$a", 0xFFFF1004u, 0, NOTYPE_L, 3 },
		{ "vector_irq", 0xFFFF1004u, 12, FUNC_L, 3 },
		{ "$d", BASE + dat, 0, NOTYPE_L, 4 },
		{ "table", BASE + dat, 4, 0x11, 4 },
		{ "$a", BASE + dat + 4, 0, NOTYPE_L, 4 },
		{ "rk_resume", BASE + dat + 4, 8, FUNC_G, 4 },
	};

	len = elf_build(sec, PV_ARRAY_SIZE(sec), sy, PV_ARRAY_SIZE(sy));
	ck_assert_msg(pvp_load(elf, len, PVP_FMT_AUTO, NULL, 0, &ie, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(ie.symsrc, PVP_SYM_ELF);
	ck_assert_uint_eq(ie.base, BASE);
	ck_assert_msg(pvp_analyze(&ie, &re, &e) == 0, "%s", e.msg);
	dump_unsure(&re);
	ck_assert_uint_eq(re.nunsure, 0);
	ck_assert_ptr_nonnull(site_at(&re, BASE + f2 + 8));    /* after bl helper */
	ck_assert_ptr_nonnull(site_at(&re, BASE + weak + 8));  /* unsymbolled */
	for (uint32_t k = 4; k < 16; k += 4) {                 /* stubs, both views */
		ck_assert_ptr_nonnull(site_at(&re, BASE + stubs + k));
		ck_assert_ptr_nonnull(site_at(&re, 0xFFFF1000u + k));
	}
	ck_assert_ptr_null(site_at(&re, BASE + dat + 4));      /* .data is data */
	ck_assert_ptr_null(site_at(&re, BASE + pool));
	ck_assert_uint_eq(re.nsites, 8);

	/* The same Image with the System.map nm would print: same sites. */
	memcpy(im, ie.data, ie.size < SIZE ? ie.size : SIZE);
	map_from(sec, sy, PV_ARRAY_SIZE(sy));
	ck_assert_msg(pvp_load(im, ie.size, PVP_FMT_IMAGE, map, maplen, &im2, &e) == 0, "%s",
		      e.msg);
	ck_assert_msg(pvp_analyze(&im2, &rm, &e) == 0, "%s", e.msg);
	dump_unsure(&rm);
	ck_assert_uint_eq(rm.nsites, re.nsites);
	ck_assert_uint_eq(rm.nunsure, 0);
	for (size_t i = 0; i < re.nsites; i++) {
		ck_assert_uint_eq(rm.sites[i].va, re.sites[i].va);
		ck_assert_uint_eq(rm.sites[i].original, re.sites[i].original);
		ck_assert_uint_eq(rm.sites[i].patched, re.sites[i].patched);
		ck_assert_uint_eq(rm.sites[i].flags, re.sites[i].flags);
	}
	ck_assert_uint_eq(get32(ie.data + stubs + 4), 0xE14FE000u);
	pvp_result_free(&re);
	pvp_result_free(&rm);
	pvp_image_free(&ie);
	pvp_image_free(&im2);
}
END_TEST

static Suite *inputs_suite(void)
{
	Suite *s = suite_create("patch-inputs");
	TCase *tc = tcase_create("pvpatch-inputs");

	tcase_add_test(tc, adr_load_target_is_data);
	tcase_add_test(tc, unsymbolled_function_after_path_end);
	tcase_add_test(tc, smpalt_by_shape_exact_extent);
	tcase_add_test(tc, kallsyms_altered_relative_base_refused);
	tcase_add_test(tc, elf_path_matches_system_map_path);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(inputs_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
