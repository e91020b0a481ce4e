# The driver bound the area at boot; held pages are unmarked, freed pages
# marked (ppr_guest_marks), and L1 checks the same bits in
# its file while we hold the memory (ppr.hold_secs on the command line).
# ppr.marks_mib=HOLD,FREE: MiB held and MiB freed (default 64,200).
hold=0 sizes=64,200
for w in $(cat /proc/cmdline); do
	case $w in
	ppr.hold_secs=*) hold=${w#*=} ;;
	ppr.marks_mib=*) sizes=${w#*=} ;;
	esac
done
dmesg | grep ppr_guest
for f in /sys/kernel/mm/ppr_guest/area/* /sys/kernel/mm/ppr_guest/*; do
	[ -f "$f" ] && echo "${f#/sys/kernel/mm/ppr_guest/}: $(cat "$f")"
done
[ "$(cat /sys/kernel/mm/ppr_guest/area/active)" = 1 ] || { echo "area not active"; exit 1; }
[ "$(cat /sys/kernel/mm/ppr_guest/hooks)" = 1 ] || { echo "hooks off"; exit 1; }
ppr_guest_marks ${sizes%,*} ${sizes#*,} "$hold"
