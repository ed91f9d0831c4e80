//! wasmtime: -S inherit-network --dir .
/* Pointer arguments outside memory: every exported call that Linux serves with a system call,
 * each pointer argument in turn set to FAR (an address near the top of the address space:
 * natively a kernel address, under wasm32 past the end of linear memory), on every kind of
 * descriptor, as Linux answers (EFAULT, or an earlier error; never a crash). Calls that libc
 * serves in user space crash natively on such a pointer, so they are not here: getaddrinfo,
 * getnameinfo, gethostbyname, gethostbyaddr, getservbyname, getservbyport, inet_addr,
 * if_nametoindex, if_indextoname, gethostname, getifaddrs, and the timeouts of select, pselect
 * and ppoll (glibc reads or copies them itself). Buffers with a length are given 32 bytes at
 * FAR, which run past the end of the address space on both targets. Where a call consumes
 * something before it faults (a connection, a datagram), what is left is shown too, and where
 * Linux stores a length before the fault, whether it did. */
#include "t.h"
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

static void *volatile FARP = (void *)(~(uintptr_t)0 - 16);
#define FAR ((void *)FARP)

enum { K_NEG, K_FILE, K_TCP, K_LISTEN, K_CONN, K_UDP, K_UNIX, K_UDGRAM, NK };
static const char *kname[NK] = {"-1",  "file",
                                "TCP", "listener",
                                "connected TCP", "UDP",
                                "AF_UNIX stream pair", "AF_UNIX datagram pair"};

static int peer = -1; /* the other end of a K_LISTEN, K_CONN, K_UNIX or K_UDGRAM descriptor */
static int closed_by_call;

static void wait_in(int fd) {
    struct pollfd p = {fd, POLLIN, 0};
    MUST(poll(&p, 1, 2000));
}

