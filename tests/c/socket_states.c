/* Socket states the differential fuzzer (tests/fuzz/diff.c) found answered differently from
 * Linux, one regression line each: shutdown on a socket with no connection (recorded anyway,
 * kept by a later connection), a failed connect reported by connect (TCP_CLOSE again), a failed
 * connect shut down (SS_DISCONNECTING), connect's state checks before the address, the ports
 * TCP gives back (a listener shut down, connect(AF_UNSPEC)), SHUT_RD that still delivers what
 * arrives, a FIN behind unread data (POLLHUP), IPV6_V6ONLY once bound, the order of checks
 * around NULL buffers, empty readv/writev, getpeername and getsockopt argument order, the
 * ports connect takes and keeps, options right after a connect, empty MSG_WAITALL and TCP's
 * MSG_TRUNC into NULL. */
#include "t.h"

/* NULL hidden from the compiler (no warning, no optimizing around it). */
static void *volatile NULLP;
#define NP ((void *)NULLP)

static int refused_port_fam(int fam, addr_t *a) { return loopback(a, fam, 1); }

static void show_poll(const char *what, int fd) {
    struct pollfd p = {fd, POLLIN | POLLOUT, 0};
    poll(&p, 1, 0);
    printf("%s: %s\n", what, ev(p.revents));
}

static void show_name(const char *what, int fd) {
    addr_t a;
    socklen_t l = sizeof a;
    if (getsockname(fd, &a.sa, &l) < 0) {
        printf("%s: getsockname %s\n", what, errname(errno));
        return;
    }
    show_addr(what, &a, l);
}

/* A connected pair on loopback: *c connects, *s accepted. */
static void pair(int fam, int *c, int *s) {
    addr_t a;
    socklen_t l;
    int L = listener(fam, &a, &l);
    *c = socket(fam, SOCK_STREAM, 0);
    MUST(connect(*c, &a.sa, l));
    *s = accept(L, NULL, NULL);
    MUST(*s);
    close(L);
}

static void unconnected_shutdown(int fam) {
    printf("== shutdown with no connection %s\n", famname(fam));
    char b[8];
    int fd = socket(fam, SOCK_STREAM, 0);
    SHOW(recv(fd, b, sizeof b, MSG_DONTWAIT));
    SHOW(shutdown(fd, SHUT_WR));
    SHOW(recv(fd, b, sizeof b, MSG_DONTWAIT));
    show_poll("after SHUT_WR", fd);
    SHOW(shutdown(fd, SHUT_RD));
    SHOW(recv(fd, b, sizeof b, MSG_DONTWAIT));
    show_poll("after SHUT_RD", fd);
    close(fd);
    /* A connection made later keeps the flags: writing is shut (no FIN goes out). */
    addr_t la;
    socklen_t ll;
    int L = listener(fam, &la, &ll);
    fd = socket(fam, SOCK_STREAM, 0);
    SHOW(shutdown(fd, SHUT_WR));
    SHOW(connect(fd, &la.sa, ll));
    int s = accept(L, NULL, NULL);
    SHOW(send(fd, "abc", 3, MSG_DONTWAIT));
    SHOW(send(s, "xyz", 3, 0));
    sleep_ms(20);
    SHOW(recv(fd, b, sizeof b, MSG_DONTWAIT));
    SHOW(recv(s, b, sizeof b, MSG_DONTWAIT));
    show_poll("connected after an early SHUT_WR", fd);
    close(s);
    close(fd);
    close(L);
}

static void failed_connect(int fam) {
    printf("== a failed connect %s\n", famname(fam));
    addr_t r;
    socklen_t rl = refused_port_fam(fam, &r);
    char b[8];
    int fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    SHOW(connect(fd, &r.sa, rl));
    struct pollfd p = {fd, POLLOUT, 0};
    poll(&p, 1, 2000);
    SHOW(connect(fd, &r.sa, rl));
    /* Reported by connect: TCP_CLOSE again, nothing shut down. */
    SHOW(recv(fd, b, sizeof b, 0));
    show_poll("reported", fd);
    /* connect's state comes before the address: a short one is refused as such now... */
    SHOW(connect(fd, &r.sa, 8));
    addr_t u;
    socklen_t ul = sizeof u;
    SHOW(getpeername(fd, &u.sa, (socklen_t[]){(socklen_t)-1}));
    (void)ul;
    /* ...and the port of the attempt was given back: bind works. */
    addr_t a;
    socklen_t al = loopback(&a, fam, 0);
    SHOW(bind(fd, &a.sa, al));
    close(fd);

    /* A failed connect gave its port back: IPV6_V6ONLY may be set again. */
    if (fam == AF_INET6) {
        int one = 1;
        fd = socket(fam, SOCK_STREAM, 0);
        SHOW(connect(fd, &r.sa, rl));
        SHOW(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one));
        close(fd);
    }

    /* Shut down before the failure was reported: SS_DISCONNECTING, no connect, no listen. */
    fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    SHOW(connect(fd, &r.sa, rl));
    poll(&p, 1, 0);
    p.fd = fd;
    poll(&p, 1, 2000);
    SHOW(shutdown(fd, SHUT_RD));
    SHOW(connect(fd, &r.sa, rl));
    SHOW(listen(fd, 1));
    SHOW(bind(fd, &a.sa, al));
    SHOW(connect(fd, &r.sa, rl));
    addr_t un;
    memset(&un, 0, sizeof un);
    un.sa.sa_family = AF_UNSPEC;
    SHOW(connect(fd, &un.sa, sizeof un));
    SHOW(connect(fd, &r.sa, rl));
    close(fd);

    /* Bound after the failure, then the failure reported: the bound port stays, listen works. */
    fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    SHOW(connect(fd, &r.sa, rl));
    p.fd = fd;
    poll(&p, 1, 2000);
    SHOW(bind(fd, &a.sa, al));
    SHOW(connect(fd, &r.sa, rl));
    SHOW(listen(fd, 1));
    show_name("listening", fd);
    close(fd);
}

