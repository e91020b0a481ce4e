# Cross-skip: a guest (128 MiB) fills 8 MiB of page cache with duplicate
# pages and frees them. PageONE's passes (merge period 2 s) meet those
# pages marked free and leave them to the recycler (pageone/
# pages_skipped_free); the recycler (reclaim period 12 s, so that several
# passes see the marks first) takes them (stats/recycled_pages). Pages
# merged before the guest freed them are KSM pages, which the recycler
# counts in skipped_ksm_pages and leaves shared. How many merge first
# depends on timing and can be most of them, so the test asks the
# recycler for 512 of the 2,048 pages only. The guest's writes are slow
# while PageONE merges under them (each write to a merged page is a nested
# copy-on-write fault): 16 MiB took over 300 s in two clean-clone runs, so
# the test writes 8 MiB and waits up to 600 s.
# ppr-cost: 300 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/l2.sh
. /tests/lib/tap.sh
P=/sys/kernel/mm/ppr_pageone
rc=0
t0=$(cut -d. -f1 /proc/uptime)
at() { echo "at $(($(cut -d. -f1 /proc/uptime) - t0)) s: $*"; }
echo 0 >/sys/kernel/mm/ksm/run
# PageONE starts its 2 s passes once the guest has booted: scanning during
# the boot only slows the boot (a nested guest's faults on merged pages).
modprobe ppr_pageone reclaim_period_ms=12000 merge_period_ms=600000 || exit 1
l2_start xskip dup-free mem=128M ivshmem=1M cmdline=ppr.dupfree=8 timeout=850 || exit 1
l2_attach xskip || rc=1
at "attached"
l2_wait_line xskip 'guest/dup-free: writing' 300 || { l2_wait xskip; exit 1; }
at "the guest is writing"
echo 2000 >$P/merge_period_ms
skip0=$(cat $P/pageone/pages_skipped_free) rec0=$(cat $P/stats/recycled_pages)
l2_wait_line xskip 'guest/dup-free: wrote and freed' 600 || { l2_wait xskip; exit 1; }
at "the guest wrote and freed"
i=0
while [ $i -lt 300 ]; do
	skipped=$(($(cat $P/pageone/pages_skipped_free) - skip0))
	recycled=$(($(cat $P/stats/recycled_pages) - rec0))
	[ $skipped -gt 0 ] && [ $recycled -ge 512 ] && break
	sleep 0.1
	i=$((i + 1))
done
echo "after the guest freed 2048 pages of duplicates: PageONE skipped $skipped marked-free page visits;" \
	"the recycler took $recycled pages, skipped $(cat $P/stats/skipped_ksm_pages) KSM pages;" \
	"pages_sharing $(cat $P/pageone/pages_sharing)"
[ $skipped -gt 0 ]
tap $? pageone-cross-skip/dedup-skips-marked-free
[ $recycled -ge 512 ]
tap $? pageone-cross-skip/recycler-takes-them "$recycled pages"
kill "$(l2_pid xskip)" 2>/dev/null
l2_wait xskip >/dev/null 2>&1
rmmod ppr_pageone || rc=1
exit $rc
