# The portable part of the pv_vmm component (src/server/pv_vmm: the exit
# translation, the <config> node and the table log), as a library so that
# it builds, and is checked freestanding, before the component exists
# (docs/genode.md).
PVCORE_DIR := $(realpath $(REP_DIR)/../..)

SRC_C := vm_exit.c vmm_config.c table_log.c vmm_backend.c fdt_chosen.c
vpath %.c $(REP_DIR)/src/server/pv_vmm

INC_DIR += $(REP_DIR)/include $(REP_DIR)/src/server/pv_vmm
LIBS    += pvcore

CC_C_OPT += -std=gnu11 -fno-builtin
CC_WARN  = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter
