# A memslot of this running guest deleted and created again, as a BAR moved
# or a device unplugged would: the memory decoding of a second ivshmem
# device (not the area; no driver binds it) turned off and on through its
# PCI COMMAND register, three times, in the middle of a verifying churn.
# At each removal the host stops the VM and writes a new nonce; the driver
# sees it and announces the next epoch. The churn must pass and the epoch
# must have moved at least three times.
S=/sys/kernel/mm/ppr_guest
dev=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/vendor):$(cat $d/device)" = 0x1af4:0x1110 ] || continue
	[ -e $d/driver ] && [ "$(basename "$(readlink $d/driver)")" = ppr_guest ] && continue
	dev=$d
done
[ -n "$dev" ] || { echo "memslot: no second ivshmem device"; exit 1; }
# Write the 16-bit COMMAND register (offset 4) in one access.
command_write() {
	printf "\\$(printf %03o $(($1 & 255)))\\$(printf %03o $(($1 >> 8)))" |
		dd of=$dev/config bs=2 seek=2 count=1 conv=notrunc 2>/dev/null
}
cmd=$(od -An -tu2 -j4 -N2 $dev/config | tr -d ' ')
[ $((cmd & 2)) = 2 ] || { echo "memslot: $dev has memory decoding off ($cmd)"; exit 1; }
e0=$(cat $S/area/epoch)
echo "memslot: churning in epoch $e0; toggling $dev (COMMAND $cmd)"
ppr_churn 8 24 200 200 >/tmp/churn.log 2>&1 &
churn=$!
for i in 1 2 3; do
	sleep 3
	command_write $((cmd & ~2))
	sleep 1
	command_write $cmd
	echo "memslot: toggle $i, epoch $(cat $S/area/epoch)"
done
# The last toggle's announcement comes with the driver's next counter work.
i=0
while [ "$(cat $S/area/epoch)" -lt $((e0 + 3)) ] && [ $i -lt 30 ]; do
	sleep 1; i=$((i + 1))
done
wait $churn
rc=$?
tail -n 3 /tmp/churn.log
e1=$(cat $S/area/epoch)
echo "memslot: epoch $e0 -> $e1, churn exit $rc"
[ $rc = 0 ] && [ "$e1" -ge $((e0 + 3)) ]
