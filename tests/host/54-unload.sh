# Module unload with a VM attached and recycling under way, three times in
# a row: each time rmmod succeeds and removes the sysfs tree, modprobe and
# a new attach make the same guest recycle again, and the guest keeps
# running and verifying every byte through all of it. Nothing leaks (the
# debug flavour checks with kmemleak, KASAN and lockdep).
# ppr-cost: 160 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/l2.sh
. /tests/lib/kmemleak.sh
. /tests/lib/tap.sh
S=/sys/kernel/mm/ppr_pageone/stats
modprobe ppr_pageone reclaim_period_ms=20 || exit 1
rc=0
# The guest churns until told to stop, however long the cycles take.
l2_start unload churn mem=512M ivshmem=1M control=1 cmdline=ppr.churn=64,0,200,200 timeout=900 || exit 1
l2_attach unload || rc=1
cycles=0 note=
for c in 1 2 3; do
	# Recycling under way: 500 pages since this load of the module.
	end=$(($(cut -d. -f1 /proc/uptime) + 120))
	while [ "$(cat $S/recycled_pages)" -lt 500 ] && [ "$(cut -d. -f1 /proc/uptime)" -lt $end ]; do
		sleep 0.1
	done
	r=$(cat $S/recycled_pages)
	[ "$r" -ge 500 ] || { echo "cycle $c: only $r pages recycled in 120 s"; rc=1; break; }
	rmmod ppr_pageone || { echo "cycle $c: rmmod failed"; rc=1; break; }
	[ -d /sys/kernel/mm/ppr_pageone ] && { echo "cycle $c: sysfs tree still there"; rc=1; break; }
	modprobe ppr_pageone reclaim_period_ms=20 || { rc=1; break; }
	kill -0 "$(l2_pid unload)" 2>/dev/null || { echo "cycle $c: the guest is gone"; rc=1; break; }
	pprctl attach "$(l2_pid unload)" --area /dev/shm/ppr-unload >/dev/null || { rc=1; break; }
	cycles=$c note="$note ${r}"
done
detail="$cycles of 3 rmmod, modprobe and attach cycles with recycling under way (pages recycled before each rmmod:$note)"
if [ $cycles = 3 ]; then
	tap_ok unload/rmmod-under-load "$detail"
else
	tap_fail unload/rmmod-under-load "$detail"
fi
# The last load recycles too, then goes while still attached.
end=$(($(cut -d. -f1 /proc/uptime) + 120))
while [ "$(cat $S/recycled_pages)" -lt 1 ] && [ "$(cut -d. -f1 /proc/uptime)" -lt $end ]; do
	sleep 0.1
done
echo "after the last attach: $(cat $S/recycled_pages) pages recycled"
l2_tell unload stop || rc=1
rmmod ppr_pageone || rc=1
l2_wait unload || rc=1
kmemleak_ours || rc=1
exit $rc
