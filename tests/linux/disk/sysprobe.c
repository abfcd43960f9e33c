// SPDX-License-Identifier: MIT
/*
 * sysprobe: the process-level checks of the `linux` suite
 * (tests/system/test_linux_disk.py), run in the Debian guest natively and
 * under the VMM. Every line it prints is deterministic, so the two runs
 * must print the same lines; "bad=0" and "ok" are what a correct system
 * gives, and the test checks them too.
 *
 *   tls      the thread pointer (TPIDRURO, set by the kernel at every
 *            switch) read directly and through the kuser helper
 *   kuser    the kuser helpers' version and __kuser_cmpxchg
 *   forkexec 100 fork + execve of /bin/true
 *   pipe     1000 ping-pong round trips between two processes
 *   mmap     500 mmap/touch/munmap rounds of 1..64 pages, checksummed
 *   neon     a NEON computation, compared with its scalar equivalent
 */
#include <arm_neon.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* Linux's kuser helpers (Documentation/arch/arm/kernel_user_helpers.rst). */
#define KUSER_VERSION (*(volatile int32_t *)0xffff0ffc)
typedef int (*kuser_cmpxchg_t)(int oldval, int newval, volatile int *ptr);
typedef void *(*kuser_get_tls_t)(void);
#define kuser_cmpxchg ((kuser_cmpxchg_t)0xffff0fc0)
#define kuser_get_tls ((kuser_get_tls_t)0xffff0fe0)

static __thread int tls_word = 42;

static int probe_tls(void)
{
	void *tp;

	__asm__ volatile("mrc p15, 0, %0, c13, c0, 3" : "=r"(tp));
	printf("tls: direct=kuser %s, word=%d\n",
	       tp == kuser_get_tls() && tp ? "yes" : "NO", tls_word);
	return tp == kuser_get_tls() && tp && tls_word == 42;
}

static int probe_kuser(void)
{
	volatile int v = 5;
	int miss = kuser_cmpxchg(4, 9, &v);   /* nonzero: no swap */
	int hit = kuser_cmpxchg(5, 9, &v);    /* zero: swapped */

	printf("kuser: version>=2 %s, cmpxchg miss=%s hit=%s value=%d\n",
	       KUSER_VERSION >= 2 ? "yes" : "NO", miss ? "yes" : "NO",
	       hit ? "NO" : "yes", v);
	return KUSER_VERSION >= 2 && miss && !hit && v == 9;
}

static int probe_forkexec(void)
{
	int bad = 0;

	for (int i = 0; i < 100; i++) {
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	printf("forkexec: runs=100 bad=%d\n", bad);
	return !bad;
}

static int probe_pipe(void)
{
	int to[2], from[2], bad = 0;
	uint32_t sum = 0;

	if (pipe(to) || pipe(from))
		return 0;
	pid_t pid = fork();
	if (pid == 0) {
		uint32_t x;

		/* Only the parent writes to @to: EOF ends the loop. */
		close(to[1]);
		close(from[0]);
		while (read(to[0], &x, sizeof(x)) == sizeof(x)) {
			x = x * 2654435761u + 1;
			if (write(from[1], &x, sizeof(x)) != sizeof(x))
				_exit(1);
		}
		_exit(0);
	}
	close(to[0]);
	close(from[1]);
	for (uint32_t i = 0; i < 1000; i++) {
		uint32_t x = i, y;

		if (write(to[1], &x, sizeof(x)) != sizeof(x) ||
		    read(from[0], &y, sizeof(y)) != sizeof(y) ||
		    y != i * 2654435761u + 1)
			bad++;
		sum = sum * 31 + y;
	}
	close(to[1]);
	close(from[0]);
	waitpid(pid, NULL, 0);
	printf("pipe: rounds=1000 bad=%d sum=%08x\n", bad, sum);
	return !bad;
}

static int probe_mmap(void)
{
	uint32_t sum = 0, seed = 1;
	int bad = 0;

	for (int i = 0; i < 500; i++) {
		size_t pages = 1 + (seed >> 16) % 64, len = pages * 4096;
		uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		seed = seed * 1103515245u + 12345u;
		if (p == MAP_FAILED) {
			bad++;
			continue;
		}
		for (size_t j = 0; j < pages; j++)
			p[j * 4096 + (j * 13) % 4096] = (uint8_t)(i + j);
		for (size_t j = 0; j < pages; j++) {
			sum = sum * 33 + p[j * 4096 + (j * 13) % 4096];
			if (p[j * 4096] != (j * 13 % 4096 ? 0 : (uint8_t)(i + j)))
				bad++;
		}
		if (munmap(p, len))
			bad++;
	}
	printf("mmap: rounds=500 bad=%d sum=%08x\n", bad, sum);
	return !bad;
}

static int probe_neon(void)
{
	static float a[256], b[256];
	float32x4_t acc = vdupq_n_f32(0);
	float scalar = 0, lanes[4];
	uint32_t bits;

	for (int i = 0; i < 256; i++) {
		a[i] = (float)i * 0.5f;
		b[i] = (float)(256 - i) * 0.25f;
	}
	for (int i = 0; i < 256; i += 4)
		acc = vmlaq_f32(acc, vld1q_f32(&a[i]), vld1q_f32(&b[i]));
	vst1q_f32(lanes, acc);
	for (int i = 0; i < 256; i++)
		scalar += a[i] * b[i];
	float neon = lanes[0] + lanes[1] + lanes[2] + lanes[3];
	memcpy(&bits, &neon, sizeof(bits));
	printf("neon: dot=%08x equal=%s\n", bits,
	       neon == scalar ? "yes" : "NO");
	return neon == scalar;
}

int main(void)
{
	int ok = probe_tls() & probe_kuser() & probe_forkexec() &
		 probe_pipe() & probe_mmap() & probe_neon();

	printf("sysprobe: %s\n", ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}
