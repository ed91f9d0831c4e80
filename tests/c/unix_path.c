/* AF_UNIX sockets by name within one program (no network access below): socket(AF_UNIX, ...),
 * bind to a path, an abstract name or by autobind, listen, connect, accept, names both ways,
 * the backlog, a listener closed with connections pending, datagrams by path (senders' names,
 * max_dgram_qlen, EPERM, AF_UNSPEC), sequenced packets by path, and the errors of each in
 * Linux's order. Natively Linux creates socket files, which the program unlinks after use (as
 * real programs do); here names live in the program only. */
//! wasmtime:
#include "t.h"
#include <stddef.h>
#include <sys/un.h>

#define P1 "/tmp/wsp-unix-path-1"
#define P2 "/tmp/wsp-unix-path-2"
#define P3 "/tmp/wsp-unix-path-3"
#define REL "wsp-unix-relative"

static socklen_t un(struct sockaddr_un *a, const char *path) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

/* An abstract name: a NUL, then `name` (no terminating NUL). */
static socklen_t abstract(struct sockaddr_un *a, const char *name) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    memcpy(a->sun_path + 1, name, strlen(name));
    return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
}

static void show(const char *what, const struct sockaddr_un *a, socklen_t l) {
    if (l == sizeof(sa_family_t)) {
        printf("%s: unnamed (len == sizeof(sa_family_t)), family %s\n", what,
               a->sun_family == AF_UNIX ? "AF_UNIX" : "?");
    } else if (l > sizeof(sa_family_t) && a->sun_path[0] == 0) {
        printf("%s: abstract, %d name bytes%s\n", what, (int)(l - sizeof(sa_family_t) - 1),
               l == sizeof(sa_family_t) + 6 ? " (autobind's five hex digits)" : "");
    } else {
        printf("%s: path \"%s\", len %s\n", what, a->sun_path,
               l == offsetof(struct sockaddr_un, sun_path) + strlen(a->sun_path) + 1 ? "== offsetof + strlen + 1"
                                                                                     : "other");
    }
}

static void name(const char *what, int fd, int peer) {
    struct sockaddr_un a;
    memset(&a, 0x55, sizeof a);
    socklen_t l = sizeof a;
    int r = peer ? getpeername(fd, (struct sockaddr *)&a, &l) : getsockname(fd, (struct sockaddr *)&a, &l);
    if (r < 0)
        printf("%s: -1 %s\n", what, errname(errno));
    else
        show(what, &a, l);
}

static void peercred(const char *what, int fd) {
    struct ucred cr;
    socklen_t cl = sizeof cr;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) < 0) {
        printf("SO_PEERCRED %s: -1 %s\n", what, errname(errno));
        return;
    }
    if (cr.pid == 0)
        printf("SO_PEERCRED %s: none (pid 0, uid %d, gid %d)\n", what, (int)cr.uid, (int)cr.gid);
    else
        printf("SO_PEERCRED %s: a pid\n", what);
}

static void pl(const char *what, int fd) {
    struct pollfd p = {fd, POLLIN | POLLOUT, 0};
    int n = poll(&p, 1, 0);
    printf("poll %s: %d %s\n", what, n, ev(p.revents));
}

static void cleanup(void) {
    unlink(P1);
    unlink(P2);
    unlink(P3);
    unlink(REL);
}

static void sockets(void) {
    char buf[16];
    printf("-- socket(AF_UNIX, ...)\n");
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    printf("stream: %d\n", s >= 0);
    int d = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    printf("dgram: %d\n", d >= 0);
    int q = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, PF_UNIX);
    printf("seqpacket: %d, FD_CLOEXEC %d\n", q >= 0, fcntl(q, F_GETFD));
    SHOW(socket(AF_UNIX, SOCK_STREAM, 12345));
    SHOW(socket(AF_UNIX, 12, 0));
    SHOW(socket(AF_UNIX, SOCK_STREAM | 0x100000, 0));
    name("fresh stream, getsockname", s, 0);
    name("fresh stream, getpeername", s, 1);
    peercred("fresh stream", s);
    peercred("fresh dgram", d);
    pl("fresh stream", s);
    pl("fresh dgram", d);
    pl("fresh seqpacket", q);
    SHOW(recv(s, buf, 1, MSG_DONTWAIT));
    SHOW(send(s, "x", 1, 0));
    SHOW(recv(d, buf, 1, 0));
    SHOW(send(d, "x", 1, 0));
    SHOW(recv(q, buf, 1, 0));
    SHOW(send(q, "x", 1, 0));
    SHOW(shutdown(s, SHUT_RDWR));
    SHOW(listen(s, 1));
    SHOW(listen(d, 1));
    SHOW(accept(s, NULL, NULL));
    SHOW(accept(d, NULL, NULL));
    close(s);
    close(d);
    close(q);
}

