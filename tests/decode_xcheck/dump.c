/* SPDX-License-Identifier: MIT */
/*
 * Host helper for the objdump cross-check (xcheck.py): reads encodings,
 * one per line ("A xxxxxxxx" for A32, "T hhhh" for T16, "T hhhh hhhh" for
 * T32), and prints the library's decode of each as one line of
 * space-separated fields (see FIELDS in xcheck.py).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvcore/decode.h>
#include <pvcore/error.h>

int main(void)
{
	char line[128];

	while (fgets(line, sizeof(line), stdin)) {
		struct pv_insn i;
		unsigned long a = 0, b = 0;
		int rc, n;
		char isa;

		n = sscanf(line, "%c %lx %lx", &isa, &a, &b);
		if (n < 2)
			continue;
		if (isa == 'A')
			rc = pv_decode_arm((uint32_t)a, &i);
		else
			rc = pv_decode_thumb((uint16_t)a, (uint16_t)b, &i);
		printf("%s %d %u %u %u %u %u %u %u %u %u %u %u %u %u %u %u %u %u %u %u %u %lu\n",
		       pv_insn_class_name((enum pv_insn_class)i.cls), rc, i.len,
		       i.cond, i.rd, i.rn, i.rt, i.rt2, i.rm, i.rs, i.op,
		       i.size, i.shift_type, i.shift_imm, i.coproc, i.opc1,
		       i.crn, i.crm, i.opc2, i.mode, (unsigned)i.flags,
		       (unsigned)i.reglist, (unsigned long)i.imm);
	}
	return 0;
}
