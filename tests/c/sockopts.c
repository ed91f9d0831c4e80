//! helper: slow
/* Socket options and message flags, compared with Linux: a get/set round trip for every option,
 * Linux's optlen rules, SO_RCVTIMEO/SO_SNDTIMEO behaviour (recv, accept, connect), MSG_PEEK,
 * MSG_WAITALL, FIONREAD, recvmsg/sendmsg with several iovecs, fstat on a socket. */
#include "t.h"
#include <poll.h>
#include <sys/stat.h>
#include <sys/time.h>

static int slow_ports[2];

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void show_int(const char *name, int fd, int level, int opt) {
    int v = -12345;
    socklen_t len = sizeof v;
    errno = 0;
    int r = getsockopt(fd, level, opt, &v, &len);
    if (r < 0)
        printf("get %s -> -1 %s\n", name, errname(errno));
    else
        printf("get %s -> %d (len %d)\n", name, v, (int)len);
}

static void set_int(const char *name, int fd, int level, int opt, int v) {
    errno = 0;
    int r = setsockopt(fd, level, opt, &v, sizeof v);
    printf("set %s=%d -> %d%s%s\n", name, v, r, r < 0 ? " " : "", r < 0 ? errname(errno) : "");
}

#define GET(fd, level, opt) show_int(#opt, fd, level, opt)
#define SET(fd, level, opt, v) set_int(#opt, fd, level, opt, v)

