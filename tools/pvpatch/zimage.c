/* SPDX-License-Identifier: MIT */
/*
 * zImage payloads: find the compressed kernel Image inside an ARM zImage
 * and unpack it with the format's own library (zlib, liblzma, liblzo2,
 * liblz4, libzstd), never a shell-out.
 *
 * Layout (Linux arch/arm/boot/compressed): head.S puts 0x016f2818 at 0x24,
 * the image's start and end at 0x28/0x2c and, since 4.x, "EEEE" at 0x34
 * and the offset of a table at 0x38. The table's "KLSZ" entry holds the
 * offset of the piggy's last word: the Image's size, little-endian, which
 * `size_append` adds after the compressed data (gzip's own ISIZE serves for
 * gzip). Where the piggy starts is recorded nowhere a stripped zImage
 * keeps, so every offset where a format's header fits is tried. A
 * candidate is the payload only if its stream ends exactly at the size
 * trailer, unpacks to the size the trailer gives and starts like an ARM
 * kernel: a magic number in the decompressor's own data (its XZ header
 * check, say) or a stray complete stream cannot pass, and two candidates
 * that both pass are an error rather than a guess.
 */
#define _GNU_SOURCE /* memmem */
#include <lz4.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "pvpatch.h"

#define ZIMAGE_MAGIC 0x016F2818u
#define ZIMAGE_TABLE 0x45454545u /* "EEEE" at 0x34: a table pointer follows */
#define KLSZ 0x5A534C4Bu         /* the table entry with the piggy's size word */
#define LZ4_LEGACY_MAGIC 0x184C2102u
#define LZ4_LEGACY_BLOCK (8u << 20) /* lz4 -l: every block but the last unpacks to 8 MiB */
#define LZO_MAX_BLOCK (64u << 20)   /* lzop's own limit */
#define MIN_IMAGE 4096u             /* smaller is not a kernel */
#define PROGRESS_MIN 64u            /* a failure this early is a stray magic */

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint32_t rd32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- output buffer, bounded -------------------------------------------- */

enum ures { U_OK, U_TRUNC, U_CORRUPT, U_BIG, U_NOMEM };

struct zout {
	uint8_t *p;
	size_t len, cap;
	size_t max;   /* never allocate past this */
	size_t first; /* first allocation: all of max when the size is known */
};

/* Room for @need more bytes, or U_BIG if that passes the cap. */
static enum ures zout_grow(struct zout *o, size_t need)
{
	size_t cap = o->cap ? o->cap : o->first;
	uint8_t *n;

	if (need > o->max - o->len)
		return U_BIG;
	if (o->cap - o->len >= need)
		return U_OK;
	while (cap - o->len < need)
		cap = cap > o->max / 2 ? o->max : cap * 2;
	n = realloc(o->p, cap);
	if (!n)
		return U_NOMEM;
	o->p = n;
	o->cap = cap;
	return U_OK;
}

/* At least one free byte (up to the cap): for streaming decoders. */
static enum ures zout_room(struct zout *o)
{
	return o->cap > o->len ? U_OK : zout_grow(o, 1);
}

/* One decoding attempt: a window of the file, the output, what happened. */
struct zrun {
	const uint8_t *in;
	size_t avail;
	bool bounded;  /* the stream must end exactly at in + avail */
	struct zout o;
	size_t used;   /* input consumed: the stream's end, or how far it got */
	size_t reach;  /* if larger: how far the stream is known to be sound */
	char why[128]; /* the library's word on a failure */
};

