# A memslot removal on a running guest (tests/guest/memslot.sh: a second
# ivshmem device's BAR switched off and on three times during a verifying
# churn): the host stops the VM at each removal and resumes it once the
# driver answers the new nonce with the next epoch; the churn passes, and
# recycling goes on after the last removal.
# ppr-cost: 120 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/l2.sh
. /tests/lib/tap.sh
modprobe ppr_pageone reclaim_period_ms=100 || exit 1
V=/sys/kernel/mm/ppr_pageone/vms
rc=0
l2_start mt memslot mem=256M ivshmem=1M timeout=600 -- \
	-object memory-backend-file,id=x2,share=on,mem-path=/dev/shm/ppr-mt-x2,size=1M \
	-device ivshmem-plain,memdev=x2,addr=0x10 || exit 1
out=$(l2_attach mt) || { echo "$out"; exit 1; }
echo "$out"
id=$(echo "$out" | sed -n 's/^attached vm \([0-9]*\):.*/\1/p')
l2_wait_line mt 'memslot: churning' 600 || { l2_wait mt; exit 1; }
m0=$(cat $V/$id/memslot_removals) e0=$(cat $V/$id/epoch)
l2_wait_line mt 'memslot: toggle 3' 300 || rc=1
i=0
while [ "$(cat $V/$id/epoch)" -lt $((e0 + 3)) ] && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
r0=$(cat $V/$id/recycled_pages)
i=0
while [ "$(cat $V/$id/recycled_pages)" = "$r0" ] && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
m1=$(cat $V/$id/memslot_removals) e1=$(cat $V/$id/epoch) st=$(cat $V/$id/state)
r1=$(cat $V/$id/recycled_pages)
echo "memslot removals $m0 -> $m1, epoch $e0 -> $e1, state $st, recycled $r0 -> $r1"
[ $((m1 - m0)) -ge 3 ] && [ "$e1" -ge $((e0 + 3)) ] && [ "$st" = active ] && [ "$r1" -gt "$r0" ]
tap $? memslot-live/active-again-after-removals
l2_wait mt || rc=1
rm -f /dev/shm/ppr-mt /dev/shm/ppr-mt-x2
rmmod ppr_pageone || rc=1
exit $rc
