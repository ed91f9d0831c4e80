/* sendmmsg(2) and recvmmsg(2) compared with Linux: several datagrams per call on UDP (IPv4 and
 * IPv6) and AF_UNIX, each entry's msg_len, names and msg_flags, a stream socket's entries, the
 * count returned when an entry fails after others went through (and the error it leaves for
 * SO_ERROR), MSG_WAITFORONE, the timeout (checked between datagrams, written back), the cap on
 * vlen, a dual-stack socket's batch to both families, and the errors of bad descriptors,
 * vectors, flags and timeouts. */
#include "t.h"

#define MSG_CMSG_COMPAT_BIT ((int)0x80000000u)

static int udp_bound(int fam, addr_t *a, socklen_t *len) {
    int fd = socket(fam, SOCK_DGRAM, 0);
    MUST(fd);
    *len = loopback(a, fam, 0);
    MUST(bind(fd, &a->sa, *len));
    MUST(getsockname(fd, &a->sa, len));
    return fd;
}

/* Entry i of `v` sends `data[i]`, to `to` when given. */
static void fill_send(struct mmsghdr *v, struct iovec *iov, const char **data, int n, addr_t *to,
                      socklen_t tolen) {
    memset(v, 0, sizeof *v * n);
    for (int i = 0; i < n; i++) {
        iov[i].iov_base = (void *)data[i];
        iov[i].iov_len = strlen(data[i]);
        v[i].msg_hdr.msg_iov = &iov[i];
        v[i].msg_hdr.msg_iovlen = 1;
        v[i].msg_hdr.msg_name = to;
        v[i].msg_hdr.msg_namelen = to ? tolen : 0;
        v[i].msg_len = 12345;
    }
}

/* Entry i of `v` receives into bufs[i] (size each), with room for a name. */
static void fill_recv(struct mmsghdr *v, struct iovec *iov, char (*bufs)[64], size_t size,
                      addr_t *names, int n) {
    memset(v, 0, sizeof *v * n);
    for (int i = 0; i < n; i++) {
        memset(bufs[i], 0, 64);
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = size;
        v[i].msg_hdr.msg_iov = &iov[i];
        v[i].msg_hdr.msg_iovlen = 1;
        if (names) {
            v[i].msg_hdr.msg_name = &names[i];
            v[i].msg_hdr.msg_namelen = sizeof names[i];
        }
        v[i].msg_len = 12345;
        v[i].msg_hdr.msg_flags = -1;
    }
}

static void show_entries(const char *label, struct mmsghdr *v, char (*bufs)[64], int n) {
    for (int i = 0; i < n; i++)
        printf("%s[%d]: len=%u data=\"%.*s\" flags=%s%s namelen=%s\n", label, i, v[i].msg_len,
               v[i].msg_len == 12345 ? 0 : (int)v[i].msg_len, bufs[i],
               v[i].msg_hdr.msg_flags == -1 ? "untouched" : "",
               v[i].msg_hdr.msg_flags == -1 ? ""
               : v[i].msg_hdr.msg_flags & MSG_TRUNC ? "MSG_TRUNC"
               : v[i].msg_hdr.msg_flags == 0        ? "0"
                                                    : "other",
               v[i].msg_hdr.msg_name == NULL ? "-"
               : v[i].msg_hdr.msg_namelen == sizeof(struct sockaddr_in) ? "sin"
               : v[i].msg_hdr.msg_namelen == sizeof(struct sockaddr_in6) ? "sin6"
                                                                         : "other");
}

static void show_so_error(int fd) {
    int e = -1;
    socklen_t l = sizeof e;
    MUST(getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l));
    printf("SO_ERROR: %s\n", e ? errname(e) : "0");
}

