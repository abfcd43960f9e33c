/* SPDX-License-Identifier: MIT */
/*
 * The virtual Cortex-A9 MPCore GIC (GICv1). The state machine and the
 * signalling rule are documented in libpvcore/gic.h. Registers are
 * decoded through two tables: per-interrupt fields (enable, pending,
 * priority, ...) handled one field at a time so every access size works,
 * and single word registers.
 */
#include <pvcore/error.h>
#include "gic.h"
#include "memmap.h"
#include "vcpu.h"

#include "pv_internal.h"

/* Identification as the A9 presents it (Cortex-A9 MPCore TRM, 3.3). */
#define GICD_IIDR_A9 0x0102043bu
#define GICC_IIDR_A9 0x3901243bu
/* A9 PPI configuration: ID27/29/30 edge, ID28/31 level (read-only). */
#define ICFGR1_A9 0x7dc00000u
/* The PPIs the A9 wires: global timer 27, nFIQ 28, TWD 29/30, nIRQ 31. */
#define PPI_IMPLEMENTED 0xf8000000u
#define SGI_BITS 0x0000ffffu
/* Binary point resets: the smallest values 5 priority bits allow. */
#define BPR_MIN 2u
#define ABPR_MIN 3u

static const uint8_t gicd_ids[12] = {
	0x04, 0x00, 0x00, 0x00, /* PIDR4..7 at 0xfd0 */
	0x90, 0xb3, 0x1b, 0x00, /* PIDR0..3 at 0xfe0 */
	0x0d, 0xf0, 0x05, 0xb1, /* CIDR0..3 at 0xff0 */
};

static inline uint32_t bit(unsigned irq) { return 1u << (irq & 31); }

/* The bank holding @irq for @cpu (private IDs are banked). */
static struct pv_gic_bank *bank_of(struct pv_gic *gic, unsigned cpu,
				   unsigned irq)
{
	if (irq < PV_GIC_NR_PRIVATE)
		return &gic->cpu[cpu].priv;
	return &gic->spi[(irq - PV_GIC_NR_PRIVATE) / 32];
}

static const struct pv_gic_bank *cbank_of(const struct pv_gic *gic,
					  unsigned cpu, unsigned irq)
{
	return bank_of((struct pv_gic *)gic, cpu, irq);
}

static uint8_t *prio_of(struct pv_gic *gic, unsigned cpu, unsigned irq)
{
	if (irq < PV_GIC_NR_PRIVATE)
		return &gic->cpu[cpu].prio[irq];
	return &gic->spi_prio[irq - PV_GIC_NR_PRIVATE];
}

static uint32_t bank_pending(const struct pv_gic_bank *b)
{
	return b->latch | (b->level & ~b->edge);
}

bool pv_gic_is_pending(const struct pv_gic *gic, unsigned cpu, unsigned irq)
{
	if (cpu >= gic->ncpus || irq >= PV_GIC_NR_IRQS)
		return false;
	return bank_pending(cbank_of(gic, cpu, irq)) & bit(irq);
}

bool pv_gic_is_active(const struct pv_gic *gic, unsigned cpu, unsigned irq)
{
	if (cpu >= gic->ncpus || irq >= PV_GIC_NR_IRQS)
		return false;
	return cbank_of(gic, cpu, irq)->active & bit(irq);
}

/* ---- signalling ---------------------------------------------------------- */

/* Group-priority mask for binary point @bp: bits [7:bp+1] compare. */
static uint8_t group_mask(unsigned bp)
{
	return (uint8_t)(0xffu << (bp + 1));
}

static unsigned binary_point(const struct pv_gic_cpu *c, unsigned group)
{
	/* Group 1 uses ABPR, whose n is the Secure n - 1, unless SBPR. */
	if (group && !(c->ctlr & PV_GICC_CTLR_SBPR))
		return c->abpr - 1;
	return c->bpr;
}

static unsigned running_prio(const struct pv_gic_cpu *c)
{
	unsigned p = PV_GIC_IDLE_PRIO;

	for (unsigned i = 0; i < c->depth; i++)
		if (c->nest[i].prio < p)
			p = c->nest[i].prio;
	return p;
}

/*
 * The highest-priority interrupt that is pending, enabled, not active and
 * targets @cpu (lowest ID wins a tie), ignoring masks; PV_GIC_SPURIOUS if
 * none. For an SGI *src gets its lowest pending source.
 */
