# kmemleak_ours: scan for leaks now (debug flavour) and fail, printing the
# report, if any unreferenced object mentions ppr. Without kmemleak (the
# lean flavour) it says so and passes.
kmemleak_ours() {
	if [ ! -w /sys/kernel/debug/kmemleak ]; then
		echo "kmemleak: not in this kernel"
		return 0
	fi
	echo scan >/sys/kernel/debug/kmemleak
	if grep -q ppr /sys/kernel/debug/kmemleak; then
		echo "kmemleak reports:"
		cat /sys/kernel/debug/kmemleak
		return 1
	fi
	echo "kmemleak: nothing of ours"
}
