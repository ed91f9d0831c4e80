/* SO_REUSEADDR on UDP: two sockets that both set it bind the same port (either without it is
 * EADDRINUSE); datagrams go where Linux sends them (a connected socket hears its peer, the most
 * recently bound of the unconnected ones hears the rest); each socket has its own queue, poll
 * readiness, MSG_PEEK and FIONREAD. The DTLS server pattern of mbedtls's mbedtls_net_accept:
 * connect the bound socket to the client, bind a new one with SO_REUSEADDR to the address the
 * connected one reports, for the next client. IPv4 and IPv6. */
#include "t.h"

static int port_of_fd(int fd) {
    addr_t a;
    socklen_t len = sizeof a;
    MUST(getsockname(fd, &a.sa, &len));
    return port_of(&a);
}

static int udp(int fam, int reuse) {
    int fd = socket(fam, SOCK_DGRAM, 0);
    MUST(fd);
    if (reuse) MUST(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse));
    struct timeval tv = {2, 0};
    MUST(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    return fd;
}

static void name(const char *label, int fd) {
    addr_t a;
    socklen_t len = sizeof a;
    MUST(getsockname(fd, &a.sa, &len));
    show_addr(label, &a, len);
}

/* Receive one datagram (waiting up to 2 s); whether its sender's port is `from_port`. */
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
    printf("%s: \"%s\"", label, buf);
    if (from_port >= 0) printf(" from the expected port: %s", port_of(&from) == from_port ? "yes" : "no");
    printf("\n");
}

/* Nothing arrives within a short while. */
static void none(const char *label, int fd) {
    char buf[64];
    struct pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, 200);
    printf("%s: %s\n", label, r == 0 ? "nothing" : "SOMETHING");
    if (r > 0) recv(fd, buf, sizeof buf, 0);
}

/* `any`: bind the first socket to the unspecified address (else loopback). */
static void same_port(int fam, int any) {
    printf("== %s, bound to %s\n", famname(fam), any ? "the unspecified address" : "loopback");
    addr_t a;
    socklen_t alen = loopback(&a, fam, 0);
    if (any) {
        if (fam == AF_INET) a.in.sin_addr.s_addr = htonl(INADDR_ANY);
        else a.in6.sin6_addr = in6addr_any;
    }
    int s1 = udp(fam, 1);
    MUST(bind(s1, &a.sa, alen));
    int port = port_of_fd(s1);
    if (fam == AF_INET) a.in.sin_port = htons(port);
    else a.in6.sin6_port = htons(port);
    int plain = udp(fam, 0);
    printf("without SO_REUSEADDR: ");
    SHOW(bind(plain, &a.sa, alen));
    int s2 = udp(fam, 1);
    printf("with it: ");
    SHOW(bind(s2, &a.sa, alen));
    name("second", s2);
    int s3 = udp(fam, 1);
    printf("a third: ");
    SHOW(bind(s3, &a.sa, alen));

    /* Unconnected: the most recently bound hears everything. */
    addr_t to;
    socklen_t tolen = loopback(&to, fam, port);
    int c = udp(fam, 0);
    for (int i = 0; i < 3; i++) SHOW(sendto(c, "x", 1, 0, &to.sa, tolen));
    struct pollfd p[3] = {{s1, POLLIN, 0}, {s2, POLLIN, 0}, {s3, POLLIN, 0}};
    sleep_ms(50);
    SHOW(poll(p, 3, 2000));
    printf("revents %s| %s| %s\n", ev(p[0].revents), ev(p[1].revents), ev(p[2].revents));
    int n = -1;
    SHOW(ioctl(s3, FIONREAD, &n));
    printf("s3 FIONREAD %d\n", n);
    char buf[8];
    SHOW(recv(s3, buf, sizeof buf, MSG_PEEK));
    for (int i = 0; i < 3; i++) take("s3", s3, port_of_fd(c));
    none("s1", s1);
    none("s2", s2);

    /* s1 connects to the client: it hears the client, s3 the others. */
    addr_t ca;
    socklen_t clen = loopback(&ca, fam, port_of_fd(c));
    SHOW(connect(s1, &ca.sa, clen));
    name("s1 connected", s1);
    int d = udp(fam, 0);
    SHOW(sendto(c, "from c", 6, 0, &to.sa, tolen));
    SHOW(sendto(d, "from d", 6, 0, &to.sa, tolen));
    take("s1", s1, port_of_fd(c));
    take("s3", s3, port_of_fd(d));
    none("s2", s2);
    SHOW(send(s1, "to c", 4, 0));
    take("c", c, port);
    SHOW(sendto(s3, "to d", 4, 0, &ca.sa, clen));
    take("c", c, port);

    /* s3 closes: s2 is now the most recent unconnected one. */
    close(s3);
    SHOW(sendto(d, "again", 5, 0, &to.sa, tolen));
    take("s2", s2, port_of_fd(d));
    /* s1 dissolves its association: unconnected, and bound before s2, so s2 still wins. */
    addr_t un;
    memset(&un, 0, sizeof un);
    un.sa.sa_family = AF_UNSPEC;
    SHOW(connect(s1, &un.sa, sizeof un));
    SHOW(sendto(c, "c again", 7, 0, &to.sa, tolen));
    take("s2", s2, port_of_fd(c));
    none("s1", s1);
    /* (Linux 6.18 stops delivering to a socket that connected and disconnected again, whoever
     * sends: its 4-tuple hash entry stays; so nothing more is asked of s1 here.) */
    close(s2);
    close(s1);
    close(plain);
    close(c);
    close(d);
    /* All gone: the port is free again. */
    int again = udp(fam, 0);
    SHOW(bind(again, &a.sa, alen));
    close(again);
}

