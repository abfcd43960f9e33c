/* SPDX-License-Identifier: MIT */
/*
 * Decoder unit tests (suite 'decode'): hand-assembled encodings of every
 * class in A32, T16 and T32, with the operands the Arm ARM gives them, the
 * UNPREDICTABLE choices documented in docs/decode.md, and totality over
 * random words. The independent oracle for large sets is the objdump
 * cross-check in tests/decode_xcheck/.
 */
#include <check.h>
#include <stdlib.h>

#include <pvcore/decode.h>
#include <pvcore/error.h>

struct dcase {
	char isa;            /* 'A', 't' (T16) or 'T' (T32) */
	uint32_t w;          /* A32 word, T16 halfword or hw1 << 16 | hw2 */
	int rc;
	enum pv_insn_class cls;
};

static int dec(const struct dcase *c, struct pv_insn *i)
{
	if (c->isa == 'A')
		return pv_decode_arm(c->w, i);
	if (c->isa == 't')
		return pv_decode_thumb((uint16_t)c->w, 0, i);
	return pv_decode_thumb((uint16_t)(c->w >> 16), (uint16_t)c->w, i);
}

static const struct dcase classes[] = {
	{ 'A', 0xee100f10, 0, PV_IC_CP_MOVE },   /* mrc p15,0,r0,c0,c0,0 */
	{ 'A', 0xec510f0e, 0, PV_IC_CP_MOVE },   /* mrrc p15,0,r0,r1,c14 */
	{ 'A', 0xee010e10, 0, PV_IC_CP_MOVE },   /* mcr p14 */
	{ 'A', 0xfe100f10, PV_EUNDEF, PV_IC_UNDEF }, /* mrc2 */
	{ 'A', 0xee000f10 | (15u << 12), PV_EUNDEF, PV_IC_UNDEF }, /* mcr from pc */
	{ 'A', 0xee101b10, PV_ENOTOURS, PV_IC_NONE }, /* vmov r1, d0[0]: cp11 */
	{ 'A', 0xeef81a10, 0, PV_IC_VFP_SYS },   /* vmrs r1, fpexc */
	{ 'A', 0xeee81a10, 0, PV_IC_VFP_SYS },   /* vmsr fpexc, r1 */
	{ 'A', 0xeef1fa10, 0, PV_IC_VFP_SYS },   /* vmrs APSR_nzcv, fpscr */
	{ 'A', 0xee300a00, PV_ENOTOURS, PV_IC_NONE }, /* vadd.f32 */
	{ 'A', 0xee000d10, PV_EUNDEF, PV_IC_UNDEF }, /* mcr p13: no such coprocessor */
	{ 'A', 0xf10c0080, 0, PV_IC_CPS },       /* cpsid i */
	{ 'A', 0xf1020013, 0, PV_IC_CPS },       /* cps #19 */
	{ 'A', 0xe10f0000, 0, PV_IC_MRS },
	{ 'A', 0xe14f1000, 0, PV_IC_MRS },       /* mrs r1, spsr */
	{ 'A', 0xe1010200, PV_EUNDEF, PV_IC_UNDEF }, /* mrs r0, r9_usr (banked) */
	{ 'A', 0xe10ff000, PV_EUNDEF, PV_IC_UNDEF }, /* mrs pc, cpsr */
	{ 'A', 0xe12ff001, 0, PV_IC_MSR },
	{ 'A', 0xe328f00f, 0, PV_IC_MSR },       /* msr cpsr_f, #15 */
	{ 'A', 0xe16ff001, 0, PV_IC_MSR },       /* msr spsr_fsxc, r1 */
	{ 'A', 0xe121f200, PV_EUNDEF, PV_IC_UNDEF }, /* msr banked */
	{ 'A', 0xf96d0513, 0, PV_IC_SRS },
	{ 'A', 0xf8bd0a00, 0, PV_IC_RFE },
	{ 'A', 0xf81f0a00, PV_EUNDEF, PV_IC_UNDEF }, /* rfe pc */
	{ 'A', 0xe8fd8003, 0, PV_IC_LDM_ERET },
	{ 'A', 0xe8d06000, 0, PV_IC_LDM_USER },  /* ldm r0, {sp, lr}^ */
	{ 'A', 0xe8f06000, PV_EUNDEF, PV_IC_UNDEF }, /* ... with write-back */
	{ 'A', 0xe8c06000, 0, PV_IC_STM_USER },
	{ 'A', 0xe1b0f00e, 0, PV_IC_DP_ERET },   /* movs pc, lr */
	{ 'A', 0xe25ef004, 0, PV_IC_DP_ERET },   /* subs pc, lr, #4 */
	{ 'A', 0xe0bef102, 0, PV_IC_DP_ERET },   /* adcs pc, lr, r2, lsl #2 */
	{ 'A', 0xe1b0f210, 0, PV_IC_DP_ERET },   /* movs pc, r0, lsl r2 */
	{ 'A', 0xe1b1f00e, PV_EUNDEF, PV_IC_UNDEF }, /* movs with Rn != 0 */
	{ 'A', 0xe15ef004, PV_ENOTOURS, PV_IC_NONE }, /* cmp lr, #4 with Rd=pc */
	{ 'A', 0xe08ef002, PV_ENOTOURS, PV_IC_NONE }, /* add pc, lr, r2 (no S) */
	{ 'A', 0xe4b10004, 0, PV_IC_LDRT_STRT },
	{ 'A', 0xe6a10002, 0, PV_IC_LDRT_STRT }, /* strt r0, [r1], r2 */
	{ 'A', 0xe4f10001, 0, PV_IC_LDRT_STRT }, /* ldrbt */
	{ 'A', 0xe0f100b2, 0, PV_IC_LDRT_STRT }, /* ldrht */
	{ 'A', 0xe0f100d1, 0, PV_IC_LDRT_STRT }, /* ldrsbt */
	{ 'A', 0xe0f100f2, 0, PV_IC_LDRT_STRT }, /* ldrsht */
	{ 'A', 0xe0e100b2, 0, PV_IC_LDRT_STRT }, /* strht */
	{ 'A', 0xe320f003, 0, PV_IC_WFI },
	{ 'A', 0xe320f002, 0, PV_IC_WFE },
	{ 'A', 0xe320f004, 0, PV_IC_SEV },
	{ 'A', 0xe320f001, 0, PV_IC_YIELD },
	{ 'A', 0xe320f000, PV_ENOTOURS, PV_IC_NONE }, /* nop */
	{ 'A', 0xef123456, 0, PV_IC_SVC },
	{ 'A', 0xe1200070, 0, PV_IC_BKPT },
	{ 'A', 0x01200070, PV_EUNDEF, PV_IC_UNDEF }, /* conditional bkpt */
	{ 'A', 0xe7f000f0, 0, PV_IC_UDF },
	{ 'A', 0xe1600070, 0, PV_IC_SMC },
	{ 'A', 0xe1400070, 0, PV_IC_HVC },
	{ 'A', 0xe160006e, PV_EUNDEF, PV_IC_UNDEF }, /* eret (ARMv7VE) */
	{ 'A', 0xe5910004, 0, PV_IC_LOAD },
	{ 'A', 0xe5810004, 0, PV_IC_STORE },
	{ 'A', 0xe1c100f8, 0, PV_IC_STORE },     /* strd r0, [r1, #8] */
	{ 'A', 0xe1c100d8, 0, PV_IC_LOAD },      /* ldrd */
	{ 'A', 0xe5bf1004, PV_EUNDEF, PV_IC_UNDEF }, /* ldr r1, [pc, #4]! */
	{ 'A', 0xe5b11004, PV_EUNDEF, PV_IC_UNDEF }, /* ldr r1, [r1, #4]! */
	{ 'A', 0xe5d1f000, PV_EUNDEF, PV_IC_UNDEF }, /* ldrb pc */
	{ 'A', 0xe1c110d8, PV_EUNDEF, PV_IC_UNDEF }, /* ldrd r1 (odd) */
	{ 'A', 0xe8bd8010, 0, PV_IC_LDM },        /* pop {r4, pc} */
	{ 'A', 0xe92d4010, 0, PV_IC_STM },        /* push {r4, lr} */
	{ 'A', 0xe8bd0000, PV_EUNDEF, PV_IC_UNDEF }, /* empty list */
	{ 'A', 0xe1932f9f, 0, PV_IC_LDREX },
	{ 'A', 0xe1b32f9f, 0, PV_IC_LDREX },      /* ldrexd r2, r3 */
	{ 'A', 0xe1d32f9f, 0, PV_IC_LDREX },      /* ldrexb */
	{ 'A', 0xe1832f91, 0, PV_IC_STREX },
	{ 'A', 0xe1832f92, PV_EUNDEF, PV_IC_UNDEF }, /* strex rd == rt */
	{ 'A', 0xe0810002, PV_ENOTOURS, PV_IC_NONE }, /* add */
	{ 'A', 0xe1020091, PV_ENOTOURS, PV_IC_NONE }, /* swp (not emulated) */
	{ 'A', 0xea000000, PV_ENOTOURS, PV_IC_NONE }, /* b */
	{ 't', 0xb672, 0, PV_IC_CPS },            /* cpsid i */
	{ 't', 0xbf30, 0, PV_IC_WFI },
	{ 't', 0xbf20, 0, PV_IC_WFE },
	{ 't', 0xbf40, 0, PV_IC_SEV },
	{ 't', 0xbf10, 0, PV_IC_YIELD },
	{ 't', 0xbf08, PV_ENOTOURS, PV_IC_NONE }, /* it eq */
	{ 't', 0xdf01, 0, PV_IC_SVC },
	{ 't', 0xde00, 0, PV_IC_UDF },
	{ 't', 0xbe01, 0, PV_IC_BKPT },
	{ 't', 0x4801, 0, PV_IC_LOAD },
	{ 't', 0x5c8a, 0, PV_IC_LOAD },
	{ 't', 0x5088, 0, PV_IC_STORE },
	{ 't', 0x6848, 0, PV_IC_LOAD },
	{ 't', 0x8048, 0, PV_IC_STORE },           /* strh r0, [r1, #2] */
	{ 't', 0x9801, 0, PV_IC_LOAD },
	{ 't', 0xb510, 0, PV_IC_STM },
	{ 't', 0xbd10, 0, PV_IC_LDM },
	{ 't', 0xc906, 0, PV_IC_LDM },
	{ 't', 0xc000, PV_EUNDEF, PV_IC_UNDEF },   /* stmia r0!, {} */
	{ 't', 0x1888, PV_ENOTOURS, PV_IC_NONE },  /* adds */
	{ 'T', 0xf3ef8000, 0, PV_IC_MRS },
	{ 'T', 0xf3ff8100, 0, PV_IC_MRS },         /* mrs r1, spsr */
	{ 'T', 0xf3ef8d00, PV_EUNDEF, PV_IC_UNDEF }, /* mrs sp */
	{ 'T', 0xf3e18020, PV_EUNDEF, PV_IC_UNDEF }, /* banked */
	{ 'T', 0xf3808c00, 0, PV_IC_MSR },
	{ 'T', 0xf3af8003, 0, PV_IC_WFI },
	{ 'T', 0xf3af8002, 0, PV_IC_WFE },
	{ 'T', 0xf3af8000, PV_ENOTOURS, PV_IC_NONE }, /* nop.w */
	{ 'T', 0xf3af8660, 0, PV_IC_CPS },         /* cpsid if */
	{ 'T', 0xf3de8f04, 0, PV_IC_DP_ERET },
	{ 'T', 0xf7e08001, 0, PV_IC_HVC },
	{ 'T', 0xf7f08000, 0, PV_IC_SMC },
	{ 'T', 0xf7f0a000, 0, PV_IC_UDF },
	{ 'T', 0xe80dc013, 0, PV_IC_SRS },
	{ 'T', 0xe990c000, 0, PV_IC_RFE },
	{ 'T', 0xe8532f01, 0, PV_IC_LDREX },
	{ 'T', 0xe8431200, 0, PV_IC_STREX },
	{ 'T', 0xe8d32f4f, 0, PV_IC_LDREX },
	{ 'T', 0xe8d0f001, PV_ENOTOURS, PV_IC_NONE }, /* tbb */
	{ 'T', 0xe9d12302, 0, PV_IC_LOAD },        /* ldrd r2, r3, [r1, #8] */
	{ 'T', 0xf8512b04, 0, PV_IC_LOAD },
	{ 'T', 0xf8512e04, 0, PV_IC_LDRT_STRT },
	{ 'T', 0xf8412e04, 0, PV_IC_LDRT_STRT },   /* strt */
	{ 'T', 0xf8d12004, 0, PV_IC_LOAD },
	{ 'T', 0xf8412022, 0, PV_IC_STORE },
	{ 'T', 0xf85f2004, 0, PV_IC_LOAD },
	{ 'T', 0xf891f000, PV_ENOTOURS, PV_IC_NONE }, /* pld */
	{ 'T', 0xe8bd8010, 0, PV_IC_LDM },
	{ 'T', 0xe92d4010, 0, PV_IC_STM },
	{ 'T', 0xee100f10, 0, PV_IC_CP_MOVE },
	{ 'T', 0xeef81a10, 0, PV_IC_VFP_SYS },
	{ 'T', 0xf9200a0f, PV_ENOTOURS, PV_IC_NONE }, /* vst1 */
	{ 'T', 0xeb010002, PV_ENOTOURS, PV_IC_NONE }, /* add.w */
};