static void round_trips(int fam) {
    printf("== options %s\n", famname(fam));
    int fd = socket(fam, SOCK_STREAM, 0);
    MUST(fd);
    int ty = -1;
    socklen_t tyl = sizeof ty;
    MUST(getsockopt(fd, SOL_SOCKET, SO_TYPE, &ty, &tyl));
    printf("SO_TYPE is SOCK_STREAM: %s\n", ty == SOCK_STREAM ? "yes" : "no");
    GET(fd, SOL_SOCKET, SO_PROTOCOL);
    int dom = -1;
    socklen_t dl = sizeof dom;
    MUST(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &dl));
    printf("SO_DOMAIN is the family: %s\n", dom == fam ? "yes" : "no");
    GET(fd, SOL_SOCKET, SO_ACCEPTCONN);
    GET(fd, SOL_SOCKET, SO_ERROR);
    SET(fd, SOL_SOCKET, SO_TYPE, 1);
    SET(fd, SOL_SOCKET, SO_ERROR, 1);
    SET(fd, SOL_SOCKET, SO_ACCEPTCONN, 1);
    GET(fd, SOL_SOCKET, SO_REUSEADDR);
    SET(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    GET(fd, SOL_SOCKET, SO_REUSEADDR);
    SET(fd, SOL_SOCKET, SO_REUSEADDR, 0);
    GET(fd, SOL_SOCKET, SO_REUSEADDR);
    GET(fd, SOL_SOCKET, SO_KEEPALIVE);
    SET(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
    GET(fd, SOL_SOCKET, SO_KEEPALIVE);
    SET(fd, SOL_SOCKET, SO_KEEPALIVE, 0);
    GET(fd, SOL_SOCKET, SO_KEEPALIVE);
    GET(fd, SOL_SOCKET, SO_BROADCAST);
    SET(fd, SOL_SOCKET, SO_BROADCAST, 1);
    GET(fd, SOL_SOCKET, SO_BROADCAST);
    /* buffer sizes: Linux doubles what is set */
    SET(fd, SOL_SOCKET, SO_RCVBUF, 65536);
    GET(fd, SOL_SOCKET, SO_RCVBUF);
    SET(fd, SOL_SOCKET, SO_SNDBUF, 65536);
    GET(fd, SOL_SOCKET, SO_SNDBUF);
    /* TCP level */
    GET(fd, IPPROTO_TCP, TCP_NODELAY);
    SET(fd, IPPROTO_TCP, TCP_NODELAY, 1);
    GET(fd, IPPROTO_TCP, TCP_NODELAY);
    SET(fd, IPPROTO_TCP, TCP_KEEPIDLE, 30);
    GET(fd, IPPROTO_TCP, TCP_KEEPIDLE);
    SET(fd, IPPROTO_TCP, TCP_KEEPIDLE, 0);
    SET(fd, IPPROTO_TCP, TCP_KEEPIDLE, 40000);
    SET(fd, IPPROTO_TCP, TCP_KEEPINTVL, 7);
    GET(fd, IPPROTO_TCP, TCP_KEEPINTVL);
    SET(fd, IPPROTO_TCP, TCP_KEEPCNT, 5);
    GET(fd, IPPROTO_TCP, TCP_KEEPCNT);
    SET(fd, IPPROTO_TCP, TCP_KEEPCNT, 128);
    /* IP level */
    if (fam == AF_INET) {
        GET(fd, IPPROTO_IP, IP_TTL);
        SET(fd, IPPROTO_IP, IP_TTL, 42);
        GET(fd, IPPROTO_IP, IP_TTL);
        SET(fd, IPPROTO_IP, IP_TTL, -1);
        GET(fd, IPPROTO_IP, IP_TTL);
        SET(fd, IPPROTO_IP, IP_TTL, 256);
        GET(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS);
        GET(fd, IPPROTO_IPV6, IPV6_V6ONLY);
    } else {
        GET(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS);
        SET(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 33);
        GET(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS);
        SET(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, -1);
        GET(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS);
        SET(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 300);
        SET(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
        GET(fd, IPPROTO_IPV6, IPV6_V6ONLY);
        SET(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0);
        GET(fd, IPPROTO_IPV6, IPV6_V6ONLY);
        SET(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
    }
    /* SO_LINGER */
    struct linger lg = {-1, -1};
    socklen_t ll = sizeof lg;
    SHOW(getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &ll));
    printf("linger %d %d len %d\n", lg.l_onoff, lg.l_linger, (int)ll);
    lg.l_onoff = 1, lg.l_linger = 5;
    SHOW(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    memset(&lg, 0, sizeof lg);
    ll = sizeof lg;
    SHOW(getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &ll));
    printf("linger %d %d\n", lg.l_onoff, lg.l_linger);
    SHOW(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, 4));
    /* Turned off, it keeps its seconds (Linux's sk_lingertime; found by tests/fuzz/diff.c). */
    lg.l_onoff = 0, lg.l_linger = 7;
    SHOW(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    ll = sizeof lg;
    SHOW(getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &ll));
    printf("linger %d %d\n", lg.l_onoff, lg.l_linger);
    /* timeouts */
    struct timeval tv = {1, 500000};
    SHOW(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    memset(&tv, 0, sizeof tv);
    socklen_t tl = sizeof tv;
    SHOW(getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &tl));
    printf("rcvtimeo %lld.%06lld len==sizeof %s\n", (long long)tv.tv_sec, (long long)tv.tv_usec,
           tl == sizeof tv ? "yes" : "no");
    tv.tv_sec = 0, tv.tv_usec = 1000000;
    SHOW(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    tv.tv_usec = -1;
    SHOW(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    tv.tv_sec = 2, tv.tv_usec = 0;
    SHOW(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv - 1));
    SHOW(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    memset(&tv, 0, sizeof tv);
    tl = sizeof tv;
    SHOW(getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, &tl));
    printf("sndtimeo %lld.%06lld\n", (long long)tv.tv_sec, (long long)tv.tv_usec);
    /* lengths and unknowns */
    int v = 1;
    SHOW(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, 2));
    SHOW(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, NULL, sizeof v));
    SHOW(setsockopt(fd, 12345, SO_KEEPALIVE, &v, sizeof v));
    SHOW(setsockopt(fd, SOL_SOCKET, 12345, &v, sizeof v));
    SHOW(getsockopt(fd, SOL_SOCKET, 12345, &v, &tl));
    SHOW(getsockopt(fd, IPPROTO_TCP, 12345, &v, &tl));
    unsigned char small[8];
    memset(small, 0xAA, sizeof small);
    socklen_t two = 2;
    SHOW(getsockopt(fd, SOL_SOCKET, SO_TYPE, small, &two));
    printf("short get: len %d, guard %s\n", (int)two, small[2] == 0xAA ? "intact" : "OVERWRITTEN");
    socklen_t zero = 0;
    SHOW(getsockopt(fd, SOL_SOCKET, SO_TYPE, NULL, &zero));
    printf("zero-length get: len %d\n", (int)zero);
    SHOW(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, NULL));
    socklen_t neg = (socklen_t)-1;
    SHOW(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &neg));
    SHOW(getsockopt(-1, SOL_SOCKET, SO_TYPE, &v, &tl));
    SHOW(setsockopt(1, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v));
    /* a listener reports SO_ACCEPTCONN; accepted sockets inherit options */
    addr_t a;
    socklen_t len = loopback(&a, fam, 0);
    int one = 1;
    MUST(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    MUST(bind(fd, &a.sa, len));
    MUST(listen(fd, 4));
    MUST(getsockname(fd, &a.sa, &len));
    GET(fd, SOL_SOCKET, SO_ACCEPTCONN);
    int c = socket(fam, SOCK_STREAM, 0);
    MUST(connect(c, &a.sa, len));
    int s = accept(fd, NULL, NULL);
    MUST(s);
    GET(s, SOL_SOCKET, SO_REUSEADDR);
    GET(s, IPPROTO_TCP, TCP_NODELAY);
    GET(s, SOL_SOCKET, SO_ACCEPTCONN);
    memset(&tv, 0, sizeof tv);
    tl = sizeof tv;
    MUST(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &tl));
    printf("accepted socket inherits SO_RCVTIMEO: %lld.%06lld\n", (long long)tv.tv_sec, (long long)tv.tv_usec);
    struct stat st;
    SHOW(fstat(s, &st));
    printf("fstat: S_ISSOCK %d S_ISREG %d\n", S_ISSOCK(st.st_mode), S_ISREG(st.st_mode));
    SHOW(fstat(-1, &st));
    close(s);
    close(c);
    close(fd);
}

