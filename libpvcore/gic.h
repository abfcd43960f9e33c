/* SPDX-License-Identifier: MIT */
/**
 * DOC: the virtual GIC (Cortex-A9 MPCore interrupt controller, GICv1)
 *
 * The model is the GIC the Cortex-A9 MPCore integrates (a PL390-class
 * GICv1 with the Security Extensions), seen from the Secure side: the
 * guest is the only software on its "machine", so it owns IGROUPR and the
 * aliased binary point (ABPR) just as firmware running Secure on a real A9
 * does. 64 interrupt IDs: 16 SGIs, 16 PPIs (of which the A9 wires 27..31)
 * and 32 SPIs. Priorities have 5 implemented bits (32 levels, bits [2:0]
 * RAZ/WI), as on the A9.
 *
 * Interrupt state machine (per interrupt, per CPU for IDs 0..31):
 *
 *   pending  = @latch | (@level & ~@edge)     (a level line is pending
 *                                               while it is high)
 *   inactive --(edge: rising line, ISPENDR, SGIR)--> pending
 *   pending  --(IAR acknowledges)--> active (and, for a level line still
 *                                   high, active+pending)
 *   active   --(EOIR)--> inactive, or pending if the line is still high
 *   ICPENDR clears only @latch: a level interrupt whose line is high stays
 *   pending, as the architecture requires.
 *
 * An interrupt is *signalled* to a CPU interface when it is pending, not
 * active, enabled, forwarded by the distributor for its group, targets
 * that CPU (SPIs), its priority is below PMR and its group priority
 * (binary point of its group) beats the running priority. The running
 * priority is kept as a stack of acknowledged, not yet EOIed interrupts
 * (the model's "active priority registers"), so nesting through preemption
 * and RPR behave as in hardware. ISACTIVER/ICACTIVER change the active
 * bits only, not the running priority, as on GICv2.
 *
 * SGIs are pending per (SGI, source CPU); IAR returns the source in bits
 * [12:10] and EOIR must name the same source.
 *
 * Output: after every state change pv_gic_update() recomputes each
 * vCPU's @irq_line and @fiq_line (FIQ for Group 0 when the CPU interface's
 * FIQEn is set). Delivery into the guest is the trap path's business.
 *
 * Concurrency: the distributor and every CPU interface are under the
 * backend's VM lock, as all of &struct pv_vm (vm_state.h). The MMIO
 * handlers serve the CPU named by @cur_cpu, which the trap path sets to
 * the trapping vCPU before dispatching an access. A line that rises for
 * a vCPU kicks it (pv_vcpu_set_lines()), so that a vCPU running or
 * asleep on another host core hears of it.
 */
#ifndef PVCORE_GIC_H
#define PVCORE_GIC_H

#include <pvcore/board.h>
#include <pvcore/types.h>

struct pv_vcpu;

/* PV_GIC_NR_IRQS (interrupt IDs 0..63) is in <pvcore/board.h>. */
#define PV_GIC_NR_PRIVATE 32u  /* SGIs + PPIs, banked per CPU */
#define PV_GIC_NR_SGIS 16u
#define PV_GIC_NR_SPI_BANKS ((PV_GIC_NR_IRQS - PV_GIC_NR_PRIVATE) / 32u)
#define PV_GIC_MAX_CPUS 4u
#define PV_GIC_SPURIOUS 1023u
#define PV_GIC_SPURIOUS_GRP1 1022u /* IAR/HPPIR: a Group 1 interrupt, AckCtl 0 */
#define PV_GIC_PRIO_MASK 0xf8u     /* 5 implemented priority bits */
#define PV_GIC_IDLE_PRIO 0xffu
/* One stack slot per preemption level, plus the interrupt at idle. */
#define PV_GIC_MAX_NEST 33u

#define PV_GIC_DIST_SIZE 0x1000u
#define PV_GIC_CPU_SIZE 0x100u