static void udp_case(int fam) {
    printf("--- UDP %s\n", famname(fam));
    addr_t ra, sa;
    socklen_t rl, sl;
    int r = udp_bound(fam, &ra, &rl), s = udp_bound(fam, &sa, &sl);
    const char *data[5] = {"one", "two", "three", "four", "five"};
    struct mmsghdr v[8];
    struct iovec iov[8];
    char bufs[8][64];
    addr_t names[8];

    fill_send(v, iov, data, 5, &ra, rl);
    SHOW(sendmmsg(s, v, 5, 0));
    for (int i = 0; i < 5; i++) printf("sent[%d].msg_len=%u\n", i, v[i].msg_len);

    /* Blocking, vlen 3 of the 5 queued: three entries. */
    fill_recv(v, iov, bufs, 64, names, 8);
    SHOW(recvmmsg(r, v, 3, 0, NULL));
    show_entries("recv", v, bufs, 4);
    for (int i = 0; i < 3; i++) printf("name[%d] port %s\n", i, port_of(&names[i]) == port_of(&sa) ? "= sender's" : "other");
    /* Non-blocking with room for 8: the two left, then EAGAIN. */
    fill_recv(v, iov, bufs, 64, NULL, 8);
    SHOW(recvmmsg(r, v, 8, MSG_DONTWAIT, NULL));
    show_entries("rest", v, bufs, 3);
    SHOW(recvmmsg(r, v, 8, MSG_DONTWAIT, NULL));
    show_so_error(r);

    /* MSG_WAITFORONE: waits for the first only. */
    fill_send(v, iov, data, 2, &ra, rl);
    SHOW(sendmmsg(s, v, 2, 0));
    fill_recv(v, iov, bufs, 64, NULL, 8);
    SHOW(recvmmsg(r, v, 8, MSG_WAITFORONE, NULL));
    show_entries("waitforone", v, bufs, 2);

    /* Truncation is per entry; MSG_PEEK reads the same datagram into every entry. */
    fill_send(v, iov, data, 3, &ra, rl);
    SHOW(sendmmsg(s, v, 3, 0));
    fill_recv(v, iov, bufs, 3, NULL, 8);
    SHOW(recvmmsg(r, v, 2, MSG_PEEK, NULL));
    show_entries("peek", v, bufs, 2);
    SHOW(recvmmsg(r, v, 3, 0, NULL));
    show_entries("trunc", v, bufs, 3);

    /* The timeout is looked at after each datagram: with all three queued it returns three and
     * writes back what is left; a zero timeout returns after the first. */
    fill_send(v, iov, data, 3, &ra, rl);
    SHOW(sendmmsg(s, v, 3, 0));
    struct timespec ts = {5, 0};
    fill_recv(v, iov, bufs, 64, NULL, 8);
    SHOW(recvmmsg(r, v, 2, 0, &ts));
    printf("timeout left: %s\n", ts.tv_sec >= 4 && ts.tv_sec <= 5 && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000 ? "under 5 s" : "wrong");
    struct timespec zero = {0, 0};
    SHOW(recvmmsg(r, v, 8, 0, &zero));
    printf("zero timeout left: %ld %ld\n", (long)zero.tv_sec, zero.tv_nsec);

    /* An entry that fails after others went through: the count so far. A bad destination in
     * the third entry (family AF_UNIX on an inet socket). */
    fill_send(v, iov, data, 4, &ra, rl);
    addr_t bad = ra;
    bad.sa.sa_family = AF_UNIX;
    v[2].msg_hdr.msg_name = &bad;
    SHOW(sendmmsg(s, v, 4, 0));
    printf("sent msg_len: %u %u %u %u\n", v[0].msg_len, v[1].msg_len, v[2].msg_len, v[3].msg_len);
    /* ... and when the first fails: its error. */
    SHOW(sendmmsg(s, &v[2], 2, 0));
    fill_recv(v, iov, bufs, 64, NULL, 8);
    SHOW(recvmmsg(r, v, 2, 0, NULL));
    show_entries("got", v, bufs, 2);

    /* A receive entry whose buffer faults after one datagram went through: the count, the
     * datagram that faulted is dropped, and its error waits in SO_ERROR. */
    fill_send(v, iov, data, 3, &ra, rl);
    SHOW(sendmmsg(s, v, 3, 0));
    fill_recv(v, iov, bufs, 64, NULL, 8);
    iov[1].iov_base = NULL;
    SHOW(recvmmsg(r, v, 3, 0, NULL));
    show_entries("fault", v, bufs, 1);
    show_so_error(r);
    show_so_error(r);
    fill_recv(v, iov, bufs, 64, NULL, 8);
    SHOW(recvmmsg(r, v, 8, MSG_DONTWAIT, NULL));
    show_entries("after", v, bufs, 1);

    /* A pending error is returned before anything is received. */
    fill_send(v, iov, data, 3, &ra, rl);
    SHOW(sendmmsg(s, v, 3, 0));
    fill_recv(v, iov, bufs, 64, NULL, 8);
    iov[1].iov_base = NULL;
    SHOW(recvmmsg(r, v, 3, 0, NULL));
    fill_recv(v, iov, bufs, 64, NULL, 8);
    SHOW(recvmmsg(r, v, 8, MSG_DONTWAIT, NULL));
    SHOW(recvmmsg(r, v, 8, MSG_DONTWAIT, NULL));
    show_entries("then", v, bufs, 1);

    /* No destination on an unconnected socket: the first entry fails. */
    fill_send(v, iov, data, 2, NULL, 0);
    SHOW(sendmmsg(s, v, 2, 0));
    /* Connected: no names needed; an entry with a name is sent there (the peer's own). */
    MUST(connect(s, &ra.sa, rl));
    fill_send(v, iov, data, 3, NULL, 0);
    v[1].msg_hdr.msg_name = &ra;
    v[1].msg_hdr.msg_namelen = rl;
    SHOW(sendmmsg(s, v, 3, MSG_DONTWAIT));
    fill_recv(v, iov, bufs, 64, NULL, 8);
    SHOW(recvmmsg(r, v, 3, 0, NULL));
    show_entries("connected", v, bufs, 3);

    /* Empty datagrams are datagrams. */
    const char *empty[2] = {"", ""};
    fill_send(v, iov, empty, 2, NULL, 0);
    SHOW(sendmmsg(s, v, 2, 0));
    fill_recv(v, iov, bufs, 64, NULL, 8);
    SHOW(recvmmsg(r, v, 2, 0, NULL));
    show_entries("empty", v, bufs, 2);
    close(s);
    close(r);
}

