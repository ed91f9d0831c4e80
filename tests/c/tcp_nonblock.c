/* Non-blocking mode: SOCK_NONBLOCK, fcntl(F_GETFL/F_SETFL), ioctl(FIONBIO), MSG_DONTWAIT, EAGAIN
 * on accept/recv, and the non-blocking connect protocol: EINPROGRESS, EALREADY while pending,
 * 0 for the first connect() after it finished, EISCONN after; a refused one reports its error
 * once, then ECONNABORTED, then a new attempt can start. */
#include "t.h"
#include <poll.h>

/* Call connect() until it stops saying EALREADY; print the first other answer. No poll() here
 * (another test covers poll), so waiting is a bounded sleep loop. */
static void connect_until_done(int fd, addr_t *a, socklen_t len) {
    int r = -1, e = EALREADY, tries = 0;
    for (; tries < 400; tries++) {
        errno = 0;
        r = connect(fd, &a->sa, len);
        e = errno;
        if (!(r < 0 && e == EALREADY)) break;
        sleep_ms(5);
    }
    if (r < 0)
        printf("connect after pending -> -1 %s\n", errname(e));
    else
        printf("connect after pending -> %d\n", r);
}

static void flags(int fam) {
    printf("== flags %s\n", famname(fam));
    int fd = socket(fam, SOCK_STREAM, 0);
    MUST(fd);
    int fl = fcntl(fd, F_GETFL);
    printf("F_GETFL: rdwr=%d nonblock=%d\n", (fl & O_ACCMODE) == O_RDWR, !!(fl & O_NONBLOCK));
    SHOW(fcntl(fd, F_SETFL, fl | O_NONBLOCK));
    printf("nonblock now %d\n", !!(fcntl(fd, F_GETFL) & O_NONBLOCK));
    SHOW(fcntl(fd, F_SETFL, 0));
    printf("nonblock now %d\n", !!(fcntl(fd, F_GETFL) & O_NONBLOCK));
    int on = 1, off = 0;
    SHOW(ioctl(fd, FIONBIO, &on));
    printf("nonblock now %d\n", !!(fcntl(fd, F_GETFL) & O_NONBLOCK));
    SHOW(ioctl(fd, FIONBIO, &off));
    printf("nonblock now %d\n", !!(fcntl(fd, F_GETFL) & O_NONBLOCK));
    SHOW(fcntl(fd, F_GETFD));
    SHOW(fcntl(fd, F_SETFD, FD_CLOEXEC));
    SHOW(fcntl(fd, F_GETFD));
    SHOW(fcntl(fd, F_SETFD, 0));
    SHOW(fcntl(fd, F_GETFD));
    SHOW(fcntl(fd, 9999));
    SHOW(ioctl(fd, 0x7fff1234, &on));
    SHOW(close(fd));
    SHOW(fcntl(fd, F_GETFL));
    SHOW(ioctl(fd, FIONBIO, &on));
}

