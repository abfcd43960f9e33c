# pvcore top-level driver. The two quick-start commands are `make demo` and
# `make check`; both install what they need first (tools/bootstrap.sh).
#
#   make demo       build everything and boot Debian's kernel on the Debian
#                   root filesystem under pvbm on QEMU sabrelite (tools/pvrun):
#                   a shell on a terminal, else DEMO_CMD and power-off
#   make check      every test suite: unit, unit-arm, system, oracle, fuzz-replay,
#                   plus the coverage report
#   make coverage   coverage report of libpvcore from the last `make check`
#   make fuzz-long  long libFuzzer campaigns (not part of check)
#   make soak       Debian under pvbm running disk, network, process and
#                   timer work for SOAK_SECONDS guest seconds (default 600),
#                   then fsck of its disk (scripts/soak.sh; not in check)
#   make bench      the performance report (docs/performance.md): one
#                   table, build/bench/bench.md, and one plot,
#                   build/bench/bench.svg, from bench-host, bench-linux and
#                   bench-trapmap (30-70 min; not in check)
#   make bench-host   its quick part: callgrind micro-paths of the core
#   make bench-linux  its Linux part: system workloads in the Linux guest,
#                   natively and under the VMM, in guest instructions
#   make bench-trapmap  trap maps of Linux workloads from a QEMU trace
#                   (after bench-linux; BENCH_TRAPMAP= skips them in bench)
#   make bench-report the table and plot again from the last runs
#   make dts        rewrite dts/pvboard.dts and dts/pvboard-virtio.dts from
#                   the board descriptors (tools/mkdts)
#   make modules    a pvpatch'ed module tree of the Debian kernel package in
#                   build/modules (tools/mk-modules.sh; docs/pvpatch.md)
#   make genode-check  the Genode backend built and run with Genode's own
#                   build system and run tool (tools/genode-check.sh): needs
#                   GENODE_DIR=<a Genode tree> with genode-imx, fetched
#                   outside the project; not in check
#   make thumb2-kernel  the Thumb-2 test kernel (Debian's linux-source-6.1,
#                   CONFIG_THUMB2_KERNEL) in build/thumb2-kernel; cached,
#                   ~6-9 min on 2 cores when it is built (check needs it)

B        ?= build
HOST      = $(B)/host
ARMNONE   = $(B)/arm-none
ARMHF     = $(B)/armhf
FUZZ      = $(B)/fuzz
PKGS      = $(B)/armhf-pkgs
THUMB2    = $(B)/thumb2-kernel
FUZZ_SECONDS ?= 600

.PHONY: all bootstrap pkgs configure build demo check test-host test-armhf modules thumb2-kernel \
        test-fuzz coverage fuzz-long dts soak bench bench-build bench-host \
        bench-linux bench-trapmap bench-report genode-check clean

all: build

bootstrap:
	@tools/bootstrap.sh

pkgs: bootstrap
	@tools/fetch-armhf.sh $(PKGS)

$(ARMNONE)/build.ninja: | bootstrap
	meson setup $(ARMNONE) --cross-file cross/arm-none-eabi.ini

$(HOST)/build.ninja: | bootstrap pkgs
	meson setup $(HOST) -Db_coverage=true \
	    -Dbaremetal_dir=$(abspath $(ARMNONE)) -Dguest_pkgs=$(abspath $(PKGS))/guest

$(ARMHF)/build.ninja: | bootstrap pkgs
	meson setup $(ARMHF) --cross-file cross/arm-linux-gnueabihf.ini \
	    -Darmhf_root=$(abspath $(PKGS))/root

$(FUZZ)/build.ninja: | bootstrap
	CC=clang meson setup $(FUZZ) -Dfuzz=true -Db_lundef=false

configure: $(ARMNONE)/build.ninja $(HOST)/build.ninja $(ARMHF)/build.ninja $(FUZZ)/build.ninja

build: configure
	ninja -C $(ARMNONE)
	ninja -C $(HOST)
	ninja -C $(ARMHF)
	ninja -C $(FUZZ)

dts: $(HOST)/build.ninja
	ninja -C $(HOST) tools/mkdts/mkdts
	$(HOST)/tools/mkdts/mkdts -o dts/pvboard.dts
	$(HOST)/tools/mkdts/mkdts --board virtio -o dts/pvboard-virtio.dts

thumb2-kernel: bootstrap
	@tools/mk-thumb2-kernel.sh $(THUMB2)

modules: pkgs $(HOST)/build.ninja
	ninja -C $(HOST) tools/pvpatch/pvpatch
	tools/mk-modules.sh $(HOST)/tools/pvpatch/pvpatch $(PKGS)/guest $(B)/modules

DEMO_CMD ?= uname -a; grep -m1 "model name" /proc/cpuinfo; mount | grep " / "; \
	df -h /; ip -4 addr show eth0; cat /sys/class/misc/hw_random/rng_current

