#!/usr/bin/env bash
# The layering rules a grep can keep (docs/ARCHITECTURE.md); clippy.toml keeps the rest (only
# src/wait/ blocks or makes budget-spending host calls). Run by `make lint`.
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
check() { # <rule> <pattern> <paths...>: no line in <paths> may match <pattern>
    local rule=$1 pattern=$2; shift 2
    local hits
    hits=$(grep -rnE "$pattern" "$@" --include='*.rs' | grep -vE '^\S+:[0-9]+:\s*//' || true)
    if [ -n "$hits" ]; then
        echo "layering: $rule"
        echo "$hits" | sed 's/^/  /'
        fail=1
    fi
}
check "src/abi/ decodes C and calls the core: it never calls WASI or preview 1 itself" \
    'bindings::|wasi::p1|\bp1::|crate::wasi\b' src/abi
check "src/abi/ reaches descriptors only through crate::ops (one door)" \
    'crate::(fd|socket|passthrough|tcp|udp|poll::wait)::' src/abi
check "src/net/ calls the core with Rust types: no C bytes, no C constants of its own" \
    'codec::|addr::encode|to_ne_bytes|const MSG_|const SHUT_' src/net
check "the core's C constants and structs are decoded in src/abi/ and src/codec/ only" \
    'repr\(C\)' src/ops src/tcp src/udp src/poll.rs src/fd.rs src/socket.rs src/passthrough src/inet.rs src/wait
check "only the waiting layer blocks or polls (clippy.toml enforces it too)" \
    '\.block\(\)|io::poll::\{?poll|wasi_poll' $(ls -d src/* | grep -v '^src/wait$')
exit $fail
