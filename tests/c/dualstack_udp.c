/* Dual-stack IPv6 UDP sockets (IPV6_V6ONLY off, Linux's default): a socket bound to [::]
 * receives from IPv4 senders (seen as ::ffff:a.b.c.d) and IPv6 ones, and answers both; sends
 * to IPv4-mapped and AF_INET destinations; connects to an IPv4-mapped peer (and only it is
 * heard); poll, MSG_PEEK and FIONREAD across both families; a v6-only socket refusing IPv4 as
 * Linux; a bind to an IPv4-mapped address; EADDRINUSE between IPv4 sockets and a dual-stack
 * one on the same port. */
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

static int port_of_fd(int fd) {
    addr_t a;
    socklen_t len = sizeof a;
    MUST(getsockname(fd, &a.sa, &len));
    return port_of(&a);
}

static int udp(int fam, int only) {
    int fd = socket(fam, SOCK_DGRAM, 0);
    MUST(fd);
    if (only >= 0) MUST(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof only));
    struct timeval tv = {2, 0};
    MUST(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    return fd;
}

/* Receive one datagram (waiting up to 2 s): its text and sender; whether the sender's port is
 * `from_port`. */
static void take(const char *label, int fd, int from_port) {
    char buf[64];
    addr_t from;
    socklen_t flen = sizeof from;
    long n = recvfrom(fd, buf, sizeof buf - 1, 0, &from.sa, &flen);
    if (n < 0) {
        printf("%s: recvfrom -> %s\n", label, errname(errno));
        return;
    }
    buf[n] = 0;
    printf("%s: \"%s\" ", label, buf);
    show_addr("from", &from, flen);
    if (from_port >= 0) printf("  sender's port: %s\n", port_of(&from) == from_port ? "yes" : "no");
}

/* Nothing arrives within a short while. */
static void none(const char *label, int fd) {
    char buf[64];
    struct pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, 200);
    printf("%s: %s\n", label, r == 0 ? "nothing" : "SOMETHING");
    if (r > 0) recv(fd, buf, sizeof buf, 0);
}

static void wildcard(void) {
    printf("== bound to [::]\n");
    addr_t a;
    socklen_t alen = a6(&a, "::", 0);
    int d = udp(AF_INET6, -1);
    SHOW(bind(d, &a.sa, alen));
    name("dual", d);
    int port = port_of_fd(d);

    int s4 = udp(AF_INET, -1);
    alen = a4(&a, "127.0.0.1", port);
    SHOW(sendto(s4, "from v4", 7, 0, &a.sa, alen));
    take("dual", d, port_of_fd(s4));
    int s6 = udp(AF_INET6, -1);
    alen = a6(&a, "::1", port);
    SHOW(sendto(s6, "from v6", 7, 0, &a.sa, alen));
    take("dual", d, port_of_fd(s6));

    /* Answers: to the IPv4 sender as ::ffff:127.0.0.1 and as AF_INET, to the IPv6 one. */
    alen = a6(&a, "::ffff:127.0.0.1", port_of_fd(s4));
    SHOW(sendto(d, "mapped", 6, 0, &a.sa, alen));
    take("v4 sender", s4, port);
    alen = a4(&a, "127.0.0.1", port_of_fd(s4));
    SHOW(sendto(d, "as AF_INET", 10, 0, &a.sa, alen));
    take("v4 sender", s4, port);
    alen = a6(&a, "::1", port_of_fd(s6));
    SHOW(sendto(d, "v6", 2, 0, &a.sa, alen));
    take("v6 sender", s6, port);

    /* poll, MSG_PEEK and FIONREAD see an IPv4 datagram. */
    alen = a4(&a, "127.0.0.1", port);
    SHOW(sendto(s4, "peek me", 7, 0, &a.sa, alen));
    struct pollfd p = {d, POLLIN, 0};
    SHOW(poll(&p, 1, 2000));
    printf("revents %s\n", ev(p.revents));
    int n = -1;
    SHOW(ioctl(d, FIONREAD, &n));
    printf("FIONREAD %d\n", n);
    char buf[16];
    addr_t from;
    socklen_t flen = sizeof from;
    SHOW(recvfrom(d, buf, sizeof buf, MSG_PEEK, &from.sa, &flen));
    show_addr("peeked from", &from, flen);
    take("dual", d, -1);
    /* Non-blocking: nothing left. */
    SHOW(recv(d, buf, sizeof buf, MSG_DONTWAIT));
    /* Both families queued: both arrive (in either order). */
    SHOW(sendto(s4, "four", 4, 0, &a.sa, alen));
    alen = a6(&a, "::1", port);
    SHOW(sendto(s6, "six", 3, 0, &a.sa, alen));
    int got4 = 0, got6 = 0;
    for (int i = 0; i < 2; i++) {
        flen = sizeof from;
        long r = recvfrom(d, buf, sizeof buf, 0, &from.sa, &flen);
        if (r == 4 && IN6_IS_ADDR_V4MAPPED(&from.in6.sin6_addr)) got4 = 1;
        if (r == 3 && IN6_IS_ADDR_LOOPBACK(&from.in6.sin6_addr)) got6 = 1;
    }
    printf("both families: %s\n", got4 && got6 ? "yes" : "no");

    /* Connected to the IPv4 sender: only it is heard; the IPv6 one is not. */
    alen = a6(&a, "::ffff:127.0.0.1", port_of_fd(s4));
    SHOW(connect(d, &a.sa, alen));
    name("connected", d);
    peer("connected", d);
    alen = a6(&a, "::1", port);
    SHOW(sendto(s6, "ignored", 7, 0, &a.sa, alen));
    none("dual, IPv6 datagram while connected to IPv4", d);
    alen = a4(&a, "127.0.0.1", port);
    SHOW(sendto(s4, "heard", 5, 0, &a.sa, alen));
    take("dual", d, port_of_fd(s4));
    SHOW(send(d, "back", 4, 0));
    take("v4 sender", s4, port);
    /* Dissolved: both families again (the port stays: bind named it... here it was 0, so the
     * port and address go back as Linux's __udp_disconnect does). */
    addr_t un;
    memset(&un, 0, sizeof un);
    un.sa.sa_family = AF_UNSPEC;
    SHOW(connect(d, &un.sa, sizeof un));
    name("disconnected", d);
    close(d);
    close(s4);
    close(s6);
}

