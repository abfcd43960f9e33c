# pvcore top-level driver. The two quick-start commands are `make demo` and
# `make check`; both install what they need first (tools/bootstrap.sh).
#
#   make demo       build everything and boot the demo guest on QEMU sabrelite
#   make check      every test suite: unit, unit-arm, system, oracle, fuzz-replay,
#                   plus the coverage report
#   make coverage   coverage report of libpvcore from the last `make check`
#   make fuzz-long  long libFuzzer campaigns (not part of check)
#   make bench      callgrind benchmarks (numbers go to docs/)
#   make bench-linux  system workloads in the Linux guest, natively and under
#                   the VMM, in guest instructions (10-20 min; not in check)

B        ?= build
HOST      = $(B)/host
ARMNONE   = $(B)/arm-none
ARMHF     = $(B)/armhf
FUZZ      = $(B)/fuzz
PKGS      = $(B)/armhf-pkgs
FUZZ_SECONDS ?= 600

.PHONY: all bootstrap pkgs configure build demo check test-host test-armhf \
        test-fuzz coverage fuzz-long bench bench-linux clean

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

demo: pkgs $(ARMNONE)/build.ninja
	ninja -C $(ARMNONE)
	tools/run-demo.sh $(ARMNONE)

test-host: build
	meson test -C $(HOST) --print-errorlogs --num-processes 2

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
	scripts/summary.sh $(HOST) $(ARMHF) $(FUZZ) || rc=1; \
	exit $$rc

coverage:
	@mkdir -p $(HOST)/coverage
	gcovr -r . --filter 'libpvcore/' --object-directory $(HOST) \
	    --html-details $(HOST)/coverage/index.html --print-summary $(HOST) | tail -4

fuzz-long: $(FUZZ)/build.ninja
	ninja -C $(FUZZ)
	scripts/fuzz-long.sh $(FUZZ) $(FUZZ_SECONDS)

# Without coverage instrumentation, so the counts are the library's own.
bench: | bootstrap
	test -f $(B)/bench/build.ninja || meson setup $(B)/bench
	ninja -C $(B)/bench
	bench/bench.sh $(B)/bench

# The same kernel and initramfs natively and under pvbm, -icount shift=0
# (docs/linux-guest.md, "System workloads"). BENCH_LINUX_ARGS picks
# workloads, e.g. "getppid pipe:1000".
bench-linux: pkgs $(ARMNONE)/build.ninja
	ninja -C $(ARMNONE)
	bench/bench-linux.sh $(ARMNONE) $(BENCH_LINUX_ARGS)

clean:
	rm -rf $(HOST) $(ARMNONE) $(ARMHF) $(FUZZ) $(B)/bench
