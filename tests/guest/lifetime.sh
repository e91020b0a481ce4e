# Guest lifetime under churn (issue 4). First boot (area epoch 1): churn and
# verify continuously; with ppr.lifetime=reboot, reboot after 10 s
# ("reboot -f": the driver clears the active flag on the way down); with
# ppr.lifetime=reset, wait for the host's QMP system_reset. The next boot
# (epoch 2 or more) must pass the verifying churn.
S=/sys/kernel/mm/ppr_guest
mode=reset
for w in $(cat /proc/cmdline); do
	case $w in ppr.lifetime=*) mode=${w#*=} ;; esac
done
epoch=$(cat $S/area/epoch)
echo "lifetime: boot in epoch $epoch, mode $mode"
if [ "$epoch" -ge 2 ]; then
	ppr_churn 32 3 200 200 || exit 1
	echo "lifetime: boot after $mode passed the verifying churn"
	exit 0
fi
ppr_churn 32 100000 100 100 &
echo "lifetime: churning"
if [ "$mode" = reboot ]; then
	sleep 10
	echo "lifetime: rebooting in the middle of the churn"
	reboot -f
fi
wait
echo "lifetime: the churn ended before the $mode"
exit 1