START_TEST(every_class_decodes)
{
	const struct dcase *c = &classes[_i];
	struct pv_insn i;
	int rc = dec(c, &i);

	ck_assert_msg(rc == c->rc && i.cls == c->cls,
		      "%c %08x: rc %d cls %s, want rc %d cls %s", c->isa, c->w,
		      rc, pv_insn_class_name(i.cls), c->rc,
		      pv_insn_class_name(c->cls));
	ck_assert_uint_eq(i.len, c->isa == 't' ? 2 : 4);
	ck_assert_uint_eq(i.isa, c->isa == 'A' ? PV_ISA_ARM : PV_ISA_THUMB);
}
END_TEST

START_TEST(cp_move_fields)
{
	struct pv_insn i;

	/* mrc p15, 0, r3, c1, c0, 2 (CPACR), condition NE */
	ck_assert_int_eq(pv_decode_arm(0x1e113f50, &i), 0);
	ck_assert_uint_eq(i.cond, 1);
	ck_assert_uint_eq(i.coproc, 15);
	ck_assert_uint_eq(i.opc1, 0);
	ck_assert_uint_eq(i.crn, 1);
	ck_assert_uint_eq(i.crm, 0);
	ck_assert_uint_eq(i.opc2, 2);
	ck_assert_uint_eq(i.rt, 3);
	ck_assert(i.flags & PV_IF_LOAD);
	/* mcrr p15, 1, r4, r5, c2 (TTBR1 64-bit write) */
	ck_assert_int_eq(pv_decode_arm(0xec454f12, &i), 0);
	ck_assert_uint_eq(i.opc1, 1);
	ck_assert_uint_eq(i.crm, 2);
	ck_assert_uint_eq(i.rt, 4);
	ck_assert_uint_eq(i.rt2, 5);
	ck_assert(i.flags & PV_IF_PAIR);
	ck_assert(!(i.flags & PV_IF_LOAD));
	/* The same in T32: mcr p15, 0, r2, c13, c0, 4 */
	ck_assert_int_eq(pv_decode_thumb(0xee0d, 0x2f90, &i), 0);
	ck_assert_uint_eq(i.cls, PV_IC_CP_MOVE);
	ck_assert_uint_eq(i.crn, 13);
	ck_assert_uint_eq(i.opc2, 4);
	ck_assert_uint_eq(i.rt, 2);
	ck_assert_uint_eq(i.cond, 14);
}
END_TEST