static unsigned highest_pending(const struct pv_gic *gic, unsigned cpu,
				unsigned *src)
{
	const struct pv_gic_cpu *c = &gic->cpu[cpu];
	unsigned best = PV_GIC_SPURIOUS, best_prio = 0x100;
	uint32_t cand = bank_pending(&c->priv) & c->priv.enabled & ~c->priv.active;

	while (cand) {
		unsigned irq = (unsigned)__builtin_ctz(cand);

		cand &= cand - 1;
		if (c->prio[irq] < best_prio) {
			best_prio = c->prio[irq];
			best = irq;
		}
	}
	for (unsigned b = 0; b < PV_GIC_NR_SPI_BANKS; b++) {
		const struct pv_gic_bank *s = &gic->spi[b];

		cand = bank_pending(s) & s->enabled & ~s->active;
		while (cand) {
			unsigned n = (unsigned)__builtin_ctz(cand), i = b * 32 + n;

			cand &= cand - 1;
			if (!(gic->spi_target[i] & (1u << cpu)))
				continue;
			if (gic->spi_prio[i] < best_prio) {
				best_prio = gic->spi_prio[i];
				best = i + PV_GIC_NR_PRIVATE;
			}
		}
	}
	if (best < PV_GIC_NR_SGIS)
		*src = (unsigned)__builtin_ctz(c->sgi_src[best]);
	else
		*src = 0;
	return best;
}

static unsigned group_of(const struct pv_gic *gic, unsigned cpu, unsigned irq)
{
	return (cbank_of(gic, cpu, irq)->group & bit(irq)) ? 1 : 0;
}

/* Whether @irq (pending, from highest_pending()) may interrupt @cpu now. */
static bool can_signal(const struct pv_gic *gic, unsigned cpu, unsigned irq)
{
	const struct pv_gic_cpu *c = &gic->cpu[cpu];
	unsigned group, prio, run;
	uint8_t m;

	if (irq == PV_GIC_SPURIOUS)
		return false;
	group = group_of(gic, cpu, irq);
	if (!(gic->ctlr & (PV_GICD_CTLR_EN_GRP0 << group)) ||
	    !(c->ctlr & (PV_GICC_CTLR_EN_GRP0 << group)))
		return false;
	prio = *prio_of((struct pv_gic *)gic, cpu, irq);
	if (prio >= c->pmr)
		return false;
	if (!c->depth)
		return true; /* idle: only the priority mask applies */
	run = running_prio(c);
	m = group_mask(binary_point(c, group));
	return (prio & m) < (run & m);
}

static void set_outputs(struct pv_gic_cpu *c, bool irq, bool fiq)
{
	c->irq_out = irq;
	c->fiq_out = fiq;
	if (c->vcpu)
		pv_vcpu_set_lines(c->vcpu, irq, fiq);
}

static void compute_outputs(const struct pv_gic *gic, unsigned cpu,
			    bool *irq, bool *fiq)
{
	unsigned src, best = highest_pending(gic, cpu, &src);

	*irq = *fiq = false;
	if (!can_signal(gic, cpu, best))
		return;
	if (group_of(gic, cpu, best) == 0 &&
	    (gic->cpu[cpu].ctlr & PV_GICC_CTLR_FIQEN))
		*fiq = true;
	else
		*irq = true;
}

void pv_gic_update(struct pv_gic *gic)
{
	for (unsigned cpu = 0; cpu < gic->ncpus; cpu++) {
		bool irq, fiq;

		compute_outputs(gic, cpu, &irq, &fiq);
		set_outputs(&gic->cpu[cpu], irq, fiq);
	}
}

/* ---- lines ---------------------------------------------------------------- */

int pv_gic_set_line(struct pv_gic *gic, unsigned cpu, unsigned irq, bool level)
{
	struct pv_gic_bank *b;
	uint32_t m = bit(irq);

	if (irq < PV_GIC_NR_SGIS || irq >= PV_GIC_NR_IRQS)
		return PV_ERANGE;
	if (irq < PV_GIC_NR_PRIVATE && cpu >= gic->ncpus)
		return PV_ERANGE;
	if (irq >= PV_GIC_NR_PRIVATE)
		cpu = 0;
	b = bank_of(gic, cpu, irq);
	if (level && !(b->level & m) && (b->edge & m))
		b->latch |= m;
	if (level)
		b->level |= m;
	else
		b->level &= ~m;
	pv_gic_update(gic);
	return 0;
}

