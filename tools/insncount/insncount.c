// SPDX-License-Identifier: MIT
/*
 * insncount: a QEMU TCG plugin that counts the guest instructions every
 * emulated CPU executes, and reports the counts whenever a guest program
 * executes the marker instruction. It gives guest-instruction counts
 * where -icount cannot: QEMU 7.2 runs Debian's kernel natively on
 * sabrelite with four CPUs only with MTTCG (docs/performance.md, "Four
 * CPUs against native").
 *
 *   qemu-system-arm ... -plugin <build>/tools/insncount/libinsncount.so
 *
 * The marker is `orr ip, ip, ip` (A32 0xe18cc00c), a no-op no compiler
 * emits: a program brackets the work to measure with two of them
 * (tests/linux/stress/smpwork.c, pingpong.c). It is executed at PL0 both
 * natively and under pvbm (pvpatch leaves user programs alone), so the
 * same program marks the same stretch in both runs. At each marker the
 * plugin prints
 *
 *   insncount: marker <k> cpu <c> total <n> [cpu0 <n0> cpu1 <n1> ...]
 *
 * and at exit "insncount: exit total <n> [...]". Counts are of
 * instructions in translated blocks entered (a block left early by an
 * exception counts whole), over every CPU, so they include idle loops,
 * spinning, and under pvbm all of the VMM's own work.
 *
 * QEMU installs no plugin header on Debian 12; the few declarations
 * below follow the plugin API of QEMU 7.2 (API version 1,
 * docs/devel/tcg-plugins.rst).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- the QEMU plugin API (version 1), as far as this plugin uses it ---- */

typedef uint64_t qemu_plugin_id_t;
struct qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
					       struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index,
					    void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
					  qemu_plugin_vcpu_udata_cb_t cb,
					  enum qemu_plugin_cb_flags flags,
					  void *userdata);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags,
					    void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
				    qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
						 size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
void qemu_plugin_outs(const char *string);

#define EXPORT __attribute__((visibility("default")))

/* ---- the plugin ---------------------------------------------------------- */

#define MARKER 0xe18cc00cu /* orr ip, ip, ip */
#define MAX_CPUS 64

/* One counter per CPU, each written only by its own vCPU thread (MTTCG):
 * no read-modify-write atomics needed, only relaxed loads and stores, so
 * that another thread's report may read it (a slightly stale value of
 * another CPU's counter is fine). */
static uint64_t count[MAX_CPUS];
static unsigned ncpus_seen;
static unsigned markers;

EXPORT int qemu_plugin_version = 1;

static void tb_exec(unsigned int cpu, void *n)
{
	if (cpu < MAX_CPUS) {
		__atomic_store_n(&count[cpu],
				 __atomic_load_n(&count[cpu], __ATOMIC_RELAXED) +
					 (uintptr_t)n,
				 __ATOMIC_RELAXED);
		if (cpu >= __atomic_load_n(&ncpus_seen, __ATOMIC_RELAXED))
			__atomic_store_n(&ncpus_seen, cpu + 1, __ATOMIC_RELAXED);
	}
}

static void report(const char *what)
{
	char line[96 + 32 * MAX_CPUS];
	size_t len;
	uint64_t total = 0;
	unsigned n = __atomic_load_n(&ncpus_seen, __ATOMIC_RELAXED);

	for (unsigned i = 0; i < n; i++)
		total += __atomic_load_n(&count[i], __ATOMIC_RELAXED);
	len = (size_t)snprintf(line, sizeof(line), "insncount: %s total %" PRIu64,
			       what, total);
	for (unsigned i = 0; i < n && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len,
					" cpu%u %" PRIu64, i,
					__atomic_load_n(&count[i], __ATOMIC_RELAXED));
	if (len < sizeof(line) - 1) {
		line[len++] = '\n';
		line[len] = 0;
	}
	qemu_plugin_outs(line);
}

static void marker_exec(unsigned int cpu, void *unused)
{
	char what[48];
	unsigned k = __atomic_add_fetch(&markers, 1, __ATOMIC_RELAXED);

	(void)unused;
	snprintf(what, sizeof(what), "marker %u cpu %u", k, cpu);
	report(what);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS,
					     (void *)(uintptr_t)n);
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint32_t word;

		if (qemu_plugin_insn_size(insn) != 4)
			continue;
		memcpy(&word, qemu_plugin_insn_data(insn), 4);
		if (word == MARKER)
			qemu_plugin_register_vcpu_insn_exec_cb(
				insn, marker_exec, QEMU_PLUGIN_CB_NO_REGS, NULL);
	}
}

static void at_exit(qemu_plugin_id_t id, void *unused)
{
	(void)id;
	(void)unused;
	report("exit");
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
			       const struct qemu_info_t *info, int argc,
			       char **argv);

EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
			       const struct qemu_info_t *info, int argc,
			       char **argv)
{
	(void)info;
	(void)argv;
	if (argc) {
		qemu_plugin_outs("insncount: takes no arguments\n");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
