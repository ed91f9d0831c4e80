#!/usr/bin/env bash
# Build the real programs of issue 17 for wasm32-wasip1 (with bin/wasi-sockets-cc, through each
# project's own build system) and natively (gcc, the comparison baseline).
#
#   tests/real/build.sh [curl|libevent|hiredis|mbedtls|all] [wasm|native|both]
#   tests/real/build.sh libevent-autoconf    (libevent through ./configure --host=wasm32-wasip1)
#
# Sources come from scripts/real-fetch.sh (build/real/src/<project>). Each build goes to
# build/real/<project>/<kind>/ and is redone only when one of its inputs changed (the sources'
# pin, this script, tests/real/<project>/, and for wasm the library, bin/wasi-sockets-cc,
# include/ and cmake/); build/real/<project>/<kind>/build-seconds holds the time the last build
# took. Configuration choices, each with its reason, are commented at each project below.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
# shellcheck source=../../scripts/env.sh
. scripts/env.sh
scripts/real-fetch.sh

what=${1:-all}
kinds=${2:-both}
JOBS=${WSP_REAL_JOBS:-2}
CC_WASM=$root/bin/wasi-sockets-cc
TOOLCHAIN=$root/cmake/wasm32-wasip1.cmake
AR_WASM=$(command -v llvm-ar-22 || command -v llvm-ar)
NM_WASM=$(command -v llvm-nm-22 || command -v llvm-nm)

log() { echo "real-build: $*" >&2; }

# The hash of everything a build depends on.
inputs_key() {
    local project=$1 kind=$2
    {
        cat build/real/vendor/.lock-sha256
        sha256sum "$here/build.sh"
        find "$here/$project" -type f 2>/dev/null | sort | xargs -r sha256sum
        if [ "$kind" != native ]; then
            sha256sum "$WSP_LIB" bin/wasi-sockets-cc scripts/env.sh
            find include cmake -type f | sort | xargs sha256sum
        fi
    } | sha256sum | cut -d' ' -f1
}

# run_build PROJECT KIND: calls build_<project>_<kind> in a fresh build/real/PROJECT/KIND unless
# the stamp says it is up to date. The build's output goes to build.log there.
run_build() {
    local project=$1 kind=$2
    local out=build/real/$project/$kind
    local key
    key=$(inputs_key "$project" "$kind")
    if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$key" ]; then
        log "$project ($kind): up to date ($(cat "$out/build-seconds" 2>/dev/null || echo ?) s when built)"
        return 0
    fi
    log "$project ($kind): building in $out"
    rm -rf "$out"
    mkdir -p "$out"
    local start=$SECONDS
    local rc=0
    set +e
    (set -e; "build_${project}_${kind}" "$root/$out") > "$out/build.log" 2>&1
    rc=$?
    set -e
    if [ "$rc" != 0 ]; then
        log "$project ($kind): FAILED after $((SECONDS - start)) s; last lines of $out/build.log:"
        tail -25 "$out/build.log" >&2
        return 1
    fi
    echo $((SECONDS - start)) > "$out/build-seconds"
    echo "$key" > "$out/.stamp"
    log "$project ($kind): built in $(cat "$out/build-seconds") s"
}

# ---------------------------------------------------------------------------------------------
# curl 8.22: libcurl and the curl tool, CMake. Smallest honest configuration: HTTP only, no TLS,
# no compression, IDN, PSL, SSH or LDAP (none is installed for wasm; none is what is tested),
# the synchronous resolver (the threaded one needs threads), static. The crate ships no docs/
# folder: Perl (which would build the manual from it) and the examples are off.
CURL_OPTS=(-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON
    -DHTTP_ONLY=ON -DCURL_ENABLE_SSL=OFF -DCURL_USE_OPENSSL=OFF -DUSE_NGHTTP2=OFF
    -DUSE_LIBIDN2=OFF -DCURL_ZLIB=OFF -DCURL_BROTLI=OFF -DCURL_ZSTD=OFF -DCURL_USE_LIBSSH2=OFF
    -DCURL_USE_LIBPSL=OFF -DCURL_DISABLE_LDAP=ON -DENABLE_THREADED_RESOLVER=OFF
    -DBUILD_TESTING=OFF -DBUILD_EXAMPLES=OFF -DBUILD_LIBCURL_DOCS=OFF -DBUILD_MISC_DOCS=OFF
    -DENABLE_CURL_MANUAL=OFF -DCMAKE_DISABLE_FIND_PACKAGE_Perl=ON)
build_curl_wasm() {
    cmake -S build/real/src/curl -B "$1" -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" "${CURL_OPTS[@]}"
    cmake --build "$1" -j "$JOBS" --target curl
    cp "$1/src/curl.wasm" "$1/curl.wasm"
}
build_curl_native() {
    cmake -S build/real/src/curl -B "$1" "${CURL_OPTS[@]}"
    cmake --build "$1" -j "$JOBS" --target curl
    cp "$1/src/curl" "$1/curl"
}

