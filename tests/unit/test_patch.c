/* SPDX-License-Identifier: MIT */
/*
 * Suite 'patch': libpvpatch on synthetic images that plant every sensitive
 * class in ARM and Thumb-2, next to data words that look like sensitive
 * instructions, plus the manifest format, the input formats and the
 * refusal paths. Encodings were produced with arm-none-eabi-as and are
 * listed with their assembly so they can be re-checked with objdump.
 */
#include <check.h>
#include <lz4.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include <pvcore/decode.h>
#include <pvcore/patch.h>

#include "pvpatch.h"

#define BASE 0xC0008000u
#define IMG_SIZE 0x2000u

struct expect {
	uint32_t off;
	enum pv_insn_class cls;
	uint16_t flags;
};

static uint8_t img_bytes[IMG_SIZE];
static struct expect exp_sites[128];
static size_t nexp;
static char sysmap[4096];
static size_t sysmap_len;

static void put32(uint32_t off, uint32_t w)
{
	for (int i = 0; i < 4; i++)
		img_bytes[off + i] = (uint8_t)(w >> (8 * i));
}

static void put16(uint32_t off, uint16_t h)
{
	img_bytes[off] = (uint8_t)h;
	img_bytes[off + 1] = (uint8_t)(h >> 8);
}

static uint32_t get32(const uint8_t *b, uint32_t off)
{
	return (uint32_t)b[off] | (uint32_t)b[off + 1] << 8 |
	       (uint32_t)b[off + 2] << 16 | (uint32_t)b[off + 3] << 24;
}

static void sym(uint32_t off, char type, const char *name)
{
	sysmap_len += (size_t)snprintf(sysmap + sysmap_len, sizeof(sysmap) - sysmap_len,
				       "%08x %c %s\n", BASE + off, type, name);
}

/* An ARM word that must become a site of class @cls. */
static uint32_t arm_site(uint32_t off, uint32_t w, enum pv_insn_class cls)
{
	put32(off, w);
	exp_sites[nexp++] = (struct expect){ off, cls, 0 };
	return off + 4;
}

static uint32_t t16_site(uint32_t off, uint16_t h, enum pv_insn_class cls)
{
	put16(off, h);
	exp_sites[nexp++] = (struct expect){ off, cls, PV_SITE_THUMB | PV_SITE_T16 };
	return off + 2;
}

static uint32_t t32_site(uint32_t off, uint32_t w, enum pv_insn_class cls)
{
	put16(off, (uint16_t)(w >> 16));
	put16(off + 2, (uint16_t)w);
	exp_sites[nexp++] = (struct expect){ off, cls, PV_SITE_THUMB };
	return off + 4;
}

/* Offsets of the look-alike data words and unreached words. */
static uint32_t arm_pool, arm_orphan, data_obj, thumb_pool, thumb_unreached;

/*
 * The synthetic kernel. ARM functions at 0x0.., Thumb at 0x400.., a data
 * object in text at 0x300, runtime vectors at 0x1000, stubs at 0x1100.
 * Symbols go to a System.map (the Thumb ones are marked by loading the
 * image with thumb information through the API, see load()).
 */
static void build(void)
{
	uint32_t o = 0, ldr0, ldr1;

	memset(img_bytes, 0, sizeof(img_bytes));
	nexp = 0;
	sysmap_len = 0;
	sym(0, 'T', "_text");
	sym(0, 'T', "arm_sens");
	o = arm_site(o, 0xF10C0080, PV_IC_CPS);       /* cpsid i */
	o = arm_site(o, 0xF10800C0, PV_IC_CPS);       /* cpsie if */
	o = arm_site(o, 0xE10F0000, PV_IC_MRS);       /* mrs r0, CPSR */
	o = arm_site(o, 0xE14F1000, PV_IC_MRS);       /* mrs r1, SPSR */
	o = arm_site(o, 0xE121F002, PV_IC_MSR);       /* msr CPSR_c, r2 */
	o = arm_site(o, 0xE16FF003, PV_IC_MSR);       /* msr SPSR_fsxc, r3 */
	o = arm_site(o, 0xE321F013, PV_IC_MSR);       /* msr CPSR_c, #19 */
	o = arm_site(o, 0xF96D0513, PV_IC_SRS);       /* srsdb sp!, #19 */
	o = arm_site(o, 0xE8DD1FFF, PV_IC_LDM_USER);  /* ldm sp, {r0-ip}^ */
	o = arm_site(o, 0x18FD9FFF, PV_IC_LDM_ERET);  /* ldmne sp!, {r0-ip, pc}^ */
	o = arm_site(o, 0xE8CD7FFF, PV_IC_STM_USER);  /* stmia sp, {r0-lr}^ */
	o = arm_site(o, 0x125EF004, PV_IC_DP_ERET);   /* subsne pc, lr, #4 */
	o = arm_site(o, 0xE4B10004, PV_IC_LDRT_STRT); /* ldrt r0, [r1], #4 */
	o = arm_site(o, 0xE4A10004, PV_IC_LDRT_STRT); /* strt */
	o = arm_site(o, 0xE4F10001, PV_IC_LDRT_STRT); /* ldrbt */
	o = arm_site(o, 0xE4E10001, PV_IC_LDRT_STRT); /* strbt */
	o = arm_site(o, 0xE0F100B2, PV_IC_LDRT_STRT); /* ldrht r0, [r1], #2 */
	o = arm_site(o, 0xE0E100B2, PV_IC_LDRT_STRT); /* strht */
	o = arm_site(o, 0xE0F100D1, PV_IC_LDRT_STRT); /* ldrsbt */
	o = arm_site(o, 0xE0F100F2, PV_IC_LDRT_STRT); /* ldrsht */
	o = arm_site(o, 0xE320F003, PV_IC_WFI);       /* wfi */
	o = arm_site(o, 0xE320F002, PV_IC_WFE);       /* wfe */
	o = arm_site(o, 0x1320F003, PV_IC_WFI);       /* wfine */
	o = arm_site(o, 0x110F0000, PV_IC_MRS);       /* mrsne r0, CPSR */
	ldr0 = o;
	o += 4; /* ldr r0, [pc, #x]: filled below */
	ldr1 = o;
	o += 4; /* ldrd r2, r3, [pc, #x] */
	put32(o, 0xE12FFF1E); /* bx lr */
	o += 4;
	/* Literal pool: words that decode as cpsid i, movs pc, lr, mrs. */
	arm_pool = o;
	put32(o, 0xF10C0080);
	put32(o + 4, 0xE1B0F00E);
	put32(o + 8, 0xE10F0000);
	put32(ldr0, 0xE59F0000 | (arm_pool - (ldr0 + 8)));          /* ldr r0, [pc, #..] */
	put32(ldr1, 0xE1CF20D0 | ((arm_pool + 4 - (ldr1 + 8)) & 0xF) |
	      ((arm_pool + 4 - (ldr1 + 8)) & 0xF0) << 4);           /* ldrd r2, r3, [pc, #..] */
	o += 12;
	/* No path reaches this: reported, never patched. */
	arm_orphan = o;
	put32(o, 0xE320F003); /* wfi */
	o += 4;

	/* Exception returns end their function. */
	o = 0x100;
	sym(o, 't', "arm_rfe");
	arm_site(o, 0xF8BD0A00, PV_IC_RFE);           /* rfeia sp! */
	o = 0x110;
	sym(o, 't', "arm_ldm_eret");
	arm_site(o, 0xE8FD9FFF, PV_IC_LDM_ERET);      /* ldm sp!, {r0-ip, pc}^ */
	o = 0x120;
	sym(o, 't', "arm_movs");
	arm_site(o, 0xE1B0F00E, PV_IC_DP_ERET);       /* movs pc, lr */
	o = 0x130;
	sym(o, 't', "arm_subs");
	arm_site(o, 0xE25EF004, PV_IC_DP_ERET);       /* subs pc, lr, #4 */
	/* A branch over a sensitive-looking word to a sensitive one. */
	o = 0x140;
	sym(o, 't', "arm_branch");
	put32(o, 0xEA000000);                          /* b +8 */
	put32(o + 4, 0xF10C0080);                      /* skipped: orphan */
	arm_site(o + 8, 0xE10F3000, PV_IC_MRS);       /* mrs r3, CPSR */
	put32(o + 12, 0xE12FFF1E);
	/* A data object in text holding instruction look-alikes. */
	data_obj = 0x300;
	sym(data_obj, 'r', "arm_table");
	put32(data_obj, 0xE10F0000);
	put32(data_obj + 4, 0xF10C0080);
	put32(data_obj + 8, 0xE8FD9FFF);
	sym(data_obj + 12, 't', "after_table");
	put32(data_obj + 12, 0xE12FFF1E);

	/* Thumb-2. */
	o = 0x400;
	sym(o, 't', "thumb_sens");
	o = t16_site(o, 0xB672, PV_IC_CPS);            /* cpsid i */
	o = t16_site(o, 0xB662, PV_IC_CPS);            /* cpsie i */
	o = t32_site(o, 0xF3AF8640, PV_IC_CPS);        /* cpsid.w i */
	o = t32_site(o, 0xF3EF8000, PV_IC_MRS);        /* mrs r0, CPSR */
	o = t32_site(o, 0xF3FF8100, PV_IC_MRS);        /* mrs r1, SPSR */
	o = t32_site(o, 0xF3828100, PV_IC_MSR);        /* msr CPSR_c, r2 */
	o = t32_site(o, 0xF3938F00, PV_IC_MSR);        /* msr SPSR_fsxc, r3 */
	o = t32_site(o, 0xE82DC013, PV_IC_SRS);        /* srsdb sp!, #19 */
	o = t32_site(o, 0xF8510E04, PV_IC_LDRT_STRT);  /* ldrt r0, [r1, #4] */
	o = t32_site(o, 0xF8410E04, PV_IC_LDRT_STRT);  /* strt */
	o = t32_site(o, 0xF8110E01, PV_IC_LDRT_STRT);  /* ldrbt */
	o = t32_site(o, 0xF8210E02, PV_IC_LDRT_STRT);  /* strht */
	o = t16_site(o, 0xBF30, PV_IC_WFI);            /* wfi */
	o = t16_site(o, 0xBF20, PV_IC_WFE);            /* wfe */
	o = t32_site(o, 0xF3AF8003, PV_IC_WFI);        /* wfi.w */
	put16(o, 0xBF18);                              /* it ne */
	o += 2;
	o = t32_site(o, 0xF3DE8F04, PV_IC_DP_ERET);    /* subsne pc, lr, #4 (in IT) */
	{
		uint32_t ldr = o;

		o += 2;                                /* ldr r0, [pc, #..] */
		put16(o, 0x4770);                      /* bx lr */
		o += 2;
		o = (o + 3) & ~3u;
		thumb_pool = o;
		put16(ldr, (uint16_t)(0x4800 | ((thumb_pool - ((ldr + 4) & ~3u)) / 4)));
		/* The pool: cpsid i, wfi and mrs halves. */
		put16(o, 0xB672);
		put16(o + 2, 0xBF30);
		o += 4;
	}
	o = 0x480;
	sym(o, 't', "thumb_rfe");
	t32_site(o, 0xE9BDC000, PV_IC_RFE);            /* rfeia sp! */
	o = 0x490;
	sym(o, 't', "thumb_subs");
	t32_site(o, 0xF3DE8F04, PV_IC_DP_ERET);        /* subs pc, lr, #4 */
	/* CBZ: the wfi is reached only through the branch; the cpsid between
	 * is not reached at all. */
	o = 0x4a0;
	sym(o, 't', "thumb_cbz");
	put16(o, 0xB110);                              /* cbz r0, +8 */
	put16(o + 2, 0x4770);                          /* bx lr */
	put16(o + 4, 0xB672);                          /* unreached cpsid i */
	put16(o + 6, 0xBF00);
	t16_site(o + 8, 0xBF30, PV_IC_WFI);            /* wfi */
	put16(o + 10, 0x4770);
	thumb_unreached = o + 4;
	/*
	 * A switch through TBB: its cases are reached only through the byte
	 * table (the bx lr after it ends the fall-through). TBB [pc, r0] must
	 * not be taken for an LDRD literal (same hw1 bits but P:W = 00).
	 */
	o = 0x4c0;
	sym(o, 't', "thumb_tbb");
	put16(o, 0xE8DF);                              /* tbb [pc, r0] */
	put16(o + 2, 0xF000);
	img_bytes[o + 4] = (0x4cc - 0x4c4) / 2;        /* case 0 */
	img_bytes[o + 5] = (0x4d0 - 0x4c4) / 2;        /* case 1 */
	put16(o + 8, 0x4770);                          /* bx lr */
	put16(o + 10, 0xBF00);
	t16_site(0x4cc, 0xBF30, PV_IC_WFI);            /* case 0: wfi */
	put16(0x4ce, 0x4770);
	t16_site(0x4d0, 0xB672, PV_IC_CPS);            /* case 1: cpsid i */
	put16(0x4d2, 0x4770);
	sym(0x4e0, 't', "_etext");
}

