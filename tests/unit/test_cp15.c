/* SPDX-License-Identifier: MIT */
/*
 * The virtual CP15/CP14: reset values, write masks, read-only/write-only
 * UNDEF cases, PL0 accessibility, registers that must not exist on a
 * Non-secure Cortex-A9, and side effects observed through the fake
 * backend. Expected values are the Cortex-A9 r2p10 / ARMv7 ones, written
 * here independently of the table in libpvcore/cp15.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cp15.h"

#include "core.h"
#include "fake_backend.h"

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;
static struct pv_vcpu *cpu;

static void setup(void)
{
	ck_assert_int_eq(fake_backend_setup(&fb, &cfg), 0);
	cfg.num_vcpus = 2;
	vm = calloc(1, sizeof(*vm));
	ck_assert_ptr_nonnull(vm);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	cpu = &vm->vcpu[0];
}

static void teardown(void)
{
	free(vm);
	fake_backend_teardown(&fb);
}

static struct pv_cp_access A(unsigned cp, unsigned o1, unsigned n, unsigned m,
			     unsigned o2, bool rd)
{
	struct pv_cp_access a = { (uint8_t)cp, (uint8_t)o1, (uint8_t)n,
				  (uint8_t)m, (uint8_t)o2, false, rd };
	return a;
}

static int rd(struct pv_vcpu *c, unsigned cp, unsigned o1, unsigned n,
	      unsigned m, unsigned o2, uint32_t *v)
{
	struct pv_cp_access a = A(cp, o1, n, m, o2, true);
	uint32_t val[2] = { 0xdeadbeefu, 0 };
	int err = pv_cp_read(c, &a, val);

	*v = val[0];
	return err;
}

static int wr(struct pv_vcpu *c, unsigned cp, unsigned o1, unsigned n,
	      unsigned m, unsigned o2, uint32_t v)
{
	struct pv_cp_access a = A(cp, o1, n, m, o2, false);
	uint32_t val[2] = { v, 0 };

	return pv_cp_write(c, &a, val);
}

/* Registers with a value at reset, as the Non-secure guest reads them. */
static const struct {
	uint8_t cp, o1, n, m, o2;
	uint32_t reset;
	uint32_t wmask;  /* bits that a write changes; 0 = RO (write UNDEF) */
	bool ro;
} regs[] = {
	{ 15, 0, 0, 0, 0, 0x412fc09au, 0, true },   /* MIDR r2p10 */
	{ 15, 0, 0, 0, 1, 0x83338003u, 0, true },   /* CTR */
	{ 15, 0, 0, 0, 2, 0, 0, true },             /* TCMTR */
	{ 15, 0, 0, 0, 3, 0, 0, true },             /* TLBTR */
	{ 15, 0, 0, 0, 4, 0x412fc09au, 0, true },   /* MIDR aliases */
	{ 15, 0, 0, 0, 6, 0x412fc09au, 0, true },
	{ 15, 0, 0, 0, 7, 0x412fc09au, 0, true },
	{ 15, 0, 0, 0, 5, 0x80000000u, 0, true },   /* MPIDR, CPU 0 */
	{ 15, 0, 0, 1, 0, 0x00001231u, 0, true },   /* ID_PFR0 */
	{ 15, 0, 0, 1, 1, 0x00000011u, 0, true },   /* ID_PFR1: Security */
	{ 15, 0, 0, 1, 2, 0x00010444u, 0, true },   /* ID_DFR0 */
	{ 15, 0, 0, 1, 3, 0, 0, true },             /* ID_AFR0 */
	{ 15, 0, 0, 1, 4, 0x00100103u, 0, true },   /* ID_MMFR0 */
	{ 15, 0, 0, 1, 5, 0x20000000u, 0, true },
	{ 15, 0, 0, 1, 6, 0x01230000u, 0, true },
	{ 15, 0, 0, 1, 7, 0x00102111u, 0, true },
	{ 15, 0, 0, 2, 0, 0x00101111u, 0, true },   /* ID_ISAR0.. */
	{ 15, 0, 0, 2, 1, 0x13112111u, 0, true },
	{ 15, 0, 0, 2, 2, 0x21232041u, 0, true },
	{ 15, 0, 0, 2, 3, 0x11112131u, 0, true },
	{ 15, 0, 0, 2, 4, 0x00111142u, 0, true },
	{ 15, 0, 0, 2, 5, 0, 0, true },
	{ 15, 0, 0, 3, 0, 0, 0, true },             /* reserved ID space RAZ */
	{ 15, 0, 0, 7, 7, 0, 0, true },
	{ 15, 1, 0, 0, 0, 0x701fe019u, 0, true },   /* CCSIDR: 32K L1 D */
	{ 15, 1, 0, 0, 1, 0x09200003u, 0, true },   /* CLIDR */
	{ 15, 1, 0, 0, 7, 0, 0, true },             /* AIDR */
	{ 15, 2, 0, 0, 0, 0, 0xfu, false },         /* CSSELR */
	{ 15, 0, 1, 0, 0, 0x00c50078u, 0x72007c07u, false }, /* SCTLR */
	{ 15, 0, 1, 0, 1, 0x00000041u, 0x40u, false },       /* ACTLR */
	{ 15, 0, 1, 0, 2, 0, 0xc0f00000u, false },           /* CPACR */
	{ 15, 0, 1, 1, 2, 0x00040c00u, 0, true },            /* NSACR */
	{ 15, 0, 2, 0, 0, 0, 0xffffffffu, false },           /* TTBR0 */
	{ 15, 0, 2, 0, 1, 0, 0xffffffffu, false },           /* TTBR1 */
	{ 15, 0, 2, 0, 2, 0, 0x37u, false },                 /* TTBCR */
	{ 15, 0, 3, 0, 0, 0, 0xffffffffu, false },           /* DACR */
	{ 15, 0, 5, 0, 0, 0, 0x1cffu, false },               /* DFSR */
	{ 15, 0, 5, 0, 1, 0, 0x140fu, false },               /* IFSR */
	{ 15, 0, 5, 1, 0, 0, 0xffffffffu, false },           /* ADFSR */
	{ 15, 0, 5, 1, 1, 0, 0xffffffffu, false },           /* AIFSR */
	{ 15, 0, 6, 0, 0, 0, 0xffffffffu, false },           /* DFAR */
	{ 15, 0, 6, 0, 2, 0, 0xffffffffu, false },           /* IFAR */
	{ 15, 0, 7, 4, 0, 0, 0xfffff6ffu, false },           /* PAR */
	{ 15, 0, 9, 12, 0, 0x41093000u, 0x39u, false },      /* PMCR */
	{ 15, 0, 9, 12, 5, 0, 0x1fu, false },                /* PMSELR */
	{ 15, 0, 9, 14, 0, 0, 0x1u, false },                 /* PMUSERENR */
	{ 15, 0, 10, 0, 0, 0, 0x70000001u, false },          /* TLB lockdown */
	{ 15, 0, 10, 2, 0, 0x00098aa4u, 0xffffffffu, false }, /* PRRR */
	{ 15, 0, 10, 2, 1, 0x44e048e0u, 0xffffffffu, false }, /* NMRR */
	{ 15, 0, 12, 0, 0, 0, 0xffffffe0u, false },          /* VBAR */
	{ 15, 0, 12, 1, 0, 0, 0, true },                     /* ISR */
	{ 15, 0, 13, 0, 0, 0, 0, false },                    /* FCSEIDR RAZ/WI */
	{ 15, 0, 13, 0, 1, 0, 0xffffffffu, false },          /* CONTEXTIDR */
	{ 15, 0, 13, 0, 2, 0, 0xffffffffu, false },          /* TPIDRURW */
	{ 15, 0, 13, 0, 3, 0, 0xffffffffu, false },          /* TPIDRURO */
	{ 15, 0, 13, 0, 4, 0, 0xffffffffu, false },          /* TPIDRPRW */
	{ 15, 0, 15, 0, 0, 0, 0x701u, false },               /* A9 power ctrl */
	{ 15, 0, 15, 0, 1, 0, 0xffffffffu, false },          /* A9 diagnostic */
	{ 15, 0, 15, 1, 0, 0, 0, true },                     /* NEON busy */
	{ 15, 4, 15, 0, 0, 0x00a00000u, 0, true },           /* CBAR */
	{ 14, 0, 0, 0, 0, 0x3513102au, 0, true },            /* DBGDIDR */
	{ 14, 0, 0, 1, 0, 0, 0, true },                      /* DBGDSCRint */
	{ 14, 0, 0, 7, 0, 0, 0xde0000deu, false },           /* DBGVCR */
	{ 14, 0, 0, 0, 4, 0, 0xfffffffcu, false },           /* DBGBVR0 */
	{ 14, 0, 0, 5, 5, 0, 0x00f7c1e7u, false },           /* DBGBCR5 */
	{ 14, 0, 0, 1, 6, 0, 0xfffffffcu, false },           /* DBGWVR1 */
	{ 14, 0, 0, 1, 7, 0, 0x1f1f81ffu, false },           /* DBGWCR1 */
	{ 14, 0, 0, 3, 6, 0, 0xfffffffcu, false },           /* DBGWVR3 */
	{ 14, 0, 0, 3, 7, 0, 0x1f1f81ffu, false },           /* DBGWCR3 */
	{ 14, 0, 1, 1, 4, 0, 0, true },                      /* DBGOSLSR */
	{ 14, 0, 1, 5, 4, 1, 0, true },                      /* DBGPRSR: PU */
	{ 14, 0, 1, 0, 0, 0, 0, true },                      /* DBGDRAR */
	{ 14, 0, 2, 0, 0, 0, 0, true },                      /* DBGDSAR */
	{ 14, 6, 0, 0, 0, 0, 0x1u, false },                  /* TEECR */
	{ 14, 6, 1, 0, 0, 0, 0xfffffffcu, false },           /* TEEHBR */
	{ 14, 7, 0, 0, 0, 0, 0, true },                      /* JIDR */
};

