/*
 * Test support for the C conformance programs. Each program is built twice, natively with gcc
 * (Linux is the oracle) and for wasm32-wasip1 with wasi-posix-sockets, and the two outputs are
 * compared line by line (tests/run.py). So everything printed must be platform-neutral:
 * errno and address families by name, never by number (wasi-libc numbers them differently),
 * ports and sizes only as properties ("nonzero", "== sizeof").
 */
#ifndef WSP_TEST_T_H
#define WSP_TEST_T_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#ifndef __wasi__
#include <signal.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define T_FN static __attribute__((unused))

T_FN const char *errname(int e) {
#define E(x) if (e == x) return #x;
    E(EACCES) E(EADDRINUSE) E(EADDRNOTAVAIL) E(EAFNOSUPPORT) E(EAGAIN) E(EALREADY) E(EBADF)
    E(ECONNABORTED) E(ECONNREFUSED) E(ECONNRESET) E(EDESTADDRREQ) E(EFAULT) E(EHOSTUNREACH)
    E(EINPROGRESS) E(EINTR) E(EINVAL) E(EIO) E(EISCONN) E(EMFILE) E(EMSGSIZE) E(ENETUNREACH)
    E(ENOBUFS) E(ENOENT) E(ENOMEM) E(ENOPROTOOPT) E(ENOSPC) E(ENOSYS) E(ENOTCONN) E(ENOTSOCK)
    E(ENOTSUP) E(ENOTTY) E(EPERM) E(EPIPE) E(EPROTONOSUPPORT) E(EPROTOTYPE) E(ETIMEDOUT)
    E(ESPIPE) E(EISDIR) E(ENOTDIR) E(EEXIST) E(ERANGE) E(EOVERFLOW) E(EDOM) E(ENFILE) E(EPROTO)
    E(ENXIO) E(ENODEV) E(ENAMETOOLONG) E(ELOOP)
#ifdef ESOCKTNOSUPPORT
    E(ESOCKTNOSUPPORT)
#endif
#undef E
    static char buf[32];
    snprintf(buf, sizeof buf, "errno(%d)", e);
    return buf;
}

T_FN const char *famname(int f) {
    if (f == AF_INET) return "AF_INET";
    if (f == AF_INET6) return "AF_INET6";
    if (f == AF_UNSPEC) return "AF_UNSPEC";
    return "AF_?";
}

/* Poll events by name: "IN OUT ERR HUP NVAL " (or "-"), from a ring of buffers so one printf
 * can show several. */
T_FN const char *ev(int r) {
    static char ring[8][64];
    static int next;
    char *b = ring[next++ % 8];
    b[0] = 0;
    if (r & POLLIN) strcat(b, "IN ");
    if (r & POLLOUT) strcat(b, "OUT ");
    if (r & POLLERR) strcat(b, "ERR ");
    if (r & POLLHUP) strcat(b, "HUP ");
    if (r & POLLNVAL) strcat(b, "NVAL ");
    if (!b[0]) strcpy(b, "-");
    return b;
}

/* Print "label -> value" or "label -> -1 ENAME". Returns the call's result. */
T_FN long show_(const char *label, long r) {
    if (r < 0)
        printf("%s -> %ld %s\n", label, r, errname(errno));
    else
        printf("%s -> %ld\n", label, r);
    fflush(stdout);
    return r;
}
#define SHOW(call) (errno = 0, show_(#call, (long)(call)))
/* For calls whose non-negative result varies (fds, ports, byte counts): only "ok" or the error. */
T_FN long ok_(const char *label, long r) {
    if (r < 0)
        printf("%s -> -1 %s\n", label, errname(errno));
    else
        printf("%s -> ok\n", label);
    fflush(stdout);
    return r;
}
#define OK(call) (errno = 0, ok_(#call, (long)(call)))

/* Fail loudly (the outputs will differ) when a setup step fails. */
#define MUST(call)                                                                  \
    do {                                                                            \
        if ((long)(call) < 0) {                                                     \
            printf("MUST FAILED %s:%d %s: %s\n", __FILE__, __LINE__, #call,         \
                   errname(errno));                                                 \
            exit(1);                                                                \
        }                                                                           \
    } while (0)

typedef union {
    struct sockaddr sa;
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
    struct sockaddr_storage ss;
} addr_t;

/* Loopback address of family `fam` with `port` (host order). */
T_FN socklen_t loopback(addr_t *a, int fam, int port) {
    memset(a, 0, sizeof *a);
    if (fam == AF_INET) {
        a->in.sin_family = AF_INET;
        a->in.sin_port = htons(port);
        a->in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return sizeof a->in;
    }
    a->in6.sin6_family = AF_INET6;
    a->in6.sin6_port = htons(port);
    a->in6.sin6_addr = in6addr_loopback;
    return sizeof a->in6;
}

/* The port (host order) of an IPv4 or IPv6 address; -1 for another family. */
T_FN int port_of(const addr_t *a) {
    return a->sa.sa_family == AF_INET    ? ntohs(a->in.sin_port)
           : a->sa.sa_family == AF_INET6 ? ntohs(a->in6.sin6_port)
                                         : -1;
}

/* "AF_INET 127.0.0.1 port=nonzero" */
T_FN void show_addr(const char *label, const addr_t *a, socklen_t len) {
    char host[64] = "?";
    const void *src = a->sa.sa_family == AF_INET ? (const void *)&a->in.sin_addr
                                                 : (const void *)&a->in6.sin6_addr;
    inet_ntop(a->sa.sa_family, src, host, sizeof host);
    socklen_t want = a->sa.sa_family == AF_INET ? sizeof a->in : sizeof a->in6;
    printf("%s: %s %s port=%s len%s\n", label, famname(a->sa.sa_family), host,
           port_of(a) ? "nonzero" : "0", len == want ? "==sizeof" : "!=sizeof");
    fflush(stdout);
}

/* A listening socket on loopback with an ephemeral port; returns the fd, fills `a`. */
T_FN int listener(int fam, addr_t *a, socklen_t *len) {
    int fd = socket(fam, SOCK_STREAM, 0);
    MUST(fd);
    *len = loopback(a, fam, 0);
    MUST(bind(fd, &a->sa, *len));
    MUST(listen(fd, 16));
    MUST(getsockname(fd, &a->sa, len));
    return fd;
}

T_FN void test_setup(void) {
    /* Native Linux would kill the process on a write to a closed connection; WASI has no
     * signals and reports EPIPE. Ignoring SIGPIPE natively makes Linux report EPIPE too. */
#ifndef __wasi__
    signal(SIGPIPE, SIG_IGN);
#endif
    setvbuf(stdout, NULL, _IOLBF, 0);
}

T_FN void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

#endif
