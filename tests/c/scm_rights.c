/* SCM_RIGHTS between the program's own AF_UNIX sockets: a received descriptor is a new number
 * for the same open object (a pipe end, a socket pair's end, a TCP connection), as dup makes;
 * stdout too (as the copy dup makes); MSG_CMSG_CLOEXEC; several descriptors and several control messages; a control buffer too
 * small (MSG_CTRUNC, the rest closed) or absent; MSG_PEEK; a stream read stopping after the
 * data that carried descriptors; datagrams; the errors of a malformed control buffer in Linux's
 * order; and a TCP socket refusing ancillary data (EINVAL). */
#include "t.h"

static int *data_of(struct cmsghdr *c) {
    return (int *)CMSG_DATA(c);
}

/* Send `data` with `n` descriptors in one SCM_RIGHTS message. */
static long send_fds(int s, const char *data, size_t len, const int *fds, int n) {
    char ctl[CMSG_SPACE(sizeof(int) * 300)];
    memset(ctl, 0, sizeof ctl);
    struct iovec iv = {(void *)data, len};
    struct msghdr m = {0};
    m.msg_iov = &iv;
    m.msg_iovlen = 1;
    if (n > 0) {
        m.msg_control = ctl;
        m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(data_of(c), fds, sizeof(int) * n);
    }
    return sendmsg(s, &m, 0);
}

/* How many bytes recv_fds asks for. */
static size_t data_cap = 63;

/* Receive into a control buffer of `room` bytes; print what came; return the first fd. */
static int recv_fds(const char *what, int s, size_t room, int flags, int *more) {
    char data[64] = {0};
    char ctl[CMSG_SPACE(sizeof(int) * 8)];
    struct iovec iv = {data, data_cap};
    struct msghdr m = {0};
    m.msg_iov = &iv;
    m.msg_iovlen = 1;
    m.msg_control = room ? ctl : NULL;
    m.msg_controllen = room;
    long r = recvmsg(s, &m, flags);
    if (r < 0) {
        printf("%s: -1 %s\n", what, errname(errno));
        return -1;
    }
    printf("%s: %ld \"%s\", MSG_CTRUNC %d, MSG_CMSG_CLOEXEC %d", what, r, data, !!(m.msg_flags & MSG_CTRUNC),
           !!(m.msg_flags & MSG_CMSG_CLOEXEC));
    int first = -1, count = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        int n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        printf(", cmsg SOL_SOCKET %d SCM_RIGHTS %d fds %d", c->cmsg_level == SOL_SOCKET,
               c->cmsg_type == SCM_RIGHTS, n);
        size_t want = CMSG_SPACE(sizeof(int) * n) < room ? CMSG_SPACE(sizeof(int) * n) : room;
        printf(" (controllen %s)", m.msg_controllen == want ? "CMSG_SPACE, cut to the buffer" : "other");
        for (int i = 0; i < n; i++) {
            if (first < 0) first = data_of(c)[i];
            if (more && count < 8) more[count] = data_of(c)[i];
            count++;
        }
    }
    if (count == 0) printf(", controllen %d", (int)m.msg_controllen);
    printf("\n");
    return first;
}

static void roundtrip(const char *what, int rd, int wr) {
    char b[16] = {0};
    int w = write(wr, what, strlen(what));
    int r = read(rd, b, sizeof b - 1);
    printf("  through it: wrote %d, read %d \"%s\"\n", w, r, b);
}

