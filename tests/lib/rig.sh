# The emulated SVM under L1 (QEMU's TCG) now and then loses an L2 guest in
# early boot, whether or not ppr_pageone is loaded (docs/debugging.md).
# These two functions tell such a loss from a failure of the test, so that
# tests/vm/init runs the test once more (docs/decisions.md, "A guest that
# dies before its init"). Sourced by tests/lib/l2.sh and tests/vm/init;
# PPR_DMESG names the command that prints the kernel log (default dmesg).
#
#   l2_rig_death NAME PID RC
#       guest NAME's QEMU (PID) ended with status RC without its results:
#       print "PPR-RIG l2/NAME: ..." if the rig lost it, that is if QEMU
#       ended with status 0 (by itself: under -no-reboot, a guest reset or
#       triple fault; or on the test's SIGTERM once it gave up waiting, as
#       after a KVM internal error in the guest's BIOS), the console
#       (/tmp/l2-NAME.log) never showed the init's PPR-BOOT, and no page of
#       the guest was recycled (never attached, or detached with 0 pages
#       recycled). Anything else (a kill by its timeout: 137) stays the
#       test's failure, and the line says so when it was close.
#   rig_rerun OUT RC
#       succeed if a test that ended with status RC and printed OUT (a
#       file) should run again: it failed, a guest of it was lost as
#       above, and none of its own results failed. Prints the reason.
l2_rig_death() {
	local name=$1 pid=$2 rc=$3 id i=0 rec=
	[ "$rc" = 0 ] || return 0
	grep -q 'PPR-BOOT' "/tmp/l2-$name.log" 2>/dev/null && return 0
	id=$(${PPR_DMESG:-dmesg} | sed -n "s/.*ppr_pageone: vm \([0-9]*\) ($name, pid $pid) attached.*/\1/p" | tail -n 1)
	if [ -n "$id" ]; then
		# The detach is done by a workqueue after the VMM's files close.
		while [ $i -lt 100 ]; do
			rec=$(${PPR_DMESG:-dmesg} | sed -n "s/.*ppr_pageone: vm $id ($name) detached: \([0-9-]*\) pages recycled.*/\1/p" | tail -n 1)
			[ -n "$rec" ] && break
			i=$((i + 1))
			sleep 0.1
		done
		[ "$rec" = 0 ] || { echo "l2/$name ended before its init, with ${rec:-an unknown number of} pages recycled: not the rig's"; return 0; }
	fi
	echo "PPR-RIG l2/$name: QEMU ended (status 0) before the guest's init, nothing of it recycled$(grep -m1 -o 'KVM internal error.*' "/tmp/l2-$name.qemu.log" 2>/dev/null | sed 's/^/; /')"
}

rig_rerun() {
	local why
	[ "$2" != 0 ] || return 1
	why=$(grep -m1 '^PPR-RIG ' "$1" 2>/dev/null) || return 1
	grep -q '^PPR-TAP not ok' "$1" && return 1
	echo "${why#PPR-RIG }"
}