/* Distributor control (GICD_CTLR, Secure view). */
#define PV_GICD_CTLR_EN_GRP0 (1u << 0)
#define PV_GICD_CTLR_EN_GRP1 (1u << 1)
/* CPU interface control (GICC_CTLR, Secure view). */
#define PV_GICC_CTLR_EN_GRP0 (1u << 0)
#define PV_GICC_CTLR_EN_GRP1 (1u << 1)
#define PV_GICC_CTLR_ACKCTL (1u << 2)
#define PV_GICC_CTLR_FIQEN (1u << 3)
#define PV_GICC_CTLR_SBPR (1u << 4)
#define PV_GICC_CTLR_MASK 0x1fu

/**
 * struct pv_gic_bank - the state of 32 consecutive interrupts, one bit each
 * @enabled: ISENABLER/ICENABLER
 * @latch: edge or software pending state (cleared by acknowledge, ICPENDR)
 * @level: the current input line level
 * @active: ISACTIVER/ICACTIVER
 * @edge: ICFGR bit [2n+1]: 1 edge-triggered, 0 level-sensitive
 * @group: IGROUPR: 0 Group 0 (Secure), 1 Group 1 (Non-secure)
 */
struct pv_gic_bank {
	uint32_t enabled;
	uint32_t latch;
	uint32_t level;
	uint32_t active;
	uint32_t edge;
	uint32_t group;
};

/** struct pv_gic_nest - one acknowledged interrupt on the running stack. */
struct pv_gic_nest {
	uint16_t irq;
	uint8_t src;  /* SGI source CPU */
	uint8_t prio;
};

/**
 * struct pv_gic_cpu - one CPU interface plus its banked distributor state
 * @ctlr, @pmr, @bpr, @abpr: GICC_CTLR, GICC_PMR, GICC_BPR, GICC_ABPR
 * @priv: banked state of IDs 0..31
 * @prio: banked priorities of IDs 0..31
 * @sgi_src: per SGI, the bit mask of source CPUs it is pending from; an
 *           SGI's @priv.latch bit is set iff this is non-zero
 * @nest: the running stack, @nest[@depth - 1] is the most recent
 * @vcpu: the vCPU whose irq_line/fiq_line this interface drives (may be
 *        NULL in tests, then only @irq_out/@fiq_out change)
 * @irq_out, @fiq_out: the last computed output lines
 */
struct pv_gic_cpu {
	uint32_t ctlr, pmr, bpr, abpr;
	struct pv_gic_bank priv;
	uint8_t prio[PV_GIC_NR_PRIVATE];
	uint8_t sgi_src[PV_GIC_NR_SGIS];
	struct pv_gic_nest nest[PV_GIC_MAX_NEST];
	unsigned depth;
	struct pv_vcpu *vcpu;
	bool irq_out, fiq_out;
};

/**
 * struct pv_gic - distributor and CPU interfaces
 * @ctlr: GICD_CTLR
 * @spi: shared state of IDs 32..PV_GIC_NR_IRQS-1
 * @spi_prio: their priorities
 * @spi_target: their ITARGETSR CPU masks
 * @cpu: one interface per CPU
 * @ncpus: number of CPU interfaces (1..PV_GIC_MAX_CPUS)
 * @cur_cpu: the interface the MMIO handlers serve (see DOC above)
 */
struct pv_gic {
	uint32_t ctlr;
	struct pv_gic_bank spi[PV_GIC_NR_SPI_BANKS];
	uint8_t spi_prio[PV_GIC_NR_IRQS - PV_GIC_NR_PRIVATE];
	uint8_t spi_target[PV_GIC_NR_IRQS - PV_GIC_NR_PRIVATE];
	struct pv_gic_cpu cpu[PV_GIC_MAX_CPUS];
	unsigned ncpus;
	unsigned cur_cpu;
};

