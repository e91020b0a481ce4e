# PageONE's threads end mms beside each other's merges (ksm_thread_sem for
# read, each dropped item under its shard's lock) without losing track of
# any: 20 processes of 1 MiB of duplicate pages live a fraction of a
# second to a few seconds each and are replaced as they die, for 30 s,
# beside 4 that live throughout (their pages the others merge with),
# while passes run back to back on both work threads. Many mms then exit
# while a thread is in them or ends them. Afterwards every process is
# gone, and KSM must be left with nothing: no page shared, sharing or
# unshared, no rmap_item left (general_profit 0).
# Lockdep and KASAN (the debug flavour) watch the locking meanwhile.
# ppr-cost: 60 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/tap.sh
. /tests/lib/wait.sh
K=/sys/kernel/mm/ksm
O=/sys/kernel/mm/ppr_pageone/pageone
rc=0
N=24 LONG=4
trap 'kill $(cat /tmp/exits.pids 2>/dev/null) 2>/dev/null' EXIT

zero() { [ "$(cat $K/$1)" = 0 ]; }
settled() {
	zero pages_shared && zero pages_sharing && zero pages_unshared &&
		zero general_profit
}

echo 0 >$K/run
modprobe ppr_pageone merge_period_ms=10 || exit 1
# slot $1's process: dedup_load; in the first $LONG slots it lives to the
# end (its pages become the stable KSM pages the others merge with), in
# the others its own timer kills it after 0.3 to 6 s (spread over the
# slots and the births).
spawn() {
	local pid life=$(((born * 7 + $1 * 13) % 58 + 3))
	dedup_load 1 100 >/dev/null 2>&1 &
	pid=$!
	eval "p$1=$pid"
	[ "$1" -lt $LONG ] && return
	(sleep $((life / 10)).$((life % 10)); kill $pid 2>/dev/null) &
}
born=0
i=0
while [ $i -lt $N ]; do
	spawn $i
	i=$((i + 1))
	born=$i
done
s0=$(cat $O/slots_scanned) peak=0
end=$(($(cut -d. -f1 /proc/uptime) + 30))
while [ "$(cut -d. -f1 /proc/uptime)" -lt $end ]; do
	i=0
	while [ $i -lt $N ]; do
		eval "p=\$p$i"
		if ! kill -0 "$p" 2>/dev/null; then
			spawn $i
			born=$((born + 1))
		fi
		i=$((i + 1))
	done
	s=$(cat $K/pages_sharing)
	[ "$s" -gt $peak ] && peak=$s
	i=0
	: >/tmp/exits.pids
	while [ $i -lt $N ]; do eval "echo \$p$i" >>/tmp/exits.pids; i=$((i + 1)); done
	sleep 0.2
done
scanned=$(($(cat $O/slots_scanned) - s0))
echo "$born processes in 30 s; $scanned mms scanned to their end; pages_sharing peaked at $peak"
tap_with $([ $peak -gt 0 ]; echo $?) exits/merged-meanwhile "pages_sharing peaked at $peak"
kill $(cat /tmp/exits.pids) 2>/dev/null
wait 2>/dev/null
# Passes go on with no mm left; the last exits are freed by the next pass
# or between passes.
wait_for 300 settled
tap_with $? exits/nothing-left \
	"pages_shared $(cat $K/pages_shared) pages_sharing $(cat $K/pages_sharing) pages_unshared $(cat $K/pages_unshared) general_profit $(cat $K/general_profit) 30 s after the last exit"
echo 0 >$K/run
rmmod ppr_pageone || { echo "rmmod failed"; exit 1; }
exit $rc