static int get(int k) {
    addr_t a;
    socklen_t len;
    int fd, sv[2];
    closed_by_call = 0;
    switch (k) {
    case K_NEG: return -1;
    case K_FILE:
        fd = open("badptr.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
        MUST(fd);
        MUST(write(fd, "0123456789", 10));
        MUST(lseek(fd, 0, SEEK_SET));
        return fd;
    case K_TCP:
        fd = socket(AF_INET, SOCK_STREAM, 0);
        MUST(fd);
        return fd;
    case K_LISTEN: /* with one connection waiting */
        fd = listener(AF_INET, &a, &len);
        MUST(fcntl(fd, F_SETFL, O_NONBLOCK));
        peer = socket(AF_INET, SOCK_STREAM, 0);
        MUST(peer);
        MUST(connect(peer, &a.sa, len));
        wait_in(fd);
        return fd;
    case K_CONN: { /* with "hello" waiting */
        int l = listener(AF_INET, &a, &len);
        fd = socket(AF_INET, SOCK_STREAM, 0);
        MUST(fd);
        MUST(connect(fd, &a.sa, len));
        peer = accept(l, NULL, NULL);
        MUST(peer);
        MUST(close(l));
        MUST(send(peer, "hello", 5, 0));
        MUST(fcntl(fd, F_SETFL, O_NONBLOCK));
        wait_in(fd);
        return fd;
    }
    case K_UDP: /* connected to itself, with "hello" waiting */
        fd = socket(AF_INET, SOCK_DGRAM, 0);
        MUST(fd);
        len = loopback(&a, AF_INET, 0);
        MUST(bind(fd, &a.sa, len));
        MUST(getsockname(fd, &a.sa, &len));
        MUST(connect(fd, &a.sa, len));
        MUST(send(fd, "hello", 5, 0));
        MUST(fcntl(fd, F_SETFL, O_NONBLOCK));
        wait_in(fd);
        return fd;
    case K_UNIX:
    case K_UDGRAM:
        MUST(socketpair(AF_UNIX, (k == K_UNIX ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK, 0,
                        sv));
        peer = sv[1];
        MUST(send(peer, "hello", 5, 0));
        wait_in(sv[0]);
        return sv[0];
    }
    return -1;
}

static void put(int k, int fd) {
    if (k != K_NEG && !closed_by_call) MUST(close(fd));
    if (peer >= 0) MUST(close(peer));
    peer = -1;
}

/* What a call left behind: the connection still waiting, or the bytes still to read. */
static void left(int k, int fd) {
    char b[64];
    if (k == K_LISTEN) {
        int c = accept(fd, NULL, NULL);
        printf("  then accept -> %s\n", c >= 0 ? "ok" : errname(errno));
        if (c >= 0) close(c);
    } else if (k >= K_CONN) {
        errno = 0;
        long n = recv(fd, b, sizeof b, MSG_DONTWAIT);
        if (n < 0)
            printf("  then recv -> %s\n", errname(errno));
        else
            printf("  then recv -> %ld\n", n);
    }
}

static void sweep(int k) {
    printf("== %s\n", kname[k]);
    addr_t a, lo;
    socklen_t lolen = loopback(&lo, AF_INET, 0);
    socklen_t len;
    int v;
    char b[64];
    struct iovec iov = {b, sizeof b}, wiov = {(void *)"x", 1}, fariov = {FAR, 32};
    struct msghdr m;
    struct mmsghdr mm;
#define ONE(...)                                                                              \
    do {                                                                                      \
        int fd = get(k);                                                                      \
        printf("[%s] ", kname[k]);                                                            \
        __VA_ARGS__;                                                                          \
        put(k, fd);                                                                           \
    } while (0)
#define THEN(...) ONE(__VA_ARGS__; left(k, fd))
#define MSGHDR(name, namelen, iov_, iovlen, control, controllen)                              \
    (memset(&m, 0, sizeof m), m.msg_name = (name), m.msg_namelen = (namelen),                 \
     m.msg_iov = (iov_), m.msg_iovlen = (iovlen), m.msg_control = (control),                  \
     m.msg_controllen = (controllen), m.msg_flags = 0x5a5a, &m)

    /* addresses in */
    ONE(SHOW(bind(fd, FAR, lolen)));
    ONE(SHOW(bind(fd, FAR, sizeof(struct sockaddr_in6))));
    ONE(SHOW(connect(fd, FAR, lolen)));
    ONE(SHOW(sendto(fd, "x", 1, MSG_DONTWAIT, FAR, lolen)));
    ONE(SHOW(sendmsg(fd, MSGHDR(FAR, lolen, &wiov, 1, NULL, 0), MSG_DONTWAIT)));

    /* addresses out */
    THEN(len = sizeof a; SHOW(accept(fd, FAR, &len));
         printf("  len %s\n", len == sizeof a ? "kept" : "changed"));
    THEN(SHOW(accept(fd, &a.sa, FAR)));
    THEN(int c = OK(accept(fd, NULL, FAR)); if (c >= 0) close(c));
    THEN(len = sizeof a; SHOW(accept4(fd, FAR, &len, SOCK_NONBLOCK)));
    THEN(SHOW(accept4(fd, &a.sa, FAR, 0)));
    ONE(len = sizeof a; SHOW(getsockname(fd, FAR, &len));
        printf("  len %s\n", len == sizeof a ? "kept" : "changed"));
    ONE(SHOW(getsockname(fd, &a.sa, FAR)));
    ONE(len = 0; SHOW(getsockname(fd, FAR, &len)));
    ONE(len = sizeof a; SHOW(getpeername(fd, FAR, &len));
        printf("  len %s\n", len == sizeof a ? "kept" : "changed"));
    ONE(SHOW(getpeername(fd, &a.sa, FAR)));
    THEN(len = sizeof a; SHOW(recvfrom(fd, b, sizeof b, MSG_DONTWAIT, FAR, &len));
         printf("  len %s\n", len == sizeof a ? "kept" : len == 0 ? "0" : "changed"));
    THEN(SHOW(recvfrom(fd, b, sizeof b, MSG_DONTWAIT, &a.sa, FAR)));
    THEN(SHOW(recvfrom(fd, b, sizeof b, MSG_DONTWAIT, NULL, FAR)));
    THEN(SHOW(recvmsg(fd, MSGHDR(FAR, sizeof a, &iov, 1, NULL, 0), MSG_DONTWAIT));
         printf("  namelen %s, flags %s\n",
                m.msg_namelen == sizeof a ? "kept" : m.msg_namelen == 0 ? "0" : "changed",
                m.msg_flags == 0x5a5a ? "kept" : "changed"));

    /* data buffers */
    THEN(SHOW(recv(fd, FAR, 32, MSG_DONTWAIT)));
    THEN(len = sizeof a; SHOW(recvfrom(fd, FAR, 32, MSG_DONTWAIT, &a.sa, &len)));
    THEN(SHOW(read(fd, FAR, 32)));
    ONE(SHOW(send(fd, FAR, 32, MSG_DONTWAIT)));
    ONE(SHOW(sendto(fd, FAR, 32, MSG_DONTWAIT, &lo.sa, lolen)));
    ONE(SHOW(write(fd, FAR, 32)));

    /* iovec arrays and message headers */
    THEN(SHOW(readv(fd, FAR, 1)));
    ONE(SHOW(writev(fd, FAR, 1)));
    THEN(SHOW(readv(fd, &fariov, 1)));
    ONE(SHOW(writev(fd, &fariov, 1)));
    THEN(SHOW(recvmsg(fd, FAR, MSG_DONTWAIT)));
    ONE(SHOW(sendmsg(fd, FAR, MSG_DONTWAIT)));
    THEN(SHOW(recvmsg(fd, MSGHDR(NULL, 0, FAR, 1, NULL, 0), MSG_DONTWAIT)));
    ONE(SHOW(sendmsg(fd, MSGHDR(NULL, 0, FAR, 1, NULL, 0), MSG_DONTWAIT)));
    THEN(SHOW(recvmsg(fd, MSGHDR(NULL, 0, &fariov, 1, NULL, 0), MSG_DONTWAIT)));
    ONE(SHOW(sendmsg(fd, MSGHDR(NULL, 0, &fariov, 1, NULL, 0), MSG_DONTWAIT)));
    THEN(SHOW(recvmsg(fd, MSGHDR(NULL, 0, &iov, 1, FAR, 32), MSG_DONTWAIT));
         printf("  flags %s\n", m.msg_flags == 0x5a5a ? "kept" : "changed"));
    ONE(SHOW(sendmsg(fd, MSGHDR(NULL, 0, &wiov, 1, FAR, 32), MSG_DONTWAIT)));
    THEN(SHOW(recvmmsg(fd, FAR, 1, MSG_DONTWAIT, NULL)));
    ONE(SHOW(sendmmsg(fd, FAR, 1, MSG_DONTWAIT)));
    THEN(memset(&mm, 0, sizeof mm); mm.msg_hdr.msg_iov = &iov; mm.msg_hdr.msg_iovlen = 1;
         SHOW(recvmmsg(fd, &mm, 1, MSG_DONTWAIT, FAR)));
    THEN(memset(&mm, 0, sizeof mm); mm.msg_hdr.msg_iov = &iov; mm.msg_hdr.msg_iovlen = 1;
         mm.msg_hdr.msg_name = FAR; mm.msg_hdr.msg_namelen = sizeof a;
         SHOW(recvmmsg(fd, &mm, 1, MSG_DONTWAIT, NULL)));
    ONE(memset(&mm, 0, sizeof mm); mm.msg_hdr.msg_iov = &wiov; mm.msg_hdr.msg_iovlen = 1;
        mm.msg_hdr.msg_name = FAR; mm.msg_hdr.msg_namelen = lolen;
        SHOW(sendmmsg(fd, &mm, 1, MSG_DONTWAIT)));

    /* option values */
    ONE(len = 8; SHOW(getsockopt(fd, SOL_SOCKET, SO_TYPE, FAR, &len));
        printf("  optlen %u\n", (unsigned)len));
    ONE(SHOW(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, FAR)));
    ONE(len = 8; SHOW(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, FAR, &len));
        printf("  optlen %u\n", (unsigned)len));
    ONE(len = sizeof(struct timeval); SHOW(getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, FAR, &len));
        printf("  optlen %s\n", len == sizeof(struct timeval) ? "kept" : "changed"));
    ONE(len = 8; SHOW(getsockopt(fd, SOL_SOCKET, 12345, FAR, &len)));
    ONE(SHOW(getsockopt(fd, SOL_SOCKET, 12345, &v, FAR)));
    ONE(SHOW(getsockopt(fd, 999, 1, &v, FAR)));
    ONE(len = 8; SHOW(getsockopt(fd, SOL_SOCKET, SO_LINGER, FAR, &len));
        printf("  optlen %u\n", (unsigned)len));
    ONE(len = 8; SHOW(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, FAR, &len));
        printf("  optlen %u\n", (unsigned)len));
    ONE(SHOW(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, FAR)));
    ONE(len = 16; SHOW(getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, FAR, &len));
        printf("  optlen %u\n", (unsigned)len));
    ONE(len = 8; SHOW(getsockopt(fd, IPPROTO_IP, IP_TTL, FAR, &len));
        printf("  optlen %u\n", (unsigned)len));
    ONE(len = 2; SHOW(getsockopt(fd, IPPROTO_IP, IP_TTL, FAR, &len));
        printf("  optlen %u\n", (unsigned)len));
    ONE(SHOW(getsockopt(fd, IPPROTO_IP, IP_TTL, &v, FAR)));
    ONE(len = 8; SHOW(getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, FAR, &len));
        printf("  optlen %u\n", (unsigned)len));
    ONE(SHOW(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, FAR, sizeof(int))));
    ONE(SHOW(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, FAR, sizeof(struct timeval))));
    ONE(SHOW(setsockopt(fd, SOL_SOCKET, 12345, FAR, sizeof(int))));
    ONE(SHOW(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, FAR, sizeof(int))));
    ONE(SHOW(setsockopt(fd, IPPROTO_IP, IP_TTL, FAR, sizeof(int))));
    ONE(SHOW(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, FAR, sizeof(int))));

    /* descriptor calls */
    ONE(SHOW(ioctl(fd, FIONREAD, FAR)));
    ONE(SHOW(ioctl(fd, FIONBIO, FAR)));
    ONE(SHOW(fstat(fd, FAR)));
    ONE(SHOW(sendfile(fd, fd, FAR, 1)));
