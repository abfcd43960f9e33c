/* SPDX-License-Identifier: MIT */
/* Foundation: errors, VM configuration checks, memory map and MMIO bus, trace ring. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <pvcore/patch.h>

#include "core.h"
#include "fake_backend.h"

/* The core's internal memory primitives (libpvcore/pv_internal.h). */
void *pv_memcpy(void *dst, const void *src, size_t n);
void *pv_memset(void *dst, int c, size_t n);

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;

static void setup(void)
{
	ck_assert_int_eq(fake_backend_setup(&fb, &cfg), 0);
	vm = calloc(1, sizeof(*vm));
	ck_assert_ptr_nonnull(vm);
}

static void teardown(void)
{
	free(vm);
	fake_backend_teardown(&fb);
}

START_TEST(strerror_covers_every_code)
{
	for (int e = PV_ERROR_MIN; e < 0; e++) {
		const char *s = pv_strerror(e);
		bool retired = e == -8 || e == -11;

		ck_assert_ptr_nonnull(s);
		if (retired)
			ck_assert_str_eq(s, "unknown pvcore error");
		else
			ck_assert_str_ne(s, "unknown pvcore error");
	}
	ck_assert_str_eq(pv_strerror(0), "success");
	ck_assert_str_eq(pv_strerror(PV_ERROR_MIN - 1), "unknown pvcore error");
	ck_assert_str_eq(pv_strerror(-1000), "unknown pvcore error");
}
END_TEST

/* The LR offsets of the Arm ARM's table B1-6, per exception and set. */
START_TEST(trap_pc_from_the_exception_lr)
{
	const uint32_t T = 1u << 5;

	ck_assert_uint_eq(pv_trap_pc(PV_TRAP_UNDEF, 0x8004, 0x10), 0x8000);
	ck_assert_uint_eq(pv_trap_pc(PV_TRAP_UNDEF, 0x8004, 0x10 | T), 0x8002);
	ck_assert_uint_eq(pv_trap_pc(PV_TRAP_SVC, 0x8004, 0x10), 0x8000);
	ck_assert_uint_eq(pv_trap_pc(PV_TRAP_SVC, 0x8004, 0x10 | T), 0x8002);
	ck_assert_uint_eq(pv_trap_pc(PV_TRAP_PABT, 0x8004, 0x10), 0x8000);
	ck_assert_uint_eq(pv_trap_pc(PV_TRAP_PABT, 0x8004, 0x10 | T), 0x8000);
	ck_assert_uint_eq(pv_trap_pc(PV_TRAP_DABT, 0x8008, 0x10), 0x8000);
	ck_assert_uint_eq(pv_trap_pc(PV_TRAP_DABT, 0x8008, 0x10 | T), 0x8000);
	/* Interrupts: the next instruction to execute, in either set. */
	ck_assert_uint_eq(pv_trap_pc(PV_TRAP_IRQ, 0x8004, 0x10 | T), 0x8000);
	ck_assert_uint_eq(pv_trap_pc(PV_TRAP_FIQ, 0x8004, 0x10), 0x8000);
	ck_assert_uint_eq(pv_trap_pc(PV_TRAP_KIND_COUNT, 0x8004, 0x10), 0x8004);
}
END_TEST

START_TEST(vm_init_accepts_fake_config)
{
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	ck_assert_ptr_eq(vm->vcpu[0].vm, vm);
	ck_assert_uint_eq(vm->map.nram, 1);
}
END_TEST

START_TEST(vm_init_rejects_bad_configs)
{
	struct pv_backend_ops ops = fake_backend_ops;
	struct pv_vm_config bad;

	bad = cfg;
	bad.ops = NULL;
	ck_assert_int_eq(pv_vm_init(vm, &bad), PV_EINVAL);
	ops.timer_set = NULL;
	bad = cfg;
	bad.ops = &ops;
	ck_assert_int_eq(pv_vm_init(vm, &bad), PV_EINVAL);
	bad = cfg;
	bad.num_vcpus = PV_MAX_VCPUS + 1;
	ck_assert_int_eq(pv_vm_init(vm, &bad), PV_EINVAL);
	bad = cfg;
	bad.window_base = 0xfff01000u; /* not 1 MiB aligned */
	ck_assert_int_eq(pv_vm_init(vm, &bad), PV_EINVAL);
	bad = cfg;
	bad.ram_count = 0;
	ck_assert_int_eq(pv_vm_init(vm, &bad), PV_EINVAL);
	bad = cfg;
	bad.ram[1] = bad.ram[0]; /* the same region twice overlaps */
	bad.ram_count = 2;
	ck_assert_int_eq(pv_vm_init(vm, &bad), PV_EEXIST);
}
END_TEST

