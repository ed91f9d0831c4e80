#!/usr/bin/env bash
# Regenerate src/netdb/services.txt, the library's built-in services database, from a services(5)
# file (default: /etc/services from Debian's netbase package). Keeps the TCP and UDP lines in file
# order, without comments; getservbyname/getservbyport search it in that order, as glibc's
# "files" backend searches /etc/services.
#   scripts/gen-services.sh [/etc/services]
set -euo pipefail
src=${1:-/etc/services}
out="$(dirname "$0")/../src/netdb/services.txt"
version=$(dpkg-query -W -f='${Version}' netbase 2>/dev/null || echo unknown)
{
    echo "# From $src (netbase $version): TCP and UDP entries. Regenerate with scripts/gen-services.sh."
    sed -e 's/#.*//' "$src" | awk 'NF >= 2 && $2 ~ /^[0-9]+\/(tcp|udp)$/ {
        line = $1 " " $2; for (i = 3; i <= NF; i++) line = line " " $i; print line }'
} > "$out"
echo "wrote $out ($(($(wc -l < "$out") - 1)) entries)"
