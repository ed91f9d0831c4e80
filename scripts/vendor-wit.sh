#!/usr/bin/env bash
# Vendor the WASI WIT files from the wasmtime-wasi crate that matches the wasmtime release we test
# against, so they are reproducible and reviewable:
#   wit/deps                  WASI 0.2 (src/p2/wit/deps): what this library imports
#   bench/floor-p3/wit/deps   WASI 0.3 (src/p3/wit/deps): the benchmark's wasi:sockets 0.3 floor guest
#
#   scripts/vendor-wit.sh           # (re)write both
#   scripts/vendor-wit.sh --check   # fail if either differs from the pinned source
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=versions.sh
. scripts/versions.sh
CRATE=wasmtime-wasi
VERSION=$WSP_WASMTIME_VERSION
# <directory in the crate> <destination> <packages>
SETS=(
    "src/p2/wit/deps|wit/deps|cli clocks filesystem io random sockets"
    "src/p3/wit/deps|bench/floor-p3/wit/deps|cli clocks filesystem random sockets"
)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
crate=""
for reg in "$HOME"/.cargo/registry/src/*/"$CRATE-$VERSION"; do
    [ -d "$reg/src/p2/wit/deps" ] && crate="$reg"
done
if [ -z "$crate" ]; then
    curl -fsSL "https://crates.io/api/v1/crates/$CRATE/$VERSION/download" -o "$tmp/crate.tar.gz"
    tar -xzf "$tmp/crate.tar.gz" -C "$tmp"
    crate="$tmp/$CRATE-$VERSION"
fi

for set in "${SETS[@]}"; do
    IFS='|' read -r sub dest files <<<"$set"
    if [ "${1:-}" = "--check" ]; then
        for f in $files; do
            diff -u "$crate/$sub/$f.wit" "$dest/$f.wit" || { echo "$dest/$f.wit differs from $CRATE $VERSION" >&2; exit 1; }
        done
        echo "$dest matches $CRATE $VERSION"
    else
        mkdir -p "$dest"
        for f in $files; do cp "$crate/$sub/$f.wit" "$dest/$f.wit"; done
        echo "vendored $(echo $files | wc -w) WIT packages from $CRATE $VERSION ($sub) into $dest"
    fi
done
