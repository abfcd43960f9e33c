#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""No call cycles among the core's files.

    scripts/check_layering.py [--nm NM] [--graph] LIB.a|FILE.o...
    scripts/check_layering.py --self-test CYCLIC.a ACYCLIC.a

Reads the defined and undefined symbols of every object (archive members
included) with `nm -P`, and builds the file-level dependency graph: file A
depends on file B when A references a global symbol that B defines. A
strongly connected component of more than one file is a layering cycle: no
order of the files puts every caller above what it calls. A file that
calls itself is not a cycle (nm does not even show it).

Exit status: 0 without cycles; 1 with cycles, each listed with the edges
inside it (caller -> callee: the symbols that make the edge) and its
elementary cycles; 2 for a usage or nm error.

--self-test runs the check on two fixture libraries (tests/architecture/
fixtures): CYCLIC must give exactly the cycle cycle_a.c <-> cycle_b.c,
ACYCLIC none. It proves the check can fail.
"""

import argparse
import os
import re
import subprocess
import sys

# nm -P types: defined global symbols, and references to other files.
DEFINED = set("BCDGRSTVWiu")
UNDEFINED = set("Uvw")
# At most this many elementary cycles per component are spelt out.
MAX_CYCLES = 25

NM_LINE = re.compile(r"^(?P<file>.*?)(?:\[(?P<member>[^\]]*)\])?: "
                     r"(?P<name>\S+) (?P<type>\S)(?: |$)")


def unit_name(path):
    """vm.c.o, libpvcore.a.p/vm.c.o -> vm.c"""
    base = os.path.basename(path)
    for ext in (".o", ".obj"):
        if base.endswith(ext):
            return base[: -len(ext)]
    return base


def read_symbols(nm, inputs):
    """{file: (defined set, undefined set)} for every object in inputs."""
    files = {}
    for path in inputs:
        if not os.path.exists(path):
            raise RuntimeError(f"{path}: no such file")
        res = subprocess.run([nm, "-P", "-A", path], capture_output=True,
                             text=True)
        if res.returncode != 0:
            raise RuntimeError(f"{nm} -P -A {path} failed:\n{res.stderr}")
        for line in res.stdout.splitlines():
            m = NM_LINE.match(line)
            if not m:
                continue
            unit = unit_name(m["member"] or m["file"])
            defs, undefs = files.setdefault(unit, (set(), set()))
            if m["type"] in DEFINED:
                defs.add(m["name"])
            elif m["type"] in UNDEFINED:
                undefs.add(m["name"])
        # An object without global symbols still is a file of the core.
        if path.endswith((".o", ".obj")):
            files.setdefault(unit_name(path), (set(), set()))
    if not files:
        raise RuntimeError("no object files in " + " ".join(inputs))
    return files


def build_graph(files):
    """{A: {B: sorted symbols}} for A referencing what B defines."""
    definers = {}
    for unit, (defs, _) in files.items():
        for s in defs:
            definers.setdefault(s, []).append(unit)
    graph = {unit: {} for unit in files}
    for unit, (_, undefs) in files.items():
        for s in undefs:
            for d in definers.get(s, ()):
                if d != unit:
                    graph[unit].setdefault(d, []).append(s)
    for edges in graph.values():
        for d in edges:
            edges[d].sort()
    return graph


def sccs(graph):
    """Tarjan's strongly connected components (iterative)."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))
    return out


def elementary_cycles(graph, comp, limit):
    """Up to limit simple cycles inside comp, each starting at its
    smallest file; the count found (which may exceed the limit)."""
    members = sorted(comp)
    cycles, found = [], 0
    for i, start in enumerate(members):
        allowed = set(members[i:])
        path, stack = [start], [iter(sorted(graph[start]))]
        on_path = {start}
        while stack:
            w = next(stack[-1], None)
            if w is None:
                stack.pop()
                on_path.discard(path.pop())
                continue
            if w not in allowed:
                continue
            if w == start:
                found += 1
                if len(cycles) < limit:
                    cycles.append(path + [start])
                if found > 10 * limit:
                    return cycles, found
            elif w not in on_path:
                path.append(w)
                on_path.add(w)
                stack.append(iter(sorted(graph[w])))
    return cycles, found


def analyse(nm, inputs):
    files = read_symbols(nm, inputs)
    graph = build_graph(files)
    cyclic = [c for c in sccs(graph) if len(c) > 1]
    cyclic.sort(key=lambda c: (-len(c), c))
    return files, graph, cyclic


