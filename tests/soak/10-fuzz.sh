# tests/host/59-fuzz for 10 minutes, seed from the clock (printed): the
# long pass of the mark-area, ioctl and sysfs fuzzer, on the debug flavour.
# ppr-cost: 660 (seconds on debug)
modprobe ppr_pageone reclaim_period_ms=10 || exit 1
rc=0
ppr_fuzz 600 || rc=1
dmesg | grep ppr_pageone | tail -n 5
rmmod ppr_pageone || rc=1
exit $rc
