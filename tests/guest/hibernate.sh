# Hibernation to a swap disk (/dev/vda) in reboot mode, in the middle of a
# verifying churn, with 8 MiB of checksummed data held in tmpfs across it.
#
# Boot 1 (the image kernel) churns, hibernates and reboots. Boot 2 (the
# restore kernel) binds the area, marks its own free pages, announces its
# own epoch, then loads the image and copies it into its memory without
# its allocator: frames it had marked free among them. The resumed image
# kernel carries on after its "echo disk"; the area then holds the restore
# kernel's marks, not its own. The churn that was running must pass, the
# held data must read back unchanged, and the area must be active again in
# an epoch above the restore kernel's.
S=/sys/kernel/mm/ppr_guest
[ -b /dev/vda ] || { echo "hibernate: no disk /dev/vda"; exit 1; }
[ -f /sys/power/disk ] || { echo "hibernate: kernel without CONFIG_HIBERNATION"; exit 1; }
sig=$(dd if=/dev/vda bs=1 skip=4086 count=10 2>/dev/null | tr -d '\0')
if [ "$sig" = S1SUSPEND ]; then
	# Boot 2: restore. The kernel does not come back here if it works.
	echo "hibernate: restore kernel in epoch $(cat $S/area/epoch), loading the image"
	cat /sys/class/block/vda/dev >/sys/power/resume
	echo "hibernate: the image did not load"
	exit 1
fi
epoch=$(cat $S/area/epoch)
[ "$epoch" -ge 1 ] || { echo "hibernate: no area bound (epoch $epoch)"; exit 1; }
mkswap /dev/vda >/dev/null || { echo "hibernate: mkswap failed"; exit 1; }
swapon /dev/vda || { echo "hibernate: swapon failed"; exit 1; }
echo reboot >/sys/power/disk
mkdir -p /run/held
dd if=/dev/urandom of=/run/held/data bs=1M count=8 2>/dev/null
sum0=$(md5sum </run/held/data)
# Long enough to run through the hibernation and on after the resume.
ppr_churn 8 100000 100 100 >/tmp/churn.log 2>&1 &
churn=$!
echo "hibernate: churning in epoch $epoch"
sleep 10
echo "hibernate: hibernating in the middle of the churn"
if ! echo disk >/sys/power/state; then
	echo "hibernate: echo disk >/sys/power/state failed"
	exit 1
fi
# The image kernel again, after boot 2 restored it.
e1=$(cat $S/area/epoch)
echo "hibernate: resumed in epoch $e1, area active $(cat $S/area/active)"
swapoff /dev/vda
# Ten seconds more of the churn that ran across the hibernation.
sleep 10
kill -0 $churn 2>/dev/null || { tail -n 5 /tmp/churn.log; echo "hibernate: the churn ended"; exit 1; }
kill $churn
wait $churn
grep '^MISMATCH' /tmp/churn.log | head -n 5
bad=$(grep -c '^MISMATCH' /tmp/churn.log)
tail -n 1 /tmp/churn.log
sum1=$(md5sum </run/held/data)
echo "hibernate: churn mismatches $bad; held data $([ "$sum0" = "$sum1" ] && echo unchanged || echo CHANGED)"
ppr_churn 8 4 200 200 >/tmp/churn2.log 2>&1 || { tail -n 5 /tmp/churn2.log; echo "hibernate: the churn after the resume failed"; exit 1; }
echo "hibernate: the churn after the resume passed"
[ "$bad" = 0 ] && [ "$sum0" = "$sum1" ] && [ "$(cat $S/area/active)" = 1 ] && [ "$e1" -ge $((epoch + 3)) ]
