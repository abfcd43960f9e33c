/* SPDX-License-Identifier: MIT */
/*
 * Code/data separation and site selection (method in docs/pvpatch.md).
 *
 * Instructions are found by following control flow from every function
 * symbol (recursive descent), never by sweeping: a word is code only if a
 * path from a function entry reaches it. PC-relative loads mark their
 * targets as data, and a word that is both is reported, not patched.
 * Sensitive-looking words that no path reaches are reported as "unsure".
 * Classification of a reached instruction is pv_decode_arm/thumb()'s; the
 * small matchers below only extract control flow and literal targets.
 */
#include <stdlib.h>
#include <string.h>

#include "pvpatch.h"

#define VECTORS_VA 0xFFFF0000u
#define STUBS_VA   0xFFFF1000u

/* Per-halfword state. */
enum {
	S_ARM = 1,     /* an A32 instruction starts here */
	S_THUMB = 2,   /* a T16/T32 instruction starts here */
	S_TAIL = 4,    /* second halfword of an instruction */
	S_DATA = 8,    /* proved data (literal, table, data object, $d) */
	S_TEXT = 16,   /* inside a text range (flow may go here) */
	S_LABEL = 32,  /* inside a text symbol that starts with data (heuristic) */
	S_ADRD = 64,   /* read as data through "adr rX, L" + a load from [rX] */
};

struct range {
	uint32_t va, end;   /* [va, end) in the VA space of the region */
	const char *name;
	int entry;          /* a real function starts at va */
	int thumb;
};

struct region {
	uint32_t va, off, size;
};

struct work {
	uint32_t va;
	int thumb;
};

