# pprctl watch attaches VMMs as they come (VMMs with no vCPU,
# tests/progs/fakevm_hold): two VMMs with areas are attached within a few
# periods and a VMM without an area is not; one that exits is reported
# and its VM gone, and one started again on the same area is attached
# again; a VM detached by hand while its VMM runs is left alone, and taken
# again once the module is loaded anew. Also: a watch started before the
# module waits for it.
# ppr-cost: 25 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/tap.sh
. /tests/lib/wait.sh
V=/sys/kernel/mm/ppr_pageone/vms
rc=0
# vm_of PID: the id of the VM whose VMM is PID, or nothing.
vm_of() {
	grep -lx "$1" $V/*/vmm_pid 2>/dev/null | sed 's#.*/vms/\([0-9]*\)/vmm_pid#\1#'
}
attached() { [ -n "$(vm_of "$1")" ]; }
hold() { # hold NAME [--no-area]: start a VMM, print its pid once ready
	fakevm_hold "$@" >/tmp/hold-$1.out 2>&1 &
	wait_for 100 grep -q ready /tmp/hold-$1.out || echo "fakevm_hold $1 not ready: $(cat /tmp/hold-$1.out)" >&2
	echo $!
}

pprctl watch --interval 300ms >/tmp/watch.log 2>&1 &
w=$!
wait_for 50 grep -q 'waiting for it' /tmp/watch.log
tap_with $? watch/waits-for-module "$(head -n 2 /tmp/watch.log | tr '\n' ' ')"
modprobe ppr_pageone reclaim_period_ms=100 || exit 1

a=$(hold wa) b=$(hold wb) n=$(hold wn --no-area)
wait_for 150 attached "$a" && wait_for 150 attached "$b"
tap_with $? watch/attaches-vmms "pids $a $b: vms $(vm_of "$a") $(vm_of "$b")"
sleep 1
! attached "$n"
tap_with $? watch/no-area-no-attach "pid $n: vm '$(vm_of "$n")'"

kill "$a"
wait "$a" 2>/dev/null
wait_for 150 grep -q "pid $a exited" /tmp/watch.log && ! attached "$a"
tap $? watch/exit-reported "$(tail -n 3 /tmp/watch.log | tr '\n' ' ')"
a2=$(hold wa)
wait_for 150 attached "$a2"
tap_with $? watch/restart-attached-again "new pid $a2: vm $(vm_of "$a2")"

pprctl detach --pid "$b" >/dev/null || rc=1
wait_for 50 grep -q "pid $b was detached while it runs" /tmp/watch.log
sleep 1
! attached "$b"
tap_with $? watch/manual-detach-left-alone "pid $b: vm '$(vm_of "$b")' after 1 s"

rmmod ppr_pageone || rc=1
modprobe ppr_pageone reclaim_period_ms=100 || rc=1
wait_for 150 attached "$b" && wait_for 150 attached "$a2"
tap_with $? watch/reload-attaches-all "pids $a2 $b: vms $(vm_of "$a2") $(vm_of "$b")"

kill "$w" "$a2" "$b" "$n" 2>/dev/null
wait 2>/dev/null
echo "--- pprctl watch said:"
cat /tmp/watch.log
rmmod ppr_pageone || rc=1
exit $rc
