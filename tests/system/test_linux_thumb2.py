# SPDX-License-Identifier: MIT
"""A Thumb-2 kernel (issue 15, deliverable 4): Debian's linux-source-6.1
built with CONFIG_THUMB2_KERNEL=y by tools/mk-thumb2-kernel.sh (`make
thumb2-kernel`, cached in build/thumb2-kernel; PV_THUMB2_KERNEL names the
directory).

1. pvpatch gives byte-identical site tables and patched Images from the
   zImage, the Image + System.map and the vmlinux ELF, detects the ISA by
   itself, and reports only the words it cannot reach.
2. Oracle: arm-none-eabi-objdump disassembles the ELF with its own
   mapping symbols. Every site's original instruction is what pvpatch says
   it is, and every sensitive instruction objdump shows is a site or one
   of the reported words.
3. The patched kernel boots under pvbm on sabrelite and runs sysprobe
   (tests/linux/disk/sysprobe.c: TLS and the kuser helpers, which are A32
   in a Thumb-2 kernel, fork + exec, pipes, mmap, NEON) with the same
   output as natively on vexpress-a9; pvbm ends with status 0.
Logs: <build>/system-logs/test_linux_thumb2-{native,vmm}.log.
"""
import os
import pathlib
import re
import shutil
import subprocess

import pytest

import conftest

BOOTARGS = "console=ttyAMA0 earlycon pvrun=sysprobe"
CFLAGS = ["-static", "-O2", "-Wall", "-Wextra", "-Werror", "-mthumb",
          "-mcpu=cortex-a9", "-mfpu=neon", "-mfloat-abi=hard"]
VMM_TIMEOUT = int(os.environ.get("PV_LINUX_TIMEOUT", "600"))  # wall s
NATIVE_TIMEOUT = 300
RESULT = re.compile(r"^(?:(?:tls|kuser|forkexec|pipe|mmap|neon|sysprobe): .*|"
                    r"pvrun-exit .*|pvrun-done)$", re.M)
# What pvpatch may leave unpatched in this kernel, and why: the generic
# arch_cpu_idle(), a weak default ARM overrides, so dead code without a
# symbol; and, without an ELF, the "eret" after head.S's "msr elr_hyp",
# which is UNDEFINED on a Cortex-A9 and ends the path.
MAY_BE_UNSURE = {"cpu_idle_poll_ctrl", "secondary_startup", "cpu_resume"}
INPUTS = {
    "zimage": lambda k: [k / "zImage"],
    "map": lambda k: ["--system-map", k / "System.map", k / "Image"],
    "elf": lambda k: [k / "vmlinux"],
}


def kernel_dir():
    d = os.environ.get("PV_THUMB2_KERNEL", "")
    if not d:
        root = pathlib.Path(os.environ.get("PV_BUILD_ROOT", "build/host"))
        d = root.parent / "thumb2-kernel"
    d = pathlib.Path(d)
    for f in ("zImage", "Image", "System.map", "vmlinux"):
        if not (d / f).is_file():
            pytest.fail(f"no {f} in {d}: run `make thumb2-kernel` "
                        "(tools/mk-thumb2-kernel.sh) or set PV_THUMB2_KERNEL")
    return d


