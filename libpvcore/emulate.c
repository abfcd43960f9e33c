/* SPDX-License-Identifier: MIT */
/*
 * The emulator: applies a decoded instruction to the vCPU with PL1
 * semantics (ARM DDI 0406C pseudocode), as a Non-secure Cortex-A9 does.
 *
 * Structure: condition/IT check, then one handler per class from a table.
 * Each handler validates and reads everything it needs first (registers,
 * guest memory into temporaries), and only then commits. A guest fault or
 * an UNDEFINED case injects the exception instead of committing, so the
 * vCPU is never half-updated (except STM, which, like the hardware, may
 * have stored some words before the abort).
 */
#include <pvcore/error.h>

#include "cp15.h"
#include "emulate.h"
#include "guest_mem.h"
#include "hypercall_svc.h"
#include "vcpu.h"

#include "decode_internal.h"
#include "pv_internal.h"

#ifdef PV_TEST_FAULTS
/* Test-only: a deliberately wrong emulation the oracle must catch. */
int pv_test_fault_emulate;
#endif

/* How a handler finished. */
enum done {
	DONE_NEXT,   /* fall through to the next instruction, advance IT */
	DONE_BRANCH, /* PC written by the instruction, advance IT */
	DONE_EXC,    /* exception taken or exception return: touch nothing */
};

struct ctx {
	struct pv_vcpu *vcpu;
	const struct pv_insn *insn;
	struct pv_outcome out; /* what the instruction asks of the run loop */
	uint32_t pc;      /* address of the instruction */
	uint32_t pcval;   /* what reading PC gives: +8 ARM, +4 Thumb */
	bool thumb;
};

/* ---- CPSR helpers ---- */

static uint32_t it_get(uint32_t cpsr)
{
	return ((cpsr >> 25) & 3u) | ((cpsr >> 8) & 0xfcu);
}

static uint32_t it_set(uint32_t cpsr, uint32_t it)
{
	cpsr &= ~PV_PSR_IT_MASK;
	return cpsr | ((it & 3u) << 25) | ((it & 0xfcu) << 8);
}

/*
 * ITAdvance() after a Thumb instruction. Keyed on the instruction's ISA,
 * not on CPSR.T: an interworking load to PC may just have cleared T.
 */
static void it_advance(struct pv_vcpu *vcpu, bool thumb)
{
	uint32_t it = it_get(vcpu->cpsr);

	if (!thumb)
		return;
	if ((it & 7u) == 0)
		it = 0;
	else
		it = (it & 0xe0u) | ((it << 1) & 0x1fu);
	vcpu->cpsr = it_set(vcpu->cpsr, it);
}

bool pv_cond_passed(uint32_t cpsr, unsigned cond)
{
	bool n = cpsr & PV_PSR_N, z = cpsr & PV_PSR_Z, c = cpsr & PV_PSR_C,
	     v = cpsr & PV_PSR_V, r;

	switch (cond >> 1) {
	case 0: r = z; break;
	case 1: r = c; break;
	case 2: r = n; break;
	case 3: r = v; break;
	case 4: r = c && !z; break;
	case 5: r = n == v; break;
	case 6: r = n == v && !z; break;
	default: return true; /* AL, and 1111 which the decoder maps to AL */
	}
	return (cond & 1) ? !r : r;
}

/*
 * CPSRWriteByInstr() at the vCPU's current privilege (B1.3.3, Non-secure,
 * SCR.AW = SCR.FW = 1). J stays clear: the A9's Jazelle is trivial.
 */
static void cpsr_write_by_instr(struct pv_vcpu *vcpu, uint32_t val,
				unsigned bytemask, bool eret)
{
	bool priv = pv_vcpu_is_privileged(vcpu);
	uint32_t m = 0;

	if (bytemask & 8)
		m |= PV_PSR_NZCV | PV_PSR_Q | (eret ? PV_PSR_IT_LO_MASK : 0);
	if (bytemask & 4)
		m |= PV_PSR_GE_MASK;
	if (bytemask & 2)
		m |= PV_PSR_E | (eret ? PV_PSR_IT_HI_MASK : 0) |
		     (priv ? PV_PSR_A : 0);
	if (bytemask & 1)
		m |= (priv ? PV_PSR_I | PV_PSR_F | PV_PSR_M_MASK : 0) |
		     (eret ? PV_PSR_T : 0);
	/* pv_vcpu_write_cpsr() keeps the mode for an illegal M, as the A9. */
	pv_vcpu_write_cpsr(vcpu, (vcpu->cpsr & ~m) | (val & m));
}

