/* SPDX-License-Identifier: MIT */
/*
 * The virtual CP15/CP14 of a Cortex-A9 r2p10 as a Non-secure PL1 guest sees
 * it (see docs/cpu.md for the Security Extensions, PMU and debug choices).
 *
 * One sorted constant table keyed by (64-bit, coproc, opc1, CRn, CRm, opc2)
 * says for every register: its reset value, which bits a write changes,
 * who may access it, and which handler produces side effects. Anything not
 * in the table is UNDEFINED, as on hardware. pv_cp15_check_table() verifies
 * the order at init so the binary search is sound.
 */
#include "cp15.h"
#include <pvcore/error.h>
#include "guest_mem.h"
#include "vm_state.h"

#include "pv_internal.h"

#define KEY(cp, o1, n, m, o2)                                              \
	(((uint32_t)(cp) << 16) | ((uint32_t)(o1) << 12) |                 \
	 ((uint32_t)(n) << 8) | ((uint32_t)(m) << 4) | (uint32_t)(o2))
#define KEY64(cp, o1, m) (PV_BIT(20) | KEY(cp, o1, 0, m, 0))

/* Access flags. */
#define F_PL0R PV_BIT(0)    /* readable at PL0 */
#define F_PL0W PV_BIT(1)    /* writable at PL0 */
#define F_RO PV_BIT(2)      /* MCR is UNDEFINED */
#define F_WO PV_BIT(3)      /* MRC is UNDEFINED */
#define F_PMU PV_BIT(4)     /* PL0 access when PMUSERENR.EN */
#define F_TEE PV_BIT(5)     /* PL0 access when TEECR.XED is clear */

#define NO_FIELD 0xffffu
#define FIELD(f) ((uint16_t)offsetof(struct pv_cp15, f))

struct cp_reg;
typedef void (*cp_read_fn)(struct pv_vcpu *, const struct cp_reg *,
			   uint32_t *);
/* Runs after the field (if any) was updated; @old is its previous value. */
typedef void (*cp_write_fn)(struct pv_vcpu *, const struct cp_reg *,
			    uint32_t val, uint32_t old);

struct cp_reg {
	uint32_t key;
	const char *name;
	uint16_t field;  /* offset in struct pv_cp15, or NO_FIELD */
	uint8_t flags;
	uint8_t arg;     /* handler argument (counter index, TLBI op...) */
	uint32_t reset;  /* reset value, or the constant for NO_FIELD */
	uint32_t wmask;  /* bits an MCR changes in the field */
	cp_read_fn read;
	cp_write_fn write;
};

/* --- identification (Cortex-A9 r2p10 with VFPv3-D32 and NEON) ------------ */

#define A9_CTR 0x83338003u
#define A9_ID_PFR0 0x00001231u  /* ARM, Thumb-2, Jazelle (trivial), ThumbEE */
#define A9_ID_PFR1 0x00000011u  /* Security Extensions, v7 programmers' model */
#define A9_ID_DFR0 0x00010444u  /* v7 debug via CP14, PerfMon field 0 as on A9 */
#define A9_ID_MMFR0 0x00100103u /* VMSAv7, no FCSE */
#define A9_ID_MMFR1 0x20000000u
#define A9_ID_MMFR2 0x01230000u
#define A9_ID_MMFR3 0x00102111u
#define A9_ID_ISAR0 0x00101111u
#define A9_ID_ISAR1 0x13112111u
#define A9_ID_ISAR2 0x21232041u
#define A9_ID_ISAR3 0x11112131u
#define A9_ID_ISAR4 0x00111142u
#define A9_CLIDR 0x09200003u    /* L1 I+D; LoUIS = LoC = LoUU = 1 */
#define A9_CCSIDR_D 0x701fe019u /* 32 KiB, 4 ways, 32-byte lines, WB/RA/WA */
#define A9_CCSIDR_I 0x201fe019u /* 32 KiB, 4 ways, 32-byte lines */
/*
 * DBGDIDR: 4 WRPs, 6 BRPs (2 with context matching), version 3 = v7.0 debug
 * with the full CP14 interface (what Linux's hw_breakpoint supports; real
 * i.MX6/Zynq A9s report "found 5 (+1 reserved) breakpoint"), Security
 * Extensions implemented, variant/revision r2p10.
 */
#define A9_DBGDIDR 0x3513102au
#define A9_PMCR_ID 0x41093000u  /* IMP 'A', IDCODE 0x09, N = 6 counters */
#define A9_PMU_N 6u
#define PMU_CNT_MASK (0x80000000u | ((1u << A9_PMU_N) - 1))
#define PMCR_E PV_BIT(0)
#define PMCR_P PV_BIT(1)
#define PMCR_C PV_BIT(2)
#define PMCR_D PV_BIT(3)
#define PMCNT_C PV_BIT(31)

/* SCTLR: writable bits (M A C SW Z I V RR EE TRE AFE TE) and reset value. */
#define SCTLR_WMASK 0x72007c07u
#define SCTLR_RESET 0x00c50078u
/* ACTLR as the i.MX6 boot firmware leaves it: SMP and FW set. NSACR.NS_SMP
 * lets the Non-secure guest change SMP only. */
#define ACTLR_SMP PV_BIT(6)
#define ACTLR_FW PV_BIT(0)
#define NSACR_NS_SMP PV_BIT(18)

