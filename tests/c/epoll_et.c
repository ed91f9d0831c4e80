//! helper: rst
/* Edge-triggered epoll against Linux on loopback: an event only on a new arrival or a change
 * (data, a datagram, a connection, the peer's FIN, a reset, room to write after EAGAIN), never
 * again for what is already there; an arrival behind unread bytes is new; a wake-up for input
 * does not reach an item that asked only for output (and reports the whole level to one that
 * asked for both); arrivals after shutdown(SHUT_RD) are new (TCP and UDP still queue);
 * EPOLL_CTL_MOD reports again what holds; EPOLLONESHOT with EPOLLET. */
#include "ep.h"

static int rst_ports[2];

/* Let what the peer did reach this end (Linux's loopback delivers within the peer's call). */
static void settle(void) {
    sleep_ms(30);
}

/* Receive until EAGAIN; print how many bytes came. */
static void drain(const char *what, int s) {
    char buf[4096];
    long got = 0;
    ssize_t n;
    while ((n = recv(s, buf, sizeof buf, MSG_DONTWAIT)) > 0) got += n;
    printf("%s: %ld bytes, then %s\n", what, got, n == 0 ? "end of stream" : errname(errno));
}

static void tcp(int fam) {
    printf("== tcp %s\n", famname(fam));
    int ep = epoll_create1(0);
    int c, s;
    tcp_pair(fam, &c, &s);
    set_nonblock(s);
    CTL(ep, EPOLL_CTL_ADD, s, EPOLLIN | EPOLLET, 1);
    ewait("idle", ep, 8, 0);
    MUST(send(c, "abc", 3, 0));
    settle();
    ewait("data", ep, 8, 1000);
    ewait("nothing new", ep, 8, 0);
    char buf[8];
    SHOW(recv(s, buf, 1, 0));
    ewait("after a partial read", ep, 8, 0);
    MUST(send(c, "d", 1, 0));
    settle();
    ewait("more data behind unread bytes", ep, 8, 1000);
    ewait("nothing new", ep, 8, 0);
    drain("drained", s);
    ewait("after draining", ep, 8, 0);
    /* EPOLL_CTL_MOD looks again: what holds is reported once */
    MUST(send(c, "e", 1, 0));
    settle();
    ewait("data", ep, 8, 1000);
    CTL(ep, EPOLL_CTL_MOD, s, EPOLLIN | EPOLLET, 1);
    ewait("modified, data still there", ep, 8, 0);
    ewait("nothing new", ep, 8, 0);
    CTL(ep, EPOLL_CTL_MOD, s, EPOLLIN | EPOLLOUT | EPOLLET, 2);
    ewait("modified to IN|OUT", ep, 8, 0);
    ewait("nothing new", ep, 8, 0);
    drain("drained", s);
    /* a wake-up for input reports the whole level to an item that asked for both */
    MUST(send(c, "f", 1, 0));
    settle();
    ewait("data, IN|OUT asked", ep, 8, 1000);
    drain("drained", s);
    /* ... and does not reach an item that asked only for output */
    CTL(ep, EPOLL_CTL_MOD, s, EPOLLOUT | EPOLLET, 3);
    ewait("modified to OUT", ep, 8, 0);
    MUST(send(c, "g", 1, 0));
    settle();
    ewait("data, only OUT asked", ep, 8, 100);
    drain("drained", s);
    /* the peer's FIN is a change every item sees */
    CTL(ep, EPOLL_CTL_MOD, s, EPOLLIN | EPOLLRDHUP | EPOLLET, 4);
    ewait("modified to IN|RDHUP", ep, 8, 0);
    MUST(send(c, "h", 1, 0));
    MUST(shutdown(c, SHUT_WR));
    settle();
    ewait("data and FIN", ep, 8, 1000);
    ewait("nothing new", ep, 8, 0);
    drain("drained", s);
    ewait("after reading EOF", ep, 8, 0);
    close(c);
    close(s);
    /* FIN alone, RDHUP not asked */
    tcp_pair(fam, &c, &s);
    CTL(ep, EPOLL_CTL_ADD, s, EPOLLIN | EPOLLET, 5);
    MUST(shutdown(c, SHUT_WR));
    settle();
    ewait("FIN, IN asked", ep, 8, 1000);
    ewait("nothing new", ep, 8, 0);
    close(c);
    close(s);
    /* shut for reading: Linux still queues what arrives, and each arrival is new */
    tcp_pair(fam, &c, &s);
    set_nonblock(s);
    CTL(ep, EPOLL_CTL_ADD, s, EPOLLIN | EPOLLRDHUP | EPOLLET, 6);
    ewait("idle", ep, 8, 0);
    MUST(shutdown(s, SHUT_RD));
    ewait("shut for reading", ep, 8, 1000);
    ewait("nothing new", ep, 8, 0);
    MUST(send(c, "ij", 2, 0));
    settle();
    ewait("data after SHUT_RD", ep, 8, 1000);
    ewait("nothing new", ep, 8, 0);
    MUST(send(c, "k", 1, 0));
    settle();
    ewait("more behind it", ep, 8, 1000);
    drain("drained", s);
    close(c);
    close(s);
    close(ep);
}

