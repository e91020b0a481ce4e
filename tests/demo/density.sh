# The main job: host memory used per guest over time while guests of the
# reference shape (allocate up to 75% of RAM, verify, free, idle) run.
# Today it shows the baseline, PPR off; the recycler (issue 4) adds the
# second pass with PPR on.
. /tests/lib/l2.sh
n=${PPR_DEMO_GUESTS:-2}
mem=512
alloc=$((mem * 3 / 4))
echo "demo: $n guests of $mem MiB, each allocates $alloc MiB, holds 4 s, frees, idles 8 s, 3 rounds"
for i in $(seq $n); do
	l2_start "vm$i" churn mem=${mem}M ivshmem=1M cmdline=ppr.churn=$alloc,3,4000,8000 timeout=400 || exit 1
done
printf '%6s' "t(s)"
for i in $(seq $n); do printf ' %12s' "vm$i RSS MiB"; done
printf ' %12s\n' "L1 used MiB"
t=0 peak=0 sum=0 samples=0
while :; do
	alive=0 line=$(printf '%6d' $t)
	for i in $(seq $n); do
		p=$(l2_pid "vm$i")
		if [ -d /proc/$p ]; then
			alive=1
			r=$(($(l2_rss_kib "vm$i" 2>/dev/null || echo 0) / 1024))
		else
			r=-
		fi
		line="$line $(printf '%12s' $r)"
	done
	used=$(awk '/MemTotal/ { t = $2 } /MemAvailable/ { a = $2 } END { print int((t - a) / 1024) }' /proc/meminfo)
	echo "$line $(printf '%12s' $used)"
	[ $alive = 1 ] || break
	[ $used -gt $peak ] && peak=$used
	sleep 2
	t=$((t + 2))
done
rc=0
for i in $(seq $n); do l2_wait "vm$i" || rc=1; done
echo "demo: PPR off: L1 memory in use peaked at $peak MiB for $n guests"
exit $rc
