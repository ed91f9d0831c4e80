//! helper: fault
//! timeout: 90
/* Faults: the peer closes or resets at every phase of a connection, a slow reader sits behind a
 * blocking send, a receive timeout expires inside MSG_WAITALL, and a socket is closed with its
 * writes still in flight while the program itself is the reader. Each case must end in Linux's
 * errno or end of stream: never a trap, a hang or lost data.
 *
 * The peer is a scripted native server (tests/run.py, helper kind "fault"): the first line a
 * connection sends names what it does. argv: the helper's IPv4 port, then its IPv6 port.
 * Where Linux itself may answer either way (a reset racing a send), the output names the set of
 * answers both Linux and this library may give, so the comparison is exact. */
#include "t.h"
#include <poll.h>
#include <sys/epoll.h>

static int helper_port[2];

static int fam_index(int fam) { return fam == AF_INET6; }

/* A blocking connection to the fault helper that has been told `cmd`. */
static int scripted(int fam, const char *cmd) {
    addr_t a;
    socklen_t len = loopback(&a, fam, helper_port[fam_index(fam)]);
    int fd = socket(fam, SOCK_STREAM, 0);
    MUST(fd);
    MUST(connect(fd, &a.sa, len));
    char line[64];
    int n = snprintf(line, sizeof line, "%s\n", cmd);
    MUST(send(fd, line, (size_t)n, 0));
    return fd;
}

static unsigned char pattern(size_t i) { return (unsigned char)(i % 251); }

/* Receive until end of stream or error, checking the pattern: 0 at end of stream, else the
 * errno; the byte count and whether every byte was the expected one. */
static int read_all(int fd, size_t *total, int *in_order) {
    static char buf[65536];
    *total = 0;
    *in_order = 1;
    for (;;) {
        errno = 0;
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return n == 0 ? 0 : errno;
        for (ssize_t i = 0; i < n; i++) *in_order &= (unsigned char)buf[i] == pattern(*total + (size_t)i);
        *total += (size_t)n;
    }
}

/* Receive until end of stream or error; print what arrived and what ended it. */
static void drain(int fd, const char *label) {
    size_t total;
    int ok, e = read_all(fd, &total, &ok);
    printf("%s: %zu bytes%s, then %s\n", label, total, ok ? " in order" : " CORRUPTED",
           e == 0 ? "end of stream" : errname(e));
}

/* The peer resets before the program accepts: accept still returns the connection (it was
 * established), and the first receive reports the reset. */
static void reset_before_accept(int fam) {
    printf("== reset before accept %s\n", famname(fam));
    addr_t a;
    socklen_t len;
    int l = listener(fam, &a, &len);
    char cmd[32];
    snprintf(cmd, sizeof cmd, "connect-rst %d", port_of(&a));
    int ctl = scripted(fam, cmd);
    char done[8] = {0};
    SHOW(recv(ctl, done, 5, MSG_WAITALL));
    struct pollfd p = {l, POLLIN, 0};
    SHOW(poll(&p, 1, 5000));
    int s = accept(l, NULL, NULL);
    OK(s);
    if (s >= 0) {
        char b;
        SHOW(recv(s, &b, 1, 0));
        SHOW(recv(s, &b, 1, 0));
        SHOW(close(s));
    }
    SHOW(close(ctl));
    SHOW(close(l));
}

/* The connect is refused (nobody listens) or the peer resets right after accepting. */
static void reset_during_connect(int fam) {
    printf("== refused and reset during connect %s\n", famname(fam));
    addr_t a;
    socklen_t len;
    int l = listener(fam, &a, &len);
    close(l); /* its port is now closed */
    int fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    MUST(fd);
    SHOW(connect(fd, &a.sa, len));
    struct pollfd p = {fd, POLLOUT, 0};
    SHOW(poll(&p, 1, 5000));
    printf("revents: %s\n", ev(p.revents));
    int err = 0;
    socklen_t elen = sizeof err;
    SHOW(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen));
    printf("SO_ERROR: %s\n", err ? errname(err) : "0");
    SHOW(close(fd));

    fd = scripted(fam, "rst-after-ms 0");
    struct pollfd q = {fd, POLLIN, 0};
    SHOW(poll(&q, 1, 5000));
    printf("revents: %s\n", ev(q.revents));
    char b;
    SHOW(recv(fd, &b, 1, 0));
    SHOW(recv(fd, &b, 1, 0));
    SHOW(send(fd, "x", 1, MSG_NOSIGNAL));
    SHOW(close(fd));
}

