/* Dual-stack IPv6 TCP sockets (IPV6_V6ONLY off, Linux's default): the option's default, set,
 * get and EINVAL once the socket has a port; an IPv4 client reaching a listener on [::]
 * (seen as ::ffff:a.b.c.d), a connect to ::ffff:127.0.0.1, both families on one listener,
 * poll on it; a v6-only socket refusing IPv4 as Linux; a bind to an IPv4-mapped address;
 * EADDRINUSE between IPv4 sockets and a dual-stack one on the same port. */
#include "t.h"

static socklen_t a6(addr_t *a, const char *ip, int port) {
    memset(a, 0, sizeof *a);
    a->in6.sin6_family = AF_INET6;
    a->in6.sin6_port = htons(port);
    inet_pton(AF_INET6, ip, &a->in6.sin6_addr);
    return sizeof a->in6;
}

static socklen_t a4(addr_t *a, const char *ip, int port) {
    memset(a, 0, sizeof *a);
    a->in.sin_family = AF_INET;
    a->in.sin_port = htons(port);
    inet_pton(AF_INET, ip, &a->in.sin_addr);
    return sizeof a->in;
}

static void name(const char *label, int fd) {
    addr_t a;
    socklen_t len = sizeof a;
    if (getsockname(fd, &a.sa, &len) < 0) {
        printf("%s: getsockname -> %s\n", label, errname(errno));
        return;
    }
    show_addr(label, &a, len);
}

static void peer(const char *label, int fd) {
    addr_t a;
    socklen_t len = sizeof a;
    if (getpeername(fd, &a.sa, &len) < 0) {
        printf("%s: getpeername -> %s\n", label, errname(errno));
        return;
    }
    show_addr(label, &a, len);
}

static int port_of_fd(int fd, int peer_side) {
    addr_t a;
    socklen_t len = sizeof a;
    if (peer_side)
        MUST(getpeername(fd, &a.sa, &len));
    else
        MUST(getsockname(fd, &a.sa, &len));
    return port_of(&a);
}

static const char *v6only(int fd) {
    static char ring[4][32];
    static int next;
    char *b = ring[next++ % 4];
    int v = -1;
    socklen_t len = sizeof v;
    if (getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len) < 0)
        snprintf(b, 32, "%s", errname(errno));
    else
        snprintf(b, 32, "%d", v);
    return b;
}

static int set_v6only(int fd, int v) {
    return setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof v);
}

static int tcp6(int only) {
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    MUST(fd);
    if (only >= 0) MUST(set_v6only(fd, only));
    return fd;
}

/* Send a byte each way between two connected sockets. */
static void exchange(const char *label, int a, int b) {
    char x = 'a', y = 0;
    int ok = send(a, &x, 1, 0) == 1 && recv(b, &y, 1, 0) == 1 && y == 'a';
    x = 'b';
    ok = ok && send(b, &x, 1, 0) == 1 && recv(a, &y, 1, 0) == 1 && y == 'b';
    printf("%s: bytes both ways %s\n", label, ok ? "yes" : "NO");
}

