/* SPDX-License-Identifier: MIT */
/* STUB (issue 4 replaces): the virtual CP15 table. */
#include <pvcore/cp15.h>
#include <pvcore/error.h>

int pv_cp_read(struct pv_vcpu *vcpu, const struct pv_cp_access *acc, uint32_t val[2]) { (void)vcpu; (void)acc; val[0] = PV_A9_MIDR; return 0; }
int pv_cp_write(struct pv_vcpu *vcpu, const struct pv_cp_access *acc, const uint32_t val[2]) { (void)vcpu; (void)acc; (void)val; return PV_EUNDEF; }
int pv_cp15_check_table(void) { return 0; }
