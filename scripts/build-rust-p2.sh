#!/usr/bin/env bash
# Build the wasm32-wasip2 Rust programs (tests/rust-p2: std::net and tokio, linked with this
# crate's C symbols in place of wasi-libc's socket layer) into build/rust-p2/<name>.wasm, and
# the same programs natively into build/rust-p2/native/<name> (the oracle of std::net's output);
# build/rust-p2/tokio_echo_wasi_libc.wasm is tokio_echo without the crate, for make bench.
# Crates come from crates.io, pinned by tests/rust-p2/Cargo.lock; builds are cached under
# target/rust-guests (wasm, beside the wasip1 guests: the host-side crates are shared) and
# target/rust-p2-native.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/rust-p2
mkdir -p "$out/native"
# tokio's networking on WASI is behind tokio_unstable.
# std refers to pthread_create (thread::spawn) and this wasi-libc has none: its emulation
# library (pthread_create answers EAGAIN) satisfies the link; nothing here spawns a thread.
export WSP_RUSTFLAGS="--cfg tokio_unstable -C link-arg=-lwasi-emulated-pthread"
CARGO_TARGET_DIR=$PWD/target/rust-guests scripts/rust-wasm.sh --target wasm32-wasip2 build --release \
    --locked --manifest-path tests/rust-p2/Cargo.toml
for bin in stdnet tokio_echo; do
    cp "target/rust-guests/wasm32-wasip2/release/$bin.wasm" "$out/$bin.wasm"
done
# make bench's peer: the same tokio program on wasi-libc's own sockets (without the crate).
CARGO_TARGET_DIR=$PWD/target/rust-guests scripts/rust-wasm.sh --target wasm32-wasip2 build --release \
    --locked --manifest-path tests/rust-p2/Cargo.toml -p tokio_echo --no-default-features
cp target/rust-guests/wasm32-wasip2/release/tokio_echo.wasm "$out/tokio_echo_wasi_libc.wasm"
CARGO_TARGET_DIR=$PWD/target/rust-p2-native cargo build --release --locked --quiet \
    --manifest-path tests/rust-p2/Cargo.toml -p stdnet
cp target/rust-p2-native/release/stdnet "$out/native/stdnet"
echo "built: $(cd "$out" && ls *.wasm | tr '\n' ' ') native/stdnet"
