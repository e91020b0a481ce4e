# tests/host/62-hibernate with the debug guest kernel (KASAN, lockdep,
# DEBUG_VM in the guest): the driver's PM callbacks (freeze, thaw,
# poweroff, restore) run with the guest's lock and memory checkers on.
# Fails on the test's own checks and on any splat in the guest's console
# (both boots). Every wait is four times longer than with the lean guest.
# ppr-cost: 1500 (seconds on debug)
. /tests/lib/l2.sh
. /tests/lib/tap.sh
rc=0
hib_kernel=$l2_guest_test_kernel hib_scale=4 sh /tests/host/62-hibernate.sh || rc=1
if grep -q -E 'WARNING:|BUG:|Oops|possible circular|inconsistent lock|sleeping function called' /tmp/l2-hib.log; then
	tap_fail hibernate-debug-guest/no-splat
	grep -n -E -A 30 'WARNING:|BUG:|Oops|possible circular|inconsistent lock|sleeping function called' /tmp/l2-hib.log | head -n 80 | sed 's/^/| /'
else
	tap_ok hibernate-debug-guest/no-splat "$(grep -c '^PPR-BOOT' /tmp/l2-hib.log) guest boots, debug kernel"
fi
exit $rc
