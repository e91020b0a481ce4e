# Issue 5: two L2 guests booted from the same kernel, each writing the same
# 15 MB into its page cache (tests/guest/same-data.sh), deduplicated first
# by stock KSM at its fastest settings (ksmd: sleep_millisecs 0,
# pages_to_scan 10000), then, after run=2 unmerged everything, by PageONE
# (merge period 5 s, 2 work threads), in the same run on the same guests.
# Asserted: each engine merges the guests' common pages (pages_sharing of
# at least 2,000: the file is about 3,600 pages) and gives the host memory
# back (the QEMUs' proportional set size falls), and PageONE reaches at least
# 95% of KSM's pages_sharing. Reported, not asserted: the time each needs
# to reach its steady state (pages_sharing within 1% of its value one
# full scan later) and the memory. Two guests, not more: docs/debugging.md.
# ppr-cost: 300 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/l2.sh
. /tests/lib/tap.sh
K=/sys/kernel/mm/ksm
rc=0
now() { cut -d' ' -f1 /proc/uptime; }
# Host memory of the two guests: their QEMUs' proportional set size (a
# page shared by both counts half in each), in KiB.
used_kib() {
	local g sum=0
	for g in 1 2; do
		sum=$((sum + $(awk '/^Pss:/ { print $2 }' /proc/$(l2_pid "dd$g")/smaps_rollup)))
	done
	echo $sum
}
# Wait, up to $1 s, until pages_sharing at the end of a full scan (a pass
# for PageONE) is positive and within 1% of its value at the end of the
# scan before (live guests keep changing a few merged pages, so it never
# stops moving altogether); prints "SECONDS PAGES_SHARING": the seconds
# from the call to the end of that scan before, when it got there.
steady() {
	local t0 scans last s prev=-1 prev_t= t
	t0=$(now) last=$(cat $K/full_scans)
	while :; do
		sleep 0.2
		t=$(now)
		[ "$(awk "BEGIN { print ($t - $t0 > $1) }")" = 1 ] && { echo "not steady in $1 s" >&2; break; }
		scans=$(cat $K/full_scans)
		[ "$scans" != "$last" ] || continue
		last=$scans s=$(cat $K/pages_sharing)
		echo "full scan $scans ended at $(awk "BEGIN { printf \"%.1f\", $t - $t0 }") s: pages_sharing $s" >&2
		[ "$s" -gt 0 ] && [ $(((s - prev) * 100)) -le "$s" ] &&
			[ $(((prev - s) * 100)) -le "$s" ] && break
		prev=$s prev_t=$t
	done
	echo "$(awk "BEGIN { printf \"%.1f\", ${prev_t:-$t} - $t0 }") ${s:-$(cat $K/pages_sharing)}"
}

echo 2 >$K/run
for g in 1 2; do
	l2_start "dd$g" same-data mem=128M cmdline="ppr.idle=900 ppr.lines=2000000" timeout=1200 || exit 1
done
ok=0
for g in 1 2; do l2_wait_line "dd$g" 'guest/same-data: written' 400 && ok=$((ok + 1)); done
if [ $ok -lt 2 ]; then
	for g in 1 2; do kill "$(l2_pid "dd$g")" 2>/dev/null; l2_wait "dd$g"; done
	exit 1
fi
sleep 2
before=$(used_kib)

# Stock KSM at its fastest.
echo 0 >$K/sleep_millisecs
echo 10000 >$K/pages_to_scan
echo 1 >$K/run
set -- $(steady 300)
ksm_t=$1 ksm_s=$2 ksm_mem=$(used_kib)
echo "KSM (ksmd, sleep 0, 10000 pages per round): steady after $ksm_t s, pages_sharing $ksm_s;" \
	"host memory of the 2 guests (QEMU Pss) $((ksm_mem / 1024)) MiB (before merging $((before / 1024)) MiB)"
[ "$ksm_s" -ge 2000 ] && [ "$ksm_mem" -lt "$before" ]
tap $? pageone-guests/ksm-merges-guests "pages_sharing $ksm_s, memory $before -> $ksm_mem KiB"
echo 2 >$K/run
echo 20 >$K/sleep_millisecs
echo 100 >$K/pages_to_scan
sleep 2
unmerged=$(used_kib)

# PageONE on the same guests, from everything unmerged.
modprobe ppr_pageone merge_period_ms=5000 work_threads=2 || rc=1
# PageONE's counters are the built-in engine's, kept across loads.
passes0=$(cat /sys/kernel/mm/ppr_pageone/pageone/passes_done)
set -- $(steady 300)
p1_t=$1 p1_s=$2 p1_mem=$(used_kib)
echo "PageONE (merge period 5 s, 2 work threads): steady after $p1_t s, pages_sharing $p1_s;" \
	"host memory of the 2 guests (QEMU Pss) $((p1_mem / 1024)) MiB (before merging $((unmerged / 1024)) MiB);" \
	"$(($(cat /sys/kernel/mm/ppr_pageone/pageone/passes_done) - passes0)) passes"
[ "$p1_s" -ge 2000 ] && [ "$p1_mem" -lt "$unmerged" ]
tap $? pageone-guests/pageone-merges-guests "pages_sharing $p1_s, memory $unmerged -> $p1_mem KiB"
[ $((p1_s * 100)) -ge $((ksm_s * 95)) ]
tap $? pageone-guests/pageone-matches-ksm "PageONE $p1_s, KSM $ksm_s pages_sharing"

for g in 1 2; do kill "$(l2_pid "dd$g")" 2>/dev/null; done
for g in 1 2; do l2_wait "dd$g" >/dev/null 2>&1; done
rmmod ppr_pageone || rc=1
echo 2 >$K/run
exit $rc
