# L2 smoke: we are a KVM guest of L1, and the ivshmem-plain device (1af4:1110)
# is present with the BAR size L1 configured (ppr.expect_ivshmem=SIZE).
want=
for w in $(cat /proc/cmdline); do
	case $w in ppr.expect_ivshmem=*) want=${w#*=} ;; esac
done
grep -q -w hypervisor /proc/cpuinfo || { echo "no hypervisor flag: not running under KVM?"; exit 1; }
dmesg | grep -i -m 3 -E 'hypervisor detected|kvm-clock' || true
dev=
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = 0x1af4 ] && [ "$(cat "$d/device")" = 0x1110 ]; then
		dev=$d
	fi
done
if [ -z "$want" ]; then
	echo "no ivshmem device requested"
	exit 0
fi
[ -n "$dev" ] || { echo "no ivshmem-plain device (1af4:1110) on the PCI bus"; ls /sys/bus/pci/devices; exit 1; }
# BAR2 is the shared memory; line 3 of the resource file is BAR2.
set -- $(sed -n 3p "$dev/resource")
size=$(($2 - $1 + 1))
case $want in
*M) wantb=$((${want%M} << 20)) ;;
*K) wantb=$((${want%K} << 10)) ;;
*) wantb=$want ;;
esac
echo "ivshmem at ${dev##*/}, BAR2 $1 size $size"
[ "$size" = "$wantb" ] || { echo "BAR2 is $size bytes, expected $wantb"; exit 1; }
# Write a marker in the last 4 bytes of the BAR (past the mark area) with
# busybox devmem, so that L1 can check it at the end of the backing file:
# 0x21525050 is "PPR!" in little-endian bytes.
at=$(printf '0x%x' $(($1 + size - 4)))
devmem "$at" 32 0x21525050 || { echo "devmem write to BAR2 at $at failed"; exit 1; }
got=$(devmem "$at" 32)
[ "$((got))" = "$((0x21525050))" ] || { echo "BAR2 reads back $got after write"; exit 1; }
echo "marker written at $at"
