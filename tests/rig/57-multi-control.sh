# Control for the L1 crashes seen with several L2 guests side by side
# (docs/debugging.md): the 8 idle guests of bench/20-idle-cpu, same sizes,
# same ivshmem areas, but ppr_pageone NOT loaded. An L1 oops here is not
# PPR's doing. Not part of make check: it asserts nothing about PPR.
# ppr-timeout: 1800
. /tests/lib/l2.sh
. /tests/lib/tap.sh
n=8
for i in $(seq $n); do
	l2_start "ctl$i" idle mem=256M ivshmem=1M cmdline=ppr.idle=600 timeout=900 || exit 1
done
rc=0
for i in $(seq $n); do
	if l2_wait_line "ctl$i" 'guest/idle' 600; then
		tap_ok "control/ctl$i booted"
	else
		tap_fail "control/ctl$i booted"
		tail -n 25 "/tmp/l2-ctl$i.log" | sed 's/^/| /'
		cat "/tmp/l2-ctl$i.qemu.log"
	fi
done
sleep 90
for i in $(seq $n); do kill "$(l2_pid "ctl$i")" 2>/dev/null; done
sleep 2
tap_ok "control/L1 still alive after $n guests"
exit $rc
