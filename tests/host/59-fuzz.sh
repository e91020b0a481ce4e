# The mark area, the ioctls and the sysfs tunables as a hostile guest and a
# careless admin would write them (ppr_fuzz: a VMM with no vCPU whose area
# is rewritten at random for 20 s while the host recycles every 10 ms, and
# a witness VM beside it). The target's pages stay whole, the witness's
# are recycled and only its own, every bad request is refused and changes
# nothing, and the kernel log stays clean (KASAN, lockdep). The same
# program runs for 10 minutes in make soak (tests/soak/10-fuzz).
# ppr-cost: 30 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
modprobe ppr_pageone reclaim_period_ms=10 || exit 1
rc=0
ppr_fuzz 20 || rc=1
dmesg | grep ppr_pageone | tail -n 5
rmmod ppr_pageone || rc=1
exit $rc
