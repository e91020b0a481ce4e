# Guest RAM in PageONE's scope (issue 5): hold ppr.duphold=MIB (default 16)
# of page cache whose pages are all the same ("ppr\n" repeated), for
# ppr.idle=SECS (default 60), then check that every byte is still there.
mib=16 secs=60
for w in $(cat /proc/cmdline); do
	case $w in
	ppr.duphold=*) mib=${w#*=} ;;
	ppr.idle=*) secs=${w#*=} ;;
	esac
done
yes ppr | head -c $((mib * 1024 * 1024)) >/tmp/dup || exit 1
sum=$(md5sum </tmp/dup)
echo "guest/dup-hold: holding $mib MiB of identical pages"
sleep "$secs"
if [ "$(md5sum </tmp/dup)" = "$sum" ] && [ "$(wc -c </tmp/dup)" -eq $((mib * 1024 * 1024)) ]; then
	echo "guest/dup-hold: contents intact"
else
	echo "guest/dup-hold: contents changed"
	exit 1
fi