def pvpatch(*args):
    tool = conftest.need_env("PV_PVPATCH", "run through meson test")
    return subprocess.run([tool, *map(str, args)], capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def patched(tmp_path_factory):
    """{input: (stdout, sites text, image bytes, unsure {va: symbol})}"""
    k = kernel_dir()
    out = tmp_path_factory.mktemp("thumb2")
    res = {}
    for name, args in INPUTS.items():
        img, sites = out / f"{name}.img", out / f"{name}.sites"
        p = pvpatch("--list-unsure", "-o", img, "--sites", sites, *args(k))
        assert p.returncode == 0, f"pvpatch {name}:\n{p.stdout}{p.stderr}"
        printed = pvpatch("--print", sites)
        assert printed.returncode == 0, printed.stderr
        unsure = {int(m.group(1), 16): m.group(2) for m in re.finditer(
            r"^unsure (0x[0-9a-f]+) \S+ \S+ +\S+ +(\S+): ", p.stdout, re.M)}
        res[name] = (p.stdout + p.stderr, printed.stdout, img.read_bytes(),
                     unsure)
    return res


def site_rows(text):
    """[(va, original, isa, class, symbol)] of `pvpatch --print`."""
    rows = []
    for line in text.splitlines():
        if line.startswith("0x"):
            f = line.split()
            rows.append((int(f[0], 16), int(f[1], 16), f[3], f[4], f[5]))
    return rows


def test_every_input_path_agrees(patched):
    base_out, base_sites, base_img, _ = patched["elf"]
    rows = site_rows(base_sites)
    assert len(rows) > 1000, base_sites[:400]
    # A Thumb-2 kernel: nearly every site is Thumb (the kuser helpers
    # and the entry's first words are A32 and hold none).
    assert sum(r[2] in ("t16", "t32") for r in rows) == len(rows), base_sites[:400]
    for name in ("zimage", "map"):
        out, sites, img, unsure = patched[name]
        assert "a Thumb-2 kernel" in out, out
        assert sites == base_sites, f"{name} and the ELF disagree"
        assert img == base_img, f"{name}'s patched Image differs from the ELF's"
    for name, (out, _, _, unsure) in patched.items():
        assert set(unsure.values()) <= MAY_BE_UNSURE, f"{name}:\n{out}"
    # SMP_ON_UP: the symbols bound the table on the ELF and map paths,
    # its shape on the kallsyms path (where .ARM.exidx looks alike).
    alt = {name: re.search(r"SMP_ON_UP: (\d+) \.alt\.smp\.init entries", v[0])
           for name, v in patched.items()}
    assert all(alt.values()), {n: v[0] for n, v in patched.items()}
    assert len({m.group(1) for m in alt.values()}) == 1, \
        {n: m.group(1) for n, m in alt.items()}
    # The ELF knows head.S's eret is data: fewer reports, never more.
    assert set(patched["elf"][3]) <= set(patched["map"][3])


CONDS = "(?:eq|ne|cs|cc|hs|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)?"
WIDTH = r"(?:\.w|\.n)?"
MNEMONIC = {
    "cps": r"cps(?:ie|id)?",
    "mrs": r"mrs" + CONDS,
    "msr": r"msr" + CONDS,
    "srs": r"srs(?:ia|ib|da|db)?" + CONDS,
    "rfe": r"rfe(?:ia|ib|da|db)?" + CONDS,
    "wfi": r"wfi" + CONDS,
    "wfe": r"wfe" + CONDS,
    "ldrt-strt": r"(?:ldr|str)(?:b|h|sb|sh)?t" + CONDS,
    "dp-eret": r"(?:subs|movs)" + CONDS,
    "ldm-eret": r"ldm(?:ia|ib|da|db)?" + CONDS,
    "ldm-user": r"ldm(?:ia|ib|da|db)?" + CONDS,
    "stm-user": r"stm(?:ia|ib|da|db)?" + CONDS,
}


def sensitive(op, args):
    """Is objdump's (op, args) one of the instructions pvpatch patches?"""
    for cls, rx in MNEMONIC.items():
        if not re.fullmatch(rx + WIDTH, op):
            continue
        if cls in ("mrs", "msr") and "apsr" in args.lower():
            return None  # APSR_nzcvq: unprivileged, not sensitive
        if cls == "dp-eret" and not args.startswith("pc,"):
            return None
        if cls.startswith(("ldm", "stm")) and not args.rstrip().endswith("^"):
            return None
        return cls
    return None


def test_sites_match_objdump(patched, tmp_path):
    k = kernel_dir()
    objdump = shutil.which("arm-none-eabi-objdump")
    assert objdump, "arm-none-eabi-objdump not found: run tools/bootstrap.sh"
    dis = subprocess.run([objdump, "-d", str(k / "vmlinux")], capture_output=True,
                         text=True, timeout=600).stdout
    line = re.compile(r"^\s*([0-9a-f]{8}):\s+((?:[0-9a-f]{4,8} ?)+)\s+(\S+)\s*(.*)$")
    at = {}
    for ln in dis.splitlines():
        m = line.match(ln)
        if m:
            at[int(m.group(1), 16)] = (m.group(3), m.group(4))
    _, sites, _, unsure = patched["elf"]
    rows = site_rows(sites)
    by_va = {r[0]: r for r in rows}
    bad = []
    for va, orig, isa, cls, sym in rows:
        if va >= 0xFFFF0000 or va not in at:
            continue  # run-time aliases of the vectors and stubs
        op, args = at[va]
        if op == ".word":
            # An instruction the assembler was given as data (__ERET):
            # the same bits, halfwords in memory order.
            word = int(args.split()[0], 16)
            if ((word & 0xFFFF) << 16 | word >> 16) != orig:
                bad.append(f"{va:#x} {op} {args}: original {orig:#x}")
            continue
        if sensitive(op, args) is None or \
                (sensitive(op, args) != cls and
                 {sensitive(op, args), cls} != {"ldm-user", "ldm-eret"}):
            bad.append(f"{va:#x} {sym}: pvpatch says {cls}, objdump {op} {args}")
    assert not bad, "\n".join(bad[:40])
    missing = [f"{va:#x} {op} {args}" for va, (op, args) in sorted(at.items())
               if va < 0xFFFF0000 and sensitive(op, args) and va not in by_va
               and va not in unsure]
    assert not missing, "sensitive instructions that are not sites:\n" + \
        "\n".join(missing[:40])
    classes = {r[3] for r in rows}
    for cls in ("cps", "mrs", "msr", "dp-eret", "wfi", "wfe", "ldrt-strt"):
        assert cls in classes, f"no {cls} site in a whole kernel"


@pytest.fixture(scope="module")
def images():
    k = kernel_dir()
    out = pathlib.Path(os.environ.get("PV_BUILD_ROOT", ".")) / "linux-thumb2"
    out.mkdir(parents=True, exist_ok=True)
    sysprobe = conftest.guest_program(out, "linux/disk/sysprobe.c", CFLAGS)
    return conftest.linux_images(out, BOOTARGS, [f"bin/sysprobe={sysprobe}"],
                                 kernel=k / "zImage")


def boot(name, cmd, pattern, timeout):
    return conftest.boot_logged("test_linux_thumb2", name, cmd, pattern, timeout)


def test_boots_and_runs_as_natively(images):
    nlog, _, reached, nshow = boot("native", conftest.native_command(images, BOOTARGS),
                                   "pvrun-done", NATIVE_TIMEOUT)
    assert reached, "the native run did not finish" + nshow
    native = RESULT.findall(nlog)
    assert "sysprobe: ok" in native and "pvrun-exit sysprobe 0" in native, nshow

    vlog, status, _, vshow = boot("vmm", conftest.qemu_command(images["vmm"]),
                                  None, VMM_TIMEOUT)
    assert status is not None and status >= 0, \
        f"QEMU did not finish within {VMM_TIMEOUT} s" + vshow
    assert "pvbm: FATAL" not in vlog, vshow
    for bad in ("Internal error", "Oops", "Unable to handle", "BUG:",
                "undefined instruction"):
        assert bad not in vlog, f"'{bad}' in the guest's log" + vshow
    assert RESULT.findall(vlog) == native, \
        f"output differs from the native run: {native}" + vshow
    assert re.search(r"pvbm: guest stopped \(reason \d+, code 0\)", vlog), vshow
    assert status == 0, f"QEMU exit status {status}, expected 0" + vshow
    # The kernel's own Thumb sites trapped and were emulated.
    counts = conftest.pvbm_counts(vlog)
    assert counts.get("patched", 0) > 1000, f"{counts}" + vshow
    print(f"traps: patched {counts['patched']}, undef-inject "
          f"{counts.get('undef-inject', 0)}, psr {counts.get('psr', 0)}")
