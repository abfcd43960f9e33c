// SPDX-License-Identifier: MIT
/*
 * The guest against the device models: every offset of every virtual
 * device read and written at every width with garbage, multi-word and
 * exclusive accesses, and from user mode (its kernel maps the GIC to it)
 * the accesses pvcore cannot emulate: VFP and NEON loads and stores, TBB,
 * unaligned words, SWP.
 *
 * - the models answer everything in range (RAZ/WI where nothing is
 *   implemented); a device access the bus cannot serve is an external
 *   abort, never an UNDEF or a stop, and the GIC works afterwards;
 * - from user mode, what pvcore cannot emulate is an external abort
 *   (FS 0b01000 at the address) and the VM runs on
 *   (docs/threat-model.md); unaligned and exclusive accesses to Device
 *   memory are UNPREDICTABLE: an abort or a completed access;
 * - from the guest kernel, VFP/NEON and TBB device accesses stop the VM
 *   cleanly (PV_STOP_FATAL with the reason): the *_stop scenarios.
 */
#include "hostile.h"

struct dev {
	const char *name;
	u32 base, size;
	u32 nowrite_lo, nowrite_hi; /* offsets not to write garbage to */
};

static const struct dev devs[] = {
	{ "scu", PERIPH, 0x100, 1, 0 },
	{ "gicc", GICC, 0x100, 1, 0 },
	{ "global timer", GT, 0x100, 1, 0 },
	/* The TWD's watchdog half: watchdog mode resets the board, which
	 * the guest may ask for but which is no attack on the VMM. */
	{ "twd", TWD, 0x100, 0x20, 0x37 },
	{ "gicd", GICD, 0x1000, 1, 0 },
	/* The PL011's data register would print the garbage. */
	{ "pl011", 0x1c090000u, 0x1000, 0x00, 0x03 },
};

/* One access each, so that an abort skips exactly it (rt.c). */
#define LD(name, insn)                                                       \
	static u32 name(u32 a)                                               \
	{                                                                    \
		u32 v = 0xdeaddeadu;                                         \
		__asm__ volatile(insn " %0, [%1]" : "+r"(v) : "r"(a) : "memory"); \
		return v;                                                    \
	}
#define ST(name, insn)                                                       \
	static void name(u32 a, u32 v)                                       \
	{                                                                    \
		__asm__ volatile(insn " %0, [%1]" :: "r"(v), "r"(a) : "memory"); \
	}
LD(ld8, "ldrb")
LD(ld16, "ldrh")
LD(ld32, "ldr")
ST(st8, "strb")
ST(st16, "strh")
ST(st32, "str")

static volatile u32 bad_x; /* exceptions other than an external abort */

static bool flood_hook(unsigned type, struct xframe *f)
{
	if (type != X_DABT || (last_x.fsr & 0x40f) != FS_EXT)
		bad_x++;
	return false; /* skip the access */
}

