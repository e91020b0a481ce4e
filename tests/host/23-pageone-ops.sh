# Issue 5: pages PageONE merged stay correct through the operations that
# touch KSM pages: fork then write, munmap, exit, MADV_DONTNEED, mremap,
# compaction, migration (soft-offline), swap-out and swap-in (zram), and
# rmmod of ppr_pageone with merged pages mapped. Each case checks every
# byte and the counters (tests/progs/pageone_ops.c).
# ppr-cost: 17 (seconds on debug in CI, for tests/vm/run's split)
rc=0
K=/sys/kernel/mm/ksm
echo 0 >$K/run
modprobe ppr_pageone merge_period_ms=100 || exit 1
if [ -e /sys/block/zram0 ] || modprobe zram 2>/dev/null; then
	echo 64M >/sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 ||
		echo "zram swap could not be set up"
fi
for c in fork-write munmap exit dontneed mremap compaction migration swap; do
	timeout 300 pageone_ops $c
	case $? in 0 | 4) ;; *) rc=1 ;; esac
done
swapoff /dev/zram0 2>/dev/null

# rmmod with merged pages mapped: they stay KSM pages, ksmd takes over.
rm -f /tmp/pageone-hold /tmp/pageone-hold.out
mkfifo /tmp/pageone-hold
pageone_ops hold </tmp/pageone-hold >/tmp/pageone-hold.out &
pid=$!
exec 3>/tmp/pageone-hold
i=0
while ! grep -q "hold: held" /tmp/pageone-hold.out && [ $i -lt 1200 ]; do
	sleep 0.1
	i=$((i + 1))
done
sharing=$(cat $K/pages_sharing)
rmmod ppr_pageone || { echo "rmmod failed"; rc=1; }
echo "after rmmod: scanner $(cat $K/scanner), pages_sharing $(cat $K/pages_sharing) (was $sharing)"
if [ "$(cat $K/scanner)" = ksmd ] && [ "$(cat $K/pages_sharing)" = "$sharing" ] && [ "$sharing" -gt 0 ]; then
	echo "PPR-TAP ok - pageone-ops/rmmod-keeps-merged-pages"
else
	echo "PPR-TAP not ok - pageone-ops/rmmod-keeps-merged-pages"
	rc=1
fi
echo go >&3
exec 3>&-
wait $pid || rc=1
cat /tmp/pageone-hold.out
exit $rc