static int load(struct pvp_image *img, struct pvp_err *e)
{
	int rc = pvp_load(img_bytes, IMG_SIZE, PVP_FMT_IMAGE, sysmap, sysmap_len, img, e);

	if (rc)
		return rc;
	/* System.map has no ISA: mark the Thumb functions as ELF would. */
	for (size_t i = 0; i < img->nsyms; i++)
		if (!strncmp(img->syms[i].name, "thumb_", 6))
			img->syms[i].thumb = 1;
	return 0;
}

static const struct pvp_site *find_site(const struct pvp_result *r, uint32_t va)
{
	for (size_t i = 0; i < r->nsites; i++)
		if (r->sites[i].va == va)
			return &r->sites[i];
	return NULL;
}

START_TEST(every_class_both_isas)
{
	struct pvp_image img;
	struct pvp_result r;
	struct pvp_err e;

	build();
	ck_assert_int_eq(load(&img, &e), 0);
	ck_assert_int_eq(pvp_analyze(&img, &r, &e), 0);
	for (size_t i = 0; i < nexp; i++) {
		const struct pvp_site *s = find_site(&r, BASE + exp_sites[i].off);

		ck_assert_msg(s, "no site at +0x%x (%s)", exp_sites[i].off,
			      pv_insn_class_name(exp_sites[i].cls));
		ck_assert_msg(s->cls == exp_sites[i].cls, "+0x%x: class %s, want %s",
			      exp_sites[i].off, pv_insn_class_name(s->cls),
			      pv_insn_class_name(exp_sites[i].cls));
		ck_assert_uint_eq(s->flags, exp_sites[i].flags);
		ck_assert_uint_eq(s->off, exp_sites[i].off);
	}
	/* Nothing else: no data word became a site. */
	ck_assert_uint_eq(r.nsites, nexp);
	/* Per-class totals add up. */
	uint32_t total = 0;

	for (int c = 0; c < PV_IC_COUNT; c++)
		total += r.per_class[c];
	ck_assert_uint_eq(total, nexp);
	pvp_result_free(&r);
	pvp_image_free(&img);
}
END_TEST

START_TEST(data_is_never_patched)
{
	struct pvp_image img;
	struct pvp_result r;
	struct pvp_err e;
	int orphan_reported = 0, skipped_reported = 0, thumb_reported = 0;

	build();
	ck_assert_int_eq(load(&img, &e), 0);
	ck_assert_int_eq(pvp_analyze(&img, &r, &e), 0);
	for (uint32_t k = 0; k < 12; k += 4)
		ck_assert_ptr_null(find_site(&r, BASE + arm_pool + k));
	for (uint32_t k = 0; k < 12; k += 4)
		ck_assert_ptr_null(find_site(&r, BASE + data_obj + k));
	ck_assert_ptr_null(find_site(&r, BASE + thumb_pool));
	ck_assert_ptr_null(find_site(&r, BASE + thumb_pool + 2));
	ck_assert_ptr_null(find_site(&r, BASE + arm_orphan));
	/* Unreached sensitive-looking words are reported; data is not. */
	for (size_t i = 0; i < r.nunsure; i++) {
		uint32_t off = r.unsure[i].va - BASE;

		ck_assert_msg(off < arm_pool || off >= arm_pool + 12, "pool word reported");
		ck_assert_msg(off < data_obj || off >= data_obj + 12, "data object reported");
		if (off == arm_orphan)
			orphan_reported = 1;
		if (off == 0x144)
			skipped_reported = 1;
		if (off == thumb_unreached)
			thumb_reported = 1;
	}
	ck_assert(orphan_reported);
	ck_assert(skipped_reported);
	ck_assert(thumb_reported);
	ck_assert_ptr_null(find_site(&r, BASE + thumb_unreached));
	/* Applying changes exactly the site words. */
	uint8_t before[IMG_SIZE];

	memcpy(before, img.data, IMG_SIZE);
	pvp_apply(&img, &r);
	for (uint32_t off = 0; off < IMG_SIZE; off += 2) {
		int in_site = 0;

		for (size_t i = 0; i < nexp; i++) {
			uint32_t len = (exp_sites[i].flags & PV_SITE_T16) ? 2 : 4;

			if (off >= exp_sites[i].off && off < exp_sites[i].off + len)
				in_site = 1;
		}
		if (!in_site)
			ck_assert_msg(!memcmp(before + off, img.data + off, 2),
				      "byte +0x%x changed outside any site", off);
		else
			ck_assert_msg(memcmp(before + off, img.data + off, 2) != 0 ||
				      (off & 2), "site +0x%x unchanged", off);
	}
	pvp_result_free(&r);
	pvp_image_free(&img);
}
END_TEST

