# Equal contents meet in one shard of PageONE's stable trees, even when
# pages change between their hash and their merge: memory rewritten as a
# whole from one content to another at random times, scanned every 10 ms
# by both work threads. The debug kernel checks, at every insertion into a
# stable tree, that the KSM page's content belongs to that shard
# (VM_WARN_ON_ONCE in stable_tree_insert); merges_changed counts the pairs
# undone because their content had moved.
# ppr-cost: 70 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/tap.sh
K=/sys/kernel/mm/ksm
O=/sys/kernel/mm/ppr_pageone/pageone
rc=0
trap 'kill $pids 2>/dev/null' EXIT
echo 0 >$K/run
dmesg -c >/dev/null
modprobe ppr_pageone merge_period_ms=10 || exit 1
pids=
for i in 1 2 3 4; do
	dedup_flip 2 40 >/tmp/flip.$i 2>&1 &
	pids="$pids $!"
done
h0=$(cat $O/pages_hashed)
wait $pids
cat /tmp/flip.*
echo "hashed $(($(cat $O/pages_hashed) - h0)) pages; merges_changed $(cat $O/merges_changed 2>/dev/null); pages_shared $(cat $K/pages_shared)"
bad=$(dmesg | grep -E -A3 'WARNING:|BUG:|KASAN' | head -n 8)
[ -z "$bad" ] || echo "$bad"
tap_run shards/content-in-its-shard [ -z "$bad" ]
rmmod ppr_pageone || rc=1
echo 0 >$K/run
exit $rc
