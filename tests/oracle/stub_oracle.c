/* SPDX-License-Identifier: MIT */
/*
 * Execution oracle for pvpatch's stub templates (tools/pvpatch/stubs.c).
 *
 * A tiny synthetic Image holds one site per instruction form the stubs
 * cover; pvp_stubs_build() turns them into branches to stubs. For each
 * case (a random vCPU state: mode, masks, pending lines, SPSR, the page's
 * registers, r0-r14 and NZCVQ/GE), the stub runs for real under qemu-arm
 * (stub_runner.c) from the site with the vCPU page pvcore writes at
 * resume; its end state is handed back to pvcore as a backend would (host
 * IRQ trap at site + 4, or an UNDEF at the stub's trap word). The result
 * must equal pvcore's own emulation of the original instruction from the
 * same state, and the stub must end where the rules say (its trap word
 * only for a mode change or an unmasked pending interrupt). Cases that
 * stop mid-stub (an interrupt at each instruction of each stub) must give
 * the state of the interrupt taken before or after the site.
 *
 * usage: stub-oracle RUNNER [--qemu qemu-arm] [--cases-per-form N]
 *                           [--seed N] [--self-test]
 * --self-test corrupts one stub word and passes only if that is caught.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core.h"
#include "fake_backend.h"
#include "pvpatch.h"
#include "vpage.h"

#define MAGIC 0x53545542u
#define IMG (FAKE_RAM_BASE + 0x8000u) /* VA = PA: the guest runs MMU off */
#define IMG_SIZE 0x1000u
#define SITE0 (IMG + 0x100u)
#define RET_MARK 0xe7fdeef1u          /* after each site: "returned" */

struct case_in {
	uint32_t slot;
	uint32_t page[1024];
	uint32_t r[16];
	uint32_t apsr;
	uint32_t stop_va;
	uint32_t tls;
};

struct case_out {
	uint32_t sig;
	uint32_t r[16];
	uint32_t cpsr;
	uint32_t page[1024];
};

/* ---- the forms ---- */

struct form {
	uint32_t word; /* the original instruction */
	uint16_t cls;  /* PV_IC_* for trap-word sites, 0 for MRC/MCR */
	const char *name;
};

#define MRS(c, r, rd) ((c) << 28 | 0x010f0000u | (r) << 22 | (rd) << 12)
#define MSR(c, r, mask, rn) ((c) << 28 | 0x0120f000u | (r) << 22 | (mask) << 16 | (rn))
#define CPS(imod, aif) (0xf1000000u | (imod) << 18 | (aif) << 6)
#define MRC(c, rt, crn, opc2) ((c) << 28 | 0x0e100f10u | (crn) << 16 | (rt) << 12 | (opc2) << 5)
#define MCR(c, rt, crn, opc2) ((c) << 28 | 0x0e000f10u | (crn) << 16 | (rt) << 12 | (opc2) << 5)
#define AL 0xeu

static const struct form forms[] = {
	{ MRS(AL, 0, 0), PV_IC_MRS, "mrs r0, cpsr" },
	{ MRS(AL, 0, 1), PV_IC_MRS, "mrs r1, cpsr" },
	{ MRS(AL, 0, 12), PV_IC_MRS, "mrs ip, cpsr" },
	{ MRS(AL, 0, 14), PV_IC_MRS, "mrs lr, cpsr" },
	{ MRS(0x0, 0, 5), PV_IC_MRS, "mrseq r5, cpsr" },
	{ MRS(AL, 1, 0), PV_IC_MRS, "mrs r0, spsr" },
	{ MRS(AL, 1, 8), PV_IC_MRS, "mrs r8, spsr" },
	{ MRS(0x1, 1, 3), PV_IC_MRS, "mrsne r3, spsr" },
	{ MSR(AL, 1, 0xf, 0), PV_IC_MSR, "msr spsr_fsxc, r0" },
	{ MSR(AL, 1, 0xf, 7), PV_IC_MSR, "msr spsr_fsxc, r7" },
	{ MSR(0xa, 1, 0xf, 1), PV_IC_MSR, "msrge spsr_fsxc, r1" },
	{ MSR(AL, 0, 0x1, 0), PV_IC_MSR, "msr cpsr_c, r0" },
	{ MSR(AL, 0, 0x1, 1), PV_IC_MSR, "msr cpsr_c, r1" },
	{ MSR(AL, 0, 0x1, 9), PV_IC_MSR, "msr cpsr_c, r9" },
	{ MSR(0x2, 0, 0x1, 3), PV_IC_MSR, "msrcs cpsr_c, r3" },
	{ CPS(3, 2), PV_IC_CPS, "cpsid i" },
	{ CPS(3, 1), PV_IC_CPS, "cpsid f" },
	{ CPS(3, 3), PV_IC_CPS, "cpsid if" },
	{ CPS(2, 2), PV_IC_CPS, "cpsie i" },
	{ CPS(2, 1), PV_IC_CPS, "cpsie f" },
	{ CPS(2, 3), PV_IC_CPS, "cpsie if" },
	{ MRC(AL, 0, 1, 0), 0, "mrc sctlr -> r0" },
	{ MRC(AL, 4, 3, 0), 0, "mrc dacr -> r4" },
	{ MRC(AL, 2, 5, 0), 0, "mrc dfsr -> r2" },
	{ MRC(AL, 11, 5, 1), 0, "mrc ifsr -> fp" },
	{ MRC(AL, 0, 6, 0), 0, "mrc dfar -> r0" },
	{ MRC(AL, 13, 6, 2), 0, "mrc ifar -> sp" },
	{ MRC(AL, 6, 13, 4), 0, "mrc tpidrprw -> r6" },
	{ MRC(0xb, 1, 13, 4), 0, "mrclt tpidrprw -> r1" },
	{ MCR(AL, 0, 3, 0), 0, "mcr r0 -> dacr" },
	{ MCR(AL, 6, 3, 0), 0, "mcr r6 -> dacr" },
	{ MCR(0x3, 14, 3, 0), 0, "mcrcc lr -> dacr" },
	/* TPIDRURO writes: the first is the SVC entry's (build_image). */
	{ MCR(AL, 10, 13, 3), 0, "mcr sl -> tpidruro (svc entry)" },
	{ MCR(AL, 1, 13, 3), 0, "mcr r1 -> tpidruro (to user)" },
	{ MCR(0x1, 0, 13, 3), 0, "mcrne r0 -> tpidruro (to user)" },
};
#define ENTRY_FORM 32u /* forms[] index of the SVC entry's write */
#define NFORMS (sizeof(forms) / sizeof(forms[0]))

static uint32_t site_of(unsigned i)
{
	return SITE0 + 8u * i;
}

/* ---- the patched Image ---- */