START_TEST(table_is_sorted)
{
	ck_assert_int_eq(pv_cp15_check_table(), 0);
}
END_TEST

START_TEST(reset_values)
{
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC);
	for (unsigned i = 0; i < PV_ARRAY_SIZE(regs); i++) {
		uint32_t v;

		ck_assert_msg(rd(cpu, regs[i].cp, regs[i].o1, regs[i].n, regs[i].m,
				 regs[i].o2, &v) == 0,
			      "read p%u %u c%u c%u %u", regs[i].cp, regs[i].o1,
			      regs[i].n, regs[i].m, regs[i].o2);
		ck_assert_msg(v == regs[i].reset,
			      "p%u %u c%u c%u %u: %#x, want %#x", regs[i].cp,
			      regs[i].o1, regs[i].n, regs[i].m, regs[i].o2, v,
			      regs[i].reset);
	}
}
END_TEST

START_TEST(write_masks)
{
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC);
	for (unsigned i = 0; i < PV_ARRAY_SIZE(regs); i++) {
		uint32_t v, before;
		int err;

		rd(cpu, regs[i].cp, regs[i].o1, regs[i].n, regs[i].m, regs[i].o2,
		   &before);
		err = wr(cpu, regs[i].cp, regs[i].o1, regs[i].n, regs[i].m,
			 regs[i].o2, 0xffffffffu);
		if (regs[i].ro) {
			ck_assert_msg(err == PV_EUNDEF, "RO #%u writable", i);
			rd(cpu, regs[i].cp, regs[i].o1, regs[i].n, regs[i].m,
			   regs[i].o2, &v);
			ck_assert_uint_eq(v, before);
			continue;
		}
		ck_assert_msg(err == 0, "RW #%u not writable", i);
		rd(cpu, regs[i].cp, regs[i].o1, regs[i].n, regs[i].m, regs[i].o2, &v);
		ck_assert_msg(v == (before | regs[i].wmask),
			      "#%u after ~0: %#x want %#x", i, v,
			      before | regs[i].wmask);
		wr(cpu, regs[i].cp, regs[i].o1, regs[i].n, regs[i].m, regs[i].o2, 0);
		rd(cpu, regs[i].cp, regs[i].o1, regs[i].n, regs[i].m, regs[i].o2, &v);
		ck_assert_msg(v == (before & ~regs[i].wmask),
			      "#%u after 0: %#x want %#x", i, v,
			      before & ~regs[i].wmask);
	}
}
END_TEST

