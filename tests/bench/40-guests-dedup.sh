# Benchmark (reported, not asserted): two L2 guests booted from the
# same kernel, each writing the same ~38 MB into its page cache; host
# memory and time to steady state with stock KSM at its fastest settings
# (ksmd: sleep_millisecs 0, pages_to_scan 10000) against PageONE (merge
# period 20 s, 2 work threads), in the same run, one after the other.
# Steady state: from the engine's start (run=1, once both guests wrote),
# the time pages_sharing first reaches 99% of its value 100 s later. Host
# memory: MemTotal - MemAvailable of L1, minus its value before the guests.
# Two guests, not more, until the rig's fault with many guests under load
# is understood (docs/debugging.md).
. /tests/lib/l2.sh
K=/sys/kernel/mm/ksm
now() { cut -d' ' -f1 /proc/uptime; }
# CPU seconds used so far by the scanner: ksmd, or PageONE's threads.
engine_cpu() {
	local d
	if [ -d /sys/kernel/mm/ppr_pageone ]; then
		awk "BEGIN { print ($(cat /sys/kernel/mm/ppr_pageone/stats/daemon_cpu_ns) + $(cat /sys/kernel/mm/ppr_pageone/stats/worker_cpu_ns)) / 1e9 }"
		return
	fi
	for d in /proc/[0-9]*; do
		[ "$(cat $d/comm 2>/dev/null)" = ksmd ] && awk '{ print ($14 + $15) / 100 }' $d/stat
	done
}
used_kib() { awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 } END { print t - a }' /proc/meminfo; }
base=$(used_kib)

# $1 label, $2 command that sets the engine running
phase() {
	local label=$1 start=$2 t0 s hist= steady= n=0 g before window=100
	for g in 1 2; do
		l2_boot "dd$g" same-data mem=256M cmdline=ppr.idle=900 timeout=1200 || return 1
	done
	for g in 1 2; do l2_wait_line "dd$g" 'guest/same-data: written' 400 || return 1; done
	sleep 2
	before=$(used_kib)
	t0=$(now) c0=$(engine_cpu)
	eval "$start"
	# Sample pages_sharing once a second for $window s; the time to steady
	# state is the first sample at 99% or more of the last one.
	while [ $n -lt $window ]; do
		sleep 1
		n=$((n + 1))
		hist="$hist $(awk "BEGIN { print $(now) - $t0 }"):$(cat $K/pages_sharing)"
	done
	s=$(cat $K/pages_sharing)
	for g in $hist; do
		[ $((${g#*:} * 100)) -ge $((s * 99)) ] && [ "$s" -gt 0 ] && { steady=${g%:*}; break; }
	done
	echo "PPR-BENCH guests-dedup $label: steady state after ${steady:-never} s (99% of pages_sharing at ${window} s);" \
		"pages_shared $(cat $K/pages_shared), pages_sharing $(cat $K/pages_sharing);" \
		"host memory for the 2 guests $(( ($(used_kib) - base) / 1024 )) MiB" \
		"(before merging $(( (before - base) / 1024 )) MiB);" \
		"scanner CPU over the ${window} s: $(awk "BEGIN { print $(engine_cpu) - $c0 }") s"
	for g in 1 2; do kill "$(l2_pid "dd$g")" 2>/dev/null; done
	for g in 1 2; do l2_wait "dd$g" >/dev/null 2>&1; done
	echo 2 >$K/run
	sleep 2
}

echo 2 >$K/run
echo 0 >$K/sleep_millisecs
echo 10000 >$K/pages_to_scan
phase "KSM (ksmd, sleep 0, 10000 pages per round)" "echo 1 >$K/run"
echo 20 >$K/sleep_millisecs
echo 100 >$K/pages_to_scan
modprobe ppr_pageone merge_period_ms=20000 work_threads=2 merge=0 || exit 1
phase "PageONE (merge period 20 s, 2 work threads)" "echo 1 >$K/run"
echo "PageONE: $(cat /sys/kernel/mm/ppr_pageone/pageone/passes_done) passes, last $(cat /sys/kernel/mm/ppr_pageone/pageone/last_pass_ms) ms, $(cat /sys/kernel/mm/ppr_pageone/pageone/pages_hashed) pages hashed"
rmmod ppr_pageone
exit 0