static struct pvp_image img;
static struct pvp_result res;
static struct pv_stub_table stubs;
static struct pv_patch_table sites;
static uint32_t *stub_blob, *site_blob;
static const struct pv_stub *stub_of[NFORMS];

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void build_image(void)
{
	struct pvp_stub_stats st;
	struct pvp_err e = { "" };
	uint8_t *blob, *man;
	size_t len, manl;

	img.base = IMG;
	img.size = IMG_SIZE;
	img.data = calloc(1, IMG_SIZE);
	res.sites = calloc(NFORMS, sizeof(*res.sites));
	res.arm_words = calloc(IMG_SIZE / 4 + 1, 1);
	/* No vectors to find it from: name the SVC entry's write. */
	res.tls_entry = site_of(ENTRY_FORM);
	if (!img.data || !res.sites || !res.arm_words)
		exit(2);
	for (unsigned i = 0; i < NFORMS; i++) {
		uint32_t off = site_of(i) - IMG, w = forms[i].word;

		wr32(img.data + off + 4, RET_MARK);
		res.arm_words[off / 4] = 1;
		res.arm_words[off / 4 + 1] = 1; /* a UDF the VMM takes */
		if (!forms[i].cls) {
			wr32(img.data + off, w); /* MRC/MCR: found as code */
			continue;
		}
		/* As pvp_apply() writes them: self-describing where it fits. */
		struct pvp_site *s = &res.sites[res.nsites++];

		s->va = site_of(i);
		s->off = off;
		s->original = w;
		s->cls = forms[i].cls;
		if (pv_patch_self_encode(w, 0, &s->patched))
			s->patched = pv_patch_marker_a32(s->cls);
		res.per_class[s->cls]++;
		wr32(img.data + off, s->patched);
	}
	if (pvp_stubs_build(&img, &res, 1, IMG + IMG_SIZE, &blob, &len, &st, &e)) {
		fprintf(stderr, "pvp_stubs_build: %s\n", e.msg);
		exit(2);
	}
	stub_blob = aligned_alloc(8, (len + 7) & ~7u);
	memcpy(stub_blob, blob, len);
	free(blob);
	if (pv_stub_table_parse(stub_blob, len, &stubs) ||
	    pv_stub_table_set_load(&stubs, pv_gpa(IMG))) {
		fprintf(stderr, "stub table rejected\n");
		exit(2);
	}
	if (pvp_manifest_build(&img, &res, &man, &manl)) {
		fprintf(stderr, "manifest\n");
		exit(2);
	}
	site_blob = aligned_alloc(8, (manl + 7) & ~7u);
	memcpy(site_blob, man, manl);
	free(man);
	if (pv_patch_table_parse(site_blob, manl, &sites)) {
		fprintf(stderr, "site table rejected\n");
		for (size_t i = 0; i < res.nsites; i++) {
			const struct pvp_site *q = &res.sites[i];
			struct pv_patch_site d;
			int err = pv_patch_self_decode(q->patched, 0, &d);

			fprintf(stderr, "  site %08x original %08x patched %08x cls %u flags %x%s\n",
				q->va, q->original, q->patched, q->cls, q->flags,
				!err && d.original != q->original ? "  <- encodes another original" : "");
		}
		exit(2);
	}
	for (unsigned i = 0; i < NFORMS; i++) {
		for (uint32_t k = 0; k < stubs.count; k++)
			if (stubs.stubs[k].site == site_of(i))
				stub_of[i] = &stubs.stubs[k];
		if (!stub_of[i]) {
			fprintf(stderr, "no stub for %s\n", forms[i].name);
			exit(2);
		}
		/* TPIDRURO: the SVC entry's compares, the others defer. */
		if ((forms[i].word & 0x0fff0fffu) == 0x0e0d0f70u &&
		    stub_of[i]->kind != (i == ENTRY_FORM ? PV_STUB_MCR_TPIDRURO :
							   PV_STUB_MCR_TLS)) {
			fprintf(stderr, "%s: stub kind %u\n", forms[i].name,
				stub_of[i]->kind);
			exit(2);
		}
	}
	printf("stub-oracle: %u stubs in %u KiB at 0x%08x\n", stubs.count,
	       stubs.area_size / 1024, stubs.area_va);
}

/* ---- the two VMs ---- */

struct machine {
	struct fake_backend fb;
	struct pv_vm_config cfg;
	struct pv_vm *vm;
	uint32_t *page;
	bool with_stubs;
};

static struct machine ref, run;

static void machine_init(struct machine *m, bool with_stubs)
{
	if (fake_backend_setup(&m->fb, &m->cfg))
		exit(2);
	m->with_stubs = with_stubs;
	m->vm = calloc(1, sizeof(*m->vm));
	m->page = aligned_alloc(4096, 4096);
	if (!m->vm || !m->page)
		exit(2);
	if (with_stubs) {
		m->cfg.stubs = &stubs;
		m->cfg.patch_sites = &sites;
		m->cfg.vcpu_pages.hva = pv_hva_from_ptr(m->page);
		m->cfg.vcpu_pages.hpa = pv_hpa(0x3e000000u);
		m->cfg.vcpu_pages.size = 4096;
		memcpy(fake_backend_ram(&m->fb, IMG), img.data, img.size);
	} else {
		/* The original instructions at their sites. */
		for (unsigned i = 0; i < NFORMS; i++) {
			wr32(fake_backend_ram(&m->fb, site_of(i)), forms[i].word);
			wr32(fake_backend_ram(&m->fb, site_of(i) + 4), RET_MARK);
		}
	}
}

