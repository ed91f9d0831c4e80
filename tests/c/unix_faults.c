/* Buffers that fault (NULL) on AF_UNIX sockets: Linux finds a bad buffer only when it copies,
 * so every other answer of the call comes first, in af_unix.c's order. A stream send checks
 * its destination, its peer and its shutdown, waits for room, then copies each buffer-sized
 * chunk (the chunks before the fault are sent); a datagram send checks its address's form, its
 * size and its shutdown, copies the datagram, and only then looks for the receiver (so EFAULT
 * comes before ENOTCONN and ECONNREFUSED, and nothing is sent); a receive waits and fails as
 * usual (EAGAIN, EINVAL, a pending ECONNRESET, end of stream with no address) and is EFAULT
 * once it has bytes to copy: a stream's stay queued, a datagram is dropped. Found by the
 * differential fuzzer (tests/fuzz/diff.c with --features channels). */
//! wasmtime:
#include "t.h"
#include <sys/un.h>

static void *volatile NULLP;
#define NP ((void *)NULLP)

static char buf[64];
static struct sockaddr_storage from;
static socklen_t fromlen;

static struct msghdr msg_of(struct iovec *iov, int n) {
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = iov;
    m.msg_iovlen = n;
    m.msg_name = &from;
    m.msg_namelen = sizeof from;
    return m;
}

static int queued(int fd) {
    int n = -1;
    return ioctl(fd, FIONREAD, &n) < 0 ? -errno : n;
}

/* recvfrom into NULL: the result and the address length it reports. */
static void recvfrom_null(int fd, int flags) {
    fromlen = sizeof from;
    long r = SHOW(recvfrom(fd, NP, 8, flags, (struct sockaddr *)&from, &fromlen));
    if (r >= 0) printf("  addrlen %u\n", (unsigned)fromlen);
}

static void recvmsg_null(int fd, int flags) {
    struct iovec iov[2] = {{NP, 8}, {NP, 8}};
    struct msghdr m = msg_of(iov, 2);
    long r = SHOW(recvmsg(fd, &m, flags));
    if (r >= 0) printf("  namelen %u flags %#x\n", (unsigned)m.msg_namelen, m.msg_flags);
}

static void stream(void) {
    int sv[2];
    static char big[40000];
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    strcpy(un.sun_path, "/nonexistent/wsp-unix-faults");
    printf("-- stream\n");
    MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    SHOW(recv(sv[1], NP, 8, MSG_DONTWAIT));
    recvfrom_null(sv[1], MSG_DONTWAIT);
    recvmsg_null(sv[1], MSG_DONTWAIT);
    SHOW(send(sv[0], NP, 8, 0));
    SHOW(sendto(sv[0], NP, 8, 0, (struct sockaddr *)&un, sizeof un));
    printf("queued %d\n", queued(sv[1]));
    struct iovec w[2] = {{big, sizeof big}, {NP, 10}};
    SHOW(writev(sv[0], w, 2)); /* the first 36544-byte chunk goes, the second faults */
    w[0].iov_len = 10;
    struct msghdr m = msg_of(w, 2);
    m.msg_name = NULL, m.msg_namelen = 0;
    SHOW(sendmsg(sv[0], &m, 0)); /* one chunk: it faults whole */
    printf("queued %d\n", queued(sv[1]));
    SHOW(recv(sv[1], NP, 8, 0));
    recvmsg_null(sv[1], 0);
    SHOW(read(sv[1], NP, 8));
    printf("queued %d\n", queued(sv[1]));
    while (recv(sv[1], big, sizeof big, MSG_DONTWAIT) > 0) {
    }
    MUST(shutdown(sv[0], SHUT_WR));
    SHOW(send(sv[0], NP, 8, MSG_NOSIGNAL));
    SHOW(sendmsg(sv[0], &m, MSG_NOSIGNAL));
    SHOW(recv(sv[1], NP, 8, 0));
    recvfrom_null(sv[1], 0);
    recvmsg_null(sv[1], 0);
    close(sv[0]);
    close(sv[1]);

    printf("-- stream: peer closed with data unread\n");
    MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    MUST(send(sv[1], "x", 1, 0));
    close(sv[0]);
    SHOW(recv(sv[1], NP, 8, 0));
    SHOW(recv(sv[1], NP, 8, 0));
    close(sv[1]);

    printf("-- stream: unconnected\n");
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    SHOW(send(s, NP, 8, MSG_NOSIGNAL));
    SHOW(sendto(s, NP, 8, MSG_NOSIGNAL, (struct sockaddr *)&un, sizeof un));
    SHOW(recv(s, NP, 8, 0));
    recvmsg_null(s, 0);
    close(s);
}

static void dgram(void) {
    int sv[2];
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    strcpy(un.sun_path, "/nonexistent/wsp-unix-faults");
    struct sockaddr_in in = {.sin_family = AF_INET};
    printf("-- datagram\n");
    MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    SHOW(recv(sv[1], NP, 8, MSG_DONTWAIT));
    recvmsg_null(sv[1], MSG_DONTWAIT | MSG_TRUNC);
    SHOW(send(sv[0], NP, 8, 0));
    struct iovec w[2] = {{"ab", 2}, {NP, 8}};
    SHOW(writev(sv[0], w, 2));
    struct msghdr m = msg_of(w, 2);
    m.msg_name = &in, m.msg_namelen = sizeof in;
    SHOW(sendmsg(sv[0], &m, 0)); /* the address's form first */
    SHOW(sendto(sv[0], NP, 300000, 0, NULL, 0));
    SHOW(sendto(sv[0], NP, 8, 0, (struct sockaddr *)&un, sizeof un)); /* before the lookup */
    SHOW(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT)); /* nothing was sent */
    MUST(send(sv[0], "abc", 3, 0));
    SHOW(recv(sv[1], NP, 8, MSG_PEEK));
    printf("queued %d\n", queued(sv[1]));
    recvmsg_null(sv[1], 0);
    SHOW(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT)); /* dropped */
    MUST(send(sv[0], "", 0, 0));
    recvfrom_null(sv[1], 0); /* an empty one copies nothing */
    MUST(shutdown(sv[1], SHUT_RD));
    SHOW(send(sv[0], NP, 8, 0)); /* the copy before the receiver's shutdown */
    SHOW(send(sv[0], "a", 1, 0));
    MUST(shutdown(sv[0], SHUT_WR));
    SHOW(send(sv[0], NP, 8, 0));
    close(sv[0]);
    close(sv[1]);

    printf("-- datagram: peer closed\n");
    MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    close(sv[1]);
    SHOW(send(sv[0], NP, 8, 0));
    SHOW(write(sv[0], NP, 8));
    SHOW(send(sv[0], "a", 1, 0));
    SHOW(writev(sv[0], w, 2));
    SHOW(write(sv[0], "a", 1));
    close(sv[0]);

    printf("-- sequenced packets\n");
    MUST(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
    SHOW(send(sv[0], NP, 8, 0));
    SHOW(recv(sv[1], NP, 8, MSG_DONTWAIT));
    MUST(send(sv[0], "abc", 3, 0));
    recvmsg_null(sv[1], 0);
    SHOW(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
    close(sv[1]);
    SHOW(send(sv[0], NP, 8, MSG_NOSIGNAL));
    recvmsg_null(sv[0], MSG_DONTWAIT);
    close(sv[0]);
}

int main(void) {
    test_setup();
    stream();
    dgram();
    return 0;
}
