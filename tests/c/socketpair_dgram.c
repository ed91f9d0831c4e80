/* socketpair(AF_UNIX, SOCK_DGRAM) and (AF_UNIX, SOCK_SEQPACKET), without network access:
 * record boundaries, empty records, truncation (MSG_TRUNC as a flag and in msg_flags),
 * MSG_PEEK, FIONREAD, the largest datagram (EMSGSIZE), capacity, shutdown (which a datagram
 * pair does not pass to its peer), and the peer's close: a datagram socket gets ECONNREFUSED
 * once and is then disconnected; a sequenced-packet one sees end of stream and EPIPE. */
//! wasmtime:
#include "t.h"
#include <sys/un.h>

static void pl(const char *what, int fd) {
    struct pollfd p = {fd, POLLIN | POLLOUT | POLLRDHUP | POLLWRBAND, 0};
    int n = poll(&p, 1, 0);
    printf("poll %s: %d %s%s%s\n", what, n, ev(p.revents), p.revents & POLLRDHUP ? "RDHUP " : "",
           p.revents & POLLWRBAND ? "WRBAND " : "");
}

static int opt(int fd, int name) {
    int v = -1;
    socklen_t l = sizeof v;
    if (getsockopt(fd, SOL_SOCKET, name, &v, &l) < 0) return -errno;
    return v;
}