/* A vCPU state to start from. */
struct state {
	uint32_t r[15], mode, masks, flags, spsr, lines;
	uint32_t tpidrprw, dacr, dfsr, ifsr, dfar, ifar, sctlr_bits;
	uint32_t tpidruro, tls; /* the guest's register; the host's */
};

static struct pv_vcpu *machine_start(struct machine *m, const struct state *s,
				     uint32_t pc)
{
	struct pv_vcpu *v;
	struct pv_resume rs;

	memset(m->vm, 0, sizeof(*m->vm));
	if (pv_vm_init(m->vm, &m->cfg)) {
		fprintf(stderr, "pv_vm_init\n");
		exit(2);
	}
	v = &m->vm->vcpu[0];
	v->cp15.sctlr = 0x00c50078u | s->sctlr_bits; /* MMU off */
	v->cp15.tpidrprw = s->tpidrprw;
	v->cp15.dacr = s->dacr;
	v->cp15.dfsr = s->dfsr;
	v->cp15.ifsr = s->ifsr;
	v->cp15.dfar = s->dfar;
	v->cp15.ifar = s->ifar;
	v->cp15.tpidruro = s->tpidruro;
	pv_shadow_ctx_changed(v, PV_SHADOW_CTX_ALL);
	pv_vcpu_write_cpsr(v, s->mode | s->masks | s->flags);
	if (pv_vcpu_spsr(v))
		*pv_vcpu_spsr(v) = s->spsr;
	memcpy(v->r, s->r, sizeof(s->r));
	v->r[15] = pc;
	pv_vcpu_set_lines(v, s->lines & PV_PSR_I, s->lines & PV_PSR_F);
	pv_vcpu_resume_state(v, &rs);
	return v;
}

static void trap(struct pv_vcpu *v, enum pv_trap_kind kind, uint32_t host_cpsr)
{
	struct pv_trap t = { kind, host_cpsr, 0, 0 };
	struct pv_exit ex;

	if (pv_vcpu_handle_trap(v, &t, &ex)) {
		fprintf(stderr, "handle_trap refused\n");
		exit(2);
	}
}

/* ---- comparing vCPUs ---- */

static char why[512];

#define CMP(field)                                                              \
	do {                                                                    \
		if (a->field != b->field) {                                     \
			snprintf(why, sizeof(why), "%s (i=%u): stub %08x, emulator %08x; " \
				 "pc %08x/%08x cpsr %08x/%08x", #field, cmp_i,          \
				 (unsigned)a->field, (unsigned)b->field, a->r[15],      \
				 b->r[15], a->cpsr, b->cpsr);                           \
			return false;                                           \
		}                                                               \
	} while (0)

static unsigned cmp_i;

static bool same_vcpu(const struct pv_vcpu *a, const struct pv_vcpu *b)
{
	unsigned i;

	for (i = 0, cmp_i = 0; i < 16; i++, cmp_i++)
		CMP(r[i]);
	CMP(cpsr);
	for (i = 0, cmp_i = 0; i < PV_BANK_COUNT; i++, cmp_i++) {
		CMP(spsr[i]);
		CMP(bank_sp[i]);
		CMP(bank_lr[i]);
	}
	for (i = 0, cmp_i = 0; i < 5; i++, cmp_i++) {
		CMP(usr_r8_12[i]);
		CMP(fiq_r8_12[i]);
	}
	CMP(cp15.sctlr);
	CMP(cp15.dacr);
	CMP(cp15.tpidrprw);
	CMP(cp15.dfsr);
	CMP(cp15.ifsr);
	CMP(cp15.dfar);
	CMP(cp15.ifar);
	CMP(cp15.tpidruro);
	CMP(wfi);
	CMP(stop);
	return true;
}

/* ---- cases ---- */

static uint64_t rng;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static const uint32_t modes[] = { PV_MODE_SVC, PV_MODE_SVC, PV_MODE_SVC, PV_MODE_IRQ,
				  PV_MODE_ABT, PV_MODE_UND, PV_MODE_SYS, PV_MODE_FIQ };

static uint32_t rnd_word(void)
{
	static const uint32_t special[] = { 0, 0xffffffffu, 0xc0, 0x1f, 0xd3, 0x13,
					    0x80000000u, 0x55555555u };

	return (rnd() & 3) ? rnd() : special[rnd() % 8];
}

static bool is_msr_cpsr_c(uint32_t w)
{
	return (w & 0x0ffffff0u) == 0x0121f000u;
}

static void gen_state(struct state *s, const struct form *f)
{
	for (unsigned i = 0; i < 15; i++)
		s->r[i] = rnd_word();
	s->mode = modes[rnd() % 8];
	/*
	 * SPSR access in System mode is UNPREDICTABLE: the emulator raises
	 * UNDEF, a stub reads 0 or writes a field the core ignores.
	 */
	if (s->mode == PV_MODE_SYS && (f->word & 0x0f900000u) == 0x01000000u &&
	    (f->word & (1u << 22)))
		s->mode = PV_MODE_SVC;
	s->flags = rnd() & (PV_PSR_NZCV | PV_PSR_Q | PV_PSR_GE_MASK);
	s->lines = rnd() % 3 ? 0 : (rnd() & (PV_PSR_I | PV_PSR_F));
	/* A pending line is masked: the core delivers it before resuming otherwise. */
	s->masks = (rnd() & (PV_PSR_I | PV_PSR_F | PV_PSR_A)) | s->lines;
	s->spsr = rnd_word();
	s->tpidrprw = rnd_word();
	s->dacr = rnd_word();
	s->dfsr = rnd();
	s->ifsr = rnd();
	s->dfar = rnd();
	s->ifar = rnd();
	s->sctlr_bits = rnd() & (1u << 1 | 1u << 12 | 1u << 2);
	s->tpidruro = rnd_word();
	/* The host's: the fast SVC's guess, right half of the time. */
	s->tls = (rnd() & 1) ? s->r[(f->word >> 12) & 15] : rnd_word();
	/* MSR CPSR_c: mostly the current mode, with any I/F (and T) bits. */
	if (is_msr_cpsr_c(f->word)) {
		unsigned rn = f->word & 15;

		switch (rnd() % 4) {
		case 0: case 1:
			s->r[rn] = (s->r[rn] & ~0x1fu) | s->mode;
			break;
		case 2:
			s->r[rn] = (s->r[rn] & ~0x1fu) | modes[rnd() % 8];
			break;
		default:
			break;
		}
	}
}

static bool cond_pass(uint32_t cond, uint32_t psr)
{
	bool n = psr >> 31 & 1, z = psr >> 30 & 1, c = psr >> 29 & 1, v = psr >> 28 & 1;
	bool r;

	switch (cond >> 1) {
	case 0: r = z; break;
	case 1: r = c; break;
	case 2: r = n; break;
	case 3: r = v; break;
	case 4: r = c && !z; break;
	case 5: r = n == v; break;
	case 6: r = !z && n == v; break;
	default: return true;
	}
	return (cond & 1) ? !r : r;
}

/* Where the stub must end: its trap word, or back at site + 4. */
static bool must_trap(const struct form *f, const struct state *s)
{
	uint32_t w = f->word;

	if ((w >> 28) != 0xf && !cond_pass(w >> 28, s->flags))
		return false; /* the site's branch has the original's condition */
	if (is_msr_cpsr_c(w)) {
		uint32_t rn = s->r[w & 15];

		return ((rn ^ s->mode) & 0x1f) || (s->lines & ~rn & 0xc0);
	}
	if ((w & 0xfffffe3fu) == 0xf1080000u) /* CPSIE */
		return s->lines & w & 0xc0;
	if (f == &forms[ENTRY_FORM]) /* the guess was wrong */
		return s->tls != s->r[(w >> 12) & 15];
	return false;
}

