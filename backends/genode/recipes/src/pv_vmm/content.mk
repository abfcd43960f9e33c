#
# SPDX-License-Identifier: MIT
#
# Depot recipe (Genode's tool/depot) of the pvcore project: the pv_vmm
# component (src/server/pv_vmm, docs/genode.md) as a source archive.
#
# A depot build sees only this archive and its APIs (used_apis), so the
# static libraries pv_vmm links come along: libpvcore as in src/pvcore
# (whose content this includes) and lib/mk/pv_vmm_glue.mk, whose sources
# are in src/server/pv_vmm.
#

include $(REP_DIR)/recipes/src/pvcore/content.mk

MIRROR_FROM_REP_DIR := src/server/pv_vmm lib/mk/pv_vmm_glue.mk

content: $(MIRROR_FROM_REP_DIR)

$(MIRROR_FROM_REP_DIR):
	$(mirror_from_rep_dir)
