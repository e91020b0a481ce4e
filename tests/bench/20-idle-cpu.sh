# Benchmark (reported, not asserted): daemon and worker CPU with
# idle attached guests, as a share of one CPU. Reference: 5%; goal < 0.1%.
# Eight guests of 256 MiB, booted one after the other and attached. The
# figure is also printed per guest.
. /tests/lib/l2.sh
S=/sys/kernel/mm/ppr_pageone/stats
n=8
modprobe ppr_pageone reclaim_period_ms=10000 || exit 1
for i in $(seq $n); do
	l2_boot "idle$i" idle mem=256M ivshmem=1M cmdline=ppr.idle=600 timeout=900 || exit 1
done
for i in $(seq $n); do l2_attach "idle$i" >/dev/null || exit 1; done
# Let the guests finish booting, then their boot-time frees be recycled.
for i in $(seq $n); do l2_wait_line "idle$i" 'guest/idle' 400 || exit 1; done
sleep 30
d0=$(cat $S/daemon_cpu_ns) w0=$(cat $S/worker_cpu_ns) t0=$(cut -d' ' -f1 /proc/uptime)
sleep 60
d1=$(cat $S/daemon_cpu_ns) w1=$(cat $S/worker_cpu_ns) t1=$(cut -d' ' -f1 /proc/uptime)
echo "PPR-BENCH idle cpu: $n guests attached, over $(awk "BEGIN { print $t1 - $t0 }") s: daemon $(awk "BEGIN { printf \"%.4f\", ($d1 - $d0) / 1e7 / ($t1 - $t0) }")% and workers $(awk "BEGIN { printf \"%.4f\", ($w1 - $w0) / 1e7 / ($t1 - $t0) }")% of one CPU, reclaim period 10 s; per guest: $(awk "BEGIN { printf \"%.4f\", ($d1 - $d0 + $w1 - $w0) / 1e7 / ($t1 - $t0) / $n }")%"
pprctl status | tail -n $((n + 2))
for i in $(seq $n); do kill "$(l2_pid "idle$i")" 2>/dev/null; done
sleep 1
rmmod ppr_pageone