/* ---- register access ---- */

static uint32_t rd_reg(const struct ctx *c, unsigned n)
{
	return n == 15 ? c->pcval : c->vcpu->r[n];
}

/* BXWritePC/LoadWritePC: bit 0 selects the instruction set. */
static void bx_write_pc(struct pv_vcpu *vcpu, uint32_t addr)
{
	if (addr & 1u) {
		vcpu->cpsr |= PV_PSR_T;
		vcpu->r[15] = addr & ~1u;
	} else {
		vcpu->cpsr &= ~PV_PSR_T;
		vcpu->r[15] = addr;
	}
}

/* BranchWritePC in the (new) current instruction set. */
static void branch_write_pc(struct pv_vcpu *vcpu, uint32_t addr)
{
	vcpu->r[15] = addr & ((vcpu->cpsr & PV_PSR_T) ? ~1u : ~3u);
}

static enum done undef(struct ctx *c)
{
	pv_vcpu_take_exception(c->vcpu, PV_EXC_UNDEF, c->pc);
	c->out.injected = PV_INJ_UNDEF;
	return DONE_EXC;
}

static enum done mem_fault(struct ctx *c, const struct pv_fault *f)
{
	pv_vcpu_inject_abort(c->vcpu, f->is_prefetch, f->fsr, f->far, c->pc);
	c->out.injected = f->is_prefetch ? PV_INJ_PABT : PV_INJ_DABT;
	return DONE_EXC;
}

static enum done align_fault(struct ctx *c, uint32_t addr, bool write)
{
	struct pv_fault f = {
		.fsr = PV_FSR_FS(PV_FS_ALIGNMENT) | (write ? PV_FSR_WNR : 0),
		.far = addr,
		.is_prefetch = false,
	};

	return mem_fault(c, &f);
}

/* Exception return: CPSR <- SPSR (with T and IT), then branch. */
static enum done exception_return(struct ctx *c, uint32_t spsr, uint32_t pc)
{
	cpsr_write_by_instr(c->vcpu, spsr, 0xf, true);
	branch_write_pc(c->vcpu, pc);
	return DONE_EXC;
}

/* ---- shifter ---- */

static uint32_t shift_c(uint32_t v, unsigned type, unsigned amount, bool cin,
			bool by_reg)
{
	switch (type) {
	case PV_SHIFT_LSL:
		return amount >= 32 ? 0 : v << amount;
	case PV_SHIFT_LSR:
		if (!by_reg && amount == 0)
			amount = 32;
		return amount >= 32 ? 0 : v >> amount;
	case PV_SHIFT_ASR:
		if (!by_reg && amount == 0)
			amount = 32;
		return amount >= 32 ? (uint32_t)-(int32_t)(v >> 31) :
				      (uint32_t)((int32_t)v >> amount);
	default:
		if (!by_reg && amount == 0) /* RRX */
			return (v >> 1) | ((uint32_t)cin << 31);
		return pv_ror32(v, amount & 31);
	}
}

/* ---- handlers ---- */

static enum done h_notours(struct ctx *c)
{
	/* The trap path never emulates these; an UNDEF is the safe answer. */
	return undef(c);
}

static enum done h_nop(struct ctx *c)
{
	(void)c;
	return DONE_NEXT;
}

static enum done h_cp_move(struct ctx *c)
{
	const struct pv_insn *i = c->insn;
	struct pv_cp_access acc = {
		.coproc = i->coproc, .opc1 = i->opc1, .crn = i->crn,
		.crm = i->crm, .opc2 = i->opc2,
		.is_64 = (i->flags & PV_IF_PAIR) != 0,
		.is_read = (i->flags & PV_IF_LOAD) != 0,
	};
	uint32_t val[2] = { 0, 0 };
	int err;