static void writable(int fam) {
    printf("== room to write %s\n", famname(fam));
    int ep = epoll_create1(0);
    int c, s;
    tcp_pair(fam, &c, &s);
    set_nonblock(s);
    CTL(ep, EPOLL_CTL_ADD, s, EPOLLOUT | EPOLLET, 1);
    ewait("new connection", ep, 8, 0);
    ewait("nothing new", ep, 8, 0);
    /* fill until EAGAIN; then the peer takes everything: room again is an edge */
    static char block[65536];
    memset(block, 'w', sizeof block);
    long sent = 0;
    ssize_t n;
    while ((n = send(s, block, sizeof block, 0)) > 0) sent += n;
    printf("filled until %s\n", errname(errno));
    long got = 0;
    while (got < sent) {
        ssize_t r = recv(c, block, sizeof block, 0);
        if (r <= 0) break;
        got += r;
    }
    printf("peer took it all: %s\n", got == sent ? "yes" : "no");
    settle();
    ewait("room again", ep, 8, 1000);
    ewait("nothing new", ep, 8, 0);
    close(c);
    close(s);
    close(ep);
}

static void listener_and_udp(int fam) {
    printf("== listener and udp %s\n", famname(fam));
    int ep = epoll_create1(0);
    addr_t a;
    socklen_t len;
    int l = listener(fam, &a, &len);
    set_nonblock(l);
    CTL(ep, EPOLL_CTL_ADD, l, EPOLLIN | EPOLLET, 1);
    ewait("idle listener", ep, 8, 0);
    int c1 = socket(fam, SOCK_STREAM, 0);
    MUST(connect(c1, &a.sa, len));
    settle();
    ewait("a connection", ep, 8, 1000);
    ewait("nothing new", ep, 8, 0);
    int n = 0, s;
    while ((s = accept(l, NULL, NULL)) >= 0) {
        n++;
        close(s);
    }
    printf("accepted %d, then %s\n", n, errname(errno));
    ewait("queue empty", ep, 8, 0);
    int c2 = socket(fam, SOCK_STREAM, 0);
    int c3 = socket(fam, SOCK_STREAM, 0);
    MUST(connect(c2, &a.sa, len));
    MUST(connect(c3, &a.sa, len));
    settle();
    ewait("two connections", ep, 8, 1000);
    ewait("nothing new", ep, 8, 0);
    int c4 = socket(fam, SOCK_STREAM, 0);
    MUST(connect(c4, &a.sa, len));
    settle();
    ewait("one more while two wait", ep, 8, 1000);
    ewait("nothing new", ep, 8, 0);
    n = 0;
    while ((s = accept(l, NULL, NULL)) >= 0) {
        n++;
        close(s);
    }
    printf("accepted %d, then %s\n", n, errname(errno));
    close(c1);
    close(c2);
    close(c3);
    close(c4);
    close(l);
    /* UDP: each datagram is an arrival, even behind one unread */
    int u = socket(fam, SOCK_DGRAM, 0);
    len = loopback(&a, fam, 0);
    MUST(bind(u, &a.sa, len));
    MUST(getsockname(u, &a.sa, &len));
    set_nonblock(u);
    CTL(ep, EPOLL_CTL_ADD, u, EPOLLIN | EPOLLOUT | EPOLLET, 2);
    ewait("bound udp", ep, 8, 0);
    ewait("nothing new", ep, 8, 0);
    int v = socket(fam, SOCK_DGRAM, 0);
    MUST(sendto(v, "d1", 2, 0, &a.sa, len));
    settle();
    ewait("a datagram", ep, 8, 1000);
    ewait("nothing new", ep, 8, 0);
    MUST(sendto(v, "d2", 2, 0, &a.sa, len));
    settle();
    ewait("another behind it", ep, 8, 1000);
    char buf[8];
    SHOW(recv(u, buf, sizeof buf, 0));
    ewait("one read, one left", ep, 8, 0);
    SHOW(recv(u, buf, sizeof buf, 0));
    SHOW(recv(u, buf, sizeof buf, 0));
    /* a connected datagram socket shut for reading still queues, and each arrival is new */
    addr_t va; /* v was bound by its first sendto */
    socklen_t vlen = sizeof va;
    MUST(getsockname(v, &va.sa, &vlen));
    MUST(connect(u, &va.sa, vlen));
    CTL(ep, EPOLL_CTL_MOD, u, EPOLLIN | EPOLLRDHUP | EPOLLET, 3);
    ewait("connected udp", ep, 8, 0);
    SHOW(shutdown(u, SHUT_RD));
    ewait("udp shut for reading", ep, 8, 1000);
    ewait("nothing new", ep, 8, 0);
    MUST(sendto(v, "d3", 2, 0, &a.sa, len));
    settle();
    ewait("a datagram after SHUT_RD", ep, 8, 1000);
    ewait("nothing new", ep, 8, 0);
    SHOW(recv(u, buf, sizeof buf, 0));
    close(u);
    close(v);
    close(ep);
}

