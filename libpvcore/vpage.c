/* SPDX-License-Identifier: MIT */
/*
 * The pvpatch stub area: the table pvpatch writes and what the guest-kernel
 * view maps in the area. The page's contents at each trap and resume, and
 * leaving a stub, are in vpage_sync.c (above the CPU model in the layers).
 */
#include <pvcore/error.h>
#include <pvcore/patch.h>

#include "vm_state.h"
#include "vpage.h"

#include "pv_internal.h"

_Static_assert(sizeof(struct pv_stub) == 16, "on-disk stub entry");
_Static_assert(sizeof(struct pv_stub_file_hdr) == 32, "on-disk stub header");
_Static_assert(PV_VPAGE_FIELDS_END <= 0x1000u, "fields inside the page");

#define PAGE 0x1000u

static bool stub_ok(const struct pv_stub *s, uint32_t area, uint32_t size)
{
	uint32_t off = s->stub - area;
	uint32_t in_page = off & (PAGE - 1);

	if (off >= size || (off & 3u) || s->kind >= PV_STUB_KIND_COUNT)
		return false;
	if ((off & (PV_STUB_CHUNK - 1)) < PV_STUB_CODE_OFF)
		return false; /* in a page slot */
	if (!s->words || s->words > PV_STUB_MAX_WORDS ||
	    in_page + 4u * s->words > PV_STUB_CODE_LIMIT)
		return false;
	if (s->saved != PV_STUB_NO_REG && s->saved > 14)
		return false;
	/* Exits inside the stub, the first one used. */
	if (s->exit[0] >= s->words)
		return false;
	for (unsigned i = 1; i < 4; i++)
		if (s->exit[i] != PV_STUB_NO_EXIT && s->exit[i] >= s->words)
			return false;
	return true;
}

int pv_stub_table_parse(const void *blob, size_t len, struct pv_stub_table *out)
{
	static const uint8_t zero[4];
	const uint8_t *b = blob;
	const struct pv_stub *st;
	struct pv_stub_file_hdr h;
	uint32_t crc;

	if (!blob || !out || ((uintptr_t)blob & 3u))
		return PV_EINVAL;
	if (len < sizeof(h))
		return PV_ECORRUPT;
	pv_memcpy(&h, b, sizeof(h));
	if (h.magic != PV_STUB_MAGIC || h.version != PV_STUB_VERSION ||
	    h.hdr_size != sizeof(h) || h.entry_size != sizeof(struct pv_stub))
		return PV_ECORRUPT;
	/* 64-bit: a hostile count must not wrap to a small size. */
	if ((uint64_t)sizeof(h) + (uint64_t)h.count * sizeof(struct pv_stub) != len)
		return PV_ECORRUPT;
	if ((h.area_va | h.area_size) & (PV_STUB_CHUNK - 1) || !h.area_size ||
	    (uint64_t)h.area_va + h.area_size > (1ull << 32))
		return PV_ECORRUPT;
	crc = pv_patch_crc32(0, b, offsetof(struct pv_stub_file_hdr, checksum));
	crc = pv_patch_crc32(crc, zero, 4);
	crc = pv_patch_crc32(crc, b + sizeof(h), len - sizeof(h));
	if (crc != h.checksum)
		return PV_ECORRUPT;
	st = (const struct pv_stub *)(const void *)(b + sizeof(h));
	for (uint32_t i = 0; i < h.count; i++) {
		if (!stub_ok(&st[i], h.area_va, h.area_size))
			return PV_ECORRUPT;
		if (i && st[i].stub < st[i - 1].stub + 4u * st[i - 1].words)
			return PV_ECORRUPT;
	}
	out->stubs = st;
	out->count = h.count;
	out->area_va = h.area_va;
	out->area_size = h.area_size;
	out->image_base = h.image_base;
	/* Until told otherwise: the Image at its link address, VA = PA. */
	out->area_gpa = pv_gpa(h.area_va);
	return 0;
}

int pv_stub_table_set_load(struct pv_stub_table *t, pv_gpa_t image_gpa)
{
	uint64_t gpa;

	if (!t)
		return PV_EINVAL;
	gpa = pv_gpa_val(image_gpa) + (uint64_t)(t->area_va - t->image_base);
	if (t->area_va < t->image_base || (gpa & (PAGE - 1)) ||
	    gpa + t->area_size > (1ull << 32))
		return PV_EINVAL;
	t->area_gpa = pv_gpa(gpa);
	return 0;
}

const struct pv_stub *pv_stub_find(const struct pv_stub_table *t, pv_gva_t gva)
{
	uint32_t va = pv_gva_val(gva), lo = 0, hi;

	if (!t || va - t->area_va >= t->area_size)
		return NULL;
	hi = t->count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct pv_stub *s = &t->stubs[mid];

		if (va < s->stub)
			hi = mid;
		else if (va - s->stub >= 4u * s->words)
			lo = mid + 1;
		else
			return s;
	}
	return NULL;
}

/* ---- inside the VM ------------------------------------------------------ */


