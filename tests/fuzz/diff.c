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
 *
 * FILES, one job each, built together (tests/fuzz/diff.py; the features' macros as -D flags):
 * diff.h (the limits, the model's types, what the files share), diff.c (this: the generator,
 * the output line, results and arguments, the operation table, main), diff_model.c (the model:
 * objects, connections, slots, opacity, closing), diff_settle.c (looking and settling),
 * diff_tcp.c (socket, close, bind, listen, connect, accept), diff_data.c (send and receive;
 * a quarter of the sendmsg/recvmsg calls go through sendmmsg/recvmmsg with one entry),
 * diff_ready.c (poll, select, epoll), diff_opts.c (options, shutdown, fcntl, ioctl, names),
 * diff_chan.c (dup, socket pairs, pipes).
 */
#include "diff.h"

#include <stdarg.h>

/* ------------------------------------------------------------------------------------------ */
/* Per-operation generator: splitmix64 seeded by (seed, op index) */

static uint64_t g_seed, rs;
static uint64_t rnd64(void) {
    uint64_t z = (rs += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
int rnd(int n) { return n > 0 ? (int)((rnd64() >> 33) % (uint64_t)n) : 0; }
int chance(int pct) { return rnd(100) < pct; }

/* ------------------------------------------------------------------------------------------ */
/* The output line */

static char L[8192];
static size_t LN;
void P(const char *fmt, ...) {
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
unsigned long long st_ops, st_waits, st_settle_fail, st_masked, st_skipped, st_bytes,
    st_dgrams, st_block;

/* ------------------------------------------------------------------------------------------ */
/* Results and arguments */

int cur_opq;
void res(long r, int e) {
    if (cur_opq) {
        P(" -> ~");
        st_masked++;
    } else if (r < 0)
        P(" -> %ld %s", r, errname(e));
    else
        P(" -> %ld", r);
}
/* The result of a call that makes a descriptor: its error, or "ok" and whether it is the lowest
 * free descriptor (`want`, looked up before the call), as POSIX says. Whether it made one. */
int res_fd(int fd, int e, int want) {
    if (fd < 0) {
        res(fd, e);
        return 0;
    }
    P(" -> ok%s", fd == want ? "" : " (not the lowest free descriptor)");
    return 1;
}
void skip(const char *why) {
    P(" -> skipped (%s)", why);
    st_skipped++;
}

/* A slot for an operation: mostly one that holds a descriptor (the n-th of those), sometimes
 * any slot (an empty one means a closed descriptor). */
int pick_slot(void) {
    int r = rnd(1 << 20), used[NSLOT], n = 0;
    for (int s = 0; s < NSLOT; s++)
        if (slot_fd[s] >= 0) used[n++] = s;
    if (n == 0 || chance(8)) return r % NSLOT;
    return used[r % n];
}

/* A descriptor for the next call: the slot's, or sometimes a bad one or stdout. */
int pick_fd(int s, int *kind, int stdout_ok) {
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
void show_fd(int s, int kind) {
    if (kind == FD_OWN) {
        int o = slot_obj[s];
        P(" s%d(%s%s%s)", s, kname[O[o].kind],
          O[o].kind == K_TCP || O[o].kind == K_UDP ? (O[o].fam == AF_INET6 ? "6" : "4") : "",
          O[o].nonblock ? " nb" : "");
    } else
        P(" %s", kind == FD_BAD ? "badfd" : kind == FD_NEG ? "fd-1" : "stdout");
}

/* ------------------------------------------------------------------------------------------ */
/* Printing addresses */

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
void show_sa(const addr_t *a, socklen_t len, int kind) {
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