	if (acc.is_read) {
		if (pv_cp_read(c->vcpu, &acc, val))
			return undef(c);
		if (i->rt == 15) /* MRC to APSR_nzcv */
			c->vcpu->cpsr = (c->vcpu->cpsr & ~PV_PSR_NZCV) |
					(val[0] & PV_PSR_NZCV);
		else
			c->vcpu->r[i->rt] = val[0];
		if (acc.is_64)
			c->vcpu->r[i->rt2] = val[1];
		return DONE_NEXT;
	}
	val[0] = rd_reg(c, i->rt);
	if (acc.is_64)
		val[1] = rd_reg(c, i->rt2);
	err = pv_cp_write(c->vcpu, &acc, val);
	if (err < 0)
		return undef(c);
	if (err == PV_CP_WAIT)
		c->out = pv_out_wait();
	return DONE_NEXT;
}

static enum done h_vfp_sys(struct ctx *c)
{
	const struct pv_insn *i = c->insn;
	uint32_t v;

	if (i->flags & PV_IF_LOAD) {
		if (pv_vfp_sysreg_read(c->vcpu, i->crn, &v))
			return undef(c);
		if (i->rt == 15)
			c->vcpu->cpsr = (c->vcpu->cpsr & ~PV_PSR_NZCV) |
					(v & PV_PSR_NZCV);
		else
			c->vcpu->r[i->rt] = v;
		return DONE_NEXT;
	}
	v = rd_reg(c, i->rt);
	if (pv_vfp_sysreg_write(c->vcpu, i->crn, &v))
		return undef(c);
	return DONE_NEXT;
}

static enum done h_cps(struct ctx *c)
{
	const struct pv_insn *i = c->insn;
	uint32_t v = c->vcpu->cpsr;

	if (!pv_vcpu_is_privileged(c->vcpu))
		return DONE_NEXT; /* a NOP at PL0 */
	if (i->op == 2)
		v &= ~i->imm;
	else if (i->op == 3)
		v |= i->imm;
	if (i->opc1)
		v = (v & ~PV_PSR_M_MASK) | i->mode;
	pv_vcpu_write_cpsr(c->vcpu, v);
	return DONE_NEXT;
}

static enum done h_mrs(struct ctx *c)
{
	const struct pv_insn *i = c->insn;
	uint32_t v;

	if (i->flags & PV_IF_SPSR) {
		const uint32_t *spsr = pv_vcpu_spsr(c->vcpu);

		if (!spsr)
			return undef(c);
		v = *spsr;
	} else {
		/* The execution state bits (IT, J, T) read as zero. */
		v = c->vcpu->cpsr & ~(PV_PSR_IT_MASK | PV_PSR_J | PV_PSR_T);
	}
	c->vcpu->r[i->rd] = v;
	return DONE_NEXT;
}

static enum done h_msr(struct ctx *c)
{
	const struct pv_insn *i = c->insn;
	uint32_t v = (i->flags & PV_IF_REG) ? rd_reg(c, i->rm) : i->imm;

	if (i->flags & PV_IF_SPSR) {
		uint32_t *spsr = pv_vcpu_spsr(c->vcpu), m = 0;

		if (!spsr)
			return undef(c);
		for (unsigned b = 0; b < 4; b++)
			if (i->op & (1u << b))
				m |= 0xffu << (8 * b);
		*spsr = (*spsr & ~m) | (v & m);
		return DONE_NEXT;
	}
	cpsr_write_by_instr(c->vcpu, v, i->op, false);
	return DONE_NEXT;
}

/* The 16 A32 data-processing operations, for the exception-return forms. */
static uint32_t dp_result(unsigned op, uint32_t a, uint32_t b, bool cin)
{
	switch (op) {
	case 0x0: return a & b;
	case 0x1: return a ^ b;
	case 0x2: return a - b;
	case 0x3: return b - a;
	case 0x4: return a + b;
	case 0x5: return a + b + cin;
	case 0x6: return a + ~b + cin;
	case 0x7: return b + ~a + cin;
	case 0xc: return a | b;
	case 0xd: return b;
	case 0xe: return a & ~b;
	case 0xf: return ~b;
	default: return 0; /* TST..CMN never decode as DP_ERET */
	}
}

