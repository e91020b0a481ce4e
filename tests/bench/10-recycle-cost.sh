# Benchmark (reported, not asserted): host CPU per recycled page,
# batched, next to MADV_DONTNEED on the same number of pages in the same run.
# Guest RAM on 4 KiB pages (THP off) so that both do page-level work.
. /tests/lib/l2.sh
S=/sys/kernel/mm/ppr_pageone/stats
echo never >/sys/kernel/mm/transparent_hugepage/enabled
mhz=$(awk -F: '/cpu MHz/ { print int($2); exit }' /proc/cpuinfo)
modprobe ppr_pageone reclaim_period_ms=1000 work_threads=1 || exit 1
l2_start cost alloc-free mem=512M ivshmem=1M cmdline=ppr.alloc=256,3000,6000 timeout=600 || exit 1
l2_attach cost || exit 1
l2_wait_line cost 'round 1: verified' 600 || exit 1
r0=$(cat $S/recycled_pages) w0=$(cat $S/worker_cpu_ns)
sleep 3
r1=$(cat $S/recycled_pages) w1=$(cat $S/worker_cpu_ns)
l2_wait cost
n=$((r1 - r0))
[ $n -gt 0 ] || { echo "nothing recycled in the window"; exit 1; }
ns=$(((w1 - w0) / n))
base=$(dontneed_bench 256 | sed -n 's/.* \([0-9]*\) ns per page.*/\1/p')
echo "PPR-BENCH recycle cost: $n pages, $ns ns/page of worker CPU (~$((ns * mhz / 1000)) cycles at $mhz MHz); MADV_DONTNEED $base ns/page (~$((base * mhz / 1000)) cycles); ratio $(awk "BEGIN { printf \"%.2f\", $ns / $base }")"
rmmod ppr_pageone
echo madvise >/sys/kernel/mm/transparent_hugepage/enabled