START_TEST(load_store_fields)
{
	struct pv_insn i;

	/* ldrh r1, [r2, #-0x34]! */
	ck_assert_int_eq(pv_decode_arm(0xe17213b4, &i), 0);
	ck_assert_uint_eq(i.cls, PV_IC_LOAD);
	ck_assert_uint_eq(i.size, 2);
	ck_assert_uint_eq(i.rt, 1);
	ck_assert_uint_eq(i.rn, 2);
	ck_assert_uint_eq(i.imm, 0x34);
	ck_assert_uint_eq(i.flags & (PV_IF_INDEX | PV_IF_ADD | PV_IF_WBACK |
				     PV_IF_SIGNED | PV_IF_REG),
			  PV_IF_INDEX | PV_IF_WBACK);
	/* str r0, [r1], -r2, lsr #3 : post-indexed register */
	ck_assert_int_eq(pv_decode_arm(0xe60101a2, &i), 0);
	ck_assert_uint_eq(i.cls, PV_IC_STORE);
	ck_assert_uint_eq(i.flags & (PV_IF_INDEX | PV_IF_ADD | PV_IF_WBACK |
				     PV_IF_REG | PV_IF_LOAD),
			  PV_IF_WBACK | PV_IF_REG);
	ck_assert_uint_eq(i.rm, 2);
	ck_assert_uint_eq(i.shift_type, PV_SHIFT_LSR);
	ck_assert_uint_eq(i.shift_imm, 3);
	/* ldrsb r0, [r1, r2] in T16 */
	ck_assert_int_eq(pv_decode_thumb(0x5688, 0, &i), 0);
	ck_assert_uint_eq(i.size, 1);
	ck_assert(i.flags & PV_IF_SIGNED);
	ck_assert_uint_eq(i.rm, 2);
	ck_assert_uint_eq(i.rn, 1);
	ck_assert_uint_eq(i.rt, 0);
	/* ldr r2, [pc, #-4] in T32: literal */
	ck_assert_int_eq(pv_decode_thumb(0xf85f, 0x2004, &i), 0);
	ck_assert_uint_eq(i.rn, 15);
	ck_assert_uint_eq(i.imm, 4);
	ck_assert(!(i.flags & PV_IF_ADD));
	/* ldrd r2, r3, [r1, #8] (T32) */
	ck_assert_int_eq(pv_decode_thumb(0xe9d1, 0x2302, &i), 0);
	ck_assert_uint_eq(i.size, 8);
	ck_assert_uint_eq(i.rt2, 3);
	ck_assert_uint_eq(i.imm, 8);
	/* ldm / push fields */
	ck_assert_int_eq(pv_decode_arm(0xe92d4010, &i), 0);
	ck_assert_uint_eq(i.rn, 13);
	ck_assert_uint_eq(i.reglist, 0x4010);
	ck_assert_uint_eq(i.flags & (PV_IF_INDEX | PV_IF_ADD | PV_IF_WBACK),
			  PV_IF_INDEX | PV_IF_WBACK);
	/* T16 ldmia r1, {r1, r2}: base in the list, so no write-back */
	ck_assert_int_eq(pv_decode_thumb(0xc906, 0, &i), 0);
	ck_assert(!(i.flags & PV_IF_WBACK));
	ck_assert_int_eq(pv_decode_thumb(0xc90c, 0, &i), 0);
	ck_assert(i.flags & PV_IF_WBACK);
}
END_TEST

