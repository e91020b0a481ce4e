# The reference density experiment at this machine's scale (docs/demo.md
# says how it is scaled). Three configurations in turn, the same guests and
# workload: nothing, stock KSM at the reference's settings, PPR + PageONE.
# For each, guests start one by one; the next starts when the last has
# finished its first allocation peak and settled. A configuration stops when
# the host memory its guests use (the drop of L1's MemAvailable since
# before its first guest) goes over the budget: the guest that took it over
# did not fit. Then the sweep: reclaim_period x merge_period on the guests
# that fitted under PPR + PageONE, one workload period per cell.
#
# Prints machine-readable lines for tests/demo/report:
#   PPR-DEMO-SETUP key=value ...
#   PPR-DEMO-MEM config t_s guests used_mib
#   PPR-DEMO-FIT config fit capped(0|1) avg_mib peak_mib fit_mib secs
#                daemon_ms worker_ms ksmd_ms lost resets
#   PPR-DEMO-SWEEP reclaim_ms merge_ms guests avg_mib secs daemon_ms
#                  worker_ms ksmd_ms
#   PPR-DEMO-RESETS guests (of PPR + PageONE's) that reset by the sweep's end
# ppr.demo_quick=1: a smaller budget, fewer guests, shorter cells.
# ppr-timeout: 1500
. /tests/lib/l2.sh
. /tests/lib/tap.sh

quick=0
for w in $(cat /proc/cmdline); do
	case $w in ppr.demo_quick=1) quick=1 ;; esac
done

# The reference: 4 GB guests, 3 GB peak, 150 MB average, a 30 minute
# period, reclaim 10 s, merge 600 s. Here: guests 1/16 of the size, the
# period 1/20 of the time, the periods of the daemon scaled with it.
guest_mib=256
peak_mib=192
period_s=90
hold_ms=2000
reclaim_ms=500
merge_ms=30000
sweep_reclaim="500 250"
sweep_merge="30000 10000"
settle_s=10
budget_mib=896
cap=16
cell_s=$period_s
if [ $quick = 1 ]; then
	budget_mib=512
	cap=4
	cell_s=15
fi
boot_s=300

S=/sys/kernel/mm/ppr_pageone
K=/sys/kernel/mm/ksm
now() { cut -d. -f1 /proc/uptime; }
avail_mib() { awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo; }
ksmd_ms() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(cat $p/comm 2>/dev/null)" = ksmd ] || continue
		# utime + stime, in USER_HZ (100) ticks
		awk '{ print ($14 + $15) * 10 }' $p/stat
		return
	done
	echo 0
}
ppr_ms() { # daemon|worker
	local v
	v=$(cat $S/stats/${1}_cpu_ns 2>/dev/null) || { echo 0; return; }
	echo $((v / 1000000))
}

echo "PPR-DEMO-SETUP quick=$quick guest_mib=$guest_mib peak_mib=$peak_mib period_s=$period_s" \
	"hold_ms=$hold_ms reclaim_ms=$reclaim_ms merge_ms=$merge_ms budget_mib=$budget_mib cap=$cap" \
	"settle_s=$settle_s cell_s=$cell_s mem_total_mib=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)" \
	"cpus=$(nproc)"
echo "PPR-DEMO-CPU $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"

# Guests alive in the current configuration, by name.
guests=
lost=0
stop_guests() {
	local g
	for g in $guests; do kill "$(l2_pid $g)" 2>/dev/null; done
	for g in $guests; do
		while kill -0 "$(l2_pid $g)" 2>/dev/null; do sleep 0.2; done
		rm -f /dev/shm/ppr-$g
	done
	guests=
}

# sample CONFIG T0 BASE: print one memory sample; set $used and $alive.
sample() {
	local g
	used=$(($3 - $(avail_mib)))
	alive=0
	for g in $guests; do
		kill -0 "$(l2_pid $g)" 2>/dev/null && alive=$((alive + 1))
	done
	echo "PPR-DEMO-MEM $1 $(($(now) - $2)) $alive $used"
	sum=$((sum + used)) samples=$((samples + 1))
	[ $used -le $peak ] || peak=$used
}