/* RAM must be where the board says, and clear of its devices and the window. */
START_TEST(vm_init_checks_ram_against_board_and_window)
{
	struct pv_board board = pv_board_default;
	struct pv_vm_config bad;

	bad = cfg;
	bad.ram[0].gpa = pv_gpa(PV_BOARD_RAM_BASE - 0x100000u);
	ck_assert_int_eq(pv_vm_init(vm, &bad), PV_ERANGE);
	/* A board whose RAM range holds the window: MMU-off code could not
	 * reach that RAM, so the VM refuses to start. */
	board.ram_base = 0xf0000000u;
	board.ram_size = 0x0ff00000u + 0x100000u;
	ck_assert_int_eq(pv_board_check(&board), 0);
	bad = cfg;
	bad.board = &board;
	bad.ram[0].gpa = pv_gpa(0xffe00000u);
	bad.ram[0].size = 0x200000u;
	ck_assert_int_eq(pv_vm_init(vm, &bad), PV_EWINDOW);
	/* A RAM region on top of a device. */
	board = pv_board_default;
	board.ram_base = 0x1c000000u;
	board.ram_size = 0x100000u;
	ck_assert_int_eq(pv_board_check(&board), PV_EINVAL); /* UART inside */
	/* A bad board is refused before anything is touched. */
	bad = cfg;
	bad.board = &board;
	ck_assert_int_eq(pv_vm_init(vm, &bad), PV_EINVAL);
}
END_TEST

START_TEST(board_descriptor_rules)
{
	struct pv_board_device dev[8];
	struct pv_board b = pv_board_default;
	const struct pv_board_device *twd;

	ck_assert_int_eq(pv_board_check(&pv_board_default), 0);
	ck_assert_ptr_null(pv_board_find(&b, PV_DEV_TYPE_COUNT));
	twd = pv_board_find(&b, PV_DEV_A9_TWD);
	ck_assert_ptr_nonnull(twd);
	ck_assert_uint_eq(twd->irq[0], PV_BOARD_TWD_PPI);
	ck_assert_uint_eq(twd->irq[1], PV_BOARD_WDT_PPI);
	ck_assert_uint_le(b.ndevices, 8);
	memcpy(dev, b.devices, b.ndevices * sizeof(dev[0]));
	b.devices = dev;
	for (unsigned i = 0; i < b.ndevices; i++) {
		struct pv_board_device keep = dev[i];

		/* Each device: a wrong size, an SPI for a PPI slot (or a PPI
		 * for the UART), and for the MPCore a move away from its offset
		 * are refused. */
		dev[i].size += 0x100;
		ck_assert_int_eq(pv_board_check(&b), PV_EINVAL);
		dev[i] = keep;
		if (dev[i].irq[0]) {
			dev[i].irq[0] = dev[i].irq[0] < 32 ? 40 : 20;
			ck_assert_int_eq(pv_board_check(&b), PV_EINVAL);
			dev[i] = keep;
		}
		if (dev[i].type != PV_DEV_PL011) {
			dev[i].base += 0x2000;
			ck_assert_int_eq(pv_board_check(&b), PV_EINVAL);
			dev[i] = keep;
		}
	}
	/* A missing MPCore device, and a doubled one. */
	b.ndevices--;
	ck_assert_int_eq(pv_board_check(&b), 0); /* the UART is optional */
	b.ndevices--;
	ck_assert_int_eq(pv_board_check(&b), PV_EINVAL);
	b.ndevices += 2;
	dev[b.ndevices - 1] = dev[0];
	ck_assert_int_eq(pv_board_check(&b), PV_EINVAL);
	ck_assert_int_eq(pv_board_check(NULL), PV_EINVAL);
}
END_TEST

