/* SPDX-License-Identifier: MIT */
/*
 * The Genode backend's portable part against the fake backend (issue 17,
 * item 4: CI without a Genode tree): the exit handling
 * (backends/genode/src/server/pv_vmm/vm_exit.c), the vCPU state page as
 * the base-hw kernel extension writes it at a VM exit, through pvcore, to
 * the run half the kernel loads; and the <config> node (vmm_config.c).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "fake_backend.h"
#include "table_files.h"
#include "vm_exit.h"
#include "vmm_config.h"

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;
static struct pv_vcpu *cpu;
static struct pv_genode_vcpu_state st;

static void setup(void)
{
	ck_assert_int_eq(fake_backend_setup(&fb, &cfg), 0);
	vm = calloc(1, sizeof(*vm));
	ck_assert_ptr_nonnull(vm);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	cpu = &vm->vcpu[0];
	memset(&st, 0, sizeof(st));
	st.magic = PV_GENODE_STATE_MAGIC;
	st.version = PV_GENODE_STATE_VERSION;
}

static void teardown(void)
{
	free(vm);
	fake_backend_teardown(&fb);
}

static void put_insn(uint32_t gpa, uint32_t insn)
{
	uint32_t *p = fake_backend_ram(&fb, gpa);

	ck_assert_ptr_nonnull(p);
	*p = insn;
}

/* What the kernel's vector writes: registers, exception, LR, SPSR. */
static void kernel_exit(enum pv_genode_exception exc, uint32_t exc_lr,
			uint32_t spsr)
{
	for (unsigned i = 0; i < 13; i++)
		st.exit.r[i] = 0x1111u * (i + 1);
	st.exit.sp = 0x10f00000u;
	st.exit.lr = 0x10001234u;
	st.exit.exc_lr = exc_lr;
	st.exit.spsr = spsr;
	st.exit.exception = exc;
	/* Stale fault registers: only an abort may pass them on. */
	st.exit.fsr = 0x805u;
	st.exit.far = 0xdeadbeefu;
	st.exit.tpidrurw = 0xabcd0123u;
}

static void check_run_is_safe(void)
{
	ck_assert_uint_eq(st.run.cpsr & 0x1fu, 0x10u);   /* USR */
	ck_assert_uint_eq(st.run.cpsr & (7u << 6), 0);   /* A, I, F clear */
	ck_assert_uint_ge(st.run.ttbr0 & ~0x3fffu, (uint32_t)fb.pool_hpa);
	ck_assert_uint_lt(st.run.ttbr0 & ~0x3fffu,
			  (uint32_t)fb.pool_hpa + FAKE_POOL_SIZE);
}

/* A user SVC: reflected to the guest kernel's vector, which the run half
 * then enters, every register as the kernel saved it. */
START_TEST(svc_exit_reflects_and_fills_the_run_half)
{
	struct pv_exit e;
	enum pv_genode_next next;

	pv_vcpu_write_cpsr(cpu, PV_MODE_USR);
	kernel_exit(PV_GENODE_EXC_SVC, 0x10008004u, PV_MODE_USR | PV_PSR_Z);
	ck_assert_int_eq(pv_genode_exit(cpu, &st, &e, &next), 0);
	ck_assert_int_eq(next, PV_GENODE_RUN);
	ck_assert_int_eq(e.reason, PV_TR_SVC);
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_SVC);
	ck_assert_uint_eq(cpu->r[14], 0x10008004u);    /* LR_svc: after SVC */
	ck_assert_uint_eq(*pv_vcpu_spsr(cpu) & PV_PSR_Z, PV_PSR_Z);
	ck_assert_uint_eq(st.run.pc, 0x08);             /* the SVC vector */
	for (unsigned i = 0; i < 13; i++)
		ck_assert_uint_eq(st.run.r[i], 0x1111u * (i + 1));
	ck_assert_uint_eq(st.run.lr, 0x10008004u);
	/* TPIDRURW: the guest's, back as the kernel saved it. */
	ck_assert_uint_eq(st.run.tpidrurw, 0xabcd0123u);
	check_run_is_safe();
}
END_TEST

/* An UNDEF at a VFP instruction in the guest kernel: the PC is the
 * instruction's (exc_lr - 4 in ARM state), and the guest gets its UNDEF. */
