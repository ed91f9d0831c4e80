/* UDP error paths compared with Linux: bad destinations (length, family, port 0, IPv4 on an
 * IPv6-only socket), EDESTADDRREQ, EMSGSIZE at Linux's limits (and that the largest datagrams
 * arrive whole), broadcast without SO_BROADCAST, the implicit bind that even failing sends and
 * connects perform, bad buffers and flags, timeouts and non-blocking receives, descriptors. */
#include "t.h"
#include <sys/time.h>

static void name(const char *label, int fd) {
    addr_t a;
    socklen_t len = sizeof a;
    MUST(getsockname(fd, &a.sa, &len));
    show_addr(label, &a, len);
}

/* A fresh UDP socket; IPv6 ones made IPv6-only, as every WASI IPv6 socket is. */
static int udp(int fam) {
    int fd = socket(fam, SOCK_DGRAM, 0);
    MUST(fd);
    if (fam == AF_INET6) {
        int one = 1;
        MUST(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one));
    }
    return fd;
}

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void destinations(int fam) {
    printf("== destinations %s\n", famname(fam));
    addr_t r;
    socklen_t rlen = loopback(&r, fam, 0);
    int rx = udp(fam);
    MUST(bind(rx, &r.sa, rlen));
    MUST(getsockname(rx, &r.sa, &rlen));
    char buf[16];

    int s = udp(fam);
    SHOW(sendto(s, "x", 1, 0, &r.sa, rlen - 1 > 24 ? 23 : rlen - 1));
    SHOW(sendto(s, "x", 1, 0, &r.sa, 1));
    SHOW(sendto(s, "x", 1, 0, &r.sa, 200));
    addr_t bad = r;
    bad.sa.sa_family = 99;
    SHOW(sendto(s, "x", 1, 0, &bad.sa, rlen));
    bad.sa.sa_family = AF_UNSPEC;
    SHOW(sendto(s, "unspec", 6, 0, &bad.sa, rlen));
    /* Delivery takes a moment through the host (Linux's loopback delivers before sendto returns);
     * wait for it, briefly, rather than asking once. */
    struct timeval brief = {0, 300000};
    MUST(setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &brief, sizeof brief));
    SHOW(recv(rx, buf, sizeof buf, 0));
    addr_t zero;
    socklen_t zlen = loopback(&zero, fam, 0);
    SHOW(sendto(s, "x", 1, 0, &zero.sa, zlen));
    int z = udp(fam);
    SHOW(connect(z, &zero.sa, zlen));
    close(z);
    SHOW(sendto(s, "x", 1, 0, NULL, 0));
    SHOW(sendto(s, "x", 1, 0, NULL, 16));
    SHOW(send(s, "x", 1, 0));
    /* The unspecified address means this host. */
    addr_t any = r;
    if (fam == AF_INET) any.in.sin_addr.s_addr = htonl(INADDR_ANY);
    else any.in6.sin6_addr = in6addr_any;
    SHOW(sendto(s, "any", 3, 0, &any.sa, rlen));
    struct timeval tv = {2, 0};
    MUST(setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    SHOW(recv(rx, buf, sizeof buf, 0));
    if (fam == AF_INET) {
        addr_t b4 = r;
        b4.in.sin_addr.s_addr = htonl(INADDR_BROADCAST);
        SHOW(sendto(s, "x", 1, 0, &b4.sa, rlen));
        int t = udp(fam);
        SHOW(connect(t, &b4.sa, rlen));
        int one = 1;
        MUST(setsockopt(s, SOL_SOCKET, SO_BROADCAST, &one, sizeof one));
        SHOW(sendto(s, "x", 1, 0, &b4.sa, rlen));
        close(t);
    } else {
        /* IPv4 destinations on an IPv6-only socket. */
        addr_t v4;
        socklen_t v4len = loopback(&v4, AF_INET, port_of(&r));
        SHOW(sendto(s, "x", 1, 0, &v4.sa, v4len));
        addr_t mapped = r;
        inet_pton(AF_INET6, "::ffff:127.0.0.1", &mapped.in6.sin6_addr);
        SHOW(sendto(s, "x", 1, 0, &mapped.sa, rlen));
        int t = udp(fam);
        SHOW(connect(t, &mapped.sa, rlen));
        SHOW(connect(t, &v4.sa, v4len));
        close(t);
    }
    close(s);
    close(rx);
}