int main(void) {
    test_setup();
    int sv[2], p[2];
    char buf[64];
    MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    MUST(pipe(p));

    printf("-- a pipe's read end\n");
    SHOW(send_fds(sv[0], "x", 1, &p[0], 1));
    int got = recv_fds("recvmsg", sv[1], CMSG_SPACE(sizeof(int)), 0, NULL);
    printf("a new number: %d, FD_CLOEXEC %d\n", got >= 0 && got != p[0], fcntl(got, F_GETFD));
    roundtrip("hello", got, p[1]);
    SHOW(close(p[0]));
    roundtrip("still", got, p[1]);
    SHOW(send_fds(sv[0], "y", 1, &got, 1));
    int got2 = recv_fds("MSG_CMSG_CLOEXEC", sv[1], CMSG_SPACE(sizeof(int)), MSG_CMSG_CLOEXEC, NULL);
    printf("FD_CLOEXEC %d\n", fcntl(got2, F_GETFD));
    SHOW(close(got));
    roundtrip("again", got2, p[1]);
    SHOW(close(got2));
    SHOW(write(p[1], "x", 1));
    close(p[1]);

    printf("-- several descriptors, several messages\n");
    int q[2], r[2];
    MUST(pipe(q));
    MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, r));
    int three[3] = {q[0], q[1], r[1]};
    SHOW(send_fds(sv[0], "abc", 3, three, 3));
    int fds[8];
    recv_fds("three", sv[1], CMSG_SPACE(sizeof(int) * 3), 0, fds);
    roundtrip("q", fds[0], fds[1]);
    SHOW(send(r[0], "to the passed end", 17, 0));
    SHOW(recv(fds[2], buf, sizeof buf, 0));
    for (int i = 0; i < 3; i++) close(fds[i]);
    {
        char ctl[2 * CMSG_SPACE(sizeof(int))];
        memset(ctl, 0, sizeof ctl);
        struct iovec iv = {"m", 1};
        struct msghdr m = {0};
        m.msg_iov = &iv;
        m.msg_iovlen = 1;
        m.msg_control = ctl;
        m.msg_controllen = sizeof ctl;
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        *data_of(c) = q[0];
        c = CMSG_NXTHDR(&m, c);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        *data_of(c) = q[1];
        SHOW(sendmsg(sv[0], &m, 0));
        recv_fds("two messages, one list", sv[1], CMSG_SPACE(sizeof(int) * 2), 0, fds);
        close(fds[0]);
        close(fds[1]);
    }

    printf("-- too little room, none, a plain read\n");
    SHOW(send_fds(sv[0], "t", 1, three, 3));
    recv_fds("room for one", sv[1], CMSG_LEN(sizeof(int)), 0, fds);
    close(fds[0]);
    SHOW(send_fds(sv[0], "u", 1, three, 3));
    recv_fds("a header's room", sv[1], CMSG_LEN(0), 0, fds);
    SHOW(send_fds(sv[0], "v", 1, three, 3));
    recv_fds("no control buffer", sv[1], 0, 0, fds);
    SHOW(send_fds(sv[0], "w", 1, three, 3));
    SHOW(recv(sv[1], buf, sizeof buf, 0));
    roundtrip("originals", q[0], q[1]);

    printf("-- MSG_PEEK, and where a stream read stops\n");
    SHOW(send(sv[0], "ab", 2, 0));
    SHOW(send_fds(sv[0], "cd", 2, &q[0], 1));
    SHOW(send(sv[0], "ef", 2, 0));
    int a = recv_fds("peek", sv[1], CMSG_SPACE(sizeof(int)), MSG_PEEK, NULL);
    int b = recv_fds("read", sv[1], CMSG_SPACE(sizeof(int)), 0, NULL);
    printf("peeked and read: two numbers %d\n", a >= 0 && b >= 0 && a != b);
    close(a);
    close(b);
    recv_fds("the rest", sv[1], CMSG_SPACE(sizeof(int)), 0, NULL);
    SHOW(send_fds(sv[0], "", 0, &q[0], 1));
    SHOW(send(sv[0], "z", 1, 0));
    recv_fds("after an empty send with a descriptor", sv[1], CMSG_SPACE(sizeof(int)), 0, NULL);
    SHOW(send_fds(sv[0], "gh", 2, &q[0], 1));
    data_cap = 1;
    recv_fds("one byte of it", sv[1], CMSG_SPACE(sizeof(int)), 0, fds);
    data_cap = 63;
    close(fds[0]);
    {
        char one;
        SHOW(recv(sv[1], &one, 1, 0));
    }

    printf("-- stdout, passed\n");
    int out = 1;
    SHOW(send_fds(sv[0], "o", 1, &out, 1));
    int so = recv_fds("stdout", sv[1], CMSG_SPACE(sizeof(int)), 0, NULL);
    SHOW(write(so, "written through the passed stdout\n", 34));
    SHOW(close(so));
    SHOW(write(1, "stdout still open\n", 18));

    printf("-- datagrams\n");
    SHOW(send_fds(r[0], "", 0, &q[1], 1));
    int e = recv_fds("an empty datagram", r[1], CMSG_SPACE(sizeof(int)), 0, NULL);
    roundtrip("dgram", q[0], e);
    close(e);

    printf("-- errors\n");
    int bad = -1, closed_fd, tmp[2];
    MUST(pipe(tmp));
    closed_fd = tmp[1];
    close(tmp[0]);
    close(tmp[1]);
    SHOW(send_fds(sv[0], "x", 1, &bad, 1));
    SHOW(send_fds(sv[0], "x", 1, &closed_fd, 1));
    int many[300];
    for (int i = 0; i < 300; i++) many[i] = q[0];
    SHOW(send_fds(sv[0], "x", 1, many, 254));
    {
        char ctl[CMSG_SPACE(sizeof(int))];
        struct iovec iv = {"x", 1};
        struct msghdr m = {0};
        m.msg_iov = &iv;
        m.msg_iovlen = 1;
        m.msg_control = ctl;
        m.msg_controllen = sizeof ctl;
        struct cmsghdr *c = (struct cmsghdr *)ctl;
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(0) - 1;
        SHOW(sendmsg(sv[0], &m, 0));
        c->cmsg_len = sizeof ctl + 1;
        SHOW(sendmsg(sv[0], &m, 0));
        c->cmsg_len = CMSG_LEN(sizeof(int));
        *data_of(c) = q[0];
        c->cmsg_type = 99;
        SHOW(sendmsg(sv[0], &m, 0));
        c->cmsg_level = IPPROTO_TCP;
        SHOW(sendmsg(sv[0], &m, 0));
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(0);
        SHOW(sendmsg(sv[0], &m, 0));
        m.msg_controllen = 4;
        SHOW(sendmsg(sv[0], &m, 0));
        m.msg_controllen = sizeof ctl;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        *data_of(c) = bad;
        SHOW(sendmsg(q[0], &m, 0));
    }
    recv_fds("what the skipped and empty ones sent", sv[1], CMSG_SPACE(sizeof(int)), MSG_DONTWAIT, NULL);
    recv_fds("", sv[1], CMSG_SPACE(sizeof(int)), MSG_DONTWAIT, NULL);
    recv_fds("", sv[1], CMSG_SPACE(sizeof(int)), MSG_DONTWAIT, NULL);

    printf("-- a TCP connection, passed and refusing ancillary data\n");
    addr_t la;
    socklen_t ll;
    int lsn = listener(AF_INET, &la, &ll);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    MUST(connect(c, &la.sa, ll));
    int s = accept(lsn, NULL, NULL);
    MUST(s);
    SHOW(send_fds(c, "", 0, &q[0], 1));
    SHOW(send_fds(sv[0], "t", 1, &c, 1));
    int tc = recv_fds("a TCP socket", sv[1], CMSG_SPACE(sizeof(int)), 0, NULL);
    SHOW(close(c));
    SHOW(send(tc, "over tcp", 8, 0));
    memset(buf, 0, sizeof buf);
    SHOW(recv(s, buf, sizeof buf, 0));
    printf("\"%s\"\n", buf);
    close(tc);
    SHOW(recv(s, buf, sizeof buf, 0));
    close(s);
    close(lsn);
    close(q[0]);
    close(q[1]);
    close(r[0]);
    close(r[1]);
    close(sv[0]);
    close(sv[1]);
    printf("done\n");
    return 0;
}
