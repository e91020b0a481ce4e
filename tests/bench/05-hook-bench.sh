# Benchmark (reported, not asserted): the guest's hook cost, cycles per
# alloc/free pair with the hooks on and off, in a guest of L1's flavour
# (make bench: lean). The same guest test runs in make check on the debug
# guest of tests/host/30-guest-side, where it checks unbind and bind.
. /tests/lib/l2.sh
l2_start bench hook-bench mem=512M ivshmem=1M kernel=$l2_guest_test_kernel timeout=600 || exit 1
l2_wait bench