static void connected_state_first(int fam) {
    printf("== connect on a connected socket %s\n", famname(fam));
    int c, s;
    pair(fam, &c, &s);
    addr_t r;
    refused_port_fam(fam, &r);
    SHOW(connect(c, &r.sa, 8));
    SHOW(connect(c, &r.sa, fam == AF_INET ? 15 : 20));
    /* AF_UNSPEC resets the connection (SO_ERROR ECONNRESET); the port it had goes back. */
    addr_t un;
    memset(&un, 0, sizeof un);
    un.sa.sa_family = AF_UNSPEC;
    SHOW(connect(c, &un.sa, sizeof un));
    int e = -1;
    socklen_t el = sizeof e;
    SHOW(getsockopt(c, SOL_SOCKET, SO_ERROR, &e, &el));
    printf("SO_ERROR %s\n", e ? errname(e) : "0");
    show_name("after AF_UNSPEC", c);
    addr_t a;
    socklen_t al = loopback(&a, fam, 0);
    SHOW(bind(c, &a.sa, al));
    close(c);
    close(s);
}

/* A listener shut for writing before it listened: its connections cannot send either. */
static void listener_preshut(int fam) {
    printf("== shut before listen %s\n", famname(fam));
    int L = socket(fam, SOCK_STREAM, 0);
    SHOW(shutdown(L, SHUT_WR));
    SHOW(listen(L, 1));
    addr_t a;
    socklen_t l = sizeof a;
    MUST(getsockname(L, &a.sa, &l));
    loopback(&a, fam, port_of(&a));
    int c = socket(fam, SOCK_STREAM, 0);
    SHOW(connect(c, &a.sa, l));
    int s = accept(L, NULL, NULL);
    char b[8];
    SHOW(send(s, "x", 1, 0));
    SHOW(send(c, "y", 1, 0));
    sleep_ms(20);
    SHOW(recv(s, b, sizeof b, MSG_DONTWAIT));
    close(c);
    close(s);
    close(L);
}

static void listener_shut(int fam) {
    printf("== a listener shut down %s\n", famname(fam));
    int fd = socket(fam, SOCK_STREAM, 0);
    SHOW(listen(fd, 1));
    SHOW(shutdown(fd, SHUT_WR));
    SHOW(shutdown(fd, SHUT_RD));
    SHOW(accept(fd, NULL, NULL));
    show_name("stopped", fd);
    addr_t a;
    socklen_t al = loopback(&a, fam, 0);
    SHOW(bind(fd, &a.sa, al));
    SHOW(listen(fd, 1));
    SHOW(shutdown(fd, SHUT_RDWR));
    SHOW(bind(fd, &a.sa, al));
    close(fd);
}

