/* The self-pipe and wake-up patterns of event loops (libevent, curl): a poll or select over host
 * sockets (a listener, an idle connection) and a channel (a pipe, a socket pair) returns as soon
 * as the channel is written, reporting only it, without waiting on the host sockets; and a host
 * socket becoming ready wakes a poll that also watches idle channels. */
#include "t.h"
#include <sys/select.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void) {
    test_setup();
    addr_t a;
    socklen_t al;
    int lsn = listener(AF_INET, &a, &al);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    MUST(connect(c, &a.sa, al));
    int s = accept(lsn, NULL, NULL);
    MUST(s);
    int p[2], sv[2];
    MUST(pipe(p));
    MUST(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
    struct pollfd fds[5] = {{lsn, POLLIN, 0}, {s, POLLIN, 0}, {c, POLLIN, 0}, {p[0], POLLIN, 0}, {sv[1], POLLIN, 0}};
    const char *names[5] = {"listener", "server end", "client end", "pipe", "socket pair"};

    printf("-- nothing ready\n");
    double t0 = now();
    SHOW(poll(fds, 5, 100));
    double dt = now() - t0;
    printf("waited its timeout: %d\n", dt > 0.08 && dt < 2);

    printf("-- the self-pipe written\n");
    SHOW(write(p[1], "!", 1));
    t0 = now();
    SHOW(poll(fds, 5, 10000));
    printf("at once: %d\n", now() - t0 < 0.5);
    for (int i = 0; i < 5; i++) printf("  %s: %s\n", names[i], ev(fds[i].revents));
    char b[8];
    SHOW(read(p[0], b, sizeof b));

    printf("-- the socket pair written, select\n");
    SHOW(send(sv[0], "wake", 4, 0));
    fd_set r;
    FD_ZERO(&r);
    int maxfd = 0;
    for (int i = 0; i < 5; i++) {
        FD_SET(fds[i].fd, &r);
        if (fds[i].fd > maxfd) maxfd = fds[i].fd;
    }
    struct timeval tv = {10, 0};
    t0 = now();
    SHOW(select(maxfd + 1, &r, NULL, NULL, &tv));
    printf("at once: %d\n", now() - t0 < 0.5);
    for (int i = 0; i < 5; i++) printf("  %s: %d\n", names[i], FD_ISSET(fds[i].fd, &r) != 0);
    while (recv(sv[1], b, sizeof b, 0) > 0) {
    }

    printf("-- a host socket readable, the channels idle\n");
    SHOW(send(c, "data", 4, 0));
    t0 = now();
    SHOW(poll(fds, 5, 10000));
    printf("soon: %d\n", now() - t0 < 2);
    for (int i = 0; i < 5; i++) printf("  %s: %s\n", names[i], ev(fds[i].revents));
    SHOW(recv(s, b, sizeof b, 0));

    printf("-- a wake-up written before a long poll, every round\n");
    int rounds = 0;
    t0 = now();
    for (int i = 0; i < 200; i++) {
        MUST(write(p[1], "w", 1));
        if (poll(fds, 5, -1) == 1 && fds[3].revents == POLLIN && read(p[0], b, 1) == 1) rounds++;
    }
    printf("200 rounds, each woken by its pipe alone: %d, quickly: %d\n", rounds == 200, now() - t0 < 5);

    printf("-- the other end of the socket pair gone\n");
    SHOW(close(sv[0]));
    SHOW(poll(fds, 5, 10000));
    printf("  socket pair: %s\n", ev(fds[4].revents));
    close(p[0]);
    close(p[1]);
    close(sv[1]);
    close(s);
    close(c);
    close(lsn);
    printf("done\n");
    return 0;
}