int pv_vpage_check_config(const struct pv_vm *vm)
{
	const struct pv_vm_config *c = &vm->cfg;
	const struct pv_stub_table *t = c->stubs;
	uint64_t hpa = pv_hpa_val(c->vcpu_pages.hpa);
	uint64_t len = (uint64_t)c->num_vcpus * PAGE;

	if (!t)
		return 0;
	/*
	 * The shadow roots are shared by the vCPUs of an address space, so
	 * one page slot cannot yet map a different page per vCPU (SMP work).
	 */
	if (c->num_vcpus != 1)
		return PV_EINVAL;
	if ((hpa | pv_hva_val(c->vcpu_pages.hva)) & (PAGE - 1) ||
	    !pv_hva_val(c->vcpu_pages.hva) || c->vcpu_pages.size < len ||
	    hpa + len > (1ull << 32))
		return PV_EINVAL;
	/* Whole MiBs: the shadow L1 entries there are the area's alone. */
	if ((t->area_va | t->area_size | pv_gpa_val(t->area_gpa)) & 0xfffffu ||
	    pv_ranges_overlap(t->area_va, t->area_size, c->window_base, c->window_size) ||
	    !pv_memmap_find_ram(&vm->map, t->area_gpa, t->area_size))
		return PV_EINVAL;
	for (unsigned i = 0; i < c->ram_count; i++)
		if (pv_ranges_overlap(hpa, len, pv_hpa_val(c->ram[i].hpa), c->ram[i].size))
			return PV_EEXIST;
	if (pv_ranges_overlap(hpa, len, pv_hpa_val(c->shadow_pool.hpa), c->shadow_pool.size))
		return PV_EEXIST;
	return 0;
}

uint32_t *pv_vpage_of(const struct pv_vcpu *vcpu)
{
	const struct pv_vm_config *c = &vcpu->vm->cfg;

	if (!c->stubs)
		return NULL;
	return (uint32_t *)pv_hva_ptr(c->vcpu_pages.hva) + vcpu->id * (PAGE / 4);
}

uint32_t pv_vpage_area_base(const struct pv_vcpu *vcpu)
{
	const struct pv_stub_table *t = vcpu->vm->cfg.stubs;

	/*
	 * With the MMU off the kernel runs at its physical addresses, and a
	 * branch to a stub lands in the area's physical copy: the flat view
	 * maps that the same way (head.S and the resume paths have sites).
	 */
	return (vcpu->cp15.sctlr & PV_SCTLR_M) ? t->area_va :
						 (uint32_t)pv_gpa_val(t->area_gpa);
}

enum pv_vpage_map pv_vpage_lookup(const struct pv_vcpu *vcpu, uint32_t va,
				  unsigned acc, uint64_t *hpa, uint64_t *gpa)
{
	const struct pv_vm_config *c = &vcpu->vm->cfg;
	const struct pv_stub_table *t = c->stubs;
	const struct pv_ram_region *r;
	uint32_t off;

	/* The guest-kernel view only: user code faults as on kernel pages
	 * (tested first: every user abort asks). */
	if (!t || (acc & PV_ACC_USER) || !pv_vcpu_is_privileged(vcpu))
		return PV_VPAGE_MAP_NONE;
	off = va - pv_vpage_area_base(vcpu);
	if (off >= t->area_size)
		return PV_VPAGE_MAP_NONE;
	off &= ~(PAGE - 1);
	if ((off & (PV_STUB_CHUNK - 1)) < PV_STUB_CODE_OFF) {
		*hpa = pv_hpa_val(c->vcpu_pages.hpa) + (uint64_t)vcpu->id * PAGE;
		*gpa = 0;
		return PV_VPAGE_MAP_PAGE;
	}
	*gpa = pv_gpa_val(t->area_gpa) + off;
	r = pv_memmap_find_ram(&vcpu->vm->map, pv_gpa(*gpa), PAGE);
	if (!r)
		return PV_VPAGE_MAP_NONE; /* checked at init; cannot happen */
	*hpa = pv_hpa_val(r->hpa) + (*gpa - pv_gpa_val(r->gpa));
	return PV_VPAGE_MAP_CODE;
}

bool pv_vpage_translate(const struct pv_vcpu *vcpu, uint32_t va, unsigned acc,
			struct pv_walk *out)
{
	uint64_t hpa, gpa;

	/* The emulator fetches stub code (a stub's trap word); nothing else. */
	if ((acc & (PV_ACC_WRITE | PV_ACC_EXEC)) != PV_ACC_EXEC ||
	    pv_vpage_lookup(vcpu, va, acc, &hpa, &gpa) != PV_VPAGE_MAP_CODE)
		return false;
	PV_ZERO_STRUCT(out);
	out->pa = pv_gpa(gpa | (va & (PAGE - 1)));
	out->page_size = PAGE;
	out->memtype = PV_MT_NORMAL;
	out->inner = out->outer = 3; /* write-back, write-allocate */
	out->pl1_read = true;
	out->domain = 0;
	return true;
}
