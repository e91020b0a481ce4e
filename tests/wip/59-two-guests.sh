# Diagnostic for L2 guests that never boot when two or more run side by side
# in one L1 (docs/debugging.md): start pairs of smoke guests; for a guest
# that has not reached its init after 180 s, print its console, its vCPU
# registers twice 5 s apart (is it spinning, where?), and QEMU's threads.
# Not part of make check.
# ppr-timeout: 2400
. /tests/lib/l2.sh
rounds=${ppr_pair_rounds:-5}
hung=0
for r in $(seq $rounds); do
	for g in a b; do
		l2_start "p$r$g" smoke mem=256M ivshmem=1M cmdline=ppr.expect_ivshmem=1M timeout=400 || exit 1
	done
	for g in a b; do
		name=p$r$g
		if l2_wait_line "$name" 'PPR-BOOT' 180; then
			echo "PPR-TAP ok - pair/$name booted"
			continue
		fi
		hung=$((hung + 1))
		echo "PPR-TAP not ok - pair/$name booted"
		tail -n 30 "/tmp/l2-$name.log" | sed 's/^/| /'
		l2_regs "$name"
		sleep 5
		l2_regs "$name" | grep -E 'RIP|RSP|GS|CR|EFER'
		for t in /proc/$(l2_pid "$name")/task/*; do
			echo "thread $(cat $t/comm): $(cat $t/stat | cut -d' ' -f3,14,15)"
		done
		qmp "/tmp/l2-$name.qmp" query-status
		kill "$(l2_pid "$name")"
	done
	for g in a b; do l2_wait "p$r$g" >/dev/null; done
done
echo "pairs: $hung of $((rounds * 2)) guests did not boot"
exit 0
