# Benchmark (reported, not asserted): KSM scanning throughput and
# efficiency on one workload in one L1: ksmd at its fastest
# (sleep_millisecs 0, pages_to_scan 10000, so one CPU busy), with its
# default tree index and with the hash index, against PageONE with 1 and 2
# work threads (merge period 10 ms: passes back to back).
# Workload: 4 processes of 256 MiB, half of the pages duplicates of 16
# contents, half unique (tests/progs/dedup_load.c). Each engine starts from
# everything unmerged (run=2) and runs until full_scans advanced by 3 (the
# first pass records hashes, the second merges, the third finds them
# merged). CPU is ksmd's utime+stime, or PageONE's daemon_cpu_ns +
# worker_cpu_ns. Goal: PageONE on one thread at least ksmd's pages per
# CPU-second, on two threads more than 1.7x ksmd's pages per second.
# Also reported: the share of the threads' time spent merging and waiting
# for KSM's locks (ksm_thread_sem, the shard locks; docs/decisions.md).
K=/sys/kernel/mm/ksm
P=/sys/kernel/mm/ppr_pageone
procs=4 mib=256 dup=50 scans=3
pids=
for i in $(seq $procs); do
	dedup_load $mib $dup >/tmp/dedup_load.$i &
	pids="$pids $!"
done
for i in $(seq $procs); do
	until grep -q ready /tmp/dedup_load.$i 2>/dev/null; do sleep 0.2; done
done
now() { cut -d' ' -f1 /proc/uptime; }
wait_scans() {
	local want=$(($(cat $K/full_scans) + scans))
	until [ "$(cat $K/full_scans)" -ge $want ]; do sleep 0.05; done
}
# $1 label, $2 cpu seconds, $3 wall seconds, $4 pages scanned
report() {
	echo "PPR-BENCH dedup $1: $4 pages scanned in $3 s wall, $2 s CPU:" \
		"$(awk "BEGIN { printf \"%.0f\", $4 / $2 }") pages per CPU-second," \
		"$(awk "BEGIN { printf \"%.0f\", $4 / $3 }") pages per second;" \
		"pages_shared $(cat $K/pages_shared), pages_sharing $(cat $K/pages_sharing)"
}

echo 2 >$K/run
ksmd=
for d in /proc/[0-9]*; do
	[ "$(cat $d/comm 2>/dev/null)" = ksmd ] && ksmd=${d#/proc/}
done
[ -n "$ksmd" ] || { echo "no ksmd thread"; exit 1; }
echo 0 >$K/sleep_millisecs
echo 10000 >$K/pages_to_scan
# ksmd twice: with its content-sorted tree of candidates (the default), and
# with the hash index PageONE uses (patch 0005), to tell the two apart.
for index in tree hash; do
	echo $index >$K/candidate_index
	c0=$(awk '{ print $14 + $15 }' /proc/$ksmd/stat) s0=$(cat $K/pages_scanned) t0=$(now)
	echo 1 >$K/run
	wait_scans
	c1=$(awk '{ print $14 + $15 }' /proc/$ksmd/stat) s1=$(cat $K/pages_scanned) t1=$(now)
	c=$(awk "BEGIN { print ($c1 - $c0) / 100 }") w=$(awk "BEGIN { print $t1 - $t0 }") n=$((s1 - s0))
	report "ksmd, $index index (sleep 0, 10000 pages per round)" "$c" "$w" "$n"
	[ $index = tree ] && { kc=$c kw=$w ks=$n; }
	echo 2 >$K/run
done
echo tree >$K/candidate_index
echo 20 >$K/sleep_millisecs
echo 100 >$K/pages_to_scan

for threads in 1 2; do
	modprobe ppr_pageone work_threads=$threads merge_period_ms=10 merge=0 || exit 1
	cpu() { echo $(($(cat $P/stats/daemon_cpu_ns) + $(cat $P/stats/worker_cpu_ns))); }
	lock() { echo "$(cat $P/pageone/thread_busy_us) $(cat $P/pageone/merge_lock_wait_us) $(cat $P/pageone/merge_lock_held_us)"; }
	c0=$(cpu) s0=$(cat $K/pages_scanned) t0=$(now) l0=$(lock)
	echo 1 >$K/run
	wait_scans
	c1=$(cpu) s1=$(cat $K/pages_scanned) t1=$(now) l1=$(lock)
	pc=$(awk "BEGIN { print ($c1 - $c0) / 1e9 }") pw=$(awk "BEGIN { print $t1 - $t0 }") ps=$((s1 - s0))
	report "PageONE, $threads work thread(s)" "$pc" "$pw" "$ps"
	echo "PPR-BENCH dedup PageONE $threads thread(s) against ksmd:" \
		"pages per CPU-second x$(awk "BEGIN { printf \"%.2f\", ($ps / $pc) / ($ks / $kc) }")," \
		"pages per second x$(awk "BEGIN { printf \"%.2f\", ($ps / $pw) / ($ks / $kw) }")"
	# Where the threads' time went: merging, or waiting for KSM's locks,
	# against their busy time in passes.
	echo "$l0 $l1" | awk -v t=$threads '{ b = $4 - $1; w = $5 - $2; h = $6 - $3
		printf "PPR-BENCH dedup PageONE %d thread(s): busy %.2f s in passes;" \
			" merging %.2f s (%.0f%%), waiting for locks %.2f s (%.0f%%)\n",
			t, b / 1e6, h / 1e6, 100 * h / b, w / 1e6, 100 * w / b }'
	echo 2 >$K/run
	rmmod ppr_pageone
done
kill $pids
wait 2>/dev/null
exit 0