START_TEST(psr_fields)
{
	struct pv_insn i;

	/* msr spsr_fc, #0xd3 ... here: msr cpsr_c, #0xd3 */
	ck_assert_int_eq(pv_decode_arm(0xe321f0d3, &i), 0);
	ck_assert_uint_eq(i.op, 1);
	ck_assert_uint_eq(i.imm, 0xd3);
	ck_assert(!(i.flags & PV_IF_SPSR));
	/* msr cpsr_f, #0xf0000000 (imm8 0x0f rotated by 8) */
	ck_assert_int_eq(pv_decode_arm(0xe328f40f, &i), 0);
	ck_assert_uint_eq(i.imm, 0x0f000000);
	/* cpsid aif, #0x13 */
	ck_assert_int_eq(pv_decode_arm(0xf10e01d3, &i), 0);
	ck_assert_uint_eq(i.op, 3);
	ck_assert_uint_eq(i.imm, 0x1c0);
	ck_assert_uint_eq(i.opc1, 1);
	ck_assert_uint_eq(i.mode, 0x13);
	/* T32 msr spsr_fsxc, r3 */
	ck_assert_int_eq(pv_decode_thumb(0xf393, 0x8f00, &i), 0);
	ck_assert(i.flags & PV_IF_SPSR);
	ck_assert_uint_eq(i.op, 0xf);
	ck_assert_uint_eq(i.rm, 3);
	/* srsdb sp!, #19 */
	ck_assert_int_eq(pv_decode_arm(0xf96d0513, &i), 0);
	ck_assert_uint_eq(i.mode, 19);
	ck_assert_uint_eq(i.flags & (PV_IF_INDEX | PV_IF_ADD | PV_IF_WBACK),
			  PV_IF_INDEX | PV_IF_WBACK);
	/* subs pc, lr, #4 (T32) */
	ck_assert_int_eq(pv_decode_thumb(0xf3de, 0x8f04, &i), 0);
	ck_assert_uint_eq(i.op, 2);
	ck_assert_uint_eq(i.rn, 14);
	ck_assert_uint_eq(i.imm, 4);
	/* svc, hvc immediates */
	ck_assert_int_eq(pv_decode_arm(0xef123456, &i), 0);
	ck_assert_uint_eq(i.imm, 0x123456);
	ck_assert_int_eq(pv_decode_arm(0xe14abc7d, &i), 0);
	ck_assert_uint_eq(i.imm, 0xabcd);
	ck_assert_int_eq(pv_decode_thumb(0xf7e5, 0x8123, &i), 0);
	ck_assert_uint_eq(i.imm, 0x5123);
}
END_TEST

