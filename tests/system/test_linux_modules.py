# SPDX-License-Identifier: MIT
"""Real Debian modules loaded with modprobe and exercised, natively and
under pvbm, with identical results (issue 15, deliverable 3; docs/pvpatch.md,
"Loadable modules").

1. The patched module tree is made by the project's script,
   tools/mk-modules.sh (what `make modules` runs), cached in
   <build>/linux-modules/tree until pvpatch or the kernel package changes.
2. A subset (MODULES and what modules.dep says they need) goes into the
   initramfs under /lib/modules/<version>/ with its modules.dep
   (PV_INITRAMFS_EXTRA with a directory, tests/linux/mk_initramfs.py):
   the patched modules for pvbm, Debian's own for the native run; the
   kernel, /init, command line and everything else are the same.
3. /init runs tests/linux/modules/modtest (pvrun=modtest): modprobe,
   exercise (loop and null_blk I/O, an ext4 image made here with
   mkfs.ext4, overlayfs copy-up, a tap device in a bridge, the crypto
   self-tests), rmmod, with deterministic "modtest: " lines.
4. Boot natively on vexpress-a9 (the virtual board's tree) and under pvbm
   on sabrelite; the result lines must be equal, every step must have
   succeeded, no Oops/BUG/WARNING, pvbm must exit with status 0. The
   "loop0 backing_file" line is loop.ko's loop_attr_do_show_backing_file
   having run, which ends with an unconditional CPSIE: a self-describing
   trap word the VMM decoded where the kernel had loaded the module.

PV_MODULES_UNPATCHED="<name> ..." puts Debian's unpatched copy of those
modules into pvbm's initramfs instead (to see the test fail; see
docs/pvpatch.md for what happens). ~2-4 min of wall time, plus ~1.5 min
the first time for the module tree. Logs:
<build>/system-logs/test_linux_modules-{native,vmm}.log.
"""
import gzip
import hashlib
import os
import pathlib
import re
import shutil

import pytest

import conftest

BOOTARGS = "console=ttyAMA0 earlycon pvrun=modtest"
# Exercised by modtest, with their sensitive-instruction sites (Debian
# 6.1.0-57-armmp): the first four hold cps/mrs/msr on the paths modtest
# drives; the rest are their dependencies, or crypto with self-tests.
MODULES = ["kernel/" + m for m in (
    "drivers/block/loop.ko", "fs/ext4/ext4.ko", "fs/overlayfs/overlay.ko",
    "drivers/block/null_blk/null_blk.ko", "drivers/net/tun.ko",
    "net/bridge/bridge.ko", "crypto/crc32c_generic.ko",
    "crypto/sha3_generic.ko")]
VMM_TIMEOUT = int(os.environ.get("PV_LINUX_TIMEOUT", "900"))  # wall s
NATIVE_TIMEOUT = 300
RESULT = re.compile(r"^(?:modtest: .*|pvrun-exit .*|pvrun-done)$", re.M)
BAD = re.compile(r"Oops|BUG:|WARNING:|Internal error|Call trace|"
                 r"Kernel panic|rcu_sched self-detected stall")


def _digest(*paths):
    h = hashlib.sha256()
    for p in paths:
        h.update(str(p).encode() + b"\0" + pathlib.Path(p).read_bytes())
    return h.hexdigest()


def module_tree(out):
    """tools/mk-modules.sh's tree in @out (rebuilt when the stamp, pvpatch
    and the kernel's module list, differs). Returns (lib/modules/<ver>,
    Debian's lib/modules/<ver>)."""
    src = pathlib.Path(conftest.need_env("PV_SOURCE_ROOT",
                                         "run through meson test"))
    pvpatch = conftest.need_env("PV_PVPATCH", "run through meson test")
    pkgs = pathlib.Path(conftest.need_env("PV_GUEST_PKGS", "configure the "
                        "native build with -Dguest_pkgs=<dir>/guest"))
    orig = sorted(pkgs.glob("lib/modules/*-armmp"))
    if not orig:
        pytest.fail(f"no lib/modules/*-armmp under PV_GUEST_PKGS={pkgs}: "
                    "run tools/fetch-armhf.sh (the linux-image package "
                    "brings the modules)")
    orig = orig[-1]
    stamp = _digest(pvpatch, orig / "modules.order")
    tree = out / "tree"
    done = tree / "stamp"
    if not (done.is_file() and done.read_text() == stamp):
        shutil.rmtree(tree, ignore_errors=True)
        try:
            log = conftest.run_tool([src / "tools/mk-modules.sh", pvpatch,
                                     pkgs, tree], "tools/mk-modules.sh",
                                    timeout=1800)
        except AssertionError as e:
            pytest.fail(f"cannot build the patched module tree: {e}")
        print(log.strip().splitlines()[-1])
        done.write_text(stamp)
    return tree / "lib/modules" / orig.name, orig


