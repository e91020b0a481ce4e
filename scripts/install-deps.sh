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
	# L1's QEMU rebuilt from Debian's source with qemu/patches
	# (scripts/build-qemu.sh): fetching the source, and what building
	# x86_64 system emulation under TCG takes
	dpkg-dev meson ninja-build pkg-config libglib2.0-dev libpixman-1-dev libfdt-dev
)
# The kernel patches are refreshed against one version of
# linux-source-6.12, named in kernel/linux-source.version: that version is
# installed while Debian's archive has it, so that a new point release
# cannot break a build that passed (docs/decisions.md, "The kernel source
# is the version the series was refreshed against").
top=$(cd "$(dirname "$0")/.." && pwd)
want=$(cat "$top/kernel/linux-source.version")
srcpkg=linux-source-6.12
installed() { dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null | sed -n 's/^install ok installed //p'; }
missing=()
for p in "${pkgs[@]}"; do
	[ -n "$(installed "$p")" ] || missing+=("$p")
done
have=$(installed $srcpkg)
pin=0
[ -z "$have" ] || [ "$have" = "$want" ] || pin=1
# scripts/build-qemu.sh fetches QEMU's source with apt-get source, which
# needs deb-src lines; Debian 12's images ship only binary ones.
debsrc=/etc/apt/sources.list.d/ppr-deb-src.sources
src=0
grep -Eqs '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/* || src=1
[ ${#missing[@]} -gt 0 ] || [ $pin = 1 ] || [ $src = 1 ] || exit 0
sudo=
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo=sudo
	elif [ $src = 1 ]; then
		echo "install-deps: no deb-src lines in /etc/apt, which scripts/build-qemu.sh needs;" \
			"run this script as root once to add them (and any missing packages)" >&2
		exit 1
	elif [ ${#missing[@]} -eq 0 ]; then
		echo "install-deps: $srcpkg is $have, the patches were refreshed against $want;" \
			"not root, so building $have (run as root to install $want)" >&2
		exit 0
	else
		echo "install-deps: missing Debian packages: ${missing[*]}" >&2
		echo "install-deps: run as root: apt-get install ${missing[*]}" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
if [ $src = 1 ]; then
	echo "install-deps: adding Debian's source archive ($debsrc) for scripts/build-qemu.sh"
	printf '%s\n' "Types: deb-src" "URIs: http://deb.debian.org/debian" \
		"Suites: bookworm bookworm-updates" "Components: main" \
		"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" "" \
		"Types: deb-src" "URIs: http://deb.debian.org/debian-security" \
		"Suites: bookworm-security" "Components: main" \
		"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" |
		$sudo tee "$debsrc" >/dev/null
fi
$sudo apt-get update -qq
# linux-source-6.12 at the refreshed version if the archive has it.
if apt-cache madison $srcpkg | awk -v v="$want" '$3 == v { f = 1 } END { exit !f }'; then
	for i in "${!missing[@]}"; do
		[ "${missing[$i]}" != $srcpkg ] || missing[$i]=$srcpkg=$want
	done
	[ $pin = 0 ] || missing+=("$srcpkg=$want")
else
	newest=$(apt-cache policy $srcpkg | sed -n 's/^ *Candidate: //p')
	echo "install-deps: Debian's archive no longer has $srcpkg $want, the version" \
		"the patches were refreshed against; using ${have:-$newest}. If a patch" \
		"does not apply, refresh kernel/patches and kernel/linux-source.version" \
		"(docs/building.md)" >&2
fi
[ ${#missing[@]} -gt 0 ] || exit 0
echo "install-deps: installing ${missing[*]}"
case " ${missing[*]} " in *" $srcpkg"*) echo "install-deps: a first run also builds two kernels from scratch (about 15 minutes here) before its tests" ;; esac
$sudo apt-get install -y -qq --allow-downgrades --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