SCENARIO(mmio_flood_kernel, 0)
{
	static const u32 garbage[] = { 0xffffffffu, 0, 0xa5a5a5a5u, 0x5a5a5a5au };
	u32 reads = 0, writes = 0;

	mmu_base(L1_A);
	mmu_on(L1_A, 1);
	x_reset();
	bad_x = 0;
	x_hook[X_DABT] = flood_hook;
	for (unsigned d = 0; d < sizeof(devs) / sizeof(devs[0]); d++) {
		const struct dev *v = &devs[d];
		u32 before = x_count;

		for (u32 off = 0; off < v->size; off++) {
			u32 a = v->base + off;
			bool w = off < v->nowrite_lo || off > v->nowrite_hi;

			ld8(a);
			reads++;
			if (!(off & 1)) {
				ld16(a);
				reads++;
			}
			if (!(off & 3)) {
				ld32(a);
				reads++;
			}
			if (!w)
				continue;
			if (!(off & 3)) {
				for (unsigned g = 0; g < 4; g++)
					st32(a, garbage[g]);
				writes += 4;
			} else {
				st8(a, 0xff);
				writes++;
			}
			if ((off & 3) == 2) {
				st16(a, 0xffff);
				writes++;
			}
		}
		out_puts("# ");
		out_puts(v->name);
		out_puts(": external aborts ");
		out_dec(x_count - before);
		out_puts("\n");
	}
	/* Multi-word and exclusive forms on the GIC's priority bytes. */
	{
		u32 a = GICD_PRIO + 0x20, r0 = 0, r1 = 0, st = 5;

		__asm__ volatile("mov r2, %2\n\tmov r3, %3\n\tstrd r2, r3, [%4]\n\t"
				 "ldrd r2, r3, [%4]\n\tmov %0, r2\n\tmov %1, r3"
				 : "=r"(r0), "=r"(r1)
				 : "r"(0xa0b0c0d0u), "r"(0x10203040u), "r"(a)
				 : "r2", "r3", "memory");
		expect("strd/ldrd through the GIC", r0 ^ r1, 0xa0b0c0d0u ^ 0x10203040u);
		__asm__ volatile("ldm %1, {r2-r5}\n\tstm %1, {r2-r5}\n\t"
				 "ldrex r2, [%1]\n\tstrex %0, r2, [%1]"
				 : "=&r"(st) : "r"(a) : "r2", "r3", "r4", "r5",
				   "memory");
		expect_ok("ldrex/strex through the GIC: status", st <= 1, st);
	}
	/* Unaligned, and across the end of a device: UNPREDICTABLE. */
	ld32(GICD_PRIO + 1);
	ld32(GICC + 0xfe);
	st32(TWD + 0xfe, 0);
	out_puts("# reads ");
	out_dec(reads);
	out_puts(", writes ");
	out_dec(writes);
	out_puts(", external aborts ");
	out_dec(x_count);
	out_puts("\n");
	expect("exceptions other than external aborts", bad_x, 0);
	mmu_off();

	/* The GIC works afterwards: drain the SGIs the garbage sent (only an
	 * acknowledge clears a GICv1 SGI), then one SGI, polled. */
	gic_off();
	gic_setup();
	for (unsigned i = 0; i < 64; i++) {
		u32 iar = gic_ack();

		if ((iar & 0x3ff) >= 1020)
			break;
		gic_eoi(iar);
	}
	expect("GIC after the flood: drained", rd32(GICC_HPPIR) & 0x3ff, 1023);
	wr32(GICD_SGIR, (2u << 24) | 7);
	{
		u32 iar = gic_ack();

		expect("GIC after the flood: SGI 7", iar & 0x3ff, 7);
		gic_eoi(iar);
	}
	expect("GIC after the flood: nothing else",
	       rd32(GICC_HPPIR) & 0x3ff, 1023);
	gic_off();
}

/* ---- from user mode ---- */

#define UGIC 0x60000000u /* the MPCore page, user-mapped */
#define UGICD (UGIC + 0x1000u)

static void vfp_on(void)
{
	MCR(0, 1, 0, 2, 0x00f00000u);
	isb();
	__asm__ volatile(".fpu vfpv3\n\tvmsr fpexc, %0" :: "r"(0x40000000u));
}

static void vfp_off(void)
{
	__asm__ volatile(".fpu vfpv3\n\tvmsr fpexc, %0" :: "r"(0u));
	MCR(0, 1, 0, 2, 0);
	isb();
}

static u32 u_vldr(u32 a)
{
	__asm__ volatile(".fpu vfpv3\n\tvldr d0, [%0]" :: "r"(a) : "d0", "memory");
	return 0;
}

static u32 u_vstr(u32 a)
{
	__asm__ volatile(".fpu vfpv3\n\tvstr d0, [%0]" :: "r"(a) : "memory");
	return 0;
}

static u32 u_vldm(u32 a)
{
	__asm__ volatile(".fpu vfpv3\n\tvldmia %0, {d0-d1}" :: "r"(a)
			 : "d0", "d1", "memory");
	return 0;
}