/* mbedtls_net_bind + mbedtls_net_accept for a DTLS server, two clients in turn. */
static void dtls(int fam) {
    printf("== DTLS accept pattern, %s\n", famname(fam));
    addr_t a;
    socklen_t alen = loopback(&a, fam, 0);
    if (fam == AF_INET) a.in.sin_addr.s_addr = htonl(INADDR_ANY);
    else a.in6.sin6_addr = in6addr_any;
    int listen_fd = udp(fam, 1);
    MUST(bind(listen_fd, &a.sa, alen));
    int port = port_of_fd(listen_fd);
    addr_t srv;
    socklen_t slen = loopback(&srv, fam, port);
    int clients[2] = {udp(fam, 0), udp(fam, 0)};
    int conns[2];
    for (int i = 0; i < 2; i++) {
        char hello[16];
        snprintf(hello, sizeof hello, "hello %d", i);
        SHOW(sendto(clients[i], hello, strlen(hello), 0, &srv.sa, slen));
        /* mbedtls_net_accept: peek for the client, connect to it, rebind a new listener. */
        char buf[64];
        addr_t from;
        socklen_t flen = sizeof from;
        long n = recvfrom(listen_fd, buf, sizeof buf, MSG_PEEK, &from.sa, &flen);
        printf("peeked %ld bytes from client %d: %s\n", n, i,
               port_of(&from) == port_of_fd(clients[i]) ? "yes" : "no");
        SHOW(connect(listen_fd, &from.sa, flen));
        conns[i] = listen_fd;
        addr_t local;
        socklen_t llen = sizeof local;
        MUST(getsockname(conns[i], &local.sa, &llen));
        show_addr("connected socket", &local, llen);
        listen_fd = udp(local.sa.sa_family, 1);
        printf("new listener on the connected one's address: ");
        SHOW(bind(listen_fd, &local.sa, llen));
        take("connection", conns[i], port_of_fd(clients[i]));
    }
    /* Each client talks to its own connection; a third party reaches the listener. */
    for (int i = 1; i >= 0; i--) {
        char msg[16];
        snprintf(msg, sizeof msg, "data %d", i);
        SHOW(sendto(clients[i], msg, strlen(msg), 0, &srv.sa, slen));
    }
    take("connection 0", conns[0], port_of_fd(clients[0]));
    take("connection 1", conns[1], port_of_fd(clients[1]));
    none("listener", listen_fd);
    int third = udp(fam, 0);
    SHOW(sendto(third, "hello 2", 7, 0, &srv.sa, slen));
    take("listener", listen_fd, port_of_fd(third));
    none("connection 0", conns[0]);
    for (int i = 0; i < 2; i++) {
        SHOW(send(conns[i], "reply", 5, 0));
        take("client", clients[i], port);
    }
    /* poll over all three: only the one with data is readable. */
    SHOW(sendto(clients[1], "poll", 4, 0, &srv.sa, slen));
    struct pollfd p[3] = {{conns[0], POLLIN, 0}, {conns[1], POLLIN, 0}, {listen_fd, POLLIN, 0}};
    sleep_ms(50);
    SHOW(poll(p, 3, 2000));
    printf("revents %s| %s| %s\n", ev(p[0].revents), ev(p[1].revents), ev(p[2].revents));
    take("connection 1", conns[1], port_of_fd(clients[1]));
    close(third);
    close(listen_fd);
    for (int i = 0; i < 2; i++) {
        close(conns[i]);
        close(clients[i]);
    }
}

/* A socket bound with SO_REUSEADDR, connected to a closed port. */
static void refused(int fam) {
    printf("== ICMP port unreachable, %s\n", famname(fam));
    addr_t a;
    socklen_t alen = loopback(&a, fam, 0);
    int dead = udp(fam, 0);
    MUST(bind(dead, &a.sa, alen));
    int dport = port_of_fd(dead);
    close(dead);
    int s = udp(fam, 1);
    MUST(bind(s, &a.sa, alen));
    alen = loopback(&a, fam, dport);
    SHOW(connect(s, &a.sa, alen));
    SHOW(send(s, "anyone?", 7, 0));
    sleep_ms(50);
    char buf[8];
    SHOW(recv(s, buf, sizeof buf, MSG_DONTWAIT));
    close(s);
}

int main(void) {
    test_setup();
    same_port(AF_INET, 0);
    same_port(AF_INET, 1);
    same_port(AF_INET6, 1);
    dtls(AF_INET);
    dtls(AF_INET6);
    refused(AF_INET);
    return 0;
}