/* CBAR reads the board's peripheral base, not a compiled-in constant. */
START_TEST(cbar_comes_from_the_board)
{
	struct pv_board_device dev[8];
	struct pv_board b = pv_board_default;
	struct pv_cp_access acc = { .coproc = 15, .opc1 = 4, .crn = 15,
				    .crm = 0, .opc2 = 0, .is_read = true };
	uint32_t val[2] = { 0, 0 };
	struct pv_vm_config c = cfg;

	memcpy(dev, b.devices, b.ndevices * sizeof(dev[0]));
	for (unsigned i = 0; i < b.ndevices; i++)
		if (dev[i].type != PV_DEV_PL011)
			dev[i].base += 0x02000000u;
	b.devices = dev;
	b.periph_base += 0x02000000u;
	c.board = &b;
	ck_assert_int_eq(pv_vm_init(vm, &c), 0);
	ck_assert_int_eq(pv_cp_read(&vm->vcpu[0], &acc, val), 0);
	ck_assert_uint_eq(val[0], PV_BOARD_PERIPH_BASE + 0x02000000u);
	/* And the GIC distributor answers at its new place. */
	ck_assert_ptr_nonnull(pv_memmap_find_mmio(&vm->map,
		pv_gpa(PV_BOARD_PERIPH_BASE + 0x02000000u + PV_BOARD_GICD_OFFSET)));
}
END_TEST

START_TEST(vm_load_stays_inside_ram)
{
	static const uint8_t img[] = { 1, 2, 3, 4 };

	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	ck_assert_int_eq(pv_vm_load(vm, pv_gpa(FAKE_RAM_BASE + 0x100), img, 4), 0);
	ck_assert_mem_eq(fake_backend_ram(&fb, FAKE_RAM_BASE + 0x100), img, 4);
	/* One byte past the end must copy nothing at all. */
	ck_assert_int_eq(pv_vm_load(vm, pv_gpa(FAKE_RAM_BASE + FAKE_RAM_SIZE - 3),
				    img, 4), PV_ERANGE);
	ck_assert_uint_eq(*(uint8_t *)fake_backend_ram(&fb, FAKE_RAM_BASE + FAKE_RAM_SIZE - 3), 0);
	ck_assert_int_eq(pv_vm_load(vm, pv_gpa(0), img, 4), PV_ERANGE);
}
END_TEST

/* A recording device for the bus tests. */
struct rec_dev {
	uint32_t off[8];
	unsigned size[8];
	uint64_t val[8];
	unsigned n;
	bool fail;
};

static int rec_read(void *dev, uint32_t off, unsigned size, uint64_t *val)
{
	struct rec_dev *d = dev;

	if (d->fail)
		return PV_EABORT;
	d->off[d->n] = off;
	d->size[d->n++] = size;
	*val = 0x11223344u + off;
	return 0;
}

static int rec_write(void *dev, uint32_t off, unsigned size, uint64_t val)
{
	struct rec_dev *d = dev;

	if (d->fail)
		return PV_EABORT;
	d->off[d->n] = off;
	d->size[d->n] = size;
	d->val[d->n++] = val;
	return 0;
}

static const struct pv_mmio_ops rec_ops = { rec_read, rec_write };

START_TEST(memmap_rejects_overlap_and_bad_regions)
{
	struct pv_memmap map;
	struct rec_dev d = { 0 };

	memset(&map, 0, sizeof(map));
	ck_assert_int_eq(pv_memmap_add_mmio(&map, pv_gpa(0x1000), 0x1000, 0, &rec_ops, &d, "a"), 0);
	ck_assert_int_eq(pv_memmap_add_mmio(&map, pv_gpa(0x1800), 0x1000, 0, &rec_ops, &d, "b"), PV_EEXIST);
	ck_assert_int_eq(pv_memmap_add_mmio(&map, pv_gpa(0x3000), 0, 0, &rec_ops, &d, "c"), PV_EINVAL);
	ck_assert_int_eq(pv_memmap_add_mmio(&map, pv_gpa(0x3000), 0x100, 0, NULL, &d, "c"), PV_EINVAL);
	for (unsigned i = 1; i < PV_MAX_MMIO_REGIONS; i++)
		ck_assert_int_eq(pv_memmap_add_mmio(&map, pv_gpa(0x10000u * i), 0x100, 0, &rec_ops, &d, "n"), 0);
	ck_assert_int_eq(pv_memmap_add_mmio(&map, pv_gpa(0x7f000000u), 0x100, 0, &rec_ops, &d, "full"), PV_ENOMEM);
}
END_TEST