START_TEST(undef_exit_uses_the_trapping_pc)
{
	struct pv_exit e;
	enum pv_genode_next next;

	put_insn(FAKE_RAM_BASE + 0x100, 0xee300a00u);
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I);
	kernel_exit(PV_GENODE_EXC_UNDEF, FAKE_RAM_BASE + 0x104, PV_MODE_USR);
	ck_assert_int_eq(pv_genode_exit(cpu, &st, &e, &next), 0);
	ck_assert_int_eq(next, PV_GENODE_RUN);
	ck_assert_int_eq(e.reason, PV_TR_UNDEF_INJECT);
	ck_assert_uint_eq(e.pc, FAKE_RAM_BASE + 0x100);
	ck_assert_uint_eq(cpu->cpsr & PV_PSR_M_MASK, PV_MODE_UND);
	ck_assert_uint_eq(st.run.pc, 0x04);
	check_run_is_safe();
}
END_TEST

/* Fault status and address reach the core for aborts only. */
START_TEST(fault_registers_only_for_aborts)
{
	struct pv_trap t;

	pv_vcpu_write_cpsr(cpu, PV_MODE_USR);
	kernel_exit(PV_GENODE_EXC_DABT, 0x10008008u, PV_MODE_USR);
	ck_assert_int_eq(pv_genode_take_exit(cpu, &st, &t), 0);
	ck_assert_int_eq(t.kind, PV_TRAP_DABT);
	ck_assert_uint_eq(cpu->r[15], 0x10008000u);
	ck_assert_uint_eq(t.fsr, 0x805u);
	ck_assert_uint_eq(t.far, 0xdeadbeefu);
	kernel_exit(PV_GENODE_EXC_PABT, 0x10009004u, PV_MODE_USR | PV_PSR_T);
	ck_assert_int_eq(pv_genode_take_exit(cpu, &st, &t), 0);
	ck_assert_int_eq(t.kind, PV_TRAP_PABT);
	ck_assert_uint_eq(cpu->r[15], 0x10009000u);
	ck_assert_uint_eq(t.far, 0xdeadbeefu);
	kernel_exit(PV_GENODE_EXC_IRQ, 0x1000a004u, PV_MODE_USR | PV_PSR_T);
	ck_assert_int_eq(pv_genode_take_exit(cpu, &st, &t), 0);
	ck_assert_int_eq(t.kind, PV_TRAP_IRQ);
	ck_assert_uint_eq(cpu->r[15], 0x1000a000u);     /* the next one */
	ck_assert_uint_eq(t.fsr, 0);
	ck_assert_uint_eq(t.far, 0);
}
END_TEST

/* A state page the kernel cannot have written, and exits it cannot
 * report, change nothing. */
START_TEST(bad_exits_change_nothing)
{
	struct pv_vcpu before;
	struct pv_trap t;
	struct pv_exit e;
	enum pv_genode_next next = PV_GENODE_RUN;

	pv_vcpu_write_cpsr(cpu, PV_MODE_USR);
	before = *cpu;
	kernel_exit(PV_GENODE_EXC_SVC, 0x10008004u, PV_MODE_SVC); /* not USR */
	ck_assert_int_eq(pv_genode_take_exit(cpu, &st, &t), PV_ESTATE);
	ck_assert_int_eq(pv_genode_exit(cpu, &st, &e, &next), PV_ESTATE);
	ck_assert_int_eq(next, PV_GENODE_STOP);
	kernel_exit(0, 0x10008004u, PV_MODE_USR);
	ck_assert_int_eq(pv_genode_take_exit(cpu, &st, &t), PV_EINVAL);
	kernel_exit(PV_GENODE_EXC_FIQ + 1, 0x10008004u, PV_MODE_USR);
	ck_assert_int_eq(pv_genode_take_exit(cpu, &st, &t), PV_EINVAL);
	kernel_exit(PV_GENODE_EXC_SVC, 0x10008004u, PV_MODE_USR);
	st.version = PV_GENODE_STATE_VERSION + 1;
	ck_assert_int_eq(pv_genode_take_exit(cpu, &st, &t), PV_ESTATE);
	st.version = PV_GENODE_STATE_VERSION;
	st.magic = 0;
	ck_assert_int_eq(pv_genode_take_exit(cpu, &st, &t), PV_ESTATE);
	ck_assert_mem_eq(cpu, &before, sizeof(before));
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_SVC), 0);
}
END_TEST