def depends(moddir):
    """modules.dep: {module path: [paths it needs]}."""
    dep = {}
    for line in (moddir / "modules.dep").read_text().splitlines():
        mod, _, rest = line.partition(":")
        dep[mod] = rest.split()
    return dep


def subset(moddir, mods, dst, copy_from):
    """@mods and what they need, copied from @copy_from (a lib/modules/<ver>
    directory) into @dst, with their modules.dep lines."""
    dep = depends(moddir)
    shutil.rmtree(dst, ignore_errors=True)
    lines = []
    for m in mods:
        if m not in dep:
            pytest.fail(f"{m} is not in the patched tree (refused? see "
                        f"{moddir.parent.parent.parent / 'refused.txt'})")
        lines.append(f"{m}: {' '.join(dep[m])}".rstrip())
    for m in sorted({x for m in mods for x in [m, *dep[m]]}):
        (dst / m).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(copy_from / m, dst / m)
        if m not in mods:
            lines.append(f"{m}: {' '.join(dep[m])}".rstrip())
    (dst / "modules.dep").write_text("\n".join(lines) + "\n")
    return sorted({x for m in mods for x in [m, *dep[m]]})


def site_counts(tree, mod):
    """{class: count} from pvpatch --module --report (mk-modules.sh)."""
    report = tree / "reports" / f"{mod}.txt"
    counts = {}
    for line in report.read_text().splitlines():
        f = line.split()
        if len(f) == 3 and f[0] == "total":
            counts[f[1]] = int(f[2])
    return counts


def ext4_image(out):
    """An 8 MiB ext4 (journal, metadata_csum: jbd2, crc32c) with one file,
    made by mkfs.ext4 -d (e2fsprogs), gzip'ed for the initramfs."""
    mkfs = shutil.which("mkfs.ext4") or shutil.which("mkfs.ext4",
                                                     path="/sbin:/usr/sbin")
    if mkfs is None:
        pytest.fail("mkfs.ext4 not found: run tools/bootstrap.sh (e2fsprogs)")
    root = out / "ext4-root"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "hello.txt").write_text("hello from the host's mkfs.ext4\n")
    img = out / "ext4.img"
    img.unlink(missing_ok=True)
    env = dict(os.environ, E2FSPROGS_FAKE_TIME="1700000000")
    conftest.run_tool([mkfs, "-q", "-F", "-t", "ext4", "-b", "1024",
                       "-U", "0c0ffee0-1234-4321-8765-0123456789ab",
                       "-E", "root_owner=0:0,lazy_itable_init=0,"
                       "hash_seed=0c0ffee0-1234-4321-8765-0123456789ab",
                       "-d", root, img, "8M"], "mkfs.ext4", env=env)
    gz = out / "ext4.img.gz"
    with open(img, "rb") as f, open(gz, "wb") as g:
        with gzip.GzipFile(fileobj=g, mode="wb", mtime=0) as z:
            z.write(f.read())
    return gz