struct ctx {
	const struct pvp_image *img;
	struct pvp_result *r;
	struct pvp_err *e;
	uint8_t *st;
	struct region reg[4];
	int nreg;
	uint32_t nvec; /* vector tables found (main + Spectre-BHB variants) */
	int vec_isa;   /* vectors_at(): 1 A32, 2 Thumb */
	struct range *rg;
	size_t nrg;
	struct work *wl;
	size_t nwl, capwl;
	size_t scap, ucap;
	struct work *calls;  /* (BL site, target) pairs, for noreturn learning */
	size_t ncalls, capcalls;
	uint32_t *noret;     /* sorted targets that do not return */
	size_t nnoret;
	uint32_t alt[64][2]; /* .alt.smp.init spans (image offsets) */
	int nalt;
	int err;
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* VA -> Image offset through the regions; false if outside the Image. */
static bool va2off(const struct ctx *c, uint32_t va, uint32_t len, uint32_t *off)
{
	for (int i = 0; i < c->nreg; i++) {
		const struct region *g = &c->reg[i];

		if (va >= g->va && va - g->va < g->size && g->size - (va - g->va) >= len) {
			*off = g->off + (va - g->va);
			return (uint64_t)*off + len <= c->img->size;
		}
	}
	return false;
}

static void push(struct ctx *c, uint32_t va, int thumb)
{
	if (c->err)
		return;
	if (c->nwl == c->capwl) {
		size_t n = c->capwl ? c->capwl * 2 : 4096;
		struct work *w = realloc(c->wl, n * sizeof(*w));

		if (!w) {
			c->err = PV_ENOMEM;
			return;
		}
		c->wl = w;
		c->capwl = n;
	}
	c->wl[c->nwl].va = thumb ? va & ~1u : va;
	c->wl[c->nwl].thumb = thumb;
	c->nwl++;
}

static void mark_data(struct ctx *c, uint32_t va, uint32_t len)
{
	uint32_t off;

	va &= ~1u;
	for (uint32_t i = 0; i < len; i += 2)
		if (va2off(c, va + i, 2, &off))
			c->st[off / 2] |= S_DATA;
}

/*
 * Binary search over @n records of @stride bytes, sorted by the uint32_t
 * at byte @key_off of each: the index of the first record whose key is
 * >= @key, or > @key if @after; @n if none. (The core's pv_bsearch_u32()
 * is in a component header, which tools do not see.)
 */
static size_t bsearch_u32(const void *base, size_t n, size_t stride,
			  size_t key_off, uint32_t key, bool after)
{
	const char *keys = (const char *)base + key_off;
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const void *rec = keys + mid * stride;
		uint32_t k = *(const uint32_t *)rec;

		if (k < key || (after && k == key))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct range *range_of(const struct ctx *c, uint32_t va)
{
	size_t lo = bsearch_u32(c->rg, c->nrg, sizeof(c->rg[0]),
				offsetof(struct range, va), va, true);

	if (lo == 0 || va >= c->rg[lo - 1].end)
		return NULL;
	return &c->rg[lo - 1];
}

/* Read a literal word (for "ldr pc, =x" and tables); false if not in Image. */
static bool lit32(const struct ctx *c, uint32_t va, uint32_t *v)
{
	uint32_t off;

	if (!va2off(c, va, 4, &off))
		return false;
	*v = rd32(c->img->data + off);
	return true;
}

static bool is_text(const struct ctx *c, uint32_t va)
{
	uint32_t off;

	return va2off(c, va & ~1u, 2, &off) && (c->st[off / 2] & S_TEXT);
}

/* A Thumb-2 kernel: its vectors are Thumb, or (no vectors found) its
 * functions were detected or declared Thumb. */
static bool thumb_kernel(const struct ctx *c)
{
	return c->vec_isa == 2 || (!c->vec_isa && c->img->thumb_default);
}

/* ---- A32 flow --------------------------------------------------------- */

static bool t_in(const struct ctx *c, uint32_t va)
{
	return !(va & 3) && is_text(c, va);
}

static void note_call(struct ctx *c, uint32_t va, uint32_t target)
{
	if (c->noret || c->err)
		return; /* only the first pass learns */
	if (c->ncalls == c->capcalls) {
		size_t n = c->capcalls ? c->capcalls * 2 : 4096;
		struct work *w = realloc(c->calls, n * sizeof(*w));

		if (!w) {
			c->err = PV_ENOMEM;
			return;
		}
		c->calls = w;
		c->capcalls = n;
	}
	c->calls[c->ncalls].va = va;
	c->calls[c->ncalls].thumb = (int)target; /* reuse: the target address */
	c->ncalls++;
}

static bool is_noreturn(const struct ctx *c, uint32_t target)
{
	size_t lo = bsearch_u32(c->noret, c->nnoret, sizeof(c->noret[0]), 0,
				target, false);

	return lo < c->nnoret && c->noret[lo] == target;
}

static uint32_t arm_imm(uint32_t w)
{
	uint32_t imm = w & 0xFF, rot = (w >> 8 & 0xF) * 2;

	return rot ? (imm >> rot) | (imm << (32 - rot)) : imm;
}

/* Follow one ARM path from @va. */
/* A code address built in a register: accepted at a push prologue only. */
static void maybe_code_ptr(struct ctx *c, uint32_t v)
{
	uint32_t off, w;

	if (!t_in(c, v) || !va2off(c, v, 4, &off))
		return;
	w = rd32(c->img->data + off);
	if ((w & 0xFFFF4000u) == 0xE92D4000u || w == 0xE52DE004u)
		push(c, v, 0);
}

/*
 * "adr rX, L" (add/sub rX, pc, #imm) followed on the same path by a load
 * with base rX reads L as data: GCC materialises 64-bit constants that way
 * (add r9, pc, #off; ldrd r8, r9, [r9]), and hand-written code reads small
 * tables with adr + ldm. Tracked per register for a few instructions;
 * anything that may write rX, and any branch, ends the tracking.
 */
struct adr_track {
	uint32_t val[16];
	uint8_t left[16]; /* instructions the value stays known for */
};

static void adr_mark(struct ctx *c, uint32_t va, uint32_t len)
{
	uint32_t off;

	for (uint32_t i = 0; i < len; i += 2)
		if (va2off(c, (va & ~1u) + i, 2, &off))
			c->st[off / 2] |= S_ADRD;
}

static void adr_step(struct ctx *c, struct adr_track *t, uint32_t w, uint32_t pc)
{
	uint32_t rn = w >> 16 & 15, rd = w >> 12 & 15, imm8 = (w & 0xFF) * 4;
	uint32_t cond = w >> 28, len = 0, a = 0;
	bool known = t->left[rn] != 0;

	if (known && cond == 0xF && (w & 0xFFB00000u) == 0xF4200000u) {
		/* VLD1 multiple structures: 1-4 D registers from [rn]. */
		static const uint8_t nregs[16] = { [2] = 4, [6] = 3, [7] = 1, [10] = 2 };

		a = t->val[rn];
		len = 8u * nregs[w >> 8 & 15];
	} else if (known && cond != 0xF) {
		uint32_t u = w & (1u << 23), p = w & (1u << 24), l = w & (1u << 20);

		if ((w & 0x0E000000u) == 0x04000000u && l) { /* LDR/LDRB imm */
			a = t->val[rn] + (p ? (u ? (w & 0xFFF) : -(w & 0xFFF)) : 0);
			len = 4;
		} else if ((w & 0x0E4000F0u) == 0x004000D0u && !l) { /* LDRD imm */
			uint32_t i8 = (w >> 4 & 0xF0) | (w & 0xF);

			a = t->val[rn] + (p ? (u ? i8 : -i8) : 0);
			len = 8;
		} else if ((w & 0x0E100000u) == 0x08100000u && u) { /* LDMIA/IB */
			a = t->val[rn] + (p ? 4 : 0);
			len = 4u * (uint32_t)__builtin_popcount(w & 0xFFFF);
		} else if ((w & 0x0F300E00u) == 0x0D100A00u) { /* VLDR */
			a = t->val[rn] + (u ? imm8 : -imm8);
			len = (w & 0x100) ? 8 : 4;
		}
	}
	if (len)
		adr_mark(c, a & ~3u, len);
	/* What may change a register: its use as Rd or Rn, an LDM list. */
	for (int r = 0; r < 16; r++)
		if (t->left[r]) {
			t->left[r]--;
			if ((uint32_t)r == rd || (uint32_t)r == rn ||
			    ((w & 0x0E100000u) == 0x08100000u && (w >> r & 1)))
				t->left[r] = 0;
		}
	/* A branch (or any PC write) ends all tracking. */
	if ((w & 0x0E000000u) == 0x0A000000u || (w & 0x0FFFFFD0u) == 0x012FFF10u ||
	    rd == 15)
		memset(t->left, 0, sizeof(t->left));
	/* Unconditional adr rX, L: add/sub rX, pc, #imm (not lr, which is a
	 * return address). */
	if (cond == 0xE && (w & 0x0FFF0000u) == 0x028F0000u && rd != 15 && rd != 14) {
		t->val[rd] = pc + arm_imm(w);
		t->left[rd] = 4;
	} else if (cond == 0xE && (w & 0x0FFF0000u) == 0x024F0000u && rd != 15 && rd != 14) {
		t->val[rd] = pc - arm_imm(w);
		t->left[rd] = 4;
	}
}

static void flow_arm(struct ctx *c, uint32_t va)
{
	int prev_movlr = 0;
	uint32_t movw_lo[16], movw_ok = 0; /* movw seen per register on this path */
	struct adr_track adr = { { 0 }, { 0 } };

	for (;; va += 4) {
		uint32_t off, w, cond, pc = va + 8;
		int al, stop = 0;
		struct pv_insn in;

		if (!va2off(c, va, 4, &off) || !(c->st[off / 2] & S_TEXT) ||
		    !(c->st[off / 2 + 1] & S_TEXT))
			return;
		if (c->st[off / 2] & (S_ARM | S_THUMB | S_TAIL) ||
		    (c->st[off / 2 + 1] & (S_ARM | S_THUMB | S_TAIL)))
			return; /* visited (or claimed by the other ISA: reported later) */
		w = rd32(c->img->data + off);
		if (pv_decode_arm(w, &in) == PV_EUNDEF || (w & 0x0FF000F0u) == 0x07F000F0u) {
			/* UDF/BUG(): nothing after it is reached from here. */
			c->st[off / 2] |= S_ARM;
			c->st[off / 2 + 1] |= S_TAIL;
			return;
		}
		c->st[off / 2] |= S_ARM;
		c->st[off / 2 + 1] |= S_TAIL;
		c->r->ncode++;
		/* adr rX, L + 1; bx rX: on in Thumb at L (a Thumb-2 kernel's
		 * A32 entry points switch over this way). */
		if ((w & 0x0FFFFFD0u) == 0x012FFF10u && adr.left[w & 15] &&
		    (adr.val[w & 15] & 1))
			push(c, adr.val[w & 15] & ~1u, 1);
		adr_step(c, &adr, w, pc);
		cond = w >> 28;
		al = cond == 0xE;
		if (cond == 0xF) {
			if ((w & 0x0E000000u) == 0x0A000000u) /* BLX imm */
				push(c, pc + ((uint32_t)((int32_t)(w << 8) >> 6) | (w >> 23 & 2)), 1);
			else if ((w & 0x0E500000u) == 0x08100000u) /* RFE */
				return;
			prev_movlr = 0;
			continue;
		}
		switch (w >> 25 & 7) {
		case 5: { /* B / BL */
			uint32_t t = pc + (uint32_t)((int32_t)(w << 8) >> 6);

			push(c, t, 0);
			if (!(w & (1u << 24)) && al)
				stop = 1;
			else if (al && (w & (1u << 24))) {
				note_call(c, va, t);
				if (is_noreturn(c, t))
					stop = 1;
			}
			break;
		}
		case 4: /* LDM/STM */
			if ((w & (1u << 20)) && (w & (1u << 15)) && al)
				stop = 1;
			break;
		case 2: case 3: { /* LDR/STR */
			uint32_t rn = w >> 16 & 15, rt = w >> 12 & 15;
			int load = !!(w & (1u << 20)), reg = !!(w & (1u << 25));

			if (reg && (w & (1u << 4)))
				break; /* media instructions */
			if (load && rn == 15 && !reg) {
				uint32_t t = (w & (1u << 23)) ? pc + (w & 0xFFF) : pc - (w & 0xFFF);
				uint32_t v;

				mark_data(c, t & ~3u, 4);
				if (rt == 15 && lit32(c, t & ~3u, &v) && is_text(c, v))
					push(c, v & ~1u, v & 1);
			} else if (load && rn == 15 && reg && (w & 0xFF0) == 0x100) {
				/* ldr rX, [pc, rM, lsl #2]: an address table at pc. */
				uint32_t v, t = pc;

				while (lit32(c, t, &v) && is_text(c, v) && t - pc < 4096) {
					mark_data(c, t, 4);
					if (rt == 15)
						push(c, v & ~1u, v & 1);
					t += 4;
				}
			}
			if (load && rt == 15 && al)
				stop = !prev_movlr;
			break;
		}
		case 6: /* LDC/VLDR literal */
			if ((w & 0x0E1F0000u) == 0x0C1F0000u && (w & (1u << 24))) {
				uint32_t imm = (w & 0xFF) * 4;
				uint32_t t = (w & (1u << 23)) ? (pc & ~3u) + imm : (pc & ~3u) - imm;

				mark_data(c, t, (w >> 8 & 0xF) == 11 ? 8 : 4);
			}
			break;
		case 0: case 1: {
			uint32_t op = w >> 21 & 15, rd = w >> 12 & 15, rn = w >> 16 & 15;
			int s = !!(w & (1u << 20)), imm = !!(w & (1u << 25));

			if ((w & 0x0FF00000u) == 0x03000000u) { /* movw */
				movw_lo[rd] = (w >> 4 & 0xF000) | (w & 0xFFF);
				movw_ok |= 1u << rd;
				break;
			}
			if ((w & 0x0FF00000u) == 0x03400000u) { /* movt */
				if (movw_ok & (1u << rd))
					maybe_code_ptr(c, (w << 12 & 0xF0000000u) |
						       (w << 16 & 0x0FFF0000u) | movw_lo[rd]);
				movw_ok &= ~(1u << rd);
				break;
			}

			if (!imm && (w & 0x90) == 0x90) {
				/* multiply / extra load-store: LDRD/LDRH literal */
				if (rn == 15 && (w & (1u << 22)) && (w & 0x60) &&
				    ((w & (1u << 20)) || (w & 0x60) == 0x40)) {
					uint32_t i8 = (w >> 4 & 0xF0) | (w & 0xF);
					uint32_t t = (w & (1u << 23)) ? pc + i8 : pc - i8;

					mark_data(c, t & ~3u, (w & 0x60) == 0x40 && !(w & (1u << 20)) ? 8 : 4);
				}
				break;
			}
			if (!imm && (w & 0x0FFFFFD0u) == 0x012FFF10u) { /* BX / BLX reg */
				if (!(w & 0x20) && al)
					stop = !prev_movlr;
				break;
			}
			if (op >= 8 && op <= 11 && !s)
				break; /* MRS/MSR/misc: not a PC write */
			if (imm && rn == 15 && rd == 14 && (op == 4 || op == 2)) {
				/* adr lr, label: a return address, so code. */
				uint32_t v = arm_imm(w);

				push(c, op == 4 ? pc + v : pc - v, 0);
			}
			if (rd != 15 || (op >= 8 && op <= 11))
				break;
			if ((w & 0x0FFFFFF0u) == 0x008FF100u) {
				/* add pc, pc, rM, lsl #2: a table of branches follows. */
				uint32_t v, t = pc;

				while (lit32(c, t, &v) && (v & 0x0F000000u) == 0x0A000000u &&
				       t - pc < 4096) {
					push(c, t, 0);
					t += 4;
				}
			}
			if (al)
				stop = !prev_movlr || s;
			break;
		}
		default:
			break;
		}
		prev_movlr = (w == 0xE1A0E00Fu); /* mov lr, pc: the next jump is a call */
		if (stop)
			return;
	}
}

/* ---- T32 flow --------------------------------------------------------- */

static bool t32(uint16_t hw1)
{
	return (hw1 >> 11) >= 0x1D;
}

/*
 * Thumb "adr rX, L" followed by a load from [rX] (rule 7 for Thumb-2
 * kernels): GCC loads 64-bit constants with adr + ldrd, and compiles
 * switches to "adr rX, table; ldr.w pc, [rX, rM, lsl #2]" whose table
 * holds the cases' addresses (Thumb, bit 0 set): those are data, and each
 * is a path. Tracking is as in adr_step().
 */
static void t_adr_step(struct ctx *c, struct adr_track *t, uint16_t hw1, uint16_t hw2,
		       int len, uint32_t pc)
{
	uint32_t a = 0, n = 0, rn = 16, wr[3] = { 16, 16, 16 };

	if (len == 2) {
		rn = hw1 >> 3 & 7;
		if ((hw1 & 0xF800) == 0x6800 && t->left[rn]) { /* LDR imm5 */
			a = t->val[rn] + (hw1 >> 6 & 0x1F) * 4u;
			n = 4;
		} else if ((hw1 & 0xF800) == 0xC800 && t->left[hw1 >> 8 & 7]) { /* LDM */
			a = t->val[hw1 >> 8 & 7];
			n = 4u * (uint32_t)__builtin_popcount(hw1 & 0xFF);
		}
		wr[0] = hw1 & 7;
		wr[1] = hw1 >> 8 & 7;
		wr[2] = (hw1 & 0xFF00) == 0x4600 || (hw1 & 0xFF00) == 0x4400 ?
			(hw1 & 7) | (hw1 >> 4 & 8) : 16; /* mov/add hi */
	} else {
		uint32_t u = hw1 >> 7 & 1, i8 = (hw2 & 0xFFu) * 4;

		rn = hw1 & 15;
		if (t->left[rn] && (hw1 & 0xFE50) == 0xE850 && (hw1 & 0x0120)) { /* LDRD */
			a = t->val[rn] + ((hw1 & 0x100) ? (u ? i8 : -i8) : 0);
			n = 8;
		} else if (t->left[rn] && (hw1 & 0xFFF0) == 0xF8D0) { /* LDR imm12 */
			a = t->val[rn] + (hw2 & 0xFFFu);
			n = 4;
		} else if (t->left[rn] && (hw1 & 0xFFD0) == 0xE890) { /* LDM.W */
			a = t->val[rn];
			n = 4u * (uint32_t)__builtin_popcount(hw2 & 0xDFFF);
		} else if (t->left[rn] && (hw1 & 0xFF30) == 0xED10 && (hw2 & 0x0E00) == 0x0A00) {
			a = t->val[rn] + (u ? i8 : -i8); /* VLDR */
			n = (hw2 & 0x100) ? 8 : 4;
		} else if (t->left[rn] && (hw1 & 0xFFB0) == 0xF920) { /* VLD1 multiple */
			static const uint8_t nregs[16] = { [2] = 4, [6] = 3, [7] = 1, [10] = 2 };

			a = t->val[rn];
			n = 8u * nregs[hw2 >> 8 & 15];
		} else if (t->left[rn] && (hw1 & 0xFFF0) == 0xF850 && (hw2 & 0x0FF0) == 0x0020) {
			/* ldr rT, [rX, rM, lsl #2]: a table of code addresses. */
			uint32_t v, at = t->val[rn];

			while (lit32(c, at, &v) && is_text(c, v) && at - t->val[rn] < 4096) {
				mark_data(c, at, 4);
				push(c, v & ~1u, (int)(v & 1));
				at += 4;
			}
		}
		wr[0] = hw2 >> 8 & 15;
		wr[1] = hw2 >> 12 & 15;
		wr[2] = rn;
	}
	if (n)
		adr_mark(c, a & ~3u, n);
	for (int r = 0; r < 16; r++)
		if (t->left[r]) {
			t->left[r]--;
			if ((uint32_t)r == wr[0] || (uint32_t)r == wr[1] || (uint32_t)r == wr[2])
				t->left[r] = 0;
		}
	/* A branch ends all tracking. */
	if ((len == 2 && ((hw1 & 0xF000) == 0xD000 || (hw1 & 0xF800) == 0xE000 ||
			  (hw1 & 0xF500) == 0xB100 || (hw1 & 0xFF00) == 0x4700)) ||
	    (len == 4 && (hw1 & 0xF800) == 0xF000 && (hw2 & 0x8000)))
		memset(t->left, 0, sizeof(t->left));
	if (len == 2 && (hw1 & 0xF800) == 0xA000) { /* ADR T1 */
		t->val[hw1 >> 8 & 7] = (pc & ~3u) + (hw1 & 0xFFu) * 4;
		t->left[hw1 >> 8 & 7] = 4;
	} else if (len == 4 && ((hw1 & 0xFBFF) == 0xF20F || (hw1 & 0xFBFF) == 0xF2AF) &&
		   !(hw2 & 0x8000) && (hw2 >> 8 & 15) < 13) { /* ADR T2/T3 */
		uint32_t imm = (hw1 >> 10 & 1) << 11 | (hw2 >> 12 & 7) << 8 | (hw2 & 0xFF);

		t->val[hw2 >> 8 & 15] = (pc & ~3u) + ((hw1 & 0x00A0) ? -imm : imm);
		t->left[hw2 >> 8 & 15] = 4;
	}
}

static void flow_thumb(struct ctx *c, uint32_t va)
{
	int it = 0; /* instructions left in the current IT block */
	struct adr_track adr = { { 0 }, { 0 } };
	uint32_t cmp_reg = 0, cmp_imm = 0, cmp_left = 0; /* a recent cmp rN, #imm */

	for (;;) {
		uint32_t off, pc = va + 4;
		uint16_t hw1, hw2 = 0;
		int len, stop = 0, cond_exec = it > 0;
		struct pv_insn in;

		if (!va2off(c, va, 2, &off) || !(c->st[off / 2] & S_TEXT))
			return;
		if (c->st[off / 2] & (S_ARM | S_THUMB | S_TAIL))
			return;
		/* Proved data ends a Thumb path: a literal pool after a call
		 * not yet known to be noreturn. Decoding it would mark more
		 * "literals" and teach false noreturns from them. */
		if (c->st[off / 2] & S_DATA)
			return;
		hw1 = rd16(c->img->data + off);
		len = t32(hw1) ? 4 : 2;
		if (len == 4) {
			if (!va2off(c, va, 4, &off) || !(c->st[off / 2 + 1] & S_TEXT) ||
			    (c->st[off / 2 + 1] & (S_ARM | S_THUMB | S_TAIL)))
				return;
			hw2 = rd16(c->img->data + off + 2);
		}
		if (it > 0)
			it--;
		c->st[off / 2] |= S_THUMB;
		if (len == 4)
			c->st[off / 2 + 1] |= S_TAIL;
		if (pv_decode_thumb(hw1, hw2, &in) == PV_EUNDEF || (hw1 & 0xFF00) == 0xDE00 ||
		    ((hw1 & 0xFFF0) == 0xF7F0 && (hw2 & 0xF000) == 0xA000))
			return; /* UDF / BUG() */
		c->r->ncode++;
		t_adr_step(c, &adr, hw1, hw2, len, pc);
		if (cmp_left)
			cmp_left--;
		if (len == 2 && (hw1 & 0xF800) == 0x2800) { /* cmp rN, #imm8 */
			cmp_reg = hw1 >> 8 & 7;
			cmp_imm = hw1 & 0xFF;
			cmp_left = 3;
		} else if (len == 4 && (hw1 & 0xFFF0) == 0xF1B0 && (hw2 & 0xFF00) == 0x0F00) {
			cmp_reg = hw1 & 15; /* cmp.w rN, #imm8 (no rotation) */
			cmp_imm = hw2 & 0xFF;
			cmp_left = 3;
		}
		if (len == 2) {
			if ((hw1 & 0xF000) == 0xD000 && (hw1 & 0x0F00) < 0x0E00) {
				push(c, pc + (uint32_t)((int32_t)(int8_t)(hw1 & 0xFF) * 2), 1);
			} else if ((hw1 & 0xF800) == 0xE000) {
				push(c, pc + (uint32_t)((int32_t)((uint32_t)hw1 << 21) >> 20), 1);
				stop = 1;
			} else if ((hw1 & 0xF500) == 0xB100) { /* CBZ/CBNZ */
				push(c, pc + ((hw1 >> 2 & 0x3E) | (hw1 >> 3 & 0x40)), 1); /* i:imm5:0 */
			} else if ((hw1 & 0xFF80) == 0x4700) { /* BX */
				if (hw1 == 0x4778) /* bx pc: on in A32 */
					push(c, pc & ~3u, 0);
				stop = 1;
			} else if ((hw1 & 0xFF87) == 0x4687 || (hw1 & 0xFF87) == 0x4487) {
				stop = 1; /* mov/add pc, rM */
			} else if ((hw1 & 0xFF00) == 0xBD00) { /* pop {.., pc} */
				stop = 1;
			} else if ((hw1 & 0xF800) == 0x4800) { /* ldr rT, [pc, #imm] */
				mark_data(c, ((pc & ~3u) + (hw1 & 0xFFu) * 4), 4);
			} else if ((hw1 & 0xFF00) == 0xBF00 && (hw1 & 0xF)) { /* IT */
				unsigned m = hw1 & 0xF;

				it = 4 - __builtin_ctz(m);
				va += 2;
				continue;
			}
		} else {
			if ((hw1 & 0xF800) == 0xF000 && (hw2 & 0x8000)) {
				uint32_t s = hw1 >> 10 & 1, j1 = hw2 >> 13 & 1, j2 = hw2 >> 11 & 1;
				uint32_t imm;

				switch (hw2 & 0x5000) {
				case 0x0000: /* B T3 (conditional) or misc control */
					if ((hw1 & 0x0380) != 0x0380) {
						imm = s << 20 | j2 << 19 | j1 << 18 | (hw1 & 0x3Fu) << 12 |
						      (hw2 & 0x7FFu) << 1;
						push(c, pc + (uint32_t)((int32_t)(imm << 11) >> 11), 1);
					} else if ((hw1 & 0xFFF0) == 0xF3D0 && (hw2 & 0xFF00) == 0x8F00) {
						stop = 1; /* SUBS pc, lr / ERET */
					}
					break;
				default: {
					uint32_t i1 = !(j1 ^ s), i2 = !(j2 ^ s);

					imm = s << 24 | i1 << 23 | i2 << 22 | (hw1 & 0x3FFu) << 12 |
					      (hw2 & 0x7FFu) << 1;
					imm = (uint32_t)((int32_t)(imm << 7) >> 7);
					if ((hw2 & 0x5000) == 0x1000) { /* B T4 */
						push(c, pc + imm, 1);
						stop = 1;
					} else if ((hw2 & 0x5000) == 0x5000) { /* BL */
						push(c, pc + imm, 1);
						if (!cond_exec) {
							note_call(c, va | 1, pc + imm);
							if (is_noreturn(c, pc + imm))
								stop = 1;
						}
					} else { /* BLX to ARM */
						push(c, (pc & ~3u) + imm, 0);
					}
				}
				}
			} else if ((hw1 & 0xFE1F) == 0xF81F) { /* LDR* literal */
				uint32_t t = (hw1 & 0x80) ? (pc & ~3u) + (hw2 & 0xFFF) :
							    (pc & ~3u) - (hw2 & 0xFFF);
				uint32_t v;

				mark_data(c, t & ~1u, 4);
				if ((hw1 & 0x70) == 0x50 && (hw2 >> 12) == 15) {
					if (lit32(c, t, &v) && is_text(c, v))
						push(c, v & ~1u, v & 1);
					stop = 1;
				}
			} else if ((hw1 & 0xFFF0) == 0xF850 || (hw1 & 0xFFF0) == 0xF8D0) {
				if ((hw2 >> 12) == 15)
					stop = 1; /* ldr.w pc, [...] */
			} else if ((hw1 & 0xFFD0) == 0xE890 || (hw1 & 0xFFD0) == 0xE910) {
				if (hw2 & 0x8000)
					stop = 1; /* ldm {.., pc} */
			} else if ((hw1 & 0xFE5F) == 0xE85F && (hw1 & 0x0120)) {
				/* LDRD literal; P:W = 00 is TBB/TBH and the
				 * exclusives, handled below. */
				uint32_t i8 = (hw2 & 0xFFu) * 4;

				mark_data(c, (hw1 & 0x80) ? (pc & ~3u) + i8 : (pc & ~3u) - i8, 8);
			} else if ((hw1 & 0xEF3F) == 0xED1F) { /* VLDR literal */
				uint32_t i8 = (hw2 & 0xFFu) * 4;

				mark_data(c, (hw1 & 0x80) ? (pc & ~3u) + i8 : (pc & ~3u) - i8,
					  (hw2 >> 8 & 0xF) == 11 ? 8 : 4);
			} else if (hw1 == 0xE8DF && (hw2 & 0xFFE0) == 0xF000) {
				/* TBB/TBH [pc, rM]: a table of forward offsets follows.
				 * Its length is the bound GCC checks just before
				 * ("cmp rM, #n; bhi default"); without one, the table
				 * ends where the first case starts. */
				int h = !!(hw2 & 0x10);
				uint32_t tab = pc, lim = 0xFFFFFFFFu, i, eoff, max = 1024;

				if (cmp_left && cmp_reg == (hw2 & 15u))
					max = cmp_imm + 1;
				for (i = 0; tab + (i + 1) * (h + 1u) <= lim && i < max; i++) {
					uint32_t ev;

					if (!va2off(c, tab + i * (h + 1u), h + 1u, &eoff))
						break;
					ev = h ? rd16(c->img->data + eoff) : c->img->data[eoff];
					mark_data(c, tab + i * (h + 1u), h + 1u);
					push(c, tab + 2 * ev, 1);
					if (tab + 2 * ev < lim)
						lim = tab + 2 * ev;
				}
				stop = 1;
			}
		}
		if (cond_exec)
			stop = 0;
		if (stop)
			return;
		va += (uint32_t)len;
	}
}

/* ---- setup ------------------------------------------------------------ */

static bool is_end_marker(const char *n)
{
	size_t l = strlen(n);

	/* *_lma: the load address of code linked elsewhere (__vectors_lma,
	 * __stubs_lma), which is analysed at its runtime address. */
	return !strcmp(n, "_etext") || !strcmp(n, "_einittext") ||
	       (n[0] == '_' && l > 4 && (!strcmp(n + l - 4, "_end") ||
					 !strcmp(n + l - 4, "_lma")));
}

static bool is_marker(const char *n)
{
	size_t l = strlen(n);

	return is_end_marker(n) || !strcmp(n, "_text") || !strcmp(n, "_stext") ||
	       !strcmp(n, "_sinittext") ||
	       (n[0] == '_' && ((l > 6 && !strcmp(n + l - 6, "_start")) ||
				(l > 6 && !strcmp(n + l - 6, "_begin"))));
}

static bool text_type(char t)
{
	return t == 't' || t == 'T' || t == 'W';
}

static bool data_type(char t)
{
	return t == 'd' || t == 'D' || t == 'r' || t == 'R' || t == 'b' || t == 'B';
}

static char map_kind(const struct pvp_image *img, uint32_t va)
{
	size_t lo = bsearch_u32(img->maps, img->nmaps, sizeof(img->maps[0]),
				offsetof(struct pvp_mapsym, addr), va, true);

	return lo ? img->maps[lo - 1].kind : 0;
}

/* Are the @len bytes at @p nothing but A32, or nothing but Thumb, UDFs? */
static bool all_traps(const uint8_t *p, uint32_t len)
{
	bool a32 = !(len & 3), thumb = true;

	for (uint32_t k = 0; a32 && k < len; k += 4)
		a32 = (rd32(p + k) & 0xFFF000F0u) == 0xE7F000F0u;
	for (uint32_t k = 0; !a32 && thumb && k < len; k += 2) {
		uint16_t h = rd16(p + k);

		if ((h & 0xFF00) == 0xDE00)
			continue;
		thumb = k + 4 <= len && (h & 0xFFF0) == 0xF7F0 &&
			(rd16(p + k + 2) & 0xF000) == 0xA000;
		k += 2;
	}
	return len && (a32 || thumb);
}

/*
 * Is @va inside a $d region of the ELF's mapping symbols? Not when the
 * region is nothing but trap words: BUG() and friends are emitted as
 * ".word 0xe7f001f2" / ".short 0xde02" inside code, so the assembler marks
 * them as data although they are executed (and end the path).
 */
static bool map_data(const struct pvp_image *img, uint32_t va)
{
	size_t lo = bsearch_u32(img->maps, img->nmaps, sizeof(img->maps[0]),
				offsetof(struct pvp_mapsym, addr), va, true);
	uint32_t start, len, off;

	if (!lo || img->maps[lo - 1].kind != 'd')
		return false;
	start = img->maps[lo - 1].addr;
	if (lo == img->nmaps || start < img->base || start - img->base + 4 > img->size)
		return true;
	len = img->maps[lo].addr - start;
	off = start - img->base;
	if (len > 64 || len > img->size - off)
		return true;
	/* One word between code, that no load reads (a literal is marked by
	 * its load anyway): an instruction the assembler was given as data,
	 * like opcodes-virt.h's __ERET and __MSR_ELR_HYP, which the kallsyms
	 * and System.map views see as code too. */
	if (len == 4 && img->maps[lo].kind != 'd')
		return false;
	return !all_traps(img->data + off, len);
}

/* A Thumb B.W (T4) at @va: its target, or 0 if @w is not one. @w holds
 * the first halfword in bits 0-15, as rd32() reads it. */
static uint32_t t32_b_target(uint32_t w, uint32_t va)
{
	uint32_t h1 = w & 0xFFFF, h2 = w >> 16, s, i1, i2, imm;

	if ((h1 & 0xF800) != 0xF000 || (h2 & 0xD000) != 0x9000)
		return 0;
	s = h1 >> 10 & 1;
	i1 = !((h2 >> 13 & 1) ^ s);
	i2 = !((h2 >> 11 & 1) ^ s);
	imm = s << 24 | i1 << 23 | i2 << 22 | (h1 & 0x3FFu) << 12 | (h2 & 0x7FFu) << 1;
	return va + 4 + (uint32_t)((int32_t)(imm << 7) >> 7);
}

/*
 * Is there a vector table at @off: 7 branches and, at word 2, an ldr pc
 * from the stubs page's first words (the Spectre-BHB variants load from
 * stubs + 4 and + 8), all reaching the stubs page when placed at
 * 0xffff0000? A32 (B, LDR pc) is 1; Thumb-2 kernels take exceptions in
 * Thumb state (SCTLR.TE) and have B.W and LDR.W pc: 2; none is 0.
 */
static int vectors_at(const uint8_t *d, size_t size, size_t off)
{
	int a32 = 1, t32 = 1;

	if (off + 32 > size)
		return 0;
	for (uint32_t i = 0; i < 8; i++) {
		uint32_t w = rd32(d + off + 4 * (size_t)i), va = VECTORS_VA + 4 * i, t;

		if (i == 2) {
			uint32_t lit_a = va + 8 + (w & 0xFFF), lit_t = va + 4 + ((w >> 16) & 0xFFF);

			a32 &= (w & 0xFFFFF000u) == 0xE59FF000u && lit_a - STUBS_VA <= 8;
			t32 &= (w & 0xF000FFFFu) == 0xF000F8DFu && lit_t - STUBS_VA <= 8;
			continue;
		}
		t = va + 8 + (uint32_t)((int32_t)(w << 8) >> 6);
		a32 &= (w & 0xFF000000u) == 0xEA000000u && t - STUBS_VA < 0x1000;
		t = t32_b_target(w, va);
		t32 &= t - STUBS_VA < 0x1000;
	}
	return a32 ? 1 : t32 ? 2 : 0;
}

static int find_runtime_code(struct ctx *c)
{
	const struct pvp_image *img = c->img;
	const struct pvp_sym *vs = pvp_find_sym(img, "__vectors_start");
	const struct pvp_sym *ss = pvp_find_sym(img, "__stubs_start");
	const struct pvp_sym *se = pvp_find_sym(img, "__stubs_end");
	uint32_t voff = 0, soff = 0, ssize = 0x1000;
	bool have = false;

	if (vs && ss) {
		if (vs->addr < img->base || vs->addr - img->base + 32 > img->size ||
		    ss->addr < img->base || ss->addr - img->base >= img->size)
			return pvp_errf(c->e, PV_ECORRUPT,
					"__vectors_start/__stubs_start lie outside the image: "
					"System.map does not match it");
		voff = vs->addr - img->base;
		soff = ss->addr - img->base;
		c->vec_isa = vectors_at(img->data, img->size, voff);
		if (!c->vec_isa)
			return pvp_errf(c->e, PV_ECORRUPT,
					"no vector table at __vectors_start (0x%08x): "
					"System.map does not match the image", vs->addr);
		if (se && se->addr > ss->addr)
			ssize = se->addr - ss->addr;
		for (c->nvec = 1; voff + 32 * (c->nvec + 1) <= soff &&
		     vectors_at(img->data, img->size, voff + 32 * c->nvec); c->nvec++)
			;
		have = true;
	} else {
		/* kallsyms covers only the text ranges (and a System.map may
		 * lack the LMA symbols): find the table itself.
		 * The first match is .vectors; the Spectre-BHB variants follow
		 * it, and .stubs follows them. */
		for (size_t o = 0; o + 32 <= img->size; o += 4) {
			c->vec_isa = vectors_at(img->data, img->size, o);
			if (!c->vec_isa)
				continue;
			voff = (uint32_t)o;
			soff = voff + 32;
			while (vectors_at(img->data, img->size, soff))
				soff += 32;
			c->nvec = (soff - voff) / 32;
			have = true;
			break;
		}
		/* The stubs carry no kallsyms symbols (they are linked at
		 * 0xffff1000): they end where the next symbol's code starts. */
		for (size_t i = 0; have && i < img->nsyms; i++)
			if (img->syms[i].addr > img->base + soff) {
				if (img->syms[i].addr - (img->base + soff) < ssize)
					ssize = img->syms[i].addr - (img->base + soff);
				break;
			}
	}
	if (!have)
		return 0;
	if (ssize > img->size - soff)
		ssize = (uint32_t)(img->size - soff);
	c->r->vectors_off = voff;
	c->r->stubs_off = soff;
	c->reg[c->nreg++] = (struct region){ VECTORS_VA, voff, 32 };
	c->reg[c->nreg++] = (struct region){ STUBS_VA, soff, ssize };
	return 1;
}

static int add_range(struct ctx *c, size_t *cap, struct range r)
{
	if (c->nrg == *cap) {
		size_t n = *cap ? *cap * 2 : 1024;
		struct range *x = realloc(c->rg, n * sizeof(*x));

		if (!x)
			return PV_ENOMEM;
		c->rg = x;
		*cap = n;
	}
	c->rg[c->nrg++] = r;
	return 0;
}

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->va < y->va ? -1 : x->va > y->va;
}

/*
 * Without an ELF's mapping symbols, the A32 code of a Thumb-2 kernel:
 * - the kuser helpers, which user space calls in ARM state (ABI);
 * - entry points that firmware or the boot loader enters in ARM state
 *   (stext, secondary_startup_arm, cpu_resume_arm, mcpm_entry_point): they
 *   start with "adr rX, 1f + 1; bx rX", the switch to Thumb (head.S's
 *   badr + bx), which as Thumb would be nonsense.
 */
static bool a32_in_thumb_kernel(const struct ctx *c, const struct pvp_sym *ks,
				const struct pvp_sym *ke, uint32_t va)
{
	uint32_t off, w0, w1;

	if (ks && ke && va >= ks->addr && va < ke->addr)
		return true;
	if (!va2off(c, va, 8, &off))
		return false;
	w0 = rd32(c->img->data + off);
	w1 = rd32(c->img->data + off + 4);
	return (w0 & 0xFFFF0F01u) == 0xE28F0001u && w1 == (0xE12FFF10u | (w0 >> 12 & 15));
}

/* Could @w point into the kernel: its Image or the 16 MiB of data and
 * bss after it (kallsyms lists no data symbols to bound them)? */
static bool kernel_ptr(const struct ctx *c, uint32_t w)
{
	return (w & ~1u) - c->img->base < c->img->size + (16u << 20);
}

/* Turn the symbol list into text ranges: [sym, next symbol address). */
static int build_ranges(struct ctx *c)
{
	const struct pvp_image *img = c->img;
	/* Looked up once: pvp_find_sym() is a linear search. */
	const struct pvp_sym *kuser_s = pvp_find_sym(img, "__kuser_helper_start");
	const struct pvp_sym *kuser_e = pvp_find_sym(img, "__kuser_helper_end");
	size_t cap = 0;

	for (size_t i = 0; i < img->nsyms;) {
		const struct pvp_sym *s = &img->syms[i];
		size_t j = i;
		const char *name = NULL;
		int entry = 0, text = 0, thumb = 0;
		uint32_t end = 0, off, size = 0;

		/* All symbols at this address together. */
		for (; j < img->nsyms && img->syms[j].addr == s->addr; j++) {
			const struct pvp_sym *t = &img->syms[j];

			if (!text_type(t->type))
				continue;
			if (!is_marker(t->name)) {
				if (!entry)
					name = t->name;
				entry = 1;
				thumb |= t->thumb;
				if (t->size)
					size = t->size;
			}
			if (!is_end_marker(t->name)) {
				text = 1;
				if (!name)
					name = t->name;
			}
		}
		/* The next address with any symbol ends the range. */
		for (size_t k = j; k < img->nsyms; k++)
			if (img->syms[k].type != 'a' && img->syms[k].type != 'A' &&
			    img->syms[k].type != 'U' && img->syms[k].type != 'w' &&
			    img->syms[k].type != 'N') {
				end = img->syms[k].addr;
				break;
			}
		i = j;
		if (!text || !va2off(c, s->addr, 2, &off))
			continue;
		if (!end || end < s->addr)
			end = s->addr + (size ? size : 4);
		/* Clip to the region the start lies in. */
		for (int g = 0; g < c->nreg; g++)
			if (s->addr >= c->reg[g].va && s->addr - c->reg[g].va < c->reg[g].size &&
			    end - c->reg[g].va > c->reg[g].size)
				end = c->reg[g].va + c->reg[g].size;
		if (img->nmaps && map_kind(img, s->addr) == 't')
			thumb = 1;
		if (img->thumb_default && !img->nmaps && !thumb && img->symsrc != PVP_SYM_ELF)
			thumb = !a32_in_thumb_kernel(c, kuser_s, kuser_e, s->addr);
		if (size && s->addr + size < end && s->addr + size > s->addr) {
			/* ELF: bytes after a sized function that no symbol
			 * claims (padding, a weak function whose symbol the
			 * linker dropped) are still text, as they are in the
			 * System.map and kallsyms views: same analysis. */
			uint32_t g0 = s->addr + size;

			if (add_range(c, &cap, (struct range){ g0, end, name, 0,
					img->nmaps ? map_kind(img, g0) == 't' : thumb }))
				return PV_ENOMEM;
			end = g0;
		}
		if (add_range(c, &cap, (struct range){ s->addr, end, name, entry, thumb }))
			return PV_ENOMEM;
	}
	if (c->r->stubs_off && !range_of(c, VECTORS_VA)) {
		if (add_range(c, &cap, (struct range){ VECTORS_VA, VECTORS_VA + 32, "vectors", 0,
						       c->vec_isa == 2 }))
			return PV_ENOMEM;
	}
	if (c->r->stubs_off && !range_of(c, STUBS_VA)) {
		/* No stub symbols (kallsyms): the stubs page is one range. */
		if (add_range(c, &cap, (struct range){ STUBS_VA, STUBS_VA + c->reg[2].size,
						       "vector_stubs", 0, c->vec_isa == 2 }))
			return PV_ENOMEM;
	}
	qsort(c->rg, c->nrg, sizeof(*c->rg), range_cmp);
	return 0;
}

static int check_symbols_fit(struct ctx *c)
{
	const struct pvp_image *img = c->img;
	static const char *const names[] = { "_etext", "_einittext", "_sinittext",
					     "_stext" };
	size_t nfit = 0, nent = 0, nprolog = 0;

	for (size_t i = 0; i < PV_ARRAY_SIZE(names); i++) {
		const struct pvp_sym *s = pvp_find_sym(img, names[i]);

		if (s && (s->addr < img->base || s->addr - img->base > img->size))
			return pvp_errf(c->e, PV_ECORRUPT,
					"symbol %s (0x%08x) lies outside the image [0x%08x, 0x%08zx): "
					"the symbols do not match this image",
					names[i], s->addr, img->base, img->base + img->size);
	}
	/* Known functions must start with plausible code: decodable, and not
	 * zeros. A wrong map points most of them into data or the middle of
	 * instructions, which shows up as many dead ends. */
	for (size_t i = 0; i < c->nrg; i++) {
		uint32_t off, w;
		struct pv_insn in;

		if (!c->rg[i].entry || c->rg[i].thumb || c->rg[i].va >= VECTORS_VA)
			continue;
		if (!va2off(c, c->rg[i].va, 4, &off))
			continue;
		nent++;
		w = rd32(img->data + off);
		if (w != 0 && pv_decode_arm(w, &in) != PV_EUNDEF)
			nfit++;
		/* Typical first instructions: push, push {lr} (ftrace), stack
		 * adjust, mov ip, sp, return, branch. */
		if ((w & 0xFFFF0000u) == 0xE92D0000u || w == 0xE52DE004u ||
		    (w & 0xFFFFF000u) == 0xE24DD000u || w == 0xE12FFF1Eu ||
		    w == 0xE1A0C00Du || (w & 0x0F000000u) == 0x0A000000u)
			nprolog++;
	}
	if (getenv("PVPATCH_DEBUG"))
		fprintf(stderr, "symbol fit: %zu entries, %zu decodable, %zu prologues\n",
			nent, nfit, nprolog);
	/* A map for another build points most functions into the middle of
	 * code or into data: few look decodable, fewer look like prologues. */
	if (nent >= 16 && (nfit * 10 < nent * 9 || nprolog * 4 < nent))
		return pvp_errf(c->e, PV_ECORRUPT,
				"only %zu of %zu function symbols start with a plausible ARM "
				"instruction (%zu with a typical prologue): the symbols do not "
				"match this image", nfit, nent, nprolog);
	return 0;
}

/* ---- sites ------------------------------------------------------------ */

static int add_site(struct ctx *c, struct pvp_site s)
{
	size_t *cap = &c->scap;

	if (c->r->nsites == *cap) {
		size_t n = *cap ? *cap * 2 : 1024;
		struct pvp_site *x = realloc(c->r->sites, n * sizeof(*x));

		if (!x)
			return PV_ENOMEM;
		c->r->sites = x;
		*cap = n;
	}
	c->r->sites[c->r->nsites++] = s;
	return 0;
}

static int add_unsure(struct ctx *c, struct pvp_unsure u)
{
	size_t *cap = &c->ucap;

	if (c->r->nunsure == *cap) {
		size_t n = *cap ? *cap * 2 : 256;
		struct pvp_unsure *x = realloc(c->r->unsure, n * sizeof(*x));

		if (!x)
			return PV_ENOMEM;
		c->r->unsure = x;
		*cap = n;
	}
	c->r->unsure[c->r->nunsure++] = u;
	return 0;
}

static int site_cmp(const void *a, const void *b)
{
	const struct pvp_site *x = a, *y = b;

	return x->va < y->va ? -1 : x->va > y->va;
}

/* Every instruction start in a range: patch it, or report why not. */
static int collect(struct ctx *c)
{
	const struct pvp_image *img = c->img;

	for (size_t i = 0; i < c->nrg; i++) {
		const struct range *g = &c->rg[i];
		uint32_t step = g->thumb ? 2 : 4;

		/* Reached code advances by its own length: a range may switch
		 * ISA (head.S's A32 entry goes on in Thumb). */
		for (uint32_t va = g->va, next; va < g->end && va >= g->va; va = next) {
			uint32_t off, raw, patched = 0;
			uint16_t flags = 0;
			struct pv_insn in;
			unsigned mk;
			uint8_t s;
			int rc, len = 4;

			if (!va2off(c, va, 2, &off))
				break;
			s = c->st[off / 2];
			next = va + (s & S_TAIL ? 2 : step);
			if (s & S_TAIL)
				continue;
			if (s & S_ARM) {
				next = va + 4;
				if (!va2off(c, va, 4, &off))
					continue;
				raw = rd32(img->data + off);
				rc = pv_decode_arm(raw, &in);
			} else if (s & S_THUMB || g->thumb) {
				uint16_t hw1 = rd16(img->data + off), hw2 = 0;

				len = t32(hw1) ? 4 : 2;
				if (s & S_THUMB)
					next = va + (uint32_t)len;
				if (len == 4 && va2off(c, va, 4, &off))
					hw2 = rd16(img->data + off + 2);
				raw = len == 4 ? (uint32_t)hw1 << 16 | hw2 : hw1;
				rc = pv_decode_thumb(hw1, hw2, &in);
				flags = PV_SITE_THUMB | (len == 2 ? PV_SITE_T16 : 0);
			} else {
				if (!va2off(c, va, 4, &off))
					continue;
				raw = rd32(img->data + off);
				rc = pv_decode_arm(raw, &in);
			}
			/* Markers anywhere in text mean this image went through pvpatch. */
			if ((!(flags & PV_SITE_THUMB) && pv_patch_is_marker_a32(raw, &mk)) ||
			    ((flags & PV_SITE_THUMB) && len == 4 && pv_patch_is_marker_t32(raw, &mk)) ||
			    ((flags & PV_SITE_T16) && pv_patch_is_marker_t16((uint16_t)raw, &mk)) ||
			    pvp_is_self_word(raw, flags))
				if (!(s & (S_DATA | S_ADRD | S_LABEL)))
					return pvp_errf(c->e, PV_EEXIST,
							"0x%08x in %s holds pvpatch trap 0x%08x: the image "
							"is already patched", va, g->name, raw);
			if (rc != 0 || !pv_insn_class_sensitive((enum pv_insn_class)in.cls))
				continue;
			if (!(s & (S_ARM | S_THUMB))) {
				if (s & (S_DATA | S_LABEL | S_ADRD))
					continue; /* data that looks like an instruction */
				rc = add_unsure(c, (struct pvp_unsure){ va, raw, in.cls,
						(uint16_t)!!(flags & PV_SITE_THUMB), g->name,
						"not reached by control flow from any symbol" });
				if (rc)
					return rc;
				continue;
			}
			if ((s & S_DATA) || (len == 4 && (c->st[off / 2 + 1] & S_DATA))) {
				/* A PC-relative load proves data; flow gets here only by
				 * falling through a call that does not return (panic(),
				 * BUG paths). Data wins; never patched. */
				c->r->nconflict++;
				if (getenv("PVPATCH_DEBUG"))
					fprintf(stderr, "conflict: 0x%08x 0x%08x in %s\n", va, raw, g->name);
				continue;
			}
			if ((s & S_ADRD) || (len == 4 && (c->st[off / 2 + 1] & S_ADRD))) {
				/* Flow says code, an adr + load says data: a
				 * person decides. */
				rc = add_unsure(c, (struct pvp_unsure){ va, raw, in.cls,
						(uint16_t)!!(flags & PV_SITE_THUMB), g->name,
						"reached as code but read as data through adr" });
				if (rc)
					return rc;
				continue;
			}
			if (s & S_LABEL) {
				/* Only a guess says "data" here, and a path says "code":
				 * neither wins, so a person decides. */
				rc = add_unsure(c, (struct pvp_unsure){ va, raw, in.cls,
						(uint16_t)!!(flags & PV_SITE_THUMB), g->name,
						"reached as code inside a symbol that starts like data" });
				if (rc)
					return rc;
				continue;
			}
			patched = pvp_trap_word(img, raw, flags, in.cls);
			/* Image VA of the word; runtime code gets an alias too. */
			uint32_t iva = img->base + off;

			rc = add_site(c, (struct pvp_site){ iva, off, raw, patched,
					in.cls, flags, g->name });
			if (!rc && iva != va)
				rc = add_site(c, (struct pvp_site){ va, off, raw, patched,
						in.cls, (uint16_t)(flags | PV_SITE_ALIAS), g->name });
			if (!rc && c->r->kuser_size && off >= c->r->kuser_off &&
			    off - c->r->kuser_off < c->r->kuser_size)
				rc = add_site(c, (struct pvp_site){
						STUBS_VA - c->r->kuser_size + (off - c->r->kuser_off),
						off, raw, patched, in.cls,
						(uint16_t)(flags | PV_SITE_ALIAS), g->name });
			if (rc)
				return rc;
			c->r->per_class[in.cls]++;
		}
	}
	if (c->r->nsites)
		qsort(c->r->sites, c->r->nsites, sizeof(*c->r->sites), site_cmp);
	/* Runtime code is seen at its image and its runtime address, so the
	 * same word may be collected twice: keep one. */
	size_t n = 0;

	for (size_t i = 0; i < c->r->nsites; i++) {
		struct pvp_site *s = &c->r->sites[i];

		if (n && c->r->sites[n - 1].va == s->va) {
			if (c->r->sites[n - 1].off != s->off)
				return pvp_errf(c->e, PV_ECORRUPT,
						"two different sites at 0x%08x", s->va);
			if (!(s->flags & PV_SITE_ALIAS))
				c->r->per_class[s->cls]--;
			continue;
		}
		c->r->sites[n++] = *s;
	}
	c->r->nsites = n;
	return 0;
}

/* SMP_ON_UP: .alt.smp.init holds {offset to the SMP instruction, UP
 * replacement}; Linux writes the replacement into .text on a UP CPU. */
/*
 * Could the 8 bytes at image offset @off be an .alt.smp.init entry? The
 * target (entry + first word) must be a word in the image; real targets
 * are also conditional instructions (wfemi in the rwlocks) or data (the MMU
 * flags in the proc_info tables), so nothing more is asked of it. The
 * second word must not itself be an offset to a text word: that is how
 * .pv_table, which follows the table, looks when read in pairs (its
 * entries are 4-byte offsets), while a UP replacement with that property
 * would lie in 0xFExxxxxx-0xFFxxxxxx, which holds no replacement Linux uses.
 */
static bool smpalt_entry_loose(struct ctx *c, uint32_t off)
{
	uint32_t va = c->img->base + off, tgt, toff, rep;

	if ((uint64_t)off + 8 > c->img->size || (c->st[off / 2] & S_TEXT))
		return false;
	tgt = va + rd32(c->img->data + off);
	rep = rd32(c->img->data + off + 4);
	/* Thumb targets are halfword-aligned. A Thumb-2 kernel also has
	 * .ARM.exidx, {prel31 to a function, unwind word}, of the same shape.
	 * Its unwind words are 1 (EXIDX_CANTUNWIND) or compact data
	 * 0x80/0x81/0x82......, whose low halfword is no T32 instruction, so
	 * no replacement: a T32 instruction, a T16 one that ALT_UP() pads
	 * with a nop (0xbf00......), or a flags word. */
	if (thumb_kernel(c))
		return tgt != va && !(tgt & 1) && va2off(c, tgt, 4, &toff) &&
		       !is_text(c, va + 4 + rep) && rep != 1 &&
		       (rep >> 24 < 0x80 || rep >> 24 > 0x82 || t32((uint16_t)rep));
	return tgt != va && !(tgt & 3) && va2off(c, tgt, 4, &toff) &&
	       !t_in(c, va + 4 + rep);
}

/* Decode an .alt.smp.init word (an SMP instruction or its replacement) in
 * the kernel's instruction set; Thumb ones are stored hw1 first (a T16
 * one is padded with a nop). */
static int smpalt_decode(const struct ctx *c, uint32_t w, struct pv_insn *in)
{
	if (thumb_kernel(c))
		return pv_decode_thumb((uint16_t)w, (uint16_t)(w >> 16), in);
	return pv_decode_arm(w, in);
}

/* Is it one by shape: both words unconditional instructions, the target in
 * text and different from the replacement? Runs of these find the table. */
static bool smpalt_entry_ok(struct ctx *c, uint32_t off)
{
	uint32_t va = c->img->base + off, rel, rep, tgt, toff, w;
	struct pv_insn in;

	if (!smpalt_entry_loose(c, off))
		return false;
	rel = rd32(c->img->data + off);
	rep = rd32(c->img->data + off + 4);
	tgt = va + rel;
	if (thumb_kernel(c)) {
		if (!is_text(c, tgt) || !va2off(c, tgt, 4, &toff))
			return false;
		w = rd32(c->img->data + toff);
		return w != rep && smpalt_decode(c, rep, &in) != PV_EUNDEF &&
		       smpalt_decode(c, w, &in) != PV_EUNDEF;
	}
	if (!t_in(c, tgt) || !va2off(c, tgt, 4, &toff))
		return false;
	w = rd32(c->img->data + toff);
	return w != rep && ((rep >> 28) == 0xE || (rep >> 28) == 0xF) &&
	       ((w >> 28) == 0xE || (w >> 28) == 0xF) &&
	       pv_decode_arm(rep, &in) != PV_EUNDEF && pv_decode_arm(w, &in) != PV_EUNDEF;
}

/*
 * SMP_ON_UP: .alt.smp.init holds {offset from the entry to the SMP
 * instruction, UP replacement}; Linux writes the replacement into .text
 * only on a uniprocessor. Located by __smpalt_begin/_end, or by shape (runs
 * of at least 8 well-formed entries outside text) when the symbols are
 * unknown (kallsyms). Each replacement is decoded: a sensitive one is
 * reported, because it would be unpatched code on a UP guest.
 */
static void smpalt_check_span(struct ctx *c, uint32_t start, uint32_t end)
{
	if (getenv("PVPATCH_DEBUG"))
		fprintf(stderr, "smpalt: entries at Image+0x%x..0x%x\n", start, end);
	if (c->nalt < 64) {
		c->alt[c->nalt][0] = start;
		c->alt[c->nalt][1] = end;
		c->nalt++;
	}
	for (uint32_t off = start; off + 8 <= end && off + 8 <= c->img->size; off += 8) {
		uint32_t rep = rd32(c->img->data + off + 4);
		uint32_t tgt = c->img->base + off + rd32(c->img->data + off);
		struct pv_insn in;

		c->r->smpalt_entries++;
		for (int k = 0; k < 4; k++)
			c->st[off / 2 + (uint32_t)k] |= S_DATA;
		if (smpalt_decode(c, rep, &in) == 0 && pv_insn_class_sensitive((enum pv_insn_class)in.cls))
			add_unsure(c, (struct pvp_unsure){ tgt, rep, in.cls, thumb_kernel(c),
				   "__smpalt", "SMP_ON_UP replacement is sensitive" });
	}
	c->r->smpalt_checked = 1;
}

static void check_smpalt(struct ctx *c)
{
	const struct pvp_sym *b = pvp_find_sym(c->img, "__smpalt_begin");
	const struct pvp_sym *e = pvp_find_sym(c->img, "__smpalt_end");
	uint32_t start;

	if (b && e && e->addr > b->addr && va2off(c, b->addr, 4, &start)) {
		smpalt_check_span(c, start, start + (e->addr - b->addr));
		return;
	}
	/* By shape: a run of entries that could be the table, holding at
	 * least 8 consecutive well-formed ones, in either word phase. A run
	 * that is not really the table can only add a report. */
	size_t n = c->img->size & ~(size_t)3;

	for (uint32_t phase = 0; phase < 8; phase += 4)
		for (uint32_t p = phase; p + 8 <= n;) {
			uint32_t q = p, seed = 0, best = 0;

			while (q + 8 <= n && smpalt_entry_loose(c, q)) {
				seed = smpalt_entry_ok(c, q) ? seed + 1 : 0;
				if (seed > best)
					best = seed;
				q += 8;
			}
			if (best >= 8)
				smpalt_check_span(c, p, q);
			p = q > p ? q : p + 8;
		}
}

/*
 * Runtime-only control flow, found by shape because kallsyms lists no data
 * symbols:
 * - __jump_table {code, target, key}: a static key turns the nop at code
 *   into "b target" (or the b into a nop), so both code + 4 and target are
 *   reachable. Accepted only where the word at code is that nop or branch.
 * - __ex_table {insn, fixup}: fixup code runs when a user access at insn
 *   faults. Accepted only where insn is a load/store.
 * A run of at least 4 consecutive well-formed entries is required.
 */
static void runtime_tables(struct ctx *c)
{
	const uint8_t *d = c->img->data;
	size_t n = c->img->size & ~(size_t)3;
	bool tk = thumb_kernel(c);

	for (size_t p = 0; p + 12 <= n; p += 4) {
		size_t q = p, cnt = 0;

		if (c->st[p / 2] & S_TEXT)
			continue; /* the tables live in data sections */
		/* A pointer in data to an unsymbolled function (ops tables):
		 * accepted only where a push prologue starts, which is code
		 * (Thumb: an odd pointer to push {.., lr} or push.w {.., lr}). */
		{
			uint32_t v = rd32(d + p), off, w;

			if (!tk && t_in(c, v) && va2off(c, v, 4, &off)) {
				w = rd32(d + off);
				if ((w & 0xFFFF4000u) == 0xE92D4000u || w == 0xE52DE004u) {
					push(c, v, 0);
					c->r->nfptr++;
				}
			} else if (tk && (v & 3) == 1 && is_text(c, v) && va2off(c, v & ~1u, 4, &off)) {
				w = rd32(d + off);
				if ((w & 0xFF00) == 0xB500 || (w & 0x4000FFFFu) == 0x4000E92Du) {
					push(c, v & ~1u, 1);
					c->r->nfptr++;
				}
			}
		}

		/* jump labels: the static key's nop or branch (nop.w / b.w in
		 * a Thumb-2 kernel) */
		for (; q + 12 <= n; q += 12) {
			uint32_t code = rd32(d + q), tgt = rd32(d + q + 4), w, off;

			if (tk ? (code & 1) || (tgt & 1) || !is_text(c, code) || !is_text(c, tgt) :
				 !t_in(c, code) || !t_in(c, tgt))
				break;
			if (!va2off(c, code, 4, &off))
				break;
			w = rd32(d + off);
			if (tk ? w != 0x8000F3AFu && t32_b_target(w, code) != tgt :
				 w != 0xE320F000u && w != 0xE1A00000u &&
				 !((w & 0xFF000000u) == 0xEA000000u &&
				   code + 8 + (uint32_t)((int32_t)(w << 8) >> 6) == tgt))
				break;
			cnt++;
		}
		if (cnt >= 4) {
			for (size_t k = p; k < q; k += 12) {
				push(c, rd32(d + k) + 4, tk);
				push(c, rd32(d + k + 4), tk);
				mark_data(c, c->img->base + (uint32_t)k, 12);
			}
			c->r->njump += cnt;
			p = q - 4;
			continue;
		}
		/* exception table */
		for (q = p, cnt = 0; q + 8 <= n; q += 8) {
			uint32_t insn = rd32(d + q), fix = rd32(d + q + 4), off, w;
			struct pv_insn in;

			if (tk ? (insn & 1) || (fix & 1) || !is_text(c, insn) || !is_text(c, fix) :
				 !t_in(c, insn) || !t_in(c, fix))
				break;
			if (!va2off(c, insn, 4, &off))
				break;
			w = rd32(d + off);
			if ((tk ? pv_decode_thumb((uint16_t)w, (uint16_t)(w >> 16), &in) :
				  pv_decode_arm(w, &in)) != 0 ||
			    (in.cls != PV_IC_LOAD && in.cls != PV_IC_STORE &&
			     in.cls != PV_IC_LDRT_STRT && in.cls != PV_IC_LDM &&
			     in.cls != PV_IC_STM && in.cls != PV_IC_LDREX && in.cls != PV_IC_STREX))
				break;
			cnt++;
		}
		if (cnt >= 4) {
			for (size_t k = p; k < q; k += 8) {
				push(c, rd32(d + k + 4), tk);
				mark_data(c, c->img->base + (uint32_t)k, 8);
			}
			c->r->nextable += cnt;
			p = q - 4;
		}
	}
}

static void drain(struct ctx *c)
{
	while (c->nwl && !c->err) {
		struct work w = c->wl[--c->nwl];

		if (w.thumb)
			flow_thumb(c, w.va);
		else
			flow_arm(c, w.va);
	}
}

static void run_flow(struct ctx *c)
{
	runtime_tables(c);
	/* Entries: every function, the eight vectors. */
	for (size_t i = 0; i < c->nrg; i++)
		if (c->rg[i].entry) {
			push(c, c->rg[i].va, c->rg[i].thumb);
			c->r->nfuncs++;
		}
	if (c->r->stubs_off) {
		int th = c->vec_isa == 2;

		for (uint32_t v = 0; v < 32; v += 4)
			push(c, VECTORS_VA + v, th);
		/* The Spectre-BHB vector variants are copied over the same page on
		 * affected CPUs; their own words are branches (not sensitive), but
		 * the stubs they reach must be analysed too. */
		for (uint32_t k = 1; k < c->nvec; k++)
			for (uint32_t v = 0; v < 32; v += 4) {
				uint32_t w = rd32(c->img->data + c->r->vectors_off + 32 * k + v), lit;
				uint32_t va = VECTORS_VA + v, la = th ? va + 4 + (w >> 16 & 0xFFF) :
								       va + 8 + (w & 0xFFF);

				if (!th && (w & 0xFF000000u) == 0xEA000000u)
					push(c, va + 8 + (uint32_t)((int32_t)(w << 8) >> 6), 0);
				else if (th && t32_b_target(w, va))
					push(c, t32_b_target(w, va), 1);
				else if (((!th && (w & 0xFFFFF000u) == 0xE59FF000u) ||
					  (th && (w & 0xF000FFFFu) == 0xF000F8DFu)) &&
					 lit32(c, la, &lit)) {
					mark_data(c, la, 4);
					if (is_text(c, lit))
						push(c, lit & ~1u, lit & 1);
				}
			}
	}
	/* Entries the loader found besides symbols (a module's jump labels). */
	for (size_t i = 0; i < c->img->nentries; i++)
		push(c, c->img->entries[i] & ~1u, (int)(c->img->entries[i] & 1u));
	drain(c);
}

/*
 * Functions without a symbol: a weak definition that a strong one
 * overrode keeps its code in the image but loses its symbol (Debian: the
 * generic arch_cpu_idle*() after cpu_idle_poll_ctrl). Nothing references
 * them, but each starts with the ftrace prologue "push {.., lr};
 * bl __gnu_mcount_nc", which data does not look like, right after the end
 * of a path that was reached. They are analysed (and patched) as
 * functions: harmless if dead, right if reached in some way not seen.
 */
static size_t find_unsymbolled(struct ctx *c, uint32_t mcount)
{
	const uint8_t *d = c->img->data;
	const uint8_t busy = S_ARM | S_THUMB | S_TAIL | S_DATA | S_ADRD | S_LABEL;
	size_t n = 0;

	for (size_t i = 0; i < c->nrg; i++) {
		const struct range *g = &c->rg[i];

		if (g->thumb || g->va >= VECTORS_VA)
			continue;
		for (uint32_t va = (g->va + 3) & ~3u; va + 8 <= g->end && va >= g->va; va += 4) {
			uint32_t off, poff, w0, w1, p;

			if (!va2off(c, va, 8, &off) || !va2off(c, va - 4, 4, &poff))
				break;
			if ((c->st[off / 2] | c->st[off / 2 + 1] | c->st[off / 2 + 2] |
			     c->st[off / 2 + 3]) & busy || !(c->st[poff / 2] & S_ARM))
				continue;
			w0 = rd32(d + off);
			w1 = rd32(d + off + 4);
			p = rd32(d + poff);
			if (!(w0 == 0xE52DE004u || (w0 & 0xFFFF4000u) == 0xE92D4000u) ||
			    (w1 & 0xFF000000u) != 0xEB000000u ||
			    va + 12 + (uint32_t)((int32_t)(w1 << 8) >> 6) != mcount)
				continue;
			/* The word before ends a path: b, bx lr, pop {.., pc},
			 * ldr pc, [sp], #4, or a trap. */
			if ((p & 0xFF000000u) != 0xEA000000u && p != 0xE12FFF1Eu &&
			    (p & 0xFFFF8000u) != 0xE8BD8000u && p != 0xE49DF004u &&
			    (p & 0xFFF000F0u) != 0xE7F000F0u)
				continue;
			push(c, va, 0);
			n++;
		}
	}
	return n;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Returns 1 when nothing was learned (the second pass would be the same). */
static int learn_noreturn(struct ctx *c)
{
	size_t n = 0;

	c->noret = malloc((c->ncalls ? c->ncalls : 1) * sizeof(*c->noret));
	if (!c->noret) {
		c->err = PV_ENOMEM;
		return 1;
	}
	for (size_t i = 0; i < c->ncalls; i++) {
		uint32_t next = (c->calls[i].va & ~1u) + 4, off;
		bool thumb = c->calls[i].va & 1, data;

		if (!va2off(c, next, 4, &off))
			continue;
		/* A Thumb literal pool is word-aligned: a nop may pad it. */
		if (thumb && (next & 2) && rd16(c->img->data + off) == 0xBF00) {
			next += 2;
			if (!va2off(c, next, 4, &off))
				continue;
		}
		/* Not "followed by the next function": hand-written entry code
		 * calls a helper and returns into the next symbol on purpose. */
		/* A trap word after the call (BUG(), even where a $d region
		 * covers it) means the call returns. In Thumb code, data read
		 * through adr (a 64-bit constant) is evidence too. */
		if (thumb)
			data = (c->st[off / 2] & (S_DATA | S_ADRD)) &&
			       (rd16(c->img->data + off) & 0xFF00) != 0xDE00 &&
			       !((rd16(c->img->data + off) & 0xFFF0) == 0xF7F0 &&
				 (rd16(c->img->data + off + 2) & 0xF000) == 0xA000);
		else
			data = (c->st[off / 2] & S_DATA) &&
			       (rd32(c->img->data + off) & 0xFFF000F0u) != 0xE7F000F0u;
		if (data) {
			c->noret[n++] = (uint32_t)c->calls[i].thumb;
			if (getenv("PVPATCH_DEBUG"))
				fprintf(stderr, "noreturn: call at 0x%08x to 0x%08x\n",
					c->calls[i].va, (uint32_t)c->calls[i].thumb);
		}
	}
	c->nnoret = n;
	if (!n)
		return 1;
	qsort(c->noret, n, sizeof(*c->noret), u32_cmp);
	return 0;
}

int pvp_analyze(const struct pvp_image *img, struct pvp_result *r,
		struct pvp_err *e)
{
	struct ctx c = { .img = img, .r = r, .e = e };
	int rc;

	memset(r, 0, sizeof(*r));
	if (!img->data || img->size < 4 || img->nsyms == 0)
		return pvp_errf(e, PV_EINVAL, "nothing to analyse (no image or no symbols)");
	c.st = calloc(img->size / 2 + 2, 1);
	if (!c.st)
		return PV_ENOMEM;
	c.reg[c.nreg++] = (struct region){ img->base, 0, (uint32_t)img->size };
	rc = find_runtime_code(&c);
	if (rc < 0)
		goto out;
	rc = build_ranges(&c);
	if (rc)
		goto out;
	rc = check_symbols_fit(&c);
	if (rc)
		goto out;
	{
		const struct pvp_sym *ks = pvp_find_sym(img, "__kuser_helper_start");
		const struct pvp_sym *ke = pvp_find_sym(img, "__kuser_helper_end");
		uint32_t off;

		if (ks && ke && ke->addr > ks->addr && ke->addr - ks->addr <= 0x1000 &&
		    va2off(&c, ks->addr, 4, &off)) {
			r->kuser_off = off;
			r->kuser_size = ke->addr - ks->addr;
		}
	}
	/* Text, then data: data objects and $d regions win over flow. */
	for (size_t i = 0; i < c.nrg; i++)
		for (uint32_t va = c.rg[i].va; va < c.rg[i].end && va >= c.rg[i].va; va += 2) {
			uint32_t off;

			if (!va2off(&c, va, 2, &off))
				break;
			c.st[off / 2] |= S_TEXT;
			if (img->nmaps && map_data(img, va))
				c.st[off / 2] |= S_DATA;
		}
	for (size_t i = 0; i < img->nsyms; i++) {
		const struct pvp_sym *s = &img->syms[i];
		uint32_t end = s->size ? s->addr + s->size : s->addr + 4;

		if (!data_type(s->type))
			continue;
		if (!s->size && i + 1 < img->nsyms && img->syms[i + 1].addr > s->addr)
			end = img->syms[i + 1].addr;
		if (end - s->addr <= (1u << 20))
			mark_data(&c, s->addr, end - s->addr);
	}
	/* Assembler data labels in .text carry text symbols too (kallsyms
	 * cannot tell them apart): a symbol that does not start with a
	 * plausible unconditional ARM instruction is data, not an entry.
	 * Thumb code has no condition field: there, a symbol whose first word
	 * is zero, or whose first two words both point into the kernel
	 * (sys_call_table, __mmap_switched_data), is data. */
	for (size_t i = 0; i < c.nrg; i++) {
		uint32_t off, w;
		struct pv_insn in;

		if (!c.rg[i].entry || !va2off(&c, c.rg[i].va, 4, &off))
			continue;
		w = rd32(img->data + off);
		if (c.rg[i].thumb) {
			uint32_t w1 = 0;

			if (w != 0 && !(va2off(&c, c.rg[i].va, 8, &off) &&
					kernel_ptr(&c, w) &&
					kernel_ptr(&c, w1 = rd32(img->data + off + 4))))
				continue;
		} else if (w != 0 && ((w >> 28) == 0xE || (w >> 28) == 0xF) &&
			   pv_decode_arm(w, &in) != PV_EUNDEF) {
			continue;
		}
		c.rg[i].entry = 0;
		r->ndatalabels++;
		for (uint32_t v = c.rg[i].va; v < c.rg[i].end && v >= c.rg[i].va; v += 2)
			if (va2off(&c, v, 2, &off))
				c.st[off / 2] |= S_LABEL;
	}
	check_smpalt(&c);
	/* Two passes. The first learns which callees never return: a BL
	 * followed directly by proved data (a literal pool).
	 * The second does not fall through such calls, so the literal pool
	 * or padding after "bl panic" is never taken for code. */
	for (int pass = 0; pass < 2 && !c.err; pass++) {
		if (pass == 1) {
			if (learn_noreturn(&c))
				break;
			for (size_t i = 0; i < img->size / 2; i++)
				c.st[i] &= (uint8_t)~(S_ARM | S_THUMB | S_TAIL);
			r->ncode = 0;
			r->nfuncs = 0;
			r->njump = 0;
			r->nextable = 0;
			r->nfptr = 0;
		}
		run_flow(&c);
	}
	{
		const struct pvp_sym *mc = pvp_find_sym(img, "__gnu_mcount_nc");
		size_t n;

		while (mc && !c.err && (n = find_unsymbolled(&c, mc->addr)) != 0) {
			r->nunsymbolled += n;
			drain(&c);
		}
	}
	rc = c.err;
	if (rc)
		goto out;
	for (size_t i = 0; i < img->size / 2; i++)
		if (c.st[i] & S_DATA)
			r->ndata++;
	r->ndata /= 2;
	rc = collect(&c);
	memcpy(r->alt, c.alt, sizeof(r->alt));
	r->nalt = c.nalt;
	if (!rc) {
		r->arm_words = calloc(img->size / 4 + 1, 1);
		if (!r->arm_words)
			rc = PV_ENOMEM;
		for (size_t i = 0; !rc && i + 1 < img->size / 2; i += 2)
			r->arm_words[i / 2] = (c.st[i] & S_ARM) && !(c.st[i] & S_DATA);
	}
	/* A UP guest overwrites each SMP_ON_UP target: count those that are sites. */
	for (int a = 0; !rc && a < c.nalt; a++)
		for (uint32_t off = c.alt[a][0]; off + 8 <= c.alt[a][1]; off += 8) {
			uint32_t tgt = img->base + off + rd32(img->data + off);
			size_t lo = bsearch_u32(r->sites, r->nsites,
						sizeof(r->sites[0]),
						offsetof(struct pvp_site, va),
						tgt, false);

			/* Harmless unless the replacement is sensitive (reported
			 * above): on a UP guest the trap word is replaced by an
			 * ordinary instruction and the entry is never used. */
			if (lo < r->nsites && r->sites[lo].va == tgt)
				r->smpalt_on_sites++;
		}
out:
	free(c.st);
	free(c.rg);
	free(c.wl);
	free(c.calls);
	free(c.noret);
	if (rc)
		pvp_result_free(r);
	return rc;
}

void pvp_apply(struct pvp_image *img, const struct pvp_result *r)
{
	for (size_t i = 0; i < r->nsites; i++) {
		const struct pvp_site *s = &r->sites[i];
		uint8_t *p = img->data + s->off;

		if (s->flags & PV_SITE_ALIAS)
			continue;
		if (s->flags & PV_SITE_T16) {
			p[0] = (uint8_t)s->patched;
			p[1] = (uint8_t)(s->patched >> 8);
		} else if (s->flags & PV_SITE_THUMB) {
			/* T32 is stored as two little-endian halfwords, hw1 first. */
			p[0] = (uint8_t)(s->patched >> 16);
			p[1] = (uint8_t)(s->patched >> 24);
			p[2] = (uint8_t)s->patched;
			p[3] = (uint8_t)(s->patched >> 8);
		} else {
			for (int k = 0; k < 4; k++)
				p[k] = (uint8_t)(s->patched >> (8 * k));
		}
	}
}

void pvp_result_free(struct pvp_result *r)
{
	free(r->sites);
	free(r->unsure);
	free(r->arm_words);
	memset(r, 0, sizeof(*r));
}
