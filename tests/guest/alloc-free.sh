# Allocate and write 256 MiB, hold it 5 s, verify and free it, idle 8 s,
# verify nothing was lost: the host measures the VMM's RSS meanwhile.
# ppr.alloc=MIB,HOLD_MS,IDLE_MS overrides (default 256,5000,8000).
args=256,5000,8000
for w in $(cat /proc/cmdline); do
	case $w in ppr.alloc=*) args=${w#*=} ;; esac
done
set -- $(echo "$args" | tr ',' ' ')
ppr_churn "$1" 1 "$2" "$3" || exit 1
# Reuse after recycling, every byte checked. Small: under nested TCG every
# first touch of a recycled page is a costly fault through L1.
ppr_churn 32 1 100 0