static enum ures fail(struct zrun *r, enum ures z, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum ures fail(struct zrun *r, enum ures z, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return z;
}

/* ---- decoders ----------------------------------------------------------- */

static enum ures dec_gzip(struct zrun *r)
{
	z_stream s;
	enum ures z = U_OK;
	int ret;

	memset(&s, 0, sizeof(s));
	if (r->avail > UINT32_MAX)
		return fail(r, U_CORRUPT, "window too large");
	if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK) /* gzip wrapper only */
		return U_NOMEM;
	s.next_in = (Bytef *)(uintptr_t)r->in;
	s.avail_in = (uInt)r->avail;
	for (;;) {
		if ((z = zout_room(&r->o)) != U_OK)
			break;
		s.next_out = r->o.p + r->o.len;
		s.avail_out = (uInt)(r->o.cap - r->o.len > UINT32_MAX ? UINT32_MAX :
				     r->o.cap - r->o.len);
		ret = inflate(&s, Z_NO_FLUSH);
		r->o.len = s.total_out;
		if (ret == Z_STREAM_END)
			break;
		if (ret == Z_MEM_ERROR) {
			z = U_NOMEM;
			break;
		}
		if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT || ret == Z_STREAM_ERROR) {
			z = fail(r, U_CORRUPT, "zlib: %s", s.msg ? s.msg : "bad data");
			break;
		}
		if (s.avail_in == 0) { /* Z_OK or Z_BUF_ERROR with nothing left */
			z = U_TRUNC;
			break;
		}
	}
	r->used = s.total_in;
	inflateEnd(&s);
	return z;
}

static const char *lzma_why(lzma_ret ret)
{
	switch (ret) {
	case LZMA_DATA_ERROR: return "bad compressed data or check";
	case LZMA_FORMAT_ERROR: return "bad header";
	case LZMA_OPTIONS_ERROR: return "unsupported options";
	case LZMA_MEMLIMIT_ERROR: return "needs more decoder memory than the cap";
	default: return "liblzma refused it";
	}
}

static enum ures dec_lzma_common(struct zrun *r, bool alone)
{
	lzma_stream s = LZMA_STREAM_INIT;
	enum ures z = U_OK;
	lzma_ret ret;

	/* The dictionary is bounded like the Image: both are memory. */
	ret = alone ? lzma_alone_decoder(&s, PVP_MAX_IMAGE) :
		      lzma_stream_decoder(&s, PVP_MAX_IMAGE, 0);
	if (ret != LZMA_OK)
		return U_NOMEM;
	s.next_in = r->in;
	s.avail_in = r->avail;
	for (;;) {
		if ((z = zout_room(&r->o)) != U_OK)
			break;
		s.next_out = r->o.p + r->o.len;
		s.avail_out = r->o.cap - r->o.len;
		ret = lzma_code(&s, LZMA_FINISH);
		r->o.len = (size_t)s.total_out;
		if (ret == LZMA_STREAM_END)
			break;
		if (ret == LZMA_MEM_ERROR) {
			z = U_NOMEM;
			break;
		}
		/* Input used up before the stream's end: the data was cut. */
		if (ret == LZMA_BUF_ERROR || (ret == LZMA_OK && s.avail_in == 0)) {
			z = U_TRUNC;
			break;
		}
		if (ret != LZMA_OK) {
			z = fail(r, U_CORRUPT, "liblzma: %s", lzma_why(ret));
			break;
		}
	}
	r->used = (size_t)s.total_in;
	lzma_end(&s);
	return z;
}

static enum ures dec_xz(struct zrun *r) { return dec_lzma_common(r, false); }
static enum ures dec_lzma(struct zrun *r) { return dec_lzma_common(r, true); }

/* lzop's container (what the kernel's unlzo reads), flags we honour. */
enum {
	LZOP_ADLER32_D = 0x1, LZOP_ADLER32_C = 0x2, LZOP_EXTRA = 0x40,
	LZOP_CRC32_D = 0x100, LZOP_CRC32_C = 0x200, LZOP_FILTER = 0x800,
	LZOP_HCRC32 = 0x1000,
};

/* The checksums lzop may store, in its order: Adler-32 before CRC-32. */
static bool lzo_sums_ok(const uint8_t *sums, uint32_t flags, uint32_t adler_f,
			uint32_t crc_f, const uint8_t *buf, size_t len)
{
	if (flags & adler_f) {
		if (rd32be(sums) != lzo_adler32(1, buf, len))
			return false;
		sums += 4;
	}
	return !(flags & crc_f) || rd32be(sums) == lzo_crc32(0, buf, len);
}

