/*
 * Differential fuzzer against Linux (issue 13).
 *
 *     diff <seed> <ops>
 *
 * Runs a seeded sequence of socket operations on a few sockets of its own (TCP and UDP, IPv4 and
 * IPv6, on 127.0.0.1 / ::1; it connects to its own listeners and sends to its own UDP sockets)
 * and prints ONE LINE PER OPERATION: the operation, its arguments in platform-neutral form
 * (sockets by slot "s3", never descriptor numbers; addresses by what they are, never ports;
 * errno and poll events by name), its result and a checksum of the bytes it received. The same
 * program built natively (gcc, Linux as the oracle) and for wasm (bin/wasi-sockets-cc, under
 * wasmtime) must print the same lines; tests/fuzz/diff.py runs both, compares them and shrinks
 * a difference to the shortest prefix of operations that shows it.
 *
 * The sequence depends only on the seed: operation i draws its kind and arguments from its own
 * generator seeded by (seed, i), never from results. How an argument is read (which listener
 * "the t-th listener" is, whether a blocking call may block) depends on the fuzzer's model of
 * its sockets, which follows the results; as long as both runs agree, the models agree. So the
 * first <n> operations of a run of <ops> are exactly a run of <n>: shrinking is by prefix.
 *
 * DETERMINISM. Linux's loopback delivers synchronously: when send() returns, the bytes are in
 * the peer's receive queue; a connect to a listener has finished its handshake; a datagram to a
 * closed port has already brought back its ICMP error. Under wasmtime all of that happens a
 * little later, on the host's own schedule. So after every operation the fuzzer SETTLES: from
 * its model (bytes in flight per direction, end of stream sent, datagrams queued per socket,
 * connections pending per listener, connects under way, errors expected) it waits, with poll()
 * and FIONREAD and a bound of 2 s, until everything it expects has arrived. Settling only looks
 * (poll, FIONREAD), it never consumes. A settle that runs out prints a "settle" line: under
 * wasm it shows the library never delivered what Linux would have; natively it shows the
 * model is wrong (diff.py fails on it too). Blocking calls are made only when they cannot block:
 * a receive or accept on a blocking socket first looks (poll with timeout 0, FIONREAD for
 * MSG_WAITALL); if Linux would block, the call gets MSG_DONTWAIT (or is skipped, for accept),
 * unless a short SO_RCVTIMEO is set, which then ends it the same way on both. Data volumes are
 * small (at most 6000 bytes in flight per direction, 12 datagrams per socket, listeners never
 * past their backlog), so no buffer fills: POLLOUT and the amounts a send accepts are
 * deterministic.
 *
 * Not compared, because Linux itself does not make it deterministic: ports (only "nonzero"), the
 * values of SO_RCVBUF/SO_SNDBUF on a TCP socket that never set them (autotuning), the time left
 * in select's timeval.
 *
 * WASI-FORCED DIFFERENCES are kept out of the output by construction (each is also listed, with
 * its reason, in tests/deviations.md under fuzz_diff and in docs/differences.md):
 *  - every IPv6 socket gets IPV6_V6ONLY=1 and every TCP socket SO_REUSEADDR=1 when created
 *    (silently, on both), and the fuzzer never sets IPV6_V6ONLY=0, SO_REUSEADDR=0 on TCP or
 *    SO_REUSEADDR=1 on UDP: written when WASI sockets could only be so; the library now
 *    recreates dual-stack sockets and SO_REUSEADDR (docs/REFERENCE.md), which this fuzzer does
 *    not yet exercise;
 *  - no AF_UNIX socket by name (socket pairs only), no UDP connect to port 0, no broadcast, no
 *    sendto another address on a connected UDP socket (EISCONN), no non-loopback destinations,
 *    no IPV6_UNICAST_HOPS 0 nor a NULL IPv6-level value (a WASI host takes no hop limit 0);
 *  - SO_SNDBUF/SO_RCVBUF of an AF_UNIX socket set at or above Linux's stock limit (212992,
 *    net.core.wmem_max/rmem_max): a machine's sysctl may raise it and a WASI program cannot
 *    read it, so those values print as "the stock limit or above";
 *  - the local address of a connect under way or failed (a WASI host reports none then);
 *  - OPAQUE sockets: where Linux resets a connection and a WASI host cannot (close or
 *    connect(AF_UNSPEC) with unread data or SO_LINGER {1,0}: Linux sends RST, a WASI guest can
 *    only close; a listener closed with connections queued: wasmtime has already accepted one
 *    of them, which then sees FIN instead of RST; data sent to a peer that has closed, or shut
 *    down both ways: the RST is invisible to WASI on the side whose input is gone; a connected
 *    UDP socket whose datagram met a closed port: wasmtime reports the ICMP error only when its
 *    readiness tracking happens to look), both ends of
 *    that connection become opaque: operations on them still run (no trap, no hang) but print
 *    "~" instead of their result, and settling skips them (and never blocks on them). A UDP
 *    socket an opaque one sends to becomes opaque too (the send may fail on one side only).
 * Not emulated by the library, so kept out as well: connections of a listener that was shut
 * down before it listened (opaque), bind after a TCP connection ended (skipped).
 *
 * FEATURES, off by default, each one entry in the OPS table below, built on both sides with
 * `diff.py --features dup,channels,epoll`: -DDIFF_DUP (dup, dup2), -DDIFF_CHANNELS (socketpair,
 * pipe: the library's in-guest channels) and -DDIFF_EPOLL (epoll_create1, epoll_ctl,
 * epoll_wait). All three run clean; `make test` runs with them.
 *
 * Stats (not compared) go to stderr as one "diff-stats ..." line.
 */
#include "../c/t.h"

#include <stdarg.h>
#include <sys/select.h>
#include <sys/time.h>
#ifdef DIFF_EPOLL
#include <sys/epoll.h>
#endif
#ifdef DIFF_CHANNELS
#include <sys/un.h>
#endif

#define NSLOT 8
#define NOBJ 96
#define NCONN 96
#define MAXQ 16
#define QCAP 12           /* datagrams queued per socket at most (sends beyond are skipped) */
#define INFLIGHT 6000     /* stream bytes in flight per direction at most */
#define SETTLE_MS 2000
#define BADFD 999
#define RCVTIMEO_US 8000  /* the short receive timeout (a multiple of 4 ms: HZ=250 rounds) */

/* ------------------------------------------------------------------------------------------ */
/* Per-operation generator: splitmix64 seeded by (seed, op index) */