/* More than UIO_MAXIOV (1024) entries: Linux sends 1024. (Blocking: a non-blocking batch may
 * stop early, with EAGAIN, where a WASI host's previous send is still under way.) */
static void cap_case(void) {
    printf("--- vlen above 1024\n");
    addr_t ra, sa;
    socklen_t rl, sl;
    int r = udp_bound(AF_INET, &ra, &rl), s = udp_bound(AF_INET, &sa, &sl);
    enum { N = 1100 };
    static struct mmsghdr v[N];
    static struct iovec iov[N];
    static const char *data[N];
    for (int i = 0; i < N; i++) data[i] = "x";
    fill_send(v, iov, data, N, &ra, rl);
    SHOW(sendmmsg(s, v, N, 0));
    printf("entry 1023 len %u, entry 1024 len %u\n", v[1023].msg_len, v[1024].msg_len);
    close(s);
    close(r);
}

/* A dual-stack socket's batch goes out through two host sockets here: entries alternate
 * between an IPv4 receiver (by its IPv4-mapped address) and an IPv6 one. */
static void dual_case(void) {
    printf("--- dual-stack UDP, alternating families\n");
    addr_t r4a, r6a, mapped;
    socklen_t r4l, r6l;
    int r4 = udp_bound(AF_INET, &r4a, &r4l), r6 = udp_bound(AF_INET6, &r6a, &r6l);
    int s = socket(AF_INET6, SOCK_DGRAM, 0);
    MUST(s);
    int off = 0;
    MUST(setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off));
    memset(&mapped, 0, sizeof mapped);
    mapped.in6.sin6_family = AF_INET6;
    mapped.in6.sin6_port = r4a.in.sin_port;
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &mapped.in6.sin6_addr);
    const char *data[6] = {"to4-a", "to6-a", "to6-b", "to4-b", "to4-c", "to6-c"};
    struct mmsghdr v[6];
    struct iovec iov[6];
    char bufs[6][64];
    fill_send(v, iov, data, 6, &r6a, r6l);
    for (int i = 0; i < 6; i++)
        if (data[i][2] == '4') v[i].msg_hdr.msg_name = &mapped, v[i].msg_hdr.msg_namelen = sizeof mapped.in6;
    SHOW(sendmmsg(s, v, 6, 0));
    printf("msg_len: %u %u %u %u %u %u\n", v[0].msg_len, v[1].msg_len, v[2].msg_len, v[3].msg_len,
           v[4].msg_len, v[5].msg_len);
    fill_recv(v, iov, bufs, 64, NULL, 3);
    SHOW(recvmmsg(r4, v, 3, 0, NULL));
    show_entries("v4", v, bufs, 3);
    fill_recv(v, iov, bufs, 64, NULL, 3);
    SHOW(recvmmsg(r6, v, 3, 0, NULL));
    show_entries("v6", v, bufs, 3);
    close(s);
    close(r4);
    close(r6);
}