static enum ures dec_lzo(struct zrun *r)
{
	const uint8_t *in = r->in;
	size_t n = r->avail, p = 9, hstart;
	uint32_t ver, flags, method, blk = 0;

#define NEED(k) do { if (p > n || n - p < (size_t)(k)) { r->used = p; return U_TRUNC; } } while (0)
	if (lzo_init() != LZO_E_OK)
		return fail(r, U_CORRUPT, "liblzo2 failed to initialise");
	hstart = p;
	NEED(2 + 2);
	ver = (uint32_t)in[p] << 8 | in[p + 1];
	p += 4; /* version, library version */
	if (ver >= 0x0940) {
		NEED(2);
		p += 2; /* version needed to extract */
	}
	NEED(1);
	method = in[p++];
	if (ver >= 0x0940) {
		NEED(1);
		p++; /* level */
	}
	NEED(4);
	flags = rd32be(in + p);
	p += 4;
	if (method < 1 || method > 3) {
		r->used = p;
		return fail(r, U_CORRUPT, "lzop method %u is not LZO1X", method);
	}
	if (flags & LZOP_FILTER) {
		r->used = p;
		return fail(r, U_CORRUPT, "lzop filters are not supported (nor by Linux)");
	}
	NEED(4 + 4 + (ver >= 0x0940 ? 4 : 0) + 1); /* mode, mtime (2 words), name */
	p += 8 + (ver >= 0x0940 ? 4 : 0);
	p += 1u + in[p];
	NEED(4);
	if (rd32be(in + p) != ((flags & LZOP_HCRC32) ? lzo_crc32(0, in + hstart, p - hstart) :
			       lzo_adler32(1, in + hstart, p - hstart))) {
		r->used = p;
		return fail(r, U_CORRUPT, "lzop header checksum mismatch");
	}
	p += 4;
	if (flags & LZOP_EXTRA) {
		NEED(4);
		p += 4;
		NEED(rd32be(in + p - 4));
		p += rd32be(in + p - 4);
		NEED(4);
		p += 4;
	}
	for (;; blk++) {
		uint32_t dlen, clen, dsums, csums;
		lzo_uint got;
		const uint8_t *sums;
		enum ures z;

		r->used = p;
		NEED(4);
		dlen = rd32be(in + p);
		p += 4;
		if (dlen == 0)
			break; /* end of stream */
		NEED(4);
		clen = rd32be(in + p);
		p += 4;
		if (dlen > LZO_MAX_BLOCK || clen == 0 || clen > dlen)
			return fail(r, U_CORRUPT, "lzop block %u: sizes %u/%u are impossible",
				    blk, clen, dlen);
		dsums = 4u * (!!(flags & LZOP_ADLER32_D) + !!(flags & LZOP_CRC32_D));
		csums = clen < dlen ? 4u * (!!(flags & LZOP_ADLER32_C) + !!(flags & LZOP_CRC32_C)) : 0;
		NEED((size_t)dsums + csums + clen);
		sums = in + p;
		p += dsums + csums;
		if (csums && !lzo_sums_ok(sums + dsums, flags, LZOP_ADLER32_C, LZOP_CRC32_C,
					  in + p, clen))
			return fail(r, U_CORRUPT, "lzop block %u: compressed-data checksum "
				    "mismatch", blk);
		if ((z = zout_grow(&r->o, dlen)) != U_OK)
			return z;
		got = dlen;
		if (clen == dlen)
			memcpy(r->o.p + r->o.len, in + p, dlen); /* stored block */
		else if (lzo1x_decompress_safe(in + p, clen, r->o.p + r->o.len, &got, NULL) !=
			 LZO_E_OK || got != dlen)
			return fail(r, U_CORRUPT, "lzop block %u: liblzo2 rejected its data", blk);
		if (!lzo_sums_ok(sums, flags, LZOP_ADLER32_D, LZOP_CRC32_D,
				 r->o.p + r->o.len, dlen))
			return fail(r, U_CORRUPT, "lzop block %u: checksum mismatch", blk);
		r->o.len += dlen;
		p += clen;
	}
#undef NEED
	r->used = p;
	return U_OK;
}