static void timeouts(int fam) {
    printf("== timeouts %s\n", famname(fam));
    addr_t a;
    socklen_t len;
    int l = listener(fam, &a, &len);
    struct timeval tv = {0, 200000};
    MUST(setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    long t0 = now_ms();
    SHOW(accept(l, NULL, NULL));
    long dt = now_ms() - t0;
    printf("accept with a 200 ms SO_RCVTIMEO gave up after 200..400 ms: %s\n", dt >= 190 && dt <= 400 ? "yes" : "no");
    int c = socket(fam, SOCK_STREAM, 0);
    MUST(connect(c, &a.sa, len));
    int s = accept(l, NULL, NULL);
    MUST(s);
    MUST(setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    char buf[64];
    t0 = now_ms();
    SHOW(recv(c, buf, sizeof buf, 0));
    dt = now_ms() - t0;
    printf("recv with a 200 ms SO_RCVTIMEO gave up after 200..400 ms: %s\n", dt >= 190 && dt <= 400 ? "yes" : "no");
    t0 = now_ms();
    SHOW(read(c, buf, sizeof buf));
    dt = now_ms() - t0;
    printf("read too: %s\n", dt >= 190 && dt <= 400 ? "yes" : "no");
    /* MSG_WAITALL with a timeout returns what it has when time runs out */
    MUST(send(s, "abc", 3, 0));
    t0 = now_ms();
    SHOW(recv(c, buf, 10, MSG_WAITALL));
    dt = now_ms() - t0;
    printf("MSG_WAITALL returned the 3 bytes it had after the timeout: %s\n", dt >= 190 && dt <= 400 ? "yes" : "no");
    /* A blocking sender with SO_SNDTIMEO: with the window full it sends nothing and says EAGAIN
     * when time runs out; with a little room it returns what it wrote. (Filled with non-blocking
     * sends first, so the outcome does not hang on how large each side's buffers grew.) */
    MUST(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    static char big[1 << 22];
    int rounds = 0;
    for (; rounds < 100000 && send(s, big, 65536, MSG_DONTWAIT) > 0; rounds++) {
    }
    sleep_ms(50);
    while (send(s, big, 65536, MSG_DONTWAIT) > 0) {
    }
    t0 = now_ms();
    ssize_t w = send(s, big, sizeof big, 0);
    dt = now_ms() - t0;
    printf("send with SO_SNDTIMEO into a full window: %s after 200..400 ms: %s\n",
           w > 0 ? "partial count" : w < 0 && errno == EAGAIN ? "EAGAIN" : errname(errno),
           dt >= 190 && dt <= 400 ? "yes" : "no");
    /* the reader takes 256 KiB: the next blocking send gets some of its bytes in */
    size_t drained = 0;
    while (drained < (256u << 10)) {
        ssize_t n = recv(c, big, 65536, 0);
        if (n <= 0) break;
        drained += (size_t)n;
    }
    w = send(s, big, sizeof big, 0);
    printf("send with SO_SNDTIMEO after the reader made room: %s\n",
           w > 0 ? "partial count" : w < 0 && errno == EAGAIN ? "EAGAIN" : errname(errno));
    printf("the window filled: %s\n", rounds < 100000 ? "yes" : "no");
    close(s);
    close(c);
    close(l);
    /* connect with SO_SNDTIMEO to a listener whose queue is full: EINPROGRESS on timeout */
    len = loopback(&a, fam, 0);
    l = socket(fam, SOCK_STREAM, 0);
    MUST(bind(l, &a.sa, len));
    MUST(listen(l, 1));
    MUST(getsockname(l, &a.sa, &len));
    int q[3];
    for (int i = 0; i < 3; i++) {
        q[i] = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(q[i], &a.sa, len);
    }
    sleep_ms(100);
    c = socket(fam, SOCK_STREAM, 0);
    MUST(setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    t0 = now_ms();
    SHOW(connect(c, &a.sa, len));
    dt = now_ms() - t0;
    printf("connect timed out after 200..400 ms: %s\n", dt >= 190 && dt <= 400 ? "yes" : "no");
    close(c);
    for (int i = 0; i < 3; i++) close(q[i]);
    close(l);
}

static int slow_client(int fam) {
    addr_t a;
    socklen_t len = loopback(&a, fam, slow_ports[fam == AF_INET6]);
    int c = socket(fam, SOCK_STREAM, 0);
    MUST(connect(c, &a.sa, len));
    return c;
}

static void flags(int fam) {
    printf("== message flags %s\n", famname(fam));
    char buf[16];
    /* the slow peer sends "ab", "cd", "ef" 50 ms apart */
    int c = slow_client(fam);
    memset(buf, 0, sizeof buf);
    SHOW(recv(c, buf, sizeof buf, MSG_WAITALL));
    printf("MSG_WAITALL collected '%s' from three sends\n", buf);
    SHOW(recv(c, buf, sizeof buf, 0));
    close(c);
    c = slow_client(fam);
    memset(buf, 0, sizeof buf);
    SHOW(recv(c, buf, 6, MSG_PEEK | MSG_WAITALL));
    printf("MSG_PEEK|MSG_WAITALL saw '%s'\n", buf);
    memset(buf, 0, sizeof buf);
    SHOW(recv(c, buf, 3, MSG_PEEK));
    printf("peeked '%s'\n", buf);
    memset(buf, 0, sizeof buf);
    SHOW(recv(c, buf, 4, 0));
    printf("then received '%s'\n", buf);
    int n = -1;
    SHOW(ioctl(c, FIONREAD, &n));
    printf("FIONREAD says %d\n", n);
    memset(buf, 0, sizeof buf);
    SHOW(recv(c, buf, sizeof buf, 0));
    printf("and recv returns '%s'\n", buf);
    SHOW(recv(c, buf, sizeof buf, MSG_PEEK));
    close(c);

    addr_t a;
    socklen_t len;
    int l = listener(fam, &a, &len);
    n = -1;
    SHOW(ioctl(l, FIONREAD, &n));
    c = socket(fam, SOCK_STREAM, 0);
    n = -1;
    SHOW(ioctl(c, FIONREAD, &n));
    printf("FIONREAD on an unconnected socket: %d\n", n);
    MUST(connect(c, &a.sa, len));
    int s = accept(l, NULL, NULL);
    MUST(s);
    n = -1;
    SHOW(ioctl(s, FIONREAD, &n));
    printf("FIONREAD with nothing queued: %d\n", n);
    SHOW(recv(s, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT));
    /* MSG_TRUNC on TCP: the bytes are consumed, not copied. */
    MUST(send(c, "truncate", 8, 0));
    sleep_ms(20);
    memset(buf, 'Z', sizeof buf);
    SHOW(recv(s, buf, 3, MSG_TRUNC));
    printf("MSG_TRUNC left the buffer %s\n", buf[0] == 'Z' ? "untouched" : "WRITTEN");
    memset(buf, 0, sizeof buf);
    SHOW(recv(s, buf, sizeof buf, 0));
    printf("then received '%s'\n", buf);
    /* sendmsg gathers, recvmsg scatters, in order */
    struct iovec out[3] = {{(void *)"one", 3}, {(void *)"-two", 4}, {(void *)"-three", 6}};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = out;
    m.msg_iovlen = 3;
    SHOW(sendmsg(c, &m, 0));
    char a1[4] = {0}, a2[5] = {0}, a3[8] = {0};
    struct iovec in[3] = {{a1, 3}, {a2, 4}, {a3, 6}};
    struct msghdr r;
    addr_t from;
    memset(&r, 0, sizeof r);
    r.msg_iov = in;
    r.msg_iovlen = 3;
    r.msg_name = &from;
    r.msg_namelen = sizeof from;
    char ctl[64];
    r.msg_control = ctl;
    r.msg_controllen = sizeof ctl;
    r.msg_flags = -1;
    SHOW(recvmsg(s, &r, MSG_WAITALL));
    printf("recvmsg: '%s' '%s' '%s' namelen %d controllen %d flags %d\n", a1, a2, a3, (int)r.msg_namelen,
           (int)r.msg_controllen, r.msg_flags);
    SHOW(recvmsg(s, NULL, 0));
    SHOW(sendmsg(c, NULL, 0));
    m.msg_iovlen = -1;
    SHOW(sendmsg(c, &m, 0));
    /* flags that mean nothing on TCP or are not implemented */
    SHOW(send(c, "x", 1, MSG_PEEK));
    close(s);
    close(c);
    close(l);
}

/* Options survive a failed connect (the library replaces the host socket underneath). */
static void after_refusal(int fam) {
    printf("== options after a refused connect %s\n", famname(fam));
    addr_t a;
    socklen_t len;
    int l = listener(fam, &a, &len);
    int closed = socket(fam, SOCK_STREAM, 0);
    MUST(closed);
    addr_t dead;
    socklen_t deadlen;
    int d = listener(fam, &dead, &deadlen);
    close(d);
    int c = socket(fam, SOCK_STREAM, 0);
    MUST(c);
    set_int("SO_KEEPALIVE", c, SOL_SOCKET, SO_KEEPALIVE, 1);
    set_int("SO_RCVBUF", c, SOL_SOCKET, SO_RCVBUF, 65536);
    set_int("TCP_KEEPCNT", c, IPPROTO_TCP, TCP_KEEPCNT, 5);
    SHOW(connect(c, &dead.sa, deadlen));
    show_int("SO_KEEPALIVE", c, SOL_SOCKET, SO_KEEPALIVE);
    show_int("SO_RCVBUF", c, SOL_SOCKET, SO_RCVBUF);
    show_int("TCP_KEEPCNT", c, IPPROTO_TCP, TCP_KEEPCNT);
    SHOW(connect(c, &a.sa, len));
    show_int("SO_KEEPALIVE", c, SOL_SOCKET, SO_KEEPALIVE);
    show_int("TCP_KEEPCNT", c, IPPROTO_TCP, TCP_KEEPCNT);
    close(c);
    close(closed);
    close(l);
}

/* A connection accepted from a listener with options set: Linux clones the listener's socket,
 * options included (IP_TTL on an IPv6 listener found by tests/fuzz/diff.c). */
static void accepted_inherits(int fam) {
    printf("== accepted connections inherit %s\n", famname(fam));
    addr_t a;
    socklen_t len;
    int l = socket(fam, SOCK_STREAM, 0);
    MUST(l);
    int ttl = 200;
    MUST(setsockopt(l, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl));
    len = loopback(&a, fam, 0);
    MUST(bind(l, &a.sa, len));
    MUST(listen(l, 4));
    MUST(getsockname(l, &a.sa, &len));
    int c = socket(fam, SOCK_STREAM, 0);
    MUST(connect(c, &a.sa, len));
    int s = accept(l, NULL, NULL);
    MUST(s);
    GET(s, IPPROTO_IP, IP_TTL);
    close(s);
    close(c);
    close(l);
}

int main(int argc, char **argv) {
    test_setup();
    if (argc != 3) { printf("usage: sockopts <slow-port-v4> <slow-port-v6>\n"); return 1; }
    slow_ports[0] = atoi(argv[1]);
    slow_ports[1] = atoi(argv[2]);
    round_trips(AF_INET);
    round_trips(AF_INET6);
    timeouts(AF_INET);
    timeouts(AF_INET6);
    flags(AF_INET);
    flags(AF_INET6);
    after_refusal(AF_INET);
    after_refusal(AF_INET6);
    accepted_inherits(AF_INET);
    accepted_inherits(AF_INET6);
    return 0;
}
