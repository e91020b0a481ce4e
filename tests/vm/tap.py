#!/usr/bin/env python3
"""Count the results in an L1 console log.

Reads the serial log of one L1 boot and prints every result, then the closing
line "N passed, N failed, N skipped". Exit status 0 only if nothing failed and
the VM ran to PPR-DONE.

Results come from four places:
  * PPR-TAP lines in the extra logs named after the console log (tests that
    ran on the build machine, such as pprctl's unit tests);
  * PPR-TAP lines printed by tests/vm/init and by the tests themselves;
  * KUnit (KTAP) test cases the kernel ran at boot, named kunit/<suite>.<case>;
  * the kernel log itself: a BUG, WARNING, KASAN, lockdep or other splat in L1
    or in any L2 console relayed into it fails "kernel/log-clean".
"""
import re
import sys

SPLAT = re.compile(
    r"(BUG: |WARNING: |Oops|Kernel panic|KASAN|UBSAN|general protection fault|"
    r"possible recursive locking|possible circular locking|inconsistent lock state|"
    r"suspicious RCU usage|unreferenced object|hung_task|soft lockup|Call Trace:)")
TIME = re.compile(r"^\[\s*\d+\.\d+\]\s?")
TAP = re.compile(r"^PPR-TAP (ok|not ok) - (.*)$")
KTAP_CASE = re.compile(r"^    (ok|not ok) \d+ (\S.*)$")
KTAP_SUITE = re.compile(r"^    # Subtest: (\S+)")


def main(path, extra):
    passed = failed = skipped = 0
    # Results of tests that ran on the build machine (pprctl's unit tests).
    for x in extra:
        with open(x, errors="replace") as f:
            for raw in f:
                m = TAP.match(raw.rstrip("\r\n"))
                if not m:
                    continue
                if m.group(1) == "not ok":
                    failed += 1
                elif re.search(r"#\s*SKIP", m.group(2), re.I):
                    skipped += 1
                else:
                    passed += 1
                print(raw.rstrip("\r\n")[len("PPR-TAP "):])
    done = boot = False
    suite = "?"
    splats = []
    bench = []
    with open(path, errors="replace") as f:
        for raw in f:
            line = TIME.sub("", raw.rstrip("\r\n"))
            m = TAP.match(line)
            if m is None:
                m2 = KTAP_SUITE.match(line)
                if m2:
                    suite = m2.group(1)
                    continue
                m2 = KTAP_CASE.match(line)
                if m2:
                    m = m2
                    line = "PPR-TAP %s - kunit/%s.%s" % (m.group(1), suite, m.group(2))
            if m is not None:
                name = line.split(" - ", 1)[1]
                if m.group(1) == "not ok":
                    failed += 1
                elif re.search(r"#\s*SKIP", name, re.I):
                    skipped += 1
                else:
                    passed += 1
                print(line[len("PPR-TAP "):])
                continue
            if "PPR-BENCH " in line:
                bench.append(line[line.index("PPR-BENCH ") + 10:])
            if line.startswith("PPR-BOOT host"):
                boot = True
            elif line.startswith("PPR-DONE host"):
                done = True
            elif SPLAT.search(line) and "PPR-TAP" not in line:
                splats.append(line)
    for b in bench:
        print("# bench: " + b)
    if splats:
        failed += 1
        print("not ok - kernel/log-clean # %d splat lines, first: %s" % (len(splats), splats[0]))
    else:
        passed += 1
        print("ok - kernel/log-clean")
    if not done:
        failed += 1
        print("not ok - vm/l1-completed # L1 %s" %
              ("booted but did not reach PPR-DONE (timeout or crash)" if boot
               else "never reached its init"))
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: tap.py CONSOLE-LOG [HOST-RESULTS-LOG...]")
    sys.exit(main(sys.argv[1], sys.argv[2:]))
