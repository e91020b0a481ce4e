# The guest side under KASAN, lockdep and DEBUG_VM: one guest of L1's own
# flavour (the debug kernel in make check) with a 256 MiB RAM and a 1 MiB
# mark area.
#  - marks: it holds 4 MiB and frees 12 MiB (KASAN keeps an eighth of RAM
#    for itself); its held pages are unmarked and its freed pages
#    marked, and L1 sees the same bits in the shared file while the guest
#    still holds its memory;
#  - hook-bench without its measurements (tests/bench/05-hook-bench gives
#    the figure, on lean): unbind (hooks off, area inactive) and bind (the
#    next epoch, hooks on);
#  - shutdown: the area ends inactive, in epoch 2 (boot, then the rebind).
# The guest boots with kmemleak=off: nothing here reads the guest's
# kmemleak, and its scans of all memory (the first a minute after boot)
# compete for the guest's one vCPU: beside a CPU-bound load they delay
# the guest's check past 800 s, against 100 s on an idle L1. With 8 and
# 24 MiB the check had not come after 1,000 s in the clean-clone run of
# 35fd60a on a slow day, beside an L1 running 50-recycle: so 4 and 12.
# ppr-cost: 380 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/l2.sh
l2_start marks marks,hook-bench mem=256M ivshmem=1M kernel=$l2_guest_test_kernel \
	cmdline="ppr.hold_secs=20 ppr.marks_mib=4,12 ppr.bench_pairs=0 kmemleak=off" timeout=1100 || exit 1
# Wait for the guest's PPR-CHECK line, then check its PFNs in our file.
end=$(($(cut -d. -f1 /proc/uptime) + 1000))
while ! grep -q '^# PPR-CHECK ' /tmp/l2-marks.log 2>/dev/null; do
	[ "$(cut -d. -f1 /proc/uptime)" -lt $end ] || { echo "no PPR-CHECK line from the guest after 1000 s"; break; }
	kill -0 "$(cat /tmp/l2-marks.pid)" 2>/dev/null || break
	sleep 0.5
done
rc=0
line=$(grep -m1 '^# PPR-CHECK ' /tmp/l2-marks.log)
if [ -n "$line" ]; then
	held=$(echo "$line" | sed -n 's/.*held=\([0-9,]*\).*/\1/p')
	freed=$(echo "$line" | sed -n 's/.*freed=\([0-9,]*\).*/\1/p')
	# Held pages cannot change state: all must be unmarked. Freed pages may
	# be reused by the guest since it printed them (kmemleak, workqueues):
	# allow 4 of 64.
	ppr_area_check /dev/shm/ppr-marks "unmarked=$held" || rc=1
	ppr_area_check /dev/shm/ppr-marks max_wrong=4 "marked=$freed" || rc=1
else
	echo "the guest printed no PPR-CHECK line; its console:"
	tail -n 40 /tmp/l2-marks.log
	rc=1
fi
l2_wait marks || rc=1
# After the guest powered off, its area says inactive (shutdown clears it),
# in the epoch of the rebind.
ppr_area_check /dev/shm/ppr-marks | tee /tmp/marks-after.txt
grep -q 'epoch 2, inactive' /tmp/marks-after.txt || { echo "want epoch 2, inactive after rebind and shutdown"; rc=1; }
exit $rc
