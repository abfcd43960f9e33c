// SPDX-License-Identifier: MIT
/*
 * faultloop: a user process that faults at one PC, over and over, and
 * handles every fault (the watchdog case of docs/linux-guest.md).
 *
 * Three loops of ITERS faults each, every fault at one fixed instruction:
 *   segv  a load from an unmapped page (translation fault, SIGSEGV)
 *   perm  a store to a read-only page (permission fault, SIGSEGV)
 *   ill   UDF #0 (SIGILL)
 * and a fourth in which the kernel faults: ITERS read()s from /dev/zero
 * into an unmapped buffer, each a kernel fault at one PC and address that
 * ends in EFAULT (between two of them the process enters and leaves the
 * kernel on pvbm's fast paths only, which the watchdog must count as
 * progress).
 * The handler checks the signal, the faulting PC and address, folds what
 * the kernel reported (si_code, si_addr, the FSR in error_code, trap_no)
 * into a checksum, puts a value into r0 and skips the instruction. The
 * output has no addresses or times, so it is the same natively and under
 * the VMM; it differs if a fault is lost, repeated or reported otherwise.
 *
 * Static, ARM state, non-PIE: the fault PCs are fixed link addresses.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#define ITERS 1000u            /* far above pvbm's old loop limit of 32 */
#define UNMAPPED_ADDR 0x4u     /* page 0 is never mapped */
#define RO_PAGE 0x20000000u    /* fixed, so si_addr is the same everywhere */

/* The faulting instructions, at labels the handler can compare with. */
extern const char fl_segv_insn[], fl_perm_insn[], fl_ill_insn[];

static volatile unsigned long expect_pc, expect_addr;
static volatile int expect_sig;
static volatile uint32_t sum = 0x811c9dc5u, handled, bad;

static void mix(uint32_t v)
{
	sum = (sum ^ v) * 0x01000193u; /* FNV-1a step, word-wise */
}

static void handler(int sig, siginfo_t *si, void *ctx)
{
	mcontext_t *mc = &((ucontext_t *)ctx)->uc_mcontext;

	if (sig != expect_sig || mc->arm_pc != expect_pc ||
	    (unsigned long)si->si_addr != expect_addr)
		bad++;
	mix((uint32_t)sig);
	mix((uint32_t)si->si_code);
	mix((uint32_t)(unsigned long)si->si_addr);
	mix((uint32_t)mc->error_code);
	mix((uint32_t)mc->trap_no);
	mc->arm_r0 = handled++;  /* what the skipped instruction "returns" */
	mc->arm_pc += 4;
}

/* Each returns r0 as the handler left it; noinline: one label each. */
static __attribute__((noinline)) uint32_t segv_once(void)
{
	register uint32_t r0 asm("r0") = 0;
	register uint32_t r1 asm("r1") = UNMAPPED_ADDR;

	asm volatile(".global fl_segv_insn\nfl_segv_insn:\n\tldr r0, [r1]"
		     : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

static __attribute__((noinline)) uint32_t perm_once(void)
{
	register uint32_t r0 asm("r0") = 0;
	register uint32_t r1 asm("r1") = RO_PAGE;

	asm volatile(".global fl_perm_insn\nfl_perm_insn:\n\tstr r1, [r1]"
		     : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

static __attribute__((noinline)) uint32_t ill_once(void)
{
	register uint32_t r0 asm("r0") = 0;

	asm volatile(".global fl_ill_insn\nfl_ill_insn:\n\t.inst 0xe7f000f0"
		     : "+r"(r0) : : "memory");
	return r0;
}

static int run(const char *name, int sig, const char *pc, unsigned long addr,
	       uint32_t (*once)(void))
{
	uint32_t rets = 0, before = handled;
	unsigned i;

	expect_sig = sig;
	expect_pc = (unsigned long)pc;
	expect_addr = addr;
	for (i = 0; i < ITERS; i++)
		rets += once();
	printf("faultloop: %s faults=%u rets=%u\n", name,
	       (unsigned)(handled - before), (unsigned)rets);
	return handled - before == ITERS ? 0 : 1;
}

static int run_efault(void)
{
	int fd = open("/dev/zero", O_RDONLY);
	unsigned i, efault = 0;
	/* Hidden from the compiler, which knows the address is no buffer. */
	void *volatile bad = (void *)UNMAPPED_ADDR;

	if (fd < 0) {
		perror("faultloop: /dev/zero");
		return 1;
	}
	for (i = 0; i < ITERS; i++)
		if (read(fd, bad, 16) == -1 && errno == EFAULT)
			efault++;
	close(fd);
	printf("faultloop: efault calls=%u efaults=%u\n", i, efault);
	return efault == ITERS ? 0 : 1;
}

int main(void)
{
	struct sigaction sa;
	void *ro;
	int fail = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) || sigaction(SIGILL, &sa, NULL)) {
		perror("faultloop: sigaction");
		return 2;
	}
	ro = mmap((void *)RO_PAGE, 4096, PROT_READ,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (ro == MAP_FAILED) {
		perror("faultloop: mmap");
		return 2;
	}
	fail |= run("segv", SIGSEGV, fl_segv_insn, UNMAPPED_ADDR, segv_once);
	fail |= run("perm", SIGSEGV, fl_perm_insn, RO_PAGE, perm_once);
	fail |= run("ill", SIGILL, fl_ill_insn, (unsigned long)fl_ill_insn,
		    ill_once);
	fail |= run_efault();
	printf("faultloop: total=%u bad=%u sum=%08x\n", (unsigned)handled,
	       (unsigned)bad, (unsigned)sum);
	return fail || bad ? 1 : 0;
}
