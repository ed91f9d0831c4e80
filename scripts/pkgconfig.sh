#!/usr/bin/env bash
# Print the pkg-config file for the built library, with this checkout's absolute paths.
# Use: PKG_CONFIG_PATH=$PWD/build/lib/pkgconfig pkg-config --cflags --libs wasi-posix-sockets
set -euo pipefail
# shellcheck source=env.sh
. "$(dirname "$0")/env.sh"
cat <<PC
prefix=$WSP_ROOT
includedir=\${prefix}/include
libdir=\${prefix}/build/lib

Name: wasi-posix-sockets
Description: BSD sockets for wasm32-wasip1 guests on wasi:sockets 0.2 (compile with --target=wasm32-wasip1 --sysroot=$WSP_SYSROOT)
Version: 0.1.0
Cflags: -isystem \${includedir}
Libs: \${libdir}/libwasi_posix_sockets.a \${libdir}/wasi_posix_sockets_wrap.o -Wl,--wrap=sysconf -fuse-ld=$WSP_COMPONENT_LD -Wl,--export=cabi_realloc
PC
