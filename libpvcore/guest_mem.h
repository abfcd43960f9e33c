/* SPDX-License-Identifier: MIT */
/**
 * DOC: guest-virtual memory accesses made on the guest's behalf
 *
 * The emulator (LDM/STM ^, SRS/RFE, LDRT/STRT, MMIO loads and stores) and
 * the trap path (instruction fetch) access guest memory through these two
 * functions. They translate with pv_mmu_translate(), then go to RAM or to a
 * device through the memory map. They never touch host memory outside the
 * guest's RAM backing.
 */
#ifndef PVCORE_GUEST_MEM_H
#define PVCORE_GUEST_MEM_H

#include "mmu.h"

struct pv_vcpu;

/**
 * pv_guest_read() - load @size bytes at guest-virtual @va
 * @vcpu: the vCPU whose translation regime and privilege apply
 * @va: address; must be @size-aligned unless the caller already checked
 *      the guest's alignment rules
 * @size: 1, 2, 4 or 8
 * @acc: PV_ACC_* (PV_ACC_EXEC for instruction fetch, PV_ACC_USER for LDRT)
 * @val: the value, little-endian, zero-extended
 * @fault: the fault to inject when the result is PV_EFAULT
 *
 * Return: 0; PV_EFAULT with @fault set (translation/permission fault, or an
 * external abort for an unmapped guest-physical address or a device slave
 * error); PV_EWINDOW if the guest's MMU maps @va and @va lies in the VMM
 * window (the VM must stop, as for a native access there); PV_EINVAL for a
 * bad @size.
 */
int pv_guest_read(struct pv_vcpu *vcpu, pv_gva_t va, unsigned size,
		  unsigned acc, uint64_t *val, struct pv_fault *fault);

/** pv_guest_write() - store; see pv_guest_read(). */
int pv_guest_write(struct pv_vcpu *vcpu, pv_gva_t va, unsigned size,
		   unsigned acc, uint64_t val, struct pv_fault *fault);


#endif /* PVCORE_GUEST_MEM_H */
