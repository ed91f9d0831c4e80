/* A native load generator for the echo servers (built natively only: it uses Linux's epoll).
 *   load_client <4|6> <port> <connections> <seed> [seconds]
 * Opens <connections> connections (at most 256 connecting at once) and keeps every one open;
 * sends each a reproducible payload of 64..4095 bytes in pieces of up to 1500 bytes and
 * verifies every echoed byte; once every payload has come back, shuts them all down for writing
 * and expects end of stream on each. Prints "clients <n> bytes <b>" and exits 0, or says what
 * went wrong and exits 1. The file descriptor limit is raised to what the connections need. */
#include "common.h"
#include <sys/epoll.h>
#include <sys/resource.h>

typedef struct {
    int fd;
    int connected, done, eof;
    size_t size, sent, got;
    stream_t tx, rx; /* the payload's generator, as sent and as verified */
} client_t;

static size_t payload_size(uint32_t seed, int i) {
    uint32_t x = seed * 2654435761u + (uint32_t)i * 40503u + 1;
    x ^= x >> 15;
    x *= 2246822519u;
    x ^= x >> 13;
    return 64 + x % 4032;
}

int main(int argc, char **argv) {
    test_setup();
    if (argc < 5) {
        fprintf(stderr, "usage: load_client 4|6 port connections seed [seconds]\n");
        return 64;
    }
    int fam = fam_arg(argv[1]), port = atoi(argv[2]), n = atoi(argv[3]);
    uint32_t seed = (uint32_t)strtoul(argv[4], NULL, 10);
    int seconds = argc > 5 ? atoi(argv[5]) : 120;
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < (rlim_t)n + 64) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < (rlim_t)n + 64) {
            printf("cannot raise the descriptor limit to %d\n", n + 64);
            return 1;
        }
    }
    client_t *cl = calloc((size_t)n, sizeof *cl);
    int ep = epoll_create1(0);
    addr_t a;
    socklen_t len = loopback(&a, fam, port);
    int opened = 0, connecting = 0, echoed = 0;
    long long bytes = 0;
    long deadline = time(NULL) + seconds;
    static struct epoll_event ev[1024];
    static unsigned char buf[65536], want[65536];
    while (echoed < n) {
        while (opened < n && connecting < 256) {
            client_t *c = &cl[opened];
            c->fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
            if (c->fd < 0) { printf("socket %d: %s\n", opened, errname(errno)); return 1; }
            if (connect(c->fd, &a.sa, len) < 0 && errno != EINPROGRESS) {
                printf("connect %d: %s\n", opened, errname(errno));
                return 1;
            }
            c->size = payload_size(seed, opened);
            c->tx.x = c->rx.x = seed * 1000003u + (uint32_t)opened + 1;
            struct epoll_event e = {EPOLLIN | EPOLLOUT, {.u32 = (uint32_t)opened}};
            MUST(epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e));
            opened++;
            connecting++;
        }
        if (time(NULL) > deadline) {
            printf("only %d/%d echoes after %d s (%d opened)\n", echoed, n, seconds, opened);
            return 1;
        }
        int k = epoll_wait(ep, ev, 1024, 1000);
        for (int j = 0; j < k; j++) {
            client_t *c = &cl[ev[j].data.u32];
            if (ev[j].events & (EPOLLERR | EPOLLHUP)) {
                int err = 0;
                socklen_t el = sizeof err;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
                printf("connection %u failed: %s\n", ev[j].data.u32, errname(err));
                return 1;
            }
            if (!c->connected && (ev[j].events & EPOLLOUT)) {
                c->connected = 1;
                connecting--;
            }
            if ((ev[j].events & EPOLLOUT) && c->sent < c->size) {
                size_t piece = c->size - c->sent;
                if (piece > 1500) piece = 1 + (c->sent * 7919 + c->size) % 1500;
                stream_t save = c->tx;
                stream_fill(&c->tx, buf, piece);
                ssize_t w = send(c->fd, buf, piece, 0);
                if (w < 0) {
                    c->tx = save;
                    if (errno != EAGAIN) { printf("send: %s\n", errname(errno)); return 1; }
                } else if ((size_t)w < piece) {
                    c->tx = save; /* resend the rest from where it stopped */
                    stream_fill(&c->tx, buf, (size_t)w);
                    c->sent += (size_t)w;
                } else {
                    c->sent += piece;
                }
                if (c->sent == c->size) {
                    struct epoll_event e = {EPOLLIN, {.u32 = ev[j].data.u32}};
                    MUST(epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e));
                }
            }
            if (ev[j].events & EPOLLIN) {
                ssize_t r = recv(c->fd, buf, sizeof buf, 0);
                if (r == 0) { printf("connection %u: early end of stream\n", ev[j].data.u32); return 1; }
                if (r < 0) {
                    if (errno == EAGAIN) continue;
                    printf("recv: %s\n", errname(errno));
                    return 1;
                }
                if (c->got + (size_t)r > c->size) { printf("connection %u: too much echoed\n", ev[j].data.u32); return 1; }
                stream_fill(&c->rx, want, (size_t)r);
                if (memcmp(buf, want, (size_t)r) != 0) { printf("connection %u: echo differs\n", ev[j].data.u32); return 1; }
                c->got += (size_t)r;
                bytes += r;
                if (c->got == c->size && !c->done) {
                    c->done = 1;
                    echoed++;
                    MUST(epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL));
                }
            }
        }
    }
    /* every connection is open here: the server held all of them at once */
    for (int i = 0; i < n; i++) {
        MUST(shutdown(cl[i].fd, SHUT_WR));
        struct epoll_event e = {EPOLLIN, {.u32 = (uint32_t)i}};
        MUST(epoll_ctl(ep, EPOLL_CTL_ADD, cl[i].fd, &e));
    }
    int ended = 0;
    while (ended < n) {
        if (time(NULL) > deadline) { printf("only %d/%d ends of stream\n", ended, n); return 1; }
        int k = epoll_wait(ep, ev, 1024, 1000);
        for (int j = 0; j < k; j++) {
            client_t *c = &cl[ev[j].data.u32];
            ssize_t r = recv(c->fd, buf, sizeof buf, 0);
            if (r < 0 && errno == EAGAIN) continue;
            if (r != 0) { printf("connection %u: no end of stream (%zd)\n", ev[j].data.u32, r); return 1; }
            close(c->fd);
            ended++;
        }
    }
    printf("clients %d bytes %lld\n", n, bytes);
    return 0;
}
