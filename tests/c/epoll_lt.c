//! stdin: hello from stdin
//! helper: rst
/* Level-triggered epoll against Linux: what each kind of descriptor reports (fresh, connecting,
 * connected, listening, reset and refused TCP sockets; UDP sockets; stdin; stdout), EPOLLRDHUP,
 * EPOLLERR and EPOLLHUP always reported, RDNORM/WRNORM, EPOLLPRI never; data returned verbatim;
 * events reported again while they hold; maxevents and the order of the ready list (round robin);
 * EPOLLONESHOT; timeouts of epoll_wait, epoll_pwait and epoll_pwait2. */
#include "ep.h"

static int rst_ports[2];

/* Let what the peer did reach this end: Linux's loopback delivers within the peer's call, a
 * WASI host's event loop a little later. */
static void settle(void) {
    sleep_ms(30);
}

static void kinds(int fam) {
    printf("== kinds %s\n", famname(fam));
    int ep = epoll_create1(0);
    uint32_t all = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
    /* a fresh socket: TCP_CLOSE, nothing shut down -> writable and hung up */
    int fresh = socket(fam, SOCK_STREAM, 0);
    CTL(ep, EPOLL_CTL_ADD, fresh, all, 1);
    ewait("fresh socket", ep, 8, 0);
    CTL(ep, EPOLL_CTL_MOD, fresh, 0, 1);
    ewait("fresh socket, no events asked", ep, 8, 0);
    CTL(ep, EPOLL_CTL_MOD, fresh, EPOLLIN, 1);
    ewait("fresh socket, IN asked", ep, 8, 0);
    CTL(ep, EPOLL_CTL_DEL, fresh, 0, 0);
    /* a listener: readable with a connection to accept */
    addr_t a;
    socklen_t len;
    int l = listener(fam, &a, &len);
    CTL(ep, EPOLL_CTL_ADD, l, all, 2);
    ewait("idle listener", ep, 8, 0);
    int c = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    errno = 0;
    printf("connect -> %s\n", connect(c, &a.sa, len) < 0 ? errname(errno) : "0");
    CTL(ep, EPOLL_CTL_ADD, c, all, 3);
    settle();
    ewait("listener with a connection, connecting socket", ep, 8, 1000);
    ewait("again (level-triggered)", ep, 8, 0);
    int s = accept(l, NULL, NULL);
    MUST(s);
    ewait("accepted", ep, 8, 0);
    CTL(ep, EPOLL_CTL_DEL, l, 0, 0);
    CTL(ep, EPOLL_CTL_DEL, c, 0, 0);
    /* a connection */
    CTL(ep, EPOLL_CTL_ADD, s, all, 4);
    ewait("idle connection", ep, 8, 0);
    CTL(ep, EPOLL_CTL_MOD, s, EPOLLIN, 4);
    ewait("idle connection, IN asked", ep, 8, 0);
    MUST(send(c, "ping", 4, 0));
    settle();
    ewait("data", ep, 8, 1000);
    ewait("data, again", ep, 8, 0);
    char buf[64];
    SHOW(recv(s, buf, 2, 0));
    ewait("half read", ep, 8, 0);
    SHOW(recv(s, buf, sizeof buf, 0));
    ewait("drained", ep, 8, 0);
    CTL(ep, EPOLL_CTL_MOD, s, EPOLLRDNORM | EPOLLWRNORM | EPOLLPRI, 5);
    MUST(send(c, "x", 1, 0));
    settle();
    ewait("RDNORM, WRNORM and PRI asked", ep, 8, 1000);
    SHOW(recv(s, buf, sizeof buf, 0));
    CTL(ep, EPOLL_CTL_MOD, s, all, 4);
    /* the peer's FIN: readable, RDHUP */
    MUST(shutdown(c, SHUT_WR));
    settle();
    ewait("peer sent FIN", ep, 8, 1000);
    CTL(ep, EPOLL_CTL_MOD, s, EPOLLIN, 4);
    ewait("peer sent FIN, RDHUP not asked", ep, 8, 0);
    CTL(ep, EPOLL_CTL_MOD, s, all, 4);
    SHOW(recv(s, buf, sizeof buf, 0));
    ewait("after reading EOF", ep, 8, 0);
    MUST(shutdown(s, SHUT_WR));
    ewait("FIN both ways", ep, 8, 0);
    CTL(ep, EPOLL_CTL_MOD, s, 0, 4);
    ewait("FIN both ways, nothing asked", ep, 8, 0);
    CTL(ep, EPOLL_CTL_ADD, c, all, 3);
    settle();
    ewait("FIN both ways, both ends", ep, 8, 1000);
    close(c);
    close(s);
    /* data and FIN arriving together */
    tcp_pair(fam, &c, &s);
    MUST(send(c, "last", 4, 0));
    MUST(shutdown(c, SHUT_WR));
    settle();
    CTL(ep, EPOLL_CTL_ADD, s, all, 6);
    ewait("data and FIN together", ep, 8, 1000);
    close(c);
    close(s);
    close(l);
    close(fresh);
    close(ep);
}

