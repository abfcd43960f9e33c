/* SPDX-License-Identifier: MIT */
/*
 * The stub area (pvcore/pvpage.h, docs/pv-path.md): hot sensitive A32
 * instructions become a branch to a stub that reads or writes the vCPU
 * page instead of trapping. Each stub is built from the templates below;
 * every one saves at most one register (in the page's scratch word), keeps
 * the flags (no S-suffixed instruction, no compare: decisions are computed
 * branches on CLZ results) and commits idempotently, so the VMM can restart
 * it from its site.
 */
#include <stdlib.h>
#include <string.h>

#include "pvpatch.h"

#define MiB 0x100000u
#define PV_BIT(n) (1u << (n))
#define BRANCH_REACH (32u * MiB - 8u)

/* ---- A32 encoders ------------------------------------------------------- */

#define AL 0xEu

static uint32_t b_to(uint32_t cond, uint32_t from, uint32_t to)
{
	return cond << 28 | 0x0A000000u | (((to - from - 8u) >> 2) & 0xFFFFFFu);
}

/* LDR/STR Rt, [PC, #-imm]: the page slot is always before the code page. */
static uint32_t ldr_pc(unsigned rt, uint32_t at, uint32_t field)
{
	return 0xE51F0000u | rt << 12 | (at + 8u - field);
}

static uint32_t str_pc(unsigned rt, uint32_t at, uint32_t field)
{
	return 0xE50F0000u | rt << 12 | (at + 8u - field);
}

/* Data processing with an 8-bit immediate (the values used need no rotation). */
static uint32_t dp_imm(uint32_t op, unsigned rd, unsigned rn, uint32_t imm8)
{
	return 0xE2000000u | op << 21 | rn << 16 | rd << 12 | imm8;
}

static uint32_t dp_reg(uint32_t op, unsigned rd, unsigned rn, unsigned rm)
{
	return 0xE0000000u | op << 21 | rn << 16 | rd << 12 | rm;
}

enum { OP_AND = 0x0, OP_EOR = 0x1, OP_ORR = 0xC, OP_BIC = 0xE };

#define MRS_APSR(rd) (0xE10F0000u | (rd) << 12)
#define CLZ(rd, rm) (0xE16F0F10u | (rd) << 12 | (rm))
#define LSR5(rd, rm) (0xE1A002A0u | (rd) << 12 | (rm)) /* MOV rd, rm, LSR #5 */
#define ADD_PC_LSL(rm, n) (0xE08FF000u | (n) << 7 | (rm)) /* ADD pc, pc, rm, LSL #n */
#define NOP 0xE320F000u

/* ---- one stub ----------------------------------------------------------- */

struct cand {
	uint32_t va, off;  /* the site */
	uint32_t word;     /* the original instruction */
	uint32_t marker;   /* its trap word (0 when it had none: MRC/MCR) */
	uint16_t cls;
	enum pv_stub_kind kind;
	unsigned reg;      /* Rd / Rn / Rt */
	uint32_t field;    /* page offset for MRC */
	uint32_t mask;     /* PSR I/F bits for CPS */
	const char *sym;
};

struct emit {
	uint32_t w[PV_STUB_MAX_WORDS];
	unsigned n, nexits;
	uint8_t exit[4];
	uint32_t at;    /* VA of the stub */
	uint32_t page;  /* VA of its chunk's page slot */
	struct cand *c;
};

static uint32_t here(const struct emit *e)
{
	return e->at + 4u * e->n;
}

static void put(struct emit *e, uint32_t w)
{
	e->w[e->n++] = w;
}

static void ld(struct emit *e, unsigned rt, uint32_t field)
{
	put(e, ldr_pc(rt, here(e), e->page + field));
}

static void st(struct emit *e, unsigned rt, uint32_t field)
{
	put(e, str_pc(rt, here(e), e->page + field));
}

static void back(struct emit *e)
{
	e->exit[e->nexits++] = (uint8_t)e->n;
	put(e, b_to(AL, here(e), e->c->va + 4u));
}

/* The original instruction, unconditional, behind its trap word. */
static void trap(struct emit *e)
{
	put(e, e->c->marker);
}

/*
 * Branch on "@rx is zero" without touching the flags: CLZ gives 32 only
 * for zero. When @rx != 0 execution goes on at the next instruction, the
 * first of a 4-word path (pad it with nz_end()); when it is zero, after
 * that path. @rx is clobbered. Returns where the path starts.
 */
static unsigned skip_if_zero(struct emit *e, unsigned rx)
{
	put(e, CLZ(rx, rx));
	put(e, LSR5(rx, rx));            /* 1 if it was zero, else 0 */
	/* ADD pc reads pc + 8: the NOP is never executed. */
	put(e, ADD_PC_LSL(rx, 4));
	put(e, NOP);
	return e->n;
}

