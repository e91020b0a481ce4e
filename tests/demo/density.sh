# The main job: host memory used per guest over time while guests of the
# reference shape run (allocate up to 75% of their RAM, verify, free back to
# a small average, idle; repeated), first with PPR off, then with PPR on.
. /tests/lib/l2.sh
n=${PPR_DEMO_GUESTS:-2}
mem=512
alloc=$((mem * 3 / 4))
rounds=3

pass() { # off|on
	local mode=$1 i t=0 alive live peak=0 sum=0 samples=0 line r
	[ "$mode" = on ] && { modprobe ppr_pageone reclaim_period_ms=2000 || return 1; }
	# Each guest is paused (QMP stop) once booted, until all have booted,
	# so that they churn side by side.
	for i in $(seq $n); do
		l2_boot "$mode$i" churn mem=${mem}M ivshmem=1M cmdline=ppr.churn=$alloc,$rounds,4000,8000 timeout=1500 || return 1
		qmp "/tmp/l2-$mode$i.qmp" stop >/dev/null || return 1
	done
	if [ "$mode" = on ]; then
		for i in $(seq $n); do l2_attach "$mode$i" >/dev/null || return 1; done
	fi
	for i in $(seq $n); do qmp "/tmp/l2-$mode$i.qmp" cont >/dev/null || return 1; done
	echo
	echo "PPR $mode: $n guests of $mem MiB; each allocates $alloc MiB, holds 4 s, frees, idles 8 s; $rounds rounds"
	printf '%6s' "t(s)"
	for i in $(seq $n); do printf ' %13s' "vm$i RSS(MiB)"; done
	printf ' %14s\n' "per guest(MiB)"
	while :; do
		alive=0 line=$(printf '%6d' $t) sum=0 live=0
		for i in $(seq $n); do
			# No RSS: QEMU has exited (or is a zombie).
			r=$(l2_rss_kib "$mode$i" 2>/dev/null)
			if [ -n "$r" ]; then
				alive=1 live=$((live + 1))
				r=$((r / 1024))
			else
				r=0
			fi
			sum=$((sum + r))
			line="$line $(printf '%13s' $r)"
		done
		[ $alive = 1 ] || break
		echo "$line $(printf '%14s' $((sum / live)))"
		[ $((sum / live)) -gt $peak ] && peak=$((sum / live))
		samples=$((samples + 1))
		eval "total_$mode=\$((\${total_$mode:-0} + sum / live))"
		sleep 2
		t=$((t + 2))
	done
	for i in $(seq $n); do l2_wait "$mode$i" || { echo "vm$i failed its verifying churn"; return 1; }; done
	eval "avg_$mode=\$((total_$mode / samples))"
	eval "peak_$mode=\$peak"
	[ "$mode" = on ] && rmmod ppr_pageone
	return 0
}

pass off || exit 1
pass on || exit 1
echo
echo "demo: average host memory per guest: PPR off $avg_off MiB, PPR on $avg_on MiB (peak $peak_off vs $peak_on MiB)"
