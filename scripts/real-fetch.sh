#!/usr/bin/env bash
# Fetch the sources of the real programs of issue 17 (curl, libevent, hiredis, mbedtls) from
# crates.io, where their -sys crates vendor the C code, into build/real/vendor (git-ignored), pinned
# by tests/real/Cargo.lock. Idempotent: does nothing when the vendored tree matches the lock file.
# Leaves stable links to each project's source under build/real/src/<project>.
#
#   scripts/real-fetch.sh          fetch if needed
#   scripts/real-fetch.sh --force  fetch again
set -euo pipefail
cd "$(dirname "$0")/.."
manifest=tests/real/Cargo.toml
lock=tests/real/Cargo.lock
out=build/real/vendor
stamp=$out/.lock-sha256
want=$(sha256sum "$lock" "$manifest" | sha256sum | cut -d' ' -f1)

# project -> crate directory (with --versioned-dirs) and the C source folder inside it
declare -A crate=(
    [curl]="curl-sys-0.4.91+curl-8.22.0/curl"
    [libevent]="libevent-sys-0.4.0/libevent"
    [hiredis]="hiredis-sys-0.4.1/source"
    [mbedtls]="mbedtls-sys-auto-2.28.15/vendor"
)

if [ "${1:-}" != --force ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi

echo "real-fetch: vendoring the sources pinned by $lock into $out"
rm -rf "$out.tmp"
mkdir -p build/real
# --locked: the lock file is the pin; a manifest change without a new lock fails here.
cargo vendor --quiet --versioned-dirs --locked --manifest-path "$manifest" "$out.tmp" > /dev/null
for p in "${!crate[@]}"; do
    if [ ! -d "$out.tmp/${crate[$p]}" ]; then
        echo "real-fetch: $out.tmp/${crate[$p]} is missing (did the pin change?)" >&2
        exit 1
    fi
done
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$want" > "$stamp"
mkdir -p build/real/src
for p in "${!crate[@]}"; do
    ln -sfn "../vendor/${crate[$p]}" "build/real/src/$p"
done
echo "real-fetch: ok ($(du -sh "$out" | cut -f1))"
