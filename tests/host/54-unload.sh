# Module unload with a VM attached and recycling under way (issue 4): rmmod
# succeeds, the guest keeps running and verifying, and nothing leaks (the
# debug flavour checks with kmemleak, KASAN and lockdep).
# ppr-cost: 280 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/l2.sh
. /tests/lib/kmemleak.sh
modprobe ppr_pageone reclaim_period_ms=20 || exit 1
rc=0
rounds=12
[ $ppr_debug = 1 ] && rounds=4
l2_start unload churn mem=512M ivshmem=1M cmdline=ppr.churn=64,$rounds,200,200 timeout=900 || exit 1
l2_attach unload || rc=1
i=0
while [ "$(cat /sys/kernel/mm/ppr_pageone/stats/recycled_pages)" -lt 2000 ] && [ $i -lt 3000 ]; do
	sleep 0.1; i=$((i + 1))
done
echo "recycled $(cat /sys/kernel/mm/ppr_pageone/stats/recycled_pages) pages; unloading"
rmmod ppr_pageone || { echo "rmmod failed"; rc=1; }
[ -d /sys/kernel/mm/ppr_pageone ] && { echo "sysfs tree still there"; rc=1; }
modprobe ppr_pageone reclaim_period_ms=20 || rc=1	# and back, for good measure
pprctl attach "$(l2_pid unload)" --area /dev/shm/ppr-unload || rc=1
sleep 2
rmmod ppr_pageone || rc=1
l2_wait unload || rc=1
kmemleak_ours || rc=1
exit $rc
