# Benchmark (reported, not asserted): how closely PageONE's CPU budget
# (dedup_cpu_percent) holds on a busy host. Two processes of 128 MiB of
# unique mergeable pages, passes back to back (merge period 10 ms), two
# CPU-bound shell loops competing for L1's two CPUs. For each cap, and with
# none as the baseline of the same run: the work threads' CPU time over two
# whole passes (thread_cpu_us) against the wall time of those passes, in
# percent of one CPU. Goal: within 10% of the cap (docs/pageone.md).
K=/sys/kernel/mm/ksm
P=/sys/kernel/mm/ppr_pageone
O=$P/pageone
echo 0 >$K/run
modprobe ppr_pageone merge_period_ms=10 || exit 1
pids=
for i in 1 2; do
	dedup_load 128 0 >/tmp/cap.$i &
	pids="$pids $!"
done
for i in 1 2; do
	until grep -q ready /tmp/cap.$i 2>/dev/null; do sleep 0.2; done
done
hogs=
for i in 1 2; do
	sh -c 'while :; do :; done' &
	hogs="$hogs $!"
done
now_us() { awk '{ printf "%.0f", $1 * 1000000 }' /proc/uptime; }
pass_edge() { # wait for the next pass to end
	local d=$(cat $O/passes_done)
	while [ "$(cat $O/passes_done)" = "$d" ]; do sleep 0.01; done
}
for cap in 0 100 50 25; do
	echo $cap >$P/dedup_cpu_percent
	pass_edge
	c0=$(cat $O/thread_cpu_us) t0=$(now_us) r0=$(cat $O/throttled_runs)
	pass_edge
	pass_edge
	c1=$(cat $O/thread_cpu_us) t1=$(now_us) r1=$(cat $O/throttled_runs)
	pct=$(awk "BEGIN { printf \"%.1f\", 100 * ($c1 - $c0) / ($t1 - $t0) }")
	if [ $cap = 0 ]; then
		echo "PPR-BENCH cpu-cap none: $pct% of one CPU over 2 passes of $(((t1 - t0) / 2000)) ms each (baseline)"
	else
		echo "PPR-BENCH cpu-cap $cap%: $pct% of one CPU over 2 passes of $(((t1 - t0) / 2000)) ms each;" \
			"$(awk "BEGIN { printf \"%.2f\", $pct / $cap }") of the cap; $((r1 - r0)) runs put off"
	fi
done
kill $hogs $pids
wait 2>/dev/null
rmmod ppr_pageone
echo 0 >$K/run
