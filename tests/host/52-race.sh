# The race itself: a guest frees pages and writes them again soon
# after, over a pool of 512 pages, while the host recycles every 10 ms (the
# shortest period): a million times on lean, for 100 s on debug. Guest RAM
# on 4 KiB pages (THP off in L1), so that every marked page is a candidate.
# Zero lost writes; the host must have claimed pages.
# ppr-cost: 200 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/l2.sh
echo never >/sys/kernel/mm/transparent_hugepage/enabled
modprobe ppr_pageone reclaim_period_ms=10 work_threads=2 || exit 1
S=/sys/kernel/mm/ppr_pageone/stats
rc=0
# The guest runs the lean kernel (tests/lib/l2.sh); the subject is the
# host, with KASAN on in L1. A million rounds on the lean flavour. In the
# debug L1 each recycled page the guest writes again is a nested page fault
# of milliseconds, and the rate varies threefold from run to run (400,000
# rounds took 285 s; 150,000 took 246 s beside a CPU-bound loop): there the
# guest races for 100 s, however many rounds that is.
race=1000000,512,32,8
[ $ppr_debug = 1 ] && race=1000000,512,32,8,100
echo "# ppr.race=$race (ROUNDS,POOL,BATCH,DEPTH[,SECONDS])"
l2_start race race mem=256M ivshmem=1M cmdline=ppr.race=$race timeout=1500 || exit 1
l2_attach race || rc=1
l2_wait race || rc=1
echo "host: recycled $(cat $S/recycled_pages) pages, raced (guest unmarked first) $(cat $S/skipped_raced_pages), passes $(cat $S/passes)"
[ "$(cat $S/recycled_pages)" -gt 0 ] || { echo "the host recycled nothing: the race was not exercised"; rc=1; }
rmmod ppr_pageone || rc=1
exit $rc
