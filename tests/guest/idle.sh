# An idle guest: ppr.idle=SECS (default 60), then power off.
secs=60
for w in $(cat /proc/cmdline); do
	case $w in ppr.idle=*) secs=${w#*=} ;; esac
done
sleep "$secs"
