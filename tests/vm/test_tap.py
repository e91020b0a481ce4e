#!/usr/bin/env python3
"""tests/vm/tap.py's reading of a lost L1, on made-up console logs.

Proves: an L1 is taken as lost to the emulated SVM only when it booted,
did not finish, and either printed nothing or a double fault / stack guard
hit with no frame of the project's code; a lost log counts the tests it
finished and neither the results nor the splats of the test it died in;
any other unfinished log still fails vm/l1-completed; and tests/vm/run,
given a QEMU that loses its first L1 that way (FAKE_QEMU below), runs the
tests that L1 had not finished once more and passes; and that an L1 whose
test never ends is killed by tests/vm/run, that test failed and the rest of
the run reported, while a test that tests/vm/init runs again is timed from
its new start; and tests/lib/rig.sh's reading of an L2 guest lost in early
boot: only a QEMU that ended with status 0 before the guest's init, with
nothing of the guest recycled, is the rig's, and only a test with no
failed result of its own runs again, which tap.py then reports. Prints
PPR-TAP lines.
"""
import contextlib
import io
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

HEAD = """PPR-BOOT host 6.12
# --- host/00-smoke
PPR-TAP ok - smoke/one
PPR-TAP ok - host/00-smoke # 5s of 60s budget
# --- host/55-lifetime
PPR-TAP ok - lifetime/reset
"""
DOUBLE = """[  812.1] Oops: double fault: 0000 [#1] PREEMPT SMP KASAN
[  812.1] BUG: KASAN: null-ptr-deref in rb_insert_color+0x55/0x202
[  812.1] Call Trace:
[  812.1]  ? native_irq_return_iret+0x0/0x2
[  812.1] Modules linked in: ppr_pageone
[  812.1] Kernel panic - not syncing: Fatal exception in interrupt
"""
# A stand-in for qemu-system-x86_64: writes an L1 console that runs each
# test of ppr.tests= and passes it, except that the first L1 to reach
# 55-lifetime double-faults in it, and that the test named by $FAKE_HANG
# never ends (a hung kernel).
FAKE_QEMU = r"""#!/bin/sh
log= tests=
while [ $# -gt 0 ]; do
	case $1 in
	-serial) log=${2#file:}; shift ;;
	-append) tests=$(echo "$2" | sed 's/.*ppr.tests=\([^ ]*\).*/\1/'); shift ;;
	--version) echo "QEMU emulator version 0 (fake)"; exit 0 ;;
	esac
	shift
done
echo "PPR-BOOT host 6.12" >"$log"
for t in $(echo "$tests" | tr , ' '); do
	echo "# --- host/$t" >>"$log"
	if [ "$t" = "$FAKE_HANG" ]; then
		exec sleep 600
	fi
	if [ "$t" = "$FAKE_RERUN" ]; then
		sleep 3
		echo "# init: host/$t runs again: l2/g: QEMU ended by itself" >>"$log"
		echo "# --- host/$t" >>"$log"
		sleep 3
	fi
	if [ "$t" = 55-lifetime ] && mkdir "$FAKE_STATE/crashed" 2>/dev/null; then
		printf 'Oops: double fault: 0000 [#1] PREEMPT SMP KASAN\nKernel panic - not syncing: Fatal exception\n' >>"$log"
		exit 0
	fi
	echo "PPR-TAP ok - host/$t # 1s of 60s budget" >>"$log"
done
echo "PPR-DONE host" >>"$log"
"""
failures = 0


def check(ok, name, detail):
    global failures
    print("PPR-TAP %s - tap/%s # %s" % ("ok" if ok else "not ok", name, detail))
    failures += not ok


LOGS = tempfile.TemporaryDirectory(prefix="test_tap.")


def log(text):
    f = tempfile.NamedTemporaryFile("w", suffix=".log", dir=LOGS.name, delete=False)
    f.write(text)
    f.close()
    return f.name


def count(paths, lost=()):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = tap.main(paths, [], list(lost))
    return rc, out.getvalue()


