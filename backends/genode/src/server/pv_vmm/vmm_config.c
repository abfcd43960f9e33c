// SPDX-License-Identifier: MIT
/*
 * pv_vmm's configuration (vmm_config.h). No libc: Genode links this into
 * a component that need not have one.
 */
#include "vmm_config.h"

#define PAGE_OFFSET 0xc0000000u
#define MAX_TEXT_OFFSET 0x02000000u  /* the Image's first 32 MiB */
#define DTB_OFF 0x03ff0000u
#define DTB_MAX 0x00010000u
#define INITRD_OFF 0x04000000u

/* A line in @why: pieces of text and numbers, cut at its end. */
struct why {
	char *p;
	size_t len, at;
};

static void say(struct why *w, const char *s)
{
	while (*s && w->len && w->at + 1 < w->len)
		w->p[w->at++] = *s++;
	if (w->len)
		w->p[w->at] = 0;
}

static void say_num(struct why *w, uint64_t v)
{
	char buf[24];
	unsigned i = sizeof(buf) - 1;

	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	say(w, &buf[i]);
}

/* The start of a value, shown safely: a log line must stay one line. */
static void say_value(struct why *w, const char *v)
{
	char c[2] = { 0, 0 };
	unsigned i;

	for (i = 0; v[i] && i < 40; i++) {
		c[0] = (unsigned char)v[i] >= 0x20 && (unsigned char)v[i] < 0x7f ?
		       v[i] : '?';
		say(w, c);
	}
	if (v[i])
		say(w, "...");
}

static int fail(struct why *w, const char *attr, const char *value,
		const char *what)
{
	say(w, attr);
	say(w, "=\"");
	say_value(w, value ? value : "");
	say(w, "\": ");
	say(w, what);
	return PV_EINVAL;
}

/* A decimal number in [lo, hi], no sign, no spaces. */
static bool parse_num(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > hi)
			return false;
	}
	if (v < lo)
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* A ROM module name into @dst, or @def where the node has none. */
static int take_name(pv_genode_attr_fn attr, void *ctx, const char *key,
		     const char *def, bool may_be_empty, char dst[PV_GENODE_NAME_MAX],
		     struct why *w)
{
	const char *v = attr(ctx, key);
	size_t n = 0;

	if (!v)
		v = def;
	for (; v[n]; n++)
		if (n == PV_GENODE_NAME_MAX - 1 || !name_char(v[n]))
			return fail(w, key, v, n == PV_GENODE_NAME_MAX - 1 ?
				    "a ROM module name of at most 63 characters" :
				    "a ROM module name: letters, digits, '.', '_', '-'");
	if (!n && !may_be_empty)
		return fail(w, key, v, "the guest cannot boot without it");
	for (size_t i = 0; i <= n; i++)
		dst[i] = v[i];
	return 0;
}

