# The kernel extension's portable part (src/core/pv_vm: the checked copy of
# a VM's shadow tables, docs/genode.md), as a library so that it builds
# with Genode's tool chain before the extension around it exists. It needs
# only pvcore's public headers, no pvcore code.
PVCORE_DIR := $(realpath $(REP_DIR)/../..)

SRC_C := table_check.c run_check.c kernel_vm.c
vpath %.c $(REP_DIR)/src/core/pv_vm

INC_DIR += $(REP_DIR)/include $(REP_DIR)/src/core/pv_vm $(PVCORE_DIR)/include

CC_C_OPT += -std=gnu11 -fno-builtin
CC_WARN  = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter
