#!/usr/bin/env python3
"""A strict reader of Prometheus' text exposition format (0.0.4), for
pprctl's tests: reads stdin, prints each fault and exits 1, or exits 0.

Beyond the format (names, label syntax and escapes, float values, a TYPE
before its family's samples, a family's samples together, one HELP and one
TYPE per family, no series twice) it holds pprctl's output to the naming
conventions pprctl documents: every name begins with ppr_, a counter's ends
in _total and a gauge's does not, and every family has HELP and TYPE.

  promcheck.py < metrics          check
  promcheck.py --self-test        prove that each rule rejects what it should
"""
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
HELP = re.compile(r"^# HELP (%s) (.*)$" % NAME)
TYPE = re.compile(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$" % NAME)
SAMPLE = re.compile(r"^(%s)(\{.*\})? (\S+)( -?\d+)?$" % NAME)
PAIR = re.compile(r'(%s)="((?:[^"\\\n]|\\[\\"n])*)"' % LABEL)
FLOAT = re.compile(r"^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Inf|NaN)$")


def labels(text):
    """The label pairs of '{...}' as a sorted tuple, or a fault string."""
    body = text[1:-1]
    pairs, pos = [], 0
    while pos < len(body):
        m = PAIR.match(body, pos)
        if not m:
            return "bad label syntax at %r" % body[pos:]
        pairs.append((m.group(1), m.group(2)))
        pos = m.end()
        if pos < len(body):
            if body[pos] != ",":
                return "expected ',' at %r" % body[pos:]
            pos += 1
            if pos == len(body):
                return "a ',' with no label after it"
    names = [p[0] for p in pairs]
    if len(set(names)) != len(names):
        return "a label name twice"
    if any(n.startswith("__") for n in names):
        return "a label name beginning with __ (reserved)"
    return tuple(sorted(pairs))


def check(text):
    faults = []
    helps, types, done, series = {}, {}, set(), set()
    current = None
    if text and not text.endswith("\n"):
        faults.append("the last line has no newline")
    for n, line in enumerate(text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"), 1):
        where = "line %d (%r): " % (n, line)
        if line == "":
            faults.append(where + "empty line")
            continue
        if line.startswith("#"):
            m = HELP.match(line)
            if m:
                if m.group(1) in helps:
                    faults.append(where + "a second HELP")
                if re.search(r"\\[^\\n]", m.group(2)) or m.group(2).endswith("\\"):
                    faults.append(where + "a bad escape in HELP")
                helps[m.group(1)] = m.group(2)
                continue
            if line.startswith("# TYPE "):
                m = TYPE.match(line)
                if not m:
                    faults.append(where + "bad TYPE line")
                elif m.group(1) in types:
                    faults.append(where + "a second TYPE")
                elif m.group(1) in done or m.group(1) == current:
                    faults.append(where + "TYPE after the family's samples")
                else:
                    types[m.group(1)] = m.group(2)
                continue
            if line.startswith("# HELP"):
                faults.append(where + "bad HELP line")
            continue
        m = SAMPLE.match(line)
        if not m:
            faults.append(where + "not a sample")
            continue
        name, lab, value = m.group(1), m.group(2) or "{}", m.group(3)
        ls = labels(lab)
        if isinstance(ls, str):
            faults.append(where + ls)
            continue
        if not FLOAT.match(value):
            faults.append(where + "value %r is not a float" % value)
        if name != current:
            if name in done:
                faults.append(where + "the family's samples are not together")
            if current is not None:
                done.add(current)
            current = name
        if (name, ls) in series:
            faults.append(where + "this series twice")
        series.add((name, ls))
        if name not in types:
            faults.append(where + "no TYPE before the sample")
        if name not in helps:
            faults.append(where + "no HELP")
        if not name.startswith("ppr_"):
            faults.append(where + "not a ppr_ name")
        t = types.get(name)
        if t == "counter" and not name.endswith("_total"):
            faults.append(where + "a counter not ending in _total")
        if t == "gauge" and name.endswith("_total"):
            faults.append(where + "a gauge ending in _total")
    return faults


GOOD = """# HELP ppr_a_total A.
# TYPE ppr_a_total counter
ppr_a_total{vm="1",name="x \\"y\\" \\\\ \\n"} 3
ppr_a_total{vm="2",name=""} 0
# a comment
# HELP ppr_b_seconds B.
# TYPE ppr_b_seconds gauge
ppr_b_seconds -1.500
"""
BAD = {
    "no newline at end": GOOD.rstrip("\n"),
    "empty line": GOOD + "\n",
    "counter without _total": GOOD.replace("ppr_a_total", "ppr_a"),
    "gauge with _total": GOOD.replace("ppr_b_seconds", "ppr_b_total"),
    "no TYPE": GOOD.replace("# TYPE ppr_b_seconds gauge\n", ""),
    "no HELP": GOOD.replace("# HELP ppr_b_seconds B.\n", ""),
    "second TYPE": GOOD + "# TYPE ppr_b_seconds gauge\n",
    "split family": GOOD + 'ppr_a_total{vm="3",name=""} 1\n',
    "series twice": GOOD + "ppr_b_seconds -1.500\n",
    "bad escape": GOOD.replace('\\\\ \\n', '\\t'),
    "unquoted label": GOOD.replace('vm="2"', "vm=2"),
    "label twice": GOOD.replace('vm="2",name=""', 'vm="2",vm="3"'),
    "bad value": GOOD.replace("-1.500", "1,5"),
    "bad name": GOOD.replace("ppr_b_seconds -1.500", "ppr-b -1.500"),
    "not ppr": GOOD.replace("ppr_b_seconds", "node_b_seconds"),
    "trailing comma": GOOD.replace('name=""} 0', 'name="",} 0'),
}


def self_test():
    ok = not check(GOOD)
    if not ok:
        print("rejects the good sample: %s" % check(GOOD))
    for what, text in BAD.items():
        if not check(text):
            print("accepts %s" % what)
            ok = False
    return 0 if ok else 1


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    faults = check(sys.stdin.read())
    for f in faults:
        print(f)
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main())
