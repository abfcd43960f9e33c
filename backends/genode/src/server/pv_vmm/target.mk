# pv_vmm: a pvcore VMM as a Genode component (docs/genode.md). main.cc is
# the Genode glue; the rest is the portable part (lib/mk/pv_vmm_glue.mk)
# and libpvcore (lib/mk/pvcore.mk). Needs the PV VM service of core, the
# base-hw kernel extension in src/core/pv_vm.
TARGET   = pv_vmm
SRC_CC   = main.cc
LIBS    += base pv_vmm_glue pvcore
INC_DIR += $(REP_DIR)/include $(PRG_DIR)