struct tcase {
	unsigned form;
	struct state s;
	uint32_t stop; /* 0, or the stub word to interrupt at */
};

static void make_input(struct case_in *in, const struct tcase *c)
{
	const struct pv_stub *st = stub_of[c->form];
	struct pv_vcpu *v = machine_start(&run, &c->s, site_of(c->form));

	(void)v;
	in->slot = stubs.area_va + ((st->stub - stubs.area_va) & ~(PV_STUB_CHUNK - 1u));
	memcpy(in->page, run.page, 4096);
	memcpy(in->r, c->s.r, sizeof(c->s.r));
	in->r[15] = site_of(c->form);
	in->apsr = c->s.flags;
	in->stop_va = c->stop;
	in->tls = c->s.tls;
}

static unsigned long failures, checked, trapped, interrupted, exit_in_user;
static unsigned max_report = 20;

static void fail(const struct tcase *c, const char *what)
{
	failures++;
	if (failures > max_report)
		return;
	printf("MISMATCH %s (mode %02x masks %03x lines %03x flags %08x r[rn]...): %s\n",
	       forms[c->form].name, c->s.mode, c->s.masks, c->s.lines, c->s.flags, what);
}

/* The stub's page must change only where its kind writes. */
static bool page_ok(const struct case_in *in, const struct case_out *o)
{
	for (unsigned i = 0; i < 1024; i++) {
		uint32_t off = 4 * i, a = in->page[i], b = o->page[i];

		if (off == PV_VPAGE_SCRATCH || off == PV_VPAGE_SPSR || off == PV_VPAGE_DACR ||
		    off == PV_VPAGE_TPIDRURO)
			continue;
		if (off == PV_VPAGE_CPSR && !((a ^ b) & ~PV_VPAGE_CPSR_WRITABLE))
			continue;
		if (a != b) {
			snprintf(why, sizeof(why), "page word %03x: %08x -> %08x", off, a, b);
			return false;
		}
	}
	return true;
}

static void check_full(const struct tcase *c, const struct case_in *in,
		       const struct case_out *o)
{
	const struct pv_stub *st = stub_of[c->form];
	uint32_t site = site_of(c->form), pc = o->r[15];
	bool at_trap = pc - st->stub < 4u * st->words;
	struct pv_vcpu *e, *v;

	checked++;
	if (o->sig != SIGILL || (pc != site + 4 && !at_trap)) {
		snprintf(why, sizeof(why), "ended with signal %u at %08x", o->sig, pc);
		fail(c, why);
		return;
	}
	if (at_trap != must_trap(&forms[c->form], &c->s)) {
		snprintf(why, sizeof(why), "%s at %08x", at_trap ? "trapped" : "returned", pc);
		fail(c, why);
		return;
	}
	if (!page_ok(in, o)) {
		fail(c, why);
		return;
	}
	trapped += at_trap;
	/* The emulator on the original. */
	e = machine_start(&ref, &c->s, site);
	trap(e, PV_TRAP_UNDEF, PV_MODE_USR | c->s.flags);
	/* pvcore after the stub, as the backend hands it over. */
	v = machine_start(&run, &c->s, site);
	memcpy(v->r, o->r, 15 * 4);
	v->r[15] = pc;
	memcpy(run.page, o->page, 4096);
	trap(v, at_trap ? PV_TRAP_UNDEF : PV_TRAP_IRQ, o->cpsr);
	if (at_trap && v->r[15] - st->stub < 4u * st->words) {
		/* Nothing delivered: on at the exit after the trap word. */
		uint32_t k = (v->r[15] - st->stub) / 4, w;

		w = rd32(img.data + (v->r[15] - IMG));
		if ((k != st->exit[0] && k != st->exit[1] && k != st->exit[2] &&
		     k != st->exit[3]) || w != (0xea000000u | (((site + 4 - v->r[15] - 8) >> 2) & 0xffffffu))) {
			snprintf(why, sizeof(why), "left at word %u (%08x) after the trap", k, w);
			fail(c, why);
			return;
		}
		v->r[15] = site + 4;
		if ((v->cpsr & PV_PSR_M_MASK) == PV_MODE_USR)
			exit_in_user++;
	}
	if (!same_vcpu(v, e))
		fail(c, why);
}

