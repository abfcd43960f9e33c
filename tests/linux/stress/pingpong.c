// SPDX-License-Identifier: MIT
/*
 * Cross-CPU wake-ups (the linux-smp system test, and its numbers in
 * docs/performance.md): two processes pinned to two different CPUs pass
 * a counter back and forth through two pipes. Each sleeps in read()
 * between its turns, so its CPU goes idle (WFI), and every turn is one
 * CPU waking another with a reschedule IPI. Under pvbm that IPI is an
 * SGI between vCPUs, and the sleeping vCPU's host core must notice it.
 *
 *   pingpong [rounds [cpu-a cpu-b]]     default 500 rounds, CPUs 1 and 2
 *
 * Prints one result line that does not depend on timing
 * ("pingpong: <rounds> round trips between cpu<a> and cpu<b>: ok") and one
 * that does ("pingpong-time: ... us per round trip", CLOCK_MONOTONIC,
 * guest time), and brackets the timed round trips with tools/insncount's
 * markers. Exit status 0 only if every value came back as sent.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "insncount_mark.h"

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static int xfer(int fd, uint32_t *v, int out)
{
	ssize_t n = out ? write(fd, v, sizeof(*v)) : read(fd, v, sizeof(*v));

	return n == (ssize_t)sizeof(*v) ? 0 : -1;
}

/* The far side: add one to what arrives and send it back. */
static int echo(int in, int out, long rounds)
{
	uint32_t v;

	for (long i = 0; i < rounds; i++)
		if (xfer(in, &v, 0) || (v++, xfer(out, &v, 1)))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? strtol(argv[1], NULL, 0) : 500;
	int a = argc > 3 ? atoi(argv[2]) : 1, b = argc > 3 ? atoi(argv[3]) : 2;
	int there[2], back[2], status, bad = 0;
	struct timespec t0, t1;
	uint32_t v = 0;
	pid_t pid;
	double us;

	if (rounds < 1 || pipe(there) || pipe(back)) {
		perror("pingpong: setup");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("pingpong: fork");
		return 2;
	}
	if (pid == 0) {
		if (pin(b)) {
			perror("pingpong: pin the far side");
			_exit(2);
		}
		_exit(echo(there[0], back[1], rounds));
	}
	if (pin(a)) {
		perror("pingpong: pin");
		bad = 1;
	}
	/* One untimed round: both sides pinned and running before the clock. */
	if (xfer(there[1], &v, 1) || xfer(back[0], &v, 0) || v != 1)
		bad = 1;
	INSNCOUNT_MARK(); /* the timed round trips begin ... */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 1; i < rounds && !bad; i++) {
		uint32_t sent = v;

		if (xfer(there[1], &v, 1) || xfer(back[0], &v, 0) || v != sent + 1)
			bad = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	INSNCOUNT_MARK(); /* ... and end */
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		bad = 1;
	if (v != (uint32_t)rounds)
		bad = 1;
	us = ((double)(t1.tv_sec - t0.tv_sec) * 1e6 +
	      (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) / (double)(rounds - 1);
	printf("pingpong: %ld round trips between cpu%d and cpu%d: %s\n",
	       rounds, a, b, bad ? "FAIL" : "ok");
	printf("pingpong-time: %.1f us per round trip\n", rounds > 1 ? us : 0.0);
	return bad;
}
