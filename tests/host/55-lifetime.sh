# Guest reboot, kexec and hard reset (QMP system_reset) in the middle of heavy
# churn (issue 4): the next boot passes the verifying churn, and the host
# recycles nothing between the reset and the guest's new announcement.
#
# The guests run $l2_kernel (tests/lib/l2.sh: the lean kernel,
# also in the debug L1): the subject is the host, where KASAN,
# lockdep and kmemleak stay on, and six debug guest boots under nested TCG
# took 19 minutes, too long for make check. The guest side of the lifetime
# (the driver's shutdown hooks) is the same code in both flavours.
# ppr-cost: 420 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/l2.sh
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
# one MODE: boot a guest, let it churn, take it down by MODE, check the host.
one() {
	local mode=$1 name=lt-$1 initrd out id old i st rec0 bad n r rc=0
	initrd=/l2/l2.cpio
	[ $mode = kexec ] && initrd=/tmp/l2-kexec.cpio
	l2_start "$name" lifetime mem=512M ivshmem=1M reboot=1 cmdline=ppr.lifetime=$mode \
		initrd=$initrd kernel=$kernel timeout=600 || return 1
	out=$(l2_attach "$name") || { echo "$out"; return 1; }
	echo "$out"
	id=$(echo "$out" | sed -n 's/^attached vm \([0-9]*\):.*/\1/p')
	l2_wait_line "$name" 'lifetime: churning' 600 || { l2_wait "$name"; return 1; }
	i=0
	while [ "$(cat $V/$id/recycled_pages)" -lt 1000 ] && [ $i -lt 600 ]; do
		sleep 0.1; i=$((i + 1))
	done
	old=$(cat $V/$id/epoch)
	echo "$mode: epoch $old, $(cat $V/$id/recycled_pages) pages recycled so far"
	[ "$mode" = reset ] && qmp "/tmp/l2-$name.qmp" system_reset
	# Wait until the host stops honouring the old epoch.
	i=0
	while [ "$(cat $V/$id/state)" = active ] && [ "$(cat $V/$id/epoch)" = "$old" ] && [ $i -lt 2400 ]; do
		sleep 0.05; i=$((i + 1))
	done
	st=$(cat $V/$id/state)
	if [ "$st" = active ] && [ "$(cat $V/$id/epoch)" = "$old" ]; then
		echo "PPR-TAP not ok - lifetime/$mode-nothing-recycled-until-announced # the guest never went down"
		rc=1
		pprctl status
		l2_stacks "$name"
		kill "$(l2_pid "$name")" 2>/dev/null
		l2_wait "$name"
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
	bad=0 n=0 why=
	while :; do
		# The count first, then the epoch: the host's epoch moves only
		# when it takes a new announcement (and the VM is active before
		# any slice of it runs), so a count read while the epoch is still
		# the old one cannot include a page of the new epoch. The state is
		# not asked: the new epoch may stop again (a guest that fails in
		# its next boot resets) before this loop looks.
		r=$(cat $V/$id/recycled_pages)
		e=$(cat $V/$id/epoch)
		[ "$e" != "$old" ] && break
		if [ "$r" != "$rec0" ] && [ $bad = 0 ]; then
			bad=1
			why="$r pages recycled in state $(cat $V/$id/state), epoch $e"
			echo "$mode: $why, before the new announcement (was $rec0)"
		fi
		n=$((n + 1))
		[ $n -lt 6000 ] || { echo "$mode: no new announcement after 300 s"; rc=1; break; }
		kill -0 "$(l2_pid "$name")" 2>/dev/null || { echo "$mode: QEMU exited before a new announcement"; rc=1; break; }
		sleep 0.05
	done
	echo "$mode: new epoch $(cat $V/$id/epoch) after $((n / 20)) s, state $(cat $V/$id/state); memslot removals $(cat $V/$id/memslot_removals)"
	if [ $bad = 0 ]; then
		echo "PPR-TAP ok - lifetime/$mode-nothing-recycled-until-announced"
	else
		echo "PPR-TAP not ok - lifetime/$mode-nothing-recycled-until-announced # $rec0 at the stop, then $why"
		rc=1
	fi
	l2_wait "$name" || rc=1
	grep -q 'lifetime: boot after' "/tmp/l2-$name.log" || { echo "$mode: the next boot did not pass the churn"; rc=1; }
	return $rc
}

# One guest after the other. Side by side (three L2s in one L1) the debug
# L1 once crashed with a corrupted kmemleak tree and the lean L1 once with
# a recursive page fault; see the issue note. Until that is understood the
# test keeps to the sequence that has passed.
for mode in reset reboot kexec; do
	one $mode || rc=1
done
rmmod ppr_pageone || rc=1
exit $rc