static void binds(void) {
    struct sockaddr_un a;
    printf("-- bind\n");
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    int t = socket(AF_UNIX, SOCK_STREAM, 0);
    SHOW(bind(s, NULL, 0));
    SHOW(bind(s, NULL, 8));
    un(&a, P1);
    SHOW(bind(s, (struct sockaddr *)&a, 0));
    SHOW(bind(s, (struct sockaddr *)&a, 1));
    SHOW(bind(s, (struct sockaddr *)&a, sizeof a + 1));
    SHOW(bind(s, (struct sockaddr *)&a, 200));
    a.sun_family = AF_INET;
    SHOW(bind(s, (struct sockaddr *)&a, sizeof a));
    socklen_t l = un(&a, P1);
    SHOW(bind(s, (struct sockaddr *)&a, l));
    name("bound to a path", s, 0);
    SHOW(bind(s, (struct sockaddr *)&a, l));
    un(&a, P2);
    SHOW(bind(s, (struct sockaddr *)&a, sizeof a));
    unlink(P2);
    un(&a, P1);
    SHOW(bind(t, (struct sockaddr *)&a, l));
    int d = socket(AF_UNIX, SOCK_DGRAM, 0);
    SHOW(bind(d, (struct sockaddr *)&a, l));
    /* The path without its NUL, and with junk after it: the same name. */
    un(&a, P2);
    SHOW(bind(t, (struct sockaddr *)&a, offsetof(struct sockaddr_un, sun_path) + strlen(P2)));
    name("bound without the NUL", t, 0);
    close(t);
    unlink(P2);
    t = socket(AF_UNIX, SOCK_STREAM, 0);
    un(&a, P2);
    strcpy(a.sun_path + strlen(P2) + 1, "junk");
    SHOW(bind(t, (struct sockaddr *)&a, sizeof a));
    name("bound with junk after the NUL", t, 0);
    close(t);
    unlink(P2);
    t = socket(AF_UNIX, SOCK_STREAM, 0);
    l = un(&a, REL);
    SHOW(bind(t, (struct sockaddr *)&a, l));
    name("a relative path", t, 0);
    close(t);
    unlink(REL);

    printf("-- autobind and abstract names\n");
    t = socket(AF_UNIX, SOCK_STREAM, 0);
    a.sun_family = AF_UNIX;
    SHOW(bind(t, (struct sockaddr *)&a, sizeof(sa_family_t)));
    name("autobound", t, 0);
    SHOW(bind(t, (struct sockaddr *)&a, sizeof(sa_family_t)));
    l = abstract(&a, "wsp-abstract");
    SHOW(bind(t, (struct sockaddr *)&a, l));
    close(t);
    t = socket(AF_UNIX, SOCK_STREAM, 0);
    SHOW(bind(t, (struct sockaddr *)&a, l));
    name("abstract", t, 0);
    int u = socket(AF_UNIX, SOCK_STREAM, 0);
    SHOW(bind(u, (struct sockaddr *)&a, l));
    SHOW(bind(u, (struct sockaddr *)&a, l + 1));
    name("abstract, one NUL longer", u, 0);
    int v = socket(AF_UNIX, SOCK_DGRAM, 0);
    SHOW(bind(v, (struct sockaddr *)&a, l));
    close(t);
    close(u);
    close(v);
    t = socket(AF_UNIX, SOCK_STREAM, 0);
    SHOW(bind(t, (struct sockaddr *)&a, l));
    close(t);

    close(s);
    close(d);
    unlink(P1);
}

