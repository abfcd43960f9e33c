/* SPDX-License-Identifier: MIT */
/*
 * Emulator unit tests (suite 'decode'): each class applied to a vCPU of a
 * fake-backend VM, checked against the Arm ARM pseudocode results worked
 * out by hand for the given state (register values, memory contents,
 * exception entry). The QEMU oracle (suite 'oracle') compares the same
 * emulation against real execution over randomized states.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cp15.h"
#include "emulate.h"
#include <pvcore/hypercall.h>

#include "core.h"
#include "fake_backend.h"

#define RAM FAKE_RAM_BASE
#define CODE (RAM + 0x1000u)
#define DATA (RAM + 0x8000u)
#define VEC (RAM + 0x100000u)

static struct fake_backend fb;
static struct pv_vm_config cfg;
static struct pv_vm *vm;
static struct pv_vcpu *v;
static struct pv_outcome ex;

static void setup(void)
{
	ck_assert_int_eq(fake_backend_setup(&fb, &cfg), 0);
	vm = calloc(1, sizeof(*vm));
	ck_assert_ptr_nonnull(vm);
	ck_assert_int_eq(pv_vm_init(vm, &cfg), 0);
	v = &vm->vcpu[0];
	v->cp15.sctlr &= ~(PV_SCTLR_V | PV_SCTLR_A | PV_SCTLR_M | PV_SCTLR_TE);
	v->cp15.vbar = VEC;
	v->r[15] = CODE;
	memset(&ex, 0, sizeof(ex));
}

static void teardown(void)
{
	free(vm);
	fake_backend_teardown(&fb);
}

static uint32_t *mem32(uint32_t gpa)
{
	return (uint32_t *)fake_backend_ram(&fb, gpa);
}

static void arm(uint32_t w)
{
	struct pv_insn i;

	ck_assert_int_eq(pv_decode_arm(w, &i), 0);
	ex = pv_emulate(v, &i);
}

static void thumb(uint16_t h1, uint16_t h2)
{
	struct pv_insn i;

	ck_assert_int_eq(pv_decode_thumb(h1, h2, &i), 0);
	ex = pv_emulate(v, &i);
}

static uint32_t mode(void)
{
	return v->cpsr & PV_PSR_M_MASK;
}

static void set_mode(uint32_t m)
{
	pv_vcpu_set_mode(v, m);
}

/* The guest took @exc from @pc (ARM state). */
static void assert_exception(enum pv_exception exc, uint32_t pc, uint32_t lr)
{
	ck_assert_uint_eq(v->r[15], VEC + (uint32_t)exc);
	ck_assert_uint_eq(v->r[14], lr);
	(void)pc;
}

START_TEST(mrc_midr_and_mcr_roundtrip)
{
	arm(0xee100f10); /* mrc p15, 0, r0, c0, c0, 0 */
	ck_assert_uint_eq(v->r[0], PV_A9_MIDR);
	ck_assert_uint_eq(v->r[15], CODE + 4);
	v->r[2] = 0xcafef00d;
	arm(0xee0d2f90); /* mcr p15, 0, r2, c13, c0, 4 (TPIDRPRW) */
	ck_assert_uint_eq(v->cp15.tpidrprw, 0xcafef00d);
	arm(0xee1d3f90); /* mrc p15, 0, r3, c13, c0, 4 */
	ck_assert_uint_eq(v->r[3], 0xcafef00d);
	ck_assert_uint_eq(v->r[15], CODE + 12);
}
END_TEST

START_TEST(mrc_undefined_register_injects_undef)
{
	uint32_t cpsr = v->cpsr;

	arm(0xee1f0f1f); /* mrc p15, 0, r0, c15, c15, 0: not on an A9 */
	ck_assert_uint_eq(mode(), PV_MODE_UND);
	assert_exception(PV_EXC_UNDEF, CODE, CODE + 4);
	ck_assert_uint_eq(v->spsr[PV_BANK_UND], cpsr);
}
END_TEST

