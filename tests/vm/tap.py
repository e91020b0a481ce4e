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

An L1 the emulated SVM lost (see rig_loss()) is run again by tests/vm/run on
the tests it had not finished; its log is then named with --lost: the tests
it finished count, the test it died in and its splats do not, and the loss
is reported as a comment line, not as a result.
"""
import collections
import os
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
# How the emulated SVM loses an L1 (docs/debugging.md, "Several L2 guests in
# one L1"): a fault on a wrong GS base that ends as a double fault or a stack
# guard page hit. An L1 that is simply gone (QEMU exited, nothing printed: a
# triple fault under -no-reboot) is the same family.
RIG_SPLAT = re.compile(r"double fault|stack guard page was hit")
# A function of the project in a splat's frames: then it is not the rig's.
FRAME = re.compile(r"([A-Za-z_][\w]*)(?:\.[\w.]+)?\+0x[0-9a-f]+/0x[0-9a-f]+")
TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
# A C function definition in kernel style: its name at the start of a line
# (after its type), the opening parenthesis right after.
DEFINITION = re.compile(r"^\+?(?:[A-Za-z_][\w \t\*]*[ \t\*])?([A-Za-z_]\w*)\(")


def own_functions(top=TOP):
    """Names of the functions the project writes or patches into the kernel.

    Read from the module and guest sources, the lines the patch series
    adds, and the whole of mm/ksm.c as patched (the build's copy), since
    PageONE runs inside it. None if that copy is missing.
    """
    ksm = os.path.join(top, "build", "src", "linux", "mm", "ksm.c")
    if not os.path.exists(ksm):
        return None
    files = [ksm]
    for sub in ("mm", "guest", os.path.join("kernel", "patches")):
        for d, _, names in os.walk(os.path.join(top, sub)):
            files += [os.path.join(d, n) for n in names if n.endswith((".c", ".h", ".patch"))]
    names = set()
    for path in files:
        with open(path, errors="replace") as f:
            for line in f:
                if path.endswith(".patch") and not line.startswith("+"):
                    continue
                m = DEFINITION.match(line)
                if m and m.group(1) not in ("if", "for", "while", "switch", "return", "sizeof"):
                    names.add(m.group(1))
    return names
# tests/vm/init's result line of a whole test: its time and its budget.
BUDGET = re.compile(r"^(\S+) # (?:exit \d+, )?(\d+)s of (\d+)s budget$")
KILLED = re.compile(r"^(\S+) # killed after (\d+)s timeout$")
# tests/vm/init's note that a test runs again after a guest the emulated
# SVM lost before its init (tests/lib/l2.sh, l2_rig_death).
RERUN = re.compile(r"^# init: (\S+) runs again: (.*)$")
RERUNS = []
KTAP_CASE = re.compile(r"^    (ok|not ok) \d+ (\S.*)$")
KTAP_SUITE = re.compile(r"^    # Subtest: (\S+)")


def rig_loss(path):
    """Why this L1 counts as lost to the emulated SVM, or None.

    Lost: it booted and never reached PPR-DONE, and either printed no splat
    at all or printed first a RIG_SPLAT line, with no frame of the
    project's code (own_functions()) in what it printed after it. tests/vm/run asks only for
    L1s that ended by themselves, not at its whole-VM timeout.
    """
    own = own_functions()
    boot = done = False
    first, ours = None, []
    with open(path, errors="replace") as f:
        for raw in f:
            line = TIME.sub("", raw.rstrip("\r\n"))
            if line.startswith("PPR-BOOT host"):
                boot = True
            elif line.startswith("PPR-DONE host"):
                done = True
            elif "PPR-TAP" in line or line.startswith("# "):
                continue
            elif first is None and SPLAT.search(line):
                first = line
            if first is not None:
                # Without the names, any frame could be the project's.
                ours += [m for m in FRAME.findall(line) if own is None or m in own]
                if "[ppr_pageone]" in line:
                    ours.append("[ppr_pageone]")
    if not boot or done:
        return None
    if first is None:
        return "gone with nothing printed"
    if not RIG_SPLAT.search(first) or ours:
        return None
    return first.strip()


def main(paths, extra, lost=()):
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
        if path.endswith(".again") and path[:-6] in paths:
            tag = "#%d-again" % (paths.index(path[:-6]) + 1)
        p, f, sk, d, b = scan(path, tag, path in lost)
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
    if RERUNS:
        print("# %d test(s) ran again after the emulated SVM lost a guest before its init:" % len(RERUNS))
        for name, why in RERUNS:
            print("#   %s: %s" % (name, why))
    if lost:
        print("# %d L1 lost to the emulated SVM; the tests each had not finished ran again" % len(lost))
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 0 if failed == 0 else 1


def scan(path, tag, lost=False):
    """Count one L1 console log.

    lost: the L1 was lost to the emulated SVM and its unfinished tests ran
    again elsewhere: the log counts up to the start of the test it died in.

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
        raws = f.readlines()
    cut_name, cut_tail = None, []
    if lost:
        starts = [i for i, r in enumerate(raws) if SECTION.match(TIME.sub("", r))]
        if starts:
            last = starts[-1]
            name = SECTION.match(TIME.sub("", raws[last])).group(1)
            ended = re.compile(r"PPR-TAP (not )?ok - %s( #|$)" % re.escape(name))
            if not any(ended.search(r) for r in raws[last:]):
                cut_name = name + tag
                cut_tail = [TIME.sub("", r.rstrip("\r\n")) for r in raws[last:]][-DETAIL_LINES:]
                raws = raws[:last]
    for raw in raws:
        line = TIME.sub("", raw.rstrip("\r\n"))
        m = SECTION.match(line)
        if m:
            section, lines, console = m.group(1) + tag, tail(DETAIL_LINES), tail(CONSOLE_LINES)
        m = RERUN.match(line)
        if m:
            RERUNS.append((m.group(1) + tag, m.group(2)))
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
    if lost:
        print("# vm/l1-completed%s: lost to the emulated SVM%s; not counted, its tests ran again" % (
            tag, " in " + cut_name if cut_name else ""))
        if cut_name:
            failed_sections.append((cut_name + " (lost to the emulated SVM, not counted)", cut_tail, []))
    elif not done:
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
    lost = []
    if len(args) == 2 and args[0] == "--rig-loss":
        why = rig_loss(args[1])
        if why:
            print(why)
        sys.exit(0 if why else 1)
    while args:
        a = args.pop(0)
        if a == "--extra" and args:
            extra.append(args.pop(0))
        elif a == "--lost" and args:
            lost.append(args.pop(0))
        else:
            logs.append(a)
    if not logs:
        sys.exit("usage: tap.py CONSOLE-LOG... [--extra HOST-RESULTS-LOG]... [--lost CONSOLE-LOG]...\n"
                 "       tap.py --rig-loss CONSOLE-LOG")
    sys.exit(main(logs, extra, lost))
