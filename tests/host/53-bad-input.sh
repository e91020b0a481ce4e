# Bad input: wrong structs, fds, areas, double attach, unknown detach, and a
# "guest" that writes garbage into its area (ppr_badinput); an area left
# active by a guest that is gone, every page marked free, is not trusted
# until a driver bound after the attach echoes the host's nonce
# (ppr_stale_area). Each check is its own result, and the kernel log must
# stay clean.
# ppr-cost: 15 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
modprobe ppr_pageone reclaim_period_ms=20 || exit 1
rc=0
ppr_badinput || rc=1
ppr_stale_area || rc=1
dmesg | grep ppr_pageone | tail -n 20
rmmod ppr_pageone || rc=1
exit $rc