static void nz_end(struct emit *e, unsigned start)
{
	while (e->n < start + 4u)
		put(e, NOP); /* after an exit: never executed */
}

/*
 * The I/F unmask check: trap (so the VMM delivers at a precise point) if
 * an interrupt is pending for a bit that @rx_mask_src leaves clear.
 */
static void pending_check(struct emit *e, unsigned rx, uint32_t unmasked,
			  int by_reg, unsigned rn)
{
	unsigned nz;

	ld(e, rx, PV_VPAGE_PENDING);
	if (by_reg)
		put(e, dp_reg(OP_BIC, rx, rx, rn)); /* pending & ~new I/F */
	put(e, dp_imm(OP_AND, rx, rx, unmasked));
	/* rx != 0: something to deliver. */
	nz = skip_if_zero(e, rx);
	ld(e, rx, PV_VPAGE_SCRATCH);
	trap(e);
	back(e);
	nz_end(e, nz);
	ld(e, rx, PV_VPAGE_SCRATCH);
	back(e);
}

/*
 * PV_STUB_MCR_TLS: the user's TLS goes to the page; the return to user
 * mode loads the host register from it.
 * PV_STUB_MCR_TPIDRURO: commit (store the page) only if the host register
 * holds Rt already (the fast SVC's guess); otherwise run the original,
 * which traps. The flags stay: EOR, then the CLZ branch.
 */
static void build_tpidruro(struct emit *e)
{
	struct cand *c = e->c;
	unsigned rx = c->reg == 0 ? 1 : 0, nz;

	if (c->kind == PV_STUB_MCR_TLS) {
		st(e, c->reg, PV_VPAGE_TPIDRURO);
		back(e);
		return;
	}
	st(e, rx, PV_VPAGE_SCRATCH);
	put(e, 0xEE1D0F70u | rx << 12);          /* mrc p15, 0, rx, c13, c0, 3 */
	put(e, dp_reg(OP_EOR, rx, rx, c->reg));
	nz = skip_if_zero(e, rx);
	ld(e, rx, PV_VPAGE_SCRATCH);
	put(e, (c->word & 0x0FFFFFFFu) | AL << 28); /* traps: the VMM's */
	back(e);
	nz_end(e, nz);
	/* The commit last: an interrupt before it rolls back to the site. */
	ld(e, rx, PV_VPAGE_SCRATCH);
	st(e, c->reg, PV_VPAGE_TPIDRURO);
	back(e);
}