static void sizes(int fam) {
    printf("== sizes %s\n", famname(fam));
    addr_t r;
    socklen_t rlen = loopback(&r, fam, 0);
    int rx = udp(fam);
    MUST(bind(rx, &r.sa, rlen));
    MUST(getsockname(rx, &r.sa, &rlen));
    int big = 1 << 20;
    MUST(setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &big, sizeof big));
    struct timeval tv = {2, 0};
    MUST(setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    static unsigned char out[70000], in[70000];
    for (size_t i = 0; i < sizeof out; i++) out[i] = (unsigned char)(i * 31 + 7);
    int s = udp(fam);
    int max = fam == AF_INET ? 65507 : 65527;
    SHOW(sendto(s, out, 70000, 0, &r.sa, rlen));
    SHOW(sendto(s, out, 65536, 0, &r.sa, rlen));
    SHOW(sendto(s, out, max + 1, 0, &r.sa, rlen));
    SHOW(sendto(s, out, max, 0, &r.sa, rlen) == max);
    memset(in, 0, sizeof in);
    SHOW(recv(rx, in, sizeof in, 0) == max);
    printf("largest datagram intact: %s\n", memcmp(in, out, max) == 0 ? "yes" : "no");
    /* A large datagram gathered from many pieces, read back in pieces. */
    struct iovec iov[64];
    for (int i = 0; i < 64; i++) {
        iov[i].iov_base = out + i * 1000;
        iov[i].iov_len = 1000;
    }
    SHOW(writev(s, iov, 64));
    MUST(connect(s, &r.sa, rlen));
    SHOW(writev(s, iov, 64));
    struct iovec back[2] = {{in, 100}, {in + 100, 69900}};
    memset(in, 0, sizeof in);
    SHOW(readv(rx, back, 2));
    printf("gathered datagram intact: %s\n", memcmp(in, out, 64000) == 0 ? "yes" : "no");
    close(s);
    close(rx);
}

static void implicit_bind(int fam) {
    printf("== implicit bind %s\n", famname(fam));
    addr_t r;
    socklen_t rlen = loopback(&r, fam, 9);
    static char huge[70000];
    int s = udp(fam);
    SHOW(send(s, "x", 1, 0));
    name("after a failed send", s);
    close(s);
    s = udp(fam);
    SHOW(sendto(s, huge, sizeof huge, 0, &r.sa, rlen));
    name("after EMSGSIZE", s);
    close(s);
    s = udp(fam);
    SHOW(connect(s, &r.sa, 8));
    name("after a connect with a short address", s);
    close(s);
    s = udp(fam);
    SHOW(connect(s, &r.sa, 1));
    name("after a connect with a 1-byte address", s);
    close(s);
    s = udp(fam);
    char buf[4];
    SHOW(recv(s, buf, sizeof buf, MSG_DONTWAIT));
    name("after a recv", s);
    SHOW(bind(s, &r.sa, rlen) == 0 ? 0 : -1);
    SHOW(bind(s, &r.sa, rlen));
    close(s);
}

static void receiving(int fam) {
    printf("== receiving %s\n", famname(fam));
    int s = udp(fam);
    char buf[8];
    /* A socket with no port waits in vain, like Linux. */
    struct timeval tv = {0, 100000};
    MUST(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    long t0 = now_ms();
    SHOW(recv(s, buf, sizeof buf, 0));
    long dt = now_ms() - t0;
    printf("unbound recv waited its timeout: %s\n", dt >= 90 && dt < 1000 ? "yes" : "no");
    addr_t a;
    socklen_t alen = loopback(&a, fam, 0);
    MUST(bind(s, &a.sa, alen));
    t0 = now_ms();
    SHOW(recv(s, buf, sizeof buf, 0));
    dt = now_ms() - t0;
    printf("bound recv waited its timeout: %s\n", dt >= 90 && dt < 1000 ? "yes" : "no");
    SHOW(recv(s, buf, sizeof buf, MSG_DONTWAIT));
    SHOW(recv(s, buf, sizeof buf, MSG_WAITALL | MSG_DONTWAIT));
    SHOW(fcntl(s, F_SETFL, O_NONBLOCK));
    SHOW(recv(s, buf, sizeof buf, 0));
    SHOW(read(s, buf, sizeof buf));
    addr_t from;
    socklen_t flen = sizeof from;
    SHOW(recvfrom(s, buf, sizeof buf, 0, &from.sa, &flen));
    SHOW(recv(s, buf, sizeof buf, 0x00800000));
    SHOW(send(s, "x", 1, 0x00800000));
    /* A datagram arrives: recvfrom with a NULL length pointer faults after taking it. */
    MUST(getsockname(s, &a.sa, &alen));
    int t = udp(fam);
    MUST(sendto(t, "hi", 2, 0, &a.sa, alen));
    MUST(sendto(t, "ho", 2, 0, &a.sa, alen));
    sleep_ms(20);
    SHOW(recvfrom(s, buf, sizeof buf, 0, &from.sa, NULL));
    memset(buf, 0, sizeof buf);
    SHOW(recv(s, buf, sizeof buf, 0));
    printf("next datagram: %s\n", buf);
    close(t);
    close(s);
}

int main(void) {
    test_setup();
    int fams[] = {AF_INET, AF_INET6};
    for (int i = 0; i < 2; i++) {
        destinations(fams[i]);
        sizes(fams[i]);
        implicit_bind(fams[i]);
        receiving(fams[i]);
    }
    return 0;
}
