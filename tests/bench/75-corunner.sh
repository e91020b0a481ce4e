# Benchmark (reported, not asserted): what deduplication costs a
# latency-sensitive task on the same host. A co-runner serves one request
# per millisecond (tests/progs/corunner.c) for 20 s while 512 MiB of
# mergeable memory (two processes, half duplicates) is scanned by: nobody
# (the baseline), ksmd at the reference's settings (sleep_millisecs=0,
# pages_to_scan=1000000), PageONE with its passes back to back capped at
# 25% of one CPU, and PageONE uncapped. Reported for each: the co-runner's
# 50th and 99th percentile and worst response time, and the CPU the
# scanner used meanwhile, in percent of one CPU, and the pages it scanned.
K=/sys/kernel/mm/ksm
P=/sys/kernel/mm/ppr_pageone
O=$P/pageone
SECS=20
echo 0 >$K/run
pids=
for i in 1 2; do
	dedup_load 256 50 >/tmp/corun.$i &
	pids="$pids $!"
done
for i in 1 2; do
	until grep -q ready /tmp/corun.$i 2>/dev/null; do sleep 0.2; done
done
now_us() { awk '{ printf "%.0f", $1 * 1000000 }' /proc/uptime; }
ksmd_us() { # ksmd's CPU time, in microseconds (clock ticks: USER_HZ, 100 on x86)
	local d
	for d in /proc/[0-9]*; do
		[ "$(cat $d/comm 2>/dev/null)" = ksmd ] || continue
		awk '{ printf "%.0f", ($14 + $15) * 10000 }' $d/stat
		return
	done
	echo "75-corunner: no ksmd thread" >&2
	echo 0
}
# measure NAME CPU-COUNTER: run the co-runner, report it with the CPU the
# scanner's counter (microseconds) advanced by, per wall microsecond.
measure() {
	local c0 c1 t0 t1 r
	sleep 5
	c0=$($2) t0=$(now_us) s0=$(cat $K/pages_scanned)
	r=$(corunner $SECS)
	c1=$($2) t1=$(now_us) s1=$(cat $K/pages_scanned)
	echo "PPR-BENCH corunner $1: $r (us); scanner CPU" \
		"$(awk "BEGIN { printf \"%.1f\", 100 * ($c1 - $c0) / ($t1 - $t0) }")% of one CPU," \
		"$((s1 - s0)) pages scanned"
}
zero() { echo 0; }
measure "no deduplication (baseline)" zero
old_pts=$(cat $K/pages_to_scan) old_sleep=$(cat $K/sleep_millisecs)
echo 1000000 >$K/pages_to_scan
echo 0 >$K/sleep_millisecs
echo 1 >$K/run
measure "ksmd, sleep_millisecs=0 pages_to_scan=1000000" ksmd_us
echo 0 >$K/run
echo $old_pts >$K/pages_to_scan
echo $old_sleep >$K/sleep_millisecs
echo 2 >$K/run
echo 0 >$K/run
pageone_us() { cat $O/thread_cpu_us; }
modprobe ppr_pageone merge_period_ms=10 dedup_cpu_percent=25 || exit 1
measure "PageONE, passes back to back, capped at 25%" pageone_us
echo 0 >$P/dedup_cpu_percent
measure "PageONE, passes back to back, no cap" pageone_us
kill $pids
wait 2>/dev/null
echo 2 >$K/run
rmmod ppr_pageone
echo 0 >$K/run
