/* A single-threaded, edge-triggered epoll echo server.
 *   epoll_server <4|6> <connections> [rounds]
 * Prints "PORT <n>", serves until <connections> x <rounds> clients have come and gone (after each
 * round, all closed, "round <r> done, memory pages <p>"), tracking the most connections open at
 * once, then prints "served <n> peak <k> bytes <b> waits <w>" and exits.
 * Edge-triggered as such servers are written: every event drains what is there (accept until
 * EAGAIN, receive until EAGAIN, send until EAGAIN), output the socket cannot take yet waits in a
 * per-connection buffer for the next EPOLLOUT edge; a client's end of stream closes the
 * connection once its echo is flushed. */
#include "common.h"
#include <sys/epoll.h>

typedef struct {
    int fd;
    int eof;
    unsigned char *pend; /* echo not yet sent */
    size_t npend, cap;
} conn_t;

static conn_t *conns;
static uint32_t *free_slots;
static int nfree, nslots, open_conns;
static long long total_bytes;

static uint32_t new_slot(int fd) {
    uint32_t i;
    if (nfree > 0) {
        i = free_slots[--nfree];
    } else {
        if (nslots % 1024 == 0) {
            conns = realloc(conns, sizeof *conns * (size_t)(nslots + 1024));
            free_slots = realloc(free_slots, sizeof *free_slots * (size_t)(nslots + 1024));
        }
        i = (uint32_t)nslots++;
    }
    conns[i] = (conn_t){fd, 0, NULL, 0, 0};
    return i;
}

static void drop(uint32_t i) {
    close(conns[i].fd);
    free(conns[i].pend);
    conns[i].fd = -1;
    free_slots[nfree++] = i;
    open_conns--;
}

/* Send what is pending until EAGAIN; -1 on a hard error. */
static int flush(conn_t *c) {
    size_t off = 0;
    while (off < c->npend) {
        ssize_t w = send(c->fd, c->pend + off, c->npend - off, 0);
        if (w < 0) {
            if (errno == EAGAIN) break;
            return -1;
        }
        off += (size_t)w;
    }
    memmove(c->pend, c->pend + off, c->npend - off);
    c->npend -= off;
    return 0;
}

/* Receive until EAGAIN or end of stream, queueing the echo; -1 on a hard error. */
static int pump(conn_t *c) {
    static unsigned char buf[65536];
    for (;;) {
        ssize_t r = recv(c->fd, buf, sizeof buf, 0);
        if (r < 0) return errno == EAGAIN ? 0 : -1;
        if (r == 0) {
            c->eof = 1;
            return 0;
        }
        total_bytes += r;
        if (c->npend + (size_t)r > c->cap) {
            c->cap = (c->npend + (size_t)r) * 2;
            c->pend = realloc(c->pend, c->cap);
        }
        memcpy(c->pend + c->npend, buf, (size_t)r);
        c->npend += (size_t)r;
    }
}

int main(int argc, char **argv) {
    test_setup();
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: epoll_server 4|6 conns [rounds]\n");
        return 64;
    }
    int fam = fam_arg(argv[1]), want = atoi(argv[2]);
    int rounds = argc == 4 ? atoi(argv[3]) : 1, round = 0;
    addr_t a;
    socklen_t len;
    int l = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    MUST(l);
    len = loopback(&a, fam, 0);
    MUST(bind(l, &a.sa, len));
    MUST(listen(l, 4096));
    MUST(getsockname(l, &a.sa, &len));
    int ep = epoll_create1(0);
    MUST(ep);
    struct epoll_event e = {EPOLLIN | EPOLLET, {.u64 = UINT64_MAX}};
    MUST(epoll_ctl(ep, EPOLL_CTL_ADD, l, &e));
    printf("PORT %d\n", port_of(&a));
    int closed = 0, peak = 0;
    long waits = 0;
    static struct epoll_event ev[512];
    while (closed < want * rounds) {
        int n = epoll_wait(ep, ev, 512, 10000);
        waits++;
        if (n < 0) { printf("epoll_wait: %s\n", errname(errno)); return 3; }
        if (n == 0) { printf("idle for 10 s with %d open, %d closed\n", open_conns, closed); return 3; }
        for (int k = 0; k < n; k++) {
            if (ev[k].data.u64 == UINT64_MAX) {
                for (;;) {
                    int s = accept4(l, NULL, NULL, SOCK_NONBLOCK);
                    if (s < 0) {
                        if (errno != EAGAIN) { printf("accept: %s\n", errname(errno)); return 3; }
                        break;
                    }
                    uint32_t i = new_slot(s);
                    struct epoll_event ce = {EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, {.u64 = i}};
                    MUST(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ce));
                    if (++open_conns > peak) peak = open_conns;
                }
                continue;
            }
            uint32_t i = (uint32_t)ev[k].data.u64;
            conn_t *c = &conns[i];
            if (c->fd < 0) continue;
            int bad = 0;
            if (ev[k].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) bad |= pump(c) < 0;
            if (!bad && c->npend) bad |= flush(c) < 0;
            if (bad) { printf("connection error: %s\n", errname(errno)); return 3; }
            if (c->eof && c->npend == 0) {
                drop(i);
                closed++;
                if (open_conns == 0 && closed == want * (round + 1)) {
#ifdef __wasi__
                    unsigned long pages = (unsigned long)__builtin_wasm_memory_size(0);
#else
                    unsigned long pages = 0;
#endif
                    printf("round %d done, memory pages %lu\n", ++round, pages);
                }
            }
        }
    }
    printf("served %d peak %d bytes %lld waits %ld\n", closed, peak, total_bytes, waits);
    return 0;
}
