# Result lines for L1 tests. Source it:
#   . /tests/lib/tap.sh
#
#   tap STATUS NAME [DETAIL]
#       print "PPR-TAP ok - NAME" if STATUS is 0, else
#       "PPR-TAP not ok - NAME # DETAIL" and set rc=1 (the test's exit
#       status, which the caller initialises to 0).
tap() {
	if [ "$1" = 0 ]; then
		echo "PPR-TAP ok - $2"
	else
		echo "PPR-TAP not ok - $2${3:+ # $3}"
		rc=1
	fi
}
