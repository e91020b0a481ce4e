# Benchmark (reported, not asserted): host memory returned when a guest
# frees every other 4 KiB page of 128 MiB it wrote (tests/guest/scatter),
# within two reclaim periods of its frees, with guest RAM on 4 KiB host
# pages (THP never), and THP-backed (madvise, as QEMU asks) with
# thp_split_min_free 512 (only THPs freed whole: the recycler before the
# THP policy) and 256 (the default). khugepaged's max_ptes_none is 255
# (docs/recycler.md). Then the baseline PPR competes with: the same guest
# with virtio-balloon free page reporting and no PPR, THP never and
# madvise. One guest per setting, in one run.
# ppr-cost: 300 (seconds on lean on a normal day, and 3x is its budget)
. /tests/lib/l2.sh
V=/sys/kernel/mm/ppr_pageone/vms
period_ms=2000 mib=128
echo 255 >/sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_none

# one THP MIN_FREE: prints a PPR-BENCH line; 1 if the guest failed.
one() {
	local thp=$1 min=$2 name=scatter-$1-$2 out id before after p0 t0 r0 rc=0
	echo "$thp" >/sys/kernel/mm/transparent_hugepage/enabled
	modprobe ppr_pageone reclaim_period_ms=$period_ms thp_split_min_free=$min || return 1
	l2_start "$name" scatter mem=512M ivshmem=1M cmdline="ppr.scatter=$mib ppr.idle=30" timeout=600 || return 1
	out=$(l2_attach "$name") || { echo "$out"; l2_wait "$name"; return 1; }
	id=$(echo "$out" | sed -n 's/^attached vm \([0-9]*\):.*/\1/p')
	l2_wait_line "$name" 'scatter: written' 300 || { l2_wait "$name"; return 1; }
	before=$(l2_rss_kib "$name") r0=$(cat $V/$id/recycled_pages)
	l2_wait_line "$name" 'scatter: freed' 120 || { l2_wait "$name"; return 1; }
	p0=$(cat $V/$id/passes) t0=$(date +%s)
	# Two full periods after the frees: the pass under way may have read
	# the marks before they were set. 60 s bounds a slow pass.
	while [ "$(cat $V/$id/passes)" -lt $((p0 + 3)) ] && [ $(($(date +%s) - t0)) -lt 60 ]; do
		sleep 0.2
	done
	after=$(l2_rss_kib "$name")
	echo "PPR-BENCH thp-scatter: THP $thp, thp_split_min_free $min: freed $((mib / 2)) MiB," \
		"QEMU RSS $((before / 1024)) -> $((after / 1024)) MiB, returned $(((before - after) / 1024)) MiB" \
		"($(((before - after) * 100 / (mib * 512)))% of what was freed) within $(($(cat $V/$id/passes) - p0)) passes;" \
		"recycled $((($(cat $V/$id/recycled_pages) - r0) / 256)) MiB;" \
		"thp_splits $(cat $V/$id/thp_splits), skipped_thp_partial_pages $(cat $V/$id/skipped_thp_partial_pages)"
	l2_wait_line "$name" 'scatter: verified' 300 || rc=1
	l2_wait "$name" || rc=1
	rmmod ppr_pageone || rc=1
	return $rc
}

# one_fpr THP: the same guest with virtio-balloon free page reporting
# instead of PPR (no mark area), QEMU RSS 10 s after the frees (reporting
# waits 2 s, then reports free blocks of 2 MiB and more), and 10 s after
# the guest has freed the rest too.
one_fpr() {
	local thp=$1 name=scatter-fpr-$1 before after rc=0
	echo "$thp" >/sys/kernel/mm/transparent_hugepage/enabled
	l2_start "$name" scatter mem=512M cmdline="ppr.scatter=$mib ppr.idle=30" timeout=600 \
		-- -device virtio-balloon-pci,free-page-reporting=on || return 1
	l2_wait_line "$name" 'scatter: written' 300 || { l2_wait "$name"; return 1; }
	before=$(l2_rss_kib "$name")
	l2_wait_line "$name" 'scatter: freed' 120 || { l2_wait "$name"; return 1; }
	sleep 10
	after=$(l2_rss_kib "$name")
	# Then the guest frees the rest as well (whole 2 MiB blocks): what
	# reporting returns of that shows it works in this guest.
	l2_wait_line "$name" 'scatter: all freed' 300 || { l2_wait "$name"; return 1; }
	sleep 10
	echo "PPR-BENCH thp-scatter: THP $thp, free page reporting, no PPR: freed $((mib / 2)) MiB," \
		"QEMU RSS $((before / 1024)) -> $((after / 1024)) MiB, returned $(((before - after) / 1024)) MiB" \
		"($(((before - after) * 100 / (mib * 512)))% of what was freed) 10 s after the frees;" \
		"after the guest freed the other $((mib / 2)) MiB too: RSS $(($(l2_rss_kib "$name") / 1024)) MiB 10 s later"
	l2_wait "$name" || rc=1
	return $rc
}

rc=0
one never 256 || rc=1
one madvise 512 || rc=1
one madvise 256 || rc=1
one_fpr never || rc=1
one_fpr madvise || rc=1
exit $rc
