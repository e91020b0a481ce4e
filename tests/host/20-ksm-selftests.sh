# The upstream KSM selftests from the same kernel tree, run in L1 against
# stock KSM (ksmd, candidate_index "tree") as run_vmtests.sh runs them. This
# is the baseline PageONE must keep.
# ppr-cost: 35 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/ksm.sh
ksm_selftests ksm