START_TEST(condition_fail_only_advances)
{
	uint32_t r0 = v->r[0] = 0x1234;

	v->cpsr |= PV_PSR_Z;
	arm(0x1e100f10); /* mrcne: Z set, so not executed */
	ck_assert_uint_eq(v->r[0], r0);
	ck_assert_uint_eq(v->r[15], CODE + 4);
	v->cpsr &= ~PV_PSR_Z;
	arm(0x1e100f10);
	ck_assert_uint_eq(v->r[0], PV_A9_MIDR);
	/* GE: N == V */
	v->cpsr |= PV_PSR_N;
	v->r[0] = 1;
	arm(0xae100f10);
	ck_assert_uint_eq(v->r[0], 1);
}
END_TEST

START_TEST(hvc_unknown_and_console)
{
	v->r[0] = 0x12345678;
	arm(0xe1400070);
	ck_assert_uint_eq(v->r[0], PV_SMCCC_NOT_SUPPORTED);
	ck_assert_uint_eq(v->r[15], CODE + 4);
	v->r[0] = PV_HC_CONSOLE_PUTC;
	v->r[1] = 'x';
	arm(0xe1400070);
	ck_assert_uint_eq(fb.console_len, 1);
	ck_assert_uint_eq(fb.console[0], 'x');
	ck_assert_uint_eq(v->r[15], CODE + 8);
	/* SMC too (Thumb): the PSCI conduit */
	v->cpsr |= PV_PSR_T;
	v->r[0] = 0x12345678;
	thumb(0xf7f0, 0x8000);
	ck_assert_uint_eq(v->r[0], PV_SMCCC_NOT_SUPPORTED);
	ck_assert_uint_eq(v->r[15], CODE + 12);
}
END_TEST

START_TEST(wfi_waits)
{
	arm(0xe320f003);
	ck_assert_int_eq(ex.action, PV_ACTION_WAIT);
	/* The emulator reports the wait; the dispatcher enters it. */
	ck_assert(!v->wfi);
	ck_assert_uint_eq(v->r[15], CODE + 4);
	arm(0xe320f002); /* WFE: a NOP here */
	ck_assert_int_eq(ex.action, PV_ACTION_RESUME);
}
END_TEST

START_TEST(svc_bkpt_udf)
{
	arm(0xef000001);
	ck_assert_uint_eq(mode(), PV_MODE_SVC);
	assert_exception(PV_EXC_SVC, CODE, CODE + 4);
	v->r[15] = CODE;
	arm(0xe1200070);
	ck_assert_uint_eq(mode(), PV_MODE_ABT);
	assert_exception(PV_EXC_PABT, CODE, CODE + 4);
	ck_assert_uint_eq(v->cp15.ifsr, PV_FSR_FS(PV_FS_DEBUG));
	v->r[15] = CODE;
	arm(0xe7f000f0);
	ck_assert_uint_eq(mode(), PV_MODE_UND);
	assert_exception(PV_EXC_UNDEF, CODE, CODE + 4);
}
END_TEST

