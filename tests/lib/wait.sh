# Waiting for a condition in an L1 test. Source it:
#   . /tests/lib/wait.sh
#
#   wait_for TENTHS CMD [ARG...]
#       run CMD every tenth of a second until it succeeds (status 0) or
#       TENTHS tenths of a second have passed (status 1).
wait_for() {
	local t=0 max=$1
	shift
	until "$@"; do
		[ $t -ge "$max" ] && return 1
		sleep 0.1
		t=$((t + 1))
	done
}