@pytest.fixture(scope="module")
def images():
    src = pathlib.Path(conftest.need_env("PV_SOURCE_ROOT",
                                         "run through meson test"))
    out = pathlib.Path(os.environ.get("PV_BUILD_ROOT", ".")) / "linux-modules"
    out.mkdir(parents=True, exist_ok=True)
    patched, orig = module_tree(out)
    tree = patched.parent.parent.parent
    unpatched = os.environ.get("PV_MODULES_UNPATCHED", "").split()
    vdir, ndir = out / "vmm-modules", out / "native-modules"
    used = subset(patched, MODULES, vdir, patched)
    subset(patched, MODULES, ndir, orig)
    for m in used:
        if pathlib.Path(m).stem in unpatched:
            print(f"PV_MODULES_UNPATCHED: {m} unpatched under pvbm")
            shutil.copyfile(orig / m, vdir / m)
    gz = ext4_image(out)
    common = [f"bin/modtest={src / 'tests/linux/modules/modtest'}",
              f"ext4.img.gz={gz}"]
    img = conftest.linux_images(
        out / "vmm", BOOTARGS,
        common + [f"lib/modules/{orig.name}={vdir}"])
    # The native initramfs: the same, but Debian's modules.
    pkgs = pathlib.Path(conftest.need_env("PV_GUEST_PKGS", ""))
    native_cpio = out / "native-initramfs.cpio"
    conftest.run_tool(["python3", src / "tests/linux/mk_initramfs.py",
                       pkgs / "bin/busybox", src / "tests/linux/init",
                       native_cpio, *common,
                       f"lib/modules/{orig.name}={ndir}"], "mk_initramfs.py")
    sites = {m: site_counts(tree, m) for m in used}
    print("modules (pvpatch --module --report totals):")
    for m in used:
        s = sites[m]
        print(f"  {m}: " + ", ".join(f"{k} {v}" for k, v in s.items()))
    return {"vmm": img["vmm"], "kernel": img["kernel"], "dtb": img["dtb"],
            "initrd": native_cpio, "sites": sites, "unpatched": unpatched}


def boot(name, cmd, pattern, timeout):
    return conftest.boot_logged("test_linux_modules", name, cmd, pattern,
                                timeout)


def check_results(lines, show):
    text = "\n".join(lines)
    assert "modtest: done" in lines and "pvrun-exit modtest 0" in lines, show
    failed = [x for x in lines if re.search(r" -> [1-9]\d*$", x)]
    assert not failed, f"steps failed: {failed}" + show
    seq = re.search(r"^modtest: seq md5 (\w+)", text, re.M).group(1)
    for what in ("loop0 readback", "ext4 seq.txt", "nullb0 readback"):
        assert f"modtest: {what} md5 {seq}" in lines, what + show
    assert "modtest: loop0 backing_file /tmp/raw.img" in lines, show
    assert "modtest: ext4 hello.txt: hello from the host's mkfs.ext4" \
        in lines, show
    crypto = [x for x in lines if x.startswith("modtest: crypto ")]
    assert any("crc32c_generic" in x for x in crypto), show
    assert crypto and all(x.endswith("selftest=passed") for x in crypto), show
    assert "modtest: dmesg bad lines 0" in lines, show


def test_modules_load_and_run_as_natively(images):
    # The native kernel cannot power the board off: stop at the marker.
    nlog, _, reached, nshow = boot(
        "native", conftest.native_command(images, BOOTARGS), "pvrun-done",
        NATIVE_TIMEOUT)
    assert reached, "the native run did not finish" + nshow
    native = RESULT.findall(nlog)
    check_results(native, nshow)
    assert not BAD.search(nlog), "the native run has a kernel error" + nshow

    vlog, status, _, vshow = boot("vmm", conftest.qemu_command(images["vmm"]),
                                  None, VMM_TIMEOUT)
    assert status is not None and status >= 0, \
        f"QEMU did not finish within {VMM_TIMEOUT} s" + vshow
    assert "pvbm: FATAL" not in vlog, vshow
    bad = BAD.search(vlog)
    assert not bad, f"kernel error under pvbm: {bad.group(0)}" + vshow
    vmm = RESULT.findall(vlog)
    assert vmm == native, \
        ("output differs from the native run:\n" +
         "\n".join(f"  native: {a}\n  vmm:    {b}" for a, b in
                   zip(native, vmm) if a != b) +
         f"\n  ({len(native)} native lines, {len(vmm)} under pvbm)" + vshow)
    assert re.search(r"pvbm: guest stopped \(reason \d+, code 0\)", vlog), vshow
    assert status == 0, f"QEMU exit status {status}, expected 0" + vshow
    # The patched modules were loaded (their signature no longer matches,
    # Debian's own do): the VMM ran the self-describing words, not Debian's
    # instructions.
    if not images["unpatched"]:
        assert "module verification failed" in vlog, vshow
    assert "module verification failed" not in nlog, nshow
    counts = conftest.pvbm_counts(vlog)
    print(f"{len(vmm)} identical result lines; pvbm counters: "
          f"psr {counts.get('psr')}, patched {counts.get('patched')}")