/*
 * Interrupted at word k of the stub (which did not run): with an IRQ
 * now pending, the result must be the IRQ taken before the site (rolled
 * back, with what the stub committed to I/F) or after it (rolled forward).
 */
static void check_stop(const struct tcase *c, const struct case_out *o)
{
	uint32_t site = site_of(c->form);
	struct state s = c->s;
	struct pv_vcpu *v, *e;
	char first[512];

	checked++;
	if (o->sig != SIGILL || o->r[15] != c->stop) {
		/* The stub ended before reaching the word (a branch around it). */
		return;
	}
	interrupted++;
	v = machine_start(&run, &s, site);
	memcpy(v->r, o->r, 15 * 4);
	v->r[15] = o->r[15];
	memcpy(run.page, o->page, 4096);
	pv_vcpu_set_lines(v, true, false);
	trap(v, PV_TRAP_IRQ, o->cpsr);
	if (v->r[15] == c->stop) {
		/* Still masked: the stub goes on; nothing was delivered. */
		return;
	}
	/* Before the site, with the masks the page holds now. */
	s.masks = (s.masks & ~0xc0u) | (o->page[PV_VPAGE_CPSR / 4] & 0xc0u);
	/*
	 * An MRS CPSR stub builds Rd in place: rolled back, Rd holds a
	 * partial value that the site's rerun overwrites (dead, unless it is
	 * SP, which an interrupt handler would use).
	 */
	if (stub_of[c->form]->kind == PV_STUB_MRS_CPSR) {
		unsigned rd = (forms[c->form].word >> 12) & 15;

		if (rd != 13)
			s.r[rd] = o->r[rd];
	}
	e = machine_start(&ref, &s, site);
	pv_vcpu_set_lines(e, true, false);
	trap(e, PV_TRAP_IRQ, PV_MODE_USR | s.flags);
	if (same_vcpu(v, e))
		return;
	snprintf(first, sizeof(first), "%s", why);
	/* After it. */
	e = machine_start(&ref, &c->s, site);
	trap(e, PV_TRAP_UNDEF, PV_MODE_USR | c->s.flags);
	pv_vcpu_set_lines(e, true, false);
	trap(e, PV_TRAP_IRQ, PV_MODE_USR | (e->cpsr & PV_PSR_USER_MASK));
	if (same_vcpu(v, e))
		return;
	snprintf(why + strlen(why), sizeof(why) - strlen(why) > 0 ? sizeof(why) - strlen(why) : 0,
		 " (after); %.200s (before); interrupted at word %u", first,
		 (c->stop - stub_of[c->form]->stub) / 4);
	fail(c, why);
}

static unsigned long env_or(const char *name, unsigned long d)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : d;
}

