/*
 * Seeded random-operation fuzzer for the socket API (issue "Reliability").
 *
 *     fuzz <seed> <ops>
 *
 * A few sockets (TCP and UDP, IPv4 and IPv6, all on 127.0.0.1 / ::1) live in a small table of
 * slots. Random operations with random (often bad) arguments run on them: socket, bind, listen,
 * connect, accept/accept4, the send and receive calls, poll, set/getsockopt, shutdown, close,
 * fcntl, ioctl, getsockname/getpeername. Both ends of every TCP connection are in this program
 * (it connects to its own listeners and accepts), so it knows every byte sent each way.
 *
 * Invariants (any break prints `FUZZ FAIL op <i>: <what>` and exits 1):
 *  - no trap; every failure's errno is in the set Linux documents for that call (plus the
 *    library's listed deviations: MSG_OOB on TCP EOPNOTSUPP, see tests/deviations.md; and a
 *    connect error Linux returns from connect() itself, EADDRNOTAVAIL/EADDRINUSE/EINVAL, may
 *    come later as a pending error, since WASI connects asynchronously); a bad
 *    descriptor is always EBADF, a non-socket (stdout) always ENOTSOCK for socket calls;
 *  - results are sane: 0 <= recv <= len, 0 <= send <= len, a datagram send is all or nothing,
 *    socket/accept return the lowest free descriptor, close of an own socket succeeds,
 *    SO_TYPE/SO_DOMAIN/SO_PROTOCOL/SO_ACCEPTCONN/O_NONBLOCK read back what the fuzzer knows;
 *  - TCP: byte k of a direction's stream is a function of (stream id, k); every byte received
 *    must be the next expected one (so what arrives is always a prefix of what was sent, in
 *    order, never more); a peeked byte too. When a receiver sees end of stream (recv 0 with a
 *    nonzero length) on a direction whose writer shut down gracefully (shutdown(SHUT_WR) or close
 *    with nothing unread, so Linux sent FIN, not RST) and the receiver neither shut down reading
 *    nor saw a reset, it must have received everything sent. End of stream never comes from a
 *    writer that has not shut down (unless the connection was reset), and no data follows it.
 *    A connection the fuzzer cannot follow exactly (Linux corner cases: a connect with an odd
 *    address, a second connect while one is pending, shutdown before the handshake, an accepted
 *    connection whose connector's port was never learnt, a port shared through SO_REUSEADDR, a
 *    connector receiving bytes before its peer was accepted) is left unjudged; the summary
 *    counts the judged ones ("matched to their connector");
 *  - UDP: each datagram carries (magic, sequence number, length), its payload is a function of
 *    the sequence number; every datagram received was sent to that socket's port, arrives whole
 *    or truncated exactly to the buffer (MSG_TRUNC returns the real length, recvmsg flags
 *    truncation), uncorrupted, at most once, from the port it was sent from. Loss is allowed;
 *  - FIONREAD then recv: TCP returns at least the count, UDP exactly the first datagram's size;
 *  - poll: revents only from the requested events plus POLLERR/POLLHUP, POLLNVAL exactly for
 *    closed descriptors, nothing for negative ones, the result counts nonzero revents; POLLIN
 *    means a following non-blocking recv or accept does not say EAGAIN;
 *  - at the end, after closing everything, only stdio is open and socket() gets the lowest free
 *    descriptor again.
 *
 * Nothing blocks for long: blocking calls are made only when they must finish at once or with a
 * timeout of a few ms (SO_RCVTIMEO/SO_SNDTIMEO); everything else is MSG_DONTWAIT / O_NONBLOCK.
 * The same seed gives the same sequence of operations (xorshift64*) as long as the calls give
 * the same results; timing can change results (and so the later operations), so no check
 * depends on timing, and a failure usually replays with its seed, not always at the same op.
 *
 * Native check of the fuzzer itself (Linux must pass it):
 *     gcc -O2 -o /tmp/fuzz tests/fuzz/fuzz.c && /tmp/fuzz 1 1000000
 * Under wasmtime:
 *     bin/wasi-sockets-cc -O2 tests/fuzz/fuzz.c -o fuzz.wasm
 *     wasmtime run -S inherit-network fuzz.wasm 1 1000000
 * To see every call (for a failure's history): FUZZ_TRACE=1 in the environment (wasmtime:
 * `--env FUZZ_TRACE=1`). tests/run.py's e2e_fuzz_million_ops runs both builds with one seed.
 */
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
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* addr_t, loopback(), port_of(), errname(): shared with the conformance tests. */
#include "../c/t.h"

#ifndef MSG_MORE
#define MSG_MORE 0x8000 /* (Linux's value; the wasm32-wasip1 headers lack it: the library then
                           refuses the bit as unknown) */
#endif
#ifndef POLLPRI
#define POLLPRI 0 /* (WASI has no urgent data) */
#endif

#define NSLOT 8
#define NCONN 512
#define RING (1u << 18)
#define MAXBUF 65536
#define UNKNOWN_FLAG 0x00800000
#define HDR 12

/* ------------------------------------------------------------------------------------------ */
/* PRNG, output, failure */

static uint64_t rs;
static uint64_t rnd64(void) {
    rs ^= rs >> 12;
    rs ^= rs << 25;
    rs ^= rs >> 27;
    return rs * 2685821657736338717ULL;
}
static uint32_t rnd(uint32_t n) { return n ? (uint32_t)((rnd64() >> 32) % n) : 0; }
static int chance(int pct) { return (int)rnd(100) < pct; }

static unsigned long long opno, nops, seed;

enum {
    C_SOCKET, C_BIND, C_LISTEN, C_CONNECT, C_ACCEPT, C_ACCEPT4, C_SEND, C_SENDTO, C_WRITE,
    C_WRITEV, C_SENDMSG, C_RECV, C_RECVFROM, C_READ, C_READV, C_RECVMSG, C_POLL, C_SETSOCKOPT,
    C_GETSOCKOPT, C_SHUTDOWN, C_CLOSE, C_FCNTL, C_IOCTL, C_GETSOCKNAME, C_GETPEERNAME, NCALL
};
static const char *cname[NCALL] = {
    "socket", "bind", "listen", "connect", "accept", "accept4", "send", "sendto", "write",
    "writev", "sendmsg", "recv", "recvfrom", "read", "readv", "recvmsg", "poll", "setsockopt",
    "getsockopt", "shutdown", "close", "fcntl", "ioctl", "getsockname", "getpeername"};
#define NERR 256
static unsigned long long ncalls[NCALL], nerr[NCALL][NERR];
static unsigned long long bytes_verified, dgrams_verified, conns_made, conns_matched, eofs_checked;
static unsigned long long accepted_orphans;

static size_t mem_pages(void) {
#ifdef __wasm__
    return __builtin_wasm_memory_size(0);
#else
    return 0;
#endif
}

