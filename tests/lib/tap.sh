# Result lines for L1 tests: every PPR-TAP line a test prints of its own
# comes from here. Source it:
#   . /tests/lib/tap.sh
# A failing result sets rc=1: the test's exit status, which the caller
# initialises to 0 (in a function with "local rc", that local).
#
#   tap STATUS NAME [DETAIL]
#       print "PPR-TAP ok - NAME" if STATUS is 0, else
#       "PPR-TAP not ok - NAME # DETAIL" and set rc=1. The DETAIL says why
#       it failed and is not printed on success.
#   tap_with STATUS NAME DETAIL
#       as tap, but the DETAIL (a figure) is printed on success too.
#   tap_run NAME CMD [ARG...]
#       run CMD and report its exit status as tap does, with no detail.
#   tap_ok NAME [DETAIL]
#       print "PPR-TAP ok - NAME # DETAIL" (no " # " without DETAIL): a
#       pass with a figure worth keeping.
#   tap_fail NAME [DETAIL]
#       print "PPR-TAP not ok - NAME # DETAIL" and set rc=1.
#   tap_skip NAME REASON
#       print "PPR-TAP ok - NAME # SKIP REASON".
tap() {
	if [ "$1" = 0 ]; then
		tap_ok "$2"
	else
		tap_fail "$2" "$3"
	fi
}

tap_with() {
	if [ "$1" = 0 ]; then
		tap_ok "$2" "$3"
	else
		tap_fail "$2" "$3"
	fi
}

tap_run() {
	local tap_name=$1
	shift
	"$@"
	tap $? "$tap_name"
}

tap_ok() {
	echo "PPR-TAP ok - $1${2:+ # $2}"
}

tap_fail() {
	echo "PPR-TAP not ok - $1${2:+ # $2}"
	rc=1
}

tap_skip() {
	echo "PPR-TAP ok - $1 # SKIP${2:+ $2}"
}
