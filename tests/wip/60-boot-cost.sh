# What one L2 boot costs in this L1: the debug and the lean guest kernel,
# with the full console and with loglevel=4 (warnings and worse only, so a
# splat still shows), each booted to PPR-DONE running the smoke test, one
# after the other. Reports seconds from QEMU's start to the guest's init
# and to its power-off. Asserts nothing.
. /tests/lib/l2.sh
now() { cut -d' ' -f1 /proc/uptime; }
for k in /l2/bzImage $l2_kernel; do
	for q in "" "loglevel=4"; do
		t0=$(now)
		l2_start bc smoke mem=256M ivshmem=1M "cmdline=ppr.expect_ivshmem=1M $q" kernel=$k timeout=900 || exit 1
		l2_wait_line bc PPR-BOOT 900 >/dev/null
		t1=$(now)
		l2_wait bc >/dev/null 2>&1
		t2=$(now)
		echo "PPR-BENCH l2-boot kernel=$k cmdline='$q' init_s=$(awk "BEGIN { print $t1 - $t0 }") done_s=$(awk "BEGIN { print $t2 - $t0 }") console_bytes=$(wc -c </tmp/l2-bc.log)"
	done
done
