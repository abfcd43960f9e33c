/* SPDX-License-Identifier: MIT */
/* STUB (issue 3 replaces): the emulator. */
#include <pvcore/emulate.h>

void pv_emulate(struct pv_vcpu *vcpu, const struct pv_insn *insn, struct pv_exit *exit) { (void)vcpu; (void)insn; exit->action = PV_ACTION_RESUME; }
