#!/usr/bin/env bash
# Build the PPR kernel: unpack Debian's linux-source-6.12, overlay this
# repository's files, apply the patch series, configure a flavour from
# fragments and build bzImage plus modules.
#
# usage: kernel/build.sh FLAVOUR [EXTRA_FRAGMENT...]
#   FLAVOUR  lean | debug     (debug = lean + debug.config)
#
# Layout under build/ (ignored by git):
#   build/src/linux/          unpacked upstream tree with overlay and series
#   build/src/VERSION         exact upstream version and Debian package version
#   build/obj-FLAVOUR/        out-of-tree objects, .config, bzImage
#   build/obj-FLAVOUR/modroot modules_install output
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
flavour=${1:?usage: kernel/build.sh lean|debug [extra-fragment...]}
shift
extra=("$@")
build=$top/build
src=$build/src/linux
obj=$build/obj-$flavour
jobs=${JOBS:-$(($(nproc) + 1))}
pkg=linux-source-6.12

log() { printf 'kernel/build.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

case $flavour in
lean) fragments=(lean) ;;
debug) fragments=(lean debug) ;;
*) die "unknown flavour '$flavour' (expected lean or debug)" ;;
esac
fragments+=("${extra[@]}")

# 1. Upstream source. Re-unpacked whenever the installed package changes, so
#    the series is always tested against the 6.12.y that Debian serves now.
ensure_source() {
	local pkgver tarball
	if ! pkgver=$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) || [ -z "$pkgver" ]; then
		[ "$(id -u)" = 0 ] || die "$pkg is not installed; run: apt-get install $pkg"
		log "installing $pkg"
		apt-get install -y --no-install-recommends "$pkg" >/dev/null
		pkgver=$(dpkg-query -W -f='${Version}' "$pkg")
	fi
	tarball=/usr/src/$pkg.tar.xz
	[ -f "$tarball" ] || die "$tarball missing although $pkg $pkgver is installed"
	if [ -f "$build/src/PKGVERSION" ] && [ "$(cat "$build/src/PKGVERSION")" = "$pkgver" ] && [ -f "$src/Makefile" ]; then
		return
	fi
	log "unpacking $pkg $pkgver"
	rm -rf "$build/src"
	mkdir -p "$build/src.tmp"
	tar -C "$build/src.tmp" -xf "$tarball"
	mv "$build/src.tmp/$pkg" "$build/src.tmp/linux"
	mv "$build/src.tmp" "$build/src"
	echo "$pkgver" >"$build/src/PKGVERSION"
	# The objects of an older tree are useless now.
	rm -rf "$build"/obj-*
}

# 2. Overlay: repository folders that mirror kernel paths are copied into the
#    tree with their mtimes, so an unchanged file is not rebuilt.
overlay() {
	local d
	for d in mm include guest; do
		[ -d "$top/$d" ] || continue
		case $d in
		guest) rsync -a "$top/guest/" "$src/drivers/virt/ppr/" ;;
		*) rsync -a "$top/$d/" "$src/$d/" ;;
		esac
	done
}

# 3. The numbered series in kernel/patches, in the order of kernel/patches/series.
#    Applied copies are kept in the tree; on any change the old series is
#    reversed and the new one applied, so only touched files are rebuilt.
apply_series() {
	local applied=$src/.ppr-series new=$build/series.new p
	rm -rf "$new"
	mkdir -p "$new" "$applied"
	if [ -f "$top/kernel/patches/series" ]; then
		while read -r p; do
			case $p in '' | '#'*) continue ;; esac
			[ -f "$top/kernel/patches/$p" ] || die "series names $p but kernel/patches/$p does not exist"
			cp "$top/kernel/patches/$p" "$new/"
			echo "$p" >>"$new/series"
		done <"$top/kernel/patches/series"
	fi
	touch "$new/series"
	[ -f "$applied/series" ] || touch "$applied/series"
	if diff -qr "$applied" "$new" >/dev/null; then
		rm -rf "$new"
		return
	fi
	if [ -s "$applied/series" ]; then
		tac "$applied/series" | while read -r p; do
			log "reversing $p"
			patch -d "$src" -p1 -R -s --no-backup-if-mismatch <"$applied/$p" ||
				die "cannot reverse $p; remove build/src and rebuild"
		done
	fi
	rm -rf "$applied"
	mkdir -p "$applied"
	touch "$applied/series"
	while read -r p; do
		log "applying $p"
		patch -d "$src" -p1 -s -N --no-backup-if-mismatch <"$new/$p" ||
			die "$p does not apply to $(cat "$build/src/PKGVERSION"); refresh it against this tree"
		cp "$new/$p" "$applied/"
		echo "$p" >>"$applied/series"
	done <"$new/series"
	rm -rf "$new"
}

