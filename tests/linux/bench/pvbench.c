// SPDX-License-Identifier: MIT
/*
 * pvbench: system micro-workloads for the Linux guest (docs/linux-guest.md,
 * "System workloads"). A freestanding static ARM EABI Linux program: raw
 * syscalls (svc #0, number in r7), no libc, its own _start, so that the
 * arm-none-eabi toolchain builds it and the same binary runs natively and
 * under pvbm.
 *
 *   pvbench [all | none | name[:iters][,name[:iters]...]]
 *
 * Every workload always runs its setup and a short warm-up; only the named
 * ones (all: every one) run their timed loop, the others run it zero
 * times. So two runs differ in nothing but timed loops, and the VMM's
 * power-off trap counters of "W" minus those of "none", divided by W's
 * iterations, are W's traps per iteration (bench/bench-linux.sh).
 *
 * Each workload prints one line:
 *   pvbench: <name> iters=<n> ns=<CLOCK_MONOTONIC delta> ns/iter=<x.y>
 * Under qemu -icount shift=0 one nanosecond is one guest instruction, the
 * VMM's own instructions included, since the VMM runs on the emulated CPU.
 */
#include <stddef.h>
#include <stdint.h>

/* ARM EABI syscall numbers (arch/arm/tools/syscall.tbl). */
#define NR_exit_group 248
#define NR_fork 2
#define NR_read 3
#define NR_write 4
#define NR_close 6
#define NR_ioctl 54
#define NR_getppid 64
#define NR_munmap 91
#define NR_wait4 114
#define NR_sched_setscheduler 156
#define NR_sched_yield 158
#define NR_mmap2 192
#define NR_pipe2 359
#define NR_clock_gettime64 403
#define NR_clock_getres_time64 406

#define CLOCK_MONOTONIC 1
#define SCHED_OTHER 0
#define SCHED_FIFO 1
#define PROT_RW 3               /* PROT_READ | PROT_WRITE */
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_ANONYMOUS 0x20
#define TCSBRK 0x5409
#define PAGE 4096u

struct ts64 {
	int64_t sec, nsec;
};

static long sc6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r0 __asm__("r0") = a;
	register long r1 __asm__("r1") = b;
	register long r2 __asm__("r2") = c;
	register long r3 __asm__("r3") = d;
	register long r4 __asm__("r4") = e;
	register long r5 __asm__("r5") = f;
	register long r7 __asm__("r7") = n;

	__asm__ volatile("svc #0"
			 : "+r"(r0)
			 : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r7)
			 : "memory");
	return r0;
}

/* The timed loops use this one: no argument setup beyond the number. */
static long sc0(long n)
{
	register long r0 __asm__("r0");
	register long r7 __asm__("r7") = n;

	__asm__ volatile("svc #0" : "=r"(r0) : "r"(r7) : "memory");
	return r0;
}

#define sc1(n, a) sc6(n, (long)(a), 0, 0, 0, 0, 0)
#define sc2(n, a, b) sc6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sc3(n, a, b, c) sc6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sc4(n, a, b, c, d) \
	sc6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

static __attribute__((noreturn)) void sys_exit(int code)
{
	for (;;)
		sc1(NR_exit_group, code);
}

/* ---- output ---- */

static size_t slen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static void put(const char *s)
{
	sc3(NR_write, 1, s, slen(s));
}

static void put_u64(uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);

	*--p = 0;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(p);
}

static __attribute__((noreturn)) void die(const char *what, long err)
{
	put("pvbench: error: ");
	put(what);
	put(" failed: ");
	put_u64((uint64_t)-err);
	put("\n");
	sys_exit(2);
}

static long check(long r, const char *what)
{
	if (r < 0 && r > -4096)
		die(what, r);
	return r;
}

static uint64_t now_ns(void)
{
	struct ts64 t;

	check(sc2(NR_clock_gettime64, CLOCK_MONOTONIC, &t), "clock_gettime64");
	return (uint64_t)t.sec * 1000000000u + (uint64_t)t.nsec;
}

/* ---- the workloads: run(iters) does setup, warm-up, loop, teardown ---- */

static uint64_t t0, t1;
static int64_t other = -1;     /* the partner's iterations, if it counts */

static void start(void)
{
	t0 = now_ns();
}

static void stop(void)
{
	t1 = now_ns();
}

static void w_getppid(unsigned n)
{
	for (unsigned i = 0; i < 64; i++)
		sc0(NR_getppid);
	start();
	for (unsigned i = 0; i < n; i++)
		sc0(NR_getppid);
	stop();
}

static void fork_wait_one(void)
{
	int status;
	long pid = check(sc0(NR_fork), "fork");

	if (pid == 0)
		sys_exit(0);
	check(sc4(NR_wait4, pid, &status, 0, 0), "wait4");
}

static void w_fork(unsigned n)
{
	for (unsigned i = 0; i < 4; i++)
		fork_wait_one();
	start();
	for (unsigned i = 0; i < n; i++)
		fork_wait_one();
	stop();
}

/*
 * One round trip: the parent writes a byte into one pipe, the child reads
 * it and writes it back through the other. Each round trip blocks twice,
 * so it is two context switches on one CPU.
 */
static void round_trip(int wfd, int rfd)
{
	char c = 'x';

	if (sc3(NR_write, wfd, &c, 1) != 1 || sc3(NR_read, rfd, &c, 1) != 1)
		die("pipe round trip", -5);
}

static void w_pipe(unsigned n)
{
	int to_child[2], to_parent[2], status;
	char c;
	long pid;

	check(sc2(NR_pipe2, to_child, 0), "pipe2");
	check(sc2(NR_pipe2, to_parent, 0), "pipe2");
	pid = check(sc0(NR_fork), "fork");
	if (pid == 0) {
		sc1(NR_close, to_child[1]);
		while (sc3(NR_read, to_child[0], &c, 1) == 1)
			sc3(NR_write, to_parent[1], &c, 1);
		sys_exit(0);
	}
	sc1(NR_close, to_child[0]);
	for (unsigned i = 0; i < 64; i++)
		round_trip(to_child[1], to_parent[0]);
	start();
	for (unsigned i = 0; i < n; i++)
		round_trip(to_child[1], to_parent[0]);
	stop();
	sc1(NR_close, to_child[1]);     /* EOF: the child exits */
	check(sc4(NR_wait4, pid, &status, 0, 0), "wait4");
	sc1(NR_close, to_parent[0]);
	sc1(NR_close, to_parent[1]);
}

static void *map(size_t len, int flags)
{
	long p = sc6(NR_mmap2, 0, (long)len, PROT_RW, flags | MAP_ANONYMOUS,
		     -1, 0);

	return (void *)check(p, "mmap2");
}

/* Map 16 pages, write one word in each (16 page faults), unmap. */
static void mmap_touch_one(void)
{
	volatile uint32_t *p = map(16 * PAGE, MAP_PRIVATE);

	for (unsigned k = 0; k < 16; k++)
		p[k * PAGE / 4] = k;
	check(sc2(NR_munmap, p, 16 * PAGE), "munmap");
}

static void w_mmap(unsigned n)
{
	for (unsigned i = 0; i < 8; i++)
		mmap_touch_one();
	start();
	for (unsigned i = 0; i < n; i++)
		mmap_touch_one();
	stop();
}

/*
 * Two processes that sched_yield() to each other. The parent's iteration
 * is one yield, i.e. a switch to the child and back; the child counts its
 * yields in shared memory, so the report shows that it really ran. Both
 * are SCHED_FIFO: there a yield always goes to the other task. Under CFS
 * it does not while the fresh child's vruntime is ahead, and natively the
 * whole loop ran without the child (partner-iters=0). The default count
 * stays far below RT throttling's 0.95 s per second, even under the VMM.
 */
static void w_yield(unsigned n)
{
	volatile uint32_t *sh = map(PAGE, MAP_SHARED); /* [0] stop, [1] count */
	int prio = 1, status;
	uint32_t c0;
	long pid;

	sh[0] = sh[1] = 0;
	check(sc3(NR_sched_setscheduler, 0, SCHED_FIFO, &prio),
	      "sched_setscheduler");
	pid = check(sc0(NR_fork), "fork");
	if (pid == 0) {
		while (!sh[0]) {
			sc0(NR_sched_yield);
			sh[1]++;
		}
		sys_exit(0);
	}
	for (unsigned i = 0; i < 64; i++)
		sc0(NR_sched_yield);
	c0 = sh[1];
	start();
	for (unsigned i = 0; i < n; i++)
		sc0(NR_sched_yield);
	stop();
	other = sh[1] - c0;
	sh[0] = 1;
	check(sc4(NR_wait4, pid, &status, 0, 0), "wait4");
	prio = 0;
	check(sc3(NR_sched_setscheduler, 0, SCHED_OTHER, &prio),
	      "sched_setscheduler");
	check(sc2(NR_munmap, sh, PAGE), "munmap");
}

/*
 * Page faults alone: the iteration is one write to a fresh page. The pages
 * come from PF_ROUNDS mappings, each mapped and unmapped outside the timed
 * part; the number of mappings does not depend on the count, so a run
 * with zero iterations makes the same mmap and munmap calls.
 */
#define PF_ROUNDS 16u
static void w_pagefault(unsigned n)
{
	unsigned per = (n + PF_ROUNDS - 1) / PF_ROUNDS, done = 0;
	size_t len = (per ? per : 1) * PAGE;
	uint64_t total = 0;

	mmap_touch_one();       /* warm-up */
	for (unsigned r = 0; r < PF_ROUNDS; r++) {
		volatile uint32_t *p = map(len, MAP_PRIVATE);
		unsigned m = n - done < per ? n - done : per;

		start();
		for (unsigned k = 0; k < m; k++)
			p[k * PAGE / 4] = k;
		stop();
		total += t1 - t0;
		done += m;
		check(sc2(NR_munmap, p, len), "munmap");
	}
	t0 = 0;
	t1 = total;
}

