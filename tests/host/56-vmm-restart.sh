# A VMM killed in the middle of its guest's churn, and a new one started on
# the same area file: the area still says "active, epoch 1" with the dead
# guest's free pages marked, while the new guest boots into those pages.
#  - attached as soon as the new guest's kernel starts (before its driver
#    binds), the host recycles nothing until the new driver announces, and
#    reports the VM "unconfirmed" meanwhile;
#  - the new boot passes its verifying churn;
#  - detached and attached again while that guest runs, the host waits
#    for the running driver to echo the new nonce (it announces epoch 3)
#    and recycles again, and the churn still passes.
# The guest runs $l2_kernel (the lean kernel in the debug L1); the subject
# is the host's trust in the area.
# ppr-cost: 130 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/l2.sh
. /tests/lib/tap.sh
modprobe ppr_pageone reclaim_period_ms=100 || exit 1
V=/sys/kernel/mm/ppr_pageone/vms
name=vk rc=0

l2_start $name lifetime mem=512M ivshmem=1M cmdline=ppr.lifetime=vmm-kill timeout=600 || exit 1
out=$(l2_attach $name) || { echo "$out"; exit 1; }
echo "$out"
id=$(echo "$out" | sed -n 's/^attached vm \([0-9]*\):.*/\1/p')
l2_wait_line $name 'lifetime: churning' 600 || { l2_wait $name; exit 1; }
i=0
while [ "$(cat $V/$id/recycled_pages)" -lt 1000 ] && [ $i -lt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
echo "first guest: $(cat $V/$id/recycled_pages) pages recycled in epoch $(cat $V/$id/epoch); killing its QEMU"
kill -9 "$(l2_pid $name)"
l2_wait $name >/dev/null 2>&1
i=0
while [ -d $V/$id ] && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
[ ! -d $V/$id ] || { echo "vm $id still attached 30 s after its QEMU died"; rc=1; }
ppr_area_check /dev/shm/ppr-$name | head -n 1
cp /tmp/l2-$name.log /tmp/l2-$name-first.log

# The new VMM on the same file, attached once its kernel runs; then, until
# its driver announces, the host must recycle nothing. A new guest that
# dies before its announcement fails the test; the message says whether
# the recycler had taken any of its pages (if not, the rig lost the guest:
# docs/debugging.md).
now() { cut -d. -f1 /proc/uptime; }
# loglevel=6: the kernel's "Linux version" notice marks the attach.
l2_start $name lifetime mem=512M ivshmem=1M "cmdline=ppr.lifetime=vmm-kill loglevel=6" timeout=600 || exit 1
l2_wait_line $name 'Linux version' 300 || { l2_wait $name; exit 1; }
out=$(l2_attach $name) || { echo "$out"; exit 1; }
echo "$out"
id=$(echo "$out" | sed -n 's/^attached vm \([0-9]*\):.*/\1/p')
bad= died=0 t0=$(now)
while :; do
	# The count, then the epoch: the epoch moves only when the host takes
	# an announcement, before any slice of it runs.
	r=$(cat $V/$id/recycled_pages 2>/dev/null)
	e=$(cat $V/$id/epoch 2>/dev/null)
	if [ -z "$e" ] || ! kill -0 "$(l2_pid $name)" 2>/dev/null; then
		bad="QEMU exited before an announcement, ${r:-?} pages recycled from its guest by then"
		[ "$r" = 0 ] && bad="$bad (the recycler took none: the guest died on its own)"
		died=1
		break
	fi
	[ "$e" != 0 ] && break
	[ "$r" = 0 ] || [ -n "$bad" ] || bad="$r pages recycled in state $(cat $V/$id/state) before any announcement"
	[ "$(now)" -lt $((t0 + 300)) ] || { bad="no announcement after 300 s"; break; }
	sleep 0.1
done
waited=$(($(now) - t0))
echo "new guest: host epoch $(cat $V/$id/epoch 2>&1) after $waited s; unconfirmed_passes $(cat $V/$id/unconfirmed_passes 2>&1)"
if [ -z "$bad" ] && [ "$(cat $V/$id/epoch)" -ge 2 ] && [ "$(cat $V/$id/unconfirmed_passes)" -gt 0 ]; then
	tap_ok vmm-restart/stale-area-not-honoured
else
	tap_fail vmm-restart/stale-area-not-honoured "${bad:-epoch $(cat $V/$id/epoch 2>&1), unconfirmed_passes $(cat $V/$id/unconfirmed_passes 2>&1)}"
fi
# A dead guest has nothing more to show: its console, and the end.
[ $died = 0 ] || { l2_wait $name; rm -f /dev/shm/ppr-$name; rmmod ppr_pageone; exit 1; }

# Detach and attach the running guest: its driver confirms the new nonce.
l2_wait_line $name 'lifetime: verifying churn' 300 || rc=1
i=0
while [ "$(cat $V/$id/recycled_pages)" -lt 200 ] && [ $i -lt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
rec=$(cat $V/$id/recycled_pages)
pprctl detach "$id" || rc=1
out=$(pprctl attach "$(l2_pid $name)" --area /dev/shm/ppr-$name) || { echo "$out"; rc=1; }
echo "$out"
id=$(echo "$out" | sed -n 's/^attached vm \([0-9]*\):.*/\1/p')
t0=$(now)
while [ -n "$id" ] && { [ "$(cat $V/$id/state)" != active ] || [ "$(cat $V/$id/recycled_pages)" = 0 ]; } &&
      [ "$(now)" -lt $((t0 + 60)) ]; do
	sleep 0.1
done
i=$(($(now) - t0))
if [ -n "$id" ] && [ "$(cat $V/$id/state)" = active ] && [ "$(cat $V/$id/epoch)" -ge 3 ] &&
   [ "$(cat $V/$id/recycled_pages)" -gt 0 ]; then
	tap_ok vmm-restart/running-guest-confirms "$rec pages before the detach; epoch $(cat $V/$id/epoch) after $i s, $(cat $V/$id/recycled_pages) recycled since"
else
	tap_fail vmm-restart/running-guest-confirms "state $(cat $V/$id/state 2>&1), epoch $(cat $V/$id/epoch 2>&1), recycled $(cat $V/$id/recycled_pages 2>&1) after $i s"
fi
l2_wait $name || rc=1
grep -q 'lifetime: boot after vmm-kill passed' /tmp/l2-$name.log || { echo "the new boot did not pass its churn"; rc=1; }
rm -f /dev/shm/ppr-$name
rmmod ppr_pageone || rc=1
exit $rc