/*
 * LZ4's legacy frame (lz4 -l, what Linux builds): the magic, then blocks,
 * each a little-endian compressed size and data unpacking to at most
 * 8 MiB. There is no end marker: with the size trailer's place known the
 * stream ends there; else after the first short block, or where the next
 * word is the trailer (an Image of exactly N x 8 MiB).
 */
static enum ures dec_lz4(struct zrun *r)
{
	const size_t bound = (size_t)LZ4_compressBound((int)LZ4_LEGACY_BLOCK);
	size_t p = 4;
	uint32_t blk = 0;

	for (;;) {
		size_t room;
		uint32_t n;
		int got;

		r->used = p;
		if (r->bounded ? p == r->avail : blk && r->o.len % LZ4_LEGACY_BLOCK)
			break;
		if (r->avail - p < 4)
			return r->bounded || !blk ? U_TRUNC : U_OK; /* at the trailer or cut */
		n = rd32(r->in + p);
		if (n == LZ4_LEGACY_MAGIC) { /* concatenated frames: Linux skips it too */
			p += 4;
			continue;
		}
		if (!r->bounded && blk && n == r->o.len)
			break; /* the size trailer */
		if (n == 0 || n > bound)
			return fail(r, U_CORRUPT, "LZ4 block %u: compressed size %u is "
				    "impossible", blk, n);
		if (n > r->avail - p - 4)
			return U_TRUNC;
		room = r->o.max - r->o.len < LZ4_LEGACY_BLOCK ? r->o.max - r->o.len :
			LZ4_LEGACY_BLOCK;
		if (room == 0)
			return U_BIG;
		if (zout_grow(&r->o, room) != U_OK)
			return U_NOMEM;
		got = LZ4_decompress_safe((const char *)r->in + p + 4,
					  (char *)r->o.p + r->o.len, (int)n, (int)room);
		if (got < 0)
			return fail(r, U_CORRUPT, "LZ4 block %u: liblz4 rejected its data%s",
				    blk, room < LZ4_LEGACY_BLOCK ?
				    " (or it unpacks past the size trailer's count)" : "");
		r->o.len += (size_t)got;
		p += 4 + n;
		blk++;
	}
	return blk ? U_OK : fail(r, U_CORRUPT, "LZ4 frame without blocks");
}

static enum ures dec_zstd(struct zrun *r)
{
	size_t fs = ZSTD_findFrameCompressedSize(r->in, r->avail), ret;
	ZSTD_inBuffer in;
	ZSTD_DCtx *d;
	enum ures z = U_OK;

	if (ZSTD_isError(fs)) {
		if (ZSTD_getErrorCode(fs) == ZSTD_error_srcSize_wrong) {
			r->used = r->avail;
			return U_TRUNC;
		}
		fs = r->avail; /* damaged: let the decoder say where */
	} else {
		/* Frame structure intact to its end: a one-shot decode that
		 * fails (its checksum) reports no position, yet got that far. */
		r->reach = fs;
	}
	d = ZSTD_createDCtx();
	if (!d)
		return U_NOMEM;
	/* 2^27 is libzstd's default window cap (zstd -22 --ultra fits it). */
	ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, 27);
	in.src = r->in;
	in.size = fs;
	in.pos = 0;
	for (;;) {
		ZSTD_outBuffer out;

		if ((z = zout_room(&r->o)) != U_OK)
			break;
		out.dst = r->o.p + r->o.len;
		out.size = r->o.cap - r->o.len;
		out.pos = 0;
		ret = ZSTD_decompressStream(d, &out, &in);
		r->o.len += out.pos;
		if (ZSTD_isError(ret)) {
			z = fail(r, U_CORRUPT, "libzstd: %s", ZSTD_getErrorName(ret));
			break;
		}
		if (ret == 0)
			break; /* frame complete and flushed */
		if (in.pos == in.size && out.pos < out.size) {
			z = U_TRUNC;
			break;
		}
	}
	r->used = in.pos;
	ZSTD_freeDCtx(d);
	return z;
}

