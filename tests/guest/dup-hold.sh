# Guest RAM in PageONE's scope: hold ppr.duphold=MIB (default 16) of page
# cache whose pages are all the same ("ppr\n" repeated) for ppr.idle=SECS
# (default 60), checking every 5 s that every byte is still there and
# saying so ("guest/dup-hold: intact after N s"), so that the host can see
# a check made after its merges and stop the guest then.
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
t=0
while [ $t -lt "$secs" ]; do
	sleep 5
	t=$((t + 5))
	if [ "$(md5sum </tmp/dup)" = "$sum" ] && [ "$(wc -c </tmp/dup)" -eq $((mib * 1024 * 1024)) ]; then
		echo "guest/dup-hold: intact after $t s"
	else
		echo "guest/dup-hold: contents changed after $t s"
		exit 1
	fi
done
