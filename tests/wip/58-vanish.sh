# Diagnostic for the debug THP-off guest of 50-recycle that vanishes
# (docs/debugging.md): the same guest and host settings, but QEMU may reboot
# the guest, so that a guest reset (a triple fault leaves no console output)
# is logged by -d cpu_reset with the CPU state at the moment of the reset.
# Prints that state and counts the resets. Not part of make check.
# ppr-timeout: 2400
. /tests/lib/l2.sh
S=/sys/kernel/mm/ppr_pageone/stats
rounds=6
modprobe ppr_pageone reclaim_period_ms=1000 work_threads=2 || exit 1
echo never >/sys/kernel/mm/transparent_hugepage/enabled
resets=0
for r in $(seq $rounds); do
	name=van$r
	r0=$(cat $S/recycled_pages)
	l2_start "$name" alloc-free mem=512M ivshmem=1M reboot=1 cmdline=ppr.alloc=256,5000,8000 timeout=600 || exit 1
	l2_attach "$name" >/dev/null || true
	pid=$(cat "/tmp/l2-$name.pid")
	while kill -0 "$pid" 2>/dev/null; do
		n=$(grep -c '^CPU Reset' "/tmp/l2-$name.reset.log" 2>/dev/null)
		if [ "${n:-0}" -gt 2 ]; then
			resets=$((resets + 1))
			echo "$name: the guest reset itself; host had recycled $(($(cat $S/recycled_pages) - r0)) pages of it"
			sleep 1
			awk '/^CPU Reset/ { b = "" } { b = b "\n" $0 } END { print b }' "/tmp/l2-$name.reset.log" | sed 's/^/reset| /'
			tail -n 15 "/tmp/l2-$name.log" | sed 's/^/| /'
			kill "$(l2_pid "$name")" 2>/dev/null
			break
		fi
		sleep 0.5
	done
	wait "$pid" 2>/dev/null
	if grep -q '^PPR-DONE.* failed=0 ' "/tmp/l2-$name.log"; then
		echo "PPR-TAP ok - vanish/$name ran to completion"
	else
		echo "PPR-TAP not ok - vanish/$name did not run to completion"
	fi
done
echo "vanish: $resets guest resets in $rounds runs"
rmmod ppr_pageone
