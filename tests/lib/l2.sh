# Helpers for L1 tests that run L2 guests under L1's KVM. Source it:
#   . /tests/lib/l2.sh
#
#   l2_start NAME TESTS [OPTIONS...] [-- QEMU-ARGS...]
#       boot guest NAME in the background, running TESTS (comma-separated
#       names from tests/guest) inside it. Options:
#         mem=SIZE       guest RAM (QEMU syntax; default 256M)
#         ivshmem=SIZE   add an ivshmem-plain device backed by /dev/shm/ppr-NAME
#         cmdline=WORDS  extra guest kernel command line
#         timeout=SECS   kill the guest after SECS (default 300)
#         reboot=1       let the guest reboot (default: QEMU exits on reboot)
#         initrd=FILE    guest initramfs (default /l2/l2.cpio)
#         kernel=FILE    guest kernel (default $l2_kernel: lean; a test of the
#                        guest side passes kernel=$l2_guest_test_kernel)
#         control=1      a second serial port, the guest's /dev/ttyS1, that
#                        l2_tell writes lines to
#       The console goes to /tmp/l2-NAME.log, QMP to /tmp/l2-NAME.qmp.
#   l2_wait NAME
#       wait for the guest to power off; relay its results as PPR-TAP lines
#       named l2/NAME/...; return 0 only if it ran to PPR-DONE with no failure.
#   l2_tell NAME WORDS
#       write the line WORDS to guest NAME's control port (control=1): a
#       workload started with ppr_churn ROUNDS 0 stops at the end of its
#       round. Fails after 10 s if QEMU does not take it.
#   l2_pid NAME      QEMU's pid;  l2_rss_kib NAME   its RSS in KiB

. /tests/lib/rig.sh

# The debug flavour (KASAN, lockdep) runs 3 to 10 times slower in nested
# TCG: tests size their workloads by $ppr_debug (1 there, 0 on lean).
ppr_debug=0
grep -q '^flavour: debug' /etc/ppr-kernel-version 2>/dev/null && ppr_debug=1

# Guest kernels. Most tests' subject is the host (the recycler, PageONE,
# KVM's memslots), which runs in L1 with KASAN, lockdep and kmemleak on; their
# guests run the lean kernel that make packs into the debug L1 as
# /l2/bzImage-lean: a debug guest boots ten times slower under nested TCG and
# tests nothing more of the host (docs/decisions.md). Tests of the guest side
# (its hooks and driver) boot L1's own flavour, $l2_guest_test_kernel. In a
# lean L1 both are its own kernel.
l2_guest_test_kernel=/l2/bzImage
l2_kernel=/l2/bzImage
[ ! -f /l2/bzImage-lean ] || l2_kernel=/l2/bzImage-lean

