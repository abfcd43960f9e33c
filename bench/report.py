#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The one table and the one plot of `make bench` (docs/performance.md).

    report.py [--host host.tsv] [--linux linux.tsv] [--trapmap trapmap.tsv]
              [--md out.md] [--svg out.svg]

Reads the machine-readable output of bench/bench.sh (host.tsv), of
bench/bench-linux.sh (linux.tsv) and, optionally, of bench/trapmap.sh
(trapmap.tsv: tm-iter lines, described in bench/trapmap.py), prints one
markdown table (and writes it
to --md) and writes one SVG plot (--svg) by hand: standard library only.
Either input may be missing; its rows then say how to produce them.

Input lines are tab-separated, first field the kind:

  host.tsv   meta    <key> <value>
             host    <program> <operation> <callgrind instructions per op>
             decode  <case> <instructions per decode+emulate>
  linux.tsv  meta    <key> <value>
             boot    native|vmm <run> <ns at "Run /init">
             clocksource native|vmm <name>
             work    <workload> <iters> <native ns> <vmm ns>
                     <native partner-iters|-> <vmm partner-iters|->
             trap    <run> <reason> <count>    (pvbm's power-off counters)
             event   <run> <event> <count>     (virq, vfiq, patched, cmo-loop, cmo-lines,
                                                       trap-chain, chain-mcrs)
             hosttimer <run> <ticks> <one-shot expiries>

Under -icount shift=0 one ns of guest time is one guest instruction, so the
Linux numbers are guest instructions (the VMM's included under pvbm).
"""
import argparse
import html
import math
import sys

# Linux rows: key, label, target ratio, target traps per iteration.
LINUX_ROWS = [
    ("boot", "boot to `Run /init`", 1.3, None),
    ("getppid", "null syscall (`getppid`)", 3.0, 2),
    ("fork", "`fork` + child `exit` + `wait4`", 3.0, None),
    ("pipe", "pipe round trip, 1 byte (2 switches)", 3.0, None),
    ("yield", "`sched_yield`, 2 SCHED_FIFO tasks (2 switches)", 3.0, None),
    ("mmap", "`mmap` 16 pages + 16 faults + `munmap`", 3.0, None),
    ("pagefault", "anonymous page fault", 2.0, None),
    ("cpu", "CPU-bound loop, 10^6 instructions (timer ticks included)",
     1.02, None),
]

# Host rows: (program, operation) -> label, in table order.
HOST_ROWS = [
    ("bench_trap", "bench_patched_mrs", "trap to resume: patched `mrs r0, cpsr`"),
    ("bench_trap", "bench_patched_msr_irq", "trap to resume: patched `msr cpsr_c` unmasking IRQs"),
    ("bench_trap", "bench_mrc_ttbr0", "trap to resume: `mrc` CP15 read (TTBR0)"),
    ("bench_trap", "bench_mcr_dacr", "trap to resume: `mcr` DACR write (PAN toggle)"),
    ("bench_trap", "bench_svc_reflect", "trap to resume: user SVC reflected to the guest kernel"),
    ("bench_trap", "bench_eret_subs", "trap to resume: `subs pc, lr` back to user"),
    ("bench_trap", "bench_dabt_user_fault", "trap to resume: user page fault, abort injected"),
    ("bench_trap", "bench_dabt_fill", "trap to resume: kernel data abort, shadow fill (TLBIMVA before it included)"),
    ("bench_trap", "bench_mmio_store", "trap to resume: MMIO store to a vGIC register"),
    ("bench_shadow", "bench_fill_4k", "shadow fill, 4 KiB page (guest walk included)"),
    ("bench_shadow", "bench_fill_4k_new_l2", "shadow fill, 4 KiB page needing a new L2 table"),
    ("bench_shadow", "bench_fill_section", "shadow fill, section"),
    ("bench_shadow", "bench_dacr_write", "DACR write + resume state"),
    ("bench_shadow", "bench_mode_switch", "mode switch + resume state"),
    ("bench_shadow", "bench_context_switch", "context switch, two cached address spaces"),
    ("bench_shadow", "bench_tlbiasid", "TLBIASID"),
    ("bench_shadow", "bench_tlbimva", "TLBIMVA, 8 cached address spaces"),
    ("bench_shadow", "bench_tlbi_range", "TLBI loop of 256 pages in one trap (16 cached), 8 cached address spaces"),
    ("bench_devices", "bench_iar_eoi", "vGIC IAR + EOI through the memory map"),
    ("bench_devices", "bench_twd_next_event", "TWD reprogramming (`set_next_event`)"),
    ("bench_devices", "bench_timer_expiry", "timer expiry + TWD event clear"),
]

BASELINES = {
    "vexpress": "native = same kernel + initramfs on QEMU vexpress-a9, "
                "128 MiB, the virtual board's device tree at vexpress "
                "addresses without PSCI, MIDR 0x412fc09a",
    "sabrelite": "native = same kernel + initramfs on QEMU sabrelite, "
                 "1 GiB, Debian's imx6q-sabrelite.dtb (other peripherals "
                 "and clocksource than the virtual board)",
}

NOT_MEASURED = "not yet measured"


def read_tsv(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                rows.append(line.split("\t"))
    return rows


class Linux:
    """The numbers of one bench-linux.sh run."""

    def __init__(self, rows):
        self.meta, self.boot, self.clock = {}, {}, {}
        self.work, self.traps, self.events, self.ticks = {}, {}, {}, {}
        for r in rows:
            k = r[0]
            if k == "meta":
                self.meta[r[1]] = r[2] if len(r) > 2 else ""
            elif k == "boot":
                self.boot.setdefault(r[1], {})[r[2]] = int(r[3])
            elif k == "clocksource":
                self.clock[r[1]] = r[2]
            elif k == "work":
                self.work[r[1]] = dict(iters=int(r[2]), native=int(r[3]),
                                       vmm=int(r[4]))
            elif k == "trap":
                self.traps.setdefault(r[1], {})[r[2]] = int(r[3])
            elif k == "event":
                self.events.setdefault(r[1], {})[r[2]] = int(r[3])
            elif k == "hosttimer":
                self.ticks[r[1]] = int(r[2])

    def per_iter(self, table, w):
        """Counter of run w minus that of run none, per iteration of w."""
        it = self.work[w]["iters"]
        a, b = table.get(w, {}), table.get("none", {})
        return {k: (a.get(k, 0) - b.get(k, 0)) / it for k in set(a) | set(b)}

    def row(self, w):
        """Derived numbers of one workload (or of the boot)."""
        if w == "boot":
            if "native" not in self.boot or "vmm" not in self.boot:
                return None
            n = self.boot["native"].get("none")
            v = self.boot["vmm"].get("none")
            if n is None or v is None:
                return None
            tr = self.traps.get("none", {})
            return dict(iters=None, native=n, vmm=v, ratio=v / n,
                        traps=None, whole=tr)
        if w not in self.work:
            return None
        d = self.work[w]
        it = d["iters"]
        per = self.per_iter(self.traps, w)
        ev = self.per_iter(self.events, w)
        total = sum(per.values())
        n, v = d["native"] / it, d["vmm"] / it
        return dict(iters=it, native=n, vmm=v, ratio=v / n, traps=total,
                    per_trap=(v - n) / total if total > 0 else None,
                    reasons=per, events=ev)


def fmt_int(x):
    return f"{x:,.0f}"


def fmt_num(x):
    """Per-iteration counts: one decimal below 1000."""
    if x is None:
        return "—"
    return f"{x:,.1f}" if abs(x) < 1000 else f"{x:,.0f}"


def fmt_ratio(r):
    if r is None:
        return "—"
    return f"{r:.2f}×" if r < 10 else f"{r:.1f}×" if r < 100 else f"{r:.0f}×"


def fmt_reasons(per, ev, limit=0.05):
    items = sorted(((v, k) for k, v in per.items() if abs(v) >= limit),
                   reverse=True)
    s = ", ".join(f"{k} {fmt_num(v)}" for v, k in items)
    evs = sorted(((v, k) for k, v in ev.items()
                  if k != "patched" and abs(v) >= limit), reverse=True)
    if evs:
        s += "; events: " + ", ".join(f"{k} {fmt_num(v)}" for v, k in evs)
    return s or "—"


def fmt_whole(tr):
    total = sum(tr.values())
    items = sorted(((v, k) for k, v in tr.items()), reverse=True)[:6]
    return (f"whole `none` run (boot, pvbench set-ups, power-off): "
            f"{total:,} traps; " +
            ", ".join(f"{k} {v:,}" for v, k in items))


def read_trapmap(path):
    """{workload: traced iteration} from trapmap.sh's tm-iter lines."""
    keys = ["guest", "vmm", "traps", "asm", "bc", "core", "other", "xlat",
            "xlat_cond", "maint", "barriers"]
    res = {}
    for r in read_tsv(path):
        if r[0] == "tm-iter":
            res[r[1]] = dict(zip(keys, map(int, r[2:13])))
    return res


def fmt_split(t):
    n = t["traps"]
    s = (f"{t['vmm'] / n:,.0f} = {t['asm'] / n:,.0f} / {t['bc'] / n:,.0f} "
         f"/ {t['core'] / n:,.0f}")
    if t["other"]:
        s += f" + {t['other'] / n:,.0f} other"
    return s + f" (traced iteration, {n} traps)"


def fmt_xlat(t):
    n = t["traps"]
    return (f"{t['xlat'] / n:.1f} writes (+{t['xlat_cond'] / n:.1f} "
            f"conditional), {t['maint'] / n:.1f} cache/TLB ops, "
            f"{t['barriers'] / n:.1f} barriers")


def table(host, linux, tm=None):
    """The markdown of the one table, plus its notes."""
    tm = tm or {}
    out = []
    hmeta = host[0] if host else {}
    lmeta = linux.meta if linux else {}
    base = lmeta.get("baseline", "vexpress")
    out.append("| # | measurement | unit | native | pvcore | ratio | target "
               "| traps/iter | VMM instr/trap | of which backend asm / "
               "backend C / core | translation-register writes + barriers "
               "per trap | traps per iteration by reason |")
    out.append("|---:|---|---|---:|---:|---:|---|---:|---:|---|---|---|")
    num = 0 if linux else len(LINUX_ROWS)
    unit_it = "guest instr/iter"
    for key, label, tgt_ratio, tgt_traps in LINUX_ROWS:
        num += 1
        target = f"≤ {tgt_ratio:g}×"
        if tgt_traps is not None:
            target += f", ≤ {tgt_traps} traps"
        if not linux:
            continue
        r = linux.row(key)
        if r is None:
            out.append(f"| {num} | {label} | | | | | {target} | | | | | "
                       "not in this run |")
            continue
        if key == "boot":
            out.append(
                f"| {num} | {label} | guest instr | {fmt_int(r['native'])} "
                f"| {fmt_int(r['vmm'])} | {fmt_ratio(r['ratio'])} "
                f"| {target} | — | — | {NOT_MEASURED} | {NOT_MEASURED} "
                f"| {fmt_whole(r['whole'])} |")
            continue
        out.append(
            f"| {num} | {label} | {unit_it} | {fmt_num(r['native'])} "
            f"| {fmt_num(r['vmm'])} | {fmt_ratio(r['ratio'])} | {target} "
            f"| {fmt_num(r['traps'])} "
            f"| {fmt_int(r['per_trap']) if r['per_trap'] else '—'} "
            f"| {fmt_split(tm[key]) if key in tm else NOT_MEASURED} "
            f"| {fmt_xlat(tm[key]) if key in tm else NOT_MEASURED} "
            f"| {fmt_reasons(r['reasons'], r['events'])}"
            + (f" (the traced iteration took {tm[key]['traps']:,} traps)"
               if key in tm and abs(tm[key]["traps"] - r["traps"])
               > 0.2 * r["traps"] else "") + " |")
    hrows = host[1] if host else {}
    for prog, op, label in HOST_ROWS if host else []:
        num += 1
        v = hrows.get((prog, op))
        cell = fmt_int(v) if v is not None else "missing"
        out.append(f"| {num} | host: {label} | x86-64 instr (callgrind) "
                   f"| — | {cell} | — | | — | — | core only | — | — |")
    for (prog, op), v in sorted(hrows.items()):
        if (prog, op) not in {(p, o) for p, o, _ in HOST_ROWS}:
            num += 1
            out.append(f"| {num} | host: {prog} {op} | x86-64 instr "
                       f"(callgrind) | — | {fmt_int(v)} | — | | — | — "
                       f"| core only | — | — |")
    notes = [""]
    if linux:
        notes.append("Ratios: pvcore / native guest instructions from the same "
             "run; " + BASELINES.get(base, base) + "; pvcore = the pvpatch'ed "
             "kernel under pvbm on QEMU sabrelite. Both with `-icount "
             "shift=0,sleep=off` (1 ns = 1 guest instruction, the VMM's "
             "own instructions included under pvbm).")
        cs = linux.clock
        notes.append(
            f"Linux run: commit {lmeta.get('commit', '?')}"
            + (f" (images built {lmeta['built']})" if lmeta.get("built")
               else "")
            + (f" (uncommitted changes in: {lmeta['dirty'].strip()})"
               if lmeta.get("dirty", "").strip()
               and not lmeta["dirty"].startswith("(") else "")
            + f", kernel {lmeta.get('kernel', '?')}, "
            f"{lmeta.get('qemu', '?')}, clocksource native "
            f"{cs.get('native', '?')} / pvcore {cs.get('vmm', '?')}, "
            f"{lmeta.get('wall-s', '?')} s wall with "
            f"{lmeta.get('jobs', '?')} job(s).")
    if host:
        notes.append(f"Host micro-paths: commit {hmeta.get('commit', '?')}, "
                     f"{hmeta.get('cc', '?')}, callgrind instructions per "
                     "operation of pvcore alone (no backend, no world "
                     "switch).")
    notes.append(
        "traps/iter: pvbm's power-off trap counters of the workload's boot "
        "minus those of the `none` boot, per iteration (events such as "
        "`virq` are not traps; small negative values are timing noise: the "
        "later workloads' set-ups meet the timer at other points). VMM "
        "instr/trap: (pvcore − native) / traps, i.e. everything the guest "
        "does differently counted as trap cost.")
    notes.append(
        "Split and translation-register columns: measured by "
        "bench/trapmap.sh from a QEMU exec trace of one iteration (of "
        "those traced after the first, the one with the fewest traps, i.e. "
        "without a guest timer tick), per trap: VMM instructions = backend "
        "assembly / backend "
        "C / core; MCR writes to TTBR/TTBCR/DACR/CONTEXTIDR/SCTLR "
        "(conditional ones apart: the trace shows them reached, not "
        "executed), MCR cache/TLB/branch-predictor maintenance, and "
        "DSB/DMB/ISB. \"not yet measured\": no trace of that workload; "
        "pvbm prints no such counters (docs/performance.md).")
    return "\n".join(out + notes) + "\n"


# ---- the plot ---------------------------------------------------------

# Short labels for the plot.
PLOT_LINUX = {"boot": "boot to Run /init", "getppid": "null syscall",
              "fork": "fork + exit + wait", "pipe": "pipe round trip",
              "yield": "sched_yield", "mmap": "mmap + 16 faults",
              "pagefault": "page fault", "cpu": "CPU-bound loop"}
PLOT_HOST = {
    "bench_patched_mrs": "trap: patched mrs", "bench_patched_msr_irq":
    "trap: patched msr (IRQs on)", "bench_mrc_ttbr0": "trap: mrc CP15 read",
    "bench_mcr_dacr": "trap: mcr DACR", "bench_svc_reflect":
    "trap: SVC reflection", "bench_eret_subs": "trap: return to user",
    "bench_dabt_user_fault": "trap: user page fault",
    "bench_dabt_fill": "trap: shadow fill",
    "bench_mmio_store": "trap: MMIO store (vGIC)", "bench_fill_4k":
    "shadow fill 4 KiB", "bench_fill_4k_new_l2": "shadow fill 4 KiB, new L2",
    "bench_fill_section": "shadow fill section", "bench_dacr_write":
    "DACR write", "bench_mode_switch": "mode switch", "bench_context_switch":
    "context switch", "bench_tlbiasid": "TLBIASID", "bench_tlbimva":
    "TLBIMVA", "bench_tlbi_range": "TLBI range 256 pages",
    "bench_iar_eoi": "vGIC IAR + EOI", "bench_twd_next_event":
    "TWD set_next_event", "bench_timer_expiry": "timer expiry"}


def svg(host, linux):
    """One figure, two panels: above, the Linux ratios (log scale, the
    issue-14 targets marked); below, the host micro-paths."""
    W, row_h = 900, 24
    x0, x1 = 200, W - 30
    lin = [(k, linux.row(k), t) for k, _, t, _ in LINUX_ROWS] if linux else []
    lin = [(k, r, t) for k, r, t in lin if r is not None]
    hst = [(o, host[1][(p, o)]) for p, o, _ in HOST_ROWS
           if host and (p, o) in host[1]]
    top1 = 70
    h1 = max(len(lin), 1) * row_h
    top2 = top1 + h1 + 70
    h2 = max(len(hst), 1) * row_h
    H = top2 + h2 + 60
    e = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
         f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
         f'<rect width="{W}" height="{H}" fill="white"/>']

    def text(x, y, s, anchor="start", size=12, weight="normal",
             fill="#222"):
        e.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" '
                 f'font-size="{size}" font-weight="{weight}" '
                 f'fill="{fill}">{html.escape(s)}</text>')

    def line(xa, ya, xb, yb, stroke="#ddd", width=1):
        e.append(f'<line x1="{xa:.1f}" y1="{ya:.1f}" x2="{xb:.1f}" '
                 f'y2="{yb:.1f}" stroke="{stroke}" stroke-width="{width}"/>')

    def bar(x, y, w, color, label):
        e.append(f'<rect x="{x:.1f}" y="{y + 4:.1f}" width="{max(w, 1):.1f}" '
                 f'height="{row_h - 8}" fill="{color}"/>')
        if x + w + 5 + 6.5 * len(label) <= W - 5:
            text(x + w + 5, y + 16, label, size=11)
        else:
            text(x + w - 5, y + 16, label, "end", size=11, fill="white")

    def ticks(values, pos, y_top, y_bot, fmt):
        last = -1e9
        for v in values:
            x = pos(v)
            line(x, y_top, x, y_bot)
            if x - last >= 38:
                text(x, y_bot + 15, fmt(v), "middle", size=10, fill="#555")
                last = x

    # Linux ratios, log scale from 1x.
    text(10, 22, "Linux guest: pvcore / native guest instructions per "
         "iteration (log scale)", weight="bold", size=14)
    if linux:
        text(10, 42, "native: " + BASELINES.get(
            linux.meta.get("baseline", ""), "?").split("= ", 1)[-1],
             size=10, fill="#555")
    text(10, 56, "green: meets its target, orange: does not; red tick: "
         "the issue-14 target; label: ratio, traps per iteration",
         size=10, fill="#555")
    if lin:
        hi = max(max(r["ratio"] for _, r, _ in lin), 10)
        span = 10 ** math.ceil(math.log10(hi))

        def xr(v):
            return x0 + (x1 - x0) * math.log10(max(v, 1)) / math.log10(span)
        ticks([m * 10 ** d for d in range(int(math.log10(span)) + 1)
               for m in (1, 2, 5) if m * 10 ** d <= span], xr,
              top1 - 4, top1 + h1, lambda v: f"{v:g}×")
        for i, (k, r, tgt) in enumerate(lin):
            y = top1 + i * row_h
            text(x0 - 8, y + 16, PLOT_LINUX.get(k, k), "end")
            label = fmt_ratio(r["ratio"])
            if r.get("traps") is not None:
                label += f", {fmt_num(r['traps'])} traps"
            bar(x0, y, xr(r["ratio"]) - x0,
                "#4a9a6a" if r["ratio"] <= tgt else "#d07a45", label)
            line(xr(tgt), y + 1, xr(tgt), y + row_h - 1, "#d22", 2.5)
    else:
        text(x0, top1 + 16, "not run (make bench-linux)", fill="#888")

    # Host micro-paths, linear.
    text(10, top2 - 20, "pvcore on the host: callgrind instructions per "
         "operation (x86-64, core only, no backend)", weight="bold", size=14)
    if hst:
        hi = max(v for _, v in hst)
        step = 10 ** math.floor(math.log10(hi))
        step = step if hi / step >= 4 else step / 2
        span = math.ceil(hi / step) * step

        def xh(v):
            return x0 + (x1 - x0) * v / span
        ticks([t * step for t in range(int(span / step) + 1)], xh,
              top2 - 4, top2 + h2, lambda v: f"{v:,.0f}")
        for i, (o, v) in enumerate(hst):
            y = top2 + i * row_h
            text(x0 - 8, y + 16, PLOT_HOST.get(o, o), "end")
            bar(x0, y, xh(v) - x0, "#4f7fae", f"{v:,}")
    else:
        text(x0, top2 + 16, "not run (make bench-host)", fill="#888")
    meta = (linux.meta if linux else {}) or (host[0] if host else {})
    text(10, H - 12, f"make bench, commit {meta.get('commit', '?')}; "
         "bench/report.py", size=10, fill="#555")
    e.append("</svg>")
    return "\n".join(e) + "\n"


def read_host(path):
    meta, vals = {}, {}
    for r in read_tsv(path):
        if r[0] == "meta":
            meta[r[1]] = r[2] if len(r) > 2 else ""
        elif r[0] == "host":
            vals[(r[1], r[2])] = int(r[3])
    return meta, vals


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", help="bench/bench.sh's TSV")
    ap.add_argument("--linux", help="bench/bench-linux.sh's TSV")
    ap.add_argument("--trapmap", help="bench/trapmap.sh's TSV")
    ap.add_argument("--md", help="write the table here too")
    ap.add_argument("--svg", help="write the plot here")
    a = ap.parse_args()
    if not a.host and not a.linux:
        ap.error("give --host, --linux or both")
    host = read_host(a.host) if a.host else None
    linux = Linux(read_tsv(a.linux)) if a.linux else None
    tm = read_trapmap(a.trapmap) if a.trapmap else None
    md = table(host, linux, tm)
    sys.stdout.write(md)
    if a.md:
        with open(a.md, "w") as f:
            f.write(md)
    if a.svg:
        with open(a.svg, "w") as f:
            f.write(svg(host, linux))


if __name__ == "__main__":
    main()
