# What a PageONE pass promises at its edges:
# - full_scans counts only passes that scanned every mm to its end: a pass
#   cut short by run=0 does not count, the next whole one does;
# - an mm that exits with merged pages gives them up at once, even at
#   run=0 when no pass comes (pages_sharing back to 0, exited_slots_freed);
# - smart_scan skips a page for at most ten minutes' worth of passes:
#   with passes an hour apart, it skips none;
# - rmmod keeps the run value the administrator wrote while the module was
#   loaded, and restores the value from before modprobe if nobody wrote.
# ppr-cost: 80 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/tap.sh
. /tests/lib/wait.sh
K=/sys/kernel/mm/ksm
P=/sys/kernel/mm/ppr_pageone
O=$P/pageone
rc=0
trap 'kill $load $dup 2>/dev/null' EXIT

idle() { [ "$(cat $O/passes)" = "$(cat $O/passes_done)" ]; }
# $1 file, $2 test operator, $3 value: does the file's number compare so?
num() { [ "$(cat "$1")" "$2" "$3" ]; }

echo 0 >$K/run
modprobe ppr_pageone merge_period_ms=3600000 || exit 1
dedup_load 128 0 >/tmp/passes.load 2>&1 &
load=$!
until grep -q ready /tmp/passes.load 2>/dev/null; do sleep 0.1; done
wait_for 1200 idle

# A pass cut short by run=0 does not count as a full scan.
echo 0 >$K/run
wait_for 1200 idle
f=$(cat $K/full_scans) d=$(cat $O/passes_done) p=$(cat $O/passes)
echo 1 >$K/run
wait_for 100 num $O/passes -gt "$p"
sleep 1
echo 0 >$K/run
wait_for 1200 idle
echo "cut pass: passes_done $d -> $(cat $O/passes_done), full_scans $f -> $(cat $K/full_scans), slots_abandoned $(cat $O/slots_abandoned)"
tap_run passes/cut-pass-ended [ "$(cat $O/passes_done)" -gt "$d" ]
tap_run passes/cut-pass-not-counted [ "$(cat $K/full_scans)" = "$f" ]
p=$(cat $O/passes)
echo 1 >$K/run
wait_for 100 num $O/passes -gt "$p"
wait_for 1200 idle
tap_run passes/whole-pass-counted [ "$(cat $K/full_scans)" = $((f + 1)) ]
# smart_scan (on by default) skips unique pages that keep failing to merge
# for a number of passes, at most ten minutes' worth: none at a 1 h period.
sk=$(cat $K/pages_skipped)
for i in 1 2 3 4 5; do
	p=$(cat $O/passes)
	echo 1 >$K/run
	wait_for 100 num $O/passes -gt "$p"
	wait_for 1200 idle
done
tap_with $([ "$(cat $K/pages_skipped)" = "$sk" ]; echo $?) passes/no-smart-scan-skip-at-1h \
	"smart_scan $(cat $K/smart_scan), $(($(cat $K/pages_skipped) - sk)) pages skipped in 5 passes 1 h apart"
kill $load
wait 2>/dev/null

# An mm that exits at run=0 leaves no merged page behind.
echo 1 >$K/run
dedup_load 16 100 >/tmp/passes.dup 2>&1 &
dup=$!
until grep -q ready /tmp/passes.dup 2>/dev/null; do sleep 0.1; done
echo 100 >$P/merge_period_ms
wait_for 1200 num $K/pages_sharing -gt 3000
tap $? passes/merged "pages_sharing $(cat $K/pages_sharing)"
echo 0 >$K/run
wait_for 1200 idle
x=$(cat $O/exited_slots_freed 2>/dev/null || echo 0)
kill $dup
wait 2>/dev/null
wait_for 300 num $K/pages_sharing = 0
tap $? passes/exit-at-run-0-unshares "pages_sharing $(cat $K/pages_sharing) 30 s after the exit"
tap_run passes/exited-slot-counted [ "$(cat $O/exited_slots_freed 2>/dev/null || echo 0)" -gt "$x" ]

# rmmod: the administrator's last word stays; nobody's word: as before.
echo 1 >$K/run
rmmod ppr_pageone || { echo "rmmod failed"; exit 1; }
tap_with $([ "$(cat $K/run)" = 1 ]; echo $?) passes/rmmod-keeps-admin-run "run $(cat $K/run) after rmmod, 1 written while loaded"
echo 0 >$K/run
modprobe ppr_pageone || exit 1
tap_run passes/load-sets-run [ "$(cat $K/run)" = 1 ]
rmmod ppr_pageone || { echo "rmmod failed"; exit 1; }
tap_with $([ "$(cat $K/run)" = 0 ]; echo $?) passes/rmmod-restores-run "run $(cat $K/run) after rmmod, 0 before modprobe"
exit $rc