static enum done h_dp_eret(struct ctx *c)
{
	const struct pv_insn *i = c->insn;
	const uint32_t *spsr = pv_vcpu_spsr(c->vcpu);
	bool cin = c->vcpu->cpsr & PV_PSR_C;
	uint32_t b;

	/* UNPREDICTABLE in USR and SYS (no SPSR): UNDEF, as QEMU. */
	if (!spsr)
		return undef(c);
	if (!(i->flags & PV_IF_REG)) {
		b = i->imm;
	} else if (i->flags & PV_IF_REGSHIFT) {
		b = shift_c(rd_reg(c, i->rm), i->shift_type,
			    rd_reg(c, i->rs) & 0xffu, cin, true);
	} else {
		b = shift_c(rd_reg(c, i->rm), i->shift_type, i->shift_imm, cin,
			    false);
	}
	return exception_return(c, *spsr,
				dp_result(i->op, rd_reg(c, i->rn), b, cin));
}

/* ---- memory ---- */

/* CPSR.E selects big-endian data accesses (BE-8): swap each element. */
static uint32_t data_endian(const struct ctx *c, uint32_t v, unsigned size)
{
	if (!(c->vcpu->cpsr & PV_PSR_E) || size == 1)
		return v;
	if (size == 2)
		return (uint32_t)(((v & 0xffu) << 8) | ((v >> 8) & 0xffu));
	return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) |
	       (v << 24);
}

static int mem_read(struct ctx *c, uint32_t addr, unsigned size, unsigned acc,
		    uint32_t *val, struct pv_fault *f)
{
	uint64_t v = 0;
	int err = pv_guest_read(c->vcpu, pv_gva(addr), size, acc, &v, f);

	*val = data_endian(c, (uint32_t)v, size);
	return err;
}

static int mem_write(struct ctx *c, uint32_t addr, unsigned size,
		     unsigned acc, uint32_t val, struct pv_fault *f)
{
	return pv_guest_write(c->vcpu, pv_gva(addr), size, acc,
			      data_endian(c, val, size), f);
}

/* Turn a guest_mem error into the guest-visible outcome. */
static enum done mem_error(struct ctx *c, int err, const struct pv_fault *f,
			   uint32_t addr, bool write)
{
	struct pv_fault ext;

	if (err == PV_EFAULT)
		return mem_fault(c, f);
	/* A guest mapping into the VMM window: a clean stop, nothing done. */
	if (err == PV_EWINDOW) {
		c->out = pv_out_fatal(PV_EWINDOW);
		return DONE_EXC;
	}
	/* Anything else is a bus error from the guest's point of view. */
	ext.fsr = PV_FSR_FS(PV_FS_SYNC_EXT) | (write ? PV_FSR_WNR : 0);
	ext.far = addr;
	ext.is_prefetch = false;
	return mem_fault(c, &ext);
}

static bool strict_align(const struct ctx *c)
{
	return (c->vcpu->cp15.sctlr & PV_SCTLR_A) != 0;
}

/* LDR/STR/B/H/SB/SH/D, T forms, exclusives: one addressing model. */
static enum done h_single(struct ctx *c)
{
	const struct pv_insn *i = c->insn;
	struct pv_vcpu *vcpu = c->vcpu;
	bool load = i->flags & PV_IF_LOAD;
	unsigned acc = (i->flags & PV_IF_USER) ? PV_ACC_USER : 0;
	uint32_t base, off, offaddr, addr, v[2] = { 0, 0 }, mask;
	unsigned n = (i->flags & PV_IF_PAIR) ? 2 : 1;
	unsigned esize = i->size == 8 ? 4 : i->size;
	struct pv_fault f;
	int err;

	base = i->rn == 15 ? (c->pcval & ~3u) : vcpu->r[i->rn];
	if (i->flags & PV_IF_REG)
		off = shift_c(vcpu->r[i->rm], i->shift_type, i->shift_imm,
			      vcpu->cpsr & PV_PSR_C, false);
	else
		off = i->imm;
	offaddr = (i->flags & PV_IF_ADD) ? base + off : base - off;
	addr = (i->flags & PV_IF_INDEX) ? offaddr : base;

