/* SPDX-License-Identifier: MIT */
/* STUB (issue 4 replaces): modes, banking, exception entry. */
#include <pvcore/error.h>
#include <pvcore/vm.h>

#include "pv_internal.h"

enum pv_bank pv_mode_bank(uint32_t mode) { (void)mode; return PV_BANK_USR; }
bool pv_mode_is_valid(uint32_t mode) { return mode == PV_MODE_USR; }
void pv_vcpu_reset(struct pv_vcpu *vcpu) { vcpu->cpsr = PV_MODE_SVC | PV_PSR_A | PV_PSR_I | PV_PSR_F; }
void pv_vcpu_set_mode(struct pv_vcpu *vcpu, uint32_t mode) { (void)vcpu; (void)mode; }
uint32_t pv_vcpu_get_reg_mode(const struct pv_vcpu *vcpu, uint32_t mode, unsigned n) { (void)mode; return vcpu->r[n & 15]; }
void pv_vcpu_set_reg_mode(struct pv_vcpu *vcpu, uint32_t mode, unsigned n, uint32_t value) { (void)mode; vcpu->r[n & 15] = value; }
uint32_t *pv_vcpu_spsr(struct pv_vcpu *vcpu) { (void)vcpu; return NULL; }
void pv_vcpu_write_cpsr(struct pv_vcpu *vcpu, uint32_t value) { vcpu->cpsr = value; }
void pv_vcpu_take_exception(struct pv_vcpu *vcpu, enum pv_exception exc, uint32_t ra) { (void)vcpu; (void)exc; (void)ra; }
void pv_vcpu_inject_abort(struct pv_vcpu *vcpu, bool p, uint32_t fsr, uint32_t far, uint32_t a) { (void)vcpu; (void)p; (void)fsr; (void)far; (void)a; }
void pv_vcpu_resume_state(struct pv_vcpu *vcpu, struct pv_resume *out) { pv_memset(out, 0, sizeof(*out)); out->host_cpsr = PV_MODE_USR | (vcpu->cpsr & PV_PSR_USER_MASK); }
