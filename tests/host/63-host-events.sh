# The VMM's memory changing under the recycler (ppr_host_events, a VMM
# with no vCPU, 20 ms period): a forked child keeps its copy-on-write copy
# of recycled pages; marked pages the host swapped out (zram) have their
# swap slots freed and unmarked ones read back whole; and for 8 s the guest
# frees and reuses scattered pages while threads collapse its RAM into
# THPs (MADV_COLLAPSE, and khugepaged scanning every 10 ms), swap it out,
# change work_threads, and fork readers: nothing the guest kept or took
# back is lost, and every page marked afterwards is taken.
# ppr-cost: 40 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
T=/sys/kernel/mm/transparent_hugepage
echo madvise >$T/enabled
old_sleep=$(cat $T/khugepaged/scan_sleep_millisecs)
old_scan=$(cat $T/khugepaged/pages_to_scan)
echo 10 >$T/khugepaged/scan_sleep_millisecs
echo 4096 >$T/khugepaged/pages_to_scan
swap=
if [ -e /sys/block/zram0 ] || modprobe zram 2>/dev/null; then
	if [ "$(cat /sys/block/zram0/disksize)" = 0 ]; then
		echo 64M >/sys/block/zram0/disksize
	fi
	mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 && swap=/dev/zram0 ||
		echo "zram swap could not be set up"
fi
modprobe ppr_pageone reclaim_period_ms=20 || exit 1
rc=0
ppr_host_events 8 || rc=1
dmesg | grep ppr_pageone | tail -n 5
rmmod ppr_pageone || rc=1
[ -n "$swap" ] && swapoff $swap
echo "$old_sleep" >$T/khugepaged/scan_sleep_millisecs
echo "$old_scan" >$T/khugepaged/pages_to_scan
exit $rc
