#!/usr/bin/env bash
# Print one closing line over every meson build's last test run:
#   "pvcore: N passed, N failed, N skipped"
# preceded by the last lines of each failed test's output, so that a CI
# log's tail says why (PV_SUMMARY_TAIL lines each, default 40).
# Exit non-zero if anything failed or if no test ran at all.
set -euo pipefail
/usr/bin/python3 - "$@" <<'PY'
import json, os, sys
counts = {"OK": 0, "FAIL": 0, "SKIP": 0, "TIMEOUT": 0, "ERROR": 0, "EXPECTEDFAIL": 0, "UNEXPECTEDPASS": 0}
per_suite = {}
failures = []
tail = int(os.environ.get("PV_SUMMARY_TAIL", "40"))
for d in sys.argv[1:]:
    log = os.path.join(d, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        print(f"summary: no test log in {d}", file=sys.stderr)
        counts["ERROR"] += 1
        continue
    # The suites of each test, from meson's own introspection data.
    intro = os.path.join(d, "meson-info", "intro-tests.json")
    suites_of = {}
    if os.path.exists(intro):
        with open(intro) as f:
            for t in json.load(f):
                suites_of[t["name"]] = [s.split(":", 1)[-1] for s in t["suite"]]
    with open(log) as f:
        for line in f:
            t = json.loads(line)
            r = t["result"]
            counts[r] = counts.get(r, 0) + 1
            name = t["name"].rsplit(" / ", 1)[-1]
            if r not in ("OK", "EXPECTEDFAIL", "SKIP"):
                out = (t.get("stdout") or "") + (t.get("stderr") or "")
                failures.append((d, t["name"], r, out.splitlines()[-tail:]))
            for s in suites_of.get(name, ["?"]):
                ok, bad = per_suite.get(s, (0, 0))
                per_suite[s] = (ok + (r in ("OK", "EXPECTEDFAIL")), bad + (r not in ("OK", "EXPECTEDFAIL", "SKIP")))
for d, name, r, lines in failures:
    print(f"--- {name} ({r}, in {d}), its last {len(lines)} lines:")
    for line in lines:
        print(f"    {line}")
print("suite results:")
for s in sorted(per_suite):
    ok, bad = per_suite[s]
    print(f"  {s:16s} {ok:4d} ok {bad:4d} failed")
passed = counts["OK"] + counts["EXPECTEDFAIL"]
failed = counts["FAIL"] + counts["TIMEOUT"] + counts["ERROR"] + counts["UNEXPECTEDPASS"]
print(f"pvcore: {passed} passed, {failed} failed, {counts['SKIP']} skipped")
sys.exit(1 if failed or passed == 0 else 0)
PY