#undef ONE
#undef THEN
}

/* poll, select and epoll over a socket with data waiting (so something is to be written). */
static void waits(void) {
    printf("== waits\n");
    int sv[2];
    MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    MUST(send(sv[1], "x", 1, 0));
    int fd = sv[0];
    struct pollfd p = {fd, POLLIN, 0};
    struct timespec ts0 = {0, 0};
    struct timeval tv0 = {0, 0};
    fd_set rs;

    SHOW(poll(FAR, 1, 0));
    SHOW(poll(FAR, 0, 0));
    SHOW(ppoll(FAR, 1, &ts0, NULL));
    SHOW(ppoll(&p, 1, &ts0, FAR));
    SHOW(ppoll(&p, 1, NULL, FAR));
    SHOW(ppoll(FAR, 0, &ts0, FAR));

    tv0 = (struct timeval){0, 0};
    SHOW(select(fd + 1, FAR, NULL, NULL, &tv0));
    tv0 = (struct timeval){0, 0};
    SHOW(select(fd + 1, NULL, FAR, NULL, &tv0));
    tv0 = (struct timeval){0, 0};
    SHOW(select(fd + 1, NULL, NULL, FAR, &tv0));
    tv0 = (struct timeval){0, 0};
    SHOW(select(0, FAR, FAR, FAR, &tv0));
    tv0 = (struct timeval){0, 0};
    SHOW(select(-1, FAR, NULL, NULL, &tv0));
    SHOW(pselect(fd + 1, FAR, NULL, NULL, &ts0, NULL));
    FD_ZERO(&rs);
    FD_SET(fd, &rs);
    SHOW(pselect(fd + 1, &rs, NULL, NULL, &ts0, FAR));
    FD_ZERO(&rs);
    FD_SET(fd, &rs);
    SHOW(pselect(-1, &rs, NULL, NULL, &ts0, FAR));
    FD_ZERO(&rs);
    FD_SET(fd, &rs);
    SHOW(pselect(fd + 1, &rs, NULL, NULL, NULL, FAR));

    int ep = epoll_create1(0);
    MUST(ep);
    struct epoll_event e = {EPOLLIN, {0}}, out[2];
    SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, fd, FAR));
    SHOW(epoll_ctl(ep, EPOLL_CTL_MOD, fd, FAR));
    SHOW(epoll_ctl(ep, EPOLL_CTL_DEL, fd, FAR));
    SHOW(epoll_ctl(-1, EPOLL_CTL_ADD, fd, FAR));
    MUST(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e));
    SHOW(epoll_wait(ep, FAR, 1, 0));
    SHOW(epoll_wait(-1, FAR, 1, 0));
    SHOW(epoll_pwait(ep, FAR, 1, 0, NULL));
    SHOW(epoll_pwait(ep, out, 1, 0, FAR));
    SHOW(epoll_pwait(-1, out, 1, 0, FAR));
    SHOW(epoll_pwait(ep, out, 0, 0, FAR));
    SHOW(epoll_pwait2(ep, out, 1, FAR, NULL));
    SHOW(epoll_pwait2(ep, out, 1, &ts0, FAR));
    SHOW(epoll_pwait2(ep, out, 1, NULL, FAR));
    SHOW(epoll_pwait2(-1, out, 1, &ts0, FAR));
    SHOW(epoll_pwait2(ep, FAR, 1, &ts0, NULL));
    SHOW(epoll_wait(ep, out, 2, 0));
    close(ep);
    close(sv[0]);
    close(sv[1]);
}

