#!/usr/bin/env bash
# Build L1's emulator: Debian's QEMU (the qemu source package at the
# version in qemu/debian-source.version) with the patches in qemu/patches,
# x86_64 system emulation under TCG only, into build/qemu. tests/vm/run
# runs it for L1 whenever L1 runs under TCG; docs/debugging.md ("Several
# L2 guests in one L1") says why Debian's own binary cannot be used there. Inside L1, L2's QEMU runs on KVM and is Debian's, unchanged.
#
# Rebuilt only when the version or a patch changes (build/qemu/stamp);
# otherwise it returns at once. A first build takes about 3 minutes on
# 2 cores. Needs deb-src lines for Debian's archive, which
# scripts/install-deps.sh adds.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/qemu
want=$(cat "$top/qemu/debian-source.version")
patches=("$top"/qemu/patches/*.patch)
stamp="$want $(cat "${patches[@]}" | sha256sum | cut -c1-16)"
if [ -x "$out/bin/qemu-system-x86_64" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi
echo "build-qemu: building Debian's QEMU $want with ${#patches[@]} patch(es) from qemu/patches into build/qemu (about 3 minutes)"
rm -rf "$out"
mkdir -p "$out/src" "$out/bin"
cd "$out/src"
log=$out/build.log
# The pinned version while Debian's archive serves it, else the newest
# (the patches must then still apply, or the build stops here by name).
if ! apt-get source -q "qemu=$want" >"$log" 2>&1; then
	echo "build-qemu: qemu $want is not in the archive any more; trying the newest qemu source" >&2
	apt-get source -q qemu >>"$log" 2>&1 || {
		echo "build-qemu: apt-get source qemu failed (see $log): are deb-src lines configured? scripts/install-deps.sh adds them" >&2
		exit 1
	}
fi
dir=$(find . -maxdepth 1 -type d -name 'qemu-*' | head -n 1)
[ -n "$dir" ] || { echo "build-qemu: no qemu source tree after apt-get source (see $log)" >&2; exit 1; }
cd "$dir"
for p in "${patches[@]}"; do
	patch -p1 --forward --quiet <"$p" >>"$log" 2>&1 || {
		echo "build-qemu: $(basename "$p") does not apply to $(basename "$dir") (see $log): refresh it" >&2
		exit 1
	}
done
mkdir -p b
cd b
../configure --target-list=x86_64-softmmu --disable-kvm --without-default-features \
	--disable-docs --disable-tools --disable-werror --disable-install-blobs >>"$log" 2>&1 || {
	echo "build-qemu: configure failed (see $log)" >&2
	exit 1
}
ninja qemu-system-x86_64 >>"$log" 2>&1 || { echo "build-qemu: build failed (see $log)" >&2; exit 1; }
cp qemu-system-x86_64 "$out/bin/"
# The firmware (SeaBIOS, option ROMs) is Debian's, from the installed
# qemu-system-x86 and seabios packages.
cat >"$out/qemu-system-x86_64" <<'EOF'
#!/bin/sh
# Debian's QEMU with qemu/patches applied (scripts/build-qemu.sh).
exec "$(dirname "$0")/bin/qemu-system-x86_64" -L /usr/share/qemu -L /usr/share/seabios "$@"
EOF
chmod +x "$out/qemu-system-x86_64"
cd "$out"
rm -rf "$out/src"
echo "$stamp" >"$out/stamp"
echo "build-qemu: $("$out/qemu-system-x86_64" --version | head -n 1), patched: build/qemu/qemu-system-x86_64"
