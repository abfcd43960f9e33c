/* SPDX-License-Identifier: MIT */
/* STUB (issue 3 replaces): A32 decoder. */
#include <pvcore/decode.h>
#include <pvcore/error.h>

int pv_decode_arm(uint32_t word, struct pv_insn *out) { out->raw = word; out->len = 4; out->cls = PV_IC_NONE; return PV_ENOTOURS; }
bool pv_insn_class_sensitive(enum pv_insn_class cls) { (void)cls; return false; }
const char *pv_insn_class_name(enum pv_insn_class cls) { (void)cls; return "?"; }
