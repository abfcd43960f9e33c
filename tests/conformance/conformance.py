# SPDX-License-Identifier: MIT
"""Conformance harness library: boot the guests, parse and diff transcripts.

Used by test_conformance.py (pytest, meson suite 'conformance') and runnable
by hand:  python3 tests/conformance/conformance.py <cross build dir>
prints the per-scenario verdicts and the coverage table.

Transcript grammar (guest/rt.c):
    == <idx> <name> cover=0x<mask>     scenario starts
    <name>: <what> = <value>           one check
    -- <name> checks=<n>               scenario ends
    #...                               platform notes, never compared
    END scenarios=<n> checks=<m>
"""
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import tempfile

IMG_DIR = pathlib.Path("tests") / "conformance" / "native"
NATIVE = "conformance-native.elf"
VIRT = "pvbm-conformance.elf"
# The SMP pair (guest/sc_smp.c): natively on four CPUs, under pvbm with
# four vCPUs on one.
SMP_NATIVE = "conformance-smp-native.elf"
SMP_VIRT = "pvbm-conformance-smp.elf"
SMP_NATIVE_CPUS = 4
FAULT = "pvbm-conformance-fault.elf"
SELECT_MAGIC = struct.pack("<I", 0xC0F5E1EC)
RUN_TIMEOUT = 60          # seconds per boot (a full run takes ~2 s)
MAX_RESUMES = 40          # VMM crashes we step over in one pass

# Coverage columns: the trapping instruction classes and exception types
# of DESIGN.md section 4, in the order of enum cov in guest/conf.h.
COV_COLS = ["CP15", "CP14", "VFPsys", "SMC", "HVC", "CPS", "MRS", "MSR",
            "SRS", "RFE", "LDM^usr", "LDM^pc", "STM^", "S-PC", "LDRT",
            "WFI", "WFE", "UNDEF", "SVC", "PABT", "DABT", "IRQ", "FIQ",
            "MMIO", "Thumb"]
# What the VMM's trap counters (enum pv_trap_reason) say about each column.
REASON_COLS = {
    "PV_TR_CP15_READ": ["CP15"], "PV_TR_CP15_WRITE": ["CP15"],
    "PV_TR_CP14": ["CP14"], "PV_TR_VFP_CTRL": ["VFPsys"],
    "PV_TR_PSR": ["CPS", "MRS", "MSR"],
    "PV_TR_EXC_RETURN": ["RFE", "LDM^pc", "S-PC"],
    "PV_TR_BANKED_LDM_STM": ["LDM^usr", "STM^", "SRS"],
    "PV_TR_LDRT_STRT": ["LDRT"], "PV_TR_WFI": ["WFI", "WFE"],
    "PV_TR_SVC": ["SVC"], "PV_TR_UNDEF_INJECT": ["UNDEF"],
    "PV_TR_HYPERCALL": ["HVC"], "PV_TR_PSCI": ["SMC"],
    "PV_TR_GUEST_PABT": ["PABT"], "PV_TR_GUEST_DABT": ["DABT"],
    "PV_TR_MMIO_READ": ["MMIO"], "PV_TR_MMIO_WRITE": ["MMIO"],
    "PV_EV_VIRQ": ["IRQ"], "PV_EV_VFIQ": ["FIQ"],
}
# Columns no scenario can cover natively, with the reason (the coverage
# assertion exempts exactly these). None today: FIQ, once listed here, is
# raised natively through a Group 0 interrupt with GICC_CTLR.FIQEn set
# (guest/sc_fiq.c).
UNCOVERABLE = {}
# Columns served by the platform layer of the VMM run, not by a scenario.
PLATFORM_COLS = {"HVC": "PV_TR_HYPERCALL", "SMC": "PV_TR_PSCI"}


class Scenario:
    def __init__(self, idx, name, cover):
        self.idx, self.name, self.cover = idx, name, cover
        self.lines = []
        self.complete = False
        self.traps = {}      # reason index -> count (VMM run only)
        self.tail = ""       # log after the start, for crashed scenarios

    def covered(self):
        return {COV_COLS[b] for b in range(len(COV_COLS)) if self.cover >> b & 1}


class Run:
    def __init__(self, cmd, status, log, timed_out):
        log = log.replace("\r\n", "\n").replace("\r", "\n")
        self.cmd, self.status, self.log, self.timed_out = cmd, status, log, timed_out
        self.scenarios = parse(log)
        self.ended = re.search(r"^END scenarios=\d+ checks=\d+$", log, re.M)

    def host_counts(self):
        return {m.group(2): int(m.group(3)) for m in
                re.finditer(r"pvbm:\s+reason (\d+) (\S+) = (\d+)", self.log)}