/* The words written are the documented traps, and they really are UDF. */
START_TEST(trap_words_are_unconditional_udf)
{
	struct pvp_image img;
	struct pvp_result r;
	struct pvp_err e;

	build();
	ck_assert_int_eq(load(&img, &e), 0);
	ck_assert_int_eq(pvp_analyze(&img, &r, &e), 0);
	pvp_apply(&img, &r);
	for (size_t i = 0; i < r.nsites; i++) {
		const struct pvp_site *s = &r.sites[i];
		uint32_t w = get32(img.data, s->off);
		struct pv_insn in;

		if (!(s->flags & PV_SITE_THUMB)) {
			/* A32 UDF: cond 1110, 0111 1111 ... 1111 imm4. */
			ck_assert_uint_eq(w & 0xFFF000F0u, 0xE7F000F0u);
			ck_assert_int_eq(pv_decode_arm(w, &in) == PV_EUNDEF ||
					 in.cls == PV_IC_UDF || in.cls == PV_IC_UNDEF, 1);
			/* Not BUG() (0xe7f001f2), kgdb (0xe7ffdefe/f) or probes. */
			ck_assert_uint_ne(w, 0xE7F001F2u);
			ck_assert_uint_ne(w & 0xFFFFFFF0u, 0xE7F001F0u);
			ck_assert_uint_ne(w & 0xFFFFFFF0u, 0xE7FFDEF0u);
		} else if (s->flags & PV_SITE_T16) {
			ck_assert_uint_eq(img.data[s->off + 1], 0xDE);
			ck_assert_uint_ge(img.data[s->off], 0x80);
		} else {
			uint16_t h1 = (uint16_t)(img.data[s->off] | img.data[s->off + 1] << 8);
			uint16_t h2 = (uint16_t)(img.data[s->off + 2] | img.data[s->off + 3] << 8);

			ck_assert_uint_eq(h1 & 0xFFF0u, 0xF7F0u);
			ck_assert_uint_eq(h2 & 0xF000u, 0xA000u);
		}
	}
	pvp_result_free(&r);
	pvp_image_free(&img);
}
END_TEST

START_TEST(already_patched_is_refused)
{
	struct pvp_image img, img2;
	struct pvp_result r, r2;
	struct pvp_err e;

	build();
	ck_assert_int_eq(load(&img, &e), 0);
	ck_assert_int_eq(pvp_analyze(&img, &r, &e), 0);
	pvp_apply(&img, &r);
	memcpy(img_bytes, img.data, IMG_SIZE);
	ck_assert_int_eq(load(&img2, &e), 0);
	ck_assert_int_eq(pvp_analyze(&img2, &r2, &e), PV_EEXIST);
	ck_assert_ptr_nonnull(strstr(e.msg, "already patched"));
	pvp_result_free(&r);
	pvp_image_free(&img);
	pvp_image_free(&img2);
}
END_TEST

static void manifest_of_build(uint8_t **m, size_t *ml, struct pvp_result *keep)
{
	struct pvp_image img;
	struct pvp_result r;
	struct pvp_err e;

	build();
	ck_assert_int_eq(load(&img, &e), 0);
	ck_assert_int_eq(pvp_analyze(&img, &r, &e), 0);
	ck_assert_int_eq(pvp_manifest_build(&img, &r, m, ml), 0);
	if (keep) {
		*keep = r;
		keep->sites = malloc(r.nsites * sizeof(*r.sites));
		memcpy(keep->sites, r.sites, r.nsites * sizeof(*r.sites));
		keep->unsure = NULL;
		keep->nunsure = 0;
		for (size_t i = 0; i < r.nsites; i++)
			keep->sites[i].sym = NULL;
	}
	pvp_result_free(&r);
	pvp_image_free(&img);
}

static void refresh_crc(uint8_t *m, size_t ml)
{
	memset(m + 28, 0, 4);
	uint32_t c = pv_patch_crc32(0, m, ml);

	memcpy(m + 28, &c, 4);
}

/* Sites found again at the Image's load address (head.S, idmap code). */
START_TEST(lookup_at_the_load_address)
{
	const uint32_t load = 0x10008000u;
	struct pv_patch_table t, saved;
	struct pvp_result r;
	uint8_t *m;
	size_t ml;

	manifest_of_build(&m, &ml, &r);
	ck_assert_int_eq(pv_patch_table_parse(m, ml, &t), 0);
	ck_assert_uint_eq(t.image_base, BASE);
	ck_assert(t.image_size > 0);
	ck_assert(!t.load_alias);
	ck_assert_ptr_null(pv_patch_lookup(&t, pv_gva(load + r.sites[0].va - BASE)));
	/* Refused: overlapping the link range, wrapping past 4 GiB. */
	saved = t;
	ck_assert_int_eq(pv_patch_table_set_load(&t, pv_gpa(BASE + 0x1000)), PV_ERANGE);
	ck_assert_int_eq(pv_patch_table_set_load(&t, pv_gpa(BASE - t.image_size + 4)),
			 PV_ERANGE);
	ck_assert_int_eq(pv_patch_table_set_load(&t, pv_gpa(0xfffff000u)), PV_ERANGE);
	ck_assert_mem_eq(&t, &saved, sizeof(t));
	ck_assert_int_eq(pv_patch_table_set_load(NULL, pv_gpa(load)), PV_EINVAL);
	ck_assert_int_eq(pv_patch_table_set_load(&t, pv_gpa(load)), 0);
	for (size_t i = 0; i < r.nsites; i++) {
		const struct pv_patch_site *s =
			pv_patch_lookup(&t, pv_gva(load + r.sites[i].va - BASE));

		ck_assert_ptr_nonnull(s);
		ck_assert_uint_eq(s->va, r.sites[i].va);
		ck_assert_ptr_eq(s, pv_patch_lookup(&t, pv_gva(r.sites[i].va)));
	}
	/* Only sites alias: the load range's other words and its ends miss. */
	ck_assert_ptr_null(pv_patch_lookup(&t, pv_gva(load + arm_pool)));
	ck_assert_ptr_null(pv_patch_lookup(&t, pv_gva(load - 4)));
	ck_assert_ptr_null(pv_patch_lookup(&t, pv_gva(load + t.image_size)));
	free(m);
	free(r.sites);
}
END_TEST

/* A listed site inside the load range would make a PC there ambiguous. */
START_TEST(load_range_holding_a_site_refused)
{
	static const struct pv_patch_site sites[] = {
		{ 0x10009000u, 0xe10f0000u, 0xe7f5a0f5u, PV_IC_MRS, PV_SITE_ALIAS },
		{ 0xc0008004u, 0xe10f0000u, 0xe7f5a0f5u, PV_IC_MRS, 0 },
	};
	struct pv_patch_table t = { .sites = sites, .count = 2,
				    .image_base = 0xc0008000u,
				    .image_size = 0x2000u };

	ck_assert_int_eq(pv_patch_table_set_load(&t, pv_gpa(0x10008000u)), PV_ERANGE);
	ck_assert(!t.load_alias);
	ck_assert_int_eq(pv_patch_table_set_load(&t, pv_gpa(0x1000a000u)), 0);
	ck_assert_ptr_eq(pv_patch_lookup(&t, pv_gva(0x1000a004u)), &sites[1]);
	ck_assert_ptr_eq(pv_patch_lookup(&t, pv_gva(0x10009000u)), &sites[0]);
}
END_TEST

