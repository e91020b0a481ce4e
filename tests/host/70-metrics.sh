# pprctl status --prometheus and --output on a host running the module, a
# VM attached (tests/progs/ppr_metrics.c), and with the module unloaded:
# ppr_module_loaded 0 and exit status 0; the textfile collector's file is
# replaced whole. The format itself is checked, strictly, by make check's
# pprctl tests (tools/pprctl/promcheck.py).
# ppr-cost: 15 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
. /tests/lib/tap.sh
rc=0
modprobe ppr_pageone reclaim_period_ms=20 || exit 1
ppr_metrics || rc=1
mkdir -p /tmp/textfile
pprctl status --prometheus --output /tmp/textfile/ppr.prom
tap_with $? metrics/output-file-loaded "$(grep -c '' /tmp/textfile/ppr.prom) lines"
grep -qx 'ppr_module_loaded 1' /tmp/textfile/ppr.prom
tap $? metrics/output-file-says-loaded "$(grep ppr_module_loaded /tmp/textfile/ppr.prom)"
rmmod ppr_pageone || rc=1
out=$(pprctl status --prometheus)
st=$?
[ $st = 0 ] && echo "$out" | grep -qx 'ppr_module_loaded 0' && [ "$(echo "$out" | grep -vc '^#')" = 1 ]
tap $? metrics/module-unloaded "exit $st: $out"
pprctl status --prometheus --output /tmp/textfile/ppr.prom &&
	grep -qx 'ppr_module_loaded 0' /tmp/textfile/ppr.prom && [ "$(ls /tmp/textfile)" = ppr.prom ]
tap $? metrics/output-file-replaced "$(ls /tmp/textfile): $(grep ppr_module_loaded /tmp/textfile/ppr.prom)"
exit $rc
