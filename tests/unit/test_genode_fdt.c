/* SPDX-License-Identifier: MIT */
/*
 * pv_vmm's kernel command line from <config> (fdt_chosen.c). The oracle
 * is dtc: the inputs and the expected trees are dtc's own compiles of
 * the .dts files in tests/unit/fdt (meson passes their paths), and the result must
 * equal the expected tree byte for byte.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvcore/error.h>
#include "fdt_chosen.h"

#define ARGS "console=ttyAMA0 earlycon pvshell loglevel=8"
#define BUF 8192

static const char *paths[5]; /* args, args_ref, none, none_ref, no_chosen */
static uint8_t in[BUF], ref[BUF], out[BUF], fill[BUF];
static size_t in_len, ref_len;

static size_t load(const char *path, uint8_t *buf)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	n = fread(buf, 1, BUF, f);
	fclose(f);
	ck_assert_uint_gt(n, 40);
	ck_assert_uint_lt(n, BUF / 2);
	return n;
}

static void pair(unsigned k)
{
	memset(in, 0, sizeof(in));
	in_len = load(paths[2 * k], in);
	ref_len = load(paths[2 * k + 1], ref);
}

static void poison(void)
{
	memset(out, 0xa5, sizeof(out));
	memcpy(fill, out, sizeof(fill));
}

START_TEST(replaces_and_adds_as_dtc_would_write_it)
{
	for (unsigned k = 0; k < 2; k++) {
		size_t n = 0, n2 = 0;

		pair(k);
		ck_assert_int_eq(pv_genode_fdt_bootargs(in, in_len, ARGS, out,
							sizeof(out), &n), 0);
		ck_assert_uint_eq(n, ref_len);
		ck_assert_mem_eq(out, ref, ref_len);

		/* As a ROM gives it, padded to a page: the same tree. */
		ck_assert_int_eq(pv_genode_fdt_bootargs(in, 4096, ARGS, out,
							sizeof(out), &n), 0);
		ck_assert_uint_eq(n, ref_len);
		ck_assert_mem_eq(out, ref, ref_len);

		/* Again on its own result: nothing moves. */
		memcpy(in, out, n);
		ck_assert_int_eq(pv_genode_fdt_bootargs(in, n, ARGS, out,
							sizeof(out), &n2), 0);
		ck_assert_uint_eq(n2, ref_len);
		ck_assert_mem_eq(out, ref, ref_len);
	}
}
END_TEST

START_TEST(refusals_write_nothing)
{
	static char long_args[PV_GENODE_BOOTARGS_MAX + 1];
	size_t n = 12345;

	pair(0);
	poison();
	/* Exactly the room it needs, and one byte less. */
	ck_assert_int_eq(pv_genode_fdt_bootargs(in, in_len, ARGS, out,
						ref_len - 1, &n), PV_ENOMEM);
	ck_assert_mem_eq(out, fill, sizeof(out));
	ck_assert_uint_eq(n, 12345);
	ck_assert_int_eq(pv_genode_fdt_bootargs(in, in_len, ARGS, out, ref_len,
						&n), 0);
	ck_assert_uint_eq(n, ref_len);

	/* The longest command line Linux takes, and one character more. */
	memset(long_args, 'a', PV_GENODE_BOOTARGS_MAX - 1);
	ck_assert_int_eq(pv_genode_fdt_bootargs(in, in_len, long_args, out,
						sizeof(out), &n), 0);
	long_args[PV_GENODE_BOOTARGS_MAX - 1] = 'a';
	poison();
	ck_assert_int_eq(pv_genode_fdt_bootargs(in, in_len, long_args, out,
						sizeof(out), &n), PV_EINVAL);
	ck_assert_int_eq(pv_genode_fdt_bootargs(in, in_len, "a\nb", out,
						sizeof(out), &n), PV_EINVAL);
	ck_assert_int_eq(pv_genode_fdt_bootargs(in, in_len, "\x80", out,
						sizeof(out), &n), PV_EINVAL);
	ck_assert_int_eq(pv_genode_fdt_bootargs(NULL, in_len, ARGS, out,
						sizeof(out), &n), PV_EINVAL);
	ck_assert_int_eq(pv_genode_fdt_bootargs(in, in_len, ARGS, out,
						sizeof(out), NULL), PV_EINVAL);
	ck_assert_mem_eq(out, fill, sizeof(out));
	/* An empty command line is one. */
	ck_assert_int_eq(pv_genode_fdt_bootargs(in, in_len, "", out,
						sizeof(out), &n), 0);

	/* No /chosen, a tree cut short, a wrong magic. */
	poison();
	memset(in, 0, sizeof(in));
	in_len = load(paths[4], in);
	ck_assert_int_eq(pv_genode_fdt_bootargs(in, in_len, ARGS, out,
						sizeof(out), &n), PV_ECORRUPT);
	pair(0);
	ck_assert_int_eq(pv_genode_fdt_bootargs(in, in_len - 1, ARGS, out,
						sizeof(out), &n), PV_ECORRUPT);
	in[0] ^= 1;
	ck_assert_int_eq(pv_genode_fdt_bootargs(in, in_len, ARGS, out,
						sizeof(out), &n), PV_ECORRUPT);
	ck_assert_mem_eq(out, fill, sizeof(out));
}
END_TEST

/*
 * Every byte of both inputs changed, one at a time, in several ways: each
 * call returns, within the buffers (the sanitizer builds check that), and
 * whatever it accepts it accepts again as its own output, unchanged. A
 * damaged tree it refuses leaves @out as it was.
 */
START_TEST(damaged_trees_never_escape)
{
	static const uint8_t flips[] = { 0x01, 0x02, 0x04, 0x80, 0xff };
	unsigned accepted = 0, refused = 0;

	for (unsigned k = 0; k < 2; k++) {
		pair(k);
		for (size_t i = 0; i < in_len; i++) {
			for (unsigned f = 0; f < sizeof(flips); f++) {
				static uint8_t again[BUF];
				size_t n = 0, n2 = 0;
				int err;

				in[i] ^= flips[f];
				poison();
				err = pv_genode_fdt_bootargs(in, in_len, ARGS, out,
							     sizeof(out), &n);
				if (err) {
					ck_assert(err == PV_ECORRUPT || err == PV_ENOMEM);
					ck_assert_mem_eq(out, fill, sizeof(out));
					refused++;
				} else {
					ck_assert_uint_le(n, sizeof(out));
					ck_assert_int_eq(pv_genode_fdt_bootargs(out, n, ARGS,
							again, sizeof(again), &n2), 0);
					ck_assert_uint_eq(n2, n);
					ck_assert_mem_eq(again, out, n);
					accepted++;
				}
				in[i] ^= flips[f];
			}
		}
	}
	/* Property values and names change freely; structure does not. */
	ck_assert_uint_gt(accepted, 500);
	ck_assert_uint_gt(refused, 500);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("genode_fdt");
	TCase *t = tcase_create("bootargs");
	SRunner *r;
	int failed;

	if (argc != 6) {
		fprintf(stderr, "usage: %s <args.dtb> <args_ref.dtb> <none.dtb> "
			"<none_ref.dtb> <no_chosen.dtb>\n", argv[0]);
		return 2;
	}
	for (unsigned i = 0; i < 5; i++)
		paths[i] = argv[i + 1];
	tcase_add_test(t, replaces_and_adds_as_dtc_would_write_it);
	tcase_add_test(t, refusals_write_nothing);
	tcase_add_test(t, damaged_trees_never_escape);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