START_TEST(manifest_round_trip_and_corruption)
{
	uint8_t *m, *bad;
	size_t ml;
	struct pv_patch_table t;
	struct pvp_result r;

	manifest_of_build(&m, &ml, &r);
	ck_assert_int_eq(pv_patch_table_parse(m, ml, &t), 0);
	ck_assert_uint_eq(t.count, r.nsites);
	for (size_t i = 0; i < r.nsites; i++) {
		const struct pv_patch_site *s = pv_patch_lookup(&t, pv_gva(r.sites[i].va));

		ck_assert_ptr_nonnull(s);
		ck_assert_uint_eq(s->original, r.sites[i].original);
		ck_assert_uint_eq(s->cls, r.sites[i].cls);
	}
	ck_assert_ptr_null(pv_patch_lookup(&t, pv_gva(BASE + arm_pool)));
	bad = malloc(ml);
	/* Every single-byte flip is caught. */
	for (size_t i = 0; i < ml; i++) {
		memcpy(bad, m, ml);
		bad[i] ^= 0x10;
		ck_assert_int_eq(pv_patch_table_parse(bad, ml, &t), PV_ECORRUPT);
	}
	/* Truncation. */
	for (size_t l = 0; l < ml; l += 7)
		ck_assert_int_eq(pv_patch_table_parse(m, l, &t), PV_ECORRUPT);
	/* Structural checks hold even with a valid checksum. */
	memcpy(bad, m, ml);
	memcpy(bad + 32, m + 48, 16); /* swap entries 0 and 1: unsorted */
	memcpy(bad + 48, m + 32, 16);
	refresh_crc(bad, ml);
	ck_assert_int_eq(pv_patch_table_parse(bad, ml, &t), PV_ECORRUPT);
	memcpy(bad, m, ml);
	bad[32 + 12] ^= 1; /* class no longer matches the trap word */
	refresh_crc(bad, ml);
	ck_assert_int_eq(pv_patch_table_parse(bad, ml, &t), PV_ECORRUPT);
	memcpy(bad, m, ml);
	bad[8] = 0xFF; /* count */
	refresh_crc(bad, ml);
	ck_assert_int_eq(pv_patch_table_parse(bad, ml, &t), PV_ECORRUPT);
	ck_assert_int_eq(pv_patch_table_parse(m + 1, ml - 1, &t), PV_EINVAL);
	free(bad);
	free(m);
	free(r.sites);
}
END_TEST

START_TEST(output_is_deterministic)
{
	uint8_t *a, *b;
	size_t al, bl;

	manifest_of_build(&a, &al, NULL);
	manifest_of_build(&b, &bl, NULL);
	ck_assert_uint_eq(al, bl);
	ck_assert(!memcmp(a, b, al));
	free(a);
	free(b);
}
END_TEST

START_TEST(manifest_prints_sites_and_totals)
{
	uint8_t *m;
	size_t ml;
	char *buf = NULL;
	size_t bl = 0;
	FILE *f;

	manifest_of_build(&m, &ml, NULL);
	f = open_memstream(&buf, &bl);
	ck_assert_int_eq(pvp_manifest_print(m, ml, f), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "arm_sens"));
	ck_assert_ptr_nonnull(strstr(buf, "thumb_rfe"));
	ck_assert_ptr_nonnull(strstr(buf, "0xc0008000 0xf10c0080"));
	ck_assert_ptr_nonnull(strstr(buf, "total all"));
	free(buf);
	m[40] ^= 1;
	f = fopen("/dev/null", "w");
	ck_assert_int_eq(pvp_manifest_print(m, ml, f), PV_ECORRUPT);
	fclose(f);
	free(m);
}
END_TEST

START_TEST(bad_inputs_are_refused)
{
	struct pvp_image img;
	struct pvp_err e;
	static const char placeholder[] =
		"ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n";
	static const char outside[] = "c0008000 T _text\nd0000000 T _etext\nc0008000 T f\n";

	build();
	/* Debian's placeholder System.map. */
	ck_assert_int_eq(pvp_load(img_bytes, IMG_SIZE, PVP_FMT_IMAGE, placeholder,
				  strlen(placeholder), &img, &e), PV_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "placeholder"));
	/* Unknown format without a map. */
	ck_assert_int_eq(pvp_load(img_bytes, IMG_SIZE, PVP_FMT_AUTO, NULL, 0, &img, &e),
			 PV_EINVAL);
	/* Truncated input. */
	ck_assert_int_eq(pvp_load(img_bytes, 10, PVP_FMT_AUTO, NULL, 0, &img, &e),
			 PV_ECORRUPT);
	/* A map whose symbols do not fit the image. */
	struct pvp_result r;

	ck_assert_int_eq(pvp_load(img_bytes, IMG_SIZE, PVP_FMT_IMAGE, outside,
				  strlen(outside), &img, &e), 0);
	ck_assert_int_eq(pvp_analyze(&img, &r, &e), PV_ECORRUPT);
	pvp_image_free(&img);
	/* A map shifted by 0x100 points functions into zeros and data. */
	char shifted[4096];
	size_t n = 0;

	for (size_t i = 0; i < 40; i++)
		n += (size_t)snprintf(shifted + n, sizeof(shifted) - n, "%08x t f%zu\n",
				      BASE + 0x1000 + (uint32_t)i * 16, i);
	n += (size_t)snprintf(shifted + n, sizeof(shifted) - n, "%08x T _text\n", BASE);
	ck_assert_int_eq(pvp_load(img_bytes, IMG_SIZE, PVP_FMT_IMAGE, shifted, n, &img, &e), 0);
	ck_assert_int_eq(pvp_analyze(&img, &r, &e), PV_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(e.msg, "do not match"));
	pvp_image_free(&img);
}
END_TEST

/* A local symbol with an empty name is skipped; a malformed line is not. */
START_TEST(system_map_empty_local_name)
{
	static char map[16384];
	struct pvp_image img;
	struct pvp_err e;
	int n;

	build();
	ck_assert_uint_lt(sysmap_len + 64, sizeof(map));
	memcpy(map, sysmap, sysmap_len);
	n = snprintf(map + sysmap_len, sizeof(map) - sysmap_len, "%08x t \n",
		     BASE + 0x10);
	ck_assert_int_eq(pvp_load(img_bytes, IMG_SIZE, PVP_FMT_IMAGE, map,
				  sysmap_len + (size_t)n, &img, &e), 0);
	pvp_image_free(&img);
	n = snprintf(map + sysmap_len, sizeof(map) - sysmap_len, "%08x t\n",
		     BASE + 0x10);
	ck_assert_int_eq(pvp_load(img_bytes, IMG_SIZE, PVP_FMT_IMAGE, map,
				  sysmap_len + (size_t)n, &img, &e), PV_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "malformed"));
}
END_TEST

/* A zImage with an XZ payload: the tool unpacks it with liblzma. */
START_TEST(zimage_xz_is_unpacked)
{
	static uint8_t z[IMG_SIZE + 4096];
	uint8_t *xz = z + 0x200;
	size_t xzl = 0, total;
	struct pvp_image img;
	struct pvp_err e;

	build();
	memset(z, 0, sizeof(z));
	ck_assert_int_eq(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, img_bytes,
						 IMG_SIZE, xz, &xzl, sizeof(z) - 0x200),
			 LZMA_OK);
	total = 0x200 + xzl + 4;
	/* The size trailer Linux's size_append writes after the stream. */
	z[0x200 + xzl] = (uint8_t)IMG_SIZE; z[0x201 + xzl] = (uint8_t)(IMG_SIZE >> 8);
	z[0x24] = 0x18; z[0x25] = 0x28; z[0x26] = 0x6F; z[0x27] = 0x01;
	z[0x2C] = (uint8_t)total; z[0x2D] = (uint8_t)(total >> 8);
	ck_assert_int_eq(pvp_load(z, total, PVP_FMT_AUTO, sysmap, sysmap_len, &img, &e), 0);
	ck_assert_int_eq(img.format, PVP_FMT_ZIMAGE);
	ck_assert_uint_eq(img.size, IMG_SIZE);
	build();
	ck_assert(!memcmp(img.data, img_bytes, IMG_SIZE));
	ck_assert_uint_eq(img.base, BASE);
	pvp_image_free(&img);
	/* Truncated payload: said as such, not as "liblzma error 0". */
	ck_assert_int_eq(pvp_load(z, 0x200 + xzl / 2, PVP_FMT_ZIMAGE, sysmap, sysmap_len,
				  &img, &e), PV_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(e.msg, "truncated"));
	ck_assert_ptr_null(strstr(e.msg, "error 0"));
	/* Corrupt payload. */
	xz[xzl / 2] ^= 0x55;
	ck_assert_int_eq(pvp_load(z, total, PVP_FMT_ZIMAGE, sysmap, sysmap_len, &img, &e),
			 PV_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(e.msg, "corrupt"));
}
END_TEST

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/*
 * Linux's piggy_data for @fmt, made with the libraries' encoders: the
 * compressed Image and (all but gzip) its size word. Returns its length.
 */
