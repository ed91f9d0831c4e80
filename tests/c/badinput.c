//! wasmtime: -S inherit-network --dir .
/* A bad-input sweep over every exported call: bad descriptors of every kind, NULL pointers,
 * zero, short and huge lengths, unknown flags, levels, options, families and commands. Every
 * out-buffer sits in a larger array filled with a guard pattern, and each call reports whether
 * anything past the caller's stated length was written. Lengths are printed as properties
 * (struct sizes differ between glibc and wasi-libc), errnos by name. */
#include "gai.h"
#include <poll.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/time.h>

/* The huge lengths below are the point of the test; gcc's fortify checks see them too. */
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wunknown-warning-option"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#pragma GCC diagnostic ignored "-Wstringop-overread"
#pragma GCC diagnostic ignored "-Wnonnull"

#define PAT 0xA5
static union {
    unsigned char b[4096];
    long long align;
} GU, HU;
#define G (GU.b)
#define H (HU.b)

/* Hidden from the compiler so it neither warns about nor optimizes around these values. */
static void *volatile NULLP;
static volatile int VNEG = -1;
#define NP ((void *)NULLP)

static void gfill(void) {
    memset(G, PAT, sizeof G);
    memset(H, PAT, sizeof H);
}

static void guard_at(const char *what, const unsigned char *g, size_t from) {
    int ok = 1;
    for (size_t i = from; i < sizeof GU.b; i++) ok &= g[i] == PAT;
    printf("  %s: %s\n", what, ok ? "guard intact" : "GUARD OVERWRITTEN");
}

static const char *lenprop(socklen_t len, socklen_t want) {
    static char buf[64];
    if (len == want) return "==sizeof";
    snprintf(buf, sizeof buf, "!=sizeof (%s)", len < want ? "less" : "more");
    return buf;
}

/* ---------------------------------------------------------------------------------------- */
/* Descriptors of every kind */

enum { K_NEG, K_UNUSED, K_CLOSED, K_STDIN, K_STDOUT, K_FILE, K_LISTEN, K_TCP, K_CONN, K_UDP, NK };
static const char *kname[NK] = {"-1",          "unused (5000)",    "closed socket",
                                "stdin",       "stdout",           "regular file",
                                "listener",    "unconnected TCP",  "connected TCP",
                                "UDP"};

static int ml = -1;       /* the listener connections go to */
static addr_t mla;        /* its address */
static socklen_t mlen;
static int usink = -1;    /* a UDP socket datagrams go to */
static addr_t usa;
static socklen_t uslen;
static int peer = -1;     /* the accepted end of a K_CONN socket */
static int closed_by_call;

static void drain_listener(void) {
    struct pollfd p = {ml, POLLIN, 0};
    while (poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) {
        int a = accept(ml, NULL, NULL);
        if (a < 0) break;
        close(a);
    }
}

static int get(int k) {
    int fd;
    addr_t a;
    socklen_t len;
    closed_by_call = 0;
    switch (k) {
    case K_NEG: return -1;
    case K_UNUSED: return 5000;
    case K_CLOSED:
        fd = socket(AF_INET, SOCK_STREAM, 0);
        MUST(fd);
        MUST(close(fd));
        return fd;
    case K_STDIN: return 0;
    case K_STDOUT: return 1;
    case K_FILE:
        fd = open("badinput.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
        MUST(fd);
        return fd;
    case K_LISTEN:
        fd = listener(AF_INET, &a, &len);
        MUST(fcntl(fd, F_SETFL, O_NONBLOCK));
        return fd;
    case K_TCP:
        fd = socket(AF_INET, SOCK_STREAM, 0);
        MUST(fd);
        return fd;
    case K_CONN:
        fd = socket(AF_INET, SOCK_STREAM, 0);
        MUST(fd);
        MUST(connect(fd, &mla.sa, mlen));
        peer = accept(ml, NULL, NULL);
        MUST(peer);
        MUST(fcntl(fd, F_SETFL, O_NONBLOCK));
        return fd;
    case K_UDP:
        fd = socket(AF_INET, SOCK_DGRAM, 0);
        MUST(fd);
        len = loopback(&a, AF_INET, 0);
        MUST(bind(fd, &a.sa, len));
        MUST(fcntl(fd, F_SETFL, O_NONBLOCK));
        return fd;
    }
    return -1;
}

static void put(int k, int fd) {
    if (k >= K_FILE && !closed_by_call) MUST(close(fd));
    if (k == K_CONN) {
        MUST(close(peer));
        peer = -1;
    }
    drain_listener();
}

static void sweep_kind(int k) {
    printf("== descriptor: %s\n", kname[k]);
    addr_t lo;
    socklen_t lolen = loopback(&lo, AF_INET, 0);
    int one = 1, zero = 0, n = 0;
    socklen_t len;
    struct iovec riov = {G, 4}, wiov = {(void *)"x", 1};
    struct msghdr m;
    int writes_ok = k != K_STDIN && k != K_STDOUT; /* no bytes into the test's own stdio */
#define ONE(...)                                                                              \
    do {                                                                                      \
        int fd = get(k);                                                                      \
        gfill();                                                                              \
        printf("[%s] ", kname[k]);                                                            \
        __VA_ARGS__;                                                                          \
        put(k, fd);                                                                           \
    } while (0)
    ONE(SHOW(bind(fd, &lo.sa, lolen)));
    ONE(SHOW(listen(fd, 1)));
    ONE(SHOW(connect(fd, &mla.sa, mlen)));
    ONE(SHOW(accept(fd, NULL, NULL)));
    ONE(SHOW(accept4(fd, NULL, NULL, SOCK_CLOEXEC)));
    ONE(SHOW(send(fd, "x", 1, MSG_DONTWAIT)));
    ONE(SHOW(sendto(fd, "x", 1, MSG_DONTWAIT, &usa.sa, uslen)));
    ONE(memset(&m, 0, sizeof m); m.msg_iov = &wiov; m.msg_iovlen = 1;
        SHOW(sendmsg(fd, &m, MSG_DONTWAIT)));
    ONE(SHOW(recv(fd, G, 4, MSG_DONTWAIT)); guard_at("buf", G, 4));
    ONE(len = sizeof(struct sockaddr_in);
        SHOW(recvfrom(fd, G, 4, MSG_DONTWAIT, (struct sockaddr *)H, &len)); guard_at("buf", G, 4);
        guard_at("addr", H, sizeof(struct sockaddr_in)));
    ONE(memset(&m, 0, sizeof m); m.msg_iov = &riov; m.msg_iovlen = 1; m.msg_name = H;
        m.msg_namelen = sizeof(struct sockaddr_in); SHOW(recvmsg(fd, &m, MSG_DONTWAIT));
        guard_at("buf", G, 4); guard_at("name", H, sizeof(struct sockaddr_in)));
    ONE(SHOW(read(fd, G, 4)); guard_at("buf", G, 4));
    if (writes_ok) ONE(SHOW(write(fd, "x", 1)));
    ONE(SHOW(readv(fd, &riov, 1)); guard_at("buf", G, 4));
    if (writes_ok) ONE(SHOW(writev(fd, &wiov, 1)));
    if (k != K_STDIN && k != K_STDOUT) ONE(closed_by_call = SHOW(close(fd)) == 0);
    ONE(SHOW(shutdown(fd, SHUT_RDWR)));
    ONE(len = sizeof(struct sockaddr_in); SHOW(getsockname(fd, (struct sockaddr *)G, &len));
        printf("  len%s\n", lenprop(len, sizeof(struct sockaddr_in)));
        guard_at("addr", G, sizeof(struct sockaddr_in)));
    ONE(len = sizeof(struct sockaddr_in); SHOW(getpeername(fd, (struct sockaddr *)G, &len));
        printf("  len%s\n", lenprop(len, sizeof(struct sockaddr_in)));
        guard_at("addr", G, sizeof(struct sockaddr_in)));
    ONE(len = sizeof(int); int r = SHOW(getsockopt(fd, SOL_SOCKET, SO_TYPE, G, &len)); int v;
        memcpy(&v, G, sizeof v);
        if (r == 0) printf("  SO_TYPE %s len %u\n", typename(v), (unsigned)len);
        guard_at("optval", G, sizeof(int)));
    ONE(SHOW(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one)));
    ONE(OK(fcntl(fd, F_GETFL)));
    ONE(OK(fcntl(fd, F_GETFD)));
    ONE(SHOW(fcntl(fd, F_SETFD, 0)));
    ONE(SHOW(fcntl(fd, F_SETFL, 0)));
    ONE(SHOW(fcntl(fd, 12345)));
    ONE(OK(ioctl(fd, FIONREAD, &n)));
    ONE(SHOW(ioctl(fd, FIONBIO, &zero)));
    ONE(SHOW(ioctl(fd, 0x7fff1234, &n)));
    ONE(int r = SHOW(fstat(fd, (struct stat *)G)); struct stat st; memcpy(&st, G, sizeof st);
        if (r == 0) printf("  sock=%d reg=%d\n", S_ISSOCK(st.st_mode), S_ISREG(st.st_mode));
        guard_at("stat", G, sizeof(struct stat)));
    ONE(struct pollfd p = {fd, POLLIN | POLLOUT, 0}; SHOW(poll(&p, 1, 0));
        printf("  revents %s\n", ev(p.revents)));
    ONE(struct pollfd p = {fd, POLLIN | POLLOUT, 0}; struct timespec ts = {0, 0};
        SHOW(ppoll(&p, 1, &ts, NULL)); printf("  revents %s\n", ev(p.revents)));
    if (k != K_NEG && k != K_UNUSED) { /* FD_SET of those is undefined */
        ONE(fd_set *rs = (fd_set *)G; fd_set *ws = (fd_set *)H; FD_ZERO(rs); FD_ZERO(ws);
            FD_SET(fd, rs); FD_SET(fd, ws); struct timeval tv = {0, 0};
            SHOW(select(fd + 1, rs, ws, NULL, &tv));
            printf("  rd %d wr %d\n", FD_ISSET(fd, rs) ? 1 : 0, FD_ISSET(fd, ws) ? 1 : 0);
            guard_at("rd set", G, sizeof(fd_set)); guard_at("wr set", H, sizeof(fd_set)));
        ONE(fd_set *rs = (fd_set *)G; FD_ZERO(rs); FD_SET(fd, rs); struct timespec ts = {0, 0};
            SHOW(pselect(fd + 1, rs, NULL, NULL, &ts, NULL));
            printf("  rd %d\n", FD_ISSET(fd, rs) ? 1 : 0));
    }
#undef ONE
}