START_TEST(memmap_dispatch_and_split)
{
	struct rec_dev d = { 0 };
	uint64_t v;

	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	ck_assert_int_eq(pv_memmap_add_mmio(&vm->map, pv_gpa(0x20000000u), 0x1000, 0, &rec_ops, &d, "rec"), 0);
	ck_assert_int_eq(pv_memmap_read(&vm->map, pv_gpa(0x20000010u), 2, &v), 0);
	ck_assert_uint_eq(d.off[0], 0x10);
	ck_assert_uint_eq(d.size[0], 2);
	ck_assert_uint_eq(v, 0x11223354u);
	/* A 64-bit store to a 32-bit-only device: two words, low first. */
	ck_assert_int_eq(pv_memmap_write(&vm->map, pv_gpa(0x20000020u), 8, 0xaabbccdd00112233ull), 0);
	ck_assert_uint_eq(d.n, 3);
	ck_assert_uint_eq(d.off[1], 0x20);
	ck_assert_uint_eq(d.val[1], 0x00112233u);
	ck_assert_uint_eq(d.off[2], 0x24);
	ck_assert_uint_eq(d.val[2], 0xaabbccddu);
	/* Past the device's end is an abort, not a call with a bad offset. */
	ck_assert_int_eq(pv_memmap_read(&vm->map, pv_gpa(0x20000ffeu), 4, &v), PV_EABORT);
	ck_assert_uint_eq(d.n, 3);
	/* Slave error propagates. */
	d.fail = true;
	ck_assert_int_eq(pv_memmap_read(&vm->map, pv_gpa(0x20000000u), 4, &v), PV_EABORT);
	/* Nothing there: abort and count. */
	ck_assert_uint_eq(vm->map.unassigned, 0);
	ck_assert_int_eq(pv_memmap_write(&vm->map, pv_gpa(0x30000000u), 4, 1), PV_EABORT);
	ck_assert_uint_eq(vm->map.unassigned, 1);
	ck_assert_int_eq(pv_memmap_read(&vm->map, pv_gpa(0x30000000u), 3, &v), PV_EINVAL);
}
END_TEST

START_TEST(memmap_ram_little_endian)
{
	uint64_t v;
	uint8_t *p;

	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	ck_assert_int_eq(pv_memmap_write(&vm->map, pv_gpa(FAKE_RAM_BASE + 8), 4, 0x04030201u), 0);
	p = fake_backend_ram(&fb, FAKE_RAM_BASE + 8);
	ck_assert_uint_eq(p[0], 1);
	ck_assert_uint_eq(p[3], 4);
	ck_assert_int_eq(pv_memmap_read(&vm->map, pv_gpa(FAKE_RAM_BASE + 9), 2, &v), 0);
	ck_assert_uint_eq(v, 0x0302u);
	/* The last word of RAM is fine; one that straddles the end is not RAM. */
	ck_assert_int_eq(pv_memmap_read(&vm->map, pv_gpa(FAKE_RAM_BASE + FAKE_RAM_SIZE - 4), 4, &v), 0);
	ck_assert_int_eq(pv_memmap_read(&vm->map, pv_gpa(FAKE_RAM_BASE + FAKE_RAM_SIZE - 2), 4, &v), PV_EABORT);
}
END_TEST

