# Scope: the guest RAM of an attached VM whose VMM does not make it
# mergeable itself (QEMU with -machine mem-merge=off). merge_vm_ram is off
# by default, and then nothing of it is scanned; set on, the daemon marks
# each memslot's host range MADV_MERGEABLE before the next pass, counts
# what KSM can and cannot serve (the ivshmem area is a shared file
# mapping: cannot), and the guest's 16 MiB of identical pages merge; the
# guest then finds every byte of them intact (it checks every 5 s; the
# test waits for one check after the merges). Cleared again, and at rmmod,
# what the module marked is unmarked and unmerged: QEMU's choice stands.
# ppr-cost: 300 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/l2.sh
. /tests/lib/tap.sh
P=/sys/kernel/mm/ppr_pageone
rc=0
passes_after() { # wait for $1 more PageONE passes to end, up to 120 s
	local want=$(($(cat $P/pageone/passes_done) + $1)) i=0
	until [ "$(cat $P/pageone/passes_done)" -ge $want ]; do
		i=$((i + 1))
		[ $i -lt 1200 ] || { echo "fewer than $1 PageONE passes in 120 s"; return 1; }
		sleep 0.1
	done
}
# "mg" if the VMA of QEMU's guest RAM (128 MiB) is VM_MERGEABLE, else "-"
ram_vma_flag() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { sz = 0 } /^Size:/ { sz = $2 }
	     /^VmFlags:/ && sz >= 131072 { print (/ mg/ ? "mg" : "-"); exit }' /proc/$1/smaps
}
# KiB of KSM pages mapped in that VMA (smaps' KSM: line)
ram_vma_ksm_kb() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { sz = 0 } /^Size:/ { sz = $2 }
	     /^KSM:/ && sz >= 131072 { print $2; exit }' /proc/$1/smaps
}

modprobe ppr_pageone merge_period_ms=1000 || exit 1
tap_run pageone-vm-ram/off-by-default [ "$(cat $P/merge_vm_ram)" = 0 ]
# A process of L1's own with 4 MiB of MADV_MERGEABLE memory, so that
# PageONE has something to pass over while the guest's RAM is out of scope.
dedup_load 4 50 >/tmp/vmram-load.log &
load=$!
l2_start vmram dup-hold mem=128M ivshmem=1M \
	cmdline=ppr.idle=900 timeout=1000 -- -machine mem-merge=off || exit 1
l2_attach vmram || rc=1
l2_wait_line vmram 'guest/dup-hold: holding' 300 || { l2_wait vmram; exit 1; }
pid=$(l2_pid vmram)
vm=$P/vms/$(ls $P/vms | head -n 1)

# merge_vm_ram off: QEMU's choice stands.
passes_after 3 || rc=1
flag=$(ram_vma_flag $pid) merging=$(cat /proc/$pid/ksm_merging_pages)
echo "merge_vm_ram off: guest RAM VMA flag '$flag', QEMU's ksm_merging_pages $merging," \
	"ram_mergeable_pages $(cat $vm/ram_mergeable_pages)"
[ "$flag" = - ] && [ "$merging" -eq 0 ] && [ "$(cat $vm/ram_mergeable_pages)" -eq 0 ]
tap $? pageone-vm-ram/off-leaves-vm-ram "flag '$flag', $merging pages merging"

# merge_vm_ram on: made mergeable before the next pass, then merged.
pprctl set merge_vm_ram on || rc=1
i=0
while [ $i -lt 600 ]; do
	merging=$(cat /proc/$pid/ksm_merging_pages)
	[ "$merging" -ge 3072 ] && break
	sleep 0.1
	i=$((i + 1))
done
flag=$(ram_vma_flag $pid) ok=$(cat $vm/ram_mergeable_pages) not_ok=$(cat $vm/ram_unmergeable_pages)
fail=$(cat $vm/ram_merge_failures)
echo "merge_vm_ram on: guest RAM VMA flag '$flag', ram_mergeable_pages $ok," \
	"ram_unmergeable_pages $not_ok, ram_merge_failures $fail;" \
	"QEMU's ksm_merging_pages $merging, pages_sharing $(cat $P/pageone/pages_sharing)"
[ "$flag" = mg ]
tap $? pageone-vm-ram/on-marks-vm-ram "flag '$flag'"
# 128 MiB of RAM is 32,768 pages, most of it in memslots (the rest: the
# 640 KiB..1 MiB hole); the 1 MiB ivshmem BAR is 256 pages KSM cannot merge.
[ "$ok" -ge 30000 ] && [ "$not_ok" -ge 256 ] && [ "$fail" -eq 0 ]
tap $? pageone-vm-ram/on-counts-pages "$ok mergeable, $not_ok not, $fail failures"
# 4,096 identical pages: at least three quarters of them merged.
[ "$merging" -ge 3072 ]
tap $? pageone-vm-ram/on-merges-guest-pages "$merging pages merging"

# The guest checks its bytes every 5 s: one check after the merges above
# must find them intact; then the guest is stopped.
n=$(grep -c 'guest/dup-hold: intact' /tmp/l2-vmram.log)
i=0
while [ "$(grep -c 'guest/dup-hold: intact' /tmp/l2-vmram.log)" -le "$n" ] &&
      ! grep -q 'contents changed' /tmp/l2-vmram.log && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
! grep -q 'contents changed' /tmp/l2-vmram.log && [ "$(grep -c 'guest/dup-hold: intact' /tmp/l2-vmram.log)" -gt "$n" ]
tap $? pageone-vm-ram/guest-bytes-intact-after-merge "$(grep 'guest/dup-hold: [ci]' /tmp/l2-vmram.log | tail -n 1)"

# Cleared: unmarked and unmerged before the next pass.
pprctl set merge_vm_ram off || rc=1
passes_after 2 || rc=1
flag=$(ram_vma_flag $pid) merging=$(cat /proc/$pid/ksm_merging_pages)
[ "$flag" = - ] && [ "$merging" -eq 0 ]
tap $? pageone-vm-ram/cleared-undoes "flag '$flag', $merging pages merging after merge_vm_ram off"
# Set again, then rmmod with the guest running: undone at rmmod.
pprctl set merge_vm_ram on || rc=1
passes_after 2 || rc=1
flag=$(ram_vma_flag $pid)
tap_run pageone-vm-ram/set-again-marks [ "$flag" = mg ]
i=0
while [ "$(ram_vma_ksm_kb $pid)" -lt 4096 ] && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "set again: $(ram_vma_ksm_kb $pid) KiB of KSM pages in guest RAM"
rmmod ppr_pageone || rc=1
# ksmd does not run (run is back to 0) to drop the stale rmap_items, so
# ksm_merging_pages keeps its count; the mappings tell what is shared.
flag=$(ram_vma_flag $pid) ksm=$(ram_vma_ksm_kb $pid)
[ "$flag" = - ] && [ "$ksm" -eq 0 ]
tap $? pageone-vm-ram/rmmod-undoes "flag '$flag', $ksm KiB of KSM pages mapped after rmmod"
kill "$(l2_pid vmram)" 2>/dev/null
l2_wait vmram >/dev/null 2>&1
kill $load
wait $load 2>/dev/null
exit $rc
