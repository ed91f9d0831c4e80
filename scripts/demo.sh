#!/usr/bin/env bash
# `make demo`: build examples/http_server.c with wasi-posix-sockets, run it under wasmtime, and
# talk to it from the host with curl.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=env.sh
. scripts/env.sh
mkdir -p build/examples
WASM=build/examples/http_server.wasm
echo "+ bin/wasi-sockets-cc -O2 examples/http_server.c -o $WASM"
bin/wasi-sockets-cc -O2 examples/http_server.c -o "$WASM"

LOG=$(mktemp)
echo "+ wasmtime run -S inherit-network $WASM 0 &"
"$WSP_WASMTIME" run -S inherit-network "$WASM" 0 > "$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 100); do grep -q listening "$LOG" && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*/' "$LOG") || { cat "$LOG"; exit 1; }
echo "server says: $(head -1 "$LOG")"
echo
echo "+ curl -si ${URL}hello"
curl -si "${URL}hello"
echo
echo "+ curl -s --data-binary @README.md ${URL}echo | cmp - README.md   (POST body echoed back)"
curl -s --data-binary @README.md "${URL}echo" | cmp - README.md && echo "identical ($(wc -c < README.md) bytes)"
echo
echo "+ curl -s ${URL}a ${URL}b ${URL}c   (three requests on one keep-alive connection)"
curl -s "${URL}a" "${URL}b" "${URL}c" | grep -o 'GET /[a-z]* from [0-9.:]*, request #[0-9]*'
echo
curl -s "${URL}quit" > /dev/null
wait $SERVER
echo "server log:"
sed 's/^/  /' "$LOG"
