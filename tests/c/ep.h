/* Helpers of the epoll conformance tests (epoll_*.c): events by name, waits that print what
 * they got in a platform-neutral order, and connected pairs. */
#ifndef WSP_TEST_EP_H
#define WSP_TEST_EP_H

#include "t.h"
#include <sys/epoll.h>

/* Event bits by name: "IN OUT RDHUP ERR HUP" (or "-"), from a ring of buffers. */
T_FN const char *epev(uint32_t e) {
    static char ring[8][128];
    static int next;
    char *b = ring[next++ % 8];
    b[0] = 0;
#define N(x) if (e & EPOLL##x) { strcat(b, #x " "); e &= ~(uint32_t)EPOLL##x; }
    N(IN) N(PRI) N(OUT) N(RDNORM) N(RDBAND) N(WRNORM) N(WRBAND) N(MSG) N(RDHUP) N(ERR) N(HUP)
#undef N
    if (e) snprintf(b + strlen(b), 32, "0x%x ", e);
    if (!b[0]) strcpy(b, "-");
    return b;
}

T_FN int cmp_ev(const void *a, const void *b) {
    uint64_t x = ((const struct epoll_event *)a)->data.u64, y = ((const struct epoll_event *)b)->data.u64;
    return x < y ? -1 : x > y;
}

/* epoll_wait and print "what: n -> [data events] ..." with the events sorted by data (the order
 * of events that became ready together is the kernel's business). Returns n. */
T_FN int ewait(const char *what, int ep, int max, int timeout) {
    struct epoll_event ev[64];
    memset(ev, 0, sizeof ev);
    errno = 0;
    int n = epoll_wait(ep, ev, max, timeout);
    if (n < 0) {
        printf("%s: -1 %s\n", what, errname(errno));
        return n;
    }
    qsort(ev, (size_t)n, sizeof ev[0], cmp_ev);
    printf("%s: %d", what, n);
    for (int i = 0; i < n; i++) printf(" [%llu %s]", (unsigned long long)ev[i].data.u64, epev(ev[i].events));
    printf("\n");
    return n;
}

/* The same, keeping the kernel's order (for the tests of that order). */
T_FN int ewait_ordered(const char *what, int ep, int max, int timeout) {
    struct epoll_event ev[64];
    int n = epoll_wait(ep, ev, max, timeout);
    if (n < 0) {
        printf("%s: -1 %s\n", what, errname(errno));
        return n;
    }
    printf("%s: %d", what, n);
    for (int i = 0; i < n; i++) printf(" [%llu %s]", (unsigned long long)ev[i].data.u64, epev(ev[i].events));
    printf("\n");
    return n;
}

/* epoll_ctl with the event {events, data} */
T_FN int ectl(int ep, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event e;
    memset(&e, 0, sizeof e);
    e.events = events;
    e.data.u64 = data;
    return epoll_ctl(ep, op, fd, &e);
}
#define CTL(ep, op, fd, events, data)                                                        \
    (errno = 0, show_("epoll_ctl(" #ep ", " #op ", " #fd ", " #events ", " #data ")",          \
                      (long)ectl(ep, op, fd, events, data)))

/* A connected TCP pair over loopback: *c (client) and *s (accepted); the listener is closed. */
T_FN void tcp_pair(int fam, int *c, int *s) {
    addr_t a;
    socklen_t len;
    int l = listener(fam, &a, &len);
    *c = socket(fam, SOCK_STREAM, 0);
    MUST(*c);
    MUST(connect(*c, &a.sa, len));
    *s = accept(l, NULL, NULL);
    MUST(*s);
    close(l);
}

T_FN void set_nonblock(int fd) {
    MUST(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK));
}

T_FN long mono_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

#endif
