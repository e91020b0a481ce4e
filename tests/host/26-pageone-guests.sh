# Two L2 guests booted from the same kernel, each writing the same 15 MB
# into its page cache (tests/guest/same-data.sh), deduplicated by PageONE
# (merge period 5 s, 2 work threads) through KVM's guest RAM. Asserted:
# PageONE merges the guests' common pages (pages_sharing of at least
# 2,000: the file is 3,700 pages) and gives the host memory back
# (the QEMUs' proportional set size falls). Reported, not asserted: the
# time to its steady state (pages_sharing within 1% of its value one pass
# later). The comparison with stock ksmd on the same guests is a figure,
# not a property: it is `make bench`'s 40-guests-dedup (docs/decisions.md).
# Two guests, not more: docs/debugging.md.
# ppr-cost: 240 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
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
	l2_start "dd$g" same-data mem=128M cmdline="ppr.idle=900 ppr.pages=3700" timeout=1200 || exit 1
done
ok=0
for g in 1 2; do l2_wait_line "dd$g" 'guest/same-data: written' 400 && ok=$((ok + 1)); done
if [ $ok -lt 2 ]; then
	for g in 1 2; do kill "$(l2_pid "dd$g")" 2>/dev/null; l2_wait "dd$g"; done
	exit 1
fi
sleep 2
unmerged=$(used_kib)

# PageONE on the guests, from nothing merged (ksmd stopped, run=2).
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

for g in 1 2; do kill "$(l2_pid "dd$g")" 2>/dev/null; done
for g in 1 2; do l2_wait "dd$g" >/dev/null 2>&1; done
rmmod ppr_pageone || rc=1
echo 2 >$K/run
exit $rc
