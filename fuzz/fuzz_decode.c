/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: any instruction (A32 word, T16 or T32) plus any vCPU
 * state. Decoding must be total and deterministic, emulation must not
 * crash or hit UB (ASan/UBSan), and decode must agree with emulate:
 *  - a successful decode of a class that cannot be UNDEFINED at run time
 *    (loads, stores, hints, hypercalls...) never makes emulate inject UNDEF;
 *  - an instruction that neither branches nor raises an exception leaves
 *    PC at its address + length;
 *  - the CPSR mode stays a valid guest mode.
 *
 * Input: byte 0 selects ARM/Thumb and alignment checking, bytes 1..4 the
 * instruction, then up to 16 registers, the CPSR and the current SPSR.
 */
#include <stdlib.h>
#include <string.h>

#include "emulate.h"

#include "core.h"
#include "fake_backend.h"

#define VEC (FAKE_RAM_BASE + 0x200000u)

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;

static uint32_t take32(const uint8_t **p, size_t *n)
{
	uint32_t v = 0;

	for (unsigned k = 0; k < 4 && *n; k++, (*p)++, (*n)--)
		v |= (uint32_t)**p << (8 * k);
	return v;
}

/* Classes whose emulation may legitimately end in UNDEF. */
static bool may_undef(enum pv_insn_class c)
{
	switch (c) {
	case PV_IC_UNDEF: case PV_IC_UDF: case PV_IC_CP_MOVE:
	case PV_IC_VFP_SYS: case PV_IC_MRS: case PV_IC_MSR: case PV_IC_SRS:
	case PV_IC_RFE: case PV_IC_LDM_USER: case PV_IC_LDM_ERET:
	case PV_IC_STM_USER: case PV_IC_DP_ERET: case PV_IC_NONE:
	case PV_IC_HVC: case PV_IC_SMC: /* UNDEFINED from guest PL0 */
		return true;
	default:
		return false;
	}
}

/* Classes that may write PC or enter an exception without faulting. */
static bool may_branch(const struct pv_insn *i)
{
	switch (i->cls) {
	case PV_IC_LOAD: case PV_IC_LDRT_STRT:
		return i->rt == 15;
	case PV_IC_LDM:
		return i->reglist & 0x8000;
	case PV_IC_LDM_ERET: case PV_IC_RFE: case PV_IC_DP_ERET:
	case PV_IC_SVC: case PV_IC_BKPT: case PV_IC_UDF: case PV_IC_UNDEF:
	case PV_IC_NONE:
		return true;
	default:
		return false;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pv_insn a, b;
	struct pv_vcpu *v;
	uint32_t word, pc, *spsr, psr;
	bool thumb;
	uint8_t ctl;
	int rc;

	if (!vm) {
		if (fake_backend_setup(&fb, &cfg))
			abort();
		vm = calloc(1, sizeof(*vm));
		if (!vm || pv_vm_init(vm, &cfg))
			abort();
	}
	if (size < 5)
		return 0;
	ctl = *data++;
	size--;
	word = take32(&data, &size);
	thumb = ctl & 1;

	v = &vm->vcpu[0];
	pv_vcpu_reset(v);
	v->cp15.vbar = VEC;
	v->cp15.sctlr &= ~(PV_SCTLR_V | PV_SCTLR_M | PV_SCTLR_TE | PV_SCTLR_A);
	if (ctl & 2)
		v->cp15.sctlr |= PV_SCTLR_A;
	for (unsigned r = 0; r < 15; r++) {
		uint32_t x = take32(&data, &size);

		/* Mostly point into RAM so loads and stores do something. */
		v->r[r] = (ctl & 4) ? x : FAKE_RAM_BASE + 0x100000u + (x & 0xfffcu) +
					      (x >> 30);
	}
	psr = take32(&data, &size);
	if (!pv_mode_is_valid(psr & PV_PSR_M_MASK))
		psr = (psr & ~PV_PSR_M_MASK) | PV_MODE_SVC;
	psr = thumb ? psr | PV_PSR_T : psr & ~(PV_PSR_T | PV_PSR_IT_MASK);
	psr &= ~PV_PSR_J;
	pv_vcpu_write_cpsr(v, psr);
	spsr = pv_vcpu_spsr(v);
	if (spsr)
		*spsr = take32(&data, &size);
	pc = FAKE_RAM_BASE + 0x1000u + (thumb ? 2u : 0u);
	v->r[15] = pc;

	if (thumb)
		rc = pv_decode_thumb((uint16_t)(word >> 16), (uint16_t)word, &a);
	else
		rc = pv_decode_arm(word, &a);
	if (thumb)
		pv_decode_thumb((uint16_t)(word >> 16), (uint16_t)word, &b);
	else
		pv_decode_arm(word, &b);
	if (memcmp(&a, &b, sizeof(a)))
		abort(); /* decode must be deterministic */
	if (rc)
		return 0;
	(void)pv_emulate(v, &a);
	if (!pv_mode_is_valid(v->cpsr & PV_PSR_M_MASK))
		abort();
	if (v->r[15] == VEC + PV_EXC_UNDEF &&
	    (v->cpsr & PV_PSR_M_MASK) == PV_MODE_UND && !may_undef(a.cls))
		abort();
	if (v->r[15] != pc + a.len && !may_branch(&a) &&
	    !(v->r[15] >= VEC && v->r[15] < VEC + 0x20))
		abort();
	return 0;
}
