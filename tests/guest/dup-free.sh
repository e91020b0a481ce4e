# Cross-skip: fill ppr.dupfree=MIB (default 32) of page cache
# with duplicate pages (a 9-byte line repeated: 9 different page contents),
# free it at once, then idle 40 s for the host to look: PageONE must skip
# the freed duplicates (they are marked free) and the recycler take them.
mib=32
for w in $(cat /proc/cmdline); do
	case $w in ppr.dupfree=*) mib=${w#*=} ;; esac
done
# Long enough for the host's first recycle pass to take the boot's frees.
sleep 20
echo "guest/dup-free: writing"
yes abcdefgh | head -c $((mib * 1024 * 1024)) >/tmp/dup || exit 1
rm /tmp/dup
echo "guest/dup-free: wrote and freed $mib MiB of duplicates"
sleep 40