int pv_gic_init(struct pv_gic *gic, unsigned ncpus, struct pv_vcpu *vcpus)
{
	if (!ncpus || ncpus > PV_GIC_MAX_CPUS)
		return PV_EINVAL;
	pv_memset(gic, 0, sizeof(*gic));
	gic->ncpus = ncpus;
	for (unsigned i = 0; i < ncpus; i++) {
		struct pv_gic_cpu *c = &gic->cpu[i];

		c->bpr = BPR_MIN;
		c->abpr = ABPR_MIN;
		c->priv.enabled = SGI_BITS; /* SGI enables are RAO/WI on the A9 */
		c->priv.edge = SGI_BITS;
		c->vcpu = vcpus ? &vcpus[i] : NULL;
	}
	/* Edge bits from the A9's fixed PPI configuration (ICFGR field bit 1). */
	for (unsigned i = 0; i < ncpus; i++)
		for (unsigned irq = 16; irq < 32; irq++)
			if (ICFGR1_A9 & (2u << (2 * (irq - 16))))
				gic->cpu[i].priv.edge |= bit(irq);
	/* SPIs reset level-sensitive, targeting CPU 0 is left to software. */
	pv_gic_update(gic);
	return 0;
}

/* ---- distributor: per-interrupt fields ------------------------------------ */

/*
 * A field handler reads or writes the @width-bit field of one interrupt.
 * @cpu is the accessing CPU (banked IDs).
 */
typedef uint32_t (*field_read_fn)(struct pv_gic *gic, unsigned cpu,
				  unsigned irq);
typedef void (*field_write_fn)(struct pv_gic *gic, unsigned cpu, unsigned irq,
			       uint32_t v);

static uint32_t rd_group(struct pv_gic *gic, unsigned cpu, unsigned irq)
{
	return (bank_of(gic, cpu, irq)->group >> (irq & 31)) & 1;
}

static void wr_group(struct pv_gic *gic, unsigned cpu, unsigned irq,
		     uint32_t v)
{
	struct pv_gic_bank *b = bank_of(gic, cpu, irq);

	if (irq >= PV_GIC_NR_PRIVATE || (SGI_BITS | PPI_IMPLEMENTED) & bit(irq))
		b->group = v ? b->group | bit(irq) : b->group & ~bit(irq);
}

static uint32_t rd_enable(struct pv_gic *gic, unsigned cpu, unsigned irq)
{
	return (bank_of(gic, cpu, irq)->enabled >> (irq & 31)) & 1;
}

/* Only SPIs and the wired PPIs can be enabled; SGIs are always enabled. */
static bool enable_writable(unsigned irq)
{
	return irq >= PV_GIC_NR_PRIVATE || (PPI_IMPLEMENTED & bit(irq));
}

static void wr_set_enable(struct pv_gic *gic, unsigned cpu, unsigned irq,
			  uint32_t v)
{
	if (v && enable_writable(irq))
		bank_of(gic, cpu, irq)->enabled |= bit(irq);
}

static void wr_clear_enable(struct pv_gic *gic, unsigned cpu, unsigned irq,
			    uint32_t v)
{
	if (v && enable_writable(irq))
		bank_of(gic, cpu, irq)->enabled &= ~bit(irq);
}

static uint32_t rd_pending(struct pv_gic *gic, unsigned cpu, unsigned irq)
{
	return (bank_pending(bank_of(gic, cpu, irq)) >> (irq & 31)) & 1;
}

/* SGIs are made pending through SGIR only (GICv1 has no SPENDSGIR). */
static void wr_set_pending(struct pv_gic *gic, unsigned cpu, unsigned irq,
			   uint32_t v)
{
	if (v && irq >= PV_GIC_NR_SGIS)
		bank_of(gic, cpu, irq)->latch |= bit(irq);
}

static void wr_clear_pending(struct pv_gic *gic, unsigned cpu, unsigned irq,
			     uint32_t v)
{
	if (v && irq >= PV_GIC_NR_SGIS)
		bank_of(gic, cpu, irq)->latch &= ~bit(irq);
}

