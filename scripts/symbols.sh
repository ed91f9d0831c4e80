#!/usr/bin/env bash
# The C symbols libwasi_posix_sockets.a exports, against the checked-in snapshot
# tests/exported-symbols.txt (like wasi-libc's expected/*/defined-symbols.txt): a change to the
# exported ABI shows up in review. The wasm32-wasip2 build exports the same symbols plus
# P2_EXTRA (src/abi/wasip2.rs).
#   scripts/symbols.sh --check    fail if the archive differs from the snapshot
#   scripts/symbols.sh --update   rewrite the snapshot
set -euo pipefail
cd "$(dirname "$0")/.."
LIB=build/lib/libwasi_posix_sockets.a
LIB_P2=build/lib/wasm32-wasip2/libwasi_posix_sockets.a
P2_EXTRA=descriptor_table_get_ref
SNAP=tests/exported-symbols.txt
NM=$(command -v llvm-nm-22 || command -v llvm-nm)
exported() {
    "$NM" --defined-only --extern-only "$1" 2>/dev/null | awk '
    /:$/ { member = $0; next }
    NF == 3 && $2 ~ /^[TDBRW]$/ && $3 !~ /^(_ZN|_R)/ &&
        (member ~ /^wasi_posix_sockets-/ || $3 == "cabi_realloc") { print $3 }' | sort -u
}
current=$(exported "$LIB")
case "${1:---check}" in
    --update) printf '%s\n' "$current" > "$SNAP"; echo "wrote $SNAP ($(wc -l < "$SNAP") symbols)" ;;
    --check)
        if ! diff -u "$SNAP" <(printf '%s\n' "$current"); then
            echo "exported symbols changed; review, then run 'make symbols'" >&2
            exit 1
        fi
        if ! diff -u <(printf '%s\n' "$current" $P2_EXTRA | sort -u) <(exported "$LIB_P2"); then
            echo "the wasm32-wasip2 build exports other symbols than wasm32-wasip1's plus $P2_EXTRA" >&2
            exit 1
        fi
        echo "exported symbols match $SNAP ($(wc -l < "$SNAP") symbols; wasm32-wasip2: + $P2_EXTRA)" ;;
    *) echo "usage: $0 --check|--update" >&2; exit 2 ;;
esac
