# Control for 50-recycle's THP-off guest reset: run the same guests as
# 50-recycle (512 MiB, ivshmem area, alloc-free of 256 MiB), THP madvise
# then never, three times each, with ppr_pageone NOT loaded. A reset here is
# not PPR's doing. Not part of make check: it asserts nothing about PPR.
. /tests/lib/l2.sh
rc=0
for round in 1 2 3; do
	for thp in madvise never; do
		echo "$thp" >/sys/kernel/mm/transparent_hugepage/enabled
		name=ctl-$thp-$round
		l2_start "$name" alloc-free mem=512M ivshmem=1M cmdline=ppr.alloc=256,5000,8000 timeout=600 || exit 1
		if l2_wait "$name" >/tmp/ctl.out 2>&1; then
			echo "PPR-TAP ok - control/$name"
		else
			grep -v '^| ' /tmp/ctl.out | head -5
			grep '^reset|' /tmp/ctl.out
			echo "PPR-TAP not ok - control/$name"
			rc=1
		fi
	done
done
exit $rc