static void would_block(int fam) {
    printf("== would-block %s\n", famname(fam));
    addr_t la;
    socklen_t llen;
    int l = listener(fam, &la, &llen);
    MUST(fcntl(l, F_SETFL, O_NONBLOCK));
    SHOW(accept(l, NULL, NULL));
    int c = socket(fam, SOCK_STREAM, 0);
    MUST(connect(c, &la.sa, llen));
    int s = -1;
    for (int i = 0; i < 200 && s < 0; i++) {
        s = accept(l, NULL, NULL);
        if (s < 0) sleep_ms(5);
    }
    OK(s);
    printf("accepted socket inherits O_NONBLOCK: %d\n", !!(fcntl(s, F_GETFL) & O_NONBLOCK));
    char buf[16];
    SHOW(recv(s, buf, sizeof buf, MSG_DONTWAIT));
    SHOW(recv(c, buf, sizeof buf, MSG_DONTWAIT));
    SHOW(send(c, "abc", 3, MSG_DONTWAIT));
    int n = -1;
    for (int i = 0; i < 200 && n < 0; i++) {
        n = recv(s, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0) sleep_ms(5);
    }
    SHOW(n);
    SHOW(recv(s, buf, sizeof buf, MSG_DONTWAIT));
    SHOW(close(s));
    /* accept4 with SOCK_NONBLOCK */
    int c2 = socket(fam, SOCK_STREAM, 0);
    MUST(connect(c2, &la.sa, llen));
    int s2 = -1;
    for (int i = 0; i < 200 && s2 < 0; i++) {
        s2 = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (s2 < 0) sleep_ms(5);
    }
    OK(s2);
    printf("accept4 nonblock=%d cloexec=%d\n", !!(fcntl(s2, F_GETFL) & O_NONBLOCK),
           !!(fcntl(s2, F_GETFD) & FD_CLOEXEC));
    SHOW(read(s2, buf, sizeof buf));
    /* a non-blocking sender fills the connection and then gets EAGAIN, having sent a prefix */
    static char big[1 << 20];
    memset(big, 'z', sizeof big);
    long total = 0;
    int eagain = 0;
    for (int i = 0; i < 512; i++) {
        ssize_t w = send(s2, big, sizeof big, 0);
        if (w < 0) {
            eagain = errno == EAGAIN;
            break;
        }
        total += w;
    }
    printf("non-blocking sender: filled and got %s (sent something: %s)\n",
           eagain ? "EAGAIN" : "no EAGAIN", total > 0 ? "yes" : "no");
    /* drain on the other side, everything sent arrives */
    long got = 0;
    MUST(fcntl(c2, F_SETFL, O_NONBLOCK));
    for (int idle = 0; idle < 100 && got < total;) {
        ssize_t r = recv(c2, big, sizeof big, 0);
        if (r > 0) { got += r; idle = 0; }
        else { idle++; sleep_ms(5); }
    }
    printf("receiver got everything sent: %s\n", got == total ? "yes" : "no");
    SHOW(close(s2));
    SHOW(close(c2));
    SHOW(close(c));
    SHOW(close(l));
}

static void nb_connect(int fam) {
    printf("== non-blocking connect %s\n", famname(fam));
    addr_t la;
    socklen_t llen;
    int l = listener(fam, &la, &llen);
    int c = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    SHOW(connect(c, &la.sa, llen));
    connect_until_done(c, &la, llen);
    SHOW(connect(c, &la.sa, llen));
    SHOW(connect(c, &la.sa, llen));
    int s = accept(l, NULL, NULL);
    OK(s);
    SHOW(send(c, "hi", 2, 0));
    char buf[8] = {0};
    SHOW(recv(s, buf, sizeof buf, 0));
    SHOW(close(s));
    SHOW(close(c));

    /* connected without a second connect(): send works, the first connect() reports 0 */
    c = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    SHOW(connect(c, &la.sa, llen));
    s = accept(l, NULL, NULL); /* blocking accept: the handshake is done once it returns */
    OK(s);
    int w = -1;
    for (int i = 0; i < 200 && w < 0; i++) {
        w = send(c, "yo", 2, 0);
        if (w < 0) sleep_ms(5);
    }
    SHOW(w);
    SHOW(connect(c, &la.sa, llen));
    SHOW(connect(c, &la.sa, llen));
    SHOW(close(s));
    SHOW(close(c));

    /* refused: EINPROGRESS, then the error once, then ECONNABORTED, then a fresh attempt works */
    int port = port_of(&la);
    SHOW(close(l));
    c = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    addr_t dead;
    socklen_t dlen = loopback(&dead, fam, port);
    SHOW(connect(c, &dead.sa, dlen));
    connect_until_done(c, &dead, dlen);
    SHOW(connect(c, &dead.sa, dlen));
    l = listener(fam, &la, &llen);
    sleep_ms(50); /* let the refused attempt finish (the host learns of it asynchronously) */
    SHOW(connect(c, &la.sa, llen));
    SHOW(connect(c, &la.sa, llen)); /* a new attempt starts */
    struct pollfd pw = {c, POLLOUT, 0};
    SHOW(poll(&pw, 1, 2000)); /* wait for it, as a program must */
    SHOW(connect(c, &la.sa, llen));
    SHOW(connect(c, &la.sa, llen));
    SHOW(close(c));

    /* refused and noticed by send/recv first: they report the error, connect() then ECONNABORTED */
    c = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    SHOW(connect(c, &dead.sa, dlen));
    int r = -1, e = EAGAIN;
    for (int i = 0; i < 200 && r < 0 && e == EAGAIN; i++) {
        errno = 0;
        r = recv(c, buf, 1, 0);
        e = errno;
        if (r < 0 && e == EAGAIN) sleep_ms(5);
    }
    printf("recv on refused connect -> %d %s\n", r, r < 0 ? errname(e) : "");
    SHOW(recv(c, buf, 1, 0));
    SHOW(send(c, "x", 1, 0));
    SHOW(connect(c, &dead.sa, dlen));
    SHOW(close(c));

    /* blocking connect on a socket switched to blocking after EINPROGRESS waits for the result */
    c = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    SHOW(connect(c, &la.sa, llen));
    MUST(fcntl(c, F_SETFL, 0));
    SHOW(connect(c, &la.sa, llen) == 0 || errno == EISCONN);
    s = accept(l, NULL, NULL);
    OK(s);
    SHOW(close(s));
    SHOW(close(c));
    SHOW(close(l));
}