# ---------------------------------------------------------------------------------------------
# libevent 2.1.12: the library and its regression suite (test/regress and test-*), CMake.
# Configuration: no OpenSSL, no threads (EVENT__DISABLE_THREAD_SUPPORT), no zlib (the regress
# suite's zlib test; there is no zlib for wasm here), no benchmarks or
# samples, static. For wasm also:
#   - EVENT__DISABLE_CLOCK_GETTIME: wasi-libc's clockid_t is a pointer and libevent keeps clock
#     ids in an int (evutil_time.c does not compile); libevent then uses gettimeofday().
#   - the test programs only: NO_FORKING (tinytest's switch; WASI has no fork), and
#     tests/real/libevent/wsp_libevent_compat.{h,c} (sys/wait.h, fork, kill, alarm, setitimer,
#     mkstemp as WASI allows; libevent's test/ calls them, its library does not).
#   - TEMPORARY stand-ins (tests/real/libevent/wsp_standins.c) for functions libevent calls
#     unconditionally that the library does not export yet (issue 15), each only while llvm-nm
#     does not find it in the library; their list goes to standins.txt beside the build.
LIBEVENT_OPTS=(-DCMAKE_BUILD_TYPE=Release -DEVENT__LIBRARY_TYPE=STATIC -DEVENT__DISABLE_OPENSSL=ON
    -DEVENT__DISABLE_THREAD_SUPPORT=ON -DEVENT__DISABLE_BENCHMARK=ON -DEVENT__DISABLE_SAMPLES=ON
    -DCMAKE_DISABLE_FIND_PACKAGE_ZLIB=ON)
# The test-only archive (compat + temporary stand-ins) into $1/libwsp_libevent_test.a.
make_libevent_compat() {
    local o=$1 c=$here/libevent defs=() standins=()
    # (nm's output to a file first: `nm | grep -q` under pipefail fails when grep stops early.)
    "$NM_WASM" -g --defined-only "$WSP_LIB" > "$o/lib-symbols.txt" 2>/dev/null || true
    for s in socketpair if_nametoindex dup dup2 gethostname; do
        if ! grep -q " [TW] $s\$" "$o/lib-symbols.txt"; then
            defs+=("-DWSP_STANDIN_$(echo "$s" | tr a-z A-Z)")
            standins+=("$s")
        fi
    done
    printf '%s\n' "${standins[@]}" > "$o/standins.txt"
    "$CC_WASM" -O2 -c -I"$c/compat" "$c/wsp_libevent_compat.c" -o "$o/wsp_compat.o"
    "$CC_WASM" -O2 -c "${defs[@]}" "$c/wsp_standins.c" -o "$o/wsp_standins.o"
    "$AR_WASM" rcs "$o/libwsp_libevent_test.a" "$o/wsp_compat.o" "$o/wsp_standins.o"
}
build_libevent_wasm() {
    local o=$1 c=$here/libevent
    make_libevent_compat "$o"
    # The compat archive goes on every link (CMAKE_C_STANDARD_LIBRARIES), after libevent's own
    # archives: it defines nothing the library or libevent define.
    cmake -S build/real/src/libevent -B "$o" -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" "${LIBEVENT_OPTS[@]}" \
        -DEVENT__DISABLE_CLOCK_GETTIME=ON \
        -DCMAKE_C_FLAGS="-DNO_FORKING -I$c/compat -include $c/wsp_libevent_compat.h" \
        -DCMAKE_C_STANDARD_LIBRARIES="$o/libwsp_libevent_test.a"
    cmake --build "$o" -j "$JOBS"
}
# The autoconf path (issue 17: `./configure --host=wasm32-wasip1` must work): libevent's own
# autogen.sh and configure in a copy of the sources, the libraries and six test-* programs (the
# regression suite is built through CMake above). Same configuration choices; configure's
# clock_gettime check has no switch, so its result is overridden (ac_cv_func_clock_gettime=no).
build_libevent_autoconf() {
    local o=$1
    cp -r build/real/src/libevent/. "$o/src"
    cd "$o/src"
    ./autogen.sh
    ./configure --host=wasm32-wasip1 CC="$CC_WASM" AR="$AR_WASM" RANLIB="${AR_WASM/-ar/-ranlib}" \
        --disable-shared --disable-openssl --disable-thread-support --disable-samples \
        --disable-libevent-regress --disable-debug-mode ac_cv_func_clock_gettime=no
    make -j "$JOBS"
    # The small test programs link the same test-only archive as the CMake build (the temporary
    # stand-ins: libevent's evutil_socketpair calls socketpair unconditionally).
    make_libevent_compat "$o"
    make -j "$JOBS" LIBS="$o/libwsp_libevent_test.a" test/test-init test/test-eof test/test-closed \
        test/test-weof test/test-time test/test-changelist
}
build_libevent_native() {
    cmake -S build/real/src/libevent -B "$1" "${LIBEVENT_OPTS[@]}"
    cmake --build "$1" -j "$JOBS"
}

