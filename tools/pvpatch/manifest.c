/* SPDX-License-Identifier: MIT */
/* The on-disk site table (format in include/pvcore/patch.h), its printer,
 * and atomic output files. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pvpatch.h"

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

int pvp_manifest_build(const struct pvp_image *img, const struct pvp_result *r,
		       uint8_t **out, size_t *outlen)
{
	size_t n = r->nsites, strsz = 0, len, pos;
	const size_t hs = sizeof(struct pv_patch_manifest_hdr);
	uint32_t *nameoff;
	uint8_t *b;

	nameoff = calloc(n ? n : 1, sizeof(*nameoff));
	if (!nameoff)
		return PV_ENOMEM;
	/* Names are stored once per run of equal names (sites are sorted,
	 * so sites of one function are adjacent). */
	for (size_t i = 0; i < n; i++) {
		const char *nm = r->sites[i].sym ? r->sites[i].sym : "?";

		if (i && r->sites[i - 1].sym && !strcmp(r->sites[i - 1].sym, nm)) {
			nameoff[i] = nameoff[i - 1];
			continue;
		}
		nameoff[i] = (uint32_t)strsz;
		strsz += strlen(nm) + 1;
	}
	len = hs + n * (sizeof(struct pv_patch_site) + 4) + strsz;
	b = calloc(1, len);
	if (!b) {
		free(nameoff);
		return PV_ENOMEM;
	}
	wr32(b + 0, PV_PATCH_MAGIC);
	wr16(b + 4, PV_PATCH_VERSION);
	wr16(b + 6, (uint16_t)hs);
	wr32(b + 8, (uint32_t)n);
	wr32(b + 12, sizeof(struct pv_patch_site));
	wr32(b + 16, img->base);
	wr32(b + 20, (uint32_t)img->size);
	wr32(b + 24, (uint32_t)strsz);
	pos = hs;
	for (size_t i = 0; i < n; i++, pos += 16) {
		const struct pvp_site *s = &r->sites[i];

		wr32(b + pos, s->va);
		wr32(b + pos + 4, s->original);
		wr32(b + pos + 8, s->patched);
		wr16(b + pos + 12, s->cls);
		wr16(b + pos + 14, s->flags);
	}
	for (size_t i = 0; i < n; i++, pos += 4)
		wr32(b + pos, nameoff[i]);
	for (size_t i = 0; i < n; i++) {
		const char *nm = r->sites[i].sym ? r->sites[i].sym : "?";

		if (i && nameoff[i] == nameoff[i - 1])
			continue;
		memcpy(b + pos + nameoff[i], nm, strlen(nm) + 1);
	}
	wr32(b + 28, pv_patch_crc32(0, b, len));
	free(nameoff);
	*out = b;
	*outlen = len;
	return 0;
}

int pvp_manifest_print(const uint8_t *blob, size_t len, FILE *f)
{
	struct pv_patch_table t;
	struct pv_patch_manifest_hdr h;
	uint32_t per[PV_IC_COUNT] = { 0 }, aliases = 0;
	const uint32_t *names;
	const char *str;
	void *copy;
	int rc;

	/* Parse needs 4-byte alignment; a private copy guarantees it. */
	copy = malloc(len ? len : 1);
	if (!copy)
		return PV_ENOMEM;
	memcpy(copy, blob, len);
	rc = pv_patch_table_parse(copy, len, &t);
	if (rc) {
		free(copy);
		return rc;
	}
	memcpy(&h, copy, sizeof(h));
	names = (const uint32_t *)(const void *)(t.sites + t.count);
	str = (const char *)(names + t.count);
	fprintf(f, "# pvpatch site table v%u: %u sites, image 0x%08x + 0x%x bytes\n",
		h.version, t.count, h.image_base, h.image_size);
	fprintf(f, "# address    original   patched    isa class        symbol\n");
	for (uint32_t i = 0; i < t.count; i++) {
		const struct pv_patch_site *s = &t.sites[i];
		const char *isa = !(s->flags & PV_SITE_THUMB) ? "a32" :
				  (s->flags & PV_SITE_T16) ? "t16" : "t32";

		fprintf(f, "0x%08x 0x%08x 0x%08x %s %-12s %s%s\n", s->va, s->original,
			s->patched, isa, pv_insn_class_name((enum pv_insn_class)s->cls),
			h.strtab_size ? str + names[i] : "?",
			(s->flags & PV_SITE_ALIAS) ? " (runtime alias)" : "");
		if (s->flags & PV_SITE_ALIAS)
			aliases++;
		else
			per[s->cls]++;
	}
	fprintf(f, "# totals per class (patched words; %u runtime aliases not counted)\n",
		aliases);
	for (int c = 0; c < PV_IC_COUNT; c++)
		if (per[c])
			fprintf(f, "total %-12s %u\n", pv_insn_class_name((enum pv_insn_class)c),
				per[c]);
	fprintf(f, "total %-12s %u\n", "all", t.count - aliases);
	free(copy);
	return 0;
}

int pvp_write_atomic(const char *path, const void *buf, size_t len,
		     struct pvp_err *e)
{
	size_t pl = strlen(path);
	char *tmp = malloc(pl + 16);
	const uint8_t *p = buf;
	int fd;

	if (!tmp)
		return PV_ENOMEM;
	snprintf(tmp, pl + 16, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		pvp_errf(e, PV_EBACKEND, "cannot create a temporary file next to %s: %s",
			 path, strerror(errno));
		free(tmp);
		return PV_EBACKEND;
	}
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		p += w;
		len -= (size_t)w;
	}
	if (fchmod(fd, 0644) || fsync(fd))
		goto fail;
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path))
		goto fail;
	free(tmp);
	return 0;
fail:
	pvp_errf(e, PV_EBACKEND, "writing %s failed: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return PV_EBACKEND;
}