# The guests' console level: warnings and worse (so every splat shows), not
# the boot's info lines. Each console byte is an emulated port write, about
# 1 ms here: a full lean boot log (16 KB) took a guest 28 s to its init, 12 s
# at this level (docs/results.md). A test that needs a boot line passes its
# own loglevel= in cmdline=; `tests/vm/run --append ppr.l2_loglevel=7` gives
# every guest its full console (docs/debugging.md).
l2_loglevel=5
for w in $(cat /proc/cmdline); do
	case $w in ppr.l2_loglevel=*) l2_loglevel=${w#*=} ;; esac
done

l2_start() {
	local name=$1 tests=$2 mem=256M ivshmem= cmdline= tmo=300 noreboot=-no-reboot a
	local initrd=/l2/l2.cpio kernel=$l2_kernel control=
	shift 2
	while [ $# -gt 0 ]; do
		a=$1
		shift
		case $a in
		mem=*) mem=${a#mem=} ;;
		ivshmem=*) ivshmem=${a#ivshmem=} ;;
		cmdline=*) cmdline=${a#cmdline=} ;;
		timeout=*) tmo=${a#timeout=} ;;
		reboot=1) noreboot= ;;
		initrd=*) initrd=${a#initrd=} ;;
		kernel=*) kernel=${a#kernel=} ;;
		control=1) control=1 ;;
		--) break ;;
		*) echo "l2_start: unknown option '$a'" >&2; return 2 ;;
		esac
	done
	[ -c /dev/kvm ] || { echo "l2_start: /dev/kvm missing in L1" >&2; return 1; }
	set -- "$@"
	if [ -n "$ivshmem" ]; then
		set -- "$@" -object "memory-backend-file,id=ppr-area,share=on,mem-path=/dev/shm/ppr-$name,size=$ivshmem" \
			-device ivshmem-plain,memdev=ppr-area
	fi
	rm -f "/tmp/l2-$name.log" "/tmp/l2-$name.qmp" "/tmp/l2-$name.reset.log"
	rm -f "/tmp/l2-$name.ctl.in" "/tmp/l2-$name.ctl.out"
	if [ -n "$control" ]; then
		# QEMU opens both FIFOs read-write, so neither open blocks; the
		# guest's tty echo is off (ppr_churn makes the port raw).
		mkfifo "/tmp/l2-$name.ctl.in" "/tmp/l2-$name.ctl.out" || return 1
		set -- "$@" -chardev "pipe,id=ppr-ctl,path=/tmp/l2-$name.ctl" -device isa-serial,chardev=ppr-ctl
	fi
	rm -f "/tmp/l2-$name.stuck.log"
	echo "$kernel" >"/tmp/l2-$name.kernel"
	timeout -s KILL "$tmo" qemu-system-x86_64 -name "$name" -accel kvm -cpu host,-xsave,-la57 -m "$mem" -smp 1 \
		-nodefaults -display none $noreboot \
		-serial "file:/tmp/l2-$name.log" -d cpu_reset -D "/tmp/l2-$name.reset.log" \
		-qmp "unix:/tmp/l2-$name.qmp,server=on,wait=off" \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 loglevel=$l2_loglevel panic=-1 kunit.enable=0 rcupdate.rcu_cpu_stall_suppress=1 ppr.tests=$tests $cmdline" \
		"$@" >"/tmp/l2-$name.qemu.log" 2>&1 &
	echo $! >"/tmp/l2-$name.pid"
	# Ten seconds before the timeout kills it, a guest still running is
	# stuck: keep its vCPU and local APIC state for l2_wait to print.
	local tpid=$!
	(
		# By the clock: a loaded L1 runs "sleep 1" loops slower than time.
		end=$(($(cut -d. -f1 /proc/uptime) + (tmo > 20 ? tmo - 10 : tmo / 2)))
		while [ "$(cut -d. -f1 /proc/uptime)" -lt $end ] && kill -0 $tpid 2>/dev/null; do
			sleep 1
		done
		kill -0 $tpid 2>/dev/null && l2_diag "$name" >"/tmp/l2-$name.stuck.log" 2>&1
	) </dev/null >/dev/null 2>&1 &
	sleep 0.2
}

# l2_diag NAME: what guest NAME's vCPU is doing now: its registers, the
# kernel function its RIP is in (from the System.map of its kernel), and
# its local APIC (timer, pending and in-service interrupts). For a guest
# that stopped in boot: a vCPU halted with no timer armed and nothing
# pending lost an interrupt; one looping elsewhere is stuck in code.
l2_diag() {
	local q=/tmp/l2-$1.qmp map rip k
	k=$(cat "/tmp/l2-$1.kernel" 2>/dev/null)
	map=/l2/System.map
	[ "$k" = /l2/bzImage-lean ] && map=/l2/System.map-lean
	echo "l2/$1: vCPU state at $(cut -d' ' -f1 /proc/uptime) s of L1's uptime (kernel $k)"
	qmp "$q" '{"execute":"human-monitor-command","arguments":{"command-line":"info registers"}}' |
		sed 's/\\r\\n/\n/g' | sed 's/^/regs| /'
	rip=$(qmp "$q" '{"execute":"human-monitor-command","arguments":{"command-line":"info registers"}}' |
		sed -n 's/.*RIP=\([0-9a-f]*\).*/\1/p' | head -n 1)
	if [ -n "$rip" ] && [ -f "$map" ]; then
		# System.map is sorted; both are 16 lower-case hex digits.
		echo "RIP $rip is in: $(awk -v r="$(echo "$rip" | tr A-F a-f)" \
			'"" $1 <= "" r { best = $3 } END { print best }' "$map")"
	fi
	qmp "$q" '{"execute":"human-monitor-command","arguments":{"command-line":"info lapic"}}' |
		sed 's/\\r\\n/\n/g' | sed 's/^/lapic| /'
	qmp "$q" '{"execute":"human-monitor-command","arguments":{"command-line":"info irq"}}' |
		sed 's/\\r\\n/\n/g' | sed 's/^/irq| /' | head -n 20
}

