# Deduplication across guests: write the same file into the page
# cache as every other guest started with this script (each page different
# within the guest, equal across guests): the numbers 1 to ppr.lines
# (default 5000000: about 38 MB), then idle ppr.idle=SECS (default 600)
# for the host to merge.
secs=600 lines=5000000
for w in $(cat /proc/cmdline); do
	case $w in
	ppr.idle=*) secs=${w#*=} ;;
	ppr.lines=*) lines=${w#*=} ;;
	esac
done
seq 1 "$lines" >/tmp/same || exit 1
echo "guest/same-data: written $(wc -c </tmp/same) bytes"
sleep "$secs"
