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

After the results and before the closing line it prints each test's time
against its budget (tests/vm/init kills a test at three times its stated
cost), highest share first, so that a test drifting toward its timeout shows
before it fails; then, for each host test with a failed result, the last
lines that test printed (and of an L2 console it relayed): CI keeps only the
tail of this output, and a failure seen only there is otherwise lost with the
machine.
"""
import collections
import re
import sys

SPLAT = re.compile(
    r"(BUG: |WARNING: |Oops|Kernel panic|KASAN|UBSAN|general protection fault|"
    r"possible recursive locking|possible circular locking|inconsistent lock state|"
    r"suspicious RCU usage|unreferenced object|hung_task|soft lockup|Call Trace:)")
TIME = re.compile(r"^\[\s*\d+\.\d+\]\s?")
TAP = re.compile(r"^PPR-TAP (ok|not ok) - (.*)$")
SECTION = re.compile(r"^# --- (\S+)")
# What is kept of each failed host test, printed after the results: its own
# lines ("# " from tests/vm/init) and, apart, the last lines of an L2
# console it relayed ("# | ", tests/lib/l2.sh).
DETAIL_LINES = 25
CONSOLE_LINES = 10
# tests/vm/init's result line of a whole test: its time and its budget.
BUDGET = re.compile(r"^(\S+) # (?:exit \d+, )?(\d+)s of (\d+)s budget$")
KILLED = re.compile(r"^(\S+) # killed after (\d+)s timeout$")
KTAP_CASE = re.compile(r"^    (ok|not ok) \d+ (\S.*)$")
KTAP_SUITE = re.compile(r"^    # Subtest: (\S+)")


def main(paths, extra):
    passed = failed = skipped = 0
    details = []
    budgets = []
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
    for n, path in enumerate(paths, 1):
        tag = "" if len(paths) == 1 else "#%d" % n
        p, f, sk, d, b = scan(path, tag)
        budgets += b
        passed += p
        failed += f
        skipped += sk
        details += d
    if budgets:
        print("# time against budget (3x the test's stated cost, 60 s at least):")
        for name, secs, budget in sorted(budgets, key=lambda b: -b[1] / b[2]):
            print("#   %-34s %5d s of %5d s  %3d%%%s" % (
                name, secs, budget, 100 * secs // budget,
                "  <- over half its budget" if 2 * secs > budget else ""))
    for name, lines in details:
        print("# --- the last lines of %s, which failed:" % name)
        for line in lines:
            print("#   " + line)
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 0 if failed == 0 else 1


def scan(path, tag):
    """Count one L1 console log.

    Returns (passed, failed, skipped, details, budgets). details: (section,
    its last lines) for each failed section, in order; budgets: (test,
    seconds, budget) for each whole test.
    """
    passed = failed = skipped = 0
    done = boot = False
    section, lines, console = "boot" + tag, tail(DETAIL_LINES), tail(CONSOLE_LINES)
    failed_sections = []
    suite = "?"
    splats = []
    bench = []
    budgets = []
    with open(path, errors="replace") as f:
        for raw in f:
            line = TIME.sub("", raw.rstrip("\r\n"))
            m = SECTION.match(line)
            if m:
                section, lines, console = m.group(1) + tag, tail(DETAIL_LINES), tail(CONSOLE_LINES)
            if line.startswith("# | "):
                console.append(line)
            elif line.startswith("# ") or SPLAT.search(line):
                lines.append(line)
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
                b = BUDGET.match(name)
                if b and b.group(1).startswith("host/"):
                    budgets.append((b.group(1), int(b.group(2)), int(b.group(3))))
                b = KILLED.match(name)
                if b:
                    budgets.append((b.group(1), int(b.group(2)), int(b.group(2))))
                if m.group(1) == "not ok":
                    failed += 1
                    if not failed_sections or failed_sections[-1][0] != section:
                        failed_sections.append((section, lines, console))
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
        print("not ok - kernel/log-clean%s # %d splat lines, first: %s" % (tag, len(splats), splats[0]))
    else:
        passed += 1
        print("ok - kernel/log-clean%s" % tag)
    if not done:
        failed += 1
        print("not ok - vm/l1-completed%s # L1 %s" % (tag,
              ("booted but did not reach PPR-DONE (timeout or crash)" if boot
               else "never reached its init")))
        if not failed_sections or failed_sections[-1][1] is not lines:
            failed_sections.append((section + " (the end of the log)", lines, console))
    details = [(n, list(ls) + list(c)) for n, ls, c in failed_sections]
    return passed, failed, skipped, details, budgets


def tail(n):
    """The last n lines appended."""
    return collections.deque(maxlen=n)


if __name__ == "__main__":
    logs, extra, args = [], [], sys.argv[1:]
    while args:
        a = args.pop(0)
        if a == "--extra" and args:
            extra.append(args.pop(0))
        else:
            logs.append(a)
    if not logs:
        sys.exit("usage: tap.py CONSOLE-LOG... [--extra HOST-RESULTS-LOG]...")
    sys.exit(main(logs, extra))
