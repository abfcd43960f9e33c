// SPDX-License-Identifier: MIT
/*
 * vfppipe: a NEON pipeline across thousands of context switches (the
 * watchdog case of docs/linux-guest.md).
 *
 * Linux enables VFP lazily: it clears FPEXC.EN on every context switch,
 * so the first VFP/NEON instruction a task runs after being switched in
 * is UNDEF, and the kernel's handler enables VFP and retries it.
 *
 * Stage "pipe": a producer (child, integer code only) sends CHUNKS
 * pieces of 1 KiB made by a PRNG, each acknowledged by the consumer
 * (parent), so every piece costs two context switches. The consumer
 * copies each piece with NEON and sums the copy with NEON, integer and
 * float: its first NEON instruction after each switch is at one PC.
 * The producer sends its own integer sum at the end; they must agree.
 *
 * Stage "regs": both processes fill d16-d31 with their own pattern, pass
 * a byte to each other over two pipes (the syscalls in the same asm
 * block, so nothing in between touches VFP) and check the registers
 * afterwards: the lazy save and restore must keep each task's state.
 *
 * The output (counts, sums) is the same natively and under the VMM.
 */
#include <arm_neon.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK 1024u
#define CHUNKS 1024u
#define ROUNDS 500u

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void read_all(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r <= 0)
			die("vfppipe: read");
		got += (size_t)r;
	}
}

static void write_all(int fd, const void *buf, size_t n)
{
	if (write(fd, buf, n) != (ssize_t)n)
		die("vfppipe: write");
}

/* The producer: integer code only, so that it never touches VFP. */
static void producer(int data_fd, int ack_fd)
{
	uint32_t chunk[CHUNK / 4], x = 0x2545f491u;
	uint64_t sum = 0;
	unsigned i, k;
	char ack;

	for (i = 0; i < CHUNKS; i++) {
		for (k = 0; k < CHUNK / 4; k++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			chunk[k] = x;
			sum += x;
		}
		write_all(data_fd, chunk, sizeof(chunk));
		read_all(ack_fd, &ack, 1);
	}
	write_all(data_fd, &sum, sizeof(sum));
	_exit(0);
}

static uint64x2_t isum;
static float32x4_t fsum;

/* NEON copy of @src to @dst, then NEON sums of the copy. */
static __attribute__((noinline)) void neon_copy_sum(uint32_t *dst,
						     const uint32_t *src)
{
	const float32x4_t scale = vdupq_n_f32(1.0f / 16777216.0f);
	uint64x2_t is = isum;
	float32x4_t fs = fsum;
	unsigned k;

	for (k = 0; k < CHUNK / 4; k += 8) {
		vst1q_u32(dst + k, vld1q_u32(src + k));
		vst1q_u32(dst + k + 4, vld1q_u32(src + k + 4));
	}
	for (k = 0; k < CHUNK / 4; k += 4) {
		uint32x4_t v = vld1q_u32(dst + k);

		is = vpadalq_u32(is, v);
		/* The top 24 bits are exact in a float. */
		fs = vmlaq_f32(fs, vcvtq_f32_u32(vshrq_n_u32(v, 8)), scale);
	}
	isum = is;
	fsum = fs;
}

