# A PageONE pass does not hold back recycling (ppr_pass_share: a VMM with
# no vCPU whose 128 MiB of unique, mergeable RAM makes a long pass): with
# one work thread, pages the VM marks free while the pass is in flight are
# recycled before it ends, and read zero. PageONE's tokens give the work
# thread back after a bounded run (docs/pageone.md, "A pass").
# ppr-cost: 35 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
modprobe ppr_pageone reclaim_period_ms=20 work_threads=1 || exit 1
rc=0
ppr_pass_share 128 || rc=1
dmesg | grep ppr_pageone | tail -n 3
rmmod ppr_pageone || rc=1
exit $rc
