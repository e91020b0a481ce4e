#!/usr/bin/env bash
# Build the initramfs images the test rig boots.
#
# usage: tests/vm/mkimages.sh FLAVOUR
#
#   build/images-FLAVOUR/l2.cpio   guest (L2): busybox, tests/guest, guest modules
#   build/images-FLAVOUR/l1.cpio   host (L1): busybox, tests/host, our modules and
#                                  tools, the upstream KSM selftests, QEMU with its
#                                  libraries and firmware, and the L2 kernel
#                                  (with its System.map, to name a stuck
#                                  guest's RIP) + l2.cpio
#                                  (debug: also the lean kernel as /l2/bzImage-lean
#                                  when build/obj-lean has one, for tests whose
#                                  subject is the host, see tests/host/55-lifetime)
#
# Both are uncompressed newc archives: the TCG-emulated L1 would spend longer
# decompressing than the bytes cost to load.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
flavour=${1:?usage: tests/vm/mkimages.sh lean|debug}
obj=$top/build/obj-$flavour
out=$top/build/images-$flavour
bzimage=$obj/arch/x86/boot/bzImage

die() { printf 'mkimages: error: %s\n' "$*" >&2; exit 1; }
[ -f "$bzimage" ] || die "no kernel at $bzimage; run: make kernel FLAVOUR=$flavour"
busybox=$(command -v busybox || true)
[ -n "$busybox" ] && file -L "$busybox" | grep -q 'statically linked' ||
	busybox=/bin/busybox
file -L "$busybox" | grep -q 'statically linked' || die "busybox is not static; apt-get install busybox-static"
qemu=$(command -v qemu-system-x86_64) || die "qemu-system-x86_64 missing; apt-get install qemu-system-x86"

mkdir -p "$out"

# Copy a dynamically linked program and every library it loads, keeping paths.
copy_with_libs() {
	local root=$1 bin=$2 lib
	install -D -m 0755 "$bin" "$root$bin"
	ldd "$bin" | awk '/=>/ { print $3 } /^[ \t]*\// { print $1 }' | while read -r lib; do
		[ -n "$lib" ] && [ -e "$lib" ] || continue
		install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
	done
}

base_root() {
	local root=$1 role=$2
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,run,etc,lib/modules,tests,usr/bin}
	cp "$busybox" "$root/bin/busybox"
	for applet in $("$busybox" --list); do
		[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
	done
	install -m 0755 "$top/tests/vm/init" "$root/init"
	echo "$role" >"$root/etc/ppr-role"
	cp -r "$top/tests/lib" "$root/tests/lib"
	if [ -d "$obj/modroot/lib/modules" ]; then
		cp -a "$obj/modroot/lib/modules/." "$root/lib/modules/"
	fi
	[ ! -d "$top/build/tools-$flavour/$role" ] || cp -a "$top/build/tools-$flavour/$role/." "$root/usr/bin/"
}

mkcpio() {
	(cd "$1" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$2.tmp"
	mv "$2.tmp" "$2"
}

# --- L2: the guest ---------------------------------------------------------
l2=$out/root-l2
base_root "$l2" guest
cp -r "$top/tests/guest" "$l2/tests/guest"
mkdir -p "$l2/lib/modules/ppr-tests"
cp "$top/build/kmod-$flavour"/*.ko "$l2/lib/modules/ppr-tests/" 2>/dev/null || true
mkcpio "$l2" "$out/l2.cpio"

# --- L1: the host ----------------------------------------------------------
l1=$out/root-l1
base_root "$l1" host
cp -r "$top/tests/host" "$l1/tests/host"
for d in demo bench soak rig; do
	[ ! -d "$top/tests/$d" ] || cp -r "$top/tests/$d" "$l1/tests/$d"
done
mkdir -p "$l1/l2" "$l1/selftests" "$l1/usr/share/qemu" "$l1/usr/share/seabios" "$l1/dev/shm"
cp "$bzimage" "$l1/l2/bzImage"
cp "$obj/System.map" "$l1/l2/System.map"
cp "$out/l2.cpio" "$l1/l2/l2.cpio"
lean_bz=$top/build/obj-lean/arch/x86/boot/bzImage
if [ "$flavour" = debug ] && [ -f "$lean_bz" ]; then
	cp "$lean_bz" "$l1/l2/bzImage-lean"
	cp "$top/build/obj-lean/System.map" "$l1/l2/System.map-lean"
fi
copy_with_libs "$l1" "$qemu"
ln -sf qemu-system-x86_64 "$l1/usr/bin/qemu"
for f in kvmvapic.bin linuxboot_dma.bin linuxboot.bin pvh.bin; do
	cp -L "/usr/share/qemu/$f" "$l1/usr/share/qemu/"
done
cp -L /usr/share/seabios/bios-256k.bin /usr/share/seabios/bios.bin "$l1/usr/share/seabios/"
ln -sf ../seabios/bios-256k.bin "$l1/usr/share/qemu/bios-256k.bin"
if [ -d "$top/build/selftests-$flavour" ]; then
	cp -a "$top/build/selftests-$flavour/." "$l1/selftests/"
fi
cp "$obj/VERSION" "$l1/etc/ppr-kernel-version"
mkcpio "$l1" "$out/l1.cpio"
printf 'mkimages: %s l1.cpio %s MiB, l2.cpio %s MiB\n' "$flavour" \
	$(($(stat -c %s "$out/l1.cpio") >> 20)) $(($(stat -c %s "$out/l2.cpio") >> 20)) >&2