START_TEST(mrs_msr_cpsr)
{
	v->cpsr = PV_MODE_SVC | PV_PSR_I | PV_PSR_N | PV_PSR_T |
		  (1u << 25) | (0x3u << 10);
	v->cpsr &= ~PV_PSR_T; /* ARM state but stale IT bits for the test */
	arm(0xe10f0000);
	ck_assert_uint_eq(v->r[0], PV_MODE_SVC | PV_PSR_I | PV_PSR_N);
	/* msr cpsr_c, #0xdf: SYS mode, I and F; sp/lr switch bank */
	v->r[13] = 0x1111;
	v->bank_sp[PV_BANK_USR] = 0x2222;
	arm(0xe321f0df);
	ck_assert_uint_eq(mode(), PV_MODE_SYS);
	ck_assert_uint_eq(v->r[13], 0x2222);
	ck_assert_uint_eq(v->bank_sp[PV_BANK_SVC], 0x1111);
	ck_assert(v->cpsr & PV_PSR_F);
	/* msr cpsr_fc, r1 with an illegal mode (HYP): mode kept, flags set */
	v->r[1] = PV_PSR_Z | PV_MODE_HYP;
	arm(0xe129f001);
	ck_assert_uint_eq(mode(), PV_MODE_SYS);
	ck_assert(v->cpsr & PV_PSR_Z);
	ck_assert(!(v->cpsr & (PV_PSR_I | PV_PSR_F)));
	/* msr cpsr_x, r1 sets E and A; T is never writable by MSR */
	v->r[1] = PV_PSR_E | PV_PSR_A | PV_PSR_T;
	arm(0xe122f001);
	ck_assert(v->cpsr & PV_PSR_E);
	ck_assert(v->cpsr & PV_PSR_A);
	ck_assert(!(v->cpsr & PV_PSR_T));
	/* From USR mode, only the flags change */
	set_mode(PV_MODE_USR);
	v->r[1] = PV_PSR_C | PV_MODE_SVC | PV_PSR_I;
	arm(0xe129f001);
	ck_assert_uint_eq(mode(), PV_MODE_USR);
	ck_assert(v->cpsr & PV_PSR_C);
	ck_assert(!(v->cpsr & PV_PSR_I));
}
END_TEST

START_TEST(mrs_msr_spsr)
{
	v->spsr[PV_BANK_SVC] = 0x600001d0;
	arm(0xe14f1000); /* mrs r1, spsr */
	ck_assert_uint_eq(v->r[1], 0x600001d0);
	v->r[2] = 0xf00000ff;
	arm(0xe168f002); /* msr spsr_f, r2 */
	ck_assert_uint_eq(v->spsr[PV_BANK_SVC], 0xf00001d0);
	arm(0xe161f002); /* msr spsr_c, r2 */
	ck_assert_uint_eq(v->spsr[PV_BANK_SVC], 0xf00001ff);
	/* SYS has no SPSR: UNDEF */
	set_mode(PV_MODE_SYS);
	v->r[15] = CODE;
	arm(0xe14f1000);
	ck_assert_uint_eq(mode(), PV_MODE_UND);
	assert_exception(PV_EXC_UNDEF, CODE, CODE + 4);
}
END_TEST

START_TEST(cps_masks_and_mode)
{
	v->cpsr &= ~(PV_PSR_A | PV_PSR_I | PV_PSR_F);
	arm(0xf10c00c0); /* cpsid if */
	ck_assert_uint_eq(v->cpsr & (PV_PSR_A | PV_PSR_I | PV_PSR_F),
			  PV_PSR_I | PV_PSR_F);
	arm(0xf1080080); /* cpsie i */
	ck_assert_uint_eq(v->cpsr & (PV_PSR_A | PV_PSR_I | PV_PSR_F), PV_PSR_F);
	arm(0xf1020012); /* cps #0x12 */
	ck_assert_uint_eq(mode(), PV_MODE_IRQ);
	ck_assert_uint_eq(v->r[15], CODE + 12);
	/* Thumb T16 cpsid a */
	v->cpsr |= PV_PSR_T;
	thumb(0xb674, 0);
	ck_assert(v->cpsr & PV_PSR_A);
	ck_assert_uint_eq(v->r[15], CODE + 14);
	/* A NOP in USR mode */
	set_mode(PV_MODE_USR);
	v->cpsr &= ~PV_PSR_T;
	arm(0xf1020013);
	ck_assert_uint_eq(mode(), PV_MODE_USR);
}
END_TEST