	/*
	 * Alignment: exclusives always to their size, LDRD/STRD to a word,
	 * the rest only when SCTLR.A is set (ARM ARM A3.2.1).
	 */
	if (i->cls == PV_IC_LDREX || i->cls == PV_IC_STREX)
		mask = i->size - 1u;
	else if (i->size == 8)
		mask = 3u; /* two MemA[,4] accesses */
	else
		mask = strict_align(c) ? esize - 1u : 0;
	if (addr & mask)
		return align_fault(c, addr, !load);
	if (i->cls == PV_IC_STREX &&
	    (!vcpu->excl_valid || vcpu->excl_addr != addr)) {
		/* ExclusiveMonitorsPass() fails: no store, status 1. */
		vcpu->excl_valid = false;
		vcpu->r[i->rd] = 1;
		return DONE_NEXT;
	}

	if (load) {
		for (unsigned k = 0; k < n; k++) {
			err = mem_read(c, addr + 4 * k, esize, acc, &v[k], &f);
			if (err)
				return mem_error(c, err, &f, addr + 4 * k, false);
		}
		if (i->flags & PV_IF_SIGNED) {
			if (esize == 1)
				v[0] = (uint32_t)(int32_t)(int8_t)v[0];
			else if (esize == 2)
				v[0] = (uint32_t)(int32_t)(int16_t)v[0];
		}
#ifdef PV_TEST_FAULTS
		if (pv_test_fault_emulate)
			v[0] ^= 1u;
#endif
		if (i->cls == PV_IC_LDREX) {
			vcpu->excl_valid = true;
			vcpu->excl_addr = addr;
		}
		/* Write-back first: the loaded value wins if they clash. */
		if (i->flags & PV_IF_WBACK)
			vcpu->r[i->rn] = offaddr;
		if (n == 2)
			vcpu->r[i->rt2] = v[1];
		if (i->rt == 15) {
			bx_write_pc(vcpu, v[0]);
			return DONE_BRANCH;
		}
		vcpu->r[i->rt] = v[0];
		return DONE_NEXT;
	}

	v[0] = rd_reg(c, i->rt);
	if (n == 2)
		v[1] = rd_reg(c, i->rt2);
	for (unsigned k = 0; k < n; k++) {
		err = mem_write(c, addr + 4 * k, esize, acc, v[k], &f);
		if (err)
			return mem_error(c, err, &f, addr + 4 * k, true);
	}
	if (i->cls == PV_IC_STREX) {
		vcpu->excl_valid = false;
		vcpu->r[i->rd] = 0;
	}
	if (i->flags & PV_IF_WBACK)
		vcpu->r[i->rn] = offaddr;
	return DONE_NEXT;
}

/* Lowest address and write-back value of a block transfer of @nwords. */
static void block_addr(const struct pv_insn *i, uint32_t base, unsigned nwords,
		       uint32_t *start, uint32_t *wb)
{
	bool inc = i->flags & PV_IF_ADD, before = i->flags & PV_IF_INDEX;

	if (inc) {
		*start = before ? base + 4 : base;
		*wb = base + 4 * nwords;
	} else {
		*start = before ? base - 4 * nwords : base - 4 * nwords + 4;
		*wb = base - 4 * nwords;
	}
}

/* LDM/STM, their ^ forms, and the exception-return LDM. */
static enum done h_block(struct ctx *c)
{
	const struct pv_insn *i = c->insn;
	struct pv_vcpu *vcpu = c->vcpu;
	bool load = i->flags & PV_IF_LOAD, user = i->flags & PV_IF_USER;
	unsigned nregs = pv_dec_popcount16(i->reglist), k = 0;
	uint32_t base = vcpu->r[i->rn], addr, wb, vals[16], mode = PV_MODE_USR;
	const uint32_t *spsr = NULL;
	struct pv_fault f;
	int err;

	if (user) {
		/* UNPREDICTABLE in USR (and eret in SYS): UNDEF, as QEMU. */
		if (!pv_vcpu_is_privileged(vcpu))
			return undef(c);
		if (i->cls == PV_IC_LDM_ERET) {
			spsr = pv_vcpu_spsr(vcpu);
			if (!spsr)
				return undef(c);
		}
	}
	block_addr(i, base, nregs, &addr, &wb);
	if (addr & 3u)
		return align_fault(c, addr, !load);