def main():
    lost = log(HEAD + DOUBLE)
    why = tap.rig_loss(lost)
    check(why is not None and "double fault" in why, "double-fault-is-rig-loss", repr(why))
    check(tap.rig_loss(log(HEAD)) == "gone with nothing printed", "silent-end-is-rig-loss",
          repr(tap.rig_loss(log(HEAD))))
    ours = HEAD + DOUBLE.replace("? native_irq_return_iret+0x0/0x2", "stable_tree_insert+0x1a/0x300")
    check(tap.rig_loss(log(ours)) is None,
          "own-frame-is-not-rig-loss", "a ksm frame in the trace")
    mod = HEAD + DOUBLE.replace("? native_irq_return_iret+0x0/0x2", "recycle_one+0x1a/0x300 [ppr_pageone]")
    check(tap.rig_loss(log(mod)) is None, "module-frame-is-not-rig-loss", "a [ppr_pageone] frame")
    warn = HEAD + "[  700.0] WARNING: CPU: 1 PID: 9 at mm/ksm.c:2214\n" + DOUBLE
    check(tap.rig_loss(log(warn)) is None, "earlier-warning-is-not-rig-loss", "a WARNING came first")
    done = HEAD + "PPR-TAP ok - host/55-lifetime # 300s of 960s budget\nPPR-DONE host passed=3\n"
    check(tap.rig_loss(log(done)) is None, "finished-is-not-rig-loss", "PPR-DONE reached")

    rc, out = count([lost], [lost])
    check(rc == 0 and "3 passed, 0 failed" in out
          and "\nok - lifetime/reset" not in out,
          "lost-log-counts-finished-tests-only", out.strip().splitlines()[-1])
    check("lost to the emulated SVM in host/55-lifetime" in out, "lost-log-names-its-test",
          "the comment line names the test it died in")
    rc, out = count([lost])
    check(rc == 1 and "not ok - vm/l1-completed" in out and "not ok - kernel/log-clean" in out,
          "unretried-loss-fails", out.strip().splitlines()[-1])
    again = log("PPR-BOOT host 6.12\n# --- host/55-lifetime\n"
                "PPR-TAP ok - host/55-lifetime # 300s of 960s budget\nPPR-DONE host passed=1\n")
    os.rename(again, lost + ".again")
    rc, out = count([lost, lost + ".again"], [lost])
    check(rc == 0 and "ok - host/55-lifetime # 300s" in out and "kernel/log-clean#1-again" in out,
          "run-again-log-counts", out.strip().splitlines()[-1])

    rerun = log("PPR-BOOT host 6.12\n# --- host/26-pageone-guests\n"
                "# init: host/26-pageone-guests runs again: l2/dd1: QEMU ended by itself\n"
                "# --- host/26-pageone-guests\n"
                "PPR-TAP ok - host/26-pageone-guests # 200s of 720s budget\nPPR-DONE host passed=1\n")
    rc, out = count([rerun])
    check(rc == 0 and "1 test(s) ran again" in out and "host/26-pageone-guests: l2/dd1: QEMU ended" in out,
          "rerun-reported", out.strip().splitlines()[-1])

    top = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    rig_checks(top)
    if not os.path.exists(os.path.join(top, "build", "obj-debug", "arch", "x86", "boot", "bzImage")):
        print("PPR-TAP ok - tap/run-again-end-to-end # SKIP no debug kernel built")
        return 1 if failures else 0
    with tempfile.TemporaryDirectory() as d:
        qemu = os.path.join(d, "qemu")
        with open(qemu, "w") as f:
            f.write(FAKE_QEMU)
        os.chmod(qemu, 0o755)
        env = dict(os.environ, QEMU=qemu, FAKE_STATE=d)
        r = subprocess.run([os.path.join(top, "tests", "vm", "run"), "--accel", "tcg", "--jobs", "1",
                            "--log", os.path.join(d, "l1.log"), "00-smoke", "55-lifetime", "56-vmm-restart"],
                           env=env, capture_output=True, text=True)
        out = r.stdout
        check(r.returncode == 0 and "running again: 55-lifetime 56-vmm-restart" in out
              and "ok - host/56-vmm-restart # 1s" in out and "5 passed, 0 failed" in out,
              "run-again-end-to-end", "exit %d, %s" % (r.returncode, (out.strip().splitlines() or ["-"])[-1]))
        # Two attempts of 3 s each under a 5 s hang limit: not hung.
        env2 = dict(env, FAKE_RERUN="57-pinned", PPR_HANG_AFTER="5", PPR_HANG_POLL="1")
        r = subprocess.run([os.path.join(top, "tests", "vm", "run"), "--accel", "tcg", "--jobs", "1",
                            "--log", os.path.join(d, "rerun.log"), "57-pinned"],
                           env=env2, capture_output=True, text=True, timeout=120)
        out = r.stdout
        check(r.returncode == 0 and "ok - host/57-pinned # 1s" in out and "1 test(s) ran again" in out,
              "rerun-timed-from-its-new-start", "exit %d, %s" % (r.returncode, (out.strip().splitlines() or ["-"])[-1]))
        env = dict(env, FAKE_HANG="56-vmm-restart", PPR_HANG_AFTER="2", PPR_HANG_POLL="1")
        os.rmdir(os.path.join(d, "crashed"))
        os.mkdir(os.path.join(d, "crashed"))
        r = subprocess.run([os.path.join(top, "tests", "vm", "run"), "--accel", "tcg", "--jobs", "1",
                            "--log", os.path.join(d, "hung.log"), "00-smoke", "56-vmm-restart", "57-pinned"],
                           env=env, capture_output=True, text=True, timeout=120)
        out = r.stdout
        check(r.returncode != 0 and "hung in a test and was killed" in out
              and "not ok - host/56-vmm-restart # L1 hung" in out and "ok - host/00-smoke # 1s" in out
              and "not ok - vm/l1-completed" in out,
              "hung-l1-killed-and-failed", "exit %d, %s" % (r.returncode, (out.strip().splitlines() or ["-"])[-1]))
    return 1 if failures else 0