/**
 * pv_gic_init() - reset the GIC
 * @gic: storage, fully overwritten
 * @ncpus: CPU interfaces, 1..PV_GIC_MAX_CPUS
 * @vcpus: array of @ncpus vCPUs whose interrupt lines the GIC drives, or
 *         NULL (lines are then only recorded in irq_out/fiq_out)
 *
 * Return: 0; PV_EINVAL for a bad @ncpus.
 */
int pv_gic_init(struct pv_gic *gic, unsigned ncpus, struct pv_vcpu *vcpus);

/**
 * pv_gic_set_line() - drive a virtual interrupt input
 * @gic: the GIC
 * @cpu: for a PPI (16..31), the CPU whose line it is; ignored for SPIs
 * @irq: interrupt ID 16..PV_GIC_NR_IRQS-1 (SGIs have no line)
 * @level: the new line level; for an edge-triggered interrupt a rising
 *         edge makes it pending
 *
 * Return: 0; PV_ERANGE for an SGI or out-of-range @irq or @cpu.
 */
int pv_gic_set_line(struct pv_gic *gic, unsigned cpu, unsigned irq,
		    bool level);

/**
 * pv_gic_update() - recompute every CPU interface's output lines and drive
 * the vCPUs' irq_line/fiq_line. The register handlers and pv_gic_set_line()
 * call it; exposed for callers that change state in bulk.
 */
void pv_gic_update(struct pv_gic *gic);

/**
 * pv_gic_dist_read() - read a distributor register as CPU @gic->cur_cpu
 * @gic: the GIC
 * @offset: byte offset in the 4 KiB distributor frame
 * @size: 1, 2 or 4; byte-wide IPRIORITYR/ITARGETSR, word everything else
 *        (narrower reads of word registers return the addressed bytes)
 * @val: the value
 *
 * Reserved offsets read as zero (RAZ/WI), as the GIC does.
 * Return: 0 (the GIC never raises a slave error).
 */
int pv_gic_dist_read(struct pv_gic *gic, uint32_t offset, unsigned size,
		     uint32_t *val);

/**
 * pv_gic_dist_write() - write a distributor register; see
 * pv_gic_dist_read(). Narrow writes to word-only registers are ignored.
 * Return: 0.
 */
int pv_gic_dist_write(struct pv_gic *gic, uint32_t offset, unsigned size,
		      uint32_t val);

/**
 * pv_gic_cpu_read() - read a CPU interface register of @gic->cur_cpu
 * @gic: the GIC
 * @offset: byte offset in the CPU interface frame (word registers)
 * @size: access size; only 4 has an effect, other sizes read 0
 * @val: the value. Reading IAR acknowledges an interrupt.
 * Return: 0.
 */
int pv_gic_cpu_read(struct pv_gic *gic, uint32_t offset, unsigned size,
		    uint32_t *val);

/** pv_gic_cpu_write() - write a CPU interface register. Return: 0. */
int pv_gic_cpu_write(struct pv_gic *gic, uint32_t offset, unsigned size,
		     uint32_t val);

/**
 * pv_gic_is_pending() - whether @irq is pending for @cpu (test and debug
 * helper; SPIs ignore @cpu). Out-of-range arguments give false.
 */
bool pv_gic_is_pending(const struct pv_gic *gic, unsigned cpu, unsigned irq);

/**
 * pv_gic_is_active() - whether @irq is active for @cpu; see
 * pv_gic_is_pending().
 */
bool pv_gic_is_active(const struct pv_gic *gic, unsigned cpu, unsigned irq);

/**
 * pv_gic_check() - verify internal invariants (fuzzing and tests)
 * Return: 0; PV_ESTATE if a state bit is out of range or an output line
 * disagrees with the registers.
 */
int pv_gic_check(const struct pv_gic *gic);

/* The register handlers in &struct pv_mmio_ops form, for the memory map. */
struct pv_mmio_ops;
extern const struct pv_mmio_ops pv_gic_dist_mmio_ops;
extern const struct pv_mmio_ops pv_gic_cpu_mmio_ops;

#endif /* PVCORE_GIC_H */