/* The run half is never filled for a state the kernel would refuse. */
START_TEST(fill_run_refuses_what_the_kernel_refuses)
{
	struct pv_resume rs;
	struct pv_genode_vcpu_state before;

	pv_vcpu_resume_state(cpu, &rs);
	before = st;
	rs.host_cpsr = (rs.host_cpsr & ~0x1fu) | PV_MODE_SVC;
	ck_assert_int_eq(pv_genode_fill_run(cpu, &rs, &st), PV_ESTATE);
	pv_vcpu_resume_state(cpu, &rs);
	rs.ttbr0 = pv_hpa(0x100004000ull);
	ck_assert_int_eq(pv_genode_fill_run(cpu, &rs, &st), PV_ERANGE);
	ck_assert_mem_eq(&st, &before, sizeof(st));
	pv_vcpu_resume_state(cpu, &rs);
	ck_assert_int_eq(pv_genode_fill_run(cpu, &rs, &st), 0);
	check_run_is_safe();
}
END_TEST

/* WFI: the loop waits; a poll after an event that does not wake the vCPU
 * waits again; once an interrupt is pending it runs on after the WFI. */
START_TEST(wfi_waits_then_polls_to_run)
{
	struct pv_gic *g = &vm->dev.gic;
	struct pv_exit e;
	enum pv_genode_next next;

	put_insn(FAKE_RAM_BASE + 0x200, 0xe320f003u); /* wfi */
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I);
	kernel_exit(PV_GENODE_EXC_UNDEF, FAKE_RAM_BASE + 0x204, PV_MODE_USR);
	ck_assert_int_eq(pv_genode_exit(cpu, &st, &e, &next), 0);
	ck_assert_int_eq(next, PV_GENODE_WAIT);
	ck_assert_int_eq(pv_genode_poll(cpu, &st, &e, &next), 0);
	ck_assert_int_eq(next, PV_GENODE_WAIT);
	/* An SGI to itself: WFI ends even with CPSR.I set. */
	pv_gic_dist_write(g, 0x000, 4, 1);
	pv_gic_cpu_write(g, 0x000, 4, 1);
	pv_gic_cpu_write(g, 0x004, 4, 0xf0);
	pv_gic_dist_write(g, 0xf00, 4, (2u << 24) | 1);
	ck_assert_int_eq(pv_genode_poll(cpu, &st, &e, &next), 0);
	ck_assert_int_eq(next, PV_GENODE_RUN);
	ck_assert_uint_eq(st.run.pc, FAKE_RAM_BASE + 0x204);
	check_run_is_safe();
}
END_TEST

/* PSCI SYSTEM_OFF through SMC: the vCPU stops, and the loop with it. */
START_TEST(system_off_stops_the_loop)
{
	struct pv_exit e;
	enum pv_genode_next next;

	put_insn(FAKE_RAM_BASE + 0x300, 0xe1600070u); /* smc #0 */
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC | PV_PSR_I);
	kernel_exit(PV_GENODE_EXC_UNDEF, FAKE_RAM_BASE + 0x304, PV_MODE_USR);
	st.exit.r[0] = 0x84000008u;
	ck_assert_int_eq(pv_genode_exit(cpu, &st, &e, &next), 0);
	ck_assert_int_eq(next, PV_GENODE_STOP);
	ck_assert_int_eq(e.action, PV_ACTION_STOP);
	ck_assert_int_eq(e.stop, PV_STOP_POWEROFF);
}
END_TEST

/* ---- the <config> node ---------------------------------------------- */

/* A node's attributes: "name", "value" pairs, NULL-terminated. */
static const char *attr_of(void *ctx, const char *name)
{
	const char *const *kv = ctx;

	for (; kv[0]; kv += 2)
		if (!strcmp(kv[0], name))
			return kv[1];
	return NULL;
}

static int parse(const char *const *kv, struct pv_genode_config *c,
		 char *why)
{
	return pv_genode_config_parse(attr_of, (void *)kv, c, why, 160);
}