static uint32_t rd_active(struct pv_gic *gic, unsigned cpu, unsigned irq)
{
	return (bank_of(gic, cpu, irq)->active >> (irq & 31)) & 1;
}

static void wr_set_active(struct pv_gic *gic, unsigned cpu, unsigned irq,
			  uint32_t v)
{
	if (v)
		bank_of(gic, cpu, irq)->active |= bit(irq);
}

static void wr_clear_active(struct pv_gic *gic, unsigned cpu, unsigned irq,
			    uint32_t v)
{
	if (v)
		bank_of(gic, cpu, irq)->active &= ~bit(irq);
}

static uint32_t rd_prio(struct pv_gic *gic, unsigned cpu, unsigned irq)
{
	return *prio_of(gic, cpu, irq);
}

static void wr_prio(struct pv_gic *gic, unsigned cpu, unsigned irq, uint32_t v)
{
	if (irq >= PV_GIC_NR_PRIVATE || (SGI_BITS | PPI_IMPLEMENTED) & bit(irq))
		*prio_of(gic, cpu, irq) = (uint8_t)(v & PV_GIC_PRIO_MASK);
}

static uint32_t rd_target(struct pv_gic *gic, unsigned cpu, unsigned irq)
{
	/* Private IDs read as the accessing CPU's own bit. */
	if (irq < PV_GIC_NR_PRIVATE)
		return 1u << cpu;
	return gic->spi_target[irq - PV_GIC_NR_PRIVATE];
}

static void wr_target(struct pv_gic *gic, unsigned cpu, unsigned irq,
		      uint32_t v)
{
	if (irq >= PV_GIC_NR_PRIVATE)
		gic->spi_target[irq - PV_GIC_NR_PRIVATE] =
			(uint8_t)(v & ((1u << gic->ncpus) - 1));
}

/* ICFGR: field bit 1 is edge (1) / level (0); bit 0 (model) reads 1 (1-N). */
static uint32_t rd_config(struct pv_gic *gic, unsigned cpu, unsigned irq)
{
	if (irq < PV_GIC_NR_SGIS)
		return 2u; /* SGIs: edge, N-N */
	if (irq < PV_GIC_NR_PRIVATE)
		return (ICFGR1_A9 >> (2 * (irq - 16))) & 3u;
	return ((bank_of(gic, cpu, irq)->edge >> (irq & 31)) & 1) << 1 | 1u;
}

static void wr_config(struct pv_gic *gic, unsigned cpu, unsigned irq,
		      uint32_t v)
{
	struct pv_gic_bank *b;

	if (irq < PV_GIC_NR_PRIVATE)
		return; /* fixed on the A9 */
	b = bank_of(gic, cpu, irq);
	b->edge = (v & 2u) ? b->edge | bit(irq) : b->edge & ~bit(irq);
}

/* ICPPISR/ICSPISR (A9 0xd00/0xd04..): the raw input lines. */
static uint32_t rd_line(struct pv_gic *gic, unsigned cpu, unsigned irq)
{
	return (bank_of(gic, cpu, irq)->level >> (irq & 31)) & 1;
}

static void wr_none(struct pv_gic *gic, unsigned cpu, unsigned irq, uint32_t v)
{
	(void)gic, (void)cpu, (void)irq, (void)v;
}

/**
 * struct field_reg - a block of per-interrupt fields
 * @base: byte offset of the first register
 * @first_irq: interrupt ID of the block's field 0
 * @nirq: number of interrupts the block covers
 * @wshift: log2 of the field width in bits (fields of 1, 2 or 8 bits);
 *          shifts, since the Cortex-A9 has no divide instruction
 * @byte_ok: whether byte accesses are architecturally allowed
 */
struct field_reg {
	uint16_t base;
	uint16_t first_irq;
	uint16_t nirq;
	uint8_t wshift;
	bool byte_ok;
	field_read_fn rd;
	field_write_fn wr;
};