# ---------------------------------------------------------------------------------------------
# hiredis (0.13, from hiredis-sys 0.4.1): its own Makefile in a copy of the sources (it builds in
# place): the static library, test.c (hiredis-test) and examples/example.c (hiredis-example).
# Static only (no shared objects on wasm); the archiver is llvm-ar for wasm objects.
build_hiredis_wasm() {
    cp -r build/real/src/hiredis/. "$1/src"
    make -C "$1/src" -j "$JOBS" CC="$CC_WASM" DEBUG= STLIB_MAKE_CMD="$AR_WASM rcs libhiredis.a" \
        hiredis-test hiredis-example
    cp "$1/src/hiredis-test" "$1/hiredis-test.wasm"
    cp "$1/src/examples/hiredis-example" "$1/hiredis-example.wasm"
}
build_hiredis_native() {
    cp -r build/real/src/hiredis/. "$1/src"
    make -C "$1/src" -j "$JOBS" CC=gcc DEBUG= hiredis-test hiredis-example
    cp "$1/src/hiredis-test" "$1/hiredis-test"
    cp "$1/src/examples/hiredis-example" "$1/hiredis-example"
}

# ---------------------------------------------------------------------------------------------
# mbedtls 2.28: the library and programs/ssl/{ssl_server2,ssl_client2,dtls_server,dtls_client},
# CMake, static, no tests. For wasm, mbedtls' porting switches through a user configuration file
# (tests/real/mbedtls/wsp_mbedtls_config.h: entropy from getentropy, timing from
# CLOCK_MONOTONIC, implemented in wsp_mbedtls_port.c), and -D__unix__, without which its
# net_sockets.c refuses to compile (clang defines no Unix macro for wasm32-wasi).
MBEDTLS_OPTS=(-DCMAKE_BUILD_TYPE=Release -DENABLE_TESTING=OFF -DENABLE_PROGRAMS=ON
    -DUSE_SHARED_MBEDTLS_LIBRARY=OFF -DUSE_STATIC_MBEDTLS_LIBRARY=ON -DMBEDTLS_FATAL_WARNINGS=OFF)
MBEDTLS_PROGRAMS=(ssl_server2 ssl_client2 dtls_server dtls_client)
build_mbedtls_wasm() {
    local o=$1 c=$here/mbedtls
    "$CC_WASM" -O2 -c -D__unix__ -DMBEDTLS_USER_CONFIG_FILE='"wsp_mbedtls_config.h"' -I"$c" \
        -Ibuild/real/src/mbedtls/include "$c/wsp_mbedtls_port.c" -o "$o/wsp_port.o"
    "$AR_WASM" rcs "$o/libwsp_mbedtls_port.a" "$o/wsp_port.o"
    # (CMAKE_C_FLAGS reach a shell through make: the quotes of the file name are quoted.)
    cmake -S build/real/src/mbedtls -B "$o" -DCMAKE_TOOLCHAIN_FILE="$TOOLCHAIN" "${MBEDTLS_OPTS[@]}" \
        -DCMAKE_C_FLAGS="-D__unix__ -DMBEDTLS_USER_CONFIG_FILE='\"wsp_mbedtls_config.h\"' -I$c" \
        -DCMAKE_C_STANDARD_LIBRARIES="$o/libwsp_mbedtls_port.a"
    cmake --build "$o" -j "$JOBS" --target "${MBEDTLS_PROGRAMS[@]}"
    for p in "${MBEDTLS_PROGRAMS[@]}"; do cp "$o/programs/ssl/$p.wasm" "$o/$p.wasm"; done
}
build_mbedtls_native() {
    cmake -S build/real/src/mbedtls -B "$1" "${MBEDTLS_OPTS[@]}"
    cmake --build "$1" -j "$JOBS" --target "${MBEDTLS_PROGRAMS[@]}"
    for p in "${MBEDTLS_PROGRAMS[@]}"; do cp "$1/programs/ssl/$p" "$1/$p"; done
}

# ---------------------------------------------------------------------------------------------
case "$what" in
    all) projects=(hiredis mbedtls curl libevent) ;;
    curl|libevent|hiredis|mbedtls) projects=("$what") ;;
    libevent-autoconf) projects=(libevent); kinds=autoconf ;;
    *) echo "usage: $0 [curl|libevent|hiredis|mbedtls|all] [wasm|native|both]" >&2; exit 2 ;;
esac
case "$kinds" in
    both) kinds=(native wasm) ;;
    wasm|native|autoconf) kinds=("$kinds") ;;
    *) echo "usage: $0 [project|all] [wasm|native|both]" >&2; exit 2 ;;
esac
if [[ " ${kinds[*]} " =~ " "(wasm|autoconf)" " ]] && [ ! -f "$WSP_LIB" ]; then
    echo "real-build: $WSP_LIB is missing: run 'make' first" >&2
    exit 1
fi
fail=0
for p in "${projects[@]}"; do
    for k in "${kinds[@]}"; do
        run_build "$p" "$k" || fail=1
    done
done
exit $fail