/* ---- the formats ---------------------------------------------------------- */

/*
 * .lzma (lzma_alone) has no magic: properties (lc/lp/pb < 225), a
 * dictionary size xz-utils writes (2^n or 2^n + 2^(n-1), 4 KiB..1.5 GiB)
 * and an uncompressed size that is unknown or fits the cap.
 */
static bool lzma_head_ok(const uint8_t *p, size_t n)
{
	uint32_t dict, lo;
	uint64_t size;

	if (n < 13 || p[0] >= 225)
		return false;
	dict = rd32(p + 1);
	lo = dict & (0u - dict);
	if (dict < 4096 || dict > (3u << 29) || (dict != lo && dict != lo * 3))
		return false;
	size = rd32(p + 5) | (uint64_t)rd32(p + 9) << 32;
	return size == UINT64_MAX || (size >= MIN_IMAGE && size <= PVP_MAX_IMAGE);
}

static bool gzip_head_ok(const uint8_t *p, size_t n)
{
	return n >= 10 && !(p[3] & 0xE0); /* reserved flag bits clear */
}

struct zfmt {
	const char *name;
	uint8_t magic[9];
	uint8_t mlen;                                /* 0: try every offset */
	bool (*head_ok)(const uint8_t *p, size_t n); /* beyond the magic, or NULL */
	bool size_in_stream; /* gzip: its ISIZE is the size trailer */
	enum ures (*decode)(struct zrun *r);
};

/* Linux's compressors for ARM (arch/arm/Kconfig: HAVE_KERNEL_*), and zstd. */
static const struct zfmt formats[] = {
	{ "gzip", { 0x1F, 0x8B, 0x08 }, 3, gzip_head_ok, true, dec_gzip },
	{ "XZ", { 0xFD, '7', 'z', 'X', 'Z', 0 }, 6, NULL, false, dec_xz },
	{ "LZMA", { 0 }, 0, lzma_head_ok, false, dec_lzma },
	{ "LZO", { 0x89, 'L', 'Z', 'O', 0, 0x0D, 0x0A, 0x1A, 0x0A }, 9, NULL, false, dec_lzo },
	{ "LZ4", { 0x02, 0x21, 0x4C, 0x18 }, 4, NULL, false, dec_lz4 },
	{ "zstd", { 0x28, 0xB5, 0x2F, 0xFD }, 4, NULL, false, dec_zstd },
};

#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

/* ---- the search ----------------------------------------------------------- */

/* The best account of one candidate, kept for the final message. */
struct verdict {
	const struct zfmt *f;
	size_t at, progress;
	char msg[320];
};

struct search {
	const uint8_t *z;
	size_t len;
	bool table;          /* the trailer's place is known */
	size_t trailer;      /* its offset, when known */
	uint32_t expect;     /* its value, when known and plausible */
	bool expect_ok;
	struct verdict ok;   /* the payload found */
	uint8_t *data;
	size_t size;
	int nok;
	char twice[320];     /* why two payloads are an error */
	struct verdict bad;  /* the failure that got furthest */
};