/* Encodings that a Non-secure Cortex-A9 without LPAE, generic timer,
 * GICv3 system registers or Virtualization Extensions treats as UNDEFINED. */
static const struct {
	uint8_t cp, o1, n, m, o2;
} undef_regs[] = {
	{ 15, 0, 1, 1, 0 },   /* SCR: Secure only */
	{ 15, 0, 1, 1, 1 },   /* SDER */
	{ 15, 0, 12, 0, 1 },  /* MVBAR */
	{ 15, 4, 1, 0, 0 },   /* HSCTLR */
	{ 15, 4, 12, 0, 0 },  /* HVBAR */
	{ 15, 0, 14, 0, 0 },  /* CNTFRQ: no generic timer */
	{ 15, 0, 14, 1, 0 },  /* CNTKCTL */
	{ 15, 0, 12, 12, 5 }, /* ICC_SRE: no GICv3 */
	{ 15, 0, 4, 6, 0 },   /* ICC_PMR */
	{ 15, 1, 9, 0, 2 },   /* L2CTLR (Cortex-A15) */
	{ 15, 0, 9, 15, 0 },  /* not on the A9 */
	{ 15, 0, 6, 0, 1 },   /* WFAR */
	{ 15, 0, 0, 0, 5 + 8 }, /* out-of-range opc2 folds, see below */
	{ 14, 0, 0, 6, 4 },   /* DBGBVR6: only 6 breakpoints */
	{ 14, 0, 0, 4, 6 },   /* DBGWVR4: only 4 watchpoints */
	{ 14, 0, 0, 4, 7 },   /* DBGWCR4 */
	{ 14, 0, 1, 3, 4 },   /* DBGOSDLR: v7.1 only */
	{ 14, 1, 0, 0, 0 },   /* trace */
};

