# Reference-shaped churn with verification. Parameters from the command
# line: ppr.churn=ALLOC_MIB,ROUNDS,HOLD_MS,IDLE_MS[,SEED] (default 64,3,500,500).
# ROUNDS 0: until the host says stop (l2_start control=1, l2_tell).
args=64,3,500,500
for w in $(cat /proc/cmdline); do
	case $w in ppr.churn=*) args=${w#*=} ;; esac
done
exec ppr_churn $(echo "$args" | tr ',' ' ')
