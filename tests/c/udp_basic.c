/* UDP compared with Linux, for IPv4 and IPv6: implicit bind on first send, datagram boundaries,
 * truncation, MSG_TRUNC, MSG_PEEK, zero-length datagrams, FIONREAD, connect / disconnect /
 * reconnect (and what each does to the local address), the peer filter of a connected socket,
 * read/write/readv/writev/sendmsg/recvmsg on datagrams, poll, shutdown, options. */
#include "t.h"
#include <poll.h>
#include <sys/time.h>

/* Linear memory pages in use (wasm); 0 natively, where the kernel's accounting is not ours. */
static size_t heap_pages(void) {
#ifdef __wasi__
    return __builtin_wasm_memory_size(0);
#else
    return 0;
#endif
}

static int udp(int fam) {
    int fd = socket(fam, SOCK_DGRAM, 0);
    MUST(fd);
    return fd;
}

/* A UDP socket bound to loopback on an ephemeral port; fills its address. */
static int bound(int fam, addr_t *a, socklen_t *len) {
    int fd = udp(fam);
    *len = loopback(a, fam, 0);
    MUST(bind(fd, &a->sa, *len));
    MUST(getsockname(fd, &a->sa, len));
    return fd;
}

static void show_name(const char *label, int fd) {
    addr_t a;
    socklen_t len = sizeof a;
    memset(&a, 0, sizeof a);
    if (getsockname(fd, &a.sa, &len) < 0) {
        printf("%s: -1 %s\n", label, errname(errno));
        return;
    }
    show_addr(label, &a, len);
}

static void show_peer(const char *label, int fd) {
    addr_t a;
    socklen_t len = sizeof a;
    if (getpeername(fd, &a.sa, &len) < 0) {
        printf("%s: -1 %s\n", label, errname(errno));
        return;
    }
    show_addr(label, &a, len);
}