START_TEST(trace_ring_keeps_last_entries)
{
	struct pv_trace_entry e = { 0 };

	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	ck_assert_int_eq(pv_vm_trace(vm, 0, &e), PV_ERANGE);
	for (uint32_t i = 0; i < PV_TRACE_ENTRIES + 5; i++) {
		e.pc = 0x1000 + 4 * i;
		e.insn = i;
		e.reason = PV_TR_CP15_READ;
		*pv_stats_trap(&vm->stats, PV_TR_CP15_READ) = e;
	}
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_CP15_READ), PV_TRACE_ENTRIES + 5);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_COUNT), 0);
	/* Newest first; the oldest surviving entry is number 5. */
	ck_assert_int_eq(pv_vm_trace(vm, 0, &e), 0);
	ck_assert_uint_eq(e.insn, PV_TRACE_ENTRIES + 4);
	ck_assert_int_eq(pv_vm_trace(vm, PV_TRACE_ENTRIES - 1, &e), 0);
	ck_assert_uint_eq(e.insn, 5);
	ck_assert_uint_eq(e.pc, 0x1000 + 4 * 5);
	ck_assert_int_eq(pv_vm_trace(vm, PV_TRACE_ENTRIES, &e), PV_ERANGE);
	fb.log_lines = 0;
	pv_vm_dump_trace(vm);
	/* header + entries + counter header + one counter line */
	ck_assert_uint_eq(fb.log_lines, PV_TRACE_ENTRIES + 3);
}
END_TEST

START_TEST(patch_lookup_binary_search)
{
	static const struct pv_patch_site sites[] = {
		{ 0xc0008000u, 0, 0, 0, 0 },
		{ 0xc0008010u, 0, 0, 0, 0 },
		{ 0xc0100000u, 0, 0, 0, 0 },
	};
	struct pv_patch_table t = { .sites = sites, .count = 3 };

	ck_assert_ptr_eq(pv_patch_lookup(&t, pv_gva(0xc0008010u)), &sites[1]);
	ck_assert_ptr_eq(pv_patch_lookup(&t, pv_gva(0xc0100000u)), &sites[2]);
	ck_assert_ptr_null(pv_patch_lookup(&t, pv_gva(0xc0008004u)));
	ck_assert_ptr_null(pv_patch_lookup(&t, pv_gva(0xffffffffu)));
	ck_assert_ptr_null(pv_patch_lookup(NULL, pv_gva(0xc0008000u)));
}
END_TEST

/* The core's word-at-a-time memcpy/memset against libc, every alignment. */
START_TEST(memory_primitives_every_alignment)
{
	uint8_t src[64], a[64], b[64];

	for (unsigned i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 37 + 11);
	for (unsigned so = 0; so < 8; so++)
		for (unsigned dof = 0; dof < 8; dof++)
			for (unsigned n = 0; n <= 40; n++) {
				memset(a, 0xee, sizeof(a));
				memset(b, 0xee, sizeof(b));
				ck_assert_ptr_eq(pv_memcpy(a + dof, src + so, n), a + dof);
				memcpy(b + dof, src + so, n);
				ck_assert_mem_eq(a, b, sizeof(a));
				ck_assert_ptr_eq(pv_memset(a + dof, 0x5a + (int)n, n), a + dof);
				memset(b + dof, 0x5a + (int)n, n);
				ck_assert_mem_eq(a, b, sizeof(a));
			}
}
END_TEST

static Suite *foundation_suite(void)
{
	Suite *s = suite_create("foundation");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, strerror_covers_every_code);
	tcase_add_test(tc, trap_pc_from_the_exception_lr);
	tcase_add_test(tc, vm_init_accepts_fake_config);
	tcase_add_test(tc, vm_init_rejects_bad_configs);
	tcase_add_test(tc, vm_init_checks_ram_against_board_and_window);
	tcase_add_test(tc, board_descriptor_rules);
	tcase_add_test(tc, cbar_comes_from_the_board);
	tcase_add_test(tc, vm_load_stays_inside_ram);
	tcase_add_test(tc, memmap_rejects_overlap_and_bad_regions);
	tcase_add_test(tc, memmap_dispatch_and_split);
	tcase_add_test(tc, memmap_ram_little_endian);
	tcase_add_test(tc, trace_ring_keeps_last_entries);
	tcase_add_test(tc, patch_lookup_binary_search);
	tcase_add_test(tc, memory_primitives_every_alignment);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(foundation_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
