/* The options WASI has no control for, kept and reported as Linux reports them: SO_DEBUG,
 * SO_DONTROUTE, SO_OOBINLINE, SO_REUSEPORT, SO_PRIORITY, SO_RCVLOWAT, SO_SNDLOWAT, TCP_MAXSEG,
 * TCP_USER_TIMEOUT, TCP_CORK, TCP_QUICKACK, TCP_CONGESTION, IP_TOS, IPV6_TCLASS,
 * IP_MTU_DISCOVER, IPV6_MTU_DISCOVER: defaults, normalisation (flags read as booleans, IP_TOS's
 * ECN bits on TCP), range errors, and inheritance by an accepted socket. Values that depend on
 * the machine (a connection's segment size, the default congestion algorithm) are printed as
 * properties. IP_PKTINFO and IPV6_RECVPKTINFO are listed deviations (WASI cannot say which
 * local address a datagram came in on). */
#include "t.h"

static void get(int fd, int level, int name, const char *label) {
    int v = -99;
    socklen_t l = sizeof v;
    errno = 0;
    int r = getsockopt(fd, level, name, &v, &l);
    if (r < 0)
        printf("  get %s -> -1 %s\n", label, errname(errno));
    else
        printf("  get %s -> %d (len %u)\n", label, v, (unsigned)l);
}

static void set(int fd, int level, int name, int v, const char *label) {
    errno = 0;
    int r = setsockopt(fd, level, name, &v, sizeof v);
    printf("  set %s=%d -> %s\n", label, v, r < 0 ? errname(errno) : "0");
}

#define G(fd, l, n) get(fd, l, n, #n)
#define S(fd, l, n, v) set(fd, l, n, v, #n)

static void common(int t) {
    G(t, SOL_SOCKET, SO_DEBUG);
    S(t, SOL_SOCKET, SO_DEBUG, 1);
    G(t, SOL_SOCKET, SO_DEBUG);
    G(t, SOL_SOCKET, SO_DONTROUTE);
    S(t, SOL_SOCKET, SO_DONTROUTE, 3);
    G(t, SOL_SOCKET, SO_DONTROUTE);
    G(t, SOL_SOCKET, SO_OOBINLINE);
    S(t, SOL_SOCKET, SO_OOBINLINE, 5);
    G(t, SOL_SOCKET, SO_OOBINLINE);
    G(t, SOL_SOCKET, SO_REUSEPORT);
    S(t, SOL_SOCKET, SO_REUSEPORT, 2);
    G(t, SOL_SOCKET, SO_REUSEPORT);
    G(t, SOL_SOCKET, SO_PRIORITY);
    S(t, SOL_SOCKET, SO_PRIORITY, 6);
    G(t, SOL_SOCKET, SO_PRIORITY);
    G(t, SOL_SOCKET, SO_RCVLOWAT);
    S(t, SOL_SOCKET, SO_RCVLOWAT, 0);
    G(t, SOL_SOCKET, SO_RCVLOWAT);
    S(t, SOL_SOCKET, SO_RCVLOWAT, 100);
    G(t, SOL_SOCKET, SO_RCVLOWAT);
    G(t, SOL_SOCKET, SO_SNDLOWAT);
    S(t, SOL_SOCKET, SO_SNDLOWAT, 10);
}