static void resets(int fam) {
    printf("== resets and refusals %s\n", famname(fam));
    int ep = epoll_create1(0);
    uint32_t all = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
    /* a connection the peer resets */
    addr_t a;
    socklen_t len = loopback(&a, fam, rst_ports[fam == AF_INET6]);
    int r = socket(fam, SOCK_STREAM, 0);
    MUST(connect(r, &a.sa, len));
    CTL(ep, EPOLL_CTL_ADD, r, all, 1);
    /* the helper resets as it accepts: wait for the reset to show */
    for (int i = 0; i < 100; i++) {
        struct epoll_event e;
        if (epoll_wait(ep, &e, 1, 20) == 1 && (e.events & EPOLLERR)) break;
    }
    ewait("reset by peer", ep, 8, 0);
    int err = -1;
    socklen_t el = sizeof err;
    SHOW(getsockopt(r, SOL_SOCKET, SO_ERROR, &err, &el));
    printf("SO_ERROR %s\n", err ? errname(err) : "0");
    ewait("reset, error taken", ep, 8, 0);
    close(r);
    /* a refused connect: a port nobody listens on */
    int l = listener(fam, &a, &len);
    close(l);
    int c = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    errno = 0;
    printf("connect -> %s\n", connect(c, &a.sa, len) < 0 ? errname(errno) : "0");
    CTL(ep, EPOLL_CTL_ADD, c, all, 2);
    settle();
    ewait("refused", ep, 8, 1000);
    SHOW(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el));
    printf("SO_ERROR %s\n", err ? errname(err) : "0");
    ewait("refused, error taken", ep, 8, 0);
    close(c);
    close(ep);
}

static void udp(int fam) {
    printf("== udp %s\n", famname(fam));
    int ep = epoll_create1(0);
    int u = socket(fam, SOCK_DGRAM, 0);
    CTL(ep, EPOLL_CTL_ADD, u, EPOLLIN | EPOLLOUT | EPOLLRDHUP, 1);
    ewait("unbound", ep, 8, 0);
    addr_t a;
    socklen_t len = loopback(&a, fam, 0);
    MUST(bind(u, &a.sa, len));
    MUST(getsockname(u, &a.sa, &len));
    ewait("bound", ep, 8, 0);
    int v = socket(fam, SOCK_DGRAM, 0);
    MUST(sendto(v, "d1", 2, 0, &a.sa, len));
    MUST(sendto(v, "d2", 2, 0, &a.sa, len));
    settle();
    CTL(ep, EPOLL_CTL_MOD, u, EPOLLIN, 1);
    ewait("two datagrams", ep, 8, 1000);
    char buf[8];
    SHOW(recv(u, buf, sizeof buf, 0));
    ewait("one left", ep, 8, 1000);
    SHOW(recv(u, buf, sizeof buf, 0));
    ewait("none left", ep, 8, 0);
    CTL(ep, EPOLL_CTL_MOD, u, EPOLLIN | EPOLLOUT | EPOLLRDHUP, 1);
    SHOW(shutdown(u, SHUT_RD));
    ewait("shut for reading", ep, 8, 0);
    SHOW(shutdown(u, SHUT_WR));
    ewait("shut both ways", ep, 8, 0);
    close(u);
    close(v);
    close(ep);
}

static void stdio(void) {
    printf("== stdio\n");
    int ep = epoll_create1(0);
    CTL(ep, EPOLL_CTL_ADD, 0, EPOLLIN, 10);
    ewait("stdin with a line", ep, 8, 1000);
    char line[64];
    SHOW(read(0, line, sizeof line));
    ewait("stdin read (the pipe stays open)", ep, 8, 100);
    CTL(ep, EPOLL_CTL_DEL, 0, 0, 0);
    CTL(ep, EPOLL_CTL_ADD, 1, EPOLLIN | EPOLLOUT, 11);
    ewait("stdout", ep, 8, 0);
    close(ep);
}