/* A named AF_UNIX listener, IPv6 options, descriptors passed into a control buffer outside
 * memory. */
static void more_sockets(void) {
    printf("== AF_UNIX listener\n");
    struct sockaddr_un ua, ub;
    socklen_t ul, len;
    int v;
    int l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    MUST(l);
    memset(&ua, 0, sizeof ua);
    ua.sun_family = AF_UNIX;
    MUST(bind(l, (struct sockaddr *)&ua, sizeof(sa_family_t))); /* autobind */
    MUST(listen(l, 4));
    ul = sizeof ua;
    MUST(getsockname(l, (struct sockaddr *)&ua, &ul));
    int c1 = socket(AF_UNIX, SOCK_STREAM, 0), c2 = socket(AF_UNIX, SOCK_STREAM, 0);
    MUST(connect(c1, (struct sockaddr *)&ua, ul));
    MUST(connect(c2, (struct sockaddr *)&ua, ul));
    len = sizeof ub;
    SHOW(accept(l, FAR, &len));
    printf("  len %s\n", len == sizeof ub ? "kept" : "changed");
    SHOW(accept4(l, (struct sockaddr *)&ub, FAR, SOCK_NONBLOCK));
    int c3 = OK(accept(l, NULL, NULL));
    if (c3 >= 0) close(c3);
    len = sizeof ub;
    SHOW(getsockname(l, FAR, &len));
    printf("  len %s\n", len == sizeof ub ? "kept" : "changed");
    len = sizeof ub;
    SHOW(getpeername(c1, FAR, &len));
    printf("  len %s\n", len == sizeof ub ? "kept" : "changed");
    SHOW(getpeername(c1, (struct sockaddr *)&ub, FAR));
    SHOW(connect(c1, FAR, ul));
    SHOW(bind(c1, FAR, ul));
    close(c1);
    close(c2);
    close(l);

    printf("== SCM_RIGHTS into a control buffer outside memory\n");
    int sv[2];
    MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    int passed = socket(AF_INET, SOCK_STREAM, 0);
    MUST(passed);
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    memset(&ctl, 0, sizeof ctl);
    char byte = 'x';
    struct iovec one = {&byte, 1};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = &one;
    m.msg_iovlen = 1;
    m.msg_control = ctl.buf;
    m.msg_controllen = sizeof ctl.buf;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &passed, sizeof passed);
    MUST(sendmsg(sv[1], &m, 0));
    close(passed);
    int probe = socket(AF_INET, SOCK_STREAM, 0);
    close(probe);
    memset(&m, 0, sizeof m);
    m.msg_iov = &one;
    m.msg_iovlen = 1;
    m.msg_control = FAR;
    m.msg_controllen = CMSG_SPACE(sizeof(int));
    SHOW(recvmsg(sv[0], &m, 0));
    printf("  MSG_CTRUNC %s, controllen %u\n", m.msg_flags & MSG_CTRUNC ? "set" : "clear",
           (unsigned)m.msg_controllen);
    int next = socket(AF_INET, SOCK_STREAM, 0);
    printf("  descriptor installed: %s\n", next == probe ? "no" : "yes");
    close(next);
    /* a control buffer outside memory on send */
    memset(&m, 0, sizeof m);
    m.msg_iov = &one;
    m.msg_iovlen = 1;
    m.msg_control = FAR;
    m.msg_controllen = CMSG_SPACE(sizeof(int));
    SHOW(sendmsg(sv[1], &m, 0));
    close(sv[0]);
    close(sv[1]);

    printf("== IPv6\n");
    int s6 = socket(AF_INET6, SOCK_STREAM, 0);
    MUST(s6);
    len = 8;
    SHOW(getsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, FAR, &len));
    printf("  optlen %u\n", (unsigned)len);
    SHOW(getsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, &v, FAR));
    SHOW(setsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, FAR, sizeof v));
    SHOW(bind(s6, FAR, sizeof(struct sockaddr_in6)));
    SHOW(connect(s6, FAR, sizeof(struct sockaddr_in6)));
    len = sizeof(struct sockaddr_in6);
    SHOW(getsockname(s6, FAR, &len));
    printf("  len %s\n", len == sizeof(struct sockaddr_in6) ? "== sizeof" : "other");
    close(s6);
}