demo: pkgs $(ARMNONE)/build.ninja
	ninja -C $(ARMNONE)
	@if [ -t 0 ] && [ -t 1 ]; then tools/pvrun --build $(B); \
	else tools/pvrun --build $(B) --cmd '$(DEMO_CMD)'; fi

test-host: build thumb2-kernel
	PV_THUMB2_KERNEL=$(abspath $(THUMB2)) meson test -C $(HOST) --print-errorlogs --num-processes 2

test-armhf: build
	meson test -C $(ARMHF) --print-errorlogs --suite unit-arm

test-fuzz: build
	meson test -C $(FUZZ) --print-errorlogs --suite fuzz-replay

check: build
	@rc=0; \
	$(MAKE) --no-print-directory test-host || rc=1; \
	$(MAKE) --no-print-directory test-armhf || rc=1; \
	$(MAKE) --no-print-directory test-fuzz || rc=1; \
	$(MAKE) --no-print-directory coverage || rc=1; \
	ls $(PKGS)/guest/boot/vmlinuz-* 2>/dev/null | sed 's|.*/vmlinuz-|guest kernel: |'; \
	scripts/summary.sh $(HOST) $(ARMHF) $(FUZZ) || rc=1; \
	exit $$rc

coverage:
	@mkdir -p $(HOST)/coverage
	gcovr -r . --filter 'libpvcore/' --object-directory $(HOST) \
	    --html-details $(HOST)/coverage/index.html --print-summary $(HOST) | tail -4

soak: pkgs $(ARMNONE)/build.ninja
	ninja -C $(ARMNONE)
	scripts/soak.sh $(B)

fuzz-long: $(FUZZ)/build.ninja
	ninja -C $(FUZZ)
	scripts/fuzz-long.sh $(FUZZ) $(FUZZ_SECONDS)

# The benchmarks (bench/README.md, docs/performance.md). build/bench is a
# host build without coverage instrumentation, so the counts are the
# library's own; its pvpatch patches the kernel of the Linux runs. Each part
# writes tab-separated numbers there (host.tsv, linux.tsv, trapmap.tsv) and
# bench/report.py turns them into the one table and the one plot.
BENCH     = $(B)/bench

$(BENCH)/build.ninja: | bootstrap
	meson setup $(BENCH)

bench-build: $(BENCH)/build.ninja
	ninja -C $(BENCH)

bench-host: bench-build
	bench/bench.sh $(BENCH)
	@python3 bench/report.py --host $(BENCH)/host.tsv

# The same kernel and initramfs natively (vexpress-a9 with the virtual
# board's device tree) and under pvbm, -icount shift=0 (docs/performance.md).
# BENCH_LINUX_ARGS picks workloads, e.g. "getppid pipe:1000"; PV_BENCH_JOBS
# runs that many QEMUs at a time (default 1).
bench-linux: pkgs bench-build $(ARMNONE)/build.ninja
	ninja -C $(ARMNONE)
	rm -f $(BENCH)/trapmap.tsv    # its images are rebuilt: stale
	PV_PVPATCH=$(abspath $(BENCH))/tools/pvpatch/pvpatch \
	PV_BENCH_TSV=$(abspath $(BENCH))/linux.tsv \
	    bench/bench-linux.sh $(ARMNONE) $(BENCH_LINUX_ARGS)

# Trap maps of one iteration each (bench/trapmap.sh), from the images
# bench-linux left in build/arm-none/linux-bench; 5-10 min per workload.
BENCH_TRAPMAP ?= getppid pagefault fork

bench-trapmap: bench-build
	PV_PVPATCH=$(abspath $(BENCH))/tools/pvpatch/pvpatch \
	PV_TRAPMAP_TSV=$(abspath $(BENCH))/trapmap.tsv \
	    bench/trapmap.sh $(ARMNONE) $(BENCH_TRAPMAP)

bench-report:
	python3 bench/report.py --host $(BENCH)/host.tsv --linux $(BENCH)/linux.tsv \
	    $(if $(wildcard $(BENCH)/trapmap.tsv),--trapmap $(BENCH)/trapmap.tsv) \
	    --md $(BENCH)/bench.md --svg $(BENCH)/bench.svg
	@echo "bench: $(BENCH)/bench.md and $(BENCH)/bench.svg written"

bench: bench-host bench-linux
	$(if $(strip $(BENCH_TRAPMAP)),@$(MAKE) --no-print-directory bench-trapmap)
	@$(MAKE) --no-print-directory bench-report

# The Genode backend under Genode (docs/genode.md). GENODE_DIR (and
# GENODE_IMX_DIR, ...) come from the caller: tools/genode-check.sh says what
# it needs and fetches nothing.
genode-check:
	PV_BUILD=$(abspath $(B)) tools/genode-check.sh

clean:
	rm -rf $(HOST) $(ARMNONE) $(ARMHF) $(FUZZ) $(B)/bench