static void build(struct emit *e)
{
	struct cand *c = e->c;
	unsigned rx = c->reg == 0 ? 1 : 0, nz;

	e->n = 0;
	e->nexits = 0;
	memset(e->exit, PV_STUB_NO_EXIT, sizeof(e->exit));
	switch (c->kind) {
	case PV_STUB_MRC:
		ld(e, c->reg, c->field);
		back(e);
		break;
	case PV_STUB_MRS_SPSR:
		ld(e, c->reg, PV_VPAGE_SPSR);
		back(e);
		break;
	case PV_STUB_MSR_SPSR:
		st(e, c->reg, PV_VPAGE_SPSR);
		back(e);
		break;
	case PV_STUB_MCR_DACR:
		st(e, c->reg, PV_VPAGE_DACR);
		back(e);
		break;
	case PV_STUB_MRS_CPSR:
		/* Flags, GE, IT, E, T from the host; the rest from the page. */
		st(e, rx, PV_VPAGE_SCRATCH);
		put(e, MRS_APSR(rx));
		put(e, dp_imm(OP_BIC, rx, rx, 0x1F)); /* host mode: USR */
		ld(e, c->reg, PV_VPAGE_CPSR);
		put(e, dp_reg(OP_ORR, c->reg, c->reg, rx));
		ld(e, rx, PV_VPAGE_SCRATCH);
		back(e);
		break;
	case PV_STUB_CPSID:
		st(e, rx, PV_VPAGE_SCRATCH);
		ld(e, rx, PV_VPAGE_CPSR);
		put(e, dp_imm(OP_ORR, rx, rx, c->mask));
		st(e, rx, PV_VPAGE_CPSR);
		ld(e, rx, PV_VPAGE_SCRATCH);
		back(e);
		break;
	case PV_STUB_CPSIE:
		st(e, rx, PV_VPAGE_SCRATCH);
		ld(e, rx, PV_VPAGE_CPSR);
		put(e, dp_imm(OP_BIC, rx, rx, c->mask));
		st(e, rx, PV_VPAGE_CPSR);
		pending_check(e, rx, c->mask, 0, 0);
		break;
	case PV_STUB_MSR_CPSR_C:
		rx = c->reg == 0 ? 1 : 0;
		st(e, rx, PV_VPAGE_SCRATCH);
		/* A mode change is the VMM's: trap with the original. */
		ld(e, rx, PV_VPAGE_CPSR);
		put(e, dp_reg(OP_EOR, rx, rx, c->reg));
		put(e, dp_imm(OP_AND, rx, rx, 0x1F));
		nz = skip_if_zero(e, rx);
		ld(e, rx, PV_VPAGE_SCRATCH);
		trap(e);
		back(e);
		nz_end(e, nz);
		/* Same mode: I and F from Rn, one case per value. */
		put(e, dp_imm(OP_AND, rx, c->reg, 0xC0));
		put(e, ADD_PC_LSL(rx, 0) | 0x120u); /* rx LSR #2: 4 words a case */
		put(e, NOP);
		for (unsigned v = 0; v < 4; v++) {
			uint32_t set = v << 6;
			unsigned start = e->n;

			ld(e, rx, PV_VPAGE_CPSR);
			put(e, dp_imm(OP_BIC, rx, rx, 0xC0 & ~set));
			if (set)
				put(e, dp_imm(OP_ORR, rx, rx, set));
			/* to the commit, after the four 4-word cases */
			put(e, b_to(AL, here(e), e->at + 4u * (start - 4u * v + 16u)));
			while (e->n < start + 4u)
				put(e, NOP);
		}
		st(e, rx, PV_VPAGE_CPSR);
		pending_check(e, rx, 0xC0, 1, c->reg);
		break;
	case PV_STUB_STM_USR:
	case PV_STUB_LDM_USR:
		rx = c->reg == 0 ? 1 : 0;
		st(e, rx, PV_VPAGE_SCRATCH);
		/* No separate user bank in this mode: the VMM's. */
		ld(e, rx, PV_VPAGE_USR_BAD);
		nz = skip_if_zero(e, rx);
		ld(e, rx, PV_VPAGE_SCRATCH);
		trap(e);
		back(e);
		nz_end(e, nz);
		if (c->kind == PV_STUB_STM_USR) {
			ld(e, rx, PV_VPAGE_USR_SP);
			put(e, 0xE5000008u | c->reg << 16 | rx << 12); /* str rx, [rn, #-8] */
			ld(e, rx, PV_VPAGE_USR_LR);
			put(e, 0xE5000004u | c->reg << 16 | rx << 12);
			ld(e, rx, PV_VPAGE_SCRATCH);
			back(e);
			break;
		}
		put(e, 0xE5100008u | c->reg << 16 | rx << 12); /* ldr rx, [rn, #-8] */
		st(e, rx, PV_VPAGE_USR_SP);
		put(e, 0xE5100004u | c->reg << 16 | rx << 12);
		st(e, rx, PV_VPAGE_USR_LR);
		/* r0-r12 one by one, the base last: restartable until then. */
		for (unsigned k = 0; k < 13; k++)
			if (k != c->reg)
				put(e, 0xE5100000u | c->reg << 16 | k << 12 | (60u - 4u * k));
		put(e, 0xE5100000u | c->reg << 16 | c->reg << 12 | (60u - 4u * c->reg));
		back(e);
		break;
	case PV_STUB_MCR_TLS:
	case PV_STUB_MCR_TPIDRURO:
		build_tpidruro(e);
		break;
	default:
		break;
	}
}

const char *pvp_stub_kind_name(int kind)
{
	static const char *const names[PV_STUB_KIND_COUNT] = {
		[PV_STUB_MRS_CPSR] = "mrs-cpsr", [PV_STUB_MRS_SPSR] = "mrs-spsr",
		[PV_STUB_MSR_SPSR] = "msr-spsr", [PV_STUB_MSR_CPSR_C] = "msr-cpsr_c",
		[PV_STUB_CPSID] = "cpsid", [PV_STUB_CPSIE] = "cpsie",
		[PV_STUB_MRC] = "mrc", [PV_STUB_MCR_DACR] = "mcr-dacr",
		[PV_STUB_STM_USR] = "stm-user", [PV_STUB_LDM_USR] = "ldm-user",
		[PV_STUB_MCR_TLS] = "mcr-tls", [PV_STUB_MCR_TPIDRURO] = "mcr-tpidruro",
	};

	return kind >= 0 && kind < PV_STUB_KIND_COUNT ? names[kind] : "?";
}

/* ---- choosing the sites ------------------------------------------------- */

struct mrc_reg {
	uint8_t crn, opc1, crm, opc2;
	uint32_t field;
};

/* The registers the page holds, as MRC reads them. */
static const struct mrc_reg mrc_regs[] = {
	{ 0, 0, 0, 0, PV_VPAGE_MIDR },
	{ 0, 0, 0, 1, PV_VPAGE_CTR },
	{ 0, 0, 0, 5, PV_VPAGE_MPIDR },
	{ 1, 0, 0, 0, PV_VPAGE_SCTLR },
	{ 3, 0, 0, 0, PV_VPAGE_DACR },
	{ 5, 0, 0, 0, PV_VPAGE_DFSR },
	{ 5, 0, 0, 1, PV_VPAGE_IFSR },
	{ 6, 0, 0, 0, PV_VPAGE_DFAR },
	{ 6, 0, 0, 2, PV_VPAGE_IFAR },
	{ 13, 0, 0, 4, PV_VPAGE_TPIDRPRW },
};