static uint32_t *field_ptr(struct pv_vcpu *vcpu, const struct cp_reg *r)
{
	return (uint32_t *)((uint8_t *)&vcpu->cp15 + r->field);
}

static const struct pv_backend_ops *ops_of(struct pv_vcpu *vcpu)
{
	return vcpu->vm ? vcpu->vm->cfg.ops : NULL;
}

/* --- read handlers ------------------------------------------------------- */

static void rd_mpidr(struct pv_vcpu *vcpu, const struct cp_reg *r,
		     uint32_t *v)
{
	(void)r;
	/* Multiprocessor format (bit 31), U = 0, cluster 0, CPU = vcpu id. */
	*v = 0x80000000u | (vcpu->id & 3u);
}

void pv_cp15_id_regs(const struct pv_vcpu *vcpu, uint32_t *midr,
		     uint32_t *ctr, uint32_t *mpidr)
{
	*midr = PV_A9_MIDR;
	*ctr = A9_CTR;
	rd_mpidr((struct pv_vcpu *)vcpu, NULL, mpidr);
}

/* The MPCore peripheral base, as the board descriptor places it. */
static void rd_cbar(struct pv_vcpu *vcpu, const struct cp_reg *r, uint32_t *v)
{
	(void)r;
	*v = vcpu->vm->cfg.board->periph_base;
}

static void rd_ccsidr(struct pv_vcpu *vcpu, const struct cp_reg *r,
		      uint32_t *v)
{
	(void)r;
	/* Only level 1 exists; other CSSELR levels read as UNKNOWN -> 0. */
	if (vcpu->cp15.csselr & 0xeu)
		*v = 0;
	else
		*v = (vcpu->cp15.csselr & 1u) ? A9_CCSIDR_I : A9_CCSIDR_D;
}

static void rd_isr(struct pv_vcpu *vcpu, const struct cp_reg *r, uint32_t *v)
{
	(void)r;
	*v = (vcpu->irq_line ? PV_PSR_I : 0) | (vcpu->fiq_line ? PV_PSR_F : 0);
}

static void rd_dbgdscr(struct pv_vcpu *vcpu, const struct cp_reg *r,
		       uint32_t *v)
{
	(void)r;
	*v = vcpu->cp15.dbgdscr;
}

/* --- PMU --------------------------------------------------------------- */

static bool ccnt_running(const struct pv_vcpu *vcpu)
{
	return (vcpu->cp15.pmcr & PMCR_E) && (vcpu->cp15.pmcntenset & PMCNT_C);
}

/*
 * The cycle counter counts host nanoseconds (a 1 GHz core clock) while
 * PMCR.E and PMCNTENSET.C are set, divided by 64 when PMCR.D is set. Bring
 * it up to date before anything that depends on it or changes its rate.
 */
static void ccnt_sync(struct pv_vcpu *vcpu)
{
	const struct pv_backend_ops *ops = ops_of(vcpu);
	struct pv_cp15 *c = &vcpu->cp15;
	uint64_t now, ticks;

	if (!ops || !ops->now_ns)
		return;
	now = ops->now_ns(vcpu->vm->cfg.ctx);
	if (ccnt_running(vcpu) && now > c->pmccnt_stamp) {
		ticks = now - c->pmccnt_stamp;
		if (c->pmcr & PMCR_D) {
			ticks += c->pmccnt_frac;
			c->pmccnt_frac = (uint32_t)(ticks & 63u);
			ticks >>= 6;
		}
		if ((uint64_t)c->pmccntr + ticks > 0xffffffffull)
			c->pmovsr |= PMCNT_C;
		c->pmccntr = (uint32_t)(c->pmccntr + ticks);
	}
	c->pmccnt_stamp = now;
}

static void rd_pmccntr(struct pv_vcpu *vcpu, const struct cp_reg *r,
		       uint32_t *v)
{
	(void)r;
	ccnt_sync(vcpu);
	*v = vcpu->cp15.pmccntr;
}

static void wr_pmccntr(struct pv_vcpu *vcpu, const struct cp_reg *r,
		       uint32_t val, uint32_t old)
{
	(void)r;
	(void)old;
	ccnt_sync(vcpu);
	vcpu->cp15.pmccntr = val;
}

static void wr_pmcr(struct pv_vcpu *vcpu, const struct cp_reg *r,
		    uint32_t val, uint32_t old)
{
	struct pv_cp15 *c = &vcpu->cp15;
	uint32_t now_val = c->pmcr;

	(void)r;
	/* Account the time that ran under the old E/D settings first. */
	c->pmcr = old;
	ccnt_sync(vcpu);
	c->pmcr = now_val;
	if (val & PMCR_P)
		for (unsigned i = 0; i < A9_PMU_N; i++)
			c->pmxevcntr[i] = 0;
	if (val & PMCR_C) {
		c->pmccntr = 0;
		c->pmccnt_frac = 0;
	}
}

static void wr_pmcnten(struct pv_vcpu *vcpu, const struct cp_reg *r,
		       uint32_t val, uint32_t old)
{
	(void)old;
	ccnt_sync(vcpu);
	val &= PMU_CNT_MASK;
	if (r->arg)
		vcpu->cp15.pmcntenset |= val;
	else
		vcpu->cp15.pmcntenset &= ~val;
}