static void records(int type, const char *tn) {
    int sv[2], n;
    char buf[64];
    printf("-- %s: records\n", tn);
    MUST(socketpair(AF_UNIX, type, 0, sv));
    printf("SO_TYPE right %d, SO_DOMAIN unix %d, SO_PROTOCOL %d\n", opt(sv[0], SO_TYPE) == type,
           opt(sv[0], SO_DOMAIN) == AF_UNIX, opt(sv[0], SO_PROTOCOL));
    pl("fresh", sv[0]);
    SHOW(send(sv[0], "hello", 5, 0));
    SHOW(send(sv[0], "", 0, 0));
    SHOW(write(sv[0], "world!", 6));
    struct iovec w[2] = {{"ab", 2}, {"cd", 2}};
    SHOW(writev(sv[0], w, 2));
    SHOW(ioctl(sv[1], FIONREAD, &n));
    printf("FIONREAD %d\n", n);
    SHOW(recv(sv[1], buf, 2, MSG_PEEK));
    SHOW(recv(sv[1], buf, 2, MSG_PEEK | MSG_TRUNC));
    struct iovec iv = {buf, 3};
    struct msghdr m = {0};
    m.msg_iov = &iv;
    m.msg_iovlen = 1;
    memset(buf, 0, sizeof buf);
    SHOW(recvmsg(sv[1], &m, 0));
    printf("\"%s\" MSG_TRUNC %d, namelen %d\n", buf, !!(m.msg_flags & MSG_TRUNC), (int)m.msg_namelen);
    SHOW(recv(sv[1], buf, sizeof buf, 0));
    SHOW(recv(sv[1], buf, 2, MSG_TRUNC));
    SHOW(ioctl(sv[1], FIONREAD, &n));
    printf("FIONREAD %d\n", n);
    memset(buf, 0, sizeof buf);
    SHOW(recv(sv[1], buf, sizeof buf, MSG_WAITALL));
    printf("\"%s\"\n", buf);
    SHOW(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
    SHOW(send(sv[0], "oob", 3, MSG_OOB));
    SHOW(recv(sv[1], buf, sizeof buf, MSG_OOB));
    SHOW(send(sv[0], "e", 1, MSG_EOR | MSG_MORE | MSG_CONFIRM | MSG_FASTOPEN | 0x00800000));
    SHOW(recv(sv[1], buf, sizeof buf, MSG_ERRQUEUE | 0x00800000));
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    strcpy(un.sun_path, "/nonexistent/wsp-socketpair-dgram");
    SHOW(sendto(sv[0], "x", 1, 0, (struct sockaddr *)&un, sizeof un));
    SHOW(sendto(sv[0], "y", 1, 0, (struct sockaddr *)&un, 0));
    SHOW(sendto(sv[0], "z", 1, 0, (struct sockaddr *)&un, 1));
    socklen_t fl = sizeof un;
    while (recvfrom(sv[1], buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&un, &fl) >= 0)
        printf("got '%c', addrlen %d\n", buf[0], (int)fl);
    static char big[300000];
    SHOW(send(sv[0], big, 212992 - 32, 0));
    SHOW(send(sv[0], big, 212992 - 31, 0));
    SHOW(recv(sv[1], big, sizeof big, 0));
    SHOW(recv(sv[1], big, sizeof big, MSG_DONTWAIT));
    close(sv[0]);
    close(sv[1]);
}

static void capacity(int type, const char *tn) {
    int sv[2];
    static char big[70000];
    printf("-- %s: capacity\n", tn);
    MUST(socketpair(AF_UNIX, type | SOCK_NONBLOCK, 0, sv));
    int sends = 0;
    while (send(sv[0], big, 1000, 0) == 1000) sends++;
    printf("1000-byte records until %s: between 80 and 100: %d\n", errname(errno), sends > 80 && sends < 100);
    pl("full, writer", sv[0]);
    int got = 0;
    while (recv(sv[1], big, sizeof big, 0) == 1000) got++;
    printf("all received: %d\n", got == sends);
    pl("drained, writer", sv[0]);
    sends = 0;
    while (send(sv[0], big, 65536, 0) == 65536) sends++;
    printf("64 KiB records until EAGAIN: %d\n", sends);
    close(sv[0]);
    close(sv[1]);
}

static void shutdowns(int type, const char *tn) {
    int sv[2];
    char buf[16];
    printf("-- %s: shutdown\n", tn);
    MUST(socketpair(AF_UNIX, type | SOCK_NONBLOCK, 0, sv));
    SHOW(shutdown(sv[0], SHUT_WR));
    pl("after SHUT_WR", sv[0]);
    pl("peer of SHUT_WR", sv[1]);
    SHOW(send(sv[0], "x", 1, 0));
    SHOW(recv(sv[1], buf, sizeof buf, 0));
    SHOW(send(sv[1], "y", 1, 0));
    SHOW(recv(sv[0], buf, sizeof buf, 0));
    SHOW(shutdown(sv[0], SHUT_RD));
    pl("after SHUT_RD too", sv[0]);
    pl("peer of both", sv[1]);
    SHOW(send(sv[1], "y", 1, 0));
    SHOW(recv(sv[0], buf, sizeof buf, 0));
    SHOW(fcntl(sv[0], F_SETFL, 0));
    SHOW(recv(sv[0], buf, sizeof buf, 0));
    close(sv[0]);
    close(sv[1]);
}

static void closes(int type, const char *tn) {
    int sv[2], v;
    char buf[16];
    socklen_t l = sizeof v;
    printf("-- %s: the peer closes\n", tn);
    MUST(socketpair(AF_UNIX, type | SOCK_NONBLOCK, 0, sv));
    SHOW(send(sv[1], "last", 4, 0));
    SHOW(send(sv[0], "unread", 6, 0));
    SHOW(close(sv[1]));
    pl("peer closed", sv[0]);
    struct sockaddr_un un;
    socklen_t ul = sizeof un;
    SHOW(getpeername(sv[0], (struct sockaddr *)&un, &ul));
    SHOW(recv(sv[0], buf, sizeof buf, 0));
    SHOW(recv(sv[0], buf, sizeof buf, 0));
    SHOW(send(sv[0], "x", 1, 0));
    SHOW(send(sv[0], "x", 1, 0));
    SHOW(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &l));
    printf("SO_ERROR %s\n", v ? errname(v) : "0");
    ul = sizeof un;
    SHOW(getpeername(sv[0], (struct sockaddr *)&un, &ul));
    pl("later", sv[0]);
    close(sv[0]);

    MUST(socketpair(AF_UNIX, type | SOCK_NONBLOCK, 0, sv));
    SHOW(close(sv[1]));
    SHOW(recv(sv[0], buf, sizeof buf, 0));
    SHOW(write(sv[0], "x", 1));
    SHOW(write(sv[0], "x", 1));
    close(sv[0]);
}

int main(void) {
    test_setup();
    records(SOCK_DGRAM, "dgram");
    records(SOCK_SEQPACKET, "seqpacket");
    capacity(SOCK_DGRAM, "dgram");
    capacity(SOCK_SEQPACKET, "seqpacket");
    shutdowns(SOCK_DGRAM, "dgram");
    shutdowns(SOCK_SEQPACKET, "seqpacket");
    closes(SOCK_DGRAM, "dgram");
    closes(SOCK_SEQPACKET, "seqpacket");
    printf("done\n");
    return 0;
}
