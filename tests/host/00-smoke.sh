# L1 smoke: the host kernel is ours, KVM works, stock KSM is there.
# ppr-cost: 5 (seconds on debug on a normal day: the split between L1s, and 3x is its budget)
set -e
uname -r | grep -q -- '-ppr' || { echo "kernel $(uname -r) is not a PPR build"; exit 1; }
[ -c /dev/kvm ] || { echo "/dev/kvm missing: KVM did not initialise (is SVM/VMX visible? grep -c svm /proc/cpuinfo: $(grep -c -w -e svm -e vmx /proc/cpuinfo))"; exit 1; }
dmesg | grep -i -E 'kvm|svm|vmx' | tail -n 5
[ -f /sys/kernel/mm/ksm/run ] || { echo "/sys/kernel/mm/ksm missing: CONFIG_KSM off?"; exit 1; }
v=$(qemu-system-x86_64 --version) || { echo "QEMU does not run in L1 (missing library?)"; exit 1; }
echo "$v" | head -n 1
echo "memory: $(grep MemTotal /proc/meminfo)"