# l2_boot NAME TESTS [OPTIONS...]: l2_start, then wait up to 180 s for the
# guest's init (PPR-BOOT). Under nested TCG a guest now and then hangs or
# resets in early boot whether or not ppr_pageone is loaded
# (docs/debugging.md); such a guest is restarted once, with a note on
# stdout. For benchmarks and the demo, which need guests, not for tests,
# where a guest that does not boot must show.
l2_boot() {
	local name=$1 try
	for try in 1 2; do
		l2_start "$@" || return 1
		l2_wait_line "$name" 'PPR-BOOT' 180 >/dev/null && return 0
		echo "l2/$name did not reach its init in 180 s (nested TCG, docs/debugging.md); $([ $try = 1 ] && echo restarting it || echo giving up)"
		kill "$(l2_pid "$name")" 2>/dev/null
		l2_wait "$name" >/dev/null
	done
	return 1
}

# Print the first kernel splat of guest NAME's console with its context.
l2_splat() {
	local n
	n=$(grep -n -m1 -E 'WARNING:|BUG:|Oops|watchdog: |rcu: INFO|detected stall|soft lockup|hard LOCKUP|Kernel panic' "/tmp/l2-$1.log" | cut -d: -f1)
	[ -n "$n" ] || return 0
	echo "l2/$1: kernel splat at console line $n:"
	sed -n "$((n > 5 ? n - 5 : 1)),$((n + 40))p" "/tmp/l2-$1.log" | sed 's/^/| /'
	# A report printed while another was being printed (lockdep on the
	# console lock inside a WARN) hides the first: name every report.
	grep -E 'WARNING: CPU|BUG: |kernel BUG at' "/tmp/l2-$1.log" | head -n 5 | sed 's/^/| report: /'
}

# QEMU's pid: busybox's timeout execs the command in its own process (the
# timer is a child), so the pid l2_start saved is QEMU's.
l2_pid() {
	cat "/tmp/l2-$1.pid"
}

l2_tell() {
	local name=$1
	shift
	[ -p "/tmp/l2-$name.ctl.in" ] || { echo "l2_tell: guest $name was not started with control=1" >&2; return 2; }
	timeout 10 sh -c 'echo "$1" >"$2"' - "$*" "/tmp/l2-$name.ctl.in" ||
		{ echo "l2_tell: guest $name's QEMU took no line in 10 s" >&2; return 1; }
}

l2_rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$(l2_pid "$1")/status"
}

l2_wait() {
	local name=$1 pid rc done
	pid=$(cat "/tmp/l2-$name.pid")
	wait "$pid" 2>/dev/null
	rc=$?
	sed -nE "s#^PPR-TAP (ok|not ok) - guest/#PPR-TAP \1 - l2/$name/#p" "/tmp/l2-$name.log"
	done=$(grep '^PPR-DONE' "/tmp/l2-$name.log" | tail -n 1)
	if [ -z "$done" ]; then
		echo "l2/$name did not run to completion (qemu rc=$rc)"
		l2_splat "$name"
		echo "l2/$name: last console lines:"
		tail -n 60 "/tmp/l2-$name.log" | sed 's/^/| /'
		sed 's/^/qemu: /' "/tmp/l2-$name.qemu.log"
		# QEMU logs the CPU state at every reset (-d cpu_reset): two at
		# start-up; a third means the guest reset (triple fault, reboot).
		echo "l2/$name: $(grep -c '^CPU Reset' "/tmp/l2-$name.reset.log" 2>/dev/null) CPU resets; the last:"
		awk '/^CPU Reset/ { n = 0 } { l[n++] = $0 } END { for (i = 0; i < n && i < 12; i++) print "reset| " l[i] }' \
			"/tmp/l2-$name.reset.log" 2>/dev/null
		[ ! -s "/tmp/l2-$name.stuck.log" ] || { echo "l2/$name was still running at its timeout:"; cat "/tmp/l2-$name.stuck.log"; }
		l2_rig_death "$name" "$pid" "$rc"
		return 1
	fi
	# The guest tests' own output, for the record.
	sed -n 's/^# /  /p' "/tmp/l2-$name.log"
	echo "l2/$name: $done"
	l2_splat "$name"
	case $done in *" failed=0 "*) return 0 ;; esac
	return 1
}