/* ---------------------------------------------------------------------------------------- */
/* socket() */

static void sweep_socket(void) {
    printf("== socket\n");
    int fams[] = {12345, -1, AF_UNSPEC, 46, 255};
    for (size_t i = 0; i < sizeof fams / sizeof fams[0]; i++) {
        int fam = fams[i];
        SHOW(socket(fam, SOCK_STREAM, 0));
    }
    SHOW(socket(AF_UNIX, SOCK_STREAM, 0) >= 0);
    SHOW(socket(AF_INET, SOCK_STREAM | 0x40000000, 0));
    SHOW(socket(12345, SOCK_STREAM | 0x40000000, 0));
    SHOW(socket(AF_INET, SOCK_STREAM, -1));
    SHOW(socket(AF_INET6, SOCK_STREAM, -1));
    SHOW(socket(AF_INET, SOCK_DGRAM, 263));
    SHOW(socket(AF_INET, SOCK_STREAM, 200));
    SHOW(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP));
    SHOW(socket(AF_INET6, SOCK_STREAM, IPPROTO_UDP));
}

/* ---------------------------------------------------------------------------------------- */
/* Address arguments: bind, connect, sendto, sendmsg */

typedef struct {
    const char *name;
    socklen_t len;
} len_t;

static int lens_for(int fam, len_t *out) {
    socklen_t s = fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    int n = 0;
    out[n++] = (len_t){"0", 0};
    out[n++] = (len_t){"1", 1};
    out[n++] = (len_t){"3", 3};
    if (fam == AF_INET6) out[n++] = (len_t){"24", 24};
    out[n++] = (len_t){"sizeof-1", s - 1};
    out[n++] = (len_t){"sizeof+1", s + 1};
    out[n++] = (len_t){"128", 128};
    out[n++] = (len_t){"129", 129};
    out[n++] = (len_t){"0x7fffffff", 0x7fffffff};
    out[n++] = (len_t){"-1", (socklen_t)-1};
    return n;
}

/* An address of family `fam` whose sa_family says `as`, in a 128-byte zeroed buffer. */
static socklen_t addr_as(addr_t *a, int fam, int as, int port) {
    socklen_t len = loopback(a, fam, port);
    a->sa.sa_family = as;
    return len;
}

