# KNOWN TO FAIL SOMETIMES, not part of make check (tests/wip): it passed
# alone on lean and debug, but in the final CI run (debug, two L1s side by
# side) the THP-off guest reset itself (QEMU exited 0 under -no-reboot)
# right as it began to allocate, after the host had recycled 3800 of its
# boot-time free pages. That may be a lost write (a page the guest was using
# taken by the host) and must be understood before this test goes back.
# End to end (issue 4): a guest writes 256 MiB and frees it; with ppr_pageone
# attached, the RSS of its QEMU drops by at least 90% of that within two
# reclaim periods. Once with THP-backed guest RAM, once without.
. /tests/lib/l2.sh
period_ms=1000
mib=256
modprobe ppr_pageone reclaim_period_ms=$period_ms work_threads=2 || exit 1
rc=0
for thp in madvise never; do
	echo "$thp" >/sys/kernel/mm/transparent_hugepage/enabled
	name=rss-$thp
	l2_start "$name" alloc-free mem=512M ivshmem=1M cmdline=ppr.alloc=$mib,5000,8000 timeout=600 || exit 1
	l2_attach "$name" || { rc=1; l2_wait "$name"; continue; }
	l2_wait_line "$name" 'round 1: .* written' 240 || { rc=1; l2_wait "$name"; continue; }
	sleep 2
	before=$(l2_rss_kib "$name")
	l2_wait_line "$name" 'round 1: verified' 240 || { rc=1; l2_wait "$name"; continue; }
	t0=$(date +%s%N 2>/dev/null || echo 0)
	want=$((mib * 1024 * 9 / 10))
	after=$before
	# Two reclaim periods, plus one second for the guest's frees to land.
	deadline=$(( (2 * period_ms + 1000) / 100 ))
	i=0
	while [ $i -lt $deadline ]; do
		after=$(l2_rss_kib "$name")
		[ $((before - after)) -ge $want ] && break
		sleep 0.1
		i=$((i + 1))
	done
	echo "thp=$thp: QEMU RSS $((before / 1024)) MiB -> $((after / 1024)) MiB after $((i * 100)) ms (want a drop of >= $((want / 1024)) MiB)"
	pprctl status
	if [ $((before - after)) -lt $want ]; then
		echo "PPR-TAP not ok - recycle/rss-drop-thp-$thp"
		rc=1
	else
		echo "PPR-TAP ok - recycle/rss-drop-thp-$thp"
	fi
	l2_wait "$name" || rc=1
	pprctl status | tail -n 3
done
rmmod ppr_pageone || rc=1
exit $rc