/*
 * Decoding is total and self-consistent for any input. Plain checks in the
 * loop (libcheck asserts are slow per call); the first bad word is reported.
 */
static const char *total_check(int rc, const struct pv_insn *i)
{
	if (rc != 0 && rc != PV_EUNDEF && rc != PV_ENOTOURS)
		return "bad return code";
	if (i->cls >= PV_IC_COUNT)
		return "class out of range";
	if (rc == PV_EUNDEF && i->cls != PV_IC_UNDEF)
		return "EUNDEF without class undef";
	if (rc == PV_ENOTOURS && i->cls != PV_IC_NONE)
		return "ENOTOURS without class none";
	if (rc == 0 && (i->cls == PV_IC_NONE || i->cls == PV_IC_UNDEF))
		return "success with class none/undef";
	if (i->len != 2 && i->len != 4)
		return "bad length";
	if (i->cond > 14)
		return "bad condition";
	if (i->rd > 15 || i->rn > 15 || i->rt > 15 || i->rt2 > 15 ||
	    i->rm > 15 || i->rs > 15)
		return "register out of range";
	if (rc == 0 && (i->cls == PV_IC_LOAD || i->cls == PV_IC_STORE ||
			i->cls == PV_IC_LDRT_STRT || i->cls == PV_IC_LDREX ||
			i->cls == PV_IC_STREX) &&
	    i->size != 1 && i->size != 2 && i->size != 4 && i->size != 8)
		return "bad access size";
	if (rc == 0 && (i->cls == PV_IC_LDM || i->cls == PV_IC_STM ||
			i->cls == PV_IC_LDM_USER || i->cls == PV_IC_STM_USER ||
			i->cls == PV_IC_LDM_ERET) && i->reglist == 0)
		return "empty register list";
	return NULL;
}