static void tcp(int fam) {
    printf("== TCP %s\n", famname(fam));
    int t = socket(fam, SOCK_STREAM, 0);
    MUST(t);
    common(t);
    G(t, IPPROTO_TCP, TCP_MAXSEG);
    S(t, IPPROTO_TCP, TCP_MAXSEG, 1000);
    G(t, IPPROTO_TCP, TCP_MAXSEG);
    S(t, IPPROTO_TCP, TCP_MAXSEG, 10);
    S(t, IPPROTO_TCP, TCP_MAXSEG, 40000);
    S(t, IPPROTO_TCP, TCP_MAXSEG, 0);
    G(t, IPPROTO_TCP, TCP_MAXSEG);
    G(t, IPPROTO_TCP, TCP_USER_TIMEOUT);
    S(t, IPPROTO_TCP, TCP_USER_TIMEOUT, 5000);
    G(t, IPPROTO_TCP, TCP_USER_TIMEOUT);
    S(t, IPPROTO_TCP, TCP_USER_TIMEOUT, -1);
    G(t, IPPROTO_TCP, TCP_CORK);
    S(t, IPPROTO_TCP, TCP_CORK, 7);
    G(t, IPPROTO_TCP, TCP_CORK);
    S(t, IPPROTO_TCP, TCP_CORK, 0);
    G(t, IPPROTO_TCP, TCP_QUICKACK);
    S(t, IPPROTO_TCP, TCP_QUICKACK, 0);
    G(t, IPPROTO_TCP, TCP_QUICKACK);
    S(t, IPPROTO_TCP, TCP_QUICKACK, 5);
    G(t, IPPROTO_TCP, TCP_QUICKACK);
    char cc[32];
    memset(cc, 'x', sizeof cc);
    socklen_t cl = sizeof cc;
    int r = getsockopt(t, IPPROTO_TCP, TCP_CONGESTION, cc, &cl);
    printf("  get TCP_CONGESTION -> %d, a name of %s, len %u\n", r,
           strlen(cc) > 0 && strlen(cc) < 16 ? "1..15 bytes" : "odd length", (unsigned)cl);
    SHOW(setsockopt(t, IPPROTO_TCP, TCP_CONGESTION, "reno", 4));
    memset(cc, 'x', sizeof cc);
    cl = sizeof cc;
    SHOW(getsockopt(t, IPPROTO_TCP, TCP_CONGESTION, cc, &cl));
    printf("  now '%s', len %u\n", cc, (unsigned)cl);
    cl = 3;
    memset(cc, 0, sizeof cc);
    SHOW(getsockopt(t, IPPROTO_TCP, TCP_CONGESTION, cc, &cl));
    printf("  short buffer: '%s', len %u\n", cc, (unsigned)cl);
    SHOW(setsockopt(t, IPPROTO_TCP, TCP_CONGESTION, "no-such-algo", 12));
    SHOW(setsockopt(t, IPPROTO_TCP, TCP_CONGESTION, "reno", 0));
    if (fam == AF_INET) {
        G(t, IPPROTO_IP, IP_TOS);
        S(t, IPPROTO_IP, IP_TOS, 0x10);
        G(t, IPPROTO_IP, IP_TOS);
        S(t, IPPROTO_IP, IP_TOS, 0x13);
        G(t, IPPROTO_IP, IP_TOS);
        S(t, IPPROTO_IP, IP_TOS, 300);
        G(t, IPPROTO_IP, IP_TOS);
        G(t, IPPROTO_IP, IP_MTU_DISCOVER);
        S(t, IPPROTO_IP, IP_MTU_DISCOVER, 0);
        G(t, IPPROTO_IP, IP_MTU_DISCOVER);
        S(t, IPPROTO_IP, IP_MTU_DISCOVER, 9);
    } else {
        G(t, IPPROTO_IPV6, IPV6_TCLASS);
        S(t, IPPROTO_IPV6, IPV6_TCLASS, 0x20);
        G(t, IPPROTO_IPV6, IPV6_TCLASS);
        S(t, IPPROTO_IPV6, IPV6_TCLASS, -1);
        G(t, IPPROTO_IPV6, IPV6_TCLASS);
        S(t, IPPROTO_IPV6, IPV6_TCLASS, 256);
        G(t, IPPROTO_IPV6, IPV6_MTU_DISCOVER);
        S(t, IPPROTO_IPV6, IPV6_MTU_DISCOVER, 2);
        G(t, IPPROTO_IPV6, IPV6_MTU_DISCOVER);
        S(t, IPPROTO_IPV6, IPV6_MTU_DISCOVER, 7);
    }
    /* a listener's options are inherited by the connections it accepts */
    addr_t a;
    socklen_t len = loopback(&a, fam, 0);
    MUST(bind(t, &a.sa, len));
    MUST(listen(t, 4));
    MUST(getsockname(t, &a.sa, &len));
    int c = socket(fam, SOCK_STREAM, 0);
    MUST(connect(c, &a.sa, len));
    int s = accept(t, NULL, NULL);
    MUST(s);
    printf(" accepted:\n");
    G(s, SOL_SOCKET, SO_PRIORITY);
    G(s, SOL_SOCKET, SO_RCVLOWAT);
    G(s, IPPROTO_TCP, TCP_USER_TIMEOUT);
    int mss = -1;
    socklen_t ml = sizeof mss;
    MUST(getsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &mss, &ml));
    printf("  connected TCP_MAXSEG is %s\n", mss >= 536 && mss <= 65535 ? "a segment size" : "odd");
    close(c);
    close(s);
    close(t);
}

static void udp(int fam) {
    printf("== UDP %s\n", famname(fam));
    int u = socket(fam, SOCK_DGRAM, 0);
    MUST(u);
    common(u);
    G(u, IPPROTO_TCP, TCP_MAXSEG);
    if (fam == AF_INET) {
        S(u, IPPROTO_IP, IP_TOS, 0x13);
        G(u, IPPROTO_IP, IP_TOS);
        G(u, IPPROTO_IP, IP_MTU_DISCOVER);
        S(u, IPPROTO_IP, IP_PKTINFO, 1);
        S(u, IPPROTO_IP, IP_PKTINFO, 0);
        G(u, IPPROTO_IP, IP_PKTINFO);
    } else {
        G(u, IPPROTO_IPV6, IPV6_TCLASS);
        S(u, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
        S(u, IPPROTO_IPV6, IPV6_RECVPKTINFO, 0);
        G(u, IPPROTO_IPV6, IPV6_RECVPKTINFO);
    }
    close(u);
}

int main(void) {
    test_setup();
    tcp(AF_INET);
    tcp(AF_INET6);
    udp(AF_INET);
    udp(AF_INET6);
    return 0;
}
