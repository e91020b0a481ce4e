# PageONE's CPU budget and KSM's own scan-rate settings:
# - dedup_cpu_percent (module parameter and sysfs) caps the work threads'
#   CPU time in passes: with a cap, token runs are put off
#   (throttled_runs) and passes still end; with 0 nothing is put off; a
#   value over 100 per possible CPU is refused (ERANGE) and changes nothing.
# - While PageONE scans, ksmd's pages_to_scan, sleep_millisecs and advisor
#   settings cannot be changed (EBUSY, and the reason in the kernel log);
#   writing their current value succeeds; after rmmod they work again.
# How closely the cap holds is measured in make bench (50-dedup-cpu-cap).
# ppr-cost: 60 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/tap.sh
K=/sys/kernel/mm/ksm
P=/sys/kernel/mm/ppr_pageone
O=$P/pageone
rc=0
trap 'kill $load 2>/dev/null' EXIT
passes_after() { # wait for $1 more PageONE passes to end, up to 120 s
	local want=$(($(cat $O/passes_done) + $1)) i=0
	until [ "$(cat $O/passes_done)" -ge $want ]; do
		i=$((i + 1))
		[ $i -lt 1200 ] || { echo "fewer than $1 PageONE passes in 120 s"; return 1; }
		sleep 0.1
	done
}

echo 0 >$K/run
modprobe ppr_pageone merge_period_ms=10 dedup_cpu_percent=20 || exit 1
tap_run cpu/param-read-back [ "$(cat $P/dedup_cpu_percent)" = 20 ]
if echo 100000 >$P/dedup_cpu_percent 2>/tmp/cpu.err; then
	tap_fail cpu/too-high-refused "100000 accepted"
else
	grep -q "out of range" /tmp/cpu.err && [ "$(cat $P/dedup_cpu_percent)" = 20 ]
	tap $? cpu/too-high-refused "$(cat /tmp/cpu.err), value $(cat $P/dedup_cpu_percent)"
fi
dedup_load 64 0 >/tmp/cpu.load 2>&1 &
load=$!
until grep -q ready /tmp/cpu.load 2>/dev/null; do sleep 0.1; done
passes_after 3
tap $? cpu/capped-passes-end
thr=$(cat $O/throttled_runs)
echo "cap 20%: $thr token runs put off; thread_cpu_us $(cat $O/thread_cpu_us), thread_busy_us $(cat $O/thread_busy_us)"
tap_run cpu/capped-runs-put-off [ "$thr" -gt 0 ]
pprctl set dedup_cpu off || rc=1
passes_after 1
t0=$(cat $O/throttled_runs)
passes_after 3
tap $? cpu/uncapped-passes-end
t1=$(cat $O/throttled_runs)
tap_with $([ "$t1" = "$t0" ]; echo $?) cpu/uncapped-runs-not-put-off "$((t1 - t0)) runs put off in 3 passes with no cap"
kill $load
wait 2>/dev/null

# ksmd's settings while PageONE scans.
dmesg -c >/dev/null
for f in pages_to_scan sleep_millisecs advisor_max_cpu; do
	v=$(cat $K/$f)
	if echo $((v + 1)) >$K/$f 2>/tmp/cpu.err; then
		tap_fail "cpu/ksm-$f-refused" "a change was accepted"
	else
		grep -q busy /tmp/cpu.err && [ "$(cat $K/$f)" = "$v" ]
		tap $? "cpu/ksm-$f-refused" "$(cat /tmp/cpu.err); value $(cat $K/$f), was $v"
	fi
	echo "$v" >$K/$f
	tap $? "cpu/ksm-$f-same-value-accepted"
done
if echo scan-time >$K/advisor_mode 2>/dev/null; then
	tap_fail cpu/ksm-advisor-mode-refused "scan-time accepted"
else
	tap_run cpu/ksm-advisor-mode-refused grep -q "\[none\]" $K/advisor_mode
fi
dmesg | grep "is ksmd's" | head -n 2
dmesg | grep -q "pages_to_scan is ksmd's"
tap $? cpu/ksm-refusal-logged
echo 0 >$K/run
rmmod ppr_pageone || { echo "rmmod failed"; exit 1; }
v=$(cat $K/pages_to_scan)
echo $((v + 1)) >$K/pages_to_scan
tap $? cpu/ksm-pages-to-scan-after-rmmod
echo "$v" >$K/pages_to_scan
exit $rc