static void others(void) {
    printf("== pairs, pipes, limits\n");
    SHOW(socketpair(AF_UNIX, SOCK_STREAM, 0, FAR));
    SHOW(socketpair(AF_UNIX, SOCK_DGRAM, 0, FAR));
    SHOW(socketpair(AF_INET, SOCK_STREAM, 0, FAR));
    SHOW(socketpair(AF_UNIX, SOCK_STREAM | 0x40000000, 0, FAR));
    SHOW(pipe(FAR));
    SHOW(pipe2(FAR, 0));
    SHOW(pipe2(FAR, 0x40000000));
    SHOW(getrlimit(RLIMIT_NOFILE, FAR));
    SHOW(getrlimit(RLIMIT_CPU, FAR));
    SHOW(getrlimit(-1, FAR));
    SHOW(setrlimit(RLIMIT_NOFILE, FAR));
    SHOW(setrlimit(RLIMIT_CPU, FAR));
    SHOW(setrlimit(-1, FAR));
    /* nothing above took a descriptor */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int fd2 = socket(AF_INET, SOCK_STREAM, 0);
    printf("next descriptors %s\n", fd2 == fd + 1 ? "consecutive" : "apart");
    close(fd);
    close(fd2);
}

int main(void) {
    test_setup();
    for (int k = 0; k < NK; k++) sweep(k);
    waits();
    more_sockets();
    others();
    unlink("badptr.tmp");
    return 0;
}
