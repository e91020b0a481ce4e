# The upstream KSM selftests from the same kernel tree, run in L1 against
# stock KSM (ksmd) as run_vmtests.sh runs them. This is the baseline PageONE
# must keep. Each case is reported as its own PPR-TAP line.
[ -x /selftests/ksm_tests ] || { echo "selftests missing from the L1 image"; exit 1; }
cd /selftests || exit 1
fail=0
report() { # name rc
	case $2 in
	0) echo "PPR-TAP ok - ksm/$1" ;;
	4) echo "PPR-TAP ok - ksm/$1 # SKIP" ;;
	*) echo "PPR-TAP not ok - ksm/$1 # exit $2"; fail=1 ;;
	esac
}
# The cases run_vmtests.sh runs in its "ksm" category (the ksm_numa ones need
# two NUMA nodes and skip here; -H and -P only time merging).
for args in "-M -p 10" "-U" "-Z -p 10 -z 0" "-Z -p 10 -z 1" "-N -m 1" "-N -m 0"; do
	echo "ksm_tests $args"
	timeout 300 ./ksm_tests $args
	report "ksm_tests $args" $?
done
echo "ksm_functional_tests"
timeout 600 ./ksm_functional_tests >/tmp/ksm_functional.log 2>&1
rc=$?
cat /tmp/ksm_functional.log
# Relay each KTAP case; the binary's exit code is the verdict on the whole.
sed -nE 's/^(ok|not ok) [0-9]+ (.*)$/PPR-TAP \1 - ksm_functional\/\2/p' /tmp/ksm_functional.log
case $rc in 0 | 4) ;; *) fail=1 ;; esac
echo 0 >/sys/kernel/mm/ksm/run
exit $fail