/* EALREADY, deterministically on loopback: a listener with backlog 1 whose accept queue is full
 * drops further SYNs, so those clients stay in SYN_SENT (until the SYN is retransmitted, about
 * a second later) and a second connect() says EALREADY. Once accepted: 0 once, then EISCONN. */
static void ealready(int fam) {
    printf("== EALREADY while the handshake is pending %s\n", famname(fam));
    addr_t a;
    socklen_t len = loopback(&a, fam, 0);
    int l = socket(fam, SOCK_STREAM, 0);
    MUST(bind(l, &a.sa, len));
    MUST(listen(l, 1));
    MUST(getsockname(l, &a.sa, &len));
    enum { N = 5 };
    int c[N], inprogress = 0, ealready = 0, held[N], first_zero = 0;
    for (int i = 0; i < N; i++) {
        c[i] = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
        inprogress += connect(c[i], &a.sa, len) < 0 && errno == EINPROGRESS;
        sleep_ms(20);
    }
    sleep_ms(100);
    for (int i = 0; i < N; i++) {
        int r = connect(c[i], &a.sa, len);
        held[i] = r < 0 && errno == EALREADY;
        ealready += held[i];
        first_zero += r == 0; /* already established: this is the call that reports it */
    }
    printf("EINPROGRESS for all %d: %s; EALREADY for those the full queue held back: %s; "
           "0 for the others: %s\n", N, inprogress == N ? "yes" : "no", ealready > 0 ? "yes" : "no",
           first_zero == N - ealready ? "yes" : "no");
    /* accept them all (the held-back SYNs come again after about a second) */
    int accepted = 0, s[N];
    struct pollfd pl = {l, POLLIN, 0};
    while (accepted < N && poll(&pl, 1, 5000) > 0) s[accepted++] = accept(l, NULL, NULL);
    printf("accepted %d\n", accepted);
    int zero = 0, isconn = 0;
    for (int i = 0; i < N; i++) {
        struct pollfd pc = {c[i], POLLOUT, 0};
        poll(&pc, 1, 5000);
        if (held[i]) zero += connect(c[i], &a.sa, len) == 0;
        isconn += connect(c[i], &a.sa, len) < 0 && errno == EISCONN;
    }
    printf("once established, connect() -> 0 for each held back: %s; EISCONN for all after: %s\n",
           zero == ealready ? "yes" : "no", isconn == N ? "yes" : "no");
    for (int i = 0; i < N; i++) close(c[i]);
    for (int i = 0; i < accepted; i++) close(s[i]);
    close(l);
}

int main(void) {
    test_setup();
    flags(AF_INET);
    flags(AF_INET6);
    would_block(AF_INET);
    would_block(AF_INET6);
    nb_connect(AF_INET);
    nb_connect(AF_INET6);
    ealready(AF_INET);
    ealready(AF_INET6);
    return 0;
}