static void summary(void) {
    printf("calls:\n");
    for (int c = 0; c < NCALL; c++) {
        printf("  %-12s %9llu", cname[c], ncalls[c]);
        for (int e = 0; e < NERR; e++)
            if (nerr[c][e]) printf(" %s=%llu", errname(e), nerr[c][e]);
        printf("\n");
    }
    printf("connections made %llu (accepted and matched to their connector %llu, accepted "
           "unmatched %llu), eof checks %llu\n", conns_made, conns_matched, accepted_orphans,
           eofs_checked);
    printf("bytes verified %llu, datagrams verified %llu\n", bytes_verified, dgrams_verified);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
#include <stdarg.h>
static void fail(const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fflush(stdout);
    summary();
    printf("FUZZ FAIL op %llu: %s (seed %llu)\n", opno, msg, seed);
    fflush(stdout);
    exit(1);
}

/* Allowed errnos per call: Linux's man pages (socket(2), bind(2), listen(2), connect(2),
 * accept(2), send(2), recv(2), poll(2), getsockopt(2), shutdown(2), fcntl(2), ioctl(2), tcp(7),
 * udp(7), ip(7)) and the library's listed deviations (EOPNOTSUPP for MSG_OOB on TCP, EAFNOSUPPORT for AF_UNIX, EISCONN for sendto elsewhere on a connected UDP socket). */
static const int A_SOCKET[] = {EAFNOSUPPORT, EINVAL, EPROTONOSUPPORT, EPROTOTYPE, EACCES, EMFILE,
                               ENFILE, ENOBUFS, ENOMEM, ENOTSUP,
#ifdef ESOCKTNOSUPPORT
                               ESOCKTNOSUPPORT,
#endif
                               0};
static const int A_BIND[] = {EACCES, EADDRINUSE, EBADF, EINVAL, ENOTSOCK, EADDRNOTAVAIL,
                             EAFNOSUPPORT, 0};
static const int A_LISTEN[] = {EADDRINUSE, EBADF, ENOTSOCK, ENOTSUP, EINVAL, 0};
static const int A_CONNECT[] = {EACCES, EPERM, EADDRINUSE, EADDRNOTAVAIL, EAFNOSUPPORT, EAGAIN,
                                EALREADY, EBADF, ECONNREFUSED, EINPROGRESS, EINTR, EISCONN,
                                ENETUNREACH, EHOSTUNREACH, ENOTSOCK, EPROTOTYPE, ETIMEDOUT, EINVAL,
                                ECONNABORTED, ECONNRESET, ENOTSUP, EPIPE, 0};
static const int A_ACCEPT[] = {EAGAIN, EBADF, ECONNABORTED, EINTR, EINVAL, EMFILE, ENFILE,
                               ENOBUFS, ENOMEM, ENOTSOCK, ENOTSUP, EPROTO, EPERM, 0};
static const int A_SEND[] = {EACCES, EAGAIN, EALREADY, EBADF, ECONNRESET, EDESTADDRREQ, EINTR,
                             EINVAL, EISCONN, EMSGSIZE, ENOBUFS, ENOMEM, ENOTCONN, ENOTSOCK,
                             ENOTSUP, EPIPE, ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EAFNOSUPPORT,
                             EADDRNOTAVAIL, ETIMEDOUT, EADDRINUSE, 0};
/* (Also EADDRNOTAVAIL/EADDRINUSE: WASI connects asynchronously, so an error Linux's connect()
 * returns at once may come from the next call, as a pending error; see src/tcp/mod.rs.) */
/* A receive reports what ICMP said on a datagram socket (udp(7), ip(7)): EHOSTUNREACH and
 * ENETUNREACH as well as ECONNREFUSED. */
static const int A_RECV[] = {EAGAIN, EBADF, ECONNREFUSED, EINTR, EINVAL, ENOMEM, ENOTCONN,
                             ENOTSOCK, ECONNRESET, ETIMEDOUT, ENOTSUP, EPIPE, EADDRNOTAVAIL,
                             EADDRINUSE, EHOSTUNREACH, ENETUNREACH, 0};
static const int A_POLL[] = {EINTR, EINVAL, ENOMEM, 0};
static const int A_SETSOCKOPT[] = {EBADF, EINVAL, ENOPROTOOPT, ENOTSOCK, ENOTSUP, EDOM, EPERM,
                                   ENOBUFS, EISCONN, 0};
static const int A_GETSOCKOPT[] = {EBADF, EINVAL, ENOPROTOOPT, ENOTSOCK, ENOTSUP, 0};
static const int A_SHUTDOWN[] = {EBADF, EINVAL, ENOTCONN, ENOTSOCK, 0};
static const int A_CLOSE[] = {EBADF, 0};
static const int A_FCNTL[] = {EBADF, EINVAL, 0};
static const int A_IOCTL[] = {EBADF, EINVAL, ENOTTY, 0};
static const int A_NAME[] = {EBADF, EINVAL, ENOTSOCK, 0};
static const int A_PEER[] = {EBADF, EINVAL, ENOTSOCK, ENOTCONN, 0};
static const int *allowed[NCALL] = {
    A_SOCKET, A_BIND, A_LISTEN, A_CONNECT, A_ACCEPT, A_ACCEPT, A_SEND, A_SEND, A_SEND, A_SEND,
    A_SEND, A_RECV, A_RECV, A_RECV, A_RECV, A_RECV, A_POLL, A_SETSOCKOPT, A_GETSOCKOPT,
    A_SHUTDOWN, A_CLOSE, A_FCNTL, A_IOCTL, A_NAME, A_PEER};

/* The fd a call is made on: a slot's socket, a closed number (BAD) or stdout (NOTSOCK). */
enum { FD_OWN, FD_BAD, FD_NOTSOCK };

/* Account for a call's result; check its errno. Returns r. */
static int trace; /* env FUZZ_TRACE=1: print every call */
static int cur_slot = -1; /* the slot of the receive being checked (for messages) */
static long done(int call, long r, int e, int fdkind, size_t len) {
    ncalls[call]++;
    if (trace) printf("  %llu %s -> %ld %s\n", opno, cname[call], r, r < 0 ? errname(e) : "");
    if (r < 0) {
        if (r != -1) fail("%s returned %ld", cname[call], r);
        nerr[call][e < NERR && e >= 0 ? e : 0]++;
        const int *a = allowed[call];
        int ok = 0;
        for (; *a; a++)
            if (*a == e) ok = 1;
        if (!ok) fail("%s: errno %s not allowed (slot %d)", cname[call], errname(e), cur_slot);
        if (fdkind == FD_BAD && e != EBADF && !(call == C_ACCEPT4 && e == EINVAL))
            fail("%s on a closed descriptor: %s, not EBADF", cname[call], errname(e));
        if (fdkind == FD_BAD && call == C_ACCEPT4 && e == EINVAL) return r; /* flags first */
        if (fdkind == FD_NOTSOCK && e != ENOTSOCK && e != EBADF && !(call == C_ACCEPT4 && e == EINVAL))
            fail("%s on stdout: %s, not ENOTSOCK", cname[call], errname(e));
    } else {
        if (fdkind == FD_BAD) fail("%s on a closed descriptor returned %ld", cname[call], r);
        if (fdkind == FD_NOTSOCK) fail("%s on stdout returned %ld", cname[call], r);
        if (len != (size_t)-1 && (size_t)r > len)
            fail("%s returned %ld > length %zu", cname[call], r, len);
    }
    return r;
}
#define CALL(call, fk, len, expr)                                                            \
    ({                                                                                       \
        errno = 0;                                                                           \
        long r_ = (long)(expr);                                                              \
        done(call, r_, errno, fk, len);                                                      \
    })

/* ------------------------------------------------------------------------------------------ */
/* Streams */

static uint8_t T[65536];
static inline uint8_t sbyte(uint32_t sid, uint64_t k) {
    return T[(uint32_t)(k + sid * 40503u) & 0xFFFF] ^ (uint8_t)(sid * 31u + (uint32_t)(k >> 16) * 7u);
}
static void sfill(uint8_t *b, uint32_t sid, uint64_t k, size_t n) {
    for (size_t i = 0; i < n; i++) b[i] = sbyte(sid, k + i);
}

typedef struct {
    uint64_t sent, recvd;
    int wr_shut; /* writer did shutdown(SHUT_WR)/close */
    int abort;   /* the connection may have been reset: lost data allowed */
    int rd_shut; /* reader did shutdown(SHUT_RD) */
    int rerr;    /* reader saw an error */
    int eof;     /* reader saw end of stream */
} dir_t;

typedef struct {
    int used, orphan, failed;
    uint32_t id;
    int lport, cport;      /* listener port, connector's local port (0: not yet known) */
    int cslot, aslot;      /* slots of the ends, -1 when closed/not yet accepted */
    int accepted, noaccept, cclosed, aclosed;
    dir_t d[2];            /* d[0]: connector -> acceptor, d[1]: acceptor -> connector */
} conn_t;
static conn_t conns[NCONN];
static uint32_t next_conn_id = 1;

typedef struct {
    int fd;   /* -1: empty */
    int udp, fam;
    int nonblock, rcvtimeo, sndtimeo; /* timeouts: 1 when set to a few ms */
    int port, bound_explicit;         /* known local port (0: unknown) */
    int listening, backlog, ever_shut, linger0;
    int conn, side, cstate;           /* TCP: connection record, which end, 0/1 attempt/2 failed */
    int rd_shut, wr_shut;
    int portshare;                    /* TCP: shares its port with another own socket */
    int upeer, uconn;                 /* UDP: connected (to peer port) */
    int oldport[8];                   /* UDP: earlier ports (datagrams queued then stay) */
} slot_t;
static slot_t S[NSLOT];

/* UDP datagrams sent: by sequence number. */
typedef struct { uint32_t seq; uint16_t dst, src; uint32_t len; } dg_t;
static dg_t ring[RING];
static uint8_t *seen;
static uint32_t nseq = 1;
#define MAXSEQ (1u << 24)

static uint8_t sbuf[MAXBUF + 64], rbuf[MAXBUF + 64], ebuf[MAXBUF + 64];

/* ------------------------------------------------------------------------------------------ */
/* Helpers */

/* Descriptors open before the run (stdio, anything inherited). */
static uint8_t foreign[1024];

static int lowest_free(void) {
    for (int n = 0;; n++) {
        int used = n < 1024 && foreign[n];
        for (int i = 0; i < NSLOT; i++)
            if (S[i].fd == n) used = 1;
        if (!used) return n;
    }
}
static int free_slot(void) {
    int c[NSLOT], n = 0;
    for (int i = 0; i < NSLOT; i++)
        if (S[i].fd < 0) c[n++] = i;
    return n ? c[rnd(n)] : -1;
}
static int pick_slot(int want_udp, int want_fam) { /* -1 for any */
    int c[NSLOT], n = 0;
    for (int i = 0; i < NSLOT; i++)
        if (S[i].fd >= 0 && (want_udp < 0 || S[i].udp == want_udp) && (!want_fam || S[i].fam == want_fam))
            c[n++] = i;
    return n ? c[rnd(n)] : -1;
}

/* The fd for the next call: usually slot i's, sometimes a closed number or stdout. */
static int choose_fd(int i, int *kind, int notsock_ok) {
    int r = rnd(100);
    if (i < 0 || S[i].fd < 0 || r < 3) {
        *kind = FD_BAD;
        return r == 0 ? -1 : 700 + (int)rnd(200);
    }
    if (notsock_ok && r < 5) {
        *kind = FD_NOTSOCK;
        return 1;
    }
    *kind = FD_OWN;
    return S[i].fd;
}

/* The local port of slot i (getsockname once it is bound). */
static int slot_port(int i) {
    if (S[i].port) return S[i].port;
    addr_t a;
    socklen_t l = sizeof a;
    if (CALL(C_GETSOCKNAME, FD_OWN, (size_t)-1, getsockname(S[i].fd, &a.sa, &l)) == 0) {
        if (l > sizeof a) fail("getsockname length %u", (unsigned)l);
        int p = port_of(&a);
        if (p < 0) fail("getsockname family %d", a.sa.sa_family);
        S[i].port = p;
    }
    return S[i].port;
}

/* A blocking call with a timeout of a few ms: rarely, so waits stay a small part of the run. */
static int can_block_recv(int i) { return !S[i].nonblock && S[i].rcvtimeo && chance(2); }
static int can_block_send(int i) { return !S[i].nonblock && S[i].sndtimeo && chance(2); }

static conn_t *conn_of(int i) { return S[i].conn >= 0 ? &conns[S[i].conn] : NULL; }

static int new_conn(void) {
    static int next;
    for (int k = 0; k < NCONN; k++) {
        int c = (next + k) % NCONN;
        if (!conns[c].used) {
            next = c + 1;
            memset(&conns[c], 0, sizeof conns[c]);
            conns[c].used = 1;
            conns[c].id = next_conn_id++;
            conns[c].cslot = conns[c].aslot = -1;
            return c;
        }
    }
    /* Full: recycle the oldest record no open socket refers to. */
    for (int c = 0; c < NCONN; c++) {
        int ref = 0;
        for (int i = 0; i < NSLOT; i++)
            if (S[i].fd >= 0 && S[i].conn == c) ref = 1;
        if (!ref) {
            conns[c].used = 0;
            return new_conn();
        }
    }
    fail("connection table full");
}
static void maybe_free_conn(int c) {
    conn_t *k = &conns[c];
    if (k->cclosed && (k->aclosed || k->noaccept)) k->used = 0;
}

/* Slot i's end of its connection goes away (close, or a new connect attempt). */
static void detach(int i, int graceful_close) {
    conn_t *k = conn_of(i);
    if (!k) return;
    int s = S[i].side;
    k->d[s].wr_shut = 1;
    /* Closing with unread data (or SO_LINGER 0) makes Linux send RST, not FIN: the peer may
     * lose what it has not read. */
    if (!graceful_close || k->d[1 - s].sent > k->d[1 - s].recvd || S[i].linger0) {
        k->d[s].abort = 1;
        k->d[1 - s].abort = 1;
    }
    if (S[i].rd_shut) k->d[s].abort = 1, k->d[1 - s].abort = 1;
    if (s == 0) k->cclosed = 1, k->cslot = -1;
    else k->aclosed = 1, k->aslot = -1;
    int c = S[i].conn;
    S[i].conn = -1;
    maybe_free_conn(c);
}

/* The listener on `port` stops listening: its queued connections are reset. */
static void listener_gone(int port) {
    for (int c = 0; c < NCONN; c++) {
        conn_t *k = &conns[c];
        if (k->used && !k->accepted && k->lport == port) {
            k->noaccept = 1;
            k->d[0].abort = k->d[1].abort = 1;
            maybe_free_conn(c);
        }
    }
}

static void close_slot(int i) {
    int fd = S[i].fd;
    if (fd < 0) return;
    if (S[i].udp == 0) {
        if (S[i].listening && S[i].port) listener_gone(S[i].port);
        detach(i, 1);
    }
    long r = CALL(C_CLOSE, FD_OWN, (size_t)-1, close(fd));
    if (r != 0) fail("close(own socket %d) failed", fd);
    memset(&S[i], 0, sizeof S[i]);
    S[i].fd = -1;
    S[i].conn = -1;
}

/* A connection error seen on slot i (recv/send/SO_ERROR/connect). */
static void conn_error(int i, int e) {
    if (S[i].udp) return;
    if (e == ECONNREFUSED || e == ECONNRESET || e == ETIMEDOUT || e == ECONNABORTED ||
        e == EHOSTUNREACH || e == ENETUNREACH || e == EPIPE) {
        conn_t *k = conn_of(i);
        if (e != EPIPE) {
            S[i].cstate = 2;
            if (S[i].side == 0 && !S[i].bound_explicit) S[i].port = 0; /* Linux frees the port */
        }
        if (k) {
            int s = S[i].side;
            k->d[1 - s].rerr = 1;
            if (e != EPIPE) k->failed = 1;
            /* A reset is only expected if something abortive happened at the other end, or
             * the connection never reached a listener that accepts it. */
            if (e == ECONNRESET && !k->d[0].abort && !k->d[1].abort && !k->noaccept &&
                !k->d[0].wr_shut && !k->d[1].wr_shut && !k->d[0].rd_shut && !k->d[1].rd_shut &&
                !(s == 0 ? k->aclosed : k->cclosed) && !k->orphan && k->lport != 1)
                fail("%s on a connection whose other end did nothing abortive (conn %u side %d)",
                     errname(e), k->id, s);
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Operations */

static void op_socket(void) {
    int i = free_slot();
    if (i < 0) {
        close_slot(rnd(NSLOT)); /* (all are in use) */
        i = free_slot();
    }
    int fams[] = {AF_INET, AF_INET6, AF_INET, AF_INET6, AF_UNIX, 12345, -1};
    int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_STREAM, SOCK_DGRAM, 77, -1, SOCK_STREAM | 0x100000};
    int valid = chance(90);
    int fam = valid ? fams[rnd(2)] : fams[rnd(7)];
    int type = valid ? types[rnd(2)] : types[rnd(7)];
    int nb = chance(60);
    int proto = valid ? (chance(80) ? 0 : (type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP))
                      : (int)rnd(300);
    if (chance(nb ? 100 : 0)) type |= SOCK_NONBLOCK;
    if (chance(20)) type |= SOCK_CLOEXEC;
    int want = lowest_free();
    long fd = CALL(C_SOCKET, FD_OWN, (size_t)-1, socket(fam, type, proto));
    int okcombo = (fam == AF_INET || fam == AF_INET6) &&
                  ((type & 0xff) == SOCK_STREAM || (type & 0xff) == SOCK_DGRAM) &&
                  !(type & 0x100000) && type > 0 &&
                  (proto == 0 || proto == ((type & 0xff) == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP));
    if (fd < 0) {
        if (okcombo) fail("socket(%d, %#x, %d) failed: %s", fam, type, proto, errname(errno));
        return;
    }
    if (!okcombo) {
        /* Linux has more protocols than the fuzzer knows of (e.g. IPPROTO_SCTP, MPTCP):
         * keep nothing unexpected. */
        close(fd);
        return;
    }
    if (fd != want) fail("socket returned %ld, lowest free is %d", fd, want);
    memset(&S[i], 0, sizeof S[i]);
    S[i].fd = (int)fd;
    S[i].conn = -1;
    S[i].udp = (type & 0xff) == SOCK_DGRAM;
    S[i].fam = fam;
    S[i].nonblock = (type & SOCK_NONBLOCK) != 0;
}

/* A port for bind/connect: an own socket's, 0, one nobody listens on. */
static int pick_port(int fam, int udp, int *target) {
    int r = rnd(100);
    *target = -1;
    if (r < 70) {
        int j = pick_slot(udp, fam);
        if (j >= 0 && slot_port(j)) {
            *target = j;
            return S[j].port;
        }
    }
    if (r < 85) return 0;
    return 1; /* tcpmux: nobody listens on loopback */
}

static socklen_t pick_addr(addr_t *a, int fam, int port, int *bad) {
    int r = rnd(100);
    *bad = 1;
    if (r < 85) {
        *bad = 0;
        return loopback(a, fam, port);
    }
    if (r < 90) return loopback(a, fam == AF_INET ? AF_INET6 : AF_INET, port); /* wrong family */
    if (r < 94) return loopback(a, fam, port) - 1 - rnd(8);                 /* short */
    if (r < 97) {
        socklen_t l = loopback(a, fam, port); /* non-local address */
        if (fam == AF_INET) a->in.sin_addr.s_addr = htonl(0xC0000201);
        else a->in6.sin6_addr.s6_addr[0] = 0x20, a->in6.sin6_addr.s6_addr[1] = 0x01,
             a->in6.sin6_addr.s6_addr[2] = 0x0d, a->in6.sin6_addr.s6_addr[3] = 0xb8;
        return l;
    }
    socklen_t l = loopback(a, fam, port);
    a->sa.sa_family = AF_UNSPEC;
    return l;
}

static void op_bind(int i) {
    int fk, fd = choose_fd(i, &fk, 1);
    int fam = fk == FD_OWN ? S[i].fam : AF_INET, tgt;
    int port = pick_port(fam, fk == FD_OWN ? S[i].udp : 0, &tgt);
    if (port == 1) port = 0;
    addr_t a;
    int bad;
    socklen_t l = pick_addr(&a, fam, port, &bad);
    if (!bad && chance(10)) { /* the wildcard address */
        if (fam == AF_INET) a.in.sin_addr.s_addr = htonl(INADDR_ANY);
        else a.in6.sin6_addr = in6addr_any;
    }
    long r = CALL(C_BIND, fk, (size_t)-1, bind(fd, &a.sa, l));
    if (r == 0 && fk == FD_OWN) {
        S[i].port = 0;
        S[i].bound_explicit = port != 0; /* (Linux locks the port only when one is named) */
        slot_port(i);
        if (port && S[i].port != port) fail("bound port %d, asked %d", S[i].port, port);
        /* WASI hosts set SO_REUSEADDR on every TCP socket (docs/options.md: "always allow
         * address reuse"), so a port another own socket holds may be granted: a connect between
         * the two could then be a TCP self-connect. Don't judge connections of such sockets. */
        if (!S[i].udp && tgt >= 0 && !bad) S[i].portshare = S[tgt].portshare = 1;
    }
}

static void op_listen(int i) {
    int fk, fd = choose_fd(i, &fk, 1);
    int bl = chance(20) ? -(int)rnd(5) : (int)rnd(8);
    long r = CALL(C_LISTEN, fk, (size_t)-1, listen(fd, bl));
    if (fk != FD_OWN) return;
    if (r == 0) {
        if (S[i].udp) fail("listen succeeded on a UDP socket");
        detach(i, 0); /* (Linux lets a socket whose connect was abandoned listen) */
        S[i].cstate = 0;
        S[i].listening = 1;
        S[i].backlog = bl < 1 ? 1 : bl;
        S[i].port = 0;
        slot_port(i);
    }
}

static void set_nonblock(int i, int on) {
    int fl = fcntl(S[i].fd, F_GETFL);
    ncalls[C_FCNTL]++;
    if (fl < 0) fail("F_GETFL on own socket: %s", errname(errno));
    long r = CALL(C_FCNTL, FD_OWN, (size_t)-1,
                  fcntl(S[i].fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK));
    if (r != 0) fail("F_SETFL on own socket failed");
    S[i].nonblock = on;
}

static void op_connect(int i) {
    int fk, fd = choose_fd(i, &fk, 1);
    int fam = fk == FD_OWN ? S[i].fam : AF_INET, tgt = -1, port;
    int udp = fk == FD_OWN ? S[i].udp : 0;
    if (udp) {
        port = pick_port(fam, udp, &tgt);
    } else if (chance(10)) {
        /* Only to listeners, port 1 or 0: a connect to a free port in the ephemeral range can
         * get that very port as its source and connect to itself (TCP self-connect). */
        port = chance(50) ? 1 : 0;
    } else { /* a listener of the same family, mostly */
        int c[NSLOT], n = 0;
        for (int j = 0; j < NSLOT; j++)
            if (S[j].fd >= 0 && S[j].listening && S[j].fam == fam && S[j].port) c[n++] = j;
        if (n && chance(90)) {
            tgt = c[rnd(n)];
            port = S[tgt].port;
        } else {
            port = chance(50) ? 1 : 0;
        }
    }
    addr_t a;
    int bad;
    socklen_t l = pick_addr(&a, fam, port, &bad);
    if (fk == FD_OWN && !S[i].nonblock) {
        /* A blocking connect only with SO_SNDTIMEO set (a few ms: Linux then says EINPROGRESS).
         * Otherwise non-blocking. */
        if (!udp && !S[i].sndtimeo) set_nonblock(i, 1);
    }
    int was = fk == FD_OWN ? S[i].cstate : 0;
    int blocking_call = fk == FD_OWN && !S[i].nonblock;
    if (trace) printf("  connect to port %d fam %d (target slot %d) bad %d\n", port, a.sa.sa_family, tgt, bad);
    long r = CALL(C_CONNECT, fk, (size_t)-1, connect(fd, &a.sa, l));
    int e = errno;
    if (fk != FD_OWN) return;
    if (udp) {
        if (r == 0) {
            if (a.sa.sa_family == AF_UNSPEC) {
                S[i].upeer = S[i].uconn = 0;
                if (!S[i].bound_explicit && S[i].port) {
                    memmove(S[i].oldport + 1, S[i].oldport, sizeof S[i].oldport - sizeof(int));
                    S[i].oldport[0] = S[i].port;
                    S[i].port = 0;
                }
            } else {
                S[i].upeer = port;
                S[i].uconn = 1;
                if (!S[i].port) slot_port(i);
            }
        } else {
            /* Linux may have changed the association before failing (seen with a short
             * address): where send() goes is unknown now. */
            S[i].upeer = 0;
            S[i].uconn = 1;
            if (S[i].port) { /* (and the port may be gone: look again) */
                memmove(S[i].oldport + 1, S[i].oldport, sizeof S[i].oldport - sizeof(int));
                S[i].oldport[0] = S[i].port;
                S[i].port = 0;
            }
        }
        return;
    }
    if (r == 0 && a.sa.sa_family == AF_UNSPEC) {
        /* Linux: connect(AF_UNSPEC) disconnects (abortively), a listener stops listening. */
        if (S[i].listening && S[i].port) listener_gone(S[i].port);
        S[i].listening = 0;
        S[i].ever_shut = 1;
        detach(i, 0);
        S[i].cstate = 0;
        if (!S[i].bound_explicit) S[i].port = 0;
        return;
    }
    if (bad && was == 1 && conn_of(i) && (r == 0 || e == EINPROGRESS)) {
        conn_of(i)->orphan = 1; /* (an odd address on a connecting socket: don't judge) */
        return;
    }
    if (r < 0 && e == EINPROGRESS && was == 1 && conn_of(i)) {
        /* A new attempt while the fuzzer thought one was still going (Linux's state machine
         * has corners here, e.g. after shutdown): which bytes flow where is unknown now. */
        conn_of(i)->orphan = 1;
        return;
    }
    /* A non-blocking connect that starts a connection says EINPROGRESS (even on loopback): a 0
     * reports one started earlier (whatever the fuzzer thought of it). */
    if (r == 0 && !blocking_call && was != 1) {
        if (conn_of(i)) conn_of(i)->orphan = 1, S[i].cstate = 1;
        return;
    }
    if ((r == 0 && was != 1) || (r < 0 && e == EINPROGRESS)) {
        /* A new connection attempt. */
        if (S[i].listening) fail("connect started on a listening socket");
        detach(i, 0);
        int c = new_conn();
        conns[c].lport = port;
        conns[c].cslot = i;
        if (port != 1 && (tgt < 0 || !S[tgt].listening)) conns[c].noaccept = 1;
        if (port == 1 || bad) conns[c].noaccept = 1;
        if (bad) conns[c].orphan = 1; /* (an odd address Linux took: don't judge the bytes) */
        if (S[i].portshare || (tgt >= 0 && S[tgt].portshare)) conns[c].orphan = 1;
        /* A shutdown before connect/listen leaves Linux's shutdown bits set on the socket (and
         * the listener's clones): such connections behave oddly, verify only their bytes. */
        if (S[i].ever_shut || (tgt >= 0 && S[tgt].ever_shut)) conns[c].d[0].abort = conns[c].d[1].abort = 1;
        S[i].conn = c;
        S[i].side = 0;
        S[i].cstate = 1;
        S[i].port = 0;
        S[i].rd_shut = S[i].wr_shut = 0;
        conns_made++;
    } else if (r < 0) {
        conn_error(i, e);
    }
}

static void op_accept(int i) {
    if (chance(70)) { /* mostly a listener */
        int c[NSLOT], n = 0;
        for (int j = 0; j < NSLOT; j++)
            if (S[j].fd >= 0 && S[j].listening) c[n++] = j;
        if (n) i = c[rnd(n)];
    }
    int fk, fd = choose_fd(i, &fk, 1);
    int j = free_slot();
    if (j < 0) return;
    if (fk == FD_OWN && !S[i].nonblock && (S[i].listening || S[i].ever_shut)) {
        struct pollfd p = {fd, POLLIN, 0};
        long n = CALL(C_POLL, FD_OWN, 1, poll(&p, 1, 0));
        if (n != 1 || !(p.revents & POLLIN)) return;
    }
    int use4 = chance(60);
    int fl = use4 ? (chance(50) ? SOCK_NONBLOCK : 0) | (chance(20) ? SOCK_CLOEXEC : 0) : 0;
    if (use4 && chance(5)) fl = 0x40000000;
    addr_t a;
    socklen_t l = chance(90) ? sizeof a : 0;
    int want = lowest_free();
    long nfd = use4 ? CALL(C_ACCEPT4, fk, (size_t)-1, accept4(fd, &a.sa, &l, fl))
                    : CALL(C_ACCEPT, fk, (size_t)-1, accept(fd, &a.sa, &l));
    if (nfd < 0 || fk != FD_OWN) return;
    if (!S[i].listening) fail("accept succeeded on a socket that is not listening");
    if (nfd != want) fail("accept returned %ld, lowest free is %d", nfd, want);
    memset(&S[j], 0, sizeof S[j]);
    S[j].fd = (int)nfd;
    S[j].fam = S[i].fam;
    S[j].nonblock = (fl & SOCK_NONBLOCK) != 0;
    S[j].side = 1;
    S[j].cstate = 1;
    /* Which connection is it? Match the peer's port with the connectors'. */
    socklen_t pl = sizeof a;
    if (CALL(C_GETPEERNAME, FD_OWN, (size_t)-1, getpeername((int)nfd, &a.sa, &pl)) < 0) {
        /* Reset already (Linux: ENOTCONN): nothing to verify on it. */
        int c = new_conn();
        conns[c].orphan = conns[c].accepted = conns[c].noaccept = 1;
        conns[c].cclosed = 1;
        conns[c].aslot = j;
        S[j].conn = c;
        return;
    }
    int pport = port_of(&a), lport = S[i].port;
    for (int c = 0; c < NCONN; c++) /* learn the connectors' ports */
        if (conns[c].used && !conns[c].accepted && !conns[c].cport && conns[c].cslot >= 0 &&
            conns[c].lport == lport)
            conns[c].cport = slot_port(conns[c].cslot);
    int found = -1;
    for (int c = 0; c < NCONN; c++)
        if (conns[c].used && !conns[c].accepted && !conns[c].noaccept && conns[c].lport == lport &&
            conns[c].cport == pport && (found < 0 || conns[c].id > conns[found].id))
            found = c;
    if (found < 0) {
        accepted_orphans++;
        /* Its connector is one whose port could not be learnt: none of those can be judged. */
        for (int c = 0; c < NCONN; c++)
            if (conns[c].used && !conns[c].accepted && conns[c].lport == lport && !conns[c].cport)
                conns[c].orphan = 1;
        int c = new_conn();
        conns[c].orphan = conns[c].accepted = conns[c].noaccept = 1;
        conns[c].cclosed = 1;
        conns[c].d[0].abort = conns[c].d[1].abort = 1;
        conns[c].aslot = j;
        S[j].conn = c;
        return;
    }
    conns[found].accepted = 1;
    if (S[i].ever_shut) conns[found].d[0].abort = conns[found].d[1].abort = 1;
    conns[found].aslot = j;
    S[j].conn = found;
    S[j].port = lport;
    conns_matched++;
}

/* Data for a send on slot i: fills sbuf, returns the stream id (or 0 for unchecked bytes). */
static uint32_t data_for_send(int i, size_t n) {
    conn_t *k = i >= 0 ? conn_of(i) : NULL;
    if (i >= 0 && S[i].udp) {
        if (n == 0) return 0;
        uint32_t seq = nseq;
        sbuf[0] = 0xD6, sbuf[1] = 0x5A;
        memcpy(sbuf + 2, &seq, 4);
        uint32_t len32 = (uint32_t)n;
        memcpy(sbuf + 6, &len32, 4);
        sbuf[10] = sbuf[11] = 0;
        sfill(sbuf + HDR, seq * 2 + 1, 0, n - HDR);
        return 0;
    }
    if (k) {
        uint32_t sid = k->id * 2 + S[i].side;
        sfill(sbuf, sid, k->d[S[i].side].sent, n);
        return sid;
    }
    memset(sbuf, 'x', n);
    return 0;
}

static size_t pick_len(void) {
    int r = rnd(100);
    if (r < 50) return rnd(300);
    if (r < 85) return rnd(4097);
    return rnd(MAXBUF + 1);
}

static void sent_ok(int i, int call, long r, size_t n, int dst_port) {
    if (S[i].udp) {
        if (n == 0) return;
        if ((size_t)r != n) fail("%s of a %zu-byte datagram returned %ld", cname[call], n, r);
        int src = slot_port(i);
        dg_t *d = &ring[nseq % RING];
        d->seq = nseq;
        d->dst = (uint16_t)dst_port;
        d->src = (uint16_t)src;
        d->len = (uint32_t)n;
        if (trace) printf("  datagram %u to port %d from %d len %zu\n", nseq, dst_port, src, n);
        nseq++;
        if (nseq >= MAXSEQ) nseq = 1, memset(seen, 0, MAXSEQ / 8);
        return;
    }
    conn_t *k = conn_of(i);
    if (!k) {
        if (r > 0) fail("%s sent %ld bytes on a TCP socket with no connection", cname[call], r);
        return;
    }
    if (r > 0 && k->d[S[i].side].wr_shut && !k->orphan)
        fail("%s sent %ld bytes after shutdown(SHUT_WR)", cname[call], r);
    k->d[S[i].side].sent += r;
}

static void op_send(int i) {
    int fk, fd = choose_fd(i, &fk, 1);
    int own = fk == FD_OWN;
    int udp = own && S[i].udp;
    size_t n = pick_len();
    if (udp && n > 0 && n < HDR) n = HDR;
    if (udp && chance(2)) n = 65508 + rnd(30); /* EMSGSIZE */
    if (udp && n > 65507) n = n > 65535 ? 65535 : n;
    int dst = udp ? S[i].upeer : 0;
    data_for_send(own ? i : -1, n);
    int flags = 0;
    int r100 = rnd(100);
    if (r100 < 40) flags = MSG_DONTWAIT;
    else if (r100 < 60) flags = MSG_NOSIGNAL | MSG_DONTWAIT;
    else if (r100 < 63) flags = UNKNOWN_FLAG;
    else if (r100 < 65 && !udp) flags = MSG_MORE;
    int blockok = own && (S[i].nonblock || can_block_send(i) || udp);
    if (!blockok) flags |= MSG_DONTWAIT;
    int which = rnd(5); /* send, sendto, write, writev, sendmsg */
    if (!blockok && (which == 2 || which == 3)) which = 0;
    if (fk == FD_NOTSOCK && (which == 2 || which == 3)) which = 0;
    addr_t a;
    socklen_t al = 0;
    int bad = 0, tgt;
    int withaddr = (which == 1 || which == 4) && (udp ? chance(70) : chance(10));
    if (withaddr) {
        int fam = own ? S[i].fam : AF_INET;
        int port = pick_port(fam, 1, &tgt);
        al = pick_addr(&a, fam, port, &bad);
        /* Linux sends to odd addresses in odd ways (an AF_UNSPEC destination on an IPv6 socket
         * means the connected peer): don't judge where those datagrams arrive. */
        dst = bad ? 0 : port;
    }
    struct iovec iov[8];
    int niov = 1 + rnd(8);
    size_t off = 0;
    for (int v = 0; v < niov; v++) {
        size_t part = v == niov - 1 ? n - off : rnd((uint32_t)(n - off + 1));
        iov[v].iov_base = sbuf + off;
        iov[v].iov_len = part;
        off += part;
    }
    long r;
    int call;
    switch (which) {
    case 0: call = C_SEND; r = CALL(call, fk, n, send(fd, sbuf, n, flags)); break;
    case 1: call = C_SENDTO; r = CALL(call, fk, n, sendto(fd, sbuf, n, flags, withaddr ? &a.sa : NULL, al)); break;
    case 2: call = C_WRITE; r = CALL(call, fk, n, write(fd, sbuf, n)); break;
    case 3: call = C_WRITEV; r = CALL(call, fk, n, writev(fd, iov, niov)); break;
    default: {
        struct msghdr m;
        memset(&m, 0, sizeof m);
        m.msg_iov = iov;
        m.msg_iovlen = niov;
        if (withaddr) m.msg_name = &a, m.msg_namelen = al;
        call = C_SENDMSG;
        r = CALL(call, fk, n, sendmsg(fd, &m, flags));
    }
    }
    int e = errno;
    if (!own) return;
    if (r >= 0) {
        if (udp && !withaddr && !S[i].uconn && n > 0)
            fail("%s without address succeeded on an unconnected UDP socket", cname[call]);
        sent_ok(i, call, r, n, dst);
    } else {
        conn_error(i, e);
    }
}

/* For failure messages: what the fuzzer knows of slot i's connection. */
static const char *cdesc(int i) {
    static char b[256];
    conn_t *k = conn_of(i);
    if (!k) return "no connection";
    snprintf(b, sizeof b,
             "slot %d fd %d side %d; conn %u lport %d cport %d accepted %d noaccept %d failed %d "
             "cclosed %d aclosed %d; d0 sent %llu recvd %llu wr_shut %d abort %d; d1 sent %llu "
             "recvd %llu wr_shut %d abort %d",
             i, S[i].fd, S[i].side, k->id, k->lport, k->cport, k->accepted, k->noaccept, k->failed,
             k->cclosed, k->aclosed, (unsigned long long)k->d[0].sent,
             (unsigned long long)k->d[0].recvd, k->d[0].wr_shut, k->d[0].abort,
             (unsigned long long)k->d[1].sent, (unsigned long long)k->d[1].recvd, k->d[1].wr_shut,
             k->d[1].abort);
    return b;
}

/* Check bytes received on slot i (not consumed if peek). */
static void got_tcp(int i, int call, const uint8_t *b, long r, int peek, int trunc) {
    conn_t *k = conn_of(i);
    if (!k) {
        if (r > 0) fail("%s returned %ld bytes on a TCP socket with no connection", cname[call], r);
        return;
    }
    dir_t *d = &k->d[1 - S[i].side];
    if (k->orphan) return;
    if (S[i].side == 0 && !k->accepted && r > 0) {
        /* Bytes for a connector whose peer was never accepted: under WASI's always-on
         * SO_REUSEADDR a socket can share a port and connect to itself. Unjudgeable. */
        k->orphan = 1;
        return;
    }
    if (d->eof && r > 0 && !d->rd_shut)
        fail("%s returned %ld bytes after end of stream (conn %u)", cname[call], r, k->id);
    if ((uint64_t)r > d->sent - d->recvd)
        fail("%s returned %ld bytes, only %llu sent and unread (%s)", cname[call], r,
             (unsigned long long)(d->sent - d->recvd), cdesc(i));
    uint32_t sid = k->id * 2 + (1 - S[i].side);
    if (!trunc) {
        sfill(ebuf, sid, d->recvd, (size_t)r);
        if (memcmp(ebuf, b, (size_t)r) != 0) {
            long at = 0;
            while (ebuf[at] == b[at]) at++;
            fail("%s: byte %llu of stream %u is %#x, sent %#x (%ld bytes, peek %d)", cname[call],
                 (unsigned long long)(d->recvd + at), sid, b[at], ebuf[at], r, peek);
        }
        bytes_verified += r;
    }
    if (!peek) d->recvd += r;
}

static void got_eof(int i, int call) {
    conn_t *k = conn_of(i);
    if (!k || k->orphan) return;
    dir_t *d = &k->d[1 - S[i].side];
    /* (A connection that never reached a listener ends as Linux likes: error or 0.) */
    if (d->abort || d->rd_shut || d->rerr || S[i].rd_shut || k->noaccept || k->failed ||
        !k->accepted)
        return;
    if (!d->wr_shut)
        fail("%s: end of stream but the writer did not shut down (%s)", cname[call], cdesc(i));
    if (d->recvd != d->sent)
        fail("%s: end of stream after %llu of %llu bytes sent (%s)", cname[call],
             (unsigned long long)d->recvd, (unsigned long long)d->sent, cdesc(i));
    d->eof = 1; /* a real end of stream: no data may follow */
    eofs_checked++;
}

static void got_udp(int i, int call, const uint8_t *b, long r, size_t len, int flags,
                    const addr_t *from, socklen_t fl, int msgflags) {
    if (r == 0) return; /* an empty datagram (or no buffer) */
    size_t n = (size_t)r < len ? (size_t)r : len; /* bytes in the buffer */
    if (n >= 1 && b[0] != 0xD6) fail("%s: datagram byte 0 is %#x", cname[call], b[0]);
    if (n >= 2 && b[1] != 0x5A) fail("%s: datagram byte 1 is %#x", cname[call], b[1]);
    if (n < 10) {
        if ((size_t)r != len && !(flags & MSG_TRUNC))
            fail("%s: %ld-byte datagram shorter than a header, buffer %zu", cname[call], r, len);
        return;
    }
    uint32_t seq, dlen;
    memcpy(&seq, b + 2, 4);
    memcpy(&dlen, b + 6, 4);
    if (seq == 0 || seq >= nseq || nseq - seq >= RING)
        fail("%s: datagram with unknown sequence number %u", cname[call], seq);
    dg_t *d = &ring[seq % RING];
    if (d->seq != seq || d->len != dlen)
        fail("%s: datagram %u has length field %u, sent %u", cname[call], seq, dlen, d->len);
    size_t want = dlen < len ? dlen : len;
    if (flags & MSG_TRUNC) {
        if ((size_t)r != dlen) fail("%s MSG_TRUNC returned %ld for a %u-byte datagram", cname[call], r, dlen);
    } else if ((size_t)r != want) {
        fail("%s returned %ld for a %u-byte datagram into %zu bytes", cname[call], r, dlen, len);
    }
    if (msgflags >= 0 && ((msgflags & MSG_TRUNC) != 0) != (dlen > len))
        fail("recvmsg msg_flags %#x for a %u-byte datagram into %zu", msgflags, dlen, len);
    if (n > HDR) {
        sfill(ebuf, seq * 2 + 1, 0, n - HDR);
        if (memcmp(ebuf, b + HDR, n - HDR) != 0) fail("%s: datagram %u corrupted", cname[call], seq);
    }
    int me = slot_port(i);
    if (me && d->dst && d->dst != me) S[i].port = 0, me = slot_port(i); /* (the port may have changed) */
    for (int o = 0; o < 8; o++)
        if (S[i].oldport[o] == d->dst) me = d->dst;
    if (me && d->dst && d->dst != me)
        fail("%s: datagram %u sent to port %u arrived on port %d", cname[call], seq, d->dst, me);
    if (from && fl && d->src && port_of(from) != d->src)
        fail("%s: datagram %u from port %d, sent from %u", cname[call], seq, port_of(from), d->src);
    if (!(flags & MSG_PEEK)) {
        if (seen[seq / 8] & (1 << (seq % 8))) fail("%s: datagram %u received twice", cname[call], seq);
        seen[seq / 8] |= 1 << (seq % 8);
    }
    dgrams_verified++;
    bytes_verified += n;
}

/* One receive call on slot i; returns its result (and errno in *err). */
static long do_recv(int i, int fk, int fd, size_t len, int flags, int which, int *err) {
    int own = fk == FD_OWN;
    int udp = own && S[i].udp;
    struct iovec iov[8];
    int niov = 1 + rnd(8);
    size_t off = 0;
    for (int v = 0; v < niov; v++) {
        size_t part = v == niov - 1 ? len - off : rnd((uint32_t)(len - off + 1));
        iov[v].iov_base = rbuf + off;
        iov[v].iov_len = part;
        off += part;
    }
    addr_t from;
    socklen_t fl = sizeof from;
    memset(&from, 0, sizeof from);
    int msgflags = -1, call;
    long r;
    cur_slot = i;
    struct msghdr m;
    switch (which) {
    case 0: call = C_RECV; r = CALL(call, fk, len, recv(fd, rbuf, len, flags)); break;
    case 1: call = C_RECVFROM; r = CALL(call, fk, (flags & MSG_TRUNC) && udp ? (size_t)-1 : len, recvfrom(fd, rbuf, len, flags, &from.sa, &fl)); break;
    case 2: call = C_READ; r = CALL(call, fk, len, read(fd, rbuf, len)); break;
    case 3: call = C_READV; r = CALL(call, fk, len, readv(fd, iov, niov)); break;
    default:
        memset(&m, 0, sizeof m);
        m.msg_iov = iov;
        m.msg_iovlen = niov;
        m.msg_name = &from;
        m.msg_namelen = sizeof from;
        call = C_RECVMSG;
        r = CALL(call, fk, (flags & MSG_TRUNC) && udp ? (size_t)-1 : len, recvmsg(fd, &m, flags));
        if (r >= 0) msgflags = m.msg_flags, fl = m.msg_namelen;
    }
    *err = errno;
    if (which == 2 || which == 3) flags = 0; /* read/readv take no flags */
    if (!own) return r;
    if (r < 0) {
        conn_error(i, *err);
        return r;
    }
    if (udp) {
        got_udp(i, call, rbuf, r, len, flags, which == 1 || which == 4 ? &from : NULL,
                which == 1 || which == 4 ? fl : 0, which == 4 ? msgflags : -1);
        return r;
    }
    if (msgflags >= 0 && (msgflags & MSG_TRUNC)) fail("recvmsg on TCP set MSG_TRUNC");
    if (r == 0 && len > 0) {
        if (S[i].conn >= 0) got_eof(i, call);
        return r;
    }
    got_tcp(i, call, rbuf, r, (flags & MSG_PEEK) != 0, (flags & MSG_TRUNC) != 0);
    return r;
}

static void op_recv(int i) {
    int fk, fd = choose_fd(i, &fk, 1);
    int own = fk == FD_OWN;
    int udp = own && S[i].udp;
    size_t len = chance(70) ? pick_len() : MAXBUF;
    int flags = 0, r100 = rnd(100);
    if (r100 < 45) flags = MSG_DONTWAIT;
    else if (r100 < 60) flags = MSG_PEEK | MSG_DONTWAIT;
    else if (r100 < 65) flags = MSG_TRUNC | MSG_DONTWAIT;
    else if (r100 < 68) flags = UNKNOWN_FLAG | MSG_DONTWAIT;
    else if (r100 < 72) flags = MSG_WAITALL;
    int blockok = own && (S[i].nonblock || can_block_recv(i));
    if (!blockok) flags |= MSG_DONTWAIT;
    if ((flags & MSG_TRUNC) && udp) len = MAXBUF; /* the real length may exceed a short buffer */
    if ((flags & MSG_TRUNC) && udp && chance(50)) len = rnd(64);
    int which = rnd(5);
    if (!blockok && (which == 2 || which == 3)) which = 0;
    if (fk == FD_NOTSOCK && (which == 2 || which == 3)) which = 0;
    if ((flags & MSG_TRUNC) && udp && len < MAXBUF) which = 4; /* recvmsg: no length check */
    int e;
    if ((flags & MSG_TRUNC) && udp && which == 4) {
        /* recvmsg with MSG_TRUNC returns the datagram's length: no r <= len check. */
        struct iovec iov = {rbuf, len};
        addr_t from;
        struct msghdr m;
        memset(&m, 0, sizeof m);
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        m.msg_name = &from;
        m.msg_namelen = sizeof from;
        long r = CALL(C_RECVMSG, fk, (size_t)-1, recvmsg(fd, &m, flags));
        e = errno;
        if (r < 0) {
            conn_error(i, e);
            return;
        }
        got_udp(i, C_RECVMSG, rbuf, r, len, flags, &from, m.msg_namelen, m.msg_flags);
        return;
    }
    do_recv(i, fk, fd, len, flags, which, &e);
}

static void op_fionread(int i) {
    if (S[i].fd < 0) return;
    int n = -1;
    long r = CALL(C_IOCTL, FD_OWN, (size_t)-1, ioctl(S[i].fd, FIONREAD, &n));
    if (r < 0) return;
    if (n < 0) fail("FIONREAD returned %d", n);
    if (n == 0) return;
    int e;
    long got = do_recv(i, FD_OWN, S[i].fd, MAXBUF, MSG_DONTWAIT, 0, &e);
    if (got < 0 && e == EAGAIN) fail("FIONREAD said %d, recv EAGAIN", n);
    if (got >= 0 && !S[i].udp && got < n && got < MAXBUF) fail("FIONREAD said %d, recv returned %ld", n, got);
    if (got >= 0 && S[i].udp && got != n && !(n > MAXBUF)) fail("FIONREAD said %d, UDP recv returned %ld", n, got);
}

static void op_poll(void) {
    struct pollfd p[NSLOT + 3];
    int kind[NSLOT + 3], slot[NSLOT + 3];
    int n = 1 + rnd(NSLOT + 2);
    for (int k = 0; k < n; k++) {
        int i = rnd(NSLOT);
        slot[k] = i;
        int r = rnd(100);
        if (S[i].fd >= 0 && r >= 8) p[k].fd = S[i].fd, kind[k] = FD_OWN;
        else if (r < 3) p[k].fd = -1 - (int)rnd(3), kind[k] = -1;
        else p[k].fd = 700 + rnd(200), kind[k] = FD_BAD;
        p[k].events = (chance(70) ? POLLIN : 0) | (chance(50) ? POLLOUT : 0) | (chance(10) ? POLLPRI : 0);
        p[k].revents = (short)0x5a5a;
    }
    int t = chance(2) ? 1 + rnd(3) : 0;
    long r = CALL(C_POLL, FD_OWN, (size_t)n, poll(p, n, t));
    if (r < 0) return;
    int cnt = 0;
    for (int k = 0; k < n; k++) {
        if (p[k].revents) cnt++;
        if (kind[k] == -1 && p[k].revents) fail("poll: revents %#x for fd %d", p[k].revents, p[k].fd);
        if (kind[k] == FD_BAD && p[k].revents != POLLNVAL)
            fail("poll: revents %#x for closed fd %d", p[k].revents, p[k].fd);
        if (kind[k] == FD_OWN && (p[k].revents & ~(p[k].events | POLLERR | POLLHUP)))
            fail("poll: revents %#x for events %#x", p[k].revents, p[k].events);
    }
    if (cnt != r) fail("poll returned %ld, %d revents set", r, cnt);
    /* POLLIN then a non-blocking recv/accept must not say EAGAIN. */
    for (int k = 0; k < n; k++) {
        int i = slot[k];
        /* (After shutdown, Linux says POLLIN but a UDP recv can still be EAGAIN.) */
        if (kind[k] != FD_OWN || !(p[k].revents & POLLIN) || S[i].fd != p[k].fd || S[i].ever_shut)
            continue;
        if (S[i].listening) {
            if (free_slot() < 0) continue;
            int want = lowest_free();
            addr_t a;
            socklen_t l = sizeof a;
            long fd = CALL(C_ACCEPT4, FD_OWN, (size_t)-1, accept4(S[i].fd, &a.sa, &l, SOCK_NONBLOCK));
            if (fd < 0 && errno == EAGAIN) fail("poll said POLLIN on a listener, accept EAGAIN");
            if (fd >= 0) {
                /* Keep it like op_accept does (simplified: match by port). */
                if (fd != want) fail("accept returned %ld, lowest free is %d", fd, want);
                close(fd); /* rarely kept: close at once (graceful on our side) */
                ncalls[C_CLOSE]++;
                int pport = port_of(&a), matched = 0;
                for (int c = 0; c < NCONN; c++)
                    if (conns[c].used && !conns[c].accepted && !conns[c].noaccept &&
                        conns[c].lport == S[i].port && conns[c].cslot >= 0 &&
                        slot_port(conns[c].cslot) == pport) {
                        conns[c].cport = pport;
                        conns[c].accepted = 1;
                        conns[c].aclosed = 1;
                        conns[c].d[0].abort = conns[c].d[1].abort = 1;
                        matched = 1;
                    }
                for (int c = 0; c < NCONN && !matched; c++) /* (as in op_accept) */
                    if (conns[c].used && !conns[c].accepted && conns[c].lport == S[i].port &&
                        !conns[c].cport)
                        conns[c].orphan = 1;
            }
        } else {
            int e;
            long got = do_recv(i, FD_OWN, S[i].fd, MAXBUF, MSG_DONTWAIT | (chance(50) ? MSG_PEEK : 0), 0, &e);
            if (got < 0 && e == EAGAIN)
                fail("poll said POLLIN (%#x), recv EAGAIN (udp %d cstate %d conn %d)", p[k].revents,
                     S[i].udp, S[i].cstate, S[i].conn);
        }
        break;
    }
}

static void op_sockopt(int i) {
    int fk, fd = choose_fd(i, &fk, 1);
    int own = fk == FD_OWN;
    struct { int lvl, opt; } opts[] = {
        {SOL_SOCKET, SO_TYPE}, {SOL_SOCKET, SO_ERROR}, {SOL_SOCKET, SO_REUSEADDR},
        {SOL_SOCKET, SO_KEEPALIVE}, {SOL_SOCKET, SO_RCVBUF}, {SOL_SOCKET, SO_SNDBUF},
        {SOL_SOCKET, SO_RCVTIMEO}, {SOL_SOCKET, SO_SNDTIMEO}, {SOL_SOCKET, SO_LINGER},
        {SOL_SOCKET, SO_BROADCAST}, {SOL_SOCKET, SO_ACCEPTCONN}, {SOL_SOCKET, SO_DOMAIN},
        {SOL_SOCKET, SO_PROTOCOL}, {IPPROTO_TCP, TCP_NODELAY}, {IPPROTO_TCP, TCP_KEEPIDLE},
        {IPPROTO_TCP, TCP_KEEPINTVL}, {IPPROTO_TCP, TCP_KEEPCNT}, {IPPROTO_IP, IP_TTL},
        {IPPROTO_IPV6, IPV6_UNICAST_HOPS}, {IPPROTO_IPV6, IPV6_V6ONLY}, {SOL_SOCKET, 9999},
        {9999, 1}, {IPPROTO_TCP, 9999}};
    int k = rnd(sizeof opts / sizeof opts[0]);
    int lvl = opts[k].lvl, opt = opts[k].opt;
    union { int i; struct timeval tv; struct linger lg; char b[32]; } v;
    memset(&v, 0, sizeof v);
    socklen_t vl = sizeof(int);
    if (opt == SO_RCVTIMEO || opt == SO_SNDTIMEO) vl = sizeof v.tv;
    if (opt == SO_LINGER) vl = sizeof v.lg;
    if (chance(8) && opt != SO_ERROR) vl = rnd(3); /* (a short SO_ERROR would hide an error) */
    if (chance(50)) { /* get */
        socklen_t gl = vl;
        long r = CALL(C_GETSOCKOPT, fk, (size_t)-1, getsockopt(fd, lvl, opt, &v, &gl));
        if (r < 0 || !own || vl < sizeof(int)) return;
        if (gl > vl) fail("getsockopt length %u > %u", (unsigned)gl, (unsigned)vl);
        if (lvl == SOL_SOCKET && opt == SO_TYPE && v.i != (S[i].udp ? SOCK_DGRAM : SOCK_STREAM))
            fail("SO_TYPE %d", v.i);
        if (lvl == SOL_SOCKET && opt == SO_DOMAIN && v.i != S[i].fam) fail("SO_DOMAIN %d", v.i);
        if (lvl == SOL_SOCKET && opt == SO_PROTOCOL && v.i != (S[i].udp ? IPPROTO_UDP : IPPROTO_TCP))
            fail("SO_PROTOCOL %d", v.i);
        if (lvl == SOL_SOCKET && opt == SO_ACCEPTCONN && !S[i].ever_shut && v.i != S[i].listening)
            fail("SO_ACCEPTCONN %d, listening %d", v.i, S[i].listening);
        if (lvl == SOL_SOCKET && opt == SO_ERROR && v.i) {
            int e = v.i;
            /* (EINVAL, EADDRNOTAVAIL, EADDRINUSE: connect errors WASI reports late.) */
            if (e != ECONNREFUSED && e != ECONNRESET && e != ETIMEDOUT && e != EHOSTUNREACH &&
                e != ENETUNREACH && e != EPIPE && e != ECONNABORTED && e != EINVAL &&
                e != EADDRNOTAVAIL && e != EADDRINUSE)
                fail("SO_ERROR %s", errname(e));
            conn_error(i, e);
        }
        return;
    }
    /* set */
    switch (opt) {
    case SO_RCVTIMEO: case SO_SNDTIMEO: {
        int r = rnd(10);
        v.tv.tv_sec = 0;
        v.tv.tv_usec = r < 2 ? 0 : r < 9 ? 1000 + (int)rnd(3000) : -1 - (int)rnd(5);
        break;
    }
    case SO_LINGER:
        v.lg.l_onoff = chance(30);
        v.lg.l_linger = 0; /* l_onoff with a nonzero time would make close block */
        break;
    case SO_RCVBUF: case SO_SNDBUF:
        v.i = chance(10) ? -(int)rnd(100) : (int)rnd(300000);
        break;
    default:
        v.i = chance(80) ? (int)rnd(3) : (int)rnd(300) - 20;
    }
    if (trace) printf("  setsockopt(%d, %d, %d) = %d/%ld len %u\n", fd, lvl, opt, v.i, (long)v.tv.tv_usec, (unsigned)vl);
    long r = CALL(C_SETSOCKOPT, fk, (size_t)-1, setsockopt(fd, lvl, opt, &v, vl));
    if (r < 0 || !own) return;
    if (lvl == SOL_SOCKET && opt == SO_RCVTIMEO) S[i].rcvtimeo = v.tv.tv_usec > 0;
    if (lvl == SOL_SOCKET && opt == SO_SNDTIMEO) S[i].sndtimeo = v.tv.tv_usec > 0;
    if (lvl == SOL_SOCKET && opt == SO_LINGER) S[i].linger0 = v.lg.l_onoff;
}

static void op_shutdown(int i) {
    int fk, fd = choose_fd(i, &fk, 1);
    int how = chance(90) ? (int)rnd(3) : (chance(50) ? 3 : -1);
    /* Linux's shutdown on a connecting TCP socket disconnects it, and on a listener with SHUT_RD
     * stops listening: treat both as the end of the connection / listener. */
    long r = CALL(C_SHUTDOWN, fk, (size_t)-1, shutdown(fd, how));
    if (fk != FD_OWN) return;
    S[i].ever_shut = 1; /* (even when it fails, Linux may record the shutdown) */
    if (r < 0) return;
    if (S[i].udp) return;
    if (S[i].listening) {
        if (how == SHUT_RD || how == SHUT_RDWR) {
            listener_gone(S[i].port);
            S[i].listening = 0; /* (Linux: no longer listening) */
        }
        return;
    }
    conn_t *k = conn_of(i);
    if (!k) return;
    int s = S[i].side;
    /* On a connection not established yet, Linux disconnects (and the socket may connect
     * again): don't judge this connection. */
    if (!k->accepted && s == 0) {
        k->orphan = 1;
        S[i].cstate = 0;
        return;
    }
    if (how == SHUT_WR || how == SHUT_RDWR) k->d[s].wr_shut = 1, S[i].wr_shut = 1;
    if (how == SHUT_RD || how == SHUT_RDWR) k->d[1 - s].rd_shut = 1, S[i].rd_shut = 1;
}

static void op_fcntl(int i) {
    int fk, fd = choose_fd(i, &fk, 0);
    int r = rnd(10);
    if (r < 4) {
        long fl = CALL(C_FCNTL, fk, (size_t)-1, fcntl(fd, F_GETFL));
        if (fl >= 0 && fk == FD_OWN && ((fl & O_NONBLOCK) != 0) != S[i].nonblock)
            fail("F_GETFL O_NONBLOCK %d, expected %d", (fl & O_NONBLOCK) != 0, S[i].nonblock);
    } else if (r < 7) {
        if (fk != FD_OWN) {
            CALL(C_FCNTL, fk, (size_t)-1, fcntl(fd, F_SETFL, O_NONBLOCK));
            return;
        }
        set_nonblock(i, chance(50));
    } else if (r < 9) {
        long x = CALL(C_FCNTL, fk, (size_t)-1, fcntl(fd, chance(50) ? F_GETFD : F_SETFD, FD_CLOEXEC));
        (void)x;
    } else {
        if (CALL(C_FCNTL, fk, (size_t)-1, fcntl(fd, 12345, 0)) >= 0) fail("fcntl(12345) succeeded");
    }
}

static void op_ioctl(int i) {
    int fk, fd = choose_fd(i, &fk, 0);
    int r = rnd(10);
    if (r < 5 && fk == FD_OWN) {
        op_fionread(i);
    } else if (r < 8) {
        int on = chance(50);
        long x = CALL(C_IOCTL, fk, (size_t)-1, ioctl(fd, FIONBIO, &on));
        if (x == 0 && fk == FD_OWN) S[i].nonblock = on;
    } else {
        int v = 0;
        long x = CALL(C_IOCTL, fk, (size_t)-1, ioctl(fd, 0x5401, &v));
        if (x >= 0) fail("ioctl(TCGETS) on a socket succeeded");
    }
}

static void op_names(int i) {
    int fk, fd = choose_fd(i, &fk, 1);
    addr_t a;
    socklen_t l = chance(90) ? sizeof a : rnd(8);
    socklen_t want = l;
    if (chance(50)) {
        long r = CALL(C_GETSOCKNAME, fk, (size_t)-1, getsockname(fd, &a.sa, &l));
        if (r == 0 && fk == FD_OWN && want == sizeof a) {
            if (a.sa.sa_family != S[i].fam) fail("getsockname family %d", a.sa.sa_family);
            /* A listener's or explicitly bound socket's port never changes (others may: a
             * failed connect gives the port back). */
            if (S[i].port && port_of(&a) != S[i].port &&
                ((S[i].listening && !S[i].ever_shut) || (S[i].bound_explicit && S[i].udp)))
                fail("getsockname port %d, known %d", port_of(&a), S[i].port);
            if (port_of(&a)) S[i].port = port_of(&a);
        }
    } else {
        CALL(C_GETPEERNAME, fk, (size_t)-1, getpeername(fd, &a.sa, &l));
    }
}

/* ------------------------------------------------------------------------------------------ */

int main(int argc, char **argv) {
#ifndef __wasi__
    signal(SIGPIPE, SIG_IGN);
#endif
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 3) {
        fprintf(stderr, "usage: fuzz <seed> <ops>\n");
        return 2;
    }
    seed = strtoull(argv[1], NULL, 0);
    trace = getenv("FUZZ_TRACE") != NULL;
    nops = strtoull(argv[2], NULL, 0);
    printf("seed %llu\n", seed);
    printf("memory pages at start %zu\n", mem_pages());
    rs = seed * 0x9E3779B97F4A7C15ULL + 0x1234567;
    if (!rs) rs = 1;
    for (int k = 0; k < 65536; k++) T[k] = (uint8_t)(rnd64() >> 40);
    seen = calloc(MAXSEQ / 8, 1);
    if (!seen) return 2;
    for (int i = 0; i < NSLOT; i++) S[i].fd = -1, S[i].conn = -1;
    for (int fd = 0; fd < 1024; fd++) foreign[fd] = fcntl(fd, F_GETFD) >= 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (opno = 0; opno < nops; opno++) {
        int i = rnd(NSLOT);
        int r = rnd(1000);
        if (trace)
            printf("op %llu r=%d slot %d fd %d udp %d fam %d nb %d listen %d conn %d side %d\n", opno,
                   r, i, S[i].fd, S[i].udp, S[i].fam == AF_INET6 ? 6 : 4, S[i].nonblock,
                   S[i].listening, S[i].conn >= 0 ? (int)conns[S[i].conn].id : -1, S[i].side);
        if (r < 40) op_socket();
        else if (r < 70) op_bind(i);
        else if (r < 95) op_listen(i);
        else if (r < 160) op_connect(i);
        else if (r < 220) op_accept(i);
        else if (r < 480) op_send(i);
        else if (r < 740) op_recv(i);
        else if (r < 810) op_poll();
        else if (r < 870) op_sockopt(i);
        else if (r < 890) op_shutdown(i);
        else if (r < 925) { if (S[i].fd >= 0) close_slot(i); else CALL(C_CLOSE, FD_BAD, (size_t)-1, close(700 + rnd(200))); }
        else if (r < 945) op_fcntl(i);
        else if (r < 970) op_ioctl(i);
        else op_names(i);
    }
    opno = nops;
    for (int i = 0; i < NSLOT; i++) close_slot(i);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    int inuse = 0, lowest = -1;
    for (int fd = 0; fd < 1024; fd++) {
        if (fcntl(fd, F_GETFD) >= 0) inuse++;
        else if (lowest < 0) lowest = fd;
    }
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s != lowest) fail("after closing everything socket() returned %d, lowest free is %d", s, lowest);
    close(s);
    summary();
    printf("descriptors in use at end %d (lowest free %d)\n", inuse, lowest);
    printf("memory pages at end %zu\n", mem_pages());
    printf("%llu ops in %.1f s (%.0f ops/s)\n", nops, secs, secs > 0 ? nops / secs : 0);
    int nforeign = 0;
    for (int fd = 0; fd < 1024; fd++) nforeign += foreign[fd];
    if (inuse != nforeign) fail("%d descriptors in use after closing all sockets", inuse);
    printf("FUZZ OK\n");
    return 0;
}
