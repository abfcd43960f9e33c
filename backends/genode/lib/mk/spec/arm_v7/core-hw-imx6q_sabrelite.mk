# SPDX-License-Identifier: MIT
# Core of base-hw for imx6q_sabrelite with the PV VM service (docs/genode.md,
# "How the extension plugs into core"). Genode takes a library's .mk from
# the first repository that has it: with backends/genode listed before
# genode-imx in etc/build.conf, this file replaces genode-imx's. The board
# is the same; what differs:
#  - src/core/board/imx6q_sabrelite/board.h (ours) is found first: a vCPU
#    with the state a PV guest context needs;
#  - base-hw's kernel calls for vCPUs (vcpu_thread_on.cc) instead of its
#    empty ones, and the PV vCPU (src/core/pv_vm/vcpu.cc) behind them;
#  - platform_services.cc registers the PV_VM service.
REQUIRES = hw

PVCORE_DIR := $(realpath $(REP_DIR)/../..)

REP_INC_DIR += src/core/board/imx6q_sabrelite
INC_DIR     += $(REP_DIR)/include $(REP_DIR)/src/core/pv_vm $(PVCORE_DIR)/include

SRC_CC += pv_vm/platform_services.cc
SRC_CC += pv_vm/session_component.cc
SRC_CC += pv_vm/vcpu.cc
SRC_S  += pv_vm/window.S
SRC_C  += pv_vm/table_check.c pv_vm/run_check.c pv_vm/kernel_vm.c

vpath pv_vm/% $(REP_DIR)/src/core

include $(call select_from_repositories,lib/mk/spec/arm_v7/core-hw-cortex_a9.inc)

SRC_CC := $(filter-out kernel/vcpu_thread_off.cc,$(SRC_CC))
SRC_CC += kernel/vcpu_thread_on.cc

# pvcore's C conventions for the portable part
CC_C_OPT += -std=gnu11 -fno-builtin