static u32 u_vld1(u32 a)
{
	__asm__ volatile(".fpu neon\n\tvld1.32 {d0}, [%0]" :: "r"(a)
			 : "d0", "memory");
	return 0;
}

static u32 u_vst1(u32 a)
{
	__asm__ volatile(".fpu neon\n\tvst1.8 {d0}, [%0]" :: "r"(a) : "memory");
	return 0;
}

static __attribute__((target("thumb"), noinline)) u32 u_tbb(u32 a)
{
	__asm__ volatile("mov r1, #0\n\ttbb [%0, r1]\n\tnop\n\tnop"
			 :: "r"(a) : "r1", "memory");
	return 0;
}

static u32 u_swp(u32 a)
{
	u32 v;

	__asm__ volatile("mov r2, %1\n\tmov r1, #1\n\tmov r0, #0\n\t"
			 ".word 0xe1020091\n\t" /* swp r0, r1, [r2] */
			 "mov %0, r0"
			 : "=r"(v) : "r"(a) : "r0", "r1", "r2", "memory");
	return v;
}

static u32 u_ldr(u32 a) { return ld32(a); }
static u32 u_ldrb(u32 a) { return ld8(a); }
static u32 u_str(u32 a) { st32(a, 0xc0c0c0c0u); return 0; }

static u32 u_ldrd(u32 a)
{
	u32 x, y;

	__asm__ volatile("ldrd r2, r3, [%2]\n\tmov %0, r2\n\tmov %1, r3"
			 : "=r"(x), "=r"(y) : "r"(a) : "r2", "r3", "memory");
	return x ^ y;
}

static u32 u_ldm(u32 a)
{
	u32 s;

	__asm__ volatile("ldm %1, {r2-r5}\n\tadd %0, r2, r5"
			 : "=r"(s) : "r"(a) : "r2", "r3", "r4", "r5", "memory");
	return s;
}

/* Pre-indexed with write-back and post-indexed: the base moves right. */
static u32 u_wb(u32 a)
{
	u32 b = a, v;

	__asm__ volatile("ldr %0, [%1, #4]!\n\tldr %0, [%1], #-8"
			 : "=&r"(v), "+r"(b) :: "memory");
	return b - a;
}

static u32 u_ldrex(u32 a)
{
	u32 v, st;

	__asm__ volatile("ldrex %0, [%2]\n\tstrex %1, %0, [%2]"
			 : "=&r"(v), "=&r"(st) : "r"(a) : "memory");
	return st;
}

static u32 u_unaligned(u32 a) { return ld32(a + 1); }
static u32 u_pld(u32 a) { __asm__ volatile("pld [%0]" :: "r"(a)); return 0; }

