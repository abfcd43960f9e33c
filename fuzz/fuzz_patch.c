/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the pvpatch site table: the manifest a VMM reads
 * from its payload (pv_patch_table_parse()), the Image load alias
 * (pv_patch_table_set_load()) and the lookup the trap path makes on every
 * patched trap and every SVC (pv_patch_lookup()).
 *
 * Input: [flags:1][load:4][n:1][pc:4 x n][manifest...]. Bit 0 of flags
 * recomputes the manifest's CRC before parsing, so that mutations reach
 * the structural checks behind the checksum; bit 1 misaligns the blob.
 * Invariants:
 * - no crash, no sanitizer report, no read outside the blob;
 * - a refused manifest leaves the output table untouched; an accepted
 *   one has its sites strictly ascending, inside the blob, and every
 *   site's trap word is a marker of its own class;
 * - pv_patch_table_set_load() either succeeds with a load range that
 *   neither wraps nor overlaps the link range, or leaves the table as it
 *   was;
 * - a lookup returns NULL or a site of the table whose va is the PC, or
 *   (load alias) the PC's link address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvcore/decode.h>
#include <pvcore/error.h>
#include <pvcore/patch.h>

#include "fuzz_input.h"

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_patch: invariant broken: %s\n", what);
	abort();
}

static void fix_crc(uint8_t *m, size_t len)
{
	uint32_t c;

	if (len < sizeof(struct pv_patch_manifest_hdr))
		return;
	memset(m + offsetof(struct pv_patch_manifest_hdr, checksum), 0, 4);
	c = pv_patch_crc32(0, m, len);
	memcpy(m + offsetof(struct pv_patch_manifest_hdr, checksum), &c, 4);
}

static bool site_is_marker(const struct pv_patch_site *s)
{
	unsigned cls = ~0u;
	struct pv_patch_site self;

	/* A self-describing word must stand for exactly the entry's original. */
	if (pv_patch_self_decode(s->patched, s->flags & PV_SITE_ISA_MASK, &self) == 0)
		return self.original == s->original && self.cls == s->cls;

	if (!(s->flags & PV_SITE_THUMB))
		return pv_patch_is_marker_a32(s->patched, &cls) && cls == s->cls;
	if (s->flags & PV_SITE_T16)
		return pv_patch_is_marker_t16((uint16_t)s->patched, &cls) &&
		       cls == s->cls;
	return pv_patch_is_marker_t32(s->patched, &cls) && cls == s->cls;
}

static void check_lookup(const struct pv_patch_table *t, uint32_t pc)
{
	const struct pv_patch_site *s = pv_patch_lookup(t, pv_gva(pc));
	uint32_t link = pc - t->load_base + t->image_base;

	if (!s)
		return;
	if (s < t->sites || s >= t->sites + t->count)
		fail("lookup returned a pointer outside the table");
	if (s->va != pc &&
	    !(t->load_alias && pc - t->load_base < t->image_size &&
	      s->va == link))
		fail("lookup returned a site for another address");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct pv_patch_table t, before;
	uint32_t flags, load, n, pcs[256];
	uint8_t *buf;
	size_t len;
	int err;

	flags = fuzz_take(&in, 1);
	load = fuzz_take(&in, 4);
	n = fuzz_take(&in, 1);
	for (uint32_t i = 0; i < n; i++)
		pcs[i] = fuzz_take(&in, 4);
	len = in.n;
	/* One spare byte in front, for the misaligned case. */
	buf = malloc(len + 4);
	if (!buf)
		return 0;
	memcpy(buf + 4, in.p, len);
	if (flags & 1)
		fix_crc(buf + 4, len);

	memset(&t, 0xa5, sizeof(t));
	before = t;
	err = pv_patch_table_parse((flags & 2) ? buf + 3 : buf + 4, len, &t);
	if (err) {
		if (err != PV_ECORRUPT && err != PV_EINVAL)
			fail("unexpected error code from parse");
		if (memcmp(&t, &before, sizeof(t)))
			fail("a refused manifest changed the table");
		free(buf);
		return 0;
	}
	if ((flags & 2))
		fail("a misaligned manifest was accepted");
	for (uint32_t i = 0; i < t.count; i++) {
		const uint8_t *e = (const uint8_t *)&t.sites[i];

		if (e < buf + 4 || e + sizeof(t.sites[i]) > buf + 4 + len)
			fail("a site lies outside the blob");
		if (i && t.sites[i].va <= t.sites[i - 1].va)
			fail("sites not strictly ascending");
		if (t.sites[i].cls >= PV_IC_COUNT || !site_is_marker(&t.sites[i]))
			fail("a site's trap word does not carry its class");
	}
	for (uint32_t i = 0; i < n; i++)
		check_lookup(&t, pcs[i]);
	if (t.count)
		check_lookup(&t, t.sites[t.count - 1].va);

	before = t;
	err = pv_patch_table_set_load(&t, pv_gpa(load));
	if (err) {
		if (err != PV_ERANGE && err != PV_EINVAL)
			fail("unexpected error code from set_load");
		if (memcmp(&t, &before, sizeof(t)))
			fail("a refused load address changed the table");
	} else {
		uint64_t lo = load, hi = lo + t.image_size;

		if (hi > 0x100000000ull ||
		    (lo < (uint64_t)t.image_base + t.image_size &&
		     t.image_base < hi))
			fail("accepted a wrapping or overlapping load range");
		for (uint32_t i = 0; i < n; i++)
			check_lookup(&t, pcs[i]);
		for (uint32_t i = 0; i < t.count && i < 64; i++)
			if (t.sites[i].va - t.image_base < t.image_size &&
			    pv_patch_lookup(&t, pv_gva(load + t.sites[i].va -
						       t.image_base)) != &t.sites[i])
				fail("a site is not found at its load address");
	}
	free(buf);
	return 0;
}