static void connected(void) {
    printf("== connect to IPv4 peers\n");
    addr_t a;
    int r4 = udp(AF_INET, -1);
    socklen_t alen = a4(&a, "127.0.0.1", 0);
    MUST(bind(r4, &a.sa, alen));
    int p4 = port_of_fd(r4);
    int c = udp(AF_INET6, -1);
    alen = a6(&a, "::ffff:127.0.0.1", p4);
    SHOW(connect(c, &a.sa, alen));
    name("client", c);
    peer("client", c);
    SHOW(send(c, "hello", 5, 0));
    take("v4 receiver", r4, port_of_fd(c));
    alen = sizeof a;
    MUST(getsockname(c, &a.sa, &alen));
    int cport = port_of(&a);
    alen = a4(&a, "127.0.0.1", cport);
    SHOW(sendto(r4, "reply", 5, 0, &a.sa, alen));
    take("client", c, p4);
    /* Another IPv4 sender is not heard. */
    int o4 = udp(AF_INET, -1);
    SHOW(sendto(o4, "other", 5, 0, &a.sa, alen));
    none("client, from another sender", c);
    /* connect with a sockaddr_in. */
    int c2 = udp(AF_INET6, -1);
    alen = a4(&a, "127.0.0.1", p4);
    SHOW(connect(c2, &a.sa, alen));
    peer("AF_INET connect", c2);
    SHOW(write(c2, "w", 1));
    take("v4 receiver", r4, port_of_fd(c2));
    /* Connected over IPv4, the socket's own address is an IPv4 one (Linux sets it from the
     * route): an IPv6 peer is refused until the association is dissolved. */
    int r6 = udp(AF_INET6, -1);
    alen = a6(&a, "::1", 0);
    MUST(bind(r6, &a.sa, alen));
    alen = a6(&a, "::1", port_of_fd(r6));
    SHOW(connect(c2, &a.sa, alen));
    addr_t un;
    memset(&un, 0, sizeof un);
    un.sa.sa_family = AF_UNSPEC;
    SHOW(connect(c2, &un.sa, sizeof un));
    SHOW(connect(c2, &a.sa, alen));
    peer("reconnected", c2);
    SHOW(send(c2, "six", 3, 0));
    take("v6 receiver", r6, port_of_fd(c2));
    /* ... and connected over IPv6, an IPv4 peer is. */
    alen = a6(&a, "::ffff:127.0.0.1", p4);
    SHOW(connect(c2, &a.sa, alen));
    alen = a4(&a, "127.0.0.1", p4);
    SHOW(connect(c2, &a.sa, alen));
    /* A closed IPv4 port behind a mapped peer: ICMP port unreachable, as over IPv6. */
    int dead = udp(AF_INET, -1);
    alen = a4(&a, "127.0.0.1", 0);
    MUST(bind(dead, &a.sa, alen));
    int dport = port_of_fd(dead);
    close(dead);
    int e = udp(AF_INET6, -1);
    alen = a6(&a, "::ffff:127.0.0.1", dport);
    SHOW(connect(e, &a.sa, alen));
    SHOW(send(e, "anyone?", 7, 0));
    char ebuf[8];
    SHOW(recv(e, ebuf, sizeof ebuf, 0));
    close(e);
    /* An unbound socket sending to IPv6 then IPv4: one port for both. */
    int u = udp(AF_INET6, -1);
    alen = a6(&a, "::1", port_of_fd(r6));
    SHOW(sendto(u, "a", 1, 0, &a.sa, alen));
    take("v6 receiver", r6, port_of_fd(u));
    alen = a6(&a, "::ffff:127.0.0.1", p4);
    SHOW(sendto(u, "b", 1, 0, &a.sa, alen));
    take("v4 receiver", r4, port_of_fd(u));
    name("sender", u);
    close(u);
    close(r6);
    close(c2);
    close(o4);
    close(c);
    close(r4);
}