START_TEST(subs_pc_lr_returns)
{
	set_mode(PV_MODE_IRQ);
	v->r[14] = 0x20000105; /* return into Thumb code at ...0x101 */
	v->spsr[PV_BANK_IRQ] = PV_MODE_SVC | PV_PSR_T | PV_PSR_C | (1u << 26);
	v->bank_sp[PV_BANK_SVC] = 0x5555;
	arm(0xe25ef004);
	ck_assert_uint_eq(mode(), PV_MODE_SVC);
	ck_assert_uint_eq(v->cpsr, PV_MODE_SVC | PV_PSR_T | PV_PSR_C | (1u << 26));
	ck_assert_uint_eq(v->r[15], 0x20000100);
	ck_assert_uint_eq(v->r[13], 0x5555);
	/* T32 SUBS PC, LR, #0 from SVC back to ARM USR (outside IT) */
	v->cpsr &= ~PV_PSR_IT_MASK;
	v->spsr[PV_BANK_SVC] = PV_MODE_USR;
	v->r[14] = 0x8002;
	thumb(0xf3de, 0x8f00);
	ck_assert_uint_eq(mode(), PV_MODE_USR);
	ck_assert(!(v->cpsr & PV_PSR_T));
	ck_assert_uint_eq(v->r[15], 0x8000); /* ARM: bits 1:0 cleared */
}
END_TEST

START_TEST(dp_eret_operand_forms)
{
	set_mode(PV_MODE_ABT);
	v->spsr[PV_BANK_ABT] = PV_MODE_SVC;
	v->r[0] = 0x100;
	v->r[2] = 3;
	v->cpsr |= PV_PSR_C;
	arm(0xe1b0f210); /* movs pc, r0, lsl r2 */
	ck_assert_uint_eq(v->r[15], 0x800);
	ck_assert_uint_eq(mode(), PV_MODE_SVC);
	set_mode(PV_MODE_ABT);
	v->r[14] = 0x1000;
	v->r[2] = 0x10;
	v->cpsr |= PV_PSR_C;
	arm(0xe0bef102); /* adcs pc, lr, r2, lsl #2 = 0x1000 + 0x40 + C */
	ck_assert_uint_eq(v->r[15], 0x1040); /* +1 then bits 1:0 cleared */
	/* MVNS PC, #imm; from USR: UNDEF */
	set_mode(PV_MODE_USR);
	v->r[15] = CODE;
	arm(0xe3f0f000);
	ck_assert_uint_eq(mode(), PV_MODE_UND);
}
END_TEST

START_TEST(ldm_eret_and_user_regs)
{
	uint32_t *m = mem32(DATA);

	m[0] = 0xaaaa;
	m[1] = 0x9000; /* new pc */
	v->r[13] = DATA;
	v->spsr[PV_BANK_SVC] = PV_MODE_USR | PV_PSR_V;
	v->bank_sp[PV_BANK_USR] = 0x7777;
	arm(0xe8fd8001); /* ldmfd sp!, {r0, pc}^ */
	ck_assert_uint_eq(mode(), PV_MODE_USR);
	ck_assert_uint_eq(v->cpsr, PV_MODE_USR | PV_PSR_V);
	ck_assert_uint_eq(v->r[0], 0xaaaa);
	ck_assert_uint_eq(v->r[15], 0x9000);
	ck_assert_uint_eq(v->r[13], 0x7777);
	ck_assert_uint_eq(v->bank_sp[PV_BANK_SVC], DATA + 8);

	/* stm/ldm ^ with user sp/lr from SVC */
	set_mode(PV_MODE_SVC);
	v->r[15] = CODE;
	v->r[13] = 0x1313;
	v->r[14] = 0x1414;
	v->bank_sp[PV_BANK_USR] = 0x2313;
	v->bank_lr[PV_BANK_USR] = 0x2414;
	v->r[0] = DATA + 0x20;
	arm(0xe8c06000); /* stmia r0, {sp, lr}^ */
	ck_assert_uint_eq(mem32(DATA + 0x20)[0], 0x2313);
	ck_assert_uint_eq(mem32(DATA + 0x20)[1], 0x2414);
	mem32(DATA + 0x20)[0] = 0x3313;
	mem32(DATA + 0x20)[1] = 0x3414;
	arm(0xe8d06000); /* ldmia r0, {sp, lr}^ */
	ck_assert_uint_eq(v->bank_sp[PV_BANK_USR], 0x3313);
	ck_assert_uint_eq(v->bank_lr[PV_BANK_USR], 0x3414);
	ck_assert_uint_eq(v->r[13], 0x1313);
	ck_assert_uint_eq(v->r[14], 0x1414);
	ck_assert_uint_eq(v->r[15], CODE + 8);
}
END_TEST

