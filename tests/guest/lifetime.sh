# Guest lifetime under churn. ppr.lifetime=MODE[,MODE...]: boot N (the one
# that announces epoch N) churns and verifies continuously, and after 10 s,
# in the middle of the churn, leaves by the Nth MODE:
#   reset     wait for the host's QMP system_reset
#   reboot    "reboot -f" (the driver clears the active flag on the way
#             down, in its PCI shutdown hook)
#   kexec     kexec_file_load + reboot(KEXEC) into /boot/bzImage (the host
#             adds it to the initrd) with an initrd made from this root;
#             same shutdown hook, no firmware
#   vmm-kill  wait for the host to kill QEMU (SIGKILL) and start a new one
#             on the same area
# Every boot after the first must pass the verifying churn; the boot after
# the last MODE ends there. After a vmm-kill it first churns until the host
# has detached and attached it again (the driver then announces the next
# epoch).
S=/sys/kernel/mm/ppr_guest
modes=reset
for w in $(cat /proc/cmdline); do
	case $w in ppr.lifetime=*) modes=${w#*=} ;; esac
done
# Boot N announces epoch N: each driver announces the epoch after the one
# it finds in the area, and nothing else moves it in this test (no memslot
# goes away once the driver is bound, the host attaches once).
epoch=$(cat $S/area/epoch)
[ "$epoch" -ge 1 ] || { echo "lifetime: no area bound (epoch $epoch)"; exit 1; }
set -- $(echo "$modes" | tr ',' ' ')
mode=$(eval "echo \${$epoch:-}")
echo "lifetime: boot in epoch $epoch, next: ${mode:-none}"
if [ "$epoch" -ge 2 ]; then
	prev=$(eval "echo \${$((epoch - 1)):-}")
	if [ "$prev" = vmm-kill ]; then
		echo "lifetime: verifying churn in epoch $epoch until the host attaches again"
		i=0
		while [ "$(cat $S/area/epoch)" -le "$epoch" ]; do
			ppr_churn 16 2 200 200 >/dev/null || exit 1
			i=$((i + 1))
			[ $i -lt 300 ] || { echo "lifetime: no new epoch after $i churns"; exit 1; }
		done
		echo "lifetime: epoch $(cat $S/area/epoch) announced after the host attached again"
	fi
	ppr_churn 16 2 200 200 || exit 1
	echo "lifetime: boot after $prev passed the verifying churn"
fi
[ -n "$mode" ] || exit 0
if [ "$mode" = kexec ]; then
	[ -f /boot/bzImage ] || { echo "lifetime: no /boot/bzImage to kexec"; exit 1; }
	# The next kernel's initrd: this root without the mounted trees' contents.
	(cd / && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o \
		-path ./tmp -o -path ./run \) -prune -print -o -print |
		cpio -o -H newc >/tmp/next.cpio 2>/dev/null) ||
		{ echo "lifetime: cannot build the next initrd"; exit 1; }
fi
ppr_churn 16 100000 100 100 &
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