/* The peer resets while a blocking send of 16 MiB is under way (after reading 64 KiB). */
static void reset_mid_send(int fam) {
    printf("== reset mid-send %s\n", famname(fam));
    int fd = scripted(fam, "rst-after-read 65536");
    size_t n = 16u << 20;
    char *big = malloc(n);
    for (size_t i = 0; i < n; i++) big[i] = (char)pattern(i);
    errno = 0;
    ssize_t r = send(fd, big, n, MSG_NOSIGNAL);
    int e = errno;
    /* Linux returns the bytes queued before the reset, or the error when none were. */
    if (r >= 0)
        printf("send: %s count\n", (size_t)r < n ? "short" : "FULL");
    else
        printf("send: %s\n", e == EPIPE || e == ECONNRESET ? "EPIPE/ECONNRESET" : errname(e));
    errno = 0;
    r = send(fd, big, 1000, MSG_NOSIGNAL);
    e = errno;
    printf("send again: %s\n", r < 0 && (e == EPIPE || e == ECONNRESET) ? "EPIPE/ECONNRESET"
                                                                          : r < 0 ? errname(e) : "ok");
    free(big);
    SHOW(close(fd));
}

/* The peer sends 100 KiB, then resets (or closes) while the program is blocked receiving. */
static void peer_ends_mid_recv(int fam) {
    printf("== reset mid-recv %s\n", famname(fam));
    int fd = scripted(fam, "send-then-rst 102400");
    drain(fd, "recv");
    char b;
    SHOW(recv(fd, &b, 1, 0));
    SHOW(close(fd));
    printf("== close mid-recv %s\n", famname(fam));
    fd = scripted(fam, "send-then-close 102400");
    drain(fd, "recv");
    SHOW(recv(fd, &b, 1, 0));
    SHOW(close(fd));
}

/* A blocking poll is waiting when the peer resets, or closes. */
static void peer_ends_during_poll(int fam) {
    printf("== reset during a blocking poll %s\n", famname(fam));
    int fd = scripted(fam, "rst-after-ms 100");
    struct pollfd p = {fd, POLLIN, 0};
    SHOW(poll(&p, 1, -1));
    printf("revents: %s\n", ev(p.revents));
    char b;
    SHOW(recv(fd, &b, 1, 0));
    SHOW(close(fd));
    printf("== close during a blocking poll %s\n", famname(fam));
    fd = scripted(fam, "rst-after-ms -100"); /* negative: close gracefully after 100 ms */
    p.fd = fd;
    p.revents = 0;
    SHOW(poll(&p, 1, -1));
    printf("revents: %s\n", ev(p.revents));
    SHOW(recv(fd, &b, 1, 0));
    SHOW(close(fd));
}

/* A slow reader (16 KiB every 2 ms) behind a blocking send of 2 MiB: all of it arrives. */
static void slow_reader(int fam) {
    printf("== slow reader behind a blocking send %s\n", famname(fam));
    size_t n = 2u << 20;
    char cmd[32];
    snprintf(cmd, sizeof cmd, "slow-read %zu", n);
    int fd = scripted(fam, cmd);
    char *big = malloc(n);
    unsigned long sum = 0;
    for (size_t i = 0; i < n; i++) {
        big[i] = (char)pattern(i);
        sum = (sum + pattern(i)) & 0xffffffffu;
    }
    printf("send: %s\n", send(fd, big, n, 0) == (ssize_t)n ? "all 2 MiB" : "SHORT");
    char line[64] = {0};
    size_t got = 0;
    while (got < sizeof line - 1) {
        ssize_t r = recv(fd, line + got, 1, 0);
        if (r <= 0 || line[got] == '\n') break;
        got++;
    }
    unsigned long peer_n = 0, peer_sum = 0;
    sscanf(line, "%lu %lu", &peer_n, &peer_sum);
    printf("peer read %s, sum %s\n", peer_n == n ? "all" : "NOT ALL", peer_sum == sum ? "equal" : "DIFFERS");
    free(big);
    SHOW(close(fd));
}

