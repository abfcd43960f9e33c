/* SPDX-License-Identifier: MIT */
/**
 * DOC: pvcore address types
 *
 * Three address spaces meet in a VMM and confusing them is the classic
 * isolation bug, so each has its own struct type (as in Hafnium). The
 * compiler rejects passing a guest-virtual address where a guest-physical
 * one is expected. Unwrap with the _val() helpers only at the boundary where
 * the number is really used.
 */
#ifndef PVCORE_TYPES_H
#define PVCORE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** struct pv_gva - guest-virtual address (what the guest's MMU translates). */
typedef struct { uint32_t va; } pv_gva_t;
/** struct pv_gpa - guest-physical address; 40 bits for supersections. */
typedef struct { uint64_t pa; } pv_gpa_t;
/** struct pv_hva - host-virtual address: a pointer the VMM itself can use. */
typedef struct { uintptr_t va; } pv_hva_t;
/** struct pv_hpa - host-physical address, as it goes into shadow descriptors. */
typedef struct { uint64_t pa; } pv_hpa_t;

static inline pv_gva_t pv_gva(uint32_t v) { pv_gva_t a = { v }; return a; }
static inline pv_gpa_t pv_gpa(uint64_t v) { pv_gpa_t a = { v }; return a; }
static inline pv_hva_t pv_hva(uintptr_t v) { pv_hva_t a = { v }; return a; }
static inline pv_hpa_t pv_hpa(uint64_t v) { pv_hpa_t a = { v }; return a; }

static inline uint32_t pv_gva_val(pv_gva_t a) { return a.va; }
static inline uint64_t pv_gpa_val(pv_gpa_t a) { return a.pa; }
static inline uintptr_t pv_hva_val(pv_hva_t a) { return a.va; }
static inline uint64_t pv_hpa_val(pv_hpa_t a) { return a.pa; }

static inline void *pv_hva_ptr(pv_hva_t a) { return (void *)a.va; }
static inline pv_hva_t pv_hva_from_ptr(const void *p)
{
	return pv_hva((uintptr_t)p);
}

#define PV_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifdef __cplusplus
}
#endif

#endif /* PVCORE_TYPES_H */
