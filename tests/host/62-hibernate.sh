# A guest hibernates to a swap disk in reboot mode in the middle of a
# verifying churn, with a 100 ms reclaim period (tests/guest/hibernate.sh),
# and its next boot restores the image. The restore kernel announces an
# epoch of its own with its free pages marked, then copies the image over
# them, and the resumed kernel finds the restore kernel's marks in the
# area. From the reboot to the resume the host makes no pass (a period of
# an hour), and the first pass comes right after the resume: as with the
# default 10 s period and a restore quicker than that, every mark the
# restore kernel set is still there for that pass to honour, if the
# resumed kernel has not laid the area out again. Proved here: the churn
# that ran across the hibernation passes, data held across it reads back
# unchanged (a page of the image the host took reads as zeroes), and the
# host recycles again after the resume, in an epoch above the restore
# kernel's. The state changes the host went through are printed.
#
# The guest runs $l2_kernel (the lean kernel in the debug L1): a debug
# guest boots twice here at minutes a boot; the driver's PM callbacks are
# the same code in both flavours, and tests/soak/20-hibernate-debug-guest
# runs this test with the debug guest (hib_kernel, hib_scale: its kernel
# and how many times longer every wait may take).
# ppr-cost: 160 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/l2.sh
. /tests/lib/tap.sh
hib_kernel=${hib_kernel:-$l2_kernel}
hib_scale=${hib_scale:-1}
modprobe ppr_pageone reclaim_period_ms=100 || exit 1
V=/sys/kernel/mm/ppr_pageone/vms
rc=0
name=hib
rm -f /tmp/hib-swap.img
truncate -s 384M /tmp/hib-swap.img || exit 1
l2_start $name hibernate mem=512M ivshmem=1M reboot=1 timeout=$((600 * hib_scale)) \
	kernel="$hib_kernel" cmdline=no_console_suspend -- \
	-drive file=/tmp/hib-swap.img,if=virtio,format=raw || exit 1
out=$(l2_attach $name) || { echo "$out"; exit 1; }
echo "$out"
id=$(echo "$out" | sed -n 's/^attached vm \([0-9]*\):.*/\1/p')
l2_wait_line $name 'hibernate: churning' $((300 * hib_scale)) || { l2_wait $name; exit 1; }
# Every change of the VM's state and epoch from here to the end, as seen
# by polling every 50 ms (a state shorter than that may not show).
(
	last=
	while kill -0 "$(l2_pid $name)" 2>/dev/null; do
		s="$(cat $V/$id/state 2>/dev/null) $(cat $V/$id/epoch 2>/dev/null)"
		[ "$s" = "$last" ] || echo "$(cut -d' ' -f1 /proc/uptime) $s recycled $(cat $V/$id/recycled_pages 2>/dev/null)"
		last=$s
		sleep 0.05
	done
) >/tmp/hib-states.log 2>&1 &
watch=$!
P=/sys/kernel/mm/ppr_pageone/reclaim_period_ms
# The reboot: QEMU's reset removes the area's memslot (stopped). No pass
# from here until the resume.
end=$(($(cut -d. -f1 /proc/uptime) + 300 * hib_scale))
while [ "$(cat $V/$id/state)" != stopped ] && [ "$(cut -d. -f1 /proc/uptime)" -lt $end ]; do
	sleep 0.05
done
echo 3600000 >$P
echo "state $(cat $V/$id/state) at the reboot: reclaim period now $(cat $P) ms"
l2_wait_line $name 'hibernate: restore kernel in epoch' $((400 * hib_scale)) || rc=1
er=$(sed -n 's/.*hibernate: restore kernel in epoch \([0-9]*\).*/\1/p' /tmp/l2-$name.log | head -n 1)
l2_wait_line $name 'hibernate: resumed' $((300 * hib_scale)) || rc=1
# Setting the period makes a pass at once.
echo 100 >$P
# The resumed kernel's announcement and the recycling after it.
end=$(($(cut -d. -f1 /proc/uptime) + 60 * hib_scale))
while [ "$(cat $V/$id/state)" != active ] || [ "$(cat $V/$id/epoch)" -le "${er:-0}" ]; do
	[ "$(cut -d. -f1 /proc/uptime)" -lt $end ] || break
	sleep 0.1
done
r0=$(cat $V/$id/recycled_pages) e1=$(cat $V/$id/epoch) st=$(cat $V/$id/state)
end=$(($(cut -d. -f1 /proc/uptime) + 60 * hib_scale))
while [ "$(cat $V/$id/recycled_pages)" = "$r0" ] && [ "$(cut -d. -f1 /proc/uptime)" -lt $end ]; do
	sleep 0.1
done
r1=$(cat $V/$id/recycled_pages)
echo "restore kernel's epoch ${er:-none}; after the resume: state $st, epoch $e1, recycled $r0 -> $r1"
[ -n "$er" ] && [ "$st" = active ] && [ "$e1" -gt "$er" ] && [ "$r1" -gt "$r0" ]
tap $? hibernate/active-again-after-resume
l2_wait $name || rc=1
wait $watch
# Two boots: the image kernel's and the restore kernel's. A third is the
# resumed kernel dying (panic=-1 reboots at once) and the test starting over.
boots=$(grep -c '^PPR-BOOT' /tmp/l2-$name.log)
if [ "$boots" = 2 ]; then
	tap_ok hibernate/two-boots
else
	tap_fail hibernate/two-boots "$boots boots; the console after the first resume:"
	sed -n '/hibernate: resumed/,$p' /tmp/l2-$name.log | head -n 150 | sed 's/^/| /'
fi
echo "state changes (L1 uptime, state, epoch, recycled pages):"
sed 's/^/  /' /tmp/hib-states.log
rm -f /dev/shm/ppr-$name /tmp/hib-swap.img
rmmod ppr_pageone || rc=1
exit $rc