START_TEST(unknown_registers_undef)
{
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC);
	for (unsigned i = 0; i < PV_ARRAY_SIZE(undef_regs); i++) {
		uint32_t v;

		if (undef_regs[i].o2 > 7)
			continue; /* not encodable; kept as a reminder */
		ck_assert_msg(rd(cpu, undef_regs[i].cp, undef_regs[i].o1,
				 undef_regs[i].n, undef_regs[i].m,
				 undef_regs[i].o2, &v) == PV_EUNDEF,
			      "read #%u", i);
		ck_assert_msg(wr(cpu, undef_regs[i].cp, undef_regs[i].o1,
				 undef_regs[i].n, undef_regs[i].m,
				 undef_regs[i].o2, 0) == PV_EUNDEF,
			      "write #%u", i);
	}
	/* 64-bit accesses: no LPAE, no 64-bit CP15/CP14 register on the A9. */
	for (unsigned o1 = 0; o1 < 16; o1++)
		for (unsigned m = 0; m < 16; m++) {
			struct pv_cp_access a = { 15, (uint8_t)o1, 0, (uint8_t)m, 0,
						  true, true };
			uint32_t val[2];

			ck_assert_int_eq(pv_cp_read(cpu, &a, val), PV_EUNDEF);
			a.is_read = false;
			ck_assert_int_eq(pv_cp_write(cpu, &a, val), PV_EUNDEF);
		}
	/* Write-only operations read as UNDEFINED. */
	uint32_t v;
	ck_assert_int_eq(rd(cpu, 15, 0, 8, 7, 0, &v), PV_EUNDEF); /* TLBIALL */
	ck_assert_int_eq(rd(cpu, 15, 0, 7, 5, 0, &v), PV_EUNDEF); /* ICIALLU */
	ck_assert_int_eq(rd(cpu, 15, 0, 7, 8, 0, &v), PV_EUNDEF); /* ATS1CPR */
	ck_assert_int_eq(rd(cpu, 14, 0, 1, 0, 4, &v), PV_EUNDEF); /* DBGOSLAR */
	/* Non-secure: the ATS12NSO* operations are Secure only. */
	for (unsigned o2 = 4; o2 < 8; o2++)
		ck_assert_int_eq(wr(cpu, 15, 0, 7, 8, o2, 0), PV_EUNDEF);
}
END_TEST

