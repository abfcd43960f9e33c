/* SPDX-License-Identifier: MIT */
#include <pvcore/error.h>

static const char *const pv_error_text[] = {
	[-PV_EINVAL] = "invalid argument",
	[-PV_ENOMEM] = "caller-supplied pool exhausted",
	[-PV_EUNDEF] = "undefined instruction",
	[-PV_ENOTOURS] = "not handled by pvcore",
	[-PV_EFAULT] = "guest memory access faulted",
	[-PV_ERANGE] = "address or index out of range",
	[-PV_EEXIST] = "already exists",
	[-PV_ECORRUPT] = "malformed input data",
	[-PV_EWINDOW] = "guest mapping overlaps the VMM window",
	[-PV_EBACKEND] = "backend operation failed",
	[-PV_EBUSY] = "object busy",
	[-PV_ESTATE] = "inconsistent internal state",
	[-PV_EABORT] = "external abort: no RAM or device at guest-physical address",
};

const char *pv_strerror(int err)
{
	if (err >= 0)
		return "success";
	if (err < PV_ERROR_MIN || !pv_error_text[-err])
		return "unknown pvcore error";
	return pv_error_text[-err];
}