static void sweep_addr_args(int fam) {
    const char *F = famname(fam);
    int other = fam == AF_INET ? AF_INET6 : AF_INET;
    len_t lens[16];
    int nl = lens_for(fam, lens);
    addr_t a;
    socklen_t alen;
    int s;

    printf("== bind %s: lengths\n", F);
    alen = loopback(&a, fam, 0);
    for (int i = 0; i < nl; i++) {
        s = socket(fam, SOCK_STREAM, 0);
        socklen_t l = lens[i].len;
        printf("len %s: ", lens[i].name);
        SHOW(bind(s, &a.sa, l));
        close(s);
    }
    s = socket(fam, SOCK_STREAM, 0);
    SHOW(bind(s, NP, 0));
    SHOW(bind(s, NP, alen));
    SHOW(bind(s, NP, 0x7fffffff));
    printf("== bind %s: families\n", F);
    socklen_t l;
    l = addr_as(&a, other, other, 0);
    SHOW(bind(s, &a.sa, l));
    l = addr_as(&a, other, fam, 0);
    SHOW(bind(s, &a.sa, l));
    l = addr_as(&a, fam, other, 0);
    SHOW(bind(s, &a.sa, l));
    l = addr_as(&a, fam, 12345, 0);
    SHOW(bind(s, &a.sa, l));
    l = addr_as(&a, fam, AF_UNIX, 0);
    SHOW(bind(s, &a.sa, l));
    l = addr_as(&a, fam, AF_UNSPEC, 0);
    SHOW(bind(s, &a.sa, l));
    close(s);
    /* Linux's inet_bind takes AF_UNSPEC with INADDR_ANY as AF_INET (old programs do it) */
    s = socket(fam, SOCK_STREAM, 0);
    l = addr_as(&a, fam, AF_UNSPEC, 0);
    if (fam == AF_INET) a.in.sin_addr.s_addr = htonl(INADDR_ANY);
    else a.in6.sin6_addr = in6addr_any;
    SHOW(bind(s, &a.sa, l));
    close(s);

    printf("== connect %s: lengths (to port 0)\n", F);
    alen = loopback(&a, fam, 0);
    for (int i = 0; i < nl; i++) {
        s = socket(fam, SOCK_STREAM, 0);
        l = lens[i].len;
        printf("len %s: ", lens[i].name);
        SHOW(connect(s, &a.sa, l));
        close(s);
    }
    s = socket(fam, SOCK_STREAM, 0);
    SHOW(connect(s, NP, 0));
    SHOW(connect(s, NP, alen));
    SHOW(connect(s, NP, (socklen_t)-1));
    printf("== connect %s: families\n", F);
    l = addr_as(&a, other, other, 0);
    SHOW(connect(s, &a.sa, l));
    l = addr_as(&a, other, fam, 0);
    SHOW(connect(s, &a.sa, l));
    l = addr_as(&a, fam, other, 0);
    SHOW(connect(s, &a.sa, l));
    l = addr_as(&a, fam, 12345, 0);
    SHOW(connect(s, &a.sa, l));
    l = addr_as(&a, fam, AF_UNIX, 0);
    SHOW(connect(s, &a.sa, l));
    l = addr_as(&a, fam, AF_UNSPEC, 0);
    SHOW(connect(s, &a.sa, l));
    close(s);

    printf("== UDP connect %s\n", F);
    alen = loopback(&a, fam, 9);
    s = socket(fam, SOCK_DGRAM, 0);
    SHOW(connect(s, NP, 0));
    SHOW(connect(s, NP, alen));
    for (int i = 0; i < nl; i++) {
        l = lens[i].len;
        if (l > 3 && l < 129) continue; /* these would connect */
        printf("len %s: ", lens[i].name);
        SHOW(connect(s, &a.sa, l));
    }
    l = addr_as(&a, other, other, 9);
    printf("%s address: ", famname(other));
    SHOW(connect(s, &a.sa, l));
    l = addr_as(&a, fam, 12345, 9);
    SHOW(connect(s, &a.sa, l));
    close(s);

    printf("== UDP sendto %s\n", F);
    int sink = socket(fam, SOCK_DGRAM, 0);
    addr_t d;
    socklen_t dlen = loopback(&d, fam, 0);
    MUST(bind(sink, &d.sa, dlen));
    MUST(getsockname(sink, &d.sa, &dlen));
    s = socket(fam, SOCK_DGRAM, 0);
    for (int i = 0; i < nl; i++) {
        l = lens[i].len;
        printf("len %s: ", lens[i].name);
        SHOW(sendto(s, "x", 1, 0, &d.sa, l));
    }
    SHOW(sendto(s, "x", 1, 0, NP, dlen));
    SHOW(sendto(s, "x", 1, 0, NP, 0x7fffffff));
    addr_t e = d;
    e.sa.sa_family = other;
    printf("own address as %s: ", famname(other));
    SHOW(sendto(s, "x", 1, 0, &e.sa, dlen));
    e.sa.sa_family = 12345;
    printf("own address as family 12345: ");
    SHOW(sendto(s, "x", 1, 0, &e.sa, dlen));
    e.sa.sa_family = AF_UNSPEC;
    printf("own address as AF_UNSPEC: ");
    SHOW(sendto(s, "x", 1, 0, &e.sa, dlen));
    loopback(&e, other, port_of(&d));
    printf("%s loopback: ", famname(other));
    SHOW(sendto(s, "x", 1, 0, &e.sa, fam == AF_INET ? sizeof e.in6 : sizeof e.in));
    /* huge data lengths: the size limit is checked before the data is read */
    SHOW(sendto(s, G, 100000, 0, &d.sa, dlen));
    SHOW(sendto(s, G, (size_t)-1 / 2, 0, &d.sa, dlen));

    printf("== UDP sendmsg %s\n", F);
    struct msghdr m;
    struct iovec iov = {(void *)"y", 1};
    static struct iovec many[1025];
    for (int i = 0; i < 1025; i++) many[i] = (struct iovec){(void *)"z", i == 0};
    addr_t big;
    memset(&big, 0, sizeof big);
    memcpy(&big, &d, dlen);
#define MSG(name_, namelen_, iov_, iovlen_)                                                    \
    (memset(&m, 0, sizeof m), m.msg_name = (name_), m.msg_namelen = (namelen_),               \
     m.msg_iov = (iov_), m.msg_iovlen = (iovlen_), &m)
    SHOW(sendmsg(s, NP, 0));
    SHOW(sendmsg(s, MSG(&big, dlen, &iov, 1), 0));
    SHOW(sendmsg(s, MSG(NP, dlen, &iov, 1), 0));
    SHOW(sendmsg(s, MSG(&big, 0, &iov, 1), 0));
    SHOW(sendmsg(s, MSG(&big, 1, &iov, 1), 0));
    SHOW(sendmsg(s, MSG(&big, 0x7fffffff, &iov, 1), 0));
    SHOW(sendmsg(s, MSG(&big, (socklen_t)-1, &iov, 1), 0));
    SHOW(sendmsg(s, MSG(&big, dlen, NP, 1), 0));
    SHOW(sendmsg(s, MSG(&big, dlen, &iov, VNEG), 0));
    SHOW(sendmsg(s, MSG(&big, dlen, many, 1025), 0));
    SHOW(sendmsg(s, MSG(&big, dlen, many, 1024), 0));
    SHOW(sendmsg(s, MSG(&big, dlen, NP, 0), 0));
    (void)MSG(&big, dlen, &iov, 1);
    m.msg_flags = -1; /* ignored by sendmsg */
    SHOW(sendmsg(s, &m, 0));
    char cbuf[64];
    memset(cbuf, 0x5a, sizeof cbuf);
    (void)MSG(&big, dlen, &iov, 1);
    m.msg_control = cbuf;
    m.msg_controllen = 16;
    SHOW(sendmsg(s, &m, 0));
    m.msg_control = NP;
    SHOW(sendmsg(s, &m, 0));
    m.msg_control = cbuf;
    m.msg_iovlen = 1025;
    SHOW(sendmsg(s, &m, 0));
    (void)MSG(&big, dlen, &iov, 1);
    m.msg_control = cbuf;
    m.msg_controllen = 0x80000000u;
    SHOW(sendmsg(s, &m, 0));
    close(s);
    close(sink);
#undef MSG
}

