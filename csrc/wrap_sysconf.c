/*
 * wasi-posix-sockets: sysconf(_SC_OPEN_MAX) answers the library's descriptor limit
 * (getrlimit(RLIMIT_NOFILE)); every other name goes to wasi-libc's own sysconf, which answers
 * -1 for this one (programs that size tables by it then fail at start).
 *
 * Linked by bin/wasi-sockets-cc (and the pkg-config file) with -Wl,--wrap=sysconf: calls to
 * sysconf reach __wrap_sysconf, and __real_sysconf is wasi-libc's.
 *
 * (wasi-libc's <sys/resource.h> refuses to compile without _WASI_EMULATED_PROCESS_CLOCKS, for
 * getrusage; this file needs only getrlimit, declared here with wasi-libc's layout.)
 */
#include <unistd.h>

struct wsp_rlimit {
    unsigned long long cur, max;
};
int getrlimit(int, struct wsp_rlimit *);
#define WSP_RLIMIT_NOFILE 7

long __real_sysconf(int);

long __wrap_sysconf(int name) {
    if (name == _SC_OPEN_MAX) {
        struct wsp_rlimit r;
        if (getrlimit(WSP_RLIMIT_NOFILE, &r) == 0) return (long)r.cur;
    }
    return __real_sysconf(name);
}
