/* epoll instances watched by other epoll instances and by poll, against Linux: an epoll
 * descriptor is readable while a wait on it would report something (level-triggered: for as
 * long as that holds; edge-triggered: again on each wake-up of its items), never writable;
 * looking at it consumes nothing; loops and chains deeper than Linux allows are ELOOP; an
 * instance closed while watched leaves the watching set. */
#include "ep.h"

static void settle(void) {
    sleep_ms(30);
}

static void poll_ep(const char *what, int ep, short events, int timeout) {
    struct pollfd p = {ep, events, 0};
    int n = poll(&p, 1, timeout);
    printf("%s: poll -> %d, revents %s\n", what, n, ev(p.revents));
}

static void nested(void) {
    printf("== nested\n");
    int a = epoll_create1(0), b = epoll_create1(0);
    int c, s;
    tcp_pair(AF_INET, &c, &s);
    CTL(a, EPOLL_CTL_ADD, s, EPOLLIN, 1);
    CTL(b, EPOLL_CTL_ADD, a, EPOLLIN | EPOLLOUT, 100);
    ewait("outer, nothing", b, 8, 0);
    poll_ep("inner under poll, nothing", a, POLLIN | POLLOUT, 0);
    MUST(send(c, "x", 1, 0));
    settle();
    ewait("outer, data inside", b, 8, 1000);
    poll_ep("inner under poll", a, POLLIN | POLLOUT, 0);
    ewait("outer again (level-triggered)", b, 8, 0);
    ewait("inner", a, 8, 0);
    ewait("outer, the inner still has it", b, 8, 0);
    char buf[16];
    SHOW(recv(s, buf, sizeof buf, 0));
    ewait("outer, drained", b, 8, 0);
    poll_ep("inner under poll, drained", a, POLLIN, 0);
    ewait("inner, drained", a, 8, 0);
    /* poll blocks on an epoll descriptor until something inside is ready */
    MUST(send(c, "y", 1, 0));
    poll_ep("inner under poll, waiting", a, POLLIN, 1000);
    SHOW(recv(s, buf, sizeof buf, 0));
    /* the outer set watching edge-triggered: a report per wake-up inside */
    CTL(b, EPOLL_CTL_MOD, a, EPOLLIN | EPOLLET, 101);
    ewait("outer ET, nothing", b, 8, 0);
    MUST(send(c, "z", 1, 0));
    settle();
    ewait("outer ET, data inside", b, 8, 1000);
    ewait("outer ET, nothing new", b, 8, 0);
    MUST(send(c, "w", 1, 0));
    settle();
    ewait("outer ET, more data inside", b, 8, 1000);
    ewait("outer ET, nothing new", b, 8, 0);
    SHOW(recv(s, buf, sizeof buf, 0));
    /* an edge-triggered item inside: looking from outside consumes nothing */
    CTL(a, EPOLL_CTL_MOD, s, EPOLLIN | EPOLLET, 2);
    CTL(b, EPOLL_CTL_MOD, a, EPOLLIN, 102);
    MUST(send(c, "v", 1, 0));
    settle();
    ewait("outer, ET item inside", b, 8, 1000);
    poll_ep("inner under poll, ET item", a, POLLIN, 0);
    ewait("inner, ET item", a, 8, 0);
    ewait("outer, ET item reported inside", b, 8, 0);
    poll_ep("inner under poll, ET item reported", a, POLLIN, 0);
    SHOW(recv(s, buf, sizeof buf, 0));
    /* loops */
    CTL(a, EPOLL_CTL_ADD, b, EPOLLIN, 200);
    CTL(a, EPOLL_CTL_ADD, a, EPOLLIN, 201);
    int da = dup(a);
    CTL(a, EPOLL_CTL_ADD, da, EPOLLIN, 202);
    CTL(b, EPOLL_CTL_ADD, da, EPOLLIN, 203);
    close(da);
    /* an inner instance closed while watched leaves the set */
    MUST(send(c, "u", 1, 0));
    settle();
    ewait("outer, before the inner closes", b, 8, 1000);
    close(a);
    ewait("outer, inner closed", b, 8, 0);
    CTL(b, EPOLL_CTL_DEL, a, 0, 0);
    close(b);
    close(c);
    close(s);
}

static void chains(void) {
    printf("== chains\n");
    int e[8];
    for (int i = 0; i < 8; i++) e[i] = epoll_create1(0);
    /* top down: e0 holds e1 holds e2 ... */
    for (int i = 0; i < 7; i++) {
        errno = 0;
        int r = ectl(e[i], EPOLL_CTL_ADD, e[i + 1], EPOLLIN, (uint64_t)i);
        printf("e%d holds e%d -> %d %s\n", i, i + 1, r, r < 0 ? errname(errno) : "");
    }
    for (int i = 0; i < 8; i++) close(e[i]);
    for (int i = 0; i < 8; i++) e[i] = epoll_create1(0);
    /* bottom up: e6 holds e7 first, then e5 holds e6 ... */
    for (int i = 6; i >= 0; i--) {
        errno = 0;
        int r = ectl(e[i], EPOLL_CTL_ADD, e[i + 1], EPOLLIN, (uint64_t)i);
        printf("e%d holds e%d -> %d %s\n", i, i + 1, r, r < 0 ? errname(errno) : "");
    }
    /* a loop through several */
    errno = 0;
    int r = ectl(e[5], EPOLL_CTL_ADD, e[3], EPOLLIN, 9);
    printf("e5 holds e3 -> %d %s\n", r, r < 0 ? errname(errno) : "");
    for (int i = 0; i < 8; i++) close(e[i]);
    /* a wide tree is fine */
    int root = epoll_create1(0), kids[20];
    int fails = 0;
    for (int i = 0; i < 20; i++) {
        kids[i] = epoll_create1(0);
        fails += ectl(root, EPOLL_CTL_ADD, kids[i], EPOLLIN, (uint64_t)i) < 0;
    }
    printf("20 instances in one: %d failed\n", fails);
    for (int i = 0; i < 20; i++) close(kids[i]);
    close(root);
}

int main(void) {
    test_setup();
    nested();
    chains();
    return 0;
}
