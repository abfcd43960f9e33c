/* SPDX-License-Identifier: MIT */
/*
 * The ARM half of the stub oracle (stub_oracle.c): an armhf Linux program
 * run under qemu-arm. It maps the patched Image and its stub area at their
 * addresses, then for each case writes the vCPU page into the stub's page
 * slot, loads r0-r14 and the APSR and branches to the site. The case ends
 * at the first SIGILL (the marker after the site, or the stub's trap
 * word) or any other fault; the registers, CPSR and page are written out.
 *
 * Input:  magic, nseg, ncases; nseg x {va, len, bytes}; ncases x case_in.
 * Output: ncases x case_out. All words little-endian.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#define MAGIC 0x53545542u /* "BUTS" */
#define MAP_BASE 0x10000000u
#define MAP_SIZE 0x00400000u

struct case_in {
	uint32_t slot;       /* VA of the page slot to fill */
	uint32_t page[1024];
	uint32_t r[16];      /* r15: where to start (the site) */
	uint32_t apsr;
	uint32_t stop_va;    /* 0, or a word replaced by UDF for this case */
	uint32_t tls;        /* TPIDRURO while the stub runs (a backend's guess) */
};

struct case_out {
	uint32_t sig;
	uint32_t r[16];
	uint32_t cpsr;
	uint32_t page[1024];
};

static sigjmp_buf jb;
static struct case_out out;
static uint32_t ctx[17];
static uint32_t own_tls; /* the C library's thread pointer */

/* set_tls without the C library, whose thread pointer it changes. */
static inline void set_tls(uint32_t v)
{
	register uint32_t r0 __asm__("r0") = v;
	register uint32_t r7 __asm__("r7") = 0xf0005u; /* __ARM_NR_set_tls */

	__asm__ volatile("svc #0" : "+r"(r0) : "r"(r7) : "memory");
}

static void on_signal(int sig, siginfo_t *si, void *uv)
{
	const ucontext_t *uc = uv;
	const mcontext_t *m = &uc->uc_mcontext;

	(void)si;
	set_tls(own_tls);
	out.sig = (uint32_t)sig;
	out.r[0] = m->arm_r0; out.r[1] = m->arm_r1; out.r[2] = m->arm_r2;
	out.r[3] = m->arm_r3; out.r[4] = m->arm_r4; out.r[5] = m->arm_r5;
	out.r[6] = m->arm_r6; out.r[7] = m->arm_r7; out.r[8] = m->arm_r8;
	out.r[9] = m->arm_r9; out.r[10] = m->arm_r10; out.r[11] = m->arm_fp;
	out.r[12] = m->arm_ip; out.r[13] = m->arm_sp; out.r[14] = m->arm_lr;
	out.r[15] = m->arm_pc;
	out.cpsr = m->arm_cpsr;
	siglongjmp(jb, 1);
}

/* Every register from ctx[], the flags from ctx[16]; never returns. */
__attribute__((naked, noreturn)) static void enter(uint32_t *c)
{
	(void)c;
	__asm__ volatile("ldr r1, [r0, #64]\n\t"
			 "msr APSR_nzcvqg, r1\n\t"
			 ".word 0xe890ffff\n\t"); /* ldm r0, {r0-pc} */
}

static int rd(FILE *f, void *p, size_t n)
{
	return fread(p, 1, n, f) == n ? 0 : -1;
}

int main(int argc, char **argv)
{
	static uint8_t altstack[65536];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;
	uint32_t hdr[3];
	struct case_in *in;
	FILE *fi, *fo;
	void *m;

	if (argc != 3)
		return 2;
	fi = fopen(argv[1], "rb");
	fo = fopen(argv[2], "wb");
	if (!fi || !fo || rd(fi, hdr, sizeof(hdr)) || hdr[0] != MAGIC)
		return 2;
	m = mmap((void *)MAP_BASE, MAP_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (m == MAP_FAILED)
		return 3;
	for (uint32_t i = 0; i < hdr[1]; i++) {
		uint32_t seg[2];

		if (rd(fi, seg, sizeof(seg)) || seg[0] < MAP_BASE ||
		    seg[0] - MAP_BASE + (uint64_t)seg[1] > MAP_SIZE ||
		    rd(fi, (void *)(uintptr_t)seg[0], seg[1]))
			return 4;
	}
	__builtin___clear_cache((char *)MAP_BASE, (char *)MAP_BASE + MAP_SIZE);
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGTRAP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL); /* a stub that never ends */
	own_tls = (uint32_t)(uintptr_t)__builtin_thread_pointer();
	in = malloc(sizeof(*in));
	if (!in)
		return 5;
	for (uint32_t i = 0; i < hdr[2]; i++) {
		volatile uint32_t *stop;
		volatile uint32_t saved = 0;

		if (rd(fi, in, sizeof(*in)))
			return 6;
		memcpy((void *)(uintptr_t)in->slot, in->page, 4096);
		stop = (volatile uint32_t *)(uintptr_t)in->stop_va;
		if (stop) {
			saved = *stop;
			*stop = 0xe7fdeef2u; /* UDF: "interrupted here" */
			__builtin___clear_cache((char *)stop, (char *)stop + 4);
		}
		memcpy(ctx, in->r, 64);
		ctx[16] = in->apsr;
		memset(&out, 0, sizeof(out));
		if (!sigsetjmp(jb, 1)) {
			alarm(2);
			set_tls(in->tls); /* nothing may use the C library's TLS now */
			enter(ctx);
		}
		alarm(0);
		memcpy(out.page, (void *)(uintptr_t)in->slot, 4096);
		if (stop) {
			*stop = saved;
			__builtin___clear_cache((char *)stop, (char *)stop + 4);
		}
		if (fwrite(&out, sizeof(out), 1, fo) != 1)
			return 7;
	}
	fclose(fo);
	return 0;
}
