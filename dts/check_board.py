#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that the compiled board device tree agrees with the C headers.

Usage: check_board.py pvboard.dtb include/pvcore/board.h include/pvcore/a9_timers.h

The .dtb is decoded here with a small flattened-tree parser (not with dtc),
and the constants are read from the headers' #defines, so a change on
either side that the other does not follow fails the test.
"""
import re
import struct
import sys

FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP, FDT_END = 1, 2, 3, 4, 9


def parse_fdt(blob):
    magic, _tot, off_struct, off_strings = struct.unpack_from(">IIII", blob, 0)
    if magic != 0xD00DFEED:
        raise SystemExit("not a flattened device tree")
    nodes = {}
    path = []
    pos = off_struct

    def cstr(at):
        end = blob.index(b"\0", at)
        return blob[at:end].decode(), end + 1

    while True:
        (tok,) = struct.unpack_from(">I", blob, pos)
        pos += 4
        if tok == FDT_BEGIN_NODE:
            name, pos = cstr(pos)
            pos = (pos + 3) & ~3
            path.append(name)
            nodes["/" + "/".join(p for p in path if p)] = {}
        elif tok == FDT_END_NODE:
            path.pop()
        elif tok == FDT_PROP:
            length, nameoff = struct.unpack_from(">II", blob, pos)
            pos += 8
            pname, _ = cstr(off_strings + nameoff)
            nodes["/" + "/".join(p for p in path if p)][pname] = blob[pos:pos + length]
            pos = (pos + length + 3) & ~3
        elif tok == FDT_NOP:
            continue
        elif tok == FDT_END:
            return nodes
        else:
            raise SystemExit("bad FDT token %d" % tok)


def cells(v):
    return list(struct.unpack(">%dI" % (len(v) // 4), v))


def strings(v):
    return [s.decode() for s in v.split(b"\0") if s]


def defines(*headers):
    d = {}
    for h in headers:
        for m in re.finditer(r"#define\s+(PV_\w+)\s+(0x[0-9a-fA-F]+|\d+)u?\b", open(h).read()):
            d[m.group(1)] = int(m.group(2), 0)
    return d


def main():
    nodes = parse_fdt(open(sys.argv[1], "rb").read())
    c = defines(*sys.argv[2:])
    errors = []

    def expect(what, got, want):
        if got != want:
            errors.append("%s: dts has %s, headers say %s" % (what, got, want))

    def by_compat(compat):
        hits = [p for p, n in nodes.items() if compat in strings(n.get("compatible", b""))]
        if len(hits) != 1:
            errors.append("expected one node compatible with %s, found %d" % (compat, len(hits)))
            return {}
        return nodes[hits[0]]

    def phandle_node(ph):
        for n in nodes.values():
            if "phandle" in n and cells(n["phandle"])[0] == ph:
                return n
        return {}

    periph = c["PV_BOARD_PERIPH_BASE"]
    mem = [n for p, n in nodes.items() if strings(n.get("device_type", b"")) == ["memory"]]
    expect("memory nodes", len(mem), 1)
    if mem:
        expect("memory reg", cells(mem[0]["reg"]), [c["PV_BOARD_RAM_BASE"], c["PV_BOARD_RAM_SIZE"]])
    if c["PV_BOARD_RAM_BASE"] + c["PV_BOARD_RAM_SIZE"] > c["PV_BOARD_UART_BASE"] > c["PV_BOARD_RAM_BASE"]:
        errors.append("RAM overlaps the UART")

    gic = by_compat("arm,cortex-a9-gic")
    expect("gic reg", cells(gic.get("reg", b"")),
           [periph + c["PV_BOARD_GICD_OFFSET"], 0x1000, periph + c["PV_BOARD_GICC_OFFSET"], 0x100])
    expect("#interrupt-cells", cells(gic.get("#interrupt-cells", b"")), [3])
    expect("scu reg", cells(by_compat("arm,cortex-a9-scu").get("reg", b""))[:1],
           [periph + c["PV_BOARD_SCU_OFFSET"]])

    for compat, off, ppi in (("arm,cortex-a9-global-timer", "PV_BOARD_GT_OFFSET", "PV_BOARD_GT_PPI"),
                             ("arm,cortex-a9-twd-timer", "PV_BOARD_TWD_OFFSET", "PV_BOARD_TWD_PPI")):
        n = by_compat(compat)
        expect(compat + " reg", cells(n.get("reg", b"\0\0\0\0"))[:1], [periph + c[off]])
        irq = cells(n.get("interrupts", b""))
        expect(compat + " interrupt", irq[:2], [1, c[ppi] - 16])
        # The A9 fixes its timer PPIs as edge-triggered (ICFGR1 0x7dc00000):
        # a level flag would make Linux warn that the PPI is misconfigured.
        expect(compat + " trigger", (irq + [0, 0, 0])[2] & 0xF, 1)
        clk = phandle_node(cells(n.get("clocks", b"\0\0\0\0"))[0])
        expect(compat + " clock", cells(clk.get("clock-frequency", b"")), [c["PV_A9_PERIPHCLK_HZ"]])

    uart = by_compat("arm,pl011")
    expect("pl011 reg", cells(uart.get("reg", b"")), [c["PV_BOARD_UART_BASE"], 0x1000])
    expect("pl011 interrupt", cells(uart.get("interrupts", b"")), [0, c["PV_BOARD_UART_SPI"], 4])
    expect("pl011 clock-names", strings(uart.get("clock-names", b"")), ["uartclk", "apb_pclk"])
    if "arm,primecell" not in strings(uart.get("compatible", b"")):
        errors.append("pl011 is not arm,primecell (amba bus would not probe it)")

    psci = by_compat("arm,psci-0.2")
    expect("psci method", strings(psci.get("method", b"")), ["smc"])
    chosen = nodes.get("/chosen", {})
    alias = strings(chosen.get("stdout-path", b"x"))[0].split(":")[0]
    target = strings(nodes.get("/aliases", {}).get(alias, b"")) or [""]
    if nodes.get(target[0]) is not uart:
        errors.append("stdout-path does not lead to the PL011")
    if "console=ttyAMA0" not in strings(chosen.get("bootargs", b""))[0]:
        errors.append("bootargs lack console=ttyAMA0")
    cpus = [n for p, n in nodes.items() if strings(n.get("device_type", b"")) == ["cpu"]]
    expect("cpus", [strings(n["compatible"]) for n in cpus], [["arm,cortex-a9"]])

    for e in errors:
        print("FAIL:", e)
    if errors:
        return 1
    print("pvboard.dtb agrees with board.h (%d nodes)" % len(nodes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
