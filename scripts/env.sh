# Toolchain discovery shared by the Makefile, bin/wasi-sockets-cc and the test runners.
# Source it (bash); it exports:
#   WSP_ROOT            the repository
#   WSP_CC              a clang that targets wasm32-wasip1
#   WSP_SYSROOT         a wasi-libc sysroot with wasm32-wasip1 (and, for the benchmark, wasm32-wasip2)
#   WSP_COMPONENT_LD    wasm-component-ld (links and adapts a preview 1 module into a component)
#   WSP_LIB             the built static library (wasm32-wasip1)
#   WSP_WRAP_OBJ        the wrappers of wasi-libc functions the library extends (wasm32-wasip1)
#   WSP_LIB_P2, WSP_WRAP_OBJ_P2  the same two for wasm32-wasip2
#   WSP_WASMTIME        the wasmtime binary
#   WSP_WASMTIME_VERSION  the wasmtime release the project pins (scripts/versions.sh)
# Users with wasi-sdk set WASI_SDK_PATH; otherwise the Debian toolchain `make setup` installs is
# used (clang-22 + Debian trixie's wasi-libc unpacked under .toolchain/).
WSP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export WSP_ROOT
# shellcheck source=versions.sh
. "$WSP_ROOT/scripts/versions.sh"
export WSP_WASMTIME_VERSION

if [ -n "${WASI_SDK_PATH:-}" ]; then
    : "${WSP_CC:=$WASI_SDK_PATH/bin/clang}"
    : "${WSP_SYSROOT:=$WASI_SDK_PATH/share/wasi-sysroot}"
else
    : "${WSP_CC:=$(command -v clang-22 || command -v clang || echo clang-22)}"
    : "${WSP_SYSROOT:=$WSP_ROOT/.toolchain/wasi-libc/usr}"
fi

# The host triple of a rustc (the `host:` line of `rustc -vV`): its toolchain keeps
# wasm-component-ld under lib/rustlib/<host>/bin.
wsp_host_triple() { "${1:-rustc}" -vV 2>/dev/null | sed -n 's/^host: //p'; }
wsp_find_component_ld() {  # the first that exists, asking each rustc only when needed
    local c
    for c in ${WASI_SDK_PATH:+"$WASI_SDK_PATH/bin/wasm-component-ld"} \
             "$(command -v wasm-component-ld 2>/dev/null || true)"; do
        if [ -n "$c" ] && [ -x "$c" ]; then echo "$c"; return; fi
    done
    c="$(rustc --print sysroot 2>/dev/null)/lib/rustlib/$(wsp_host_triple)/bin/wasm-component-ld"
    if [ -x "$c" ]; then echo "$c"; return; fi
    c="/usr/lib/rustlib/$(wsp_host_triple /usr/bin/rustc)/bin/wasm-component-ld"
    if [ -x "$c" ]; then echo "$c"; fi
}
: "${WSP_COMPONENT_LD:=$(wsp_find_component_ld)}"
: "${WSP_COMPONENT_LD:=wasm-component-ld}"
: "${WSP_LIB:=$WSP_ROOT/build/lib/libwasi_posix_sockets.a}"
# The wrappers of wasi-libc functions the library extends (csrc/), linked with --wrap.
: "${WSP_WRAP_OBJ:=$WSP_ROOT/build/lib/wasi_posix_sockets_wrap.o}"
: "${WSP_LIB_P2:=$WSP_ROOT/build/lib/wasm32-wasip2/libwasi_posix_sockets.a}"
: "${WSP_WRAP_OBJ_P2:=$WSP_ROOT/build/lib/wasm32-wasip2/wasi_posix_sockets_wrap.o}"
: "${WSP_WASMTIME:=$(command -v wasmtime 2>/dev/null || echo "$HOME/.cargo/bin/wasmtime")}"
export WSP_CC WSP_SYSROOT WSP_COMPONENT_LD WSP_LIB WSP_WRAP_OBJ WSP_LIB_P2 WSP_WRAP_OBJ_P2 WSP_WASMTIME
