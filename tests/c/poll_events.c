//! stdin: hello from stdin
//! helper: rst
/* poll/ppoll/select/pselect event rules, compared with Linux: POLLIN on data, end of stream and
 * pending connections; POLLOUT when writable and when a non-blocking connect completes; POLLHUP
 * when shut down both ways or reset; POLLERR and SO_ERROR (reported once) on a refused connect;
 * POLLNVAL for a bad descriptor among good ones; stdin mixed with sockets; timeouts -1/0/N. */
#include "t.h"
#include <poll.h>
#include <sys/select.h>
#include <sys/time.h>

/* poll one descriptor; print the count and the events */
static void poll1(const char *what, int fd, short events, int timeout) {
    struct pollfd p = {fd, events, 0};
    int n = poll(&p, 1, timeout);
    printf("%s: poll -> %d, revents %s\n", what, n, ev(p.revents));
}

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int rst_ports[2];

/* a connection to the harness's native server that resets every connection it accepts */
static int rst_client(int fam) {
    addr_t a;
    socklen_t len = loopback(&a, fam, rst_ports[fam == AF_INET6]);
    int c = socket(fam, SOCK_STREAM, 0);
    MUST(connect(c, &a.sa, len));
    return c;
}

/* a connected pair c (client) <-> s (server) plus the listener */
static void pair(int fam, int *l, int *c, int *s) {
    addr_t a;
    socklen_t len;
    *l = listener(fam, &a, &len);
    *c = socket(fam, SOCK_STREAM, 0);
    MUST(connect(*c, &a.sa, len));
    *s = accept(*l, NULL, NULL);
    MUST(*s);
}

static void events(int fam) {
    printf("== events %s\n", famname(fam));
    int l, c, s;
    addr_t a;
    socklen_t len;
    int fresh = socket(fam, SOCK_STREAM, 0);
    poll1("fresh socket", fresh, POLLIN | POLLOUT, 0);
    poll1("fresh socket, no events asked", fresh, 0, 0);
    l = listener(fam, &a, &len);
    poll1("idle listener", l, POLLIN, 0);
    c = socket(fam, SOCK_STREAM, 0);
    MUST(connect(c, &a.sa, len));
    poll1("listener with a pending connection", l, POLLIN, 1000);
    s = accept(l, NULL, NULL);
    MUST(s);
    poll1("listener drained", l, POLLIN, 0);
    poll1("idle connection", s, POLLIN, 0);
    poll1("idle connection, writable?", s, POLLIN | POLLOUT, 0);
    MUST(send(c, "ping", 4, 0));
    poll1("data arrived", s, POLLIN, 1000);
    poll1("data arrived, asked only OUT", s, POLLOUT, 0);
    char buf[64];
    SHOW(recv(s, buf, sizeof buf, 0));
    poll1("data drained", s, POLLIN, 0);
    /* peer shuts down writing: end of stream is readable, not a hang-up */
    MUST(shutdown(c, SHUT_WR));
    poll1("peer sent FIN", s, POLLIN, 1000);
    SHOW(recv(s, buf, sizeof buf, 0));
    poll1("after reading EOF", s, POLLIN | POLLOUT, 0);
    /* both directions shut: hang-up */
    MUST(shutdown(s, SHUT_WR));
    poll1("FIN both ways, server side", s, POLLIN | POLLOUT, 0);
    poll1("FIN both ways, client side", c, POLLIN, 1000);
    SHOW(recv(c, buf, sizeof buf, 0));
    poll1("FIN both ways, client after EOF", c, POLLIN | POLLOUT, 0);
    MUST(close(c));
    MUST(close(s));

    /* shutdown(SHUT_RDWR) on our side alone */
    pair(fam, &l, &c, &s);
    MUST(shutdown(c, SHUT_RDWR));
    poll1("after our SHUT_RDWR", c, POLLIN | POLLOUT, 0);
    MUST(close(c));
    MUST(close(s));
    MUST(close(l));

    /* a reset: the native helper server aborts every connection (SO_LINGER 0 -> RST) */
    c = rst_client(fam);
    poll1("reset by peer", c, POLLIN, 1000);
    poll1("reset by peer, all events", c, POLLIN | POLLOUT, 0);
    int err = -1;
    socklen_t elen = sizeof err;
    /* recv reports the reset once, then end of stream */
    SHOW(recv(c, buf, sizeof buf, 0));
    SHOW(recv(c, buf, sizeof buf, 0));
    SHOW(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &elen));
    printf("SO_ERROR after recv reported it: %s\n", err ? errname(err) : "0");
    poll1("reset, error consumed", c, POLLIN | POLLOUT, 0);
    SHOW(send(c, "x", 1, 0));
    MUST(close(c));
    MUST(close(fresh));

    /* a reset noticed by poll leaves the error for SO_ERROR */
    c = rst_client(fam);
    poll1("reset again", c, POLLIN, 1000);
    elen = sizeof err;
    SHOW(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &elen));
    printf("SO_ERROR after a reset: %s\n", err ? errname(err) : "0");
    elen = sizeof err;
    SHOW(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &elen));
    printf("SO_ERROR read again: %s\n", err ? errname(err) : "0");
    SHOW(recv(c, buf, sizeof buf, 0));
    MUST(close(c));
}

