#!/usr/bin/env bash
# Vendor the WASI 0.2 WIT files this library imports, from the wasmtime-wasi crate that matches the
# wasmtime release we test against, so `wit/deps` is reproducible and reviewable.
#
#   scripts/vendor-wit.sh           # (re)write wit/deps
#   scripts/vendor-wit.sh --check   # fail if wit/deps differs from the pinned source
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=versions.sh
. scripts/versions.sh
CRATE=wasmtime-wasi
VERSION=$WSP_WASMTIME_VERSION
FILES="cli clocks filesystem io random sockets"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=""
for reg in "$HOME"/.cargo/registry/src/*/"$CRATE-$VERSION"; do
    [ -d "$reg/src/p2/wit/deps" ] && src="$reg/src/p2/wit/deps"
done
if [ -z "$src" ]; then
    curl -fsSL "https://crates.io/api/v1/crates/$CRATE/$VERSION/download" -o "$tmp/crate.tar.gz"
    tar -xzf "$tmp/crate.tar.gz" -C "$tmp"
    src="$tmp/$CRATE-$VERSION/src/p2/wit/deps"
fi

if [ "${1:-}" = "--check" ]; then
    for f in $FILES; do
        diff -u "$src/$f.wit" "wit/deps/$f.wit" || { echo "wit/deps/$f.wit differs from $CRATE $VERSION" >&2; exit 1; }
    done
    echo "wit/deps matches $CRATE $VERSION"
    exit 0
fi
mkdir -p wit/deps
for f in $FILES; do cp "$src/$f.wit" "wit/deps/$f.wit"; done
echo "vendored $(echo $FILES | wc -w) WIT packages from $CRATE $VERSION into wit/deps"
