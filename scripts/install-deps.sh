#!/usr/bin/env bash
# Install the Debian 12 packages the build, the VM rig and the demo need,
# if any is missing. Every make target that builds or boots runs it first
# (`make deps`), and so does CI (.ci/run): a fresh machine needs nothing
# installed by hand. With everything present it only asks dpkg, in well
# under a second.
#
# Needs root or sudo to install; otherwise it names what is missing and
# the command that installs it, and fails.
set -euo pipefail
pkgs=(
	# the kernel: Debian's 6.12 source and what building it takes
	linux-source-6.12 build-essential bc bison flex libelf-dev libssl-dev
	dwarves cpio kmod xz-utils rsync ccache file perl patch
	# the rig: QEMU for L1 (and inside it for L2), SeaBIOS, the initramfs'
	# busybox, the static libnuma the upstream KSM selftests link
	qemu-system-x86 seabios busybox-static libnuma-dev python3
	# make demo: its plot of host memory over time
	gnuplot-nox
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0
sudo=
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo=sudo
	else
		echo "install-deps: missing Debian packages: ${missing[*]}" >&2
		echo "install-deps: run as root: apt-get install ${missing[*]}" >&2
		exit 1
	fi
fi
echo "install-deps: installing ${missing[*]}"
echo "install-deps: a first run also builds two kernels from scratch (about 15 minutes here) before its tests"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