	if (!load) {
		for (unsigned r = 0; r < 16; r++) {
			uint32_t v;

			if (!(i->reglist & PV_BIT(r)))
				continue;
			if (r == 15)
				v = c->pcval;
			else if (user)
				v = pv_vcpu_get_reg_mode(vcpu, mode, r);
			else
				v = vcpu->r[r];
			err = mem_write(c, addr + 4 * k, 4, 0, v, &f);
			if (err)
				return mem_error(c, err, &f, addr + 4 * k, true);
			k++;
		}
		if (i->flags & PV_IF_WBACK)
			vcpu->r[i->rn] = wb;
		return DONE_NEXT;
	}

	for (unsigned r = 0; r < 16; r++) {
		if (!(i->reglist & PV_BIT(r)))
			continue;
		err = mem_read(c, addr + 4 * k, 4, 0, &vals[r], &f);
		if (err)
			return mem_error(c, err, &f, addr + 4 * k, false);
		k++;
	}
	if (i->flags & PV_IF_WBACK)
		vcpu->r[i->rn] = wb;
	for (unsigned r = 0; r < 15; r++) {
		if (!(i->reglist & PV_BIT(r)))
			continue;
		if (i->cls == PV_IC_LDM_USER)
			pv_vcpu_set_reg_mode(vcpu, mode, r, vals[r]);
		else
			vcpu->r[r] = vals[r];
	}
	if (!(i->reglist & PV_BIT(15)))
		return DONE_NEXT;
	if (i->cls == PV_IC_LDM_ERET)
		return exception_return(c, *spsr, vals[15]);
	bx_write_pc(vcpu, vals[15]);
	return DONE_BRANCH;
}

/* SRS address: DA, IA, DB, IB from the P and U flags (B9.3.16). */
static uint32_t srs_rfe_addr(const struct pv_insn *i, uint32_t base,
			     uint32_t *wb)
{
	bool inc = i->flags & PV_IF_ADD, before = i->flags & PV_IF_INDEX;
	uint32_t a = inc ? base : base - 8;

	if (before == inc)
		a += 4;
	*wb = inc ? base + 8 : base - 8;
	return a;
}

static enum done h_srs(struct ctx *c)
{
	const struct pv_insn *i = c->insn;
	struct pv_vcpu *vcpu = c->vcpu;
	const uint32_t *spsr = pv_vcpu_spsr(vcpu);
	uint32_t base, addr, wb;
	struct pv_fault f;
	int err;

	/* UNPREDICTABLE in USR/SYS and for a mode the guest cannot enter. */
	if (!spsr || !pv_mode_is_valid(i->mode))
		return undef(c);
	base = pv_vcpu_get_reg_mode(vcpu, i->mode, 13);
	addr = srs_rfe_addr(i, base, &wb);
	if (addr & 3u)
		return align_fault(c, addr, true);
	err = mem_write(c, addr, 4, 0, vcpu->r[14], &f);
	if (!err)
		err = mem_write(c, addr + 4, 4, 0, *spsr, &f);
	if (err)
		return mem_error(c, err, &f, addr, true);
	if (i->flags & PV_IF_WBACK)
		pv_vcpu_set_reg_mode(vcpu, i->mode, 13, wb);
	return DONE_NEXT;
}

static enum done h_rfe(struct ctx *c)
{
	const struct pv_insn *i = c->insn;
	struct pv_vcpu *vcpu = c->vcpu;
	uint32_t addr, wb, pc, psr;
	struct pv_fault f;
	int err;

	if (!pv_vcpu_is_privileged(vcpu))
		return undef(c);
	addr = srs_rfe_addr(i, vcpu->r[i->rn], &wb);
	if (addr & 3u)
		return align_fault(c, addr, false);
	err = mem_read(c, addr, 4, 0, &pc, &f);
	if (err)
		return mem_error(c, err, &f, addr, false);
	err = mem_read(c, addr + 4, 4, 0, &psr, &f);
	if (err)
		return mem_error(c, err, &f, addr + 4, false);
	if (i->flags & PV_IF_WBACK)
		vcpu->r[i->rn] = wb;
	return exception_return(c, psr, pc);
}

static enum done h_wfi(struct ctx *c)
{
	c->out = pv_out_wait();
	return DONE_NEXT;
}

