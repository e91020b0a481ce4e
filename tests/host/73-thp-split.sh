# Partly free host THPs (ppr_thp_split: a VMM with no vCPU, 32 MiB of
# THP-backed RAM, scattered 4 KiB frees): split and taken once
# thp_split_min_free of their 512 pages are marked, left whole below it,
# other data intact, the RSS returned. The setting refuses 0 and 513 and
# keeps its value. khugepaged's max_ptes_none is 255, below the
# threshold, as docs/recycler.md advises: a range just taken is not
# collapsed again, and khugepaged (scanning every 10 ms) makes a range the
# guest has refilled huge again. THP "madvise", as on Debian.
# ppr-cost: 15 (seconds on debug on a normal day, and 3x is its budget)
. /tests/lib/tap.sh
S=/sys/kernel/mm/ppr_pageone
echo madvise >/sys/kernel/mm/transparent_hugepage/enabled
T=/sys/kernel/mm/transparent_hugepage/khugepaged
echo 255 >$T/max_ptes_none
echo 10 >$T/scan_sleep_millisecs
echo 4096 >$T/pages_to_scan
modprobe ppr_pageone reclaim_period_ms=50 || exit 1
rc=0
for v in 0 513 x; do
	if echo $v >$S/thp_split_min_free 2>/dev/null; then
		tap_fail thp-split/setting-refuses-$v "writing $v succeeded"
	else
		tap $(($(cat $S/thp_split_min_free) != 256)) thp-split/setting-refuses-$v \
			"it now reads $(cat $S/thp_split_min_free), not the default 256"
	fi
done
ppr_thp_split || rc=1
dmesg | grep ppr_pageone | tail -n 5
rmmod ppr_pageone || rc=1
exit $rc
