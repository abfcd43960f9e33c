# SPDX-License-Identifier: MIT
"""Every CP14/CP15 access in Debian's armmp kernel is handled by the CP15 table.

The accesses come from the kernel binary itself (scripts/list_cp_accesses.py:
zImage -> XZ payload -> flat ARM disassembly, code chunks only). Each one is
put to the virtual CP15 through tests/unit/cp15_probe at guest PL1. An
access the table rejects must be one a Non-secure Cortex-A9 rejects too,
and the kernel must only reach it on other hardware; those are listed below
with the reason. Anything else fails the test, with the list of offenders.

Needs PV_GUEST_PKGS (the extracted linux-image-*-armmp) and the native build
directory (PV_BUILD_ROOT, or PV_CP15_PROBE pointing at cp15_probe).
"""
import glob
import importlib.util
import os
import pathlib
import subprocess

import pytest


def _load_lister():
    root = pathlib.Path(os.environ.get("PV_SOURCE_ROOT",
                                       pathlib.Path(__file__).parents[2]))
    path = root / "scripts" / "list_cp_accesses.py"
    spec = importlib.util.spec_from_file_location("list_cp_accesses", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _probe_path():
    explicit = os.environ.get("PV_CP15_PROBE")
    if explicit:
        return pathlib.Path(explicit)
    build = os.environ.get("PV_BUILD_ROOT")
    if not build:
        pytest.fail("neither PV_CP15_PROBE nor PV_BUILD_ROOT is set")
    return pathlib.Path(build) / "tests" / "unit" / "cp15_probe"


def _kernel():
    pkgs = os.environ.get("PV_GUEST_PKGS", "")
    if not pkgs:
        pytest.fail("PV_GUEST_PKGS is not set: configure with -Dguest_pkgs=<dir> "
                    "(tools/fetch-armhf.sh <dir> produces it)")
    found = sorted(glob.glob(os.path.join(pkgs, "boot", "vmlinuz-*-armmp")))
    if not found:
        pytest.fail(f"no boot/vmlinuz-*-armmp under {pkgs}: run tools/fetch-armhf.sh")
    return pathlib.Path(found[-1])


# (reason, predicate on (cp, opc1, crn, crm, opc2, dir)); crn 64 = MCRR/MRRC.
# Each entry is a register a Non-secure Cortex-A9 r2p10 does not have, used
# by kernel code that runs only on other CPUs or configurations.
EXPECTED_UNDEF = [
    ("v6 debug path: DBGDSCRint is read-only on v7 debug (A9 uses DBGDSCRext)",
     lambda a: a[:5] == (14, 0, 0, 1, 0) and a[5] == "w"),
    ("breakpoint registers beyond the A9's 6 (DBGDIDR.BRPs = 5)",
     lambda a: a[:3] == (14, 0, 0) and 6 <= a[3] <= 15 and a[4] in (4, 5)),
    ("watchpoint registers beyond the A9's 4 (DBGDIDR.WRPs = 3)",
     lambda a: a[:3] == (14, 0, 0) and 4 <= a[3] <= 15 and a[4] in (6, 7)),
    ("DBGOSDLR exists only with v7.1 debug",
     lambda a: a[:5] == (14, 0, 1, 3, 4)),
    ("SCR/SDER are Secure-only; the guest is Non-secure",
     lambda a: a[:4] == (15, 0, 1, 1) and a[4] in (0, 1)),
    ("GICv3 CPU interface system registers (the A9 has a GICv1)",
     lambda a: (a[:3] == (15, 0, 12) and 8 <= a[3] <= 12)
     or a[:5] == (15, 0, 4, 6, 0) or a[:4] == (15, 0, 64, 12)),
    ("Generic Timer (ID_PFR1.GenTimer = 0 on the A9)",
     lambda a: a[0] == 15 and (a[2] == 14 and a[1] in (0, 4)
                               or (a[2] == 64 and a[3] == 14))),
    ("Virtualization Extensions, Hyp registers (ID_PFR1.Virtualization = 0)",
     lambda a: a[0] == 15 and a[1] == 4 and a[2] in (0, 1, 12)),
    ("Qualcomm Scorpion/Krait PMU registers",
     lambda a: a[:5] == (15, 0, 9, 15, 0)
     or (a[:3] == (15, 1, 9) and a[3] == 15)),
    ("Cortex-A15/A7 L2CTLR",
     lambda a: a[:5] == (15, 1, 9, 0, 2)),
    ("other cores' implementation-defined c15 (PJ4B, Krait, B15: opc1 1-3)",
     lambda a: a[0] == 15 and a[2] == 15 and 1 <= a[1] <= 3),
]

# Registers the A9 guest must certainly have; guards against a lister or
# probe that silently finds or accepts nothing.
MUST_HANDLE = [
    (15, 0, 0, 0, 0, "r"),   # MIDR
    (15, 0, 1, 0, 0, "w"),   # SCTLR
    (15, 0, 3, 0, 0, "w"),   # DACR (CPU_SW_DOMAIN_PAN)
    (15, 0, 13, 0, 3, "w"),  # TPIDRURO (current task)
    (15, 0, 8, 7, 0, "w"),   # TLBIALL
    (15, 4, 15, 0, 0, "r"),  # CBAR
    (14, 0, 0, 0, 0, "r"),   # DBGDIDR
]


def test_cp15_table_covers_armmp_kernel(tmp_path):
    lister = _load_lister()
    kernel = _kernel()
    probe = _probe_path()
    if not probe.is_file():
        pytest.fail(f"{probe} not found: build the native tree first")

    image = tmp_path / "Image"
    image.write_bytes(lister.extract_image(kernel.read_bytes()))
    smap = kernel.with_name(kernel.name.replace("vmlinuz", "System.map"))
    vma = lister.load_address(smap) or lister.DEFAULT_VMA
    accesses, ncode, nchunks = lister.list_accesses(str(image), vma)
    keys = sorted(accesses)
    assert len(keys) > 100, f"only {len(keys)} accesses found: lister broken?"

    stdin = "".join("%d %d %d %d %d %s\n" % k for k in keys)
    out = subprocess.run([str(probe)], input=stdin, capture_output=True,
                         text=True, timeout=60, check=True).stdout.splitlines()
    assert len(out) == len(keys), "probe answered a different number of lines"
    verdict = dict(zip(keys, out))

    bad = [line for line in out if line != "undef" and not line.startswith("ok ")]
    assert not bad, f"unexpected probe output: {bad[:5]}"
    handled = [k for k in keys if verdict[k].startswith("ok")]
    undef = [k for k in keys if verdict[k] == "undef"]
    explained = {}
    unexplained = []
    for k in undef:
        reason = next((r for r, pred in EXPECTED_UNDEF if pred(k)), None)
        if reason is None:
            unexplained.append(k)
        else:
            explained.setdefault(reason, []).append(k)

    print(f"\n{kernel.name}: {len(keys)} distinct CP14/CP15 accesses "
          f"({sum(n for n, _ in accesses.values())} sites) in {ncode}/{nchunks} "
          f"64 KiB code chunks at vma {vma:#x}")
    print(f"  handled by the table: {len(handled)}")
    for reason, ks in explained.items():
        print(f"  UNDEF as on a Non-secure A9 ({len(ks)}): {reason}")
    for k in unexplained:
        n, first = accesses[k]
        print(f"  UNHANDLED: p{k[0]}, {k[1]}, c{k[2]}, c{k[3]}, {k[4]} {k[5]} "
              f"({n} sites, first at {first:#010x})")

    missing = [k for k in MUST_HANDLE if not verdict.get(k, "").startswith("ok")]
    assert not missing, f"core A9 registers not handled or not found: {missing}"
    assert not unexplained, (
        f"{len(unexplained)} kernel CP14/CP15 accesses are neither handled nor "
        f"known-UNDEF on a Non-secure Cortex-A9: {unexplained}")
