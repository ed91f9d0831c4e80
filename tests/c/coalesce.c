/* Small sends on a connection that asked for low latency (TCP_NODELAY, TCP_CORK, MSG_MORE) are
 * handed to the host together at the program's next call into the library (see docs/options.md:
 * WASI has no Nagle control). What a program sees must not change: every byte arrives, in
 * order, before the end of stream that shutdown or close sends; a send returns its length. */
#include "t.h"

static int pair(int *s) {
    addr_t a;
    socklen_t len;
    int l = listener(AF_INET, &a, &len);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    MUST(connect(c, &a.sa, len));
    *s = accept(l, NULL, NULL);
    MUST(*s);
    close(l);
    return c;
}

/* Everything `fd` delivers within 2 s, up to `n` bytes or end of stream: count, digest, start. */
static void take(const char *label, int fd, int n) {
    static char buf[65536];
    char start[13] = {0};
    int got = 0, eof = 0;
    unsigned long long sum = 0;
    struct pollfd p = {fd, POLLIN, 0};
    while (got < n && poll(&p, 1, 2000) == 1) {
        int want = n - got < (int)sizeof buf ? n - got : (int)sizeof buf;
        ssize_t r = recv(fd, buf, (size_t)want, 0);
        if (r <= 0) {
            eof = r == 0;
            break;
        }
        for (ssize_t i = 0; i < r; i++) {
            if (got + i < 12) start[got + i] = buf[i];
            sum = sum * 31 + (unsigned char)buf[i];
        }
        got += (int)r;
    }
    if (got >= n) {
        /* all there: is the end of stream next? (only what is already known) */
        struct pollfd q = {fd, POLLIN, 0};
        char c;
        if (poll(&q, 1, 0) == 1 && recv(fd, &c, 1, MSG_DONTWAIT) == 0) eof = 1;
    }
    printf("%s: %d bytes%s, digest %llu, starts '%s'\n", label, got, eof ? " then end of stream" : "",
           sum, start);
}

int main(void) {
    test_setup();
    int one = 1, s;
    int c = pair(&s);
    MUST(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
    printf("== TCP_NODELAY: three small sends, then the peer reads\n");
    SHOW(send(c, "head", 4, 0));
    SHOW(send(c, "er|", 3, 0));
    SHOW(write(c, "body", 4));
    take("peer", s, 11);
    printf("== many sizes, in order\n");
    static char big[100000];
    for (int i = 0; i < (int)sizeof big; i++) big[i] = (char)('a' + i % 26);
    long total = 0;
    for (int i = 1; i <= 300; i++) {
        int n = (i * 37) % 700 + 1;
        if (i % 50 == 0) n = 70000;
        total += send(c, big, (size_t)n, 0);
    }
    printf("sent %ld\n", total);
    take("peer", s, (int)total);
    printf("== shutdown sends what was held, then the end of stream\n");
    SHOW(send(c, "last words", 10, 0));
    MUST(shutdown(c, SHUT_WR));
    take("peer", s, 100);
    close(c);
    close(s);

    printf("== close sends what was held\n");
    c = pair(&s);
    MUST(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
    SHOW(send(c, "bye", 3, 0));
    MUST(close(c));
    take("peer", s, 100);
    close(s);

    printf("== TCP_CORK and MSG_MORE\n");
    c = pair(&s);
    MUST(setsockopt(c, IPPROTO_TCP, TCP_CORK, &one, sizeof one));
    SHOW(send(c, "corked", 6, 0));
    int zero = 0;
    MUST(setsockopt(c, IPPROTO_TCP, TCP_CORK, &zero, sizeof zero));
    take("peer", s, 6);
    SHOW(send(c, "more", 4, MSG_MORE));
    SHOW(send(c, "!", 1, 0));
    take("peer", s, 5);
    close(c);
    close(s);

    /* A peer that reads nothing: shutdown(SHUT_WR) returns at once (libevent's evhttp shuts
     * down such a connection; the library once waited forever to hand its held bytes to the
     * host), a send after it is EPIPE, and once the peer reads, every byte arrives, then the
     * end of stream. */
    printf("== shutdown behind a peer that does not read\n");
    c = pair(&s);
    MUST(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
    static char piece[1000];
    long sent = 0;
    for (int i = 0; i < 100000; i++) {
        ssize_t r = send(c, piece, sizeof piece, MSG_DONTWAIT);
        if (r < 0) break;
        sent += r;
    }
    printf("filled: %s\n", sent > 0 ? "yes" : "no");
    SHOW(shutdown(c, SHUT_WR));
    SHOW(send(c, "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT));
    long got = 0;
    static char sink[65536];
    struct pollfd q = {s, POLLIN, 0};
    ssize_t r = 1;
    while (r > 0 && poll(&q, 1, 5000) == 1) {
        r = recv(s, sink, sizeof sink, 0);
        if (r > 0) got += r;
    }
    printf("peer: %s, then %s\n", got == sent ? "every byte" : "BYTES MISSING",
           r == 0 ? "end of stream" : "no end of stream");
    close(c);
    close(s);
    return 0;
}
