#!/usr/bin/env bash
# Print the pkg-config file for the built library, with this checkout's absolute paths.
#   scripts/pkgconfig.sh                  wasi-posix-sockets.pc (wasm32-wasip1)
#   scripts/pkgconfig.sh wasm32-wasip2    wasi-posix-sockets-wasip2.pc
# Use: PKG_CONFIG_PATH=$PWD/build/lib/pkgconfig pkg-config --cflags --libs wasi-posix-sockets
set -euo pipefail
# shellcheck source=env.sh
. "$(dirname "$0")/env.sh"
target=${1:-wasm32-wasip1}
case "$target" in
    wasm32-wasip1) name=wasi-posix-sockets; libdir='${prefix}/build/lib' ;;
    wasm32-wasip2) name=wasi-posix-sockets-wasip2; libdir='${prefix}/build/lib/wasm32-wasip2' ;;
    *) echo "$0: unsupported target $target" >&2; exit 2 ;;
esac
cat <<PC
prefix=$WSP_ROOT
includedir=\${prefix}/include
libdir=$libdir

Name: $name
Description: BSD sockets for $target guests on wasi:sockets 0.2 (compile with --target=$target --sysroot=$WSP_SYSROOT)
Version: 0.1.0
Cflags: -isystem \${includedir}
Libs: \${libdir}/libwasi_posix_sockets.a \${libdir}/wasi_posix_sockets_wrap.o -Wl,--wrap=sysconf -fuse-ld=$WSP_COMPONENT_LD -Wl,--export=cabi_realloc
PC