SCENARIO(mmio_user, 0)
{
	u32 typer, v;

	mmu_base(L1_A);
	map_section(L1_A, UGIC, PERIPH, MEM_DEVICE | S_AP(3) | S_XN);
	mmu_on(L1_A, 1);
	vfp_on();
	gic_setup();
	typer = rd32(GICD + 4);

	x_reset();
	expect("user ldr GICD_TYPER", run_user(u_ldr, UGICD + 4), typer);
	expect("user ldrb", run_user(u_ldrb, UGICD + 4), typer & 0xff);
	run_user(u_str, UGICD + 0x420);
	expect("user str lands in the GIC", rd32(GICD + 0x420), 0xc0c0c0c0u);
	expect("user ldrd", run_user(u_ldrd, UGICD + 0x420),
	       0xc0c0c0c0u ^ rd32(GICD + 0x424));
	run_user(u_ldm, UGICD + 0x420);
	expect("user base write-back", run_user(u_wb, UGICD + 0x420),
	       (u32)-4);
	run_user(u_pld, UGICD);
	expect("plain accesses: exceptions", x_count, 0);

	/* What pvcore cannot emulate: an external abort, the VM runs on. */
	{
		static const struct { const char *what; u32 (*fn)(u32);
				      bool store; } ext[] = {
			{ "vldr", u_vldr, false },
			{ "vstr", u_vstr, true },
			{ "vldmia", u_vldm, false },
			{ "vld1.32", u_vld1, false },
			{ "vst1.8", u_vst1, true },
		};

		for (unsigned i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
			x_reset();
			run_user(ext[i].fn, UGICD + 0x400);
			out_puts("  user ");
			out_puts(ext[i].what);
			out_puts(" on the GIC: ");
			out_dec(x_count);
			out_puts(" exc, type ");
			out_dec(last_x.type);
			out_puts(" fsr ");
			out_hex(last_x.fsr);
			out_puts(" far ");
			out_hex(last_x.far);
			out_puts("\n");
			expect(nm("user ", NONUM, ext[i].what), x_summary(),
			       X_DABT << 8 | 1);
			expect(nm("fsr of user ", NONUM, ext[i].what),
			       last_x.fsr & FSR_MASK,
			       FS_EXT | (ext[i].store ? FSR_WNR : 0));
			expect(nm("far of user ", NONUM, ext[i].what), last_x.far,
			       UGICD + 0x400);
			expect(nm("mode of user ", NONUM, ext[i].what),
			       last_x.spsr & 0x1f, M_USR);
		}
	}
	x_reset();
	run_user((u32 (*)(u32))((u32)u_tbb | 1), UGICD + 0x400);
	expect("user tbb on the GIC", x_summary(), X_DABT << 8 | 1);
	expect("user tbb: fsr", last_x.fsr & FSR_MASK, FS_EXT);
	expect("user tbb: far", last_x.far, UGICD + 0x400);

	/* UNPREDICTABLE on Device memory: an abort or a completed access,
	 * from user mode never an UNDEF of the VMM's making or a stop. */
	x_reset();
	v = run_user(u_ldrex, UGICD + 0x400);
	expect_ok("user ldrex/strex: completed (status 0/1) or aborted",
		  (x_count == 0 && v <= 1) ||
			  (last_x.type == X_DABT &&
			   (last_x.fsr & 0x40f) == FS_EXT),
		  x_summary());
	x_reset();
	run_user(u_unaligned, UGICD + 0x400);
	expect_ok("user unaligned ldr: completed or alignment/external abort",
		  x_count == 0 ||
			  (x_count == 1 && last_x.type == X_DABT &&
			   ((last_x.fsr & 0x40f) == FS_ALIGN ||
			    (last_x.fsr & 0x40f) == FS_EXT)),
		  x_summary() << 16 | (last_x.fsr & 0xffff));
	x_reset();
	run_user(u_swp, UGICD + 0x400);
	expect_ok("user swp: UNDEF or external abort",
		  x_count == 1 && (last_x.type == X_UND ||
				   (last_x.type == X_DABT &&
				    (last_x.fsr & 0x40f) == FS_EXT)),
		  x_summary());

	vfp_off();
	gic_off();
	mmu_off();
	expect("still in SVC", get_mode(), M_SVC);
}

/* ---- from the guest kernel: clean stops ---- */

static void kernel_stop_setup(void)
{
	mmu_base(L1_A);
	mmu_on(L1_A, 1);
	vfp_on();
}

SCENARIO(mmio_kernel_vfp_stop, 0)
{
	kernel_stop_setup();
	expect_stop("kernel VLDR from the GIC (PV_EUNDEF/PV_ENOTOURS)");
	u_vldr(GICD + 0x400);
	stop_missed();
}

SCENARIO(mmio_kernel_neon_stop, 0)
{
	kernel_stop_setup();
	expect_stop("kernel VST1 to the GIC (PV_EUNDEF/PV_ENOTOURS)");
	u_vst1(GICD + 0x400);
	stop_missed();
}

SCENARIO(mmio_kernel_tbb_stop, 0)
{
	kernel_stop_setup();
	expect_stop("kernel TBB through the GIC (PV_EUNDEF/PV_ENOTOURS)");
	((u32 (*)(u32))((u32)u_tbb | 1))(GICD + 0x400);
	stop_missed();
}
