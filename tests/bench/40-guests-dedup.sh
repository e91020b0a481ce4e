# Benchmark (issue 5, reported, not asserted): two L2 guests booted from the
# same kernel, each writing the same ~15 MB into its page cache; host
# memory and time to steady state with stock KSM at its fastest settings
# (ksmd: sleep_millisecs 0, pages_to_scan 10000) against PageONE (merge
# period 20 s, 2 work threads), in the same run, one after the other.
# Steady state: pages_sharing within 1% over 5 samples 1 s apart; the time
# is from the engine's start (run=1, set once both guests wrote) to the
# first of those samples. Host memory: MemTotal - MemAvailable of L1,
# minus its value before the guests. Two guests, not more: this rig's L1
# crashes with three or more (docs/debugging.md).
. /tests/lib/l2.sh
K=/sys/kernel/mm/ksm
now() { cut -d' ' -f1 /proc/uptime; }
used_kib() { awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 } END { print t - a }' /proc/meminfo; }
base=$(used_kib)

# $1 label, $2 command that sets the engine running
phase() {
	local label=$1 start=$2 t0 s prev=() i steady= n=0 g
	for g in 1 2; do
		l2_boot "dd$g" same-data mem=256M kernel=$l2_host_test_kernel cmdline=ppr.idle=900 timeout=1200 || return 1
	done
	for g in 1 2; do l2_wait_line "dd$g" 'guest/same-data: written' 400 || return 1; done
	sleep 2
	local before=$(used_kib)
	t0=$(now)
	eval "$start"
	while [ $n -lt 900 ]; do
		sleep 1
		n=$((n + 1))
		s=$(cat $K/pages_sharing)
		prev+=("$s")
		[ ${#prev[@]} -gt 5 ] && prev=("${prev[@]:1}")
		if [ ${#prev[@]} = 5 ] && [ "$s" -gt 0 ]; then
			lo=${prev[0]} hi=${prev[0]}
			for i in "${prev[@]}"; do
				[ "$i" -lt "$lo" ] && lo=$i
				[ "$i" -gt "$hi" ] && hi=$i
			done
			if [ $(((hi - lo) * 100)) -le "$hi" ]; then
				steady=$(awk "BEGIN { print $(now) - $t0 - 4 }")
				break
			fi
		fi
	done
	echo "PPR-BENCH guests-dedup $label: steady state after ${steady:-never (900 s)} s;" \
		"pages_shared $(cat $K/pages_shared), pages_sharing $(cat $K/pages_sharing);" \
		"host memory for the 2 guests $(( ($(used_kib) - base) / 1024 )) MiB" \
		"(before merging $(( (before - base) / 1024 )) MiB)"
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
