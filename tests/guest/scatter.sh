# Write ppr.scatter=MIB (default 128), free every other page of it, hold
# the rest ppr.idle=SECS (default 30), check it (tests/progs/scatter_free).
mib=128 secs=30
for w in $(cat /proc/cmdline); do
	case $w in
	ppr.scatter=*) mib=${w#*=} ;;
	ppr.idle=*) secs=${w#*=} ;;
	esac
done
scatter_free "$mib" "$secs"