/* ---------------------------------------------------------------------------------------- */
/* accept/accept4 out-pointers, with connections pending */

static int clients[64];
static int nclients;

static void pend(int l, const addr_t *la, socklen_t llen, int fam) {
    int c = socket(fam, SOCK_STREAM, 0);
    MUST(c);
    MUST(connect(c, &la->sa, llen));
    clients[nclients++] = c;
    struct pollfd p = {l, POLLIN, 0};
    poll(&p, 1, 2000);
}

static void took(int fd) {
    if (fd >= 0) close(fd);
}

static void sweep_accept(int fam) {
    printf("== accept %s\n", famname(fam));
    addr_t la;
    socklen_t llen;
    int l = listener(fam, &la, &llen);
    MUST(fcntl(l, F_SETFL, O_NONBLOCK));
    socklen_t full = fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    socklen_t len;
    /* a bad length pointer is noticed only after the connection was taken */
    pend(l, &la, llen, fam);
    gfill();
    took(SHOW(accept(l, (struct sockaddr *)G, NP)));
    guard_at("addr", G, 0);
    took(SHOW(accept(l, NULL, NULL)));
    pend(l, &la, llen, fam);
    len = (socklen_t)-1;
    took(SHOW(accept(l, (struct sockaddr *)G, &len)));
    took(SHOW(accept(l, NULL, NULL)));
    len_t lens[] = {{"0", 0}, {"1", 1}, {"3", 3}, {"sizeof-1", full - 1},
                    {"sizeof", full}, {"0x7fffffff", 0x7fffffff}};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        pend(l, &la, llen, fam);
        gfill();
        len = lens[i].len;
        printf("len %s: ", lens[i].name);
        took(OK(accept(l, (struct sockaddr *)G, &len)));
        printf("  len%s family %s\n", lenprop(len, full),
               lens[i].len >= 2 ? famname(((struct sockaddr *)G)->sa_family) : "-");
        guard_at("addr", G, lens[i].len < full ? lens[i].len : full);
    }
    pend(l, &la, llen, fam);
    len = (socklen_t)-1;
    took(OK(accept(l, NULL, &len)));
    printf("  len untouched: %d\n", len == (socklen_t)-1);
    pend(l, &la, llen, fam);
    took(SHOW(accept4(l, NULL, NULL, 0x40000000)));
    took(SHOW(accept4(l, NULL, NULL, -1)));
    took(SHOW(accept4(-1, NULL, NULL, -1)));
    took(SHOW(accept4(5000, NULL, NULL, 0x40000000)));
    int a = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    OK(a);
    SHOW(fcntl(a, F_GETFL) & O_NONBLOCK ? 1 : 0);
    SHOW(fcntl(a, F_GETFD) & FD_CLOEXEC ? 1 : 0);
    took(a);
    took(SHOW(accept(l, NULL, NULL)));
    close(l);
    for (int i = 0; i < nclients; i++) close(clients[i]);
    nclients = 0;
}

/* ---------------------------------------------------------------------------------------- */
/* getsockname/getpeername out-pointers */

static void sweep_names(int fam) {
    printf("== getsockname/getpeername %s\n", famname(fam));
    addr_t la;
    socklen_t llen;
    int l = listener(fam, &la, &llen);
    int c = socket(fam, SOCK_STREAM, 0);
    MUST(connect(c, &la.sa, llen));
    int s = accept(l, NULL, NULL);
    MUST(s);
    socklen_t full = fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    for (int which = 0; which < 2; which++) {
        int (*f)(int, struct sockaddr *, socklen_t *) = which ? getpeername : getsockname;
        const char *fn = which ? "getpeername" : "getsockname";
        socklen_t len;
        printf("%s: ", fn);
        SHOW(f(c, (struct sockaddr *)G, NP));
        len = 0;
        printf("%s: ", fn);
        SHOW(f(c, NP, &len));
        printf("  len%s\n", lenprop(len, full));
        len = 16;
        printf("%s: ", fn);
        SHOW(f(c, NP, &len));
        len_t lens[] = {{"0", 0},        {"1", 1},          {"3", 3}, {"sizeof-1", full - 1},
                        {"sizeof", full}, {"0x7fffffff", 0x7fffffff}, {"-1", (socklen_t)-1}};
        for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            gfill();
            len = lens[i].len;
            printf("%s len %s: ", fn, lens[i].name);
            SHOW(f(c, (struct sockaddr *)G, &len));
            printf("  len%s\n", lenprop(len, full));
            guard_at("addr", G, lens[i].len < full ? lens[i].len : full);
        }
    }
    close(c);
    close(s);
    close(l);
}

/* ---------------------------------------------------------------------------------------- */
/* Receiving into bad buffers: nothing may be lost that Linux keeps */

static void wait_readable(int fd) {
    struct pollfd p = {fd, POLLIN, 0};
    poll(&p, 1, 2000);
}

static void show_bytes(const char *what, long n) {
    printf("  %s: %ld '%.*s'\n", what, n, n > 0 ? (int)n : 0, (const char *)G);
}