static void shut_rd_delivers(int fam) {
    printf("== SHUT_RD still delivers %s\n", famname(fam));
    int c, s;
    char b[16];
    pair(fam, &c, &s);
    SHOW(shutdown(s, SHUT_RD));
    SHOW(recv(s, b, sizeof b, 0));
    SHOW(send(c, "late", 4, 0));
    sleep_ms(20);
    int n = -1;
    SHOW(ioctl(s, FIONREAD, &n));
    printf("FIONREAD %d\n", n);
    SHOW(recv(s, b, sizeof b, 0));
    SHOW(recv(s, b, sizeof b, 0));
    /* A FIN behind unread data: hung up once shut for writing too. */
    SHOW(send(c, "more", 4, 0));
    SHOW(shutdown(c, SHUT_WR));
    sleep_ms(20);
    SHOW(shutdown(s, SHUT_WR));
    sleep_ms(20);
    show_poll("FIN behind data, both shut", s);
    /* Both FINs exchanged: TCP_CLOSE, no peer, nothing to shut down. */
    SHOW(recv(s, b, sizeof b, 0));
    SHOW(recv(s, b, sizeof b, 0));
    addr_t p;
    socklen_t pl = sizeof p;
    SHOW(getpeername(s, &p.sa, &pl));
    SHOW(shutdown(s, SHUT_RD));
    close(c);
    close(s);

    /* Shut both ways: what was queued is still read; data after that resets the connection
     * (the sender sees end of stream, then EPIPE). */
    pair(fam, &c, &s);
    SHOW(send(c, "early", 5, 0));
    sleep_ms(20);
    SHOW(shutdown(s, SHUT_RDWR));
    SHOW(recv(s, b, sizeof b, 0));
    SHOW(send(c, "late", 4, 0));
    sleep_ms(50);
    SHOW(recv(c, b, sizeof b, MSG_DONTWAIT));
    SHOW(send(c, "x", 1, 0));
    close(c);
    close(s);
}

/* A connected UDP socket: a NULL-buffer send reports a pending ICMP error first; an empty
 * datagram into a NULL buffer is received, with its sender. */
static void udp_null_buffers(int fam) {
    printf("== UDP NULL buffers %s\n", famname(fam));
    addr_t r;
    socklen_t rl = loopback(&r, fam, 1);
    int v = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    MUST(connect(v, &r.sa, rl));
    SHOW(send(v, "again", 5, 0));
    sleep_ms(50);
    SHOW(send(v, NP, 5, 0));
    close(v);
    addr_t a;
    socklen_t l = loopback(&a, fam, 0);
    int u = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    MUST(bind(u, &a.sa, l));
    MUST(getsockname(u, &a.sa, &l));
    MUST(connect(u, &a.sa, l));
    SHOW(send(u, "", 0, 0));
    sleep_ms(20);
    addr_t from;
    socklen_t fl = sizeof from;
    SHOW(recvfrom(u, NP, 5, MSG_PEEK, &from.sa, &fl));
    show_addr("from", &from, fl);
    close(u);
}

/* UDP bound to an address with port 0, then disconnected: the port goes, the address stays
 * (getsockname, and the next implicit bind). */
static void udp_disconnect_keeps_address(int fam) {
    printf("== UDP disconnect keeps a bound address %s\n", famname(fam));
    addr_t a;
    socklen_t l = loopback(&a, fam, 0);
    int u = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    SHOW(bind(u, &a.sa, l));
    addr_t un;
    memset(&un, 0, sizeof un);
    un.sa.sa_family = AF_UNSPEC;
    SHOW(connect(u, &un.sa, sizeof un));
    show_name("disconnected", u);
    SHOW(send(u, "x", 1, 0));
    show_name("after a send", u);
    close(u);
}

static void v6only_bound(void) {
    printf("== IPV6_V6ONLY once bound\n");
    int one = 1;
    int fd = socket(AF_INET6, SOCK_DGRAM, 0);
    SHOW(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one));
    addr_t a;
    socklen_t al = loopback(&a, AF_INET6, 0);
    SHOW(bind(fd, &a.sa, al));
    SHOW(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one));
    /* A second bind of an IPv6 socket: EINVAL before the address is looked at. */
    a.in6.sin6_addr.s6_addr[0] = 0x20, a.in6.sin6_addr.s6_addr[1] = 0x01;
    a.in6.sin6_addr.s6_addr[2] = 0x0d, a.in6.sin6_addr.s6_addr[3] = 0xb8;
    SHOW(bind(fd, &a.sa, al));
    close(fd);
}

