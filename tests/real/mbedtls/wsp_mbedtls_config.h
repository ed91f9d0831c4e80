/*
 * mbedtls 2.28 for wasm32-wasip1: the user configuration (MBEDTLS_USER_CONFIG_FILE) that
 * tests/real/build.sh gives mbedtls' own build. mbedtls' porting switches, no change to its code:
 *   - entropy from WASI's getentropy (random_get), through mbedtls' hardware-entropy hook, instead
 *     of its Unix source (getrandom syscall or fopen("/dev/urandom"), neither of which WASI has);
 *   - timing (DTLS retransmission timers) from clock_gettime(CLOCK_MONOTONIC), through
 *     MBEDTLS_TIMING_ALT, instead of its Unix timing.c, which needs alarm()/SIGALRM (wasi-libc has
 *     neither: WASI has no signal delivery).
 * Both are implemented in wsp_mbedtls_port.c. mbedtls' net_sockets.c additionally wants a Unix
 * platform macro (it #errors otherwise), so the build passes -D__unix__: with this library the
 * BSD socket calls it uses all exist.
 */
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_ENTROPY_HARDWARE_ALT
#define MBEDTLS_TIMING_ALT
