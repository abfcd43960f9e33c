#
# SPDX-License-Identifier: MIT
#
# Depot recipe (Genode's tool/depot) of the pvcore project: libpvcore as a
# source archive, built with lib/mk/pvcore.mk (docs/genode.md).
#
# The archive holds libpvcore/ and include/pvcore/ of the pvcore tree (two
# levels above this repository, backends/genode) at its root, so
# lib/mk/pvcore.mk is rewritten to find them there: PVCORE_DIR is the
# archive itself. Its include/ is on every user's include path, as each
# depot archive's is.
#
# Genode's depot tools take recipes from <genode>/repos/*/recipes only:
# link this repository there first, e.g.
#   ln -s <pvcore>/backends/genode <genode>/repos/pvcore
#

PVCORE_DIR := $(REP_DIR)/../..

PVCORE_LIB_SRC := $(notdir $(wildcard $(PVCORE_DIR)/libpvcore/*.c \
                                      $(PVCORE_DIR)/libpvcore/*.h))

content: libpvcore include/pvcore lib/mk/pvcore.mk \
         lib/import/import-pvcore.mk LICENSE

libpvcore:
	mkdir -p $@
	cp $(addprefix $(PVCORE_DIR)/libpvcore/,$(PVCORE_LIB_SRC)) $@/

include/pvcore:
	mkdir -p include
	cp -r $(PVCORE_DIR)/include/pvcore include/

lib/mk/pvcore.mk:
	mkdir -p $(dir $@)
	sed 's|^PVCORE_DIR *:=.*|PVCORE_DIR := $$(REP_DIR)|' $(REP_DIR)/$@ > $@
	grep -qx 'PVCORE_DIR := $$(REP_DIR)' $@

lib/import/import-pvcore.mk:
	$(mirror_from_rep_dir)

LICENSE:
	cp $(PVCORE_DIR)/LICENSE $@