START_TEST(config_defaults_and_values)
{
	static const char *const none[] = { NULL };
	static const char *const all[] = {
		"ram_mib", "96", "vcpus", "4", "board", "virtio",
		"kernel", "vmlinux-6.1.Image", "sites", "k.sites", "dtb", "b.dtb",
		"initrd", "root_fs.cpio", "stubs", "",
		"bootargs", "console=ttyAMA0 earlycon pvshell root=/dev/vda", NULL,
	};
	struct pv_genode_config c;
	char why[160];

	ck_assert_int_eq(parse(none, &c, why), 0);
	ck_assert_uint_eq(c.ram_mib, 128);
	ck_assert_uint_eq(c.vcpus, 1);
	ck_assert(!c.virtio_board);
	ck_assert_str_eq(c.kernel, "Image");
	ck_assert_str_eq(c.sites, "Image.sites");
	ck_assert_str_eq(c.dtb, "linux.dtb");
	ck_assert_str_eq(c.stubs, "");
	ck_assert_str_eq(c.initrd, "");
	ck_assert(!c.has_bootargs);
	ck_assert_int_eq(parse(all, &c, why), 0);
	ck_assert(c.has_bootargs);
	ck_assert_str_eq(c.bootargs, "console=ttyAMA0 earlycon pvshell root=/dev/vda");
	ck_assert_uint_eq(c.ram_mib, 96);
	ck_assert_uint_eq(c.vcpus, 4);
	ck_assert(c.virtio_board);
	ck_assert_str_eq(c.kernel, "vmlinux-6.1.Image");
	ck_assert_str_eq(c.initrd, "root_fs.cpio");
}
END_TEST

/* Every refusal names its attribute, and leaves the output alone. */
START_TEST(config_refusals_say_why)
{
	static const struct {
		const char *key, *value, *says;
	} bad[] = {
		{ "ram_mib", "95", "96 to 128" },
		{ "ram_mib", "129", "96 to 128" },
		{ "ram_mib", "0x80", "96 to 128" },
		{ "ram_mib", "", "96 to 128" },
		{ "ram_mib", "99999999999999999999", "96 to 128" },
		{ "vcpus", "0", "1 to 4" },
		{ "vcpus", "5", "1 to 4" },
		{ "vcpus", "-1", "1 to 4" },
		{ "board", "vexpress", "\"default\" or \"virtio\"" },
		{ "kernel", "", "cannot boot without it" },
		{ "dtb", "../etc/dtb", "letters, digits" },
		{ "sites", "a b", "letters, digits" },
		{ "initrd",
		  "a123456789012345678901234567890123456789012345678901234567890123",
		  "at most 63" },
		{ "bootargs", "console=ttyAMA0\nquiet", "printable ASCII" },
		{ "bootargs", "a\x7f", "printable ASCII" },
	};
	struct pv_genode_config c, before;
	char why[160];

	memset(&c, 0x5a, sizeof(c));
	before = c;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *kv[] = { bad[i].key, bad[i].value, NULL };

		ck_assert_int_eq(parse(kv, &c, why), PV_EINVAL);
		ck_assert_msg(strstr(why, bad[i].key) && strstr(why, bad[i].says),
			      "%s=\"%s\": \"%s\"", bad[i].key, bad[i].value, why);
		/* The message stays one printable line. */
		for (const char *p = why; *p; p++)
			ck_assert(*p >= 0x20 && *p < 0x7f);
		ck_assert_mem_eq(&c, &before, sizeof(c));
	}
	/* Stubs need one vCPU; with one they are fine. */
	{
		const char *kv[] = { "vcpus", "2", "stubs", "Image.stubs", NULL };
		const char *one[] = { "stubs", "Image.stubs", NULL };

		ck_assert_int_eq(parse(kv, &c, why), PV_EINVAL);
		ck_assert_ptr_nonnull(strstr(why, "stubs need one vCPU"));
		ck_assert_int_eq(parse(one, &c, why), 0);
		ck_assert_str_eq(c.stubs, "Image.stubs");
	}
	/* 1023 characters of command line are the most. */
	{
		static char args[PV_GENODE_BOOTARGS_MAX + 1];
		const char *kv[] = { "bootargs", args, NULL };

		memset(args, 'x', PV_GENODE_BOOTARGS_MAX - 1);
		ck_assert_int_eq(parse(kv, &c, why), 0);
		ck_assert_uint_eq(strlen(c.bootargs), PV_GENODE_BOOTARGS_MAX - 1);
		args[PV_GENODE_BOOTARGS_MAX - 1] = 'x';
		before = c;
		ck_assert_int_eq(parse(kv, &c, why), PV_EINVAL);
		ck_assert_ptr_nonnull(strstr(why, "at most 1023"));
		ck_assert_mem_eq(&c, &before, sizeof(c));
	}
	/* A 63-character name is the longest. */
	{
		const char *kv[] = { "initrd",
		  "a12345678901234567890123456789012345678901234567890123456789012",
		  NULL };

		ck_assert_int_eq(parse(kv, &c, why), 0);
	}
}
END_TEST

