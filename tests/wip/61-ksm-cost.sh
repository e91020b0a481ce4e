# Where the upstream KSM selftests spend their time in this L1, with stock
# ksmd at its defaults and at pages_to_scan 10000 / sleep_millisecs 0:
# seconds per ksm_tests case and per ksm_functional_tests case. Asserts
# nothing.
now() { cut -d' ' -f1 /proc/uptime; }
K=/sys/kernel/mm/ksm
cd /selftests || exit 1
for speed in default fast; do
	if [ $speed = fast ]; then echo 0 >$K/sleep_millisecs; echo 10000 >$K/pages_to_scan; fi
	for args in "-M -p 10" "-U" "-Z -p 10 -z 0" "-Z -p 10 -z 1" "-N -m 1"; do
		t0=$(now)
		timeout 300 ./ksm_tests $args >/dev/null 2>&1
		echo "PPR-BENCH ksm-cost $speed ksm_tests '$args' rc=$? secs=$(awk "BEGIN { print $(now) - $t0 }")"
	done
	t0=$(now)
	timeout 900 ./ksm_functional_tests 2>&1 | while IFS= read -r l; do
		echo "$(awk "BEGIN { print $(now) - $t0 }") $l"
	done
	echo "PPR-BENCH ksm-cost $speed ksm_functional_tests secs=$(awk "BEGIN { print $(now) - $t0 }")"
	echo 0 >$K/run
done
echo 20 >$K/sleep_millisecs; echo 100 >$K/pages_to_scan
