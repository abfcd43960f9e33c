/* SPDX-License-Identifier: MIT */
/*
 * /chosen's bootargs in a flattened device tree (fdt_chosen.h). Facts of
 * the format (the devicetree specification, chapter 5): a 40-byte
 * big-endian header, a memory reservation map of 16-byte entries ended by
 * a zero one, a structure block of 4-byte-aligned tokens, a strings block
 * of NUL-terminated property names.
 */
#include <stdbool.h>
#include <stdint.h>

#include <pvcore/error.h>
#include "fdt_chosen.h"

#define FDT_MAGIC 0xd00dfeedu
#define HDR_SIZE 40u

enum { TOK_BEGIN = 1, TOK_END = 2, TOK_PROP = 3, TOK_NOP = 4, TOK_FEND = 9 };

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void copy(uint8_t *d, const uint8_t *s, size_t n)
{
	while (n--)
		*d++ = *s++;
}

static uint64_t align4(uint64_t v)
{
	return (v + 3) & ~(uint64_t)3;
}

/* Length of the NUL-terminated string at @p, within @n bytes; -1 if none. */
static int64_t strnlen_in(const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (!p[i])
			return (int64_t)i;
	return -1;
}

static bool same(const uint8_t *p, const char *s, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (!s[i] || p[i] != (uint8_t)s[i])
			return false;
	return !s[n];
}

/* What the walk of the structure block found. */
struct walk {
	uint64_t used;           /* bytes up to and with FDT_END */
	uint64_t insert;         /* where bootargs goes: after /chosen's name */
	uint64_t old_start, old_end; /* /chosen's bootargs, if it has one */
	bool chosen, has_old;
};

static int walk_struct(const uint8_t *st, uint64_t len, const uint8_t *str,
		       uint64_t str_len, struct walk *w)
{
	uint64_t pos = 0;
	unsigned depth = 0;
	bool in_chosen = false, seen_root = false;

	for (;;) {
		uint32_t tok;
		int64_t n;

		if (pos + 4 > len)
			return PV_ECORRUPT;
		tok = rd32(st + pos);
		switch (tok) {
		case TOK_BEGIN:
			n = strnlen_in(st + pos + 4, len - pos - 4);
			if (n < 0 || (depth == 0 && seen_root))
				return PV_ECORRUPT;
			seen_root = true;
			depth++;
			if (depth == 2 && !w->chosen && same(st + pos + 4, "chosen", (uint64_t)n)) {
				w->chosen = in_chosen = true;
				w->insert = align4(pos + 4 + (uint64_t)n + 1);
			}
			pos = align4(pos + 4 + (uint64_t)n + 1);
			break;
		case TOK_END:
			if (!depth)
				return PV_ECORRUPT;
			if (depth == 2)
				in_chosen = false;
			depth--;
			pos += 4;
			break;
		case TOK_PROP: {
			uint32_t vlen, nameoff;

			if (!depth || pos + 12 > len)
				return PV_ECORRUPT;
			vlen = rd32(st + pos + 4);
			nameoff = rd32(st + pos + 8);
			if (nameoff >= str_len || (uint64_t)vlen > len - pos - 12)
				return PV_ECORRUPT;
			n = strnlen_in(str + nameoff, str_len - nameoff);
			if (n < 0)
				return PV_ECORRUPT;
			if (in_chosen && depth == 2 && !w->has_old &&
			    same(str + nameoff, "bootargs", (uint64_t)n)) {
				w->has_old = true;
				w->old_start = pos;
				w->old_end = align4(pos + 12 + vlen);
			}
			pos = align4(pos + 12 + vlen);
			break;
		}
		case TOK_NOP:
			pos += 4;
			break;
		case TOK_FEND:
			if (depth || !seen_root)
				return PV_ECORRUPT;
			w->used = pos + 4;
			return w->chosen ? 0 : PV_ECORRUPT;
		default:
			return PV_ECORRUPT;
		}
		if (pos > len)
			return PV_ECORRUPT;
	}
}

size_t pv_genode_fdt_size(const void *dtb, size_t size)
{
	const uint8_t *d = dtb;

	return d && size >= 8 && rd32(d) == FDT_MAGIC ? rd32(d + 4) : 0;
}