static void nb_connect(int fam) {
    printf("== non-blocking connect with poll %s\n", famname(fam));
    addr_t a;
    socklen_t len;
    int l = listener(fam, &a, &len);
    int c = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    SHOW(connect(c, &a.sa, len));
    poll1("connecting", c, POLLOUT, 1000);
    int err = -1;
    socklen_t elen = sizeof err;
    SHOW(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &elen));
    printf("SO_ERROR: %s\n", err ? errname(err) : "0");
    SHOW(send(c, "hi", 2, 0));
    int s = accept(l, NULL, NULL);
    char buf[8] = {0};
    SHOW(recv(s, buf, sizeof buf, 0));
    SHOW(send(s, "yo", 2, 0));
    poll1("reply", c, POLLIN, 1000);
    SHOW(recv(c, buf, sizeof buf, 0));
    SHOW(connect(c, &a.sa, len));
    SHOW(connect(c, &a.sa, len));
    MUST(close(s));
    MUST(close(c));

    /* refused: POLLERR (with POLLOUT and POLLHUP), SO_ERROR once, then 0 */
    int port = port_of(&a);
    MUST(close(l));
    c = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    socklen_t dlen = loopback(&a, fam, port);
    SHOW(connect(c, &a.sa, dlen));
    poll1("refused", c, POLLOUT, 1000);
    elen = sizeof err;
    SHOW(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &elen));
    printf("SO_ERROR: %s\n", err ? errname(err) : "0");
    elen = sizeof err;
    SHOW(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &elen));
    printf("SO_ERROR again: %s\n", err ? errname(err) : "0");
    poll1("refused, error consumed", c, POLLIN | POLLOUT, 0);
    SHOW(connect(c, &a.sa, dlen));
    MUST(close(c));
}