/* What PL0 may touch on an A9 (with PMUSERENR.EN = 0, TEECR.XED = 0). */
static bool pl0_ok(unsigned cp, unsigned o1, unsigned n, unsigned m,
		   unsigned o2, bool read)
{
	if (cp == 15 && o1 == 0 && n == 13 && m == 0)
		return o2 == 2 || (o2 == 3 && read);
	if (cp == 15 && o1 == 0 && n == 7 && !read)
		return (m == 5 && o2 == 4) || (m == 10 && (o2 == 4 || o2 == 5));
	if (cp == 15 && o1 == 0 && n == 9 && m == 14 && o2 == 0)
		return read;
	if (cp == 14 && o1 == 0 && read &&
	    ((n == 0 && m == 0 && o2 == 0) || (n == 0 && m == 1 && o2 == 0) ||
	     (n == 1 && m == 0 && o2 == 0) || (n == 2 && m == 0 && o2 == 0)))
		return true;
	if (cp == 14 && o1 == 0 && n == 0 && m == 5 && o2 == 0)
		return true; /* DBGDTRRXint / DBGDTRTXint */
	if (cp == 14 && o1 == 6 && n == 1 && m == 0 && o2 == 0)
		return true; /* TEEHBR */
	if (cp == 14 && o1 == 7 && n == 0 && m == 0 && o2 == 0)
		return read; /* JIDR */
	return false;
}

START_TEST(pl0_accessibility)
{
	/* Every encoding, from USR mode, against the PL0 rules above. */
	pv_vcpu_write_cpsr(cpu, PV_MODE_USR);
	for (unsigned cp = 14; cp <= 15; cp++)
		for (unsigned o1 = 0; o1 < 8; o1++)
			for (unsigned n = 0; n < 16; n++)
				for (unsigned m = 0; m < 16; m++)
					for (unsigned o2 = 0; o2 < 8; o2++) {
						uint32_t v;
						bool r = rd(cpu, cp, o1, n, m, o2, &v) == 0;
						bool w = wr(cpu, cp, o1, n, m, o2, 0) == 0;

						ck_assert_msg(r == pl0_ok(cp, o1, n, m, o2, true),
							      "PL0 read p%u %u c%u c%u %u", cp, o1, n, m, o2);
						ck_assert_msg(w == pl0_ok(cp, o1, n, m, o2, false),
							      "PL0 write p%u %u c%u c%u %u", cp, o1, n, m, o2);
					}
}
END_TEST

START_TEST(pmu_user_enable_and_tee)
{
	uint32_t v;

	pv_vcpu_write_cpsr(cpu, PV_MODE_USR);
	ck_assert_int_eq(rd(cpu, 15, 0, 9, 12, 0, &v), PV_EUNDEF);
	ck_assert_int_eq(wr(cpu, 15, 0, 9, 14, 0, 1), PV_EUNDEF);
	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC);
	ck_assert_int_eq(wr(cpu, 15, 0, 9, 14, 0, 1), 0);
	ck_assert_int_eq(wr(cpu, 14, 6, 0, 0, 0, 1), 0); /* TEECR.XED */
	pv_vcpu_write_cpsr(cpu, PV_MODE_USR);
	ck_assert_int_eq(rd(cpu, 15, 0, 9, 12, 0, &v), 0);
	ck_assert_uint_eq(v, 0x41093000u);
	ck_assert_int_eq(rd(cpu, 15, 0, 9, 13, 0, &v), 0);
	/* The interrupt enables stay PL1-only. */
	ck_assert_int_eq(rd(cpu, 15, 0, 9, 14, 1, &v), PV_EUNDEF);
	/* TEECR.XED takes TEEHBR away from PL0. */
	ck_assert_int_eq(rd(cpu, 14, 6, 1, 0, 0, &v), PV_EUNDEF);
}
END_TEST

