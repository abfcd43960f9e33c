/* SPDX-License-Identifier: MIT */
/**
 * DOC: applying a decoded instruction to the vCPU (owned by the decode
 * component)
 */
#ifndef PVCORE_EMULATE_H
#define PVCORE_EMULATE_H

#include <pvcore/decode.h>
#include <pvcore/trap.h>

/**
 * pv_emulate() - execute @insn as a PL1 Cortex-A9 would
 * @vcpu: the vCPU; r[15] is the instruction's address
 * @insn: a successful decode of the instruction at r[15]
 * @exit: set to RESUME, WAIT (WFI) or STOP (PSCI SYSTEM_OFF, hypercall)
 *
 * Checks the condition (and the IT state in Thumb), then applies the
 * instruction: registers, CPSR, memory (through pv_guest_read/write, so an
 * MMIO access reaches the device; CPSR.E selects big-endian data), PC
 * advance and IT advance. A guest memory fault or an UNDEFINED case is
 * delivered to the guest as an exception; HVC/SMC go to
 * pv_vcpu_hypercall(); LDREX/STREX use the vCPU's local exclusive monitor
 * (@vcpu->excl_valid/excl_addr). UNPREDICTABLE cases behave as listed in
 * docs/decode.md. Cannot fail. Deterministic: the result depends only on
 * @vcpu, @insn and guest memory.
 */
void pv_emulate(struct pv_vcpu *vcpu, const struct pv_insn *insn,
		struct pv_exit *exit);

#endif /* PVCORE_EMULATE_H */