static void sweep_recv_tcp(void) {
    printf("== TCP receive with bad buffers\n");
    addr_t la;
    socklen_t llen;
    int l = listener(AF_INET, &la, &llen);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    MUST(connect(c, &la.sa, llen));
    int s = accept(l, NULL, NULL);
    MUST(s);
    MUST(fcntl(c, F_SETFL, O_NONBLOCK));
    /* nothing pending: the size is not looked at */
    gfill();
    SHOW(recv(c, G, (size_t)-1, 0));
    SHOW(recv(c, G, (size_t)-1 / 2, MSG_DONTWAIT));
    SHOW(read(c, G, 0x7fffffff));
    guard_at("buf", G, 0);
    SHOW(recv(c, NP, 10, MSG_DONTWAIT));
    SHOW(recv(c, NP, (size_t)-1, MSG_DONTWAIT));
    SHOW(send(s, "hello", 5, 0));
    wait_readable(c);
    struct iovec iov[2];
    struct msghdr m;
    SHOW(recv(c, NP, 10, 0));
    SHOW(recv(c, NP, 0, 0));
    SHOW(recv(c, G, 0, 0));
    SHOW(read(c, NP, 10));
    SHOW(recvfrom(c, NP, 10, 0, NULL, NULL));
    iov[0] = (struct iovec){NP, 10};
    SHOW(readv(c, iov, 1));
    SHOW(readv(c, NP, 1));
    SHOW(readv(c, iov, VNEG));
    SHOW(readv(c, iov, 1025));
    SHOW(readv(c, iov, 0));
    iov[0] = (struct iovec){G, (size_t)1 << (8 * sizeof(size_t) - 1)};
    SHOW(readv(c, iov, 1));
    SHOW(recvmsg(c, NP, 0));
    memset(&m, 0, sizeof m);
    m.msg_iov = NP;
    m.msg_iovlen = 1;
    SHOW(recvmsg(c, &m, 0));
    iov[0] = (struct iovec){G, 10};
    m.msg_iov = iov;
    m.msg_iovlen = 1025;
    SHOW(recvmsg(c, &m, 0));
    m.msg_iovlen = VNEG;
    SHOW(recvmsg(c, &m, 0));
    m.msg_iovlen = 0;
    SHOW(recvmsg(c, &m, 0));
    m.msg_iovlen = 1;
    m.msg_name = H;
    m.msg_namelen = (socklen_t)-1;
    SHOW(recvmsg(c, &m, 0));
    printf("-- all 5 bytes still pending?\n");
    gfill();
    SHOW(recv(c, G, 2, MSG_PEEK));
    show_bytes("peeked", 2);
    /* Linux receives first and fails on the address pointers after: the bytes are gone */
    gfill();
    show_bytes("recvfrom addrlen NULL", SHOW(recvfrom(c, G, 2, 0, (struct sockaddr *)H, NULL)));
    guard_at("addr", H, 0);
    socklen_t bad = (socklen_t)-1;
    gfill();
    show_bytes("recvfrom addrlen -1", SHOW(recvfrom(c, G, 1, 0, (struct sockaddr *)H, &bad)));
    guard_at("addr", H, 0);
    socklen_t alen = 16;
    gfill();
    show_bytes("recvfrom", SHOW(recvfrom(c, G, 1, 0, (struct sockaddr *)H, &alen)));
    printf("  addrlen %u\n", (unsigned)alen);
    guard_at("addr", H, 0);
    gfill();
    iov[0] = (struct iovec){G, 1};
    memset(&m, 0, sizeof m);
    m.msg_iov = iov;
    m.msg_iovlen = 1;
    m.msg_name = H;
    m.msg_namelen = 0x7fffffff;
    m.msg_control = NP;
    m.msg_controllen = 100;
    m.msg_flags = -1;
    show_bytes("recvmsg", SHOW(recvmsg(c, &m, 0)));
    printf("  namelen %u controllen %u flags %d\n", (unsigned)m.msg_namelen,
           (unsigned)m.msg_controllen, m.msg_flags);
    guard_at("name", H, 0);
    gfill();
    SHOW(recv(c, G, 10, 0));
    close(c);
    close(s);
    close(l);
}

static void sweep_recv_udp(void) {
    printf("== UDP receive with bad buffers\n");
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    addr_t a;
    socklen_t alen = loopback(&a, AF_INET, 0);
    MUST(bind(u, &a.sa, alen));
    MUST(getsockname(u, &a.sa, &alen));
    MUST(fcntl(u, F_SETFL, O_NONBLOCK));
    int t = socket(AF_INET, SOCK_DGRAM, 0);
    gfill();
    SHOW(recv(u, G, (size_t)-1, 0));
    SHOW(recv(u, NP, 0, 0));
    SHOW(recv(u, NP, 10, 0));
    SHOW(sendto(t, "dgram", 5, 0, &a.sa, alen));
    wait_readable(u);
    SHOW(recvmsg(u, NP, 0));
    struct msghdr m;
    struct iovec iov = {G, 10};
    memset(&m, 0, sizeof m);
    m.msg_iov = &iov;
    m.msg_iovlen = 1025;
    SHOW(recvmsg(u, &m, 0));
    m.msg_iovlen = 1;
    m.msg_name = H;
    m.msg_namelen = (socklen_t)-1;
    SHOW(recvmsg(u, &m, 0));
    gfill();
    SHOW(recv(u, G, 10, MSG_PEEK));
    show_bytes("still queued", 5);
    socklen_t l = 3;
    gfill();
    show_bytes("recvfrom addrlen 3", SHOW(recvfrom(u, G, 10, 0, (struct sockaddr *)H, &l)));
    printf("  addrlen%s\n", lenprop(l, sizeof(struct sockaddr_in)));
    guard_at("addr", H, 3);
    SHOW(sendto(t, "again", 5, 0, &a.sa, alen));
    wait_readable(u);
    gfill();
    m.msg_namelen = 0x7fffffff;
    show_bytes("recvmsg namelen 0x7fffffff", SHOW(recvmsg(u, &m, 0)));
    printf("  namelen%s\n", lenprop(m.msg_namelen, sizeof(struct sockaddr_in)));
    guard_at("name", H, sizeof(struct sockaddr_in));
    /* a datagram that meets a NULL buffer is dropped (Linux frees it after the failed copy) */
    SHOW(sendto(t, "third", 5, 0, &a.sa, alen));
    wait_readable(u);
    SHOW(recv(u, NP, 10, MSG_PEEK));
    SHOW(recv(u, NP, 10, 0));
    SHOW(recv(u, G, 10, 0));
    close(t);
    close(u);
}

/* ---------------------------------------------------------------------------------------- */
/* send side on TCP */

