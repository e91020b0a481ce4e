# Deduplication across guests: write the same file into the page
# cache as every other guest started with this script (each page different
# within the guest, equal across guests: tests/progs/numbered_pages),
# ppr.pages=N pages (default 9300: about 38 MB), then idle ppr.idle=SECS
# (default 600) for the host to merge.
secs=600 pages=9300
for w in $(cat /proc/cmdline); do
	case $w in
	ppr.idle=*) secs=${w#*=} ;;
	ppr.pages=*) pages=${w#*=} ;;
	esac
done
numbered_pages /tmp/same "$pages" || exit 1
echo "guest/same-data: written $(wc -c </tmp/same) bytes"
sleep "$secs"