static size_t make_piggy(const char *fmt, uint8_t *o, size_t cap)
{
	size_t n = 0;

	if (!strcmp(fmt, "gzip")) {
		z_stream s;

		memset(&s, 0, sizeof(s));
		ck_assert_int_eq(deflateInit2(&s, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
					      Z_DEFAULT_STRATEGY), Z_OK);
		s.next_in = img_bytes;
		s.avail_in = IMG_SIZE;
		s.next_out = o;
		s.avail_out = (uInt)cap;
		ck_assert_int_eq(deflate(&s, Z_FINISH), Z_STREAM_END);
		n = s.total_out;
		deflateEnd(&s);
		return n; /* ISIZE is the size word */
	} else if (!strcmp(fmt, "XZ")) {
		ck_assert_int_eq(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, img_bytes,
							 IMG_SIZE, o, &n, cap), LZMA_OK);
	} else if (!strcmp(fmt, "LZMA")) {
		lzma_stream s = LZMA_STREAM_INIT;
		lzma_options_lzma opt;

		ck_assert(!lzma_lzma_preset(&opt, 6));
		ck_assert_int_eq(lzma_alone_encoder(&s, &opt), LZMA_OK);
		s.next_in = img_bytes;
		s.avail_in = IMG_SIZE;
		s.next_out = o;
		s.avail_out = cap;
		ck_assert_int_eq(lzma_code(&s, LZMA_FINISH), LZMA_STREAM_END);
		n = (size_t)s.total_out;
		lzma_end(&s);
	} else if (!strcmp(fmt, "LZO")) {
		/* lzop's container: magic, version 0x1040 header, one block
		 * with the Adler-32 of its data, the end mark. */
		static const uint8_t magic[9] = { 0x89, 'L', 'Z', 'O', 0, 0x0D, 0x0A, 0x1A, 0x0A };
		static uint8_t wrk[LZO1X_1_MEM_COMPRESS];
		lzo_uint clen = cap;
		size_t h;

		ck_assert_int_eq(lzo_init(), LZO_E_OK);
		memcpy(o, magic, 9);
		n = 9;
		o[n++] = 0x10; o[n++] = 0x40; /* version */
		o[n++] = 0x20; o[n++] = 0xA0; /* library version */
		o[n++] = 0x09; o[n++] = 0x40; /* needed to extract */
		o[n++] = 1; o[n++] = 5;       /* method LZO1X-1, level */
		put_be32(o + n, 1); n += 4;   /* flags: Adler-32 of the data */
		put_be32(o + n, 0644); n += 4; /* mode */
		put_be32(o + n, 0); n += 4;   /* mtime */
		put_be32(o + n, 0); n += 4;
		o[n++] = 0;                   /* no name */
		put_be32(o + n, lzo_adler32(1, o + 9, n - 9)); n += 4;
		h = n;
		n += 12;
		ck_assert_int_eq(lzo1x_1_compress(img_bytes, IMG_SIZE, o + n, &clen, wrk), LZO_E_OK);
		ck_assert_uint_lt(clen, IMG_SIZE);
		put_be32(o + h, IMG_SIZE);
		put_be32(o + h + 4, (uint32_t)clen);
		put_be32(o + h + 8, lzo_adler32(1, img_bytes, IMG_SIZE));
		n += clen;
		put_be32(o + n, 0); n += 4;
	} else if (!strcmp(fmt, "LZ4")) {
		int c = LZ4_compress_default((const char *)img_bytes, (char *)o + 8, IMG_SIZE,
					     (int)cap - 8);

		ck_assert_int_gt(c, 0);
		o[0] = 0x02; o[1] = 0x21; o[2] = 0x4C; o[3] = 0x18; /* legacy frame */
		o[4] = (uint8_t)c; o[5] = (uint8_t)(c >> 8); o[6] = (uint8_t)(c >> 16); o[7] = 0;
		n = 8 + (size_t)c;
	} else {
		n = ZSTD_compress(o, cap, img_bytes, IMG_SIZE, 3);
		ck_assert(!ZSTD_isError(n));
	}
	o[n] = (uint8_t)IMG_SIZE; o[n + 1] = (uint8_t)(IMG_SIZE >> 8); o[n + 2] = o[n + 3] = 0;
	return n + 4;
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

/*
 * A zImage of Linux's layout: the magic, its end, "EEEE" and a KLSZ
 * table naming the size word's offset (unless @table is 0), decoys of
 * every format's magic in the "decompressor", the piggy at 0x400.
 */
static size_t make_zimage(uint8_t *z, size_t cap, const uint8_t *piggy, size_t plen,
			  int table)
{
	static const uint8_t decoys[] =
		"\x1f\x8b\x08\x00" "garbage!" "\xfd" "7zXZ" "\0" "garbage!"
		"\x5d\x00\x00\x80\x00\xff\xff\xff\xff\xff\xff\xff\xff" "garbage!"
		"\x89LZO\0\r\n\x1a\n" "garbage!" "\x02\x21\x4c\x18" "garbage!"
		"\x28\xb5\x2f\xfd" "garbage!";
	size_t total = 0x400 + plen + 8;

	ck_assert_uint_le(total, cap);
	memset(z, 0, total);
	wr32(z, 0xE1A00000); /* mov r0, r0 */
	wr32(z + 0x24, 0x016F2818);
	wr32(z + 0x2C, (uint32_t)total);
	if (table) {
		wr32(z + 0x34, 0x45454545);
		wr32(z + 0x38, 0x40);
	}
	wr32(z + 0x40, 4);
	wr32(z + 0x44, 0x5A534C4B);
	wr32(z + 0x48, (uint32_t)(0x400 + plen - 4));
	memcpy(z + 0x100, decoys, sizeof(decoys));
	memcpy(z + 0x400, piggy, plen);
	return total;
}

/* Every compressor Linux offers ARM, with and without the KLSZ table. */
START_TEST(zimage_every_format)
{
	static const char *const fmts[] = { "gzip", "XZ", "LZMA", "LZO", "LZ4", "zstd" };
	static uint8_t piggy[IMG_SIZE * 2], z[IMG_SIZE * 2 + 0x1000];
	const char *fmt = fmts[_i];
	struct pvp_image img;
	struct pvp_err e;
	size_t plen, zl;

	build();
	plen = make_piggy(fmt, piggy, sizeof(piggy) - 4);
	for (int table = 1; table >= 0; table--) {
		zl = make_zimage(z, sizeof(z), piggy, plen, table);
		ck_assert_msg(pvp_load(z, zl, PVP_FMT_AUTO, sysmap, sysmap_len, &img, &e) == 0,
			      "%s: %s", fmt, e.msg);
		ck_assert_str_eq(img.payload, fmt);
		ck_assert_uint_eq(img.payload_off, 0x400);
		ck_assert_uint_eq(img.size, IMG_SIZE);
		ck_assert(!memcmp(img.data, img_bytes, IMG_SIZE));
		pvp_image_free(&img);
	}
	/* Cut short behind a consistent header: named as truncated. */
	zl = make_zimage(z, sizeof(z), piggy, plen, 1);
	memmove(z + 0x400 + plen / 2, z + 0x400 + plen - 4, 4);
	wr32(z + 0x48, (uint32_t)(0x400 + plen / 2));
	ck_assert_int_eq(pvp_load(z, zl, PVP_FMT_AUTO, sysmap, sysmap_len, &img, &e),
			 PV_ECORRUPT);
	ck_assert_msg(strstr(e.msg, fmt) && (strstr(e.msg, "truncated") ||
					     strstr(e.msg, "corrupt")), "%s", e.msg);
	/* A size word that disagrees with the stream. */
	zl = make_zimage(z, sizeof(z), piggy, plen, 1);
	z[0x400 + plen - 4] ^= 4;
	ck_assert_int_eq(pvp_load(z, zl, PVP_FMT_AUTO, sysmap, sysmap_len, &img, &e),
			 PV_ECORRUPT);
	ck_assert_msg(strstr(e.msg, fmt) || strstr(e.msg, "size trailer"), "%s", e.msg);
}
END_TEST

/* Without the table, two payloads that both qualify are refused. */
START_TEST(zimage_two_payloads_refused)
{
	static uint8_t a[IMG_SIZE * 2], b[IMG_SIZE * 2], z[IMG_SIZE * 5];
	struct pvp_image img;
	struct pvp_err e;
	size_t al, bl, zl;

	build();
	al = make_piggy("gzip", a, sizeof(a) - 4);
	bl = make_piggy("zstd", b, sizeof(b) - 4);
	memcpy(a + al, b, bl); /* gzip, then zstd, each with its size word */
	zl = make_zimage(z, sizeof(z), a, al + bl, 0);
	ck_assert_int_eq(pvp_load(z, zl, PVP_FMT_AUTO, sysmap, sysmap_len, &img, &e),
			 PV_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(e.msg, "two payloads"));
	/* With the table, the size word's place picks the last one. */
	zl = make_zimage(z, sizeof(z), a, al + bl, 1);
	ck_assert_int_eq(pvp_load(z, zl, PVP_FMT_AUTO, sysmap, sysmap_len, &img, &e), 0);
	ck_assert_str_eq(img.payload, "zstd");
	pvp_image_free(&img);
}
END_TEST

/*
 * Runtime code: the vector page (0xffff0000) and the stubs (0xffff1000)
 * are copied by Linux from their load addresses. Sites are patched at the
 * load address and listed at both addresses.
 */
