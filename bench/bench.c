/* Socket benchmark: one program, built natively, for wasm32-wasip1 with wasi-posix-sockets, and
 * for wasm32-wasip2 with wasi-libc's own socket layer (which has send/recv but not read/write on
 * sockets, so only send/recv are used). scripts/bench.py runs the builds side by side against
 * native servers (this program's `serve` modes) on loopback.
 *
 *   bench serve <sink|source|echo|churn|idle|udp|reply|many|manyslow|udpload|http> <4|6>
 *                                                  prints "PORT <n>", serves until killed
 *   bench run <test> <port> [args]                 prints "RESULT <key> <value>" lines
 *
 * Tests: bulk_send <MiB>, bulk_recv <MiB>, pingpong <round trips>, churn <cycles>,
 * udp <datagrams>, calls <n> (non-blocking recv on an empty socket, then poll with timeout 0),
 * reqresp1 <requests> and reqresp50 <requests> (keep-alive request/response on 1 or 50
 * connections, each request written in two pieces, a header and a body, with TCP_NODELAY: the
 * pattern Nagle stalls when it cannot be turned off), idle_epoll / idle_poll <idle connections>
 * <round trips> (one active connection among many idle ones, against `serve many`, or `serve
 * manyslow`, which echoes 1 ms late so that every wait blocks: 64-byte round trips through an
 * epoll or a poll loop; the measured loop is framed by "MARK start" / "MARK end" lines, for the
 * harness to read the process's CPU time; the wasi-libc build has no epoll), udpload_send and
 * udpload_recv <milliseconds> [4|6 [buffer bytes]] (1,460-byte datagrams paced at 1 Gbit/s for
 * that long, from this program to `serve udpload`, or from it to this program; loss counted by
 * the receiver; the paced part is framed by MARK lines for the harness to read both processes'
 * CPU time; a buffer size, if given, is set as the receiving socket's SO_RCVBUF, or the sending
 * socket's SO_SNDBUF), udpburst and udpburst_mmsg <datagrams> (1,460-byte datagrams sent
 * unpaced to `serve udpload` on a connected socket, one send() each or 16 per sendmmsg(); framed
 * by MARK lines, for the harness to turn the CPU time into CPU per datagram; not in the wasi-libc
 * build's udpburst_mmsg, which has no sendmmsg). */
#define _GNU_SOURCE /* sendmmsg */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#ifndef __wasi__
#include <signal.h>
#include <sys/resource.h>
#endif
#if defined(__linux__) || __has_include(<sys/epoll.h>) /* this library's builds; not wasi-libc's */
#include <sys/epoll.h>
#define HAVE_EPOLL 1
#define HAVE_MMSG 1 /* sendmmsg, as with epoll: Linux's and this library's, not wasi-libc's */
#endif

#define DIE(what)                                                              \
    do {                                                                       \
        fprintf(stderr, "%s: %s (errno %d)\n", what, strerror(errno), errno);  \
        exit(2);                                                               \
    } while (0)

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

typedef union {
    struct sockaddr sa;
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
} addr_t;

static int fam_v6;

static socklen_t loopback(addr_t *a, int port) {
    memset(a, 0, sizeof *a);
    if (fam_v6) {
        a->in6.sin6_family = AF_INET6;
        a->in6.sin6_port = htons(port);
        a->in6.sin6_addr = in6addr_loopback;
        return sizeof a->in6;
    }
    a->in.sin_family = AF_INET;
    a->in.sin_port = htons(port);
    a->in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sizeof a->in;
}

static int tcp_connect(int port) {
    int s = socket(fam_v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (s < 0) DIE("socket");
    addr_t a;
    socklen_t len = loopback(&a, port);
    if (connect(s, &a.sa, len) < 0) DIE("connect");
    return s;
}

static void send_all(int s, const void *buf, size_t n) {
    const char *p = buf;
    while (n > 0) {
        ssize_t w = send(s, p, n, 0);
        if (w < 0) DIE("send");
        p += w;
        n -= (size_t)w;
    }
}

static void recv_all(int s, void *buf, size_t n) {
    char *p = buf;
    while (n > 0) {
        ssize_t r = recv(s, p, n, 0);
        if (r < 0) DIE("recv");
        if (r == 0) {
            fprintf(stderr, "recv: unexpected end of stream\n");
            exit(2);
        }
        p += r;
        n -= (size_t)r;
    }
}

/* Raise the descriptor limit (natively) to what `n` connections need. */
static void raise_fd_limit(int n) {
#ifndef __wasi__
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < (rlim_t)n + 64) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
#else
    (void)n;
#endif
}