static enum done h_svc(struct ctx *c)
{
	pv_vcpu_take_exception(c->vcpu, PV_EXC_SVC, c->pc + c->insn->len);
	c->out.injected = PV_INJ_SVC;
	return DONE_EXC;
}

static enum done h_bkpt(struct ctx *c)
{
	struct pv_vcpu *vcpu = c->vcpu;

	/* A debug event taken as a Prefetch Abort; DBGDSCR.MOE = BKPT. */
	vcpu->cp15.dbgdscr = (vcpu->cp15.dbgdscr & ~0x3cu) | (3u << 2);
	pv_vcpu_inject_abort(vcpu, true, PV_FSR_FS(PV_FS_DEBUG),
			     vcpu->cp15.ifar, c->pc);
	c->out.injected = PV_INJ_PABT;
	return DONE_EXC;
}

/*
 * SMC is UNDEFINED at PL0, and HVC everywhere on an A9 (no Virtualization
 * Extensions); pvcore gives HVC a meaning at guest PL1 only. A guest user
 * process must never reach the hypercalls (console, exit, PSCI power-off).
 */
static enum done h_hvc(struct ctx *c)
{
	if (!pv_vcpu_is_privileged(c->vcpu))
		return undef(c);
	c->out = pv_hypercall(c->vcpu);
	return DONE_NEXT;
}

typedef enum done (*handler_fn)(struct ctx *c);

static const handler_fn handlers[PV_IC_COUNT] = {
	[PV_IC_NONE] = h_notours,
	[PV_IC_UNDEF] = undef,
	[PV_IC_CP_MOVE] = h_cp_move,
	[PV_IC_VFP_SYS] = h_vfp_sys,
	[PV_IC_CPS] = h_cps,
	[PV_IC_MRS] = h_mrs,
	[PV_IC_MSR] = h_msr,
	[PV_IC_SRS] = h_srs,
	[PV_IC_RFE] = h_rfe,
	[PV_IC_LDM_USER] = h_block,
	[PV_IC_LDM_ERET] = h_block,
	[PV_IC_STM_USER] = h_block,
	[PV_IC_DP_ERET] = h_dp_eret,
	[PV_IC_LDRT_STRT] = h_single,
	[PV_IC_WFI] = h_wfi,
	[PV_IC_WFE] = h_nop,
	[PV_IC_SEV] = h_nop,
	[PV_IC_YIELD] = h_nop,
	[PV_IC_SVC] = h_svc,
	[PV_IC_BKPT] = h_bkpt,
	[PV_IC_UDF] = undef,
	[PV_IC_SMC] = h_hvc,
	[PV_IC_HVC] = h_hvc,
	[PV_IC_LOAD] = h_single,
	[PV_IC_STORE] = h_single,
	[PV_IC_LDM] = h_block,
	[PV_IC_STM] = h_block,
	[PV_IC_LDREX] = h_single,
	[PV_IC_STREX] = h_single,
};

struct pv_outcome pv_emulate(struct pv_vcpu *vcpu, const struct pv_insn *insn)
{
	struct ctx c;
	unsigned cond = insn->cond;
	uint32_t it;
	enum done d;

	c.vcpu = vcpu;
	c.insn = insn;
	c.out = pv_out_resume();
	c.pc = vcpu->r[15];
	c.thumb = insn->isa == PV_ISA_THUMB;
	c.pcval = c.pc + (c.thumb ? 4u : 8u);
	if (c.thumb) {
		/* Inside an IT block the IT state supplies the condition. */
		it = it_get(vcpu->cpsr);
		if (it & 0xfu)
			cond = it >> 4;
	}
	if (!pv_cond_passed(vcpu->cpsr, cond)) {
		d = DONE_NEXT;
	} else if (insn->cls >= PV_IC_COUNT || (insn->len != 2 && insn->len != 4)) {
		d = undef(&c);
	} else {
		d = handlers[insn->cls](&c);
	}
	switch (d) {
	case DONE_NEXT:
		vcpu->r[15] = c.pc + insn->len;
		it_advance(vcpu, c.thumb);
		break;
	case DONE_BRANCH:
		it_advance(vcpu, c.thumb);
		break;
	case DONE_EXC:
		break;
	}
	return c.out;
}
