# Where an L2 boot's time goes in this L1: a guest kernel (ppr.bp_kernel=
# lean or debug, default lean) with printk timestamps, booted with its full
# console and with loglevel=4; prints L1's THP mode, QEMU's RSS and
# AnonHugePages, the console's size, wall seconds to "Linux version" and to
# the guest's init, and each pair of timestamped console lines 0.2 s or
# more apart. Asserts nothing.
. /tests/lib/l2.sh
now() { cut -d' ' -f1 /proc/uptime; }
k=$l2_kernel
for w in $(cat /proc/cmdline); do
	case $w in ppr.bp_kernel=debug) k=$l2_guest_test_kernel ;; esac
done
echo "L1 THP: $(cat /sys/kernel/mm/transparent_hugepage/enabled), defrag $(cat /sys/kernel/mm/transparent_hugepage/defrag); guest kernel $k"
m=512M
for q in loglevel=8 loglevel=4; do
	t0=$(now)
	l2_start bp smoke mem=$m ivshmem=1M "cmdline=ppr.expect_ivshmem=1M printk.time=1 $q" kernel=$k timeout=900 || exit 1
	[ $q = loglevel=4 ] || l2_wait_line bp 'Linux version' 900 >/dev/null
	tl=$(now)
	l2_wait_line bp PPR-BOOT 900 >/dev/null
	t1=$(now)
	ahp=$(awk '/^AnonHugePages:/ { print $2 }' /proc/$(l2_pid bp)/smaps_rollup)
	rss=$(l2_rss_kib bp)
	l2_wait bp >/dev/null 2>&1
	echo "PPR-BENCH l2-boot kernel=$k mem=$m cmdline='$q' console_bytes=$(wc -c </tmp/l2-bp.log) linux_s=$(awk "BEGIN { print $tl - $t0 }") init_s=$(awk "BEGIN { print $t1 - $t0 }") rss_kib=$rss anon_huge_kib=$ahp"
	# Each console line that came 0.2 s or more after the one before it.
	awk -F'[][]' '/^\[ *[0-9]+\.[0-9]+\]/ { t = $2 + 0; if (t - p >= 0.2) printf "  +%.2f s from: %s\n     to: %s\n", t - p, l, $0; p = t; l = $0 }' /tmp/l2-bp.log | head -60
done