int pv_genode_config_parse(pv_genode_attr_fn attr, void *ctx,
			   struct pv_genode_config *out, char *why,
			   size_t why_len)
{
	struct why w = { why, why_len, 0 };
	struct pv_genode_config c = { .ram_mib = 128, .vcpus = 1 };
	const char *v;
	uint32_t n;
	int err;

	say(&w, "");
	v = attr(ctx, "ram_mib");
	if (v && !parse_num(v, 96, 128, &c.ram_mib))
		return fail(&w, "ram_mib", v, "MiB of guest RAM, 96 to 128");
	v = attr(ctx, "vcpus");
	if (v) {
		if (!parse_num(v, 1, PV_MAX_VCPUS, &n))
			return fail(&w, "vcpus", v, "1 to 4 vCPUs");
		c.vcpus = n;
	}
	v = attr(ctx, "board");
	if (v && !streq(v, "default") && !streq(v, "virtio"))
		return fail(&w, "board", v, "\"default\" or \"virtio\"");
	c.virtio_board = v && streq(v, "virtio");
	if ((err = take_name(attr, ctx, "kernel", "Image", false, c.kernel, &w)) ||
	    (err = take_name(attr, ctx, "sites", "Image.sites", false, c.sites, &w)) ||
	    (err = take_name(attr, ctx, "stubs", "", true, c.stubs, &w)) ||
	    (err = take_name(attr, ctx, "dtb", "linux.dtb", false, c.dtb, &w)) ||
	    (err = take_name(attr, ctx, "initrd", "", true, c.initrd, &w)))
		return err;
	v = attr(ctx, "bootargs");
	if (v) {
		size_t i = 0;

		for (; v[i]; i++)
			if (i == PV_GENODE_BOOTARGS_MAX - 1 ||
			    (unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
				return fail(&w, "bootargs", v, i == PV_GENODE_BOOTARGS_MAX - 1 ?
					    "a command line of at most 1023 characters" :
					    "a command line of printable ASCII characters");
		for (size_t j = 0; j <= i; j++)
			c.bootargs[j] = v[j];
		c.has_bootargs = true;
	}
	if (c.stubs[0] && c.vcpus > 1)
		return fail(&w, "stubs", c.stubs,
			    "stubs need one vCPU (the vCPU page is one per VM)");
	*out = c;
	return 0;
}

int pv_genode_place(const struct pv_genode_config *cfg, uint32_t image_base,
		    size_t kernel_size, size_t dtb_size, size_t initrd_size,
		    struct pv_genode_layout *out, char *why, size_t why_len)
{
	struct why w = { why, why_len, 0 };
	uint64_t ram_end = PV_BOARD_RAM_BASE + (uint64_t)cfg->ram_mib * 1048576u;
	struct pv_genode_layout l;

	say(&w, "");
	if (image_base < PAGE_OFFSET || image_base - PAGE_OFFSET >= MAX_TEXT_OFFSET) {
		say(&w, "the Image's link address is not in PAGE_OFFSET's first 32 MiB");
		return PV_ERANGE;
	}
	l.kernel = PV_BOARD_RAM_BASE + (image_base - PAGE_OFFSET);
	l.dtb = PV_BOARD_RAM_BASE + DTB_OFF;
	l.initrd = PV_BOARD_RAM_BASE + INITRD_OFF;
	if ((uint64_t)l.kernel + kernel_size > l.dtb) {
		say(&w, "the Image (");
		say_num(&w, kernel_size);
		say(&w, " bytes) runs into the device tree");
		return PV_ERANGE;
	}
	if (dtb_size > DTB_MAX) {
		say(&w, "the device tree (");
		say_num(&w, dtb_size);
		say(&w, " bytes) is over 64 KiB");
		return PV_ERANGE;
	}
	if (l.initrd + (uint64_t)initrd_size > ram_end) {
		say(&w, "the initramfs (");
		say_num(&w, initrd_size);
		say(&w, " bytes) does not fit in ");
		say_num(&w, cfg->ram_mib);
		say(&w, " MiB of guest RAM");
		return PV_ERANGE;
	}
	*out = l;
	return 0;
}


void pv_genode_trim_roms(struct pv_linux_images *im)
{
	struct pv_patch_manifest_hdr h;
	struct pv_stub_file_hdr sh;
	size_t dtb;

	/* pvcore reads the table in place as this struct: so does this */
	if (im->sites && im->sites_size >= sizeof(h)) {
		__builtin_memcpy(&h, im->sites, sizeof(h));  /* no C library here */
		if (h.magic == PV_PATCH_MAGIC) {
			/* hdr_size + count * (entry_size + 4) + strtab_size */
			uint64_t own = (uint64_t)h.hdr_size +
				       (uint64_t)h.count * (h.entry_size + 4ull) +
				       h.strtab_size;

			/* The bounds keep the product far from 64 bits. */
			if (h.count <= 0x0fffffffu && h.entry_size <= 0xffffu &&
			    own <= im->sites_size)
				im->sites_size = (size_t)own;
			if (h.image_size <= im->image_size)
				im->image_size = h.image_size;
		}
	}
	/* The stub table: its header and entries (pvcore/pvpage.h) */
	if (im->stubs && im->stubs_size >= sizeof(sh)) {
		__builtin_memcpy(&sh, im->stubs, sizeof(sh));
		if (sh.magic == PV_STUB_MAGIC && sh.count <= 0x0fffffffu &&
		    sh.entry_size <= 0xffffu) {
			uint64_t own = (uint64_t)sh.hdr_size +
				       (uint64_t)sh.count * sh.entry_size;

			if (own <= im->stubs_size)
				im->stubs_size = (size_t)own;
		}
	}
	dtb = pv_genode_fdt_size(im->dtb, im->dtb_size);
	if (dtb && dtb <= im->dtb_size)
		im->dtb_size = dtb;
}