START_TEST(srs_rfe)
{
	set_mode(PV_MODE_IRQ);
	v->r[14] = 0x4444;
	v->spsr[PV_BANK_IRQ] = PV_MODE_SVC | PV_PSR_Z;
	v->bank_sp[PV_BANK_SVC] = DATA + 0x40;
	arm(0xf96d0513); /* srsdb sp!, #0x13 */
	ck_assert_uint_eq(mem32(DATA + 0x38)[0], 0x4444);
	ck_assert_uint_eq(mem32(DATA + 0x38)[1], PV_MODE_SVC | PV_PSR_Z);
	ck_assert_uint_eq(v->bank_sp[PV_BANK_SVC], DATA + 0x38);
	ck_assert_uint_eq(mode(), PV_MODE_IRQ);
	ck_assert_uint_eq(v->r[15], CODE + 4);
	/* rfeia r0! back to it */
	set_mode(PV_MODE_SVC);
	v->r[0] = DATA + 0x38;
	arm(0xf8b00a00);
	ck_assert_uint_eq(v->r[15], 0x4444);
	ck_assert_uint_eq(v->cpsr, PV_MODE_SVC | PV_PSR_Z);
	ck_assert_uint_eq(v->r[0], DATA + 0x40);
}
END_TEST

START_TEST(single_load_store_modes)
{
	uint32_t *m = mem32(DATA);

	m[0] = 0x11223344;
	m[1] = 0x8899aabb;
	v->r[1] = DATA;
	arm(0xe5b10004); /* ldr r0, [r1, #4]! */
	ck_assert_uint_eq(v->r[0], 0x8899aabb);
	ck_assert_uint_eq(v->r[1], DATA + 4);
	arm(0xe4110004); /* ldr r0, [r1], #-4 */
	ck_assert_uint_eq(v->r[0], 0x8899aabb);
	ck_assert_uint_eq(v->r[1], DATA);
	v->r[2] = 1;
	arm(0xe7910102); /* ldr r0, [r1, r2, lsl #2] */
	ck_assert_uint_eq(v->r[0], 0x8899aabb);
	ck_assert_uint_eq(v->r[1], DATA);
	arm(0xe1d100d5); /* ldrsb r0, [r1, #5] */
	ck_assert_uint_eq(v->r[0], 0xffffffaa);
	arm(0xe1d100b2); /* ldrh r0, [r1, #2] */
	ck_assert_uint_eq(v->r[0], 0x1122);
	arm(0xe1d100f6); /* ldrsh r0, [r1, #6] */
	ck_assert_uint_eq(v->r[0], 0xffff8899);
	arm(0xe1c120d0); /* ldrd r2, r3, [r1] */
	ck_assert_uint_eq(v->r[2], 0x11223344);
	ck_assert_uint_eq(v->r[3], 0x8899aabb);
	v->r[4] = 0xdeadbeef;
	v->r[5] = 0x01020304;
	arm(0xe1e140f8); /* strd r4, r5, [r1, #8]! */
	ck_assert_uint_eq(m[2], 0xdeadbeef);
	ck_assert_uint_eq(m[3], 0x01020304);
	ck_assert_uint_eq(v->r[1], DATA + 8);
	v->r[6] = 0x5a5a;
	arm(0xe0c160b2); /* strh r6, [r1], #2 */
	ck_assert_uint_eq(m[2], 0xdead5a5a);
	ck_assert_uint_eq(v->r[1], DATA + 10);
	arm(0xe5c16001); /* strb r6, [r1, #1] */
	ck_assert_uint_eq(m[2], 0x5aad5a5a);
	/* ldr r0, [pc, #4]: PC reads as the address + 8 */
	v->r[15] = DATA;
	arm(0xe59f0004);
	ck_assert_uint_eq(v->r[0], m[3]);
	ck_assert_uint_eq(v->r[15], DATA + 4);
}
END_TEST

