#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The installed API, as a program outside the tree sees it.

    tests/consumer/run.py <host build dir> [consumer.c]

1. `meson install --destdir <tmp> --no-rebuild` of the build dir (no root
   needed; what it installs must have been built);
2. compiles consumer.c with only `pkg-config --cflags --libs pvcore` from
   <tmp> (PKG_CONFIG_SYSROOT_DIR, PKG_CONFIG_PATH), so nothing but the
   installed headers is on the include path, links the installed
   libpvcore.so and runs the program with LD_LIBRARY_PATH;
3. checks the export list both ways: every function and `extern const`
   object the installed headers declare (not static inline) is exported by
   `nm -D --defined-only libpvcore.so`, and nothing else is;
4. compiles consumer_cxx.cc (next to consumer.c) the same way with a C++
   compiler and runs it: the headers give every function C linkage.

Environment: CC (default cc), CXX (default c++), PKG_CONFIG (default pkg-config), NM (default
nm), PV_CONSUMER_KEEP=1 keeps the temporary directory.
"""

import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

CFLAGS = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-Wstrict-prototypes",
          "-Wmissing-prototypes", "-pedantic"]
CXXFLAGS = ["-std=c++17", "-Wall", "-Wextra", "-Werror"]


class Failure(Exception):
    pass


def run(cmd, quiet=False, **kw):
    """Run cmd, echo it, raise Failure with its output if it fails."""
    print("$ " + " ".join(shlex.quote(str(c)) for c in cmd), flush=True)
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if res.stdout.strip() and not quiet:
        print(res.stdout.rstrip())
    if res.returncode != 0:
        raise Failure(f"{cmd[0]} exited with {res.returncode}:\n"
                      f"{res.stderr.rstrip()}")
    if res.stderr.strip():
        print(res.stderr.rstrip(), file=sys.stderr)
    return res.stdout


def strip_comments_and_directives(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    # Preprocessor lines, continuations included.
    text = re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)
    # The C++ guards (extern "C" { ... } under #ifdef __cplusplus): once
    # the directives are gone, the brace that closes one stands alone on
    # its line, after everything the header declares.
    if re.search(r'extern\s+"C"\s*\{', text):
        text = re.sub(r'extern\s+"C"\s*\{', " ", text)
        text = re.sub(r"^\s*\}\s*$(?![\s\S]*^\s*\}\s*$)", " ", text,
                      flags=re.M)
    return text


def top_level_declarations(text):
    """The declarations at file scope: split at ';' outside braces; a
    function body ends its definition at its closing brace."""
    out, cur, depth, body = [], [], 0, False
    for ch in text:
        if ch == "{":
            if depth == 0:
                body = "".join(cur).rstrip().endswith(")")
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0 and body:
                out.append("".join(cur) + "}")
                cur, body = [], False
                continue
        elif ch == ";" and depth == 0:
            out.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    return [" ".join(d.split()) for d in out if d.strip()]


def declared_symbols(header_dir):
    """{name: header} of the functions (not static inline) and extern
    objects the installed headers declare."""
    names = {}
    headers = sorted(glob.glob(os.path.join(header_dir, "*.h")))
    if not headers:
        raise Failure(f"no installed headers in {header_dir}")
    for h in headers:
        with open(h) as f:
            text = strip_comments_and_directives(f.read())
        for decl in top_level_declarations(text):
            words = re.findall(r"\w+", decl)
            if "static" in words or "typedef" in words:
                continue
            if "{" in decl:  # struct, union and enum definitions
                continue
            m = re.search(r"\b(pv_[a-z0-9_]+)\s*\(", decl)
            if not m and words and words[0] == "extern":
                m = re.search(r"\b(pv_[a-z0-9_]+)\s*(?:\[[^\]]*\]\s*)*$",
                              decl)
            if m:
                names[m[1]] = os.path.basename(h)
    return names


def exported_symbols(nm, so):
    """{name: nm type} of what the shared library exports."""
    out = run([nm, "-D", "--defined-only", so], quiet=True)
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        typ, name = parts[-2], parts[-1].split("@")[0]
        if typ == "A":  # version definitions (PVCORE_x.y)
            continue
        syms[name] = typ
    return syms


def check_exports(nm, header_dir, so):
    declared = declared_symbols(header_dir)
    exported = exported_symbols(nm, so)
    missing = sorted(set(declared) - set(exported))
    extra = sorted(set(exported) - set(declared))
    problems = []
    for name in missing:
        problems.append(f"declared in {declared[name]} but not exported: "
                        f"{name} (add it to libpvcore/pvcore.map)")
    for name in extra:
        problems.append(f"exported but declared in no installed header: "
                        f"{name} ({exported[name]})")
    if problems:
        raise Failure("export list:\n  " + "\n  ".join(problems))
    print(f"export list: the {len(declared)} symbols the installed headers "
          f"declare are exported, and nothing else")


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    build = os.path.abspath(argv[1])
    here = os.path.dirname(os.path.abspath(__file__))
    source = os.path.abspath(argv[2]) if len(argv) > 2 else \
        os.path.join(here, "consumer.c")
    cxx_source = os.path.join(os.path.dirname(source), "consumer_cxx.cc")
    cc = shlex.split(os.environ.get("CC") or "cc")
    cxx = shlex.split(os.environ.get("CXX") or "c++")
    pkg_config = os.environ.get("PKG_CONFIG") or "pkg-config"
    nm = os.environ.get("NM") or "nm"
    for tool in (cc[0], cxx[0], pkg_config, nm, "meson"):
        if not shutil.which(tool):
            print(f"consumer: {tool} not found", file=sys.stderr)
            return 1

    tmp = tempfile.mkdtemp(prefix="pvcore-consumer-")
    try:
        dest = os.path.join(tmp, "root")
        # `meson test` builds only the tests' dependencies, and the install
        # must not rebuild the whole tree from inside a test: build just
        # what it would install and is missing (nothing after `ninja`).
        installed = json.loads(run(["meson", "introspect", build,
                                    "--installed"], quiet=True))
        missing = sorted(os.path.relpath(f, build) for f in installed
                         if os.path.isabs(f) and f.startswith(build + os.sep)
                         and not os.path.exists(f))
        if missing:
            run([shutil.which("ninja") or "ninja", "-C", build] + missing)
        run(["meson", "install", "-C", build, "--destdir", dest,
             "--no-rebuild", "--quiet"])
        pcs = glob.glob(os.path.join(dest, "**", "pkgconfig", "pvcore.pc"),
                        recursive=True)
        if len(pcs) != 1:
            raise Failure(f"expected one installed pvcore.pc, found {pcs}")
        pcdir = os.path.dirname(pcs[0])
        env = dict(os.environ, PKG_CONFIG_SYSROOT_DIR=dest,
                   PKG_CONFIG_PATH=pcdir, PKG_CONFIG_LIBDIR=pcdir)
        flags = shlex.split(run([pkg_config, "--cflags", "--libs", "pvcore"],
                                env=env))
        incs = [f[2:] for f in flags if f.startswith("-I")]
        libdirs = [f[2:] for f in flags if f.startswith("-L")]
        if not incs or not all(i.startswith(dest) for i in incs):
            raise Failure(f"pkg-config gave include dirs {incs}, "
                          f"not inside {dest}")
        if len(libdirs) != 1 or not libdirs[0].startswith(dest):
            raise Failure(f"pkg-config gave library dirs {libdirs}")
        libdir = libdirs[0]
        so = os.path.join(libdir, "libpvcore.so")
        if not os.path.exists(so):
            raise Failure(f"{so} not installed")

        header_dirs = [os.path.join(i, "pvcore") for i in incs
                       if os.path.isdir(os.path.join(i, "pvcore"))]
        if len(header_dirs) != 1:
            raise Failure(f"no single installed pvcore/ header dir in {incs}")
        check_exports(nm, header_dirs[0], so)

        exe = os.path.join(tmp, "consumer")
        run(cc + CFLAGS + ["-o", exe, source] + flags)
        # It must have linked the shared library, not the static one.
        needed = run([os.environ.get("READELF") or "readelf", "-d", exe],
                     quiet=True)
        if "libpvcore.so" not in needed:
            raise Failure("the consumer does not need libpvcore.so: it "
                          "linked the static library")
        renv = dict(os.environ, LD_LIBRARY_PATH=libdir)
        resolved = run(["ldd", exe], env=renv)
        line = [x for x in resolved.splitlines() if "libpvcore.so" in x]
        if not line or libdir not in line[0]:
            raise Failure(f"libpvcore.so does not resolve into {libdir}: "
                          f"{line}")
        run([exe], env=renv)
        # The same headers from C++: C linkage for every function.
        cxx_exe = os.path.join(tmp, "consumer_cxx")
        run(cxx + CXXFLAGS + ["-o", cxx_exe, cxx_source] + flags)
        run([cxx_exe], env=renv)
    except Failure as e:
        print(f"consumer: FAILED: {e}", file=sys.stderr)
        return 1
    finally:
        if os.environ.get("PV_CONSUMER_KEEP"):
            print(f"consumer: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("consumer: the installed API builds, links and runs a VM")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
