/* SPDX-License-Identifier: MIT */
/**
 * DOC: the paravirtual vCPU page and the pvpatch stub area
 *
 * pvpatch can rewrite a hot sensitive instruction of the guest kernel into
 * a branch to a short *stub* instead of a trap word. Stubs live in a *stub
 * area* that pvpatch appends to the Image after the kernel's _end (the
 * guest's device tree reserves it), and they read and write a per-vCPU
 * *vCPU page* that holds the virtual state those instructions touch: the
 * CPSR's mask bits, the current SPSR, TPIDRPRW, SCTLR, DACR and the fault
 * registers, and whether an interrupt is pending.
 *
 * The area is a sequence of PV_STUB_CHUNK-byte chunks. The first page of a
 * chunk is a *page slot*: the shadow engine maps this vCPU's page there, in
 * the guest-kernel view only. The second page holds stub code, which
 * reaches the page slot before it with PC-relative loads and stores (no
 * register is needed for the address). The guest user view maps neither:
 * guest user code faults on both as on any kernel-only page.
 *
 * Ownership: the vCPU page is guest-writable memory. While the guest runs,
 * the fields a stub writes (PV_VPAGE_CPSR's I and F bits, PV_VPAGE_SPSR,
 * PV_VPAGE_DACR, PV_VPAGE_TPIDRURO, and PV_VPAGE_USR_SP/LR in modes with
 * a user bank) are the guest's; at every trap the core reads exactly
 * those back, as untrusted input, and at every resume it rewrites the
 * whole page from the vCPU. No other field is ever read back.
 *
 * TPIDRURO: the guest (its kernel included, which runs at host PL0) reads
 * the host register natively, so a write cannot be a plain store. The
 * page's field is the guest's register; the host register may lag behind
 * it only where pvpatch proved that nothing reads it: after the kernel's
 * write of the user's TLS on its way back to user mode (a
 * PV_STUB_MCR_TLS stub stores the field, the return to user mode loads
 * the host register from it), and between a backend's fast SVC, which
 * loads the kernel's last value into the host register as a guess, and
 * the kernel's entry write (a PV_STUB_MCR_TPIDRURO stub that commits only
 * when the host register already holds the value, and traps otherwise).
 * Every resume loads the host register with the page's value, which
 * undoes the guess; so a trap that leaves the PC inside such a stub
 * restarts it from its site (its own MCR excepted, which is emulated).
 * pvcore/fastpath.h has the backend's side.
 *
 * Stubs are not reentrant. The core never enters a guest exception with
 * the PC inside a stub: it first rolls the stub back (restores the one
 * register the stub saved in PV_VPAGE_SCRATCH and sets the PC to the site,
 * so the site runs again; every stub commits idempotently) or forward
 * (when the stub has finished and only its branch back remains).
 *
 * The offsets are plain numbers so that backend assembly can include this
 * header (with __ASSEMBLER__ defined).
 */
#ifndef PVCORE_PVPAGE_H
#define PVCORE_PVPAGE_H

