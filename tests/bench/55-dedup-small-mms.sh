# Benchmark (reported, not asserted): what ending an mm costs PageONE's
# work threads when a host runs many small processes. The same 128 MiB of
# mergeable memory (half of it duplicates) as 2 processes of 64 MiB, then
# as 128 processes of 1 MiB; passes back to back (merge period 10 ms) on
# every work thread. For each: the work threads' busy time per page over
# four passes once merging has settled, of it the time spent waiting for
# KSM's locks (merges and mm ends), and the wall time of a pass. The two
# layouts scan the same pages, so the small processes' extra cost per
# page is what ending 126 more mms per pass costs; the 2-process layout is
# the baseline of the same run.
K=/sys/kernel/mm/ksm
O=/sys/kernel/mm/ppr_pageone/pageone
echo 0 >$K/run
modprobe ppr_pageone merge_period_ms=10 || exit 1
pass_edge() { # wait for the next pass to end
	local d=$(cat $O/passes_done)
	while [ "$(cat $O/passes_done)" = "$d" ]; do sleep 0.01; done
}
for layout in "2 64" "128 1"; do
	set -- $layout
	procs=$1 mib=$2 pids= i=0
	while [ $i -lt $procs ]; do
		dedup_load $mib 50 >/tmp/small.$i 2>&1 &
		pids="$pids $!"
		until grep -q ready /tmp/small.$i 2>/dev/null; do sleep 0.05; done
		i=$((i + 1))
	done
	echo 1 >$K/run
	# Three passes to merge what merges, then four measured.
	pass_edge; pass_edge; pass_edge
	b0=$(cat $O/thread_busy_us) w0=$(cat $O/merge_lock_wait_us)
	s0=$(cat $K/pages_scanned) p0=$(cat $O/passes_done)
	pass_edge; pass_edge; pass_edge; pass_edge
	b1=$(cat $O/thread_busy_us) w1=$(cat $O/merge_lock_wait_us)
	s1=$(cat $K/pages_scanned) p1=$(cat $O/passes_done)
	n=$((s1 - s0))
	echo "PPR-BENCH small-mms $procs x $mib MiB: $(awk "BEGIN { printf \"%.0f\", ($b1 - $b0) * 1000 / ($n ? $n : 1) }") ns" \
		"of work-thread time per page, $(awk "BEGIN { printf \"%.0f\", ($w1 - $w0) * 1000 / ($n ? $n : 1) }") ns of it" \
		"waiting for locks; $n pages in $((p1 - p0)) passes, last $(cat $O/last_pass_ms) ms;" \
		"pages_sharing $(cat $K/pages_sharing)"
	echo 0 >$K/run
	kill $pids
	wait 2>/dev/null
	echo 2 >$K/run
	echo 0 >$K/run
done
rmmod ppr_pageone