static void set_rcvtimeo(int fd, int ms) {
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    MUST(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
}

/* Receive one datagram (waiting up to 2 s) and print its length and whether its bytes are the
 * pattern `seed` wrote. */
static void fill(unsigned char *b, size_t n, int seed) {
    for (size_t i = 0; i < n; i++) b[i] = (unsigned char)(seed + i * 7);
}
static int is_fill(const unsigned char *b, size_t n, int seed) {
    for (size_t i = 0; i < n; i++)
        if (b[i] != (unsigned char)(seed + i * 7)) return 0;
    return 1;
}

static void recv_show(const char *label, int fd, size_t cap, int flags, int seed) {
    static unsigned char buf[70000];
    memset(buf, 0, sizeof buf);
    errno = 0;
    ssize_t n = recv(fd, buf, cap, flags);
    if (n < 0) {
        printf("%s -> -1 %s\n", label, errname(errno));
        return;
    }
    size_t got = (size_t)n < cap ? (size_t)n : cap;
    printf("%s -> %zd%s\n", label, n, seed < 0 ? "" : is_fill(buf, got, seed) ? " (bytes ok)" : " (BYTES WRONG)");
}

static short poll_now(int fd, short events) {
    struct pollfd p = {fd, events, 0};
    int r = poll(&p, 1, 0);
    return r < 0 ? -1 : p.revents;
}

static void show_poll(const char *label, int fd) {
    short r = poll_now(fd, POLLIN | POLLOUT);
    printf("poll %s ->%s%s%s%s%s\n", label, r & POLLIN ? " IN" : "", r & POLLOUT ? " OUT" : "",
           r & POLLERR ? " ERR" : "", r & POLLHUP ? " HUP" : "", r == 0 ? " none" : "");
}

static void basics(int fam) {
    printf("== basics %s\n", famname(fam));
    int s = udp(fam);
    show_name("fresh getsockname", s);
    show_peer("fresh getpeername", s);
    show_poll("fresh", s);
    char buf[64];
    SHOW(recv(s, buf, sizeof buf, MSG_DONTWAIT));
    SHOW(send(s, "x", 1, 0));
    SHOW(write(s, "x", 1));

    addr_t a;
    socklen_t alen;
    int r = bound(fam, &a, &alen);
    show_name("bound getsockname", r);
    show_poll("bound idle", r);

    /* Implicit bind on the first sendto. */
    SHOW(sendto(s, "hello", 5, 0, &a.sa, alen));
    show_name("after sendto getsockname", s);
    addr_t from;
    socklen_t flen = sizeof from;
    memset(buf, 0, sizeof buf);
    set_rcvtimeo(r, 2000);
    SHOW(recvfrom(r, buf, sizeof buf, 0, &from.sa, &flen));
    printf("payload %s\n", buf);
    show_addr("recvfrom source", &from, flen);
    addr_t sname;
    socklen_t slen = sizeof sname;
    MUST(getsockname(s, &sname.sa, &slen));
    printf("source port is the sender's: %s\n", port_of(&from) == port_of(&sname) ? "yes" : "no");

    /* Boundaries: three datagrams stay three. */
    static unsigned char big[70000];
    int sizes[] = {1, 100, 1000, 8192};
    for (int i = 0; i < 4; i++) {
        fill(big, sizes[i], i);
        SHOW(sendto(s, big, sizes[i], 0, &a.sa, alen));
    }
    for (int i = 0; i < 4; i++) recv_show("recv boundary", r, 65536, 0, i);

    /* Truncation: the rest of the datagram is discarded. */
    fill(big, 100, 9);
    MUST(sendto(s, big, 100, 0, &a.sa, alen));
    MUST(sendto(s, "next", 4, 0, &a.sa, alen));
    recv_show("recv 10 of 100", r, 10, 0, 9);
    recv_show("recv after truncation", r, 64, 0, -1);

    /* MSG_TRUNC: the real length. */
    MUST(sendto(s, big, 100, 0, &a.sa, alen));
    recv_show("recv 10 of 100 MSG_TRUNC", r, 10, MSG_TRUNC, 9);
    SHOW(recv(r, buf, sizeof buf, MSG_DONTWAIT));

    /* recvmsg reports truncation in msg_flags. */
    MUST(sendto(s, big, 100, 0, &a.sa, alen));
    struct iovec iov[2] = {{buf, 4}, {buf + 4, 6}};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_name = &from;
    m.msg_namelen = sizeof from;
    m.msg_iov = iov;
    m.msg_iovlen = 2;
    SHOW(recvmsg(r, &m, 0));
    printf("recvmsg flags MSG_TRUNC %s, namelen %s, bytes %s\n", m.msg_flags & MSG_TRUNC ? "set" : "clear",
           m.msg_namelen == (fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) ? "==sizeof" : "wrong",
           is_fill((unsigned char *)buf, 10, 9) ? "ok" : "WRONG");
    printf("recvmsg source is the sender: %s\n", port_of(&from) == port_of(&sname) ? "yes" : "no");

    /* MSG_PEEK leaves the datagram queued. */
    MUST(sendto(s, "peek!", 5, 0, &a.sa, alen));
    memset(buf, 0, sizeof buf);
    SHOW(recv(r, buf, sizeof buf, MSG_PEEK));
    printf("peeked %s\n", buf);
    SHOW(recv(r, buf, 2, MSG_PEEK | MSG_TRUNC));
    memset(buf, 0, sizeof buf);
    SHOW(recv(r, buf, sizeof buf, 0));
    printf("received %s\n", buf);
    SHOW(recv(r, buf, sizeof buf, MSG_DONTWAIT));

    /* Zero-length datagrams, FIONREAD, recv of length 0. */
    int avail = -1;
    SHOW(ioctl(r, FIONREAD, &avail));
    printf("FIONREAD empty %d\n", avail);
    SHOW(sendto(s, "", 0, 0, &a.sa, alen));
    MUST(sendto(s, "seven!!", 7, 0, &a.sa, alen));
    MUST(sendto(s, "333", 3, 0, &a.sa, alen));
    sleep_ms(20);
    SHOW(ioctl(r, FIONREAD, &avail));
    printf("FIONREAD with an empty datagram first %d\n", avail);
    show_poll("with an empty datagram queued", r);
    SHOW(recv(r, buf, sizeof buf, 0));
    SHOW(ioctl(r, FIONREAD, &avail));
    printf("FIONREAD %d\n", avail);
    SHOW(recv(r, buf, 0, 0));
    SHOW(ioctl(r, FIONREAD, &avail));
    printf("FIONREAD after a recv of 0 bytes %d\n", avail);
    SHOW(recv(r, buf, sizeof buf, 0));
    SHOW(recv(r, buf, sizeof buf, MSG_DONTWAIT));

    /* A recvfrom address buffer too small: truncated, length says the full size. */
    MUST(sendto(s, "x", 1, 0, &a.sa, alen));
    unsigned char small[8];
    memset(small, 0xee, sizeof small);
    socklen_t smalllen = 6;
    SHOW(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)small, &smalllen));
    printf("address length %s, byte 6 %s\n",
           smalllen == (fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) ? "==sizeof" : "wrong",
           small[6] == 0xee ? "untouched" : "WRITTEN");

    /* Scatter and gather. */
    struct iovec out[3] = {{"ab", 2}, {"", 0}, {"cdef", 4}};
    SHOW(writev(s, out, 3));
    SHOW(sendto(s, NULL, 0, 0, &a.sa, alen));
    close(s);
    s = udp(fam);
    MUST(connect(s, &a.sa, alen));
    SHOW(writev(s, out, 3));
    char x[3] = {0}, y[8] = {0};
    struct iovec in[2] = {{x, 2}, {y, 7}};
    SHOW(readv(r, in, 2));
    printf("readv %s|%s\n", x, y);
    SHOW(read(r, buf, sizeof buf));
    memset(&m, 0, sizeof m);
    struct iovec one = {"msg", 3};
    m.msg_iov = &one;
    m.msg_iovlen = 1;
    SHOW(sendmsg(s, &m, 0));
    m.msg_name = &a;
    m.msg_namelen = alen;
    SHOW(sendmsg(s, &m, 0));
    SHOW(recv(r, buf, sizeof buf, 0));
    SHOW(recv(r, buf, sizeof buf, 0));
    close(s);
    close(r);
}

