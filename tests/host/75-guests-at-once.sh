# Four L2 guests started at once, each with its own mark area, all attached
# to one recycler (reclaim period 500 ms). Each guest writes, checks and
# frees 32 MiB three times (tests/guest/churn.sh, its own data per guest)
# and idles 3 s after the last free. Asserted, per guest: it booted, its
# churn found every byte it wrote (no lost write while the others' pages
# were being recycled), and the recycler took back at least one round's
# worth of its pages (8,192) while it ran; and that the four VMs were
# recycled as four: each under its own id, each counted apart.
# ppr.four_attach=0: the same guests, not attached (the control: a guest
# that dies here does so without the recycler).
# ppr-cost: 100 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/l2.sh
. /tests/lib/tap.sh
V=/sys/kernel/mm/ppr_pageone/vms
n=4
rc=0
attach=1
for w in $(cat /proc/cmdline); do
	case $w in ppr.four_attach=0) attach=0 ;; esac
done
modprobe ppr_pageone reclaim_period_ms=500 || exit 1
for i in $(seq $n); do
	l2_start "four$i" churn mem=256M ivshmem=1M timeout=600 \
		cmdline=ppr.churn=32,3,500,3000,$i || exit 1
done
ids=
for i in $(seq $n); do
	if [ $attach = 0 ]; then
		eval "id$i=none seen$i=0"
		ids="$ids $i"
		continue
	fi
	out=$(l2_attach "four$i") || { echo "$out"; exit 1; }
	id=$(echo "$out" | sed -n 's/^attached vm \([0-9]*\):.*/\1/p')
	[ -n "$id" ] || { echo "four$i: no vm id in '$out'"; exit 1; }
	ids="$ids $id"
	eval "id$i=$id seen$i=0"
done
tap $([ "$(echo $ids | tr ' ' '\n' | sort -u | wc -l)" = $n ]; echo $?) \
	four/own-ids "vm ids:$ids"
# The highest recycled_pages seen for each VM until its QEMU ends (its
# VM directory goes with it).
left=$n
while [ $left -gt 0 ]; do
	left=0
	for i in $(seq $n); do
		eval "id=\$id$i seen=\$seen$i"
		kill -0 "$(l2_pid "four$i")" 2>/dev/null || continue
		left=$((left + 1))
		r=$(cat $V/$id/recycled_pages 2>/dev/null) || continue
		[ "$r" -le "$seen" ] || eval "seen$i=$r"
	done
	sleep 0.2
done
for i in $(seq $n); do
	eval "id=\$id$i seen=\$seen$i"
	l2_wait "four$i" >/tmp/four$i.out 2>&1
	s=$?
	[ $s = 0 ] || sed 's/^/| /' /tmp/four$i.out | tail -n 40
	tap $s four/guest$i-churn-verified "$(grep -m1 -o 'churn: .*' "/tmp/l2-four$i.log")"
	[ $attach = 0 ] || tap $([ "$seen" -ge 8192 ]; echo $?) four/guest$i-recycled \
		"vm $id: $seen pages recycled while it ran, 8192 expected at least"
	echo "four$i: vm $id, $seen pages recycled"
done
rmmod ppr_pageone || rc=1
rm -f /dev/shm/ppr-four*
exit $rc