START_TEST(decode_is_total)
{
	uint32_t x = 0x12345678u;

	for (unsigned n = 0; n < 1000000; n++) {
		struct pv_insn i;
		const char *why;
		int rc;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		rc = (n & 1) ? pv_decode_arm(x, &i) :
			       pv_decode_thumb((uint16_t)(x >> 16), (uint16_t)x, &i);
		why = total_check(rc, &i);
		if (why)
			ck_abort_msg("%s %08x: %s", (n & 1) ? "A32" : "Thumb", x,
				     why);
	}
	/* Every T16 halfword (the T32 prefixes take hw2 = 0). */
	for (uint32_t h = 0; h < 0x10000; h++) {
		struct pv_insn i;
		int rc = pv_decode_thumb((uint16_t)h, 0, &i);
		const char *why = total_check(rc, &i);

		if (why)
			ck_abort_msg("T %04x: %s", h, why);
		if (i.len != (h >= 0xe800 ? 4 : 2))
			ck_abort_msg("T %04x: length %u", h, i.len);
	}
}
END_TEST

START_TEST(class_names_and_sensitivity)
{
	static const enum pv_insn_class sensitive[] = {
		PV_IC_CPS, PV_IC_MRS, PV_IC_MSR, PV_IC_SRS, PV_IC_RFE,
		PV_IC_LDM_USER, PV_IC_LDM_ERET, PV_IC_STM_USER,
		PV_IC_DP_ERET, PV_IC_LDRT_STRT, PV_IC_WFI, PV_IC_WFE,
	};
	unsigned nsens = 0;

	for (int c = 0; c < PV_IC_COUNT; c++) {
		const char *n = pv_insn_class_name((enum pv_insn_class)c);

		ck_assert_str_ne(n, "?");
		for (int d = 0; d < c; d++)
			ck_assert_str_ne(n, pv_insn_class_name((enum pv_insn_class)d));
		nsens += pv_insn_class_sensitive((enum pv_insn_class)c);
	}
	for (unsigned k = 0; k < sizeof(sensitive) / sizeof(sensitive[0]); k++)
		ck_assert(pv_insn_class_sensitive(sensitive[k]));
	ck_assert_uint_eq(nsens, sizeof(sensitive) / sizeof(sensitive[0]));
	ck_assert_str_eq(pv_insn_class_name(PV_IC_COUNT), "?");
	ck_assert(!pv_insn_class_sensitive(PV_IC_COUNT));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("decode");
	TCase *tc = tcase_create("decode");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, every_class_decodes, 0,
			    sizeof(classes) / sizeof(classes[0]));
	tcase_add_test(tc, cp_move_fields);
	tcase_add_test(tc, load_store_fields);
	tcase_add_test(tc, psr_fields);
	tcase_add_test(tc, decode_is_total);
	tcase_add_test(tc, class_names_and_sensitivity);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
