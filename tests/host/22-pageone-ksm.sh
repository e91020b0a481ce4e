# PageONE scans for KSM in place of ksmd. With ppr_pageone loaded
# /sys/kernel/mm/ksm/scanner reads "pageone", ksmd does not scan, and the
# upstream KSM selftests pass unchanged with PageONE's passes as the full
# scans they wait for (merge period 100 ms here; the module's default is
# 600 s). At rmmod ksmd takes over again.
# ppr-cost: 115 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/ksm.sh
. /tests/lib/tap.sh
K=/sys/kernel/mm/ksm
P=/sys/kernel/mm/ppr_pageone
rc=0
echo 0 >$K/run
tap_run pageone/ksmd-before-load [ "$(cat $K/scanner)" = ksmd ]
modprobe ppr_pageone merge_period_ms=100 || exit 1
tap_run pageone/scanner-is-pageone [ "$(cat $K/scanner)" = pageone ]
tap_run pageone/load-sets-run [ "$(cat $K/run)" = 1 ]
tap_run pageone/merge-period-read-back [ "$(cat $P/merge_period_ms)" = 100 ]
if echo 5 >$P/merge_period_ms 2>/dev/null; then
	tap_run pageone/merge-period-too-short-refused false
else
	tap_run pageone/merge-period-too-short-refused [ "$(cat $P/merge_period_ms)" = 100 ]
fi
h0=$(cat $P/pageone/pages_hashed)
s0=$(cat $K/pages_scanned)
ksm_selftests pageone || rc=1
h1=$(cat $P/pageone/pages_hashed)
s1=$(cat $K/pages_scanned)
echo "PageONE: $(cat $P/pageone/passes_done) passes, $((h1 - h0)) pages hashed;" \
	"KSM pages_scanned +$((s1 - s0)); last pass $(cat $P/pageone/last_pass_ms) ms;" \
	"hash collisions $(cat $P/pageone/hash_collisions)"
tap_run pageone/pageone-hashed [ $((h1 - h0)) -gt 0 ]
# Every page KSM counts as scanned went through a PageONE hash: ksmd did
# not scan (it would add to pages_scanned only).
tap_run pageone/ksmd-did-not-scan [ $((s1 - s0)) -le $((h1 - h0)) ]
for f in full_scans pages_shared pages_sharing pages_unshared ksm_zero_pages general_profit; do
	a=$(cat $K/$f)
	b=$(cat $P/pageone/$f)
	[ "$a" = "$b" ] || { echo "$f: ksm $a, pageone $b"; }
done
# run=0 in the middle of passes leaves mms unscanned; the passes after it
# must not meet unstable items two scans old (mm/ksm.c BUG_ONs on that).
dedup_load 64 50 >/tmp/dedup_load.22 &
load=$!
until grep -q ready /tmp/dedup_load.22 2>/dev/null; do sleep 0.1; done
echo 10 >$P/merge_period_ms
echo 1 >$K/run
i=0
while [ $i -lt 40 ]; do
	sleep 0.05
	echo 0 >$K/run
	sleep 0.02
	echo 1 >$K/run
	i=$((i + 1))
done
f=$(($(cat $K/full_scans) + 3))
i=0
while [ "$(cat $K/full_scans)" -lt $f ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
echo "after 40 pauses: $(cat $P/pageone/slots_abandoned) mms left mid-pass, pages_sharing $(cat $K/pages_sharing)"
ok=0
[ "$(cat $K/full_scans)" -ge $f ] && [ "$(cat $K/pages_sharing)" -gt 0 ] && ok=1
tap_run pageone/run-paused-mid-pass [ $ok = 1 ]
kill $load
echo 2 >$K/run
echo 0 >$K/run
rmmod ppr_pageone || { echo "rmmod failed"; exit 1; }
tap_run pageone/scanner-back-to-ksmd [ "$(cat $K/scanner)" = ksmd ]
exit $rc
