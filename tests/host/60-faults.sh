# Allocation failures in attach and in the module's passes (ppr_faults,
# with fail-nth and failslab/fail_page_alloc on the module's threads):
# every failure is refused or retried, nothing stays attached or stuck,
# and kmemleak finds nothing of ours. Debug flavour only (fault injection
# is in its config). It takes 100-130 s, idle or beside a CPU-bound loop.
# ppr-cost: 110 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/l2.sh
. /tests/lib/kmemleak.sh
. /tests/lib/tap.sh
if [ ! -e /proc/self/fail-nth ]; then
	tap_skip faults/skipped "no fault injection in this kernel (the lean flavour)"
	exit 0
fi
grep -q " /sys/kernel/debug " /proc/mounts || mount -t debugfs none /sys/kernel/debug
modprobe ppr_pageone reclaim_period_ms=20 || exit 1
rc=0
ppr_faults || rc=1
rmmod ppr_pageone || rc=1
kmemleak_ours || rc=1
exit $rc