static void sweep_send_tcp(void) {
    printf("== TCP send with bad buffers\n");
    addr_t la;
    socklen_t llen;
    int l = listener(AF_INET, &la, &llen);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    MUST(connect(c, &la.sa, llen));
    int s = accept(l, NULL, NULL);
    MUST(s);
    struct iovec iov[2] = {{NP, 1}, {(void *)"b", 1}};
    SHOW(send(c, NP, 10, 0));
    SHOW(send(c, NP, (size_t)-1, 0));
    SHOW(send(c, NP, 0, 0));
    SHOW(write(c, NP, 10));
    SHOW(writev(c, iov, 1));
    SHOW(writev(c, NP, 1));
    SHOW(writev(c, iov, VNEG));
    SHOW(writev(c, iov, 1025));
    SHOW(writev(c, iov, 0));
    iov[0] = (struct iovec){(void *)"a", (size_t)1 << (8 * sizeof(size_t) - 1)};
    SHOW(writev(c, iov, 1));
    addr_t other;
    socklen_t olen = loopback(&other, AF_INET6, 9);
    SHOW(sendto(c, "1", 1, 0, &other.sa, olen));
    SHOW(sendto(c, "2", 1, 0, &other.sa, 1));
    SHOW(sendto(c, "3", 1, 0, &other.sa, 0x7fffffff));
    SHOW(sendto(c, "4", 1, 0, NP, 0x7fffffff));
    struct msghdr m;
    struct iovec one = {(void *)"5", 1};
    memset(&m, 0, sizeof m);
    m.msg_iov = &one;
    m.msg_iovlen = 1;
    m.msg_name = &other;
    m.msg_namelen = 1;
    SHOW(sendmsg(c, &m, 0));
    m.msg_namelen = (socklen_t)-1;
    SHOW(sendmsg(c, &m, 0));
    m.msg_namelen = 0;
    m.msg_iovlen = VNEG;
    SHOW(sendmsg(c, &m, 0));
    m.msg_iovlen = 0;
    SHOW(sendmsg(c, &m, 0));
    /* what arrived: exactly the successful sends, in order */
    sleep_ms(20);
    MUST(fcntl(s, F_SETFL, O_NONBLOCK));
    gfill();
    long n = recv(s, G, 100, 0);
    show_bytes("peer got", n);
    close(c);
    close(s);
    close(l);
}

/* ---------------------------------------------------------------------------------------- */
/* Options */

static void opt_lengths(const char *what, int fd, int level, int name) {
    printf("-- %s\n", what);
    socklen_t len;
    int v = 1;
    SHOW(getsockopt(fd, level, name, G, NP));
    len = 4;
    SHOW(getsockopt(fd, level, name, NP, &len));
    len = 0;
    SHOW(getsockopt(fd, level, name, NP, &len));
    printf("  len %u\n", (unsigned)len);
    len_t lens[] = {{"0", 0}, {"1", 1}, {"3", 3}, {"4", 4}, {"0x7fffffff", 0x7fffffff},
                    {"-1", (socklen_t)-1}};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        gfill();
        len = lens[i].len;
        printf("get len %s: ", lens[i].name);
        SHOW(getsockopt(fd, level, name, G, &len));
        printf("  len %u\n", (unsigned)len);
        guard_at("optval", G, lens[i].len < 4 ? lens[i].len : 4);
    }
    SHOW(setsockopt(fd, level, name, NP, 4));
    SHOW(setsockopt(fd, level, name, NP, 0));
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        printf("set len %s: ", lens[i].name);
        SHOW(setsockopt(fd, level, name, &v, lens[i].len));
    }
}

