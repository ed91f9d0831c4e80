/* Descriptors closed while registered and dup'd descriptors, against Linux, which keys an epoll
 * item by the open file and the descriptor number it was added under: closing the file's last
 * descriptor removes its items; closing one of several leaves the item in place, still
 * reporting with its data, and no longer reachable through epoll_ctl (the closed number is
 * EBADF, another descriptor of the file is a different key); the same number reused for a new
 * file is a new key. The epoll descriptor itself: dup'd, closed, its items gone with it. */
#include "ep.h"

static void settle(void) {
    sleep_ms(30);
}

static void closed_while_registered(void) {
    printf("== closed while registered\n");
    int ep = epoll_create1(0);
    int c, s;
    tcp_pair(AF_INET, &c, &s);
    CTL(ep, EPOLL_CTL_ADD, s, EPOLLIN, 1);
    int was = s;
    close(s);
    MUST(send(c, "x", 1, 0));
    settle();
    ewait("after close", ep, 8, 100);
    /* the same number for a new socket: a new key */
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    SHOW(u == was);
    CTL(ep, EPOLL_CTL_MOD, u, EPOLLIN, 2);
    CTL(ep, EPOLL_CTL_ADD, u, EPOLLOUT, 3);
    ewait("the new socket", ep, 8, 0);
    close(u);
    ewait("closed too", ep, 8, 0);
    close(c);
    close(ep);
}

static void duplicates(void) {
    printf("== dup'd descriptors\n");
    int ep = epoll_create1(0);
    int c, s;
    tcp_pair(AF_INET, &c, &s);
    int d = dup(s);
    OK(d);
    CTL(ep, EPOLL_CTL_ADD, s, EPOLLIN, 1);
    CTL(ep, EPOLL_CTL_ADD, d, EPOLLIN, 2);
    CTL(ep, EPOLL_CTL_ADD, s, EPOLLIN, 1);
    MUST(send(c, "x", 1, 0));
    settle();
    ewait("data, two items", ep, 8, 1000);
    char buf[16];
    SHOW(recv(d, buf, sizeof buf, 0));
    /* one of two descriptors closed: its item stays, and reports */
    close(s);
    MUST(send(c, "y", 1, 0));
    settle();
    ewait("data, one descriptor closed", ep, 8, 1000);
    CTL(ep, EPOLL_CTL_DEL, s, 0, 0);
    CTL(ep, EPOLL_CTL_MOD, s, EPOLLIN, 9);
    CTL(ep, EPOLL_CTL_DEL, d, 0, 0);
    ewait("the other item removed", ep, 8, 0);
    CTL(ep, EPOLL_CTL_DEL, d, 0, 0);
    CTL(ep, EPOLL_CTL_ADD, d, EPOLLIN, 3);
    ewait("added again", ep, 8, 0);
    SHOW(recv(d, buf, sizeof buf, 0));
    ewait("drained", ep, 8, 0);
    /* edge-triggered on both: each item sees each arrival */
    CTL(ep, EPOLL_CTL_MOD, d, EPOLLIN | EPOLLET, 4);
    int d2 = dup(d);
    CTL(ep, EPOLL_CTL_ADD, d2, EPOLLIN | EPOLLET, 5);
    MUST(send(c, "z", 1, 0));
    settle();
    ewait("ET arrival, items of one file", ep, 8, 1000);
    ewait("nothing new", ep, 8, 0);
    SHOW(recv(d, buf, sizeof buf, 0));
    close(d2);
    /* the file's last descriptor closed: every item goes, the peer sees the end */
    close(d);
    settle();
    ewait("last descriptor closed", ep, 8, 0);
    SHOW(recv(c, buf, sizeof buf, 0));
    close(c);
    close(ep);
}

static void the_epoll_descriptor(void) {
    printf("== the epoll descriptor\n");
    int ep = epoll_create1(0);
    int c, s;
    tcp_pair(AF_INET, &c, &s);
    CTL(ep, EPOLL_CTL_ADD, s, EPOLLIN, 1);
    int dep = dup(ep);
    OK(dep);
    MUST(send(c, "x", 1, 0));
    settle();
    ewait("through the dup", dep, 8, 1000);
    CTL(dep, EPOLL_CTL_DEL, s, 0, 0);
    ewait("deleted through the dup", ep, 8, 0);
    CTL(ep, EPOLL_CTL_ADD, s, EPOLLIN, 2);
    close(ep);
    ewait("original closed, the dup goes on", dep, 8, 0);
    CTL(ep, EPOLL_CTL_ADD, s, EPOLLIN, 3);
    close(dep);
    ewait("both closed", dep, 8, 0);
    /* an instance with items closed: the watched sockets are untouched */
    char buf[8];
    SHOW(recv(s, buf, sizeof buf, 0));
    SHOW(send(s, "ok", 2, 0));
    SHOW(recv(c, buf, sizeof buf, 0));
    /* many items, many close cycles: numbers reused, keys new */
    int ep2 = epoll_create1(0);
    int bad = 0;
    for (int i = 0; i < 200; i++) {
        int u = socket(AF_INET, SOCK_DGRAM, 0);
        bad += ectl(ep2, EPOLL_CTL_ADD, u, EPOLLOUT, (uint64_t)i) != 0;
        struct epoll_event e;
        bad += epoll_wait(ep2, &e, 1, 0) != 1 || e.data.u64 != (uint64_t)i;
        close(u);
    }
    printf("200 add/close cycles: %d bad\n", bad);
    ewait("all closed", ep2, 8, 0);
    close(ep2);
    close(c);
    close(s);
}

int main(void) {
    test_setup();
    closed_while_registered();
    duplicates();
    the_epoll_descriptor();
    return 0;
}
