/* POLLRDHUP, POLLPRI and friends, as Linux reports them: POLLRDHUP once the socket is shut down
 * for reading (the peer's FIN, a local shutdown(SHUT_RD), a reset, a failed connect), never on a
 * socket that was never connected; POLLPRI never (no out-of-band data on loopback). */
#include "t.h"

static const char *evs(int r) {
    static char b[64];
    strcpy(b, ev(r));
    if (r & POLLRDHUP) strcat(b, "RDHUP ");
    if (r & POLLPRI) strcat(b, "PRI ");
    return b;
}

static void show_poll(const char *label, int fd, int events) {
    struct pollfd p = {fd, (short)events, 0};
    int n = poll(&p, 1, 0);
    printf("%s: %d %s\n", label, n, evs(p.revents));
}

int main(void) {
    test_setup();
    const int ALL = POLLIN | POLLOUT | POLLRDHUP | POLLPRI | POLLRDBAND | POLLWRBAND;
    int fresh = socket(AF_INET, SOCK_STREAM, 0);
    show_poll("fresh TCP socket", fresh, ALL);
    addr_t a;
    socklen_t len;
    int l = listener(AF_INET, &a, &len);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    MUST(connect(c, &a.sa, len));
    int s = accept(l, NULL, NULL);
    MUST(s);
    show_poll("connected", s, ALL);
    show_poll("connected, only RDHUP asked", s, POLLRDHUP);
    MUST(shutdown(c, SHUT_WR));
    struct pollfd p = {s, POLLRDHUP, 0};
    MUST(poll(&p, 1, 2000));
    show_poll("after the peer's FIN", s, ALL);
    show_poll("after the peer's FIN, only IN asked", s, POLLIN);
    show_poll("the peer itself", c, ALL);
    MUST(shutdown(c, SHUT_RD));
    show_poll("the peer after SHUT_RD too", c, ALL);
    close(c);
    close(s);
    /* A FIN right behind data: Linux reports POLLRDHUP at once, with the data still queued
     * (libevent's EV_CLOSED waits for exactly this). Each wait starts before anything arrives. */
    for (int round = 0; round < 3; round++) {
        static const short asked[] = {POLLRDHUP, POLLIN | POLLRDHUP, POLLRDHUP};
        c = socket(AF_INET, SOCK_STREAM, 0);
        MUST(connect(c, &a.sa, len));
        s = accept(l, NULL, NULL);
        MUST(s);
        char buf[64];
        if (round == 2) {
            /* Some data read first, the rest queued, then the FIN. */
            MUST(send(c, "first", 5, 0));
            MUST(recv(s, buf, 5, MSG_WAITALL));
        }
        MUST(send(c, "test string", 12, 0));
        MUST(shutdown(c, SHUT_WR));
        struct pollfd q = {s, asked[round], 0};
        int n = poll(&q, 1, 2000);
        printf("data then FIN, asked %s: %d %s\n", round == 1 ? "IN|RDHUP" : "RDHUP", n,
               evs(q.revents));
        show_poll("  then", s, ALL);
        printf("  recv: %zd\n", recv(s, buf, sizeof buf, 0));
        printf("  recv again: %zd\n", recv(s, buf, sizeof buf, 0));
        close(c);
        close(s);
    }
    /* a refused connect */
    int r = socket(AF_INET, SOCK_STREAM, 0);
    addr_t gone;
    socklen_t glen = loopback(&gone, AF_INET, port_of(&a));
    close(l);
    SHOW(connect(r, &gone.sa, glen));
    show_poll("after a refused connect", r, ALL);
    close(r);
    /* UDP */
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    addr_t ua;
    socklen_t ul = loopback(&ua, AF_INET, 9);
    MUST(connect(u, &ua.sa, ul));
    show_poll("connected UDP", u, ALL);
    MUST(shutdown(u, SHUT_RD));
    show_poll("UDP after SHUT_RD", u, ALL);
    close(u);
    close(fresh);
    return 0;
}