def parse(log):
    """{name: Scenario} in transcript order."""
    out, cur = {}, None
    lines = log.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"^== (\d+) (\S+) cover=0x([0-9a-f]+)$", line)
        if m:
            cur = Scenario(int(m.group(1)), m.group(2), int(m.group(3), 16))
            cur.tail = "\n".join(lines[i:i + 60])
            out[cur.name] = cur
            continue
        if cur is None:
            continue
        m = re.match(r"^-- (\S+) checks=(\d+)$", line)
        if m and m.group(1) == cur.name:
            cur.complete = len(cur.lines) == int(m.group(2))
            continue
        m = re.match(r"^#trap (\d+) (\d+)$", line)
        if m:
            cur.traps[int(m.group(1))] = int(m.group(2))
            continue
        if line.startswith(cur.name + ": ") and not cur.complete:
            cur.lines.append(line)
    return out


def image(build, name):
    p = pathlib.Path(build) / IMG_DIR / name
    if not p.is_file():
        raise FileNotFoundError(
            f"conformance image {p} not found: build the cross build first "
            f"(ninja -C {build})")
    return p


def select_copy(src, first, last, tmpdir):
    """A copy of image @src that runs scenarios first..last only."""
    data = bytearray(src.read_bytes())
    at = data.find(SELECT_MAGIC)
    if at < 0 or data.find(SELECT_MAGIC, at + 1) >= 0:
        raise RuntimeError(f"{src}: scenario-select block not found exactly once")
    struct.pack_into("<II", data, at + 4, first, last)
    dst = pathlib.Path(tmpdir) / f"{src.stem}-{first}-{last}.elf"
    dst.write_bytes(bytes(data))
    return dst


def qemu_cmd(img, cpus=1):
    qemu = shutil.which("qemu-system-arm")
    if qemu is None:
        raise FileNotFoundError("qemu-system-arm not found: run tools/bootstrap.sh")
    return [qemu, "-M", "sabrelite", "-smp", str(cpus), "-m", "1G",
            "-display", "none", "-monitor", "none",
            "-serial", "null", "-serial", "stdio",
            "-icount", "shift=0,sleep=off",
            "-semihosting-config", "enable=on,target=native",
            "-kernel", str(img)]


def boot(img, cpus=1):
    cmd = qemu_cmd(img, cpus)
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=RUN_TIMEOUT)
        out, status, to = p.stdout, p.returncode, False
    except subprocess.TimeoutExpired as e:
        out, status, to = e.stdout or b"", None, True
    return Run(cmd, status, out.decode("utf-8", "replace"), to)


def run_all(img, first=0, last=0xFFFFFFFF, logs=None, cpus=1):
    """Boot @img on @cpus host CPUs over scenarios first..last, stepping
    over crashes.

    Returns ({name: Scenario}, [Run]). A scenario during which the run
    ended (VMM fatal error, watchdog, timeout) stays incomplete, and the
    next boot starts after it.
    """
    scen, runs = {}, []
    with tempfile.TemporaryDirectory() as tmp:
        start = first
        for _ in range(MAX_RESUMES):
            r = boot(select_copy(img, start, last, tmp), cpus)
            runs.append(r)
            scen.update(r.scenarios)
            if logs is not None:
                logs.append(r)
            if r.ended and r.status == 0:
                break
            started = [s for s in r.scenarios.values() if not s.complete]
            if not started:
                # Died between scenarios (or before the first): give up.
                break
            start = started[-1].idx + 1
            if start > last:
                break
    return scen, runs


def compare(native, virt):
    """{name: (verdict, detail)}; verdict in PASS, DIFF, CRASH, MISSING."""
    res = {}
    for name, n in native.items():
        v = virt.get(name)
        if v is None:
            res[name] = ("MISSING", "never ran under the VMM")
        elif not v.complete:
            tail = "\n".join("    | " + l for l in v.tail.split("\n")
                             if not l.startswith("#"))
            res[name] = ("CRASH", "the VMM run ended inside this scenario:\n" + tail)
        elif v.lines != n.lines:
            res[name] = ("DIFF", first_diff(n.lines, v.lines))
        else:
            res[name] = ("PASS", "")
    return res


