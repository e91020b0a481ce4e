# Hook cost and the unbind/bind cycle, in one boot:
#  - alloc/free pairs with the hooks on (driver bound), then off (unbound),
#    reported as cycles per pair, per hook operation and as a ratio;
#  - unbind turns the hooks off and the area inactive; bind again announces
#    the next epoch with the hooks on.
# ppr.bench_pairs=N sets the pairs per measurement (default 100000); 0 skips
# the measurements and keeps the unbind/bind check (tests/host/30's debug
# guest: the figure means nothing under KASAN, and each load of the
# benchmark module costs seconds there).
pairs=100000
for w in $(cat /proc/cmdline); do
	case $w in ppr.bench_pairs=*) pairs=${w#*=} ;; esac
done
S=/sys/kernel/mm/ppr_guest
ko=/lib/modules/ppr-tests/ppr_hook_bench.ko
dev=$(cat $S/area/device)
[ "$dev" != none ] || { echo "no area bound"; exit 1; }
epoch=$(cat $S/area/epoch)
bench() { # order pairs
	insmod $ko order=$1 pairs=$2 2>/dev/null
	dmesg | grep 'ppr_hook_bench: order='"$1"' ' | tail -n 1 | sed 's/.*cycles_per_pair=//'
}
fail=0
[ "$pairs" = 0 ] || for o in 0 3; do eval "on$o=\$(bench $o $pairs)"; done
echo "$dev" >/sys/bus/pci/drivers/ppr_guest/unbind || { echo "unbind failed"; exit 1; }
[ "$(cat $S/hooks)" = 0 ] || { echo "hooks still on after unbind"; fail=1; }
[ "$(cat $S/area/device)" = none ] || { echo "area still listed after unbind"; fail=1; }
[ "$pairs" = 0 ] || for o in 0 3; do eval "off$o=\$(bench $o $pairs)"; done
echo "$dev" >/sys/bus/pci/drivers/ppr_guest/bind || { echo "bind failed"; exit 1; }
[ "$(cat $S/hooks)" = 1 ] || { echo "hooks off after bind"; fail=1; }
[ "$(cat $S/area/active)" = 1 ] || { echo "area inactive after bind"; fail=1; }
[ "$(cat $S/area/epoch)" = $((epoch + 1)) ] ||
	{ echo "epoch $(cat $S/area/epoch) after bind, want $((epoch + 1))"; fail=1; }
[ "$pairs" = 0 ] && exit $fail
for o in 0 3; do
	eval "a=\$on$o b=\$off$o"
	[ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt 0 ] || { echo "benchmark printed nothing for order $o"; fail=1; continue; }
	echo "PPR-BENCH hooks order=$o cycles_per_pair on=$a off=$b per_hook_op=$(((a - b) / 2)) ratio=$(awk "BEGIN { printf \"%.2f\", $a / $b }")"
done
exit $fail
