#!/usr/bin/env bash
# Build the Rust test guests (tests/rust: std programs for wasm32-wasip1 that use this crate) into
# build/rust/<name>.wasm, components ready for `wasmtime run -S inherit-network`.
# (scripts/rust-wasm.sh is the recipe: how std for wasm32-wasip1 is found or built, and how a
# Rust program is linked into a component.)
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/rust
mkdir -p "$out"
export CARGO_TARGET_DIR=$PWD/target/rust-guests
# One package at a time: `safe` must build the crate without its `libc` feature. The crate's
# rlib from each build is kept (build/rust/libwasi_posix_sockets-<pkg>.rlib) so the tests can
# check which C symbols each feature set defines.
for pkg in safe cabi; do
    scripts/rust-wasm.sh build --release --manifest-path tests/rust/Cargo.toml -p "$pkg" \
        --message-format=json-render-diagnostics > "$out/$pkg.json"
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