START_TEST(pmu_counting)
{
	uint32_t v;

	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC);
	fb.now = 1000;
	/* Enabled cycle counter: counts host nanoseconds. */
	ck_assert_int_eq(wr(cpu, 15, 0, 9, 12, 1, 0x80000001u), 0); /* C, P0 */
	ck_assert_int_eq(wr(cpu, 15, 0, 9, 12, 0, 1), 0);           /* E */
	fb.now += 5000;
	rd(cpu, 15, 0, 9, 13, 0, &v);
	ck_assert_uint_eq(v, 5000);
	/* Divider: 6400 ns more at /64 = 100. */
	wr(cpu, 15, 0, 9, 12, 0, 1 | 8);
	fb.now += 6400;
	rd(cpu, 15, 0, 9, 13, 0, &v);
	ck_assert_uint_eq(v, 5100);
	/* Disabled: stops. C bit resets it. */
	wr(cpu, 15, 0, 9, 12, 2, 0x80000000u);
	fb.now += 9999;
	rd(cpu, 15, 0, 9, 13, 0, &v);
	ck_assert_uint_eq(v, 5100);
	wr(cpu, 15, 0, 9, 12, 0, 1 | 4);
	rd(cpu, 15, 0, 9, 13, 0, &v);
	ck_assert_uint_eq(v, 0);
	/* Software increment on counter 0 (event 0x00), not on counter 1. */
	wr(cpu, 15, 0, 9, 12, 5, 1);
	wr(cpu, 15, 0, 9, 13, 1, 0x11); /* counter 1 counts another event */
	wr(cpu, 15, 0, 9, 12, 1, 0x3);
	wr(cpu, 15, 0, 9, 12, 4, 0x3);
	wr(cpu, 15, 0, 9, 12, 4, 0x3);
	wr(cpu, 15, 0, 9, 12, 5, 0);
	rd(cpu, 15, 0, 9, 13, 2, &v);
	ck_assert_uint_eq(v, 2);
	wr(cpu, 15, 0, 9, 12, 5, 1);
	rd(cpu, 15, 0, 9, 13, 2, &v);
	ck_assert_uint_eq(v, 0);
	/* Overflow sets PMOVSR, write-one clears it. */
	wr(cpu, 15, 0, 9, 12, 5, 0);
	wr(cpu, 15, 0, 9, 13, 2, 0xffffffffu);
	wr(cpu, 15, 0, 9, 12, 4, 1);
	rd(cpu, 15, 0, 9, 12, 3, &v);
	ck_assert_uint_eq(v & 1, 1);
	wr(cpu, 15, 0, 9, 12, 3, 1);
	rd(cpu, 15, 0, 9, 12, 3, &v);
	ck_assert_uint_eq(v & 1, 0);
	/* PMCR.P resets the event counters. */
	wr(cpu, 15, 0, 9, 12, 4, 1);
	wr(cpu, 15, 0, 9, 12, 0, 1 | 2);
	rd(cpu, 15, 0, 9, 13, 2, &v);
	ck_assert_uint_eq(v, 0);
	/* PMCNTENSET/CLR read back the same enable set. */
	rd(cpu, 15, 0, 9, 12, 2, &v);
	ck_assert_uint_eq(v, 0x3);
}
END_TEST

START_TEST(ids_per_vcpu_and_cache_ids)
{
	uint32_t v;

	ck_assert_int_eq(rd(&vm->vcpu[1], 15, 0, 0, 0, 5, &v), 0);
	ck_assert_uint_eq(v, 0x80000001u);
	wr(cpu, 15, 2, 0, 0, 0, 1); /* CSSELR: L1 instruction */
	rd(cpu, 15, 1, 0, 0, 0, &v);
	ck_assert_uint_eq(v, 0x201fe019u);
	wr(cpu, 15, 2, 0, 0, 0, 2); /* L2: not in the core */
	rd(cpu, 15, 1, 0, 0, 0, &v);
	ck_assert_uint_eq(v, 0);
	/* ISR follows the virtual lines. */
	pv_vcpu_set_lines(cpu, true, false);
	rd(cpu, 15, 0, 12, 1, 0, &v);
	ck_assert_uint_eq(v, 0x80);
	pv_vcpu_set_lines(cpu, false, true);
	rd(cpu, 15, 0, 12, 1, 0, &v);
	ck_assert_uint_eq(v, 0x40);
}
END_TEST

