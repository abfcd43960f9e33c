/* SPDX-License-Identifier: MIT */
/* STUB (issue 3 replaces): T16/T32 decoder. */
#include <pvcore/decode.h>
#include <pvcore/error.h>

int pv_decode_thumb(uint16_t hw1, uint16_t hw2, struct pv_insn *out) { (void)hw2; out->raw = hw1; out->len = 2; out->cls = PV_IC_NONE; return PV_ENOTOURS; }