static void option(void) {
    printf("== IPV6_V6ONLY\n");
    int t = socket(AF_INET6, SOCK_STREAM, 0), u = socket(AF_INET6, SOCK_DGRAM, 0);
    printf("TCP default %s, UDP default %s\n", v6only(t), v6only(u));
    SHOW(set_v6only(t, 1));
    printf("after set 1: %s\n", v6only(t));
    SHOW(set_v6only(t, 0));
    printf("after set 0: %s\n", v6only(t));
    SHOW(set_v6only(t, 7));
    printf("after set 7: %s\n", v6only(t));
    SHOW(set_v6only(t, 0));
    int one = 1;
    SHOW(setsockopt(t, IPPROTO_IPV6, IPV6_V6ONLY, &one, 2));
    char small = 9;
    socklen_t sl = 1;
    SHOW(getsockopt(t, IPPROTO_IPV6, IPV6_V6ONLY, &small, &sl));
    printf("one byte: %d len %d\n", small, (int)sl);
    addr_t a;
    socklen_t alen = a6(&a, "::", 0);
    SHOW(bind(t, &a.sa, alen));
    SHOW(set_v6only(t, 0));
    SHOW(set_v6only(t, 1));
    printf("after bind: %s\n", v6only(t));
    SHOW(listen(t, 4));
    SHOW(set_v6only(t, 1));
    int c = socket(AF_INET6, SOCK_STREAM, 0);
    alen = a6(&a, "::1", port_of_fd(t, 0));
    MUST(connect(c, &a.sa, alen));
    SHOW(set_v6only(c, 1));
    int s = accept(t, NULL, NULL);
    MUST(s);
    printf("accepted: %s\n", v6only(s));
    SHOW(set_v6only(s, 1));
    /* A failed connect gives the port back: the option may change again. */
    int f = socket(AF_INET6, SOCK_STREAM, 0);
    int closed = socket(AF_INET6, SOCK_STREAM, 0);
    alen = a6(&a, "::1", 0);
    MUST(bind(closed, &a.sa, alen));
    alen = a6(&a, "::1", port_of_fd(closed, 0));
    close(closed);
    SHOW(connect(f, &a.sa, alen));
    SHOW(set_v6only(f, 1));
    /* UDP: a send binds a port. */
    SHOW(set_v6only(u, 1));
    alen = a6(&a, "::1", 9);
    SHOW(sendto(u, "x", 1, 0, &a.sa, alen));
    SHOW(set_v6only(u, 0));
    int t4 = socket(AF_INET, SOCK_STREAM, 0);
    SHOW(set_v6only(t4, 0));
    printf("on AF_INET: %s\n", v6only(t4));
    close(t4);
    close(f);
    close(s);
    close(c);
    close(t);
    close(u);
}

static void listener_any(void) {
    printf("== a listener on [::]\n");
    addr_t a;
    socklen_t alen = a6(&a, "::", 0);
    int l = tcp6(-1);
    MUST(bind(l, &a.sa, alen));
    MUST(listen(l, 8));
    name("listener", l);
    int port = port_of_fd(l, 0);

    /* An IPv4 client. */
    int c4 = socket(AF_INET, SOCK_STREAM, 0);
    alen = a4(&a, "127.0.0.1", port);
    SHOW(connect(c4, &a.sa, alen));
    struct pollfd p = {l, POLLIN, 0};
    SHOW(poll(&p, 1, 2000));
    printf("revents %s\n", ev(p.revents));
    addr_t from;
    socklen_t flen = sizeof from;
    int s4 = accept(l, &from.sa, &flen);
    OK(s4);
    show_addr("accept: peer", &from, flen);
    name("accepted: name", s4);
    peer("accepted: peer", s4);
    name("client: name", c4);
    peer("client: peer", c4);
    printf("peer port is the client's: %s\n",
           port_of(&from) == port_of_fd(c4, 0) ? "yes" : "no");
    printf("accepted port is the listener's: %s\n", port_of_fd(s4, 0) == port ? "yes" : "no");
    exchange("IPv4 client", c4, s4);
    printf("accepted V6ONLY %s\n", v6only(s4));

    /* An IPv6 client. */
    int c6 = tcp6(-1);
    alen = a6(&a, "::1", port);
    SHOW(connect(c6, &a.sa, alen));
    flen = sizeof from;
    int s6 = accept(l, &from.sa, &flen);
    OK(s6);
    show_addr("accept: peer", &from, flen);
    exchange("IPv6 client", c6, s6);

    /* A client on an IPv6 socket connecting to the IPv4-mapped loopback. */
    int cm = tcp6(-1);
    alen = a6(&a, "::ffff:127.0.0.1", port);
    SHOW(connect(cm, &a.sa, alen));
    name("mapped client: name", cm);
    peer("mapped client: peer", cm);
    flen = sizeof from;
    int sm = accept(l, &from.sa, &flen);
    OK(sm);
    show_addr("accept: peer", &from, flen);
    printf("peer port is the client's: %s\n",
           port_of(&from) == port_of_fd(cm, 0) ? "yes" : "no");
    exchange("mapped client", cm, sm);
    SHOW(shutdown(cm, SHUT_WR));
    char b;
    SHOW(recv(sm, &b, 1, 0));

    /* Both families waiting at once: both are accepted. */
    int d4 = socket(AF_INET, SOCK_STREAM, 0), d6 = tcp6(-1);
    alen = a4(&a, "127.0.0.1", port);
    MUST(connect(d4, &a.sa, alen));
    alen = a6(&a, "::1", port);
    MUST(connect(d6, &a.sa, alen));
    int fams[2] = {0, 0};
    for (int i = 0; i < 2; i++) {
        flen = sizeof from;
        int s = accept(l, &from.sa, &flen);
        MUST(s);
        char host[64];
        inet_ntop(AF_INET6, &from.in6.sin6_addr, host, sizeof host);
        fams[strcmp(host, "::1") == 0] = 1;
        close(s);
    }
    printf("accepted both: %s\n", fams[0] && fams[1] ? "yes" : "no");
    /* Nothing left: a non-blocking accept says EAGAIN, poll times out. */
    MUST(fcntl(l, F_SETFL, O_NONBLOCK));
    SHOW(accept(l, NULL, NULL));
    p.revents = 0;
    SHOW(poll(&p, 1, 50));
    /* shutdown(SHUT_RD) stops the listener for both families. */
    SHOW(shutdown(l, SHUT_RD));
    SHOW(accept(l, NULL, NULL));
    close(d4);
    close(d6);
    close(c4);
    close(s4);
    close(c6);
    close(s6);
    close(cm);
    close(sm);
    close(l);
}