START_TEST(vectors_and_stubs_get_aliases)
{
	struct pvp_image img;
	struct pvp_result r;
	struct pvp_err e;
	const uint32_t vec = 0x1000, stubs = 0x1100;

	build();
	for (uint32_t i = 0; i < 8; i++)  /* b 0xffff1004 */
		put32(vec + 4 * i, 0xEA000000 | ((0xFFFF1004u - (0xFFFF0000u + 4 * i + 8)) >> 2));
	put32(vec + 8, 0xE59FFFF0);       /* ldr pc, [pc, #0xff0]: the swi vector */
	put32(stubs, BASE + 0x140);       /* .word vector_swi */
	put32(stubs + 4, 0xE14FE000);     /* mrs lr, SPSR */
	put32(stubs + 8, 0xE16FF000);     /* msr SPSR_fsxc, r0 */
	put32(stubs + 12, 0xE1B0F00E);    /* movs pc, lr */
	sym(vec, 'T', "__vectors_start");
	sym(vec + 32, 'T', "__vectors_end");
	sym(stubs, 'T', "__stubs_start");
	sym(stubs + 16, 'T', "__stubs_end");
	ck_assert_int_eq(load(&img, &e), 0);
	ck_assert_int_eq(pvp_analyze(&img, &r, &e), 0);
	ck_assert_uint_eq(r.vectors_off, vec);
	ck_assert_uint_eq(r.stubs_off, stubs);
	if (getenv("PVP_TEST_DEBUG"))
		for (size_t i = 0; i < r.nsites; i++)
			fprintf(stderr, "site %08x off %x cls %u fl %x\n", r.sites[i].va,
				r.sites[i].off, r.sites[i].cls, r.sites[i].flags);
	static const struct { uint32_t k; enum pv_insn_class cls; } st[] = {
		{ 4, PV_IC_MRS }, { 8, PV_IC_MSR }, { 12, PV_IC_DP_ERET },
	};
	for (size_t i = 0; i < PV_ARRAY_SIZE(st); i++) {
		const struct pvp_site *a = find_site(&r, 0xFFFF1000u + st[i].k);
		const struct pvp_site *b = find_site(&r, BASE + stubs + st[i].k);

		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_nonnull(b);
		ck_assert_uint_eq(a->cls, st[i].cls);
		ck_assert(a->flags & PV_SITE_ALIAS);
		ck_assert(!(b->flags & PV_SITE_ALIAS));
		ck_assert_uint_eq(a->off, b->off);
	}
	/* The .word vector_swi is data, and the vectors are not sites. */
	ck_assert_ptr_null(find_site(&r, 0xFFFF1000u));
	for (uint32_t i = 0; i < 32; i += 4)
		ck_assert_ptr_null(find_site(&r, 0xFFFF0000u + i));
	pvp_result_free(&r);
	pvp_image_free(&img);
}
END_TEST

/* SMP_ON_UP replacements are data written into .text on a UP CPU: a
 * sensitive one must be reported. */
START_TEST(smp_on_up_replacements_are_checked)
{
	struct pvp_image img;
	struct pvp_result r;
	struct pvp_err e;
	const uint32_t alt = 0x1800;
	int found = 0;

	build();
	put32(alt, (uint32_t)(0x0 - alt));          /* -> arm_sens+0 (cpsid i) */
	put32(alt + 4, 0xE320F000);                  /* UP: nop */
	put32(alt + 8, (uint32_t)(0x100 - (alt + 8))); /* -> arm_rfe */
	put32(alt + 12, 0xF10C0080);                 /* UP: cpsid i (sensitive) */
	sym(alt, 'D', "__smpalt_begin");
	sym(alt + 16, 'D', "__smpalt_end");
	ck_assert_int_eq(load(&img, &e), 0);
	ck_assert_int_eq(pvp_analyze(&img, &r, &e), 0);
	ck_assert(r.smpalt_checked);
	ck_assert_uint_eq(r.smpalt_entries, 2);
	ck_assert_uint_eq(r.smpalt_on_sites, 2); /* both targets are sites here */
	for (size_t i = 0; i < r.nunsure; i++)
		if (r.unsure[i].va == BASE + 0x100 && r.unsure[i].word == 0xF10C0080u &&
		    strstr(r.unsure[i].why, "SMP_ON_UP"))
			found++;
	ck_assert_int_eq(found, 1);
	ck_assert_ptr_null(find_site(&r, BASE + alt + 12));
	pvp_result_free(&r);
	pvp_image_free(&img);
}
END_TEST

/* ---- self-describing trap words (patch.h) ------------------------------ */

static const unsigned isas[3] = { 0, PV_SITE_THUMB, PV_SITE_THUMB | PV_SITE_T16 };

/* The UDF word of @isa around immediate @imm, built here from the Arm ARM. */
static uint32_t udf_of(unsigned isa, uint32_t imm)
{
	if (isa == 0)
		return 0xE7F000F0u | (imm >> 4) << 8 | (imm & 0xF);
	if (isa & PV_SITE_T16)
		return 0xDE00u | imm;
	return (0xF7F0u | imm >> 12) << 16 | 0xA000u | (imm & 0xFFF);
}

static int decode_isa(uint32_t w, unsigned isa, struct pv_insn *in)
{
	if (isa == 0)
		return pv_decode_arm(w, in);
	if (isa & PV_SITE_T16)
		return pv_decode_thumb((uint16_t)w, 0, in);
	return pv_decode_thumb((uint16_t)(w >> 16), (uint16_t)w, in);
}

/*
 * Every immediate of every ISA: what decodes is a sensitive instruction of
 * the five forms, whose operands are the documented fields of the
 * immediate (checked against the decoder's view of the original), and
 * encoding that original gives the same word back. Nothing outside the
 * reserved ranges decodes (Linux's BUG/kgdb/probe words, the class markers).
 */
START_TEST(self_words_every_immediate)
{
	unsigned ndec[3] = { 0 };

	for (int k = 0; k < 3; k++) {
		unsigned isa = isas[k], lim = (isa & PV_SITE_T16) ? 0x100 : 0x10000;

		for (uint32_t imm = 0; imm < lim; imm++) {
			struct pv_patch_site s;
			struct pv_insn in;
			uint32_t trap = udf_of(isa, imm), back;
			int rc = pv_patch_self_decode(trap, isa, &s);

			if (rc) {
				ck_assert_int_eq(rc, PV_ENOTOURS);
				continue;
			}
			ndec[k]++;
			ck_assert_uint_eq(s.patched, trap);
			ck_assert_uint_eq(s.flags, isa);
			ck_assert_int_eq(decode_isa(s.original, isa, &in), 0);
			ck_assert_uint_eq(in.cls, s.cls);
			ck_assert_int_eq(pv_patch_self_encode(s.original, isa, &back), 0);
			ck_assert_uint_eq(back, trap);
			/* The same word read in another instruction set is not ours. */
			for (int j = 0; j < 3; j++)
				if (j != k)
					ck_assert_int_eq(pv_patch_self_decode(trap, isas[j], &s),
							 PV_ENOTOURS);
			if (isa & PV_SITE_T16) {
				ck_assert(imm >= 0xC0 && imm <= 0xD1);
				ck_assert_uint_eq(in.cls, imm < 0xD0 ? PV_IC_CPS :
						  imm == 0xD0 ? PV_IC_WFE : PV_IC_WFI);
				if (imm < 0xD0) {
					ck_assert_uint_eq(in.op, (imm & 8) ? 3 : 2);
					ck_assert_uint_eq(in.imm, (imm & 7) << 6);
				}
				continue;
			}
			ck_assert(imm >= 0x8000);
			if (isa)
				ck_assert_uint_eq(in.cond, 14);
			switch (imm & 0xE000) {
			case PV_SELF_ERET:
				/* A32 only: SUBS PC, LR, #imm8 or MOVS PC, LR. */
				ck_assert_uint_eq(isa, 0);
				ck_assert_uint_eq(in.cls, PV_IC_DP_ERET);
				ck_assert_uint_eq(in.cond, imm >> 9 & 15);
				ck_assert_uint_eq(in.rd, 15);
				if ((imm >> 8 & 1) == PV_SELF_ERET_MOVS) {
					ck_assert_uint_eq(imm & 0xFF, 0);
					ck_assert_uint_eq(in.op, 0xD); /* MOV */
					ck_assert(in.flags & PV_IF_REG);
					ck_assert_uint_eq(in.rm, 14);
				} else {
					ck_assert_uint_eq(in.op, 0x2); /* SUB */
					ck_assert_uint_eq(in.rn, 14);
					ck_assert(!(in.flags & PV_IF_REG));
					ck_assert_uint_eq(in.imm, imm & 0xFF);
				}
				break;
			case PV_SELF_MSR:
				ck_assert_uint_eq(in.cls, PV_IC_MSR);
				ck_assert_uint_eq(in.cond, imm >> 9 & 15);
				ck_assert_uint_eq(!!(in.flags & PV_IF_SPSR), imm >> 8 & 1);
				ck_assert_uint_eq(in.op, imm >> 4 & 15);
				ck_assert(in.flags & PV_IF_REG);
				ck_assert_uint_eq(in.rm, imm & 15);
				break;
			case PV_SELF_MISC:
				ck_assert_uint_eq(in.cond, imm >> 9 & 15);
				if ((imm >> 5 & 15) == PV_SELF_MISC_MRS) {
					ck_assert_uint_eq(in.cls, PV_IC_MRS);
					ck_assert_uint_eq(!!(in.flags & PV_IF_SPSR), imm >> 4 & 1);
					ck_assert_uint_eq(in.rd, imm & 15);
				} else {
					ck_assert_uint_eq(in.cls, (imm >> 5 & 15) == PV_SELF_MISC_WFI ?
							  PV_IC_WFI : PV_IC_WFE);
				}
				break;
			default:
				ck_assert_uint_eq(imm & 0xE000, PV_SELF_CPS);
				ck_assert_uint_eq(in.cls, PV_IC_CPS);
				ck_assert_uint_eq(in.op, imm >> 9 & 3);
				ck_assert_uint_eq(in.imm, (imm >> 5 & 7) << 6);
				if (imm & 0x100)
					ck_assert_uint_eq(in.mode, imm & 31);
			}
		}
	}
	/* Each A32 condition for MRS/MSR/WFI/WFE, so far more A32 forms. */
	ck_assert_uint_gt(ndec[0], ndec[1]);
	ck_assert_uint_gt(ndec[1], 0);
	/* T16: cpsie/cpsid with AIF != 0 (14), wfe, wfi. */
	ck_assert_uint_eq(ndec[2], 16);
}
END_TEST