static void only_v6(void) {
    printf("== IPV6_V6ONLY=1\n");
    addr_t a;
    socklen_t alen = a6(&a, "::", 0);
    int o = udp(AF_INET6, 1);
    SHOW(bind(o, &a.sa, alen));
    int port = port_of_fd(o);
    int s4 = udp(AF_INET, -1);
    alen = a4(&a, "127.0.0.1", port);
    SHOW(sendto(s4, "lost", 4, 0, &a.sa, alen));
    none("v6-only socket, IPv4 datagram", o);
    SHOW(sendto(o, "x", 1, 0, &a.sa, alen));
    alen = a6(&a, "::ffff:127.0.0.1", port);
    SHOW(sendto(o, "x", 1, 0, &a.sa, alen));
    SHOW(connect(o, &a.sa, alen));
    alen = a4(&a, "127.0.0.1", port);
    SHOW(connect(o, &a.sa, alen));
    int b = udp(AF_INET6, 1);
    alen = a6(&a, "::ffff:127.0.0.1", 0);
    SHOW(bind(b, &a.sa, alen));
    close(b);
    close(s4);
    close(o);
}

static void mapped_bind(void) {
    printf("== bound to ::ffff:127.0.0.1\n");
    addr_t a;
    socklen_t alen = a6(&a, "::ffff:127.0.0.1", 0);
    int m = udp(AF_INET6, -1);
    SHOW(bind(m, &a.sa, alen));
    name("mapped", m);
    int port = port_of_fd(m);
    int s4 = udp(AF_INET, -1);
    alen = a4(&a, "127.0.0.1", port);
    SHOW(sendto(s4, "to mapped", 9, 0, &a.sa, alen));
    take("mapped", m, port_of_fd(s4));
    alen = a6(&a, "::ffff:127.0.0.1", port_of_fd(s4));
    SHOW(sendto(m, "back", 4, 0, &a.sa, alen));
    take("v4 sender", s4, port);
    int s6 = udp(AF_INET6, -1);
    alen = a6(&a, "::1", 0);
    MUST(bind(s6, &a.sa, alen));
    alen = a6(&a, "::1", port_of_fd(s6));
    SHOW(sendto(m, "x", 1, 0, &a.sa, alen));
    SHOW(connect(m, &a.sa, alen));
    /* Bound to ::1: no IPv4. */
    int l = udp(AF_INET6, -1);
    alen = a6(&a, "::1", 0);
    MUST(bind(l, &a.sa, alen));
    alen = a6(&a, "::ffff:127.0.0.1", port_of_fd(s4));
    SHOW(sendto(l, "x", 1, 0, &a.sa, alen));
    SHOW(connect(l, &a.sa, alen));
    close(l);
    close(s6);
    close(s4);
    close(m);
}

static void in_use(void) {
    printf("== EADDRINUSE between IPv4 and dual-stack sockets\n");
    addr_t a;
    socklen_t alen = a4(&a, "0.0.0.0", 0);
    int b4 = udp(AF_INET, -1);
    MUST(bind(b4, &a.sa, alen));
    int port = port_of_fd(b4);
    alen = a6(&a, "::", port);
    int d = udp(AF_INET6, -1);
    printf("IPv4 on 0.0.0.0, dual-stack bind [::]: ");
    SHOW(bind(d, &a.sa, alen));
    int o = udp(AF_INET6, 1);
    printf("IPv4 on 0.0.0.0, v6-only bind [::]: ");
    SHOW(bind(o, &a.sa, alen));
    close(o);
    close(d);
    close(b4);

    alen = a6(&a, "::", 0);
    d = udp(AF_INET6, -1);
    MUST(bind(d, &a.sa, alen));
    port = port_of_fd(d);
    b4 = udp(AF_INET, -1);
    alen = a4(&a, "0.0.0.0", port);
    printf("dual-stack on [::], IPv4 bind 0.0.0.0: ");
    SHOW(bind(b4, &a.sa, alen));
    alen = a4(&a, "127.0.0.1", port);
    printf("dual-stack on [::], IPv4 bind 127.0.0.1: ");
    SHOW(bind(b4, &a.sa, alen));
    close(b4);
    close(d);

    int taken = 0;
    for (int i = 0; i < 20; i++) {
        alen = a6(&a, "::", 0);
        d = udp(AF_INET6, -1);
        MUST(bind(d, &a.sa, alen));
        b4 = udp(AF_INET, -1);
        alen = a4(&a, "127.0.0.1", port_of_fd(d));
        if (bind(b4, &a.sa, alen) < 0 && errno == EADDRINUSE) taken++;
        close(b4);
        close(d);
    }
    printf("ports of 20 dual-stack sockets held in IPv4 too: %d\n", taken);
}

int main(void) {
    test_setup();
    wildcard();
    connected();
    only_v6();
    mapped_bind();
    in_use();
    return 0;
}