static int stage_pipe(void)
{
	static uint32_t in[CHUNK / 4], out[CHUNK / 4];
	int data[2], ack[2], status;
	uint64_t theirs, mine;
	float f[4];
	uint32_t fbits[4];
	unsigned i;
	pid_t pid;

	if (pipe(data) || pipe(ack))
		die("vfppipe: pipe");
	pid = fork();
	if (pid < 0)
		die("vfppipe: fork");
	if (pid == 0) {
		close(data[0]);
		close(ack[1]);
		producer(data[1], ack[0]);
	}
	close(data[1]);
	close(ack[0]);
	isum = vdupq_n_u64(0);
	fsum = vdupq_n_f32(0.0f);
	for (i = 0; i < CHUNKS; i++) {
		read_all(data[0], in, sizeof(in));
		neon_copy_sum(out, in);
		if (memcmp(in, out, sizeof(in)))
			return 1;
		write_all(ack[1], "a", 1);
	}
	read_all(data[0], &theirs, sizeof(theirs));
	if (waitpid(pid, &status, 0) != pid || status)
		die("vfppipe: producer");
	mine = vgetq_lane_u64(isum, 0) + vgetq_lane_u64(isum, 1);
	vst1q_f32(f, fsum);
	memcpy(fbits, f, sizeof(fbits));
	printf("vfppipe: pipe chunks=%u bytes=%u sum=%016llx producer=%016llx "
	       "fsum=%08x.%08x.%08x.%08x\n", CHUNKS, CHUNKS * CHUNK,
	       (unsigned long long)mine, (unsigned long long)theirs,
	       (unsigned)fbits[0], (unsigned)fbits[1], (unsigned)fbits[2],
	       (unsigned)fbits[3]);
	return mine != theirs;
}

/*
 * d16-d31 := @pat, then syscall @nr1 on @fd1 and @nr2 on @fd2 (a one-byte
 * write or read of @buf), then d16-d31 to @out.
 */
static void regs_round(const uint64_t *pat, uint64_t *out, unsigned nr1,
		       int fd1, unsigned nr2, int fd2, char *buf)
{
	asm volatile(
		"vldmia %[pat], {d16-d31}\n\t"
		"mov r0, %[fd1]\n\tmov r1, %[buf]\n\tmov r2, #1\n\t"
		"mov r7, %[nr1]\n\tsvc #0\n\t"
		"mov r0, %[fd2]\n\tmov r1, %[buf]\n\tmov r2, #1\n\t"
		"mov r7, %[nr2]\n\tsvc #0\n\t"
		"vstmia %[out], {d16-d31}"
		:
		: [pat] "r"(pat), [out] "r"(out), [fd1] "r"(fd1),
		  [fd2] "r"(fd2), [nr1] "r"(nr1), [nr2] "r"(nr2),
		  [buf] "r"(buf)
		: "r0", "r1", "r2", "r7", "d16", "d17", "d18", "d19", "d20",
		  "d21", "d22", "d23", "d24", "d25", "d26", "d27", "d28",
		  "d29", "d30", "d31", "memory");
}

/* Rounds whose registers came back different from the pattern. */
static unsigned regs_loop(uint64_t seed, int first_fd, unsigned first_nr,
			  int second_fd, unsigned second_nr)
{
	uint64_t pat[16], out[16];
	unsigned i, k, bad = 0;
	char byte = 'r';

	for (i = 0; i < ROUNDS; i++) {
		for (k = 0; k < 16; k++)
			pat[k] = seed * (i + 1) + k * 0x0101010101010101ull;
		regs_round(pat, out, first_nr, first_fd, second_nr, second_fd,
			   &byte);
		bad += memcmp(pat, out, sizeof(pat)) != 0;
	}
	return bad;
}

static int stage_regs(void)
{
	int ab[2], ba[2], status;
	unsigned bad;
	pid_t pid;

	if (pipe(ab) || pipe(ba))
		die("vfppipe: pipe");
	pid = fork();
	if (pid < 0)
		die("vfppipe: fork");
	if (pid == 0) /* read from the parent, then answer */
		_exit(regs_loop(0x9e3779b97f4a7c15ull, ab[0], 3, ba[1], 4) ?
		      1 : 0);
	bad = regs_loop(0xc2b2ae3d27d4eb4full, ab[1], 4, ba[0], 3);
	if (waitpid(pid, &status, 0) != pid)
		die("vfppipe: waitpid");
	printf("vfppipe: regs rounds=%u bad=%u partner=%s\n", ROUNDS, bad,
	       WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ok" : "bad");
	return bad || status;
}

int main(void)
{
	int fail = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	fail |= stage_pipe();
	fail |= stage_regs();
	printf("vfppipe: %s\n", fail ? "FAIL" : "ok");
	return fail;
}
