# Guest lifetime under churn (issue 4). First boot (area epoch 1): churn and
# verify continuously, then after 10 s, in the middle of the churn:
#   ppr.lifetime=reset   wait for the host's QMP system_reset
#   ppr.lifetime=reboot  "reboot -f" (the driver clears the active flag on the
#                        way down, in its PCI shutdown hook)
#   ppr.lifetime=kexec   kexec_file_load + reboot(KEXEC) into /boot/bzImage
#                        (the host adds it to the initrd) with an initrd made
#                        from this root; same shutdown hook, no firmware
#   ppr.lifetime=vmm-kill wait for the host to kill QEMU (SIGKILL) and start
#                        a new one on the same area
# The next boot (epoch 2 or more) must pass the verifying churn. After a
# vmm-kill it churns until the host has detached and attached it again
# (the driver then announces epoch 3), and once more after that.
S=/sys/kernel/mm/ppr_guest
mode=reset
for w in $(cat /proc/cmdline); do
	case $w in ppr.lifetime=*) mode=${w#*=} ;; esac
done
epoch=$(cat $S/area/epoch)
echo "lifetime: boot in epoch $epoch, mode $mode"
if [ "$epoch" -ge 2 ] && [ "$mode" = vmm-kill ]; then
	echo "lifetime: verifying churn in epoch $epoch until the host attaches again"
	i=0
	while [ "$(cat $S/area/epoch)" -le "$epoch" ]; do
		ppr_churn 32 2 200 200 >/dev/null || exit 1
		i=$((i + 1))
		[ $i -lt 300 ] || { echo "lifetime: no new epoch after $i churns"; exit 1; }
	done
	echo "lifetime: epoch $(cat $S/area/epoch) announced after the host attached again"
fi
if [ "$epoch" -ge 2 ]; then
	ppr_churn 32 3 200 200 || exit 1
	echo "lifetime: boot after $mode passed the verifying churn"
	exit 0
fi
if [ "$mode" = kexec ]; then
	[ -f /boot/bzImage ] || { echo "lifetime: no /boot/bzImage to kexec"; exit 1; }
	# The next kernel's initrd: this root without the mounted trees' contents.
	(cd / && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o \
		-path ./tmp -o -path ./run \) -prune -print -o -print |
		cpio -o -H newc >/tmp/next.cpio 2>/dev/null) ||
		{ echo "lifetime: cannot build the next initrd"; exit 1; }
fi
ppr_churn 32 100000 100 100 &
echo "lifetime: churning"
case $mode in
reboot)
	sleep 10
	echo "lifetime: rebooting in the middle of the churn"
	reboot -f
	;;
kexec)
	sleep 10
	echo "lifetime: kexec in the middle of the churn"
	ppr_kexec /boot/bzImage /tmp/next.cpio "$(cat /proc/cmdline)"
	echo "lifetime: kexec failed"
	exit 1
	;;
esac
wait
echo "lifetime: the churn ended before the $mode"
exit 1