static const struct field_reg dist_fields[] = {
	{ 0x080, 0, 64, 0, false, rd_group, wr_group },
	{ 0x100, 0, 64, 0, false, rd_enable, wr_set_enable },
	{ 0x180, 0, 64, 0, false, rd_enable, wr_clear_enable },
	{ 0x200, 0, 64, 0, false, rd_pending, wr_set_pending },
	{ 0x280, 0, 64, 0, false, rd_pending, wr_clear_pending },
	{ 0x300, 0, 64, 0, false, rd_active, wr_set_active },
	{ 0x380, 0, 64, 0, false, rd_active, wr_clear_active },
	{ 0x400, 0, 64, 3, true, rd_prio, wr_prio },
	{ 0x800, 0, 32, 3, true, rd_target, wr_none },
	{ 0x820, 32, 32, 3, true, rd_target, wr_target },
	{ 0xc00, 0, 64, 1, false, rd_config, wr_config },
	{ 0xd00, 0, 64, 0, false, rd_line, wr_none },
};

/*
 * The field block holding byte @off; *@first_irq is the ID at @off and
 * *@left how many IDs remain in the block from there, so an access that
 * starts near the block's end (unaligned) never runs past its state.
 */
static const struct field_reg *find_field(uint32_t off, uint32_t *first_irq,
					  unsigned *left)
{
	for (unsigned i = 0; i < PV_ARRAY_SIZE(dist_fields); i++) {
		const struct field_reg *f = &dist_fields[i];
		uint32_t nbytes = ((uint32_t)f->nirq << f->wshift) >> 3;

		if (off >= f->base && off - f->base < nbytes) {
			*first_irq = f->first_irq + (((off - f->base) * 8) >> f->wshift);
			*left = f->first_irq + f->nirq - *first_irq;
			return f;
		}
	}
	return NULL;
}

/* ---- distributor: word registers ------------------------------------------ */

static uint32_t typer(const struct pv_gic *gic)
{
	/* ITLinesNumber, CPUNumber, SecurityExtn, LSPI = 31. */
	return (PV_GIC_NR_IRQS / 32 - 1) | (gic->ncpus - 1) << 5 | 1u << 10 |
	       31u << 11;
}

static void sgir_write(struct pv_gic *gic, uint32_t v)
{
	unsigned sgi = v & 0xf, filter = (v >> 24) & 3, nsatt = (v >> 15) & 1;
	unsigned self = gic->cur_cpu;
	uint32_t targets;

	switch (filter) {
	case 0:
		targets = (v >> 16) & 0xff;
		break;
	case 1:
		targets = 0xffu & ~(1u << self);
		break;
	case 2:
		targets = 1u << self;
		break;
	default:
		return; /* reserved */
	}
	for (unsigned cpu = 0; cpu < gic->ncpus; cpu++) {
		struct pv_gic_cpu *c = &gic->cpu[cpu];

		if (!(targets & (1u << cpu)))
			continue;
		/* A Secure write sends a Group 1 SGI only with NSATT set. */
		if (((c->priv.group >> sgi) & 1) != nsatt)
			continue;
		c->sgi_src[sgi] |= (uint8_t)(1u << self);
		c->priv.latch |= bit(sgi);
	}
}

int pv_gic_dist_read(struct pv_gic *gic, uint32_t offset, unsigned size,
		     uint32_t *val)
{
	uint32_t word = offset & ~3u, v = 0, first;
	unsigned left;
	const struct field_reg *f = find_field(offset, &first, &left);
	unsigned cpu = gic->cur_cpu;

	if (f) {
		unsigned n = (size * 8) >> f->wshift, w = 1u << f->wshift;

		if (size != 4 && !f->byte_ok) {
			/* Narrow read of a word register: extract from the word. */
			f = find_field(word, &first, &left);
			n = 32u >> f->wshift;
			for (unsigned i = 0; i < n; i++)
				v |= f->rd(gic, cpu, first + i) << (i * w);
			*val = pv_mmio_lane(v, offset, size);
			return 0;
		}
		for (unsigned i = 0; i < n && i < left; i++)
			v |= f->rd(gic, cpu, first + i) << (i * w);
		*val = v;
		return 0;
	}
	switch (word) {
	case 0x000:
		v = gic->ctlr;
		break;
	case 0x004:
		v = typer(gic);
		break;
	case 0x008:
		v = GICD_IIDR_A9;
		break;
	default:
		if (word >= 0xfd0)
			v = gicd_ids[(word - 0xfd0) / 4];
		break;
	}
	*val = pv_mmio_lane(v, offset, size);
	return 0;
}