/* ------------------------------------------------------------------------------------------ */
/* Request/response sizes of the reqresp tests: a request is a header then a body, written
 * separately; the reply is one write. */
#define REQ_HEAD 128
#define REQ_BODY 256
#define REPLY 512

/* The `reply` server: many connections at once (poll), a REPLY-byte answer to each request. */
static void serve_reply(int l) {
    enum { MAXC = 256 };
    struct pollfd p[MAXC + 1];
    int have[MAXC + 1];
    int n = 1;
    p[0] = (struct pollfd){l, POLLIN, 0};
    static char buf[REQ_HEAD + REQ_BODY], reply[REPLY];
    memset(reply, 'r', sizeof reply);
    int one = 1;
    for (;;) {
        if (poll(p, (nfds_t)n, -1) < 0) DIE("poll");
        if ((p[0].revents & POLLIN) && n <= MAXC) {
            int s = accept(l, NULL, NULL);
            if (s >= 0) {
                setsockopt(s, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof one);
                p[n] = (struct pollfd){s, POLLIN, 0};
                have[n++] = 0;
            }
        }
        for (int i = 1; i < n; i++) {
            if (!p[i].revents) continue;
            ssize_t r = recv(p[i].fd, buf + have[i], sizeof buf - (size_t)have[i], 0);
            if (r <= 0) {
                close(p[i].fd);
                p[i] = p[n - 1];
                have[i] = have[n - 1];
                n--;
                i--;
                continue;
            }
            have[i] += (int)r;
            if (have[i] == (int)sizeof buf) {
                send_all(p[i].fd, reply, sizeof reply);
                have[i] = 0;
            }
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* UDP under load: 1,460-byte datagrams (a full Ethernet frame's payload) paced at 1 Gbit/s,
 * each carrying its number in its first 8 bytes. */
#define LOAD_DGRAM 1460
#define LOAD_RATE (1e9 / (LOAD_DGRAM * 8.0)) /* datagrams per second: 85,616 */

typedef struct {
    uint64_t sent, errors, bursts, max_burst;
    double secs;
} pace_t;

static void sleep_until_ns(uint64_t t) {
    uint64_t now = now_ns();
    if (t <= now) return;
    struct timespec ts = {(time_t)((t - now) / 1000000000u), (long)((t - now) % 1000000000u)};
    nanosleep(&ts, NULL);
}

/* Send `ms` milliseconds' worth of datagrams at LOAD_RATE on `s` (to `to`, or to its peer when
 * `to` is NULL). The pacing a plain program does: when behind schedule, send what is due at
 * once (a burst); when ahead, sleep until the next datagram is due. So a runtime whose sleeps
 * are coarse sends longer bursts. A send refused for lack of room (EAGAIN, ENOBUFS) counts as
 * sent and lost. */
static pace_t pace(int s, const struct sockaddr *to, socklen_t tolen, int ms) {
    static char d[LOAD_DGRAM];
    memset(d, 'l', sizeof d);
    pace_t r = {0};
    uint64_t total = (uint64_t)(LOAD_RATE * ms / 1000.0);
    double interval = 1e9 / LOAD_RATE;
    uint64_t t0 = now_ns();
    while (r.sent < total) {
        uint64_t due = (uint64_t)((double)(now_ns() - t0) / interval) + 1;
        if (due > total) due = total;
        if (r.sent >= due) {
            sleep_until_ns(t0 + (uint64_t)((double)r.sent * interval));
            continue;
        }
        r.bursts++;
        if (due - r.sent > r.max_burst) r.max_burst = due - r.sent;
        for (; r.sent < due; r.sent++) {
            memcpy(d, &r.sent, sizeof r.sent);
            ssize_t n = to ? sendto(s, d, sizeof d, 0, to, tolen) : send(s, d, sizeof d, 0);
            if (n == (ssize_t)sizeof d) continue;
            if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS)) DIE("send");
            r.errors++;
        }
    }
    r.secs = (double)(now_ns() - t0) / 1e9;
    return r;
}

/* "END" and the number of datagrams sent, to `to`. */
static void send_end(int l, uint64_t sent, const addr_t *to, socklen_t tolen) {
    char end[11];
    memcpy(end, "END", 3);
    memcpy(end + 3, &sent, sizeof sent);
    sendto(l, end, sizeof end, 0, &to->sa, tolen);
}

/* `serve udpload`: counts 1,460-byte datagrams since the last "RESET" and answers "END" with
 * the count (8 bytes). On "GO <ms>" it paces datagrams to the asker for that long, then sends
 * "END" and the number sent every 5 ms until the asker says "BYE" (at most 2 s): the receiver
 * under test needs no timeout of its own (wasi-libc's UDP has no SO_RCVTIMEO). */
static void serve_udpload(int l) {
    static char buf[65536];
    uint64_t count = 0;
    for (;;) {
        addr_t from;
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(l, buf, sizeof buf - 1, 0, &from.sa, &flen);
        if (n < 0) DIE("recvfrom");
        if (n == LOAD_DGRAM) {
            count++;
        } else if (n == 5 && memcmp(buf, "RESET", 5) == 0) {
            count = 0;
        } else if (n == 3 && memcmp(buf, "END", 3) == 0) {
            sendto(l, &count, sizeof count, 0, &from.sa, flen);
        } else if (n > 3 && memcmp(buf, "GO ", 3) == 0) {
            buf[n] = 0;
            uint64_t sent = pace(l, &from.sa, flen, atoi(buf + 3)).sent;
            for (int i = 0; i < 400; i++) {
                send_end(l, sent, &from, flen);
                struct pollfd p = {l, POLLIN, 0};
                if (poll(&p, 1, 5) > 0 && recv(l, buf, sizeof buf, 0) == 3 && memcmp(buf, "BYE", 3) == 0)
                    break;
            }
        }
    }
}

/* The end of an HTTP request's head. */
static char *find_blank_line(char *p, size_t n) {
    for (size_t i = 0; i + 4 <= n; i++)
        if (memcmp(p + i, "\r\n\r\n", 4) == 0) return p + i;
    return NULL;
}

/* `serve http`: a minimal HTTP/1.1 server for curl (one connection at a time, keep-alive):
 * `GET /<n>` answers n bytes ('x') with a Content-Length, sent in 1 MiB pieces from one buffer
 * made once; anything else is a 404. The server is native C so that it is never what bounds a
 * download. */
static void serve_http(int l) {
    static char body[1 << 20], req[8193];
    memset(body, 'x', sizeof body);
    for (;;) {
        int s = accept(l, NULL, NULL);
        if (s < 0) DIE("accept");
        size_t have = 0;
        for (;;) {
            char *end = NULL;
            while (!(end = find_blank_line(req, have))) {
                ssize_t r = have < sizeof req - 1 ? recv(s, req + have, sizeof req - 1 - have, 0) : 0;
                if (r <= 0) goto done;
                have += (size_t)r;
            }
            char head[256];
            unsigned long long n = 0;
            *end = 0;
            int found = sscanf(req, "GET /%llu ", &n) == 1;
            int hl = snprintf(head, sizeof head,
                              found ? "HTTP/1.1 200 OK\r\nContent-Length: %llu\r\n"
                                      "Content-Type: application/octet-stream\r\n\r\n"
                                    : "HTTP/1.1 404 Not Found\r\nContent-Length: %llu\r\n\r\n",
                              n);
            if (send(s, head, (size_t)hl, 0) != hl) goto done;
            while (n > 0) { /* a client that goes away mid-body ends the connection */
                ssize_t w = send(s, body, n < sizeof body ? (size_t)n : sizeof body, 0);
                if (w <= 0) goto done;
                n -= (unsigned long long)w;
            }
            size_t used = (size_t)(end + 4 - req);
            memmove(req, req + used, have - used);
            have -= used;
        }
    done:
        close(s);
    }
}

/* `many`: any number of connections, echoing through epoll (natively), at once or 1 ms late. */

#ifdef __linux__
static void serve_many(int l, int delay_us) {
    raise_fd_limit(20000);
    int ep = epoll_create1(0);
    struct epoll_event e = {EPOLLIN, {.fd = l}}, ev[256];
    epoll_ctl(ep, EPOLL_CTL_ADD, l, &e);
    static char buf[65536];
    for (;;) {
        int n = epoll_wait(ep, ev, 256, -1);
        for (int i = 0; i < n; i++) {
            int fd = ev[i].data.fd;
            if (fd == l) {
                int s = accept(l, NULL, NULL);
                if (s < 0) continue;
                int one = 1;
                setsockopt(s, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof one);
                struct epoll_event se = {EPOLLIN, {.fd = s}};
                epoll_ctl(ep, EPOLL_CTL_ADD, s, &se);
                continue;
            }
            ssize_t r = recv(fd, buf, sizeof buf, 0);
            if (r <= 0) {
                close(fd);
                continue;
            }
            if (delay_us) {
                struct timespec ts = {0, delay_us * 1000L};
                nanosleep(&ts, NULL);
            }
            send_all(fd, buf, (size_t)r);
        }
    }
}
#endif

/* Native servers (one connection at a time, but for `reply`, `many` and `manyslow`). */

static void serve(const char *mode, int bufsize) {
    int udp = strcmp(mode, "udp") == 0 || strcmp(mode, "udpload") == 0;
    int l = socket(fam_v6 ? AF_INET6 : AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
    if (l < 0) DIE("socket");
    int one = 1, big = 16 << 20;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    addr_t a;
    socklen_t len = loopback(&a, 0);
    if (bind(l, &a.sa, len) < 0) DIE("bind");
    if (!udp && listen(l, 4096) < 0) DIE("listen");
    if (getsockname(l, &a.sa, &len) < 0) DIE("getsockname");
    printf("PORT %d\n", fam_v6 ? ntohs(a.in6.sin6_port) : ntohs(a.in.sin_port));
    fflush(stdout);
    static char buf[1 << 20];
    if (strcmp(mode, "reply") == 0) serve_reply(l);
    if (strcmp(mode, "http") == 0) serve_http(l);
    if (strcmp(mode, "udpload") == 0) {
        if (bufsize > 0 && setsockopt(l, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof bufsize) < 0)
            DIE("SO_RCVBUF");
        serve_udpload(l);
    }
#ifdef __linux__
    if (strcmp(mode, "many") == 0) serve_many(l, 0);
    if (strcmp(mode, "manyslow") == 0) serve_many(l, 1000);
#endif
    if (udp) {
        setsockopt(l, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
        uint64_t count = 0;
        for (;;) {
            addr_t from;
            socklen_t flen = sizeof from;
            ssize_t n = recvfrom(l, buf, sizeof buf, 0, &from.sa, &flen);
            if (n < 0) DIE("recvfrom");
            if (n == 3 && memcmp(buf, "END", 3) == 0) {
                sendto(l, &count, sizeof count, 0, &from.sa, flen);
                count = 0;
            } else if (n == 5 && memcmp(buf, "RESET", 5) == 0) {
                count = 0;
            } else {
                count++;
            }
        }
    }
    for (;;) {
        int s = accept(l, NULL, NULL);
        if (s < 0) DIE("accept");
        if (strcmp(mode, "sink") == 0) {
            ssize_t n;
            while ((n = recv(s, buf, sizeof buf, 0)) > 0) {
            }
            send(s, "K", 1, 0);
        } else if (strcmp(mode, "source") == 0) {
            uint64_t want;
            recv_all(s, &want, sizeof want);
            memset(buf, 'x', sizeof buf);
            while (want > 0) {
                size_t n = want < sizeof buf ? want : sizeof buf;
                send_all(s, buf, n);
                want -= n;
            }
        } else if (strcmp(mode, "echo") == 0) {
            setsockopt(s, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof one);
            ssize_t n;
            while ((n = recv(s, buf, sizeof buf, 0)) > 0) send_all(s, buf, n);
        } else if (strcmp(mode, "idle") == 0) {
            while (recv(s, buf, sizeof buf, 0) > 0) {
            }
        }
        /* churn: close at once */
        close(s);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Client tests: the program under test. */

static void bulk_send(int port, size_t mib) {
    static char buf[1 << 20];
    memset(buf, 'y', sizeof buf);
    double t0 = now_s();
    int s = tcp_connect(port);
    for (size_t i = 0; i < mib; i++) send_all(s, buf, sizeof buf);
    if (shutdown(s, SHUT_WR) < 0) DIE("shutdown");
    char k;
    recv_all(s, &k, 1);
    double dt = now_s() - t0;
    close(s);
    printf("RESULT bulk_send_mibps %.1f\n", mib / dt);
}

static void bulk_recv(int port, size_t mib) {
    static char buf[1 << 20];
    double t0 = now_s();
    int s = tcp_connect(port);
    uint64_t want = (uint64_t)mib << 20, got = 0;
    send_all(s, &want, sizeof want);
    for (;;) {
        ssize_t n = recv(s, buf, sizeof buf, 0);
        if (n < 0) DIE("recv");
        if (n == 0) break;
        got += (uint64_t)n;
    }
    double dt = now_s() - t0;
    close(s);
    if (got != want) {
        fprintf(stderr, "bulk_recv: got %llu of %llu bytes\n", (unsigned long long)got,
                (unsigned long long)want);
        exit(2);
    }
    printf("RESULT bulk_recv_mibps %.1f\n", mib / dt);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void pingpong(int port, int rounds) {
    int s = tcp_connect(port);
    int one = 1;
    setsockopt(s, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof one);
    char msg[64], back[64];
    memset(msg, 'p', sizeof msg);
    for (int i = 0; i < 1000; i++) { /* warm up */
        send_all(s, msg, sizeof msg);
        recv_all(s, back, sizeof back);
    }
    uint64_t *t = malloc(sizeof(uint64_t) * (size_t)rounds);
    for (int i = 0; i < rounds; i++) {
        uint64_t t0 = now_ns();
        send_all(s, msg, sizeof msg);
        recv_all(s, back, sizeof back);
        t[i] = now_ns() - t0;
    }
    close(s);
    qsort(t, (size_t)rounds, sizeof *t, cmp_u64);
    printf("RESULT pingpong_p50_us %.2f\n", t[rounds / 2] / 1e3);
    printf("RESULT pingpong_p99_us %.2f\n", t[rounds * 99 / 100] / 1e3);
    free(t);
}

static void churn(int port, int cycles) {
    double t0 = now_s();
    char c;
    for (int i = 0; i < cycles; i++) {
        int s = tcp_connect(port);
        ssize_t n = recv(s, &c, 1, 0);
        if (n != 0) {
            fprintf(stderr, "churn: expected end of stream, got %zd (errno %d)\n", n, errno);
            exit(2);
        }
        close(s);
    }
    printf("RESULT churn_cps %.0f\n", cycles / (now_s() - t0));
}

static void udp(int port, int count) {
    int s = socket(fam_v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
    if (s < 0) DIE("socket");
    addr_t a;
    socklen_t len = loopback(&a, port);
    if (connect(s, &a.sa, len) < 0) DIE("connect");
    static char dgram[1024];
    memset(dgram, 'u', sizeof dgram);
    send(s, "RESET", 5, 0);
    double t0 = now_s();
    for (int i = 0; i < count; i++)
        if (send(s, dgram, sizeof dgram, 0) != (ssize_t)sizeof dgram) DIE("send");
    double dt = now_s() - t0;
    /* Ask the server how many arrived (the END datagram may be lost too: ask again). */
    uint64_t got = 0;
    int answered = 0;
    for (int attempt = 0; attempt < 20 && !answered; attempt++) {
        send(s, "END", 3, 0);
        struct pollfd p = {s, POLLIN, 0};
        if (poll(&p, 1, 200) > 0 && recv(s, &got, sizeof got, 0) == (ssize_t)sizeof got)
            answered = 1;
    }
    close(s);
    if (!answered) {
        fprintf(stderr, "udp: the server did not report\n");
        exit(2);
    }
    printf("RESULT udp_dps %.0f\n", count / dt);
    printf("RESULT udp_loss_pct %.2f\n", 100.0 * (double)(count - (int64_t)got) / count);
}

static void calls(int port, int n) {
    int s = tcp_connect(port);
    char c;
    uint64_t t0 = now_ns();
    /* MSG_DONTWAIT rather than O_NONBLOCK: wasi-libc's wasip2 fcntl does not take sockets. */
    for (int i = 0; i < n; i++) {
        if (recv(s, &c, 1, MSG_DONTWAIT) >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
            fprintf(stderr, "calls: recv did not say EAGAIN\n");
            exit(2);
        }
    }
    uint64_t t1 = now_ns();
    struct pollfd p = {s, POLLIN, 0};
    for (int i = 0; i < n; i++) {
        if (poll(&p, 1, 0) != 0) {
            fprintf(stderr, "calls: poll reported an event\n");
            exit(2);
        }
    }
    uint64_t t2 = now_ns();
    close(s);
    printf("RESULT recv_ns %.0f\n", (double)(t1 - t0) / n);
    printf("RESULT poll_ns %.0f\n", (double)(t2 - t1) / n);
}

/* `clients` keep-alive connections, `requests` request/response exchanges in all: each request
 * is a header and a body in two sends with TCP_NODELAY (a server writing a header and a body, or
 * a client a request line and a payload, is the common case), the reply read in full. */
static void reqresp(int port, int requests, int clients) {
    enum { MAXC = 64 };
    int s[MAXC], got[MAXC], left = requests, inflight = 0, one = 1;
    struct pollfd p[MAXC];
    static char head[REQ_HEAD], body[REQ_BODY], reply[REPLY];
    memset(head, 'h', sizeof head);
    memset(body, 'b', sizeof body);
    for (int i = 0; i < clients; i++) {
        s[i] = tcp_connect(port);
        setsockopt(s[i], IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof one);
        got[i] = -1;
    }
    double t0 = now_s();
    for (int i = 0; i < clients && left > 0; i++, left--, inflight++) {
        send_all(s[i], head, sizeof head);
        send_all(s[i], body, sizeof body);
        got[i] = 0;
    }
    while (inflight > 0) {
        for (int i = 0; i < clients; i++) p[i] = (struct pollfd){s[i], got[i] >= 0 ? POLLIN : 0, 0};
        if (poll(p, (nfds_t)clients, -1) < 0) DIE("poll");
        for (int i = 0; i < clients; i++) {
            if (!(p[i].revents & POLLIN)) continue;
            ssize_t r = recv(s[i], reply, sizeof reply - (size_t)got[i], MSG_DONTWAIT);
            if (r <= 0) {
                if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
                DIE("reqresp recv");
            }
            got[i] += (int)r;
            if (got[i] < REPLY) continue;
            inflight--;
            got[i] = -1;
            if (left > 0) {
                left--;
                inflight++;
                send_all(s[i], head, sizeof head);
                send_all(s[i], body, sizeof body);
                got[i] = 0;
            }
        }
    }
    double dt = now_s() - t0;
    for (int i = 0; i < clients; i++) close(s[i]);
    printf("RESULT reqresp%d_rps %.0f\n", clients, requests / dt);
}

/* The paced part of the two tests below is framed by "MARK start" and "MARK end", for the
 * harness to read the CPU time both processes spent in it. */

/* udpload_send: this program paces datagrams to `serve udpload`, then asks how many arrived. */
static void udpload_send(int port, int ms, int sndbuf) {
    int s = socket(fam_v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
    if (s < 0) DIE("socket");
    if (sndbuf > 0 && setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) < 0)
        DIE("SO_SNDBUF");
    addr_t a;
    socklen_t len = loopback(&a, port);
    if (connect(s, &a.sa, len) < 0) DIE("connect");
    send(s, "RESET", 5, 0);
    printf("MARK start\n");
    pace_t r = pace(s, NULL, 0, ms);
    printf("MARK end\n");
    uint64_t got = 0;
    int answered = 0;
    for (int attempt = 0; attempt < 20 && !answered; attempt++) {
        send(s, "END", 3, 0);
        struct pollfd p = {s, POLLIN, 0};
        if (poll(&p, 1, 500) > 0 && recv(s, &got, sizeof got, 0) == (ssize_t)sizeof got)
            answered = 1;
    }
    close(s);
    if (!answered) {
        fprintf(stderr, "udpload_send: the server did not report\n");
        exit(2);
    }
    printf("RESULT udpl_send_loss_pct %.3f\n", 100.0 * (double)(r.sent - got) / (double)r.sent);
    printf("RESULT udpl_send_mbps %.1f\n", (double)r.sent * LOAD_DGRAM * 8 / r.secs / 1e6);
    printf("RESULT udpl_send_burst %.2f\n", (double)r.sent / (double)r.bursts);
    printf("RESULT udpl_send_maxburst %llu\n", (unsigned long long)r.max_burst);
    printf("RESULT udpl_send_refused %llu\n", (unsigned long long)r.errors);
}

/* udpload_recv: this program, bound and unconnected (a server's socket), asks `serve udpload`
 * to pace datagrams at it and counts what arrives (a blocking receive loop), until the
 * server's "END". */
static void udpload_recv(int port, int ms, int rcvbuf) {
    int s = socket(fam_v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
    if (s < 0) DIE("socket");
    if (rcvbuf > 0 && setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0)
        DIE("SO_RCVBUF");
    addr_t me, srv;
    socklen_t len = loopback(&me, 0);
    if (bind(s, &me.sa, len) < 0) DIE("bind");
    loopback(&srv, port);
    char go[32];
    int golen = snprintf(go, sizeof go, "GO %d", ms);
    static char buf[2048];
    uint64_t got = 0, sent = 0, next = 0, reordered = 0;
    printf("MARK start\n");
    if (sendto(s, go, (size_t)golen, 0, &srv.sa, len) != golen) DIE("sendto");
    for (;;) {
        ssize_t n = recv(s, buf, sizeof buf, 0);
        if (n < 0) DIE("udpload_recv");
        if (n == LOAD_DGRAM) {
            uint64_t seq;
            memcpy(&seq, buf, sizeof seq);
            if (seq < next) reordered++;
            else next = seq + 1;
            got++;
        } else if (n == 11 && memcmp(buf, "END", 3) == 0) {
            memcpy(&sent, buf + 3, sizeof sent);
            break;
        }
    }
    printf("MARK end\n");
    for (int i = 0; i < 3; i++) sendto(s, "BYE", 3, 0, &srv.sa, len);
    close(s);
    printf("RESULT udpl_recv_loss_pct %.3f\n", 100.0 * (double)(sent - got) / (double)sent);
    printf("RESULT udpl_recv_reordered %llu\n", (unsigned long long)reordered);
}

/* One active connection among `idle` idle ones: `rounds` 64-byte round trips on the active one,
 * each waited for by epoll_wait (use_epoll) or poll over every connection. */
static void idle_loop(int port, int idle, int rounds, int use_epoll) {
    raise_fd_limit(idle + 1);
    int *fds = malloc(sizeof(int) * (size_t)(idle + 1));
    for (int i = 0; i <= idle; i++) fds[i] = tcp_connect(port);
    int active = fds[idle];
    int one = 1;
    setsockopt(active, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof one);
    struct pollfd *pfd = NULL;
    int ep = -1;
#ifdef HAVE_EPOLL
    struct epoll_event evs[64];
    if (use_epoll) {
        ep = epoll_create1(0);
        for (int i = 0; i <= idle; i++) {
            struct epoll_event e = {EPOLLIN, {.u32 = (uint32_t)i}};
            if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e) < 0) DIE("epoll_ctl");
        }
    }
#else
    if (use_epoll) {
        fprintf(stderr, "no epoll in this build\n");
        exit(2);
    }
#endif
    if (!use_epoll) {
        pfd = malloc(sizeof *pfd * (size_t)(idle + 1));
        for (int i = 0; i <= idle; i++) pfd[i] = (struct pollfd){fds[i], POLLIN, 0};
    }
    char msg[64], back[64];
    memset(msg, 'i', sizeof msg);
    uint64_t *t = malloc(sizeof(uint64_t) * (size_t)rounds);
    long waits = 0;
    int warm = rounds < 200 ? rounds : 200;
    for (int r = -warm; r < rounds; r++) {
        if (r == 0) printf("MARK start\n");
        uint64_t t0 = now_ns();
        send_all(active, msg, sizeof msg);
        size_t got = 0;
        while (got < sizeof back) {
            int ready = 0;
#ifdef HAVE_EPOLL
            if (use_epoll) {
                int n = epoll_wait(ep, evs, 64, -1);
                if (n < 0) DIE("epoll_wait");
                for (int i = 0; i < n; i++) ready |= evs[i].data.u32 == (uint32_t)idle;
            }
#endif
            if (!use_epoll) {
                if (poll(pfd, (nfds_t)(idle + 1), -1) < 0) DIE("poll");
                ready = pfd[idle].revents & POLLIN;
            }
            if (r >= 0) waits++;
            if (!ready) continue;
            ssize_t n = recv(active, back + got, sizeof back - got, 0);
            if (n <= 0) DIE("recv");
            got += (size_t)n;
        }
        if (r >= 0) t[r] = now_ns() - t0;
    }
    printf("MARK end\n");
    qsort(t, (size_t)rounds, sizeof *t, cmp_u64);
    printf("RESULT idle_rtt_us %.2f\n", t[rounds / 2] / 1e3);
    printf("RESULT idle_waits %ld\n", waits);
    for (int i = 0; i <= idle; i++) close(fds[i]);
    free(fds);
    free(pfd);
    free(t);
}

/* udpburst / udpburst_mmsg: `n` datagrams as fast as the socket takes them, `batch` per call
 * (1: send()). Reports the rate and the count, under `prefix`. */
static void udpburst(int port, long n, int batch, const char *prefix) {
    int s = socket(fam_v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
    if (s < 0) DIE("socket");
    addr_t a;
    socklen_t len = loopback(&a, port);
    if (connect(s, &a.sa, len) < 0) DIE("connect");
    static char d[LOAD_DGRAM];
#ifdef HAVE_MMSG
    struct mmsghdr v[16];
    struct iovec iov = {d, sizeof d};
    memset(v, 0, sizeof v);
    for (int i = 0; i < 16; i++) {
        v[i].msg_hdr.msg_iov = &iov;
        v[i].msg_hdr.msg_iovlen = 1;
    }
#else
    if (batch > 1) DIE("no sendmmsg in this build");
#endif
    printf("MARK start\n");
    double t0 = now_s();
    long sent = 0;
    while (sent < n) {
#ifdef HAVE_MMSG
        if (batch > 1) {
            int r = sendmmsg(s, v, (unsigned)(n - sent < batch ? n - sent : batch), 0);
            if (r < 0) DIE("sendmmsg");
            sent += r;
            continue;
        }
#endif
        if (send(s, d, sizeof d, 0) < 0) DIE("send");
        sent++;
    }
    double secs = now_s() - t0;
    printf("MARK end\n");
    close(s);
    printf("RESULT %s_dps %.0f\n", prefix, (double)sent / secs);
    printf("RESULT %s_n %ld\n", prefix, sent);
}

int main(int argc, char **argv) {
#ifndef __wasi__
    signal(SIGPIPE, SIG_IGN);
#endif
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 4 && strcmp(argv[1], "serve") == 0) {
        fam_v6 = atoi(argv[3]) == 6;
        serve(argv[2], argc > 4 ? atoi(argv[4]) : 0);
        return 0;
    }
    if (argc < 5 || strcmp(argv[1], "run") != 0) {
        fprintf(stderr, "usage: bench serve <mode> <4|6> [bufsize] | bench run <test> <port> <n> [4|6]\n");
        return 64;
    }
    const char *test = argv[2];
    int port = atoi(argv[3]);
    long n = atol(argv[4]);
    fam_v6 = argc > 5 && strncmp(test, "idle_", 5) != 0 && atoi(argv[5]) == 6;
    if (strcmp(test, "bulk_send") == 0) bulk_send(port, (size_t)n);
    else if (strcmp(test, "bulk_recv") == 0) bulk_recv(port, (size_t)n);
    else if (strcmp(test, "pingpong") == 0) pingpong(port, (int)n);
    else if (strcmp(test, "churn") == 0) churn(port, (int)n);
    else if (strcmp(test, "udp") == 0) udp(port, (int)n);
    else if (strcmp(test, "calls") == 0) calls(port, (int)n);
    else if (strcmp(test, "reqresp1") == 0) reqresp(port, (int)n, 1);
    else if (strcmp(test, "reqresp50") == 0) reqresp(port, (int)n, 50);
    else if (strcmp(test, "udpload_send") == 0) udpload_send(port, (int)n, argc > 6 ? atoi(argv[6]) : 0);
    else if (strcmp(test, "udpload_recv") == 0) udpload_recv(port, (int)n, argc > 6 ? atoi(argv[6]) : 0);
    else if (strcmp(test, "udpburst") == 0) udpburst(port, n, 1, "udpb_send");
    else if (strcmp(test, "udpburst_mmsg") == 0) udpburst(port, n, 16, "udpb_mmsg");
    else if (strcmp(test, "idle_epoll") == 0) idle_loop(port, (int)n, argc > 5 ? atoi(argv[5]) : 1000, 1);
    else if (strcmp(test, "idle_poll") == 0) idle_loop(port, (int)n, argc > 5 ? atoi(argv[5]) : 1000, 0);
    else {
        fprintf(stderr, "unknown test %s\n", test);
        return 64;
    }
    return 0;
}