static void stream_case(void) {
    printf("--- TCP\n");
    addr_t a;
    socklen_t al;
    int l = listener(AF_INET, &a, &al);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    MUST(c);
    struct mmsghdr v[4];
    struct iovec iov[4];
    char bufs[4][64];
    const char *data[3] = {"abcd", "efghij", "kl"};
    fill_send(v, iov, data, 3, NULL, 0);
    SHOW(sendmmsg(c, v, 3, 0));
    MUST(connect(c, &a.sa, al));
    int s = accept(l, NULL, NULL);
    MUST(s);
    SHOW(sendmmsg(c, v, 3, 0));
    printf("msg_len: %u %u %u\n", v[0].msg_len, v[1].msg_len, v[2].msg_len);
    /* Wait until all 12 bytes are there, then take them 5 at a time. */
    for (int tries = 0; tries < 200; tries++) {
        int n = 0;
        MUST(ioctl(s, FIONREAD, &n));
        if (n >= 12) break;
        sleep_ms(10);
    }
    fill_recv(v, iov, bufs, 5, NULL, 4);
    SHOW(recvmmsg(s, v, 4, MSG_DONTWAIT, NULL));
    show_entries("tcp", v, bufs, 4);
    SHOW(recvmmsg(s, v, 4, MSG_DONTWAIT, NULL));
    /* At the end of the stream every entry receives 0 bytes, and counts. */
    MUST(shutdown(c, SHUT_WR));
    struct pollfd p = {s, POLLIN, 0};
    MUST(poll(&p, 1, 2000));
    fill_recv(v, iov, bufs, 5, NULL, 4);
    SHOW(recvmmsg(s, v, 4, 0, NULL));
    show_entries("eof", v, bufs, 4);
    /* A listener has no data. */
    SHOW(recvmmsg(l, v, 1, MSG_DONTWAIT, NULL));
    SHOW(sendmmsg(l, v, 1, 0));
    close(c);
    close(s);
    close(l);
}

static void unix_case(void) {
    printf("--- AF_UNIX datagram pair\n");
    int sv[2];
    MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    struct mmsghdr v[4];
    struct iovec iov[4];
    char bufs[4][64];
    const char *data[3] = {"red", "green", "blue"};
    fill_send(v, iov, data, 3, NULL, 0);
    SHOW(sendmmsg(sv[0], v, 3, 0));
    fill_recv(v, iov, bufs, 64, NULL, 4);
    SHOW(recvmmsg(sv[1], v, 4, MSG_DONTWAIT, NULL));
    show_entries("unix", v, bufs, 4);
    close(sv[0]);
    close(sv[1]);
    printf("--- AF_UNIX stream pair\n");
    MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    fill_send(v, iov, data, 3, NULL, 0);
    SHOW(sendmmsg(sv[0], v, 3, 0));
    fill_recv(v, iov, bufs, 4, NULL, 4);
    SHOW(recvmmsg(sv[1], v, 4, MSG_DONTWAIT, NULL));
    show_entries("ustream", v, bufs, 4);
    close(sv[0]);
    close(sv[1]);
}