int pv_gic_dist_write(struct pv_gic *gic, uint32_t offset, unsigned size,
		      uint32_t val)
{
	uint32_t first;
	unsigned left;
	const struct field_reg *f = find_field(offset, &first, &left);
	unsigned cpu = gic->cur_cpu;

	if (f) {
		if (size == 4 || f->byte_ok) {
			unsigned n = (size * 8) >> f->wshift, w = 1u << f->wshift;
			uint32_t m = (1u << w) - 1;

			for (unsigned i = 0; i < n && i < left; i++)
				f->wr(gic, cpu, first + i, (val >> (i * w)) & m);
		}
	} else if (size == 4) {
		if (offset == 0x000)
			gic->ctlr = val & (PV_GICD_CTLR_EN_GRP0 | PV_GICD_CTLR_EN_GRP1);
		else if (offset == 0xf00)
			sgir_write(gic, val);
	}
	pv_gic_update(gic);
	return 0;
}

/* ---- CPU interface ---------------------------------------------------------- */

static uint32_t iar_read(struct pv_gic *gic, unsigned cpu)
{
	struct pv_gic_cpu *c = &gic->cpu[cpu];
	unsigned src, irq = highest_pending(gic, cpu, &src);
	struct pv_gic_bank *b;
	uint8_t prio;

	if (!can_signal(gic, cpu, irq))
		return PV_GIC_SPURIOUS;
	if (group_of(gic, cpu, irq) && !(c->ctlr & PV_GICC_CTLR_ACKCTL))
		return PV_GIC_SPURIOUS_GRP1;
	if (c->depth == PV_GIC_MAX_NEST)
		return PV_GIC_SPURIOUS; /* cannot happen: one slot per level */
	b = bank_of(gic, cpu, irq);
	prio = *prio_of(gic, cpu, irq);
	if (irq < PV_GIC_NR_SGIS) {
		c->sgi_src[irq] &= (uint8_t)~(1u << src);
		if (!c->sgi_src[irq])
			b->latch &= ~bit(irq);
	} else {
		b->latch &= ~bit(irq);
	}
	b->active |= bit(irq);
	c->nest[c->depth].irq = (uint16_t)irq;
	c->nest[c->depth].src = (uint8_t)src;
	c->nest[c->depth].prio = prio;
	c->depth++;
	pv_gic_update(gic);
	return irq | src << 10;
}

static void eoir_write(struct pv_gic *gic, unsigned cpu, uint32_t v)
{
	struct pv_gic_cpu *c = &gic->cpu[cpu];
	unsigned irq = v & 0x3ff, src = (v >> 10) & 7;

	if (irq >= PV_GIC_NR_IRQS)
		return;
	/* The most recent matching acknowledge; EOI out of order still works. */
	for (unsigned i = c->depth; i--;) {
		if (c->nest[i].irq != irq ||
		    (irq < PV_GIC_NR_SGIS && c->nest[i].src != src))
			continue;
		for (unsigned j = i; j + 1 < c->depth; j++)
			c->nest[j] = c->nest[j + 1];
		c->depth--;
		bank_of(gic, cpu, irq)->active &= ~bit(irq);
		pv_gic_update(gic);
		return;
	}
}

int pv_gic_cpu_read(struct pv_gic *gic, uint32_t offset, unsigned size,
		    uint32_t *val)
{
	unsigned cpu = gic->cur_cpu, src, irq;
	struct pv_gic_cpu *c = &gic->cpu[cpu];
	uint32_t v = 0;

	if (size != 4) {
		*val = 0;
		return 0;
	}
	switch (offset) {
	case 0x00:
		v = c->ctlr;
		break;
	case 0x04:
		v = c->pmr;
		break;
	case 0x08:
		v = c->bpr;
		break;
	case 0x0c:
		v = iar_read(gic, cpu);
		break;
	case 0x14:
		v = running_prio(c);
		break;
	case 0x18:
		irq = highest_pending(gic, cpu, &src);
		if (irq == PV_GIC_SPURIOUS)
			v = irq;
		else if (group_of(gic, cpu, irq) &&
			 !(c->ctlr & PV_GICC_CTLR_ACKCTL))
			v = PV_GIC_SPURIOUS_GRP1; /* Secure view, as for IAR */
		else
			v = irq | src << 10;
		break;
	case 0x1c:
		v = c->abpr;
		break;
	case 0xfc:
		v = GICC_IIDR_A9;
		break;
	default:
		break;
	}
	*val = v;
	return 0;
}