START_TEST(ldr_pc_interworks)
{
	mem32(DATA)[0] = 0x20001235;
	v->r[1] = DATA;
	arm(0xe591f000); /* ldr pc, [r1] */
	ck_assert_uint_eq(v->r[15], 0x20001234);
	ck_assert(v->cpsr & PV_PSR_T);
	/* pop {r4, pc} in Thumb back to ARM */
	mem32(DATA + 0x10)[0] = 0x44;
	mem32(DATA + 0x10)[1] = 0x3000;
	v->r[13] = DATA + 0x10;
	thumb(0xbd10, 0);
	ck_assert_uint_eq(v->r[4], 0x44);
	ck_assert_uint_eq(v->r[15], 0x3000);
	ck_assert(!(v->cpsr & PV_PSR_T));
	ck_assert_uint_eq(v->r[13], DATA + 0x18);
}
END_TEST

START_TEST(ldm_stm_block)
{
	uint32_t *m = mem32(DATA);

	v->r[0] = DATA + 0x10;
	v->r[1] = 1;
	v->r[2] = 2;
	v->r[3] = 3;
	arm(0xe920000e); /* stmdb r0!, {r1-r3} */
	ck_assert_uint_eq(m[1], 1);
	ck_assert_uint_eq(m[2], 2);
	ck_assert_uint_eq(m[3], 3);
	ck_assert_uint_eq(v->r[0], DATA + 4);
	arm(0xe9b00060); /* ldmib r0!, {r5, r6} */
	ck_assert_uint_eq(v->r[5], 2);
	ck_assert_uint_eq(v->r[6], 3);
	ck_assert_uint_eq(v->r[0], DATA + 12);
	v->r[15] = CODE;
	arm(0xe8100060); /* ldmda r0, {r5, r6} */
	ck_assert_uint_eq(v->r[5], 2);
	ck_assert_uint_eq(v->r[6], 3);
	/* Loaded base wins over write-back */
	v->r[0] = DATA + 4;
	arm(0xe8b00003); /* ldmia r0!, {r0, r1} */
	ck_assert_uint_eq(v->r[0], 1);
	ck_assert_uint_eq(v->r[1], 2);
	/* Thumb T16 stmia r2!, {r0, r1} */
	v->cpsr |= PV_PSR_T;
	v->r[2] = DATA + 0x20;
	thumb(0xc203, 0);
	ck_assert_uint_eq(m[8], 1);
	ck_assert_uint_eq(m[9], 2);
	ck_assert_uint_eq(v->r[2], DATA + 0x28);
}
END_TEST

START_TEST(exclusives)
{
	mem32(DATA)[0] = 7;
	v->r[3] = DATA;
	arm(0xe1932f9f); /* ldrex r2, [r3] */
	ck_assert_uint_eq(v->r[2], 7);
	v->r[1] = 9;
	v->r[2] = 0x55;
	arm(0xe1832f91); /* strex r2, r1, [r3] */
	ck_assert_uint_eq(v->r[2], 0);
	ck_assert_uint_eq(mem32(DATA)[0], 9);
	/* The monitor is now open again: a lone STREX fails, stores nothing */
	v->r[1] = 10;
	arm(0xe1832f91);
	ck_assert_uint_eq(v->r[2], 1);
	ck_assert_uint_eq(mem32(DATA)[0], 9);
	/* LDREX of another address does not let this one pass */
	v->r[4] = DATA + 8;
	arm(0xe1945f9f); /* ldrex r5, [r4] */
	arm(0xe1832f91);
	ck_assert_uint_eq(v->r[2], 1);
	/* Unaligned exclusive: alignment fault whatever SCTLR.A says */
	v->r[3] = DATA + 2;
	v->r[15] = CODE;
	arm(0xe1932f9f);
	ck_assert_uint_eq(mode(), PV_MODE_ABT);
	ck_assert_uint_eq(v->cp15.dfsr, PV_FSR_FS(PV_FS_ALIGNMENT));
	ck_assert_uint_eq(v->cp15.dfar, DATA + 2);
	assert_exception(PV_EXC_DABT, CODE, CODE + 8);
}
END_TEST