static void errors_case(void) {
    printf("--- errors\n");
    addr_t ra;
    socklen_t rl;
    int r = udp_bound(AF_INET, &ra, &rl);
    struct mmsghdr v[2];
    struct iovec iov[2];
    char bufs[2][64];
    const char *data[2] = {"a", "b"};
    struct timespec ts = {1, 0}, neg = {-1, 0}, big = {0, 1000000000L};
    fill_recv(v, iov, bufs, 64, NULL, 2);
    SHOW(recvmmsg(-1, v, 1, 0, NULL));
    SHOW(sendmmsg(-1, v, 1, 0));
    SHOW(recvmmsg(1, v, 1, 0, NULL));
    SHOW(sendmmsg(1, v, 1, 0));
    SHOW(recvmmsg(9999, v, 1, 0, NULL));
    int closed = socket(AF_INET, SOCK_DGRAM, 0);
    close(closed);
    SHOW(sendmmsg(closed, v, 1, 0));
    /* vlen 0: nothing, after the descriptor is found. */
    SHOW(sendmmsg(r, NULL, 0, 0));
    SHOW(recvmmsg(r, NULL, 0, MSG_DONTWAIT, NULL));
    SHOW(recvmmsg(r, NULL, 0, 0, &ts));
    SHOW(sendmmsg(-1, NULL, 0, 0));
    /* A NULL vector with entries. */
    SHOW(sendmmsg(r, NULL, 1, 0));
    SHOW(recvmmsg(r, NULL, 1, MSG_DONTWAIT, NULL));
    /* Timeouts: invalid ones before the descriptor; an unreadable one first of all. */
    SHOW(recvmmsg(r, v, 1, MSG_DONTWAIT, &neg));
    SHOW(recvmmsg(r, v, 1, MSG_DONTWAIT, &big));
    SHOW(recvmmsg(-1, v, 1, MSG_DONTWAIT, &big));
    SHOW(recvmmsg(-1, v, 1, MSG_DONTWAIT, (struct timespec *)(uintptr_t)-64));
    /* MSG_CMSG_COMPAT is refused. */
    SHOW(recvmmsg(r, v, 1, MSG_DONTWAIT | MSG_CMSG_COMPAT_BIT, NULL));
    SHOW(sendmmsg(r, v, 1, MSG_CMSG_COMPAT_BIT));
    SHOW(recvmmsg(-1, v, 1, MSG_CMSG_COMPAT_BIT, NULL));
    SHOW(sendmsg(r, &v[0].msg_hdr, MSG_CMSG_COMPAT_BIT));
    SHOW(recvmsg(r, &v[0].msg_hdr, MSG_CMSG_COMPAT_BIT | MSG_DONTWAIT));
    SHOW(sendmsg(-1, &v[0].msg_hdr, MSG_CMSG_COMPAT_BIT));
    SHOW(recvmsg(-1, &v[0].msg_hdr, MSG_CMSG_COMPAT_BIT));
    /* A bad iovec count in the first entry, then in the second. */
    fill_send(v, iov, data, 2, &ra, rl);
    v[0].msg_hdr.msg_iovlen = 5000;
    SHOW(sendmmsg(r, v, 2, 0));
    v[0].msg_hdr.msg_iovlen = 1;
    v[1].msg_hdr.msg_iovlen = 5000;
    SHOW(sendmmsg(r, v, 2, 0));
    fill_recv(v, iov, bufs, 64, NULL, 2);
    SHOW(recvmmsg(r, v, 2, MSG_WAITFORONE, NULL));
    fill_send(v, iov, data, 2, &ra, rl);
    SHOW(sendmmsg(r, v, 2, 0));
    fill_recv(v, iov, bufs, 64, NULL, 2);
    v[0].msg_hdr.msg_iovlen = 5000;
    SHOW(recvmmsg(r, v, 2, MSG_DONTWAIT, NULL));
    v[0].msg_hdr.msg_iovlen = 1;
    v[1].msg_hdr.msg_iovlen = 5000;
    SHOW(recvmmsg(r, v, 2, 0, NULL));
    show_so_error(r);
    SHOW(recvmmsg(r, v, 1, 0, NULL));
    /* Message headers outside memory. */
    SHOW(sendmsg(r, (struct msghdr *)(uintptr_t)-16, 0));
    SHOW(recvmsg(r, (struct msghdr *)(uintptr_t)-16, MSG_DONTWAIT));
    /* A vector outside memory. */
    struct mmsghdr *edge = (struct mmsghdr *)(uintptr_t)-(intptr_t)sizeof(struct mmsghdr);
    SHOW(sendmmsg(r, edge, 2, 0));
    close(r);
}

int main(void) {
    test_setup();
    udp_case(AF_INET);
    udp_case(AF_INET6);
    cap_case();
    dual_case();
    stream_case();
    unix_case();
    errors_case();
    return 0;
}
