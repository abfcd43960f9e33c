/* SPDX-License-Identifier: MIT */
/* Guest-virtual accesses made on the guest's behalf: translate, then RAM or MMIO. */
#include <pvcore/error.h>

#include "fast.h"
#include "guest_mem.h"
#include "itlb.h"
#include "vm_state.h"

#include "pv_internal.h"

/*
 * An external abort on the access itself (not on the walk). The ExT bit
 * tells a decode error (nothing there, ExT=0) from a device's slave error
 * (ExT=1), which is how QEMU's sabrelite and the i.MX6 AXI report them.
 */
static void external_abort(struct pv_fault *f, uint32_t va, unsigned acc,
			   bool slave_error)
{
	f->fsr = PV_FSR_FS(PV_FS_SYNC_EXT) | (slave_error ? PV_FSR_EXT : 0);
	if ((acc & PV_ACC_WRITE) && !(acc & PV_ACC_EXEC))
		f->fsr |= PV_FSR_WNR;
	f->far = va;
	f->is_prefetch = (acc & PV_ACC_EXEC) != 0;
}

/* Guest RAM is little-endian bytes; the emulator applies CPSR.E above. */
static void ram_access(uint8_t *p, unsigned size, bool write, uint64_t *val)
{
	uint64_t v = 0;

	if (write) {
		for (unsigned i = 0; i < size; i++)
			p[i] = (uint8_t)(*val >> (8 * i));
		return;
	}
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	*val = v;
}

/* A device (or nothing) at @gpa: the memory map decides, aborts included. */
static int access_bus(struct pv_memmap *map, uint32_t va, uint64_t gpa,
		      unsigned size, unsigned acc, uint64_t *val,
		      struct pv_fault *fault)
{
	bool mapped = pv_memmap_find_ram(map, pv_gpa(gpa), size) ||
		      pv_memmap_find_mmio(map, pv_gpa(gpa));
	int err;

	if (acc & PV_ACC_WRITE)
		err = pv_memmap_write(map, pv_gpa(gpa), size, *val);
	else
		err = pv_memmap_read(map, pv_gpa(gpa), size, val);
	if (err == PV_EABORT) {
		external_abort(fault, va, acc, mapped);
		return PV_EFAULT;
	}
	return err;
}

static int access_one(struct pv_vcpu *vcpu, uint32_t va, unsigned size,
		      unsigned acc, uint64_t *val, struct pv_fault *fault)
{
	struct pv_memmap *map = &vcpu->vm->map;
	const struct pv_tlb_ent *e = pv_dtlb_find(vcpu, va, size, acc);
	struct pv_walk w;
	uint8_t *page;
	int err;

	if (e && e->page) {
		ram_access(e->page + (va & 0xfffu), size,
			   (acc & PV_ACC_WRITE) != 0, val);
		return 0;
	}
	if (e) {
		pv_fast_device_read(vcpu, va, acc, e->gpa_page | (va & 0xfffu));
		return access_bus(map, va, e->gpa_page | (va & 0xfffu), size,
				  acc, val, fault);
	}
	err = pv_mmu_translate(vcpu, pv_gva(va), acc, &w, fault);
	if (err)
		return err;
	/*
	 * A guest mapping into the VMM window is refused here as in the
	 * shadow engine: an emulated access must not reach what a native one
	 * cannot. (The data cache never holds window addresses.)
	 */
	if ((vcpu->cp15.sctlr & PV_SCTLR_M) &&
	    va - vcpu->vm->cfg.window_base < vcpu->vm->cfg.window_size)
		return PV_EWINDOW;
	page = pv_memmap_ram_hva(map, pv_gpa(pv_gpa_val(w.pa) & ~0xfffull),
				 0x1000);
	if (page) {
		pv_dtlb_fill(vcpu, va, acc, w.domain, !w.ng, page,
			     pv_gpa_val(w.pa));
		ram_access(page + (va & 0xfffu), size,
			   (acc & PV_ACC_WRITE) != 0, val);
		return 0;
	}
	if (pv_memmap_find_mmio(map, w.pa))
		pv_dtlb_fill(vcpu, va, acc, w.domain, !w.ng, NULL,
			     pv_gpa_val(w.pa));
	pv_fast_device_read(vcpu, va, acc, pv_gpa_val(w.pa));
	return access_bus(map, va, pv_gpa_val(w.pa), size, acc, val, fault);
}

/* Split an access that crosses a page: each part may translate differently. */
static int access(struct pv_vcpu *vcpu, pv_gva_t gva, unsigned size,
		  unsigned acc, uint64_t *val, struct pv_fault *fault)
{
	uint32_t va = pv_gva_val(gva);
	uint64_t part, result = 0;
	int err;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return PV_EINVAL;
	if ((va & 0xfffu) + size <= 0x1000u)
		return access_one(vcpu, va, size, acc, val, fault);
	for (unsigned i = 0; i < size; i++) {
		part = (*val >> (8 * i)) & 0xff;
		err = access_one(vcpu, va + i, 1, acc, &part, fault);
		if (err)
			return err;
		result |= (part & 0xff) << (8 * i);
	}
	if (!(acc & PV_ACC_WRITE))
		*val = result;
	return 0;
}

int pv_guest_read(struct pv_vcpu *vcpu, pv_gva_t va, unsigned size,
		  unsigned acc, uint64_t *val, struct pv_fault *fault)
{
	*val = 0;
	return access(vcpu, va, size, acc & ~(unsigned)PV_ACC_WRITE, val, fault);
}

int pv_guest_write(struct pv_vcpu *vcpu, pv_gva_t va, unsigned size,
		   unsigned acc, uint64_t val, struct pv_fault *fault)
{
	return access(vcpu, va, size, acc | PV_ACC_WRITE, &val, fault);
}
