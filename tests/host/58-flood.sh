# A hostile guest is bounded to itself (ppr_flood: two VMMs with no vCPU).
# One VM's area claims 15,625 chunks over 8 MiB of RAM and flags every one
# of them continuously at the shortest period: at most max_chunks_per_pass
# of its chunks are queued at a time, its holes are counted, and the other
# VM's freed pages are still recycled.
# ppr-cost: 40 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
modprobe ppr_pageone reclaim_period_ms=10 max_chunks_per_pass=256 || exit 1
rc=0
ppr_flood || rc=1
dmesg | grep ppr_pageone | tail -n 5
rmmod ppr_pageone || rc=1
exit $rc
