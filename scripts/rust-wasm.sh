#!/usr/bin/env bash
# Run cargo for wasm32-wasip1 *with std* (Rust guests, doctests, docs): the environment and flags
# a Rust std program needs here (see scripts/build-rust-guests.sh for why each is there).
#   scripts/rust-wasm.sh <cargo subcommand and arguments>
# The doctests run under wasmtime with network access.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
export CARGO_TARGET_DIR=$WSP_ROOT/target/rust-guests
libdir=$WSP_SYSROOT/lib/wasm32-wasip1
wasm_ld=$(command -v wasm-ld-22 || command -v wasm-ld || echo wasm-ld)
flags="-C link-self-contained=no -L $libdir -C linker=$WSP_COMPONENT_LD \
 -C link-arg=--wasm-ld-path=$wasm_ld -C link-arg=$libdir/crt1-command.o"
export RUSTFLAGS="$flags" RUSTDOCFLAGS="$flags ${EXTRA_RUSTDOCFLAGS:-}"
export CARGO_TARGET_WASM32_WASIP1_RUNNER="$WSP_WASMTIME run -S inherit-network"
if rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip1; then
    exec cargo "$@" --target wasm32-wasip1
else
    export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
    exec /usr/bin/cargo "$@" --target wasm32-wasip1 -Zbuild-std=std,panic_abort
fi