#ifdef __cplusplus
extern "C" {
#endif

/* Layout of the stub area. */
#define PV_STUB_CHUNK      0x2000u /* page slot + code page */
#define PV_STUB_CODE_OFF   0x1000u /* code page offset in a chunk */
#define PV_STUB_CODE_LIMIT 0x0f00u /* stub code ends below this page offset */

/* Fields of the vCPU page (byte offsets in the page; one word each). */
#define PV_VPAGE_FIELDS    0x0f80u /* first field: end of the page, in reach */
#define PV_VPAGE_SCRATCH   0x0f80u /* the register a running stub saved */
#define PV_VPAGE_CPSR      0x0f84u /* virtual CPSR without NZCVQ and GE */
#define PV_VPAGE_PENDING   0x0f88u /* PSR_I: an IRQ is pending, PSR_F: a FIQ */
#define PV_VPAGE_SPSR      0x0f8cu /* SPSR of the current mode */
#define PV_VPAGE_TPIDRPRW  0x0f90u
#define PV_VPAGE_SCTLR     0x0f94u
#define PV_VPAGE_DACR      0x0f98u
#define PV_VPAGE_DFSR      0x0f9cu
#define PV_VPAGE_IFSR      0x0fa0u
#define PV_VPAGE_DFAR      0x0fa4u
#define PV_VPAGE_IFAR      0x0fa8u
#define PV_VPAGE_MAGIC     0x0facu /* PV_VPAGE_MAGIC_VALUE, for debuggers */
#define PV_VPAGE_MIDR      0x0fb0u /* constants: written once per reset */
#define PV_VPAGE_CTR       0x0fb4u
#define PV_VPAGE_MPIDR     0x0fb8u
#define PV_VPAGE_USR_SP    0x0fbcu /* the user bank, for LDM/STM ^ stubs */
#define PV_VPAGE_USR_LR    0x0fc0u
#define PV_VPAGE_USR_BAD   0x0fc4u /* non-zero: the current mode has no
				    * separate user bank (USR, SYS, FIQ) */
#define PV_VPAGE_TPIDRURO  0x0fc8u /* the guest's TPIDRURO (see below) */
#define PV_VPAGE_FIELDS_END 0x0fccu

#define PV_VPAGE_MAGIC_VALUE 0x45474150u /* "PAGE" */

/* The CPSR bits a stub may change, and the only ones read back. */
#define PV_VPAGE_CPSR_WRITABLE 0xc0u

#ifndef __ASSEMBLER__

#include <pvcore/types.h>

/*
 * What a stub stands for (struct pv_stub.kind); pvpatch writes them, the
 * core only reports them.
 */
enum pv_stub_kind {
	PV_STUB_MRS_CPSR,  /* MRS Rd, CPSR */
	PV_STUB_MRS_SPSR,  /* MRS Rd, SPSR */
	PV_STUB_MSR_SPSR,  /* MSR SPSR_fsxc, Rn */
	PV_STUB_MSR_CPSR_C, /* MSR CPSR_c, Rn (a mode change traps from the stub) */
	PV_STUB_CPSID,     /* CPSID i, f or if, no mode change */
	PV_STUB_CPSIE,     /* CPSIE i, f or if (traps if something is pending) */
	PV_STUB_MRC,       /* MRC of a register the page holds */
	PV_STUB_MCR_DACR,  /* MCR DACR (applied at the next trap: lazy PAN) */
	PV_STUB_STM_USR,   /* STMDB Rn, {SP, LR}^ */
	PV_STUB_LDM_USR,   /* LDMDB Rn, {R0-LR}^ */
	PV_STUB_MCR_TLS,   /* MCR TPIDRURO before a return to user mode: the
			    * host register is loaded by that return */
	PV_STUB_MCR_TPIDRURO, /* MCR TPIDRURO at the SVC entry: commits when
			       * the host register holds the value already,
			       * else traps with the original MCR */
	PV_STUB_KIND_COUNT
};

#define PV_STUB_NO_REG 0xffu

/**
 * struct pv_stub - one stub, as the core needs to know it
 * @site: guest-virtual address of the rewritten instruction (a branch)
 * @stub: guest-virtual address of the stub's first instruction
 * @words: its length in instructions (1..PV_STUB_MAX_WORDS)
 * @saved: the register it saves in PV_VPAGE_SCRATCH first, or
 *         PV_STUB_NO_REG
 * @kind: enum pv_stub_kind
 * @exit: the indices of its branches back to @site + 4 (at least one;
 *        unused entries PV_STUB_NO_EXIT)
 */
struct pv_stub {
	uint32_t site;
	uint32_t stub;
	uint16_t words;
	uint8_t saved;
	uint8_t kind;
	uint8_t exit[4];
};

#define PV_STUB_MAX_WORDS 64
#define PV_STUB_NO_EXIT 0xffu

#define PV_STUB_MAGIC   0x42545350u /* "PSTB" in file byte order */
#define PV_STUB_VERSION 1u

/**
 * struct pv_stub_file_hdr - header of the stub table pvpatch writes
 * @magic, @version: PV_STUB_MAGIC, PV_STUB_VERSION
 * @hdr_size: sizeof(struct pv_stub_file_hdr)
 * @count: number of &struct pv_stub entries that follow, ascending by @stub
 * @entry_size: sizeof(struct pv_stub)
 * @area_va: guest-virtual base of the stub area (PV_STUB_CHUNK aligned)
 * @area_size: its size (a PV_STUB_CHUNK multiple)
 * @image_base: guest-virtual address of the Image the area belongs to
 * @checksum: CRC-32 (as pv_patch_crc32()) of the file with this field zero
 *
 * All fields little-endian. The file is @hdr_size + @count * @entry_size
 * bytes.
 */
struct pv_stub_file_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t hdr_size;
	uint32_t count;
	uint32_t entry_size;
	uint32_t area_va;
	uint32_t area_size;
	uint32_t image_base;
	uint32_t checksum;
};

/**
 * struct pv_stub_table - a parsed stub table (points into the file)
 * @stubs: @count stubs, ascending by &pv_stub.stub
 * @area_va, @area_size: the stub area
 * @area_gpa: guest-physical address of @area_va (pv_stub_table_set_load())
 */
struct pv_stub_table {
	const struct pv_stub *stubs;
	uint32_t count;
	uint32_t area_va, area_size;
	uint32_t image_base;
	pv_gpa_t area_gpa;
};

/**
 * pv_stub_table_parse() - validate a stub table file in place
 * @blob: the file (4-byte aligned; it must outlive the table)
 * @len: its size
 * @out: filled on success; its load address is @image_base's until
 *       pv_stub_table_set_load() says otherwise
 *
 * Every stub must lie in a code page of the area, below
 * PV_STUB_CODE_LIMIT, not overlap the next, save a register r0-r14 or none,
 * and have its exits inside its length (at least one).
 *
 * Return: 0; PV_EINVAL for a NULL or misaligned argument; PV_ECORRUPT for
 * a bad magic, version, size, checksum or entry.
 */
int pv_stub_table_parse(const void *blob, size_t len,
			struct pv_stub_table *out);

/**
 * pv_stub_table_set_load() - say where the Image was loaded
 * @t: a parsed table
 * @image_gpa: guest-physical address of the Image's first byte (the
 *             stub area is at the same offset from it as in the Image)
 *
 * Return: 0; PV_EINVAL if the area would not fit below 4 GiB.
 */
int pv_stub_table_set_load(struct pv_stub_table *t, pv_gpa_t image_gpa);

/**
 * pv_stub_find() - the stub that contains @va
 * Return: the stub, or NULL.
 */
const struct pv_stub *pv_stub_find(const struct pv_stub_table *t, pv_gva_t va);

#endif /* __ASSEMBLER__ */
#ifdef __cplusplus
}
#endif

#endif /* PVCORE_PVPAGE_H */
