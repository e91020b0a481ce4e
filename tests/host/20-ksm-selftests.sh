# The upstream KSM selftests from the same kernel tree, run in L1 against
# stock KSM (ksmd, candidate_index "tree") as run_vmtests.sh runs them. This
# is the baseline PageONE must keep.
# ppr-cost: 346 (seconds on debug in CI, for tests/vm/run's split)
. /tests/lib/ksm.sh
ksm_selftests ksm