static void sweep_opts(void) {
    printf("== socket options\n");
    addr_t la;
    socklen_t llen;
    int l4 = listener(AF_INET, &la, &llen);
    int c4 = socket(AF_INET, SOCK_STREAM, 0);
    MUST(connect(c4, &la.sa, llen));
    int l6 = listener(AF_INET6, &la, &llen);
    int c6 = socket(AF_INET6, SOCK_STREAM, 0);
    MUST(connect(c6, &la.sa, llen));
    int u4 = socket(AF_INET, SOCK_DGRAM, 0);
    int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
    struct {
        const char *name;
        int fd;
    } socks[] = {{"TCP4", c4}, {"TCP6", c6}, {"UDP4", u4}, {"UDP6", u6}};
    struct {
        const char *name;
        int level;
    } levels[] = {{"SOL_SOCKET", SOL_SOCKET}, {"IPPROTO_TCP", IPPROTO_TCP},
                  {"IPPROTO_IP", IPPROTO_IP}, {"IPPROTO_IPV6", IPPROTO_IPV6},
                  {"IPPROTO_UDP", IPPROTO_UDP}, {"12345", 12345}, {"-1", -1}};
    int one = 1;
    for (size_t i = 0; i < 4; i++) {
        for (size_t j = 0; j < sizeof levels / sizeof levels[0]; j++) {
            int fd = socks[i].fd, level = levels[j].level;
            socklen_t len = 4;
            gfill();
            printf("%s %s unknown option: ", socks[i].name, levels[j].name);
            SHOW(getsockopt(fd, level, 9999, G, &len));
            guard_at("optval", G, 4);
            printf("%s %s unknown option: ", socks[i].name, levels[j].name);
            SHOW(setsockopt(fd, level, 9999, &one, sizeof one));
            printf("%s %s option -1: ", socks[i].name, levels[j].name);
            SHOW(setsockopt(fd, level, -1, &one, sizeof one));
        }
    }
    opt_lengths("TCP4 SO_TYPE", c4, SOL_SOCKET, SO_TYPE);
    opt_lengths("TCP4 SO_REUSEADDR", c4, SOL_SOCKET, SO_REUSEADDR);
    opt_lengths("TCP4 TCP_NODELAY", c4, IPPROTO_TCP, TCP_NODELAY);
    opt_lengths("TCP4 IP_TTL", c4, IPPROTO_IP, IP_TTL);
    opt_lengths("UDP4 IP_TTL", u4, IPPROTO_IP, IP_TTL);
    opt_lengths("TCP6 IPV6_UNICAST_HOPS", c6, IPPROTO_IPV6, IPV6_UNICAST_HOPS);
    opt_lengths("UDP6 SO_BROADCAST", u6, SOL_SOCKET, SO_BROADCAST);
    printf("-- wrong family levels\n");
    socklen_t len = 4;
    SHOW(getsockopt(c4, IPPROTO_IPV6, IPV6_UNICAST_HOPS, G, &len));
    len = 4;
    SHOW(getsockopt(u4, IPPROTO_IPV6, IPV6_V6ONLY, G, &len));
    SHOW(setsockopt(c4, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &one, sizeof one));
    SHOW(setsockopt(u4, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
    len = 4;
    SHOW(getsockopt(u4, IPPROTO_TCP, TCP_NODELAY, G, &len));
    len = 4;
    SHOW(getsockopt(u6, IPPROTO_TCP, TCP_NODELAY, G, &len));
    close(c4);
    close(c6);
    close(l4);
    close(l6);
    close(u4);
    close(u6);
}

/* ---------------------------------------------------------------------------------------- */
/* fcntl, ioctl, shutdown, fstat on sockets */

static void sweep_misc(void) {
    printf("== fcntl/ioctl/shutdown/fstat\n");
    addr_t la;
    socklen_t llen;
    int l = listener(AF_INET, &la, &llen);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    MUST(connect(c, &la.sa, llen));
    int s = accept(l, NULL, NULL);
    int t = socket(AF_INET, SOCK_STREAM, 0);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    SHOW(fcntl(c, 12345));
    SHOW(fcntl(c, -1));
    SHOW(fcntl(-1, 12345));
    SHOW(fcntl(5000, 12345));
    SHOW(ioctl(c, FIONREAD, NP));
    SHOW(ioctl(c, FIONBIO, NP));
    SHOW(ioctl(c, 0x7fff1234, NP));
    SHOW(ioctl(c, 0));
    SHOW(ioctl(-1, FIONREAD, NP));
    int fds[] = {c, t, u, l};
    const char *names[] = {"connected", "unconnected", "UDP", "listener"};
    /* values no ABI defines (wasi-libc numbers SHUT_* 1..3, Linux 0..2) */
    int hows[] = {-1, SHUT_RDWR + 1, 0x10, (int)0x80000000};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            printf("%s how %d: ", names[i], j);
            SHOW(shutdown(fds[i], hows[j]));
        }
    printf("-- unknown message flags (a bit no ABI defines)\n");
    SHOW(send(c, "x", 1, 0x00800000));
    sleep_ms(20);
    SHOW(recv(s, G, 10, 0x00800000 | MSG_DONTWAIT));
    SHOW(recv(s, G, 10, MSG_DONTWAIT));
    SHOW(send(u, "x", 1, 0x00800000));
    SHOW(fstat(c, NP));
    SHOW(fstat(-1, NP));
    SHOW(fstat(5000, NP));
    close(c);
    close(s);
    close(t);
    close(u);
    close(l);
}

/* ---------------------------------------------------------------------------------------- */
/* poll, ppoll, select, pselect */

static void sweep_poll(void) {
    printf("== poll/select arguments\n");
    int u = socket(AF_INET, SOCK_DGRAM, 0); /* always writable */
    static struct pollfd many[1100];
    for (int i = 0; i < 1100; i++) many[i] = (struct pollfd){-1, POLLIN, 0};
    struct pollfd p = {u, POLLOUT, 0};
    SHOW(poll(NP, 0, 0));
    SHOW(poll(NP, 1, 0));
    SHOW(poll(&p, 0xFFFFFFFFu, 0));
    SHOW(poll(&p, 0x80000000u, 0));
    SHOW(poll(many, 1100, 0));
    p.events = 0;
    SHOW(poll(&p, 1, 0));
    printf("  revents %s\n", ev(p.revents));
    p.fd = -5;
    p.events = POLLIN;
    SHOW(poll(&p, 1, 0));
    printf("  revents %s\n", ev(p.revents));
    struct timespec ts[] = {{-1, 0}, {0, -1}, {0, 1000000000}, {0, 0}};
    p = (struct pollfd){u, POLLOUT, 0};
    for (int i = 0; i < 4; i++) {
        printf("ppoll timespec %d: ", i);
        SHOW(ppoll(&p, 1, &ts[i], NULL));
    }
    SHOW(ppoll(NP, 1, &ts[3], NULL));
    SHOW(ppoll(&p, 0xFFFFFFFFu, &ts[3], NULL));
    SHOW(ppoll(&p, 0xFFFFFFFFu, &ts[0], NULL));
    struct timeval tvs[] = {{-1, 0}, {0, -1}, {0, 1000000}, {0, 1500000}, {1, -1000000}, {0, 0}};
    fd_set *ws = (fd_set *)H;
    for (int i = 0; i < 6; i++) {
        gfill();
        FD_ZERO(ws);
        FD_SET(u, ws);
        struct timeval tv = tvs[i];
        printf("select timeval %d: ", i);
        SHOW(select(u + 1, NULL, ws, NULL, &tv));
        guard_at("wr set", H, sizeof(fd_set));
    }
    struct timeval tv0 = {0, 0};
    SHOW(select(-1, NULL, NULL, NULL, &tv0));
    SHOW(select(-1, NULL, NULL, NULL, NULL));
    SHOW(select(0, NULL, NULL, NULL, &tv0));
    FD_ZERO(ws);
    FD_SET(u, ws);
    SHOW(select(5000, NULL, ws, NULL, &tv0));
    FD_ZERO(ws);
    FD_SET(u, ws);
    SHOW(select(0x7fffffff, NULL, ws, NULL, &tv0));
    FD_ZERO(ws);
    FD_SET(u, ws);
    SHOW(select(u, NULL, ws, NULL, &tv0)); /* u itself is not below nfds */
    int x = socket(AF_INET, SOCK_DGRAM, 0);
    close(x);
    FD_ZERO(ws);
    FD_SET(u, ws);
    FD_SET(x, ws);
    SHOW(select((u > x ? u : x) + 1, NULL, ws, NULL, &tv0));
    for (int i = 0; i < 4; i++) {
        FD_ZERO(ws);
        FD_SET(u, ws);
        printf("pselect timespec %d: ", i);
        SHOW(pselect(u + 1, NULL, ws, NULL, &ts[i], NULL));
    }
    SHOW(pselect(-1, NULL, NULL, NULL, &ts[3], NULL));
    close(u);
}

/* ---------------------------------------------------------------------------------------- */
/* Names */

static void gni_g(const char *label, const void *sa, socklen_t salen, size_t hostlen,
                  size_t servlen, int flags) {
    gfill();
    char *host = hostlen == (size_t)-1 ? NULL : (char *)G;
    char *serv = servlen == (size_t)-1 ? NULL : (char *)H;
    if (hostlen == (size_t)-1) hostlen = 0;
    if (servlen == (size_t)-1) servlen = 0;
    int r = getnameinfo(sa, salen, host, hostlen, serv, servlen, flags);
    printf("gni(%s) -> %s", label, r ? eainame(r) : "0");
    if (!r) printf(" host '%s' serv '%s'", host && hostlen ? host : "-", serv && servlen ? serv : "-");
    printf("\n");
    guard_at("host", G, hostlen);
    guard_at("serv", H, servlen);
}

static void sweep_netdb(void) {
    printf("== getnameinfo\n");
    struct sockaddr_in s4 = v4("127.0.0.1", 80);
    struct sockaddr_in6 s6;
    memset(&s6, 0, sizeof s6);
    s6.sin6_family = AF_INET6;
    s6.sin6_port = htons(80);
    s6.sin6_addr = in6addr_loopback;
    int NH = NI_NUMERICHOST | NI_NUMERICSERV;
    gni_g("v4 numeric 64/32", &s4, sizeof s4, 64, 32, NH);
    gni_g("v4 host 10 (fits)", &s4, sizeof s4, 10, (size_t)-1, NH);
    gni_g("v4 host 9", &s4, sizeof s4, 9, (size_t)-1, NH);
    gni_g("v4 host 1", &s4, sizeof s4, 1, (size_t)-1, NH);
    gni_g("v4 host 0", &s4, sizeof s4, 0, (size_t)-1, NH);
    gni_g("v4 serv 3 (fits)", &s4, sizeof s4, (size_t)-1, 3, NH);
    gni_g("v4 serv 2", &s4, sizeof s4, (size_t)-1, 2, NH);
    gni_g("v4 serv 0", &s4, sizeof s4, (size_t)-1, 0, NH);
    gni_g("v4 both NULL", &s4, sizeof s4, (size_t)-1, (size_t)-1, NH);
    gni_g("v4 both NULL NAMEREQD", &s4, sizeof s4, (size_t)-1, (size_t)-1, NI_NAMEREQD);
    gni_g("v4 both zero-length", &s4, sizeof s4, 0, 0, NH);
    gni_g("v4 name host 10", &s4, sizeof s4, 10, 32, 0);
    gni_g("v4 name host 9", &s4, sizeof s4, 9, 32, 0);
    gni_g("v4 serv name 4", &s4, sizeof s4, (size_t)-1, 4, 0);
    gni_g("v4 serv name 5", &s4, sizeof s4, (size_t)-1, 5, 0);
    gni_g("v6 host 4", &s6, sizeof s6, 4, 32, NH);
    gni_g("v6 host 3", &s6, sizeof s6, 3, 32, NH);
    gni_g("v4 salen sizeof-1", &s4, sizeof s4 - 1, 64, 32, NH);
    gni_g("v4 salen 1", &s4, 1, 64, 32, NH);
    gni_g("v4 salen 0", &s4, 0, 64, 32, NH);
    gni_g("v4 salen 0x7fffffff", &s4, 0x7fffffff, 64, 32, NH);
    gni_g("v6 salen sizeof-1", &s6, sizeof s6 - 1, 64, 32, NH);
    gni_g("v6 salen sizeof(v4)", &s6, sizeof s4, 64, 32, NH);
    gni_g("NULL sa", NULL, sizeof s4, 64, 32, NH);
    struct sockaddr_in bad = s4;
    bad.sin_family = 12345;
    gni_g("unknown family", &bad, sizeof bad, 64, 32, NH);
    bad.sin_family = AF_UNSPEC;
    gni_g("AF_UNSPEC", &bad, sizeof bad, 64, 32, NH);
    gni_g("unknown flag", &s4, sizeof s4, 64, 32, 0x40000000);
    gni_g("flags -1", &s4, sizeof s4, 64, 32, -1);

    printf("== getaddrinfo\n");
    gai("127.0.0.1", "80", 0x40000000, AF_INET, SOCK_STREAM, 0);
    gai("127.0.0.1", "80", -1, AF_INET, SOCK_STREAM, 0);
    gai("127.0.0.1", "80", 0, 12345, SOCK_STREAM, 0);
    gai("127.0.0.1", "80", 0, AF_UNIX, SOCK_STREAM, 0);
    gai("127.0.0.1", "80", 0, -1, SOCK_STREAM, 0);
    gai("127.0.0.1", "80", 0, AF_INET, 12345, 0);
    gai("127.0.0.1", "80", 0, AF_INET, -1, 0);
    gai("127.0.0.1", "80", 0, AF_INET, SOCK_DGRAM, IPPROTO_TCP);
    gai("127.0.0.1", "80", 0, AF_INET, 0, 12345);
    gai("127.0.0.1", "80", 0, AF_INET, 0, -1);
    gai(NULL, NULL, 0, AF_INET, SOCK_STREAM, 0);
    gai(NULL, "80", AI_CANONNAME, AF_INET, SOCK_STREAM, 0);
    gai("", "80", 0, AF_INET, SOCK_STREAM, 0);
    gai("127.0.0.1", "-1", 0, AF_INET, SOCK_STREAM, 0);
    gai("127.0.0.1", "80x", AI_NUMERICSERV, AF_INET, SOCK_STREAM, 0);
    gai("localhost", "80", AI_NUMERICHOST, AF_INET, SOCK_STREAM, 0);
    {
        /* POSIX wants the other hints fields zero; glibc ignores them */
        struct addrinfo h, *res = NULL;
        memset(&h, 0, sizeof h);
        h.ai_family = AF_INET;
        h.ai_socktype = SOCK_STREAM;
        h.ai_addrlen = 12345;
        h.ai_addr = (struct sockaddr *)G;
        h.ai_canonname = (char *)G;
        h.ai_next = (struct addrinfo *)G;
        int r = getaddrinfo("127.0.0.1", "80", &h, &res);
        printf("gai(garbage in other hints fields) -> %s\n", r ? eainame(r) : "0");
        if (!r) freeaddrinfo(res);
    }

    printf("== gethostbyaddr\n");
    struct in_addr lo4 = {htonl(INADDR_LOOPBACK)};
    struct {
        const char *label;
        socklen_t len;
        int type;
    } cases[] = {{"v4 len 4", 4, AF_INET},       {"v4 len 3", 3, AF_INET},
                 {"v4 len 0", 0, AF_INET},       {"v4 len 16", 16, AF_INET},
                 {"v6 len 4", 4, AF_INET6},      {"v6 len 15", 15, AF_INET6},
                 {"family 12345", 4, 12345},     {"AF_UNSPEC", 4, AF_UNSPEC},
                 {"family -1", 4, -1}};
    unsigned char abuf[16];
    memset(abuf, 0, sizeof abuf);
    memcpy(abuf, &lo4, 4);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        errno = 0;
        h_errno = 0;
        struct hostent *he = gethostbyaddr(abuf, cases[i].len, cases[i].type);
        if (he)
            printf("gethostbyaddr(%s) -> %s length %d\n", cases[i].label, he->h_name, he->h_length);
        else
            printf("gethostbyaddr(%s) -> NULL h_errno %d errno %s\n", cases[i].label, h_errno,
                   errno ? errname(errno) : "0");
    }
}

int main(void) {
    test_setup();
    ml = listener(AF_INET, &mla, &mlen);
    usink = socket(AF_INET, SOCK_DGRAM, 0);
    uslen = loopback(&usa, AF_INET, 0);
    MUST(bind(usink, &usa.sa, uslen));
    MUST(getsockname(usink, &usa.sa, &uslen));

    for (int k = 0; k < NK; k++) sweep_kind(k);
    sweep_socket();
    sweep_addr_args(AF_INET);
    sweep_addr_args(AF_INET6);
    sweep_accept(AF_INET);
    sweep_accept(AF_INET6);
    sweep_names(AF_INET);
    sweep_names(AF_INET6);
    sweep_recv_tcp();
    sweep_recv_udp();
    sweep_send_tcp();
    sweep_opts();
    sweep_misc();
    sweep_poll();
    sweep_netdb();
    close(usink);
    close(ml);
    unlink("badinput.tmp");
    printf("done\n");
    return 0;
}
