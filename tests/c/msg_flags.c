/* send/recv flags as Linux treats them: bits it does not know are ignored; MSG_EOR,
 * MSG_CONFIRM, MSG_DONTROUTE, MSG_CMSG_CLOEXEC, MSG_NOSIGNAL are accepted; MSG_ERRQUEUE reads an
 * empty error queue (EAGAIN, the data stays queued); MSG_OOB on UDP is EOPNOTSUPP and a TCP
 * receive of urgent data that is not there is EINVAL; MSG_MORE data is sent by the next send
 * without it; MSG_FASTOPEN on a connected socket is EISCONN. Every result is timing-independent:
 * data is read with a bounded wait for what was sent. */
#include "t.h"

#ifndef MSG_CONFIRM
#define MSG_CONFIRM 0x800
#endif

/* Read exactly `n` bytes from stream `fd` (2 s at most), printing them. */
static void take(const char *label, int fd, int n) {
    char buf[64] = {0};
    int got = 0;
    struct pollfd p = {fd, POLLIN, 0};
    while (got < n && poll(&p, 1, 2000) == 1) {
        ssize_t r = recv(fd, buf + got, (size_t)(n - got), 0);
        if (r <= 0) break;
        got += (int)r;
    }
    printf("%s: %d bytes '%s'\n", label, got, buf);
}

/* One datagram from `fd` (2 s at most): its length and bytes. */
static void dgram(const char *label, int fd) {
    char buf[64] = {0};
    struct pollfd p = {fd, POLLIN, 0};
    ssize_t r = poll(&p, 1, 2000) == 1 ? recv(fd, buf, sizeof buf, 0) : -2;
    printf("%s: %zd '%s'\n", label, r, r > 0 ? buf : "");
}

static void tcp(void) {
    printf("== TCP\n");
    addr_t a;
    socklen_t len;
    int l = listener(AF_INET, &a, &len);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    MUST(connect(c, &a.sa, len));
    int s = accept(l, NULL, NULL);
    MUST(s);
    SHOW(send(c, "a", 1, 0x00800000));
    SHOW(send(c, "b", 1, MSG_EOR));
    SHOW(send(c, "c", 1, MSG_CONFIRM));
    SHOW(send(c, "d", 1, MSG_DONTROUTE));
    SHOW(send(c, "e", 1, MSG_NOSIGNAL | MSG_CMSG_CLOEXEC));
    take("received", s, 5);
    SHOW(send(c, "f", 1, MSG_MORE));
    SHOW(send(c, "g", 1, 0));
    take("MSG_MORE then plain", s, 2);
    SHOW(send(c, "h", 1, MSG_FASTOPEN));
    char buf[8];
    SHOW(send(c, "i", 1, 0));
    struct pollfd p = {s, POLLIN, 0};
    MUST(poll(&p, 1, 2000));
    SHOW(recv(s, buf, sizeof buf, MSG_ERRQUEUE));
    SHOW(recv(s, buf, sizeof buf, MSG_OOB));
    SHOW(recv(s, buf, sizeof buf, 0x00800000));
    SHOW(recv(s, buf, sizeof buf, MSG_DONTWAIT | 0x10000000));
    close(c);
    close(s);
    close(l);
}

static void udp(void) {
    printf("== UDP\n");
    addr_t a;
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    socklen_t len = loopback(&a, AF_INET, 0);
    MUST(bind(u, &a.sa, len));
    MUST(getsockname(u, &a.sa, &len));
    int v = socket(AF_INET, SOCK_DGRAM, 0);
    SHOW(sendto(v, "a", 1, 0x00800000, &a.sa, len));
    dgram("unknown bit", u);
    SHOW(sendto(v, "b", 1, MSG_CONFIRM | MSG_DONTROUTE | MSG_EOR, &a.sa, len));
    dgram("confirm|dontroute|eor", u);
    SHOW(sendto(v, "c", 1, MSG_OOB, &a.sa, len));
    SHOW(sendto(v, "d", 1, MSG_FASTOPEN, &a.sa, len));
    dgram("fastopen ignored", u);
    SHOW(sendto(v, "e", 1, 0, &a.sa, len));
    struct pollfd p = {u, POLLIN, 0};
    MUST(poll(&p, 1, 2000));
    char buf[8];
    SHOW(recv(u, buf, sizeof buf, MSG_ERRQUEUE));
    dgram("still queued after MSG_ERRQUEUE", u);
    SHOW(sendto(v, "f", 1, 0, &a.sa, len));
    MUST(poll(&p, 1, 2000));
    SHOW(recv(u, buf, sizeof buf, MSG_OOB | 0x00800000));
    /* MSG_MORE builds one datagram; the next send without it sends it whole */
    SHOW(sendto(v, "gh", 2, MSG_MORE, &a.sa, len));
    SHOW(sendto(v, "ij", 2, MSG_MORE, NULL, 0));
    SHOW(sendto(v, "kl", 2, 0, &a.sa, len));
    dgram("corked", u);
    SHOW(sendto(v, "x", 1, MSG_MORE, &a.sa, len));
    static char big[65507];
    SHOW(sendto(v, big, sizeof big, 0, &a.sa, len));
    SHOW(sendto(v, "y", 1, 0, &a.sa, len));
    dgram("after a datagram grown too large", u);
    close(u);
    close(v);
}

int main(void) {
    test_setup();
    tcp();
    udp();
    return 0;
}
