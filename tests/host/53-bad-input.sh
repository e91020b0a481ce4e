# Bad input (issue 4): wrong structs, fds, areas, double attach, unknown
# detach, and a "guest" that writes garbage into its area; each check is
# its own result (ppr_badinput), and the kernel log must stay clean.
# ppr-cost: 5 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
modprobe ppr_pageone reclaim_period_ms=20 || exit 1
ppr_badinput
rc=$?
dmesg | grep ppr_pageone | tail -n 20
rmmod ppr_pageone || rc=1
exit $rc