def first_diff(a, b, ctx=3):
    i = 0
    while i < len(a) and i < len(b) and a[i] == b[i]:
        i += 1
    out = [f"first difference at check {i + 1}:"]
    for k in range(max(0, i - ctx), i):
        out.append(f"      {a[k]}")
    out.append(f"    - native: {a[i] if i < len(a) else '<no more lines>'}")
    out.append(f"    + pvcore: {b[i] if i < len(b) else '<no more lines>'}")
    for k in range(i + 1, min(i + 1 + ctx, max(len(a), len(b)))):
        if k < len(a):
            out.append(f"      native: {a[k]}")
        if k < len(b):
            out.append(f"      pvcore: {b[k]}")
    return "\n".join(out)


def reason_names(src_root):
    """Counter names in PV_HC_TRAP_COUNT order: the trap reasons, then the
    events (include/pvcore/vm.h)."""
    src = (pathlib.Path(src_root) / "include" / "pvcore" / "vm.h").read_text()
    names = []
    for enum, prefix in (("enum pv_trap_reason {", "PV_TR_"),
                         ("enum pv_event {", "PV_EV_")):
        body = src[src.index(enum):]
        body = body[:body.index("};")]
        names += [n for n in re.findall(r"^\s*(" + prefix + r"\w+)", body, re.M)
                  if not n.endswith("_COUNT")]
    return names


def coverage_table(native, virt, src_root, platform_counts):
    """(text, {column: set of scenario names}) from declared + measured."""
    names = reason_names(src_root)
    rows, per_col = [], {c: set() for c in COV_COLS}
    w = max(len(n) for n in native) + 2
    head = " " * w + " ".join(f"{c[:6]:>6}" for c in COV_COLS)
    for name, n in native.items():
        decl = n.covered()
        meas = set()
        v = virt.get(name)
        if v is not None:
            for r, cnt in v.traps.items():
                if cnt and r < len(names) and names[r] in REASON_COLS:
                    if names[r] == "PV_TR_HYPERCALL":
                        continue  # every scenario prints through HVC
                    meas.update(REASON_COLS[names[r]])
        cells = []
        for c in COV_COLS:
            # Measured-only marks are not shown: the runtime itself (its
            # exception entry/return and the between-scenario reset) uses
            # CP15, CPS/MRS/MSR and the return forms in every scenario.
            mark = ("X" if c in meas else "D") if c in decl else "."
            if c in decl:
                per_col[c].add(name)
            cells.append(f"{mark:>6}")
        rows.append(f"{name:<{w}}" + " ".join(cells))
    plat = []
    for c in COV_COLS:
        ok = c in PLATFORM_COLS and platform_counts.get(
            PLATFORM_COLS[c].replace("PV_TR_", "").lower().replace("_", "-"), 0)
        plat.append(f"{'P' if ok else '.':>6}")
        if ok:
            per_col[c].add("<platform>")
    rows.append(f"{'<platform layer>':<{w}}" + " ".join(plat))
    total = " " * w + " ".join(f"{len(per_col[c]):>6}" for c in COV_COLS)
    legend = ("X: the scenario exercises it and the VMM's trap counters "
              "confirm it; D: exercised, not confirmed by a counter (the "
              "scenario did not complete under the VMM, or no counter "
              "reason covers it, e.g. a Thumb or an unimplemented "
              "register access); P: the platform layer of the VMM run "
              "(console hypercall HVC, PSCI SYSTEM_OFF over SMC). Last row: "
              "scenarios per column.")
    return "\n".join([head] + rows + [total, legend]), per_col


def main(argv):
    build = argv[1] if len(argv) > 1 else os.environ["PV_BAREMETAL_DIR"]
    root = pathlib.Path(__file__).resolve().parents[2]
    nat, _ = run_all(image(build, NATIVE))
    virt, runs = run_all(image(build, VIRT))
    res = compare(nat, virt)
    for name, (v, d) in res.items():
        print(f"{v:7} {name}")
        if d and "-v" in argv:
            print(d)
    table, _ = coverage_table(nat, virt, root, runs[-1].host_counts())
    print(table)
    print(f"{sum(v == 'PASS' for v, _ in res.values())}/{len(res)} scenarios "
          f"identical, {sum(len(s.lines) for s in nat.values())} checks")
    nat, _ = run_all(image(build, SMP_NATIVE), cpus=SMP_NATIVE_CPUS)
    virt, _ = run_all(image(build, SMP_VIRT))
    res = compare(nat, virt)
    for name, (v, d) in res.items():
        print(f"{v:7} {name}")
        if d and "-v" in argv:
            print(d)
    print(f"SMP: {sum(v == 'PASS' for v, _ in res.values())}/{len(res)} "
          f"scenarios identical, {sum(len(s.lines) for s in nat.values())} checks")


if __name__ == "__main__":
    main(sys.argv)