static void connected(int fam) {
    printf("== connect %s\n", famname(fam));
    addr_t a, c;
    socklen_t alen, clen;
    int ra = bound(fam, &a, &alen);
    int rc = bound(fam, &c, &clen);
    set_rcvtimeo(ra, 2000);
    set_rcvtimeo(rc, 2000);
    char buf[64];

    int s = udp(fam);
    SHOW(connect(s, &a.sa, alen));
    show_name("connected getsockname", s);
    show_peer("connected getpeername", s);
    set_rcvtimeo(s, 300);
    SHOW(send(s, "to a", 4, 0));
    SHOW(recv(ra, buf, sizeof buf, 0));
    SHOW(sendto(s, "to a again", 10, 0, &a.sa, alen));
    SHOW(recv(ra, buf, sizeof buf, 0));
    /* Linux: a connected UDP socket may still sendto another address. */
    SHOW(sendto(s, "to c", 4, 0, &c.sa, clen));
    SHOW(recv(rc, buf, sizeof buf, MSG_DONTWAIT) >= 0 ? 1 : 0);
    sleep_ms(50);
    SHOW(recv(rc, buf, sizeof buf, MSG_DONTWAIT));

    /* Only the peer's datagrams arrive. */
    addr_t sname;
    socklen_t slen = sizeof sname;
    MUST(getsockname(s, &sname.sa, &slen));
    SHOW(sendto(rc, "from c", 6, 0, &sname.sa, slen));
    SHOW(sendto(ra, "from a", 6, 0, &sname.sa, slen));
    memset(buf, 0, sizeof buf);
    SHOW(recv(s, buf, sizeof buf, 0));
    printf("connected socket got: %s\n", buf);
    SHOW(recv(s, buf, sizeof buf, MSG_DONTWAIT));

    /* Reconnect to c: the port stays. */
    SHOW(connect(s, &c.sa, clen));
    show_peer("reconnected getpeername", s);
    show_name("reconnected getsockname", s);
    addr_t again;
    socklen_t againlen = sizeof again;
    MUST(getsockname(s, &again.sa, &againlen));
    printf("same port after reconnect: %s\n", port_of(&again) == port_of(&sname) ? "yes" : "no");
    SHOW(send(s, "to c", 4, 0));
    SHOW(recv(rc, buf, sizeof buf, 0));
    SHOW(sendto(ra, "from a", 6, 0, &sname.sa, slen));
    SHOW(recv(s, buf, sizeof buf, MSG_DONTWAIT) >= 0 ? 1 : 0);

    /* Disconnect: an implicitly bound socket loses its port too (Linux's __udp_disconnect). */
    addr_t un;
    memset(&un, 0, sizeof un);
    un.sa.sa_family = AF_UNSPEC;
    SHOW(connect(s, &un.sa, sizeof un.sa));
    show_peer("disconnected getpeername", s);
    show_name("disconnected getsockname", s);
    SHOW(send(s, "x", 1, 0));
    SHOW(connect(s, &un.sa, sizeof un.sa));
    close(s);

    /* An explicitly bound socket keeps its port; its address resets if it was the wildcard. */
    s = udp(fam);
    addr_t any;
    socklen_t anylen = loopback(&any, fam, 0);
    if (fam == AF_INET) any.in.sin_addr.s_addr = htonl(INADDR_ANY);
    else any.in6.sin6_addr = in6addr_any;
    MUST(bind(s, &any.sa, anylen));
    show_name("bound to any, port 0", s);
    SHOW(connect(s, &a.sa, alen));
    show_name("then connected", s);
    SHOW(connect(s, &un.sa, sizeof un.sa));
    show_name("then disconnected", s);
    close(s);
    s = udp(fam);
    addr_t fixed;
    socklen_t fixedlen = sizeof fixed;
    int probe = bound(fam, &fixed, &fixedlen);
    close(probe);
    if (fam == AF_INET) fixed.in.sin_addr.s_addr = htonl(INADDR_ANY);
    else fixed.in6.sin6_addr = in6addr_any;
    MUST(bind(s, &fixed.sa, fixedlen));
    SHOW(connect(s, &a.sa, alen));
    SHOW(connect(s, &un.sa, sizeof un.sa));
    addr_t after;
    socklen_t afterlen = sizeof after;
    MUST(getsockname(s, &after.sa, &afterlen));
    show_addr("bound to any with a port, connected, disconnected", &after, afterlen);
    printf("kept its port: %s\n", port_of(&after) == port_of(&fixed) ? "yes" : "no");
    close(s);

    /* Connect, send, disconnect in a loop: nothing leaks, the descriptor stays the same. */
    s = udp(fam);
    int ok = 0;
    for (int i = 0; i < 300; i++) {
        if (connect(s, &a.sa, alen) < 0) break;
        if (send(s, &i, sizeof i, 0) != sizeof i) break;
        int got = -1;
        if (recv(ra, &got, sizeof got, 0) != sizeof got || got != i) break;
        if (connect(s, &un.sa, sizeof un.sa) < 0) break;
        ok++;
    }
    printf("connect/send/disconnect cycles: %d of 300\n", ok);
    /* Reconnect between two peers, receiving each time (the socket keeps its port). */
    ok = 0;
    addr_t mine;
    socklen_t minelen = sizeof mine;
    size_t mem0 = 0;
    for (int i = 0; i < 400; i++) {
        addr_t *to = i % 2 ? &c : &a;
        int peer = i % 2 ? rc : ra;
        if (connect(s, &to->sa, i % 2 ? clen : alen) < 0) break;
        if (i == 0) MUST(getsockname(s, &mine.sa, &minelen));
        if (send(s, &i, sizeof i, 0) != sizeof i) break;
        int got = -1;
        if (recv(peer, &got, sizeof got, 0) != sizeof got || got != i) break;
        if (sendto(peer, &got, sizeof got, 0, &mine.sa, minelen) != sizeof got) break;
        got = -1;
        if (recv(s, &got, sizeof got, 0) != sizeof got || got != i) break;
        if (i == 100) mem0 = heap_pages();
        ok++;
    }
    printf("reconnect/send/receive cycles: %d of 400\n", ok);
    printf("memory after 300 more cycles: %s\n", heap_pages() == mem0 ? "unchanged" : "GREW");
    int s2 = udp(fam);
    printf("next socket number is the one after: %s\n", s2 == s + 1 ? "yes" : "no");
    close(s2);
    close(s);

    /* A connected socket learns that nobody listens (ICMP port unreachable). */
    s = udp(fam);
    addr_t dead;
    socklen_t deadlen = sizeof dead;
    probe = bound(fam, &dead, &deadlen);
    close(probe);
    SHOW(connect(s, &dead.sa, deadlen));
    set_rcvtimeo(s, 2000);
    SHOW(send(s, "anyone?", 7, 0));
    sleep_ms(50);
    show_poll("after a datagram to a closed port", s);
    int err = -1;
    socklen_t errlen = sizeof err;
    SHOW(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &errlen));
    printf("SO_ERROR %s\n", err ? errname(err) : "0");
    SHOW(send(s, "anyone?", 7, 0));
    SHOW(recv(s, buf, sizeof buf, 0));
    SHOW(recv(s, buf, sizeof buf, MSG_DONTWAIT));
    close(s);
    close(ra);
    close(rc);
}

