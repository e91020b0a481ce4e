# The upstream KSM selftests from the same kernel tree, as run_vmtests.sh
# runs them in its "ksm" category, each case reported as its own PPR-TAP
# line named PREFIX/CASE (through tests/lib/tap.sh, which it sources).
# Source it, then: ksm_selftests PREFIX
# Returns 1 if any case failed.
. /tests/lib/tap.sh

ksm_selftests() {
	local prefix=$1 fail=0 args st rc=0 verdict name
	[ -x /selftests/ksm_tests ] || { echo "selftests missing from the L1 image"; return 1; }
	cd /selftests || return 1
	# The ksm_numa cases need two NUMA nodes and skip here; -H and -P
	# only time merging.
	for args in "-M -p 10" "-U" "-Z -p 10 -z 0" "-Z -p 10 -z 1" "-N -m 1" "-N -m 0"; do
		echo "ksm_tests $args"
		timeout 300 ./ksm_tests $args
		st=$?
		case $st in
		0) tap_ok "$prefix/ksm_tests $args" ;;
		4) tap_skip "$prefix/ksm_tests $args" ;;
		*) tap_fail "$prefix/ksm_tests $args" "exit $st"; fail=1 ;;
		esac
	done
	echo "ksm_functional_tests"
	timeout 600 ./ksm_functional_tests >/tmp/ksm_functional.log 2>&1
	st=$?
	cat /tmp/ksm_functional.log
	# Relay each KTAP case; the binary's exit code is the verdict on the whole.
	sed -nE 's#^(ok|not ok) [0-9]+ (.*)$#\1|\2#p' /tmp/ksm_functional.log |
		while IFS='|' read -r verdict name; do
			if [ "$verdict" = ok ]; then
				tap_ok "$prefix/ksm_functional/$name"
			else
				tap_fail "$prefix/ksm_functional/$name"
			fi
		done
	case $st in 0 | 4) ;; *) fail=1 ;; esac
	echo 0 >/sys/kernel/mm/ksm/run
	cd / || return 1
	return $fail
}
