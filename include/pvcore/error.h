/* SPDX-License-Identifier: MIT */
/**
 * DOC: pvcore error codes
 *
 * Every public function that can fail returns 0 (or a non-negative value)
 * on success and one of the negative PV_E* codes below on failure, as
 * libfdt does. pv_strerror() turns a code into a fixed English string.
 */
#ifndef PVCORE_ERROR_H
#define PVCORE_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum pv_error {
	PV_OK = 0,
	PV_EINVAL = -1,     /* an argument is out of range or inconsistent */
	PV_ENOMEM = -2,     /* a caller-supplied pool is too small or full */
	PV_EUNDEF = -3,     /* the instruction is UNDEFINED for the guest */
	PV_ENOTOURS = -4,   /* the instruction or trap is not the library's to handle */
	PV_EFAULT = -5,     /* a guest memory access faulted; fault info is set */
	PV_ERANGE = -6,     /* an address or index lies outside a known region */
	PV_EEXIST = -7,     /* the region, mapping or registration already exists */
	/* -8 is retired (was PV_ENOSYS, never returned) */
	PV_ECORRUPT = -9,   /* input data (image, table, manifest) is malformed */
	PV_EWINDOW = -10,   /* a guest mapping touches the VMM window */
	/* -11 is retired (was PV_EUNPRED, never returned) */
	PV_EBACKEND = -12,  /* a backend operation failed */
	PV_EBUSY = -13,     /* the object is in use or not in a state for this */
	PV_ESTATE = -14,    /* the library's internal state is inconsistent */
	PV_EABORT = -15,    /* a guest-physical access hit no RAM/device: external abort */
	PV_ERROR_MIN = -15,
};

/**
 * pv_strerror() - describe an error code
 * @err: a value returned by a pvcore function
 *
 * Return: a static, NUL-terminated string. Never NULL: unknown codes (the
 * retired ones included) give "unknown pvcore error", and 0 or positive
 * values give "success".
 */
const char *pv_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* PVCORE_ERROR_H */