/*
 * From the original's side: every word of the five families with every
 * operand, and a million pseudo-random words. Exactly the canonical
 * encodings the decoder gives the family's class fit; everything else is
 * left to the table.
 */
START_TEST(self_words_every_original)
{
	static const struct { uint32_t base, vary; unsigned isa; } fam[] = {
		{ 0x010F0000u, 0xF040F000u, 0 },              /* A32 MRS: cond R Rd */
		{ 0x0120F000u, 0xF04F000Fu, 0 },              /* A32 MSR reg */
		{ 0x0320F002u, 0xF0000001u, 0 },              /* A32 WFE/WFI */
		{ 0xF1000000u, 0x000E01DFu, 0 },              /* A32 CPS */
		{ 0x025EF000u, 0xF00000FFu, 0 },              /* A32 SUBS PC, LR, #imm8 */
		{ 0x01B0F00Eu, 0xF0000000u, 0 },              /* A32 MOVS PC, LR */
		{ 0xF3EF8000u, 0x00100F00u, PV_SITE_THUMB },  /* T32 MRS */
		{ 0xF3808000u, 0x001F0F00u, PV_SITE_THUMB },  /* T32 MSR */
		{ 0xF3AF8000u, 0x000007FFu, PV_SITE_THUMB },  /* T32 CPS, hints */
		{ 0xB660u, 0x17u, PV_SITE_THUMB | PV_SITE_T16 }, /* T16 CPS */
	};
	unsigned fits = 0;
	uint32_t x = 12345;

	for (size_t f = 0; f < PV_ARRAY_SIZE(fam); f++) {
		uint32_t v = 0;

		/* Every subset of the varying bits. */
		do {
			uint32_t w = fam[f].base | v, trap;
			struct pv_insn in;
			unsigned isa = fam[f].isa;
			int drc = decode_isa(w, isa, &in);
			bool want = drc == 0 &&
				    (in.cls == PV_IC_CPS || in.cls == PV_IC_MRS ||
				     in.cls == PV_IC_MSR || in.cls == PV_IC_WFI ||
				     in.cls == PV_IC_WFE || in.cls == PV_IC_DP_ERET) &&
				    /* T16 CPS with A:I:F = 000 is UNPREDICTABLE: table. */
				    !((isa & PV_SITE_T16) && !(w & 7));
			int rc = pv_patch_self_encode(w, isa, &trap);

			ck_assert_msg((rc == 0) == want, "0x%08x isa %u: rc %d", w, isa, rc);
			if (rc == 0) {
				struct pv_patch_site s;

				fits++;
				ck_assert_int_eq(pv_patch_self_decode(trap, isa, &s), 0);
				ck_assert_uint_eq(s.original, w);
				ck_assert_uint_eq(s.cls, in.cls);
			} else {
				ck_assert_int_eq(rc, PV_ENOTOURS);
			}
			v = (v - fam[f].vary) & fam[f].vary;
		} while (v);
	}
	ck_assert_uint_gt(fits, 1000);
	/* Anything else never fits (an LCG over all of the 32-bit space). */
	for (int i = 0; i < 1000000; i++) {
		uint32_t trap;
		struct pv_insn in;

		x = x * 1664525u + 1013904223u;
		for (int k = 0; k < 2; k++) {
			if (pv_patch_self_encode(x, isas[k], &trap) != 0)
				continue;
			ck_assert_int_eq(decode_isa(x, isas[k], &in), 0);
			ck_assert(in.cls == PV_IC_CPS || in.cls == PV_IC_MRS ||
				  in.cls == PV_IC_MSR || in.cls == PV_IC_WFI ||
				  in.cls == PV_IC_WFE || in.cls == PV_IC_DP_ERET);
		}
	}
	/* The other sensitive classes and the bad arguments. */
	uint32_t t;

	ck_assert_int_eq(pv_patch_self_encode(0xE321F013u, 0, &t), PV_ENOTOURS); /* msr #imm */
	ck_assert_int_eq(pv_patch_self_encode(0xF96D0513u, 0, &t), PV_ENOTOURS); /* srsdb */
	ck_assert_int_eq(pv_patch_self_encode(0xE8FD9FFFu, 0, &t), PV_ENOTOURS); /* ldm ^ */
	ck_assert_int_eq(pv_patch_self_encode(0xE1B0F00Fu, 0, &t), PV_ENOTOURS); /* movs pc, pc */
	ck_assert_int_eq(pv_patch_self_encode(0xE25EF104u, 0, &t), PV_ENOTOURS); /* subs pc, lr, #1<<30 */
	ck_assert_int_eq(pv_patch_self_encode(0xE24EF004u, 0, &t), PV_ENOTOURS); /* sub pc, lr (no S) */
	ck_assert_int_eq(pv_patch_self_encode(0xE4B10004u, 0, &t), PV_ENOTOURS); /* ldrt */
	ck_assert_int_eq(pv_patch_self_encode(0xE10F0000u, 4, &t), PV_EINVAL);
	ck_assert_int_eq(pv_patch_self_encode(0xE10F0000u, PV_SITE_T16, &t), PV_EINVAL);
	ck_assert_int_eq(pv_patch_self_encode(0xE10F0000u, 0, NULL), PV_EINVAL);
	ck_assert_int_eq(pv_patch_self_decode(0xE7F5A0F5u, 0, NULL), PV_EINVAL);
	/* Class markers and Linux's own UDFs are not self-describing. */
	{
		struct pv_patch_site s;
		static const uint32_t a32[] = { 0xE7F5A0F5u, 0xE7F001F2u, 0xE7F001F0u,
						0xE7F001F8u, 0xE7F001F9u, 0xE7FFDEFEu,
						0xE7FFDEFFu, 0xE7F000F0u };

		for (size_t i = 0; i < PV_ARRAY_SIZE(a32); i++)
			ck_assert_int_eq(pv_patch_self_decode(a32[i], 0, &s), PV_ENOTOURS);
		ck_assert_int_eq(pv_patch_self_decode(0xF7F5AA05u, PV_SITE_THUMB, &s),
				 PV_ENOTOURS);
		ck_assert_int_eq(pv_patch_self_decode(0xF7F0A018u, PV_SITE_THUMB, &s),
				 PV_ENOTOURS);
		for (uint32_t h = 0; h < 0xC0; h++)
			ck_assert_int_eq(pv_patch_self_decode(0xDE00u | h,
				PV_SITE_THUMB | PV_SITE_T16, &s), PV_ENOTOURS);
	}
}
END_TEST

