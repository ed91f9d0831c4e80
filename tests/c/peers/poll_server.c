/* A single-threaded, non-blocking echo server driven by poll() or select().
 *   poll_server <4|6> <poll|select> <connections>
 * Prints "PORT <n>", serves until <connections> clients have come and gone, tracking the most
 * connections open at once, then prints "served <n> peak <k> bytes <b>" and exits.
 * Each connection echoes what it receives; output the socket cannot take yet waits in a
 * per-connection buffer for POLLOUT. A client's end of stream closes the connection once its
 * echo has been flushed. */
#include "common.h"
#include <poll.h>
#include <sys/select.h>

typedef struct {
    int fd;
    unsigned char *pend; /* echo not yet sent */
    size_t npend, cap;
    int eof;
} conn_t;

static conn_t *conns;
static int nconns, maxconns;
static long long total_bytes;

static void drop(int i) {
    close(conns[i].fd);
    free(conns[i].pend);
    conns[i] = conns[--nconns];
}

/* Flush what can be sent now; returns -1 on a hard error. */
static int flush(conn_t *c) {
    while (c->npend > 0) {
        ssize_t w = send(c->fd, c->pend, c->npend, MSG_DONTWAIT);
        if (w < 0) return errno == EAGAIN ? 0 : -1;
        memmove(c->pend, c->pend + w, c->npend - (size_t)w);
        c->npend -= (size_t)w;
    }
    return 0;
}

/* Read what is there and queue it for echo; returns -1 on a hard error. */
static int pump(conn_t *c) {
    static unsigned char buf[65536];
    for (;;) {
        ssize_t r = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
        if (r < 0) return errno == EAGAIN ? 0 : -1;
        if (r == 0) { c->eof = 1; return 0; }
        total_bytes += r;
        if (c->npend + (size_t)r > c->cap) {
            c->cap = (c->npend + (size_t)r) * 2;
            c->pend = realloc(c->pend, c->cap);
        }
        memcpy(c->pend + c->npend, buf, (size_t)r);
        c->npend += (size_t)r;
        if (flush(c) < 0) return -1;
    }
}

static void accept_all(int l, int *accepted) {
    for (;;) {
        int s = accept4(l, NULL, NULL, SOCK_NONBLOCK);
        if (s < 0) {
            if (errno != EAGAIN) printf("accept: %s\n", errname(errno));
            return;
        }
        if (nconns == maxconns) {
            maxconns = maxconns ? maxconns * 2 : 64;
            conns = realloc(conns, sizeof *conns * (size_t)maxconns);
        }
        conns[nconns++] = (conn_t){s, NULL, 0, 0, 0};
        (*accepted)++;
    }
}

int main(int argc, char **argv) {
    test_setup();
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: poll_server 4|6 poll|select conns [rounds]\n");
        return 64;
    }
    int fam = fam_arg(argv[1]), use_select = strcmp(argv[2], "select") == 0, want = atoi(argv[3]);
    /* Rounds: the clients come `want` at a time; after each round (all closed) the server
     * reports its linear memory, which must not grow after the first. */
    int rounds = argc == 5 ? atoi(argv[4]) : 1, round = 0;
    addr_t a;
    socklen_t len;
    int l = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    MUST(l);
    len = loopback(&a, fam, 0);
    MUST(bind(l, &a.sa, len));
    MUST(listen(l, 4096));
    MUST(getsockname(l, &a.sa, &len));
    printf("PORT %d\n", port_of(&a));
    int accepted = 0, closed = 0, peak = 0;
    struct pollfd *pfd = NULL;
    static fd_set rs, ws;
    while (closed < want * rounds) {
        int n;
        if (!use_select) {
            pfd = realloc(pfd, sizeof *pfd * (size_t)(nconns + 1));
            pfd[0] = (struct pollfd){l, POLLIN, 0};
            for (int i = 0; i < nconns; i++)
                pfd[i + 1] = (struct pollfd){conns[i].fd, (short)(POLLIN | (conns[i].npend ? POLLOUT : 0)), 0};
            n = poll(pfd, (nfds_t)(nconns + 1), 10000);
        } else {
            FD_ZERO(&rs);
            FD_ZERO(&ws);
            FD_SET(l, &rs);
            int maxfd = l;
            for (int i = 0; i < nconns; i++) {
                FD_SET(conns[i].fd, &rs);
                if (conns[i].npend) FD_SET(conns[i].fd, &ws);
                if (conns[i].fd > maxfd) maxfd = conns[i].fd;
            }
            struct timeval tv = {10, 0};
            n = select(maxfd + 1, &rs, &ws, NULL, &tv);
        }
        if (n < 0) { printf("%s: %s\n", argv[2], errname(errno)); return 3; }
        if (n == 0) { printf("idle for 10 s with %d open, %d closed\n", nconns, closed); return 3; }
        int lready = use_select ? FD_ISSET(l, &rs) : (pfd[0].revents & POLLIN);
        /* Walk the connections as they were when polled (their indices shift on drop). */
        int polled = nconns;
        int *fds = malloc(sizeof(int) * (size_t)(polled + 1));
        short *rev = malloc(sizeof(short) * (size_t)(polled + 1));
        for (int i = 0; i < polled; i++) {
            fds[i] = conns[i].fd;
            if (!use_select) rev[i] = pfd[i + 1].revents;
            else rev[i] = (short)((FD_ISSET(conns[i].fd, &rs) ? POLLIN : 0) | (FD_ISSET(conns[i].fd, &ws) ? POLLOUT : 0));
        }
        for (int k = 0; k < polled; k++) {
            if (!rev[k]) continue;
            int i = 0;
            while (i < nconns && conns[i].fd != fds[k]) i++;
            if (i == nconns) continue;
            conn_t *c = &conns[i];
            int bad = 0;
            if (rev[k] & (POLLIN | POLLHUP | POLLERR)) bad |= pump(c) < 0;
            if (!bad && (rev[k] & POLLOUT)) bad |= flush(c) < 0;
            if (bad) { printf("connection error: %s\n", errname(errno)); return 3; }
            if (c->eof && c->npend == 0) {
                drop(i);
                closed++;
                if (nconns == 0 && closed == want * (round + 1)) {
#ifdef __wasi__
                    unsigned long pages = (unsigned long)__builtin_wasm_memory_size(0);
#else
                    unsigned long pages = 0;
#endif
                    printf("round %d done, memory pages %lu\n", ++round, pages);
                }
            }
        }
        free(fds);
        free(rev);
        if (lready) accept_all(l, &accepted);
        if (nconns > peak) peak = nconns;
    }
    printf("served %d peak %d bytes %lld\n", closed, peak, total_bytes);
    return 0;
}