static uint64_t g_seed, rs;
static uint64_t rnd64(void) {
    uint64_t z = (rs += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static int rnd(int n) { return n > 0 ? (int)((rnd64() >> 33) % (uint64_t)n) : 0; }
static int chance(int pct) { return rnd(100) < pct; }

/* ------------------------------------------------------------------------------------------ */
/* The output line */

static char L[8192];
static size_t LN;
static void P(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void P(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(L + LN, sizeof L - LN, fmt, ap);
    va_end(ap);
    if (n > 0) LN += (size_t)n;
    if (LN >= sizeof L) LN = sizeof L - 1;
}
static void endline(void) {
    puts(L);
    LN = 0;
    L[0] = 0;
}

/* Stats (stderr) */
static unsigned long long st_ops, st_waits, st_settle_fail, st_masked, st_skipped, st_bytes,
    st_dgrams, st_block;

/* ------------------------------------------------------------------------------------------ */
/* Model */

enum { K_FREE, K_TCP, K_UDP, K_USTREAM, K_UDGRAM, K_PIPER, K_PIPEW, K_EPOLL };
static const char *kname[] = {"-", "TCP", "UDP", "USTREAM", "UDGRAM", "PIPE_R", "PIPE_W", "EPOLL"};

typedef struct {
    int kind, fam, refs;
    int nonblock;
    int port, bound;       /* local port (learnt with getsockname; 0: unknown), bound by bind() */
    int portlock;          /* bind() named the port (Linux keeps only such a port on disconnect) */
    int listening, cap, npend, pend[8];
    int conn, side;        /* stream connection (-1: none), which end */
    int connecting;        /* a connect under way that settling has not seen finish */
    int rd_shut, wr_shut;
    int err;               /* an asynchronous error is expected (refused connect, ICMP) */
    int opq;               /* results not compared (see the header) */
    int rcvtimeo;          /* the short SO_RCVTIMEO is set: a blocking receive ends by itself */
    int sndtimeo;          /* a short SO_SNDTIMEO is set: see op_connect */
    int bufset;            /* SO_RCVBUF (1) / SO_SNDBUF (2) set: their values are stable */
    int linger0;
    int failaddr;          /* TCP: a connect attempt failed or is failing: its local address is
                              not compared (a WASI host reports none then) */
    int dirty;             /* sent since the last settle: wait until writable */
    int upeer;             /* UDP: connected to this port (0: not connected) */
    int qn, qlen[MAXQ];    /* datagrams expected in the receive queue */
    int peer;              /* UDGRAM pair / pipe: the other end's object (-1: closed) */
    int dead_peer;         /* UDGRAM: the peer closed, and no send found out yet */
    int inh_unsure;        /* accepted after its listener's options changed: see op_accept */
    int ep_n, ep_obj[NSLOT * 2], ep_ev[NSLOT * 2]; /* epoll interest list */
} obj_t;

typedef struct {
    int used, opq;
    uint32_t id;
    int end[2];            /* objects: [0] connector, [1] acceptor; -1 when closed or not accepted */
    int closed[2];         /* that end was closed */
    int fin[2];            /* that end sent FIN (shutdown(SHUT_WR) or close) */
    int listener;          /* the listener it is queued on (-1: accepted or gone) */
    int unsure;            /* the listener's options changed while it was queued */
    uint64_t sent[2], got[2]; /* direction d: bytes sent by end d, bytes end 1-d consumed */
} conn_t;

static obj_t O[NOBJ];
static conn_t C[NCONN];
static int slot_fd[NSLOT], slot_obj[NSLOT];
static uint32_t next_conn_id = 1, next_dgram = 1;

static int new_obj(int kind, int fam) {
    for (int i = 0; i < NOBJ; i++)
        if (O[i].kind == K_FREE) {
            memset(&O[i], 0, sizeof O[i]);
            O[i].kind = kind;
            O[i].fam = fam;
            O[i].conn = -1;
            O[i].peer = -1;
            return i;
        }
    printf("FUZZER BUG: object table full\n");
    exit(3);
}
static int new_conn(void) {
    for (int c = 0; c < NCONN; c++)
        if (!C[c].used) {
            memset(&C[c], 0, sizeof C[c]);
            C[c].used = 1;
            C[c].id = next_conn_id++;
            C[c].end[0] = C[c].end[1] = C[c].listener = -1;
            return c;
        }
    printf("FUZZER BUG: connection table full\n");
    exit(3);
}
static void maybe_free_conn(int c) {
    if (C[c].end[0] < 0 && C[c].end[1] < 0 && C[c].listener < 0) C[c].used = 0;
}
static int is_stream(int k) { return k == K_TCP || k == K_USTREAM; }
static int is_dgram(int k) { return k == K_UDP || k == K_UDGRAM; }

static int obj_opq_depth(int o, int depth) {
    if (o < 0) return 0;
    if (O[o].opq) return 1;
    /* An epoll instance's readiness is its items': an opaque one makes it opaque. */
    for (int i = 0; O[o].kind == K_EPOLL && depth < 8 && i < O[o].ep_n; i++)
        if (obj_opq_depth(O[o].ep_obj[i], depth + 1)) return 1;
    return O[o].conn >= 0 && C[O[o].conn].opq;
}
static int obj_opq(int o) { return obj_opq_depth(o, 0); }
static void conn_opaque(int c) {
    if (c < 0) return;
    C[c].opq = 1;
    for (int k = 0; k < 2; k++)
        if (C[c].end[k] >= 0) O[C[c].end[k]].opq = 1;
}
static int slot_of(int o) {
    for (int s = 0; s < NSLOT; s++)
        if (slot_fd[s] >= 0 && slot_obj[s] == o) return s;
    return -1;
}

/* End k of connection c sends its FIN: a peer shut down both ways (its FIN out) no longer reads
 * its host stream under WASI, so it cannot see this FIN (Linux goes to TCP_CLOSE): opaque. */
static void fin_to(int c, int k) {
    int peer = C[c].end[1 - k];
    if (peer >= 0 && O[peer].kind == K_TCP && O[peer].rd_shut && C[c].fin[1 - k]) conn_opaque(c);
}

/* Stream bytes: byte k of direction d of connection id. */
static uint8_t sbyte(uint32_t id, int d, uint64_t k) {
    uint32_t x = (uint32_t)(k * 2654435761u) ^ (id * 40503u) ^ (uint32_t)(d * 0x9e37u) ^ (uint32_t)(k >> 9);
    return (uint8_t)(x ^ (x >> 13) ^ (x >> 7));
}
static uint8_t sbuf[16384], rbuf[16384 + 64];
static void fill_stream(int c, int d, size_t n) {
    for (size_t i = 0; i < n; i++) sbuf[i] = sbyte(C[c].id, d, C[c].sent[d] + i);
}
static void fill_dgram(uint32_t id, size_t n) {
    for (size_t i = 0; i < n; i++) sbuf[i] = (uint8_t)((id * 131u + i * 7u) ^ (i >> 3) ^ 0xa5u);
}
static uint32_t fnv(const uint8_t *b, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 16777619u;
    return h;
}

/* ------------------------------------------------------------------------------------------ */
/* Hidden helpers (called identically on both sides; they only look) */

static int lowest_free(void) {
    for (int fd = 0; fd < 4096; fd++)
        if (fcntl(fd, F_GETFD) < 0) return fd;
    return -1;
}
static int learn_port(int o) {
    int s = slot_of(o);
    if (s < 0 || !(O[o].kind == K_TCP || O[o].kind == K_UDP)) return 0;
    addr_t a;
    socklen_t l = sizeof a;
    if (getsockname(slot_fd[s], &a.sa, &l) == 0 && port_of(&a) > 0) O[o].port = port_of(&a);
    else O[o].port = 0;
    if (!O[o].port && !obj_opq(o)) P(" [no port]"); /* (every caller expects one) */
    return O[o].port;
}
/* The slot whose socket has local port p (family, kind), for naming a peer: "s3" or "other". */
static const char *port_name(int fam, int kind, int port) {
    static char ring[4][16];
    static int next;
    char *b = ring[next++ % 4];
    if (port == 0) return "port0";
    for (int s = 0; s < NSLOT; s++) {
        int o = slot_obj[s];
        if (slot_fd[s] >= 0 && O[o].kind == kind && O[o].fam == fam && O[o].port == port &&
            !O[o].listening) {
            snprintf(b, 16, "s%d", s);
            return b;
        }
    }
    for (int s = 0; s < NSLOT; s++) {
        int o = slot_obj[s];
        if (slot_fd[s] >= 0 && O[o].kind == kind && O[o].fam == fam && O[o].port == port) {
            snprintf(b, 16, "s%d", s);
            return b;
        }
    }
    return "other";
}
static void show_sa(const addr_t *a, socklen_t len, int kind) {
    if (len == 0) {
        P(" addr=none");
        return;
    }
    int f = a->sa.sa_family;
    if (f != AF_INET && f != AF_INET6) {
        P(" addr=%s", famname(f));
        return;
    }
    char host[64] = "?";
    inet_ntop(f, f == AF_INET ? (const void *)&a->in.sin_addr : (const void *)&a->in6.sin6_addr, host,
              sizeof host);
    socklen_t want = f == AF_INET ? sizeof a->in : sizeof a->in6;
    P(" addr=%s %s %s%s", famname(f), host, port_name(f, kind, port_of(a)),
      len == want ? "" : " len!=sizeof");
}

static long elapsed_ms(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}
static short revents_of(int fd, short events, int ms) {
    struct pollfd p = {fd, events, 0};
    if (poll(&p, 1, ms) < 0) return 0;
    return p.revents;
}
static int fionread(int fd) {
    int n = -1;
    if (ioctl(fd, FIONREAD, &n) < 0) return -1;
    return n;
}

/* ------------------------------------------------------------------------------------------ */
/* Settling */

static int settle_line_open;
static void settle_fail(int o, const char *what, long have, long want) {
    st_settle_fail++;
    printf("settle s%d %s: have %ld, want %ld\n", slot_of(o), what, have, want);
    O[o].opq = 1; /* (one failure is enough: stop judging it) */
}

/* Wait (bounded) until `fd`'s revents for `events` include one of `bits`. */
static int wait_bits(int o, int fd, short events, short bits, const char *what) {
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    short r;
    int waited = 0;
    while (!((r = revents_of(fd, events, 0)) & bits)) {
        if (elapsed_ms(&t0) > SETTLE_MS) {
            settle_fail(o, what, r, bits);
            return 0;
        }
        waited = 1;
        revents_of(fd, events, 10);
    }
    st_waits += waited;
    return 1;
}

static uint64_t inq_of(int o) {
    int c = O[o].conn;
    if (c < 0) return 0;
    int d = 1 - O[o].side;
    return C[c].sent[d] - C[c].got[d];
}

static void settle_obj(int o) {
    int s = slot_of(o);
    if (s < 0 || obj_opq(o)) return;
    int fd = slot_fd[s];
    obj_t *b = &O[o];
    if (b->kind == K_EPOLL || b->kind == K_PIPEW) return;
    if (b->connecting) {
        wait_bits(o, fd, POLLIN | POLLOUT, POLLIN | POLLOUT | POLLERR | POLLHUP, "connect");
        b->connecting = 0;
        if (b->conn >= 0 && !b->port) { /* connected to an own listener: learn its port */
            addr_t a;
            socklen_t l = sizeof a;
            if (getsockname(fd, &a.sa, &l) == 0 && port_of(&a) > 0) b->port = port_of(&a);
            else settle_fail(o, "port after connect", 0, 1);
        }
    }
    if (b->listening && b->npend > 0) wait_bits(o, fd, POLLIN, POLLIN, "pending connection");
    if (is_stream(b->kind) || b->kind == K_PIPER) {
        int c = b->conn;
        if (c >= 0) {
            int d = 1 - b->side;
            uint64_t inq = inq_of(o);
            if (inq > 0) {
                struct timespec t0;
                clock_gettime(CLOCK_MONOTONIC, &t0);
                int n, waited = 0;
                while ((n = fionread(fd)) < (long)inq) {
                    if (elapsed_ms(&t0) > SETTLE_MS) break;
                    waited = 1;
                    revents_of(fd, POLLIN, 10);
                }
                st_waits += waited;
                if (n != (long)inq) settle_fail(o, "FIONREAD", n, (long)inq);
            }
            if (C[c].fin[d] && inq == 0) /* (a pipe's read end says POLLHUP only) */
                wait_bits(o, fd, POLLIN, POLLIN | POLLHUP, "end of stream");
            if (C[c].fin[d] && inq > 0 && b->wr_shut) wait_bits(o, fd, POLLIN, POLLHUP, "end of stream (HUP)");
        }
    }
    if (is_dgram(b->kind) && b->qn > 0 && !b->err) { /* (an error comes first: see below) */
        /* The first datagram expected: FIONREAD is its length (POLLIN alone could be a shutdown). */
        if (b->qlen[0] > 0) {
            struct timespec t0;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            int n, waited = 0;
            while ((n = fionread(fd)) != b->qlen[0] && elapsed_ms(&t0) <= SETTLE_MS) {
                waited = 1;
                revents_of(fd, POLLIN, 10);
            }
            st_waits += waited;
            if (n != b->qlen[0]) settle_fail(o, "datagram (FIONREAD)", n, b->qlen[0]);
        } else { /* an empty one: FIONREAD says 0 either way, POLLIN may be a shutdown: peek */
            struct timespec t0;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            char one;
            long n;
            int waited = 0;
            while ((n = recv(fd, &one, 1, MSG_PEEK | MSG_DONTWAIT)) < 0 && errno == EAGAIN &&
                   elapsed_ms(&t0) <= SETTLE_MS) {
                waited = 1;
                revents_of(fd, POLLIN, 10);
            }
            st_waits += waited;
            if (n != 0) settle_fail(o, "empty datagram (peek)", n, 0);
        }
    }
    if (b->err) wait_bits(o, fd, 0, POLLERR, "error");
    if (b->dirty && !b->wr_shut && b->kind != K_PIPER)
        wait_bits(o, fd, POLLOUT, POLLOUT, "writable");
    b->dirty = 0;
}
static void settle_all(void) {
    (void)settle_line_open;
    for (int o = 0; o < NOBJ; o++)
        if (O[o].kind != K_FREE && O[o].refs > 0) settle_obj(o);
}

/* ------------------------------------------------------------------------------------------ */
/* Results */

static int cur_opq; /* the current operation's result is not compared */
static void res(long r, int e) {
    if (cur_opq) {
        P(" -> ~");
        st_masked++;
    } else if (r < 0)
        P(" -> %ld %s", r, errname(e));
    else
        P(" -> %ld", r);
}
static void skip(const char *why) {
    P(" -> skipped (%s)", why);
    st_skipped++;
}

/* Connection-level errors seen by a call clear the model's expected error. */
static void saw_error(int o, int e) {
    if (o < 0) return;
    if (e == ECONNREFUSED || e == ECONNRESET || e == EPIPE || e == ECONNABORTED ||
        e == EHOSTUNREACH || e == ENETUNREACH || e == ETIMEDOUT)
        O[o].err = 0;
}

/* A slot for an operation: mostly one that holds a descriptor (the n-th of those), sometimes
 * any slot (an empty one means a closed descriptor). */
static int pick_slot(void) {
    int r = rnd(1 << 20), used[NSLOT], n = 0;
    for (int s = 0; s < NSLOT; s++)
        if (slot_fd[s] >= 0) used[n++] = s;
    if (n == 0 || chance(8)) return r % NSLOT;
    return used[r % n];
}

/* A descriptor for the next call: the slot's, or sometimes a bad one or stdout. */
enum { FD_OWN, FD_BAD, FD_STDOUT, FD_NEG };
static int pick_fd(int s, int *kind, int stdout_ok) {
    int r = rnd(100);
    if (r < 2) {
        *kind = FD_NEG;
        return -1;
    }
    if (slot_fd[s] < 0 || r < 5) {
        *kind = FD_BAD;
        return BADFD;
    }
    if (stdout_ok && r < 7) {
        *kind = FD_STDOUT;
        return 1;
    }
    *kind = FD_OWN;
    return slot_fd[s];
}
static void show_fd(int s, int kind) {
    if (kind == FD_OWN) {
        int o = slot_obj[s];
        P(" s%d(%s%s%s)", s, kname[O[o].kind],
          O[o].kind == K_TCP || O[o].kind == K_UDP ? (O[o].fam == AF_INET6 ? "6" : "4") : "",
          O[o].nonblock ? " nb" : "");
    } else
        P(" %s", kind == FD_BAD ? "badfd" : kind == FD_NEG ? "fd-1" : "stdout");
}

/* ------------------------------------------------------------------------------------------ */
/* Closing */

static void obj_closed(int o) {
    obj_t *b = &O[o];
    if (b->kind == K_TCP || b->kind == K_USTREAM || b->kind == K_PIPER || b->kind == K_PIPEW) {
        int c = b->conn;
        if (c >= 0) {
            int k = b->side;
            /* Linux resets instead of FIN when unread data is left (or SO_LINGER {1,0}); a
             * WASI guest can only close. AF_UNIX channels live in the guest: no difference. */
            if (b->kind == K_TCP && (inq_of(o) > 0 || b->linger0)) conn_opaque(c);
            if (b->kind == K_TCP) fin_to(c, k);
            C[c].fin[k] = 1;
            C[c].closed[k] = 1;
            C[c].end[k] = -1;
            maybe_free_conn(c);
        }
    }
    if (b->listening) {
        for (int i = 0; i < b->npend; i++) {
            int c = b->pend[i];
            conn_opaque(c);
            C[c].listener = -1;
            maybe_free_conn(c);
        }
        b->npend = 0;
        b->listening = 0;
    }
    if (b->peer >= 0 && O[b->peer].peer == o) {
        /* (A datagram pair: the survivor keeps its queue until a send of its finds the peer
         * gone, ECONNREFUSED: see op_send, or it disconnects.) */
        O[b->peer].dead_peer = b->kind == K_UDGRAM;
        O[b->peer].peer = -1;
    }
    /* Drop it from every epoll interest list. */
    for (int e = 0; e < NOBJ; e++)
        if (O[e].kind == K_EPOLL)
            for (int i = 0; i < O[e].ep_n; i++)
                if (O[e].ep_obj[i] == o) {
                    O[e].ep_n--;
                    O[e].ep_obj[i] = O[e].ep_obj[O[e].ep_n];
                    O[e].ep_ev[i] = O[e].ep_ev[O[e].ep_n];
                    i--;
                }
    b->kind = K_FREE;
}

/* close() a slot's descriptor (printing " close sN -> r" into the line). */
static void close_slot(int s, int named) {
    int o = slot_obj[s];
    int opq = obj_opq(o);
    errno = 0;
    long r = close(slot_fd[s]);
    int e = errno;
    if (named) P(" close s%d", s);
    int save = cur_opq;
    cur_opq = 0;
    res(r, e);
    cur_opq = save;
    (void)opq;
    slot_fd[s] = -1;
    if (--O[o].refs == 0) obj_closed(o);
}
/* Make slot s free (closing what it holds) for a new descriptor. */
static void free_slot(int s) {
    if (slot_fd[s] >= 0) {
        P(" [");
        close_slot(s, 1);
        P(" ]");
    }
}
static void put_slot(int s, int fd, int o) {
    slot_fd[s] = fd;
    slot_obj[s] = o;
    O[o].refs++;
}

/* ------------------------------------------------------------------------------------------ */
/* Addresses */

static socklen_t lo(addr_t *a, int fam, int port) { return loopback(a, fam, port); }

/* A length short of a full address, the same on both sides: Linux's sockaddr_in6 is 28 bytes,
 * wasi-libc's 32 (24..27 are still accepted: an address without sin6_scope_id). */
static socklen_t short_len(int fam) { return (socklen_t)((fam == AF_INET ? 16 : 28) - 1 - rnd(8)); }

/* The i-th (mod n) object matching a predicate; -1 if none. */
static int nth_obj(int i, int (*pred)(int o, int arg), int arg) {
    int c[NOBJ], n = 0;
    for (int s = 0; s < NSLOT; s++) {
        int o = slot_obj[s];
        if (slot_fd[s] < 0) continue;
        int dup = 0;
        for (int k = 0; k < n; k++) dup |= c[k] == o;
        if (!dup && pred(o, arg)) c[n++] = o;
    }
    return n ? c[i % n] : -1;
}
static int p_listener(int o, int fam) {
    return O[o].kind == K_TCP && O[o].listening && O[o].fam == fam && O[o].port &&
           O[o].npend < O[o].cap && !obj_opq(o);
}
/* (Never an opaque socket: what happens at its port is not comparable.) */
static int p_udp(int o, int fam) { return O[o].kind == K_UDP && O[o].fam == fam && O[o].port && !obj_opq(o); }
/* (Not a port connect chose: Linux may share it with other connections, of any program on
 * the machine, which decide whether a bind to it works.) */
static int p_tcp_port(int o, int fam) {
    return O[o].kind == K_TCP && O[o].fam == fam && O[o].port && !obj_opq(o) &&
           (O[o].bound || O[o].listening);
}

/* ------------------------------------------------------------------------------------------ */
/* Operations */

static void op_socket(void) {
    int s = rnd(NSLOT);
    int udp = chance(45), fam = chance(50) ? AF_INET6 : AF_INET;
    int nb = chance(50), cloexec = chance(30);
    int proto = chance(20) ? (udp ? IPPROTO_UDP : IPPROTO_TCP) : 0;
    int type = udp ? SOCK_DGRAM : SOCK_STREAM;
    int bad = rnd(100), xfam = fam;
    const char *badname = "";
    if (bad < 2) xfam = 12345, badname = " family=12345";
    else if (bad < 4) type = 77, badname = " type=77";
    else if (bad < 6) proto = udp ? IPPROTO_TCP : IPPROTO_UDP, badname = " proto=mismatch";
    else if (bad < 7) type |= 0x100000, badname = " type|=0x100000";
    P("socket s%d %s%s%s%s%s%s", s, udp ? "UDP" : "TCP", fam == AF_INET6 ? "6" : "4", nb ? " NONBLOCK" : "",
      cloexec ? " CLOEXEC" : "", proto ? " proto" : "", badname);
    free_slot(s);
    int want = lowest_free();
    errno = 0;
    int fd = socket(xfam, type | (nb ? SOCK_NONBLOCK : 0) | (cloexec ? SOCK_CLOEXEC : 0), proto);
    int e = errno;
    if (fd < 0) {
        res(fd, e);
        return;
    }
    P(" -> ok%s", fd == want ? "" : " (not the lowest free descriptor)");
    if (bad < 7) { /* (Linux took it: keep nothing unexpected) */
        close(fd);
        P(" (closed)");
        return;
    }
    int o = new_obj(udp ? K_UDP : K_TCP, fam);
    O[o].nonblock = nb;
    put_slot(s, fd, o);
    int one = 1;
    if (fam == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0)
        P(" IPV6_V6ONLY failed: %s", errname(errno));
    if (!udp && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        P(" SO_REUSEADDR failed: %s", errname(errno));
}

static void op_close(void) {
    int s = pick_slot();
    if (slot_fd[s] < 0 || chance(3)) {
        int fd = chance(50) ? BADFD : -1;
        P("close %s", fd < 0 ? "fd-1" : "badfd");
        errno = 0;
        long r = close(fd);
        res(r, errno);
        return;
    }
    int o = slot_obj[s];
    P("close s%d (%s%s)", s, kname[O[o].kind],
      obj_opq(o) ? " opaque" : O[o].listening ? " listening" : O[o].conn >= 0 ? " connected" : O[o].port ? " bound" : "");
    close_slot(s, 0);
}

static void op_bind(void) {
    int s = pick_slot(), t = rnd(NSLOT), v = rnd(100);
    int fk, fd = pick_fd(s, &fk, 1);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    int fam = o >= 0 && (O[o].kind == K_TCP || O[o].kind == K_UDP) ? O[o].fam : AF_INET;
    int kind = o >= 0 ? O[o].kind : K_TCP;
    addr_t a;
    socklen_t len = lo(&a, fam, 0);
    const char *what = "lo:0";
    int explicit_port = 0;
    if (v < 55) {
    } else if (v < 65) {
        if (fam == AF_INET) a.in.sin_addr.s_addr = htonl(INADDR_ANY);
        else a.in6.sin6_addr = in6addr_any;
        what = "any:0";
    } else if (v < 80) {
        int to = nth_obj(t, kind == K_UDP ? p_udp : p_tcp_port, fam);
        if (to >= 0) {
            len = lo(&a, fam, O[to].port);
            explicit_port = 1;
            static char b[32];
            snprintf(b, sizeof b, "lo:port-of-s%d", slot_of(to));
            what = b;
        }
    } else if (v < 85) {
        len = lo(&a, fam == AF_INET ? AF_INET6 : AF_INET, 0);
        what = "other-family";
    } else if (v < 90) {
        len = short_len(fam);
        what = "short-len";
    } else if (v < 94) {
        if (fam == AF_INET) a.in.sin_addr.s_addr = htonl(0xC0000201);
        else a.in6.sin6_addr.s6_addr[0] = 0x20, a.in6.sin6_addr.s6_addr[1] = 0x01,
             a.in6.sin6_addr.s6_addr[2] = 0x0d, a.in6.sin6_addr.s6_addr[3] = 0xb8;
        what = "non-local";
    } else if (v < 97) {
        a.sa.sa_family = AF_UNSPEC;
        what = "AF_UNSPEC";
    } else {
        what = "NULL";
    }
    P("bind");
    show_fd(s, fk);
    P(" %s", what);
    if (o >= 0 && O[o].kind == K_TCP &&
        (obj_opq(o) || (O[o].conn >= 0 && C[O[o].conn].fin[0] && C[O[o].conn].fin[1]))) {
        /* Linux lets a socket whose connection ended bind again (its port went back); the
         * library does not emulate it (listed in deviations.md). Whether an opaque socket's
         * connection ended may differ between the runs (its results were not compared). */
        skip(obj_opq(o) ? "opaque" : "bind after the connection ended");
        return;
    }
    cur_opq = obj_opq(o);
    errno = 0;
    long r = bind(fd, v >= 97 ? NULL : &a.sa, len);
    res(r, errno);
    if (r == 0 && o >= 0) {
        O[o].bound = 1;
        O[o].portlock = explicit_port;
        O[o].failaddr = 0;
        learn_port(o);
    }
}

static void op_listen(void) {
    int s = pick_slot();
    int fk, fd = pick_fd(s, &fk, 1);
    static const int bls[] = {0, 1, 2, 3, 5, -1, 128};
    int bl = bls[rnd(7)];
    P("listen");
    show_fd(s, fk);
    P(" backlog=%d", bl);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    cur_opq = obj_opq(o);
    errno = 0;
    long r = listen(fd, bl);
    int e = errno;
    res(r, e);
    /* A WASI socket is lost after a failed listen: the library binds a new one to the same
     * address, which fails while another socket listens there (Linux keeps the port; see
     * deviations.md). What the socket is then is not compared. */
    if (r < 0 && e == EADDRINUSE && o >= 0 && O[o].kind == K_TCP) O[o].opq = 1;
    if (r == 0 && o >= 0 && O[o].kind == K_TCP) {
        O[o].listening = 1;
        /* (failaddr stays: the address a failed connect chose may stay for the listener, when
         * an earlier bind named one: Linux's SOCK_BINDADDR_LOCK outlives that bind.) */
        O[o].err = 0; /* (a listener's poll reports no pending error) */
        O[o].cap = bl == 0 ? 1 : bl < 0 || bl > 3 ? 3 : bl;
        learn_port(o);
    }
}

static void op_connect(void) {
    int s = pick_slot(), t = rnd(NSLOT), v = rnd(100);
    int fk, fd = pick_fd(s, &fk, 1);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    int kind = o >= 0 ? O[o].kind : K_TCP;
    int fam = o >= 0 && (kind == K_TCP || kind == K_UDP) ? O[o].fam : AF_INET;
    addr_t a;
    socklen_t len = lo(&a, fam, 1);
    const char *what = "refused";
    int target = -1, refused = 1, unspec = 0, null = 0;
    static char b[48];
    if (v < 65) {
        target = kind == K_UDP ? nth_obj(t, p_udp, fam) : nth_obj(t, p_listener, fam);
        if (target >= 0 && kind == K_TCP && O[o].port == O[target].port) target = -1; /* self */
        if (target >= 0) {
            len = lo(&a, fam, O[target].port);
            snprintf(b, sizeof b, "%s(s%d)", kind == K_UDP ? "udp" : "listener", slot_of(target));
            what = b;
            refused = 0;
        }
    } else if (v < 78) {
    } else if (v < 86) {
        a.sa.sa_family = AF_UNSPEC;
        what = "AF_UNSPEC";
        refused = 0, unspec = 1;
    } else if (v < 90) {
        len = lo(&a, fam == AF_INET ? AF_INET6 : AF_INET, 1);
        what = "other-family";
        refused = 0;
    } else if (v < 95) {
        len = short_len(fam); /* (to port 1: 24..27 bytes still make an IPv6 address) */
        what = "short-len";
    } else {
        what = "NULL";
        refused = 0, null = 1;
    }
    P("connect");
    show_fd(s, fk);
    P(" %s", what);
    if (o >= 0 && kind == K_TCP && !O[o].nonblock && O[o].sndtimeo && O[o].conn < 0 &&
        !O[o].listening) {
        /* Linux's loopback handshake is done inside connect(); a WASI host's takes its time,
         * which a short SO_SNDTIMEO may not give it on a loaded machine. */
        skip("a short SO_SNDTIMEO");
        return;
    }
    cur_opq = obj_opq(o);
    /* An opaque socket's connect may succeed on one side only: the listener it reaches
     * becomes opaque too (and is not accepted from: op_accept). */
    if (cur_opq && kind == K_TCP && target >= 0) O[target].opq = 1;
    int had_conn = o >= 0 ? O[o].conn : -1;
    errno = 0;
    long r = connect(fd, null ? NULL : &a.sa, len);
    int e = errno;
    res(r, e);
    if (o < 0) return;
    saw_error(o, e);
    if (kind == K_UDP) {
        if (r == 0) {
            if (unspec) {
                O[o].upeer = 0;
                if (!O[o].portlock) O[o].port = 0; /* (Linux gives back a port bind did not name) */
            } else {
                O[o].upeer = port_of(&a);
                learn_port(o);
            }
        }
        return;
    }
    if (kind == K_UDGRAM && unspec && r == 0) {
        /* (Linux drops the queue of a datagram socket that disconnects from its peer, and
         * when there was one, tells a peer connected back to it: ECONNRESET. A socket with no
         * peer keeps its queue.) */
        int p = O[o].peer;
        if (O[o].qn > 0 && p >= 0 && O[p].peer == o) O[p].err = 1;
        if (p >= 0 || O[o].dead_peer) O[o].qn = 0;
        O[o].dead_peer = 0;
        O[o].peer = -1;
        return;
    }
    if (kind != K_TCP) return;
    if (unspec && r == 0) {
        /* Linux resets an established connection and stops a listener; WASI can only close. */
        if (had_conn >= 0) {
            conn_opaque(had_conn);
            int k = O[o].side;
            C[had_conn].end[k] = -1;
            C[had_conn].closed[k] = 1;
            maybe_free_conn(had_conn);
            O[o].conn = -1;
            O[o].opq = 1;
        }
        if (O[o].listening) {
            for (int i = 0; i < O[o].npend; i++) {
                conn_opaque(O[o].pend[i]);
                C[O[o].pend[i]].listener = -1;
                maybe_free_conn(O[o].pend[i]);
            }
            O[o].npend = 0;
            O[o].listening = 0;
        }
        O[o].rd_shut = O[o].wr_shut = 0;
        if (!O[o].bound) O[o].port = 0;
        return;
    }
    if (r < 0 && e != EINPROGRESS && e != EALREADY && e != EISCONN) O[o].failaddr |= refused;
    /* A connect that finds the attempt failed disconnects the socket (__inet_stream_connect's
     * sock_error: tcp_disconnect), which forgets a shutdown recorded before. */
    if (r < 0 && (e == ECONNREFUSED || e == ECONNRESET || e == ECONNABORTED || e == ETIMEDOUT ||
                  e == EHOSTUNREACH || e == ENETUNREACH))
        O[o].rd_shut = O[o].wr_shut = 0;
    if ((r == 0 || e == EINPROGRESS) && had_conn < 0 && !O[o].listening) {
        O[o].err = 0; /* (a new attempt clears the pending error: tcp_connect_init) */
        if (refused) {
            if (r < 0) O[o].connecting = 1, O[o].err = 1;
            O[o].failaddr = 1;
            return;
        }
        O[o].failaddr = 0;
        /* (A connect under way: its port is learnt once settled; a WASI host reports no local
         * address before the connection is up.) */
        if (r == 0) learn_port(o);
        if (target < 0) return;
        int c = new_conn();
        C[c].end[0] = o;
        C[c].listener = target;
        O[target].pend[O[target].npend++] = c;
        O[o].conn = c;
        O[o].side = 0;
        if (r < 0) O[o].connecting = 1;
        /* A listener shut down before it listened hands its flags to its connections, which
         * Linux then half-closes or resets on its own (even before accept); not emulated. */
        if (O[target].rd_shut || O[target].wr_shut) conn_opaque(c);
    }
}

static void op_accept(void) {
    int s = pick_slot(), t = rnd(NSLOT), v = rnd(100);
    if (t == s) t = (t + 1) % NSLOT;
    int fk, fd = pick_fd(s, &fk, 1);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    int use4 = chance(60);
    static const int fl[] = {0, SOCK_NONBLOCK, SOCK_CLOEXEC, SOCK_NONBLOCK | SOCK_CLOEXEC, 0x1234};
    int flags = use4 ? fl[rnd(chance(5) ? 5 : 4)] : 0;
    addr_t a;
    memset(&a, 0, sizeof a);
    socklen_t al = sizeof a;
    const char *aw = "";
    int anull = 0;
    if (v < 10) anull = 1, aw = " addr=NULL";
    else if (v < 18) al = 4, aw = " addrlen=4";
    P("%s", use4 ? "accept4" : "accept");
    show_fd(s, fk);
    if (use4)
        P(" flags=%s%s%s", flags == 0x1234 ? "0x1234" : flags & SOCK_NONBLOCK ? "NONBLOCK" : "0",
          flags != 0x1234 && (flags & SOCK_CLOEXEC) ? "|CLOEXEC" : "", "");
    P("%s into s%d", aw, t);
    cur_opq = obj_opq(o);
    if (o >= 0 && obj_opq(o)) {
        /* (Whether it listens and has a connection may differ: a new descriptor on one side
         * only would part the two runs' models.) */
        skip("opaque");
        return;
    }
    if (o >= 0 && O[o].listening && !O[o].nonblock && (obj_opq(o) || (!O[o].rcvtimeo &&
        !(revents_of(fd, POLLIN, 0) & (POLLIN | POLLERR | POLLHUP))))) {
        skip("would block");
        return;
    }
    if (o >= 0 && O[o].listening && !O[o].nonblock && O[o].rcvtimeo) st_block++;
    free_slot(t);
    int want = lowest_free();
    errno = 0;
    int nfd = use4 ? accept4(fd, anull ? NULL : &a.sa, anull ? NULL : &al, flags)
                   : accept(fd, anull ? NULL : &a.sa, anull ? NULL : &al);
    int e = errno;
    if (nfd < 0) {
        res(nfd, e);
        return;
    }
    int no = new_obj(K_TCP, o >= 0 ? O[o].fam : AF_INET);
    put_slot(t, nfd, no);
    O[no].nonblock = (flags & SOCK_NONBLOCK) != 0 && flags != 0x1234;
    int c = -1;
    if (o >= 0 && O[o].npend > 0) {
        c = O[o].pend[0];
        memmove(O[o].pend, O[o].pend + 1, sizeof(int) * (size_t)--O[o].npend);
        C[c].listener = -1;
        C[c].end[1] = no;
        O[no].conn = c;
        O[no].side = 1;
        O[no].rcvtimeo = O[o].rcvtimeo;
        O[no].bufset = O[o].bufset;
        O[no].linger0 = O[o].linger0;
        O[no].port = O[o].port;
        O[no].wr_shut = O[o].wr_shut; /* (shut before listen: inherited) */
        if (C[c].opq) O[no].opq = 1;
        if (C[c].unsure) {
            /* Linux's connection copied its listener's options when the handshake completed
             * (at connect, on loopback); a WASI guest learns of it only at accept and copies
             * them then. The listener's options changed in between: the copies are not
             * compared, no timeout is relied on, and a close counts as a reset. */
            O[no].inh_unsure = 1;
            O[no].rcvtimeo = 0;
            O[no].bufset = 0;
            O[no].linger0 = 1;
        }
    } else {
        O[no].opq = 1; /* (the model knows of no such connection) */
        P(" (unexpected)");
    }
    if (cur_opq || O[no].opq) {
        P(" -> ~");
        st_masked++;
        return;
    }
    P(" -> ok%s", nfd == want ? "" : " (not the lowest free descriptor)");
    if (!anull) {
        P(" addrlen%s", al == (a.sa.sa_family == AF_INET6 ? sizeof a.in6 : sizeof a.in) ? "==sizeof" : "!=sizeof");
        if (al >= sizeof a.in) show_sa(&a, al, K_TCP);
        else P(" family=%s", famname(a.sa.sa_family));
    }
}

/* The data for a send of n bytes on object o (stream bytes or a datagram). */
static void send_data(int o, size_t n, uint32_t *dgram) {
    *dgram = 0;
    if (o >= 0 && (is_stream(O[o].kind) || O[o].kind == K_PIPEW) && O[o].conn >= 0) {
        fill_stream(O[o].conn, O[o].side, n);
        return;
    }
    *dgram = next_dgram++;
    fill_dgram(*dgram, n);
}

/* A datagram of n bytes from object o to port `port` (family fam) was sent: where does it go? */
static void deliver_udp(int o, int port, size_t n) {
    int from = O[o].port;
    for (int r = 0; r < NOBJ; r++) {
        obj_t *b = &O[r];
        if (b->kind != K_UDP || b->refs == 0 || b->fam != O[o].fam || b->port != port) continue;
        /* Connected elsewhere: Linux's lookup finds no socket for it (ICMP, as below). */
        if (b->upeer && b->upeer != from) break;
        if (b->qn < MAXQ) b->qlen[b->qn++] = (int)n;
        return;
    }
    /* Nobody there: a connected sender gets the ICMP error at once on Linux. wasmtime surfaces
     * it only when its readiness tracking happens to look (a send, or a receive once the socket
     * was seen readable): not comparable, so the sender becomes opaque. */
    if (O[o].upeer == port) O[o].opq = 1;
}
static void udp_port_opaque(int fam, int port) {
    for (int r = 0; r < NOBJ; r++)
        if (port > 1 && O[r].kind == K_UDP && O[r].refs > 0 && O[r].fam == fam && O[r].port == port)
            O[r].opq = 1;
}
static int udp_target_full(int o, int port) {
    for (int r = 0; r < NOBJ; r++)
        if (O[r].kind == K_UDP && O[r].refs > 0 && O[r].fam == O[o].fam && O[r].port == port)
            return O[r].qn >= QCAP;
    return 0;
}

static void op_send(void) {
    int s = pick_slot(), t = rnd(NSLOT), v = rnd(100);
    int which = rnd(5); /* send, sendto, sendmsg, write, writev */
    int fk, fd = pick_fd(s, &fk, which < 3);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    int kind = o >= 0 ? O[o].kind : K_TCP;
    static const int fls[] = {0, MSG_DONTWAIT, MSG_NOSIGNAL, MSG_DONTWAIT | MSG_NOSIGNAL};
    int flags = which < 3 ? fls[rnd(4)] : 0;
    int lr = rnd(100);
    size_t n = lr < 5 ? 0 : lr < 55 ? 1 + (size_t)rnd(64) : lr < 90 ? 65 + (size_t)rnd(536) : 601 + (size_t)rnd(1400);
    int nullbuf = chance(3) && n > 0;
    int c = o >= 0 ? O[o].conn : -1;
    if (o >= 0 && is_stream(kind) && c >= 0 && !C[c].opq) {
        uint64_t fl = C[c].sent[O[o].side] - C[c].got[O[o].side];
        if (fl + n > INFLIGHT) n = fl >= INFLIGHT ? 0 : INFLIGHT - fl;
    }
    if (kind == K_PIPEW && c >= 0) {
        uint64_t fl = C[c].sent[0] - C[c].got[0];
        if (fl + n > INFLIGHT) n = fl >= INFLIGHT ? 0 : INFLIGHT - fl;
    }
    /* Destination (sendto, sendmsg). */
    addr_t a;
    socklen_t al = 0;
    int withaddr = 0, dport = 0, nodeliver = 0;
    const char *dw = "";
    static char db[48];
    int fam = o >= 0 && (kind == K_TCP || kind == K_UDP) ? O[o].fam : AF_INET;
    if (which == 1 || which == 2) {
        if (kind == K_UDP && o >= 0) {
            if (O[o].upeer) {
                if (chance(50)) withaddr = 1, al = lo(&a, fam, O[o].upeer), dport = O[o].upeer, dw = " to=peer";
            } else {
                withaddr = 1;
                int to = nth_obj(t, p_udp, fam);
                if (v < 75 && to >= 0) {
                    al = lo(&a, fam, O[to].port), dport = O[to].port;
                    snprintf(db, sizeof db, " to=s%d", slot_of(to));
                    dw = db;
                } else if (v < 90) {
                    al = lo(&a, fam, 1), dport = 1, dw = " to=closed-port";
                } else if (v < 95) {
                    al = lo(&a, fam == AF_INET ? AF_INET6 : AF_INET, 1), dw = " to=other-family";
                    nodeliver = 1;
                } else {
                    al = lo(&a, fam, 1), al = short_len(fam), dw = " to=short-len";
                    nodeliver = 1;
                }
            }
        } else if (chance(15)) {
            withaddr = 1, al = lo(&a, fam, 1), dw = " to=closed-port";
        }
    } else if (kind == K_UDP && o >= 0 && !O[o].upeer && which == 0) {
        /* send() on an unconnected UDP socket: EDESTADDRREQ (fine, as is) */
    }
    if (kind == K_UDP && withaddr && dport > 1 && udp_target_full(o, dport)) {
        P("send s%d", s);
        skip("receiver queue full");
        return;
    }
    if (kind == K_UDP && !withaddr && o >= 0 && O[o].upeer > 1 && udp_target_full(o, O[o].upeer)) {
        P("send s%d", s);
        skip("receiver queue full");
        return;
    }
    /* An opaque UDP socket's send may fail on one side only (an ICMP error Linux reports at
     * once and wasmtime late): whatever would receive it becomes opaque too. */
    if (kind == K_UDP && obj_opq(o) && !nodeliver)
        udp_port_opaque(O[o].fam, withaddr ? dport : O[o].upeer);
    uint32_t dg;
    send_data(o, n, &dg);
    static const char *wn[] = {"send", "sendto", "sendmsg", "write", "writev"};
    P("%s", wn[which]);
    show_fd(s, fk);
    P(" len=%zu%s%s%s%s", n, flags & MSG_DONTWAIT ? " DONTWAIT" : "", flags & MSG_NOSIGNAL ? " NOSIGNAL" : "",
      nullbuf ? " buf=NULL" : "", dw);
    struct iovec iov[4];
    int niov = 1 + rnd(4);
    size_t off = 0;
    for (int i = 0; i < niov; i++) {
        size_t part = i == niov - 1 ? n - off : (size_t)rnd((int)(n - off + 1));
        iov[i].iov_base = nullbuf && i == 0 ? NULL : sbuf + off;
        iov[i].iov_len = part;
        off += part;
    }
    if (which >= 2) P(" iov=%d", niov);
    cur_opq = obj_opq(o);
    const void *buf = nullbuf ? NULL : sbuf;
    long r;
    errno = 0;
    switch (which) {
    case 0: r = send(fd, buf, n, flags); break;
    case 1: r = sendto(fd, buf, n, flags, withaddr ? &a.sa : NULL, al); break;
    case 2: {
        struct msghdr m;
        memset(&m, 0, sizeof m);
        m.msg_iov = iov;
        m.msg_iovlen = niov;
        if (withaddr) m.msg_name = &a, m.msg_namelen = al;
        r = sendmsg(fd, &m, flags);
        break;
    }
    case 3: r = write(fd, buf, n); break;
    default: r = writev(fd, iov, niov);
    }
    int e = errno;
    res(r, e);
    if (o < 0) return;
    saw_error(o, e);
    /* A datagram socket that finds its peer gone is disconnected and its queue purged
     * (unix_dgram_disconnected). */
    if (kind == K_UDGRAM && r < 0 && e == ECONNREFUSED) O[o].qn = 0, O[o].peer = -1, O[o].dead_peer = 0;
    if (r < 0) return;
    /* (An empty writev returns 0 before the socket is asked: Linux's vfs_writev.) */
    if (which == 4 && n == 0) return;
    if (r > 0 && (kind != K_TCP || c >= 0)) O[o].dirty = 1;
    st_bytes += (unsigned long long)r;
    if ((is_stream(kind) || kind == K_PIPEW) && c >= 0) {
        int k = O[o].side;
        C[c].sent[k] += (uint64_t)r;
        int peer = C[c].end[1 - k];
        /* Data to a closed peer: the RST that comes back is invisible to WASI until the next
         * write. */
        if (kind == K_TCP && r > 0 && C[c].closed[1 - k]) conn_opaque(c);
        /* Data to a peer shut down both ways (its FIN out): Linux resets (RFC 1122) and the
         * resetting end learns it from its own kernel; a WASI guest whose input is shut does
         * not. */
        if (kind == K_TCP && r > 0 && peer >= 0 && O[peer].rd_shut && C[c].fin[1 - k]) conn_opaque(c);
    } else if (kind == K_UDP) {
        if (!O[o].port) learn_port(o);
        int to = withaddr ? dport : O[o].upeer;
        if (to > 0 && !nodeliver) deliver_udp(o, to, (size_t)r);
        st_dgrams++;
    } else if (kind == K_UDGRAM && O[o].peer >= 0) {
        obj_t *b = &O[O[o].peer];
        if (b->qn < MAXQ) b->qlen[b->qn++] = (int)r;
    }
}

static const char *msgflags(int f) {
    static char b[64];
    b[0] = 0;
    if (f & MSG_TRUNC) strcat(b, "TRUNC ");
    if (f & MSG_CTRUNC) strcat(b, "CTRUNC ");
    if (f & ~(MSG_TRUNC | MSG_CTRUNC)) snprintf(b + strlen(b), 24, "%#x ", f & ~(MSG_TRUNC | MSG_CTRUNC));
    if (!b[0]) strcpy(b, "0");
    else b[strlen(b) - 1] = 0;
    return b;
}

static void op_recv(void) {
    int s = pick_slot(), v = rnd(100);
    int which = rnd(5); /* recv, recvfrom, recvmsg, read, readv */
    int fk, fd = pick_fd(s, &fk, which < 3);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    int kind = o >= 0 ? O[o].kind : K_TCP;
    int flags = 0;
    if (which < 3) {
        if (chance(45)) flags |= MSG_DONTWAIT;
        if (chance(20)) flags |= MSG_PEEK;
        if (chance(15)) flags |= MSG_WAITALL;
        if (chance(10)) flags |= MSG_TRUNC;
    }
    int lr = rnd(100);
    size_t len = lr < 4 ? 0 : lr < 35 ? 1 + (size_t)rnd(16) : lr < 75 ? 17 + (size_t)rnd(496) : 513 + (size_t)rnd(3584);
    int nullbuf = v < 4 && len > 0;
    int shortname = v >= 4 && v < 10;
    int niov = 1 + rnd(4);
    /* Would Linux block? Then don't (unless a short SO_RCVTIMEO ends it on both). */
    /* (An epoll instance answers a receive at once: EINVAL, ENOTSOCK.) */
    int blocking = o >= 0 && O[o].kind != K_EPOLL && !O[o].nonblock && !(flags & MSG_DONTWAIT);
    const char *adj = "";
    if (blocking && obj_opq(o)) { /* (its readiness is not compared either) */
        if (which >= 3) which = which == 3 ? 0 : 2;
        flags |= MSG_DONTWAIT;
        adj = " (opaque: +DONTWAIT)";
        blocking = 0;
    }
    if (blocking) {
        short re = revents_of(fd, POLLIN, 0);
        int ready = (re & (POLLIN | POLLERR | POLLHUP)) != 0;
        if (ready && (flags & MSG_WAITALL) && is_stream(kind) && len > 0 && !(re & (POLLERR | POLLHUP))) {
            int c = O[o].conn;
            int fin = c >= 0 && C[c].fin[1 - O[o].side];
            if (fionread(fd) < (long)len && !fin && !O[o].rd_shut) ready = 0;
        }
        if (!ready && !O[o].rcvtimeo) {
            if (which >= 3) which = which == 3 ? 0 : 2; /* read -> recv, readv -> recvmsg */
            flags |= MSG_DONTWAIT;
            adj = " (would block: +DONTWAIT)";
        } else if (!ready) {
            st_block++;
            adj = " (times out)";
        }
    }
    static const char *wn[] = {"recv", "recvfrom", "recvmsg", "read", "readv"};
    P("%s", wn[which]);
    show_fd(s, fk);
    P(" len=%zu", len);
    if (which < 3) {
        P("%s%s%s%s", flags & MSG_DONTWAIT ? " DONTWAIT" : "", flags & MSG_PEEK ? " PEEK" : "",
          flags & MSG_WAITALL ? " WAITALL" : "", flags & MSG_TRUNC ? " TRUNC" : "");
    }
    if (nullbuf) P(" buf=NULL");
    if (shortname && (which == 1 || which == 2)) P(" namelen=4");
    if (which == 2 || which == 4) P(" iov=%d", niov);
    P("%s", adj);
    struct iovec iov[4];
    size_t off = 0;
    for (int i = 0; i < niov; i++) {
        size_t part = i == niov - 1 ? len - off : (size_t)rnd((int)(len - off + 1));
        iov[i].iov_base = nullbuf ? NULL : rbuf + off;
        iov[i].iov_len = part;
        off += part;
    }
    memset(rbuf, 0xee, len + 16);
    addr_t from;
    memset(&from, 0, sizeof from);
    socklen_t fl = shortname ? 4 : sizeof from;
    int mflags = -1;
    cur_opq = obj_opq(o);
    long r;
    errno = 0;
    switch (which) {
    case 0: r = recv(fd, nullbuf ? NULL : rbuf, len, flags); break;
    case 1: r = recvfrom(fd, nullbuf ? NULL : rbuf, len, flags, &from.sa, &fl); break;
    case 2: {
        struct msghdr m;
        memset(&m, 0, sizeof m);
        m.msg_iov = iov;
        m.msg_iovlen = niov;
        m.msg_name = &from;
        m.msg_namelen = fl;
        r = recvmsg(fd, &m, flags);
        if (r >= 0) mflags = m.msg_flags, fl = m.msg_namelen;
        break;
    }
    case 3: r = read(fd, nullbuf ? NULL : rbuf, len); break;
    default: r = readv(fd, iov, niov);
    }
    int e = errno;
    res(r, e);
    if (o >= 0) saw_error(o, e);
    if (r >= 0 && !cur_opq) {
        size_t got = (size_t)r < len ? (size_t)r : len;
        int copied = !(is_stream(kind) && (flags & MSG_TRUNC)) && !nullbuf;
        if (copied && got > 0) P(" data=%08x", fnv(rbuf, got));
        if (copied && rbuf[got] != 0xee && (size_t)r <= len) P(" OVERRUN");
        if (which == 1 || which == 2) {
            if (fl > sizeof from) P(" namelen=%u", (unsigned)fl);
            else if (fl < sizeof from.in && fl > 0) P(" namelen=%u", (unsigned)fl);
            else show_sa(&from, fl, K_UDP);
        }
        if (mflags >= 0) P(" flags=%s", msgflags(mflags));
    }
    if (o < 0) return;
    int peek = (flags & MSG_PEEK) && which < 3;
    if (which >= 3 && len == 0) return; /* (an empty read(v) returns before the socket: sock_read_iter) */
    if (r >= 0 && !peek) {
        if ((is_stream(kind) || kind == K_PIPER) && O[o].conn >= 0) {
            int c = O[o].conn, d = 1 - O[o].side;
            C[c].got[d] += (uint64_t)r;
            if (C[c].got[d] > C[c].sent[d]) C[c].got[d] = C[c].sent[d];
        } else if (is_dgram(kind) && O[o].qn > 0 && !(r == 0 && len == 0 && O[o].qn == 0)) {
            memmove(O[o].qlen, O[o].qlen + 1, sizeof(int) * (size_t)--O[o].qn);
        }
    } else if (r < 0 && e == EFAULT && !peek && is_dgram(kind) && O[o].qn > 0) {
        memmove(O[o].qlen, O[o].qlen + 1, sizeof(int) * (size_t)--O[o].qn); /* (dropped) */
    }
}

/* poll and select over a few slots */
typedef struct { int s, fd, kind, events; } pent_t;
static int pick_entries(pent_t *pe, int maxn) {
    int n = 1 + rnd(maxn);
    static const int evs[] = {POLLIN, POLLOUT, POLLIN | POLLOUT, 0};
    for (int i = 0; i < n; i++) {
        int s = pick_slot(), r = rnd(100);
        pe[i].s = s;
        pe[i].events = evs[rnd(chance(90) ? 3 : 4)];
        if (r < 4) pe[i].fd = -1, pe[i].kind = FD_NEG;
        else if (slot_fd[s] < 0 || r < 10) pe[i].fd = lowest_free(), pe[i].kind = FD_BAD; /* (select ignores numbers past the kernel's table: a low one) */
        else pe[i].fd = slot_fd[s], pe[i].kind = FD_OWN;
    }
    return n;
}
static const char *evn(int e) {
    static char ring[8][32];
    static int next;
    char *b = ring[next++ % 8];
    b[0] = 0;
    if (e & POLLIN) strcat(b, "IN|");
    if (e & POLLOUT) strcat(b, "OUT|");
    if (!b[0]) strcpy(b, "0|");
    b[strlen(b) - 1] = 0;
    return b;
}

static void op_poll(void) {
    pent_t pe[6];
    int n = pick_entries(pe, 4);
    int tmo = chance(10) ? 5 : 0;
    struct pollfd p[6];
    int masked = 0;
    P("poll");
    for (int i = 0; i < n; i++) {
        p[i].fd = pe[i].fd;
        p[i].events = (short)pe[i].events;
        p[i].revents = 0x5a5a;
        if (pe[i].kind == FD_OWN) P(" s%d", pe[i].s);
        else P(" %s", pe[i].kind == FD_BAD ? "badfd" : pe[i].kind == FD_NEG ? "fd-1" : "stdout");
        P(":%s", evn(pe[i].events));
        if (pe[i].kind == FD_OWN && obj_opq(slot_obj[pe[i].s])) masked = 1;
    }
    P(" timeout=%d", tmo);
    errno = 0;
    long r = poll(p, (nfds_t)n, tmo);
    int e = errno;
    if (masked && r >= 0) {
        P(" -> ~");
        st_masked++;
    } else
        res(r, e);
    if (r < 0) return;
    P(" [");
    for (int i = 0; i < n; i++) {
        int opq = pe[i].kind == FD_OWN && obj_opq(slot_obj[pe[i].s]);
        P("%s%s", i ? ", " : "", opq ? "~" : ev(p[i].revents));
    }
    P("]");
}

static void op_select(void) {
    pent_t pe[6];
    int n = pick_entries(pe, 4);
    fd_set rs_, ws_, es_;
    FD_ZERO(&rs_);
    FD_ZERO(&ws_);
    FD_ZERO(&es_);
    int nfds = 0, masked = 0, use_es = chance(20);
    P("select");
    for (int i = 0; i < n; i++) {
        if (pe[i].fd < 0) continue;
        if (pe[i].events & POLLIN) FD_SET(pe[i].fd, &rs_);
        if (pe[i].events & POLLOUT) FD_SET(pe[i].fd, &ws_);
        if (use_es) FD_SET(pe[i].fd, &es_);
        if (pe[i].fd + 1 > nfds) nfds = pe[i].fd + 1;
        if (pe[i].kind == FD_OWN) P(" s%d", pe[i].s);
        else P(" %s", pe[i].kind == FD_BAD ? "badfd" : "stdout");
        P(":%s%s", evn(pe[i].events), use_es ? "|EX" : "");
        if (pe[i].kind == FD_OWN && obj_opq(slot_obj[pe[i].s])) masked = 1;
    }
    int tmo = chance(10) ? 5000 : 0;
    struct timeval tv = {0, tmo};
    P(" timeout=%dus", tmo);
    errno = 0;
    long r = select(nfds, &rs_, &ws_, &es_, &tv);
    int e = errno;
    if (masked && r >= 0) {
        P(" -> ~");
        st_masked++;
    } else
        res(r, e);
    if (r < 0) return;
    P(" [");
    for (int i = 0; i < n; i++) {
        if (pe[i].fd < 0) continue;
        int opq = pe[i].kind == FD_OWN && obj_opq(slot_obj[pe[i].s]);
        if (opq) {
            P(" ~");
            continue;
        }
        P(" %s%s%s", FD_ISSET(pe[i].fd, &rs_) ? "R" : "", FD_ISSET(pe[i].fd, &ws_) ? "W" : "",
          FD_ISSET(pe[i].fd, &es_) ? "E" : "");
        if (!FD_ISSET(pe[i].fd, &rs_) && !FD_ISSET(pe[i].fd, &ws_) && !FD_ISSET(pe[i].fd, &es_)) P("-");
    }
    P(" ]");
}

/* Socket options */
enum { V_INT, V_BOOL, V_BUF, V_TV, V_LINGER, V_RO };
typedef struct {
    int level, name;
    const char *str;
    int kind;
} opt_t;
static const opt_t OPTS[] = {
    {SOL_SOCKET, SO_TYPE, "SO_TYPE", V_RO},
    {SOL_SOCKET, SO_ERROR, "SO_ERROR", V_RO},
    {SOL_SOCKET, SO_DOMAIN, "SO_DOMAIN", V_RO},
    {SOL_SOCKET, SO_PROTOCOL, "SO_PROTOCOL", V_RO},
    {SOL_SOCKET, SO_ACCEPTCONN, "SO_ACCEPTCONN", V_RO},
    {SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR", V_BOOL},
    {SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE", V_BOOL},
    {SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST", V_BOOL},
    {SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF", V_BUF},
    {SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF", V_BUF},
    {SOL_SOCKET, SO_RCVTIMEO, "SO_RCVTIMEO", V_TV},
    {SOL_SOCKET, SO_SNDTIMEO, "SO_SNDTIMEO", V_TV},
    {SOL_SOCKET, SO_LINGER, "SO_LINGER", V_LINGER},
    {IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY", V_BOOL},
    {IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE", V_INT},
    {IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL", V_INT},
    {IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT", V_INT},
    {IPPROTO_IP, IP_TTL, "IP_TTL", V_INT},
    {IPPROTO_IPV6, IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS", V_INT},
    {IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY", V_BOOL},
    {SOL_SOCKET, 9999, "SOL_SOCKET/9999", V_INT},
    {9999, 1, "level9999/1", V_INT},
    {IPPROTO_TCP, 9999, "IPPROTO_TCP/9999", V_INT},
};
#define NOPTS ((int)(sizeof OPTS / sizeof OPTS[0]))

static void op_getsockopt(void) {
    int s = pick_slot(), k = rnd(NOPTS), v = rnd(100);
    int fk, fd = pick_fd(s, &fk, 1);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    const opt_t *op = &OPTS[k];
    union {
        int i;
        struct timeval tv;
        struct linger lg;
        unsigned char b[32];
    } val;
    memset(&val, 0x55, sizeof val);
    socklen_t full = op->kind == V_TV ? sizeof val.tv : op->kind == V_LINGER ? sizeof val.lg : sizeof(int);
    socklen_t len = full;
    const char *lw = "";
    int nullval = 0, nulllen = 0;
    if (v < 5) len = 2, lw = " optlen=2";
    else if (v < 8) len = 0, lw = " optlen=0";
    else if (v < 10) nullval = 1, lw = " optval=NULL";
    else if (v < 12) nulllen = 1, lw = " optlen=NULL";
    else if (v < 15) len = 64, lw = " optlen=64";
    P("getsockopt");
    show_fd(s, fk);
    P(" %s%s", op->str, lw);
    /* (An opaque socket's state may differ between the runs: connecting on one side only,
     * where a host keeps its options from the program until the connection is up, or
     * listening on one side only; only what it is stays comparable. See also op_accept's
     * inh_unsure.) */
    int what = op->level == SOL_SOCKET && (op->name == SO_TYPE || op->name == SO_DOMAIN || op->name == SO_PROTOCOL);
    cur_opq = (obj_opq(o) && !what) || (o >= 0 && O[o].inh_unsure && op->kind != V_RO);
    errno = 0;
    long r = getsockopt(fd, op->level, op->name, nullval ? NULL : &val, nulllen ? NULL : &len);
    int e = errno;
    res(r, e);
    /* Read, even into a short buffer or one that faults, the error is gone: sk_getsockopt
     * takes it before it copies the value out. */
    if (o >= 0 && op->level == SOL_SOCKET && op->name == SO_ERROR && (r == 0 || (nullval && e == EFAULT)))
        O[o].err = 0;
    if (r < 0 || cur_opq) return;
    P(" len=%u", (unsigned)len);
    if (len == 0) return;
    int channel = o >= 0 && (O[o].kind == K_USTREAM || O[o].kind == K_UDGRAM);
    if (len < sizeof(int) && op->kind != V_TV && op->kind != V_LINGER) {
        /* (The first bytes of a value whose constants differ between the platforms, SO_TYPE,
         * SO_DOMAIN, SO_ERROR, say nothing comparable; nor do those of an AF_UNIX socket's
         * buffer size, which may be above the stock limit natively: see V_BUF below.) */
        if ((op->level != SOL_SOCKET || (op->name != SO_TYPE && op->name != SO_DOMAIN && op->name != SO_ERROR)) &&
            !(channel && op->kind == V_BUF))
            P(" bytes=%02x%02x", val.b[0], len > 1 ? val.b[1] : 0);
        return;
    }
    switch (op->kind) {
    case V_TV:
        if (len >= sizeof val.tv) P(" tv=%lld.%06ld", (long long)val.tv.tv_sec, (long)val.tv.tv_usec);
        break;
    case V_LINGER:
        if (len >= sizeof val.lg) P(" linger=%d,%d", val.lg.l_onoff, val.lg.l_linger);
        break;
    case V_BUF: {
        int stable = o >= 0 && (O[o].kind == K_UDP || (O[o].bufset & (op->name == SO_RCVBUF ? 1 : 2)));
        /* An AF_UNIX socket's value is cut to net.core.wmem_max/rmem_max, which a machine's
         * sysctl may raise and a WASI program cannot read: the library applies the stock
         * 212992 (deviations.md). */
        if (stable && channel && val.i >= 2 * 212992) P(" val=(the stock limit or above)");
        else if (stable) P(" val=%d", val.i);
        else P(" val=(autotuned)");
        break;
    }
    default:
        if (op->name == SO_TYPE) P(" val=%s", val.i == SOCK_STREAM ? "STREAM" : val.i == SOCK_DGRAM ? "DGRAM" : "?");
        else if (op->name == SO_DOMAIN) P(" val=%s", famname(val.i));
        else if (op->name == SO_PROTOCOL) P(" val=%s", val.i == IPPROTO_TCP ? "TCP" : val.i == IPPROTO_UDP ? "UDP" : val.i == 0 ? "0" : "?");
        else if (op->name == SO_ERROR && op->level == SOL_SOCKET) {
            P(" val=%s", val.i ? errname(val.i) : "0");
            if (o >= 0 && val.i) saw_error(o, val.i);
        } else
            P(" val=%d", val.i);
    }
}

static void op_setsockopt(void) {
    int s = pick_slot(), k = rnd(NOPTS), v = rnd(100);
    int fk, fd = pick_fd(s, &fk, 1);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    const opt_t *op = &OPTS[k];
    union {
        int i;
        struct timeval tv;
        struct linger lg;
        unsigned char b[32];
    } val;
    memset(&val, 0, sizeof val);
    socklen_t len = op->kind == V_TV ? sizeof val.tv : op->kind == V_LINGER ? sizeof val.lg : sizeof(int);
    char vw[64];
    int udp = o >= 0 && O[o].kind == K_UDP;
    switch (op->kind) {
    case V_BOOL: {
        static const int bv[] = {0, 1, 2};
        val.i = bv[rnd(3)];
        if (op->name == SO_REUSEADDR && op->level == SOL_SOCKET) val.i = udp ? 0 : 1; /* (WASI: see header) */
        if (op->name == IPV6_V6ONLY && op->level == IPPROTO_IPV6) val.i = 1;
        snprintf(vw, sizeof vw, "%d", val.i);
        break;
    }
    case V_BUF: {
        static const int bv[] = {65536, 100000, 262144, 1 << 20, -1};
        val.i = bv[rnd(5)];
        snprintf(vw, sizeof vw, "%d", val.i);
        break;
    }
    case V_TV: {
        int r = rnd(10);
        val.tv.tv_sec = 0;
        val.tv.tv_usec = r < 3 ? 0 : r < 7 ? RCVTIMEO_US : r < 8 ? 1000000 : 20000;
        if (r == 9) val.tv.tv_sec = 1, val.tv.tv_usec = 0;
        snprintf(vw, sizeof vw, "%lld.%06ld", (long long)val.tv.tv_sec, (long)val.tv.tv_usec);
        break;
    }
    case V_LINGER: {
        int r = rnd(10);
        val.lg.l_onoff = r >= 4;
        val.lg.l_linger = r < 6 ? 0 : r < 8 ? 1 : 5;
        snprintf(vw, sizeof vw, "%d,%d", val.lg.l_onoff, val.lg.l_linger);
        break;
    }
    default: {
        static const int iv[] = {1, 2, 9, 60, 64, 127, 128, 255, 256, 0, -1, -2, 7200, 32767, 40000};
        val.i = iv[rnd(15)];
        snprintf(vw, sizeof vw, "%d", val.i);
    }
    }
    const char *lw = "";
    int nullval = 0;
    if (v < 5) len = 2, lw = " optlen=2";
    else if (v < 7) len = 0, lw = " optlen=0";
    else if (v < 9) nullval = 1, lw = " optval=NULL";
    else if (v < 11) len = 64, lw = " optlen=64";
    P("setsockopt");
    show_fd(s, fk);
    P(" %s=%s%s", op->str, vw, lw);
    /* Not sent: values no WASI host can apply (header). */
    if (op->level == SOL_SOCKET && op->name == SO_REUSEADDR && (nullval || len < sizeof(int))) {
        skip("SO_REUSEADDR stays as set");
        return;
    }
    if (op->level == IPPROTO_IPV6 && op->name == IPV6_V6ONLY && (nullval || len < sizeof(int))) {
        skip("IPV6_V6ONLY stays 1");
        return;
    }
    if (op->level == IPPROTO_IPV6 && op->name == IPV6_V6ONLY && o >= 0 && O[o].kind == K_TCP &&
        (obj_opq(o) || (O[o].conn >= 0 && C[O[o].conn].fin[0] && C[O[o].conn].fin[1]))) {
        /* Linux refuses it while the socket holds a port, and gives the port back when the
         * connection ends; not emulated, as for bind (deviations.md). */
        skip(obj_opq(o) ? "opaque" : "IPV6_V6ONLY after the connection ended");
        return;
    }
    if (op->level == IPPROTO_IPV6 && nullval && len >= sizeof(int)) {
        skip("Linux reads NULL as 0 at this level; listed under badinput");
        return;
    }
    if (op->level == IPPROTO_IPV6 && op->name == IPV6_UNICAST_HOPS && !nullval && len >= sizeof(int) && val.i == 0) {
        skip("a WASI host takes no hop limit 0");
        return;
    }
    cur_opq = obj_opq(o);
    errno = 0;
    long r = setsockopt(fd, op->level, op->name, nullval ? NULL : &val, len);
    res(r, errno);
    if (r != 0 || o < 0) return;
    for (int i = 0; O[o].listening && i < O[o].npend; i++) C[O[o].pend[i]].unsure = 1;
    if (op->level == SOL_SOCKET && op->name == SO_SNDTIMEO)
        O[o].sndtimeo = len >= sizeof val.tv && val.tv.tv_sec == 0 && val.tv.tv_usec > 0 && val.tv.tv_usec < 100000;
    if (op->level == SOL_SOCKET && op->name == SO_RCVTIMEO)
        O[o].rcvtimeo = len >= sizeof val.tv && val.tv.tv_sec == 0 && val.tv.tv_usec > 0 && val.tv.tv_usec < 100000 ? 1
                        : len >= sizeof val.tv && val.tv.tv_sec == 0 && val.tv.tv_usec == 0 ? 0
                                                                                             : 2;
    if (op->level == SOL_SOCKET && op->name == SO_RCVBUF) O[o].bufset |= 1;
    if (op->level == SOL_SOCKET && op->name == SO_SNDBUF) O[o].bufset |= 2;
    if (op->level == SOL_SOCKET && op->name == SO_LINGER && len >= sizeof val.lg)
        O[o].linger0 = val.lg.l_onoff && val.lg.l_linger == 0;
}

static void op_shutdown(void) {
    int s = pick_slot();
    int fk, fd = pick_fd(s, &fk, 1);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    static const int hows[] = {SHUT_RD, SHUT_WR, SHUT_RDWR, 99, -1};
    static const char *hown[] = {"SHUT_RD", "SHUT_WR", "SHUT_RDWR", "99", "-1"};
    int hi = chance(92) ? rnd(3) : 3 + rnd(2);
    int how = hows[hi];
    P("shutdown");
    show_fd(s, fk);
    P(" %s", hown[hi]);
    cur_opq = obj_opq(o);
    errno = 0;
    long r = shutdown(fd, how);
    int e = errno;
    res(r, e);
    if (o < 0 || hi > 2) return;
    obj_t *b = &O[o];
    int rd = how == SHUT_RD || how == SHUT_RDWR, wr = how == SHUT_WR || how == SHUT_RDWR;
    if (r != 0 && !(e == ENOTCONN)) return;
    if (b->kind == K_TCP && b->listening) {
        if (r == 0 && rd) { /* Linux: a listener shut down for reading stops listening */
            for (int i = 0; i < b->npend; i++) {
                conn_opaque(b->pend[i]);
                C[b->pend[i]].listener = -1;
                maybe_free_conn(b->pend[i]);
            }
            b->npend = 0;
            b->listening = 0;
        }
        return;
    }
    if (rd) b->rd_shut = 1;
    if (wr) b->wr_shut = 1;
    if (r == 0 && wr && b->conn >= 0 && is_stream(b->kind)) {
        if (b->kind == K_TCP) fin_to(b->conn, b->side);
        C[b->conn].fin[b->side] = 1;
    }
    /* (Shut both ways after the peer's FIN: Linux is in TCP_CLOSE, the host stream had the FIN.) */
}

static void op_fcntl(void) {
    int s = pick_slot(), v = rnd(100);
    int fk, fd = pick_fd(s, &fk, 0);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    P("fcntl");
    show_fd(s, fk);
    errno = 0;
    long r;
    if (v < 35) {
        P(" F_GETFL");
        r = fcntl(fd, F_GETFL);
        int e = errno;
        if (r >= 0) P(" -> %s%s", (r & O_NONBLOCK) ? "O_NONBLOCK" : "0", (r & O_ACCMODE) == O_RDWR ? "|O_RDWR" : "");
        else res(r, e);
    } else if (v < 70) {
        int on = chance(50);
        P(" F_SETFL %s", on ? "O_NONBLOCK" : "0");
        r = fcntl(fd, F_SETFL, on ? O_NONBLOCK : 0);
        res(r, errno);
        if (r == 0 && o >= 0) O[o].nonblock = on;
    } else if (v < 82) {
        P(" F_GETFD");
        r = fcntl(fd, F_GETFD);
        res(r, errno);
        if (r >= 0) P(" %s", r & FD_CLOEXEC ? "FD_CLOEXEC" : "0");
    } else if (v < 94) {
        int on = chance(50);
        P(" F_SETFD %s", on ? "FD_CLOEXEC" : "0");
        r = fcntl(fd, F_SETFD, on ? FD_CLOEXEC : 0);
        res(r, errno);
    } else {
        P(" cmd=12345");
        r = fcntl(fd, 12345, 0);
        res(r, errno);
    }
}

static void op_ioctl(void) {
    int s = pick_slot(), v = rnd(100);
    int fk, fd = pick_fd(s, &fk, 0);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    P("ioctl");
    show_fd(s, fk);
    cur_opq = obj_opq(o);
    errno = 0;
    long r;
    if (v < 55) {
        int n = -7;
        int nul = chance(5);
        P(" FIONREAD%s", nul ? " NULL" : "");
        r = ioctl(fd, FIONREAD, nul ? NULL : &n);
        res(r, errno);
        if (r >= 0 && !cur_opq && !nul) P(" n=%d", n);
    } else if (v < 92) {
        int on = chance(50);
        P(" FIONBIO %d", on);
        r = ioctl(fd, FIONBIO, &on);
        cur_opq = 0;
        res(r, errno);
        if (r == 0 && o >= 0) O[o].nonblock = on;
    } else {
        int n = 0;
        P(" TCGETS");
        r = ioctl(fd, 0x5401, &n); /* (a terminal request: ENOTTY on a socket; the number is Linux's) */
        res(r, errno);
    }
}

static void op_names(void) {
    int s = pick_slot(), v = rnd(100);
    int fk, fd = pick_fd(s, &fk, 1);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    int peer = chance(50);
    addr_t a;
    memset(&a, 0, sizeof a);
    socklen_t l = sizeof a;
    const char *lw = "";
    int nulladdr = 0;
    if (v < 6) l = 4, lw = " addrlen=4";
    else if (v < 9) l = 0, lw = " addrlen=0";
    else if (v < 11) nulladdr = 1, lw = " addr=NULL";
    else if (v < 13) l = (socklen_t)-1, lw = " addrlen=-1";
    P("%s", peer ? "getpeername" : "getsockname");
    show_fd(s, fk);
    P("%s", lw);
    cur_opq = obj_opq(o);
    errno = 0;
    long r = peer ? getpeername(fd, nulladdr ? NULL : &a.sa, &l) : getsockname(fd, nulladdr ? NULL : &a.sa, &l);
    res(r, errno);
    if (r < 0 || cur_opq) return;
    if (!peer && o >= 0 && O[o].failaddr) {
        /* Linux shows the port a failed (or failing) connect bound; a WASI host reports no
         * local address while connecting nor after a failed connect (deviations.md). */
        P(" addr=(of a failed connect: not compared)");
        return;
    }
    if (l >= sizeof a.in && l <= sizeof a) show_sa(&a, l, O[o >= 0 ? o : 0].kind == K_UDP ? K_UDP : K_TCP);
    else P(" addrlen=%u family=%s", (unsigned)l, l >= 2 ? famname(a.sa.sa_family) : "-");
}

/* ------------------------------------------------------------------------------------------ */
/* Features the library is gaining (off by default; see the header) */

#ifdef DIFF_DUP
static void op_dup(void) {
    int s = pick_slot(), t = rnd(NSLOT), use2 = chance(50);
    if (t == s) t = (t + 1) % NSLOT;
    int fk, fd = pick_fd(s, &fk, 0);
    P("%s", use2 ? "dup2" : "dup");
    show_fd(s, fk);
    P(" into s%d", t);
    int o = fk == FD_OWN ? slot_obj[s] : -1;
    errno = 0;
    int nfd;
    if (use2 && slot_fd[t] >= 0) {
        /* dup2 onto t's descriptor closes what t held (silently, as dup2 does) */
        int old = slot_obj[t];
        int target = slot_fd[t];
        nfd = dup2(fd, target);
        int e = errno;
        if (nfd >= 0 && target != fd) {
            slot_fd[t] = -1;
            if (--O[old].refs == 0) obj_closed(old);
        }
        res(nfd < 0 ? -1 : 0, e);
        if (nfd >= 0 && o >= 0 && target != fd) put_slot(t, nfd, o);
        return;
    }
    free_slot(t);
    int want = lowest_free();
    nfd = use2 ? dup2(fd, want) : dup(fd);
    int e = errno;
    if (nfd < 0) {
        res(nfd, e);
        return;
    }
    P(" -> ok%s", nfd == want ? "" : " (not the lowest free descriptor)");
    if (o >= 0) put_slot(t, nfd, o);
    else close(nfd);
}
#endif

#ifdef DIFF_CHANNELS
static void op_channel(void) {
    int s = rnd(NSLOT), t = rnd(NSLOT), v = rnd(100);
    if (t == s) t = (t + 1) % NSLOT;
    int sv[2];
    int pipe_ = v < 35, dgram = !pipe_ && v < 55, nb = chance(30);
    P("%s s%d s%d%s", pipe_ ? "pipe" : dgram ? "socketpair DGRAM" : "socketpair STREAM", s, t, nb ? " NONBLOCK" : "");
    free_slot(s);
    free_slot(t);
    errno = 0;
    int r = pipe_ ? pipe(sv) : socketpair(AF_UNIX, (dgram ? SOCK_DGRAM : SOCK_STREAM) | (nb ? SOCK_NONBLOCK : 0), 0, sv);
    int e = errno;
    res(r, e);
    if (r < 0) return;
    if (pipe_ && nb) {
        fcntl(sv[0], F_SETFL, O_NONBLOCK);
        fcntl(sv[1], F_SETFL, O_NONBLOCK);
    }
    int a = new_obj(pipe_ ? K_PIPER : dgram ? K_UDGRAM : K_USTREAM, AF_UNIX);
    int b = new_obj(pipe_ ? K_PIPEW : dgram ? K_UDGRAM : K_USTREAM, AF_UNIX);
    O[a].nonblock = O[b].nonblock = nb;
    put_slot(s, sv[0], a);
    put_slot(t, sv[1], b);
    if (dgram) {
        O[a].peer = b, O[b].peer = a;
        return;
    }
    int c = new_conn();
    /* pipe: the writer (sv[1]) is end 0, the reader end 1 */
    C[c].end[0] = pipe_ ? b : a;
    C[c].end[1] = pipe_ ? a : b;
    O[C[c].end[0]].conn = O[C[c].end[1]].conn = c;
    O[C[c].end[0]].side = 0;
    O[C[c].end[1]].side = 1;
}
#endif

#ifdef DIFF_EPOLL
static const char *epn(unsigned e) {
    static char ring[8][48];
    static int next;
    char *b = ring[next++ % 8];
    b[0] = 0;
    if (e & EPOLLIN) strcat(b, "IN ");
    if (e & EPOLLOUT) strcat(b, "OUT ");
    if (e & EPOLLERR) strcat(b, "ERR ");
    if (e & EPOLLHUP) strcat(b, "HUP ");
    if (e & EPOLLRDHUP) strcat(b, "RDHUP ");
    if (!b[0]) strcpy(b, "-");
    else b[strlen(b) - 1] = 0;
    return b;
}
static void op_epoll(void) {
    int s = rnd(NSLOT), t = rnd(NSLOT), v = rnd(100);
    if (v < 12) {
        int cl = chance(30);
        P("epoll_create1 s%d%s", s, cl ? " CLOEXEC" : "");
        free_slot(s);
        errno = 0;
        int fd = epoll_create1(cl ? EPOLL_CLOEXEC : 0);
        int e = errno;
        if (fd < 0) {
            res(fd, e);
            return;
        }
        P(" -> ok");
        put_slot(s, fd, new_obj(K_EPOLL, 0));
        return;
    }
    /* the epoll instance: slot s if it is one, else the first one there is */
    int es = -1;
    for (int k = 0; k < NSLOT; k++) {
        int q = (s + k) % NSLOT;
        if (slot_fd[q] >= 0 && O[slot_obj[q]].kind == K_EPOLL) {
            es = q;
            break;
        }
    }
    int epfd = es >= 0 ? slot_fd[es] : BADFD;
    if (v < 60) {
        static const int ops[] = {EPOLL_CTL_ADD, EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL};
        int cop = ops[rnd(4)];
        static const unsigned evs[] = {EPOLLIN, EPOLLOUT, EPOLLIN | EPOLLOUT, EPOLLIN | EPOLLRDHUP, 0};
        unsigned events = evs[rnd(5)];
        int fk, fd = pick_fd(t, &fk, 1);
        int o = fk == FD_OWN ? slot_obj[t] : -1;
        P("epoll_ctl %s %s", es >= 0 ? "" : "badfd", cop == EPOLL_CTL_ADD ? "ADD" : cop == EPOLL_CTL_MOD ? "MOD" : "DEL");
        if (es >= 0) P("(s%d)", es);
        show_fd(t, fk);
        P(" %s", epn(events));
        struct epoll_event ev_;
        memset(&ev_, 0, sizeof ev_);
        ev_.events = events;
        ev_.data.u32 = (uint32_t)(o >= 0 ? o : 0xffff);
        errno = 0;
        long r = epoll_ctl(epfd, cop, fd, &ev_);
        res(r, errno);
        if (r != 0 || es < 0 || o < 0) return;
        obj_t *b = &O[slot_obj[es]];
        int at = -1;
        for (int i = 0; i < b->ep_n; i++)
            if (b->ep_obj[i] == o) at = i;
        if (cop == EPOLL_CTL_ADD && at < 0 && b->ep_n < NSLOT * 2) b->ep_obj[b->ep_n] = o, b->ep_ev[b->ep_n++] = (int)events;
        else if (cop == EPOLL_CTL_MOD && at >= 0) b->ep_ev[at] = (int)events;
        else if (cop == EPOLL_CTL_DEL && at >= 0) b->ep_obj[at] = b->ep_obj[--b->ep_n], b->ep_ev[at] = b->ep_ev[b->ep_n];
        return;
    }
    int maxev = chance(10) ? 1 : 8;
    P("epoll_wait %s max=%d", es >= 0 ? "" : "badfd", maxev);
    if (es >= 0) P("(s%d)", es);
    struct epoll_event evs[8];
    errno = 0;
    long r = epoll_wait(epfd, evs, maxev, 0);
    int e = errno;
    int masked = 0;
    if (r > 0) /* (an item of stdout carries 0xffff: no object of the model) */
        for (int i = 0; i < r; i++)
            if (evs[i].data.u32 < NOBJ) masked |= obj_opq((int)evs[i].data.u32);
    if (es >= 0)
        for (int i = 0; i < O[slot_obj[es]].ep_n; i++) masked |= obj_opq(O[slot_obj[es]].ep_obj[i]);
    if (masked && r >= 0) {
        P(" -> ~");
        st_masked++;
        return;
    }
    res(r, e);
    if (r <= 0 || maxev == 1) return;
    /* In slot order (Linux's order is the order things became ready), and the items of one
     * object (its descriptor and a dup of it, both added) by their events. */
    P(" [");
    for (int q = 0; q < NSLOT; q++) {
        unsigned seen[8];
        int n = 0;
        for (int i = 0; i < r; i++)
            if ((int)evs[i].data.u32 == slot_obj[q] && slot_fd[q] >= 0 && slot_of(slot_obj[q]) == q)
                seen[n++] = evs[i].events;
        for (int a = 1; a < n; a++)
            for (int b = a; b > 0 && seen[b - 1] > seen[b]; b--) {
                unsigned t = seen[b];
                seen[b] = seen[b - 1], seen[b - 1] = t;
            }
        for (int i = 0; i < n; i++) P(" s%d:%s", q, epn(seen[i]));
    }
    P(" ]");
}
#endif

/* ------------------------------------------------------------------------------------------ */
/* The operation table: name, weight, function. A new operation is one line here. */

typedef struct {
    const char *name;
    int weight;
    void (*fn)(void);
} op_t;
static const op_t OPS[] = {
    {"socket", 7, op_socket},
    {"close", 5, op_close},
    {"bind", 5, op_bind},
    {"listen", 5, op_listen},
    {"connect", 9, op_connect},
    {"accept", 7, op_accept},
    {"send", 16, op_send},
    {"recv", 16, op_recv},
    {"poll", 6, op_poll},
    {"select", 3, op_select},
    {"getsockopt", 5, op_getsockopt},
    {"setsockopt", 5, op_setsockopt},
    {"shutdown", 4, op_shutdown},
    {"fcntl", 3, op_fcntl},
    {"ioctl", 4, op_ioctl},
    {"names", 4, op_names},
#ifdef DIFF_DUP
    {"dup", 4, op_dup},
#endif
#ifdef DIFF_CHANNELS
    {"channel", 4, op_channel},
#endif
#ifdef DIFF_EPOLL
    {"epoll", 6, op_epoll},
#endif
};
#define NOPS ((int)(sizeof OPS / sizeof OPS[0]))

int main(int argc, char **argv) {
    test_setup();
    if (argc < 3) {
        fprintf(stderr, "usage: diff <seed> <ops>\n");
        return 2;
    }
    g_seed = strtoull(argv[1], NULL, 0);
    unsigned long long nops = strtoull(argv[2], NULL, 0);
    for (int s = 0; s < NSLOT; s++) slot_fd[s] = -1;
    int total = 0;
    for (int i = 0; i < NOPS; i++) total += OPS[i].weight;
    printf("diff-fuzz seed %llu ops %llu\n", (unsigned long long)g_seed, nops);
    for (unsigned long long i = 0; i < nops; i++) {
        rs = g_seed * 0xD1B54A32D192ED03ULL ^ (i + 1) * 0x9E3779B97F4A7C15ULL;
        rnd64();
        int w = rnd(total), k = 0;
        while (w >= OPS[k].weight) w -= OPS[k++].weight;
        cur_opq = 0;
        OPS[k].fn();
        endline();
        st_ops++;
        settle_all();
    }
    P("end");
    for (int s = 0; s < NSLOT; s++)
        if (slot_fd[s] >= 0) close_slot(s, 1);
    int want = lowest_free();
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    P(" then socket -> %s", fd == want ? "lowest free descriptor" : "not the lowest free descriptor");
    if (fd >= 0) close(fd);
    endline();
    fprintf(stderr, "diff-stats ops=%llu settle_waits=%llu settle_fail=%llu masked=%llu skipped=%llu "
            "bytes=%llu dgrams=%llu timeouts=%llu\n", st_ops, st_waits, st_settle_fail, st_masked,
            st_skipped, st_bytes, st_dgrams, st_block);
    return 0;
}
