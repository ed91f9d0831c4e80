#!/usr/bin/env bash
# Build the Rust test guests (tests/rust: std programs for wasm32-wasip1 that use this crate) into
# build/rust/<name>.wasm, components ready for `wasmtime run -S inherit-network`.
#
# How a Rust program on wasm32-wasip1 is built and linked (the recipe the README gives users):
#   - std for wasm32-wasip1: rustup's target when installed; otherwise Debian's rustc-web builds
#     std from source (-Zbuild-std=std,panic_abort with RUSTC_BOOTSTRAP=1);
#   - the C library: the wasi-libc sysroot's libc.a and crt1-command.o (not Rust's self-contained
#     copy, which rustc-web lacks);
#   - the linker: wasm-component-ld, which links with wasm-ld and turns the preview 1 module into a
#     component (the crate imports wasi:sockets).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
out=build/rust
mkdir -p "$out"
export CARGO_TARGET_DIR=$WSP_ROOT/target/rust-guests
libdir=$WSP_SYSROOT/lib/wasm32-wasip1
wasm_ld=$(command -v wasm-ld-22 || command -v wasm-ld || echo wasm-ld)
export RUSTFLAGS="-C link-self-contained=no -L $libdir -C linker=$WSP_COMPONENT_LD \
 -C link-arg=--wasm-ld-path=$wasm_ld -C link-arg=$libdir/crt1-command.o"
if rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip1; then
    cargo=(cargo)
    build_std=()
else
    cargo=(env RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 /usr/bin/cargo)
    build_std=(-Zbuild-std=std,panic_abort)
fi
# One package at a time: `safe` must build the crate without its `libc` feature. The crate's
# rlib from each build is kept (build/rust/libwasi_posix_sockets-<pkg>.rlib) so the tests can
# check which C symbols each feature set defines.
for pkg in safe cabi; do
    "${cargo[@]}" build --release --manifest-path tests/rust/Cargo.toml -p "$pkg" \
        --target wasm32-wasip1 "${build_std[@]}" --message-format=json-render-diagnostics \
        > "$out/$pkg.json"
    rlib=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "wasi_posix_sockets":
        print(next(f for f in m["filenames"] if f.endswith(".rlib")))
' "$out/$pkg.json")
    cp "$rlib" "$out/libwasi_posix_sockets-$pkg.rlib"
    rm "$out/$pkg.json"
done
for bin in http_server client cabi; do
    cp "$CARGO_TARGET_DIR/wasm32-wasip1/release/$bin.wasm" "$out/$bin.wasm"
done
echo "built: $(cd "$out" && ls *.wasm | tr '\n' ' ')"