static void data_and_order(void) {
    printf("== data and order\n");
    int ep = epoll_create1(0);
    int c[3], s[3];
    for (int i = 0; i < 3; i++) {
        tcp_pair(AF_INET, &c[i], &s[i]);
        MUST(send(c[i], "x", 1, 0));
    }
    settle();
    /* data is returned verbatim, whatever it holds */
    struct epoll_event e;
    memset(&e, 0, sizeof e);
    e.events = EPOLLIN;
    e.data.u64 = 0xffffffffffffffffULL;
    SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, s[0], &e));
    e.data.u64 = 0;
    e.data.fd = s[1];
    SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, s[1], &e));
    e.data.u64 = 0;
    e.data.ptr = &e;
    SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, s[2], &e));
    struct epoll_event ev[4];
    int n = epoll_wait(ep, ev, 4, 1000);
    printf("3 ready: %d\n", n);
    for (int i = 0; i < n; i++) {
        if (ev[i].data.u64 == 0xffffffffffffffffULL) printf("  all ones\n");
        else if (ev[i].data.ptr == &e) printf("  the pointer\n");
        else if (ev[i].data.fd == s[1]) printf("  the descriptor\n");
        else printf("  data %llx\n", (unsigned long long)ev[i].data.u64);
    }
    close(ep);
    /* maxevents 1: the ready list goes round, in the order the items became ready */
    ep = epoll_create1(0);
    for (int i = 0; i < 3; i++) CTL(ep, EPOLL_CTL_ADD, s[i], EPOLLIN, (uint64_t)i);
    for (int r = 0; r < 4; r++) ewait_ordered("maxevents 1", ep, 1, 0);
    ewait_ordered("maxevents 2", ep, 2, 0);
    ewait_ordered("maxevents 2", ep, 2, 0);
    ewait_ordered("maxevents 8", ep, 8, 0);
    /* one of them drained: the others go on */
    char buf[8];
    SHOW(recv(s[1], buf, sizeof buf, 0));
    ewait_ordered("one drained", ep, 8, 0);
    /* one-shot: reported once, then silent until EPOLL_CTL_MOD */
    CTL(ep, EPOLL_CTL_MOD, s[0], EPOLLIN | EPOLLONESHOT, 0);
    ewait("oneshot armed", ep, 8, 0);
    ewait("oneshot fired", ep, 8, 0);
    MUST(send(c[0], "y", 1, 0));
    settle();
    ewait("oneshot, more data", ep, 8, 100);
    CTL(ep, EPOLL_CTL_MOD, s[0], EPOLLIN | EPOLLONESHOT, 0);
    ewait("oneshot re-armed", ep, 8, 0);
    ewait("oneshot fired again", ep, 8, 0);
    CTL(ep, EPOLL_CTL_DEL, s[0], 0, 0);
    CTL(ep, EPOLL_CTL_ADD, s[0], EPOLLIN | EPOLLONESHOT, 0);
    ewait("oneshot added again", ep, 8, 0);
    for (int i = 0; i < 3; i++) {
        close(c[i]);
        close(s[i]);
    }
    close(ep);
}

static void timeouts(void) {
    printf("== timeouts\n");
    int ep = epoll_create1(0);
    int c, s;
    tcp_pair(AF_INET, &c, &s);
    CTL(ep, EPOLL_CTL_ADD, s, EPOLLIN, 1);
    struct epoll_event ev[2];
    long t0 = mono_ms();
    SHOW(epoll_wait(ep, ev, 2, 0));
    printf("timeout 0 returned at once: %s\n", mono_ms() - t0 < 50 ? "yes" : "no");
    t0 = mono_ms();
    SHOW(epoll_wait(ep, ev, 2, 150));
    long dt = mono_ms() - t0;
    printf("timeout 150 ms waited 140..1000 ms: %s\n", dt >= 140 && dt < 1000 ? "yes" : "no");
    t0 = mono_ms();
    SHOW(epoll_pwait(ep, ev, 2, 100, NULL));
    dt = mono_ms() - t0;
    printf("epoll_pwait 100 ms waited 90..1000 ms: %s\n", dt >= 90 && dt < 1000 ? "yes" : "no");
    struct timespec ts = {0, 120000000};
    t0 = mono_ms();
    SHOW(epoll_pwait2(ep, ev, 2, &ts, NULL));
    dt = mono_ms() - t0;
    printf("epoll_pwait2 120 ms waited 110..1000 ms: %s\n", dt >= 110 && dt < 1000 ? "yes" : "no");
    ts = (struct timespec){0, 0};
    SHOW(epoll_pwait2(ep, ev, 2, &ts, NULL));
    /* a wait for ever ends with the event */
    MUST(send(c, "z", 1, 0));
    SHOW(epoll_wait(ep, ev, 2, -1));
    SHOW(epoll_pwait2(ep, ev, 2, NULL, NULL));
    SHOW(epoll_pwait(ep, ev, 2, -1, NULL));
    /* an empty set times out too */
    int empty = epoll_create1(0);
    t0 = mono_ms();
    SHOW(epoll_wait(empty, ev, 2, 60));
    dt = mono_ms() - t0;
    printf("empty set, 60 ms waited 50..1000 ms: %s\n", dt >= 50 && dt < 1000 ? "yes" : "no");
    close(empty);
    close(c);
    close(s);
    close(ep);
}

int main(int argc, char **argv) {
    test_setup();
    if (argc < 3) {
        printf("usage: epoll_lt <rst port v4> <rst port v6>\n");
        return 2;
    }
    rst_ports[0] = atoi(argv[1]);
    rst_ports[1] = atoi(argv[2]);
    kinds(AF_INET);
    kinds(AF_INET6);
    resets(AF_INET);
    resets(AF_INET6);
    udp(AF_INET);
    udp(AF_INET6);
    stdio();
    data_and_order();
    timeouts();
    return 0;
}
