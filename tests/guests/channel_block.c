/* A program that blocks on an in-guest channel nothing else in it can change, to show the wait
 * sleeps (no CPU) as Linux's would:
 *
 *   channel_block read      a blocking read of an empty socket pair: waits for good
 *   channel_block pipe      a blocking read of an empty pipe: waits for good
 *   channel_block write     a blocking write to a full pipe: waits for good
 *   channel_block poll      poll(-1) over a pipe and a socket pair, both idle: waits for good
 *   channel_block timeout   a read with SO_RCVTIMEO of 1.5 s: EAGAIN after it
 *
 * Prints "BLOCKING" just before the call that blocks, and what the call returned if it does. */
#include "../c/t.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    test_setup();
    const char *mode = argc > 1 ? argv[1] : "read";
    int sv[2], p[2];
    char buf[16];
    static char big[70000];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || pipe(p) < 0) {
        printf("setup failed: %s\n", errname(errno));
        return 1;
    }
    long r = -2;
    double t0 = now();
    if (!strcmp(mode, "read")) {
        printf("BLOCKING\n");
        r = recv(sv[1], buf, sizeof buf, 0);
    } else if (!strcmp(mode, "pipe")) {
        printf("BLOCKING\n");
        r = read(p[0], buf, sizeof buf);
    } else if (!strcmp(mode, "write")) {
        printf("BLOCKING\n");
        r = write(p[1], big, sizeof big);
    } else if (!strcmp(mode, "poll")) {
        struct pollfd fds[2] = {{p[0], POLLIN, 0}, {sv[1], POLLIN, 0}};
        printf("BLOCKING\n");
        r = poll(fds, 2, -1);
    } else if (!strcmp(mode, "timeout")) {
        struct timeval tv = {1, 500000};
        setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        printf("BLOCKING\n");
        r = recv(sv[1], buf, sizeof buf, 0);
    }
    printf("RETURNED %ld %s after %.2f s\n", r, r < 0 ? errname(errno) : "", now() - t0);
    return 0;
}
