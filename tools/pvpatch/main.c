/* SPDX-License-Identifier: MIT */
/*
 * pvpatch: para-virtualise an ARM Linux kernel binary for pvcore.
 *
 *   pvpatch [--system-map MAP] [--format zimage|image|elf] [--thumb]
 *           [--strict] [--list-unsure] [--stubs OUT.stubs [--strict-pan]]
 *           -o OUT.img --sites OUT.sites IN
 *   pvpatch --print OUT.sites
 *
 * All the work is in libpvpatch; this file is argument handling and I/O.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pvpatch.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: pvpatch [--system-map MAP] [--format zimage|image|elf] [--thumb]\n"
		"               [--strict] [--list-unsure] [--stubs OUT.stubs [--strict-pan]]\n"
		"               -o OUT.img --sites OUT.sites IN\n"
		"       pvpatch --print SITES\n"
		"       pvpatch --module [--strict] [--report REPORT] -o OUT.ko IN.ko[.xz]\n");
	return 2;
}

static int slurp(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 20, n = 0;
	uint8_t *b;

	if (!f) {
		fprintf(stderr, "pvpatch: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	b = malloc(cap + 1);
	while (b) {
		size_t r = fread(b + n, 1, cap - n, f);

		n += r;
		if (n < cap)
			break;
		cap *= 2;
		uint8_t *nb = realloc(b, cap + 1);

		if (!nb) {
			free(b);
			b = NULL;
		} else {
			b = nb;
		}
	}
	if (!b || ferror(f)) {
		fprintf(stderr, "pvpatch: cannot read %s\n", path);
		free(b);
		fclose(f);
		return -1;
	}
	fclose(f);
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
}

int main(int argc, char **argv)
{
	const char *in = NULL, *map = NULL, *out = NULL, *sites = NULL, *print = NULL;
	const char *stubs = NULL;
	enum pvp_format fmt = PVP_FMT_AUTO;
	int strict = 0, list = 0, thumb = 0, strict_pan = 0, module = 0, rc;
	const char *report = NULL;
	uint8_t *ib = NULL, *mb = NULL, *man = NULL, *sb = NULL;
	size_t il = 0, ml = 0, manl = 0, sl = 0;
	struct pvp_stub_stats ss;
	uint32_t kend = 0;
	struct pvp_image img;
	struct pvp_result res;
	struct pvp_err e = { "" };

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--system-map") && i + 1 < argc)
			map = argv[++i];
		else if (!strcmp(a, "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(a, "--sites") && i + 1 < argc)
			sites = argv[++i];
		else if (!strcmp(a, "--print") && i + 1 < argc)
			print = argv[++i];
		else if (!strcmp(a, "--stubs") && i + 1 < argc)
			stubs = argv[++i];
		else if (!strcmp(a, "--strict-pan"))
			strict_pan = 1;
		else if (!strcmp(a, "--module"))
			module = 1;
		else if (!strcmp(a, "--report") && i + 1 < argc)
			report = argv[++i];
		else if (!strcmp(a, "--strict"))
			strict = 1;
		else if (!strcmp(a, "--list-unsure"))
			list = 1;
		else if (!strcmp(a, "--thumb"))
			thumb = 1;
		else if (!strcmp(a, "--format") && i + 1 < argc) {
			const char *f = argv[++i];

			if (!strcmp(f, "zimage"))
				fmt = PVP_FMT_ZIMAGE;
			else if (!strcmp(f, "image"))
				fmt = PVP_FMT_IMAGE;
			else if (!strcmp(f, "elf"))
				fmt = PVP_FMT_ELF;
			else {
				fprintf(stderr, "pvpatch: unknown format '%s'\n", f);
				return usage();
			}
		} else if (a[0] == '-' || in) {
			return usage();
		} else {
			in = a;
		}
	}
	if (print) {
		if (in || out || sites)
			return usage();
		if (slurp(print, &ib, &il))
			return 1;
		rc = pvp_manifest_print(ib, il, stdout);
		free(ib);
		if (rc) {
			fprintf(stderr, "pvpatch: %s is not a valid site table (%s)\n", print,
				pv_strerror(rc));
			return 1;
		}
		return 0;
	}
	if (module) {
		if (!in || !out || sites || map || print || stubs)
			return usage();
		return pvp_module_cli(in, out, report, strict);
	}
	if (!in || !out || !sites || (strict_pan && !stubs))
		return usage();
	if (slurp(in, &ib, &il) || (map && slurp(map, &mb, &ml)))
		return 1;
	rc = pvp_load(ib, il, fmt, (const char *)mb, ml, &img, &e);
	if (!rc && pvp_zimage_kernel_end(ib, il, &img, &kend))
		kend = 0;
	free(ib);
	free(mb);
	if (rc) {
		fprintf(stderr, "pvpatch: %s: %s\n", in, e.msg[0] ? e.msg : pv_strerror(rc));
		return 1;
	}
	if (thumb)
		img.thumb_default = 1;
	else if (img.thumb_default)
		printf("pvpatch: %s: a Thumb-2 kernel (%u of the sampled function symbols "
		       "start with Thumb prologues, %u with A32 ones)\n", in,
		       img.prologues_t32, img.prologues_a32);
	rc = pvp_analyze(&img, &res, &e);
	if (rc) {
		fprintf(stderr, "pvpatch: %s: %s\n", in, e.msg[0] ? e.msg : pv_strerror(rc));
		pvp_image_free(&img);
		return 1;
	}
	pvp_apply(&img, &res);
	if (stubs) {
		rc = pvp_stubs_build(&img, &res, !strict_pan, kend, &sb, &sl, &ss, &e);
		if (rc) {
			fprintf(stderr, "pvpatch: %s: %s\n", in, e.msg[0] ? e.msg : pv_strerror(rc));
			pvp_result_free(&res);
			pvp_image_free(&img);
			return 1;
		}
	}
	rc = pvp_manifest_build(&img, &res, &man, &manl);
	if (rc) {
		fprintf(stderr, "pvpatch: out of memory\n");
		return 1;
	}
	if (img.payload)
		printf("pvpatch: zImage payload: %s at 0x%zx\n", img.payload, img.payload_off);
	printf("pvpatch: %s: %zu-byte Image at 0x%08x, symbols from %s, %zu functions, "
	       "%zu data labels in text, %zu instructions reached, %zu data words\n", in,
	       img.size, img.base, img.symsrc == PVP_SYM_KALLSYMS ? "kallsyms" :
	       img.symsrc == PVP_SYM_ELF ? "ELF" : "System.map",
	       res.nfuncs, res.ndatalabels, res.ncode, res.ndata);
	if (res.stubs_off)
		printf("pvpatch: vectors at Image+0x%x, stubs at Image+0x%x (aliased at "
		       "0xffff0000/0xffff1000)\n", res.vectors_off, res.stubs_off);
	printf("pvpatch: %zu jump-label entries, %zu exception-table entries, %zu code "
	       "pointers in data, %zu fallthroughs into literal pools resolved as data\n",
	       res.njump, res.nextable, res.nfptr, res.nconflict);
	if (res.smpalt_checked)
		printf("pvpatch: SMP_ON_UP: %u .alt.smp.init entries, replacements checked, "
		       "%u on patched sites\n", res.smpalt_entries, res.smpalt_on_sites);
	else
		printf("pvpatch: SMP_ON_UP: no .alt.smp.init found\n");
	if (res.kuser_size)
		printf("pvpatch: kuser helpers at Image+0x%x, %u bytes\n", res.kuser_off,
		       res.kuser_size);
	for (int c = 0; c < PV_IC_COUNT; c++)
		if (res.per_class[c])
			printf("class %-12s %u\n", pv_insn_class_name((enum pv_insn_class)c),
			       res.per_class[c]);
	if (stubs) {
		printf("pvpatch: stub area at 0x%08x, %u KiB: %u stubs (%u skipped in code "
		       "Linux copies or runs elsewhere, %u out of branch range), DACR "
		       "writes %s\n", ss.area_va, ss.area_size / 1024, ss.stubs,
		       ss.skipped_excluded, ss.skipped_range,
		       strict_pan ? "trap (strict PAN)" : "stubbed (lazy PAN)");
		printf("pvpatch: %u page-table cache cleans elided\n", ss.elided);
		printf("pvpatch: TPIDRURO: SVC entry write %s, %u writes left to trap "
		       "(no proof that nothing reads the register before it holds "
		       "them)\n", res.tls_entry ? "found" : "not found", ss.tls_unproved);
		for (int k = 0; k < PV_STUB_KIND_COUNT; k++)
			if (ss.per_kind[k])
				printf("stub %-12s %u\n", pvp_stub_kind_name(k), ss.per_kind[k]);
	}
	{
		size_t nself = 0, nprim = 0;

		for (size_t i = 0; i < res.nsites; i++)
			if (!(res.sites[i].flags & PV_SITE_ALIAS)) {
				nprim++;
				nself += pvp_is_self_word(res.sites[i].patched, res.sites[i].flags);
			}
		printf("self-describing %zu of %zu patched words\n", nself, nprim);
	}
	printf("sites %zu (including runtime aliases), unsure %zu\n", res.nsites, res.nunsure);
	for (size_t i = 0; i < res.nunsure && (list || i < 10); i++)
		printf("unsure 0x%08x %s 0x%08x %-12s %s: %s\n", res.unsure[i].va,
		       res.unsure[i].thumb ? "thumb" : "arm", res.unsure[i].word,
		       pv_insn_class_name((enum pv_insn_class)res.unsure[i].cls),
		       res.unsure[i].sym, res.unsure[i].why);
	if (!strict && res.nunsure)
		fprintf(stderr, "pvpatch: WARNING: %zu sensitive-looking words could not be "
			"classified and are left unpatched (listed as 'unsure'; "
			"--list-unsure shows all, --strict refuses)\n", res.nunsure);
	if (strict && res.nunsure) {
		fprintf(stderr, "pvpatch: %zu sensitive-looking words could not be classified "
			"safely (--strict)\n", res.nunsure);
		rc = 1;
	} else if (pvp_write_atomic(out, img.data, img.size, &e)) {
		fprintf(stderr, "pvpatch: %s\n", e.msg);
		rc = 1;
	} else if (pvp_write_atomic(sites, man, manl, &e) ||
		   (stubs && pvp_write_atomic(stubs, sb, sl, &e))) {
		/* An Image without its tables is useless and dangerous to boot. */
		unlink(out);
		unlink(sites);
		fprintf(stderr, "pvpatch: %s\n", e.msg);
		rc = 1;
	}
	free(man);
	free(sb);
	pvp_result_free(&res);
	pvp_image_free(&img);
	return rc;
}
