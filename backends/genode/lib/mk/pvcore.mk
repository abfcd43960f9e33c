# libpvcore for Genode components (docs/genode.md): the project's portable
# core, compiled with Genode's tool chain from the project's own tree.
# This directory is a Genode external repository: etc/build.conf names it
# with REPOSITORIES += <pvcore>/backends/genode.
PVCORE_DIR := $(realpath $(REP_DIR)/../..)

SRC_C := $(notdir $(wildcard $(PVCORE_DIR)/libpvcore/*.c))
vpath %.c $(PVCORE_DIR)/libpvcore

include $(REP_DIR)/lib/import/import-pvcore.mk
INC_DIR += $(PVCORE_DIR)/libpvcore

# The core is freestanding C11 with the warnings of the project's own
# builds (meson.build, core_args); Genode's defaults are for C++. It
# brings its own memcpy and memset (libpvcore/libc.c), whose loops must
# not become calls to them.
CC_C_OPT += -std=gnu11 -fno-builtin -fno-tree-loop-distribute-patterns
CC_WARN  = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter

