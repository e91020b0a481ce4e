# An unmerge (run=2) cut short by a signal leaves PageONE's work threads
# safe: the rmap_items it freed before it failed are never touched again.
# 64 small mms of merged pages, so that the work threads often stand at
# the end of one, waiting to close it, while run=2 frees its items; run=2
# is killed part-way, and run=1 follows at once. A thread must drop its
# place in an mm whose items were freed (KASAN reports any read of a freed
# item). Then a full unmerge and a new merge must still work.
# ppr-cost: 130 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/tap.sh
K=/sys/kernel/mm/ksm
P=/sys/kernel/mm/ppr_pageone
rc=0
trap 'kill $pids 2>/dev/null' EXIT
small=64 rounds=6
echo 0 >$K/run
modprobe ppr_pageone merge_period_ms=10 || exit 1
pids=
i=0
while [ $i -lt $small ]; do
	dedup_load 1 100 >/tmp/unmerge.small.$i 2>&1 &
	pids="$pids $!"
	until grep -q ready /tmp/unmerge.small.$i 2>/dev/null; do sleep 0.05; done
	i=$((i + 1))
done

# Wait until at least MIN pages share; 0 if they do within 120 s.
wait_sharing() {
	local t=0
	while [ "$(cat $K/pages_sharing)" -lt "$1" ]; do
		[ $t -ge 1200 ] && return 1
		sleep 0.1
		t=$((t + 1))
	done
}
want=$((small * 256 * 9 / 10))
wait_sharing $want
tap $? pageone-unmerge/merged "pages_sharing $(cat $K/pages_sharing), want $want"

# Milliseconds since boot, to 10 ms (busybox's date has no %N).
now_ms() {
	local u
	read -r u _ </proc/uptime
	echo $((${u%.*} * 1000 + (1${u#*.} - 100) * 10))
}
# A whole unmerge, timed, to know when to interrupt the next ones.
t0=$(now_ms)
echo 2 >$K/run
st=$?
full_ms=$(($(now_ms) - t0))
tap_with $st pageone-unmerge/full-unmerge "$full_ms ms"
tap_run pageone-unmerge/nothing-shared-after-unmerge [ "$(cat $K/pages_shared)" = 0 ]
echo 1 >$K/run

killed=0 r=0
dmesg -c >/dev/null
while [ $r -lt $rounds ]; do
	wait_sharing $want || break
	sh -c "echo 2 >$K/run" &
	w=$!
	# Somewhere between a fifth and four fifths of the way.
	d=$((full_ms * (20 + r * 12) / 100))
	usleep $((d * 1000))
	kill -KILL $w 2>/dev/null
	wait $w
	[ $? = 0 ] || killed=$((killed + 1))
	echo 1 >$K/run
	r=$((r + 1))
done
tap_with $([ $r = $rounds ]; echo $?) pageone-unmerge/rounds "$r of $rounds rounds merged again after an interrupted unmerge"
tap_with $([ $killed -ge 3 ]; echo $?) pageone-unmerge/interrupted "$killed of $r unmerges cut short by SIGKILL"
bad=$(dmesg | grep -E 'KASAN|BUG:|WARNING:|Oops' | head -n 3)
[ -z "$bad" ] || echo "$bad"
tap_run pageone-unmerge/no-use-after-free [ -z "$bad" ]

# The state is whole: one more unmerge empties the stable tree, one more
# merge fills it.
echo 2 >$K/run
tap_run pageone-unmerge/unmerge-after [ "$(cat $K/pages_shared)" = 0 ]
echo 1 >$K/run
wait_sharing $want
tap $? pageone-unmerge/merge-after "pages_sharing $(cat $K/pages_sharing)"
kill $pids
wait 2>/dev/null
echo 2 >$K/run
rmmod ppr_pageone || rc=1
echo 0 >$K/run
exit $rc