static void argument_order(int fam) {
    printf("== argument order %s\n", famname(fam));
    int t = socket(fam, SOCK_STREAM, 0);
    int u = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    char b[8];
    /* NULL buffers fault only when copied: the socket's own answer comes first. */
    SHOW(send(t, NP, 5, 0));
    SHOW(write(t, NP, 5));
    SHOW(send(u, NP, 5, 0));
    SHOW(send(999, NP, 5, 0));
    struct iovec iov[2] = {{NP, 5}, {b, 3}};
    SHOW(writev(t, iov, 2));
    SHOW(readv(t, iov, 2));
    SHOW(readv(u, iov, 2));
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = iov;
    m.msg_iovlen = 2;
    SHOW(recvmsg(t, &m, MSG_DONTWAIT));
    SHOW(sendmsg(u, &m, 0));
    /* Empty readv/writev return 0 before the socket is asked. */
    struct iovec none = {b, 0};
    SHOW(writev(t, &none, 1));
    SHOW(writev(u, &none, 1));
    SHOW(readv(t, &none, 1));
    /* getpeername: ENOTCONN before the length; getsockopt: an unknown level before optlen. */
    addr_t a;
    SHOW(getpeername(t, &a.sa, NP));
    SHOW(getsockopt(u, IPPROTO_TCP, TCP_KEEPINTVL, b, NP));
    SHOW(setsockopt(u, IPPROTO_TCP, TCP_KEEPINTVL, NP, 4));
    SHOW(setsockopt(u, 9999, 1, NP, 4));
    /* A negative buffer size is a huge one to Linux (the maximum), not the minimum. */
    int neg = -1, got = 0;
    socklen_t gl = sizeof got;
    SHOW(setsockopt(u, SOL_SOCKET, SO_SNDBUF, &neg, sizeof neg));
    SHOW(getsockopt(u, SOL_SOCKET, SO_SNDBUF, &got, &gl));
    printf("SO_SNDBUF after -1: %s\n", got > 65536 ? "large" : "small");
    int L = socket(fam, SOCK_STREAM, 0);
    SHOW(listen(L, 1));
    SHOW(ioctl(L, FIONREAD, NP));
    /* connect: a closed descriptor, then the address, then a descriptor not a socket. */
    SHOW(connect(1, NP, sizeof a));
    SHOW(connect(999, NP, sizeof a));
    close(L);
    close(t);
    close(u);
}

static int reuse_socket(int fam, int flags) {
    int one = 1, s = socket(fam, SOCK_STREAM | flags, 0);
    MUST(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    return s;
}

/* Ports and options around connect: another socket may bind the port connect() took when both
 * ask SO_REUSEADDR (neither listening); a port bind named stays the socket's through a failed
 * connect, even once another socket listens on it; a connection's options are there as soon
 * as poll says it is up. */
static void connect_ports(int fam) {
    printf("== ports and options around connect %s\n", famname(fam));
    addr_t a, b, r, p;
    socklen_t l, bl = sizeof b, rl = refused_port_fam(fam, &r), pl = loopback(&p, fam, 0);
    int L = listener(fam, &a, &l);
    int c = reuse_socket(fam, 0);
    MUST(connect(c, &a.sa, l));
    MUST(getsockname(c, &b.sa, &bl));
    int d = reuse_socket(fam, 0);
    SHOW(bind(d, &b.sa, bl));
    close(d);
    close(accept(L, NULL, NULL));
    close(c);
    int f = reuse_socket(fam, 0);
    MUST(bind(f, &p.sa, pl));
    MUST(getsockname(f, &p.sa, &pl));
    int e = reuse_socket(fam, 0);
    SHOW(bind(e, &p.sa, pl));
    SHOW(connect(e, &r.sa, rl));
    SHOW(listen(f, 1));
    SHOW(connect(e, &r.sa, rl));
    close(e);
    close(f);
    int g = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    SHOW(connect(g, &a.sa, l));
    struct pollfd pf = {g, POLLOUT, 0};
    while (poll(&pf, 1, 0) == 0) /* (as tests/fuzz/diff.c's settling found it) */
        poll(&pf, 1, 10);
    int v = -1;
    socklen_t vl = sizeof v;
    SHOW(getsockopt(g, IPPROTO_TCP, TCP_KEEPCNT, &v, &vl));
    printf("TCP_KEEPCNT %d\n", v);
    close(g);
    close(accept(L, NULL, NULL));
    close(L);
}

/* An empty MSG_WAITALL receive is a plain empty one (EAGAIN without data, 0 with); TCP's
 * MSG_TRUNC discards without copying, so a NULL buffer does not fault. */
static void tcp_empty_and_trunc(int fam) {
    printf("== TCP empty MSG_WAITALL, MSG_TRUNC into NULL %s\n", famname(fam));
    int c, s;
    char b[8];
    pair(fam, &c, &s);
    SHOW(recv(s, b, 0, MSG_WAITALL | MSG_DONTWAIT));
    MUST(send(c, "hello", 5, 0));
    struct pollfd pf = {s, POLLIN, 0};
    MUST(poll(&pf, 1, 2000));
    SHOW(recv(s, b, 0, MSG_WAITALL));
    SHOW(recv(s, NP, 3, MSG_TRUNC));
    SHOW(recv(s, b, sizeof b, 0));
    close(c);
    close(s);
}

int main(void) {
    test_setup();
    int fams[] = {AF_INET, AF_INET6};
    for (int i = 0; i < 2; i++) {
        unconnected_shutdown(fams[i]);
        failed_connect(fams[i]);
        connected_state_first(fams[i]);
        listener_shut(fams[i]);
        listener_preshut(fams[i]);
        shut_rd_delivers(fams[i]);
        udp_null_buffers(fams[i]);
        udp_disconnect_keeps_address(fams[i]);
        argument_order(fams[i]);
        connect_ports(fams[i]);
        tcp_empty_and_trunc(fams[i]);
    }
    v6only_bound();
    return 0;
}
