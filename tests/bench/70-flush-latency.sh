# Benchmark (reported, not asserted): how long KSM's walks of every
# rmap_item, at PageONE's claim (modprobe) and release (rmmod), keep a
# real-time task pinned to their CPU waiting, with 1.5 GiB of unique
# mergeable pages (about 390,000 rmap_items) behind them; the same task's
# worst wake-up with the CPU idle is the baseline of the same boot. The
# walks yield every 1,024 items (patch 0010); one spinlock held over all
# items shows as a wait as long as the walk.
# ppr-cost: 90 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/tap.sh
K=/sys/kernel/mm/ksm
O=/sys/kernel/mm/ppr_pageone/pageone
rc=0
trap 'kill $load 2>/dev/null' EXIT
echo 0 >$K/run
modprobe ppr_pageone merge_period_ms=3600000 || exit 1
dedup_load 1536 0 >/tmp/flush.load 2>&1 &
load=$!
until grep -q ready /tmp/flush.load 2>/dev/null; do sleep 0.2; done
d=$(cat $O/passes_done)
echo 1 >$K/run
i=0
while [ "$(cat $O/passes_done)" = "$d" ] && [ $i -lt 3000 ]; do sleep 0.1; i=$((i + 1)); done
echo 0 >$K/run
items=$(cat /proc/$load/ksm_stat | awk '/ksm_rmap_items/ { print $2 }')
echo "rmap_items of the load: $items"
idle=$(latency_probe 1 5)
worst=0
for r in 1 2 3; do
	latency_probe 1 6 >/tmp/flush.lat &
	p=$!
	sleep 0.5
	taskset -c 1 rmmod ppr_pageone || rc=1
	taskset -c 1 modprobe ppr_pageone merge_period_ms=3600000 || rc=1
	wait $p
	l=$(cat /tmp/flush.lat)
	echo "round $r: worst wake-up $l us across rmmod and modprobe"
	[ "$l" -gt "$worst" ] && worst=$l
done
echo "PPR-BENCH flush-latency: worst wake-up $worst us across rmmod and modprobe with $items rmap_items; idle baseline $idle us"
kill $load
wait 2>/dev/null
echo 2 >$K/run
rmmod ppr_pageone || rc=1
echo 0 >$K/run
exit $rc