static void wr_pminten(struct pv_vcpu *vcpu, const struct cp_reg *r,
		       uint32_t val, uint32_t old)
{
	(void)old;
	val &= PMU_CNT_MASK;
	if (r->arg)
		vcpu->cp15.pmintenset |= val;
	else
		vcpu->cp15.pmintenset &= ~val;
}

static void wr_pmovsr(struct pv_vcpu *vcpu, const struct cp_reg *r,
		      uint32_t val, uint32_t old)
{
	(void)r;
	(void)old;
	ccnt_sync(vcpu);
	vcpu->cp15.pmovsr &= ~(val & PMU_CNT_MASK); /* write one to clear */
}

/* Event 0x00 (software increment) is the one event a VMM can count exactly. */
static void wr_pmswinc(struct pv_vcpu *vcpu, const struct cp_reg *r,
		       uint32_t val, uint32_t old)
{
	struct pv_cp15 *c = &vcpu->cp15;

	(void)r;
	(void)old;
	if (!(c->pmcr & PMCR_E))
		return;
	for (unsigned i = 0; i < A9_PMU_N; i++) {
		if (!(val & c->pmcntenset & PV_BIT(i)) ||
		    (c->pmxevtyper[i] & 0xffu) != 0)
			continue;
		if (++c->pmxevcntr[i] == 0)
			c->pmovsr |= PV_BIT(i);
	}
}

static uint32_t *pmu_sel(struct pv_vcpu *vcpu, bool cnt)
{
	uint32_t sel = vcpu->cp15.pmselr & 0x1fu;

	if (sel >= A9_PMU_N)
		return NULL; /* UNPREDICTABLE: we make it RAZ/WI */
	return cnt ? &vcpu->cp15.pmxevcntr[sel] : &vcpu->cp15.pmxevtyper[sel];
}

static void rd_pmxev(struct pv_vcpu *vcpu, const struct cp_reg *r,
		     uint32_t *v)
{
	uint32_t *p = pmu_sel(vcpu, r->arg);

	*v = p ? *p : 0;
}

static void wr_pmxev(struct pv_vcpu *vcpu, const struct cp_reg *r,
		     uint32_t val, uint32_t old)
{
	uint32_t *p = pmu_sel(vcpu, r->arg);

	(void)old;
	if (p)
		*p = r->arg ? val : (val & 0xffu);
}

/* --- memory system side effects ----------------------------------------- */

static void wr_ctx(struct pv_vcpu *vcpu, const struct cp_reg *r, uint32_t val,
		   uint32_t old)
{
	(void)val;
	(void)old;
	vcpu->mmu_dirty = true;
	pv_shadow_ctx_changed(vcpu, r->arg);
}

/* Only PL1 writes TPIDRURO: remember the kernel's value for the fast SVC. */
static void wr_tpidruro(struct pv_vcpu *vcpu, const struct cp_reg *r,
			uint32_t val, uint32_t old)
{
	(void)r;
	(void)old;
	vcpu->tpidruro_k = val;
}

static void wr_tlbi(struct pv_vcpu *vcpu, const struct cp_reg *r,
		    uint32_t val, uint32_t old)
{
	(void)old;
	pv_shadow_tlbi(vcpu, (enum pv_tlbi)r->arg, val);
}

static void wr_icache(struct pv_vcpu *vcpu, const struct cp_reg *r,
		      uint32_t val, uint32_t old)
{
	const struct pv_backend_ops *ops = ops_of(vcpu);

	(void)r;
	(void)val;
	(void)old;
	if (ops && ops->icache_inval_all)
		ops->icache_inval_all(vcpu->vm->cfg.ctx);
}

/*
 * D-cache maintenance by MVA: the guest's RAM is ordinary cached host
 * memory, so only the point of unification matters (code the guest wrote
 * must reach the host's instruction fetch). Clean the host line behind the
 * guest address; an address that does not translate is ignored, as the
 * host cannot have a dirty line for it.
 */
static void wr_dcache_mva(struct pv_vcpu *vcpu, const struct cp_reg *r,
			  uint32_t val, uint32_t old)
{
	const struct pv_backend_ops *ops = ops_of(vcpu);
	struct pv_fault fault;
	struct pv_walk w;
	uint8_t *hva;

	(void)r;
	(void)old;
	if (!ops || !ops->cache_clean_range)
		return;
	if (pv_mmu_translate(vcpu, pv_gva(val), PV_ACC_CMO, &w, &fault))
		return;
	hva = pv_cp15_dcache_line(vcpu, &w, val); /* 32-byte lines */
	if (hva)
		ops->cache_clean_range(vcpu->vm->cfg.ctx, pv_hva_from_ptr(hva),
				       32);
}

uint8_t *pv_cp15_dcache_line(struct pv_vcpu *vcpu, const struct pv_walk *w,
			     uint32_t va)
{
	uint64_t pa = pv_gpa_val(w->pa);

	/* @w translated an address of the same block: the line's offset in it. */
	pa = (pa & ~((uint64_t)w->page_size - 1)) |
	     (va & (w->page_size - 1) & ~31u);
	return pv_memmap_ram_hva(&vcpu->vm->map, pv_gpa(pa), 32);
}