static void resets_and_oneshot(int fam) {
    printf("== reset and oneshot %s\n", famname(fam));
    int ep = epoll_create1(0);
    addr_t a;
    socklen_t len = loopback(&a, fam, rst_ports[fam == AF_INET6]);
    int r = socket(fam, SOCK_STREAM, 0);
    MUST(connect(r, &a.sa, len));
    CTL(ep, EPOLL_CTL_ADD, r, EPOLLIN | EPOLLRDHUP | EPOLLET, 1);
    sleep_ms(100);
    ewait("reset by peer", ep, 8, 1000);
    ewait("nothing new", ep, 8, 0);
    close(r);
    /* EPOLLONESHOT with EPOLLET: one report, then nothing until EPOLL_CTL_MOD */
    int c, s;
    tcp_pair(fam, &c, &s);
    CTL(ep, EPOLL_CTL_ADD, s, EPOLLIN | EPOLLET | EPOLLONESHOT, 2);
    MUST(send(c, "1", 1, 0));
    settle();
    ewait("oneshot data", ep, 8, 1000);
    MUST(send(c, "2", 1, 0));
    settle();
    ewait("oneshot disarmed", ep, 8, 100);
    CTL(ep, EPOLL_CTL_MOD, s, EPOLLIN | EPOLLET | EPOLLONESHOT, 3);
    ewait("re-armed, data there", ep, 8, 0);
    ewait("disarmed again", ep, 8, 0);
    close(c);
    close(s);
    close(ep);
}

int main(int argc, char **argv) {
    test_setup();
    if (argc < 3) {
        printf("usage: epoll_et <rst port v4> <rst port v6>\n");
        return 2;
    }
    rst_ports[0] = atoi(argv[1]);
    rst_ports[1] = atoi(argv[2]);
    tcp(AF_INET);
    tcp(AF_INET6);
    writable(AF_INET);
    writable(AF_INET6);
    listener_and_udp(AF_INET);
    listener_and_udp(AF_INET6);
    resets_and_oneshot(AF_INET);
    resets_and_oneshot(AF_INET6);
    return 0;
}
