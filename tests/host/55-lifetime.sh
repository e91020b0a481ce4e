# Guest reset (QMP system_reset), reboot and kexec in the middle of heavy
# churn: the next boot passes the verifying churn, and the host recycles
# nothing between the guest going down and its next announcement.
#
# The guests run $l2_kernel (tests/lib/l2.sh: the lean kernel,
# also in the debug L1): the subject is the host, where KASAN,
# lockdep and kmemleak stay on, and debug guest boots under nested TCG
# take minutes each. The guest side of the lifetime
# (the driver's shutdown hooks) is the same code in both flavours.
# ppr-cost: 400 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/l2.sh
. /tests/lib/tap.sh
modprobe ppr_pageone reclaim_period_ms=100 || exit 1
V=/sys/kernel/mm/ppr_pageone/vms
rc=0
kernel=$l2_kernel
echo "# guest kernel: $kernel"
# The kexec guest finds the kernel to load in /boot: a second archive
# appended to its initramfs (the kernel unpacks concatenated archives).
mkdir -p /tmp/kx/boot
cp "$kernel" /tmp/kx/boot/bzImage
(cd /tmp/kx && find boot | cpio -o -H newc >/tmp/kx.cpio 2>/dev/null) || exit 1
cat /l2/l2.cpio /tmp/kx.cpio >/tmp/l2-kexec.cpio
# One guest leaves its life in each way in turn, in the middle of its
# churn: reset, then reboot, then kexec (boots 1 to 3, epochs 1 to 3), and
# boot 4 verifies its churn and ends. For each: the host stops honouring
# the old epoch, recycles nothing until the next boot announces, and that
# boot passes its verifying churn.
name=lt
l2_start $name lifetime mem=512M ivshmem=1M reboot=1 cmdline=ppr.lifetime=reset,reboot,kexec \
	initrd=/tmp/l2-kexec.cpio kernel=$kernel timeout=900 || exit 1
out=$(l2_attach $name) || { echo "$out"; exit 1; }
echo "$out"
id=$(echo "$out" | sed -n 's/^attached vm \([0-9]*\):.*/\1/p')
# leave N MODE: boot N (epoch N) leaves by MODE; check the host until boot
# N + 1 announces and passes its churn.
leave() {
	local n=$1 mode=$2 i st rec0 r e bad=0 why=
	i=0
	while [ "$(grep -c 'lifetime: churning' /tmp/l2-$name.log)" -lt "$n" ]; do
		i=$((i + 1))
		[ $i -lt 6000 ] || { echo "$mode: boot $n did not start its churn in 600 s"; return 1; }
		kill -0 "$(l2_pid $name)" 2>/dev/null || { echo "$mode: QEMU exited before boot $n churned"; return 1; }
		sleep 0.1
	done
	[ "$(cat $V/$id/epoch)" = "$n" ] || { echo "$mode: host epoch $(cat $V/$id/epoch), want $n"; return 1; }
	rec0=$(cat $V/$id/recycled_pages)
	i=0
	while [ "$(cat $V/$id/recycled_pages)" -lt $((rec0 + 1000)) ] && [ $i -lt 600 ]; do
		sleep 0.1; i=$((i + 1))
	done
	echo "$mode: epoch $n, $(cat $V/$id/recycled_pages) pages recycled so far"
	[ "$mode" = reset ] && qmp "/tmp/l2-$name.qmp" system_reset
	# Wait until the host stops honouring the old epoch.
	i=0
	while [ "$(cat $V/$id/state)" = active ] && [ "$(cat $V/$id/epoch)" = "$n" ] && [ $i -lt 2400 ]; do
		sleep 0.05; i=$((i + 1))
	done
	st=$(cat $V/$id/state)
	if [ "$st" = active ] && [ "$(cat $V/$id/epoch)" = "$n" ]; then
		tap_fail lifetime/$mode-nothing-recycled-until-announced "the guest never went down"
		pprctl status
		l2_stacks $name
		return 1
	fi
	# A batch that passed its lifetime check before the stop may still be
	# claiming and counting; any later one fails the check. Wait them out.
	i=0
	while [ "$(cat $V/$id/batches_in_flight)" != 0 ] && [ $i -lt 1200 ]; do
		sleep 0.05; i=$((i + 1))
	done
	rec0=$(cat $V/$id/recycled_pages)
	echo "$mode: host state $st (epoch $(cat $V/$id/epoch)), $rec0 pages recycled"
	i=0
	while :; do
		# The count first, then the epoch: the host's epoch moves only
		# when it takes a new announcement (and the VM is active before
		# any slice of it runs), so a count read while the epoch is still
		# the old one cannot include a page of the new epoch. The state is
		# not asked: the new epoch may stop again (a guest that fails in
		# its next boot resets) before this loop looks.
		r=$(cat $V/$id/recycled_pages)
		e=$(cat $V/$id/epoch)
		[ "$e" != "$n" ] && break
		if [ "$r" != "$rec0" ] && [ $bad = 0 ]; then
			bad=1
			why="$r pages recycled in state $(cat $V/$id/state), epoch $e"
			echo "$mode: $why, before the new announcement (was $rec0)"
		fi
		i=$((i + 1))
		[ $i -lt 6000 ] || { echo "$mode: no new announcement after 300 s"; bad=1; break; }
		kill -0 "$(l2_pid $name)" 2>/dev/null || { echo "$mode: QEMU exited before a new announcement"; bad=1; break; }
		sleep 0.05
	done
	echo "$mode: new epoch $(cat $V/$id/epoch) after $((i / 20)) s, state $(cat $V/$id/state); memslot removals $(cat $V/$id/memslot_removals)"
	if [ $bad = 0 ]; then
		tap_ok lifetime/$mode-nothing-recycled-until-announced
	else
		tap_fail lifetime/$mode-nothing-recycled-until-announced "$rec0 at the stop, then $why"
		return 1
	fi
	i=0
	while ! grep -q "lifetime: boot after $mode passed" /tmp/l2-$name.log; do
		i=$((i + 1))
		[ $i -lt 6000 ] || { echo "$mode: the next boot did not pass its churn in 600 s"; return 1; }
		kill -0 "$(l2_pid $name)" 2>/dev/null || { echo "$mode: QEMU exited before the next boot passed its churn"; return 1; }
		sleep 0.1
	done
	tap_ok lifetime/$mode-next-boot-passes-churn
}

n=1
for mode in reset reboot kexec; do
	leave $n $mode || { rc=1; kill "$(l2_pid $name)" 2>/dev/null; break; }
	n=$((n + 1))
done
l2_wait $name || rc=1
rmmod ppr_pageone || rc=1
exit $rc
