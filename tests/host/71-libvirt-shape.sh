# A guest started the way libvirt starts one with the domain XML of
# docs/deploy.md (<shmem name='ppr-lv'> with model ivshmem-plain, 1 MiB):
# its area is a memory-backend-file "shmmem-shmem0" on /dev/shm/ppr-lv,
# shared, behind an ivshmem-plain "shmem0", and its -name is
# "guest=lv,debug-threads=on". pprctl attach, given only QEMU's pid, finds
# that area and that name. (The device is the one every guest test uses;
# its driver's announcement is theirs to check: this one stops the guest
# once attached.)
# ppr-cost: 20 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/l2.sh
. /tests/lib/tap.sh
rc=0
modprobe ppr_pageone reclaim_period_ms=1000 || exit 1
l2_start lv idle mem=256M cmdline=ppr.idle=300 timeout=600 -- \
	-name guest=lv,debug-threads=on \
	-object memory-backend-file,id=shmmem-shmem0,mem-path=/dev/shm/ppr-lv,size=1048576,share=yes \
	-device ivshmem-plain,id=shmem0,memdev=shmmem-shmem0 || exit 1
out=$(l2_attach lv find)
st=$?
echo "$out"
[ $st = 0 ] && echo "$out" | grep -q "name lv, area /dev/shm/ppr-lv"
tap_with $? libvirt/attach-finds-area-and-name "$out"
kill "$(l2_pid lv)" 2>/dev/null
l2_wait lv >/dev/null 2>&1
rmmod ppr_pageone || rc=1
exit $rc