/* ATS1C{PR,PW,UR,UW}: the guest walk, without faulting the guest. */
static void wr_ats(struct pv_vcpu *vcpu, const struct cp_reg *r, uint32_t val,
		   uint32_t old)
{
	(void)old;
	vcpu->cp15.par = pv_mmu_par(vcpu, pv_gva(val), (r->arg & 1u) != 0,
				    (r->arg & 2u) != 0);
}

/*
 * Legacy CP15 WFI (c7, c0, 4): the A9 still waits for an interrupt.
 * pv_cp_write() reports it; the run state is the dispatcher's to change.
 */
static void wr_wfi(struct pv_vcpu *vcpu, const struct cp_reg *r, uint32_t val,
		   uint32_t old)
{
	(void)vcpu;
	(void)r;
	(void)val;
	(void)old;
}

static void wr_dbgdscr(struct pv_vcpu *vcpu, const struct cp_reg *r,
		       uint32_t val, uint32_t old)
{
	(void)r;
	(void)old;
	/* Only MDBGen (monitor debug-mode enable) is under software control. */
	vcpu->cp15.dbgdscr = (vcpu->cp15.dbgdscr & ~PV_BIT(15)) |
			     (val & PV_BIT(15));
}

static void rd_dtrint(struct pv_vcpu *vcpu, const struct cp_reg *r,
		      uint32_t *v)
{
	(void)r;
	*v = vcpu->cp15.dbgdtrrx;
}

static void wr_dtrint(struct pv_vcpu *vcpu, const struct cp_reg *r,
		      uint32_t val, uint32_t old)
{
	(void)r;
	(void)old;
	vcpu->cp15.dbgdtrtx = val;
}

static void nop_write(struct pv_vcpu *vcpu, const struct cp_reg *r,
		      uint32_t val, uint32_t old)
{
	(void)vcpu;
	(void)r;
	(void)val;
	(void)old;
}

/* --- the table ------------------------------------------------------------ */

#define CONST(k, n, v) { k, n, NO_FIELD, F_RO, 0, v, 0, NULL, NULL }
#define CONST0(k, n, v, fl) { k, n, NO_FIELD, F_RO | (fl), 0, v, 0, NULL, NULL }
#define REG(k, n, f, rst, m, fl) { k, n, FIELD(f), fl, 0, rst, m, NULL, NULL }
#define REGW(k, n, f, rst, m, fl, a, w)                                      \
	{ k, n, FIELD(f), fl, a, rst, m, NULL, w }
#define OP(k, n, fl, a, w) { k, n, NO_FIELD, F_WO | (fl), a, 0, 0, NULL, w }
#define RAZWI(k, n, fl) { k, n, NO_FIELD, fl, 0, 0, 0, NULL, nop_write }
#define HND(k, n, fl, a, r, w) { k, n, NO_FIELD, fl, a, 0, 0, r, w }