int pv_gic_cpu_write(struct pv_gic *gic, uint32_t offset, unsigned size,
		     uint32_t val)
{
	unsigned cpu = gic->cur_cpu;
	struct pv_gic_cpu *c = &gic->cpu[cpu];

	if (size != 4)
		return 0;
	switch (offset) {
	case 0x00:
		c->ctlr = val & PV_GICC_CTLR_MASK;
		break;
	case 0x04:
		c->pmr = val & PV_GIC_PRIO_MASK;
		break;
	case 0x08:
		c->bpr = (val & 7) < BPR_MIN ? BPR_MIN : (val & 7);
		break;
	case 0x10:
		eoir_write(gic, cpu, val);
		return 0;
	case 0x1c:
		c->abpr = (val & 7) < ABPR_MIN ? ABPR_MIN : (val & 7);
		break;
	default:
		return 0;
	}
	pv_gic_update(gic);
	return 0;
}

/* ---- invariants and the memory-map glue ------------------------------------ */

int pv_gic_check(const struct pv_gic *gic)
{
	if (!gic->ncpus || gic->ncpus > PV_GIC_MAX_CPUS ||
	    gic->cur_cpu >= gic->ncpus || gic->ctlr & ~3u)
		return PV_ESTATE;
	for (unsigned i = 0; i < PV_GIC_NR_IRQS - PV_GIC_NR_PRIVATE; i++)
		if (gic->spi_prio[i] & ~PV_GIC_PRIO_MASK ||
		    gic->spi_target[i] >> gic->ncpus)
			return PV_ESTATE;
	for (unsigned cpu = 0; cpu < gic->ncpus; cpu++) {
		const struct pv_gic_cpu *c = &gic->cpu[cpu];
		bool irq, fiq;

		if (c->depth > PV_GIC_MAX_NEST || c->pmr & ~PV_GIC_PRIO_MASK ||
		    c->bpr < BPR_MIN || c->bpr > 7 || c->abpr < ABPR_MIN ||
		    c->abpr > 7 || c->ctlr & ~PV_GICC_CTLR_MASK ||
		    (c->priv.enabled & SGI_BITS) != SGI_BITS)
			return PV_ESTATE;
		for (unsigned s = 0; s < PV_GIC_NR_SGIS; s++)
			if (!c->sgi_src[s] != !(c->priv.latch & bit(s)) ||
			    c->sgi_src[s] >> gic->ncpus)
				return PV_ESTATE;
		for (unsigned i = 0; i < PV_GIC_NR_PRIVATE; i++)
			if (c->prio[i] & ~PV_GIC_PRIO_MASK)
				return PV_ESTATE;
		compute_outputs(gic, cpu, &irq, &fiq);
		if (irq != c->irq_out || fiq != c->fiq_out || (irq && fiq))
			return PV_ESTATE;
		if (c->vcpu && (c->vcpu->irq_line != irq ||
				c->vcpu->fiq_line != fiq))
			return PV_ESTATE;
	}
	return 0;
}

static int dist_mmio_read(void *dev, uint32_t off, unsigned size, uint64_t *val)
{
	uint32_t v;
	int err = pv_gic_dist_read(dev, off, size, &v);

	*val = v;
	return err;
}

static int dist_mmio_write(void *dev, uint32_t off, unsigned size, uint64_t val)
{
	return pv_gic_dist_write(dev, off, size, (uint32_t)val);
}

static int cpu_mmio_read(void *dev, uint32_t off, unsigned size, uint64_t *val)
{
	uint32_t v;
	int err = pv_gic_cpu_read(dev, off, size, &v);

	*val = v;
	return err;
}

static int cpu_mmio_write(void *dev, uint32_t off, unsigned size, uint64_t val)
{
	return pv_gic_cpu_write(dev, off, size, (uint32_t)val);
}

const struct pv_mmio_ops pv_gic_dist_mmio_ops = {
	.read = dist_mmio_read,
	.write = dist_mmio_write,
};

const struct pv_mmio_ops pv_gic_cpu_mmio_ops = {
	.read = cpu_mmio_read,
	.write = cpu_mmio_write,
};