# l2_wait_line NAME REGEX SECS: wait until the guest's console shows REGEX.
l2_wait_line() {
	local end=$(($(cut -d. -f1 /proc/uptime) + $3))
	while ! grep -q -E "$2" "/tmp/l2-$1.log" 2>/dev/null; do
		# By the clock: a loaded L1 runs "sleep 0.1" loops slower than time.
		if [ "$(cut -d. -f1 /proc/uptime)" -ge $end ]; then
			echo "l2/$1: no line matching '$2' after $3 s"
			l2_diag "$1"
			return 1
		fi
		kill -0 "$(cat "/tmp/l2-$1.pid")" 2>/dev/null || { echo "l2/$1 exited before '$2'"; return 1; }
		# QEMU stops the guest on a KVM internal error and waits: no line comes.
		if grep -q 'KVM internal error' "/tmp/l2-$1.qemu.log" 2>/dev/null; then
			echo "l2/$1 stopped on a KVM internal error before '$2'"
			return 1
		fi
		sleep 0.1
	done
}

# l2_attach NAME [find]: attach guest NAME to ppr_pageone with pprctl once
# its QEMU has created its KVM VM and mapped its area /dev/shm/ppr-NAME (up
# to 120 s); prints pprctl's line. With "find", pprctl is given only the
# pid and finds the area itself, as an administrator's would.
l2_attach() {
	local pid i=0
	pid=$(l2_pid "$1")
	# QEMU creates its KVM VM before it maps its memory backends.
	while ! ls -l /proc/$pid/fd 2>/dev/null | grep -q 'anon_inode:kvm-vm' ||
	      ! grep -q "/dev/shm/ppr-$1\$" /proc/$pid/maps 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 1200 ] || { echo "l2/$1: QEMU (pid $pid) has no KVM VM or area after 120 s"; return 1; }
		kill -0 "$pid" 2>/dev/null || { echo "l2/$1: QEMU exited"; return 1; }
		sleep 0.1
	done
	if [ "$2" = find ]; then
		pprctl attach "$pid"
	else
		pprctl attach "$pid" --area "/dev/shm/ppr-$1"
	fi
}

# l2_regs NAME: guest NAME's vCPU registers now (QMP "info registers").
l2_regs() {
	qmp "/tmp/l2-$1.qmp" '{"execute":"human-monitor-command","arguments":{"command-line":"info registers"}}' |
		sed 's/\\r\\n/\n/g' | sed "s/^/regs| /"
}

# l2_stacks NAME: kernel stacks of guest NAME's QEMU threads and of the
# ppr_pageone threads (needs CONFIG_STACKTRACE: the debug flavour), for a
# test that finds a guest or the recycler stuck.
l2_stacks() {
	local t
	for t in /proc/"$(l2_pid "$1")"/task/* $(grep -l '^ppr_' /proc/[0-9]*/comm 2>/dev/null | sed 's#/comm$##'); do
		[ -r "$t/stack" ] || continue
		echo "stack of $(cat "$t/comm" 2>/dev/null) ($(basename "$t")), state $(awk '/^State/ { print $2 }' "$t/status" 2>/dev/null):"
		sed 's/^/  /' "$t/stack"
	done
}