int main(int argc, char **argv)
{
	const char *runner = NULL, *qemu = "qemu-arm";
	unsigned long per_form = env_or("PV_STUB_ORACLE_CASES", 200), seed = 1;
	bool self_test = false;
	char inpath[] = "/tmp/stub-oracle-in-XXXXXX", outpath[] = "/tmp/stub-oracle-out-XXXXXX";
	struct tcase *cs;
	size_t nc = 0;
	FILE *f;
	int fd, status;
	pid_t pid;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--qemu") && i + 1 < argc)
			qemu = argv[++i];
		else if (!strcmp(argv[i], "--cases-per-form") && i + 1 < argc)
			per_form = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--self-test"))
			self_test = true;
		else
			runner = argv[i];
	}
	if (!runner) {
		fprintf(stderr, "usage: stub-oracle RUNNER [--qemu Q] [--cases-per-form N] "
				"[--seed N] [--self-test]\n");
		return 2;
	}
	rng = seed * 0x9e3779b97f4a7c15ull | 1;
	build_image();
	if (self_test) {
		/* The MRS CPSR template loading the wrong field (ld Rd, CPSR). */
		const struct pv_stub *st = stub_of[0];
		uint8_t *w = img.data + (st->stub - IMG) + 12;

		wr32(w, rd32(w) ^ 0x4u);
	}
	machine_init(&ref, false);
	machine_init(&run, true);

	/* The cases: whole runs, then an interrupt at every word of every stub. */
	cs = calloc(NFORMS * per_form + NFORMS * PV_STUB_MAX_WORDS * 4, sizeof(*cs));
	if (!cs)
		return 2;
	for (unsigned i = 0; i < NFORMS; i++)
		for (unsigned long k = 0; k < per_form; k++) {
			cs[nc].form = i;
			gen_state(&cs[nc].s, &forms[i]);
			nc++;
		}
	for (unsigned i = 0; i < NFORMS; i++)
		for (unsigned k = 0; k < stub_of[i]->words; k++)
			for (unsigned n = 0; n < 4; n++) {
				cs[nc].form = i;
				gen_state(&cs[nc].s, &forms[i]);
				/* No interrupt pending before: it arrives at k. */
				cs[nc].s.lines = 0;
				if (n & 1)
					cs[nc].s.masks &= ~(PV_PSR_I | PV_PSR_F);
				cs[nc].stop = stub_of[i]->stub + 4u * k;
				nc++;
			}

	fd = mkstemp(inpath);
	if (fd < 0 || !(f = fdopen(fd, "wb")))
		return 2;
	{
		uint32_t hdr[3] = { MAGIC, 1, (uint32_t)nc };
		uint32_t seg[2] = { IMG, (uint32_t)img.size };

		fwrite(hdr, sizeof(hdr), 1, f);
		fwrite(seg, sizeof(seg), 1, f);
		fwrite(img.data, img.size, 1, f);
	}
	struct case_in *in = calloc(nc, sizeof(*in));

	if (!in)
		return 2;
	for (size_t i = 0; i < nc; i++) {
		make_input(&in[i], &cs[i]);
		fwrite(&in[i], sizeof(in[i]), 1, f);
	}
	fclose(f);
	close(mkstemp(outpath));
	pid = fork();
	if (pid == 0) {
		execlp(qemu, qemu, runner, inpath, outpath, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "stub-oracle: %s %s failed (status %d)\n", qemu, runner, status);
		unlink(inpath);
		unlink(outpath);
		return 2;
	}
	f = fopen(outpath, "rb");
	if (!f)
		return 2;
	for (size_t i = 0; i < nc; i++) {
		struct case_out o;

		if (fread(&o, sizeof(o), 1, f) != 1) {
			fprintf(stderr, "stub-oracle: short output\n");
			return 2;
		}
		if (cs[i].stop)
			check_stop(&cs[i], &o);
		else
			check_full(&cs[i], &in[i], &o);
	}
	fclose(f);
	unlink(inpath);
	unlink(outpath);
	printf("stub-oracle: %lu cases (%lu ended at the trap word, %lu interrupted "
	       "mid-stub), %lu mismatches\n", checked, trapped, interrupted, failures);
	if (exit_in_user)
		printf("stub-oracle: note: %lu cases switched to User mode at the trap "
		       "word and go on at the stub's exit branch, which the guest user "
		       "view does not map (with the MMU on: a guest prefetch abort)\n",
		       exit_in_user);
	if (self_test) {
		printf("stub-oracle: self-test (corrupted template) %s\n",
		       failures ? "caught" : "NOT caught");
		return failures ? 0 : 1;
	}
	return failures ? 1 : 0;
}