int pv_genode_fdt_bootargs(const void *dtb, size_t size, const char *args,
			   void *out, size_t cap, size_t *out_size)
{
	const uint8_t *d = dtb;
	uint8_t *o = out;
	uint64_t total, off_st, off_str, off_rsv, len_st, len_str, rsv_len;
	uint64_t alen = 0, prop_len, new_st, new_str, new_total, name_at;
	struct walk w = { 0 };
	int err;

	if (!dtb || !args || !out || !out_size)
		return PV_EINVAL;
	while (args[alen]) {
		if (alen == PV_GENODE_BOOTARGS_MAX - 1 ||
		    (uint8_t)args[alen] < 0x20 || (uint8_t)args[alen] > 0x7e)
			return PV_EINVAL;
		alen++;
	}

	/* the header */
	if (size < HDR_SIZE || rd32(d) != FDT_MAGIC)
		return PV_ECORRUPT;
	total = rd32(d + 4);
	off_st = rd32(d + 8);
	off_str = rd32(d + 12);
	off_rsv = rd32(d + 16);
	len_str = rd32(d + 32);
	len_st = rd32(d + 36);
	if (total > size || total < HDR_SIZE || rd32(d + 20) < 17 ||
	    rd32(d + 24) > 17 || (off_st & 3) || (off_rsv & 7) ||
	    off_st < HDR_SIZE || off_str < HDR_SIZE || off_rsv < HDR_SIZE ||
	    off_st + len_st > total || off_str + len_str > total)
		return PV_ECORRUPT;

	/* the reservation map, up to and with its zero entry */
	for (rsv_len = 0;; rsv_len += 16) {
		const uint8_t *e = d + off_rsv + rsv_len;
		uint32_t any = 0;

		if (off_rsv + rsv_len + 16 > total)
			return PV_ECORRUPT;
		for (unsigned i = 0; i < 16; i++)
			any |= e[i];
		if (!any) {
			rsv_len += 16;
			break;
		}
	}

	err = walk_struct(d + off_st, len_st, d + off_str, len_str, &w);
	if (err)
		return err;

	/* the property's name: an existing "bootargs", or one appended */
	name_at = len_str;
	for (uint64_t i = 0; i + 9 <= len_str; i++)
		if (same(d + off_str + i, "bootargs", 8) && !d[off_str + i + 8]) {
			name_at = i;
			break;
		}
	new_str = len_str + (name_at == len_str ? 9 : 0);
	prop_len = 12 + align4(alen + 1);
	new_st = w.used + prop_len - (w.has_old ? w.old_end - w.old_start : 0);
	new_total = HDR_SIZE + rsv_len + new_st + new_str;
	if (new_total > cap || new_total > 0xffffffffu)
		return PV_ENOMEM;

	/* checked: now the copy, which cannot fail */
	{
		uint64_t at = HDR_SIZE + rsv_len, cut = w.has_old ? w.old_start : w.insert;
		uint64_t resume = w.has_old ? w.old_end : w.insert;
		uint8_t *p;

		copy(o, d, HDR_SIZE);
		wr32(o + 4, (uint32_t)new_total);
		wr32(o + 8, (uint32_t)at);
		wr32(o + 12, (uint32_t)(at + new_st));
		wr32(o + 16, HDR_SIZE);
		wr32(o + 20, 17);
		wr32(o + 24, 16);
		wr32(o + 32, (uint32_t)new_str);
		wr32(o + 36, (uint32_t)new_st);
		copy(o + HDR_SIZE, d + off_rsv, rsv_len);
		copy(o + at, d + off_st, cut);
		p = o + at + cut;
		wr32(p, TOK_PROP);
		wr32(p + 4, (uint32_t)(alen + 1));
		wr32(p + 8, (uint32_t)name_at);
		for (uint64_t i = 0; i < align4(alen + 1); i++)
			p[12 + i] = i < alen ? (uint8_t)args[i] : 0;
		copy(p + prop_len, d + off_st + resume, w.used - resume);
		copy(o + at + new_st, d + off_str, len_str);
		if (name_at == len_str)
			copy(o + at + new_st + len_str, (const uint8_t *)"bootargs", 9);
	}
	*out_size = (size_t)new_total;
	return 0;
}