static void mixed_and_invalid(void) {
    printf("== mixed sets\n");
    int l, c, s;
    pair(AF_INET, &l, &c, &s);
    int closed = socket(AF_INET, SOCK_STREAM, 0);
    MUST(close(closed));
    struct pollfd p[5] = {{s, POLLIN, 0}, {closed, POLLIN, 0}, {-1, POLLIN, 0}, {c, POLLOUT, 0}, {0, POLLIN, 0}};
    int n = poll(p, 5, 1000);
    printf("poll -> %d: sock %s| closed %s| negative %s| writable %s| stdin %s\n", n, ev(p[0].revents),
           ev(p[1].revents), ev(p[2].revents), ev(p[3].revents), ev(p[4].revents));
    char line[64] = {0};
    SHOW(read(0, line, sizeof line - 1));
    printf("stdin said: %s", line);
    p[4].revents = 0;
    n = poll(&p[4], 1, 0);
    printf("stdin drained (writer still open): poll -> %d %s\n", n, ev(p[4].revents));
    MUST(send(c, "x", 1, 0));
    struct pollfd q[2] = {{0, POLLIN, 0}, {s, POLLIN, 0}};
    n = poll(q, 2, 2000);
    printf("stdin idle, socket gets data: poll -> %d stdin %s| sock %s\n", n, ev(q[0].revents), ev(q[1].revents));

    /* select over the same descriptors */
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(s, &r);
    FD_SET(c, &r);
    FD_SET(c, &w);
    struct timeval tv = {1, 0};
    n = select((s > c ? s : c) + 1, &r, &w, NULL, &tv);
    printf("select -> %d: s readable %d, c readable %d, c writable %d, timeout decreased %s\n", n,
           FD_ISSET(s, &r), FD_ISSET(c, &r), FD_ISSET(c, &w), tv.tv_sec == 0 || tv.tv_usec < 1000000 ? "yes" : "no");
    FD_ZERO(&r);
    FD_SET(closed, &r);
    tv.tv_sec = 0;
    tv.tv_usec = 0;
    SHOW(select(closed + 1, &r, NULL, NULL, &tv));
    FD_ZERO(&r);
    FD_SET(s, &r);
    SHOW(select(s, &r, NULL, NULL, &tv)); /* s itself is at nfds: ignored */
    tv.tv_usec = -1;
    SHOW(select(s + 1, &r, NULL, NULL, &tv));
    SHOW(select(-1, NULL, NULL, NULL, NULL));
    /* pselect and ppoll take a timespec and a signal mask (ignored in WASI) */
    FD_ZERO(&r);
    FD_SET(s, &r);
    struct timespec ts = {0, 0};
    SHOW(pselect(s + 1, &r, NULL, NULL, &ts, NULL));
    struct pollfd pp = {s, POLLIN, 0};
    SHOW(ppoll(&pp, 1, &ts, NULL));
    ts.tv_nsec = 1000000000;
    SHOW(ppoll(&pp, 1, &ts, NULL));
    struct pollfd *volatile nullp = NULL; /* hidden from the compiler's nonnull warning */
    SHOW(poll(nullp, 1, 0));
    MUST(close(c));
    MUST(close(s));
    MUST(close(l));
}

static void timeouts(void) {
    printf("== timeouts\n");
    int l, c, s;
    pair(AF_INET, &l, &c, &s);
    struct pollfd p = {s, POLLIN, 0};
    long t0 = now_ms();
    SHOW(poll(&p, 1, 150));
    long dt = now_ms() - t0;
    printf("poll 150 ms waited 140..1000 ms: %s\n", dt >= 140 && dt < 1000 ? "yes" : "no");
    t0 = now_ms();
    SHOW(poll(NULL, 0, 100));
    dt = now_ms() - t0;
    printf("poll(NULL, 0, 100) slept 90..1000 ms: %s\n", dt >= 90 && dt < 1000 ? "yes" : "no");
    t0 = now_ms();
    SHOW(poll(&p, 1, 0));
    printf("poll 0 returns at once: %s\n", now_ms() - t0 < 50 ? "yes" : "no");
    struct timeval tv = {0, 120000};
    t0 = now_ms();
    SHOW(select(0, NULL, NULL, NULL, &tv));
    dt = now_ms() - t0;
    printf("select 120 ms slept 110..1000 ms: %s, timeval now zero: %s\n", dt >= 110 && dt < 1000 ? "yes" : "no",
           tv.tv_sec == 0 && tv.tv_usec == 0 ? "yes" : "no");
    /* -1 waits until something happens */
    MUST(send(c, "late", 4, MSG_DONTWAIT));
    SHOW(poll(&p, 1, -1));
    MUST(close(c));
    MUST(close(s));
    MUST(close(l));
}

int main(int argc, char **argv) {
    test_setup();
    if (argc != 3) { printf("usage: poll_events <rst-port-v4> <rst-port-v6>\n"); return 1; }
    rst_ports[0] = atoi(argv[1]);
    rst_ports[1] = atoi(argv[2]);
    events(AF_INET);
    events(AF_INET6);
    nb_connect(AF_INET);
    nb_connect(AF_INET6);
    mixed_and_invalid();
    timeouts();
    return 0;
}