static void shut(int fam) {
    printf("== shutdown %s\n", famname(fam));
    addr_t a;
    socklen_t alen;
    int r = bound(fam, &a, &alen);
    char buf[16];
    int s = udp(fam);
    SHOW(shutdown(s, SHUT_RDWR));
    SHOW(shutdown(r, 99));
    MUST(connect(s, &a.sa, alen));
    SHOW(shutdown(s, SHUT_WR));
    SHOW(send(s, "x", 1, 0));
    show_poll("after SHUT_WR", s);
    SHOW(shutdown(s, SHUT_RD));
    SHOW(recv(s, buf, sizeof buf, 0));
    show_poll("after SHUT_RDWR", s);
    close(s);
    /* On an unconnected socket shutdown fails with ENOTCONN, yet Linux still marks it shut. */
    SHOW(shutdown(r, SHUT_RD));
    SHOW(recv(r, buf, sizeof buf, 0));
    show_poll("unconnected after SHUT_RD", r);
    /* Shut for reading, it still queues and delivers datagrams; with none queued a blocking
     * receive returns 0, a non-blocking one is EAGAIN (found by tests/fuzz/diff.c). */
    SHOW(recv(r, buf, sizeof buf, MSG_DONTWAIT));
    int t = udp(fam);
    SHOW(sendto(t, "after", 5, 0, &a.sa, alen));
    /* Poll cannot wait for it (a socket shut for reading is always readable), so look
     * at FIONREAD until the datagram lands, for up to 5 s on a loaded machine. */
    int n = -1;
    for (int i = 0; i < 500 && (ioctl(r, FIONREAD, &n) != 0 || n == 0); i++)
        sleep_ms(10);
    SHOW(ioctl(r, FIONREAD, &n));
    printf("FIONREAD %d\n", n);
    SHOW(recv(r, buf, sizeof buf, MSG_DONTWAIT | MSG_PEEK));
    SHOW(recv(r, buf, sizeof buf, 0));
    SHOW(recv(r, buf, sizeof buf, MSG_DONTWAIT));
    SHOW(recv(r, buf, sizeof buf, 0));
    close(t);
    close(r);
}

