//! wasmtime: -S inherit-network
/* epoll over the in-guest channels against Linux: pipes, socket pairs and AF_UNIX connections
 * by name, level- and edge-triggered: what each end reports (IN, OUT, HUP, ERR, RDHUP), an event
 * on each new arrival for an edge-triggered item and none for what is already there, room to
 * write again after the writer filled a pipe, the peer's close; channels mixed with a TCP
 * connection in one set, and a wait woken by a channel write from the same program. */
#include "ep.h"
#include <stddef.h>
#include <sys/un.h>

static void pipes(void) {
    printf("== pipe\n");
    int ep = epoll_create1(0);
    int p[2];
    MUST(pipe(p));
    CTL(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLRDHUP, 1);
    CTL(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 2);
    ewait("empty pipe", ep, 8, 0);
    MUST(write(p[1], "abc", 3));
    ewait("data", ep, 8, 0);
    static char buf[65536];
    SHOW(read(p[0], buf, 1));
    ewait("partly read", ep, 8, 0);
    SHOW(read(p[0], buf, sizeof buf));
    ewait("drained", ep, 8, 0);
    /* edge-triggered: arrivals only */
    CTL(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLET, 3);
    CTL(ep, EPOLL_CTL_MOD, p[1], EPOLLOUT | EPOLLET, 4);
    ewait("ET, armed", ep, 8, 0);
    ewait("ET, nothing new", ep, 8, 0);
    MUST(write(p[1], "de", 2));
    ewait("ET, data", ep, 8, 0);
    ewait("ET, nothing new", ep, 8, 0);
    SHOW(read(p[0], buf, 1));
    ewait("ET, partly read", ep, 8, 0);
    MUST(write(p[1], "f", 1));
    ewait("ET, more data behind", ep, 8, 0);
    SHOW(read(p[0], buf, sizeof buf));
    /* fill the pipe: the write end stops being writable; reading makes room again */
    set_nonblock(p[1]);
    memset(buf, 'x', sizeof buf);
    long put = 0;
    ssize_t n;
    while ((n = write(p[1], buf, sizeof buf)) > 0) put += n;
    printf("filled until %s\n", errname(errno));
    ewait("ET, full", ep, 8, 0);
    long got = 0;
    while (got < put && (n = read(p[0], buf, sizeof buf)) > 0) got += n;
    printf("read all back: %s\n", got == put ? "yes" : "no");
    ewait("ET, room again", ep, 8, 0);
    ewait("ET, nothing new", ep, 8, 0);
    /* the writer closes: the read end hangs up */
    CTL(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLRDHUP, 5);
    close(p[1]);
    ewait("writer closed", ep, 8, 0);
    close(p[0]);
    /* the reader closes: the write end is in error */
    MUST(pipe(p));
    CTL(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 6);
    close(p[0]);
    ewait("reader closed", ep, 8, 0);
    close(p[1]);
    ewait("all closed", ep, 8, 0);
    close(ep);
}

static void pairs(int type) {
    printf("== socketpair %s\n", type == SOCK_STREAM ? "SOCK_STREAM" : "SOCK_DGRAM");
    int ep = epoll_create1(0);
    int sv[2];
    MUST(socketpair(AF_UNIX, type, 0, sv));
    CTL(ep, EPOLL_CTL_ADD, sv[0], EPOLLIN | EPOLLOUT | EPOLLRDHUP, 1);
    ewait("idle pair", ep, 8, 0);
    CTL(ep, EPOLL_CTL_MOD, sv[0], EPOLLIN | EPOLLRDHUP | EPOLLET, 2);
    ewait("ET, idle", ep, 8, 0);
    MUST(send(sv[1], "one", 3, 0));
    ewait("ET, a message", ep, 8, 0);
    ewait("ET, nothing new", ep, 8, 0);
    MUST(send(sv[1], "two", 3, 0));
    ewait("ET, another behind it", ep, 8, 0);
    char buf[16];
    SHOW(recv(sv[0], buf, sizeof buf, 0));
    ewait("ET, one read", ep, 8, 0);
    SHOW(recv(sv[0], buf, sizeof buf, MSG_DONTWAIT) >= 0);
    CTL(ep, EPOLL_CTL_MOD, sv[0], EPOLLIN | EPOLLOUT | EPOLLRDHUP, 3);
    SHOW(shutdown(sv[1], SHUT_WR));
    ewait("peer shut down writing", ep, 8, 0);
    close(sv[1]);
    ewait("peer closed", ep, 8, 0);
    close(sv[0]);
    close(ep);
}

static void by_name_and_mixed(void) {
    printf("== AF_UNIX by name, mixed with TCP\n");
    int ep = epoll_create1(0);
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    strcpy(sa.sun_path + 1, "wsp-epoll-test");
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen("wsp-epoll-test"));
    int l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    MUST(l);
    MUST(bind(l, (struct sockaddr *)&sa, len));
    MUST(listen(l, 4));
    CTL(ep, EPOLL_CTL_ADD, l, EPOLLIN | EPOLLET, 1);
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    MUST(connect(c, (struct sockaddr *)&sa, len));
    ewait("a connection queued", ep, 8, 0);
    ewait("nothing new", ep, 8, 0);
    int s = accept(l, NULL, NULL);
    MUST(s);
    int tc, ts;
    tcp_pair(AF_INET, &tc, &ts);
    CTL(ep, EPOLL_CTL_ADD, s, EPOLLIN, 2);
    CTL(ep, EPOLL_CTL_ADD, ts, EPOLLIN, 3);
    ewait("both idle", ep, 8, 0);
    MUST(send(c, "u", 1, 0));
    ewait("the channel, at once", ep, 8, 1000);
    MUST(send(tc, "t", 1, 0));
    sleep_ms(30);
    ewait("both", ep, 8, 1000);
    char buf[8];
    SHOW(recv(s, buf, sizeof buf, 0));
    SHOW(recv(ts, buf, sizeof buf, 0));
    /* a blocking wait on the host socket's pollable, with a channel in the set: data on the
     * host socket wakes it */
    MUST(send(tc, "w", 1, 0));
    ewait("woken by the host socket", ep, 8, 5000);
    SHOW(recv(ts, buf, sizeof buf, 0));
    close(c);
    close(s);
    close(l);
    close(tc);
    close(ts);
    close(ep);
}

int main(void) {
    test_setup();
    pipes();
    pairs(SOCK_STREAM);
    pairs(SOCK_DGRAM);
    by_name_and_mixed();
    return 0;
}