static void connections(void) {
    struct sockaddr_un a, from;
    socklen_t l, fl;
    char buf[32];
    int n;
    printf("-- listen, connect, accept\n");
    int lsn = socket(AF_UNIX, SOCK_STREAM, 0);
    l = un(&a, P1);
    MUST(bind(lsn, (struct sockaddr *)&a, l));
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    SHOW(connect(c, (struct sockaddr *)&a, l));
    SHOW(listen(lsn, 1));
    int v = -1;
    socklen_t vl = sizeof v;
    SHOW(getsockopt(lsn, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
    printf("SO_ACCEPTCONN %d\n", v);
    peercred("listener", lsn);
    pl("listener, empty", lsn);
    SHOW(ioctl(lsn, FIONREAD, &n));
    un(&a, P2);
    SHOW(connect(c, (struct sockaddr *)&a, l));
    SHOW(connect(c, (struct sockaddr *)&a, 1));
    abstract(&a, "wsp-nobody");
    SHOW(connect(c, (struct sockaddr *)&a, offsetof(struct sockaddr_un, sun_path) + 11));
    int d = socket(AF_UNIX, SOCK_DGRAM, 0);
    l = un(&a, P3);
    MUST(bind(d, (struct sockaddr *)&a, l));
    SHOW(connect(c, (struct sockaddr *)&a, l));
    l = un(&a, P1);
    SHOW(connect(c, (struct sockaddr *)&a, l));
    name("client, getpeername", c, 1);
    name("client, getsockname", c, 0);
    peercred("connected client", c);
    pl("listener, one pending", lsn);
    SHOW(send(c, "before accept", 13, 0));
    fl = sizeof from;
    int s = accept(lsn, (struct sockaddr *)&from, &fl);
    printf("accept: %d\n", s >= 0);
    show("accepted, peer", &from, fl);
    name("accepted, getsockname", s, 0);
    name("accepted, getpeername", s, 1);
    peercred("accepted", s);
    SHOW(fcntl(s, F_GETFL) == O_RDWR);
    memset(buf, 0, sizeof buf);
    SHOW(recv(s, buf, sizeof buf, 0));
    printf("\"%s\"\n", buf);
    SHOW(send(s, "reply", 5, 0));
    fl = sizeof from;
    memset(buf, 0, sizeof buf);
    SHOW(recvfrom(c, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl));
    show("client's recvfrom", &from, fl);
    SHOW(connect(c, (struct sockaddr *)&a, l));
    SHOW(connect(lsn, (struct sockaddr *)&a, l));
    SHOW(listen(c, 1));
    SHOW(accept(s, NULL, NULL));
    SHOW(accept4(lsn, NULL, NULL, 0x100000));
    close(s);
    close(c);
    close(d);
    unlink(P3);

    printf("-- the backlog\n");
    SHOW(listen(lsn, 0));
    int c1 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int c3 = socket(AF_UNIX, SOCK_STREAM, 0);
    SHOW(connect(c1, (struct sockaddr *)&a, l));
    SHOW(connect(c2, (struct sockaddr *)&a, l));
    struct timeval tv = {0, 200000};
    MUST(setsockopt(c3, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    SHOW(connect(c3, (struct sockaddr *)&a, l));
    SHOW(listen(lsn, 5));
    SHOW(connect(c2, (struct sockaddr *)&a, l));
    SHOW(connect(c3, (struct sockaddr *)&a, l));
    SHOW(send(c3, "abc", 3, 0));
    int s1 = accept4(lsn, NULL, NULL, SOCK_NONBLOCK);
    printf("accept4 SOCK_NONBLOCK: %d, O_NONBLOCK %d\n", s1 >= 0, (fcntl(s1, F_GETFL) & O_NONBLOCK) != 0);
    SHOW(recv(s1, buf, sizeof buf, 0));
    close(s1);
    pl("client whose accepted end closed", c1);
    printf("-- a listener closed with connections pending\n");
    SHOW(close(lsn));
    pl("pending client", c2);
    SHOW(recv(c2, buf, sizeof buf, 0));
    SHOW(recv(c2, buf, sizeof buf, 0));
    SHOW(send(c2, "x", 1, 0));
    SHOW(recv(c3, buf, sizeof buf, 0));
    SHOW(recv(c3, buf, sizeof buf, 0));
    name("pending client, getpeername", c2, 1);
    SHOW(connect(c1, (struct sockaddr *)&a, l));
    close(c1);
    close(c2);
    close(c3);
    unlink(P1);
    int c4 = socket(AF_UNIX, SOCK_STREAM, 0);
    SHOW(connect(c4, (struct sockaddr *)&a, l));
    close(c4);

    printf("-- accept timeouts and shutdown\n");
    lsn = socket(AF_UNIX, SOCK_STREAM, 0);
    MUST(bind(lsn, (struct sockaddr *)&a, l));
    MUST(listen(lsn, 5));
    MUST(setsockopt(lsn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    SHOW(accept(lsn, NULL, NULL));
    SHOW(accept4(lsn, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
    SHOW(shutdown(lsn, SHUT_RD));
    SHOW(accept(lsn, NULL, NULL));
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    SHOW(connect(c, (struct sockaddr *)&a, l));
    close(c);
    close(lsn);
    unlink(P1);
}

static void datagrams(void) {
    struct sockaddr_un a, b, from;
    socklen_t l, bl, fl;
    char buf[32];
    printf("-- datagrams by path\n");
    int r = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    l = un(&a, P1);
    MUST(bind(r, (struct sockaddr *)&a, l));
    int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    SHOW(sendto(s, "anon", 4, 0, (struct sockaddr *)&a, l));
    name("sender after sending, getsockname", s, 0);
    fl = sizeof from;
    SHOW(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl));
    printf("from an unbound sender: addrlen %d\n", (int)fl);
    bl = un(&b, P2);
    MUST(bind(s, (struct sockaddr *)&b, bl));
    SHOW(sendto(s, "named", 5, 0, (struct sockaddr *)&a, l));
    fl = sizeof from;
    SHOW(recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl));
    show("from a bound sender", &from, fl);
    struct msghdr m = {0};
    struct iovec iv = {buf, sizeof buf};
    m.msg_iov = &iv;
    m.msg_iovlen = 1;
    m.msg_name = &from;
    m.msg_namelen = 4;
    SHOW(sendto(s, "short name", 10, 0, (struct sockaddr *)&a, l));
    SHOW(recvmsg(r, &m, 0));
    printf("msg_namelen %s\n", m.msg_namelen == bl ? "the full length" : "other");
    int st = socket(AF_UNIX, SOCK_STREAM, 0);
    SHOW(sendto(st, "x", 1, 0, (struct sockaddr *)&a, l));
    close(st);
    un(&b, P3);
    SHOW(sendto(s, "x", 1, 0, (struct sockaddr *)&b, bl));
    abstract(&b, "wsp-nobody");
    SHOW(sendto(s, "x", 1, 0, (struct sockaddr *)&b, offsetof(struct sockaddr_un, sun_path) + 11));
    SHOW(sendto(s, "x", 1, 0, (struct sockaddr *)&b, 1));

    printf("-- a receiver's queue limit\n");
    int k = 0;
    while (sendto(s, "q", 1, 0, (struct sockaddr *)&a, l) == 1) k++;
    printf("datagrams queued before %s: %d\n", errname(errno), k);
    SHOW(connect(s, (struct sockaddr *)&a, l));
    peercred("datagram socket connected by path", s);
    pl("connected sender, receiver full", s);
    SHOW(send(s, "q", 1, 0));
    SHOW(recv(r, buf, sizeof buf, 0));
    pl("connected sender, one taken", s);
    SHOW(send(s, "q", 1, 0));
    SHOW(send(s, "q", 1, 0));
    while (recv(r, buf, sizeof buf, 0) > 0) {
    }
    int t = socket(AF_UNIX, SOCK_DGRAM, 0);
    bl = un(&b, P3);
    MUST(bind(t, (struct sockaddr *)&b, bl));
    SHOW(connect(r, (struct sockaddr *)&b, bl));
    SHOW(send(s, "q", 1, 0));
    int u = socket(AF_UNIX, SOCK_DGRAM, 0);
    SHOW(sendto(u, "q", 1, 0, (struct sockaddr *)&a, l));
    SHOW(sendto(t, "t", 1, 0, (struct sockaddr *)&a, l));
    SHOW(recv(r, buf, sizeof buf, 0));
    a.sun_family = AF_UNSPEC;
    SHOW(connect(r, (struct sockaddr *)&a, sizeof(sa_family_t)));
    SHOW(connect(r, (struct sockaddr *)&a, 1));
    a.sun_family = AF_UNIX;
    SHOW(send(r, "x", 1, 0));
    SHOW(sendto(u, "q", 1, 0, (struct sockaddr *)&a, l));
    SHOW(recv(r, buf, sizeof buf, 0));
    printf("-- the receiver closes\n");
    SHOW(close(r));
    unlink(P1);
    pl("sender connected to it", s);
    SHOW(send(s, "q", 1, 0));
    SHOW(send(s, "q", 1, 0));
    SHOW(sendto(u, "q", 1, 0, (struct sockaddr *)&a, l));
    close(s);
    close(t);
    close(u);
    unlink(P2);
    unlink(P3);
}

static void seqpackets(void) {
    struct sockaddr_un a;
    char buf[32];
    printf("-- sequenced packets by path\n");
    int lsn = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    socklen_t l = un(&a, P1);
    MUST(bind(lsn, (struct sockaddr *)&a, l));
    MUST(listen(lsn, 5));
    int c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    int st = socket(AF_UNIX, SOCK_STREAM, 0);
    SHOW(connect(st, (struct sockaddr *)&a, l));
    SHOW(connect(c, (struct sockaddr *)&a, l));
    int s = accept(lsn, NULL, NULL);
    printf("accept: %d\n", s >= 0);
    SHOW(send(c, "one", 3, 0));
    SHOW(send(c, "two!", 4, 0));
    SHOW(recv(s, buf, 2, 0));
    SHOW(recv(s, buf, sizeof buf, 0));
    SHOW(close(c));
    SHOW(recv(s, buf, sizeof buf, 0));
    close(s);
    close(st);
    close(lsn);
    unlink(P1);
}

static void rebind(void) {
    struct sockaddr_un a;
    printf("-- a path whose socket closed, not unlinked\n");
    socklen_t l = un(&a, P1);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    MUST(bind(s, (struct sockaddr *)&a, l));
    close(s);
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    SHOW(bind(s, (struct sockaddr *)&a, l));
    close(s);
    unlink(P1);
}

int main(void) {
    test_setup();
    cleanup();
    sockets();
    binds();
    connections();
    datagrams();
    seqpackets();
    rebind();
    cleanup();
    printf("done\n");
    return 0;
}
