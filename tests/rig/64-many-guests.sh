# Many guests in one L1 (the density issue's rig): ppr.guests=N guests
# (default 16) of 256 MiB with mark areas, started at once and attached
# (reclaim period 10 s), idle for ppr.idle_s=SECS (default 600). Checks
# that every guest booted, was recycled (its boot-time frees), did not
# reset and is still running at the end, and that L1 survived (the run
# reaches its last line).
# ppr.many_load=churn: each guest writes, checks and frees 96 MiB every
# 10 s instead of idling (nested page faults and recycling all the time).
# ppr.reclaim_ms=MS (default 10000), ppr.merge_ms=MS (default the module's).
# Prints one line per guest: boot time, recycled pages, RSS.
# ppr-timeout: 2400
. /tests/lib/l2.sh
. /tests/lib/tap.sh
n=16 idle=600 load=idle reclaim=10000 merge=
for w in $(cat /proc/cmdline); do
	case $w in
	ppr.guests=*) n=${w#*=} ;;
	ppr.idle_s=*) idle=${w#*=} ;;
	ppr.many_load=*) load=${w#*=} ;;
	ppr.reclaim_ms=*) reclaim=${w#*=} ;;
	ppr.merge_ms=*) merge=merge_period_ms=${w#*=} ;;
	esac
done
case $load in
idle) args="idle cmdline=ppr.idle=$((idle + 900))" ;;
churn) args="churn cmdline=ppr.churn=96,100000,500,10000,SEED" ;;
*) echo "64-many-guests: ppr.many_load is idle or churn, not '$load'"; exit 1 ;;
esac
V=/sys/kernel/mm/ppr_pageone/vms
modprobe ppr_pageone reclaim_period_ms=$reclaim $merge || exit 1
t0=$(cut -d. -f1 /proc/uptime)
for i in $(seq $n); do
	# reboot=1: a guest that resets (a triple fault) boots again, and its
	# console and reset log say so, where -no-reboot would only end QEMU.
	l2_start "g$i" ${args//SEED/$i} mem=256M ivshmem=1M \
		timeout=$((idle + 1200)) reboot=1 || exit 1
done
rc=0
for i in $(seq $n); do
	out=$(l2_attach "g$i") || { echo "$out"; rc=1; continue; }
	echo "$out" >"/tmp/g$i.attach"
done
booted=0
for i in $(seq $n); do
	if l2_wait_line "g$i" 'PPR-BOOT' 900 >/dev/null; then
		booted=$((booted + 1))
		echo "g$i booted at $(($(cut -d. -f1 /proc/uptime) - t0)) s"
	else
		tap_fail "many/g$i-booted"
		tail -n 25 "/tmp/l2-g$i.log" | sed 's/^/| /'
	fi
done
[ $booted = $n ]
tap_with $? many/booted "$booted of $n guests reached their init in $(($(cut -d. -f1 /proc/uptime) - t0)) s"
echo "idle for $idle s"
end=$(($(cut -d. -f1 /proc/uptime) + idle))
while [ "$(cut -d. -f1 /proc/uptime)" -lt $end ]; do
	sleep 10
done
alive=0 recycled=0 reset=0
for i in $(seq $n); do
	b=$(grep -c '^PPR-BOOT' "/tmp/l2-g$i.log")
	if [ "$b" -gt 1 ]; then
		reset=$((reset + 1))
		echo "g$i: booted $b times: it reset while idle; its console before its second boot:"
		awk '/^PPR-BOOT/ && ++n == 2 { exit } { l[NR % 40] = $0; last = NR }
			END { for (i = last - 39; i <= last; i++) if (i > 0) print "l2| " l[i % 40] }' \
			"/tmp/l2-g$i.log"
		echo "g$i: $(grep -c '^CPU Reset' "/tmp/l2-g$i.reset.log") CPU resets; the first after QEMU's two:"
		awk '/^CPU Reset/ { n++ } n == 3' "/tmp/l2-g$i.reset.log" | head -n 24 | sed 's/^/reset| /'
	fi
	id=$(sed -n 's/^attached vm \([0-9]*\):.*/\1/p' "/tmp/g$i.attach" 2>/dev/null)
	r=$(cat $V/$id/recycled_pages 2>/dev/null || echo 0)
	if kill -0 "$(l2_pid "g$i")" 2>/dev/null; then
		alive=$((alive + 1))
		[ "$r" -gt 0 ] && recycled=$((recycled + 1))
		echo "g$i: vm $id, state $(cat $V/$id/state 2>/dev/null), recycled $r pages, RSS $(l2_rss_kib "g$i") KiB"
	else
		echo "g$i: gone (vm $id, recycled $r pages)"
		l2_wait "g$i" | tail -n 30
	fi
done
[ $reset = 0 ]
tap_with $? many/no-guest-reset "$reset of $n guests reset while idle"
[ $alive = $n ]
tap_with $? many/all-running "$alive of $n guests running after $idle s idle"
[ $recycled = $n ]
tap_with $? many/all-recycled "$recycled of $n guests had pages recycled"
for i in $(seq $n); do kill "$(l2_pid "g$i")" 2>/dev/null; done
sleep 2
rm -f /dev/shm/ppr-g*
rmmod ppr_pageone || rc=1
tap_ok many/l1-survived "$n guests, $idle s idle"
exit $rc