static void note_failure(struct search *s, const struct zfmt *f, size_t at,
			 size_t progress, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void note_failure(struct search *s, const struct zfmt *f, size_t at,
			 size_t progress, const char *fmt, ...)
{
	va_list ap;

	if (s->bad.f && progress <= s->bad.progress)
		return;
	s->bad.f = f;
	s->bad.at = at;
	s->bad.progress = progress;
	va_start(ap, fmt);
	vsnprintf(s->bad.msg, sizeof(s->bad.msg), fmt, ap);
	va_end(ap);
}

/* The decompressed kernel starts in ARM state (head.S), even a Thumb-2 one. */
static bool looks_like_image(const uint8_t *d, size_t n)
{
	return n >= MIN_IMAGE && rd32(d) >> 28 >= 0xE;
}

static int try_candidate(struct search *s, const struct zfmt *f, size_t at)
{
	struct zrun r;
	size_t end, tr;
	enum ures z;

	memset(&r, 0, sizeof(r));
	r.in = s->z + at;
	r.bounded = s->table;
	r.avail = s->table ? s->trailer + (f->size_in_stream ? 4 : 0) - at : s->len - at;
	/* +1: a stream making exactly the trailer's count still finds room
	 * to finish; one making more runs into the cap. */
	r.o.max = s->expect_ok ? (size_t)s->expect + 1 : PVP_MAX_IMAGE;
	r.o.first = s->expect_ok ? r.o.max : (16u << 20);
	z = f->decode(&r);
	end = at + r.used;
	if (r.reach < r.used)
		r.reach = r.used;
	if (z == U_TRUNC) /* it wanted more than the window had: all of it fit */
		r.reach = r.avail;
	tr = end - (f->size_in_stream ? 4 : 0);
	if (getenv("PVPATCH_DEBUG"))
		fprintf(stderr, "zImage: %s candidate at 0x%zx: result %d, input to 0x%zx, "
			"%zu bytes out%s%s\n", f->name, at, (int)z, end, r.o.len,
			r.why[0] ? ", " : "", r.why);
	switch (z) {
	case U_NOMEM:
		free(r.o.p);
		return PV_ENOMEM;
	case U_TRUNC:
		note_failure(s, f, at, r.reach, "zImage: the %s payload at 0x%zx is truncated: "
			     "its data ends at 0x%zx before the stream does (the file "
			     "was cut short; copy the kernel again)", f->name, at,
			     at + r.avail);
		break;
	case U_CORRUPT:
		if (end == at) /* the library gave no position (zstd in one pass) */
			note_failure(s, f, at, r.reach, "zImage: %s payload corrupt (%s; the "
				     "stream starts at 0x%zx): the file is damaged, copy "
				     "the kernel again", f->name, r.why, at);
		else
			note_failure(s, f, at, r.reach, "zImage: %s payload corrupt at 0x%zx "
				     "(%s; the stream starts at 0x%zx): the file is "
				     "damaged, copy the kernel again", f->name, end, r.why, at);
		break;
	case U_BIG:
		note_failure(s, f, at, r.reach, "zImage: the %s payload at 0x%zx unpacks to "
			     "more than %s (stopped at 0x%zx): the payload or its size "
			     "trailer is damaged", f->name, at, s->expect_ok ?
			     "its size trailer says" : "the 256 MiB cap", end);
		break;
	case U_OK:
		if (s->table ? end != at + r.avail : tr + 4 > s->len) {
			note_failure(s, f, at, r.reach, "zImage: the %s stream at 0x%zx ends "
				     "at 0x%zx, not at the size trailer (0x%zx): the "
				     "payload is damaged or not the kernel", f->name, at,
				     end, s->table ? s->trailer : s->len - 4);
		} else if (rd32(s->z + tr) != (uint32_t)r.o.len) {
			note_failure(s, f, at, r.reach, "zImage: the %s payload at 0x%zx "
				     "unpacks to %zu bytes but its size trailer says %u: "
				     "the payload or the trailer is damaged", f->name, at,
				     r.o.len, rd32(s->z + tr));
		} else if (!looks_like_image(r.o.p, r.o.len)) {
			note_failure(s, f, at, r.reach, "zImage: the %s payload at 0x%zx "
				     "unpacks to %zu bytes that do not start like an ARM "
				     "kernel (first word 0x%08x)", f->name, at, r.o.len,
				     r.o.len >= 4 ? rd32(r.o.p) : 0);
		} else if (s->nok++ == 0) {
			s->ok.f = f;
			s->ok.at = at;
			s->data = r.o.p;
			s->size = r.o.len;
			return 0;
		} else {
			snprintf(s->twice, sizeof(s->twice), "zImage: two payloads "
				 "unpack to a kernel Image (%s at 0x%zx, %s at 0x%zx), and "
				 "the header has no size-trailer table to choose: rebuild "
				 "the zImage or unpack the right one and give the Image",
				 s->ok.f->name, s->ok.at, f->name, at);
		}
		break;
	}
	free(r.o.p);
	return 0;
}

int pvp_zimage_unpack(const uint8_t *z, size_t len, uint8_t **out, size_t *outlen,
		      const char **format, size_t *offset, struct pvp_err *e)
{
	struct search s;
	size_t lim;
	int rc = 0;

	memset(&s, 0, sizeof(s));
	s.z = z;
	s.len = len;
	if (len < 0x40 || rd32(z + 0x24) != ZIMAGE_MAGIC)
		return pvp_errf(e, PV_EINVAL, "not an ARM zImage (no magic at 0x24)");
	if (rd32(z + 0x2C) <= rd32(z + 0x28) || rd32(z + 0x2C) - rd32(z + 0x28) > len)
		return pvp_errf(e, PV_ECORRUPT,
				"zImage header says %u bytes but the file has %zu: truncated",
				rd32(z + 0x2C) - rd32(z + 0x28), len);
	/* The KLSZ entry: [count][KLSZ][offset of the size word][BSS size]. */
	if (rd32(z + 0x34) == ZIMAGE_TABLE) {
		uint32_t t = rd32(z + 0x38);

		if (t & 3 || t > len - 16 || rd32(z + t + 4) != KLSZ)
			return pvp_errf(e, PV_ECORRUPT, "zImage: the header's table at "
					"0x%x is not a KLSZ table: the header is damaged", t);
		s.table = true;
		s.trailer = rd32(z + t + 8);
		if (s.trailer < 0x40 || s.trailer > len - 4)
			return pvp_errf(e, PV_ECORRUPT, "zImage: the size trailer's offset "
					"0x%zx lies outside the %zu-byte file: truncated or "
					"damaged", s.trailer, len);
		s.expect = rd32(z + s.trailer);
		/* Else the stream is damaged (gzip's ISIZE is its last word) or
		 * the trailer is: the candidates will tell which. */
		s.expect_ok = s.expect >= MIN_IMAGE && s.expect <= PVP_MAX_IMAGE;
	}
	/* Every candidate starts after the header and before the trailer. */
	lim = s.table ? s.trailer : len;
	for (size_t i = 0; i < NFORMATS && !rc; i++) {
		const struct zfmt *f = &formats[i];

		for (size_t at = 0x30; at < lim && !rc; at++) {
			if (f->mlen) {
				const uint8_t *h = memmem(z + at, lim - at, f->magic, f->mlen);

				if (!h)
					break;
				at = (size_t)(h - z);
			}
			if (f->head_ok && !f->head_ok(z + at, len - at))
				continue;
			rc = try_candidate(&s, f, at);
		}
	}
	if (rc || s.nok != 1) {
		free(s.data);
		if (rc)
			return pvp_errf(e, rc, "out of memory unpacking the zImage");
		if (s.nok > 1)
			return pvp_errf(e, PV_ECORRUPT, "%s", s.twice);
		if (s.bad.f && s.bad.progress >= PROGRESS_MIN)
			return pvp_errf(e, PV_ECORRUPT, "%s", s.bad.msg);
		if (s.table && !s.expect_ok)
			return pvp_errf(e, PV_ECORRUPT, "zImage: the size trailer at 0x%zx "
					"says %u bytes, not a kernel Image (%u..%u): the "
					"file is damaged", s.trailer, s.expect, MIN_IMAGE,
					PVP_MAX_IMAGE);
		return pvp_errf(e, PV_EINVAL, "zImage: no gzip, XZ, LZMA, LZO, LZ4 or zstd "
				"payload %s%s%s: another compressor, or not a Linux zImage",
				s.table ? "ends at the size trailer" : "found",
				s.bad.f ? "; nearest: " : "", s.bad.f ? s.bad.msg : "");
	}
	*out = s.data;
	*outlen = s.size;
	if (format)
		*format = s.ok.f->name;
	if (offset)
		*offset = s.ok.at;
	return 0;
}