static bool mrc_field(uint32_t w, uint32_t *field)
{
	unsigned crn = (w >> 16) & 15, opc1 = (w >> 21) & 7;
	unsigned crm = w & 15, opc2 = (w >> 5) & 7;

	for (size_t i = 0; i < sizeof(mrc_regs) / sizeof(mrc_regs[0]); i++)
		if (mrc_regs[i].crn == crn && mrc_regs[i].opc1 == opc1 &&
		    mrc_regs[i].crm == crm && mrc_regs[i].opc2 == opc2) {
			*field = mrc_regs[i].field;
			return true;
		}
	return false;
}

/* What a trap-word site stands for as a stub, if it has one. */
static bool classify_site(const struct pvp_site *s, struct cand *c)
{
	uint32_t w = s->original, cond = w >> 28;

	c->word = w;
	c->reg = (w >> 12) & 15;
	if (s->cls == PV_IC_CPS) {
		unsigned imod = (w >> 18) & 3, aif = (w >> 6) & 7;

		/* CPSIE/CPSID of I and/or F, no mode change, no A. */
		if ((w & 0xFFF1FE20u) != 0xF1000000u || (w & PV_BIT(17)) ||
		    imod < 2 || !(aif & 3) || (aif & 4))
			return false;
		c->mask = (aif & 3) << 6;
		c->kind = imod == 3 ? PV_STUB_CPSID : PV_STUB_CPSIE;
		return true;
	}
	if (cond == 0xF)
		return false;
	/* The user-bank transfers of Linux's entry and exit paths. */
	c->reg = (w >> 16) & 15;
	if (s->cls == PV_IC_STM_USER && (w & 0x0FF0FFFFu) == 0x09406000u && c->reg < 13) {
		c->kind = PV_STUB_STM_USR;
		return true;
	}
	if (s->cls == PV_IC_LDM_USER && (w & 0x0FF0FFFFu) == 0x09507FFFu && c->reg < 13) {
		c->kind = PV_STUB_LDM_USR;
		return true;
	}
	c->reg = (w >> 12) & 15;
	/* MRS CPSR builds Rd in place: a roll-back mid-way must not leave a
	 * half-built SP for the interrupt handler. */
	if (s->cls == PV_IC_MRS && (w & 0x0FBF0FFFu) == 0x010F0000u && c->reg != 15 &&
	    (c->reg != 13 || (w & PV_BIT(22)))) {
		c->kind = (w & PV_BIT(22)) ? PV_STUB_MRS_SPSR : PV_STUB_MRS_CPSR;
		return true;
	}
	if (s->cls == PV_IC_MSR && (w & 0x0FB0FFF0u) == 0x0120F000u &&
	    (w & 15) != 15) {
		unsigned mask = (w >> 16) & 15;

		c->reg = w & 15;
		if ((w & PV_BIT(22)) && mask == 0xF)
			c->kind = PV_STUB_MSR_SPSR;
		else if (!(w & PV_BIT(22)) && mask == 0x1)
			c->kind = PV_STUB_MSR_CPSR_C;
		else
			return false;
		return true;
	}
	return false;
}

/* Code that Linux copies elsewhere or runs at another address. */
static const char *const excluded_syms[] = {
	"optprobe_template", "imx6_suspend", "imx53_suspend", "imx5_suspend",
	"imx_ssi_fiq", "__idmap_text", "__turn_mmu_on", "cpu_v7_reset",
	"__kuser", NULL,
};

static bool excluded(const struct pvp_image *img, const struct pvp_result *r,
		     uint32_t va, uint32_t off, const char *sym)
{
	const struct pvp_sym *is = pvp_find_sym(img, "__idmap_text_start");
	const struct pvp_sym *ie = pvp_find_sym(img, "__idmap_text_end");
	if (is && ie && va >= is->addr && va < ie->addr)
		return true;
	/* The vectors and stubs run from the vector page (0xffff0000). */
	if (r->vectors_off && off >= r->vectors_off && off < r->stubs_off + 0x1000u)
		return true;
	if (r->kuser_size && off - r->kuser_off < r->kuser_size)
		return true;
	for (unsigned i = 0; sym && excluded_syms[i]; i++)
		if (!strncmp(sym, excluded_syms[i], strlen(excluded_syms[i])))
			return true;
	return false;
}