/* Debian armmp's TEXT_OFFSET is 0x208000 (tools/mk-linux-image.sh). */
START_TEST(images_go_where_pvbm_puts_them)
{
	static const char *const none[] = { NULL };
	struct pv_genode_config c;
	struct pv_genode_layout l;
	char why[160];

	ck_assert_int_eq(parse(none, &c, why), 0);
	ck_assert_int_eq(pv_genode_place(&c, 0xc0208000u, 9u << 20, 30000,
					 20u << 20, &l, why, sizeof(why)), 0);
	ck_assert_uint_eq(l.kernel, 0x10208000u);
	ck_assert_uint_eq(l.dtb, 0x13ff0000u);
	ck_assert_uint_eq(l.initrd, 0x14000000u);
	/* 128 MiB: the initramfs may take the top 64 MiB, not a byte more. */
	ck_assert_int_eq(pv_genode_place(&c, 0xc0208000u, 9u << 20, 30000,
					 64u << 20, &l, why, sizeof(why)), 0);
	ck_assert_int_eq(pv_genode_place(&c, 0xc0208000u, 9u << 20, 30000,
					 (64u << 20) + 1, &l, why, sizeof(why)),
			 PV_ERANGE);
	ck_assert_ptr_nonnull(strstr(why, "does not fit in 128 MiB"));
	ck_assert_int_eq(pv_genode_place(&c, 0xc0208000u, 0x03de8001u, 30000,
					 0, &l, why, sizeof(why)), PV_ERANGE);
	ck_assert_ptr_nonnull(strstr(why, "runs into the device tree"));
	ck_assert_int_eq(pv_genode_place(&c, 0xc0208000u, 9u << 20, 65537,
					 0, &l, why, sizeof(why)), PV_ERANGE);
	ck_assert_int_eq(pv_genode_place(&c, 0xbfff8000u, 9u << 20, 30000,
					 0, &l, why, sizeof(why)), PV_ERANGE);
	ck_assert_int_eq(pv_genode_place(&c, 0xc2000000u, 9u << 20, 30000,
					 0, &l, why, sizeof(why)), PV_ERANGE);
	/* A short @why is cut, never overrun. */
	ck_assert_int_eq(pv_genode_place(&c, 0xc0208000u, 9u << 20, 65537,
					 0, &l, why, 8), PV_ERANGE);
	ck_assert_uint_eq(strlen(why), 7);
}
END_TEST


/*
 * Genode's ROM modules are whole pages: each piece arrives with zeros after
 * its end. The trim gives back the pieces' own sizes, which pvcore's exact
 * checks need (the run under Genode failed on exactly this), and never
 * grows a size on a header's word.
 */
#define ROM_PAGE 4096u

static uint32_t rom_sites[ROM_PAGE / 4], rom_stubs[ROM_PAGE / 4];
static uint8_t rom_image[3 * ROM_PAGE], rom_dtb[ROM_PAGE];
static size_t rom_stubs_own;

static size_t rom_pieces(struct pv_linux_images *im, uint32_t image_size)
{
	static const uint32_t dtb_words[] = {
		0xedfe0dd0u /* 0xd00dfeed, big-endian */, 0x28000000u /* 40 */,
	};
	struct pv_patch_site site = {
		0xc0208100u, 0xf1080080u /* CPSIE I */, 0, PV_IC_CPS, 0,
	};
	static const struct pv_stub stub = {
		0xc0208100u, 0xc0f01040u, 7, 1, PV_STUB_MRS_CPSR,
		{ 6, PV_STUB_NO_EXIT, PV_STUB_NO_EXIT, PV_STUB_NO_EXIT }
	};
	size_t own;

	memset(rom_sites, 0, sizeof(rom_sites));
	memset(rom_image, 0x5a, sizeof(rom_image));
	memset(rom_dtb, 0, sizeof(rom_dtb));
	site.patched = pv_patch_marker_a32(PV_IC_CPS);
	memcpy(rom_image + 0x100, &site.patched, 4);
	own = tf_site_file(rom_sites, &site, 1, 0xc0208000u, image_size);
	memcpy(rom_dtb, dtb_words, sizeof(dtb_words));
	memset(rom_stubs, 0, sizeof(rom_stubs));
	rom_stubs_own = tf_stub_file(rom_stubs, &stub, 1, 0xc0f00000u,
				     0x100000u, 0xc0208000u);
	*im = (struct pv_linux_images){
		.image = rom_image, .image_size = sizeof(rom_image),
		.sites = rom_sites, .sites_size = sizeof(rom_sites),
		.stubs = rom_stubs, .stubs_size = sizeof(rom_stubs),
		.dtb = rom_dtb, .dtb_size = sizeof(rom_dtb),
	};
	return own;
}