def report(graph, cyclic, out):
    n = len(cyclic)
    print(f"layering: {n} call cycle{'s' if n != 1 else ''} among the "
          f"core's files:", file=out)
    for k, comp in enumerate(cyclic, 1):
        print(f"\ncycle {k}: {len(comp)} files: {', '.join(comp)}", file=out)
        print("  edges inside it (caller -> callee: symbols):", file=out)
        for a in comp:
            for b in sorted(graph[a]):
                if b in comp:
                    print(f"    {a} -> {b}: {', '.join(graph[a][b])}",
                          file=out)
        cycles, found = elementary_cycles(graph, comp, MAX_CYCLES)
        more = "" if found <= len(cycles) else \
            f" (the first {len(cycles)} of {found}" + \
            ("+" if found > 10 * MAX_CYCLES else "") + ")"
        print(f"  elementary cycles{more}:", file=out)
        for c in cycles:
            print("    " + " -> ".join(c), file=out)
    print("\nBreak each cycle: move the code, or invert the call (a hook "
          "the lower file is given).", file=out)


def print_graph(graph, out):
    for a in sorted(graph):
        for b in sorted(graph[a]):
            print(f"{a} -> {b}: {', '.join(graph[a][b])}", file=out)


def check(nm, inputs, show_graph=False, out=sys.stdout):
    files, graph, cyclic = analyse(nm, inputs)
    if show_graph:
        print_graph(graph, out)
    if cyclic:
        report(graph, cyclic, out)
        return 1
    edges = sum(len(e) for e in graph.values())
    print(f"layering: no call cycles among {len(files)} files "
          f"({edges} dependencies)", file=out)
    return 0


def self_test(nm, cyclic_lib, acyclic_lib):
    import io
    errors = []
    _, graph, cyclic = analyse(nm, [cyclic_lib])
    want = [["cycle_a.c", "cycle_b.c"]]
    if cyclic != want:
        errors.append(f"{cyclic_lib}: cycles {cyclic}, expected {want}")
    if graph.get("cycle_a.c", {}).get("cycle_b.c") != ["layering_b_entry"]:
        errors.append(f"edge cycle_a.c -> cycle_b.c: "
                      f"{graph.get('cycle_a.c')}")
    if graph.get("cycle_b.c", {}).get("cycle_a.c") != ["layering_a_hook"]:
        errors.append(f"edge cycle_b.c -> cycle_a.c: "
                      f"{graph.get('cycle_b.c')}")
    if "leaf.c" not in graph.get("cycle_a.c", {}):
        errors.append("edge cycle_a.c -> leaf.c missing")
    buf = io.StringIO()
    rc = check(nm, [cyclic_lib], out=buf)
    text = buf.getvalue()
    if rc != 1 or "cycle_a.c -> cycle_b.c: layering_b_entry" not in text \
            or "cycle_a.c -> cycle_b.c -> cycle_a.c" not in text:
        errors.append(f"check on {cyclic_lib} returned {rc}:\n{text}")
    buf = io.StringIO()
    rc = check(nm, [acyclic_lib], out=buf)
    if rc != 0:
        errors.append(f"check on {acyclic_lib} returned {rc}:\n"
                      f"{buf.getvalue()}")
    _, graph, _ = analyse(nm, [acyclic_lib])
    if "leaf.c" not in graph.get("top.c", {}):
        errors.append(f"{acyclic_lib}: edge top.c -> leaf.c missing: {graph}")
    if errors:
        print("layering self-test FAILED:", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        return 1
    print("layering self-test: the fixture cycle cycle_a.c <-> cycle_b.c is "
          "reported, the acyclic fixture passes")
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nm", default=os.environ.get("NM", "nm"),
                    help="nm program (default $NM or nm)")
    ap.add_argument("--graph", action="store_true",
                    help="also print every file dependency")
    ap.add_argument("--self-test", action="store_true",
                    help="inputs: the cyclic and the acyclic fixture library")
    ap.add_argument("inputs", nargs="+", help="static libraries or objects")
    args = ap.parse_args(argv)
    try:
        if args.self_test:
            if len(args.inputs) != 2:
                ap.error("--self-test takes CYCLIC.a ACYCLIC.a")
            return self_test(args.nm, *args.inputs)
        return check(args.nm, args.inputs, args.graph)
    except (OSError, RuntimeError) as e:
        print(f"layering: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