static void options(int fam) {
    printf("== options %s\n", famname(fam));
    int s = udp(fam);
    int v = -1;
    socklen_t len = sizeof v;
    SHOW(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len));
    printf("SO_TYPE is SOCK_DGRAM: %s\n", v == SOCK_DGRAM ? "yes" : "no");
    SHOW(getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &len));
    printf("SO_PROTOCOL is IPPROTO_UDP: %s\n", v == IPPROTO_UDP ? "yes" : "no");
    SHOW(getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, &len));
    printf("SO_ACCEPTCONN %d\n", v);
    SHOW(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &len));
    printf("SO_DOMAIN %s\n", famname(v));
    SHOW(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &len));
    v = 1;
    SHOW(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v));
    SHOW(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v));
    SHOW(getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, &len));
    printf("SO_KEEPALIVE %d\n", v);
    v = 1;
    SHOW(setsockopt(s, SOL_SOCKET, SO_BROADCAST, &v, sizeof v));
    SHOW(getsockopt(s, SOL_SOCKET, SO_BROADCAST, &v, &len));
    printf("SO_BROADCAST %d\n", v);
    v = 65536;
    SHOW(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof v));
    SHOW(getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &len));
    printf("SO_RCVBUF %d\n", v);
    v = 32768;
    SHOW(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
    SHOW(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &len));
    printf("SO_SNDBUF %d\n", v);
    if (fam == AF_INET) {
        v = 7;
        SHOW(setsockopt(s, IPPROTO_IP, IP_TTL, &v, sizeof v));
        SHOW(getsockopt(s, IPPROTO_IP, IP_TTL, &v, &len));
        printf("IP_TTL %d\n", v);
    } else {
        v = 9;
        SHOW(setsockopt(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, sizeof v));
        SHOW(getsockopt(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, &len));
        printf("IPV6_UNICAST_HOPS %d\n", v);
    }
    SHOW(listen(s, 1));
    SHOW(accept(s, NULL, NULL));
    close(s);
}

