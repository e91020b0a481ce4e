#!/usr/bin/env python3
"""Write the recycler's hardening table from L1 console logs.

usage: hardening.py OUT.md LOG...

The recycler's tests of lost writes, hostile guests, lifetime events and
faults (tests/host/51 to 63) print one PPR-TAP line per case, most with a
comment saying what was tried and what held ("0 of 467 ioctl and sysfs
rounds misbehaved"). This collects them, per test and in the order they
ran, into one Markdown table: docs/hardening.md is this output from a
clean-clone run. A test of that range that did not run shows as such.
"""
import re
import sys

TESTS = {
    "51-no-lost-writes": "guests churn and verify every byte while the host recycles",
    "52-race": "a guest freeing and rewriting 512 pages while the host recycles every 10 ms",
    "53-bad-input": "wrong structs, fds and areas, double attach, a guest writing garbage into its area, an area left active with every page marked",
    "54-unload": "rmmod, modprobe and attach, three times, with a guest attached and recycling",
    "55-lifetime": "reset, reboot and kexec of a churning guest",
    "56-vmm-restart": "QEMU killed, a new one started on the same area",
    "57-pinned": "marked pages and THPs pinned (io_uring fixed buffers), then unpinned",
    "58-flood": "a guest that flags every chunk of a huge area every period",
    "59-fuzz": "an area rewritten at random while the host recycles; random ioctl and sysfs input",
    "60-faults": "allocation failures (fail-nth, failslab, fail_page_alloc) in attach and in the passes",
    "61-memslot-live": "memslots deleted and re-created under a running guest",
    "62-hibernate": "hibernation to swap and restore in the middle of a churn",
    "63-host-events": "the VMM forking, its RAM swapped out and collapsed into THPs, work_threads changed, while the guest frees and reuses pages",
}
SECTION = re.compile(r"^# --- host/(\S+)")
TAP = re.compile(r"^PPR-TAP (ok|not ok) - (.*)$")
TIME = re.compile(r"^\[\s*\d+\.\d+\]\s?")


def scan(paths):
    cases = {}
    for path in paths:
        section = None
        with open(path, errors="replace") as f:
            for raw in f:
                line = TIME.sub("", raw.rstrip("\r\n"))
                m = SECTION.match(line)
                if m:
                    section = m.group(1) if m.group(1) in TESTS else None
                    continue
                m = TAP.match(line)
                if not m or section is None:
                    continue
                name, _, note = m.group(2).partition(" # ")
                cases.setdefault(section, []).append(
                    (name.strip(), m.group(1), note.strip()))
    return cases


def cell(text):
    return text.replace("|", "\\|")


def main(out, paths):
    cases = scan(paths)
    if not cases:
        return
    rows = ["| test | what it does | case | result | what was tried, what held |",
            "|---|---|---|---|---|"]
    held = failed = 0
    for test, what in TESTS.items():
        if test not in cases:
            rows.append(f"| {test} | {cell(what)} | - | not run | |")
            continue
        for i, (name, result, note) in enumerate(cases[test]):
            rows.append("| {} | {} | {} | {} | {} |".format(
                test if i == 0 else "", cell(what) if i == 0 else "",
                cell(name), "held" if result == "ok" else "FAILED", cell(note)))
            if result == "ok":
                held += 1
            else:
                failed += 1
    with open(out, "w") as f:
        f.write("\n".join(rows) + "\n")
    print(f"hardening: {held} cases held, {failed} failed, table in {out}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
