/* SPDX-License-Identifier: MIT */
/*
 * The QEMU oracle's shared case generator.
 *
 * This code is compiled twice: into the bare-metal harness that runs each
 * case natively at PL1 on qemu-system-arm, and into the host comparer that
 * runs the same case through libpvcore. Both sides derive every case from
 * (seed, index) alone, so only a 32-bit digest of each final state crosses
 * the wire. It must stay freestanding (stdint/stdbool only) and free of
 * anything whose result could differ between the two compilers.
 *
 * The state is a flat array of words (ORC_W_*); the same layout is used
 * for the initial state, the native capture and the emulated result.
 */
#ifndef ORACLE_GEN_H
#define ORACLE_GEN_H

#include <stdbool.h>
#include <stdint.h>

/* Guest-physical layout, identical natively (MMU off, VA == PA) and in
 * the fake backend's RAM (PV_BOARD_RAM_BASE, 16 MiB). */
#define ORC_BUF_BASE 0x10100000u  /* random data buffer, 1 KiB */
#define ORC_BUF_WORDS 256u
#define ORC_CODE_BASE 0x10100400u /* code page, 1 KiB, fixed but the slot */
#define ORC_CODE_WORDS 256u
#define ORC_SLOT 0x10100400u      /* the instruction under test */
#define ORC_PAD_ARM 0x10100500u   /* ARM landing pad (SMC) */
#define ORC_PAD_THUMB 0x10100600u /* Thumb landing pad (SMC.W) */
#define ORC_VBAR 0x10100700u      /* vectors: one SMC each */

#define ORC_SMC_ARM 0xe1600070u
#define ORC_SMC_T1 0xf7f0u
#define ORC_SMC_T2 0x8000u

/* Register banks as the oracle numbers them. */
enum orc_bank { ORC_B_USR, ORC_B_FIQ, ORC_B_IRQ, ORC_B_SVC, ORC_B_ABT,
		ORC_B_UND, ORC_NBANKS };

/* State word layout. */
#define ORC_W_R 0      /* r0..r12 of the user set */
#define ORC_W_FIQR 13  /* r8..r12 of FIQ mode */
#define ORC_W_SP 18    /* r13 per bank */
#define ORC_W_LR 24    /* r14 per bank */
#define ORC_W_SPSR 30  /* SPSR per bank, [ORC_B_USR] always 0 */
#define ORC_W_CPSR 36
#define ORC_W_PC 37
#define ORC_W_DFSR 38
#define ORC_W_DFAR 39
#define ORC_W_IFSR 40
#define ORC_W_IFAR 41
#define ORC_W_MEM 42
#define ORC_NWORDS (ORC_W_MEM + ORC_BUF_WORDS)

/* Test classes (issue 3 list plus the exception entries of issue 4). */
enum orc_class {
	ORC_C_MRS,
	ORC_C_MSR,
	ORC_C_CPS,
	ORC_C_SRS,
	ORC_C_RFE,
	ORC_C_LDM_USER,
	ORC_C_STM_USER,
	ORC_C_LDM_ERET,
	ORC_C_DP_ERET,
	ORC_C_LDRT,
	ORC_C_LDST,
	ORC_C_LDST_LIT,
	ORC_C_LDRD,
	ORC_C_LDM,
	ORC_C_EXCL,
	ORC_C_EXC_UDF,
	ORC_C_EXC_SVC,
	ORC_C_EXC_BKPT,
	ORC_C_EXC_DABT,
	ORC_C_EXC_IRQ,
	ORC_C_EXC_FIQ,
	ORC_NCLASSES,
};

/* Case flags. */
#define ORC_F_THUMB 1u
#define ORC_F_IRQ 2u     /* natively: an SGI is pending before launch */
#define ORC_F_DIRECT 4u  /* host: pv_vcpu_take_exception(), no decode */
#define ORC_F_FIQ 8u     /* natively: a Group 0 SGI (FIQ) is pending */

struct orc_case {
	uint32_t index;
	uint32_t cls;
	uint32_t flags;
	uint32_t len;   /* 2 or 4 */
	uint32_t insn;  /* A32 word; T32 hw1 << 16 | hw2; T16 halfword */
	uint32_t exc;   /* ORC_F_DIRECT: vector offset and return address */
	uint32_t exc_ret;
	uint32_t s[ORC_NWORDS];
};

const char *orc_class_name(unsigned cls);
/* Optional parts of the case space, all on by default. */
#define ORC_FEAT_BIGEND 1u /* CPSR.E = 1 (big-endian data) in some states */
#define ORC_FEAT_STREX 2u  /* STREX with the local monitor open */
#define ORC_FEAT_AFE 4u     /* walks: SCTLR.AFE = 1 (access flag model) */
#define ORC_FEAT_L2DOM 8u   /* walks: invalid L2 entries under a No-access domain */
#define ORC_FEAT_EE 16u     /* walks: SCTLR.EE = 1, big-endian tables */
#define ORC_FEAT_ALL 0xffffffffu

void orc_generate(uint32_t seed, uint32_t index, uint32_t features,
		  struct orc_case *c);