static void only_v6(void) {
    printf("== IPV6_V6ONLY=1 refuses IPv4\n");
    addr_t a;
    socklen_t alen = a6(&a, "::", 0);
    int l = tcp6(1);
    MUST(bind(l, &a.sa, alen));
    MUST(listen(l, 8));
    int port = port_of_fd(l, 0);
    int c4 = socket(AF_INET, SOCK_STREAM, 0);
    alen = a4(&a, "127.0.0.1", port);
    SHOW(connect(c4, &a.sa, alen));
    int cm = tcp6(1);
    alen = a6(&a, "::ffff:127.0.0.1", port);
    SHOW(connect(cm, &a.sa, alen));
    int dm = tcp6(0);
    SHOW(connect(dm, &a.sa, alen));
    int b = tcp6(1);
    SHOW(bind(b, &a.sa, alen));
    alen = a6(&a, "::1", port);
    int c6 = tcp6(1);
    SHOW(connect(c6, &a.sa, alen));
    int s = accept(l, NULL, NULL);
    OK(s);
    close(s);
    close(c6);
    close(b);
    close(dm);
    close(cm);
    close(c4);
    close(l);
}

static void mapped_bind(void) {
    printf("== bind to an IPv4-mapped address\n");
    addr_t a;
    socklen_t alen = a6(&a, "::ffff:127.0.0.1", 0);
    int l = tcp6(-1);
    SHOW(bind(l, &a.sa, alen));
    name("listener", l);
    SHOW(listen(l, 4));
    int port = port_of_fd(l, 0);
    int c4 = socket(AF_INET, SOCK_STREAM, 0);
    alen = a4(&a, "127.0.0.1", port);
    SHOW(connect(c4, &a.sa, alen));
    addr_t from;
    socklen_t flen = sizeof from;
    int s = accept(l, &from.sa, &flen);
    OK(s);
    show_addr("accept: peer", &from, flen);
    exchange("IPv4 client", c4, s);
    /* IPv6 does not reach it. */
    int c6 = tcp6(-1);
    alen = a6(&a, "::1", port);
    SHOW(connect(c6, &a.sa, alen));
    close(c6);
    /* A socket bound to a mapped address cannot connect to an IPv6 one. */
    int m = tcp6(-1);
    alen = a6(&a, "::ffff:127.0.0.1", 0);
    MUST(bind(m, &a.sa, alen));
    alen = a6(&a, "::1", port);
    SHOW(connect(m, &a.sa, alen));
    close(m);
    /* ... and one bound to ::1 cannot reach IPv4. */
    int n = tcp6(-1);
    alen = a6(&a, "::1", 0);
    MUST(bind(n, &a.sa, alen));
    alen = a6(&a, "::ffff:127.0.0.1", port);
    SHOW(connect(n, &a.sa, alen));
    close(n);
    /* Bound to [::] then connected to a mapped address: the same port, now IPv4-mapped. */
    int w = tcp6(-1);
    alen = a6(&a, "::", 0);
    MUST(bind(w, &a.sa, alen));
    int wport = port_of_fd(w, 0);
    name("bound [::]", w);
    alen = a6(&a, "::ffff:127.0.0.1", port);
    SHOW(connect(w, &a.sa, alen));
    name("then connected", w);
    printf("same port: %s\n", port_of_fd(w, 0) == wport ? "yes" : "no");
    int sw = accept(l, NULL, NULL);
    OK(sw);
    exchange("bound [::], mapped connect", w, sw);
    close(sw);
    close(w);
    close(s);
    close(c4);
    close(l);
}

