# pprctl replace-ksm and restore-ksm on a host where stock ksmd has merged
# a process's duplicates (dedup_load) and a VMM with an area runs
# (fakevm_hold): a bad setting changes nothing; a ksmtuned running outside
# systemd makes replace-ksm refuse and change nothing; without it,
# replace-ksm loads the module (KSM's scanner becomes pageone), applies
# its settings and attaches the VMM, and what ksmd merged stays merged;
# restore-ksm unloads the module, ksmd scans again with run as before, and
# a second restore-ksm has nothing to do.
# ppr-cost: 30 (seconds on debug on a normal day, and 3x is its budget)
. /tests/lib/tap.sh
. /tests/lib/wait.sh
K=/sys/kernel/mm/ksm
P=/sys/kernel/mm/ppr_pageone
rc=0
sharing() { cat $K/pages_sharing; }
merged() { [ "$(sharing)" -gt 1000 ]; }
unchanged() { # NAME DETAIL: the host is as before replace-ksm
	[ ! -d $P ] && [ "$(cat $K/scanner)" = ksmd ] && [ "$(cat $K/run)" = 1 ]
	tap_with $? "$1" "$2; module $([ -d $P ] && echo loaded || echo 'not loaded'), scanner $(cat $K/scanner), run $(cat $K/run)"
}

echo 0 >$K/sleep_millisecs
echo 1000 >$K/pages_to_scan
echo 1 >$K/run
dedup_load 16 50 >/tmp/dedup_load.74 &
load=$!
fakevm_hold rk >/tmp/hold-rk.out 2>&1 &
vmm=$!
wait_for 100 grep -q ready /tmp/dedup_load.74 || echo "dedup_load not ready: $(cat /tmp/dedup_load.74)"
wait_for 100 grep -q ready /tmp/hold-rk.out || echo "fakevm_hold not ready: $(cat /tmp/hold-rk.out)"
wait_for 600 merged
tap_with $? replace-ksm/ksmd-merged "pages_sharing $(sharing)"

pprctl replace-ksm merge_period 600 >/tmp/rk.out 2>&1
st=$?
[ $st = 2 ] && grep -q "merge_period '600' has no unit" /tmp/rk.out
tap $? replace-ksm/bad-setting-refused "exit $st: $(cat /tmp/rk.out)"
unchanged replace-ksm/bad-setting-changes-nothing "exit $st"

printf '#!/bin/sh\nwhile :; do sleep 1; done\n' >/tmp/ksmtuned
chmod +x /tmp/ksmtuned
/tmp/ksmtuned &
tuned=$!
wait_for 50 grep -qx ksmtuned /proc/$tuned/comm
pprctl replace-ksm >/tmp/rk.out 2>&1
st=$?
[ $st = 1 ] && grep -q "ksmtuned (pid $tuned) runs, and not under systemd" /tmp/rk.out
tap $? replace-ksm/ksmtuned-outside-systemd-refused "exit $st: $(cat /tmp/rk.out)"
unchanged replace-ksm/ksmtuned-refusal-changes-nothing "exit $st"
kill $tuned
wait $tuned 2>/dev/null

s0=$(sharing)
pprctl replace-ksm reclaim_period 500ms merge_period 600s thp_split_min_free 384 >/tmp/rk.out 2>&1
st=$?
cat /tmp/rk.out
[ $st = 0 ] && [ "$(cat $K/scanner)" = pageone ] && [ "$(cat $P/reclaim_period_ms)" = 500 ] &&
	[ "$(cat $P/merge_period_ms)" = 600000 ] && [ "$(cat $P/thp_split_min_free)" = 384 ]
tap $? replace-ksm/replaced "exit $st, scanner $(cat $K/scanner), reclaim $(cat $P/reclaim_period_ms 2>&1) ms, merge $(cat $P/merge_period_ms 2>&1) ms, thp_split_min_free $(cat $P/thp_split_min_free 2>&1)"
grep -lx "$vmm" $P/vms/*/vmm_pid >/dev/null 2>&1
tap $? replace-ksm/vmm-attached "$(pprctl status | sed -n '/^VMs/,$p')"
[ "$(sharing)" -ge "$s0" ]
tap_with $? replace-ksm/merged-pages-kept "pages_sharing $s0 -> $(sharing)"

pprctl restore-ksm >/tmp/rk.out 2>&1
st=$?
cat /tmp/rk.out
[ $st = 0 ] && [ "$(sharing)" -ge "$s0" ]
tap $? replace-ksm/restored "exit $st, pages_sharing $s0 -> $(sharing)"
unchanged replace-ksm/ksmd-back "exit $st"
pprctl restore-ksm >/tmp/rk.out 2>&1
st=$?
[ $st = 0 ] && grep -q "was not loaded" /tmp/rk.out
tap $? replace-ksm/restore-twice "exit $st: $(cat /tmp/rk.out)"

kill $load $vmm 2>/dev/null
wait 2>/dev/null
echo 0 >$K/run
exit $rc