/* The fixed content of code page word @i (the slot holds filler). */
uint32_t orc_code_word(unsigned i);
/* The two code words at ORC_SLOT for case @c. */
void orc_slot_words(const struct orc_case *c, uint32_t w[2]);
/* Digest of a state: FNV-1a over all words. */
uint32_t orc_hash(const uint32_t *s);
/* The same digest over @n words. */
uint32_t orc_hash_words(const uint32_t *s, unsigned n);
/* The mode bank of a CPSR.M value (USR and SYS share one). */
unsigned orc_bank_of(uint32_t mode);

/*
 * Guest walk cases (issue 5): random short-descriptor tables, compared
 * through ATS1C{PR,PW,UR,UW} + PAR natively and pv_mmu_par() on the host.
 * The harness's own megabyte (0x100xxxxx) stays identity-mapped by a
 * fixed section in domain 15 so that it can run with the MMU on.
 */
#define ORC_L1_0 0x10200000u   /* TTBR0 table (16 KiB) */
#define ORC_L1_1 0x10204000u   /* TTBR1 table (16 KiB) */
#define ORC_L2_POOL 0x10208000u /* 32 second-level tables of 1 KiB */
#define ORC_L2_COUNT 32u
#define ORC_HARNESS_SECTION 0x10001deeu /* 0x100xxxxx, WB, AP=11, dom 15 */
#define ORC_WALK_NVA 16u
#define ORC_WALK_MAXW 640u

struct orc_walk {
	uint32_t ttbr0, ttbr1, ttbcr, dacr;
	uint32_t sctlr_bits; /* AFE, TRE and EE, ORed into SCTLR with M */
	uint32_t va[ORC_WALK_NVA];
	uint32_t nw;
	uint32_t waddr[ORC_WALK_MAXW], wval[ORC_WALK_MAXW];
};

void orc_walk_generate(uint32_t seed, uint32_t index, uint32_t features,
		       struct orc_walk *w);
#define ORC_WALK_SCTLR_BITS 0x32000000u /* AFE | TRE | EE */
/* The L1 descriptor address of @va under TTBCR.N = @n (the TTBR0 table at
 * ORC_L1_0, the TTBR1 table at ORC_L1_1). */
uint32_t orc_walk_l1_addr(uint32_t va, uint32_t n);
/* Descriptor @v as the tables hold it (byte-reversed under SCTLR.EE). */
uint32_t orc_walk_desc_word(const struct orc_walk *w, uint32_t v);
/* The PAR bits both sides define: F and FS on an abort; PA, SS, F on
 * success (QEMU reports no memory attributes, and NS is UNKNOWN for the
 * Non-secure guest). */
uint32_t orc_par_mask(uint32_t par);

/*
 * Real accesses through the same tables, after the ATS operations: for
 * every VA, LDR and LDRT (loads of a per-PA pattern), STR and STRT (of a
 * per-access tag, found afterwards in physical memory) and BLX to the
 * VA's 16-byte block at PL1 (which holds MOVW/MOVT r0, #PA; BX LR).
 * An access is made only where its ATS result says it aborts, or where it
 * lands in the sink, a RAM range the harness does not otherwise use;
 * everything else (devices, the harness itself) is skipped. The sink is the
 * top half of the 128 MiB QEMU gives sabrelite by default. Half of the
 * generated output addresses are drawn inside the sink.
 */
#define ORC_SINK_BASE 0x14000000u
#define ORC_SINK_SIZE 0x04000000u
enum orc_acc { ORC_A_LDR, ORC_A_LDRT, ORC_A_STR, ORC_A_STRT, ORC_A_EXEC,
	       ORC_WALK_NACC };
/* Output words of one walk case: 4 PARs per VA, then per VA and access an
 * outcome pair (status, value). */
#define ORC_WALK_NPAR (4u * ORC_WALK_NVA)
#define ORC_WALK_NOUT (ORC_WALK_NPAR + 2u * ORC_WALK_NACC * ORC_WALK_NVA)
#define ORC_WALK_OUT(i, a) (ORC_WALK_NPAR + 2u * (ORC_WALK_NACC * (i) + (a)))
/* Status word: 0 done, ORC_ST_SKIP not attempted, else ORC_ST_ABORT with
 * the compared FSR bits (orc_walk_fsr) and the FAR as the value. */
#define ORC_ST_SKIP 0xffffffffu
#define ORC_ST_ABORT 0x80000000u
/* The ATS operation (PR, PW, UR, UW) that predicts access @a. */
unsigned orc_walk_ats_op(unsigned a);
/* The address access @a of VA @va uses. */
uint32_t orc_walk_acc_va(unsigned a, uint32_t va);
/* Decide from a masked PAR whether to make the access: 0 skip, 1 make it
 * (and *pa is its physical address when the PAR has no F). */
bool orc_walk_plan(uint32_t par, uint32_t va, uint64_t *pa);
/* The pattern word the sink holds at @pa for the loads. */
uint32_t orc_walk_pattern(uint32_t pa);
/* The value access @a of VA number @i stores. */
uint32_t orc_walk_tag(unsigned i, unsigned a);
/* The three code words the exec probe finds at @pa. */
void orc_walk_code(uint32_t pa, uint32_t w[3]);
/* The DFSR/IFSR bits both sides define: FS, WnR for data aborts, and the
 * domain for the faults that have one (L2 translation, access flag,
 * domain, permission). */
uint32_t orc_walk_fsr(uint32_t fsr, bool data);

#endif /* ORACLE_GEN_H */