static void in_use(void) {
    printf("== EADDRINUSE between IPv4 and dual-stack sockets\n");
    addr_t a;
    socklen_t alen = a4(&a, "0.0.0.0", 0);
    int l4 = socket(AF_INET, SOCK_STREAM, 0);
    MUST(bind(l4, &a.sa, alen));
    MUST(listen(l4, 1));
    int port = port_of_fd(l4, 0);
    alen = a6(&a, "::", port);
    int d = tcp6(-1);
    printf("IPv4 listener on 0.0.0.0, dual-stack bind [::]: ");
    SHOW(bind(d, &a.sa, alen));
    int o = tcp6(1);
    printf("IPv4 listener on 0.0.0.0, v6-only bind [::]: ");
    SHOW(bind(o, &a.sa, alen));
    SHOW(listen(o, 1));
    close(o);
    close(d);
    close(l4);

    alen = a4(&a, "127.0.0.1", 0);
    l4 = socket(AF_INET, SOCK_STREAM, 0);
    MUST(bind(l4, &a.sa, alen));
    MUST(listen(l4, 1));
    port = port_of_fd(l4, 0);
    alen = a6(&a, "::", port);
    d = tcp6(-1);
    printf("IPv4 listener on 127.0.0.1, dual-stack bind [::]: ");
    SHOW(bind(d, &a.sa, alen));
    close(d);
    close(l4);

    alen = a6(&a, "::", 0);
    d = tcp6(-1);
    MUST(bind(d, &a.sa, alen));
    MUST(listen(d, 1));
    port = port_of_fd(d, 0);
    int b4 = socket(AF_INET, SOCK_STREAM, 0);
    alen = a4(&a, "0.0.0.0", port);
    printf("dual-stack listener, IPv4 bind 0.0.0.0: ");
    SHOW(bind(b4, &a.sa, alen));
    alen = a4(&a, "127.0.0.1", port);
    printf("dual-stack listener, IPv4 bind 127.0.0.1: ");
    SHOW(bind(b4, &a.sa, alen));
    close(b4);
    int m = tcp6(-1);
    alen = a6(&a, "::ffff:127.0.0.1", port);
    printf("dual-stack listener, bind ::ffff:127.0.0.1: ");
    SHOW(bind(m, &a.sa, alen));
    close(m);
    close(d);

    /* A dual-stack socket on ::1 leaves IPv4 alone. */
    alen = a6(&a, "::1", 0);
    d = tcp6(-1);
    MUST(bind(d, &a.sa, alen));
    MUST(listen(d, 1));
    port = port_of_fd(d, 0);
    b4 = socket(AF_INET, SOCK_STREAM, 0);
    alen = a4(&a, "0.0.0.0", port);
    printf("dual-stack listener on ::1, IPv4 bind 0.0.0.0: ");
    SHOW(bind(b4, &a.sa, alen));
    close(b4);
    close(d);

    /* Every port picked for [::]:0 is free for IPv4 too: an IPv4 bind to it is refused. */
    int taken = 0;
    for (int i = 0; i < 20; i++) {
        alen = a6(&a, "::", 0);
        d = tcp6(-1);
        MUST(bind(d, &a.sa, alen));
        MUST(listen(d, 1));
        b4 = socket(AF_INET, SOCK_STREAM, 0);
        alen = a4(&a, "127.0.0.1", port_of_fd(d, 0));
        if (bind(b4, &a.sa, alen) < 0 && errno == EADDRINUSE) taken++;
        close(b4);
        close(d);
    }
    printf("ports of 20 dual-stack listeners held in IPv4 too: %d\n", taken);
}

int main(void) {
    test_setup();
    option();
    listener_any();
    only_v6();
    mapped_bind();
    in_use();
    return 0;
}