/* Linux frees a port at close: a socket that received (its host socket streaming), closed, and
 * the same port bound again at once, 200 times. */
static void rebind(int fam) {
    printf("== close and bind again %s\n", famname(fam));
    addr_t a;
    socklen_t len;
    int s = bound(fam, &a, &len), failed = 0;
    char buf[4];
    for (int i = 0; i < 200; i++) {
        int c = udp(fam);
        MUST(sendto(c, "x", 1, 0, &a.sa, len));
        MUST(recv(s, buf, sizeof buf, 0));
        close(c);
        close(s);
        s = udp(fam);
        if (bind(s, &a.sa, len) < 0) {
            failed++;
            close(s);
            s = bound(fam, &a, &len);
        }
    }
    close(s);
    printf("binds that found the port still taken: %d of 200\n", failed);
}

/* A datagram queued on a bound socket before its first connect is still delivered after it (a
 * WASI host's connected stream would not deliver it: found by tests/fuzz/diff.c). */
static void queued_before_connect(int fam) {
    printf("--- %s: queued before the first connect\n", famname(fam));
    addr_t ra, pa;
    socklen_t rl, pl;
    int r = bound(fam, &ra, &rl), p = bound(fam, &pa, &pl), s = udp(fam);
    SHOW(sendto(s, "queued", 6, 0, &ra.sa, rl));
    sleep_ms(50);
    SHOW(connect(r, &pa.sa, pl));
    struct pollfd q = {r, POLLIN, 0};
    SHOW(poll(&q, 1, 2000));
    char buf[16];
    SHOW(recv(r, buf, sizeof buf, MSG_DONTWAIT));
    close(r);
    close(p);
    close(s);
}

int main(void) {
    test_setup();
    int fams[] = {AF_INET, AF_INET6};
    for (int i = 0; i < 2; i++) {
        basics(fams[i]);
        connected(fams[i]);
        shut(fams[i]);
        options(fams[i]);
        rebind(fams[i]);
        queued_before_connect(fams[i]);
    }
    return 0;
}
