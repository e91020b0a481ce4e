# Benchmark (reported, not asserted): a PageONE pass's cost as the memory
# it scans grows. One process of N MiB of unique, unchanging mergeable
# pages, N = 256, 512, 1024 and 2048 (64 Ki to 512 Ki pages); after two
# passes every page is a candidate in the hash index, so the third pass
# looks each one up among all the others. Reported: the third pass's wall
# time and its nanoseconds per page. Linear pass time shows as the same
# ns per page at every size (the index's buckets grow with the candidates,
# patch 0010); a fixed number of buckets shows as ns per page growing with
# N. The workload's unique pages also count KSM's hash collisions.
K=/sys/kernel/mm/ksm
O=/sys/kernel/mm/ppr_pageone/pageone
echo 0 >$K/run
modprobe ppr_pageone merge_period_ms=3600000 || exit 1
pass() { # run one pass now and wait for its end
	local d=$(cat $O/passes_done)
	echo 1 >$K/run
	while [ "$(cat $O/passes_done)" = "$d" ]; do sleep 0.05; done
	echo 0 >$K/run
}
for mib in 256 512 1024 2048; do
	dedup_load $mib 0 >/tmp/scale.load &
	load=$!
	until grep -q ready /tmp/scale.load 2>/dev/null; do sleep 0.2; done
	pass
	pass
	c0=$(cat $K/pages_scanned)
	pass
	ms=$(cat $O/last_pass_ms) n=$(($(cat $K/pages_scanned) - c0))
	echo "PPR-BENCH scale $mib MiB: third pass $ms ms for $n pages," \
		"$(awk "BEGIN { printf \"%.0f\", $ms * 1000000 / ($n ? $n : 1) }") ns per page;" \
		"pages_unshared $(cat $K/pages_unshared), hash_collisions $(cat $K/hash_collisions)"
	kill $load
	wait 2>/dev/null
	echo 2 >$K/run
done
rmmod ppr_pageone
echo 0 >$K/run
