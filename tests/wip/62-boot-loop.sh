# Boots the debug guest kernel (the one 30-guest-side boots: 256 MiB, a
# 1 MiB mark area) ppr.boots=N times in a row (default 8), each to its
# PPR-DONE, and reports every boot that stopped: its console tail and
# the watchdog's vCPU and local APIC state (l2_diag). Used to catch the
# guest that stops in early boot; run it beside a CPU-bound process.
# Reports seconds per boot. Not part of make check.
. /tests/lib/l2.sh
now() { cut -d' ' -f1 /proc/uptime; }
n=$(sed -n 's/.*ppr\.boots=\([0-9]*\).*/\1/p' /proc/cmdline)
n=${n:-8}
rc=0 stalls=0
for i in $(seq "$n"); do
	t0=$(now)
	l2_start bl$i smoke mem=256M ivshmem=1M "cmdline=ppr.expect_ivshmem=1M" \
		kernel=$l2_guest_test_kernel timeout=600 || exit 1
	if l2_wait bl$i >/tmp/bl.out 2>&1; then
		echo "PPR-TAP ok - boot-loop/$i $(awk "BEGIN { print $(now) - $t0 }") s"
	else
		stalls=$((stalls + 1))
		echo "PPR-TAP not ok - boot-loop/$i $(awk "BEGIN { print $(now) - $t0 }") s"
		sed 's/^/# /' /tmp/bl.out | tail -n 200
		rc=1
	fi
	rm -f /dev/shm/ppr-bl$i
done
echo "PPR-BENCH boot-loop boots=$n stalls=$stalls"
exit $rc
