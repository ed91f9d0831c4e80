/* Peeking and empty reads on sockets, as Linux answers them:
 * - a blocking recv with MSG_PEEK returns what is queued at once, even when the buffer is
 *   larger (tcp_recvmsg's target is one byte unless MSG_WAITALL);
 * - MSG_TRUNC on TCP without MSG_WAITALL returns what is queued, discarding it;
 * - read() and readv() of zero bytes return 0 at once on every kind of socket, before the
 *   protocol is asked (sock_read_iter), where recv() of zero bytes waits for something.
 * Every socket has a 2 s receive timeout, so a call that wrongly waits prints EAGAIN instead of
 * hanging the test. */
#include "t.h"

static void timeout2s(int fd) {
    struct timeval tv = {2, 0};
    MUST(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
}

/* Wait (at most 2 s) until `fd` is readable, so the data sent has arrived. */
static void arrive(int fd) {
    struct pollfd p = {fd, POLLIN, 0};
    MUST(poll(&p, 1, 2000));
}

static void pair(int fam, int *c, int *s) {
    addr_t a;
    socklen_t len;
    int l = listener(fam, &a, &len);
    *c = socket(fam, SOCK_STREAM, 0);
    MUST(*c);
    MUST(connect(*c, &a.sa, len));
    *s = accept(l, NULL, NULL);
    MUST(*s);
    MUST(close(l));
    timeout2s(*c);
    timeout2s(*s);
}

static void peek(int fam) {
    printf("== peek %s\n", famname(fam));
    int c, s;
    pair(fam, &c, &s);
    char buf[64];
    SHOW(send(c, "hello, world", 12, 0));
    arrive(s);
    memset(buf, 0, sizeof buf);
    SHOW(recv(s, buf, sizeof buf, MSG_PEEK));
    printf("peeked '%s'\n", buf);
    SHOW(recv(s, buf, 5, MSG_PEEK));
    SHOW(recv(s, buf, 12, MSG_PEEK));
    SHOW(recv(s, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT));
    int n = -1;
    SHOW(ioctl(s, FIONREAD, &n));
    printf("FIONREAD %d\n", n);
    /* recvmsg with two iovecs larger than the data */
    char a[4], b[32];
    memset(b, 0, sizeof b);
    struct iovec v[2] = {{a, sizeof a}, {b, sizeof b}};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = v;
    m.msg_iovlen = 2;
    SHOW(recvmsg(s, &m, MSG_PEEK));
    printf("iov '%.4s' '%s'\n", a, b);
    /* peek and wait for all of a request that is there */
    SHOW(recv(s, buf, 12, MSG_PEEK | MSG_WAITALL));
    memset(buf, 0, sizeof buf);
    SHOW(recv(s, buf, sizeof buf, 0));
    printf("received '%s'\n", buf);
    /* nothing queued: a peek waits (here until the timeout) */
    SHOW(recv(s, buf, sizeof buf, MSG_PEEK));
    /* MSG_TRUNC without MSG_WAITALL: what is queued, discarded */
    SHOW(send(c, "0123456789", 10, 0));
    arrive(s);
    SHOW(recv(s, buf, sizeof buf, MSG_TRUNC));
    SHOW(recv(s, buf, sizeof buf, MSG_DONTWAIT));
    /* after the peer's end of stream, a peek larger than the rest returns the rest */
    SHOW(send(c, "tail", 4, 0));
    MUST(shutdown(c, SHUT_WR));
    arrive(s);
    SHOW(recv(s, buf, sizeof buf, MSG_PEEK));
    SHOW(recv(s, buf, sizeof buf, MSG_PEEK | MSG_WAITALL));
    SHOW(recv(s, buf, sizeof buf, 0));
    SHOW(recv(s, buf, sizeof buf, MSG_PEEK));
    close(c);
    close(s);
}

static void empty_reads(int fam) {
    printf("== empty reads %s\n", famname(fam));
    int c, s;
    pair(fam, &c, &s);
    char buf[8];
    struct iovec none[2] = {{buf, 0}, {NULL, 0}};
    SHOW(read(s, NULL, 0));
    SHOW(read(s, buf, 0));
    SHOW(readv(s, none, 2));
    SHOW(readv(s, none, 0));
    SHOW(readv(s, NULL, 0));
    MUST(fcntl(s, F_SETFL, O_NONBLOCK));
    SHOW(read(s, NULL, 0));
    SHOW(readv(s, none, 2));
    /* recv of zero bytes waits for something to read, then returns 0 and consumes nothing */
    SHOW(recv(s, NULL, 0, 0));
    SHOW(recv(s, buf, 0, MSG_DONTWAIT));
    SHOW(recv(s, buf, 0, MSG_WAITALL)); /* the same: nothing asked, nothing to wait for */
    SHOW(recv(s, buf, 0, MSG_WAITALL | MSG_DONTWAIT));
    SHOW(send(c, "x", 1, 0));
    arrive(s);
    SHOW(recv(s, buf, 0, 0));
    SHOW(read(s, buf, 0));
    SHOW(read(s, buf, sizeof buf));
    /* the other kinds of socket */
    int l = socket(fam, SOCK_STREAM, 0);
    addr_t a;
    socklen_t alen = loopback(&a, fam, 0);
    MUST(bind(l, &a.sa, alen));
    MUST(listen(l, 1));
    SHOW(read(l, NULL, 0));
    SHOW(readv(l, none, 2));
    int u = socket(fam, SOCK_STREAM, 0);
    SHOW(read(u, NULL, 0));
    int d = socket(fam, SOCK_DGRAM, 0);
    SHOW(read(d, NULL, 0));
    MUST(bind(d, &a.sa, alen));
    timeout2s(d);
    SHOW(readv(d, none, 2));
    /* an empty read does not take a datagram */
    socklen_t dl = sizeof a;
    MUST(getsockname(d, &a.sa, &dl));
    SHOW(sendto(d, "dgram", 5, 0, &a.sa, dl));
    arrive(d);
    SHOW(read(d, buf, 0));
    SHOW(recv(d, buf, sizeof buf, MSG_DONTWAIT));
    close(c);
    close(s);
    close(l);
    close(u);
    close(d);
}

int main(void) {
    test_setup();
    peek(AF_INET);
    peek(AF_INET6);
    empty_reads(AF_INET);
    empty_reads(AF_INET6);
    return 0;
}
