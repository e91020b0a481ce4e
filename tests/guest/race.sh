# The recycle race from the guest side: ppr.race=PAGES,POOL,BATCH,DEPTH[,SECONDS]
# (default 1000000,512,32,8). Zero lost writes or the test fails.
args=1000000,512,32,8
for w in $(cat /proc/cmdline); do
	case $w in ppr.race=*) args=${w#*=} ;; esac
done
m0=$(cat /sys/kernel/mm/ppr_guest/unmark_missing)
ppr_race $(echo "$args" | tr ',' ' ')
rc=$?
echo "guest: $(($(cat /sys/kernel/mm/ppr_guest/unmark_missing) - m0)) pages found recycled by the host when reallocated"
exit $rc
