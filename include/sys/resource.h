/*
 * wasi-posix-sockets: <sys/resource.h> for wasm32-wasip1 with getrlimit and setrlimit.
 *
 * wasi-libc's wasm32-wasip1 header refuses to compile unless _WASI_EMULATED_PROCESS_CLOCKS is
 * defined (for getrusage), and hides struct rlimit, getrlimit and setrlimit. The library
 * implements RLIMIT_NOFILE (its descriptor limit, which sysconf(_SC_OPEN_MAX) reports too), so
 * this header declares them with Linux's values, and includes the sysroot's own header (for
 * getrusage) only when the program asked for that emulation.
 */
#ifndef WASI_POSIX_SOCKETS_SYS_RESOURCE_H
#define WASI_POSIX_SOCKETS_SYS_RESOURCE_H

#ifdef _WASI_EMULATED_PROCESS_CLOCKS
#include_next <sys/resource.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

#ifndef RLIM_INFINITY
typedef unsigned long long rlim_t;
struct rlimit {
    rlim_t rlim_cur;
    rlim_t rlim_max;
};
#define RLIM_INFINITY (~0ULL)
#define RLIM_SAVED_CUR RLIM_INFINITY
#define RLIM_SAVED_MAX RLIM_INFINITY
#define RLIMIT_CPU 0
#define RLIMIT_FSIZE 1
#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_RSS 5
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS 9
#define RLIMIT_LOCKS 10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE 12
#define RLIMIT_NICE 13
#define RLIMIT_RTPRIO 14
#define RLIMIT_RTTIME 15
#define RLIMIT_NLIMITS 16
#define RLIM_NLIMITS RLIMIT_NLIMITS
#endif

int getrlimit(int, struct rlimit *);
int setrlimit(int, const struct rlimit *);

#ifdef __cplusplus
}
#endif

#endif
