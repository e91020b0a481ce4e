# Deduplication across guests (issue 5): write the same ~38 MB file into
# the page cache as every other guest started with this script (each page
# different within the guest, equal across guests), then idle
# ppr.idle=SECS (default 600) for the host to merge.
secs=600
for w in $(cat /proc/cmdline); do
	case $w in ppr.idle=*) secs=${w#*=} ;; esac
done
seq 1 5000000 >/tmp/same || exit 1
echo "guest/same-data: written $(wc -c </tmp/same) bytes"
sleep "$secs"
