# Boot one L2 under L1's KVM with a 1 MiB ivshmem-plain device and run the
# guest smoke test inside it; the host sees the shared file the BAR maps.
# ppr-cost: 45 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/l2.sh
l2_start smoke smoke mem=256M ivshmem=1M cmdline=ppr.expect_ivshmem=1M timeout=600 || exit 1
l2_wait smoke || exit 1
[ -f /dev/shm/ppr-smoke ] || { echo "backing file /dev/shm/ppr-smoke missing"; exit 1; }
sz=$(stat -c %s /dev/shm/ppr-smoke)
[ "$sz" = 1048576 ] || { echo "backing file is $sz bytes, expected 1048576"; exit 1; }
# The guest wrote a marker in the last 4 bytes of the BAR; L1 must read it.
m=$(dd if=/dev/shm/ppr-smoke bs=4 skip=$((1048576 / 4 - 1)) count=1 2>/dev/null)
[ "$m" = "PPR!" ] || { echo "marker from the guest not seen in the shared file (got '$m')"; exit 1; }
echo "guest marker seen through /dev/shm/ppr-smoke"
