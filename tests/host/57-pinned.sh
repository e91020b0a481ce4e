# Pinned guest pages (ppr_pin: io_uring fixed buffers on a VMM with no
# vCPU): a pinned page is not taken and is taken once unpinned, without
# the guest marking it again; a THP with a pinned page is not split, and
# is split and recycled whole once unpinned. THP "madvise", as on Debian.
# ppr-cost: 10 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
echo madvise >/sys/kernel/mm/transparent_hugepage/enabled
modprobe ppr_pageone reclaim_period_ms=20 || exit 1
rc=0
ppr_pin || rc=1
dmesg | grep ppr_pageone | tail -n 5
rmmod ppr_pageone || rc=1
exit $rc