# 4. Configuration from fragments, redone only when a fragment changes.
configure() {
	local files=() f stamp
	for f in "${fragments[@]}"; do
		[ -f "$top/kernel/configs/$f.config" ] || die "no fragment kernel/configs/$f.config"
		files+=("$top/kernel/configs/$f.config")
	done
	stamp=$(cat "${files[@]}" "$build/src/PKGVERSION" | sha256sum | cut -d' ' -f1)
	if [ -f "$obj/.config" ] && [ "$(cat "$obj/.ppr-config-stamp" 2>/dev/null)" = "$stamp" ]; then
		return
	fi
	log "configuring $flavour from tinyconfig + ${fragments[*]}"
	mkdir -p "$obj"
	make -s -C "$src" O="$obj" tinyconfig >/dev/null
	KCONFIG_CONFIG=$obj/.config "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${files[@]}" >"$obj/merge_config.log"
	make -s -C "$src" O="$obj" olddefconfig >/dev/null
	check_config "${files[@]}"
	echo "$stamp" >"$obj/.ppr-config-stamp"
}

# Every symbol a fragment asks for must survive olddefconfig; Kconfig drops
# unmet dependencies without a word otherwise.
check_config() {
	local f line sym want got bad=0
	for f in "$@"; do
		while IFS= read -r line; do
			case $line in
			CONFIG_*=*) sym=${line%%=*} want=${line#*=} ;;
			*) continue ;;
			esac
			got=$(grep -E "^$sym=|^# $sym is not set" "$obj/.config" || true)
			case $want in
			n) [ -z "$got" ] || [ "$got" = "# $sym is not set" ] || { log "$sym: wanted n, got '$got'"; bad=1; } ;;
			*) [ "$got" = "$sym=$want" ] || { log "$sym: wanted $want, got '${got:-absent}' (${f##*/})"; bad=1; } ;;
			esac
		done <"$f"
	done
	[ $bad = 0 ] || die "config fragments not honoured (unmet dependencies?)"
}

build_kernel() {
	local cc=gcc
	command -v ccache >/dev/null && cc="ccache gcc"
	# Paths under the repository count as relative to it, so that a clean
	# clone in another folder (CI's) hits the cache the last build filled.
	export CCACHE_BASEDIR=$top CCACHE_NOHASHDIR=true
	log "building $flavour with -j$jobs (CC=$cc)"
	make -s -C "$src" O="$obj" -j"$jobs" CC="$cc" \
		KBUILD_BUILD_USER=ppr KBUILD_BUILD_HOST=ppr bzImage modules
	rm -rf "$obj/modroot"
	make -s -C "$src" O="$obj" INSTALL_MOD_PATH="$obj/modroot" INSTALL_MOD_STRIP=1 \
		DEPMOD=/sbin/depmod modules_install >/dev/null
	make -s --no-print-directory -C "$src" O="$obj" kernelrelease >"$obj/kernelrelease"
	{
		echo "upstream: $(make -s --no-print-directory -C "$src" kernelversion)"
		echo "debian-package: $pkg $(cat "$build/src/PKGVERSION")"
		echo "release: $(cat "$obj/kernelrelease")"
		echo "flavour: $flavour (${fragments[*]})"
		echo "series: $(grep -vc '^#' "$src/.ppr-series/series" 2>/dev/null || true) patches"
	} >"$obj/VERSION"
	log "built $(tr '\n' ';' <"$obj/VERSION")"
}

ensure_source
overlay
apply_series
configure
build_kernel