START_TEST(side_effects)
{
	unsigned before;
	uint32_t v;

	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC);
	/* Instruction cache maintenance reaches the host I-cache. */
	before = fb.icache_inval;
	ck_assert_int_eq(wr(cpu, 15, 0, 7, 5, 0, 0), 0);
	ck_assert_int_eq(wr(cpu, 15, 0, 7, 1, 0, 0), 0);
	ck_assert_int_eq(wr(cpu, 15, 0, 7, 5, 1, FAKE_RAM_BASE), 0);
	ck_assert_uint_eq(fb.icache_inval, before + 3);
	/* D-cache clean by MVA on guest RAM cleans a host line; outside RAM not. */
	before = fb.cache_clean;
	ck_assert_int_eq(wr(cpu, 15, 0, 7, 11, 1, FAKE_RAM_BASE + 0x40), 0);
	ck_assert_uint_eq(fb.cache_clean, before + 1);
	ck_assert_int_eq(wr(cpu, 15, 0, 7, 11, 1, 0x08000000u), 0);
	ck_assert_uint_eq(fb.cache_clean, before + 1);
	/* Translation-regime writes mark the MMU context dirty. */
	cpu->mmu_dirty = false;
	wr(cpu, 15, 0, 3, 0, 0, 0x55555555u);
	ck_assert(cpu->mmu_dirty);
	cpu->mmu_dirty = false;
	wr(cpu, 15, 0, 13, 0, 1, 5);
	ck_assert(cpu->mmu_dirty);
	cpu->mmu_dirty = false;
	wr(cpu, 15, 0, 13, 0, 4, 5); /* TPIDRPRW: no translation effect */
	ck_assert(!cpu->mmu_dirty);
	/* ATS1CPR with the MMU off: identity, no fault. */
	ck_assert_int_eq(wr(cpu, 15, 0, 7, 8, 0, FAKE_RAM_BASE + 0x1234), 0);
	rd(cpu, 15, 0, 7, 4, 0, &v);
	ck_assert_uint_eq(v & 1, 0);
	ck_assert_uint_eq(v & 0xfffff000u, FAKE_RAM_BASE + 0x1000);
	/* With the MMU on and an empty table: a section translation fault. */
	cpu->cp15.ttbr0 = FAKE_RAM_BASE + 0x100000;
	cpu->cp15.dacr = 0x55555555u;
	cpu->cp15.sctlr |= PV_SCTLR_M;
	ck_assert_int_eq(wr(cpu, 15, 0, 7, 8, 0, 0x00345000u), 0);
	rd(cpu, 15, 0, 7, 4, 0, &v);
	ck_assert_uint_eq(v, 1u | (PV_FS_TRANSL_SECTION << 1));
	/* Legacy CP15 WFI asks the run loop to wait. */
	ck_assert_int_eq(wr(cpu, 15, 0, 7, 0, 4, 0), PV_CP_WAIT);
	ck_assert(!cpu->wfi);
	/* Debug monitor mode enable shows in DBGDSCRint. */
	ck_assert_int_eq(wr(cpu, 14, 0, 0, 2, 2, 0xffffffffu), 0);
	rd(cpu, 14, 0, 0, 1, 0, &v);
	ck_assert_uint_eq(v, 1u << 15);
	/* DCC: TX write and RX read go to their registers. */
	wr(cpu, 14, 0, 0, 5, 0, 0x77);
	ck_assert_uint_eq(cpu->cp15.dbgdtrtx, 0x77);
}
END_TEST

START_TEST(tlb_maintenance_reaches_host)
{
	struct pv_trap t = { PV_TRAP_DABT, PV_MODE_USR,
			     PV_FSR_FS(PV_FS_TRANSL_SECTION), FAKE_RAM_BASE + 0x2000 };
	struct pv_exit ex;
	struct pv_resume rs;
	unsigned before;

	pv_vcpu_write_cpsr(cpu, PV_MODE_SVC);
	/* Make the shadow hold something: resume, then a fill. */
	pv_vcpu_resume_state(cpu, &rs);
	cpu->r[15] = FAKE_RAM_BASE;
	ck_assert_int_eq(pv_vcpu_handle_trap(cpu, &t, &ex), 0);
	ck_assert_uint_eq(pv_vm_trap_count(vm, PV_TR_SHADOW_FILL), 1);
	before = fb.tlb_all + fb.tlb_asid + fb.tlb_va;
	ck_assert_int_eq(wr(cpu, 15, 0, 8, 7, 0, 0), 0); /* TLBIALL */
	ck_assert_uint_gt(fb.tlb_all + fb.tlb_asid + fb.tlb_va, before);
}
END_TEST

static Suite *cp15_suite(void)
{
	Suite *s = suite_create("cp15");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, table_is_sorted);
	tcase_add_test(tc, reset_values);
	tcase_add_test(tc, write_masks);
	tcase_add_test(tc, unknown_registers_undef);
	tcase_add_test(tc, pl0_accessibility);
	tcase_add_test(tc, pmu_user_enable_and_tee);
	tcase_add_test(tc, pmu_counting);
	tcase_add_test(tc, ids_per_vcpu_and_cache_ids);
	tcase_add_test(tc, side_effects);
	tcase_add_test(tc, tlb_maintenance_reaches_host);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cp15_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