/* SO_RCVTIMEO expires inside MSG_WAITALL: the bytes that did arrive are returned. */
static void timeout_inside_waitall(int fam) {
    printf("== SO_RCVTIMEO inside MSG_WAITALL %s\n", famname(fam));
    int fd = scripted(fam, "send-and-hold 40");
    struct timeval tv = {0, 200000};
    MUST(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    char buf[100];
    SHOW(recv(fd, buf, sizeof buf, MSG_WAITALL));
    int ok = 1;
    for (int i = 0; i < 40; i++) ok &= (unsigned char)buf[i] == pattern((size_t)i);
    printf("bytes %s\n", ok ? "in order" : "CORRUPTED");
    SHOW(recv(fd, buf, sizeof buf, MSG_WAITALL));
    SHOW(close(fd));
}

/* The peer's FIN arrives a while after its data, and the data is still unread: Linux reports
 * POLLRDHUP (and EPOLLRDHUP) when the FIN arrives, so a wait that asked for it must wake then
 * (libevent's EV_CLOSED), not at its timeout. */
static void fin_behind_unread_data(int fam) {
    printf("== FIN behind unread data %s\n", famname(fam));
    static const short asked[] = {POLLRDHUP, POLLIN | POLLRDHUP};
    char buf[64];
    for (int k = 0; k < 3; k++) {
        int fd = scripted(fam, "send-then-fin 12");
        struct pollfd p = {fd, POLLIN, 0};
        MUST(poll(&p, 1, 2000)); /* the data is there, the FIN not yet */
        int n;
        if (k < 2) {
            p.events = asked[k];
            p.revents = 0;
            n = poll(&p, 1, 2000);
            printf("poll %s: %d %s%s\n", k ? "IN|RDHUP" : "RDHUP", n, ev(p.revents),
                   p.revents & POLLRDHUP ? "RDHUP" : "");
        } else {
            int ep = epoll_create1(0);
            struct epoll_event e = {.events = EPOLLRDHUP}, out;
            e.data.fd = fd;
            MUST(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e));
            n = epoll_wait(ep, &out, 1, 2000);
            printf("epoll_wait RDHUP: %d %s\n", n,
                   n == 1 && out.events == EPOLLRDHUP ? "EPOLLRDHUP" : "other");
            close(ep);
        }
        SHOW(recv(fd, buf, sizeof buf, 0));
        SHOW(recv(fd, buf, sizeof buf, 0));
        SHOW(close(fd));
    }
}

/* Writes still in flight when the program closes the socket, and the program itself is the
 * reader: everything sent arrives, then the end of stream (the closed socket must not keep the
 * connection open while the program waits). */
static void close_with_writes_pending(int fam) {
    printf("== close with writes pending, reader in the same program %s\n", famname(fam));
    addr_t a;
    socklen_t len;
    int l = listener(fam, &a, &len);
    int c = socket(fam, SOCK_STREAM, 0);
    MUST(c);
    MUST(connect(c, &a.sa, len));
    int s = accept(l, NULL, NULL);
    MUST(s);
    static char chunk[65536];
    size_t sent = 0;
    /* Fill until the send side is full (the reader has not read anything). */
    for (;;) {
        for (size_t i = 0; i < sizeof chunk; i++) chunk[i] = (char)pattern(sent + i);
        ssize_t r = send(c, chunk, sizeof chunk, MSG_DONTWAIT);
        if (r < 0) break;
        sent += (size_t)r;
        if (sent > (64u << 20)) break;
    }
    printf("filled: %s\n", sent > 0 ? "yes" : "no");
    SHOW(close(c));
    size_t got;
    int ok, e = read_all(s, &got, &ok);
    printf("reader: %s, %s, then %s\n", got == sent ? "all bytes" : "BYTES MISSING",
           ok ? "in order" : "CORRUPTED", e == 0 ? "end of stream" : errname(e));
    SHOW(close(s));
    SHOW(close(l));
}

int main(int argc, char **argv) {
    test_setup();
    if (argc < 3) {
        printf("usage: faults <ipv4 helper port> <ipv6 helper port>\n");
        return 2;
    }
    helper_port[0] = atoi(argv[1]);
    helper_port[1] = atoi(argv[2]);
    int fams[2] = {AF_INET, AF_INET6};
    for (int i = 0; i < 2; i++) {
        reset_before_accept(fams[i]);
        reset_during_connect(fams[i]);
        reset_mid_send(fams[i]);
        peer_ends_mid_recv(fams[i]);
        peer_ends_during_poll(fams[i]);
        slow_reader(fams[i]);
        timeout_inside_waitall(fams[i]);
        close_with_writes_pending(fams[i]);
        fin_behind_unread_data(fams[i]);
    }
    return 0;
}