START_TEST(ldrt_strt)
{
	mem32(DATA)[0] = 0xabcd;
	v->r[1] = DATA;
	arm(0xe4b10004); /* ldrt r0, [r1], #4 */
	ck_assert_uint_eq(v->r[0], 0xabcd);
	ck_assert_uint_eq(v->r[1], DATA + 4);
	v->r[0] = 0x77;
	arm(0xe0e100b2); /* strht r0, [r1], #2 */
	ck_assert_uint_eq(mem32(DATA)[1] & 0xffff, 0x77);
	ck_assert_uint_eq(v->r[1], DATA + 6);
	/* T32 ldrt r2, [r1, #2]: offset form, no write-back */
	v->cpsr |= PV_PSR_T;
	v->r[1] = DATA;
	thumb(0xf851, 0x2e02);
	ck_assert_uint_eq(v->r[2], mem32(DATA)[0] >> 16 | mem32(DATA)[1] << 16);
	ck_assert_uint_eq(v->r[1], DATA);
}
END_TEST

START_TEST(memory_fault_injects_abort)
{
	uint32_t cpsr = v->cpsr;

	v->r[1] = 0x00000100; /* neither RAM nor device on the fake board */
	arm(0xe5910000);
	ck_assert_uint_eq(mode(), PV_MODE_ABT);
	assert_exception(PV_EXC_DABT, CODE, CODE + 8);
	ck_assert_uint_eq(v->cp15.dfar, 0x100);
	ck_assert_uint_eq(v->spsr[PV_BANK_ABT], cpsr);
	/* LDM at an unaligned base is an alignment fault even with A = 0 */
	set_mode(PV_MODE_SVC);
	v->r[15] = CODE;
	v->r[1] = DATA + 1;
	arm(0xe8910003);
	ck_assert_uint_eq(v->cp15.dfsr, PV_FSR_FS(PV_FS_ALIGNMENT));
	/* SCTLR.A makes a misaligned LDR fault too; without it, it works */
	set_mode(PV_MODE_SVC);
	v->r[15] = CODE;
	mem32(DATA)[0] = 0x44332211;
	mem32(DATA)[1] = 0x88776655;
	arm(0xe5910000);
	ck_assert_uint_eq(v->r[0], 0x55443322);
	v->cp15.sctlr |= PV_SCTLR_A;
	arm(0xe5910000);
	ck_assert_uint_eq(mode(), PV_MODE_ABT);
}
END_TEST

START_TEST(thumb_it_and_pc_relative)
{
	uint32_t it;

	mem32(DATA)[0] = 0x1111;
	mem32(DATA)[1] = 0x2222;
	v->cpsr |= PV_PSR_T;
	/* ldr r0, [pc, #4] at DATA - 6: Align(DATA - 2, 4) + 4 = DATA */
	v->r[15] = DATA - 6;
	thumb(0x4801, 0);
	ck_assert_uint_eq(v->r[0], 0x1111);
	ck_assert_uint_eq(v->r[15], DATA - 4);
	/* ITE EQ block: IT = 0x0c (cond EQ, mask 1100), Z clear */
	v->cpsr &= ~(PV_PSR_IT_MASK | PV_PSR_Z);
	v->cpsr |= (0x0cu & 3u) << 25 | (0x0cu >> 2) << 10;
	v->r[1] = DATA;
	v->r[0] = 0;
	thumb(0x6848, 0); /* ldr r0, [r1, #4] (EQ: skipped) */
	ck_assert_uint_eq(v->r[0], 0);
	it = ((v->cpsr >> 25) & 3u) | ((v->cpsr >> 8) & 0xfcu);
	ck_assert_uint_eq(it, 0x18); /* advanced: next is NE, last */
	thumb(0x6848, 0); /* executes (NE) */
	ck_assert_uint_eq(v->r[0], 0x2222);
	ck_assert_uint_eq(v->cpsr & PV_PSR_IT_MASK, 0);
	ck_assert_uint_eq(v->r[15], DATA);
}
END_TEST

