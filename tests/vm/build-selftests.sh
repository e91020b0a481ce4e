#!/usr/bin/env bash
# Build the upstream KSM selftests from the same kernel tree, statically, for
# the L1 image: tools/testing/selftests/mm/{ksm_functional_tests,ksm_tests}.
# They are the contract a KSM replacement must keep.
#
# usage: tests/vm/build-selftests.sh FLAVOUR
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
flavour=${1:?usage: tests/vm/build-selftests.sh lean|debug}
src=$top/build/src/linux
obj=$top/build/obj-$flavour
out=$top/build/selftests-$flavour
mm=$src/tools/testing/selftests/mm
[ -f "$obj/.config" ] || { echo "build-selftests: no kernel in $obj" >&2; exit 1; }
make -s -C "$src" O="$obj" headers_install >/dev/null
mkdir -p "$out"
cflags=(-O2 -Wall -static -I "$src" -isystem "$obj/usr/include" -isystem "$src/tools/include/uapi"
	-I "$mm" -D_GNU_SOURCE)
gcc "${cflags[@]}" -o "$out/ksm_functional_tests" "$mm/ksm_functional_tests.c" "$mm/vm_util.c"
gcc "${cflags[@]}" -o "$out/ksm_tests" "$mm/ksm_tests.c" "$mm/vm_util.c" "$mm/thp_settings.c" -lnuma
echo "build-selftests: $(ls "$out" | tr '\n' ' ')in $out" >&2
