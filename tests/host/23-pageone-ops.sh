# Pages PageONE merged stay correct through the operations that
# touch KSM pages: fork then write, munmap, exit, MADV_DONTNEED, mremap,
# compaction, migration (soft-offline), swap-out and swap-in (zram), and
# rmmod of ppr_pageone with merged pages mapped. Each case checks every
# byte and the counters (tests/progs/pageone_ops.c). Then writes racing
# merges on both work threads (tests/progs/dedup_churn.c).
# ppr-cost: 130 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/tap.sh
rc=0
K=/sys/kernel/mm/ksm
echo 0 >$K/run
modprobe ppr_pageone merge_period_ms=100 || exit 1
if [ -e /sys/block/zram0 ] || modprobe zram 2>/dev/null; then
	echo 64M >/sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 ||
		echo "zram swap could not be set up"
fi
# Migration runs at a 1 s merge period: a pass holds its batch's pages,
# and back-to-back passes leave migration few windows to find them free
# (tests/progs/pageone_ops.c, case_migration).
for c in fork-write munmap exit dontneed mremap compaction migration swap; do
	p=100
	[ $c = migration ] && p=1000
	echo $p >/sys/kernel/mm/ppr_pageone/merge_period_ms
	timeout 300 pageone_ops $c
	case $? in 0 | 4) ;; *) rc=1 ;; esac
done
swapoff /dev/zram0 2>/dev/null

# Writes racing merges: 3 processes rewrite random pages of 64 contents
# while both work threads merge, passes back to back (merge period 10 ms),
# each process checking every byte of its 32 MiB after every 512 writes.
# The churn goes on until the host has merged 1,000 pages under it (and for
# 20 s at least), up to 300 s: the amount merged does not depend on the
# machine's speed, only the time it takes.
echo 10 >/sys/kernel/mm/ppr_pageone/merge_period_ms
dedup_churn 8192 64 300 3 >/tmp/pageone-churn.out &
pid=$!
most=0 t=0
while kill -0 $pid 2>/dev/null; do
	s=$(cat $K/pages_sharing)
	[ "$s" -gt "$most" ] && most=$s
	[ $most -ge 1000 ] && [ $t -ge 40 ] && killall -USR1 dedup_churn 2>/dev/null
	sleep 0.5
	t=$((t + 1))
done
wait $pid
churn=$?
cat /tmp/pageone-churn.out
echo "during the churn ($((t / 2)) s): pages_sharing up to $most"
[ $churn = 0 ] && [ "$most" -ge 1000 ]
tap $? pageone-ops/writes-racing-merges "exit $churn, pages_sharing up to $most"
echo 100 >/sys/kernel/mm/ppr_pageone/merge_period_ms

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
[ "$(cat $K/scanner)" = ksmd ] && [ "$(cat $K/pages_sharing)" = "$sharing" ] && [ "$sharing" -gt 0 ]
tap $? pageone-ops/rmmod-keeps-merged-pages
echo go >&3
exec 3>&-
wait $pid || rc=1
cat /tmp/pageone-hold.out
exit $rc