/* The symbol containing @va (for reports and exclusions). */
static const char *sym_at(const struct pvp_image *img, uint32_t va)
{
	size_t lo = 0, hi = img->nsyms;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (img->syms[mid].addr <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? img->syms[lo - 1].name : NULL;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && !strcmp(s + n - m, suf);
}

/*
 * DCCMVAC in the CPU's page-table helpers (cpu_*_set_pte_ext,
 * cpu_*_dcache_clean_area): Linux cleans each table write to the point of
 * coherency for the hardware walker. Under pvcore the walker only ever
 * sees the shadow tables, which the VMM cleans itself; the guest's tables
 * are read through the cache. Fork spent 41% of its VMM time here.
 */
static bool is_pte_clean(const struct pvp_image *img, uint32_t w, uint32_t va)
{
	const char *sym;

	if ((w & 0x0FFF0FFFu) != 0x0E070F3Au) /* MCR p15, 0, Rt, c7, c10, 1 */
		return false;
	sym = sym_at(img, va);
	return sym && !strncmp(sym, "cpu_", 4) &&
	       (has_suffix(sym, "_set_pte_ext") || has_suffix(sym, "_dcache_clean_area"));
}

static void wr32le(uint8_t *p, uint32_t v)
{
	for (int k = 0; k < 4; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}

static uint32_t rd32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* ---- TPIDRURO: where a write need not reach the host register at once -- */

#define IS_MCR_TPIDRURO(w) (((w) & 0x0FFF0FFFu) == 0x0E0D0F70u && (w) >> 28 != 0xF)
#define IS_MRC_TPIDRURO(w) (((w) & 0x0FFF0FFFu) == 0x0E1D0F70u && (w) >> 28 != 0xF)
#define MOVS_PC_LR 0xE1B0F00Eu
#define TLS_SCAN_WORDS 64u
#define VECTORS_VA 0xFFFF0000u
#define STUBS_VA 0xFFFF1000u

static const struct pvp_site *site_of(const struct pvp_result *r, uint32_t va)
{
	size_t lo = 0, hi = r->nsites;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (r->sites[mid].va < va)
			lo = mid + 1;
		else if (r->sites[mid].va > va)
			hi = mid;
		else
			return (r->sites[mid].flags & PV_SITE_THUMB) ? NULL : &r->sites[mid];
	}
	return NULL;
}

/*
 * An instruction after which execution goes on at the next word, that
 * does not read TPIDRURO. Conservative: anything that may write the PC,
 * call or leave (a branch is the caller's), and the unconditional space
 * but barriers and CLREX, fail.
 */
static bool tls_plain(uint32_t w)
{
	uint32_t cond = w >> 28, op = (w >> 20) & 0x1F;

	if (cond == 0xF)
		return (w & 0xFFFFFF00u) == 0xF57FF000u;
	if (IS_MRC_TPIDRURO(w) || ((w >> 25) & 7) == 5 || ((w >> 24) & 15) == 15)
		return false;
	if ((w & 0x0E108000u) == 0x08108000u) /* LDM with the PC */
		return false;
	if (((w >> 12) & 15) != 15)
		return true;
	/* Bits 15:12 = 1111: only MSR and the compares, which set no Rd. */
	return (w & 0x0FB0FFF0u) == 0x0120F000u || (w & 0x0FB0F000u) == 0x0320F000u ||
	       (((w >> 26) & 3) == 0 && (op == 0x11 || op == 0x13 || op == 0x15 ||
					 op == 0x17));
}

/* The instruction that runs at @va: a site's original, else the word. */
static uint32_t tls_word(const struct pvp_image *img, const struct pvp_result *r,
			 uint32_t va, bool *site)
{
	const struct pvp_site *s = site_of(r, va);

	*site = s != NULL;
	return s ? s->original : rd32le(img->data + (va - img->base));
}

/* Linux writes its SMP_ON_UP replacements over the text at boot. */
static bool tls_alt_ok(const struct pvp_image *img, const struct pvp_result *r,
		       uint32_t va)
{
	for (int a = 0; a < r->nalt; a++)
		for (uint32_t off = r->alt[a][0]; off + 8 <= r->alt[a][1] &&
		     off + 8 <= img->size; off += 8) {
			uint32_t w = rd32le(img->data + off + 4);

			if (img->base + off + rd32le(img->data + off) == va &&
			    (!tls_plain(w) || IS_MCR_TPIDRURO(w)))
				return false;
		}
	return true;
}

/* @va is A32 code of the Image. */
static bool tls_code(const struct pvp_image *img, const struct pvp_result *r,
		     uint32_t va)
{
	uint32_t off = va - img->base;

	return !(off & 3) && off < img->size && img->size - off >= 4 &&
	       r->arm_words[off / 4];
}

/*
 * Every path from the write at @va reaches the return to user mode (or
 * another TPIDRURO write, or an UNDEF of the kernel's own, which the VMM
 * takes) without reading the register or leaving by a call or a computed
 * branch: there the host register may keep the kernel's value while the
 * page holds the user's. Forward and backward branches are followed
 * within TLS_SCAN_WORDS instructions in all.
 */
static bool tls_exit_proved(const struct pvp_image *img, const struct pvp_result *r,
			    uint32_t va)
{
	uint32_t todo[8], budget = TLS_SCAN_WORDS;
	unsigned n = 0;

	todo[n++] = va + 4;
	while (n) {
		uint32_t at = todo[--n];

		for (;;) {
			uint32_t w, data;
			bool site;

			if (!budget-- || !tls_code(img, r, at) || !tls_alt_ok(img, r, at))
				return false;
			w = tls_word(img, r, at, &site);
			data = rd32le(img->data + (at - img->base));
			if (w == MOVS_PC_LR || IS_MCR_TPIDRURO(w))
				break;
			if (!site && (data & 0xFFF000F0u) == 0xE7F000F0u)
				break; /* a BUG: the VMM's C path */
			if (((w >> 24) & 15) == 0xA && w >> 28 != 0xF) {
				uint32_t to = at + 8u + (uint32_t)((int32_t)(w << 8) >> 6);

				if (w >> 28 == AL) {
					at = to;
					continue;
				}
				if (n == sizeof(todo) / sizeof(todo[0]))
					return false;
				todo[n++] = to;
				at += 4;
				continue;
			}
			if (!tls_plain(w))
				return false;
			at += 4;
		}
	}
	return true;
}

/*
 * The first TPIDRURO write on the straight-line path from the high
 * vectors' SVC entry (an "LDR pc, [pc, #imm]" to vector_swi on Linux),
 * if nothing reads the register before it: between the SVC and that
 * write the host register may hold the fast SVC's guess.
 */
static uint32_t tls_entry_find(const struct pvp_image *img, const struct pvp_result *r)
{
	uint32_t w, la, lit, at;

	if (!r->stubs_off || r->vectors_off + 12 > img->size)
		return 0;
	w = rd32le(img->data + r->vectors_off + 8);
	if ((w & 0xFFFFF000u) != 0xE59FF000u)
		return 0;
	la = VECTORS_VA + 8u + 8u + (w & 0xFFFu);
	if (la - STUBS_VA >= 0x1000u - 3u || r->stubs_off + (la - STUBS_VA) + 4 > img->size)
		return 0;
	lit = rd32le(img->data + r->stubs_off + (la - STUBS_VA));
	for (at = lit; at - lit < 4u * TLS_SCAN_WORDS; at += 4) {
		bool site;

		if ((lit & 3) || !tls_code(img, r, at) || !tls_alt_ok(img, r, at))
			return 0;
		w = tls_word(img, r, at, &site);
		if (IS_MCR_TPIDRURO(w))
			return !site && w >> 28 == AL && ((w >> 12) & 15) < 13 ? at : 0;
		if (!tls_plain(w))
			return 0;
	}
	return 0;
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return x->va < y->va ? -1 : x->va > y->va;
}

static int site_cmp(const void *a, const void *b)
{
	const struct pvp_site *x = a, *y = b;

	return x->va < y->va ? -1 : x->va > y->va;
}

int pvp_zimage_kernel_end(const uint8_t *z, size_t len, const struct pvp_image *img,
			  uint32_t *end)
{
	uint32_t t, words, bss;

	/*
	 * The decompressor's header (arch/arm/boot/compressed/head.S) points
	 * at a table whose "KLSZ" entry gives the kernel's BSS size: what
	 * follows the Image's last byte up to __bss_stop.
	 */
	if (len < 0x40 || rd32le(z + 0x24) != 0x016f2818u ||
	    rd32le(z + 0x34) != 0x45454545u)
		return PV_EINVAL;
	t = rd32le(z + 0x38);
	if (t > len - 16 || (t & 3))
		return PV_EINVAL;
	words = rd32le(z + t);
	if (words < 4 || words > 64 || rd32le(z + t + 4) != 0x5a534c4bu)
		return PV_EINVAL;
	bss = rd32le(z + t + 12);
	if (bss > 256u * MiB || img->size > 0xffffffffu - img->base - bss)
		return PV_ECORRUPT;
	*end = img->base + (uint32_t)img->size + bss;
	return 0;
}

int pvp_stubs_build(struct pvp_image *img, struct pvp_result *r, int lazy_pan,
		    uint32_t kernel_end, uint8_t **blob, size_t *len,
		    struct pvp_stub_stats *stt, struct pvp_err *e)
{
	const struct pvp_sym *end_sym = pvp_find_sym(img, "_end");
	uint32_t end = end_sym ? end_sym->addr : kernel_end;
	struct cand *cs = NULL;
	struct pv_stub *stubs = NULL;
	struct pvp_site *sites = NULL;
	uint8_t *code = NULL, *data, *b;
	size_t nc = 0, ns = 0, nsites = 0, cap;
	uint32_t area, size, chunk = 0, pos = 0;
	struct pv_stub_file_hdr h;
	int rc = PV_ENOMEM;

	memset(stt, 0, sizeof(*stt));
	*blob = NULL;
	*len = 0;
	if (!end || end < img->base || end - img->base < img->size - 4u)
		return pvp_errf(e, PV_EINVAL, "the kernel's end (_end) is unknown: "
				"no _end symbol and no zImage BSS size; cannot place "
				"the stub area (give the zImage or the ELF, or drop --stubs)");
	/*
	 * Past _end, with a margin for alignment the BSS size does not
	 * include, at a MiB boundary: the area owns whole shadow L1 slots.
	 */
	area = (end + 0x10000u + MiB - 1) & ~(MiB - 1);
	if (!r->tls_entry)
		r->tls_entry = tls_entry_find(img, r);
	cap = r->nsites + img->size / 64 + 16;
	cs = calloc(cap, sizeof(*cs));
	if (!cs)
		goto out;
	/* 1. Candidates: trap-word sites, and MRC/MCR words reached as code. */
	for (size_t i = 0; i < r->nsites; i++) {
		const struct pvp_site *s = &r->sites[i];
		struct cand c = { 0 };

		if (s->flags & (PV_SITE_THUMB | PV_SITE_ALIAS) ||
		    !classify_site(s, &c))
			continue;
		c.va = s->va;
		c.off = s->off;
		c.marker = s->patched;
		c.cls = s->cls;
		c.sym = s->sym;
		cs[nc++] = c;
	}
	for (uint32_t off = 0; off + 4 <= img->size && nc < cap; off += 4) {
		uint32_t w = rd32le(img->data + off), field;
		struct cand c = { 0 };

		if ((w >> 28) == 0xF || (w & 0x0F000F10u) != 0x0E000F10u ||
		    ((w >> 12) & 15) == 15)
			continue;
		/* After an SMP_ON_UP branch: not reached statically, still code. */
		if (is_pte_clean(img, w, img->base + off)) {
			/* Elided, not stubbed: no trap, no stub. */
			wr32le(img->data + off, NOP);
			stt->elided++;
			continue;
		}
		if (!r->arm_words[off / 4])
			continue;
		if (IS_MCR_TPIDRURO(w)) {
			if (((w >> 12) & 15) >= 13)
				continue;
			if (img->base + off == r->tls_entry) {
				c.kind = PV_STUB_MCR_TPIDRURO;
			} else if (tls_exit_proved(img, r, img->base + off)) {
				c.kind = PV_STUB_MCR_TLS;
			} else {
				stt->tls_unproved++;
				continue;
			}
		} else if (w & PV_BIT(20)) {
			if (!mrc_field(w, &field))
				continue;
			c.kind = PV_STUB_MRC;
			c.field = field;
		} else if (lazy_pan && (w & 0x00EF00EFu) == 0x00030000u) {
			c.kind = PV_STUB_MCR_DACR; /* MCR p15, 0, Rt, c3, c0, 0 */
		} else {
			continue;
		}
		c.va = img->base + off;
		c.off = off;
		c.word = w;
		c.reg = (w >> 12) & 15;
		c.cls = PV_IC_CP_MOVE;
		c.sym = sym_at(img, c.va);
		cs[nc++] = c;
	}
	/*
	 * On a uniprocessor guest (the virtual SCU reports one core) Linux
	 * writes its SMP_ON_UP replacements over the text at boot; the
	 * page-table cleans arrive that way. Make those replacements NOPs.
	 */
	for (int a = 0; a < r->nalt; a++)
		for (uint32_t off = r->alt[a][0]; off + 8 <= r->alt[a][1] &&
		     off + 8 <= img->size; off += 8) {
			uint32_t tgt = img->base + off + rd32le(img->data + off);

			if (is_pte_clean(img, rd32le(img->data + off + 4), tgt)) {
				wr32le(img->data + off + 4, NOP);
				stt->elided++;
			}
		}
	qsort(cs, nc, sizeof(*cs), cand_cmp);

	/* 2. Stubs, chunk by chunk. */
	stubs = calloc(nc ? nc : 1, sizeof(*stubs));
	sites = calloc(r->nsites + nc + 1, sizeof(*sites));
	code = calloc(1, (nc / 8 + 2) * PV_STUB_CHUNK);
	if (!stubs || !sites || !code)
		goto out;
	for (size_t i = 0; i < nc; i++) {
		struct cand *c = &cs[i];
		struct emit em = { .c = c };
		uint32_t at, cond;

		if (excluded(img, r, c->va, c->off, c->sym)) {
			stt->skipped_excluded++;
			continue;
		}
		em.at = area + chunk * PV_STUB_CHUNK + PV_STUB_CODE_OFF + pos;
		em.page = area + chunk * PV_STUB_CHUNK;
		build(&em);
		if (pos + 4u * em.n > PV_STUB_CODE_LIMIT) {
			chunk++;
			pos = 0;
			em.at = area + chunk * PV_STUB_CHUNK + PV_STUB_CODE_OFF;
			em.page = area + chunk * PV_STUB_CHUNK;
			build(&em);
		}
		at = em.at;
		if (at + 4u * em.n - c->va > BRANCH_REACH) {
			stt->skipped_range++;
			continue;
		}
		for (unsigned k = 0; k < em.n; k++)
			wr32le(code + chunk * PV_STUB_CHUNK + PV_STUB_CODE_OFF + pos +
				       4u * k, em.w[k]);
		/* The trap word inside, for the VMM to emulate. */
		for (unsigned k = 0; k < em.n; k++) {
			struct pvp_site *t;

			if (!c->marker || em.w[k] != c->marker)
				continue;
			t = &sites[nsites++];
			t->va = at + 4u * k;
			t->off = 0; /* not in the Image proper */
			/*
			 * The original as it is, condition included: the stub
			 * keeps the flags that passed it at the site, and a
			 * self-describing marker decodes to exactly this word
			 * (pv_patch_table_parse() rejects anything else).
			 */
			t->original = c->word;
			t->patched = c->marker;
			t->cls = c->cls;
			t->flags = PV_SITE_ALIAS;
			t->sym = c->sym;
		}
		cond = (c->word >> 28) == 0xF ? AL : c->word >> 28;
		wr32le(img->data + c->off, b_to(cond, c->va, at));
		stubs[ns].site = c->va;
		stubs[ns].stub = at;
		stubs[ns].words = (uint16_t)em.n;
		stubs[ns].saved = (c->kind == PV_STUB_MRC || c->kind == PV_STUB_MRS_SPSR ||
				   c->kind == PV_STUB_MSR_SPSR || c->kind == PV_STUB_MCR_TLS ||
				   c->kind == PV_STUB_MCR_DACR) ? PV_STUB_NO_REG :
				  (uint8_t)(c->reg == 0 ? 1 : 0);
		stubs[ns].kind = (uint8_t)c->kind;
		memcpy(stubs[ns].exit, em.exit, sizeof(em.exit));
		ns++;
		stt->per_kind[c->kind]++;
		pos += 4u * em.n;
		c->cls = 0xFFFF; /* done */
	}
	size = (chunk + 1) * PV_STUB_CHUNK;
	size = (size + MiB - 1) & ~(MiB - 1);

	/* 3. The site table: stubbed sites leave it, stub trap words join. */
	for (size_t i = 0; i < r->nsites; i++) {
		const struct pvp_site *s = &r->sites[i];
		bool gone = false;

		for (size_t lo = 0, hi = nc; lo < hi;) {
			size_t mid = (lo + hi) / 2;

			if (cs[mid].va < s->va) {
				lo = mid + 1;
			} else if (cs[mid].va > s->va) {
				hi = mid;
			} else {
				gone = cs[mid].cls == 0xFFFF && !(s->flags & PV_SITE_THUMB);
				break;
			}
		}
		if (!gone)
			sites[nsites++] = *s;
		else if (s->cls < PV_IC_COUNT && r->per_class[s->cls])
			r->per_class[s->cls]--;
	}
	qsort(sites, nsites, sizeof(*sites), site_cmp);
	free(r->sites);
	r->sites = sites;
	r->nsites = nsites;
	sites = NULL;

	/* 4. The Image grows by the area (page slots stay zero). */
	data = realloc(img->data, (size_t)(area - img->base) + size);
	if (!data)
		goto out;
	img->data = data;
	memset(data + img->size, 0, (size_t)(area - img->base) + size - img->size);
	memcpy(data + (area - img->base), code, (chunk + 1) * PV_STUB_CHUNK);
	img->size = (size_t)(area - img->base) + size;

	/* 5. The stub table file. */
	*len = sizeof(h) + ns * sizeof(struct pv_stub);
	b = calloc(1, *len);
	if (!b)
		goto out;
	memset(&h, 0, sizeof(h));
	h.magic = PV_STUB_MAGIC;
	h.version = PV_STUB_VERSION;
	h.hdr_size = sizeof(h);
	h.count = (uint32_t)ns;
	h.entry_size = sizeof(struct pv_stub);
	h.area_va = area;
	h.area_size = size;
	h.image_base = img->base;
	memcpy(b, &h, sizeof(h));
	memcpy(b + sizeof(h), stubs, ns * sizeof(struct pv_stub));
	wr32le(b + offsetof(struct pv_stub_file_hdr, checksum), pv_patch_crc32(0, b, *len));
	*blob = b;
	stt->stubs = (uint32_t)ns;
	stt->area_va = area;
	stt->area_size = size;
	rc = 0;
out:
	free(cs);
	free(stubs);
	free(sites);
	free(code);
	return rc;
}
