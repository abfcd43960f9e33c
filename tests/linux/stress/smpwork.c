// SPDX-License-Identifier: MIT
/*
 * A parallel workload for an SMP guest (the linux-smp system test): the
 * same output natively and under pvbm, whatever the interleaving.
 *
 *   1. How many CPUs are online.
 *   2. One process per CPU, pinned to it, hashing its own generated data
 *      and summing a floating-point series (its VFP registers live
 *      across every switch of its CPU), with its own value in the user
 *      read/write thread register (TPIDRURW) all along, and saying where
 *      it ran.
 *   3. One thread per CPU, pinned, adding to a counter with atomics and to
 *      another under a pthread mutex (futexes once they contend), meeting
 *      at a barrier between rounds.
 *   4. The last CPU unplugged and replugged through sysfs (root only),
 *      then a process pinned to it hashes again.
 *
 * Every line is a result; any mismatch with the expected values also
 * makes the exit status non-zero.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "insncount_mark.h"

#define WORDS (1u << 20)   /* 4 MiB of data per process */
#define ROUNDS 8
#define ADDS 4000          /* per thread and round */
#define MAX_CPUS 8

static int failures;

static void fail(const char *what)
{
	printf("smpwork: FAIL %s\n", what);
	failures++;
}

/* xorshift32 data, FNV-1a 64 over it: cheap, and wrong if any word is. */
static uint64_t hash_stream(uint32_t seed)
{
	uint32_t x = seed * 2654435761u | 1u;
	uint64_t h = 0xcbf29ce484222325ull;

	for (uint32_t i = 0; i < WORDS; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		for (unsigned b = 0; b < 4; b++) {
			h ^= (x >> (8 * b)) & 0xffu;
			h *= 0x100000001b3ull;
		}
	}
	return h;
}

/* Kept in VFP registers for the whole loop: a lost register shows. */
static double series(uint32_t seed)
{
	double s = 0, t = seed;

	for (uint32_t i = 0; i < 2 * WORDS; i++) {
		s += t * 1e-6;
		t = t * 0.999999 + 1.0;
	}
	return s;
}

static void set_tpidrurw(uint32_t v)
{
	__asm__ volatile("mcr p15, 0, %0, c13, c0, 2" :: "r"(v));
}

static uint32_t get_tpidrurw(void)
{
	uint32_t v;

	__asm__ volatile("mrc p15, 0, %0, c13, c0, 2" : "=r"(v));
	return v;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* Children pinned to @cpus[0..n-1]; each writes its line into a pipe. */
static void hash_on(const int *cpus, int n, uint32_t seed0)
{
	int fds[MAX_CPUS][2];
	pid_t pids[MAX_CPUS];

	for (int i = 0; i < n; i++) {
		if (pipe(fds[i]) || (pids[i] = fork()) < 0) {
			fail("pipe/fork");
			return;
		}
		if (pids[i] == 0) {
			char line[128];
			uint64_t h;
			double f;
			int len;

			close(fds[i][0]);
			if (pin(cpus[i]))
				_exit(2);
			set_tpidrurw(0x7e500000u + seed0 + (uint32_t)i);
			/* Traps on this CPU right after the write (system
			 * calls; no other process's turn in between): each
			 * return must bring the value back. */
			for (int k = 0; k < 8; k++)
				if (getppid() < 0 ||
				    get_tpidrurw() != 0x7e500000u + seed0 + (uint32_t)i)
					_exit(4);
			h = hash_stream(seed0 + (uint32_t)i);
			f = series(seed0 + (uint32_t)i);
			if (get_tpidrurw() != 0x7e500000u + seed0 + (uint32_t)i)
				_exit(4);
			len = snprintf(line, sizeof(line),
				       "smpwork: hash seed=%u cpu=%d ran-on=%d %016llx %.17g\n",
				       seed0 + (unsigned)i, cpus[i], sched_getcpu(),
				       (unsigned long long)h, f);
			if (write(fds[i][1], line, (size_t)len) != len)
				_exit(3);
			_exit(0);
		}
		close(fds[i][1]);
	}
	/* In order, so the transcript does not depend on who ends first. */
	for (int i = 0; i < n; i++) {
		char line[128];
		ssize_t got = read(fds[i][0], line, sizeof(line) - 1);
		int st;

		close(fds[i][0]);
		if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) ||
		    WEXITSTATUS(st)) {
			fail("a hashing child");
			continue;
		}
		line[got > 0 ? got : 0] = 0;
		fputs(line, stdout);
		if (!strstr(line, "ran-on=") ||
		    atoi(strstr(line, "ran-on=") + 7) != cpus[i])
			fail("a child ran elsewhere than pinned");
	}
}

static unsigned atomic_sum;
static unsigned locked_sum;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t barrier;
static int bad_cpu;

static void *adder(void *arg)
{
	int cpu = (int)(intptr_t)arg;

	if (pin(cpu) || sched_getcpu() != cpu)
		__atomic_store_n(&bad_cpu, 1, __ATOMIC_SEQ_CST);
	for (int r = 0; r < ROUNDS; r++) {
		for (int i = 0; i < ADDS; i++) {
			__atomic_fetch_add(&atomic_sum, 1, __ATOMIC_SEQ_CST);
			pthread_mutex_lock(&lock);
			locked_sum++;
			pthread_mutex_unlock(&lock);
		}
		pthread_barrier_wait(&barrier);
	}
	return NULL;
}

static void threads(int n)
{
	pthread_t t[MAX_CPUS];

	pthread_barrier_init(&barrier, NULL, (unsigned)n);
	for (int i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, adder, (void *)(intptr_t)i)) {
			fail("pthread_create");
			return;
		}
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("smpwork: threads=%d atomic=%u locked=%u pinned=%s\n", n,
	       atomic_sum, locked_sum, bad_cpu ? "no" : "yes");
	if (atomic_sum != (unsigned)(n * ROUNDS * ADDS) ||
	    locked_sum != (unsigned)(n * ROUNDS * ADDS))
		fail("a lost update");
	if (bad_cpu)
		fail("a thread not on its CPU");
}

static int set_online(int cpu, int on)
{
	char path[64];
	int fd, ok;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ok = write(fd, on ? "1" : "0", 1) == 1;
	close(fd);
	return ok ? 0 : -1;
}

int main(void)
{
	int n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	int cpus[MAX_CPUS];

	setvbuf(stdout, NULL, _IOLBF, 0);
	INSNCOUNT_MARK(); /* 1: the parallel workload (2, 3) begins */
	printf("smpwork: online=%d\n", n);
	if (n < 1 || n > MAX_CPUS) {
		fail("CPU count");
		return 1;
	}
	for (int i = 0; i < n; i++)
		cpus[i] = i;
	hash_on(cpus, n, 1);
	threads(n);
	INSNCOUNT_MARK(); /* 2: ... ends; unplug, replug, one more hash */
	if (n > 1) {
		int last = n - 1;

		if (set_online(last, 0))
			fail("unplugging the last CPU");
		printf("smpwork: cpu%d unplugged: online=%ld\n", last,
		       sysconf(_SC_NPROCESSORS_ONLN));
		if (set_online(last, 1))
			fail("replugging the last CPU");
		printf("smpwork: cpu%d replugged: online=%ld\n", last,
		       sysconf(_SC_NPROCESSORS_ONLN));
		hash_on(&cpus[last], 1, 100);
	}
	INSNCOUNT_MARK(); /* 3 */
	printf("smpwork: %s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
