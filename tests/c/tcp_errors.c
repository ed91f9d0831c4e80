/* Bad input and error paths for the TCP calls: each must get Linux's errno, never a trap, and
 * nothing may be written past a caller's length. */
#include "t.h"

static int closed_port(int fam) {
    addr_t a;
    socklen_t len;
    int l = listener(fam, &a, &len);
    close(l);
    return port_of(&a);
}

static void bad_socket_args(void) {
    printf("== socket()\n");
    SHOW(socket(AF_UNIX, SOCK_STREAM, 0) >= 0);
    SHOW(socket(12345, SOCK_STREAM, 0));
    SHOW(socket(-1, SOCK_STREAM, 0));
    SHOW(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
    SHOW(socket(AF_INET, SOCK_STREAM, 99));
    SHOW(socket(AF_INET, SOCK_STREAM | 0x100000, 0));
    int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    OK(fd);
    SHOW(close(fd));
    fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    OK(fd);
    SHOW(fcntl(fd, F_GETFL) & O_NONBLOCK ? 1 : 0);
    SHOW(fcntl(fd, F_GETFD) & FD_CLOEXEC ? 1 : 0);
    SHOW(close(fd));
}

static void bad_fds(void) {
    printf("== bad descriptors\n");
    addr_t a;
    socklen_t len = loopback(&a, AF_INET, 1);
    char buf[8];
    for (int i = 0; i < 3; i++) {
        int fd = i == 0 ? -1 : i == 1 ? 1000 : 1; /* negative, unused, stdout (not a socket) */
        printf("-- fd %s\n", i == 0 ? "-1" : i == 1 ? "unused" : "stdout");
        SHOW(bind(fd, &a.sa, len));
        SHOW(listen(fd, 1));
        SHOW(connect(fd, &a.sa, len));
        SHOW(accept(fd, NULL, NULL));
        SHOW(accept4(fd, NULL, NULL, 0));
        SHOW(getsockname(fd, &a.sa, &len));
        SHOW(getpeername(fd, &a.sa, &len));
        SHOW(shutdown(fd, SHUT_RDWR));
        SHOW(send(fd, "x", 1, 0));
        SHOW(recv(fd, buf, 1, MSG_DONTWAIT));
        SHOW(sendto(fd, "x", 1, 0, NULL, 0));
        SHOW(recvfrom(fd, buf, 1, MSG_DONTWAIT, NULL, NULL));
        if (i != 2) {
            SHOW(read(fd, buf, 1));
            SHOW(write(fd, "x", 1));
            SHOW(close(fd));
        }
    }
}

static void bad_addresses(int fam) {
    printf("== addresses %s\n", famname(fam));
    int fd = socket(fam, SOCK_STREAM, 0);
    MUST(fd);
    addr_t a;
    socklen_t len = loopback(&a, fam, 0);
    SHOW(bind(fd, NULL, len));
    SHOW(bind(fd, &a.sa, 0));
    SHOW(bind(fd, &a.sa, 1));
    SHOW(bind(fd, &a.sa, len - 1 - (fam == AF_INET6 ? 8 : 0)));
    SHOW(bind(fd, &a.sa, 129));
    SHOW(bind(fd, &a.sa, (socklen_t)-1));
    addr_t other;
    socklen_t olen = loopback(&other, fam == AF_INET ? AF_INET6 : AF_INET, 0);
    SHOW(bind(fd, &other.sa, olen));
    other.sa.sa_family = AF_UNSPEC;
    SHOW(bind(fd, &other.sa, len));
    addr_t nonlocal = a;
    if (fam == AF_INET)
        inet_pton(AF_INET, "192.0.2.1", &nonlocal.in.sin_addr);
    else
        inet_pton(AF_INET6, "2001:db8::1", &nonlocal.in6.sin6_addr);
    SHOW(bind(fd, &nonlocal.sa, len));
    SHOW(bind(fd, &a.sa, len));
    SHOW(bind(fd, &a.sa, len));
    /* the port is taken: a second socket binding it gets EADDRINUSE */
    addr_t got;
    socklen_t glen = sizeof got;
    MUST(getsockname(fd, &got.sa, &glen));
    MUST(listen(fd, 4));
    int fd2 = socket(fam, SOCK_STREAM, 0);
    SHOW(bind(fd2, &got.sa, glen));
    /* connect with bad addresses */
    SHOW(connect(fd2, NULL, len));
    SHOW(connect(fd2, &a.sa, 1));
    SHOW(connect(fd2, &a.sa, 130));
    olen = loopback(&other, fam == AF_INET ? AF_INET6 : AF_INET, 1);
    SHOW(connect(fd2, &other.sa, olen));
    SHOW(close(fd2));
    SHOW(close(fd));
}

static void bad_out_pointers(int fam) {
    printf("== out-pointers %s\n", famname(fam));
    addr_t a;
    socklen_t len;
    int l = listener(fam, &a, &len);
    SHOW(getsockname(l, NULL, NULL));
    SHOW(getsockname(l, &a.sa, NULL));
    socklen_t zero = 0;
    SHOW(getsockname(l, NULL, &zero));
    printf("len after NULL/0: %s\n", zero == len ? "full size" : "other");
    socklen_t some = 8;
    SHOW(getsockname(l, NULL, &some));
    socklen_t neg = (socklen_t)-1;
    SHOW(getsockname(l, &a.sa, &neg));
    /* a short buffer: exactly *len bytes written, guard bytes intact, full size reported */
    unsigned char guard[64];
    memset(guard, 0xEE, sizeof guard);
    socklen_t six = 6;
    SHOW(getsockname(l, (struct sockaddr *)guard, &six));
    int intact = 1;
    for (size_t i = 6; i < sizeof guard; i++) intact &= guard[i] == 0xEE;
    printf("short getsockname: len%s, guard %s, port bytes %s\n",
           six == len ? "==full" : "!=full", intact ? "intact" : "OVERWRITTEN",
           memcmp(guard + 2, &a.in.sin_port, 2) == 0 ? "match" : "differ");
    SHOW(accept4(l, NULL, NULL, 0x40000000));
    SHOW(accept4(l, NULL, NULL, -1));
    socklen_t bad = (socklen_t)-5;
    int nb = fcntl(l, F_SETFL, O_NONBLOCK);
    MUST(nb);
    SHOW(accept(l, &a.sa, &bad));
    SHOW(accept(l, &a.sa, NULL));
    SHOW(accept(l, NULL, &bad));
    SHOW(close(l));
}

static void bad_states(int fam) {
    printf("== states %s\n", famname(fam));
    char buf[16];
    int fd = socket(fam, SOCK_STREAM, 0);
    MUST(fd);
    SHOW(accept(fd, NULL, NULL));
    SHOW(send(fd, "x", 1, 0));
    SHOW(write(fd, "x", 1));
    SHOW(recv(fd, buf, sizeof buf, 0));
    SHOW(read(fd, buf, sizeof buf));
    SHOW(shutdown(fd, SHUT_RD));
    SHOW(shutdown(fd, 4));
    SHOW(shutdown(fd, -1));
    addr_t p;
    socklen_t plen = sizeof p;
    SHOW(getpeername(fd, &p.sa, &plen));

    /* refused, then the same socket connects fine (Linux allows a new attempt) */
    addr_t a;
    socklen_t len = loopback(&a, fam, closed_port(fam));
    SHOW(connect(fd, &a.sa, len));
    SHOW(connect(fd, &a.sa, len));
    addr_t la;
    socklen_t llen;
    int l = listener(fam, &la, &llen);
    SHOW(connect(fd, &la.sa, llen));
    SHOW(connect(fd, &la.sa, llen));
    SHOW(listen(fd, 1));
    SHOW(bind(fd, &la.sa, llen));
    int s = accept(l, NULL, NULL);
    OK(s);
    SHOW(connect(l, &la.sa, llen));
    SHOW(send(l, "x", 1, 0));
    SHOW(recv(l, buf, 1, 0));
    SHOW(shutdown(l, SHUT_WR));
    SHOW(listen(l, 5));
    SHOW(listen(l, -1));
    SHOW(listen(l, 0));
    /* port 0 is refused like any closed port */
    int z = socket(fam, SOCK_STREAM, 0);
    len = loopback(&a, fam, 0);
    SHOW(connect(z, &a.sa, len));
    SHOW(close(z));
    /* connect to the unspecified address reaches this host, as on Linux */
    z = socket(fam, SOCK_STREAM, 0);
    addr_t any = la;
    if (fam == AF_INET) any.in.sin_addr.s_addr = htonl(INADDR_ANY);
    else any.in6.sin6_addr = in6addr_any;
    SHOW(connect(z, &any.sa, llen));
    int s2 = accept(l, NULL, NULL);
    OK(s2);
    SHOW(close(s2));
    SHOW(close(z));
    /* multicast destination: ENETUNREACH */
    z = socket(fam, SOCK_STREAM, 0);
    addr_t mc = la;
    if (fam == AF_INET) inet_pton(AF_INET, "224.0.0.1", &mc.in.sin_addr);
    else inet_pton(AF_INET6, "ff02::1", &mc.in6.sin6_addr);
    SHOW(connect(z, &mc.sa, llen));
    SHOW(close(z));
    /* zero-length transfers */
    SHOW(send(fd, "", 0, 0));
    SHOW(send(fd, NULL, 0, 0));
    SHOW(recv(s, NULL, 0, MSG_DONTWAIT));
    SHOW(send(fd, NULL, 1, 0));
    SHOW(send(fd, "y", 1, 0));
    sleep_ms(20);
    SHOW(recv(s, NULL, 0, 0));
    SHOW(recv(s, NULL, 1, 0));
    SHOW(recv(s, buf, 1, 0));
    /* unknown flags */
    /* a flag bit neither Linux nor wasi-libc defines */
    SHOW(send(fd, "x", 1, 0x00800000));
    SHOW(recv(s, buf, 1, 0x00800000 | MSG_DONTWAIT));
    /* iovec limits */
    struct iovec iov[2] = {{(void *)"ab", 2}, {(void *)"cd", 2}};
    volatile int neg = -1, big = 1025; /* hidden from the compiler's bounds warnings */
    SHOW(writev(fd, iov, neg));
    SHOW(writev(fd, iov, big));
    SHOW(writev(fd, NULL, 0));
    SHOW(writev(fd, iov, 2));
    SHOW(readv(s, iov, neg));
    SHOW(close(s));
    SHOW(close(fd));
    /* write to a connection the peer closed: EPIPE (or ECONNRESET) eventually */
    int c = socket(fam, SOCK_STREAM, 0);
    MUST(connect(c, &la.sa, llen));
    s = accept(l, NULL, NULL);
    MUST(s);
    MUST(close(s));
    sleep_ms(50);
    int err = 0;
    for (int i = 0; i < 100 && !err; i++) {
        if (send(c, "data", 4, 0) < 0) err = errno;
        sleep_ms(5);
    }
    printf("send after peer close: %s\n", err == EPIPE || err == ECONNRESET ? "EPIPE/ECONNRESET" : errname(err));
    SHOW(close(c));
    SHOW(close(l));
}

int main(void) {
    test_setup();
    bad_socket_args();
    bad_fds();
    bad_addresses(AF_INET);
    bad_addresses(AF_INET6);
    bad_out_pointers(AF_INET);
    bad_out_pointers(AF_INET6);
    bad_states(AF_INET);
    bad_states(AF_INET6);
    return 0;
}
