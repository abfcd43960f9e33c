/* SPDX-License-Identifier: MIT */
/*
 * The decode component's shared parts: the pattern-table walker and the
 * class properties (names, sensitivity) the trap path and patcher use.
 */
#include "decode_internal.h"

#include "pv_internal.h"

int pv_dec_table(const struct pv_dec_pattern *tab, size_t n, uint32_t w,
		 struct pv_insn *out)
{
	size_t i = pv_dec_match(tab, n, w);
	int err;

	if (i == n) {
		out->cls = PV_IC_NONE;
		return PV_ENOTOURS;
	}
	out->cls = tab[i].cls;
	if (!tab[i].fn)
		return out->cls == PV_IC_NONE ? PV_ENOTOURS :
		       out->cls == PV_IC_UNDEF ? PV_EUNDEF : 0;
	err = tab[i].fn(w, out);
	if (err == PV_EUNDEF)
		out->cls = PV_IC_UNDEF;
	else if (err == PV_ENOTOURS)
		out->cls = PV_IC_NONE;
	return err;
}

int pv_dec_undef(uint32_t w, struct pv_insn *out)
{
	(void)w;
	(void)out;
	return PV_EUNDEF;
}

int pv_dec_notours(uint32_t w, struct pv_insn *out)
{
	(void)w;
	(void)out;
	return PV_ENOTOURS;
}

static const struct {
	const char *name;
	bool sensitive; /* does not trap at PL0 but behaves differently there */
} class_info[PV_IC_COUNT] = {
	[PV_IC_NONE] = { "none", false },
	[PV_IC_UNDEF] = { "undef", false },
	[PV_IC_CP_MOVE] = { "cp-move", false },
	[PV_IC_VFP_SYS] = { "vfp-sys", false },
	[PV_IC_CPS] = { "cps", true },
	[PV_IC_MRS] = { "mrs", true },
	[PV_IC_MSR] = { "msr", true },
	[PV_IC_SRS] = { "srs", true },
	[PV_IC_RFE] = { "rfe", true },
	[PV_IC_LDM_USER] = { "ldm-user", true },
	[PV_IC_LDM_ERET] = { "ldm-eret", true },
	[PV_IC_STM_USER] = { "stm-user", true },
	[PV_IC_DP_ERET] = { "dp-eret", true },
	[PV_IC_LDRT_STRT] = { "ldrt-strt", true },
	[PV_IC_WFI] = { "wfi", true },
	[PV_IC_WFE] = { "wfe", true },
	[PV_IC_SEV] = { "sev", false },
	[PV_IC_YIELD] = { "yield", false },
	[PV_IC_SVC] = { "svc", false },
	[PV_IC_BKPT] = { "bkpt", false },
	[PV_IC_UDF] = { "udf", false },
	[PV_IC_SMC] = { "smc", false },
	[PV_IC_HVC] = { "hvc", false },
	[PV_IC_LOAD] = { "load", false },
	[PV_IC_STORE] = { "store", false },
	[PV_IC_LDM] = { "ldm", false },
	[PV_IC_STM] = { "stm", false },
	[PV_IC_LDREX] = { "ldrex", false },
	[PV_IC_STREX] = { "strex", false },
};

bool pv_insn_class_sensitive(enum pv_insn_class cls)
{
	return (unsigned)cls < PV_IC_COUNT && class_info[cls].sensitive;
}

const char *pv_insn_class_name(enum pv_insn_class cls)
{
	if ((unsigned)cls >= PV_IC_COUNT || !class_info[cls].name)
		return "?";
	return class_info[cls].name;
}
