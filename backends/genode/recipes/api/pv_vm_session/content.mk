#
# SPDX-License-Identifier: MIT
#
# Depot recipe (Genode's tool/depot) of the pvcore project: the PV VM
# session's RPC interface (include/pv_vm_session) and the ABIs between the
# base-hw kernel extension and the VMM (include/pv_genode: the vCPU state
# page, the table log page), as an API archive (docs/genode.md).
#

MIRRORED_FROM_REP_DIR := include/pv_vm_session include/pv_genode

content: $(MIRRORED_FROM_REP_DIR) LICENSE

$(MIRRORED_FROM_REP_DIR):
	$(mirror_from_rep_dir)

LICENSE:
	cp $(REP_DIR)/../../LICENSE $@
