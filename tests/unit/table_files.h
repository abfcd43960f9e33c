/* SPDX-License-Identifier: MIT */
/*
 * pvpatch's table files as the unit tests build them: a site table
 * (pvcore/patch.h) and a stub table (pvcore/pvpage.h), with their
 * checksums, from entries the test gives.
 */
#ifndef PV_TEST_TABLE_FILES_H
#define PV_TEST_TABLE_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <pvcore/pvcore.h>

/* A stub table of @n stubs for the Image at @image_base into @buf. */
static inline size_t tf_stub_file(uint32_t *buf, const struct pv_stub *s,
				  uint32_t n, uint32_t area_va,
				  uint32_t area_size, uint32_t image_base)
{
	struct pv_stub_file_hdr h = {
		.magic = PV_STUB_MAGIC, .version = PV_STUB_VERSION,
		.hdr_size = sizeof(h), .count = n,
		.entry_size = sizeof(struct pv_stub), .area_va = area_va,
		.area_size = area_size, .image_base = image_base,
	};
	size_t len = sizeof(h) + n * sizeof(*s);

	memcpy(buf, &h, sizeof(h));
	memcpy((uint8_t *)buf + sizeof(h), s, n * sizeof(*s));
	buf[offsetof(struct pv_stub_file_hdr, checksum) / 4] =
		pv_patch_crc32(0, buf, len);
	return len;
}

/* A site table of @n sites, as pvpatch writes it (one empty name). */
static inline size_t tf_site_file(uint32_t *buf, const struct pv_patch_site *s,
				  uint32_t n, uint32_t image_base,
				  uint32_t image_size)
{
	struct pv_patch_manifest_hdr h = {
		.magic = PV_PATCH_MAGIC, .version = PV_PATCH_VERSION,
		.hdr_size = sizeof(h), .count = n,
		.entry_size = sizeof(struct pv_patch_site),
		.image_base = image_base, .image_size = image_size,
		.strtab_size = 4,
	};
	size_t len = sizeof(h) + n * (sizeof(*s) + 4) + 4;
	uint8_t *b = (uint8_t *)buf;

	memset(buf, 0, len);
	memcpy(b, &h, sizeof(h));
	memcpy(b + sizeof(h), s, n * sizeof(*s));
	buf[offsetof(struct pv_patch_manifest_hdr, checksum) / 4] =
		pv_patch_crc32(0, buf, len);
	return len;
}

#endif /* PV_TEST_TABLE_FILES_H */