/*
 * CPU-bound: the iteration is CPU_SPIN turns of a two-instruction loop
 * (subs, bne), a million user-mode instructions, 1 ms of guest time
 * natively under -icount shift=0. No system call and no fault inside the
 * timed part, so what the VMM adds is the timer ticks (HZ=250: one every
 * 4 iterations natively) and whatever the guest kernel does in them.
 */
#define CPU_SPIN 500000u
static void spin(unsigned turns)
{
	__asm__ volatile("1:	subs	%0, %0, #1\n"
			 "	bne	1b"
			 : "+r"(turns)
			 :
			 : "cc");
}

static void w_cpu(unsigned n)
{
	spin(CPU_SPIN);         /* warm-up */
	start();
	for (unsigned i = 0; i < n; i++)
		spin(CPU_SPIN);
	stop();
}

struct workload {
	const char *name;
	void (*run)(unsigned iters);
	unsigned iters;         /* default count of a selected workload */
	const char *what;
};

/*
 * Default counts: about 0.2-0.5 s of guest time each under the VMM (10-20 s
 * of QEMU wall time), still thousands of iterations where they are cheap.
 * cpu: 0.4 s natively, 100 timer ticks at HZ=250.
 */
static struct workload wl[] = {
	{ "getppid", w_getppid, 10000, "null syscall" },
	{ "fork", w_fork, 100, "fork + child exit + wait4" },
	{ "pipe", w_pipe, 500, "pipe ping-pong round trip, 1 byte" },
	{ "mmap", w_mmap, 100, "mmap 16 pages + touch each + munmap" },
	{ "yield", w_yield, 1000, "sched_yield between two SCHED_FIFO processes" },
	{ "pagefault", w_pagefault, 2048, "anonymous write fault, per page" },
	{ "cpu", w_cpu, 400, "CPU-bound loop, 1 M user instructions" },
};
#define NWL (sizeof(wl) / sizeof(wl[0]))

static int streq_n(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return b[n] == 0;
}

static unsigned parse_u(const char *s, size_t n)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			die("iteration count", -22);
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v;
}

/* "all", "none" or name[:iters],... -> run[] (0 = loop not run). */
static void select_workloads(const char *arg, unsigned *run)
{
	if (streq_n(arg, "all", 3) || streq_n(arg, "none", 4)) {
		for (unsigned i = 0; i < NWL; i++)
			run[i] = arg[0] == 'a' ? wl[i].iters : 0;
		return;
	}
	while (*arg) {
		size_t len = 0, nlen;
		unsigned i;

		while (arg[len] && arg[len] != ',')
			len++;
		for (nlen = 0; nlen < len && arg[nlen] != ':'; nlen++)
			;
		for (i = 0; i < NWL; i++)
			if (streq_n(arg, wl[i].name, nlen))
				break;
		if (i == NWL) {
			put("pvbench: unknown workload in '");
			put(arg);
			put("'\n");
			sys_exit(2);
		}
		run[i] = nlen < len ? parse_u(arg + nlen + 1, len - nlen - 1)
				    : wl[i].iters;
		arg += len + (arg[len] == ',');
	}
}

/* Wait until the console has sent our line, so that its interrupts do
 * not land in the next timed loop. */
static void drain(void)
{
	sc3(NR_ioctl, 1, TCSBRK, 1);
}

static void report(const struct workload *w, unsigned iters, uint64_t ns)
{
	put("pvbench: ");
	put(w->name);
	put(" iters=");
	put_u64(iters);
	put(" ns=");
	put_u64(ns);
	if (iters) {
		uint64_t tenths = (ns * 10 + iters / 2) / iters;

		put(" ns/iter=");
		put_u64(tenths / 10);
		put(".");
		put_u64(tenths % 10);
	}
	if (other >= 0) {
		put(" partner-iters=");
		put_u64((uint64_t)other);
		other = -1;
	}
	put(" (");
	put(w->what);
	put(")\n");
	drain();
}

int pvbench_main(int argc, char **argv);
int pvbench_main(int argc, char **argv)
{
	unsigned run[NWL];
	struct ts64 res;

	for (unsigned i = 0; i < NWL; i++)
		run[i] = 0;

	select_workloads(argc > 1 ? argv[1] : "all", run);
	check(sc2(NR_clock_getres_time64, CLOCK_MONOTONIC, &res),
	      "clock_getres_time64");
	put("pvbench: CLOCK_MONOTONIC resolution ");
	put_u64((uint64_t)res.nsec);
	put(" ns\n");
	for (unsigned i = 0; i < NWL; i++) {
		wl[i].run(run[i]);
		report(&wl[i], run[i], t1 - t0);
	}
	put("pvbench: done\n");
	drain();
	return 0;
}

/* Linux enters with sp -> argc, argv[], NULL, envp[]. */
__asm__(".text\n"
	".global _start\n"
	".type _start, %function\n"
	"_start:\n"
	"	ldr r0, [sp]\n"
	"	add r1, sp, #4\n"
	"	bic sp, sp, #7\n"
	"	bl pvbench_main\n"
	"	mov r7, #248\n"         /* exit_group */
	"	svc #0\n"
	"	b .\n");
