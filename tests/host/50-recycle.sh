# End to end: a guest writes memory and frees it; with ppr_pageone
# attached, the RSS of its QEMU drops by at least 90% of that within two
# reclaim passes (counted by the VM's passes, each waited for until its
# slices are done, so a slow machine does not fail it; the wall time is
# printed). Once with THP-backed guest RAM (128 MiB), once without
# (32 MiB: each 4 KiB page the guest touches first is a nested page fault
# that the debug L1 takes about 4 ms to serve under TCG). The guest runs
# the lean kernel (tests/lib/l2.sh): the subject is the host's RSS.
# ppr-cost: 300 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/l2.sh
. /tests/lib/tap.sh
S=/sys/kernel/mm/ppr_pageone/stats
V=/sys/kernel/mm/ppr_pageone/vms
period_ms=1000
modprobe ppr_pageone reclaim_period_ms=$period_ms work_threads=2 || exit 1

# one THP: 0 passed, 1 failed
one() {
	local thp=$1 name=rss-$1 r0 before after want i mib=128 out id p0 t0
	[ $thp = never ] && mib=32
	r0=$(cat $S/recycled_pages)
	l2_start "$name" alloc-free mem=512M ivshmem=1M cmdline=ppr.alloc=$mib,5000,8000 timeout=600 || return 1
	out=$(l2_attach "$name") || { echo "$out"; l2_wait "$name"; return 1; }
	echo "$out"
	id=$(echo "$out" | sed -n 's/^attached vm \([0-9]*\):.*/\1/p')
	l2_wait_line "$name" 'round 1: .* written' 240 || { l2_wait "$name"; return 1; }
	sleep 2
	before=$(l2_rss_kib "$name")
	l2_wait_line "$name" 'round 1: verified' 240 || { l2_wait "$name"; return 1; }
	want=$((mib * 1024 * 9 / 10))
	after=$before
	# Three passes: one for the guest's frees to land, then two. A pass
	# counts once its slices are done; 120 s bounds a stuck daemon.
	p0=$(cat $V/$id/passes) t0=$(awk '{ print int($1 * 1000) }' /proc/uptime) i=0
	while [ $i -lt 1200 ]; do
		after=$(l2_rss_kib "$name")
		[ $((before - after)) -ge $want ] && break
		[ "$(cat $V/$id/passes)" -ge $((p0 + 3)) ] &&
			[ "$(cat $V/$id/queued_chunks)" = 0 ] &&
			[ "$(cat $V/$id/batches_in_flight)" = 0 ] && break
		sleep 0.1
		i=$((i + 1))
	done
	after=$(l2_rss_kib "$name")
	echo "thp=$thp: QEMU RSS $((before / 1024)) MiB -> $((after / 1024)) MiB after $(($(awk '{ print int($1 * 1000) }' /proc/uptime) - t0)) ms, $(($(cat $V/$id/passes) - p0)) passes (want a drop of >= $((want / 1024)) MiB)"
	pprctl status | sed -n '/^VMs/,$p'
	local rc=0
	if [ $((before - after)) -lt $want ]; then
		tap_fail recycle/rss-drop-thp-$thp
	else
		tap_ok recycle/rss-drop-thp-$thp
	fi
	l2_wait "$name" || rc=1
	return $rc
}

rc=0
for thp in madvise never; do
	echo "$thp" >/sys/kernel/mm/transparent_hugepage/enabled
	one $thp || rc=1
done
rmmod ppr_pageone || rc=1
exit $rc
