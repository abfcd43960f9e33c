/* SPDX-License-Identifier: MIT */
/*
 * PSCI 1.0 served by the VMM in the role of the guest's Secure firmware
 * (ARM DEN 0022D). Function table first, then the functions.
 */
#include <pvcore/error.h>

#include "psci.h"
#include "shadow.h"
#include "vm_state.h"

#include "pv_internal.h"

#define MPIDR_AFF_MASK 0x00ffffffu
/* CPU_SUSPEND power_state, original format: bit 16 = power down. */
#define POWER_STATE_POWERDOWN (1u << 16)

/*
 * A PSCI function: returns the value for r0, and sets *@out when the call
 * also changes the caller's run state (suspend, power-off, reset).
 */
typedef int32_t (*psci_fn)(struct pv_vcpu *vcpu, struct pv_outcome *out);

static uint32_t arg(const struct pv_vcpu *vcpu, unsigned n)
{
	return vcpu->r[n];
}

static bool cpu_is_on(const struct pv_vm *vm, unsigned id)
{
	return (vm->dev.psci_on >> id) & 1u;
}

/* The vCPU with MPIDR affinity @aff, or NULL. Aff1/Aff2 are 0 on this board. */
static struct pv_vcpu *vcpu_by_mpidr(struct pv_vm *vm, uint32_t aff)
{
	if ((aff & MPIDR_AFF_MASK & ~0xffu) || (aff & 0xffu) >= vm->cfg.num_vcpus)
		return NULL;
	return &vm->vcpu[aff & 0xffu];
}


static int32_t psci_version(struct pv_vcpu *vcpu, struct pv_outcome *out)
{
	(void)vcpu, (void)out;
	return (int32_t)PV_PSCI_VERSION_1_0;
}

/* Only standby states: there are no power-down states in the device tree. */
static int32_t psci_cpu_suspend(struct pv_vcpu *vcpu, struct pv_outcome *out)
{
	if (arg(vcpu, 1) & POWER_STATE_POWERDOWN)
		return PV_PSCI_RET_INVALID_PARAMS;
	*out = pv_out_wait();
	return PV_PSCI_RET_SUCCESS;
}

static int32_t psci_cpu_off(struct pv_vcpu *vcpu, struct pv_outcome *out)
{
	vcpu->vm->dev.psci_on &= (uint8_t)~(1u << vcpu->id);
	*out = pv_out_stop(PV_STOP_CPU_OFF, 0);
	return PV_PSCI_RET_SUCCESS; /* never seen: the vCPU does not return */
}

static int32_t psci_cpu_on(struct pv_vcpu *vcpu, struct pv_outcome *out)
{
	struct pv_vm *vm = vcpu->vm;
	struct pv_vcpu *t = vcpu_by_mpidr(vm, arg(vcpu, 1));
	uint32_t entry = arg(vcpu, 2), context = arg(vcpu, 3);
	unsigned id;

	(void)out;
	if (!t)
		return PV_PSCI_RET_INVALID_PARAMS;
	if (cpu_is_on(vm, t->id))
		return PV_PSCI_RET_ALREADY_ON;
	id = t->id;
	/*
	 * Reset state per PSCI 6.4.3: MMU/caches off, SVC, A/I/F masked. The
	 * reset also clears the target's stop and wait state: it runs again.
	 */
	pv_vcpu_reset(t);
	/*
	 * Its translation registers all changed: the shadow engine must not
	 * keep it in the address space it ran in before CPU_OFF (MMU on, a
	 * DACR it no longer has).
	 */
	pv_shadow_ctx_changed(t, PV_SHADOW_CTX_ALL);
	t->r[0] = context;
	t->r[15] = entry & ~1u;
	if (entry & 1u)
		t->cpsr |= PV_PSR_T;
	vm->dev.psci_on |= (uint8_t)(1u << id);
	/* The reset cleared its interrupt inputs; the GIC drives them again. */
	pv_gic_update(&vm->dev.gic);
	/* Its core may be asleep with nothing to run. */
	pv_vcpu_kick(t);
	return PV_PSCI_RET_SUCCESS;
}

static int32_t psci_affinity_info(struct pv_vcpu *vcpu, struct pv_outcome *out)
{
	struct pv_vm *vm = vcpu->vm;
	uint32_t level = arg(vcpu, 2), aff = arg(vcpu, 1);
	struct pv_vcpu *t;

	(void)out;
	if (level == 0) {
		t = vcpu_by_mpidr(vm, aff);
		if (!t)
			return PV_PSCI_RET_INVALID_PARAMS;
		return cpu_is_on(vm, t->id) ? PV_PSCI_AFF_ON : PV_PSCI_AFF_OFF;
	}
	/* Level 1..2: the one cluster, which is on while any CPU is. */
	if (level > 2 || aff >> 8 & 0xffffu)
		return PV_PSCI_RET_INVALID_PARAMS;
	return vm->dev.psci_on ? PV_PSCI_AFF_ON : PV_PSCI_AFF_OFF;
}

static int32_t psci_migrate_info_type(struct pv_vcpu *vcpu, struct pv_outcome *out)
{
	(void)vcpu, (void)out;
	return 2; /* Trusted OS not present: no migration needed */
}

static int32_t psci_system_off(struct pv_vcpu *vcpu, struct pv_outcome *out)
{
	*out = pv_out_stop(PV_STOP_POWEROFF, 0);
	return PV_PSCI_RET_SUCCESS;
}

static int32_t psci_system_reset(struct pv_vcpu *vcpu, struct pv_outcome *out)
{
	*out = pv_out_stop(PV_STOP_RESET, 0);
	return PV_PSCI_RET_SUCCESS;
}

static int32_t psci_features(struct pv_vcpu *vcpu, struct pv_outcome *out);

/* Indexed by function number (ID - PV_PSCI_FN32_FIRST). */
static const psci_fn psci_table[] = {
	[0x00] = psci_version,
	[0x01] = psci_cpu_suspend,
	[0x02] = psci_cpu_off,
	[0x03] = psci_cpu_on,
	[0x04] = psci_affinity_info,
	[0x06] = psci_migrate_info_type,
	[0x08] = psci_system_off,
	[0x09] = psci_system_reset,
	[0x0a] = psci_features,
};

static psci_fn lookup(uint32_t fn)
{
	if (fn < PV_PSCI_FN32_FIRST || fn > PV_PSCI_FN32_LAST ||
	    fn - PV_PSCI_FN32_FIRST >= PV_ARRAY_SIZE(psci_table))
		return NULL;
	return psci_table[fn - PV_PSCI_FN32_FIRST];
}

static int32_t psci_features(struct pv_vcpu *vcpu, struct pv_outcome *out)
{
	uint32_t fn = arg(vcpu, 1);

	(void)out;
	/* SMCCC_VERSION (0x80000000) is not implemented: SMCCC 1.0. */
	if (!lookup(fn))
		return PV_PSCI_RET_NOT_SUPPORTED;
	/* CPU_SUSPEND: original power_state format, no OS-initiated mode. */
	return 0;
}

void pv_psci_reset(struct pv_vm *vm)
{
	vm->dev.psci_on = 1; /* the boot CPU; secondaries wait for CPU_ON */
}

struct pv_outcome pv_psci_call(struct pv_vcpu *vcpu)
{
	struct pv_outcome out = pv_out_resume();
	psci_fn f = lookup(vcpu->r[0]);

	vcpu->r[0] = (uint32_t)(f ? f(vcpu, &out) : PV_PSCI_RET_NOT_SUPPORTED);
	return out;
}
