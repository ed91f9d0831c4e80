/*
 * Looking without consuming (the hidden helpers, called identically on both sides) and
 * settling: after each operation, waiting until whatever Linux would already have has
 * arrived (diff.c's header, DETERMINISM).
 */
#include "diff.h"

/* ------------------------------------------------------------------------------------------ */
/* Hidden helpers (called identically on both sides; they only look) */

int lowest_free(void) {
    for (int fd = 0; fd < 4096; fd++)
        if (fcntl(fd, F_GETFD) < 0) return fd;
    return -1;
}
int learn_port(int o) {
    int s = slot_of(o);
    if (s < 0 || !(O[o].kind == K_TCP || O[o].kind == K_UDP)) return 0;
    addr_t a;
    socklen_t l = sizeof a;
    if (getsockname(slot_fd[s], &a.sa, &l) == 0 && port_of(&a) > 0) O[o].port = port_of(&a);
    else O[o].port = 0;
    if (!O[o].port && !obj_opq(o)) P(" [no port]"); /* (every caller expects one) */
    return O[o].port;
}
static long elapsed_ms(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}
short revents_of(int fd, short events, int ms) {
    struct pollfd p = {fd, events, 0};
    if (poll(&p, 1, ms) < 0) return 0;
    return p.revents;
}
int fionread(int fd) {
    int n = -1;
    if (ioctl(fd, FIONREAD, &n) < 0) return -1;
    return n;
}

/* ------------------------------------------------------------------------------------------ */
/* Settling */

static void settle_fail(int o, const char *what, long have, long want) {
    st_settle_fail++;
    printf("settle s%d %s: have %ld, want %ld\n", slot_of(o), what, have, want);
    O[o].opq = 1; /* (one failure is enough: stop judging it) */
}

/* Wait (bounded) until `fd`'s revents for `events` include one of `bits`. */
static int wait_bits(int o, int fd, short events, short bits, const char *what) {
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    short r;
    int waited = 0;
    while (!((r = revents_of(fd, events, 0)) & bits)) {
        if (elapsed_ms(&t0) > SETTLE_MS) {
            settle_fail(o, what, r, bits);
            return 0;
        }
        waited = 1;
        revents_of(fd, events, 10);
    }
    st_waits += waited;
    return 1;
}

static void settle_obj(int o) {
    int s = slot_of(o);
    if (s < 0 || obj_opq(o)) return;
    int fd = slot_fd[s];
    obj_t *b = &O[o];
    if (b->kind == K_EPOLL || b->kind == K_PIPEW) return;
    if (b->connecting) {
        wait_bits(o, fd, POLLIN | POLLOUT, POLLIN | POLLOUT | POLLERR | POLLHUP, "connect");
        b->connecting = 0;
        if (b->conn >= 0 && !b->port) { /* connected to an own listener: learn its port */
            addr_t a;
            socklen_t l = sizeof a;
            if (getsockname(fd, &a.sa, &l) == 0 && port_of(&a) > 0) b->port = port_of(&a);
            else settle_fail(o, "port after connect", 0, 1);
        }
    }
    if (b->listening && b->npend > 0) wait_bits(o, fd, POLLIN, POLLIN, "pending connection");
    if (is_stream(b->kind) || b->kind == K_PIPER) {
        int c = b->conn;
        if (c >= 0) {
            int d = 1 - b->side;
            uint64_t inq = inq_of(o);
            if (inq > 0) {
                struct timespec t0;
                clock_gettime(CLOCK_MONOTONIC, &t0);
                int n, waited = 0;
                while ((n = fionread(fd)) < (long)inq) {
                    if (elapsed_ms(&t0) > SETTLE_MS) break;
                    waited = 1;
                    revents_of(fd, POLLIN, 10);
                }
                st_waits += waited;
                if (n != (long)inq) settle_fail(o, "FIONREAD", n, (long)inq);
            }
            if (C[c].fin[d] && inq == 0) /* (a pipe's read end says POLLHUP only) */
                wait_bits(o, fd, POLLIN, POLLIN | POLLHUP, "end of stream");
            if (C[c].fin[d] && inq > 0 && b->wr_shut) wait_bits(o, fd, POLLIN, POLLHUP, "end of stream (HUP)");
        }
    }
    if (is_dgram(b->kind) && b->qn > 0 && !b->err) { /* (an error comes first: see below) */
        /* The first datagram expected: FIONREAD is its length (POLLIN alone could be a shutdown). */
        if (b->qlen[0] > 0) {
            struct timespec t0;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            int n, waited = 0;
            while ((n = fionread(fd)) != b->qlen[0] && elapsed_ms(&t0) <= SETTLE_MS) {
                waited = 1;
                revents_of(fd, POLLIN, 10);
            }
            st_waits += waited;
            if (n != b->qlen[0]) settle_fail(o, "datagram (FIONREAD)", n, b->qlen[0]);
        } else { /* an empty one: FIONREAD says 0 either way, POLLIN may be a shutdown: peek */
            struct timespec t0;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            char one;
            long n;
            int waited = 0;
            while ((n = recv(fd, &one, 1, MSG_PEEK | MSG_DONTWAIT)) < 0 && errno == EAGAIN &&
                   elapsed_ms(&t0) <= SETTLE_MS) {
                waited = 1;
                revents_of(fd, POLLIN, 10);
            }
            st_waits += waited;
            if (n != 0) settle_fail(o, "empty datagram (peek)", n, 0);
        }
    }
    if (b->err) wait_bits(o, fd, 0, POLLERR, "error");
    if (b->dirty && !b->wr_shut && b->kind != K_PIPER)
        wait_bits(o, fd, POLLOUT, POLLOUT, "writable");
    b->dirty = 0;
}
void settle_all(void) {
    for (int o = 0; o < NOBJ; o++)
        if (O[o].kind != K_FREE && O[o].refs > 0) settle_obj(o);
}
