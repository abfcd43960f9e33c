/* SPDX-License-Identifier: MIT */
/**
 * DOC: applying a decoded instruction to the vCPU 
 */
#ifndef PVCORE_EMULATE_H
#define PVCORE_EMULATE_H

#include <pvcore/decode.h>
#include "outcome.h"

struct pv_vcpu;

/**
 * pv_emulate() - execute @insn as a PL1 Cortex-A9 would
 * @vcpu: the vCPU; r[15] is the instruction's address
 * @insn: a successful decode of the instruction at r[15]
 *
 * Checks the condition (and the IT state in Thumb), then applies the
 * instruction: registers, CPSR, memory (through pv_guest_read/write, so an
 * MMIO access reaches the device; CPSR.E selects big-endian data), PC
 * advance and IT advance. A guest memory fault or an UNDEFINED case is
 * delivered to the guest as an exception; HVC/SMC go to
 * pv_hypercall(); LDREX/STREX use the vCPU's local exclusive monitor
 * (@vcpu->excl_valid/excl_addr). UNPREDICTABLE cases behave as listed in
 * docs/decode.md. Cannot fail. Deterministic: the result depends only on
 * @vcpu, @insn and guest memory.
 *
 * Return: the outcome: WAIT for WFI (and the legacy CP15 WFI), STOP or
 * WAIT as a hypercall or PSCI call decided, RESUME otherwise.
 */
struct pv_outcome pv_emulate(struct pv_vcpu *vcpu, const struct pv_insn *insn);

/**
 * pv_cond_passed() - ConditionPassed() of condition @cond (0..15; 15 as AL)
 * against the NZCV bits of @cpsr
 */
bool pv_cond_passed(uint32_t cpsr, unsigned cond);

#endif /* PVCORE_EMULATE_H */
