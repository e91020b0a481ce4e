# ksmd matching unstable candidates through the hash
# index (kernel/patches/0005, /sys/kernel/mm/ksm/candidate_index = hash):
# equal xxhash, then a byte-for-byte compare, then the merge. The same
# upstream KSM selftests as 20-ksm-selftests must pass unchanged.
# ppr-cost: 40 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/ksm.sh
. /tests/lib/tap.sh
K=/sys/kernel/mm/ksm
rc=0
[ "$(cat $K/candidate_index)" = tree ] || { echo "candidate_index defaults to '$(cat $K/candidate_index)', not tree"; rc=1; }
if echo bogus >$K/candidate_index 2>/dev/null; then
	tap_fail ksm-hash/bad-value-refused
else
	tap_ok ksm-hash/bad-value-refused
fi
echo hash >$K/candidate_index || exit 1
c0=$(cat $K/hash_collisions)
ksm_selftests ksm-hash || rc=1
# The selftests wait for two full scans per case: the index was latched.
idx=$(cat $K/candidate_index)
echo "candidate_index after the run: $idx; hash collisions: $(($(cat $K/hash_collisions) - c0))"
[ "$idx" = hash ]
tap $? ksm-hash/index-in-use "reads '$idx'"
echo tree >$K/candidate_index
exit $rc
