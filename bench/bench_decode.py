#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Callgrind instruction counts for decode + emulate, per class.

Usage: bench_decode.py BUILD_DIR/bench/decode_bench [iterations]
Runs the helper under `valgrind --tool=callgrind` once per case and once
as "baseline" (same loop, no decode/emulate) and prints
(Ir(case) - Ir(baseline)) / iterations, a deterministic number.
"""
import os
import re
import subprocess
import sys
import tempfile


def ir(exe, case, n):
    with tempfile.TemporaryDirectory() as td:
        out = os.path.join(td, 'cg.out')
        r = subprocess.run(['valgrind', '--tool=callgrind',
                            '--callgrind-out-file=' + out, exe, case, str(n)],
                           capture_output=True, text=True)
        m = re.search(r'Collected\s*:\s*(\d+)', r.stderr)
        if r.returncode or not m:
            sys.exit('callgrind failed for %s: %s' % (case, r.stderr[-500:]))
        return int(m.group(1))


def main():
    exe = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    cases = subprocess.run([exe, 'list', '0'], capture_output=True,
                           text=True).stdout.split()
    base = ir(exe, 'baseline', n)
    print('| case | instructions per decode+emulate |')
    print('|---|---|')
    for c in cases:
        print('| %s | %d |' % (c, round((ir(exe, c, n) - base) / n)))


if __name__ == '__main__':
    main()
