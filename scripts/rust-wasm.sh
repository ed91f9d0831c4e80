#!/usr/bin/env bash
# The one place that knows how to run cargo for wasm32-wasip1 and wasm32-wasip2: the static
# library (the Makefile), Rust guests (scripts/build-rust-guests.sh), doctests, docs and wasm32
# clippy.
#
#   scripts/rust-wasm.sh [--target T] [--no-std] [--rustup] <cargo subcommand> <arguments>
#   scripts/rust-wasm.sh [--target T] --has-rustup-target    exit status 0 when rustup has T
#
#   --target   wasm32-wasip1 (the default) or wasm32-wasip2; the C library for a std program is
#              the sysroot's lib/<T> (on wasm32-wasip2 this crate's C symbols take the place of
#              wasi-libc's socket layer: docs/ARCHITECTURE.md, "Two targets")
#   --no-std   only core and alloc, no link flags: the no_std static library
#              (libwasi_posix_sockets.a). Without it: a Rust std program, linked as below.
#   --rustup   rustup's cargo even without its wasm target, building the standard library
#              from rustup's rust-src component (clippy: the same compiler as the host lint)
#
# The recipe (the README's "Using it from Rust" gives users the same):
#   - the standard library for wasm32-wasip1: rustup's target when installed (plain
#     `cargo ... --target "$target"`); otherwise Debian's rustc-web (`make setup` installs it)
#     builds it from source: RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 /usr/bin/cargo
#     -Zbuild-std=std,panic_abort (core,alloc for --no-std);
#   - a std program's C library: the wasi-libc sysroot's libc.a and crt1-command.o (not Rust's
#     self-contained copy, which rustc-web lacks);
#   - the linker: wasm-component-ld, which links with wasm-ld and turns the preview 1 module into
#     a component (the crate imports wasi:sockets).
# CARGO_TARGET_DIR defaults to target/rust-guests; WSP_RUSTFLAGS adds flags of the caller's
# (tokio's --cfg tokio_unstable) to a std program's. Tests (`cargo test`, doctests) run under
# wasmtime with network access.
set -euo pipefail
cd "$(dirname "$0")/.."

target=wasm32-wasip1
if [ "${1:-}" = --target ]; then
    target=${2:?--target needs a value}
    shift 2
fi
case "$target" in
    wasm32-wasip1|wasm32-wasip2) ;;
    *) echo "$0: unsupported target $target (wasm32-wasip1 or wasm32-wasip2)" >&2; exit 2 ;;
esac
has_target() { rustup target list --installed 2>/dev/null | grep -qx "$target"; }
if [ "${1:-}" = --has-rustup-target ]; then
    has_target
    exit
fi

build_std=std,panic_abort
rustup_only=
while [ $# -gt 0 ]; do
    case "$1" in
        --no-std) build_std=core,alloc; shift ;;
        --rustup) rustup_only=1; shift ;;
        *) break ;;
    esac
done
if [ $# -eq 0 ]; then
    echo "usage: $0 [--target T] [--no-std] [--rustup] <cargo subcommand> <arguments>" >&2
    exit 2
fi
sub=$1
shift

# shellcheck source=env.sh
source scripts/env.sh
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$WSP_ROOT/target/rust-guests}
if [ "$build_std" != core,alloc ]; then
    libdir=$WSP_SYSROOT/lib/$target
    wasm_ld=$(command -v wasm-ld-22 || command -v wasm-ld || echo wasm-ld)
    flags="-C link-self-contained=no -L $libdir -C linker=$WSP_COMPONENT_LD \
 -C link-arg=--wasm-ld-path=$wasm_ld -C link-arg=$libdir/crt1-command.o ${WSP_RUSTFLAGS:-}"
    export RUSTFLAGS="$flags" RUSTDOCFLAGS="$flags ${EXTRA_RUSTDOCFLAGS:-}"
    runner="CARGO_TARGET_$(echo "$target" | tr a-z- A-Z_)_RUNNER"
    export "$runner=$WSP_WASMTIME run -S inherit-network"
fi

# The target goes right after the subcommand: arguments after `--` belong to the tool.
if has_target; then
    exec cargo "$sub" --target "$target" "$@"
elif [ -n "$rustup_only" ]; then
    export RUSTC_BOOTSTRAP=1
    exec cargo "$sub" --target "$target" "-Zbuild-std=$build_std" "$@"
else
    export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
    exec /usr/bin/cargo "$sub" --target "$target" "-Zbuild-std=$build_std" "$@"
fi