# tests/lib/rig.sh in bash, with the kernel log and a guest's files made
# up: prints what l2_rig_death NAME PID RC and rig_rerun say.
RIG = r"""
. "$1/tests/lib/rig.sh"
PPR_DMESG="cat $2/dmesg"
n=test-rig-$$
l=/tmp/l2-$n.log
case $3 in
boot-death) printf 'Linux version 6.12\n' >$l; l2_rig_death $n 10 0 ;;
booted) printf 'PPR-BOOT guest 6.12\n' >$l; l2_rig_death $n 10 0 ;;
killed) printf 'Linux version 6.12\n' >$l; l2_rig_death $n 10 137 ;;
detached-0)
	printf 'Linux\n' >$l
	printf '[ 1.0] ppr_pageone: vm 3 (%s, pid 10) attached: area 1024 KiB\n[ 2.0] ppr_pageone: vm 3 (%s) detached: 0 pages recycled\n' $n $n >$2/dmesg
	l2_rig_death $n 10 0 ;;
detached-12)
	printf 'Linux\n' >$l
	printf '[ 1.0] ppr_pageone: vm 3 (%s, pid 10) attached: area 1024 KiB\n[ 2.0] ppr_pageone: vm 3 (%s) detached: 12 pages recycled\n' $n $n >$2/dmesg
	l2_rig_death $n 10 0 ;;
rerun) printf 'x\nPPR-RIG l2/g: lost\nPPR-TAP ok - a\n' >$2/out; rig_rerun $2/out 1 && echo RERUN ;;
rerun-own-fail) printf 'PPR-RIG l2/g: lost\nPPR-TAP not ok - a\n' >$2/out; rig_rerun $2/out 1 && echo RERUN ;;
rerun-passed) printf 'PPR-RIG l2/g: lost\n' >$2/out; rig_rerun $2/out 0 && echo RERUN ;;
esac
rm -f $l
"""


def rig_checks(top):
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "dmesg"), "w").close()

        def say(case):
            return subprocess.run(["bash", "-c", RIG, "-", top, d, case],
                                  capture_output=True, text=True, timeout=60).stdout
        out = say("boot-death")
        check(out.startswith("PPR-RIG l2/test-rig-"), "rig-boot-death", repr(out))
        for case in ("booted", "killed"):
            out = say(case)
            check("PPR-RIG" not in out, "rig-not-" + case, repr(out))
        out = say("detached-0")
        check(out.startswith("PPR-RIG "), "rig-detached-nothing-recycled", repr(out))
        out = say("detached-12")
        check("PPR-RIG" not in out and "12 pages recycled: not the rig's" in out,
              "rig-not-when-recycled", repr(out))
        out = say("rerun")
        check(out == "l2/g: lost\nRERUN\n", "rerun-on-rig-loss", repr(out))
        for case in ("rerun-own-fail", "rerun-passed"):
            out = say(case)
            check("RERUN" not in out, "no-" + case, repr(out))


if __name__ == "__main__":
    sys.exit(main())
