# Users of libpvcore (LIBS += pvcore) get its public headers: <pvcore/...>.
INC_DIR += $(realpath $(REP_DIR)/../../include)
