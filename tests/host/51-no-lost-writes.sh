# No lost writes: a guest runs a verifying churn (writes a known
# pattern, holds, checks every byte, frees, reallocates) while the host
# recycles every 100 ms. Zero mismatches, and thousands of pages recycled.
# 20 rounds of 96 MiB on lean, 5 on debug.
# ppr-cost: 280 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/l2.sh
modprobe ppr_pageone reclaim_period_ms=100 work_threads=2 || exit 1
S=/sys/kernel/mm/ppr_pageone/stats
rc=0
rounds=20 min=2000
[ $ppr_debug = 1 ] && rounds=5 min=500
l2_start churn churn mem=512M ivshmem=1M cmdline=ppr.churn=96,$rounds,200,200 timeout=1200 || exit 1
l2_attach churn || rc=1
l2_wait churn || rc=1
recycled=$(cat $S/recycled_pages)
echo "recycled $recycled pages, raced $(cat $S/skipped_raced_pages), inactive $(cat $S/skipped_inactive_pages), thp_partial $(cat $S/skipped_thp_partial_pages)"
[ "$recycled" -ge $min ] || { echo "want >= $min pages recycled during the churn"; rc=1; }
rmmod ppr_pageone || rc=1
exit $rc
