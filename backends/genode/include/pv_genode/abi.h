/* SPDX-License-Identifier: MIT */
/*
 * What the pv_genode ABI headers share: their layout assertions hold in
 * the kernel's C++ and in the VMM's C alike.
 */
#ifndef PV_GENODE_ABI_H
#define PV_GENODE_ABI_H

#ifdef __cplusplus
#define PV_GENODE_ASSERT(cond, what) static_assert(cond, what)
#else
#define PV_GENODE_ASSERT(cond, what) _Static_assert(cond, what)
#endif

#endif /* PV_GENODE_ABI_H */
