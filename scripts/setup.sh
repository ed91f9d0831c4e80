#!/usr/bin/env bash
# Install what building and testing need, on a fresh Debian 12 machine or an existing one.
# Idempotent: each step checks first and does nothing when its tool is already there.
#
#   Debian packages: clang-22, lld-22, llvm-22 (llvm-ar), the wasm32 compiler-rt builtins,
#                    curl, socat, netbase (/etc/services for the native oracle of the netdb test); and, when
#                    rustup has no wasm32-wasip1 target, rustc-web + cargo-web + rust-web-src
#                    (Debian's Rust, able to build core/alloc for wasm32 with -Zbuild-std).
#   wasi-libc:       Debian trixie's wasi-libc package (not bookworm's: see ../shared/TOOLCHAIN.md),
#                    unpacked under .toolchain/wasi-libc unless WASI_SDK_PATH points at a wasi-sdk.
#   wasmtime:        wasmtime-cli from crates.io when no `wasmtime` is on PATH (~12 min), at the
#                    version scripts/versions.sh pins (WASMTIME_VERSION=... overrides it).
#   real programs:   cmake, autoconf/automake/libtool and redis-server (Debian) to build and test
#                    curl, libevent, hiredis and mbedtls (tests/real/), whose sources
#                    scripts/real-fetch.sh vendors from crates.io into build/real/vendor.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=versions.sh
. scripts/versions.sh
WASMTIME_VERSION=${WASMTIME_VERSION:-$WSP_WASMTIME_VERSION}

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
rustup_has_wasm() { scripts/rust-wasm.sh --has-rustup-target; }

pkgs=()
if [ -z "${WASI_SDK_PATH:-}" ]; then
    for p in clang-22 lld-22 llvm-22 libclang-rt-22-dev-wasm32; do have_pkg "$p" || pkgs+=("$p"); done
fi
if ! rustup_has_wasm; then
    for p in rustc-web cargo-web rust-web-src; do have_pkg "$p" || pkgs+=("$p"); done
fi
for p in curl socat python3 pkg-config netbase cmake autoconf automake libtool redis-server; do have_pkg "$p" || pkgs+=("$p"); done
if [ ${#pkgs[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${pkgs[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${pkgs[@]}"
fi

# rustup's std sources: `make lint` runs clippy for wasm32 with -Zbuild-std on rustup's toolchain.
if ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
    echo "setup: adding rustup component rust-src"
    rustup component add rust-src
fi

if [ -z "${WASI_SDK_PATH:-}" ] && [ ! -f .toolchain/wasi-libc/usr/lib/wasm32-wasip1/libc.a ]; then
    echo "setup: fetching Debian trixie's wasi-libc sysroot into .toolchain/"
    mkdir -p .toolchain/apt/lists/partial .toolchain/apt/cache/archives/partial
    echo "deb http://deb.debian.org/debian trixie main" > .toolchain/apt/sources.list
    A=(-o "Dir::Etc::SourceList=$PWD/.toolchain/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
       -o "Dir::State::Lists=$PWD/.toolchain/apt/lists" -o "Dir::Cache=$PWD/.toolchain/apt/cache"
       -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
    apt-get "${A[@]}" update -q
    rm -f .toolchain/wasi-libc_*.deb
    (cd .toolchain && apt-get "${A[@]}" download wasi-libc)
    rm -rf .toolchain/wasi-libc
    dpkg -x .toolchain/wasi-libc_*.deb .toolchain/wasi-libc
fi

if ! command -v wasmtime >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/wasmtime" ]; then
    echo "setup: building wasmtime-cli $WASMTIME_VERSION from crates.io (about 12 minutes)"
    cargo install "wasmtime-cli@$WASMTIME_VERSION" --locked
fi

scripts/real-fetch.sh

# shellcheck source=env.sh
. scripts/env.sh
echo "setup: ok"
echo "  cc:        $WSP_CC ($("$WSP_CC" --version | head -1))"
echo "  sysroot:   $WSP_SYSROOT"
echo "  linker:    $WSP_COMPONENT_LD"
echo "  wasmtime:  $WSP_WASMTIME ($("$WSP_WASMTIME" --version))"
case "$("$WSP_WASMTIME" --version)" in
    *" $WSP_WASMTIME_VERSION"*) ;;
    *) echo "  note: the tests are run with wasmtime $WSP_WASMTIME_VERSION (scripts/versions.sh)" ;;
esac