# fit CONFIG: start guests one by one until one takes the host over the
# budget or the cap is reached. Leaves $base, the MemAvailable before the
# first guest, for the sweep.
fit() {
	local cfg=$1 t0 k=0 over=0 g end d0 w0 s0 n
	base=$(avail_mib)
	t0=$(now) sum=0 samples=0 peak=0 fit_mib=0
	d0=$(ppr_ms daemon) w0=$(ppr_ms worker) s0=$(ksmd_ms)
	lost=0
	while [ $k -lt $cap ] && [ $over = 0 ]; do
		k=$((k + 1))
		g=$cfg$k
		# reboot=1: a guest that resets (the rig's fault, docs/debugging.md)
		# boots again and is counted, with its CPU state at the reset.
		l2_start $g churn mem=${guest_mib}M ivshmem=1M timeout=$((boot_s + 1500)) reboot=1 \
			cmdline=ppr.churn=$peak_mib,1000,$hold_ms,$((period_s * 1000 - hold_ms)),$k ||
			return 1
		guests="$guests $g"
		if [ $cfg = ppr ]; then
			l2_attach $g >/dev/null || { echo "demo: $g not attached"; return 1; }
		fi
		# Its first peak, then the settling time, sampled every second.
		end=$(($(now) + boot_s))
		while ! grep -q 'round 1: verified' /tmp/l2-$g.log; do
			sample $cfg $t0 $base
			[ $used -le $budget_mib ] || { over=1; break; }
			kill -0 "$(l2_pid $g)" 2>/dev/null || { echo "demo: $g exited before its first peak"; tail -n 20 /tmp/l2-$g.log; break; }
			[ "$(now)" -lt $end ] || { echo "demo: $g did not finish its first peak in $boot_s s"; break; }
			sleep 1
		done
		end=$(($(now) + settle_s))
		while [ $over = 0 ] && [ "$(now)" -lt $end ]; do
			sample $cfg $t0 $base
			[ $used -le $budget_mib ] || over=1
			sleep 1
		done
		n=$(echo $guests | wc -w)
		[ $alive = $n ] || echo "demo: $((n - alive)) of $n guests of $cfg are gone"
		lost=$((n - alive))
		# What the guests that fit use, once the last of them has settled.
		[ $over = 1 ] || fit_mib=$used
	done
	fit_n=$((k - over - lost))
	[ $over = 1 ] && { kill "$(l2_pid $g)"; guests=${guests% $g}; }
	resets

	echo "PPR-DEMO-FIT $cfg $fit_n $((1 - over)) $((sum / samples)) $peak $fit_mib $(($(now) - t0))" \
		"$(($(ppr_ms daemon) - d0)) $(($(ppr_ms worker) - w0)) $(($(ksmd_ms) - s0)) $lost $nreset"
}

# resets: count the guests that reset (more than QEMU's two CPU resets at
# start-up) and print each one's CPU state at its last reset; sets $nreset.
resets() {
	local g c
	nreset=0
	for g in $guests; do
		c=$(grep -c '^CPU Reset' /tmp/l2-$g.reset.log 2>/dev/null)
		[ "${c:-0}" -gt 2 ] || continue
		nreset=$((nreset + 1))
		echo "demo: $g reset $((c - 2)) times; its CPU state at the last reset:"
		awk '/^CPU Reset/ { n = 0 } { l[n++] = $0 } END { for (i = 0; i < n && i < 24; i++) print "reset| " l[i] }' \
			/tmp/l2-$g.reset.log
	done
}

# Nothing: QEMU marks guest RAM mergeable, but KSM does not run.
echo 0 >$K/run
fit none || exit 1
stop_guests

# Stock KSM at the reference's settings.
echo 0 >$K/sleep_millisecs
echo 1000000 >$K/pages_to_scan
echo 1 >$K/run
fit ksm || exit 1
stop_guests
echo 2 >$K/run
echo 20 >$K/sleep_millisecs
echo 100 >$K/pages_to_scan

# PPR + PageONE (the module sets KSM's run to 1: PageONE's passes).
modprobe ppr_pageone reclaim_period_ms=$reclaim_ms merge_period_ms=$merge_ms || exit 1
fit ppr || exit 1

# The sweep, on the guests that fitted; the host memory they use is
# measured against the MemAvailable of before the first of them.
for r in $sweep_reclaim; do
	for m in $sweep_merge; do
		echo $r >$S/reclaim_period_ms && echo $m >$S/merge_period_ms || exit 1
		t0=$(now) sum=0 samples=0 peak=0
		d0=$(ppr_ms daemon) w0=$(ppr_ms worker) s0=$(ksmd_ms)
		end=$((t0 + cell_s))
		while [ "$(now)" -lt $end ]; do
			sample sweep-$r-$m $t0 $base
			sleep 1
		done
		echo "PPR-DEMO-SWEEP $r $m $alive $((sum / samples)) $(($(now) - t0))" \
			"$(($(ppr_ms daemon) - d0)) $(($(ppr_ms worker) - w0)) $(($(ksmd_ms) - s0))"
	done
done
resets
echo "PPR-DEMO-RESETS $nreset"
stop_guests
rmmod ppr_pageone || exit 1
tap_ok demo/density