/* CPSR.E: data accesses are big-endian (each element swapped). */
START_TEST(big_endian_data)
{
	mem32(DATA)[0] = 0x11223344;
	v->r[1] = DATA;
	v->cpsr |= PV_PSR_E;
	arm(0xe5910000); /* ldr r0, [r1] */
	ck_assert_uint_eq(v->r[0], 0x44332211);
	arm(0xe1d100b2); /* ldrh r0, [r1, #2] */
	ck_assert_uint_eq(v->r[0], 0x2211);
	v->r[2] = 0xaabbccdd;
	arm(0xe5812004); /* str r2, [r1, #4] */
	ck_assert_uint_eq(mem32(DATA)[1], 0xddccbbaa);
}
END_TEST

/* Found by the QEMU oracle: POP {pc} to ARM code from inside an IT block
 * must still advance (here: end) the IT state. */
START_TEST(it_advance_after_interworking_load)
{
	mem32(DATA)[0] = 0x3000; /* ARM target */
	v->r[13] = DATA;
	v->cpsr |= PV_PSR_T;
	/* last instruction of an IT block: IT = 0xe8 (AL, mask 1000) */
	v->cpsr |= (0xe8u & 3u) << 25 | (0xe8u >> 2) << 10;
	thumb(0xbd00, 0); /* pop {pc} */
	ck_assert_uint_eq(v->r[15], 0x3000);
	ck_assert(!(v->cpsr & PV_PSR_T));
	ck_assert_uint_eq(v->cpsr & PV_PSR_IT_MASK, 0);
}
END_TEST

START_TEST(vmrs_fpexc)
{
	uint32_t val = 0;

	arm(0xeef81a10); /* vmrs r1, fpexc */
	if (pv_vfp_sysreg_read(v, PV_VFP_FPEXC, &val) == 0) {
		ck_assert_uint_eq(v->r[1], val);
		ck_assert_uint_eq(v->r[15], CODE + 4);
	} else {
		ck_assert_uint_eq(mode(), PV_MODE_UND);
	}
	/* VMRS from MVFR0 with a known value */
	set_mode(PV_MODE_SVC);
	v->r[15] = CODE;
	v->cp15.cpacr |= 0xfu << 20;
	v->vfp.fpexc |= PV_FPEXC_EN;
	arm(0xeef72a10); /* vmrs r2, mvfr0 */
	ck_assert_uint_eq(v->r[2], PV_A9_MVFR0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("emulate");
	TCase *tc = tcase_create("emulate");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, mrc_midr_and_mcr_roundtrip);
	tcase_add_test(tc, mrc_undefined_register_injects_undef);
	tcase_add_test(tc, condition_fail_only_advances);
	tcase_add_test(tc, hvc_unknown_and_console);
	tcase_add_test(tc, wfi_waits);
	tcase_add_test(tc, svc_bkpt_udf);
	tcase_add_test(tc, mrs_msr_cpsr);
	tcase_add_test(tc, mrs_msr_spsr);
	tcase_add_test(tc, cps_masks_and_mode);
	tcase_add_test(tc, subs_pc_lr_returns);
	tcase_add_test(tc, dp_eret_operand_forms);
	tcase_add_test(tc, ldm_eret_and_user_regs);
	tcase_add_test(tc, srs_rfe);
	tcase_add_test(tc, single_load_store_modes);
	tcase_add_test(tc, ldr_pc_interworks);
	tcase_add_test(tc, ldm_stm_block);
	tcase_add_test(tc, exclusives);
	tcase_add_test(tc, ldrt_strt);
	tcase_add_test(tc, memory_fault_injects_abort);
	tcase_add_test(tc, thumb_it_and_pc_relative);
	tcase_add_test(tc, vmrs_fpexc);
	tcase_add_test(tc, big_endian_data);
	tcase_add_test(tc, it_advance_after_interworking_load);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