/* pvpatch writes self-describing words where they fit, markers elsewhere. */
START_TEST(pvpatch_writes_self_words)
{
	struct pvp_image img;
	struct pvp_result r, rt;
	struct pvp_err e;
	unsigned nself = 0, nmark = 0;

	build();
	ck_assert_int_eq(load(&img, &e), 0);
	img.table_only = 1;
	ck_assert_int_eq(pvp_analyze(&img, &rt, &e), 0);
	img.table_only = 0;
	ck_assert_int_eq(pvp_analyze(&img, &r, &e), 0);
	ck_assert_uint_eq(r.nsites, rt.nsites);
	for (size_t i = 0; i < r.nsites; i++) {
		const struct pvp_site *s = &r.sites[i], *t = &rt.sites[i];
		unsigned isa = s->flags & PV_SITE_ISA_MASK, cls;
		struct pv_patch_site d;
		uint32_t enc;

		ck_assert_uint_eq(s->va, t->va);
		ck_assert_uint_eq(s->original, t->original);
		/* Table-only output is all class markers. */
		ck_assert(isa == 0 ? pv_patch_is_marker_a32(t->patched, &cls) :
			  (isa & PV_SITE_T16) ? pv_patch_is_marker_t16((uint16_t)t->patched, &cls) :
			  pv_patch_is_marker_t32(t->patched, &cls));
		ck_assert_uint_eq(cls, t->cls);
		if (pv_patch_self_encode(s->original, isa, &enc) == 0) {
			ck_assert_uint_eq(s->patched, enc);
			ck_assert_int_eq(pv_patch_self_decode(s->patched, isa, &d), 0);
			ck_assert_uint_eq(d.original, s->original);
			nself++;
		} else {
			ck_assert_uint_eq(s->patched, t->patched);
			nmark++;
		}
	}
	/* The planted image has both kinds, including conditional A32 ones. */
	ck_assert_uint_ge(nself, 20);
	ck_assert_uint_ge(nmark, 20);
	pvp_result_free(&r);
	pvp_result_free(&rt);
	pvp_image_free(&img);
}
END_TEST

/*
 * pv_patch_resolve(): a matching table entry wins; a self-describing word
 * counts from the guest kernel only and in its own ISA; a user process at
 * the load alias gets no kernel site.
 */
START_TEST(resolve_rules)
{
	uint32_t self_mrs, self_t16, self_other;
	struct pv_patch_site sites[2], scratch;
	struct pv_patch_table t;
	const struct pv_patch_site *s;
	const unsigned T16 = PV_SITE_THUMB | PV_SITE_T16;

	ck_assert_int_eq(pv_patch_self_encode(0xE10F0000u, 0, &self_mrs), 0);   /* mrs r0 */
	ck_assert_int_eq(pv_patch_self_encode(0xE10F1000u, 0, &self_other), 0); /* mrs r1 */
	ck_assert_int_eq(pv_patch_self_encode(0xB672u, T16, &self_t16), 0);      /* cpsid i */
	/* A table entry whose word is self-describing but whose original the
	 * table says is something else cannot be built by pvpatch; the parser
	 * refuses it (below). Here the entries are class markers. */
	sites[0] = (struct pv_patch_site){ 0xC0001000u, 0xE10F0000u,
					   pv_patch_marker_a32(PV_IC_MRS), PV_IC_MRS, 0 };
	sites[1] = (struct pv_patch_site){ 0xC0001004u, 0xB672u,
					   pv_patch_marker_t16(PV_IC_CPS), PV_IC_CPS, T16 };
	t = (struct pv_patch_table){ sites, 2, 0xC0000000u, 0x2000u, 0, false };
	ck_assert_int_eq(pv_patch_table_set_load(&t, pv_gpa(0x60000000u)), 0);

	/* Table entry, from the kernel and at the load alias. */
	s = pv_patch_resolve(&t, pv_gva(0xC0001000u), sites[0].patched, 0, true, &scratch);
	ck_assert_ptr_eq(s, &sites[0]);
	s = pv_patch_resolve(&t, pv_gva(0x60001000u), sites[0].patched, 0, true, &scratch);
	ck_assert_ptr_eq(s, &sites[0]);
	/* From user mode: the exact address only (kuser helpers), no alias. */
	s = pv_patch_resolve(&t, pv_gva(0xC0001000u), sites[0].patched, 0, false, &scratch);
	ck_assert_ptr_eq(s, &sites[0]);
	ck_assert_ptr_null(pv_patch_resolve(&t, pv_gva(0x60001000u), sites[0].patched, 0,
					    false, &scratch));
	/* The table entry in another ISA: not the site. */
	ck_assert_ptr_null(pv_patch_resolve(&t, pv_gva(0xC0001004u), sites[1].patched, 0,
					    true, &scratch));
	ck_assert_ptr_eq(pv_patch_resolve(&t, pv_gva(0xC0001004u), sites[1].patched, T16,
					  true, &scratch), &sites[1]);
	/* Memory no longer holds the entry's word, but a self-describing one:
	 * the word now there counts. */
	s = pv_patch_resolve(&t, pv_gva(0xC0001000u), self_other, 0, true, &scratch);
	ck_assert_ptr_eq(s, &scratch);
	ck_assert_uint_eq(s->original, 0xE10F1000u);
	ck_assert_uint_eq(s->va, 0xC0001000u);
	/* Self-describing words anywhere, no table: kernel only, own ISA only. */
	s = pv_patch_resolve(NULL, pv_gva(0xBF000010u), self_mrs, 0, true, &scratch);
	ck_assert_ptr_eq(s, &scratch);
	ck_assert_uint_eq(s->cls, PV_IC_MRS);
	ck_assert_ptr_null(pv_patch_resolve(NULL, pv_gva(0xBF000010u), self_mrs, 0, false,
					    &scratch));
	ck_assert_ptr_null(pv_patch_resolve(NULL, pv_gva(0xBF000010u), self_mrs, 0, true,
					    NULL));
	ck_assert_ptr_null(pv_patch_resolve(NULL, pv_gva(0xBF000010u), self_t16, 0, true,
					    &scratch));
	ck_assert_ptr_null(pv_patch_resolve(NULL, pv_gva(0xBF000010u), self_mrs,
					    PV_SITE_THUMB, true, &scratch));
	s = pv_patch_resolve(NULL, pv_gva(0xBF000012u), self_t16, T16, true, &scratch);
	ck_assert_ptr_eq(s, &scratch);
	ck_assert_uint_eq(s->original, 0xB672u);
	/* A class marker without an entry is nobody's. */
	ck_assert_ptr_null(pv_patch_resolve(&t, pv_gva(0xBF000010u),
					    pv_patch_marker_a32(PV_IC_MRS), 0, true, &scratch));
}
END_TEST

/* The manifest accepts a self-describing word only for its own original. */
START_TEST(manifest_checks_self_words)
{
	uint8_t *m;
	size_t ml;
	struct pv_patch_table t;
	struct pvp_result r;
	size_t k = SIZE_MAX;

	manifest_of_build(&m, &ml, &r);
	for (size_t i = 0; i < r.nsites && k == SIZE_MAX; i++)
		if (!(r.sites[i].flags & PV_SITE_THUMB) && r.sites[i].cls == PV_IC_MRS)
			k = i;
	ck_assert(k != SIZE_MAX);
	ck_assert(pvp_is_self_word(r.sites[k].patched, 0));
	ck_assert_int_eq(pv_patch_table_parse(m, ml, &t), 0);
	/* Same trap word, another original (mrs r0 -> mrs r1): refused. */
	m[32 + 16 * k + 5] ^= 0x10;
	refresh_crc(m, ml);
	ck_assert_int_eq(pv_patch_table_parse(m, ml, &t), PV_ECORRUPT);
	free(m);
	free(r.sites);
}
END_TEST

static Suite *patch_suite(void)
{
	Suite *s = suite_create("patch");
	TCase *tc = tcase_create("pvpatch");

	tcase_add_test(tc, every_class_both_isas);
	tcase_add_test(tc, data_is_never_patched);
	tcase_add_test(tc, trap_words_are_unconditional_udf);
	tcase_add_test(tc, already_patched_is_refused);
	tcase_add_test(tc, manifest_round_trip_and_corruption);
	tcase_add_test(tc, lookup_at_the_load_address);
	tcase_add_test(tc, load_range_holding_a_site_refused);
	tcase_add_test(tc, output_is_deterministic);
	tcase_add_test(tc, manifest_prints_sites_and_totals);
	tcase_add_test(tc, bad_inputs_are_refused);
	tcase_add_test(tc, zimage_xz_is_unpacked);
	tcase_add_loop_test(tc, zimage_every_format, 0, 6);
	tcase_add_test(tc, zimage_two_payloads_refused);
	tcase_add_test(tc, system_map_empty_local_name);
	tcase_add_test(tc, vectors_and_stubs_get_aliases);
	tcase_add_test(tc, smp_on_up_replacements_are_checked);
	tcase_add_test(tc, self_words_every_immediate);
	tcase_add_test(tc, self_words_every_original);
	tcase_add_test(tc, pvpatch_writes_self_words);
	tcase_add_test(tc, resolve_rules);
	tcase_add_test(tc, manifest_checks_self_words);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(patch_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
