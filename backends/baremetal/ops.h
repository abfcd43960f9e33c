/* SPDX-License-Identifier: MIT */
/* pvbm's backend operations table (ops.c) and what it needs from vmm.c. */
#ifndef PVBM_OPS_H
#define PVBM_OPS_H

#include <pvcore/backend.h>
#include <pvcore/error.h>

extern const struct pv_backend_ops pvbm_ops;

/* vmm.c: remember which host lines belong to the VM. */
void pvbm_route_set(unsigned irq, bool routed);

#endif /* PVBM_OPS_H */
