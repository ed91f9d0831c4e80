#!/usr/bin/env bash
# The C symbols libwasi_posix_sockets.a exports, against the checked-in snapshot
# tests/exported-symbols.txt (like wasi-libc's expected/*/defined-symbols.txt): a change to the
# exported ABI shows up in review.
#   scripts/symbols.sh --check    fail if the archive differs from the snapshot
#   scripts/symbols.sh --update   rewrite the snapshot
set -euo pipefail
cd "$(dirname "$0")/.."
LIB=build/lib/libwasi_posix_sockets.a
SNAP=tests/exported-symbols.txt
NM=$(command -v llvm-nm-22 || command -v llvm-nm)
current=$("$NM" --defined-only --extern-only "$LIB" 2>/dev/null | awk '
    /:$/ { member = $0; next }
    NF == 3 && $2 ~ /^[TDBRW]$/ && $3 !~ /^(_ZN|_R)/ &&
        (member ~ /^wasi_posix_sockets-/ || $3 == "cabi_realloc") { print $3 }' | sort -u)
case "${1:---check}" in
    --update) printf '%s\n' "$current" > "$SNAP"; echo "wrote $SNAP ($(wc -l < "$SNAP") symbols)" ;;
    --check)
        if ! diff -u "$SNAP" <(printf '%s\n' "$current"); then
            echo "exported symbols changed; review, then run 'make symbols'" >&2
            exit 1
        fi
        echo "exported symbols match $SNAP ($(wc -l < "$SNAP") symbols)" ;;
    *) echo "usage: $0 --check|--update" >&2; exit 2 ;;
esac
