# Hook cost (benchmark, reported not asserted) and unbind/bind of the guest
# driver: the area ends inactive at the next epoch after the guest's shutdown.
# ppr-cost: 297 (seconds on debug in CI, for tests/vm/run's split)
. /tests/lib/l2.sh
l2_start bench hook-bench mem=512M ivshmem=1M timeout=600 || exit 1
l2_wait bench || exit 1
ppr_area_check /dev/shm/ppr-bench | tee /tmp/bench-area.txt
grep -q 'epoch 2, inactive' /tmp/bench-area.txt || { echo "want epoch 2, inactive after rebind and shutdown"; exit 1; }