#define DBG_BW(n)                                                          \
	REG(KEY(14, 0, 0, n, 4), "DBGBVR" #n, dbgbvr[n], 0, 0xfffffffcu, 0), \
	REG(KEY(14, 0, 0, n, 5), "DBGBCR" #n, dbgbcr[n], 0, 0x00f7c1e7u, 0)
#define DBG_WP(n)                                                          \
	REG(KEY(14, 0, 0, n, 6), "DBGWVR" #n, dbgwvr[n], 0, 0xfffffffcu, 0), \
	REG(KEY(14, 0, 0, n, 7), "DBGWCR" #n, dbgwcr[n], 0, 0x1f1f81ffu, 0)

static const struct cp_reg cp_table[] = {
	/* CP14 debug (v7.0, CP14 interface; breakpoints never fire, see docs). */
	CONST0(KEY(14, 0, 0, 0, 0), "DBGDIDR", A9_DBGDIDR, F_PL0R),
	REG(KEY(14, 0, 0, 0, 2), "DBGDTRRXext", dbgdtrrx, 0, 0xffffffffu, 0),
	DBG_BW(0),
	DBG_WP(0),
	HND(KEY(14, 0, 0, 1, 0), "DBGDSCRint", F_RO | F_PL0R, 0, rd_dbgdscr,
	    NULL),
	DBG_BW(1),
	DBG_WP(1),
	HND(KEY(14, 0, 0, 2, 2), "DBGDSCRext", 0, 0, rd_dbgdscr, wr_dbgdscr),
	DBG_BW(2),
	DBG_WP(2),
	REG(KEY(14, 0, 0, 3, 2), "DBGDTRTXext", dbgdtrtx, 0, 0xffffffffu, 0),
	DBG_BW(3),
	DBG_WP(3),
	DBG_BW(4),
	/* MRC reads DBGDTRRXint, MCR writes DBGDTRTXint. */
	HND(KEY(14, 0, 0, 5, 0), "DBGDTRint", F_PL0R | F_PL0W, 0, rd_dtrint,
	    wr_dtrint),
	DBG_BW(5),
	RAZWI(KEY(14, 0, 0, 6, 0), "DBGWFAR", 0),
	REG(KEY(14, 0, 0, 7, 0), "DBGVCR", dbgvcr, 0, 0xde0000deu, 0),
	CONST0(KEY(14, 0, 1, 0, 0), "DBGDRAR", 0, F_PL0R),
	OP(KEY(14, 0, 1, 0, 4), "DBGOSLAR", 0, 0, nop_write),
	CONST(KEY(14, 0, 1, 1, 4), "DBGOSLSR", 0),
	/* DBGPRSR.PU: the debug logic is powered up. */
	CONST(KEY(14, 0, 1, 5, 4), "DBGPRSR", 1),
	CONST0(KEY(14, 0, 2, 0, 0), "DBGDSAR", 0, F_PL0R),
	/* ThumbEE. */
	REG(KEY(14, 6, 0, 0, 0), "TEECR", teecr, 0, 1, 0),
	REG(KEY(14, 6, 1, 0, 0), "TEEHBR", teehbr, 0, 0xfffffffcu,
	    F_TEE | F_PL0R | F_PL0W),
	/* Jazelle: the A9's trivial implementation. */
	CONST0(KEY(14, 7, 0, 0, 0), "JIDR", 0, F_PL0R),
	RAZWI(KEY(14, 7, 1, 0, 0), "JOSCR", 0),
	RAZWI(KEY(14, 7, 2, 0, 0), "JMCR", 0),

	/* CP15 c0: identification. */
	CONST(KEY(15, 0, 0, 0, 0), "MIDR", PV_A9_MIDR),
	CONST(KEY(15, 0, 0, 0, 1), "CTR", A9_CTR),
	CONST(KEY(15, 0, 0, 0, 2), "TCMTR", 0),
	CONST(KEY(15, 0, 0, 0, 3), "TLBTR", 0),
	CONST(KEY(15, 0, 0, 0, 4), "MIDR(4)", PV_A9_MIDR),
	HND(KEY(15, 0, 0, 0, 5), "MPIDR", F_RO, 0, rd_mpidr, NULL),
	CONST(KEY(15, 0, 0, 0, 6), "MIDR(6)", PV_A9_MIDR),
	CONST(KEY(15, 0, 0, 0, 7), "MIDR(7)", PV_A9_MIDR),
	CONST(KEY(15, 0, 0, 1, 0), "ID_PFR0", A9_ID_PFR0),
	CONST(KEY(15, 0, 0, 1, 1), "ID_PFR1", A9_ID_PFR1),
	CONST(KEY(15, 0, 0, 1, 2), "ID_DFR0", A9_ID_DFR0),
	CONST(KEY(15, 0, 0, 1, 3), "ID_AFR0", 0),
	CONST(KEY(15, 0, 0, 1, 4), "ID_MMFR0", A9_ID_MMFR0),
	CONST(KEY(15, 0, 0, 1, 5), "ID_MMFR1", A9_ID_MMFR1),
	CONST(KEY(15, 0, 0, 1, 6), "ID_MMFR2", A9_ID_MMFR2),
	CONST(KEY(15, 0, 0, 1, 7), "ID_MMFR3", A9_ID_MMFR3),
	CONST(KEY(15, 0, 0, 2, 0), "ID_ISAR0", A9_ID_ISAR0),
	CONST(KEY(15, 0, 0, 2, 1), "ID_ISAR1", A9_ID_ISAR1),
	CONST(KEY(15, 0, 0, 2, 2), "ID_ISAR2", A9_ID_ISAR2),
	CONST(KEY(15, 0, 0, 2, 3), "ID_ISAR3", A9_ID_ISAR3),
	CONST(KEY(15, 0, 0, 2, 4), "ID_ISAR4", A9_ID_ISAR4),
	CONST(KEY(15, 0, 0, 2, 5), "ID_ISAR5", 0),
	CONST(KEY(15, 0, 0, 2, 6), "ID_c0c2_6", 0),
	CONST(KEY(15, 0, 0, 2, 7), "ID_c0c2_7", 0),
	/* c1: system control. */
	REGW(KEY(15, 0, 1, 0, 0), "SCTLR", sctlr, SCTLR_RESET, SCTLR_WMASK, 0,
	     PV_SHADOW_CTX_SCTLR, wr_ctx),
	REG(KEY(15, 0, 1, 0, 1), "ACTLR", actlr, ACTLR_SMP | ACTLR_FW,
	    ACTLR_SMP, 0),
	REG(KEY(15, 0, 1, 0, 2), "CPACR", cpacr, 0, 0xc0f00000u, 0),
	/* NSACR: readable, not writable, from Non-secure PL1. */
	REG(KEY(15, 0, 1, 1, 2), "NSACR", nsacr, PV_VIRT_NSACR | NSACR_NS_SMP,
	    0, F_RO),
	/* c2, c3: translation table control. */
	REGW(KEY(15, 0, 2, 0, 0), "TTBR0", ttbr0, 0, 0xffffffffu, 0,
	     PV_SHADOW_CTX_TTBR0, wr_ctx),
	REGW(KEY(15, 0, 2, 0, 1), "TTBR1", ttbr1, 0, 0xffffffffu, 0,
	     PV_SHADOW_CTX_TTBR1, wr_ctx),
	REGW(KEY(15, 0, 2, 0, 2), "TTBCR", ttbcr, 0, 0x37u, 0, PV_SHADOW_CTX_TTBCR,
	     wr_ctx),
	REGW(KEY(15, 0, 3, 0, 0), "DACR", dacr, 0, 0xffffffffu, 0, PV_SHADOW_CTX_DACR,
	     wr_ctx),
	/* c5, c6: faults. */
	REG(KEY(15, 0, 5, 0, 0), "DFSR", dfsr, 0, 0x1cffu, 0),
	REG(KEY(15, 0, 5, 0, 1), "IFSR", ifsr, 0, 0x140fu, 0),
	REG(KEY(15, 0, 5, 1, 0), "ADFSR", adfsr, 0, 0xffffffffu, 0),
	REG(KEY(15, 0, 5, 1, 1), "AIFSR", aifsr, 0, 0xffffffffu, 0),
	REG(KEY(15, 0, 6, 0, 0), "DFAR", dfar, 0, 0xffffffffu, 0),
	REG(KEY(15, 0, 6, 0, 2), "IFAR", ifar, 0, 0xffffffffu, 0),
	/* c7: cache maintenance, address translation, barriers. */
	OP(KEY(15, 0, 7, 0, 4), "WFI", 0, 0, wr_wfi),
	OP(KEY(15, 0, 7, 1, 0), "ICIALLUIS", 0, 0, wr_icache),
	OP(KEY(15, 0, 7, 1, 6), "BPIALLIS", 0, 0, nop_write),
	REG(KEY(15, 0, 7, 4, 0), "PAR", par, 0, 0xfffff6ffu, 0),
	OP(KEY(15, 0, 7, 5, 0), "ICIALLU", 0, 0, wr_icache),
	OP(KEY(15, 0, 7, 5, 1), "ICIMVAU", 0, 1, wr_icache),
	OP(KEY(15, 0, 7, 5, 4), "CP15ISB", F_PL0W, 0, nop_write),
	OP(KEY(15, 0, 7, 5, 6), "BPIALL", 0, 0, nop_write),
	OP(KEY(15, 0, 7, 5, 7), "BPIMVA", 0, 0, nop_write),
	OP(KEY(15, 0, 7, 6, 1), "DCIMVAC", 0, 0, wr_dcache_mva),
	OP(KEY(15, 0, 7, 6, 2), "DCISW", 0, 0, nop_write),
	OP(KEY(15, 0, 7, 8, 0), "ATS1CPR", 0, 0, wr_ats),
	OP(KEY(15, 0, 7, 8, 1), "ATS1CPW", 0, 1, wr_ats),
	OP(KEY(15, 0, 7, 8, 2), "ATS1CUR", 0, 2, wr_ats),
	OP(KEY(15, 0, 7, 8, 3), "ATS1CUW", 0, 3, wr_ats),
	OP(KEY(15, 0, 7, 10, 1), "DCCMVAC", 0, 0, wr_dcache_mva),
	OP(KEY(15, 0, 7, 10, 2), "DCCSW", 0, 0, nop_write),
	OP(KEY(15, 0, 7, 10, 4), "CP15DSB", F_PL0W, 0, nop_write),
	OP(KEY(15, 0, 7, 10, 5), "CP15DMB", F_PL0W, 0, nop_write),
	OP(KEY(15, 0, 7, 11, 1), "DCCMVAU", 0, 0, wr_dcache_mva),
	OP(KEY(15, 0, 7, 14, 1), "DCCIMVAC", 0, 0, wr_dcache_mva),
	OP(KEY(15, 0, 7, 14, 2), "DCCISW", 0, 0, nop_write),
	/* c8: TLB maintenance, handed to the shadow engine. */
	OP(KEY(15, 0, 8, 3, 0), "TLBIALLIS", 0, PV_TLBI_ALL, wr_tlbi),
	OP(KEY(15, 0, 8, 3, 1), "TLBIMVAIS", 0, PV_TLBI_MVA, wr_tlbi),
	OP(KEY(15, 0, 8, 3, 2), "TLBIASIDIS", 0, PV_TLBI_ASID, wr_tlbi),
	OP(KEY(15, 0, 8, 3, 3), "TLBIMVAAIS", 0, PV_TLBI_MVAA, wr_tlbi),
	OP(KEY(15, 0, 8, 5, 0), "ITLBIALL", 0, PV_TLBI_ALL, wr_tlbi),
	OP(KEY(15, 0, 8, 5, 1), "ITLBIMVA", 0, PV_TLBI_MVA, wr_tlbi),
	OP(KEY(15, 0, 8, 5, 2), "ITLBIASID", 0, PV_TLBI_ASID, wr_tlbi),
	OP(KEY(15, 0, 8, 6, 0), "DTLBIALL", 0, PV_TLBI_ALL, wr_tlbi),
	OP(KEY(15, 0, 8, 6, 1), "DTLBIMVA", 0, PV_TLBI_MVA, wr_tlbi),
	OP(KEY(15, 0, 8, 6, 2), "DTLBIASID", 0, PV_TLBI_ASID, wr_tlbi),
	OP(KEY(15, 0, 8, 7, 0), "TLBIALL", 0, PV_TLBI_ALL, wr_tlbi),
	OP(KEY(15, 0, 8, 7, 1), "TLBIMVA", 0, PV_TLBI_MVA, wr_tlbi),
	OP(KEY(15, 0, 8, 7, 2), "TLBIASID", 0, PV_TLBI_ASID, wr_tlbi),
	OP(KEY(15, 0, 8, 7, 3), "TLBIMVAA", 0, PV_TLBI_MVAA, wr_tlbi),
	/* c9: performance monitors (PMUv1, 6 counters + cycle counter). */
	REGW(KEY(15, 0, 9, 12, 0), "PMCR", pmcr, A9_PMCR_ID, 0x39u, F_PMU, 0,
	     wr_pmcr),
	{ KEY(15, 0, 9, 12, 1), "PMCNTENSET", FIELD(pmcntenset), F_PMU, 1, 0,
	  0, NULL, wr_pmcnten },
	{ KEY(15, 0, 9, 12, 2), "PMCNTENCLR", FIELD(pmcntenset), F_PMU, 0, 0,
	  0, NULL, wr_pmcnten },
	{ KEY(15, 0, 9, 12, 3), "PMOVSR", FIELD(pmovsr), F_PMU, 0, 0, 0,
	  NULL, wr_pmovsr },
	OP(KEY(15, 0, 9, 12, 4), "PMSWINC", F_PMU, 0, wr_pmswinc),
	REG(KEY(15, 0, 9, 12, 5), "PMSELR", pmselr, 0, 0x1fu, F_PMU),
	{ KEY(15, 0, 9, 13, 0), "PMCCNTR", FIELD(pmccntr), F_PMU, 0, 0, 0,
	  rd_pmccntr, wr_pmccntr },
	HND(KEY(15, 0, 9, 13, 1), "PMXEVTYPER", F_PMU, 0, rd_pmxev, wr_pmxev),
	HND(KEY(15, 0, 9, 13, 2), "PMXEVCNTR", F_PMU, 1, rd_pmxev, wr_pmxev),
	REG(KEY(15, 0, 9, 14, 0), "PMUSERENR", pmuserenr, 0, 1, F_PL0R),
	{ KEY(15, 0, 9, 14, 1), "PMINTENSET", FIELD(pmintenset), 0, 1, 0, 0,
	  NULL, wr_pminten },
	{ KEY(15, 0, 9, 14, 2), "PMINTENCLR", FIELD(pmintenset), 0, 0, 0, 0,
	  NULL, wr_pminten },
	/* c10: TLB lockdown, memory attribute remapping. */
	REG(KEY(15, 0, 10, 0, 0), "TLBLOCKDOWN", a9_tlb_lockdown, 0,
	    0x00000001u | (7u << 28), 0),
	REGW(KEY(15, 0, 10, 2, 0), "PRRR", prrr, 0x00098aa4u, 0xffffffffu, 0,
	     PV_SHADOW_CTX_PRRR_NMRR, wr_ctx),
	REGW(KEY(15, 0, 10, 2, 1), "NMRR", nmrr, 0x44e048e0u, 0xffffffffu, 0,
	     PV_SHADOW_CTX_PRRR_NMRR, wr_ctx),
	/* c12: vectors, interrupt status. */
	REG(KEY(15, 0, 12, 0, 0), "VBAR", vbar, 0, 0xffffffe0u, 0),
	HND(KEY(15, 0, 12, 1, 0), "ISR", F_RO, 0, rd_isr, NULL),
	/* c13: process and thread IDs. No FCSE (ID_MMFR0): FCSEIDR is RAZ/WI. */
	RAZWI(KEY(15, 0, 13, 0, 0), "FCSEIDR", 0),
	REGW(KEY(15, 0, 13, 0, 1), "CONTEXTIDR", contextidr, 0, 0xffffffffu,
	     0, PV_SHADOW_CTX_CONTEXTIDR, wr_ctx),
	REG(KEY(15, 0, 13, 0, 2), "TPIDRURW", tpidrurw, 0, 0xffffffffu,
	    F_PL0R | F_PL0W),
	REGW(KEY(15, 0, 13, 0, 3), "TPIDRURO", tpidruro, 0, 0xffffffffu,
	     F_PL0R, 0, wr_tpidruro),
	REG(KEY(15, 0, 13, 0, 4), "TPIDRPRW", tpidrprw, 0, 0xffffffffu, 0),
	/* c15: Cortex-A9 implementation defined. */
	REG(KEY(15, 0, 15, 0, 0), "A9_PWRCTRL", a9_power_ctrl, 0, 0x00000701u,
	    0),
	REG(KEY(15, 0, 15, 0, 1), "A9_DIAG", a9_diag, 0, 0xffffffffu, 0),
	CONST(KEY(15, 0, 15, 1, 0), "A9_NEONBUSY", 0),
	HND(KEY(15, 1, 0, 0, 0), "CCSIDR", F_RO, 0, rd_ccsidr, NULL),
	CONST(KEY(15, 1, 0, 0, 1), "CLIDR", A9_CLIDR),
	CONST(KEY(15, 1, 0, 0, 7), "AIDR", 0),
	REG(KEY(15, 2, 0, 0, 0), "CSSELR", csselr, 0, 0xfu, 0),
	/* The MPCore private peripheral base, as on the i.MX6Q. */
	HND(KEY(15, 4, 15, 0, 0), "CBAR", F_RO, 0, rd_cbar, NULL),
};

static const struct cp_reg *lookup(uint32_t key)
{
	size_t lo = pv_bsearch_u32(cp_table, PV_ARRAY_SIZE(cp_table),
				   sizeof(cp_table[0]),
				   offsetof(struct cp_reg, key), key, false);

	return lo < PV_ARRAY_SIZE(cp_table) && cp_table[lo].key == key ?
		       &cp_table[lo] :
		       NULL;
}

static uint32_t acc_key(const struct pv_cp_access *acc)
{
	if (acc->is_64)
		return KEY64(acc->coproc, acc->opc1 & 0xfu, acc->crm & 0xfu);
	return KEY(acc->coproc & 0xfu, acc->opc1 & 7u, acc->crn & 0xfu,
		   acc->crm & 0xfu, acc->opc2 & 7u);
}

/* c0, c3..c7: the reserved ID space reads as zero at PL1. */
static bool is_reserved_id(const struct pv_cp_access *acc)
{
	return acc->coproc == 15 && !acc->is_64 && acc->opc1 == 0 &&
	       acc->crn == 0 && acc->crm >= 3 && acc->crm <= 7;
}

/*
 * Find the register and apply the access rules of a Non-secure Cortex-A9.
 * Return: the entry, or NULL for an UNDEFINED access.
 */
static const struct cp_reg *check(const struct pv_vcpu *vcpu,
				  const struct pv_cp_access *acc, bool read)
{
	const struct cp_reg *r = lookup(acc_key(acc));
	bool pl0 = !pv_vcpu_is_privileged(vcpu);

	if (!r)
		return NULL;
	if (read && (r->flags & F_WO))
		return NULL;
	if (!read && (r->flags & F_RO))
		return NULL;
	if (pl0) {
		bool ok = (r->flags & (read ? F_PL0R : F_PL0W)) != 0;

		if ((r->flags & F_PMU) && (vcpu->cp15.pmuserenr & 1u))
			ok = true;
		if ((r->flags & F_TEE) && (vcpu->cp15.teecr & 1u))
			ok = false;
		if (!ok)
			return NULL;
	}
	return r;
}

int pv_cp_read(struct pv_vcpu *vcpu, const struct pv_cp_access *acc,
	       uint32_t val[2])
{
	const struct cp_reg *r = check(vcpu, acc, true);

	if (!r) {
		if (is_reserved_id(acc) && pv_vcpu_is_privileged(vcpu)) {
			val[0] = 0;
			return 0;
		}
		return PV_EUNDEF;
	}
	if (r->read)
		r->read(vcpu, r, &val[0]);
	else if (r->field != NO_FIELD)
		val[0] = *field_ptr(vcpu, r);
	else
		val[0] = r->reset;
	if (acc->is_64)
		val[1] = 0;
	return 0;
}

int pv_cp_write(struct pv_vcpu *vcpu, const struct pv_cp_access *acc,
		const uint32_t val[2])
{
	const struct cp_reg *r = check(vcpu, acc, false);
	uint32_t old = 0;

	if (!r)
		return PV_EUNDEF;
	if (r->field != NO_FIELD) {
		uint32_t *f = field_ptr(vcpu, r);

		old = *f;
		*f = (old & ~r->wmask) | (val[0] & r->wmask);
	}
	if (r->write)
		r->write(vcpu, r, val[0], old);
	return r->write == wr_wfi ? PV_CP_WAIT : 0;
}

enum pv_cmo pv_cp_cmo(const struct pv_vcpu *vcpu,
		      const struct pv_cp_access *acc)
{
	const struct cp_reg *r = check(vcpu, acc, false);

	if (!r || acc->is_64)
		return PV_CMO_NONE;
	if (r->write == wr_dcache_mva)
		return PV_CMO_DCACHE;
	/* arg 1: by MVA (ICIMVAU), not one of the whole-cache operations. */
	if (r->write == wr_icache && r->arg)
		return PV_CMO_ICACHE;
	if (r->write == wr_tlbi &&
	    (r->arg == PV_TLBI_MVA || r->arg == PV_TLBI_MVAA))
		return PV_CMO_TLB;
	return PV_CMO_NONE;
}

int pv_cp15_check_table(void)
{
	for (size_t i = 0; i < PV_ARRAY_SIZE(cp_table); i++) {
		const struct cp_reg *r = &cp_table[i];

		if (i && cp_table[i - 1].key >= r->key)
			return PV_ESTATE;
		/* A register with neither state nor handler must be constant. */
		if (r->field == NO_FIELD && !r->read && !(r->flags & F_WO) &&
		    !r->write && !(r->flags & F_RO))
			return PV_ESTATE;
		if (r->field != NO_FIELD &&
		    r->field + sizeof(uint32_t) > sizeof(struct pv_cp15))
			return PV_ESTATE;
	}
	return 0;
}

void pv_cp15_reset(struct pv_vcpu *vcpu)
{
	pv_memset(&vcpu->cp15, 0, sizeof(vcpu->cp15));
	for (size_t i = 0; i < PV_ARRAY_SIZE(cp_table); i++) {
		const struct cp_reg *r = &cp_table[i];

		if (r->field != NO_FIELD)
			*field_ptr(vcpu, r) = r->reset;
	}
	vcpu->vfp.fpexc = 0;
}

const char *pv_cp_reg_name(const struct pv_cp_access *acc)
{
	const struct cp_reg *r = lookup(acc_key(acc));

	if (r)
		return r->name;
	return is_reserved_id(acc) ? "ID_RESERVED" : NULL;
}