START_TEST(rom_pages_are_trimmed_to_the_pieces)
{
	struct pv_linux_images im, before;
	struct pv_patch_table t;
	struct pv_stub_table st;
	size_t own = rom_pieces(&im, 2 * ROM_PAGE + 12);

	/* As the ROMs come, pvcore refuses the tables (the sizes must add
	 * up exactly), which is what pv_vmm first ran into. */
	ck_assert_int_eq(pv_patch_table_parse(im.sites, im.sites_size, &t),
			 PV_ECORRUPT);
	ck_assert_int_ne(pv_stub_table_parse(im.stubs, im.stubs_size, &st), 0);
	pv_genode_trim_roms(&im);
	ck_assert_uint_eq(im.sites_size, own);
	ck_assert_uint_eq(im.stubs_size, rom_stubs_own);
	ck_assert_uint_eq(im.image_size, 2 * ROM_PAGE + 12);
	ck_assert_uint_eq(im.dtb_size, 40);
	ck_assert_int_eq(pv_patch_table_parse(im.sites, im.sites_size, &t), 0);
	ck_assert_uint_eq(t.image_size, im.image_size);
	ck_assert_int_eq(pv_stub_table_parse(im.stubs, im.stubs_size, &st), 0);
	ck_assert_uint_eq(st.count, 1);

	/* Headers that claim more than the ROM holds change nothing. */
	own = rom_pieces(&im, sizeof(rom_image) + 4);
	rom_sites[6] = ROM_PAGE;          /* strtab_size: past the ROM */
	rom_stubs[2] = ROM_PAGE;          /* count: past the ROM */
	rom_dtb[4] = 0x00;
	rom_dtb[5] = 0x00;
	rom_dtb[6] = 0x10;
	rom_dtb[7] = 0x01;                /* totalsize 4097 */
	before = im;
	pv_genode_trim_roms(&im);
	ck_assert_mem_eq(&im, &before, sizeof(im));

	/* Words that would overflow 64 bits when multiplied, and no magic. */
	(void)rom_pieces(&im, 100);
	rom_sites[2] = 0xffffffffu;       /* count */
	rom_sites[3] = 0xffffffffu;       /* entry_size */
	rom_stubs[2] = 0xffffffffu;
	rom_stubs[3] = 0xffffffffu;
	rom_dtb[0] = 0;
	before = im;
	pv_genode_trim_roms(&im);
	ck_assert_uint_eq(im.sites_size, before.sites_size);
	ck_assert_uint_eq(im.stubs_size, before.stubs_size);
	ck_assert_uint_eq(im.dtb_size, before.dtb_size);
	(void)rom_pieces(&im, 100);
	rom_sites[0] ^= 1u;               /* magic */
	rom_stubs[0] ^= 1u;
	before = im;
	pv_genode_trim_roms(&im);
	ck_assert_uint_eq(im.sites_size, before.sites_size);
	ck_assert_uint_eq(im.stubs_size, before.stubs_size);
	ck_assert_uint_eq(im.image_size, before.image_size);
	ck_assert_uint_eq(im.dtb_size, 40);

	/* No pieces at all: nothing to do, nothing read. */
	memset(&im, 0, sizeof(im));
	pv_genode_trim_roms(&im);
	ck_assert_uint_eq(im.sites_size + im.image_size + im.dtb_size, 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("genode_exit");
	TCase *t = tcase_create("exit");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, svc_exit_reflects_and_fills_the_run_half);
	tcase_add_test(t, undef_exit_uses_the_trapping_pc);
	tcase_add_test(t, fault_registers_only_for_aborts);
	tcase_add_test(t, bad_exits_change_nothing);
	tcase_add_test(t, fill_run_refuses_what_the_kernel_refuses);
	tcase_add_test(t, wfi_waits_then_polls_to_run);
	tcase_add_test(t, system_off_stops_the_loop);
	suite_add_tcase(s, t);
	t = tcase_create("config");
	tcase_add_test(t, config_defaults_and_values);
	tcase_add_test(t, config_refusals_say_why);
	tcase_add_test(t, images_go_where_pvbm_puts_them);
	tcase_add_test(t, rom_pages_are_trimmed_to_the_pieces);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
